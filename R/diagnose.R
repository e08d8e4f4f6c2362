#' Diagnose synthetic rows: plausible, diverse, not copies?
#'
#' Measures, class by class, how synthetic rows relate to the real rows they
#' imitate: whether they sit on real rows (copies), inside the real rows'
#' neighbourhoods (precision, density), spread over all of them (recall,
#' coverage, parent concentration), among another class's rows (intrusion),
#' and whether their marginal and joint distributions match (Kolmogorov-
#' Smirnov, moments, total variation, correlations, MMD). Every neighbour
#' search and pair scan runs in C; no synthetic-by-real distance matrix is
#' ever formed.
#'
#' @section Rows and scale:
#' For each class `c`, `S` are its synthetic rows and `R` its real rows.
#' Numeric predictors (integer, double, ordered factors on their rank) are
#' standardised as the oversampling was: centred and scaled by the mean and
#' standard deviation of all real rows of the data (every class; a constant
#' column gets weight 0). For a result made with `distance = "gower"`, and
#' for data frames, the mean and standard deviation of the real rows are
#' used. Distances are Euclidean on these columns.
#'
#' **Neighbour-based metrics use the numeric columns only**; nominal
#' predictors (factor, character, logical) enter the exact duplicate rates
#' (a duplicate must match on every predictor) and the total variation
#' distance. Rows with a missing numeric predictor are left out of the
#' neighbour-based metrics (the `n` column says how many rows were used);
#' the marginal metrics skip missing values.
#'
#' @section Metrics:
#' One row per class and metric in `as.data.frame()`; `k` is the argument.
#' * `dcr_median`: the median distance to closest record, DCR(s) = min over
#'   r in R of ||s - r||.
#' * `dcr_close`: the share of synthetic rows with a DCR below the 5th
#'   percentile of the real rows' distances to their nearest other real row
#'   (about 0.05 for rows drawn afresh from the real distribution; higher
#'   means rows hug real rows).
#' * `nndr_median`: the median of DCR(s) / distance to the second-nearest
#'   real row (0 when both are 0): near 0, a synthetic row sits on one real
#'   row rather than between several.
#' * `duplicate_real`, `duplicate_synthetic`: the share of synthetic rows
#'   equal, on every predictor, to a real row of the class, or to another
#'   synthetic row of the class. Exact, on all rows.
#' * `near_duplicate_real`, `near_duplicate_synthetic`: the share whose
#'   nearest real row (or nearest other synthetic row of the class, among
#'   all of them) is closer than `tolerance` times the class's real
#'   spacing, the median of the positive distances from real rows to their
#'   nearest other real row.
#' * `precision` (Kynkaanniemi et al. 2019): the share of synthetic rows
#'   inside the k-nearest-neighbour ball of some real row,
#'   ||s - r|| <= rho_k(r), rho_k(r) the distance from r to its k-th
#'   nearest other real row of the class (always from all real rows).
#' * `recall`: the share of real rows inside the k-NN ball of some
#'   synthetic row, radii measured among the synthetic rows judged.
#' * `density` (Naeem et al. 2020): the number of (synthetic row, real ball
#'   holding it) pairs over k |S|: about 1 when synthetic rows are as dense
#'   as real rows, below 1 outside them, above 1 crowded into them.
#' * `coverage` (Naeem et al. 2020): the share of real rows whose k-NN ball
#'   holds a synthetic row; about 1 - 2^-k for rows from the same
#'   distribution, when as many synthetic rows as real ones are judged.
#' * `intrusion`: the share of synthetic rows whose k nearest real rows of
#'   the whole data are mostly (more than half) of other classes.
#' * `parent_concentration` (results of [sg_oversample()] only):
#'   exp(-sum q_i log q_i) / |R|, q_i the share of the class's synthetic
#'   rows made from parent i: 1 when every real row is a parent equally
#'   often, small when a few parents make most rows. Borderline-SMOTE and
#'   ADASYN concentrate on boundary rows on purpose.
#' * `mmd2`: the unbiased estimate of the squared maximum mean discrepancy
#'   with the kernel exp(-||a - b||^2 / (2 sigma^2)), sigma the median
#'   distance between pairs of real rows; both sigma and the MMD use at most
#'   `max_rows` rows of each side (drawn at random). It is 0 in expectation
#'   when the distributions agree and may then be slightly negative. No
#'   standard error is reported for it.
#' * `ks:<feature>`, `mean_shift:<feature>`, `sd_shift:<feature>`: per
#'   numeric predictor, the two-sample Kolmogorov-Smirnov statistic and the
#'   differences synthetic minus real of the mean and of the standard
#'   deviation, in standard deviations of the data. `tvd:<feature>`: per
#'   nominal predictor, the total variation distance between the shares of
#'   its values (missing counts as a value).
#' * `cor_frobenius`: the Frobenius norm of the difference between the
#'   correlation matrices of the numeric predictors, real against
#'   synthetic (a correlation undefined for a constant column counts as 0).
#' * `constraint_violations`: the share of synthetic rows breaking the
#'   constraints a result was made with (see [sg_constraints()]). Reported
#'   only when the result carries constraints; never for data frames.
#'
#' @section Sampling and standard errors:
#' Exact metrics need searches much larger than the oversampling's own, so
#' by default the metrics of synthetic rows use, per class, a random subset
#' of at most `max_rows` synthetic rows (drawn with R's random numbers: see
#' `seed`). The real rows' neighbourhoods always use every real row of the
#' class; recall and coverage are computed on every real row against the
#' subset. Beside each estimate made on a subset, `se` gives its standard
#' error: sd / sqrt(n) for a mean, sqrt(p (1 - p) / n) for a share, and half
#' the distance between the order statistics 0.5 -/+ 0.5 / sqrt(n) for a
#' median. These ignore the finite population correction, so they are
#' slightly conservative. `se` is `NA` where the metric was computed on all
#' rows, and for `mmd2`.
#'
#' Recall and coverage on a subset are exact for the rows judged, and
#' describe them, not all the synthetic rows: more synthetic rows cover
#' more real ones, so both are lower on a subset than on every row (on
#' 20,000 real and 80,000 synthetic rows, judging 5,000 gave recall 0.71
#' and coverage 0.89 against 0.99 and 1.00 on all rows; see
#' `bench/diagnose.R`). Their `se` is `NA` and their `reading` names the
#' number of rows judged. Compare them between results at the same
#' `max_rows`. `max_rows = Inf` computes everything on every row.
#'
#' @section Flags:
#' `print()` marks with `!` the values that suggest trouble, by rules of
#' thumb: `duplicate_real` or `duplicate_synthetic` above 0.05;
#' `near_duplicate_real` or `near_duplicate_synthetic` above 0.2;
#' `nndr_median` below 0.2; `precision` below 0.75;
#' `recall` below 0.5; `density` below 0.5 or above 2; `coverage` below
#' 0.5; `intrusion` above 0.1; `parent_concentration` below 0.25; `mmd2`
#' above 0.05; a KS statistic or a TVD above 0.2; a mean or sd shift beyond
#' 0.25; `cor_frobenius` above 0.1 per pair of predictors
#' (0.1 * sqrt(d (d - 1))); any constraint violation. They are prompts to
#' look, not tests. `dcr_close` is not flagged: interpolation places rows
#' nearer real rows than real rows are to each other by construction (it
#' is near 1 for SMOTE), so it matters only where closeness to real
#' records is itself a risk (privacy).
#'
#' @param x A result of [sg_oversample()] (it knows which rows are
#'   synthetic, their classes, parents, and the centre and scale used), or a
#'   data frame of real rows, with `synthetic` and `var`.
#' @param synthetic `NULL` when `x` is a result; otherwise a data frame of
#'   synthetic rows with the outcome column and every predictor column of
#'   `x` (rows made by any package can be judged this way). For the
#'   training data baked from a prepped recipe with [step_smoteguard()]
#'   (`bake(prepped, new_data = NULL)`): the name of the step's `indicator`
#'   column (the rows marked `TRUE` are the synthetic rows; give `var`), or
#'   the prepped step itself (`prepped$steps[[i]]`), whose record then
#'   describes `x` as it describes a result (the baked rows must be the
#'   step's rows: no later step may remove or reorder rows).
#' @param var The outcome column, for data frames (ignored, or checked,
#'   for a result).
#' @param k The neighbourhood size of precision, recall, density, coverage
#'   and intrusion, a whole number >= 1.
#' @param max_rows The most synthetic rows judged per class (and real and
#'   synthetic rows used for the MMD): a whole number larger than `k`, or
#'   `Inf` for all rows.
#' @param ... Must be empty.
#' @param tolerance The near-duplicate threshold, as a share of the class's
#'   real spacing (see Metrics).
#' @param seed `NULL` to draw the subsets from the current random stream,
#'   or a whole number: the subsets are then those after `set.seed(seed)`,
#'   and the caller's stream is restored.
#' @param threads The number of threads for the C core; by default
#'   `getOption("smoteguard.threads")`. Results do not depend on it.
#' @return An object of class `sg_diagnosis`: a list with `table` (the data
#'   frame `as.data.frame()` returns: `class`, `metric`, `value`, `se`, `n`,
#'   `reading`), `counts` (per class: real rows, synthetic rows, synthetic
#'   rows judged), the settings, and the points the plots draw. It has
#'   `print()`, `summary()` (the table), `as.data.frame()`, `plot()` and,
#'   with ggplot2 loaded, `autoplot()` methods.
#' @references
#' Kynkaanniemi, T., Karras, T., Laine, S., Lehtinen, J. and Aila, T.
#' (2019). Improved precision and recall metric for assessing generative
#' models. *NeurIPS 2019*.
#'
#' Naeem, M. F., Oh, S. J., Uh, Y., Choi, Y. and Yoo, J. (2020). Reliable
#' fidelity and diversity metrics for generative models. *ICML 2020*.
#'
#' Gretton, A., Borgwardt, K. M., Rasch, M. J., Schoelkopf, B. and Smola,
#' A. (2012). A kernel two-sample test. *JMLR*, 13, 723-773.
#' @seealso [plot.sg_diagnosis()], [sg_oversample()], [sg_provenance()].
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' dg <- sg_diagnose(res, seed = 1)
#' dg
#' head(as.data.frame(dg), 12)
#'
#' # plain copies look very different from interpolated rows
#' ros <- sg_oversample(breast_biopsy, "diagnosis", method = "ros", seed = 1)
#' sg_diagnose(ros, seed = 1)
#'
#' # rows made elsewhere: real and synthetic data frames
#' real <- breast_biopsy
#' syn <- res[sg_provenance(res)$row, ]
#' dg2 <- sg_diagnose(real, synthetic = syn, var = "diagnosis", seed = 1)
#' subset(as.data.frame(dg2), metric %in% c("precision", "recall"))
#' @export
sg_diagnose <- function(x, synthetic = NULL, var = NULL, k = 5, max_rows = 5000,
                        ..., tolerance = 0.05, seed = NULL,
                        threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  if (...length() > 0) {
    sg_abort(c("`...` must be empty.",
               sprintf("Unused argument(s): %s.", dots_names(...)),
               "Name the arguments after `...` in full, e.g. `tolerance = 0.1`."),
             call = call)
  }
  k <- check_count(k, "k", call = call)
  max_rows <- check_max_rows(max_rows, k, call = call)
  tolerance <- check_number(tolerance, "tolerance", min = 0, call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)
  dd <- diagnosis_input(x, synthetic, var, call = call)

  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  dd$zr <- standardize_rows(dd$xr, dd$center, dd$scale)
  dd$zs <- standardize_rows(dd$xs, dd$center, dd$scale)
  complete_r <- complete_rows(dd$zr)
  rows <- list(complete_r = complete_r, complete_s = complete_rows(dd$zs),
               whole = if (all(complete_r)) dd$zr else dd$zr[complete_r, , drop = FALSE],
               y_whole = as.integer(dd$yr)[complete_r])

  dup <- .Call(ffi_metrics_duplicates, duplicate_keys(dd, "real"),
               duplicate_keys(dd, "synthetic"))
  classes <- levels(dd$yr)
  judged <- which(tabulate(dd$ys, length(classes)) > 0)
  parts <- list()
  subsets <- list()
  sigma <- stats::setNames(rep(NA_real_, length(judged)), classes[judged])
  for (cl in judged) {
    one <- diagnose_class(dd, cl, rows, dup, k, max_rows, tolerance, threads)
    subsets[[classes[cl]]] <- one$subset
    sigma[[classes[cl]]] <- one$sigma
    parts <- c(parts, one$parts)
  }
  table <- metric_table(parts)
  counts <- data.frame(
    class = classes,
    real = tabulate(dd$yr, length(classes)),
    synthetic = tabulate(dd$ys, length(classes)),
    judged = vapply(classes, function(cl) length(subsets[[cl]]), integer(1),
                    USE.NAMES = FALSE)
  )
  structure(list(
    table = table, counts = counts, k = k, max_rows = max_rows,
    tolerance = tolerance, sigma = sigma, var = dd$var, source = dd$source,
    method = dd$method, numeric = dd$num, nominal = dd$nom,
    plot = diagnosis_plot_data(dd, subsets, complete_r, max_rows)
  ), class = "sg_diagnosis")
}

