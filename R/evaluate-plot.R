# plot() of an evaluation: base graphics, one colour per sampler in every
# panel (grey for "none", then colour-blind-safe hues). The curves of "none"
# are drawn last and dashed, so that where a sampler's curve coincides with
# it both stay visible (the sampler's colour between the grey dashes).

#' Plot an evaluation
#'
#' Four views of an [sg_evaluate()] result, for one learner, with one
#' colour per sampler throughout (grey for `"none"`, dashed and drawn on top,
#' so that it shows where another sampler's curve coincides with it):
#' * `"pr"`: precision-recall curves;
#' * `"calibration"`: observed event share against predicted risk (a loess
#'   smoother of the outcome on the prediction, local lines), the event
#'   share in each tenth of predicted risk (circles of area by rows), the
#'   diagonal for perfect calibration, and the distribution of the
#'   predictions along the bottom;
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

# The observed event share against the predicted risk: a loess smoother
# (local lines: local quadratics through the piles of predictions near 0
# and 1 of a good model bend far from the diagonal where there are hardly
# any predictions), read at the points of `grid` within the predictions'
# range. NULL when it cannot be fitted.
calibration_curve <- function(y, p, grid) {
  fit <- tryCatch(stats::loess(y ~ p, data = data.frame(y = as.numeric(y), p = p),
                               span = 0.75, degree = 1),
                  error = function(e) NULL, warning = function(w) NULL)
  if (is.null(fit)) return(NULL)
  at <- grid[grid >= min(p) & grid <= max(p)]
  sm <- stats::predict(fit, data.frame(p = at))
  data.frame(predicted = at, observed = pmin(pmax(sm, 0), 1))
}

# The observed event share in tenths of the predicted risk, with the rows
# in each: the evidence under the smoother (sparse where predictions are).
calibration_bins <- function(y, p) {
  bin <- cut(p, seq(0, 1, by = 0.1), include.lowest = TRUE)
  n <- tapply(y, bin, length)
  keep <- !is.na(n) & n > 0
  data.frame(predicted = as.double(tapply(p, bin, mean)[keep]),
             observed = as.double(tapply(as.numeric(y), bin, mean)[keep]),
             rows = as.integer(n[keep]))
}

sampler_colours <- function(samplers) {
  hues <- c("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442")
  cols <- rep_len(hues, max(0, length(samplers) - 1))
  stats::setNames(c("#595959", cols), samplers)
}

# The line type of each sampler: dashed for the first ("none"), solid for
# the others; and the order to draw them in, "none" last (on top).
sampler_ltys <- function(samplers) {
  stats::setNames(c("22", rep("solid", max(0, length(samplers) - 1))), samplers)
}

drawing_order <- function(samplers) c(samplers[-1], samplers[1])

source_note <- function(src, corrected) {
  sprintf("%s%s", attr(src, "source") %||% "",
          if (corrected) ", prior-corrected" else "")
}

plot_pr <- function(src, samplers, cols, corrected) {
  graphics::plot(NA, xlim = c(0, 1), ylim = c(0, 1), xlab = "Recall (sensitivity)",
                 ylab = "Precision (PPV)", main = "Precision-recall",
                 sub = source_note(src, corrected), cex.sub = 0.8)
  prevalence <- mean(src$y[src$sampler == samplers[1]])
  graphics::abline(h = prevalence, lty = 3, col = "grey60")
  ltys <- sampler_ltys(samplers)
  for (s in drawing_order(samplers)) {
    part <- src[src$sampler == s, , drop = FALSE]
    if (nrow(part) == 0 || !any(part$y)) next
    p <- if (corrected) part$p_corrected else part$p
    at <- metric_threshold(part$y, p, sort(unique(p), decreasing = TRUE))
    graphics::lines(c(0, at$recall), c(1, at$precision), type = "s", col = cols[[s]], lwd = 2,
                    lty = ltys[[s]])
  }
  # the curves end at the event share: with a rare event low on the right,
  # leaving the top right free; with a common one high, leaving the bottom
  # left free (there the rare event's dotted line would cross the legend)
  graphics::legend(if (prevalence < 0.3) "topright" else "bottomleft", legend = samplers,
                   col = cols[samplers], lwd = 2,
                   lty = ltys[samplers], seg.len = 3, bty = "n", cex = 0.8)
}

