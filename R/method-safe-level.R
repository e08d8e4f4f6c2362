#' @include registry.R
NULL

# Safe-Level-SMOTE (Bunkhumpornpat, Sinapiromsaran and Lursinsap 2009): a
# row's safe level is its own-class count among its `neighbors` nearest rows
# of the whole data; the gap range follows the safe levels of parent and
# neighbour, and a pair of two rows of safe level 0 makes nothing (the
# parent tries its other neighbours). A class that runs out of usable pairs
# ends its rounds short.
seeds_safe_level <- function(ctx) {
  sl <- as.integer(rowSums(!ctx$other(ctx$settings$neighbors)))
  sl_nb <- matrix(sl[match(ctx$within, ctx$rows)], nrow = length(ctx$rows))
  list(eligible = NULL, note = NULL, danger = NA, noise = NA, safe = NA,
       state = list(sl = sl, sl_nb = sl_nb))
}

draw_safe_level <- function(ctx, at, within_at, need, state) {
  .Call(ffi_draw_safe_level, within_at, state$sl[at],
        state$sl_nb[at, , drop = FALSE], as.numeric(need))
}

register_method(new_sampler_method(
  name = "safe_level", family = "interpolate", rank = 6,
  title = "Safe-Level-SMOTE: the gap leans toward the safer of parent and neighbour",
  reference = "Bunkhumpornpat, Sinapiromsaran and Lursinsap (2009), PAKDD, LNCS 5476",
  whole_neighbors = function(settings) settings$neighbors,
  seeds = seeds_safe_level, draw = draw_safe_level, stop_when_short = TRUE
))
