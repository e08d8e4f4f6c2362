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
#' assessment rows are predicted as they are. That is where oversampling
#' belongs: inside each analysis set, never on data that are split
#' afterwards, since a synthetic row's neighbour is another row (another
#' patient), which may land in the assessment set.
#'
#' With `skip = FALSE`, baking new data that hold one row, or rows of one
#' class, returns them unchanged with a warning of class
#' `smoteguard_warning_bake_one_class`: there is no other class to balance
#' against. Selectors that choose no column make a step that does nothing
#' (it prints `<none>` and `tidy()` gives no rows).
#'
#' @section Groups:
#' `groups` names a column of rows that belong together (one patient's
#' visits): rows of one group are never parent and neighbour of each other.
#' Give the column a role of its own first, e.g.
#' `update_role(patient, new_role = "group")`; a group column with the role
#' `"predictor"` is refused when the step is prepped (a model would take the
#' patient id for a predictor). Each synthetic row carries its parent's
#' group id (the provenance's `parent` is that row), never `NA`, so a model
#' fitted to the baked data uses every row. For grouped resampling, put the
#' step (with `skip = TRUE`) in the recipe of a workflow resampled with
#' `rsample::group_vfold_cv()`, or use `sg_evaluate(groups = )`.
#'
#' @section Case weights:
#' A column with the role `"case_weights"` (made by
#' [hardhat::importance_weights()] or [hardhat::frequency_weights()]) is
#' read by `step_smoteguard()`. Importance weights are honoured: parents are
#' drawn as without weights and each synthetic row takes its parent's
#' weight (so no weight is counted twice and none is `NA`); the step prints
#' `weighted`. Frequency weights are refused at `prep()` with an error of
#' class `smoteguard_error_case_weights`: honouring them would mean counting
#' a row of weight w as w rows and drawing it as a parent w times as often,
#' which the draw does not do; expand the rows (e.g. `tidyr::uncount()`)
#' before the recipe, or use importance weights. `step_smoteguard_clean()`
#' removes rows whatever their weight and prints `ignored weights`; the
#' rows it keeps keep their weights.
#'
#' @section What is passed to `sg_oversample()`:
#' The outcome column chosen by `...`, the columns with the role
#' `"predictor"`, the columns named by `groups` and `options$exclude`, and
#' the case weights column, in the order of the data the step is given
#' (recipes puts the outcome of a formula after the other columns, which
#' changes nothing else). The rows made are the rows that `sg_oversample()`
#' makes from those columns with `seed = seed`: a direct call on the same
#' columns with the same seed gives the same rows (see the examples). The
#' group id and the case weight of a synthetic row are its parent's; other
#' columns (identifiers, other roles) are `NA` in the synthetic rows.
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
#' `step_smoteguard()` has four: `method` ([sg_oversampling_method()]),
#' `neighbors` ([dials::neighbors()]), `over_ratio` ([dials::over_ratio()])
#' and `m_neighbors` (Borderline-SMOTE's neighbourhood, a
#' [dials::neighbors()] range read from the method's registration; other
#' methods ignore it). `step_smoteguard_clean()` has two: `method`
#' ([sg_cleaning_method()]) and `neighbors`. Every registered method of the
#' step's families is accepted (see [sg_methods()]). The parameter objects
#' come from the dials package, when it is installed.
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
#'   [sg_oversample()], any registered oversampling method
#'   (`sg_methods(c("interpolate", "copy"))$method`). For
#'   `step_smoteguard_clean()`, any registered cleaning method
#'   (`sg_methods("clean")$method`, see [sg_clean()]).
#' @param neighbors For `step_smoteguard()`, the number of nearest
#'   same-class rows a parent may be paired with (see [sg_oversample()]);
#'   for `step_smoteguard_clean()`, the rows ENN's vote reads.
#' @param m_neighbors Borderline-SMOTE's neighbourhood of every class, which
#'   decides which rows are in danger (see [sg_oversample()]); read only by
#'   `"borderline1"` and `"borderline2"`.
#' @param over_ratio The target of each class as a share of the largest
#'   class count (one number, or a vector named by class); `1` balances the
#'   classes.
#' @param guard,constraints The guard and the domain rules, as in
#'   [sg_oversample()]: [sg_guard()] and [sg_constraints()] by default,
#'   `NULL` for none.
#' @param groups `NULL`, or the name of a column whose rows that share a
#'   value are never parent and neighbour of each other (one patient's
#'   visits, say). It must not have the role `"predictor"` (see the section
#'   "Groups"); synthetic rows carry their parent's group id.
#' @param options A named list of further arguments of [sg_oversample()]:
#'   `shrinkage`, `distance`, `nominal`, `exclude`, `clean`,
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
                            method = "smote", neighbors = 5, m_neighbors = 10,
                            over_ratio = 1,
                            guard = sg_guard(), constraints = sg_constraints(),
                            groups = NULL, options = list(),
                            seed = sample.int(10^5, 1), indicator = NULL,
                            skip = TRUE,
                            id = recipes::rand_id("smoteguard")) {
  call <- sys.call()
  check_recipes_installed(call)
  if (!is_tune(method)) {
    method <- check_method(method, method_names(c(oversampling_families, "regress")),
                           call = call)
    # SMOTER / SMOGN (numeric outcome) take no guard: the default is left out
    if (method %in% method_names("regress")) {
      if (missing(guard)) guard <- NULL else check_no_guard(guard, method, call = call)
    }
  }
  if (!is_tune(neighbors)) neighbors <- check_count(neighbors, "neighbors", call = call)
  if (!is_tune(m_neighbors)) m_neighbors <- check_count(m_neighbors, "m_neighbors", call = call)
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
    m_neighbors = m_neighbors, over_ratio = over_ratio, guard = guard,
    constraints = constraints, groups = groups, options = options, seed = seed,
    indicator = indicator, record = NULL, cache = NULL, case_weights = NULL,
    skip = skip, id = id))
}

