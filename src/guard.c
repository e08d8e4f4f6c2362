/* The guard's filters: which parent-neighbour pairs may be used (gap cap,
 * groups) and whether a candidate row intrudes into another class. */
#include "smoteguard.h"
#include "topk.h"
#include <limits.h>
#include <float.h>
#include <string.h>

/* For each of the p parents pa (data rows) the first k of its kq
 * neighbours ix (with distances dv, p x kq) that are not of its group
 * (gr: one code per data row, or NULL), NA where farther than md: oi
 * (p x k); the pairs removed by the cap and by the groups are counted. */
void sg_pairs_keep(const int *ix, const double *dv, const int *pa,
                   const int *gr, int p, int kq, int kk, double md,
                   int *oi, double *removed) {
  double removed_gap = 0, removed_group = 0;
  for (int i = 0; i < p; i++) {
    int gp = gr ? gr[pa[i] - 1] : NA_INTEGER;
    int taken = 0;
    for (int c = 0; c < kq && taken < kk; c++) {
      int row = ix[i + (R_xlen_t) c * p];
      if (gp != NA_INTEGER && gr[row - 1] == gp) {
        removed_group++;
        continue;
      }
      double d = dv[i + (R_xlen_t) c * p];
      if (d > md) {
        oi[i + (R_xlen_t) taken * p] = NA_INTEGER;
        removed_gap++;
      } else {
        oi[i + (R_xlen_t) taken * p] = row;
      }
      taken++;
    }
    for (; taken < kk; taken++) oi[i + (R_xlen_t) taken * p] = NA_INTEGER;
  }
  removed[0] = removed_gap;
  removed[1] = removed_group;
}

/* From the kq nearest same-class rows of each of the p parents (index and
 * dist, p x kq, data rows), keep the first k that are not of the parent's
 * group (group: one code per data row, NA = no group; or NULL), then mark
 * as NA those farther than max_dist.  Returns list(index = p x k integer
 * with NA holes, removed_gap = pairs removed by the cap, removed_group =
 * pairs skipped for sharing a group). */
SEXP ffi_guard_pairs(SEXP index, SEXP dist, SEXP parents, SEXP group, SEXP k,
                     SEXP max_dist) {
  int nprot = 0;
  if (!Rf_isInteger(index) || !Rf_isMatrix(index) || !Rf_isReal(dist) ||
      !Rf_isMatrix(dist))
    Rf_error("`index` must be an integer matrix and `dist` a double matrix.");
  int p = Rf_nrows(index), kq = Rf_ncols(index);
  if (Rf_nrows(dist) != p || Rf_ncols(dist) != kq)
    Rf_error("`index` and `dist` must have the same shape.");
  if (!Rf_isInteger(parents) || XLENGTH(parents) != p)
    Rf_error("`parents` must be an integer vector, one per row of `index`.");
  int kk = sg_int_scalar(k, "k");
  if (kk == NA_INTEGER || kk < 1 || kk > kq)
    Rf_error("`k` must be from 1 to the columns of `index`.");
  double md = sg_num_scalar(max_dist, "max_dist");
  if (ISNAN(md)) Rf_error("`max_dist` must not be NA.");
  const int *gr = NULL;
  R_xlen_t ng = 0;
  if (!Rf_isNull(group)) {
    if (!Rf_isInteger(group)) Rf_error("`group` must be NULL or integer codes.");
    gr = INTEGER_RO(group);
    ng = XLENGTH(group);
  }
  const int *ix = INTEGER_RO(index), *pa = INTEGER_RO(parents);
  const double *dv = REAL_RO(dist);
  for (R_xlen_t i = 0; i < (R_xlen_t) p * kq; i++)
    if (ix[i] == NA_INTEGER || ix[i] < 1 || (gr && ix[i] > ng))
      Rf_error("`index` holds an invalid row number.");
  for (int i = 0; i < p; i++)
    if (pa[i] == NA_INTEGER || pa[i] < 1 || (gr && pa[i] > ng))
      Rf_error("`parents` holds an invalid row number.");

  SEXP out_index = PROTECT(Rf_allocMatrix(INTSXP, p, kk)); nprot++;
  double removed[2];
  sg_pairs_keep(ix, dv, pa, gr, p, kq, kk, md, INTEGER(out_index), removed);
  SEXP vals[3] = {out_index, NULL, NULL};
  vals[1] = PROTECT(Rf_ScalarReal(removed[0])); nprot++;
  vals[2] = PROTECT(Rf_ScalarReal(removed[1])); nprot++;
  const char *names[3] = {"index", "removed_gap", "removed_group"};
  SEXP out = PROTECT(sg_named_list(3, vals, names)); nprot++;
  UNPROTECT(nprot);
  return out;
}

