/* Exact k-NN by a tree of blocks, for many rows in more dimensions than
 * the kd-tree suits (knn.c chooses it).
 *
 * The rows are split, always at a multiple of SG_RB, along their
 * principal axes until every leaf is one block of at most SG_RB rows;
 * the blocks are laid out in tree order, so a leaf is searched by the
 * same float screen and canonical distances as the block scans
 * (knn-screen.c).  Inside a block the rows are split further into
 * sub-leaves of SG_BT_SUB rows with boxes of their own, and each query
 * screens only the sub-leaves it can reach.  Queries go in groups of
 * SG_BT_GROUP neighbours in tree order; a group walks the tree, the child
 * on its centre's side of the cut first, and skips a node when, for every
 * query of the group, the node's box is farther than its k-th distance so
 * far (the 32 tests in vector registers).
 *
 * The boxes are taken on p <= SG_BT_MAXP principal axes (a projection,
 * so a box distance is a lower bound of the true one: the axes need not
 * be accurate, only orthonormal), and real data, rarely of full
 * dimension, is mostly found there.  Exactness: a node is skipped only
 * when its box distance exceeds the k-th distance by more than the
 * rounding of the projection could account for (sg_bt_margin()); rows
 * are measured the canonical way (sg_sqdist_exact(), the same bits as
 * every path) and, arriving out of row order, enter the list by
 * (distance, row) explicitly (sg_topk_insert_lex()). */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <limits.h>
#include <string.h>
#include <stdint.h>

#define SG_BT_MAXP 16   /* principal axes the boxes use */
#define SG_BT_MAXD 64   /* wider: the SG_BT_MAXP columns of most variance */
#define SG_BT_GROUP 32  /* queries walking the tree together */
#define SG_BT_COV_ROWS 65536 /* rows the axes are estimated from, at most */
#define SG_BT_SUB SG_FSCAN_CHUNK       /* rows of a sub-leaf */
#define SG_BT_NSUB (SG_RB / SG_BT_SUB)  /* sub-leaves of a block: 8 */
#ifndef SG_BT_MAX_Q90
#define SG_BT_MAX_Q90 9  /* axes holding 90% of the variance, to be chosen */
#endif

typedef sg_tree_node sg_bnode;  /* positions lo..hi in tree order; a leaf is one block */

typedef struct {
  int p;                /* axes */
  double *axes;         /* dk x p, column a the a-th axis */
  double *mu;           /* dk: the rows' mean */
  const double *y;      /* n x p row-major: the rows on the axes */
  R_xlen_t *perm;       /* position in tree order -> row */
  sg_bnode *nodes;
  double *box;          /* per node: p lower then p upper bounds */
  int *cut_axis;        /* per inner node: the axis it was split on, */
  double *cut;          /* and the middle of the gap between its children */
  double *sbox;         /* per block and axis: the SG_BT_NSUB sub-leaves'
                           lower, then upper bounds (sg_bt_sub()) */
  int n_nodes;
  int q90;              /* leading axes that hold 90% of the variance */
} sg_btree;

/* ---------------------------------------------------------------------
 * The axes: the leading eigenvectors of the rows' covariance (cyclic
 * Jacobi on a dk x dk matrix), made orthonormal again afterwards. */

/* Eigen-decomposition of the symmetric n x n a (column-major, destroyed:
 * its diagonal ends as the eigenvalues); v gets the eigenvectors. */
