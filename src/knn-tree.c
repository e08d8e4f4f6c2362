/* Exact k-NN by a kd-tree, for few dimensions, where brute force wastes
 * most of its work (knn.c chooses it).  Leaves hold up to SG_LEAF rows; each node keeps the bounding box of its
 * rows, and a node is skipped only when the box is strictly farther than
 * the current k-th distance (with a relative margin for the box's own
 * rounding), so rows tied with the k-th are still seen.  Distances of rows
 * are the canonical ones (sg_sqdist_row), and the list is ordered by
 * (distance, row) explicitly since rows are not visited in index order. */
#include "smoteguard.h"
#include "knn.h"
#include "topk.h"
#include <limits.h>

#define SG_LEAF 24

typedef sg_tree_node sg_node;  /* rows perm[lo..hi) */

typedef struct {
  const double *pts;   /* n x d row-major, standardised */
  double *ppts;        /* the same rows in tree order (leaves contiguous) */
  int d;
  R_xlen_t *perm;
  sg_node *nodes;
  double *box;         /* per node: d lower then d upper bounds */
  int n_nodes;
} sg_tree;

static int sg_tree_build(sg_tree *t, R_xlen_t lo, R_xlen_t hi) {
  int id = t->n_nodes++;
  sg_node *nd = t->nodes + id;
  int d = t->d;
  double *blo = t->box + (size_t) id * 2 * d, *bhi = blo + d;
  sg_rows_box(t->perm, t->pts, d, lo, hi, blo, bhi);
  nd->lo = lo; nd->hi = hi; nd->left = nd->right = -1;
  if (hi - lo <= SG_LEAF) return id;
  int dim = sg_widest_axis(blo, bhi, d);
  if (!(bhi[dim] - blo[dim] > 0)) return id; /* all rows equal: one leaf */
  /* the median on `dim` */
  R_xlen_t mid = lo + (hi - lo) / 2;
  sg_select_rows(t->perm, t->pts, d, dim, lo, hi, mid);
  int left = sg_tree_build(t, lo, mid);
  int right = sg_tree_build(t, mid, hi);
  t->nodes[id].left = left;
  t->nodes[id].right = right;
  return id;
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

/* The tree over the n rows pts (row-major, d values each), and its rows
 * in tree order. */
static void sg_tree_make(sg_tree *t, const double *pts, R_xlen_t n, int dk) {
  t->pts = pts;
  t->d = dk;
  t->perm = (R_xlen_t *) R_alloc(n, sizeof(R_xlen_t));
  for (R_xlen_t i = 0; i < n; i++) t->perm[i] = i;
  R_xlen_t max_nodes = 2 * (n / (SG_LEAF / 2) + 1) + 1;
  t->nodes = (sg_node *) R_alloc(max_nodes, sizeof(sg_node));
  t->box = (double *) R_alloc((size_t) max_nodes * 2 * (dk > 0 ? dk : 1), sizeof(double));
  t->n_nodes = 0;
  sg_tree_build(t, 0, n);
  t->ppts = (double *) R_alloc(n * (R_xlen_t) dk > 0 ? n * (R_xlen_t) dk : 1,
                               sizeof(double));
  for (R_xlen_t i = 0; i < n; i++)
    for (int j = 0; j < dk; j++) t->ppts[i * dk + j] = pts[t->perm[i] * dk + j];
}

/* Queries in tree order, so that consecutive queries visit the same
 * leaves (the order never changes a result): the rows' own order for a
 * self-search, otherwise by the leaf each query descends to. */
static const R_xlen_t *sg_tree_query_order(const sg_tree *t, const double *qrow,
                                           R_xlen_t m, int self) {
  R_xlen_t *order = (R_xlen_t *) R_alloc(m > 0 ? m : 1, sizeof(R_xlen_t));
  if (self) {
    for (R_xlen_t i = 0; i < m; i++) order[i] = t->perm[i];
  } else {
    sg_tree_leaf_order(t->nodes, t->n_nodes, t->box, t->d, qrow, m, order);
  }
  return order;
}

/* knn.h: a counting sort of the queries by their leaf. */
void sg_tree_leaf_order(const sg_tree_node *nodes, int n_nodes, const double *box,
                        int d, const double *q, R_xlen_t m, R_xlen_t *order) {
  int *leaf = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
  R_xlen_t *count = (R_xlen_t *) R_alloc((size_t) n_nodes + 1, sizeof(R_xlen_t));
  for (int id = 0; id <= n_nodes; id++) count[id] = 0;
  for (R_xlen_t i = 0; i < m; i++) {
    const double *qi = q + i * d;
    int id = 0;
    while (nodes[id].left >= 0) {
      int l = nodes[id].left, r = nodes[id].right;
      const double *llo = box + (size_t) l * 2 * d;
      const double *rlo = box + (size_t) r * 2 * d;
      id = sg_box_dist(llo, llo + d, qi, d) <= sg_box_dist(rlo, rlo + d, qi, d) ? l : r;
    }
    leaf[i] = id;
    count[id + 1]++;
  }
  for (int id = 0; id < n_nodes; id++) count[id + 1] += count[id];
  for (R_xlen_t i = 0; i < m; i++) order[count[leaf[i]]++] = i;
}

/* What the kd-tree search's queries read and write. */
typedef struct {
  const sg_tree *t;
  const double *qrow;
  const R_xlen_t *order;
  R_xlen_t m;
  int k, self;
  const int *exclude;
  double *bd_all;
  int *bi_all, *stack_all;
  int *out_index;
  double *out_dist;
} sg_tree_search;

/* The query at position s of the leaf order (a group of one). */
static void sg_tree_one(void *ctx, int tid, R_xlen_t s, int nq) {
  const sg_tree_search *ts = (const sg_tree_search *) ctx;
  const int k = ts->k, self = ts->self;
  const int *exclude = ts->exclude;
  const R_xlen_t m = ts->m, qi = ts->order[s];
  double *bd = ts->bd_all + (size_t) k * tid;
  int *bi = ts->bi_all + (size_t) k * tid;
  (void) nq;
  R_xlen_t skip = sg_skip_row(self, exclude, qi);
  sg_tree_query(ts->t, ts->qrow + qi * ts->t->d, k, skip, bd, bi,
                ts->stack_all + (size_t) 256 * tid);
  for (int c = 0; c < k; c++) {
    ts->out_index[qi + (R_xlen_t) c * m] = bi[c] + 1;
    ts->out_dist[qi + (R_xlen_t) c * m] = sqrt(bd[c]);
  }
}

/* The whole search by kd-tree (knn.h), the queries in leaf order, 8,192
 * between interrupt checks. */
void sg_knn_tree(const double *pts, R_xlen_t n, int dk, const double *qrow,
                 R_xlen_t m, int k, int self, const int *exclude,
                 int *out_index, double *out_dist, int nthreads) {
  sg_tree t;
  sg_tree_make(&t, pts, n, dk);
  sg_tree_search ts = {&t, qrow, sg_tree_query_order(&t, qrow, m, self), m, k,
                       self, exclude,
                       (double *) R_alloc((size_t) k * nthreads, sizeof(double)),
                       (int *) R_alloc((size_t) k * nthreads, sizeof(int)),
                       (int *) R_alloc((size_t) 256 * nthreads, sizeof(int)),
                       out_index, out_dist};
  sg_for_groups(m, 1, 0.0, 8192, 8192, 64, sg_tree_one, &ts, nthreads);
}
