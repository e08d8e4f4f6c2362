#' @include registry.R method-svm-smote.R method-kmeans-smote.R
NULL

# Cluster centroids, as the real rows nearest the centroids (Lin, Tsai,
# Hu and Jhang 2017; imbalanced-learn's "hard" voting): k-means (Lloyd's
# iterations, kmeans_lloyd(), from distinct rows drawn from the random
# stream) splits a larger class's rows into as many clusters as the class
# keeps rows, on the standardised predictors of the whole data (nominal
# columns as 0/1 indicators); each centroid keeps its nearest row of the
# class (ties to the earlier row). Where several centroids share a nearest
# row, the first (in k-means' numbering) keeps it and each other takes its
# nearest row that no centroid took.
select_cluster_centroids <- function(ctx, rows, size) {
  x <- design_matrix(ctx$pred, "cluster_centroids", "k-means")[rows, , drop = FALSE]
  first <- which(!duplicated(x))
  if (size >= length(first)) {
    # no more distinct rows than the target: each distinct row once, the
    # rest drawn at random among the repeats
    more <- setdiff(seq_along(rows), first)
    return(sort(rows[c(first, more[sample.int(length(more), size - length(first))])]))
  }
  # the start: kmeans_fit()'s draw of distinct rows (x[first, ] is unique(x))
  start <- x[first[sample.int(length(first), size)], , drop = FALSE]
  centers <- kmeans_lloyd(x, start, threads = ctx$threads)$centers
  k <- min(length(rows), 10L)
  near <- .Call(ffi_knn_search, x, centers, k, NULL, NULL, ctx$threads, NULL, FALSE)$index
  chosen <- near[, 1]
  # a row nearest to several centroids goes to the first; the others take
  # their next nearest free row (few: a loop over them only)
  for (j in which(duplicated(chosen))) {
    free <- setdiff(near[j, ], chosen[-j])
    chosen[j] <- if (length(free) > 0) free[1] else nearest_free(x, centers[j, ], chosen[-j])
  }
  sort(rows[chosen])
}

# k-means by Lloyd's iterations from the centres `centers`: each row joins
# its nearest centre, each centre moves to the mean of its rows, until no
# row changes centre or after `iter_max` assignments (then the centres of
# the last one). The iterations of stats::kmeans(x, centers, iter.max =
# iter_max, algorithm = "Lloyd"), but the assignment, all the work with the
# thousands of centres cluster centroids asks for, is the package's exact
# k-NN search (k = 1 among the centres; equal distances to the earlier
# centre, as there), which screens the centres in blocks on all threads
# where stats scans every centre for every row in one. (Hartigan-Wong,
# stats::kmeans' default, had not finished after 600 s at 100,000 rows and
# 20,000 centres.) One difference: a centre left without rows stays where
# it was (stats gives it NaN).
kmeans_lloyd <- function(x, centers, iter_max = 100L, threads = NA_integer_) {
  cluster <- integer(nrow(x))
  iter <- 0L
  while (iter < iter_max) {
    iter <- iter + 1L
    near <- .Call(ffi_knn_search, centers, x, 1L, NULL, NULL, threads, NULL, FALSE)$index[, 1]
    if (identical(near, cluster)) break
    cluster <- near
    # sums in row order, then divided by the counts, as stats' Lloyd
    used <- sort(unique(cluster))
    centers[used, ] <- rowsum(x, cluster, reorder = TRUE) / tabulate(cluster, nrow(centers))[used]
  }
  list(cluster = cluster, centers = centers, iter = iter)
}

# The nearest row of x to `center` among those not in `taken`.
nearest_free <- function(x, center, taken) {
  d <- colSums((t(x) - center)^2)
  d[taken] <- Inf
  which.min(d)
}

register_method(new_sampler_method(
  name = "cluster_centroids", family = "undersample", rank = 5,
  title = "Cluster centroids: keeps the row nearest each k-means centroid of the class",
  reference = "Lin, Tsai, Hu and Jhang (2017), Information Sciences 409-410",
  select = select_cluster_centroids
))
