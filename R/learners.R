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
#' With an outcome of more than two classes, [sg_evaluate()] evaluates each
#' class against the rest: a learner is fitted to each two-class problem
#' (the class as the second level, `"not <class>"` as the first) and returns
#' the probability of that class.
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
# `real` and `trained` may also be the two classes' counts (the caller
# has them).
correct_to_real <- function(p, real, trained) {
  from <- class_shares(trained)
  to <- class_shares(real)
  # all.equal() is TRUE only for shares within 1.5e-8 of each other: it is
  # asked only then (it took a tenth of a small evaluation's own time), and
  # not for the same shares (a sampler that made no rows)
  if (identical(from, to)) return(p)
  if (max(abs(from - to)) < 1e-6 && isTRUE(all.equal(from, to))) return(p)
  # a matrix here is one column per lambda, not per class: corrected as a
  # vector
  if (all(is.finite(from) & from > 0) && all(is.finite(to) & to > 0)) {
    # sg_correct_prior()'s log-odds shift, without its checks of the
    # user's arguments (the learner's output was checked; the shares are)
    shift <- stats::qlogis(to[[2L]]) - stats::qlogis(from[[2L]])
    p[] <- stats::plogis(stats::qlogis(as.double(p)) + shift)
    return(p)
  }
  names(from) <- names(to) <- c("negative", "positive")
  p[] <- sg_correct_prior(as.vector(p), from = from, to = to, positive = "positive")
  p
}

# The shares of the two classes (negative, positive) of a factor (second
# level positive) or of their counts.
class_shares <- function(y) {
  n <- if (is.factor(y)) tabulate(y, nlevels(y)) else y
  n / sum(n)
}

# Fit a learner and predict `newdata`, checking the answer: one probability
# in [0, 1] per row. A learner that corrects its own predictions for the
# prior (a blend: only its resampled part is corrected) returns them as the
# attribute "corrected", kept here and read by prior_corrected().
learner_fit_predict <- function(learner, train, newdata, var, context) {
  model <- learner$fit(train, var, context)
  p <- learner$predict(model, newdata)
  corrected <- attr(p, "corrected", exact = TRUE)
  p <- check_learner_output(p, learner, newdata, context)
  if (!is.null(corrected)) {
    attr(p, "corrected") <- check_learner_output(corrected, learner, newdata, context)
  }
  p
}

check_learner_output <- function(p, learner, newdata, context) {
  if (is.matrix(p) && ncol(p) == 1) p <- p[, 1]
  if (!is.numeric(p) || length(p) != nrow(newdata)) {
    sg_abort(c(sprintf("Learner `%s` must predict one probability per row (%s).",
                       learner$name, cell_label(context)),
               sprintf("It gave %s for %d row(s).", describe(p), nrow(newdata))),
             class = "learner")
  }
  # tested first without counting (the count only for the message)
  if (anyNA(p) || any(p < 0) || any(p > 1)) {
    bad <- sum(is.na(p) | p < 0 | p > 1)
    sg_abort(c(sprintf("Learner `%s` predicted %d value(s) that are NA or outside [0, 1] (%s).",
                       learner$name, bad, cell_label(context)),
               "A learner must return the probability of the positive class; missing predictor values give NA."),
             class = "learner")
  }
  as.double(unname(p))
}

# The raw predictions (without the attribute), and the prior-corrected
# ones: the learner's own when it made them, else sg_correct_prior() from
# the trained shares to the real ones.
raw_predictions <- function(p) {
  attr(p, "corrected") <- NULL
  p
}

prior_corrected <- function(p, real, trained) {
  attr(p, "corrected", exact = TRUE) %||% correct_to_real(p, real, trained)
}

