/* The generators: draws of parents, neighbours and gaps, and the
 * interpolation of new rows.  Random numbers come from R's RNG and are
 * drawn serially, so set.seed() fixes the result whatever the threads. */
#include "smoteguard.h"
#include <limits.h>

/* The usable (non-NA) candidates of each of the P parents of the P x k
 * matrix nn into cnt; returns the first parent (0-based) with none when k
 * > 0, else -1.  Rows must be positive (checked by the callers). */
int sg_usable_counts(const int *nn, int P, int k, int *cnt) {
  int none = -1;
  for (int i = 0; i < P; i++) {
    cnt[i] = 0;
    for (int c = 0; c < k; c++)
      if (nn[i + (R_xlen_t) c * P] != NA_INTEGER) cnt[i]++;
    if (k > 0 && cnt[i] == 0 && none < 0) none = i;
  }
  return none;
}

/* Check a P x k integer matrix of 1-based data rows (k may be 0).  NA
 * marks a pair the guard removed; a row keeps at least one candidate
 * unless require_one is 0.  usable[i] receives the count per row. */
static const int *sg_neighbor_matrix(SEXP neighbors, int *P, int *k,
                                     int **usable, int require_one) {
  if (!Rf_isInteger(neighbors) || !Rf_isMatrix(neighbors))
    Rf_error("`neighbors` must be an integer matrix.");
  *P = Rf_nrows(neighbors);
  *k = Rf_ncols(neighbors);
  if (*P < 1) Rf_error("`neighbors` must have at least one row.");
  const int *nn = INTEGER_RO(neighbors);
  for (R_xlen_t i = 0; i < (R_xlen_t) *P * *k; i++)
    if (nn[i] != NA_INTEGER && nn[i] < 1)
      Rf_error("`neighbors` must hold positive row numbers.");
  int *cnt = (int *) R_alloc(*P, sizeof(int));
  int none = sg_usable_counts(nn, *P, *k, cnt);
  if (require_one && none >= 0)
    Rf_error("Parent %d has no usable neighbour.", none + 1);
  *usable = cnt;
  return nn;
}

/* The c-th usable (non-NA) neighbour of parent `par`. */
static inline int sg_usable_neighbor(const int *nn, int P, int k, int par,
                                     int c) {
  for (int j = 0; j < k; j++) {
    int v = nn[par + (R_xlen_t) j * P];
    if (v == NA_INTEGER) continue;
    if (c == 0) return v;
    c--;
  }
  return NA_INTEGER; /* not reached: c < usable count */
}

static R_xlen_t sg_count_arg(SEXP x, const char *what) {
  double g = sg_num_scalar(x, what);
  if (!(g >= 0) || g > (double) INT_MAX || g != floor(g))
    Rf_error("`%s` must be a whole number from 0 to %d.", what, INT_MAX);
  return (R_xlen_t) g;
}

/* The draws' answer, list(parent, neighbor, gap) of length G (data rows
 * or positions, and gaps), allocated for the caller to fill. */
static SEXP sg_draws_new(R_xlen_t G) {
  int nprot = 0;
  SEXP parent = PROTECT(Rf_allocVector(INTSXP, G)); nprot++;
  SEXP neighbor = PROTECT(Rf_allocVector(INTSXP, G)); nprot++;
  SEXP gap = PROTECT(Rf_allocVector(REALSXP, G)); nprot++;
  SEXP vals[3] = {parent, neighbor, gap};
  const char *nms[3] = {"parent", "neighbor", "gap"};
  SEXP out = sg_named_list(3, vals, nms);
  UNPROTECT(nprot);
  return out;
}

/* A random permutation of 0..p-1 into `perm` (Fisher-Yates, R's unbiased
 * index); the caller holds the RNG state, and allocates `perm` before
 * taking it, so that nothing between GetRNGstate() and PutRNGstate() can
 * fail. */
void sg_permutation(int *perm, int p) {
  for (int i = 0; i < p; i++) perm[i] = i;
  for (int i = p - 1; i > 0; i--) {
    int j = (int) R_unif_index((double) i + 1);
    int tmp = perm[i]; perm[i] = perm[j]; perm[j] = tmp;
  }
}

