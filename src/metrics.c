/* Diversity and fidelity metrics of synthetic rows (sg_diagnose()).
 *
 * The k-nearest-neighbour searches (the real rows' and the synthetic rows'
 * own k-NN radii, majority intrusion) are sg_knn_search() (knn.c).  What
 * needs every pair rather than the k nearest -- counting the real rows
 * whose k-NN ball holds a synthetic row (precision, density; the nearest
 * and second-nearest real row fall out of the same scan), recall and
 * coverage, the kernel sums of the MMD and the median pairwise distance
 * behind its bandwidth -- scans all pairs with the blocked kernels below.
 * Every decision (in a ball or not, nearer or not, which side of the
 * median) is taken on the squared distance measured the canonical way
 * knn.c does (dimensions summed in their natural order, no fused
 * multiply-add), so a row that is the k-th neighbour of a ball's centre
 * lies exactly on the ball, and a plain-R loop gives the same bits; dot
 * products only screen out the pairs that cannot matter (and feed the
 * MMD's kernel sums, which are not decisions).  Memory is O(rows * k)
 * plus one block per thread: no pair table is ever stored.  Rows arrive
 * standardised (R standardises once).  Sums are accumulated per query row
 * and added up serially in row order, so the thread count never changes a
 * result. */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <limits.h>
#include <float.h>
#include <string.h>
#include <stdlib.h>

#define SG_MB SG_RB      /* reference rows per block, knn.c's layout */
#define SG_MCHUNK 8192   /* the most query rows between interrupt checks */
#define SG_MTERMS SG_CHUNK_TERMS /* the distance terms between them (knn.h) */
#define SG_NBINS 4096    /* histogram bins of the median's selection */
#define SG_SELECT_CAP 131072 /* values sorted directly, per thread */

/* Groups of four query rows between interrupt checks, for scans against
 * n reference rows of d columns: about SG_MTERMS distance terms, at least
 * two groups, at most SG_MCHUNK rows. */
static R_xlen_t sg_group_chunk(R_xlen_t n, int d) {
  R_xlen_t chunk = (R_xlen_t) (SG_MTERMS / (4.0 * (double) n * (d > 0 ? d : 1) + 1.0));
  if (chunk < 2) chunk = 2;
  if (chunk > SG_MCHUNK / 4) chunk = SG_MCHUNK / 4;
  return chunk;
}

/* Reference rows in knn.c's block layout (knn.h). */
typedef sg_blocks sg_mblocks;

/* x: column-major n x d, already standardised: every column kept. */
static void sg_mblocks_fill(sg_mblocks *b, const double *x, R_xlen_t n, int d) {
  int *cols = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  for (int j = 0; j < d; j++) cols[j] = j;
  sg_blocks_fill(b, x, n, d, NULL, NULL, cols, d);
}

/* A row-major copy of a column-major n x d matrix (each query's values
 * contiguous). */
static double *sg_row_major(const double *x, R_xlen_t n, int d) {
  double *out = (double *) R_alloc(n * (R_xlen_t) d > 0 ? n * (R_xlen_t) d : 1,
                                   sizeof(double));
  for (int j = 0; j < d; j++)
    for (R_xlen_t i = 0; i < n; i++) out[i * d + j] = x[i + (R_xlen_t) j * n];
  return out;
}

/* Squared distances: knn.c's canonical kernels (knn.h); the screen and
 * the exp kernel below have vector variants too, built and chosen as
 * knn.c's (SG_HAVE_AVX2_KERNEL, sg_cpu_level()). */

/* A visitor sees, for query row qi, the squared distances acc[from..cnt)
 * to reference rows r0 + from .. r0 + cnt - 1.  It runs inside a parallel
 * region: no R API, and it writes only to query qi's slots or to the
 * thread's own scratch (tid).  A non-zero return ends qi's scan. */
typedef int (*sg_visit_fn)(void *ctx, int tid, R_xlen_t qi, R_xlen_t r0,
                           int from, int cnt, const double *acc);

/* Every (query, reference) pair, or with `upper` (queries and references
 * the same rows) every pair i < j once, each distance measured the
 * canonical way (the median's selection needs every one exactly). */
static void sg_scan_pairs(const sg_mblocks *b, const double *qrow, R_xlen_t m,
                          int upper, sg_visit_fn visit, void *ctx,
                          int nthreads) {
  sg_sqdist_fn sqdist = sg_sqdist_kernel();
  double *acc_all = (double *) R_alloc((size_t) SG_MB * nthreads, sizeof(double));
  const int d = b->d;
  const R_xlen_t n = b->n;
  R_xlen_t chunk = (R_xlen_t) (SG_MTERMS / ((double) n * (d > 0 ? d : 1) + 1.0));
  if (chunk < 8) chunk = 8;
  if (chunk > SG_MCHUNK) chunk = SG_MCHUNK;
  for (R_xlen_t c0 = 0; c0 < m; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < m ? c0 + chunk : m;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthreads)
#endif
    for (R_xlen_t qi = c0; qi < c1; qi++) {
      int tid = omp_get_thread_num();
      double *acc = acc_all + (size_t) SG_MB * tid;
      const double *q = qrow + qi * d;
      R_xlen_t first = upper ? qi + 1 : 0;
      for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
        R_xlen_t r0 = blk * SG_MB;
        int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
        int from = (int) (first > r0 ? first - r0 : 0);
        sqdist(b, blk, q, acc);
        if (visit(ctx, tid, qi, r0, from, cnt, acc)) break;
      }
    }
    R_CheckUserInterrupt();
  }
}

/* ---------------------------------------------------------------------
 * The screened scan, for scans that act on few pairs (those inside a
 * ball, or nearer than the best so far): squared distances by the
 * expansion |q|^2 + |r|^2 - 2 q.r, the dot products from a register tile
 * of 4 queries x 8 rows (as knn.c's sg_dot_block).  The expansion loses
 * digits for near points, so it only screens: a visitor measures the
 * canonical distance (sg_sqdist_exact, knn.h) of every pair whose screened value, less
 * the bound `tol` on its rounding error, could matter, and decides on
 * that, so results are those of the direct scan.  The kernel sums of the
 * MMD use the screened values themselves (clamped at 0): their rounding,
 * below 1e-11 in a squared distance, is far below what an MMD resolves. */
/* A screened visitor sees query qi (its values q) against rows
 * from..cnt-1 of block blk: approx[t] is the screened squared distance,
 * within tol of the canonical one.  Same rules as sg_visit_fn. */
typedef int (*sg_screened_visit_fn)(void *ctx, R_xlen_t qi, const double *q,
                            const sg_mblocks *b, R_xlen_t blk, int from,
                            int cnt, const double *approx, double tol);

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_scan_screened(const sg_mblocks *b, const double *qrow,
                             R_xlen_t m, int upper, sg_screened_visit_fn visit,
                             void *ctx, int nthreads) {
  sg_dot_fn dotk = sg_dot_kernel();
  const int d = b->d;
  const R_xlen_t n = b->n;
  double *rnorm = (double *) R_alloc(b->n_blocks * SG_MB > 0 ? b->n_blocks * SG_MB : 1,
                                     sizeof(double));
  double *rmax = (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double));
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++) {
    double mx = 0.0;
    for (int t = 0; t < SG_MB; t++) {
      double acc = 0.0;
      for (int j = 0; j < d; j++) {
        double v = b->data[(blk * d + j) * SG_MB + t];
        acc += v * v;
      }
      rnorm[blk * SG_MB + t] = acc;
      if (acc > mx) mx = acc;
    }
    rmax[blk] = mx;
  }
  double *qnorm = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) acc += qrow[i * d + j] * qrow[i * d + j];
    qnorm[i] = acc;
  }
  double *dots_all = (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double));
  double *approx_all = (double *) R_alloc((size_t) SG_MB * nthreads, sizeof(double));
  R_xlen_t groups = (m + 3) / 4;
  R_xlen_t chunk = sg_group_chunk(n, d);
  for (R_xlen_t c0 = 0; c0 < groups; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < groups ? c0 + chunk : groups;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 2) num_threads(nthreads)
