#' @include diagnose.R
NULL

# sg_diagnose()'s plots: plot() with base graphics and autoplot() for ggplot2.
# The computing is in diagnose.R, the printing in diagnose-print.R.

# ---------------------------------------------------------------------
# Plots: what they draw is stored once, in sg_diagnose().

# Real rows of every class (at most `cap` per class) and the synthetic rows
# judged (at most `cap` per class), on the first two principal components
# of the real rows, with their raw numeric values for the feature panels.
diagnosis_plot_data <- function(dd, subsets, complete_r, max_rows, cap = 2000) {
  cap <- min(cap, max_rows)
  classes <- levels(dd$yr)
  real_rows <- unlist(lapply(classes, function(cl) {
    r <- which(dd$yr == cl & complete_r)
    r[subset_positions(length(r), cap)]
  }), use.names = FALSE)
  syn_rows <- unlist(lapply(names(subsets), function(cl) {
    r <- subsets[[cl]]
    r[subset_positions(length(r), cap)]
  }), use.names = FALSE)
  pc <- NULL
  var_share <- c(NA_real_, NA_real_)
  z <- dd$zr[complete_r, , drop = FALSE]
  if (ncol(z) >= 2 && nrow(z) >= 3) {
    # principal axes from the covariance matrix (as prcomp(), without an
    # n x d decomposition)
    mu <- colMeans(z)
    eig <- eigen(stats::cov(z), symmetric = TRUE)
    var_share <- (pmax(eig$values, 0) / sum(pmax(eig$values, 0)))[1:2]
    proj <- function(zz) sweep(zz, 2, mu) %*% eig$vectors[, 1:2, drop = FALSE]
    pc <- rbind(proj(dd$zr[real_rows, , drop = FALSE]), proj(dd$zs[syn_rows, , drop = FALSE]))
  }
  points <- data.frame(
    kind = factor(rep(c("real", "synthetic"), c(length(real_rows), length(syn_rows))),
                  levels = c("real", "synthetic")),
    class = factor(c(as.character(dd$yr[real_rows]), as.character(dd$ys[syn_rows])),
                   levels = classes),
    pc1 = if (is.null(pc)) NA_real_ else pc[, 1],
    pc2 = if (is.null(pc)) NA_real_ else pc[, 2]
  )
  values <- rbind(dd$xr[real_rows, , drop = FALSE], dd$xs[syn_rows, , drop = FALSE])
  list(points = points, values = values, var_share = var_share)
}

# The corner of a panel holding the fewest points, for its legend.
emptiest_corner <- function(x, y) {
  ok <- is.finite(x) & is.finite(y)
  if (!any(ok)) return("topright")
  rx <- range(x[ok])
  ry <- range(y[ok])
  left <- x[ok] < rx[1] + diff(rx) * 0.4
  right <- x[ok] > rx[2] - diff(rx) * 0.4
  bottom <- y[ok] < ry[1] + diff(ry) * 0.3
  top <- y[ok] > ry[2] - diff(ry) * 0.3
  counts <- c(topright = sum(top & right), topleft = sum(top & left),
              bottomright = sum(bottom & right), bottomleft = sum(bottom & left))
  names(counts)[which.min(counts)]
}

diagnosis_palette <- function(n) {
  base <- c("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02",
            "#A6761D", "#666666")
  rep(base, length.out = n)
}

# The headline metrics in [0, 1] (density may exceed 1) for the panel.
panel_metrics <- c("precision", "recall", "density", "coverage", "intrusion",
                   "duplicate_real", "near_duplicate_real", "duplicate_synthetic",
                   "near_duplicate_synthetic", "dcr_close", "parent_concentration")

# Features ordered by their largest KS statistic over classes.
features_by_ks <- function(x) {
  tab <- x$table
  ks <- tab[startsWith(tab$metric, "ks:"), , drop = FALSE]
  if (nrow(ks) == 0) return(character(0))
  worst <- tapply(ks$value, sub("^ks:", "", ks$metric), max, na.rm = TRUE)
  names(sort(worst, decreasing = TRUE))
}

