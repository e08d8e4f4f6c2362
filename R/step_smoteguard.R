#' Guarded oversampling as a recipes step
#'
#' `step_smoteguard()` creates a *specification* of a recipe step that adds
#' synthetic rows to the small classes of the training data with
#' [sg_oversample()]: every method, the guard, the constraints and the
#' groups of `sg_oversample()` are reachable, with the same defaults.
#' `step_smoteguard_clean()` removes noisy and overlapping rows with
#' [sg_clean()] (Tomek links or ENN).
#'
#' @section Why `skip = TRUE`:
#' Oversampling is a treatment of the *training* data: it changes how much
#' each class weighs while a model is fitted. New data must be predicted as
#' it comes, one real row at a time; rows invented among the test rows, or
#' test rows removed by cleaning, would make the test error describe data
#' that do not exist. With `skip = TRUE` (the default) the step runs when
#' the recipe is prepped, so `bake(prepped, new_data = NULL)` returns the
#' oversampled training data, and is skipped by `bake(prepped, new_data =
#' test)`, which returns the test rows unchanged. Set `skip = FALSE` only to
#' oversample data other than the training data on purpose.
#'
#' When the recipe is used inside resampling (caret's `train()` with a
#' recipe, or a workflow in tune), the recipe is prepped on each analysis
#' set, so only the training rows of each resample are oversampled and the
#' assessment rows are predicted as they are.
#'
#' @section What is passed to `sg_oversample()`:
#' The outcome column chosen by `...`, the columns with the role
#' `"predictor"`, and the columns named by `groups` and `options$exclude`,
#' in the order of the data the step is given (recipes puts the outcome of
#' a formula after the other columns, which changes nothing else). The rows
#' made are the rows that `sg_oversample()` makes from those columns with
#' `seed = seed`: a direct call on the same columns with the same seed
#' gives the same rows (see the examples). Other columns (identifiers,
#' other roles) are `NA` in the synthetic rows.
#'
#' Nominal predictors (factor, character, logical) are supported (SMOTE-NC
#' distances and values drawn from the parent's neighbourhood), and so are
#' missing predictor values; see [sg_oversample()].
#'
#' @section Tidying:
#' `tidy()` on the step returns a tibble with columns `terms` (the
#' outcome), `class`, `before`, `after`, `generated`, `removed` and `id`:
#' before `prep()` one row with the selector and `NA` counts; after
#' `prep()` one row per class of the outcome, with the counts before and
#' after, and the rows generated or removed, in the training data.
#' `tidy(step, type = "provenance")` (after `prep()`) returns the
#' provenance of the synthetic rows made from the training data (see
#' [sg_provenance()]; `row` numbers rows of the oversampled training data,
#' `parent` and `neighbor` rows of the training data as the step saw it),
#' and `tidy(step, type = "guard")` what the guard did (see
#' [sg_guard_report()]).
#'
#' @section Tuning parameters:
#' `step_smoteguard()` has three: `method` ([sg_oversampling_method()]),
#' `neighbors` ([dials::neighbors()]) and `over_ratio`
#' ([dials::over_ratio()]). `step_smoteguard_clean()` has two: `method`
#' ([sg_cleaning_method()]) and `neighbors`. The parameter objects come
#' from the dials package, when it is installed.
#'
#' @param recipe A recipe object (from the recipes package). The step is
#'   added to its sequence of operations.
#' @param ... One selector (as in [recipes::selections]) choosing the
#'   outcome column: a factor or character column. Other columns with the
#'   role `"predictor"` are the predictors.
#' @param role Not used by these steps: they create no variables, except
#'   the `indicator` column, which gets this role (`NA`: none, so that no
#'   model takes it for a predictor).
#' @param trained A logical to indicate if the step has been prepped.
#' @param method For `step_smoteguard()`, the oversampling method of
#'   [sg_oversample()]: `"smote"`, `"ros"`, `"borderline1"`,
#'   `"borderline2"`, `"adasyn"` or `"safe_level"`. For
#'   `step_smoteguard_clean()`, `"tomek"` or `"enn"` (see [sg_clean()]).
#' @param neighbors For `step_smoteguard()`, the number of nearest
#'   same-class rows a parent may be paired with (see [sg_oversample()]);
#'   for `step_smoteguard_clean()`, the rows ENN's vote reads.
#' @param over_ratio The target of each class as a share of the largest
#'   class count (one number, or a vector named by class); `1` balances the
#'   classes.
#' @param guard,constraints The guard and the domain rules, as in
#'   [sg_oversample()]: [sg_guard()] and [sg_constraints()] by default,
#'   `NULL` for none.
#' @param groups `NULL`, or the name of a column (of any role) whose rows
#'   that share a value are never parent and neighbour of each other (one
#'   patient's visits, say). It is not a predictor, and is `NA` in the
#'   synthetic rows.
#' @param options A named list of further arguments of [sg_oversample()]:
#'   `m_neighbors`, `shrinkage`, `distance`, `nominal`, `exclude`, `clean`,
#'   `clean_neighbors` or `threads`. For `step_smoteguard_clean()`, only
#'   `threads` (of [sg_clean()]).
#' @param seed A whole number: the seed of the oversampling, captured when
#'   the step is created, so that prepping the recipe twice gives the same
#'   rows.
#' @param indicator `NULL`, or the name of a logical column to add to the
#'   oversampled data, `TRUE` for synthetic rows. It exists only in data the
#'   step was applied to (not in data the step skipped).
#' @param skip Should the step be skipped when the recipe is baked by
#'   [recipes::bake()] on new data? `TRUE` by default; see the section "Why
#'   `skip = TRUE`".
#' @param id A character string unique to this step, to identify it.
#' @return An updated version of `recipe` with the new step added to its
#'   sequence of operations.
#' @seealso [sg_oversample()], [sg_clean()], [sg_caret_sampling()] for
#'   caret.
#' @examples
#' if (requireNamespace("recipes", quietly = TRUE)) {
#'   set.seed(1)
#'   test_rows <- sample(nrow(breast_biopsy), 200)
#'   train <- breast_biopsy[-test_rows, ]
#'   test <- breast_biopsy[test_rows, ]
#'
#'   rec <- recipes::recipe(diagnosis ~ ., data = train)
#'   rec <- step_smoteguard(rec, diagnosis, seed = 42, indicator = ".synthetic")
#'   rec
#'   prepped <- recipes::prep(rec)
#'   prepped
#'
#'   # the training data, oversampled
#'   baked <- recipes::bake(prepped, new_data = NULL)
#'   table(baked$diagnosis, baked$.synthetic)
#'
#'   # the test rows, untouched (the step is skipped)
#'   identical(nrow(recipes::bake(prepped, new_data = test)), nrow(test))
#'
#'   # per class counts, and where each synthetic row came from
#'   recipes::tidy(prepped, number = 1)
#'   head(recipes::tidy(prepped, number = 1, type = "provenance"))
#'
#'   # the same rows as a direct call with the same seed
#'   direct <- sg_oversample(train, "diagnosis", seed = 42)
#'   all.equal(as.data.frame(baked[names(direct)]), direct,
#'             check.attributes = FALSE)
#'
#'   # remove Tomek links after oversampling
#'   rec2 <- recipes::recipe(diagnosis ~ ., data = train)
#'   rec2 <- step_smoteguard(rec2, diagnosis, seed = 42)
#'   rec2 <- step_smoteguard_clean(rec2, diagnosis, method = "tomek",
#'                                 remove = "both")
#'   recipes::tidy(recipes::prep(rec2), number = 2)
#' }
#' @export
step_smoteguard <- function(recipe, ..., role = NA, trained = FALSE,
                            method = "smote", neighbors = 5, over_ratio = 1,
                            guard = sg_guard(), constraints = sg_constraints(),
                            groups = NULL, options = list(),
                            seed = sample.int(10^5, 1), indicator = NULL,
                            skip = TRUE,
                            id = recipes::rand_id("smoteguard")) {
  call <- sys.call()
  check_recipes_installed(call)
  if (!is_tune(method)) method <- check_method(method, method_names(oversampling_families), call = call)
  if (!is_tune(neighbors)) neighbors <- check_count(neighbors, "neighbors", call = call)
  if (!is_tune(over_ratio)) check_over_ratio(over_ratio, names(over_ratio), call = call)
  check_guard_types(guard, constraints, call)
  check_column_name(groups, "groups", call)
  check_step_options(options, call)
  seed <- check_step_seed(seed, call)
  check_column_name(indicator, "indicator", call)
  check_flag(skip, "skip", call)
  recipes::add_step(recipe, step_smoteguard_new(
    terms = rlang::enquos(...), role = role, trained = trained,
    column = NULL, columns = NULL, method = method, neighbors = neighbors,
    over_ratio = over_ratio, guard = guard, constraints = constraints,
    groups = groups, options = options, seed = seed, indicator = indicator,
    record = NULL, cache = NULL, skip = skip, id = id))
}

