#' @include registry.R relevance.R
NULL

# SMOTER (Torgo, Ribeiro, Pfahringer and Branco 2013) and SMOGN (Branco,
# Torgo and Ribeiro 2017): oversampling for a numeric outcome. The rows
# sorted by the outcome fall into bins, maximal runs of rare (relevance >=
# rel_threshold, relevance.R) or common rows; each rare bin is raised to
# its target with rows made from pairs of its own rows, and common bins may
# be under-sampled. They run only when asked for by name: sg_oversample()
# hands a method of this family to oversample_numeric() before any of its
# class checks.

param_rel_threshold <- sampler_param(0.8, function(x, arg, call) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && x > 0 && x <= 1
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be a single number in (0, 1].", arg),
               sprintf("It is %s.", describe(x)),
               "Rows whose relevance is at least this are rare; e.g. `rel_threshold = 0.8`."),
             call = call)
  }
  as.numeric(x)
}, "relevance at or above which an outcome value is rare")

param_relevance <- sampler_param(NULL, function(x, arg, call) check_relevance(x, arg, call),
                                 "NULL (box-plot extremes) or control points (y, phi[, slope])")

param_under <- sampler_param(FALSE, function(x, arg, call) {
  ok <- (is.logical(x) && length(x) == 1 && !is.na(x)) ||
    (is.numeric(x) && length(x) == 1 && !is.na(x) && x > 0 && x <= 1)
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be TRUE, FALSE or a number in (0, 1].", arg),
               sprintf("It is %s.", describe(x)),
               "FALSE keeps the common bins, TRUE reduces each to the balanced bin size, a number keeps that share of each."),
             call = call)
  }
  x
}, "FALSE, TRUE (common bins to the balanced size) or the share of common rows kept")

param_pert <- sampler_param(0.02, function(x, arg, call) {
  x <- check_number(x, arg, min = 0, call = call)
  if (x > 1) {
    sg_abort(c(sprintf("`%s` must be a number from 0 to 1.", arg),
               sprintf("It is %s.", describe(x))), call = call)
  }
  x
}, "SMOGN's noise, as a multiple of each column's sd in the bin")

regress_params <- list(rel_threshold = param_rel_threshold, relevance = param_relevance,
                       under = param_under)

register_method(new_sampler_method(
  name = "smoter", family = "regress", rank = 1, outcome = "numeric",
  title = "SMOTER: rare outcome values; rows between two rows of a rare bin, outcome their distance-weighted mean",
  reference = "Torgo, Ribeiro, Pfahringer and Branco (2013), EPIA 2013, LNCS 8154",
  params = regress_params,
  draw = function(ctx) draw_regress(ctx, noise = FALSE),
  kind = function(settings, gap = NULL) "interpolate"
))

register_method(new_sampler_method(
  name = "smogn", family = "regress", rank = 2, outcome = "numeric",
  title = "SMOGN: SMOTER where the neighbour is close, Gaussian noise around the seed where it is far",
  reference = "Branco, Torgo and Ribeiro (2017), PMLR 74 (LIDTA 2017)",
  params = c(regress_params, list(pert = param_pert)),
  draw = function(ctx) draw_regress(ctx, noise = TRUE),
  kind = function(settings, gap = NULL) c("interpolate", "noise")
))

# The outcome of a numeric-outcome method: a plain numeric column with at
# least three distinct values (two are a class coded as numbers).
check_regress_outcome <- function(data, var, method, call = NULL) {
  check_var_name(data, var, call = call)
  y <- data[[var]]
  if (is.factor(y) || is.character(y) || is.logical(y)) {
    sg_abort(c(sprintf("Method \"%s\" is for a numeric outcome; the outcome column `%s` is %s.",
                       method, var, describe(y)),
               "For classes, use a classification method such as `method = \"smote\"` (see `sg_methods()`)."),
             class = c("outcome_type", "input"), call = call)
  }
  check_numeric_outcome_values(y, sprintf("The outcome column `%s`", var), call = call)
  if (length(unique(y)) < 3) {
    sg_abort(c(sprintf("The outcome column `%s` has only %d distinct value(s): it looks like classes coded as numbers, not a numeric outcome.",
                       var, length(unique(y))),
               sprintf("Convert it with `factor()` and use a classification method (e.g. `method = \"smote\"`), not \"%s\".", method)),
             class = c("outcome_type", "input"), call = call)
  }
  invisible(y)
}

