# The registered C routines called directly: bad types, NA, empty and huge
# inputs must give an R error, never a crash, and no routine may write into
# its arguments. Users meet the R checks first; these guard the invariants
# the C code relies on.

ffi <- function(name) get(name, envir = asNamespace("smoteguard"))

# What the package must register: each .Call routine and its number of
# arguments. A routine that goes away or changes its signature fails here
# (and the direct calls below), rather than being skipped.
routines_wanted <- c(
  ffi_knn_search = 8L, ffi_knn_mixed = 9L, ffi_knn_path = 1L, ffi_draw_cycle = 4L,
  ffi_adasyn_alloc = 2L, ffi_draw_counts = 2L, ffi_draw_safe_level = 4L,
  ffi_add_noise = 2L, ffi_guard_pairs = 6L,
  ffi_guard_intrusion = 11L, ffi_geometric_make = 6L,
  ffi_classes_neighbors = 10L, ffi_rounds_run = 3L, ffi_guard_bounds = 2L,
  ffi_guard_cap = 2L, ffi_hold_round = 6L, ffi_constraints_check = 7L,
  ffi_metrics_class = 7L, ffi_metrics_near = 5L, ffi_metrics_mmd = 3L,
  ffi_metrics_duplicates = 2L, ffi_metrics_ks = 2L, ffi_metrics_path = 1L,
  ffi_stats_columns = 3L, ffi_stats_outside = 3L, ffi_record_checksum = 1L,
  ffi_threads_get = 0L, ffi_threads_set = 1L, ffi_stats_quantiles = 2L,
  ffi_record_fingerprint = 1L, ffi_record_append = 2L, ffi_record_clock = 0L,
  ffi_record_seed_restore = 1L,
  ffi_record_extend = 4L, ffi_record_numbered = 1L, ffi_predictors_matrix = 3L,
  ffi_predictors_kinds = 1L,
  ffi_fidelity_check = 9L, ffi_pair_mean = 2L, ffi_condense = 8L,
  ffi_logit_fit = 3L, ffi_logit_oof = 6L, ffi_score_risks = 4L,
  ffi_same_ranking = 2L)

# ffi_knn_search(x, query, k, center, scale, threads, exclude, farthest)
knn_call <- function(x, query = NULL, k = 1L, center = NULL, scale = NULL,
                     threads = NA_integer_, exclude = NULL, farthest = FALSE) {
  .Call(ffi("ffi_knn_search"), x, query, k, center, scale, threads, exclude, farthest)
}

# The SMOTE draw: ffi_draw_cycle(neighbors, n_new, other, other_gap) with no
# `other`.
draw_call <- function(neighbors, n_new) {
  .Call(ffi("ffi_draw_cycle"), neighbors, n_new, NULL, NULL)
}

# A malformed call must stop with the C check's own message (a crash ends
# the run; another error means another check, or none, caught it).
expect_c_error <- function(object, message) {
  expect_error(object, message, fixed = TRUE)
}

test_that("the package registers its .Call routines with these argument counts", {
  routines <- getDLLRegisteredRoutines("smoteguard")$.Call
  arity <- vapply(routines, `[[`, integer(1), "numParameters")
  expect_identical(arity[sort(names(arity))], routines_wanted[sort(names(routines_wanted))])
})

