# Hardening (issue 8): the caller's data are never modified, results do not
# depend on the thread count, the k-NN search path or the run, requests too
# large to hold fail with a classed error before allocating, and long calls
# can be interrupted, leaving R usable. (Bad-input errors are in
# test-checks.R and test-c-entry.R; random malformed input in test-fuzz.R.)

hd_ffi <- function(name) get(name, envir = asNamespace("smoteguard"))

sg_methods_all <- c("smote", "ros", "borderline1", "borderline2", "adasyn", "safe_level")

# Clinical-looking data: numeric, integer, factor (with an unused level),
# ordered, logical, character and Date predictors, a patient id (groups),
# duplicated rows, optionally missing values and row names; the data frame
# and one column carry attributes of their own.
hd_data <- function(n = 240, seed = 1, mixed = TRUE, na = FALSE, row_names = FALSE) {
  df <- withr::with_seed(seed, {
    y <- sample(c("maj", "min"), n, TRUE, prob = c(0.72, 0.28))
    y[1:4] <- c("maj", "maj", "min", "min")
    df <- data.frame(
      x1 = stats::rnorm(n) + (y == "min"),
      x2 = stats::rnorm(n),
      count = sample(0:30, n, TRUE),
      score = round(stats::runif(n, 0, 10), 1))
    if (mixed) {
      df$site <- factor(sample(c("A", "B", "C"), n, TRUE), levels = c("A", "B", "C", "unused"))
      df$smoker <- sample(c(TRUE, FALSE), n, TRUE)
      df$grade <- factor(sample(c("lo", "mid", "hi"), n, TRUE),
                         levels = c("lo", "mid", "hi"), ordered = TRUE)
      df$ward <- sample(c("north", "south"), n, TRUE)
      df$seen <- as.Date("2021-01-01") + sample(0:300, n, TRUE)
      df$patient <- sample(seq_len(n %/% 3), n, TRUE)
    }
    if (na) {
      df$x2[sample(n, n %/% 15)] <- NA
      df$count[sample(n, n %/% 20)] <- NA
      if (mixed) df$site[sample(n, n %/% 25)] <- NA
    }
    df$outcome <- factor(y, levels = c("maj", "min"))
    df[n - 0:4, ] <- df[5:9, ]
    df
  })
  if (row_names) rownames(df) <- sprintf("subject-%03d", seq_len(n))
  df
}

decorate <- function(df) {
  attr(df, "study") <- "hardening"
  attr(df$x1, "units") <- "mg/dl"
  df
}

# What a result says, less what may differ between equal runs (timings, the
# time it was made, the thread setting asked for).
comparable <- function(res) {
  rec <- attr(res, "smoteguard")
  if (!is.null(rec)) {
    rec$timings <- NULL
    rec$created <- NULL
    rec$settings$threads <- NULL
    attr(res, "smoteguard") <- rec
  }
  res
}

quietly <- function(expr) suppressWarnings(suppressMessages(expr))

# ---------------------------------------------------------------------------
# The input is never modified

test_that("no exported function modifies the caller's data frame", {
  calls <- c(
    lapply(sg_methods_all, function(m) {
      bquote(sg_oversample(df, "outcome", method = .(m), seed = 1))
    }),
    lapply(sg_methods_all, function(m) bquote(sg_oversample(df, "outcome", method = .(m), seed = 1,
                                                            guard = NULL, constraints = NULL))),
    list(
      quote(sg_oversample(df, "outcome", seed = 2, clean = "tomek")),
      quote(sg_oversample(df, "outcome", seed = 2, clean = "enn")),
      quote(sg_oversample(df, "outcome", seed = 2, distance = "gower")),
      quote(sg_oversample(df, "outcome", seed = 2, nominal = "vote", over_ratio = c(min = 0.8))),
      quote(sg_oversample(df, "outcome", method = "ros", shrinkage = 1, seed = 2)),
      quote(sg_oversample(df, "outcome", seed = 2, guard = sg_guard(jitter = 0.5, intrusion = 0.4,
                                                                    intrusion_search = "exact"))),
      quote(sg_oversample(df, "outcome", seed = 2, constraints = sg_constraints(
        bounds = list(x1 = c(-5, 5)), integer = "score", rules = function(d) d$x2 > -3))),
      quote(sg_smote(df, "outcome", neighbors = 3, seed = 3)),
      quote(sg_clean(df, "outcome", method = "tomek")),
      quote(sg_clean(df, "outcome", method = "enn", remove = "both")),
      quote(sg_undersample(df, "outcome", method = "random", seed = 4)),
      quote(sg_undersample(df, "outcome", method = "nearmiss1")),
      quote(sg_undersample(df, "outcome", method = "nearmiss2")),
      quote(sg_undersample(df, "outcome", method = "nearmiss3"))
    ))
  # groups and excluded columns exist in the mixed data only
  mixed_calls <- list(
    quote(sg_oversample(df, "outcome", seed = 5, groups = "patient", exclude = "seen")),
    quote(sg_oversample(df, "outcome", method = "borderline2", seed = 5, groups = "patient",
                        constraints = sg_constraints(combos = c("site", "ward"))))
  )
  datasets <- list(
    numeric = decorate(hd_data(mixed = FALSE)),
    mixed = decorate(hd_data(seed = 2)),
    incomplete = decorate(hd_data(seed = 3, na = TRUE, row_names = TRUE)),
    character_outcome = transform(hd_data(seed = 4), outcome = as.character(outcome))
  )
  for (nm in names(datasets)) {
    df <- datasets[[nm]]
    before <- deep_copy(df)
    for (cl in c(calls, if (nm != "numeric") mixed_calls)) {
      what <- sprintf("%s data after `%s`", nm, paste(deparse(cl), collapse = " "))
      # every call is valid: it must return its result, and leave `df` alone
      res <- quietly(eval(cl))
      expect_s3_class(res, "data.frame")
      expect_identical(df, before, label = what)
    }
  }
})

