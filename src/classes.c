/* The pipeline's neighbourhoods of every class to raise, in one call
 * (generate()'s class_neighborhoods()): each class's own neighbours, its
 * pairs (the first k, less those the groups or the guard's gap cap remove),
 * the gap cap itself, and the whole-data neighbours of its rows.  The same
 * steps as the class-by-class path of class_pairs() (knn_rows(),
 * gap_quantile(), ffi_guard_pairs()), through the same workers
 * (sg_knn_search(), sg_quantile7(), sg_pairs_keep()), so the two give the
 * same values to the bit; on a table of several small classes this saves
 * some ten R calls and allocations per class.  Where the whole-data search
 * and the classes' own searches are all direct scans, one scan of the rows
 * serves them all (sg_knn_classes()), with the same bits. */
#include "smoteguard.h"
#include "knn.h"
#include <limits.h>

/* The rows of the n x d x listed in r (1-based), column-major p x d. */
static double *sg_rows_copy(const double *xv, R_xlen_t n, int d, const int *r,
                            R_xlen_t p) {
  double *sub = (double *) R_alloc((size_t) (p > 0 ? p : 1) * (d > 0 ? d : 1),
                                   sizeof(double));
  for (int j = 0; j < d; j++) {
    const double *col = xv + (R_xlen_t) j * n;
    double *sj = sub + (R_xlen_t) j * p;
    for (R_xlen_t i = 0; i < p; i++) sj[i] = col[r[i] - 1];
  }
  return sub;
}

/* One class's own search by sg_knn_search(): cs->k nearest of its rows. */
static void sg_class_own(const double *xv, R_xlen_t n, int d,
                         const double *cen, const double *sc,
                         sg_class_search *cs, int req) {
  const void *vmax = vmaxget();  /* the search's scratch, not its answer */
  int pc = cs->p;
  double *sub = sg_rows_copy(xv, n, d, cs->rows, pc);
  int nth = sg_threads_for(req, (double) pc * (double) pc * (double) (d > 0 ? d : 1));
  sg_knn_search(sub, pc, d, NULL, pc, cs->k, 1, NULL, cen, sc, 0, cs->index,
                cs->dist, nth);
  vmaxset(vmax);
}

/* One class's own neighbourhood (see ffi_classes_neighbors()) from its
 * search cs (the kq nearest rows of the class): its pairs, gap cap and
 * spacing; `whole` (or R_NilValue) its rows' whole-data neighbours. */
static SEXP sg_class_neighbors(sg_class_search *cs, int kc, const int *gr,
                               double prob, SEXP whole) {
  int nprot = 0;
  const void *vmax = vmaxget();
  const int *r = cs->rows;
  int pc = cs->p, kqc = cs->k;
  int *idx = cs->index;
  const double *dist = cs->dist;
  for (R_xlen_t t = 0; t < (R_xlen_t) pc * kqc; t++) idx[t] = r[idx[t] - 1];

  SEXP spacing = PROTECT(Rf_allocVector(REALSXP, pc)); nprot++;
  SEXP radius = PROTECT(Rf_allocVector(REALSXP, pc)); nprot++;
  for (int i = 0; i < pc; i++) {
    REAL(spacing)[i] = dist[i];
    REAL(radius)[i] = dist[i + (R_xlen_t) (kc - 1) * pc];
  }
  /* the cap: the quantile of the class's first k distances per row */
  double cap = R_PosInf;
  if (!ISNAN(prob)) {
    double *buf = (double *) R_alloc((size_t) pc * kc, sizeof(double));
    for (R_xlen_t t = 0; t < (R_xlen_t) pc * kc; t++) buf[t] = dist[t];
    cap = sg_quantile7(buf, (R_xlen_t) pc * kc, prob);
  }
  SEXP within = PROTECT(Rf_allocMatrix(INTSXP, pc, kc)); nprot++;
  double removed[2] = {0, 0};
  if (gr || R_FINITE(cap)) {
    sg_pairs_keep(idx, dist, r, gr, pc, kqc, kc, cap, INTEGER(within), removed);
  } else {
    for (R_xlen_t t = 0; t < (R_xlen_t) pc * kc; t++) INTEGER(within)[t] = idx[t];
  }
  SEXP k = PROTECT(Rf_ScalarInteger(kc)); nprot++;
  SEXP kv[3] = {k, spacing, radius};
  const char *kn[3] = {"k", "nearest", "radius"};
  SEXP known = PROTECT(sg_named_list(3, kv, kn)); nprot++;
  SEXP gap = PROTECT(Rf_ScalarReal(removed[0])); nprot++;
  SEXP group = PROTECT(Rf_ScalarReal(removed[1])); nprot++;
  SEXP capv = PROTECT(Rf_ScalarReal(cap)); nprot++;
  SEXP vals[8] = {k, spacing, known, within, gap, group, capv, whole};
  const char *nms[8] = {"k", "spacing", "known", "within", "pairs_gap",
                        "pairs_group", "cap", "whole"};
  SEXP out = sg_named_list(Rf_isNull(whole) ? 7 : 8, vals, nms);
  UNPROTECT(nprot);
  vmaxset(vmax);
  return out;
}