static void sg_jacobi(double *a, int n, double *v) {
  for (int i = 0; i < n * n; i++) v[i] = 0.0;
  for (int i = 0; i < n; i++) v[i + (size_t) i * n] = 1.0;
  for (int sweep = 0; sweep < 60; sweep++) {
    double off = 0.0, diag = 0.0;
    for (int q = 0; q < n; q++) {
      diag += a[q + (size_t) q * n] * a[q + (size_t) q * n];
      for (int p = 0; p < q; p++) off += a[p + (size_t) q * n] * a[p + (size_t) q * n];
    }
    if (!(off > 1e-30 * diag)) break;
    for (int q = 1; q < n; q++) {
      for (int p = 0; p < q; p++) {
        double apq = a[p + (size_t) q * n];
        if (apq == 0.0) continue;
        double app = a[p + (size_t) p * n], aqq = a[q + (size_t) q * n];
        double theta = (aqq - app) / (2.0 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
        double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
        for (int r = 0; r < n; r++) {  /* columns p and q */
          double arp = a[r + (size_t) p * n], arq = a[r + (size_t) q * n];
          a[r + (size_t) p * n] = c * arp - s * arq;
          a[r + (size_t) q * n] = s * arp + c * arq;
        }
        for (int r = 0; r < n; r++) {  /* rows p and q */
          double apr = a[p + (size_t) r * n], aqr = a[q + (size_t) r * n];
          a[p + (size_t) r * n] = c * apr - s * aqr;
          a[q + (size_t) r * n] = s * apr + c * aqr;
        }
        for (int r = 0; r < n; r++) {
          double vrp = v[r + (size_t) p * n], vrq = v[r + (size_t) q * n];
          v[r + (size_t) p * n] = c * vrp - s * vrq;
          v[r + (size_t) q * n] = s * vrp + c * vrq;
        }
      }
    }
  }
}

/* Modified Gram-Schmidt on the p columns of ax (dk each); a column that
 * vanishes becomes the first unit vector orthogonal enough to the rest.
 * Returns FALSE when no orthonormal set could be made (never in practice). */
static int sg_orthonormal(double *ax, int dk, int p) {
  for (int a = 0; a < p; a++) {
    double *col = ax + (size_t) a * dk;
    for (int attempt = 0; attempt <= dk; attempt++) {
      for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < a; b++) {
          const double *o = ax + (size_t) b * dk;
          double dot = 0.0;
          for (int j = 0; j < dk; j++) dot += o[j] * col[j];
          for (int j = 0; j < dk; j++) col[j] -= dot * o[j];
        }
      double nrm = 0.0;
      for (int j = 0; j < dk; j++) nrm += col[j] * col[j];
      nrm = sqrt(nrm);
      if (nrm > 0.5 && R_FINITE(nrm)) {
        for (int j = 0; j < dk; j++) col[j] /= nrm;
        break;
      }
      if (attempt == dk) return 0;
      for (int j = 0; j < dk; j++) col[j] = j == attempt ? 1.0 : 0.0;
    }
  }
  return 1;
}

/* How many of the largest of the dk variances v (reordered) hold 90% of
 * their sum. */
static int sg_bt_q90(double *v, int dk) {
  double total = 0.0, run = 0.0;
  for (int a = 0; a < dk; a++) total += v[a] > 0 ? v[a] : 0.0;
  for (int a = 0; a < dk; a++) {
    int best = a;
    for (int b = a + 1; b < dk; b++) if (v[b] > v[best]) best = b;
    double tmp = v[a]; v[a] = v[best]; v[best] = tmp;
    run += v[a] > 0 ? v[a] : 0.0;
    if (run >= 0.9 * total) return a + 1;
  }
  return dk;
}

/* The mean and up to SG_BT_MAXP axes of the rows pts (n x dk row-major):
 * principal axes (from at most SG_BT_COV_ROWS evenly spaced rows) with
 * eigenvalue at least 1e-3 of the largest, or for more than SG_BT_MAXD
 * columns (or if the axes fail) the unit vectors of the columns of most
 * variance. */
static void sg_bt_axes(sg_btree *t, const double *pts, R_xlen_t n, int dk) {
  t->mu = (double *) R_alloc(dk, sizeof(double));
  for (int j = 0; j < dk; j++) t->mu[j] = 0.0;
  for (R_xlen_t i = 0; i < n; i++)
    for (int j = 0; j < dk; j++) t->mu[j] += pts[i * dk + j];
  for (int j = 0; j < dk; j++) t->mu[j] /= (double) n;
  int pmax = dk < SG_BT_MAXP ? dk : SG_BT_MAXP;
  t->axes = (double *) R_alloc((size_t) dk * pmax, sizeof(double));
  R_xlen_t step = n > SG_BT_COV_ROWS ? n / SG_BT_COV_ROWS : 1;
  /* the covariance on a common scale (no overflow for values to 1e148) */
  double big = 0.0;
  for (R_xlen_t i = 0; i < n; i += step)
    for (int j = 0; j < dk; j++) {
      double v = fabs(pts[i * dk + j] - t->mu[j]);
      if (v > big) big = v;
    }
  if (dk <= SG_BT_MAXD && big > 0) {
    double *cov = (double *) R_alloc((size_t) dk * dk, sizeof(double));
    double *vec = (double *) R_alloc((size_t) dk * dk, sizeof(double));
    double *z = (double *) R_alloc(dk, sizeof(double));
    for (int i = 0; i < dk * dk; i++) cov[i] = 0.0;
    for (R_xlen_t i = 0; i < n; i += step) {
      for (int j = 0; j < dk; j++) z[j] = (pts[i * dk + j] - t->mu[j]) / big;
      for (int b = 0; b < dk; b++)
        for (int a = 0; a <= b; a++) cov[a + (size_t) b * dk] += z[a] * z[b];
    }
    for (int b = 0; b < dk; b++)
      for (int a = 0; a < b; a++) cov[b + (size_t) a * dk] = cov[a + (size_t) b * dk];
    sg_jacobi(cov, dk, vec);
    int p = 0, used[SG_BT_MAXP];
    double top = 0.0;
    for (int a = 0; a < dk; a++) if (cov[a + (size_t) a * dk] > top) top = cov[a + (size_t) a * dk];
    while (p < pmax) {  /* the largest eigenvalues, in order */
      int best = -1;
      for (int a = 0; a < dk; a++) {
        int taken = 0;
        for (int b = 0; b < p; b++) taken |= used[b] == a;
        if (!taken && (best < 0 || cov[a + (size_t) a * dk] > cov[best + (size_t) best * dk]))
          best = a;
      }
      if (p > 0 && !(cov[best + (size_t) best * dk] >= 1e-3 * top)) break;
      used[p] = best;
      memcpy(t->axes + (size_t) p * dk, vec + (size_t) best * dk, dk * sizeof(double));
      p++;
    }
    t->p = p;
    for (int a = 0; a < dk; a++) z[a] = cov[a + (size_t) a * dk];
    t->q90 = sg_bt_q90(z, dk);
    if (sg_orthonormal(t->axes, dk, p)) return;
  }
  /* the columns of most variance */
  double *var = (double *) R_alloc(dk, sizeof(double));
  for (int j = 0; j < dk; j++) {
    double acc = 0.0;
    for (R_xlen_t i = 0; i < n; i += step) {
      double v = (pts[i * dk + j] - t->mu[j]) / (big > 0 ? big : 1.0);
      acc += v * v;
    }
    var[j] = acc;
  }
  t->q90 = sg_bt_q90(var, dk);
  for (int a = 0; a < pmax; a++) {
    int best = 0;
    for (int j = 1; j < dk; j++) if (var[j] > var[best]) best = j;
    for (int j = 0; j < dk; j++) t->axes[(size_t) a * dk + j] = j == best ? 1.0 : 0.0;
    var[best] = -1.0;
  }
  t->p = pmax;
}