plot_calibration <- function(src, samplers, cols, corrected) {
  graphics::plot(NA, xlim = c(0, 1), ylim = c(0, 1), xlab = "Predicted risk",
                 ylab = "Observed event share", main = "Calibration",
                 sub = source_note(src, corrected), cex.sub = 0.8)
  graphics::abline(0, 1, lty = 2, col = "grey50")
  grid <- seq(0, 1, by = 0.02)
  ltys <- sampler_ltys(samplers)
  for (s in drawing_order(samplers)) {
    part <- src[src$sampler == s, , drop = FALSE]
    if (nrow(part) < 10) next
    p <- if (corrected) part$p_corrected else part$p
    # the distribution of the predictions, along the bottom: square-root
    # counts (so that the piles at 0 and 1 do not flatten the rest), the
    # tallest bar a tenth of the panel's height
    h <- graphics::hist(p, breaks = seq(0, 1, by = 0.02), plot = FALSE)
    graphics::lines(h$breaks, 0.1 * sqrt(c(h$counts, 0) / max(h$counts)), type = "s",
                    col = cols[[s]])
    cc <- calibration_curve(part$y, p, grid)
    if (!is.null(cc)) {
      graphics::lines(cc$predicted, cc$observed, col = cols[[s]], lwd = 2, lty = ltys[[s]])
    }
    # the evidence under the curve: the event share per tenth of risk,
    # circles of area by rows
    b <- calibration_bins(part$y, p)
    graphics::points(b$predicted, b$observed, col = cols[[s]],
                     cex = 0.5 + 2.5 * sqrt(b$rows / nrow(part)))
  }
  # the top left holds the event shares of sparse tenths (circles); below
  # the diagonal on the right is empty unless the risks are far too high
  graphics::legend("right", legend = samplers, col = cols[samplers], lwd = 2,
                   lty = ltys[samplers], seg.len = 3, bty = "n", cex = 0.8)
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
  # treat all dot-dashed: dashes are the model without resampling's
  graphics::lines(first$threshold, first$treat_all, lty = "dotdash", col = "grey40")
  graphics::abline(h = 0, lty = 3, col = "grey40")
  ltys <- sampler_ltys(samplers)
  for (s in drawing_order(samplers)) {
    part <- dc[dc$sampler == s, , drop = FALSE]
    graphics::lines(part$threshold, part$net_benefit, col = cols[[s]], lwd = 2, lty = ltys[[s]])
  }
  graphics::legend("right", legend = c(samplers, "treat all", "treat none"),
                   col = c(cols[samplers], "grey40", "grey40"), lwd = c(rep(2, length(samplers)), 1, 1),
                   lty = c(ltys[samplers], "dotdash", "dotted"), seg.len = 3, bty = "n", cex = 0.8)
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

# autoplot(): registered for ggplot2's generic when ggplot2 is loaded (see
# .onLoad in zzz.R); ggplot2 is suggested, not imported.

#' @rdname plot.sg_evaluation
#' @param object An evaluation made by [sg_evaluate()].
#' @details `autoplot()` (when ggplot2 is installed and loaded) draws one
#'   view as a ggplot object, one panel per learner (all of them by default),
#'   the same colours as `plot()`.
#' @method autoplot sg_evaluation
#' @examplesIf requireNamespace("ggplot2", quietly = TRUE)
#' library(ggplot2)
#' autoplot(ev)
#' autoplot(ev, type = "decision")
autoplot.sg_evaluation <- function(object, type = c("pr", "calibration", "decision", "spread"),
                                   learner = NULL, metric = "pr_auc",
                                   corrected = object$settings$correct_prior, ...) {
  call <- sys.call()
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    sg_abort(c("`autoplot()` needs the ggplot2 package.",
               "Install it with `install.packages(\"ggplot2\")`, or use `plot()`."),
             class = "missing_package", call = call)
  }
  type <- match.arg(type)
  x <- object
  if (is.null(x$predictions)) {
    sg_abort("The evaluation has no predictions to plot: every cell failed.", call = call)
  }
  learners <- levels(x$predictions$learner)
  learner <- learner %||% learners
  if (!is.character(learner) || !all(learner %in% learners)) {
    sg_abort(c(sprintf("`learner` must name learners of the evaluation: %s.", class_list(learners)),
               sprintf("It is %s.", describe(learner))), call = call)
  }
  corrected <- isTRUE(corrected) && isTRUE(x$settings$correct_prior)
  samplers <- levels(x$predictions$sampler)
  cols <- sampler_colours(samplers)
  src <- curve_source(x$predictions)
  note <- source_note(src, corrected)
  src <- src[src$learner %in% learner, , drop = FALSE]
  gg <- asNamespace("ggplot2")
  p <- switch(type,
    pr = gg_pr(gg, src, samplers, corrected),
    calibration = gg_calibration(gg, src, samplers, corrected),
    decision = gg_decision(gg, x, learner, samplers),
    spread = gg_spread(gg, x, learner, metric, samplers, corrected))
  p <- p + gg$scale_colour_manual(values = cols, limits = samplers, name = "sampler") +
    gg$scale_linetype_manual(values = sampler_ltys(samplers), limits = samplers,
                             name = "sampler") +
    gg$theme_bw() +
    gg$theme(legend.position = "bottom", legend.box = "vertical",
             panel.grid.minor = gg$element_blank())
  if (type != "spread") p <- p + gg$labs(caption = if (type == "decision") attr(x$decision_curve, "source") else note)
  if (length(learner) > 1) p <- p + gg$facet_wrap(~learner, labeller = gg$label_both)
  p
}

