/* Diversity and fidelity metrics of synthetic rows (sg_diagnose()): the
 * entry points.  The k-nearest-neighbour searches (the real rows' and the
 * synthetic rows' own k-NN radii, majority intrusion) are sg_knn_search()
 * (knn.c); what needs every pair (ball counts, recall, coverage, the MMD's
 * kernel sums and bandwidth) is the pair-scan engine (scan.c).  Rows
 * arrive standardised (R standardises once).  The KS statistics are in
 * stats.c, the row hash of the duplicate check in record.c. */
#include "smoteguard.h"
#include "knn.h"
#include "scan.h"
#include <limits.h>
#include <float.h>
#include <string.h>
#include <stdlib.h>

/* k nearest rows of `ref` (n x d, column-major) for each query row (or
 * each row of ref among the others when query is NULL). */
static void sg_metrics_knn(const double *ref, R_xlen_t n, int d,
                           const double *query, R_xlen_t m, int k,
                           const int *exclude, int **index, double **dist,
                           int req) {
  int self = query == NULL;
  if (self) m = n;
  *index = (int *) R_alloc(m * (R_xlen_t) k > 0 ? m * (R_xlen_t) k : 1, sizeof(int));
  *dist = (double *) R_alloc(m * (R_xlen_t) k > 0 ? m * (R_xlen_t) k : 1, sizeof(double));
  if (m == 0) return;
  int nth = sg_threads_for(req, (double) n * (double) m * (double) d);
  sg_knn_search(ref, n, d, query, m, k, self, exclude, NULL, NULL, 0,
                *index, *dist, nth);
}

/* A vector of n NAs (double, logical or integer), protected. */
static SEXP sg_na_vector(SEXPTYPE type, R_xlen_t n) {
  SEXP out = PROTECT(Rf_allocVector(type, n));
  if (type == REALSXP) {
    double *p = REAL(out);
    for (R_xlen_t i = 0; i < n; i++) p[i] = NA_REAL;
  } else {
    int *p = type == LGLSXP ? LOGICAL(out) : INTEGER(out);
    for (R_xlen_t i = 0; i < n; i++) p[i] = type == LGLSXP ? NA_LOGICAL : NA_INTEGER;
  }
  return out;
}

/* ---------------------------------------------------------------------
 * The neighbour metrics of one class (ffi_metrics_class(), below). */

/* The class's real rows (own, p x d) and the other classes' (other), each
 * column-major, with their rows of whole. */
typedef struct {
  R_xlen_t p, n_other;
  int *own_row, *other_row;
  double *own, *other;
} sg_class_rows;

static void sg_class_rows_make(sg_class_rows *s, const double *W, R_xlen_t n,
                               int d, const int *yy, int c) {
  R_xlen_t p = 0;
  for (R_xlen_t i = 0; i < n; i++) p += yy[i] == c;
  R_xlen_t n_other = n - p;
  s->p = p;
  s->n_other = n_other;
  s->own_row = (int *) R_alloc(p > 0 ? p : 1, sizeof(int));
  s->other_row = (int *) R_alloc(n_other > 0 ? n_other : 1, sizeof(int));
  for (R_xlen_t i = 0, a = 0, o = 0; i < n; i++) {
    if (yy[i] == c) s->own_row[a++] = (int) i; else s->other_row[o++] = (int) i;
  }
  s->own = (double *) R_alloc(p * d > 0 ? p * d : 1, sizeof(double));
  s->other = (double *) R_alloc(n_other * d > 0 ? n_other * d : 1, sizeof(double));
  for (int j = 0; j < d; j++) {
    for (R_xlen_t i = 0; i < p; i++) s->own[i + j * p] = W[s->own_row[i] + (R_xlen_t) j * n];
    for (R_xlen_t i = 0; i < n_other; i++)
      s->other[i + j * n_other] = W[s->other_row[i] + (R_xlen_t) j * n];
  }
}

