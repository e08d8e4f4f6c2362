#' @include registry.R method-tomek-enn.R
NULL

# Cleaners built on the 1-NN rule and on ENN: condensed nearest neighbours
# (Hart 1968), one-sided selection (Kubat and Matwin 1997) and the
# neighbourhood cleaning rule (Laurikkala 2001). All deterministic: where
# the papers (or imbalanced-learn) pick a random first row, we take the
# first row of the class in the data's order.

# The smallest class(es) and the larger ones, by row counts.
class_sizes <- function(yi) {
  counts <- tabulate(yi, max(yi))
  smallest <- min(counts[counts > 0])
  list(counts = counts, smallest = smallest,
       larger = which(counts > smallest), base = which(counts[yi] == smallest))
}

# Hart's condensing. The rows of `cand` are examined in order: a row whose
# nearest row in the store (ties to the earlier row) is of another class
# joins the store. Passes over `cand` repeat until one adds no row. Each
# row's nearest stored row is kept up to date as rows join, so a pass is one
# distance scan per row added (compiled for numeric predictors). Returns the
# rows of `cand` that joined.
condense <- function(pred, yi, store, cand, threads) {
  nn <- knn_rows(pred, sort(store), 1L, query = cand, threads = threads)
  near <- nn$index[, 1]
  dist <- nn$distance[, 1]
  if (!pred$mixed) {
    # the same loop compiled (src/condense.c), on the search's distances
    joined <- .Call(ffi_condense, pred$x, pred$center, pred$scale, as.integer(yi),
                    as.integer(cand), as.integer(near), as.numeric(dist), threads)
    return(cand[joined])
  }
  condense_in_r(pred, yi, cand, near, dist, threads)
}

# The condensing loop in R (mixed or incomplete predictors, whose distance
# the compiled loop does not compute): `near` and `dist` are each candidate's
# nearest stored row and its distance, updated as rows join.
condense_in_r <- function(pred, yi, cand, near, dist, threads) {
  joined <- rep(FALSE, length(cand))
  from <- 1L
  added <- FALSE
  repeat {
    wrong <- which(!joined & yi[near] != yi[cand] & seq_along(cand) >= from)
    if (length(wrong) == 0) {
      if (!added) break
      from <- 1L
      added <- FALSE
      next
    }
    j <- wrong[1]
    joined[j] <- TRUE
    added <- TRUE
    from <- j + 1L
    open <- which(!joined)
    if (length(open) == 0) break
    row <- cand[j]
    d <- knn_rows(pred, row, 1L, query = cand[open], threads = threads)$distance[, 1]
    closer <- d < dist[open] | (d == dist[open] & row < near[open])
    near[open[closer]] <- row
    dist[open[closer]] <- d[closer]
  }
  cand[joined]
}

# CNN. "larger": each larger class is condensed against the smallest
# class(es), its store starting with its first row (a single pass then
# suffices: a row that joins can only make more rows of its class right).
# "both": Hart's rule over every class, the store starting with row 1.
keep_cnn <- function(pred, yi, remove, neighbors, threads) {
  n <- length(yi)
  if (remove == "both") return(seq_len(n) %in% c(1L, condense(pred, yi, 1L, seq_len(n)[-1], threads)))
  cs <- class_sizes(yi)
  kept <- cs$base
  for (cl in cs$larger) {
    rows <- which(yi == cl)
    kept <- c(kept, rows[1], condense(pred, yi, c(cs$base, rows[1]), rows[-1], threads))
  }
  seq_len(n) %in% kept
}

# OSS, as Kubat and Matwin state it: each larger class keeps its first row
# and the rows that the 1-NN rule over (the smallest class(es) + that row)
# gets wrong, in one classification (not Hart's repeated passes); then
# Tomek links among the kept rows lose their member of the class larger in
# the input ("larger"), or both members ("both").
keep_oss <- function(pred, yi, remove, neighbors, threads) {
  cs <- class_sizes(yi)
  kept <- cs$base
  for (cl in cs$larger) {
    rows <- which(yi == cl)
    store <- sort(c(cs$base, rows[1]))
    near <- knn_rows(pred, store, 1L, query = rows[-1], threads = threads)$index[, 1]
    kept <- c(kept, rows[1], rows[-1][yi[near] != cl])
  }
  kept <- sort(kept)
  partner <- tomek_partner(pred, yi, kept, threads)
  seq_along(yi) %in% kept[!tomek_drop(kept, partner, yi, cs$counts, remove)]
}

# NCL: ENN's removals (A1), and the rows of the larger classes among the
# `neighbors` nearest rows of each row of the smallest class that its
# nearest rows misclassify (A2). Laurikkala cleans a class in A2 when it has
# at least half as many rows as the class of interest: every larger class.
keep_ncl <- function(pred, yi, remove, neighbors, threads) {
  n <- length(yi)
  cs <- class_sizes(yi)
  k <- min(neighbors, n - 1L)
  drop <- enn_drop(pred, yi, seq_len(n), remove, k, threads)
  vote <- enn_vote(pred, yi, seq_len(n), k, threads, query = cs$base)
  around <- unique(as.vector(vote$index[vote$wrong, , drop = FALSE]))
  drop[around[cs$counts[yi[around]] > cs$smallest]] <- TRUE
  !drop
}

register_method(new_sampler_method(
  name = "cnn", family = "clean", rank = 3,
  title = "Condensed nearest neighbours: keeps the rows the 1-NN rule needs to classify the rest",
  reference = "Hart (1968), IEEE Trans Inf Theory 14",
  select = keep_cnn
))

register_method(new_sampler_method(
  name = "oss", family = "clean", rank = 4,
  title = "One-sided selection: the rows a 1-NN rule gets wrong, then Tomek links removed",
  reference = "Kubat and Matwin (1997), ICML",
  select = keep_oss
))

register_method(new_sampler_method(
  name = "ncl", family = "clean", rank = 5,
  title = "Neighbourhood cleaning rule: ENN, and the larger classes' rows around misclassified rows of the smallest class",
  reference = "Laurikkala (2001), AIME, LNCS 2101",
  params = list(neighbors = clean_neighbors_param),
  select = keep_ncl
))