#' @rdname plot.sg_evaluation
#' @method autoplot sg_evaluation_ovr
autoplot.sg_evaluation_ovr <- function(object, ..., class = NULL) {
  one <- ovr_class(object, class, sys.call())
  gg <- asNamespace("ggplot2")
  p <- autoplot.sg_evaluation(one, ...)
  p + gg$labs(title = sprintf("%s: class `%s` against the rest", p$labels$title,
                              one$settings$positive))
}

# Two layers of one geom: the samplers' curves, then those of the first
# sampler ("none", dashed) on top of them.
gg_none_last <- function(data, samplers, layer) {
  base <- as.character(data$sampler) == samplers[1]
  list(layer(data[!base, , drop = FALSE]), layer(data[base, , drop = FALSE]))
}

# One data frame of curves per sampler and learner, bound.
curves_by <- function(src, samplers, fun) {
  parts <- list()
  for (key in split(src, list(src$sampler, src$learner), drop = TRUE)) {
    d <- fun(key)
    if (is.null(d) || nrow(d) == 0) next
    d$sampler <- factor(as.character(key$sampler[1]), levels = samplers)
    d$learner <- as.character(key$learner[1])
    parts[[length(parts) + 1]] <- d
  }
  do.call(rbind, parts)
}

gg_pr <- function(gg, src, samplers, corrected) {
  aes <- gg$aes
  curves <- curves_by(src, samplers, function(part) {
    if (!any(part$y)) return(NULL)
    p <- if (corrected) part$p_corrected else part$p
    at <- metric_threshold(part$y, p, sort(unique(p), decreasing = TRUE))
    data.frame(recall = c(0, at$recall), precision = c(1, at$precision))
  })
  base <- stats::aggregate(list(prevalence = src$y), list(learner = as.character(src$learner)),
                           mean)
  gg$ggplot(curves, aes(x = .data$recall, y = .data$precision, colour = .data$sampler)) +
    gg$geom_hline(data = base, aes(yintercept = .data$prevalence), linetype = 3,
                  colour = "grey50") +
    gg_none_last(curves, samplers, function(d) {
      gg$geom_step(data = d, aes(linetype = .data$sampler), direction = "vh", linewidth = 0.8)
    }) +
    gg$coord_cartesian(xlim = c(0, 1), ylim = c(0, 1)) +
    gg$labs(x = "Recall (sensitivity)", y = "Precision (PPV)", title = "Precision-recall",
            subtitle = "dotted: the event share (a model that ranks at random)")
}

