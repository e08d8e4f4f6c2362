# The fast paths of sg_diagnose() against the plain ways they replace: the
# same values, to the bit.

fast_ffi <- function(name) get(name, envir = asNamespace("smoteguard"))

# The two-sample KS statistic the plain way: both samples in one order, the
# distribution functions compared after the last of each run of equal values.
ref_ks <- function(a, b) {
  a <- a[!is.na(a)]
  b <- b[!is.na(b)]
  if (length(a) == 0 || length(b) == 0) return(NA_real_)
  v <- c(a, b)
  o <- order(v, method = "radix")
  from_a <- o <= length(a)
  fa <- cumsum(from_a) / length(a)
  fb <- cumsum(!from_a) / length(b)
  vs <- v[o]
  last <- c(vs[-1] != vs[-length(vs)], TRUE)
  max(abs(fa[last] - fb[last]))
}

test_that("the KS statistics in C are the plain-R ones, ties, NA and -0 included", {
  set.seed(31)
  for (rep in 1:40) {
    na <- sample(c(0, 1, 2, 7, 50, 63, 64, 300), 1)
    nb <- sample(c(0, 1, 3, 40, 700), 1)
    kind <- rep %% 4
    draw <- function(n) switch(kind + 1,
      stats::rnorm(n),
      as.double(sample(-3:3, n, TRUE)),                 # many ties
      sample(c(-0, 0, 1e-300, -1e-300, 1e300, -Inf, Inf, NA), n, TRUE),
      round(stats::rnorm(n) * 1e6) / 8)
    a <- matrix(draw(na * 3), na, 3)
    b <- matrix(draw(nb * 3), nb, 3)
    got <- .Call(fast_ffi("ffi_metrics_ks"), a, b)
    want <- vapply(1:3, function(j) ref_ks(a[, j], b[, j]), numeric(1))
    expect_identical(got, want, label = sprintf("KS (rep %d, %d x %d)", rep, na, nb))
  }
  expect_error(.Call(fast_ffi("ffi_metrics_ks"), matrix(1, 2, 2), matrix(1, 2, 3)), "same columns")
  expect_error(.Call(fast_ffi("ffi_metrics_ks"), 1:3, matrix(1, 2, 3)), "double matrices")
})

test_that("sg_diagnose()'s table has the shape and types of the plain data frame", {
  set.seed(32)
  df <- data.frame(a = stats::rnorm(120), b = stats::rnorm(120),
                   f = factor(sample(c("u", "v"), 120, TRUE)),
                   y = factor(rep(c("min", "maj"), c(30, 90))))
  res <- sg_oversample(df, "y", seed = 1)
  tab <- as.data.frame(sg_diagnose(res, seed = 1))
  expect_s3_class(tab, "data.frame")
  expect_identical(names(tab), c("class", "metric", "value", "se", "n", "reading"))
  expect_identical(vapply(tab, typeof, ""), c(class = "character", metric = "character",
                                              value = "double", se = "double",
                                              n = "integer", reading = "character"))
  expect_identical(rownames(tab), as.character(seq_len(nrow(tab))))
  plain <- do.call(rbind, lapply(split(tab, seq_len(nrow(tab))), function(r) {
    data.frame(r, stringsAsFactors = FALSE)
  }))
  rownames(plain) <- NULL
  expect_identical(tab, plain)
})

# ffi_metrics_class() on path 0 (the float-screened single scan) and path 1
# (the double scans), restoring the path afterwards.
class_on_path <- function(path, ...) {
  old <- .Call(fast_ffi("ffi_metrics_path"), as.integer(path))
  on.exit(.Call(fast_ffi("ffi_metrics_path"), old))
  .Call(fast_ffi("ffi_metrics_class"), ..., NULL)
}

