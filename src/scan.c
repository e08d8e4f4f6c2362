/* The pair scans of the metrics (metrics.c, sg_diagnose()).
 *
 * The metrics' k-nearest-neighbour searches are sg_knn_search() (knn.c).
 * What needs every pair rather than the k nearest -- counting the real rows
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
#include "scan.h"
#include <float.h>
#include <string.h>
#include <stdlib.h>

#define SG_MB SG_RB      /* reference rows per block, knn.c's layout */
#define SG_MCHUNK 8192   /* the most query rows between interrupt checks */
#define SG_NBINS 4096    /* histogram bins of the median's selection */
#define SG_SELECT_CAP 131072 /* values sorted directly, per thread */

/* The m query rows in groups of four against n reference rows of d
 * columns (sg_for_groups(), knn.h): at least two groups between interrupt
 * checks, at most SG_MCHUNK rows. */
static void sg_for_quads(R_xlen_t m, R_xlen_t n, int d, sg_group_fn group,
                         void *ctx, int nthreads) {
  sg_for_groups(m, 4, 4.0 * (double) n * (d > 0 ? d : 1), 2, SG_MCHUNK / 4, 2,
                group, ctx, nthreads);
}

/* Reference rows in knn.c's block layout (knn.h); x: column-major n x d,
 * already standardised: every column kept. */
void sg_blocks_all(sg_blocks *b, const double *x, R_xlen_t n, int d) {
  int *cols = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  for (int j = 0; j < d; j++) cols[j] = j;
  sg_blocks_fill(b, x, n, d, NULL, NULL, cols, d, 1);
}

/* A row-major copy of a column-major n x d matrix (each query's values
 * contiguous). */
double *sg_row_major(const double *x, R_xlen_t n, int d) {
  double *out = (double *) R_alloc(n * (R_xlen_t) d > 0 ? n * (R_xlen_t) d : 1,
                                   sizeof(double));
  for (int j = 0; j < d; j++)
    for (R_xlen_t i = 0; i < n; i++) out[i * d + j] = x[i + (R_xlen_t) j * n];
  return out;
}

/* Squared distances: knn.c's canonical kernels (knn.h); the ball screen
 * and the exp kernel below have vector variants too, built and chosen as
 * every kernel is (simd.h). */

/* A visitor sees, for query row qi, the squared distances acc[from..cnt)
 * to reference rows r0 + from .. r0 + cnt - 1.  It runs inside a parallel
 * region: no R API, and it writes only to query qi's slots or to the
 * thread's own scratch (tid).  A non-zero return ends qi's scan. */
typedef int (*sg_visit_fn)(void *ctx, int tid, R_xlen_t qi, R_xlen_t r0,
                           int from, int cnt, const double *acc);

/* What the pair scan's rows read. */
typedef struct {
  const sg_blocks *b;
  const double *qrow;
  int upper;
  sg_visit_fn visit;
  void *ctx;
  sg_sqdist_fn sqdist;
  double *acc_all;  /* per thread: SG_MB */
} sg_pairs_scan;

/* Query row qi (a group of one) against every block, until its visitor
 * ends it. */
static void sg_pairs_row(void *ctx, int tid, R_xlen_t qi, int nq) {
  const sg_pairs_scan *ps = (const sg_pairs_scan *) ctx;
  const sg_blocks *b = ps->b;
  const R_xlen_t n = b->n;
  double *acc = ps->acc_all + (size_t) SG_MB * tid;
  const double *q = ps->qrow + qi * b->d;
  R_xlen_t first = ps->upper ? qi + 1 : 0;
  (void) nq;
  for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_MB;
    int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
    int from = (int) (first > r0 ? first - r0 : 0);
    ps->sqdist(b, blk, cnt, q, acc);
    if (ps->visit(ps->ctx, tid, qi, r0, from, cnt, acc)) break;
  }
}

/* Every (query, reference) pair, or with `upper` (queries and references
 * the same rows) every pair i < j once, each distance measured the
 * canonical way (the median's selection needs every one exactly). */