/* The checked classes' rows: their number, and the rows of all of them. */
static R_xlen_t sg_classes_rows_arg(SEXP rows, SEXP k, SEXP kq, R_xlen_t n) {
  if (!Rf_isNewList(rows) || !Rf_isInteger(k) || !Rf_isInteger(kq) ||
      XLENGTH(k) != XLENGTH(rows) || XLENGTH(kq) != XLENGTH(rows))
    Rf_error("`rows` must be a list and `k` and `kq` integer vectors of its length.");
  R_xlen_t C = XLENGTH(rows), total = 0;
  const int *kv = INTEGER_RO(k), *kqv = INTEGER_RO(kq);
  for (R_xlen_t c = 0; c < C; c++) {
    SEXP rc = VECTOR_ELT(rows, c);
    if (!Rf_isInteger(rc) || XLENGTH(rc) < 2)
      Rf_error("`rows[[%d]]` must be an integer vector of at least two rows.",
               (int) c + 1);
    const int *r = INTEGER_RO(rc);
    for (R_xlen_t i = 0; i < XLENGTH(rc); i++)
      if (r[i] == NA_INTEGER || r[i] < 1 || r[i] > n)
        Rf_error("`rows[[%d]]` holds an index outside 1..%d.", (int) c + 1,
                 (int) n);
    if (kqv[c] == NA_INTEGER || kqv[c] < 1 || kqv[c] > XLENGTH(rc) - 1 ||
        kv[c] == NA_INTEGER || kv[c] < 1 || kv[c] > kqv[c])
      Rf_error("`k[%d]` and `kq[%d]` must be 1 <= k <= kq <= the class's rows - 1.",
               (int) c + 1, (int) c + 1);
    total += XLENGTH(rc);
  }
  return total;
}

/* The m nearest data rows (1-based, a row never itself) of every row of
 * the classes, the classes' rows stacked in order: total x m. */
static void sg_classes_whole(const double *xv, R_xlen_t n, int d,
                             const double *cen, const double *sc, SEXP rows,
                             R_xlen_t total, int m, int *idx, int req) {
  int *q = (int *) R_alloc(total, sizeof(int));
  R_xlen_t at = 0;
  for (R_xlen_t c = 0; c < XLENGTH(rows); c++) {
    SEXP rc = VECTOR_ELT(rows, c);
    for (R_xlen_t i = 0; i < XLENGTH(rc); i++) q[at++] = INTEGER_RO(rc)[i];
  }
  double *qx = sg_rows_copy(xv, n, d, q, total);
  double *dist = (double *) R_alloc((size_t) total * m, sizeof(double));
  int nth = sg_threads_for(req, (double) n * (double) total * (double) (d > 0 ? d : 1));
  sg_knn_search(xv, n, d, qx, total, m, 0, q, cen, sc, 0, idx, dist, nth);
}

/* Every class's own search (cls, one per class of rows: its rows and kq),
 * and with m > 0 the whole-data search of their rows (whole: total x m);
 * in one scan where sg_knn_classes() takes them, else one by one. */