# The metrics of class number `cl`: its neighbour searches and MMD on the
# standardised complete rows (`rows`: which rows are complete, and the real
# ones of every class as one matrix), on a subset of at most `max_rows` of
# its synthetic rows; then its table rows. Returns the rows of the table
# (`parts`), the synthetic rows judged (`subset`) and the MMD's kernel
# width (`sigma`, NA when no MMD was computed).
diagnose_class <- function(dd, cl, rows, dup, k, max_rows, tolerance, threads) {
  cls <- levels(dd$yr)[cl]
  rows_r <- which(dd$yr == cls & rows$complete_r)
  rows_s <- which(dd$ys == cls & rows$complete_s)
  all_s <- which(dd$ys == cls)
  sub <- subset_positions(length(rows_s), max_rows)
  nb <- NULL
  mmd <- NULL
  sigma <- NA_real_
  if (ncol(rows$whole) > 0 && length(rows_r) > 0 && length(sub) > 0) {
    zr_c <- dd$zr[rows_r, , drop = FALSE]
    zs_c <- dd$zs[rows_s, , drop = FALSE]
    zs_sub <- zs_c[sub, , drop = FALSE]
    nb <- .Call(ffi_metrics_class, zs_sub, rows$whole, rows$y_whole, as.integer(cl), k,
                threads, known_distances(dd, cls, k, length(rows_r), all(rows$complete_r)))
    nb$sampled <- length(sub) < length(rows_s)
    nb$near_synthetic <- near_synthetic(zs_c, sub, tolerance * real_spacing(nb$real_nn),
                                        threads)
    if (length(rows_r) >= 2 && length(sub) >= 2) {
      mr <- subset_positions(length(rows_r), max_rows)
      mmd <- .Call(ffi_metrics_mmd, zr_c[mr, , drop = FALSE], zs_sub, threads)
      mmd[["n"]] <- length(sub)
      sigma <- mmd[["sigma"]]
    }
  }
  list(subset = rows_s[sub], sigma = sigma, parts = list(
    neighbour_metrics(cls, nb, k, tolerance),
    duplicate_metrics(cls, dup, all_s),
    parent_metrics(cls, dd, all_s),
    mmd_metrics(cls, mmd),
    marginal_metrics(cls, dd, which(dd$yr == cls), all_s),
    constraint_metrics(cls, dd, all_s)
  ))
}