/* The real rows' nearest and k-th distances from `known` (checked): TRUE. */
static int sg_known_radii(SEXP known, R_xlen_t p, int kk, double *real_nn,
                          double *real_rad) {
  if (TYPEOF(known) != VECSXP || XLENGTH(known) != 2)
    Rf_error("`known` must be NULL or a list of two double vectors.");
  SEXP kn = VECTOR_ELT(known, 0), kr = VECTOR_ELT(known, 1);
  if (!Rf_isReal(kn) || !Rf_isReal(kr) || XLENGTH(kn) != p || XLENGTH(kr) != p ||
      p < 2 || (R_xlen_t) kk > p - 1)
    Rf_error("`known` must hold one nearest and one k-th distance per real row "
             "of the class (at least k + 1 rows).");
  const double *a = REAL_RO(kn), *b = REAL_RO(kr);
  for (R_xlen_t i = 0; i < p; i++) {
    if (!(a[i] >= 0) || !(b[i] >= a[i]) || !R_FINITE(b[i]))
      Rf_error("`known` distances must be finite, non-negative and ordered.");
    real_nn[i] = a[i];
    real_rad[i] = b[i];
  }
  return 1;
}

/* The n rows X (column-major) among themselves: the distance to each
 * row's nearest other row (nn, or NULL) and, when there are k others, to
 * its k-th (radius; returns TRUE), else FALSE. */
static int sg_own_radii(const double *X, R_xlen_t n, int d, int kk,
                        double *nn, double *radius, int req) {
  if (n < 2) return 0;
  int *idx;
  double *dist;
  int kr = (R_xlen_t) kk < n ? kk : (int) (n - 1);
  sg_metrics_knn(X, n, d, NULL, n, kr, NULL, &idx, &dist, req);
  if (nn)
    for (R_xlen_t i = 0; i < n; i++) nn[i] = dist[i];
  if (kr != kk) return 0;
  for (R_xlen_t i = 0; i < n; i++) radius[i] = dist[i + (R_xlen_t) (kk - 1) * n];
  return 1;
}

/* Intrusion of each of the q synthetic rows S: the k nearest rows of the
 * data are the k nearest of the class's (best, best_i: the ball scan's K
 * per row) merged with the k nearest of the other classes', in
 * (distance, row of whole) order; the share of the other classes. */
static void sg_intrusion(const sg_class_rows *cr, const double *S, R_xlen_t q,
                         int d, int kk, const double *best, const int *best_i,
                         int K, double *intr, int req) {
  R_xlen_t n = cr->p + cr->n_other, n_other = cr->n_other;
  int *idx = NULL;
  double *dist = NULL;
  int kw = (R_xlen_t) kk < n ? kk : (int) n;
  int ko = (R_xlen_t) kk < n_other ? kk : (int) n_other;
  int kown = kk < K ? kk : K;
  if (ko > 0) sg_metrics_knn(cr->other, n_other, d, S, q, ko, NULL, &idx, &dist, req);
  for (R_xlen_t i = 0; i < q; i++) {
    int a = 0, o = 0, other = 0;
    for (int j = 0; j < kw; j++) {
      double da = a < kown ? sqrt(best[i * K + a]) : R_PosInf;
      double dob = o < ko ? dist[i + (R_xlen_t) o * q] : R_PosInf;
      int ra = a < kown ? cr->own_row[best_i[i * K + a]] : INT_MAX;
      int ro = o < ko ? cr->other_row[idx[i + (R_xlen_t) o * q] - 1] : INT_MAX;
      if (o < ko && (a >= kown || dob < da || (dob == da && ro < ra))) {
        other++;
        o++;
      } else {
        a++;
      }
    }
    intr[i] = (double) other / kw;
  }
}

/* The neighbour metrics of one class.
 *   syn:     the synthetic rows judged (q x d, standardised, complete; all
 *            or a subset of the class's)
 *   whole:   every real row of the data (n x d), y their 1-based classes,
 *            cls this class: its real rows are the rows of whole with
 *            y == cls, in their order
 * Returns per real row of the class: real_nn (distance to the nearest
 * other real row of the class), real_radius (to the k-th: the radius of
 * its k-NN ball), recalled (inside the k-NN ball, within syn, of some syn
 * row), covered (some syn row inside its ball); per syn row: dcr, dcr2
 * (nearest and second-nearest real row of the class), balls (real balls
 * holding it), syn_radius (k-NN radius within syn) and intrusion (share of
 * other classes among its k nearest rows of whole, ties to the earlier
 * row).  What the row counts do not allow (fewer than k + 1 rows) is NA.
 *   known:   NULL, or list(nearest, radius): the real rows' real_nn and
 *            real_radius already measured the same way (the oversampling's
 *            own search, carried by its record), which spares that search;
 *            one finite non-negative value per real row of the class. */
