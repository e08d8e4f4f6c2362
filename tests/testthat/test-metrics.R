# The metric functions (R/metrics.R): hand-computed cases, ties, one class,
# properties, and agreement with yardstick, pROC and scikit-learn.

# A small case used throughout, rows already in decreasing order of p:
#   p: .9 .8 .7 .6 .5 .4 .3 .2
#   y:  1  0  1  1  0  0  1  0
hand_y <- c(1, 0, 1, 1, 0, 0, 1, 0)
hand_p <- c(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2)

# ---------------------------------------------------------------------------
# Ranking

test_that("average precision: the hand-computed case", {
  # positives at ranks 1, 3, 4, 7: precision 1/1, 2/3, 3/4, 4/7 there;
  # AP = (1 + 2/3 + 3/4 + 4/7) / 4
  expect_equal(metric_pr_auc(hand_y, hand_p), (1 + 2 / 3 + 3 / 4 + 4 / 7) / 4)
  # logical y gives the same
  expect_equal(metric_pr_auc(hand_y == 1, hand_p), metric_pr_auc(hand_y, hand_p))
  # perfect ranking: 1
  expect_equal(metric_pr_auc(c(1, 1, 0, 0), c(0.9, 0.8, 0.2, 0.1)), 1)
})

test_that("average precision: tied scores are one threshold", {
  # p: .9 | .5 .5 .5 .5;  y: 1 | 1 0 1 0  (3 positives)
  # threshold .9: TP 1, FP 0 -> precision 1,  recall 1/3
  # threshold .5: TP 3, FP 2 -> precision 3/5, recall 1
  # AP = 1/3 * 1 + 2/3 * 3/5 = 11/15. Breaking the tie with the positives
  # first would give 1, with the negatives first (1 + 2/4 + 3/5) / 3 = 0.7.
  y <- c(1, 1, 0, 1, 0)
  p <- c(0.9, 0.5, 0.5, 0.5, 0.5)
  expect_equal(metric_pr_auc(y, p), 11 / 15)
  # the order of the rows within a tie does not matter
  expect_equal(metric_pr_auc(rev(y), rev(p)), 11 / 15)
  expect_equal(metric_pr_auc(y[c(1, 3, 5, 2, 4)], p[c(1, 3, 5, 2, 4)]), 11 / 15)
  # every score equal: AP is the prevalence
  expect_equal(metric_pr_auc(c(1, 0, 0, 0), rep(0.3, 4)), 1 / 4)
})

test_that("ROC AUC: the hand-computed case and ties counted 1/2", {
  # pairs won by the positive: rank 1 beats 4 negatives, ranks 3 and 4
  # beat 3 each, rank 7 beats 1: 11 of 16
  expect_equal(metric_roc_auc(hand_y, hand_p), 11 / 16)
  # p: .7 .7 .4 .2; y: 1 0 1 0. Pairs (pos, neg): (.7, .7) 1/2, (.7, .2) 1,
  # (.4, .7) 0, (.4, .2) 1 -> 2.5 / 4
  expect_equal(metric_roc_auc(c(1, 0, 1, 0), c(0.7, 0.7, 0.4, 0.2)), 0.625)
  expect_equal(metric_roc_auc(c(1, 0, 1, 0), rep(0.5, 4)), 0.5)
  expect_equal(metric_roc_auc(c(0, 0, 1, 1), c(0.1, 0.2, 0.3, 0.4)), 1)
  expect_equal(metric_roc_auc(c(1, 1, 0, 0), c(0.1, 0.2, 0.3, 0.4)), 0)
})

test_that("ranking metrics are invariant to monotone transforms of p", {
  set.seed(11)
  y <- rbinom(200, 1, 0.3)
  p <- round(runif(200), 2)   # with ties
  for (f in list(function(x) x^3, stats::qlogis, function(x) exp(5 * x))) {
    q <- f(p)
    expect_equal(metric_roc_auc(y, q), metric_roc_auc(y, p))
    expect_equal(metric_pr_auc(y, q), metric_pr_auc(y, p))
  }
})

# ---------------------------------------------------------------------------
# Accuracy of the risks

test_that("Brier, scaled Brier and log-loss: hand-computed", {
  # y 1, 0; p .8, .4: Brier ((.2)^2 + (.4)^2) / 2 = 0.1; prev 1/2, so
  # scaled 1 - 0.1 / 0.25 = 0.6; log-loss -(log .8 + log .6) / 2
  expect_equal(metric_brier(c(1, 0), c(0.8, 0.4)), 0.1)
  expect_equal(metric_scaled_brier(c(1, 0), c(0.8, 0.4)), 0.6)
  expect_equal(metric_scaled_brier(c(1, 0), c(0.8, 0.4), prevalence = 0.2),
               1 - 0.1 / 0.16)
  expect_equal(metric_log_loss(c(1, 0), c(0.8, 0.4)), -(log(0.8) + log(0.6)) / 2)
  # a confident miss is clamped, not infinite
  expect_equal(metric_log_loss(c(1, 0), c(0, 0)), -(log(1e-15) + log1p(-0)) / 2)
  expect_true(is.finite(metric_log_loss(c(1, 0), c(0, 1))))
})