step_smoteguard_new <- function(terms, role, trained, column, columns, method,
                                neighbors, over_ratio, guard, constraints,
                                groups, options, seed, indicator, record,
                                cache, skip, id) {
  recipes::step(subclass = "smoteguard", terms = terms, role = role,
                trained = trained, column = column, columns = columns,
                method = method, neighbors = neighbors,
                over_ratio = over_ratio, guard = guard,
                constraints = constraints, groups = groups, options = options,
                seed = seed, indicator = indicator, record = record,
                cache = cache, skip = skip, id = id)
}

#' @rdname step_smoteguard
#' @param remove For `step_smoteguard_clean()`: `"larger"` removes rows of
#'   the larger classes only, `"both"` the rows of every class (see
#'   [sg_clean()]).
#' @export
step_smoteguard_clean <- function(recipe, ..., role = NA, trained = FALSE,
                                  method = c("tomek", "enn"), neighbors = 3,
                                  remove = c("larger", "both"),
                                  options = list(), skip = TRUE,
                                  id = recipes::rand_id("smoteguard_clean")) {
  call <- sys.call()
  check_recipes_installed(call)
  if (!is_tune(method)) method <- check_choice(method, "method", method_names("clean"), call = call)
  if (!is_tune(neighbors)) neighbors <- check_count(neighbors, "neighbors", call = call)
  remove <- check_choice(remove, "remove", c("larger", "both"), call = call)
  check_step_options(options, call, allowed = "threads")
  check_flag(skip, "skip", call)
  recipes::add_step(recipe, step_smoteguard_clean_new(
    terms = rlang::enquos(...), role = role, trained = trained,
    column = NULL, columns = NULL, method = method, neighbors = neighbors,
    remove = remove, options = options, record = NULL, cache = NULL,
    skip = skip, id = id))
}