SEXP ffi_metrics_class(SEXP syn, SEXP whole, SEXP y, SEXP cls, SEXP k,
                       SEXP threads, SEXP known) {
  int nprot = 0;
  int d = sg_rows_arg(whole, "whole");
  sg_check_rows(syn, "syn", d);
  R_xlen_t q = Rf_nrows(syn), n = Rf_nrows(whole);
  if (q > INT_MAX || n > INT_MAX)
    Rf_error("More than %d rows is not supported.", INT_MAX);
  if (!Rf_isInteger(y) || XLENGTH(y) != n)
    Rf_error("`y` must be an integer vector, one per row of `whole`.");
  int c = sg_int_scalar(cls, "cls");
  if (c == NA_INTEGER) Rf_error("`cls` must not be NA.");
  int kk = sg_int_scalar(k, "k");
  if (kk == NA_INTEGER || kk < 1) Rf_error("`k` must be at least 1.");
  int req = sg_int_scalar(threads, "threads");
  const double *S = REAL_RO(syn);
  sg_class_rows cr;
  sg_class_rows_make(&cr, REAL_RO(whole), n, d, INTEGER_RO(y), c);
  R_xlen_t p = cr.p;

  const char *names[] = {"real_nn", "real_radius", "recalled", "covered",
                         "dcr", "dcr2", "balls", "syn_radius", "intrusion"};
  const SEXPTYPE types[] = {REALSXP, REALSXP, LGLSXP, LGLSXP, REALSXP,
                            REALSXP, INTSXP, REALSXP, REALSXP};
  SEXP vals[9];
  for (int i = 0; i < 9; i++) {
    vals[i] = sg_na_vector(types[i], i < 4 ? p : q);
    nprot++;
  }
  SEXP out = PROTECT(sg_named_list(9, vals, names)); nprot++;
  double *real_nn = REAL(vals[0]), *real_rad = REAL(vals[1]);
  int *recalled = LOGICAL(vals[2]), *covered = LOGICAL(vals[3]);
  double *dcr = REAL(vals[4]), *dcr2 = REAL(vals[5]);
  int *nballs = INTEGER(vals[6]);
  double *syn_rad = REAL(vals[7]), *intr = REAL(vals[8]);

  /* the real rows' own neighbourhoods: always all of them */
  int have_real_radius = Rf_isNull(known)
    ? sg_own_radii(cr.own, p, d, kk, real_nn, real_rad, req)
    : sg_known_radii(known, p, kk, real_nn, real_rad);
  if (q == 0 || p == 0) {
    UNPROTECT(nprot);
    return out;
  }
  /* the synthetic rows' own neighbourhoods, within the rows judged */
  int have_syn_radius = sg_own_radii(S, q, d, kk, NULL, syn_rad, req);

  /* the K nearest real rows of the class and the real balls holding each
   * synthetic row; recall and coverage of the real rows */
  int K = kk > 2 ? kk : 2;
  if ((R_xlen_t) K > p) K = (int) p;
  double *best = (double *) R_alloc((size_t) q * K, sizeof(double));
  int *best_i = (int *) R_alloc((size_t) q * K, sizeof(int));
  int *rec = (int *) R_alloc(p, sizeof(int));
  int *cov = (int *) R_alloc(p, sizeof(int));
  int nth = sg_threads_for(req, (double) p * (double) q * d);
  sg_ball_scan(cr.own, p, S, q, d, have_real_radius ? real_rad : NULL,
               have_syn_radius ? syn_rad : NULL, K, best, best_i, nballs, rec,
               cov, nth);
  for (R_xlen_t i = 0; i < q; i++) {
    dcr[i] = sqrt(best[i * K]);
    if (K >= 2) dcr2[i] = sqrt(best[i * K + 1]);
    if (!have_real_radius) nballs[i] = NA_INTEGER;
  }
  for (R_xlen_t i = 0; i < p; i++) {
    if (have_syn_radius) recalled[i] = rec[i];
    if (have_real_radius) covered[i] = cov[i];
  }
  sg_intrusion(&cr, S, q, d, kk, best, best_i, K, intr, req);
  UNPROTECT(nprot);
  return out;
}

