#' @include registry.R generate.R
NULL

# MWMOTE (Barua, Islam, Yao and Murase 2014). For the class being raised
# (its rows Smin) against every other class (the "majority"):
# 1. Sminf: the rows with at least one row of the class among their
#    `noise_neighbors` (k1) nearest rows of the whole data.
# 2. Sbmaj: the union of the `border_neighbors` (k2) nearest rows of other
#    classes of each Sminf row.
# 3. Simin: the union of the k3 = round(inform_share * |Smin|) nearest rows
#    of the class of each Sbmaj row.
# 4. Information weight of x in Nmin(y): Iw = Cf * Df, the closeness
#    Cf = min(1 / dn, Cf(th)) / Cf(th) * CMAX (dn = distance / columns;
#    CMAX where dn = 0) and the density Df = Cf / (sum of Cf(y, .) over
#    Nmin(y)); the selection weight of x is the sum of its Iw over Sbmaj.
# 5. Clusters of Smin by average linkage, merged while the closest pair of
#    clusters is within Th = davg * Cp (davg: Sminf's mean distance from a
#    row to its nearest other Sminf row).
# 6. Each new row: a parent drawn with probability proportional to its
#    weight, a partner drawn uniformly among the other rows of its cluster
#    (not of its group), gap uniform in [0, 1].
# See vignette("definitions"), #mwmote.

# The closeness factor Cf for distances `dist` with `l` columns.
mwmote_closeness <- function(dist, l, cutoff, cmax) {
  dn <- dist / l
  out <- pmin(1 / dn, cutoff) / cutoff * cmax
  out[dn == 0] <- cmax
  out
}

# Each row of the class's selection weight: the sum of its information
# weights over the borderline rows of other classes (0 outside Simin).
mwmote_weights <- function(ctx, informative) {
  st <- ctx$settings
  pred <- ctx$pred
  p <- length(ctx$rows)
  l <- max(1, sum(pred$scale > 0) + length(pred$nominal))
  cf <- mwmote_closeness(informative$distance, l, st$closeness_cutoff, st$closeness_max)
  cf <- matrix(cf, nrow = nrow(informative$index))
  total <- rowSums(cf)
  iw <- cf * cf / ifelse(total > 0, total, 1)
  sums <- rowsum(as.vector(iw), match(as.vector(informative$index), ctx$rows))
  w <- numeric(p)
  w[as.integer(rownames(sums))] <- sums[, 1]
  w
}

# Average-linkage clusters of the class's rows, cut at Th = davg * Cp.
mwmote_clusters <- function(ctx, filtered) {
  st <- ctx$settings
  pred <- ctx$pred
  rows <- ctx$rows
  p <- length(rows)
  cls <- ctx$yi[rows[1]]
  # davg: each Sminf row's distance to its nearest other Sminf row (the
  # whole class when Sminf has fewer than two rows)
  f <- if (sum(filtered) >= 2) rows[filtered] else rows
  davg <- mean(knn_rows(pred, f, 1L, threads = st$threads, cls = cls)$distance[, 1])
  th <- davg * st$cluster_spread
  check_result_size(as.numeric(p) * (p - 1) / 2, "MWMOTE's distances between the class's rows",
                    bytes = 24, hint = "MWMOTE clusters the class by average linkage, which needs every distance between its rows; use a method that does not, such as \"smote\" or \"kmeans_smote\".")
  D <- if (!pred$mixed) {
    stats::dist(standardized(pred, pred$x[rows, , drop = FALSE]))
  } else {
    # the mixed distance (nominal columns, missing values, Gower) through
    # the search: every row's p - 1 neighbours
    nn <- knn_rows(pred, rows, p - 1L, threads = st$threads, cls = cls)
    m <- matrix(0, p, p)
    m[cbind(rep(seq_len(p), p - 1L), match(nn$index, rows))] <- as.vector(nn$distance)
    # rows sharing no observed column: far apart (never merged directly)
    finite <- is.finite(m)
    if (!all(finite)) m[!finite] <- 2 * max(c(m[finite], th, 1))
    stats::as.dist(m)
  }
  stats::cutree(stats::hclust(D, method = "average"), h = th)
}

