# CNN, OSS, NCL, RENN and AllKNN (sg_clean()): against plain-R references
# written from the papers (helper-reference-methods.R) and against
# imbalanced-learn 0.10 (Debian's python3-imblearn) on shared data.

# The rows sg_clean() removed, after checking the result is the input less
# those rows.
cleaned_rows <- function(data, method, ...) {
  res <- sg_clean(data, "y", method = method, ...)
  rec <- sg_record(res)
  kept <- setdiff(seq_len(nrow(data)), rec$removed$row)
  # (automatic row names are renumbered, as sg_clean() documents)
  got <- strip_record(res)
  want <- data[kept, , drop = FALSE]
  rownames(got) <- rownames(want) <- NULL
  expect_identical(got, want)
  kept
}

test_that("CNN, OSS, NCL, RENN and AllKNN keep the rows of the plain-R references", {
  for (s in 1:3) {
    for (counts in list(c(a = 80, b = 30), c(a = 60, b = 35, c = 15))) {
      df <- sim_classes(counts, d = 2, seed = 200 + s, shift = 0.6)
      D <- ref_dist_euclidean(ref_scaled(df, "y"))
      label <- sprintf("seed %d, %d classes", s, length(counts))
      expect_identical(cleaned_rows(df, "cnn"), as.integer(ref_cnn_kept(D, df$y)), label = label)
      expect_identical(cleaned_rows(df, "cnn", remove = "both"),
                       as.integer(ref_cnn_kept(D, df$y, "both")), label = label)
      expect_identical(cleaned_rows(df, "oss"), as.integer(ref_oss_kept(D, df$y)), label = label)
      expect_identical(cleaned_rows(df, "oss", remove = "both"),
                       as.integer(ref_oss_kept(D, df$y, "both")), label = label)
      for (k in c(3, 5)) {
        expect_identical(cleaned_rows(df, "ncl", neighbors = k),
                         as.integer(ref_ncl_kept(D, df$y, k)), label = label)
        expect_identical(cleaned_rows(df, "renn", neighbors = k),
                         as.integer(ref_enn_passes_kept(D, df$y, rep(k, 100), TRUE)),
                         label = label)
        expect_identical(cleaned_rows(df, "allknn", neighbors = k),
                         as.integer(ref_enn_passes_kept(D, df$y, seq_len(k), FALSE)),
                         label = label)
      }
    }
  }
})

test_that("CNN's kept rows classify every input row right by 1-NN", {
  # Hart's consistency: the kept set, used as a 1-NN classifier, gets every
  # row of the input right (remove = "both": all classes condensed)
  df <- sim_classes(c(a = 70, b = 40, c = 25), d = 3, seed = 221, shift = 0.8)
  D <- ref_dist_euclidean(ref_scaled(df, "y"))
  kept <- cleaned_rows(df, "cnn", remove = "both")
  expect_lt(length(kept), nrow(df))
  guess <- vapply(seq_len(nrow(df)), function(i) {
    as.character(df$y[kept[order(D[i, kept], kept)][1]])
  }, "")
  expect_identical(guess, as.character(df$y))
  # remove = "larger": the smallest class whole, the larger classes reduced
  larger <- cleaned_rows(df, "cnn")
  expect_true(all(which(df$y == "c") %in% larger))
  expect_lt(sum(df$y[larger] == "a"), sum(df$y == "a"))
})

test_that("RENN repeats ENN until a pass removes nothing; AllKNN grows k", {
  df <- sim_classes(c(a = 120, b = 40), d = 2, seed = 230, shift = 0.5)
  enn <- cleaned_rows(df, "enn")
  renn <- cleaned_rows(df, "renn")
  allknn <- cleaned_rows(df, "allknn")
  # each later pass only removes: RENN keeps a subset of ENN's rows
  expect_true(all(renn %in% enn))
  expect_lt(length(renn), length(enn))
  # RENN's result is stable: one more ENN pass on it removes nothing
  again <- df[renn, ]
  rownames(again) <- NULL
  expect_identical(nrow(sg_clean(again, "y", method = "enn")), nrow(again))
  # AllKNN's first pass is ENN with k = 1
  expect_true(all(allknn %in% cleaned_rows(df, "enn", neighbors = 1)))
  # neighbors = 1: AllKNN is ENN with k = 1
  expect_identical(cleaned_rows(df, "allknn", neighbors = 1),
                   cleaned_rows(df, "enn", neighbors = 1))
})

