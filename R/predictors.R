# Predictors: what each column is, the matrices the C core reads, and the
# distance they define. Built once per call and kept (in part) in the record.

bare_kinds <- c(double = "double", integer = "integer", character = "nominal",
                logical = "nominal")

column_kind <- function(col) {
  # the common case first: a bare vector (no class, dim or levels)
  if (is.null(attributes(col))) {
    kind <- bare_kinds[typeof(col)]
    return(if (is.na(kind)) "unsupported" else unname(kind))
  }
  if (!is.null(dim(col)) || is.list(col)) return("unsupported")
  if (inherits(col, c("Date", "POSIXt", "difftime"))) return("date")
  if (is.ordered(col)) return("ordered")
  if (is.factor(col) || is.character(col) || is.logical(col)) return("nominal")
  if (is.object(col)) return("unsupported")
  if (is.integer(col)) return("integer")
  if (is.double(col)) return("double")
  "unsupported"
}

prepare_predictors <- function(data, var, exclude = NULL, distance = "euclidean",
                               y = NULL, keep_out = NULL, call = NULL,
                               threads = 1L) {
  n <- .row_names_info(data, 2L)  # nrow() without its dispatch
  if (n == 0) sg_abort("`data` has no rows.", call = call)
  if (!is.null(exclude)) check_exclude(exclude, data, var, call)
  # the columns as a plain list: `[.data.frame` costs more than the
  # lookups it does here
  cols <- unclass(data)
  all_names <- names(cols)
  # (the names are unique: the entry points check them)
  found <- predictor_kinds(cols, all_names[match(all_names, c(var, exclude, keep_out), 0L) == 0L],
                           call)
  names <- found$names
  kinds <- found$kinds
  is_num <- kinds == "double" | kinds == "integer" | kinds == "ordered"
  num_names <- names[is_num]
  nom_names <- names[kinds == "nominal"]
  ordered <- any(kinds == "ordered")
  x <- numeric_matrix(cols[num_names], n, num_names, threads)
  stats <- column_stats(x, threads = threads)
  check_finite_predictors(x, stats, num_names, call)
  x_na <- anyNA(x)
  if (x_na) x[is.nan(x)] <- NA_real_
  nom_levels <- cols[nom_names]  # (no lapply() without nominal columns)
  if (length(nom_names) > 0L) nom_levels <- lapply(nom_levels, value_levels)
  codes <- nominal_codes(cols[nom_names], nom_levels, n, nom_names)
  scaling <- predictor_scaling(stats, distance, num_names)
  has_na <- x_na || anyNA(codes)
  pred <- list(
    x = x, names = num_names, stats = stats,
    kind = kinds[is_num],
    # bare double and integer vectors (no attributes): the result appends
    # their synthetic values as they are (assemble_result())
    plain = unname(found$bare[is_num] & kinds[is_num] != "ordered"),
    levels = if (!ordered) `names<-`(vector("list", length(num_names)), num_names)
             else lapply(cols[num_names], function(col) if (is.ordered(col)) levels(col)),
    center = scaling$center, scale = scaling$scale,
    codes = codes, nominal = nom_names, nominal_levels = nom_levels,
    exclude = all_names[match(all_names, c(var, names, keep_out), 0L) == 0L],
    keep_out = keep_out,
    distance = distance, has_na = has_na,
    mixed = length(nom_names) > 0 || has_na || distance == "gower"
  )
  if (pred$mixed) pred$z <- standardized(pred)
  if (!is.null(y)) pred$penalty <- nominal_penalty(pred, y)
  if (!is.null(y) && !any(scaling$scale > 0) && length(nom_names) > 0 &&
      distance == "euclidean") {
    pred$vdm <- vdm_costs(codes, y, nom_levels)
  }
  pred
}

