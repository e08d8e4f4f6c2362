/* The blocked layout and distance kernels of knn.c, shared with the
 * metrics (metrics.c): one implementation of the canonical squared
 * distance and of the screening dot products. */
#ifndef SMOTEGUARD_KNN_H
#define SMOTEGUARD_KNN_H

#include "smoteguard.h"

#define SG_RB 256 /* reference rows per block: 256 x d doubles stay in L2 */

/* Distance terms a parallel loop does between two interrupt checks (each
 * check ends a parallel region: threads meet there, so chunks must be long
 * enough that the wait for the slowest is small; ~10 ms of screened work). */
#define SG_CHUNK_TERMS 4e8

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

#endif
