# Plain SMOTE on complete numeric tables takes one C call for all classes
# (generate_plain(), ffi_smote_plain()); every other call takes the class
# by class path (generate_class()). The two must make the same result,
# record and warnings, and leave the same random stream, draw for draw.

# The call with the lane on and off: result (record without its clock
# fields), the warnings, and the random stream after the call.
lane_run <- function(on, ...) {
  lane <- smoteguard:::plain_lane
  old <- lane$on
  on.exit(lane$on <- old)
  lane$on <- on
  warns <- character(0)
  res <- withCallingHandlers(sg_oversample(...), warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  rec <- attr(res, "smoteguard")
  rec$timings <- NULL
  rec$created <- NULL
  attr(res, "smoteguard") <- rec
  list(result = res, warnings = warns, after = stats::runif(2))
}

expect_lane_identical <- function(...) {
  set.seed(77)
  on <- lane_run(TRUE, ...)
  set.seed(77)
  off <- lane_run(FALSE, ...)
  expect_identical(on, off)
  invisible(on$result)
}

# whether a call can take the lane at all (so a test cannot pass by
# comparing the class by class path with itself)
takes_lane <- function(data, var, ...) {
  args <- list(...)
  pred <- smoteguard:::prepare_predictors(data, var, y = factor(data[[var]]))
  settings <- list(method = if (is.null(args$method)) "smote" else args$method,
                   guard = if ("guard" %in% names(args)) args$guard else sg_guard(),
                   group_codes = NULL,
                   constraints = if ("constraints" %in% names(args)) args$constraints
                                 else sg_constraints())
  counts <- tabulate(factor(data[[var]]))
  smoteguard:::plain_lane_fits(pred, settings, counts, rep(1L, length(counts)))
}

test_that("the lane makes what the class by class path makes", {
  df <- sim_classes(c(a = 60, b = 17, c = 31, d = 9), d = 4, seed = 31,
                    integer = "x2")
  expect_true(takes_lane(df, "y", guard = NULL))
  res <- expect_lane_identical(df, "y", seed = 1, guard = NULL)
  expect_smote_result(res, df, "y", neighbors = 5)
  expect_lane_identical(df, "y", seed = 2, guard = NULL, neighbors = 3,
                        over_ratio = 0.8)
  expect_lane_identical(df, "y", seed = 3, guard = NULL, constraints = NULL)
  cons <- sg_constraints(bounds = "none", integer = "x2")
  expect_true(takes_lane(df, "y", guard = NULL, constraints = cons))
  expect_lane_identical(df, "y", seed = 4, guard = NULL, constraints = cons)
  # user bounds that hold the data: the lane
  cons <- sg_constraints(bounds = list(x1 = c(-100, 100), x4 = c(-50, 60)))
  expect_true(takes_lane(df, "y", guard = NULL, constraints = cons))
  expect_lane_identical(df, "y", seed = 4, guard = NULL, constraints = cons)
  expect_lane_identical(df, "y", seed = 5, guard = NULL, over_ratio = c(d = 0.5, b = 1))
  # no seed: the caller's stream is used and left where the draws end
  expect_lane_identical(df, "y", guard = NULL)
  expect_lane_identical(df, "y", seed = 6, guard = NULL, threads = 2L)
})

test_that("small classes, unused levels and large raises warn the same on the lane", {
  df <- sim_classes(c(a = 70, b = 3, c = 5, d = 2), d = 3, seed = 32,
                    extra_levels = "never")
  expect_true(takes_lane(df, "y", guard = NULL))
  res <- expect_lane_identical(df, "y", seed = 1, guard = NULL)
  expect_length(sg_record(res)$warnings, 2)
  # a character outcome, and a class of one row (copied: not the lane)
  df$y <- as.character(df$y)
  expect_lane_identical(df, "y", seed = 2, guard = NULL)
  df1 <- rbind(df, transform(df[1, ], y = "solo"))
  expect_lane_identical(df1, "y", seed = 3, guard = NULL)
})

test_that("a call with nothing to make is the same on the lane", {
  df <- sim_classes(c(a = 20, b = 20), d = 2, seed = 37)
  res <- expect_lane_identical(df, "y", seed = 1, guard = NULL)
  expect_identical(nrow(res), 40L)
  df <- sim_classes(c(a = 40, b = 25), d = 2, seed = 38)
  res <- expect_lane_identical(df, "y", seed = 1, guard = NULL, over_ratio = 0.5)
  expect_identical(nrow(res), 65L)
})

test_that("ordered factors and row names take the lane and come out the same", {
  df <- sim_classes(c(a = 40, b = 12), d = 2, seed = 33)
  df$grade <- factor(sample(c("lo", "mid", "hi"), nrow(df), TRUE),
                     levels = c("lo", "mid", "hi"), ordered = TRUE)
  rownames(df) <- paste0("r", seq_len(nrow(df)))
  expect_true(takes_lane(df, "y", guard = NULL))
  expect_lane_identical(df, "y", seed = 1, guard = NULL)
})

test_that("constant columns and tied rows come out the same on the lane", {
  df <- sim_classes(c(a = 30, b = 8, c = 12), d = 3, seed = 36)
  df$x2 <- 4                       # weight 0 in the distance
  df[2:6, c("x1", "x3")] <- df[1, c("x1", "x3")]
  expect_true(takes_lane(df, "y", guard = NULL))
  expect_lane_identical(df, "y", seed = 1, guard = NULL)
  # every predictor constant: all distances 0, neighbours by row order
  flat <- data.frame(u = rep(1, 20), v = rep(2L, 20), y = rep(c("p", "q"), c(15, 5)))
  expect_true(takes_lane(flat, "y", guard = NULL))
  res <- expect_lane_identical(flat, "y", seed = 2, guard = NULL)
  expect_identical(nrow(res), 30L)
})

test_that("constraints interpolation could break keep the call off the lane", {
  df <- sim_classes(c(a = 50, b = 15), d = 2, seed = 34)
  # bounds tighter than the data: candidates are rejected and redrawn
  cons <- sg_constraints(bounds = list(x1 = c(1.5, 2.5)))
  expect_false(takes_lane(df, "y", guard = NULL, constraints = cons))
  res <- expect_lane_identical(df, "y", seed = 1, guard = NULL, constraints = cons)
  expect_gt(sum(sg_guard_report(res)$rejected_bound), 0)
  # rounding a column of fractions can leave its class's range
  cons <- sg_constraints(integer = "x2")
  expect_false(takes_lane(df, "y", guard = NULL, constraints = cons))
  expect_lane_identical(df, "y", seed = 2, guard = NULL, constraints = cons)
})

test_that("a candidate outside its bounds hands the call over with the random stream put back", {
  df <- sim_classes(c(a = 50, b = 15), d = 2, seed = 35)
  # fractions strictly between 0.2 and 0.8: rounded, every candidate leaves
  # its class's range
  df$x2 <- withr::with_seed(36, 0.2 + 0.6 * stats::runif(nrow(df)))
  yf <- df$y
  pred <- smoteguard:::prepare_predictors(df, "y", y = yf)
  counts <- tabulate(yf, nlevels(yf))
  n_new <- c(a = 0L, b = 35L)
  # generate_plain() called directly with a rounding the lane would not take
  settings <- list(method = "smote", neighbors = 5L, guard = NULL, group_codes = NULL,
                   threads = 1L, constraints = sg_constraints(integer = "x2"))
  set.seed(5)
  before <- .Random.seed
  expect_null(smoteguard:::generate_plain(pred, as.integer(yf), levels(yf), counts,
                                          n_new, settings, NULL))
  expect_identical(.Random.seed, before)
  # with no stream before the call, none after it
  rm(".Random.seed", envir = globalenv())
  expect_null(smoteguard:::generate_plain(pred, as.integer(yf), levels(yf), counts,
                                          n_new, settings, NULL))
  expect_false(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
  set.seed(5)
  # no rounding: the rows are made
  settings$constraints <- sg_constraints()
  gen <- smoteguard:::generate_plain(pred, as.integer(yf), levels(yf), counts, n_new,
                                     settings, NULL)
  expect_length(gen$parent, 35L)
})

test_that("calls the lane cannot make are left to the class by class path", {
  df <- sim_classes(c(a = 50, b = 15), d = 2, seed = 35)
  expect_false(takes_lane(df, "y"))                                   # guard
  expect_false(takes_lane(df, "y", guard = NULL, method = "adasyn"))
  expect_false(takes_lane(df, "y", guard = NULL,
                          constraints = sg_constraints(rules = function(d) d$x1 > 0)))
  na <- df
  na$x1[3] <- NA
  expect_false(takes_lane(na, "y", guard = NULL))
  nom <- df
  nom$f <- factor(rep(c("u", "v"), length.out = nrow(df)))
  expect_false(takes_lane(nom, "y", guard = NULL))
  expect_lane_identical(nom, "y", seed = 1, guard = NULL)
})

test_that("ffi_smote_plain() checks its arguments", {
  f <- get("ffi_smote_plain", envir = asNamespace("smoteguard"))
  x <- matrix(as.double(1:20), 10, 2)
  y <- rep(1:2, each = 5)
  ok <- .Call(f, x, c(0, 0), c(1, 1), y, 2L, 4L, 3L, 1L)
  expect_named(ok, c("class", "parent", "neighbor", "gap", "values", "k",
                     "nearest", "radius", "lower", "upper"))
  expect_identical(ok$class, rep(2L, 4))
  expect_true(all(ok$parent %in% 6:10) && all(ok$neighbor %in% 6:10))
  expect_identical(ok$lower, matrix(c(6, 16), 1))
  bad <- x
  bad[2, 1] <- NA
  expect_error(.Call(f, bad, c(0, 0), c(1, 1), y, 2L, 4L, 3L, 1L), "NA")
  expect_error(.Call(f, x, c(0, 0), c(1, -1), y, 2L, 4L, 3L, 1L), "scale")
  expect_error(.Call(f, x, 0, 1, y, 2L, 4L, 3L, 1L), "one value per column")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), as.double(y), 2L, 4L, 3L, 1L), "`y`")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, c(2L, 2L), c(4L, 4L), 3L, 1L), "distinct")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, 3L, 4L, 3L, 1L), "fewer than two")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, 2L, -1L, 3L, 1L), "at least 0")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, NA_integer_, 4L, 3L, 1L), "positive")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, 2L, 4L, 0L, 1L), "`k`")
  expect_error(.Call(f, x, c(0, 0), c(1, 1), y, 2L, c(4L, 1L), 3L, 1L), "one length")
  expect_error(.Call(f, x[, 0], double(0), double(0), y, 2L, 4L, 3L, 1L), "column")
})