test_that("the float-screened ball scan gives the double scans' results, to the bit", {
  cases <- list(
    list(d = 3, n_a = 611, n_b = 290, q = 303, k = 5L, grid = FALSE),
    list(d = 20, n_a = 700, n_b = 500, q = 257, k = 5L, grid = FALSE),
    list(d = 9, n_a = 300, n_b = 100, q = 101, k = 1L, grid = TRUE),
    list(d = 7, n_a = 520, n_b = 60, q = 6, k = 3L, grid = TRUE),
    list(d = 12, n_a = 4, n_b = 30, q = 9, k = 5L, grid = FALSE),   # too few real rows: NA
    list(d = 5, n_a = 40, n_b = 30, q = 3, k = 5L, grid = FALSE)    # too few synthetic rows
  )
  for (i in seq_along(cases)) {
    cs <- cases[[i]]
    set.seed(200 + i)
    draw <- function(n, mu) {
      if (cs$grid) matrix(sample(0:2, n * cs$d, TRUE) + mu, n)
      else matrix(stats::rnorm(n * cs$d, mu), n)
    }
    zr_all <- rbind(draw(cs$n_a, 0), draw(cs$n_b, 0.7))
    if (cs$n_a > 10) zr_all[5:9, ] <- zr_all[1:5, ]  # ties
    y <- rep(c(1L, 2L), c(cs$n_a, cs$n_b))
    zs <- draw(cs$q, 0.2)
    zs[1, ] <- zr_all[2, ]                            # on a real row
    if (cs$q > 3) zs[3, ] <- zs[2, ]                  # twins
    for (threads in c(1L, 2L)) {
      a <- class_on_path(0L, zs, zr_all, y, 1L, cs$k, threads)
      b <- class_on_path(1L, zs, zr_all, y, 1L, cs$k, threads)
      expect_identical(a, b, label = sprintf("case %d, %d thread(s)", i, threads))
    }
  }
  # values too large for float squares: the float path falls back
  set.seed(210)
  zr_all <- matrix(stats::rnorm(400 * 4), 400)
  zr_all[7, ] <- 1e17
  y <- rep(1:2, each = 200)
  zs <- matrix(stats::rnorm(50 * 4), 50)
  expect_identical(class_on_path(0L, zs, zr_all, y, 1L, 5L, 1L),
                   class_on_path(1L, zs, zr_all, y, 1L, 5L, 1L))
  expect_error(.Call(fast_ffi("ffi_metrics_path"), 2L), "0 or 1")
})

test_that("the MMD's kernel sums four queries at a time are those one at a time, to the bit", {
  for (i in 1:4) {
    set.seed(300 + i)
    d <- c(2, 5, 20, 9)[i]
    m <- c(7, 301, 513, 258)[i]
    n <- c(5, 257, 130, 603)[i]
    x <- matrix(stats::rnorm(m * d), m)
    y <- matrix(stats::rnorm(n * d, 0.3), n)
    if (i == 4) y[1:20, ] <- x[1:20, ]
    old <- .Call(fast_ffi("ffi_metrics_path"), 1L)
    slow <- .Call(fast_ffi("ffi_metrics_mmd"), x, y, 1L)
    .Call(fast_ffi("ffi_metrics_path"), 0L)
    for (threads in c(1L, 2L)) {
      expect_identical(.Call(fast_ffi("ffi_metrics_mmd"), x, y, threads), slow,
                       label = sprintf("MMD (case %d, %d thread(s))", i, threads))
    }
    .Call(fast_ffi("ffi_metrics_path"), old)
  }
})

test_that("the metrics' vector kernels give the portable kernels' results at every instruction-set level", {
  sw <- fast_ffi("ffi_knn_path")
  old <- .Call(sw, c(0L, 2L))
  on.exit(.Call(sw, old), add = TRUE)
  set.seed(320)
  df <- data.frame(matrix(stats::rnorm(900 * 9), 900), y = rep(c("a", "b"), c(700, 200)))
  res <- sg_oversample(df, "y", seed = 1, guard = NULL)
  by_level <- lapply(2:0, function(level) {
    .Call(sw, c(0L, level))
    as.data.frame(sg_diagnose(res, seed = 1))
  })
  expect_identical(by_level[[2]], by_level[[1]])   # AVX2 vs AVX-512 (where present)
  expect_identical(by_level[[3]], by_level[[1]])   # portable vs AVX-512
})

