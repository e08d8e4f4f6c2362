# Argument checks shared by every entry point. Each raises a classed
# condition whose message names the argument, what was expected, what was
# given and how to fix it, before any work reaches the C core.

# sg_abort() and sg_warn(), which raise them, are in conditions.R.

# The outcome as classes: its levels (a factor's own, else its sorted
# values), the outcome as a factor of them and the rows per class. An
# outcome with fewer than two classes with rows is refused (`task`, e.g.
# "Oversampling", names what needs two).
outcome_classes <- function(data, var, task, call = NULL) {
  y <- .subset2(data, var)  # the column, without `[[`'s dispatch
  # (a factor's levels attribute: levels() dispatches to it)
  levels <- if (is.factor(y)) attr(y, "levels") else sort(unique(y))
  yf <- if (is.factor(y) && is.null(names(y)) && !anyNA(levels)) {
    # the factor's own codes: what factor(y, levels(y)) gives, without its
    # matching of every value
    f <- codes_factor(y, levels)
    if (inherits(y, "ordered")) class(f) <- c("ordered", "factor")  # is.ordered()
    f
  } else {
    factor(y, levels = levels)
  }
  # (names set in place: stats::setNames() costs two more calls)
  counts <- tabulate(yf, nbins = length(levels))
  names(counts) <- levels
  if (sum(counts > 0) < 2) {
    sg_abort(c(sprintf("The outcome `%s` has only one class with rows (%s).",
                       var, paste(levels[counts > 0], collapse = ", ")),
               sprintf("%s needs at least two classes.", task)), call = call)
  }
  list(levels = levels, yf = yf, counts = counts)
}

# A short description of what was given, for messages.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (is.data.frame(x)) return(sprintf("a data frame with %d rows", nrow(x)))
  if (is.function(x)) return("a function")
  if (is.matrix(x)) {
    return(sprintf("%s %s matrix (%d x %d)", article(typeof(x)), typeof(x),
                   nrow(x), ncol(x)))
  }
  if (is.object(x)) {
    return(sprintf("%s %s object of length %d", article(class(x)[1]),
                   class(x)[1], length(x)))
  }
  if (length(x) == 1 && is.atomic(x)) {
    shown <- if (is.character(x) && !is.na(x)) sprintf("\"%s\"", x) else format(x)
    return(sprintf("%s (%s)", shown, typeof(x)))
  }
  sprintf("%s %s of length %d", article(typeof(x)), typeof(x), length(x))
}

article <- function(word) if (grepl("^[aeiouAEIOU]", word)) "an" else "a"

check_data_frame <- function(data, arg = "data", call = NULL) {
  if (!is.data.frame(data)) {
    sg_abort(c(sprintf("`%s` must be a data frame.", arg),
               sprintf("It is %s.", describe(data)),
               "Convert it with `as.data.frame()`."), call = call)
  }
  nms <- names(data)
  if (is.null(nms) || anyNA(nms) || any(nms == "")) {
    sg_abort(c(sprintf("Every column of `%s` must have a name.", arg),
               "Name the columns, e.g. with `names(data) <- make.names(...)`."),
             call = call)
  }
  if (.row_names_info(data, 2L) == 0) {  # nrow() without its dispatch
    sg_abort(c(sprintf("`%s` has no rows.", arg),
               "Pass a data frame with rows of at least two classes; if it was filtered or joined, check that this kept some rows."),
             call = call)
  }
  # anyDuplicated() first: the names of the duplicates are only needed for
  # the message
  if (anyDuplicated(nms) > 0) {
    dup <- unique(nms[duplicated(nms)])
    sg_abort(c(sprintf("Column names of `%s` must be unique.", arg),
               sprintf("Duplicated: %s.", paste0("`", dup, "`", collapse = ", ")),
               "Rename them, e.g. with `make.unique()`."), call = call)
  }
  invisible(data)
}

