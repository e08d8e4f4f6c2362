#' The guard: where synthetic rows may be made
#'
#' Plain SMOTE seeds from noise rows inside another class, bridges the empty
#' space between clusters, and may place rows among another class's rows.
#' The guard removes such candidates and says how many it removed
#' ([sg_guard_report()]). Every interpolating method of [sg_oversample()]
#' uses it by default; `guard = NULL` gives the plain method.
#'
#' For each class, the guard reads the `m_neighbors` nearest real rows of
#' the whole data around each of its rows (the search Borderline-SMOTE makes):
#' 1. **Seed safety.** A row whose own-class share among them is below
#'    `min_safety` is not a parent; a row with no own-class row among them is
#'    noise and never a parent. Borderline-SMOTE and ADASYN choose their
#'    parents at the class boundary on purpose, so for them only the noise
#'    rule applies, and the intrusion check only when `intrusion` is set.
#' 2. **Gap cap.** A parent is not paired with a neighbour farther than the
#'    `max_gap` quantile of all the distances from each row of the class to
#'    its `neighbors` nearest rows of the class: no row is placed in the
#'    empty space between clusters. A parent left with no neighbour is
#'    skipped.
#' 3. **Quota** (`quota = "keep"`, SMOTE). Every row of the class keeps the
#'    share of the new rows plain SMOTE gives it, so the guard does not move
#'    the class towards its safest rows. A row that may not be a parent
#'    (unsafe or noise) hands its share to its nearest own-class neighbour
#'    that may be one (within the gap cap and groups), and those rows are
#'    made on the segment from that parent towards the row; a row with no
#'    such neighbour (isolated noise) hands its share to no one, and it is
#'    spread over all parents. With `quota = "free"` (the guard of
#'    smoteguard 0.1) the shares of the rows set aside, and the rows
#'    rejected, are spread over all parents.
#' 4. **Jitter.** With `jitter > 0`, Gaussian noise is added to each numeric
#'    predictor of a new row, scaled by the parent's local spacing (the
#'    distance to its nearest own-class row, on the standardised scale) so
#'    that the displacement's expected length is about `jitter` times that
#'    spacing; jittered rows are then held to the bounds. Jittered rows no
#'    longer lie exactly on their recorded segment.
#' 5. **Intrusion.** A candidate whose `m_neighbors` nearest real rows are
#'    of other classes in a share above `intrusion` is rejected. The default
#'    for SMOTE, 0.95, rejects only a candidate with no own-class row among
#'    them (with up to 19 neighbours): a candidate inside the class's real
#'    overlap with other classes is kept, as the class's own rows there are.
#'    The search is local: among the parent's and the neighbour's own
#'    nearest rows of the whole data, which almost always hold the
#'    candidate's nearest rows (`intrusion_search = "exact"` searches the
#'    whole data).
#' 6. **Constraints** (see [sg_constraints()]): a candidate that breaks a
#'    bound, a rule or a combination is rejected.
#'
#' Rejected candidates are drawn again, up to `max_tries` rounds: with
#' `quota = "keep"` each from its own parent (another neighbour, another
#' gap), with `quota = "free"` from every parent in turns. A class that
#' still falls short of its target gets a warning, and the shortfall is
#' reported.
#'
#' **How the defaults were chosen** (issue 14; `bench/guard-fidelity.R`,
#' its table in `bench/README.md`). The guard of smoteguard 0.1
#' (`intrusion = 0.5`, `quota = "free"`) was chosen on two interleaved
#' moons by intrusion and coverage alone. On overlapping rare-event tables
#' it made the rows in the core of the class: the synthetic rows' mean of
#' the worst feature moved by up to about 0.7 class standard deviations
#' (plain SMOTE: about 0.2 at most) and the calibration slope of a logistic
#' regression fell by up to about 0.5 against plain SMOTE's. The defaults
#' now keep the class where it is (the worst shift within 0.25 on 10 of the
#' 11 tables measured; 0.27 on a class of 20 training rows, where plain
#' SMOTE gives 0.20) and keep the guard's purpose: noise inside another class
#' is never a parent, no row bridges the empty space between clusters, and
#' on the moons of the tests and on clustered data with planted noise at
#' most a third of plain SMOTE's rows lie among other classes' rows.
#' `min_safety = 0.2` stays for that purpose: a small clump of noise rows
#' inside another class supports itself (one row of its class among ten),
#' so "no own-class row" alone does not stop it. The price is calibration on
#' strongly overlapping rare-event data, where many real rows of the class
#' have less than 20% own-class support: there the calibration slope stays
#' below plain SMOTE's (by 0.21, 0.17 and 0.08 on the three such tables
#' measured; the 0.1 guard: 0.48, 0.31 and 0.31); use `guard = NULL`, or
#' `sg_guard(min_safety = 0)` when no such noise is expected. Whatever the
#' guard, a model fitted to oversampled rows needs its risks corrected
#' ([sg_correct_prior()]) and its calibration checked on untouched data.
#'
#' @param min_safety The smallest own-class share, in \[0, 1\], among a
#'   parent's nearest rows of the whole data.
#' @param max_gap A probability: the quantile of the class's own
#'   nearest-neighbour distances beyond which a pair is not used (1 keeps
#'   every pair).
#' @param jitter A non-negative multiple of the local spacing; 0 adds none.
#' @param intrusion The largest share, in \[0, 1\], of other classes among a
#'   candidate's nearest real rows (1 turns the check off). `NULL`, the
#'   default, means 0.95 for SMOTE and Safe-Level (with the default
#'   `m_neighbors = 10`: rejected only when none of the 10 is of the
#'   candidate's class), and no check for the
#'   methods that seek the class boundary on purpose (Borderline-SMOTE,
#'   ADASYN; `sg_methods()$boundary`). Random oversampling makes copies of
#'   real rows, which the guard does not judge.
#' @param max_tries The rounds of redrawing rejected candidates, a whole
#'   number >= 1.
#' @param intrusion_search `"local"` or `"exact"`, see Details.
#' @param quota `"keep"` (the default): every row of the class keeps its
#'   share of the new rows (see Details); `"free"`: the guard of smoteguard
#'   0.1, which spreads the shares of the rows set aside and rejected over
#'   all parents. It applies to SMOTE; the other methods choose their
#'   parents by their own rule.
#' @return An object of class `sg_guard`.
#' @seealso [sg_constraints()], [sg_guard_report()].
#' @examples
#' sg_guard()
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1,
#'                      guard = sg_guard(min_safety = 0.3))
#' sg_guard_report(res)
#' @export
sg_guard <- function(min_safety = 0.2, max_gap = 0.95, jitter = 0,
                     intrusion = NULL, max_tries = 10,
                     intrusion_search = c("local", "exact"),
                     quota = c("keep", "free")) {
  # the default guard is the argument default of sg_oversample(), made on
  # every call that takes it: made once
  if (nargs() == 0L && !is.null(guard_cache$default)) return(guard_cache$default)
  call <- sys.call()
  share <- function(x, arg) {
    if (!is.numeric(x) || length(x) != 1 || is.na(x) || x < 0 || x > 1) {
      sg_abort(c(sprintf("`%s` must be a share between 0 and 1.", arg),
                 sprintf("It is %s.", describe(x))), call = call)
    }
    as.numeric(x)
  }
  out <- structure(list(
    min_safety = share(min_safety, "min_safety"),
    max_gap = share(max_gap, "max_gap"),
    jitter = check_number(jitter, "jitter", min = 0, call = call),
    intrusion = if (is.null(intrusion)) NULL else share(intrusion, "intrusion"),
    max_tries = check_count(max_tries, "max_tries", call = call),
    intrusion_search = check_choice(intrusion_search, "intrusion_search",
                                    c("local", "exact"), call = call),
    quota = check_choice(quota, "quota", c("keep", "free"), call = call)
  ), class = "sg_guard")
  if (nargs() == 0L) guard_cache$default <- out
  out
}

