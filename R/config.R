# Sampler configurations on disk and back, rollback from the ledger, and
# the rules' safe grammar. Values are written by json_value() (R/ledger.R).

config_schema <- 1L

# ---------------------------------------------------------------------------
# Rules in a safe grammar

#' Domain rules as safe expressions
#'
#' A rule for [sg_constraints()] written as an expression over the columns
#' of a candidate row, instead of an R function: `sg_rule(~ age >= 18 &
#' bmi < 70)`, `sg_rule("systolic > diastolic")`, or directly
#' `sg_constraints(rules = ~ age >= 18)`. The grammar is small and checked
#' when the rule is made: column names, numbers, strings, `TRUE`/`FALSE`,
#' comparisons (`<`, `<=`, `>`, `>=`, `==`, `!=`), arithmetic (`+`, `-`,
#' `*`, `/`, `^`, `%%`), `&`, `|`, `!`, `%in%` (with `c()` of constants),
#' `is.na()` and parentheses. Nothing else can be called, so a rule read
#' from a configuration file or the ledger is safe to use; a rule that is
#' an R function is saved as text and runs again only when loaded with
#' `trust = TRUE` (see [sg_config_load()]).
#'
#' @param rule A one-sided formula or a single string.
#' @return A function of a data frame returning one logical per row, of
#'   class `sg_rule`, with the rule's text in `attr(, "text")`.
#' @examples
#' r <- sg_rule(~ cell_size <= clump_thickness + 9 & !is.na(cell_shape))
#' r
#' cons <- sg_constraints(rules = r)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, constraints = cons)
#' sg_guard_report(res)
#' @export
sg_rule <- function(rule) {
  call <- sys.call()
  if (inherits(rule, "sg_rule")) return(rule)
  if (inherits(rule, "formula")) {
    if (length(rule) != 2) {
      sg_abort(c("A rule formula must be one-sided, like `~ age >= 18`.",
                 sprintf("It is `%s`.", paste(deparse(rule), collapse = " "))),
               class = "rule", call = call)
    }
    expr <- rule[[2]]
  } else if (is.character(rule) && length(rule) == 1 && !is.na(rule)) {
    exprs <- tryCatch(parse(text = rule, keep.source = FALSE), error = function(e) e)
    if (inherits(exprs, "error") || length(exprs) != 1) {
      sg_abort(c(sprintf("The rule \"%s\" is not one R expression.", rule),
                 "Write it like \"age >= 18 & bmi < 70\"."), class = "rule", call = call)
    }
    expr <- exprs[[1]]
  } else {
    sg_abort(c("`rule` must be a one-sided formula or a single string.",
               sprintf("It is %s.", describe(rule))), class = "rule", call = call)
  }
  check_rule_expr(expr, call)
  text <- paste(deparse(expr, width.cutoff = 500L), collapse = " ")
  f <- rule_function(expr)
  attr(f, "text") <- text
  class(f) <- c("sg_rule", "function")
  f
}

rule_calls <- c("<", "<=", ">", ">=", "==", "!=", "+", "-", "*", "/", "^", "%%",
                "&", "|", "!", "%in%", "is.na", "(", "c")

check_rule_expr <- function(expr, call) {
  ok_const <- function(x) (is.numeric(x) || is.character(x) || is.logical(x)) && length(x) == 1
  walk <- function(e) {
    if (is.symbol(e)) return(invisible())
    if (is.atomic(e)) {
      if (!ok_const(e)) rule_refuse(deparse(e), call)
      return(invisible())
    }
    if (!is.call(e) || !is.symbol(e[[1]]) || !as.character(e[[1]]) %in% rule_calls) {
      rule_refuse(paste(deparse(e), collapse = " "), call)
    }
    if (as.character(e[[1]]) == "c" &&
        !all(vapply(as.list(e)[-1], function(a) is.atomic(a) && ok_const(a), logical(1)))) {
      rule_refuse(paste(deparse(e), collapse = " "), call, "`c()` may hold constants only")
    }
    for (a in as.list(e)[-1]) walk(a)
  }
  walk(expr)
}