/* The intrusion check, local form.  A candidate on the segment between
 * parent and neighbour has its nearest real rows almost always among the
 * parent's and the neighbour's own m nearest rows of the whole data (both
 * already known), so only those (and the two rows themselves) are
 * measured.  x: n x d real rows and cand: G x d candidates, both on the
 * data's scale (NaN where missing: nan-Euclidean distances), standardised
 * here by center and scale (length d; columns of scale 0 are left out, as
 * the k-NN search does); parent, neighbor: data rows (neighbor NA for a
 * copy); whole: r x m matrix of the m nearest data rows of the r class
 * rows; pos: for each data row its 1-based row in `whole` (0 if none); y:
 * class codes; cls: the class.  Returns, per candidate, the share of other
 * classes among its m nearest of those rows. */
/* The row numbers of the neighbourhoods, checked. */
static void sg_local_rows_make(sg_local_rows *lr, SEXP parent, SEXP neighbor,
                               SEXP whole, SEXP pos, SEXP y, SEXP cls,
                               R_xlen_t n, R_xlen_t G) {
  if (!Rf_isInteger(parent) || !Rf_isInteger(neighbor) ||
      XLENGTH(parent) != G || XLENGTH(neighbor) != G)
    Rf_error("`parent` and `neighbor` must be integer, one per candidate.");
  if (!Rf_isInteger(whole) || !Rf_isMatrix(whole))
    Rf_error("`whole` must be an integer matrix.");
  R_xlen_t r = Rf_nrows(whole);
  int m = Rf_ncols(whole);
  if (m < 1 || m > (INT_MAX - 2) / 2)
    Rf_error("`whole` must have from 1 to %d columns.", (INT_MAX - 2) / 2);
  if (!Rf_isInteger(pos) || XLENGTH(pos) != n || !Rf_isInteger(y) ||
      XLENGTH(y) != n)
    Rf_error("`pos` and `y` must be integer, one per row of `x`.");
  int cl = sg_int_scalar(cls, "cls");
  const int *pa = INTEGER_RO(parent), *ne = INTEGER_RO(neighbor);
  const int *wh = INTEGER_RO(whole), *po = INTEGER_RO(pos), *yv = INTEGER_RO(y);
  for (R_xlen_t i = 0; i < r * m; i++)
    if (wh[i] == NA_INTEGER || wh[i] < 1 || wh[i] > n)
      Rf_error("`whole` holds an invalid row number.");
  for (R_xlen_t i = 0; i < n; i++)
    if (po[i] == NA_INTEGER || po[i] < 0 || po[i] > r)
      Rf_error("`pos` holds an invalid row number.");
  for (R_xlen_t s = 0; s < G; s++) {
    if (pa[s] == NA_INTEGER || pa[s] < 1 || pa[s] > n || po[pa[s] - 1] == 0)
      Rf_error("`parent` must name rows of the class.");
    if (ne[s] != NA_INTEGER && (ne[s] < 1 || ne[s] > n || po[ne[s] - 1] == 0))
      Rf_error("`neighbor` must name rows of the class.");
  }
  sg_local_rows v = {pa, ne, wh, po, yv, n, r, m, cl};
  *lr = v;
}

/* NaN marks a missing value (skipped, as the nan-Euclidean distance
 * does); anything else must be finite (NaN compares false, an infinity is
 * above DBL_MAX). */
void sg_finite_or_missing(const double *v, R_xlen_t len) {
  int inf = 0;
  for (R_xlen_t i = 0; i < len; i++) inf |= fabs(v[i]) > DBL_MAX;
  if (inf) Rf_error("`x` and `cand` must be finite or NaN (missing).");
}

/* The columns of scale > 0 (the k-NN search leaves the others out) into
 * cols; returns their count. */
int sg_scaled_columns(const double *sca, int dx, int *cols) {
  int d = 0;
  for (int j = 0; j < dx; j++)
    if (sca[j] > 0) cols[d++] = j;
  return d;
}

/* The n rows of x (column-major) standardised as the k-NN search does,
 * (value - centre) / scale over the d columns cols, row-major: a
 * candidate's 2m + 2 real rows are then d contiguous values each, not d
 * scattered ones.  In tiles of rows for the cache. */
