/* The rounds of generation, every class of a call in one pass: the one
 * implementation of generate.R's pipeline after the class preamble.  Per
 * class, per round: draw (SMOTE's draw in turns here, a method's own draw
 * through its R hook), make (interpolation here, or the method's hook),
 * nominal values, the method's finish hook, the guard's jitter, rounding,
 * the constraints (bounds and combinations here, `rules` through R), the
 * intrusion check (local here, exact through R), then the kept rows are
 * written into the stacked result.  Random numbers are drawn in the order
 * of the R loop this replaced: class by class, round by round, step by
 * step, each step holding R's RNG state only while it draws, so that an R
 * hook between two steps draws from the same stream. */
#include "smoteguard.h"
#include <float.h>
#include <limits.h>

/* Which columns are rounded: whole numbers (0-based), ordered ranks and
 * their tops. */
typedef struct {
  const int *whole; int nwhole;
  const int *ord, *top; int nord;
} sg_rounding;

/* A class's combinations: the columns of the codes (0-based) and the
 * tuples seen among its real rows (nseen x nc, row-major, sorted); seen
 * is NULL without combinations. */
typedef struct {
  const int *ccols; int nc;
  int *seen; int nseen;
} sg_combos;

/* What every class of the call shares. */
typedef struct {
  const double *x; R_xlen_t n; int d;   /* n x d numeric predictors */
  const int *codes; int dc;             /* n x dc nominal codes */
  const double *cen, *sca;              /* standardisation (length d) */
  const int *yi, *pos;                  /* per data row: class, row in class */
  int vote;                             /* nominal values: 0 draw, 1 vote */
  sg_rounding rnd;                      /* the columns rounded */
  int m;                                /* the intrusion check's neighbours */
  int req;                              /* threads requested */
  const double *zr; const int *zcols; int dz;  /* standardised rows */
} sg_rounds_data;

/* One class: its rows, parents, pairs, neighbourhoods, plan and hooks. */
typedef struct {
  int cl; const int *rows; int p;
  const int *within; int kw;            /* p x kw: every row's pairs (NA holes) */
  const int *seeds;                     /* p: the method's seeds (NULL: all) */
  int *at; int na;                      /* parents: 1-based positions in rows */
  int *wa; int k;                       /* na x k: the parents' candidates */
  const double *spacing;                /* p, for the jitter */
  const int *whole; int mw;             /* p x mw: nearest rows of the data */
  R_xlen_t G; double jitter, intrusion; int rounds;
  double min_safety; int mg, boundary;  /* the guard's seed safety (NA: none) */
  const double *lo, *hi;                /* bounds, or NULL */
  sg_combos cmb;                        /* the combinations seen */
  int constrained, interpolating, stop_short, same_parent, local;
  SEXP draw, make, finish, rules, exact;
} sg_rounds_class;

/* One round's candidates. */
typedef struct {
  R_xlen_t m;
  int *ppos;      /* 0-based position among the parents (`at`) */
  int *pa, *ne;   /* data rows; neighbour NA for a copy */
  double *ga, *v; /* gaps; m x d values (leading dimension ld) */
  int *cd;        /* m x dc codes (leading dimension ld) */
  R_xlen_t ld;    /* v and cd are the stacked result's rows from its first
                   * free one: kept rows are moved up in place */
  int *reason;    /* 0 kept, 1 intrusion, 2 bound, 3 rule, 4 combination */
} sg_batch;

/* The stacked result, grown if a method's draw gives more than asked. */
typedef struct {
  SEXP buf;       /* list(class, parent, neighbor, gap, values, codes) */
  R_xlen_t cap, used;
  int d, dc;
} sg_stack;

/* ---- calling R --------------------------------------------------------- */

/* The element `name` of a list (R_NilValue if none). */
static SEXP sg_list_get(SEXP list, const char *name) {
  SEXP nms = Rf_getAttrib(list, R_NamesSymbol);
  for (R_xlen_t i = 0; i < XLENGTH(list); i++)
    if (!Rf_isNull(nms) && strcmp(CHAR(STRING_ELT(nms, i)), name) == 0)
      return VECTOR_ELT(list, i);
  return R_NilValue;
}

/* f(args...) evaluated: a hook's closure with up to four values. */
static SEXP sg_hook(SEXP f, int nargs, SEXP a, SEXP b, SEXP c, SEXP d) {
  SEXP call;
  switch (nargs) {
  case 1: call = PROTECT(Rf_lang2(f, a)); break;
  case 2: call = PROTECT(Rf_lang3(f, a, b)); break;
  case 3: call = PROTECT(Rf_lang4(f, a, b, c)); break;
  default: call = PROTECT(Rf_lang5(f, a, b, c, d)); break;
  }
  SEXP out = Rf_eval(call, R_GlobalEnv);
  UNPROTECT(1);
  return out;
}

static SEXP sg_int_vector(const int *v, R_xlen_t m) {
  SEXP out = Rf_allocVector(INTSXP, m);
  if (m > 0) memcpy(INTEGER(out), v, (size_t) m * sizeof(int));
  return out;
}

static SEXP sg_real_vector(const double *v, R_xlen_t m) {
  SEXP out = Rf_allocVector(REALSXP, m);
  if (m > 0) memcpy(REAL(out), v, (size_t) m * sizeof(double));
  return out;
}

/* The rows sel (0-based, ns of them; NULL: the first ns) of the matrix v
 * of leading dimension ld and d columns (double or integer by `real`) as
 * an R matrix. */
static SEXP sg_rows_matrix(const void *v, R_xlen_t ld, int d, const R_xlen_t *sel,
                           R_xlen_t ns, int real) {
  SEXP out = Rf_allocMatrix(real ? REALSXP : INTSXP, (int) ns, d);
  for (int j = 0; j < d; j++)
    for (R_xlen_t s = 0; s < ns; s++) {
      R_xlen_t from = (sel ? sel[s] : s) + (R_xlen_t) j * ld, to = s + (R_xlen_t) j * ns;
      if (real) REAL(out)[to] = ((const double *) v)[from];
      else INTEGER(out)[to] = ((const int *) v)[from];
    }
  return out;
}

/* A hook's answer: a vector of `type` and length m (coerced), copied. */
static void sg_hook_vector(SEXP x, SEXPTYPE type, R_xlen_t m, void *to,
                           const char *what) {
  if (XLENGTH(x) != m)
    Rf_error("A method's hook returned %s of the wrong length.", what);
  if (type == INTSXP && TYPEOF(x) == REALSXP) {
    /* whole numbers (or NA) only: a fraction would be cut silently */
    for (R_xlen_t s = 0; s < m; s++) {
      double v = REAL(x)[s];
      if (!ISNAN(v) && (v != floor(v) || fabs(v) > INT_MAX))
        Rf_error("A method's hook returned %s that are not whole numbers.", what);
    }
  }
  SEXP y = PROTECT(Rf_coerceVector(x, type));
  if (m > 0)
    memcpy(to, type == REALSXP ? (void *) REAL(y) : (void *) INTEGER(y),
           (size_t) m * (type == REALSXP ? sizeof(double) : sizeof(int)));
  UNPROTECT(1);
}

/* A hook's m x d matrix of values into v (leading dimension ld). */
static void sg_hook_matrix(SEXP x, R_xlen_t m, int d, double *v, R_xlen_t ld,
                           const char *what) {
  if (XLENGTH(x) != m * d)
    Rf_error("A method's hook returned %s of the wrong length.", what);
  SEXP y = PROTECT(Rf_coerceVector(x, REALSXP));
  for (int j = 0; j < d; j++)
    if (m > 0) memcpy(v + (R_xlen_t) j * ld, REAL(y) + (R_xlen_t) j * m, (size_t) m * sizeof(double));
  UNPROTECT(1);
}

/* ---- the draw ---------------------------------------------------------- */

/* The draw's arrays (the values and codes are placed in the stack by
 * sg_stack_room()). */