rule_refuse <- function(what, call, why = NULL) {
  sg_abort(c(sprintf("The rule uses `%s`, which the rule grammar does not allow%s.", what,
                     if (is.null(why)) "" else paste0(": ", why)),
             paste("Rules may use column names, numbers, strings, comparisons, arithmetic,",
                   "`&`, `|`, `!`, `%in%`, `is.na()` and parentheses; for anything else pass a function",
                   "(saved as code, loaded only with `trust = TRUE`).")),
           class = "rule", call = call)
}

# The rule evaluated with the candidate rows' columns, and nothing but the
# grammar's functions, in scope.
rule_function <- function(expr) {
  env <- new.env(parent = emptyenv())
  for (f in rule_calls) assign(f, get(f, envir = baseenv()), envir = env)
  force(expr)
  function(d) {
    out <- eval(expr, d, env)
    if (is.logical(out) && length(out) == 1 && nrow(d) != 1) out <- rep(out, nrow(d))
    out
  }
}

#' @export
print.sg_rule <- function(x, ...) {
  cat(sprintf("<smoteguard rule> %s\n", attr(x, "text")))
  invisible(x)
}

# ---------------------------------------------------------------------------
# Configurations

# The configuration of a sampler: what the ledger and the files keep.
# `rec`: the record of a result it made (seed, RNG kind, fingerprint).
config_value <- function(sampler, rec = NULL) {
  list(format = "smoteguard-config", schema = config_schema,
       method = sampler$method, label = sampler$label, family = sampler$family,
       args = sampler$args,
       seed = if (!is.null(rec)) rec$seed else sampler$origin$seed %||% sampler$args$seed,
       rng_kind = if (!is.null(rec)) rec$rng_kind else sampler$origin$rng_kind %||% RNGkind(),
       version = if (!is.null(rec)) rec$version else session_versions()$package,
       fingerprint = if (!is.null(rec)) rec$fingerprint else sampler$origin$fingerprint %||% NA_character_)
}

# The sampler a record describes: every argument of the call, as the call
# resolved it, and its seed.
sampler_from_record <- function(rec) {
  s <- rec$settings
  def <- sampler_method(s$method)
  entry <- sampler_entry(def$family)
  allowed <- setdiff(names(formals(get(entry, mode = "function"))),
                     c("data", "var", "method", "threads"))
  args <- s[intersect(allowed, names(s))]
  if ("seed" %in% allowed) args["seed"] <- list(rec$seed)
  out <- do.call(sg_sampler, c(list(s$method), args))
  out$origin <- list(seed = rec$seed, rng_kind = rec$rng_kind, version = rec$version,
                     fingerprint = rec$fingerprint)
  out
}

