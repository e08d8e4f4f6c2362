# Performance monitoring: a model's metrics on a new labelled batch against
# the spread its evaluation showed over the folds.

#' Is the model still performing as validated? Monitoring a labelled batch
#'
#' `sg_monitor()` scores a model on a new labelled batch with the metrics
#' of its evaluation ([sg_evaluate()]) and compares each with the spread
#' the evaluation found over its folds: is this batch within what was
#' validated, or has the model's performance moved?
#'
#' @section What is compared:
#' The batch's metrics are PR-AUC (`pr_auc`), recall at the threshold
#' (`recall`), the Brier score (`brier`), calibration-in-the-large
#' (`cal_intercept`, the intercept of a logistic fit of the outcome with
#' the predictions' log-odds as offset; 0 when the risks are right on
#' average, negative when they are too high) and the calibration slope
#' (`cal_slope`), computed as [sg_evaluate()] computes them. Each has a 95%
#' percentile bootstrap interval from `B` resamples of the batch's rows,
#' drawn as a whole, not within each class: the batch's event share varies
#' from resample to resample as it does from batch to batch, which
#' calibration-in-the-large (the event share against the mean risk) needs.
#' Resamples without both classes are left out of the metrics that need
#' both.
#'
#' The baseline is one row of the evaluation's grid: the sampler and
#' learner given, or by default the sampler `"none"` and the evaluation's
#' first learner (the print says which). Its metrics per fold (every
#' repeat; not the holdout) give the fold mean, standard deviation (SD)
#' and range. When the evaluation reported prior-corrected metrics
#' (`correct_prior = TRUE`, the default), those are the baseline: for a
#' resampled model, pass predictions corrected with [sg_correct_prior()].
#'
#' The threshold for recall is by default the baseline's: the one used on
#' the evaluation's holdout (the model fitted to all development rows),
#' or without a holdout the median of the fold thresholds.
#'
#' @section The alert rule:
#' Each metric has a harmful direction: lower for `pr_auc` and `recall`,
#' higher for `brier`, and both directions for `cal_intercept` and
#' `cal_slope` (a move either way means the risks no longer mean what they
#' meant when validated).
#'
#' With the baseline's fold mean `m` and fold range `[min, max]`, and the
#' batch's bootstrap interval `[lower, upper]`:
#' * **act** when the batch's interval lies entirely beyond the fold range
#'   in a harmful direction: `upper < min` (for `pr_auc`, `recall`,
#'   `cal_intercept`, `cal_slope`) or `lower > max` (for `brier`,
#'   `cal_intercept`, `cal_slope`): worse than the worst fold of the
#'   validation, beyond the batch's own sampling noise;
#' * else **watch** when the batch's interval lies entirely beyond the fold
#'   mean in a harmful direction: `upper < m` (for `pr_auc`, `recall`,
#'   `cal_intercept`, `cal_slope`) or `lower > m` (for `brier`,
#'   `cal_intercept`, `cal_slope`): worse than validated on average, beyond
#'   the batch's noise;
#' * else **ok**.
#'
#' The rule reads the batch's interval, not its estimate against the fold
#' standard deviation (which is shown, with the dashed mean -/+ 2 SD in the
#' plot): the folds are stratified, so their event shares are equal and
#' their spread understates how much prevalence-dependent metrics
#' (calibration-in-the-large above all) vary between batches. In a check
#' with no change (a logistic model validated by 5 x 2 folds of 200 rows,
#' 60 batches of 200 rows from the same distribution), an estimate beyond
#' the fold mean -/+ 2 SD happened in 42% of the batches for
#' calibration-in-the-large and 52% for the Brier score, while this rule
#' gave act in 2 of 60 (calibration-in-the-large) and watch in 0 to 8 of 60
#' per metric.
#'
#' The alert is `NA` when the batch's estimate or interval is `NA` (see
#' below), or when the baseline has fewer than two folds with a value for
#' the metric. A baseline of few folds has a narrow range: with 2 folds,
#' expect act more often. A large batch has narrow intervals, so a small
#' change can raise watch: read the size of the change in the table.
#'
#' @section Batches with one class:
#' A batch without events (or without non-events) is not an error: the
#' metrics that need both classes (PR-AUC and calibration; recall needs
#' events) are `NA` with a note saying why, and the others are compared as
#' usual.
#'
#' @section Errors:
#' Classed errors (`smoteguard_error_input` unless said) name the argument
#' and the fix for: an empty batch (`smoteguard_error_empty_batch`);
#' predictions whose length differs from the batch's rows; predictions
#' missing or outside `[0, 1]`; a model whose `predict()` fails
#' (`smoteguard_error_learner`); an outcome with missing values or classes
#' the baseline did not have; a `baseline` that is not an evaluation or a
#' ledger entry of one (`smoteguard_error_not_evaluation`); and a sampler
#' or learner the baseline does not hold.
#'
#' @param model_or_predictions The predicted probabilities of the positive
#'   class (the evaluation's `positive`) for the rows of `new_data`, or a
#'   fitted model with a `predict()` method (a `glm` is asked for
#'   `type = "response"`; another model's `predict(model, newdata =
#'   new_data)` must return probabilities, or a matrix or data frame with a
#'   column named as the positive class).
#' @param new_data The new labelled batch: a data frame with the outcome
#'   `var` (and the model's predictors, when a model is given).
#' @param var The name of the outcome column in `new_data`; by default the
#'   baseline's.
#' @param baseline An evaluation ([sg_evaluate()]), or a ledger entry of
#'   one: a row of [sg_ledger_read()] (or its `entry` element).
#' @param sampler,learner Which row of the baseline: a sampler label (or a
#'   [sg_sampler()]) and a learner name (or an [sg_learner()]). By default
#'   `"none"` and the baseline's first learner.
#' @param threshold `NULL` (the baseline's threshold), or a number in (0, 1)
#'   for recall.
#' @param B The number of bootstrap resamples.
#' @param seed `NULL` or a whole number: the seed of the bootstrap. The
#'   caller's random stream is left as it was.
#' @param label An optional name for the batch (e.g. `"week 12"`), shown by
#'   print and plot.
#' @param drift `NULL`, a drift check of this batch ([sg_drift()]), or the
#'   reference to check the batch's predictors against (the data the model
#'   was built on, a result of [sg_oversample()] or its [sg_record()]):
#'   then `sg_drift(drift, new_data, var)` is run (with `seed`, or 1). The
#'   check is kept in the result, and [sg_report()] lists the drifted
#'   features of each batch.
#' @return An object of class `sg_monitor`: a list with `table` (one row per
#'   metric: `metric`, `estimate`, `lower`, `upper`, `base_mean`, `base_sd`,
#'   `base_min`, `base_max`, `base_folds`, `harmful` (`"lower"`,
#'   `"higher"`, `"both"`), `alert` (`"ok"`, `"watch"`, `"act"` or `NA`) and
#'   `note`), `sampler`, `learner`, `corrected`, `threshold`,
#'   `threshold_source`, `n`, `events`, `positive`, `var`, `time`, `label`,
#'   `baseline` (its fingerprint, ledger id and seed), `B`, `seed` and
#'   `drift` (the drift check, or `NULL`).
#'   Methods: `print()`, `as.data.frame()`, and `plot()` for one check;
#'   [sg_monitor_plot()] for a sequence of them. [sg_ledger_append()] keeps
#'   it (kind `"monitor"`).
#' @seealso [sg_evaluate()], [sg_drift()] for the predictors' drift,
#'   [sg_ledger_append()].
#' @examples
#' # the baseline: a small evaluation (no resampling, logistic regression)
#' dev <- breast_biopsy[1:450, ]
#' ev <- sg_evaluate(dev, "diagnosis", samplers = sg_sampler("none"),
#'                   resamples = sg_folds(folds = 2, repeats = 1),
#'                   holdout = 0, seed = 1)
#' fit <- glm(diagnosis ~ ., data = dev, family = binomial)
#'
#' # a later labelled batch, scored by the deployed model
#' batch <- breast_biopsy[451:683, ]
#' m <- sg_monitor(fit, batch, "diagnosis", ev, seed = 1, label = "batch 1")
#' m
#'
#' # predictions that have drifted upwards
#' p <- predict(fit, batch, type = "response")
#' m2 <- sg_monitor(plogis(qlogis(p) + 2), batch, "diagnosis", ev, seed = 1,
#'                  label = "batch 2")
#' as.data.frame(m2)[, c("metric", "estimate", "alert")]
#' sg_monitor_plot(m, m2)
#'
#' # kept in the ledger, and read back
#' path <- tempfile(fileext = ".jsonl")
#' sg_ledger_append(m, path)
#' sg_ledger_append(m2, path)
#' sg_monitor_plot(sg_ledger_read(path))
#' @export
sg_monitor <- function(model_or_predictions, new_data, var = NULL, baseline,
                       sampler = NULL, learner = NULL, threshold = NULL, B = 200,
                       seed = NULL, label = NULL, drift = NULL) {
  call <- sys.call()
  base <- monitor_baseline(baseline, call)
  if (is.data.frame(new_data) && nrow(new_data) == 0) {
    sg_abort(c("`new_data` is an empty batch (0 rows).",
               "Monitor a batch with labelled rows: pass the rows scored since the last check."),
             class = "empty_batch", call = call)
  }
  check_data_frame(new_data, "new_data", call = call)
  var <- var %||% base$settings$var
  check_var(new_data, var, call = call)
  y <- monitor_outcome(new_data[[var]], var, base$settings, call)
  p <- monitor_predictions(model_or_predictions, new_data, base$settings$positive, call)
  which_row <- monitor_row(base, sampler, learner, call)
  threshold <- monitor_threshold(threshold, base, which_row, call)
  B <- check_count(B, "B", min = 1, call = call)
  seed <- check_seed(seed, call = call)
  if (!is.null(label) && (!is.character(label) || length(label) != 1 || is.na(label))) {
    sg_abort(c("`label` must be NULL or a single string.", sprintf("It is %s.", describe(label))),
             call = call)
  }
  drift <- monitor_drift(drift, new_data, var, seed, call)
  batch <- monitor_batch(y, p, threshold$value, B, seed)
  spread <- monitor_spread(base$metrics, which_row)
  table <- cbind(batch[c("metric", "estimate", "lower", "upper")], spread[-1],
                 harmful = monitor_harm[batch$metric], stringsAsFactors = FALSE)
  table$alert <- monitor_alert(table)
  table$note <- batch$note
  rownames(table) <- NULL
  structure(list(
    table = table, sampler = which_row$sampler, learner = which_row$learner,
    corrected = which_row$corrected, row_choice = which_row$how,
    threshold = threshold$value, threshold_source = threshold$source,
    n = length(y), events = sum(y), positive = base$settings$positive, var = var,
    time = Sys.time(), label = label %||% NA_character_,
    baseline = list(fingerprint = base$fingerprint %||% NA_character_,
                    ledger_id = base$id %||% NA_character_,
                    seed = base$seed %||% NA_real_),
    B = B, seed = seed %||% NA_integer_, drift = drift
  ), class = "sg_monitor")
}

