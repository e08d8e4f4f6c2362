/* The logistic fits behind the calibration intercept and slope
 * (metric_calibration() in R/metrics.R): glm.fit()'s iterations for a
 * logistic regression with unit weights, without its set-up, as
 * logit_fit() ran them in R. sg_evaluate() scores every cell's predictions
 * twice (raw and prior-corrected) and each scoring fits two such models on
 * a fold's rows: in R the iterations' interpretation cost more than the
 * learner's own fit.
 *
 * Each step is glm.fit()'s arithmetic in its order, so the coefficients are
 * glm.fit()'s to the bit: binomial()'s logit link, inverse and derivative
 * (R's family.c: the same thresholds at |eta| = 30), its deviance residuals,
 * sum() in long double, the working response and weights, the QR step by
 * dqrls() (what .lm.fit() calls, at glm.fit()'s tolerance), the linear
 * predictor as R's x %*% b computes it with the reference BLAS (dgemv:
 * columns added in order), and the convergence rule and limit. Where
 * glm.fit() would halve a step (a non-finite deviance or fitted value) the
 * answer is "fall back": the caller then calls glm.fit() itself. */
#include "smoteguard.h"
#include <R_ext/Applic.h>
#include <float.h>

#define SG_LOGIT_THRESH 30.
#define SG_LOGIT_MTHRESH -30.
#define SG_LOGIT_INVEPS (1 / DBL_EPSILON)

static inline double sg_logit_linkinv(double eta) {
  double tmp = (eta < SG_LOGIT_MTHRESH) ? DBL_EPSILON
             : ((eta > SG_LOGIT_THRESH) ? SG_LOGIT_INVEPS : exp(eta));
  return tmp / (1 + tmp);
}

static inline double sg_logit_mu_eta(double eta) {
  double opexp = 1 + exp(eta);
  return (eta > SG_LOGIT_THRESH || eta < SG_LOGIT_MTHRESH) ? DBL_EPSILON
         : exp(eta) / (opexp * opexp);
}

static inline double sg_y_log_y(double y, double mu) {
  return (y != 0.) ? (y * log(y / mu)) : 0;
}

/* sum(binomial()$dev.resids(y, mu, 1)) as sum() adds: long double */
static double sg_logit_deviance(const double *y, const double *mu, int n) {
  long double s = 0;
  for (int i = 0; i < n; i++) {
    s += 2 * 1. * (sg_y_log_y(y[i], mu[i]) + sg_y_log_y(1 - y[i], 1 - mu[i]));
  }
  if (s > DBL_MAX) return R_PosInf;
  if (s < -DBL_MAX) return R_NegInf;
  return (double) s;
}

/* The fit of y (0/1) on the n x p column-major x with `offset` (n values,
 * or NULL for none). Writes p coefficients to `coef` (NA past the rank, as
 * glm.fit() reports aliased columns) and whether it converged. Returns 0,
 * or 1 when the caller must fall back to glm.fit(). */
