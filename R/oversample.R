#' Oversample the small classes of a data frame
#'
#' Raises every class below a target count with synthetic rows made by
#' SMOTE (Chawla et al. 2002): each synthetic row lies on the segment from a
#' real *parent* row to one of the parent's `neighbors` nearest rows of the
#' same class, at a uniform random *gap* along it.
#'
#' Distances use the numeric predictors centred and scaled by the mean and
#' standard deviation of all rows of `data` (every class), so one scale
#' serves every search; a constant column gets weight 0. New values are
#' interpolated on the original scale, `parent + gap * (neighbor - parent)`,
#' and integer columns are rounded. Parents are taken in turns through a
#' random permutation of the class, so each is used about equally often.
#'
#' The target of a class is `round(over_ratio * M)`, `M` the largest class
#' count (R's `round()`, which rounds half to even). Classes at or above
#' their target keep their rows and get none; oversampling never removes
#' rows. A named `over_ratio` sets targets for the classes it names and
#' leaves the others as they are. An outcome level with no rows stays a
#' level and gets no rows.
#'
#' Small classes are normal: a class with no more rows than `neighbors`
#' uses all its other rows as neighbours, and a class of one row can only
#' be copied; both warn.
#'
#' @param data A data frame with the outcome and numeric predictors.
#' @param var The name of the outcome column, a factor or character vector.
#' @param method The oversampling method: `"smote"`.
#' @param neighbors The number of nearest same-class rows a parent may be
#'   paired with (`k` in the SMOTE paper), a whole number >= 1.
#' @param over_ratio The target of each class as a share of the largest
#'   class count: one positive number for every class, or a vector named by
#'   class. `1` balances the classes.
#' @param seed `NULL` to use the current random stream, or a whole number:
#'   the result is then the same as after `set.seed(seed)`, and the caller's
#'   random stream is restored afterwards.
#' @param threads The number of threads for the neighbour search; by default
#'   `getOption("smoteguard.threads")`. The result does not depend on it.
#' @return A data frame of the class of `data`: all rows of `data`
#'   unchanged and in their order, then the synthetic rows, with the same
#'   columns, types and factor levels. It carries the attribute
#'   `"smoteguard"`, the record of how it was made, read by
#'   [sg_provenance()] and [sg_record()].
#' @seealso [sg_smote()], [sg_provenance()], [sg_knn()].
#' @references Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer,
#'   W. P. (2002). SMOTE: synthetic minority over-sampling technique.
#'   *Journal of Artificial Intelligence Research*, 16, 321-357.
#' @examples
#' table(breast_biopsy$diagnosis)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' table(res$diagnosis)
#' head(sg_provenance(res))
#' sg_record(res)
#'
#' # raise the malignant class to half the benign count only
#' res2 <- sg_oversample(breast_biopsy, "diagnosis",
#'                       over_ratio = c(malignant = 0.75), seed = 1)
#' table(res2$diagnosis)
#' @export
sg_oversample <- function(data, var, method = "smote", neighbors = 5,
                          over_ratio = 1, seed = NULL,
                          threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  method <- check_method(method, sg_methods, call = call)
  check_data_frame(data, call = call)
  check_var(data, var, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)

  y <- data[[var]]
  levels <- if (is.factor(y)) levels(y) else sort(unique(y))
  yf <- factor(y, levels = levels)
  ratio <- check_over_ratio(over_ratio, levels, call = call)
  counts <- tabulate(yf, nbins = length(levels))
  names(counts) <- levels
  if (sum(counts > 0) < 2) {
    sg_abort(c(sprintf("The outcome `%s` has only one class with rows (%s).",
                       var, paste(levels[counts > 0], collapse = ", ")),
               "Oversampling needs at least two classes."), class = "input", call = call)
  }
  pred <- predictor_matrix(data, var, call = call)
  targets <- class_targets(counts, ratio)
  n_new <- pmax(targets - counts, 0L)
  check_result_size(as.numeric(nrow(data)) + sum(n_new), "the result's rows", call = call)
  check_result_size(as.numeric(sum(n_new)) * ncol(pred$x),
                    "the synthetic values", call = call)

  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  rng_kind <- RNGkind()

  checked <- proc.time()[["elapsed"]]
  gen <- generate_smote(pred, yf, counts, n_new, neighbors, threads, call)
  generated <- proc.time()[["elapsed"]]

  out <- assemble_result(data, pred, gen)
  finished <- proc.time()[["elapsed"]]

  provenance <- data.frame(
    row = nrow(data) + seq_along(gen$parent),
    class = factor(levels[gen$class], levels = levels),
    parent = gen$parent,
    neighbor = gen$neighbor,
    gap = gen$gap
  )
  record <- new_record(
    method = method, var = var, neighbors = neighbors,
    over_ratio = over_ratio, seed = seed, rng_kind = rng_kind,
    threads = threads, levels = levels, counts_before = counts,
    targets = targets, counts_after = counts + tabulate(gen$class, length(levels)),
    n_input = nrow(data), predictors = pred$names, center = pred$center,
    scale = pred$scale, provenance = provenance,
    neighbors_used = gen$neighbors_used,
    timings = c(checks = checked - started, generate = generated - checked,
                assemble = finished - generated, total = finished - started),
    result = out, warnings = gen$warnings
  )
  attr(out, "smoteguard") <- record
  out
}