dots_names <- function(...) {
  nms <- ...names()
  if (is.null(nms)) nms <- rep("", ...length())
  nms[nms == ""] <- "(unnamed)"
  paste0("`", nms, "`", collapse = ", ")
}

check_max_rows <- function(max_rows, k, call = NULL) {
  ok <- is.numeric(max_rows) && length(max_rows) == 1 && !is.na(max_rows) &&
    (identical(as.numeric(max_rows), Inf) ||
       (max_rows == round(max_rows) && max_rows > k))
  if (!ok) {
    sg_abort(c(sprintf("`max_rows` must be a whole number larger than `k` = %d, or Inf.", k),
               sprintf("It is %s.", describe(max_rows)),
               "Use e.g. `max_rows = 5000`, or `max_rows = Inf` to judge every row."),
             call = call)
  }
  as.numeric(max_rows)
}

# Positions 1..n, all of them or a sorted random subset of max_rows.
subset_positions <- function(n, max_rows) {
  if (n <= max_rows) return(seq_len(n))
  sort(sample.int(n, max_rows))
}

# The real rows' nearest and k-th distances within their class as the
# oversampling measured them (its record carries them), when they are what
# ffi_metrics_class() would measure: a result's own rows, uncleaned,
# Euclidean on complete numeric predictors, with the same k; else NULL.
known_distances <- function(dd, cls, k, p, complete) {
  rec <- dd$record
  if (is.null(rec) || !complete || length(dd$nom) > 0 ||
      !identical(rec$distance, "euclidean")) {
    return(NULL)
  }
  kn <- rec$known[[cls]]
  if (is.null(kn) || !identical(kn$k, as.integer(k)) || length(kn$nearest) != p) {
    return(NULL)
  }
  list(kn$nearest, kn$radius)
}

