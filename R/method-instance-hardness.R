#' @include registry.R method-svm-smote.R
NULL

# Instance hardness threshold (Smith, Martinez and Giraud-Carrier 2014): a
# row is hard when a model that has not seen it gives its own class a low
# probability. For each larger class, a logistic regression of "this class
# or not" on the standardised predictors (nominal columns as 0/1 columns,
# the first level left out) is fitted in `folds` stratified folds drawn from
# the random stream; each row gets the probability of its class from the
# fit without its fold, and the class keeps its `size` rows with the highest
# probability (the easiest; ties to the earlier row).
select_instance_hardness <- function(ctx, rows, size) {
  pred <- ctx$pred
  method <- "instance_hardness"
  model <- "logistic regression"
  check_complete(pred, method, model)
  own <- ctx$yi == ctx$yi[rows[1]]
  # numeric predictors only: standardised in C, not first copied in R
  fit_design <- if (!pred$mixed) list(x = pred$x, center = pred$center, scale = pred$scale)
                else list(x = design_matrix(pred, method, model, drop_first = TRUE))
  p <- out_of_fold_glm(fit_design, own, ctx$folds, ctx$yi, ctx$threads,
                       design = function() design_matrix(pred, method, model, drop_first = TRUE))
  rows[order(-p[rows], rows)[seq_len(size)]]
}

# Stratified folds: within each class, its rows in a random order dealt to
# the folds in turn.
stratified_folds <- function(yi, folds) {
  fold <- integer(length(yi))
  for (cl in unique(yi)) {
    at <- which(yi == cl)
    fold[at[sample.int(length(at))]] <- rep_len(seq_len(folds), length(at))
  }
  fold
}

# Each row's fitted probability of `target` from a logistic regression
# fitted to the other folds: the maximum-likelihood fit glm.fit() finds,
# computed in C (src/logit.c: Newton's method on a subsample for a start,
# then steps with each fold's Hessian held fixed, to a relative change of
# 1e-12), on fit_design$x standardised by its `center` and `scale` (NULL:
# as it is). A fold the C fit declines (separated classes, aliased
# columns, steps that do not shrink) is fitted by glm.fit() on `design()`,
# the same columns as one matrix. (glm.fit's warnings on separated data
# are not the user's concern here: the probabilities are still what the
# rule ranks.)
out_of_fold_glm <- function(fit_design, target, folds, yi, threads = NA_integer_,
                            design = function() fit_design$x) {
  fold <- stratified_folds(yi, min(folds, length(yi)))
  x <- fit_design$x
  if (!is.double(x)) storage.mode(x) <- "double"
  p <- .Call(ffi_logit_oof, x, fit_design$center, fit_design$scale, as.integer(target),
             fold, threads)
  left <- unique(fold[is.na(p)])
  if (length(left) == 0) return(p)
  design <- cbind(1, design())
  for (f in left) {
    test <- fold == f
    fit <- suppressWarnings(stats::glm.fit(design[!test, , drop = FALSE],
                                           as.numeric(target[!test]),
                                           family = stats::binomial()))
    beta <- fit$coefficients
    beta[is.na(beta)] <- 0
    p[test] <- stats::plogis(drop(design[test, , drop = FALSE] %*% beta))
  }
  p
}

register_method(new_sampler_method(
  name = "instance_hardness", family = "undersample", rank = 6,
  title = "Instance hardness threshold: keeps the rows a cross-validated logistic regression finds easiest",
  reference = "Smith, Martinez and Giraud-Carrier (2014), Machine Learning 95",
  params = list(folds = param_count(5, "cross-validation folds of the logistic regression")),
  select = select_instance_hardness
))