# A classification method given a numeric outcome: the error says what to
# do either way (a class coded as numbers, or a real numeric outcome).
# Other problems with `var` are check_var()'s.
check_class_outcome <- function(data, var, call = NULL) {
  if (!is.character(var) || length(var) != 1 || is.na(var) || !any(names(data) == var)) {
    return(invisible())
  }
  y <- .subset2(data, var)  # (the column, without `[[`'s dispatch)
  if (is.numeric(y) && !is.object(y)) {
    sg_abort(c(sprintf("The outcome column `%s` must be a factor or character for this method; it is %s.",
                       var, describe(y)),
               sprintf("If it codes classes (such as 0/1), convert it with `factor()`; if it is a numeric outcome, use `method = \"smoter\"` or `\"smogn\"`."),
               "smoteguard never treats a numeric outcome as classes, nor classes as numbers, unless asked."),
             class = c("outcome_type", "input"), call = call)
  }
  invisible()
}

# `var` names one column of `data` (the type is checked by the caller).
check_var_name <- function(data, var, call = NULL) {
  if (missing(var) || is.null(var) || !is.character(var) || length(var) != 1 ||
      is.na(var) || !var %in% names(data)) {
    sg_abort(c("`var` must name the outcome column of `data`.",
               sprintf("It is %s; columns are: %s.", describe(var),
                       paste(names(data), collapse = ", "))), call = call)
  }
  invisible(var)
}

# The arguments of sg_oversample() these methods cannot honour: a classed
# error that says what to do.
check_regress_unsupported <- function(method, distance, clean, groups, constraints, call) {
  refuse <- function(what, fix) {
    sg_abort(c(sprintf("Method \"%s\" (numeric outcome) does not support %s.", method, what), fix),
             class = c("regress_unsupported", "input"), call = call)
  }
  if (distance != "euclidean") {
    refuse(sprintf("`distance = \"%s\"`", distance), "Use `distance = \"euclidean\"` (the default).")
  }
  if (!is.null(clean)) {
    refuse("`clean`: cleaning removes rows among another class's rows, and a numeric outcome has no classes",
           "Leave `clean` out (`clean = NULL`).")
  }
  if (!is.null(groups)) {
    refuse("`groups`", "Leave `groups` out, or oversample within each group's analysis set with a classification outcome.")
  }
  if (!is.null(constraints) && (!is.null(constraints$rules) || !is.null(constraints$combos))) {
    refuse("constraint `rules` or `combos`",
           "Use `sg_constraints()` with `bounds` and `integer` only, or `constraints = NULL`.")
  }
}