#endif
    for (R_xlen_t g = c0; g < c1; g++) {
      int tid = omp_get_thread_num();
      double *dots = dots_all + (size_t) 4 * SG_MB * tid;
      double *approx = approx_all + (size_t) SG_MB * tid;
      R_xlen_t q0 = g * 4;
      int nq = (int) (m - q0 < 4 ? m - q0 : 4);
      const double *qp[4];
      int done[4] = {0, 0, 0, 0};
      for (int u = 0; u < 4; u++) qp[u] = qrow + (q0 + (u < nq ? u : nq - 1)) * d;
      R_xlen_t first = upper ? q0 + 1 : 0;
      for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
        int open = 0;
        for (int u = 0; u < nq; u++) open += !done[u];
        if (open == 0) break;
        R_xlen_t r0 = blk * SG_MB;
        int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
        dotk(b, blk, qp[0], qp[1], qp[2], qp[3], dots);
        for (int u = 0; u < nq; u++) {
          if (done[u]) continue;
          R_xlen_t qi = q0 + u;
          R_xlen_t lo = upper ? qi + 1 : 0;
          int from = (int) (lo > r0 ? lo - r0 : 0);
          if (from >= cnt) continue;
          double qn = qnorm[qi];
          double tol = 8.0 * (d + 4) * DBL_EPSILON * (qn + rmax[blk]);
          const double *dq = dots + (size_t) u * SG_MB;
          const double *rn = rnorm + r0;
          for (int t = from; t < cnt; t++) approx[t] = qn + rn[t] - 2.0 * dq[t];
          done[u] = visit(ctx, qi, qp[u], b, blk, from, cnt, approx, tol);
        }
      }
    }
    R_CheckUserInterrupt();
  }
}

/* ---------------------------------------------------------------------
 * Balls.  A row q is inside the k-NN ball of a row r when
 * ||q - r|| <= radius[r]: the distance itself (the square root of the
 * canonical sum, as knn.c reports radii) decides; a widened squared radius
 * only spares the square root. */
static double *sg_widened_squares(const double *radius, R_xlen_t n) {
  double *r2 = (double *) R_alloc(n > 0 ? n : 1, sizeof(double));
  for (R_xlen_t i = 0; i < n; i++)
    r2[i] = radius[i] * radius[i] * (1.0 + 16.0 * DBL_EPSILON) + DBL_MIN;
  return r2;
}

/* Synthetic rows against the real rows of their class: how many real
 * balls hold each (precision, density), and its K nearest real rows of the
 * class (the DCR, the second-nearest, and the class's share of the k
 * nearest rows of the data for intrusion), in one scan.  The lists are in
 * (distance, row) order: rows come in increasing order and enter only when
 * strictly nearer, as in knn.c. */
typedef struct {
  const double *radius, *radius2; /* per real row; NULL: no counts */
  int *count;
  double *best;                   /* per query: K squared distances */
  int *best_i;                    /* and their rows */
  int K;
} sg_syn_ctx;

/* (the candidate counts run over the whole block in loops that vectorise:
 * most blocks hold no candidate and are left at that) */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static int sg_visit_syn(void *ctx, R_xlen_t qi, const double *q,
                        const sg_mblocks *b, R_xlen_t blk, int from, int cnt,
                        const double *approx, double tol) {
  sg_syn_ctx *c = (sg_syn_ctx *) ctx;
  const int K = c->K;
  double *bd = c->best + qi * K;
  int *bi = c->best_i + qi * K;
  double worst = bd[K - 1];
  int hits = 0;
  R_xlen_t r0 = blk * SG_MB;
  int cand = 0;
  if (c->radius) {
    const double *r2 = c->radius2 + r0;
    for (int t = from; t < cnt; t++)
      cand += approx[t] - tol <= (r2[t] > worst ? r2[t] : worst);
  } else {
    for (int t = from; t < cnt; t++) cand += approx[t] - tol <= worst;
  }
  if (cand == 0) return 0;
  for (int t = from; t < cnt; t++) {
    double limit = worst;
    if (c->radius && c->radius2[r0 + t] > limit) limit = c->radius2[r0 + t];
    if (approx[t] - tol > limit) continue;
    double v = sg_sqdist_exact(b, blk, t, q);
    if (v < worst) {
      sg_topk_insert(bd, bi, K, v, (int) (r0 + t));
      worst = bd[K - 1];
    }
    if (c->radius && v <= c->radius2[r0 + t] && sqrt(v) <= c->radius[r0 + t]) hits++;
  }
  c->count[qi] += hits;
  return 0;
}

/* Real rows against the synthetic rows judged: is each inside some
 * synthetic row's ball (recall), is some synthetic row inside its own ball
 * (coverage)?  A real row's scan ends when both are known. */
typedef struct {
  const double *syn_radius, *syn_radius2; /* NULL: no recall */
  const double *real_radius;              /* NULL: no coverage */
  int *recalled, *covered;
} sg_real_ctx;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static int sg_visit_real(void *ctx, R_xlen_t qi, const double *q,
                         const sg_mblocks *b, R_xlen_t blk, int from, int cnt,
                         const double *approx, double tol) {
  sg_real_ctx *c = (sg_real_ctx *) ctx;
  int rec = c->recalled[qi] || !c->syn_radius;
  int cov = c->covered[qi] || !c->real_radius;
  double rr = c->real_radius ? c->real_radius[qi] : 0.0;
  double rr2 = rr * rr * (1.0 + 16.0 * DBL_EPSILON) + DBL_MIN;
  R_xlen_t r0 = blk * SG_MB;
  int cand = 0;
  if (!rec) {
    const double *s2 = c->syn_radius2 + r0;
    double floor2 = cov ? R_NegInf : rr2;
    for (int t = from; t < cnt; t++)
      cand += approx[t] - tol <= (s2[t] > floor2 ? s2[t] : floor2);
  } else {
    for (int t = from; t < cnt; t++) cand += approx[t] - tol <= rr2;
  }
  if (cand == 0) return 0;
  for (int t = from; t < cnt && !(rec && cov); t++) {
    double limit = R_NegInf;
    if (!rec) limit = c->syn_radius2[r0 + t];
    if (!cov && rr2 > limit) limit = rr2;
    if (approx[t] - tol > limit) continue;
    double v = sg_sqdist_exact(b, blk, t, q);
    if (!rec && v <= c->syn_radius2[r0 + t] && sqrt(v) <= c->syn_radius[r0 + t]) rec = 1;
    if (!cov && v <= rr2 && sqrt(v) <= rr) cov = 1;
  }
  if (c->syn_radius) c->recalled[qi] = rec;
  if (c->real_radius) c->covered[qi] = cov;
  return rec && cov;
}

/* ---------------------------------------------------------------------
 * Both ball scans at once, with a single-precision screen.  The pairs
 * (synthetic row s, real row r) that the two scans above visit are the
 * same pairs seen from either side, so one pass over them serves the K
 * nearest real rows and the ball counts of s, coverage of r (s in r's
 * ball: the very condition a ball count counts) and recall of r (r in s's
 * ball).  The screen runs on float copies of the rows, centred on the real
 * rows' mean (distances do not change, norms and so the rounding shrink),
 * with float dot products, twice as many per instruction as in double; every
 * pair it passes is measured the canonical way in double and decided on
 * that, as above, so results are the same bits.
 *
 * Error bound, u = 2^-24, Q and R the squared norms of the float query
 * and row: rounding the centred values to float moves a squared distance
 * by at most 4u(Q + R) (|a^2 - b^2| = |a - b| |a + b|); the d-term float
 * dot product errs by at most d u |q||r| <= d u (Q + R) / 2, twice that
 * in 2 q.r; rounding |r|^2 to float and the subtraction add at most
 * 3u(Q + R).  So (d + 8) u (Q + R) bounds the screened value's error; the
 * screen allows four times that.  A per-row threshold (a ball's squared
 * radius t2) enters as |r|^2 - t2 rounded down, which adds at most
 * 3u (R + t2): allowed for by 8u times the block's largest t2.  The float
 * copies are knn.c's (sg_fblocks, sg_f32_fill(): knn.h), with t2. */

#define SG_U32 ((double) FLT_EPSILON / 2)

/* The screen of four queries against one block: row t passes for query u
 * when |r|^2 - 2 q.r < lim[u] or (with pnorm) |r|^2 - t2 - 2 q.r < plim[u];
 * the rows passing are written to hits[u * SG_MB ...], their number to
 * nh[u].  W rows per vector, two vectors per step, the dot products kept
 * in registers over the dimensions. */
