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