# The numeric predictors on the distance's scale, weight-0 columns dropped.
standardize_rows <- function(x, center, scale) {
  keep <- which(scale > 0)
  z <- x[, keep, drop = FALSE]
  dimnames(z) <- NULL
  for (j in seq_along(keep)) z[, j] <- (z[, j] - center[[keep[j]]]) / scale[[keep[j]]]
  z
}

# Rows without a missing value (most data have none: no row sums then).
complete_rows <- function(z) {
  if (!anyNA(z)) return(rep(TRUE, nrow(z)))
  rowSums(is.na(z)) == 0
}

# Column standard deviations, missing values skipped.
column_sds <- function(x) {
  vapply(seq_len(ncol(x)), function(j) stats::sd(x[, j], na.rm = TRUE), numeric(1))
}

# ---------------------------------------------------------------------
# Input: a result, or real and synthetic data frames, as one shape: the
# real and synthetic rows' classes, numeric matrices and nominal values.

diagnosis_input <- function(x, synthetic, var, call) {
  if (inherits(synthetic, "step_smoteguard")) return(recipe_step_input(x, synthetic, var, call))
  if (is.character(synthetic)) return(indicator_input(x, synthetic, var, call))
  record <- attr(x, "smoteguard", exact = TRUE)
  if (is.data.frame(x) && inherits(record, "sg_record")) {
    if (!is.null(synthetic)) {
      sg_abort(c("`synthetic` must be NULL when `x` is a result of `sg_oversample()`.",
                 "A result knows its synthetic rows; to judge other rows, give real rows as `x`."),
               call = call)
    }
    return(result_input(x, var, call))
  }
  if (is.null(synthetic)) {
    sg_abort(c("`x` must be a result of `sg_oversample()`, or real rows with `synthetic` and `var`.",
               sprintf("`x` is %s and `synthetic` is NULL.", describe(x))),
             class = "not_result", call = call)
  }
  frames_input(x, synthetic, var, call)
}

# Baked training data of a recipe: the prepped step's record describes
# them as it describes the result it was made from.
recipe_step_input <- function(x, step, var, call) {
  if (!isTRUE(step$trained) || is.null(step$record)) {
    sg_abort(c("`synthetic` is a step that was not prepped, or that did nothing.",
               "Pass the step of the prepped recipe, e.g. `prepped$steps[[1]]`."), call = call)
  }
  check_data_frame(x, "x", call = call)
  data <- as.data.frame(x, stringsAsFactors = FALSE)
  attr(data, "row.names") <- .set_row_names(nrow(data))
  attr(data, "smoteguard") <- step$record
  result_input(data, var, call)
}

# Baked training data with the step's indicator column: its TRUE rows are
# the synthetic rows, judged against the others as two data frames.
indicator_input <- function(x, indicator, var, call) {
  check_data_frame(x, "x", call = call)
  if (length(indicator) != 1 || is.na(indicator) || !indicator %in% names(x) ||
      !is.logical(x[[indicator]]) || anyNA(x[[indicator]])) {
    sg_abort(c("A string `synthetic` must name a logical column of `x` marking the synthetic rows (the step's `indicator`).",
               sprintf("It is %s; the logical columns of `x` are: %s.", describe(indicator),
                       paste0("`", names(x)[vapply(x, is.logical, NA)], "`", collapse = ", "))),
             call = call)
  }
  mark <- x[[indicator]]
  data <- as.data.frame(x, stringsAsFactors = FALSE)
  data[[indicator]] <- NULL
  frames_input(data[!mark, , drop = FALSE], data[mark, , drop = FALSE], var, call)
}

