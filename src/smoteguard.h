/* Umbrella header for smoteguard's C core.
 * R_NO_REMAP first, so that every R API name carries its Rf_ prefix. */
#ifndef SMOTEGUARD_H
#define SMOTEGUARD_H

#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <stdint.h>
#include <math.h>

/* a function the compiler must inline (its constant arguments then shape
 * its loops) */
#if defined(__GNUC__)
#define SG_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define SG_ALWAYS_INLINE inline
#endif

/* OpenMP shim (the data.table way): the code builds and runs serially
 * where the compiler has no OpenMP. */
#ifdef _OPENMP
#include <omp.h>
#else
static inline int omp_get_thread_num(void) { return 0; }
static inline int omp_get_max_threads(void) { return 1; }
#endif

/* threads.c */
void sg_threads_init(void);
SEXP ffi_threads_get(void);
SEXP ffi_threads_set(SEXP n);

/* Below this many distance evaluations a parallel region costs more
 * than it saves; the work runs on one thread. */
#define SG_MIN_PARALLEL_WORK 2000000.0

int sg_threads_for(int requested, double work);

/* The threads a copy of `values` values into fresh memory takes: one
 * below SG_COPY_MIN values (waking a thread costs more than the copy),
 * else those sg_threads_for() allows for the request (a count already
 * decided is kept). */
#define SG_COPY_MIN 65536.0
int sg_copy_threads(int requested, double values);

/* knn.c */
void sg_knn_search(const double *ref, R_xlen_t n, int d,
                   const double *query, R_xlen_t m, int k, int self,
                   const int *exclude, const double *center,
                   const double *scale, int farthest, int *out_index,
                   double *out_dist, int nthreads);

SEXP ffi_knn_search(SEXP x, SEXP query, SEXP k, SEXP center, SEXP scale,
                    SEXP threads, SEXP exclude, SEXP farthest);
SEXP ffi_knn_mixed(SEXP num, SEXP codes, SEXP qnum, SEXP qcodes, SEXP k,
                   SEXP cost, SEXP metric, SEXP threads, SEXP exclude);

/* sample.c */
SEXP ffi_draw_cycle(SEXP neighbors, SEXP n_new, SEXP other, SEXP other_gap);
SEXP ffi_adasyn_alloc(SEXP r, SEXP n_new);
SEXP ffi_draw_counts(SEXP neighbors, SEXP counts);
SEXP ffi_draw_safe_level(SEXP neighbors, SEXP sl_parent, SEXP sl_neighbor,
                         SEXP n_new);
SEXP ffi_add_noise(SEXP values, SEXP sd);
int sg_usable_counts(const int *nn, int P, int k, int *cnt);
void sg_permutation(int *perm, int p);
void sg_cycle(const int *nn, int P, int k, const int *usable,
              const int *ot, double ogap, R_xlen_t G, int *perm,
              int *pa, int *ne, double *ga);
void sg_interpolate_rows(const double *xv, R_xlen_t n, int d,
                         const int *pa, const int *ne,
                         const double *ga, R_xlen_t G, double *ov, R_xlen_t ldo,
                         int req);
void sg_nominal_values(const int *cd, R_xlen_t n, int dc, const int *cand,
                       R_xlen_t G, int nc, int md, int *ov, R_xlen_t ldo);
void sg_add_noise(double *v, const double *sd, R_xlen_t n);

/* geometric.c */
SEXP ffi_geometric_make(SEXP x, SEXP scale, SEXP parent, SEXP surface,
                        SEXP truncation, SEXP deformation);

/* guard.c: the local intrusion check's class neighbourhoods and the
 * candidates' ends */
typedef struct {
  const int *pa, *ne;   /* per candidate: parent and neighbour (1-based) */
  const int *wh;        /* r x m: the m nearest data rows of each class row */
  const int *po;        /* per data row: its row of wh (1-based, 0 none) */
  const int *yv;        /* per data row: its class */
  R_xlen_t n, r;
  int m, cl;
} sg_local_rows;
void sg_finite_or_missing(const double *v, R_xlen_t len);
int sg_scaled_columns(const double *sca, int dx, int *cols);
double *sg_rows_standardised(const double *xv, R_xlen_t n, const int *cols,
                             int d, const double *cen, const double *sca,
                             int nth);