static void sg_batch_alloc(sg_batch *b, R_xlen_t m) {
  size_t mm = m > 0 ? (size_t) m : 1;
  b->m = m;
  b->ppos = (int *) R_alloc(mm, sizeof(int));
  b->pa = (int *) R_alloc(mm, sizeof(int));
  b->ne = (int *) R_alloc(mm, sizeof(int));
  b->ga = (double *) R_alloc(mm, sizeof(double));
  b->v = NULL;
  b->cd = NULL;
  b->reason = (int *) R_alloc(mm, sizeof(int));
  for (R_xlen_t s = 0; s < m; s++) b->reason[s] = 0;
}

/* SMOTE's draw in turns (sg_cycle()) over the parents, or over the
 * parents `redo` (nredo >= 0: rejected candidates drawn again from their
 * own parents, one each). */
static void sg_draw_turns(const sg_rounds_class *C, const int *redo, int nredo,
                          R_xlen_t need, sg_batch *b) {
  int P = nredo >= 0 ? nredo : C->na, k = C->k;
  const int *nn = C->wa;
  if (nredo >= 0) {
    int *sub = (int *) R_alloc((size_t) P * (k > 0 ? k : 1), sizeof(int));
    for (int c = 0; c < k; c++)
      for (int i = 0; i < P; i++)
        sub[i + (R_xlen_t) c * P] = nn[redo[i] + (R_xlen_t) c * C->na];
    nn = sub;
  }
  R_xlen_t G = nredo >= 0 ? nredo : need;
  if (G > INT_MAX) Rf_error("Too many rows requested.");
  int *usable = (int *) R_alloc(P, sizeof(int));
  int none = sg_usable_counts(nn, P, k, usable);
  if (none >= 0) Rf_error("Parent %d has no usable neighbour.", none + 1);
  sg_batch_alloc(b, G);
  int *perm = (int *) R_alloc(P, sizeof(int));
  GetRNGstate();
  sg_cycle(nn, P, k, usable, NULL, 1.0, G, perm, b->ppos, b->ne, b->ga);
  PutRNGstate();
  for (R_xlen_t s = 0; s < G; s++) {
    int at = b->ppos[s] - 1;
    b->ppos[s] = nredo >= 0 ? redo[at] : at;
  }
}

/* A method's own draw: its hook, draw(at, within_at, need), gives
 * list(parent (1-based positions among the parents), neighbor, gap). */
static void sg_draw_hook(const sg_rounds_class *C, const sg_rounds_data *D,
                         R_xlen_t need, sg_batch *b) {
  SEXP at = PROTECT(sg_int_vector(C->at, C->na));
  SEXP wa = PROTECT(Rf_allocMatrix(INTSXP, C->na, C->k));
  if ((R_xlen_t) C->na * C->k > 0)
    memcpy(INTEGER(wa), C->wa, (size_t) C->na * C->k * sizeof(int));
  SEXP nd = PROTECT(Rf_ScalarInteger((int) need));
  SEXP dr = PROTECT(sg_hook(C->draw, 3, at, wa, nd, NULL));
  if (!Rf_isNewList(dr) || Rf_isNull(sg_list_get(dr, "parent")) ||
      Rf_isNull(sg_list_get(dr, "neighbor")) || Rf_isNull(sg_list_get(dr, "gap")))
    Rf_error("A method's draw must return list(parent, neighbor, gap).");
  R_xlen_t m = XLENGTH(sg_list_get(dr, "parent"));
  sg_batch_alloc(b, m);
  sg_hook_vector(sg_list_get(dr, "parent"), INTSXP, m, b->ppos, "parents");
  sg_hook_vector(sg_list_get(dr, "neighbor"), INTSXP, m, b->ne, "neighbours");
  sg_hook_vector(sg_list_get(dr, "gap"), REALSXP, m, b->ga, "gaps");
  for (R_xlen_t s = 0; s < m; s++) {
    if (b->ppos[s] == NA_INTEGER || b->ppos[s] < 1 || b->ppos[s] > C->na)
      Rf_error("A method's draw returned a parent outside its parents.");
    if (b->ne[s] != NA_INTEGER && (b->ne[s] < 1 || b->ne[s] > D->n))
      Rf_error("A method's draw returned a neighbour outside the data.");
    b->ppos[s]--;
  }
  UNPROTECT(4);
}

/* ---- the made rows ----------------------------------------------------- */

/* The rows: interpolated, or by the method's make(parent, draw) hook
 * (values m x d, and the gaps the provenance records). */
static void sg_make_rows(const sg_rounds_class *C, const sg_rounds_data *D,
                         sg_batch *b) {
  R_xlen_t m = b->m;
  for (R_xlen_t s = 0; s < m; s++) b->pa[s] = C->rows[C->at[b->ppos[s]] - 1];
  if (Rf_isNull(C->make)) {
    sg_interpolate_rows(D->x, D->n, D->d, b->pa, b->ne, b->ga, m, b->v, b->ld, D->req);
    return;
  }
  SEXP vals[3], par;
  par = PROTECT(sg_int_vector(b->pa, m));
  vals[0] = PROTECT(sg_int_vector(b->ppos, m));
  for (R_xlen_t s = 0; s < m; s++) INTEGER(vals[0])[s]++;
  vals[1] = PROTECT(sg_int_vector(b->ne, m));
  vals[2] = PROTECT(sg_real_vector(b->ga, m));
  const char *nms[3] = {"parent", "neighbor", "gap"};
  SEXP draw = PROTECT(sg_named_list(3, vals, nms));
  SEXP made = PROTECT(sg_hook(C->make, 2, par, draw, NULL, NULL));
  sg_hook_matrix(sg_list_get(made, "values"), m, D->d, b->v, b->ld, "values");
  sg_hook_vector(sg_list_get(made, "gap"), REALSXP, m, b->ga, "gaps");
  UNPROTECT(6);
}

/* Nominal values: from the parent and its own-class pairs (interpolating
 * classes), else the parent's. */
static void sg_make_codes(const sg_rounds_class *C, const sg_rounds_data *D,
                          sg_batch *b) {
  R_xlen_t m = b->m;
  if (D->dc == 0) return;
  if (!C->interpolating) {
    for (int j = 0; j < D->dc; j++)
      for (R_xlen_t s = 0; s < m; s++)
        b->cd[s + (R_xlen_t) j * b->ld] = D->codes[b->pa[s] - 1 + (R_xlen_t) j * D->n];
    return;
  }
  int nc = 1 + C->kw;
  int *cand = (int *) R_alloc((size_t) (m > 0 ? m : 1) * nc, sizeof(int));
  for (R_xlen_t s = 0; s < m; s++) {
    int row = C->at[b->ppos[s]] - 1;
    cand[s] = b->pa[s];
    for (int c = 0; c < C->kw; c++)
      cand[s + (R_xlen_t) (c + 1) * m] = C->within[row + (R_xlen_t) c * C->p];
  }
  GetRNGstate();
  sg_nominal_values(D->codes, D->n, D->dc, cand, m, nc, D->vote, b->cd, b->ld);
  PutRNGstate();
}

/* Noise (the jitter, SMOGN's noise, the smoothed bootstrap) held to the
 * bounds rather than rejected: the m x d values (column stride ld) kept
 * within lo[j], hi[j]; a missing value stays missing (NA). */
static void sg_hold_to_bounds(double *vals, R_xlen_t m, R_xlen_t ld, int d,
                              const double *lo, const double *hi) {
  if (lo == NULL) return;
  for (int j = 0; j < d; j++) {
    double *v = vals + (R_xlen_t) j * ld;
    for (R_xlen_t s = 0; s < m; s++) {
      if (ISNAN(v[s])) { v[s] = NA_REAL; continue; }
      if (v[s] < lo[j]) v[s] = lo[j];
      if (v[s] > hi[j]) v[s] = hi[j];
    }
  }
}

/* The guard's jitter: Gaussian noise of sd jitter * spacing / sqrt(d') *
 * scale per value (d' the columns of positive scale; a non-finite sd is
 * 0), then held to the bounds. */