test_that("near duplicates by slabs match brute force, any radius and number of directions", {
  set.seed(400)
  z <- rbind(matrix(stats::rnorm(500 * 5), 500), matrix(stats::rnorm(30 * 5, 3), 30))
  z <- rbind(z, z[1:20, ] + 1e-3, z[21:25, ], z[26:28, ] + c(0.2, 0, 0, 0, 0))
  dm <- matrix(0, nrow(z), nrow(z))
  for (j in seq_len(ncol(z))) dm <- dm + outer(z[, j], z[, j], "-")^2
  dm <- sqrt(dm)
  diag(dm) <- Inf
  axes <- eigen(stats::cov(z), symmetric = TRUE)$vectors
  rows <- sort(sample(nrow(z), 200))
  for (radius in c(0, 1e-3, 0.0011, 0.05, 0.3, 1, 50)) {
    want <- apply(dm[rows, , drop = FALSE], 1, min) < radius
    for (m in 1:4) {
      got <- .Call(fast_ffi("ffi_metrics_near"), z, as.integer(rows), radius,
                   axes[, seq_len(m), drop = FALSE], 1L)
      expect_identical(got, want, label = sprintf("radius %g, %d direction(s)", radius, m))
    }
  }
  # far from the origin: slab numbers too large, the single sort serves
  zf <- z + 1e12
  got <- .Call(fast_ffi("ffi_metrics_near"), zf, as.integer(rows), 0.3, axes[, 1:3], 2L)
  dmf <- matrix(0, nrow(zf), nrow(zf))
  for (j in seq_len(ncol(zf))) dmf <- dmf + outer(zf[, j], zf[, j], "-")^2
  dmf <- sqrt(dmf)
  diag(dmf) <- Inf
  expect_identical(got, apply(dmf[rows, , drop = FALSE], 1, min) < 0.3)
})