test_that("results keep every input row, with its values, types and levels", {
  # no data lost: the real rows come back first and unchanged
  for (df in list(hd_data(), hd_data(seed = 5, na = TRUE, row_names = TRUE))) {
    n <- nrow(df)
    for (m in sg_methods_all) {
      for (g in list(sg_guard(), NULL)) {
        res <- quietly(sg_oversample(df, "outcome", method = m, guard = g, seed = 7))
        head_rows <- res[seq_len(n), , drop = FALSE]
        attr(head_rows, "smoteguard") <- NULL
        expect_identical(head_rows, df, label = sprintf("the input rows of %s", m))
        tail_rows <- res[-seq_len(n), , drop = FALSE]
        expect_identical(lapply(tail_rows, class), lapply(df, class))
        expect_identical(levels(tail_rows$site), levels(df$site))
        expect_identical(levels(tail_rows$grade), levels(df$grade))
      }
    }
    kept <- sg_clean(df, "outcome", method = "tomek")
    rows <- setdiff(seq_len(n), sg_record(kept)$removed$row)
    attr(kept, "smoteguard") <- NULL
    # automatic row names are renumbered, others kept
    want <- df[rows, , drop = FALSE]
    if (.row_names_info(df) < 0) attr(want, "row.names") <- .set_row_names(length(rows))
    expect_identical(kept, want)
  }
})

test_that("sg_knn() leaves matrices, data frames and their attributes unchanged", {
  x <- withr::with_seed(11, matrix(stats::rnorm(400 * 3), 400, 3,
                                   dimnames = list(NULL, c("a", "b", "c"))))
  attr(x, "note") <- "keep"
  xi <- withr::with_seed(12, matrix(sample(-9:9, 300 * 2, TRUE), 300, 2))
  df <- data.frame(a = withr::with_seed(13, stats::rnorm(50)), b = 1:50)
  q <- x[1:20, ] + 0.25
  copies <- deep_copy(list(x, xi, df, q))
  sg_knn(x, 4)
  sg_knn(x, 4, query = q, threads = 2)
  sg_knn(xi, 3)
  sg_knn(df, 2, query = df[1:5, ])
  sg_knn(x[, 1], 2)
  expect_identical(list(x, xi, df, q), copies)
})

test_that("the accessors, the caret hook and the recipes steps modify nothing", {
  df <- decorate(hd_data(seed = 6))
  res <- quietly(sg_oversample(df, "outcome", seed = 1))
  res0 <- deep_copy(res)
  sg_provenance(res)
  sg_record(res)
  sg_guard_report(res)
  utils::capture.output(print(sg_record(res)))
  expect_identical(res, res0)

  x <- df[setdiff(names(df), "outcome")]
  x$seen <- NULL
  y <- df$outcome
  xm <- as.matrix(df[c("x1", "x2", "count", "score")])
  copies <- deep_copy(list(x, y, xm))
  sampling <- sg_caret_sampling("smote", seed = 2)
  quietly(sampling$func(x, y))
  quietly(sampling$func(xm, y))
  expect_identical(list(x, y, xm), copies)

  skip_if_not_installed("recipes")
  train <- hd_data(seed = 8)
  train$seen <- NULL
  train0 <- deep_copy(train)
  rec <- recipes::recipe(outcome ~ ., data = train)
  rec <- step_smoteguard(rec, outcome, seed = 3, indicator = ".synthetic")
  rec <- step_smoteguard_clean(rec, outcome, method = "tomek")
  prepped <- quietly(recipes::prep(rec, training = train))
  quietly(recipes::bake(prepped, new_data = NULL))
  quietly(recipes::bake(prepped, new_data = train[1:10, ]))
  expect_identical(train, train0)
})

# ffi_rounds_run()'s shared inputs on 60 rows of two alternating classes
# (see sg_rounds_data_unpack()), and one class's (sg_rounds_class_unpack()):
# 7 rows wanted, drawn in turns from the class's rows (its two next rows as
# pairs) that the method's seeds and the seed safety keep, the shares of
# the others handed over, the jitter, the local intrusion check, bounds.
hd_rounds_data <- function(x, codes) {
  list(x, codes, colMeans(x, na.rm = TRUE), c(1, 2, 0), rep(1:2, 30),
       rep(1:30, each = 2), 0L, 1L, NULL, NULL, 2L)
}

# a `rules` hook (TRUE: the candidate breaks the rule), in the global
# environment so that a copy of the arguments is identical to them
hd_rule <- function(v, cd, p) !(v[, 1] > 0) %in% FALSE
environment(hd_rule) <- globalenv()
# the exact intrusion search's hook (the loop calls it for a step the local
# search does not take)
hd_exact <- function(v, cd, p) rep(0, nrow(v))
environment(hd_exact) <- globalenv()

