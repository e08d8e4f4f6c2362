# Mutation testing of smoteguard: does the test suite fail when a claim of
# the package breaks?
#
#   Rscript tests/mutants/run.R              every mutant (what `make mutants` runs)
#   Rscript tests/mutants/run.R --only=ID,ID those mutants only
#   Rscript tests/mutants/run.R --list       list the mutants (and check each applies)
#
# Other options: --head (copy the last commit, `git archive HEAD`, instead of
# the work tree), --no-baseline (skip the run of the mapped test files on the
# unmutated package), --keep (keep the temporary copy), --timeout=SECONDS
# (per test run, default 600), --mutants=FILE (another list than
# tests/mutants/mutants.R, e.g. one mapped to fewer test files).
#
# The mutants are listed in tests/mutants/mutants.R. The tree is copied once
# to a temporary directory (without .git) and built once into a temporary
# library; the object files stay in the copy's src/, so each re-install
# compiles only what a mutant changed (nothing for an R mutant, one file for
# a C mutant). For each mutant: its `from` text is replaced by its `to` text
# in the copy, the package is installed again, the test files mapped to the
# mutant run against that install, stopping at the first failure, and the
# file is put back (for C, with the original object files and times, so
# nothing is rebuilt for the next mutant).
#
# Results: "killed" (a test failed or errored, or the test process died or
# timed out), "survived", "equivalent" (survived, and the list says why it
# cannot be told apart from the package), "stillborn" (the mutant did not
# install or compile: it says nothing about the tests). A listed-equivalent
# mutant that is killed is reported killed. The last line is
# `mutants: N killed, N survived, N equivalent` (", N stillborn" when any);
# the exit status is 1 when a mutant that is not listed as equivalent
# survived.

main <- function(args) {
  opts <- parse_args(args)
  root <- project_root()
  source(opts$mutants %||% file.path(root, "tests", "mutants", "mutants.R"),
         local = (env <- new.env()))
  all <- env$mutants
  if (opts$list) {
    check_list(all, root)
    list_mutants(all)
    return(0L)
  }
  todo <- all
  if (!is.null(opts$only)) {
    ids <- vapply(all, `[[`, "", "id")
    unknown <- setdiff(opts$only, ids)
    if (length(unknown) > 0) {
      stop("--only names unknown mutant(s): ", paste(unknown, collapse = ", "), call. = FALSE)
    }
    todo <- all[ids %in% opts$only]
  }

  started <- Sys.time()
  work <- tempfile("sg-mutants-")
  dir.create(work)
  if (!opts$keep) on.exit(unlink(work, recursive = TRUE), add = TRUE)
  else message("keeping ", work)
  tree <- file.path(work, "tree")
  lib <- file.path(work, "lib")
  dir.create(lib)
  copy_tree(root, tree, head = opts$head)
  # checked in the copy: that is what the mutants change (with --head, the
  # last commit, which may differ from the work tree)
  check_list(todo, tree)
  say(sprintf("building smoteguard once in %s", work))
  built <- install(tree, lib, file.path(work, "install-0.log"))
  if (!built$ok) {
    cat(built$tail, sep = "\n")
    stop("the unmutated package does not install; see ", built$log, call. = FALSE)
  }
  # the built sources with their object files and times, to put back after
  # a C mutant
  pristine_src <- file.path(work, "src-pristine")
  stopifnot(system2("cp", c("-a", shQuote(file.path(tree, "src")), shQuote(pristine_src))) == 0)
  say(sprintf("built in %.0f s", built$seconds))

  if (opts$baseline) {
    files <- sort(unique(unlist(lapply(todo, `[[`, "tests"))))
    say(sprintf("baseline: %s on the unmutated package", paste(files, collapse = ", ")))
    base <- run_tests(tree, lib, files, opts$timeout, file.path(work, "baseline.log"))
    if (base$status != 0) {
      cat(base$tail, sep = "\n")
      stop("the mapped tests fail on the unmutated package (", base$by,
           "): fix them first, or pass --no-baseline", call. = FALSE)
    }
    say(sprintf("baseline passed in %.0f s", base$seconds))
  }

  rows <- vector("list", length(todo))
  for (i in seq_along(todo)) {
    m <- todo[[i]]
    rows[[i]] <- run_mutant(m, tree, lib, pristine_src, work, opts$timeout)
    r <- rows[[i]]
    say(sprintf("[%d/%d] %-24s %-10s %5.0f s  %s", i, length(todo), m$id, r$result,
                r$seconds, r$by))
  }
  table <- do.call(rbind, lapply(rows, as.data.frame, stringsAsFactors = FALSE))
  minutes <- as.numeric(difftime(Sys.time(), started, units = "mins"))
  report(table, todo, minutes)
  bad <- table$result == "survived"
  if (any(bad)) 1L else 0L
}

