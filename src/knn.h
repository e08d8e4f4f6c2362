/* The blocked layout and distance kernels of knn.c, shared with the
 * metrics (metrics.c): one implementation of the canonical squared
 * distance and of the screening dot products. */
#ifndef SMOTEGUARD_KNN_H
#define SMOTEGUARD_KNN_H

#include "smoteguard.h"
#include <float.h>
#include <math.h>

#define SG_RB 256 /* reference rows per block: 256 x d doubles stay in L2 */

/* Distance terms a parallel loop does between two interrupt checks (each
 * check ends a parallel region: threads meet there, so chunks must be long
 * enough that the wait for the slowest is small; ~10 ms of screened work). */
#define SG_CHUNK_TERMS 4e8

/* The vector kernels of knn.c and metrics.c: built where GCC targets
 * x86-64, chosen at run time by sg_cpu_level(). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SG_HAVE_AVX2_KERNEL 1
#define SG_HAVE_AVX512_KERNEL 1
#endif

/* The instruction set the kernels may use on this CPU: 2 AVX-512F, 1
 * AVX2 with FMA, 0 neither (the portable kernels); never above the cap
 * tests set through ffi_knn_path(). */
int sg_cpu_level(void);

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

/* Float lanes of the screens (GCC and clang vector extensions). */
#if defined(__GNUC__)
typedef float sg_v8f __attribute__((vector_size(32)));
typedef int sg_v8i __attribute__((vector_size(32)));
typedef float sg_v16f __attribute__((vector_size(64)));
typedef int sg_v16i __attribute__((vector_size(64)));
#endif

/* Rows laid out [block][dimension][row], padded with zeros. */
typedef struct {
  double *data;   /* n_blocks * d * SG_RB values */
  R_xlen_t n;
  int d;
  R_xlen_t n_blocks;
} sg_blocks;

/* Rows of a column-major n x d matrix, keeping the dk columns `cols`,
 * centred and scaled when center and scale are given. */
void sg_blocks_fill(sg_blocks *b, const double *x, R_xlen_t n, int d,
                    const double *center, const double *scale,
                    const int *cols, int dk);

/* Squared distances from one query to the SG_RB rows of a block, the
 * canonical sum (dimensions in order, no fused multiply-add). */
typedef void (*sg_sqdist_fn)(const sg_blocks *, R_xlen_t, const double *,
                             double *);
sg_sqdist_fn sg_sqdist_kernel(void);

/* The canonical squared distance of one query to row t of a block. */
double sg_sqdist_exact(const sg_blocks *b, R_xlen_t blk, int t,
                       const double *q);

/* The canonical squared distance of two rows of d contiguous values. */
double sg_sqdist_row(const double *a, const double *b, int d);

/* Dot products of four queries with the SG_RB rows of a block (4 x SG_RB
 * out), for screening only. */
typedef void (*sg_dot_fn)(const sg_blocks *, R_xlen_t, const double *,
                          const double *, const double *, const double *,
                          double *);
sg_dot_fn sg_dot_kernel(void);

/* Float copies of blocked rows, centred on their mean, for the screens of
 * knn.c and metrics.c (their error bounds are derived there): rows in the
 * blocks' layout, |r|^2 per row (+Inf for padding), the largest per block;
 * with per-row thresholds t2 also |r|^2 - t2 rounded down (else NULL) and
 * the largest t2 per block (else 0). */
typedef struct {
  float *data;
  float *norm;
  float *pnorm;
  double *norm_max;
  double *t2_max;
} sg_fblocks;

/* Centred values beyond this would overflow float squares: the double
 * screens instead. */
#define SG_F32_MAX_ABS 1e15

/* Fills *f from b (and t2, or NULL) and the m float queries of qrow
 * (row-major, b's dimensions) with their squared norms; FALSE when a
 * centred value exceeds SG_F32_MAX_ABS. */
int sg_f32_fill(const sg_blocks *b, const double *t2, const double *qrow,
                R_xlen_t m, sg_fblocks *f, float **qf_out, double **qn_out);

/* A double as a float no smaller than it, and no larger than it. */
static inline float sg_float_up(double x) {
  if (x >= (double) FLT_MAX) return INFINITY;
  if (x <= -(double) FLT_MAX) return -FLT_MAX;
  float f = (float) x;
  if ((double) f < x) f = nextafterf(f, INFINITY);
  return f;
}

static inline float sg_float_down(double x) {
  if (x >= (double) FLT_MAX) return FLT_MAX;
  if (x <= -(double) FLT_MAX) return -INFINITY;
  float f = (float) x;
  if ((double) f > x) f = nextafterf(f, -INFINITY);
  return f;
}

#endif
