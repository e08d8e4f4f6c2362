#' @include registry.R generate.R
NULL

# Borderline-SMOTE (Han, Wang and Mao 2005). Among a row's `m_neighbors`
# nearest rows of the whole data, m' are of other classes: m' = m is noise,
# m / 2 <= m' < m is danger, m' < m / 2 is safe. Only danger rows are
# parents; with none, SMOTE's draw is used (the class note "no_danger").
seeds_borderline <- function(ctx) {
  mm <- min(ctx$settings$m_neighbors, ctx$m_all)
  mprime <- rowSums(ctx$other(mm))
  is_danger <- mprime >= mm / 2 & mprime < mm
  danger <- sum(is_danger)
  list(eligible = if (danger > 0) is_danger,
       note = if (danger == 0) "no_danger",
       danger = danger, noise = sum(mprime == mm), safe = sum(mprime < mm / 2))
}

# Type 2 also steps toward the parent's nearest row of another class (one
# candidate among `neighbors + 1`), with a gap in [0, 0.5].
draw_borderline2 <- function(ctx, at, within_at, need, state) {
  other_first <- ctx$other(ctx$settings$m_neighbors)[at, , drop = FALSE]
  other <- ctx$whole$index[cbind(at, max.col(other_first, ties.method = "first"))]
  .Call(ffi_draw_cycle, within_at, as.numeric(need), as.integer(other), 0.5)
}

borderline_m <- param_count(
  10, "nearest rows of the whole data read to find danger and noise rows",
  tune = list(pkg = "dials", fun = "neighbors", range = c(3, 20)))

# Both types: the same seeds and parameter, their own draw.
borderline_method <- function(name, rank, title, draw) {
  new_sampler_method(
    name = name, family = "interpolate", rank = rank, title = title,
    reference = "Han, Wang and Mao (2005), ICIC, LNCS 3644",
    params = list(m_neighbors = borderline_m), seeks_boundary = TRUE,
    whole_neighbors = function(settings) settings$m_neighbors,
    seeds = seeds_borderline, draw = draw
  )
}

register_method(borderline_method(
  "borderline1", 3,
  "Borderline-SMOTE 1: only rows in danger at the class boundary are parents",
  draw_in_turns))

register_method(borderline_method(
  "borderline2", 4,
  "Borderline-SMOTE 2: danger rows, also stepping halfway toward another class",
  draw_borderline2))