/* The draws of the parent cycle (the caller holds the RNG state): parent
 * positions (1-based among the P parents), neighbours and gaps of G rows
 * (see ffi_draw_cycle()); `perm`: scratch for P values. */
void sg_cycle(const int *nn, int P, int k, const int *usable,
              const int *ot, double ogap, R_xlen_t G, int *perm,
              int *pa, int *ne, double *ga) {
  sg_permutation(perm, P);
  for (R_xlen_t s = 0; s < G; s++) {
    int par = perm[s % P];
    pa[s] = par + 1;
    int ncand = usable[par] + (ot ? 1 : 0);
    if (ncand == 0) {
      ne[s] = NA_INTEGER;
      ga[s] = NA_REAL;
      continue;
    }
    int c = (int) R_unif_index((double) ncand);
    if (c < usable[par]) {
      ne[s] = sg_usable_neighbor(nn, P, k, par, c);
      ga[s] = unif_rand();
    } else {
      ne[s] = ot[par];
      ga[s] = ogap * unif_rand();
    }
  }
}

/* The parent cycle of SMOTE, Borderline-SMOTE and random oversampling.
 * neighbors: P x k matrix of 1-based data rows, the candidates of each of
 * the P parents (k = 0: copies).  Parents are taken in turns through one
 * random permutation, so each is used floor or ceiling of n_new / P times.
 * other: NULL, or one more candidate per parent (Borderline-2's nearest
 * row of another class), drawn like the others (one of k + 1) but with a
 * gap in [0, other_gap].  Returns list(parent = 1-based position among the
 * P parents, neighbor = data row or NA for a copy, gap or NA). */
SEXP ffi_draw_cycle(SEXP neighbors, SEXP n_new, SEXP other, SEXP other_gap) {
  int nprot = 0, P, k, *usable;
  const int *nn = sg_neighbor_matrix(neighbors, &P, &k, &usable, 1);
  R_xlen_t G = sg_count_arg(n_new, "n_new");
  const int *ot = NULL;
  double ogap = 1.0;
  if (!Rf_isNull(other)) {
    if (!Rf_isInteger(other) || XLENGTH(other) != P)
      Rf_error("`other` must be NULL or an integer vector, one per parent.");
    ot = INTEGER_RO(other);
    for (int i = 0; i < P; i++)
      if (ot[i] == NA_INTEGER || ot[i] < 1)
        Rf_error("`other` must hold positive row numbers.");
    ogap = sg_num_scalar(other_gap, "other_gap");
    if (!(ogap >= 0 && ogap <= 1)) Rf_error("`other_gap` must be in [0, 1].");
  }
  SEXP out = PROTECT(sg_draws_new(G)); nprot++;
  int *pa = INTEGER(VECTOR_ELT(out, 0)), *ne = INTEGER(VECTOR_ELT(out, 1));
  double *ga = REAL(VECTOR_ELT(out, 2));
  int *perm = (int *) R_alloc(P, sizeof(int));
  GetRNGstate();
  sg_cycle(nn, P, k, usable, ot, ogap, G, perm, pa, ne, ga);
  PutRNGstate();
  UNPROTECT(nprot);
  return out;
}

/* ADASYN's allocation.  a: the number of other-class rows among each
 * parent's k nearest rows (r_i = a_i / k, normalised: a_i / A).  g_i =
 * floor(G a_i / A), and the G - sum g_i rows left go one each to the
 * largest remainders (G a_i mod A), ties to the lower position, so the
 * counts add up to G exactly.  Integer arithmetic (exact in doubles below
 * 2^53) keeps equal remainders equal. */
