# The result record: built once by sg_oversample(), read by every accessor.

new_record <- function(settings, seed, rng_kind, levels, counts_before,
                       targets, counts_after, n_input, pred, provenance,
                       classes, removed, timings, result, warnings,
                       guard = NULL, known = NULL, fidelity = NULL,
                       fingerprint = NA_character_, input = NULL) {
  versions <- session_versions()
  record <- list(
    schema = record_schema,
    version = versions$package,
    created = time_stamp(),
    r_version = versions$r,
    settings = settings,
    seed = seed,
    rng_kind = rng_kind,
    classes = levels,
    counts = new_frame(list(class = codes_factor(seq_along(levels), levels),
                      before = as.integer(counts_before),
                      target = as.integer(targets),
                      after = as.integer(counts_after),
                      added = as.integer(counts_after - counts_before))),
    seeds = classes,
    n_input = n_input,
    # the input data's fingerprint (data_fingerprint()): the ledger's "same
    # data or not", without the data
    fingerprint = fingerprint,
    # (the input summary, when the caller made it already)
    input = input %||% input_summary(pred, n_input, settings$threads),
    predictors = c(pred$names, pred$nominal),
    nominal = pred$nominal,
    center = pred$center,
    scale = pred$scale,
    distance = pred$distance,
    provenance = provenance,
    removed = removed,
    guard = guard,
    fidelity = fidelity,
    timings = timings,
    warnings = warnings,
    # per class: each real row's nearest and k-th distance within its class
    # (k = `neighbors`) as the oversampling measured them, which
    # sg_diagnose() would otherwise measure again
    known = known,
    n_result = .row_names_info(result, 2L),  # nrow() without its dispatch
    checksum = outcome_checksum(.subset2(result, settings$var)),
    rownames_checksum = rownames_checksum(result)
  )
  class(record) <- "sg_record"
  record
}

# The record's layout. 1: the records of smoteguard 0.1.0 (no `schema`
# field); 2: adds `schema`, the provenance's `kind` and `fidelity`. Readers
# of saved records (the ledger) check it.
record_schema <- 2L

# The time of the call to the second, with the offset of the time zone in
# force ("2026-12-05T03:10:00+0000"). Formatting costs more than the rest
# of a record on a small table, and a call takes well under a second: the
# text is kept for the second (and time zone) it was made in.
time_stamp <- function() {
  now <- .Call(ffi_record_clock)  # Sys.time()'s number
  second <- floor(now)
  tz <- Sys.getenv("TZ")
  # (`==` on the two scalars: identical()'s call costs more)
  if (is.null(stamp_cache$text) || stamp_cache$second != second || stamp_cache$tz != tz) {
    # the POSIXlt method directly: format()'s dispatch and the POSIXct
    # method's wrapping cost a third of the stamp
    stamp_cache$text <- format.POSIXlt(as.POSIXlt(.POSIXct(now)), "%Y-%m-%dT%H:%M:%S%z")
    stamp_cache$second <- second
    stamp_cache$tz <- tz
  }
  stamp_cache$text
}

stamp_cache <- new.env(parent = emptyenv())

# The package's and R's versions, fixed for the session: looked up once.
session_versions <- function() {
  if (is.null(version_cache$package)) {
    version_cache$package <- as.character(getNamespaceVersion(asNamespace("smoteguard")))
    version_cache$r <- paste(R.version$major, R.version$minor, sep = ".")
  }
  list(package = version_cache$package, r = version_cache$r)
}

version_cache <- new.env(parent = emptyenv())

# The factor of integer codes into (unique) levels, without factor()'s
# matching and sorting: codes_factor(seq_along(lv), lv) is
# factor(lv, levels = lv).
codes_factor <- function(codes, levels) {
  f <- as.integer(codes)
  attr(f, "levels") <- levels
  class(f) <- "factor"
  f
}

