# sg_clean() and sg_oversample(clean = ) against plain-R references of
# Tomek links and ENN (helper-reference-methods.R), and imbalanced-learn's
# TomekLinks and EditedNearestNeighbours where /usr/bin/python3 has them.

# Rows removed by sg_clean(), checked against the result itself: the kept
# rows of `data`, in their order.
removed_rows <- function(cleaned, data) {
  rec <- sg_record(cleaned)
  keep <- setdiff(seq_len(nrow(data)), rec$removed$row)
  # (row names are not compared: sg_clean() keeps the input's, while
  # sg_undersample() and sg_oversample(clean = ) renumber automatic ones)
  got <- strip_record(cleaned)
  rownames(got) <- NULL
  kept <- data[keep, , drop = FALSE]
  rownames(kept) <- NULL
  expect_identical(got, kept)
  expect_identical(as.character(rec$removed$class), as.character(data$y[rec$removed$row]))
  rec$removed$row
}

test_that("Tomek links: removals equal the reference, larger class only or both", {
  for (s in 1:3) {
    df <- sim_classes(c(a = 70, b = 30), d = 2, seed = 100 + s, shift = 0.6)
    D <- ref_dist_euclidean(ref_scaled(df, "y"))
    links <- ref_tomek_links(D, df$y)
    expect_gt(nrow(links), 0)
    larger <- removed_rows(sg_clean(df, "y", method = "tomek"), df)
    expect_identical(larger, as.integer(ref_tomek_removed(D, df$y, "larger")))
    # only majority rows, one per link
    expect_true(all(df$y[larger] == "a"))
    expect_identical(length(larger), nrow(links))
    both <- removed_rows(sg_clean(df, "y", method = "tomek", remove = "both"), df)
    expect_identical(both, as.integer(sort(c(links))))
  }
})

test_that("Tomek links with three classes: the larger member of each link", {
  df <- sim_classes(c(a = 50, b = 30, c = 20), d = 2, seed = 110, shift = 0.5)
  D <- ref_dist_euclidean(ref_scaled(df, "y"))
  links <- ref_tomek_links(D, df$y)
  expect_true(nrow(links) > 2)
  larger <- removed_rows(sg_clean(df, "y", method = "tomek"), df)
  expect_identical(larger, as.integer(ref_tomek_removed(D, df$y, "larger")))
  # a b-c link loses its b row, an a-b link its a row
  kinds <- paste(pmin(as.character(df$y[links[, 1]]), as.character(df$y[links[, 2]])),
                 pmax(as.character(df$y[links[, 1]]), as.character(df$y[links[, 2]])))
  expect_true(length(unique(kinds)) > 1)
  both <- removed_rows(sg_clean(df, "y", method = "tomek", remove = "both"), df)
  expect_identical(both, as.integer(ref_tomek_removed(D, df$y, "both")))
})

test_that("Tomek: a hand-built link loses only its larger-class row with remove = \"larger\"", {
  # maj rows 0..9, a min row at 4.4 whose nearest is the maj row at 4 and
  # vice versa; two more min rows far away (so the minority is smaller)
  df <- line_data(c(0:9, 4.4, 50, 51), c(rep("maj", 10), rep("min", 3)))
  larger <- removed_rows(sg_clean(df, "y", method = "tomek"), df)
  expect_identical(larger, 5L)   # the maj row at 4, never the min row 11
  both <- removed_rows(sg_clean(df, "y", method = "tomek", remove = "both"), df)
  expect_identical(both, c(5L, 11L))
  # classes of equal size: neither member with remove = "larger"
  eq <- line_data(c(0, 1, 2, 2.4, 20, 21), c("maj", "maj", "maj", "min", "min", "min"))
  expect_identical(removed_rows(sg_clean(eq, "y", method = "tomek"), eq), integer(0))
  expect_identical(removed_rows(sg_clean(eq, "y", method = "tomek", remove = "both"), eq),
                   c(3L, 4L))
})

test_that("Tomek: a duplicated row is never its own nearest row", {
  # identical rows of different classes are each other's nearest row (at
  # distance 0): a Tomek link. Had a row been its own neighbour, there would
  # be none.
  df <- line_data(c(0:9, 6, 30, 31), c(rep("maj", 10), rep("min", 3)))
  D <- ref_dist_euclidean(ref_scaled(df, "y"))
  expect_identical(unname(ref_tomek_links(D, df$y)[1, ]), c(7, 11))
  expect_identical(removed_rows(sg_clean(df, "y", method = "tomek"), df), 7L)
  expect_identical(removed_rows(sg_clean(df, "y", method = "tomek", remove = "both"), df),
                   c(7L, 11L))
  # a row duplicated within its class finds its copy, not itself and not the
  # nearby row of the other class: no link
  df2 <- line_data(c(0:9, 6.3, 6.3, 30, 31), c(rep("maj", 10), rep("min", 4)))
  expect_identical(nrow(ref_tomek_links(ref_dist_euclidean(ref_scaled(df2, "y")), df2$y)), 0L)
  expect_identical(removed_rows(sg_clean(df2, "y", method = "tomek", remove = "both"), df2),
                   integer(0))
})

