# How the house is laid out, in the order data flows through it:
#
#   R checks and shapes the input (checks.R, predictors.R)
#   -> a registry says what a method is (this file; one method-*.R each)
#   -> one pipeline runs it (generate.R for the oversamplers: neighbourhoods
#      -> seeds -> guard -> rounds of draw -> make -> round, constraints and
#      intrusion, the rounds of every class in one C loop, src/rounds.c,
#      which calls the method's hooks back; clean.R and undersample.R for the
#      row selectors)
#   -> C kernels compute (src/)
#   -> R assembles the result and its record (record.R, provenance.R).
#
# A method is a value made by new_sampler_method() and registered once, in
# its own file. Everything that needs to know what a method is (the entry
# points' argument checks, the pipeline, the guard, the recipes steps'
# tunable(), the caret hook, sg_methods() and the help pages) reads it here;
# nothing tests a method's name elsewhere.

# The families, and what each one does to a class.
sampler_families <- c(
  interpolate = "makes synthetic rows between a parent and a same-class neighbour",
  copy = "makes copies of real rows (optionally smoothed)",
  clean = "removes rows that sit among another class's rows",
  undersample = "keeps a subset of the larger classes' rows",
  regress = "makes synthetic rows for the rare values of a numeric outcome"
)

#' Parameters of a registered method
#'
#' @noRd
#' @param default The default value.
#' @param check A function `(value, arg, call)` returning the checked value
#'   or raising a classed error.
#' @param tune `NULL`, or the `call_info` of the recipes steps' `tunable()`
#'   (a list with `pkg`, `fun` and optionally `range`).
#' @param doc One line for sg_methods() and the help pages.
#' @param invalid A value the check refuses (the contract test gives it;
#'   -1 unless -1 is a valid value, as for Geometric SMOTE's `truncation`).
sampler_param <- function(default, check, doc, tune = NULL, invalid = -1) {
  structure(list(default = default, check = check, doc = doc, tune = tune,
                 invalid = invalid),
            class = "sg_sampler_param")
}

param_count <- function(default, doc, tune = NULL) {
  sampler_param(default, function(x, arg, call) check_count(x, arg, call = call),
               doc, tune)
}

param_number <- function(default, doc, min = 0, tune = NULL) {
  sampler_param(default, function(x, arg, call) check_number(x, arg, min = min, call = call),
               doc, tune)
}

#' A sampler method: what it is, for the registry
#'
#' @noRd
#' @param name The method's name, as users write it.
#' @param family One of `names(sampler_families)`.
#' @param rank Where the method is listed among its entry point's methods
#'   (in messages, help pages and sg_methods()); rank 1 is the entry point's
#'   default.
#' @param title One line: what the method does.
#' @param reference Its source, short form.
#' @param params Named list of sampler_param(): the parameters the method
#'   reads beyond those every method of its family takes.
#' @param outcome `"class"`, or `"numeric"` for the "regress" family
#'   (SMOTER, SMOGN: method-smoter.R), whose `draw` is a function `(ctx)`
#'   making every rare bin's rows, run by oversample_numeric().
#' @param seeks_boundary Whether the method places rows at the class boundary
#'   on purpose: the guard then keeps unsafe seeds and has no default
#'   intrusion check.
#' @param whole_neighbors For interpolators and copiers, a function of the
#'   settings giving how many nearest rows of the whole data the method reads
#'   (0: none).
#' @param seeds For interpolators, `NULL` (every row of the class is a seed)
#'   or a function `(ctx)` returning a list with `eligible` (logical per row
#'   of the class, or `NULL` for all), `note` (`NULL`, or the name of a
#'   class note: the method could not apply its rule and SMOTE's draw is
#'   used), `danger`, `noise`, `safe` (counts or `NA`) and `state` (what the
#'   draw needs). `ctx` holds `settings`, `pred`, `rows` (the class's data
#'   rows), `yi` (every row's class code), `within` (each row's same-class
#'   neighbours), `whole`, `m_all` and `other(m)` (whether each of a row's m
#'   nearest rows of the whole data is of another class).
#' @param draw For interpolators and copiers, a function `(ctx, at, within_at,
#'   need, state)` calling the C draw; returns `parent` (positions in `at`),
#'   `neighbor` and `gap`.
#' @param stop_when_short Whether a round that makes fewer rows than asked
#'   ends the rounds (the method has run out of usable pairs).
#' @param finish For copiers, `NULL` or a function `(values, ctx, bounds)`
#'   applied to the made values (the smoothed bootstrap's noise).
#' @param make For interpolators, `NULL` (the new rows interpolate parent
#'   and neighbour at the drawn gap, in C) or a function `(ctx, parent,
#'   draw, state)` that makes the rows itself, given the parents' data rows
#'   and the draw: it returns `values` (one row per parent) and `gap` (what
#'   the provenance records). The rows then need not lie on the segment, so
#'   the guard's intrusion check searches the whole data for them (Geometric
#'   SMOTE's hypersphere).
#' @param kind For copiers, a function `(settings)` giving the provenance
#'   `kind` of the rows the method makes; for interpolators, a function
#'   `(settings, gap)` of the settings and the made rows' gaps giving one
#'   kind, or one per row, row by row (it may be given the rows of several
#'   classes at once; SVM-SMOTE: `"extrapolate"` where the gap is
#'   negative). By default the family's name; the guard's jitter adds
#'   `"+jitter"`.
#' @param select For cleaners and under-samplers, the function that picks
#'   the rows (see clean.R and undersample.R).
#' @param distances Whether the method reads distances between rows (the
#'   predictors are then prepared for the searches).
#' @param suggests Packages the method needs beyond Imports.
new_sampler_method <- function(name, family, rank, title, reference, params = list(),
                               outcome = "class", seeks_boundary = FALSE,
                               whole_neighbors = function(settings) 0L,
                               seeds = NULL, draw = NULL,
                               stop_when_short = FALSE, finish = NULL, make = NULL,
                               kind = function(settings, gap = NULL) family,
                               select = NULL, distances = TRUE,
                               suggests = character()) {
  stopifnot(is.character(name), length(name) == 1,
            family %in% names(sampler_families),
            all(vapply(params, inherits, logical(1), "sg_sampler_param")),
            family %in% c("clean", "undersample") || is.function(draw),
            !family %in% c("clean", "undersample") || is.function(select))
  structure(list(name = name, family = family, rank = rank, title = title,
                 reference = reference, params = params, outcome = outcome,
                 seeks_boundary = seeks_boundary,
                 whole_neighbors = whole_neighbors, seeds = seeds, draw = draw,
                 stop_when_short = stop_when_short, finish = finish, make = make,
                 kind = kind,
                 select = select, distances = distances, suggests = suggests),
            class = "sg_sampler_method")
}

