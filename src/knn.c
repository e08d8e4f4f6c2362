/* Exact Euclidean k nearest neighbours by cache-blocked brute force.
 *
 * The reference rows are copied once into blocks of SG_RB rows laid out
 * dimension by dimension ([block][dimension][row]), so that the distance
 * loop runs over contiguous memory and vectorises.  Every squared distance
 * is summed over the dimensions in their natural order, the one canonical
 * way, so any path that calls sg_sqdist_block() finds the same neighbours (see sg_sqdist_kernel()).
 * Rows are scanned in increasing index order and a candidate only enters
 * the list when strictly nearer than the current k-th, which breaks ties
 * by the smaller index without an explicit comparison. */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <limits.h>
#include <string.h>
#include <float.h>

#define SG_QB 32  /* queries per task */

/* Coordinates beyond this would overflow a squared distance (1e300 for
 * 1e4 dimensions); also catches NaN from a missing centre or scale. */
#define SG_MAX_ABS 1e148

static void sg_magnitude_error(void) {
  Rf_error("Coordinates must be finite and at most 1e148 in absolute value "
           "(after centring and scaling), or squared distances overflow.");
}

/* Copy rows of a column-major n x d matrix into the block layout, keeping
 * only the columns with a positive scale and standardising them. */
void sg_blocks_fill(sg_blocks *b, const double *x, R_xlen_t n, int d,
                    const double *center, const double *scale,
                    const int *cols, int dk) {
  b->n = n;
  b->d = dk;
  b->n_blocks = (n + SG_RB - 1) / SG_RB;
  R_xlen_t len = b->n_blocks * (R_xlen_t) dk * SG_RB;
  b->data = (double *) R_alloc(len > 0 ? len : 1, sizeof(double));
  for (R_xlen_t i = 0; i < len; i++) b->data[i] = 0.0;
  for (int jj = 0; jj < dk; jj++) {
    int j = cols[jj];
    const double *col = x + (R_xlen_t) j * n;
    double c = center ? center[j] : 0.0, s = scale ? scale[j] : 1.0;
    for (R_xlen_t i = 0; i < n; i++) {
      R_xlen_t blk = i / SG_RB, t = i % SG_RB;
      double v = (col[i] - c) / s;
      if (!(fabs(v) <= SG_MAX_ABS)) sg_magnitude_error();
      b->data[(blk * dk + jj) * SG_RB + t] = v;
    }
  }
  (void) d;
}

/* Squared distances from one query (dk values) to the SG_RB rows of block
 * blk (padding rows included: they are never read back).  The inner loop
 * is over rows with a fixed trip count, so it vectorises for any dk.  The
 * sum runs over dimensions in their natural order with no fused
 * multiply-add, so every kernel gives the same bits. */
#if defined(__GNUC__)
/* 16 rows' sums kept in registers across the dimensions */
#define SG_SQDIST_BODY                                              \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;     \
  const int d = b->d;                                               \
  for (int t = 0; t < SG_RB; t += 16) {                             \
    sg_v4d a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;    \
    for (int j = 0; j < d; j++) {                                   \
      const double *col = base + (R_xlen_t) j * SG_RB + t;          \
      const double qj = q[j];                                       \
      const sg_v4d qv = {qj, qj, qj, qj};                           \
      sg_v4d r0, r1, r2, r3;                                        \
      memcpy(&r0, col, sizeof r0);                                  \
      memcpy(&r1, col + 4, sizeof r1);                              \
      memcpy(&r2, col + 8, sizeof r2);                              \
      memcpy(&r3, col + 12, sizeof r3);                             \
      r0 -= qv; r1 -= qv; r2 -= qv; r3 -= qv;                       \
      a0 += r0 * r0; a1 += r1 * r1; a2 += r2 * r2; a3 += r3 * r3;   \
    }                                                               \
    memcpy(acc + t, &a0, sizeof a0);                                \
    memcpy(acc + t + 4, &a1, sizeof a1);                            \
    memcpy(acc + t + 8, &a2, sizeof a2);                            \
    memcpy(acc + t + 12, &a3, sizeof a3);                           \
  }
#else
#define SG_SQDIST_BODY                                              \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;     \
  for (int t = 0; t < SG_RB; t++) acc[t] = 0.0;                     \
  for (int j = 0; j < b->d; j++) {                                  \
    const double *col = base + (R_xlen_t) j * SG_RB;                \
    const double qj = q[j];                                         \
    for (int t = 0; t < SG_RB; t++) {                               \
      double diff = col[t] - qj;                                    \
      acc[t] += diff * diff;                                        \
    }                                                               \
  }
