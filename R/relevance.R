# The relevance of a numeric outcome's values (Ribeiro 2011; Torgo et al.
# 2013): phi(y) in [0, 1], a piecewise cubic Hermite curve through control
# points (y, phi, slope). SMOTER and SMOGN (method-smoter.R) call the rows
# with phi >= rel_threshold rare.

#' The relevance of a numeric outcome's values
#'
#' SMOTER and SMOGN (see [sg_oversample()]) oversample the *rare* values of
#' a numeric outcome: those whose relevance `phi(y)` is at least
#' `rel_threshold`. The relevance is a smooth curve in \[0, 1\] through
#' control points, each a value `y`, its relevance `phi` and the curve's
#' slope there, joined by piecewise cubic Hermite interpolation; below the
#' first control point and above the last, the relevance stays at the end
#' point's.
#'
#' By default (`relevance = NULL`) the control points come from the box
#' plot of `y` (Ribeiro's "extremes" relevance, with R's
#' [grDevices::boxplot.stats()] and `coef = 1.5`): the median has relevance
#' 0; the lower whisker's end (the smallest value within 1.5 IQR of the
#' lower hinge) has relevance 1 if some values lie beyond it, and otherwise
#' the minimum is a control point of relevance 0 (no low extremes); the
#' same for the upper end. All slopes are 0, so the curve rises as an S
#' from the median to each whisker's end and is 1 beyond it.
#'
#' User control points are a matrix (or data frame) with columns `y` and
#' `phi`, and optionally a third column of slopes; without it, the slopes
#' are those of monotone piecewise cubic interpolation (Fritsch and
#' Carlson's conditions, with the weighted harmonic mean of the adjacent
#' secants at an interior point, 0 at a local extreme and at both ends),
#' so the curve never leaves \[0, 1\] nor overshoots a control point.
#'
#' @param y A numeric vector, no missing or infinite values.
#' @param relevance `NULL` for the box-plot relevance, or the control
#'   points: a numeric matrix or data frame with two or three columns
#'   (`y`, `phi` in \[0, 1\], optionally the slope), at least two rows with
#'   distinct `y`.
#' @return The relevance of each value of `y`, a numeric vector with the
#'   attribute `"control"`: the control points used (a matrix with columns
#'   `y`, `phi` and `slope`).
#' @references
#' Ribeiro, R. P. (2011). *Utility-based regression*. PhD thesis,
#' University of Porto.
#'
#' Torgo, L., Ribeiro, R. P., Pfahringer, B. and Branco, P. (2013). SMOTE
#' for regression. *EPIA 2013*, LNCS 8154, 378-389.
#' @seealso [sg_oversample()] with `method = "smoter"` or `"smogn"`.
#' @examples
#' y <- c(exp(rnorm(200)), 15, 20)
#' phi <- sg_relevance(y)
#' attr(phi, "control")
#' plot(y, phi)
#'
#' # high values only: relevance 0 up to 5, 1 from 10
#' phi2 <- sg_relevance(y, relevance = cbind(y = c(5, 10), phi = c(0, 1)))
#' table(phi2 >= 0.8)
#' @export
sg_relevance <- function(y, relevance = NULL) {
  call <- sys.call()
  check_numeric_outcome_values(y, "y", call = call)
  control <- relevance_control(y, check_relevance(relevance, "relevance", call = call))
  out <- relevance_values(y, control)
  attr(out, "control") <- control
  out
}

# The box-plot control points (Ribeiro's "extremes", both tails): a matrix
# with columns y, phi and slope, sorted by y, distinct y.
relevance_control <- function(y, relevance = NULL, coef = 1.5) {
  if (!is.null(relevance)) return(relevance)
  s <- grDevices::boxplot.stats(y, coef = coef)$stats
  lo <- if (any(y < s[1])) c(s[1], 1) else c(min(y), 0)
  hi <- if (any(y > s[5])) c(s[5], 1) else c(max(y), 0)
  pts <- rbind(lo, c(s[3], 0), hi)
  # the median at an end (a column of mostly equal values): one point there
  pts <- pts[!duplicated(pts[, 1]), , drop = FALSE]
  cbind(y = pts[, 1], phi = pts[, 2], slope = 0)
}