test_that("the Brier score of the prevalence as a constant is prev (1 - prev)", {
  y <- c(rep(1, 3), rep(0, 7))
  expect_equal(metric_brier(y, rep(0.3, 10)), 0.3 * 0.7)
  expect_equal(metric_scaled_brier(y, rep(0.3, 10)), 0)
})

# ---------------------------------------------------------------------------
# Calibration

test_that("calibration: hand-computed intercept, a constant prediction", {
  # p = 1/2 for everyone, 1 event in 4: the offset is 0, so the intercept
  # is logit(1/4); the slope is undefined (one value of the log-odds)
  cal <- metric_calibration(c(1, 0, 0, 0), rep(0.5, 4))
  expect_equal(cal$intercept, qlogis(0.25), tolerance = 1e-6)
  expect_true(is.na(cal$slope))
  expect_match(attr(cal, "note"), "same")
  # p = 1/4 for everyone, 1 event in 4: intercept 0
  expect_equal(metric_calibration(c(1, 0, 0, 0), rep(0.25, 4))$intercept, 0,
               tolerance = 1e-6)
})

test_that("calibration of a logistic fit on its own rows: intercept 0, slope 1", {
  # the score equations of the fit make both exact
  set.seed(3)
  x <- rnorm(300)
  y <- rbinom(300, 1, plogis(-1 + x))
  p <- fitted(glm(y ~ x, family = binomial))
  cal <- metric_calibration(y, p)
  expect_equal(cal$intercept, 0, tolerance = 1e-6)
  expect_equal(cal$slope, 1, tolerance = 1e-6)
  # risks made too extreme (log-odds doubled): slope 1/2
  expect_equal(metric_calibration(y, plogis(2 * qlogis(p)))$slope, 0.5,
               tolerance = 1e-6)
})

test_that("calibration on data simulated from the model: intercept 0, slope 1 within error", {
  set.seed(4)
  n <- 20000
  lp <- -2 + rnorm(n)
  y <- rbinom(n, 1, plogis(lp))
  cal <- metric_calibration(y, plogis(lp))
  # standard errors about 0.025 and 0.03 here: 4 of them
  expect_lt(abs(cal$intercept), 0.1)
  expect_lt(abs(cal$slope - 1), 0.12)
  # risks too high by a factor in the odds: intercept about -log(3)
  cal_high <- metric_calibration(y, plogis(lp + log(3)))
  expect_lt(abs(cal_high$intercept + log(3)), 0.1)
})

test_that("ICI: the loess of y on p at R's defaults, NA below 20 rows", {
  set.seed(5)
  y <- rbinom(100, 1, 0.4)
  p <- runif(100)
  # the paper's computation with loess()'s defaults (span 0.75, degree 2)
  smooth <- predict(loess(y ~ p))
  expect_equal(metric_ici(y, p), mean(abs(p - smooth)))
  small <- metric_ici(y[1:19], p[1:19])
  expect_true(is.na(small))
  expect_match(attr(small, "note"), "19 rows")
})

test_that("ICI: near 0 when calibrated, near mean |p - risk| when not", {
  # n = 5000: seeds 1-4 gave ICI 0.005-0.013 for the true risks, and
  # 0.98-1.05 times mean |p - risk| for risks too high
  set.seed(6)
  n <- 5000
  risk <- plogis(-1 + rnorm(n))
  y <- rbinom(n, 1, risk)
  expect_lt(metric_ici(y, risk), 0.025)
  high <- plogis(qlogis(risk) + 1)
  expect_equal(metric_ici(y, high), mean(abs(high - risk)), tolerance = 0.1)
})

# ---------------------------------------------------------------------------
# Thresholds and decision curves

test_that("classification at a threshold: the hand-computed case", {
  # p >= .5 called positive: rows 1-5, of which 1, 3, 4 are positive.
  # TP 3, FP 2, TN 2, FN 1: recall 3/4, precision 3/5, F1 6/9,
  # specificity 2/4, balanced accuracy 5/8, MCC (3*2 - 2*1) / sqrt(5*4*4*3)
  at <- metric_threshold(hand_y, hand_p, 0.5)
  expect_equal(unlist(at[c("tp", "fp", "tn", "fn")]),
               c(tp = 3, fp = 2, tn = 2, fn = 1))
  expect_equal(at$recall, 3 / 4)
  expect_equal(at$precision, 3 / 5)
  expect_equal(at$f1, 6 / 9)
  expect_equal(at$specificity, 2 / 4)
  expect_equal(at$balanced_accuracy, 5 / 8)
  expect_equal(at$mcc, 4 / sqrt(240))
})