#' A blend of a model on the original rows and one on the resampled rows
#'
#' Practitioners who doubt that resampling helps often hedge: they average a
#' model fitted to the real training rows and the same model fitted to the
#' resampled rows. `sg_learner_blend()` makes that a learner, so that
#' [sg_evaluate()] can say whether the hedge did better than no resampling.
#'
#' In each training part, `learner` is fitted twice: to the real rows (with
#' no resampling in its inner choices either) and to the rows the sampler
#' returned. The blend's probability is
#' `(1 - weight) * p_original + weight * p_resampled`: `weight = 0` is the
#' learner on the original rows only, `weight = 1` the learner on the
#' resampled rows only (each part is fitted only when its weight is above
#' 0). With `sg_sampler("none")` both parts are the same model, fitted once,
#' and the blend equals `learner`.
#'
#' **The prior correction is applied to the resampled part only**: the
#' corrected blend is `(1 - weight) * p_original + weight * p_resampled_corrected`.
#' The model on the original rows already predicts on the real class
#' shares; correcting the blend as a whole would shift its calibrated half
#' too (over-correcting it), and the class shares a blend "was trained on"
#' are not defined. The raw blend (`corrected = FALSE`) mixes the two parts
#' as predicted.
#'
#' A blend needs the training rows before resampling, which
#' [sg_evaluate()] gives it; its fit called elsewhere stops with an error of
#' class `smoteguard_error_learner`.
#'
#' @param learner A learner: [sg_learner_glm()], [sg_learner_glmnet()],
#'   [sg_learner_ranger()], [sg_learner()], or a parsnip model specification
#'   or workflow (see [sg_evaluate()]).
#' @param weight The weight of the model on the resampled rows, in `[0, 1]`.
#' @param name A short name for tables and plots; by default the learner's
#'   name followed by `-blend`.
#' @return An object of class `sg_learner`.
#' @seealso [sg_learner()], [sg_evaluate()]
#' @examples
#' blend <- sg_learner_blend(sg_learner_glm(), weight = 0.5)
#' blend
#' ev <- sg_evaluate(breast_biopsy, "diagnosis",
#'                   samplers = sg_sampler("ros"),
#'                   learners = list(sg_learner_glm(), blend),
#'                   resamples = sg_folds(folds = 2, repeats = 1),
#'                   holdout = 0, seed = 1)
#' ev$decisions
#' @export
sg_learner_blend <- function(learner, weight = 0.5, name = NULL) {
  call <- sys.call()
  learner <- as_learner(learner, "learner", call)
  weight <- check_number(weight, "weight", min = 0, call = call)
  if (weight > 1) {
    sg_abort(c("`weight` must lie in [0, 1]: the weight of the model on the resampled rows.",
               sprintf("It is %s.", describe(weight))), call = call)
  }
  name <- check_name(name %||% paste0(learner$name, "-blend"), "name", call)
  new_learner(name,
              fit = function(data, var, context) blend_fit(learner, weight, data, var, context),
              predict = blend_predict, packages = learner$packages,
              settings = list(learner = learner$name, weight = weight))
}

blend_fit <- function(learner, weight, data, var, context) {
  real <- context$real
  if (is.null(real)) {
    sg_abort(c(sprintf("The blend of `%s` needs the training rows before resampling.", learner$name),
               "Use it as a learner of `sg_evaluate()`, which gives them."),
             class = "learner")
  }
  # sg_sampler("none") hands the training part over unchanged: one model
  resampled <- !identical(data, real)
  original <- NULL
  synthetic <- NULL
  if (weight < 1 || !resampled) {
    plain <- context
    plain$resample <- function(d, i) d  # no resampling in its inner choices either
    original <- learner$fit(real, var, plain)
  }
  if (resampled && weight > 0) synthetic <- learner$fit(data, var, context)
  list(learner = learner, weight = if (resampled) weight else 0, original = original,
       resampled = synthetic, real = real[[var]], trained = data[[var]])
}

blend_predict <- function(model, newdata) {
  w <- model$weight
  part <- function(m) {
    if (is.null(m)) return(0)
    as.double(unname(raw_predictions(model$learner$predict(m, newdata))))
  }
  po <- part(model$original)
  pr <- part(model$resampled)
  pc <- if (w > 0) correct_to_real(pr, model$real, model$trained) else pr
  structure((1 - w) * po + w * pr, corrected = (1 - w) * po + w * pc)
}

# ---------------------------------------------------------------------------
# parsnip model specifications and workflows as learners

# A learner from what the user gave: an sg_learner as it is; a parsnip
# model specification or a workflow wrapped (those packages are suggested).
as_learner <- function(x, arg, call, name = NULL) {
  if (inherits(x, "sg_learner")) {
    if (!is.null(name)) x$name <- name
    return(x)
  }
  if (inherits(x, "workflow")) return(workflow_learner(x, name, arg, call))
  if (inherits(x, "model_spec")) return(parsnip_learner(x, name, arg, call))
  sg_abort(c(sprintf("`%s` must be a learner: `sg_learner_glm()`, `sg_learner()`, a parsnip model specification or a workflow.",
                     arg),
             sprintf("It is %s.", describe(x))), call = call)
}

is_learner_like <- function(x) inherits(x, c("sg_learner", "model_spec", "workflow"))

need_package <- function(pkg, what, call) {
  if (!requireNamespace(pkg, quietly = TRUE)) {
    sg_abort(c(sprintf("%s needs the package %s, which is not installed.", what, pkg),
               sprintf("Install it with `install.packages(\"%s\")`.", pkg)),
             class = "missing_package", call = call)
  }
}

