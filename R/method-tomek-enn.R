#' @include registry.R
NULL

# Cleaners: `select(pred, yi, remove, neighbors, threads)` returns, per row,
# whether it stays. `remove = "larger"` removes rows of the larger classes
# only, `"both"` rows of every class.

# Tomek links (Tomek 1976): two rows of different classes, each the other's
# nearest row.
keep_tomek <- function(pred, yi, remove, neighbors, threads) {
  rows <- seq_along(yi)
  partner <- tomek_partner(pred, yi, rows, threads)
  !tomek_drop(rows, partner, yi, tabulate(yi, max(yi)), remove)
}

# Tomek links among `rows` only: per row of `rows`, the row it is linked
# with, or NA.
tomek_partner <- function(pred, yi, rows, threads) {
  nearest <- knn_rows(pred, rows, 1L, threads = threads)$index[, 1]
  pos <- match(nearest, rows)
  linked <- rows[pos[pos]] == rows & yi[rows] != yi[nearest]
  ifelse(linked, nearest, NA_integer_)
}

# Which linked rows go: both members, or the member whose class has more
# rows in `counts` (neither when the two classes are as large).
tomek_drop <- function(rows, partner, yi, counts, remove) {
  linked <- !is.na(partner)
  if (remove == "both") return(linked)
  # (an unlinked row's partner is NA: FALSE & NA is FALSE)
  linked & counts[yi[rows]] > counts[yi[partner]]
}

# The vote of each of `query`'s `k` nearest rows among `ref`: `wrong` when
# the single most frequent class among them (no tie) is not the row's own;
# `index` the nearest rows.
enn_vote <- function(pred, yi, ref, k, threads, query = NULL) {
  nn <- knn_rows(pred, ref, k, query = query, threads = threads)$index
  if (is.null(query)) query <- ref
  m <- length(query)
  votes <- vapply(seq_len(max(yi)), function(cl) rowSums(matrix(yi[nn] == cl, m)),
                  numeric(m))
  votes <- matrix(votes, nrow = m)
  top <- apply(votes, 1, max)
  winners <- rowSums(votes == top)
  mode <- max.col(votes, ties.method = "first")
  list(wrong = winners == 1 & mode != yi[query], index = nn)
}

# Edited nearest neighbours (Wilson 1972) among `rows`: per row of `rows`,
# whether it goes (its vote is wrong, and its class is not the smallest
# among `rows` unless `remove = "both"`).
enn_drop <- function(pred, yi, rows, remove, neighbors, threads) {
  counts <- tabulate(yi[rows], max(yi))
  k <- min(neighbors, length(rows) - 1L)
  wrong <- enn_vote(pred, yi, rows, k, threads)$wrong
  eligible <- remove == "both" | counts[yi[rows]] > min(counts[counts > 0])
  wrong & eligible
}

keep_enn <- function(pred, yi, remove, neighbors, threads) {
  !enn_drop(pred, yi, seq_along(yi), remove, neighbors, threads)
}

# ENN passes over the rows left by the previous pass, one per value of
# `ks`: Repeated ENN (the same k until a pass removes nothing) and AllKNN
# (k = 1, 2, ..., neighbors), both from Tomek (1976). As imbalanced-learn
# does, the passes also stop after one that leaves a larger class with
# fewer rows than the smallest class had, or a class with none.
keep_enn_passes <- function(pred, yi, remove, ks, until_stable, threads) {
  counts <- tabulate(yi, max(yi))
  smallest <- min(counts[counts > 0])
  larger <- counts > smallest
  rows <- seq_along(yi)
  for (k in ks) {
    if (length(rows) < 2) break
    drop <- enn_drop(pred, yi, rows, remove, k, threads)
    rows <- rows[!drop]
    if (until_stable && !any(drop)) break
    now <- tabulate(yi[rows], max(yi))
    if (any(now[larger] < smallest) || any(now[counts > 0] == 0)) break
  }
  seq_along(yi) %in% rows
}

# imbalanced-learn's default (and ours): at most 100 passes.
renn_max_passes <- 100L

keep_renn <- function(pred, yi, remove, neighbors, threads) {
  keep_enn_passes(pred, yi, remove, rep(neighbors, renn_max_passes), TRUE, threads)
}

keep_allknn <- function(pred, yi, remove, neighbors, threads) {
  keep_enn_passes(pred, yi, remove, seq_len(neighbors), FALSE, threads)
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

register_method(new_sampler_method(
  name = "renn", family = "clean", rank = 6,
  title = "Repeated ENN: ENN on the rows left by the last pass, until a pass removes nothing",
  reference = "Tomek (1976), IEEE Trans Syst Man Cybern 6 (448-452)",
  params = list(neighbors = clean_neighbors_param),
  select = keep_renn
))

register_method(new_sampler_method(
  name = "allknn", family = "clean", rank = 7,
  title = "AllKNN: ENN passes with 1, 2, ..., neighbors nearest rows, each on the rows left",
  reference = "Tomek (1976), IEEE Trans Syst Man Cybern 6 (448-452)",
  params = list(neighbors = clean_neighbors_param),
  select = keep_allknn
))