#endif

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2"), optimize("O3", "fp-contract=off")))
static void sg_sqdist_block_avx2(const sg_blocks *b, R_xlen_t blk,
                                 const double *q, double *acc) {
  SG_SQDIST_BODY
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3", "fp-contract=off")))
#endif
static void sg_sqdist_block_portable(const sg_blocks *b, R_xlen_t blk,
                                     const double *q, double *acc) {
  SG_SQDIST_BODY
}

/* The kernel for this CPU, chosen at run time (AVX2 without FMA will do:
 * the sum has no multiply-add). */
sg_sqdist_fn sg_sqdist_kernel(void) {
#ifdef SG_HAVE_AVX2_KERNEL
  __builtin_cpu_init();
  if (sg_isa_cap() >= 1 && __builtin_cpu_supports("avx2")) return sg_sqdist_block_avx2;
#endif
  return sg_sqdist_block_portable;
}

/* ---------------------------------------------------------------------
 * The fast path for more than a few dimensions: squared distances by the
 * expansion |q|^2 + |r|^2 - 2 q.r, the dot products from a register-tiled
 * kernel (4 queries x 8 rows at a time).  The expansion loses digits for
 * near points, so it only screens: a row whose screened distance, less a
 * bound on its rounding error, is below the current k-th is measured again
 * the canonical way (sg_sqdist_exact) and enters with that exact value.
 * Both paths therefore return the same neighbours and the same bits. */

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3", "fp-contract=off")))
#endif
double sg_sqdist_exact(const sg_blocks *b, R_xlen_t blk, int t,
                              const double *q) {
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;
  double acc = 0.0;
  for (int j = 0; j < b->d; j++) {
    double diff = base[(R_xlen_t) j * SG_RB + t] - q[j];
    double sq = diff * diff;
    acc = acc + sq;
  }
  return acc;
}

#if defined(__GNUC__)
#define SG_DOT_BODY                                                        \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;           \
  const int d = b->d;                                                      \
  for (int t = 0; t < SG_RB; t += 8) {                                     \
    sg_v4d a00 = {0, 0, 0, 0}, a01 = a00, a10 = a00, a11 = a00;            \
    sg_v4d a20 = a00, a21 = a00, a30 = a00, a31 = a00;                     \
    for (int j = 0; j < d; j++) {                                          \
      sg_v4d r0, r1;                                                       \
      memcpy(&r0, base + (R_xlen_t) j * SG_RB + t, sizeof r0);             \
      memcpy(&r1, base + (R_xlen_t) j * SG_RB + t + 4, sizeof r1);         \
      double x0 = q0[j], x1 = q1[j], x2 = q2[j], x3 = q3[j];               \
      sg_v4d b0 = {x0, x0, x0, x0}, b1 = {x1, x1, x1, x1};                 \
      sg_v4d b2 = {x2, x2, x2, x2}, b3 = {x3, x3, x3, x3};                 \
      a00 += r0 * b0; a01 += r1 * b0;                                      \
      a10 += r0 * b1; a11 += r1 * b1;                                      \
      a20 += r0 * b2; a21 += r1 * b2;                                      \
      a30 += r0 * b3; a31 += r1 * b3;                                      \
    }                                                                      \
    memcpy(out + t, &a00, sizeof a00);                                     \
    memcpy(out + t + 4, &a01, sizeof a01);                                 \
    memcpy(out + SG_RB + t, &a10, sizeof a10);                             \
    memcpy(out + SG_RB + t + 4, &a11, sizeof a11);                         \
    memcpy(out + 2 * SG_RB + t, &a20, sizeof a20);                         \
    memcpy(out + 2 * SG_RB + t + 4, &a21, sizeof a21);                     \
    memcpy(out + 3 * SG_RB + t, &a30, sizeof a30);                         \
    memcpy(out + 3 * SG_RB + t + 4, &a31, sizeof a31);                     \
  }
#else
#define SG_DOT_BODY                                                        \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;           \
  const double *qs[4] = {q0, q1, q2, q3};                                  \
  for (int u = 0; u < 4; u++)                                              \
    for (int t = 0; t < SG_RB; t++) {                                      \
      double acc = 0.0;                                                    \
      for (int j = 0; j < b->d; j++)                                       \
        acc += base[(R_xlen_t) j * SG_RB + t] * qs[u][j];                  \
      out[u * SG_RB + t] = acc;                                            \
    }
#endif

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"), optimize("O3")))
static void sg_dot_block_avx2(const sg_blocks *b, R_xlen_t blk,
                              const double *q0, const double *q1,
                              const double *q2, const double *q3,
                              double *out) {
  SG_DOT_BODY
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_dot_block_portable(const sg_blocks *b, R_xlen_t blk,
                                  const double *q0, const double *q1,
                                  const double *q2, const double *q3,
                                  double *out) {
  SG_DOT_BODY
}

#ifdef SG_HAVE_AVX512_KERNEL
/* The same tile, 16 rows wide, in 512-bit registers where the CPU has
 * AVX-512F. */
__attribute__((target("avx512f"), optimize("O3")))
static void sg_dot_block_avx512(const sg_blocks *b, R_xlen_t blk,
                                const double *q0, const double *q1,
                                const double *q2, const double *q3,
                                double *out) {
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;
  const int d = b->d;
  for (int t = 0; t < SG_RB; t += 16) {
    sg_v8d a00 = {0, 0, 0, 0, 0, 0, 0, 0}, a01 = a00, a10 = a00, a11 = a00;
    sg_v8d a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int j = 0; j < d; j++) {
      sg_v8d r0, r1;
      memcpy(&r0, base + (R_xlen_t) j * SG_RB + t, sizeof r0);
      memcpy(&r1, base + (R_xlen_t) j * SG_RB + t + 8, sizeof r1);
      double x0 = q0[j], x1 = q1[j], x2 = q2[j], x3 = q3[j];
      sg_v8d b0 = {x0, x0, x0, x0, x0, x0, x0, x0};
      sg_v8d b1 = {x1, x1, x1, x1, x1, x1, x1, x1};
      sg_v8d b2 = {x2, x2, x2, x2, x2, x2, x2, x2};
      sg_v8d b3 = {x3, x3, x3, x3, x3, x3, x3, x3};
      a00 += r0 * b0; a01 += r1 * b0;
      a10 += r0 * b1; a11 += r1 * b1;
      a20 += r0 * b2; a21 += r1 * b2;
      a30 += r0 * b3; a31 += r1 * b3;
    }
    memcpy(out + t, &a00, sizeof a00);
    memcpy(out + t + 8, &a01, sizeof a01);
    memcpy(out + SG_RB + t, &a10, sizeof a10);
    memcpy(out + SG_RB + t + 8, &a11, sizeof a11);
    memcpy(out + 2 * SG_RB + t, &a20, sizeof a20);
    memcpy(out + 2 * SG_RB + t + 8, &a21, sizeof a21);
    memcpy(out + 3 * SG_RB + t, &a30, sizeof a30);
    memcpy(out + 3 * SG_RB + t + 8, &a31, sizeof a31);
  }
}
#endif

sg_dot_fn sg_dot_kernel(void) {
  SG_RETURN_KERNEL(sg_dot_block);
}

/* The screen: positions t (of a full block) where rn[t] - 2 dq[t] < thr,
 * written to `hits`; returns their number.  Eight rows are compared at a
 * time and the rare passing group is resolved one by one. */
#if defined(__GNUC__)
#define SG_SCREEN_BODY                                                     \
  int nh = 0;                                                              \
  sg_v4d th = {thr, thr, thr, thr}, two = {2.0, 2.0, 2.0, 2.0};            \
  for (int t = 0; t < SG_RB; t += 8) {                                     \
    sg_v4d r0, r1, d0, d1;                                                 \
    memcpy(&r0, rn + t, sizeof r0);                                        \
    memcpy(&r1, rn + t + 4, sizeof r1);                                    \
    memcpy(&d0, dq + t, sizeof d0);                                        \
    memcpy(&d1, dq + t + 4, sizeof d1);                                    \
    sg_v4l m0 = (r0 - two * d0) < th, m1 = (r1 - two * d1) < th;           \
    sg_v4l any = m0 | m1;                                                  \
    if ((any[0] | any[1] | any[2] | any[3]) == 0) continue;                \
    for (int u = t; u < t + 8; u++)                                        \
      if (rn[u] - 2.0 * dq[u] < thr) hits[nh++] = u;                       \
  }                                                                        \
  return nh;
#else
#define SG_SCREEN_BODY                                                     \
  int nh = 0;                                                              \
  for (int t = 0; t < SG_RB; t++)                                          \
    if (rn[t] - 2.0 * dq[t] < thr) hits[nh++] = t;                         \
  return nh;
#endif

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"), optimize("O3")))
static int sg_screen_avx2(const double *rn, const double *dq, double thr,
                          int *hits) {
  SG_SCREEN_BODY
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static int sg_screen_portable(const double *rn, const double *dq, double thr,
                              int *hits) {
  SG_SCREEN_BODY
}

sg_row_screen_fn sg_row_screen_kernel(void) {
#ifdef SG_HAVE_AVX2_KERNEL
  if (sg_cpu_level() >= 1) return sg_screen_avx2;
#endif
  return sg_screen_portable;
}

/* ---------------------------------------------------------------------
 * The single-precision screen.  Rows and queries are also kept in float,
 * centred on the reference rows' mean (distances do not change, the
 * norms and so the rounding shrink), and the screened distance
 * |q|^2 + |r|^2 - 2 q.r is computed with float dot products, twice as many
 * per instruction as in double.  It only chooses the candidates: each is
 * recomputed the canonical way in double, so results are the same bits as
 * every other path.  Error bound of the screened value, with u = 2^-24 and
 * Q, R the squared norms of the float rows: converting to float moves a
 * distance's square by at most ~4u (Q + R), the d-term float dot product
 * by d u (Q + R) (twice its bound on |q||r|), the float subtraction and
 * the rounded norm by ~3u (Q + R): (d + 8) u (Q + R) in all.  The screen
 * uses four times that, so no row nearer than the k-th is ever dropped. */
static inline double sg_f32_tol(int d, double qn, double rmax) {
  return 4.0 * (d + 8) * (FLT_EPSILON / 2) * (qn + rmax) + 1e-30 * (d + 1);
}

/* (the float copies themselves: sg_fblocks and sg_f32_fill(), knn.h) */

/* The fused dot-and-screen over one block for four queries: for query u,
 * the rows t with norm[t] - 2 q_u.r_t < thr[u] are appended to
 * hits[u * SG_RB ...], their number to nh[u].  The dot products stay in
 * registers (2W rows at a time); the rare passing group is resolved lane
 * by lane. */
#if defined(__GNUC__)
/* a value in every lane (a plain initialiser: the compiler broadcasts from
 * memory; adding it to a zero vector would cost a dependent scalar add) */
#define SG_BCAST8(x) {x, x, x, x, x, x, x, x}
#define SG_BCAST16(x) {x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}
#define SG_FSCAN_BODY(VT, VI, W)                                           \
  const float *base = fb->data + blk * (R_xlen_t) d * SG_RB;               \
  const float *rn = fb->norm + blk * SG_RB;                                \
  const float *qs[4] = {q0, q1, q2, q3};                                   \
  VT z = {0};                                                              \
  VT th0 = SG_BCAST##W(thr[0]), th1 = SG_BCAST##W(thr[1]);                \
  VT th2 = SG_BCAST##W(thr[2]), th3 = SG_BCAST##W(thr[3]);                \
  nh[0] = nh[1] = nh[2] = nh[3] = 0;                                       \
  for (int t = 0; t < SG_RB; t += 2 * W) {                                 \
    VT a00 = z, a01 = z, a10 = z, a11 = z;                                 \
    VT a20 = z, a21 = z, a30 = z, a31 = z;                                 \
    for (int j = 0; j < d; j++) {                                          \
      VT r0, r1;                                                           \
      memcpy(&r0, base + (R_xlen_t) j * SG_RB + t, sizeof r0);             \
      memcpy(&r1, base + (R_xlen_t) j * SG_RB + t + W, sizeof r1);         \
      VT b0 = SG_BCAST##W(q0[j]), b1 = SG_BCAST##W(q1[j]);                 \
      VT b2 = SG_BCAST##W(q2[j]), b3 = SG_BCAST##W(q3[j]);                 \
      a00 += r0 * b0; a01 += r1 * b0;                                      \
      a10 += r0 * b1; a11 += r1 * b1;                                      \
      a20 += r0 * b2; a21 += r1 * b2;                                      \
      a30 += r0 * b3; a31 += r1 * b3;                                      \
    }                                                                      \
    VT n0, n1;                                                             \
    memcpy(&n0, rn + t, sizeof n0);                                        \
    memcpy(&n1, rn + t + W, sizeof n1);                                    \
    VI c[4][2];                                                            \
    c[0][0] = (n0 - (a00 + a00)) < th0; c[0][1] = (n1 - (a01 + a01)) < th0; \
    c[1][0] = (n0 - (a10 + a10)) < th1; c[1][1] = (n1 - (a11 + a11)) < th1; \
    c[2][0] = (n0 - (a20 + a20)) < th2; c[2][1] = (n1 - (a21 + a21)) < th2; \
    c[3][0] = (n0 - (a30 + a30)) < th3; c[3][1] = (n1 - (a31 + a31)) < th3; \
    VI any = (c[0][0] | c[0][1]) | (c[1][0] | c[1][1]) |                   \
             (c[2][0] | c[2][1]) | (c[3][0] | c[3][1]);                    \
    int hit = 0;                                                           \
    for (int l = 0; l < W; l++) hit |= any[l];                             \
    if (!hit) continue;                                                    \
    for (int u = 0; u < 4; u++)                                            \
      for (int h = 0; h < 2; h++)                                          \
        for (int l = 0; l < W; l++)                                        \
          if (c[u][h][l]) hits[u * SG_RB + nh[u]++] = t + h * W + l;       \
  }                                                                        \
  (void) qs;

#else
#define SG_FSCAN_BODY(VT, VI, W)                                           \
  const float *base = fb->data + blk * (R_xlen_t) d * SG_RB;               \
  const float *rn = fb->norm + blk * SG_RB;                                \
  const float *qs[4] = {q0, q1, q2, q3};                                   \
  for (int u = 0; u < 4; u++) {                                            \
    nh[u] = 0;                                                             \
    for (int t = 0; t < SG_RB; t++) {                                      \
      float acc = 0.0f;                                                    \
      for (int j = 0; j < d; j++)                                          \
        acc += base[(R_xlen_t) j * SG_RB + t] * qs[u][j];                  \
      if (rn[t] - (acc + acc) < thr[u]) hits[u * SG_RB + nh[u]++] = t;     \
    }                                                                      \
  }
#endif

#define SG_FSCAN_ARGS                                                      \
  (const sg_fblocks *fb, int d, R_xlen_t blk, const float *q0,             \
   const float *q1, const float *q2, const float *q3, const float *thr,    \
   int *hits, int *nh)

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static void sg_fscan_portable SG_FSCAN_ARGS {
  SG_FSCAN_BODY(sg_v8f, sg_v8i, 8)
}

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"), optimize("O3")))
static void sg_fscan_avx2 SG_FSCAN_ARGS {
  SG_FSCAN_BODY(sg_v8f, sg_v8i, 8)
}
#endif

#ifdef SG_HAVE_AVX512_KERNEL
__attribute__((target("avx512f"), optimize("O3")))
static void sg_fscan_avx512 SG_FSCAN_ARGS {
  SG_FSCAN_BODY(sg_v16f, sg_v16i, 16)
}
#endif

sg_fscan_fn sg_fscan_kernel(void) {
  SG_RETURN_KERNEL(sg_fscan);
}

/* The float copies (knn.h): b's rows and the queries, centred on b's mean;
 * t2 adds the per-row thresholds metrics.c screens with. */
int sg_f32_fill(const sg_blocks *b, const double *t2, const double *qrow,
                R_xlen_t m, sg_fblocks *f, float **qf_out, double **qn_out) {
  const int d = b->d;
  const R_xlen_t n = b->n;
  double *mu = (double *) R_alloc(d > 0 ? d : 1, sizeof(double));
  for (int j = 0; j < d; j++) {
    double acc = 0.0;
    for (R_xlen_t blk = 0; blk < b->n_blocks; blk++)
      for (int t = 0; t < SG_RB; t++) acc += b->data[(blk * d + j) * SG_RB + t];
    mu[j] = n > 0 ? acc / (double) n : 0.0; /* padding rows are 0 */
  }
  R_xlen_t rows = b->n_blocks * SG_RB;
  f->data = (float *) R_alloc(rows * d > 0 ? rows * d : 1, sizeof(float));
  f->norm = (float *) R_alloc(rows > 0 ? rows : 1, sizeof(float));
  f->pnorm = t2 ? (float *) R_alloc(rows > 0 ? rows : 1, sizeof(float)) : NULL;
  f->norm_max = (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double));
  f->t2_max = (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double));
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_RB;
    int cnt = (int) (n - r0 < SG_RB ? n - r0 : SG_RB);
    double nrm[SG_RB];
    for (int t = 0; t < SG_RB; t++) nrm[t] = 0.0;
    for (int j = 0; j < d; j++) {
      const double *col = b->data + (blk * d + j) * SG_RB;
      float *fcol = f->data + (blk * d + j) * SG_RB;
      for (int t = 0; t < SG_RB; t++) {
        double v = t < cnt ? col[t] - mu[j] : 0.0;
        if (!(fabs(v) <= SG_F32_MAX_ABS)) return 0;
        fcol[t] = (float) v;
        nrm[t] += (double) fcol[t] * (double) fcol[t];
      }
    }
    double nmax = 0.0, tmax = 0.0;
    for (int t = 0; t < SG_RB; t++) {
      if (t >= cnt) {
        f->norm[r0 + t] = INFINITY;
        if (t2) f->pnorm[r0 + t] = INFINITY;
        continue;
      }
      f->norm[r0 + t] = (float) nrm[t];
      if (nrm[t] > nmax) nmax = nrm[t];
      if (t2) {
        f->pnorm[r0 + t] = sg_float_down((double) f->norm[r0 + t] - t2[r0 + t]);
        if (t2[r0 + t] > tmax) tmax = t2[r0 + t];
      }
    }
    f->norm_max[blk] = nmax;
    f->t2_max[blk] = tmax;
  }
  float *qf = (float *) R_alloc(m * d > 0 ? m * d : 1, sizeof(float));
  double *qn = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) {
      double v = qrow[i * d + j] - mu[j];
      if (!(fabs(v) <= SG_F32_MAX_ABS)) return 0;
      qf[i * d + j] = (float) v;
      acc += (double) qf[i * d + j] * (double) qf[i * d + j];
    }
    qn[i] = acc;
  }
  *qf_out = qf;
  *qn_out = qn;
  return 1;
}