test_that("classification at a grid of thresholds: one row each, p >= t", {
  grid <- c(0, 0.6, 0.65, 0.95)
  at <- metric_threshold(hand_y, hand_p, grid)
  expect_equal(nrow(at), 4)
  expect_equal(at$threshold, grid)
  # t = 0: everyone positive; t = .6 includes the row at .6 (TP 3, FP 1);
  # t = .65: rows .9, .8, .7 (TP 2, FP 1); t = .95: no one
  expect_equal(at$tp, c(4, 3, 2, 0))
  expect_equal(at$fp, c(4, 1, 1, 0))
  expect_equal(at$tn, 4 - at$fp)
  expect_equal(at$fn, 4 - at$tp)
  # nothing called positive: precision and MCC undefined, F1 0, recall 0
  expect_true(is.na(at$precision[4]))
  expect_true(is.na(at$mcc[4]))
  expect_equal(at$f1[4], 0)
  # every row each threshold agrees with the single-threshold call
  for (i in seq_along(grid)) {
    expect_equal(metric_threshold(hand_y, hand_p, grid[i]), at[i, ],
                 ignore_attr = TRUE)
  }
})

test_that("net benefit: hand-computed, treat-all and treat-none", {
  # t = .5: TP 3, FP 2 of 8: 3/8 - 2/8 * 1 = 1/8; treat-all 1/2 - 1/2 = 0
  nb <- metric_net_benefit(hand_y, hand_p, c(0, 0.5, 0.25))
  expect_equal(nb$net_benefit[2], 1 / 8)
  expect_equal(nb$treat_all[2], 0)
  expect_equal(nb$treat_none, c(0, 0, 0))
  # t = .25: rows p >= .25 are the 7 first, TP 4, FP 3; odds 1/3
  expect_equal(nb$net_benefit[3], 4 / 8 - 3 / 8 / 3)
  expect_equal(nb$treat_all[3], 1 / 2 - 1 / 2 / 3)
  # treat-all at t = 0 is the prevalence, and so is the model there
  set.seed(7)
  y <- rbinom(50, 1, 0.2)
  nb0 <- metric_net_benefit(y, runif(50), 0)
  expect_equal(nb0$treat_all, mean(y))
  expect_equal(nb0$net_benefit, mean(y))
})

test_that("threshold at matched sensitivity: the largest t with recall >= target", {
  # positives' scores: .9, .7, .6, .3
  expect_equal(threshold_matched_sensitivity(hand_y, hand_p, 0.5), 0.7)
  expect_equal(threshold_matched_sensitivity(hand_y, hand_p, 0.3), 0.7)
  expect_equal(threshold_matched_sensitivity(hand_y, hand_p, 0.75), 0.6)
  expect_equal(threshold_matched_sensitivity(hand_y, hand_p, 1), 0.3)
  # 0.3 * 10 is 3.0000000000000004 in doubles: still the 3rd score
  y <- rep(1:0, each = 10)
  p <- c(seq(1, 0.55, by = -0.05), seq(0.5, 0.05, by = -0.05))
  expect_equal(threshold_matched_sensitivity(y, p, 0.3), 0.9)
  # the recall there reaches the target, and a little higher does not
  set.seed(8)
  y <- rbinom(300, 1, 0.3)
  p <- round(runif(300), 2)
  for (target in c(0.2, 0.5, 0.8, 0.9)) {
    t <- threshold_matched_sensitivity(y, p, target)
    expect_gte(metric_threshold(y, p, t)$recall, target)
    expect_lt(metric_threshold(y, p, t + 1e-9)$recall, target)
  }
  none <- threshold_matched_sensitivity(c(0, 0), c(0.1, 0.2), 0.5)
  expect_true(is.na(none))
  expect_match(attr(none, "note"), "no positive")
})

test_that("matched sensitivity of many sets at once: each set's own threshold and rates", {
  set.seed(81)
  for (case in 1:40) {
    n_sets <- sample(1:8, 1)
    size <- sample(c(1:3, 20:60), n_sets, replace = TRUE)
    set <- rep.int(seq_len(n_sets), size)
    y <- runif(length(set)) < runif(n_sets)[set]
    p <- round(runif(length(set)), sample(c(1, 2, 15), 1))  # ties at one or two digits
    target <- sample(c(NA, 0, 0.3, 0.5, 0.77, 1, 1.2), n_sets, replace = TRUE)
    t <- matched_thresholds(y, p, set, target)
    rates <- matched_rates_at(y, p, set, t)
    for (s in seq_len(n_sets)) {
      ys <- y[set == s]
      ps <- p[set == s]
      if (is.na(target[s]) || !any(ys)) {
        expect_identical(t[s], NA_real_)
        expect_true(all(is.na(vapply(rates, `[`, numeric(1), s))))
        next
      }
      # the k-th highest positive score, from a full sort
      k <- min(max(ceiling(target[s] * sum(ys) - sqrt(.Machine$double.eps)), 1), sum(ys))
      expect_identical(t[s], sort(ps[ys], decreasing = TRUE)[k])
      expect_identical(lapply(rates, `[`, s), threshold_at(ys, ps, t[s]))
    }
  }
})

