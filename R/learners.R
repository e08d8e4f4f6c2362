#' Learners for an evaluation
#'
#' A learner is a value that says how [sg_evaluate()] fits a model to a
#' (resampled) training part and predicts the test rows: the probability of
#' the positive class. Inside an evaluation, the outcome is a factor whose
#' **second level is the positive class**, and the data hold the outcome and
#' the predictors only (the `groups`, `time` and `exclude` columns are taken
#' out); real rows keep the row names they have in `data`.
#'
#' * `sg_learner_glm()`: logistic regression, [stats::glm()] with
#'   `family = binomial` on every predictor. `glm()` drops rows with missing
#'   values without a word, which would compare samplers on different rows:
#'   a training part with missing values stops with an error of class
#'   `smoteguard_error_learner` naming the fold, the sampler and the count
#'   (impute first, e.g. inside a recipe).
#' * `sg_learner_glmnet()`: penalised logistic regression (package glmnet).
#'   `lambda` is chosen by an inner cross-validation within the training part
#'   only: the real training rows are cut into `inner_folds` stratified
#'   folds; the sampler runs inside each inner training part, and each inner
#'   validation part holds real rows only. The lambda with the least inner
#'   log-loss of the prior-corrected predictions is then used on the model
#'   fitted to the whole (resampled) training part.
#' * `sg_learner_ranger()`: a probability forest (package ranger), one
#'   thread, seeded from the evaluation's cell seed.
#' * `sg_learner()`: anything else: `fit(data, var)` returns a model,
#'   `predict(model, newdata)` the probability of the positive class (the
#'   outcome's second level) for each row of `newdata`. Under a parallel
#'   [future::plan()] they run on workers that have only their arguments and
#'   the packages in `packages`: call functions as `pkg::fun()` and do not
#'   read objects of your global environment.
#'
#' Only two-class outcomes are supported for now; an outcome of more classes
#' is refused by [sg_evaluate()] with an error of class
#' `smoteguard_error_input`.
#'
#' @param fit A function `(data, var)` returning a fitted model.
#' @param predict A function `(model, newdata)` returning one probability of
#'   the positive class per row of `newdata`.
#' @param name A short name for tables and plots.
#' @param packages Packages the learner needs (checked before the
#'   evaluation starts, and loaded on parallel workers).
#' @return An object of class `sg_learner`.
#' @seealso [sg_evaluate()]
#' @examples
#' sg_learner_glm()
#' # a learner of your own: logistic regression on two predictors
#' two <- sg_learner(
#'   fit = function(data, var) {
#'     glm(reformulate(c("cell_size", "bare_nuclei"), var), binomial, data = data)
#'   },
#'   predict = function(model, newdata) predict(model, newdata, type = "response"),
#'   name = "glm-2")
#' two
#' @export
sg_learner <- function(fit, predict, name = "custom", packages = character()) {
  call <- sys.call()
  if (!is.function(fit) || length(formals(fit)) < 2) {
    sg_abort(c("`fit` must be a function of `(data, var)` returning a model.",
               sprintf("It is %s.", describe(fit))), call = call)
  }
  if (!is.function(predict) || length(formals(predict)) < 2) {
    sg_abort(c("`predict` must be a function of `(model, newdata)` returning probabilities.",
               sprintf("It is %s.", describe(predict))), call = call)
  }
  check_name(name, "name", call)
  user_fit <- fit
  user_predict <- predict
  new_learner(name,
              fit = function(data, var, context) user_fit(data, var),
              predict = function(model, newdata) user_predict(model, newdata),
              packages = packages)
}

#' @rdname sg_learner
#' @export
sg_learner_glm <- function(name = "glm") {
  check_name(name, "name", sys.call())
  new_learner(name, fit = glm_fit, predict = glm_predict)
}

#' @rdname sg_learner
#' @param alpha The elastic-net mixing: 1 the lasso, 0 ridge.
#' @param inner_folds Folds of the inner cross-validation that chooses
#'   `lambda`, at least 2.
#' @param nlambda Length of the `lambda` path.
#' @export
sg_learner_glmnet <- function(alpha = 1, inner_folds = 3, nlambda = 30, name = "glmnet") {
  call <- sys.call()
  alpha <- check_number(alpha, "alpha", min = 0, call = call)
  if (alpha > 1) {
    sg_abort(c("`alpha` must lie in [0, 1].", sprintf("It is %s.", describe(alpha))), call = call)
  }
  inner_folds <- check_count(inner_folds, "inner_folds", min = 2, call = call)
  nlambda <- check_count(nlambda, "nlambda", min = 2, call = call)
  check_name(name, "name", call)
  new_learner(name,
              fit = function(data, var, context) {
                glmnet_fit(data, var, context, alpha, inner_folds, nlambda)
              },
              predict = glmnet_predict, packages = "glmnet",
              settings = list(alpha = alpha, inner_folds = inner_folds, nlambda = nlambda))
}