double *sg_rows_standardised(const double *xv, R_xlen_t n, const int *cols,
                             int d, const double *cen, const double *sca,
                             int nth) {
  double *zr = (double *) R_alloc(n * (R_xlen_t) d > 0 ? n * (R_xlen_t) d : 1,
                                  sizeof(double));
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
  for (R_xlen_t i0 = 0; i0 < n; i0 += 64) {
    R_xlen_t i1 = i0 + 64 < n ? i0 + 64 : n;
    for (int jj = 0; jj < d; jj++) {
      int j = cols[jj];
      const double *col = xv + (R_xlen_t) j * n;
      double c = cen[j], sc = sca[j];
      for (R_xlen_t i = i0; i < i1; i++) zr[i * d + jj] = (col[i] - c) / sc;
    }
  }
  return zr;
}

/* Candidates taken parent by parent (counting sort on the parent's
 * position in the class), so the parent's neighbourhood rows are read
 * from cache by its later candidates; the order changes no result. */
static const R_xlen_t *sg_by_parent(const sg_local_rows *lr, R_xlen_t G) {
  const int *po = lr->po, *pa = lr->pa;
  R_xlen_t r = lr->r;
  R_xlen_t *order = (R_xlen_t *) R_alloc(G > 0 ? G : 1, sizeof(R_xlen_t));
  R_xlen_t *start = (R_xlen_t *) R_alloc(r + 2, sizeof(R_xlen_t));
  for (R_xlen_t i = 0; i <= r + 1; i++) start[i] = 0;
  for (R_xlen_t s = 0; s < G; s++) start[po[pa[s] - 1] + 1]++;
  for (R_xlen_t i = 0; i <= r; i++) start[i + 1] += start[i];
  for (R_xlen_t s = 0; s < G; s++) order[start[po[pa[s] - 1]]++] = s;
  return order;
}

/* The nan-Euclidean squared distance of two rows of d values: only the
 * coordinates present in both, rescaled to d (Inf when none).  Complete
 * rows take the plain sum; a NaN in either row makes that sum NaN, and
 * only then are the coordinates sorted out, so both ways give one value. */
static double sg_nan_sqdist(const double *a, const double *b, int d) {
  double acc = 0;
  int j = 0;
  for (; j + 2 <= d; j += 2) {  /* two terms a step, still added in order */
    double d0 = a[j] - b[j], d1 = a[j + 1] - b[j + 1];
    acc += d0 * d0;
    acc += d1 * d1;
  }
  if (j < d) {
    double diff = a[j] - b[j];
    acc += diff * diff;
  }
  if (!ISNAN(acc)) return acc;
  acc = 0;
  int present = 0;
  for (int j = 0; j < d; j++) {
    if (ISNAN(a[j]) || ISNAN(b[j])) continue;
    double diff = a[j] - b[j];
    acc += diff * diff;
    present++;
  }
  return present == 0 ? R_PosInf
    : (present == d ? acc : acc * ((double) d / present));
}

/* Candidate s (cr: its d standardised values): the share of other classes
 * among its m nearest of its parent's and neighbour's rows and their m
 * nearest rows each (rows: room for 2m + 2; bd, bi: for m; seen: one flag
 * per data row, all 0, and left so). */
static double sg_local_share(const sg_local_rows *lr, R_xlen_t s,
                             const double *zr, int d, const double *cr,
                             int *rows, double *bd, int *bi,
                             unsigned char *seen) {
  const int m = lr->m, cl = lr->cl;
  const int *po = lr->po, *wh = lr->wh, *yv = lr->yv;
  const R_xlen_t r = lr->r;
  int nr = 0;
  int ends[2] = {lr->pa[s], lr->ne[s]};
  for (int e = 0; e < 2; e++) {
    if (ends[e] == NA_INTEGER) continue;
    rows[nr++] = ends[e] - 1;
    R_xlen_t w = po[ends[e] - 1] - 1;
    for (int c = 0; c < m; c++) rows[nr++] = wh[w + (R_xlen_t) c * r] - 1;
  }
  int filled = 0;
  for (int t = 0; t < nr; t++) {
    int row = rows[t];
    if (seen[row]) continue;  /* in both neighbourhoods: measured once */
    seen[row] = 1;
    double acc = sg_nan_sqdist(zr + (R_xlen_t) row * d, cr, d);
    /* keep the m smallest, ties to the smaller row number */
    if (filled < m) sg_topk_place_lex(bd, bi, ++filled, acc, row);
    else sg_topk_insert_lex(bd, bi, m, acc, row);
  }
  for (int t = 0; t < nr; t++) seen[rows[t]] = 0;
  int other = 0;
  for (int c = 0; c < filled; c++) if (yv[bi[c]] != cl) other++;
  return filled > 0 ? (double) other / filled : 0.0;
}

