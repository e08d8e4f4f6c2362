# Every user-facing error: its class (`smoteguard_error_input`), that its
# message names the argument, and its full text as a snapshot.

good_data <- function() sim_classes(c(a = 20, b = 8), d = 2, seed = 61)

# Each call must fail with an error of class `smoteguard_error_input` whose
# message contains its name (the argument, or what is wrong).
expect_input_errors <- function(calls, env = parent.frame()) {
  for (i in seq_along(calls)) {
    what <- paste(deparse(calls[[i]]), collapse = " ")
    err <- tryCatch(eval(calls[[i]], env), error = identity)
    expect(inherits(err, "smoteguard_error_input"),
           sprintf("`%s` did not raise a smoteguard_error_input (it gave %s).",
                   what, paste(class(err), collapse = "/")))
    if (inherits(err, "error")) {
      expect_match(conditionMessage(err), names(calls)[i], fixed = TRUE,
                   label = paste("the message of", what))
    }
  }
}

test_that("`var` is checked", {
  df <- good_data()
  num <- df
  num$y <- as.integer(num$y)
  na_y <- df
  na_y$y[c(3, 9)] <- NA
  expect_input_errors(list(
    "`var` is missing" = quote(sg_oversample(df)),
    "`var`" = quote(sg_oversample(df, NULL)),
    "`var`" = quote(sg_oversample(df, c("y", "x1"))),
    "`var`" = quote(sg_oversample(df, 3)),
    "`var`" = quote(sg_oversample(df, NA_character_)),
    "`nope`" = quote(sg_oversample(df, "nope")),
    "`y`" = quote(sg_oversample(num, "y")),
    "missing value" = quote(sg_oversample(na_y, "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(df)
    sg_oversample(df, c("y", "x1"))
    sg_oversample(df, "nope")
    sg_oversample(num, "y")
    sg_oversample(na_y, "y")
  })
})

test_that("one class only is an error, unused levels or not", {
  df <- good_data()
  one <- df[df$y == "a", ]
  chr <- one
  chr$y <- as.character(chr$y)
  one_row <- df[1, ]
  expect_input_errors(list(
    "only one class" = quote(sg_oversample(one, "y")),
    "only one class" = quote(sg_oversample(chr, "y")),
    "only one class" = quote(sg_oversample(one_row, "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(one, "y")
    sg_oversample(one_row, "y")
  })
})

test_that("predictors of a type smoteguard cannot use are errors", {
  df <- good_data()
  lst <- df
  lst$l <- as.list(seq_len(nrow(df)))
  cpx <- df
  cpx$z <- complex(real = df$x1, imaginary = 1)
  mat <- df
  mat$m <- matrix(seq_len(2 * nrow(df)), nrow(df), 2)
  raw <- df
  raw$r <- as.raw(seq_len(nrow(df)))
  expect_input_errors(list(
    "`l` (list)" = quote(sg_oversample(lst, "y")),
    "`z` (complex)" = quote(sg_oversample(cpx, "y")),
    "`m` (matrix)" = quote(sg_oversample(mat, "y")),
    "`r` (raw)" = quote(sg_oversample(raw, "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(lst, "y")
    sg_oversample(cpx, "y")
    sg_oversample(mat, "y")
  })
})

test_that("character, factor, logical and Date predictors are not input errors", {
  # (Foundation: these were errors; the mixed-data work made them nominal
  # predictors, and Date columns are copied from the parent with a message.)
  df <- good_data()
  df$site <- rep(c("u", "v"), length.out = nrow(df))
  df$grade <- factor(rep(c("lo", "hi", "hi"), length.out = nrow(df)))
  df$flag <- df$x1 > 0
  expect_no_error(suppressWarnings(sg_oversample(df, "y", seed = 1)))
  dated <- good_data()
  dated$when <- as.Date("2020-01-01") + seq_len(nrow(dated))
  expect_message(res <- sg_oversample(dated, "y", seed = 1), "`when`")
  prov <- sg_provenance(res)
  expect_identical(res$when[prov$row], dated$when[prov$parent])
})

test_that("Inf predictors are errors (NA and NaN are missing values)", {
  df <- good_data()
  inf <- df
  inf$x1[2] <- -Inf
  inf2 <- df
  inf2$x2[c(5, 9)] <- Inf
  expect_input_errors(list(
    "`x1`" = quote(sg_oversample(inf, "y")),
    "`x2`" = quote(sg_oversample(inf2, "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(inf, "y")
    sg_oversample(inf2, "y")
  })
  na <- df
  na$x1[4] <- NA
  na$x2[7] <- NaN
  expect_no_error(sg_oversample(na, "y", seed = 1))
})

test_that("zero rows and zero predictors are errors that say so", {
  df <- good_data()
  empty <- df[0, ]
  no_pred <- df["y"]
  expect_input_errors(list(
    "no rows" = quote(sg_oversample(empty, "y")),
    "no predictor" = quote(sg_oversample(no_pred, "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(empty, "y")
    sg_oversample(no_pred, "y")
  })
})

test_that("`neighbors` is checked", {
  df <- good_data()
  expect_input_errors(list(
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = 0)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = -2)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = NA)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = NA_real_)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = 2.5)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = "a")),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = Inf)),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = c(3, 4))),
    "`neighbors`" = quote(sg_oversample(df, "y", neighbors = NULL))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(df, "y", neighbors = 0)
    sg_oversample(df, "y", neighbors = -2)
    sg_oversample(df, "y", neighbors = NA)
    sg_oversample(df, "y", neighbors = 2.5)
    sg_oversample(df, "y", neighbors = "a")
  })
})

