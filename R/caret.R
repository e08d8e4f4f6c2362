#' Guarded oversampling inside caret's resampling
#'
#' Returns the list that `caret::trainControl(sampling = )` accepts, so that
#' caret oversamples the training rows of each resample (and the whole
#' training data for the final model) with [sg_oversample()], and predicts
#' the held-out rows of each resample as they are.
#'
#' caret calls `func(x, y)` with the predictors and the outcome of the rows
#' a model is about to be fitted to. `func` puts them together under an
#' outcome name that no predictor has, oversamples, and splits the result
#' again: every predictor column is kept, whatever its name (caret's own
#' `"smote"` wrapper drops the predictors whose names contain `".y"`). A
#' matrix `x` comes back as a matrix, a data frame as a plain data frame
#' (with the real rows first, then the synthetic rows).
#'
#' Without a `seed`, each call draws from R's random stream, which caret
#' seeds per resample (`trainControl(seeds = )`, or `set.seed()` before
#' `train()`), so a run is reproducible. With a `seed`, every resample is
#' oversampled with that one seed.
#'
#' @section What the guard did in each resample:
#' The returned list keeps the record of every call of `func` (see
#' [sg_record()]), in the order caret made them: one per resample, then the
#' one of the final model. [sg_caret_records()] reads them, from the list or
#' from the fitted `train` object. Calls made in parallel workers (a
#' `foreach` backend) are recorded in the workers, not here. `print()`
#' shows the settings and how many records are kept.
#'
#' @section Groups and case weights:
#' caret hands the hook only the predictors and the outcome of each
#' resample's rows, so rows that belong together (one patient's visits)
#' cannot be kept apart, and a group or weights column would reach the
#' hook as a predictor. `groups` and `weights` are therefore refused: use
#' [step_smoteguard()] with `groups` in a recipe resampled by groups
#' (`rsample::group_vfold_cv()`), or `sg_evaluate(groups = )`.
#'
#' @param method The oversampling method of [sg_oversample()].
#' @param ... Further arguments of [sg_oversample()]: `neighbors`,
#'   `over_ratio`, `guard`, `constraints`, `seed`, `m_neighbors`, ... (not
#'   `data` or `var`).
#' @param first `TRUE` to oversample before caret's pre-processing
#'   (`preProcess` of `train()`), `FALSE` after it.
#' @return A list with elements `name`, `func` (a function of `x` and `y`
#'   returning a list of `x` and `y`) and `first`, of class
#'   `"sg_caret_sampling"` (after `"list"`, which caret requires first).
#' @seealso [step_smoteguard()] for recipes.
#' @examples
#' sampling <- sg_caret_sampling("smote", neighbors = 5)
#' sampling
#'
#' # what caret does with it, on one training fold
#' x <- breast_biopsy[1:300, 1:9]
#' y <- breast_biopsy$diagnosis[1:300]
#' res <- sampling$func(x, y)
#' table(y)
#' table(res$y)
#' sg_caret_records(sampling)[[1]]$counts
#'
#' if (requireNamespace("caret", quietly = TRUE)) {
#'   set.seed(1)
#'   fit <- caret::train(
#'     x = breast_biopsy[, 1:9], y = breast_biopsy$diagnosis,
#'     method = "glm",
#'     trControl = caret::trainControl(method = "cv", number = 3,
#'                                     sampling = sg_caret_sampling("smote")))
#'   fit$results
#' }
#' @export
sg_caret_sampling <- function(method = "smote", ..., first = TRUE) {
  call <- sys.call()
  if (is.character(method) && length(method) == 1 && method %in% method_names("regress")) {
    sg_abort(c(sprintf("Method \"%s\" is for a numeric outcome, and caret's sampling hook is called only for classification.",
                       method),
               sprintf("Use `step_smoteguard(method = \"%s\")` in a recipe (caret's `train()` takes a recipe), or `sg_oversample()` on each training set.",
                       method)),
             class = c("regress_caret", "input"), call = call)
  }
  method <- check_method(method, method_names(oversampling_families), call = call)
  args <- list(...)
  nms <- names(args)
  allowed <- setdiff(names(formals(sg_oversample)), c("data", "var", "method"))
  allowed <- setdiff(allowed, c("groups", "weights"))
  if (length(args) > 0 &&
      (is.null(nms) || anyNA(nms) || any(nms == "") || anyDuplicated(nms))) {
    sg_abort(c("Every argument in `...` must be named.",
               "For example `sg_caret_sampling(\"smote\", neighbors = 5)`."),
             call = call)
  }
  refused <- intersect(nms, c("groups", "weights"))
  if (length(refused) > 0) {
    sg_abort(c(sprintf("`%s` cannot be used through caret's sampling hook.", refused[1]),
               "caret passes the hook only the predictors and the outcome of each resample, so a group or weights column would be a predictor and rows of one group could not be kept apart.",
               "Use `step_smoteguard(groups = )` in a recipe resampled with `rsample::group_vfold_cv()`, or `sg_evaluate(groups = )`."),
             call = call)
  }
  check_known_names(nms, allowed, c("`...`", " of `sg_oversample()`"),
                    "caret supplies the data and the outcome", call = call)
  check_flag(first, "first", call)
  args <- c(list(method = method), args)
  records <- new.env(parent = emptyenv())
  records$list <- list()

  func <- function(x, y) {
    if (NROW(x) != length(y)) {
      sg_abort(c("`x` and `y` must describe the same rows.",
                 sprintf("`x` has %d rows, `y` %d values.", NROW(x), length(y))))
    }
    was_matrix <- is.matrix(x)
    data <- as.data.frame(x, stringsAsFactors = FALSE)
    # an outcome name that is not a predictor's, however they are named
    outcome <- make.unique(c(names(data), ".outcome"), sep = "_")[ncol(data) + 1]
    data[[outcome]] <- y
    res <- call_with_data(sg_oversample, data, outcome, args)
    records$list[[length(records$list) + 1L]] <- attr(res, "smoteguard")
    attr(res, "smoteguard") <- NULL
    x_out <- res[setdiff(names(res), outcome)]
    if (was_matrix) x_out <- as.matrix(x_out)
    list(x = x_out, y = res[[outcome]])
  }
  # caret requires a list whose first class is "list", with exactly these
  # three elements: the settings and the records ride as attributes
  structure(list(name = sprintf("smoteguard %s", method), func = func, first = first),
            settings = args, records = records,
            class = c("list", "sg_caret_sampling"))
}

