# Instance hardness threshold (sg_undersample(method = "instance_hardness")):
# the kept rows against a plain-R reading (stats::glm in the same folds) and
# against imbalanced-learn 0.10's InstanceHardnessThreshold with an
# unpenalised logistic regression in the same folds.

hardness_data <- function(seed, counts = c(a = 140, b = 40)) {
  df <- sim_classes(counts, d = 2, seed = seed, shift = 0.8)
  x <- scale(as.matrix(df[c("x1", "x2")]))
  attributes(x) <- list(dim = dim(x))
  df$x1 <- x[, 1]
  df$x2 <- x[, 2]
  df
}

# The folds, as the definition deals them: within each class (in the order
# the classes first appear), its rows in a random order dealt to folds 1..K
# in turn.
ref_folds <- function(y, K) {
  yi <- as.integer(y)
  fold <- integer(length(yi))
  for (cl in unique(yi)) {
    at <- which(yi == cl)
    fold[at[sample.int(length(at))]] <- rep_len(seq_len(K), length(at))
  }
  fold
}

# Out-of-fold probability of class `cls` by stats::glm() on the
# standardised predictors.
ref_oof <- function(df, cls, fold) {
  d <- data.frame(ref_scaled(df, "y"), target = as.numeric(df$y == cls))
  p <- numeric(nrow(d))
  for (f in unique(fold)) {
    fit <- suppressWarnings(stats::glm(target ~ ., data = d[fold != f, ], family = stats::binomial()))
    p[fold == f] <- stats::predict(fit, d[fold == f, ], type = "response")
  }
  p
}

test_that("instance hardness keeps the rows with the highest out-of-fold probability of their class", {
  for (s in 1:3) {
    df <- hardness_data(600 + s)
    res <- sg_undersample(df, "y", method = "instance_hardness", seed = s)
    kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    fold <- withr::with_seed(s, ref_folds(df$y, 5))
    p <- ref_oof(df, "a", fold)
    a <- which(df$y == "a")
    expect_identical(kept[df$y[kept] == "a"], sort(a[order(-p[a], a)[1:40]]))
    expect_identical(kept[df$y[kept] == "b"], which(df$y == "b"))
  }
  # more folds, the same rule
  df <- hardness_data(610)
  res <- sg_undersample(df, "y", method = "instance_hardness", seed = 9, folds = 10)
  kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
  p <- ref_oof(df, "a", withr::with_seed(9, ref_folds(df$y, 10)))
  a <- which(df$y == "a")
  expect_identical(kept[df$y[kept] == "a"], sort(a[order(-p[a], a)[1:40]]))
})

# ffi_logit_oof(): each fold's probabilities from a logistic regression on
# the other folds, as glm() converged to 1e-14 gives them (its default
# 1e-8 stops up to ~1e-7 short on near-separated data); NA for a fold it
# leaves to glm.fit().
oof_c <- function(x, y, fold, threads = 1L, center = NULL, scale = NULL) {
  .Call(get("ffi_logit_oof", envir = asNamespace("smoteguard")), x, center, scale,
        as.integer(y), as.integer(fold), threads)
}
oof_glm <- function(x, y, fold) {
  d <- data.frame(x, target = y)
  p <- numeric(length(y))
  for (f in unique(fold)) {
    fit <- suppressWarnings(stats::glm(target ~ ., data = d[fold != f, , drop = FALSE],
                                       family = stats::binomial(),
                                       control = list(epsilon = 1e-14, maxit = 100)))
    p[fold == f] <- stats::plogis(stats::predict(fit, d[fold == f, , drop = FALSE]))
  }
  p
}

test_that("the compiled logistic regression gives glm's out-of-fold probabilities", {
  for (s in 1:5) {
    set.seed(640 + s)
    n <- c(150, 600, 3000, 20000, 400)[s]
    d <- c(1, 3, 8, 4, 2)[s]
    strength <- c(1, 0.5, 1.5, 2.5, 4)[s]
    x <- matrix(rnorm(n * d), n)
    y <- rbinom(n, 1, stats::plogis(drop(x %*% rnorm(d)) * strength - 0.5))
    fold <- sample(rep_len(1:c(5, 5, 10, 5, 3)[s], n))
    p <- oof_c(x, y, fold)
    expect_false(anyNA(p))
    expect_equal(p, oof_glm(x, y, fold), tolerance = 1e-8)
    # the same bits on two threads
    expect_identical(oof_c(x, y, fold, threads = 2L), p)
  }
  # standardised in C: as on the standardised matrix (a constant column
  # left out by its scale 0)
  set.seed(650)
  x <- cbind(matrix(rnorm(500 * 3, 5, 2), 500), 7)
  y <- rbinom(500, 1, 0.3)
  fold <- sample(rep_len(1:5, 500))
  center <- colMeans(x)
  scale <- c(apply(x[, 1:3], 2, sd), 0)
  z <- sweep(sweep(x[, 1:3], 2, center[1:3]), 2, scale[1:3], "/")
  expect_equal(oof_c(x, y, fold, center = center, scale = scale), oof_glm(z, y, fold),
               tolerance = 1e-8)
})