parse_args <- function(args) {
  opts <- list(list = FALSE, only = NULL, head = FALSE, baseline = TRUE,
               keep = FALSE, timeout = 600)
  for (a in args) {
    if (a == "--list") opts$list <- TRUE
    else if (a == "--head") opts$head <- TRUE
    else if (a == "--no-baseline") opts$baseline <- FALSE
    else if (a == "--keep") opts$keep <- TRUE
    else if (startsWith(a, "--mutants=")) opts$mutants <- normalizePath(sub("^--mutants=", "", a))
    else if (startsWith(a, "--only=")) {
      opts$only <- strsplit(sub("^--only=", "", a), ",", fixed = TRUE)[[1]]
    } else if (startsWith(a, "--timeout=")) {
      opts$timeout <- as.numeric(sub("^--timeout=", "", a))
      if (is.na(opts$timeout) || opts$timeout <= 0) stop("--timeout needs seconds", call. = FALSE)
    } else {
      stop("unknown argument ", a, "; see the header of tests/mutants/run.R", call. = FALSE)
    }
  }
  opts
}

`%||%` <- function(x, y) if (is.null(x)) y else x

say <- function(...) {
  cat(..., "\n", sep = "")
  flush(stdout())
}

# The package's root: two levels above this script.
project_root <- function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1L) normalizePath(file.path(dirname(f), "..", ".."))
  else normalizePath(".")
}

read_text <- function(path) readChar(path, file.size(path), useBytes = TRUE)

write_text <- function(path, text) {
  con <- file(path, "wb")
  on.exit(close(con))
  writeChar(text, con, eos = NULL, useBytes = TRUE)
}

# Occurrences of the fixed string `pattern` in `text`.
count_fixed <- function(text, pattern) {
  hits <- gregexpr(pattern, text, fixed = TRUE, useBytes = TRUE)[[1]]
  if (hits[1] == -1) 0L else length(hits)
}

# Every mutant well formed, with a unique id, its `from` text exactly once
# in its file, and its test files present. Stops listing every problem, so
# that a change that moved the code a mutant names is noticed.
check_list <- function(all, root) {
  need <- c("id", "module", "file", "from", "to", "what", "tests")
  problems <- character(0)
  ids <- vapply(all, function(m) if (is.character(m$id)) m$id else "?", "")
  dup <- unique(ids[duplicated(ids)])
  if (length(dup) > 0) problems <- c(problems, paste("duplicated id:", dup))
  for (m in all) {
    miss <- setdiff(need, names(m))
    if (length(miss) > 0) {
      problems <- c(problems, sprintf("%s: missing %s", m$id, paste(miss, collapse = ", ")))
      next
    }
    path <- file.path(root, m$file)
    if (!file.exists(path)) {
      problems <- c(problems, sprintf("%s: no file %s", m$id, m$file))
      next
    }
    n <- count_fixed(read_text(path), m$from)
    if (n != 1) {
      problems <- c(problems, sprintf("%s: its `from` text occurs %d times in %s (must be once)",
                                      m$id, n, m$file))
    }
    if (identical(m$from, m$to)) problems <- c(problems, sprintf("%s: `to` equals `from`", m$id))
    for (t in m$tests) {
      if (!file.exists(file.path(root, "tests", "testthat", paste0("test-", t, ".R")))) {
        problems <- c(problems, sprintf("%s: no test file test-%s.R", m$id, t))
      }
    }
  }
  if (length(problems) > 0) {
    stop("tests/mutants/mutants.R does not match the sources:\n  ",
         paste(problems, collapse = "\n  "), call. = FALSE)
  }
  invisible(TRUE)
}