# The batch's drift check: given, or run against the reference given.
monitor_drift <- function(drift, new_data, var, seed, call) {
  if (is.null(drift)) return(NULL)
  if (inherits(drift, "sg_drift")) {
    if (!identical(as.integer(drift$n_cur), nrow(new_data))) {
      sg_abort(c(sprintf("`drift` is a drift check of a batch of %d rows, but `new_data` has %d.",
                         as.integer(drift$n_cur), nrow(new_data)),
                 "Pass the drift check of this batch, or the reference, and `sg_monitor()` checks the batch itself."),
               call = call)
    }
    return(drift)
  }
  if (!is.data.frame(drift) && !inherits(drift, "sg_record")) {
    sg_abort(c("`drift` must be NULL, a drift check (`sg_drift()`) of this batch, or the reference data (a data frame, a result of `sg_oversample()` or its `sg_record()`).",
               sprintf("It is %s.", describe(drift))), call = call)
  }
  sg_drift(drift, new_data, var = var, seed = seed %||% 1L)
}

monitor_metrics <- c("pr_auc", "recall", "brier", "cal_intercept", "cal_slope")

# The metrics' names for readers (plots, reports).
monitor_metric_label <- c(pr_auc = "PR-AUC", recall = "Sensitivity (recall)",
                          brier = "Brier score", cal_intercept = "Calibration-in-the-large",
                          cal_slope = "Calibration slope")

