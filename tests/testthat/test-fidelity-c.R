# The fidelity check's C routine (src/fidelity.c: ffi_fidelity_check) called
# directly, against a plain-R computation of its definitions (mean shift in
# class sd, 1 / sqrt(n) standard error, stats::ks.test()'s statistic, total
# variation of value shares) on small data with constant columns, one-row
# classes, missing values and nominal columns; and its argument checks.

fid_ffi <- function() get("ffi_fidelity_check", envir = asNamespace("smoteguard"))

fid_call <- function(x, y, syn_class, values, codes = NULL, syn_codes = NULL,
                     n_levels = integer(0), n_classes = max(c(y, syn_class), na.rm = TRUE),
                     threads = 1L) {
  .Call(fid_ffi(), x, y, syn_class, values, codes, syn_codes, n_levels,
        as.integer(n_classes), threads)
}

# The definitions, one row per (class with synthetic rows, column): numeric
# columns first, then nominal ones; missing values left out of every number.
fid_reference <- function(x, y, syn_class, values, codes = NULL, syn_codes = NULL,
                          n_levels = integer(0)) {
  rows <- list()
  for (cls in sort(unique(syn_class))) {
    real <- which(y == cls)
    syn <- which(syn_class == cls)
    for (j in seq_len(ncol(x))) {
      a <- x[real, j]
      b <- values[syn, j]
      a <- a[!is.na(a)]
      b <- b[!is.na(b)]
      s <- if (length(a) > 1) stats::sd(a) else NA_real_
      shift <- if (is.finite(s) && s > 0) (mean(b) - mean(a)) / s else NA_real_
      if (!is.finite(shift)) shift <- NA_real_
      se <- 1 / sqrt(length(b))
      if (!is.finite(se)) se <- NA_real_
      ks <- if (length(a) > 0 && length(b) > 0)
              unname(suppressWarnings(stats::ks.test(a, b))$statistic)
            else NA_real_
      rows[[length(rows) + 1]] <- list(cls, length(a), length(b), shift, ks,
                                       NA_real_, se)
    }
    for (j in seq_len(if (is.null(codes)) 0 else ncol(codes))) {
      a <- codes[real, j]
      b <- syn_codes[syn, j]
      lv <- seq_len(n_levels[j])
      a <- a[a %in% lv]
      b <- b[b %in% lv]
      tv <- if (length(a) > 0 && length(b) > 0)
              sum(abs(table(factor(a, lv)) / length(a) - table(factor(b, lv)) / length(b))) / 2
            else NA_real_
      rows[[length(rows) + 1]] <- list(cls, length(a), length(b), NA_real_,
                                       NA_real_, as.numeric(tv), NA_real_)
    }
  }
  cols <- lapply(seq_len(7), function(i) unlist(lapply(rows, `[[`, i)))
  names(cols) <- c("class", "n_real", "n_synthetic", "shift", "ks", "tv", "se_shift")
  cols[1:3] <- lapply(cols[1:3], as.integer)
  cols
}

expect_fid_reference <- function(...) {
  got <- fid_call(...)
  args <- list(...)
  args$n_classes <- NULL
  want <- do.call(fid_reference, args)
  expect_identical(got[1:3], want[1:3])
  expect_equal(got[4:7], want[4:7], tolerance = 1e-12)
  invisible(got)
}

test_that("numeric columns: shift, standard error and KS are their definitions", {
  withr::local_seed(7)
  n <- 80
  y <- sample(1:3, n, TRUE, prob = c(0.6, 0.3, 0.1))
  x <- cbind(rnorm(n), round(runif(n, 0, 5)), rnorm(n, 10, 3))
  m <- 50
  syn_class <- sample(2:3, m, TRUE)
  values <- cbind(rnorm(m, 0.3), round(runif(m, 0, 5)), rnorm(m, 11, 2))
  got <- expect_fid_reference(x, y, syn_class, values)
  # classes in increasing code, only those with synthetic rows
  expect_identical(got$class, rep(2:3, each = 3))
  # the order of the synthetic rows does not matter
  o <- sample(m)
  expect_identical(fid_call(x, y, syn_class[o], values[o, , drop = FALSE]), got)
})