# A configuration (a list read from a file or the ledger) back to a sampler,
# every field checked.
sampler_from_config <- function(cfg, call = NULL, where = "the configuration") {
  bad <- function(field, msg, fix, class = "config") {
    sg_abort(c(sprintf("In %s, the field `%s` %s.", where, field, msg), fix),
             class = class, call = call)
  }
  if (!identical(cfg$format, "smoteguard-config")) {
    bad("format", "is not \"smoteguard-config\"",
        "This is not a smoteguard configuration; configurations are written by `sg_config_save()`.",
        class = "not_config")
  }
  if (!is.numeric(cfg$schema) || length(cfg$schema) != 1 || is.na(cfg$schema)) {
    bad("schema", "is missing", "Use an unmodified configuration file.")
  }
  if (cfg$schema > config_schema) {
    bad("schema", sprintf("is %s, newer than this smoteguard reads (%d)", cfg$schema, config_schema),
        "Update smoteguard to load it.", class = "schema")
  }
  choices <- c("none", method_names())
  if (!is.character(cfg$method) || length(cfg$method) != 1 || !cfg$method %in% choices) {
    bad("method", sprintf("names an unknown method (%s)", describe(cfg$method)),
        sprintf("Known methods: %s.", paste(choices, collapse = ", ")))
  }
  args <- cfg$args %||% list()
  if (cfg$method != "none") {
    def <- sampler_method(cfg$method)
    entry <- sampler_entry(def$family)
    allowed <- setdiff(names(formals(get(entry, mode = "function"))), c("data", "var", "method"))
    unknown <- setdiff(names(args), allowed)
    if (length(unknown) > 0) {
      bad(paste0("args$", unknown[1]), sprintf("is not a parameter of `%s()` for \"%s\"", entry, cfg$method),
          sprintf("Its parameters: %s.", paste(allowed, collapse = ", ")))
    }
  }
  s <- tryCatch(do.call(sg_sampler, c(list(cfg$method), args, list(label = cfg$label))),
                smoteguard_error = function(e) {
                  bad("args", sprintf("does not make a valid sampler: %s", conditionMessage(e)),
                      "Use an unmodified configuration, or make the sampler again with `sg_sampler()`.")
                })
  s$origin <- list(seed = cfg$seed, rng_kind = unlist(cfg$rng_kind), version = cfg$version,
                   fingerprint = if (is.null(cfg$fingerprint) || identical(cfg$fingerprint, NA_character_))
                                   NA_character_ else cfg$fingerprint)
  s
}

# The code (sg_code) in a value, as text.
code_in <- function(x) {
  if (inherits(x, "sg_code")) return(x$text)
  if (is.list(x) && !is.data.frame(x)) return(unlist(lapply(unclass(x), code_in), use.names = FALSE))
  character(0)
}

# Code (sg_code) evaluated into functions: only when the caller trusts it.
trust_code <- function(x) {
  if (inherits(x, "sg_code")) {
    return(eval(parse(text = x$text, keep.source = FALSE)[[1]], new.env(parent = globalenv())))
  }
  if (is.list(x) && !is.data.frame(x) && !is.null(x)) {
    at <- attributes(x)
    x <- lapply(unclass(x), trust_code)
    attributes(x) <- at
  }
  x
}

# Functions (not safe rules) among a sampler's arguments.
functions_in <- function(x) {
  if (inherits(x, "sg_rule")) return(0L)
  if (is.function(x)) return(1L)
  if (is.list(x)) return(sum(vapply(unclass(x), functions_in, 0L)))
  0L
}

warn_saved_code <- function(sampler, call) {
  if (functions_in(sampler$args) > 0) {
    sg_warn(c("A `rules` function is saved as its text, without its enclosing environment (values it takes from outside are not saved).",
              "Loading it runs nothing unless `trust = TRUE`; write the rule with `sg_rule()` to make it safe to load."),
            class = "code", call = call)
  }
}