# The direction in which a metric's change is harmful.
monitor_harm <- c(pr_auc = "lower", recall = "lower", brier = "higher",
                  cal_intercept = "both", cal_slope = "both")

# ---------------------------------------------------------------------------
# Checks at the door

# The parts of an evaluation that monitoring reads, from an sg_evaluation
# or a ledger entry of one (a row of sg_ledger_read(), its `entry`, or the
# entry's `evaluation`).
monitor_baseline <- function(baseline, call) {
  id <- NULL
  if (is.data.frame(baseline) && all(c("kind", "entry") %in% names(baseline))) {
    if (nrow(baseline) != 1 || !identical(baseline$kind, "evaluation")) {
      not_evaluation(baseline, sprintf("a ledger read of %d entr%s of kind %s", nrow(baseline),
                                       if (nrow(baseline) == 1) "y" else "ies",
                                       paste0("\"", unique(baseline$kind), "\"", collapse = ", ")),
                     call)
    }
    id <- baseline$id
    baseline <- baseline$entry[[1]]
  }
  if (is.list(baseline) && !inherits(baseline, "sg_evaluation") && is.list(baseline$evaluation)) {
    baseline <- baseline$evaluation
  }
  ok <- is.list(baseline) && !is.data.frame(baseline) &&
    is.data.frame(baseline$metrics) && is.list(baseline$settings) &&
    all(c("sampler", "learner", "metric", "value", "rep") %in% names(baseline$metrics)) &&
    !is.null(baseline$settings$positive)
  if (!ok) not_evaluation(baseline, describe(baseline), call)
  list(metrics = baseline$metrics, holdout = baseline$holdout, thresholds = baseline$thresholds,
       settings = baseline$settings, fingerprint = baseline$fingerprint,
       seed = baseline$seed, id = id)
}