/* rows (m x dk row-major) on the axes: m x p row-major; and the largest
 * |row - mean| (for the margin) in *xmax, each in xn (or NULL); rows
 * shared among nthreads (each row's values do not depend on it). */
static double *sg_bt_project(const sg_btree *t, const double *rows, R_xlen_t m,
                             int dk, double *xn, double *xmax, int nthreads) {
  const int p = t->p;
  double *y = (double *) R_alloc(m * p > 0 ? m * p : 1, sizeof(double));
  double mx = 0.0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(max:mx) num_threads(nthreads)
#endif
  for (R_xlen_t i = 0; i < m; i++) {
    const double *r = rows + i * dk;
    double *yi = y + i * p;
    double nrm = 0.0;
    for (int a = 0; a < p; a++) yi[a] = 0.0;
    for (int j = 0; j < dk; j++) {
      double v = r[j] - t->mu[j];
      nrm += v * v;
      for (int a = 0; a < p; a++) yi[a] += v * t->axes[(size_t) a * dk + j];
    }
    nrm = sqrt(nrm);
    if (xn) xn[i] = nrm;
    if (nrm > mx) mx = nrm;
  }
  if (xmax) *xmax = mx;
  return y;
}

/* ---------------------------------------------------------------------
 * The tree: nodes split at a multiple of SG_RB rows, along the axis of
 * widest spread, until a node is one block; inside each block the rows are
 * split the same way, at multiples of SG_BT_SUB, into sub-leaves whose
 * boxes let a query screen only the parts of a block it can reach. */

/* The box of positions lo..hi on the axes. */
static void sg_bt_box_of(const sg_btree *t, R_xlen_t lo, R_xlen_t hi,
                         double *blo, double *bhi) {
  sg_rows_box(t->perm, t->y, t->p, lo, hi, blo, bhi);
}

/* Positions lo..hi reordered so that those before mid are no larger, on
 * the axis of widest spread of the box blo..bhi, than those after
 * (quickselect); nothing when the box is a point. */
static void sg_bt_split(sg_btree *t, R_xlen_t lo, R_xlen_t hi, R_xlen_t mid,
                        const double *blo, const double *bhi) {
  const int p = t->p;
  int dim = sg_widest_axis(blo, bhi, p);
  if (!(bhi[dim] - blo[dim] > 0)) return;
  sg_select_rows(t->perm, t->y, p, dim, lo, hi, mid);
}

/* The sub-leaves of positions lo..hi of one block (box blo..bhi): split
 * until SG_BT_SUB rows, each one's box written to the block's sbox. */
