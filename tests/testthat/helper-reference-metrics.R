# Plain-R references for the metrics the package computes only in C
# (ffi_score_risks(), through eval_metrics()): test-metrics.R compares the
# C pass with these to the bit.

# 1 - Brier / Brier of the constant prediction `prevalence`: 1 is perfect,
# 0 no better than predicting the prevalence for everyone. NA with a note
# when the prevalence is 0 or 1.
metric_scaled_brier <- function(y, p, prevalence = mean(y)) {
  if (!is.finite(prevalence) || prevalence <= 0 || prevalence >= 1) {
    return(na_note(one_class_note(as.logical(y)) %||%
                     "the prevalence is 0 or 1: no reference Brier score"))
  }
  1 - metric_brier(y, p) / (prevalence * (1 - prevalence))
}

# Mean negative log-likelihood (natural log). Probabilities are clamped to
# [eps, 1 - eps] so that a confident miss costs a large, finite amount.
metric_log_loss <- function(y, p, eps = 1e-15) {
  y <- as.logical(y)
  pc <- pmin(pmax(p, eps), 1 - eps)
  -mean(ifelse(y, log(pc), log1p(-pc)))
}
