# sg_undersample(): targets, random under-sampling, and NearMiss 1, 2 and 3
# against plain-R references (helper-reference-methods.R) and
# imbalanced-learn's NearMiss where /usr/bin/python3 has it.

class_counts <- function(x) as.vector(table(x$y))

test_that("every class is reduced to round(under_ratio * smallest)", {
  df <- sim_classes(c(a = 40, b = 7, c = 25, d = 12), d = 2, seed = 200)
  for (r in c(1, 1.5, 2.5, 3, 10)) {
    target <- round(r * 7)   # 1.5 * 7 = 10.5 -> 10, 2.5 * 7 = 17.5 -> 18
    for (method in c("random", "nearmiss1", "nearmiss2", "nearmiss3")) {
      res <- suppressWarnings(sg_undersample(df, "y", method = method,
                                             under_ratio = r, seed = 1))
      want <- pmin(c(40, 7, 25, 12), target)
      if (method == "nearmiss3") {
        # NearMiss-3 may find fewer candidates than the target
        expect_true(all(class_counts(res) <= want))
      } else {
        expect_identical(class_counts(res), as.integer(want),
                         label = paste(method, "under_ratio =", r))
      }
      expect_identical(sg_record(res)$counts$target, as.integer(want))
    }
  }
  # under_ratio < 1: the smallest class too (at random, for NearMiss as well)
  res <- sg_undersample(df, "y", method = "nearmiss1", under_ratio = 0.5, seed = 1)
  expect_identical(class_counts(res), c(4L, 4L, 4L, 4L))
})

test_that("random under-sampling keeps rows in their order, and the seed fixes them", {
  df <- sim_classes(c(a = 50, b = 9, c = 30), d = 2, seed = 201)
  df$id <- seq_len(nrow(df))
  a <- sg_undersample(df, "y", seed = 5)
  b <- sg_undersample(df, "y", seed = 5)
  c <- sg_undersample(df, "y", seed = 6)
  expect_identical(strip_record(a), strip_record(b))
  expect_false(identical(a$id, c$id))
  expect_false(is.unsorted(a$id))
  expect_identical(class_counts(a), c(9L, 9L, 9L))
  # rows unchanged, and the smallest class whole
  got <- strip_record(a)
  rownames(got) <- NULL
  want <- df[a$id, ]
  rownames(want) <- NULL
  expect_identical(got, want)
  expect_true(all(which(df$y == "b") %in% a$id))
  expect_identical(sort(sg_record(a)$removed$row), setdiff(seq_len(nrow(df)), a$id))
  # seed = s is set.seed(s) and the caller's stream is left as it was
  set.seed(99)
  before <- .Random.seed
  d <- sg_undersample(df, "y", seed = 5)
  expect_identical(.Random.seed, before)
  expect_identical(strip_record(d), strip_record(a))
})

nearmiss_case <- function(df, version, neighbors = 3, under_ratio = 1) {
  D <- ref_dist_euclidean(ref_scaled(df, "y"))
  counts <- table(df$y)
  minority <- names(counts)[which.min(counts)]
  target <- round(under_ratio * min(counts))
  res <- suppressWarnings(sg_undersample(df, "y", method = paste0("nearmiss", version),
                                         neighbors = neighbors, under_ratio = under_ratio))
  kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
  for (cl in setdiff(names(counts), minority)) {
    if (counts[[cl]] <= target) next
    want <- ref_nearmiss(D, df$y, cl, minority, version, target, k = neighbors)
    expect_identical(kept[df$y[kept] == cl], as.integer(want),
                     label = sprintf("NearMiss-%d, class %s", version, cl))
  }
  expect_true(all(which(df$y == minority) %in% kept))
  invisible(res)
}

test_that("NearMiss 1, 2 and 3 keep the reference's rows", {
  for (s in 1:2) {
    df <- sim_classes(c(a = 60, b = 12, c = 30), d = 3, seed = 210 + s, shift = 0.6)
    for (version in 1:3) {
      nearmiss_case(df, version)
      nearmiss_case(df, version, neighbors = 5, under_ratio = 1.5)
    }
  }
})

test_that("NearMiss ties are broken by the earlier row", {
  # symmetric data with mean exactly 0 (binary fractions): the majority rows
  # at -x and +x are at bit-identical distances from the minority rows
  min_at <- c(-0.75, -0.25, 0, 0.25, 0.75)
  for (flip in c(FALSE, TRUE)) {
    maj_at <- c(1, -1, 2, -2, 3, -3, 4, -4)
    if (flip) maj_at <- -maj_at
    df <- line_data(c(maj_at, min_at), rep(c("maj", "min"), c(8, 5)))
    D <- ref_dist_euclidean(ref_scaled(df, "y"))
    # NearMiss-1 and -2 keep 5: +-1, +-2 and the first of +-3 (row 5)
    for (version in 1:2) {
      res <- sg_undersample(df, "y", method = paste0("nearmiss", version))
      kept <- setdiff(1:8, sg_record(res)$removed$row)
      expect_identical(kept, 1:5, label = paste("NearMiss", version, "flip", flip))
      expect_identical(kept, as.integer(ref_nearmiss(D, df$y, "maj", "min", version, 5)))
    }
    # (the 3 nearest majority rows of the minority rows are only 4 rows)
    expect_warning(res3 <- sg_undersample(df, "y", method = "nearmiss3"),
                   class = "smoteguard_warning_shortfall")
    expect_identical(setdiff(1:8, sg_record(res3)$removed$row),
                     as.integer(ref_nearmiss(D, df$y, "maj", "min", 3, 5)))
  }
})