static void sg_bt_sub(sg_btree *t, R_xlen_t lo, R_xlen_t hi,
                      const double *blo, const double *bhi) {
  const int p = t->p;
  if (hi - lo <= SG_BT_SUB) {
    double *sb = t->sbox + (size_t) (lo / SG_RB) * p * 2 * SG_BT_NSUB;
    int s = (int) (lo % SG_RB) / SG_BT_SUB;
    for (int a = 0; a < p; a++) {
      sb[(size_t) a * 2 * SG_BT_NSUB + s] = blo[a];
      sb[(size_t) a * 2 * SG_BT_NSUB + SG_BT_NSUB + s] = bhi[a];
    }
    return;
  }
  R_xlen_t nsub = (hi - lo + SG_BT_SUB - 1) / SG_BT_SUB;
  R_xlen_t mid = lo + SG_BT_SUB * ((nsub + 1) / 2);
  double cb[2 * SG_BT_MAXP];
  sg_bt_split(t, lo, hi, mid, blo, bhi);
  sg_bt_box_of(t, lo, mid, cb, cb + p);
  sg_bt_sub(t, lo, mid, cb, cb + p);
  sg_bt_box_of(t, mid, hi, cb, cb + p);
  sg_bt_sub(t, mid, hi, cb, cb + p);
}

/* Node id over positions lo..hi and its subtree: the left child is id + 1
 * and the right one follows the left's 2 L - 1 nodes (L its blocks), the
 * numbering of a depth-first build, so large subtrees can be built as
 * tasks of their own (each writes only its own nodes, positions and
 * blocks). */
#define SG_BT_TASK_ROWS 65536

static void sg_bt_build(sg_btree *t, R_xlen_t lo, R_xlen_t hi, int id) {
  const int p = t->p;
  double *blo = t->box + (size_t) id * 2 * p, *bhi = blo + p;
  sg_bt_box_of(t, lo, hi, blo, bhi);
  t->nodes[id].lo = lo;
  t->nodes[id].hi = hi;
  t->nodes[id].left = t->nodes[id].right = -1;
  if (hi - lo <= SG_RB) {
    sg_bt_sub(t, lo, hi, blo, bhi);
    return;
  }
  R_xlen_t nblk = (hi - lo + SG_RB - 1) / SG_RB;
  R_xlen_t mid = lo + SG_RB * ((nblk + 1) / 2);
  sg_bt_split(t, lo, hi, mid, blo, bhi);
  int left = id + 1, right = id + 2 * (int) ((mid - lo) / SG_RB);
#ifdef _OPENMP
#pragma omp task if (mid - lo > SG_BT_TASK_ROWS)
#endif
  sg_bt_build(t, lo, mid, left);
  sg_bt_build(t, mid, hi, right);
#ifdef _OPENMP
#pragma omp taskwait
#endif
  t->nodes[id].left = left;
  t->nodes[id].right = right;
  const double *lb = t->box + (size_t) left * 2 * p, *rb = t->box + (size_t) right * 2 * p;
  t->cut_axis[id] = sg_widest_axis(blo, bhi, p);
  t->cut[id] = 0.5 * (lb[p + t->cut_axis[id]] + rb[t->cut_axis[id]]);
}

/* The queries of a group (gy: by axis, SG_BT_GROUP values each) that a
 * node with box blo..bhi may hold neighbours of: bit u set when query u's
 * squared box distance is not beyond lim[u] (padding queries have lim -1).
 * In vector registers; the distances are only compared, so the kernels
 * may round differently (sg_bt_margin() covers it). */
#define SG_BT_KEEP_BODY()                                                  \
  double dist[SG_BT_GROUP];                                                \
  for (int u = 0; u < SG_BT_GROUP; u++) dist[u] = 0.0;                     \
  for (int a = 0; a < p; a++) {                                            \
    const double *ya = gy + a * SG_BT_GROUP;                               \
    const double l = blo[a], h = bhi[a];                                   \
    for (int u = 0; u < SG_BT_GROUP; u++) {                                \
      double lo = l - ya[u], hi = ya[u] - h;                               \
      lo = lo > 0.0 ? lo : 0.0;                                            \
      hi = hi > 0.0 ? hi : 0.0;                                            \
      dist[u] += (lo + hi) * (lo + hi);                                    \
    }                                                                      \
  }                                                                        \
  uint32_t keep = 0;                                                       \
  for (int u = 0; u < SG_BT_GROUP; u++)                                    \
    keep |= (uint32_t) (dist[u] <= lim[u]) << u;                           \
  return keep;

typedef uint32_t (*sg_bt_keep_fn)(const double *, const double *,
                                  const double *, int, const double *);

#define SG_BT_KEEP_ARGS                                                    \
  (const double *blo, const double *bhi, const double *gy, int p,          \
   const double *lim)

SG_KERNEL_VARIANTS(uint32_t, sg_bt_keep, SG_BT_KEEP_ARGS, "avx2", "avx512f",
                   SG_BT_KEEP_BODY, (), ())

