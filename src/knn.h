/* The blocked layout and distance kernels of knn.c, shared with the
 * metrics (metrics.c): one implementation of the canonical squared
 * distance and of the screening dot products. */
#ifndef SMOTEGUARD_KNN_H
#define SMOTEGUARD_KNN_H

#include "smoteguard.h"
#include "simd.h"
#include <float.h>
#include <math.h>

#define SG_RB 256 /* reference rows per block: 256 x d doubles stay in L2 */

/* Distance terms a parallel loop does between two interrupt checks (each
 * check ends a parallel region: threads meet there, so chunks must be long
 * enough that the wait for the slowest is small; ~10 ms of screened work). */
#define SG_CHUNK_TERMS 4e8

/* Rows laid out [block][dimension][row], padded with zeros. */
typedef struct sg_blocks {
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

/* The canonical squared distance of one query to row t of a block. */
double sg_sqdist_exact(const sg_blocks *b, R_xlen_t blk, int t,
                       const double *q);

/* The canonical squared distance of two rows of d contiguous values. */
double sg_sqdist_row(const double *a, const double *b, int d);

/* Float copies of blocked rows, centred on their mean, for the screens of
 * knn.c and metrics.c (their error bounds are derived there): rows in the
 * blocks' layout, |r|^2 per row (+Inf for padding), the largest per block;
 * with per-row thresholds t2 also |r|^2 - t2 rounded down (else NULL) and
 * the largest t2 per block (else 0). */
typedef struct sg_fblocks {
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