static void sg_jitter(const sg_rounds_class *C, const sg_rounds_data *D,
                      sg_batch *b) {
  R_xlen_t m = b->m;
  int d = D->d, keep = 0;
  if (d == 0) return;
  for (int j = 0; j < d; j++) keep += D->sca[j] > 0;
  double root = sqrt((double) (keep > 1 ? keep : 1));
  double *sd = (double *) R_alloc((size_t) (m > 0 ? m : 1) * d, sizeof(double));
  for (int j = 0; j < d; j++)
    for (R_xlen_t s = 0; s < m; s++) {
      double sp = C->spacing[C->at[b->ppos[s]] - 1];
      double v = C->jitter * sp / root * D->sca[j];
      sd[s + (R_xlen_t) j * m] = R_FINITE(v) ? v : 0;
    }
  GetRNGstate();
  for (int j = 0; j < d; j++)  /* column after column, as R's matrix */
    sg_add_noise(b->v + (R_xlen_t) j * b->ld, sd + (R_xlen_t) j * m, m);
  PutRNGstate();
  sg_hold_to_bounds(b->v, m, b->ld, d, C->lo, C->hi);
}

/* Whole-number columns rounded (half to even, as round()), ordered ranks
 * held to their levels; a missing value stays missing. */
static void sg_round_values(const sg_rounding *r, double *vals, R_xlen_t m, R_xlen_t ld) {
  for (int w = 0; w < r->nwhole; w++) {
    double *v = vals + (R_xlen_t) r->whole[w] * ld;
    for (R_xlen_t s = 0; s < m; s++) if (!ISNAN(v[s])) v[s] = nearbyint(v[s]);
  }
  for (int o = 0; o < r->nord; o++) {
    double *v = vals + (R_xlen_t) r->ord[o] * ld;
    for (R_xlen_t s = 0; s < m; s++) {
      if (ISNAN(v[s])) continue;
      if (v[s] < 1) v[s] = 1;
      if (v[s] > r->top[o]) v[s] = r->top[o];
    }
  }
}

/* ---- the checks -------------------------------------------------------- */

/* The order of two tuples of w codes: by their first code, ties by the
 * next (NA, INT_MIN, first). */
static int sg_tuple_cmp(const int *x, const int *y, int w) {
  for (int j = 0; j < w; j++)
    if (x[j] != y[j]) return x[j] < y[j] ? -1 : 1;
  return 0;
}

/* The n tuples of w codes (row-major in t) sorted in place: a merge sort
 * of their positions (the width travels as an argument, not through a
 * file-level variable as qsort()'s comparator would need). */
static void sg_tuples_sort(int *t, int n, int w) {
  if (n < 2) return;
  int *idx = (int *) R_alloc(n, sizeof(int)), *tmp = (int *) R_alloc(n, sizeof(int));
  for (int i = 0; i < n; i++) idx[i] = i;
  for (int run = 1; run < n; run *= 2) {
    for (int lo = 0; lo < n; lo += 2 * run) {
      int mid = lo + run < n ? lo + run : n, hi = lo + 2 * run < n ? lo + 2 * run : n;
      int a = lo, b = mid, o = lo;
      while (a < mid && b < hi)
        tmp[o++] = sg_tuple_cmp(t + (R_xlen_t) idx[b] * w, t + (R_xlen_t) idx[a] * w, w) < 0
          ? idx[b++] : idx[a++];
      while (a < mid) tmp[o++] = idx[a++];
      while (b < hi) tmp[o++] = idx[b++];
    }
    int *sw = idx; idx = tmp; tmp = sw;
  }
  int *sorted = (int *) R_alloc((size_t) n * w, sizeof(int));
  for (int i = 0; i < n; i++)
    memcpy(sorted + (R_xlen_t) i * w, t + (R_xlen_t) idx[i] * w, (size_t) w * sizeof(int));
  memcpy(t, sorted, (size_t) n * w * sizeof(int));
}

/* Whether the tuple `key` is among the n sorted tuples of w codes. */
static int sg_tuple_seen(const int *seen, int n, int w, const int *key) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2, c = sg_tuple_cmp(seen + (R_xlen_t) mid * w, key, w);
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return 0;
}

/* Combinations: each of the m candidates still kept (reason 0) whose
 * codes (column stride ld) in the combination columns are not among the
 * tuples seen gets reason `code`. */
static void sg_check_combos(const sg_combos *K, const int *cd, R_xlen_t m, R_xlen_t ld,
                            int *reason, int code) {
  int *key = (int *) R_alloc(K->nc, sizeof(int));
  for (R_xlen_t s = 0; s < m; s++) {
    if (reason[s] != 0) continue;
    for (int j = 0; j < K->nc; j++) key[j] = cd[s + (R_xlen_t) K->ccols[j] * ld];
    if (!sg_tuple_seen(K->seen, K->nseen, K->nc, key)) reason[s] = code;
  }
}

/* The candidates still kept (reason 0), 0-based, into sel; their count. */
static R_xlen_t sg_kept(const sg_batch *b, R_xlen_t *sel) {
  R_xlen_t ns = 0;
  for (R_xlen_t s = 0; s < b->m; s++) if (b->reason[s] == 0) sel[ns++] = s;
  return ns;
}

/* A hook f(values, codes, parents) called on the candidates sel (ns of
 * them): their rows of the batch as R matrices and their parents (data
 * rows); the rules' check and the exact intrusion search take the same. */
static SEXP sg_hook_rows(SEXP f, const sg_rounds_data *D, const sg_batch *b,
                         const R_xlen_t *sel, R_xlen_t ns) {
  SEXP v = PROTECT(sg_rows_matrix(b->v, b->ld, D->d, sel, ns, 1));
  SEXP cd = PROTECT(sg_rows_matrix(b->cd, b->ld, D->dc, sel, ns, 0));
  SEXP par = PROTECT(Rf_allocVector(INTSXP, ns));
  for (R_xlen_t s = 0; s < ns; s++) INTEGER(par)[s] = b->pa[sel[s]];
  SEXP out = sg_hook(f, 3, v, cd, par, NULL);
  UNPROTECT(3);
  return out;
}

/* The rules' check of the kept candidates: the class's hook
 * rules(values, codes, parents) gives TRUE for a candidate that breaks a
 * rule (reason 3). */
static void sg_check_rules(const sg_rounds_class *C, const sg_rounds_data *D,
                           sg_batch *b, R_xlen_t *sel) {
  R_xlen_t ns = sg_kept(b, sel);
  if (ns == 0) return;
  SEXP bad = PROTECT(sg_hook_rows(C->rules, D, b, sel, ns));
  if (!Rf_isLogical(bad) || XLENGTH(bad) != ns)
    Rf_error("The rules' check must return one logical per candidate.");
  for (R_xlen_t s = 0; s < ns; s++) if (LOGICAL(bad)[s]) b->reason[sel[s]] = 3;
  UNPROTECT(1);
}

/* The exact intrusion shares of the candidates sel (ns of them) through
 * the class's hook exact(values, codes, parents). */
static void sg_exact_shares(const sg_rounds_class *C, const sg_rounds_data *D,
                            const sg_batch *b, const R_xlen_t *sel, R_xlen_t ns,
                            double *share) {
  SEXP out = PROTECT(sg_hook_rows(C->exact, D, b, sel, ns));
  sg_hook_vector(out, REALSXP, ns, share, "shares");
  UNPROTECT(1);
}

/* Whether row s of the batch has an infinite value (an interpolation
 * between values of opposite sign near the largest double overflows). */
static int sg_row_infinite(const sg_batch *b, R_xlen_t s, int d) {
  for (int j = 0; j < d; j++)
    if (fabs(b->v[s + (R_xlen_t) j * b->ld]) > DBL_MAX) return 1;
  return 0;
}

/* The intrusion shares of the kept candidates sel (ns): the local search
 * here for a candidate between two rows of the class (it reads both rows'
 * neighbourhoods), the exact one through the class's hook otherwise (a
 * local check the class does not take; Borderline-2's step towards a row
 * of another class).  A candidate with an infinite value has no distance
 * to any row: it gets share 1 (rejected, as no row can be shown to lie
 * among its class) and goes to neither search. */
