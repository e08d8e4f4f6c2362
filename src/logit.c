/* Out-of-fold probabilities of a logistic regression (instance hardness's
 * learner): for each fold, the maximum-likelihood fit of a 0/1 outcome on
 * the predictors with an intercept, on the rows of the other folds, and
 * plogis(x' beta) for the fold's own rows. The coefficients are those
 * glm.fit() converges to; they are reached by cheaper steps:
 *
 * 1. Newton's method (IRLS) from zero on a subsample (every s-th row, at
 *    most SG_LOGIT_SUB rows), then steps with the subsample's Hessian and
 *    all rows' gradient (which lead to all rows' answer), give a start
 *    near every fold's answer; there, each fold's Hessian
 *    sum mu (1 - mu) x x'. The fit without fold f keeps the sum over the
 *    other folds, H_f, fixed.
 * 2. The fit without fold f iterates beta <- beta + H_f^-1 g(beta), g the
 *    gradient sum (y - mu) x over the other folds' rows, from that start
 *    (Newton's step with the Hessian frozen: the chord method). Its fixed
 *    point is where the gradient is zero, the maximum-likelihood estimate;
 *    each step costs one pass of about 2np operations (Newton's: np^2 / 2;
 *    glm.fit()'s a QR decomposition of the weighted n x p design), and
 *    the error shrinks by about the Hessian's relative change between the
 *    start and the answer (a few percent) per step. When the steps shrink
 *    by less than SG_LOGIT_REFRESH, the Hessian is recomputed where the
 *    fit stands (a Newton step). It stops when the error left, estimated
 *    from the last step and the observed contraction, is below
 *    SG_LOGIT_TOL (1 + |beta_j|) in every coefficient.
 *
 * Where the answer cannot be trusted this way (Newton's method does not
 * converge, as with separated classes; a Hessian is not positive definite,
 * as with aliased columns; a fold's steps do not shrink), the fold's
 * probabilities are NA and the R side fits it with glm.fit().
 *
 * Every sum over rows runs on one thread in row order; threads share out
 * the folds. The result does not depend on the number of threads. */
#include "smoteguard.h"

#define SG_LOGIT_SUB 16384     /* rows of the subsample (at most) */
#define SG_LOGIT_NEWTON 25     /* Newton steps (glm.fit's maxit) */
#define SG_LOGIT_SUB_TOL 1e-2  /* the subsample's Newton step size at which its start is near enough */
#define SG_LOGIT_START 1e-3    /* the same with all rows' gradient */
#define SG_LOGIT_STEPS 100     /* steps per fold */
#define SG_LOGIT_REFRESH 0.25  /* a contraction above this recomputes the Hessian */
#define SG_LOGIT_REFRESHES 10
#define SG_LOGIT_TOL 1e-11
#define SG_LOGIT_MEMORY 33554432.0  /* doubles of the folds' Hessians (256 MB) */

typedef struct {
  const double *z;  /* n x p, row-major: 1, then the predictors */
  const double *y;  /* 0 / 1 */
  const int *fold;  /* 1..K */
  R_xlen_t n;
  int p;
} sg_logit;

/* The rows a pass sums over: every `stride`-th row, of fold `in` only
 * (when > 0), not of fold `out` (when > 0). */
typedef struct {
  R_xlen_t stride;
  int in, out;
} sg_logit_rows;

/* One thread's scratch: coefficients, gradient, Hessian and its factor. */
typedef struct {
  double *beta, *g, *hess, *l;
} sg_logit_work;

static inline double sg_logit_dot(const double *a, const double *b, int p) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int j = 0;
  for (; j + 4 <= p; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < p; j++) s0 += a[j] * b[j];
  return (s0 + s1) + (s2 + s3);
}

/* plogis(eta), as R computes it */
static inline double sg_plogis(double eta) {
  return 1 / (1 + exp(-eta));
}

/* Adds the upper triangle of sum_k w_k z_k z_k' over `cnt` (1 to 4) rows
 * to h (p x p, row-major): four rows per load and store of h. */
static void sg_logit_outer(double *h, int p, const double **z, const double *w,
                           int cnt) {
  for (int a = 0; a < p; a++) {
    double *ha = h + (R_xlen_t) a * p;
    if (cnt == 4) {
      double w0 = w[0] * z[0][a], w1 = w[1] * z[1][a], w2 = w[2] * z[2][a],
        w3 = w[3] * z[3][a];
      const double *z0 = z[0], *z1 = z[1], *z2 = z[2], *z3 = z[3];
      for (int b = a; b < p; b++)
        ha[b] += (w0 * z0[b] + w1 * z1[b]) + (w2 * z2[b] + w3 * z3[b]);
    } else {
      for (int k = 0; k < cnt; k++) {
        double wk = w[k] * z[k][a];
        const double *zk = z[k];
        for (int b = a; b < p; b++) ha[b] += wk * zk[b];
      }
    }
  }
}

