#' Exact k nearest neighbours
#'
#' Finds, for each row, the `k` nearest rows by Euclidean distance, exactly
#' (no approximation), with a cache-blocked search in C that never forms an
#' n x n distance matrix.
#'
#' With `query = NULL` the neighbours of each row of `x` are searched among
#' the *other* rows of `x`: a row is never its own neighbour, while an exact
#' duplicate of it is a neighbour at distance 0. Otherwise the neighbours in
#' `x` of each row of `query` are returned (a query row equal to a row of
#' `x` finds it at distance 0).
#'
#' Columns are used as they are: standardise them first if they are on
#' different scales (`sg_oversample()` does this itself).
#'
#' @param x A numeric matrix (or a data frame of numeric columns), one row
#'   per point. No missing or infinite values.
#' @param k The number of neighbours, a whole number from 1 to the number of
#'   rows available (`nrow(x) - 1` when `query` is `NULL`).
#' @param query `NULL`, or a numeric matrix with the columns of `x`.
#' @param threads The number of threads; by default
#'   `getOption("smoteguard.threads")`, or as many as OpenMP allows when that
#'   is unset. Results do not depend on it.
#' @return A list with `index`, an integer matrix with one row per query
#'   row and `k` columns of 1-based row numbers of `x`, and `distance`, the
#'   matching double matrix of Euclidean distances. Each row is sorted by
#'   distance, ties broken by the smaller row number.
#' @examples
#' x <- as.matrix(breast_biopsy[, 1:9])
#' nn <- sg_knn(x, k = 3)
#' head(nn$index)
#' head(nn$distance)
#' # neighbours of new points
#' sg_knn(x, k = 2, query = x[1:2, ] + 0.5)$index
#' @export
sg_knn <- function(x, k, query = NULL, threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  x <- check_numeric_matrix(x, "x", call = call)
  if (missing(k)) sg_abort("`k` is missing: give the number of neighbours.", call = call)
  k <- check_count(k, "k", call = call)
  if (!is.null(query)) {
    query <- check_numeric_matrix(query, "query", call = call)
    if (ncol(query) != ncol(x)) {
      sg_abort(c("`query` must have the same columns as `x`.",
                 sprintf("`x` has %d columns, `query` %d.", ncol(x), ncol(query))),
               call = call)
    }
  }
  available <- nrow(x) - is.null(query)
  if (k > available) {
    sg_abort(c(sprintf("`k` = %d is larger than the %d row(s) available.", k, available),
               if (is.null(query)) "A row is never its own neighbour, so at most `nrow(x) - 1`."
               else "At most `nrow(x)` neighbours exist.",
               "Use a smaller `k`."), call = call)
  }
  check_result_size(as.numeric(if (is.null(query)) nrow(x) else nrow(query)) * k,
                    "the neighbour matrices", bytes = 12, call = call)
  threads <- check_threads(threads, call = call)
  .Call(ffi_knn_search, x, query, k, NULL, NULL, threads, NULL, FALSE)
}

# A result of `cells` values (of `bytes` bytes each) must fit in an R
# matrix and, where the system says how much memory is free, in memory:
# refused with a classed error before anything is allocated. The system is
# asked (reading /proc costs more than a whole call on a small table) only
# for results of at least `small` bytes: a smaller allocation that does not
# fit fails at once with R's own error, without starting a long search or
# waking the OOM killer.
check_result_size <- function(cells, what, bytes = 8, hint = "Use fewer rows or a smaller `k`.",
                              call = NULL, small = 2^26) {
  if (!is.finite(cells) || cells > .Machine$integer.max) {
    sg_abort(c(sprintf("%s would hold %.3g values, more than R allows in one matrix (%d).",
                       what, cells, .Machine$integer.max), hint),
             class = "size", call = call)
  }
  need <- cells * bytes
  if (need < small) return(invisible(cells))
  free <- available_memory()
  if (is.finite(free) && need > free) {
    sg_abort(c(sprintf("%s would need %.1f GB, more than the %.1f GB of memory available.",
                       what, need / 2^30, free / 2^30), hint),
             class = "size", call = call)
  }
  invisible(cells)
}

# Bytes of memory available, Inf where unknown: on Linux the smaller of
# the system's MemAvailable and what an address-space limit (ulimit -v)
# leaves this process.
available_memory <- function() {
  read <- function(file, n = -1L) {
    tryCatch(readLines(file, n = n, warn = FALSE), error = function(e) character())
  }
  number <- function(line) suppressWarnings(as.numeric(gsub("[^0-9]", "", line)))
  free <- Inf
  line <- grep("^MemAvailable:", read("/proc/meminfo", 5L), value = TRUE)
  if (length(line) == 1 && !is.na(number(line))) free <- number(line) * 1024
  limit <- grep("^Max address space", read("/proc/self/limits"), value = TRUE)
  if (length(limit) == 1) {
    soft <- strsplit(trimws(sub("^Max address space", "", limit)), " +")[[1]][1]
    size <- grep("^VmSize:", read("/proc/self/status"), value = TRUE)
    if (!identical(soft, "unlimited") && length(size) == 1 &&
        !is.na(number(soft)) && !is.na(number(size))) {
      free <- min(free, number(soft) - number(size) * 1024)
    }
  }
  free
}

# The one internal neighbour search every method uses: neighbours among the
# data rows `ref` of the data rows `query` (by default each row of `ref`
# among the others), on the distance the predictors define (`pred` from
# prepare_predictors(); `cls` the class whose SMOTE-NC penalty applies). A
# query row that is also in `ref` never finds itself. Returns
# list(index = data-row numbers, distance).
knn_rows <- function(pred, ref, k, query = NULL, threads = NA_integer_,
                     cls = NULL, farthest = FALSE) {
  excl <- if (is.null(query)) NULL else match(query, ref)
  # no query row is a row of `ref`: nothing to exclude, all of `ref` usable
  if (!is.null(excl) && all(is.na(excl))) excl <- NULL
  if (!pred$mixed) {
    qx <- if (is.null(query)) NULL else pred$x[query, , drop = FALSE]
    nn <- .Call(ffi_knn_search, pred$x[ref, , drop = FALSE], qx, k,
                pred$center, pred$scale, threads, excl, farthest)
  } else {
    if (farthest) {
      sg_abort("internal: farthest rows need numeric complete data", class = "internal")
    }
    costs <- mixed_costs(pred, cls)
    # pred$z: standardised, or (Gower) divided by the range
    num <- pred$z
    qn <- if (is.null(query)) NULL else num[query, , drop = FALSE]
    qc <- if (is.null(query)) NULL else pred$codes[query, , drop = FALSE]
    nn <- .Call(ffi_knn_mixed, num[ref, , drop = FALSE],
                pred$codes[ref, , drop = FALSE], qn, qc, k, costs$cost,
                costs$metric, threads, excl)
  }
  nn$index[] <- ref[nn$index]
  nn
}