# `exclude`: NULL or names of columns of `data`, not the outcome.
check_exclude <- function(exclude, data, var, call = NULL) {
  if (!is.character(exclude) || anyNA(exclude)) {
    sg_abort(c("`exclude` must be NULL or a character vector of column names.",
               sprintf("It is %s.", describe(exclude))), call = call)
  }
  unknown <- setdiff(exclude, names(data))
  if (length(unknown) > 0) {
    sg_abort(c(sprintf("`exclude` names column(s) not in `data`: %s.",
                       paste0("`", unknown, "`", collapse = ", ")),
               "Check the spelling."), call = call)
  }
  if (var %in% exclude) {
    sg_abort("`exclude` must not name the outcome column.", call = call)
  }
  invisible()
}

# The predictor columns `names` of `cols` (the data's columns) and what
# each is (column_kind()), whether each is a bare vector, refusing columns
# of other types; date columns are left out with a message.
predictor_kinds <- function(cols, names, call = NULL) {
  # bare vectors (the common case) by type in one C call (0: a column with
  # attributes); column_kind() for the rest
  cols <- cols[names]
  code <- .Call(ffi_predictors_kinds, cols)
  kinds <- c(NA, "double", "integer", "nominal", "unsupported")[code + 1L]
  bare <- code > 0L
  if (!all(bare)) kinds[!bare] <- vapply(cols[!bare], column_kind, "")
  names(kinds) <- names(bare) <- names
  if (any(kinds == "unsupported")) {
    bad <- names[kinds == "unsupported"]
    what <- vapply(cols[bad], function(col) class(col)[1], character(1))
    sg_abort(c(sprintf("Predictor column(s) of a type smoteguard cannot use: %s.",
                       paste0("`", bad, "` (", what, ")", collapse = ", ")),
               "Convert them to numeric, factor, character or logical, or name them in `exclude` to copy them from the parent row."),
             call = call)
  }
  dates <- kinds == "date"
  if (any(dates)) {
    message(sprintf("Date column(s) %s are kept out of the distance and copied from the parent row (name them in `exclude` to silence this).",
                    paste0("`", names[dates], "`", collapse = ", ")))
    names <- names[!dates]
    kinds <- kinds[!dates]
    bare <- bare[!dates]
  }
  if (length(names) == 0) {
    sg_abort(c("`data` has no predictor columns to measure distance on.",
               "Oversampling needs at least one numeric, factor, character or logical predictor."),
             call = call)
  }
  list(names = names, kinds = kinds, bare = bare)
}

# The numeric predictors as an n x p double matrix: unlist() and
# as.double()'s values (an ordered factor's codes), made in C
# (src/memory.c) so that its fresh memory gets huge pages, its columns
# shared among `threads`.
numeric_matrix <- function(cols, n, names, threads = 1L) {
  x <- .Call(ffi_predictors_matrix, cols, n, threads %||% NA_integer_)
  dimnames(x) <- list(NULL, names)
  x
}

# A column holds an infinite value exactly when its minimum is -Inf or its
# maximum Inf (`stats`: column_stats() of x).
check_finite_predictors <- function(x, stats, names, call = NULL) {
  if (!any(stats$min == -Inf | stats$max == Inf)) return(invisible())
  bad <- which(is.infinite(x), arr.ind = TRUE)
  sg_abort(c(sprintf("Predictors must not contain Inf or -Inf; %d value(s) do.", nrow(bad)),
             sprintf("In column(s) %s, first in row %d.",
                     paste0("`", unique(names[bad[, 2]]), "`", collapse = ", "),
                     bad[1, 1]),
             "Replace them (NA is allowed: missing values are skipped in distances)."),
           call = call)
}

# A nominal column's levels: a factor's own, FALSE/TRUE, or the sorted values.
value_levels <- function(col) {
  if (is.factor(col)) levels(col)
  else if (is.logical(col)) c("FALSE", "TRUE")
  else sort(unique(col[!is.na(col)]))
}

# The nominal predictors as an n x q integer matrix of level codes.
nominal_codes <- function(cols, levels, n, names) {
  codes <- if (length(names) == 0) integer(0)
           else as.integer(unlist(Map(function(col, lv) match(as.character(col), lv),
                                      cols, levels), use.names = FALSE))
  dim(codes) <- c(n, length(names))
  dimnames(codes) <- list(NULL, names)
  codes
}