test_that("ENN: removals equal the reference (k = 3, majority vote); the smallest class is kept", {
  for (s in 1:3) {
    df <- sim_classes(c(a = 70, b = 30), d = 2, seed = 120 + s, shift = 0.6)
    D <- ref_dist_euclidean(ref_scaled(df, "y"))
    got <- removed_rows(sg_clean(df, "y", method = "enn"), df)
    want <- ref_enn_removed(D, df$y, k = 3, clean = "a")
    expect_gt(length(want), 0)
    expect_identical(got, as.integer(want))
    # the smallest class would lose rows if it were cleaned
    expect_gt(length(ref_enn_removed(D, df$y, k = 3, clean = "b")), 0)
    both <- removed_rows(sg_clean(df, "y", method = "enn", remove = "both"), df)
    expect_identical(both, as.integer(ref_enn_removed(D, df$y, k = 3)))
    five <- removed_rows(sg_clean(df, "y", method = "enn", neighbors = 5), df)
    expect_identical(five, as.integer(ref_enn_removed(D, df$y, k = 5, clean = "a")))
  }
})

test_that("ENN with three classes: ties in the vote keep the row", {
  df <- sim_classes(c(a = 50, b = 35, c = 20), d = 2, seed = 130, shift = 0.4)
  D <- ref_dist_euclidean(ref_scaled(df, "y"))
  # some rows have a 1-1-1 vote among their 3 nearest
  three_way <- vapply(seq_len(nrow(df)), function(i) {
    length(unique(df$y[ref_nearest(D, i, seq_len(nrow(df)), 3)])) == 3
  }, logical(1))
  expect_gt(sum(three_way & df$y != "c"), 0)
  got <- removed_rows(sg_clean(df, "y", method = "enn"), df)
  expect_identical(got, as.integer(ref_enn_removed(D, df$y, 3, clean = c("a", "b"))))
  expect_false(any(got %in% which(three_way)))
  both <- removed_rows(sg_clean(df, "y", method = "enn", remove = "both"), df)
  expect_identical(both, as.integer(ref_enn_removed(D, df$y, 3)))
  expect_true(any(df$y[both] == "c"))
})

# The oversampled result's predictors on the scale of the input data (the
# scale the oversampling used).
scaled_like <- function(res, data, cols) {
  x <- as.matrix(strip_record(res)[cols])
  for (j in cols) x[, j] <- (x[, j] - mean(data[[j]])) / stats::sd(data[[j]])
  x
}

expect_clean_oversample <- function(df, clean, seed) {
  cols <- c("x1", "x2")
  full <- sg_definition(df, "y", seed = seed)
  res <- sg_definition(df, "y", clean = clean, seed = seed)
  n <- nrow(df)
  D <- ref_dist_euclidean(scaled_like(full, df, cols))
  want <- if (clean == "enn") ref_enn_removed(D, full$y, k = 3)
          else ref_tomek_removed(D, full$y, "both")
  want <- as.integer(want)
  expect_gt(length(want), 0)
  rec <- sg_record(res)
  expect_identical(rec$removed$row, want)
  expect_identical(rec$removed$synthetic, want > n)
  # every class is cleaned, originals first in order, then synthetic rows
  expect_true(all(c("a", "b") %in% full$y[want]))
  keep <- setdiff(seq_len(nrow(full)), want)
  kept <- strip_record(full)[keep, ]
  rownames(kept) <- NULL
  expect_identical(strip_record(res), kept)
  # provenance: row numbers in the cleaned result; parent and neighbour
  # still input rows; values still parent + gap * (neighbour - parent)
  prov <- sg_provenance(res)
  full_prov <- sg_provenance(full)
  expect_identical(nrow(prov), sum(keep > n))
  expect_identical(prov$row, sum(keep <= n) + seq_len(nrow(prov)))
  expect_identical(prov[c("parent", "neighbor", "gap")],
                   full_prov[full_prov$row %in% keep, c("parent", "neighbor", "gap")],
                   ignore_attr = TRUE)
  for (j in cols) {
    expect_equal(res[[j]][prov$row],
                 df[[j]][prov$parent] + prov$gap * (df[[j]][prov$neighbor] - df[[j]][prov$parent]),
                 tolerance = 1e-12)
  }
  expect_identical(as.character(res$y[prov$row]), as.character(df$y[prov$parent]))
}

