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
  seed <- check_seed(seed, call = call)
  # without a seed, one is drawn from the caller's stream (which moves on,
  # so two calls differ); the stream is then left as it was
  if (is.null(seed)) seed <- sample.int(.Machine$integer.max, 1)
  restore <- preserve_rng()
  on.exit(restore(), add = TRUE)
  set_cell_seed(seed)

  n <- nrow(data)
  predictors <- setdiff(names(data), c(var, groups, time, exclude))
  if (length(predictors) == 0) {
    sg_abort(c("`data` has no predictor columns left.",
               "Every column other than the outcome is `groups`, `time` or in `exclude`."),
             call = call)
  }
  # the binary problems: one, or one per class (one-vs-rest); the splits
  # are made once, stratified by every class, and serve them all
  targets <- outcome$targets
  strata <- outcome$strata
  if (!is.null(group_codes) && !is.logical(strata)) {
    # whole groups are balanced on the rows of the rarest class
    events <- vapply(targets, function(o) sum(o$y), numeric(1))
    strata <- targets[[which.min(events)]]$y
  }
  held <- holdout_rows(holdout, strata, group_codes, time_values)
  dev <- setdiff(seq_len(n), held)
  folds_needed <- if (inherits(resamples, "rset")) 2L else resamples$folds
  event <- function(o) if (!is.logical(outcome$strata)) o$positive
  for (o in targets) check_development(o$y, dev, held, folds_needed, call, event(o))
  warn_small_holdout(targets, held, call)
  splits <- make_splits(resamples, dev, strata, group_codes, time_values, call)
  for (o in targets) check_splits(splits, o$y, call, event(o))
  if (length(held) > 0) {
    splits[[length(splits) + 1]] <- list(rep = 0L, fold = 0L, train = dev, test = held)
  }
  settings <- function(o) {
    list(var = var, positive = o$positive, negative = o$negative,
         n = n, n_holdout = length(held), n_events = sum(o$y),
         n_holdout_events = sum(o$y[held]),
         holdout = holdout, time = time, groups = groups,
         subgroups = subgroups, exclude = exclude,
         predictors = predictors, correct_prior = correct_prior,
         threshold = threshold, resamples = resamples,
         samplers = samplers, learners = lapply(learners, function(l) l[c("name", "packages", "settings")]),
         version = session_versions()$package)
  }
  evals <- lapply(targets, function(o) {
    ev <- evaluate_target(o, data, var, predictors, splits, samplers, learners,
                          correct_prior, threshold, subgroups, seed, call)
    ev$settings <- settings(o)
    ev$seed <- seed
    ev$holdout_rows <- held
    ev
  })
  out <- if (is.null(outcome$classes)) evals[[1]]
         else combine_one_vs_rest(evals, outcome, seed, held)
  out$timing <- proc.time()[["elapsed"]] - started
  out
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

# ---------------------------------------------------------------------------
# The grid

# Hooks for the tests: functions called with the row names each sampler and
# each learner receives. Unset (empty) outside the tests.
eval_hooks <- new.env(parent = emptyenv())

run_cells <- function(cells, shared) {
  progress <- if (requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = length(cells))
  }
  # under the sequential plan the cells run here, as future would run them
  # (each cell sets its own seed; eval_cells() sets one thread), without
  # future's cost per cell (a tenth of a small evaluation)
  if (requireNamespace("future", quietly = TRUE) &&
      !inherits(future::plan(), "sequential")) {
    # One future per batch of cells, one batch per worker, balanced by the
    # cells' expected cost (a worker that drew the heavy cells would finish
    # last while the other waits). eval_cells() is the package's own and
    # its globals are given, so future does not scan its code (a quarter of
    # a small evaluation's time); `shared` travels once per batch.
    batches <- cell_batches(cells, shared, future::nbrOfWorkers())
    # where more batches than workers wait for one, future polls them,
    # every 0.01 s by default: every 0.05 s unless the user chose
    if (is.null(getOption("future.wait.interval"))) {
      old <- options(future.wait.interval = 0.05)
      on.exit(options(old), add = TRUE)
    }
    # the random stream the calling process is left with must be the one
    # the sequential plan leaves (the last cell's): with more than two
    # classes the next class's cell seeds are drawn from it
    cells[[length(cells)]]$keep_rng <- TRUE
    futures <- lapply(batches, function(b) {
      # the call as a value (substitute = FALSE): its names are the globals
      future::future(quote(eval_cells(batch, shared, progress)), substitute = FALSE,
                     globals = list(eval_cells = eval_cells, batch = cells[b], shared = shared,
                                    progress = progress),
                     packages = "smoteguard", seed = TRUE)
    })
    # the results taken in turn, each waited for where it is (a blocking
    # read from the worker): polling all of them until each is done took
    # a tenth of a core from the workers on a small machine
    # every batch collected, so that no worker is left busy, before one
    # failure (a worker that died, an error outside the cells' handlers) is
    # raised as one classed error
    done <- lapply(futures, function(f) tryCatch(future::value(f), error = identity))
    failed <- vapply(done, inherits, logical(1), what = "error")
    if (any(failed)) {
      sg_abort(c(sprintf("%d of %d batches of cells failed under the parallel plan.",
                         sum(failed), length(done)),
                 sprintf("The first error: %s", conditionMessage(done[[which(failed)[1]]])),
                 "Run the evaluation under `future::plan(\"sequential\")` to see which cell fails, or check the workers (memory, installed packages)."),
               class = "parallel")
    }
    # back in the cells' order (each cell seeds itself: the order they ran
    # in changes nothing)
    results <- lapply(unlist(done, recursive = FALSE)[order(unlist(batches))], unpack_record)
    rng <- results[[length(results)]]$rng_after
    results[[length(results)]]$rng_after <- NULL
    if (!is.null(rng)) assign(".Random.seed", rng, envir = globalenv())
    results
  } else {
    eval_cells(cells, shared, progress, pack = FALSE)
  }
}