#' @export
print.sg_caret_sampling <- function(x, ...) {
  args <- attr(x, "settings")
  shown <- vapply(args, function(v) {
    if (is.null(v)) "NULL" else if (inherits(v, c("sg_guard", "sg_constraints"))) class(v)[1]
    else paste(deparse(v, width.cutoff = 60L)[1], collapse = "")
  }, "")
  cat(sprintf("<smoteguard caret sampling> %s\n", x$name))
  cat(sprintf("  %s = %s\n", names(shown), shown), sep = "")
  cat(sprintf("  first = %s (%s caret's pre-processing)\n", x$first,
              if (isTRUE(x$first)) "before" else "after"))
  n <- length(attr(x, "records")$list)
  cat(sprintf("  records kept: %d (read them with sg_caret_records())\n", n))
  invisible(x)
}

#' The records of each resample oversampled by caret
#'
#' [sg_caret_sampling()] keeps the record (see [sg_record()]) of every call
#' caret makes of its `func`: one per resample, then one for the final
#' model, in that order. This reads them, so that you can see what the
#' guard did in each fold (`sg_record(...)$guard$report`, the counts, the
#' warnings).
#'
#' @param x The list made by [sg_caret_sampling()], or a model fitted by
#'   `caret::train()` with it (its `control$sampling`).
#' @return A list of records (objects of class `sg_record`), possibly
#'   empty.
#' @examples
#' sampling <- sg_caret_sampling("smote", seed = 1)
#' res <- sampling$func(breast_biopsy[1:200, 1:9], breast_biopsy$diagnosis[1:200])
#' recs <- sg_caret_records(sampling)
#' length(recs)
#' recs[[1]]$counts
#' @export
sg_caret_records <- function(x) {
  if (inherits(x, "train")) x <- x$control$sampling
  if (!inherits(x, "sg_caret_sampling")) {
    sg_abort(c("`x` must be made by `sg_caret_sampling()`, or be a `train` object fitted with it.",
               sprintf("It is %s.", describe(x))), call = sys.call())
  }
  attr(x, "records")$list
}