hd_rounds_class <- function(cl, rules = NULL) {
  rows <- seq.int(cl, 60L, 2L)
  pairs <- matrix(rows[c(2:30, 1, 3:30, 1:2)], 30, 2)
  list(cl, rows, pairs, rep(c(TRUE, TRUE, FALSE), 10), rep(0.1, 30), pairs,
       c(7, 0.5, 0.9, 3, 0.4, 2), c(1L, 1L, 0L, 1L, 1L, 0L), rep(-Inf, 3), rep(Inf, 3),
       NULL, NULL, NULL, NULL, rules, hd_exact)
}

# Valid arguments of each registered routine (small data), to check that
# none writes into an argument. Every registered routine must be here, each
# call with the routine's registered number of arguments.
hd_valid_calls <- function() {
  x <- withr::with_seed(21, matrix(stats::rnorm(60 * 3), 60, 3))
  x[51:55, ] <- x[1:5, ]
  q <- x[1:7, ] + 0.1
  codes <- withr::with_seed(22, matrix(sample(c(1:3, NA), 60 * 2, TRUE), 60, 2))
  num <- x
  num[c(3, 9), 2] <- NaN
  cost <- list(1 - diag(3), 2 * (1 - diag(3)))
  nb <- matrix(c(2L, 3L, 1L, 3L, 1L, 2L, 4L, 4L), 4, 2)
  list(
    ffi_knn_search = list(x, NULL, 5L, colMeans(x), apply(x, 2, stats::sd), 2L, NULL, FALSE),
    ffi_knn_search = list(x, q, 4L, NULL, NULL, 1L, c(1L, NA, 3L, NA, NA, 6L, 7L), FALSE),
    ffi_knn_search = list(x, q, 3L, NULL, NULL, NA_integer_, NULL, TRUE),
    ffi_knn_mixed = list(num, codes, NULL, NULL, 4L, cost, 0L, 2L, NULL),
    ffi_knn_mixed = list(num, codes, num[1:5, ], codes[1:5, ], 3L, cost, 1L, 1L, 1:5),
    ffi_draw_cycle = list(nb, 11, NULL, NULL),
    ffi_draw_cycle = list(nb, 7, c(9L, 9L, 8L, 8L), 0.5),
    ffi_adasyn_alloc = list(c(2L, 0L, 4L, 1L), 13),
    ffi_draw_counts = list(nb, c(2L, 0L, 3L, 1L)),
    ffi_draw_safe_level = list(nb, c(2L, 0L, 1L, 3L),
                               matrix(c(1L, 0L, 2L, 0L, 3L, 1L, 0L, 2L), 4, 2), 9),
    ffi_add_noise = list(x[1:5, ], matrix(0.1, 5, 3)),
    ffi_geometric_make = list(num, c(1, 0.5, 0), c(1L, 3L, 9L, 5L), c(2L, 3L, 40L, 51L), 0.5, 0.3),
    ffi_classes_neighbors = list(x, colMeans(x), c(1, 2, 0), list(c(1L, 4L, 7L, 9L), 2:30),
                                 c(2L, 5L), c(3L, 5L), rep(1:4, 15), 0.9, 10L, 2L),
    ffi_classes_neighbors = list(x, colMeans(x), c(1, 2, 0), list(2:30), 5L, 5L, NULL,
                                 NA_real_, 0L, 1L),
    ffi_guard_pairs = list(matrix(c(2L, 3L, 1L, 1L), 2, 2), matrix(c(0.1, 0.2, 0.3, 0.4), 2, 2),
                           c(1L, 2L), c(1L, 1L, 2L), 2L, 0.35),
    ffi_guard_intrusion = list(x, q[1:3, ], rep(0, ncol(x)), rep(1, ncol(x)),
                               c(1L, 2L, 3L), c(2L, NA, 1L),
                               matrix(c(2L, 1L, 1L, 4L, 5L, 6L), 3, 2),
                               c(1L, 2L, 3L, integer(57)), rep(1:2, 30), 1L, 2L),
    ffi_guard_bounds = list(num, list(c(1L, 3L, 9L), 2:30, integer(0))),
    ffi_guard_cap = list(x[, 1:2], 0.95),
    ffi_hold_round = list(num, c(-1, 0, -Inf), c(1, 2, Inf), c(1L, 3L), 2L, 3L),
    ffi_hold_round = list(num[1:4, ], NULL, NULL, NULL, NULL, NULL),
    ffi_constraints_check = list(num, codes, seq_len(60), c(-1, -Inf, 0), c(1, 2, Inf),
                                 list(c(2L, 1L), codes[c(1, 3), 2:1]),
                                 hd_rule),
    ffi_rounds_run = list(hd_rounds_data(num, codes), rounds_columns(list(hd_rounds_class(1L))),
                          2L),
    ffi_rounds_run = list(hd_rounds_data(num, codes),
                          rounds_columns(list(hd_rounds_class(2L, rules = hd_rule))), 1L),
    ffi_metrics_class = list(x[21:30, ], x, rep(1:2, 30), 1L, 3L, 2L, NULL),
    ffi_metrics_near = list(x, c(1L, 5L, 51L), 0.4, diag(3)[, 1:2], 2L),
    ffi_metrics_mmd = list(x[1:20, ], x[21:40, ], 1L),
    ffi_metrics_duplicates = list(x[1:20, ], x[c(1, 1, 30), ]),
    ffi_metrics_ks = list(num[1:20, ], x[21:40, ]),
    ffi_fidelity_check = list(num, rep(1:3, 20), c(2L, 2L, 3L), x[1:3, ], NULL, NULL,
                              integer(0), 3L, 1L),
    ffi_fidelity_check = list(num, c(rep(1:2, 29), NA, 2L), c(1L, 2L, 2L), num[1:3, ], codes,
                              codes[4:6, ], c(3L, 3L), 2L, NA_integer_),
    ffi_pair_mean = list(num, 2L),
    ffi_pair_mean = list(x[1:7, ], NA_integer_),
    ffi_logit_fit = list(cbind(1, x[, 1]), rep(c(0, 1), 30), NULL),
    ffi_logit_fit = list(matrix(1, 60, 1), rep(c(0, 1, 1), 20), x[, 2]),
    ffi_condense = list(x, colMeans(x), c(1, 2, 0), rep(1:3, 20), 2:30, rep(1L, 29),
                        rep(0.5, 29), 2L),
    ffi_logit_oof = list(x, colMeans(x), c(1, 2, 0), rep(0:1, 30), rep(1:3, 20), 2L),
    ffi_score_risks = list(rep(c(TRUE, FALSE), 30), x[, 1] / 10 + 0.5, 0.5, NULL),
    ffi_same_ranking = list(x[, 1], x[, 2]),
    ffi_stats_columns = list(num, c(1L, 3L, 3L, 60L), 2L),
    ffi_stats_columns = list(num, NULL, 1L),
    ffi_stats_outside = list(num, c(-1, -Inf, 0), c(1, 2, Inf)),
    ffi_record_checksum = list(c(3L, 1L, NA)),
    ffi_record_checksum = list(c("a", "b", NA)),
    ffi_record_extend = list(list(a = c(3L, NA), b = c(0.5, -0)), num[1:3, 1:2], c(2L, 1L), 2L),
    ffi_record_numbered = list(c("1", "2", "3")),
    ffi_predictors_matrix = list(list(a = c(1, NA, 3), b = c(2L, NA, 0L)), 3L, 2L),
    ffi_predictors_kinds = list(list(a = c(1, NA, 3), b = factor(c("u", "v", "u")), c = "x")),
    ffi_stats_quantiles = list(num, 1L),
    ffi_stats_quantiles = list(num[, c(1, 1)], 2L),
    ffi_record_fingerprint = list(list(a = c(1, NA, -0), b = c("x", NA), f = factor(c("u", "v")),
                                       l = c(TRUE, NA), i = 1:3)),
    ffi_record_append = list(tempfile("hd-ledger"), "{\"a\":1}\n"),
    ffi_record_clock = list(),
    # (the session's own stream, put back as it is)
    ffi_record_seed_restore = list(get0(".Random.seed", globalenv(), inherits = FALSE))
  )
}

