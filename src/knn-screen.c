/* Exact k-NN by brute force over the blocks of reference rows (knn.c
 * chooses among these scans and the kd-tree).
 *
 * Direct: every canonical squared distance (sg_sqdist_kernel()); the k
 * farthest rows are the same search on negated distances.  Rows are
 * scanned in increasing order and a row enters the list only when strictly
 * nearer than the current k-th, which breaks ties by the smaller row
 * without comparing rows (sg_topk_insert()).
 *
 * Screened, for more than a few dimensions: squared distances by the
 * expansion |q|^2 + |r|^2 - 2 q.r, the dot products from a register-tiled
 * kernel (4 queries x 8 rows at a time).  The expansion loses digits for
 * near points, so it only screens: a row whose screened distance, less a
 * bound on its rounding error, is below the current k-th is measured again
 * the canonical way (sg_sqdist_exact) and enters with that exact value.
 * Every path therefore returns the same neighbours and the same bits. */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <string.h>
#include <float.h>
#ifdef SG_HAVE_AVX512_KERNEL
#include <immintrin.h>
#endif

#if defined(__GNUC__)
/* 2 W rows x 4 queries of sums kept in registers (W lanes of VT) */
#define SG_DOT_BODY(VT, W)                                                 \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;           \
  const int d = b->d;                                                      \
  for (int t = 0; t < SG_RB; t += 2 * W) {                                 \
    VT a00 = {0.0}, a01 = a00, a10 = a00, a11 = a00;                       \
    VT a20 = a00, a21 = a00, a30 = a00, a31 = a00;                         \
    for (int j = 0; j < d; j++) {                                          \
      VT r0, r1;                                                           \
      memcpy(&r0, base + (R_xlen_t) j * SG_RB + t, sizeof r0);             \
      memcpy(&r1, base + (R_xlen_t) j * SG_RB + t + W, sizeof r1);         \
      /* each query's value broadcast by the vector ops */                 \
      double x0 = q0[j], x1 = q1[j], x2 = q2[j], x3 = q3[j];               \
      a00 += r0 * x0; a01 += r1 * x0;                                      \
      a10 += r0 * x1; a11 += r1 * x1;                                      \
      a20 += r0 * x2; a21 += r1 * x2;                                      \
      a30 += r0 * x3; a31 += r1 * x3;                                      \
    }                                                                      \
    memcpy(out + t, &a00, sizeof a00);                                     \
    memcpy(out + t + W, &a01, sizeof a01);                                 \
    memcpy(out + SG_RB + t, &a10, sizeof a10);                             \
    memcpy(out + SG_RB + t + W, &a11, sizeof a11);                         \
    memcpy(out + 2 * SG_RB + t, &a20, sizeof a20);                         \
    memcpy(out + 2 * SG_RB + t + W, &a21, sizeof a21);                     \
    memcpy(out + 3 * SG_RB + t, &a30, sizeof a30);                         \
    memcpy(out + 3 * SG_RB + t + W, &a31, sizeof a31);                     \
  }
#else
#define SG_DOT_BODY(VT, W)                                                 \
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

#define SG_DOT_ARGS                                                        \
  (const sg_blocks *b, R_xlen_t blk, const double *q0, const double *q1,   \
   const double *q2, const double *q3, double *out)

/* 16 rows wide in 512-bit registers where the CPU has AVX-512F */
SG_KERNEL_VARIANTS(void, sg_dot_block, SG_DOT_ARGS, "avx2,fma", "avx512f",
                   SG_DOT_BODY, (sg_v4d, 4), (sg_v8d, 8))

sg_dot_fn sg_dot_kernel(void) {
  SG_RETURN_KERNEL(sg_dot_block);
}

/* The screen: positions t (of a full block) where rn[t] - 2 dq[t] < thr,
 * written to `hits`; returns their number.  Eight rows are compared at a
 * time and the rare passing group is resolved one by one. */
#if defined(__GNUC__)
#define SG_ROW_SCREEN_BODY                                                     \
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
#define SG_ROW_SCREEN_BODY                                                     \
  int nh = 0;                                                              \
  for (int t = 0; t < SG_RB; t++)                                          \
    if (rn[t] - 2.0 * dq[t] < thr) hits[nh++] = t;                         \
  return nh;
#endif

#ifdef SG_HAVE_AVX2_KERNEL
__attribute__((target("avx2,fma"), optimize("O3")))
static int sg_row_screen_avx2(const double *rn, const double *dq, double thr,
                          int *hits) {
  SG_ROW_SCREEN_BODY
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("O3")))
#endif
static int sg_row_screen_portable(const double *rn, const double *dq, double thr,
                              int *hits) {
  SG_ROW_SCREEN_BODY
}

sg_row_screen_fn sg_row_screen_kernel(void) {
#ifdef SG_HAVE_AVX2_KERNEL
  if (sg_cpu_level() >= 1) return sg_row_screen_avx2;
#endif
  return sg_row_screen_portable;
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
 * uses four times that, so no row nearer than the k-th is ever dropped
 * (sg_f32_tol(), knn.h).  The float copies are sg_fblocks (knn.h). */

/* The fused dot-and-screen over one block for four queries: for query u,
 * the rows t with norm[t] - 2 q_u.r_t < thr[u] are appended to
 * hits[u * SG_RB ...], their number to nh[u]; only the chunks of
 * SG_FSCAN_CHUNK rows whose bit is set in `chunks` are read (SG_FSCAN_ALL:
 * the whole block).  The dot products stay in
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
    if (!(chunks >> (t / SG_FSCAN_CHUNK) & 1u)) continue;                  \
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
    SG_SCREEN_HITS(c, any, W, t, hits, SG_RB, nh)                          \
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
      if (!(chunks >> (t / SG_FSCAN_CHUNK) & 1u)) continue;                \
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
   unsigned chunks, int *hits, int *nh)

SG_KERNEL_VARIANTS(void, sg_fscan, SG_FSCAN_ARGS, "avx2,fma", "avx512f",
                   SG_FSCAN_BODY, (sg_v8f, sg_v8i, 8), (sg_v16f, sg_v16i, 16))

sg_fscan_fn sg_fscan_kernel(void) {
  SG_RETURN_KERNEL(sg_fscan);
}

/* One query's float screen over the chunks of a block set in `chunks`:
 * the rows t with norm[t] - 2 q.r_t < thr, in increasing order, written
 * to hits; returns their number.  Up to four chunks at once, so that the
 * sums are independent chains (the tree of blocks, knn-btree.c, gives
 * each query only the chunks it can reach). */
#if defined(__GNUC__)
#define SG_FSCAN1_GROUP(VT, VI, W, L)                                      \
  {                                                                        \
    VT a[L][SG_FSCAN_CHUNK / W];                                           \
    for (int l = 0; l < L; l++)                                            \
      for (int v = 0; v < SG_FSCAN_CHUNK / W; v++) a[l][v] = z;            \
    for (int j = 0; j < d; j++) {                                          \
      const float *col = base + (R_xlen_t) j * SG_RB;                      \
      const VT b = SG_BCAST##W(q[j]);                                      \
      for (int l = 0; l < L; l++)                                          \
        for (int v = 0; v < SG_FSCAN_CHUNK / W; v++) {                     \
          VT r;                                                            \
          memcpy(&r, col + c[i + l] * SG_FSCAN_CHUNK + v * W, sizeof r);   \
          a[l][v] += r * b;                                                \
        }                                                                  \
    }                                                                      \
    for (int l = 0; l < L; l++)                                            \
      for (int v = 0; v < SG_FSCAN_CHUNK / W; v++) {                       \
        int t0 = c[i + l] * SG_FSCAN_CHUNK + v * W;                        \
        VT nv;                                                             \
        memcpy(&nv, rn + t0, sizeof nv);                                   \
        SG_FSCAN1_PASS##W(VT, VI, nv - (a[l][v] + a[l][v]))                \
      }                                                                    \
    i += L;                                                                \
  }
/* the rows t0 + e whose screened value x[e] is below th, into hits: a
 * lane test for 8 lanes, the comparison's bit mask for 16 (AVX-512) */
#define SG_FSCAN1_PASS8(VT, VI, x)                                         \
  {                                                                        \
    VI pass = (x) < th;                                                    \
    int any = 0;                                                           \
    for (int e = 0; e < 8; e++) any |= pass[e];                            \
    if (any)                                                               \
      for (int e = 0; e < 8; e++)                                          \
        if (pass[e]) hits[nh++] = t0 + e;                                  \
  }
#define SG_FSCAN1_PASS16(VT, VI, x)                                        \
  {                                                                        \
    unsigned pm = _mm512_cmp_ps_mask((__m512) (x), (__m512) th, _CMP_LT_OQ); \
    for (; pm; pm &= pm - 1) hits[nh++] = t0 + __builtin_ctz(pm);          \
  }
#define SG_FSCAN1_BODY(VT, VI, W)                                          \
  const float *base = fb->data + blk * (R_xlen_t) d * SG_RB;               \
  const float *rn = fb->norm + blk * SG_RB;                                \
  const VT z = {0};                                                        \
  const VT th = SG_BCAST##W(thr);                                          \
  int c[SG_RB / SG_FSCAN_CHUNK], n = 0, nh = 0, i = 0;                     \
  for (unsigned m = chunks; m; m &= m - 1) c[n++] = __builtin_ctz(m);      \
  while (n - i >= 4) SG_FSCAN1_GROUP(VT, VI, W, 4)                         \
  if (n - i >= 2) SG_FSCAN1_GROUP(VT, VI, W, 2)                            \
  if (n - i == 1) SG_FSCAN1_GROUP(VT, VI, W, 1)                            \
  return nh;
#else
#define SG_FSCAN1_BODY(VT, VI, W)                                          \
  const float *base = fb->data + blk * (R_xlen_t) d * SG_RB;               \
  const float *rn = fb->norm + blk * SG_RB;                                \
  int nh = 0;                                                              \
  for (int t = 0; t < SG_RB; t++) {                                        \
    if (!(chunks >> (t / SG_FSCAN_CHUNK) & 1u)) continue;                  \
    float acc = 0.0f;                                                      \
    for (int j = 0; j < d; j++) acc += base[(R_xlen_t) j * SG_RB + t] * q[j]; \
    if (rn[t] - (acc + acc) < thr) hits[nh++] = t;                         \
  }                                                                        \
  return nh;
#endif

#define SG_FSCAN1_ARGS                                                     \
  (const sg_fblocks *fb, int d, R_xlen_t blk, const float *q, float thr,   \
   unsigned chunks, int *hits)

SG_KERNEL_VARIANTS(int, sg_fscan1, SG_FSCAN1_ARGS, "avx2,fma", "avx512f",
                   SG_FSCAN1_BODY, (sg_v8f, sg_v8i, 8), (sg_v16f, sg_v16i, 16))

sg_fscan1_fn sg_fscan1_kernel(void) {
  SG_RETURN_KERNEL(sg_fscan1);
}

/* The float copies (knn.h): b's rows and the queries, centred on b's mean;
 * t2 adds the per-row thresholds metrics.c screens with. */
int sg_f32_fill(const sg_blocks *b, const double *t2, const double *qrow,
                R_xlen_t m, sg_fblocks *f, float **qf_out, double **qn_out,
                int nthreads) {
  const int d = b->d;
  const R_xlen_t n = b->n;
  R_xlen_t rows = b->n_blocks * SG_RB;
  int nth = sg_copy_threads(nthreads, (double) rows * d);
  double *mu = (double *) R_alloc(d > 0 ? d : 1, sizeof(double));
  /* each column summed in row order, whichever thread sums it */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth < d ? nth : (d > 0 ? d : 1)) schedule(static)
#endif
  for (int j = 0; j < d; j++) {
    double acc = 0.0;
    for (R_xlen_t blk = 0; blk < b->n_blocks; blk++)
      for (int t = 0; t < SG_RB; t++) acc += b->data[(blk * d + j) * SG_RB + t];
    mu[j] = n > 0 ? acc / (double) n : 0.0; /* padding rows are 0 */
  }
  f->data = (float *) R_alloc(rows * d > 0 ? rows * d : 1, sizeof(float));
  sg_fresh_buffer(f->data, (size_t) rows * d * sizeof(float));
  f->norm = (float *) R_alloc(rows > 0 ? rows : 1, sizeof(float));
  f->pnorm = t2 ? (float *) R_alloc(rows > 0 ? rows : 1, sizeof(float)) : NULL;
  f->norm_max = (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double));
  f->t2_max = (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double));
  int big = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static) reduction(|: big)