#' @rdname sg_learner
#' @param trees Number of trees.
#' @param ... Further arguments of [ranger::ranger()] (not `data`,
#'   `probability`, `num.threads` or `seed`).
#' @export
sg_learner_ranger <- function(trees = 500, ..., name = "ranger") {
  call <- sys.call()
  trees <- check_count(trees, "trees", call = call)
  check_name(name, "name", call)
  extra <- list(...)
  taken <- intersect(names(extra), c("data", "probability", "num.threads", "seed",
                                     "dependent.variable.name", "formula", "x", "y"))
  if (length(taken) > 0) {
    sg_abort(c(sprintf("`...` must not set %s: the evaluation sets them.",
                       paste0("`", taken, "`", collapse = ", ")),
               "Pass other arguments of `ranger::ranger()` only."), call = call)
  }
  new_learner(name,
              fit = function(data, var, context) {
                args <- c(list(dependent.variable.name = var, data = data,
                               probability = TRUE, num.trees = trees, num.threads = 1L,
                               seed = context$seed %||% sample.int(.Machine$integer.max, 1)),
                          extra)
                list(forest = do.call(ranger::ranger, args),
                     positive = levels(data[[var]])[2])
              },
              predict = function(model, newdata) {
                pr <- stats::predict(model$forest, data = newdata, num.threads = 1L)$predictions
                pr[, model$positive]
              },
              packages = "ranger", settings = c(list(trees = trees), extra))
}

new_learner <- function(name, fit, predict, packages = character(), settings = list()) {
  structure(list(name = name, fit = fit, predict = predict, packages = packages,
                 settings = settings),
            class = "sg_learner")
}

#' @export
print.sg_learner <- function(x, ...) {
  cat(sprintf("<smoteguard learner> %s\n", x$name))
  if (length(x$packages) > 0) {
    cat(sprintf("  needs: %s\n", paste(x$packages, collapse = ", ")))
  }
  for (nm in names(x$settings)) {
    cat(sprintf("  %s = %s\n", nm, paste(format(x$settings[[nm]]), collapse = ", ")))
  }
  invisible(x)
}

check_name <- function(x, arg, call) {
  if (!is.character(x) || length(x) != 1 || is.na(x) || !nzchar(x)) {
    sg_abort(c(sprintf("`%s` must be a single non-empty string.", arg),
               sprintf("It is %s.", describe(x))), call = call)
  }
  x
}

# Where an evaluation's cell is, for messages: "repeat 1, fold 3, sampler
# `smote`".
cell_label <- function(context) {
  where <- if (identical(context$fold, 0L)) "the holdout fit"
           else sprintf("repeat %d, fold %d", context$rep, context$fold)
  sprintf("%s, sampler `%s`", where, context$sampler_label)
}

# Rows with a missing predictor: glm() and model.matrix() would drop them.
stop_if_incomplete <- function(data, var, context, learner) {
  bad <- sum(!stats::complete.cases(data[setdiff(names(data), var)]))
  if (bad > 0) {
    sg_abort(c(sprintf("%s: the training part has %d row(s) with missing predictor values (%s).",
                       learner, bad, cell_label(context)),
               "They would be dropped without a word, and the samplers compared on different rows.",
               "Impute the missing values first, or drop those rows from `data`."),
             class = "learner")
  }
}

glm_fit <- function(data, var, context) {
  stop_if_incomplete(data, var, context, "glm")
  f <- stats::reformulate(setdiff(names(data), var), response = var)
  environment(f) <- baseenv()
  stats::glm(f, family = stats::binomial(), data = data)
}

glm_predict <- function(model, newdata) {
  tt <- stats::delete.response(stats::terms(model))
  mf <- stats::model.frame(tt, newdata, na.action = stats::na.pass, xlev = model$xlevels)
  x <- stats::model.matrix(tt, mf, contrasts.arg = model$contrasts)
  beta <- stats::coef(model)
  beta[is.na(beta)] <- 0  # aliased columns, as predict.lm() treats them
  stats::plogis(drop(x %*% beta))
}