void sg_local_shares(const sg_local_rows *lr, const double *zr, int d,
                     const int *cols, const double *cen, const double *sca,
                     const double *cv, R_xlen_t ldc, const R_xlen_t *sel,
                     R_xlen_t G, double *ov, int nth);
int sg_local_threads(int req, R_xlen_t G, int m, int d, R_xlen_t n);
SEXP ffi_guard_pairs(SEXP index, SEXP dist, SEXP parents, SEXP group, SEXP k,
                     SEXP max_dist);
SEXP ffi_guard_intrusion(SEXP x, SEXP cand, SEXP center, SEXP scale,
                         SEXP parent, SEXP neighbor, SEXP whole, SEXP pos,
                         SEXP y, SEXP cls, SEXP threads);

SEXP ffi_guard_bounds(SEXP x, SEXP rows);
SEXP ffi_guard_cap(SEXP x, SEXP prob);
void sg_pairs_keep(const int *ix, const double *dv, const int *pa,
                   const int *gr, int p, int kq, int kk, double md,
                   int *oi, double *removed);
double sg_quantile7(double *buf, R_xlen_t n, double p);

/* classes.c: the pipeline's neighbourhoods of every class in one call */
SEXP ffi_classes_neighbors(SEXP x, SEXP center, SEXP scale, SEXP rows,
                           SEXP k, SEXP kq, SEXP group, SEXP max_gap, SEXP m,
                           SEXP threads);

/* rounds.c */
SEXP ffi_rounds_run(SEXP data, SEXP classes, SEXP threads);
SEXP ffi_hold_round(SEXP values, SEXP lower, SEXP upper, SEXP whole, SEXP ordered,
                    SEXP top);
SEXP ffi_constraints_check(SEXP values, SEXP codes, SEXP rows, SEXP lower, SEXP upper,
                           SEXP combos, SEXP rules);

/* metrics.c */
SEXP ffi_metrics_class(SEXP syn, SEXP whole, SEXP y, SEXP cls, SEXP k,
                       SEXP threads, SEXP known);
SEXP ffi_metrics_near(SEXP x, SEXP rows, SEXP radius, SEXP directions,
                      SEXP threads);
SEXP ffi_metrics_mmd(SEXP real, SEXP syn, SEXP threads);
SEXP ffi_metrics_duplicates(SEXP real, SEXP syn);

/* tests.c: the test switches and what they set */
SEXP ffi_knn_path(SEXP path);
SEXP ffi_metrics_path(SEXP path);
int sg_knn_path(void);
int sg_metrics_path(void);

/* calibration.c */
int sg_logit_fit(const double *x, const double *y, const double *offset, int n, int p,
                 double *coef, int *converged);
SEXP ffi_logit_fit(SEXP x, SEXP y, SEXP offset);
SEXP ffi_score_risks(SEXP y, SEXP p, SEXP threshold, SEXP ranking);
SEXP ffi_same_ranking(SEXP p, SEXP q);

/* condense.c */
SEXP ffi_condense(SEXP x, SEXP center, SEXP scale, SEXP yi, SEXP cand,
                  SEXP near, SEXP dist, SEXP threads);

/* pairs.c */
double sg_pair_mean(const double *x, R_xlen_t n, int d, int nthreads);
SEXP ffi_pair_mean(SEXP x, SEXP threads);

/* logit.c */
SEXP ffi_logit_oof(SEXP x, SEXP center, SEXP scale, SEXP y, SEXP fold,
                   SEXP threads);

/* stats.c */
void sg_column_stats(const double *x, R_xlen_t n, int d, const int *rows,
                     R_xlen_t m, double *mean, double *sd, double *min,
                     double *max, double *missing);
