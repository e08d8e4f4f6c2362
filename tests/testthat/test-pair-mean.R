# The mean pairwise distance behind KMeans-SMOTE's cluster sparsity
# (ffi_pair_mean) against mean(stats::dist(x)), which it must give to the bit.

pair_mean <- function(x, threads = 1L) {
  .Call(get("ffi_pair_mean", envir = asNamespace("smoteguard")), x, threads)
}

test_that("the compiled mean pairwise distance is mean(dist(x)), bit for bit", {
  set.seed(11)
  cases <- list(
    two = matrix(c(1, 4, 2, 6), 2),
    small = matrix(rnorm(7 * 3), 7),
    constant_column = cbind(rnorm(40), 5, rnorm(40)),
    all_constant = matrix(3, 9, 4),
    one_column = matrix(rnorm(30), 30),
    repeats = matrix(rep(c(0.1, 2.5, -1), 12), 12, 3, byrow = TRUE),
    missing = { m <- matrix(rnorm(60), 20); m[c(3, 25, 47)] <- NA; m },
    wide = matrix(rnorm(25 * 20) * 1e3, 25),
    infinite = { m <- matrix(rnorm(30), 10); m[4] <- Inf; m }
  )
  for (nm in names(cases)) {
    x <- cases[[nm]]
    expect_identical(pair_mean(x), mean(stats::dist(x)), label = nm)
  }
  expect_identical(pair_mean(matrix(c(1, 2), 1)), mean(stats::dist(matrix(c(1, 2), 1))))
  expect_true(is.nan(pair_mean(matrix(c(1, 2), 1))))
  expect_true(is.na(pair_mean(matrix(c(1, NA, NA, 2), 2))))
  expect_true(is.na(pair_mean(matrix(0, 3, 0))))
})

test_that("the mean pairwise distance is the same with 1 and 2 threads, over several blocks", {
  set.seed(12)
  # 700 rows: 244,650 pairs, several blocks of distances, enough work for
  # two threads
  x <- matrix(rnorm(700 * 20), 700)
  one <- pair_mean(x, 1L)
  expect_identical(pair_mean(x, 2L), one)
  expect_identical(one, mean(stats::dist(x)))
})

test_that("ffi_pair_mean rejects what is not a double matrix", {
  expect_error(pair_mean(1:4), "double matrix")
  expect_error(pair_mean(matrix(0, 3, 2), "a"), "threads")
})