#' @rdname sg_oversample
#' @param ... Further arguments passed to `sg_oversample()`.
#' @export
sg_smote <- function(data, var, ...) {
  sg_oversample(data, var, method = "smote", ...)
}

sg_methods <- c("smote")

# Numeric predictors as a double matrix, with the centre and scale of all
# rows. Until mixed data is supported, any other predictor is an error.
predictor_matrix <- function(data, var, call = NULL) {
  names <- setdiff(names(data), var)
  if (length(names) == 0) {
    sg_abort(c("`data` has no predictor columns besides the outcome.",
               "Oversampling needs at least one numeric predictor."), call = call)
  }
  if (nrow(data) == 0) {
    sg_abort("`data` has no rows.", call = call)
  }
  numeric <- vapply(data[names], function(col) {
    (is.double(col) || is.integer(col)) && !is.object(col) && is.null(dim(col))
  }, logical(1))
  if (!all(numeric)) {
    bad <- names[!numeric]
    kinds <- vapply(data[bad], function(col) class(col)[1], character(1))
    sg_abort(c("Every predictor must be numeric (double or integer).",
               sprintf("Not numeric: %s.",
                       paste0("`", bad, "` (", kinds, ")", collapse = ", ")),
               "Convert them, or drop them from `data` before oversampling."),
             call = call)
  }
  x <- matrix(unlist(lapply(data[names], as.double), use.names = FALSE),
              nrow = nrow(data), dimnames = list(NULL, names))
  if (anyNA(x) || any(is.infinite(x))) {
    bad <- which(!is.finite(x), arr.ind = TRUE)
    cols <- unique(names[bad[, 2]])
    sg_abort(c(sprintf("Predictors must not contain NA, NaN or Inf; %d value(s) do.", nrow(bad)),
               sprintf("In column(s) %s, first in row %d.",
                       paste0("`", cols, "`", collapse = ", "), bad[1, 1]),
               "Remove or impute those values first."), call = call)
  }
  center <- colMeans(x)
  scale <- if (nrow(x) > 1) {
    sqrt(colSums(sweep(x, 2, center)^2) / (nrow(x) - 1))
  } else {
    rep(0, ncol(x))
  }
  # A constant column carries no distance information: weight 0.
  scale[!is.finite(scale) | scale <= 0] <- 0
  names(scale) <- names
  list(x = x, names = names, center = center, scale = scale,
       integer = vapply(data[names], is.integer, logical(1)))
}

class_targets <- function(counts, ratio) {
  largest <- max(counts)
  targets <- ifelse(is.na(ratio), counts, round(ratio * largest))
  targets <- pmax(targets, counts)
  targets[counts == 0] <- 0
  stats::setNames(as.integer(targets), names(counts))
}