test_that("`over_ratio` is checked", {
  df <- good_data()
  expect_input_errors(list(
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = 0)),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = -1)),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = NA)),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = NA_real_)),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = Inf)),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = "1")),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = numeric(0))),
    "`zzz`" = quote(sg_oversample(df, "y", over_ratio = c(zzz = 1))),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = c(a = 1, 0.5))),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = c(b = 1, b = 0.5))),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = c(1, 0.5))),
    "`over_ratio`" = quote(sg_oversample(df, "y", over_ratio = c(b = 0)))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(df, "y", over_ratio = 0)
    sg_oversample(df, "y", over_ratio = -1)
    sg_oversample(df, "y", over_ratio = NA)
    sg_oversample(df, "y", over_ratio = Inf)
    sg_oversample(df, "y", over_ratio = c(zzz = 1, b = 1))
    sg_oversample(df, "y", over_ratio = c(1, 0.5))
  })
})

test_that("`seed` is checked", {
  df <- good_data()
  expect_input_errors(list(
    "`seed`" = quote(sg_oversample(df, "y", seed = NA)),
    "`seed`" = quote(sg_oversample(df, "y", seed = NA_integer_)),
    "`seed`" = quote(sg_oversample(df, "y", seed = "a")),
    "`seed`" = quote(sg_oversample(df, "y", seed = 1.5)),
    "`seed`" = quote(sg_oversample(df, "y", seed = c(1, 2))),
    "`seed`" = quote(sg_oversample(df, "y", seed = Inf))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(df, "y", seed = NA)
    sg_oversample(df, "y", seed = "a")
    sg_oversample(df, "y", seed = 1.5)
  })
})

test_that("`method` and `threads` are checked", {
  df <- good_data()
  expect_input_errors(list(
    "`method`" = quote(sg_oversample(df, "y", method = "magic")),
    "`method`" = quote(sg_oversample(df, "y", method = NA)),
    "`method`" = quote(sg_oversample(df, "y", method = c("smote", "smote"))),
    "thread" = quote(sg_oversample(df, "y", threads = 0)),
    "thread" = quote(sg_oversample(df, "y", threads = 1.5)),
    "thread" = quote(sg_oversample(df, "y", threads = "2"))
  ))
  withr::local_options(smoteguard.threads = -1)
  expect_error(sg_oversample(df, "y"), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, {
    sg_oversample(df, "y", method = "magic")
    sg_oversample(df, "y", threads = 0)
  })
  # the bad value came from the option: the message says so
  expect_snapshot(error = TRUE, sg_oversample(df, "y"))
})

test_that("column names must be unique and present; `data` a data frame", {
  df <- good_data()
  dup <- df
  names(dup)[2] <- "x1"
  empty <- df
  names(empty)[1] <- ""
  na_name <- df
  names(na_name)[2] <- NA
  mat <- as.matrix(df[c("x1", "x2")])
  expect_input_errors(list(
    "`x1`" = quote(sg_oversample(dup, "y")),
    "name" = quote(sg_oversample(empty, "y")),
    "name" = quote(sg_oversample(na_name, "y")),
    "`data`" = quote(sg_oversample(mat, "y")),
    "`data`" = quote(sg_oversample(as.list(df), "y")),
    "`data`" = quote(sg_oversample(NULL, "y")),
    "`data`" = quote(sg_oversample("df", "y"))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(dup, "y")
    sg_oversample(empty, "y")
    sg_oversample(mat, "y")
    sg_oversample(as.list(df), "y")
  })
})