#endif
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_RB;
    int cnt = sg_block_rows(n, blk);
    double nrm[SG_RB];
    for (int t = 0; t < SG_RB; t++) nrm[t] = 0.0;
    for (int j = 0; j < d; j++) {
      const double *col = b->data + (blk * d + j) * SG_RB;
      float *fcol = f->data + (blk * d + j) * SG_RB;
      for (int t = 0; t < SG_RB; t++) {
        double v = t < cnt ? col[t] - mu[j] : 0.0;
        if (!(fabs(v) <= SG_F32_MAX_ABS)) big = 1;
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
  if (big) return 0;
  float *qf = (float *) R_alloc(m * d > 0 ? m * d : 1, sizeof(float));
  double *qn = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  int nq = sg_copy_threads(nthreads, (double) m * d);
#ifdef _OPENMP
#pragma omp parallel for num_threads(nq) schedule(static) reduction(|: big)
#endif
  for (R_xlen_t i = 0; i < m; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) {
      double v = qrow[i * d + j] - mu[j];
      if (!(fabs(v) <= SG_F32_MAX_ABS)) big = 1;
      qf[i * d + j] = (float) v;
      acc += (double) qf[i * d + j] * (double) qf[i * d + j];
    }
    qn[i] = acc;
  }
  if (big) return 0;
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

/* |r|^2 of every row of b, the terms in dimension order (padding rows
 * +Inf, so no screen passes them), and the largest per block. */
double *sg_block_norms(const sg_blocks *b, double **norm_max) {
  const int d = b->d;
  const R_xlen_t n = b->n;
  double *norm = (double *) R_alloc(b->n_blocks * SG_RB + 1, sizeof(double));
  for (R_xlen_t i = n; i < b->n_blocks * SG_RB; i++) norm[i] = R_PosInf;
  double *mx_all = norm_max
    ? (double *) R_alloc(b->n_blocks > 0 ? b->n_blocks : 1, sizeof(double)) : NULL;
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_RB;
    int cnt = sg_block_rows(n, blk);
    double mx = 0.0;
    for (int t = 0; t < cnt; t++) {
      double acc = 0.0;
      for (int j = 0; j < d; j++) {
        double v = b->data[(blk * d + j) * SG_RB + t];
        acc += v * v;
      }
      norm[r0 + t] = acc;
      if (acc > mx) mx = acc;
    }
    if (mx_all) mx_all[blk] = mx;
  }
  if (norm_max) *norm_max = mx_all;
  return norm;
}

/* |q|^2 of m rows of d contiguous values, the terms in order. */
double *sg_row_norms(const double *rows, R_xlen_t m, int d) {
  double *norm = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  for (R_xlen_t i = 0; i < m; i++) {
    double acc = 0.0;
    for (int j = 0; j < d; j++) acc += rows[i * d + j] * rows[i * d + j];
    norm[i] = acc;
  }
  return norm;
}

/* ---------------------------------------------------------------------
 * The scan: query blocks of SG_QB rows in parallel, each against every
 * block of reference rows in order, by one of the three block searches. */
#define SG_QB 32  /* queries per task */

/* What every thread reads. */
typedef struct {
  const sg_blocks *rb;
  const double *qrow;   /* m x d row-major, the reference rows' scale */
  R_xlen_t m;
  int k, self;
  const int *exclude;
  sg_scan_kind kind;
  sg_sqdist_fn sqdist;
  /* the double screen: the rows' squared norms and their largest per
   * block, the queries' squared norms */
  sg_dot_fn dotk;
  sg_row_screen_fn screen;
  double *rnorm, *rnorm_max, *qnorm;
  /* the float screen: the float copies and the float queries' norms */
  sg_fscan_fn fscan;
  sg_fblocks fb;
  float *qf;
  double *qnf;
  /* each thread's scratch (one-sided scan); the answer, m x k */
  struct sg_knn_scratch *scratch;
  int *out_index;
  double *out_dist;
} sg_knn_plan;

/* What one thread writes: the lists of its query block (SG_QB x k) and
 * the scratch of the block searches. */
typedef struct sg_knn_scratch {
  double *best_d;
  int *best_i;
  double *acc;          /* SG_RB squared distances */
  double *dots;         /* 4 x SG_RB dot products (double screen) */
  int *hits;            /* 4 x SG_RB rows passing a screen */
  int *prow;            /* float screen: the candidate pairs' rows, */
  const double **pq;    /* their queries */
  double *pex;          /* and their canonical distances */
} sg_knn_scratch;

/* The rows r0 + t of a block, t in t0..t1 - 1, at squared distances acc[t],
 * offered in order to the sorted list bd, bi of k whose k-th is worst, the
 * row `skip` left out; returns the new k-th. */