list_mutants <- function(all) {
  for (m in all) {
    say(sprintf("%-24s %-12s %-24s [%s] %s%s", m$id, m$module, m$file,
                paste(m$tests, collapse = ","), m$what,
                if (is.null(m$equivalent)) "" else "  (equivalent)"))
  }
  say(sprintf("%d mutants, every `from` text found once", length(all)))
}

copy_tree <- function(root, tree, head) {
  dir.create(tree)
  if (head) {
    cmd <- sprintf("git -C %s archive HEAD | tar -x -C %s", shQuote(root), shQuote(tree))
    status <- system(cmd)
  } else {
    # tar, which every machine here has (rsync is not installed on all)
    cmd <- sprintf(paste("tar -C %s -cf - --exclude=./.git --exclude='*.o' --exclude='*.so'",
                         "--exclude='*.dll' . | tar -x -C %s"), shQuote(root), shQuote(tree))
    status <- system(cmd)
  }
  if (status != 0) stop("could not copy the tree to ", tree, call. = FALSE)
}

r_cmd <- function() file.path(R.home("bin"), "R")

# R CMD INSTALL from the copy (object files kept in its src/); no help,
# no byte compilation, no test load: only what the tests need.
install <- function(tree, lib, log) {
  t0 <- Sys.time()
  status <- system2(r_cmd(), c("CMD", "INSTALL", "--no-multiarch", "--no-docs",
                               "--no-demo", "--no-byte-compile", "--no-test-load",
                               "--no-staged-install", "-l", shQuote(lib), shQuote(tree)),
                    stdout = log, stderr = log)
  lines <- if (file.exists(log)) readLines(log, warn = FALSE) else character(0)
  list(ok = status == 0, seconds = as.numeric(difftime(Sys.time(), t0, units = "secs")),
       log = log, tail = utils::tail(lines, 30))
}

# The test files `files` (names after "test-") against the install in
# `lib`, in a fresh R process that quits at the first failing expectation
# (tests/mutants/first-failure.R). Returns the exit status (0: all passed)
# and which test failed.
run_tests <- function(tree, lib, files, timeout, log) {
  t0 <- Sys.time()
  runner <- file.path(project_root(), "tests", "mutants", "first-failure.R")
  filter <- sprintf("^(%s)$", paste(gsub(".", "\\.", files, fixed = TRUE), collapse = "|"))
  env <- c(sprintf("R_LIBS=%s", lib), "NOT_CRAN=true", "TZ=UTC",
           sprintf("SMOTEGUARD_MUTANT_LIB=%s", lib))
  status <- system2("timeout", c("--kill-after=10", timeout, file.path(R.home("bin"), "Rscript"),
                                 shQuote(runner), shQuote(file.path(tree, "tests", "testthat")),
                                 shQuote(filter)),
                    stdout = log, stderr = log, env = env)
  lines <- if (file.exists(log)) readLines(log, warn = FALSE) else character(0)
  by <- sub("^KILLED BY: ", "", grep("^KILLED BY: ", lines, value = TRUE))
  by <- if (length(by) > 0) by[1]
        else if (status == 124 || status == 137) "timeout"
        else if (status != 0) sprintf("test process ended with status %d", status)
        else ""
  list(status = status, by = by,
       seconds = as.numeric(difftime(Sys.time(), t0, units = "secs")),
       tail = utils::tail(lines, 30))
}