# ---------------------------------------------------------------------------
# All headline metrics; one class

test_that("eval_metrics(): every headline metric, in order", {
  set.seed(9)
  y <- rbinom(200, 1, 0.3)
  p <- plogis(qlogis(0.3) + y + rnorm(200))
  m <- eval_metrics(y, p, threshold = 0.4)
  expect_named(m, c("pr_auc", "roc_auc", "brier", "scaled_brier", "log_loss",
                    "cal_intercept", "cal_slope", "ici", "recall", "precision",
                    "f1", "specificity", "balanced_accuracy", "mcc"))
  expect_length(attr(m, "notes"), 0)
  cal <- metric_calibration(y, p)
  at <- metric_threshold(y, p, 0.4)
  expect_equal(as.vector(m), c(metric_pr_auc(y, p), metric_roc_auc(y, p),
                            metric_brier(y, p), metric_scaled_brier(y, p),
                            metric_log_loss(y, p), cal$intercept, cal$slope,
                            metric_ici(y, p), at$recall, at$precision, at$f1,
                            at$specificity, at$balanced_accuracy, at$mcc))
})

test_that("eval_metrics(): missing values are the caller's to handle, a classed error", {
  # every caller checks at the door (sg_metrics(), sg_monitor(), a
  # learner's output); the scoring refuses rather than returning NA
  y <- c(TRUE, FALSE, TRUE, FALSE)
  expect_error(eval_metrics(y, c(0.9, NA, 0.6, 0.4), 0.5),
               class = "smoteguard_error_input")
  expect_error(eval_metrics(c(TRUE, NA, TRUE, FALSE), c(0.9, 0.2, 0.6, 0.4), 0.5),
               "outcome has 1 missing value")
  expect_snapshot(eval_metrics(y, c(NA, NA, 0.6, 0.4), 0.5), error = TRUE)
})

test_that("one class: NA with a note, never an error", {
  set.seed(10)
  p <- runif(40)
  for (y in list(rep(0, 40), rep(1, 40), rep(FALSE, 40))) {
    m <- eval_metrics(y, p, 0.5)
    need_both <- c("pr_auc", "roc_auc", "scaled_brier", "cal_intercept",
                   "cal_slope", "ici", "balanced_accuracy", "mcc")
    expect_true(all(is.na(m[need_both])))
    expect_true(all(need_both %in% names(attr(m, "notes"))))
    expect_match(attr(m, "notes")[["roc_auc"]], "no (positive|negative) case")
    # the risks' accuracy needs one class only
    expect_false(anyNA(m[c("brier", "log_loss")]))
  }
  expect_true(is.na(metric_roc_auc(rep(1, 3), c(0.1, 0.2, 0.3))))
  expect_true(is.na(metric_pr_auc(rep(0, 3), c(0.1, 0.2, 0.3))))
  expect_match(attr(metric_calibration(rep(0, 5), runif(5)), "note"),
               "no positive")
})

# ---------------------------------------------------------------------------
# Bootstrap

test_that("bootstrap_metric(): stratified percentile intervals, seeded", {
  set.seed(12)
  y <- rbinom(150, 1, 0.2)
  p <- plogis(qlogis(0.2) + y + rnorm(150))
  before <- .Random.seed
  b1 <- bootstrap_metric(y, p, metric_roc_auc, B = 100, seed = 1)
  expect_identical(.Random.seed, before)   # the caller's stream untouched
  b2 <- bootstrap_metric(y, p, metric_roc_auc, B = 100, seed = 1)
  expect_identical(b1, b2)
  expect_equal(b1$estimate, metric_roc_auc(y, p))
  expect_true(b1$lower < b1$estimate && b1$estimate < b1$upper)
  expect_equal(b1$valid, 100)
  # the same draws, by hand: stratified resamples of each class
  set.seed(1)
  pos <- which(y == 1); neg <- which(y == 0)
  auc <- vapply(1:100, function(b) {
    i <- c(pos[sample.int(length(pos), length(pos), replace = TRUE)],
           neg[sample.int(length(neg), length(neg), replace = TRUE)])
    metric_roc_auc(y[i], p[i])
  }, numeric(1))
  expect_equal(c(b1$lower, b1$upper), unname(quantile(auc, c(0.025, 0.975))))
  # a vector-valued metric: one row per metric
  all <- bootstrap_metric(y, p, eval_metrics, B = 20, seed = 2)
  expect_equal(all$metric, names(eval_metrics(y, p)))
})

# ---------------------------------------------------------------------------
# sg_metrics()