# The centre and scale of each numeric predictor: mean and sd, or for
# Gower's distance minimum and range. A constant (or all-missing) column
# carries no distance information: scale 0.
predictor_scaling <- function(stats, distance, names) {
  if (distance == "gower") {
    center <- stats$min
    scale <- stats$max - stats$min
  } else {
    center <- stats$mean
    scale <- stats$sd
  }
  center <- as.numeric(center)
  scale <- as.numeric(scale)
  scale[!is.finite(scale) | scale <= 0] <- 0
  center[!is.finite(center)] <- 0
  names(center) <- names(scale) <- names
  list(center = center, scale = scale)
}

# Per column of a numeric matrix (over all rows, or the rows numbered in
# `rows`): mean, standard deviation, minimum, maximum (Inf / -Inf when all
# missing) and missing count, NA-aware; those of mean(), sd(), min(),
# max() with na.rm = TRUE, in C; large matrices column by column on
# `threads` (the same values on any number).
column_stats <- function(x, rows = NULL, threads = 1L) {
  if (!is.double(x)) storage.mode(x) <- "double"
  .Call(ffi_stats_columns, x, if (!is.null(rows)) as.integer(rows), threads)
}

# The numeric predictors (or candidate rows `x` of them) on the distance's
# scale, weight-0 columns dropped. The centre and scale repeated down the
# rows give sweep()'s values without its aperm() copies.
standardized <- function(pred, x = pred$x) {
  keep <- pred$scale > 0
  if (!all(keep)) x <- x[, keep, drop = FALSE]
  n <- nrow(x)
  z <- (x - rep(pred$center[keep], each = n)) / rep(pred$scale[keep], each = n)
  dimnames(z) <- NULL
  z
}

# SMOTE-NC's penalty per class: Med^2, Med the median of the standard
# deviations of the class's numeric columns on the standardised scale.
nominal_penalty <- function(pred, y) {
  lv <- levels(y)
  if (length(pred$nominal) == 0 || ncol(pred$z) == 0) {
    out <- rep(1, length(lv))
    names(out) <- lv
    return(out)
  }
  yi <- as.integer(y)
  out <- vapply(seq_along(lv), function(j) {
    rows <- which(yi == j)
    if (length(rows) < 2) return(NA_real_)
    stats::median(column_stats(pred$z, rows)$sd, na.rm = TRUE)^2
  }, numeric(1))
  # a class too small to have a spread borrows the data's (1 after scaling)
  out[!is.finite(out)] <- 1
  stats::setNames(out, lv)
}

# The value difference metric of SMOTE-N: for values a, b of one column,
# sum over classes of |P(class | a) - P(class | b)|.
vdm_costs <- function(codes, y, levels) {
  lapply(seq_len(ncol(codes)), function(j) {
    tab <- table(factor(codes[, j], levels = seq_along(levels[[j]])), y)
    prob <- tab / pmax(rowSums(tab), 1)
    m <- as.matrix(stats::dist(unclass(prob), method = "manhattan"))
    dimnames(m) <- NULL
    m
  })
}

# The cost matrices and metric of the mixed distance for class `cls`
# (NULL: the whole data, penalty 1 on the standardised scale).
mixed_costs <- function(pred, cls = NULL) {
  if (!is.null(pred$vdm)) return(list(cost = pred$vdm, metric = 1L))
  if (pred$distance == "gower") {
    cost <- lapply(pred$nominal_levels, function(lv) {
      m <- 1 - diag(length(lv))
      storage.mode(m) <- "double"
      m
    })
    return(list(cost = unname(cost), metric = 1L))
  }
  pen <- if (is.null(cls) || is.null(pred$penalty)) 1 else pred$penalty[[cls]]
  cost <- lapply(pred$nominal_levels, function(lv) {
    m <- pen * (1 - diag(length(lv)))
    storage.mode(m) <- "double"
    m
  })
  list(cost = unname(cost), metric = 0L)
}