#define SG_BALL_SCREEN_BODY(VF, VI, W)                                           \
  const float *base = f->data + blk * (R_xlen_t) d * SG_MB;                  \
  const float *rn = f->norm + blk * SG_MB;                                   \
  const float *pn = f->pnorm ? f->pnorm + blk * SG_MB : NULL;                \
  VF lim_v[4], plim_v[4], zero;                                              \
  memset(&zero, 0, sizeof zero);                                             \
  for (int u = 0; u < 4; u++) {                                              \
    float a[W], p[W];                                                        \
    for (int l = 0; l < W; l++) {                                            \
      a[l] = lim[u];                                                         \
      p[l] = pn ? plim[u] : -INFINITY;                                       \
    }                                                                        \
    memcpy(&lim_v[u], a, sizeof a);                                          \
    memcpy(&plim_v[u], p, sizeof p);                                         \
    nh[u] = 0;                                                               \
  }                                                                          \
  for (int t = 0; t < SG_MB; t += 2 * W) {                                   \
    VF acc[4][2];                                                            \
    for (int u = 0; u < 4; u++) acc[u][0] = acc[u][1] = zero;                \
    for (int j = 0; j < d; j++) {                                            \
      VF r0, r1;                                                             \
      memcpy(&r0, base + (R_xlen_t) j * SG_MB + t, sizeof r0);               \
      memcpy(&r1, base + (R_xlen_t) j * SG_MB + t + W, sizeof r1);           \
      for (int u = 0; u < 4; u++) {                                          \
        float qv = q[u][j];                                                  \
        acc[u][0] += r0 * qv;                                                \
        acc[u][1] += r1 * qv;                                                \
      }                                                                      \
    }                                                                        \
    VF n0, n1, p0, p1;                                                       \
    memcpy(&n0, rn + t, sizeof n0);                                          \
    memcpy(&n1, rn + t + W, sizeof n1);                                      \
    if (pn) {                                                                \
      memcpy(&p0, pn + t, sizeof p0);                                        \
      memcpy(&p1, pn + t + W, sizeof p1);                                    \
    } else {                                                                 \
      p0 = n0;                                                               \
      p1 = n1;                                                               \
    }                                                                        \
    VI pass[4][2], any = {0};                                                \
    for (int u = 0; u < 4; u++) {                                            \
      VF t0 = acc[u][0] + acc[u][0], t1 = acc[u][1] + acc[u][1];             \
      pass[u][0] = ((n0 - t0) < lim_v[u]) | ((p0 - t0) < plim_v[u]);         \
      pass[u][1] = ((n1 - t1) < lim_v[u]) | ((p1 - t1) < plim_v[u]);         \
      any |= pass[u][0] | pass[u][1];                                        \
    }                                                                        \
    int hit = 0;                                                             \
    for (int l = 0; l < W; l++) hit |= any[l];                               \
    if (!hit) continue;                                                      \
    for (int u = 0; u < 4; u++)                                              \
      for (int h = 0; h < 2; h++)                                            \
        for (int l = 0; l < W; l++)                                          \
          if (pass[u][h][l]) hits[u * SG_MB + nh[u]++] = t + h * W + l;      \
  }

#define SG_BALL_SCREEN_ARGS                                                      \
  (const sg_fblocks *f, int d, R_xlen_t blk, const float *const *q,             \
   const float *lim, const float *plim, int *hits, int *nh)

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_ball_screen_portable SG_BALL_SCREEN_ARGS {
  SG_BALL_SCREEN_BODY(sg_v8f, sg_v8i, 8)
}

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"), optimize("O3")))
static void sg_ball_screen_avx2 SG_BALL_SCREEN_ARGS {
  SG_BALL_SCREEN_BODY(sg_v8f, sg_v8i, 8)
}
#endif

#ifdef SG_HAVE_AVX512_KERNEL
__attribute__((target("avx512f,fma"), optimize("O3")))
static void sg_ball_screen_avx512 SG_BALL_SCREEN_ARGS {
  SG_BALL_SCREEN_BODY(sg_v16f, sg_v16i, 16)
}
#endif

sg_ball_screen_fn sg_ball_screen_kernel(void) {
  SG_RETURN_KERNEL(sg_ball_screen);
}

/* What one pass over the (synthetic, real) pairs fills: per synthetic row
 * its K nearest real rows (best, best_i) and, with the real radii, the
 * real balls holding it (count); per real row, with the radii, coverage,
 * and with the synthetic radii, recall. */
typedef struct {
  const double *real_radius, *real_radius2; /* per real row, or NULL */
  const double *syn_radius, *syn_radius2;   /* per synthetic row, or NULL */
  int *count;
  double *best;
  int *best_i;
  int K;
  int *covered, *recalled; /* per real row */
} sg_pairs_ctx;

/* FALSE (nothing done) when the values are too large for the float screen. */
static int sg_scan_pairs_f32(const sg_mblocks *rb, const double *qrow,
                             R_xlen_t m, sg_pairs_ctx *c, int nthreads) {
  const int d = rb->d;
  const R_xlen_t n = rb->n;
  sg_fblocks f;
  float *qf;
  double *qn;
  /* the widened squared radii, with padding */
  double *t2 = NULL;
  if (c->real_radius) {
    t2 = (double *) R_alloc(rb->n_blocks * SG_MB > 0 ? rb->n_blocks * SG_MB : 1,
                            sizeof(double));
    for (R_xlen_t i = 0; i < rb->n_blocks * SG_MB; i++)
      t2[i] = i < n ? c->real_radius2[i] : 0.0;
  }
  if (!sg_f32_fill(rb, t2, qrow, m, &f, &qf, &qn)) return 0;
  sg_ball_screen_fn screen = sg_ball_screen_kernel();
  const int K = c->K;
  /* coverage and recall are "some pair": each thread marks its own copy */
  char *cov_all = (char *) R_alloc((size_t) n * nthreads + 1, 1);
  char *rec_all = (char *) R_alloc((size_t) n * nthreads + 1, 1);
  memset(cov_all, 0, (size_t) n * nthreads + 1);
  memset(rec_all, 0, (size_t) n * nthreads + 1);
  int *hits_all = (int *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(int));
  R_xlen_t groups = (m + 3) / 4;
  R_xlen_t chunk = sg_group_chunk(n, d);
  for (R_xlen_t c0 = 0; c0 < groups; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < groups ? c0 + chunk : groups;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 2) num_threads(nthreads)
#endif
    for (R_xlen_t g = c0; g < c1; g++) {
      int tid = omp_get_thread_num();
      int *hits = hits_all + (size_t) 4 * SG_MB * tid;
      char *cov = cov_all + (size_t) n * tid;
      char *rec = rec_all + (size_t) n * tid;
      R_xlen_t q0 = g * 4;
      int nq = (int) (m - q0 < 4 ? m - q0 : 4);
      const float *qp[4];
      for (int u = 0; u < 4; u++) qp[u] = qf + (q0 + (u < nq ? u : nq - 1)) * d;
      for (R_xlen_t blk = 0; blk < rb->n_blocks; blk++) {
        R_xlen_t r0 = blk * SG_MB;
        int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
        float lim[4], plim[4];
        for (int u = 0; u < 4; u++) {
          R_xlen_t qi = q0 + (u < nq ? u : nq - 1);
          double qnu = qn[qi];
          double tol = 4.0 * (d + 8) * SG_U32 * (qnu + f.norm_max[blk]) +
                       1e-30 * (d + 1);
          double w = c->best[qi * K + K - 1];
          if (c->syn_radius && c->syn_radius2[qi] > w) w = c->syn_radius2[qi];
          lim[u] = sg_float_up(w + tol - qnu);
          plim[u] = sg_float_up(tol + 8.0 * SG_U32 * (f.t2_max[blk] + qnu) - qnu);
        }
        int nh[4];
        screen(&f, d, blk, qp, lim, plim, hits, nh);
        for (int u = 0; u < nq; u++) {
          R_xlen_t qi = q0 + u;
          const double *q = qrow + qi * d;
          double *bd = c->best + qi * K;
          int *bi = c->best_i + qi * K;
          int balls = 0;
          for (int h = 0; h < nh[u]; h++) {
            int t = hits[u * SG_MB + h];
            if (t >= cnt) continue;
            R_xlen_t r = r0 + t;
            double v = sg_sqdist_exact(rb, blk, t, q);
            if (v < bd[K - 1]) sg_topk_insert(bd, bi, K, v, (int) r);
            if (c->real_radius && v <= c->real_radius2[r] &&
                sqrt(v) <= c->real_radius[r]) {
              balls++;
              cov[r] = 1;
            }
            if (c->syn_radius && v <= c->syn_radius2[qi] &&
                sqrt(v) <= c->syn_radius[qi])
              rec[r] = 1;
          }
          c->count[qi] += balls;
        }
      }
    }
    R_CheckUserInterrupt();
  }
  for (R_xlen_t i = 0; i < n; i++) {
    int cv = 0, rc = 0;
    for (int t = 0; t < nthreads; t++) {
      cv |= cov_all[(size_t) n * t + i];
      rc |= rec_all[(size_t) n * t + i];
    }
    c->covered[i] = cv;
    c->recalled[i] = rc;
  }
  return 1;
}

/* ---------------------------------------------------------------------
 * exp(x) for x <= 0, in place, in a form that vectorises (libm's exp is
 * a call per value and dominates the kernel sums): x = k ln 2 + r with
 * |r| <= ln 2 / 2 (Cody and Waite's split of ln 2), exp(r) by its Taylor
 * polynomial of degree 13 (truncation below 1e-17), k rounded and 2^k
 * built through the bits of k + 1.5 * 2^52.  Within a few units in the
 * last place of libm's exp; x < -700 is taken as -700 (1e-304, where
 * libm's exp is as negligible).  No fused multiply-add, so both kernels
 * give the same bits. */
