# Plain-R references and data builders shared by the test files.
#
# The references are deliberately naive (a loop over query rows, a loop over
# columns) so that they are easy to trust. The squared distance is summed
# column by column in the natural order, one R operation at a time, which is
# the order the C kernel uses: on the same inputs both give the same bits, so
# index matrices can be compared exactly even when distances tie.

# Brute-force k nearest neighbours, each row ordered by (distance, index).
# With `query = NULL`, neighbours of each row of `x` among the other rows
# (only for the rows `rows`, if given, to keep big cases fast).
ref_knn <- function(x, k, query = NULL, rows = NULL) {
  x <- as.matrix(x)
  storage.mode(x) <- "double"
  self <- is.null(query)
  if (self) {
    q <- x
  } else {
    q <- as.matrix(query)
    storage.mode(q) <- "double"
  }
  n <- nrow(x)
  if (is.null(rows)) rows <- seq_len(nrow(q))
  m <- length(rows)
  index <- matrix(NA_integer_, m, k)
  distance <- matrix(NA_real_, m, k)
  for (r in seq_len(m)) {
    i <- rows[r]
    d2 <- numeric(n)
    for (j in seq_len(ncol(x))) d2 <- d2 + (x[, j] - q[i, j])^2
    cand <- seq_len(n)
    if (self) cand <- cand[-i]
    best <- cand[order(d2[cand], cand)][seq_len(k)]
    index[r, ] <- best
    distance[r, ] <- sqrt(d2[best])
  }
  list(index = index, distance = distance)
}

# The rows `rows` of a neighbour result.
knn_rows_of <- function(nn, rows) {
  list(index = nn$index[rows, , drop = FALSE],
       distance = nn$distance[rows, , drop = FALSE])
}

# Predictors standardised as vignette("definitions"), section #scale,
# says: centred and scaled by the
# mean and standard deviation of all rows; a constant column gets weight 0
# (it is dropped).
ref_standardise <- function(data, var) {
  x <- as.matrix(data[setdiff(names(data), var)])
  storage.mode(x) <- "double"
  center <- colMeans(x)
  scale <- apply(x, 2, stats::sd)
  keep <- scale > 0
  z <- sweep(sweep(x[, keep, drop = FALSE], 2, center[keep]), 2, scale[keep], "/")
  list(z = z, center = center, scale = ifelse(keep, scale, 0))
}

# Euclidean distance between rows i and j of z.
row_dist <- function(z, i, j) sqrt(rowSums((z[i, , drop = FALSE] - z[j, , drop = FALSE])^2))

# Random classed data: numeric predictors x1..xd (double, or integer where
# named in `integer`), outcome `y` a factor with the levels names(counts)
# (plus `extra_levels`, unused). Classes are interleaved by drawing the
# labels in random order, so the data frame keeps automatic row names.
sim_classes <- function(counts, d = 3, seed = 1, integer = character(0),
                        extra_levels = character(0), shift = 1) {
  withr::with_seed(seed, {
    labels <- sample(rep(names(counts), counts))
    n <- length(labels)
    centre <- match(labels, names(counts)) * shift
    cols <- lapply(seq_len(d), function(j) stats::rnorm(n, mean = centre, sd = 1))
    names(cols) <- paste0("x", seq_len(d))
    for (nm in integer) cols[[nm]] <- as.integer(round(cols[[nm]] * 10))
    df <- as.data.frame(cols)
    df$y <- factor(labels, levels = c(names(counts), extra_levels))
    df
  })
}

# Plain SMOTE as vignette("definitions"), section #smote, defines it.
# Where the installed version has a
# guard (on by default, it filters and jitters candidates), switch it off.
sg_plain <- function(data, var, ...) {
  if ("guard" %in% names(formals(sg_oversample))) {
    sg_oversample(data, var, ..., guard = NULL)
  } else {
    sg_oversample(data, var, ...)
  }
}

