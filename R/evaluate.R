#' Does resampling help this model on this data? A leak-free evaluation
#'
#' `sg_evaluate()` compares samplers (no resampling, oversampling, cleaning,
#' under-sampling; see [sg_sampler()]) for one or more learners on the same
#' splits of the same data, and says whether any of them did better than no
#' resampling, with intervals that account for the folds' overlap.
#'
#' @section How the rows are used:
#' 1. The **holdout** (`holdout`, a share of the rows) is set aside first:
#'    stratified by class; with `groups`, whole groups; with `time`, the
#'    latest rows (every row at the cut-off time included). It is never
#'    resampled, never used to tune or choose anything, and is scored once at
#'    the end by a model of each sampler and learner fitted to all the other
#'    rows. With fewer than 100 events in it, a warning of class
#'    `smoteguard_warning_holdout` gives the count: its estimates are wide.
#' 2. The other rows are split by `resamples` ([sg_folds()]; with `groups`,
#'    whole groups per fold; with `time`, rolling origin), the same splits
#'    for every sampler and learner, so their differences are paired.
#' 3. In each split, **each sampler runs on the training part only**
#'    ([sg_resample()], with a seed of its own derived from `seed`), and each
#'    learner is fitted to what it returns and predicts the test part, which
#'    holds real rows only. A learner's inner choices (glmnet's `lambda`,
#'    the `"f1"` threshold) are made on inner folds of the real training
#'    rows, the sampler run inside each inner training part.
#'
#' @section Prior correction and thresholds:
#' A model fitted to resampled rows learns the resampled class shares. With
#' `correct_prior = TRUE`, each resampled model's predictions are also
#' reported after [sg_correct_prior()], from the class counts of the
#' sampler's record (after) back to the real training rows' (before);
#' `corrected` is `FALSE` for the raw predictions and `TRUE` for the
#' corrected ones (for `"none"` both are the same numbers).
#'
#' Metrics that need a threshold (recall, precision, F1, specificity,
#' balanced accuracy, MCC) call a row positive when its probability is at
#' least the threshold, the same number for the raw and the corrected
#' predictions of every sampler:
#' * `NULL` (default): the share of events among the real training rows of
#'   the split;
#' * a number in (0, 1), or [sg_threshold_cost()] for a cost ratio;
#' * `"f1"`: per split, learner and sampler, the threshold that maximises F1
#'   on inner out-of-fold predictions (prior-corrected) of the real training
#'   rows, never on resampled rows.
#'
#' A model can buy recall by predicting higher risks. So each model is also
#' scored at **matched sensitivity**: the highest threshold at which its
#' corrected predictions reach the recall that `"none"` has at the threshold
#' above, on the same split (metrics `matched_threshold`, `matched_recall`,
#' `matched_precision`, `matched_specificity`, `matched_f1`,
#' `matched_balanced_accuracy`, `matched_mcc`).
#'
#' @section The verdict:
#' For each sampler other than `"none"` and each learner, the paired
#' differences sampler minus `"none"` over the `J` splits are computed for
#' PR-AUC, ROC-AUC, the Brier score and the calibration slope's distance
#' from 1 (`cal_slope_error = |cal_slope - 1|`), all on the prior-corrected
#' predictions. The variance of the mean difference is the
#' Nadeau-Bengio corrected one, `(1/J + n_test/n_train) * var(d)`, which
#' allows for training parts that share most of their rows, with a t
#' interval on `J - 1` degrees of freedom. The p-values are adjusted by Holm
#' over every sampler x learner x metric of the verdict; `lower_holm` and
#' `upper_holm` are intervals at Holm's level for each comparison
#' (`1 - 0.05 / (m - rank + 1)`, `m` comparisons ranked by p-value).
#'
#' A sampler **helped** a learner when the Holm-adjusted p-value for PR-AUC
#' or ROC-AUC is below 0.05 with a positive mean difference (its interval
#' lies above 0), **and calibration after prior correction is not worse**:
#' neither the corrected Brier score nor the corrected calibration slope's
#' distance from 1 is significantly larger than with `"none"` (Holm-adjusted
#' p-value below 0.05 with a positive mean difference). Otherwise the
#' verdict is "no evidence of benefit" (which is not evidence of no
#' benefit). The verdict also says which samplers **hurt calibration** (the
#' raw predictions' Brier score or distance of the calibration intercept
#' from 0 significantly larger than `"none"`'s, by the unadjusted corrected
#' interval) and whether the prior correction **repaired** it (the same
#' comparisons on the corrected predictions no longer significant).
#'
#' @section Error analysis:
#' Per learner, the positive rows that `"none"` missed (probability below
#' the threshold) in most of the splits that tested them (more than half),
#' and the negative rows it flagged in most, with their values and counts;
#' and for each sampler, which of those rows it recovered (missed or
#' flagged in at most half of its splits). These are rows of your data:
#' they are returned to you, not printed.
#'
#' @section More than two classes:
#' An outcome of more than two classes is evaluated **one class against the
#' rest**: for each class, the rows of that class are the events and all
#' others the non-events (named `"not <class>"`), and the whole evaluation
#' above runs on that two-class problem: each sampler resamples the
#' training part of that problem, each learner is fitted to it and returns
#' the probability of that class. The holdout and the splits are made once,
#' stratified by every class (with `groups`, balanced on the rarest class),
#' and serve every class, so the classes' results are paired too.
#'
#' The result (class `sg_evaluation_ovr`) holds each class's evaluation in
#' `per_class` (each with its own verdict, Holm-adjusted within the class,
#' its curves, subgroups and error analysis), every class's metrics in
#' `class_metrics` (with a `class` column), and in `metrics` and `holdout`
#' the **macro average**: per split, the mean over the classes of each
#' metric (over the classes with a value, as a class can be absent from a
#' test part), the calibration slope's and intercept's distances from 1 and
#' 0 averaged as distances (`cal_slope_error`, `cal_intercept_error`).
#' **The verdict is made on the macro average**, with the same rules and
#' the same number of comparisons as for two classes: whether resampling
#' helps is one question about the model, and the macro average weighs
#' each class alike, the rare classes resampling is for as much as the
#' common one; a verdict per class would multiply the comparisons and let a
#' sampler that helps one class at another's expense be called helpful.
#' `print()` shows each class's own verdict under it, so that a class that
#' lost is seen. With `positive =` naming a class, only that class against
#' the rest is evaluated (an ordinary two-class result).
#'
#' @section Parallel runs:
#' The cells of the grid (splits x samplers, every learner within a cell)
#' run through [future::future()] when future is installed, on whatever
#' [future::plan()] is set (sequential by default), in one batch of cells
#' per worker.
#' Every random choice is seeded from `seed` before the cells are handed
#' out, so the result is the same under any plan. Inside each cell the
#' package runs on one thread ([sg_threads()]). With progressr installed,
#' wrap the call in `progressr::with_progress()` for a progress bar.
#'
#' @section Errors:
#' A numeric outcome (this is for classification), an outcome of one
#' class, a `time` column that cannot be ordered or has missing
#' values, a `groups` column with missing values, a holdout that leaves
#' fewer rows of a class than folds, and a training part with one class are
#' refused with classed errors (`smoteguard_error_input`,
#' `smoteguard_error_folds`). A sampler or learner that fails in a cell
#' marks that cell failed (see `failures` in the result; a warning of class
#' `smoteguard_warning_evaluate` says how many) and the other cells go on; a
#' sampler or learner that fails in every cell stops the evaluation with an
#' error of class `smoteguard_error_sampler` or `smoteguard_error_learner`
#' that gives the first cell's message. A positive class absent from a test
#' fold makes the metrics that need it NA, with a note in `notes`.
#'
#' @param data A data frame: the outcome, the predictors, and any `groups`,
#'   `time`, `subgroups` or `exclude` columns.
#' @param var The name of the outcome column (two classes or more; see
#'   the section on more than two classes).
#' @param samplers A list of [sg_sampler()] configurations (or one). If none
#'   of them is `sg_sampler("none")`, it is added first: every sampler is
#'   compared with no resampling. Their labels (or the list's names) must
#'   be unique.
#' @param learners A list of learners (or one): [sg_learner_glm()],
#'   [sg_learner_glmnet()], [sg_learner_ranger()], [sg_learner_blend()],
#'   [sg_learner()], or, when those packages are installed, a parsnip model
#'   specification (e.g. `parsnip::logistic_reg()`) or a workflows
#'   `workflow()`. These are fitted to the training part with the outcome as
#'   a factor (formula `outcome ~ .` unless the workflow has a preprocessor)
#'   and predict with `type = "prob"`, the positive class's column. A
#'   workflow whose recipe resamples rows (a smoteguard or themis step) is
#'   refused with an error of class `smoteguard_error_input`: give that
#'   method as a sampler instead. The list's names, where given, name the
#'   learners.
#' @param resamples [sg_folds()], or an rsample `rset` made on `data`.
#' @param holdout The share of rows set aside and scored once at the end,
#'   in `[0, 1)`; 0 for none. The rows left must hold at least as many rows
#'   of each class as there are folds.
#' @param time `NULL`, or the name of a column that orders the rows in time
#'   (numeric, `Date`, `POSIXct` or an ordered factor; no missing values):
#'   the holdout is the latest rows and the splits roll forward.
#' @param groups `NULL`, or the name of a column of groups (e.g. patients)
#'   whose rows must stay together (no missing values).
#' @param positive The positive class (the event). By default the rarer
#'   class (the outcome's second level when both are as common); with more
#'   than two classes, by default every class in turn (one-vs-rest), or the
#'   one named here against the rest.
#' @param correct_prior Also report each resampled model's metrics after
#'   the prior correction.
#' @param threshold `NULL`, a number in (0, 1), [sg_threshold_cost()] or
#'   `"f1"`: see the section on thresholds.
#' @param subgroups `NULL`, or names of columns (e.g. sex, site): the
#'   metrics per subgroup on the holdout (or, without a holdout, on the
#'   out-of-fold predictions of the first repeat), with bootstrap intervals;
#'   NA with a note for a subgroup with fewer than 20 events.
#' @param exclude Names of columns that are neither outcome nor predictor
#'   (identifiers): kept out of the samplers and learners. The `groups` and
#'   `time` columns are always kept out.
#' @param seed A whole number: the seed of every split, sampler and
#'   learner. `NULL` draws one from the current random stream (it is kept in
#'   the result). The caller's random stream is left as it was.
#' @return An object of class `sg_evaluation`, a list with:
#'   `metrics` (long: `rep`, `fold`, `sampler`, `learner`, `corrected`,
#'   `metric`, `value`), `holdout` (the same for the holdout, `rep` and
#'   `fold` 0), `verdict` (one row per sampler, learner and verdict
#'   metric), `decisions` (per sampler and learner: `helped`, the words of
#'   the verdict, `hurt_calibration`, `repaired`), `calibration` (the raw
#'   and corrected calibration comparisons), `decision_curve`,
#'   `subgroups`, `errors` (`missed`, `flagged`, `recovered`),
#'   `predictions` (every test row's probability, raw and corrected),
#'   `thresholds`, `records` (the [sg_record()] of every sampler call, with
#'   the training rows it was given), `failures`, `warnings`, `notes`,
#'   `splits`, `settings` and `seed`. Methods: `print()`, `summary()`,
#'   `as.data.frame()`, `plot()` and (with ggplot2) `autoplot()`. With
#'   more than two classes, an object of class `sg_evaluation_ovr`: see the
#'   section on more than two classes.
#' @references
#' Nadeau, C. and Bengio, Y. (2003). Inference for the generalization
#' error. *Machine Learning*, 52, 239-281.
#'
#' Holm, S. (1979). A simple sequentially rejective multiple test
#' procedure. *Scandinavian Journal of Statistics*, 6, 65-70.
#'
#' van den Goorbergh, R., van Smeden, M., Timmerman, D. and Van Calster, B.
#' (2022). The harm of class imbalance corrections for risk prediction
#' models. *Journal of the American Medical Informatics Association*, 29,
#' 1525-1534.
#'
#' Vickers, A. J. and Elkin, E. B. (2006). Decision curve analysis: a novel
#' method for evaluating prediction models. *Medical Decision Making*, 26,
#' 565-574.
#' @seealso [sg_folds()], [sg_learner_glm()], [sg_sampler()],
#'   [sg_correct_prior()]; `vignette("evaluation")`.
#' @examples
#' ev <- sg_evaluate(breast_biopsy, "diagnosis",
#'                   resamples = sg_folds(folds = 2, repeats = 1),
#'                   holdout = 0, seed = 1)
#' ev
#' head(as.data.frame(ev))
#' ev$decisions
#' @export
sg_evaluate <- function(data, var,
                        samplers = list(sg_sampler("none"),
                                        sg_sampler("smote", guard = NULL, label = "smote-plain"),
                                        sg_sampler("smote", label = "smote-guard")),
                        learners = sg_learner_glm(), resamples = sg_folds(),
                        holdout = 0.2, time = NULL, groups = NULL, positive = NULL,
                        correct_prior = TRUE, threshold = NULL, subgroups = NULL,
                        exclude = NULL, seed = NULL) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  a <- check_evaluation(data, var, samplers, learners, resamples, holdout, time, groups,
                        positive, correct_prior, threshold, subgroups, exclude, seed, call)
  # without a seed, one is drawn from the caller's stream (which moves on,
  # so two calls differ); the stream is then left as it was
  seed <- a$seed %||% sample.int(.Machine$integer.max, 1)
  restore <- preserve_rng()
  on.exit(restore(), add = TRUE)
  set_cell_seed(seed)
  design <- evaluation_design(data, var, a, resamples, time, groups, call)
  evals <- lapply(a$outcome$targets, function(o) {
    ev <- evaluate_target(o, data, var, design$predictors, design$splits, a$samplers,
                          a$learners, correct_prior, a$threshold, a$subgroups, seed, call)
    ev$settings <- evaluation_settings(o, data, var, a, design, resamples, time, groups,
                                       correct_prior)
    ev$seed <- seed
    ev$holdout_rows <- design$held
    ev
  })
  out <- if (is.null(a$outcome$classes)) evals[[1]]
         else combine_one_vs_rest(evals, a$outcome, seed, design$held)
  out$timing <- proc.time()[["elapsed"]] - started
  out
}