test_that("folds the compiled fit cannot trust are left to glm.fit", {
  set.seed(660)
  # separated classes: no maximum-likelihood fit
  x <- matrix(c(rnorm(60, -3), rnorm(60, 3)), ncol = 1)
  y <- rep(0:1, each = 60)
  fold <- sample(rep_len(1:5, 120))
  expect_true(all(is.na(oof_c(x, y, fold))))
  # an aliased column
  x2 <- cbind(rnorm(120), 0)
  x2[, 2] <- 2 * x2[, 1]
  expect_true(all(is.na(oof_c(x2, rbinom(120, 1, 0.4), fold))))
  # the method still keeps rows: glm.fit's probabilities, as before
  df <- data.frame(x1 = x[, 1], x2 = rnorm(120), y = factor(ifelse(y == 1, "b", "a")))
  df <- df[c(1:60, 61:80), ]
  res <- sg_undersample(df, "y", method = "instance_hardness", seed = 3)
  expect_identical(as.integer(table(res$y)), c(20L, 20L))
})

test_that("ffi_logit_oof checks its arguments", {
  x <- matrix(rnorm(20), 10)
  y <- rep(0:1, 5)
  fold <- rep(1:2, 5)
  expect_error(oof_c(1:10, y, fold), "must be a double matrix")
  f <- get("ffi_logit_oof", envir = asNamespace("smoteguard"))
  expect_error(.Call(f, x, NULL, NULL, as.double(y), fold, 1L), "integer vectors")
  expect_error(oof_c(x, y, fold[-1]), "integer vectors")
  expect_error(oof_c(x, replace(y, 1, 2L), fold), "0 or 1")
  expect_error(oof_c(x, y, replace(fold, 1, 0L)), "whole numbers from 1")
  expect_error(oof_c(x, y, replace(fold, 1, 11L)), "at most the number of rows")
  expect_error(oof_c(replace(x, 3, NA), y, fold), "must not contain NA")
  expect_error(oof_c(x, y, fold, center = 1), "one value per column")
  expect_identical(oof_c(x[0, , drop = FALSE], integer(0), integer(0)), numeric(0))
})

test_that("instance hardness runs on the shipped data and on nominal columns; missing values are refused", {
  res <- sg_undersample(breast_biopsy, "diagnosis", method = "instance_hardness", seed = 1)
  expect_identical(as.integer(table(res$diagnosis)), c(239L, 239L))
  set.seed(620)
  n <- 150
  df <- data.frame(x1 = rnorm(n), colour = factor(sample(c("red", "green", "blue"), n, TRUE)),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.7, 0.3))))
  mixed <- sg_undersample(df, "y", method = "instance_hardness", seed = 2)
  expect_identical(as.integer(table(mixed$y))[1], as.integer(table(mixed$y))[2])
  df$x1[5] <- NA
  expect_error(sg_undersample(df, "y", method = "instance_hardness", seed = 2),
               class = "smoteguard_error_input", regexp = "instance_hardness.*missing values")
  expect_error(sg_undersample(df, "y", method = "instance_hardness", folds = 0),
               class = "smoteguard_error_input")
})

test_that("instance hardness agrees with imbalanced-learn 0.10 given the same folds", {
  skip_if_no_imblearn()
  for (s in 1:2) {
    df <- hardness_data(630 + s)
    fold <- withr::with_seed(s, ref_folds(df$y, 5))
    x <- as.matrix(df[c("x1", "x2")])
    out <- run_imblearn(x, as.integer(df$y == "b"), c(
      "from imblearn.under_sampling import InstanceHardnessThreshold",
      "from sklearn.linear_model import LogisticRegression",
      "from sklearn.model_selection import PredefinedSplit, cross_val_predict",
      sprintf("fold = np.array([%s]) - 1", paste(fold, collapse = ",")),
      "lr = LogisticRegression(penalty='none', tol=1e-10, max_iter=10000)",
      "P = cross_val_predict(lr, X, y, cv=PredefinedSplit(fold), method='predict_proba')",
      # version 0.10 draws its own shuffled folds: give it ours instead
      "import imblearn.under_sampling._prototype_selection._instance_hardness_threshold as ih",
      "ih.StratifiedKFold = lambda **kw: PredefinedSplit(fold)",
      "iht = InstanceHardnessThreshold(estimator=lr)",
      "iht.fit_resample(X, y)",
      "k = np.zeros(len(y)); k[iht.sample_indices_] = 1",
      "np.savetxt(out, np.column_stack([P[:, 0], k]), delimiter=',', fmt='%.17g')"))
    p <- ref_oof(df, "a", fold)
    # the same out-of-fold probabilities (two optimisers: to 1e-4)
    a <- which(df$y == "a")
    expect_equal(out[a, 1], p[a], tolerance = 1e-4)
    res <- sg_undersample(df, "y", method = "instance_hardness", seed = s)
    kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    ours <- kept[df$y[kept] == "a"]
    theirs <- intersect(which(out[, 2] == 1), a)
    # its threshold is a percentile of the probabilities, which may keep
    # a row more or less than the target; the rows agree otherwise
    expect_lte(length(union(setdiff(ours, theirs), setdiff(theirs, ours))), 1)
  }
})