test_that("sg_metrics(): factor, character, logical and 0/1 truth agree", {
  set.seed(13)
  y <- rbinom(60, 1, 0.3)
  p <- plogis(qlogis(0.3) + y + rnorm(60))
  f <- factor(ifelse(y == 1, "yes", "no"), levels = c("no", "yes"))
  ref <- sg_metrics(f, p)
  expect_s3_class(ref, "data.frame")
  expect_named(ref, c("metric", "value"))
  expect_equal(ref$value, as.vector(eval_metrics(y, p, mean(y))))
  expect_equal(attr(ref, "threshold"), mean(y))
  expect_equal(attr(ref, "positive"), "yes")
  expect_equal(sg_metrics(as.character(f), p, positive = "yes"), ref)
  expect_equal(sg_metrics(y == 1, p)$value, ref$value)
  expect_equal(sg_metrics(y, p)$value, ref$value)
  # positive = the first level: the outcome flips
  flipped <- sg_metrics(f, 1 - p, positive = "no")
  expect_equal(flipped$value[flipped$metric == "roc_auc"],
               ref$value[ref$metric == "roc_auc"])
  # positive = 0 or FALSE for a 0/1 or logical truth
  expect_equal(sg_metrics(y, 1 - p, positive = 0)$value, flipped$value)
  expect_equal(sg_metrics(y == 1, 1 - p, positive = FALSE)$value, flipped$value)
  expect_equal(attr(sg_metrics(y == 1, p), "positive"), "TRUE")
  # a threshold given
  expect_equal(sg_metrics(f, p, threshold = 0.5)$value,
               as.vector(eval_metrics(y, p, 0.5)))
})

test_that("sg_metrics() on the shipped data", {
  fit <- glm(diagnosis ~ cell_size + bare_nuclei, data = breast_biopsy,
             family = binomial)
  m <- sg_metrics(breast_biopsy$diagnosis, fitted(fit))
  v <- setNames(m$value, m$metric)
  expect_gt(v[["roc_auc"]], 0.95)
  # fitted on these rows: calibration-in-the-large and slope are exact
  expect_equal(v[["cal_intercept"]], 0, tolerance = 1e-6)
  expect_equal(v[["cal_slope"]], 1, tolerance = 1e-6)
})

test_that("sg_metrics(): a one-class batch gives NA with notes", {
  f <- factor(rep("benign", 30), levels = c("benign", "malignant"))
  m <- sg_metrics(f, seq(0.01, 0.3, by = 0.01))
  expect_true(is.na(m$value[m$metric == "roc_auc"]))
  expect_match(attr(m, "notes")[["roc_auc"]], "no positive case")
  # a character batch of the negative class only
  m2 <- sg_metrics(rep("no", 30), seq(0.01, 0.3, by = 0.01), positive = "yes")
  expect_equal(m2$value, m$value)
})

test_that("sg_metrics(): classed errors for bad input", {
  f <- factor(c("a", "b", "a", "b"))
  p <- c(0.1, 0.8, 0.3, 0.6)
  expect_snapshot(error = TRUE, {
    sg_metrics(f, p[1:3])
    sg_metrics(f, c(0.1, NA, 0.3, NA))
    sg_metrics(f, c(0.1, 1.2, -0.3, 0.6))
    sg_metrics(factor(c("a", "b", "c", "a")), p)
    sg_metrics(f, p, positive = "c")
    sg_metrics(c("a", "b", "a", "b"), p)
    sg_metrics(c(0, 1, 2, 1), p)
    sg_metrics(f, p, threshold = 2)
    sg_metrics(f, matrix(c(p, 1 - p), 4))
    sg_metrics(factor(c("a", NA, "b", "a")), p)
  })
  expect_error(sg_metrics(f, p[1:3]), class = "smoteguard_error_input")
  expect_error(sg_metrics(f, c(0.1, NA, 0.3, NA)), "2 missing",
               class = "smoteguard_error_input")
  expect_error(sg_metrics(f, c(0.1, 1.2, -0.3, 0.6)), "2 do not",
               class = "smoteguard_error_input")
  expect_error(sg_metrics(factor(c("a", "b", "c", "a")), p),
               class = "smoteguard_error_input")
  expect_error(sg_metrics(f, p, positive = "c"), class = "smoteguard_error_input")
  expect_error(sg_metrics(c("a", "b", "a", "b"), p), "positive",
               class = "smoteguard_error_input")
})

# ---------------------------------------------------------------------------
# References: pROC, yardstick, scikit-learn

test_that("ROC AUC agrees with pROC", {
  skip_if_not_installed("pROC")
  set.seed(14)
  y <- rbinom(300, 1, 0.25)
  p <- round(plogis(qlogis(0.25) + y + rnorm(300)), 2)   # ties
  ref <- pROC::auc(pROC::roc(y, p, levels = c(0, 1), direction = "<", quiet = TRUE))
  expect_equal(metric_roc_auc(y, p), as.numeric(ref))
})