# Run SMOTE class by class: neighbours and draws in C, per class.
generate_smote <- function(pred, yf, counts, n_new, neighbors, threads, call) {
  levels <- levels(yf)
  parts <- vector("list", length(levels))
  small <- character(0)
  single <- character(0)
  used <- stats::setNames(rep(NA_integer_, length(levels)), levels)
  for (c in which(n_new > 0)) {
    rows <- which(as.integer(yf) == c)
    p <- length(rows)
    if (p == 1) {
      single <- c(single, levels[c])
      parts[[c]] <- list(class = rep(c, n_new[c]), parent = rep(rows, n_new[c]),
                         neighbor = rep(NA_integer_, n_new[c]),
                         gap = rep(NA_real_, n_new[c]))
      used[c] <- 0L
      next
    }
    k <- min(neighbors, p - 1L)
    if (k < neighbors) small <- c(small, levels[c])
    used[c] <- k
    nn <- .Call(ffi_knn_search, pred$x[rows, , drop = FALSE], NULL, k,
                pred$center, pred$scale, threads)
    draw <- .Call(ffi_smote_draw, nn$index, as.numeric(n_new[c]))
    parts[[c]] <- list(class = rep(c, n_new[c]), parent = rows[draw$parent],
                       neighbor = rows[draw$neighbor], gap = draw$gap)
  }
  warnings <- character(0)
  if (length(small) > 0) {
    msg <- sprintf(paste("Class(es) %s have no more than `neighbors` = %d rows;",
                         "each row was paired with all the other rows of its class."),
                   paste0("`", small, "`", collapse = ", "), neighbors)
    warnings <- c(warnings, msg)
    sg_warn(msg, class = "small_class", call = call)
  }
  if (length(single) > 0) {
    msg <- sprintf("Class(es) %s have a single row, which was copied, not interpolated.",
                   paste0("`", single, "`", collapse = ", "))
    warnings <- c(warnings, msg)
    sg_warn(msg, class = "single_row", call = call)
  }
  pick <- function(field, empty) {
    v <- unlist(lapply(parts, `[[`, field), use.names = FALSE)
    if (is.null(v)) empty else v
  }
  list(class = pick("class", integer(0)), parent = pick("parent", integer(0)),
       neighbor = pick("neighbor", integer(0)), gap = pick("gap", double(0)),
       neighbors_used = used, warnings = warnings)
}

# The result: the rows of `data`, then the synthetic rows. Indexing `data`
# by parent keeps every column's type, levels and the data frame's class;
# the numeric predictors are then overwritten with interpolated values.
assemble_result <- function(data, pred, gen) {
  n <- nrow(data)
  G <- length(gen$parent)
  out <- data[c(seq_len(n), gen$parent), , drop = FALSE]
  if (G > 0) {
    values <- .Call(ffi_interpolate, pred$x, as.integer(gen$parent),
                    as.integer(gen$neighbor), as.double(gen$gap))
    idx <- n + seq_len(G)
    for (j in seq_along(pred$names)) {
      v <- values[, j]
      col <- pred$names[j]
      if (pred$integer[[j]]) v <- as.integer(round(v))
      out[[col]][idx] <- v
    }
  }
  rn <- attr(data, "row.names")
  if (is.integer(rn)) {
    attr(out, "row.names") <- .set_row_names(n + G)
  } else {
    attr(out, "row.names") <- make.unique(c(as.character(rn),
                                             paste0("synthetic_", seq_len(G))))
  }
  out
}

# Save the caller's random stream; the returned function puts it back.
preserve_rng <- function() {
  env <- globalenv()
  had <- exists(".Random.seed", envir = env, inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = env, inherits = FALSE)
  kind <- RNGkind()
  function() {
    if (had) {
      assign(".Random.seed", old, envir = env)
    } else if (exists(".Random.seed", envir = env, inherits = FALSE)) {
      rm(".Random.seed", envir = env)
    }
    invisible(kind)
  }
}