static sg_bt_keep_fn sg_bt_keep_kernel(void) {
  SG_RETURN_KERNEL(sg_bt_keep);
}

/* The sub-leaves of a block (its sbox) that a query at y on the axes may
 * hold neighbours of (within lim), as bits, among the first nsub; one
 * vector of SG_BT_NSUB lanes per axis. */
#ifdef SG_HAVE_AVX512_KERNEL
/* the gaps of the SG_BT_NSUB = 8 boxes in one vector per axis */
#define SG_BT_SUB_BODY()                                                   \
  const sg_v8d zero = {0, 0, 0, 0, 0, 0, 0, 0};                            \
  sg_v8d acc = zero;                                                       \
  for (int a = 0; a < p; a++) {                                            \
    sg_v8d lo, hi;                                                         \
    memcpy(&lo, sb + (size_t) a * 2 * SG_BT_NSUB, sizeof lo);              \
    memcpy(&hi, sb + (size_t) a * 2 * SG_BT_NSUB + SG_BT_NSUB, sizeof hi); \
    const double ya = y[a];                                                \
    const sg_v8d yv = {ya, ya, ya, ya, ya, ya, ya, ya};                    \
    lo = lo - yv;                                                          \
    hi = yv - hi;                                                          \
    sg_v8l pl = lo > zero, ph = hi > zero;                                 \
    sg_v8d g = (sg_v8d) (((sg_v8l) lo & pl) | ((sg_v8l) hi & ph));         \
    acc += g * g;                                                          \
  }                                                                        \
  const sg_v8d lv = {lim, lim, lim, lim, lim, lim, lim, lim};              \
  sg_v8l in = acc <= lv;                                                   \
  unsigned m = 0;                                                          \
  for (int s = 0; s < SG_BT_NSUB; s++) m |= (unsigned) (in[s] & 1) << s;   \
  return m & ((1u << nsub) - 1u);
#else
#define SG_BT_SUB_BODY()                                                   \
  double dist[SG_BT_NSUB];                                                 \
  for (int s = 0; s < SG_BT_NSUB; s++) dist[s] = 0.0;                      \
  for (int a = 0; a < p; a++) {                                            \
    const double *lo_a = sb + (size_t) a * 2 * SG_BT_NSUB;                 \
    const double *hi_a = lo_a + SG_BT_NSUB;                                \
    const double ya = y[a];                                                \
    for (int s = 0; s < SG_BT_NSUB; s++) {                                 \
      double lo = lo_a[s] - ya, hi = ya - hi_a[s];                         \
      lo = lo > 0.0 ? lo : 0.0;                                            \
      hi = hi > 0.0 ? hi : 0.0;                                            \
      dist[s] += (lo + hi) * (lo + hi);                                    \
    }                                                                      \
  }                                                                        \
  unsigned m = 0;                                                          \
  for (int s = 0; s < SG_BT_NSUB; s++)                                     \
    m |= (unsigned) (dist[s] <= lim) << s;                                 \
  return m & ((1u << nsub) - 1u);
#endif

typedef unsigned (*sg_bt_sub_fn)(const double *, const double *, int, double,
                                 int);

#define SG_BT_SUB_ARGS                                                     \
  (const double *sb, const double *y, int p, double lim, int nsub)

SG_KERNEL_VARIANTS(unsigned, sg_bt_sub_mask, SG_BT_SUB_ARGS, "avx2", "avx512f",
                   SG_BT_SUB_BODY, (), ())

static sg_bt_sub_fn sg_bt_sub_mask_kernel(void) {
  SG_RETURN_KERNEL(sg_bt_sub_mask);
}

/* The squared box distance beyond which a node cannot hold a row within
 * squared distance kth of the query: the projection of each row is off by
 * at most (dk + 4) sqrt(dk p) eps |row - mean| (the dot products'
 * rounding), for the query's err and the rows' the largest; the relative
 * factor covers the box distance's own rounding, the axes' departure from
 * orthonormality and the canonical distance's rounding. */
static inline double sg_bt_margin(double kth, double err) {
  double r = (sqrt(kth) + err) * (1.0 + 1e-9);
  return r * r + 1e-300;
}

/* ---------------------------------------------------------------------
 * The search. */

typedef struct {
  const sg_btree *t;
  sg_blocks tb;         /* the rows in tree order */
  int use_float;
  sg_fblocks fb;
  float *qf;            /* the queries in float (knn.h) */
  double *qnf;
  sg_sqdist_fn sqdist;
  sg_fscan1_fn fscan1;
  sg_bt_keep_fn keep;
  sg_bt_sub_fn sub_mask;
  const double *qrow;   /* m x dk, the reference rows' scale */
  const double *qy;     /* m x p, on the axes */
  const double *qerr;   /* m: each query's projection error bound */
  int k, self;
  const int *exclude;
} sg_bt_plan;

