#' A sampler configuration, as a value
#'
#' `sg_sampler()` states one way of resampling a training set: a registered
#' method (see [sg_methods()]) and every argument of the function that runs
#' it ([sg_oversample()], [sg_clean()] or [sg_undersample()]), with the
#' defaults filled in and checked now, before any data is seen. The value
#' is what an evaluation compares, what the ledger and the configuration
#' files keep, and what a rollback returns. `sg_sampler("none")` is no
#' resampling: the training rows as they are.
#'
#' @param method A method of [sg_methods()], or `"none"`.
#' @param ... Arguments of the function that runs the method, by name
#'   (for `"smote"`: `neighbors`, `over_ratio`, `guard`, `constraints`, ...).
#'   `data` and `var` are given when the sampler runs.
#' @param label A short name for tables and plots; by default the method.
#' @return An object of class `sg_sampler`: a list with `method`,
#'   `family`, `entry` (the function that runs it), `args` (every argument,
#'   defaults resolved) and `label`.
#' @seealso [sg_resample()] runs one on data.
#' @examples
#' s <- sg_sampler("smote", neighbors = 3, guard = NULL, seed = 1)
#' s
#' res <- sg_resample(s, breast_biopsy, "diagnosis")
#' table(res$diagnosis)
#' sg_sampler("none")
#' @export
sg_sampler <- function(method = "smote", ..., label = NULL) {
  call <- sys.call()
  choices <- c("none", method_names())
  method <- check_method(method, choices, call = call)
  args <- list(...)
  nms <- names(args)
  if (length(args) > 0 &&
      (is.null(nms) || anyNA(nms) || any(nms == "") || anyDuplicated(nms))) {
    sg_abort(c("Every argument in `...` must be named, once.",
               "For example `sg_sampler(\"smote\", neighbors = 5)`."), call = call)
  }
  if (!is.null(label) && (!is.character(label) || length(label) != 1 || is.na(label))) {
    sg_abort(c("`label` must be a single string.", sprintf("It is %s.", describe(label))),
             call = call)
  }
  if (method == "none") {
    if (length(args) > 0) {
      sg_abort(c("`sg_sampler(\"none\")` takes no arguments: it leaves the rows as they are.",
                 sprintf("Given: %s.", paste0("`", nms, "`", collapse = ", "))), call = call)
    }
    return(new_sampler("none", "none", "none", list(), label %||% "none"))
  }
  def <- sampler_method(method)
  entry <- sampler_entry(def$family)
  fun <- get(entry, mode = "function")
  allowed <- setdiff(names(formals(fun)), c("data", "var", "method"))
  check_known_names(nms, allowed, c("`...`", sprintf(" of `%s()`", entry)),
                    "the data and the outcome are given when the sampler runs", call = call)
  # every argument, the defaults evaluated now (sg_guard(), sg_constraints()),
  # except `threads`, which never changes a result and is left to the machine
  # that runs it
  resolved <- list()
  for (nm in setdiff(allowed, "threads")) {
    resolved[nm] <- list(if (nm %in% nms) args[[nm]] else resolve_default(fun, nm))
  }
  if ("threads" %in% nms) resolved["threads"] <- list(args$threads)
  # the numeric-outcome methods take no guard: sg_oversample()'s default
  # guard is for classes
  if (def$family == "regress" && !"guard" %in% nms) resolved["guard"] <- list(NULL)
  check_sampler_args(def, resolved, call)
  new_sampler(method, def$family, entry, resolved, label %||% method)
}

`%||%` <- function(x, y) if (is.null(x)) y else x

new_sampler <- function(method, family, entry, args, label) {
  structure(list(method = method, family = family, entry = entry, args = args,
                 label = label, version = session_versions()$package),
            class = "sg_sampler")
}

sampler_entry <- function(family) {
  c(interpolate = "sg_oversample", copy = "sg_oversample", clean = "sg_clean",
    undersample = "sg_undersample", regress = "sg_oversample")[[family]]
}

# A formal argument's default, evaluated in the package's namespace. The
# choice-vector defaults (method = c("tomek", "enn"), ...) mean their first
# element, as the functions read them.
resolve_default <- function(fun, name) {
  expr <- formals(fun)[[name]]
  value <- eval(expr, envir = environment(fun))
  if (is.character(value) && length(value) > 1) value <- value[1]
  value
}