# sg_evaluate()'s arguments checked at the door, in the order a user meets
# them; the checked values (`seed` NULL when none was given).
check_evaluation <- function(data, var, samplers, learners, resamples, holdout, time, groups,
                             positive, correct_prior, threshold, subgroups, exclude, seed,
                             call) {
  check_data_frame(data, call = call)
  outcome <- evaluation_outcome(data, var, positive, call)
  samplers <- check_samplers(samplers, call)
  learners <- check_learners(learners, call)
  check_resamples(resamples, call)
  holdout <- check_number(holdout, "holdout", min = 0, call = call)
  if (holdout >= 1) {
    sg_abort(c("`holdout` must be a share of the rows in [0, 1).",
               sprintf("It is %s.", format(holdout)),
               "Use e.g. `holdout = 0.2`, or 0 for no holdout."), call = call)
  }
  if (!is.null(time) && !is.null(groups)) {
    sg_abort(c("Give `time` or `groups`, not both.",
               "Rolling-origin splits by time with whole groups are not supported yet."),
             call = call)
  }
  time_values <- check_time(time, data, var, call)
  group_codes <- check_eval_groups(groups, data, var, call)
  subgroups <- check_columns(subgroups, data, var, "subgroups", call)
  exclude <- check_columns(exclude, data, var, "exclude", call)
  check_flag(correct_prior, "correct_prior", call)
  threshold <- check_threshold(threshold, call)
  list(outcome = outcome, samplers = samplers, learners = learners, holdout = holdout,
       time_values = time_values, group_codes = group_codes, subgroups = subgroups,
       exclude = exclude, threshold = threshold, seed = check_seed(seed, call = call))
}

