/* Column statistics of the numeric predictors (three passes per column):
 * the input summary, the distance's centre and scale and the observed
 * bounds of each class; and the bound check of candidate rows.  Missing
 * values (NA, NaN) are skipped. */
#include "smoteguard.h"
#include <string.h>
#include <stdlib.h>

/* The mean and sd of the `seen` values of v[at(i)], i < m, at(i) =
 * rows[i] when `indexed`, else i, whose long double sum is `sum` (NaN
 * skipped, unless `clean`: none there). Called with constant `indexed`
 * and `clean`, so each caller gets its own loops without the choices
 * inside them (the same operations in the same order: the same bits). */
static SG_ALWAYS_INLINE void sg_mean_sd_passes(const double *v, const int *rows,
                                               R_xlen_t m, const int indexed,
                                               const int clean, long double sum,
                                               R_xlen_t seen, double *mean,
                                               double *sd) {
#define SG_AT(i) v[indexed ? rows[i] : (i)]
  long double mu = sum / (long double) seen;
  if (R_FINITE((double) mu)) {
    long double dev = 0;
    for (R_xlen_t i = 0; i < m; i++) {
      double a = SG_AT(i);
      if (clean || !ISNAN(a)) dev += a - mu;
    }
    mu += dev / (long double) seen;
  }
  double s = NA_REAL;
  if (seen > 1) {
    /* as var(): deviations from the mean rounded to double, squared
     * and summed in long double */
    long double center = (double) mu;
    long double ss = 0;
    for (R_xlen_t i = 0; i < m; i++) {
      double a = SG_AT(i);
      if (!clean && ISNAN(a)) continue;
      long double dv = a - center;
      ss += dv * dv;
    }
    s = sqrt((double) (ss / (long double) (seen - 1)));
  }
#undef SG_AT
  *mean = seen > 0 ? (double) mu : R_NaN;
  *sd = s;
}

/* One column's statistics over v[at(i)], i < m (as above): the sum and
 * range in one pass, then the mean and sd, by loops without NaN checks
 * when the first pass found none (the common case). */
