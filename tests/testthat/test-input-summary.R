# The record's data fingerprint and input summaries (R/provenance.R:
# data_fingerprint(), input_summary(); src/record.c, src/stats.c).

fp <- function(x) smoteguard:::data_fingerprint(x)

test_that("the fingerprint is 16 hex digits that change with names, types, levels and values", {
  df <- data.frame(a = c(1.5, NA, 3), b = c("x", "y", NA), f = factor(c("u", "v", "u")),
                   i = c(1L, 2L, NA), l = c(TRUE, FALSE, NA))
  h <- fp(df)
  expect_match(h, "^[0-9a-f]{16}$")
  expect_identical(fp(df), h)
  changed <- list(
    stats::setNames(df, c("A", names(df)[-1])),
    transform(df, a = a + 1e-15),
    transform(df, i = as.double(i)),
    transform(df, f = factor(f, levels = c("v", "u"))),
    transform(df, b = c("x", "y", "NA")),
    df[c(2, 1, 3), ],
    df[, c(2, 1, 3, 4, 5)],
    df[1:2, ]
  )
  hs <- vapply(changed, fp, "")
  expect_false(any(hs == h))
  expect_identical(anyDuplicated(hs), 0L)
  # -0 is 0; every NaN one value, NA another
  expect_identical(fp(data.frame(a = c(0, 1))), fp(data.frame(a = c(-0, 1))))
  expect_identical(fp(data.frame(a = c(NaN, 1))), fp(data.frame(a = c(0 / 0, 1))))
  expect_false(fp(data.frame(a = c(NaN, 1))) == fp(data.frame(a = c(NA, 1))))
  # row names are not data
  df2 <- df
  rownames(df2) <- c("p", "q", "r")
  expect_identical(fp(df2), h)
  # strings by their UTF-8 bytes, whatever their declared encoding
  s1 <- "\u00e9t\u00e9"
  s2 <- iconv(s1, "UTF-8", "latin1")
  expect_identical(fp(data.frame(s = s1)), fp(data.frame(s = s2)))
})

test_that("the fingerprint is fixed across sessions and platforms (known values)", {
  # computed once; the hash is defined on values, not on memory layout
  df <- data.frame(a = c(1, 2.5, NA), s = c("a", "\u00e9", NA), f = factor(c("x", "y", "x")),
                   i = c(1L, NA, 3L))
  expect_identical(fp(df), "4e6cb569bb7c88b7")
})

test_that("every result's record holds the fingerprint of its input", {
  df <- breast_biopsy
  h <- fp(df)
  expect_identical(sg_record(sg_oversample(df, "diagnosis", seed = 1))$fingerprint, h)
  expect_identical(sg_record(sg_clean(df, "diagnosis"))$fingerprint, h)
  expect_identical(sg_record(sg_undersample(df, "diagnosis", seed = 1))$fingerprint, h)
})

