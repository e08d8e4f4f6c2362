/* Vector types and kernel selection, in one place.
 *
 * The distance kernels (knn.c, knn-screen.c) and the pair scans (scan.c)
 * come in variants: name_portable always, name_avx2 and name_avx512 where
 * GCC targets x86-64.  Every variant gives the same bits (no fused
 * multiply-add where a sum decides anything), so the choice, made at run
 * time by sg_cpu_level(), changes speed only; tests lower the cap
 * (ffi_knn_path(), tests.c) to check each variant against the others. */
#ifndef SMOTEGUARD_SIMD_H
#define SMOTEGUARD_SIMD_H

#include "smoteguard.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* GCC builds the exact kernels with fp-contract=off (SG_OPT_EXACT below);
 * clang has no such function attribute and by default fuses a multiply and
 * an add written in one expression, which would make a whole-block kernel
 * and a per-pair one differ in the last bit (and the searches' ties with
 * them). So under clang no file that includes this header fuses at all. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Build guards: the vector variants exist where GCC targets x86-64. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SG_HAVE_AVX2_KERNEL 1
#define SG_HAVE_AVX512_KERNEL 1
#endif

/* Vector lanes (GCC and clang vector extensions). */
#if defined(__GNUC__)
typedef double sg_v4d __attribute__((vector_size(32)));
typedef long long sg_v4l __attribute__((vector_size(32)));
typedef float sg_v8f __attribute__((vector_size(32)));
typedef int sg_v8i __attribute__((vector_size(32)));
typedef float sg_v16f __attribute__((vector_size(64)));
typedef int sg_v16i __attribute__((vector_size(64)));
#endif
#ifdef SG_HAVE_AVX512_KERNEL
typedef double sg_v8d __attribute__((vector_size(64)));
typedef long long sg_v8l __attribute__((vector_size(64)));
#endif

/* Whether any of the eight values v[0..8) is below x (NaN is not): four
 * SSE2 compares on x86-64 (every such CPU has them). */
static inline int sg_any_below8(const double *v, double x) {
#if defined(__SSE2__)
  __m128d w = _mm_set1_pd(x);
  __m128d lo = _mm_or_pd(_mm_cmplt_pd(_mm_loadu_pd(v), w),
                         _mm_cmplt_pd(_mm_loadu_pd(v + 2), w));
  __m128d hi = _mm_or_pd(_mm_cmplt_pd(_mm_loadu_pd(v + 4), w),
                         _mm_cmplt_pd(_mm_loadu_pd(v + 6), w));
  return _mm_movemask_pd(_mm_or_pd(lo, hi)) != 0;
#else
  int any = 0;
  for (int u = 0; u < 8; u++) any |= v[u] < x;
  return any;
#endif
}

/* The lowest set bit of a nonzero mask. */
static inline int sg_lowest_bit(unsigned mask) {
#if defined(__GNUC__)
  return __builtin_ctz(mask);
#else
  int u = 0;
  while (!(mask & 1u)) {
    mask >>= 1;
    u++;
  }
  return u;
#endif
}

/* Which of the 16 values v[0..16) are at most x (NaN never is): bit u
 * set for v[u], by SSE2 compares on x86-64. */
static inline unsigned sg_atmost16(const double *v, double x) {
  unsigned mask = 0;
#if defined(__SSE2__)
  __m128d w = _mm_set1_pd(x);
  for (int u = 0; u < 16; u += 2)
    mask |= (unsigned) _mm_movemask_pd(_mm_cmple_pd(_mm_loadu_pd(v + u), w)) << u;
#else
  for (int u = 0; u < 16; u++) mask |= (unsigned) (v[u] <= x) << u;
#endif
  return mask;
}

/* The highest instruction set tests allow (tests.c): 2 AVX-512, 1 AVX2,
 * 0 the portable kernels only. */
int sg_isa_cap(void);

/* The instruction set the kernels may use on this CPU: 2 AVX-512F, 1
 * AVX2 with FMA, 0 neither (the portable kernels); never above the cap. */
static inline int sg_cpu_level(void) {
  int level = 0;
#ifdef SG_HAVE_AVX2_KERNEL
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) level = 2;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
#endif
  int cap = sg_isa_cap();
  return level < cap ? level : cap;
}

/* The body of a kernel selector for the variants name_avx512, name_avx2
 * and name_portable (the first two built only under the guards above). */
#ifdef SG_HAVE_AVX512_KERNEL
#define SG_RETURN_KERNEL(name)                                              \
  do {                                                                      \
    int level_ = sg_cpu_level();                                            \
    if (level_ == 2) return name##_avx512;                                  \
    if (level_ == 1) return name##_avx2;                                    \
    return name##_portable;                                                 \
  } while (0)
#else
#define SG_RETURN_KERNEL(name) return name##_portable
#endif

/* The three variants of a kernel whose body is a function-like macro
 * BODY: `static ret name_portable ARGS { BODY A8 }` (optimised at -O3 by
 * GCC), and under the guards above name_avx2 (target T2, BODY A8) and
 * name_avx512 (target T512, BODY A16). A8 and A16 are BODY's parenthesised
 * arguments (the 8- and 16-lane vector types where it takes them, else
 * ()); BODY is passed by name so that the commas of its expansion never
 * reach a macro's argument list. The targets are each kernel's own: a
 * kernel whose sums decide anything is built without "fma", so no
 * multiply-add is fused; SG_KERNEL_VARIANTS_EXACT() also builds every
 * variant with fp-contract=off (the canonical distance: no variant may
 * fuse a multiply and an add, whatever its target allows). */