result_input <- function(x, var, call) {
  record <- result_record(x, arg = "x", call = call)
  if (identical(record$outcome, "numeric")) {
    # SMOTER / SMOGN results have bins, not classes (method-smoter.R)
    sg_abort(c("`sg_diagnose()` judges synthetic rows class by class; `x` is a result of a numeric-outcome method (SMOTER or SMOGN).",
               "Read its provenance with `sg_provenance(x)`, and its bins and fidelity check with `sg_record(x)$bins` and `sg_record(x)$fidelity`."),
             class = c("regress_unsupported", "input"), call = call)
  }
  rvar <- record$settings$var
  if (!is.null(var) && !identical(var, rvar)) {
    sg_abort(c(sprintf("`var` is `%s`, but the result's outcome is `%s`.", format(var), rvar),
               "Leave `var` out for a result."), call = call)
  }
  prov <- record$provenance
  syn_rows <- prov$row
  real_rows <- seq_len(nrow(x))
  real_rows <- real_rows[-syn_rows]
  num <- setdiff(record$predictors, record$nominal)
  nom <- record$nominal
  xr <- numeric_predictors(x, num, x, real_rows)
  center <- record$center[num]
  scale <- record$scale[num]
  if (!identical(record$distance, "euclidean")) {
    center <- colMeans(xr, na.rm = TRUE)
    scale <- stats::setNames(column_sds(xr), num)
    scale[!is.finite(scale)] <- 0
    center[!is.finite(center)] <- 0
  }
  classes <- record$classes
  y <- x[[rvar]]
  list(source = "result", method = record$settings$method, var = rvar,
       num = num, nom = nom, center = center, scale = scale,
       yr = factor(y[real_rows], levels = classes),
       ys = factor(y[syn_rows], levels = classes),
       xr = xr, xs = numeric_predictors(x, num, x, syn_rows),
       nr = nominal_predictors(x, nom, real_rows), ns = nominal_predictors(x, nom, syn_rows),
       parent = prov$parent, data = x, constraints = record$guard$constraints,
       record = record)
}

frames_input <- function(x, synthetic, var, call) {
  check_data_frame(x, "x", call = call)
  check_data_frame(synthetic, "synthetic", call = call)
  check_var(x, var, call = call)
  pred <- prepare_predictors(x, var, call = call)
  need <- c(var, pred$names, pred$nominal)
  missing_cols <- setdiff(need, names(synthetic))
  if (length(missing_cols) > 0) {
    sg_abort(c(sprintf("`synthetic` lacks column(s) of `x`: %s.",
                       paste0("`", missing_cols, "`", collapse = ", ")),
               "It needs the outcome and every predictor column."), call = call)
  }
  for (col in pred$names) {
    v <- synthetic[[col]]
    if (!(is.numeric(v) && !is.object(v)) && !is.ordered(v)) {
      sg_abort(c(sprintf("Column `%s` of `synthetic` must be numeric, as in `x`.", col),
                 sprintf("It is %s.", describe(v))), call = call)
    }
  }
  classes <- if (is.factor(x[[var]])) levels(x[[var]]) else sort(unique(x[[var]]))
  ys <- synthetic[[var]]
  unknown <- setdiff(unique(as.character(ys)), classes)
  if (length(unknown) > 0 || anyNA(ys)) {
    sg_abort(c("Every synthetic row must belong to a class of the real rows.",
               if (anyNA(ys)) "Some synthetic outcomes are missing."
               else sprintf("Unknown class(es): %s.", paste0("`", unknown, "`", collapse = ", "))),
             call = call)
  }
  center <- pred$center
  scale <- pred$scale
  list(source = "data frames", method = NA_character_, var = var,
       num = pred$names, nom = pred$nominal, center = center, scale = scale,
       yr = factor(x[[var]], levels = classes),
       ys = factor(as.character(ys), levels = classes),
       xr = numeric_predictors(x, pred$names, x),
       xs = numeric_predictors(synthetic, pred$names, x),
       nr = nominal_predictors(x, pred$nominal), ns = nominal_predictors(synthetic, pred$nominal),
       parent = NULL, data = x, constraints = NULL, record = NULL)
}

# A double matrix of the numeric predictors (of the rows `rows`); ordered
# factors by their rank among the levels of `reference`'s column.
numeric_predictors <- function(data, names, reference, rows = NULL) {
  n <- if (is.null(rows)) nrow(data) else length(rows)
  cols <- lapply(names, function(nm) {
    v <- data[[nm]]
    if (!is.null(rows)) v <- v[rows]
    if (is.factor(v)) {
      lv <- levels(reference[[nm]])
      return(as.double(match(as.character(v), lv)))
    }
    as.double(v)
  })
  matrix(as.double(unlist(cols, use.names = FALSE)), nrow = n, ncol = length(names),
         dimnames = list(NULL, names))
}

