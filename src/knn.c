/* Exact Euclidean k nearest neighbours: the rows' layout, the canonical
 * squared distance, and the choice of a strategy (knn.h lists them).
 *
 * The reference rows are copied once into blocks of SG_RB rows laid out
 * dimension by dimension ([block][dimension][row]), so that the distance
 * loop runs over contiguous memory and vectorises.  Every squared distance
 * is summed over the dimensions in their natural order, the one canonical
 * way (sg_sqdist_kernel(), sg_sqdist_exact(), sg_sqdist_row()), so every
 * strategy finds the same neighbours at the same distances, to the bit:
 * the screens only choose which rows to measure the canonical way.
 * Neighbours are ordered by (distance, row), so ties go to the smaller
 * row (topk.h). */
#include "smoteguard.h"
#include "knn.h"
#include <limits.h>
#include <string.h>

void sg_magnitude_error(void) {
  Rf_error("Coordinates must be finite and at most 1e148 in absolute value "
           "(after centring and scaling), or squared distances overflow.");
}

void sg_for_groups(R_xlen_t m, int size, double group_terms, R_xlen_t lo,
                   R_xlen_t hi, int grain, sg_group_fn group, void *ctx,
                   int nthreads) {
  R_xlen_t groups = (m + size - 1) / size;
  R_xlen_t chunk = (R_xlen_t) (SG_CHUNK_TERMS / (group_terms + 1.0));
  if (chunk > hi) chunk = hi;
  if (chunk < lo) chunk = lo;
  for (R_xlen_t c0 = 0; c0 < groups; c0 += chunk) {
    R_xlen_t c1 = c0 + chunk < groups ? c0 + chunk : groups;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, grain) num_threads(nthreads)
#endif
    for (R_xlen_t g = c0; g < c1; g++) {
      R_xlen_t q0 = g * size;
      group(ctx, omp_get_thread_num(), q0, (int) (m - q0 < size ? m - q0 : size));
    }
    R_CheckUserInterrupt();
  }
}

/* Copy rows of a column-major n x d matrix into the block layout, keeping
 * only the columns with a positive scale and standardising them; the
 * blocks shared among nthreads (sg_copy_threads()). */
void sg_blocks_fill(sg_blocks *b, const double *x, R_xlen_t n, int d,
                    const double *center, const double *scale,
                    const int *cols, int dk, int nthreads) {
  b->n = n;
  b->d = dk;
  b->n_blocks = (n + SG_RB - 1) / SG_RB;
  R_xlen_t len = b->n_blocks * (R_xlen_t) dk * SG_RB;
  b->data = (double *) R_alloc(len > 0 ? len : 1, sizeof(double));
  sg_fresh_buffer(b->data, (size_t) len * sizeof(double));
  int nth = sg_copy_threads(nthreads, (double) len);
  int bad = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static) reduction(|: bad)
#endif
  for (R_xlen_t blk = 0; blk < b->n_blocks; blk++) {
    R_xlen_t r0 = blk * SG_RB;
    int cnt = sg_block_rows(n, blk);
    for (int jj = 0; jj < dk; jj++) {
      int j = cols[jj];
      const double *col = x + (R_xlen_t) j * n + r0;
      double c = center ? center[j] : 0.0, s = scale ? scale[j] : 1.0;
      double *out = b->data + (blk * dk + jj) * SG_RB;
      for (int t = 0; t < cnt; t++) {
        double v = (col[t] - c) / s;
        if (!(fabs(v) <= SG_MAX_ABS)) bad = 1;
        out[t] = v;
      }
      /* the last block's padding rows */
      for (int t = cnt; t < SG_RB; t++) out[t] = 0.0;
    }
  }
  if (bad) sg_magnitude_error();
  (void) d;
}

/* Squared distances from one query (dk values) to the first `rows` rows
 * of block blk, rounded up to the kernel's 16 or 32 (padding rows
 * included: they are never read back), so that a class of 9 rows does not
 * pay for a block of 256.
 * The inner loop is over rows with a fixed trip count, so it vectorises
 * for any dk.  The sum runs over dimensions in their natural order with no
 * fused multiply-add, so every kernel gives the same bits. */
