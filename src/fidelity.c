/* The fidelity check of every sg_oversample() call (R/fidelity.R), for all
 * classes in one call: per class that received synthetic rows and per
 * predictor, the synthetic rows against the class's real rows.
 *
 * Numeric predictors: the real and synthetic rows' mean and sd (those of
 * mean() and sd() with na.rm = TRUE: sg_mean_sd()), the shift of the
 * synthetic mean in class sd, its standard error under random parent choice
 * (1 / sqrt(n_synthetic)) and the two-sample KS statistic (each side's
 * values gathered and sorted once, sg_sort_values(), then one walk).  Nominal
 * predictors: the total variation distance of the value shares.  Missing
 * values are left out of every number, as R's na.rm and tabulate() do.
 *
 * The rows of each class are found once, by a counting sort of the class
 * codes, in increasing row order: the same order as which(y == class), so
 * every sum is taken in the same order as the plain-R check and the numbers
 * are the same bits. */
#include "smoteguard.h"
#include <string.h>

typedef struct {
  const double *x;         /* n x d real numeric predictors */
  const int *codes;        /* n x q real nominal codes (1..L; others skipped) */
  const int *y;            /* n class codes, 1..K or NA */
  R_xlen_t n;
  const double *values;    /* m x d synthetic numeric predictors */
  const int *syn_codes;    /* m x q synthetic nominal codes */
  const int *syn_class;    /* m class codes, 1..K */
  R_xlen_t m;
  int d, q, K;
  const int *n_levels;     /* q level counts */
} sg_fidelity_data;

/* The table, one row per (class with synthetic rows, predictor): for each
 * such class its numeric predictors, then its nominal ones. */
typedef struct {
  int *cls, *n_real, *n_syn;
  double *shift, *ks, *tv, *se;
} sg_fidelity_table;

/* Rows with class c (1..K) are order[start[c - 1] .. start[c]), in
 * increasing order; rows whose code is NA are in no class. */
static void sg_rows_by_class(const int *cls, R_xlen_t n, int K,
                             R_xlen_t *start, int *order) {
  for (int c = 0; c <= K; c++) start[c] = 0;
  for (R_xlen_t i = 0; i < n; i++)
    if (cls[i] != NA_INTEGER) start[cls[i]]++;
  for (int c = 1; c <= K; c++) start[c] += start[c - 1];
  R_xlen_t *next = (R_xlen_t *) R_alloc(K + 1, sizeof(R_xlen_t));
  for (int c = 1; c <= K; c++) next[c] = start[c - 1];
  for (R_xlen_t i = 0; i < n; i++)
    if (cls[i] != NA_INTEGER) order[next[cls[i]]++] = (int) i;
}

/* One class with synthetic rows: its real rows (mr, increasing), its
 * synthetic rows (ms, increasing) and the table row of its first predictor. */
typedef struct {
  const int *real, *syn;
  R_xlen_t mr, ms, at;
} sg_fidelity_class;

/* One thread's scratch for numeric columns: one column's values of each
 * side, and the sort's (for the larger side). */
typedef struct {
  double *a, *b;
  const sg_sort_work *sort;
} sg_fidelity_scratch;

/* Numeric column j of one class, written to table row cl->at + j. Each
 * side's values are gathered once, in row order: their mean and sd
 * (sg_mean_sd() over the gathered values: the same sums in the same order
 * as over the rows), then sorted in place for the KS walk. */