test_that("SMOTE-ENN cleans every class; provenance points to the right rows", {
  df <- sim_classes(c(a = 60, b = 20), d = 2, seed = 140, shift = 0.5)
  expect_clean_oversample(df, "enn", seed = 1)
  # clean_neighbors, not neighbors, is ENN's k
  full <- sg_definition(df, "y", seed = 2)
  res5 <- sg_definition(df, "y", clean = "enn", clean_neighbors = 5, neighbors = 3, seed = 2)
  full3 <- sg_definition(df, "y", neighbors = 3, seed = 2)
  D <- ref_dist_euclidean(scaled_like(full3, df, c("x1", "x2")))
  expect_identical(sg_record(res5)$removed$row, as.integer(ref_enn_removed(D, full3$y, k = 5)))
})

test_that("SMOTE-Tomek removes both members of every link of the oversampled data", {
  df <- sim_classes(c(a = 60, b = 20), d = 2, seed = 141, shift = 0.5)
  expect_clean_oversample(df, "tomek", seed = 3)
})

# ---------------------------------------------------------------------------
# imbalanced-learn

test_that("TomekLinks and EditedNearestNeighbours of imbalanced-learn remove the same rows", {
  skip_if_no_imblearn()
  # standardised data for both, so that our scaling changes nothing;
  # continuous values: no ties, no duplicates (imbalanced-learn takes the
  # first column of kneighbors() as the row itself, which a duplicate can
  # break)
  for (s in 1:2) {
    df <- sim_classes(c(a = 90, b = 35), d = 2, seed = 150 + s, shift = 0.5)
    x <- scale(as.matrix(df[c("x1", "x2")]))
    attributes(x) <- list(dim = dim(x))
    df$x1 <- x[, 1]
    df$x2 <- x[, 2]
    yy <- as.integer(df$y == "b")
    kept <- run_imblearn(x, yy, c(
      "from imblearn.under_sampling import TomekLinks, EditedNearestNeighbours",
      "t = TomekLinks(sampling_strategy='auto').fit(X, y)",
      "t.fit_resample(X, y)",
      "e = EditedNearestNeighbours(n_neighbors=3, kind_sel='mode')",
      "e.fit_resample(X, y)",
      "n = len(y)",
      "kt = np.zeros(n); kt[t.sample_indices_] = 1",
      "ke = np.zeros(n); ke[e.sample_indices_] = 1",
      "np.savetxt(out, np.column_stack([kt, ke]), delimiter=',', fmt='%d')"))
    imb_tomek <- which(kept[, 1] == 0)
    imb_enn <- which(kept[, 2] == 0)
    # 'auto' = every class but the minority: the larger member of each link
    expect_identical(removed_rows(sg_clean(df, "y", method = "tomek"), df), imb_tomek)
    expect_gt(length(imb_tomek), 0)
    # binary data, k = 3: no ties in the vote, and 'mode' is our majority
    expect_identical(removed_rows(sg_clean(df, "y", method = "enn"), df), imb_enn)
    expect_gt(length(imb_enn), 0)
  }
})

test_that("cleaning after oversampling with groups keeps the group column out of the distance", {
  # SMOTE-Tomek (Batista et al. 2004): after oversampling, every Tomek link
  # of the whole result is removed (both rows), measured on the scale the
  # oversampling used (the input's centre and scale), over the predictors
  # only: the group column is not one. Plain-R reference on small data.
  set.seed(31)
  n <- 70
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                  y = factor(rep(c("a", "b"), c(55, 15))),
                  patient = rep(1:35, each = 2))
  d$x1[d$y == "b"] <- d$x1[d$y == "b"] + 1
  res <- expect_silent(sg_oversample(d, "y", seed = 2, guard = NULL, groups = "patient",
                                     clean = "tomek"))
  full <- sg_oversample(d, "y", seed = 2, guard = NULL, groups = "patient")
  x <- as.matrix(full[c("x1", "x2")])
  z <- sweep(sweep(x, 2, colMeans(d[c("x1", "x2")])), 2,
             apply(d[c("x1", "x2")], 2, sd), "/")
  dist2 <- as.matrix(stats::dist(z))^2
  diag(dist2) <- Inf
  nearest <- apply(dist2, 1, which.min)  # ties to the smaller row
  linked <- nearest[nearest] == seq_len(nrow(z)) & full$y != full$y[nearest]
  expect_identical(sg_record(res)$removed$row, unname(which(linked)))
  expect_gt(sum(linked), 0)
  expect_identical(nrow(res), nrow(full) - sum(linked))
  # synthetic rows carry their parent's group id
  prov <- sg_provenance(full)
  expect_identical(full$patient[prov$row], d$patient[prov$parent])
})