registry <- new.env(parent = emptyenv())
registry$methods <- list()

# Called once per method, at the end of its method-*.R file (the files are
# collated after this one).
register_method <- function(method) {
  stopifnot(inherits(method, "sg_sampler_method"))
  # kept as a plain list: the pipeline reads a method's fields many times a
  # call, and `$` on a classed list first looks for a `$` method
  registry$methods[[method$name]] <- unclass(method)
  if (exists("params_cache")) params_cache[[method$name]] <- NULL  # its checks may differ
  invisible(method)
}

# The methods of some families: by entry point, then by rank.
method_names <- function(family = names(sampler_families)) {
  fam <- vapply(registry$methods, `[[`, "", "family")
  entry <- match(fam, c("interpolate", "copy", "clean", "undersample"))
  entry[entry == 2L] <- 1L  # sg_oversample() runs both its families
  entry[fam == "regress"] <- 5L  # and, asked by name, the numeric-outcome ones
  rank <- vapply(registry$methods, `[[`, 0, "rank")
  keep <- fam %in% family
  names(registry$methods)[keep][order(entry[keep], rank[keep])]
}

# check_method() against the methods of some families: a registered name of
# one of them passes without listing every method (the list, sorted, is only
# needed for the error message).
check_method_of <- function(method, families, call = NULL) {
  if (is.character(method) && length(method) == 1L && !is.na(method)) {
    i <- match(method, names(registry$methods))
    if (!is.na(i) && registry$methods[[i]]$family %in% families) return(method)
  }
  check_method(method, method_names(families), call = call)
}

# The definition of a method known to be registered (the entry points check
# the name first, with check_method()).
sampler_method <- function(name) {
  m <- registry$methods[[name]]
  if (is.null(m)) {
    sg_abort(sprintf("No method \"%s\" is registered.", name), class = "internal")
  }
  m
}

# The entry points' families: what each accepts as `method`.
oversampling_families <- c("interpolate", "copy")