step_smoteguard_clean_new <- function(terms, role, trained, column, columns,
                                      method, neighbors, remove, options,
                                      record, cache, skip, id) {
  recipes::step(subclass = "smoteguard_clean", terms = terms, role = role,
                trained = trained, column = column, columns = columns,
                method = method, neighbors = neighbors, remove = remove,
                options = options, record = record, cache = cache,
                skip = skip, id = id)
}

# ---- prep --------------------------------------------------------------------

# Registered as recipes::prep methods when recipes is loaded (see zzz.R).
prep.step_smoteguard <- function(x, training, info = NULL, ...) {
  column <- selected_outcome(x, training, info)
  extra <- c(x$groups, x$options$exclude)
  columns <- selected_columns(x, training, info, column, extra)
  if (!is.null(x$indicator) && x$indicator %in% names(training)) {
    sg_abort(c(sprintf("`indicator` names column `%s`, which the data already have.", x$indicator),
               sprintf("Choose a name the data do not have, e.g. `indicator = \"%s\"`.",
                       free_name(x$indicator, names(training)))),
             call = signal_call(x))
  }
  input <- input_columns(training, columns)
  result <- run_step_oversample(x, input, column)
  step_smoteguard_new(
    terms = x$terms, role = x$role, trained = TRUE, column = column,
    columns = columns, method = x$method, neighbors = x$neighbors,
    over_ratio = x$over_ratio, guard = x$guard, constraints = x$constraints,
    groups = x$groups, options = x$options, seed = x$seed,
    indicator = x$indicator, record = attr(result, "smoteguard"),
    cache = new_step_cache(input, result), skip = x$skip, id = x$id)
}

