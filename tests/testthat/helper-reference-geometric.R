# Plain-R references for Geometric SMOTE and MWMOTE, written from
# vignette("definitions") (sections #geometric-smote and #mwmote) and the
# papers; no package internal is called here. Brute force on small data.

# The fidelity warning (a moved mean) is not what these tests judge.
quiet_fidelity <- function(expr) {
  withCallingHandlers(expr,
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
}

# Two classes, two numeric columns and a nominal one, with missing values
# in both kinds.
mixed_missing_data <- function(seed, n = 150) {
  set.seed(seed)
  df <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                   colour = factor(sample(c("red", "green", "blue"), n, TRUE)),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.75, 0.25))))
  df$x1[df$y == "b"] <- df$x1[df$y == "b"] + 1
  df$x2[c(3, 9, 40)] <- NA
  df$colour[c(5, 11)] <- NA
  df
}

# sg_oversample() on such data, its fidelity and shortfall warnings muffled.
oversample_mixed <- function(df, method, distance) {
  withCallingHandlers(
    sg_oversample(df, "y", method = method, seed = 2, distance = distance),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_shortfall = function(w) invokeRestart("muffleWarning"))
}

# ---------------------------------------------------------------------------
# Geometric SMOTE (Douzas and Bacao 2019, Algorithm 1)

# One row: seed `a` and surface `b` (vectors on the data's scale), `scale`
# the distance's scale (0: weight 0). Draws q normals, then one uniform, q
# the columns of positive weight observed in both; no draw when the radius
# is 0. Returns list(value, gap).
ref_geometric_row <- function(a, b, scale, truncation, deformation) {
  value <- ifelse(is.na(a), b, a)
  use <- scale > 0 & !is.na(a) & !is.na(b)
  q <- sum(use)
  dz <- (b[use] - a[use]) / scale[use]
  radius <- sqrt(sum(dz^2))
  if (q == 0 || radius == 0) return(list(value = value, gap = 0))
  e <- dz / radius
  # uniform in the unit hypersphere: a direction, then a radius U^(1/q)
  v <- stats::rnorm(q)
  point <- stats::runif(1)^(1 / q) * v / sqrt(sum(v^2))
  along <- sum(point * e)
  # truncation: reflect through the hyperplane orthogonal to e
  if ((truncation > 0 && along < truncation - 1) ||
      (truncation < 0 && along > truncation + 1)) {
    point <- point - 2 * along * e
    along <- -along
  }
  # deformation: shrink the orthogonal component
  point <- along * e + (1 - deformation) * (point - along * e)
  value[use] <- a[use] + radius * point * scale[use]
  list(value = value, gap = along)
}

ref_geometric_rows <- function(x, scale, parent, surface, truncation, deformation) {
  out <- matrix(NA_real_, length(parent), ncol(x))
  gap <- numeric(length(parent))
  for (s in seq_along(parent)) {
    r <- ref_geometric_row(x[parent[s], ], x[surface[s], ], scale, truncation, deformation)
    out[s, ] <- r$value
    gap[s] <- r$gap
  }
  list(values = out, gap = gap)
}

# Each synthetic row's position relative to its parent and surface point on
# the standardised scale `z` of the result's rows (`zr`: the synthetic rows
# standardised alike): radius R, the component along the direction in radii
# (`along`) and the length of the orthogonal part in radii (`across`).
ref_geometric_position <- function(z, zr, parent, surface) {
  d <- zr - z[parent, , drop = FALSE]
  v <- z[surface, , drop = FALSE] - z[parent, , drop = FALSE]
  R <- sqrt(rowSums(v^2))
  e <- v / R
  along <- rowSums(d * e) / R
  across <- sqrt(pmax(rowSums(d^2) / R^2 - along^2, 0))
  list(R = R, along = along, across = across, dist = sqrt(rowSums(d^2)))
}

# ---------------------------------------------------------------------------
# MWMOTE (Barua, Islam, Yao and Murase 2014, Algorithm 1)

# The sets and weights for class `cls` under distance D (n x n) with `l`
# columns: Sminf (logical over the class's rows), Sbmaj (data rows), the
# selection weight of each class row and the clusters (average linkage,
# merged while the closest pair is within Th = davg * Cp), written as the
# paper's loop, not through hclust().
ref_mwmote <- function(D, y, cls, k1 = 5, k2 = 3, share = 0.5, cutoff = 5,
                       cmax = 2, cp = 3, l) {
  y <- as.character(y)
  n <- length(y)
  smin <- which(y == cls)
  smaj <- which(y != cls)
  p <- length(smin)
  filtered <- vapply(smin, function(i) any(y[ref_nearest(D, i, seq_len(n), k1)] == cls), NA)
  sbmaj <- sort(unique(unlist(lapply(smin[filtered], function(i) ref_nearest(D, i, smaj, k2)))))
  k3 <- min(p, max(1, round(share * p)))
  weight <- numeric(p)
  closeness <- function(d) {
    dn <- d / l
    if (dn == 0) cmax else min(1 / dn, cutoff) / cutoff * cmax
  }
  for (yb in sbmaj) {
    nmin <- ref_nearest(D, yb, smin, k3)
    cf <- vapply(nmin, function(x) closeness(D[yb, x]), 0)
    iw <- cf * cf / sum(cf)
    weight[match(nmin, smin)] <- weight[match(nmin, smin)] + iw
  }
  f <- smin[filtered]
  davg <- mean(vapply(f, function(i) min(D[i, setdiff(f, i)]), 0))
  th <- davg * cp
  # average linkage: merge the closest pair of clusters while within th
  clusters <- as.list(smin)
  repeat {
    if (length(clusters) < 2) break
    best <- Inf
    for (a in seq_along(clusters)) for (b in seq_along(clusters)) {
      if (b <= a) next
      dab <- mean(D[clusters[[a]], clusters[[b]]])
      if (dab < best) { best <- dab; pair <- c(a, b) }
    }
    if (best > th) break
    clusters[[pair[1]]] <- c(clusters[[pair[1]]], clusters[[pair[2]]])
    clusters[[pair[2]]] <- NULL
  }
  cluster <- integer(p)
  for (g in seq_along(clusters)) cluster[match(clusters[[g]], smin)] <- g
  list(filtered = filtered, sbmaj = sbmaj, weight = weight, cluster = cluster,
       rows = smin, th = th)
}

# Whether two labellings of the same rows make the same partition.
same_partition <- function(a, b) {
  length(unique(a)) == length(unique(b)) &&
    length(unique(paste(a, b))) == length(unique(a))
}

# MWMOTE's draws of `need` rows for the class rows `rows` with selection
# weights `weight` and clusters `cluster` (all rows with positive weight
# and another row in their cluster are seeds): parents by weight (with
# replacement), then a partner uniformly among the other rows of the
# parent's cluster (in row order), then the gaps.
ref_mwmote_draws <- function(rows, weight, cluster, need) {
  partners <- vapply(seq_along(rows), function(i) sum(cluster == cluster[i]) - 1L, 0L)
  seeds <- which(weight > 0 & partners > 0)
  pick <- seeds[sample.int(length(seeds), need, replace = TRUE, prob = weight[seeds])]
  u <- stats::runif(need)
  neighbor <- vapply(seq_len(need), function(s) {
    i <- pick[s]
    cand <- setdiff(which(cluster == cluster[i]), i)
    rows[cand[floor(u[s] * length(cand)) + 1]]
  }, 0L)
  list(parent = rows[pick], neighbor = neighbor, gap = stats::runif(need))
}
