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
#include <limits.h>
#include <Rmath.h>

#define SG_LOGIT_THRESH 30.
#define SG_LOGIT_MTHRESH -30.
#define SG_LOGIT_INVEPS (1 / DBL_EPSILON)

/* The link's inverse and derivative at eta, given e = exp(eta): family.c
 * calls exp() in each (twice in the derivative) on the same eta; it is
 * made once per row and step here, the same value each time. */
static inline double sg_logit_linkinv(double eta, double e) {
  double tmp = (eta < SG_LOGIT_MTHRESH) ? DBL_EPSILON
             : ((eta > SG_LOGIT_THRESH) ? SG_LOGIT_INVEPS : e);
  return tmp / (1 + tmp);
}

static inline double sg_logit_mu_eta(double eta, double e) {
  double opexp = 1 + e;
  return (eta > SG_LOGIT_THRESH || eta < SG_LOGIT_MTHRESH) ? DBL_EPSILON
         : e / (opexp * opexp);
}

static inline double sg_y_log_y(double y, double mu) {
  return (y != 0.) ? (y * log(y / mu)) : 0;
}

/* binomial()$dev.resids(y, mu, 1) of one row */
static inline double sg_logit_dev_resid(double y, double mu) {
  return 2 * 1. * (sg_y_log_y(y, mu) + sg_y_log_y(1 - y, 1 - mu));
}

/* a long double sum as sum() returns it */
static inline double sg_sum_value(long double s) {
  if (s > DBL_MAX) return R_PosInf;
  if (s < -DBL_MAX) return R_NegInf;
  return (double) s;
}

/* sum(binomial()$dev.resids(y, mu, 1)) as sum() adds: long double */
static double sg_logit_deviance(const double *y, const double *mu, int n) {
  long double s = 0;
  for (int i = 0; i < n; i++) s += sg_logit_dev_resid(y[i], mu[i]);
  return sg_sum_value(s);
}

/* The fit of y (0/1) on the n x p column-major x with `offset` (n values,
 * or NULL for none). Writes p coefficients to `coef` (NA past the rank, as
 * glm.fit() reports aliased columns) and whether it converged. Returns 0,
 * or 1 when the caller must fall back to glm.fit(). */