prep.step_smoteguard_clean <- function(x, training, info = NULL, ...) {
  column <- selected_outcome(x, training, info)
  columns <- selected_columns(x, training, info, column)
  input <- input_columns(training, columns)
  result <- run_step_clean(x, input, column)
  step_smoteguard_clean_new(
    terms = x$terms, role = x$role, trained = TRUE, column = column,
    columns = columns, method = x$method, neighbors = x$neighbors,
    remove = x$remove, options = x$options,
    record = attr(result, "smoteguard"), cache = new_step_cache(input, result),
    skip = x$skip, id = x$id)
}

# The one outcome column chosen by the step's selectors.
selected_outcome <- function(x, training, info) {
  column <- recipes::recipes_eval_select(x$terms, training, info)
  if (length(column) != 1) {
    sg_abort(c("The step's selectors must choose exactly one column, the outcome.",
               sprintf("They chose %d: %s.", length(column),
                       if (length(column) == 0) "none"
                       else paste0("`", column, "`", collapse = ", "))),
             call = signal_call(x))
  }
  y <- training[[column]]
  if (!is.factor(y) && !is.character(y)) {
    sg_abort(c(sprintf("The outcome column `%s` must be a factor or character.", column),
               sprintf("It is %s.", describe(y)),
               "Select the class column, or convert it with `factor()` before the recipe."),
             call = signal_call(x))
  }
  unname(column)
}

# The outcome, the predictors and the `extra` columns, in the order of the
# training data: sg_oversample() reads columns in order, so keeping the
# data's order is what makes the step give the rows of a direct call.
selected_columns <- function(x, training, info, column, extra = NULL) {
  missing <- setdiff(extra, names(training))
  if (length(missing) > 0) {
    sg_abort(c(sprintf("Column(s) %s named by the step are not in the training data.",
                       paste0("`", missing, "`", collapse = ", ")),
               sprintf("Columns are: %s.", paste(names(training), collapse = ", "))),
             call = signal_call(x))
  }
  predictors <- info$variable[info$role %in% "predictor"]
  wanted <- unique(c(column, predictors, extra))
  names(training)[names(training) %in% wanted]
}

input_columns <- function(data, columns) {
  out <- as.data.frame(data[columns], stringsAsFactors = FALSE)
  attr(out, "row.names") <- .set_row_names(nrow(out))
  out
}

run_step_oversample <- function(x, input, column) {
  args <- c(list(method = x$method, neighbors = x$neighbors,
                 over_ratio = x$over_ratio, seed = x$seed, guard = x$guard,
                 constraints = x$constraints, groups = x$groups),
            x$options)
  with_step_call(signal_call(x), {
    call_with_data(sg_oversample, input, column, args)
  })
}

run_step_clean <- function(x, input, column) {
  args <- c(list(method = x$method, remove = x$remove,
                 neighbors = x$neighbors), x$options)
  with_step_call(signal_call(x), {
    call_with_data(sg_clean, input, column, args)
  })
}

# Call fun(data, var, <args>) with `data` as a symbol in the call, so that
# the call a condition carries never holds a copy of the data.
call_with_data <- function(fun, data, var, args) {
  eval(as.call(c(list(fun, quote(data), var), args)))
}

