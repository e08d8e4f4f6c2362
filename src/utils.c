/* Small helpers shared by the entry points. */
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