static void sg_fidelity_numeric(const sg_fidelity_data *in, const sg_fidelity_class *cl,
                                int j, sg_fidelity_scratch *w, sg_fidelity_table *t) {
  R_xlen_t r = cl->at + j;
  R_xlen_t na = sg_gather_values(in->x + (R_xlen_t) j * in->n, cl->real, cl->mr, w->a);
  R_xlen_t nb = sg_gather_values(in->values + (R_xlen_t) j * in->m, cl->syn, cl->ms, w->b);
  double mean_r, sd_r, mean_s, sd_s;
  sg_mean_sd(w->a, na, &mean_r, &sd_r);
  sg_mean_sd(w->b, nb, &mean_s, &sd_s);
  double n_syn = (double) nb;
  double shift = R_FINITE(sd_r) && sd_r > 0 ? (mean_s - mean_r) / sd_r : NA_REAL;
  double se = 1.0 / sqrt(n_syn);
  t->n_real[r] = (int) na;
  t->n_syn[r] = (int) n_syn;
  t->shift[r] = R_FINITE(shift) ? shift : NA_REAL;
  t->se[r] = R_FINITE(se) ? se : NA_REAL;
  t->tv[r] = NA_REAL;
  sg_sort_values(w->a, na, w->sort);
  sg_sort_values(w->b, nb, w->sort);
  t->ks[r] = na == 0 || nb == 0 ? NA_REAL : sg_ks_values(w->a, na, w->b, nb);
}

/* Every class's numeric columns, the (class, column) pairs shared among
 * nth threads, each with its own scratch (allocated here, before the
 * threads start: R_alloc is not for them). Each pair writes its own table
 * row only, so the table is the same for any thread count. */
static void sg_fidelity_numerics(const sg_fidelity_data *in, const sg_fidelity_class *cls,
                                 int done, R_xlen_t big_r, R_xlen_t big_s, int nth,
                                 sg_fidelity_table *t) {
  int d = in->d;
  R_xlen_t pairs = (R_xlen_t) done * d;
  if (pairs == 0) return;
  if (nth > pairs) nth = (int) pairs;
  R_xlen_t big = big_r > big_s ? big_r : big_s;
  double *a = (double *) R_alloc((size_t) big_r * (size_t) nth, sizeof(double));
  double *b = (double *) R_alloc((size_t) big_s * (size_t) nth, sizeof(double));
  const sg_sort_work *sw = sg_sort_scratch(big, nth);
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
  for (R_xlen_t p = 0; p < pairs; p++) {
    int th = omp_get_thread_num();
    sg_fidelity_scratch w = {a + (R_xlen_t) th * big_r, b + (R_xlen_t) th * big_s, sw + th};
    sg_fidelity_numeric(in, cls + p / d, (int) (p % d), &w, t);
  }
}

/* Nominal columns of one class: the value shares of codes 1..L on each
 * side (as tabulate(): other codes and NA left out) and their total
 * variation, summed in long double as R's sum() does. */
static void sg_fidelity_nominal(const sg_fidelity_data *in, const sg_fidelity_class *cl,
                                double *ca, double *cb, sg_fidelity_table *t) {
  for (int j = 0; j < in->q; j++) {
    int L = in->n_levels[j];
    const int *cr = in->codes + (R_xlen_t) j * in->n;
    const int *cs = in->syn_codes + (R_xlen_t) j * in->m;
    for (int l = 0; l < L; l++) ca[l] = cb[l] = 0.0;
    double nr = 0.0, ns = 0.0;
    for (R_xlen_t i = 0; i < cl->mr; i++) {
      int v = cr[cl->real[i]];
      if (v >= 1 && v <= L) { ca[v - 1]++; nr++; } /* false for NA */
    }
    for (R_xlen_t i = 0; i < cl->ms; i++) {
      int v = cs[cl->syn[i]];
      if (v >= 1 && v <= L) { cb[v - 1]++; ns++; }
    }
    double tv = NA_REAL;
    if (nr > 0 && ns > 0) {
      long double s = 0;
      for (int l = 0; l < L; l++) s += fabs(ca[l] / nr - cb[l] / ns);
      tv = (double) s / 2;
    }
    R_xlen_t r = cl->at + in->d + j;
    t->n_real[r] = (int) nr;
    t->n_syn[r] = (int) ns;
    t->shift[r] = t->ks[r] = t->se[r] = NA_REAL;
    t->tv[r] = tv;
  }
}