/* The local intrusion shares ov of G candidates (lr: their ends and the
 * class's neighbourhoods; candidate s's value in column j is cv[sel[s] +
 * j * ldc], sel NULL for s), from the real rows zr standardised over the d
 * columns cols (sg_rows_standardised()).  The candidates are taken parent
 * by parent (see sg_by_parent()); nth threads, the same shares for any. */
void sg_local_shares(const sg_local_rows *lr, const double *zr, int d,
                     const int *cols, const double *cen, const double *sca,
                     const double *cv, R_xlen_t ldc, const R_xlen_t *sel,
                     R_xlen_t G, double *ov, int nth) {
  const int m = lr->m;
  const R_xlen_t *order = sg_by_parent(lr, G);
  int width = 2 * m + 2;
  double *cr_all = (double *) R_alloc((size_t) (d > 0 ? d : 1) * nth, sizeof(double));
  int *rows_all = (int *) R_alloc((size_t) width * nth, sizeof(int));
  double *bd_all = (double *) R_alloc((size_t) m * nth, sizeof(double));
  int *bi_all = (int *) R_alloc((size_t) m * nth, sizeof(int));
  size_t nseen = (size_t) (lr->n > 0 ? lr->n : 1);
  unsigned char *seen_all = (unsigned char *) R_alloc(nseen * nth, 1);
  memset(seen_all, 0, nseen * nth);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
  for (R_xlen_t o = 0; o < G; o++) {
    R_xlen_t s = order[o], at = sel ? sel[s] : s;
    int tid = omp_get_thread_num();
    double *cr = cr_all + (size_t) (d > 0 ? d : 1) * tid;
    for (int jj = 0; jj < d; jj++) {
      int j = cols[jj];
      cr[jj] = (cv[at + (R_xlen_t) j * ldc] - cen[j]) / sca[j];
    }
    ov[s] = sg_local_share(lr, s, zr, d, cr, rows_all + (size_t) width * tid,
                           bd_all + (size_t) m * tid, bi_all + (size_t) m * tid,
                           seen_all + nseen * tid);
  }
}

/* The threads for the local check of G candidates over n real rows: the
 * distance terms, weighted for their scattered reads, and the
 * standardisation of the real rows. */
int sg_local_threads(int req, R_xlen_t G, int m, int d, R_xlen_t n) {
  return sg_threads_for(req, (double) G * (2.0 * m + 2) * d * 8 + (double) n * d);
}

SEXP ffi_guard_intrusion(SEXP x, SEXP cand, SEXP center, SEXP scale,
                         SEXP parent, SEXP neighbor, SEXP whole, SEXP pos,
                         SEXP y, SEXP cls, SEXP threads) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  sg_check_double_matrix(cand, "cand");
  R_xlen_t n = Rf_nrows(x), G = Rf_nrows(cand);
  int dx = Rf_ncols(x);
  if (Rf_ncols(cand) != dx) Rf_error("`cand` must have the columns of `x`.");
  const double *cen, *sca;
  sg_center_scale_args(center, scale, dx, 0, &cen, &sca);
  int *cols = (int *) R_alloc(dx > 0 ? dx : 1, sizeof(int));
  int d = sg_scaled_columns(sca, dx, cols);
  sg_local_rows lr;
  sg_local_rows_make(&lr, parent, neighbor, whole, pos, y, cls, n, G);
  sg_finite_or_missing(REAL_RO(x), XLENGTH(x));
  sg_finite_or_missing(REAL_RO(cand), XLENGTH(cand));
  int nth = sg_local_threads(sg_int_scalar(threads, "threads"), G, lr.m, d, n);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, G)); nprot++;
  const double *zr = sg_rows_standardised(REAL_RO(x), n, cols, d, cen, sca, nth);
  sg_local_shares(&lr, zr, d, cols, cen, sca, REAL_RO(cand), G, NULL, G,
                  REAL(out), nth);
  UNPROTECT(nprot);
  return out;
}