check_var <- function(data, var, call = NULL) {
  if (missing(var) || is.null(var)) {
    sg_abort(c("`var` is missing: name the outcome column.",
               "For example `var = \"diagnosis\"`."), call = call)
  }
  if (!is.character(var) || length(var) != 1 || is.na(var)) {
    sg_abort(c("`var` must be a single column name (a string).",
               sprintf("It is %s.", describe(var))), call = call)
  }
  check_column_present(var, "var", data, call)
  y <- .subset2(data, var)  # (`var` is in names(data): the column itself)
  if (!is.factor(y) && !is.character(y)) {
    sg_abort(c(sprintf("The outcome column `%s` must be a factor or character.", var),
               sprintf("It is %s.", describe(y)),
               "Convert it with `factor()`."), call = call)
  }
  check_no_missing(y, "The outcome column", var, "Drop or label those rows first.", call)
  invisible(var)
}

# Stops when the column `name` (`what`: "The outcome column", ...) has
# missing values, naming their rows; `fix` says what to do about them.
check_no_missing <- function(v, what, name, fix, call = NULL) {
  if (!anyNA(v)) return(invisible())
  bad <- which(is.na(v))
  sg_abort(c(sprintf("%s `%s` has %d missing value(s), in row(s) %s.",
                     what, name, length(bad), row_list(bad)),
             fix), call = call)
}

row_list <- function(rows, max = 5) {
  s <- paste(utils::head(rows, max), collapse = ", ")
  if (length(rows) > max) s <- paste0(s, ", ...")
  s
}

# A whole number >= min (neighbors, k).
check_count <- function(x, arg, min = 1, call = NULL) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) &&
    x == round(x) && x >= min && x <= .Machine$integer.max
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be a whole number from %d to %d.", arg, min,
                       .Machine$integer.max),
               sprintf("It is %s.", describe(x))), call = call)
  }
  as.integer(x)
}

check_seed <- function(seed, call = NULL, allow_null = TRUE,
                       hint = "Use e.g. `seed = 42`, or `set.seed()` before the call.") {
  if (is.null(seed) && allow_null) return(NULL)
  ok <- is.numeric(seed) && length(seed) == 1 && !is.na(seed) &&
    is.finite(seed) && seed == round(seed) && abs(seed) <= .Machine$integer.max
  if (!ok) {
    sg_abort(c(sprintf("`seed` must be %sa single whole number.",
                       if (allow_null) "NULL or " else ""),
               sprintf("It is %s.", describe(seed)), hint),
             call = call)
  }
  as.integer(seed)
}

# over_ratio: one positive number, or a named vector of positive numbers
# naming classes of the outcome. Returns the ratio per level (NA: leave the
# class as it is).
check_over_ratio <- function(over_ratio, levels, call = NULL) {
  ok <- is.numeric(over_ratio) && length(over_ratio) >= 1 &&
    !anyNA(over_ratio) && all(is.finite(over_ratio)) && all(over_ratio > 0)
  if (!ok) {
    sg_abort(c("`over_ratio` must be positive numbers (no NA, 0 or Inf).",
               sprintf("It is %s.", describe(over_ratio)),
               "Use e.g. `over_ratio = 1` to balance every class."), call = call)
  }
  nms <- names(over_ratio)
  if (is.null(nms)) {
    if (length(over_ratio) != 1) {
      sg_abort(c("`over_ratio` must be one number, or a vector named by class.",
                 sprintf("It has %d unnamed values.", length(over_ratio))),
               call = call)
    }
    out <- rep(as.numeric(over_ratio), length(levels))
    names(out) <- levels
    return(out)
  }
  if (anyNA(nms) || any(nms == "") || anyDuplicated(nms)) {
    sg_abort("Every value of a named `over_ratio` needs its own class name.",
             call = call)
  }
  unknown <- setdiff(nms, levels)
  if (length(unknown) > 0) {
    sg_abort(c(sprintf("`over_ratio` names unknown class(es): %s.",
                       paste0("`", unknown, "`", collapse = ", ")),
               sprintf("Classes are: %s.", paste(levels, collapse = ", "))),
             call = call)
  }
  out <- rep(NA_real_, length(levels))
  names(out) <- levels
  out[nms] <- as.numeric(over_ratio)
  out
}

check_method <- function(method, choices, call = NULL) {
  if (!is.character(method) || length(method) != 1 || is.na(method) ||
      !method %in% choices) {
    sg_abort(c(sprintf("`method` must be one of %s.",
                       paste0("\"", choices, "\"", collapse = ", ")),
               sprintf("It is %s.", describe(method))), call = call)
  }
  method
}