/* ---------------------------------------------------------------------
 * Near duplicates among synthetic rows: does another row of x lie closer
 * than `radius` to row r?  Rows are projected on a few orthonormal
 * directions (the principal axes spread them most) and sorted along the
 * first.  Since |u.(a - b)| <= ||a - b|| for a unit u, only rows whose
 * first projection lies within radius of r's (plus a bound on the
 * projections' rounding) can be that close, and of those only rows within
 * radius on every other direction too; their distances are then measured
 * the canonical way.  Exact, and far cheaper than a neighbour search when
 * the radius is small, as a near-duplicate tolerance is. */
typedef struct {
  double slab, p;
  int i;
} sg_proj2;

static int sg_cmp_proj2(const void *a, const void *b) {
  const sg_proj2 *x = (const sg_proj2 *) a, *y = (const sg_proj2 *) b;
  if (x->slab != y->slab) return x->slab < y->slab ? -1 : 1;
  if (x->p < y->p) return -1;
  if (x->p > y->p) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

/* The rows of x (N x d, row-major) projected on m unit directions u and
 * sorted: the index of the near-duplicate search. */
typedef struct {
  const double *xr;   /* the rows, N x d row-major */
  R_xlen_t N;
  int d, m;
  double window;      /* radius, widened for the projections' rounding */
  int grid;           /* slabs along the first direction (m >= 2) */
  sg_proj2 *order;    /* the rows sorted by (slab, projection) */
  double *sp;         /* the projections in that order, N x m */
  int *where;         /* each row's place in order */
} sg_near_index;

/* Unit directions (a zero column becomes the first axis). */
static double *sg_unit_directions(const double *dir, int d, int m) {
  double *u = (double *) R_alloc((size_t) d * m, sizeof(double));
  for (int t = 0; t < m; t++) {
    const double *col = dir + (R_xlen_t) t * d;
    double norm = 0.0;
    for (int j = 0; j < d; j++) norm += col[j] * col[j];
    norm = sqrt(norm);
    for (int j = 0; j < d; j++) u[t * d + j] = norm > 0 ? col[j] / norm : (j == 0);
  }
  return u;
}

static void sg_near_index_make(sg_near_index *ix, const double *x, R_xlen_t N,
                               int d, const double *u, int m, double rad) {
  const double *xr = sg_row_major(x, N, d);
  double *proj = (double *) R_alloc((size_t) (N > 0 ? N : 1) * m, sizeof(double));
  double big = 0.0;
  for (R_xlen_t i = 0; i < N; i++)
    for (int t = 0; t < m; t++) {
      double p = 0.0, a = 0.0;
      for (int j = 0; j < d; j++) {
        p += u[t * d + j] * xr[i * d + j];
        a += fabs(u[t * d + j] * xr[i * d + j]);
      }
      proj[i * m + t] = p;
      if (a > big) big = a;
    }
  /* a projection is a sum of d rounded products: within about d eps times
   * the sum of their sizes of its exact value; the unit vectors are unit
   * to a few eps */
  double window = rad * (1.0 + 8.0 * d * DBL_EPSILON) + 4.0 * (d + 2) * DBL_EPSILON * big;
  /* With two directions or more, rows go into slabs one window wide along
   * the first and are sorted by slab, then along the second: a row's
   * near rows lie in the two or three slabs that its first projection
   * +/- window meets, in each a run found by bisection.  The slab numbers
   * are kept below 1e9, so their rounding (below 1e-6 of a slab) stays
   * inside the margin.  A window as wide as the data makes every row a
   * candidate either way. */
  double far1 = 0.0;
  for (R_xlen_t i = 0; i < N; i++)
    if (fabs(proj[i * m]) > far1) far1 = fabs(proj[i * m]);
  int grid = m >= 2 && window > 0 && (far1 + window) / window < 1e9;
  sg_proj2 *order = (sg_proj2 *) R_alloc(N > 0 ? N : 1, sizeof(sg_proj2));
  for (R_xlen_t i = 0; i < N; i++) {
    order[i].slab = grid ? floor(proj[i * m] / window) : 0.0;
    order[i].p = proj[i * m + (grid ? 1 : 0)];
    order[i].i = (int) i;
  }
  qsort(order, (size_t) N, sizeof(sg_proj2), sg_cmp_proj2);
  /* the projections again in sorted order, so a window is contiguous */
  double *sp = (double *) R_alloc((size_t) (N > 0 ? N : 1) * m, sizeof(double));
  int *where = (int *) R_alloc(N > 0 ? N : 1, sizeof(int));
  for (R_xlen_t s = 0; s < N; s++) {
    where[order[s].i] = (int) s;
    for (int t = 0; t < m; t++) sp[s * m + t] = proj[(R_xlen_t) order[s].i * m + t];
  }
  ix->xr = xr;
  ix->N = N;
  ix->d = d;
  ix->m = m;
  ix->window = window;
  ix->grid = grid;
  ix->order = order;
  ix->sp = sp;
  ix->where = where;
}

/* Does another row lie closer than rad to row r (0-based)? */
static int sg_near_found(const sg_near_index *ix, int r, double rad) {
  const R_xlen_t N = ix->N;
  const int d = ix->d, m = ix->m;
  const double window = ix->window;
  const sg_proj2 *order = ix->order;
  const double *sp = ix->sp, *xr = ix->xr;
  R_xlen_t s0 = ix->where[r];
  const double *p0 = sp + s0 * m;
  const double *a = xr + (R_xlen_t) r * d;
  if (ix->grid) {
    double margin = window * (1.0 + 1e-6);
    double first = floor((p0[0] - margin) / window);
    double last = floor((p0[0] + margin) / window);
    for (double slab = first; slab <= last; slab++) {
      double lo = p0[1] - window;
      /* the first row at or after (slab, lo) */
      R_xlen_t a0 = 0, a1 = N;
      while (a0 < a1) {
        R_xlen_t mid = a0 + (a1 - a0) / 2;
        if (order[mid].slab < slab || (order[mid].slab == slab && order[mid].p < lo))
          a0 = mid + 1;
        else
          a1 = mid;
      }
      for (R_xlen_t s = a0; s < N && order[s].slab == slab; s++) {
        const double *ps = sp + s * m;
        if (ps[1] - p0[1] > window) break;
        if (s == s0) continue;
        int inside = 1;
        for (int v = 0; v < m && inside; v++) inside = fabs(ps[v] - p0[v]) <= window;
        if (!inside) continue;
        if (sqrt(sg_sqdist_row(a, xr + (R_xlen_t) order[s].i * d, d)) < rad) return 1;
      }
    }
    return 0;
  }
  for (int dir = -1; dir <= 1; dir += 2) {
    for (R_xlen_t s = s0 + dir; s >= 0 && s < N; s += dir) {
      const double *ps = sp + s * m;
      if (fabs(ps[0] - p0[0]) > window) break;
      int inside = 1;
      for (int v = 1; v < m && inside; v++) inside = fabs(ps[v] - p0[v]) <= window;
      if (!inside) continue;
      if (sqrt(sg_sqdist_row(a, xr + (R_xlen_t) order[s].i * d, d)) < rad) return 1;
    }
  }
  return 0;
}

/* x: N x d (standardised), rows: 1-based rows of x to test, radius >= 0,
 * directions: d x m, orthonormal columns (each is normalised here).
 * Returns one logical per row of `rows`. */
SEXP ffi_metrics_near(SEXP x, SEXP rows, SEXP radius, SEXP directions,
                      SEXP threads) {
  int nprot = 0;
  int d = sg_rows_arg(x, "x");
  R_xlen_t N = Rf_nrows(x);
  if (N > INT_MAX) Rf_error("More than %d rows is not supported.", INT_MAX);
  if (!Rf_isInteger(rows)) Rf_error("`rows` must be an integer vector.");
  R_xlen_t q = XLENGTH(rows);
  const int *rw = INTEGER_RO(rows);
  for (R_xlen_t i = 0; i < q; i++)
    if (rw[i] == NA_INTEGER || rw[i] < 1 || rw[i] > N)
      Rf_error("`rows` holds a row outside `x`.");
  double rad = sg_num_scalar(radius, "radius");
  if (!R_FINITE(rad) || rad < 0) Rf_error("`radius` must be finite and >= 0.");
  if (!Rf_isReal(directions) || !Rf_isMatrix(directions) ||
      Rf_nrows(directions) != d || Rf_ncols(directions) < 1)
    Rf_error("`directions` must be a double matrix with one row per column of `x`.");
  int m = Rf_ncols(directions);
  if (!sg_all_finite(REAL_RO(directions), XLENGTH(directions)))
    Rf_error("`directions` must be finite.");
  int req = sg_int_scalar(threads, "threads");

  sg_near_index ix;
  sg_near_index_make(&ix, REAL_RO(x), N, d,
                     sg_unit_directions(REAL_RO(directions), d, m), m, rad);
  SEXP out = PROTECT(Rf_allocVector(LGLSXP, q)); nprot++;
  int *o = LOGICAL(out);
  int nth = sg_threads_for(req, (double) q * (double) N * m / 16.0);
  /* a window may hold every row: bound the work between interrupt checks */
  R_xlen_t chunk = (R_xlen_t) (SG_CHUNK_TERMS / ((double) N * d + 1.0));
  if (chunk < 64) chunk = 64;
  if (chunk > 4096) chunk = 4096;
  for (R_xlen_t c0 = 0; c0 < q; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < q ? c0 + chunk : q;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16) num_threads(nth)
#endif
    for (R_xlen_t t = c0; t < c1; t++) o[t] = sg_near_found(&ix, rw[t] - 1, rad);
    R_CheckUserInterrupt();
  }
  UNPROTECT(nprot);
  return out;
}