# A data frame from equal-length columns, without data.frame()'s checks and
# name deparsing: a call builds several, and on small tables they cost more
# than the oversampling.
new_frame <- function(cols) {
  n <- if (length(cols) > 0) length(cols[[1]]) else 0L
  # attributes set one by one: structure() costs three times as much; the
  # compact row names .set_row_names(n) gives, without its call
  class(cols) <- "data.frame"
  attr(cols, "row.names") <- if (n > 0) c(NA_integer_, -n) else integer()
  cols
}

# Rows (lists of equal names, NULLs skipped) stacked into one data frame.
bind_rows <- function(rows) {
  cols <- stack_columns(rows)
  if (is.null(cols)) NULL else new_frame(cols)
}

# The same stacking as a plain list of columns (NULL when every row is).
stack_columns <- function(rows) {
  rows <- rows[!vapply(rows, is.null, logical(1))]
  if (length(rows) == 0) return(NULL)
  cols <- .mapply(c, rows, NULL)
  names(cols) <- names(rows[[1]])
  cols
}

# What the input looked like, for drift checks and ledgers: per numeric
# predictor its mean, standard deviation, range and missing count, and its
# 101 quantiles (0, 0.01, ..., 1; type 7) with the count of values between
# consecutive ones (`bins`: the first bin [q0, q1], then (q_b, q_b+1]),
# found in C from each column's sorted values (ffi_stats_quantiles(): whole
# numbers of a short range counted, a few dozen others by insertion, more by
# a linear radix sort); per nominal predictor its
# levels, missing count and the count of each level (`categories`).
input_summary <- function(pred, n_input, threads = NULL) {
  st <- pred$stats
  numeric <- if (is.null(st) || length(st$mean) == 0) NULL else new_frame(list(
    column = pred$names, kind = c(pred$kind, use.names = FALSE), mean = st$mean,
    sd = st$sd, min = st$min, max = st$max, missing = st$missing
  ))
  quantiles <- bins <- NULL
  if (!is.null(numeric)) {
    qs <- .Call(ffi_stats_quantiles, pred$x, if (is.null(threads)) 1L else threads)
    quantiles <- qs$quantiles
    bins <- qs$counts
    dimnames(quantiles) <- list(NULL, pred$names)
    dimnames(bins) <- list(NULL, pred$names)
  }
  codes <- pred$codes
  categories <- NULL
  nominal <- NULL
  if (!is.null(codes) && dim(codes)[2L] > 0) {
    # what data.frame() made of these columns (its row names from the named
    # levels), without its checks
    nominal <- new_frame(list(
      column = colnames(codes),
      levels = unname(vapply(pred$nominal_levels, paste, "", collapse = "|")),
      missing = unname(colSums(is.na(codes)))
    ))
    attr(nominal, "row.names") <- colnames(codes)
    categories <- lapply(seq_len(ncol(codes)), function(j) {
      lv <- pred$nominal_levels[[j]]
      stats::setNames(tabulate(codes[, j], length(lv)), lv)
    })
    names(categories) <- colnames(codes)
  }
  list(rows = n_input, numeric = numeric, nominal = nominal,
       excluded = pred$exclude, quantiles = quantiles, bins = bins,
       categories = categories)
}

# The fingerprint of a data frame (ffi_record_fingerprint): 16 hex digits
# that change with any name, type, class, level or value (doubles by their
# bits, -0 as 0; strings by their UTF-8 bytes); the same on every platform.
# Columns of other types (lists, complex) are hashed as their text.
data_fingerprint <- function(data) {
  # (the C routine reads the columns and their names only; NULL: a column
  # of another type, formatted first)
  fp <- .Call(ffi_record_fingerprint, unclass(data))
  if (!is.null(fp)) return(fp)
  cols <- unclass(data)
  attributes(cols) <- list(names = names(data))
  odd <- !vapply(cols, typeof, "") %in% c("double", "integer", "logical", "character")
  cols[odd] <- lapply(cols[odd], function(col) as.character(unlist(lapply(col, format))))
  .Call(ffi_record_fingerprint, cols)
}