void sg_mean_sd(const double *v, R_xlen_t m, double *mean, double *sd);
void sg_rows_outside(const double *values, R_xlen_t m, int d,
                     const double *lower, const double *upper, int *out);
SEXP ffi_stats_columns(SEXP x, SEXP rows, SEXP threads);
SEXP ffi_stats_outside(SEXP values, SEXP lower, SEXP upper);
/* sg_sort_values()'s scratch for one thread: 2 keys a value, and the wide
 * sort's counters (NULL below SG_RADIX_MIN values) */
typedef struct {
  uint64_t *keys;
  R_xlen_t *count;
} sg_sort_work;
void sg_column_quantiles(const double *v, R_xlen_t n, double *buf, const sg_sort_work *w,
                         double *q, double *counts, double *missing);
SEXP ffi_stats_quantiles(SEXP x, SEXP threads);
SEXP ffi_metrics_ks(SEXP real, SEXP syn);
/* the number of values from which sg_sort_values() takes digits of
 * SG_RADIX_WIDE bits (bytes below), and the counters that sort needs (its
 * passes x digit values) */
#define SG_RADIX_MIN 2048
#define SG_RADIX_WIDE 11
#define SG_KS_COUNT (6 * 2048)
#if SG_KS_COUNT < ((64 + SG_RADIX_WIDE - 1) / SG_RADIX_WIDE) * (1 << SG_RADIX_WIDE)
#error "SG_KS_COUNT must hold a counter per pass and digit value of the wide radix sort"
#endif
R_xlen_t sg_gather_values(const double *x, const int *rows, R_xlen_t n,
                          double *out);
void sg_sort_values(double *v, R_xlen_t m, const sg_sort_work *w);
sg_sort_work *sg_sort_scratch(R_xlen_t m, int copies);
double sg_ks_values(const double *a, R_xlen_t na, const double *b, R_xlen_t nb);

/* fidelity.c */
SEXP ffi_fidelity_check(SEXP x, SEXP y, SEXP syn_class, SEXP values,
                        SEXP codes, SEXP syn_codes, SEXP n_levels,
                        SEXP n_classes, SEXP threads);

/* record.c */
SEXP ffi_record_checksum(SEXP x);
SEXP ffi_record_extend(SEXP cols, SEXP values, SEXP which, SEXP threads);
SEXP ffi_record_numbered(SEXP x);
SEXP ffi_record_fingerprint(SEXP x);
SEXP ffi_record_append(SEXP path, SEXP text);
SEXP ffi_record_clock(void);
SEXP ffi_record_seed_restore(SEXP old);
uint64_t sg_row_hash(const double *x, int p);

/* memory.c: large fresh buffers about to be written whole get huge pages
 * where Linux offers them on request */
void sg_fresh_buffer(void *p, size_t bytes);
void sg_fresh_vector(SEXP x);
SEXP ffi_predictors_matrix(SEXP cols, SEXP n, SEXP threads);
SEXP ffi_predictors_kinds(SEXP cols);

/* utils.c: argument checks, the named-list builder */
void sg_check_double_matrix(SEXP x, const char *what);
void sg_center_scale_args(SEXP center, SEXP scale, int d, int optional,
                          const double **cen, const double **sc);
int sg_int_scalar(SEXP x, const char *what);
double sg_num_scalar(SEXP x, const char *what);
int sg_all_finite(const double *x, R_xlen_t n);
void sg_check_rows(SEXP x, const char *what, int d);
int sg_rows_arg(SEXP x, const char *what);
int sg_real_syn_columns(SEXP real, SEXP syn);
R_xlen_t sg_query_arg(SEXP query, int d);
const int *sg_exclude_arg(SEXP exclude, int self, R_xlen_t m, R_xlen_t n);
int sg_k_arg(SEXP k, R_xlen_t n, int excluding);
int sg_flag_arg(SEXP x, const char *what);
SEXP sg_named_list(int n, const SEXP *values, const char **names);

#endif