/* The sums over the selected rows at beta, on this thread: the gradient
 * into g and, unless h is NULL, the Hessian's upper triangle into h; the
 * number of rows summed. */
static R_xlen_t sg_logit_pass(const sg_logit *m, const double *beta,
                              sg_logit_rows sel, double *g, double *h) {
  int p = m->p;
  for (int a = 0; a < p; a++) g[a] = 0;
  if (h) for (R_xlen_t a = 0; a < (R_xlen_t) p * p; a++) h[a] = 0;
  const double *zq[4];
  double wq[4];
  int cnt = 0;
  R_xlen_t rows = 0;
  for (R_xlen_t i = 0; i < m->n; i += sel.stride) {
    int f = m->fold[i];
    if ((sel.in > 0 && f != sel.in) || (sel.out > 0 && f == sel.out)) continue;
    rows++;
    const double *zi = m->z + i * p;
    double mu = sg_plogis(sg_logit_dot(zi, beta, p));
    double r = m->y[i] - mu;
    for (int a = 0; a < p; a++) g[a] += r * zi[a];
    if (h) {
      zq[cnt] = zi;
      wq[cnt++] = mu * (1 - mu);
      if (cnt == 4) {
        sg_logit_outer(h, p, zq, wq, 4);
        cnt = 0;
      }
    }
  }
  if (h && cnt > 0) sg_logit_outer(h, p, zq, wq, cnt);
  return rows;
}

/* The Cholesky factor L (lower, row-major) of the symmetric p x p matrix
 * whose upper triangle is a; 0 when a pivot falls below 1e-10 of its
 * diagonal entry (not positive definite, or nearly singular). */
static int sg_logit_chol(const double *a, int p, double *l) {
  for (int i = 0; i < p; i++) {
    for (int j = 0; j <= i; j++) {
      double s = a[(R_xlen_t) j * p + i];
      for (int k = 0; k < j; k++) s -= l[(R_xlen_t) i * p + k] * l[(R_xlen_t) j * p + k];
      if (i == j) {
        if (!(s > 1e-10 * a[(R_xlen_t) i * p + i]) || !R_FINITE(s)) return 0;
        l[(R_xlen_t) i * p + i] = sqrt(s);
      } else {
        l[(R_xlen_t) i * p + j] = s / l[(R_xlen_t) j * p + j];
      }
    }
  }
  return 1;
}

/* b <- the x solving L L' x = b */
static void sg_logit_solve(const double *l, int p, double *b) {
  for (int i = 0; i < p; i++) {
    double s = b[i];
    for (int k = 0; k < i; k++) s -= l[(R_xlen_t) i * p + k] * b[k];
    b[i] = s / l[(R_xlen_t) i * p + i];
  }
  for (int i = p - 1; i >= 0; i--) {
    double s = b[i];
    for (int k = i + 1; k < p; k++) s -= l[(R_xlen_t) k * p + i] * b[k];
    b[i] = s / l[(R_xlen_t) i * p + i];
  }
}

/* beta += step; the largest |step_j| / (1 + |beta_j|) (NaN if any is) */
static double sg_logit_update(double *beta, const double *step, int p) {
  double big = 0;
  for (int j = 0; j < p; j++) {
    beta[j] += step[j];
    double r = fabs(step[j]) / (1 + fabs(beta[j]));
    if (!(r <= big)) big = r;
  }
  return big;
}

/* Newton's method from w->beta with the Hessian of every stride-th row
 * (scaled to the rows of the gradient) and the gradient of every
 * `gstride`-th row, until a step is below `tol`: 1 when it got there. With
 * the Hessian of a subsample and the gradient of all rows, the steps still
 * lead to all rows' answer, each shrinking the error by about the
 * subsample's error in the Hessian. */