static void sg_scan_pairs(const sg_blocks *b, const double *qrow, R_xlen_t m,
                          int upper, sg_visit_fn visit, void *ctx,
                          int nthreads) {
  sg_pairs_scan ps = {b, qrow, upper, visit, ctx, sg_sqdist_kernel(),
                      (double *) R_alloc((size_t) SG_MB * nthreads, sizeof(double))};
  sg_for_groups(m, 1, (double) b->n * (b->d > 0 ? b->d : 1), 8, SG_MCHUNK, 4,
                sg_pairs_row, &ps, nthreads);
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
                            const sg_blocks *b, R_xlen_t blk, int from,
                            int cnt, const double *approx, double tol);

/* What every group of the screened scan reads, and its scratch. */
typedef struct {
  const sg_blocks *b;
  const double *qrow;
  R_xlen_t m;
  int upper;
  sg_screened_visit_fn visit;
  void *ctx;
  sg_dot_fn dotk;
  const double *rnorm, *rmax, *qnorm;
  double *dots_all, *approx_all;  /* per thread: 4 x SG_MB, SG_MB */
} sg_screened_scan;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_screened_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_screened_scan *sc = (const sg_screened_scan *) ctx;
  const sg_blocks *b = sc->b;
  const int d = b->d, upper = sc->upper;
  const R_xlen_t n = b->n;
  double *dots = sc->dots_all + (size_t) 4 * SG_MB * tid;
  double *approx = sc->approx_all + (size_t) SG_MB * tid;
  const double *qp[4];
  int done[4] = {0, 0, 0, 0};
  for (int u = 0; u < 4; u++) qp[u] = sc->qrow + (q0 + (u < nq ? u : nq - 1)) * d;
  R_xlen_t first = upper ? q0 + 1 : 0;
  for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
    int open = 0;
    for (int u = 0; u < nq; u++) open += !done[u];
    if (open == 0) break;
    R_xlen_t r0 = blk * SG_MB;
    int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
    sc->dotk(b, blk, qp[0], qp[1], qp[2], qp[3], dots);
    for (int u = 0; u < nq; u++) {
      if (done[u]) continue;
      R_xlen_t qi = q0 + u;
      R_xlen_t lo = upper ? qi + 1 : 0;
      int from = (int) (lo > r0 ? lo - r0 : 0);
      if (from >= cnt) continue;
      double qn = sc->qnorm[qi];
      double tol = sg_f64_tol(d, qn, sc->rmax[blk]);
      const double *dq = dots + (size_t) u * SG_MB;
      const double *rn = sc->rnorm + r0;
      for (int t = from; t < cnt; t++) approx[t] = qn + rn[t] - 2.0 * dq[t];
      done[u] = sc->visit(sc->ctx, qi, qp[u], b, blk, from, cnt, approx, tol);
    }
  }
}

static void sg_scan_screened(const sg_blocks *b, const double *qrow,
                             R_xlen_t m, int upper, sg_screened_visit_fn visit,
                             void *ctx, int nthreads) {
  double *rmax;
  const double *rnorm = sg_block_norms(b, &rmax);
  sg_screened_scan sc = {
    b, qrow, m, upper, visit, ctx, sg_dot_kernel(), rnorm, rmax,
    sg_row_norms(qrow, m, b->d),
    (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double)),
    (double *) R_alloc((size_t) SG_MB * nthreads, sizeof(double))};
  sg_for_quads(m, b->n, b->d, sg_screened_group, &sc, nthreads);
}

/* ---------------------------------------------------------------------
 * Balls.  A row q is inside the k-NN ball of a row r when
 * ||q - r|| <= radius[r]: the distance itself (the square root of the
 * canonical sum, as knn.c reports radii) decides; a widened squared radius
 * only spares the square root. */
static inline double sg_widened_square(double radius) {
  return radius * radius * (1.0 + 16.0 * DBL_EPSILON) + DBL_MIN;
}

