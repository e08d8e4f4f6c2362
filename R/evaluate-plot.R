# plot() of an evaluation: base graphics, one colour per sampler in every
# panel (grey for "none", then colour-blind-safe hues).

#' Plot an evaluation
#'
#' Four views of an [sg_evaluate()] result, for one learner, with one
#' colour per sampler throughout (grey for `"none"`):
#' * `"pr"`: precision-recall curves;
#' * `"calibration"`: observed event share against predicted risk (a loess
#'   smoother of the outcome on the prediction), the diagonal for perfect
#'   calibration, and the distribution of the predictions along the bottom;
#' * `"decision"`: net benefit across threshold probabilities, with treat-all
#'   and treat-none;
#' * `"spread"`: a metric per split and sampler (one point per fold), with
#'   its mean.
#'
#' The curves use the holdout's predictions when there is a holdout, and
#' the first repeat's out-of-fold predictions otherwise; with the prior
#' correction on, the corrected predictions.
#'
#' @param x An evaluation made by [sg_evaluate()].
#' @param type One or more of `"pr"`, `"calibration"`, `"decision"`,
#'   `"spread"`; several are drawn side by side.
#' @param learner The learner to show; by default the first.
#' @param metric For `"spread"`: the metric (e.g. `"pr_auc"`, `"brier"`,
#'   `"cal_slope"`).
#' @param corrected Show the prior-corrected predictions (when the
#'   evaluation made them).
#' @param ... Not used.
#' @return `x`, invisibly.
#' @examples
#' ev <- sg_evaluate(breast_biopsy, "diagnosis",
#'                   resamples = sg_folds(folds = 2, repeats = 1),
#'                   holdout = 0, seed = 1)
#' plot(ev)
#' plot(ev, type = "calibration", corrected = FALSE)
#' @export
plot.sg_evaluation <- function(x, type = c("pr", "calibration", "decision", "spread"),
                               learner = NULL, metric = "pr_auc",
                               corrected = x$settings$correct_prior, ...) {
  type <- match.arg(type, several.ok = TRUE)
  if (is.null(x$predictions)) {
    sg_abort("The evaluation has no predictions to plot: every cell failed.", call = sys.call())
  }
  learners <- levels(x$predictions$learner)
  learner <- learner %||% learners[1]
  if (!learner %in% learners) {
    sg_abort(c(sprintf("`learner` must be one of %s.", class_list(learners)),
               sprintf("It is %s.", describe(learner))), call = sys.call())
  }
  corrected <- isTRUE(corrected) && isTRUE(x$settings$correct_prior)
  src <- curve_source(x$predictions)
  src <- src[src$learner == learner, , drop = FALSE]
  samplers <- levels(x$predictions$sampler)
  cols <- sampler_colours(samplers)
  if (length(type) > 1) {
    old <- graphics::par(mfrow = c(ceiling(length(type) / 2), min(2, length(type))),
                         mar = c(4, 4, 2.5, 1))
    on.exit(graphics::par(old), add = TRUE)
  }
  for (t in type) {
    switch(t,
      pr = plot_pr(src, samplers, cols, corrected),
      calibration = plot_calibration(src, samplers, cols, corrected),
      decision = plot_decision(x, learner, samplers, cols),
      spread = plot_spread(x, learner, metric, samplers, cols, corrected))
  }
  invisible(x)
}