guard_cache <- new.env(parent = emptyenv())

#' @export
print.sg_guard <- function(x, ...) {
  cat(sprintf(paste0("<smoteguard guard> min_safety = %s, max_gap = %s, jitter = %s, ",
                     "intrusion = %s (%s), max_tries = %d, quota = %s\n"),
              format(x$min_safety), format(x$max_gap), format(x$jitter),
              if (is.null(x$intrusion)) "by method" else format(x$intrusion),
              x$intrusion_search, x$max_tries,
              if (is.null(x$quota)) "free" else x$quota))
  invisible(x)
}

#' Domain rules for synthetic rows
#'
#' Constraints every synthetic row must satisfy; a candidate that breaks one
#' is rejected and drawn again (see [sg_guard()]). Passed to
#' [sg_oversample()] as `constraints =`; `constraints = NULL` turns them off.
#'
#' @param bounds `"observed"`: each numeric predictor stays within the range
#'   of the real rows of its class; `"none"`; or a named list of
#'   `c(lower, upper)` pairs (use `-Inf`/`Inf` for one-sided bounds), the
#'   other columns then keeping their observed bounds.
#' @param integer Names of further numeric columns that must hold whole
#'   numbers: their values are rounded (integer columns always are).
#' @param rules `NULL`, or a function of a data frame of candidate rows
#'   returning one logical per row, `TRUE` for a plausible row, e.g.
#'   `function(d) d$systolic > d$diastolic`. It is called on batches of
#'   candidates, never once per row; `NA` counts as a violation. `d` holds
#'   every column of the data in the data's order: the predictors with the
#'   candidate's values, the other columns (the outcome, excluded, group and
#'   date columns) as in the candidate's parent row. A rule that fails, or
#'   returns other than one logical per row (a column name it misspells is
#'   `NULL`), is an error of class `smoteguard_error_rules` listing the
#'   columns it can see.
#' @param combos Names of nominal columns whose joint values must be a
#'   combination seen among the real rows of the class.
#' @return An object of class `sg_constraints`.
#' @examples
#' cons <- sg_constraints(bounds = list(clump_thickness = c(1, 10)),
#'                        rules = function(d) d$cell_size <= d$clump_thickness + 9)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, constraints = cons)
#' sg_guard_report(res)
#'
#' # a rule in the safe grammar: saved and loaded without running code
#' sg_constraints(rules = ~ cell_size <= clump_thickness + 9)
#' @section Rules that load safely:
#' `rules` may also be a one-sided formula or a string in the small grammar
#' of [sg_rule()] (column names, numbers, strings, comparisons, arithmetic,
#' `&`, `|`, `!`, `%in%`, `is.na()`), e.g. `rules = ~ age >= 18 & bmi < 70`.
#' Such a rule is checked when it is made and is saved in configurations and
#' the ledger as its text, which loads without running any code; a function
#' is saved as code and runs again only when loaded with `trust = TRUE`
#' ([sg_config_load()]).
#' @export
sg_constraints <- function(bounds = "observed", integer = NULL, rules = NULL,
                           combos = NULL) {
  # the default constraints are the argument default of sg_oversample(),
  # made on every call that takes them: made once (as sg_guard()'s)
  if (nargs() == 0L && !is.null(guard_cache$constraints)) return(guard_cache$constraints)
  call <- sys.call()
  if (is.character(bounds)) {
    bounds <- check_choice(bounds, "bounds", c("observed", "none"), call = call)
  } else if (is.list(bounds)) {
    nms <- names(bounds)
    ok <- !is.null(nms) && !anyNA(nms) && all(nms != "") &&
      all(vapply(bounds, function(b) is.numeric(b) && length(b) == 2 &&
                   !anyNA(b) && b[1] <= b[2], logical(1)))
    if (!ok) {
      sg_abort(c("A list `bounds` must name columns, each with `c(lower, upper)`, lower <= upper.",
                 "For example `bounds = list(age = c(0, 120))`."), call = call)
    }
  } else {
    sg_abort(c("`bounds` must be \"observed\", \"none\" or a named list of `c(lower, upper)`.",
               sprintf("It is %s.", describe(bounds))), call = call)
  }
  if (!is.null(integer) && (!is.character(integer) || anyNA(integer))) {
    sg_abort("`integer` must be NULL or column names.", call = call)
  }
  if (inherits(rules, "formula") || is.character(rules)) rules <- sg_rule(rules)
  if (!is.null(rules) && !is.function(rules)) {
    sg_abort(c("`rules` must be NULL or a function of a data frame returning one logical per row.",
               sprintf("It is %s.", describe(rules))), call = call)
  }
  if (!is.null(combos) && (!is.character(combos) || anyNA(combos))) {
    sg_abort("`combos` must be NULL or names of nominal columns.", call = call)
  }
  out <- list(bounds = bounds, integer = integer, rules = rules, combos = combos)
  class(out) <- "sg_constraints"
  if (nargs() == 0L) guard_cache$constraints <- out
  out
}