/* The observed bounds of each class for the constraints: per class (rows:
 * a list of 1-based data rows) and numeric column of x, the minimum and
 * maximum of its values (sg_column_stats()), -Inf and Inf where it has
 * none.  Returns list(lower, upper), each d x classes. */
SEXP ffi_guard_bounds(SEXP x, SEXP rows) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  if (!Rf_isNewList(rows)) Rf_error("`rows` must be a list.");
  R_xlen_t n = Rf_nrows(x), C = XLENGTH(rows);
  int d = Rf_ncols(x);
  SEXP lower = PROTECT(Rf_allocMatrix(REALSXP, d, (int) C)); nprot++;
  SEXP upper = PROTECT(Rf_allocMatrix(REALSXP, d, (int) C)); nprot++;
  double *scratch = (double *) R_alloc(3 * (size_t) (d > 0 ? d : 1), sizeof(double));
  for (R_xlen_t c = 0; c < C; c++) {
    SEXP rc = VECTOR_ELT(rows, c);
    if (!Rf_isInteger(rc)) Rf_error("`rows[[%d]]` must be an integer vector.", (int) c + 1);
    R_xlen_t m = XLENGTH(rc);
    const int *r = INTEGER_RO(rc);
    int *r0 = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
    for (R_xlen_t i = 0; i < m; i++) {
      if (r[i] == NA_INTEGER || r[i] < 1 || r[i] > n)
        Rf_error("`rows[[%d]]` holds an invalid row number.", (int) c + 1);
      r0[i] = r[i] - 1;
    }
    double *lo = REAL(lower) + (R_xlen_t) c * d, *hi = REAL(upper) + (R_xlen_t) c * d;
    sg_column_stats(REAL_RO(x), n, d, r0, m, scratch, scratch + d, lo, hi, scratch + 2 * d);
    for (int j = 0; j < d; j++) {
      if (!R_FINITE(lo[j])) lo[j] = R_NegInf;
      if (!R_FINITE(hi[j])) hi[j] = R_PosInf;
    }
  }
  SEXP vals[2] = {lower, upper};
  const char *nms[2] = {"lower", "upper"};
  SEXP out = sg_named_list(2, vals, nms);
  UNPROTECT(nprot);
  return out;
}

/* The gap cap: quantile(x, prob, names = FALSE) of type 7 for one prob in
 * [0, 1], on the sorted values: (1 - h) x[lo] + h x[hi] at the fractional
 * index 1 + (n - 1) prob (the input summary's quantiles use the same
 * formula).  NA with no value; a missing value is refused, as by
 * quantile(). */
SEXP ffi_guard_cap(SEXP x, SEXP prob) {
  if (!Rf_isReal(x)) Rf_error("`x` must be a double vector.");
  double p = sg_num_scalar(prob, "prob");
  if (!(p >= 0 && p <= 1)) Rf_error("`prob` must be in [0, 1].");
  R_xlen_t n = XLENGTH(x);
  if (n == 0) return Rf_ScalarReal(NA_REAL);
  const double *v = REAL_RO(x);
  double *buf = (double *) R_alloc(n, sizeof(double));
  for (R_xlen_t i = 0; i < n; i++) {
    if (ISNAN(v[i])) Rf_error("missing values and NaN's not allowed if 'na.rm' is FALSE");
    buf[i] = v[i];
  }
  return Rf_ScalarReal(sg_quantile7(buf, n, p));
}

/* The type-7 quantile at prob p of the n >= 1 values buf (no NaN), which
 * it reorders (see ffi_guard_cap()).  Only the lo-th and the next value in
 * order are needed: a partial sort puts the lo-th in place, none after it
 * smaller, so the next is the least of those after it (as quantile()'s
 * partial sort). */
double sg_quantile7(double *buf, R_xlen_t n, double p) {
  double index = 1 + (double) (n - 1) * p;
  R_xlen_t lo = (R_xlen_t) floor(index);
  if (n <= INT_MAX) rPsort(buf, (int) n, (int) (lo - 1));
  else R_qsort(buf, 1, (size_t) n);
  double q = buf[lo - 1];
  if (index > (double) lo) {
    double next = buf[lo];
    for (R_xlen_t i = lo + 1; i < n; i++)
      if (buf[i] < next) next = buf[i];
    if (next != q) {
      double h = index - (double) lo;
      q = (1 - h) * q + h * next;
    }
  }
  return q;
}