/* The maximum mean discrepancy between real (m x d) and synthetic (n x d)
 * rows with the Gaussian kernel exp(-||a - b||^2 / (2 sigma^2)), sigma the
 * median distance between pairs of real rows; the unbiased estimator.
 * Returns c(mmd2, sigma, kxx, kyy, kxy). */
SEXP ffi_metrics_mmd(SEXP real, SEXP syn, SEXP threads) {
  int nprot = 0;
  int d = sg_rows_arg(real, "real");
  sg_check_rows(syn, "syn", d);
  R_xlen_t m = Rf_nrows(real), n = Rf_nrows(syn);
  if (m < 2 || n < 2) Rf_error("`real` and `syn` need at least two rows each.");
  int req = sg_int_scalar(threads, "threads");
  int nth_xx = sg_threads_for(req, (double) m * m * d / 2);
  int nth_yy = sg_threads_for(req, (double) n * n * d / 2);
  int nth_xy = sg_threads_for(req, (double) m * n * d);

  sg_blocks bx, by;
  sg_blocks_all(&bx, REAL_RO(real), m, d);
  sg_blocks_all(&by, REAL_RO(syn), n, d);
  const double *qx = sg_row_major(REAL_RO(real), m, d);
  const double *qy = sg_row_major(REAL_RO(syn), n, d);

  double sigma = sg_median_pair_distance(&bx, qx, nth_xx);
  const char *names[] = {"mmd2", "sigma", "kxx", "kyy", "kxy", ""};
  SEXP out = PROTECT(Rf_mkNamed(REALSXP, names)); nprot++;
  double *o = REAL(out);
  for (int i = 0; i < 5; i++) o[i] = NA_REAL;
  o[1] = sigma;
  if (sigma > 0 && R_FINITE(sigma)) {
    double scale = 1.0 / (2.0 * sigma * sigma);
    o[2] = sg_kernel_mean(&bx, qx, m, 1, scale, nth_xx);
    o[3] = sg_kernel_mean(&by, qy, n, 1, scale, nth_yy);
    o[4] = sg_kernel_mean(&bx, qy, n, 0, scale, nth_xy);
    o[0] = o[2] + o[3] - 2.0 * o[4];
  }
  UNPROTECT(nprot);
  return out;
}