# The predictors, the holdout (`held`) and the splits of the development
# rows (the holdout's split last, rep 0): made once, stratified by every
# class, they serve every binary problem (one, or one per class).
evaluation_design <- function(data, var, a, resamples, time, groups, call) {
  predictors <- setdiff(names(data), c(var, groups, time, a$exclude))
  if (length(predictors) == 0) {
    sg_abort(c("`data` has no predictor columns left.",
               "Every column other than the outcome is `groups`, `time` or in `exclude`."),
             call = call)
  }
  targets <- a$outcome$targets
  strata <- a$outcome$strata
  if (!is.null(a$group_codes) && !is.logical(strata)) {
    # whole groups are balanced on the rows of the rarest class
    events <- vapply(targets, function(o) sum(o$y), numeric(1))
    strata <- targets[[which.min(events)]]$y
  }
  held <- holdout_rows(a$holdout, strata, a$group_codes, a$time_values)
  dev <- setdiff(seq_len(nrow(data)), held)
  folds_needed <- if (inherits(resamples, "rset")) 2L else resamples$folds
  event <- function(o) if (!is.logical(a$outcome$strata)) o$positive
  for (o in targets) check_development(o$y, dev, held, folds_needed, call, event(o))
  warn_small_holdout(targets, held, call)
  splits <- make_splits(resamples, dev, strata, a$group_codes, a$time_values, call)
  for (o in targets) check_splits(splits, o$y, call, event(o))
  if (length(held) > 0) {
    splits[[length(splits) + 1]] <- list(rep = 0L, fold = 0L, train = dev, test = held)
  }
  list(predictors = predictors, held = held, splits = splits)
}