test_that("metrics agree with yardstick (event_level = \"second\")", {
  skip_if_not_installed("yardstick")
  set.seed(15)
  y <- rbinom(300, 1, 0.25)
  p <- round(plogis(qlogis(0.25) + y + rnorm(300)), 2)   # ties
  d <- data.frame(truth = factor(y, levels = c(0, 1)), p = p,
                  pred = factor(as.integer(p >= 0.3), levels = c(0, 1)))
  # the positive class "1" is the second level
  yard <- function(f, ...) f(d, truth, ..., event_level = "second")$.estimate
  at <- metric_threshold(y, p, 0.3)
  # yardstick's average_precision() is our PR-AUC; its pr_auc() is the
  # trapezoid under the PR curve, a different summary
  expect_equal(metric_pr_auc(y, p), yard(yardstick::average_precision, p))
  expect_equal(metric_roc_auc(y, p), yard(yardstick::roc_auc, p))
  expect_equal(metric_log_loss(y, p), yard(yardstick::mn_log_loss, p))
  expect_equal(at$mcc, yard(yardstick::mcc, estimate = pred))
  expect_equal(at$f1, yard(yardstick::f_meas, estimate = pred))
  expect_equal(at$recall, yard(yardstick::recall, estimate = pred))
  expect_equal(at$precision, yard(yardstick::precision, estimate = pred))
  expect_equal(at$specificity, yard(yardstick::specificity, estimate = pred))
  expect_equal(at$balanced_accuracy, yard(yardstick::bal_accuracy, estimate = pred))
  if (exists("brier_class", asNamespace("yardstick"))) {
    expect_equal(metric_brier(y, p), yard(yardstick::brier_class, p))
  }
})

test_that("metrics agree with scikit-learn", {
  skip_if_no_sklearn()
  set.seed(16)
  y <- rbinom(500, 1, 0.2)
  p <- round(plogis(qlogis(0.2) + 1.5 * y + rnorm(500)), 2)   # many ties
  dir <- withr::local_tempdir()
  input <- file.path(dir, "in.csv")
  out <- file.path(dir, "out.csv")
  utils::write.table(cbind(y, sprintf("%.17g", p)), input, sep = ",",
                     row.names = FALSE, col.names = FALSE, quote = FALSE)
  script <- file.path(dir, "run.py")
  writeLines(c(
    "import numpy as np",
    "from sklearn import metrics as m",
    sprintf("A = np.loadtxt(%s, delimiter=',')", shQuote(input)),
    "y = A[:, 0].astype(int); p = A[:, 1]",
    "res = [m.average_precision_score(y, p), m.roc_auc_score(y, p),",
    "       m.brier_score_loss(y, p), m.log_loss(y, p)]",
    "yhat = (p >= 0.3).astype(int)",
    "res += [m.recall_score(y, yhat), m.precision_score(y, yhat), m.f1_score(y, yhat),",
    "        m.balanced_accuracy_score(y, yhat), m.matthews_corrcoef(y, yhat)]",
    sprintf("np.savetxt(%s, np.array(res), fmt='%%.17g')", shQuote(out))),
    script)
  status <- system2("/usr/bin/python3", script, stdout = TRUE, stderr = TRUE)
  expect_true(file.exists(out), info = paste(status, collapse = "\n"))
  ref <- scan(out, quiet = TRUE)
  expect_equal(metric_pr_auc(y, p), ref[1], tolerance = 1e-12)
  expect_equal(metric_roc_auc(y, p), ref[2], tolerance = 1e-12)
  expect_equal(metric_brier(y, p), ref[3], tolerance = 1e-12)
  expect_equal(metric_log_loss(y, p), ref[4], tolerance = 1e-12)
  at <- metric_threshold(y, p, 0.3)
  expect_equal(c(at$recall, at$precision, at$f1, at$balanced_accuracy, at$mcc),
               ref[5:9], tolerance = 1e-12)
})

# ---------------------------------------------------------------------------
# The evaluation's scoring: faster paths give the same numbers to the bit

# glm.fit()'s iterations for a logistic regression, in R: what logit_fit()
# ran before it moved to C (src/calibration.c), the reference it must match.
logit_fit_in_r <- function(x, y, offset = NULL) {
  fam <- stats::binomial()
  n <- length(y)
  weights <- rep.int(1, n)
  if (is.null(offset)) offset <- rep.int(0, n)
  mu <- (weights * y + 0.5) / (weights + 1)
  eta <- fam$linkfun(mu)
  mu <- fam$linkinv(eta)
  devold <- sum(fam$dev.resids(y, mu, weights))
  start <- numeric(ncol(x))
  conv <- FALSE
  for (iter in 1:25) {
    mu_eta <- fam$mu.eta(eta)
    z <- (eta - offset) + (y - mu) / mu_eta
    w <- sqrt((weights * mu_eta^2) / fam$variance(mu))
    fit <- stats::.lm.fit(x * w, z * w, min(1e-07, 1e-8 / 1000))
    if (any(!is.finite(fit$coefficients))) return(NULL)
    start[fit$pivot] <- fit$coefficients
    eta <- drop(x %*% start)
    mu <- fam$linkinv(eta <- eta + offset)
    dev <- sum(fam$dev.resids(y, mu, weights))
    if (!is.finite(dev) || !all(is.finite(mu) & mu > 0 & mu < 1)) return(NULL)
    if (abs(dev - devold) / (0.1 + abs(dev)) < 1e-8) {
      conv <- TRUE
      break
    }
    devold <- dev
  }
  if (fit$rank < ncol(x)) start[fit$pivot][seq.int(fit$rank + 1, ncol(x))] <- NA
  list(coefficients = start, converged = conv)
}