static inline double sg_offer_span(const double *acc, int t0, int t1,
                                   R_xlen_t r0, R_xlen_t skip, double *bd,
                                   int *bi, int k, double worst) {
  for (int t = t0; t < t1; t++) {
    if (acc[t] < worst) {
      R_xlen_t ridx = r0 + t;
      if (ridx == skip) continue;
      sg_topk_insert(bd, bi, k, acc[t], (int) ridx);
      worst = bd[k - 1];
    }
  }
  return worst;
}

/* The cnt rows of a block offered to a list (as sg_offer_span()).  Past
 * the first rows few come below the k-th, so eight are compared at once
 * and only a group holding one is walked row by row: the k-th only falls,
 * so a group with none below it has none when walked either. */
static inline void sg_offer_block(const double *acc, int cnt, R_xlen_t r0,
                                  R_xlen_t skip, double *bd, int *bi, int k) {
  double worst = bd[k - 1];
  int t = 0;
  if (worst == R_PosInf) {
    /* an open list (the scans' distances are finite: +Inf marks an empty
     * slot): a row goes in after the filled slots, not through the empty
     * ones, which are all alike */
    int filled = 0;
    while (bd[filled] != R_PosInf) filled++;
    for (; t < cnt && filled < k; t++)
      if (acc[t] < worst && r0 + t != skip)
        sg_topk_insert(bd, bi, ++filled, acc[t], (int) (r0 + t));
    worst = bd[k - 1];
  }
  for (; t + 8 <= cnt; t += 8)
    if (sg_any_below8(acc + t, worst))
      worst = sg_offer_span(acc, t, t + 8, r0, skip, bd, bi, k, worst);
  sg_offer_span(acc, t, cnt, r0, skip, bd, bi, k, worst);
}

/* The longest list sg_offer_bounded() bounds (sg_kth_bound()'s slots). */
#define SG_BOUND_K 16

/* The minimum of v[0..cnt), NaN left out (+Inf: none): four running
 * minima, so that the compares do not wait on one another. */
static inline double sg_min_of(const double *v, int cnt) {
  double g0 = R_PosInf, g1 = R_PosInf, g2 = R_PosInf, g3 = R_PosInf;
  int u = 0;
  for (; u + 4 <= cnt; u += 4) {
    g0 = v[u] < g0 ? v[u] : g0;
    g1 = v[u + 1] < g1 ? v[u + 1] : g1;
    g2 = v[u + 2] < g2 ? v[u + 2] : g2;
    g3 = v[u + 3] < g3 ? v[u + 3] : g3;
  }
  for (; u < cnt; u++) g0 = v[u] < g0 ? v[u] : g0;
  g0 = g1 < g0 ? g1 : g0;
  g2 = g3 < g2 ? g3 : g2;
  return g2 < g0 ? g2 : g0;
}

/* GCC unrolls the loop over the slots (clang does unasked), and inlines
 * sg_kth_bound_nv() with its slot count a constant at each call, so that
 * the slots stay in registers */
#if defined(__GNUC__) && !defined(__clang__)
#define SG_UNROLL_SLOTS _Pragma("GCC unroll 16")
#else
#define SG_UNROLL_SLOTS
#endif

/* The k-th smallest of the minima of v's groups of eight (k <= 2 nv;
 * +Inf when fewer than k are finite): each minimum into a sorted list of
 * 2 nv slots, each slot the smaller of itself and the larger of the
 * minimum and the slot before (min and max steps, no branch on the data;
 * with nv a constant the slots stay in registers). */
#if SG_BOUND_K != 2 * 8
#error "sg_kth_bound() takes at most 8 pairs of slots"
#endif
static SG_ALWAYS_INLINE double sg_kth_bound_nv(const double *v, int cnt, int k, const int nv) {
  double sl[SG_BOUND_K];
  for (int j = 0; j < 2 * nv; j++) sl[j] = R_PosInf;
  for (int t = 0; t < cnt; t += 8) {
    const double g = sg_min_of(v + t, t + 8 < cnt ? 8 : cnt - t);
    SG_UNROLL_SLOTS
    for (int j = 2 * nv - 1; j > 0; j--) {
      const double a = sl[j - 1] > g ? sl[j - 1] : g;
      sl[j] = sl[j] < a ? sl[j] : a;
    }
    sl[0] = sl[0] < g ? sl[0] : g;
  }
  return sl[k - 1];
}

/* sg_kth_bound_nv() with the fewest slots of three sizes that hold k. */
static double sg_kth_bound(const double *v, int cnt, int k) {
  if (k <= 6) return sg_kth_bound_nv(v, cnt, k, 3);
  if (k <= 10) return sg_kth_bound_nv(v, cnt, k, 5);
  return sg_kth_bound_nv(v, cnt, k, 8);
}

/* The classes' one scan has each query's distances to all rows at hand
 * before any is offered, so its lists can be filled from the near rows
 * alone.  The list of the k smallest of the values v[0..cnt) (by value,
 * then index), v[skip] left out, into the open list bd, bi of k (v is
 * scratch, given back as it came): the list sg_offer_block() makes, and
 * by it for k above SG_BOUND_K.
 *
 * An upper bound U of the k-th smallest comes first: the k-th smallest of
 * the minima of the groups of eight values (k groups each hold a value at
 * or below U, so the k-th smallest is at or below it, and no value above
 * it can end in the list).  The minima and their k smallest take min and
 * max steps alone, no branch on the data, where offering every row takes
 * a branch a row that the processor mispredicts while the list's k-th is
 * still high.  Then only the rows at or below U are offered, in row order,
 * to the usual insertion: the same list, ties and all.  NaN is never at
 * or below U; a U of +Inf (fewer than k groups with a finite value)
 * offers every row as sg_offer_block() does. */
static void sg_offer_bounded(double *v, int cnt, int skip, double *bd, int *bi,
                             int k) {
  if (k > SG_BOUND_K) {
    sg_offer_block(v, cnt, 0, skip, bd, bi, k);
    return;
  }
  const double skipped = v[skip];
  v[skip] = R_PosInf;
  const double bound = sg_kth_bound(v, cnt, k);
  if (bound == R_PosInf) {
    v[skip] = skipped;
    sg_offer_block(v, cnt, 0, skip, bd, bi, k);
    return;
  }
  /* at least k rows at or below the bound: the first k fill the list */
  int filled = 0, t = 0;
  for (; t + 16 <= cnt; t += 16) {
    unsigned hit = sg_atmost16(v + t, bound);
    while (hit) {
      const int u = t + sg_lowest_bit(hit);
      hit &= hit - 1u;
      sg_topk_offer(bd, bi, k, &filled, v[u], u, 0);
    }
  }
  for (; t < cnt; t++)
    if (v[t] <= bound) sg_topk_offer(bd, bi, k, &filled, v[t], t, 0);
  v[skip] = skipped;
}

/* Direct: the nq queries from q0 against block blk, every distance. */
static void sg_block_direct(const sg_knn_plan *p, sg_knn_scratch *w,
                            R_xlen_t q0, int nq, R_xlen_t blk) {
  const int k = p->k, dk = p->rb->d;
  const R_xlen_t r0 = blk * SG_RB;
  const int cnt = (int) (p->rb->n - r0 < SG_RB ? p->rb->n - r0 : SG_RB);
  double *acc = w->acc;
  for (int qi = 0; qi < nq; qi++) {
    R_xlen_t qidx = q0 + qi;
    p->sqdist(p->rb, blk, cnt, p->qrow + qidx * dk, acc);
    /* farthest rows: the same search on negated distances */
    if (p->kind == SG_SCAN_FARTHEST)
      for (int t = 0; t < cnt; t++) acc[t] = -acc[t];
    sg_offer_block(acc, cnt, r0, sg_skip_row(p->self, p->exclude, qidx),
                   w->best_d + (size_t) qi * k, w->best_i + (size_t) qi * k, k);
  }
}

/* The double screen: four queries' dot products with the block at a time,
 * then the rows the screen passes measured the canonical way. */