# Errors and warnings from the core carry its internal call; inside a
# recipe the user wrote a step, so they are re-signalled with the step's.
with_step_call <- function(call, expr) {
  withCallingHandlers(
    tryCatch(expr, smoteguard_error = function(e) {
      e$call <- call
      stop(e)
    }),
    smoteguard_warning = function(w) {
      w$call <- call
      warning(w)
      invokeRestart("muffleWarning")
    })
}

signal_call <- function(x) as.call(list(as.name(class(x)[1])))

# ---- bake --------------------------------------------------------------------

# recipes' prep() bakes each step on the very training data it was just
# prepped on. The result of that run is kept until then, so the training
# data are oversampled once (not twice) per prep, and its warnings are
# given once. A cache is used only for data identical to the data it was
# made from, and only once.
new_step_cache <- function(input, result) {
  cache <- new.env(parent = emptyenv())
  cache$input <- input
  cache$result <- result
  cache
}

take_cached <- function(cache, input) {
  if (!is.environment(cache) || is.null(cache$input)) return(NULL)
  hit <- identical(cache$input, input)
  result <- if (hit) cache$result
  rm(list = c("input", "result"), envir = cache)
  result
}

bake.step_smoteguard <- function(object, new_data, ...) {
  recipes::check_new_data(object$columns, object, new_data)
  if (nrow(new_data) == 0) return(no_rows(new_data, object$indicator))
  input <- input_columns(new_data, object$columns)
  result <- take_cached(object$cache, input)
  if (is.null(result)) result <- run_step_oversample(object, input, object$column)
  splice_result(new_data, result, object$indicator)
}

bake.step_smoteguard_clean <- function(object, new_data, ...) {
  recipes::check_new_data(object$columns, object, new_data)
  if (nrow(new_data) == 0) return(no_rows(new_data, NULL))
  input <- input_columns(new_data, object$columns)
  result <- take_cached(object$cache, input)
  if (is.null(result)) result <- run_step_clean(object, input, object$column)
  splice_result(new_data, result, NULL)
}

# No rows: nothing to oversample or clean (and the core refuses empty data).
no_rows <- function(new_data, indicator) {
  out <- tibble::as_tibble(new_data)
  if (!is.null(indicator)) out[[indicator]] <- logical(0)
  out
}

# The rows of new_data the result kept, in order, then its synthetic rows:
# the step's columns from the result, other columns NA.
splice_result <- function(new_data, result, indicator) {
  record <- attr(result, "smoteguard", exact = TRUE)
  n <- record$n_input
  removed <- record$removed$row
  kept <- setdiff(seq_len(n), removed[removed <= n])
  n_new <- nrow(result) - length(kept)
  out <- as.data.frame(new_data, stringsAsFactors = FALSE)
  out <- out[c(kept, rep(NA_integer_, n_new)), , drop = FALSE]
  if (n_new > 0) {
    idx <- length(kept) + seq_len(n_new)
    for (col in names(result)) out[[col]][idx] <- result[[col]][idx]
  }
  if (!is.null(indicator)) {
    out[[indicator]] <- rep(c(FALSE, TRUE), c(length(kept), n_new))
  }
  tibble::as_tibble(out)
}

# ---- print -------------------------------------------------------------------

#' @export
print.step_smoteguard <- function(x, width = max(20, options()$width - 26), ...) {
  title <- sprintf("Guarded oversampling (%s) based on ", format_arg(x$method))
  recipes::print_step(x$column, x$terms, x$trained, title, width)
  invisible(x)
}

#' @export
print.step_smoteguard_clean <- function(x, width = max(20, options()$width - 26), ...) {
  title <- sprintf("Cleaning (%s) based on ", format_arg(x$method))
  recipes::print_step(x$column, x$terms, x$trained, title, width)
  invisible(x)
}