#if defined(__GNUC__)
/* 4 W rows' sums kept in registers across the dimensions (W lanes of VT) */
#define SG_SQDIST_BODY(VT, W)                                       \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;     \
  const int d = b->d;                                               \
  for (int t = 0; t < rows; t += 4 * W) {                           \
    VT a0 = {0.0}, a1 = a0, a2 = a0, a3 = a0;                       \
    for (int j = 0; j < d; j++) {                                   \
      const double *col = base + (R_xlen_t) j * SG_RB + t;          \
      const double qj = q[j]; /* broadcast by the vector ops */     \
      VT r0, r1, r2, r3;                                            \
      memcpy(&r0, col, sizeof r0);                                  \
      memcpy(&r1, col + W, sizeof r1);                              \
      memcpy(&r2, col + 2 * W, sizeof r2);                          \
      memcpy(&r3, col + 3 * W, sizeof r3);                          \
      r0 -= qj; r1 -= qj; r2 -= qj; r3 -= qj;                       \
      a0 += r0 * r0; a1 += r1 * r1; a2 += r2 * r2; a3 += r3 * r3;   \
    }                                                               \
    memcpy(acc + t, &a0, sizeof a0);                                \
    memcpy(acc + t + W, &a1, sizeof a1);                            \
    memcpy(acc + t + 2 * W, &a2, sizeof a2);                        \
    memcpy(acc + t + 3 * W, &a3, sizeof a3);                        \
  }
#else
#define SG_SQDIST_BODY(VT, W)                                       \
  const double *base = b->data + blk * (R_xlen_t) b->d * SG_RB;     \
  for (int t = 0; t < rows; t++) acc[t] = 0.0;                      \
  for (int j = 0; j < b->d; j++) {                                  \
    const double *col = base + (R_xlen_t) j * SG_RB;                \
    const double qj = q[j];                                         \
    for (int t = 0; t < rows; t++) {                                \
      double diff = col[t] - qj;                                    \
      acc[t] += diff * diff;                                        \
    }                                                               \
  }
#endif

/* the rows rounded up to 32 (AVX-512) stay within the block */
#define SG_SQDIST_ARGS                                              \
  (const sg_blocks *b, R_xlen_t blk, int rows, const double *q, double *acc)

SG_KERNEL_VARIANTS_EXACT(void, sg_sqdist_block, SG_SQDIST_ARGS, "avx2", "avx512f",
                         SG_SQDIST_BODY, (sg_v4d, 4), (sg_v8d, 8))

/* The kernel for this CPU, chosen at run time (simd.h). */
sg_sqdist_fn sg_sqdist_kernel(void) {
  SG_RETURN_KERNEL(sg_sqdist_block);
}

/* The canonical squared distance of one query to row t of a block. */
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

/* The canonical squared distance of two rows of d contiguous values. */
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

/* The automatic path (measured on Gaussian data, one thread, k = 5): the
 * kd-tree up to 5 dimensions from 4096 rows on (n = 20,000, d = 5: 0.13 s
 * against 0.16 s screened and 0.40 s direct), in 6 dimensions only from
 * 50,000 rows on (20,000 rows: 0.25 s against 0.18 s screened); the float
 * screen from 6 dimensions on above 1024 rows; the direct kernel below
 * (500 rows, d = 9: 0.53 ms against 0.73 ms screened, whose first block
 * is measured twice) and in fewer dimensions.  The tree of blocks from
 * 8192 rows up to 64 columns, where at most 9 principal axes hold 90% of
 * the variance (knn-btree.c declines otherwise), measured in CPU seconds
 * of one thread against the float screen (with its sub-leaves, best of
 * 3): n = 8192, d = 6 iid Gaussian 0.021 s against 0.035 s; d = 9 0.036
 * against 0.041; n = 20,000, d = 10 0.15 against 0.18; n = 200,000,
 * d = 10 4.3-4.5 s against ~16 s; 3 dimensions inside 20 columns,
 * n = 100,000: 2.4 s against 24.5 s (0.6% of the blocks visited).  On
 * full-dimensional data it loses (n = 20,000, d = 16: 0.34 s against
 * 0.22 s; d = 20: 0.42 against 0.25), hence the axes' test. */
#define SG_DOT_MIN_D 6
#define SG_DOT_MIN_N 1024
#define SG_TREE_MIN_N 4096
#define SG_TREE_MAX_D 6
#define SG_BTREE_MIN_N 8192
#define SG_BTREE_MAX_D 64

int sg_widest_axis(const double *blo, const double *bhi, int d) {
  int dim = 0;
  double spread = -1.0;
  for (int j = 0; j < d; j++)
    if (bhi[j] - blo[j] > spread) { spread = bhi[j] - blo[j]; dim = j; }
  return dim;
}

