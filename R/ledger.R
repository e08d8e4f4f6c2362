# The experiment ledger: one JSON line per entry, appended under a lock,
# never rewritten. R/config.R holds the configurations and the rules'
# grammar; both write R values through json_value() below, which reads
# back identical values.

# ---------------------------------------------------------------------------
# JSON values that read back identical
#
# Every value is an object {"t": type, "v": values, "at": attributes}:
# doubles are written with as many digits as they need to parse back to the
# same double (15, else 17; jsonlite's own writer stops at 15), and NA, NaN,
# Inf and -Inf as the strings "NA", "NaN", "Inf", "-Inf"; NA of the other
# types is null; attributes (names, levels, class, dim, row names) are a
# list of their own. Functions and calls are kept as their text, marked as
# code ("t": "code"), and are never evaluated when read unless trusted;
# rules of the safe grammar (sg_rule()) are "t": "rule". Environments are
# not kept ("t": "omitted").

json_value <- function(x) {
  if (is.null(x)) return('{"t":"null"}')
  if (inherits(x, "sg_rule")) {
    return(paste0('{"t":"rule","text":', json_string(attr(x, "text")), '}'))
  }
  if (inherits(x, "sg_code")) {
    return(paste0('{"t":"code","text":', json_string(x$text), '}'))
  }
  if (is.function(x) || is.language(x)) {
    text <- paste(deparse(x, control = c("keepInteger", "niceNames", "showAttributes")),
                  collapse = "\n")
    return(paste0('{"t":"code","text":', json_string(text), '}'))
  }
  if (is.environment(x) || !(is.atomic(x) || is.list(x)) || is.complex(x) || is.raw(x)) {
    return(paste0('{"t":"omitted","what":', json_string(typeof(x)), '}'))
  }
  at <- attributes(x)
  if (is.list(x)) {
    attributes(x) <- NULL
    v <- paste0("[", paste(vapply(x, json_value, ""), collapse = ","), "]")
    t <- "list"
  } else {
    t <- c(double = "dbl", integer = "int", logical = "lgl", character = "chr")[[typeof(x)]]
    v <- json_atomic(x)
  }
  out <- paste0('{"t":"', t, '","v":', v)
  if (length(at) > 0) {
    # the attributes as names and values (not as a value of their own,
    # whose names would be an attribute again)
    out <- paste0(out, ',"at":{"n":', json_atomic(names(at)), ',"v":[',
                  paste(vapply(at, json_value, ""), collapse = ","), "]}")
  }
  paste0(out, "}")
}

json_string <- function(x) {
  as.character(jsonlite::toJSON(enc2utf8(as.character(x)), auto_unbox = TRUE, na = "null"))
}

json_atomic <- function(x) {
  attributes(x) <- NULL
  if (length(x) == 0) return("[]")
  s <- switch(typeof(x),
    double = json_doubles(x),
    integer = ifelse(is.na(x), "null", as.character(x)),
    logical = ifelse(is.na(x), "null", ifelse(x, "true", "false")),
    character = return(as.character(jsonlite::toJSON(enc2utf8(x), na = "null")))
  )
  paste0("[", paste(s, collapse = ","), "]")
}

# Doubles as JSON numbers that parse back (by the parser that reads them)
# to the same double: 15 significant digits where they suffice, else 17.
json_doubles <- function(x) {
  s <- character(length(x))
  fin <- is.finite(x)
  s[!fin] <- ifelse(is.nan(x[!fin]), '"NaN"', ifelse(is.na(x[!fin]), '"NA"',
                    ifelse(x[!fin] > 0, '"Inf"', '"-Inf"')))
  if (any(fin)) {
    v <- x[fin]
    short <- sprintf("%.15g", v)
    back <- jsonlite::parse_json(paste0("[", paste(short, collapse = ","), "]"),
                                 simplifyVector = TRUE)
    bad <- as.double(back) != v
    short[bad] <- sprintf("%.17g", v[bad])
    s[fin] <- short
  }
  s
}