# The cells of a batch (or all of them, under the sequential plan), each
# on one thread (set once here; the caller's count is restored at the end).
# A split's training and test rows are taken once for its cells in a row
# (the cells come split by split: one split, every sampler).
eval_cells <- function(cells, shared, progress = NULL, pack = TRUE) {
  old <- sg_threads(1)
  on.exit(sg_threads(old), add = TRUE)
  rows <- new.env(parent = emptyenv())
  lapply(cells, function(cell) {
    res <- eval_cell(cell, shared = shared, progress = progress, rows = rows)
    if (isTRUE(cell$keep_rng)) res$rng_after <- get0(".Random.seed", envir = globalenv())
    if (pack) pack_record(res) else res
  })
}

# The training and test rows of a cell's split, from `rows` (an
# environment holding the last split's) when they are there.
cell_rows <- function(cell, data, rows = NULL) {
  if (!is.null(rows) && identical(rows$split, cell$split)) return(rows$parts)
  parts <- list(train = data_rows(data, cell$train), test = data_rows(data, cell$test))
  if (!is.null(rows)) {
    rows$split <- cell$split
    rows$parts <- parts
  }
  parts
}

# A cell's result travels back from a worker with its sampler's record,
# whose provenance table has a column of text with a few values, one per
# made row (`kind`): as strings it was two fifths of the bytes a batch
# sends back. It travels as codes into its values and is restored as it
# was (identical()) by unpack_record() in the calling process.
pack_record <- function(res) {
  pv <- res$record$provenance
  if (!is.data.frame(pv)) return(res)
  attrs <- attributes(pv)
  cols <- unclass(pv)
  packed <- list()
  for (j in seq_along(cols)) {
    col <- cols[[j]]
    if (is.character(col) && is.null(attributes(col))) {
      values <- unique(col)
      cols[[j]] <- match(col, values)
      packed[[length(packed) + 1]] <- list(column = j, values = values)
    }
  }
  if (length(packed) == 0) return(res)
  attributes(cols) <- attrs
  res$record$provenance <- cols
  res$packed <- packed
  res
}

unpack_record <- function(res) {
  if (is.null(res$packed)) return(res)
  pv <- res$record$provenance
  attrs <- attributes(pv)
  cols <- unclass(pv)
  for (p in res$packed) cols[[p$column]] <- p$values[cols[[p$column]]]
  attributes(cols) <- attrs
  res$record$provenance <- cols
  res$packed <- NULL
  res
}

# The cells' indices in `workers` batches of about equal expected cost,
# each cell to the batch with the least so far: a cell's cost taken as its
# training rows, doubled for a sampler that makes or picks rows (the
# learner then fits the rows it returns as well). Samplers differ in cost
# in ways this cannot know (a guard's checks), so the cells are dealt one
# sampler at a time, largest first within it: each batch gets its share of
# every sampler's cells. With as many workers as cells or more (or an
# unknown number), one cell a batch.
cell_batches <- function(cells, shared, workers) {
  n <- length(cells)
  if (!is.finite(workers) || workers >= n) return(as.list(seq_len(n)))
  workers <- max(1L, as.integer(workers))
  sampler <- vapply(cells, function(cell) cell$sampler, numeric(1))
  resampled <- vapply(cells, function(cell) {
    shared$samplers[[cell$sampler]]$method != "none"
  }, logical(1))
  rows <- vapply(cells, function(cell) length(cell$train), numeric(1))
  cost <- rows * (1 + resampled)
  load <- numeric(workers)
  batch <- integer(n)
  for (i in order(!resampled, sampler, -rows)) {
    b <- which.min(load)
    batch[i] <- b
    load[b] <- load[b] + cost[i]
  }
  # each batch runs its cells largest first
  lapply(seq_len(workers), function(b) {
    members <- which(batch == b)
    members[order(cost[members], decreasing = TRUE)]
  })
}