static int sg_logit_newton(const sg_logit *m, R_xlen_t stride, R_xlen_t gstride,
                           double tol, sg_logit_work *w) {
  int p = m->p;
  sg_logit_rows sel = {stride, 0, 0}, gsel = {gstride, 0, 0};
  for (int it = 0; it < SG_LOGIT_NEWTON; it++) {
    R_xlen_t rows = sg_logit_pass(m, w->beta, sel, w->g, w->hess);
    if (gstride != stride) {
      double ratio = (double) sg_logit_pass(m, w->beta, gsel, w->g, NULL) / (double) rows;
      for (R_xlen_t a = 0; a < (R_xlen_t) p * p; a++) w->hess[a] *= ratio;
    }
    if (!sg_logit_chol(w->hess, p, w->l)) return 0;
    sg_logit_solve(w->l, p, w->g);
    double step = sg_logit_update(w->beta, w->g, p);
    if (!R_FINITE(step)) return 0;
    if (step < tol) return 1;
  }
  return 0;
}

/* Each fold's Hessian at beta into hf + f p^2 (f = 1..K; folds shared
 * among the threads). */
static void sg_logit_fold_hessians(const sg_logit *m, int K, const double *beta,
                                   double *hf, double *gf, int nthreads) {
  int p = m->p;
  R_xlen_t pp = (R_xlen_t) p * p;
  (void) nthreads;
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads)
#endif
  for (int f = 1; f <= K; f++) {
    sg_logit_rows sel = {1, f, 0};
    sg_logit_pass(m, beta, sel, gf + (R_xlen_t) f * p, hf + f * pp);
  }
}

/* The fit without fold f from w->beta, whose Hessian's factor is in w->l
 * and gradient in w->g: 1 when it converged. */
static int sg_logit_fold(const sg_logit *m, int f, sg_logit_work *w) {
  sg_logit_rows sel = {1, 0, f};
  double last = R_PosInf, rate = 0;
  int refreshed = 0;
  for (int it = 0; it < SG_LOGIT_STEPS; it++) {
    int refresh = it > 0 && rate > SG_LOGIT_REFRESH;
    if (it > 0) sg_logit_pass(m, w->beta, sel, w->g, refresh ? w->hess : NULL);
    if (refresh &&
        (++refreshed > SG_LOGIT_REFRESHES || !sg_logit_chol(w->hess, m->p, w->l)))
      return 0;
    sg_logit_solve(w->l, m->p, w->g);
    double step = sg_logit_update(w->beta, w->g, m->p);
    if (!R_FINITE(step)) return 0;
    if (step == 0) return 1;
    rate = step / last;
    last = step;
    if (it > 0 && rate < 1 && step * rate / (1 - rate) < SG_LOGIT_TOL) return 1;
  }
  return 0;
}

/* The n x p row-major design: 1, then the d columns of x (n x d,
 * column-major) as (x - center) / scale, columns of scale 0 left out
 * (center, scale NULL: as they are). */
static double *sg_logit_design(const double *x, R_xlen_t n, int d,
                               const double *center, const double *scale,
                               int *p_out) {
  int p = 1;
  for (int j = 0; j < d; j++) if (!scale || scale[j] > 0) p++;
  double *z = (double *) R_alloc(n * p > 0 ? n * p : 1, sizeof(double));
  int *cols = (int *) R_alloc(p, sizeof(int));
  double *c = (double *) R_alloc(p, sizeof(double));
  double *s = (double *) R_alloc(p, sizeof(double));
  int a = 0;
  for (int j = 0; j < d; j++) {
    if (scale && !(scale[j] > 0)) continue;
    cols[a] = j;
    c[a] = center ? center[j] : 0.0;
    s[a++] = scale ? scale[j] : 1.0;
  }
  /* row by row: each row of z written once, in order */
  for (R_xlen_t i = 0; i < n; i++) {
    double *zi = z + i * p;
    zi[0] = 1;
    for (int k = 0; k < p - 1; k++) zi[k + 1] = (x[i + (R_xlen_t) cols[k] * n] - c[k]) / s[k];
  }
  *p_out = p;
  return z;
}

static sg_logit_work *sg_logit_scratch(int count, int p) {
  R_xlen_t pp = (R_xlen_t) p * p;
  sg_logit_work *w = (sg_logit_work *) R_alloc(count, sizeof(sg_logit_work));
  for (int t = 0; t < count; t++) {
    w[t].beta = (double *) R_alloc(p, sizeof(double));
    w[t].g = (double *) R_alloc(p, sizeof(double));
    w[t].hess = (double *) R_alloc(pp, sizeof(double));
    w[t].l = (double *) R_alloc(pp, sizeof(double));
  }
  return w;
}