json_specials <- c("NA" = NA_real_, "NaN" = NaN, "Inf" = Inf, "-Inf" = -Inf)

# A parsed value (jsonlite::parse_json(simplifyVector = FALSE)) back to R.
# `field` names where it is, for errors; code is kept as text (an sg_code),
# never evaluated here (trust_code() does that, when asked).
json_read_value <- function(node, field = "value", call = NULL) {
  if (!is.list(node) || !is.character(node$t)) {
    sg_abort(c(sprintf("The field `%s` is not a smoteguard value.", field),
               "The file was changed by hand or by another program; use an unmodified copy."),
             class = "config", call = call)
  }
  v <- node$v
  na_null <- function(v, na) vapply(v, function(e) if (is.null(e)) na else e, na)
  x <- switch(node$t,
    null = return(NULL),
    omitted = return(NULL),
    dbl = vapply(v, function(e) {
      if (is.null(e)) NA_real_ else if (is.character(e)) json_specials[[e]] else as.double(e)
    }, 0),
    int = as.integer(na_null(v, NA_real_)),
    lgl = na_null(v, NA),
    chr = na_null(v, NA_character_),
    list = lapply(seq_along(v), function(i) {
      json_read_value(v[[i]], sprintf("%s[[%d]]", field, i), call)
    }),
    rule = return(sg_rule(node$text)),
    code = return(new_code(node$text)),
    sg_abort(c(sprintf("The field `%s` has an unknown type \"%s\".", field, node$t),
               "It was written by a newer smoteguard, or changed by hand; update smoteguard or use an unmodified copy."),
             class = "config", call = call)
  )
  if (!is.null(node$at)) {
    at <- lapply(seq_along(node$at$v), function(i) {
      json_read_value(node$at$v[[i]], sprintf("%s@%d", field, i), call)
    })
    names(at) <- unlist(node$at$n)
    attributes(x) <- at
  }
  x
}

# Code read without trust: its text, shown and never run.
new_code <- function(text) structure(list(text = text), class = "sg_code")

#' @export
print.sg_code <- function(x, ...) {
  cat("<smoteguard code, not evaluated>\n")
  cat(paste0("  ", strsplit(x$text, "\n", fixed = TRUE)[[1]], "\n"), sep = "")
  invisible(x)
}

# ---------------------------------------------------------------------------
# The ledger

ledger_schema <- 1L

