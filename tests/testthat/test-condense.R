# CNN's compiled condensing loop (src/condense.c, ffi_condense) against the
# search-per-row loop in R that it replaced: the same rows join, in order.

# the package's R loop (kept for mixed predictors), run here on numeric ones
condense_in_r <- function(pred, yi, store, cand, threads) {
  ns <- asNamespace("smoteguard")
  nn <- get("knn_rows", envir = ns)(pred, sort(store), 1L, query = cand, threads = threads)
  get("condense_in_r", envir = ns)(pred, yi, cand, nn$index[, 1], nn$distance[, 1], threads)
}

test_that("the compiled condensing adds the rows the search-per-row loop adds, in order", {
  ns <- asNamespace("smoteguard")
  prep <- get("prepare_predictors", envir = ns)
  condense <- get("condense", envir = ns)
  set.seed(31)
  n <- 300
  sets <- list(
    gaussian = data.frame(a = rnorm(n), b = rnorm(n), c = rnorm(n)),
    # a grid: many equal distances, ties to the smaller row
    ties = data.frame(a = sample(0:3, n, TRUE), b = sample(0:3, n, TRUE)),
    constant_column = data.frame(a = rnorm(n), k = 2, b = rnorm(n))
  )
  for (nm in names(sets)) {
    df <- sets[[nm]]
    df$y <- factor(sample(c("a", "b", "c"), n, TRUE, prob = c(0.2, 0.3, 0.5)))
    pred <- prep(df, "y", y = df$y)
    expect_false(pred$mixed)
    yi <- as.integer(df$y)
    for (threads in 1:2) {
      got <- condense(pred, yi, 1L, seq_len(n)[-1], threads)
      expect_identical(got, condense_in_r(pred, yi, 1L, seq_len(n)[-1], threads),
                       label = sprintf("%s, %d thread(s)", nm, threads))
      rows <- which(yi == 3L)
      got <- condense(pred, yi, c(which(yi == 1L), rows[1]), rows[-1], threads)
      expect_identical(got, condense_in_r(pred, yi, c(which(yi == 1L), rows[1]), rows[-1], threads),
                       label = sprintf("%s, larger class, %d thread(s)", nm, threads))
    }
  }
})

test_that("ffi_condense checks its arguments", {
  f <- get("ffi_condense", envir = asNamespace("smoteguard"))
  x <- matrix(rnorm(12), 6)
  expect_error(.Call(f, x, NULL, NULL, 1:5, 2:3, c(1L, 1L), c(1, 1), 1L), "yi")
  expect_error(.Call(f, x, NULL, NULL, rep(1:2, 3), c(2L, 7L), c(1L, 1L), c(1, 1), 1L), "cand")
  expect_error(.Call(f, x, NULL, NULL, rep(1:2, 3), 2:3, c(1L, NA), c(1, 1), 1L), "near")
  expect_error(.Call(f, x, NULL, NULL, rep(1:2, 3), 2:3, c(1L, 1L), c(1, NA), 1L), "dist")
  expect_identical(.Call(f, x, NULL, NULL, rep(1:2, 3), integer(0), integer(0), double(0), 1L),
                   logical(0))
})