static void sg_intrusion_shares(const sg_rounds_class *C, const sg_rounds_data *D,
                                const sg_batch *b, const R_xlen_t *sel, R_xlen_t ns,
                                double *share) {
  R_xlen_t *loc = (R_xlen_t *) R_alloc(ns, sizeof(R_xlen_t));
  R_xlen_t *far = (R_xlen_t *) R_alloc(ns, sizeof(R_xlen_t));
  R_xlen_t *at_loc = (R_xlen_t *) R_alloc(ns, sizeof(R_xlen_t));
  R_xlen_t *at_far = (R_xlen_t *) R_alloc(ns, sizeof(R_xlen_t));
  R_xlen_t nl = 0, nf = 0;
  for (R_xlen_t s = 0; s < ns; s++) {
    int ne = b->ne[sel[s]];
    if (sg_row_infinite(b, sel[s], D->d)) {
      share[s] = 1;
    } else if (C->local && (ne == NA_INTEGER || D->yi[ne - 1] == C->cl)) {
      at_loc[nl] = s;
      loc[nl++] = sel[s];
    } else {
      at_far[nf] = s;
      far[nf++] = sel[s];
    }
  }
  double *sh = (double *) R_alloc(ns, sizeof(double));
  if (nl > 0) {
    int *pa = (int *) R_alloc(nl, sizeof(int)), *ne = (int *) R_alloc(nl, sizeof(int));
    for (R_xlen_t s = 0; s < nl; s++) {
      pa[s] = b->pa[loc[s]];
      ne[s] = b->ne[loc[s]];
    }
    sg_local_rows lr = {pa, ne, C->whole, D->pos, D->yi, D->n, C->p, D->m, C->cl};
    int nth = sg_local_threads(D->req, nl, D->m, D->dz, D->n);
    sg_local_shares(&lr, D->zr, D->dz, D->zcols, D->cen, D->sca, b->v, b->ld, loc,
                    nl, sh, nth);
    for (R_xlen_t s = 0; s < nl; s++) share[at_loc[s]] = sh[s];
  }
  if (nf > 0) {
    sg_exact_shares(C, D, b, far, nf, sh);
    for (R_xlen_t s = 0; s < nf; s++) share[at_far[s]] = sh[s];
  }
}

/* The constraints' checks (b->reason): bounds (2), then combinations (4)
 * and rules (3) on the candidates still kept.  sel: scratch for m. */
static void sg_check_constraints(const sg_rounds_class *C, const sg_rounds_data *D,
                                 sg_batch *b, R_xlen_t *sel) {
  R_xlen_t m = b->m;
  if (C->lo != NULL) {
    int *out = (int *) R_alloc(m > 0 ? m : 1, sizeof(int));
    for (int j = 0; j < D->d; j++) {
      sg_rows_outside(b->v + (R_xlen_t) j * b->ld, m, 1, C->lo + j, C->hi + j, out);
      for (R_xlen_t s = 0; s < m; s++) b->reason[s] |= out[s];
    }
    for (R_xlen_t s = 0; s < m; s++) b->reason[s] = b->reason[s] ? 2 : 0;
  }
  if (C->cmb.seen != NULL) sg_check_combos(&C->cmb, b->cd, m, b->ld, b->reason, 4);
  if (!Rf_isNull(C->rules)) sg_check_rules(C, D, b, sel);
}

/* Why each candidate fails (b->reason): bounds, combinations, rules, then
 * the intrusion check on those that pass them. */
static void sg_check_candidates(const sg_rounds_class *C, const sg_rounds_data *D,
                                sg_batch *b) {
  R_xlen_t m = b->m;
  R_xlen_t *sel = (R_xlen_t *) R_alloc(m > 0 ? m : 1, sizeof(R_xlen_t));
  if (C->constrained) sg_check_constraints(C, D, b, sel);
  if (ISNAN(C->intrusion)) return;
  R_xlen_t ns = sg_kept(b, sel);
  if (ns == 0) return;
  double *share = (double *) R_alloc(ns, sizeof(double));
  sg_intrusion_shares(C, D, b, sel, ns, share);
  for (R_xlen_t s = 0; s < ns; s++) if (share[s] > C->intrusion) b->reason[sel[s]] = 1;
}

/* ---- the stacked result ------------------------------------------------ */

static void sg_stack_alloc(sg_stack *st, R_xlen_t cap, int d, int dc) {
  SEXP vals[6];
  vals[0] = PROTECT(Rf_allocVector(INTSXP, cap));
  vals[1] = PROTECT(Rf_allocVector(INTSXP, cap));
  vals[2] = PROTECT(Rf_allocVector(INTSXP, cap));
  vals[3] = PROTECT(Rf_allocVector(REALSXP, cap));
  vals[4] = PROTECT(Rf_allocMatrix(REALSXP, (int) cap, d));
  vals[5] = PROTECT(Rf_allocMatrix(INTSXP, (int) cap, dc));
  /* the result's rows are written here: fresh memory (sg_fresh_buffer()) */
  for (int e = 0; e < 6; e++) sg_fresh_vector(vals[e]);
  const char *nms[6] = {"class", "parent", "neighbor", "gap", "values", "codes"};
  st->buf = sg_named_list(6, vals, nms);
  UNPROTECT(6);
  st->cap = cap;
  st->d = d;
  st->dc = dc;
}

/* The first `keep` rows of the stack's buffers into a new stack of `cap`
 * rows (growing, or trimming to what was made). */
static SEXP sg_stack_resize(const sg_stack *st, R_xlen_t cap) {
  sg_stack nw;
  R_xlen_t used = st->used;
  sg_stack_alloc(&nw, cap, st->d, st->dc);
  PROTECT(nw.buf);
  for (int e = 0; e < 6; e++) {
    SEXP from = VECTOR_ELT(st->buf, e), to = VECTOR_ELT(nw.buf, e);
    int width = e == 4 ? st->d : e == 5 ? st->dc : 1;
    int real = TYPEOF(from) == REALSXP;
    size_t size = real ? sizeof(double) : sizeof(int);
    char *fb = real ? (char *) REAL(from) : (char *) INTEGER(from);
    char *tb = real ? (char *) REAL(to) : (char *) INTEGER(to);
    for (int j = 0; j < width; j++)
      if (used > 0)
        memcpy(tb + (size_t) j * cap * size, fb + (size_t) j * st->cap * size,
               (size_t) used * size);
  }
  UNPROTECT(1);
  return nw.buf;
}

/* Room in the stack (buf held at index ipx) for the m candidates of a
 * round, which are made in place: b->v and b->cd point at its first free
 * row. */
static void sg_stack_room(sg_stack *st, PROTECT_INDEX ipx, sg_batch *b) {
  if (st->used + b->m > st->cap) {
    /* the result's matrices have int dimensions */
    if (st->used + b->m > INT_MAX)
      Rf_error("The rows made exceed what an R matrix can hold (%d rows).", INT_MAX);
    R_xlen_t cap = 2 * (st->used + b->m);
    if (cap > INT_MAX) cap = INT_MAX;
    SEXP nb = sg_stack_resize(st, cap);
    REPROTECT(st->buf = nb, ipx);
    st->cap = cap;
  }
  b->ld = st->cap;
  b->v = REAL(VECTOR_ELT(st->buf, 4)) + st->used;
  b->cd = INTEGER(VECTOR_ELT(st->buf, 5)) + st->used;
}

/* The kept candidates kept in the stack: their values and codes moved up
 * over the rejected ones (in place: a kept row never moves down), their
 * provenance written. */
static R_xlen_t sg_stack_keep(sg_stack *st, int cl, const sg_batch *b, int d, int dc) {
  R_xlen_t ok = 0;
  for (R_xlen_t s = 0; s < b->m; s++) ok += b->reason[s] == 0;
  int *ocl = INTEGER(VECTOR_ELT(st->buf, 0)), *opa = INTEGER(VECTOR_ELT(st->buf, 1));
  int *one = INTEGER(VECTOR_ELT(st->buf, 2));
  double *oga = REAL(VECTOR_ELT(st->buf, 3)), *ov = REAL(VECTOR_ELT(st->buf, 4));
  int *ocd = INTEGER(VECTOR_ELT(st->buf, 5));
  R_xlen_t t = st->used;
  for (R_xlen_t s = 0; s < b->m; s++) {
    if (b->reason[s] != 0) continue;
    ocl[t] = cl; opa[t] = b->pa[s]; one[t] = b->ne[s]; oga[t] = b->ga[s];
    R_xlen_t from = st->used + s;
    if (from != t) {
      for (int j = 0; j < d; j++) ov[t + (R_xlen_t) j * st->cap] = ov[from + (R_xlen_t) j * st->cap];
      for (int j = 0; j < dc; j++) ocd[t + (R_xlen_t) j * st->cap] = ocd[from + (R_xlen_t) j * st->cap];
    }
    t++;
  }
  st->used = t;
  return ok;
}