# The settings an evaluation of one binary problem (`o`) keeps.
evaluation_settings <- function(o, data, var, a, design, resamples, time, groups,
                                correct_prior) {
  held <- design$held
  list(var = var, positive = o$positive, negative = o$negative,
       n = nrow(data), n_holdout = length(held), n_events = sum(o$y),
       n_holdout_events = sum(o$y[held]),
       holdout = a$holdout, time = time, groups = groups,
       subgroups = a$subgroups, exclude = a$exclude,
       predictors = design$predictors, correct_prior = correct_prior,
       threshold = a$threshold, resamples = resamples,
       samplers = a$samplers,
       learners = lapply(a$learners, function(l) l[c("name", "packages", "settings")]),
       version = session_versions()$package)
}

# One binary problem (`o`: y, positive, negative) on the given splits: the
# cells run, scored and assembled into an evaluation.
evaluate_target <- function(o, data, var, predictors, splits, samplers, learners,
                            correct_prior, threshold, subgroups, seed, call) {
  y <- o$y
  mdata <- data[c(predictors, var)]
  mdata[[var]] <- factor(ifelse(y, o$positive, o$negative),
                         levels = c(o$negative, o$positive))
  # one seed per split and sampler, drawn before any cell runs, so that no
  # plan or worker count changes what a cell draws
  cell_seeds <- matrix(sample.int(.Machine$integer.max, length(splits) * length(samplers)),
                       nrow = length(splits))
  cells <- list()
  for (s in seq_along(splits)) {
    for (j in seq_along(samplers)) {
      cells[[length(cells) + 1]] <- list(split = s, sampler = j, seed = cell_seeds[s, j],
                                         rep = splits[[s]]$rep, fold = splits[[s]]$fold,
                                         train = splits[[s]]$train, test = splits[[s]]$test)
    }
  }
  shared <- list(data = mdata, var = var, samplers = samplers, learners = learners,
                 correct_prior = correct_prior, threshold = threshold)
  results <- run_cells(cells, shared)
  out <- assemble_evaluation(results, cells, splits, shared, y, data, o,
                             subgroups, seed, call)
  class(out) <- "sg_evaluation"
  # report_failures() reads the counts of splits and samplers
  out$settings <- list(n_holdout = sum(vapply(splits, function(s) s$rep == 0, logical(1))),
                       samplers = samplers)
  report_failures(out, call)
  out
}