test_that("constant columns, one-row classes and missing values", {
  withr::local_seed(8)
  x <- cbind(a = c(rnorm(9), 5), const = 1, gaps = c(NA, rnorm(7), NA, 2))
  y <- c(rep(1L, 6), rep(2L, 3), 3L)
  values <- cbind(rnorm(7), c(1, 1, 2, 1, 1, 1, 1), c(NA, NA, 0.5, NA, 1, 2, 3))
  syn_class <- c(1L, 1L, 2L, 2L, 3L, 3L, 3L)
  got <- expect_fid_reference(x, y, syn_class, values)
  # a constant class column has no sd: no shift; a one-row class neither
  expect_true(is.na(got$shift[2]))
  expect_true(all(is.na(got$shift[got$class == 3L])))
  expect_false(anyNA(got$ks[got$class == 3L][1:2]))
  # all synthetic values of a column missing: no KS, no standard error
  v2 <- values
  v2[syn_class == 1L, 3] <- NA
  got2 <- expect_fid_reference(x, y, syn_class, v2)
  expect_identical(got2$n_synthetic[3], 0L)
  expect_true(is.na(got2$ks[3]) && is.na(got2$se_shift[3]) && is.na(got2$shift[3]))
  # real rows without a class (NA) belong to none
  y2 <- y
  y2[1:2] <- NA
  expect_fid_reference(x, y2, syn_class, values)
  # NaN is missing too
  x2 <- x
  x2[4, 1] <- NaN
  expect_fid_reference(x2, y, syn_class, values)
})

test_that("nominal columns: total variation of the value shares; mixed data", {
  withr::local_seed(9)
  n <- 60
  y <- sample(1:2, n, TRUE)
  x <- cbind(rnorm(n))
  codes <- cbind(sample(c(1:3, NA), n, TRUE), sample(1:2, n, TRUE))
  m <- 30
  syn_class <- sample(1:2, m, TRUE)
  values <- cbind(rnorm(m))
  syn_codes <- cbind(sample(c(1:3, NA), m, TRUE), sample(1:2, m, TRUE))
  storage.mode(codes) <- storage.mode(syn_codes) <- "integer"
  got <- expect_fid_reference(x, y, syn_class, values, codes, syn_codes, c(3L, 2L))
  expect_identical(got$class, rep(1:2, each = 3))
  expect_true(all(is.na(got$tv[c(1, 4)])) && !anyNA(got$tv[-c(1, 4)]))
  # nominal only (no numeric column)
  expect_fid_reference(x[, 0, drop = FALSE], y, syn_class, values[, 0, drop = FALSE],
                       codes, syn_codes, c(3L, 2L))
  # a level no row has, and a class whose codes are all missing on one side
  codes2 <- codes
  codes2[y == 2L, 1] <- NA
  got2 <- expect_fid_reference(x, y, syn_class, values, codes2, syn_codes, c(4L, 2L))
  expect_true(is.na(got2$tv[5]))
  expect_identical(got2$n_real[5], 0L)
})

test_that("larger classes (the radix sort's side) give the same KS", {
  withr::local_seed(10)
  n <- 6000
  y <- sample(1:2, n, TRUE)
  x <- cbind(rnorm(n), round(rnorm(n), 1))
  m <- 3000
  syn_class <- rep(2L, m)
  values <- cbind(rnorm(m, 0.1), round(rnorm(m), 1))
  expect_fid_reference(x, y, syn_class, values)
})

test_that("the (class, column) pairs shared among threads: the same table as one thread", {
  # large enough for two threads (sg_threads_for(): ten steps a value
  # sorted, 2e6 steps): three classes with synthetic rows, one without,
  # missing values, a nominal column, more pairs than threads and an odd count
  withr::local_seed(12)
  n <- 24000
  m <- 15000
  d <- 7
  y <- sample(c(1:4, NA), n, TRUE, prob = c(0.3, 0.3, 0.2, 0.15, 0.05))
  x <- matrix(rnorm(n * d), n, d)
  x[sample(length(x), 500)] <- NA
  syn_class <- sample(c(1L, 2L, 4L), m, TRUE)
  values <- matrix(rnorm(m * d, 0.05), m, d)
  values[sample(length(values), 300)] <- NA
  codes <- matrix(sample(c(1:3, NA), n, TRUE), n, 1)
  syn_codes <- matrix(sample(1:3, m, TRUE), m, 1)
  one <- fid_call(x, y, syn_class, values, codes, syn_codes, 3L, 4L, threads = 1L)
  for (th in list(2L, 3L, NA_integer_)) {
    expect_identical(fid_call(x, y, syn_class, values, codes, syn_codes, 3L, 4L, threads = th),
                     one)
  }
  expect_identical(one$class, rep(c(1L, 2L, 4L), each = d + 1))
  expect_equal(one, fid_reference(x, y, syn_class, values, codes, syn_codes, 3L),
               tolerance = 1e-12)
})

