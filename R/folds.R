#' Resampling splits for an evaluation
#'
#' `sg_folds()` states how [sg_evaluate()] splits the rows it develops
#' models on (those left after the holdout) into training and test parts.
#' It is a specification: the splits are made on the data inside
#' [sg_evaluate()], with its seed, its `groups` and its `time`.
#'
#' * **Repeated stratified k-fold** (the default): the rows are cut into
#'   `folds` parts of nearly equal size, each holding nearly the same share
#'   of each class (with `strata = TRUE`), and each part is the test part
#'   once; this is done `repeats` times with new cuts.
#' * **With `groups`** (e.g. a patient column): all rows of one group are in
#'   one fold. Groups are dealt to folds one at a time, most positive rows
#'   first, each to the fold with the fewest positive rows so far (then the
#'   fewest rows), so the folds stay close to stratified.
#' * **With `time`**: rolling origin. The rows, ordered by time, are cut into
#'   `folds + 1` consecutive blocks (never between two rows of the same
#'   time); split `k` trains on blocks `1..k` (the past) and tests on block
#'   `k + 1` (the next window). The splits do not depend on a seed, so
#'   `repeats` is ignored (one repeat).
#'
#' An [rsample](https://rsample.tidymodels.org) `rset` (e.g.
#' `rsample::vfold_cv()` or `rsample::group_vfold_cv()` on `data`) may be
#' passed to [sg_evaluate()] instead: its splits index the rows of `data`.
#' Rows of the holdout are taken out of each split (they are never trained
#' or tested on inside the folds), and an rset that puts rows of one group
#' on both sides of a split is refused with an error of class
#' `smoteguard_error_folds`.
#'
#' @param folds Number of folds (test parts) per repeat, at least 2.
#' @param repeats Number of times the fold cut is made anew, at least 1.
#' @param strata Keep each class's share nearly equal across folds.
#' @return An object of class `sg_folds`.
#' @seealso [sg_evaluate()]
#' @examples
#' sg_folds()
#' sg_folds(folds = 10, repeats = 1)
#' @export
sg_folds <- function(folds = 5, repeats = 3, strata = TRUE) {
  call <- sys.call()
  folds <- check_count(folds, "folds", min = 2, call = call)
  repeats <- check_count(repeats, "repeats", call = call)
  if (!is.logical(strata) || length(strata) != 1 || is.na(strata)) {
    sg_abort(c("`strata` must be TRUE or FALSE.", sprintf("It is %s.", describe(strata))),
             call = call)
  }
  structure(list(folds = folds, repeats = repeats, strata = strata), class = "sg_folds")
}

#' @export
print.sg_folds <- function(x, ...) {
  cat(sprintf("<smoteguard folds> %d-fold x %d repeat(s)%s\n", x$folds, x$repeats,
              if (x$strata) ", stratified by class" else ""))
  cat("  with `groups`: whole groups per fold; with `time`: rolling origin (one repeat)\n")
  invisible(x)
}

# The splits of the development rows `dev` (indices into the data), as a
# list of list(rep, fold, train, test) with train and test indices into the
# data. `y` logical (TRUE = positive) over the data, `groups` integer codes
# or NULL, `time` an orderable vector or NULL.
make_splits <- function(resamples, dev, y, groups, time, call) {
  if (inherits(resamples, "rset")) {
    return(rset_splits(resamples, dev, length(y), groups, call))
  }
  k <- resamples$folds
  if (!is.null(time)) {
    return(time_splits(dev, time, k, call))
  }
  out <- list()
  for (r in seq_len(resamples$repeats)) {
    fold <- if (!is.null(groups)) {
      group_folds(dev, y, groups, k)
    } else if (resamples$strata) {
      class_folds(y[dev], k)
    } else {
      sample(rep_len(seq_len(k), length(dev)))
    }
    for (f in seq_len(k)) {
      out[[length(out) + 1]] <- list(rep = r, fold = f, train = dev[fold != f],
                                     test = dev[fold == f])
    }
  }
  out
}

# Fold numbers 1..k per row, each class dealt round the folds in a random
# order (so every fold gets floor or ceiling of its share of each class).
# `y` logical or class codes.
class_folds <- function(y, k) {
  fold <- integer(length(y))
  start <- sample.int(k, 1)
  # y logical (the two classes, FALSE first) or class codes (one-vs-rest)
  for (cls in sort(unique(y))) {
    at <- which(y == cls)
    if (length(at) == 0) next
    at <- at[sample.int(length(at))]
    fold[at] <- (start + seq_along(at) - 2L) %% k + 1L
    start <- (start + length(at) - 1L) %% k + 1L
  }
  fold
}