# The checks that need no data: the method's own parameters by their
# registered checks, and the common arguments by the entry point's checks.
check_sampler_args <- function(def, args, call) {
  check_method_params(def$name, args[intersect(names(def$params), names(args))], call = call)
  if (!is.null(args$neighbors)) check_count(args$neighbors, "neighbors", call = call)
  if (!is.null(args$seed)) check_seed(args$seed, call = call)
  if ("threads" %in% names(args)) check_threads(args$threads, call = call)
  if (!is.null(args$over_ratio)) check_over_ratio(args$over_ratio, names(args$over_ratio), call = call)
  if (def$family %in% oversampling_families) {
    check_guard_types(args$guard, args$constraints, call)
  } else {
    check_no_guard(args$guard, def$name, call = call)
  }
  invisible(args)
}

#' Run a sampler configuration on data
#'
#' @param sampler A configuration made by [sg_sampler()].
#' @param data A data frame with the outcome and the predictors.
#' @param var The name of the outcome column.
#' @param seed `NULL` to keep the configuration's seed, or a whole number
#'   that replaces it (an evaluation gives each fold its own).
#' @return The result of the method's function (a data frame with its
#'   record); for `sg_sampler("none")`, `data` unchanged.
#' @examples
#' s <- sg_sampler("borderline1", m_neighbors = 8)
#' res <- sg_resample(s, breast_biopsy, "diagnosis", seed = 2)
#' sg_record(res)$settings$m_neighbors
#' @export
sg_resample <- function(sampler, data, var, seed = NULL) {
  call <- sys.call()
  if (!inherits(sampler, "sg_sampler")) {
    sg_abort(c("`sampler` must be made by `sg_sampler()`.",
               sprintf("It is %s.", describe(sampler))), call = call)
  }
  if (sampler$method == "none") {
    check_data_frame(data, call = call)
    check_var(data, var, call = call)
    return(data)
  }
  args <- sampler$args
  if (!is.null(seed)) args$seed <- check_seed(seed, call = call)
  origin <- sampler$origin
  if (!is.null(origin)) {
    # a configuration from a file or the ledger (sg_config_load(),
    # sg_rollback()): says when it cannot reproduce its result, and runs
    # with the random number generator it was made with
    check_data_frame(data, call = call)
    check_origin(sampler, data, seed, call)
    kind <- origin$rng_kind
    if (is.character(kind) && length(kind) == 3 && !identical(kind, RNGkind())) {
      old <- RNGkind()
      on.exit(suppressWarnings(do.call(RNGkind, as.list(old))), add = TRUE)
      suppressWarnings(do.call(RNGkind, as.list(kind)))
    }
  }
  fun <- get(sampler$entry, mode = "function")
  eval(as.call(c(list(fun, quote(data), var, method = sampler$method), args)))
}

#' @export
print.sg_sampler <- function(x, ...) {
  cat(sprintf("<smoteguard sampler> %s", x$label))
  if (x$label != x$method) cat(sprintf(" (method \"%s\")", x$method))
  cat("\n")
  if (x$method == "none") {
    cat("  no resampling: the training rows as they are\n")
    return(invisible(x))
  }
  cat(sprintf("  %s(), %s family\n", x$entry, x$family))
  for (nm in names(x$args)) {
    v <- x$args[[nm]]
    shown <- if (is.null(v)) "NULL"
             else if (inherits(v, "sg_guard")) "sg_guard(...)"
             else if (inherits(v, "sg_constraints")) constraints_label(v)
             else if (is.atomic(v) && length(v) <= 6) {
               paste(if (is.character(v)) paste0("\"", v, "\"") else format(v), collapse = ", ")
             } else describe(v)
    cat(sprintf("  %s = %s\n", nm, shown))
  }
  code <- code_in(x$args)
  if (length(code) > 0) {
    cat("  code in `rules`, not evaluated (load with `trust = TRUE` to use it):\n")
    cat(paste0("    ", unlist(strsplit(code, "\n", fixed = TRUE)), "\n"), sep = "")
  }
  o <- x$origin
  if (!is.null(o)) {
    cat(sprintf("  saved from: seed %s, RNG %s, smoteguard %s, data %s\n",
                if (is.null(o$seed)) "none" else format(o$seed),
                paste(o$rng_kind, collapse = "/"), o$version %||% "?",
                if (is.null(o$fingerprint) || is.na(o$fingerprint)) "not recorded" else o$fingerprint))
  }
  invisible(x)
}

constraints_label <- function(v) {
  r <- v$rules
  rules <- if (is.null(r)) "" else if (inherits(r, "sg_rule")) sprintf(", rules = ~ %s", attr(r, "text"))
           else if (inherits(r, "sg_code")) ", rules = <code, not evaluated>" else ", rules = <function>"
  sprintf("sg_constraints(bounds = %s%s)",
          if (is.list(v$bounds)) "list(...)" else paste0("\"", v$bounds, "\""), rules)
}
