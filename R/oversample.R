#' Oversample the small classes of a data frame
#'
#' Raises every class below a target count with synthetic rows. The
#' interpolating methods place each synthetic row on the segment from a real
#' *parent* row to one of the parent's `neighbors` nearest rows of the same
#' class, at a random *gap* along it; they differ in which rows may be
#' parents and how the gap is drawn.
#'
#' @section Methods:
#' * `"smote"` (Chawla et al. 2002): every row of the class is a parent, in
#'   turns through a random permutation (each used about equally often); gap
#'   uniform in \[0, 1\].
#' * `"ros"`: random oversampling, copies of parents taken in the same turns.
#'   With `shrinkage > 0`, a smoothed bootstrap (Menardi and Torelli 2014):
#'   each copy gets Gaussian noise with standard deviation
#'   `shrinkage * (4 / ((d + 2) n))^(1 / (d + 4)) * sd` per numeric column,
#'   `sd` that of the class, `d` the number of numeric columns, `n` the class
#'   size. Nominal values are copied.
#' * `"borderline1"`, `"borderline2"` (Han et al. 2005): among the
#'   `m_neighbors` nearest rows of the whole data, a row with from half to
#'   all but one of them in other classes is in "danger" and only those are
#'   parents; a row whose nearest rows are all of other classes is noise.
#'   Type 2 may also step toward the parent's nearest row of another class
#'   (one candidate among `neighbors + 1`), with a gap in \[0, 0.5\]. With no
#'   danger rows, SMOTE is used, with a warning.
#' * `"adasyn"` (He et al. 2008): the number of rows made from each parent is
#'   proportional to the share of other classes among its `neighbors`
#'   nearest rows of the whole data; the counts add up to the target exactly
#'   (largest remainders, ties to the earlier row).
#' * `"safe_level"` (Bunkhumpornpat et al. 2009): the gap range follows the
#'   safe levels (own-class count among the `neighbors` nearest rows of the
#'   whole data) of parent and neighbour; a pair of two unsafe rows makes
#'   nothing and the parent tries its other neighbours; a class that runs out
#'   of usable pairs falls short, with a warning.
#'
#' @section Distances and data types:
#' Numeric predictors are centred and scaled by the mean and standard
#' deviation of all rows of `data` (every class), so one scale serves every
#' search; a constant column gets weight 0. Integer columns are interpolated
#' and rounded; ordered factors are interpolated on their rank and rounded to
#' a level. Factor, character and logical predictors are nominal: each
#' mismatch adds the SMOTE-NC penalty (the squared median standard deviation
#' of the class's standardised numeric columns) to the squared distance, and
#' each synthetic row draws each nominal value among its parent's and the
#' parent's neighbours' values, in proportion to their frequency
#' (`nominal = "draw"`), or takes the most frequent (`nominal = "vote"`, the
#' paper's rule). Data with only nominal predictors use SMOTE-N's value
#' difference metric. `distance = "gower"` uses Gower's distance instead.
#' Missing predictor values are allowed: distances skip the coordinates
#' missing in either row and rescale for them; a synthetic value comes from
#' whichever of parent and neighbour has it, and stays `NA` when both miss it.
#' Date and date-time columns, and the columns named in `exclude`, are kept
#' out of the distance and copied from the parent.
#'
#' @section Targets:
#' The target of a class is `round(over_ratio * M)`, `M` the largest class
#' count (R's `round()`, which rounds half to even). Classes at or above
#' their target keep their rows and get none; oversampling never removes
#' rows (only `clean` does). A named `over_ratio` sets targets for the
#' classes it names and leaves the others as they are. An outcome level with
#' no rows stays a level and gets no rows. A class with no more rows than
#' `neighbors` uses all its other rows as neighbours, and a class of one row
#' can only be copied; both warn.
#'
#' @param data A data frame with the outcome and the predictors.
#' @param var The name of the outcome column, a factor or character vector.
#' @param method The oversampling method: `"smote"`, `"ros"`,
#'   `"borderline1"`, `"borderline2"`, `"adasyn"` or `"safe_level"`.
#' @param neighbors The number of nearest same-class rows a parent may be
#'   paired with (`k` in the SMOTE paper), a whole number >= 1. ADASYN and
#'   Safe-Level also use it for their whole-data neighbourhoods.
#' @param over_ratio The target of each class as a share of the largest
#'   class count: one positive number for every class, or a vector named by
#'   class. `1` balances the classes.
#' @param seed `NULL` to use the current random stream, or a whole number:
#'   the result is then the same as after `set.seed(seed)`, and the caller's
#'   random stream is restored afterwards.
#' @param m_neighbors The number of nearest rows of the whole data that
#'   Borderline-SMOTE reads to find danger and noise rows.
#' @param shrinkage For `"ros"`: 0 for plain copies, or a positive multiple
#'   of the smoothed bootstrap's bandwidth.
#' @param distance `"euclidean"` (standardised, with the SMOTE-NC penalty for
#'   nominal columns) or `"gower"`.
#' @param nominal How synthetic rows get nominal values: `"draw"` or
#'   `"vote"` (see Details).
#' @param exclude Names of columns kept out of the distance and copied from
#'   the parent row (identifiers, free text).
#' @param clean `NULL`, or `"tomek"` or `"enn"` to clean all classes after
#'   oversampling (SMOTE-Tomek and SMOTE-ENN, Batista et al. 2004).
#' @param clean_neighbors The neighbours ENN's vote reads when
#'   `clean = "enn"`.
#' @param threads The number of threads for the neighbour searches; by
#'   default `getOption("smoteguard.threads")`. The result does not depend on
#'   it.
#' @return A data frame of the class of `data`: all rows of `data`
#'   unchanged and in their order, then the synthetic rows, with the same
#'   columns, types and factor levels (with `clean`, the kept rows of each
#'   part, in that order). It carries the attribute `"smoteguard"`, the
#'   record of how it was made, read by [sg_provenance()] and [sg_record()].
#' @seealso [sg_smote()], [sg_provenance()], [sg_clean()],
#'   [sg_undersample()], [sg_knn()].
#' @references
#' Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002).
#' SMOTE: synthetic minority over-sampling technique. *Journal of Artificial
#' Intelligence Research*, 16, 321-357.
#'
#' Han, H., Wang, W.-Y. and Mao, B.-H. (2005). Borderline-SMOTE. *ICIC 2005*,
#' LNCS 3644, 878-887.
#'
#' He, H., Bai, Y., Garcia, E. A. and Li, S. (2008). ADASYN. *IJCNN 2008*,
#' 1322-1328.
#'
#' Bunkhumpornpat, C., Sinapiromsaran, K. and Lursinsap, C. (2009).
#' Safe-Level-SMOTE. *PAKDD 2009*, LNCS 5476, 475-482.
#'
#' Menardi, G. and Torelli, N. (2014). Training and assessing classification
#' rules with imbalanced data. *Data Mining and Knowledge Discovery*, 28,
#' 92-122.
#' @examples
#' table(breast_biopsy$diagnosis)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' table(res$diagnosis)
#' head(sg_provenance(res))
#' sg_record(res)
#'
#' # raise the malignant class to three quarters of the benign count only
#' res2 <- sg_oversample(breast_biopsy, "diagnosis",
#'                       over_ratio = c(malignant = 0.75), seed = 1)
#' table(res2$diagnosis)
#'
#' # seeds only at the class boundary
#' res3 <- sg_oversample(breast_biopsy, "diagnosis", method = "borderline1",
#'                       seed = 1)
#' sg_record(res3)$counts
#' @export
sg_oversample <- function(data, var, method = "smote", neighbors = 5,
                          over_ratio = 1, seed = NULL, m_neighbors = 10,
                          shrinkage = 0, distance = "euclidean",
                          nominal = "draw", exclude = NULL, clean = NULL,
                          clean_neighbors = 3,
                          threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  method <- check_method(method, sg_methods, call = call)
  check_data_frame(data, call = call)
  check_var(data, var, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  m_neighbors <- check_count(m_neighbors, "m_neighbors", call = call)
  shrinkage <- check_number(shrinkage, "shrinkage", min = 0, call = call)
  distance <- check_choice(distance, "distance", c("euclidean", "gower"), call = call)
  nominal <- check_choice(nominal, "nominal", c("draw", "vote"), call = call)
  if (!is.null(clean)) clean <- check_choice(clean, "clean", c("tomek", "enn"), call = call)
  clean_neighbors <- check_count(clean_neighbors, "clean_neighbors", call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)

  y <- data[[var]]
  levels <- if (is.factor(y)) levels(y) else sort(unique(y))
  yf <- factor(y, levels = levels)
  ratio <- check_over_ratio(over_ratio, levels, call = call)
  counts <- stats::setNames(tabulate(yf, nbins = length(levels)), levels)
  if (sum(counts > 0) < 2) {
    sg_abort(c(sprintf("The outcome `%s` has only one class with rows (%s).",
                       var, paste(levels[counts > 0], collapse = ", ")),
               "Oversampling needs at least two classes."), call = call)
  }
  pred <- prepare_predictors(data, var, exclude = exclude, distance = distance,
                             y = yf, call = call)
  targets <- class_targets(counts, ratio)
  n_new <- pmax(targets - counts, 0L)
  check_result_size(as.numeric(nrow(data)) + sum(n_new), "the result's rows", call = call)
  check_result_size(as.numeric(sum(n_new)) * max(1, ncol(pred$x), ncol(pred$codes)),
                    "the synthetic values", call = call)

  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  rng_kind <- RNGkind()
  settings <- list(method = method, var = var, neighbors = neighbors,
                   over_ratio = over_ratio, m_neighbors = m_neighbors,
                   shrinkage = shrinkage, distance = distance,
                   nominal = nominal, exclude = pred$exclude, clean = clean,
                   clean_neighbors = clean_neighbors, threads = threads)

  checked <- proc.time()[["elapsed"]]
  gen <- generate(pred, yf, n_new, settings, call)
  generated <- proc.time()[["elapsed"]]
  out <- assemble_result(data, pred, gen, settings)
  provenance <- data.frame(
    row = nrow(data) + seq_along(gen$parent),
    class = factor(levels[gen$class], levels = levels),
    parent = gen$parent,
    neighbor = gen$neighbor,
    gap = gen$gap
  )
  removed <- NULL
  if (!is.null(clean)) {
    cleaned <- clean_result(out, var, pred, yf, gen, clean, clean_neighbors,
                            threads, call)
    out <- cleaned$data
    removed <- cleaned$removed
    provenance <- provenance[cleaned$kept_synthetic, , drop = FALSE]
    provenance$row <- cleaned$new_rows
    rownames(provenance) <- NULL
  }
  finished <- proc.time()[["elapsed"]]

  after <- tabulate(factor(out[[var]], levels = levels), length(levels))
  record <- new_record(
    settings = settings, seed = seed, rng_kind = rng_kind, levels = levels,
    counts_before = counts, targets = targets, counts_after = after,
    n_input = nrow(data), pred = pred, provenance = provenance,
    classes = gen$info, removed = removed,
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

sg_methods <- c("smote", "ros", "borderline1", "borderline2", "adasyn",
                "safe_level")

class_targets <- function(counts, ratio) {
  largest <- max(counts)
  targets <- ifelse(is.na(ratio), counts, round(ratio * largest))
  targets <- pmax(targets, counts)
  targets[counts == 0] <- 0
  stats::setNames(as.integer(targets), names(counts))
}

# Run the method class by class: neighbour searches and draws in C.
generate <- function(pred, yf, n_new, settings, call) {
  levels <- levels(yf)
  yi <- as.integer(yf)
  n <- length(yi)
  parts <- vector("list", length(levels))
  info <- vector("list", length(levels))
  notes <- list()
  for (c in which(n_new > 0)) {
    rows <- which(yi == c)
    part <- generate_class(settings$method, pred, yi, c, rows, n_new[[c]],
                           settings, n)
    parts[[c]] <- part$rows
    info[[c]] <- data.frame(class = levels[c], part$info)
    for (nm in names(part$notes)) notes[[nm]] <- c(notes[[nm]], levels[c])
  }
  warnings <- class_warnings(notes, settings, call)
  pick <- function(field, empty) {
    v <- unlist(lapply(parts, `[[`, field), use.names = FALSE)
    if (is.null(v)) empty else v
  }
  info <- do.call(rbind, info)
  list(class = pick("class", integer(0)), parent = pick("parent", integer(0)),
       neighbor = pick("neighbor", integer(0)), gap = pick("gap", double(0)),
       codes = do.call(rbind, c(list(matrix(integer(0), 0, ncol(pred$codes))),
                                lapply(parts, `[[`, "codes"))),
       members = split(seq_len(n), factor(yi, levels = seq_along(levels))),
       info = info, warnings = warnings)
}

class_info <- function(seeds, neighbors_used, made, wanted, danger = NA,
                       noise = NA, safe = NA) {
  list(seeds = as.integer(seeds), danger = as.integer(danger),
       noise = as.integer(noise), safe = as.integer(safe),
       neighbors_used = as.integer(neighbors_used), wanted = as.integer(wanted),
       made = as.integer(made), shortfall = as.integer(wanted - made))
}

# One class: rows are its data rows, G the rows wanted.
generate_class <- function(method, pred, yi, c, rows, G, settings, n) {
  p <- length(rows)
  notes <- list()
  threads <- settings$threads
  if (method == "ros" || p == 1) {
    if (p == 1 && method != "ros") notes$single <- TRUE
    draw <- .Call(ffi_draw_cycle, matrix(1L, p, 0), as.numeric(G), NULL, 0)
    parent <- rows[draw$parent]
    return(list(
      rows = list(class = rep(c, G), parent = parent, neighbor = draw$neighbor,
                  gap = draw$gap,
                  codes = pred$codes[parent, , drop = FALSE]),
      info = class_info(p, 0, G, G), notes = notes))
  }
  k <- min(settings$neighbors, p - 1L)
  if (k < settings$neighbors) notes$small <- TRUE
  within <- knn_rows(pred, rows, k, threads = threads, cls = c)$index
  whole <- function(m) {
    m <- min(m, n - 1L)
    nn <- knn_rows(pred, seq_len(n), m, query = rows, threads = threads, cls = c)
    list(index = nn$index, other = matrix(yi[nn$index] != c, nrow = p), m = m)
  }
  danger <- noise <- safe <- NA
  seeds <- p
  draw_smote <- function() .Call(ffi_draw_cycle, within, as.numeric(G), NULL, 0)
  if (method == "smote") {
    draw <- draw_smote()
  } else if (method %in% c("borderline1", "borderline2")) {
    w <- whole(settings$m_neighbors)
    mprime <- rowSums(w$other)
    is_danger <- mprime >= w$m / 2 & mprime < w$m
    danger <- sum(is_danger)
    noise <- sum(mprime == w$m)
    safe <- sum(mprime < w$m / 2)
    if (danger == 0) {
      notes$no_danger <- TRUE
      draw <- draw_smote()
    } else {
      seeds <- danger
      at <- which(is_danger)
      other <- NULL
      if (method == "borderline2") {
        first <- max.col(w$other[at, , drop = FALSE], ties.method = "first")
        other <- w$index[cbind(at, first)]
      }
      draw <- .Call(ffi_draw_cycle, within[at, , drop = FALSE], as.numeric(G),
                    other, 0.5)
      draw$parent <- at[draw$parent]
    }
  } else if (method == "adasyn") {
    w <- whole(settings$neighbors)
    r <- rowSums(w$other) / w$m
    if (!any(r > 0)) {
      notes$adasyn_flat <- TRUE
      draw <- draw_smote()
    } else {
      alloc <- .Call(ffi_adasyn_alloc, as.double(r), as.numeric(G))
      seeds <- sum(alloc > 0)
      draw <- .Call(ffi_draw_counts, within, alloc)
    }
  } else if (method == "safe_level") {
    w <- whole(settings$neighbors)
    sl <- as.integer(rowSums(!w$other))
    sl_nb <- matrix(sl[match(within, rows)], nrow = p)
    draw <- .Call(ffi_draw_safe_level, within, sl, sl_nb, as.numeric(G))
    seeds <- length(unique(draw$parent))
    if (length(draw$parent) < G) notes$short <- TRUE
  }
  parent_pos <- draw$parent
  made <- length(parent_pos)
  codes <- pred$codes[rows[parent_pos], , drop = FALSE]
  if (ncol(codes) > 0 && made > 0) {
    # each nominal value from the parent and the parent's own-class
    # neighbours (Borderline-2's other-class candidate never lends one)
    cand <- cbind(rows[parent_pos], within[parent_pos, , drop = FALSE])
    codes <- .Call(ffi_draw_nominal, pred$codes, cand,
                   if (settings$nominal == "vote") 1L else 0L)
  }
  list(
    rows = list(class = rep(c, made), parent = rows[parent_pos],
                neighbor = draw$neighbor, gap = draw$gap, codes = codes),
    info = class_info(seeds, k, made, G, danger, noise, safe),
    notes = notes)
}

class_warnings <- function(notes, settings, call) {
  msgs <- c(
    small = "Class(es) %s have no more than `neighbors` = %d rows; each row was paired with all the other rows of its class.",
    single = "Class(es) %s have a single row, which was copied, not interpolated.",
    no_danger = "Class(es) %s have no danger rows (none near the class boundary); plain SMOTE was used.",
    adasyn_flat = "Class(es) %s have no rows of other classes among any row's neighbours; ADASYN has nothing to weight, plain SMOTE was used.",
    short = "Class(es) %s ran out of usable parent-neighbour pairs (both of safe level 0) and fall short of their target; see `sg_record(result)$classes`."
  )
  out <- character(0)
  for (nm in names(notes)) {
    cls <- paste0("`", notes[[nm]], "`", collapse = ", ")
    msg <- if (nm == "small") sprintf(msgs[[nm]], cls, settings$neighbors)
           else sprintf(msgs[[nm]], cls)
    out <- c(out, msg)
    sg_warn(msg, class = c(small = "small_class", single = "single_row",
                           no_danger = "fallback", adasyn_flat = "fallback",
                           short = "shortfall")[[nm]], call = call)
  }
  out
}

# The result: the rows of `data`, then the synthetic rows. Indexing `data`
# by parent keeps every column's type, levels and the data frame's class
# (and copies excluded columns from the parent); numeric predictors are
# then overwritten with interpolated values and nominal ones with drawn
# values.
assemble_result <- function(data, pred, gen, settings) {
  n <- nrow(data)
  G <- length(gen$parent)
  automatic <- .row_names_info(data) < 0
  out <- data[c(seq_len(n), gen$parent), , drop = FALSE]
  if (G > 0) {
    idx <- n + seq_len(G)
    if (ncol(pred$x) > 0) {
      values <- .Call(ffi_interpolate, pred$x, as.integer(gen$parent),
                      as.integer(gen$neighbor), as.double(gen$gap))
      if (settings$method == "ros" && settings$shrinkage > 0) {
        values <- add_smoothing(values, pred, gen, settings$shrinkage)
      }
      for (j in seq_along(pred$names)) {
        out[[pred$names[j]]][idx] <- typed_values(values[, j], pred$kind[[j]],
                                                  pred$levels[[j]])
      }
    }
    for (j in seq_along(pred$nominal)) {
        col <- pred$nominal[j]
        lv <- pred$nominal_levels[[j]]
        v <- lv[gen$codes[, j]]
        if (is.logical(data[[col]])) v <- as.logical(v)
        out[[col]][idx] <- v
    }
  }
  if (automatic) {
    attr(out, "row.names") <- .set_row_names(n + G)
  } else {
    attr(out, "row.names") <- make.unique(c(as.character(attr(data, "row.names")),
                                             paste0("synthetic_", seq_len(G))))
  }
  out
}

typed_values <- function(v, kind, levels) {
  switch(kind,
    integer = as.integer(round(v)),
    ordered = factor(levels[pmin(pmax(round(v), 1), length(levels))],
                     levels = levels, ordered = TRUE),
    v)
}

# The smoothed bootstrap's noise: per class and numeric column,
# shrinkage * (4 / ((d + 2) n_c))^(1 / (d + 4)) * sd_c.
add_smoothing <- function(values, pred, gen, shrinkage) {
  d <- ncol(pred$x)
  sd_mat <- matrix(0, nrow = length(gen$class), ncol = d)
  for (c in unique(gen$class)) {
    members <- gen$members[[c]]
    sds <- apply(pred$x[members, , drop = FALSE], 2, stats::sd, na.rm = TRUE)
    sds[!is.finite(sds)] <- 0
    h <- shrinkage * (4 / ((d + 2) * length(members)))^(1 / (d + 4))
    mine <- gen$class == c
    sd_mat[mine, ] <- rep(h * sds, each = sum(mine))
  }
  .Call(ffi_add_noise, values, sd_mat)
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