#' An experiment ledger: append, read, compare
#'
#' The ledger is a text file with one JSON line per entry, appended to and
#' never rewritten: a lasting account of what was resampled, evaluated and
#' checked, with what settings, on which data and with what outcome.
#'
#' `sg_ledger_append()` adds one entry for `x`:
#' * a result of [sg_oversample()], [sg_clean()] or [sg_undersample()]: its
#'   sampler configuration (every resolved argument, the seed and the RNG
#'   kind; see [sg_rollback()]), the data fingerprint, and its record
#'   without the row-level parts (class counts before and after, the guard's
#'   report, the fidelity check, the input summary used by [sg_drift()]);
#' * a configuration made by [sg_sampler()];
#' * an evaluation (`sg_evaluation`, from `sg_evaluate()`): its metrics per
#'   fold and the holdout, the verdict and the decisions, its settings
#'   (not the predictions, not the records of the training rows);
#' * a drift check ([sg_drift()]), or a monitoring check ([sg_monitor()]:
#'   its table, the baseline's sampler, learner and ledger id, the threshold
#'   and the batch's size; [sg_monitor_plot()] plots a ledger's checks).
#'
#' Each entry has an `id` (time stamp and a hash of the time, the process
#' and a counter; no random numbers are drawn, so the caller's random
#' stream is untouched), the time, the package and R versions, `author`,
#' `why` and `tags`. Doubles are written so that they read back identical.
#'
#' **Nothing is lost.** Each append holds a lock (`filelock`, on the file
#' `<path>.lock`) while it writes its line with one write and flushes it to
#' disk (`fsync`), so appends from several processes never interleave. If a
#' writer was killed in the middle of a line, the file does not end in a
#' newline: the next append starts a fresh line, and `sg_ledger_read()`
#' reports the broken line by its number (with a warning) and reads every
#' other entry.
#'
#' @param x What to record (see Details).
#' @param path The ledger's file; created by the first append.
#' @param why `NULL` or a short text: why this was done.
#' @param tags Character: labels to find entries by.
#' @param author Who made the entry; by default the user name.
#' @return `sg_ledger_append()`: the new entry's id, invisibly.
#'   `sg_ledger_read()`: a data frame, one row per entry, in the file's
#'   order: `id`, `time` (POSIXct), `kind` (`"result"`, `"sampler"`,
#'   `"evaluation"`, `"drift"`, `"monitor"`), `author`, `why`, `tags` (a list
#'   column), `package`, `r_version`, `fingerprint`, `method`, `var`, `seed`,
#'   `rows_before`, `rows_after`, `line` (the line number in the file), and
#'   the list columns `config` (the sampler configuration, a [sg_sampler()]
#'   value), `counts`, `guard`, `fidelity`, `metrics` (an evaluation's
#'   metrics per fold; a monitoring check's table), `verdict` and `entry`
#'   (everything recorded). `sg_ledger_compare()`: an object of class
#'   `sg_ledger_comparison` (printed side by side): `settings` (the
#'   arguments that differ), `same_data`, `counts` and `metrics` (for
#'   evaluations: per sampler, learner and metric, the mean and fold
#'   standard deviation in each entry and the change).
#' @seealso [sg_rollback()], [sg_config_save()], [sg_drift()].
#' @examples
#' path <- tempfile(fileext = ".jsonl")
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' id1 <- sg_ledger_append(res, path, why = "first try")
#' res2 <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, neighbors = 3)
#' id2 <- sg_ledger_append(res2, path, tags = "k3")
#' led <- sg_ledger_read(path)
#' led[, c("id", "kind", "method", "seed", "rows_before", "rows_after")]
#' led$counts[[1]]
#' sg_ledger_compare(path, id1, id2)
#' @export
sg_ledger_append <- function(x, path, why = NULL, tags = character(),
                             author = Sys.info()[["user"]]) {
  call <- sys.call()
  path <- check_ledger_path(path, call)
  if (!is.null(why) && (!is.character(why) || length(why) != 1 || is.na(why))) {
    sg_abort(c("`why` must be NULL or a single string.", sprintf("It is %s.", describe(why))),
             call = call)
  }
  if (!is.character(tags) || anyNA(tags)) {
    sg_abort(c("`tags` must be a character vector without NA.", sprintf("It is %s.", describe(tags))),
             call = call)
  }
  if (!is.character(author) || length(author) != 1 || is.na(author)) {
    sg_abort(c("`author` must be a single string.", sprintf("It is %s.", describe(author))),
             call = call)
  }
  payload <- ledger_payload(x, call)
  versions <- session_versions()
  now <- Sys.time()
  id <- ledger_id(now)
  head <- list(ledger = "smoteguard", schema = ledger_schema, id = id,
               time = format(now, "%Y-%m-%dT%H:%M:%OS3%z"), kind = payload$kind,
               author = author, why = why, tags = I(tags), package = versions$package,
               r_version = versions$r, fingerprint = payload$fingerprint %||% NA_character_)
  head <- as.character(jsonlite::toJSON(head, auto_unbox = TRUE, null = "null", na = "null"))
  line <- paste0(substr(head, 1, nchar(head) - 1), ',"body":', json_value(payload$body), "}\n")
  lock <- ledger_lock(path, call)
  on.exit(filelock::unlock(lock), add = TRUE)
  tryCatch(.Call(ffi_record_append, path, line), error = function(e) {
    sg_abort(c(sprintf("Cannot append to the ledger `%s`.", path),
               conditionMessage(e), "Check that its directory exists and is writable."),
             class = "ledger_path", call = call)
  })
  invisible(id)
}