# A holdout with fewer than 100 events (per class, one-vs-rest) gets a
# warning with the count.
warn_small_holdout <- function(targets, held, call) {
  if (length(held) == 0) return(invisible())
  events <- vapply(targets, function(o) sum(o$y[held]), numeric(1))
  small <- events < 100
  if (!any(small)) return(invisible())
  if (length(targets) == 1) {
    sg_warn(c(sprintf("The holdout has %d event(s) (rows of `%s`): its estimates will be wide.",
                      events, targets[[1]]$positive),
              "Report them with their intervals, or use the folds' spread."),
            class = "holdout", call = call)
  } else {
    positives <- vapply(targets, function(o) o$positive, character(1))
    sg_warn(c(sprintf("The holdout has fewer than 100 rows of class(es) %s: their estimates will be wide.",
                      paste(sprintf("`%s` (%d)", positives[small], events[small]), collapse = ", ")),
              "Report them with their intervals, or use the folds' spread."),
            class = "holdout", call = call)
  }
}

# Seeds: one kind of generator, whatever the caller (or a future worker)
# has set, so that a cell seeded alike draws alike everywhere. When those
# kinds are already in force (.Random.seed's first number codes them:
# 10403), a plain set.seed() leaves the same state; setting the kinds
# again took a sixtieth of a small evaluation's work (each kind's switch
# reads and writes the whole state).
set_cell_seed <- function(seed) {
  state <- get0(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (is.integer(state) && length(state) == 626L && identical(state[[1L]], 10403L)) {
    set.seed(seed)
  } else {
    set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion",
             sample.kind = "Rejection")
  }
}