#define SG_EXP_BODY                                                       \
  /* (two loops: GCC vectorises neither if they are one) */               \
  for (int t = 0; t < n; t++) v[t] = v[t] > -700.0 ? v[t] : -700.0;       \
  for (int t = 0; t < n; t++) {                                           \
    double x = v[t];                                                      \
    /* round to the nearest k: the sum's rounding does it */             \
    double shifted = x * 1.44269504088896338700 + 6755399441055744.0;    \
    double k = shifted - 6755399441055744.0;                              \
    double r = (x - k * 6.93147180369123816490e-01) -                     \
               k * 1.90821492927058770002e-10;                            \
    double p = 1.6059043836821614599e-10;                                 \
    p = p * r + 2.0876756987868098979e-09;                                \
    p = p * r + 2.5052108385441718775e-08;                                \
    p = p * r + 2.7557319223985890653e-07;                                \
    p = p * r + 2.7557319223985890653e-06;                                \
    p = p * r + 2.4801587301587301587e-05;                                \
    p = p * r + 1.9841269841269841270e-04;                                \
    p = p * r + 1.3888888888888888889e-03;                                \
    p = p * r + 8.3333333333333333333e-03;                                \
    p = p * r + 4.1666666666666666667e-02;                                \
    p = p * r + 1.6666666666666666667e-01;                                \
    p = p * r + 0.5;                                                      \
    p = p * r + 1.0;                                                      \
    p = p * r + 1.0;                                                      \
    /* 2^k: k sits in the low bits of shifted = k + 1.5 * 2^52 */         \
    uint64_t bits;                                                        \
    memcpy(&bits, &shifted, sizeof bits);                                 \
    bits = (bits + 1023) << 52;                                           \
    double two_k;                                                         \
    memcpy(&two_k, &bits, sizeof two_k);                                  \
    v[t] = p * two_k;                                                     \
  }

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2"), optimize("O3", "fp-contract=off")))
static void sg_exp_avx2(double *v, int n) {
  SG_EXP_BODY
}
#endif

#ifdef SG_HAVE_AVX512_KERNEL
/* the same operations on eight lanes: the same bits */
__attribute__((target("avx512f"), optimize("O3", "fp-contract=off")))
static void sg_exp_avx512(double *v, int n) {
  SG_EXP_BODY
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3", "fp-contract=off")))
#endif
static void sg_exp_portable(double *v, int n) {
  SG_EXP_BODY
}

sg_exp_fn sg_exp_kernel(void) {
  SG_RETURN_KERNEL(sg_exp);
}

/* ---------------------------------------------------------------------
 * Gaussian kernel sums for the MMD: sum[qi] = sum over references of
 * exp(-||q - r||^2 * scale), the squared distances by the expansion
 * |q|^2 + |r|^2 - 2 q.r (as the screened scan computes them; not a
 * decision, so not recomputed).  Four queries at a time: their exp values
 * in one call, and their four sums, each over a block in row order and then
 * added to the query's total, advanced side by side (one sum's additions
 * wait on each other; four independent ones overlap).  Each sum sees the
 * same values in the same order as one query at a time would, so the same
 * bits. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_kernel_sums(const sg_mblocks *b, const double *qrow,
                           R_xlen_t m, int upper, double scale, double *sum,
                           int nthreads) {
  sg_dot_fn dotk = sg_dot_kernel();
  sg_exp_fn expk = sg_exp_kernel();
  const int d = b->d;
  const R_xlen_t n = b->n;
  double *rnorm = (double *) R_alloc(b->n_blocks * SG_MB > 0 ? b->n_blocks * SG_MB : 1,
                                     sizeof(double));
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++)
    for (int t = 0; t < SG_MB; t++) {
      double acc = 0.0;
      for (int j = 0; j < d; j++) {
        double v = b->data[(blk * d + j) * SG_MB + t];
        acc += v * v;
      }
      rnorm[blk * SG_MB + t] = acc;
    }
  double *qnorm = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) acc += qrow[i * d + j] * qrow[i * d + j];
    qnorm[i] = acc;
  }
  double *dots_all = (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double));
  double *e_all = (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double));
  R_xlen_t groups = (m + 3) / 4;
  R_xlen_t chunk = sg_group_chunk(n, d);
  for (R_xlen_t c0 = 0; c0 < groups; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < groups ? c0 + chunk : groups;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 2) num_threads(nthreads)
#endif
    for (R_xlen_t g = c0; g < c1; g++) {
      int tid = omp_get_thread_num();
      double *dots = dots_all + (size_t) 4 * SG_MB * tid;
      double *e = e_all + (size_t) 4 * SG_MB * tid;
      R_xlen_t q0 = g * 4;
      int nq = (int) (m - q0 < 4 ? m - q0 : 4);
      const double *qp[4];
      for (int u = 0; u < 4; u++) qp[u] = qrow + (q0 + (u < nq ? u : nq - 1)) * d;
      R_xlen_t first = upper ? q0 + 1 : 0;
      for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
        R_xlen_t r0 = blk * SG_MB;
        int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
        int from[4];
        for (int u = 0; u < 4; u++) {
          R_xlen_t lo = upper && u < nq ? q0 + u + 1 : 0;
          from[u] = u < nq ? (int) (lo > r0 ? (lo - r0 < cnt ? lo - r0 : cnt) : 0) : cnt;
        }
        dotk(b, blk, qp[0], qp[1], qp[2], qp[3], dots);
        for (int u = 0; u < 4; u++) {
          double qn = qnorm[q0 + (u < nq ? u : nq - 1)];
          const double *dq = dots + (size_t) u * SG_MB;
          const double *rn = rnorm + r0;
          double *eu = e + (size_t) u * SG_MB;
          for (int t = 0; t < cnt; t++) {
            double v = qn + rn[t] - 2.0 * dq[t];
            eu[t] = -(v > 0.0 ? v : 0.0) * scale;
          }
        }
        for (int u = 1; u < 4; u++)
          memmove(e + (size_t) u * cnt, e + (size_t) u * SG_MB, (size_t) cnt * sizeof(double));
        expk(e, 4 * cnt);
        /* pairs not to count add exact zeros: 0 + 0 = 0 and 0 + x = x */
        for (int u = 0; u < 4; u++)
          for (int t = 0; t < from[u]; t++) e[(size_t) u * cnt + t] = 0.0;
        const double *e0 = e, *e1 = e + cnt, *e2 = e + 2 * cnt, *e3 = e + 3 * cnt;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int t = 0; t < cnt; t++) {
          s0 += e0[t];
          s1 += e1[t];
          s2 += e2[t];
          s3 += e3[t];
        }
        double s[4] = {s0, s1, s2, s3};
        for (int u = 0; u < nq; u++)
          if (from[u] < cnt) sum[q0 + u] += s[u];
      }
    }
    R_CheckUserInterrupt();
  }
}

/* The same sums one query at a time through the screened scan (path 1,
 * for tests). */
typedef struct {
  double scale;
  double *sum;
  sg_exp_fn expk;
} sg_kernel_ctx;

static int sg_visit_kernel(void *ctx, R_xlen_t qi, const double *q,
                           const sg_mblocks *b, R_xlen_t blk, int from,
                           int cnt, const double *approx, double tol) {
  sg_kernel_ctx *c = (sg_kernel_ctx *) ctx;
  (void) q;
  (void) b;
  (void) blk;
  (void) tol;
  double e[SG_MB];
  int m = cnt - from;
  for (int t = 0; t < m; t++) {
    double v = approx[from + t];
    e[t] = -(v > 0.0 ? v : 0.0) * c->scale;
  }
  c->expk(e, m);
  double s = 0.0;
  for (int t = 0; t < m; t++) s += e[t];
  c->sum[qi] += s;
  return 0;
}

/* The mean kernel value over the pairs: all (query, reference) pairs, or
 * with `upper` the pairs i < j of one set (each unordered pair once). */
static double sg_kernel_mean(const sg_mblocks *b, const double *qrow,
                             R_xlen_t m, int upper, double scale,
                             int nthreads) {
  double *sum = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) sum[i] = 0.0;
  if (sg_metrics_path() == 1) {
    sg_kernel_ctx ctx = {scale, sum, sg_exp_kernel()};
    sg_scan_screened(b, qrow, m, upper, sg_visit_kernel, &ctx, nthreads);
  } else {
    sg_kernel_sums(b, qrow, m, upper, scale, sum, nthreads);
  }
  double total = 0.0;
  for (R_xlen_t i = 0; i < m; i++) total += sum[i];
  double pairs = upper ? (double) m * (double) (m - 1) / 2.0
                       : (double) m * (double) b->n;
  return total / pairs;
}

/* ---------------------------------------------------------------------
 * An order statistic of the squared distances of all pairs i < j of n
 * rows, exactly, in fixed memory: a histogram of the values still in
 * play narrows them down to one bin at a time until few enough remain to
 * sort.  The bin of a value is a monotone function of it (clamped to the
 * histogram's ends), so the values in play are always a contiguous run of
 * the sorted values, and the exact minimum and maximum of the chosen bin
 * become the next level's range.  The first level's range only needs to
 * be roughly right: values beyond it fall in the end bins. */