SEXP ffi_adasyn_alloc(SEXP a, SEXP n_new) {
  int nprot = 0;
  if (!Rf_isInteger(a)) Rf_error("`a` must be an integer vector.");
  R_xlen_t P = XLENGTH(a);
  if (P > INT_MAX) Rf_error("Too many parents.");
  R_xlen_t G = sg_count_arg(n_new, "n_new");
  const int *av = INTEGER_RO(a);
  double total = 0;
  for (R_xlen_t i = 0; i < P; i++) {
    if (av[i] == NA_INTEGER || av[i] < 0)
      Rf_error("`a` must be non-negative counts.");
    total += av[i];
  }
  if (!(total > 0)) Rf_error("`a` must have a positive sum.");
  if ((double) G * total > 9007199254740992.0)
    Rf_error("The allocation is too large to compute exactly.");
  SEXP counts = PROTECT(Rf_allocVector(INTSXP, P)); nprot++;
  SEXP remainder = PROTECT(Rf_allocVector(REALSXP, P)); nprot++;
  int *g = INTEGER(counts);
  double *rem = REAL(remainder);
  R_xlen_t given = 0;
  for (R_xlen_t i = 0; i < P; i++) {
    double prod = (double) G * av[i];
    double q = floor(prod / total);
    /* floor of an exact quotient of integers: correct q by one if the
     * division rounded across an integer */
    while (q * total > prod) q -= 1;
    while ((q + 1) * total <= prod) q += 1;
    g[i] = (int) q;
    rem[i] = prod - q * total;
    given += g[i];
  }
  int *ord = (int *) R_alloc(P > 0 ? P : 1, sizeof(int));
  /* largest remainders first; R's order is stable: ties to the lower
   * position */
  R_orderVector1(ord, (int) P, remainder, TRUE, TRUE);
  for (R_xlen_t i = 0; given < G && i < P; i++, given++) g[ord[i]]++;
  UNPROTECT(nprot);
  return counts;
}

/* ADASYN's draws: counts[i] rows from parent i, each toward one of its k
 * neighbours (uniform) with a uniform gap, in parent order. */
SEXP ffi_draw_counts(SEXP neighbors, SEXP counts) {
  int nprot = 0, P, k, *usable;
  const int *nn = sg_neighbor_matrix(neighbors, &P, &k, &usable, 0);
  if (k < 1) Rf_error("`neighbors` must have at least one column.");
  if (!Rf_isInteger(counts) || XLENGTH(counts) != P)
    Rf_error("`counts` must be an integer vector, one per parent.");
  const int *cn = INTEGER_RO(counts);
  double total = 0;
  for (int i = 0; i < P; i++) {
    if (cn[i] == NA_INTEGER || cn[i] < 0)
      Rf_error("`counts` must be non-negative.");
    if (cn[i] > 0 && usable[i] == 0)
      Rf_error("Parent %d has no usable neighbour.", i + 1);
    total += cn[i];
  }
  if (total > INT_MAX) Rf_error("Too many rows requested.");
  R_xlen_t G = (R_xlen_t) total;
  SEXP out = PROTECT(sg_draws_new(G)); nprot++;
  int *pa = INTEGER(VECTOR_ELT(out, 0)), *ne = INTEGER(VECTOR_ELT(out, 1));
  double *ga = REAL(VECTOR_ELT(out, 2));
  GetRNGstate();
  R_xlen_t s = 0;
  for (int i = 0; i < P; i++) {
    for (int r = 0; r < cn[i]; r++, s++) {
      int c = (int) R_unif_index((double) usable[i]);
      pa[s] = i + 1;
      ne[s] = sg_usable_neighbor(nn, P, k, i, c);
      ga[s] = unif_rand();
    }
  }
  PutRNGstate();
  UNPROTECT(nprot);
  return out;
}

/* Safe-Level-SMOTE's draws.  sl_parent: the safe level of each of the P
 * parents; sl_neighbor: P x k safe levels of their neighbours.  Parents
 * cycle as in SMOTE; a parent tries its neighbours in a random order and
 * takes the first usable pair (not both safe levels 0); a parent with no
 * usable pair leaves the cycle.  Every pass either makes a row or removes
 * a parent, so the loop ends after at most n_new + P passes; the result
 * may be shorter than n_new when the parents run out. */
/* The gap of a Safe-Level pair from the two safe levels (not both 0). */
static double sg_safe_level_gap(int sp, int sn) {
  double g;
  if (sn == 0) {
    g = 0.0;                         /* ratio infinite: copy the parent */
  } else if (sp == sn) {
    g = unif_rand();
  } else if (sp > sn) {
    g = unif_rand() * ((double) sn / sp);          /* [0, 1 / ratio] */
  } else {
    double ratio = (double) sp / sn;
    g = (1.0 - ratio) + unif_rand() * ratio;       /* [1 - ratio, 1] */
  }
  return g;
}

/* Up to G Safe-Level draws from the P parents' k neighbours nn: parents in
 * a random cycle, each taking a random neighbour not both of safe level 0
 * (a parent with none leaves the cycle).  Returns the number made. */