int sg_logit_fit(const double *x, const double *y, const double *offset, int n, int p,
                 double *coef, int *converged) {
  double *eta = (double *) R_alloc(n, sizeof(double));
  double *mu = (double *) R_alloc(n, sizeof(double));
  double *ex = (double *) R_alloc(n, sizeof(double));  /* exp(eta) */
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
  /* glm.fit()'s start, mustart = (y + 0.5) / 2, has two values for a 0/1
   * outcome: its log-odds and their exp() made once for each */
  double eta_y[2], ex_y[2], mu_y[2];
  for (int v = 0; v < 2; v++) {
    double m = (1 * (double) v + 0.5) / (1 + 1.);
    eta_y[v] = log(m / (1 - m));
    ex_y[v] = exp(eta_y[v]);
    mu_y[v] = sg_logit_linkinv(eta_y[v], ex_y[v]);
  }
  for (int i = 0; i < n; i++) {
    int v = y[i] != 0;
    eta[i] = eta_y[v];
    ex[i] = ex_y[v];
    mu[i] = mu_y[v];
  }
  for (int j = 0; j < p; j++) coef[j] = 0;
  double devold = sg_logit_deviance(y, mu, n);
  *converged = 0;
  for (int iter = 0; iter < 25; iter++) {
    for (int i = 0; i < n; i++) {
      double me = sg_logit_mu_eta(eta[i], ex[i]);
      double off = offset ? offset[i] : 0;
      double zi = (eta[i] - off) + (y[i] - mu[i]) / me;
      double w = sqrt((1 * (me * me)) / (mu[i] * (1 - mu[i])));
      /* a non-finite working response or weighted row: fall back, as
       * after the whole pass (R_FINITE()'s test, without its call) */
      for (int j = 0; j < p; j++) {
        double v = x[i + (size_t) j * n] * w;
        if (!isfinite(v)) return 1;
        xw[i + (size_t) j * n] = v;
      }
      z[i] = zi * w;
      if (!isfinite(z[i])) return 1;
      rsd[i] = z[i];
      qty[i] = z[i];
    }
    for (int j = 0; j < p; j++) pivot[j] = j + 1;
    int ny = 1;
    F77_CALL(dqrls)(xw, &n, &p, z, &ny, &tol, b, rsd, qty, &rank, pivot, qraux, work);
    for (int j = 0; j < p; j++) {
      if (!isfinite(b[j])) return 1;
      coef[pivot[j] - 1] = b[j];
    }
    /* the new fitted values and their deviance in one pass (the same sum
     * in the same order); a fitted value outside (0, 1) or a non-finite
     * deviance: fall back */
    long double dev_sum = 0;
    for (int i = 0; i < n; i++) {
      double e = 0;
      for (int j = 0; j < p; j++) e = e + (1. * coef[j]) * x[i + (size_t) j * n];
      eta[i] = e + (offset ? offset[i] : 0);
      ex[i] = exp(eta[i]);
      mu[i] = sg_logit_linkinv(eta[i], ex[i]);
      if (!isfinite(mu[i]) || !(mu[i] > 0) || !(mu[i] < 1)) return 1;
      dev_sum += sg_logit_dev_resid(y[i], mu[i]);
    }
    double dev = sg_sum_value(dev_sum);
    if (!isfinite(dev)) return 1;
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

/* ---------------------------------------------------------------------------
 * One cell's predictions scored in one pass (eval_metrics() in
 * R/metrics.R): the ranking metrics, the accuracy of the risks, the
 * calibration fits and the counts at the threshold, each as R computes it
 * (the same sums in long double, the same two-pass mean, the same tie
 * groups), so that the numbers are those of the R functions to the bit
 * (test-metrics.R checks them against metric_pr_auc(), metric_roc_auc(),
 * metric_brier(), metric_scaled_brier(), metric_log_loss(),
 * metric_calibration() and threshold_at()). */


/* the headline metrics in eval_metric_names' order (the ICI's place left
 * NA, R fills it), then what the notes need */
enum {
  SG_SC_PR_AUC, SG_SC_ROC_AUC, SG_SC_BRIER, SG_SC_SCALED_BRIER, SG_SC_LOG_LOSS,
  SG_SC_CAL_INTERCEPT, SG_SC_CAL_SLOPE, SG_SC_ICI, SG_SC_RECALL, SG_SC_PRECISION, SG_SC_F1,
  SG_SC_SPECIFICITY, SG_SC_BALANCED_ACCURACY, SG_SC_MCC,
  SG_SC_CAL_STATE, SG_SC_TP, SG_SC_FP, SG_SC_TN, SG_SC_FN, SG_SC_N_POS, SG_SC_LENGTH
};

/* ratio_or_na(): num / den, NA unless den > 0 */
static inline double sg_ratio_or_na(double num, double den) {
  return (den > 0) ? num / den : NA_REAL;
}

/* threshold_rates() of the counts in o[SG_SC_TP..SG_SC_FN] (NA counts give
 * NA rates, as R's arithmetic carries NA) */
static void sg_threshold_rates(double *o) {
  double tp = o[SG_SC_TP], fp = o[SG_SC_FP], tn = o[SG_SC_TN], fn = o[SG_SC_FN];
  if (ISNAN(tp)) {
    for (int k = SG_SC_RECALL; k <= SG_SC_MCC; k++) o[k] = NA_REAL;
    return;
  }
  double recall = sg_ratio_or_na(tp, tp + fn);
  double specificity = sg_ratio_or_na(tn, tn + fp);
  double mcc_den = sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  o[SG_SC_RECALL] = recall;
  o[SG_SC_PRECISION] = sg_ratio_or_na(tp, tp + fp);
  o[SG_SC_F1] = sg_ratio_or_na(2 * tp, 2 * tp + fp + fn);
  o[SG_SC_SPECIFICITY] = specificity;
  o[SG_SC_BALANCED_ACCURACY] = (ISNAN(recall) || ISNAN(specificity)) ? NA_REAL
                               : (recall + specificity) / 2;
  o[SG_SC_MCC] = sg_ratio_or_na(tp * tn - fp * fn, mcc_den);
}

/* the calibration state's bits */
#define SG_CAL_FALLBACK 1      /* a fit glm.fit() must make */
#define SG_CAL_UNCONVERGED 2   /* a fit did not converge */
#define SG_CAL_SLOPE_UNDEFINED 4  /* every prediction the same */

/* mean() of doubles: a long double sum, then its correction pass */
static double sg_mean_r(const double *x, int n) {
  long double s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  s /= n;
  if (R_FINITE((double) s)) {
    long double t = 0;
    for (int i = 0; i < n; i++) t += (x[i] - s);
    s += t / n;
  }
  return (double) s;
}

/* PR-AUC and ROC-AUC from the rows sorted by p ascending (`ps`, their
 * rows `idx`): the tie groups are runs of equal values, whatever order the
 * sort left within them. */
static void sg_ranking(const int *y, const double *ps, const int *idx, int n, int n_pos,
                       double *pr_auc, double *roc_auc) {
  /* ROC: the average rank of each tie group, summed over the positives */
  long double rank_sum = 0;
  for (int i = 0; i < n;) {
    int j = i;
    while (j + 1 < n && ps[j + 1] == ps[i]) j++;
    double r = (i + j + 2) / 2.;
    for (int k = i; k <= j; k++) if (y[idx[k]]) rank_sum += r;
    i = j + 1;
  }
  double np = n_pos, nn = n - np;
  *roc_auc = ((double) rank_sum - np * (np + 1) / 2) / (np * nn);
  /* PR: thresholds from the highest down, one per tie group */
  long double ap = 0;
  int tp = 0, fp = 0;
  double recall_before = 0;
  for (int i = n - 1; i >= 0;) {
    int j = i;
    while (j - 1 >= 0 && ps[j - 1] == ps[i]) j--;
    for (int k = j; k <= i; k++) {
      if (y[idx[k]]) tp++; else fp++;
    }
    double precision = (double) tp / (double) (tp + fp);
    double recall = (double) tp / (double) n_pos;
    ap += (recall - recall_before) * precision;
    recall_before = recall;
    i = j - 1;
  }
  *pr_auc = (double) ap;
}

/* The calibration intercept and slope (metric_calibration()): lp the
 * clamped log-odds. Returns the state's bits. */
static int sg_calibration(const double *p, const double *y01, int n, double *intercept,
                          double *slope) {
  double *x = (double *) R_alloc(2 * (size_t) n, sizeof(double));
  double *lp = x + n;
  for (int i = 0; i < n; i++) {
    double q = p[i];
    if (q < 1e-8) q = 1e-8;
    if (q > 1 - 1e-8) q = 1 - 1e-8;
    lp[i] = Rf_qlogis(q, 0., 1., 1, 0);
    x[i] = 1;
  }
  int state = 0, converged = 0;
  double coef[2];
  if (sg_logit_fit(x, y01, lp, n, 1, coef, &converged)) return SG_CAL_FALLBACK;
  if (!converged) state |= SG_CAL_UNCONVERGED;
  *intercept = coef[0];
  *slope = NA_REAL;
  int varies = 0;
  for (int i = 1; i < n && !varies; i++) varies = lp[i] != lp[0];
  if (!varies) return state | SG_CAL_SLOPE_UNDEFINED;
  if (sg_logit_fit(x, y01, NULL, n, 2, coef, &converged)) return SG_CAL_FALLBACK;
  if (!converged) state |= SG_CAL_UNCONVERGED;
  *slope = coef[1];
  return state;
}

/* .Call entry: y logical (no NA), p doubles in [0, 1] (checked by the
 * caller), threshold one double (NA: NA counts), ranking NULL or the
 * PR-AUC and ROC-AUC to take as they are (predictions ranked as others
 * already scored). A double vector in the order of the enum above; NA
 * where a class is absent, and at the ICI's place. */
SEXP ffi_score_risks(SEXP y, SEXP p, SEXP threshold, SEXP ranking) {
  int nprot = 0;
  if (!Rf_isLogical(y) || !Rf_isReal(p) || XLENGTH(y) != XLENGTH(p) ||
      XLENGTH(y) > INT_MAX || !Rf_isReal(threshold) || XLENGTH(threshold) != 1 ||
      (ranking != R_NilValue && (!Rf_isReal(ranking) || XLENGTH(ranking) != 2))) {
    Rf_error("ffi_score_risks: `y` logical and `p` doubles of one length, one double threshold, `ranking` NULL or two doubles");
  }
  int n = (int) XLENGTH(y);
  if (n < 1) Rf_error("ffi_score_risks: no rows");
  const int *yy = LOGICAL_RO(y);
  const double *pp = REAL_RO(p);
  double thr = REAL_RO(threshold)[0];
  SEXP out = PROTECT(Rf_allocVector(REALSXP, SG_SC_LENGTH)); nprot++;
  double *o = REAL(out);
  for (int k = 0; k < SG_SC_LENGTH; k++) o[k] = NA_REAL;
  double *y01 = (double *) R_alloc(n, sizeof(double));
  double *tmp = (double *) R_alloc(n, sizeof(double));
  long double pos_sum = 0;
  int n_pos = 0;
  for (int i = 0; i < n; i++) {
    if (yy[i] == NA_LOGICAL) Rf_error("ffi_score_risks: `y` has NA");
    if (ISNAN(pp[i])) Rf_error("ffi_score_risks: `p` has NA");
    n_pos += yy[i] != 0;
    pos_sum += yy[i] != 0;
    y01[i] = yy[i] != 0;
  }
  o[SG_SC_N_POS] = n_pos;
  int one_class = n_pos == 0 || n_pos == n;
  /* Brier: mean((p - y)^2); scaled by the prevalence (mean() of a logical) */
  for (int i = 0; i < n; i++) {
    double d = pp[i] - y01[i];
    tmp[i] = d * d;
  }
  double brier = sg_mean_r(tmp, n);
  o[SG_SC_BRIER] = brier;
  double prev = (double) (pos_sum / n);
  if (R_FINITE(prev) && prev > 0 && prev < 1) {
    o[SG_SC_SCALED_BRIER] = 1 - brier / (prev * (1 - prev));
  }
  /* log-loss, the predictions clamped to [1e-15, 1 - 1e-15] */
  double eps = 1e-15, top = 1 - eps;
  for (int i = 0; i < n; i++) {
    double q = pp[i];
    if (q < eps) q = eps;
    if (q > top) q = top;
    tmp[i] = yy[i] ? log(q) : log1p(-q);
  }
  o[SG_SC_LOG_LOSS] = -sg_mean_r(tmp, n);
  /* the counts at the threshold: a row is called positive at p >= t */
  if (!ISNAN(thr)) {
    int called = 0, tp = 0;
    for (int i = 0; i < n; i++) {
      if (pp[i] >= thr) {
        called++;
        tp += yy[i] != 0;
      }
    }
    int fp = called - tp;
    o[SG_SC_TP] = tp;
    o[SG_SC_FP] = fp;
    o[SG_SC_TN] = (double) (n - n_pos - fp);
    o[SG_SC_FN] = (double) (n_pos - tp);
  }
  sg_threshold_rates(o);
  if (one_class) {
    UNPROTECT(nprot);
    return out;
  }
  if (ranking != R_NilValue) {
    o[SG_SC_PR_AUC] = REAL_RO(ranking)[0];
    o[SG_SC_ROC_AUC] = REAL_RO(ranking)[1];
  } else {
    int *idx = (int *) R_alloc(n, sizeof(int));
    for (int i = 0; i < n; i++) {
      tmp[i] = pp[i];
      idx[i] = i;
    }
    rsort_with_index(tmp, idx, n);
    sg_ranking(yy, tmp, idx, n, n_pos, &o[SG_SC_PR_AUC], &o[SG_SC_ROC_AUC]);
  }
  double intercept = NA_REAL, slope = NA_REAL;
  int state = sg_calibration(pp, y01, n, &intercept, &slope);
  o[SG_SC_CAL_STATE] = state;
  if (!(state & SG_CAL_FALLBACK)) {
    o[SG_SC_CAL_INTERCEPT] = intercept;
    o[SG_SC_CAL_SLOPE] = slope;
  }
  UNPROTECT(nprot);
  return out;
}

/* .Call entry: TRUE when q orders the rows as p does, with the same ties
 * (same_ranking() in R/metrics.R): sorted by p, q never decreases, and
 * two neighbours are equal in q exactly when they are equal in p. */
SEXP ffi_same_ranking(SEXP p, SEXP q) {
  if (!Rf_isReal(p) || !Rf_isReal(q)) Rf_error("ffi_same_ranking: `p` and `q` must be doubles");
  if (XLENGTH(p) != XLENGTH(q) || XLENGTH(p) > INT_MAX) return Rf_ScalarLogical(0);
  int n = (int) XLENGTH(p);
  if (n < 2) return Rf_ScalarLogical(1);
  const double *pp = REAL_RO(p), *qq = REAL_RO(q);
  double *ps = (double *) R_alloc(n, sizeof(double));
  int *idx = (int *) R_alloc(n, sizeof(int));
  for (int i = 0; i < n; i++) {
    if (ISNAN(pp[i]) || ISNAN(qq[i])) return Rf_ScalarLogical(0);
    ps[i] = pp[i];
    idx[i] = i;
  }
  rsort_with_index(ps, idx, n);
  /* within a tie group of p, q must be one value; between groups, rise */
  for (int k = 1; k < n; k++) {
    double dq = qq[idx[k]] - qq[idx[k - 1]];
    int tie_p = ps[k] == ps[k - 1];
    if (ISNAN(dq)) return Rf_ScalarLogical(0);
    if (tie_p ? dq != 0 : !(dq > 0)) return Rf_ScalarLogical(0);
  }
  return Rf_ScalarLogical(1);
}