/* ---- the parents ------------------------------------------------------- */

/* The guard's seed safety: a row none of whose mg nearest rows of the data
 * is of its class is noise and never a parent; one whose own-class share
 * is below min_safety is unsafe, and not a parent unless the method seeks
 * the boundary.  counts: unsafe, noise (among the method's seeds). */
static void sg_seed_safety(const sg_rounds_class *C, const sg_rounds_data *D,
                           int *eligible, double *counts) {
  for (int i = 0; i < C->p; i++) {
    int own = 0;
    for (int c = 0; c < C->mg; c++)
      own += D->yi[C->whole[i + (R_xlen_t) c * C->p] - 1] == C->cl;
    double share = (double) own / C->mg;
    int is_noise = share == 0, is_unsafe = share < C->min_safety && !is_noise;
    if (eligible[i] && is_noise) counts[1]++;
    if (eligible[i] && is_unsafe && !C->boundary) counts[0]++;
    eligible[i] = eligible[i] && !is_noise && (C->boundary || !is_unsafe);
  }
}

/* Under quota = "keep", each row that may not be a parent hands its share
 * to its nearest own-class pair that may (the first such in `within`): one
 * more parent position, whose only candidate is the row itself. */
static void sg_quota_handover(sg_rounds_class *C, const sg_rounds_data *D,
                              const int *eligible) {
  int *to = (int *) R_alloc(C->p, sizeof(int)), *from = (int *) R_alloc(C->p, sizeof(int));
  int nh = 0;
  for (int i = 0; i < C->p; i++) {
    if (eligible[i]) continue;
    for (int c = 0; c < C->kw; c++) {
      int row = C->within[i + (R_xlen_t) c * C->p];
      if (row == NA_INTEGER || D->yi[row - 1] != C->cl) continue;
      int q = D->pos[row - 1] - 1;
      if (!eligible[q]) continue;
      from[nh] = i;
      to[nh++] = q;
      break;
    }
  }
  if (nh == 0) return;
  int na = C->na + nh, k = C->k;
  int *at = (int *) R_alloc(na, sizeof(int));
  int *wa = (int *) R_alloc((size_t) na * (k > 0 ? k : 1), sizeof(int));
  for (int i = 0; i < na; i++) at[i] = i < C->na ? C->at[i] : to[i - C->na] + 1;
  for (int c = 0; c < k; c++)
    for (int i = 0; i < na; i++)
      wa[i + (R_xlen_t) c * na] = i < C->na ? C->wa[i + (R_xlen_t) c * C->na]
        : c == 0 ? C->rows[from[i - C->na]] : NA_INTEGER;
  C->at = at; C->wa = wa; C->na = na;
}

/* The class's parents: the method's seeds that the guard keeps and that
 * have a usable pair, their candidates (`within`'s rows), and under
 * quota = "keep" the handed-over shares.  counts: seeds, unsafe, noise,
 * isolated (rows the gap cap or groups left with no pair), parents. */
static void sg_class_parents(sg_rounds_class *C, const sg_rounds_data *D,
                             double *counts) {
  int p = C->p, k = C->kw;
  int *eligible = (int *) R_alloc(p > 0 ? p : 1, sizeof(int));
  for (int i = 0; i < p; i++) eligible[i] = C->seeds ? C->seeds[i] : 1;
  for (int e = 0; e < 5; e++) counts[e] = 0;
  if (!ISNAN(C->min_safety)) sg_seed_safety(C, D, eligible, counts + 1);
  int *usable = (int *) R_alloc(p > 0 ? p : 1, sizeof(int));
  sg_usable_counts(C->within, p, k, usable);
  for (int i = 0; i < p; i++) {
    if (k > 0 && usable[i] == 0) { counts[3]++; eligible[i] = 0; }
    counts[0] += eligible[i];
  }
  C->na = (int) counts[0];
  C->k = k;
  C->at = (int *) R_alloc(C->na > 0 ? C->na : 1, sizeof(int));
  C->wa = (int *) R_alloc((size_t) (C->na > 0 ? C->na : 1) * (k > 0 ? k : 1), sizeof(int));
  for (int i = 0, a = 0; i < p; i++) {
    if (!eligible[i]) continue;
    C->at[a] = i + 1;
    for (int c = 0; c < k; c++)
      C->wa[a + (R_xlen_t) c * C->na] = C->within[i + (R_xlen_t) c * p];
    a++;
  }
  if (C->same_parent && C->na > 0 && C->na < p) sg_quota_handover(C, D, eligible);
  counts[4] = C->na;
}

/* ---- the rounds -------------------------------------------------------- */

/* One round's candidates, made (in the stack's free rows) and checked. */
static void sg_round(const sg_rounds_class *C, const sg_rounds_data *D,
                     const int *redo, int nredo, R_xlen_t need, sg_stack *st,
                     PROTECT_INDEX ipx, sg_batch *b) {
  if (Rf_isNull(C->draw)) sg_draw_turns(C, redo, nredo, need, b);
  else sg_draw_hook(C, D, need, b);
  if (b->m == 0) return;
  sg_stack_room(st, ipx, b);
  sg_make_rows(C, D, b);
  sg_make_codes(C, D, b);
  if (!Rf_isNull(C->finish)) {
    SEXP v = PROTECT(sg_rows_matrix(b->v, b->ld, D->d, NULL, b->m, 1));
    SEXP out = PROTECT(sg_hook(C->finish, 1, v, NULL, NULL, NULL));
    sg_hook_matrix(out, b->m, D->d, b->v, b->ld, "values");
    UNPROTECT(2);
  }
  if (C->jitter > 0) sg_jitter(C, D, b);
  sg_round_values(&D->rnd, b->v, b->m, b->ld);
  sg_check_candidates(C, D, b);
}

/* A class's parents, then its rounds until G rows pass or the rounds run
 * out; counts: made, drawn, the rejections by reason (intrusion, bound,
 * rule, combination), then sg_class_parents()'s. */
static void sg_class_rounds(sg_rounds_class *C, const sg_rounds_data *D,
                            sg_stack *st, PROTECT_INDEX ipx, double *counts) {
  R_xlen_t need = C->G, made_all = 0;
  int *redo = (int *) R_alloc(C->G > 0 ? C->G : 1, sizeof(int)), nredo = -1;
  for (int e = 0; e < 6; e++) counts[e] = 0;
  sg_class_parents(C, D, counts + 6);
  for (int round = 0; need > 0 && C->na > 0 && round < C->rounds; round++) {
    R_CheckUserInterrupt();
    const void *vmax = vmaxget();
    sg_batch b;
    sg_round(C, D, redo, nredo, need, st, ipx, &b);
    if (b.m == 0) { vmaxset(vmax); break; }
    counts[1] += (double) b.m;
    R_xlen_t ok = sg_stack_keep(st, C->cl, &b, D->d, D->dc);
    made_all += ok;
    need -= ok;
    if (C->same_parent) nredo = 0;
    for (R_xlen_t s = 0; s < b.m; s++) {
      if (b.reason[s] == 0) continue;
      counts[1 + b.reason[s]] += 1;
      if (C->same_parent) redo[nredo++] = b.ppos[s];
    }
    R_xlen_t drawn = b.m;
    vmaxset(vmax);
    if (C->stop_short && drawn < need) break;
  }
  counts[0] = (double) made_all;
}

/* ---- unpacking --------------------------------------------------------- */