# A seed derived from another: for the i-th inner use within a cell.
derive_seed <- function(seed, i) {
  as.integer((as.numeric(seed) + 104729 * i) %% .Machine$integer.max)
}

#' A risk threshold from the costs of errors
#'
#' With `fp` the cost of a false positive (treating, or working up, someone
#' without the event) and `fn` the cost of a false negative (missing an
#' event), the threshold that minimises the expected cost of calibrated
#' risks is `fp / (fp + fn)`: with a missed event four times as costly as
#' a false alarm, treat from a risk of 0.2.
#'
#' @param fp,fn Positive costs of a false positive and a false negative (only
#'   their ratio matters).
#' @return The threshold, a number in (0, 1) with the costs as attributes,
#'   for `sg_evaluate(threshold = )`.
#' @examples
#' sg_threshold_cost(fp = 1, fn = 4)
#' @export
sg_threshold_cost <- function(fp = 1, fn = 1) {
  call <- sys.call()
  fp <- check_number(fp, "fp", min = 0, call = call)
  fn <- check_number(fn, "fn", min = 0, call = call)
  if (fp <= 0 || fn <= 0) {
    sg_abort(c("The costs `fp` and `fn` must be positive.",
               sprintf("They are fp = %s and fn = %s.", format(fp), format(fn))), call = call)
  }
  structure(fp / (fp + fn), fp = fp, fn = fn, class = "sg_threshold_cost")
}

#' @export
print.sg_threshold_cost <- function(x, ...) {
  cat(sprintf("<smoteguard threshold> %s (false positive cost %s, false negative cost %s)\n",
              format(unclass(x)[1], digits = 4), format(attr(x, "fp")), format(attr(x, "fn"))))
  invisible(x)
}

# ---------------------------------------------------------------------------
# Checks at the door

evaluation_outcome <- function(data, var, positive, call) {
  if (!missing(var) && is.character(var) && length(var) == 1 && !is.na(var) &&
      var %in% names(data) && (is.numeric(data[[var]]) || is.logical(data[[var]]))) {
    sg_abort(c(sprintf("The outcome `%s` is %s: `sg_evaluate()` is for classification.",
                       var, describe(data[[var]])),
               "Oversampling and its evaluation need classes; a numeric outcome is regression.",
               sprintf("If it holds class codes, make them a factor: `data$%s <- factor(data$%s)`.",
                       var, var)),
             call = call)
  }
  check_var(data, var, call = call)
  yv <- as.character(data[[var]])
  lv <- if (is.factor(data[[var]])) levels(data[[var]]) else sort(unique(yv))
  lv <- lv[lv %in% yv]
  if (length(lv) < 2) {
    sg_abort(c(sprintf("The outcome `%s` must have at least two classes; it has %d (%s).",
                       var, length(lv), paste(lv, collapse = ", ")),
               "A model cannot learn an outcome that does not vary."),
             call = call)
  }
  if (!is.null(positive) &&
      (!is.character(positive) || length(positive) != 1 || is.na(positive) || !positive %in% lv)) {
    sg_abort(c(sprintf("`positive` must name one of the classes: %s.", class_list(lv)),
               sprintf("It is %s.", describe(positive))), call = call)
  }
  if (length(lv) == 2) {
    if (is.null(positive)) {
      counts <- table(factor(yv, levels = lv))
      positive <- if (counts[[1]] < counts[[2]]) lv[1] else lv[2]
    }
    y <- yv == positive
    return(list(y = y, positive = positive, negative = setdiff(lv, positive), strata = y,
                targets = list(list(y = y, positive = positive,
                                    negative = setdiff(lv, positive)))))
  }
  # more than two classes: one class against the rest, the rest named
  # "not <class>"
  rest <- function(cls) {
    label <- paste("not", cls)
    while (label %in% lv) label <- paste0(label, "_")
    label
  }
  if (!is.null(positive)) {
    y <- yv == positive
    return(list(y = y, positive = positive, negative = rest(positive), strata = match(yv, lv),
                targets = list(list(y = y, positive = positive, negative = rest(positive)))))
  }
  codes <- match(yv, lv)
  list(classes = lv, codes = codes, strata = codes,
       targets = lapply(lv, function(cls) list(y = yv == cls, positive = cls,
                                               negative = rest(cls))))
}

