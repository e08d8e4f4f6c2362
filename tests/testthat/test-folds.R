# sg_folds() and the splits an evaluation makes from it (R/folds.R).

splits_of <- function(spec, y, groups = NULL, time = NULL, dev = seq_along(y), seed = 1) {
  withr::local_seed(seed)
  smoteguard:::make_splits(spec, dev, y, groups, time, NULL)
}

test_that("stratified folds: each row tested once per repeat, class shares kept", {
  y <- rep(c(TRUE, FALSE), c(23, 77))
  sp <- splits_of(sg_folds(folds = 4, repeats = 2), y)
  expect_length(sp, 8)
  for (r in 1:2) {
    tests <- unlist(lapply(sp[vapply(sp, function(s) s$rep == r, logical(1))], `[[`, "test"))
    expect_setequal(tests, seq_along(y))
    expect_false(anyDuplicated(tests) > 0)
  }
  pos <- vapply(sp, function(s) sum(y[s$test]), numeric(1))
  n <- vapply(sp, function(s) length(s$test), numeric(1))
  expect_lte(max(pos) - min(pos), 1)
  expect_lte(max(n) - min(n), 1)
  for (s in sp) expect_length(intersect(s$train, s$test), 0)
  # repeats cut anew
  expect_false(identical(sort(sp[[1]]$test), sort(sp[[5]]$test)))
})

test_that("with groups, a group's rows are in one fold", {
  g <- rep(1:40, times = rep(1:4, 10))
  y <- rep(c(TRUE, FALSE), length.out = length(g))
  sp <- splits_of(sg_folds(folds = 5, repeats = 2), y, groups = g)
  for (s in sp) expect_length(intersect(g[s$train], g[s$test]), 0)
})

test_that("with time, each split trains on the past and tests on the next window", {
  time <- rep(1:50, each = 2)
  y <- rep(c(TRUE, FALSE, FALSE, FALSE), 25)
  sp <- splits_of(sg_folds(folds = 4, repeats = 3), y, time = time)
  expect_length(sp, 4)
  for (k in seq_along(sp)) {
    expect_lt(max(time[sp[[k]]$train]), min(time[sp[[k]]$test]))
    if (k > 1) expect_identical(min(time[sp[[k]]$test]), max(time[sp[[k - 1]]$test]) + 1L)
  }
  expect_error(splits_of(sg_folds(folds = 4), y, time = rep(1:2, 50)),
               class = "smoteguard_error_folds")
})

test_that("the holdout is stratified, whole groups, or the latest rows", {
  y <- rep(c(TRUE, FALSE), c(30, 70))
  withr::local_seed(3)
  h <- smoteguard:::holdout_rows(0.2, y, NULL, NULL)
  expect_identical(c(sum(y[h]), sum(!y[h])), c(6L, 14L))
  g <- rep(1:25, each = 4)
  h <- smoteguard:::holdout_rows(0.2, y, g, NULL)
  expect_length(intersect(g[h], g[-h]), 0)
  expect_gte(length(h), 20)
  time <- c(1:99, 99)
  h <- smoteguard:::holdout_rows(0.2, y, NULL, time)
  expect_gt(min(time[h]), max(time[-h]))
  expect_identical(smoteguard:::holdout_rows(0, y, NULL, NULL), integer(0))
})

test_that("sg_folds() checks its arguments and prints", {
  expect_error(sg_folds(folds = 1), class = "smoteguard_error_input")
  expect_error(sg_folds(repeats = 0), class = "smoteguard_error_input")
  expect_error(sg_folds(strata = NA), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_folds(folds = 1))
  expect_snapshot(print(sg_folds(folds = 10, repeats = 2)))
})

test_that("an rset is used as given, and one that splits a group is refused", {
  skip_if_not_installed("rsample")
  d <- breast_biopsy
  d$patient <- rep(seq_len(200), length.out = nrow(d))
  withr::local_seed(2)
  bad <- rsample::vfold_cv(d, v = 3)
  expect_error(sg_evaluate(d, "diagnosis", samplers = sg_sampler("none"), resamples = bad,
                           holdout = 0, groups = "patient", seed = 1),
               class = "smoteguard_error_folds")
  good <- rsample::group_vfold_cv(d, group = "patient", v = 3)
  ev <- sg_evaluate(d, "diagnosis", samplers = sg_sampler("none"), resamples = good,
                    holdout = 0, groups = "patient", seed = 1)
  expect_length(ev$splits, 3)
  for (k in 1:3) {
    expect_setequal(ev$splits[[k]]$test, rsample::complement(good$splits[[k]]))
  }
})