test_that("no registered routine writes into its arguments", {
  calls <- hd_valid_calls()
  routines <- getDLLRegisteredRoutines("smoteguard")$.Call
  # the switches of the search and metric paths take no data to write into
  # (and the thread count's getter and setter)
  switches <- c("ffi_knn_path", "ffi_metrics_path", "ffi_threads_get", "ffi_threads_set")
  expect_setequal(unique(names(calls)), setdiff(names(routines), switches))
  for (i in seq_along(calls)) {
    name <- names(calls)[i]
    args <- calls[[i]]
    expect_identical(length(args), routines[[name]]$numParameters,
                     label = sprintf("the argument count of %s (call %d)", name, i))
    before <- deep_copy(args)
    # valid arguments: an error fails the test
    do.call(.Call, c(list(hd_ffi(name)), args))
    expect_identical(args, before, label = sprintf("the arguments of %s (call %d)", name, i))
  }
})

test_that("the caller's random stream is restored with a seed and untouched by searches", {
  df <- hd_data(seed = 9)
  set.seed(99)
  before <- .Random.seed
  quietly(sg_oversample(df, "outcome", seed = 1))
  quietly(sg_undersample(df, "outcome", seed = 1))
  sg_knn(as.matrix(df[c("x1", "x2")]), 3)
  sg_clean(df, "outcome")
  expect_identical(.Random.seed, before)
})

# ---------------------------------------------------------------------------
# The same result for any thread count, search path and run

# Big enough that the whole-data searches and the intrusion checks pass the
# parallel threshold (2e6 distance terms) and run on 2 threads.
threads_data <- function(mixed = FALSE) {
  n <- 3000
  df <- withr::with_seed(31, {
    y <- ifelse(stats::runif(n) < 0.27, "min", "maj")
    data.frame(x1 = stats::rnorm(n) + (y == "min") * 1.2, x2 = stats::rnorm(n),
               x3 = round(stats::rnorm(n), 1), count = sample(0:12, n, TRUE),
               outcome = factor(y))
  })
  df[n - 0:19, ] <- df[1:20, ]
  if (mixed) {
    withr::with_seed(32, {
      df$site <- factor(sample(c("A", "B", "C"), n, TRUE))
      df$x2[sample(n, 150)] <- NA
    })
  }
  df
}

