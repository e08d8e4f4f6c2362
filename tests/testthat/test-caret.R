# sg_caret_sampling(): the caret hook.

# Two overlapping classes: numeric, integer and factor predictors, with
# names caret's own smote wrapper would drop (they contain ".y").
caret_data <- function(n_major = 150, n_minor = 40, seed = 1) {
  withr::with_seed(seed, {
    cls <- rep(c("major", "minor"), c(n_major, n_minor))
    n <- length(cls)
    shift <- ifelse(cls == "minor", 1.5, 0)
    d <- data.frame(
      x1 = rnorm(n, shift),
      size.y = rnorm(n, shift),
      colour = factor(ifelse(runif(n) < ifelse(cls == "minor", 0.7, 0.3), "red", "blue")),
      count = as.integer(sample(1:6, n, TRUE) + (cls == "minor") * 2L),
      class = factor(cls))
    d <- d[sample(n), ]
    rownames(d) <- paste0("r", seq_len(n))
    d
  })
}

test_that("sg_caret_sampling() returns the list trainControl() accepts", {
  s <- sg_caret_sampling("smote", neighbors = 4)
  expect_type(s, "list")
  # caret reads class(x)[1] and wants exactly these three elements
  expect_identical(class(s), c("list", "sg_caret_sampling"))
  expect_identical(names(s), c("name", "func", "first"))
  expect_identical(names(formals(s$func)), c("x", "y"))
  expect_true(s$first)
  expect_false(sg_caret_sampling("ros", first = FALSE)$first)
  expect_identical(s$name, "smoteguard smote")
  skip_if_not_installed("caret")
  ctrl <- caret::trainControl(method = "cv", number = 3, sampling = s)
  expect_identical(ctrl$sampling, s)
})

test_that("func oversamples, keeps every predictor and gives sg_oversample()'s rows", {
  d <- caret_data()
  d$.y <- d$x1 * 2
  d$.outcome <- d$count + 0.5
  x <- d[names(d) != "class"]
  s <- sg_caret_sampling("smote", seed = 3, guard = NULL)
  res <- s$func(x, d$class)
  expect_named(res, c("x", "y"))
  expect_identical(names(res$x), names(x))
  expect_identical(as.vector(table(res$y)), c(150L, 150L))
  expect_identical(nrow(res$x), length(res$y))
  expect_null(attr(res$x, "smoteguard"))
  expect_identical(res$x[seq_len(nrow(x)), ], x)
  expect_type(res$x$count, "integer")
  expect_s3_class(res$x$colour, "factor")

  direct <- sg_oversample(d, "class", seed = 3, guard = NULL)
  expect_identical(res$y, direct$class)
  expect_equal(res$x, direct[names(x)], ignore_attr = "smoteguard")
})

test_that("func returns a matrix for a matrix and accepts a tibble", {
  d <- caret_data(seed = 2)
  x <- as.matrix(d[c("x1", "size.y")])
  # Borderline-SMOTE seeks the class boundary: on these data its rows move
  # `x1` and `size.y` from the class, and the fidelity check says so
  expect_warning(res <- sg_caret_sampling("borderline1", seed = 1)$func(x, d$class),
                 class = "smoteguard_warning_fidelity")
  expect_true(is.matrix(res$x))
  expect_identical(colnames(res$x), colnames(x))
  expect_identical(res$x[seq_len(nrow(x)), ], x)
  skip_if_not_installed("tibble")
  tb <- tibble::as_tibble(d[names(d) != "class"])
  res_tb <- sg_caret_sampling("smote", seed = 1)$func(tb, d$class)
  expect_s3_class(res_tb$x, "data.frame")
  expect_identical(nrow(res_tb$x), 300L)
})

test_that("without a seed, func follows R's random stream", {
  d <- caret_data(seed = 3)
  x <- d[names(d) != "class"]
  f <- sg_caret_sampling("smote")$func
  set.seed(5)
  one <- f(x, d$class)
  set.seed(5)
  two <- f(x, d$class)
  expect_identical(one, two)
})

test_that("bad arguments are refused when the hook is made", {
  expect_snapshot(error = TRUE, {
    sg_caret_sampling("smite")
    sg_caret_sampling("smote", 5)
    sg_caret_sampling("smote", k = 5)
    sg_caret_sampling("smote", data = iris)
    sg_caret_sampling("smote", first = "yes")
  })
})