#' Plot a diagnosis
#'
#' `plot()` draws, with base graphics, real against synthetic rows on the
#' first two principal components of the real rows (each real class and the
#' synthetic rows of each class in their own colour and symbol), a panel of
#' the headline metrics per class (points with +/- 2 standard errors where
#' estimated; red rings on the values [sg_diagnose()] flags), and the
#' distribution of each numeric feature, real against synthetic, the
#' features that differ most (largest Kolmogorov-Smirnov statistic) first.
#' `autoplot()` (when ggplot2 is installed and loaded) draws each of these
#' as a ggplot.
#'
#' At most 2000 rows of each class and kind are drawn (those
#' [sg_diagnose()] chose); the metrics use all the rows it judged.
#'
#' @param x,object An `sg_diagnosis` from [sg_diagnose()].
#' @param which Which panels: any of `"pca"`, `"metrics"`, `"features"`
#'   (`plot()`, all by default, on one page), or one of them
#'   (`autoplot()`, `"pca"` by default). For `plot()`, another
#'   `sg_diagnosis` instead: `plot(dg, dg2)` draws the two side by side
#'   (each one's PCA above its metrics, on the same metric scale), to
#'   compare two ways of oversampling the same data.
#' @param max_features The most feature panels drawn.
#' @param ... Ignored.
#' @return `plot()` returns `x` invisibly; `autoplot()` a ggplot object.
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' dg <- sg_diagnose(res, seed = 1)
#' plot(dg)
#' plot(dg, which = "pca")
#'
#' # two diagnoses side by side: SMOTE against random oversampling
#' dg_ros <- sg_diagnose(sg_oversample(breast_biopsy, "diagnosis",
#'                                     method = "ros", seed = 1), seed = 1)
#' plot(dg, dg_ros)
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   library(ggplot2)
#'   autoplot(dg)
#'   autoplot(dg, which = "features")
#' }
#' @export
plot.sg_diagnosis <- function(x, which = c("pca", "metrics", "features"),
                              max_features = 9, ...) {
  if (inherits(which, "sg_diagnosis")) {
    labels <- c(paste(deparse(substitute(x)), collapse = ""),
                paste(deparse(substitute(which)), collapse = ""))
    return(plot_two_diagnoses(x, which, labels))
  }
  which <- unique(match.arg(which, c("pca", "metrics", "features"), several.ok = TRUE))
  max_features <- check_count(max_features, "max_features", call = sys.call())
  feats <- utils::head(features_by_ks(x), max_features)
  if (!"features" %in% which) feats <- character(0)
  top <- intersect(c("pca", "metrics"), which)
  nf <- length(feats)
  fcols <- if (nf == 0) 1 else min(nf, 3)
  frows <- if (nf == 0) 0 else ceiling(nf / fcols)
  width <- 6
  mat <- NULL
  id <- 0
  if (length(top) > 0) {
    mat <- matrix(rep(seq_along(top), each = width / length(top)), nrow = 1)
    id <- length(top)
  }
  if (nf > 0) {
    span <- width / fcols
    for (r in seq_len(frows)) {
      ids <- id + (r - 1) * fcols + seq_len(fcols)
      ids[ids > id + nf] <- 0
      mat <- rbind(mat, rep(ids, each = span))
    }
  }
  if (is.null(mat)) {
    graphics::plot.new()
    graphics::title("No numeric features to draw")
    return(invisible(x))
  }
  heights <- c(if (length(top) > 0) 2.2, rep(1, frows))
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::layout(mat, heights = heights)
  graphics::par(mar = c(4, 4, 2.5, 1), mgp = c(2.2, 0.7, 0), cex = 0.8)
  if ("pca" %in% top) plot_pca(x)
  if ("metrics" %in% top) plot_metric_panel(x)
  for (f in feats) plot_feature(x, f)
  invisible(x)
}

