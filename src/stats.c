/* Column statistics of the numeric predictors (three passes per column):
 * the input summary, the distance's centre and scale and the observed
 * bounds of each class; and the bound check of candidate rows.  Missing
 * values (NA, NaN) are skipped. */
#include "smoteguard.h"

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
    long double sum = 0;
    double lo = R_PosInf, hi = R_NegInf;
    R_xlen_t seen = 0;
    for (R_xlen_t i = 0; i < m; i++) {
      double a = v[rows ? rows[i] : i];
      if (ISNAN(a)) continue;
      seen++;
      sum += a;
      if (a < lo) lo = a;
      if (a > hi) hi = a;
    }
    long double mu = sum / (long double) seen;
    if (R_FINITE((double) mu)) {
      long double dev = 0;
      for (R_xlen_t i = 0; i < m; i++) {
        double a = v[rows ? rows[i] : i];
        if (!ISNAN(a)) dev += a - mu;
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
        double a = v[rows ? rows[i] : i];
        if (ISNAN(a)) continue;
        long double dv = a - center;
        ss += dv * dv;
      }
      s = sqrt((double) (ss / (long double) (seen - 1)));
    }
    mean[j] = seen > 0 ? (double) mu : R_NaN;
    sd[j] = s;
    min[j] = lo;
    max[j] = hi;
    missing[j] = (double) (m - seen);
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
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 5)); nprot++;
  SEXP nms = PROTECT(Rf_allocVector(STRSXP, 5)); nprot++;
  double *p[5];
  for (int i = 0; i < 5; i++) {
    SEXP v = Rf_allocVector(REALSXP, d);
    SET_VECTOR_ELT(out, i, v);
    SET_STRING_ELT(nms, i, Rf_mkChar(names[i]));
    p[i] = REAL(v);
  }
  Rf_setAttrib(out, R_NamesSymbol, nms);
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
