# Drift (R/drift.R): flags on a shift, false alarms at their rate under no
# drift, references from data or from a record, classed errors.

drift_data <- function(n, shift = 0, p = 10) {
  x <- matrix(stats::rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p))))
  x[, 1] <- x[, 1] + shift
  as.data.frame(x)
}

test_that("a shift of 0.5 sd in one feature is flagged at batch sizes 100 and 500", {
  set.seed(10)
  ref <- drift_data(2000)
  for (m in c(100, 500)) {
    hits <- vapply(1:10, function(i) {
      d <- sg_drift(ref, drift_data(m, shift = 0.5), n_null = 400, seed = i)
      d$table$flagged[1]
    }, logical(1))
    expect_gte(mean(hits), if (m == 100) 0.8 else 1, label = sprintf("share flagged at m = %d", m))
  }
})

test_that("with no drift the per-feature false-alarm rate is within 5% + 3 SE", {
  # reference 2,000 rows, batches of 100 and of 500, 10 features, 200 simulations
  set.seed(20)
  ref <- drift_data(2000)
  bound <- 0.05 + 3 * sqrt(0.05 * 0.95 / 200)
  for (m in c(100, 500)) {
    flags <- vapply(1:200, function(i) {
      sg_drift(ref, drift_data(m), n_null = 200, seed = i)$table$flagged
    }, logical(10))
    rate <- rowMeans(flags)
    expect_true(all(rate <= bound), label = sprintf("m = %d: rates %s", m, paste(rate, collapse = " ")))
    # not blind either: the alarms happen at about their nominal rate overall
    expect_gt(mean(flags), 0.01)
    # the conventional reading alone would raise far more alarms at m = 100
    if (m == 100) {
      psi <- vapply(1:50, function(i) sg_drift(ref, drift_data(m), n_null = 50, seed = i)$table$psi, numeric(10))
      expect_gt(mean(psi > 0.1), 0.2)
    }
  }
})

test_that("a record is a reference: no training data needed; KS approximate", {
  set.seed(3)
  df <- data.frame(y = factor(sample(c("a", "b"), 600, TRUE, prob = c(0.8, 0.2))),
                   u = stats::rnorm(600), v = stats::rexp(600),
                   g = factor(sample(c("p", "q", "r"), 600, TRUE)))
  res <- sg_oversample(df, "y", seed = 1, guard = NULL)
  batch <- df[1:200, ]
  from_rec <- sg_drift(res, batch)
  from_df <- sg_drift(df, batch, var = "y")
  expect_identical(from_rec$source, "record")
  expect_identical(from_rec$table$feature, c("u", "v", "g", "y"))
  expect_identical(from_rec$table$psi, from_df$table$psi)
  expect_identical(from_rec$table$tv, from_df$table$tv)
  expect_true(all(from_rec$table$ks_approx[1:2]))
  expect_true(all(abs(from_rec$table$ks[1:2] - from_df$table$ks[1:2]) <= 0.011))
  expect_false(any(from_rec$table$flagged))
  shifted <- transform(batch, v = v + 1, g = factor(ifelse(g == "r", "p", as.character(g)), levels = c("p", "q", "r")))
  d <- sg_drift(sg_record(res), shifted)
  expect_identical(d$table$flagged, c(FALSE, TRUE, TRUE, FALSE))
})

test_that("missing values, new categories and the class prior are checked", {
  set.seed(4)
  ref <- data.frame(a = stats::rnorm(1000), g = sample(c("x", "y"), 1000, TRUE),
                    y = factor(sample(c("n", "p"), 1000, TRUE, prob = c(0.9, 0.1))))
  cur <- data.frame(a = c(rep(NA, 30), stats::rnorm(170)), g = sample(c("x", "y", "z"), 200, TRUE),
                    y = factor(sample(c("n", "p"), 200, TRUE, prob = c(0.6, 0.4))))
  d <- sg_drift(ref, cur, var = "y")
  t <- as.data.frame(d)
  expect_identical(t$feature, c("a", "g", "y"))
  expect_true(all(t$flagged))
  expect_identical(t$missing_cur[1], 0.15)
  expect_snapshot(print(d))
  f <- withr::local_tempfile(fileext = ".png")
  grDevices::png(f)
  expect_invisible(plot(d))
  grDevices::dev.off()
  # the caller's random stream is left as it was
  set.seed(5)
  before <- .Random.seed
  sg_drift(ref, cur)
  expect_identical(.Random.seed, before)
})

test_that("drift errors are classed and say how to fix them", {
  ref <- data.frame(a = 1:10, b = letters[1:10])
  expect_error(sg_drift(ref, ref[0, ]), "empty batch", class = "smoteguard_error_empty_batch")
  expect_error(sg_drift(ref, data.frame(a = 1:3, c = 1:3)), "Not in `current`: `b`.*Only in `current`: `c`",
               class = "smoteguard_error_columns")
  expect_error(sg_drift(list(1), ref), class = "smoteguard_error_input")
  expect_error(sg_drift(ref, ref, alpha = 2), class = "smoteguard_error_input")
})

test_that("drift checks go to the ledger and read back", {
  set.seed(6)
  d <- sg_drift(data.frame(a = stats::rnorm(300)), data.frame(a = stats::rnorm(100)))
  path <- withr::local_tempfile(fileext = ".jsonl")
  sg_ledger_append(d, path)
  led <- sg_ledger_read(path)
  expect_identical(led$kind, "drift")
  expect_identical(led$entry[[1]]$drift$table, d$table)
})