test_that("whole numbers of a short range (sorted by counting) give the same KS", {
  withr::local_seed(11)
  # spans of 255 (counted), 256 and 257 (insertion and the radix sorts),
  # negative values, a -0 among whole numbers, whole numbers beyond 2^52
  for (n in c(60, 5000)) {
    y <- sample(1:2, n, TRUE)
    m <- n %/% 2
    x <- cbind(sample(-3:9, n, TRUE), c(0, 255, sample(0:255, n - 2, TRUE)),
               c(0, 256, sample(0:256, n - 2, TRUE)), sample(c(-0, 0, 1, 2), n, TRUE),
               sample(2^53 + c(0, 2, 4), n, TRUE), rep(4, n),
               # just off a whole number, where x - lo rounds to a whole one
               c(rep(-100, 10), rep(5 + 4e-15, n - 10)))
    syn_class <- rep(2L, m)
    values <- cbind(sample(-5:5, m, TRUE), sample(100:355, m, TRUE),
                    sample(0:256, m, TRUE), sample(c(0, 1, 2.5), m, TRUE),
                    sample(2^53 + c(0, 2), m, TRUE), rep(c(4, 5), length.out = m),
                    rep(5, m))
    expect_fid_reference(x, y, syn_class, values)
  }
})

test_that("no synthetic rows: an empty table", {
  got <- fid_call(matrix(1, 3, 1), 1:3, integer(0), matrix(double(0), 0, 1))
  expect_identical(lengths(got), c(class = 0L, n_real = 0L, n_synthetic = 0L,
                                   shift = 0L, ks = 0L, tv = 0L, se_shift = 0L))
})

test_that("ffi_fidelity_check() checks its arguments", {
  f <- function(x = matrix(c(1, 2, 3, 4), 4, 1), y = c(1L, 1L, 2L, 2L), syn_class = c(2L, 2L),
                values = matrix(c(1.5, 2.5), 2, 1), codes = NULL, syn_codes = NULL,
                n_levels = integer(0), n_classes = 2L, threads = 1L) {
    .Call(fid_ffi(), x, y, syn_class, values, codes, syn_codes, n_levels, n_classes, threads)
  }
  expect_identical(f()$class, 2L)
  expect_error(f(n_classes = 0L), "`n_classes` must be at least 1")
  expect_error(f(n_classes = "a"), "`n_classes` must be a single number")
  expect_error(f(threads = "a"), "`threads` must be a single number")
  expect_error(f(threads = 1.5), "`threads` must be a whole number")
  expect_identical(f(threads = NA_integer_), f())
  expect_error(f(x = 1:4), "`x` must be a double matrix")
  expect_error(f(values = matrix(1, 2, 2)), "`values` must have as many columns as `x`")
  expect_error(f(y = c(1, 1, 2, 2)), "`y` must be an integer vector")
  expect_error(f(y = 1:3), "`y` must be an integer vector")
  expect_error(f(y = c(1L, 1L, 2L, 3L)), "`y` must hold class codes from 1 to 2")
  expect_error(f(syn_class = c(2L, NA)), "`syn_class` must hold class codes from 1 to 2")
  expect_error(f(syn_class = c(0L, 2L)), "`syn_class` must hold class codes from 1 to 2")
  expect_error(f(syn_class = 2L), "`syn_class` must be an integer vector")
  expect_error(f(codes = matrix(1L, 3, 1)), "`codes` must be NULL or an integer matrix")
  expect_error(f(codes = matrix(1L, 4, 1), syn_codes = NULL),
               "`syn_codes` must be an integer matrix with 1 columns")
  expect_error(f(codes = matrix(1L, 4, 1), syn_codes = matrix(1L, 2, 2), n_levels = 1L),
               "`syn_codes` must be NULL or an integer matrix")
  expect_error(f(codes = matrix(1L, 4, 1), syn_codes = matrix(1L, 2, 1)),
               "`n_levels` must be an integer vector")
  expect_error(f(codes = matrix(1L, 4, 1), syn_codes = matrix(1L, 2, 1), n_levels = NA_integer_),
               "`n_levels` must hold counts of levels")
})

test_that("a table of nominal predictors only: the record's total variation", {
  withr::local_seed(11)
  df <- data.frame(a = sample(c("u", "v", "w"), 60, TRUE), b = sample(c("p", "q", NA), 60, TRUE),
                   y = factor(rep(c("M", "m"), c(45, 15))))
  for (method in c("smote", "ros", "borderline1", "adasyn")) {
    res <- suppressWarnings(sg_oversample(df, "y", seed = 1, method = method))
    fid <- sg_record(res)$fidelity
    syn <- res[sg_provenance(res)$row, ]
    real <- df[df$y == "m", ]
    tv <- vapply(c("a", "b"), function(col) {
      a <- real[[col]][!is.na(real[[col]])]
      b <- syn[[col]][!is.na(syn[[col]])]
      lv <- sort(unique(df[[col]][!is.na(df[[col]])]))
      sum(abs(table(factor(a, lv)) / length(a) - table(factor(b, lv)) / length(b))) / 2
    }, numeric(1))
    expect_identical(fid$kind, c("nominal", "nominal"), label = method)
    expect_equal(fid$tv, unname(tv), tolerance = 1e-12, label = method)
    expect_identical(fid$n_synthetic, c(nrow(syn), sum(!is.na(syn$b))), label = method)
  }
})