static const int *sg_opt_int(SEXP x, const char *what, R_xlen_t len) {
  if (Rf_isNull(x)) return NULL;
  if (!Rf_isInteger(x) || (len >= 0 && XLENGTH(x) != len))
    Rf_error("`%s` must be NULL or an integer vector of length %d.", what, (int) len);
  return INTEGER_RO(x);
}

static SEXP sg_hook_arg(SEXP f, const char *what) {
  if (!Rf_isNull(f) && !Rf_isFunction(f)) Rf_error("`%s` must be NULL or a function.", what);
  return f;
}

/* The rounding's columns: whole and ordered (1-based, NULL for none) and
 * the ordered columns' tops, checked against d columns. */
static void sg_rounding_unpack(SEXP whole, SEXP ord, SEXP top, int d, sg_rounding *r) {
  r->nwhole = Rf_isNull(whole) ? 0 : (int) XLENGTH(whole);
  r->nord = Rf_isNull(ord) ? 0 : (int) XLENGTH(ord);
  int *wh = (int *) R_alloc(r->nwhole + 1, sizeof(int)), *od = (int *) R_alloc(r->nord + 1, sizeof(int));
  const int *w0 = sg_opt_int(whole, "whole", -1), *o0 = sg_opt_int(ord, "ordered", -1);
  for (int i = 0; i < r->nwhole; i++) {
    if (w0[i] == NA_INTEGER || w0[i] < 1 || w0[i] > d) Rf_error("`whole` holds an invalid column.");
    wh[i] = w0[i] - 1;
  }
  for (int i = 0; i < r->nord; i++) {
    if (o0[i] == NA_INTEGER || o0[i] < 1 || o0[i] > d) Rf_error("`ordered` holds an invalid column.");
    od[i] = o0[i] - 1;
  }
  r->whole = wh; r->ord = od;
  r->top = sg_opt_int(top, "top", r->nord);
  if (r->nord > 0 && r->top == NULL) Rf_error("`top` is required with ordered columns.");
}

/* The call's shared inputs: list(x, codes, center, scale, y, pos, vote,
 * whole (1-based columns), ordered, top, m). */
static void sg_rounds_data_unpack(SEXP data, int req, sg_rounds_data *D) {
  if (!Rf_isNewList(data) || XLENGTH(data) != 11) Rf_error("`data` must be a list of 11.");
  SEXP x = VECTOR_ELT(data, 0), codes = VECTOR_ELT(data, 1);
  sg_check_double_matrix(x, "x");
  if (!Rf_isInteger(codes) || !Rf_isMatrix(codes) || Rf_nrows(codes) != Rf_nrows(x))
    Rf_error("`codes` must be an integer matrix with the rows of `x`.");
  D->x = REAL_RO(x); D->n = Rf_nrows(x); D->d = Rf_ncols(x);
  D->codes = INTEGER_RO(codes); D->dc = Rf_ncols(codes);
  sg_center_scale_args(VECTOR_ELT(data, 2), VECTOR_ELT(data, 3), D->d, 0, &D->cen, &D->sca);
  D->yi = sg_opt_int(VECTOR_ELT(data, 4), "y", D->n);
  D->pos = sg_opt_int(VECTOR_ELT(data, 5), "pos", D->n);
  if (D->yi == NULL || D->pos == NULL) Rf_error("`y` and `pos` are required.");
  D->vote = sg_int_scalar(VECTOR_ELT(data, 6), "vote") == 1;
  sg_rounding_unpack(VECTOR_ELT(data, 7), VECTOR_ELT(data, 8), VECTOR_ELT(data, 9), D->d,
                     &D->rnd);
  D->m = sg_int_scalar(VECTOR_ELT(data, 10), "m");
  D->req = req;
  D->zr = NULL; D->zcols = NULL; D->dz = 0;
}

/* An integer matrix argument of `rows` rows (or NULL): its columns. */
static const int *sg_opt_matrix(SEXP x, const char *what, int rows, int *cols) {
  *cols = 0;
  if (Rf_isNull(x)) return NULL;
  if (!Rf_isInteger(x) || !Rf_isMatrix(x) || Rf_nrows(x) != rows)
    Rf_error("`%s` must be an integer matrix of %d rows.", what, rows);
  *cols = Rf_ncols(x);
  return INTEGER_RO(x);
}

/* The row numbers a class's matrix holds: data rows 1..n or NA. */
static void sg_check_rows_in(const int *v, R_xlen_t len, R_xlen_t n, const char *what) {
  for (R_xlen_t i = 0; i < len; i++)
    if (v[i] != NA_INTEGER && (v[i] < 1 || v[i] > n))
      Rf_error("`%s` holds an invalid row number.", what);
}

/* A class's combinations: list(columns (1-based, of dc columns of codes),
 * seen (tuples, one per row)), sorted for the search; NULL for none. */
static void sg_combos_unpack(SEXP combos, int dc, sg_combos *K) {
  K->seen = NULL; K->nseen = 0; K->nc = 0; K->ccols = NULL;
  if (Rf_isNull(combos)) return;
  if (!Rf_isNewList(combos) || XLENGTH(combos) != 2) Rf_error("`combos` must be a list of 2.");
  SEXP cols = VECTOR_ELT(combos, 0), seen = VECTOR_ELT(combos, 1);
  const int *c0 = sg_opt_int(cols, "combo columns", -1);
  K->nc = c0 ? (int) XLENGTH(cols) : 0;
  if (K->nc < 1) Rf_error("`combos` must name at least one column.");
  int *cc = (int *) R_alloc(K->nc, sizeof(int));
  for (int j = 0; j < K->nc; j++) {
    if (c0[j] == NA_INTEGER || c0[j] < 1 || c0[j] > dc) Rf_error("`combos` holds an invalid column.");
    cc[j] = c0[j] - 1;
  }
  if (!Rf_isInteger(seen) || !Rf_isMatrix(seen) || Rf_ncols(seen) != K->nc)
    Rf_error("`combos` seen must be an integer matrix, one column per combination column.");
  K->nseen = Rf_nrows(seen);
  K->seen = (int *) R_alloc((size_t) (K->nseen > 0 ? K->nseen : 1) * K->nc, sizeof(int));
  for (int i = 0; i < K->nseen; i++)
    for (int j = 0; j < K->nc; j++) K->seen[(R_xlen_t) i * K->nc + j] = INTEGER_RO(seen)[i + (R_xlen_t) j * K->nseen];
  sg_tuples_sort(K->seen, K->nseen, K->nc);
  K->ccols = cc;
}

/* Element c of a column of the classes' inputs: NULL when the column is
 * NULL (none for every class), else its c-th element. */
static SEXP sg_class_elt(SEXP classes, int col, int c) {
  SEXP x = VECTOR_ELT(classes, col);
  return Rf_isNull(x) ? R_NilValue : VECTOR_ELT(x, c);
}

/* Class c's value of each of the `nf` vectors of a list (each of one value,
 * for every class, or one per class): doubles (integers taken as doubles)
 * into `num`, or logicals or integers into `flags`. */
static void sg_class_fields(SEXP list, int nf, int nc, int c, const char *what,
                            double *num, int *flags) {
  if (!Rf_isNewList(list) || XLENGTH(list) != nf)
    Rf_error("`%s` must be a list of %d vectors.", what, nf);
  for (int f = 0; f < nf; f++) {
    SEXP v = VECTOR_ELT(list, f);
    R_xlen_t len = Rf_xlength(v), i = len == 1 ? 0 : c;
    if (len != 1 && len != nc) Rf_error("`%s` must hold one value, or one per class.", what);
    if (num != NULL && TYPEOF(v) == REALSXP) num[f] = REAL_RO(v)[i];
    else if (num != NULL && TYPEOF(v) == INTSXP)
      num[f] = INTEGER_RO(v)[i] == NA_INTEGER ? NA_REAL : INTEGER_RO(v)[i];
    else if (flags != NULL && (TYPEOF(v) == LGLSXP || TYPEOF(v) == INTSXP))
      flags[f] = TYPEOF(v) == LGLSXP ? LOGICAL_RO(v)[i] : INTEGER_RO(v)[i];
    else Rf_error("`%s` must hold %s.", what, num != NULL ? "numbers" : "logicals");
  }
}

