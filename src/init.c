/* Registration only. */
#include "smoteguard.h"

/* (through void (*)(void), the type GCC allows any function pointer to be
 * cast to, so -Wextra does not warn for every routine) */
#define CALLDEF(name, n) {#name, (DL_FUNC) (void (*)(void)) &name, n}

static const R_CallMethodDef CallEntries[] = {
  CALLDEF(ffi_knn_search, 8),
  CALLDEF(ffi_knn_mixed, 9),
  CALLDEF(ffi_knn_path, 1),
  CALLDEF(ffi_draw_cycle, 4),
  CALLDEF(ffi_adasyn_alloc, 2),
  CALLDEF(ffi_draw_counts, 2),
  CALLDEF(ffi_draw_safe_level, 4),
  CALLDEF(ffi_add_noise, 2),
  CALLDEF(ffi_guard_pairs, 6),
  CALLDEF(ffi_guard_intrusion, 11),
  CALLDEF(ffi_guard_bounds, 2),
  CALLDEF(ffi_guard_cap, 2),
  CALLDEF(ffi_rounds_run, 3),
  CALLDEF(ffi_hold_round, 6),
  CALLDEF(ffi_constraints_check, 7),
  CALLDEF(ffi_geometric_make, 6),
  CALLDEF(ffi_classes_neighbors, 10),
  CALLDEF(ffi_metrics_class, 7),
  CALLDEF(ffi_metrics_near, 5),
  CALLDEF(ffi_metrics_mmd, 3),
  CALLDEF(ffi_metrics_duplicates, 2),
  CALLDEF(ffi_metrics_ks, 2),
  CALLDEF(ffi_fidelity_check, 9),
  CALLDEF(ffi_metrics_path, 1),
  CALLDEF(ffi_pair_mean, 2),
  CALLDEF(ffi_condense, 8),
  CALLDEF(ffi_logit_oof, 6),
  CALLDEF(ffi_logit_fit, 3),
  CALLDEF(ffi_score_risks, 4),
  CALLDEF(ffi_same_ranking, 2),
  CALLDEF(ffi_stats_columns, 3),
  CALLDEF(ffi_stats_outside, 3),
  CALLDEF(ffi_stats_quantiles, 2),
  CALLDEF(ffi_record_checksum, 1),
  CALLDEF(ffi_record_extend, 4),
  CALLDEF(ffi_record_numbered, 1),
  CALLDEF(ffi_record_fingerprint, 1),
  CALLDEF(ffi_record_append, 2),
  CALLDEF(ffi_record_clock, 0),
  CALLDEF(ffi_record_seed_restore, 1),
  CALLDEF(ffi_predictors_matrix, 3),
  CALLDEF(ffi_predictors_kinds, 1),
  CALLDEF(ffi_threads_get, 0),
  CALLDEF(ffi_threads_set, 1),
  {NULL, NULL, 0}
};

void R_init_smoteguard(DllInfo *dll) {
  R_registerRoutines(dll, NULL, CallEntries, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
  sg_threads_init();
}