/* The probabilities (NA in the folds left to glm.fit()) into prob. */
static void sg_logit_oof(const sg_logit *m, int K, double *prob, int nthreads) {
  int p = m->p;
  R_xlen_t n = m->n, pp = (R_xlen_t) p * p;
  for (R_xlen_t i = 0; i < n; i++) prob[i] = NA_REAL;
  /* each fold's Hessian is kept: beyond SG_LOGIT_MEMORY values (so many
   * folds of so many columns), glm.fit() does it */
  if ((double) pp * ((double) K + 1) > SG_LOGIT_MEMORY) return;
  if (nthreads > K) nthreads = K;
  sg_logit_work *work = sg_logit_scratch(nthreads, p);
  double *start = work[0].beta;
  double *hf = (double *) R_alloc(pp * (K + 1), sizeof(double));
  double *gf = (double *) R_alloc((R_xlen_t) p * (K + 1), sizeof(double));
  for (int j = 0; j < p; j++) start[j] = 0;
  /* the start: Newton's method on a subsample, then with its Hessian
   * and all rows' gradient, until the steps are small beside the folds'
   * distances from it; there, each fold's Hessian */
  R_xlen_t stride = (n + SG_LOGIT_SUB - 1) / SG_LOGIT_SUB;
  if (stride > 1 && !sg_logit_newton(m, stride, stride, SG_LOGIT_SUB_TOL, work)) return;
  if (!sg_logit_newton(m, stride, 1, SG_LOGIT_START, work)) return;
  double *beta0 = (double *) R_alloc(p, sizeof(double));
  for (int j = 0; j < p; j++) beta0[j] = start[j];
  sg_logit_fold_hessians(m, K, beta0, hf, gf, nthreads);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads)
#endif
  for (int f = 1; f <= K; f++) {
    sg_logit_work *w = work + omp_get_thread_num();
    /* the Hessian and gradient without fold f, at the start */
    for (R_xlen_t a = 0; a < pp; a++) {
      double s = 0;
      for (int e = 1; e <= K; e++) if (e != f) s += hf[e * pp + a];
      w->hess[a] = s;
    }
    for (int a = 0; a < p; a++) {
      double s = 0;
      for (int e = 1; e <= K; e++) if (e != f) s += gf[(R_xlen_t) e * p + a];
      w->g[a] = s;
    }
    if (!sg_logit_chol(w->hess, p, w->l)) continue;
    for (int j = 0; j < p; j++) w->beta[j] = beta0[j];
    if (!sg_logit_fold(m, f, w)) continue;
    for (R_xlen_t i = 0; i < n; i++) {
      if (m->fold[i] == f) prob[i] = sg_plogis(sg_logit_dot(m->z + i * p, w->beta, p));
    }
  }
}

/* .Call entry: x (n x d double matrix, finite), center and scale (NULL or
 * one double per column; a column of scale 0 is left out), y (n integers
 * 0 or 1), fold (n integers from 1), threads (NA: the default). The
 * out-of-fold probability of y = 1 for each row, NA for the rows of a fold
 * whose fit is left to glm.fit(). */
SEXP ffi_logit_oof(SEXP x, SEXP center, SEXP scale, SEXP y, SEXP fold,
                   SEXP threads) {
  int nprot = 0;
  sg_check_rows(x, "x", -1);
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  const double *cen, *sc;
  sg_center_scale_args(center, scale, d, 1, &cen, &sc);
  if (!Rf_isInteger(y) || XLENGTH(y) != n || !Rf_isInteger(fold) || XLENGTH(fold) != n)
    Rf_error("`y` and `fold` must be integer vectors, one value per row of `x`.");
  const int *yi = INTEGER_RO(y), *fi = INTEGER_RO(fold);
  int K = 0;
  for (R_xlen_t i = 0; i < n; i++) {
    if (yi[i] != 0 && yi[i] != 1) Rf_error("`y` must be 0 or 1.");
    if (fi[i] == NA_INTEGER || fi[i] < 1) Rf_error("`fold` must be whole numbers from 1.");
    if (fi[i] > K) K = fi[i];
  }
  if (K > n) Rf_error("`fold` must number the folds from 1 to at most the number of rows.");
  int req = sg_int_scalar(threads, "threads");
  int nth = sg_threads_for(req, (double) n * (d + 1) * 20);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, n)); nprot++;
  if (n > 0) {
    sg_logit m;
    m.z = sg_logit_design(REAL_RO(x), n, d, cen, sc, &m.p);
    double *yd = (double *) R_alloc(n, sizeof(double));
    for (R_xlen_t i = 0; i < n; i++) yd[i] = yi[i];
    m.y = yd;
    m.fold = fi;
    m.n = n;
    sg_logit_oof(&m, K, REAL(out), nth);
  }
  UNPROTECT(nprot);
  return out;
}