# For each row of the class, where its partners sit in `order` (the rows
# sorted by cluster, then group): the cluster's block [from, to) without
# the row's own group's block [skip_from, skip_to).
mwmote_partners <- function(cluster, group) {
  p <- length(cluster)
  # a row of no group is a group of its own
  g <- if (is.null(group)) seq_len(p) else ifelse(is.na(group), -seq_len(p), group)
  ord <- order(cluster, g, seq_len(p))
  at <- integer(p)
  at[ord] <- seq_len(p)
  cs <- cluster[ord]
  gs <- paste(cs, g[ord])
  from <- match(cs, cs)[at]
  to <- (length(cs) + 1L - match(cs, rev(cs)) + 1L)[at]
  skip_from <- match(gs, gs)[at]
  skip_to <- (length(gs) + 1L - match(gs, rev(gs)) + 1L)[at]
  list(order = ord, from = from, to = to, skip_from = skip_from, skip_to = skip_to,
       count = (to - from) - (skip_to - skip_from))
}

seeds_mwmote <- function(ctx) {
  st <- ctx$settings
  rows <- ctx$rows
  p <- length(rows)
  cls <- ctx$yi[rows[1]]
  other <- which(ctx$yi != cls)
  filtered <- rowSums(!ctx$other(st$noise_neighbors)) > 0
  informative <- NULL
  weight <- numeric(p)
  if (any(filtered)) {
    border <- knn_rows(ctx$pred, other, min(st$border_neighbors, length(other)),
                       query = rows[filtered], threads = st$threads, cls = cls)
    sbmaj <- unique(as.vector(border$index[is.finite(border$distance)]))
    if (length(sbmaj) > 0) {
      k3 <- min(p, max(1L, round(st$inform_share * p)))
      informative <- knn_rows(ctx$pred, rows, k3, query = sbmaj, threads = st$threads,
                              cls = cls)
      weight <- mwmote_weights(ctx, informative)
    }
  }
  cluster <- mwmote_clusters(ctx, filtered)
  grp <- st$group_codes
  partners <- mwmote_partners(cluster, if (!is.null(grp)) grp[rows])
  list(eligible = weight > 0 & partners$count > 0, note = NULL,
       danger = NA, noise = sum(!filtered), safe = NA,
       state = c(list(weight = weight, cluster = cluster, filtered = filtered),
                 partners))
}

# Parents by their selection weights (with replacement), each with a
# partner drawn among the other rows of its cluster, gap uniform in [0, 1].
draw_mwmote <- function(ctx, at, within_at, need, state) {
  pick <- sample.int(length(at), need, replace = TRUE, prob = state$weight[at])
  i <- at[pick]
  j <- floor(stats::runif(need) * state$count[i])
  before <- state$skip_from[i] - state$from[i]
  k <- ifelse(j < before, state$from[i] + j, state$skip_to[i] + (j - before))
  list(parent = pick, neighbor = ctx$rows[state$order[k]], gap = stats::runif(need))
}

register_method(new_sampler_method(
  name = "mwmote", family = "interpolate", rank = 10,
  title = "MWMOTE: parents weighted by closeness to the borderline rows of other classes, partners within average-linkage clusters",
  reference = "Barua, Islam, Yao and Murase (2014), IEEE TKDE 26",
  params = list(
    noise_neighbors = param_count(
      5, "nearest rows of the whole data (k1): a row with none of its class among them is noise"),
    border_neighbors = param_count(
      3, "nearest rows of other classes of each non-noise row (k2): the borderline rows"),
    inform_share = sampler_param(
      0.5, function(x, arg, call) check_between(x, arg, 0, 1, open_lower = TRUE, call = call),
      "k3 as a share of the class: each borderline row's k3 nearest class rows are informative"),
    closeness_cutoff = sampler_param(
      5, function(x, arg, call) check_between(x, arg, 0, Inf, open_lower = TRUE, call = call),
      "the closeness factor's cut-off Cf(th)"),
    closeness_max = sampler_param(
      2, function(x, arg, call) check_between(x, arg, 0, Inf, open_lower = TRUE, call = call),
      "the closeness factor's largest value CMAX"),
    cluster_spread = sampler_param(
      3, function(x, arg, call) check_between(x, arg, 0, Inf, open_lower = TRUE, call = call),
      "Cp: clusters merge while within Cp times the mean nearest-row distance")),
  seeks_boundary = TRUE,
  whole_neighbors = function(settings) settings$noise_neighbors,
  seeds = seeds_mwmote, draw = draw_mwmote
))