# The part of x that the ledger keeps, with its kind.
ledger_payload <- function(x, call) {
  if (inherits(x, "sg_sampler")) {
    return(list(kind = "sampler", body = list(config = config_value(x))))
  }
  if (is.data.frame(x) && inherits(attr(x, "smoteguard", exact = TRUE), "sg_record")) {
    rec <- result_record(x, "x", call = call)
    config <- config_value(sampler_from_record(rec), rec)
    keep <- setdiff(names(rec), c("provenance", "removed", "known"))
    record <- unclass(rec)[keep]
    return(list(kind = "result", fingerprint = rec$fingerprint,
                body = list(config = config, record = record)))
  }
  if (inherits(x, "sg_evaluation")) {
    keep <- intersect(c("metrics", "holdout", "verdict", "decisions", "thresholds",
                        "settings", "seed", "notes", "warnings", "failures", "fingerprint"),
                      names(x))
    return(list(kind = "evaluation", fingerprint = x$fingerprint,
                body = list(evaluation = unclass(x)[keep])))
  }
  if (inherits(x, "sg_drift")) {
    return(list(kind = "drift", body = list(drift = unclass(x))))
  }
  if (inherits(x, "sg_monitor")) {
    return(list(kind = "monitor", body = list(monitor = unclass(x))))
  }
  sg_abort(c("`x` must be a result of `sg_oversample()`, `sg_clean()` or `sg_undersample()`, a `sg_sampler()`, an evaluation, or a drift or monitoring check.",
             sprintf("It is %s.", describe(x))), call = call)
}

ledger_counter <- new.env(parent = emptyenv())

# Unique without drawing random numbers: the time to the millisecond, then
# a hash of the time, the process, the host and a counter of the session.
ledger_id <- function(now) {
  ledger_counter$n <- (ledger_counter$n %||% 0) + 1
  salt <- list(t = as.character(unclass(now)), p = Sys.getpid(),
               h = Sys.info()[["nodename"]], n = ledger_counter$n,
               w = as.character(proc.time()[["elapsed"]]))
  hash <- .Call(ffi_record_fingerprint, salt)
  paste0(format(now, "%Y%m%dT%H%M%OS3"), "-", substr(hash, 1, 8))
}

check_ledger_path <- function(path, call) {
  if (!is.character(path) || length(path) != 1 || is.na(path) || path == "") {
    sg_abort(c("`path` must be a single file name.", sprintf("It is %s.", describe(path))),
             class = "ledger_path", call = call)
  }
  path <- path.expand(path)
  if (dir.exists(path)) {
    sg_abort(c(sprintf("The ledger path `%s` is a directory.", path),
               "Give a file name inside it, e.g. `file.path(path, \"ledger.jsonl\")`."),
             class = "ledger_path", call = call)
  }
  dir <- dirname(path)
  if (!dir.exists(dir) || file.access(dir, 2) != 0 ||
      (file.exists(path) && file.access(path, 2) != 0)) {
    sg_abort(c(sprintf("The ledger `%s` cannot be written.", path),
               if (!dir.exists(dir)) sprintf("Its directory `%s` does not exist; create it first.", dir)
               else "Check the permissions of the file and its directory, or choose another place."),
             class = "ledger_path", call = call)
  }
  path
}

ledger_lock <- function(path, call) {
  lock <- tryCatch(filelock::lock(paste0(path, ".lock"), exclusive = TRUE, timeout = 60000),
                   error = function(e) NULL)
  if (is.null(lock)) {
    sg_abort(c(sprintf("Could not lock the ledger `%s` within a minute.", path),
               sprintf("Another process holds `%s.lock`; try again when it has finished.", path)),
             class = "ledger_lock", call = call)
  }
  lock
}