test_that("logit_fit() gives the R loop's and glm.fit()'s coefficients to the bit", {
  # with R's reference BLAS; an optimised BLAS may add x %*% b in another
  # order (the R loop's and glm.fit()'s), and the last bits may then differ
  blas <- tolower(extSoftVersion()[["BLAS"]])
  optimised <- grepl("openblas|mkl|atlas|blis|accelerate|veclib|flexiblas", blas)
  expect_same <- if (optimised) {
    function(object, expected) expect_equal(object, expected, tolerance = 1e-10)
  } else {
    expect_identical
  }
  set.seed(31)
  for (k in 1:300) {
    n <- sample(c(8, 30, 110, 400), 1)
    y <- as.double(stats::rbinom(n, 1, stats::runif(1, 0.05, 0.6)))
    # from weak to (near) separated, with ties every seventh
    lp <- sample(c(0.5, 2, 8, 40), 1) * (y - 0.5) + stats::rnorm(n)
    lp <- stats::qlogis(pmin(pmax(stats::plogis(lp), 1e-8), 1 - 1e-8))
    if (k %% 7 == 0) lp <- round(lp)
    for (x in list(matrix(1, n, 1), cbind(1, lp))) {
      off <- if (ncol(x) == 1) lp
      ours <- logit_fit(x, y, off)
      expect_same(ours, logit_fit_in_r(x, y, off))
      g <- suppressWarnings(stats::glm.fit(x, y, offset = off, family = stats::binomial()))
      expect_same(ours$coefficients, unname(g$coefficients))
      expect_identical(ours$converged, g$converged)
    }
  }
  # an aliased column (NA, as glm.fit() reports it) and a separated outcome
  y <- c(0, 0, 0, 1, 1, 1)
  x <- cbind(1, rep(2, 6))
  expect_same(logit_fit(x, y), logit_fit_in_r(x, y))
  expect_true(is.na(logit_fit(x, y)$coefficients[2]))
  x <- cbind(1, c(-3, -2, -1, 1, 2, 3))
  expect_same(logit_fit(x, y), logit_fit_in_r(x, y))
})

test_that("the ICI's smooth is loess()'s fitted values to the bit", {
  set.seed(32)
  for (n in c(20, 25, 110, 137, 600)) {
    y <- as.double(stats::rbinom(n, 1, 0.3))
    p <- stats::plogis(stats::qlogis(0.3) + 2 * (y - 0.3) + stats::rnorm(n))
    for (pp in list(p, round(p, 2), pmin(p * 3, 1))) {
      ref <- unname(stats::fitted(stats::loess(y ~ pp, span = 0.75, degree = 2,
        control = stats::loess.control(trace.hat = "approximate"))))
      expect_identical(loess_smooth()(y, pp), ref)
      expect_identical(metric_ici(y, pp), mean(abs(pp - ref)))
    }
  }
  # on this R, stats' fitting function itself (not the fallback)
  expect_false(identical(loess_smooth(), loess_public))
  # random cases: spreads, ties, risks piled near 0 and 1, sizes; loess()
  # failing (too few distinct values) fails the smooth too
  for (i in 1:300) {
    n <- sample(c(20, 21, 50, 110, 137, 500), 1)
    y <- as.double(stats::runif(n) < stats::runif(1))
    pp <- switch(i %% 4 + 1, stats::runif(n), round(stats::runif(n), sample(1:2, 1)),
                 stats::plogis(stats::rnorm(n, ifelse(y == 1, 4, -4), 2)),
                 sample(c(0.1, 0.2, 0.9), n, TRUE))
    ref <- tryCatch(suppressWarnings(loess_public(y, pp)), error = function(e) "error")
    got <- tryCatch(suppressWarnings(loess_smooth()(y, pp)), error = function(e) "error")
    expect_identical(got, ref)
  }
})

test_that("threshold_at() is metric_threshold() at one threshold", {
  set.seed(33)
  y <- stats::rbinom(90, 1, 0.3)
  p <- round(stats::runif(90), 2)
  for (t in c(0, 0.2, 0.5, p[3], 0.99, 1, NA)) {
    at <- metric_threshold(y, p, t)
    expect_identical(threshold_at(y, p, t), as.list(at[1, -1]))
  }
})