/* ---------------------------------------------------------------------
 * Exact duplicates: rows sorted by a hash of their values, then by their
 * values within each run of equal hashes (a merge sort on row numbers), and
 * runs of equal rows read off.  NA equals NA; -0 equals 0. */
typedef struct {
  const double *v; /* rows x p, row-major */
  int p;
} sg_rowset;

static int sg_row_cmp(const sg_rowset *s, int a, int b) {
  const double *x = s->v + (size_t) a * s->p, *y = s->v + (size_t) b * s->p;
  for (int j = 0; j < s->p; j++) {
    int na = ISNAN(x[j]), nb = ISNAN(y[j]);
    if (na || nb) {
      if (na && nb) continue;
      return na ? 1 : -1;
    }
    if (x[j] < y[j]) return -1;
    if (x[j] > y[j]) return 1;
  }
  return 0;
}

static void sg_row_sort(const sg_rowset *s, int *idx, int *tmp, int n) {
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n;
      int hi = lo + 2 * width < n ? lo + 2 * width : n;
      int a = lo, b = mid, o = lo;
      while (a < mid && b < hi)
        tmp[o++] = sg_row_cmp(s, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
      while (a < mid) tmp[o++] = idx[a++];
      while (b < hi) tmp[o++] = idx[b++];
    }
    memcpy(idx, tmp, (size_t) n * sizeof(int));
  }
}