#' @rdname sg_ledger_append
#' @export
sg_ledger_read <- function(path) {
  call <- sys.call()
  entries <- ledger_entries(path, call)
  ledger_frame(entries)
}

# The parsed entries of a ledger, each with its line number; broken lines
# reported by number with a warning.
ledger_entries <- function(path, call) {
  if (!is.character(path) || length(path) != 1 || is.na(path)) {
    sg_abort(c("`path` must be a single file name.", sprintf("It is %s.", describe(path))),
             class = "ledger_path", call = call)
  }
  if (dir.exists(path)) {
    sg_abort(c(sprintf("The ledger path `%s` is a directory.", path),
               "Give the ledger's file name."), class = "ledger_path", call = call)
  }
  if (!file.exists(path)) {
    sg_abort(c(sprintf("There is no ledger `%s`.", path),
               "Check the name; a ledger is created by `sg_ledger_append()`."),
             class = "ledger_path", call = call)
  }
  size <- file.size(path)
  bytes <- readBin(path, "raw", size)
  if (length(bytes) == 0) return(list())
  text <- rawToChar(bytes)
  Encoding(text) <- "UTF-8"
  lines <- strsplit(text, "\n", fixed = TRUE)[[1]]
  complete <- bytes[length(bytes)] == as.raw(10L)
  n <- length(lines)
  entries <- vector("list", n)
  bad <- integer(0)
  for (i in seq_len(n)) {
    if (!complete && i == n) break
    if (lines[i] == "") next
    e <- tryCatch(jsonlite::parse_json(lines[i], simplifyVector = FALSE), error = function(e) NULL)
    if (is.null(e) || !identical(e$ledger, "smoteguard") || is.null(e$body)) {
      bad <- c(bad, i)
      next
    }
    e$line <- i
    entries[[i]] <- e
  }
  entries <- entries[!vapply(entries, is.null, logical(1))]
  if (length(entries) == 0 && (length(bad) > 0 || (!complete && n > 0))) {
    sg_abort(c(sprintf("`%s` is not a smoteguard ledger.", path),
               "None of its lines is a ledger entry; check the file name (ledgers are written by `sg_ledger_append()`)."),
             class = "not_ledger", call = call)
  }
  if (length(bad) > 0) {
    sg_warn(c(sprintf("The ledger `%s` has %d broken line(s): %s.", path, length(bad),
                      paste(utils::head(bad, 20), collapse = ", ")),
              "They were skipped and every other entry was read (a writer was stopped mid-entry, or the file was edited)."),
            class = "ledger", call = call)
  }
  if (!complete) {
    sg_warn(c(sprintf("The last line (%d) of the ledger `%s` is incomplete and was skipped.", n, path),
              "A writer was stopped in the middle of an entry; every earlier entry was read, and the next append starts a fresh line."),
            class = "ledger", call = call)
  }
  newer <- vapply(entries, function(e) is.numeric(e$schema) && e$schema > ledger_schema, logical(1))
  if (any(newer)) {
    sg_abort(c(sprintf("The ledger `%s` has entries of schema %s, newer than this smoteguard reads (%d).",
                       path, max(vapply(entries[newer], function(e) e$schema, 0)), ledger_schema),
               "Update smoteguard to read it."), class = "schema", call = call)
  }
  entries
}

