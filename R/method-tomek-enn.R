#' @include registry.R
NULL

# Cleaners: `select(pred, yi, remove, neighbors, threads)` returns, per row,
# whether it stays. `remove = "larger"` removes rows of the larger classes
# only, `"both"` rows of every class.

# Tomek links (Tomek 1976): two rows of different classes, each the other's
# nearest row.
keep_tomek <- function(pred, yi, remove, neighbors, threads) {
  n <- length(yi)
  counts <- tabulate(yi, max(yi))
  nearest <- knn_rows(pred, seq_len(n), 1L, threads = threads)$index[, 1]
  linked <- nearest[nearest] == seq_len(n) & yi != yi[nearest]
  drop <- if (remove == "both") linked
          else linked & counts[yi] > counts[yi[nearest]]
  !drop
}

# Edited nearest neighbours (Wilson 1972): a row goes when the single most
# frequent class among its `neighbors` nearest rows (no tie) is another.
keep_enn <- function(pred, yi, remove, neighbors, threads) {
  n <- length(yi)
  counts <- tabulate(yi, max(yi))
  nn <- knn_rows(pred, seq_len(n), neighbors, threads = threads)$index
  votes <- vapply(seq_along(counts), function(cl) rowSums(matrix(yi[nn] == cl, n)),
                  numeric(n))
  votes <- matrix(votes, nrow = n)
  top <- apply(votes, 1, max)
  winners <- rowSums(votes == top)
  mode <- max.col(votes, ties.method = "first")
  wrong <- winners == 1 & mode != yi
  eligible <- if (remove == "both") rep(TRUE, n)
              else counts[yi] > min(counts[counts > 0])
  !(wrong & eligible)
}

clean_neighbors_param <- param_count(
  3, "nearest rows whose vote decides",
  tune = list(pkg = "dials", fun = "neighbors", range = c(1, 10)))

register_method(new_sampler_method(
  name = "tomek", family = "clean", rank = 1,
  title = "Tomek links: removes pairs of rows of different classes that are each other's nearest row",
  reference = "Tomek (1976), IEEE Trans Syst Man Cybern 6",
  select = keep_tomek
))

register_method(new_sampler_method(
  name = "enn", family = "clean", rank = 2,
  title = "Edited nearest neighbours: removes rows whose nearest rows mostly belong to another class",
  reference = "Wilson (1972), IEEE Trans Syst Man Cybern 2",
  params = list(neighbors = clean_neighbors_param),
  select = keep_enn
))