/* Class c's column of a d x classes matrix of bounds (NULL: none). */
static const double *sg_class_bounds(SEXP classes, int col, int nc, int d, const char *what,
                                     int c) {
  SEXP x = VECTOR_ELT(classes, col);
  if (Rf_isNull(x)) return NULL;
  if (!Rf_isReal(x) || XLENGTH(x) != (R_xlen_t) d * nc)
    Rf_error("`%s` must be NULL or doubles, one per column and class.", what);
  return REAL_RO(x) + (R_xlen_t) d * c;
}

/* The classes' inputs, one column per field (one element per class), as
 * generate.R's rounds_classes() makes them: cl (integer), rows, within,
 * seeds, spacing, whole (lists), num = list(G, jitter, intrusion, rounds,
 * min_safety, m) and flags = list(constrained, interpolating, stop_short,
 * same_parent, local, boundary) (each one value, or one per class), lower
 * and upper (d x classes doubles), combos, draw, make, finish, rules,
 * exact (lists); NULL for a column that no class has.  Class c's. */
static void sg_rounds_class_unpack(SEXP cls, int c, const sg_rounds_data *D,
                                   sg_rounds_class *C) {
  int nc = (int) XLENGTH(VECTOR_ELT(cls, 0));
  C->cl = INTEGER_RO(VECTOR_ELT(cls, 0))[c];
  SEXP rows = sg_class_elt(cls, 1, c), seeds = sg_class_elt(cls, 3, c);
  C->rows = sg_opt_int(rows, "rows", -1);
  if (C->rows == NULL) Rf_error("`rows` is required.");
  C->p = (int) XLENGTH(rows);
  sg_check_rows_in(C->rows, C->p, D->n, "rows");
  C->within = sg_opt_matrix(sg_class_elt(cls, 2, c), "within", C->p, &C->kw);
  if (C->within == NULL) Rf_error("`within` is required.");
  sg_check_rows_in(C->within, (R_xlen_t) C->p * C->kw, D->n, "within");
  if (!Rf_isNull(seeds) && (!Rf_isLogical(seeds) || XLENGTH(seeds) != C->p))
    Rf_error("`seeds` must be NULL or one logical per row.");
  C->seeds = Rf_isNull(seeds) ? NULL : LOGICAL_RO(seeds);
  SEXP sp = sg_class_elt(cls, 4, c);
  if (!Rf_isNull(sp) && (!Rf_isReal(sp) || XLENGTH(sp) != C->p))
    Rf_error("`spacing` must be one double per row.");
  C->spacing = Rf_isNull(sp) ? NULL : REAL_RO(sp);
  C->whole = sg_opt_matrix(sg_class_elt(cls, 5, c), "whole", C->p, &C->mw);
  sg_check_rows_in(C->whole, (R_xlen_t) C->p * C->mw, D->n, "whole");
  double nv[6];
  int fl[6];
  sg_class_fields(VECTOR_ELT(cls, 6), 6, nc, c, "num", nv, NULL);
  sg_class_fields(VECTOR_ELT(cls, 7), 6, nc, c, "flags", NULL, fl);
  if (!(nv[0] >= 0 && nv[0] <= INT_MAX) || !(nv[1] >= 0) || !(nv[3] >= 0 && nv[3] <= INT_MAX))
    Rf_error("`num` holds an invalid count.");
  for (int f = 0; f < 6; f++)
    if (fl[f] == NA_INTEGER) Rf_error("`flags` holds a missing value.");
  C->G = (R_xlen_t) nv[0]; C->jitter = nv[1]; C->intrusion = nv[2]; C->rounds = (int) nv[3];
  C->min_safety = nv[4];
  C->mg = ISNAN(nv[5]) ? 0 : (int) nv[5];
  C->constrained = fl[0]; C->interpolating = fl[1]; C->stop_short = fl[2];
  C->same_parent = fl[3]; C->local = fl[4]; C->boundary = fl[5];
  C->lo = sg_class_bounds(cls, 8, nc, D->d, "lower", c);
  C->hi = sg_class_bounds(cls, 9, nc, D->d, "upper", c);
  if ((C->lo == NULL) != (C->hi == NULL)) Rf_error("`lower` and `upper` go together.");
  sg_combos_unpack(sg_class_elt(cls, 10, c), D->dc, &C->cmb);
  C->draw = sg_hook_arg(sg_class_elt(cls, 11, c), "draw");
  C->make = sg_hook_arg(sg_class_elt(cls, 12, c), "make");
  C->finish = sg_hook_arg(sg_class_elt(cls, 13, c), "finish");
  C->rules = sg_hook_arg(sg_class_elt(cls, 14, c), "rules");
  C->exact = sg_hook_arg(sg_class_elt(cls, 15, c), "exact");
}

/* The classes' columns (see sg_rounds_class_unpack()): a list of 16, each
 * list column NULL or one element per class; the number of classes. */
static int sg_rounds_classes_check(SEXP cls) {
  if (!Rf_isNewList(cls) || XLENGTH(cls) != 16) Rf_error("`classes` must be a list of 16.");
  SEXP cl = VECTOR_ELT(cls, 0);
  if (!Rf_isInteger(cl)) Rf_error("`cl` must be an integer vector.");
  R_xlen_t nc = XLENGTH(cl);
  static const int lists[12] = {1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, -1};
  for (int j = 0; lists[j] >= 0; j++) {
    SEXP x = VECTOR_ELT(cls, lists[j]);
    if (!Rf_isNull(x) && (!Rf_isNewList(x) || XLENGTH(x) != nc))
      Rf_error("Column %d of `classes` must be NULL or a list, one element per class.",
               lists[j] + 1);
  }
  if (Rf_isNull(VECTOR_ELT(cls, 1)) || Rf_isNull(VECTOR_ELT(cls, 2)))
    Rf_error("`rows` and `within` are required.");
  return (int) nc;
}

/* The checks that need the class's plan together. */
static void sg_rounds_class_check(const sg_rounds_class *C, const sg_rounds_data *D) {
  if (C->jitter > 0 && C->spacing == NULL) Rf_error("The jitter needs `spacing`.");
  if (!ISNAN(C->min_safety) && (C->whole == NULL || C->mg < 1 || C->mg > C->mw))
    Rf_error("The seed safety needs `whole` of at least `m` columns.");
  if (C->G > 0 && C->rounds > 0 && C->kw == 0 && C->interpolating)
    Rf_error("An interpolating class needs its pairs in `within`.");
  if (!ISNAN(C->intrusion) && C->local) {
    if (C->whole == NULL || C->mw < D->m || D->m < 1)
      Rf_error("The local intrusion check needs `whole` of at least `m` columns.");
    for (int i = 0; i < C->p; i++)
      if (D->yi[C->rows[i] - 1] != C->cl || D->pos[C->rows[i] - 1] != i + 1)
        Rf_error("`y` and `pos` must place each row of the class.");
  }
  if (!ISNAN(C->intrusion) && Rf_isNull(C->exact))
    Rf_error("The intrusion check needs its exact search's hook.");
  if (!Rf_isNull(C->draw) && C->same_parent)
    Rf_error("Drawing again from the same parent needs the draw in turns.");
}

/* The real rows standardised once for every class's local check. */
static void sg_rounds_standardise(sg_rounds_data *D) {
  int *cols = (int *) R_alloc(D->d > 0 ? D->d : 1, sizeof(int));
  D->dz = sg_scaled_columns(D->sca, D->d, cols);
  D->zcols = cols;
  sg_finite_or_missing(D->x, D->n * D->d);
  int nth = sg_threads_for(D->req, (double) D->n * D->dz);
  D->zr = sg_rows_standardised(D->x, D->n, cols, D->dz, D->cen, D->sca, nth);
}

/* The distinct parents of each class's made rows (the stacked rows, class
 * by class, `made` each), counted with a mark per data row. */