#' @export
print.sg_constraints <- function(x, ...) {
  b <- if (is.list(x$bounds)) paste(names(x$bounds), collapse = ", ") else x$bounds
  cat(sprintf("<smoteguard constraints> bounds: %s; integer: %s; rules: %s; combos: %s\n",
              b, if (is.null(x$integer)) "-" else paste(x$integer, collapse = ", "),
              if (is.null(x$rules)) "-" else "function",
              if (is.null(x$combos)) "-" else paste(x$combos, collapse = ", ")))
  invisible(x)
}

# The kinds of `guard` and `constraints` (also checked by the recipes step,
# before it has data).
check_guard_types <- function(guard, constraints, call = NULL) {
  if (!is.null(guard) && !inherits(guard, "sg_guard")) {
    sg_abort(c("`guard` must be NULL or made by `sg_guard()`.",
               sprintf("It is %s.", describe(guard))), call = call)
  }
  if (!is.null(constraints) && !inherits(constraints, "sg_constraints")) {
    sg_abort(c("`constraints` must be NULL or made by `sg_constraints()`.",
               sprintf("It is %s.", describe(constraints))), call = call)
  }
  invisible()
}

# ... and, given the data's predictors, the columns the constraints name.
check_guard_args <- function(guard, constraints, data, pred, call) {
  check_guard_types(guard, constraints, call)
  if (is.null(constraints)) return(invisible())
  constraints <- unclass(constraints)  # (`$` on a classed list looks for a method first)
  if (is.list(constraints$bounds)) {
    bad <- setdiff(names(constraints$bounds), pred$names[pred$kind != "ordered"])
    if (length(bad) > 0) {
      sg_abort(c(sprintf("`bounds` names column(s) that are not numeric predictors: %s.",
                         paste0("`", bad, "`", collapse = ", ")),
                 "Bounds apply to numeric predictor columns."), call = call)
    }
  }
  bad <- if (length(constraints$integer) > 0)
    setdiff(constraints$integer, pred$names[pred$kind %in% c("double", "integer")])
  if (length(bad) > 0) {
    sg_abort(c(sprintf("`integer` names column(s) that are not numeric predictors: %s.",
                       paste0("`", bad, "`", collapse = ", "))), call = call)
  }
  bad <- if (length(constraints$combos) > 0) setdiff(constraints$combos, pred$nominal)
  if (length(bad) > 0) {
    sg_abort(c(sprintf("`combos` names column(s) that are not nominal predictors: %s.",
                       paste0("`", bad, "`", collapse = ", ")),
               "Combinations apply to factor, character or logical predictors."),
             call = call)
  }
  invisible()
}