# The specification's mode: classification (set when unknown); a
# regression specification refused.
classification_spec <- function(spec, arg, call) {
  if (identical(spec$mode, "unknown")) return(parsnip::set_mode(spec, "classification"))
  if (!identical(spec$mode, "classification")) {
    sg_abort(c(sprintf("The model specification in `%s` has mode \"%s\"; an evaluation needs \"classification\".",
                       arg, spec$mode),
               sprintf("Set it with `parsnip::set_mode(spec, \"classification\")`.")),
             call = call)
  }
  spec
}

spec_packages <- function(x, base) {
  pkgs <- tryCatch(parsnip::required_pkgs(x), error = function(e) character())
  unique(c(base, setdiff(pkgs, c("stats", "base"))))
}

# The column of predict(type = "prob") for the positive class (the
# outcome's second level): by name, else the second column.
positive_column <- function(prob, positive) {
  col <- paste0(".pred_", positive)
  if (col %in% names(prob)) prob[[col]] else prob[[2]]
}

parsnip_learner <- function(spec, name, arg, call) {
  need_package("parsnip", "A parsnip model specification", call)
  spec <- classification_spec(spec, arg, call)
  name <- name %||% paste(c(class(spec)[1], spec$engine), collapse = "-")
  new_learner(name,
              fit = function(data, var, context) {
                f <- stats::reformulate(".", response = var)
                environment(f) <- baseenv()
                list(fit = parsnip::fit(spec, f, data = data),
                     positive = levels(data[[var]])[2])
              },
              predict = function(model, newdata) {
                positive_column(stats::predict(model$fit, newdata, type = "prob"),
                                model$positive)
              },
              packages = spec_packages(spec, "parsnip"),
              settings = list(model = class(spec)[1], engine = spec$engine %||% "default"))
}

# Steps that resample rows: ours and themis's. A workflow holding one would
# resample inside each fit, on top of (or in place of) the evaluation's
# sampler: "none" would not be none, and the prior correction would not
# know the counts.
resampling_steps <- function(recipe) {
  known <- c("step_smoteguard", "step_smoteguard_clean", "step_smote", "step_smotenc",
             "step_bsmote", "step_adasyn", "step_rose", "step_upsample", "step_downsample",
             "step_nearmiss", "step_tomek")
  found <- character()
  for (step in recipe$steps) {
    cls <- class(step)[1]
    method <- utils::getS3method("prep", cls, optional = TRUE)
    from <- if (is.null(method)) "" else environmentName(environment(method))
    if (cls %in% known || from == "themis") found <- c(found, cls)
  }
  unique(found)
}

workflow_learner <- function(wf, name, arg, call) {
  need_package("workflows", "A workflow", call)
  need_package("parsnip", "A workflow", call)
  spec <- tryCatch(workflows::extract_spec_parsnip(wf), error = function(e) NULL)
  if (is.null(spec)) {
    sg_abort(c(sprintf("The workflow in `%s` has no model.", arg),
               "Add one with `workflows::add_model()`."), call = call)
  }
  spec <- classification_spec(spec, arg, call)
  wf <- workflows::update_model(wf, spec)
  pre <- tryCatch(workflows::extract_preprocessor(wf), error = function(e) NULL)
  if (inherits(pre, "recipe")) {
    steps <- resampling_steps(pre)
    if (length(steps) > 0) {
      sg_abort(c(sprintf("The workflow in `%s` has a recipe that resamples rows (%s).",
                         arg, paste0("`", steps, "()`", collapse = ", ")),
                 "Inside an evaluation the rows would be resampled twice (by the sampler, then by the recipe), and `sg_sampler(\"none\")`, the reference, would resample too.",
                 "Take the step out of the recipe and give the method as a sampler, e.g. `samplers = sg_sampler(\"smote\")`: it then runs inside each training fold and its counts feed the prior correction."),
               call = call)
    }
  }
  formula_needed <- is.null(pre)
  name <- name %||% paste(c("workflow", class(spec)[1]), collapse = "-")
  new_learner(name,
              fit = function(data, var, context) {
                w <- wf
                if (formula_needed) {
                  f <- stats::reformulate(".", response = var)
                  environment(f) <- baseenv()
                  w <- workflows::add_formula(w, f)
                }
                list(fit = parsnip::fit(w, data = data), positive = levels(data[[var]])[2])
              },
              predict = function(model, newdata) {
                positive_column(stats::predict(model$fit, newdata, type = "prob"),
                                model$positive)
              },
              packages = spec_packages(wf, c("workflows", "parsnip")),
              settings = list(model = class(spec)[1], engine = spec$engine %||% "default",
                              preprocessor = if (is.null(pre)) "formula `outcome ~ .`"
                                             else class(pre)[1]))
}