static R_xlen_t sg_safe_level_draws(const int *nn, int P, int k,
                                    const int *slp, const int *sln,
                                    R_xlen_t G, int *pa, int *ne, double *ga) {
  int *order = (int *) R_alloc(k, sizeof(int));
  char *alive = (char *) R_alloc(P, sizeof(char));
  for (int i = 0; i < P; i++) alive[i] = 1;
  int n_alive = P;
  R_xlen_t made = 0;
  int *perm = (int *) R_alloc(P, sizeof(int));
  GetRNGstate();
  sg_permutation(perm, P);
  R_xlen_t turn = 0;
  while (made < G && n_alive > 0) {
    int par = perm[turn % P];
    turn++;
    if (!alive[par]) continue;
    int nu = 0;
    for (int c = 0; c < k; c++)
      if (nn[par + (R_xlen_t) c * P] != NA_INTEGER) order[nu++] = c;
    int found = -1;
    for (int left = nu; left > 0 && found < 0; left--) {
      int pick = (int) R_unif_index((double) left);
      int c = order[pick];
      order[pick] = order[left - 1];
      int sp = slp[par], sn = sln[par + (R_xlen_t) c * P];
      if (sp > 0 || sn > 0) found = c;
    }
    if (found < 0) {
      alive[par] = 0;
      n_alive--;
      continue;
    }
    pa[made] = par + 1;
    ne[made] = nn[par + (R_xlen_t) found * P];
    ga[made] = sg_safe_level_gap(slp[par], sln[par + (R_xlen_t) found * P]);
    made++;
  }
  PutRNGstate();
  return made;
}

SEXP ffi_draw_safe_level(SEXP neighbors, SEXP sl_parent, SEXP sl_neighbor,
                         SEXP n_new) {
  int nprot = 0, P, k, *usable;
  const int *nn = sg_neighbor_matrix(neighbors, &P, &k, &usable, 0);
  if (k < 1) Rf_error("`neighbors` must have at least one column.");
  R_xlen_t G = sg_count_arg(n_new, "n_new");
  if (!Rf_isInteger(sl_parent) || XLENGTH(sl_parent) != P)
    Rf_error("`sl_parent` must be an integer vector, one per parent.");
  if (!Rf_isInteger(sl_neighbor) || XLENGTH(sl_neighbor) != (R_xlen_t) P * k)
    Rf_error("`sl_neighbor` must be an integer matrix like `neighbors`.");
  const int *slp = INTEGER_RO(sl_parent), *sln = INTEGER_RO(sl_neighbor);
  for (R_xlen_t i = 0; i < (R_xlen_t) P * k; i++)
    if (nn[i] != NA_INTEGER && (sln[i] == NA_INTEGER || sln[i] < 0))
      Rf_error("Safe levels must be non-negative.");
  for (int i = 0; i < P; i++)
    if (slp[i] == NA_INTEGER || slp[i] < 0)
      Rf_error("Safe levels must be non-negative.");

  int *pa = (int *) R_alloc(G > 0 ? G : 1, sizeof(int));
  int *ne = (int *) R_alloc(G > 0 ? G : 1, sizeof(int));
  double *ga = (double *) R_alloc(G > 0 ? G : 1, sizeof(double));
  R_xlen_t made = sg_safe_level_draws(nn, P, k, slp, sln, G, pa, ne, ga);
  SEXP out = PROTECT(sg_draws_new(made)); nprot++;
  int *po = INTEGER(VECTOR_ELT(out, 0)), *no = INTEGER(VECTOR_ELT(out, 1));
  double *go = REAL(VECTOR_ELT(out, 2));
  for (R_xlen_t s = 0; s < made; s++) {
    po[s] = pa[s];
    no[s] = ne[s];
    go[s] = ga[s];
  }
  UNPROTECT(nprot);
  return out;
}

/* The G x dc nominal values (into ov, leading dimension ldo) of the G
 * candidates' rows cand (G x nc, checked data rows: the parent first, then
 * its neighbours; NA for a pair the guard removed, skipped) from the n x dc
 * codes cd (NA allowed).  md 0 ("draw"): each value is that of a candidate
 * drawn uniformly among those that have one, i.e. with probability
 * proportional to its frequency; md 1 ("vote"): the most frequent value,
 * ties drawn at random.  NA when no candidate has a value.  The caller
 * holds the RNG state. */
