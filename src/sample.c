/* The generators: draws of parents, neighbours and gaps, and the
 * interpolation of new rows.  Random numbers come from R's RNG and are
 * drawn serially, so set.seed() fixes the result whatever the threads. */
#include "smoteguard.h"
#include <limits.h>

/* SMOTE draws for one class.  neighbors: p x k integer matrix of 1-based
 * within-class neighbour indices.  Parents cycle through one random
 * permutation of the p rows, so each is used floor or ceiling of
 * n_new / p times; each synthetic row then draws one of its parent's k
 * neighbours and a gap, both uniform.  Returns list(parent, neighbor, gap)
 * with 1-based within-class indices. */
SEXP ffi_smote_draw(SEXP neighbors, SEXP n_new) {
  int nprot = 0;
  if (!Rf_isInteger(neighbors) || !Rf_isMatrix(neighbors))
    Rf_error("`neighbors` must be an integer matrix.");
  int p = Rf_nrows(neighbors), k = Rf_ncols(neighbors);
  if (p < 1 || k < 1)
    Rf_error("`neighbors` must have at least one row and one column.");
  const int *nn = INTEGER_RO(neighbors);
  for (R_xlen_t i = 0; i < (R_xlen_t) p * k; i++)
    if (nn[i] < 1 || nn[i] > p)
      Rf_error("`neighbors` holds an index outside 1..%d.", p);
  double g = sg_num_scalar(n_new, "n_new");
  if (!(g >= 0) || g > R_XLEN_T_MAX || g != floor(g))
    Rf_error("`n_new` must be a non-negative whole number.");
  R_xlen_t G = (R_xlen_t) g;

  SEXP parent = PROTECT(Rf_allocVector(INTSXP, G)); nprot++;
  SEXP neighbor = PROTECT(Rf_allocVector(INTSXP, G)); nprot++;
  SEXP gap = PROTECT(Rf_allocVector(REALSXP, G)); nprot++;
  int *pa = INTEGER(parent), *ne = INTEGER(neighbor);
  double *ga = REAL(gap);

  int *perm = (int *) R_alloc(p, sizeof(int));
  for (int i = 0; i < p; i++) perm[i] = i;
  GetRNGstate();
  /* Fisher-Yates with R's unbiased index draw. */
  for (int i = p - 1; i > 0; i--) {
    int j = (int) R_unif_index((double) i + 1);
    int tmp = perm[i]; perm[i] = perm[j]; perm[j] = tmp;
  }
  for (R_xlen_t s = 0; s < G; s++) {
    int par = perm[s % p];
    int c = (int) R_unif_index((double) k);
    pa[s] = par + 1;
    ne[s] = nn[par + (R_xlen_t) c * p];
    ga[s] = unif_rand();
  }
  PutRNGstate();

  SEXP out = PROTECT(Rf_allocVector(VECSXP, 3)); nprot++;
  SET_VECTOR_ELT(out, 0, parent);
  SET_VECTOR_ELT(out, 1, neighbor);
  SET_VECTOR_ELT(out, 2, gap);
  SEXP names = PROTECT(Rf_allocVector(STRSXP, 3)); nprot++;
  SET_STRING_ELT(names, 0, Rf_mkChar("parent"));
  SET_STRING_ELT(names, 1, Rf_mkChar("neighbor"));
  SET_STRING_ELT(names, 2, Rf_mkChar("gap"));
  Rf_setAttrib(out, R_NamesSymbol, names);
  UNPROTECT(nprot);
  return out;
}

/* New rows on the original scale: x[parent] + gap * (x[neighbor] -
 * x[parent]) for each column of the n x d double matrix x.  A missing
 * neighbour or gap (a copy) gives the parent's values; a value missing in
 * one of the two rows is taken from the other; missing in both stays NA. */
SEXP ffi_interpolate(SEXP x, SEXP parent, SEXP neighbor, SEXP gap) {
  int nprot = 0;
  if (!Rf_isReal(x) || !Rf_isMatrix(x))
    Rf_error("`x` must be a double matrix.");
  if (!Rf_isInteger(parent) || !Rf_isInteger(neighbor) || !Rf_isReal(gap))
    Rf_error("`parent` and `neighbor` must be integer, `gap` double.");
  R_xlen_t G = XLENGTH(parent);
  if (XLENGTH(neighbor) != G || XLENGTH(gap) != G)
    Rf_error("`parent`, `neighbor` and `gap` must have the same length.");
  R_xlen_t n = Rf_nrows(x);
  int d = Rf_ncols(x);
  if (G > INT_MAX) Rf_error("Too many rows requested.");
  const int *pa = INTEGER_RO(parent), *ne = INTEGER_RO(neighbor);
  const double *ga = REAL_RO(gap);
  for (R_xlen_t s = 0; s < G; s++) {
    if (pa[s] == NA_INTEGER || pa[s] < 1 || pa[s] > n)
      Rf_error("`parent` holds an index outside 1..%d.", (int) n);
    if (ne[s] != NA_INTEGER && (ne[s] < 1 || ne[s] > n))
      Rf_error("`neighbor` holds an index outside 1..%d.", (int) n);
  }
  const double *xv = REAL_RO(x);
  SEXP out = PROTECT(Rf_allocMatrix(REALSXP, (int) G, d)); nprot++;
  double *ov = REAL(out);
  for (int j = 0; j < d; j++) {
    const double *col = xv + (R_xlen_t) j * n;
    double *oc = ov + (R_xlen_t) j * G;
    for (R_xlen_t s = 0; s < G; s++) {
      double a = col[pa[s] - 1];
      if (ne[s] == NA_INTEGER || ISNAN(ga[s])) {
        oc[s] = a;
        continue;
      }
      double b = col[ne[s] - 1];
      if (ISNAN(a)) oc[s] = b;
      else if (ISNAN(b)) oc[s] = a;
      else oc[s] = a + ga[s] * (b - a);
    }
  }
  UNPROTECT(nprot);
  return out;
}