# A result without its record, for comparing data only.
strip_record <- function(x) {
  attr(x, "smoteguard") <- NULL
  x
}

# A deep copy that shares no memory with `x` (no rlang needed).
deep_copy <- function(x) unserialize(serialize(x, NULL))

# Check every SMOTE property of one result against the plain-R reference:
# original rows untouched, provenance consistent, interpolation exact,
# neighbours among the parent's k nearest same-class rows on the standardised
# predictors, gaps in [0, 1], parents used as evenly as possible.
expect_smote_result <- function(result, data, var, neighbors = 5) {
  n <- nrow(data)
  prov <- sg_provenance(result)
  rec <- sg_record(result)
  G <- nrow(prov)
  expect_identical(nrow(result), n + G)

  # the input rows, first and unchanged (values, types, row names)
  head_rows <- strip_record(result[seq_len(n), , drop = FALSE])
  expect_identical(head_rows, data)

  # provenance rows are the appended rows, in order
  expect_identical(prov$row, n + seq_len(G))
  expect_true(all(prov$parent >= 1 & prov$parent <= n))
  y <- as.character(data[[var]])
  expect_identical(as.character(prov$class), y[prov$parent])
  expect_identical(as.character(result[[var]][prov$row]), y[prov$parent])

  copy <- is.na(prov$neighbor)
  inter <- !copy
  expect_identical(is.na(prov$gap), copy)
  expect_true(all(prov$gap[inter] >= 0 & prov$gap[inter] <= 1))
  expect_identical(y[prov$neighbor[inter]], y[prov$parent[inter]])
  expect_true(all(prov$neighbor[inter] != prov$parent[inter]))

  # the values: parent + gap * (neighbor - parent), integers rounded
  preds <- setdiff(names(data), var)
  for (col in preds) {
    v <- data[[col]]
    pa <- as.double(v[prov$parent])
    nb <- as.double(v[ifelse(copy, prov$parent, prov$neighbor)])
    g <- ifelse(copy, 0, prov$gap)
    want <- pa + g * (nb - pa)
    got <- result[[col]][prov$row]
    if (is.integer(v)) {
      expect_type(got, "integer")
      expect_identical(got, as.integer(round(want)), label = col)
    } else {
      expect_type(got, "double")
      expect_equal(got, want, tolerance = 1e-12, label = col)
    }
  }

  # the record's centre and scale are those of all rows
  st <- ref_standardise(data, var)
  expect_equal(unname(rec$center), unname(st$center), tolerance = 1e-12)
  expect_equal(unname(rec$scale), unname(st$scale), tolerance = 1e-12)

  # each neighbour is among its parent's k nearest rows of its class: fewer
  # than k rows of the class are strictly nearer to the parent (robust to
  # ties, which integer data has many of)
  nearer <- rep(NA_integer_, G)
  allowed <- rep(NA_integer_, G)
  for (i in which(inter)) {
    pa <- prov$parent[i]
    rows <- which(y == y[pa])
    others <- rows[rows != pa]
    d_all <- row_dist(st$z, rep(pa, length(others)), others)
    d_nb <- row_dist(st$z, pa, prov$neighbor[i])
    nearer[i] <- sum(d_all < d_nb * (1 - 1e-12))
    allowed[i] <- min(neighbors, length(rows) - 1L)
  }
  far <- which(inter & nearer >= allowed)
  expect_identical(far, integer(0),
                   label = "synthetic rows whose neighbour is not among the k nearest")

  # parents: each row of a class used floor or ceiling of G_c / p_c times
  for (cl in unique(y[prov$parent])) {
    rows <- which(y == cl)
    Gc <- sum(y[prov$parent] == cl)
    uses <- tabulate(match(prov$parent[y[prov$parent] == cl], rows), length(rows))
    expect_true(all(uses %in% c(floor(Gc / length(rows)), ceiling(Gc / length(rows)))))
  }
  invisible(prov)
}
