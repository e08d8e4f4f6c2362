/* Exact k-NN for mixed, incomplete or Gower data: a plain brute force over a general
 * distance.  Numeric columns arrive standardised (Euclidean) or divided by
 * their range (Gower), NaN where missing; nominal columns as 1-based codes,
 * NA where missing, with a cost matrix per column (the SMOTE-NC penalty,
 * a 0/1 mismatch, or the value difference metric).  Only the columns
 * present in both rows count, and the total is rescaled by the share of
 * columns present (nan-Euclidean); no column in common gives Inf.
 *   metric 0: sqrt(q / q_ab * (sum of squared differences + costs))
 *   metric 1: (sum of absolute differences + costs) / q_ab
 * Rows are scanned in increasing order, so ties go to the smaller row
 * (sg_topk_insert()). */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <limits.h>

typedef struct {
  const double *num;   /* rows x dn, column-major */
  const int *codes;    /* rows x dc, column-major */
  R_xlen_t rows;
} sg_mixed_rows;

static double sg_mixed_dist(const sg_mixed_rows *a, R_xlen_t i,
                            const sg_mixed_rows *b, R_xlen_t j, int dn,
                            int dc, const double *const *cost,
                            const int *nlev, int metric) {
  double total = 0.0;
  int present = 0;
  for (int c = 0; c < dn; c++) {
    double u = a->num[i + (R_xlen_t) c * a->rows];
    double v = b->num[j + (R_xlen_t) c * b->rows];
    if (ISNAN(u) || ISNAN(v)) continue;
    double diff = u - v;
    total += metric == 0 ? diff * diff : fabs(diff);
    present++;
  }
  for (int c = 0; c < dc; c++) {
    int u = a->codes[i + (R_xlen_t) c * a->rows];
    int v = b->codes[j + (R_xlen_t) c * b->rows];
    if (u == NA_INTEGER || v == NA_INTEGER) continue;
    total += cost[c][(u - 1) + (R_xlen_t) (v - 1) * nlev[c]];
    present++;
  }
  if (present == 0) return R_PosInf;
  int q = dn + dc;
  if (metric == 0) return sqrt(total * ((double) q / present));
  return total / present;
}

/* The cost matrices, one square double matrix per nominal column, and
 * their sizes (nlev). */
static const double **sg_cost_arg(SEXP cost, int dc, int **nlev_out) {
  if (TYPEOF(cost) != VECSXP || XLENGTH(cost) != dc)
    Rf_error("`cost` must be a list of one matrix per nominal column.");
  const double **cst = (const double **) R_alloc(dc > 0 ? dc : 1, sizeof(double *));
  int *nlev = (int *) R_alloc(dc > 0 ? dc : 1, sizeof(int));
  for (int c = 0; c < dc; c++) {
    SEXP mc = VECTOR_ELT(cost, c);
    if (!Rf_isReal(mc) || !Rf_isMatrix(mc) || Rf_nrows(mc) != Rf_ncols(mc))
      Rf_error("Each `cost` element must be a square double matrix.");
    nlev[c] = Rf_nrows(mc);
    cst[c] = REAL_RO(mc);
  }
  *nlev_out = nlev;
  return cst;
}

/* Every code of cm (rows x dc) indexes its cost matrix. */
static void sg_mixed_codes_check(SEXP cm, int dc, const int *nlev) {
  R_xlen_t rows = Rf_nrows(cm);
  const int *cv = INTEGER_RO(cm);
  for (int c = 0; c < dc; c++)
    for (R_xlen_t i = 0; i < rows; i++) {
      int v = cv[i + (R_xlen_t) c * rows];
      if (v != NA_INTEGER && (v < 1 || v > nlev[c]))
        Rf_error("A nominal code is outside its cost matrix.");
    }
}

/* Every numeric value of nm is missing or within SG_MAX_ABS. */
static void sg_mixed_magnitude_check(SEXP nm) {
  const double *nv = REAL_RO(nm);
  for (R_xlen_t i = 0; i < XLENGTH(nm); i++)
    if (!ISNAN(nv[i]) && !(fabs(nv[i]) <= SG_MAX_ABS)) sg_magnitude_error();
}

/* The mixed data's distances and what they weigh. */
typedef struct {
  int dn, dc;
  const double *const *cost;
  const int *nlev;
  int metric;
} sg_mixed_metric;

/* What the search's rows read: ref, qry (ref itself with self), and each
 * thread's list of k. */
typedef struct {
  const sg_mixed_rows *ref, *qry;
  const sg_mixed_metric *mt;
  int kk, self;
  const int *excl;
  int *oi;
  double *od;
  double *bd_all;
  int *bi_all;
} sg_mixed_search;