#' The sampling methods smoteguard offers
#'
#' Every oversampling, cleaning and under-sampling method the package knows,
#' from its registry: the same list `sg_oversample()`, `sg_clean()`,
#' `sg_undersample()`, the recipes steps and the caret hook accept.
#'
#' @param family `NULL` for every method, or some of `"interpolate"` (makes
#'   rows between a real row and a same-class neighbour), `"copy"` (copies
#'   real rows), `"clean"` (removes rows that sit among another class's rows),
#'   `"undersample"` (keeps a subset of the larger classes) and `"regress"`
#'   (SMOTER and SMOGN, for a numeric outcome).
#' @return A data frame with one row per method: `method` (the name to pass),
#'   `family`, `entry` (the function that runs it), `outcome` (the outcome
#'   kind it handles), `parameters` (its own parameters with their defaults,
#'   beyond those every method of its entry point takes), `boundary` (whether
#'   it places rows at the class boundary on purpose, which the guard
#'   respects), `description` and `reference`.
#' @examples
#' sg_methods()
#' sg_methods("clean")$method
#' @export
sg_methods <- function(family = NULL) {
  if (!is.null(family)) {
    family <- check_families(family, call = sys.call())
  } else {
    family <- names(sampler_families)
  }
  ms <- registry$methods[method_names(family)]
  entry <- c(interpolate = "sg_oversample", copy = "sg_oversample",
             clean = "sg_clean", undersample = "sg_undersample",
             regress = "sg_oversample")
  new_frame(list(
    method = names(ms),
    family = vapply(ms, `[[`, "", "family", USE.NAMES = FALSE),
    entry = unname(entry[vapply(ms, `[[`, "", "family")]),
    outcome = vapply(ms, `[[`, "", "outcome", USE.NAMES = FALSE),
    parameters = vapply(ms, describe_params, "", USE.NAMES = FALSE),
    boundary = vapply(ms, `[[`, NA, "seeks_boundary", USE.NAMES = FALSE),
    description = vapply(ms, `[[`, "", "title", USE.NAMES = FALSE),
    reference = vapply(ms, `[[`, "", "reference", USE.NAMES = FALSE)
  ))
}

describe_params <- function(method) {
  p <- method$params
  if (length(p) == 0) return("")
  paste0(names(p), " = ", vapply(p, function(x) format(x$default), ""),
         collapse = ", ")
}

check_families <- function(family, call = NULL) {
  if (!is.character(family) || length(family) == 0 || anyNA(family) ||
      !all(family %in% names(sampler_families))) {
    sg_abort(c(sprintf("`family` must be some of %s.",
                       paste0("\"", names(sampler_families), "\"", collapse = ", ")),
               sprintf("It is %s.", describe(family))), call = call)
  }
  unique(family)
}

# Checks the method-specific parameters given to an entry point: each one
# the method takes, by its own check. `values` is a named list of the
# values given (missing ones take the default).
# The checks are pure functions of the values: the values last checked for
# each method and their answer are kept, so that the usual call (the same
# defaults each time) does not run every check again.
check_method_params <- function(method, values, call = NULL) {
  last <- params_cache[[method]]
  if (!is.null(last) && identical(last$values, values)) return(last$out)
  p <- sampler_method(method)$params
  out <- list()
  for (nm in names(p)) {
    v <- values[[nm]]
    out[[nm]] <- if (is.null(v)) p[[nm]]$default else p[[nm]]$check(v, nm, call)
  }
  params_cache[[method]] <- list(values = values, out = out)
  out
}

params_cache <- new.env(parent = emptyenv())

# The tunable parameters of the given methods (the recipes steps' tunable()).
tunable_params <- function(methods) {
  out <- list()
  for (m in methods) {
    p <- sampler_method(m)$params
    for (nm in names(p)) {
      if (!is.null(p[[nm]]$tune) && is.null(out[[nm]])) out[[nm]] <- p[[nm]]$tune
    }
  }
  out
}

# The packages a method suggests, checked before it runs: a classed error
# naming the method and the package.
check_method_packages <- function(method, call = NULL) {
  for (pkg in sampler_method(method)$suggests) {
    if (!requireNamespace(pkg, quietly = TRUE)) {
      sg_abort(c(sprintf("Method \"%s\" needs the package %s, which is not installed.",
                         method, pkg),
                 sprintf("Install it with `install.packages(\"%s\")`, or choose another method (see `sg_methods()`).",
                         pkg)),
               class = "missing_package", call = call)
    }
  }
  invisible()
}

# A guard given to a method it does not apply to: cleaners and
# under-samplers make no rows, so there is nothing for it to steer.
check_no_guard <- function(guard, method, call = NULL) {
  if (is.null(guard)) return(invisible())
  fam <- sampler_method(method)$family
  if (fam == "regress") {
    sg_abort(c(sprintf("The guard does not apply to \"%s\", a numeric-outcome method: its safety rules read classes, which a numeric outcome does not have.",
                       method),
               "Leave `guard` out (or `guard = NULL`); SMOGN's own rule already replaces a far neighbour by noise around the seed."),
             call = call)
  }
  sg_abort(c(sprintf("The guard does not apply to \"%s\", a %s method: it makes no rows to guard.",
                     method, if (fam == "clean") "cleaning" else "under-sampling"),
             "Leave `guard` out (or `guard = NULL`); the guard belongs to `sg_oversample()`."),
           call = call)
}