expect_same_runs <- function(f, label) {
  one <- comparable(quietly(f(threads = 1)))
  two <- comparable(quietly(f(threads = 2)))
  again <- comparable(quietly(f(threads = 1)))
  opt2 <- withr::with_options(list(smoteguard.threads = 2), comparable(quietly(f(threads = NULL))))
  opt1 <- withr::with_options(list(smoteguard.threads = 1), comparable(quietly(f(threads = NULL))))
  expect_identical(two, one, label = paste(label, "with 2 threads"))
  expect_identical(again, one, label = paste(label, "run again"))
  expect_identical(opt2, one, label = paste(label, "with options(smoteguard.threads = 2)"))
  expect_identical(opt1, one, label = paste(label, "with options(smoteguard.threads = 1)"))
}

test_that("every method gives the same result with 1 and 2 threads and on every run", {
  df <- threads_data()
  for (m in sg_methods_all) {
    for (guarded in c(TRUE, FALSE)) {
      g <- if (guarded) sg_guard() else NULL
      expect_same_runs(function(threads) {
        sg_oversample(df, "outcome", method = m, guard = g, seed = 11, threads = threads)
      }, sprintf("%s (guard %s)", m, if (guarded) "on" else "off"))
    }
  }
  # the exact intrusion search and SMOTE-ENN
  expect_same_runs(function(threads) {
    sg_oversample(df, "outcome", seed = 12, clean = "enn", threads = threads,
                  guard = sg_guard(intrusion = 0.5, intrusion_search = "exact"))
  }, "smote, exact intrusion, enn")
})

test_that("mixed and incomplete data give the same result with 1 and 2 threads", {
  df <- threads_data(mixed = TRUE)
  for (m in c("smote", "borderline2", "adasyn", "safe_level")) {
    expect_same_runs(function(threads) {
      sg_oversample(df, "outcome", method = m, seed = 13, threads = threads)
    }, sprintf("%s on mixed data", m))
  }
})

test_that("cleaning and under-sampling give the same result with 1 and 2 threads", {
  df <- threads_data()
  for (m in c("tomek", "enn")) {
    expect_same_runs(function(threads) {
      sg_clean(df, "outcome", method = m, remove = "both", threads = threads)
    }, sprintf("sg_clean(%s)", m))
  }
  for (m in c("random", "nearmiss1", "nearmiss2", "nearmiss3")) {
    expect_same_runs(function(threads) {
      sg_undersample(df, "outcome", method = m, seed = 14, threads = threads)
    }, sprintf("sg_undersample(%s)", m))
  }
})

test_that("without a seed, set.seed() reproduces a result", {
  df <- hd_data(seed = 15)
  for (m in sg_methods_all) {
    a <- withr::with_seed(5, comparable(quietly(sg_oversample(df, "outcome", method = m))))
    b <- withr::with_seed(5, comparable(quietly(sg_oversample(df, "outcome", method = m))))
    expect_identical(a, b, label = m)
  }
})

# Force each k-NN search path: 1 direct, 2 kd-tree, 3 screened expansion,
# 4 float screen, 8 the classes' searches in one scan, 0 automatic.
with_knn_path <- function(path, expr) {
  sw <- hd_ffi("ffi_knn_path")
  old <- .Call(sw, as.integer(path))
  on.exit(.Call(sw, old), add = TRUE)
  force(expr)
}

test_that("every k-NN search path gives the same neighbours, with 1 and 2 threads", {
  knn <- hd_ffi("ffi_knn_search")
  cases <- list(
    tree_size = withr::with_seed(41, matrix(stats::rnorm(5000 * 3), 5000, 3)),
    grid_ties = withr::with_seed(42, matrix(sample(0:4, 4500 * 2, TRUE), 4500, 2)) + 0,
    wide = withr::with_seed(43, matrix(stats::rnorm(1500 * 8), 1500, 8)),
    wide_grid = withr::with_seed(44, matrix(sample(0:2, 1300 * 7, TRUE), 1300, 7)) + 0,
    one_column = withr::with_seed(45, matrix(sample(0:60, 4200, TRUE), 4200, 1)) + 0,
    # near ties below float resolution, far from the origin, and values too
    # large for the float screen (it must fall back, not overflow)
    near_ties = withr::with_seed(46, matrix(sample(0:3, 1400 * 9, TRUE) +
                                   stats::rnorm(1400 * 9, sd = 1e-9), 1400, 9)),
    offset = withr::with_seed(47, matrix(1e7 + stats::rnorm(1400 * 12, sd = 1e-3), 1400, 12)),
    huge = withr::with_seed(48, matrix(stats::rnorm(900 * 10, sd = 1e17), 900, 10))
  )
  for (nm in names(cases)) {
    x <- cases[[nm]]
    x[nrow(x) - 0:9, ] <- x[1:10, ]
    q <- x[seq(1, nrow(x), length.out = 700), , drop = FALSE] + 0.01
    # query rows that are rows of x, each told not to find itself (or not)
    rows <- as.integer(seq(1, nrow(x), length.out = 700))
    excl <- rows
    excl[seq(2, 700, by = 3)] <- NA
    run <- function(threads) {
      list(sg_knn(x, 7, threads = threads),
           sg_knn(x, 4, query = q, threads = threads),
           .Call(knn, x, NULL, 5L, colMeans(x), apply(x, 2, stats::sd), threads, NULL, FALSE),
           .Call(knn, x, x[rows, , drop = FALSE], 6L, NULL, NULL, threads, excl, FALSE),
           .Call(knn, x, q, 3L, NULL, NULL, threads, NULL, TRUE))
    }
    want <- with_knn_path(1L, run(1L))
    for (path in 0:7) {
      for (threads in 1:2) {
        got <- with_knn_path(path, run(threads))
        expect_identical(got, want, label = sprintf("%s, path %d, %d thread(s)", nm, path, threads))
      }
    }
    # each kernel this CPU has, and the portable ones: the AVX-512, AVX2
    # and plain-C versions of the screens must find the same rows
    for (isa in 0:1) {
      for (path in c(1L, 3L, 4L, 5L, 7L)) {
        got <- with_knn_path(c(path, isa), run(2L))
        expect_identical(got, want, label = sprintf("%s, path %d, instruction set %d", nm, path, isa))
      }
    }
  }
})