static SG_ALWAYS_INLINE void sg_column_stat1(const double *v, const int *rows,
                                             R_xlen_t m, const int indexed,
                                             double *mean, double *sd, double *min,
                                             double *max, double *missing) {
  long double sum = 0;
  double lo = R_PosInf, hi = R_NegInf;
  R_xlen_t seen = 0;
  for (R_xlen_t i = 0; i < m; i++) {
    double a = v[indexed ? rows[i] : i];
    if (ISNAN(a)) continue;
    seen++;
    sum += a;
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  if (seen == m)
    sg_mean_sd_passes(v, rows, m, indexed, 1, sum, seen, mean, sd);
  else
    sg_mean_sd_passes(v, rows, m, indexed, 0, sum, seen, mean, sd);
  *min = lo;
  *max = hi;
  *missing = (double) (m - seen);
}

/* The mean and sd of m values without NaN (those of mean() and sd()):
 * sg_column_stats()'s numbers, without its NaN checks and range. */
void sg_mean_sd(const double *v, R_xlen_t m, double *mean, double *sd) {
  long double sum = 0;
  for (R_xlen_t i = 0; i < m; i++) sum += v[i];
  sg_mean_sd_passes(v, NULL, m, 0, 1, sum, m, mean, sd);
}

/* Per column of the n x d matrix x (column-major), over the m rows
 * `rows` (0-based; NULL: all n rows, m = n): mean, standard deviation
 * (m - 1 denominator), minimum, maximum and missing count.  The mean and
 * deviation follow R's mean() and var(): sums in long double, the mean
 * refined by a second pass over the deviations, so the results are those
 * of mean(v, na.rm = TRUE) and sd(v, na.rm = TRUE).  With no value: mean
 * NaN, sd NA, min Inf, max -Inf; with one: sd NA. */
void sg_column_stats(const double *x, R_xlen_t n, int d, const int *rows,
                     R_xlen_t m, double *mean, double *sd, double *min,
                     double *max, double *missing) {
  if (rows == NULL) m = n;
  for (int j = 0; j < d; j++) {
    const double *v = x + (R_xlen_t) j * n;
    if (rows)
      sg_column_stat1(v, rows, m, 1, mean + j, sd + j, min + j, max + j, missing + j);
    else
      sg_column_stat1(v, NULL, m, 0, mean + j, sd + j, min + j, max + j, missing + j);
  }
}

/* Whether each of the m rows of the m x d matrix `values` has a value
 * below `lower` or above `upper` of its column (missing values pass). */
void sg_rows_outside(const double *values, R_xlen_t m, int d,
                     const double *lower, const double *upper, int *out) {
  for (R_xlen_t i = 0; i < m; i++) out[i] = 0;
  for (int j = 0; j < d; j++) {
    const double *v = values + (R_xlen_t) j * m;
    double lo = lower[j], hi = upper[j];
    for (R_xlen_t i = 0; i < m; i++)
      if (v[i] < lo || v[i] > hi) out[i] = 1; /* false for NA and NaN */
  }
}

/* list(mean, sd, min, max, missing) of the columns of a double matrix,
 * over all its rows (rows = NULL) or the rows numbered (1-based) in
 * `rows`, so that a class needs no copy of its rows.  Columns are shared
 * among `threads` (as sg_threads_for() allows), each computed whole by
 * one thread: the same values whatever the threads.  Not on Windows, where
 * OpenMP's worker threads can start with the x87 unit at double (53-bit)
 * precision, which would change the long double sums on their columns. */
SEXP ffi_stats_columns(SEXP x, SEXP rows, SEXP threads) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  int *idx = NULL;
  R_xlen_t m = n;
  if (!Rf_isNull(rows)) {
    if (!Rf_isInteger(rows)) Rf_error("`rows` must be NULL or an integer vector.");
    m = XLENGTH(rows);
    const int *r = INTEGER_RO(rows);
    idx = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
    for (R_xlen_t i = 0; i < m; i++) {
      if (r[i] == NA_INTEGER || r[i] < 1 || r[i] > n)
        Rf_error("`rows` must hold row numbers from 1 to %.0f.", (double) n);
      idx[i] = r[i] - 1;
    }
  }
  const char *names[] = {"mean", "sd", "min", "max", "missing"};
  SEXP vals[5];
  double *p[5];
  for (int i = 0; i < 5; i++) {
    vals[i] = PROTECT(Rf_allocVector(REALSXP, d)); nprot++;
    p[i] = REAL(vals[i]);
  }
  SEXP out = PROTECT(sg_named_list(5, vals, names)); nprot++;
  int req = sg_int_scalar(threads, "threads");
  /* about three passes over each value */
  int nth = sg_threads_for(req, 3.0 * (double) m * (double) d);
  if (nth > d) nth = d > 0 ? d : 1;
  const double *xv = REAL_RO(x);
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
  for (int j = 0; j < d; j++)
    sg_column_stats(xv + (R_xlen_t) j * n, n, 1, idx, m, p[0] + j, p[1] + j,
                    p[2] + j, p[3] + j, p[4] + j);
  (void) nth;
  UNPROTECT(nprot);
  return out;
}

/* A logical per row of `values`: TRUE where a value breaks its column's
 * bounds (lower, upper: one per column; NA values never do). */
SEXP ffi_stats_outside(SEXP values, SEXP lower, SEXP upper) {
  int nprot = 0;
  sg_check_double_matrix(values, "values");
  R_xlen_t m = Rf_nrows(values);
  int d = Rf_ncols(values);
  if (!Rf_isReal(lower) || !Rf_isReal(upper) || XLENGTH(lower) != d ||
      XLENGTH(upper) != d)
    Rf_error("`lower` and `upper` must be double vectors, one per column.");
  SEXP out = PROTECT(Rf_allocVector(LGLSXP, m)); nprot++;
  sg_rows_outside(REAL_RO(values), m, d, REAL_RO(lower), REAL_RO(upper),
                  LOGICAL(out));
  UNPROTECT(nprot);
  return out;
}

/* ---- Quantiles from sorted values (the record's input summary) -------
 * Per column, the 101 quantiles at 0, 0.01, ..., 1 as R's quantile(type
 * = 7) gives them, and the count of values between consecutive ones. The
 * column's values are sorted (sg_sort_values(), the KS statistics' sort:
 * by counting, insertion or radix, linear in the rows from a few dozen),
 * which costs a fraction of placing 202 order statistics one quickselect
 * at a time. */