format_arg <- function(x) {
  if (is.character(x)) x else paste(deparse(x), collapse = "")
}

# ---- tidy --------------------------------------------------------------------

tidy.step_smoteguard <- function(x, type = c("counts", "provenance", "guard"), ...) {
  type <- check_choice(type, "type", c("counts", "provenance", "guard"),
                       call = quote(tidy()))
  tidy_step(x, type)
}

tidy.step_smoteguard_clean <- function(x, type = "counts", ...) {
  type <- check_choice(type, "type", "counts", call = quote(tidy()))
  tidy_step(x, type)
}

tidy_step <- function(x, type) {
  if (type != "counts" && !recipes::is_trained(x)) {
    sg_abort(c(sprintf("`tidy(type = \"%s\")` needs a prepped step.", type),
               "Run `prep()` on the recipe first."), call = quote(tidy()))
  }
  if (type == "provenance") {
    out <- tibble::as_tibble(x$record$provenance)
  } else if (type == "guard") {
    report <- x$record$guard$report
    out <- tibble::as_tibble(if (is.null(report)) data.frame() else report)
  } else if (recipes::is_trained(x)) {
    counts <- x$record$counts
    removed <- x$record$removed
    n_removed <- if (is.null(removed)) rep(0L, nrow(counts))
                 else tabulate(factor(removed$class, levels = counts$class),
                               nbins = nrow(counts))
    out <- tibble::tibble(
      terms = x$column,
      class = as.character(counts$class),
      before = counts$before,
      after = counts$after,
      generated = counts$after - counts$before + n_removed,
      removed = n_removed)
  } else {
    out <- tibble::tibble(
      terms = unname(recipes::sel2char(x$terms)),
      class = NA_character_, before = NA_integer_, after = NA_integer_,
      generated = NA_integer_, removed = NA_integer_)
  }
  out$id <- rep(x$id, nrow(out))
  out
}

# ---- tunable, required_pkgs --------------------------------------------------

tunable.step_smoteguard <- function(x, ...) {
  tibble::tibble(
    name = c("method", "neighbors", "over_ratio"),
    call_info = list(
      list(pkg = "smoteguard", fun = "sg_oversampling_method"),
      list(pkg = "dials", fun = "neighbors", range = c(1, 10)),
      list(pkg = "dials", fun = "over_ratio")),
    source = "recipe",
    component = "step_smoteguard",
    component_id = x$id)
}

tunable.step_smoteguard_clean <- function(x, ...) {
  tibble::tibble(
    name = c("method", "neighbors"),
    call_info = list(
      list(pkg = "smoteguard", fun = "sg_cleaning_method"),
      list(pkg = "dials", fun = "neighbors", range = c(1, 10))),
    source = "recipe",
    component = "step_smoteguard_clean",
    component_id = x$id)
}

required_pkgs.step_smoteguard <- function(x, ...) "smoteguard"

required_pkgs.step_smoteguard_clean <- function(x, ...) "smoteguard"

#' Tuning parameters for the method of the smoteguard steps
#'
#' dials parameter objects for the `method` argument of
#' [step_smoteguard()] and [step_smoteguard_clean()], used when a step's
#' method is marked for tuning with `tune()`. They need the dials package.
#'
#' @param values The methods to choose among; `NULL` for every registered
#'   method of the step (see [sg_methods()]).
#' @return A qualitative parameter object of the dials package.
#' @examples
#' if (requireNamespace("dials", quietly = TRUE)) {
#'   sg_oversampling_method()
#'   sg_oversampling_method(c("smote", "borderline1"))
#'   sg_cleaning_method()
#' }
#' @export
sg_oversampling_method <- function(values = NULL) {
  choices <- method_names(oversampling_families)
  method_param(if (is.null(values)) choices else values, choices,
               "Oversampling method", sys.call())
}

#' @rdname sg_oversampling_method
#' @export
sg_cleaning_method <- function(values = NULL) {
  choices <- method_names("clean")
  method_param(if (is.null(values)) choices else values, choices,
               "Cleaning method", sys.call())
}