# The design matrix of the predictors, and what it needs to be made again
# on new rows.
learner_matrix <- function(data, var, spec = NULL) {
  if (is.null(spec)) {
    f <- stats::reformulate(setdiff(names(data), var))
    environment(f) <- baseenv()
    mf <- stats::model.frame(f, data, na.action = stats::na.pass)
    spec <- list(terms = stats::terms(mf),
                 xlev = stats::.getXlevels(stats::terms(mf), mf))
  } else {
    mf <- stats::model.frame(spec$terms, data, na.action = stats::na.pass, xlev = spec$xlev)
  }
  x <- stats::model.matrix(spec$terms, mf)
  list(x = x[, colnames(x) != "(Intercept)", drop = FALSE], spec = spec)
}

glmnet_fit <- function(data, var, context, alpha, inner_folds, nlambda) {
  stop_if_incomplete(data, var, context, "glmnet")
  dm <- learner_matrix(data, var)
  y <- data[[var]]
  path <- glmnet::glmnet(dm$x, y, family = "binomial", alpha = alpha, nlambda = nlambda)
  lambda <- path$lambda
  real <- context$real
  if (is.null(real) || length(lambda) < 2) {
    return(list(path = path, lambda = min(lambda), spec = dm$spec))
  }
  # inner CV on the real training rows, the sampler inside each inner
  # training part; the validation parts hold real rows only
  yr <- real[[var]] == levels(real[[var]])[2]
  fold <- class_folds(yr, min(inner_folds, sum(yr), sum(!yr)))
  loss <- numeric(length(lambda))
  for (f in unique(fold)) {
    inner <- real[fold != f, , drop = FALSE]
    fitted <- context$resample(inner, f)
    di <- learner_matrix(fitted, var, dm$spec)
    m <- glmnet::glmnet(di$x, fitted[[var]], family = "binomial", alpha = alpha,
                        lambda = lambda)
    dv <- learner_matrix(real[fold == f, , drop = FALSE], var, dm$spec)
    p <- stats::predict(m, dv$x, type = "response")
    p <- correct_to_real(p, inner[[var]], fitted[[var]])
    yv <- yr[fold == f]
    eps <- 1e-15
    p <- pmin(pmax(p, eps), 1 - eps)
    loss[seq_len(ncol(p))] <- loss[seq_len(ncol(p))] -
      colSums(yv * log(p) + (1 - yv) * log(1 - p))
  }
  list(path = path, lambda = lambda[which.min(loss)], spec = dm$spec)
}

glmnet_predict <- function(model, newdata) {
  x <- learner_matrix(newdata, "", model$spec)$x
  drop(stats::predict(model$path, x, s = model$lambda, type = "response"))
}

# Probabilities of a model trained on the classes of `trained` (a factor,
# second level positive) moved to the shares of `real` (the rows before
# resampling), by sg_correct_prior(); unchanged when the shares agree.
correct_to_real <- function(p, real, trained) {
  shares <- function(y) {
    n <- tabulate(y, nlevels(y))
    stats::setNames(n / sum(n), c("negative", "positive"))
  }
  from <- shares(trained)
  to <- shares(real)
  if (isTRUE(all.equal(from, to))) return(p)
  # a matrix here is one column per lambda, not per class: corrected as a
  # vector
  p[] <- sg_correct_prior(as.vector(p), from = from, to = to, positive = "positive")
  p
}

# Fit a learner and predict `newdata`, checking the answer: one probability
# in [0, 1] per row.
learner_fit_predict <- function(learner, train, newdata, var, context) {
  model <- learner$fit(train, var, context)
  p <- learner$predict(model, newdata)
  if (is.matrix(p) && ncol(p) == 1) p <- p[, 1]
  if (!is.numeric(p) || length(p) != nrow(newdata)) {
    sg_abort(c(sprintf("Learner `%s` must predict one probability per row (%s).",
                       learner$name, cell_label(context)),
               sprintf("It gave %s for %d row(s).", describe(p), nrow(newdata))),
             class = "learner")
  }
  bad <- sum(is.na(p) | p < 0 | p > 1)
  if (bad > 0) {
    sg_abort(c(sprintf("Learner `%s` predicted %d value(s) that are NA or outside [0, 1] (%s).",
                       learner$name, bad, cell_label(context)),
               "A learner must return the probability of the positive class; missing predictor values give NA."),
             class = "learner")
  }
  as.double(unname(p))
}
