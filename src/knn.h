/* The exact k-NN search and what its strategies share with each other and
 * with the metrics' pair scans (scan.c): the blocked layout of the rows,
 * the one canonical squared distance, the float copies and the error
 * bounds of the screens.  The strategies:
 *   knn.c         the layout, the canonical distance, the choice of a
 *                 strategy (sg_knn_search()) and the entry point
 *   knn-tree.c    a kd-tree, for few dimensions
 *   knn-btree.c   a tree of blocks on principal axes, for many rows in
 *                 more dimensions
 *   knn-screen.c  brute force over the blocks: direct, or screened by the
 *                 expansion |q|^2 + |r|^2 - 2 q.r in double or in float;
 *                 a self-search screened in float measures each pair once;
 *                 the classes' own and whole-data searches in one scan
 *   knn-mixed.c   mixed, incomplete or Gower data (a general distance) */
#ifndef SMOTEGUARD_KNN_H
#define SMOTEGUARD_KNN_H

#include "smoteguard.h"
#include "simd.h"
#include <float.h>
#include <math.h>

#define SG_RB 256 /* reference rows per block: 256 x d doubles stay in L2 */
#if SG_RB != 8 * SG_FSCAN_CHUNK
#error "a block is 8 chunks of the float screen (SG_FSCAN_ALL)"
#endif

/* Distance terms a parallel loop does between two interrupt checks (each
 * check ends a parallel region: threads meet there, so chunks must be long
 * enough that the wait for the slowest is small; ~10 ms of screened work). */
#define SG_CHUNK_TERMS 4e8

/* Coordinates beyond this would overflow a squared distance (1e300 for
 * 1e4 dimensions); also catches NaN from a missing centre or scale. */
#define SG_MAX_ABS 1e148

/* The error for a coordinate beyond SG_MAX_ABS. */
void sg_magnitude_error(void);

/* The m query rows in groups of `size` rows (the last may be shorter),
 * the groups in parallel (dynamic schedule, `grain` groups at a time) and
 * in chunks between interrupt checks: about SG_CHUNK_TERMS distance terms
 * each (group_terms per group), at most hi groups, at least lo.
 * group(ctx, tid, q0, nq) does the nq queries from q0; it runs inside the
 * parallel region: no R API, and it writes only to its queries' slots or
 * to thread tid's own scratch.  Every scan of the searches and the
 * metrics runs through here. */
typedef void (*sg_group_fn)(void *ctx, int tid, R_xlen_t q0, int nq);
void sg_for_groups(R_xlen_t m, int size, double group_terms, R_xlen_t lo,
                   R_xlen_t hi, int grain, sg_group_fn group, void *ctx,
                   int nthreads);

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
                    const int *cols, int dk, int nthreads);

/* The rows of block blk of n rows (SG_RB but in the last). */
static inline int sg_block_rows(R_xlen_t n, R_xlen_t blk) {
  R_xlen_t left = n - blk * SG_RB;
  return (int) (left < SG_RB ? left : SG_RB);
}

/* A finished list of k (squared distances bd, 0-based rows bi) written
 * as row `at` of an answer of k columns of `stride` rows: 1-based rows and
 * distances. */
static inline void sg_list_answer(const double *bd, const int *bi, int k,
                                  R_xlen_t at, R_xlen_t stride, int *index,
                                  double *dist) {
  for (int c = 0; c < k; c++) {
    index[at + (R_xlen_t) c * stride] = bi[c] + 1;
    dist[at + (R_xlen_t) c * stride] = sqrt(fabs(bd[c]));
  }
}

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
 * centred value exceeds SG_F32_MAX_ABS. The blocks and the queries are
 * shared among nthreads (sg_copy_threads()); each value is computed
 * alone, so any count gives the same copies. */
int sg_f32_fill(const sg_blocks *b, const double *t2, const double *qrow,
                R_xlen_t m, sg_fblocks *f, float **qf_out, double **qn_out,
                int nthreads);

/* The bounds on the rounding error of a screened squared distance
 * |q|^2 + |r|^2 - 2 q.r of d terms, for a query of squared norm qn and
 * rows of squared norm at most rmax: in double (the dot products in
 * double), and in float (sg_fblocks; the bound is derived in
 * knn-screen.c).  A screen passes every row whose screened value, less
 * the bound, could still matter; the decision is then taken on the
 * canonical distance. */
static inline double sg_f64_tol(int d, double qn, double rmax) {
  return 8.0 * (d + 4) * DBL_EPSILON * (qn + rmax);
}

static inline double sg_f32_tol(int d, double qn, double rmax) {
  return 4.0 * (d + 8) * (FLT_EPSILON / 2) * (qn + rmax) + 1e-30 * (d + 1);
}

/* |r|^2 of every row of b (padding rows +Inf), and with norm_max the
 * largest per block; |q|^2 of m rows of d contiguous values. */
double *sg_block_norms(const sg_blocks *b, double **norm_max);
double *sg_row_norms(const double *rows, R_xlen_t m, int d);

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

/* ---------------------------------------------------------------------
 * The strategies of sg_knn_search(), each the whole search for rows
 * already standardised (rows of the blocks, queries qrow row-major, dk
 * values each); out_index (1-based) and out_dist are m x k, column-major. */