# Two diagnoses side by side: each one's PCA above its metric panel, the
# metrics on one scale so that their positions compare.
plot_two_diagnoses <- function(x, y, labels) {
  old <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(old))
  graphics::layout(matrix(1:4, nrow = 2), heights = c(1, 1))
  graphics::par(mar = c(4, 4, 3.5, 1), mgp = c(2.2, 0.7, 0), cex = 0.75,
                oma = c(0, 0, 0, 0))
  hi <- max(metric_panel_top(x), metric_panel_top(y))
  for (i in 1:2) {
    d <- if (i == 1) x else y
    plot_pca(d)
    graphics::mtext(labels[i], side = 3, line = 2.3, font = 2)
    plot_metric_panel(d, hi = hi)
  }
  invisible(x)
}

metric_panel_top <- function(x) {
  tab <- x$table[x$table$metric %in% panel_metrics, , drop = FALSE]
  max(1, tab$value + 2 * ifelse(is.na(tab$se), 0, tab$se), na.rm = TRUE)
}

plot_pca <- function(x) {
  pts <- x$plot$points
  classes <- levels(pts$class)
  col <- diagnosis_palette(length(classes))
  if (all(is.na(pts$pc1))) {
    graphics::plot.new()
    graphics::title("Real and synthetic rows")
    graphics::text(0.5, 0.5, "fewer than two numeric predictors:\nno principal components")
    return(invisible())
  }
  real <- pts$kind == "real"
  vs <- x$plot$var_share
  graphics::plot(pts$pc1, pts$pc2, type = "n",
                 xlab = sprintf("PC1 (%.0f%% of real variance)", 100 * vs[1]),
                 ylab = sprintf("PC2 (%.0f%%)", 100 * vs[2]),
                 main = "Real and synthetic rows (PCA of real rows)")
  ci <- as.integer(pts$class)
  graphics::points(pts$pc1[real], pts$pc2[real], pch = 16,
                   col = grDevices::adjustcolor(col[ci[real]], alpha.f = 0.35))
  graphics::points(pts$pc1[!real], pts$pc2[!real], pch = 3, cex = 0.7,
                   col = grDevices::adjustcolor(col[ci[!real]], red.f = 0.6, green.f = 0.6,
                                                blue.f = 0.6, alpha.f = 0.8))
  syn_classes <- unique(as.character(pts$class[!real]))
  lab <- c(paste(classes, "(real)"), paste(syn_classes, "(synthetic)"))
  lcol <- c(grDevices::adjustcolor(col, alpha.f = 0.6),
            grDevices::adjustcolor(col[match(syn_classes, classes)], red.f = 0.6,
                                   green.f = 0.6, blue.f = 0.6))
  graphics::legend(emptiest_corner(pts$pc1, pts$pc2), legend = lab, col = lcol,
                   pch = c(rep(16, length(classes)), rep(3, length(syn_classes))),
                   bg = grDevices::adjustcolor("white", alpha.f = 0.8), cex = 0.9)
}