step_smoteguard_new <- function(terms, role, trained, column, columns, method,
                                neighbors, m_neighbors, over_ratio, guard,
                                constraints, groups, options, seed, indicator,
                                record, cache, case_weights, skip, id) {
  recipes::step(subclass = "smoteguard", terms = terms, role = role,
                trained = trained, column = column, columns = columns,
                method = method, neighbors = neighbors,
                m_neighbors = m_neighbors, over_ratio = over_ratio,
                guard = guard, constraints = constraints, groups = groups,
                options = options, seed = seed, indicator = indicator,
                record = record, cache = cache, case_weights = case_weights,
                skip = skip, id = id)
}

#' @rdname step_smoteguard
#' @param remove For `step_smoteguard_clean()`: `"larger"` removes rows of
#'   the larger classes only, `"both"` the rows of every class (see
#'   [sg_clean()]).
#' @export
step_smoteguard_clean <- function(recipe, ..., role = NA, trained = FALSE,
                                  method = c("tomek", "enn", "cnn", "oss", "ncl", "renn", "allknn"),
                                  neighbors = 3,
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
    case_weights = NULL, skip = skip, id = id))
}

step_smoteguard_clean_new <- function(terms, role, trained, column, columns,
                                      method, neighbors, remove, options,
                                      record, cache, case_weights, skip, id) {
  recipes::step(subclass = "smoteguard_clean", terms = terms, role = role,
                trained = trained, column = column, columns = columns,
                method = method, neighbors = neighbors, remove = remove,
                options = options, record = record, cache = cache,
                case_weights = case_weights, skip = skip, id = id)
}

# ---- prep --------------------------------------------------------------------

# Registered as recipes::prep methods when recipes is loaded (see zzz.R).
prep.step_smoteguard <- function(x, training, info = NULL, ...) {
  column <- selected_outcome(x, training, info)
  weights <- case_weights_column(info)
  if (length(column) == 0) {
    # selectors that choose nothing: a step that does nothing (as recipes'
    # own steps do)
    return(trained_smoteguard(x, column = character(0), columns = character(0),
                              record = NULL, cache = NULL,
                              case_weights = if (!is.null(weights)) FALSE))
  }
  check_group_role(x, info, training)
  extra <- c(x$groups, x$options$exclude, weights)
  columns <- selected_columns(x, training, info, column, extra)
  if (!is.null(x$indicator) && x$indicator %in% names(training)) {
    sg_abort(c(sprintf("`indicator` names column `%s`, which the data already have.", x$indicator),
               sprintf("Choose a name the data do not have, e.g. `indicator = \"%s\"`.",
                       free_name(x$indicator, names(training)))),
             call = signal_call(x))
  }
  input <- input_columns(training, columns)
  x$weights <- weights
  result <- run_step_oversample(x, input, column)
  trained_smoteguard(x, column = column, columns = columns,
                     record = attr(result, "smoteguard"),
                     cache = new_step_cache(input, result),
                     case_weights = if (!is.null(weights)) TRUE)
}

trained_smoteguard <- function(x, column, columns, record, cache, case_weights) {
  step_smoteguard_new(
    terms = x$terms, role = x$role, trained = TRUE, column = column,
    columns = columns, method = x$method, neighbors = x$neighbors,
    m_neighbors = x$m_neighbors, over_ratio = x$over_ratio, guard = x$guard,
    constraints = x$constraints, groups = x$groups, options = x$options,
    seed = x$seed, indicator = x$indicator, record = record, cache = cache,
    case_weights = case_weights, skip = x$skip, id = x$id)
}