void sg_rows_box(const R_xlen_t *perm, const double *rows, int stride,
                 R_xlen_t lo, R_xlen_t hi, double *blo, double *bhi) {
  for (int j = 0; j < stride; j++) { blo[j] = R_PosInf; bhi[j] = R_NegInf; }
  for (R_xlen_t i = lo; i < hi; i++) {
    const double *r = rows + perm[i] * stride;
    for (int j = 0; j < stride; j++) {
      if (r[j] < blo[j]) blo[j] = r[j];
      if (r[j] > bhi[j]) bhi[j] = r[j];
    }
  }
}

void sg_select_rows(R_xlen_t *perm, const double *rows, int stride, int dim,
                    R_xlen_t lo, R_xlen_t hi, R_xlen_t mid) {
  R_xlen_t a = lo, b = hi - 1;
  while (a < b) {
    double pivot = rows[perm[a + (b - a) / 2] * stride + dim];
    R_xlen_t i = a, j = b;
    while (i <= j) {
      while (rows[perm[i] * stride + dim] < pivot) i++;
      while (rows[perm[j] * stride + dim] > pivot) j--;
      if (i <= j) {
        R_xlen_t tmp = perm[i]; perm[i] = perm[j]; perm[j] = tmp;
        i++; j--;
      }
    }
    if (mid <= j) b = j; else if (mid >= i) a = i; else break;
  }
}

R_xlen_t sg_skip_row(int self, const int *exclude, R_xlen_t q) {
  if (self) return q;
  return exclude && exclude[q] != NA_INTEGER ? exclude[q] - 1 : -1;
}

/* The strategy for a search of n rows of dk columns: the kd-tree
 * (SG_KNN_TREE), the tree of blocks (SG_KNN_BTREE), or a kind of scan of
 * the blocks (sg_scan_kind); the test switch ffi_knn_path() forces one. */
#define SG_KNN_TREE -1
#define SG_KNN_BTREE -2

/* Whether the test switch's path forces the classes' one scan (8, 9):
 * every other search then chooses as on path 0. */
static int sg_path_classes(int path) {
  return path == SG_KNN_PATH_CLASSES || path == SG_KNN_PATH_CLASSES_FULL;
}

static int sg_knn_strategy(R_xlen_t n, int dk, int farthest) {
  int path = sg_knn_path();
  if (sg_path_classes(path)) path = 0;  /* only the classes' scan */
  if (farthest) return SG_SCAN_FARTHEST;
  int use_tree = path == 2 ||
    (path == 0 && n >= SG_TREE_MIN_N &&
     (dk < SG_TREE_MAX_D || (dk == SG_TREE_MAX_D && n >= 50000)));
  if (dk > 0 && use_tree) return SG_KNN_TREE;
  if (dk > 0 && (path == 5 || path == 6 ||
                 (path == 0 && n >= SG_BTREE_MIN_N && dk <= SG_BTREE_MAX_D)))
    return SG_KNN_BTREE;
  int use_dot = path == 3 || path == 4 || path == 7 ||
    (path == 0 && dk >= SG_DOT_MIN_D && n > SG_DOT_MIN_N);
  if (!use_dot) return SG_SCAN_DIRECT;
  return path == 3 ? SG_SCAN_DOUBLE : SG_SCAN_FLOAT;
}

/* The queries row by row (each query's dk values contiguous), on the
 * reference rows' scale; runs of rows shared among nthreads
 * (sg_copy_threads()). */
#define SG_QROWS_RUN 4096
static double *sg_query_rows(const double *qsrc, R_xlen_t m, const int *cols,
                             int dk, const double *center,
                             const double *scale, int nthreads) {
  R_xlen_t qlen = m * (R_xlen_t) dk;
  double *qrow = (double *) R_alloc(qlen > 0 ? qlen : 1, sizeof(double));
  int nth = sg_copy_threads(nthreads, (double) qlen);
  int bad = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nth) schedule(static) reduction(|: bad)
#endif
  for (R_xlen_t i0 = 0; i0 < m; i0 += SG_QROWS_RUN) {
    R_xlen_t i1 = i0 + SG_QROWS_RUN < m ? i0 + SG_QROWS_RUN : m;
    for (int jj = 0; jj < dk; jj++) {
      int j = cols[jj];
      const double *col = qsrc + (R_xlen_t) j * m;
      double c = center ? center[j] : 0.0, s = scale ? scale[j] : 1.0;
      for (R_xlen_t i = i0; i < i1; i++) {
        double v = (col[i] - c) / s;
        if (!(fabs(v) <= SG_MAX_ABS)) bad = 1;
        qrow[i * dk + jj] = v;
      }
    }
  }
  if (bad) sg_magnitude_error();
  return qrow;
}

