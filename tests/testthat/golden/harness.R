# Running the golden calls (calls.R) and putting their answers in a form
# that can be saved and compared: used by tests/golden/record.R, which
# records them, and by test-golden.R, which checks them.

# Record fields that differ between two runs of the same call, or between
# builds: found by recording the corpus twice in two R processes and
# comparing (tests/golden/volatile.R). They are not saved.
golden_volatile <- c("version", "created", "r_version", "timings")

# calls.R read into its own environment, whose parent holds the package's
# exported functions (what a user's call sees) and base R.
golden_load <- function(dir) {
  ns <- asNamespace("smoteguard")
  api <- new.env(parent = baseenv())
  for (nm in getNamespaceExports(ns)) assign(nm, getExportedValue(ns, nm), envir = api)
  env <- new.env(parent = api)
  sys.source(file.path(dir, "calls.R"), envir = env, keep.source = FALSE)
  env$golden_api <- api
  env
}

# The tables the calls read, each built once.
golden_tables <- function(g, names = NULL) {
  names <- unique(if (is.null(names)) vapply(g$golden_calls, `[[`, "", "data") else names)
  keep <- golden_keep_rng()
  on.exit(keep())
  stats::setNames(lapply(names, function(nm) g$golden_data[[nm]]()), names)
}

# Save the caller's random stream (and kind); the returned function puts it
# back.
golden_keep_rng <- function() {
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = globalenv(), inherits = FALSE)
  function() {
    if (had) assign(".Random.seed", old, envir = globalenv())
    else if (exists(".Random.seed", envir = globalenv(), inherits = FALSE))
      rm(".Random.seed", envir = globalenv())
  }
}

# Run one call: the random stream is set first (calls with seed = NULL draw
# from it) and put back after. Warnings and messages are caught (their
# classes kept, in order) and muffled.
golden_run <- function(g, entry, tables) {
  env <- new.env(parent = g$golden_api)
  env$data <- tables[[entry$data]]
  keep <- golden_keep_rng()
  on.exit(keep())
  g$golden_rng(20240613)
  warnings <- list()
  messages <- list()
  value <- withCallingHandlers(
    eval(entry$call, env),
    warning = function(w) {
      warnings[[length(warnings) + 1L]] <<- class(w)
      invokeRestart("muffleWarning")
    },
    message = function(m) {
      messages[[length(messages) + 1L]] <<- class(m)
      invokeRestart("muffleMessage")
    }
  )
  record <- attr(value, "smoteguard", exact = TRUE)
  if (!is.null(record)) {
    attr(value, "smoteguard") <- NULL
    record <- golden_normalise(record)
  }
  list(result = value, record = record, warnings = warnings, messages = messages)
}

# Functions (a constraint's `rules`) as their deparsed text: a closure's
# environment differs from run to run and would drag the caller's frame
# into the saved file.
golden_normalise <- function(x) {
  if (is.function(x)) return(structure(deparse(x), class = "golden_function"))
  if (is.list(x)) {
    a <- attributes(x)
    x <- lapply(x, golden_normalise)
    attributes(x) <- a
  }
  x
}

# The record as it is saved: without the volatile fields.
golden_stable <- function(record) {
  for (field in golden_volatile) record[[field]] <- NULL  # keeps the class
  record
}

# The current record cut to the shape of the recorded one: the recorded
# fields of every named list (fields added since are left out) and the
# recorded columns of every data frame (a provenance `kind` column added
# since is left out). A recorded field or column that is gone shows as
# "<missing>", so the comparison fails on it. Attributes (class, row
# names) are the current object's, so a change there fails too.
golden_project <- function(recorded, current) {
  missing <- structure("<missing>", class = "golden_missing")
  if (is.data.frame(recorded) && is.data.frame(current)) {
    out <- lapply(names(recorded), function(nm) {
      if (nm %in% names(current)) current[[nm]] else missing
    })
    a <- attributes(current)
    a$names <- names(recorded)
    attributes(out) <- a
    return(out)
  }
  if (is.list(recorded) && !is.null(names(recorded)) && is.list(current) &&
      !is.data.frame(recorded)) {
    out <- lapply(names(recorded), function(nm) {
      if (nm %in% names(current)) golden_project(recorded[[nm]], current[[nm]]) else missing
    })
    a <- attributes(current)
    a$names <- names(recorded)
    attributes(out) <- a
    return(out)
  }
  current
}

# Warnings of checks added after the corpus was recorded, each with the
# work that added it: a call that raises one is not compared on it (its
# own tests cover it).
golden_new_warnings <- c(
  # the fidelity check of every sg_oversample() call (R/fidelity.R)
  "smoteguard_warning_fidelity"
)

# A run's answer in the form compared: the warnings of new checks left out,
# and the record's warnings by their number only (their wording may
# change; their classes are compared on the conditions).
golden_comparable <- function(run) {
  new <- vapply(run$warnings, function(cls) cls[[1]] %in% golden_new_warnings, TRUE)
  run$warnings <- run$warnings[!new]
  if (!is.null(run$record) && "warnings" %in% names(run$record)) {
    run$record["warnings"] <- list(length(run$record$warnings) - sum(new))
  }
  run
}