plot_metric_panel <- function(x, hi = NULL) {
  tab <- x$table
  tab$flag <- diagnosis_flags(tab, length(x$numeric))
  tab <- tab[tab$metric %in% panel_metrics, , drop = FALSE]
  metrics <- intersect(panel_metrics, tab$metric)
  classes <- unique(tab$class)
  col <- diagnosis_palette(length(levels(x$plot$points$class)))
  col <- col[match(classes, levels(x$plot$points$class))]
  nm <- length(metrics)
  if (is.null(hi)) hi <- metric_panel_top(x)
  labels <- gsub("_", " ", metrics)
  old_mar <- graphics::par(mar = c(4, 11, 2.5, 1))
  on.exit(graphics::par(old_mar))
  graphics::plot(NA, xlim = c(0, hi * 1.02), ylim = c(0.5, nm + 0.5), yaxt = "n",
                 xlab = "value", ylab = "", main = "Metrics per class")
  graphics::axis(2, at = rev(seq_len(nm)), labels = labels, las = 1, cex.axis = 0.9)
  graphics::abline(v = c(0, 1), col = "grey80", lty = 2)
  graphics::abline(h = seq_len(nm), col = "grey92")
  off <- if (length(classes) > 1) seq(-0.2, 0.2, length.out = length(classes)) else 0
  for (j in seq_along(classes)) {
    t <- tab[tab$class == classes[j], , drop = FALSE]
    ypos <- nm + 1 - match(t$metric, metrics) + off[j]
    ok <- !is.na(t$se)
    if (any(ok)) {
      graphics::segments(pmax(0, t$value[ok] - 2 * t$se[ok]), ypos[ok],
                         t$value[ok] + 2 * t$se[ok], ypos[ok], col = col[j], lwd = 2)
    }
    graphics::points(t$value, ypos, pch = 19, col = col[j])
    bad <- !is.na(t$flag)
    if (any(bad)) graphics::points(t$value[bad], ypos[bad], pch = 1, cex = 2, col = "red", lwd = 1.5)
  }
  graphics::legend("bottomright", legend = c(classes, "flagged"),
                   col = c(col, "red"), pch = c(rep(19, length(classes)), 1),
                   bg = grDevices::adjustcolor("white", alpha.f = 0.8), cex = 0.9)
}

plot_feature <- function(x, feature) {
  pts <- x$plot$points
  v <- x$plot$values[, feature]
  classes <- levels(pts$class)
  col <- diagnosis_palette(length(classes))
  syn_classes <- unique(as.character(pts$class[pts$kind == "synthetic"]))
  dens <- list()
  for (cl in syn_classes) {
    for (kind in c("real", "synthetic")) {
      vv <- v[pts$class == cl & pts$kind == kind]
      vv <- vv[!is.na(vv)]
      if (length(vv) >= 2 && stats::sd(vv) > 0) {
        # kept within the values' range: a kernel's tails past the data
        # (below 1 for scores of 1 to 10) would show values no row has
        dens[[length(dens) + 1]] <- list(d = stats::density(vv, from = min(vv), to = max(vv)),
                                         cl = cl, kind = kind)
      }
    }
  }
  ks <- x$table$value[x$table$metric == paste0("ks:", feature)]
  main <- sprintf("%s (KS %s)", feature, paste(formatC(ks, digits = 2, format = "f"),
                                              collapse = ", "))
  if (length(dens) == 0) {
    graphics::plot.new()
    graphics::title(main)
    return(invisible())
  }
  xr <- range(unlist(lapply(dens, function(d) d$d$x)))
  # headroom above the curves for the legend, so that it covers none
  yr <- c(0, 1.45 * max(unlist(lapply(dens, function(d) d$d$y))))
  graphics::plot(NA, xlim = xr, ylim = yr, xlab = feature, ylab = "density", main = main)
  for (d in dens) {
    k <- match(d$cl, classes)
    graphics::lines(d$d, col = if (d$kind == "real") col[k] else "black",
                    lty = if (d$kind == "real") 1 else 2, lwd = 2)
  }
  if (identical(feature, features_by_ks(x)[1])) {
    graphics::legend("top", legend = c("real", "synthetic"), horiz = TRUE, bty = "n",
                     lty = c(1, 2), col = c(col[match(syn_classes[1], classes)], "black"),
                     lwd = 2, cex = 0.85)
  }
}

# autoplot(): registered for ggplot2's generic when ggplot2 is loaded (see
# .onLoad in zzz.R); ggplot2 is suggested, not imported.