#define SG_MAX_LEVELS 64

typedef struct {
  int depth;
  double lo[SG_MAX_LEVELS], inv[SG_MAX_LEVELS];
  int bin[SG_MAX_LEVELS];
  double cur_lo, cur_inv;
  int collect;
  R_xlen_t *hist_n;          /* per thread: SG_NBINS counts */
  double *hist_lo, *hist_hi; /* per thread: SG_NBINS minima and maxima */
  double *buf;               /* per thread: SG_SELECT_CAP values */
  R_xlen_t *buf_n;           /* per thread */
} sg_select_ctx;

static inline int sg_bin_of(double v, double lo, double inv) {
  double x = (v - lo) * inv;
  if (!(x > 0)) return 0;
  if (x >= SG_NBINS) return SG_NBINS - 1;
  return (int) x;
}

static int sg_visit_select(void *ctx, int tid, R_xlen_t qi, R_xlen_t r0,
                           int from, int cnt, const double *acc) {
  sg_select_ctx *c = (sg_select_ctx *) ctx;
  (void) qi;
  (void) r0;
  R_xlen_t *hn = c->hist_n + (size_t) SG_NBINS * tid;
  double *hl = c->hist_lo + (size_t) SG_NBINS * tid;
  double *hh = c->hist_hi + (size_t) SG_NBINS * tid;
  for (int t = from; t < cnt; t++) {
    double v = acc[t];
    int in = 1;
    for (int l = 0; l < c->depth && in; l++)
      in = sg_bin_of(v, c->lo[l], c->inv[l]) == c->bin[l];
    if (!in) continue;
    if (c->collect) {
      /* the caller guarantees at most SG_SELECT_CAP values are in play */
      c->buf[(size_t) SG_SELECT_CAP * tid + c->buf_n[tid]++] = v;
    } else {
      int bb = sg_bin_of(v, c->cur_lo, c->cur_inv);
      hn[bb]++;
      if (v < hl[bb]) hl[bb] = v;
      if (v > hh[bb]) hh[bb] = v;
    }
  }
  return 0;
}

static void sg_select_pass(const sg_mblocks *b, const double *qrow,
                           sg_select_ctx *c, int collect, int nthreads) {
  c->collect = collect;
  for (size_t i = 0; i < (size_t) SG_NBINS * nthreads; i++) {
    c->hist_n[i] = 0;
    c->hist_lo[i] = R_PosInf;
    c->hist_hi[i] = R_NegInf;
  }
  for (int t = 0; t < nthreads; t++) c->buf_n[t] = 0;
  sg_scan_pairs(b, qrow, b->n, 1, sg_visit_select, c, nthreads);
  /* merge the threads into thread 0's slots (counts, minima and maxima do
   * not depend on the order) */
  for (int t = 1; t < nthreads; t++)
    for (int i = 0; i < SG_NBINS; i++) {
      size_t s = (size_t) SG_NBINS * t + i;
      c->hist_n[i] += c->hist_n[s];
      if (c->hist_lo[s] < c->hist_lo[i]) c->hist_lo[i] = c->hist_lo[s];
      if (c->hist_hi[s] > c->hist_hi[i]) c->hist_hi[i] = c->hist_hi[s];
    }
}

static int sg_cmp_double(const void *a, const void *b) {
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The squared-distance order statistics `rank` and rank + 1 (0-based;
 * *next is NA when rank is the last); `bound`: about the largest squared
 * distance. */
static void sg_pair_select(const sg_mblocks *b, const double *qrow,
                           R_xlen_t rank, double bound, double *value,
                           double *next, int nthreads) {
  sg_select_ctx c;
  memset(&c, 0, sizeof c);
  c.hist_n = (R_xlen_t *) R_alloc((size_t) SG_NBINS * nthreads, sizeof(R_xlen_t));
  c.hist_lo = (double *) R_alloc((size_t) SG_NBINS * nthreads, sizeof(double));
  c.hist_hi = (double *) R_alloc((size_t) SG_NBINS * nthreads, sizeof(double));
  c.buf_n = (R_xlen_t *) R_alloc(nthreads, sizeof(R_xlen_t));
  R_xlen_t total = b->n * (b->n - 1) / 2;
  *value = *next = NA_REAL;
  if (rank < 0 || rank >= total) return;
  R_xlen_t in_play = total, r = rank;
  c.cur_lo = 0.0;
  c.cur_inv = bound > 0 && R_FINITE(bound) ? SG_NBINS / bound : 1.0;
  for (;;) {
    if (in_play <= SG_SELECT_CAP) {
      c.buf = (double *) R_alloc((size_t) SG_SELECT_CAP * nthreads, sizeof(double));
      sg_select_pass(b, qrow, &c, 1, nthreads);
      R_xlen_t got = 0;
      for (int t = 0; t < nthreads; t++) {
        memmove(c.buf + got, c.buf + (size_t) SG_SELECT_CAP * t,
                (size_t) c.buf_n[t] * sizeof(double));
        got += c.buf_n[t];
      }
      qsort(c.buf, (size_t) got, sizeof(double), sg_cmp_double);
      *value = c.buf[r];
      if (r + 1 < got) *next = c.buf[r + 1];
      break;
    }
    /* each level after the first leaves fewer values in play (its
     * smallest and largest fall in different bins): never reached */
    if (c.depth == SG_MAX_LEVELS)
      Rf_error("internal: the median's selection did not converge.");
    sg_select_pass(b, qrow, &c, 0, nthreads);
    R_xlen_t below = 0;
    int bb = 0;
    while (bb < SG_NBINS - 1 && below + c.hist_n[bb] <= r) below += c.hist_n[bb++];
    c.lo[c.depth] = c.cur_lo;
    c.inv[c.depth] = c.cur_inv;
    c.bin[c.depth] = bb;
    c.depth++;
    r -= below;
    in_play = c.hist_n[bb];
    double lo = c.hist_lo[bb], hi = c.hist_hi[bb];
    if (!(hi > lo)) {
      /* every value in play is equal */
      *value = lo;
      if (r + 1 < in_play) *next = lo;
      break;
    }
    c.cur_lo = lo;
    c.cur_inv = SG_NBINS / (hi - lo);
  }
  /* rank + 1 outside the values in play at the end: select it anew */
  if (ISNAN(*next) && rank + 1 < total) {
    double unused;
    sg_pair_select(b, qrow, rank + 1, bound, next, &unused, nthreads);
  }
}

/* The same two order statistics from the screened scan (the expansion
 * |q|^2 + |r|^2 - 2 q.r, within T of the canonical value for every pair):
 * a histogram of the screened values finds a range [L, H] that holds the
 * two screened order statistics, so the canonical ones lie in
 * [L - T, H + T]; a second pass counts the pairs surely below that range
 * (screened value below L - 2T), measures the canonical value of the pairs
 * whose screened value is within 2T of the range, and keeps those inside
 * it.  The order statistics are read off the kept values, sorted: the same
 * values as the canonical passes, at the cost of two screened passes.
 * FALSE (nothing done) when too many values fall in the range. */
typedef struct {
  double lo, inv;
  R_xlen_t *hist;            /* per thread: SG_NBINS counts */
  double below_at, above_at; /* screened: surely below, surely above */
  double keep_lo, keep_hi;   /* canonical: the range kept */
  R_xlen_t *below;           /* per thread */
  double *buf;               /* per thread: SG_SELECT_CAP values */
  R_xlen_t *buf_n;           /* per thread */
  int *overflow;             /* per thread */
  int collect;
} sg_fselect_ctx;

/* (the bins and counts in loops that vectorise; few pairs need more) */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static int sg_visit_fselect(void *ctx, R_xlen_t qi, const double *q,
                            const sg_mblocks *b, R_xlen_t blk, int from,
                            int cnt, const double *approx, double tol) {
  sg_fselect_ctx *c = (sg_fselect_ctx *) ctx;
  int tid = omp_get_thread_num();
  (void) qi;
  (void) tol;
  if (!c->collect) {
    R_xlen_t *h = c->hist + (size_t) SG_NBINS * tid;
    int bin[SG_MB];
    const double lo = c->lo, inv = c->inv, top = SG_NBINS - 1;
    for (int t = from; t < cnt; t++) {
      double x = (approx[t] - lo) * inv;
      x = x > 0.0 ? x : 0.0;
      x = x < top ? x : top;
      bin[t] = (int) x;
    }
    for (int t = from; t < cnt; t++) h[bin[t]]++;
    return 0;
  }
  R_xlen_t below = 0;
  int cand = 0;
  const double below_at = c->below_at, above_at = c->above_at;
  for (int t = from; t < cnt; t++) {
    below += approx[t] < below_at;
    cand += (approx[t] >= below_at) & (approx[t] <= above_at);
  }
  double *buf = c->buf + (size_t) SG_SELECT_CAP * tid;
  for (int t = from; t < cnt && cand > 0; t++) {
    double a = approx[t];
    if (a >= below_at && a <= above_at) {
      cand--;
      double e = sg_sqdist_exact(b, blk, t, q);
      if (e < c->keep_lo) {
        below++;
      } else if (e <= c->keep_hi) {
        if (c->buf_n[tid] < SG_SELECT_CAP) buf[c->buf_n[tid]++] = e;
        else c->overflow[tid] = 1;
      }
    }
  }
  c->below[tid] += below;
  return 0;
}

static int sg_pair_select_screened(const sg_mblocks *b, const double *qrow,
                                   R_xlen_t rank, double bound,
                                   double *value, double *next, int nthreads) {
  const R_xlen_t n = b->n;
  const int d = b->d;
  R_xlen_t total = n * (n - 1) / 2;
  if (rank < 0 || rank >= total || !(bound > 0) || !R_FINITE(bound)) return 0;
  R_xlen_t rank2 = rank + 1 < total ? rank + 1 : rank;
  /* T: the screen's bound (sg_scan_screened()) for the largest norms */
  double big = 0.0;
  for (R_xlen_t i = 0; i < n; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) acc += qrow[i * d + j] * qrow[i * d + j];
    if (acc > big) big = acc;
  }
  double T = 8.0 * (d + 4) * DBL_EPSILON * (2.0 * big) * (1.0 + 1e-6);
  sg_fselect_ctx c;
  memset(&c, 0, sizeof c);
  c.lo = 0.0;
  c.inv = SG_NBINS / bound;
  c.hist = (R_xlen_t *) R_alloc((size_t) SG_NBINS * nthreads, sizeof(R_xlen_t));
  for (size_t i = 0; i < (size_t) SG_NBINS * nthreads; i++) c.hist[i] = 0;
  sg_scan_screened(b, qrow, n, 1, sg_visit_fselect, &c, nthreads);
  for (int t = 1; t < nthreads; t++)
    for (int i = 0; i < SG_NBINS; i++) c.hist[i] += c.hist[(size_t) SG_NBINS * t + i];
  /* the bins of the two screened order statistics, one bin wider on each
   * side (binning rounds); the end bins are open */
  int b1 = -1, b2 = -1;
  R_xlen_t seen = 0;
  for (int i = 0; i < SG_NBINS; i++) {
    seen += c.hist[i];
    if (b1 < 0 && seen > rank) b1 = i;
    if (b2 < 0 && seen > rank2) b2 = i;
  }
  if (b1 < 0 || b2 < 0) return 0;
  double L = b1 <= 1 ? R_NegInf : c.lo + (b1 - 1) / c.inv;
  double H = b2 >= SG_NBINS - 2 ? R_PosInf : c.lo + (b2 + 2) / c.inv;
  c.keep_lo = L - T;
  c.keep_hi = H + T;
  c.below_at = L - 2.0 * T;
  c.above_at = H + 2.0 * T;
  c.collect = 1;
  c.below = (R_xlen_t *) R_alloc(nthreads, sizeof(R_xlen_t));
  c.buf_n = (R_xlen_t *) R_alloc(nthreads, sizeof(R_xlen_t));
  c.overflow = (int *) R_alloc(nthreads, sizeof(int));
  for (int t = 0; t < nthreads; t++) {
    c.below[t] = c.buf_n[t] = 0;
    c.overflow[t] = 0;
  }
  c.buf = (double *) R_alloc((size_t) SG_SELECT_CAP * nthreads, sizeof(double));
  sg_scan_screened(b, qrow, n, 1, sg_visit_fselect, &c, nthreads);
  R_xlen_t below = 0, got = 0;
  for (int t = 0; t < nthreads; t++) {
    if (c.overflow[t]) return 0;
    below += c.below[t];
    memmove(c.buf + got, c.buf + (size_t) SG_SELECT_CAP * t,
            (size_t) c.buf_n[t] * sizeof(double));
    got += c.buf_n[t];
  }
  /* never otherwise, by the bounds above; checked all the same */
  if (rank < below || rank2 - below >= got) return 0;
  qsort(c.buf, (size_t) got, sizeof(double), sg_cmp_double);
  *value = c.buf[rank - below];
  *next = rank + 1 < total ? c.buf[rank2 - below] : NA_REAL;
  return 1;
}

