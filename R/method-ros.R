#' @include registry.R generate.R
NULL

# Random oversampling: copies of the class's rows, taken in the same turns
# as SMOTE's parents (draw_in_turns() with no neighbours). With `shrinkage > 0`, the smoothed bootstrap (Menardi
# and Torelli 2014): each copy gets Gaussian noise of standard deviation
# shrinkage * (4 / ((d + 2) n))^(1 / (d + 4)) * sd per numeric column.
finish_copies <- function(values, ctx, bounds) {
  shrinkage <- ctx$settings$shrinkage
  if (shrinkage <= 0) return(values)
  hold_round(smooth_copies(values, ctx$pred, ctx$rows, shrinkage), bounds)
}

# The smoothed bootstrap's noise: per numeric column,
# shrinkage * (4 / ((d + 2) n_c))^(1 / (d + 4)) * sd_c.
smooth_copies <- function(values, pred, rows, shrinkage) {
  d <- ncol(pred$x)
  sds <- column_stats(pred$x, rows)$sd
  sds[!is.finite(sds)] <- 0
  h <- shrinkage * (4 / ((d + 2) * length(rows)))^(1 / (d + 4))
  sd <- matrix(h * sds, nrow(values), d, byrow = TRUE)
  .Call(ffi_add_noise, values, sd)
}

register_method(new_sampler_method(
  name = "ros", family = "copy", rank = 2,
  title = "Random oversampling: copies of real rows; with shrinkage > 0 the smoothed bootstrap (ROSE)",
  reference = "Menardi and Torelli (2014), Data Min Knowl Disc 28",
  params = list(shrinkage = param_number(
    0, "0 for plain copies, or a multiple of the smoothed bootstrap's bandwidth")),
  draw = draw_in_turns, finish = finish_copies,
  kind = function(settings) if (settings$shrinkage > 0) "copy+noise" else "copy"
))