static double *sg_widened_squares(const double *radius, R_xlen_t n) {
  double *r2 = (double *) R_alloc(n > 0 ? n : 1, sizeof(double));
  for (R_xlen_t i = 0; i < n; i++) r2[i] = sg_widened_square(radius[i]);
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
                        const sg_blocks *b, R_xlen_t blk, int from, int cnt,
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
                         const sg_blocks *b, R_xlen_t blk, int from, int cnt,
                         const double *approx, double tol) {
  sg_real_ctx *c = (sg_real_ctx *) ctx;
  int rec = c->recalled[qi] || !c->syn_radius;
  int cov = c->covered[qi] || !c->real_radius;
  double rr = c->real_radius ? c->real_radius[qi] : 0.0;
  double rr2 = sg_widened_square(rr);
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
    SG_SCREEN_HITS(pass, any, W, t, hits, SG_MB, nh)                         \
  }

#define SG_BALL_SCREEN_ARGS                                                      \
  (const sg_fblocks *f, int d, R_xlen_t blk, const float *const *q,             \
   const float *lim, const float *plim, int *hits, int *nh)

SG_KERNEL_VARIANTS(void, sg_ball_screen, SG_BALL_SCREEN_ARGS, "avx2,fma", "avx512f,fma",
                   SG_BALL_SCREEN_BODY, (sg_v8f, sg_v8i, 8), (sg_v16f, sg_v16i, 16))

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

/* What the float pass reads: the reference rows, their float copies, the
 * queries (double and float, with the float ones' squared norms). */
typedef struct {
  const sg_blocks *rb;
  sg_fblocks f;
  sg_ball_screen_fn screen;
  const double *qrow;
  float *qf;
  double *qn;
  sg_pairs_ctx *c;
  int *hits_all;            /* per thread: 4 x SG_MB */
  char *cov_all, *rec_all;  /* per thread: one mark per real row */
} sg_f32_pass;

/* The four queries q0.. (nq of them) against block blk: screened, then
 * every pair passing measured the canonical way and counted; cov and rec
 * the thread's own marks, hits its scratch. */