nominal_predictors <- function(data, names, rows = NULL) {
  stats::setNames(lapply(names, function(nm) {
    v <- as.character(data[[nm]])
    if (is.null(rows)) v else v[rows]
  }), names)
}

# Duplicate keys: class, raw numeric values, nominal values as codes over
# both sides' values (NA stays NA, and equals NA).
duplicate_keys <- function(dd, side) {
  real <- side == "real"
  y <- if (real) dd$yr else dd$ys
  x <- if (real) dd$xr else dd$xs
  codes <- lapply(dd$nom, function(nm) {
    lv <- unique(c(dd$nr[[nm]], dd$ns[[nm]]))
    as.double(match(if (real) dd$nr[[nm]] else dd$ns[[nm]], lv, incomparables = NA))
  })
  # one copy of the numeric matrix (cbind), not one per column
  keys <- cbind(as.double(as.integer(y)), x, deparse.level = 0)
  if (length(codes) > 0) {
    keys <- cbind(keys, matrix(unlist(codes, use.names = FALSE), nrow = length(y),
                               ncol = length(codes)))
  }
  dimnames(keys) <- NULL
  keys
}

# ---------------------------------------------------------------------
# The metrics of one class, each as rows of the table.

# Rows of the table as a list of its columns; metric_table() stacks them
# into the one data frame (rbind() of many small data frames cost more
# than all the metrics computed in R).
metric_rows <- function(class, metric, value = NA_real_, se = NA_real_,
                        n = NA_integer_, reading = character(0)) {
  m <- length(metric)
  if (length(reading) == 0) reading <- metric_reading(metric)
  list(class = rep(as.character(class), length.out = m), metric = as.character(metric),
       value = rep(as.numeric(value), length.out = m),
       se = rep(as.numeric(se), length.out = m),
       n = rep(as.integer(n), length.out = m),
       reading = rep(as.character(reading), length.out = m))
}

# Stack lists of metric_rows() into one data frame (bind_rows(), with the
# empty rows first so that a table without rows has its columns).
metric_table <- function(parts) {
  bind_rows(c(list(metric_rows(character(0), character(0))), parts))
}

metric_readings <- c(
  dcr_median = "median distance from a synthetic row to its nearest real row (data sds)",
  dcr_close = "share nearer a real row than 95% of real rows are to their nearest",
  nndr_median = "median nearest / second-nearest real distance (near 0: on one real row)",
  duplicate_real = "share identical to a real row of the class",
  near_duplicate_real = "share within `tolerance` x real spacing of a real row",
  duplicate_synthetic = "share identical to another synthetic row of the class",
  near_duplicate_synthetic = "share within `tolerance` x real spacing of another synthetic row",
  precision = "share inside some real row's k-NN ball (plausible rows)",
  recall = "share of real rows inside some synthetic row's k-NN ball (diversity)",
  density = "real k-NN balls holding a synthetic row, per row / k (1: as dense as real)",
  coverage = "share of real rows whose k-NN ball holds a synthetic row (ideal ~ 1 - 2^-k)",
  intrusion = "share whose k nearest real rows are mostly of other classes",
  parent_concentration = "effective number of parents / real rows (1: all used equally)",
  mmd2 = "squared MMD, Gaussian kernel, median-distance bandwidth (0: same distribution)",
  cor_frobenius = "Frobenius norm of the difference of the correlation matrices",
  constraint_violations = "share breaking the result's constraints",
  ks = "Kolmogorov-Smirnov statistic, real against synthetic",
  mean_shift = "difference of means, synthetic - real, in data sds",
  sd_shift = "difference of standard deviations, synthetic - real, in data sds",
  tvd = "total variation distance between the shares of values"
)

metric_reading <- function(metric) {
  base <- sub(":.*$", "", metric)
  unname(metric_readings[base])
}

# Standard errors: of a share, a mean, a median (order statistics).
se_share <- function(p, n) sqrt(p * (1 - p) / n)
se_mean <- function(v) stats::sd(v) / sqrt(length(v))
se_median <- function(v) {
  n <- length(v)
  if (n < 2) return(NA_real_)
  h <- 0.5 / sqrt(n)
  diff(stats::quantile(v, c(0.5 - h, 0.5 + h), names = FALSE)) / 2
}

# The class's real spacing: the median of the positive distances from real
# rows to their nearest other real row.
real_spacing <- function(real_nn) {
  pos <- real_nn[!is.na(real_nn) & real_nn > 0]
  if (length(pos) == 0) NA_real_ else stats::median(pos)
}

# For the judged rows `sub` of the class's synthetic rows z: is another of
# all the class's synthetic rows nearer than `radius`? (exact, in C, with
# the rows sorted along their principal axis)
near_synthetic <- function(z, sub, radius, threads) {
  if (!is.finite(radius)) return(rep(NA, length(sub)))
  if (nrow(z) < 2) return(rep(FALSE, length(sub)))
  # up to four principal axes (of the rows judged: any axes give the same,
  # exact answer; good ones prune more)
  v <- stats::cov(z[sub, , drop = FALSE])
  axes <- if (ncol(z) == 1 || anyNA(v)) diag(ncol(z))[, 1, drop = FALSE]
          else eigen(v, symmetric = TRUE)$vectors[, seq_len(min(4, ncol(z))), drop = FALSE]
  .Call(ffi_metrics_near, z, as.integer(sub), as.double(radius), axes, threads)
}