run_mutant <- function(m, tree, lib, pristine_src, work, timeout) {
  t0 <- Sys.time()
  path <- file.path(tree, m$file)
  original <- read_text(path)
  if (count_fixed(original, m$from) != 1) stop(m$id, ": `from` not found once in the copy", call. = FALSE)
  is_c <- grepl("^src/", m$file)
  # spliced as bytes: positions in characters would be wrong in a file
  # with multi-byte characters
  at <- regexpr(m$from, original, fixed = TRUE, useBytes = TRUE)
  bytes <- charToRaw(original)
  end <- at + attr(at, "match.length")
  mutated <- rawToChar(c(bytes[seq_len(at - 1)], charToRaw(m$to),
                         bytes[seq.int(end, length.out = length(bytes) - end + 1)]))
  on.exit({
    if (is_c) {
      # the source, object files and shared library as built, with their
      # times, so that make rebuilds nothing for the next mutant
      unlink(file.path(tree, "src"), recursive = TRUE)
      system2("cp", c("-a", shQuote(pristine_src), shQuote(file.path(tree, "src"))))
    } else {
      write_text(path, original)
    }
  })
  write_text(path, mutated)
  # a header: R's make knows no object's headers, so every object is built
  # again (else the mutant is never compiled in, and survives)
  if (grepl("[.]h$", m$file)) unlink(Sys.glob(file.path(tree, "src", "*.o")))
  log_base <- file.path(work, m$id)
  inst <- install(tree, lib, paste0(log_base, "-install.log"))
  if (!inst$ok) {
    return(list(id = m$id, module = m$module, file = m$file, result = "stillborn",
                seconds = as.numeric(difftime(Sys.time(), t0, units = "secs")),
                by = "did not install"))
  }
  res <- run_tests(tree, lib, m$tests, timeout, paste0(log_base, "-tests.log"))
  result <- if (res$status != 0) "killed"
            else if (!is.null(m$equivalent)) "equivalent"
            else "survived"
  list(id = m$id, module = m$module, file = m$file, result = result,
       seconds = as.numeric(difftime(Sys.time(), t0, units = "secs")), by = res$by)
}

report <- function(table, todo, minutes) {
  say("")
  say(sprintf("%-24s %-12s %-26s %-10s %7s", "id", "module", "file", "result", "seconds"))
  for (i in seq_len(nrow(table))) {
    say(sprintf("%-24s %-12s %-26s %-10s %7.0f", table$id[i], table$module[i],
                table$file[i], table$result[i], table$seconds[i]))
  }
  eq <- which(table$result == "equivalent")
  if (length(eq) > 0) {
    say("")
    say("equivalent (survived, and listed as such):")
    for (i in eq) say(sprintf("  %s: %s", table$id[i], todo[[i]]$equivalent))
  }
  surv <- which(table$result == "survived")
  if (length(surv) > 0) {
    say("")
    say("survived:")
    for (i in surv) say(sprintf("  %s: %s", table$id[i], todo[[i]]$what))
  }
  n <- function(r) sum(table$result == r)
  say("")
  say(sprintf("total %.1f minutes on %s (%d cores)", minutes, Sys.info()[["nodename"]],
              parallel::detectCores()))
  line <- sprintf("mutants: %d killed, %d survived, %d equivalent", n("killed"),
                  n("survived"), n("equivalent"))
  if (n("stillborn") > 0) line <- sprintf("%s, %d stillborn", line, n("stillborn"))
  say(line)
}

status <- tryCatch(main(commandArgs(trailingOnly = TRUE)), error = function(e) {
  message("mutants: ", conditionMessage(e))
  2L
})
quit(save = "no", status = status, runLast = FALSE)
