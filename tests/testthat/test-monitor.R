# sg_monitor(): a labelled batch against an evaluation's fold spread.

monitor_sim <- function(n, seed) {
  set.seed(seed)
  x1 <- rnorm(n)
  x2 <- rnorm(n)
  y <- stats::rbinom(n, 1, stats::plogis(-2 + 1.2 * x1 + 0.8 * x2))
  data.frame(x1 = x1, x2 = x2, y = factor(ifelse(y == 1, "yes", "no"), levels = c("no", "yes")))
}

monitor_setup <- local({
  cache <- NULL
  function() {
    if (is.null(cache)) {
      dev <- monitor_sim(1000, 1)
      ev <- sg_evaluate(dev, "y", samplers = sg_sampler("none"),
                        resamples = sg_folds(folds = 5, repeats = 2), holdout = 0, seed = 1)
      fit <- stats::glm(y ~ x1 + x2, data = dev, family = stats::binomial())
      cache <<- list(dev = dev, ev = ev, fit = fit)
    }
    cache
  }
})

test_that("a batch from the validated distribution is mostly ok", {
  s <- monitor_setup()
  alerts <- character()
  for (i in 1:3) {
    batch <- monitor_sim(200, 100 + i)
    m <- sg_monitor(s$fit, batch, "y", s$ev, B = 100, seed = i)
    expect_s3_class(m, "sg_monitor")
    expect_identical(m$table$metric, c("pr_auc", "recall", "brier", "cal_intercept", "cal_slope"))
    expect_true(all(m$table$lower <= m$table$estimate & m$table$estimate <= m$table$upper))
    alerts <- c(alerts, m$table$alert)
  }
  expect_false(anyNA(alerts))
  expect_false(any(alerts == "act"))
  expect_gte(mean(alerts == "ok"), 0.8)
  # the baseline row and threshold chosen by default, and said so
  expect_identical(m$sampler, "none")
  expect_identical(m$learner, "glm")
  expect_match(m$row_choice, "default")
  thr <- s$ev$thresholds$threshold[s$ev$thresholds$rep > 0]
  expect_equal(m$threshold, stats::median(thr))
})

test_that("the batch's estimates are eval_metrics()'s and the spread the folds'", {
  s <- monitor_setup()
  batch <- monitor_sim(200, 7)
  p <- stats::predict(s$fit, batch, type = "response")
  m <- sg_monitor(p, batch, "y", s$ev, threshold = 0.2, B = 20, seed = 1)
  ref <- smoteguard:::eval_metrics(batch$y == "yes", p, 0.2)
  expect_equal(m$table$estimate, unname(ref[m$table$metric]))
  # a model and its predictions give the same check
  m2 <- sg_monitor(s$fit, batch, "y", s$ev, threshold = 0.2, B = 20, seed = 1)
  expect_identical(m2$table, m$table)
  folds <- s$ev$metrics[s$ev$metrics$rep > 0 & s$ev$metrics$corrected &
                          s$ev$metrics$metric == "brier", "value"]
  row <- m$table[m$table$metric == "brier", ]
  expect_equal(c(row$base_mean, row$base_sd, row$base_min, row$base_max),
               c(mean(folds), stats::sd(folds), min(folds), max(folds)))
  expect_identical(row$base_folds, 10L)
})

test_that("predictions shifted upwards get act on calibration-in-the-large", {
  s <- monitor_setup()
  batch <- monitor_sim(400, 11)
  p <- stats::predict(s$fit, batch, type = "response")
  m <- sg_monitor(stats::plogis(stats::qlogis(p) + 1.5), batch, "y", s$ev, B = 100, seed = 2)
  tab <- m$table
  expect_identical(tab$alert[tab$metric == "cal_intercept"], "act")
  expect_lt(tab$upper[tab$metric == "cal_intercept"], tab$base_min[tab$metric == "cal_intercept"])
  expect_identical(tab$alert[tab$metric == "brier"], "act")
  # ranking is untouched by a monotone shift
  expect_identical(tab$alert[tab$metric == "pr_auc"], "ok")
})

