# sg_correct_prior(): the log-odds shift for a vector, the reweighting of a
# matrix, shares given or read from a result's record, the checks, and the
# simulation the correction exists for.

test_that("a vector is shifted on the log-odds scale by hand-computed amounts", {
  p <- c(0, 0.2, 0.5, 0.9, 1)
  out <- sg_correct_prior(p, from = c(no = 0.5, yes = 0.5),
                          to = c(no = 0.9, yes = 0.1), positive = "yes")
  # logit(0.1) - logit(0.5) = -log(9): odds divided by 9
  odds <- p[2:4] / (1 - p[2:4]) / 9
  expect_equal(out[2:4], odds / (1 + odds))
  expect_identical(out[c(1, 5)], c(0, 1))
  expect_equal(out[3], 0.1)
  # the log-odds form: logit(p') = logit(p) + logit(to) - logit(from)
  expect_equal(qlogis(out[2:4]), qlogis(p[2:4]) + qlogis(0.1) - qlogis(0.5))
  # the other class as positive: its shares are 0.9 from 0.5
  out_no <- sg_correct_prior(p, from = c(no = 0.5, yes = 0.5),
                             to = c(no = 0.9, yes = 0.1), positive = "no")
  expect_equal(out_no[3], 0.9)
  # unequal training shares, shares named in another order
  out2 <- sg_correct_prior(0.6, from = c(yes = 0.4, no = 0.6),
                           to = c(no = 0.8, yes = 0.2), positive = "yes")
  expect_equal(out2, 0.6 * 0.5 / (0.6 * 0.5 + 0.4 * (0.8 / 0.6)))
  # names are kept
  expect_named(sg_correct_prior(c(a = 0.3, b = 0.7), c(n = 0.5, y = 0.5),
                                c(n = 0.75, y = 0.25), positive = "y"), c("a", "b"))
})

test_that("a matrix is reweighted column by column and renormalised", {
  p <- rbind(c(0.2, 0.3, 0.5), c(0.6, 0.2, 0.2), c(0, 0, 1))
  colnames(p) <- c("a", "b", "c")
  from <- c(a = 1 / 3, b = 1 / 3, c = 1 / 3)
  to <- c(c = 0.1, a = 0.6, b = 0.3)
  out <- sg_correct_prior(p, from, to)
  w <- c(0.6, 0.3, 0.1) * 3
  expect_equal(out[1, ], c(a = 0.2 * w[1], b = 0.3 * w[2], c = 0.5 * w[3]) /
                 sum(c(0.2, 0.3, 0.5) * w))
  expect_equal(unname(rowSums(out)), rep(1, 3))
  expect_identical(unname(out[3, ]), c(0, 0, 1))
  expect_identical(colnames(out), c("a", "b", "c"))
  # two columns give the log-odds shift of the vector form
  p2 <- cbind(no = c(0.8, 0.5, 0.1), yes = c(0.2, 0.5, 0.9))
  f <- c(no = 0.5, yes = 0.5)
  t <- c(no = 0.9, yes = 0.1)
  expect_equal(sg_correct_prior(p2, f, t)[, "yes"],
               sg_correct_prior(p2[, "yes"], f, t, positive = "yes"))
  # a data frame of numeric columns is taken as a matrix
  expect_equal(sg_correct_prior(as.data.frame(p2), f, t), sg_correct_prior(p2, f, t))
})

test_that("the shares are read from a result's record", {
  df <- sim_classes(c(a = 80, b = 20), d = 2, seed = 31)
  res <- sg_oversample(df, "y", method = "ros", guard = NULL, seed = 1)
  expect_identical(sg_record(res)$counts$after, c(80L, 80L))
  p <- c(0.1, 0.5, 0.7)
  # from 1:1 to 80:20, the positive class the second level ("b")
  expect_equal(sg_correct_prior(p, res),
               sg_correct_prior(p, c(a = 0.5, b = 0.5), c(a = 0.8, b = 0.2),
                                positive = "b"))
  expect_equal(sg_correct_prior(p, res)[2], 0.2)
  expect_equal(sg_correct_prior(p, res, positive = "a")[2], 0.8)
  # `to` given overrides the record's shares before resampling
  expect_equal(sg_correct_prior(p, res, to = c(b = 0.5, a = 0.5)), p)
  m <- cbind(a = 1 - p, b = p)
  expect_equal(sg_correct_prior(m, res)[, "b"], sg_correct_prior(p, res))
  # a partial raise: 80:40 trained, 80:20 real
  res2 <- sg_oversample(df, "y", method = "ros", guard = NULL, seed = 1,
                        over_ratio = 0.5)
  expect_equal(sg_correct_prior(0.5, res2),
               plogis(qlogis(0.2) - qlogis(40 / 120)))
})