/* The canonical squared distances of np (row of the block, query) pairs,
 * eight independent sums at a time (each still summed over dimensions in
 * order, so the same bits as sg_sqdist_exact()); out needs room for np
 * rounded up to 8. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3", "fp-contract=off")))
#endif
static void sg_sqdist_pairs(const sg_blocks *b, R_xlen_t blk, const int *rows,
                            const double *const *qs, int np, double *out) {
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;
  const int d = b->d;
  int h = 0;
#define SG_PAIRS_GROUP(L)                                                  \
  {                                                                        \
    int t[L];                                                              \
    const double *q[L];                                                    \
    for (int u = 0; u < L; u++) {                                          \
      int p = h + u < np ? h + u : np - 1;                                 \
      t[u] = rows[p];                                                      \
      q[u] = qs[p];                                                        \
    }                                                                      \
    double a[L];                                                           \
    for (int u = 0; u < L; u++) a[u] = 0.0;                                \
    for (int j = 0; j < d; j++) {                                          \
      const double *col = base + (R_xlen_t) j * SG_RB;                     \
      for (int u = 0; u < L; u++) {                                        \
        double diff = col[t[u]] - q[u][j];                                 \
        double sq = diff * diff;                                           \
        a[u] = a[u] + sq;                                                  \
      }                                                                    \
    }                                                                      \
    for (int u = 0; u < L; u++) out[h + u] = a[u];                         \
    h += L;                                                                \
  }
  while (np - h > 4) SG_PAIRS_GROUP(8)
  while (np - h > 1) SG_PAIRS_GROUP(4)
  if (np - h == 1) SG_PAIRS_GROUP(1)
#undef SG_PAIRS_GROUP
}

/* The automatic path (measured on Gaussian data, one thread, k = 5): the
 * kd-tree up to 5 dimensions from 4096 rows on (n = 20,000, d = 5: 0.13 s
 * against 0.16 s screened and 0.40 s direct), in 6 dimensions only from
 * 50,000 rows on (20,000 rows: 0.25 s against 0.18 s screened); the float
 * screen from 6 dimensions on above 1024 rows; the direct kernel below
 * (500 rows, d = 9: 0.53 ms against 0.73 ms screened, whose first block
 * is measured twice) and in fewer dimensions. */