ledger_frame <- function(entries) {
  str1 <- function(v) if (is.null(v)) NA_character_ else as.character(v)
  bodies <- lapply(entries, function(e) json_read_value(e$body, "body"))
  get <- function(f) lapply(bodies, f)
  config <- get(function(b) if (!is.null(b$config)) sampler_from_config(b$config))
  rec <- get(function(b) b$record)
  ev <- get(function(b) b$evaluation)
  out <- data.frame(
    id = vapply(entries, function(e) str1(e$id), ""),
    time = as.POSIXct(vapply(entries, function(e) str1(e$time), ""),
                      format = "%Y-%m-%dT%H:%M:%OS%z"),
    kind = vapply(entries, function(e) str1(e$kind), ""),
    author = vapply(entries, function(e) str1(e$author), ""),
    why = vapply(entries, function(e) str1(e$why), ""),
    package = vapply(entries, function(e) str1(e$package), ""),
    r_version = vapply(entries, function(e) str1(e$r_version), ""),
    fingerprint = vapply(entries, function(e) str1(e$fingerprint), ""),
    method = vapply(config, function(s) if (is.null(s)) NA_character_ else s$method, ""),
    var = vapply(rec, function(r) if (is.null(r)) NA_character_ else r$settings$var, ""),
    seed = vapply(bodies, function(b) as.double(b$config$seed %||% NA_real_), 0),
    rows_before = vapply(rec, function(r) if (is.null(r)) NA_real_ else as.double(r$n_input), 0),
    rows_after = vapply(rec, function(r) if (is.null(r)) NA_real_ else as.double(r$n_result), 0),
    line = vapply(entries, function(e) as.integer(e$line), 0L),
    stringsAsFactors = FALSE
  )
  out$tags <- lapply(entries, function(e) as.character(unlist(e$tags)))
  out$config <- config
  out$counts <- lapply(rec, function(r) r$counts)
  out$guard <- lapply(rec, function(r) r$guard$report)
  out$fidelity <- lapply(rec, function(r) r$fidelity)
  out$metrics <- lapply(bodies, function(b) b$evaluation$metrics %||% b$monitor$table)
  out$verdict <- lapply(ev, function(e) e$verdict)
  out$entry <- bodies
  out
}

# One entry of a ledger by id (or row number).
ledger_entry <- function(path, entry, call, arg = "entry") {
  led <- sg_ledger_read(path)
  if (is.numeric(entry) && length(entry) == 1 && !is.na(entry) && entry >= 1 &&
      entry <= nrow(led) && entry == round(entry)) {
    return(led[entry, , drop = FALSE])
  }
  if (!is.character(entry) || length(entry) != 1 || is.na(entry) || !entry %in% led$id) {
    sg_abort(c(sprintf("`%s` is not an entry of the ledger `%s`.", arg, path),
               sprintf("It is %s; the ledger has %d entries%s.", describe(entry), nrow(led),
                       if (nrow(led) > 0) sprintf(", from `%s` to `%s`", led$id[1], led$id[nrow(led)]) else ""),
               "Give an id from `sg_ledger_read(path)$id`, or a row number."),
             class = "unknown_entry", call = call)
  }
  led[match(entry, led$id), , drop = FALSE]
}

#' @rdname sg_ledger_append
#' @param a,b Two entries of the ledger: ids (or row numbers of
#'   `sg_ledger_read(path)`).
#' @export
sg_ledger_compare <- function(path, a, b) {
  call <- sys.call()
  ea <- ledger_entry(path, a, call, "a")
  eb <- ledger_entry(path, b, call, "b")
  sa <- ea$config[[1]]
  sb <- eb$config[[1]]
  settings <- NULL
  if (!is.null(sa) || !is.null(sb)) {
    fa <- sampler_fields(sa)
    fb <- sampler_fields(sb)
    nms <- union(names(fa), names(fb))
    differ <- nms[!vapply(nms, function(n) identical(fa[[n]], fb[[n]]), logical(1))]
    settings <- data.frame(setting = differ,
                           a = vapply(differ, function(n) fa[[n]] %||% "(absent)", ""),
                           b = vapply(differ, function(n) fb[[n]] %||% "(absent)", ""),
                           stringsAsFactors = FALSE, row.names = NULL)
  }
  counts <- NULL
  if (!is.null(ea$counts[[1]]) && !is.null(eb$counts[[1]])) {
    ca <- ea$counts[[1]]
    cb <- eb$counts[[1]]
    cls <- union(as.character(ca$class), as.character(cb$class))
    counts <- data.frame(class = cls,
                         before_a = ca$before[match(cls, ca$class)],
                         after_a = ca$after[match(cls, ca$class)],
                         before_b = cb$before[match(cls, cb$class)],
                         after_b = cb$after[match(cls, cb$class)])
  }
  metrics <- compare_metrics(ea$metrics[[1]], eb$metrics[[1]])
  structure(list(a = ea$id, b = eb$id, kinds = c(ea$kind, eb$kind),
                 same_data = if (is.na(ea$fingerprint) || is.na(eb$fingerprint)) NA
                             else ea$fingerprint == eb$fingerprint,
                 fingerprints = c(ea$fingerprint, eb$fingerprint),
                 versions = c(ea$package, eb$package),
                 settings = settings, counts = counts, metrics = metrics),
            class = "sg_ledger_comparison")
}

