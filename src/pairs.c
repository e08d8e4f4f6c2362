/* The mean Euclidean distance over all pairs of rows of a matrix, without
 * storing the pairs: the value mean(stats::dist(x)) gives, to the bit.
 * KMeans-SMOTE's cluster sparsity needs it for clusters of thousands of
 * rows, where dist() would hold millions of distances.
 *
 * Each distance is dist()'s: squared differences summed in double over
 * the columns in order, columns where either value is missing skipped and
 * the sum scaled up by (columns / columns used), NA when none is used.
 * The mean is mean()'s: the distances summed in long double in dist()'s
 * order (pairs (i, j), i > j, j outer), divided by their number, then
 * refined by a second pass that adds the mean deviation.  Distances are
 * computed in blocks, shared among threads by pair; the sums run on the
 * calling thread in the fixed order, so any thread count gives the same
 * bits. */
#include "smoteguard.h"
#include <stdlib.h>

/* dist()'s Euclidean distance between rows a and b of the n x d x */
static inline double sg_pair_dist(const double *x, R_xlen_t n, int d,
                                  R_xlen_t a, R_xlen_t b) {
  double s = 0;
  int used = 0;
  for (int c = 0; c < d; c++) {
    double u = x[a + (R_xlen_t) c * n], v = x[b + (R_xlen_t) c * n];
    if (ISNAN(u) || ISNAN(v)) continue;
    double dev = u - v;
    if (ISNAN(dev)) continue;
    s += dev * dev;
    used++;
  }
  if (used == 0) return NA_REAL;
  if (used != d) s /= ((double) used / d);
  return sqrt(s);
}

/* Pairs per block of distances held at once (at least one row's). */
#define SG_PAIR_BLOCK 65536

/* The mean as above of the n x d column-major x; NaN for fewer than two
 * rows (as mean(numeric(0))). */
double sg_pair_mean(const double *x, R_xlen_t n, int d, int nthreads) {
  if (n < 2) return R_NaN;
  double total = (double) n * (double) (n - 1) / 2;
  R_xlen_t cap = SG_PAIR_BLOCK > n ? SG_PAIR_BLOCK : n;
  double *buf = (double *) R_alloc(cap, sizeof(double));
  R_xlen_t *start = (R_xlen_t *) R_alloc(n, sizeof(R_xlen_t));
  long double s = 0, t = 0;
  /* no missing or infinite value and a column at least: the plain sums */
  int finite = d > 0 && sg_all_finite(x, n * (R_xlen_t) d);
  for (int pass = 0; pass < 2; pass++) {
    R_xlen_t j0 = 0;
    while (j0 < n - 1) {
      /* the rows j0..j1-1 as outer rows: their pairs fill the block */
      R_xlen_t j1 = j0, used = 0;
      while (j1 < n - 1 && (used == 0 || used + (n - 1 - j1) <= cap)) {
        start[j1] = used;
        used += n - 1 - j1;
        j1++;
      }
      int nth = nthreads;
      if ((double) used * d < SG_MIN_PARALLEL_WORK) nth = 1;
      (void) nth;
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
#endif
      for (R_xlen_t j = j0; j < j1; j++) {
        double *o = buf + start[j];
        if (finite) {
          /* column by column over the later rows (contiguous), each
           * pair's sum still taken over the columns in order */
          R_xlen_t len = n - 1 - j;
          for (R_xlen_t i = 0; i < len; i++) o[i] = 0;
          for (int c = 0; c < d; c++) {
            const double *col = x + (R_xlen_t) c * n;
            const double *v = col + j + 1;
            double xj = col[j];
            for (R_xlen_t i = 0; i < len; i++) {
              double dev = v[i] - xj;
              o[i] += dev * dev;
            }
          }
          for (R_xlen_t i = 0; i < len; i++) o[i] = sqrt(o[i]);
        } else {
          for (R_xlen_t i = j + 1; i < n; i++) o[i - j - 1] = sg_pair_dist(x, n, d, i, j);
        }
      }
      if (pass == 0) {
        for (R_xlen_t k = 0; k < used; k++) s += buf[k];
      } else {
        for (R_xlen_t k = 0; k < used; k++) t += buf[k] - s;
      }
      j0 = j1;
    }
    if (pass == 0) {
      s /= total;
      if (!R_FINITE((double) s)) break;
    } else {
      s += t / total;
    }
  }
  return (double) s;
}

/* mean(stats::dist(x)) of a double matrix x (NA allowed, as dist(); no
 * column: every distance NA),
 * with up to `threads` threads (NA: the default). */
SEXP ffi_pair_mean(SEXP x, SEXP threads) {
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  int req = sg_int_scalar(threads, "threads");
  double n2 = (double) n * (double) (n > 1 ? n - 1 : 0) / 2;
  int nth = sg_threads_for(req, n2 * d);
  return Rf_ScalarReal(sg_pair_mean(REAL_RO(x), n, d, nth));
}