static sg_class_search *sg_classes_search(const double *xv, R_xlen_t n, int d,
                                          const double *cen, const double *sc,
                                          SEXP rows, SEXP kq, R_xlen_t total,
                                          int m, int *whole, int req) {
  int C = (int) XLENGTH(rows);
  sg_class_search *cls = (sg_class_search *) R_alloc(C > 0 ? C : 1, sizeof(sg_class_search));
  for (int c = 0; c < C; c++) {
    SEXP rc = VECTOR_ELT(rows, c);
    sg_class_search *cs = cls + c;
    cs->rows = INTEGER_RO(rc);
    cs->p = (int) XLENGTH(rc);
    cs->k = INTEGER_RO(kq)[c];
    cs->index = (int *) R_alloc((size_t) cs->p * cs->k, sizeof(int));
    cs->dist = (double *) R_alloc((size_t) cs->p * cs->k, sizeof(double));
  }
  if (m > 0 && sg_knn_classes(xv, n, d, cen, sc, cls, C, m, whole, req)) return cls;
  if (m > 0) sg_classes_whole(xv, n, d, cen, sc, rows, total, m, whole, req);
  for (int c = 0; c < C; c++) sg_class_own(xv, n, d, cen, sc, cls + c, req);
  return cls;
}

/* .Call entry: x (n x d double matrix, finite), center and scale (length d;
 * a scale of 0 leaves a column out); rows: a list, per class its data rows
 * (1-based, at least two); k and kq: per class the pairs it uses and the
 * neighbours its search finds (1 <= k <= kq <= rows - 1; kq > k when
 * groups remove some); group: NULL or one integer code per data row (NA:
 * no group); max_gap: the gap cap's quantile in [0, 1], NA for no cap; m:
 * the whole-data neighbours of each class row (0: none); threads.
 * Returns per class list(k, spacing (each row's nearest own-class
 * distance), known = list(k, nearest, radius (the k-th distance)),
 * within (rows x k data rows, NA where a pair was removed), pairs_gap,
 * pairs_group (pairs removed), cap (Inf: none), whole = list(index = rows
 * x m data rows), the last only when m > 0). */
SEXP ffi_classes_neighbors(SEXP x, SEXP center, SEXP scale, SEXP rows,
                           SEXP k, SEXP kq, SEXP group, SEXP max_gap, SEXP m,
                           SEXP threads) {
  int nprot = 0;
  sg_check_rows(x, "x", -1);
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  if (n > INT_MAX) Rf_error("More than %d rows is not supported.", INT_MAX);
  const double *cen, *sc;
  sg_center_scale_args(center, scale, d, 1, &cen, &sc);
  R_xlen_t total = sg_classes_rows_arg(rows, k, kq, n);
  const int *gr = NULL;
  if (!Rf_isNull(group)) {
    if (!Rf_isInteger(group) || XLENGTH(group) != n)
      Rf_error("`group` must be NULL or one integer code per row of `x`.");
    gr = INTEGER_RO(group);
  }
  double prob = sg_num_scalar(max_gap, "max_gap");
  if (!ISNAN(prob) && !(prob >= 0 && prob <= 1))
    Rf_error("`max_gap` must be NA or in [0, 1].");
  int mm = sg_int_scalar(m, "m");
  if (mm == NA_INTEGER || mm < 0 || mm > n - 1)
    Rf_error("`m` must be from 0 to the rows of `x` - 1.");
  int req = sg_int_scalar(threads, "threads");

  const double *xv = REAL_RO(x);
  R_xlen_t C = XLENGTH(rows);
  int *whole = mm > 0 && total > 0
    ? (int *) R_alloc((size_t) total * mm, sizeof(int)) : NULL;
  sg_class_search *cls = sg_classes_search(xv, n, d, cen, sc, rows, kq, total,
                                           whole ? mm : 0, whole, req);
  SEXP out = PROTECT(Rf_allocVector(VECSXP, C)); nprot++;
  R_xlen_t at = 0;
  for (R_xlen_t c = 0; c < C; c++) {
    SEXP rc = VECTOR_ELT(rows, c);
    int pc = (int) XLENGTH(rc);
    SEXP wl = R_NilValue;
    if (whole) {
      SEXP wi = PROTECT(Rf_allocMatrix(INTSXP, pc, mm));
      for (int j = 0; j < mm; j++)
        for (int i = 0; i < pc; i++)
          INTEGER(wi)[i + (R_xlen_t) j * pc] = whole[at + i + (R_xlen_t) j * total];
      const char *wn[1] = {"index"};
      wl = sg_named_list(1, &wi, wn);
      UNPROTECT(1);
    }
    PROTECT(wl);
    SET_VECTOR_ELT(out, c, sg_class_neighbors(cls + c, INTEGER_RO(k)[c], gr, prob, wl));
    UNPROTECT(1);
    at += pc;
  }
  UNPROTECT(nprot);
  return out;
}