check_samplers <- function(samplers, call) {
  if (inherits(samplers, "sg_sampler")) samplers <- list(samplers)
  ok <- is.list(samplers) && length(samplers) > 0 &&
    all(vapply(samplers, inherits, logical(1), "sg_sampler"))
  if (!ok) {
    sg_abort(c("`samplers` must be a list of `sg_sampler()` configurations.",
               sprintf("It is %s.", describe(samplers)),
               "For example `list(sg_sampler(\"none\"), sg_sampler(\"smote\"))`."), call = call)
  }
  if (!is.null(names(samplers))) {
    for (j in seq_along(samplers)) {
      if (!is.na(names(samplers)[j]) && nzchar(names(samplers)[j])) {
        samplers[[j]]$label <- names(samplers)[j]
      }
    }
  }
  methods <- vapply(samplers, function(s) s$method, character(1))
  if (!"none" %in% methods) samplers <- c(list(sg_sampler("none")), samplers)
  labels <- vapply(samplers, function(s) s$label, character(1))
  if (anyDuplicated(labels) > 0) {
    sg_abort(c(sprintf("The samplers' labels must be unique; %s appears more than once.",
                       class_list(unique(labels[duplicated(labels)]))),
               "Give each a label, e.g. `sg_sampler(\"smote\", guard = NULL, label = \"smote-plain\")`, or name the list."),
             call = call)
  }
  if (sum(methods == "none") > 1) {
    sg_abort("`samplers` must hold `sg_sampler(\"none\")` once.", call = call)
  }
  # "none" first: the reference of every comparison
  none_at <- which(vapply(samplers, function(s) s$method, character(1)) == "none")
  samplers[c(none_at, setdiff(seq_along(samplers), none_at))]
}

check_learners <- function(learners, call) {
  if (is_learner_like(learners)) learners <- list(learners)
  ok <- is.list(learners) && length(learners) > 0 &&
    all(vapply(learners, is_learner_like, logical(1)))
  if (!ok) {
    sg_abort(c("`learners` must be a list of learners.",
               sprintf("It is %s.", describe(learners)),
               "For example `list(sg_learner_glm(), sg_learner_ranger())`."), call = call)
  }
  # parsnip specifications and workflows wrapped; the list's names, where
  # given, name the learners
  given <- names(learners) %||% rep("", length(learners))
  learners <- unname(Map(function(l, nm) {
    as_learner(l, "learners", call, name = if (!is.na(nm) && nzchar(nm)) nm)
  }, learners, given))
  nms <- vapply(learners, function(l) l$name, character(1))
  if (anyDuplicated(nms) > 0) {
    sg_abort(c(sprintf("The learners' names must be unique; %s appears more than once.",
                       class_list(unique(nms[duplicated(nms)]))),
               "Give each a `name =`."), call = call)
  }
  for (l in learners) {
    for (pkg in l$packages) {
      if (!requireNamespace(pkg, quietly = TRUE)) {
        sg_abort(c(sprintf("Learner `%s` needs the package %s, which is not installed.", l$name, pkg),
                   sprintf("Install it with `install.packages(\"%s\")`.", pkg)),
                 class = "missing_package", call = call)
      }
    }
  }
  learners
}

check_resamples <- function(resamples, call) {
  if (inherits(resamples, "sg_folds")) return(invisible())
  if (inherits(resamples, "rset")) {
    if (!requireNamespace("rsample", quietly = TRUE)) {
      sg_abort("An rset in `resamples` needs the package rsample; install it.",
               class = "missing_package", call = call)
    }
    return(invisible())
  }
  sg_abort(c("`resamples` must be `sg_folds()` or an rsample rset.",
             sprintf("It is %s.", describe(resamples)),
             "For example `resamples = sg_folds(folds = 5, repeats = 3)`."), call = call)
}