# Per class and numeric column: the lower and upper bounds a candidate must
# respect (NULL: none).
class_bounds <- function(constraints, pred, rows) {
  b <- bounds_matrices(constraints, pred, list(rows))
  if (is.null(b)) return(NULL)
  list(lower = b$lower[, 1L], upper = b$upper[, 1L])
}

# The bounds of several classes in one C call: list(lower, upper), one
# column per class (NULL: none).
bounds_matrices <- function(constraints, pred, rows) {
  if (is.null(constraints) || identical(constraints$bounds, "none") ||
      dim(pred$x)[2L] == 0L) {
    return(NULL)
  }
  x <- pred$x
  if (!is.double(x)) storage.mode(x) <- "double"
  # (the classes' rows, from split_rows(), are integers already)
  if (!is.integer(unlist(rows, use.names = FALSE))) rows <- lapply(rows, as.integer)
  b <- .Call(ffi_guard_bounds, x, rows)
  if (is.list(constraints$bounds)) {
    j <- match(names(constraints$bounds), pred$names)
    user <- matrix(unlist(constraints$bounds, use.names = FALSE), 2)
    b$lower[j, ] <- user[1, ]
    b$upper[j, ] <- user[2, ]
  }
  b
}

# Reasons candidates fail the constraints: a character vector, NA = kept.
# values: G x dn numeric (already rounded), codes: G x dc.
# rows: the candidates' parents (rows of data), whose other columns the
# `rules` function sees with the candidate's predictor values.
# `combos_seen`: combos_input() of the class. The rounds' own check does
# it (ffi_constraints_check(), src/rounds.c: bounds, then combinations and
# the rules, called back through rule_failures(), on the rows still kept).
constraint_failures <- function(values, codes, cons, bounds, pred, data, combos_seen,
                                rows = NULL) {
  G <- nrow(values)
  reason <- rep(NA_character_, G)
  if (G == 0 || is.null(cons)) return(reason)
  if (!is.double(values)) storage.mode(values) <- "double"
  storage.mode(codes) <- "integer"
  rules <- if (!is.null(cons$rules)) {
    function(values, codes, parents) {
      rule_failures(values, codes, cons, pred, data, if (!is.null(rows)) parents)
    }
  }
  code <- .Call(ffi_constraints_check, values, codes, if (!is.null(rows)) as.integer(rows),
                if (!is.null(bounds)) as.double(bounds$lower),
                if (!is.null(bounds)) as.double(bounds$upper), combos_seen, rules)
  reason[code == 2L] <- "bound"
  reason[code == 3L] <- "rule"
  reason[code == 4L] <- "combo"
  reason
}

