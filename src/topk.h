/* The k smallest distances seen so far, kept sorted in bd[0..k) with their
 * rows in bi[0..k).  Two tie rules, because rows arrive in two ways:
 *
 * - sg_topk_insert(): rows arrive in increasing row order (the block
 *   scans, the mixed search, the pair scans), so a row equal in distance
 *   to one already kept is the later row and goes after it.  The order is
 *   (distance, row) without comparing rows.
 * - sg_topk_insert_lex(), sg_topk_place_lex(): rows arrive in any order
 *   (the kd-tree's leaves, the guard's neighbourhood rows), so ties are
 *   broken by comparing rows: the same (distance, row) order, explicitly.
 *
 * Neither checks for NaN: a caller that can meet one says what it means. */
#ifndef SMOTEGUARD_TOPK_H
#define SMOTEGUARD_TOPK_H

/* The one insertion: (dist, row) into a sorted list of k whose last entry
 * it replaces (the caller knows it belongs before that entry, or that
 * slot k - 1 is free).  An entry of equal distance stays before it, or
 * with by_row only when its row is smaller.  by_row is a constant at each
 * call, so the test costs nothing where it is 0. */
static inline void sg_topk_place(double *bd, int *bi, int k, double dist,
                                 int row, int by_row) {
  int pos = k - 1;
  while (pos > 0 && (bd[pos - 1] > dist ||
                     (by_row && bd[pos - 1] == dist && bi[pos - 1] > row))) {
    bd[pos] = bd[pos - 1];
    bi[pos] = bi[pos - 1];
    pos--;
  }
  bd[pos] = dist;
  bi[pos] = row;
}

/* Rows in increasing order: the caller knows dist < bd[k - 1] (or that
 * slot k - 1 is free); equal distances already present stay first. */
static inline void sg_topk_insert(double *bd, int *bi, int k, double dist,
                                  int row) {
  sg_topk_place(bd, bi, k, dist, row, 0);
}

/* Rows in any order: (distance, row) order, the caller knowing it comes
 * before the last entry (or that slot k - 1 is free). */
static inline void sg_topk_place_lex(double *bd, int *bi, int k, double dist,
                                     int row) {
  sg_topk_place(bd, bi, k, dist, row, 1);
}

/* The same, when (dist, row) comes before the k-th entry; else nothing. */
static inline void sg_topk_insert_lex(double *bd, int *bi, int k, double dist,
                                      int row) {
  if (!(dist < bd[k - 1] || (dist == bd[k - 1] && row < bi[k - 1])))
    return;
  sg_topk_place_lex(bd, bi, k, dist, row);
}

/* (dist, row) offered to a list of k filled from its start, *filled its
 * entries: until k are taken every row goes in among them, whatever its
 * distance (not through the empty slots, which are all alike); then only
 * a row before the k-th entry, by distance, or with by_row (rows in any
 * order) by (distance, row). */
static inline void sg_topk_offer(double *bd, int *bi, int k, int *filled,
                                 double dist, int row, int by_row) {
  if (*filled < k) sg_topk_place(bd, bi, ++*filled, dist, row, by_row);
  else if (dist < bd[k - 1] || (by_row && dist == bd[k - 1] && row < bi[k - 1]))
    sg_topk_place(bd, bi, k, dist, row, by_row);
}

#endif