/* knn.c: the 0-based reference row query q must not find: itself in a
 * self search, else the one `exclude` names (1-based, NA for none), else
 * -1.  (Not inline: one definition, in one object file.) */
R_xlen_t sg_skip_row(int self, const int *exclude, R_xlen_t q);

/* knn.c: list(index = , distance = ), the entry points' answer. */
SEXP sg_knn_result(SEXP index, SEXP dist);

/* A node of both trees (knn-tree.c, knn-btree.c): its rows lo..hi in the
 * tree's order; its children, -1 for a leaf. */
typedef struct {
  R_xlen_t lo, hi;
  int left, right;
} sg_tree_node;

/* Both trees' splits (knn.c): the axis of widest spread of the box
 * blo..bhi (d values each; the first of equals), and positions lo..hi-1
 * of perm reordered so that the row at mid has its value on column dim
 * of rows (row-major, `stride` values a row) in place: none before it
 * larger, none after it smaller (quickselect, the middle position's value
 * as the pivot). */
int sg_widest_axis(const double *blo, const double *bhi, int d);
/* The box blo..bhi (stride values each) of the rows perm[lo..hi) of
 * rows (row-major). */
void sg_rows_box(const R_xlen_t *perm, const double *rows, int stride,
                 R_xlen_t lo, R_xlen_t hi, double *blo, double *bhi);
void sg_select_rows(R_xlen_t *perm, const double *rows, int stride, int dim,
                    R_xlen_t lo, R_xlen_t hi, R_xlen_t mid);

/* The squared distance from q to the box blo..bhi (d values each; 0
 * inside), without a branch: of the two gaps one is 0. */
static inline double sg_box_dist(const double *blo, const double *bhi,
                                 const double *q, int d) {
  double acc = 0.0;
  for (int j = 0; j < d; j++) {
    double lo = blo[j] - q[j], hi = q[j] - bhi[j];
    lo = lo > 0.0 ? lo : 0.0;
    hi = hi > 0.0 ? hi : 0.0;
    acc += (lo + hi) * (lo + hi);
  }
  return acc;
}

/* knn-tree.c: the m queries q (row-major, d values each) in order of the
 * leaf each descends to (the nearer child's box at each node, ties to the
 * left), written to order; box holds each node's d lower then d upper
 * bounds. Both trees visit their queries in this order. */
void sg_tree_leaf_order(const sg_tree_node *nodes, int n_nodes, const double *box,
                        int d, const double *q, R_xlen_t m, R_xlen_t *order);

/* knn-tree.c: pts the reference rows row-major (n x dk). */
void sg_knn_tree(const double *pts, R_xlen_t n, int dk, const double *qrow,
                 R_xlen_t m, int k, int self, const int *exclude,
                 int *out_index, double *out_dist, int nthreads);

/* knn-btree.c: pts the reference rows row-major (n x dk; the queries
 * qrow themselves in a self-search); with may_decline, FALSE (nothing
 * done) for data whose variance its axes do not hold. */
int sg_knn_btree(const double *pts, R_xlen_t n, int dk, const double *qrow,
                 R_xlen_t m, int k, int self, const int *exclude,
                 int *out_index, double *out_dist, int nthreads,
                 int may_decline);

/* knn-screen.c: how a block of reference rows is searched. */
typedef enum {
  SG_SCAN_DIRECT,    /* every canonical distance */
  SG_SCAN_FARTHEST,  /* the same on negated distances: the k farthest */
  SG_SCAN_DOUBLE,    /* screened by the expansion in double */
  SG_SCAN_FLOAT      /* screened in float (else in double: large values) */
} sg_scan_kind;

void sg_knn_scan(const sg_blocks *rb, const double *qrow, R_xlen_t m, int k,
                 int self, const int *exclude, sg_scan_kind kind,
                 int *out_index, double *out_dist, int nthreads);

/* One class's own search among the classes' searches (classes.c): its p
 * data rows (1-based) and, for each, the k nearest others of them
 * (positions in rows, 1-based, and distances; p x k, column-major). */
typedef struct {
  const int *rows;
  int p, k;
  int *index;
  double *dist;
} sg_class_search;

/* The test switch's paths (tests.c) forcing the classes' one scan: with
 * its pruned walk wherever the classes' rows allow it, or every row
 * measured. */
#define SG_KNN_PATH_CLASSES 8
#define SG_KNN_PATH_CLASSES_FULL 9

/* knn.c: the searches of the C classes cls in one scan, and with them the
 * m > 0 nearest data rows of every class row (not itself; whole_index:
 * total x m, 1-based, the classes' rows stacked), on the scale center and
 * scale give (as sg_knn_search()); FALSE, nothing done, where they are not
 * all direct scans (the test switch's path 8 forces the one scan). */
int sg_knn_classes(const double *x, R_xlen_t n, int d, const double *center,
                   const double *scale, sg_class_search *cls, int C, int m,
                   int *whole_index, int req);

/* knn-screen.c: that scan, over the blocks rb of every data row: for each
 * class row, the rows sorted by their projection on the rows' first
 * principal axis walked outward from it until the projections' gap alone
 * puts the rest beyond both its lists (the same lists, to the bit). */
void sg_knn_scan_classes(const sg_blocks *rb, sg_class_search *cls, int C,
                         int m, int *whole_index, int nthreads);

#endif