test_that("the cleaners run on the shipped data and on mixed data with missing values", {
  for (m in c("cnn", "oss", "ncl", "renn", "allknn")) {
    res <- sg_clean(breast_biopsy, "diagnosis", method = m)
    tab <- table(res$diagnosis)
    expect_identical(tab[["malignant"]], sum(breast_biopsy$diagnosis == "malignant"), label = m)
    expect_lt(tab[["benign"]], sum(breast_biopsy$diagnosis == "benign"), label = m)
  }
  set.seed(240)
  n <- 150
  df <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                   colour = sample(c("red", "green", "blue"), n, TRUE),
                   flag = sample(c(TRUE, FALSE), n, TRUE),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.75, 0.25))))
  df$x1[df$y == "b"] <- df$x1[df$y == "b"] + 1
  for (j in c("x1", "x2", "colour")) df[[j]][runif(n) < 0.2] <- NA
  for (m in c("cnn", "oss", "ncl", "renn", "allknn")) {
    for (remove in c("larger", "both")) {
      kept <- cleaned_rows(df, m, remove = remove)
      expect_gt(length(kept), 0, label = m)
      # the same rows on two threads and again
      again <- sg_clean(df, "y", method = m, remove = remove, threads = 2)
      expect_identical(nrow(again), length(kept), label = m)
      expect_identical(sg_record(again)$removed$row, setdiff(seq_len(n), kept), label = m)
    }
  }
})

test_that("neighbors larger than the other rows is refused for the voting cleaners", {
  df <- line_data(c(0:5, 9, 10), c(rep("maj", 6), rep("min", 2)))
  for (m in c("ncl", "renn", "allknn")) {
    expect_error(sg_clean(df, "y", method = m, neighbors = 8), class = "smoteguard_error_input")
  }
  # CNN and OSS read the nearest row only: neighbors is not theirs
  expect_identical(nrow(sg_clean(df, "y", method = "cnn", neighbors = 8)) > 0, TRUE)
})

# ---------------------------------------------------------------------------
# imbalanced-learn 0.10

# Two classes, the larger first (label 0) then the smaller (label 1);
# standardised, continuous values: no ties, so 1-NN and the vote are the
# same in both; the larger class as 0 also makes imbalanced-learn's vote
# (scipy's mode, ties to the smaller label) keep a tied row, as ours does.
imblearn_data <- function(seed, counts = c(a = 90, b = 35), shift = 0.6) {
  df <- sim_classes(counts, d = 2, seed = seed, shift = shift)
  df <- df[order(df$y), ]
  rownames(df) <- NULL
  x <- scale(as.matrix(df[c("x1", "x2")]))
  attributes(x) <- list(dim = dim(x))
  df$x1 <- x[, 1]
  df$x2 <- x[, 2]
  list(df = df, x = x, y = as.integer(df$y == "b"))
}

# The rows each of `samplers` (python expressions) keeps, one column each,
# in one python run.
imblearn_kept <- function(d, samplers) {
  kept <- run_imblearn(d$x, d$y, c(
    "from imblearn.under_sampling import CondensedNearestNeighbour, OneSidedSelection",
    "from imblearn.under_sampling import NeighbourhoodCleaningRule",
    "from imblearn.under_sampling import RepeatedEditedNearestNeighbours, AllKNN",
    # CNN and OSS start from a random row of the larger class: the seed whose
    # first draw is row 0 makes that the first row, as ours is
    "n0 = int(np.sum(y == 0))",
    "rs = next(s for s in range(100000) if np.random.RandomState(s).randint(0, n0, size=1)[0] == 0)",
    sprintf("samplers = [%s]", paste(samplers, collapse = ", ")),
    "K = np.zeros((len(y), len(samplers)))",
    "for j, s in enumerate(samplers):",
    "    s.fit_resample(X, y)",
    "    K[s.sample_indices_, j] = 1",
    "np.savetxt(out, K, fmt='%d', delimiter=',')"))
  stats::setNames(lapply(seq_along(samplers), function(j) which(kept[, j] == 1)),
                  names(samplers))
}

test_that("CNN, OSS, NCL, RENN and AllKNN keep the rows imbalanced-learn 0.10 keeps", {
  skip_if_no_imblearn()
  samplers <- c(
    cnn = "CondensedNearestNeighbour(random_state=rs)",
    oss = "OneSidedSelection(random_state=rs)",
    ncl = "NeighbourhoodCleaningRule(n_neighbors=3, kind_sel='mode')",
    renn = "RepeatedEditedNearestNeighbours(n_neighbors=3, kind_sel='mode')",
    allknn = "AllKNN(n_neighbors=3, kind_sel='mode')")
  for (s in 1:3) {
    d <- imblearn_data(250 + s)
    imb <- imblearn_kept(d, samplers)
    for (m in names(samplers)) {
      expect_identical(cleaned_rows(d$df, m), imb[[m]], label = sprintf("%s, seed %d", m, 250 + s))
      expect_lt(length(imb[[m]]), nrow(d$df))
    }
    expect_false(identical(imb$renn, imb$allknn))
  }
})