typedef struct {
  double *bd;           /* SG_BT_GROUP x k */
  int *bi;
  double *lim;          /* SG_BT_GROUP: sg_bt_margin() of each query */
  int *live;
  int *hits;            /* SG_RB */
  double *acc;          /* SG_RB */
  int *stack;          /* nodes to visit, */
  uint32_t *mask;       /* and the queries each may hold neighbours of */
  double *gy;           /* p x SG_BT_GROUP: the group's queries by axis */
} sg_bt_scratch;

/* The queries of bits `keep` against leaf block blk: each keeps the
 * sub-leaves it can reach (none: the block is skipped) and screens them in
 * float where the values allow it, every row otherwise; candidates
 * measured the canonical way. */
static void sg_bt_leaf(const sg_bt_plan *pl, sg_bt_scratch *w,
                       const R_xlen_t *qidx, const R_xlen_t *skip,
                       uint32_t keep, R_xlen_t blk) {
  const int k = pl->k, dk = pl->tb.d, p = pl->t->p;
  const R_xlen_t r0 = blk * SG_RB;
  const int cnt = (int) (pl->tb.n - r0 < SG_RB ? pl->tb.n - r0 : SG_RB);
  const int nsub = (cnt + SG_BT_SUB - 1) / SG_BT_SUB;
  const R_xlen_t *perm = pl->t->perm + r0;
  const double *sb = pl->t->sbox + (size_t) blk * p * 2 * SG_BT_NSUB;
  int *live = w->live, nl = 0;
  unsigned sub[SG_BT_GROUP];
  while (keep) {
    int u = __builtin_ctz(keep);
    keep &= keep - 1;
    double y[SG_BT_MAXP];
    for (int a = 0; a < p; a++) y[a] = w->gy[a * SG_BT_GROUP + u];
    unsigned m = pl->sub_mask(sb, y, p, w->lim[u], nsub);
    if (m) { sub[nl] = m; live[nl++] = u; }
  }
  const double rmax = pl->use_float ? pl->fb.norm_max[blk] : 0.0;
  for (int i = 0; i < nl; i++) {
    int u = live[i];
    R_xlen_t qi = qidx[u];
    const double *q = pl->qrow + qi * dk;
    double *bd = w->bd + (size_t) u * k;
    int *bi = w->bi + (size_t) u * k;
    int nhit = 0, whole = !pl->use_float;
    if (pl->use_float) {
      double qn = pl->qnf[qi];
      float thr = sg_float_up(bd[k - 1] + sg_f32_tol(dk, qn, rmax) - qn);
      nhit = pl->fscan1(&pl->fb, dk, blk, pl->qf + qi * dk, thr, sub[i], w->hits);
      whole = nhit > SG_RB / 8;
    }
    if (whole) {
      pl->sqdist(&pl->tb, blk, cnt, q, w->acc);
      for (int t = 0; t < cnt; t++) {
        if (perm[t] == skip[u]) continue;
        sg_topk_insert_lex(bd, bi, k, w->acc[t], (int) perm[t]);
      }
    } else {
      for (int h = 0; h < nhit; h++) {
        int t = w->hits[h];
        if (t >= cnt || perm[t] == skip[u]) continue;
        sg_topk_insert_lex(bd, bi, k, sg_sqdist_exact(&pl->tb, blk, t, q), (int) perm[t]);
      }
    }
    w->lim[u] = sg_bt_margin(bd[k - 1], pl->qerr[qi]);
  }
}

/* One group of nq queries (qidx), walking the tree: with each node on the
 * stack, the queries (bits) its parent could not skip (a child's box lies
 * in its parent's and the k-th distances only shrink). */