neighbour_metrics <- function(cls, nb, k, tolerance) {
  names <- c("dcr_median", "dcr_close", "nndr_median", "near_duplicate_real",
             "near_duplicate_synthetic", "precision", "recall", "density",
             "coverage", "intrusion")
  if (is.null(nb)) return(metric_rows(cls, names, n = 0L))
  q <- length(nb$dcr)
  p <- length(nb$real_nn)
  est <- nb$sampled
  pick <- function(value, se) if (est) se else NA_real_
  share <- function(hit, n) {
    if (length(hit) == 0 || anyNA(hit)) return(c(NA_real_, NA_real_))
    v <- mean(hit)
    c(v, pick(v, se_share(v, n)))
  }
  spacing <- real_spacing(nb$real_nn)
  q05 <- if (p >= 2) stats::quantile(nb$real_nn, 0.05, names = FALSE) else NA_real_
  nndr <- ifelse(nb$dcr2 > 0, nb$dcr / nb$dcr2, 0)
  dens <- nb$balls / k
  rows <- list(
    c(stats::median(nb$dcr), pick(0, se_median(nb$dcr)), q),
    c(share(nb$dcr < q05, q), q),
    if (anyNA(nndr)) c(NA, NA, q) else c(stats::median(nndr), pick(0, se_median(nndr)), q),
    c(share(nb$dcr < tolerance * spacing, q), q),
    c(share(nb$near_synthetic, q), q),
    c(share(nb$balls > 0, q), q),
    c(share(nb$recalled, p)[1], NA, p),
    if (anyNA(dens)) c(NA, NA, q) else c(mean(dens), pick(0, se_mean(dens)), q),
    c(share(nb$covered, p)[1], NA, p),
    c(share(nb$intrusion > 0.5, q), q)
  )
  m <- do.call(rbind, rows)
  reading <- metric_reading(names)
  if (est) {
    # exact for the subset judged, and about it: more rows cover more
    judged <- sprintf(", of the %d synthetic rows judged", q)
    at <- names %in% c("recall", "coverage")
    reading[at] <- paste0(reading[at], judged)
  }
  metric_rows(cls, names, m[, 1], m[, 2], m[, 3], reading = reading)
}

duplicate_metrics <- function(cls, dup, all_s) {
  n <- length(all_s)
  metric_rows(cls, c("duplicate_real", "duplicate_synthetic"),
              c(mean(dup$real[all_s]), mean(dup$synthetic[all_s])), NA, n)
}

parent_metrics <- function(cls, dd, all_s) {
  if (is.null(dd$parent)) return(metric_rows(cls, character(0)))
  parent <- dd$parent[all_s]
  q <- tabulate(match(parent, unique(parent))) / length(parent)
  effective <- exp(-sum(q * log(q)))
  metric_rows(cls, "parent_concentration", effective / sum(dd$yr == cls), NA,
              length(all_s))
}

mmd_metrics <- function(cls, mmd) {
  if (is.null(mmd)) return(metric_rows(cls, "mmd2", n = 0L))
  sigma <- mmd[["sigma"]]
  metric_rows(cls, "mmd2", mmd[["mmd2"]], NA, mmd[["n"]],
              reading = if (is.finite(sigma) && sigma > 0)
                sprintf("squared MMD, Gaussian kernel, sigma = %.3g (0: same distribution)", sigma)
              else "not computed: the real rows used are all equal (bandwidth 0)")
}

total_variation <- function(a, b) {
  lv <- unique(c(a, b))
  pa <- tabulate(match(a, lv, incomparables = NULL), length(lv)) / length(a)
  pb <- tabulate(match(b, lv, incomparables = NULL), length(lv)) / length(b)
  sum(abs(pa - pb)) / 2
}

marginal_metrics <- function(cls, dd, real_c, all_s) {
  n <- length(all_s)
  out <- list()
  if (length(dd$num) > 0) {
    xr <- dd$xr[real_c, , drop = FALSE]
    xs <- dd$xs[all_s, , drop = FALSE]
    sds <- ifelse(dd$scale > 0, dd$scale, NA_real_)
    # the two-sample Kolmogorov-Smirnov statistics, in C (a sort per column)
    ks <- .Call(ffi_metrics_ks, xr, xs)
    mshift <- (colMeans(xs, na.rm = TRUE) - colMeans(xr, na.rm = TRUE)) / sds
    sshift <- (column_sds(xs) - column_sds(xr)) / sds
    out <- list(
      metric_rows(cls, paste0("ks:", dd$num), ks, NA, n),
      metric_rows(cls, paste0("mean_shift:", dd$num), mshift, NA, n),
      metric_rows(cls, paste0("sd_shift:", dd$num), sshift, NA, n)
    )
    keep <- dd$scale > 0
    if (sum(keep) >= 2) {
      correlations <- function(x) {
        use <- if (anyNA(x)) "pairwise.complete.obs" else "everything"
        suppressWarnings(stats::cor(x, use = use))
      }
      cr <- correlations(xr[, keep, drop = FALSE])
      cs <- correlations(xs[, keep, drop = FALSE])
      cr[is.na(cr)] <- 0
      cs[is.na(cs)] <- 0
      out[[length(out) + 1]] <- metric_rows(cls, "cor_frobenius", sqrt(sum((cr - cs)^2)),
                                            NA, n)
    }
  }
  if (length(dd$nom) > 0) {
    tvd <- vapply(dd$nom, function(nm) total_variation(dd$nr[[nm]][real_c], dd$ns[[nm]][all_s]),
                  numeric(1))
    out[[length(out) + 1]] <- metric_rows(cls, paste0("tvd:", dd$nom), tvd, NA, n)
  }
  stack_columns(c(list(metric_rows(cls, character(0))), out))
}