int sg_logit_fit(const double *x, const double *y, const double *offset, int n, int p,
                 double *coef, int *converged) {
  double *eta = (double *) R_alloc(n, sizeof(double));
  double *mu = (double *) R_alloc(n, sizeof(double));
  double *z = (double *) R_alloc(n, sizeof(double));
  double *rsd = (double *) R_alloc(n, sizeof(double));
  double *qty = (double *) R_alloc(n, sizeof(double));
  double *xw = (double *) R_alloc((size_t) n * p, sizeof(double));
  double *b = (double *) R_alloc(p, sizeof(double));
  double *qraux = (double *) R_alloc(p, sizeof(double));
  double *work = (double *) R_alloc(2 * (size_t) p, sizeof(double));
  int *pivot = (int *) R_alloc(p, sizeof(int));
  double tol = 1e-11;  /* glm.fit(): min(1e-07, control$epsilon / 1000) */
  int rank = p;
  for (int i = 0; i < n; i++) {
    double m = (1 * y[i] + 0.5) / (1 + 1.);
    eta[i] = log(m / (1 - m));
    mu[i] = sg_logit_linkinv(eta[i]);
  }
  for (int j = 0; j < p; j++) coef[j] = 0;
  double devold = sg_logit_deviance(y, mu, n);
  *converged = 0;
  for (int iter = 0; iter < 25; iter++) {
    for (int i = 0; i < n; i++) {
      double me = sg_logit_mu_eta(eta[i]);
      double off = offset ? offset[i] : 0;
      double zi = (eta[i] - off) + (y[i] - mu[i]) / me;
      double w = sqrt((1 * (me * me)) / (mu[i] * (1 - mu[i])));
      for (int j = 0; j < p; j++) xw[i + (size_t) j * n] = x[i + (size_t) j * n] * w;
      z[i] = zi * w;
      if (!R_FINITE(z[i])) return 1;
      rsd[i] = z[i];
      qty[i] = z[i];
    }
    for (size_t k = 0; k < (size_t) n * p; k++) if (!R_FINITE(xw[k])) return 1;
    for (int j = 0; j < p; j++) pivot[j] = j + 1;
    int ny = 1;
    F77_CALL(dqrls)(xw, &n, &p, z, &ny, &tol, b, rsd, qty, &rank, pivot, qraux, work);
    for (int j = 0; j < p; j++) {
      if (!R_FINITE(b[j])) return 1;
      coef[pivot[j] - 1] = b[j];
    }
    for (int i = 0; i < n; i++) {
      double e = 0;
      for (int j = 0; j < p; j++) e = e + (1. * coef[j]) * x[i + (size_t) j * n];
      eta[i] = e + (offset ? offset[i] : 0);
      mu[i] = sg_logit_linkinv(eta[i]);
    }
    double dev = sg_logit_deviance(y, mu, n);
    if (!R_FINITE(dev)) return 1;
    for (int i = 0; i < n; i++) {
      if (!R_FINITE(mu[i]) || !(mu[i] > 0) || !(mu[i] < 1)) return 1;
    }
    if (fabs(dev - devold) / (0.1 + fabs(dev)) < 1e-8) {
      *converged = 1;
      break;
    }
    devold = dev;
  }
  for (int k = rank; k < p; k++) coef[pivot[k] - 1] = NA_REAL;
  return 0;
}

/* .Call entry: x a double matrix, y doubles (0/1), offset doubles or NULL.
 * list(coefficients, converged), or NULL to fall back to glm.fit(). */
SEXP ffi_logit_fit(SEXP x, SEXP y, SEXP offset) {
  int nprot = 0;
  SEXP out = R_NilValue;
  if (!Rf_isReal(x) || !Rf_isMatrix(x) || !Rf_isReal(y)) {
    Rf_error("ffi_logit_fit: `x` must be a double matrix and `y` doubles");
  }
  int n = Rf_nrows(x), p = Rf_ncols(x);
  if (XLENGTH(y) != n || n < 1 || p < 1) {
    Rf_error("ffi_logit_fit: `x` must have rows and columns, and one row per value of `y`");
  }
  if (offset != R_NilValue && (!Rf_isReal(offset) || XLENGTH(offset) != n)) {
    Rf_error("ffi_logit_fit: `offset` must be NULL or one double per row");
  }
  const double *yy = REAL_RO(y);
  for (int i = 0; i < n; i++) {
    if (!(yy[i] == 0 || yy[i] == 1)) Rf_error("ffi_logit_fit: `y` must hold 0 and 1 only");
  }
  const double *xx = REAL_RO(x);
  const double *off = offset == R_NilValue ? NULL : REAL_RO(offset);
  for (R_xlen_t k = 0; k < XLENGTH(x); k++) {
    if (!R_FINITE(xx[k])) Rf_error("ffi_logit_fit: `x` must be finite");
  }
  if (off) {
    for (int i = 0; i < n; i++) {
      if (!R_FINITE(off[i])) Rf_error("ffi_logit_fit: `offset` must be finite");
    }
  }
  SEXP coef = PROTECT(Rf_allocVector(REALSXP, p)); nprot++;
  int converged = 0;
  if (sg_logit_fit(xx, yy, off, n, p, REAL(coef), &converged) == 0) {
    out = PROTECT(Rf_allocVector(VECSXP, 2)); nprot++;
    SET_VECTOR_ELT(out, 0, coef);
    SET_VECTOR_ELT(out, 1, Rf_ScalarLogical(converged));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 2)); nprot++;
    SET_STRING_ELT(names, 0, Rf_mkChar("coefficients"));
    SET_STRING_ELT(names, 1, Rf_mkChar("converged"));
    Rf_setAttrib(out, R_NamesSymbol, names);
  }
  UNPROTECT(nprot);
  return out;
}
