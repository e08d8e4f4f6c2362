#' Oversample the small classes of a data frame
#'
#' Raises every class below a target count with synthetic rows. The
#' interpolating methods place each synthetic row on the segment from a real
#' *parent* row to one of the parent's `neighbors` nearest rows of the same
#' class, at a random *gap* along it; they differ in which rows may be
#' parents and how the gap is drawn.
#'
#' @section Methods:
#' * `"smote"` (Chawla et al. 2002): every row of the class is a parent, in
#'   turns through a random permutation (each used about equally often); gap
#'   uniform in \[0, 1\].
#' * `"ros"`: random oversampling, copies of parents taken in the same turns.
#'   With `shrinkage > 0`, a smoothed bootstrap (Menardi and Torelli 2014):
#'   each copy gets Gaussian noise with standard deviation
#'   `shrinkage * (4 / ((d + 2) n))^(1 / (d + 4)) * sd` per numeric column,
#'   `sd` that of the class, `d` the number of numeric columns, `n` the class
#'   size. Nominal values are copied.
#' * `"borderline1"`, `"borderline2"` (Han et al. 2005): among the
#'   `m_neighbors` nearest rows of the whole data, a row with from half to
#'   all but one of them in other classes is in "danger" and only those are
#'   parents; a row whose nearest rows are all of other classes is noise.
#'   Type 2 may also step toward the parent's nearest row of another class
#'   (one candidate among `neighbors + 1`), with a gap in \[0, 0.5\]. With no
#'   danger rows, SMOTE is used, with a warning.
#' * `"adasyn"` (He et al. 2008): the number of rows made from each parent is
#'   proportional to the share of other classes among its `neighbors`
#'   nearest rows of the whole data; the counts add up to the target exactly
#'   (largest remainders, ties to the earlier row).
#' * `"safe_level"` (Bunkhumpornpat et al. 2009): the gap range follows the
#'   safe levels (own-class count among the `neighbors` nearest rows of the
#'   whole data) of parent and neighbour; a pair of two unsafe rows makes
#'   nothing and the parent tries its other neighbours; a class that runs out
#'   of usable pairs falls short, with a warning.
#'
#' @section Distances and data types:
#' Numeric predictors are centred and scaled by the mean and standard
#' deviation of all rows of `data` (every class), so one scale serves every
#' search; a constant column gets weight 0. Integer columns are interpolated
#' and rounded; ordered factors are interpolated on their rank and rounded to
#' a level. Factor, character and logical predictors are nominal: each
#' mismatch adds the SMOTE-NC penalty (the squared median standard deviation
#' of the class's standardised numeric columns) to the squared distance, and
#' each synthetic row draws each nominal value among its parent's and the
#' parent's neighbours' values, in proportion to their frequency
#' (`nominal = "draw"`), or takes the most frequent (`nominal = "vote"`, the
#' paper's rule). Data with only nominal predictors use SMOTE-N's value
#' difference metric. `distance = "gower"` uses Gower's distance instead.
#' Missing predictor values are allowed: distances skip the coordinates
#' missing in either row and rescale for them; a synthetic value comes from
#' whichever of parent and neighbour has it, and stays `NA` when both miss it.
#' Date and date-time columns, and the columns named in `exclude`, are kept
#' out of the distance and copied from the parent.
#'
#' @section Targets:
#' The target of a class is `round(over_ratio * M)`, `M` the largest class
#' count (R's `round()`, which rounds half to even). Classes at or above
#' their target keep their rows and get none; oversampling never removes
#' rows (only `clean` does). A named `over_ratio` sets targets for the
#' classes it names and leaves the others as they are. An outcome level with
#' no rows stays a level and gets no rows. A class with no more rows than
#' `neighbors` uses all its other rows as neighbours, and a class of one row
#' can only be copied; both warn.
#'
#' @section Oversampling and predicted risks:
#' In clinical risk prediction, oversampling rarely improves discrimination
#' and makes predicted risks too high: a model fitted to rows balanced by
#' oversampling predicts the balanced class shares, not the real ones (van
#' den Goorbergh et al. 2022; Carriero et al. 2025). Fitting to the real
#' data and choosing a decision threshold is often the better choice. If you
#' oversample, correct the predicted risks to the real class shares with
#' [sg_correct_prior()] (the log-odds shifted by logit(real share) -
#' logit(share after oversampling); the shares are in the record) and check
#' calibration (calibration-in-the-large, calibration slope) on data the
#' resampling never touched. TRIPOD+AI (Collins et al. 2024), item 13, asks
#' authors to report how class imbalance was handled and how the
#' predictions were recalibrated.
#'
#' @section Fidelity check:
#' Every call compares the synthetic rows of each class with the class's
#' real rows, per predictor, and stores the result in
#' `sg_record(result)$fidelity` (with `clean`, the synthetic rows kept):
#' the standardised mean shift, `(mean of synthetic - mean of real) / sd of
#' real`, and the Kolmogorov-Smirnov statistic for numeric columns (integer
#' columns and the ranks of ordered factors included), the total variation
#' distance of the value shares for nominal ones. A warning of class
#' `smoteguard_warning_fidelity` names the features whose shift exceeds both
#' 0.25 class standard deviations and 3 standard errors, the standard error
#' being `se_shift = 1 / sqrt(n_synthetic)` class standard deviations: that of
#' the mean of `n_synthetic` rows drawn at random from the class's real rows.
#' Interpolated rows vary less than the class, so this is conservative, and
#' a call making a few rows does not warn on the noise of their mean. Rows
#' made from one part of a class (the guard leaving only the class's core as
#' parents, or Borderline-SMOTE and ADASYN seeding at the boundary on
#' purpose) move the class, and a model fitted to them learns the moved
#' class: try `guard = NULL`, a lower `over_ratio`, case weights, or no
#' oversampling.
#'
#' @param data A data frame with the outcome and the predictors.
#' @param var The name of the outcome column, a factor or character vector.
#' @param method The oversampling method: `"smote"`, `"ros"`,
#'   `"borderline1"`, `"borderline2"`, `"adasyn"`, `"safe_level"`,
#'   `"svm_smote"` or `"kmeans_smote"` (see [sg_methods()]; SVM-SMOTE needs
#'   the e1071 package).
#' @param neighbors The number of nearest same-class rows a parent may be
#'   paired with (`k` in the SMOTE paper), a whole number >= 1. ADASYN and
#'   Safe-Level also use it for their whole-data neighbourhoods.
#' @param over_ratio The target of each class as a share of the largest
#'   class count: one positive number for every class, or a vector named by
#'   class. `1` balances the classes.
#' @param seed `NULL` to use the current random stream, or a whole number:
#'   the result is then the same as after `set.seed(seed)`, and the caller's
#'   random stream is restored afterwards.
#' @param m_neighbors The number of nearest rows of the whole data that
#'   Borderline-SMOTE and SVM-SMOTE read to find danger and noise rows.
#' @param shrinkage For `"ros"`: 0 for plain copies, or a positive multiple
#'   of the smoothed bootstrap's bandwidth.
#' @param out_step For `"svm_smote"`: how far a safe support vector's rows
#'   reach away from its neighbour, as a multiple of the distance to it
#'   (gap uniform in `[-out_step, 0]`).
#' @param clusters For `"kmeans_smote"`: the number of k-means clusters of
#'   the whole data.
#' @param imbalance_threshold For `"kmeans_smote"`: a cluster is used for a
#'   class when (its rows of other classes + 1) / (its rows of the class + 1)
#'   is below this; raise it when no cluster qualifies.
#' @param distance `"euclidean"` (standardised, with the SMOTE-NC penalty for
#'   nominal columns) or `"gower"`.
#' @param nominal How synthetic rows get nominal values: `"draw"` or
#'   `"vote"` (see Details).
#' @param exclude Names of columns kept out of the distance and copied from
#'   the parent row (identifiers, free text).
#' @param clean `NULL`, or a cleaning method of [sg_clean()] (`"tomek"`,
#'   `"enn"`, ...) to clean all classes after oversampling (SMOTE-Tomek and
#'   SMOTE-ENN, Batista et al. 2004).
#' @param clean_neighbors The neighbours the vote reads when `clean` is
#'   `"enn"`, `"ncl"`, `"renn"` or `"allknn"`.
#' @param guard The guard, made by [sg_guard()], applied to every
#'   interpolating method; `NULL` for the plain method.
#' @param constraints Domain rules made by [sg_constraints()] (by default,
#'   numeric predictors stay within their class's observed range); `NULL`
#'   for none.
#' @param groups `NULL`, or the name of a column grouping rows (a patient's
#'   rows): rows of one group are never parent and neighbour of each other.
#'   The column is not a predictor; a synthetic row carries its parent's
#'   group id (the provenance's `parent` names that row), so a model or a
#'   later split never meets an `NA` group. Oversample inside each analysis
#'   set of a grouped resampling, never before splitting: a synthetic row's
#'   neighbour is another group's row, which may be in the assessment set.
#' @param weights `NULL`, or the name of a numeric column of case weights
#'   (finite, not negative, no `NA`). It is not a predictor. Importance
#'   weights ([hardhat::importance_weights()], or a plain numeric column):
#'   parents are drawn as without weights and each synthetic row takes its
#'   parent's weight, so no weight is counted twice and none is `NA`.
#'   Frequency weights ([hardhat::frequency_weights()]) are refused with an
#'   error of class `smoteguard_error_case_weights`: honouring them would
#'   mean counting a row of weight w as w rows and drawing it as a parent w
#'   times as often, which the draw does not do; expand the rows first
#'   (e.g. `tidyr::uncount()`) or use importance weights.
#' @param threads The number of threads for the neighbour searches; by
#'   default `getOption("smoteguard.threads")`. The result does not depend on
#'   it.
#' @return A data frame of the class of `data`: all rows of `data`
#'   unchanged and in their order, then the synthetic rows, with the same
#'   columns, types and factor levels (with `clean`, the kept rows of each
#'   part, in that order). It carries the attribute `"smoteguard"`, the
#'   record of how it was made, read by [sg_provenance()] and [sg_record()].
#' @seealso [sg_correct_prior()], [sg_smote()], [sg_provenance()], [sg_clean()],
#'   [sg_undersample()], [sg_knn()].
#' @references
#' Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002).
#' SMOTE: synthetic minority over-sampling technique. *Journal of Artificial
#' Intelligence Research*, 16, 321-357.
#'
#' Han, H., Wang, W.-Y. and Mao, B.-H. (2005). Borderline-SMOTE. *ICIC 2005*,
#' LNCS 3644, 878-887.
#'
#' He, H., Bai, Y., Garcia, E. A. and Li, S. (2008). ADASYN. *IJCNN 2008*,
#' 1322-1328.
#'
#' Bunkhumpornpat, C., Sinapiromsaran, K. and Lursinsap, C. (2009).
#' Safe-Level-SMOTE. *PAKDD 2009*, LNCS 5476, 475-482.
#'
#' Menardi, G. and Torelli, N. (2014). Training and assessing classification
#' rules with imbalanced data. *Data Mining and Knowledge Discovery*, 28,
#' 92-122.
#'
#' van den Goorbergh, R., van Smeden, M., Timmerman, D. and Van Calster, B.
#' (2022). The harm of class imbalance corrections for risk prediction
#' models: illustration and simulation using logistic regression. *Journal
#' of the American Medical Informatics Association*, 29, 1525-1534.
#'
#' Carriero, A., Luijken, K., de Hond, A., Moons, K. G. M., Van Calster, B.
#' and van Smeden, M. (2025). The harms of class imbalance corrections for
#' machine learning based prediction models: a simulation study.
#' *Statistics in Medicine*, 44.
#'
#' Collins, G. S., Moons, K. G. M., Dhiman, P. et al. (2024). TRIPOD+AI
#' statement: updated guidance for reporting clinical prediction models that
#' use regression or machine learning methods. *BMJ*, 385, e078378.
#' @examples
#' table(breast_biopsy$diagnosis)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' table(res$diagnosis)
#' head(sg_provenance(res))
#' sg_record(res)
#'
#' # raise the malignant class to three quarters of the benign count only
#' res2 <- sg_oversample(breast_biopsy, "diagnosis",
#'                       over_ratio = c(malignant = 0.75), seed = 1)
#' table(res2$diagnosis)
#'
#' # seeds only at the class boundary
#' res3 <- sg_oversample(breast_biopsy, "diagnosis", method = "borderline1",
#'                       seed = 1)
#' sg_record(res3)$counts
#' @export
sg_oversample <- function(data, var, method = "smote", neighbors = 5,
                          over_ratio = 1, seed = NULL, m_neighbors = 10,
                          shrinkage = 0, out_step = 0.5, clusters = 8,
                          imbalance_threshold = 1, distance = "euclidean",
                          nominal = "draw", exclude = NULL, clean = NULL,
                          clean_neighbors = 3, guard = sg_guard(),
                          constraints = sg_constraints(), groups = NULL,
                          weights = NULL,
                          threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  method <- check_method(method, method_names(oversampling_families), call = call)
  check_method_packages(method, call = call)
  check_data_frame(data, call = call)
  check_var(data, var, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  m_neighbors <- check_count(m_neighbors, "m_neighbors", call = call)
  shrinkage <- check_number(shrinkage, "shrinkage", min = 0, call = call)
  out_step <- check_number(out_step, "out_step", min = 0, call = call)
  clusters <- check_count(clusters, "clusters", call = call)
  imbalance_threshold <- check_number(imbalance_threshold, "imbalance_threshold", min = 0,
                                      call = call)
  distance <- check_choice(distance, "distance", c("euclidean", "gower"), call = call)
  nominal <- check_choice(nominal, "nominal", c("draw", "vote"), call = call)
  if (!is.null(clean)) clean <- check_choice(clean, "clean", method_names("clean"), call = call)
  clean_neighbors <- check_count(clean_neighbors, "clean_neighbors", call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)

  y <- data[[var]]
  levels <- if (is.factor(y)) levels(y) else sort(unique(y))
  yf <- factor(y, levels = levels)
  ratio <- check_over_ratio(over_ratio, levels, call = call)
  counts <- tabulate(yf, nbins = length(levels))
  names(counts) <- levels
  if (sum(counts > 0) < 2) {
    sg_abort(c(sprintf("The outcome `%s` has only one class with rows (%s).",
                       var, paste(levels[counts > 0], collapse = ", ")),
               "Oversampling needs at least two classes."), call = call)
  }
  group_codes <- check_groups(groups, data, var, exclude, call = call)
  check_weights(weights, data, var, groups, call = call)
  pred <- prepare_predictors(data, var, exclude = exclude, distance = distance,
                             y = yf, keep_out = c(groups, weights), call = call,
                             threads = threads)
  check_guard_args(guard, constraints, data, pred, call = call)
  targets <- class_targets(counts, ratio)
  # pmax() without its attribute handling (a few microseconds a call)
  n_new <- targets - counts
  n_new[which(n_new < 0)] <- 0
  hint <- "Use a smaller `over_ratio`."
  check_result_size(as.numeric(nrow(data)) + sum(n_new), "The result's rows",
                    bytes = 8 * ncol(data), hint = hint, call = call)
  check_result_size(as.numeric(sum(n_new)) * max(1, ncol(pred$x), ncol(pred$codes)),
                    "The synthetic values", bytes = 24, hint = hint, call = call)
  storage.mode(n_new) <- "integer"  # as.integer(), keeping the names

  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  rng_kind <- RNGkind()
  settings <- list(method = method, var = var, neighbors = neighbors,
                   over_ratio = over_ratio, m_neighbors = m_neighbors,
                   shrinkage = shrinkage, out_step = out_step, clusters = clusters,
                   imbalance_threshold = imbalance_threshold, distance = distance,
                   nominal = nominal, exclude = pred$exclude, clean = clean,
                   clean_neighbors = clean_neighbors, groups = groups,
                   weights = weights,
                   guard = guard, constraints = constraints, threads = threads,
                   group_codes = group_codes)

  checked <- proc.time()[["elapsed"]]
  gen <- generate(pred, yf, n_new, settings, data, call)
  generated <- proc.time()[["elapsed"]]
  out <- assemble_result(data, pred, gen, settings)
  provenance <- new_frame(list(
    row = nrow(data) + seq_along(gen$parent),
    class = codes_factor(gen$class, levels),
    parent = as.integer(gen$parent),
    neighbor = as.integer(gen$neighbor),
    gap = as.double(gen$gap),
    kind = gen$kind
  ))
  removed <- NULL
  if (!is.null(clean)) {
    cleaned <- clean_result(out, var, pred, yf, gen, clean, clean_neighbors,
                            threads, call)
    out <- cleaned$data
    removed <- cleaned$removed
    provenance <- provenance[cleaned$kept_synthetic, , drop = FALSE]
    provenance$row <- cleaned$new_rows
    rownames(provenance) <- NULL
  }
  assembled <- proc.time()[["elapsed"]]
  # the fidelity check reads the synthetic rows the result holds
  fidelity <- fidelity_check(pred, as.integer(yf), levels, gen,
                             if (!is.null(clean)) cleaned$kept_synthetic, threads)
  fidelity_msg <- fidelity_warning(fidelity, call)
  finished <- proc.time()[["elapsed"]]

  # the result's outcome is the input's, then each synthetic row's class
  # (only cleaning removes rows)
  after <- if (is.null(clean)) as.integer(counts) + tabulate(gen$class, length(levels))
           else tabulate(factor(out[[var]], levels = levels), length(levels))
  settings$group_codes <- NULL
  record <- new_record(
    settings = settings, seed = seed, rng_kind = rng_kind, levels = levels,
    counts_before = counts, targets = targets, counts_after = after,
    n_input = nrow(data), pred = pred, provenance = provenance,
    classes = gen$info, removed = removed,
    guard = list(guard = guard, constraints = constraints, report = gen$report),
    timings = c(checks = checked - started, generate = generated - checked,
                assemble = assembled - generated, fidelity = finished - assembled,
                total = finished - started),
    result = out, warnings = c(gen$warnings, fidelity_msg), fidelity = fidelity,
    known = if (is.null(clean)) gen$known,
    fingerprint = data_fingerprint(data)
  )
  attr(out, "smoteguard") <- record
  out
}

#' @rdname sg_oversample
#' @param ... Further arguments passed to `sg_oversample()`.
#' @export
sg_smote <- function(data, var, ...) {
  sg_oversample(data, var, method = "smote", ...)
}

# In doubles: a huge over_ratio is refused by the size check, not turned
# into NA by integer overflow.
class_targets <- function(counts, ratio) {
  largest <- max(counts)
  targets <- round(ratio * largest)
  as_is <- is.na(ratio)
  targets[as_is] <- counts[as_is]
  up <- which(targets < counts)  # pmax(), without its attribute handling
  targets[up] <- counts[up]
  targets[counts == 0] <- 0
  stats::setNames(as.numeric(targets), names(counts))
}

# Run the method class by class: neighbour searches and draws in C.
generate <- function(pred, yf, n_new, settings, data, call) {
  levels <- levels(yf)
  yi <- as.integer(yf)
  n <- length(yi)
  counts <- tabulate(yi, length(levels))
  if (plain_lane_fits(pred, settings, counts, n_new)) {
    gen <- generate_plain(pred, yi, levels, counts, n_new, settings, call)
    if (!is.null(gen)) return(gen)
  }
  parts <- vector("list", length(levels))
  reports <- vector("list", length(levels))
  notes <- list()
  done <- which(n_new > 0)
  # class_info()'s fields are all integers: one column per class, turned
  # into the table's columns at the end (bind_rows() costs more)
  info <- matrix(NA_integer_, length(class_info_fields), length(done))
  made <- integer(length(levels))
  rounding <- rounding_plan(pred, settings$constraints)
  known <- NULL
  for (i in seq_along(done)) {
    c <- done[i]
    rows <- which(yi == c)
    part <- generate_class(settings$method, pred, yi, c, rows, n_new[[c]],
                           settings, data, rounding)
    parts[[c]] <- part$rows
    if (!is.null(part$known)) known[[levels[c]]] <- part$known
    made[c] <- length(part$rows$parent)
    info[, i] <- unlist(part$info, use.names = FALSE)
    reports[[c]] <- c(list(class = levels[c]), part$report)
    for (nm in names(part$notes)) notes[[nm]] <- c(notes[[nm]], levels[c])
  }
  info <- if (length(done) > 0) {
    cols <- c(list(levels[done]), lapply(seq_along(class_info_fields), function(f) info[f, ]))
    names(cols) <- c("class", class_info_fields)
    new_frame(cols)
  }
  # warn on what was made, not on what was asked
  notes$many <- many_raised(made, counts, levels)
  report <- bind_rows(reports)
  warnings <- class_warnings(notes, settings, call, report,
                             stats::setNames(counts, levels))
  pick <- function(field, empty) {
    v <- unlist(lapply(parts, `[[`, field), use.names = FALSE)
    if (is.null(v)) empty else v
  }
  stack <- function(field, width, type) {
    do.call(rbind, c(list(matrix(type, 0, width)), lapply(parts, `[[`, field)))
  }
  list(class = pick("class", integer(0)), parent = pick("parent", integer(0)),
       neighbor = pick("neighbor", integer(0)), gap = pick("gap", double(0)),
       kind = pick("kind", character(0)),
       values = stack("values", ncol(pred$x), double(0)),
       codes = stack("codes", ncol(pred$codes), integer(0)),
       info = info, report = report,
       warnings = warnings, known = known)
}

# Plain SMOTE of complete numeric predictors (no guard, groups or
# nominal columns; constraints that interpolation keeps by itself), the
# usual call on a table: every class in one C call instead of a round of R
# per class. It makes what generate_class() makes, draw for draw (tested
# against it): the classes in the same order, each with the same search
# and the same random numbers. A candidate outside its class's bounds
# would start a second round, which only generate_class() runs: the random
# stream is then put back and the call goes there (NULL), doing the
# searches again. Interpolated values stay between their parents' (but for
# a rounding error at an end), so only calls whose constraints could
# reject them are kept off the lane: bounds narrower than the data, and
# `integer` rounding of a column that is not already whole numbers.
plain_lane_fits <- function(pred, settings, counts, n_new) {
  cons <- settings$constraints
  plain_lane$on && settings$method == "smote" && is.null(settings$guard) &&
    is.null(settings$group_codes) && !pred$mixed && ncol(pred$x) > 0 &&
    is.null(cons$rules) && is.null(cons$combos) &&
    all(counts[n_new > 0] >= 2L) && bounds_hold_data(cons, pred) &&
    all(pred$kind[match(cons$integer, pred$names)] == "integer")
}

# Whether user bounds (a list) hold every value of their columns.
bounds_hold_data <- function(cons, pred) {
  b <- cons$bounds
  if (!is.list(b)) return(TRUE)
  j <- match(names(b), pred$names)
  lo <- vapply(b, `[[`, 0, 1L)
  hi <- vapply(b, `[[`, 0, 2L)
  all(pred$stats$min[j] >= lo & pred$stats$max[j] <= hi)
}

plain_lane <- new.env(parent = emptyenv())
plain_lane$on <- TRUE

generate_plain <- function(pred, yi, levels, counts, n_new, settings, call) {
  done <- which(n_new > 0)
  G <- unname(n_new[done])
  cons <- settings$constraints
  restore <- preserve_rng()
  res <- .Call(ffi_smote_plain, pred$x, pred$center, pred$scale, yi, done,
               G, settings$neighbors, settings$threads)
  values <- round_values(res$values, rounding_plan(pred, cons))
  # each class's observed range: user bounds (a list) hold the data (see
  # plain_lane_fits()), so where they are the rule this check is only
  # stricter, and a candidate it stops goes to generate_class() all the same
  if (!is.null(cons) && !identical(cons$bounds, "none") && length(done) > 0) {
    end <- cumsum(G)
    for (i in seq_along(done)) {
      seg <- if (length(done) == 1) values
             else values[seq.int(end[i] - G[i] + 1L, length.out = G[i]), , drop = FALSE]
      if (any(.Call(ffi_stats_outside, seg, res$lower[i, ], res$upper[i, ]))) {
        restore()
        return(NULL)
      }
    }
  }
  p <- counts[done]
  k <- res$k  # min(neighbors, rows - 1) per class, as the search used
  notes <- list()
  small <- k < settings$neighbors
  if (any(small)) notes$small <- levels[done[small]]
  made <- integer(length(levels))
  made[done] <- G
  notes$many <- many_raised(made, counts, levels)
  warnings <- class_warnings(notes, settings, call)

  m <- length(done)
  none <- rep(NA_integer_, m)
  info <- if (m > 0) new_frame(list(
    class = levels[done], seeds = p, danger = none, noise = none, safe = none,
    neighbors_used = k, wanted = G, made = G,
    shortfall = integer(m)))
  report <- NULL
  if (m > 0) {
    report <- c(list(class = levels[done]),
                lapply(c(guard_counts(), no_guard_settings), rep_len, m))
    report$seeds <- p
    report$parents_used <- pmin(p, G)
    report$drawn <- as.double(G)
    report$wanted <- report$made <- G
    report$max_gap_distance <- rep_len(Inf, m)
    report <- new_frame(report)
  }
  known <- NULL
  if (m > 0) {
    end <- cumsum(p)
    for (i in seq_len(m)) {
      at <- seq.int(end[i] - p[i] + 1L, length.out = p[i])
      known[[levels[done[i]]]] <- list(k = k[i], nearest = res$nearest[at],
                                       radius = res$radius[at])
    }
  }
  list(class = res$class, parent = res$parent, neighbor = res$neighbor,
       gap = res$gap, kind = rep("interpolate", length(res$parent)), values = values,
       codes = pred$codes[res$parent, , drop = FALSE],
       info = info, report = report, warnings = warnings, known = known)
}

# The classes raised to more than 20 times their size (NULL: none), for
# the warning: judged on what was made, not on what was asked.
many_raised <- function(made, counts, levels) {
  big <- which(made > 0 & counts + made > 20 * counts)
  if (length(big) > 0) levels[big]
}

class_info_fields <- c("seeds", "danger", "noise", "safe", "neighbors_used",
                       "wanted", "made", "shortfall")

# in the order of class_info_fields (generate() stacks the values unnamed)
class_info <- function(seeds, neighbors_used, made, wanted, danger = NA,
                       noise = NA, safe = NA) {
  list(seeds = as.integer(seeds), danger = as.integer(danger),
       noise = as.integer(noise), safe = as.integer(safe),
       neighbors_used = as.integer(neighbors_used), wanted = as.integer(wanted),
       made = as.integer(made), shortfall = as.integer(wanted - made))
}

# One class: `rows` are its data rows, G the rows wanted. Finds the
# neighbourhoods, decides which rows may be parents (the method's rule and
# the guard's), then draws candidates in rounds until G pass the guard's
# checks or the rounds run out.
generate_class <- function(method, pred, yi, c, rows, G, settings, data,
                           rounding = rounding_plan(pred, settings$constraints)) {
  n <- length(yi)
  p <- length(rows)
  notes <- list()
  threads <- settings$threads
  guard <- settings$guard
  cons <- settings$constraints
  def <- sampler_method(method)
  interpolating <- def$family == "interpolate" && p > 1
  if (!interpolating) guard <- NULL
  if (p == 1 && def$family == "interpolate") notes$single <- TRUE
  rep <- guard_counts()

  k <- 0L
  known <- NULL
  within <- matrix(1L, p, 0)
  eligible <- rep(TRUE, p)
  spacing <- NULL
  w <- NULL
  danger <- noise <- safe <- NA
  # what the method's hooks read (see new_sampler_method())
  ctx <- list(settings = settings, pred = pred, rows = rows, yi = yi)
  picked <- NULL
  if (interpolating) {
    k <- min(settings$neighbors, p - 1L)
    if (k < settings$neighbors) notes$small <- TRUE
    kq <- k
    grp <- settings$group_codes
    if (!is.null(grp)) {
      sizes <- tabulate(grp[rows][!is.na(grp[rows])])
      kq <- min(p - 1L, k + max(c(0L, sizes)) - 1L)
    }
    nn <- knn_rows(pred, rows, max(kq, 1L), threads = threads, cls = c)
    spacing <- nn$distance[, 1]
    # each real row's nearest and k-th distance in its class, kept for
    # sg_diagnose(), which would measure them again (Euclidean distances on
    # complete numeric rows only: what it measures)
    if (!pred$mixed) known <- list(k = k, nearest = spacing, radius = nn$distance[, k])
    cap <- Inf
    if (!is.null(guard) && guard$max_gap < 1) {
      cap <- gap_quantile(nn$distance[, seq_len(k)], guard$max_gap)
    }
    rep$max_gap_distance <- cap
    if (!is.null(grp) || is.finite(cap)) {
      pr <- .Call(ffi_guard_pairs, nn$index, nn$distance, as.integer(rows),
                  grp, k, as.double(cap))
      within <- pr$index
      rep$pairs_gap <- pr$removed_gap
      rep$pairs_group <- pr$removed_group
    } else {
      within <- nn$index[, seq_len(k), drop = FALSE]
    }
    # only the guard's pair checks leave holes (NA) in `within`
    usable <- if (anyNA(within)) rowSums(!is.na(within)) > 0 else rep(TRUE, p)
    rep$isolated <- sum(!usable)

    # whole-data neighbourhoods: the method's and the guard's in one search
    m_method <- def$whole_neighbors(settings)
    m_guard <- if (is.null(guard)) 0L else settings$m_neighbors
    m_all <- min(max(m_method, m_guard), n - 1L)
    if (m_all > 0) {
      w <- knn_rows(pred, seq_len(n), m_all, query = rows, threads = threads, cls = c)
      w$other <- matrix(yi[w$index] != c, nrow = p)
    }
    # whether each of a row's m nearest rows of the whole data is of
    # another class
    first <- function(m) w$other[, seq_len(min(m, m_all)), drop = FALSE]
    ctx$within <- within
    ctx$whole <- w
    ctx$m_all <- m_all
    ctx$other <- first

    if (!is.null(def$seeds)) {
      picked <- def$seeds(ctx)
      if (!is.null(picked$note)) notes[[picked$note]] <- TRUE
      if (!is.null(picked$eligible)) eligible <- picked$eligible
      danger <- picked$danger
      noise <- picked$noise
      safe <- picked$safe
    }
    if (!is.null(guard)) {
      mg <- min(settings$m_neighbors, m_all)
      own <- rowSums(!first(mg)) / mg
      is_noise <- own == 0
      is_unsafe <- own < guard$min_safety & !is_noise
      at_boundary <- def$seeks_boundary
      rep$noise <- sum(eligible & is_noise)
      rep$unsafe <- if (at_boundary) 0L else sum(eligible & is_unsafe)
      eligible <- eligible & !is_noise & (at_boundary | !is_unsafe)
    }
    eligible <- eligible & usable
  }
  rep$seeds <- sum(eligible)

  intrusion <- guard_intrusion_level(guard, def)
  if (!is.null(guard) && is.finite(intrusion) && intrusion < 1) {
    pos <- integer(n)
    pos[rows] <- seq_len(p)
  }
  bounds <- class_bounds(cons, pred, rows)
  combos_seen <- NULL
  if (!is.null(cons$combos)) {
    cols <- match(cons$combos, pred$nominal)
    combos_seen <- unique(do.call(paste, c(lapply(cols, function(j) pred$codes[rows, j]),
                                           sep = "\r")))
  }

  # the draw: the method's, SMOTE's where the method could not apply its
  # rule, copies where there is nothing to interpolate
  own_draw <- interpolating && is.null(picked$note)
  draw_rows <- if (own_draw) def$draw else draw_in_turns
  stop_short <- own_draw && def$stop_when_short
  at <- which(eligible)
  # the parents' candidates: every row's, unless the method or the guard
  # set some aside
  within_at <- if (length(at) == p) within else within[at, , drop = FALSE]
  kept <- list()
  need <- G
  rounds <- if (is.null(guard) && is.null(cons)) 1L
            else if (is.null(guard)) 10L else guard$max_tries
  round <- 0L
  # quota = "keep" (SMOTE: the draw in turns, no seed rule): every row of
  # the class keeps the share of rows plain SMOTE gives it. A row that may
  # not be a parent hands its share to its nearest own-class neighbour that
  # may, which makes those rows towards it (quota_handover(): the rows stay
  # where the class is, not where it is safest), and a rejected candidate is
  # drawn again from its own parent (another neighbour, another gap), so
  # rejections do not move the rows towards the parents whose candidates
  # pass. quota = "free": the rows still missing are drawn again from every
  # parent, and a row that may not be a parent gives its share to all.
  same_parent <- !is.null(guard) && identical(guard$quota, "keep") &&
    is.null(def$seeds) && identical(draw_rows, draw_in_turns)
  if (same_parent && length(at) > 0 && length(at) < p) {
    hand <- quota_handover(within, rows, eligible)
    if (length(hand$from) > 0) {
      extra <- matrix(NA_integer_, length(hand$from), ncol(within))
      extra[, 1] <- rows[hand$from]
      at <- c(at, hand$to)
      within_at <- rbind(within_at, extra)
    }
  }
  redo <- NULL
  while (need > 0 && length(at) > 0 && round < rounds) {
    round <- round + 1L
    if (is.null(redo)) {
      draw <- draw_rows(ctx, at, within_at, need, picked$state)
    } else {
      draw <- draw_rows(ctx, at[redo], within_at[redo, , drop = FALSE],
                        length(redo), picked$state)
      draw$parent <- redo[draw$parent]
    }
    pos_parent <- at[draw$parent]
    parent <- rows[pos_parent]
    made <- length(parent)
    if (made == 0) break
    rep$drawn <- rep$drawn + made
    values <- .Call(ffi_interpolate, pred$x, as.integer(parent),
                    as.integer(draw$neighbor), as.double(draw$gap))
    codes <- pred$codes[parent, , drop = FALSE]
    if (interpolating && ncol(codes) > 0) {
      # each nominal value from the parent and the parent's own-class
      # neighbours (Borderline-2's other-class candidate never lends one)
      cand <- cbind(parent, within[pos_parent, , drop = FALSE])
      codes <- .Call(ffi_draw_nominal, pred$codes, cand,
                     if (settings$nominal == "vote") 1L else 0L)
    }
    if (!is.null(def$finish)) values <- def$finish(values, ctx, bounds)
    if (!is.null(guard) && guard$jitter > 0 && ncol(values) > 0) {
      values <- add_jitter(values, pred, spacing[pos_parent], guard$jitter, bounds)
    }
    values <- round_values(values, rounding)
    reason <- constraint_failures(values, codes, cons, bounds, pred, data, combos_seen,
                                  parent)
    if (!is.null(guard) && is.finite(intrusion) && intrusion < 1) {
      todo <- which(is.na(reason))
      if (length(todo) > 0) {
        share <- intrusion_share(pred, values[todo, , drop = FALSE],
                                 codes[todo, , drop = FALSE], parent[todo],
                                 draw$neighbor[todo], w, pos, yi, c,
                                 settings, guard, threads)
        reason[todo[share > intrusion]] <- "intrusion"
      }
    }
    ok <- is.na(reason)
    if (!all(ok)) {
      why <- tabulate(match(reason, c("intrusion", "bound", "rule", "combo")), 4L)
      rep$rejected_intrusion <- rep$rejected_intrusion + why[1]
      rep$rejected_bound <- rep$rejected_bound + why[2]
      rep$rejected_rule <- rep$rejected_rule + why[3]
      rep$rejected_combo <- rep$rejected_combo + why[4]
    }
    kept[[round]] <- if (all(ok)) {
      list(parent = parent, neighbor = draw$neighbor, gap = draw$gap,
           values = values, codes = codes, pos = pos_parent)
    } else {
      list(parent = parent[ok], neighbor = draw$neighbor[ok],
           gap = draw$gap[ok], values = values[ok, , drop = FALSE],
           codes = codes[ok, , drop = FALSE], pos = pos_parent[ok])
    }
    need <- need - sum(ok)
    if (same_parent) redo <- draw$parent[!ok]
    if (stop_short && made < need) break
  }
  if (length(at) == 0 && G > 0) notes$no_seeds <- TRUE
  else if (need > 0 && def$stop_when_short && is.null(guard) && is.null(cons)) notes$short <- TRUE
  else if (need > 0) notes$short_guard <- TRUE
  if (length(kept) == 1) {
    # one round (no guard, nothing rejected): nothing to stack
    rows_out <- kept[[1]][c("parent", "neighbor", "gap", "values", "codes")]
  } else {
    bind <- function(f) do.call("c", lapply(kept, `[[`, f))
    rows_out <- list(
      parent = bind("parent"), neighbor = bind("neighbor"), gap = bind("gap"),
      values = do.call(rbind, c(list(matrix(double(0), 0, ncol(pred$x))),
                                lapply(kept, `[[`, "values"))),
      codes = do.call(rbind, c(list(matrix(integer(0), 0, ncol(pred$codes))),
                               lapply(kept, `[[`, "codes"))))
  }
  made <- length(rows_out$parent)
  if (is.null(rows_out$parent)) {
    rows_out$parent <- rows_out$neighbor <- integer(0)
    rows_out$gap <- double(0)
  }
  rows_out$class <- rep(c, made)
  kind <- if (!interpolating) {
    if (def$family == "copy") def$kind(settings) else "copy"
  } else def$kind(settings, rows_out$gap)  # one kind, or one per row
  if (interpolating && !is.null(guard) && guard$jitter > 0) kind <- paste0(kind, "+jitter")
  rows_out$kind <- rep_len(kind, made)
  # parents are data rows: counting them is cheaper than unique() on
  # small data
  rep$parents_used <- if (n <= 1e5) sum(tabulate(rows_out$parent, n) > 0L)
                      else length(unique(rows_out$parent))
  rep$wanted <- G
  rep$made <- made
  rep$shortfall <- G - made
  list(rows = rows_out, known = known,
       info = class_info(sum(eligible), k, made, G, danger, noise, safe),
       report = c(rep, guard_settings(guard, intrusion)),
       notes = notes)
}

# Under quota = "keep", the rows that may not be parents (unsafe, noise)
# and the parent each hands its share to: its nearest own-class neighbour
# that may be a parent, among its pairs the gap cap and groups left
# (`within`: data rows, nearest first, NA where removed). The handed rows
# are made on the segment from that parent towards the row (its only
# neighbour), so they stay near where the row lies. A row with no such
# neighbour hands its share to no one (the draw spreads it over all
# parents). from, to: positions among the class's rows.
quota_handover <- function(within, rows, eligible) {
  p <- length(rows)
  if (ncol(within) == 0) return(list(from = integer(0), to = integer(0)))
  pos <- matrix(match(within, rows), nrow = p)
  ok <- matrix(eligible[pos] %in% TRUE, nrow = p)
  from <- which(!eligible & rowSums(ok) > 0)
  first <- max.col(ok[from, , drop = FALSE] + 0, ties.method = "first")
  list(from = from, to = pos[cbind(from, first)])
}

# quantile(x, p, names = FALSE) (type 7) for one p in [0, 1] and no NA,
# without the generic's checks: (1 - h) x[lo] + h x[hi] on the order
# statistics at the fractional index 1 + (n - 1) p.
gap_quantile <- function(x, p) {
  n <- length(x)
  if (n == 0 || anyNA(x)) return(stats::quantile(x, p, names = FALSE))
  index <- 1 + (n - 1) * p
  lo <- floor(index)
  hi <- ceiling(index)
  x <- sort(x, partial = unique(c(lo, hi)))
  q <- x[lo]
  if (index > lo && x[hi] != q) {
    h <- index - lo
    q <- (1 - h) * q + h * x[hi]
  }
  q
}

guard_counts <- function() {
  list(seeds = 0L, parents_used = 0L, unsafe = 0L, noise = 0L, isolated = 0L,
       pairs_gap = 0, pairs_group = 0, drawn = 0, rejected_intrusion = 0,
       rejected_bound = 0, rejected_rule = 0, rejected_combo = 0,
       wanted = 0L, made = 0L, shortfall = 0L, max_gap_distance = NA_real_)
}

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

# Share of other classes among each candidate's m nearest real rows.
intrusion_share <- function(pred, values, codes, parent, neighbor, w,
                            pos, yi, c, settings, guard, threads) {
  m <- min(settings$m_neighbors, length(yi) - 1L)
  # the local search measures numeric (possibly incomplete) predictors;
  # nominal columns and Gower's distance take the exact search
  local_ok <- length(pred$nominal) == 0 && pred$distance == "euclidean"
  if (local_ok && guard$intrusion_search == "local") {
    return(.Call(ffi_guard_intrusion, pred$x, values, pred$center, pred$scale,
                 as.integer(parent),
                 as.integer(neighbor), w$index[, seq_len(m), drop = FALSE],
                 as.integer(pos), as.integer(yi), as.integer(c), settings$threads))
  }
  nn <- knn_values(pred, values, codes, m, threads, c)
  rowMeans(matrix(yi[nn$index] != c, nrow = nrow(values)))
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

# Gaussian jitter scaled by each parent's local spacing (standardised
# scale), then held to the bounds.
add_jitter <- function(values, pred, spacing, jitter, bounds) {
  keep <- pred$scale > 0
  d <- max(1, sum(keep))
  sd <- outer(jitter * spacing / sqrt(d), pred$scale)
  sd[!is.finite(sd)] <- 0
  hold_to_bounds(.Call(ffi_add_noise, values, sd), bounds)
}

# Noise (jitter, smoothing) is held to the bounds rather than rejected.
hold_to_bounds <- function(values, bounds) {
  if (is.null(bounds) || nrow(values) == 0) return(values)
  lo <- matrix(bounds$lower, nrow(values), ncol(values), byrow = TRUE)
  hi <- matrix(bounds$upper, nrow(values), ncol(values), byrow = TRUE)
  out <- pmin(pmax(values, lo), hi)
  out[is.na(values)] <- NA
  out
}

# Integer columns (and those the constraints name) rounded, ordered ranks
# rounded into their levels. The plan is the same for every class: made
# once per call.
rounding_plan <- function(pred, cons) {
  whole <- pred$kind %in% c("integer", "ordered") | pred$names %in% cons$integer
  ordered <- which(pred$kind == "ordered")
  list(whole = whole, any = any(whole), ordered = ordered,
       top = lengths(pred$levels)[ordered])
}

round_values <- function(values, rounding) {
  if (ncol(values) == 0 || !rounding$any) return(values)
  whole <- rounding$whole
  values[, whole] <- round(values[, whole])
  for (i in seq_along(rounding$ordered)) {
    j <- rounding$ordered[i]
    values[, j] <- pmin(pmax(values[, j], 1), rounding$top[[i]])
  }
  values
}

# One warning per kind of note, naming its classes; a shortfall gives each
# class's numbers from the guard's report (`counts`: the class sizes).
class_warnings <- function(notes, settings, call, report = NULL, counts = NULL) {
  msgs <- c(
    small = "Class(es) %s have no more than `neighbors` = %d rows; each row was paired with all the other rows of its class.",
    single = "Class(es) %s have a single row, which was copied, not interpolated.",
    no_danger = "Class(es) %s have no danger rows (none near the class boundary); plain SMOTE was used.",
    adasyn_flat = "Class(es) %s have no rows of other classes among any row's neighbours; ADASYN has nothing to weight, plain SMOTE was used.",
    many = "Class(es) %s were raised to more than 20 times their size: few real rows stand behind many synthetic ones."
  )
  out <- character(0)
  for (nm in names(notes)) {
    cls <- paste0("`", notes[[nm]], "`", collapse = ", ")
    msg <- if (nm %in% c("short", "short_guard", "no_seeds"))
             shortfall_lines(nm, notes[[nm]], report, counts, settings)
           else if (nm == "small") sprintf(msgs[[nm]], cls, settings$neighbors)
           else sprintf(msgs[[nm]], cls)
    msg <- paste(msg, collapse = "\n")
    out <- c(out, msg)
    sg_warn(msg, class = c(small = "small_class", single = "single_row",
                           no_danger = "fallback", adasyn_flat = "fallback",
                           short = "shortfall", short_guard = "shortfall",
                           no_seeds = "shortfall", many = "many")[[nm]],
            call = call)
  }
  out
}

# The result: the rows of `data`, then the synthetic rows. Indexing each
# column by parent keeps its type and levels (and copies excluded columns,
# the group id and the case weight from the parent); numeric predictors are then overwritten with
# interpolated values and nominal ones with drawn values, and the data
# frame's class and attributes put back, without `[.data.frame`'s
# make.unique() on repeated row names.
assemble_result <- function(data, pred, gen, settings) {
  n <- nrow(data)
  G <- length(gen$parent)
  automatic <- .row_names_info(data) < 0
  # a plain list of columns while they are filled in (`[[<-` on a data
  # frame or a tibble costs more than the copying it does here). Plain
  # double and integer predictors (no attributes) are the real values
  # followed by the new ones; every other column is indexed by parent and
  # its new values written over.
  attrs <- attributes(data)
  idx <- c(seq_len(n), gen$parent)
  out <- unclass(data)
  is_plain <- pred$kind == "double" | pred$kind == "integer"
  is_plain[is_plain] <- lengths(lapply(out[pred$names[is_plain]], attributes)) == 0L
  plain <- pred$names[is_plain]
  take <- !names(out) %in% plain
  out[take] <- lapply(out[take], function(col) {
    if (is.null(dim(col))) col[idx] else col[idx, , drop = FALSE]
  })
  if (G > 0) {
    idx <- n + seq_len(G)
    values <- gen$values
    kinds <- pred$kind
    for (j in seq_along(pred$names)) {
      nm <- pred$names[j]
      v <- values[, j]
      # integer columns inline: typed_values()'s call costs as much as the
      # conversion on small tables
      kind <- kinds[[j]]
      if (kind == "integer") v <- as.integer(round(v))
      else if (kind != "double") v <- typed_values(v, kind, pred$levels[[j]])
      if (is_plain[j]) out[[nm]] <- c(out[[nm]], v) else out[[nm]][idx] <- v
    }
    for (j in seq_along(pred$nominal)) {
      col <- pred$nominal[j]
      v <- pred$nominal_levels[[j]][gen$codes[, j]]
      if (is.logical(out[[col]])) v <- as.logical(v)
      out[[col]][idx] <- v
    }
  }
  attrs$row.names <- if (automatic) {
    .set_row_names(n + G)
  } else {
    result_row_names(attrs$row.names, G)
  }
  attributes(out) <- attrs
  out
}

# The input's row names, then "synthetic_1", ..., made unique. Unique input
# names that cannot meet a synthetic name (integers, or strings not starting
# "synthetic_") are already the answer, without make.unique()'s hashing.
result_row_names <- function(row_names, G) {
  out <- c(as.character(row_names), synthetic_names(G))
  clash <- anyDuplicated(row_names) > 0 ||
    (is.character(row_names) && any(startsWith(row_names, "synthetic_")))
  if (clash) make.unique(out) else out
}

# "synthetic_1", ..., "synthetic_G": pasting the strings costs more than the
# rest of the row names, so the longest vector made so far is kept (up to a
# size where the copy is negligible next to the call) and cut to length.
synthetic_names <- function(G) {
  if (G > 1e5) return(paste0("synthetic_", seq_len(G)))
  have <- row_name_cache$synthetic
  if (length(have) < G) {
    have <- paste0("synthetic_", seq_len(min(1e5, max(G, 256L, 2 * length(have)))))
    row_name_cache$synthetic <- have
  }
  have[seq_len(G)]
}

row_name_cache <- new.env(parent = emptyenv())

typed_values <- function(v, kind, levels) {
  switch(kind,
    integer = as.integer(round(v)),
    ordered = factor(levels[pmin(pmax(round(v), 1), length(levels))],
                     levels = levels, ordered = TRUE),
    v)
}

# Save the caller's random stream; the returned function puts it back.
preserve_rng <- function() {
  env <- globalenv()
  had <- exists(".Random.seed", envir = env, inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = env, inherits = FALSE)
  # .Random.seed names its generator in its first value: putting it back
  # restores the kind too
  function() {
    if (had) {
      assign(".Random.seed", old, envir = env)
    } else if (exists(".Random.seed", envir = env, inherits = FALSE)) {
      rm(".Random.seed", envir = env)
    }
    invisible()
  }
}