static void sg_bt_group(const sg_bt_plan *pl, sg_bt_scratch *w,
                        const R_xlen_t *qidx, int nq) {
  const sg_btree *t = pl->t;
  const int k = pl->k, p = t->p;
  R_xlen_t skip[SG_BT_GROUP];
  double cen[SG_BT_MAXP];
  double *gy = w->gy;  /* the group's queries on the axes, by axis */
  for (int a = 0; a < p; a++) cen[a] = 0.0;
  for (int i = 0; i < p * SG_BT_GROUP; i++) gy[i] = 0.0;
  for (int u = nq; u < SG_BT_GROUP; u++) w->lim[u] = -1.0;  /* never kept */
  for (int u = 0; u < nq; u++) {
    for (int c = 0; c < k; c++) {
      w->bd[(size_t) u * k + c] = R_PosInf;
      w->bi[(size_t) u * k + c] = INT_MAX;
    }
    w->lim[u] = R_PosInf;
    skip[u] = sg_skip_row(pl->self, pl->exclude, qidx[u]);
    for (int a = 0; a < p; a++) {
      gy[a * SG_BT_GROUP + u] = pl->qy[qidx[u] * p + a];
      cen[a] += pl->qy[qidx[u] * p + a] / nq;
    }
  }
  int top = 0;
  w->stack[top] = 0;
  w->mask[top++] = nq == 32 ? 0xffffffffu : (1u << nq) - 1u;
  while (top > 0) {
    top--;
    int id = w->stack[top];
    const sg_bnode *nd = t->nodes + id;
    const double *blo = t->box + (size_t) id * 2 * p, *bhi = blo + p;
    uint32_t keep = w->mask[top] & pl->keep(blo, bhi, gy, p, w->lim);
    if (keep == 0) continue;
    if (nd->left < 0) {
      sg_bt_leaf(pl, w, qidx, skip, keep, nd->lo / SG_RB);
      continue;
    }
    /* the child on the group centre's side of the cut first */
    int near = cen[t->cut_axis[id]] <= t->cut[id] ? nd->left : nd->right;
    w->stack[top] = near == nd->left ? nd->right : nd->left;
    w->mask[top++] = keep;
    w->stack[top] = near;
    w->mask[top++] = keep;
  }
}

/* The tree over pts (n x dk row-major, standardised), its rows in tree
 * order as blocks. */
static void sg_bt_make(sg_btree *t, sg_blocks *tb, const double *pts,
                       R_xlen_t n, int dk, double *xmax, int nthreads) {
  t->y = sg_bt_project(t, pts, n, dk, NULL, xmax, nthreads);
  t->perm = (R_xlen_t *) R_alloc(n, sizeof(R_xlen_t));
  for (R_xlen_t i = 0; i < n; i++) t->perm[i] = i;
  R_xlen_t max_nodes = 2 * ((n + SG_RB - 1) / SG_RB) + 1;
  t->nodes = (sg_bnode *) R_alloc(max_nodes, sizeof(sg_bnode));
  t->box = (double *) R_alloc((size_t) max_nodes * 2 * t->p, sizeof(double));
  t->cut_axis = (int *) R_alloc(max_nodes, sizeof(int));
  t->cut = (double *) R_alloc(max_nodes, sizeof(double));
  size_t sbox_len = (size_t) ((n + SG_RB - 1) / SG_RB) * t->p * 2 * SG_BT_NSUB;
  t->sbox = (double *) R_alloc(sbox_len > 0 ? sbox_len : 1, sizeof(double));
  memset(t->sbox, 0, (sbox_len > 0 ? sbox_len : 1) * sizeof(double));
  t->n_nodes = (int) (2 * ((n + SG_RB - 1) / SG_RB) - 1);
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads)
#pragma omp single
#endif
  sg_bt_build(t, 0, n, 0);
  tb->n = n;
  tb->d = dk;
  tb->n_blocks = (n + SG_RB - 1) / SG_RB;
  tb->data = (double *) R_alloc(tb->n_blocks * (R_xlen_t) dk * SG_RB, sizeof(double));
  sg_fresh_buffer(tb->data, (size_t) tb->n_blocks * dk * SG_RB * sizeof(double));
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nthreads)
#endif
  for (R_xlen_t blk = 0; blk < tb->n_blocks; blk++) {  /* each row read once */
    double *dst = tb->data + blk * dk * SG_RB;
    memset(dst, 0, (size_t) dk * SG_RB * sizeof(double));
    R_xlen_t end = (blk + 1) * SG_RB < n ? (blk + 1) * SG_RB : n;
    for (R_xlen_t pos = blk * SG_RB; pos < end; pos++) {
      const double *r = pts + t->perm[pos] * dk;
      for (int j = 0; j < dk; j++) dst[(R_xlen_t) j * SG_RB + pos % SG_RB] = r[j];
    }
  }
}

/* The queries in an order that keeps each group together in space: tree
 * order for a self-search, else by the leaf each query descends to. */
static R_xlen_t *sg_bt_query_order(const sg_btree *t, const double *qy,
                                   R_xlen_t m, int self) {
  R_xlen_t *order = (R_xlen_t *) R_alloc(m > 0 ? m : 1, sizeof(R_xlen_t));
  if (self) {
    memcpy(order, t->perm, m * sizeof(R_xlen_t));
  } else {
    sg_tree_leaf_order(t->nodes, t->n_nodes, t->box, t->p, qy, m, order);
  }
  return order;
}

/* The search's groups: the queries in leaf order, SG_BT_GROUP at a time,
 * each thread with its scratch, 1,024 groups between interrupt checks. */