#define SG_NQ 101

/* One column's n values (NA/NaN skipped, counted in *missing): quantiles
 * q[0..100] and counts[0..99], counts[b] the values v with b = number of
 * q[1..99] strictly below v (the first bin [min, q1], then (q_b, q_b+1]).
 * With no value the quantiles are NA and the counts 0.  buf: n doubles;
 * w: sg_sort_scratch()'s for n values. */
void sg_column_quantiles(const double *v, R_xlen_t n, double *buf, const sg_sort_work *w,
                         double *q, double *counts, double *missing) {
  R_xlen_t m = sg_gather_values(v, NULL, n, buf);
  sg_sort_values(buf, m, w);
  *missing = (double) (n - m);
  for (int b = 0; b < SG_NQ - 1; b++) counts[b] = 0;
  if (m == 0) {
    for (int i = 0; i < SG_NQ; i++) q[i] = NA_REAL;
    return;
  }
  /* as quantile.default(type = 7): index = 1 + (m - 1) p, its floor and
   * ceiling (1-based), from the sorted values; index >= 1, so its floor is
   * its integer part */
  for (int i = 0; i < SG_NQ; i++) {
    double p = (double) i / 100.0;
    double index = 1 + (double) (m - 1) * p;
    R_xlen_t fl = (R_xlen_t) index;
    R_xlen_t lo = fl - 1, hi = fl - 1 + (index > (double) fl);
    double x = buf[lo], y = buf[hi];
    double h = index - (double) (lo + 1);
    q[i] = (h > 0 && y != x) ? (1 - h) * x + h * y : x;
  }
  /* the values <= each inner cut: the first position holding a larger
   * one, as differences of consecutive cuts. A cut at or above the one
   * before starts from that one's position (every value before it is at
   * most the earlier cut), with a few steps first, as consecutive cuts
   * are often a few values apart, then a binary search */
  double below_prev = 0;
  R_xlen_t prev = 0;
  for (int i = 1; i < SG_NQ - 1; i++) {
    double c = q[i];
    R_xlen_t a = (i > 1 && c >= q[i - 1]) ? prev : 0, b = m;
    int steps = 0;
    while (a < b && steps < 8 && buf[a] <= c) {
      a++;
      steps++;
    }
    if (steps == 8) {
      while (a < b) {
        R_xlen_t mid = a + (b - a) / 2;
        if (buf[mid] <= c) a = mid + 1; else b = mid;
      }
    }
    counts[i - 1] = (double) a - below_prev;
    below_prev = (double) a;
    prev = a;
  }
  counts[SG_NQ - 2] = (double) m - below_prev;
}

/* list(quantiles = 101 x d, counts = 100 x d, missing = d) of the columns
 * of a double matrix; columns shared among `threads`. */
SEXP ffi_stats_quantiles(SEXP x, SEXP threads) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  int req = sg_int_scalar(threads, "threads");
  SEXP q = PROTECT(Rf_allocMatrix(REALSXP, SG_NQ, d)); nprot++;
  SEXP counts = PROTECT(Rf_allocMatrix(REALSXP, SG_NQ - 1, d)); nprot++;
  SEXP missing = PROTECT(Rf_allocVector(REALSXP, d)); nprot++;
  int nth = sg_threads_for(req, 10.0 * (double) n * (double) d);
  if (nth > d) nth = d > 0 ? d : 1;
  size_t n1 = (size_t) (n > 0 ? n : 1);
  double *buf = (double *) R_alloc(n1 * (size_t) nth, sizeof(double));
  sg_sort_work *sw = sg_sort_scratch(n, nth);
  const double *xv = REAL_RO(x);
  double *qv = REAL(q), *cv = REAL(counts), *mv = REAL(missing);
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
  for (int j = 0; j < d; j++) {
    int t = omp_get_thread_num();
    sg_column_quantiles(xv + (R_xlen_t) j * n, n, buf + (R_xlen_t) t * n, sw + t, qv + (R_xlen_t) j * SG_NQ, cv + (R_xlen_t) j * (SG_NQ - 1), mv + j);
  }
  const char *names[] = {"quantiles", "counts", "missing"};
  SEXP vals[3] = {q, counts, missing};
  SEXP out = PROTECT(sg_named_list(3, vals, names)); nprot++;
  UNPROTECT(nprot);
  return out;
}