test_that("duplicate keys find the duplicates ?sg_diagnose defines", {
  # The definition (?sg_diagnose, "Metrics"): a synthetic row is a duplicate
  # of a real row (of another synthetic row) when it has the same class and
  # is equal to it on every predictor, numeric and nominal, a missing value
  # being equal to a missing value. Checked pair by pair against what the
  # keys of duplicate_keys() lead ffi_metrics_duplicates() to find.
  keys <- fast_ffi("duplicate_keys")
  same <- function(a, b) all((is.na(a) & is.na(b)) | (!is.na(a) & !is.na(b) & a == b))
  ref_duplicates <- function(dd) {
    ns <- length(dd$ys)
    row_of <- function(side, i) {
      real <- side == "real"
      x <- if (real) dd$xr else dd$xs
      nom <- vapply(dd$nom, function(nm) (if (real) dd$nr else dd$ns)[[nm]][i], "")
      list(class = as.character(if (real) dd$yr[i] else dd$ys[i]), num = x[i, ], nom = nom)
    }
    equal <- function(a, b) a$class == b$class && same(a$num, b$num) && same(a$nom, b$nom)
    real <- vapply(seq_len(ns), function(s) {
      any(vapply(seq_along(dd$yr), function(r) equal(row_of("synthetic", s), row_of("real", r)),
                 logical(1)))
    }, logical(1))
    synthetic <- vapply(seq_len(ns), function(s) {
      any(vapply(setdiff(seq_len(ns), s), function(t) {
        equal(row_of("synthetic", s), row_of("synthetic", t))
      }, logical(1)))
    }, logical(1))
    list(real = real, synthetic = synthetic)
  }
  found <- function(dd) {
    .Call(fast_ffi("ffi_metrics_duplicates"), keys(dd, "real"), keys(dd, "synthetic"))
  }
  lv <- c("a", "b")
  dd <- list(yr = factor(c("a", "b", "a", "a", "b"), levels = lv),
             xr = matrix(c(1, 2, NA, 1, 2, 4, 5, 6, 4, 5), 5, dimnames = list(NULL, c("u", "v"))),
             nom = c("f", "g"),
             nr = list(f = c("x", NA, "y", "x", NA), g = c("1", "1", "2", "1", "1")))
  # synthetic rows: 1 equals real row 1; 2 equals real row 2 but for its
  # class; 3 equals real row 3 (NA against NA in `u`); 4 differs from real
  # row 4 in `g` only; 5 has a value of `f` no real row has; 6 and 7 are
  # equal (0 and -0 in `v`, NA in `f`); 8 equals real row 1 and synthetic
  # row 1
  dd$ys <- factor(c("a", "a", "a", "a", "b", "b", "b", "a"), levels = lv)
  dd$xs <- matrix(c(1, 2, NA, 1, 9, 3, 3, 1, 4, 5, 6, 4, 5, 0, -0, 4), 8,
                  dimnames = list(NULL, c("u", "v")))
  dd$ns <- list(f = c("x", NA, "y", "x", "z", NA, NA, "x"),
                g = c("1", "1", "2", "2", "1", "3", "3", "1"))
  want <- ref_duplicates(dd)
  expect_identical(want$real, c(TRUE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, TRUE))
  expect_identical(want$synthetic, c(TRUE, FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, TRUE))
  expect_identical(found(dd), want)
  # with no nominal columns, rows 4 and 1 are the same
  dd$nom <- character(0)
  expect_identical(found(dd), ref_duplicates(dd))
  expect_true(ref_duplicates(dd)$real[4])
  # random rows with many ties
  set.seed(33)
  for (rep in 1:20) {
    nr <- sample(1:30, 1)
    ns <- sample(0:30, 1)
    draw <- function(n) matrix(sample(c(0, -0, 1, NA), n * 2, TRUE), n, 2)
    dd <- list(yr = factor(sample(lv, nr, TRUE), levels = lv),
               ys = factor(sample(lv, ns, TRUE), levels = lv),
               xr = draw(nr), xs = draw(ns), nom = "f",
               nr = list(f = sample(c("p", "q", NA), nr, TRUE)),
               ns = list(f = sample(c("p", "q", "r", NA), ns, TRUE)))
    expect_identical(found(dd), ref_duplicates(dd), label = sprintf("random case %d", rep))
  }
})

test_that("the median pair distance from screened passes is the canonical one", {
  sets <- list(
    matrix(c(0, 1), 2, 1),                                          # one pair
    matrix(c(0, 1, 3), 3, 1),
    matrix(1, 6, 3),                                                # all equal
    matrix(as.double(sample(0:2, 300 * 4, TRUE)), 300),             # many ties
    matrix(stats::rnorm(600 * 20), 600),
    rbind(matrix(stats::rnorm(400 * 3), 400), matrix(1e6, 3, 3))    # far outliers
  )
  set.seed(500)
  for (i in seq_along(sets)) {
    x <- sets[[i]]
    y <- x[c(1, nrow(x)), , drop = FALSE]
    old <- .Call(fast_ffi("ffi_metrics_path"), 1L)
    slow <- .Call(fast_ffi("ffi_metrics_mmd"), x, y, 1L)
    .Call(fast_ffi("ffi_metrics_path"), 0L)
    fast <- .Call(fast_ffi("ffi_metrics_mmd"), x, y, 2L)
    .Call(fast_ffi("ffi_metrics_path"), old)
    expect_identical(fast[["sigma"]], slow[["sigma"]], label = sprintf("sigma (set %d)", i))
    if (nrow(x) <= 400) {
      dm <- matrix(0, nrow(x), nrow(x))
      for (j in seq_len(ncol(x))) dm <- dm + outer(x[, j], x[, j], "-")^2
      expect_identical(fast[["sigma"]], stats::median(sqrt(dm)[upper.tri(dm)]),
                       label = sprintf("sigma against R (set %d)", i))
    }
  }
})