#' @rdname plot.sg_diagnosis
#' @method autoplot sg_diagnosis
autoplot.sg_diagnosis <- function(object, which = c("pca", "metrics", "features"),
                                  max_features = 9, ...) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    sg_abort(c("`autoplot()` needs the ggplot2 package.",
               "Install it with `install.packages(\"ggplot2\")`, or use `plot()`."),
             class = "missing_package", call = sys.call())
  }
  which <- match.arg(which)
  gg <- asNamespace("ggplot2")
  aes <- gg$aes
  pts <- object$plot$points
  classes <- levels(pts$class)
  col <- stats::setNames(diagnosis_palette(length(classes)), classes)
  nothing <- function(title, text) {
    gg$ggplot() + gg$annotate("text", x = 0, y = 0, label = text) + gg$theme_void() +
      gg$labs(title = title)
  }
  if (which == "pca") {
    if (all(is.na(pts$pc1))) {
      return(nothing("Real and synthetic rows",
                     "fewer than two numeric predictors: no principal components"))
    }
    vs <- object$plot$var_share
    pts$group <- paste(pts$class, pts$kind)
    return(gg$ggplot(pts, aes(x = .data$pc1, y = .data$pc2, colour = .data$class,
                              shape = .data$kind, alpha = .data$kind)) +
             gg$geom_point() +
             gg$scale_colour_manual(values = col) +
             gg$scale_shape_manual(values = c(real = 16, synthetic = 3)) +
             gg$scale_alpha_manual(values = c(real = 0.35, synthetic = 0.9)) +
             gg$labs(x = sprintf("PC1 (%.0f%% of real variance)", 100 * vs[1]),
                     y = sprintf("PC2 (%.0f%%)", 100 * vs[2]),
                     title = "Real and synthetic rows (PCA of real rows)",
                     colour = "class", shape = "rows", alpha = "rows"))
  }
  if (which == "metrics") {
    tab <- object$table
    tab$flag <- !is.na(diagnosis_flags(tab, length(object$numeric)))
    tab <- tab[tab$metric %in% panel_metrics & !is.na(tab$value), , drop = FALSE]
    if (nrow(tab) == 0) return(nothing("Metrics per class", "no metric to draw"))
    tab$metric <- factor(tab$metric, levels = rev(panel_metrics))
    tab$lo <- pmax(0, tab$value - 2 * ifelse(is.na(tab$se), 0, tab$se))
    tab$hi <- tab$value + 2 * ifelse(is.na(tab$se), 0, tab$se)
    return(gg$ggplot(tab, aes(x = .data$value, y = .data$metric, colour = .data$class)) +
             gg$geom_vline(xintercept = c(0, 1), linetype = 2, colour = "grey70") +
             gg$geom_errorbarh(aes(xmin = .data$lo, xmax = .data$hi), height = 0) +
             gg$geom_point(size = 2) +
             gg$geom_point(data = tab[tab$flag, , drop = FALSE], shape = 1, size = 5,
                           colour = "red") +
             gg$scale_colour_manual(values = col) +
             gg$labs(x = "value", y = NULL, title = "Metrics per class (red rings: flagged)"))
  }
  feats <- utils::head(features_by_ks(object), max_features)
  syn_classes <- unique(as.character(pts$class[pts$kind == "synthetic"]))
  keep <- pts$class %in% syn_classes
  if (length(feats) == 0 || !any(keep)) {
    return(nothing("Numeric features, real against synthetic", "no numeric feature to draw"))
  }
  long <- data.frame(
    feature = factor(rep(feats, each = sum(keep)), levels = feats),
    value = as.vector(object$plot$values[keep, feats, drop = FALSE]),
    class = rep(pts$class[keep], length(feats)),
    kind = rep(pts$kind[keep], length(feats))
  )
  gg$ggplot(long, aes(x = .data$value, colour = .data$class, linetype = .data$kind)) +
    gg$geom_density(na.rm = TRUE) +
    gg$facet_wrap(~feature, scales = "free") +
    gg$scale_colour_manual(values = col) +
    gg$scale_linetype_manual(values = c(real = 1, synthetic = 2)) +
    gg$labs(x = NULL, y = "density", linetype = "rows",
            title = "Numeric features, real against synthetic")
}

# the data pronoun of ggplot2's aes(), resolved by ggplot2 at draw time
utils::globalVariables(".data")