/* ---------------------------------------------------------------------
 * Two-sample Kolmogorov-Smirnov statistics (sg_diagnose(), the fidelity
 * check), one per column: each sample's values sorted (sg_sort_values():
 * insertion for a few, a radix sort on keys that order like the doubles
 * for more), then one walk over both, comparing the two distribution functions after the
 * last of each run of equal values.  The same divisions as R's
 * cumsum(...) / n, so the same bits as the plain-R statistic. */

/* A key that orders like the double (NaN excluded; -0 taken as 0). */
static inline uint64_t sg_order_key(double x) {
  uint64_t u;
  if (x == 0.0) x = 0.0;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

/* n keys sorted in place by insertion (a few, or nearly in order) */
static void sg_insertion_keys(uint64_t *v, R_xlen_t n) {
  for (R_xlen_t i = 1; i < n; i++) {
    uint64_t x = v[i];
    R_xlen_t j = i;
    for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
    v[j] = x;
  }
}

static void sg_radix_runs(uint64_t *v, uint64_t *tmp, R_xlen_t n, int cut, int bits,
                          R_xlen_t *count);

/* Sorts the n keys v in place (tmp: n more) by digits of `bits` bits:
 * only digit positions that are not the same in every key count (found
 * from the keys' bitwise and and or; the others would leave the order as
 * it is).  With at most SG_RADIX_TOP of them, one pass per position, least
 * significant first.  With more, the passes sort by the SG_RADIX_TOP most
 * significant ones only, which leaves keys in runs that agree on every bit
 * above the last of them: of measured values, runs of one or two keys.
 * Each run is then sorted on its own, by insertion when it is short, else
 * by this sort (which finds the run's upper digits all the same).  The
 * sorted keys are the same either way.  count: ceil(64 / bits) x 2^bits
 * counters.  Inlined at each call with a constant `bits`: 8 for a few
 * hundred keys, whose 256 counters a pass are cheap to clear, 11 for many. */
#define SG_RADIX_TOP 3
static SG_ALWAYS_INLINE void sg_radix_sort(uint64_t *v, uint64_t *tmp, R_xlen_t n,
                                           int bits, R_xlen_t *count) {
  const int size = 1 << bits;
  const uint64_t mask = (uint64_t) size - 1;
  uint64_t all = ~(uint64_t) 0, any = 0;
  for (R_xlen_t i = 0; i < n; i++) {
    all &= v[i];
    any |= v[i];
  }
  int shift[8], passes = 0;
  for (int at = 0; at < 64; at += bits)
    if (((all ^ any) >> at) & mask) shift[passes++] = at;
  /* the lowest position sorted by the passes below */
  int first = passes > SG_RADIX_TOP ? passes - SG_RADIX_TOP : 0;
  int used = passes - first;
  for (int p = 0; p < used * size; p++) count[p] = 0;
  for (R_xlen_t i = 0; i < n; i++)
    for (int p = 0; p < used; p++) count[p * size + ((v[i] >> shift[first + p]) & mask)]++;
  uint64_t *src = v, *dst = tmp;
  for (int p = 0; p < used; p++) {
    R_xlen_t *c = count + p * size, pos = 0;
    const int sh = shift[first + p];
    for (int b = 0; b < size; b++) {
      R_xlen_t k = c[b];
      c[b] = pos;
      pos += k;
    }
    for (R_xlen_t i = 0; i < n; i++) dst[c[(src[i] >> sh) & mask]++] = src[i];
    uint64_t *s = src;
    src = dst;
    dst = s;
  }
  if (src != v) memcpy(v, src, (size_t) n * sizeof(uint64_t));
  if (first > 0) sg_radix_runs(v, tmp, n, shift[first], bits, count);
}

/* The runs of sorted keys equal above bit `cut`, each sorted on its own
 * (in sg_radix_sort(), with its digits). */
#define SG_RADIX_RUN 64
static void sg_radix_runs(uint64_t *v, uint64_t *tmp, R_xlen_t n, int cut, int bits,
                          R_xlen_t *count) {
  for (R_xlen_t i = 0; i < n;) {
    R_xlen_t j = i + 1;
    const uint64_t hi = v[i] >> cut;
    while (j < n && (v[j] >> cut) == hi) j++;
    if (j - i >= SG_RADIX_RUN) {
      if (bits == 8) sg_radix_sort(v + i, tmp, j - i, 8, count);
      else sg_radix_sort(v + i, tmp, j - i, SG_RADIX_WIDE, count);
    } else if (j - i > 1) {
      sg_insertion_keys(v + i, j - i);
    }
    i = j;
  }
}

/* the double of an order key (sg_order_key(): NaN never, -0 as 0) */
static inline double sg_key_value(uint64_t u) {
  u = (u >> 63) ? (u & 0x7fffffffffffffffULL) : ~u;
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* The non-missing values of x[0..n) (rows != NULL: of x[rows[0..n)]), in
 * that order, into out; returns their number. */
R_xlen_t sg_gather_values(const double *x, const int *rows, R_xlen_t n,
                          double *out) {
  R_xlen_t m = 0;
  if (rows) {
    for (R_xlen_t i = 0; i < n; i++) {
      double v = x[rows[i]];
      if (!ISNAN(v)) out[m++] = v;
    }
  } else {
    for (R_xlen_t i = 0; i < n; i++) if (!ISNAN(x[i])) out[m++] = x[i];
  }
  return m;
}

/* Whole numbers within a span of SG_COUNT_SPAN (scores, codes, counts:
 * the usual integer columns, and their rounded synthetic values) sorted by
 * counting them: one pass to find the range, one to check and count, one
 * to write. Equal whole numbers are the same bits, so the sorted values
 * are those of any other sort; a -0 is left to the other sorts (insertion
 * keeps it, the radix sort makes it 0). Returns 0, v untouched, when a
 * value is not such a number (the first one, for most measured columns). */
#define SG_COUNT_SPAN 256
#define SG_WHOLE_MAX 4503599627370496.0 /* 2^52: casts defined, x - lo exact */
static int sg_count_sort(double *v, R_xlen_t m) {
  if (m < 2) return 1;
  /* most measured columns fail on the first value */
  if (!(fabs(v[0]) < SG_WHOLE_MAX) || v[0] != (double) (int64_t) v[0]) return 0;
  double lo = v[0], hi = v[0];
  for (R_xlen_t i = 1; i < m; i++) {
    double x = v[i];
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  /* (an infinite value fails here: hi - lo is not below the span) */
  if (!(hi - lo < SG_COUNT_SPAN) || !(fabs(lo) < SG_WHOLE_MAX) ||
      !(fabs(hi) < SG_WHOLE_MAX) || lo != (double) (int64_t) lo) return 0;
  int span = (int) (hi - lo) + 1;
  R_xlen_t count[SG_COUNT_SPAN];
  for (int b = 0; b < span; b++) count[b] = 0;
  /* x - lo may round (x = 5 + 4e-15, lo = -100 gives 105 exactly), so
   * a value counts as whole only when lo + k gives it back: lo + k is
   * exact for a whole lo below 2^52 and k < SG_COUNT_SPAN */
  for (R_xlen_t i = 0; i < m; i++) {
    double x = v[i], off = x - lo;
    int k = (int) off;
    if ((double) k != off || lo + (double) k != x || (x == 0.0 && signbit(x)))
      return 0;
    count[k]++;
  }
  R_xlen_t at = 0;
  for (int b = 0; b < span; b++) {
    double x = lo + (double) b;
    for (R_xlen_t k = count[b]; k > 0; k--) v[at++] = x;
  }
  return 1;
}

/* Sorts m values (no NaN) in place, by the cheapest of four ways for
 * their kind and number: whole numbers of a short range by counting
 * (sg_count_sort()); fewer than SG_INSERT_MAX by insertion; more by the
 * radix sort of their order keys (w: sg_sort_scratch()'s for at least m
 * values), in bytes below
 * SG_RADIX_MIN values and 11-bit digits from there.  A comparison sort's
 * branches go either way at random on values in random order, and their
 * mispredictions cost more than the radix sort's passes from a few dozen
 * values.  The insertion keeps a -0; the radix sort makes it 0 (either
 * way the values are the same numbers, in the same order). */
#define SG_INSERT_MAX 64
void sg_sort_values(double *v, R_xlen_t m, const sg_sort_work *w) {
  if (sg_count_sort(v, m)) return;
  if (m < SG_INSERT_MAX) {
    for (R_xlen_t i = 1; i < m; i++) {
      double x = v[i];
      R_xlen_t j = i;
      for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
      v[j] = x;
    }
    return;
  }
  uint64_t *keys = w->keys;
  for (R_xlen_t i = 0; i < m; i++) keys[i] = sg_order_key(v[i]);
  if (m < SG_RADIX_MIN) {
    R_xlen_t bytes[8 * 256];
    sg_radix_sort(keys, keys + m, m, 8, bytes);
  } else {
    sg_radix_sort(keys, keys + m, m, SG_RADIX_WIDE, w->count);
  }
  for (R_xlen_t i = 0; i < m; i++) v[i] = sg_key_value(keys[i]);
}

/* sg_sort_values()'s scratch for up to m values, `copies` times over (one
 * per thread, copy t for thread t): 2 m keys each, and the 11-bit sort's
 * counters only where m reaches SG_RADIX_MIN (NULL below: an allocation
 * of their size costs more than a small table's whole check). */
sg_sort_work *sg_sort_scratch(R_xlen_t m, int copies) {
  size_t m1 = (size_t) (m > 0 ? m : 1);
  sg_sort_work *w = (sg_sort_work *) R_alloc((size_t) copies, sizeof(sg_sort_work));
  uint64_t *keys = (uint64_t *) R_alloc(2 * m1 * (size_t) copies, sizeof(uint64_t));
  R_xlen_t *count = m >= SG_RADIX_MIN
    ? (R_xlen_t *) R_alloc((size_t) SG_KS_COUNT * (size_t) copies, sizeof(R_xlen_t)) : NULL;
  for (int t = 0; t < copies; t++) {
    w[t].keys = keys + 2 * m1 * (size_t) t;
    w[t].count = count ? count + (size_t) SG_KS_COUNT * (size_t) t : NULL;
  }
  return w;
}

/* The KS statistic of two sorted samples (both non-empty, no NaN): the
 * largest gap between the distribution functions, read after the last of
 * each run of equal values (-0 and 0 are one value). Once one sample is
 * used up its function is 1 and the other's only rises towards it, so
 * the gap can only shrink: the walk stops there. */
double sg_ks_values(const double *a, R_xlen_t na, const double *b, R_xlen_t nb) {
  double stat = 0.0;
  R_xlen_t i = 0, k = 0;
  while (i < na && k < nb) {
    double v = a[i] <= b[k] ? a[i] : b[k];
    while (i < na && a[i] == v) i++;
    while (k < nb && b[k] == v) k++;
    double diff = fabs((double) i / (double) na - (double) k / (double) nb);
    if (diff > stat) stat = diff;
  }
  return stat;
}

/* real (nr x d) and syn (ns x d) doubles, NA allowed: the KS statistic of
 * each column (NA when a side has no values). */
SEXP ffi_metrics_ks(SEXP real, SEXP syn) {
  int nprot = 0;
  int d = sg_real_syn_columns(real, syn);
  R_xlen_t nr = Rf_nrows(real), ns = Rf_nrows(syn);
  R_xlen_t big = nr > ns ? nr : ns;
  double *a = (double *) R_alloc(nr > 0 ? nr : 1, sizeof(double));
  double *b = (double *) R_alloc(ns > 0 ? ns : 1, sizeof(double));
  sg_sort_work *sw = sg_sort_scratch(big, 1);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, d)); nprot++;
  double *o = REAL(out);
  for (int j = 0; j < d; j++) {
    R_xlen_t na = sg_gather_values(REAL_RO(real) + (R_xlen_t) j * nr, NULL, nr, a);
    R_xlen_t nb = sg_gather_values(REAL_RO(syn) + (R_xlen_t) j * ns, NULL, ns, b);
    sg_sort_values(a, na, sw);
    sg_sort_values(b, nb, sw);
    o[j] = na == 0 || nb == 0 ? NA_REAL : sg_ks_values(a, na, b, nb);
  }
  UNPROTECT(nprot);
  return out;
}
