#' @include registry.R
NULL

# ADASYN (He, Bai, Garcia and Li 2008): the rows made from each parent are
# proportional to r_i = a_i / k, the share of other classes among its
# `neighbors` nearest rows of the whole data; the counts add up to the
# target exactly (largest remainders, ties to the earlier row). With no
# other class near any row, SMOTE's draw is used (the note "adasyn_flat").
seeds_adasyn <- function(ctx) {
  r <- as.integer(rowSums(ctx$other(ctx$settings$neighbors)))
  flat <- !any(r > 0)
  list(eligible = if (!flat) r > 0, note = if (flat) "adasyn_flat",
       danger = NA, noise = NA, safe = NA, state = list(r = r))
}

draw_adasyn <- function(ctx, at, within_at, need, state) {
  .Call(ffi_draw_counts, within_at,
        .Call(ffi_adasyn_alloc, state$r[at], as.numeric(need)))
}

register_method(new_sampler_method(
  name = "adasyn", family = "interpolate", rank = 5,
  title = "ADASYN: more rows from parents with more rows of other classes nearby",
  reference = "He, Bai, Garcia and Li (2008), IJCNN",
  seeks_boundary = TRUE,
  whole_neighbors = function(settings) settings$neighbors,
  seeds = seeds_adasyn, draw = draw_adasyn
))