#' Save and load sampler configurations; roll back to a ledger entry
#'
#' A configuration is a [sg_sampler()] value written as JSON: the method,
#' every resolved argument (the guard's and the constraints' defaults
#' included), the seed, the RNG kind, the package version and, when it
#' comes from a result, the fingerprint of the data it ran on. Run it with
#' [sg_resample()]: with the same data and seed it reproduces the result bit
#' for bit; with other data (another fingerprint), another smoteguard
#' version or no seed it runs and warns which.
#'
#' **Loading never runs code.** Rules written with [sg_rule()] (or as a
#' formula in [sg_constraints()]) are checked against their grammar and are
#' safe. A `rules` function is saved as its text (with a warning: its
#' enclosing environment is not saved) and loaded as text, shown by
#' `print()`; it is evaluated only with `trust = TRUE`, and running a
#' configuration that holds code not trusted is an error.
#'
#' Files are written atomically (a temporary file in the same directory,
#' then renamed) and an existing file is replaced only with
#' `overwrite = TRUE`.
#'
#' @param sampler A [sg_sampler()] value, or a result of [sg_oversample()],
#'   [sg_clean()] or [sg_undersample()] (its configuration).
#' @param path A file name (`.json`).
#' @param overwrite Replace an existing file?
#' @param trust Evaluate `rules` functions saved as code? Read them first
#'   (`print()` the value loaded without trust).
#' @return `sg_config_save()`: `path`, invisibly. `sg_config_load()` and
#'   `sg_rollback()`: a [sg_sampler()] value with its origin (seed, RNG
#'   kind, version, fingerprint).
#' @examples
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, neighbors = 4)
#' file <- tempfile(fileext = ".json")
#' sg_config_save(res, file)
#' s <- sg_config_load(file)
#' s
#' again <- sg_resample(s, breast_biopsy, "diagnosis")
#' identical(again, res)
#'
#' # from the ledger
#' path <- tempfile(fileext = ".jsonl")
#' id <- sg_ledger_append(res, path)
#' identical(sg_resample(sg_rollback(path, id), breast_biopsy, "diagnosis"), res)
#' @export
sg_config_save <- function(sampler, path, overwrite = FALSE) {
  call <- sys.call()
  if (is.data.frame(sampler) && inherits(attr(sampler, "smoteguard", exact = TRUE), "sg_record")) {
    rec <- result_record(sampler, "sampler", call = call)
    sampler <- sampler_from_record(rec)
  }
  if (!inherits(sampler, "sg_sampler")) {
    sg_abort(c("`sampler` must be made by `sg_sampler()` or be a result of `sg_oversample()`.",
               sprintf("It is %s.", describe(sampler))), call = call)
  }
  if (!is.character(path) || length(path) != 1 || is.na(path) || path == "") {
    sg_abort(c("`path` must be a single file name.", sprintf("It is %s.", describe(path))),
             class = "config_path", call = call)
  }
  if (!isTRUE(overwrite) && !isFALSE(overwrite)) {
    sg_abort(c("`overwrite` must be TRUE or FALSE.", sprintf("It is %s.", describe(overwrite))), call = call)
  }
  path <- path.expand(path)
  if (dir.exists(path)) {
    sg_abort(c(sprintf("`%s` is a directory.", path), "Give a file name inside it."),
             class = "config_path", call = call)
  }
  if (file.exists(path) && !overwrite) {
    sg_abort(c(sprintf("`%s` exists already.", path),
               "Choose another name, or pass `overwrite = TRUE` to replace it."),
             class = "exists", call = call)
  }
  warn_saved_code(sampler, call)
  cfg <- config_value(sampler)
  args <- cfg$args
  cfg$args <- NULL
  top <- as.character(jsonlite::toJSON(cfg, auto_unbox = TRUE, null = "null", na = "null",
                                       pretty = FALSE, digits = NA))
  text <- paste0(substr(top, 1, nchar(top) - 1), ',"args":', json_value(args), "}\n")
  write_atomic(text, path, overwrite, call)
  invisible(path)
}

# Written to a temporary file in the same directory, then renamed into
# place (readers never see half a file); without `overwrite`, linked into
# place, which fails rather than replace a file that appeared meanwhile.
write_atomic <- function(text, path, overwrite, call) {
  dir <- dirname(path)
  tmp <- tempfile(".smoteguard-", tmpdir = dir)
  ok <- tryCatch({
    con <- file(tmp, open = "wb")
    writeBin(charToRaw(enc2utf8(text)), con)
    close(con)
    TRUE
  }, error = function(e) FALSE, warning = function(w) FALSE)
  if (!ok) {
    unlink(tmp)
    sg_abort(c(sprintf("Cannot write in `%s`.", dir),
               "Check that the directory exists and is writable."), class = "config_path", call = call)
  }
  on.exit(unlink(tmp), add = TRUE)
  done <- if (overwrite) file.rename(tmp, path) else {
    linked <- suppressWarnings(file.link(tmp, path))
    if (!linked && !file.exists(path)) file.rename(tmp, path) else linked
  }
  if (!done) {
    sg_abort(c(sprintf("Cannot write `%s`%s.", path, if (file.exists(path)) " (it exists already)" else ""),
               "Pass `overwrite = TRUE` to replace it, or check the directory's permissions."),
             class = "exists", call = call)
  }
  invisible(path)
}