test_that("sg_oversample() gives the same result on every k-NN search path", {
  # 5000 rows in 4 dimensions: the automatic path is the kd-tree for the
  # whole-data searches; 9 dimensions: the screened expansion
  narrow <- withr::with_seed(51, {
    n <- 5000
    y <- ifelse(stats::runif(n) < 0.3, "min", "maj")
    data.frame(a = stats::rnorm(n) + (y == "min"), b = stats::rnorm(n),
               c = sample(0:5, n, TRUE), d = stats::rnorm(n), outcome = factor(y))
  })
  wide <- withr::with_seed(52, {
    n <- 1200
    y <- ifelse(stats::runif(n) < 0.3, "min", "maj")
    cbind(as.data.frame(matrix(stats::rnorm(n * 9), n, 9)), outcome = factor(y))
  })
  for (df in list(narrow, wide)) {
    for (m in c("smote", "borderline1", "adasyn", "safe_level")) {
      oversample <- function() {
        comparable(quietly(sg_oversample(df, "outcome", method = m, seed = 3)))
      }
      want <- with_knn_path(1L, oversample())
      for (path in c(0L, 2L, 3L, 4L, 8L, 9L)) {
        expect_identical(with_knn_path(path, oversample()), want,
                         label = sprintf("%s on %d columns, path %d", m, ncol(df) - 1, path))
      }
    }
    want <- with_knn_path(1L, comparable(sg_clean(df, "outcome", method = "enn")))
    expect_identical(with_knn_path(2L, comparable(sg_clean(df, "outcome", method = "enn"))), want)
    expect_identical(with_knn_path(3L, comparable(sg_clean(df, "outcome", method = "enn"))), want)
    expect_identical(with_knn_path(4L, comparable(sg_clean(df, "outcome", method = "enn"))), want)
  }
})

# ---------------------------------------------------------------------------
# Requests too large to hold

expect_size_error <- function(expr, label, seconds = 2) {
  t <- system.time(err <- tryCatch(expr, error = identity, warning = identity))[["elapsed"]]
  expect(inherits(err, "smoteguard_error_size"),
         sprintf("%s: expected a smoteguard_error_size, got %s: %s", label,
                 paste(class(err), collapse = "/"),
                 if (inherits(err, "condition")) conditionMessage(err) else "a result"))
  expect_lt(t, seconds, label = paste(label, "(seconds before the error)"))
}

test_that("a result with more rows or values than R allows fails before allocating", {
  # Regression test (fixed bug): an over_ratio whose targets exceed the integer range (1e7 and
  # more here) overflows in class_targets() (`as.integer()` gives NA with
  # a coercion warning), and check_result_size() then stops with the
  # unclassed "missing value where TRUE/FALSE needed" instead of the
  # classed size error.
  expect_size_error(sg_oversample(breast_biopsy, "diagnosis", over_ratio = 1e9), "over_ratio = 1e9")
  expect_size_error(sg_oversample(breast_biopsy, "diagnosis", over_ratio = c(malignant = 1e7)),
                    "over_ratio = c(malignant = 1e7)")
  # values (rows x predictors) beyond R's matrix limit
  expect_size_error(sg_oversample(breast_biopsy, "diagnosis", over_ratio = 1e6), "over_ratio = 1e6")
  # rows beyond R's limit, each class's target within it
  three <- data.frame(x = c(1:9, 20, 30), y = factor(c(rep("a", 9), "b", "c")))
  expect_size_error(sg_oversample(three, "y", over_ratio = 2e8, guard = NULL), "5.4e9 rows")
  # k * query rows beyond R's matrix limit, from small inputs
  x <- matrix(as.double(1:3000), ncol = 1)
  q <- x[rep(1:3000, 240), , drop = FALSE]
  expect_size_error(sg_knn(x, 2999, query = q), "k * nrow(query) > .Machine$integer.max")
})

