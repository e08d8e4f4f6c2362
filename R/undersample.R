#' Under-sample the large classes: random, NearMiss and cluster centroids
#'
#' Every class with more rows than `round(under_ratio * s)`, `s` the
#' smallest non-empty class count, is reduced to that count.
#'
#' * `"random"` keeps a random subset of each reduced class.
#' * `"nearmiss1"` (Mani and Zhang 2003) keeps the rows with the smallest
#'   mean distance to their `neighbors` nearest rows of the smallest class;
#' * `"nearmiss2"` those with the smallest mean distance to their
#'   `neighbors` *farthest* rows of the smallest class;
#' * `"nearmiss3"`, as imbalanced-learn reads Mani and Zhang's rule: the
#'   `neighbors` nearest rows of the class around each row of the smallest
#'   class form the candidates, and the candidates with the *largest* mean
#'   distance to their `neighbors` nearest rows of the smallest class are
#'   kept. When there are fewer candidates than the target, all are kept,
#'   with a warning.
#' * `"cluster_centroids"` (Lin, Tsai, Hu and Jhang 2017) runs k-means
#'   on the class's rows with as many clusters as the class keeps rows and
#'   keeps the real row nearest each centroid (where two centroids share a
#'   nearest row, the second takes its nearest free row). The k-means is
#'   Lloyd's, as `stats::kmeans(algorithm = "Lloyd")`: started from
#'   distinct rows drawn at random (seeded), it stops when no row changes
#'   cluster or after 100 iterations. A class
#'   with no more distinct rows than its target keeps each distinct row once
#'   and repeats drawn at random. It needs complete data: data with missing
#'   values are refused.
#' * `"instance_hardness"` (Smith, Martinez and Giraud-Carrier 2014) keeps
#'   the rows a logistic regression of "this class or not", fitted in
#'   `folds` stratified folds (seeded), gives the highest out-of-fold
#'   probability of their own class: the easiest rows. The fits are
#'   `glm.fit()`'s maximum-likelihood fits, computed in C from one shared
#'   start (separated or aliased data: by `glm.fit()` itself). It needs
#'   complete data.
#'
#' Ties are broken by the earlier row. With NearMiss and `under_ratio < 1`
#' the smallest class itself is reduced at random.
#'
#' @inheritParams sg_oversample
#' @param guard Only `NULL`. The guard steers where synthetic rows are made,
#'   and this method makes none: any other value is refused with an error.
#' @param method `"random"`, `"nearmiss1"`, `"nearmiss2"`, `"nearmiss3"`,
#'   `"cluster_centroids"` or `"instance_hardness"` (see [sg_methods()]).
#' @param folds For `"instance_hardness"`: the number of stratified
#'   cross-validation folds of its logistic regression.
#' @param under_ratio The target of each class as a multiple of the smallest
#'   non-empty class count.
#' @param neighbors The number of rows of the smallest class that NearMiss
#'   averages over (3 by default).
#' @return The kept rows of `data`, in their original order, with a
#'   `"smoteguard"` record whose `removed` element lists the removed rows.
#' @references Smith, M. R., Martinez, T. and Giraud-Carrier, C. (2014). An
#'   instance level analysis of data complexity. *Machine Learning*, 95,
#'   225-256.
#'
#' Lin, W.-C., Tsai, C.-F., Hu, Y.-H. and Jhang, J.-S. (2017).
#'   Clustering-based undersampling in class-imbalanced data. *Information
#'   Sciences*, 409-410, 17-26.
#'
#' Mani, I. and Zhang, J. (2003). kNN approach to unbalanced
#'   data distributions: a case study involving information extraction.
#'   *ICML 2003 Workshop on Learning from Imbalanced Datasets*.
#' @examples
#' under <- sg_undersample(breast_biopsy, "diagnosis", seed = 1)
#' table(under$diagnosis)
#' near <- sg_undersample(breast_biopsy, "diagnosis", method = "nearmiss1")
#' table(near$diagnosis)
#' @export
sg_undersample <- function(data, var,
                           method = c("random", "nearmiss1", "nearmiss2", "nearmiss3",
                                      "cluster_centroids", "instance_hardness"),
                           under_ratio = 1, neighbors = 3, folds = 5, seed = NULL,
                           threads = getOption("smoteguard.threads"), guard = NULL) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  method <- check_choice(method, "method", method_names("undersample"), call = call)
  check_no_guard(guard, method, call = call)
  check_data_frame(data, call = call)
  check_var(data, var, call = call)
  under_ratio <- check_number(under_ratio, "under_ratio", min = 0, call = call)
  if (under_ratio <= 0) {
    sg_abort(c("`under_ratio` must be positive.", "Use e.g. `under_ratio = 1`."),
             call = call)
  }
  neighbors <- check_count(neighbors, "neighbors", call = call)
  folds <- check_count(folds, "folds", call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)
  classes <- outcome_classes(data, var, "Under-sampling", call = call)
  levels <- classes$levels
  yf <- classes$yf
  yi <- as.integer(yf)
  counts <- classes$counts
  smallest <- which(counts == min(counts[counts > 0]))[1]
  # in doubles, then capped by the largest class: never an integer overflow
  target <- as.integer(max(1, min(round(under_ratio * counts[[smallest]]), max(counts))))
  targets <- stats::setNames(pmin(counts, target), levels)
  pred <- if (sampler_method(method)$distances) prepare_predictors(data, var, y = yf, call = call)
  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  ctx <- list(pred = pred, minority = which(yi == smallest), neighbors = neighbors,
              folds = folds, yi = yi, threads = threads)
  ctx$kk <- min(neighbors, length(ctx$minority))
  select <- sampler_method(method)$select
  keep <- rep(TRUE, length(yi))
  short <- character(0)
  for (cl in which(counts > targets)) {
    rows <- which(yi == cl)
    size <- targets[[cl]]
    # the smallest class, when its own target is below its size, loses
    # rows at random whatever the method (the methods score rows by their
    # distance to it)
    chosen <- if (cl == smallest) sample_rows(rows, size) else select(ctx, rows, size)
    if (length(chosen) < size) short <- c(short, levels[cl])
    keep[rows] <- FALSE
    keep[chosen] <- TRUE
  }
  warnings <- character(0)
  if (length(short) > 0) {
    warnings <- sprintf("NearMiss-3 found fewer candidates than the target in class(es) %s; all candidates were kept.",
                        paste0("`", short, "`", collapse = ", "))
    sg_warn(warnings, class = "shortfall", call = call)
  }
  out <- data[keep, , drop = FALSE]
  if (.row_names_info(data) < 0) attr(out, "row.names") <- .set_row_names(sum(keep))
  finished <- proc.time()[["elapsed"]]
  after <- tabulate(factor(out[[var]], levels = levels), length(levels))
  attr(out, "smoteguard") <- new_record(
    settings = list(method = method, var = var, neighbors = neighbors, folds = folds,
                    under_ratio = under_ratio, threads = threads),
    seed = seed, rng_kind = RNGkind(), levels = levels,
    counts_before = counts, targets = targets, counts_after = after,
    n_input = nrow(data),
    pred = if (is.null(pred)) list() else pred,
    provenance = empty_provenance(levels), classes = NULL,
    removed = data.frame(row = which(!keep), class = yf[!keep]),
    timings = c(checks = 0, generate = finished - started, assemble = 0,
                total = finished - started),
    result = out, warnings = warnings,
    fingerprint = data_fingerprint(data))
  out
}

# A random subset of `rows` of size `size`, in row order. (sample() on a
# single number would draw from 1:n.)
sample_rows <- function(rows, size) {
  sort(rows[sample.int(length(rows), size)])
}

# Distances from each of `query` to its k farthest rows of `ref`.
farthest_rows <- function(pred, ref, k, query, threads) {
  if (!pred$mixed) {
    return(knn_rows(pred, ref, k, query = query, threads = threads,
                    farthest = TRUE)$distance)
  }
  # the general distance has no farthest search: all rows of `ref`, sorted
  all <- knn_rows(pred, ref, length(ref), query = query, threads = threads)$distance
  all[, rev(seq_len(ncol(all)))[seq_len(k)], drop = FALSE]
}