static void sg_ball_pairs_block(const sg_f32_pass *fp, sg_pairs_ctx *c,
                                R_xlen_t q0, int nq, R_xlen_t blk, int *hits,
                                char *cov, char *rec) {
  const sg_blocks *rb = fp->rb;
  const int d = rb->d, K = c->K;
  const R_xlen_t n = rb->n;
  const float *qp[4];
  for (int u = 0; u < 4; u++) qp[u] = fp->qf + (q0 + (u < nq ? u : nq - 1)) * d;
  R_xlen_t r0 = blk * SG_MB;
  int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
  float lim[4], plim[4];
  for (int u = 0; u < 4; u++) {
    R_xlen_t qi = q0 + (u < nq ? u : nq - 1);
    double qnu = fp->qn[qi];
    double tol = sg_f32_tol(d, qnu, fp->f.norm_max[blk]);
    double w = c->best[qi * K + K - 1];
    if (c->syn_radius && c->syn_radius2[qi] > w) w = c->syn_radius2[qi];
    lim[u] = sg_float_up(w + tol - qnu);
    plim[u] = sg_float_up(tol + 8.0 * SG_U32 * (fp->f.t2_max[blk] + qnu) - qnu);
  }
  int nh[4];
  fp->screen(&fp->f, d, blk, qp, lim, plim, hits, nh);
  for (int u = 0; u < nq; u++) {
    R_xlen_t qi = q0 + u;
    const double *q = fp->qrow + qi * d;
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

static void sg_ball_pairs_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_f32_pass *fp = (const sg_f32_pass *) ctx;
  const R_xlen_t n = fp->rb->n;
  int *hits = fp->hits_all + (size_t) 4 * SG_MB * tid;
  char *cov = fp->cov_all + (size_t) n * tid;
  char *rec = fp->rec_all + (size_t) n * tid;
  for (R_xlen_t blk = 0; blk < fp->rb->n_blocks; blk++)
    sg_ball_pairs_block(fp, fp->c, q0, nq, blk, hits, cov, rec);
}

/* FALSE (nothing done) when the values are too large for the float screen. */
static int sg_scan_pairs_f32(const sg_blocks *rb, const double *qrow,
                             R_xlen_t m, sg_pairs_ctx *c, int nthreads) {
  const int d = rb->d;
  const R_xlen_t n = rb->n;
  sg_f32_pass fp;
  fp.rb = rb;
  fp.qrow = qrow;
  fp.c = c;
  /* the widened squared radii, with padding */
  double *t2 = NULL;
  if (c->real_radius) {
    t2 = (double *) R_alloc(rb->n_blocks * SG_MB > 0 ? rb->n_blocks * SG_MB : 1,
                            sizeof(double));
    for (R_xlen_t i = 0; i < rb->n_blocks * SG_MB; i++)
      t2[i] = i < n ? c->real_radius2[i] : 0.0;
  }
  if (!sg_f32_fill(rb, t2, qrow, m, &fp.f, &fp.qf, &fp.qn, nthreads)) return 0;
  fp.screen = sg_ball_screen_kernel();
  /* coverage and recall are "some pair": each thread marks its own copy */
  char *cov_all = (char *) R_alloc((size_t) n * nthreads + 1, 1);
  char *rec_all = (char *) R_alloc((size_t) n * nthreads + 1, 1);
  memset(cov_all, 0, (size_t) n * nthreads + 1);
  memset(rec_all, 0, (size_t) n * nthreads + 1);
  fp.cov_all = cov_all;
  fp.rec_all = rec_all;
  fp.hits_all = (int *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(int));
  sg_for_quads(m, n, d, sg_ball_pairs_group, &fp, nthreads);
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

/* The ball scan of one class (scan.h): the float pass over the pairs,
 * or (values too large for floats, or the test switch) the two double
 * scans, from the synthetic rows and from the real ones. */
void sg_ball_scan(const double *own, R_xlen_t p, const double *syn,
                  R_xlen_t q, int d, const double *real_radius,
                  const double *syn_radius, int K, double *best, int *best_i,
                  int *nballs, int *rec, int *cov, int nthreads) {
  for (size_t i = 0; i < (size_t) q * K; i++) {
    best[i] = R_PosInf;
    best_i[i] = -1;
  }
  for (R_xlen_t i = 0; i < q; i++) nballs[i] = 0;
  for (R_xlen_t i = 0; i < p; i++) rec[i] = cov[i] = 0;
  sg_blocks rb;
  sg_blocks_all(&rb, own, p, d);
  const double *real_rad2 = real_radius ? sg_widened_squares(real_radius, p) : NULL;
  const double *syn_rad2 = syn_radius ? sg_widened_squares(syn_radius, q) : NULL;
  const double *srow = sg_row_major(syn, q, d);
  sg_pairs_ctx pc = {real_radius, real_rad2, syn_radius, syn_rad2,
                     nballs, best, best_i, K, cov, rec};
  if (sg_metrics_path() != 1 && sg_scan_pairs_f32(&rb, srow, q, &pc, nthreads))
    return;
  sg_syn_ctx ctx = {real_radius, real_rad2, nballs, best, best_i, K};
  sg_scan_screened(&rb, srow, q, 0, sg_visit_syn, &ctx, nthreads);
  if (syn_radius || real_radius) {
    sg_blocks sb;
    sg_blocks_all(&sb, syn, q, d);
    sg_real_ctx rctx = {syn_radius, syn_rad2, real_radius, rec, cov};
    sg_scan_screened(&sb, sg_row_major(own, p, d), p, 0, sg_visit_real, &rctx,
                     nthreads);
  }
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
/* What every group of the kernel sums reads, and its scratch. */
typedef struct {
  const sg_blocks *b;
  const double *qrow;
  int upper;
  double scale;
  double *sum;
  sg_dot_fn dotk;
  sg_exp_fn expk;
  const double *rnorm, *qnorm;
  double *dots_all, *e_all;  /* per thread: 4 x SG_MB each */
} sg_kernel_scan;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_kernel_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_kernel_scan *ks = (const sg_kernel_scan *) ctx;
  const sg_blocks *b = ks->b;
  const int d = b->d, upper = ks->upper;
  const R_xlen_t n = b->n;
  const double scale = ks->scale;
  double *sum = ks->sum;
  double *dots = ks->dots_all + (size_t) 4 * SG_MB * tid;
  double *e = ks->e_all + (size_t) 4 * SG_MB * tid;
  const double *qp[4];
  for (int u = 0; u < 4; u++) qp[u] = ks->qrow + (q0 + (u < nq ? u : nq - 1)) * d;
  R_xlen_t first = upper ? q0 + 1 : 0;
  for (R_xlen_t blk = first / SG_MB; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_MB;
    int cnt = (int) (n - r0 < SG_MB ? n - r0 : SG_MB);
    int from[4];
    for (int u = 0; u < 4; u++) {
      R_xlen_t lo = upper && u < nq ? q0 + u + 1 : 0;
      from[u] = u < nq ? (int) (lo > r0 ? (lo - r0 < cnt ? lo - r0 : cnt) : 0) : cnt;
    }
    ks->dotk(b, blk, qp[0], qp[1], qp[2], qp[3], dots);
    for (int u = 0; u < 4; u++) {
      double qn = ks->qnorm[q0 + (u < nq ? u : nq - 1)];
      const double *dq = dots + (size_t) u * SG_MB;
      const double *rn = ks->rnorm + r0;
      double *eu = e + (size_t) u * SG_MB;
      for (int t = 0; t < cnt; t++) {
        double v = qn + rn[t] - 2.0 * dq[t];
        eu[t] = -(v > 0.0 ? v : 0.0) * scale;
      }
    }
    for (int u = 1; u < 4; u++)
      memmove(e + (size_t) u * cnt, e + (size_t) u * SG_MB, (size_t) cnt * sizeof(double));
    ks->expk(e, 4 * cnt);
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

static void sg_kernel_sums(const sg_blocks *b, const double *qrow,
                           R_xlen_t m, int upper, double scale, double *sum,
                           int nthreads) {
  sg_kernel_scan ks = {
    b, qrow, upper, scale, sum, sg_dot_kernel(), sg_exp_kernel(),
    sg_block_norms(b, NULL), sg_row_norms(qrow, m, b->d),
    (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double)),
    (double *) R_alloc((size_t) 4 * SG_MB * nthreads, sizeof(double))};
  sg_for_quads(m, b->n, b->d, sg_kernel_group, &ks, nthreads);
}

/* The same sums one query at a time through the screened scan (path 1,
 * for tests). */
typedef struct {
  double scale;
  double *sum;
  sg_exp_fn expk;
} sg_kernel_ctx;

static int sg_visit_kernel(void *ctx, R_xlen_t qi, const double *q,
                           const sg_blocks *b, R_xlen_t blk, int from,
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
double sg_kernel_mean(const sg_blocks *b, const double *qrow,
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

static void sg_select_pass(const sg_blocks *b, const double *qrow,
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
static void sg_pair_select(const sg_blocks *b, const double *qrow,
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
                            const sg_blocks *b, R_xlen_t blk, int from,
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

static int sg_pair_select_screened(const sg_blocks *b, const double *qrow,
                                   R_xlen_t rank, double bound,
                                   double *value, double *next, int nthreads) {
  const R_xlen_t n = b->n;
  const int d = b->d;
  R_xlen_t total = n * (n - 1) / 2;
  if (rank < 0 || rank >= total || !(bound > 0) || !R_FINITE(bound)) return 0;
  R_xlen_t rank2 = rank + 1 < total ? rank + 1 : rank;
  /* T: the screen's bound (sg_scan_screened()) for the largest norms */
  const double *norm = sg_row_norms(qrow, n, d);
  double big = 0.0;
  for (R_xlen_t i = 0; i < n; i++)
    if (norm[i] > big) big = norm[i];
  double T = sg_f64_tol(d, big, big) * (1.0 + 1e-6);
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
double sg_median_pair_distance(const sg_blocks *b, const double *qrow,
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