# A checksum of the outcome column that changes when rows are dropped,
# added or reordered: value codes weighted by a function of the position,
# summed in C in exact integer arithmetic. A factor's codes are its level
# numbers; a string's code is a hash of its bytes, so no sort is needed
# (character row names) and the checksum is the same in every locale.
outcome_checksum <- function(y) {
  if (inherits(y, "factor")) {  # is.factor(), one call fewer
    y <- as.integer(y)
  } else if (!is.character(y)) {
    y <- match(y, sort(unique(y), method = "radix"))
  }
  .Call(ffi_record_checksum, y)
}

# Row names change when rows are reordered even where the outcome column
# does not (a result sorted within a class): compact automatic row names
# become an explicit permutation.
rownames_checksum <- function(x) {
  rn <- .row_names_info(x, type = 0L)  # compact form kept: no expansion
  if (is.integer(rn) && length(rn) == 2 && is.na(rn[1])) return(-abs(rn[2]))
  outcome_checksum(rn)
}

# The record of a result, after checking the data frame is still the
# result it describes.
result_record <- function(result, arg = "result", call = NULL) {
  record <- attr(result, "smoteguard", exact = TRUE)
  if (!is.data.frame(result) || !inherits(record, "sg_record")) {
    sg_abort(c(sprintf("`%s` must be a result of `sg_oversample()`.", arg),
               sprintf("It is %s without a smoteguard record.", describe(result))),
             class = "not_result", call = call)
  }
  var <- record$settings$var
  intact <- is.character(var) && length(var) == 1 && !is.na(var) &&
    is.numeric(record$n_result) && length(record$n_result) == 1 &&
    is.numeric(record$checksum) && length(record$checksum) == 1 &&
    is.data.frame(record$provenance)
  if (!intact) {
    sg_abort(c(sprintf("The smoteguard record of `%s` is damaged.", arg),
               "It was changed after the result was made; make the result again."),
             class = "stale_result", call = call)
  }
  if (nrow(result) != record$n_result || !var %in% names(result) ||
      !identical(outcome_checksum(result[[var]]), record$checksum) ||
      (!is.null(record$rownames_checksum) &&
         !identical(rownames_checksum(result), record$rownames_checksum))) {
    sg_abort(c(sprintf("`%s` is no longer the result its smoteguard record describes.", arg),
               sprintf("The record is of %d rows; the data frame has %d%s.",
                       record$n_result, nrow(result),
                       if (nrow(result) == record$n_result)
                         " but its outcome column was changed or reordered" else ""),
               "Rows were subset, sorted or bound after oversampling: read the record first, from the unmodified result."),
             class = "stale_result", call = call)
  }
  record
}

#' The provenance of synthetic rows
#'
#' One row per synthetic row of a result of [sg_oversample()]: where it is
#' in the result and which real rows it was made from.
#'
#' @param result A data frame returned by [sg_oversample()], unmodified:
#'   subsetting, sorting or binding rows makes it a different table and the
#'   call stops with an error.
#' @return A data frame with columns `row` (the row number in `result`),
#'   `class`, `parent` and `neighbor` (row numbers in the input data;
#'   `neighbor` is `NA` for a copy) and `gap` (the position along the
#'   segment from parent to neighbour, in \[0, 1\], or below 0 for a row
#'   made beyond the parent; `NA` for a copy) and
#'   `kind`, how the row was made: `"interpolate"` (on the segment),
#'   `"extrapolate"` (on the line beyond the parent, away from the
#'   neighbour: SVM-SMOTE's safe parents),
#'   `"interpolate+jitter"` (then moved by the guard's jitter), `"copy"`
#'   (a copy of the parent: random oversampling, or a class of one row) or
#'   `"copy+noise"` (the smoothed bootstrap).
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' prov <- sg_provenance(res)
#' head(prov)
#' # each synthetic row lies between its parent and neighbour
#' j <- "clump_thickness"
#' x <- breast_biopsy[[j]]
#' range(res[[j]][prov$row] - (x[prov$parent] + prov$gap * (x[prov$neighbor] - x[prov$parent])))
#' @export
sg_provenance <- function(result) {
  record <- result_record(result, call = sys.call())
  record$provenance
}