not_evaluation <- function(x, what, call) {
  sg_abort(c("`baseline` must be an evaluation: a result of `sg_evaluate()`, or its ledger entry.",
             sprintf("It is %s.", what),
             "Pass the evaluation, or one row of `sg_ledger_read(path)` whose kind is \"evaluation\" (e.g. `led[led$kind == \"evaluation\", ][1, ]`)."),
           class = "not_evaluation", call = call)
}

monitor_outcome <- function(y, var, settings, call) {
  yv <- as.character(y)
  known <- c(settings$positive, settings$negative)
  other <- setdiff(unique(yv), known)
  if (length(other) > 0) {
    sg_abort(c(sprintf("The outcome `%s` of `new_data` has class(es) the baseline did not have: %s.",
                       var, class_list(other)),
               sprintf("The baseline's classes are %s (positive: `%s`).", class_list(known),
                       settings$positive),
               "Recode the batch's outcome to the baseline's classes, or check `var`."),
             call = call)
  }
  yv == settings$positive
}

monitor_predictions <- function(x, new_data, positive, call) {
  n <- nrow(new_data)
  if (!is.numeric(x) || is.object(x)) {
    if (is.null(x) || is.atomic(x)) {
      sg_abort(c("`model_or_predictions` must be predicted probabilities or a fitted model.",
                 sprintf("It is %s.", describe(x)),
                 "Pass `predict(model, new_data, type = \"response\")`, or the model itself."),
               call = call)
    }
    x <- tryCatch(
      if (inherits(x, "glm")) stats::predict(x, newdata = new_data, type = "response")
      else stats::predict(x, newdata = new_data),
      error = function(e) {
        sg_abort(c(sprintf("The model (%s) could not predict `new_data`.", class(x)[1]),
                   conditionMessage(e),
                   "Check that `new_data` has the model's predictors, or pass the predicted probabilities instead."),
                 class = "learner", call = call)
      })
    if ((is.matrix(x) || is.data.frame(x)) && positive %in% colnames(x)) x <- x[, positive]
    if (!is.numeric(x) || NCOL(x) != 1) {
      sg_abort(c("The model's `predict()` did not return one probability per row.",
                 sprintf("It returned %s.", describe(x)),
                 "Pass the predicted probabilities of the positive class instead."),
               call = call)
    }
    x <- as.vector(x)
  }
  check_predictions(x, n, "model_or_predictions", "`new_data`", "row", call = call)
  as.double(x)
}