# The numeric matrix of sg_knn(): double or integer, finite, no NA.
check_numeric_matrix <- function(x, arg, call = NULL) {
  if (is.data.frame(x)) {
    ok_cols <- vapply(x, function(col) is.numeric(col) && !is.object(col), logical(1))
    if (!all(ok_cols)) {
      sg_abort(c(sprintf("Every column of `%s` must be numeric.", arg),
                 sprintf("Not numeric: %s.", paste0("`", names(x)[!ok_cols], "`", collapse = ", ")),
                 "Drop those columns, or convert them with `as.numeric()`."),
               call = call)
    }
    x <- as.matrix(x)
  }
  if (is.numeric(x) && is.null(dim(x)) && !is.object(x)) x <- matrix(x, ncol = 1)
  if (!is.matrix(x) || !(is.double(x) || is.integer(x)) || is.object(x)) {
    sg_abort(c(sprintf("`%s` must be a numeric matrix.", arg),
               sprintf("It is %s.", describe(x)),
               "Convert it with `as.matrix()` on numeric columns."), call = call)
  }
  if (ncol(x) == 0) {
    sg_abort(sprintf("`%s` has no columns: there is nothing to measure distance on.", arg),
             call = call)
  }
  if (anyNA(x) || any(is.infinite(x))) {
    bad <- which(!is.finite(x), arr.ind = TRUE)
    sg_abort(c(sprintf("`%s` must not contain NA, NaN or Inf.", arg),
               sprintf("Found %d, first in row %d, column %d.",
                       nrow(bad), bad[1, 1], bad[1, 2]),
               "Remove or impute those values first."), call = call)
  }
  if (length(x) > 0 && max(abs(x)) > 1e148) {
    sg_abort(c(sprintf("`%s` holds values beyond 1e148 in absolute value.", arg),
               "Their squared distances would overflow; rescale the columns first."),
             call = call)
  }
  storage.mode(x) <- "double"
  x
}

check_threads <- function(threads = getOption("smoteguard.threads"), call = NULL) {
  if (is.null(threads)) return(NA_integer_)
  ok <- is.numeric(threads) && length(threads) == 1 && !is.na(threads) &&
    threads == round(threads) && threads >= 1 && threads <= 1024
  if (!ok) {
    # the value may come from the option (the argument's default): say so
    from <- if (identical(threads, getOption("smoteguard.threads"))) {
      " (here from `options(smoteguard.threads)`)"
    } else ""
    sg_abort(c(sprintf("`threads`%s must be a whole number from 1 to 1024, or NULL.", from),
               sprintf("It is %s.", describe(threads)),
               "Use e.g. `threads = 2`, or `threads = NULL` for the default count (see `sg_threads()`)."),
             call = call)
  }
  as.integer(threads)
}

# One finite number >= min.
check_number <- function(x, arg, min = -Inf, call = NULL) {
  ok <- is.numeric(x) && length(x) == 1 && !is.na(x) && is.finite(x) && x >= min
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be a single finite number of at least %s.", arg, format(min)),
               sprintf("It is %s.", describe(x))), call = call)
  }
  as.numeric(x)
}

# A single number in [lower, upper] (`open_lower`: in (lower, upper]).
check_between <- function(x, arg, lower, upper, open_lower = FALSE, call = NULL) {
  ok <- is.numeric(x) && length(x) == 1 && is.finite(x) && x <= upper &&
    (if (open_lower) x > lower else x >= lower)
  if (!ok) {
    sg_abort(c(sprintf("`%s` must be a single number in %s%s, %s%s.", arg,
                       if (open_lower) "(" else "[", format(lower), format(upper),
                       if (is.finite(upper)) "]" else ")"),
               sprintf("It is %s.", describe(x))), call = call)
  }
  as.numeric(x)
}

# One of a set of strings; a vector of choices (the function's default)
# means the first.
check_choice <- function(x, arg, choices, call = NULL) {
  if (identical(x, choices)) return(choices[1])
  if (!is.character(x) || length(x) != 1 || is.na(x) || !any(choices == x)) {
    sg_abort(c(sprintf("`%s` must be one of %s.", arg,
                       paste0("\"", choices, "\"", collapse = ", ")),
               sprintf("It is %s.", describe(x))), call = call)
  }
  x
}