/* The median distance over all pairs of rows (R's median of dist()). */
static double sg_median_pair_distance(const sg_mblocks *b, const double *qrow,
                                      int nthreads) {
  R_xlen_t n = b->n;
  int d = b->d;
  if (n < 2) return NA_REAL;
  /* squared distances are at most (2 max ||x_i - mean||)^2 */
  double *mean = (double *) R_alloc(d, sizeof(double));
  for (int j = 0; j < d; j++) mean[j] = 0.0;
  for (R_xlen_t i = 0; i < n; i++)
    for (int j = 0; j < d; j++) mean[j] += qrow[i * d + j] / n;
  double far = 0.0;
  for (R_xlen_t i = 0; i < n; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) acc += (qrow[i * d + j] - mean[j]) * (qrow[i * d + j] - mean[j]);
    if (acc > far) far = acc;
  }
  R_xlen_t pairs = n * (n - 1) / 2;
  double lo, hi;
  if (sg_metrics_path() == 1 ||
      !sg_pair_select_screened(b, qrow, (pairs - 1) / 2, 4.0 * far, &lo, &hi, nthreads))
    sg_pair_select(b, qrow, (pairs - 1) / 2, 4.0 * far, &lo, &hi, nthreads);
  if (pairs % 2 == 1) return sqrt(lo);
  return (sqrt(lo) + sqrt(hi)) / 2.0;
}

/* ---------------------------------------------------------------------
 * Entry points. */

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

static SEXP sg_na_real(R_xlen_t n) {
  SEXP out = Rf_allocVector(REALSXP, n);
  double *p = REAL(out);
  for (R_xlen_t i = 0; i < n; i++) p[i] = NA_REAL;
  return out;
}