sampler_colours <- function(samplers) {
  hues <- c("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
  cols <- rep_len(hues, max(0, length(samplers) - 1))
  stats::setNames(c("#595959", cols), samplers)
}

source_note <- function(src, corrected) {
  sprintf("%s%s", attr(src, "source") %||% "",
          if (corrected) ", prior-corrected" else "")
}

plot_pr <- function(src, samplers, cols, corrected) {
  graphics::plot(NA, xlim = c(0, 1), ylim = c(0, 1), xlab = "Recall (sensitivity)",
                 ylab = "Precision (PPV)", main = "Precision-recall",
                 sub = source_note(src, corrected), cex.sub = 0.8)
  graphics::abline(h = mean(src$y[src$sampler == samplers[1]]), lty = 3, col = "grey60")
  for (s in samplers) {
    part <- src[src$sampler == s, , drop = FALSE]
    if (nrow(part) == 0 || !any(part$y)) next
    p <- if (corrected) part$p_corrected else part$p
    at <- metric_threshold(part$y, p, sort(unique(p), decreasing = TRUE))
    graphics::lines(c(0, at$recall), c(1, at$precision), type = "s", col = cols[[s]], lwd = 2)
  }
  graphics::legend("bottomleft", legend = samplers, col = cols[samplers], lwd = 2, bty = "n",
                   cex = 0.8)
}

plot_calibration <- function(src, samplers, cols, corrected) {
  graphics::plot(NA, xlim = c(0, 1), ylim = c(0, 1), xlab = "Predicted risk",
                 ylab = "Observed event share", main = "Calibration",
                 sub = source_note(src, corrected), cex.sub = 0.8)
  graphics::abline(0, 1, lty = 2, col = "grey50")
  grid <- seq(0, 1, by = 0.02)
  for (s in samplers) {
    part <- src[src$sampler == s, , drop = FALSE]
    if (nrow(part) < 10) next
    p <- if (corrected) part$p_corrected else part$p
    # the distribution of the predictions, along the bottom: square-root
    # counts (so that the piles at 0 and 1 do not flatten the rest), the
    # tallest bar a tenth of the panel's height
    h <- graphics::hist(p, breaks = seq(0, 1, by = 0.02), plot = FALSE)
    graphics::lines(h$breaks, 0.1 * sqrt(c(h$counts, 0) / max(h$counts)), type = "s",
                    col = cols[[s]])
    fit <- tryCatch(stats::loess(as.numeric(y) ~ p, data = data.frame(y = part$y, p = p),
                                 span = 0.75, degree = 2),
                    error = function(e) NULL, warning = function(w) NULL)
    if (is.null(fit)) next
    at <- grid[grid >= min(p) & grid <= max(p)]
    sm <- stats::predict(fit, data.frame(p = at))
    graphics::lines(at, pmin(pmax(sm, 0), 1), col = cols[[s]], lwd = 2)
  }
  graphics::legend("topleft", legend = samplers, col = cols[samplers], lwd = 2, bty = "n",
                   cex = 0.8)
}

plot_decision <- function(x, learner, samplers, cols) {
  dc <- x$decision_curve
  dc <- dc[dc$learner == learner, , drop = FALSE]
  prev <- max(dc$treat_all)
  xmax <- min(0.99, max(0.5, 2 * prev))
  dc <- dc[dc$threshold <= xmax, , drop = FALSE]
  ylim <- c(-0.05 * max(prev, 0.05), max(prev, 0.01) * 1.05)
  graphics::plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = "Threshold probability",
                 ylab = "Net benefit", main = "Decision curve",
                 sub = attr(x$decision_curve, "source"), cex.sub = 0.8)
  first <- dc[dc$sampler == samplers[1], , drop = FALSE]
  graphics::lines(first$threshold, first$treat_all, lty = 2, col = "grey40")
  graphics::abline(h = 0, lty = 3, col = "grey40")
  for (s in samplers) {
    part <- dc[dc$sampler == s, , drop = FALSE]
    graphics::lines(part$threshold, part$net_benefit, col = cols[[s]], lwd = 2)
  }
  graphics::legend("right", legend = c(samplers, "treat all", "treat none"),
                   col = c(cols[samplers], "grey40", "grey40"), lwd = c(rep(2, length(samplers)), 1, 1),
                   lty = c(rep(1, length(samplers)), 2, 3), bty = "n", cex = 0.8)
}

# A metric's readable name where print has one (metric_label), else its code.
metric_name <- function(metric) {
  if (metric %in% names(metric_label)) metric_label[[metric]] else metric
}

plot_spread <- function(x, learner, metric, samplers, cols, corrected) {
  m <- x$metrics
  m <- m[m$learner == learner & m$metric == metric & m$corrected == corrected, , drop = FALSE]
  if (nrow(m) == 0) {
    sg_abort(c(sprintf("No values of metric `%s` to plot.", metric),
               sprintf("Metrics are: %s.", paste(unique(x$metrics$metric), collapse = ", "))),
             call = NULL)
  }
  pos <- match(as.character(m$sampler), samplers)
  jitter <- (seq_len(nrow(m)) %% 7 - 3) * 0.03
  graphics::plot(pos + jitter, m$value, xlim = c(0.5, length(samplers) + 0.5), xaxt = "n",
                 pch = 19, col = grDevices::adjustcolor(cols[as.character(m$sampler)], 0.6),
                 xlab = "", ylab = metric_name(metric),
                 main = sprintf("%s across folds", metric_name(metric)),
                 sub = if (corrected) "prior-corrected" else "raw", cex.sub = 0.8)
  graphics::axis(1, at = seq_along(samplers), labels = samplers, cex.axis = 0.8)
  means <- tapply(m$value, factor(m$sampler, levels = samplers), mean, na.rm = TRUE)
  graphics::segments(seq_along(samplers) - 0.25, means, seq_along(samplers) + 0.25, means,
                     lwd = 3, col = cols[samplers])
}

#' @rdname plot.sg_evaluation
#' @param class For an evaluation of more than two classes: the class whose
#'   one-vs-rest evaluation to show; by default the rarest.
#' @export
plot.sg_evaluation_ovr <- function(x, ..., class = NULL) {
  plot(ovr_class(x, class, sys.call()), ...)
  invisible(x)
}

# One class's evaluation (that class against the rest) of a one-vs-rest
# evaluation.
ovr_class <- function(x, class, call) {
  classes <- names(x$per_class)
  if (is.null(class)) class <- classes[which.min(x$settings$n_events)]
  if (!is.character(class) || length(class) != 1 || !class %in% classes) {
    sg_abort(c(sprintf("`class` must be one of %s.", class_list(classes)),
               sprintf("It is %s.", describe(class))), call = call)
  }
  x$per_class[[class]]
}