test_that("the alert rule is the one documented", {
  t <- data.frame(metric = c("pr_auc", "brier", "cal_slope", "cal_slope", "recall"),
                  estimate = c(0.5, 0.2, 1.5, 0.9, NA), lower = c(0.4, 0.15, 1.1, 0.8, NA),
                  upper = c(0.58, 0.25, 1.8, 1.0, NA), base_mean = c(0.7, 0.1, 1, 1, 0.5),
                  base_sd = c(0.05, 0.01, 0.1, 0.1, 0.1), base_min = c(0.6, 0.08, 0.9, 0.9, 0.4),
                  base_max = c(0.8, 0.12, 1.1, 1.1, 0.6), base_folds = 5L,
                  harmful = c("lower", "higher", "both", "both", "lower"))
  # pr_auc: interval below the range; brier: interval above; slope 1.5: its
  # interval above the mean 1 but not above the range; slope 0.9: ok;
  # recall NA
  expect_identical(smoteguard:::monitor_alert(t), c("act", "act", "watch", "ok", NA))
})

test_that("a batch with one class: the metrics needing both are NA with a note", {
  s <- monitor_setup()
  batch <- monitor_sim(300, 12)
  batch <- batch[batch$y == "no", ]
  m <- expect_silent(sg_monitor(s$fit, batch, "y", s$ev, B = 20, seed = 1))
  tab <- m$table
  need_both <- c("pr_auc", "recall", "cal_intercept", "cal_slope")
  expect_true(all(is.na(tab$estimate[tab$metric %in% need_both])))
  expect_true(all(is.na(tab$alert[tab$metric %in% need_both])))
  expect_true(all(grepl("no positive case", tab$note[tab$metric %in% need_both])))
  expect_false(is.na(tab$estimate[tab$metric == "brier"]))
  expect_false(is.na(tab$alert[tab$metric == "brier"]))
  expect_identical(m$events, 0L)
  expect_snapshot(print(m))
})

test_that("monitoring checks go to the ledger and come back", {
  s <- monitor_setup()
  path <- tempfile(fileext = ".jsonl")
  on.exit(unlink(c(path, paste0(path, ".lock"))))
  sg_ledger_append(s$ev, path)
  led <- sg_ledger_read(path)
  batch <- monitor_sim(200, 21)
  # the baseline from its ledger entry gives the same check as the evaluation
  m <- sg_monitor(s$fit, batch, "y", led[1, ], B = 50, seed = 3, label = "week 1")
  m0 <- sg_monitor(s$fit, batch, "y", s$ev, B = 50, seed = 3, label = "week 1")
  expect_identical(m$table, m0$table)
  expect_identical(m$baseline$ledger_id, led$id[1])
  m2 <- sg_monitor(s$fit, monitor_sim(200, 22), "y", led$entry[[1]], B = 50, seed = 4,
                   label = "week 2")
  id <- sg_ledger_append(m, path, why = "week 1")
  sg_ledger_append(m2, path)
  led <- sg_ledger_read(path)
  expect_identical(led$kind, c("evaluation", "monitor", "monitor"))
  expect_identical(led$id[2], id)
  back <- led$entry[[2]]$monitor
  expect_identical(back$table, m$table)
  expect_identical(back[setdiff(names(back), "time")],
                   unclass(m)[setdiff(names(m), "time")])
  expect_equal(as.double(back$time), as.double(m$time))
  expect_identical(led$metrics[[3]], m2$table)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  shown <- sg_monitor_plot(led)
  expect_length(shown, 2)
  expect_identical(vapply(shown, function(x) x$label, ""), c("week 1", "week 2"))
  expect_identical(sg_monitor_plot(list(m, m2), m0, order = "given")[[3]]$label, "week 1")
  expect_silent(plot(m))
})