typedef struct {
  uint64_t h;
  int i;
} sg_hashed;

static int sg_cmp_hashed(const void *a, const void *b) {
  const sg_hashed *x = (const sg_hashed *) a, *y = (const sg_hashed *) b;
  if (x->h != y->h) return x->h < y->h ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

/* The n rows of s in an order where equal rows are adjacent: by hash,
 * then by value within each run of equal hashes (a collision may mix
 * rows). */
static const int *sg_rows_sorted(const sg_rowset *s, int n) {
  const int p = s->p;
  int *idx = (int *) R_alloc(n > 0 ? n : 1, sizeof(int));
  int *tmp = (int *) R_alloc(n > 0 ? n : 1, sizeof(int));
  sg_hashed *hs = (sg_hashed *) R_alloc(n > 0 ? n : 1, sizeof(sg_hashed));
  for (int i = 0; i < n; i++) {
    hs[i].h = sg_row_hash(s->v + (size_t) i * p, p);
    hs[i].i = i;
  }
  qsort(hs, (size_t) n, sizeof(sg_hashed), sg_cmp_hashed);
  for (int i = 0; i < n; i++) idx[i] = hs[i].i;
  for (int start = 0; start < n;) {
    int end = start + 1;
    while (end < n && hs[end].h == hs[start].h) end++;
    if (end - start > 1) sg_row_sort(s, idx + start, tmp, end - start);
    start = end;
  }
  return idx;
}

/* real (nr x p) and syn (ns x p) doubles, one column per predictor (and
 * one for the class, so rows match within a class).  Returns
 * list(real = each syn row equals some real row, synthetic = each syn row
 * equals another syn row). */
SEXP ffi_metrics_duplicates(SEXP real, SEXP syn) {
  int nprot = 0;
  int p = sg_real_syn_columns(real, syn);
  R_xlen_t nr = Rf_nrows(real), ns = Rf_nrows(syn);
  if (nr + ns > INT_MAX / 2) Rf_error("Too many rows.");
  int n = (int) (nr + ns);
  double *v = (double *) R_alloc((size_t) (n > 0 ? n : 1) * (p > 0 ? p : 1),
                                 sizeof(double));
  const double *a = REAL_RO(real), *b = REAL_RO(syn);
  for (int j = 0; j < p; j++) {
    for (R_xlen_t i = 0; i < nr; i++) v[i * p + j] = a[i + (R_xlen_t) j * nr];
    for (R_xlen_t i = 0; i < ns; i++) v[(nr + i) * p + j] = b[i + (R_xlen_t) j * ns];
  }
  sg_rowset s = {v, p};
  const int *idx = sg_rows_sorted(&s, n);

  SEXP dup_real = PROTECT(Rf_allocVector(LGLSXP, ns)); nprot++;
  SEXP dup_syn = PROTECT(Rf_allocVector(LGLSXP, ns)); nprot++;
  int *dr = LOGICAL(dup_real), *ds = LOGICAL(dup_syn);
  for (int start = 0; start < n;) {
    int end = start + 1;
    while (end < n && sg_row_cmp(&s, idx[start], idx[end]) == 0) end++;
    int n_real = 0, n_syn = 0;
    for (int i = start; i < end; i++) {
      if (idx[i] < nr) n_real++; else n_syn++;
    }
    for (int i = start; i < end; i++) {
      if (idx[i] < nr) continue;
      dr[idx[i] - nr] = n_real > 0;
      ds[idx[i] - nr] = n_syn > 1;
    }
    start = end;
  }
  SEXP vals[2] = {dup_real, dup_syn};
  const char *names[2] = {"real", "synthetic"};
  SEXP out = PROTECT(sg_named_list(2, vals, names)); nprot++;
  UNPROTECT(nprot);
  return out;
}