test_that("score_predictions() is eval_metrics() on the raw and the corrected risks", {
  set.seed(34)
  y <- stats::rbinom(120, 1, 0.25)
  p <- stats::plogis(stats::qlogis(0.5) + 2 * y + stats::rnorm(120))
  p[1:10] <- p[11:20]    # ties
  corrected <- sg_correct_prior(p, from = c(no = 0.5, yes = 0.5),
                                to = c(no = 0.75, yes = 0.25), positive = "yes")
  # the prior correction keeps the order and the ties here
  expect_true(same_ranking(p, corrected))
  s <- score_predictions(y, p, corrected, 0.3, TRUE)
  expect_identical(s$raw, eval_metrics(y, p, 0.3))
  expect_identical(s$corrected, eval_metrics(y, corrected, 0.3))
  expect_identical(score_predictions(y, p, p, 0.3, TRUE)$corrected, s$raw)
  expect_null(score_predictions(y, p, corrected, 0.3, FALSE)$corrected)
  # a change of order or of ties: the ranking metrics are computed again
  merged <- corrected
  merged[2] <- merged[1] <- max(merged[1:2])
  if (p[1] != p[2]) expect_false(same_ranking(p, merged))
  expect_false(same_ranking(p, rev(corrected)))
  expect_identical(score_predictions(y, p, rev(corrected), 0.3, TRUE)$corrected,
                   eval_metrics(y, rev(corrected), 0.3))
})

test_that("the ICI's smooths made together are each one's, a failing one NULL", {
  set.seed(35)
  y <- stats::rbinom(60, 1, 0.3) == 1
  p <- stats::plogis(2 * y - 1 + stats::rnorm(60))
  broken <- replace(p, 3, Inf)    # stats' fitting routine refuses it
  tied <- rep(c(0.2, 0.7), 30)    # the smoother warns
  expect_error(loess_smooth()(as.double(y), broken), "Inf")
  expect_identical(tryCatch(loess_smooth()(as.double(y), tied), warning = function(w) "warned"),
                   "warned")
  ys <- list(y, y, y, y[1:20])
  ps <- list(p, broken, tied, p[1:20])
  expect_no_warning(all <- ici_smooths(ys, ps))
  expect_identical(all, Map(ici_smooth, ys, ps, USE.NAMES = FALSE))
  expect_null(all[[2]])
  expect_identical(ici_smooths(ys[-2], ps[-2]), all[-2])
  expect_identical(ici_smooths(list(), list()), list())
  # metric_ici() and the scoring given the smooths are what they make alone
  for (i in seq_along(ys)) {
    expect_identical(metric_ici(ys[[i]], ps[[i]], smoothed = all[i]),
                     metric_ici(ys[[i]], ps[[i]]))
  }
  expect_true(is.na(metric_ici(y, broken, smoothed = all[2])))
  s <- score_predictions(y, p, tied, 0.3, TRUE, list(raw = all[1], corrected = all[3]))
  expect_identical(s, score_predictions(y, p, tied, 0.3, TRUE))
})

test_that("eval_metrics()'s one pass in C gives the R metric functions' numbers to the bit", {
  # the headline metrics as the R functions compute them one by one
  by_functions <- function(y, p, threshold) {
    cal <- metric_calibration(y, p)
    at <- threshold_at(y, p, threshold)
    c(pr_auc = as.double(metric_pr_auc(y, p)), roc_auc = as.double(metric_roc_auc(y, p)),
      brier = metric_brier(y, p), scaled_brier = as.double(metric_scaled_brier(y, p)),
      log_loss = metric_log_loss(y, p), cal_intercept = cal$intercept,
      cal_slope = cal$slope, ici = as.double(metric_ici(y, p)),
      unlist(at[threshold_metric_names]))
  }
  set.seed(35)
  for (i in 1:150) {
    n <- sample(c(1, 2, 5, 19, 20, 60, 137, 900), 1)
    y <- stats::runif(n) < stats::runif(1)
    p <- switch(i %% 6 + 1,
                stats::runif(n),
                round(stats::runif(n), 1),                               # many ties
                stats::plogis(stats::rnorm(n, ifelse(y, 3, -3) * 3)),   # (nearly) separated
                rep(stats::runif(1), n),                                 # one value
                as.double(y),                                            # 0 and 1
                sample(c(0, 1, 0.5, 1e-17, 1 - 1e-16), n, TRUE))
    threshold <- sample(c(mean(y), 0.5, stats::runif(1), NA), 1)
    expect_identical(unclass(eval_metrics(y, p, threshold))[seq_along(eval_metric_names)],
                     by_functions(y, p, threshold))
    q <- stats::plogis(stats::qlogis(p) + 0.4)
    o <- order(p)
    reference <- !anyNA(diff(q[o])) && all(diff(q[o]) >= 0) &&
      identical(diff(p[o]) == 0, diff(q[o]) == 0)
    expect_identical(same_ranking(p, q), reference)
  }
  # a fit that glm.fit() must make (the C loop refuses non-finite steps)
  y <- c(rep(FALSE, 30), rep(TRUE, 30))
  p <- c(rep(1e-300, 30), rep(1, 30))
  expect_identical(unclass(eval_metrics(y, p, 0.5))[seq_along(eval_metric_names)],
                   by_functions(y, p, 0.5))
})