test_that("a batch's drift check: run from the reference, or given; kept in the ledger", {
  s <- monitor_setup()
  batch <- monitor_sim(200, 51)
  batch$x2 <- batch$x2 + 1
  p <- stats::predict(s$fit, batch, type = "response")
  m <- sg_monitor(p, batch, "y", s$ev, B = 20, seed = 6, drift = s$dev)
  expect_s3_class(m$drift, "sg_drift")
  # the same as sg_drift() of the batch with the monitor's seed
  expect_identical(m$drift, sg_drift(s$dev, batch, "y", seed = 6))
  expect_identical(sg_monitor(p, batch, "y", s$ev, B = 20, seed = 6, drift = m$drift)$drift,
                   m$drift)
  expect_identical(smoteguard:::drift_flagged(m$drift)$feature[1], "x2")
  expect_output(print(m), "drift: [0-9]+ of 3 feature\\(s\\) flagged, largest shift first: `x2`")
  expect_null(sg_monitor(p, batch, "y", s$ev, B = 20, seed = 6)$drift)
  path <- tempfile(fileext = ".jsonl")
  on.exit(unlink(c(path, paste0(path, ".lock"))))
  sg_ledger_append(m, path)
  expect_identical(sg_ledger_read(path)$entry[[1]]$monitor$drift, m$drift)
  expect_error(sg_monitor(p, batch, "y", s$ev, drift = sg_drift(s$dev, batch[1:50, ], "y")),
               "batch of 50 rows", class = "smoteguard_error_input")
  expect_error(sg_monitor(p, batch, "y", s$ev, drift = "dev"), "`drift` must be",
               class = "smoteguard_error_input")
})

test_that("as.data.frame() and print()", {
  s <- monitor_setup()
  batch <- monitor_sim(200, 31)
  m <- sg_monitor(s$fit, batch, "y", s$ev, B = 50, seed = 5, label = "batch A")
  df <- as.data.frame(m)
  expect_identical(nrow(df), 5L)
  expect_true(all(c("label", "time", "metric", "estimate", "alert", "note") %in% names(df)))
  expect_snapshot(print(m))
})

test_that("bad input gets classed errors that say how to fix it", {
  s <- monitor_setup()
  batch <- monitor_sim(50, 41)
  p <- stats::predict(s$fit, batch, type = "response")
  expect_snapshot(error = TRUE, {
    sg_monitor(numeric(), batch[0, ], "y", s$ev)
    sg_monitor(p[-1], batch, "y", s$ev)
    sg_monitor(p * 3, batch, "y", s$ev)
    sg_monitor(p, batch, "y", list(a = 1))
    sg_monitor(p, batch, "y", s$ev, sampler = "smote")
  })
  expect_error(sg_monitor(numeric(), batch[0, ], "y", s$ev), class = "smoteguard_error_empty_batch")
  expect_error(sg_monitor(p[-1], batch, "y", s$ev), class = "smoteguard_error_input")
  expect_error(sg_monitor(c(p[-1], NA), batch, "y", s$ev), "missing value", class = "smoteguard_error_input")
  expect_error(sg_monitor(stats::qlogis(p), batch, "y", s$ev), "\\[0, 1\\]",
               class = "smoteguard_error_input")
  expect_error(sg_monitor(p, batch, "y", s$dev), class = "smoteguard_error_not_evaluation")
  expect_error(sg_monitor(p, batch, "y", "ev"), class = "smoteguard_error_not_evaluation")
  bad <- batch
  bad$y <- factor(ifelse(bad$y == "yes", "event", "no"))
  expect_error(sg_monitor(p, bad, "y", s$ev), "did not have", class = "smoteguard_error_input")
  expect_error(sg_monitor(p, batch, "y", s$ev, learner = "ranger"), "no learner",
               class = "smoteguard_error_input")
  expect_error(sg_monitor(p, batch, "y", s$ev, threshold = 2), "threshold",
               class = "smoteguard_error_input")
  expect_error(sg_monitor(s$fit, batch["y"], "y", s$ev), "could not predict",
               class = "smoteguard_error_learner")
})