prep.step_smoteguard_clean <- function(x, training, info = NULL, ...) {
  column <- selected_outcome(x, training, info)
  # cleaning removes rows whatever their weight: the weights are ignored
  # (and the kept rows keep theirs)
  case_weights <- if (!is.null(case_weights_column(info))) FALSE
  if (length(column) == 0) {
    columns <- character(0)
    record <- NULL
    cache <- NULL
  } else {
    columns <- selected_columns(x, training, info, column)
    input <- input_columns(training, columns)
    result <- run_step_clean(x, input, column)
    record <- attr(result, "smoteguard")
    cache <- new_step_cache(input, result)
  }
  step_smoteguard_clean_new(
    terms = x$terms, role = x$role, trained = TRUE, column = column,
    columns = columns, method = x$method, neighbors = x$neighbors,
    remove = x$remove, options = x$options, record = record, cache = cache,
    case_weights = case_weights, skip = x$skip, id = x$id)
}

# The case weights column of the recipe (role "case_weights"), or NULL.
case_weights_column <- function(info) {
  col <- info$variable[info$role %in% "case_weights"]
  if (length(col) == 1) col else NULL
}

# A group column that is a predictor would reach the model as a number (a
# patient id as a coefficient): the step wants it in a role of its own.
check_group_role <- function(x, info, training) {
  g <- x$groups
  if (is.null(g)) return(invisible())
  if (!g %in% names(training)) {
    sg_abort(c(sprintf("`groups` names column `%s`, which is not in the training data.", g),
               sprintf("Columns are: %s.", paste(names(training), collapse = ", "))),
             call = signal_call(x))
  }
  if (g %in% info$variable[info$role %in% "predictor"]) {
    sg_abort(c(sprintf("The `groups` column `%s` has the role \"predictor\": a model would use the group id as a predictor.", g),
               sprintf("Give it a role of its own before the step: `update_role(%s, new_role = \"group\")`.", g)),
             class = "group_role", call = signal_call(x))
  }
  invisible()
}

