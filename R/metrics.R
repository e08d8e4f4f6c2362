# Metrics of a binary risk model: ranking (PR-AUC, ROC-AUC), accuracy of
# the risks (Brier, scaled Brier, log-loss), calibration (intercept, slope,
# ICI), classification at a threshold, and net benefit. sg_evaluate() and
# sg_monitor() call eval_metrics() per fold or batch; sg_metrics() is the
# user's door.
#
# Internal conventions: `y` is logical or 0/1 (TRUE / 1 the positive class),
# `p` the predicted probability of the positive class in [0, 1], both
# checked by the caller (sg_metrics() checks them for users). A metric that
# cannot be computed on the data given (one class absent, too few rows,
# a fit that failed) is NA with an attribute "note" saying why; never an
# error, so that one fold or batch without events does not stop an
# evaluation.

# NA carrying the reason.
na_note <- function(note) structure(NA_real_, note = note)

one_class_note <- function(y) {
  n_pos <- sum(y)
  if (n_pos == 0) return("no positive case (every outcome is negative)")
  if (n_pos == length(y)) return("no negative case (every outcome is positive)")
  NULL
}

# ---------------------------------------------------------------------------
# Ranking

# Average precision, the step-wise area under the precision-recall curve:
# AP = sum_k (R_k - R_{k-1}) P_k over the distinct scores taken as
# thresholds from the highest down, with P_k and R_k the precision and recall
# when every row scoring at least the k-th distinct score is called positive.
# Tied scores are one threshold: the positives among them enter together,
# at the precision of the whole tied group (scikit-learn's
# average_precision_score does the same; it is not the "interpolated" AP,
# nor the trapezoid under the PR curve). Without ties this is the mean, over
# the positives, of the precision at each positive's rank.
metric_pr_auc <- function(y, p) {
  y <- as.logical(y)
  note <- one_class_note(y)
  if (!is.null(note)) return(na_note(note))
  o <- order(p, decreasing = TRUE)
  ys <- y[o]
  ps <- p[o]
  tp <- cumsum(ys)
  fp <- cumsum(!ys)
  # the last row of each run of equal scores closes its threshold
  last <- c(ps[-1] != ps[-length(ps)], TRUE)
  tp <- tp[last]
  fp <- fp[last]
  precision <- tp / (tp + fp)
  recall <- tp / tp[length(tp)]
  sum(diff(c(0, recall)) * precision)
}

