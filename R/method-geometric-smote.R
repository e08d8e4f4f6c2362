#' @include registry.R generate.R
NULL

# Geometric SMOTE (Douzas and Bacao 2019). Parents take turns, as in SMOTE.
# Each new row has a surface point: by `selection`, one of the parent's
# `neighbors` nearest rows of its class drawn at random ("minority"), the
# parent's nearest row of another class ("majority"), or the nearer of the
# two ("combined", nearer by the radius below; ties to the class's row).
# The row is a point drawn uniformly in the unit hypersphere, reflected
# when it falls on the side `truncation` cuts off, its component
# orthogonal to the parent -> surface direction shrunk by `deformation`,
# scaled by the radius |surface - parent| and moved to the parent, all on
# the distance's scale (src/geometric.c). See vignette("definitions"),
# #geometric-smote.

geometric_selections <- c("combined", "minority", "majority")

# Each row of the class: its nearest row of another class (the surface
# point of "majority" and "combined"), by the distance every search uses.
seeds_geometric <- function(ctx) {
  st <- ctx$settings
  state <- list(enemy = NULL)
  eligible <- NULL
  if (st$selection != "minority") {
    cls <- ctx$yi[ctx$rows[1]]
    other <- which(ctx$yi != cls)
    nn <- knn_rows(ctx$pred, other, 1L, query = ctx$rows, threads = st$threads, cls = cls)
    # a row that shares no observed column with any row of another class
    # has no such surface point
    reach <- is.finite(nn$distance[, 1])
    state$enemy <- ifelse(reach, nn$index[, 1], NA_integer_)
    if (st$selection == "majority") eligible <- reach
  }
  list(eligible = eligible, note = NULL, danger = NA, noise = NA, safe = NA,
       state = state)
}

# Squared radius on the distance's scale between data rows a and b (the
# columns of positive weight observed in both), and how many such columns.
geometric_radius2 <- function(pred, a, b) {
  keep <- pred$scale > 0
  dz <- (pred$x[a, keep, drop = FALSE] - pred$x[b, keep, drop = FALSE]) /
    rep(pred$scale[keep], each = length(a))
  list(r2 = rowSums(dz^2, na.rm = TRUE), q = rowSums(!is.na(dz)))
}

# SMOTE's draw in turns gives each row's parent and same-class neighbour;
# the surface point is then chosen by `selection`.
draw_geometric <- function(ctx, at, within_at, need, state) {
  draw <- .Call(ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
  sel <- ctx$settings$selection
  if (sel == "minority" || length(draw$parent) == 0) return(draw)
  enemy <- state$enemy[at[draw$parent]]
  if (sel == "majority") {
    draw$neighbor <- enemy
    return(draw)
  }
  parent <- ctx$rows[at[draw$parent]]
  has <- !is.na(enemy)
  own <- geometric_radius2(ctx$pred, parent[has], draw$neighbor[has])
  far <- geometric_radius2(ctx$pred, parent[has], enemy[has])
  # the nearer, ties to the class's own row; a surface point sharing no
  # column with the parent is never nearer
  swap <- far$q > 0 & far$r2 < own$r2
  draw$neighbor[which(has)[swap]] <- enemy[has][swap]
  draw
}

make_geometric <- function(ctx, parent, draw, state) {
  st <- ctx$settings
  .Call(ffi_geometric_make, ctx$pred$x, as.double(ctx$pred$scale),
        as.integer(parent), as.integer(draw$neighbor),
        as.double(st$truncation), as.double(st$deformation))
}

register_method(new_sampler_method(
  name = "geometric_smote", family = "interpolate", rank = 9,
  title = "Geometric SMOTE: rows drawn in a truncated, deformed hypersphere around the parent",
  reference = "Douzas and Bacao (2019), Information Sciences 501",
  params = list(
    truncation = sampler_param(
      1, function(x, arg, call) check_between(x, arg, -1, 1, call = call),
      "in [-1, 1]: 1 keeps the half-sphere towards the surface point, 0 the whole sphere, -1 the half away from it",
      invalid = 2),
    deformation = sampler_param(
      0, function(x, arg, call) check_between(x, arg, 0, 1, call = call),
      "in [0, 1]: 0 a sphere, 1 the segment to the surface point (SMOTE's line)"),
    selection = sampler_param(
      "combined", function(x, arg, call) check_choice(x, arg, geometric_selections, call = call),
      "surface point: \"combined\" (the nearer of the two), \"minority\" or \"majority\"")),
  seeds = seeds_geometric, draw = draw_geometric, make = make_geometric,
  kind = function(settings, gap) "geometric"
))