static SEXP sg_na_logical(R_xlen_t n) {
  SEXP out = Rf_allocVector(LGLSXP, n);
  int *p = LOGICAL(out);
  for (R_xlen_t i = 0; i < n; i++) p[i] = NA_LOGICAL;
  return out;
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
  sg_check_double_matrix(whole, "whole");
  int d = Rf_ncols(whole);
  if (d < 1) Rf_error("`whole` must have at least one column.");
  sg_check_rows(whole, "whole", d);
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
  const double *S = REAL_RO(syn), *W = REAL_RO(whole);
  const int *yy = INTEGER_RO(y);

  /* the class's real rows and the others, each with its row of whole */
  R_xlen_t p = 0;
  for (R_xlen_t i = 0; i < n; i++) p += yy[i] == c;
  R_xlen_t n_other = n - p;
  int *own_row = (int *) R_alloc(p > 0 ? p : 1, sizeof(int));
  int *other_row = (int *) R_alloc(n_other > 0 ? n_other : 1, sizeof(int));
  for (R_xlen_t i = 0, a = 0, o = 0; i < n; i++) {
    if (yy[i] == c) own_row[a++] = (int) i; else other_row[o++] = (int) i;
  }
  double *R_ = (double *) R_alloc(p * d > 0 ? p * d : 1, sizeof(double));
  double *O = (double *) R_alloc(n_other * d > 0 ? n_other * d : 1, sizeof(double));
  for (int j = 0; j < d; j++) {
    for (R_xlen_t i = 0; i < p; i++) R_[i + j * p] = W[own_row[i] + (R_xlen_t) j * n];
    for (R_xlen_t i = 0; i < n_other; i++)
      O[i + j * n_other] = W[other_row[i] + (R_xlen_t) j * n];
  }

  const char *names[] = {"real_nn", "real_radius", "recalled", "covered",
                         "dcr", "dcr2", "balls", "syn_radius", "intrusion"};
  const int n_out = 9;
  SEXP out = PROTECT(Rf_allocVector(VECSXP, n_out)); nprot++;
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, n_out)); nprot++;
  for (int i = 0; i < n_out; i++) SET_STRING_ELT(nm, i, Rf_mkChar(names[i]));
  Rf_setAttrib(out, R_NamesSymbol, nm);
  SET_VECTOR_ELT(out, 0, sg_na_real(p));
  SET_VECTOR_ELT(out, 1, sg_na_real(p));
  SET_VECTOR_ELT(out, 2, sg_na_logical(p));
  SET_VECTOR_ELT(out, 3, sg_na_logical(p));
  SET_VECTOR_ELT(out, 4, sg_na_real(q));
  SET_VECTOR_ELT(out, 5, sg_na_real(q));
  SEXP balls = Rf_allocVector(INTSXP, q);
  SET_VECTOR_ELT(out, 6, balls);
  for (R_xlen_t i = 0; i < q; i++) INTEGER(balls)[i] = NA_INTEGER;
  SET_VECTOR_ELT(out, 7, sg_na_real(q));
  SET_VECTOR_ELT(out, 8, sg_na_real(q));
  double *real_nn = REAL(VECTOR_ELT(out, 0)), *real_rad = REAL(VECTOR_ELT(out, 1));
  int *recalled = LOGICAL(VECTOR_ELT(out, 2)), *covered = LOGICAL(VECTOR_ELT(out, 3));
  double *dcr = REAL(VECTOR_ELT(out, 4)), *dcr2 = REAL(VECTOR_ELT(out, 5));
  int *nballs = INTEGER(balls);
  double *syn_rad = REAL(VECTOR_ELT(out, 7)), *intr = REAL(VECTOR_ELT(out, 8));
  int *idx;
  double *dist;

  /* the real rows' own neighbourhoods: always all of them */
  int have_real_radius = 0;
  if (!Rf_isNull(known)) {
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
    have_real_radius = 1;
  } else if (p >= 2) {
    int kr = (R_xlen_t) kk < p ? kk : (int) (p - 1);
    sg_metrics_knn(R_, p, d, NULL, p, kr, NULL, &idx, &dist, req);
    for (R_xlen_t i = 0; i < p; i++) real_nn[i] = dist[i];
    if (kr == kk) {
      have_real_radius = 1;
      for (R_xlen_t i = 0; i < p; i++)
        real_rad[i] = dist[i + (R_xlen_t) (kk - 1) * p];
    }
  }
  if (q == 0 || p == 0) {
    UNPROTECT(nprot);
    return out;
  }

  /* the synthetic rows' own neighbourhoods, within the rows judged */
  int have_syn_radius = 0;
  if (q >= 2) {
    int ks = (R_xlen_t) kk < q ? kk : (int) (q - 1);
    sg_metrics_knn(S, q, d, NULL, q, ks, NULL, &idx, &dist, req);
    if (ks == kk) {
      have_syn_radius = 1;
      for (R_xlen_t i = 0; i < q; i++)
        syn_rad[i] = dist[i + (R_xlen_t) (kk - 1) * q];
    }
  }

  /* the K nearest real rows of the class and the real balls holding each
   * synthetic row; recall and coverage of the real rows */
  int K = kk > 2 ? kk : 2;
  if ((R_xlen_t) K > p) K = (int) p;
  double *best = (double *) R_alloc((size_t) q * K, sizeof(double));
  int *best_i = (int *) R_alloc((size_t) q * K, sizeof(int));
  for (size_t i = 0; i < (size_t) q * K; i++) {
    best[i] = R_PosInf;
    best_i[i] = -1;
  }
  sg_mblocks rb;
  sg_mblocks_fill(&rb, R_, p, d);
  for (R_xlen_t i = 0; i < q; i++) nballs[i] = 0;
  const double *real_rad2 = have_real_radius ? sg_widened_squares(real_rad, p) : NULL;
  const double *syn_rad2 = have_syn_radius ? sg_widened_squares(syn_rad, q) : NULL;
  const double *srow = sg_row_major(S, q, d);
  int nth = sg_threads_for(req, (double) p * (double) q * d);
  int *rec = (int *) R_alloc(p, sizeof(int));
  int *cov = (int *) R_alloc(p, sizeof(int));
  for (R_xlen_t i = 0; i < p; i++) rec[i] = cov[i] = 0;
  sg_pairs_ctx pc = {have_real_radius ? real_rad : NULL, real_rad2,
                     have_syn_radius ? syn_rad : NULL, syn_rad2,
                     nballs, best, best_i, K, cov, rec};
  if (sg_metrics_path() == 1 || !sg_scan_pairs_f32(&rb, srow, q, &pc, nth)) {
    /* the double scans: from the synthetic rows, then from the real ones */
    sg_syn_ctx ctx = {have_real_radius ? real_rad : NULL, real_rad2,
                      nballs, best, best_i, K};
    sg_scan_screened(&rb, srow, q, 0, sg_visit_syn, &ctx, nth);
    if (have_syn_radius || have_real_radius) {
      sg_mblocks sb;
      sg_mblocks_fill(&sb, S, q, d);
      sg_real_ctx rctx = {have_syn_radius ? syn_rad : NULL, syn_rad2,
                          have_real_radius ? real_rad : NULL, rec, cov};
      sg_scan_screened(&sb, sg_row_major(R_, p, d), p, 0, sg_visit_real, &rctx, nth);
    }
  }
  for (R_xlen_t i = 0; i < q; i++) {
    dcr[i] = sqrt(best[i * K]);
    if (K >= 2) dcr2[i] = sqrt(best[i * K + 1]);
    if (!have_real_radius) nballs[i] = NA_INTEGER;
  }
  for (R_xlen_t i = 0; i < p; i++) {
    if (have_syn_radius) recalled[i] = rec[i];
    if (have_real_radius) covered[i] = cov[i];
  }

  /* intrusion: the k nearest rows of the data are the k nearest of the
   * class's (from the scan above) merged with the k nearest of the other
   * classes', in (distance, row of whole) order */
  int kw = (R_xlen_t) kk < n ? kk : (int) n;
  int ko = (R_xlen_t) kk < n_other ? kk : (int) n_other;
  int kown = kk < K ? kk : K;
  if (ko > 0) sg_metrics_knn(O, n_other, d, S, q, ko, NULL, &idx, &dist, req);
  for (R_xlen_t i = 0; i < q; i++) {
    int a = 0, o = 0, other = 0;
    for (int j = 0; j < kw; j++) {
      double da = a < kown ? sqrt(best[i * K + a]) : R_PosInf;
      double dob = o < ko ? dist[i + (R_xlen_t) o * q] : R_PosInf;
      int ra = a < kown ? own_row[best_i[i * K + a]] : INT_MAX;
      int ro = o < ko ? other_row[idx[i + (R_xlen_t) o * q] - 1] : INT_MAX;
      if (o < ko && (a >= kown || dob < da || (dob == da && ro < ra))) {
        other++;
        o++;
      } else {
        a++;
      }
    }
    intr[i] = (double) other / kw;
  }
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


/* x: N x d (standardised), rows: 1-based rows of x to test, radius >= 0,
 * directions: d x m, orthonormal columns (each is normalised here).
 * Returns one logical per row of `rows`. */
SEXP ffi_metrics_near(SEXP x, SEXP rows, SEXP radius, SEXP directions,
                      SEXP threads) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  int d = Rf_ncols(x);
  if (d < 1) Rf_error("`x` must have at least one column.");
  sg_check_rows(x, "x", d);
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

  /* unit directions (a zero column becomes the first axis) */
  double *u = (double *) R_alloc((size_t) d * m, sizeof(double));
  for (int t = 0; t < m; t++) {
    const double *col = REAL_RO(directions) + (R_xlen_t) t * d;
    double norm = 0.0;
    for (int j = 0; j < d; j++) norm += col[j] * col[j];
    norm = sqrt(norm);
    for (int j = 0; j < d; j++) u[t * d + j] = norm > 0 ? col[j] / norm : (j == 0);
  }
  const double *xr = sg_row_major(REAL_RO(x), N, d);
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

  SEXP out = PROTECT(Rf_allocVector(LGLSXP, q)); nprot++;
  int *o = LOGICAL(out);
  int nth = sg_threads_for(req, (double) q * (double) N * m / 16.0);
  /* a window may hold every row: bound the work between interrupt checks */
  R_xlen_t chunk = (R_xlen_t) (SG_MTERMS / ((double) N * d + 1.0));
  if (chunk < 64) chunk = 64;
  if (chunk > 4096) chunk = 4096;
  for (R_xlen_t c0 = 0; c0 < q; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < q ? c0 + chunk : q;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16) num_threads(nth)
