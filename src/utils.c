/* What the entry points share: the argument checks (each stops with an
 * error naming the argument) and the one builder of named lists. */
#include "smoteguard.h"
#include <limits.h>

/* A length-one integer or whole double, else an error naming `what`.
 * NA is returned as NA_INTEGER for the caller to judge. */
int sg_int_scalar(SEXP x, const char *what) {
  if (Rf_isInteger(x) && XLENGTH(x) == 1) return INTEGER_RO(x)[0];
  if (Rf_isReal(x) && XLENGTH(x) == 1) {
    double v = REAL_RO(x)[0];
    if (ISNAN(v)) return NA_INTEGER;
    if (v != floor(v) || v > INT_MAX || v < -INT_MAX)
      Rf_error("`%s` must be a whole number.", what);
    return (int) v;
  }
  Rf_error("`%s` must be a single number.", what);
  return 0; /* not reached */
}

double sg_num_scalar(SEXP x, const char *what) {
  if (Rf_isInteger(x) && XLENGTH(x) == 1) {
    int v = INTEGER_RO(x)[0];
    return v == NA_INTEGER ? NA_REAL : (double) v;
  }
  if (Rf_isReal(x) && XLENGTH(x) == 1) return REAL_RO(x)[0];
  Rf_error("`%s` must be a single number.", what);
  return 0; /* not reached */
}

void sg_check_double_matrix(SEXP x, const char *what) {
  if (!Rf_isReal(x) || !Rf_isMatrix(x))
    Rf_error("`%s` must be a double matrix.", what);
}

/* A double matrix of rows to measure: d columns (d < 0: any), every value
 * finite. */
void sg_check_rows(SEXP x, const char *what, int d) {
  sg_check_double_matrix(x, what);
  if (d >= 0 && Rf_ncols(x) != d)
    Rf_error("`%s` must have %d columns.", what, d);
  if (!sg_all_finite(REAL_RO(x), XLENGTH(x)))
    Rf_error("`%s` must not contain NA, NaN or Inf.", what);
}

/* A double matrix of rows to measure, with at least one column and every
 * value finite: its columns. */
int sg_rows_arg(SEXP x, const char *what) {
  sg_check_double_matrix(x, what);
  int d = Rf_ncols(x);
  if (d < 1) Rf_error("`%s` must have at least one column.", what);
  sg_check_rows(x, what, d);
  return d;
}

/* The columns of two double matrices of real and synthetic rows, checked
 * to be the same number. */
int sg_real_syn_columns(SEXP real, SEXP syn) {
  if (!Rf_isReal(real) || !Rf_isMatrix(real) || !Rf_isReal(syn) ||
      !Rf_isMatrix(syn))
    Rf_error("`real` and `syn` must be double matrices.");
  int p = Rf_ncols(real);
  if (Rf_ncols(syn) != p) Rf_error("`real` and `syn` must have the same columns.");
  return p;
}

/* The rows of a k-NN search's query matrix (m x d doubles). */
R_xlen_t sg_query_arg(SEXP query, int d) {
  if (!Rf_isReal(query) || !Rf_isMatrix(query))
    Rf_error("`query` must be NULL or a double matrix.");
  if (Rf_ncols(query) != d)
    Rf_error("`query` must have as many columns as `x`.");
  return Rf_nrows(query);
}

/* The rows queries must not find (NULL, or one 1-based row of the
 * reference per query, NA for none), checked. */
const int *sg_exclude_arg(SEXP exclude, int self, R_xlen_t m, R_xlen_t n) {
  if (Rf_isNull(exclude)) return NULL;
  if (self || !Rf_isInteger(exclude) || XLENGTH(exclude) != m)
    Rf_error("`exclude` must be NULL or an integer vector, one per query row.");
  const int *excl = INTEGER_RO(exclude);
  for (R_xlen_t i = 0; i < m; i++)
    if (excl[i] != NA_INTEGER && (excl[i] < 1 || excl[i] > n))
      Rf_error("`exclude` holds an index outside 1..%d.", (int) n);
  return excl;
}

/* k: from 1 to the rows a query can find (one fewer when it excludes). */
int sg_k_arg(SEXP k, R_xlen_t n, int excluding) {
  int kk = sg_int_scalar(k, "k");
  if (kk == NA_INTEGER || kk < 1) Rf_error("`k` must be at least 1.");
  if ((R_xlen_t) kk > n - (excluding ? 1 : 0))
    Rf_error("`k` is larger than the number of rows available.");
  return kk;
}

/* TRUE or FALSE, not NA. */
int sg_flag_arg(SEXP x, const char *what) {
  if (!Rf_isLogical(x) || XLENGTH(x) != 1 || LOGICAL_RO(x)[0] == NA_LOGICAL)
    Rf_error("`%s` must be TRUE or FALSE.", what);
  return LOGICAL_RO(x)[0];
}

/* The centre and scale of a standardisation, checked: double vectors of
 * length d, finite, the scale non-negative (0 leaves a column out); NULL
 * where `optional`, giving NULL pointers. */
void sg_center_scale_args(SEXP center, SEXP scale, int d, int optional,
                          const double **cen, const double **sc) {
  *cen = *sc = NULL;
  SEXP v[2] = {center, scale};
  for (int i = 0; i < 2; i++) {
    if (optional && Rf_isNull(v[i])) continue;
    if (!Rf_isReal(v[i]) || XLENGTH(v[i]) != d)
      Rf_error("`center` and `scale` must be double vectors, one value per column.");
    const double *p = REAL_RO(v[i]);
    for (int j = 0; j < d; j++)
      if (!R_FINITE(p[j]) || (i == 1 && p[j] < 0))
        Rf_error("`center` and `scale` must be finite, `scale` non-negative.");
    if (i == 0) *cen = p; else *sc = p;
  }
}

int sg_all_finite(const double *x, R_xlen_t n) {
  /* x * 0 is 0 for a finite x and NaN for NaN or an infinity, so the sums
   * stay 0 exactly when every value is finite: no call per value (R_FINITE
   * is one), four sums at a time */
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  R_xlen_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += x[i] * 0.0;
    a1 += x[i + 1] * 0.0;
    a2 += x[i + 2] * 0.0;
    a3 += x[i + 3] * 0.0;
  }
  for (; i < n; i++) a0 += x[i] * 0.0;
  return (a0 + a1) + (a2 + a3) == 0.0;
}


/* A list of n values named by names: the one way C results are named.
 * The values must be protected by the caller. */
SEXP sg_named_list(int n, const SEXP *values, const char **names) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, n));
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, n));
  for (int i = 0; i < n; i++) {
    SET_VECTOR_ELT(out, i, values[i]);
    SET_STRING_ELT(nms, i, Rf_mkChar(names[i]));
  }
  Rf_setAttrib(out, R_NamesSymbol, nms);
  UNPROTECT(2);
  return out;
}