# The hook for constraints: a result made with constraints reports the
# share of its synthetic rows that break them (the guard rejects such
# candidates, so this is 0 unless the result was made otherwise); a result
# without constraints, and rows given as data frames, report nothing.
constraint_metrics <- function(cls, dd, all_s) {
  cons <- dd$constraints
  if (is.null(cons) || is.null(dd$record)) return(metric_rows(cls, character(0)))
  pred <- constraint_predictors(dd)
  rows <- which(dd$yr == cls)
  values <- dd$xs[all_s, , drop = FALSE]
  codes <- matrix(vapply(seq_along(dd$nom), function(j) {
    match(dd$ns[[j]][all_s], pred$nominal_levels[[j]])
  }, integer(length(all_s))), nrow = length(all_s), ncol = length(dd$nom))
  reason <- constraint_failures(values, codes, cons, class_bounds(cons, pred, rows),
                                pred, dd$data, combos_input(cons, pred, rows),
                                dd$record$provenance$row[all_s])
  metric_rows(cls, "constraint_violations", mean(!is.na(reason)), NA, length(all_s))
}

# The parts of prepare_predictors()' description of the real rows that the
# guard's constraint checks read (class_bounds(), constraint_failures()).
constraint_predictors <- function(dd) {
  data <- dd$data
  nominal_levels <- lapply(seq_along(dd$nom), function(j) {
    col <- data[[dd$nom[j]]]
    if (is.factor(col)) levels(col)
    else if (is.logical(col)) c("FALSE", "TRUE")
    else sort(unique(dd$nr[[j]][!is.na(dd$nr[[j]])]))
  })
  codes <- matrix(vapply(seq_along(dd$nom), function(j) match(dd$nr[[j]], nominal_levels[[j]]),
                         integer(length(dd$yr))),
                  nrow = length(dd$yr), ncol = length(dd$nom))
  list(x = dd$xr, names = dd$num,
       kind = vapply(data[dd$num], column_kind, character(1), USE.NAMES = FALSE),
       levels = lapply(data[dd$num], function(col) if (is.ordered(col)) levels(col)),
       nominal = dd$nom, nominal_levels = nominal_levels, codes = codes)
}

# ---------------------------------------------------------------------
# Flags: rules of thumb (documented in sg_diagnose()).

diagnosis_flags <- function(table, n_numeric) {
  base <- sub(":.*$", "", table$metric)
  v <- table$value
  cor_limit <- 0.1 * sqrt(n_numeric * max(n_numeric - 1, 0))
  why <- rep(NA_character_, nrow(table))
  rule <- function(hit, text) why[is.na(why) & !is.na(hit) & hit] <<- text
  rule(base %in% c("duplicate_real", "duplicate_synthetic") & v > 0.05,
       "above 0.05 (copies, not new rows)")
  rule(base %in% c("near_duplicate_real", "near_duplicate_synthetic") & v > 0.2,
       "above 0.2 (many rows almost copies)")
  rule(base == "nndr_median" & v < 0.2, "below 0.2 (rows sit on single real rows)")
  rule(base == "precision" & v < 0.75, "below 0.75 (many rows outside the real rows' neighbourhoods)")
  rule(base == "recall" & v < 0.5, "below 0.5 (synthetic rows span little of the class)")
  rule(base == "density" & v < 0.5, "below 0.5 (rows in sparse or empty regions)")
  rule(base == "density" & v > 2, "above 2 (rows crowd into the real rows' dense regions)")
  rule(base == "coverage" & v < 0.5, "below 0.5 (most real rows have no synthetic row near them)")
  rule(base == "intrusion" & v > 0.1, "above 0.1 (rows among other classes)")
  rule(base == "parent_concentration" & v < 0.25, "below 0.25 (few parents make most rows)")
  rule(base == "mmd2" & v > 0.05, "above 0.05 (the distributions differ)")
  rule(base %in% c("ks", "tvd") & v > 0.2, "above 0.2 (the marginal distribution differs)")
  rule(base %in% c("mean_shift", "sd_shift") & abs(v) > 0.25, "beyond 0.25 data sds (the marginal distribution moved)")
  rule(base == "cor_frobenius" & v > cor_limit,
       sprintf("above %.2g, 0.1 per pair (the correlations differ)", cor_limit))
  rule(base == "constraint_violations" & v > 0, "above 0 (rows break the constraints)")
  why
}
