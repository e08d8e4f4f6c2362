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
#' @param method The oversampling method of [sg_oversample()].
#' @param ... Further arguments of [sg_oversample()]: `neighbors`,
#'   `over_ratio`, `guard`, `constraints`, `seed`, `m_neighbors`, ... (not
#'   `data` or `var`).
#' @param first `TRUE` to oversample before caret's pre-processing
#'   (`preProcess` of `train()`), `FALSE` after it.
#' @return A list with elements `name`, `func` (a function of `x` and `y`
#'   returning a list of `x` and `y`) and `first`.
#' @seealso [step_smoteguard()] for recipes.
#' @examples
#' sampling <- sg_caret_sampling("smote", neighbors = 5)
#' str(sampling, max.level = 1)
#'
#' # what caret does with it, on one training fold
#' x <- breast_biopsy[1:300, 1:9]
#' y <- breast_biopsy$diagnosis[1:300]
#' res <- sampling$func(x, y)
#' table(y)
#' table(res$y)
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
  method <- check_method(method, method_names(oversampling_families), call = call)
  args <- list(...)
  nms <- names(args)
  allowed <- setdiff(names(formals(sg_oversample)), c("data", "var", "method"))
  if (length(args) > 0 &&
      (is.null(nms) || anyNA(nms) || any(nms == "") || anyDuplicated(nms))) {
    sg_abort(c("Every argument in `...` must be named.",
               "For example `sg_caret_sampling(\"smote\", neighbors = 5)`."),
             call = call)
  }
  check_known_names(nms, allowed, c("`...`", " of `sg_oversample()`"),
                    "caret supplies the data and the outcome", call = call)
  check_flag(first, "first", call)
  args <- c(list(method = method), args)

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
    attr(res, "smoteguard") <- NULL
    x_out <- res[setdiff(names(res), outcome)]
    if (was_matrix) x_out <- as.matrix(x_out)
    list(x = x_out, y = res[[outcome]])
  }
  list(name = sprintf("smoteguard %s", method), func = func, first = first)
}
