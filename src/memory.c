/* Fresh memory for the large buffers the C core fills.
 *
 * A session's first calls pay for every page of memory the process has not
 * touched yet: one page fault per 4 KB page, which on a virtual machine
 * costs several microseconds (on the machine of bench/README.md, the
 * faults of a first call on 300,000 rows took more time than its
 * arithmetic). Where Linux offers transparent huge pages on request (THP
 * "madvise" mode, the common default), a buffer marked before its first
 * write is filled with 2 MB pages: one fault for 512. It is only a hint
 * about how pages are backed: the memory, its contents and its owner do
 * not change, and nothing of the allocator or the session is set. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
/* madvise() and MADV_HUGEPAGE, also under a strict -std=c99/c11 (before
 * any system header) */
#define _DEFAULT_SOURCE
#endif
#include "smoteguard.h"

#include <string.h>
#include <limits.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

/* Below this a buffer is not worth the system call (a table of a few
 * thousand rows makes none). */
#define SG_HUGE_MIN_BYTES ((size_t) 256 * 1024)

/* Mark the `bytes` at `p`, about to be written whole, for huge pages.
 * The range is widened to whole pages: the page holding the vector's
 * header belongs to the same allocation, and a neighbour's page marked
 * with it is only backed differently. Only 2 MB-aligned ranges lying in
 * marked memory get huge pages, so callers mark buffers that are
 * allocated together (adjacent) before writing any of them. A failure
 * (no THP, an old kernel) leaves the pages as they were. */
void sg_fresh_buffer(void *p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (p == NULL || bytes < SG_HUGE_MIN_BYTES) return;
  long ps = sysconf(_SC_PAGESIZE);
  if (ps <= 0) return;
  uintptr_t mask = (uintptr_t) ps - 1;
  uintptr_t lo = (uintptr_t) p & ~mask;
  uintptr_t hi = ((uintptr_t) p + bytes + mask) & ~mask;
  (void) madvise((void *) lo, (size_t) (hi - lo), MADV_HUGEPAGE);
#else
  (void) p;
  (void) bytes;
#endif
}

/* sg_fresh_buffer() for the data of an R vector just allocated. */
void sg_fresh_vector(SEXP x) {
  switch (TYPEOF(x)) {
  case REALSXP:
    sg_fresh_buffer(REAL(x), (size_t) XLENGTH(x) * sizeof(double));
    break;
  case INTSXP:
    sg_fresh_buffer(INTEGER(x), (size_t) XLENGTH(x) * sizeof(int));
    break;
  default:
    break;
  }
}

/* The numeric predictors as an n x p double matrix (prepare_predictors()):
 * `cols`, p double or integer vectors of length n (integer columns, an
 * ordered factor's codes), with the values unlist() then as.double() give
 * (an integer NA becomes NA). Made here, not by unlist(), so that the
 * matrix, fresh memory on a session's first call, is marked for huge pages
 * before it is written, and written by the threads sg_copy_threads()
 * allows, a column each (their page faults too). */
SEXP ffi_predictors_matrix(SEXP cols, SEXP n, SEXP threads) {
  if (TYPEOF(cols) != VECSXP) Rf_error("`cols` must be a list of columns.");
  int rows = sg_int_scalar(n, "n");
  if (rows == NA_INTEGER || rows < 0) Rf_error("`n` must be a count of rows.");
  int req = sg_int_scalar(threads, "threads");
  R_xlen_t p = XLENGTH(cols);
  if (p > INT_MAX) Rf_error("`cols` has too many columns.");
  for (R_xlen_t j = 0; j < p; j++) {
    SEXP col = VECTOR_ELT(cols, j);
    if ((TYPEOF(col) != REALSXP && TYPEOF(col) != INTSXP) || XLENGTH(col) != rows)
      Rf_error("`cols` must hold double or integer vectors of length `n`.");
  }
  SEXP x = PROTECT(Rf_allocMatrix(REALSXP, rows, (int) p));
  sg_fresh_vector(x);
  double *o = REAL(x);
  /* the columns' data on this thread (an ALTREP column may be expanded):
   * a double column's, or an integer column's with a NULL double */
  const double **dcol = (const double **) R_alloc((size_t) (p > 0 ? p : 1), sizeof(double *));
  const int **icol = (const int **) R_alloc((size_t) (p > 0 ? p : 1), sizeof(int *));
  for (R_xlen_t j = 0; j < p; j++) {
    SEXP col = VECTOR_ELT(cols, j);
    dcol[j] = TYPEOF(col) == REALSXP ? REAL_RO(col) : NULL;
    icol[j] = TYPEOF(col) == INTSXP ? INTEGER_RO(col) : NULL;
  }
  int nth = sg_copy_threads(req, (double) rows * (double) p);
  if (nth > p) nth = p > 0 ? (int) p : 1;
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
  for (R_xlen_t j = 0; j < p; j++) {
    double *dst = o + j * (R_xlen_t) rows;
    if (dcol[j] != NULL) {
      if (rows > 0) memcpy(dst, dcol[j], (size_t) rows * sizeof(double));
    } else {
      const int *v = icol[j];
      for (R_xlen_t i = 0; i < rows; i++) dst[i] = v[i] == NA_INTEGER ? NA_REAL : (double) v[i];
    }
  }
  UNPROTECT(1);
  return x;
}

/* What each column of the list `cols` is, for prepare_predictors(): for a
 * bare vector (no attributes) its kind by type, 1 double, 2 integer, 3
 * nominal (character, logical), 4 unsupported (any other type); 0 for a
 * column with attributes (a factor, a date, a matrix, ...), which R's
 * column_kind() reads. One call instead of an R call per column. */
SEXP ffi_predictors_kinds(SEXP cols) {
  if (TYPEOF(cols) != VECSXP) Rf_error("`cols` must be a list of columns.");
  R_xlen_t p = XLENGTH(cols);
  SEXP out = PROTECT(Rf_allocVector(INTSXP, p));
  int *o = INTEGER(out);
  for (R_xlen_t j = 0; j < p; j++) {
    SEXP col = VECTOR_ELT(cols, j);
    if (ATTRIB(col) != R_NilValue) {
      o[j] = 0;
      continue;
    }
    switch (TYPEOF(col)) {
    case REALSXP: o[j] = 1; break;
    case INTSXP: o[j] = 2; break;
    case STRSXP:
    case LGLSXP: o[j] = 3; break;
    default: o[j] = 4; break;
    }
  }
  UNPROTECT(1);
  return out;
}