# Whole groups to folds: most positive rows first (ties in random order), each
# to the fold with the fewest positive rows so far, then the fewest rows.
group_folds <- function(dev, y, groups, k) {
  g <- groups[dev]
  ids <- unique(g)
  ids <- ids[sample.int(length(ids))]
  pos <- vapply(ids, function(i) sum(y[dev][g == i]), numeric(1))
  size <- vapply(ids, function(i) sum(g == i), numeric(1))
  ord <- order(-pos, -size)
  load_pos <- numeric(k)
  load_n <- numeric(k)
  assigned <- integer(length(ids))
  for (j in ord) {
    f <- order(load_pos, load_n, seq_len(k))[1]
    assigned[j] <- f
    load_pos[f] <- load_pos[f] + pos[j]
    load_n[f] <- load_n[f] + size[j]
  }
  assigned[match(g, ids)]
}

# Rolling origin: folds + 1 blocks of consecutive times, cut only between
# distinct times; split k trains on blocks 1..k and tests on block k + 1.
time_splits <- function(dev, time, k, call) {
  ord <- dev[order(time[dev])]
  tt <- time[ord]
  n <- length(ord)
  # the first row of each block, moved forward past ties
  starts <- 1L
  for (b in seq_len(k)) {
    s <- floor(b * n / (k + 1)) + 1L
    while (s <= n && s > 1 && tt[s] == tt[s - 1]) s <- s + 1L
    starts <- c(starts, s)
  }
  starts <- c(starts, n + 1L)
  if (anyDuplicated(starts) > 0 || any(diff(starts) < 1)) {
    sg_abort(c(sprintf("`time` has too few distinct values to cut %d rolling-origin windows.", k + 1),
               sprintf("The development rows have %d distinct time(s).", length(unique(tt))),
               "Use fewer folds, e.g. `resamples = sg_folds(folds = 3)`."),
             class = "folds", call = call)
  }
  lapply(seq_len(k), function(f) {
    list(rep = 1L, fold = f, train = ord[seq_len(starts[f + 1] - 1L)],
         test = ord[starts[f + 1]:(starts[f + 2] - 1L)])
  })
}

# The splits of an rsample rset over the rows of `data` (n rows): holdout
# rows taken out of each side; a split with one group on both sides refused.
rset_splits <- function(rset, dev, n, groups, call) {
  splits <- rset$splits
  if (length(splits) == 0) {
    sg_abort("The rset in `resamples` has no splits.", class = "folds", call = call)
  }
  ids <- rset[["id"]]
  repeated <- "id2" %in% names(rset)
  if (repeated) ids <- paste(ids, rset[["id2"]])
  out <- vector("list", length(splits))
  for (s in seq_along(splits)) {
    sp <- splits[[s]]
    if (nrow(sp$data) != n) {
      sg_abort(c("The rset in `resamples` must be made on `data`.",
                 sprintf("Its splits index %d rows; `data` has %d.", nrow(sp$data), n),
                 "Make it with e.g. `rsample::vfold_cv(data)` on the data passed to `sg_evaluate()`."),
               class = "folds", call = call)
    }
    train <- sp$in_id
    test <- if (is.null(sp$out_id) || all(is.na(sp$out_id))) setdiff(seq_len(n), train) else sp$out_id
    if (!is.null(groups)) {
      both <- intersect(groups[train], groups[test])
      if (length(both) > 0) {
        sg_abort(c(sprintf("The rset in `resamples` splits %d group(s) between training and test rows (split %s).",
                           length(both), ids[s]),
                   "All rows of a group must be on one side, or the test rows leak into training.",
                   "Make it with `rsample::group_vfold_cv(data, group = ...)`, or pass `sg_folds()` and `groups =`."),
                 class = "folds", call = call)
      }
    }
    out[[s]] <- list(rep = 1L, fold = s, id = ids[s],
                     train = intersect(train, dev), test = intersect(test, dev))
  }
  # vfold_cv(repeats = ) names its splits "Repeat1 Fold1": keep the repeat
  if (repeated) {
    repeat_id <- as.integer(factor(rset[["id"]]))
    fold <- as.integer(factor(rset[["id2"]]))
    for (s in seq_along(out)) {
      out[[s]]$rep <- repeat_id[s]
      out[[s]]$fold <- fold[s]
    }
  }
  out
}

# The holdout: stratified by class, or whole groups, or the latest rows by
# time (all rows at the cut-off time go to the holdout). Returns indices.
holdout_rows <- function(share, y, groups, time) {
  n <- length(y)
  if (share == 0) return(integer(0))
  if (!is.null(time)) {
    ord <- order(time)
    cut <- time[ord[n - ceiling(share * n) + 1L]]
    return(which(time >= cut))
  }
  if (!is.null(groups)) {
    ids <- unique(groups)
    ids <- ids[sample.int(length(ids))]
    size <- tabulate(match(groups, ids), length(ids))
    take <- ids[seq_len(which(cumsum(size) >= share * n)[1])]
    return(which(groups %in% take))
  }
  out <- integer(0)
  for (cls in sort(unique(y))) {
    at <- which(y == cls)
    m <- round(share * length(at))
    if (m > 0) out <- c(out, at[sample.int(length(at), m)])
  }
  sort(out)
}