/* Query row qi (a group of one): its k nearest rows of ref. */
static void sg_mixed_row(void *ctx, int tid, R_xlen_t qi, int nq) {
  const sg_mixed_search *ms = (const sg_mixed_search *) ctx;
  const sg_mixed_metric *mt = ms->mt;
  const int kk = ms->kk;
  const R_xlen_t n = ms->ref->rows, m = ms->qry->rows;
  double *bd = ms->bd_all + (size_t) kk * tid;
  int *bi = ms->bi_all + (size_t) kk * tid;
  (void) nq;
  for (int c = 0; c < kk; c++) { bd[c] = R_PosInf; bi[c] = -1; }
  R_xlen_t skip = sg_skip_row(ms->self, ms->excl, qi);
  int filled = 0;
  for (R_xlen_t r = 0; r < n; r++) {
    if (r == skip) continue;
    double dd = sg_mixed_dist(ms->qry, qi, ms->ref, r, mt->dn, mt->dc, mt->cost,
                              mt->nlev, mt->metric);
    /* the first k rows fill the list whatever their distance (Inf
     * included: rows with no column in common), so every query gets
     * k neighbours; later rows enter only when strictly nearer */
    sg_topk_offer(bd, bi, kk, &filled, dd, (int) r, 0);
  }
  for (int c = 0; c < kk; c++) {
    ms->oi[qi + (R_xlen_t) c * m] = bi[c] + 1;
    ms->od[qi + (R_xlen_t) c * m] = bd[c];
  }
}

/* The whole search: the k nearest rows of ref for each row of qry (with
 * self, qry is ref and each row skips itself); out m x k, column-major;
 * 1,024 queries between interrupt checks. */
static void sg_knn_mixed_search(const sg_mixed_rows *ref,
                                const sg_mixed_rows *qry,
                                const sg_mixed_metric *mt, int kk, int self,
                                const int *excl, int *oi, double *od,
                                int nth) {
  sg_mixed_search ms = {ref, qry, mt, kk, self, excl, oi, od,
                        (double *) R_alloc((size_t) kk * nth, sizeof(double)),
                        (int *) R_alloc((size_t) kk * nth, sizeof(int))};
  sg_for_groups(qry->rows, 1, 0.0, 1024, 1024, 16, sg_mixed_row, &ms, nth);
}

/* .Call entry: num (n x dn doubles, NaN missing) and codes (n x dc
 * integers, NA missing) the reference rows; qnum and qcodes the queries
 * (NULL: each row among the others); k; cost (one square matrix per
 * nominal column); metric (0 or 1, above); threads; exclude (as
 * ffi_knn_search()). */
SEXP ffi_knn_mixed(SEXP num, SEXP codes, SEXP qnum, SEXP qcodes, SEXP k,
                   SEXP cost, SEXP metric, SEXP threads, SEXP exclude) {
  int nprot = 0;
  if (!Rf_isReal(num) || !Rf_isMatrix(num) || !Rf_isInteger(codes) ||
      !Rf_isMatrix(codes))
    Rf_error("`num` must be a double matrix and `codes` an integer matrix.");
  R_xlen_t n = Rf_nrows(num);
  int dn = Rf_ncols(num), dc = Rf_ncols(codes);
  if (Rf_nrows(codes) != n) Rf_error("`num` and `codes` must have the same rows.");
  int self = Rf_isNull(qnum);
  R_xlen_t m = n;
  if (!self) {
    if (!Rf_isReal(qnum) || !Rf_isMatrix(qnum) || !Rf_isInteger(qcodes) ||
        !Rf_isMatrix(qcodes) || Rf_ncols(qnum) != dn ||
        Rf_ncols(qcodes) != dc || Rf_nrows(qcodes) != Rf_nrows(qnum))
      Rf_error("`qnum` and `qcodes` must match `num` and `codes`.");
    m = Rf_nrows(qnum);
  }
  if (n > INT_MAX || m > INT_MAX) Rf_error("More than %d rows is not supported.", INT_MAX);
  int *nlev;
  const double **cst = sg_cost_arg(cost, dc, &nlev);
  sg_mixed_codes_check(codes, dc, nlev);
  if (!self) sg_mixed_codes_check(qcodes, dc, nlev);
  sg_mixed_magnitude_check(num);
  if (!self) sg_mixed_magnitude_check(qnum);
  int met = sg_int_scalar(metric, "metric");
  if (met != 0 && met != 1) Rf_error("`metric` must be 0 or 1.");
  const int *excl = sg_exclude_arg(exclude, self, m, n);
  int kk = sg_k_arg(k, n, self || excl);
  int req = sg_int_scalar(threads, "threads");
  int nth = sg_threads_for(req, (double) n * m * (dn + dc + 1));

  sg_mixed_rows ref = {REAL_RO(num), INTEGER_RO(codes), n};
  sg_mixed_rows qry = self ? ref
    : (sg_mixed_rows) {REAL_RO(qnum), INTEGER_RO(qcodes), m};
  sg_mixed_metric mt = {dn, dc, cst, nlev, met};
  SEXP index = PROTECT(Rf_allocMatrix(INTSXP, (int) m, kk)); nprot++;
  SEXP dist = PROTECT(Rf_allocMatrix(REALSXP, (int) m, kk)); nprot++;
  sg_knn_mixed_search(&ref, &qry, &mt, kk, self, excl, INTEGER(index),
                      REAL(dist), nth);
  SEXP out = PROTECT(sg_knn_result(index, dist)); nprot++;
  UNPROTECT(nprot);
  return out;
}