# Area under the ROC curve as the Mann-Whitney statistic: the share of
# (positive, negative) pairs in which the positive scores higher, a tie
# counting 1/2 (the same as the trapezoid under the empirical ROC curve).
metric_roc_auc <- function(y, p) {
  y <- as.logical(y)
  note <- one_class_note(y)
  if (!is.null(note)) return(na_note(note))
  # doubles: n_pos * n_neg passes .Machine$integer.max from ~46,000 rows
  n_pos <- as.double(sum(y))
  n_neg <- length(y) - n_pos
  r <- rank(p, ties.method = "average")
  (sum(r[y]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
}

# ---------------------------------------------------------------------------
# Accuracy of the risks

metric_brier <- function(y, p) mean((p - as.double(y))^2)

# The scaled Brier score (1 - Brier / Brier of predicting the prevalence for
# everyone; NA without a class) and the log-loss (mean negative
# log-likelihood, the risks clamped to [1e-15, 1 - 1e-15]) are computed by
# ffi_score_risks() alone; their plain-R references are in the tests
# (helper-reference-metrics.R).

# ---------------------------------------------------------------------------
# Calibration

# Calibration-in-the-large and the calibration slope (Cox 1958; Van Calster
# et al. 2019): with lp = qlogis(p),
#   intercept: a in glm(y ~ offset(lp), binomial) (0 when the mean risk is
#              right; negative when risks are too high),
#   slope:     b in glm(y ~ lp, binomial) (1 when risks are neither too
#              extreme, b < 1, nor too modest, b > 1).
# p is clamped to [eps, 1 - eps] first, so 0 and 1 give finite log-odds.
# Returns list(intercept, slope) with an attribute "note" when a value is NA
# or the fit did not converge (e.g. a model that separates the classes).
metric_calibration <- function(y, p, eps = 1e-8) {
  y <- as.double(as.logical(y))
  note <- one_class_note(y == 1)
  if (!is.null(note)) {
    return(structure(list(intercept = NA_real_, slope = NA_real_), note = note))
  }
  lp <- stats::qlogis(pmin(pmax(p, eps), 1 - eps))
  notes <- character()
  fit <- function(x, offset) {
    f <- logit_fit(x, y, offset)
    if (is.null(f)) {
      f <- withCallingHandlers(
        stats::glm.fit(x, y, offset = offset, family = stats::binomial()),
        warning = function(cnd) invokeRestart("muffleWarning"))
    }
    if (!f$converged) notes <<- c(notes, "the logistic fit did not converge")
    f$coefficients
  }
  n <- length(y)
  intercept <- unname(fit(matrix(1, n, 1), lp)[1])
  slope <- NA_real_
  if (length(unique(lp)) < 2) {
    notes <- c(notes, "every prediction is the same: the slope is undefined")
  } else {
    slope <- unname(fit(cbind(1, lp), NULL)[2])
  }
  res <- list(intercept = intercept, slope = slope)
  if (length(notes)) attr(res, "note") <- paste(unique(notes), collapse = "; ")
  res
}

# glm.fit()'s iterations for a logistic regression with unit weights
# (family binomial, logit link), without its set-up and summaries, in C
# (src/calibration.c): the same start, steps (dqrls(), as .lm.fit() and
# glm.fit() call it), convergence rule and iteration limit, so the same
# coefficients to the last bit (the tests check it against the R loop and
# glm.fit(), separated fits included), in a tenth of the R loop's time on a
# fold's rows. NULL where glm.fit() would halve a step (non-finite deviance
# or coefficients): the caller then calls glm.fit().
logit_fit <- function(x, y, offset = NULL) {
  .Call(ffi_logit_fit, x, as.double(y), if (!is.null(offset)) as.double(offset))
}

# Integrated calibration index (Austin and Steyerberg 2019): the mean
# absolute difference between the predicted risk and the observed risk
# smoothed over the predictions, mean(|p - s(p)|), with s the loess of y on
# p at R's defaults as the paper uses them (stats::loess, span 0.75, degree
# 2, gaussian family, no robustness iterations). The smoothed values are not
# clamped to [0, 1]. NA with a note below 20 rows, with one class, or when
# the smoother fails (e.g. too few distinct predictions). `smoothed`: the
# smooth when the caller made it (ici_smooths()), as a list of one (NULL
# for a smoother that failed).
metric_ici <- function(y, p, n_pos = NULL, smoothed = NULL) {
  y <- as.logical(y)
  note <- ici_input_note(y, n_pos)
  if (!is.null(note)) return(na_note(note))
  p <- as.double(p)
  smooth <- if (is.null(smoothed)) ici_smooth(y, p) else smoothed[[1]]
  if (is.null(smooth) || !all(is.finite(smooth))) {
    return(na_note("the loess calibration smoother failed (too few distinct predictions?)"))
  }
  mean(abs(p - smooth))
}

# Why the ICI of outcomes `y` is NA whatever the predictions (too few rows,
# one class), or NULL when it has a value. `n_pos`: the count of
# positives, when the caller has it.
ici_input_note <- function(y, n_pos = NULL) {
  if (length(y) < 20) {
    return(sprintf("%d rows: the calibration smoother needs at least 20", length(y)))
  }
  if (is.null(n_pos) || n_pos == 0 || n_pos == length(y)) one_class_note(y)
}

# The ICI's smooth of y on p (doubles), NULL when the smoother fails: its
# warnings muffled and its errors caught, as tryCatch(suppressWarnings())
# would, with one handler of each made once.
ici_smooth <- function(y, p) {
  tryCatch(withCallingHandlers(loess_smooth()(as.double(y), p), warning = muffle_warning),
           error = null_on_error)
}

# ici_smooth() of each y[[i]] on p[[i]], as a list, with one handler of
# each for them all (an evaluation smooths about a hundred times): when one
# fails, each is smoothed again with its own, so that the others keep
# their smooths.
ici_smooths <- function(y, p) {
  smooth <- loess_smooth()
  all <- tryCatch(withCallingHandlers(
    lapply(seq_along(y), function(i) smooth(as.double(y[[i]]), p[[i]])),
    warning = muffle_warning), error = null_on_error)
  all %||% lapply(seq_along(y), function(i) ici_smooth(y[[i]], p[[i]]))
}

# The ICI's smooth at the rows themselves: the fitted values of
#   stats::loess(y ~ p, span = 0.75, degree = 2, family = "gaussian",
#                control = loess.control(trace.hat = "approximate"))
# (the exact trace of the hat matrix costs O(n^2) and is not used by the
# fitted values, identical either way: 200,000 rows took minutes). The
# fitted values are the surface at the rows, the same numbers as predict()
# there. loess() spends nine tenths of its time on a small fold building the
# model frame and the object around the fit, which the evaluation does a
# hundred times per call; stats' fitting function, which loess() calls with
# these arguments, is called directly when it is there with the arguments
# it has had since R 3.x and gives loess()'s numbers to the bit on a fixed
# check (made once per session); otherwise loess() itself. It is called
# without the fit's statistics (`statistics = "none"`: the hat matrix's
# trace and the residuals' degrees of freedom, which the fitted values do
# not use; the surface at the rows is the same); test-metrics.R compares it
# with loess() on 300 random cases. (stats' C routine itself is not called:
# it is not part of any package's interface.)
loess_smooth <- local({
  smooth <- NULL
  function() {
    if (is.null(smooth)) smooth <<- choose_loess_smooth()
    smooth
  }
})

loess_public <- function(y, p) {
  d <- data.frame(y = y, p = p)
  unname(stats::fitted(stats::loess(
    y ~ p, data = d, span = 0.75, degree = 2, family = "gaussian",
    control = stats::loess.control(trace.hat = "approximate"))))
}

muffle_warning <- function(cnd) invokeRestart("muffleWarning")
null_on_error <- function(cnd) NULL

choose_loess_smooth <- function() {
  candidate <- loess_simple_call()
  if (!is.null(candidate) && loess_check(candidate)) candidate else loess_public
}

# stats' simpleLoess() called with the arguments loess() passes for one
# predictor at the settings above, without the statistics; NULL when its
# arguments are not the ones it has had since R 3.x.
loess_simple_call <- function() {
  fit <- get0("simpleLoess", envir = asNamespace("stats"), inherits = FALSE)
  expected <- c("y", "x", "weights", "span", "degree", "parametric", "drop.square",
                "normalize", "statistics", "surface", "cell", "iterations", "iterTrace",
                "trace.hat")
  if (!is.function(fit) || !identical(names(formals(fit)), expected)) return(NULL)
  # (the predictor as a vector: simpleLoess() makes it its one-column
  # matrix, which loess() passes with the column's name, only to take that
  # column out again; the fitted values carry no names)
  function(y, p) {
    fit(y, p, rep_len(1, length(y)), 0.75, 2, c(p = FALSE), c(p = FALSE), TRUE,
        "none", "interpolate", 0.2, 1, FALSE, "approximate")$fitted
  }
}

# A fixed check with ties, a boundary and a skewed spread of risks: TRUE
# when `smooth` gives loess()'s fitted values to the bit.
loess_check <- function(smooth) {
  p <- c(0.001, 0.01, 0.01, 0.02, 0.05, 0.05, 0.05, 0.1, 0.12, 0.2, 0.25, 0.3, 0.3, 0.42,
         0.5, 0.55, 0.61, 0.7, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 0.999, 1, 0.33, 0.07,
         0.66)
  y <- as.double(c(0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1,
                   1, 1, 1, 1, 0, 0, 1))
  isTRUE(tryCatch(identical(smooth(y, p), loess_public(y, p)), error = function(cnd) FALSE))
}

# ---------------------------------------------------------------------------
# Classification at thresholds

# Confusion counts when rows with p >= t are called positive, for each t in
# `thresholds` (doubles, so products do not overflow).
confusion_counts <- function(y, p, thresholds) {
  y <- as.logical(y)
  o <- order(p)
  ps <- p[o]
  pos_below <- c(0, cumsum(y[o]))          # positives among the i lowest
  below <- findInterval(thresholds, ps, left.open = TRUE)  # rows with p < t
  n_pos <- sum(y)
  n_neg <- length(y) - n_pos
  fn <- pos_below[below + 1]
  tn <- below - fn
  list(tp = as.double(n_pos - fn), fp = as.double(n_neg - tn),
       tn = as.double(tn), fn = as.double(fn))
}

# (ifelse()'s numbers, without its cost: a third of a cell's threshold
# metrics)
ratio_or_na <- function(num, den) {
  r <- num / den
  r[!(den > 0)] <- NA_real_
  r
}

# data.frame(...) for unnamed columns of one length, without its checks.
fast_data_frame <- function(...) {
  cols <- list(...)
  structure(cols, class = "data.frame", row.names = .set_row_names(length(cols[[1]])))
}

# One row per threshold: the counts and recall (sensitivity), precision
# (positive predictive value), F1, specificity, balanced accuracy and the
# Matthews correlation coefficient. A ratio whose denominator is 0 is NA
# (precision when nothing is called positive, recall without positives,
# specificity without negatives, MCC when a row or column of the table is
# empty). F1 is 2 TP / (2 TP + FP + FN): 0 when positives exist and none is
# found, NA only when there are no positives and none is called.
metric_threshold <- function(y, p, threshold) {
  rates <- threshold_rates(confusion_counts(y, p, threshold))
  # equal-length columns: the data frame made directly (data.frame()'s
  # checks were a third of the evaluation's scoring on small folds)
  make <- if (is.null(names(threshold))) fast_data_frame else data.frame
  do.call(make, c(list(threshold = threshold), rates))
}

# metric_threshold()'s columns but the threshold, from confusion counts
# (one threshold or many), as a list.
threshold_rates <- function(k) {
  tp <- k$tp; fp <- k$fp; tn <- k$tn; fn <- k$fn
  recall <- ratio_or_na(tp, tp + fn)
  specificity <- ratio_or_na(tn, tn + fp)
  mcc_den <- sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
  list(
    recall = recall,
    precision = ratio_or_na(tp, tp + fp),
    f1 = ratio_or_na(2 * tp, 2 * tp + fp + fn),
    specificity = specificity,
    balanced_accuracy = (recall + specificity) / 2,
    mcc = ratio_or_na(tp * tn - fp * fn, mcc_den),
    tp = tp, fp = fp, tn = tn, fn = fn
  )
}

# metric_threshold() at one threshold as a list, without sorting: the
# counts are whole numbers, so they and every rate are the same numbers.
threshold_at <- function(y, p, threshold) {
  y <- as.logical(y)
  if (length(threshold) != 1 || is.na(threshold)) {
    return(threshold_rates(confusion_counts(y, p, threshold)))
  }
  called <- p >= threshold
  n_pos <- sum(y)
  tp <- sum(called & y)
  fp <- sum(called) - tp
  threshold_rates(list(tp = as.double(tp), fp = as.double(fp),
                       tn = as.double(length(y) - n_pos - fp),
                       fn = as.double(n_pos - tp)))
}

# Decision curve (Vickers and Elkin 2006): at threshold probability t the
# net benefit of treating rows with p >= t is TP/n - FP/n * t / (1 - t);
# treating everyone gives prev - (1 - prev) t / (1 - t), no one 0.
# Thresholds must lie in [0, 1).
metric_net_benefit <- function(y, p, thresholds) {
  y <- as.logical(y)
  n <- length(y)
  prev <- mean(y)
  k <- confusion_counts(y, p, thresholds)
  odds <- thresholds / (1 - thresholds)
  # unnamed thresholds (the decision curves'): the data frame made directly
  make <- if (is.null(names(thresholds))) fast_data_frame else data.frame
  make(
    threshold = thresholds,
    net_benefit = k$tp / n - k$fp / n * odds,
    treat_all = prev - (1 - prev) * odds,
    treat_none = rep(0, length(thresholds))
  )
}

# The largest threshold t whose recall (p >= t) is at least `target`, to
# compare models at the same sensitivity: the k-th highest score among the
# positives, k = ceiling(target * n_pos) (ties among the positives can
# lift the recall at that t above the target). NA with a note without
# positives.
threshold_matched_sensitivity <- function(y, p, target) {
  y <- as.logical(y)
  if (!any(y)) return(na_note("no positive case: recall is undefined"))
  matched_thresholds(y, p, rep.int(1L, length(y)), target)
}

# threshold_matched_sensitivity() of several sets of rows at once (the
# evaluation's cells: `set` numbers each row's set, `target` one per set):
# the k-th highest score among a set's positives is its (n - k + 1)-th
# lowest, read from one sort of every set's positives. NA (without a note)
# for a set without positives or with a missing target.
matched_thresholds <- function(y, p, set, target) {
  n_sets <- length(target)
  pos_set <- set[y]
  pos_p <- p[y]
  n <- tabulate(pos_set, n_sets)
  # the tolerance keeps 0.3 * 10 (3.0000000000000004) from asking for 4
  k <- ceiling(target * n - sqrt(.Machine$double.eps))
  at <- n - pmin(pmax(k, 1), n) + 1
  first <- c(0L, cumsum(n))[seq_len(n_sets)]
  t <- pos_p[order(pos_set, pos_p)][first + at]
  t[n == 0 | is.na(target)] <- NA_real_
  t
}

# threshold_at()'s rates for several sets of rows at once (`set` as in
# matched_thresholds()), each at its own threshold (`threshold`, one per
# set; NA gives NA rates): a list of the rates, one value per set.
matched_rates_at <- function(y, p, set, threshold) {
  n_sets <- length(threshold)
  called <- p >= threshold[set]
  n_pos <- tabulate(set[y], n_sets)
  tp <- tabulate(set[called & y], n_sets)
  fp <- tabulate(set[called], n_sets) - tp
  rates <- threshold_rates(list(tp = as.double(tp), fp = as.double(fp),
                                tn = as.double(tabulate(set, n_sets) - n_pos - fp),
                                fn = as.double(n_pos - tp)))
  lapply(rates, function(r) replace(r, is.na(threshold), NA_real_))
}

# ---------------------------------------------------------------------------
# All headline metrics

eval_metric_names <- c("pr_auc", "roc_auc", "brier", "scaled_brier",
                       "log_loss", "cal_intercept", "cal_slope", "ici",
                       "recall", "precision", "f1", "specificity",
                       "balanced_accuracy", "mcc")

# A named numeric vector of the headline metrics in eval_metric_names'
# order, at threshold `threshold` (rows with p >= threshold are called
# positive). Attribute "notes": a character vector named by metric, why
# each NA (or doubtful) value is so; empty when there is nothing to say.
# `ranking`: the PR-AUC and ROC-AUC of the same rows when the caller has
# them (for predictions ranked alike, see same_ranking()), c(pr, roc).
# `smoothed`: the ICI's smooth when the caller made it (see metric_ici()).
# Everything but the ICI comes from one pass in C (ffi_score_risks(), the
# numbers of metric_pr_auc(), metric_roc_auc(), metric_brier(),
# metric_calibration(), threshold_at() and the tests' references for the
# scaled Brier score and the log-loss, to the bit): the evaluation scores
# each of its cells' predictions here, and the R functions' calls cost more
# than their sums.
# Missing values: every caller checks its outcome and predictions at the
# door (sg_metrics(), sg_monitor(), a learner's output in sg_evaluate()),
# so a missing value here is the package's own mistake, not a score of NA:
# a classed error says so rather than a number that hides it.
eval_metrics <- function(y, p, threshold = mean(y), ranking = NULL, smoothed = NULL) {
  y <- as.logical(y)
  p <- as.double(p)
  if (anyNA(y) || anyNA(p)) stop_missing_scores(y, p)
  sc <- .Call(ffi_score_risks, y, p, as.double(threshold)[1], ranking)
  # ffi_score_risks()'s order: the headline metrics (the ICI's place NA),
  # then the calibration's state bits, the counts tp, fp, tn, fn and n_pos
  out <- sc[seq_along(eval_metric_names)]
  names(out) <- eval_metric_names
  state <- sc[[15L]]
  n_pos <- sc[[20L]]
  notes <- character()
  if (n_pos == 0 || n_pos == length(y)) {
    notes[c("pr_auc", "roc_auc", "scaled_brier", "cal_intercept", "cal_slope")] <-
      one_class_note(y)
  } else if (state > 0) {
    cal_note <- if (bitwAnd(state, 1L)) {
      # a fit glm.fit() makes (a step the C loop would not take)
      cal <- metric_calibration(y, p)
      out[c("cal_intercept", "cal_slope")] <- c(cal$intercept, cal$slope)
      attr(cal, "note")
    } else {
      paste(c(if (bitwAnd(state, 2L)) "the logistic fit did not converge",
              if (bitwAnd(state, 4L)) "every prediction is the same: the slope is undefined"),
            collapse = "; ")
    }
    if (!is.null(cal_note)) notes[c("cal_intercept", "cal_slope")] <- cal_note
  }
  ici <- metric_ici(y, p, n_pos, smoothed)
  out[["ici"]] <- as.double(ici)
  if (!is.null(attr(ici, "note"))) notes[["ici"]] <- attr(ici, "note")
  if (anyNA(out[threshold_metric_names])) {
    at <- list(tp = sc[[16L]], fp = sc[[17L]], tn = sc[[18L]], fn = sc[[19L]])
    for (m in threshold_metric_names) {
      if (is.na(out[[m]])) notes[[m]] <- threshold_na_note(m, at, threshold)
    }
  }
  attr(out, "notes") <- notes
  out
}

stop_missing_scores <- function(y, p) {
  sg_abort(c("Predictions with missing values cannot be scored.",
             sprintf("The outcome has %d missing value(s), the predictions %d.",
                     sum(is.na(y)), sum(is.na(p))),
             "Drop or impute those rows before scoring them."),
           class = "input")
}

threshold_metric_names <- c("recall", "precision", "f1", "specificity",
                            "balanced_accuracy", "mcc")

# TRUE when q orders the rows as p does, with the same ties (q a
# non-decreasing function of p that merges no two values, such as the prior
# correction, which can merge risks that round to the same number): then
# PR-AUC and ROC-AUC of q are those of p to the bit (the same tie groups,
# the same sums in the same order), so they are computed once. In C: sorted
# by p, q rises between tie groups and is one value within each.
same_ranking <- function(p, q) {
  .Call(ffi_same_ranking, as.double(p), as.double(q))
}

# Every headline metric of a cell's predictions, raw and (with the prior
# correction) corrected, ranking metrics computed once when the correction
# keeps the ranking. list(raw, corrected), each as eval_metrics() gives it.
# `smoothed`: NULL, or the ICI's smooths the caller made, list(raw,
# corrected), each as metric_ici() takes it (or NULL).
score_predictions <- function(y, p, p_corrected, threshold, correct_prior, smoothed = NULL) {
  y <- as.logical(y)
  raw <- eval_metrics(y, p, threshold, smoothed = smoothed$raw)
  corrected <- if (!correct_prior) NULL
               else if (identical(p, p_corrected)) raw
               else eval_metrics(y, p_corrected, threshold,
                                 if (same_ranking(p, p_corrected)) unname(raw[1:2]),
                                 smoothed$corrected)
  list(raw = raw, corrected = corrected)
}

threshold_na_note <- function(metric, at, threshold) {
  if (is.na(threshold)) return("no threshold")
  no_pos <- at$tp + at$fn == 0
  no_neg <- at$tn + at$fp == 0
  none_called <- at$tp + at$fp == 0
  all_called <- at$tn + at$fn == 0
  reasons <- c(
    if (no_pos) "no positive case",
    if (no_neg) "no negative case",
    if (none_called && metric %in% c("precision", "mcc"))
      sprintf("no row has p >= %s", format(threshold)),
    if (all_called && metric == "mcc")
      sprintf("every row has p >= %s", format(threshold)))
  paste(reasons, collapse = "; ")
}

# ---------------------------------------------------------------------------
# Bootstrap intervals

# Percentile interval of fun(y, p) over B resamples of the rows, drawn with
# replacement within each class (so every resample keeps the class counts
# and a rare class never vanishes from one). `fun` returns one number or a
# named vector (e.g. eval_metrics). With `seed`, the caller's random stream
# is left as it was. Returns a data frame: metric, estimate (on the data
# given), lower, upper, and valid (resamples where the metric was not NA).
# strata = FALSE resamples the rows as a whole: the class shares vary as
# they would between batches, which a metric of the event rate itself
# (calibration-in-the-large) needs.
bootstrap_metric <- function(y, p, fun, B = 200, seed = NULL, level = 0.95, strata = TRUE) {
  y <- as.logical(y)
  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  estimate <- fun(y, p)
  pos <- which(y)
  neg <- which(!y)
  draws <- vapply(seq_len(B), function(b) {
    i <- if (!strata) sample.int(length(y), length(y), replace = TRUE)
         else c(pos[sample.int(length(pos), length(pos), replace = TRUE)],
                neg[sample.int(length(neg), length(neg), replace = TRUE)])
    as.double(fun(y[i], p[i]))
  }, numeric(length(estimate)))
  draws <- matrix(draws, nrow = length(estimate))
  alpha <- (1 - level) / 2
  q <- function(v, prob) {
    v <- v[!is.na(v)]
    if (!length(v)) NA_real_ else unname(stats::quantile(v, prob, type = 7))
  }
  data.frame(
    metric = names(estimate) %||% "value",
    estimate = as.double(estimate),
    lower = apply(draws, 1, q, prob = alpha),
    upper = apply(draws, 1, q, prob = 1 - alpha),
    valid = rowSums(!is.na(draws)),
    row.names = NULL
  )
}

# ---------------------------------------------------------------------------
# The user's door

#' Performance metrics of predicted risks
#'
#' `sg_metrics()` scores predicted probabilities of a two-class outcome with
#' the metrics the evaluation reports per fold: how well they rank, how
#' accurate and how well calibrated the risks are, and how the model
#' classifies at a threshold.
#'
#' * `pr_auc`: average precision, the step-wise area under the
#'   precision-recall curve: over the distinct predictions taken as
#'   thresholds from the highest down, the sum of each step in recall times
#'   the precision there. Tied predictions form one step (their positives
#'   enter together, at the precision of the whole tied group), as in
#'   scikit-learn's `average_precision_score()`; not interpolated, not a
#'   trapezoid.
#' * `roc_auc`: area under the ROC curve, the share of (positive, negative)
#'   pairs in which the positive has the higher prediction, ties counting
#'   one half (Mann-Whitney).
#' * `brier`: mean squared difference between the prediction and the
#'   outcome (1 / 0); `scaled_brier`: `1 - brier / (prev * (1 - prev))`,
#'   `prev` the observed prevalence (1 is perfect, 0 no better than
#'   predicting the prevalence for everyone).
#' * `log_loss`: mean negative log-likelihood (natural logarithm),
#'   predictions clamped to `[1e-15, 1 - 1e-15]`.
#' * `cal_intercept`: calibration-in-the-large, the intercept of a logistic
#'   regression of the outcome with the predictions' log-odds as offset (0
#'   when the average risk is right, below 0 when risks are too high);
#'   `cal_slope`: the coefficient of the log-odds in a logistic regression
#'   of the outcome on them (1 ideal; below 1, risks too extreme). The
#'   predictions are clamped to `[1e-8, 1 - 1e-8]` before the log-odds.
#' * `ici`: integrated calibration index (Austin and Steyerberg 2019), the
#'   mean absolute difference between the predictions and the observed risk
#'   smoothed over them by [stats::loess()] at its defaults (span 0.75,
#'   degree 2), as in the paper; NA below 20 rows.
#' * At the threshold (a row is called positive when its prediction is at
#'   least `threshold`): `recall` (sensitivity), `precision` (positive
#'   predictive value), `f1` (`2 TP / (2 TP + FP + FN)`), `specificity`,
#'   `balanced_accuracy` (mean of recall and specificity) and `mcc`
#'   (Matthews correlation coefficient). A ratio with a zero denominator is
#'   NA (e.g. precision when no row is called positive).
#'
#' A metric that cannot be computed on these data (most need both classes;
#' the ICI needs 20 rows) is NA, and the attribute `"notes"` of the result
#' says why: one batch or fold without events never stops the caller.
#'
#' @param truth The observed outcome: a factor or character vector with two
#'   classes, a logical vector, or a numeric vector of 0 and 1. No missing
#'   values.
#' @param prob The predicted probability of the `positive` class for each
#'   row: numbers in `[0, 1]`, no missing values, as long as `truth`.
#' @param threshold The risk from which a row is called positive, a number
#'   in `[0, 1]`. By default the observed prevalence (the share of
#'   positives in `truth`).
#' @param positive The positive class: the class `prob` is the probability
#'   of. By default the second level of a factor (the class whose
#'   probability `glm(family = binomial)` predicts), `TRUE` for a logical
#'   and `1` for a 0/1 `truth`. Required for a character `truth`: its class
#'   is never guessed from the order of the values.
#' @return A data frame with columns `metric` and `value`, one row per
#'   metric in the order above, with the attributes `"notes"` (a character
#'   vector named by metric: why a value is NA or doubtful; empty when all
#'   is well), `"threshold"` and `"positive"`.
#' @references
#' Austin, P. C. and Steyerberg, E. W. (2019). The Integrated Calibration
#' Index (ICI) and related metrics for quantifying the calibration of
#' logistic regression models. *Statistics in Medicine*, 38, 4051-4065.
#'
#' Van Calster, B., McLernon, D. J., van Smeden, M., Wynants, L. and
#' Steyerberg, E. W. (2019). Calibration: the Achilles heel of predictive
#' analytics. *BMC Medicine*, 17, 230.
#'
#' Vickers, A. J. and Elkin, E. B. (2006). Decision curve analysis: a
#' novel method for evaluating prediction models. *Medical Decision
#' Making*, 26, 565-574.
#' @seealso [sg_correct_prior()] to correct the risks of a model trained on
#'   oversampled data before scoring them.
#' @export
#' @examples
#' # a logistic model, scored on the rows it did not see
#' set.seed(1)
#' test <- sample(nrow(breast_biopsy), 200)
#' fit <- glm(diagnosis ~ cell_size + bare_nuclei + clump_thickness,
#'            data = breast_biopsy[-test, ], family = binomial)
#' risk <- predict(fit, breast_biopsy[test, ], type = "response")
#' # the second level, "malignant", is the positive class
#' sg_metrics(breast_biopsy$diagnosis[test], risk)
#'
#' # at a threshold of your choice, naming the positive class
#' sg_metrics(as.character(breast_biopsy$diagnosis[test]), risk,
#'            threshold = 0.2, positive = "malignant")
sg_metrics <- function(truth, prob, threshold = NULL, positive = NULL) {
  call <- sys.call()
  y <- metrics_truth(truth, positive, call = call)
  check_metric_prob(prob, length(y), call = call)
  if (is.null(threshold)) {
    threshold <- mean(y)
  } else {
    ok <- is.numeric(threshold) && length(threshold) == 1 &&
      !is.na(threshold) && threshold >= 0 && threshold <= 1
    if (!ok) {
      sg_abort(c("`threshold` must be one number from 0 to 1, or NULL (the observed prevalence).",
                 sprintf("It is %s.", describe(threshold))), call = call)
    }
  }
  values <- eval_metrics(y, as.double(prob), threshold)
  structure(
    data.frame(metric = names(values), value = as.vector(values)),
    notes = attr(values, "notes"),
    threshold = threshold,
    positive = attr(y, "positive")
  )
}

# The outcome as a logical vector (TRUE = positive), the positive class's
# name in attribute "positive".
metrics_truth <- function(truth, positive, call = NULL) {
  if (!(is.factor(truth) || is.character(truth) || is.logical(truth) ||
        is.numeric(truth)) || length(truth) == 0) {
    sg_abort(c("`truth` must be a non-empty factor, character, logical or 0/1 vector.",
               sprintf("It is %s.", describe(truth))), call = call)
  }
  if (anyNA(truth)) {
    bad <- which(is.na(truth))
    sg_abort(c(sprintf("`truth` has %d missing value(s), in row(s) %s.",
                       length(bad), row_list(bad)),
               "Drop those rows from `truth` and `prob` first."), call = call)
  }
  if (is.numeric(truth) && !all(truth %in% c(0, 1))) {
    sg_abort(c("A numeric `truth` must hold only 0 and 1.",
               sprintf("It holds %s.", paste(utils::head(sort(unique(truth)), 5),
                                             collapse = ", ")),
               "Pass a factor instead, and name the positive class with `positive`."),
             call = call)
  }
  classes <- if (is.factor(truth)) levels(truth)
             else if (is.logical(truth)) c("FALSE", "TRUE")
             else if (is.numeric(truth)) c("0", "1")
             else sort(unique(truth))
  if (length(classes) > 2) {
    sg_abort(c(sprintf("`truth` must have two classes; it has %d: %s.",
                       length(classes), paste(utils::head(classes, 6), collapse = ", ")),
               if (is.factor(truth)) "Drop unused levels with `droplevels()`, or score one class against the rest with `truth == \"<class>\"`."
               else "Score one class against the rest with `truth == \"<class>\"`."),
             call = call)
  }
  if (is.null(positive)) {
    if (is.character(truth)) {
      sg_abort(c("`positive` is missing: with a character `truth`, name the class `prob` is the probability of.",
                 sprintf("Classes in `truth`: %s.", paste(classes, collapse = ", ")),
                 sprintf("For example `positive = \"%s\"`.", classes[length(classes)])),
               call = call)
    }
    positive <- classes[length(classes)]
    if (is.factor(truth) && length(classes) < 2) {
      sg_abort(c(sprintf("`truth` is a factor with one level (%s): the positive class cannot be its second level.",
                         classes),
                 "Name the positive class with `positive`, or give the factor both levels."),
               call = call)
    }
  }
  if (!(is.character(positive) || is.numeric(positive) || is.logical(positive)) ||
      length(positive) != 1 || is.na(positive)) {
    sg_abort(c("`positive` must be a single class name.",
               sprintf("It is %s.", describe(positive))), call = call)
  }
  positive <- as.character(positive)
  # a character truth may hold one class only (a batch without events):
  # then the positive class cannot be checked against its values
  one_class_character <- is.character(truth) && length(classes) == 1
  if (!positive %in% classes && !one_class_character) {
    sg_abort(c(sprintf("`positive` is \"%s\", which is not a class of `truth`.", positive),
               sprintf("Classes are: %s.", paste(classes, collapse = ", "))),
             call = call)
  }
  structure(as.character(truth) == positive, positive = positive)
}

check_metric_prob <- function(prob, n, call = NULL) {
  if (!is.numeric(prob) || NCOL(prob) != 1) {
    sg_abort(c("`prob` must be a numeric vector of predicted probabilities.",
               sprintf("It is %s.", describe(prob)),
               "For several classes, pass the column of the positive class."),
             call = call)
  }
  check_predictions(prob, n, "prob", "`truth`", "value", call = call)
}

# Predicted probabilities against the outcomes they predict (sg_metrics(),
# sg_monitor()): one per outcome, none missing, all in [0, 1]. `arg` names
# the probabilities, `of` where the outcomes are and `unit` what one
# outcome is there, for the messages.
check_predictions <- function(prob, n, arg, of, unit, call = NULL) {
  if (length(prob) != n) {
    sg_abort(c(sprintf("`%s` has %d prediction(s) but %s has %d %s(s).", arg, length(prob), of,
                       n, unit),
               sprintf("Pass one predicted probability per %s of %s, in the same order (a model that drops rows with missing values gives fewer).",
                       unit, of)),
             call = call)
  }
  if (anyNA(prob)) {
    bad <- which(is.na(prob))
    sg_abort(c(sprintf("The predictions (`%s`) have %d missing value(s), in row(s) %s.", arg,
                       length(bad), row_list(bad)),
               sprintf("Drop those rows from %s and the predictions, or find why the model gave none.", of)),
             call = call)
  }
  out <- prob < 0 | prob > 1
  if (any(out)) {
    bad <- which(out)
    sg_abort(c(sprintf("The predictions (`%s`) must be probabilities in [0, 1]; %d do not, in row(s) %s (e.g. %s).",
                       arg, length(bad), row_list(bad), format(prob[bad[1]])),
               "Pass probabilities (e.g. `predict(fit, newdata, type = \"response\")`), not log-odds or scores."),
             call = call)
  }
  invisible(prob)
}