# phi at y: cubic Hermite on each interval between control points, the end
# values beyond them, held to [0, 1].
relevance_values <- function(y, control) {
  cy <- control[, 1]
  cp <- control[, 2]
  cs <- control[, 3]
  m <- length(cy)
  out <- numeric(length(y))
  out[y <= cy[1]] <- cp[1]
  out[y >= cy[m]] <- cp[m]
  inside <- which(y > cy[1] & y < cy[m])
  if (length(inside) > 0) {
    i <- findInterval(y[inside], cy, rightmost.closed = TRUE)
    h <- cy[i + 1] - cy[i]
    t <- (y[inside] - cy[i]) / h
    t2 <- t * t
    t3 <- t2 * t
    out[inside] <- (2 * t3 - 3 * t2 + 1) * cp[i] + (t3 - 2 * t2 + t) * h * cs[i] +
      (-2 * t3 + 3 * t2) * cp[i + 1] + (t3 - t2) * h * cs[i + 1]
  }
  pmin(pmax(out, 0), 1)
}

# Monotone slopes for user control points without a slope column: the
# weighted harmonic mean of the adjacent secants where they have the same
# sign, 0 at a local extreme, a flat stretch and both ends.
monotone_slopes <- function(cy, cp) {
  m <- length(cy)
  slope <- numeric(m)
  if (m < 3) return(slope)
  h <- diff(cy)
  delta <- diff(cp) / h
  for (i in 2:(m - 1)) {
    a <- delta[i - 1]
    b <- delta[i]
    if (a * b > 0) {
      w1 <- 2 * h[i] + h[i - 1]
      w2 <- h[i] + 2 * h[i - 1]
      slope[i] <- (w1 + w2) / (w1 / a + w2 / b)
    }
  }
  slope
}

# User control points: checked, sorted by y, with their slopes.
check_relevance <- function(relevance, arg, call = NULL) {
  if (is.null(relevance)) return(NULL)
  if (is.data.frame(relevance)) relevance <- as.matrix(relevance)
  ok <- is.matrix(relevance) && is.numeric(relevance) && ncol(relevance) %in% 2:3 &&
    nrow(relevance) >= 2 && !anyNA(relevance) && all(is.finite(relevance))
  if (ok) {
    relevance <- relevance[order(relevance[, 1]), , drop = FALSE]
    ok <- !anyDuplicated(relevance[, 1]) && all(relevance[, 2] >= 0 & relevance[, 2] <= 1)
  }
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be NULL or a numeric matrix of control points: columns `y`, `phi` (in [0, 1]) and optionally the slope, at least two rows with distinct `y`, no missing values.", arg),
               sprintf("It is %s.", describe(relevance)),
               sprintf("For example `%s = cbind(y = c(10, 20), phi = c(0, 1))` makes values from 20 up fully relevant.", arg)),
             call = call)
  }
  slope <- if (ncol(relevance) == 3) relevance[, 3]
           else monotone_slopes(relevance[, 1], relevance[, 2])
  out <- cbind(y = relevance[, 1], phi = relevance[, 2], slope = as.numeric(slope))
  rownames(out) <- NULL
  out
}

# A numeric outcome: plain double or integer, finite, no NA.
check_numeric_outcome_values <- function(y, what, call = NULL) {
  if (!is.numeric(y) || is.object(y) || !is.null(dim(y))) {
    sg_abort(c(sprintf("%s must be a numeric vector.", what),
               sprintf("It is %s.", describe(y))), call = call)
  }
  bad <- which(!is.finite(y))
  if (length(bad) > 0) {
    sg_abort(c(sprintf("%s has %d missing or infinite value(s), in row(s) %s.",
                       what, length(bad), row_list(bad)),
               "Drop those rows first."), call = call)
  }
  invisible(y)
}