test_that("caret::train() oversamples each training fold, never the held-out rows", {
  skip_if_not_installed("caret")
  d <- caret_data(seed = 4)
  x <- d[names(d) != "class"]
  y <- d$class
  # a wrapper that records the rows caret hands to the sampling function
  calls <- list()
  s <- sg_caret_sampling("smote", seed = 1)
  inner <- s$func
  s$func <- function(x, y) {
    res <- inner(x, y)
    calls[[length(calls) + 1]] <<- list(rows = rownames(x), n_out = nrow(res$x),
                                        n_out_y = length(res$y))
    res
  }
  set.seed(10)
  fit <- caret::train(x, y, method = "glm",
                      trControl = caret::trainControl(method = "cv", number = 3,
                                                      sampling = s,
                                                      savePredictions = "final"))
  expect_s3_class(fit, "train")
  expect_false(anyNA(fit$results$Accuracy))

  folds <- fit$control$index
  held_out <- fit$control$indexOut
  expect_length(folds, 3)
  # one call per training fold, then one for the final model on all rows
  expect_length(calls, 4)
  seen <- vapply(calls[1:3], function(cl) {
    hit <- which(vapply(folds, function(f) setequal(cl$rows, rownames(x)[f]), TRUE))
    if (length(hit) == 1) hit else NA_integer_
  }, integer(1))
  expect_setequal(seen, 1:3)
  for (i in 1:3) {
    fold <- seen[i]
    expect_length(intersect(calls[[i]]$rows, rownames(x)[held_out[[fold]]]), 0)
    counts <- table(y[folds[[fold]]])
    expect_identical(calls[[i]]$n_out, as.integer(2 * max(counts)))
    expect_identical(calls[[i]]$n_out_y, calls[[i]]$n_out)
  }
  expect_setequal(calls[[4]]$rows, rownames(x))
  expect_identical(stats::nobs(fit$finalModel), 300L)
  # each held-out row was predicted once, and no synthetic row was
  expect_identical(sort(fit$pred$rowIndex), seq_len(nrow(x)))
  expect_identical(nrow(fit$pred), nrow(x))
})

test_that("caret::train() with sg_caret_sampling() and pre-processing after it", {
  skip_if_not_installed("caret")
  d <- caret_data(seed = 5)
  x <- d[c("x1", "size.y", "count")]
  set.seed(11)
  fit <- caret::train(x, d$class, method = "glm", preProcess = c("center", "scale"),
                      trControl = caret::trainControl(
                        method = "cv", number = 3,
                        sampling = sg_caret_sampling("ros", first = FALSE)))
  expect_false(anyNA(fit$results$Accuracy))
  expect_identical(stats::nobs(fit$finalModel), 300L)
  # the predictor with ".y" in its name was used
  expect_true("size.y" %in% names(stats::coef(fit$finalModel)) ||
                "`size.y`" %in% names(stats::coef(fit$finalModel)))
})

test_that("print() shows the hook's settings, not a function body", {
  expect_snapshot({
    sg_caret_sampling("smote")
    sg_caret_sampling("borderline1", neighbors = 4, over_ratio = 0.8, seed = 3,
                      guard = NULL, first = FALSE)
  })
})

test_that("groups and weights are refused, pointing to the recipe step", {
  expect_snapshot(error = TRUE, {
    sg_caret_sampling("smote", groups = "patient")
    sg_caret_sampling("smote", weights = "w")
  })
  expect_error(sg_caret_sampling("smote", groups = "patient"),
               class = "smoteguard_error_input")
})

test_that("the hook keeps each call's record, read by sg_caret_records()", {
  d <- caret_data(seed = 41)
  s <- sg_caret_sampling("smote", seed = 1)
  expect_identical(sg_caret_records(s), list())
  x <- d[names(d) != "class"]
  a <- s$func(x[1:100, ], d$class[1:100])
  b <- s$func(x[51:150, ], d$class[51:150])
  recs <- sg_caret_records(s)
  expect_length(recs, 2L)
  expect_true(all(vapply(recs, inherits, NA, "sg_record")))
  expect_identical(recs[[1]]$n_result, length(a$y))
  expect_identical(recs[[2]]$n_result, length(b$y))
  expect_identical(recs[[1]]$counts$after, as.integer(table(a$y)))
  expect_error(sg_caret_records(list()), class = "smoteguard_error_input")
  skip_if_not_installed("caret")
  set.seed(1)
  s2 <- sg_caret_sampling("smote")
  fit <- suppressWarnings(caret::train(
    x = x, y = d$class, method = "glm",
    trControl = caret::trainControl(method = "cv", number = 3, sampling = s2)))
  # three resamples, then the final model
  recs <- sg_caret_records(fit)
  expect_length(recs, 4L)
  expect_identical(recs[[4]]$n_result, stats::nobs(fit$finalModel))
  expect_identical(sg_caret_records(fit), sg_caret_records(s2))
})
