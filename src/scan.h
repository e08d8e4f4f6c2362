/* The metrics' pair scans (scan.c), for metrics.c: every pair of two sets
 * of standardised rows, or every pair within one set, decided on the
 * canonical squared distance (knn.h). */
#ifndef SMOTEGUARD_SCAN_H
#define SMOTEGUARD_SCAN_H

#include "smoteguard.h"
#include "knn.h"

/* Rows of a column-major n x d matrix in the block layout, every column
 * kept as it is; the same rows row-major. */
void sg_blocks_all(sg_blocks *b, const double *x, R_xlen_t n, int d);
double *sg_row_major(const double *x, R_xlen_t n, int d);

/* The ball scan of one class: the synthetic rows syn (q x d) against the
 * class's real rows own (p x d), both column-major.  Fills, per synthetic
 * row, its K nearest real rows (best: squared distances, best_i: 0-based
 * rows of own; q x K row by row) and, with real_radius (the real rows'
 * k-NN radii, else NULL), the real balls holding it (nballs); per real
 * row, with real_radius, whether some synthetic row lies in its ball
 * (cov), and with syn_radius (the synthetic rows' k-NN radii within syn,
 * else NULL), whether it lies in some synthetic row's ball (rec). */
void sg_ball_scan(const double *own, R_xlen_t p, const double *syn,
                  R_xlen_t q, int d, const double *real_radius,
                  const double *syn_radius, int K, double *best, int *best_i,
                  int *nballs, int *rec, int *cov, int nthreads);

/* The mean Gaussian kernel exp(-scale ||q - r||^2) over all pairs of the
 * m rows qrow (row-major) and the rows of b, or with upper (qrow the rows
 * of b) over the pairs i < j. */
double sg_kernel_mean(const sg_blocks *b, const double *qrow, R_xlen_t m,
                      int upper, double scale, int nthreads);

/* The median distance over all pairs of the rows of b (qrow: the same
 * rows row-major); R's median(dist()). */
double sg_median_pair_distance(const sg_blocks *b, const double *qrow,
                               int nthreads);

#endif