# A column argument that is not NULL (`x`, given as `arg`): the name of one
# column of `data`.
check_data_column <- function(x, arg, data, call = NULL) {
  if (!is.character(x) || length(x) != 1 || is.na(x)) {
    sg_abort(c(sprintf("`%s` must be NULL or the name of one column of `data`.", arg),
               sprintf("It is %s.", describe(x))), call = call)
  }
  check_column_present(x, arg, data, call)
}

# A column name (`x`, given as `arg`) that must be one of `data`'s.
check_column_present <- function(x, arg, data, call = NULL) {
  # (`x` is one string, not NA: its callers check that first)
  if (!any(names(data) == x)) {
    sg_abort(c(sprintf("`%s` names column `%s`, which is not in `data`.", arg, x),
               sprintf("Columns are: %s.", paste(names(data), collapse = ", "))),
             call = call)
  }
  invisible(x)
}

# The grouping column: integer codes per row (NA: no group), or NULL.
check_groups <- function(groups, data, var, exclude, call = NULL) {
  if (is.null(groups)) return(NULL)
  check_data_column(groups, "groups", data, call)
  if (groups == var) sg_abort("`groups` must not be the outcome column.", call = call)
  g <- data[[groups]]
  if (!is.atomic(g) || !is.null(dim(g))) {
    sg_abort(sprintf("The `groups` column `%s` must be a plain vector.", groups), call = call)
  }
  as.integer(factor(g))
}

# The case weights column of sg_oversample(): importance weights (or plain
# numbers) are copied from each synthetic row's parent; frequency weights
# are refused, since the draw cannot take a row w times as often as
# weight 1 (see ?sg_oversample).
check_weights <- function(weights, data, var, groups, call = NULL) {
  if (is.null(weights)) return(invisible())
  check_data_column(weights, "weights", data, call)
  if (weights %in% c(var, groups)) {
    sg_abort(sprintf("`weights` must not be the %s column.",
                     if (weights == var) "outcome" else "`groups`"), call = call)
  }
  w <- data[[weights]]
  if (inherits(w, "hardhat_frequency_weights")) {
    sg_abort(c(sprintf("The case weights `%s` are frequency weights, which smoteguard does not honour.", weights),
               "A row of weight w would count as w rows of its class and be drawn as a parent w times as often; the draw gives every parent the same chance, and copying the weight to synthetic rows would count it twice.",
               "Expand the rows first (e.g. `tidyr::uncount()`) and drop the weights, or use importance weights (`hardhat::importance_weights()`), which synthetic rows take from their parent."),
             class = "case_weights", call = call)
  }
  v <- if (is.object(w)) unclass(w) else w
  if (!is.numeric(v) || !is.null(dim(v)) || anyNA(v) || any(!is.finite(v)) || any(v < 0)) {
    sg_abort(c(sprintf("The case weights column `%s` must hold finite numbers, none negative or missing.", weights),
               sprintf("It is %s%s.", describe(w), weight_problems(v)),
               "Give every row a weight (1 for an ordinary row)."),
             class = "case_weights", call = call)
  }
  invisible()
}

weight_problems <- function(v) {
  if (!is.numeric(v)) return("")
  n <- c(missing = sum(is.na(v)), infinite = sum(is.infinite(v)),
         negative = sum(v < 0, na.rm = TRUE))
  n <- n[n > 0]
  if (length(n) == 0) return("")
  paste0(" with ", paste(n, names(n), collapse = ", "))
}

# Names in `nms` that are not among `allowed`: an error naming them, what
# they were given to (`what`) and what is allowed (`note` says why).
check_known_names <- function(nms, allowed, what, note, call = NULL) {
  unknown <- setdiff(nms, allowed)
  if (length(unknown) > 0) {
    sg_abort(c(sprintf("%s names unknown argument(s)%s: %s.", what[1],
                       if (length(what) > 1) what[2] else "",
                       paste0("`", unknown, "`", collapse = ", ")),
               sprintf("Allowed: %s; %s.", paste0("`", allowed, "`", collapse = ", "), note)),
             call = call)
  }
  invisible()
}