#define SG_DOT_MIN_D 6
#define SG_DOT_MIN_N 1024

/* ---------------------------------------------------------------------
 * A kd-tree for few dimensions, where brute force wastes most of its work.
 * Leaves hold up to SG_LEAF rows; each node keeps the bounding box of its
 * rows, and a node is skipped only when the box is strictly farther than
 * the current k-th distance (with a relative margin for the box's own
 * rounding), so rows tied with the k-th are still seen.  Distances of rows
 * are the canonical ones (sg_sqdist_row), and the list is ordered by
 * (distance, row) explicitly since rows are not visited in index order. */
#define SG_LEAF 24
#define SG_TREE_MIN_N 4096
#define SG_TREE_MAX_D 6

typedef struct {
  R_xlen_t lo, hi;     /* rows perm[lo..hi) */
  int left, right;     /* children, -1 for a leaf */
} sg_node;

typedef struct {
  const double *pts;   /* n x d row-major, standardised */
  double *ppts;        /* the same rows in tree order (leaves contiguous) */
  int d;
  R_xlen_t *perm;
  sg_node *nodes;
  double *box;         /* per node: d lower then d upper bounds */
  int n_nodes;
} sg_tree;

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
double sg_sqdist_row(const double *a, const double *b, int d) {
  double acc = 0.0;
  for (int j = 0; j < d; j++) {
    double diff = a[j] - b[j];
    double sq = diff * diff;
    acc = acc + sq;
  }
  return acc;
}

static int sg_tree_build(sg_tree *t, R_xlen_t lo, R_xlen_t hi) {
  int id = t->n_nodes++;
  sg_node *nd = t->nodes + id;
  int d = t->d;
  double *blo = t->box + (size_t) id * 2 * d, *bhi = blo + d;
  for (int j = 0; j < d; j++) { blo[j] = R_PosInf; bhi[j] = R_NegInf; }
  for (R_xlen_t i = lo; i < hi; i++) {
    const double *p = t->pts + t->perm[i] * d;
    for (int j = 0; j < d; j++) {
      if (p[j] < blo[j]) blo[j] = p[j];
      if (p[j] > bhi[j]) bhi[j] = p[j];
    }
  }
  nd->lo = lo; nd->hi = hi; nd->left = nd->right = -1;
  if (hi - lo <= SG_LEAF) return id;
  int dim = 0;
  double spread = -1;
  for (int j = 0; j < d; j++)
    if (bhi[j] - blo[j] > spread) { spread = bhi[j] - blo[j]; dim = j; }
  if (!(spread > 0)) return id; /* all rows equal: one leaf */
  /* quickselect the median on `dim` */
  R_xlen_t mid = lo + (hi - lo) / 2, a = lo, b = hi - 1;
  while (a < b) {
    double pivot = t->pts[t->perm[(a + b) / 2] * d + dim];
    R_xlen_t i = a, j = b;
    while (i <= j) {
      while (t->pts[t->perm[i] * d + dim] < pivot) i++;
      while (t->pts[t->perm[j] * d + dim] > pivot) j--;
      if (i <= j) {
        R_xlen_t tmp = t->perm[i]; t->perm[i] = t->perm[j]; t->perm[j] = tmp;
        i++; j--;
      }
    }
    if (mid <= j) b = j; else if (mid >= i) a = i; else break;
  }
  int left = sg_tree_build(t, lo, mid);
  int right = sg_tree_build(t, mid, hi);
  t->nodes[id].left = left;
  t->nodes[id].right = right;
  return id;
}

static inline double sg_box_dist(const double *blo, const double *bhi,
                                 const double *q, int d) {
  double acc = 0.0;
  for (int j = 0; j < d; j++) {
    double g = q[j] < blo[j] ? blo[j] - q[j] : (q[j] > bhi[j] ? q[j] - bhi[j] : 0.0);
    acc += g * g;
  }
  return acc;
}