gg_calibration <- function(gg, src, samplers, corrected) {
  aes <- gg$aes
  grid <- seq(0, 1, by = 0.02)
  smooth <- curves_by(src, samplers, function(part) {
    p <- if (corrected) part$p_corrected else part$p
    if (length(p) < 10) return(NULL)
    calibration_curve(part$y, p, grid)
  })
  # the predictions' distribution along the bottom: square-root counts, the
  # tallest bar a tenth of the panel (as plot() draws it)
  hist <- curves_by(src, samplers, function(part) {
    p <- if (corrected) part$p_corrected else part$p
    h <- graphics::hist(p, breaks = grid, plot = FALSE)
    data.frame(predicted = grid, height = 0.1 * sqrt(c(h$counts, 0) / max(h$counts)))
  })
  bins <- curves_by(src, samplers, function(part) {
    calibration_bins(part$y, if (corrected) part$p_corrected else part$p)
  })
  gg$ggplot(mapping = aes(colour = .data$sampler)) +
    gg$geom_abline(slope = 1, intercept = 0, linetype = 2, colour = "grey50") +
    gg$geom_step(data = hist, aes(x = .data$predicted, y = .data$height), linewidth = 0.4) +
    gg_none_last(smooth, samplers, function(d) {
      gg$geom_line(data = d, aes(x = .data$predicted, y = .data$observed,
                                 linetype = .data$sampler), linewidth = 0.9)
    }) +
    gg$geom_point(data = bins, aes(x = .data$predicted, y = .data$observed, size = .data$rows),
                  alpha = 0.6, shape = 21, stroke = 0.8) +
    gg$scale_size_area(max_size = 5, name = "rows in tenth") +
    gg$coord_cartesian(xlim = c(0, 1), ylim = c(0, 1)) +
    gg$labs(x = "Predicted risk", y = "Observed event share", title = "Calibration",
            subtitle = paste("line: loess smoother; circles: event share per tenth of risk (area: rows);",
                             "dashed: perfect calibration; bottom: where the predictions lie",
                             sep = "\n"))
}

gg_decision <- function(gg, x, learner, samplers) {
  aes <- gg$aes
  dc <- x$decision_curve
  dc <- dc[dc$learner %in% learner, , drop = FALSE]
  prev <- max(dc$treat_all)
  xmax <- min(0.99, max(0.5, 2 * prev))
  dc <- dc[dc$threshold <= xmax, , drop = FALSE]
  dc$learner <- as.character(dc$learner)
  all <- dc[dc$sampler == samplers[1], , drop = FALSE]
  gg$ggplot(dc, aes(x = .data$threshold)) +
    gg$geom_hline(yintercept = 0, linetype = 3, colour = "grey40") +
    gg$geom_line(data = all, aes(y = .data$treat_all), linetype = "dotdash", colour = "grey40") +
    gg_none_last(dc, samplers, function(d) {
      gg$geom_line(data = d, aes(y = .data$net_benefit, colour = .data$sampler,
                                 linetype = .data$sampler), linewidth = 0.8)
    }) +
    gg$coord_cartesian(xlim = c(0, xmax),
                       ylim = c(-0.05 * max(prev, 0.05), max(prev, 0.01) * 1.05)) +
    gg$labs(x = "Threshold probability", y = "Net benefit", title = "Decision curve",
            subtitle = "dot-dashed: treat all; dotted: treat none")
}

gg_spread <- function(gg, x, learner, metric, samplers, corrected) {
  aes <- gg$aes
  m <- x$metrics
  m <- m[m$learner %in% learner & m$metric == metric & m$corrected == corrected, , drop = FALSE]
  if (nrow(m) == 0) {
    sg_abort(c(sprintf("No values of metric `%s` to plot.", metric),
               sprintf("Metrics are: %s.", paste(unique(x$metrics$metric), collapse = ", "))),
             call = NULL)
  }
  m$learner <- as.character(m$learner)
  # a fixed jitter (no random draw): the folds side by side
  m$at <- match(as.character(m$sampler), samplers) + (seq_len(nrow(m)) %% 7 - 3) * 0.03
  means <- stats::aggregate(list(value = m$value),
                            list(sampler = m$sampler, learner = m$learner), mean, na.rm = TRUE)
  means$at <- match(as.character(means$sampler), samplers)
  m$split <- paste(m$rep, m$fold)
  gg$ggplot(m, aes(x = .data$at, y = .data$value, colour = .data$sampler)) +
    gg$geom_line(aes(group = .data$split), colour = "grey80", linewidth = 0.3) +
    gg$geom_point(alpha = 0.7, size = 2) +
    gg$geom_segment(data = means, aes(x = .data$at - 0.25, xend = .data$at + 0.25,
                                      y = .data$value, yend = .data$value), linewidth = 1.5) +
    gg$scale_x_continuous(breaks = seq_along(samplers), labels = samplers,
                          limits = c(0.5, length(samplers) + 0.5)) +
    gg$labs(x = NULL, y = metric_name(metric),
            title = sprintf("%s across folds", metric_name(metric)),
            subtitle = sprintf("one point per split, grey lines join a split's samplers, bar: the mean; %s",
                               if (corrected) "prior-corrected" else "raw")) +
    gg$guides(colour = "none")
}