static void sg_block_double(const sg_knn_plan *p, sg_knn_scratch *w,
                            R_xlen_t q0, int nq, R_xlen_t blk) {
  const int k = p->k, dk = p->rb->d;
  const R_xlen_t r0 = blk * SG_RB;
  const double rmax = p->rnorm_max[blk];
  for (int q4 = 0; q4 < nq; q4 += 4) {
    const double *qp[4];
    for (int u = 0; u < 4; u++) {
      int qi = q4 + u < nq ? q4 + u : nq - 1;
      qp[u] = p->qrow + (q0 + qi) * dk;
    }
    p->dotk(p->rb, blk, qp[0], qp[1], qp[2], qp[3], w->dots);
    for (int u = 0; u < 4 && q4 + u < nq; u++) {
      int qi = q4 + u;
      R_xlen_t qidx = q0 + qi;
      double *bd = w->best_d + (size_t) qi * k;
      int *bi = w->best_i + (size_t) qi * k;
      R_xlen_t skip = sg_skip_row(p->self, p->exclude, qidx);
      double qn = p->qnorm[qidx];
      double tol = sg_f64_tol(dk, qn, rmax);
      const double *dq = w->dots + (size_t) u * SG_RB;
      const double *rn = p->rnorm + r0;
      double worst = bd[k - 1];
      /* rows whose screened distance, less its error bound, is below the
       * k-th; padding rows have rn = Inf and never pass */
      int nh = p->screen(rn, dq, worst + tol - qn, w->hits);
      for (int h = 0; h < nh; h++) {
        int t = w->hits[h];
        R_xlen_t ridx = r0 + t;
        if (ridx == skip) continue;
        double exact = sg_sqdist_exact(p->rb, blk, t, qp[u]);
        if (exact < worst) {
          sg_topk_insert(bd, bi, k, exact, (int) ridx);
          worst = bd[k - 1];
        }
      }
    }
  }
}

/* Whether every one of the nq lists still has a free slot: no screen can
 * then pass fewer than all rows. */
static int sg_lists_open(const sg_knn_scratch *w, int nq, int k) {
  for (int qi = 0; qi < nq; qi++)
    if (w->best_d[(size_t) qi * k + k - 1] != R_PosInf) return 0;
  return 1;
}

/* The float screen: four queries screened against the block at once, then
 * the canonical distances of every candidate; a query with many
 * candidates (the first blocks) has the whole block measured at once, the
 * same canonical bits, and while every list is open (the first block) the
 * screen is not run at all. */
