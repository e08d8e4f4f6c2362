/* Geometric SMOTE's rows (Douzas and Bacao 2019): a point drawn uniformly
 * in the unit hypersphere, truncated and deformed along the direction from
 * the seed to the surface point, scaled by their distance and moved to the
 * seed (vignette("definitions"), #geometric-smote).  Random numbers come
 * from R's RNG, drawn serially, so set.seed() fixes the rows whatever the
 * threads. */
#include "smoteguard.h"
#include <limits.h>

/* The settings every row shares. */
typedef struct {
  const double *x;     /* n x d, the data's scale, NaN where missing */
  const double *scale; /* length d: the distance's scale (0: weight 0) */
  R_xlen_t n;
  int d;
  double truncation, deformation;
} sg_geometry;

/* A unit-ball point in q dimensions (q >= 1) into u: a standard normal
 * vector scaled to length 1, times U^(1/q), so uniform in the ball.  The
 * q normals come first, then the uniform. */
static void sg_ball_point(double *u, int q) {
  double len2 = 0.0;
  do {
    len2 = 0.0;
    for (int j = 0; j < q; j++) {
      u[j] = norm_rand();
      len2 += u[j] * u[j];
    }
  } while (len2 == 0.0); /* probability 0; never a division by 0 */
  double r = pow(unif_rand(), 1.0 / q) / sqrt(len2);
  for (int j = 0; j < q; j++) u[j] *= r;
}

/* One row s: seed row a, surface row b (0-based).  `use` (scratch, d) marks
 * the columns of positive weight observed in both; e and u (scratch, d)
 * hold the direction and the point over those columns.  Writes the d values
 * (column-major into out, G rows) and returns the gap: the point's
 * component along the seed -> surface direction, in radii. */
static double sg_geometric_row(const sg_geometry *g, R_xlen_t a, R_xlen_t b,
                               R_xlen_t s, R_xlen_t G, int *use, double *e,
                               double *u, double *out) {
  int q = 0;
  double radius2 = 0.0;
  for (int j = 0; j < g->d; j++) {
    double va = g->x[a + (R_xlen_t) j * g->n], vb = g->x[b + (R_xlen_t) j * g->n];
    /* a column outside the geometry: the seed's value, else the surface's */
    out[s + (R_xlen_t) j * G] = ISNAN(va) ? vb : va;
    use[j] = g->scale[j] > 0 && !ISNAN(va) && !ISNAN(vb);
    if (use[j]) {
      double dz = (vb - va) / g->scale[j];
      e[q++] = dz;
      radius2 += dz * dz;
    }
  }
  if (q == 0 || radius2 == 0.0) return 0.0; /* no sphere: the seed itself */
  double radius = sqrt(radius2);
  for (int i = 0; i < q; i++) e[i] /= radius;
  sg_ball_point(u, q);
  double along = 0.0;
  for (int i = 0; i < q; i++) along += u[i] * e[i];
  /* truncation: a point on the cut-off side is reflected through the
   * hyperplane orthogonal to the direction */
  double t = g->truncation;
  if ((t > 0 && along < t - 1) || (t < 0 && along > t + 1)) {
    for (int i = 0; i < q; i++) u[i] -= 2 * along * e[i];
    along = -along;
  }
  /* deformation: the component orthogonal to the direction shrinks */
  double keep = 1.0 - g->deformation;
  for (int i = 0, c = 0; i < g->d; i++) {
    if (!use[i]) continue;
    double p = along * e[c] + keep * (u[c] - along * e[c]);
    out[s + (R_xlen_t) i * G] += radius * p * g->scale[i];
    c++;
  }
  return along;
}

/* G rows (column-major into out) and their gaps; the caller holds the RNG
 * state.  pa, su: checked 1-based seed and surface rows. */
static void sg_geometric_rows(const sg_geometry *g, const int *pa,
                              const int *su, R_xlen_t G, int *use, double *e,
                              double *u, double *out, double *gap) {
  for (R_xlen_t s = 0; s < G; s++) {
    gap[s] = sg_geometric_row(g, pa[s] - 1, su[s] - 1, s, G, use, e, u, out);
  }
}

static void sg_check_made_rows(SEXP rows, R_xlen_t G, R_xlen_t n, const char *what) {
  if (!Rf_isInteger(rows) || XLENGTH(rows) != G)
    Rf_error("`%s` must be an integer vector, one per new row.", what);
  const int *r = INTEGER_RO(rows);
  for (R_xlen_t s = 0; s < G; s++)
    if (r[s] == NA_INTEGER || r[s] < 1 || r[s] > n)
      Rf_error("`%s` holds an index outside 1..%d.", what, (int) n);
}

/* Geometric SMOTE's new rows.  x: n x d double matrix on the data's scale
 * (NA allowed); scale: length d, the distance's scale of each column (0:
 * weight 0, the column copied from the seed); parent, surface: 1-based
 * rows, one each per new row; truncation in [-1, 1]; deformation in
 * [0, 1].  Returns list(values = G x d, gap = the component along the seed
 * -> surface direction, in radii). */
SEXP ffi_geometric_make(SEXP x, SEXP scale, SEXP parent, SEXP surface,
                        SEXP truncation, SEXP deformation) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  if (!Rf_isReal(scale) || XLENGTH(scale) != d)
    Rf_error("`scale` must be a double vector, one per column of `x`.");
  R_xlen_t G = Rf_isInteger(parent) ? XLENGTH(parent) : 0;
  if (G > INT_MAX) Rf_error("Too many rows requested.");
  sg_check_made_rows(parent, G, n, "parent");
  sg_check_made_rows(surface, G, n, "surface");
  double t = sg_num_scalar(truncation, "truncation");
  double f = sg_num_scalar(deformation, "deformation");
  if (!(t >= -1 && t <= 1)) Rf_error("`truncation` must be in [-1, 1].");
  if (!(f >= 0 && f <= 1)) Rf_error("`deformation` must be in [0, 1].");
  sg_geometry g = {REAL_RO(x), REAL_RO(scale), n, d, t, f};
  SEXP values = PROTECT(Rf_allocMatrix(REALSXP, (int) G, d)); nprot++;
  SEXP gap = PROTECT(Rf_allocVector(REALSXP, G)); nprot++;
  /* scratch before the RNG state is taken: nothing between GetRNGstate()
   * and PutRNGstate() can fail */
  int *use = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  double *e = (double *) R_alloc(d > 0 ? d : 1, sizeof(double));
  double *u = (double *) R_alloc(d > 0 ? d : 1, sizeof(double));
  GetRNGstate();
  sg_geometric_rows(&g, INTEGER_RO(parent), INTEGER_RO(surface), G, use, e, u,
                    REAL(values), REAL(gap));
  PutRNGstate();
  SEXP vals[2] = {values, gap};
  const char *nms[2] = {"values", "gap"};
  SEXP out = PROTECT(sg_named_list(2, vals, nms)); nprot++;
  UNPROTECT(nprot);
  return out;
}