# Which row of the baseline: sampler label, learner name, and the metrics'
# `corrected` flag.
monitor_row <- function(base, sampler, learner, call) {
  m <- base$metrics
  samplers <- unique(as.character(m$sampler))
  learners <- unique(as.character(m$learner))
  pick <- function(x, kind) {
    if (inherits(x, "sg_sampler")) return(x$label %||% x$method)
    if (inherits(x, "sg_learner")) return(x$name)
    if (!is.character(x) || length(x) != 1 || is.na(x)) {
      sg_abort(c(sprintf("`%s` must be a %s name (a string).", kind, kind),
                 sprintf("It is %s.", describe(x))), call = call)
    }
    x
  }
  how <- character()
  if (is.null(sampler)) {
    sampler <- "none"
    how <- c(how, "sampler")
  } else {
    sampler <- pick(sampler, "sampler")
  }
  if (is.null(learner)) {
    learner <- if (is.factor(m$learner)) levels(m$learner)[1] else learners[1]
    how <- c(how, "first learner")
  } else {
    learner <- pick(learner, "learner")
  }
  for (k in list(list("sampler", sampler, samplers), list("learner", learner, learners))) {
    if (!k[[2]] %in% k[[3]]) {
      sg_abort(c(sprintf("The baseline has no %s `%s`.", k[[1]], k[[2]]),
                 sprintf("Its %ss are %s.", k[[1]], class_list(k[[3]])),
                 sprintf("Give `%s` one of them.", k[[1]])), call = call)
    }
  }
  corrected <- isTRUE(base$settings$correct_prior) && "corrected" %in% names(m) && any(m$corrected)
  list(sampler = sampler, learner = learner, corrected = corrected,
       how = if (length(how)) paste("default", paste(how, collapse = " and ")) else "as given")
}

monitor_threshold <- function(threshold, base, row, call) {
  if (!is.null(threshold)) {
    ok <- is.numeric(threshold) && length(threshold) == 1 && !is.na(threshold) &&
      threshold > 0 && threshold < 1
    if (!ok) {
      sg_abort(c("`threshold` must be NULL (the baseline's) or one number in (0, 1).",
                 sprintf("It is %s.", describe(threshold))), call = call)
    }
    return(list(value = as.double(threshold), source = "given"))
  }
  t <- base$thresholds
  if (is.data.frame(t) && nrow(t) > 0) {
    t <- t[as.character(t$sampler) == row$sampler & as.character(t$learner) == row$learner, ,
           drop = FALSE]
    held <- t$threshold[t$rep == 0]
    if (length(held) > 0 && !is.na(held[1])) {
      return(list(value = as.double(held[1]), source = "the baseline's holdout threshold"))
    }
    folds <- t$threshold[t$rep > 0]
    if (length(folds) > 0 && any(!is.na(folds))) {
      return(list(value = stats::median(folds, na.rm = TRUE),
                  source = "the median of the baseline's fold thresholds"))
    }
  }
  sg_abort(c("The baseline holds no threshold for this sampler and learner.",
             "Give one with `threshold = `, e.g. the share of events in the training data."),
           call = call)
}