static void sg_parents_used(const int *parent, R_xlen_t n, int nc, const double *counts,
                            int *used) {
  int *mark = (int *) R_alloc(n > 0 ? n : 1, sizeof(int));
  memset(mark, 0, (size_t) (n > 0 ? n : 1) * sizeof(int));
  R_xlen_t at = 0;
  for (int c = 0; c < nc; c++) {
    R_xlen_t made = (R_xlen_t) counts[(R_xlen_t) 11 * c];
    used[c] = 0;
    for (R_xlen_t r = at; r < at + made; r++)
      if (!mark[parent[r] - 1]) { mark[parent[r] - 1] = 1; used[c]++; }
    for (R_xlen_t r = at; r < at + made; r++) mark[parent[r] - 1] = 0;
    at += made;
  }
}

/* The result: the stacked rows trimmed to what was made, and per class
 * its counts (see sg_class_rounds()), one vector each, named, one element
 * per class (the counts of rows and of candidates drawn and rejected as
 * doubles, the rest as integers), and the distinct parents of its rows. */
static SEXP sg_rounds_result(sg_stack *st, const double *counts, int nc, R_xlen_t n) {
  int nprot = 0;
  SEXP rows = st->buf;
  if (st->used != st->cap) {
    rows = PROTECT(sg_stack_resize(st, st->used)); nprot++;
  }
  static const char *what[12] = {
    "made", "drawn", "rejected_intrusion", "rejected_bound", "rejected_rule",
    "rejected_combo", "seeds", "unsafe", "noise", "isolated", "parents", "parents_used"};
  SEXP cols[12];
  for (int e = 0; e < 12; e++) {
    int real = e >= 1 && e <= 5;
    cols[e] = PROTECT(Rf_allocVector(real ? REALSXP : INTSXP, nc)); nprot++;
    for (int c = 0; c < nc && e < 11; c++) {
      double v = counts[(R_xlen_t) 11 * c + e];
      if (real) REAL(cols[e])[c] = v;
      else INTEGER(cols[e])[c] = (int) v;
    }
  }
  sg_parents_used(INTEGER_RO(VECTOR_ELT(rows, 1)), n, nc, counts, INTEGER(cols[11]));
  SEXP cnt = PROTECT(sg_named_list(12, cols, what)); nprot++;
  SEXP vals[2] = {rows, cnt};
  const char *nms[2] = {"rows", "counts"};
  SEXP out = sg_named_list(2, vals, nms);
  UNPROTECT(nprot);
  return out;
}

/* Every class's rounds in one call.  data: the call's shared inputs (see
 * sg_rounds_data_unpack()); classes: their inputs, one column per field
 * (see sg_rounds_class_unpack()), the classes in the order their rows are
 * stacked. */
SEXP ffi_rounds_run(SEXP data, SEXP classes, SEXP threads) {
  int nprot = 0;
  sg_rounds_data D;
  sg_rounds_data_unpack(data, sg_int_scalar(threads, "threads"), &D);
  int nc = sg_rounds_classes_check(classes);
  sg_rounds_class *C = (sg_rounds_class *) R_alloc(nc > 0 ? nc : 1, sizeof(sg_rounds_class));
  double cap = 0;
  int local = 0;
  for (int c = 0; c < nc; c++) {
    sg_rounds_class_unpack(classes, c, &D, &C[c]);
    sg_rounds_class_check(&C[c], &D);
    cap += (double) C[c].G;
    local |= !ISNAN(C[c].intrusion) && C[c].local;
  }
  if (cap > INT_MAX) Rf_error("Too many rows requested.");
  if (local) sg_rounds_standardise(&D);
  double *counts = (double *) R_alloc((size_t) 11 * (nc > 0 ? nc : 1), sizeof(double));
  sg_stack st;
  sg_stack_alloc(&st, (R_xlen_t) cap, D.d, D.dc);
  st.used = 0;
  PROTECT_INDEX ipx;
  PROTECT_WITH_INDEX(st.buf, &ipx); nprot++;
  for (int c = 0; c < nc; c++)
    sg_class_rounds(&C[c], &D, &st, ipx, counts + (R_xlen_t) 11 * c);
  SEXP out = sg_rounds_result(&st, counts, nc, D.n);
  UNPROTECT(nprot);
  return out;
}

/* The rounds' last steps for noise made in R (a method's finish hook:
 * SMOGN's noise rows, the smoothed bootstrap's copies): a copy of the
 * double matrix `values` held to the bounds `lower`, `upper` (one per
 * column, or NULL), then
 * rounded as `whole`, `ordered`, `top` say (as in ffi_rounds_run's data). */
SEXP ffi_hold_round(SEXP values, SEXP lower, SEXP upper, SEXP whole, SEXP ordered,
                    SEXP top) {
  sg_check_double_matrix(values, "values");
  R_xlen_t m = Rf_nrows(values);
  int d = Rf_ncols(values);
  if (Rf_isNull(lower) != Rf_isNull(upper) ||
      (!Rf_isNull(lower) && (!Rf_isReal(lower) || !Rf_isReal(upper) ||
                             XLENGTH(lower) != d || XLENGTH(upper) != d)))
    Rf_error("`lower` and `upper` must both be NULL or doubles, one per column.");
  sg_rounding r;
  sg_rounding_unpack(whole, ordered, top, d, &r);
  SEXP out = PROTECT(Rf_duplicate(values));
  sg_hold_to_bounds(REAL(out), m, m, d, Rf_isNull(lower) ? NULL : REAL_RO(lower),
                    Rf_isNull(upper) ? NULL : REAL_RO(upper));
  sg_round_values(&r, REAL(out), m, m);
  UNPROTECT(1);
  return out;
}

/* The rounds' constraint checks for rows made before (sg_diagnose()'s
 * constraint metric): the m x d double matrix `values`, the m x dc integer
 * matrix `codes`, `rows` (m integers the rules' hook receives as the rows'
 * parents, or NULL), the bounds `lower`, `upper` (one per column, or
 * NULL), `combos` as in ffi_rounds_run's class input (list(columns, seen),
 * or NULL) and the `rules` hook (or NULL).  Returns each row's reason: 0
 * passes, 2 a bound, 3 a rule, 4 a combination (sg_check_constraints()). */
SEXP ffi_constraints_check(SEXP values, SEXP codes, SEXP rows, SEXP lower, SEXP upper,
                           SEXP combos, SEXP rules) {
  sg_check_double_matrix(values, "values");
  R_xlen_t m = Rf_nrows(values);
  if (!Rf_isInteger(codes) || !Rf_isMatrix(codes) || Rf_nrows(codes) != m)
    Rf_error("`codes` must be an integer matrix with the rows of `values`.");
  const int *pa = sg_opt_int(rows, "rows", m);
  sg_rounds_data D;
  memset(&D, 0, sizeof(D));
  D.d = Rf_ncols(values);
  D.dc = Rf_ncols(codes);
  sg_rounds_class C;
  memset(&C, 0, sizeof(C));
  if (Rf_isNull(lower) != Rf_isNull(upper) ||
      (!Rf_isNull(lower) && (!Rf_isReal(lower) || !Rf_isReal(upper) ||
                             XLENGTH(lower) != D.d || XLENGTH(upper) != D.d)))
    Rf_error("`lower` and `upper` must both be NULL or doubles, one per column.");
  C.lo = Rf_isNull(lower) ? NULL : REAL_RO(lower);
  C.hi = Rf_isNull(upper) ? NULL : REAL_RO(upper);
  sg_combos_unpack(combos, D.dc, &C.cmb);
  C.rules = sg_hook_arg(rules, "rules");
  SEXP out = PROTECT(Rf_allocVector(INTSXP, m));
  sg_batch b;
  sg_batch_alloc(&b, m);
  /* the checks only read the values and codes */
  b.v = (double *) REAL_RO(values);
  b.cd = (int *) INTEGER_RO(codes);
  b.ld = m;
  for (R_xlen_t s = 0; s < m; s++) b.pa[s] = pa ? pa[s] : NA_INTEGER;
  R_xlen_t *sel = (R_xlen_t *) R_alloc(m > 0 ? m : 1, sizeof(R_xlen_t));
  sg_check_constraints(&C, &D, &b, sel);
  if (m > 0) memcpy(INTEGER(out), b.reason, (size_t) m * sizeof(int));
  UNPROTECT(1);
  return out;
}