/* The whole table: the rows of each class found once; each class with
 * synthetic rows, in increasing code, gets d + q table rows; its numeric
 * columns are shared among the threads (the work of one pair is sorting
 * its values), its nominal ones counted here. Scratch from R_alloc. */
static void sg_fidelity_worker(const sg_fidelity_data *in, int done, int threads,
                               sg_fidelity_table *t) {
  int K = in->K, d = in->d, q = in->q;
  R_xlen_t *rstart = (R_xlen_t *) R_alloc(K + 1, sizeof(R_xlen_t));
  R_xlen_t *sstart = (R_xlen_t *) R_alloc(K + 1, sizeof(R_xlen_t));
  int *rorder = (int *) R_alloc(in->n > 0 ? in->n : 1, sizeof(int));
  int *sorder = (int *) R_alloc(in->m > 0 ? in->m : 1, sizeof(int));
  sg_rows_by_class(in->y, in->n, K, rstart, rorder);
  sg_rows_by_class(in->syn_class, in->m, K, sstart, sorder);
  sg_fidelity_class *cls =
    (sg_fidelity_class *) R_alloc(done > 0 ? done : 1, sizeof(sg_fidelity_class));
  /* the largest class on each side sizes the value buffers */
  R_xlen_t big_r = 1, big_s = 1, at = 0;
  int k = 0;
  for (int c = 1; c <= K; c++) {
    R_xlen_t ms = sstart[c] - sstart[c - 1], mr = rstart[c] - rstart[c - 1];
    if (ms == 0) continue;
    cls[k] = (sg_fidelity_class) {rorder + rstart[c - 1], sorder + sstart[c - 1], mr, ms, at};
    for (int j = 0; j < d + q; j++) t->cls[at + j] = c;
    if (mr > big_r) big_r = mr;
    if (ms > big_s) big_s = ms;
    at += d + q;
    k++;
  }
  if (d > 0) {
    /* work: about ten steps a value sorted */
    int nth = sg_threads_for(threads, 10.0 * (double) (in->n + in->m) * (double) d);
    sg_fidelity_numerics(in, cls, done, big_r, big_s, nth, t);
  }
  if (q > 0) {
    int max_l = 1;
    for (int j = 0; j < q; j++) if (in->n_levels[j] > max_l) max_l = in->n_levels[j];
    double *ca = (double *) R_alloc(max_l, sizeof(double));
    double *cb = (double *) R_alloc(max_l, sizeof(double));
    for (int i = 0; i < done; i++) sg_fidelity_nominal(in, cls + i, ca, cb, t);
  }
}

/* Class codes: an integer vector of length n, each 1..K (NA where
 * `na_ok`); returns how many classes occur. */
static int sg_class_codes_arg(SEXP cls, R_xlen_t n, int K, int na_ok,
                              const char *what) {
  if (!Rf_isInteger(cls) || Rf_isFactor(cls) || XLENGTH(cls) != n)
    Rf_error("`%s` must be an integer vector, one code per row.", what);
  const int *v = INTEGER_RO(cls);
  int *seen = (int *) R_alloc(K + 1, sizeof(int));
  memset(seen, 0, (size_t) (K + 1) * sizeof(int));
  int found = 0;
  for (R_xlen_t i = 0; i < n; i++) {
    if (v[i] == NA_INTEGER && na_ok) continue;
    if (v[i] == NA_INTEGER || v[i] < 1 || v[i] > K)
      Rf_error("`%s` must hold class codes from 1 to %d.", what, K);
    if (!seen[v[i]]) { seen[v[i]] = 1; found++; }
  }
  return found;
}

/* A nominal code matrix with `rows` rows and q columns (q < 0: any),
 * NULL for none; returns its columns. */