test_that("a huge under_ratio keeps every row without an integer overflow", {
  # Regression test (fixed bug): round(under_ratio * smallest count) is converted with as.integer()
  # (NA and a coercion warning beyond the integer range); the result keeps
  # every row, but its record's targets are NA.
  warned <- character(0)
  res <- withCallingHandlers(
    sg_undersample(breast_biopsy, "diagnosis", under_ratio = 1e9),
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  expect_identical(warned, character(0))
  expect_identical(nrow(res), nrow(breast_biopsy))
  counts <- sg_record(res)$counts
  expect_false(anyNA(counts$target))
})

# Run `code` in a child R with the address space limited (so that a request
# that would not fit fails to allocate rather than wake the OOM killer);
# returns its output lines.
run_limited_child <- function(code, mb = 2000, timeout = 120) {
  script <- withr::local_tempfile(fileext = ".R")
  lib <- dirname(find.package("smoteguard"))
  writeLines(c(sprintf("suppressPackageStartupMessages(library(smoteguard, lib.loc = %s))",
                       deparse(lib)), code, 'cat("CHILD DONE\\n")'), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  cmd <- sprintf("ulimit -v %d; exec %s --vanilla %s 2>&1", as.integer(mb * 1024),
                 shQuote(rscript), shQuote(script))
  suppressWarnings(system2("sh", c("-c", shQuote(cmd)), stdout = TRUE, timeout = timeout))
}

test_that("a result that fits R's limits but not in memory fails with a classed error, quickly", {
  skip_on_cran()
  skip_on_os("windows")
  skip_if(grepl("asan", Sys.getenv("LD_PRELOAD")), "address-space limits and ASan do not mix")
  # Regression test (fixed bug): the size checks compare with R's matrix limit only. With 2 GB of
  # address space, sg_knn(<20000 x 1>, k = 19999) (4e8 cells, 4.8 GB of
  # neighbour matrices) and sg_oversample() asked for 1.8e8 rows of one
  # column get past them, and fail in an allocation (the C code's or R's)
  # with the unclassed "cannot allocate vector of size ..."; on a machine
  # with more memory but not enough, the search would start and the
  # process could be killed.
  out <- run_limited_child(c(
    "one <- data.frame(x = c(1:9, 20), y = factor(c(rep('a', 9), 'b')))",
    "for (what in c('knn', 'oversample')) {",
    "  t0 <- proc.time()[['elapsed']]",
    "  err <- tryCatch(if (what == 'knn') sg_knn(matrix(as.double(1:20000)), 19999)",
    "                  else sg_oversample(one, 'y', over_ratio = 2e7, guard = NULL),",
    "                  error = identity)",
    "  cat(sprintf('RESULT %s %s %.1f\\n', what, inherits(err, 'smoteguard_error'),",
    "              proc.time()[['elapsed']] - t0))",
    "  if (inherits(err, 'error')) cat('MESSAGE', conditionMessage(err), '\\n')",
    "}"
  ))
  label <- paste(c("child output:", utils::tail(out, 8)), collapse = "\n")
  expect_true(any(out == "CHILD DONE"), label = label)
  for (what in c("knn", "oversample")) {
    res <- strsplit(grep(paste0("^RESULT ", what), out, value = TRUE), " ")[[1]]
    expect_identical(res[3], "TRUE", label = paste(what, "raises a smoteguard error;", label))
    expect_lt(as.numeric(res[4]), 5, label = paste(what, "seconds before the error"))
  }
})

# ---------------------------------------------------------------------------
# Interrupts

# Start `code` in a child R, wait until it prints READY, send SIGINT after
# `after` seconds, and wait for it to end. Returns its output lines (the
# last one "EXIT <status>") and the seconds from the signal to the end.
run_interrupted_child <- function(code, after = 1, timeout = 120) {
  dir <- withr::local_tempdir()
  script <- file.path(dir, "child.R")
  out <- file.path(dir, "out.txt")
  pidfile <- file.path(dir, "pid")
  lib <- dirname(find.package("smoteguard"))
  writeLines(c(
    sprintf("suppressPackageStartupMessages(library(smoteguard, lib.loc = %s))", deparse(lib)),
    sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(pidfile)),
    code), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  cmd <- sprintf("%s --vanilla %s > %s 2>&1; echo \"EXIT $?\" >> %s", shQuote(rscript),
                 shQuote(script), shQuote(out), shQuote(out))
  system2("sh", c("-c", shQuote(cmd)), wait = FALSE)
  lines <- function() if (file.exists(out)) readLines(out, warn = FALSE) else character(0)
  deadline <- Sys.time() + timeout
  while (!"READY" %in% lines() && Sys.time() < deadline) Sys.sleep(0.05)
  if (!"READY" %in% lines()) return(list(lines = c(lines(), "NEVER READY"), latency = NA))
  Sys.sleep(after)
  pid <- as.integer(readLines(pidfile))
  sent <- Sys.time()
  tools::pskill(pid, tools::SIGINT)
  while (!any(startsWith(lines(), "EXIT ")) && Sys.time() < deadline) Sys.sleep(0.05)
  if (!any(startsWith(lines(), "EXIT "))) tools::pskill(pid, tools::SIGKILL)
  list(lines = lines(), latency = as.numeric(difftime(Sys.time(), sent, units = "secs")))
}

expect_interrupted <- function(run, what) {
  label <- paste(c(paste("child output of", what, ":"), utils::tail(run$lines, 8)), collapse = "\n")
  expect_true("INTERRUPTED" %in% run$lines, label = label)
  expect_true("USABLE TRUE" %in% run$lines, label = label)
  expect_true("EXIT 0" %in% run$lines, label = label)
  expect_lt(run$latency, 30, label = paste(what, ": seconds from SIGINT to the end"))
}

test_that("a long sg_knn() stops on SIGINT, and R stays usable", {
  skip_on_cran()
  skip_on_os("windows")
  run <- run_interrupted_child(c(
    # full-dimensional (d = 20 iid: the tree of blocks declines), so the
    # brute force's ~3.6e12 flops take tens of seconds; 100,000 x 10 took
    # the tree and finished within the second before the signal
    "x <- matrix(stats::rnorm(300000 * 20), 300000, 20)",
    "cat('READY\\n'); flush(stdout())",
    "r <- tryCatch({ sg_knn(x, 10); 'FINISHED' }, interrupt = function(cnd) 'INTERRUPTED')",
    "cat(r, '\\n', sep = ''); flush(stdout())",
    "nn <- sg_knn(x[1:200, ], 3)",
    "cat('USABLE ', identical(dim(nn$index), c(200L, 3L)), '\\n', sep = ''); flush(stdout())"
  ))
  expect_interrupted(run, "sg_knn()")
})

test_that("a long search by the tree of blocks stops on SIGINT, and R stays usable", {
  skip_on_cran()
  skip_on_os("windows")
  # path 5 forced: 600,000 rows of 10 iid columns take the tree ~10 s of CPU
  run <- run_interrupted_child(c(
    "invisible(.Call(get('ffi_knn_path', envir = asNamespace('smoteguard')), 5L))",
    "x <- matrix(stats::rnorm(600000 * 10), 600000, 10)",
    "cat('READY\\n'); flush(stdout())",
    "r <- tryCatch({ sg_knn(x, 5); 'FINISHED' }, interrupt = function(cnd) 'INTERRUPTED')",
    "cat(r, '\\n', sep = ''); flush(stdout())",
    "nn <- sg_knn(x[1:9000, ], 3)",
    "cat('USABLE ', identical(dim(nn$index), c(9000L, 3L)), '\\n', sep = ''); flush(stdout())"
  ))
  expect_interrupted(run, "sg_knn() by the tree of blocks")
})

test_that("a long sg_oversample() stops on SIGINT, and R stays usable", {
  skip_on_cran()
  skip_on_os("windows")
  # missing values and a factor: the general (mixed) distance, the slowest
  # search
  run <- run_interrupted_child(c(
    "set.seed(1)",
    "n <- 40000",
    "df <- as.data.frame(matrix(stats::rnorm(n * 8), n, 8))",
    "df$V1[sample(n, 1000)] <- NA",
    "df$g <- factor(sample(letters[1:3], n, TRUE))",
    "df$y <- factor(ifelse(stats::runif(n) < 0.25, 'min', 'maj'))",
    "cat('READY\\n'); flush(stdout())",
    "r <- tryCatch({ sg_oversample(df, 'y', seed = 1); 'FINISHED' },",
    "              interrupt = function(cnd) 'INTERRUPTED')",
    "cat(r, '\\n', sep = ''); flush(stdout())",
    "res <- sg_oversample(df[1:300, ], 'y', seed = 1)",
    "cat('USABLE ', nrow(res) > 300, '\\n', sep = ''); flush(stdout())"
  ))
  expect_interrupted(run, "sg_oversample()")
})

test_that("setTimeLimit() stops a long sg_oversample() with an R error, R stays usable", {
  skip_on_cran()
  withr::defer(setTimeLimit())
  # missing values: the general distance, which checks for interrupts
  # every 1024 query rows
  df <- withr::with_seed(62, {
    n <- 40000
    d <- as.data.frame(matrix(stats::rnorm(n * 8), n, 8))
    d$V1[sample(n, 1000)] <- NA
    d$g <- factor(sample(letters[1:3], n, TRUE))
    d$y <- factor(ifelse(stats::runif(n) < 0.25, "min", "maj"))
    d
  })
  t0 <- proc.time()[["elapsed"]]
  setTimeLimit(elapsed = 1, transient = TRUE)
  err <- tryCatch(sg_oversample(df, "y", seed = 1), error = identity)
  setTimeLimit()
  expect_s3_class(err, "error")
  expect_match(conditionMessage(err), "time limit")
  expect_lt(proc.time()[["elapsed"]] - t0, 10)
  res <- quietly(sg_oversample(df[1:300, ], "y", seed = 1))
  expect_gt(nrow(res), 300)
})

test_that("setTimeLimit() stops a long sg_knn() with an R error, R stays usable", {
  skip_on_cran()
  withr::defer(setTimeLimit())
  # Regression test (fixed bug): the direct and expansion searches call R_CheckUserInterrupt() once
  # per 256 blocks of 32 query rows (src/knn.c, `chunk = 256`), whatever
  # the number of reference rows, and R reads the time limits only on
  # every 6th call (R_CheckTimeLimits() skips 5). A search of fewer than
  # about 6 x 8192 query rows therefore never sees the limit: this one
  # (40000 x 60, 4 to 15 s depending on the CPU's kernel) runs to the end,
  # far past a 1 s limit. A SIGINT is seen at the next check (test above),
  # which is seconds away when the reference rows are many.
  # 160000 x 60 on one thread: the whole search takes one to several
  # minutes, while the limit is seen within a few chunks of ~0.3 s (every
  # 6th interrupt check reads it), so a stop within 30 s, a wide margin for
  # a loaded machine, can only be the limit's doing
  x <- withr::with_seed(61, matrix(stats::rnorm(160000 * 60), 160000, 60))
  t0 <- proc.time()[["elapsed"]]
  setTimeLimit(elapsed = 1, transient = TRUE)
  err <- tryCatch(sg_knn(x, 5, threads = 1), error = identity)
  setTimeLimit()
  expect_s3_class(err, "error")
  expect_match(conditionMessage(err), "time limit")
  expect_lt(proc.time()[["elapsed"]] - t0, 30)
  expect_identical(dim(sg_knn(x[1:100, ], 3)$index), c(100L, 3L))
})