test_that("bad input gets classed errors that say what is wrong", {
  f <- c(no = 0.5, yes = 0.5)
  t <- c(no = 0.9, yes = 0.1)
  expect_snapshot(error = TRUE, {
    sg_correct_prior(c(0.2, NA, 1.5, -1), f, t, positive = "yes")
    sg_correct_prior(cbind(no = c(0.5, 2), yes = c(0.5, -1)), f, t)
    sg_correct_prior(0.5, c(no = 0.5, yes = 0.6), t, positive = "yes")
    sg_correct_prior(0.5, c(no = 1.2, yes = -0.2), t, positive = "yes")
    sg_correct_prior(0.5, f, c(no = 0.9, maybe = 0.1), positive = "yes")
    sg_correct_prior(cbind(a = 0.5, b = 0.5), f, t)
    sg_correct_prior(0.5, data.frame(x = 1), t)
    sg_correct_prior(0.5, f, t)
    sg_correct_prior(0.5, f, t, positive = "maybe")
    sg_correct_prior(0.5, c(0.5, 0.5), t, positive = "yes")
    sg_correct_prior(0.5, f)
    sg_correct_prior("0.5", f, t, positive = "yes")
    sg_correct_prior(0.5, c(a = 0.2, b = 0.3, c = 0.5), c(a = 0.1, b = 0.1, c = 0.8))
  })
  expect_error(sg_correct_prior(NA_real_, f, t, positive = "yes"),
               class = "smoteguard_error_input")
  expect_error(sg_correct_prior(0.5, c(no = 0.5, yes = 0.5 + 1e-7), t, positive = "yes"),
               class = "smoteguard_error_input")
  # within 1e-8 is a sum of 1
  expect_equal(sg_correct_prior(0.5, c(no = 0.5, yes = 0.5 + 1e-9), t, positive = "yes"),
               0.1, tolerance = 1e-7)
  expect_error(sg_correct_prior(0.5, data.frame(x = 1), t),
               class = "smoteguard_error_input")
  expect_error(sg_correct_prior(cbind(no = 0.5, maybe = 0.5), f, t),
               class = "smoteguard_error_input")
})

test_that("after random oversampling to 1:1, the corrected model is calibrated in the large", {
  # a true logistic model with about 10% events
  sim <- function(n) {
    x1 <- rnorm(n)
    x2 <- rnorm(n)
    y <- rbinom(n, 1, plogis(-2.75 + 0.8 * x1 - 0.6 * x2))
    data.frame(x1 = x1, x2 = x2, y = factor(y, 0:1, c("no", "yes")))
  }
  set.seed(2024)
  train <- sim(20000)
  fresh <- sim(200000)
  expect_equal(mean(train$y == "yes"), 0.1, tolerance = 0.15)
  res <- sg_oversample(train, "y", method = "ros", guard = NULL, seed = 1)
  expect_identical(sg_record(res)$counts$after[1], sg_record(res)$counts$after[2])
  fit <- glm(y ~ x1 + x2, binomial, data = res)
  p_raw <- predict(fit, fresh, type = "response")
  p_fix <- sg_correct_prior(p_raw, from = res)
  yf <- as.integer(fresh$y == "yes")
  citl <- function(p) unname(coef(glm(yf ~ offset(qlogis(p)), binomial))[1])
  expect_lt(abs(citl(p_fix)), 0.05)
  expect_gt(abs(citl(p_raw)), 1)
})
