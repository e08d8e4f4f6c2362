# Cluster centroids (sg_undersample(method = "cluster_centroids")): the kept
# rows are the real rows nearest the class's k-means centroids, against a
# plain-R reading and against imbalanced-learn 0.10's ClusterCentroids
# (voting = "hard") started from the same centroids.

centroid_data <- function(seed) {
  df <- sim_classes(c(a = 120, b = 30), d = 2, seed = seed, shift = 0.7)
  x <- scale(as.matrix(df[c("x1", "x2")]))
  attributes(x) <- list(dim = dim(x))
  df$x1 <- x[, 1]
  df$x2 <- x[, 2]
  df
}

# The centroids the method finds for class `cls`: stats::kmeans' Lloyd
# iterations on the class's standardised rows, started from `size` rows
# drawn first on the random stream after set.seed(seed) (no repeated rows:
# the draw of stats::kmeans(z, size)).
ref_centroids <- function(df, cls, size, seed) {
  z <- ref_scaled(df, "y")[df$y == cls, , drop = FALSE]
  start <- withr::with_seed(seed, z[sample.int(nrow(z), size), , drop = FALSE])
  stats::kmeans(z, centers = start, iter.max = 100, algorithm = "Lloyd")$centers
}

test_that("k-means for cluster centroids is stats::kmeans' Lloyd from the same start", {
  for (s in 1:4) {
    set.seed(530 + s)
    n <- c(60, 200, 400, 300)[s]
    d <- c(2, 3, 5, 20)[s]
    k <- c(5, 40, 90, 60)[s]
    x <- matrix(rnorm(n * d), n) + rep(sample(0:2, n, TRUE), d)
    start <- x[sample.int(n, k), , drop = FALSE]
    ref <- stats::kmeans(x, centers = start, iter.max = 100, algorithm = "Lloyd")
    for (threads in 1:2) {
      ours <- smoteguard:::kmeans_lloyd(x, start, threads = threads)
      expect_identical(ours$cluster, ref$cluster)
      expect_equal(ours$centers, ref$centers, tolerance = 1e-12, ignore_attr = TRUE)
      expect_identical(ours$iter, ref$iter)
    }
    # stopped after a few assignments: the centres of the last one
    ref2 <- suppressWarnings(stats::kmeans(x, centers = start, iter.max = 2, algorithm = "Lloyd"))
    ours2 <- smoteguard:::kmeans_lloyd(x, start, iter_max = 2L, threads = 1L)
    expect_identical(ours2$cluster, ref2$cluster)
    expect_equal(ours2$centers, ref2$centers, tolerance = 1e-12, ignore_attr = TRUE)
  }
  # a centre that loses its rows stays where it was (stats: NaN)
  x <- cbind(c(0, 0.1, 10, 10.1))
  ours <- smoteguard:::kmeans_lloyd(x, cbind(c(0, 5, 10.1)), threads = 1L)
  expect_identical(ours$cluster, c(1L, 1L, 3L, 3L))
  expect_equal(ours$centers[, 1], c(0.05, 5, 10.05))
})

# Each centroid's nearest row of the class; a row shared goes to the first
# centroid, the others take their nearest row no centroid took.
ref_nearest_rows <- function(df, cls, centers) {
  z <- ref_scaled(df, "y")
  rows <- which(df$y == cls)
  # squared distances summed column by column in double precision, as the
  # search sums them: a centroid of a two-row cluster lies midway between
  # them, where the last bit decides (sqrt() or colSums()' long double can
  # merge two sums that differ in it)
  d <- vapply(seq_len(nrow(centers)), function(j) {
    s <- 0
    for (c in seq_len(ncol(z))) s <- s + (z[rows, c] - centers[j, c])^2
    s
  }, numeric(length(rows)))
  first <- apply(d, 2, function(v) order(v, seq_along(v))[1])
  for (j in which(duplicated(first))) {
    v <- d[, j]
    v[first[-j]] <- Inf
    first[j] <- order(v, seq_along(v))[1]
  }
  sort(rows[first])
}

test_that("cluster centroids keep the row nearest each k-means centroid", {
  for (s in 1:3) {
    df <- centroid_data(500 + s)
    res <- sg_undersample(df, "y", method = "cluster_centroids", seed = s)
    kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    expect_identical(as.integer(table(res$y)), c(30L, 30L))
    centers <- ref_centroids(df, "a", 30, s)
    expect_identical(kept[df$y[kept] == "a"], ref_nearest_rows(df, "a", centers))
    expect_identical(kept[df$y[kept] == "b"], which(df$y == "b"))
  }
})

test_that("cluster centroids run on the shipped data and refuse missing values", {
  res <- sg_undersample(breast_biopsy, "diagnosis", method = "cluster_centroids", seed = 1)
  expect_identical(as.integer(table(res$diagnosis)), c(239L, 239L))
  set.seed(520)
  n <- 120
  df <- data.frame(x1 = rnorm(n), colour = factor(sample(c("red", "green"), n, TRUE)),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.75, 0.25))))
  mixed <- sg_undersample(df, "y", method = "cluster_centroids", seed = 2)
  expect_identical(as.integer(table(mixed$y))[1], as.integer(table(mixed$y))[2])
  df$x1[4] <- NA
  expect_error(sg_undersample(df, "y", method = "cluster_centroids", seed = 2),
               class = "smoteguard_error_input", regexp = "cluster_centroids.*missing values")
})

test_that("cluster centroids pick the rows imbalanced-learn 0.10 picks for the same centroids", {
  skip_if_no_imblearn()
  for (s in 1:2) {
    df <- centroid_data(510 + s)
    centers <- ref_centroids(df, "a", 30, s)
    x <- as.matrix(df[c("x1", "x2")])
    out <- run_imblearn(x, as.integer(df$y == "b"), c(
      "from imblearn.under_sampling import ClusterCentroids",
      sprintf("C = np.array([%s]).reshape(-1, 2)",
              paste(sprintf("%.17g", t(centers)), collapse = ",")),
      # its hard voting on the same centroids, row by row
      "cc = ClusterCentroids(voting='hard'); cc.voting_ = 'hard'",
      "Xa, ya = cc._generate_sample(X[y == 0], y[y == 0], C, 0)",
      "np.savetxt(out, Xa, delimiter=',', fmt='%.17g')"))
    theirs <- match(paste(out[, 1], out[, 2]), paste(x[, 1], x[, 2]))
    rows <- which(df$y == "a")
    d <- vapply(seq_len(nrow(centers)), function(j) {
      sqrt(colSums((t(x[rows, , drop = FALSE]) - centers[j, ])^2))
    }, numeric(length(rows)))
    nearest <- rows[apply(d, 2, which.min)]
    # a centroid of a two-row cluster lies exactly between them: a tie that
    # scikit-learn's tree search breaks its own way; compared elsewhere
    clear <- apply(d, 2, function(v) diff(sort(v)[1:2]) > 1e-9)
    expect_gt(sum(clear), 15)
    expect_identical(theirs[clear], nearest[clear])
    # and those rows are kept (a row nearest to two centroids once:
    # imbalanced-learn keeps it twice)
    res <- sg_undersample(df, "y", method = "cluster_centroids", seed = s)
    kept <- setdiff(seq_len(nrow(df)), sg_record(res)$removed$row)
    expect_true(all(nearest[clear] %in% kept))
  }
})