static void sg_tree_query(const sg_tree *t, const double *q, int k,
                          R_xlen_t skip, double *bd, int *bi, int *stack) {
  int d = t->d, top = 0;
  for (int c = 0; c < k; c++) { bd[c] = R_PosInf; bi[c] = INT_MAX; }
  stack[top++] = 0;
  while (top > 0) {
    int id = stack[--top];
    const sg_node *nd = t->nodes + id;
    const double *blo = t->box + (size_t) id * 2 * d, *bhi = blo + d;
    double bdist = sg_box_dist(blo, bhi, q, d);
    if (bdist > bd[k - 1] * (1 + 1e-12) + 1e-300) continue;
    if (nd->left < 0) {
      for (R_xlen_t i = nd->lo; i < nd->hi; i++) {
        R_xlen_t row = t->perm[i];
        if (row == skip) continue;
        sg_topk_insert_lex(bd, bi, k, sg_sqdist_row(t->ppts + i * d, q, d), (int) row);
      }
      continue;
    }
    /* visit the nearer child first: push it last */
    const double *llo = t->box + (size_t) nd->left * 2 * d;
    const double *rlo = t->box + (size_t) nd->right * 2 * d;
    double dl = sg_box_dist(llo, llo + d, q, d), dr = sg_box_dist(rlo, rlo + d, q, d);
    if (dl <= dr) { stack[top++] = nd->right; stack[top++] = nd->left; }
    else { stack[top++] = nd->left; stack[top++] = nd->right; }
  }
}

/* The 0-based reference row query q must not find: itself in a self
 * search, else the one `exclude` names (1-based, NA for none), else -1. */
static inline R_xlen_t sg_skip_row(int self, const int *exclude, R_xlen_t q) {
  if (self) return q;
  return exclude && exclude[q] != NA_INTEGER ? exclude[q] - 1 : -1;
}

/* The whole search by kd-tree; same contract as sg_knn_search. */
static void sg_knn_tree(const double *pts, R_xlen_t n, int dk,
                        const double *qrow, R_xlen_t m, int k, int self,
                        const int *exclude, int *out_index, double *out_dist,
                        int nthreads) {
  sg_tree t;
  t.pts = pts;
  t.d = dk;
  t.perm = (R_xlen_t *) R_alloc(n, sizeof(R_xlen_t));
  for (R_xlen_t i = 0; i < n; i++) t.perm[i] = i;
  R_xlen_t max_nodes = 2 * (n / (SG_LEAF / 2) + 1) + 1;
  t.nodes = (sg_node *) R_alloc(max_nodes, sizeof(sg_node));
  t.box = (double *) R_alloc((size_t) max_nodes * 2 * (dk > 0 ? dk : 1), sizeof(double));
  t.n_nodes = 0;
  sg_tree_build(&t, 0, n);
  t.ppts = (double *) R_alloc(n * (R_xlen_t) dk > 0 ? n * (R_xlen_t) dk : 1,
                              sizeof(double));
  for (R_xlen_t i = 0; i < n; i++)
    for (int j = 0; j < dk; j++) t.ppts[i * dk + j] = pts[t.perm[i] * dk + j];
  /* Queries in tree order, so that consecutive queries visit the same
   * leaves (the order never changes a result): the rows' own order for a
   * self-search, otherwise by the leaf each query descends to. */
  R_xlen_t *order = (R_xlen_t *) R_alloc(m > 0 ? m : 1, sizeof(R_xlen_t));
  if (self) {
    for (R_xlen_t i = 0; i < m; i++) order[i] = t.perm[i];
  } else {
    int *leaf = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
    R_xlen_t *count = (R_xlen_t *) R_alloc((size_t) t.n_nodes + 1, sizeof(R_xlen_t));
    for (int id = 0; id <= t.n_nodes; id++) count[id] = 0;
    for (R_xlen_t i = 0; i < m; i++) {
      const double *q = qrow + i * dk;
      int id = 0;
      while (t.nodes[id].left >= 0) {
        int l = t.nodes[id].left, r = t.nodes[id].right;
        const double *llo = t.box + (size_t) l * 2 * dk;
        const double *rlo = t.box + (size_t) r * 2 * dk;
        id = sg_box_dist(llo, llo + dk, q, dk) <= sg_box_dist(rlo, rlo + dk, q, dk) ? l : r;
      }
      leaf[i] = id;
      count[id + 1]++;
    }
    for (int id = 0; id < t.n_nodes; id++) count[id + 1] += count[id];
    for (R_xlen_t i = 0; i < m; i++) order[count[leaf[i]]++] = i;
  }
  double *bd_all = (double *) R_alloc((size_t) k * nthreads, sizeof(double));
  int *bi_all = (int *) R_alloc((size_t) k * nthreads, sizeof(int));
  int *stack_all = (int *) R_alloc((size_t) 256 * nthreads, sizeof(int));
  const R_xlen_t chunk = 8192;
  for (R_xlen_t c0 = 0; c0 < m; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < m ? c0 + chunk : m;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 64) num_threads(nthreads)
#endif
    for (R_xlen_t s = c0; s < c1; s++) {
      R_xlen_t qi = order[s];
      int tid = omp_get_thread_num();
      double *bd = bd_all + (size_t) k * tid;
      int *bi = bi_all + (size_t) k * tid;
      R_xlen_t skip = sg_skip_row(self, exclude, qi);
      sg_tree_query(&t, qrow + qi * dk, k, skip, bd, bi, stack_all + (size_t) 256 * tid);
      for (int c = 0; c < k; c++) {
        out_index[qi + (R_xlen_t) c * m] = bi[c] + 1;
        out_dist[qi + (R_xlen_t) c * m] = sqrt(bd[c]);
      }
    }
    R_CheckUserInterrupt();
  }
}