void sg_nominal_values(const int *cd, R_xlen_t n, int dc, const int *cand,
                       R_xlen_t G, int nc, int md, int *ov, R_xlen_t ldo) {
  int *vals = (int *) R_alloc(nc > 0 ? nc : 1, sizeof(int));
  int *count = (int *) R_alloc(nc > 0 ? nc : 1, sizeof(int));
  for (R_xlen_t s = 0; s < G; s++) {
    for (int j = 0; j < dc; j++) {
      const int *col = cd + (R_xlen_t) j * n;
      int nv = 0;
      for (int c = 0; c < nc; c++) {
        int row = cand[s + (R_xlen_t) c * G];
        if (row == NA_INTEGER) continue; /* a pair the guard removed */
        int v = col[row - 1];
        if (v != NA_INTEGER) vals[nv++] = v;
      }
      int res = NA_INTEGER;
      if (nv > 0 && md == 0) {
        res = vals[(int) R_unif_index((double) nv)];
      } else if (nv > 0) {
        /* counts by pairwise comparison (a handful of candidates; no
         * table sized by the codes); count[c] = 0 marks a repeat */
        int best = 0, nbest = 0;
        for (int c = 0; c < nv; c++) {
          int seen = 0, t = 0;
          for (int e = 0; e < nv; e++) {
            if (vals[e] != vals[c]) continue;
            if (e < c) { seen = 1; break; }
            t++;
          }
          count[c] = seen ? 0 : t;
          if (count[c] > best) best = count[c];
        }
        /* distinct values with the top count, in first-seen order */
        for (int c = 0; c < nv; c++)
          if (count[c] == best) vals[nbest++] = vals[c];
        res = vals[(int) R_unif_index((double) nbest)];
      }
      ov[s + (R_xlen_t) j * ldo] = res;
    }
  }
}

/* v + sd * N(0, 1) in place, element by element, where sd > 0 and v is
 * present (sd checked finite and non-negative; the caller holds the RNG
 * state). */
void sg_add_noise(double *v, const double *sd, R_xlen_t n) {
  for (R_xlen_t i = 0; i < n; i++)
    if (sd[i] > 0 && !ISNAN(v[i])) v[i] += sd[i] * norm_rand();
}

/* values + sd * N(0, 1), element by element (the smoothed bootstrap). */
SEXP ffi_add_noise(SEXP values, SEXP sd) {
  int nprot = 0;
  if (!Rf_isReal(values) || !Rf_isReal(sd) || XLENGTH(values) != XLENGTH(sd))
    Rf_error("`values` and `sd` must be double vectors of one length.");
  R_xlen_t n = XLENGTH(values);
  const double *sv = REAL_RO(sd);
  for (R_xlen_t i = 0; i < n; i++)
    if (!R_FINITE(sv[i]) || sv[i] < 0)
      Rf_error("`sd` must be finite and non-negative.");
  SEXP out = PROTECT(Rf_duplicate(values)); nprot++;
  GetRNGstate();
  sg_add_noise(REAL(out), sv, n);
  PutRNGstate();
  UNPROTECT(nprot);
  return out;
}

/* The G x d interpolated rows (column-major, into ov, leading dimension
 * ldo) of the n x d matrix x, for checked 1-based parents and neighbours:
 * x[parent] + gap * (x[neighbor] - x[parent]) per column.  A missing
 * neighbour or gap (a copy) gives the parent's values; a value missing in
 * one of the two rows is taken from the other; missing in both stays NA.
 * The columns are shared among the threads sg_copy_threads() allows:
 * each value is computed alone, so any number gives the same rows. */
void sg_interpolate_rows(const double *xv, R_xlen_t n, int d,
                         const int *pa, const int *ne,
                         const double *ga, R_xlen_t G, double *ov, R_xlen_t ldo,
                         int req) {
  int nth = sg_copy_threads(req, (double) G * (double) d);
  if (nth > d) nth = d > 0 ? d : 1;
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(static)
#endif
  for (int j = 0; j < d; j++) {
    const double *col = xv + (R_xlen_t) j * n;
    double *oc = ov + (R_xlen_t) j * ldo;
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
}