check_time <- function(time, data, var, call) {
  if (is.null(time)) return(NULL)
  if (!is.character(time) || length(time) != 1 || is.na(time) || !time %in% names(data)) {
    sg_abort(c("`time` must be NULL or the name of one column of `data`.",
               sprintf("It is %s.", describe(time))), call = call)
  }
  if (time == var) sg_abort("`time` must not be the outcome column.", call = call)
  v <- data[[time]]
  orderable <- (is.numeric(v) && !is.object(v)) || inherits(v, c("Date", "POSIXct")) ||
    is.ordered(v)
  if (!orderable) {
    sg_abort(c(sprintf("The `time` column `%s` cannot be ordered in time: it is %s.",
                       time, describe(v)),
               "It must be numeric, a Date, a date-time (POSIXct) or an ordered factor.",
               sprintf("Convert it, e.g. `data$%s <- as.Date(data$%s)`.", time, time)),
             call = call)
  }
  check_no_missing(v, "The `time` column", time,
                   "Every row needs a time to be put in the past or the future; drop those rows.",
                   call)
  if (is.ordered(v)) as.integer(v) else as.numeric(v)
}

check_eval_groups <- function(groups, data, var, call) {
  codes <- check_groups(groups, data, var, NULL, call = call)
  if (is.null(codes)) return(NULL)
  check_no_missing(codes, "The `groups` column", groups,
                   "A row without a group cannot be kept with its group; give each its own id or drop it.",
                   call)
  codes
}

check_columns <- function(cols, data, var, arg, call) {
  if (is.null(cols)) return(NULL)
  if (!is.character(cols) || anyNA(cols) || length(cols) == 0) {
    sg_abort(c(sprintf("`%s` must be NULL or column names.", arg),
               sprintf("It is %s.", describe(cols))), call = call)
  }
  unknown <- setdiff(cols, names(data))
  if (length(unknown) > 0) {
    sg_abort(c(sprintf("`%s` names column(s) not in `data`: %s.", arg, class_list(unknown)),
               sprintf("Columns are: %s.", paste(names(data), collapse = ", "))), call = call)
  }
  if (var %in% cols) sg_abort(sprintf("`%s` must not name the outcome column.", arg), call = call)
  unique(cols)
}

check_threshold <- function(threshold, call) {
  if (is.null(threshold)) return(NULL)
  if (identical(threshold, "f1")) return("f1")
  ok <- is.numeric(threshold) && length(threshold) == 1 && !is.na(threshold) &&
    threshold > 0 && threshold < 1
  if (!ok) {
    sg_abort(c("`threshold` must be NULL, a number in (0, 1), `sg_threshold_cost()` or \"f1\".",
               sprintf("It is %s.", describe(threshold))), call = call)
  }
  as.numeric(unclass(threshold))[1]
}

# `event`: NULL for two classes; the class against the rest otherwise.
check_development <- function(y, dev, held, folds, call, event = NULL) {
  need <- max(folds, 2L)
  have <- c(sum(!y[dev]), sum(y[dev]))
  if (any(have < need)) {
    sg_abort(c(sprintf("After the holdout (%d rows), the rows left have %d event(s) and %d non-event(s)%s; the folds need at least %d of each.",
                       length(held), have[2], have[1],
                       if (is.null(event)) "" else sprintf(" (class `%s` against the rest)", event),
                       need),
               "Use a smaller `holdout` or fewer folds."),
             call = call)
  }
}

check_splits <- function(splits, y, call, event = NULL) {
  for (sp in splits) {
    cls <- unique(y[sp$train])
    if (length(cls) < 2) {
      sg_abort(c(sprintf("The training part of repeat %d, fold %d has one class only (%d row(s), %s%s).",
                         sp$rep, sp$fold, length(sp$train), if (isTRUE(cls)) "events" else "non-events",
                         if (is.null(event)) "" else sprintf(", class `%s` against the rest", event)),
                 "A model cannot learn an outcome it never sees vary.",
                 "Use fewer folds (with `time`, the first window is the smallest)."),
               class = "folds", call = call)
    }
    if (length(sp$test) == 0) {
      sg_abort(sprintf("The test part of repeat %d, fold %d is empty.", sp$rep, sp$fold),
               class = "folds", call = call)
    }
  }
}
