# The conditions smoteguard signals. Every error and warning goes through
# sg_abort() or sg_warn() with a class from `condition_classes`, the one
# list the help page ?smoteguard-conditions is written from; a class not in
# it is itself an internal error (tests run every signalling path they
# reach through this check).

# kind ("error" or "warning") -> class suffix -> what it means
condition_classes <- list(
  error = c(
    input = "An argument is not what the function expects (type, length, range or a column it names). The message names the argument, what was given and how to fix it.",
    size = "The requested result or a search would need more memory than R allows in one object or than the machine has.",
    missing_package = "The method, learner or plot needs a suggested package that is not installed.",
    stale_result = "The data frame is no longer the result its record describes (rows subset, reordered or its outcome changed), so the record cannot be read for it.",
    not_result = "The object has no smoteguard record: it is not a result of sg_oversample(), sg_clean() or sg_undersample().",
    rules = "A constraints `rules` function failed or did not return one logical per candidate row.",
    rule = "A rule written with sg_rule() is not a one-sided formula of the allowed form.",
    case_weights = "The case-weight column cannot be honoured (frequency weights, or weights that are not importance weights).",
    group_role = "In a recipe, the `groups` column has the role \"predictor\"; give it a role of its own.",
    no_cluster = "KMeans-SMOTE found no cluster that qualifies for oversampling (see `clusters` and `imbalance_threshold`).",
    outcome_type = "The outcome's type does not suit the method: a class outcome given to a method for a numeric outcome, or the reverse.",
    regress_unsupported = "The setting is not available for numeric-outcome (regression) sampling.",
    regress_missing = "Numeric-outcome sampling met missing values it cannot handle (in the outcome or the predictors).",
    regress_caret = "The caret sampling hook was asked for a numeric outcome, which caret's sampling does not pass.",
    no_rare = "Numeric-outcome sampling found no rare region of the outcome to raise.",
    folds = "The folds cannot be made as asked (too few rows or events per fold, or a resampling object of the wrong form).",
    learner = "A learner is not usable as given, or cannot be trained on the rows it is given.",
    sampler = "A sampler failed in every split of an evaluation.",
    parallel = "A batch of an evaluation's cells failed under a parallel plan (a worker that stopped, or an error outside the cells' own handlers); every batch is collected first.",
    not_evaluation = "The object is not a result of sg_evaluate().",
    columns = "A drift check's current batch does not have the reference's columns.",
    empty_batch = "A drift or monitoring batch has no rows, or the reference is not usable.",
    config = "A saved configuration is not valid (a field missing, of the wrong type or value).",
    schema = "A configuration or ledger was written with a schema this version does not read.",
    not_config = "The object or file is not a smoteguard configuration.",
    config_path = "A configuration file path is not usable (missing, a directory, or not writable).",
    exists = "The file exists already; choose another name or pass `overwrite = TRUE`.",
    untrusted_code = "A configuration holds code that was not evaluated; load it with `trust = TRUE` if you trust it.",
    unknown_entry = "A ledger entry does not exist, or holds no sampler configuration to roll back to.",
    not_ledger = "The file is not a smoteguard ledger.",
    ledger_path = "A ledger file path is not usable.",
    ledger_lock = "The ledger's lock could not be taken (another process holds it).",
    report = "Rendering a report failed.",
    pandoc = "Rendering a report needs pandoc, which was not found.",
    internal = "Something that cannot happen did: a bug in smoteguard. Please report it with the call that raised it."
  ),
  warning = c(
    small_class = "A class has no more than `neighbors` rows: each row was paired with all the other rows of its class.",
    single_row = "A class has a single row, which was copied, not interpolated.",
    fallback = "The method could not apply its rule to a class (no danger rows, or nothing for ADASYN to weight) and plain SMOTE was used there.",
    shortfall = "Fewer rows were made than asked: the guard or the constraints rejected candidates, or no row could be a parent.",
    many = "A class was raised to more than 20 times its size: few real rows stand behind many synthetic ones.",
    fidelity = "The synthetic rows of a class differ from its real rows more than the fidelity check allows.",
    bake_one_class = "A recipe step met new data with a single class and left it unchanged.",
    evaluate = "Some cells of an evaluation failed; they are listed in `$failures` and left out of the metrics.",
    holdout = "The holdout has few events: its estimates will be wide.",
    ledger = "A ledger has broken lines; they were skipped.",
    code = "A `rules` function was saved as its text, without its environment.",
    rollback = "A configuration runs, but may not reproduce the result it was saved from."
  )
)

# Each class as a line of the help page.
condition_items <- function(kind) {
  cls <- condition_classes[[kind]]
  paste0("\\item{\\code{smoteguard_", kind, "_", names(cls), "}}{", cls, "}", collapse = "\n")
}

#' Conditions smoteguard signals
#'
#' Every error smoteguard raises has the class `smoteguard_error` and one
#' more specific class, `smoteguard_error_<what>`; every warning has
#' `smoteguard_warning` and `smoteguard_warning_<what>`. Catch them by class
#' with [tryCatch()] or [withCallingHandlers()], or test for them with
#' `testthat::expect_error(class = )`. An error's message names the argument
#' or object at fault, what was expected, what was given and how to fix it.
#'
#' Errors raised by the C code are plain R errors: they guard the package's
#' own invariants and a user should meet one of the classed errors first.
#'
#' @section Errors:
#' \describe{
#' `r condition_items("error")`
#' }
#'
#' @section Warnings:
#' \describe{
#' `r condition_items("warning")`
#' }
#'
#' @name smoteguard-conditions
#' @examples
#' res <- tryCatch(sg_oversample(breast_biopsy, "no_such_column"),
#'                 smoteguard_error_input = function(e) conditionMessage(e))
#' cat(res)
NULL

# Whether `class` (suffixes) are listed for `kind`; an unlisted one is a
# bug in the package (its meaning is not documented).
check_condition_class <- function(class, kind) {
  known <- names(condition_classes[[kind]])
  if (all(class %in% known)) return(invisible())
  bad <- setdiff(class, known)
  cnd <- structure(
    list(message = sprintf("internal: the %s class(es) %s are not listed in condition_classes (R/conditions.R).",
                           kind, paste0("`", bad, "`", collapse = ", ")),
         call = NULL),
    class = c("smoteguard_error_internal", "smoteguard_error", "error", "condition"))
  stop(cnd)
}

sg_abort <- function(message, class = "input", call = NULL, data = list()) {
  check_condition_class(class, "error")
  cnd <- structure(
    c(list(message = paste(message, collapse = "\n"), call = call), data),
    class = c(paste0("smoteguard_error_", class), "smoteguard_error",
              "error", "condition")
  )
  stop(cnd)
}

sg_warn <- function(message, class = "warning", call = NULL) {
  check_condition_class(class, "warning")
  cnd <- structure(
    list(message = paste(message, collapse = "\n"), call = call),
    class = c(paste0("smoteguard_warning_", class), "smoteguard_warning",
              "warning", "condition")
  )
  warning(cnd)
}