test_that("ffi_knn_search() rejects bad types", {
  x <- matrix(as.double(1:12), 4, 3)
  xi <- matrix(1:12, 4, 3)
  expect_c_error(knn_call(matrix("a", 4, 3), k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(NULL, k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(list(1, 2, 3), k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(xi, k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(matrix(TRUE, 4, 3), k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(as.double(1:12), k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(as.data.frame(x), k = 1L), "`x` must be a double matrix.")
  expect_c_error(knn_call(x, query = matrix("a", 2, 3), k = 1L),
                 "`query` must be NULL or a double matrix.")
  expect_c_error(knn_call(x, query = xi, k = 1L), "`query` must be NULL or a double matrix.")
  expect_c_error(knn_call(x, query = list(1), k = 1L), "`query` must be NULL or a double matrix.")
  expect_c_error(knn_call(x, query = x[, 1:2], k = 1L), "`query` must have as many columns as `x`.")
  expect_c_error(knn_call(x, k = "1"), "`k` must be a single number.")
  expect_c_error(knn_call(x, k = NULL), "`k` must be a single number.")
  expect_c_error(knn_call(x, k = list(1L)), "`k` must be a single number.")
  expect_c_error(knn_call(x, k = c(1L, 2L)), "`k` must be a single number.")
  expect_c_error(knn_call(x, k = 1.5), "`k` must be a whole number.")
  expect_c_error(knn_call(x, k = 1L, center = c("a", "b", "c")),
                 "`center` and `scale` must be double vectors, one value per column.")
  expect_c_error(knn_call(x, k = 1L, center = c(0, 0)),
                 "`center` and `scale` must be double vectors, one value per column.")
  expect_c_error(knn_call(x, k = 1L, center = c(0L, 0L, 0L)),
                 "`center` and `scale` must be double vectors, one value per column.")
  expect_c_error(knn_call(x, k = 1L, scale = c(1, 1)),
                 "`center` and `scale` must be double vectors, one value per column.")
  expect_c_error(knn_call(x, k = 1L, scale = c(1L, 1L, 1L)),
                 "`center` and `scale` must be double vectors, one value per column.")
  expect_c_error(knn_call(x, k = 1L, threads = "2"), "`threads` must be a single number.")
  expect_c_error(knn_call(x, k = 1L, threads = NULL), "`threads` must be a single number.")
  expect_c_error(knn_call(x, k = 1L, threads = 1.5), "`threads` must be a whole number.")
})

test_that("ffi_knn_search() rejects NA, bad k and bad scales", {
  x <- matrix(as.double(1:12), 4, 3)
  na <- x
  na[2, 2] <- NA
  inf <- x
  inf[3, 1] <- Inf
  nan <- x
  nan[1, 3] <- NaN
  expect_c_error(knn_call(na, k = 1L), "`x` and `query` must not contain NA, NaN or Inf.")
  expect_c_error(knn_call(inf, k = 1L), "`x` and `query` must not contain NA, NaN or Inf.")
  expect_c_error(knn_call(nan, k = 1L), "`x` and `query` must not contain NA, NaN or Inf.")
  expect_c_error(knn_call(x, query = na, k = 1L),
                 "`x` and `query` must not contain NA, NaN or Inf.")
  expect_c_error(knn_call(x, query = inf, k = 1L),
                 "`x` and `query` must not contain NA, NaN or Inf.")
  expect_c_error(knn_call(x, k = NA_integer_), "`k` must be at least 1.")
  expect_c_error(knn_call(x, k = NA_real_), "`k` must be at least 1.")
  expect_c_error(knn_call(x, k = 0L), "`k` must be at least 1.")
  expect_c_error(knn_call(x, k = -3L), "`k` must be at least 1.")
  expect_c_error(knn_call(x, k = 4L), "`k` is larger than the number of rows available.")
  expect_c_error(knn_call(x, query = x, k = 5L), "`k` is larger than the number of rows available.")
  expect_c_error(knn_call(x, k = .Machine$integer.max),
                 "`k` is larger than the number of rows available.")
  expect_c_error(knn_call(x, k = 1e10), "`k` must be a whole number.")
  expect_c_error(knn_call(x, k = 2^31), "`k` must be a whole number.")
  expect_c_error(knn_call(x, k = Inf), "`k` must be a whole number.")
  expect_c_error(knn_call(x, k = 1L, scale = c(1, -1, 1)),
                 "`center` and `scale` must be finite, `scale` non-negative.")
  expect_c_error(knn_call(x, k = 1L, scale = c(1, NA, 1)),
                 "`center` and `scale` must be finite, `scale` non-negative.")
  expect_c_error(knn_call(x, k = 1L, scale = c(1, Inf, 1)),
                 "`center` and `scale` must be finite, `scale` non-negative.")
  expect_c_error(knn_call(x, k = 1L, threads = c(1L, 2L)), "`threads` must be a single number.")
})

test_that("ffi_knn_search() rejects a non-finite centre", {
  # A centre of NA or Inf makes every distance NaN: the search must refuse it
  # rather than return row number 0 ("no neighbour") as a result.
  x <- matrix(as.double(1:12), 4, 3)
  expect_c_error(knn_call(x, k = 2L, center = c(NA, 0, 0)),
                 "`center` and `scale` must be finite, `scale` non-negative.")
  expect_c_error(knn_call(x, k = 2L, center = c(0, Inf, 0)),
                 "`center` and `scale` must be finite, `scale` non-negative.")
})

test_that("ffi_knn_search() handles empty inputs", {
  x <- matrix(as.double(1:12), 4, 3)
  expect_c_error(knn_call(x[0, , drop = FALSE], k = 1L),
                 "`k` is larger than the number of rows available.")
  expect_c_error(knn_call(x[0, , drop = FALSE], query = x, k = 1L),
                 "`k` is larger than the number of rows available.")
  expect_c_error(knn_call(x[1, , drop = FALSE], k = 1L),
                 "`k` is larger than the number of rows available.")
  # no query rows: an empty answer
  nn <- knn_call(x, query = x[0, , drop = FALSE], k = 2L)
  expect_identical(dim(nn$index), c(0L, 2L))
  expect_identical(dim(nn$distance), c(0L, 2L))
  # no columns (the R wrapper refuses them): every distance is 0, no crash
  z <- matrix(double(0), 5, 0)
  nn <- knn_call(z, k = 2L)
  expect_identical(dim(nn$index), c(5L, 2L))
  expect_true(all(nn$distance == 0))
  expect_true(all(nn$index >= 1 & nn$index <= 5))
})

test_that("ffi_knn_search() with centre and scale standardises, scale 0 drops", {
  x <- withr::with_seed(71, matrix(stats::rnorm(60 * 3), 60, 3))
  x[, 3] <- x[, 3] * 100
  center <- colMeans(x)
  scale <- c(stats::sd(x[, 1]), stats::sd(x[, 2]), 0)
  nn <- knn_call(x, k = 4L, center = center, scale = scale)
  z <- sweep(sweep(x[, 1:2], 2, center[1:2]), 2, scale[1:2], "/")
  want <- ref_knn(z, 4)
  expect_identical(nn$index, want$index)
  expect_equal(nn$distance, want$distance, tolerance = 1e-10)
})

test_that("ffi_knn_search() with `exclude` checks it", {
  x <- matrix(as.double(1:12), 4, 3)
  q <- x[1:2, , drop = FALSE]
  expect_c_error(knn_call(x, k = 1L, exclude = 1:4),
                 "`exclude` must be NULL or an integer vector, one per query row.")
  expect_c_error(knn_call(x, query = q, k = 1L, exclude = 1L),
                 "`exclude` must be NULL or an integer vector, one per query row.")
  expect_c_error(knn_call(x, query = q, k = 1L, exclude = c(1, 2)),
                 "`exclude` must be NULL or an integer vector, one per query row.")
  expect_c_error(knn_call(x, query = q, k = 1L, exclude = c(0L, 1L)),
                 "`exclude` holds an index outside 1..4.")
  expect_c_error(knn_call(x, query = q, k = 1L, exclude = c(1L, 5L)),
                 "`exclude` holds an index outside 1..4.")
  expect_c_error(knn_call(x, query = q, k = 4L, exclude = c(1L, 2L)),
                 "`k` is larger than the number of rows available.")
  nn <- knn_call(x, query = q, k = 3L, exclude = c(1L, NA))
  expect_false(1L %in% nn$index[1, ])
  expect_identical(nn$index[2, 1], 2L)
})

test_that("ffi_knn_search() with `farthest` checks it", {
  x <- matrix(as.double(c(0, 1, 3, 7)), 4, 1)
  expect_c_error(knn_call(x, k = 1L, farthest = NA), "`farthest` must be TRUE or FALSE.")
  expect_c_error(knn_call(x, k = 1L, farthest = 1L), "`farthest` must be TRUE or FALSE.")
  expect_c_error(knn_call(x, k = 1L, farthest = "yes"), "`farthest` must be TRUE or FALSE.")
  expect_c_error(knn_call(x, k = 1L, farthest = NULL), "`farthest` must be TRUE or FALSE.")
  expect_c_error(knn_call(x, k = 1L, farthest = c(TRUE, FALSE)),
                 "`farthest` must be TRUE or FALSE.")
  nn <- knn_call(x, k = 2L, farthest = TRUE)
  expect_identical(nn$index[, 1], c(4L, 4L, 4L, 1L))
  expect_identical(nn$distance[, 1], c(7, 6, 4, 7))
})

test_that("every distance path gives the same neighbours and bits", {
  # The search may take one of several paths (direct, screened expansion,
  # kd-tree); a switch for tests selects them. They must agree exactly.
  sw <- ffi("ffi_knn_path")
  paths <- list(1L, 2L, 3L, 4L, 5L, 6L, 7L)
  withr::defer(.Call(sw, 0L))
  run <- function(data, q) {
    list(knn_call(data, k = 9L), knn_call(data, query = q, k = 5L),
         knn_call(data, k = 3L, center = colMeans(data),
                  scale = apply(data, 2, stats::sd)))
  }
  for (d in c(2, 6, 20)) {
    x <- withr::with_seed(d, matrix(stats::rnorm(400 * d), 400, d))
    g <- withr::with_seed(d, matrix(sample(0:2, 400 * d, TRUE), 400, d)) + 0
    g <- rbind(g, g[1:5, ])
    for (data in list(x, g)) {
      q <- data[1:37, ] + 0.01
      results <- lapply(paths, function(p) {
        .Call(sw, p)
        run(data, q)
      })
      for (r in results[-1]) expect_identical(r, results[[1]])
    }
  }
})

test_that("ffi_knn_search() does not modify its arguments", {
  x <- withr::with_seed(72, matrix(stats::rnorm(300 * 4), 300, 4))
  q <- x[1:50, ] + 0.5
  center <- colMeans(x)
  scale <- apply(x, 2, stats::sd)
  k <- 3L
  threads <- 2L
  copies <- deep_copy(list(x, q, center, scale, k, threads))
  knn_call(x, NULL, k, center, scale, threads)
  knn_call(x, q, k, center, scale, threads)
  knn_call(x, q, k, NULL, NULL, threads)
  try(knn_call(x, q, 1e6, center, scale, threads), silent = TRUE)
  expect_identical(list(x, q, center, scale, k, threads), copies)
  # and the same when the data are big enough for the threads
  big <- withr::with_seed(73, matrix(stats::rnorm(1500 * 5), 1500, 5))
  big0 <- deep_copy(big)
  a <- knn_call(big, k = 5L, threads = 2L)
  expect_identical(big, big0)
  expect_identical(a, knn_call(big, k = 5L, threads = 1L))
})

test_that("the SMOTE draw rejects bad types, NA, empty and out-of-range input", {
  nn <- matrix(c(2L, 3L, 1L, 3L, 1L, 2L), 3, 2, byrow = TRUE)
  not_matrix <- "`neighbors` must be an integer matrix."
  expect_c_error(draw_call(nn + 0, 5), not_matrix)
  expect_c_error(draw_call(matrix("1", 3, 2), 5), not_matrix)
  expect_c_error(draw_call(NULL, 5), not_matrix)
  expect_c_error(draw_call(list(1L, 2L), 5), not_matrix)
  expect_c_error(draw_call(as.vector(nn), 5), not_matrix)
  expect_c_error(draw_call(nn[0, , drop = FALSE], 5), "`neighbors` must have at least one row.")
  expect_c_error(draw_call(replace(nn, 2, 0L), 5), "`neighbors` must hold positive row numbers.")
  expect_c_error(draw_call(replace(nn, 6, -1L), 5), "`neighbors` must hold positive row numbers.")
  # NA marks a pair the guard removed; a parent left with none is an error
  expect_c_error(draw_call(replace(nn, c(2, 5), NA_integer_), 5),
                 "Parent 2 has no usable neighbour.")
  not_number <- "`n_new` must be a single number."
  not_count <- "`n_new` must be a whole number from 0 to 2147483647."
  expect_c_error(draw_call(nn, NA), not_number)
  expect_c_error(draw_call(nn, "5"), not_number)
  expect_c_error(draw_call(nn, NULL), not_number)
  expect_c_error(draw_call(nn, c(1, 2)), not_number)
  expect_c_error(draw_call(nn, NA_real_), not_count)
  expect_c_error(draw_call(nn, NA_integer_), not_count)
  expect_c_error(draw_call(nn, -1), not_count)
  expect_c_error(draw_call(nn, 1.5), not_count)
  expect_c_error(draw_call(nn, Inf), not_count)
  expect_c_error(draw_call(nn, 1e300), not_count)
  # Borderline-2's other-class candidate and its gap
  f <- ffi("ffi_draw_cycle")
  other <- c(3L, 3L, 1L)
  bad_other <- "`other` must be NULL or an integer vector, one per parent."
  expect_c_error(.Call(f, nn, 5, c(1L, 2L), 0.5), bad_other)
  expect_c_error(.Call(f, nn, 5, c(3, 3, 1), 0.5), bad_other)
  expect_c_error(.Call(f, nn, 5, c(3L, NA, 1L), 0.5), "`other` must hold positive row numbers.")
  expect_c_error(.Call(f, nn, 5, c(3L, 0L, 1L), 0.5), "`other` must hold positive row numbers.")
  expect_c_error(.Call(f, nn, 5, other, NA_real_), "`other_gap` must be in [0, 1].")
  expect_c_error(.Call(f, nn, 5, other, 1.5), "`other_gap` must be in [0, 1].")
  expect_c_error(.Call(f, nn, 5, other, -0.1), "`other_gap` must be in [0, 1].")
  expect_c_error(.Call(f, nn, 5, other, "0.5"), "`other_gap` must be a single number.")
  expect_c_error(.Call(f, nn, 5, other, NULL), "`other_gap` must be a single number.")
})

test_that("the SMOTE draw gives valid, reproducible draws", {
  p <- 7L
  nn <- t(vapply(seq_len(p), function(i) setdiff(seq_len(p), i)[1:3], integer(3)))
  nn0 <- deep_copy(nn)
  n_new <- 23
  d1 <- withr::with_seed(5, draw_call(nn, n_new))
  expect_identical(nn, nn0)
  d2 <- withr::with_seed(5, draw_call(nn, n_new))
  expect_identical(d1, d2)
  expect_named(d1, c("parent", "neighbor", "gap"))
  expect_length(d1$parent, 23)
  expect_true(all(d1$parent >= 1 & d1$parent <= p))
  uses <- tabulate(d1$parent, p)
  expect_true(all(uses %in% c(3L, 4L)))
  # the neighbour is one of the parent's row of `nn`
  expect_true(all(mapply(function(pa, ne) ne %in% nn[pa, ], d1$parent, d1$neighbor)))
  expect_true(all(d1$gap >= 0 & d1$gap <= 1))
  # a removed pair (NA) is never drawn
  holed <- nn
  holed[1:3, 2] <- NA_integer_
  d3 <- withr::with_seed(6, draw_call(holed, 200))
  expect_false(anyNA(d3$neighbor))
  expect_true(all(mapply(function(pa, ne) ne %in% stats::na.omit(holed[pa, ]),
                         d3$parent, d3$neighbor)))
  # parents 1 to 3 still use both their remaining neighbours
  d3 <- as.data.frame(d3)
  used <- unique(d3[d3$parent <= 3, c("parent", "neighbor")])
  expect_identical(nrow(used), 6L)
  # nothing to draw
  d0 <- draw_call(nn, 0)
  expect_identical(lengths(d0), c(parent = 0L, neighbor = 0L, gap = 0L))
})

# The remaining cases could end the R process if they went wrong, so they
# run in a child R session; the test checks that the child lived to report.
run_child <- function(code) {
  script <- withr::local_tempfile(fileext = ".R")
  lib <- dirname(find.package("smoteguard"))
  writeLines(c(sprintf("suppressPackageStartupMessages(library(smoteguard, lib.loc = %s))",
                       deparse(lib)), code, 'cat("CHILD ALIVE\\n")'), script)
  out <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"),
                                  c("--vanilla", shQuote(script)),
                                  stdout = TRUE, stderr = TRUE, timeout = 120,
                                  env = "TZ=UTC"))
  out
}

test_that("an absurd thread count is refused or capped, never a crash", {
  skip_on_cran()
  # Big enough to pass the parallel threshold; the R wrapper caps threads at
  # 1024, the C entry point must not ask OpenMP for 100000 threads.
  out <- run_child(c(
    "x <- matrix(rnorm(1500 * 5), 1500, 5)",
    "f <- smoteguard:::ffi_knn_search",
    "r <- tryCatch(.Call(f, x, NULL, 3L, NULL, NULL, 100000L, NULL, FALSE),",
    "              error = function(e) 'error')"
  ))
  expect_true(any(out == "CHILD ALIVE"),
              label = paste(c("child output:", utils::tail(out, 5)), collapse = "\n"))
})

test_that("every registered routine survives garbage arguments", {
  skip_on_cran()
  out <- run_child(c(
    "ns <- asNamespace('smoteguard')",
    "routines <- getDLLRegisteredRoutines('smoteguard')$.Call",
    "garbage <- list(NULL, 'a', list(), list(1, 'b'), NA, NA_real_, NA_integer_,",
    "  integer(0), double(0), -1L, 0L, 1e300, -Inf, NaN, 2^31, TRUE,",
    "  matrix('a', 2, 2), matrix(NA_real_, 2, 2), matrix(-1L, 2, 2),",
    "  matrix(0L, 0, 3), matrix(double(0), 3, 0), matrix(1:6, 3, 2),",
    "  matrix(c(1, 2, 3, NaN), 2, 2), function() 1, quote(x), globalenv(),",
    "  factor('a'), as.Date('2020-01-01'), complex(real = 1, imaginary = 1))",
    "set.seed(1)",
    "calls <- 0",
    "for (nm in names(routines)) {",
    "  f <- get(nm, envir = ns)",
    "  np <- routines[[nm]]$numParameters",
    "  for (g in garbage) {",
    "    calls <- calls + 1",
    "    try(do.call(.Call, c(list(f), rep(list(g), np))), silent = TRUE)",
    "  }",
    "  for (t in 1:300) {",
    "    calls <- calls + 1",
    "    try(do.call(.Call, c(list(f), sample(garbage, np, replace = TRUE))), silent = TRUE)",
    "  }",
    "}",
    "cat('CALLS', calls, '\\n')"
  ))
  expect_true(any(out == "CHILD ALIVE"),
              label = paste(c("child output:", utils::tail(out, 5)), collapse = "\n"))
})

# Plain-R column statistics: what ffi_stats_columns() must reproduce bit for bit.
ref_column_stats <- function(x) {
  per <- function(f) vapply(seq_len(ncol(x)), function(j) f(x[, j]), numeric(1))
  list(mean = per(function(v) mean(v, na.rm = TRUE)),
       sd = per(function(v) stats::sd(v, na.rm = TRUE)),
       min = per(function(v) suppressWarnings(min(v, na.rm = TRUE))),
       max = per(function(v) suppressWarnings(max(v, na.rm = TRUE))),
       missing = per(function(v) sum(is.na(v))))
}

test_that("ffi_stats_columns() gives mean(), sd(), min(), max() with na.rm, exactly", {
  f <- ffi("ffi_stats_columns")
  set.seed(11)
  for (it in 1:300) {
    n <- sample(c(0:4, 30, 500), 1)
    d <- sample(0:5, 1)
    x <- matrix(stats::rnorm(n * d, mean = sample(c(0, 1e6, -3), 1)) *
                  10^sample(-200:200, 1), n, d)
    if (n * d > 0 && stats::runif(1) < 0.6) x[sample(n * d, sample(0:(n * d), 1))] <- NA
    if (d > 0 && stats::runif(1) < 0.3) x[, 1] <- 0.1   # constant column
    expect_identical(.Call(f, x, NULL, 1L), ref_column_stats(x))
    if (n > 0) {
      rows <- sample(n, sample(n, 1), replace = TRUE)
      expect_identical(.Call(f, x, rows, 1L), ref_column_stats(x[rows, , drop = FALSE]))
      # a class of one row: no standard deviation
      expect_identical(.Call(f, x, rows[1], 1L), ref_column_stats(x[rows[1], , drop = FALSE]))
    }
  }
  # all missing, a single value, NaN counted as missing, huge values
  x <- cbind(NA_real_, c(NA, 2, NA), c(NaN, 1, 3), c(1e308, 1e308, -1e308))
  expect_identical(.Call(f, x, NULL, 1L), ref_column_stats(x))
  expect_identical(.Call(f, x, integer(0), 1L), ref_column_stats(x[integer(0), , drop = FALSE]))
  expect_identical(smoteguard:::column_stats(matrix(1:6, 3)),
                   ref_column_stats(matrix(as.double(1:6), 3)))
})

test_that("ffi_stats_columns() gives the same values on one and two threads", {
  skip_if(parallel::detectCores() < 2, "one processor: no second thread to compare")
  f <- ffi("ffi_stats_columns")
  # large enough to be shared among threads (about 3 n d >= 2e6)
  x <- withr::with_seed(13, matrix(stats::rnorm(150000 * 7, mean = 1e5), 150000, 7))
  x[withr::with_seed(14, sample(length(x), 5000))] <- NA
  one <- .Call(f, x, NULL, 1L)
  expect_identical(.Call(f, x, NULL, 2L), one)
  expect_identical(.Call(f, x, NULL, NA_integer_), one)
  expect_identical(one, ref_column_stats(x))
  rows <- withr::with_seed(15, sample(150000, 120000))
  expect_identical(.Call(f, x, rows, 2L), .Call(f, x, rows, 1L))
})

test_that("ffi_stats_columns() rejects bad types and row numbers", {
  f <- ffi("ffi_stats_columns")
  x <- matrix(as.double(1:6), 3, 2)
  expect_c_error(.Call(f, matrix(1:6, 3), NULL, 1L), "`x` must be a double matrix.")
  expect_c_error(.Call(f, as.double(1:6), NULL, 1L), "`x` must be a double matrix.")
  expect_c_error(.Call(f, "a", NULL, 1L), "`x` must be a double matrix.")
  expect_c_error(.Call(f, x, c(1, 2), 1L), "`rows` must be NULL or an integer vector.")
  expect_c_error(.Call(f, x, c(1L, NA), 1L), "`rows` must hold row numbers from 1 to 3.")
  expect_c_error(.Call(f, x, 0L, 1L), "`rows` must hold row numbers from 1 to 3.")
  expect_c_error(.Call(f, x, 4L, 1L), "`rows` must hold row numbers from 1 to 3.")
  expect_c_error(.Call(f, x, -1L, 1L), "`rows` must hold row numbers from 1 to 3.")
  expect_c_error(.Call(f, x, NULL, "two"), "`threads` must be a single number.")
  expect_c_error(.Call(f, x, NULL, 1.5), "`threads` must be a whole number.")
  before <- x
  .Call(f, x, 1:2, 1L)
  expect_identical(x, before)
})

test_that("ffi_stats_outside() flags rows with a value out of bounds", {
  f <- ffi("ffi_stats_outside")
  set.seed(12)
  for (it in 1:100) {
    m <- sample(0:20, 1)
    d <- sample(0:4, 1)
    v <- matrix(stats::rnorm(m * d), m, d)
    if (m * d > 0) v[sample(m * d, sample(0:(m * d), 1))] <- NA
    if (m * d > 0 && stats::runif(1) < 0.3) v[1] <- NaN
    lo <- stats::rnorm(d) - 1
    hi <- lo + abs(stats::rnorm(d)) * 2
    if (d > 0) hi[1] <- Inf
    ref <- rep(FALSE, m)
    for (j in seq_len(d)) ref <- ref | ((v[, j] < lo[j] | v[, j] > hi[j]) & !is.na(v[, j]))
    expect_identical(.Call(f, v, lo, hi), ref)
  }
  v <- matrix(c(0, 1, 2), 3, 1)
  expect_identical(.Call(f, v, 1, 1), c(TRUE, FALSE, TRUE))
  expect_c_error(.Call(f, v, 1L, 2), "`lower` and `upper` must be double vectors, one per column.")
  expect_c_error(.Call(f, v, c(0, 1), c(1, 2)),
                 "`lower` and `upper` must be double vectors, one per column.")
  expect_c_error(.Call(f, matrix(1:3), 0, 1), "`values` must be a double matrix.")
  expect_c_error(.Call(f, c(0, 1), 0, 1), "`values` must be a double matrix.")
  expect_c_error(.Call(f, v, NULL, NULL),
                 "`lower` and `upper` must be double vectors, one per column.")
})

test_that("ffi_record_checksum() weights codes by position, exactly, and rejects other types", {
  f <- ffi("ffi_record_checksum")
  set.seed(13)
  for (n in c(0, 1, 7, 1000, 50000)) {
    codes <- sample.int(40, n, replace = TRUE)
    # the plain-R sum, exact in doubles at these sizes
    ref <- sum(as.numeric(codes) * ((seq_len(n) * 7919) %% 10007 + 1)) %% 2^50
    expect_identical(.Call(f, codes), ref)
  }
  rn <- c(as.character(1:300), paste0("synthetic_", 1:50))
  s <- .Call(f, rn)
  expect_true(is.double(s) && length(s) == 1 && s >= 0 && s < 2^50)
  expect_identical(.Call(f, rn), s)
  expect_false(identical(.Call(f, rn[c(2, 1, 3:350)]), s))
  expect_false(identical(.Call(f, rn[-350]), s))
  # the same string in two encodings has one code
  latin <- "caf\xe9"
  Encoding(latin) <- "latin1"
  expect_identical(.Call(f, latin), .Call(f, "caf\u00e9"))
  expect_identical(.Call(f, c(1L, NA)), NA_real_)
  expect_identical(.Call(f, c("a", NA)), NA_real_)
  not_codes <- "`x` must be an integer or character vector."
  expect_c_error(.Call(f, c(1, 2)), not_codes)
  expect_c_error(.Call(f, NULL), not_codes)
  expect_c_error(.Call(f, list(1L)), not_codes)
  expect_c_error(.Call(f, TRUE), not_codes)
})

test_that("ffi_logit_fit() checks its arguments", {
  fit <- function(x, y, offset = NULL) .Call(ffi("ffi_logit_fit"), x, y, offset)
  x <- cbind(1, c(-1, 0.5, 2, 1))
  y <- c(0, 1, 1, 0)
  expect_named(fit(x, y), c("coefficients", "converged"))
  expect_c_error(fit(1:4, y), "`x` must be a double matrix")
  expect_c_error(fit(x, 1:4), "`x` must be a double matrix and `y` doubles")
  expect_c_error(fit(x, y[1:3]), "one row per value of `y`")
  expect_c_error(fit(x[0, , drop = FALSE], double()), "must have rows and columns")
  expect_c_error(fit(x, c(0, 1, 2, 0)), "`y` must hold 0 and 1 only")
  expect_c_error(fit(x, c(0, 1, NA, 0)), "`y` must hold 0 and 1 only")
  expect_c_error(fit(x, y, 1:4), "`offset` must be NULL or one double per row")
  expect_c_error(fit(x, y, c(0, NA, 0, 0)), "`offset` must be finite")
  x[2, 2] <- Inf
  expect_c_error(fit(x, y), "`x` must be finite")
})

test_that("ffi_predictors_matrix() gives unlist() and as.double()'s values, as a matrix", {
  f <- function(cols, n, threads = 1L) .Call(ffi("ffi_predictors_matrix"), cols, n, threads)
  cols <- list(a = c(1.5, NA, NaN, -0, Inf), b = c(3L, NA, -2L, .Machine$integer.max, 0L),
               o = factor(c("x", "z", NA, "y", "x"), levels = c("x", "y", "z"), ordered = TRUE))
  want <- as.double(unlist(lapply(cols, as.double), use.names = FALSE))
  dim(want) <- c(5L, 3L)
  expect_identical(f(cols, 5L), want)
  expect_identical(f(cols[1:2], 5), want[, 1:2])
  expect_identical(f(list(), 4L), matrix(0, 4, 0))
  expect_identical(f(list(integer(0)), 0L), matrix(0, 0, 1))
  expect_error(f(cols, 4L), "length `n`")
  expect_error(f(list(c(TRUE, FALSE)), 2L), "double or integer")
  expect_error(f(c(1, 2), 2L), "list of columns")
  expect_error(f(cols, NA_integer_), "count of rows")
  expect_error(f(cols, "5"), "single number")
  expect_error(f(cols, 5L, "2"), "single number")
  # more than 500,000 values: the columns shared among the threads; an
  # ALTREP column (a compact sequence) is expanded before they start
  set.seed(5)
  big <- list(a = seq_len(200000), b = rnorm(200000), c = sample(c(NA, 1:9), 200000, TRUE))
  want <- as.double(unlist(big, use.names = FALSE))
  dim(want) <- c(200000L, 3L)
  for (th in list(1L, 2L, 3L, NA_integer_)) expect_identical(f(big, 200000L, th), want)
})

test_that("ffi_record_extend() appends the synthetic values, as c() and as.integer(round()) do", {
  extend <- function(cols, values, which, threads = 1L) {
    .Call(ffi("ffi_record_extend"), cols, values, which, threads)
  }
  set.seed(3)
  v <- c(runif(200, -50, 50), seq(-3, 3, by = 0.5), NA, NaN, -0.2)
  values <- cbind(v, rev(v))
  cols <- list(a = 1:5, b = c(0.5, NA, 2, 3, -1))
  values_before <- values + 0
  out <- extend(cols, values, c(1L, 2L))
  expect_identical(out[[1]], c(1:5, as.integer(round(v))))
  expect_identical(out[[2]], c(cols$b, rev(v)))
  expect_identical(values, values_before)
  expect_identical(extend(list(), values, integer(0)), list())
  expect_identical(extend(list(1L), values[0, , drop = FALSE], 1L), list(1L))
  expect_warning(big <- extend(list(1L), matrix(c(1.4, 3e9, -3e9), 3, 1), 1L),
                 "integer range")
  expect_identical(big[[1]], c(1L, 1L, NA, NA))
  expect_c_error(extend(cols, values, 1:2, "2"), "single number")
  expect_c_error(extend(cols, values, 1L), "`which` must be an integer vector")
  expect_c_error(extend(cols, values, c(1L, 3L)), "`which` must hold column numbers from 1 to 2.")
  expect_c_error(extend(cols, values, c(1L, NA)), "`which` must hold column numbers from 1 to 2.")
  expect_c_error(extend(list("a"), values, 1L), "`cols` must hold bare double or integer vectors.")
  expect_c_error(extend(list(factor("a")), values, 1L), "`cols` must hold bare double or integer vectors.")
  expect_c_error(extend(1:3, values, 1L), "`cols` must be a list of columns.")
  expect_c_error(extend(cols, 1:3, 1:2), "`values` must be a double matrix.")
})

test_that("ffi_record_extend() gives the same columns on any number of threads", {
  extend <- function(cols, values, which, threads) {
    .Call(ffi("ffi_record_extend"), cols, values, which, threads)
  }
  # over 500,000 values: shared among the threads; an ALTREP column (a
  # compact sequence) is expanded before the threads start
  set.seed(11)
  n <- 90000
  G <- 40000
  values <- matrix(rnorm(3 * G, sd = 1e3), G, 3)
  values[c(5, 900), 2] <- c(NA, 3e9)
  cols <- list(a = seq_len(n), b = rnorm(n), c = sample(-5:5, n, TRUE), d = runif(n))
  which <- c(2L, 1L, 3L, 2L)
  want <- list(a = c(cols$a, suppressWarnings(as.integer(round(values[, 2])))),
               b = c(cols$b, values[, 1]),
               c = c(cols$c, as.integer(round(values[, 3]))),
               d = c(cols$d, values[, 2]))
  for (th in list(1L, 2L, 3L, NA_integer_)) {
    expect_warning(out <- extend(cols, values, which, th), "integer range")
    expect_identical(out, want)
  }
})

test_that("ffi_score_risks() and ffi_same_ranking() check their arguments", {
  score <- function(y, p, threshold = 0.5, ranking = NULL) {
    .Call(ffi("ffi_score_risks"), y, p, threshold, ranking)
  }
  y <- c(TRUE, FALSE, TRUE, FALSE)
  p <- c(0.9, 0.2, 0.6, 0.4)
  expect_error(score(as.integer(y), p), "`y` logical")
  expect_error(score(y, as.integer(p * 10)), "`y` logical")
  expect_error(score(y, p[-1]), "one length")
  expect_error(score(y, p, threshold = c(0.2, 0.5)), "one double threshold")
  expect_error(score(y, p, ranking = 1), "`ranking` NULL or two doubles")
  expect_error(score(logical(0), double(0)), "no rows")
  # missing values are a broken invariant here (eval_metrics() refuses them
  # with a classed error first)
  expect_error(score(c(y[-1], NA), p), "`y` has NA")
  expect_error(score(y, c(p[-1], NA)), "`p` has NA")
  expect_type(score(y, p), "double")
  same <- function(p, q) .Call(ffi("ffi_same_ranking"), p, q)
  expect_error(same(1:3, c(1, 2, 3)), "must be doubles")
  expect_false(same(c(1, 2), c(1, 2, 3)))
  expect_false(same(c(1, NA), c(1, 2)))
  expect_true(same(c(0.1, 0.5, 0.3), c(1, 5, 3)))
  expect_false(same(c(0.1, 0.5, 0.3), c(1, 3, 5)))
})

test_that("ffi_hold_round() checks its values, bounds and columns", {
  hold <- function(values, lower = NULL, upper = NULL, whole = NULL, ordered = NULL, top = NULL) {
    .Call(ffi("ffi_hold_round"), values, lower, upper, whole, ordered, top)
  }
  v <- matrix(c(0.5, 2.5, -0.4, NA, 7, 0.2), 3, 2)
  expect_c_error(hold(matrix(1:6, 3, 2)), "`values` must be a double matrix.")
  expect_c_error(hold(c(0.5, 1)), "`values` must be a double matrix.")
  bad_bounds <- "`lower` and `upper` must both be NULL or doubles, one per column."
  expect_c_error(hold(v, c(0, 0)), bad_bounds)
  expect_c_error(hold(v, 0, 1), bad_bounds)
  expect_c_error(hold(v, c(0L, 0L), c(1L, 1L)), bad_bounds)
  expect_c_error(hold(v, whole = 3L), "`whole` holds an invalid column.")
  expect_c_error(hold(v, whole = NA_integer_), "`whole` holds an invalid column.")
  expect_c_error(hold(v, whole = 1), "`whole` must be NULL or an integer vector")
  expect_c_error(hold(v, ordered = 0L, top = 2L), "`ordered` holds an invalid column.")
  expect_c_error(hold(v, ordered = 2L), "`top` is required with ordered columns.")
  expect_c_error(hold(v, ordered = 2L, top = 1:2), "`top` must be NULL or an integer vector of length 1.")
  # held, then rounded half to even; a missing value stays missing
  expect_identical(hold(v, c(-Inf, 0), c(2, 5), whole = 1L, ordered = 2L, top = 3L),
                   matrix(c(0, 2, -0, NA, 3, 1), 3, 2))
  expect_identical(hold(v[0, , drop = FALSE], c(0, 0), c(1, 1), 1L), v[0, , drop = FALSE])
})

test_that("ffi_constraints_check() checks its arguments and gives each row's reason", {
  check <- function(values, codes, rows = NULL, lower = NULL, upper = NULL, combos = NULL,
                    rules = NULL) {
    .Call(ffi("ffi_constraints_check"), values, codes, rows, lower, upper, combos, rules)
  }
  codes <- matrix(c(1L, 2L, NA, 1L, 1L, 2L, 2L, 2L, 3L), 3, 3)
  seen <- matrix(c(1L, NA, 1L, 2L), 2, 2)
  v <- matrix(c(0, 5, 1, 0.5, 0.5, 3), 3, 2)
  expect_c_error(check(matrix(1L, 3, 2), codes), "`values` must be a double matrix.")
  expect_c_error(check(v, matrix(1, 3, 3)),
                 "`codes` must be an integer matrix with the rows of `values`.")
  expect_c_error(check(v, codes[1:2, ]),
                 "`codes` must be an integer matrix with the rows of `values`.")
  expect_c_error(check(v, codes, rows = 1:2), "`rows` must be NULL or an integer vector of length 3.")
  expect_c_error(check(v, codes, lower = c(0, 0)),
                 "`lower` and `upper` must both be NULL or doubles, one per column.")
  expect_c_error(check(v, codes, lower = 0, upper = 1),
                 "`lower` and `upper` must both be NULL or doubles, one per column.")
  expect_c_error(check(v, codes, combos = list(1:2)), "`combos` must be a list of 2.")
  expect_c_error(check(v, codes, combos = list(c(1L, 4L), seen)), "`combos` holds an invalid column.")
  expect_c_error(check(v, codes, combos = list(integer(0), seen)),
                 "`combos` must name at least one column.")
  expect_c_error(check(v, codes, combos = list(1:2, seen[, 1, drop = FALSE])),
                 "`combos` seen must be an integer matrix, one column per combination column.")
  expect_c_error(check(v, codes, rules = 1), "`rules` must be NULL or a function.")
  # NA is a value like any other among the combinations
  expect_identical(check(v, codes, combos = list(1:2, seen)), c(0L, 4L, 0L))
  expect_identical(check(v, codes, combos = list(c(3L, 1L), seen[0, , drop = FALSE])),
                   rep(4L, 3))
  expect_identical(check(v[0, , drop = FALSE], codes[0, , drop = FALSE],
                         combos = list(1:2, seen)), integer(0))
  # bounds first, then combinations and rules on the rows still kept; the
  # rules see the kept rows' values, codes and rows
  seen_by_rules <- NULL
  rule <- function(values, codes, rows) {
    seen_by_rules <<- list(values, codes, rows)
    values[, 2] > 1
  }
  expect_identical(check(v, codes, rows = c(7L, 8L, 9L), lower = c(0, 0), upper = c(4, 4),
                         combos = list(1:2, seen), rules = rule), c(0L, 2L, 3L))
  expect_identical(seen_by_rules, list(v[c(1, 3), ], codes[c(1, 3), ], c(7L, 9L)))
})


test_that("ffi_rounds_run() rejects a candidate with an infinite value without a search", {
  # interpolating between values of opposite sign near the largest double
  # overflows: such a candidate fails the intrusion check (share 1) and
  # reaches neither the local search nor the exact one
  x <- matrix(c(1.7e308, -1.7e308, 1.6e308, -1.6e308, 1, 2, 3, 4), 8, 1)
  data <- list(x, matrix(0L, 8, 0), 0, 1e308, rep(1:2, each = 4), rep(1:4, 2), 0L,
               NULL, NULL, NULL, 2L)
  exact_called <- FALSE
  exact <- function(v, cd, p) {
    exact_called <<- TRUE
    rep(0, nrow(v))
  }
  cls <- list(1L, 1:4, matrix(c(2L, 1L, 4L, 3L), 4, 1), NULL, NULL,
              matrix(c(3L, 4L, 1L, 2L, 2L, 1L, 4L, 3L), 4, 2),
              c(4, 0, 0.5, 1, NA, NA), c(0L, 1L, 0L, 0L, 1L, 0L),
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, exact)
  out <- withr::with_seed(3, .Call(ffi("ffi_rounds_run"), data, rounds_columns(list(cls)), 1L))
  expect_identical(out$counts[c("made", "drawn", "rejected_intrusion")],
                   list(made = 0L, drawn = 4, rejected_intrusion = 4))
  expect_false(exact_called)
  # the same rows with finite values pass to the local search
  data[[1]] <- x / 1e10
  data[[4]] <- 1e298
  out <- withr::with_seed(3, .Call(ffi("ffi_rounds_run"), data, rounds_columns(list(cls)), 1L))
  expect_identical(out$counts$drawn, 4)
})

test_that("ffi_record_clock() reads the wall clock as Sys.time()'s number", {
  before <- unclass(Sys.time())
  now <- .Call(ffi("ffi_record_clock"))
  after <- unclass(Sys.time())
  expect_type(now, "double")
  expect_length(now, 1)
  # (the two clocks may round the same instant a microsecond apart)
  expect_gte(now, before - 1e-3)
  expect_lte(now, after + 1e-3)
})

test_that("ffi_record_seed_restore() puts the global .Random.seed back, or removes it", {
  f <- function(old) .Call(ffi("ffi_record_seed_restore"), old)
  env <- globalenv()
  saved <- get0(".Random.seed", env, inherits = FALSE)
  withr::defer(f(saved))
  set.seed(2)
  old <- .Random.seed
  stats::runif(3)
  expect_null(f(old))
  expect_identical(.Random.seed, old)
  expect_null(f(NULL))
  expect_false(exists(".Random.seed", envir = env, inherits = FALSE))
  # (nothing to remove: no error)
  expect_null(f(NULL))
  expect_false(exists(".Random.seed", envir = env, inherits = FALSE))
  # as rm() leaves it: the next draw seeds a new stream
  stats::runif(1)
  expect_true(exists(".Random.seed", envir = env, inherits = FALSE))
  # anything else is refused, and the stream is left as it was
  now <- .Random.seed
  msg <- "`old` must be NULL or an integer vector (a saved .Random.seed)."
  expect_c_error(f("a"), msg)
  expect_c_error(f(list(1L)), msg)
  expect_c_error(f(integer(0)), msg)
  expect_c_error(f(as.double(now)), msg)
  expect_c_error(f(factor("a")), msg)
  expect_identical(.Random.seed, now)
})

test_that("ffi_predictors_kinds() codes bare columns by type and leaves the rest to R", {
  f <- function(cols) .Call(ffi("ffi_predictors_kinds"), cols)
  cols <- list(a = c(1, NA), b = 1:2, c = c("x", NA), d = c(TRUE, NA),
               e = factor(c("u", "v")), f = as.Date(c("2020-01-01", NA)),
               g = complex(2), h = list(1, 2), i = matrix(1:2, 2), j = c(u = 1, v = 2))
  expect_identical(f(cols), c(1L, 2L, 3L, 3L, 0L, 0L, 4L, 4L, 0L, 0L))
  expect_identical(f(list()), integer(0))
  expect_error(f(1:3), "list of columns")
})