# One cell: one split and one sampler, every learner, on the thread count
# eval_cells() set. Failures are caught and returned, so the other cells go
# on.
eval_cell <- function(cell, shared, progress = NULL, rows = NULL) {
  if (!is.null(progress)) on.exit(progress(), add = TRUE)
  set_cell_seed(cell$seed)
  var <- shared$var
  sampler <- shared$samplers[[cell$sampler]]
  parts <- cell_rows(cell, shared$data, rows)
  train <- parts$train
  test <- parts$test
  warnings <- character()
  collect <- function(w) {
    warnings <<- c(warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  }
  context <- list(rep = cell$rep, fold = cell$fold, sampler_label = sampler$label)
  out <- list(sampler_error = NULL, record = NULL, learners = list(), warnings = NULL)
  if (!is.null(eval_hooks$sampler)) eval_hooks$sampler(rownames(train), cell)
  fitted <- tryCatch(
    withCallingHandlers(sg_resample(sampler, train, var, seed = cell$seed),
                        warning = collect),
    error = function(e) e)
  if (inherits(fitted, "error")) {
    out$sampler_error <- sprintf("Sampler `%s` failed (%s): %s", sampler$label,
                                 cell_label(context), conditionMessage(fitted))
    out$warnings <- warnings
    return(out)
  }
  out$record <- attr(fitted, "smoteguard", exact = TRUE)
  # the outcome's class counts before and after the sampler, for the prior
  # correction (columns by .subset2(): `[[.data.frame` checks each time)
  y_train <- .subset2(train, var)
  y_fitted <- .subset2(fitted, var)
  real_counts <- tabulate(y_train, nlevels(y_train))
  fitted_counts <- tabulate(y_fitted, nlevels(y_fitted))
  context$real <- train
  context$resample <- function(d, i) {
    withCallingHandlers(sg_resample(sampler, d, var, seed = derive_seed(cell$seed, i)),
                        warning = collect)
  }
  for (l in seq_along(shared$learners)) {
    learner <- shared$learners[[l]]
    context$seed <- derive_seed(cell$seed, 1000L + l)
    set_cell_seed(context$seed)
    res <- tryCatch(withCallingHandlers({
      if (!is.null(eval_hooks$learner)) eval_hooks$learner(rownames(fitted), cell)
      p <- learner_fit_predict(learner, fitted, test, var, context)
      pc <- if (shared$correct_prior) prior_corrected(p, real_counts, fitted_counts)
            else raw_predictions(p)
      p <- raw_predictions(p)
      thr <- if (identical(shared$threshold, "f1")) {
        f1_threshold(learner, train, var, context, shared$correct_prior)
      } else {
        shared$threshold %||% mean(is_positive(y_train))
      }
      list(p = p, p_corrected = pc, threshold = thr, error = NULL)
    }, warning = collect), error = function(e) {
      list(error = sprintf("Learner `%s` failed (%s): %s", learner$name,
                           cell_label(context), conditionMessage(e)))
    })
    # scored here, so that the scoring runs in the workers too
    if (is.null(res$error)) {
      res$scores <- score_predictions(is_positive(.subset2(test, var)), res$p,
                                      res$p_corrected, res$threshold, shared$correct_prior)
    }
    out$learners[[l]] <- res
  }
  out$warnings <- unique(warnings)
  out
}

# The rows of the positive class, the second level of the cells' outcome
# (a factor of the two levels negative, positive): `y == levels(y)[2]`
# without the factor's comparison method.
is_positive <- function(y) as.integer(y) == 2L

# Rows `i` (distinct, none missing) of a plain data frame of vector
# columns: the object `[.data.frame` gives (identical(), row names
# included), without its checks, which were a twentieth of a small
# evaluation's own time. Other data frames (a tibble, a matrix column) go
# through `[`.
data_rows <- function(data, i) {
  if (!identical(class(data), "data.frame") ||
      !all(vapply(data, function(col) is.null(dim(col)), logical(1)))) {
    return(data[i, , drop = FALSE])
  }
  cols <- lapply(unclass(data), `[`, i)
  attr(cols, "row.names") <- attr(data, "row.names")[i]
  class(cols) <- "data.frame"
  cols
}

# The threshold maximising F1 on inner out-of-fold predictions of the real
# training rows (prior-corrected), the sampler run inside each inner
# training part.
f1_threshold <- function(learner, real, var, context, correct_prior, k = 3) {
  yr <- is_positive(real[[var]])
  fold <- class_folds(yr, min(k, sum(yr), sum(!yr)))
  p <- numeric(length(yr))
  for (f in unique(fold)) {
    inner <- real[fold != f, , drop = FALSE]
    fitted <- context$resample(inner, 100L + f)
    inner_context <- context
    inner_context$real <- inner
    pf <- learner_fit_predict(learner, fitted, real[fold == f, , drop = FALSE], var,
                              inner_context)
    p[fold == f] <- if (correct_prior) prior_corrected(pf, inner[[var]], fitted[[var]])
                    else raw_predictions(pf)
  }
  grid <- sort(unique(p))
  at <- metric_threshold(yr, p, grid)
  f1 <- at$f1
  f1[is.na(f1)] <- -1
  grid[which.max(f1)]
}

# ---------------------------------------------------------------------------
# From the cells to the result

assemble_evaluation <- function(results, cells, splits, shared, y, data, outcome,
                                subgroups, seed, call) {
  samplers <- vapply(shared$samplers, function(s) s$label, character(1))
  learners <- vapply(shared$learners, function(l) l$name, character(1))
  preds <- list(); scores <- list(); failures <- list(); records <- list(); warns <- list()
  for (i in seq_along(cells)) {
    cell <- cells[[i]]
    res <- results[[i]]
    sl <- samplers[cell$sampler]
    where <- list(rep = cell$rep, fold = cell$fold, sampler = sl)
    if (length(res$warnings) > 0) {
      warns[[length(warns) + 1]] <- c(lapply(where, rep, length(res$warnings)),
                                      list(warning = res$warnings))
    }
    if (!is.null(res$sampler_error)) {
      failures[[length(failures) + 1]] <- c(lapply(where, rep, length(learners)),
        list(learner = learners, stage = "sampler", message = res$sampler_error))
      next
    }
    if (shared$samplers[[cell$sampler]]$method != "none") {
      records[[length(records) + 1]] <- c(where, list(train_rows = cell$train,
                                                      record = res$record))
    }
    for (l in seq_along(learners)) {
      lr <- res$learners[[l]]
      if (!is.null(lr$error)) {
        failures[[length(failures) + 1]] <- c(where, list(learner = learners[l],
          stage = "learner", message = lr$error))
        next
      }
      nt <- length(cell$test)
      preds[[length(preds) + 1]] <- list(
        rep = rep(cell$rep, nt), fold = rep(cell$fold, nt), sampler = rep(sl, nt),
        learner = rep(learners[l], nt), row = cell$test, y = y[cell$test],
        p = lr$p, p_corrected = lr$p_corrected, threshold = rep(lr$threshold, nt))
      scores[[length(preds)]] <- lr$scores
    }
  }
  failures <- bind_rows(failures) %||%
    new_frame(list(rep = integer(), fold = integer(), sampler = character(),
                   learner = character(), stage = character(), message = character()))
  out <- list(failures = failures,
              warnings = bind_rows(warns),
              records = records, splits = splits[vapply(splits, function(s) s$rep > 0, logical(1))])
  if (length(preds) == 0) {
    out$predictions <- NULL
    return(out)
  }
  scored <- score_cells(preds, scores, shared$correct_prior, reference = samplers[1])
  predictions <- bind_rows(preds)
  predictions$sampler <- factor(predictions$sampler, levels = samplers)
  predictions$learner <- factor(predictions$learner, levels = learners)
  metrics <- scored$metrics
  metrics$sampler <- factor(metrics$sampler, levels = samplers)
  metrics$learner <- factor(metrics$learner, levels = learners)
  fold_rows <- metrics$rep > 0
  out$metrics <- metrics[fold_rows, , drop = FALSE]
  out$holdout <- metrics[!fold_rows, , drop = FALSE]
  rownames(out$metrics) <- NULL
  rownames(out$holdout) <- NULL
  out$notes <- scored$notes
  out$predictions <- predictions
  # one row per cell, from the cells (unique() on the predictions' rows is
  # slow on a large holdout)
  out$thresholds <- bind_rows(lapply(preds, function(pr) {
    list(rep = pr$rep[1], fold = pr$fold[1], sampler = pr$sampler[1],
         learner = pr$learner[1], threshold = pr$threshold[1])
  }))
  out$thresholds$sampler <- factor(out$thresholds$sampler, levels = samplers)
  out$thresholds$learner <- factor(out$thresholds$learner, levels = learners)
  corrected <- shared$correct_prior
  ratio <- mean(vapply(out$splits, function(s) length(s$test) / length(s$train), numeric(1)))
  out$verdict <- verdict_table(out$metrics, samplers, learners, corrected, ratio)
  out$calibration <- calibration_table(out$metrics, samplers, learners, corrected, ratio)
  out$decisions <- decision_table(out$verdict, out$calibration, samplers, learners, corrected)
  source <- curve_source(predictions)
  out$decision_curve <- decision_curves(source, corrected)
  out$subgroups <- subgroup_table(source, data, subgroups, corrected, seed)
  out$errors <- error_analysis(predictions, data, samplers, learners, corrected)
  out
}

# Metrics per cell: raw and (with the prior correction) corrected, as the
# cells scored them (`scores`, parallel to `preds`), and at matched
# sensitivity. `preds`: the list of per-cell columns. The long tables are
# made once from the blocks' values and the cells' keys, in the blocks'
# order: every cell's raw and corrected metrics, then every cell's matched
# ones.
score_cells <- function(preds, scores, correct_prior, reference) {
  n <- length(preds)
  key <- list(rep = vapply(preds, function(pr) pr$rep[1], pr_type(preds, "rep")),
              fold = vapply(preds, function(pr) pr$fold[1], pr_type(preds, "fold")),
              sampler = vapply(preds, function(pr) pr$sampler[1], character(1)),
              learner = vapply(preds, function(pr) pr$learner[1], character(1)))
  blocks <- vector("list", (2 + correct_prior) * n)
  nb <- 0L
  add <- function(i, corrected, values) {
    nb <<- nb + 1L
    blocks[[nb]] <<- list(i = i, corrected = corrected, values = values,
                          notes = attr(values, "notes"))
  }
  for (i in seq_len(n)) {
    add(i, FALSE, scores[[i]]$raw)
    if (correct_prior) add(i, TRUE, scores[[i]]$corrected)
  }
  # matched sensitivity: each model's threshold reaching "none"'s recall
  # of the same split and learner
  is_ref <- key$sampler == reference
  ref_at <- match(paste(key$rep, key$fold, key$learner),
                  paste(key$rep, key$fold, key$learner)[is_ref])
  ref_recall <- vapply(which(is_ref), function(i) scores[[i]]$raw[["recall"]], numeric(1))
  for (i in seq_len(n)) {
    pr <- preds[[i]]
    target <- ref_recall[ref_at[i]]
    p <- if (correct_prior) pr$p_corrected else pr$p
    t <- if (is.na(target)) NA_real_
         else as.double(threshold_matched_sensitivity(pr$y, p, target))
    at <- if (is.na(t)) rep(NA_real_, 6)
          else unlist(threshold_at(pr$y, p, t)[matched_rates])
    add(i, correct_prior, structure(stats::setNames(c(t, at), matched_names),
      notes = if (is.na(t)) c(matched_threshold = "no positive case in the test part, or no recall to match")))
  }
  long <- function(part, values) {
    size <- vapply(blocks, function(b) length(b[[part]]), integer(1))
    cell <- rep(vapply(blocks, function(b) b$i, integer(1)), size)
    cols <- lapply(key, function(k) k[cell])
    cols$corrected <- rep(vapply(blocks, function(b) b$corrected, logical(1)), size)
    cols$metric <- unlist(lapply(blocks, function(b) names(b[[part]])), use.names = FALSE)
    cols[[values]] <- unlist(lapply(blocks, function(b) unname(b[[part]])), use.names = FALSE)
    if (sum(size) == 0) NULL else new_frame(cols)
  }
  list(metrics = long("values", "value"), notes = long("notes", "note"))
}

# the type of a per-cell column's values, for vapply()
pr_type <- function(preds, col) {
  if (is.integer(preds[[1]][[col]])) integer(1) else numeric(1)
}

matched_rates <- c("recall", "precision", "f1", "specificity", "balanced_accuracy", "mcc")

matched_names <- c("matched_threshold", "matched_recall", "matched_precision",
                   "matched_f1", "matched_specificity", "matched_balanced_accuracy",
                   "matched_mcc")

# The verdict's metrics, all on the predictions the verdict reads
# (corrected when the prior correction is on).
verdict_metrics <- c("pr_auc", "roc_auc", "brier", "cal_slope_error")

# The rows of a long metrics table by sampler, learner, correction and
# metric, found once: the verdict and the calibration comparisons read
# dozens of (sampler, learner, metric) series, and filtering the whole table
# (factor comparisons on every row) for each was a tenth of a small
# evaluation's own time.
metric_index <- function(metrics) {
  sampler <- as.character(metrics$sampler)
  learner <- as.character(metrics$learner)
  levels <- list(sampler = unique(sampler), learner = unique(learner),
                 metric = unique(metrics$metric))
  # one whole number per (sampler, learner, corrected, metric)
  code <- key_code(levels, match(sampler, levels$sampler), match(learner, levels$learner),
                   metrics$corrected, match(metrics$metric, levels$metric))
  list(rows = split(seq_len(nrow(metrics)), code), levels = levels, value = metrics$value,
       rep = metrics$rep, fold = metrics$fold)
}

key_code <- function(levels, s, l, corrected, m) {
  ((((s - 1L) * length(levels$learner) + l - 1L) * 2L + as.integer(corrected)) *
     length(levels$metric) + m)
}

# Values of one metric per split for a sampler and learner, named by split
# (`index`: metric_index() of the table).
metric_by_split <- function(index, sampler, learner, corrected, metric) {
  lv <- index$levels
  at <- function(m) {
    code <- key_code(lv, match(sampler, lv$sampler), match(learner, lv$learner), corrected,
                     match(m, lv$metric))
    if (is.na(code)) integer() else index$rows[[as.character(code)]]
  }
  named <- function(v, rows) stats::setNames(v, paste(index$rep[rows], index$fold[rows]))
  rows <- at(metric)
  if (length(rows) > 0) {
    # given as such (a macro average of the classes' distances)
    return(named(index$value[rows], rows))
  }
  rows <- at(sub("_error$", "", metric))
  v <- index$value[rows]
  if (metric == "cal_slope_error") v <- abs(v - 1)
  if (metric == "cal_intercept_error") v <- abs(v)
  named(v, rows)
}

# Nadeau-Bengio corrected t interval of the mean of paired differences d,
# at `level`; `ratio` = n_test / n_train.
nb_interval <- function(d, ratio, level = 0.95) {
  d <- d[!is.na(d)]
  J <- length(d)
  if (J < 2) {
    return(list(mean = if (J) mean(d) else NA_real_, lower = NA_real_, upper = NA_real_,
                p_value = NA_real_, J = J))
  }
  m <- mean(d)
  se <- sqrt((1 / J + ratio) * stats::var(d))
  if (se == 0) {
    return(list(mean = m, lower = m, upper = m, p_value = if (m == 0) 1 else 0, J = J))
  }
  q <- stats::qt(1 - (1 - level) / 2, J - 1)
  list(mean = m, lower = m - q * se, upper = m + q * se,
       p_value = 2 * stats::pt(-abs(m / se), J - 1), J = J)
}

paired_differences <- function(index, sampler, reference, learner, corrected, metric) {
  a <- metric_by_split(index, sampler, learner, corrected, metric)
  b <- metric_by_split(index, reference, learner, corrected, metric)
  keys <- intersect(names(a), names(b))
  a[keys] - b[keys]
}

verdict_table <- function(metrics, samplers, learners, corrected, ratio) {
  rows <- list()
  index <- metric_index(metrics)
  for (lrn in learners) for (s in samplers[-1]) for (m in verdict_metrics) {
    d <- paired_differences(index, s, samplers[1], lrn, corrected, m)
    iv <- nb_interval(d, ratio)
    rows[[length(rows) + 1]] <- c(list(sampler = s, learner = lrn, metric = m), iv)
  }
  v <- bind_rows(rows)
  if (is.null(v)) return(NULL)
  v$p_holm <- stats::p.adjust(v$p_value, "holm")
  # intervals at Holm's level for each comparison's rank
  m <- sum(!is.na(v$p_value))
  rank <- rank(v$p_value, ties.method = "first", na.last = "keep")
  level <- 1 - 0.05 / (m - rank + 1)
  se_q <- (v$upper - v$mean) / stats::qt(0.975, pmax(v$J - 1, 1))
  v$lower_holm <- v$mean - stats::qt(1 - (1 - level) / 2, pmax(v$J - 1, 1)) * se_q
  v$upper_holm <- v$mean + stats::qt(1 - (1 - level) / 2, pmax(v$J - 1, 1)) * se_q
  v$better <- ifelse(v$metric %in% c("pr_auc", "roc_auc"), "higher", "lower")
  v$significant <- !is.na(v$p_holm) & v$p_holm < 0.05
  v$sampler <- factor(v$sampler, levels = samplers)
  v$learner <- factor(v$learner, levels = learners)
  v
}

# Calibration of the raw and corrected predictions against "none": Brier
# and the calibration intercept's distance from 0, unadjusted intervals.
calibration_table <- function(metrics, samplers, learners, corrected, ratio) {
  rows <- list()
  versions <- if (corrected) c(FALSE, TRUE) else FALSE
  index <- metric_index(metrics)
  for (lrn in learners) for (s in samplers[-1]) for (cr in versions) {
    for (m in c("brier", "cal_intercept_error")) {
      d <- paired_differences(index, s, samplers[1], lrn, cr, m)
      iv <- nb_interval(d, ratio)
      rows[[length(rows) + 1]] <- c(list(sampler = s, learner = lrn, corrected = cr,
                                         metric = m), iv)
    }
  }
  bind_rows(rows)
}

decision_table <- function(verdict, calibration, samplers, learners, corrected) {
  if (is.null(verdict)) return(NULL)
  rows <- list()
  # the tables' columns as vectors (subsetting the data frames for each
  # comparison cost more than the comparisons)
  v_sampler <- as.character(verdict$sampler)
  v_learner <- as.character(verdict$learner)
  c_sampler <- as.character(calibration$sampler)
  c_learner <- as.character(calibration$learner)
  for (lrn in learners) for (s in samplers[-1]) {
    here <- v_sampler == s & v_learner == lrn
    get <- function(m) which(here & verdict$metric == m)
    up <- function(i) length(i) == 1 && isTRUE(verdict$significant[i]) && verdict$mean[i] > 0
    down <- function(i) length(i) == 1 && isTRUE(verdict$significant[i]) && verdict$mean[i] < 0
    ranking <- up(get("pr_auc")) || up(get("roc_auc"))
    worse_ranking <- down(get("pr_auc")) || down(get("roc_auc"))
    calib_worse <- up(get("brier")) || up(get("cal_slope_error"))
    helped <- ranking && !calib_worse
    cal <- c_sampler == s & c_learner == lrn
    above <- function(rows) any(!is.na(calibration$lower[rows]) & calibration$lower[rows] > 0)
    hurt <- above(cal & !calibration$corrected)
    repaired <- if (!corrected || !hurt) NA else !above(cal & calibration$corrected)
    words <- if (helped) "helped" else "no evidence of benefit"
    detail <- c(
      if (ranking && calib_worse) "ranking better, but calibration after prior correction worse",
      if (worse_ranking) "ranking worse",
      if (hurt) sprintf("hurt calibration%s",
                        if (isTRUE(repaired)) "; the prior correction repaired it"
                        else if (isFALSE(repaired)) "; the prior correction did not repair it"
                        else ""))
    rows[[length(rows) + 1]] <- list(sampler = s, learner = lrn, helped = helped,
                                     verdict = words,
                                     detail = if (length(detail)) paste(detail, collapse = "; ") else "",
                                     hurt_calibration = hurt, repaired = repaired)
  }
  d <- bind_rows(rows)
  d$sampler <- factor(d$sampler, levels = samplers)
  d$learner <- factor(d$learner, levels = learners)
  d
}

# The predictions the curves and subgroups read: the holdout's when there
# is one, otherwise the first repeat's out-of-fold predictions (each row
# once).
curve_source <- function(predictions) {
  if (any(predictions$rep == 0)) {
    src <- predictions[predictions$rep == 0, , drop = FALSE]
    attr(src, "source") <- "holdout"
  } else {
    src <- predictions[predictions$rep == 1, , drop = FALSE]
    attr(src, "source") <- "out-of-fold (repeat 1)"
  }
  src
}

decision_curves <- function(source, corrected, thresholds = seq(0.01, 0.99, by = 0.01)) {
  rows <- list()
  # the rows' indices split, not the data frame (split.data.frame() subsets
  # every column of every piece)
  y <- source$y
  pv <- if (corrected) source$p_corrected else source$p
  for (i in split(seq_len(nrow(source)), list(source$sampler, source$learner), drop = TRUE)) {
    nb <- metric_net_benefit(y[i], pv[i], thresholds)
    rows[[length(rows) + 1]] <- c(list(sampler = rep(as.character(source$sampler[i[1]]), nrow(nb)),
                                       learner = rep(as.character(source$learner[i[1]]), nrow(nb))),
                                  as.list(nb))
  }
  out <- bind_rows(rows)
  out$sampler <- factor(out$sampler, levels = levels(source$sampler))
  out$learner <- factor(out$learner, levels = levels(source$learner))
  attr(out, "source") <- attr(source, "source")
  out
}

subgroup_metrics <- c("pr_auc", "roc_auc", "brier", "recall", "precision")

subgroup_table <- function(source, data, subgroups, corrected, seed, B = 200, min_events = 20) {
  if (is.null(subgroups)) return(NULL)
  rows <- list()
  i <- 0L
  for (col in subgroups) {
    level_of <- as.character(data[[col]])[source$row]
    level_of[is.na(level_of)] <- "(missing)"
    for (key in split(seq_len(nrow(source)), list(source$sampler, source$learner, level_of),
                      drop = TRUE)) {
      part <- source[key, , drop = FALSE]
      p <- if (corrected) part$p_corrected else part$p
      thr <- stats::median(part$threshold)
      events <- sum(part$y)
      id <- list(column = col, level = level_of[key[1]],
                 sampler = as.character(part$sampler[1]),
                 learner = as.character(part$learner[1]), n = nrow(part), events = events)
      i <- i + 1L
      if (events < min_events || events == nrow(part)) {
        k <- length(subgroup_metrics)
        rows[[length(rows) + 1]] <- c(lapply(id, rep, k), list(
          metric = subgroup_metrics, estimate = rep(NA_real_, k), lower = rep(NA_real_, k),
          upper = rep(NA_real_, k),
          note = rep(sprintf("%d event(s): fewer than %d, no estimate", events, min_events), k)))
        next
      }
      fun <- function(y, p) {
        at <- metric_threshold(y, p, thr)
        c(pr_auc = metric_pr_auc(y, p), roc_auc = metric_roc_auc(y, p),
          brier = metric_brier(y, p), recall = at$recall, precision = at$precision)
      }
      bt <- bootstrap_metric(part$y, p, fun, B = B, seed = derive_seed(seed, 5000L + i))
      rows[[length(rows) + 1]] <- c(lapply(id, rep, nrow(bt)),
        list(metric = bt$metric, estimate = bt$estimate, lower = bt$lower,
             upper = bt$upper, note = rep("", nrow(bt))))
    }
  }
  out <- bind_rows(rows)
  attr(out, "source") <- attr(source, "source")
  out
}

# Rows "none" missed (positives) or flagged (negatives) in most of the
# splits that tested them, and which each sampler recovered.
error_analysis <- function(predictions, data, samplers, learners, corrected) {
  # the out-of-fold predictions' columns, taken as vectors (this runs in
  # the calling process whatever the plan: subsetting the data frame of
  # every prediction and tapply() over every row took seconds on large
  # tables)
  oof <- predictions$rep > 0
  row <- predictions$row[oof]
  y <- predictions$y[oof]
  p_use <- (if (corrected) predictions$p_corrected else predictions$p)[oof]
  # a positive is wrong below its threshold, a negative at or above it
  wrong <- p_use >= predictions$threshold[oof]
  wrong[y] <- !wrong[y]
  code_of <- function(f) as.integer(f)[oof]
  sampler_code <- code_of(predictions$sampler)
  learner_code <- code_of(predictions$learner)
  is_cell <- function(s, lrn) {
    ks <- match(s, levels(predictions$sampler))
    kl <- match(lrn, levels(predictions$learner))
    if (is.na(ks) || is.na(kl)) return(logical(length(row)))
    sampler_code == ks & learner_code == kl
  }
  # per row tested (in increasing row order): how often, and how often
  # wrong
  tally <- function(sel) {
    r <- row[sel]
    rows <- sort(unique(r))
    at <- match(r, rows)
    # new_frame(): data.frame()'s checks cost more than the tally here
    new_frame(list(row = as.integer(rows), times_tested = tabulate(at, length(rows)),
                   times_wrong = tabulate(at[wrong[sel]], length(rows))))
  }
  missed <- list(); flagged <- list(); recovered <- list()
  for (lrn in learners) {
    base <- tally(is_cell(samplers[1], lrn))
    base <- base[base$times_wrong / base$times_tested > 0.5, , drop = FALSE]
    if (nrow(base) == 0) next
    is_pos <- y[match(base$row, row)]
    tallies <- lapply(samplers[-1], function(s) tally(is_cell(s, lrn)))
    for (kind in c("missed", "flagged")) {
      b <- base[if (kind == "missed") is_pos else !is_pos, , drop = FALSE]
      if (nrow(b) == 0) next
      names(b)[3] <- paste0("times_", kind)
      rows <- cbind(data.frame(learner = lrn, b), data[b$row, , drop = FALSE])
      rownames(rows) <- NULL
      if (kind == "missed") missed[[lrn]] <- rows else flagged[[lrn]] <- rows
      for (j in seq_along(samplers[-1])) {
        s <- samplers[-1][j]
        t <- tallies[[j]]
        t <- t[match(b$row, t$row), , drop = FALSE]
        recovered[[length(recovered) + 1]] <- list(
          learner = rep(lrn, nrow(b)), sampler = rep(s, nrow(b)), kind = rep(kind, nrow(b)),
          row = b$row, share_none = b[[3]] / b$times_tested,
          share_sampler = t$times_wrong / t$times_tested,
          recovered = !is.na(t$times_wrong) & t$times_wrong / t$times_tested <= 0.5)
      }
    }
  }
  list(missed = if (length(missed)) do.call(rbind, unname(missed)),
       flagged = if (length(flagged)) do.call(rbind, unname(flagged)),
       recovered = bind_rows(recovered))
}

# Failed cells: an error when a sampler or a learner failed everywhere, a
# warning otherwise.
report_failures <- function(x, call) {
  f <- x$failures
  if (nrow(f) == 0) return(invisible())
  for (s in unique(f$sampler[f$stage == "sampler"])) {
    fs <- f[f$stage == "sampler" & f$sampler == s, , drop = FALSE]
    if (length(unique(paste(fs$rep, fs$fold))) >= length(x$splits) + (x$settings$n_holdout > 0)) {
      sg_abort(c(sprintf("Sampler `%s` failed in every split.", s), fs$message[1]),
               class = "sampler", call = call)
    }
  }
  for (l in unique(f$learner)) {
    fl <- f[f$learner == l, , drop = FALSE]
    total <- (length(x$splits) + (x$settings$n_holdout > 0)) * length(x$settings$samplers)
    if (nrow(fl) >= total) {
      sg_abort(c(sprintf("Learner `%s` failed in every split and sampler.", l), fl$message[1]),
               class = if (all(fl$stage == "sampler")) "sampler" else "learner", call = call)
    }
  }
  sg_warn(c(sprintf("%d of the evaluation's cells failed; they are marked in `$failures` and left out of the metrics.",
                    nrow(f)),
            sprintf("First: %s", f$message[1])),
          class = "evaluate", call = call)
}

# ---------------------------------------------------------------------------
# More than two classes: one evaluation per class (that class against the
# rest, on the same splits), and their macro average

combine_one_vs_rest <- function(evals, outcome, seed, held) {
  classes <- outcome$classes
  names(evals) <- classes
  first <- evals[[1]]
  learners <- vapply(first$settings$learners, function(l) l$name, character(1))
  samplers <- vapply(first$settings$samplers, function(s) s$label, character(1))
  with_class <- function(part) {
    tabs <- lapply(classes, function(cls) {
      t <- evals[[cls]][[part]]
      if (is.null(t) || nrow(t) == 0) return(NULL)
      cbind(data.frame(class = rep(cls, nrow(t))), t)
    })
    out <- do.call(rbind, tabs)
    if (!is.null(out)) rownames(out) <- NULL
    out
  }
  class_metrics <- with_class("metrics")
  class_holdout <- with_class("holdout")
  settings <- first$settings
  settings$positive <- NULL
  settings$negative <- NULL
  settings$classes <- classes
  settings$n_events <- vapply(evals, function(e) e$settings$n_events, numeric(1))
  settings$n_holdout_events <- vapply(evals, function(e) e$settings$n_holdout_events,
                                      numeric(1))
  out <- list(metrics = macro_average(class_metrics, samplers, learners),
              holdout = macro_average(class_holdout, samplers, learners),
              class_metrics = rbind(class_metrics, class_holdout),
              per_class = evals,
              failures = with_class("failures") %||% first$failures,
              warnings = with_class("warnings"),
              notes = with_class("notes"),
              splits = first$splits)
  corrected <- settings$correct_prior
  if (!is.null(out$metrics)) {
    ratio <- mean(vapply(out$splits, function(s) length(s$test) / length(s$train), numeric(1)))
    out$verdict <- verdict_table(out$metrics, samplers, learners, corrected, ratio)
    out$calibration <- calibration_table(out$metrics, samplers, learners, corrected, ratio)
    out$decisions <- decision_table(out$verdict, out$calibration, samplers, learners, corrected)
  }
  out$settings <- settings
  out$seed <- seed
  out$holdout_rows <- held
  class(out) <- c("sg_evaluation_ovr", "sg_evaluation")
  out
}

# The mean over the classes of each metric per split, sampler, learner and
# correction (the classes with a value: a class absent from a test part
# has NA ranking metrics there). The calibration slope's and intercept's
# distances (from 1 and 0) are averaged as distances, so that one class's
# slope above 1 does not cancel another's below.
macro_average <- function(metrics, samplers, learners) {
  if (is.null(metrics) || nrow(metrics) == 0) return(NULL)
  dist <- metrics[metrics$metric %in% c("cal_slope", "cal_intercept"), , drop = FALSE]
  dist$value <- ifelse(dist$metric == "cal_slope", abs(dist$value - 1), abs(dist$value))
  dist$metric <- paste0(dist$metric, "_error")
  all <- rbind(metrics, dist)
  key <- paste(all$rep, all$fold, all$sampler, all$learner, all$corrected, all$metric,
               sep = "\r")
  first <- !duplicated(key)
  out <- all[first, c("rep", "fold", "sampler", "learner", "corrected", "metric")]
  value <- tapply(all$value, factor(key, levels = key[first]), function(v) {
    if (all(is.na(v))) NA_real_ else mean(v, na.rm = TRUE)
  })
  out$value <- as.double(value)
  out$sampler <- factor(as.character(out$sampler), levels = samplers)
  out$learner <- factor(as.character(out$learner), levels = learners)
  rownames(out) <- NULL
  out
}