static void sg_block_float(const sg_knn_plan *p, sg_knn_scratch *w,
                           R_xlen_t q0, int nq, R_xlen_t blk) {
  const int k = p->k, dk = p->rb->d;
  const R_xlen_t r0 = blk * SG_RB;
  const int cnt = (int) (p->rb->n - r0 < SG_RB ? p->rb->n - r0 : SG_RB);
  const double rmax = p->fb.norm_max[blk];
  int *hits = w->hits;
  if (sg_lists_open(w, nq, k)) {
    sg_block_direct(p, w, q0, nq, blk);
    return;
  }
  for (int q4 = 0; q4 < nq; q4 += 4) {
    const float *qp[4];
    float thr[4];
    for (int u = 0; u < 4; u++) {
      int qi = q4 + u < nq ? q4 + u : nq - 1;
      qp[u] = p->qf + (q0 + qi) * dk;
      double qn = p->qnf[q0 + qi];
      thr[u] = sg_float_up(w->best_d[(size_t) qi * k + k - 1] +
                           sg_f32_tol(dk, qn, rmax) - qn);
    }
    int nhit[4];
    p->fscan(&p->fb, dk, blk, qp[0], qp[1], qp[2], qp[3], thr, SG_FSCAN_ALL,
             hits, nhit);
    int np = 0, whole[4];
    for (int u = 0; u < 4 && q4 + u < nq; u++) {
      const double *qd = p->qrow + (q0 + q4 + u) * dk;
      whole[u] = nhit[u] > SG_RB / 8;
      if (whole[u]) continue;
      for (int h = 0; h < nhit[u]; h++) {
        w->prow[np] = hits[u * SG_RB + h];
        w->pq[np++] = qd;
      }
    }
    if (np > 0) sg_sqdist_pairs(p->rb, blk, w->prow, w->pq, np, w->pex);
    np = 0;
    for (int u = 0; u < 4 && q4 + u < nq; u++) {
      int qi = q4 + u;
      R_xlen_t qidx = q0 + qi;
      double *bd = w->best_d + (size_t) qi * k;
      int *bi = w->best_i + (size_t) qi * k;
      R_xlen_t skip = sg_skip_row(p->self, p->exclude, qidx);
      double worst = bd[k - 1];
      const int *hu = hits + (size_t) u * SG_RB;
      const double *ex = w->pex + np;
      if (whole[u]) {
        p->sqdist(p->rb, blk, cnt, p->qrow + qidx * dk, w->acc);
        ex = w->acc;
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
}

/* The kernels and precomputed norms of p->kind; the float screen becomes
 * the double one where values are too large for floats. */
static void sg_knn_plan_make(sg_knn_plan *p, int nthreads) {
  p->sqdist = sg_sqdist_kernel();
  if (p->kind == SG_SCAN_FLOAT) {
    p->fscan = sg_fscan_kernel();
    if (sg_f32_fill(p->rb, NULL, p->qrow, p->m, &p->fb, &p->qf, &p->qnf, nthreads)) return;
    p->kind = SG_SCAN_DOUBLE;
  }
  if (p->kind == SG_SCAN_DOUBLE) {
    p->dotk = sg_dot_kernel();
    p->screen = sg_row_screen_kernel();
    p->rnorm = sg_block_norms(p->rb, &p->rnorm_max);
    p->qnorm = sg_row_norms(p->qrow, p->m, p->rb->d);
  }
}

/* Each thread's scratch, for the searches of kind. */
static sg_knn_scratch *sg_knn_scratch_make(int k, sg_scan_kind kind,
                                           int nthreads) {
  sg_knn_scratch *w = (sg_knn_scratch *) R_alloc(nthreads, sizeof(sg_knn_scratch));
  size_t per_thread = (size_t) SG_QB * (size_t) k;
  for (int tid = 0; tid < nthreads; tid++) {
    sg_knn_scratch *s = w + tid;
    memset(s, 0, sizeof *s);
    s->best_d = (double *) R_alloc(per_thread, sizeof(double));
    s->best_i = (int *) R_alloc(per_thread, sizeof(int));
    s->acc = (double *) R_alloc(SG_RB, sizeof(double));
    if (kind == SG_SCAN_DOUBLE || kind == SG_SCAN_FLOAT)
      s->hits = (int *) R_alloc((size_t) 4 * SG_RB, sizeof(int));
    if (kind == SG_SCAN_DOUBLE)
      s->dots = (double *) R_alloc((size_t) 4 * SG_RB, sizeof(double));
    if (kind == SG_SCAN_FLOAT) {
      s->prow = (int *) R_alloc((size_t) 4 * SG_RB, sizeof(int));
      s->pq = (const double **) R_alloc((size_t) 4 * SG_RB, sizeof(double *));
      s->pex = (double *) R_alloc((size_t) 4 * SG_RB + 8, sizeof(double));
    }
  }
  return w;
}

/* Whether a self-search of n rows screened in float is made symmetric:
 * forced by the test switch (path 7), else from SG_SYM_MIN_N rows on, for
 * k up to SG_SYM_MAX_K, and while the lists (one for every row: n x k
 * entries of 12 bytes) fit in SG_SYM_MAX_BYTES; a larger search is
 * one-sided (the same result), whose scratch does not grow with n. */
#define SG_SYM_MAX_K 32
#define SG_SYM_MIN_N 2048
#define SG_SYM_MAX_BYTES (256.0 * 1024 * 1024)
static int sg_scan_symmetric(R_xlen_t n, int k) {
  if (k > SG_SYM_MAX_K) return 0;
  int path = sg_knn_path();
  if (path == 7) return 1;
  double bytes = (double) n * k * (sizeof(double) + sizeof(int));
  return path == 0 && n >= SG_SYM_MIN_N && bytes <= SG_SYM_MAX_BYTES;
}

/* ---------------------------------------------------------------------
 * The symmetric self-search: each pair of rows i < j screened and measured
 * once, the distance offered to both rows' lists.  The canonical distance
 * is symmetric to the bit ((a - b)^2 = (b - a)^2 in every dimension), so
 * the lists receive the values the one-sided scan measures.
 *
 * The rows are in blocks of SG_RB. A tile is block a's rows (query
 * groups of SG_QB) against block b >= a, a pair kept only when j > i; it
 * writes the lists of its two blocks' rows only. The tiles run in rounds
 * (sg_sym_round_tile()): every block with itself, then every pair of
 * blocks once, each round's tiles on disjoint blocks. So the threads share
 * one list per row without locks, and each list is offered its candidates
 * in the same order (sg_topk_insert_lex(): rows in any order) for any
 * thread count. A pair is screened out only when its screened value, less
 * the rounding bound, is beyond both rows' current k-th distance; those
 * are never below the final k-th, so no pair of the answer (ties
 * included) is dropped.  The screen is scan.c's ball screen: the query's
 * bound as the threshold, the reference row's k-th
 * distance as a ball's squared radius (|r|^2 - t2, its bound widened as
 * there).  Measured against the one-sided float scan (CPU of one thread,
 * Gaussian rows, k = 5): n = 20,000, d = 32: 0.21-0.28 s against 0.34-0.39;
 * d = 64: 0.49-0.52 against 0.59-0.63; at 2,000-8,000 rows never slower. */
typedef struct {
  const sg_knn_plan *p;
  sg_ball_screen_fn screen;
  double *bd_all;   /* the lists: n x k distances */
  int *bi_all;      /* and rows */
  float *pn_all;    /* per thread: |r|^2 - t2 per row, the blocks' length */
  int *hits_all;    /* per thread: 4 x SG_RB */
  double *acc_all;  /* per thread: SG_RB */
  int *prow_all;    /* per thread, 4 x SG_RB: the pairs' rows of the block, */
  R_xlen_t *pqi_all;          /* their queries, */
  const double **pq_all;      /* the queries' values */
  double *pex_all;            /* and their distances (4 x SG_RB + 8) */
} sg_sym_plan;

/* The distance v of rows i < j offered to both lists. */
static inline void sg_sym_offer(double *bd, int *bi, int k, R_xlen_t i,
                                R_xlen_t j, double v) {
  sg_topk_insert_lex(bd + (size_t) i * k, bi + (size_t) i * k, k, v, (int) j);
  sg_topk_insert_lex(bd + (size_t) j * k, bi + (size_t) j * k, k, v, (int) i);
}

/* Queries q0 .. q0 + nq - 1 against block blk, in thread tid. */
static void sg_sym_tile(const sg_sym_plan *s, int tid, R_xlen_t q0, int nq,
                        R_xlen_t blk) {
  const sg_knn_plan *p = s->p;
  const sg_blocks *rb = p->rb;
  const int k = p->k, dk = rb->d;
  const R_xlen_t n = rb->n, r0 = blk * SG_RB;
  const int cnt = sg_block_rows(n, blk);
  const double rmax = p->fb.norm_max[blk];
  double *bd = s->bd_all;
  int *bi = s->bi_all;
  int *hits = s->hits_all + (size_t) tid * 4 * SG_RB;
  double *acc = s->acc_all + (size_t) tid * SG_RB;
  int *prow = s->prow_all + (size_t) tid * 4 * SG_RB;
  R_xlen_t *pqi = s->pqi_all + (size_t) tid * 4 * SG_RB;
  const double **pq = s->pq_all + (size_t) tid * 4 * SG_RB;
  double *pex = s->pex_all + (size_t) tid * (4 * SG_RB + 8);
  sg_fblocks fl = p->fb;
  fl.pnorm = s->pn_all + (size_t) tid * rb->n_blocks * SG_RB;
  /* the block's rows as balls of their current k-th distance (an open
   * list: every pair passes) */
  double t2max = 0.0;
  for (int t = 0; t < cnt; t++) {
    double w = bd[(size_t) (r0 + t) * k + k - 1];
    if (w == R_PosInf) {
      fl.pnorm[r0 + t] = -INFINITY;
      continue;
    }
    /* rounded to nearest (the bound below allows for it) */
    double v = (double) p->fb.norm[r0 + t] - w;
    fl.pnorm[r0 + t] = v < -(double) FLT_MAX ? -INFINITY : (float) v;
    if (w > t2max) t2max = w;
  }
  /* scan.c's widening for |r|^2 - t2 rounded down, 8u (t2 + |q|^2), and
   * u (|r|^2 + t2) more for rounding it to nearest instead */
  const double pwide = 4.0 * FLT_EPSILON * t2max +
    (FLT_EPSILON / 2) * (rmax + t2max);
  for (int q4 = 0; q4 < nq; q4 += 4) {
    const float *qp[4];
    float lim[4], plim[4];
    for (int u = 0; u < 4; u++) {
      R_xlen_t qi = q0 + (q4 + u < nq ? q4 + u : nq - 1);
      double qn = p->qnf[qi];
      double tol = sg_f32_tol(dk, qn, rmax);
      qp[u] = p->qf + qi * dk;
      lim[u] = sg_float_up(bd[(size_t) qi * k + k - 1] + tol - qn);
      plim[u] = sg_float_up(tol + pwide + 4.0 * FLT_EPSILON * qn - qn);
    }
    int nh[4];
    s->screen(&fl, dk, blk, qp, lim, plim, hits, nh);
    /* the pairs j > i passing, measured eight at a time; a query with
     * many (open lists) has the whole block measured at once */
    int np = 0;
    for (int u = 0; u < 4 && q4 + u < nq; u++) {
      R_xlen_t qi = q0 + q4 + u;
      const int *hu = hits + (size_t) u * SG_RB;
      if (nh[u] > SG_RB / 8) {
        p->sqdist(rb, blk, cnt, p->qrow + qi * dk, acc);
        for (int h = 0; h < nh[u]; h++) {
          int t = hu[h];
          if (t < cnt && r0 + t > qi) sg_sym_offer(bd, bi, k, qi, r0 + t, acc[t]);
        }
        continue;
      }
      for (int h = 0; h < nh[u]; h++) {
        int t = hu[h];
        if (t >= cnt || r0 + t <= qi) continue;
        prow[np] = t;
        pqi[np] = qi;
        pq[np++] = p->qrow + qi * dk;
      }
    }
    if (np == 0) continue;
    sg_sqdist_pairs(rb, blk, prow, pq, np, pex);
    for (int e = 0; e < np; e++)
      sg_sym_offer(bd, bi, k, pqi[e], r0 + prow[e], pex[e]);
  }
}

/* One tile of the rounds: the rows of block a (its query groups of
 * SG_QB) against block b >= a. */
static void sg_sym_pair(const sg_sym_plan *s, int tid, R_xlen_t a, R_xlen_t b) {
  const R_xlen_t end = a * SG_RB + sg_block_rows(s->p->rb->n, a);
  for (R_xlen_t q0 = a * SG_RB; q0 < end; q0 += SG_QB)
    sg_sym_tile(s, tid, q0, (int) (end - q0 < SG_QB ? end - q0 : SG_QB), b);
}

/* Tile e of round r among nb blocks (as nb2, even: block nb2 - 1 is
 * none when nb is odd): round 0 pairs each block with itself, rounds 1
 * to nb2 - 1 pair the blocks by the circle method, so that each pair of
 * blocks meets in exactly one round and no block is in two tiles of a
 * round. Returns 0 for a tile with the missing block. */
static int sg_sym_round_tile(R_xlen_t nb, R_xlen_t nb2, R_xlen_t r, R_xlen_t e,
                             R_xlen_t *a, R_xlen_t *b) {
  R_xlen_t x, y;
  if (r == 0) {
    x = y = e;
  } else {
    R_xlen_t m = nb2 - 1, rr = r - 1;
    if (e == 0) {
      x = rr;
      y = m;
    } else {
      x = (rr + e) % m;
      y = (rr + m - e) % m;
    }
  }
  if (x >= nb || y >= nb) return 0;
  *a = x < y ? x : y;
  *b = x < y ? y : x;
  return 1;
}

/* The whole self-search, p's float copies made (p->kind SG_SCAN_FLOAT). */
static void sg_knn_scan_sym(const sg_knn_plan *p, int nthreads) {
  const sg_blocks *rb = p->rb;
  const R_xlen_t n = rb->n, rows = rb->n_blocks * SG_RB, nb = rb->n_blocks;
  const int k = p->k;
  sg_sym_plan s;
  s.p = p;
  s.screen = sg_ball_screen_kernel();
  size_t lists = (size_t) n * k;
  s.bd_all = (double *) R_alloc(lists, sizeof(double));
  s.bi_all = (int *) R_alloc(lists, sizeof(int));
  sg_fresh_buffer(s.bd_all, lists * sizeof(double));
  sg_fresh_buffer(s.bi_all, lists * sizeof(int));
  s.pn_all = (float *) R_alloc((size_t) nthreads * rows, sizeof(float));
  s.hits_all = (int *) R_alloc((size_t) nthreads * 4 * SG_RB, sizeof(int));
  s.acc_all = (double *) R_alloc((size_t) nthreads * SG_RB, sizeof(double));
  s.prow_all = (int *) R_alloc((size_t) nthreads * 4 * SG_RB, sizeof(int));
  s.pqi_all = (R_xlen_t *) R_alloc((size_t) nthreads * 4 * SG_RB, sizeof(R_xlen_t));
  s.pq_all = (const double **) R_alloc((size_t) nthreads * 4 * SG_RB, sizeof(double *));
  s.pex_all = (double *) R_alloc((size_t) nthreads * (4 * SG_RB + 8), sizeof(double));
  for (size_t e = 0; e < lists; e++) {
    s.bd_all[e] = R_PosInf;
    s.bi_all[e] = -1;
  }
  /* padding rows never pass */
  for (size_t e = 0; e < (size_t) nthreads * rows; e++) s.pn_all[e] = INFINITY;
  /* the tiles of a round touch disjoint rows, so the threads share one
   * list per row without locks; the rounds run in order, so each list
   * receives its candidates in the same order for any thread count */
  const R_xlen_t nb2 = nb + (nb & 1);
  const R_xlen_t per_chunk = nb2 > 0 ? (R_xlen_t) (SG_CHUNK_TERMS /
    ((double) SG_RB * SG_RB * (rb->d > 0 ? rb->d : 1) * (nb2 / 2) + 1.0)) + 1 : 1;
  for (R_xlen_t r0 = 0; r0 < nb2; r0 += per_chunk) {
    const R_xlen_t r1 = r0 + per_chunk < nb2 ? r0 + per_chunk : nb2;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
#endif
    {
      int tid = omp_get_thread_num();
      for (R_xlen_t r = r0; r < r1; r++) {
        const R_xlen_t tiles = r == 0 ? nb : nb2 / 2;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
        for (R_xlen_t e = 0; e < tiles; e++) {
          R_xlen_t a, b;
          if (sg_sym_round_tile(nb, nb2, r, e, &a, &b)) sg_sym_pair(&s, tid, a, b);
        }
      }
    }
    R_CheckUserInterrupt();
  }
  for (R_xlen_t i = 0; i < n; i++)
    sg_list_answer(s.bd_all + (size_t) i * k, s.bi_all + (size_t) i * k, k, i, n,
                   p->out_index, p->out_dist);
}

/* One query block (nq <= SG_QB queries from q0) against every block of
 * reference rows, in thread tid, its lists written to the answer. */
static void sg_knn_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_knn_plan *p = (const sg_knn_plan *) ctx;
  sg_knn_scratch *w = p->scratch + tid;
  const int k = p->k;
  const R_xlen_t m = p->m;
  for (size_t s = 0; s < (size_t) nq * k; s++) {
    w->best_d[s] = R_PosInf;
    w->best_i[s] = -1;
  }
  for (R_xlen_t blk = 0; blk < p->rb->n_blocks; blk++) {
    switch (p->kind) {
    case SG_SCAN_FLOAT: sg_block_float(p, w, q0, nq, blk); break;
    case SG_SCAN_DOUBLE: sg_block_double(p, w, q0, nq, blk); break;
    default: sg_block_direct(p, w, q0, nq, blk); break;
    }
  }
  for (int qi = 0; qi < nq; qi++)
    sg_list_answer(w->best_d + (size_t) qi * k, w->best_i + (size_t) qi * k, k, q0 + qi, m,
                   p->out_index, p->out_dist);
}

/* The whole search by a scan of the blocks (knn.h). */
void sg_knn_scan(const sg_blocks *rb, const double *qrow, R_xlen_t m, int k,
                 int self, const int *exclude, sg_scan_kind kind,
                 int *out_index, double *out_dist, int nthreads) {
  sg_knn_plan p;
  memset(&p, 0, sizeof p);
  p.rb = rb;
  p.qrow = qrow;
  p.m = m;
  p.k = k;
  p.self = self;
  p.exclude = exclude;
  p.kind = kind;
  p.out_index = out_index;
  p.out_dist = out_dist;
  sg_knn_plan_make(&p, nthreads);
  if (p.kind == SG_SCAN_FLOAT && self && !exclude && sg_scan_symmetric(m, k)) {
    sg_knn_scan_sym(&p, nthreads);
    return;
  }
  p.scratch = sg_knn_scratch_make(k, p.kind, nthreads);
  /* query blocks of SG_QB rows, at least 8 per thread between interrupt
   * checks to keep every thread busy */
  sg_for_groups(m, SG_QB, (double) SG_QB * (double) rb->n * (rb->d > 0 ? rb->d : 1),
                8 * nthreads, 4096, 1, sg_knn_group, &p, nthreads);
}

/* ---------------------------------------------------------------------
 * The classes' searches in one scan (sg_knn_classes()).  A class row's
 * distances to every data row are measured once, by the direct kernel;
 * they are offered in row order to its list of the whole data (itself
 * left out), then, in the order of its class's rows, to its list of its
 * class (itself left out): the lists the whole-data scan and the class's
 * own scan keep, the same canonical distances offered in the same order to
 * the same insertion, from one pass of the rows instead of two. */
typedef struct {
  const sg_blocks *rb;
  sg_sqdist_fn sqdist;
  sg_class_search *cls;
  const int *qclass;   /* per query (the classes' rows stacked): its class */
  const int *qpos;     /* and its position there */
  R_xlen_t total;
  int m, width, own_max;
  int *whole_index;    /* total x m */
  double *acc_all;     /* per thread: a distance per row of the blocks, */
  double *own_all;     /* those of the class's rows (own_max), */
  double *q_all;       /* the query (d values), */
  double *bd_all;      /* and a list (width) */
  int *bi_all;
  /* the pruned walk (NULL sb: every row measured): the rows sorted by
   * their projection on a direction v, blocked as rb; per sorted position
   * its data row and projection, per data row its sorted position, class
   * search (-1: none) and position there; |v|^2, the projections' error
   * bound, the relative bound of the rest; per thread a second list */
  sg_blocks sb;
  const int *srow, *spos, *rclass, *rpos;
  const double *proj;
  const struct sg_walk_class *wc;  /* per class search: its rows sorted */
  double vv, slack, rel;
  double *bd2_all;
  int *bi2_all;
} sg_classes_plan;

/* An empty list of k. */
static void sg_list_open(double *bd, int *bi, int k) {
  for (int c = 0; c < k; c++) {
    bd[c] = R_PosInf;
    bi[c] = -1;
  }
}

/* Query q (a class row), in thread tid. */
static void sg_classes_query(const sg_classes_plan *p, int tid, R_xlen_t q) {
  const sg_blocks *rb = p->rb;
  const int dk = rb->d, m = p->m;
  sg_class_search *c = p->cls + p->qclass[q];
  const int i = p->qpos[q];
  const R_xlen_t row = c->rows[i] - 1;
  double *acc = p->acc_all + (size_t) tid * rb->n_blocks * SG_RB;
  double *own = p->own_all + (size_t) tid * p->own_max;
  double *qv = p->q_all + (size_t) tid * (dk > 0 ? dk : 1);
  double *bd = p->bd_all + (size_t) tid * p->width;
  int *bi = p->bi_all + (size_t) tid * p->width;
  /* the query: its row's standardised values, as the blocks hold them */
  const double *qsrc = rb->data + (row / SG_RB) * dk * SG_RB + row % SG_RB;
  for (int j = 0; j < dk; j++) qv[j] = qsrc[(R_xlen_t) j * SG_RB];
  for (R_xlen_t blk = 0; blk < rb->n_blocks; blk++) {
    const R_xlen_t r0 = blk * SG_RB;
    const int cnt = (int) (rb->n - r0 < SG_RB ? rb->n - r0 : SG_RB);
    p->sqdist(rb, blk, cnt, qv, acc + r0);
  }
  sg_list_open(bd, bi, m);
  sg_offer_bounded(acc, (int) rb->n, (int) row, bd, bi, m);
  for (int e = 0; e < m; e++) p->whole_index[q + (R_xlen_t) e * p->total] = bi[e] + 1;
  for (int j = 0; j < c->p; j++) own[j] = acc[c->rows[j] - 1];
  sg_list_open(bd, bi, c->k);
  sg_offer_bounded(own, c->p, i, bd, bi, c->k);
  sg_list_answer(bd, bi, c->k, i, c->p, c->index, c->dist);
}

/* A class search's rows in the sorted order: blocked as the data rows,
 * and for each its sorted position among all rows and its position in
 * the class search. */
typedef struct sg_walk_class {
  sg_blocks sb;
  int *pos, *at;
} sg_walk_class;

/* The first of the n ascending values v at or above x (n: none). */
static inline R_xlen_t sg_first_at(const int *v, R_xlen_t n, R_xlen_t x) {
  R_xlen_t lo = 0;
  while (lo < n) {
    R_xlen_t mid = lo + (n - lo) / 2;
    if (v[mid] < x) lo = mid + 1; else n = mid;
  }
  return lo;
}

/* The pruned walk measures SG_WALK sorted rows a step. */
#define SG_WALK 16
#if SG_WALK != 16
#error "a step's rows are compared by sg_atmost16()"
#endif

/* A lower bound of the canonical squared distance of two rows whose
 * projections on v are gap >= 0 apart (computed): |v.(a - b)| <= |v| |a - b|
 * with the projections' rounding (slack) and that of the distance's and
 * this bound's own sums (rel) taken off; 0 where underflow could matter. */
static inline double sg_walk_bound(const sg_classes_plan *p, double gap) {
  double g = gap - p->slack;
  if (!(g > 0)) return 0.0;
  double lb = g * g / p->vv * p->rel;
  return lb > 1e-200 ? lb : 0.0;
}

/* Query q by the pruned walk: the sorted rows SG_WALK at a time, outward
 * from the query's place, the step nearer in projection first, until the
 * nearer step's bound exceeds the k-th of the whole-data list (a row
 * beyond it is farther than that k-th, so the list could not take it);
 * then the class's rows beyond the walked ones, in the class's sorted
 * copy, until the bound exceeds its own list's k-th.  Each row met is
 * offered to the lists in (distance, row) order: the lists of the full
 * scan, whose rows come in row order (equal distances keep the first row),
 * with the same canonical distances (the same kernel on the same values). */
static void sg_classes_walk(const sg_classes_plan *p, int tid, R_xlen_t q) {
  const sg_blocks *rb = p->rb;
  const int dk = rb->d, m = p->m;
  const int cq = p->qclass[q];
  sg_class_search *c = p->cls + cq;
  const int i = p->qpos[q], k = c->k;
  const int row = c->rows[i] - 1;
  const R_xlen_t n = rb->n;
  double *acc = p->acc_all + (size_t) tid * (rb->n_blocks * SG_RB + 32);
  double *qv = p->q_all + (size_t) tid * (dk > 0 ? dk : 1);
  double *bd = p->bd_all + (size_t) tid * p->width;
  int *bi = p->bi_all + (size_t) tid * p->width;
  double *bo = p->bd2_all + (size_t) tid * p->width;
  int *io = p->bi2_all + (size_t) tid * p->width;
  const double *qsrc = rb->data + (row / SG_RB) * dk * SG_RB + row % SG_RB;
  for (int j = 0; j < dk; j++) qv[j] = qsrc[(R_xlen_t) j * SG_RB];
  sg_list_open(bd, bi, m);
  sg_list_open(bo, io, k);
  int fw = 0, fo = 0;  /* the lists' entries */
  const R_xlen_t s = p->spos[row];
  const double pq = p->proj[s];
  R_xlen_t up = s - s % SG_WALK, dn = up - SG_WALK;
  int first = 1;
  for (;;) {
    double gup = up < n ? (first ? 0.0 : p->proj[up] - pq) : R_PosInf;
    double gdn = dn >= 0 ? pq - p->proj[dn + SG_WALK - 1] : R_PosInf;
    int goup = gup <= gdn;
    double gap = goup ? gup : gdn;
    if (gap == R_PosInf) break;
    if (sg_walk_bound(p, gap) > bd[m - 1]) break;
    R_xlen_t a = goup ? up : dn;
    if (goup) up += SG_WALK; else dn -= SG_WALK;
    first = 0;
    int cnt = (int) (n - a < SG_WALK ? n - a : SG_WALK);
    sg_blocks view = p->sb;
    view.data = p->sb.data + a % SG_RB;
    p->sqdist(&view, a / SG_RB, cnt, qv, acc);
    /* the rows at or below a k-th, each checked again as it comes (the
     * k-ths only fall) */
    double ww = bd[m - 1], wo = bo[k - 1];
    unsigned hit = sg_atmost16(acc, ww > wo ? ww : wo) & ((1u << cnt) - 1u);
    while (hit) {
      const int u = sg_lowest_bit(hit);
      hit &= hit - 1u;
      const double dist = acc[u];
      const int r = p->srow[a + u];
      if (r == row) continue;
      if (dist <= ww) {
        sg_topk_offer(bd, bi, m, &fw, dist, r, 1);
        ww = bd[m - 1];
      }
      if (dist <= wo && p->rclass[r] == cq) {
        sg_topk_offer(bo, io, k, &fo, dist, p->rpos[r], 1);
        wo = bo[k - 1];
      }
    }
  }
  /* the class's rows outside the sorted positions walked, [lo, hi),
   * outward in the class's own sorted copy, for its own list */
  const sg_walk_class *wc = p->wc + cq;
  const R_xlen_t lo = dn + SG_WALK, hi = up < n ? up : n;
  const R_xlen_t top = c->p;
  R_xlen_t odn = sg_first_at(wc->pos, top, lo), oup = sg_first_at(wc->pos, top, hi);
  for (;;) {
    double gup = oup < top ? p->proj[wc->pos[oup]] - pq : R_PosInf;
    double gdn = odn > 0 ? pq - p->proj[wc->pos[odn - 1]] : R_PosInf;
    int goup = gup <= gdn;
    double gap = goup ? gup : gdn;
    if (gap == R_PosInf || sg_walk_bound(p, gap) > bo[k - 1]) break;
    R_xlen_t a;
    int cnt;
    if (goup) {  /* up to SG_WALK rows within one block */
      a = oup;
      R_xlen_t end = a - a % SG_RB + SG_RB;
      if (end > a + SG_WALK) end = a + SG_WALK;
      if (end > top) end = top;
      cnt = (int) (end - a);
      oup = end;
    } else {
      R_xlen_t start = (odn - 1) - (odn - 1) % SG_RB;
      a = odn - SG_WALK > start ? odn - SG_WALK : start;
      cnt = (int) (odn - a);
      odn = a;
    }
    sg_blocks view = wc->sb;
    view.data = wc->sb.data + a % SG_RB;
    p->sqdist(&view, a / SG_RB, cnt, qv, acc);
    double wo = bo[k - 1];
    unsigned hit = sg_atmost16(acc, wo) & ((1u << cnt) - 1u);
    while (hit) {
      const int u = sg_lowest_bit(hit);
      hit &= hit - 1u;
      if (acc[u] <= wo) {
        sg_topk_offer(bo, io, k, &fo, acc[u], wc->at[a + u], 1);
        wo = bo[k - 1];
      }
    }
  }
  for (int e = 0; e < m; e++) p->whole_index[q + (R_xlen_t) e * p->total] = bi[e] + 1;
  sg_list_answer(bo, io, k, i, c->p, c->index, c->dist);
}

/* Queries q0 .. q0 + nq - 1 (a group of sg_for_groups()). */
static void sg_classes_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_classes_plan *p = (const sg_classes_plan *) ctx;
  for (R_xlen_t q = q0; q < q0 + nq; q++) {
    if (p->sb.data) sg_classes_walk(p, tid, q);
    else sg_classes_query(p, tid, q);
  }
}

/* The rows' order by their projections pv (equal ones by row): a merge
 * sort of the rows 0..n-1 into ord (tmp: scratch of n). */
static void sg_proj_order(const double *pv, R_xlen_t n, int *ord, int *tmp) {
  for (R_xlen_t r = 0; r < n; r++) ord[r] = (int) r;
  int *src = ord, *dst = tmp;
  for (R_xlen_t w = 1; w < n; w *= 2) {
    for (R_xlen_t lo = 0; lo < n; lo += 2 * w) {
      R_xlen_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      R_xlen_t a = lo, b = mid, o = lo;
      while (a < mid && b < hi) dst[o++] = pv[src[b]] < pv[src[a]] ? src[b++] : src[a++];
      while (a < mid) dst[o++] = src[a++];
      while (b < hi) dst[o++] = src[b++];
    }
    int *t = src; src = dst; dst = t;
  }
  if (src != ord) memcpy(ord, src, n * sizeof(int));
}

/* The pruned walk's set-up (sg_classes_walk()): FALSE where it does not
 * apply (a data row in two classes' searches) or, unless forced, would
 * not pay: more columns than a tenth of the queries (the direction costs
 * more than it saves), or fewer than SG_WALK_MIN_N rows (where the
 * set-up costs more than the walk saves; see bench/README.md).
 * v: the first principal axis of the rows (a few power steps from the
 * axis of all columns alike; any v gives a valid bound, a good one a
 * tighter one). */
#define SG_WALK_MIN_N 512

static int sg_classes_walk_make(sg_classes_plan *p, int C, int force) {
  const sg_blocks *rb = p->rb;
  const R_xlen_t n = rb->n;
  const int d = rb->d;
  if (d < 1 || (!force && ((R_xlen_t) d * 10 > p->total || n < SG_WALK_MIN_N)))
    return 0;
  int *rclass = (int *) R_alloc(n, sizeof(int));
  int *rpos = (int *) R_alloc(n, sizeof(int));
  for (R_xlen_t r = 0; r < n; r++) rclass[r] = -1;
  for (int c = 0; c < C; c++)
    for (int i = 0; i < p->cls[c].p; i++) {
      int r = p->cls[c].rows[i] - 1;
      if (rclass[r] >= 0) return 0;
      rclass[r] = c;
      rpos[r] = i;
    }
  /* X'X of the rows (d x d), and the largest value */
  double *xx = (double *) R_alloc((size_t) d * d, sizeof(double));
  double xmax = 0.0;
  memset(xx, 0, (size_t) d * d * sizeof(double));
  /* X'X from every stride-th row (any direction is valid; some 128 rows
   * find a good one) */
  const R_xlen_t stride = n / 128 > 1 ? n / 128 : 1;
  double *xr = (double *) R_alloc(d, sizeof(double));
  for (R_xlen_t r = 0; r < n; r += stride) {
    const double *base = rb->data + (r / SG_RB) * d * SG_RB + r % SG_RB;
    for (int a = 0; a < d; a++) xr[a] = base[(R_xlen_t) a * SG_RB];
    for (int a = 0; a < d; a++)
      for (int b = 0; b <= a; b++) xx[a * d + b] += xr[a] * xr[b];
  }
  for (R_xlen_t blk = 0; blk < rb->n_blocks; blk++) {
    const double *base = rb->data + blk * d * SG_RB;
    int cnt = (int) (n - blk * SG_RB < SG_RB ? n - blk * SG_RB : SG_RB);
    for (int a = 0; a < d; a++)
      for (int t = 0; t < cnt; t++) {
        double v = fabs(base[(R_xlen_t) a * SG_RB + t]);
        if (v > xmax) xmax = v;
      }
  }
  for (int a = 0; a < d; a++)
    for (int b = a + 1; b < d; b++) xx[a * d + b] = xx[b * d + a];
  double *v = (double *) R_alloc(d, sizeof(double));
  double *w = (double *) R_alloc(d, sizeof(double));
  for (int a = 0; a < d; a++) v[a] = 1.0;
  for (int it = 0; it < 8; it++) {
    double nrm = 0.0;
    for (int a = 0; a < d; a++) {
      double acc = 0.0;
      for (int b = 0; b < d; b++) acc += xx[a * d + b] * v[b];
      w[a] = acc;
      nrm = fmax(nrm, fabs(acc));
    }
    if (!(nrm > 0) || !R_FINITE(nrm)) break;
    for (int a = 0; a < d; a++) v[a] = w[a] / nrm;
  }
  double vv = 0.0, v1 = 0.0;
  for (int a = 0; a < d; a++) {
    vv += v[a] * v[a];
    v1 += fabs(v[a]);
  }
  if (!(vv > 0) || !R_FINITE(vv) || !R_FINITE(v1)) return 0;
  /* the projections, sorted */
  double *pv = (double *) R_alloc(n, sizeof(double));
  for (R_xlen_t r = 0; r < n; r++) {
    const double *base = rb->data + (r / SG_RB) * d * SG_RB + r % SG_RB;
    double acc = 0.0;
    for (int a = 0; a < d; a++) acc += v[a] * base[(R_xlen_t) a * SG_RB];
    pv[r] = acc;
  }
  int *srow = (int *) R_alloc(n, sizeof(int));
  int *spos = (int *) R_alloc(n, sizeof(int));
  sg_proj_order(pv, n, srow, spos);
  double *proj = (double *) R_alloc(n, sizeof(double));
  /* the sorted blocks, zero padded, with room for a kernel's 32 rows
   * from any step */
  size_t len = (size_t) rb->n_blocks * d * SG_RB + 32;
  double *sd = (double *) R_alloc(len, sizeof(double));
  memset(sd, 0, len * sizeof(double));
  for (R_xlen_t s = 0; s < n; s++) {
    int r = srow[s];
    spos[r] = (int) s;
    proj[s] = pv[r];
    const double *src = rb->data + (r / SG_RB) * d * SG_RB + r % SG_RB;
    double *dst = sd + (s / SG_RB) * d * SG_RB + s % SG_RB;
    for (int a = 0; a < d; a++) dst[(R_xlen_t) a * SG_RB] = src[(R_xlen_t) a * SG_RB];
  }
  /* each class search's rows in the sorted order */
  sg_walk_class *wc = (sg_walk_class *) R_alloc(C > 0 ? C : 1, sizeof(sg_walk_class));
  int *fill = (int *) R_alloc(C > 0 ? C : 1, sizeof(int));
  for (int c = 0; c < C; c++) {
    R_xlen_t pc = p->cls[c].p, nb = (pc + SG_RB - 1) / SG_RB;
    size_t lc = (size_t) nb * d * SG_RB + 32;
    wc[c].sb.data = (double *) R_alloc(lc, sizeof(double));
    memset(wc[c].sb.data, 0, lc * sizeof(double));
    wc[c].sb.n = pc;
    wc[c].sb.d = d;
    wc[c].sb.n_blocks = nb;
    wc[c].pos = (int *) R_alloc(pc, sizeof(int));
    wc[c].at = (int *) R_alloc(pc, sizeof(int));
    fill[c] = 0;
  }
  for (R_xlen_t s = 0; s < n; s++) {
    int r = srow[s], c = rclass[r];
    if (c < 0) continue;
    int t = fill[c]++;
    wc[c].pos[t] = (int) s;
    wc[c].at[t] = rpos[r];
    const double *src = sd + (s / SG_RB) * d * SG_RB + s % SG_RB;
    double *dst = wc[c].sb.data + (t / SG_RB) * d * SG_RB + t % SG_RB;
    for (int a = 0; a < d; a++) dst[(R_xlen_t) a * SG_RB] = src[(R_xlen_t) a * SG_RB];
  }
  p->wc = wc;
  const double u = DBL_EPSILON / 2;
  p->sb = *rb;
  p->sb.data = sd;
  p->srow = srow;
  p->spos = spos;
  p->rclass = rclass;
  p->rpos = rpos;
  p->proj = proj;
  /* each projection within (d + 1) u |v|_1 xmax of its exact value (doubled
   * for safety), two of them in a gap, and the gap's own rounding */
  p->vv = vv * (1 + 4 * (d + 2) * u);
  p->slack = 4.0 * (d + 1) * u * v1 * xmax + 4 * DBL_MIN;
  /* the canonical sum's relative error ((d + 1) u for the differences,
   * squares and sum) and this bound's few operations, with room */
  p->rel = 1.0 - 4.0 * (d + 8) * u;
  return 1;
}

void sg_knn_scan_classes(const sg_blocks *rb, sg_class_search *cls, int C,
                         int m, int *whole_index, int nthreads) {
  sg_classes_plan p;
  memset(&p, 0, sizeof p);
  p.rb = rb;
  p.sqdist = sg_sqdist_kernel();
  p.cls = cls;
  p.m = m;
  p.whole_index = whole_index;
  p.width = m;
  for (int c = 0; c < C; c++) {
    p.total += cls[c].p;
    if (cls[c].k > p.width) p.width = cls[c].k;
    if (cls[c].p > p.own_max) p.own_max = cls[c].p;
  }
  int *qclass = (int *) R_alloc(p.total, sizeof(int));
  int *qpos = (int *) R_alloc(p.total, sizeof(int));
  for (int c = 0, at = 0; c < C; c++)
    for (int i = 0; i < cls[c].p; i++, at++) {
      qclass[at] = c;
      qpos[at] = i;
    }
  p.qclass = qclass;
  p.qpos = qpos;
  size_t nt = (size_t) nthreads;
  int walk = sg_knn_path() != SG_KNN_PATH_CLASSES_FULL &&
    sg_classes_walk_make(&p, C, sg_knn_path() == SG_KNN_PATH_CLASSES);
  if (walk) {
    p.bd2_all = (double *) R_alloc(nt * p.width, sizeof(double));
    p.bi2_all = (int *) R_alloc(nt * p.width, sizeof(int));
  }
  p.acc_all = (double *) R_alloc(nt * (rb->n_blocks * SG_RB + (walk ? 32 : 0)), sizeof(double));
  p.own_all = (double *) R_alloc(nt * p.own_max, sizeof(double));
  p.q_all = (double *) R_alloc(nt * (rb->d > 0 ? rb->d : 1), sizeof(double));
  p.bd_all = (double *) R_alloc(nt * p.width, sizeof(double));
  p.bi_all = (int *) R_alloc(nt * p.width, sizeof(int));
  sg_for_groups(p.total, SG_QB, (double) SG_QB * (double) rb->n * (rb->d > 0 ? rb->d : 1),
                8 * nthreads, 4096, 1, sg_classes_group, &p, nthreads);
}