static int sg_codes_arg(SEXP codes, R_xlen_t rows, int q, const char *what) {
  if (Rf_isNull(codes)) {
    if (q > 0) Rf_error("`%s` must be an integer matrix with %d columns.", what, q);
    return 0;
  }
  if (!Rf_isInteger(codes) || !Rf_isMatrix(codes) || Rf_nrows(codes) != rows ||
      (q >= 0 && Rf_ncols(codes) != q))
    Rf_error("`%s` must be NULL or an integer matrix, one row per row.", what);
  return Rf_ncols(codes);
}

/* ffi_fidelity_check(x, y, syn_class, values, codes, syn_codes, n_levels,
 * n_classes, threads): x the real numeric predictors (n x d doubles), y their class
 * codes (1..n_classes, NA: no class), syn_class and values the synthetic
 * rows' codes and numeric predictors (m x d), codes and syn_codes the
 * nominal predictors (n x q, m x q integers, or NULL for none), n_levels
 * their level counts, threads the count asked for (NA: the default;
 * sg_threads_for() decides).  A list of the table's columns (class, n_real,
 * n_synthetic, shift, ks, tv, se_shift), one row per class with synthetic
 * rows and predictor. */
SEXP ffi_fidelity_check(SEXP x, SEXP y, SEXP syn_class, SEXP values,
                        SEXP codes, SEXP syn_codes, SEXP n_levels,
                        SEXP n_classes, SEXP threads) {
  int nprot = 0;
  sg_fidelity_data in;
  in.K = sg_int_scalar(n_classes, "n_classes");
  if (in.K == NA_INTEGER || in.K < 1) Rf_error("`n_classes` must be at least 1.");
  int req = sg_int_scalar(threads, "threads");
  sg_check_double_matrix(x, "x");
  sg_check_double_matrix(values, "values");
  in.n = Rf_nrows(x);
  in.m = Rf_nrows(values);
  in.d = Rf_ncols(x);
  if (Rf_ncols(values) != in.d) Rf_error("`values` must have as many columns as `x`.");
  sg_class_codes_arg(y, in.n, in.K, 1, "y");
  int done = sg_class_codes_arg(syn_class, in.m, in.K, 0, "syn_class");
  in.q = sg_codes_arg(codes, in.n, -1, "codes");
  sg_codes_arg(syn_codes, in.m, in.q, "syn_codes");
  if (!Rf_isInteger(n_levels) || XLENGTH(n_levels) != in.q)
    Rf_error("`n_levels` must be an integer vector, one count per nominal column.");
  for (int j = 0; j < in.q; j++)
    if (INTEGER_RO(n_levels)[j] == NA_INTEGER || INTEGER_RO(n_levels)[j] < 0)
      Rf_error("`n_levels` must hold counts of levels (0 or more).");
  in.x = REAL_RO(x);
  in.values = REAL_RO(values);
  in.y = INTEGER_RO(y);
  in.syn_class = INTEGER_RO(syn_class);
  in.codes = in.q > 0 ? INTEGER_RO(codes) : NULL;
  in.syn_codes = in.q > 0 ? INTEGER_RO(syn_codes) : NULL;
  in.n_levels = INTEGER_RO(n_levels);

  R_xlen_t rows = (R_xlen_t) done * (in.d + in.q);
  const char *names[] = {"class", "n_real", "n_synthetic", "shift", "ks", "tv",
                         "se_shift"};
  SEXP cols[7];
  for (int i = 0; i < 7; i++) {
    cols[i] = PROTECT(Rf_allocVector(i < 3 ? INTSXP : REALSXP, rows)); nprot++;
  }
  sg_fidelity_table t = {INTEGER(cols[0]), INTEGER(cols[1]), INTEGER(cols[2]),
                         REAL(cols[3]), REAL(cols[4]), REAL(cols[5]), REAL(cols[6])};
  sg_fidelity_worker(&in, done, req, &t);
  SEXP out = PROTECT(sg_named_list(7, cols, names)); nprot++;
  UNPROTECT(nprot);
  return out;
}