# The combinations of a class for the constraints' check: list(columns
# (of the codes), seen (the class's distinct tuples, one per row)), or
# NULL without `combos`.
combos_input <- function(cons, pred, rows) {
  if (is.null(cons$combos)) return(NULL)
  cols <- match(cons$combos, pred$nominal)
  seen <- pred$codes[rows, cols, drop = FALSE]
  seen <- seen[!duplicated(seen), , drop = FALSE]
  dimnames(seen) <- NULL
  list(columns = cols, seen = seen)
}

# Which candidates break the `rules` function (TRUE; NA counts as broken):
# the rules see each candidate as a row of the data (candidate_frame()).
# A rule that fails, or returns other than one logical per row, is an
# error of class smoteguard_error_rules.
rule_failures <- function(values, codes, cons, pred, data, rows = NULL) {
  cand <- candidate_frame(values, codes, pred, data, rows)
  seen <- sprintf("It sees the columns %s (a column it names that is not among them is NULL).",
                  paste0("`", names(cand), "`", collapse = ", "))
  ok <- tryCatch(cons$rules(cand), error = function(e) {
    sg_abort(c("The `rules` function failed on the candidate rows.",
               sprintf("Its error: %s", conditionMessage(e)), seen),
             class = "rules")
  })
  if (!is.logical(ok) || !is.null(dim(ok)) || length(ok) != nrow(values)) {
    sg_abort(c("The `rules` function must return one logical per candidate row.",
               sprintf("It returned %s for %d rows.", describe(ok), nrow(values)),
               seen),
             class = "rules")
  }
  is.na(ok) | !ok
}

# Candidates as a data frame with the predictors' own types, for `rules`:
# with `rows` (their parents), every column of `data` in its order (the
# outcome, excluded, group and date columns as in the parent), the
# predictors holding the candidate's values.
candidate_frame <- function(values, codes, pred, data, rows = NULL) {
  cols <- list()
  for (j in seq_along(pred$names)) {
    cols[[pred$names[j]]] <- typed_values(values[, j], pred$kind[[j]], pred$levels[[j]])
  }
  for (j in seq_along(pred$nominal)) {
    col <- pred$nominal[j]
    v <- pred$nominal_levels[[j]][codes[, j]]
    if (is.factor(data[[col]])) v <- factor(v, levels = levels(data[[col]]))
    if (is.logical(data[[col]])) v <- as.logical(v)
    cols[[col]] <- v
  }
  if (is.null(rows)) return(as.data.frame(cols, stringsAsFactors = FALSE, optional = TRUE))
  full <- lapply(unclass(data), function(col) {
    if (is.null(dim(col))) col[rows] else col[rows, , drop = FALSE]
  })
  full[names(cols)] <- cols
  attr(full, "row.names") <- .set_row_names(length(rows))
  class(full) <- "data.frame"
  full
}

