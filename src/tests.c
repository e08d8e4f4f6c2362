/* The test switches, in one place.  Tests and benchmarks force each
 * search and scan path and each kernel variant, to check that every one
 * gives the same bits as the others; nothing else sets them.  They are
 * read once per call, outside parallel regions. */
#include "smoteguard.h"
#include "simd.h"

/* The k-NN search path (knn.c): 0 chosen automatically, 1 the plain direct
 * kernel, 2 the kd-tree, 3 the screened expansion kernel in double, 4 the
 * float screen (falling back to 3 where values are too large for it), 5
 * the tree of blocks (knn-btree.c; its leaves screened in float where the
 * values allow it), 6 the tree of blocks measuring every row of a leaf it
 * cannot skip (no float screen), 7 the float screen, a self-search made
 * symmetric (each pair measured once; knn-screen.c) whatever its size, 8
 * as 0, but the classes' searches (classes.c) are one scan whatever their
 * sizes (sg_knn_classes(); 0 makes them one where each is a direct scan),
 * by the pruned walk wherever the classes' rows allow it (0: where it
 * pays); 9 as 8, every row measured. */
static int knn_path = 0;

/* The highest instruction set the kernels may use (simd.h). */
static int isa_cap = 2;

/* The metrics' scan path (scan.c): 0 the float screen where the values
 * allow it and the kernel sums four queries at a time, 1 the double scans
 * and one query at a time. */
static int metrics_path = 0;

int sg_knn_path(void) { return knn_path; }
int sg_isa_cap(void) { return isa_cap; }
int sg_metrics_path(void) { return metrics_path; }

/* path, or c(path, the highest instruction set the kernels may use: 0
 * portable, 1 AVX2, 2 AVX-512); returns both as they were. */
SEXP ffi_knn_path(SEXP path) {
  if ((!Rf_isInteger(path) && !Rf_isReal(path)) ||
      (XLENGTH(path) != 1 && XLENGTH(path) != 2))
    Rf_error("`path` must be one or two whole numbers.");
  int v[2] = {0, isa_cap};
  for (R_xlen_t i = 0; i < XLENGTH(path); i++) {
    double x = Rf_isInteger(path)
      ? (INTEGER_RO(path)[i] == NA_INTEGER ? NA_REAL : INTEGER_RO(path)[i])
      : REAL_RO(path)[i];
    if (ISNAN(x) || x != floor(x) || x < 0 || x > (i == 0 ? 9 : 2))
      Rf_error(i == 0 ? "`path` must be a whole number from 0 to 9."
                      : "The instruction set level must be 0, 1 or 2.");
    v[i] = (int) x;
  }
  SEXP old = PROTECT(Rf_allocVector(INTSXP, 2));
  INTEGER(old)[0] = knn_path;
  INTEGER(old)[1] = isa_cap;
  knn_path = v[0];
  isa_cap = v[1];
  UNPROTECT(1);
  return old;
}

/* path (0 or 1); returns the one it replaces. */
SEXP ffi_metrics_path(SEXP path) {
  int old = metrics_path;
  int v = sg_int_scalar(path, "path");
  if (v == NA_INTEGER || v < 0 || v > 1) Rf_error("`path` must be 0 or 1.");
  metrics_path = v;
  return Rf_ScalarInteger(old);
}