# sg_oversample() for the methods of the "regress" family: the checks, the
# bins and their targets, the rows made (the method's draw, then common
# bins under-sampled), the result and its record.
oversample_numeric <- function(data, var, method, neighbors, over_ratio, seed,
                               rel_threshold, relevance, under, pert, distance,
                               nominal, exclude, clean, guard, constraints,
                               groups, weights, threads, call) {
  started <- proc.time()[["elapsed"]]
  a <- check_numeric_args(data, var, method, neighbors, over_ratio, seed, rel_threshold,
                          relevance, under, pert, distance, nominal, exclude, clean,
                          guard, constraints, groups, weights, threads, call)
  y <- a$y
  pred <- a$pred
  params <- a$params
  control <- relevance_control(y, params$relevance)
  bins <- outcome_bins(y, relevance_values(y, control), params$rel_threshold, method, call)
  pred$penalty <- nominal_penalty(pred, factor(bins$bin, seq_along(bins$label), bins$label))
  targets <- regress_targets(bins$size, bins$rare, over_ratio, params$under)
  check_result_size(as.numeric(nrow(data)) + sum(targets - pmin(targets, bins$size)),
                    "The result's rows", bytes = 8 * ncol(data),
                    hint = "Use a smaller `over_ratio`.", call = call)

  local_seed(a$seed)
  rng_kind <- RNGkind()
  settings <- list(method = method, var = var, neighbors = a$neighbors,
                   over_ratio = over_ratio, rel_threshold = params$rel_threshold,
                   relevance = params$relevance, under = params$under,
                   pert = if (method == "smogn") params$pert,
                   distance = a$distance, nominal = a$nominal, exclude = pred$exclude,
                   clean = NULL, groups = NULL, weights = weights, guard = NULL,
                   constraints = constraints, threads = a$threads)
  checked <- proc.time()[["elapsed"]]
  ctx <- list(pred = pred, y = y, bins = bins, targets = targets,
              settings = settings, bounds = regress_bounds(constraints, pred, y, bins))
  gen <- sampler_method(method)$draw(ctx)
  removed_rows <- undersample_bins(bins, targets)
  generated <- proc.time()[["elapsed"]]

  # the input summary and the fidelity check before the result is
  # assembled, as in oversample_result() (their scratch is then reused by
  # the next call)
  input <- input_summary(pred, nrow(data), a$threads)
  summarised <- proc.time()[["elapsed"]]
  fidelity <- fidelity_check(pred, bins$bin, bins$label, gen, NULL, a$threads)
  fidelity_msg <- fidelity_warning(fidelity, call)
  checked_early <- proc.time()[["elapsed"]]
  out <- numeric_result(data, var, pred, gen, settings, removed_rows)
  finished <- proc.time()[["elapsed"]]

  record <- numeric_record(
    out, data, pred, gen, bins, targets, removed_rows, settings, a$seed, rng_kind,
    params, control, fidelity, c(gen$warnings, fidelity_msg),
    c(checks = checked - started, generate = generated - checked,
      assemble = (summarised - generated) + (finished - checked_early),
      fidelity = checked_early - summarised,
      total = finished - started), input)
  attr(out, "smoteguard") <- record
  out
}