typedef struct {
  const sg_bt_plan *pl;
  sg_bt_scratch *scr;
  const R_xlen_t *order;
  R_xlen_t m;
  int *out_index;
  double *out_dist;
} sg_bt_search;

static void sg_bt_one_group(void *ctx, int tid, R_xlen_t q0, int nq) {
  const sg_bt_search *bs = (const sg_bt_search *) ctx;
  sg_bt_scratch *w = bs->scr + tid;
  const R_xlen_t *qidx = bs->order + q0;
  const R_xlen_t m = bs->m;
  const int k = bs->pl->k;
  sg_bt_group(bs->pl, w, qidx, nq);
  for (int u = 0; u < nq; u++)
    for (int c = 0; c < k; c++) {
      bs->out_index[qidx[u] + (R_xlen_t) c * m] = w->bi[(size_t) u * k + c] + 1;
      bs->out_dist[qidx[u] + (R_xlen_t) c * m] = sqrt(w->bd[(size_t) u * k + c]);
    }
}

/* The whole search by the tree of blocks (knn.h): pts the reference rows
 * row-major (n x dk; for a self-search the queries qrow themselves).
 * With may_decline, nothing is done and FALSE returned when more than
 * SG_BT_MAX_Q90 principal axes are needed for 90% of the rows' variance
 * (data of many dimensions in fact, where the boxes skip too little to pay
 * for themselves). */
int sg_knn_btree(const double *pts, R_xlen_t n, int dk, const double *qrow,
                 R_xlen_t m, int k, int self, const int *exclude,
                 int *out_index, double *out_dist, int nthreads,
                 int may_decline) {
  sg_btree t;
  sg_bt_plan pl;
  memset(&pl, 0, sizeof pl);
  sg_bt_axes(&t, pts, n, dk);
  if (may_decline && t.q90 > SG_BT_MAX_Q90) return 0;
  double xmax = 0.0;
  sg_bt_make(&t, &pl.tb, pts, n, dk, &xmax, nthreads);
  double *qn = (double *) R_alloc(m > 0 ? m : 1, sizeof(double));
  double qmax = 0.0;
  pl.qy = self ? t.y : sg_bt_project(&t, qrow, m, dk, qn, &qmax, nthreads);
  if (self) {
    for (R_xlen_t i = 0; i < m; i++) {
      double acc = 0.0;
      for (int j = 0; j < dk; j++) {
        double v = qrow[i * dk + j] - t.mu[j];
        acc += v * v;
      }
      qn[i] = sqrt(acc);
    }
  }
  double coef = 4.0 * (dk + 4) * sqrt((double) dk * t.p) * DBL_EPSILON;
  double *qerr = qn;  /* in place: |q - mean| becomes the error bound */
  for (R_xlen_t i = 0; i < m; i++) qerr[i] = coef * (qn[i] + xmax);
  pl.t = &t;
  pl.qerr = qerr;
  pl.qrow = qrow;
  pl.k = k;
  pl.self = self;
  pl.exclude = exclude;
  pl.sqdist = sg_sqdist_kernel();
  pl.fscan1 = sg_fscan1_kernel();
  pl.keep = sg_bt_keep_kernel();
  pl.sub_mask = sg_bt_sub_mask_kernel();
  pl.use_float = sg_knn_path() != 6 &&
    sg_f32_fill(&pl.tb, NULL, qrow, m, &pl.fb, &pl.qf, &pl.qnf, nthreads);
  const R_xlen_t *order = sg_bt_query_order(&t, pl.qy, m, self);

  sg_bt_scratch *scr = (sg_bt_scratch *) R_alloc(nthreads, sizeof(sg_bt_scratch));
  for (int i = 0; i < nthreads; i++) {
    scr[i].bd = (double *) R_alloc((size_t) SG_BT_GROUP * k, sizeof(double));
    scr[i].bi = (int *) R_alloc((size_t) SG_BT_GROUP * k, sizeof(int));
    scr[i].lim = (double *) R_alloc(SG_BT_GROUP, sizeof(double));
    scr[i].live = (int *) R_alloc(SG_BT_GROUP, sizeof(int));
    scr[i].hits = (int *) R_alloc(SG_RB, sizeof(int));
    scr[i].acc = (double *) R_alloc(SG_RB, sizeof(double));
    scr[i].stack = (int *) R_alloc(256, sizeof(int));
    scr[i].mask = (uint32_t *) R_alloc(256, sizeof(uint32_t));
    scr[i].gy = (double *) R_alloc((size_t) SG_BT_GROUP * SG_BT_MAXP, sizeof(double));
  }
  sg_bt_search bs = {&pl, scr, order, m, out_index, out_dist};
  sg_for_groups(m, SG_BT_GROUP, 0.0, 1024, 1024, 4, sg_bt_one_group, &bs, nthreads);
  return 1;
}