# A sampler's settings as one string each, for comparison.
sampler_fields <- function(s) {
  if (is.null(s)) return(list())
  out <- list(method = s$method)
  for (nm in names(s$args)) {
    v <- s$args[[nm]]
    out[[nm]] <- if (is.null(v)) "NULL" else if (is.atomic(v) && is.null(attributes(v)))
      paste(format(v, digits = 15), collapse = ", ") else paste(deparse(unclass_deep(v)), collapse = " ")
  }
  if (!is.null(s$origin)) out$seed <- format(s$origin$seed %||% "none")
  out
}

unclass_deep <- function(x) {
  if (is.function(x)) return(paste(deparse(x), collapse = " "))
  if (is.list(x)) return(lapply(unclass(x), unclass_deep))
  x
}

# Long metric tables (sampler, learner, metric, value, ...) of two
# evaluations: mean and fold sd of each, and the change.
compare_metrics <- function(ma, mb) {
  if (is.null(ma) || is.null(mb)) return(NULL)
  keys <- intersect(c("sampler", "learner", "corrected", "metric"), intersect(names(ma), names(mb)))
  if (!"value" %in% names(ma) || !"value" %in% names(mb) || !"metric" %in% keys) return(NULL)
  agg <- function(m) {
    k <- interaction(m[keys], drop = TRUE, sep = "\r")
    mean <- tapply(m$value, k, mean, na.rm = TRUE)
    sd <- tapply(m$value, k, stats::sd, na.rm = TRUE)
    first <- m[match(names(mean), as.character(k)), keys, drop = FALSE]
    cbind(first, mean = as.vector(mean), sd = as.vector(sd))
  }
  a <- agg(ma)
  b <- agg(mb)
  out <- merge(a, b, by = keys, suffixes = c("_a", "_b"), all = TRUE)
  out$change <- out$mean_b - out$mean_a
  out
}

#' @export
print.sg_ledger_comparison <- function(x, ...) {
  cat(sprintf("<smoteguard ledger comparison> %s (%s) vs %s (%s)\n", x$a, x$kinds[1], x$b, x$kinds[2]))
  cat(sprintf("data: %s\n", if (is.na(x$same_data)) "not comparable (no fingerprint on one side)"
              else if (x$same_data) sprintf("the same (fingerprint %s)", x$fingerprints[1])
              else sprintf("different (fingerprints %s and %s)", x$fingerprints[1], x$fingerprints[2])))
  if (x$versions[1] != x$versions[2]) {
    cat(sprintf("smoteguard versions: %s and %s\n", x$versions[1], x$versions[2]))
  }
  if (!is.null(x$settings)) {
    if (nrow(x$settings) == 0) cat("settings: the same\n") else {
      cat("settings changed:\n")
      print(x$settings, row.names = FALSE)
    }
  }
  if (!is.null(x$counts)) {
    cat("class counts:\n")
    print(x$counts, row.names = FALSE)
  }
  if (!is.null(x$metrics)) {
    cat("metrics (mean and fold sd in each, change b - a):\n")
    print(x$metrics, row.names = FALSE, digits = 4)
  }
  invisible(x)
}