# The arguments of oversample_numeric(), checked in the order of the
# messages a user meets; returns what the later steps read (the outcome,
# the checked settings, the method's parameters, the prepared predictors).
check_numeric_args <- function(data, var, method, neighbors, over_ratio, seed,
                               rel_threshold, relevance, under, pert, distance,
                               nominal, exclude, clean, guard, constraints,
                               groups, weights, threads, call) {
  check_data_frame(data, call = call)
  y <- check_regress_outcome(data, var, method, call = call)
  check_no_guard(guard, method, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  ok_ratio <- is.numeric(over_ratio) && length(over_ratio) == 1 && is.null(names(over_ratio)) &&
    !is.na(over_ratio) && is.finite(over_ratio) && over_ratio > 0
  if (!ok_ratio) {
    sg_abort(c("`over_ratio` must be one positive number for a numeric outcome.",
               sprintf("It is %s.", describe(over_ratio)),
               "Each rare bin is raised to `over_ratio` times the balanced bin size (rows / bins); bins have no names to set them one by one."),
             call = call)
  }
  distance <- check_choice(distance, "distance", c("euclidean", "gower"), call = call)
  nominal <- check_choice(nominal, "nominal", c("draw", "vote"), call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)
  params <- check_method_params(method, list(rel_threshold = rel_threshold,
                                             relevance = relevance, under = under,
                                             pert = pert), call = call)
  if (!is.null(constraints) && !inherits(constraints, "sg_constraints")) {
    sg_abort(c("`constraints` must be made by `sg_constraints()`, or NULL.",
               sprintf("It is %s.", describe(constraints))), call = call)
  }
  check_regress_unsupported(method, distance, clean, groups, constraints, call)
  check_weights(weights, data, var, NULL, call = call)
  pred <- prepare_predictors(data, var, exclude = exclude, distance = distance,
                             keep_out = weights, call = call, threads = threads)
  if (pred$has_na) {
    sg_abort(c(sprintf("Method \"%s\" does not support missing predictor values; `data` has some.", method),
               "Impute them first (e.g. `recipes::step_impute_median()`), or drop those rows."),
             class = c("regress_missing", "input"), call = call)
  }
  list(y = y, neighbors = neighbors, distance = distance, nominal = nominal, seed = seed,
       threads = threads, params = params, pred = pred)
}

# The result: the real rows, then the made ones with their outcome, less
# the common rows under-sampled (`removed_rows`).
numeric_result <- function(data, var, pred, gen, settings, removed_rows) {
  out <- assemble_result(data, pred, gen, settings)
  n <- nrow(data)
  G <- length(gen$parent)
  if (G > 0) out[[var]][n + seq_len(G)] <- gen$y
  if (length(removed_rows) > 0) out <- out[-removed_rows, , drop = FALSE]
  out
}

# The record of a numeric-outcome call: the common record (the bins in the
# place of classes), the relevance and the bins' table.
numeric_record <- function(out, data, pred, gen, bins, targets, removed_rows, settings,
                           seed, rng_kind, params, control, fidelity, warnings, timings,
                           input = NULL) {
  n <- nrow(data)
  G <- length(gen$parent)
  levels <- bins$label
  provenance <- new_frame(list(
    row = n - length(removed_rows) + seq_len(G),
    class = codes_factor(gen$class, levels),
    parent = as.integer(gen$parent), neighbor = as.integer(gen$neighbor),
    gap = as.double(gen$gap), kind = gen$kind))
  removed <- new_frame(list(row = as.integer(removed_rows),
                            class = codes_factor(bins$bin[removed_rows], levels)))
  added <- tabulate(gen$class, length(levels))
  lost <- tabulate(bins$bin[removed_rows], length(levels))
  after <- bins$size + added - lost
  record <- new_record(
    settings = settings, seed = seed, rng_kind = rng_kind, levels = levels,
    counts_before = bins$size, targets = targets, counts_after = after,
    n_input = n, pred = pred, provenance = provenance, classes = gen$info,
    removed = removed, guard = NULL, timings = timings,
    result = out, warnings = warnings, fidelity = fidelity,
    known = NULL, fingerprint = data_fingerprint(data), input = input)
  record$outcome <- "numeric"
  record$relevance <- list(
    method = if (is.null(params$relevance)) "boxplot" else "user",
    control = control, threshold = params$rel_threshold)
  record$bins <- new_frame(list(
    bin = codes_factor(seq_along(levels), levels), rare = bins$rare,
    lower = bins$lower, upper = bins$upper, before = bins$size,
    target = as.integer(targets), after = as.integer(after),
    added = added, removed = lost))
  record
}

# The bins: the rows sorted by the outcome (ties in row order), cut where
# the rare / common status changes. Returns each row's bin number and per
# bin its label, status, size and outcome range.
outcome_bins <- function(y, phi, threshold, method, call = NULL) {
  rare <- phi >= threshold
  if (all(rare) || !any(rare)) {
    sg_abort(c(sprintf("No bins to balance: %s outcome value has relevance >= `rel_threshold` = %s.",
                       if (all(rare)) "every" else "no", format(threshold)),
               if (all(rare)) "Raise `rel_threshold`, or give `relevance` control points that leave common values at relevance 0."
               else "Lower `rel_threshold`, or give `relevance` control points (a matrix of y and phi) that mark the values you care about."),
             class = c("no_rare", "input"), call = call)
  }
  ord <- order(y)
  run <- cumsum(c(TRUE, rare[ord][-1] != rare[ord][-length(ord)]))
  bin <- integer(length(y))
  bin[ord] <- run
  nb <- max(run)
  first <- ord[!duplicated(run)]
  status <- rare[first]
  lower <- y[first]
  upper <- y[ord[!duplicated(run, fromLast = TRUE)]]
  list(bin = bin, rare = status, size = tabulate(bin, nb),
       lower = as.numeric(lower), upper = as.numeric(upper),
       label = sprintf("bin%d_%s", seq_len(nb), ifelse(status, "rare", "common")))
}

# Targets (UBL's "balance"): B = rows / bins; a rare bin is raised to
# round(over_ratio * B) (never lowered); a common bin is kept (under =
# FALSE), reduced to round(B) (TRUE) or to round(under * size), at least 1.
regress_targets <- function(size, rare, over_ratio, under) {
  B <- sum(size) / length(size)
  target <- size
  target[rare] <- pmax(size[rare], round(over_ratio * B))
  common <- !rare
  if (isTRUE(under)) {
    target[common] <- pmin(size[common], round(B))
  } else if (is.numeric(under)) {
    target[common] <- pmax(1, round(under * size[common]))
  }
  target
}

# Common bins above their target lose rows at random: the bins in order,
# each a sample without replacement of its rows. Returns the removed rows,
# in data order.
undersample_bins <- function(bins, targets) {
  out <- integer(0)
  for (b in which(!bins$rare & targets < bins$size)) {
    rows <- which(bins$bin == b)
    keep <- rows[sample.int(length(rows), targets[b])]
    out <- c(out, setdiff(rows, keep))
  }
  sort(out)
}

# Bounds that noise rows are held to (interpolated rows stay between their
# parents): `bounds = "observed"` holds each numeric predictor and the
# outcome to the bin's range; a list holds the named predictors; "none" or
# no constraints, nothing.
regress_bounds <- function(constraints, pred, y, bins) {
  if (is.null(constraints) || identical(constraints$bounds, "none")) return(NULL)
  d <- ncol(pred$x)
  if (identical(constraints$bounds, "observed")) {
    return(list(observed = TRUE))
  }
  lower <- rep(-Inf, d)
  upper <- rep(Inf, d)
  b <- constraints$bounds
  j <- match(names(b), pred$names)
  lower[j[!is.na(j)]] <- vapply(b[!is.na(j)], `[[`, 0, 1L)
  upper[j[!is.na(j)]] <- vapply(b[!is.na(j)], `[[`, 0, 2L)
  list(observed = FALSE, lower = lower, upper = upper)
}

# The bounds of one bin's noise rows: numeric predictors and the outcome.
bin_bounds <- function(bounds, pred, y, rows) {
  if (is.null(bounds)) return(NULL)
  if (!bounds$observed) {
    return(list(lower = bounds$lower, upper = bounds$upper, y = c(-Inf, Inf)))
  }
  s <- column_stats(pred$x, rows)
  list(lower = s$min, upper = s$max, y = range(y[rows]))
}

# The rows of every rare bin below its target, made by the rounds of the
# generation pipeline (src/rounds.c, as a class's rows are): each bin is a
# class of the rounds, with one round, no guard and no constraint checks,
# and the outcome is carried as one more column of values (interpolated
# with the predictors, copied with a copy, moved by SMOGN's noise).
# Random numbers are drawn bin by bin in the order of the outcome, per
# bin: the parents (whole random permutations of the bin's rows, as many as
# needed, cut to the rows wanted), the neighbour of each (uniform among the
# k nearest), the gap of each (uniform in [0, 1]) (regress_draw()), the
# nominal values (the rounds' SMOTE-NC draw, with nominal predictors), then
# for SMOGN the noise rows' standard normal deviates (regress_noise()).
draw_regress <- function(ctx, noise) {
  bins <- ctx$bins
  todo <- which(bins$rare & ctx$targets > bins$size)
  setups <- lapply(todo, function(b) regress_bin_setup(ctx, b, noise))
  made <- regress_rounds(ctx, setups)
  regress_finish(ctx, setups, made)
}

# One rare bin b as a class of the rounds: its rows, its k nearest rows
# within the bin (the interpolation's neighbours and the nominal draw's
# candidates; none for a bin of one row, whose rows are copies), and its
# hooks: the draw (regress_draw()) and, for SMOGN, the noise
# (regress_noise()), which reads the draw of the same round.
regress_bin_setup <- function(ctx, b, noise) {
  pred <- ctx$pred
  s <- ctx$settings
  rows <- which(ctx$bins$bin == b)
  p <- length(rows)
  G <- ctx$targets[b] - p
  k <- min(s$neighbors, p - 1L)
  nn <- if (k > 0) knn_rows(pred, rows, k, threads = s$threads, cls = b)
  round_state <- new.env(parent = emptyenv())
  draw <- function(at, within_at, need) regress_draw(nn, p, k, G, noise, round_state)
  finish <- if (noise && k > 0) {
    num <- cbind(pred$x[rows, , drop = FALSE], ctx$y[rows])
    sds <- column_stats(num)$sd
    sds[!is.finite(sds)] <- 0
    bounds <- bin_bounds(ctx$bounds, pred, ctx$y, rows)
    function(values) regress_noise(values, round_state, sds, s$pert, bounds)
  }
  input <- rounds_classes(b, list(rows), list(if (k > 0) nn$index else matrix(integer(0), p, 0)),
                          G, interpolating = k > 0, draw = list(draw),
                          finish = list(finish))
  list(input = input, bin = b, rows = rows, k = k, G = G)
}

# A bin's draw (the rounds' draw hook): parents as positions among the
# bin's rows, the neighbour (a data row) and the gap. A bin of one row
# draws copies (no neighbour, no gap). SMOGN: a neighbour farther than half
# the median distance to the seed's k neighbours is not safe; the row is
# then the seed plus noise (no neighbour, no gap: the rounds copy the seed,
# regress_noise() moves it), and `state` keeps which rows these are and
# how far each may move.
regress_draw <- function(nn, p, k, G, noise, state) {
  cycles <- ceiling(G / p)
  pos <- unlist(lapply(seq_len(cycles), function(i) sample.int(p)))[seq_len(G)]
  if (k == 0) {
    return(list(parent = pos, neighbor = rep(NA_integer_, G), gap = rep(NA_real_, G)))
  }
  j <- sample.int(k, G, replace = TRUE)
  gap <- stats::runif(G)
  neighbor <- nn$index[cbind(pos, j)]
  if (noise) {
    max_d <- row_medians(nn$distance) / 2
    far <- !(nn$distance[cbind(pos, j)] < max_d[pos])
    state$far <- far
    state$max_d <- max_d[pos[far]]
    neighbor[far] <- NA_integer_
    gap[far] <- NA_real_
  }
  list(parent = pos, neighbor = neighbor, gap = gap)
}

# SMOGN's noise rows (the rounds' finish hook): the seeds' values (numeric
# predictors, then the outcome) plus Gaussian noise of sd min(max_d, pert)
# times the bin's sd per column, held to the bounds (NULL: none); the
# rounds round them afterwards.
regress_noise <- function(values, state, sds, pert, bounds) {
  far <- state$far
  if (!any(far)) return(values)
  m <- sum(far)
  z <- matrix(stats::rnorm(m * ncol(values)), m, ncol(values))
  amount <- pmin(state$max_d, pert)
  moved <- values[far, , drop = FALSE] + z * outer(amount, sds)
  if (!is.null(bounds)) {
    bounds <- list(lower = c(bounds$lower, bounds$y[1]), upper = c(bounds$upper, bounds$y[2]))
  }
  values[far, ] <- hold_round(moved, bounds)
  values
}

# Every bin's rounds in one C call (generate.R's rounds_run()), on the
# predictors with the outcome as one more column (never rounded: an
# integer outcome is rounded once its values are final, regress_finish()).
regress_rounds <- function(ctx, setups) {
  pred <- ctx$pred
  bin <- ctx$bins$bin
  rows_of <- split_rows(bin, length(ctx$bins$size))
  pos <- integer(length(bin))
  pos[unlist(rows_of, use.names = FALSE)] <- sequence(lengths(rows_of))
  with_y <- pred
  with_y$x <- cbind(pred$x, as.double(ctx$y))
  with_y$center <- c(pred$center, 0)
  with_y$scale <- c(pred$scale, 1)
  plan <- list(rounding = rounding_plan(pred, ctx$settings$constraints),
               vote = if (ctx$settings$nominal == "vote") 1L else 0L)
  rounds_run(with_y, bin, pos, plan, ctx$settings, rounds_stack(lapply(setups, `[[`, "input")))
}

# The made rows (`made`: rounds_run()'s answer) as the method's result: the
# provenance kind of each row, the noise rows' nominal values (their
# seed's), the outcome (SMOTER: the distance-weighted mean of the two
# outcomes, weights the other row's distance to the new row; a copy's or a
# noise row's own), and the bins' info and warnings.
regress_finish <- function(ctx, setups, made) {
  pred <- ctx$pred
  bins <- ctx$bins
  s <- ctx$settings
  rows <- made$rows
  d <- ncol(pred$x)
  n_made <- made$counts$made
  bin <- rows$class
  single <- vapply(setups, function(st) st$k == 0, NA)
  copy <- bin %in% vapply(setups[single], function(st) st$bin, 0L)
  noise <- is.na(rows$neighbor) & !copy
  kind <- rep("interpolate", length(bin))
  kind[noise] <- "noise"
  kind[copy] <- "copy"
  codes <- rows$codes
  if (ncol(codes) > 0 && any(noise)) codes[noise, ] <- pred$codes[rows$parent[noise], , drop = FALSE]
  values <- rows$values[, seq_len(d), drop = FALSE]
  # a copy is its parent's real values: the rounds round every row made,
  # and a column named in `integer` may hold fractions in the data
  if (any(copy)) values[copy, ] <- pred$x[rows$parent[copy], , drop = FALSE]
  new_y <- rows$values[, d + 1L]
  mean_y <- !copy & !noise
  for (b in unique(bin[mean_y])) {
    at <- which(mean_y & bin == b)
    parent <- rows$parent[at]
    neighbor <- rows$neighbor[at]
    d1 <- row_distance(pred, values[at, , drop = FALSE], codes[at, , drop = FALSE], parent, b)
    d2 <- row_distance(pred, values[at, , drop = FALSE], codes[at, , drop = FALSE], neighbor, b)
    y <- ctx$y
    new_y[at] <- ifelse(d1 + d2 > 0, (d2 * y[parent] + d1 * y[neighbor]) / (d1 + d2),
                        (y[parent] + y[neighbor]) / 2)
  }
  if (is.integer(ctx$y)) new_y <- as.integer(round(new_y))
  info <- list()
  notes <- list()
  for (i in seq_along(setups)) {
    st <- setups[[i]]
    label <- bins$label[st$bin]
    info[[i]] <- list(
      class = label, seeds = length(st$rows), neighbors_used = st$k,
      wanted = as.integer(st$G), made = n_made[i],
      interpolated = sum(bin == st$bin & kind == "interpolate"),
      noise = sum(bin == st$bin & kind == "noise"))
    if (length(st$rows) == 1) notes$single <- c(notes$single, label)
    if (length(st$rows) > 1 && st$k < s$neighbors) notes$small <- c(notes$small, label)
  }
  made_all <- integer(length(bins$size))
  made_all[vapply(setups, function(st) st$bin, 0L)] <- n_made
  notes$many <- many_raised(made_all, bins$size, bins$label)
  list(class = bin, parent = rows$parent, neighbor = rows$neighbor, gap = rows$gap,
       kind = kind, y = new_y, values = values, codes = codes,
       info = if (length(info) > 0) bind_rows(info),
       warnings = class_warnings(notes, s, NULL))
}

# The distance from made rows to real rows (`to`, data rows), as the
# neighbour search measures it: standardised Euclidean, plus the SMOTE-NC
# penalty of bin b per nominal mismatch on the squared scale.
row_distance <- function(pred, values, codes, to, b) {
  keep <- pred$scale > 0
  diff <- (values[, keep, drop = FALSE] - pred$x[to, keep, drop = FALSE]) /
    rep(pred$scale[keep], each = length(to))
  d2 <- rowSums(diff * diff)
  if (ncol(codes) > 0) {
    pen <- pred$penalty[[b]]
    d2 <- d2 + pen * rowSums(codes != pred$codes[to, , drop = FALSE])
  }
  sqrt(d2)
}

# Each row's median (a k-NN distance matrix: k is small).
row_medians <- function(m) {
  if (ncol(m) == 1) return(m[, 1])
  s <- t(apply(m, 1, sort))
  k <- ncol(m)
  if (k %% 2 == 1) s[, (k + 1) / 2] else (s[, k / 2] + s[, k / 2 + 1]) / 2
}