test_that("NearMiss-3 with fewer candidates than the target keeps them all and warns", {
  # 4 minority rows close together share their 3 nearest majority rows: 3
  # candidates for a target of 4 * 3 = 12
  df <- line_data(c(0:19, 10.2, 10.3, 10.25, 10.35), rep(c("maj", "min"), c(20, 4)))
  expect_warning(res <- sg_undersample(df, "y", method = "nearmiss3", under_ratio = 3),
                 class = "smoteguard_warning_shortfall")
  kept <- setdiff(1:20, sg_record(res)$removed$row)
  expect_identical(kept, c(10L, 11L, 12L))
  expect_identical(class_counts(res), c(3L, 4L))
})

test_that("NearMiss works when the smallest class has no more rows than `neighbors`", {
  # Regression test (fixed bug): sg_undersample() stops with "`k` is larger than the number of rows
  # available." for every NearMiss version here: knn_rows() passes
  # exclude = match(query, ref), all NA when the query rows are not in ref
  # (majority rows against minority rows), and ffi_knn_search() /
  # ffi_knn_mixed() then allow only n - 1 neighbours, so k = 3 neighbours
  # among 3 minority rows is refused.
  df <- line_data(c(1, -1, 2, -2, 3, -3, 4, -4, -0.5, 0, 0.5, 7, 8, 9),
                  rep(c("maj", "min", "maj"), c(8, 3, 3)))
  for (version in 1:3) {
    res <- tryCatch(nearmiss_case(df, version), error = function(e) e)
    expect_false(inherits(res, "error"), label = paste("NearMiss", version, "runs"))
  }
})

test_that("NearMiss on incomplete data uses the nan-Euclidean distance", {
  # Regression test (fixed bug): method = "nearmiss2" stops with "`k` is larger than the number of
  # rows available." on any data that take the general distance (missing
  # values, nominal columns, Gower): farthest_rows() asks knn_rows() for all
  # length(ref) rows of the minority class, and the all-NA `exclude` (see
  # above) leaves only length(ref) - 1.
  df <- sim_classes(c(a = 40, b = 10, c = 25), d = 3, seed = 220, shift = 0.6)
  withr::with_seed(221, {
    for (j in c("x1", "x2", "x3")) df[[j]][stats::runif(nrow(df)) < 0.2] <- NA
  })
  D <- ref_dist_mixed(ref_scaled(df, "y"))
  for (version in 1:3) {
    res <- tryCatch(sg_undersample(df, "y", method = paste0("nearmiss", version)),
                    error = function(e) e)
    expect_false(inherits(res, "error"), label = paste("NearMiss", version, "runs"))
    if (inherits(res, "error")) next
    kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    for (cl in c("a", "c")) {
      expect_identical(kept[df$y[kept] == cl],
                       as.integer(ref_nearmiss(D, df$y, cl, "b", version, 10)),
                       label = sprintf("NearMiss-%d, class %s", version, cl))
    }
  }
})

test_that("NearMiss of imbalanced-learn keeps the same rows", {
  skip_if_no_imblearn()
  df <- sim_classes(c(a = 80, b = 15), d = 2, seed = 230, shift = 0.7)
  x <- scale(as.matrix(df[c("x1", "x2")]))
  attributes(x) <- list(dim = dim(x))
  df$x1 <- x[, 1]
  df$x2 <- x[, 2]
  yy <- as.integer(df$y == "b")
  kept <- run_imblearn(x, yy, c(
    "from imblearn.under_sampling import NearMiss",
    "cols = []",
    "for v in (1, 2, 3):",
    "    s = NearMiss(version=v, n_neighbors=3, n_neighbors_ver3=3)",
    "    s.fit_resample(X, y)",
    "    k = np.zeros(len(y)); k[s.sample_indices_] = 1",
    "    cols.append(k)",
    "np.savetxt(out, np.column_stack(cols), delimiter=',', fmt='%d')"))
  for (version in 1:3) {
    res <- sg_undersample(df, "y", method = paste0("nearmiss", version))
    ours <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    expect_identical(ours, which(kept[, version] == 1), label = paste("NearMiss", version))
  }
})
