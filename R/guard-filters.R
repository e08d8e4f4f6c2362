# The guard's filters as the pipeline applies them (sg_guard() and its
# checks are in guard.R): the report's settings (its counters are
# classes_setup()'s and the rounds'), the intrusion threshold in force and
# the exact intrusion search the rounds call back. The rounds themselves
# (jitter, bounds, local intrusion check) are in src/rounds.c.

no_guard_settings <- list(min_safety = NA_real_, max_gap = NA_real_,
                          jitter = NA_real_, intrusion = NA_real_,
                          max_tries = NA_integer_)

guard_settings <- function(guard, intrusion) {
  if (is.null(guard)) return(no_guard_settings)
  list(min_safety = guard$min_safety, max_gap = guard$max_gap,
       jitter = guard$jitter, intrusion = intrusion, max_tries = guard$max_tries)
}

# The intrusion threshold in force: the user's, or by default 0.95 (with
# up to 19 neighbours: a candidate none of whose nearest real rows is of
# its class), except for the methods that seek the boundary on purpose.
guard_intrusion_level <- function(guard, def) {
  if (is.null(guard)) return(NA_real_)
  if (!is.null(guard$intrusion)) return(guard$intrusion)
  if (def$seeks_boundary) return(NA_real_)
  0.95
}

# Share of other classes among each candidate's m nearest real rows, by
# the exact search (mixed data, Gower's distance, `intrusion_search =
# "exact"`, a method's own maker): the rounds (src/rounds.c) call it back;
# they run the local search themselves.
intrusion_exact <- function(pred, values, codes, yi, cl, settings) {
  m <- min(settings$m_neighbors, length(yi) - 1L)
  nn <- knn_values(pred, values, codes, m, settings$threads, cl)
  rowMeans(matrix(yi[nn$index] != cl, nrow = nrow(values)))
}

# Neighbours among all real rows of candidate rows given by their values.
knn_values <- function(pred, values, codes, k, threads, cls) {
  if (!pred$mixed) {
    return(.Call(ffi_knn_search, pred$x, values, k, pred$center, pred$scale,
                 threads, NULL, FALSE))
  }
  zc <- standardized(pred, values)
  costs <- mixed_costs(pred, cls)
  .Call(ffi_knn_mixed, pred$z, pred$codes, zc, codes, k, costs$cost,
        costs$metric, threads, NULL)
}