#' @rdname sg_config_save
#' @export
sg_config_load <- function(path, trust = FALSE) {
  call <- sys.call()
  if (!is.character(path) || length(path) != 1 || is.na(path) || !file.exists(path) || dir.exists(path)) {
    sg_abort(c("`path` must name an existing configuration file.", sprintf("It is %s.", describe(path))),
             class = "config_path", call = call)
  }
  if (!isTRUE(trust) && !isFALSE(trust)) {
    sg_abort(c("`trust` must be TRUE or FALSE.", sprintf("It is %s.", describe(trust))), call = call)
  }
  node <- tryCatch(jsonlite::parse_json(paste(readLines(path, warn = FALSE, encoding = "UTF-8"),
                                              collapse = "\n"), simplifyVector = FALSE),
                   error = function(e) NULL)
  if (!is.list(node) || !identical(node$format, "smoteguard-config")) {
    sg_abort(c(sprintf("`%s` is not a smoteguard configuration.", path),
               "Configurations are JSON files written by `sg_config_save()`."),
             class = "not_config", call = call)
  }
  cfg <- node[setdiff(names(node), "args")]
  cfg$rng_kind <- unlist(cfg$rng_kind)
  if (is.numeric(cfg$schema) && cfg$schema <= config_schema) {
    cfg$args <- json_read_value(node$args, "args", call = call)
  }
  config_sampler(cfg, trust, call, sprintf("`%s`", path))
}

config_sampler <- function(cfg, trust, call, where) {
  if (trust) cfg$args <- trust_code(cfg$args)
  sampler_from_config(cfg, call, where)
}

#' @rdname sg_config_save
#' @param entry An entry of the ledger at `path`: its id or row number.
#' @export
sg_rollback <- function(path, entry, trust = FALSE) {
  call <- sys.call()
  e <- ledger_entry(path, entry, call)
  body <- e$entry[[1]]
  if (is.null(body$config)) {
    sg_abort(c(sprintf("The ledger entry `%s` is a %s; it holds no sampler configuration.", e$id, e$kind),
               "Roll back to an entry of a result or of a `sg_sampler()`."),
             class = "unknown_entry", call = call)
  }
  config_sampler(body$config, isTRUE(trust), call, sprintf("ledger entry `%s`", e$id))
}

# Before a sampler from a file or the ledger runs (sg_resample()): code not
# trusted stops it; other data, another version or no seed are said.
check_origin <- function(sampler, data, seed, call) {
  code <- code_in(sampler$args)
  if (length(code) > 0) {
    sg_abort(c("This configuration holds code that was not evaluated:",
               paste0("  ", code),
               "Read it; if you trust it, load the configuration again with `trust = TRUE`."),
             class = "untrusted_code", call = call)
  }
  o <- sampler$origin
  notes <- character(0)
  fp <- o$fingerprint
  if (!is.null(fp) && !is.na(fp) && !identical(data_fingerprint(data), fp)) {
    notes <- c(notes, sprintf("the data differ from the data it was saved from (fingerprint %s, now %s)",
                              fp, data_fingerprint(data)))
  }
  if (!is.null(o$version) && !identical(o$version, session_versions()$package)) {
    notes <- c(notes, sprintf("it was saved by smoteguard %s and runs on %s", o$version,
                              session_versions()$package))
  }
  if ("seed" %in% names(sampler$args) && is.null(seed) && is.null(sampler$args$seed)) {
    notes <- c(notes, "it has no seed, so the result depends on the random stream")
  }
  if (length(notes) > 0) {
    sg_warn(c("The configuration runs, but it may not reproduce the result it was saved from:",
              paste0("  ", notes, ".")), class = "rollback", call = call)
  }
  invisible()
}