test_that("the input summary's quantiles are quantile(type = 7) exactly, and the bins count the values", {
  set.seed(3)
  probs <- (0:100) / 100
  # sg_sort_values()'s ways by the number of values: below 64 by insertion,
  # then the radix sort of order keys by bytes, from 2,048 by 11-bit digits
  # (column e: a sixth of the rows, the rest missing, so a different way
  # from the others' at 537 and 6,000); columns g and h have digits that are
  # the same in every key (h: all of them), whose passes are skipped. With
  # more than three digits that vary, the passes sort by the top three and
  # each run of keys equal above them is sorted on its own: by insertion
  # (a, most runs of one or two), or again by the radix sort when it is
  # long (i, j: most values agree on all but their lowest 30 or 40 bits;
  # k: runs of two values that differ only in their lowest bits).
  # At 101 values every
  # quantile is one of the sorted values, so all of them are checked.
  for (n in c(63, 64, 101, 537, 2047, 2048, 6000)) {
    x <- cbind(a = stats::rnorm(n), b = round(stats::rexp(n) * 3),
               c = c(stats::runif(n - 37), rep(NA, 37)), d = rep(2, n),
               e = c(-stats::rexp(n %/% 6), rep(NA, n - n %/% 6)),
               f = sample(c(-1.5, -0, 0, 2, Inf, -Inf), n, TRUE),
               g = 1.5 + sample.int(200, n, TRUE) * 2^-52, h = rep(2.5, n),
               i = sample(c(stats::rnorm(n %/% 10),
                            -1 - sample.int(2^30, n - n %/% 10, TRUE) * 2^-52)),
               j = sample(c(stats::rnorm(n %/% 10),
                            3 + sample.int(2^20, n - n %/% 10, TRUE) * 2^-32 +
                              sample.int(2^20, n - n %/% 10, TRUE) * 2^-51)),
               k = sample(rep_len(stats::rnorm(n %/% 2 + 1), n) *
                            (1 + sample.int(2^10, n, TRUE) * 2^-50)))
    x[sample.int(n, 20), 2] <- NA
    q <- .Call(smoteguard:::ffi_stats_quantiles, x, 1L)
    for (j in seq_len(ncol(x))) {
      v <- x[!is.na(x[, j]), j]
      want_q <- suppressWarnings(unname(stats::quantile(v, probs, type = 7)))
      expect_identical(q$quantiles[, j], want_q, info = paste(n, j))
      cuts <- q$quantiles[2:100, j]
      want <- tabulate(findInterval(v, cuts, left.open = TRUE) + 1L, 100)
      expect_identical(q$counts[, j], as.double(want), info = paste(n, j))
      expect_identical(q$missing[j], as.double(sum(is.na(x[, j]))))
    }
    expect_identical(.Call(smoteguard:::ffi_stats_quantiles, x, 2L), q)
  }
  # whole numbers of a short range are sorted by counting: spans of 255
  # (counted) and 256 (not), negative values, a -0, values beyond 2^52
  for (n in c(40, 5000)) {
    x <- cbind(a = sample(-3:9, n, TRUE), b = c(0, 255, sample(0:255, n - 2, TRUE)),
               c = c(0, 256, sample(0:256, n - 2, TRUE)), d = sample(c(-0, 0, 1, 2), n, TRUE),
               e = sample(2^53 + c(0, 2, 4), n, TRUE), f = c(-2, rep(NA, n - 1)),
               # just off a whole number, where x - lo rounds to a whole one
               g = sample(c(-100, 5 + 4e-15, 0, 1, 2, 7 - 2e-15), n, TRUE))
    q <- .Call(smoteguard:::ffi_stats_quantiles, x, 1L)
    for (j in seq_len(ncol(x))) {
      v <- x[!is.na(x[, j]), j]
      expect_identical(q$quantiles[, j], unname(stats::quantile(v, probs, type = 7)),
                       info = paste(n, j))
      want <- tabulate(findInterval(v, q$quantiles[2:100, j], left.open = TRUE) + 1L, 100)
      expect_identical(q$counts[, j], as.double(want), info = paste(n, j))
    }
  }
  # tiny and empty columns
  for (n in 1:3) {
    v <- c(5, 1, 3)[seq_len(n)]
    got <- .Call(smoteguard:::ffi_stats_quantiles, matrix(v), 1L)
    expect_identical(got$quantiles[, 1], unname(stats::quantile(v, probs, type = 7)))
    expect_identical(sum(got$counts), as.double(n))
  }
  got <- .Call(smoteguard:::ffi_stats_quantiles, matrix(NA_real_, 4, 1), 1L)
  expect_true(all(is.na(got$quantiles)))
  expect_identical(sum(got$counts), 0)
})

test_that("the record keeps the quantiles and the category counts", {
  df <- data.frame(y = factor(rep(c("a", "b"), c(40, 10))), x = c(1:49, NA),
                   g = factor(rep(c("u", "v", "w"), length.out = 50)))
  rec <- sg_record(sg_oversample(df, "y", seed = 1, guard = NULL))
  inp <- rec$input
  expect_identical(unname(inp$quantiles[, "x"]),
                   unname(stats::quantile(as.double(1:49), (0:100) / 100, type = 7)))
  expect_identical(sum(inp$bins[, "x"]), 49)
  expect_identical(inp$categories$g, c(u = 17L, v = 17L, w = 16L))
})