#' The record of an oversampling result
#'
#' Every result of [sg_oversample()] carries one record, built where the
#' work was done: the settings, the seed, the class counts before and after,
#' the centre and scale used for distances, the provenance of each
#' synthetic row, the timings and the package version. `sg_record()` returns
#' it, after checking that `result` is still the table it describes.
#'
#' @inheritParams sg_provenance
#' @return An object of class `sg_record` (a list) with elements `schema`
#'   (the record's layout: 2 since the provenance got its `kind` column),
#'   `version`,
#'   `created`, `r_version`, `settings` (the arguments of the call),
#'   `seed`, `rng_kind`, `classes`, `fingerprint` (16 hex digits: a hash
#'   of the input data's column names, types, levels and values, the same on
#'   every platform; the data are not kept), `input` (a summary of the
#'   input's predictors for drift checks, see [sg_drift()]: `rows`;
#'   `numeric`, a data frame of each numeric predictor's mean, sd, range and
#'   missing count; `quantiles`, a 101-row matrix of each numeric
#'   predictor's quantiles at 0, 0.01, ..., 1 (`quantile(type = 7)`), and
#'   `bins`, a 100-row matrix of the count of values between consecutive
#'   ones; `nominal` and `categories`, each nominal predictor's levels,
#'   missing count and count per level), `counts` (a data frame: `class`,
#'   `before`, `target`, `after`, `added`), `seeds` (per oversampled class:
#'   parents available, Borderline's danger, noise and safe counts,
#'   neighbours used, rows wanted and made, shortfall), `n_input`,
#'   `predictors`, `nominal`, `center`, `scale`, `distance`, `provenance`,
#'   `removed` (with `clean`: the rows removed), `guard`, `fidelity` (the
#'   fidelity check of the synthetic rows, see [sg_oversample()]: a data
#'   frame with one row per oversampled class and predictor, columns
#'   `class`, `column`, `kind`, `n_real`, `n_synthetic`, `shift`, `ks`,
#'   `tv`, `se_shift` and `flagged`; `NULL` when no row was made), `timings`
#'   (seconds), `warnings`, `known` (per oversampled class of numeric,
#'   complete data: `k` and each real row's `nearest` and k-th (`radius`)
#'   distance within its class, which `sg_diagnose()` reuses; `NULL` after
#'   `clean`), `n_result`, `checksum` and `rownames_checksum`.
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' rec <- sg_record(res)
#' rec
#' rec$counts
#' @export
sg_record <- function(result) {
  result_record(result, call = sys.call())
}

#' @export
print.sg_record <- function(x, ...) {
  s <- x$settings
  cat(sprintf("<smoteguard record> %s on `%s`, neighbors = %d, seed = %s\n",
              s$method, s$var, s$neighbors,
              if (is.null(x$seed)) "none (current stream)" else x$seed))
  cat(sprintf("%d input rows + %d synthetic = %d rows; %d predictor(s)\n",
              x$n_input, nrow(x$provenance), x$n_result, length(x$predictors)))
  print(x$counts, row.names = FALSE)
  if (!is.null(x$removed) && nrow(x$removed) > 0) {
    cat(sprintf("cleaning (%s) removed %d row(s)\n", s$clean, nrow(x$removed)))
  }
  cat(sprintf("time: %.3f s (generate %.3f s); smoteguard %s\n",
              x$timings[["total"]], x$timings[["generate"]], x$version))
  if (length(x$warnings) > 0) {
    cat("warnings:\n")
    cat(paste0("  ", x$warnings, "\n"), sep = "")
  }
  invisible(x)
}
