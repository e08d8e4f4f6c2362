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
  x <- design_matrix(ctx$pred, "instance_hardness", "logistic regression", drop_first = TRUE)
  own <- ctx$yi == ctx$yi[rows[1]]
  p <- out_of_fold_glm(x, own, ctx$folds, ctx$yi)
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
# fitted to the other folds. (glm.fit's warnings on separated data are not
# the user's concern here: the probabilities are still what the rule
# ranks.)
out_of_fold_glm <- function(x, target, folds, yi) {
  fold <- stratified_folds(yi, min(folds, length(yi)))
  design <- cbind(1, x)
  p <- numeric(length(target))
  for (f in unique(fold)) {
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