method_param <- function(values, choices, label, call) {
  # the values first: they are checked whether or not dials is installed
  bad <- !is.character(values) || length(values) == 0 || anyNA(values) ||
    !all(values %in% choices)
  if (bad) {
    sg_abort(c(sprintf("`values` must be a character vector of methods among %s.",
                       paste0("\"", choices, "\"", collapse = ", ")),
               sprintf("It is %s.", describe(values)),
               sprintf("Use e.g. `values = c(\"%s\", \"%s\")`, or leave it out for all of them.",
                       choices[1], choices[2])), call = call)
  }
  if (!dials_installed()) {
    sg_abort(c("Tuning parameter objects need the dials package.",
               "Install it with `install.packages(\"dials\")`."),
             class = "missing_package", call = call)
  }
  dials::new_qual_param(type = "character", values = values,
                        label = c(method = label))
}

# Whether dials can be loaded (one place, so that a test can pretend it is
# not installed).
dials_installed <- function() requireNamespace("dials", quietly = TRUE)

# `name`, or the first of `name_2`, `name_3`, ... that is not in `taken`.
free_name <- function(name, taken) {
  i <- 2L
  candidate <- name
  while (candidate %in% taken) {
    candidate <- paste0(name, "_", i)
    i <- i + 1L
  }
  candidate
}

# ---- argument checks of the steps --------------------------------------------

check_recipes_installed <- function(call) {
  if (!requireNamespace("recipes", quietly = TRUE)) {
    sg_abort(c("The smoteguard steps need the recipes package.",
               "Install it with `install.packages(\"recipes\")`."),
             class = "missing_package", call = call)
  }
}

# A placeholder for tuning: `tune()` (from hardhat or tune), filled in
# before the recipe is prepped.
is_tune <- function(x) {
  is.call(x) && identical(x[[1]], as.name("tune"))
}

# Unlike sg_oversample(), a step needs a seed: it is captured when the step
# is created, so that the recipe makes the same rows each time it is prepped.
check_step_seed <- function(seed, call) {
  check_seed(seed, call = call, allow_null = FALSE,
             hint = "The step keeps its seed so that the recipe makes the same rows each time it is prepped; use e.g. `seed = 42`.")
}

check_column_name <- function(x, arg, call) {
  if (is.null(x)) return(invisible())
  if (!is.character(x) || length(x) != 1 || is.na(x) || x == "") {
    sg_abort(c(sprintf("`%s` must be NULL or a single column name (a string).", arg),
               sprintf("It is %s.", describe(x))), call = call)
  }
  invisible()
}

check_flag <- function(x, arg, call) {
  if (!is.logical(x) || length(x) != 1 || is.na(x)) {
    sg_abort(c(sprintf("`%s` must be TRUE or FALSE.", arg),
               sprintf("It is %s.", describe(x))), call = call)
  }
  invisible()
}

# The step's own arguments are not options; anything else of
# sg_oversample() (or sg_clean()) is, so that every setting is reachable.
oversample_option_names <- function() {
  setdiff(names(formals(sg_oversample)),
          c("data", "var", "method", "neighbors", "over_ratio", "seed",
            "guard", "constraints", "groups"))
}

check_step_options <- function(options, call, allowed = oversample_option_names()) {
  nms <- names(options)
  ok <- is.list(options) && !is.object(options) &&
    (length(options) == 0 || (!is.null(nms) && !anyNA(nms) && all(nms != "") &&
                                !anyDuplicated(nms)))
  if (!ok) {
    sg_abort(c("`options` must be a list of named arguments.",
               sprintf("It is %s.", describe(options)),
               "For example `options = list(m_neighbors = 10)`."), call = call)
  }
  check_known_names(nms, allowed, "`options`",
                    "the step's own arguments are set directly", call = call)
  invisible()
}