#define SG_OPT_FAST ("O3")
#define SG_OPT_EXACT ("O3", "fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)
#define SG_OPTIMIZE(OPT) __attribute__((optimize OPT))
#else
#define SG_OPTIMIZE(OPT)
#endif
#ifdef SG_HAVE_AVX2_KERNEL
#define SG_AVX2_VARIANT(OPT, ret, name, ARGS, T2, BODY, A8) \
  __attribute__((target(T2), optimize OPT)) static ret name##_avx2 ARGS { BODY A8 }
#else
#define SG_AVX2_VARIANT(OPT, ret, name, ARGS, T2, BODY, A8)
#endif
#ifdef SG_HAVE_AVX512_KERNEL
#define SG_AVX512_VARIANT(OPT, ret, name, ARGS, T512, BODY, A16) \
  __attribute__((target(T512), optimize OPT)) static ret name##_avx512 ARGS { BODY A16 }
#else
#define SG_AVX512_VARIANT(OPT, ret, name, ARGS, T512, BODY, A16)
#endif
#define SG_KERNEL_VARIANTS_OPT(OPT, ret, name, ARGS, T2, T512, BODY, A8, A16) \
  SG_OPTIMIZE(OPT) static ret name##_portable ARGS { BODY A8 }               \
  SG_AVX2_VARIANT(OPT, ret, name, ARGS, T2, BODY, A8)                        \
  SG_AVX512_VARIANT(OPT, ret, name, ARGS, T512, BODY, A16)
#define SG_KERNEL_VARIANTS(ret, name, ARGS, T2, T512, BODY, A8, A16) \
  SG_KERNEL_VARIANTS_OPT(SG_OPT_FAST, ret, name, ARGS, T2, T512, BODY, A8, A16)
#define SG_KERNEL_VARIANTS_EXACT(ret, name, ARGS, T2, T512, BODY, A8, A16) \
  SG_KERNEL_VARIANTS_OPT(SG_OPT_EXACT, ret, name, ARGS, T2, T512, BODY, A8, A16)

/* The end of a screen's step over 2 W rows from t for four queries:
 * pass[u][h] the lanes of query u's rows t + h W ... that passed, any
 * their union; each passing row appended to hits[u * stride ...], nh[u]
 * counting them.  Most steps pass nothing: one test of `any` skips them. */
#define SG_SCREEN_HITS(pass, any, W, t, hits, stride, nh)                  \
  {                                                                        \
    int hit_ = 0;                                                          \
    for (int l_ = 0; l_ < (W); l_++) hit_ |= (any)[l_];                    \
    if (hit_)                                                              \
      for (int u_ = 0; u_ < 4; u_++)                                       \
        for (int h_ = 0; h_ < 2; h_++)                                     \
          for (int l_ = 0; l_ < (W); l_++)                                 \
            if ((pass)[u_][h_][l_])                                        \
              (hits)[u_ * (stride) + (nh)[u_]++] = (t) + h_ * (W) + l_;   \
  }

/* ---------------------------------------------------------------------
 * The kernels and their selectors.  The row layouts they read are knn.h's
 * (struct sg_blocks: doubles [block][dimension][row]; struct sg_fblocks:
 * their float copies). */
struct sg_blocks;
struct sg_fblocks;

/* knn.c: squared distances from one query to the first `rows` rows of a
 * block (rounded up to 16 or 32 by the kernel, so at most SG_RB), the
 * canonical sum (dimensions in order, no fused multiply-add). */
typedef void (*sg_sqdist_fn)(const struct sg_blocks *, R_xlen_t, int rows,
                             const double *, double *);
sg_sqdist_fn sg_sqdist_kernel(void);

/* knn-screen.c: dot products of four queries with the SG_RB rows of a
 * block (4 x SG_RB out), for screening only. */
typedef void (*sg_dot_fn)(const struct sg_blocks *, R_xlen_t, const double *,
                          const double *, const double *, const double *,
                          double *);
sg_dot_fn sg_dot_kernel(void);

/* knn-screen.c: the rows t of a block with rn[t] - 2 dq[t] < thr, written
 * to hits; returns their number. */
typedef int (*sg_row_screen_fn)(const double *rn, const double *dq,
                                double thr, int *hits);
sg_row_screen_fn sg_row_screen_kernel(void);

/* knn-screen.c: the float dot-and-screen of four queries over one block:
 * rows t with norm[t] - 2 q_u.r_t < thr[u], per query u, among the chunks
 * of SG_FSCAN_CHUNK rows set in the mask (SG_FSCAN_ALL: every row). */
#define SG_FSCAN_CHUNK 32
#define SG_FSCAN_ALL 0xffu
typedef void (*sg_fscan_fn)(const struct sg_fblocks *, int, R_xlen_t,
                            const float *, const float *, const float *,
                            const float *, const float *, unsigned,
                            int *, int *);
sg_fscan_fn sg_fscan_kernel(void);

/* knn-screen.c: the same for one query over the chunks set in the mask;
 * returns the number of rows written to hits. */
typedef int (*sg_fscan1_fn)(const struct sg_fblocks *, int, R_xlen_t,
                            const float *, float, unsigned, int *);
sg_fscan1_fn sg_fscan1_kernel(void);

/* scan.c: the float screen of four queries with per-row thresholds (the
 * balls of the pair scan). */
typedef void (*sg_ball_screen_fn)(const struct sg_fblocks *, int, R_xlen_t,
                                  const float *const *, const float *,
                                  const float *, int *, int *);
sg_ball_screen_fn sg_ball_screen_kernel(void);

/* scan.c: exp(x) for x <= 0, in place. */
typedef void (*sg_exp_fn)(double *, int);
sg_exp_fn sg_exp_kernel(void);

#endif
