/* Hart's condensing loop (CNN) on numeric predictors, as R's condense()
 * runs it: the candidate rows are examined in order; one whose nearest
 * stored row is of another class joins the store, and every open
 * candidate's nearest stored row and distance are updated in place (a
 * nearer row, or an equally near one of a smaller row number, replaces
 * it); passes repeat from the first candidate until one adds no row.
 * Distances are the k-NN search's canonical ones (sg_sqdist_row() on the
 * centred and scaled values, columns of scale 0 left out, then sqrt), so
 * the rows that join are those of the search-per-row loop, in order. */
#include "smoteguard.h"
#include "knn.h"

/* joined[i] = 1 for each candidate i that joins the store.  xs: the m
 * candidates' values, row by row (dk each); cls: each candidate's class;
 * near_cls: the class of each one's nearest stored row, near: its row
 * number and dist its distance (updated in place); row: each candidate's
 * row number (for ties). */
static void sg_condense(const double *xs, R_xlen_t m, int dk, const int *cls,
                        const int *row, int *near, int *near_cls,
                        double *dist, int *joined, int nthreads) {
  int *open = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  R_xlen_t n_open = m;
  for (R_xlen_t i = 0; i < m; i++) joined[i] = 0;
  R_xlen_t from = 0;
  int added = 0;
  for (;;) {
    R_xlen_t j = -1;
    for (R_xlen_t i = from; i < m; i++) {
      if (!joined[i] && near_cls[i] != cls[i]) { j = i; break; }
    }
    if (j < 0) {
      if (!added) break;
      from = 0;
      added = 0;
      continue;
    }
    joined[j] = 1;
    added = 1;
    from = j + 1;
    n_open--;
    if (n_open == 0) break;
    R_xlen_t k = 0;
    for (R_xlen_t i = 0; i < m; i++) if (!joined[i]) open[k++] = (int) i;
    const double *a = xs + j * (R_xlen_t) dk;
    int r = row[j], c = cls[j];
    int nth = (double) n_open * dk < SG_MIN_PARALLEL_WORK ? 1 : nthreads;
    (void) nth;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
    for (R_xlen_t u = 0; u < n_open; u++) {
      R_xlen_t i = open[u];
      double d = sqrt(sg_sqdist_row(a, xs + i * (R_xlen_t) dk, dk));
      if (d < dist[i] || (d == dist[i] && r < near[i])) {
        near[i] = r;
        near_cls[i] = c;
        dist[i] = d;
      }
    }
  }
}

/* ffi_condense(x, center, scale, yi, cand, near, dist, threads): x the
 * n x d predictors (double matrix), center and scale NULL or one per
 * column, yi the n class codes, cand the candidates' row numbers, near
 * and dist each candidate's nearest stored row and its distance.  Returns
 * a logical per candidate: joined the store. */
SEXP ffi_condense(SEXP x, SEXP center, SEXP scale, SEXP yi, SEXP cand,
                  SEXP near, SEXP dist, SEXP threads) {
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  const double *cen = NULL, *sc = NULL;
  sg_center_scale_args(center, scale, d, 1, &cen, &sc);
  if (!Rf_isInteger(yi) || XLENGTH(yi) != n)
    Rf_error("`yi` must be an integer vector, one per row of `x`.");
  if (!Rf_isInteger(cand)) Rf_error("`cand` must be an integer vector.");
  R_xlen_t m = XLENGTH(cand);
  if (!Rf_isInteger(near) || XLENGTH(near) != m)
    Rf_error("`near` must be an integer vector, one per candidate.");
  if (!Rf_isReal(dist) || XLENGTH(dist) != m)
    Rf_error("`dist` must be a double vector, one per candidate.");
  int req = sg_int_scalar(threads, "threads");
  const int *cv = INTEGER_RO(cand), *nv = INTEGER_RO(near), *yv = INTEGER_RO(yi);
  const double *dv = REAL_RO(dist);
  int *row = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  int *cls = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  int *nr = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  int *ncl = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  double *ds = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) {
    if (cv[i] == NA_INTEGER || cv[i] < 1 || cv[i] > n)
      Rf_error("`cand` must hold row numbers from 1 to %.0f.", (double) n);
    if (nv[i] == NA_INTEGER || nv[i] < 1 || nv[i] > n)
      Rf_error("`near` must hold row numbers from 1 to %.0f.", (double) n);
    if (ISNAN(dv[i])) Rf_error("`dist` must not contain NA or NaN.");
    row[i] = cv[i];
    cls[i] = yv[cv[i] - 1];
    nr[i] = nv[i];
    ncl[i] = yv[nv[i] - 1];
    ds[i] = dv[i];
  }
  int *cols = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  int dk = 0;
  for (int j = 0; j < d; j++) if (!sc || sc[j] > 0) cols[dk++] = j;
  /* the candidates' values as the search scales them, row by row */
  double *xs = (double *) R_alloc(m * dk > 0 ? m * (R_xlen_t) dk : 1, sizeof(double));
  const double *xv = REAL_RO(x);
  for (int jj = 0; jj < dk; jj++) {
    int j = cols[jj];
    double c = cen ? cen[j] : 0.0, s = sc ? sc[j] : 1.0;
    const double *col = xv + (R_xlen_t) j * n;
    for (R_xlen_t i = 0; i < m; i++) {
      double v = (col[row[i] - 1] - c) / s;
      if (!R_FINITE(v)) Rf_error("`x` must be finite on the candidates' rows.");
      xs[i * dk + jj] = v;
    }
  }
  /* the count a large update may use; each update decides by its size */
  int nth = sg_threads_for(req, SG_MIN_PARALLEL_WORK);
  SEXP out = PROTECT(Rf_allocVector(LGLSXP, m));
  sg_condense(xs, m, dk, cls, row, nr, ncl, ds, LOGICAL(out), nth);
  UNPROTECT(1);
  return out;
}