/* The k nearest (or with farthest, farthest) rows of ref (n x d,
 * column-major) for each of the m rows of query (or, with self, of each
 * row of ref among the others), on the scale center and scale give (NULL:
 * as they are; a column of scale 0 is left out); exclude: NULL or one
 * 1-based row of ref per query that it must not find (NA for none). */
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
  int strategy = sg_knn_strategy(n, dk, farthest);
  int strategy_auto = sg_knn_path() == 0 || sg_path_classes(sg_knn_path());
  const double *qrow = sg_query_rows(self ? ref : query, m, cols, dk, center,
                                     scale, nthreads);
  if (strategy == SG_KNN_TREE || strategy == SG_KNN_BTREE) {
    /* the rows row-major: in a self-search the queries themselves */
    const double *pts = self ? qrow
      : sg_query_rows(ref, n, cols, dk, center, scale, nthreads);
    if (strategy == SG_KNN_TREE) {
      sg_knn_tree(pts, n, dk, qrow, m, k, self, exclude, out_index, out_dist,
                  nthreads);
      return;
    }
    if (sg_knn_btree(pts, n, dk, qrow, m, k, self, exclude, out_index,
                     out_dist, nthreads, strategy_auto))
      return;
    strategy = SG_SCAN_FLOAT;  /* declined: full-dimensional data */
  }
  sg_blocks rb;
  sg_blocks_fill(&rb, ref, n, d, center, scale, cols, dk, nthreads);
  sg_knn_scan(&rb, qrow, m, k, self, exclude, (sg_scan_kind) strategy,
              out_index, out_dist, nthreads);
}

/* The classes' searches are one scan where each would be a direct scan:
 * its distances to every data row serve a class row's search of the whole
 * data and of its class alike (knn.h). */
int sg_knn_classes(const double *x, R_xlen_t n, int d, const double *center,
                   const double *scale, sg_class_search *cls, int C, int m,
                   int *whole_index, int req) {
  int *cols = (int *) R_alloc(d > 0 ? d : 1, sizeof(int));
  int dk = 0;
  for (int j = 0; j < d; j++) {
    if (!scale || scale[j] > 0) cols[dk++] = j;
  }
  int path = sg_knn_path();
  int forced = sg_path_classes(path);
  int one = m > 0 && (forced ||
                      (path == 0 && sg_knn_strategy(n, dk, 0) == SG_SCAN_DIRECT));
  R_xlen_t total = 0;
  for (int c = 0; c < C; c++) {
    one = one && (forced ||
                  sg_knn_strategy(cls[c].p, dk, 0) == SG_SCAN_DIRECT);
    total += cls[c].p;
  }
  if (!one) return 0;
  int nth = sg_threads_for(req, (double) n * (double) total * (dk > 0 ? dk : 1));
  sg_blocks rb;
  sg_blocks_fill(&rb, x, n, d, center, scale, cols, dk, nth);
  sg_knn_scan_classes(&rb, cls, C, m, whole_index, nth);
  return 1;
}

/* list(index = , distance = ), the answer of both searches' entry points */
SEXP sg_knn_result(SEXP index, SEXP dist) {
  SEXP vals[2] = {index, dist};
  const char *names[2] = {"index", "distance"};
  return sg_named_list(2, vals, names);
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
  R_xlen_t m = self ? n : sg_query_arg(query, d);
  const int *excl = sg_exclude_arg(exclude, self, m, n);
  int kk = sg_k_arg(k, n, self || excl);
  if (m > INT_MAX || n > INT_MAX)
    Rf_error("More than %d rows is not supported.", INT_MAX);
  const double *cen, *sc;
  sg_center_scale_args(center, scale, d, 1, &cen, &sc);
  if (!sg_all_finite(REAL_RO(x), XLENGTH(x)) ||
      (!self && !sg_all_finite(REAL_RO(query), XLENGTH(query))))
    Rf_error("`x` and `query` must not contain NA, NaN or Inf.");
  int far = sg_flag_arg(farthest, "farthest");
  int req = sg_int_scalar(threads, "threads");
  int nth = sg_threads_for(req, (double) n * (double) m * (double) (d > 0 ? d : 1));

  SEXP index = PROTECT(Rf_allocMatrix(INTSXP, (int) m, kk)); nprot++;
  SEXP dist = PROTECT(Rf_allocMatrix(REALSXP, (int) m, kk)); nprot++;
  if (m > 0)
    sg_knn_search(REAL_RO(x), n, d, self ? NULL : REAL_RO(query), m, kk,
                  self, excl, cen, sc, far, INTEGER(index), REAL(dist), nth);
  SEXP out = PROTECT(sg_knn_result(index, dist)); nprot++;
  UNPROTECT(nprot);
  return out;
}