#endif
    for (R_xlen_t t = c0; t < c1; t++) {
      int r = rw[t] - 1;
      R_xlen_t s0 = where[r];
      const double *p0 = sp + s0 * m;
      const double *a = xr + (R_xlen_t) r * d;
      int found = 0;
      if (grid) {
        double margin = window * (1.0 + 1e-6);
        double first = floor((p0[0] - margin) / window);
        double last = floor((p0[0] + margin) / window);
        for (double slab = first; slab <= last && !found; slab++) {
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
            if (sqrt(sg_sqdist_row(a, xr + (R_xlen_t) order[s].i * d, d)) < rad) {
              found = 1;
              break;
            }
          }
        }
      }
      for (int dir = -1; dir <= 1 && !found && !grid; dir += 2) {
        for (R_xlen_t s = s0 + dir; s >= 0 && s < N; s += dir) {
          const double *ps = sp + s * m;
          if (fabs(ps[0] - p0[0]) > window) break;
          int inside = 1;
          for (int v = 1; v < m && inside; v++) inside = fabs(ps[v] - p0[v]) <= window;
          if (!inside) continue;
          if (sqrt(sg_sqdist_row(a, xr + (R_xlen_t) order[s].i * d, d)) < rad) {
            found = 1;
            break;
          }
        }
      }
      o[t] = found;
    }
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
  sg_check_double_matrix(real, "real");
  int d = Rf_ncols(real);
  if (d < 1) Rf_error("`real` must have at least one column.");
  sg_check_rows(real, "real", d);
  sg_check_rows(syn, "syn", d);
  R_xlen_t m = Rf_nrows(real), n = Rf_nrows(syn);
  if (m < 2 || n < 2) Rf_error("`real` and `syn` need at least two rows each.");
  int req = sg_int_scalar(threads, "threads");
  int nth_xx = sg_threads_for(req, (double) m * m * d / 2);
  int nth_yy = sg_threads_for(req, (double) n * n * d / 2);
  int nth_xy = sg_threads_for(req, (double) m * n * d);

  sg_mblocks bx, by;
  sg_mblocks_fill(&bx, REAL_RO(real), m, d);
  sg_mblocks_fill(&by, REAL_RO(syn), n, d);
  const double *qx = sg_row_major(REAL_RO(real), m, d);
  const double *qy = sg_row_major(REAL_RO(syn), n, d);

  double sigma = sg_median_pair_distance(&bx, qx, nth_xx);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, 5)); nprot++;
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
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, 5)); nprot++;
  const char *names[] = {"mmd2", "sigma", "kxx", "kyy", "kxy"};
  for (int i = 0; i < 5; i++) SET_STRING_ELT(nm, i, Rf_mkChar(names[i]));
  Rf_setAttrib(out, R_NamesSymbol, nm);
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

/* Equal rows (as sg_row_cmp sees them) get equal hashes. */
static uint64_t sg_row_hash(const double *x, int p) {
  uint64_t h = 1469598103934665603ULL;
  for (int j = 0; j < p; j++) {
    double v = ISNAN(x[j]) ? NA_REAL : (x[j] == 0.0 ? 0.0 : x[j]);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (ISNAN(x[j])) bits = 0x7ff00000000007a2ULL;
    h ^= bits + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 1099511628211ULL;
  }
  return h;
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
  int *idx = (int *) R_alloc(n > 0 ? n : 1, sizeof(int));
  int *tmp = (int *) R_alloc(n > 0 ? n : 1, sizeof(int));
  sg_hashed *hs = (sg_hashed *) R_alloc(n > 0 ? n : 1, sizeof(sg_hashed));
  for (int i = 0; i < n; i++) {
    hs[i].h = sg_row_hash(v + (size_t) i * p, p);
    hs[i].i = i;
  }
  qsort(hs, (size_t) n, sizeof(sg_hashed), sg_cmp_hashed);
  for (int i = 0; i < n; i++) idx[i] = hs[i].i;
  /* within a run of equal hashes (a collision may mix rows), by value */
  for (int start = 0; start < n;) {
    int end = start + 1;
    while (end < n && hs[end].h == hs[start].h) end++;
    if (end - start > 1) sg_row_sort(&s, idx + start, tmp, end - start);
    start = end;
  }

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
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2)); nprot++;
  SET_VECTOR_ELT(out, 0, dup_real);
  SET_VECTOR_ELT(out, 1, dup_syn);
  SEXP nm = PROTECT(Rf_allocVector(STRSXP, 2)); nprot++;
  SET_STRING_ELT(nm, 0, Rf_mkChar("real"));
  SET_STRING_ELT(nm, 1, Rf_mkChar("synthetic"));
  Rf_setAttrib(out, R_NamesSymbol, nm);
  UNPROTECT(nprot);
  return out;
}

/* ---------------------------------------------------------------------
 * Two-sample Kolmogorov-Smirnov statistics, one per column: each sample's
 * values sorted (a radix sort on keys that order like the doubles), then
 * one walk over both, comparing the two distribution functions after the
 * last of each run of equal values.  The same divisions as R's
 * cumsum(...) / n, so the same bits as the plain-R statistic. */

/* A key that orders like the double (NaN excluded; -0 taken as 0). */
static inline uint64_t sg_order_key(double x) {
  uint64_t u;
  if (x == 0.0) x = 0.0;
  memcpy(&u, &x, sizeof u);
  return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

#define SG_RADIX_BITS 11
#define SG_RADIX_SIZE (1 << SG_RADIX_BITS)
#define SG_RADIX_PASSES 6 /* 6 x 11 bits cover 64 */

/* Sorts v[0..n) in place, tmp: n more; passes whose digit is the same in
 * every key are skipped. */
static void sg_radix_sort(uint64_t *v, uint64_t *tmp, R_xlen_t n,
                          R_xlen_t *count) {
  for (int p = 0; p < SG_RADIX_PASSES * SG_RADIX_SIZE; p++) count[p] = 0;
  for (R_xlen_t i = 0; i < n; i++)
    for (int p = 0; p < SG_RADIX_PASSES; p++)
      count[p * SG_RADIX_SIZE + ((v[i] >> (p * SG_RADIX_BITS)) & (SG_RADIX_SIZE - 1))]++;
  uint64_t *src = v, *dst = tmp;
  for (int p = 0; p < SG_RADIX_PASSES; p++) {
    R_xlen_t *c = count + p * SG_RADIX_SIZE;
    if (n == 0 || c[(src[0] >> (p * SG_RADIX_BITS)) & (SG_RADIX_SIZE - 1)] == n) continue;
    R_xlen_t pos = 0;
    for (int b = 0; b < SG_RADIX_SIZE; b++) {
      R_xlen_t k = c[b];
      c[b] = pos;
      pos += k;
    }
    for (R_xlen_t i = 0; i < n; i++)
      dst[c[(src[i] >> (p * SG_RADIX_BITS)) & (SG_RADIX_SIZE - 1)]++] = src[i];
    uint64_t *s = src;
    src = dst;
    dst = s;
  }
  if (src != v) memcpy(v, src, (size_t) n * sizeof(uint64_t));
}

static int sg_key_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
  return (x > y) - (x < y);
}

/* Below this many keys a comparison sort beats the radix sort, whose
 * 6 x 2048 counters cost the same for 10 keys as for 1,000 (the fidelity
 * check of every sg_oversample() call sorts classes of a few rows). Both
 * give the same sorted keys. */
#define SG_RADIX_MIN 128

/* The non-missing values of x[0..n) as sorted keys; returns their number. */
static R_xlen_t sg_sorted_keys(const double *x, R_xlen_t n, uint64_t *out,
                               uint64_t *tmp, R_xlen_t *count) {
  R_xlen_t m = 0;
  for (R_xlen_t i = 0; i < n; i++)
    if (!ISNAN(x[i])) out[m++] = sg_order_key(x[i]);
  if (m < SG_RADIX_MIN) qsort(out, (size_t) m, sizeof(uint64_t), sg_key_cmp);
  else sg_radix_sort(out, tmp, m, count);
  return m;
}

/* real (nr x d) and syn (ns x d) doubles, NA allowed: the KS statistic of
 * each column (NA when a side has no values). */
SEXP ffi_metrics_ks(SEXP real, SEXP syn) {
  int nprot = 0;
  int d = sg_real_syn_columns(real, syn);
  R_xlen_t nr = Rf_nrows(real), ns = Rf_nrows(syn);
  R_xlen_t big = nr > ns ? nr : ns;
  uint64_t *a = (uint64_t *) R_alloc(nr > 0 ? nr : 1, sizeof(uint64_t));
  uint64_t *b = (uint64_t *) R_alloc(ns > 0 ? ns : 1, sizeof(uint64_t));
  uint64_t *tmp = (uint64_t *) R_alloc(big > 0 ? big : 1, sizeof(uint64_t));
  R_xlen_t *count = (R_xlen_t *) R_alloc(SG_RADIX_PASSES * SG_RADIX_SIZE,
                                         sizeof(R_xlen_t));
  SEXP out = PROTECT(Rf_allocVector(REALSXP, d)); nprot++;
  double *o = REAL(out);
  for (int j = 0; j < d; j++) {
    R_xlen_t na = sg_sorted_keys(REAL_RO(real) + (R_xlen_t) j * nr, nr, a, tmp, count);
    R_xlen_t nb = sg_sorted_keys(REAL_RO(syn) + (R_xlen_t) j * ns, ns, b, tmp, count);
    if (na == 0 || nb == 0) {
      o[j] = NA_REAL;
      continue;
    }
    double stat = 0.0;
    R_xlen_t i = 0, k = 0;
    while (i < na || k < nb) {
      uint64_t v = i < na && (k >= nb || a[i] <= b[k]) ? a[i] : b[k];
      while (i < na && a[i] == v) i++;
      while (k < nb && b[k] == v) k++;
      double diff = fabs((double) i / (double) na - (double) k / (double) nb);
      if (diff > stat) stat = diff;
    }
    o[j] = stat;
  }
  UNPROTECT(nprot);
  return out;
}