/* list(index = , distance = ) */
static SEXP sg_knn_result(SEXP index, SEXP dist) {
  SEXP out = PROTECT(Rf_allocVector(VECSXP, 2));
  SET_VECTOR_ELT(out, 0, index);
  SET_VECTOR_ELT(out, 1, dist);
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 2));
  SET_STRING_ELT(names, 0, Rf_mkChar("index"));
  SET_STRING_ELT(names, 1, Rf_mkChar("distance"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(2);
  return out;
}

void sg_knn_search(const double *ref, R_xlen_t n, int d,
                   const double *query, R_xlen_t m, int k, int self,
                   const int *exclude, const double *center,
                   const double *scale, int farthest, int *out_index,
                   double *out_dist, int nthreads) {
  int *cols = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  int dk = 0;
  for (int j = 0; j < d; j++) {
    if (!scale || scale[j] > 0) cols[dk++] = j;
  }
  sg_blocks rb;
  sg_blocks_fill(&rb, ref, n, d, center, scale, cols, dk);

  /* Queries row by row (each query's dk values contiguous). */
  const double *qsrc = self ? ref : query;
  R_xlen_t qlen = m * (R_xlen_t) dk;
  double *qrow = (double *) R_alloc(qlen > 0 ? qlen : 1, sizeof(double));
  for (int jj = 0; jj < dk; jj++) {
    int j = cols[jj];
    const double *col = qsrc + (R_xlen_t) j * m;
    double c = center ? center[j] : 0.0, s = scale ? scale[j] : 1.0;
    for (R_xlen_t i = 0; i < m; i++) {
      double v = (col[i] - c) / s;
      if (!(fabs(v) <= SG_MAX_ABS)) sg_magnitude_error();
      qrow[i * dk + jj] = v;
    }
  }

  int path = sg_knn_path();
  int use_tree = path == 2 ||
    (path == 0 && n >= SG_TREE_MIN_N &&
     (dk < SG_TREE_MAX_D || (dk == SG_TREE_MAX_D && n >= 50000)));
  if (!farthest && dk > 0 && use_tree) {
    /* row-major standardised copy: the same values as the blocks */
    double *pts = (double *) R_alloc(n * (R_xlen_t) dk, sizeof(double));
    for (R_xlen_t i = 0; i < n; i++)
      for (int j = 0; j < dk; j++)
        pts[i * dk + j] = rb.data[((i / SG_RB) * dk + j) * SG_RB + i % SG_RB];
    sg_knn_tree(pts, n, dk, qrow, m, k, self, exclude, out_index, out_dist,
                nthreads);
    return;
  }
  sg_sqdist_fn sqdist = sg_sqdist_kernel();
  sg_dot_fn dotk = sg_dot_kernel();
  int use_dot = !farthest && (path == 3 || path == 4 ||
                              (path == 0 && dk >= SG_DOT_MIN_D &&
                               n > SG_DOT_MIN_N));
  double *rnorm = NULL, *qnorm = NULL, *rnorm_max = NULL, *dots_all = NULL;
  int *hits_all = NULL;
  sg_row_screen_fn screen = sg_row_screen_kernel();
  if (use_dot) {
    /* squared norms on the standardised scale, and the largest per block */
    rnorm = (double *) R_alloc(rb.n_blocks * SG_RB + 1, sizeof(double));
    for (R_xlen_t i = n; i < rb.n_blocks * SG_RB; i++) rnorm[i] = R_PosInf;
    rnorm_max = (double *) R_alloc(rb.n_blocks > 0 ? rb.n_blocks : 1, sizeof(double));
    for (R_xlen_t blk = 0; blk < rb.n_blocks; blk++) {
      R_xlen_t r0 = blk * SG_RB;
      int cnt = (int) (n - r0 < SG_RB ? n - r0 : SG_RB);
      double mx = 0;
      for (int t = 0; t < cnt; t++) {
        double acc = 0;
        for (int j = 0; j < dk; j++) {
          double v = rb.data[(blk * dk + j) * SG_RB + t];
          acc += v * v;
        }
        rnorm[r0 + t] = acc;
        if (acc > mx) mx = acc;
      }
      rnorm_max[blk] = mx;
    }
    qnorm = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
    for (R_xlen_t i = 0; i < m; i++) {
      double acc = 0;
      for (int j = 0; j < dk; j++) acc += qrow[i * dk + j] * qrow[i * dk + j];
      qnorm[i] = acc;
    }
    dots_all = (double *) R_alloc((size_t) 4 * SG_RB * nthreads, sizeof(double));
    hits_all = (int *) R_alloc((size_t) SG_RB * nthreads, sizeof(int));
  }
  /* the float screen where the values allow it (path 0 or 4) */
  sg_fblocks fb;
  float *qf = NULL;
  double *qnf = NULL;
  int *fhits_all = NULL;
  sg_fscan_fn fscan = sg_fscan_kernel();
  int use_f32 = use_dot && (path == 0 || path == 4) &&
    sg_f32_fill(&rb, NULL, qrow, m, &fb, &qf, &qnf);
  int *fpair_all = NULL;
  const double **fpq_all = NULL;
  double *fpex_all = NULL;
  if (use_f32) {
    fhits_all = (int *) R_alloc((size_t) 4 * SG_RB * nthreads, sizeof(int));
    fpair_all = (int *) R_alloc((size_t) 4 * SG_RB * nthreads, sizeof(int));
    fpq_all = (const double **) R_alloc((size_t) 4 * SG_RB * nthreads,
                                        sizeof(double *));
    fpex_all = (double *) R_alloc((size_t) (4 * SG_RB + 8) * nthreads,
                                  sizeof(double));
  }
  R_xlen_t n_qblocks = (m + SG_QB - 1) / SG_QB;
  size_t per_thread = (size_t) SG_QB * (size_t) k;
  double *best_d_all = (double *) R_alloc(per_thread * nthreads, sizeof(double));
  int *best_i_all = (int *) R_alloc(per_thread * nthreads, sizeof(int));
  double *acc_all = (double *) R_alloc((size_t) SG_RB * nthreads, sizeof(double));

  /* Chunks of query blocks between interrupt checks, SG_CHUNK_TERMS
   * distance terms each, and enough blocks to keep every thread busy. */
  double per_block = (double) SG_QB * (double) n * (dk > 0 ? dk : 1);
  R_xlen_t chunk = (R_xlen_t) (SG_CHUNK_TERMS / per_block);
  if (chunk > 4096) chunk = 4096;
  if (chunk < 8 * nthreads) chunk = 8 * nthreads;
  for (R_xlen_t c0 = 0; c0 < n_qblocks; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < n_qblocks ? c0 + chunk : n_qblocks;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(nthreads)
#endif
    for (R_xlen_t qb = c0; qb < c1; qb++) {
      int tid = omp_get_thread_num();
      double *best_d = best_d_all + per_thread * tid;
      int *best_i = best_i_all + per_thread * tid;
      double *acc = acc_all + (size_t) SG_RB * tid;
      double *dots = use_dot ? dots_all + (size_t) 4 * SG_RB * tid : NULL;
      int *hits = use_f32 ? fhits_all + (size_t) 4 * SG_RB * tid
        : use_dot ? hits_all + (size_t) SG_RB * tid : NULL;
      int nhit[4];
      int *prow = use_f32 ? fpair_all + (size_t) 4 * SG_RB * tid : NULL;
      const double **pq = use_f32 ? fpq_all + (size_t) 4 * SG_RB * tid : NULL;
      double *pex = use_f32 ? fpex_all + (size_t) (4 * SG_RB + 8) * tid : NULL;
      R_xlen_t q0 = qb * SG_QB;
      int nq = (int) (m - q0 < SG_QB ? m - q0 : SG_QB);
      for (size_t s = 0; s < (size_t) nq * k; s++) {
        best_d[s] = R_PosInf;
        best_i[s] = -1;
      }
      for (R_xlen_t blk = 0; blk < rb.n_blocks; blk++) {
        R_xlen_t r0 = blk * SG_RB;
        int cnt = (int) (n - r0 < SG_RB ? n - r0 : SG_RB);
        if (use_f32) {
          double rmax = fb.norm_max[blk];
          for (int q4 = 0; q4 < nq; q4 += 4) {
            const float *qp[4];
            float thr[4];
            for (int u = 0; u < 4; u++) {
              int qi = q4 + u < nq ? q4 + u : nq - 1;
              qp[u] = qf + (q0 + qi) * dk;
              double qn = qnf[q0 + qi];
              thr[u] = sg_float_up(best_d[(size_t) qi * k + k - 1] +
                                   sg_f32_tol(dk, qn, rmax) - qn);
            }
            fscan(&fb, dk, blk, qp[0], qp[1], qp[2], qp[3], thr, hits, nhit);
            /* exact distances of every candidate of the four queries; many
             * candidates (the first blocks): the whole block at once, the
             * same canonical bits */
            int np = 0, whole[4];
            for (int u = 0; u < 4 && q4 + u < nq; u++) {
              const double *qd = qrow + (q0 + q4 + u) * dk;
              whole[u] = nhit[u] > SG_RB / 8;
              if (whole[u]) continue;
              for (int h = 0; h < nhit[u]; h++) {
                prow[np] = hits[u * SG_RB + h];
                pq[np++] = qd;
              }
            }
            if (np > 0) sg_sqdist_pairs(&rb, blk, prow, pq, np, pex);
            np = 0;
            for (int u = 0; u < 4 && q4 + u < nq; u++) {
              int qi = q4 + u;
              R_xlen_t qidx = q0 + qi;
              double *bd = best_d + (size_t) qi * k;
              int *bi = best_i + (size_t) qi * k;
              R_xlen_t skip = sg_skip_row(self, exclude, qidx);
              double worst = bd[k - 1];
              const int *hu = hits + (size_t) u * SG_RB;
              const double *ex = pex + np;
              if (whole[u]) {
                sqdist(&rb, blk, qrow + qidx * dk, acc);
                ex = acc;
              } else {
                np += nhit[u];
              }
              for (int h = 0; h < nhit[u]; h++) {
                int t = hu[h];
                R_xlen_t ridx = r0 + t;
                if (ridx == skip || t >= cnt) continue;
                double exact = whole[u] ? ex[t] : ex[h];
                if (exact < worst) {
                  sg_topk_insert(bd, bi, k, exact, (int) ridx);
                  worst = bd[k - 1];
                }
              }
            }
          }
          continue;
        }
        if (use_dot) {
          double rmax = rnorm_max[blk];
          for (int q4 = 0; q4 < nq; q4 += 4) {
            const double *qp[4];
            for (int u = 0; u < 4; u++) {
              int qi = q4 + u < nq ? q4 + u : nq - 1;
              qp[u] = qrow + (q0 + qi) * dk;
            }
            dotk(&rb, blk, qp[0], qp[1], qp[2], qp[3], dots);
            for (int u = 0; u < 4 && q4 + u < nq; u++) {
              int qi = q4 + u;
              R_xlen_t qidx = q0 + qi;
              double *bd = best_d + (size_t) qi * k;
              int *bi = best_i + (size_t) qi * k;
              R_xlen_t skip = sg_skip_row(self, exclude, qidx);
              double qn = qnorm[qidx];
              double tol = 8.0 * (dk + 4) * DBL_EPSILON * (qn + rmax);
              const double *dq = dots + (size_t) u * SG_RB;
              const double *rn = rnorm + r0;
              double worst = bd[k - 1];
              /* rows whose screened distance, less its error bound, is
               * below the k-th; padding rows have rn = Inf and never pass */
              int nh = screen(rn, dq, worst + tol - qn, hits);
              for (int h = 0; h < nh; h++) {
                int t = hits[h];
                R_xlen_t ridx = r0 + t;
                if (ridx == skip) continue;
                double exact = sg_sqdist_exact(&rb, blk, t, qp[u]);
                if (exact < worst) {
                  sg_topk_insert(bd, bi, k, exact, (int) ridx);
                  worst = bd[k - 1];
                }
              }
            }
          }
          continue;
        }
        for (int qi = 0; qi < nq; qi++) {
          R_xlen_t qidx = q0 + qi;
          double *bd = best_d + (size_t) qi * k;
          int *bi = best_i + (size_t) qi * k;
          sqdist(&rb, blk, qrow + qidx * dk, acc);
          double worst = bd[k - 1];
          R_xlen_t skip = sg_skip_row(self, exclude, qidx);
          /* farthest rows: the same search on negated distances */
          if (farthest)
            for (int t = 0; t < cnt; t++) acc[t] = -acc[t];
          for (int t = 0; t < cnt; t++) {
            if (acc[t] < worst) {
              R_xlen_t ridx = r0 + t;
              if (ridx == skip) continue;
              sg_topk_insert(bd, bi, k, acc[t], (int) ridx);
              worst = bd[k - 1];
            }
          }
        }
      }
      for (int qi = 0; qi < nq; qi++) {
        R_xlen_t qidx = q0 + qi;
        for (int c = 0; c < k; c++) {
          out_index[qidx + (R_xlen_t) c * m] = best_i[(size_t) qi * k + c] + 1;
          out_dist[qidx + (R_xlen_t) c * m] = sqrt(fabs(best_d[(size_t) qi * k + c]));
        }
      }
    }
    R_CheckUserInterrupt();
  }
}

/* The rows queries must not find (NULL, or one 1-based row of the
 * reference per query, NA for none), checked. */
static const int *sg_exclude_arg(SEXP exclude, int self, R_xlen_t m,
                                 R_xlen_t n) {
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
static int sg_k_arg(SEXP k, R_xlen_t n, int excluding) {
  int kk = sg_int_scalar(k, "k");
  if (kk == NA_INTEGER || kk < 1) Rf_error("`k` must be at least 1.");
  if ((R_xlen_t) kk > n - (excluding ? 1 : 0))
    Rf_error("`k` is larger than the number of rows available.");
  return kk;
}

/* .Call entry: x (n x d double matrix), query (NULL or m x d double
 * matrix), k, center and scale (NULL or length-d doubles; a column with
 * scale 0 is left out), threads (integer, NA or <= 0 for the default),
 * exclude (NULL, or one 1-based row of x per query row that the query must
 * not find, NA for none: a query row that is itself a row of x), farthest
 * (TRUE: the k farthest rows instead, as NearMiss-2 needs). */
SEXP ffi_knn_search(SEXP x, SEXP query, SEXP k, SEXP center, SEXP scale,
                    SEXP threads, SEXP exclude, SEXP farthest) {
  int nprot = 0;
  sg_check_double_matrix(x, "x");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  int self = Rf_isNull(query);
  R_xlen_t m = n;
  if (!self) {
    if (!Rf_isReal(query) || !Rf_isMatrix(query))
      Rf_error("`query` must be NULL or a double matrix.");
    if (Rf_ncols(query) != d)
      Rf_error("`query` must have as many columns as `x`.");
    m = Rf_nrows(query);
  }
  const int *excl = sg_exclude_arg(exclude, self, m, n);
  int kk = sg_k_arg(k, n, self || excl);
  if (m > INT_MAX || n > INT_MAX)
    Rf_error("More than %d rows is not supported.", INT_MAX);
  const double *cen, *sc;
  sg_center_scale_args(center, scale, d, 1, &cen, &sc);
  if (!sg_all_finite(REAL_RO(x), XLENGTH(x)) ||
      (!self && !sg_all_finite(REAL_RO(query), XLENGTH(query))))
    Rf_error("`x` and `query` must not contain NA, NaN or Inf.");
  if (!Rf_isLogical(farthest) || XLENGTH(farthest) != 1 ||
      LOGICAL_RO(farthest)[0] == NA_LOGICAL)
    Rf_error("`farthest` must be TRUE or FALSE.");
  int far = LOGICAL_RO(farthest)[0];
  int req = sg_int_scalar(threads, "threads");
  double work = (double) n * (double) m * (double) (d > 0 ? d : 1);
  int nth = sg_threads_for(req, work);

  SEXP index = PROTECT(Rf_allocMatrix(INTSXP, (int) m, kk)); nprot++;
  SEXP dist = PROTECT(Rf_allocMatrix(REALSXP, (int) m, kk)); nprot++;
  if (m > 0)
    sg_knn_search(REAL_RO(x), n, d, self ? NULL : REAL_RO(query), m, kk,
                  self, excl, cen, sc, far, INTEGER(index), REAL(dist), nth);
  SEXP out = PROTECT(sg_knn_result(index, dist)); nprot++;
  UNPROTECT(nprot);
  return out;
}

/* ---------------------------------------------------------------------
 * Mixed, incomplete or Gower data: a plain brute force over a general
 * distance.  Numeric columns arrive standardised (Euclidean) or divided by
 * their range (Gower), NaN where missing; nominal columns as 1-based codes,
 * NA where missing, with a cost matrix per column (the SMOTE-NC penalty,
 * a 0/1 mismatch, or the value difference metric).  Only the columns
 * present in both rows count, and the total is rescaled by the share of
 * columns present (nan-Euclidean); no column in common gives Inf.
 *   metric 0: sqrt(q / q_ab * (sum of squared differences + costs))
 *   metric 1: (sum of absolute differences + costs) / q_ab
 */
typedef struct {
  const double *num;   /* rows x dn, column-major */
  const int *codes;    /* rows x dc, column-major */
  R_xlen_t rows;
} sg_mixed_rows;

static double sg_mixed_dist(const sg_mixed_rows *a, R_xlen_t i,
                            const sg_mixed_rows *b, R_xlen_t j, int dn,
                            int dc, const double *const *cost,
                            const int *nlev, int metric) {
  double total = 0.0;
  int present = 0;
  for (int c = 0; c < dn; c++) {
    double u = a->num[i + (R_xlen_t) c * a->rows];
    double v = b->num[j + (R_xlen_t) c * b->rows];
    if (ISNAN(u) || ISNAN(v)) continue;
    double diff = u - v;
    total += metric == 0 ? diff * diff : fabs(diff);
    present++;
  }
  for (int c = 0; c < dc; c++) {
    int u = a->codes[i + (R_xlen_t) c * a->rows];
    int v = b->codes[j + (R_xlen_t) c * b->rows];
    if (u == NA_INTEGER || v == NA_INTEGER) continue;
    total += cost[c][(u - 1) + (R_xlen_t) (v - 1) * nlev[c]];
    present++;
  }
  if (present == 0) return R_PosInf;
  int q = dn + dc;
  if (metric == 0) return sqrt(total * ((double) q / present));
  return total / present;
}

SEXP ffi_knn_mixed(SEXP num, SEXP codes, SEXP qnum, SEXP qcodes, SEXP k,
                   SEXP cost, SEXP metric, SEXP threads, SEXP exclude) {
  int nprot = 0;
  if (!Rf_isReal(num) || !Rf_isMatrix(num) || !Rf_isInteger(codes) ||
      !Rf_isMatrix(codes))
    Rf_error("`num` must be a double matrix and `codes` an integer matrix.");
  R_xlen_t n = Rf_nrows(num);
  int dn = Rf_ncols(num), dc = Rf_ncols(codes);
  if (Rf_nrows(codes) != n) Rf_error("`num` and `codes` must have the same rows.");
  int self = Rf_isNull(qnum);
  R_xlen_t m = n;
  if (!self) {
    if (!Rf_isReal(qnum) || !Rf_isMatrix(qnum) || !Rf_isInteger(qcodes) ||
        !Rf_isMatrix(qcodes) || Rf_ncols(qnum) != dn ||
        Rf_ncols(qcodes) != dc || Rf_nrows(qcodes) != Rf_nrows(qnum))
      Rf_error("`qnum` and `qcodes` must match `num` and `codes`.");
    m = Rf_nrows(qnum);
  }
  if (n > INT_MAX || m > INT_MAX) Rf_error("More than %d rows is not supported.", INT_MAX);
  if (TYPEOF(cost) != VECSXP || XLENGTH(cost) != dc)
    Rf_error("`cost` must be a list of one matrix per nominal column.");
  const double **cst = (const double **) R_alloc(dc > 0 ? dc : 1, sizeof(double *));
  int *nlev = (int *) R_alloc(dc > 0 ? dc : 1, sizeof(int));
  for (int c = 0; c < dc; c++) {
    SEXP mc = VECTOR_ELT(cost, c);
    if (!Rf_isReal(mc) || !Rf_isMatrix(mc) || Rf_nrows(mc) != Rf_ncols(mc))
      Rf_error("Each `cost` element must be a square double matrix.");
    nlev[c] = Rf_nrows(mc);
    cst[c] = REAL_RO(mc);
  }
  /* every code must index its cost matrix */
  for (int pass = 0; pass < (self ? 1 : 2); pass++) {
    SEXP cm = pass == 0 ? codes : qcodes;
    R_xlen_t rows = Rf_nrows(cm);
    const int *cv = INTEGER_RO(cm);
    for (int c = 0; c < dc; c++)
      for (R_xlen_t i = 0; i < rows; i++) {
        int v = cv[i + (R_xlen_t) c * rows];
        if (v != NA_INTEGER && (v < 1 || v > nlev[c]))
          Rf_error("A nominal code is outside its cost matrix.");
      }
  }
  for (int pass = 0; pass < (self ? 1 : 2); pass++) {
    SEXP nm = pass == 0 ? num : qnum;
    const double *nv = REAL_RO(nm);
    for (R_xlen_t i = 0; i < XLENGTH(nm); i++)
      if (!ISNAN(nv[i]) && !(fabs(nv[i]) <= SG_MAX_ABS)) sg_magnitude_error();
  }
  int met = sg_int_scalar(metric, "metric");
  if (met != 0 && met != 1) Rf_error("`metric` must be 0 or 1.");
  const int *excl = sg_exclude_arg(exclude, self, m, n);
  int kk = sg_k_arg(k, n, self || excl);
  int req = sg_int_scalar(threads, "threads");
  int nth = sg_threads_for(req, (double) n * m * (dn + dc + 1));

  sg_mixed_rows ref = {REAL_RO(num), INTEGER_RO(codes), n};
  sg_mixed_rows qry = self ? ref
    : (sg_mixed_rows) {REAL_RO(qnum), INTEGER_RO(qcodes), m};
  SEXP index = PROTECT(Rf_allocMatrix(INTSXP, (int) m, kk)); nprot++;
  SEXP dist = PROTECT(Rf_allocMatrix(REALSXP, (int) m, kk)); nprot++;
  int *oi = INTEGER(index);
  double *od = REAL(dist);
  double *bd_all = (double *) R_alloc((size_t) kk * nth, sizeof(double));
  int *bi_all = (int *) R_alloc((size_t) kk * nth, sizeof(int));
  const R_xlen_t chunk = 1024;
  for (R_xlen_t c0 = 0; c0 < m; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < m ? c0 + chunk : m;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 16) num_threads(nth)
#endif
    for (R_xlen_t qi = c0; qi < c1; qi++) {
      int tid = omp_get_thread_num();
      double *bd = bd_all + (size_t) kk * tid;
      int *bi = bi_all + (size_t) kk * tid;
      for (int c = 0; c < kk; c++) { bd[c] = R_PosInf; bi[c] = -1; }
      R_xlen_t skip = sg_skip_row(self, excl, qi);
      int filled = 0;
      for (R_xlen_t r = 0; r < n; r++) {
        if (r == skip) continue;
        double dd = sg_mixed_dist(&qry, qi, &ref, r, dn, dc, cst, nlev, met);
        /* the first k rows fill the list whatever their distance (Inf
         * included: rows with no column in common), so every query gets
         * k neighbours; later rows enter only when strictly nearer */
        if (filled < kk) {
          sg_topk_insert(bd, bi, ++filled, dd, (int) r);
          continue;
        }
        if (dd < bd[kk - 1]) sg_topk_insert(bd, bi, kk, dd, (int) r);
      }
      for (int c = 0; c < kk; c++) {
        oi[qi + (R_xlen_t) c * m] = bi[c] + 1;
        od[qi + (R_xlen_t) c * m] = bd[c];
      }
    }
    R_CheckUserInterrupt();
  }
  SEXP out = PROTECT(sg_knn_result(index, dist)); nprot++;
  UNPROTECT(nprot);
  return out;
}