# ---------------------------------------------------------------------------
# The batch, the baseline's spread and the alert

monitor_values <- function(y, p, threshold) {
  cal <- metric_calibration(y, p)
  c(pr_auc = as.double(metric_pr_auc(y, p)),
    recall = metric_threshold(y, p, threshold)$recall,
    brier = metric_brier(y, p),
    cal_intercept = cal$intercept, cal_slope = cal$slope)
}

monitor_batch <- function(y, p, threshold, B, seed) {
  # the notes come from the full metrics on the batch
  full <- eval_metrics(y, p, threshold)
  notes <- attr(full, "notes")
  bt <- bootstrap_metric(y, p, function(y, p) monitor_values(y, p, threshold), B = B,
                         seed = seed, strata = FALSE)
  bt$note <- vapply(bt$metric, function(m) if (m %in% names(notes)) notes[[m]] else "", "")
  bt$note[is.na(bt$estimate) & bt$note == ""] <- "could not be computed on this batch"
  bt
}

monitor_spread <- function(metrics, row) {
  m <- metrics[metrics$rep > 0 & as.character(metrics$sampler) == row$sampler &
                 as.character(metrics$learner) == row$learner, , drop = FALSE]
  if ("corrected" %in% names(m)) m <- m[m$corrected == row$corrected, , drop = FALSE]
  rows <- lapply(monitor_metrics, function(metric) {
    v <- m$value[m$metric == metric]
    v <- v[!is.na(v)]
    data.frame(metric = metric,
               base_mean = if (length(v)) mean(v) else NA_real_,
               base_sd = if (length(v) > 1) stats::sd(v) else NA_real_,
               base_min = if (length(v)) min(v) else NA_real_,
               base_max = if (length(v)) max(v) else NA_real_,
               base_folds = length(v), stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

# The rule of ?sg_monitor, "The alert rule".
monitor_alert <- function(t) {
  low <- t$harmful %in% c("lower", "both")
  high <- t$harmful %in% c("higher", "both")
  act <- (low & t$upper < t$base_min) | (high & t$lower > t$base_max)
  watch <- (low & t$upper < t$base_mean) | (high & t$lower > t$base_mean)
  out <- ifelse(!is.na(act) & act, "act", ifelse(!is.na(watch) & watch, "watch", "ok"))
  out[is.na(t$estimate) | is.na(t$lower) | is.na(t$upper) | t$base_folds < 2] <- NA_character_
  out
}

# ---------------------------------------------------------------------------
# Methods

#' @export
print.sg_monitor <- function(x, ...) {
  cat(sprintf("<smoteguard monitor>%s batch of %d rows, %d event(s) (`%s`)\n",
              if (!is.na(x$label)) paste0(" ", x$label, ":") else "", x$n, x$events, x$positive))
  cat(sprintf("baseline: sampler `%s` x learner `%s` (%s), %s metrics over %d fold(s)\n",
              x$sampler, x$learner, x$row_choice,
              if (x$corrected) "prior-corrected" else "raw", max(x$table$base_folds)))
  cat(sprintf("threshold for recall: %s (%s)\n", format(x$threshold, digits = 4), x$threshold_source))
  t <- x$table
  f <- function(v) ifelse(is.na(v), "NA", formatC(v, digits = 3, format = "f"))
  shown <- data.frame(metric = t$metric,
                      batch = sprintf("%s [%s, %s]", f(t$estimate), f(t$lower), f(t$upper)),
                      `fold mean (sd)` = sprintf("%s (%s)", f(t$base_mean), f(t$base_sd)),
                      `fold range` = sprintf("%s to %s", f(t$base_min), f(t$base_max)),
                      alert = ifelse(is.na(t$alert), "NA", t$alert),
                      check.names = FALSE)
  print(shown, row.names = FALSE)
  noted <- t$note != ""
  if (any(noted)) {
    cat("notes:\n")
    cat(sprintf("  %s: %s\n", t$metric[noted], t$note[noted]), sep = "")
  }
  cat(sprintf("harmful: lower pr_auc and recall, higher brier, calibration either way\nact: the batch's 95%% interval (%d resamples) beyond the fold range; watch: beyond the fold mean\n",
              x$B))
  if (inherits(x$drift, "sg_drift")) {
    fl <- drift_flagged(x$drift)
    cat(sprintf("drift: %d of %d feature(s) flagged%s\n", nrow(fl), nrow(x$drift$table),
                if (nrow(fl)) paste0(", largest shift first: ", paste0("`", fl$feature, "`", collapse = ", ")) else ""))
  }
  invisible(x)
}

#' @export
as.data.frame.sg_monitor <- function(x, ...) {
  cbind(label = x$label, time = x$time, n = x$n, events = x$events, sampler = x$sampler,
        learner = x$learner, threshold = x$threshold, x$table, stringsAsFactors = FALSE)
}

#' @export
plot.sg_monitor <- function(x, ...) sg_monitor_plot(x, ...)

#' A sequence of monitoring checks over time
#'
#' One panel per metric: each batch's estimate with its bootstrap interval,
#' coloured by its alert (grey ok, orange watch, red act, hollow `NA`), in
#' front of its baseline's fold range (grey band) and fold mean -/+ 2 SD
#' (dashed).
#'
#' @param ... Monitoring checks: [sg_monitor()] results, lists of them, or
#'   data frames read by [sg_ledger_read()] (their entries of kind
#'   `"monitor"` are used, the others ignored).
#' @param metrics The metrics to show.
#' @param order `"time"` (the checks' times) or `"given"` (the order given).
#' @return The checks plotted (a list of `sg_monitor`), invisibly.
#' @seealso [sg_monitor()].
#' @examples
#' dev <- breast_biopsy[1:450, ]
#' ev <- sg_evaluate(dev, "diagnosis", samplers = sg_sampler("none"),
#'                   resamples = sg_folds(folds = 2, repeats = 1),
#'                   holdout = 0, seed = 1)
#' fit <- glm(diagnosis ~ ., data = dev, family = binomial)
#' checks <- lapply(1:3, function(i) {
#'   rows <- 450 + (i - 1) * 77 + 1:77
#'   sg_monitor(fit, breast_biopsy[rows, ], "diagnosis", ev, B = 50, seed = i,
#'              label = paste("batch", i))
#' })
#' sg_monitor_plot(checks)
#' @export
sg_monitor_plot <- function(..., metrics = monitor_metrics, order = c("time", "given")) {
  call <- sys.call()
  order <- match.arg(order)
  checks <- monitor_collect(list(...), call)
  if (order == "time") checks <- checks[order(vapply(checks, function(m) as.double(m$time), 0))]
  metrics <- intersect(metrics, monitor_metrics)
  k <- length(checks)
  labels <- vapply(seq_len(k), function(i) {
    if (!is.na(checks[[i]]$label)) checks[[i]]$label else format(checks[[i]]$time, "%Y-%m-%d %H:%M")
  }, "")
  cols <- c(ok = "#7F7F7F", watch = "#E08214", act = "#B2182B")
  old <- graphics::par(mfrow = c(length(metrics), 1), mar = c(2, 4.5, 1.5, 1), oma = c(3, 0, 3, 0))
  on.exit(graphics::par(old))
  for (metric in metrics) {
    rows <- lapply(checks, function(m) m$table[m$table$metric == metric, , drop = FALSE])
    get <- function(f) vapply(rows, function(r) if (nrow(r)) as.double(r[[f]][1]) else NA_real_, 0)
    est <- get("estimate"); lo <- get("lower"); hi <- get("upper")
    bmin <- get("base_min"); bmax <- get("base_max")
    bm <- get("base_mean"); bs <- get("base_sd")
    alert <- vapply(rows, function(r) if (nrow(r)) r$alert[1] else NA_character_, "")
    # the axis fits the estimates and the baseline; an interval far wider
    # (a calibration slope of a nearly separated batch) is cut at the
    # panel's edge with an arrow, instead of squeezing everything else
    ylim <- range(c(est, bmin, bmax, bm - 2 * bs, bm + 2 * bs), na.rm = TRUE, finite = TRUE)
    if (!all(is.finite(ylim))) ylim <- c(0, 1)
    if (diff(ylim) == 0) ylim <- ylim + c(-0.05, 0.05)
    ylim <- range(ylim, pmax(pmin(c(lo, hi), ylim[2] + diff(ylim)), ylim[1] - diff(ylim)),
                  na.rm = TRUE, finite = TRUE)
    # PR-AUC, recall and the Brier score lie in [0, 1]
    if (metric %in% c("pr_auc", "recall", "brier")) ylim <- c(max(0, ylim[1]), min(1, ylim[2]))
    graphics::plot(NA, xlim = c(0.5, k + 0.5), ylim = ylim, xaxt = "n", xlab = "",
                   ylab = monitor_metric_label[[metric]])
    graphics::rect(seq_len(k) - 0.4, bmin, seq_len(k) + 0.4, bmax, col = "#E5E5E5", border = NA)
    graphics::segments(seq_len(k) - 0.4, bm - 2 * bs, seq_len(k) + 0.4, bm - 2 * bs, lty = 2)
    graphics::segments(seq_len(k) - 0.4, bm + 2 * bs, seq_len(k) + 0.4, bm + 2 * bs, lty = 2)
    col <- ifelse(is.na(alert), "#404040", cols[alert])
    ok <- !is.na(lo) & !is.na(hi)
    lo_in <- pmax(lo, ylim[1])
    hi_in <- pmin(hi, ylim[2])
    graphics::segments(seq_len(k)[ok], lo_in[ok], seq_len(k)[ok], hi_in[ok], col = col[ok], lwd = 2)
    for (i in which(ok & (hi > ylim[2] | lo < ylim[1]))) {
      if (hi[i] > ylim[2]) graphics::arrows(i, ylim[2] - 0.1 * diff(ylim), i, ylim[2], length = 0.08, col = col[i], lwd = 2)
      if (lo[i] < ylim[1]) graphics::arrows(i, ylim[1] + 0.1 * diff(ylim), i, ylim[1], length = 0.08, col = col[i], lwd = 2)
    }
    graphics::points(seq_len(k), est, pch = ifelse(is.na(alert), 1, 19), col = col)
    if (k > 1) graphics::lines(seq_len(k), est, col = "#404040", lty = 3)
    graphics::axis(1, at = seq_len(k), labels = labels)
  }
  graphics::mtext("Each batch: estimate and 95% interval (grey ok, orange watch, red act; arrow: interval goes on)\nagainst the validation's fold range (grey band) and fold mean -/+ 2 SD (dashed)",
                  side = 3, outer = TRUE, cex = 0.8, line = 0)
  invisible(checks)
}

# sg_monitor objects from what sg_monitor_plot() is given.
monitor_collect <- function(items, call) {
  out <- list()
  for (x in items) {
    if (inherits(x, "sg_monitor")) {
      out[[length(out) + 1]] <- x
    } else if (is.data.frame(x) && all(c("kind", "entry") %in% names(x))) {
      for (i in which(x$kind == "monitor")) {
        out[[length(out) + 1]] <- structure(x$entry[[i]]$monitor, class = "sg_monitor")
      }
    } else if (is.list(x) && !is.data.frame(x) && !is.object(x)) {
      out <- c(out, monitor_collect(x, call))
    } else {
      sg_abort(c("`...` must hold results of `sg_monitor()`, lists of them, or ledgers read by `sg_ledger_read()`.",
                 sprintf("One of them is %s.", describe(x))), call = call)
    }
  }
  if (length(out) == 0) {
    sg_abort(c("There is no monitoring check to plot.",
               "Pass results of `sg_monitor()`, or a ledger read by `sg_ledger_read()` that has entries of kind \"monitor\"."),
             call = call)
  }
  out
}
