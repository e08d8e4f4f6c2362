#' @include registry.R method-svm-smote.R method-kmeans-smote.R
NULL

# Cluster centroids, as the real rows nearest the centroids (Lin, Tsai,
# Hu and Jhang 2017; imbalanced-learn's "hard" voting): k-means (stats::kmeans,
# Hartigan-Wong, from the random stream) splits a larger class's rows into
# as many clusters as the class keeps rows, on the standardised predictors
# of the whole data (nominal columns as 0/1 indicators); each centroid
# keeps its nearest row of the class (ties to the earlier row). Where
# several centroids share a nearest row, the first (in k-means' numbering)
# keeps it and each other takes its nearest row that no centroid took.
select_cluster_centroids <- function(ctx, rows, size) {
  x <- design_matrix(ctx$pred, "cluster_centroids", "k-means")[rows, , drop = FALSE]
  first <- which(!duplicated(x))
  if (size >= length(first)) {
    # no more distinct rows than the target: each distinct row once, the
    # rest drawn at random among the repeats
    more <- setdiff(seq_along(rows), first)
    return(sort(rows[c(first, more[sample.int(length(more), size - length(first))])]))
  }
  centers <- kmeans_fit(x, size)$centers
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