test_that("the method-specific arguments are checked", {
  df <- good_data()
  expect_input_errors(list(
    "`m_neighbors`" = quote(sg_oversample(df, "y", m_neighbors = 0)),
    "`m_neighbors`" = quote(sg_oversample(df, "y", m_neighbors = NA)),
    "`shrinkage`" = quote(sg_oversample(df, "y", shrinkage = -1)),
    "`shrinkage`" = quote(sg_oversample(df, "y", shrinkage = NA)),
    "`shrinkage`" = quote(sg_oversample(df, "y", shrinkage = Inf)),
    "`distance`" = quote(sg_oversample(df, "y", distance = "manhattan")),
    "`nominal`" = quote(sg_oversample(df, "y", nominal = "mode")),
    "`exclude`" = quote(sg_oversample(df, "y", exclude = 1)),
    "`nope`" = quote(sg_oversample(df, "y", exclude = "nope")),
    "`exclude`" = quote(sg_oversample(df, "y", exclude = "y")),
    "`clean`" = quote(sg_oversample(df, "y", clean = "all")),
    "`clean_neighbors`" = quote(sg_oversample(df, "y", clean = "enn", clean_neighbors = 0))
  ))
  expect_snapshot(error = TRUE, {
    sg_oversample(df, "y", m_neighbors = 0)
    sg_oversample(df, "y", shrinkage = -1)
    sg_oversample(df, "y", distance = "manhattan")
    sg_oversample(df, "y", nominal = "mode")
    sg_oversample(df, "y", exclude = "nope")
    sg_oversample(df, "y", exclude = "y")
    sg_oversample(df, "y", clean = "all")
  })
})

test_that("sg_smote() checks as sg_oversample() does", {
  df <- good_data()
  expect_error(sg_smote(df, "nope"), class = "smoteguard_error_input")
  expect_error(sg_smote(df, "y", neighbors = 0), class = "smoteguard_error_input")
})

test_that("sg_knn() checks its inputs", {
  x <- matrix(stats::rnorm(30), 10, 3)
  chr <- matrix(letters[1:6], 3, 2)
  lgl <- matrix(TRUE, 3, 2)
  na <- x
  na[4, 2] <- NA
  nan <- x
  nan[1, 1] <- NaN
  inf <- x
  inf[7, 3] <- Inf
  date <- as.Date("2020-01-01") + 0:4
  fct_df <- data.frame(a = 1:3, b = factor(c("u", "v", "u")))
  zero_col <- matrix(numeric(0), 10, 0)
  expect_input_errors(list(
    "`x`" = quote(sg_knn(chr, 1)),
    "`x`" = quote(sg_knn(lgl, 1)),
    "`x`" = quote(sg_knn(date, 1)),
    "`x`" = quote(sg_knn(list(1, 2, 3), 1)),
    "`x`" = quote(sg_knn(NULL, 1)),
    "`x`" = quote(sg_knn(fct_df, 1)),
    "`x`" = quote(sg_knn(na, 1)),
    "`x`" = quote(sg_knn(nan, 1)),
    "`x`" = quote(sg_knn(inf, 1)),
    "`x`" = quote(sg_knn(zero_col, 1)),
    "`k`" = quote(sg_knn(x)),
    "`k`" = quote(sg_knn(x, 0)),
    "`k`" = quote(sg_knn(x, -1)),
    "`k`" = quote(sg_knn(x, NA)),
    "`k`" = quote(sg_knn(x, 1.5)),
    "`k`" = quote(sg_knn(x, "2")),
    "`k`" = quote(sg_knn(x, 10)),
    "`k`" = quote(sg_knn(x, 1e10)),
    "`k`" = quote(sg_knn(x, 11, query = x[1:2, ])),
    "`query`" = quote(sg_knn(x, 1, query = x[, 1:2])),
    "`query`" = quote(sg_knn(x, 1, query = chr)),
    "`query`" = quote(sg_knn(x, 1, query = na)),
    "thread" = quote(sg_knn(x, 1, threads = 0))
  ))
  expect_snapshot(error = TRUE, {
    sg_knn(chr, 1)
    sg_knn(date, 1)
    sg_knn(list(1, 2, 3), 1)
    sg_knn(fct_df, 1)
    sg_knn(na, 1)
    sg_knn(inf, 1)
    sg_knn(zero_col, 1)
    sg_knn(x)
    sg_knn(x, 0)
    sg_knn(x, 10)
    sg_knn(x, 11, query = x[1:2, ])
    sg_knn(x, 1, query = x[, 1:2])
  })
})

test_that("errors report the user's call, not an internal one", {
  df <- good_data()
  err <- tryCatch(sg_oversample(df, "nope"), error = identity)
  expect_identical(conditionCall(err)[[1]], quote(sg_oversample))
  err <- tryCatch(sg_knn(matrix(1:4, 2), 5), error = identity)
  expect_identical(conditionCall(err)[[1]], quote(sg_knn))
})