# The one outcome column chosen by the step's selectors (none: the step
# does nothing).
selected_outcome <- function(x, training, info) {
  column <- recipes::recipes_eval_select(x$terms, training, info)
  if (length(column) == 0) return(character(0))
  if (length(column) != 1) {
    sg_abort(c("The step's selectors must choose exactly one column, the outcome.",
               sprintf("They chose %d: %s.", length(column),
                       if (length(column) == 0) "none"
                       else paste0("`", column, "`", collapse = ", "))),
             call = signal_call(x))
  }
  y <- training[[column]]
  # a numeric outcome only for SMOTER / SMOGN, which check it themselves
  regress <- is.character(x$method) && length(x$method) == 1 &&
    x$method %in% method_names("regress")
  if (!regress && !is.factor(y) && !is.character(y)) {
    sg_abort(c(sprintf("The outcome column `%s` must be a factor or character.", column),
               sprintf("It is %s.", describe(y)),
               if (is.numeric(y) && inherits(x, "step_smoteguard"))
                 "Select the class column, or convert it with `factor()` before the recipe; for a numeric outcome use `method = \"smoter\"` or `\"smogn\"`."
               else "Select the class column, or convert it with `factor()` before the recipe."),
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
                 m_neighbors = x$m_neighbors,
                 over_ratio = x$over_ratio, seed = x$seed, guard = x$guard,
                 constraints = x$constraints, groups = x$groups,
                 weights = x$weights),
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
  if (length(object$column) == 0 || nrow(new_data) == 0) {
    return(unchanged(new_data, object$indicator))
  }
  input <- input_columns(new_data, object$columns)
  result <- take_cached(object$cache, input)
  if (is.null(result)) {
    if (!two_classes(object, new_data, "oversampled")) {
      return(unchanged(new_data, object$indicator))
    }
    object$weights <- case_weights_in(object)
    result <- run_step_oversample(object, input, object$column)
  }
  splice_result(new_data, result, object$indicator)
}

bake.step_smoteguard_clean <- function(object, new_data, ...) {
  recipes::check_new_data(object$columns, object, new_data)
  if (length(object$column) == 0 || nrow(new_data) == 0) {
    return(unchanged(new_data, NULL))
  }
  input <- input_columns(new_data, object$columns)
  result <- take_cached(object$cache, input)
  if (is.null(result)) {
    if (!two_classes(object, new_data, "cleaned")) return(unchanged(new_data, NULL))
    result <- run_step_clean(object, input, object$column)
  }
  splice_result(new_data, result, NULL)
}

# The case weights column a prepped step passed to sg_oversample(): the
# column of its inputs that is neither outcome, predictor nor named.
case_weights_in <- function(object) {
  if (!isTRUE(object$case_weights)) return(NULL)
  object$record$settings$weights
}

# Data without rows, a step that selected nothing, or data the step leaves
# as they are: returned unchanged (the indicator FALSE throughout).
unchanged <- function(new_data, indicator) {
  out <- tibble::as_tibble(new_data)
  if (!is.null(indicator)) out[[indicator]] <- rep(FALSE, nrow(out))
  out
}

# Whether baked data have two classes with rows; if not (one row, or rows
# of one class, as `skip = FALSE` may bake), a warning says why nothing is
# done: there is no other class to balance against.
two_classes <- function(object, new_data, done) {
  y <- new_data[[object$column]]
  present <- unique(as.character(y[!is.na(y)]))
  if (length(present) >= 2) return(TRUE)
  sg_warn(c(sprintf("`bake()` got %d row(s) of %s: they are returned unchanged, nothing %s.",
                    nrow(new_data),
                    if (length(present) == 0) "no class"
                    else sprintf("one class (`%s`)", present),
                    done),
            "Balancing needs rows of at least two classes; with `skip = FALSE` the step also runs on new data (the default `skip = TRUE` leaves new data alone)."),
          class = "bake_one_class", call = signal_call(object))
  FALSE
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
  print_smoteguard_step(x, title, width)
}

#' @export
print.step_smoteguard_clean <- function(x, width = max(20, options()$width - 26), ...) {
  title <- sprintf("Cleaning (%s) based on ", format_arg(x$method))
  print_smoteguard_step(x, title, width)
}

# recipes before 1.0.0 had no case weights (nor print_step()'s argument).
print_smoteguard_step <- function(x, title, width) {
  if ("case_weights" %in% names(formals(recipes::print_step))) {
    recipes::print_step(x$column, x$terms, x$trained, title, width,
                        case_weights = x$case_weights)
  } else {
    recipes::print_step(x$column, x$terms, x$trained, title, width)
  }
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
    prov <- x$record$provenance
    out <- tibble::as_tibble(if (is.null(prov)) empty_provenance(character(0)) else prov)
  } else if (type == "guard") {
    report <- x$record$guard$report
    out <- tibble::as_tibble(if (is.null(report)) data.frame() else report)
  } else if (recipes::is_trained(x) && length(x$column) == 0) {
    out <- tibble::tibble(terms = character(0), class = character(0),
                          before = integer(0), after = integer(0),
                          generated = integer(0), removed = integer(0))
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

# The step's own parameters, then the registered methods' parameters that
# declare a tuning range (from the registry) and are arguments of the step
# (only a step argument can hold `tune()`): `m_neighbors` of
# Borderline-SMOTE for step_smoteguard(). A method parameter reached only
# through `options` cannot be tuned.
tunable.step_smoteguard <- function(x, ...) {
  tunable_tibble(x, "step_smoteguard", list(
    method = list(pkg = "smoteguard", fun = "sg_oversampling_method"),
    neighbors = list(pkg = "dials", fun = "neighbors", range = c(1, 10)),
    over_ratio = list(pkg = "dials", fun = "over_ratio")),
    method_names(oversampling_families), step_smoteguard)
}

tunable.step_smoteguard_clean <- function(x, ...) {
  tunable_tibble(x, "step_smoteguard_clean", list(
    method = list(pkg = "smoteguard", fun = "sg_cleaning_method"),
    neighbors = list(pkg = "dials", fun = "neighbors", range = c(1, 10))),
    method_names("clean"), step_smoteguard_clean)
}

tunable_tibble <- function(x, component, own, methods, step_fun) {
  extra <- tunable_params(methods)
  extra <- extra[setdiff(intersect(names(extra), names(formals(step_fun))), names(own))]
  info <- c(own, extra)
  tibble::tibble(
    name = names(info),
    call_info = unname(info),
    source = "recipe",
    component = component,
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
          c("data", "var", "method", "neighbors", "m_neighbors", "over_ratio",
            "seed", "guard", "constraints", "groups", "weights"))
}

check_step_options <- function(options, call, allowed = oversample_option_names()) {
  nms <- names(options)
  ok <- is.list(options) && !is.object(options) &&
    (length(options) == 0 || (!is.null(nms) && !anyNA(nms) && all(nms != "") &&
                                !anyDuplicated(nms)))
  if (!ok) {
    sg_abort(c("`options` must be a list of named arguments.",
               sprintf("It is %s.", describe(options)),
               "For example `options = list(shrinkage = 0.5)`."), call = call)
  }
  check_known_names(nms, allowed, "`options`",
                    "the step's own arguments are set directly", call = call)
  invisible()
}
