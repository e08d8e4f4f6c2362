#' @include registry.R generate.R method-svm-smote.R
NULL

# KMeans-SMOTE (Douzas, Bacao and Last 2018). k-means (stats::kmeans,
# Hartigan-Wong, from the random stream, so a seed fixes it) clusters every
# row of the data into `clusters` groups on the standardised predictors
# (nominal columns as 0/1 indicators). A cluster is kept for a class when it
# holds at least two of the class's rows and its imbalance ratio
# (other rows + 1) / (class rows + 1) is below `imbalance_threshold`. Each
# kept cluster's sparsity is m^d / c, with c its class rows, m their mean
# pairwise Euclidean distance and d the number of columns clustered; the new
# rows are shared out in proportion to the sparsity (largest remainders),
# and within each cluster SMOTE pairs a parent with one of its `neighbors`
# nearest class rows of the same cluster, parents taking turns.

kmeans_clusters <- function(x, clusters) {
  if (clusters > nrow(unique(x))) {
    sg_abort(c(sprintf("Method \"kmeans_smote\" asks for `clusters` = %d, but the data have only %d distinct rows.",
                       clusters, nrow(unique(x))),
               "Lower `clusters`."), class = "input")
  }
  kmeans_fit(x, clusters)$cluster
}

# k-means (Hartigan-Wong, at most 100 iterations) started from `k` distinct
# rows drawn at random (stats::kmeans() draws from all rows, so repeated
# rows, common in clinical data, can start two centres at one point and
# stop it). With no repeated rows the draw is stats::kmeans()'s own.
kmeans_fit <- function(x, k) {
  u <- unique(x)
  stats::kmeans(x, centers = u[sample.int(nrow(u), k), , drop = FALSE], iter.max = 100)
}

# Mean pairwise Euclidean distance among the rows of x, to the power d,
# divided by the number of rows. The mean is mean(stats::dist(x)) to the
# bit, computed in C without storing the m^2 / 2 distances.
cluster_sparsity <- function(x, d, threads = NA_integer_) {
  storage.mode(x) <- "double"
  m <- .Call(ffi_pair_mean, x, threads)
  m^d / nrow(x)
}

seeds_kmeans_smote <- function(ctx) {
  st <- ctx$settings
  x <- design_matrix(ctx$pred, "kmeans_smote", "k-means")
  cl <- kmeans_clusters(x, st$clusters)
  rows <- ctx$rows
  own <- cl[rows]
  n_class <- tabulate(own, st$clusters)
  n_other <- tabulate(cl, st$clusters) - n_class
  ratio <- (n_other + 1) / (n_class + 1)
  kept <- which(n_class >= 2 & ratio < st$imbalance_threshold)
  if (length(kept) == 0) {
    code <- ctx$yi[rows[1]]
    label <- names(ctx$pred$penalty)[code]
    if (is.null(label)) label <- code
    sg_abort(c(sprintf("KMeans-SMOTE found no cluster for class `%s` with at least 2 of its rows and an imbalance ratio (other rows + 1) / (its rows + 1) below `imbalance_threshold` = %s.",
                       label, format(st$imbalance_threshold)),
               sprintf("The lowest ratio among its %d clusters is %s: raise `imbalance_threshold` above it, or change `clusters` (now %d).",
                       st$clusters, format(signif(min(ratio[n_class >= 2], Inf), 3)), st$clusters)),
             class = "no_cluster")
  }
  sparsity <- vapply(kept, function(f) cluster_sparsity(x[rows[own == f], , drop = FALSE], ncol(x),
                                                                     st$threads), 0)
  if (!any(sparsity > 0)) sparsity[] <- 1
  # each row's neighbours among its cluster's class rows (NA beyond them,
  # or of its own group)
  p <- length(rows)
  within <- matrix(NA_integer_, p, st$neighbors)
  for (f in kept) {
    at <- which(own == f)
    k <- min(st$neighbors, length(at) - 1L)
    nn <- knn_rows(ctx$pred, rows[at], k, threads = st$threads)$index
    within[at, seq_len(k)] <- nn
  }
  grp <- st$group_codes
  if (!is.null(grp)) {
    same <- matrix(grp[within] == rep(grp[rows], ncol(within)), p)
    within[same %in% TRUE] <- NA_integer_
  }
  usable <- own %in% kept & rowSums(!is.na(within)) > 0
  list(eligible = usable, note = NULL, danger = NA, noise = NA, safe = NA,
       state = list(cluster = own, kept = kept, weight = sparsity / sum(sparsity),
                    within = within))
}

# `need` rows shared out over the clusters by weight: floors, then one each
# to the largest remainders (ties to the earlier cluster).
share_out <- function(weight, need) {
  raw <- need * weight / sum(weight)
  n <- floor(raw)
  left <- need - sum(n)
  if (left > 0) {
    extra <- order(-(raw - n), seq_along(raw))[seq_len(left)]
    n[extra] <- n[extra] + 1
  }
  n
}

draw_kmeans_smote <- function(ctx, at, within_at, need, state) {
  clusters <- state$kept[state$kept %in% state$cluster[at]]
  counts <- share_out(state$weight[match(clusters, state$kept)], need)
  parts <- lapply(seq_along(clusters), function(j) {
    pos <- which(state$cluster[at] == clusters[j])
    if (counts[j] == 0) return(NULL)
    d <- .Call(ffi_draw_cycle, state$within[at[pos], , drop = FALSE],
               as.numeric(counts[j]), NULL, 0)
    d$parent <- pos[d$parent]
    d
  })
  parts <- parts[!vapply(parts, is.null, NA)]
  list(parent = unlist(lapply(parts, `[[`, "parent")),
       neighbor = unlist(lapply(parts, `[[`, "neighbor")),
       gap = unlist(lapply(parts, `[[`, "gap")))
}

register_method(new_sampler_method(
  name = "kmeans_smote", family = "interpolate", rank = 8,
  title = "KMeans-SMOTE: SMOTE within the k-means clusters where the class is frequent, more rows where it is sparse",
  reference = "Douzas, Bacao and Last (2018), Information Sciences 465",
  params = list(
    clusters = param_count(8, "k-means clusters of the whole data",
                           tune = list(pkg = "dials", fun = "num_clusters", range = c(2, 20))),
    imbalance_threshold = param_number(
      1, "a cluster is kept when (other rows + 1) / (class rows + 1) is below it")),
  seeds = seeds_kmeans_smote, draw = draw_kmeans_smote
))