# The shortfall warning's line for each class in `classes`: what was made
# of what was wanted, and why not more, from the guard's report. `kind`:
# "no_seeds" (no row may be a parent), "short_guard" (candidates
# rejected), "short" (Safe-Level ran out of usable pairs).
shortfall_lines <- function(kind, classes, report, counts, settings) {
  num <- function(x) format(x, scientific = FALSE, trim = TRUE)
  vapply(classes, function(cls) {
    r <- report[match(cls, report$class), , drop = FALSE]
    head <- sprintf("Class `%s`: made %s of %s rows", cls, num(r$made), num(r$wanted))
    if (kind == "no_seeds") {
      why <- c(unsafe = r$unsafe, noise = r$noise,
               `without a usable neighbour (gap cap or groups)` = r$isolated)
      why <- why[why > 0]
      return(sprintf("%s: its %s rows, none may be a parent%s; %s", head,
                     num(counts[[cls]]),
                     if (length(why) > 0) sprintf(" (%s)", paste(num(why), names(why), collapse = ", ")) else "",
                     if (is.null(settings$guard)) "see `sg_guard_report(result)`."
                     else "`guard = NULL` makes them."))
    }
    rejected <- c(intrusion = r$rejected_intrusion, bounds = r$rejected_bound,
                  rules = r$rejected_rule, combinations = r$rejected_combo)
    if (kind == "short" || sum(rejected) == 0) {
      return(sprintf("%s: it ran out of usable parent-neighbour pairs (both of safe level 0); see `sg_record(result)$seeds`.",
                     head))
    }
    who <- c(if (!is.null(settings$guard)) "the guard", if (!is.null(settings$constraints)) "the constraints")
    every <- c(intrusion = "the intrusion check", bounds = "the bounds",
               rules = "the `rules` function", combinations = "the combinations")[
      names(rejected)[rejected == r$drawn]]
    sprintf("%s from %s parents: %s rejected %s of %s candidates drawn (%s)%s; see `sg_guard_report(result)`.",
            head, num(r$seeds), paste(who, collapse = " and "), num(sum(rejected)),
            num(r$drawn), paste(num(rejected), "for", names(rejected), collapse = ", "),
            if (length(every) > 0) sprintf("; %s rejected every one: check that it can hold", every[1])
            else "")
  }, character(1), USE.NAMES = FALSE)
}

#' What the guard did
#'
#' One row per oversampled class of a result of [sg_oversample()]: the
#' parents available and used, the seeds skipped as unsafe or noise, the
#' neighbour pairs removed by the gap cap or for sharing a group, the
#' candidates drawn, rejected by reason, the shortfall, and the guard's
#' settings.
#'
#' @inheritParams sg_provenance
#' @return A data frame with columns `class`, `seeds` (rows that could be
#'   parents), `parents_used`, `unsafe`, `noise`, `isolated` (parents left
#'   with no neighbour by the gap cap or groups), `pairs_gap`,
#'   `pairs_group`, `drawn`, `rejected_intrusion`, `rejected_bound`,
#'   `rejected_rule`, `rejected_combo`, `wanted`, `made`, `shortfall`,
#'   `max_gap_distance`, and the settings `min_safety`, `max_gap`, `jitter`,
#'   `intrusion`, `max_tries`. `NULL` guard and constraints give a report of
#'   counts only.
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' sg_guard_report(res)
#' @export
sg_guard_report <- function(result) {
  record <- result_record(result, call = sys.call())
  report <- record$guard$report
  if (is.null(report)) {
    report <- data.frame(class = character(0))
  }
  report
}
