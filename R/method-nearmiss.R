#' @include registry.R
NULL

# Under-samplers: `select(ctx, rows, size)` returns the rows of a larger
# class to keep (`size` of them; NearMiss-3 may find fewer). `ctx` holds
# pred, the smallest class's rows (`minority`), `kk` = min(neighbors, its
# size), `neighbors` and `threads`.

# Random under-sampling: a random subset, in row order.
select_random <- function(ctx, rows, size) sample_rows(rows, size)

# NearMiss-1 (Mani and Zhang 2003): the rows with the smallest mean
# distance to their kk nearest rows of the smallest class.
select_nearmiss1 <- function(ctx, rows, size) {
  score <- rowMeans(knn_rows(ctx$pred, ctx$minority, ctx$kk, query = rows,
                             threads = ctx$threads)$distance)
  rows[order(score, rows)[seq_len(size)]]
}

# NearMiss-2: the smallest mean distance to their kk farthest rows of the
# smallest class.
select_nearmiss2 <- function(ctx, rows, size) {
  score <- rowMeans(farthest_rows(ctx$pred, ctx$minority, ctx$kk, rows, ctx$threads))
  rows[order(score, rows)[seq_len(size)]]
}

# NearMiss-3, as imbalanced-learn reads Mani and Zhang's rule: candidates
# are the `neighbors` nearest rows of the class around each row of the
# smallest class; among them, those with the largest mean distance to their
# kk nearest rows of the smallest class.
select_nearmiss3 <- function(ctx, rows, size) {
  around <- knn_rows(ctx$pred, rows, min(ctx$neighbors, length(rows)),
                     query = ctx$minority, threads = ctx$threads)$index
  cand <- sort(unique(as.vector(around)))
  score <- rowMeans(knn_rows(ctx$pred, ctx$minority, ctx$kk, query = cand,
                             threads = ctx$threads)$distance)
  cand[order(-score, cand)[seq_len(min(size, length(cand)))]]
}

nearmiss_neighbors <- param_count(
  3, "nearest rows of the smallest class each score reads",
  tune = list(pkg = "dials", fun = "neighbors", range = c(1, 10)))

register_method(new_sampler_method(
  name = "random", family = "undersample", rank = 1,
  title = "Random under-sampling: a random subset of each larger class",
  reference = "",
  select = select_random, distances = FALSE
))

register_method(new_sampler_method(
  name = "nearmiss1", family = "undersample", rank = 2,
  title = "NearMiss-1: keeps the rows closest, on average, to their nearest rows of the smallest class",
  reference = "Mani and Zhang (2003), ICML workshop on learning from imbalanced datasets",
  params = list(neighbors = nearmiss_neighbors), select = select_nearmiss1
))

register_method(new_sampler_method(
  name = "nearmiss2", family = "undersample", rank = 3,
  title = "NearMiss-2: keeps the rows closest, on average, to their farthest rows of the smallest class",
  reference = "Mani and Zhang (2003), ICML workshop on learning from imbalanced datasets",
  params = list(neighbors = nearmiss_neighbors), select = select_nearmiss2
))

register_method(new_sampler_method(
  name = "nearmiss3", family = "undersample", rank = 4,
  title = "NearMiss-3: keeps the rows around each row of the smallest class that are farthest from it",
  reference = "Mani and Zhang (2003), ICML workshop on learning from imbalanced datasets",
  params = list(neighbors = nearmiss_neighbors), select = select_nearmiss3
))
