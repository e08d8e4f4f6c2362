# The ledger (R/ledger.R): values read back identical, appends that lose
# nothing, broken lines reported, comparisons.

# on a memory file system where there is one: the appends' fsync() is
# then cheap, and what is tested (no line lost or interleaved) the same
ledger_file <- function() {
  dir <- if (dir.exists("/dev/shm") && file.access("/dev/shm", 2) == 0) "/dev/shm" else tempdir()
  withr::local_tempfile(fileext = ".jsonl", tmpdir = dir, .local_envir = parent.frame())
}

json_round <- function(x) {
  smoteguard:::json_read_value(jsonlite::parse_json(smoteguard:::json_value(x),
                                                    simplifyVector = FALSE))
}

test_that("values read back identical: doubles to the last bit, NA of each type, attributes", {
  set.seed(1)
  vals <- list(
    dbl = c(0.1, 1 / 3, 2^53 + 1, 5e-324, .Machine$double.xmax, -0, NA, NaN, Inf, -Inf, 1e22, 100),
    rnd = stats::rnorm(500) * 10^stats::runif(500, -300, 300),
    int = c(1L, NA, -5L, .Machine$integer.max),
    lgl = c(TRUE, NA, FALSE),
    chr = c("a", NA, "NA", "\u00e9t\u00e9 \"quoted\"\nnew line\ttab \\ back", ""),
    empty = list(double(0), character(0), integer(0), list()),
    fac = factor(c("b", NA, "a"), levels = c("b", "a", "c")),
    ord = factor(c("lo", "hi"), levels = c("lo", "hi"), ordered = TRUE),
    df = data.frame(a = 1:3, b = c("x", "y", NA), f = factor(c("u", "v", "u")), d = c(0.5, NA, 2)),
    mat = matrix(c(1.5, 2, 3, 4), 2, dimnames = list(NULL, c("p", "q"))),
    named = c(a = 1, b = 2),
    nested = list(a = NULL, b = list(c = 1L, d = "z"), e = NULL),
    date = as.Date("2024-02-29")
  )
  for (nm in names(vals)) {
    expect_identical(json_round(vals[[nm]]), vals[[nm]], label = nm)
  }
  expect_identical(json_round(vals), vals)
})

test_that("a result's record goes through the ledger unchanged", {
  path <- ledger_file()
  res <- suppressWarnings(sg_oversample(breast_biopsy, "diagnosis", seed = 3, neighbors = 4,
                                        constraints = sg_constraints(rules = ~ cell_size <= 10)))
  id <- sg_ledger_append(res, path, why = "a test", tags = c("t1", "t2"), author = "me")
  expect_match(id, "^[0-9]{8}T[0-9]{6}\\.[0-9]{3}-[0-9a-f]{8}$")
  led <- sg_ledger_read(path)
  expect_identical(nrow(led), 1L)
  expect_identical(led$id, id)
  expect_identical(led$kind, "result")
  expect_identical(led$why, "a test")
  expect_identical(led$tags[[1]], c("t1", "t2"))
  expect_identical(led$author, "me")
  rec <- sg_record(res)
  expect_identical(led$fingerprint, rec$fingerprint)
  keep <- setdiff(names(rec), c("provenance", "removed", "known"))
  got <- led$entry[[1]]$record
  # parsed values, not strings: every field identical
  want <- unclass(rec)[keep]
  want$guard$constraints$rules <- NULL
  got$guard$constraints$rules <- NULL
  want$settings$constraints$rules <- NULL
  got$settings$constraints$rules <- NULL
  expect_identical(got, want)
  expect_identical(attr(led$entry[[1]]$record$settings$constraints$rules, "text"), "cell_size <= 10")
  expect_identical(led$counts[[1]], rec$counts)
  expect_identical(led$fidelity[[1]], rec$fidelity)
  expect_identical(led$rows_before, as.double(nrow(breast_biopsy)))
  expect_identical(led$rows_after, as.double(nrow(res)))
  expect_identical(led$config[[1]]$args$neighbors, 4L)
})

test_that("an evaluation goes through the ledger unchanged", {
  ev <- structure(list(
    metrics = data.frame(rep = 1L, fold = rep(1:3, each = 2), sampler = "smote", learner = "glm",
                         corrected = TRUE, metric = c("pr_auc", "brier"),
                         value = c(0.61234567891234, 0.0812, 0.59, 0.083, 0.6, 0.081)),
    verdict = data.frame(sampler = "smote", learner = "glm", metric = "pr_auc", verdict = "no gain"),
    seed = 9L, predictions = data.frame(p = stats::runif(50))
  ), class = "sg_evaluation")
  path <- ledger_file()
  sg_ledger_append(ev, path)
  led <- sg_ledger_read(path)
  expect_identical(led$kind, "evaluation")
  expect_identical(led$metrics[[1]], ev$metrics)
  expect_identical(led$verdict[[1]], ev$verdict)
  expect_null(led$entry[[1]]$evaluation$predictions)
  skip_if_not(exists("sg_evaluate", envir = asNamespace("smoteguard")), "sg_evaluate() not in this build")
})

test_that("four processes appending 250 entries each at once leave 1,000 complete lines", {
  skip_on_cran()
  skip_if_not_installed("callr")
  path <- ledger_file()
  writer <- function(path, who) {
    s <- smoteguard::sg_sampler("smote", neighbors = 3, seed = who)
    for (i in seq_len(250)) smoteguard::sg_ledger_append(s, path, why = sprintf("%d-%d", who, i))
    TRUE
  }
  ps <- lapply(1:4, function(w) callr::r_bg(writer, list(path = path, who = w), libpath = .libPaths()))
  for (p in ps) p$wait(120000)
  expect_true(all(vapply(ps, function(p) isTRUE(p$get_result()), logical(1))))
  lines <- readLines(path)
  expect_length(lines, 1000)
  parsed <- lapply(lines, jsonlite::parse_json)
  expect_true(all(vapply(parsed, function(e) identical(e$ledger, "smoteguard"), logical(1))))
  led <- sg_ledger_read(path)
  expect_identical(nrow(led), 1000L)
  expect_identical(anyDuplicated(led$id), 0L)
  expect_setequal(led$why, as.vector(outer(1:4, 1:250, sprintf, fmt = "%d-%d")))
})

test_that("a writer killed mid-entry loses nothing earlier; the next append is readable", {
  path <- ledger_file()
  s <- sg_sampler("smote", seed = 1)
  for (i in 1:3) sg_ledger_append(s, path, why = as.character(i))
  # what a writer killed in the middle of its line leaves: part of a line
  line <- readLines(path)[1]
  cat(substr(line, 1, 200), file = path, append = TRUE)
  expect_warning(led <- sg_ledger_read(path), "last line \\(4\\).*incomplete", class = "smoteguard_warning_ledger")
  expect_identical(led$why, c("1", "2", "3"))
  sg_ledger_append(s, path, why = "after")
  expect_warning(led <- sg_ledger_read(path), "1 broken line\\(s\\): 4", class = "smoteguard_warning_ledger")
  expect_identical(led$why, c("1", "2", "3", "after"))
  expect_identical(led$line, c(1L, 2L, 3L, 5L))
})

test_that("a child killed with SIGKILL while appending large entries leaves the ledger readable", {
  skip_on_cran()
  skip_on_os("windows")
  skip_if_not_installed("callr")
  path <- ledger_file()
  writer <- function(path) {
    big <- structure(list(values = stats::runif(5e4)), class = "sg_drift")
    repeat smoteguard::sg_ledger_append(big, path)
  }
  p <- callr::r_bg(writer, list(path = path), libpath = .libPaths())
  # four lines seen means at least three complete entries: only the line being
  # written can be partial (a slow writer, e.g. under a sanitizer, is caught
  # half-way through its third line otherwise). The wait is long: a writer
  # built with ASan on a loaded machine takes minutes to start.
  deadline <- Sys.time() + 600
  while (p$is_alive() && Sys.time() < deadline &&
         (!file.exists(path) || length(readLines(path, warn = FALSE)) < 4)) {
    Sys.sleep(0.05)
  }
  if (!p$is_alive()) {
    fail(paste(c("the writer died:", p$read_all_error_lines()), collapse = "\n"))
  }
  expect_true(file.exists(path) && length(readLines(path, warn = FALSE)) >= 4,
              info = "the writer did not write four lines in 600 s")
  Sys.sleep(stats::runif(1, 0, 0.3))
  tools::pskill(p$get_pid(), tools::SIGKILL)
  p$wait(10000)
  expect_false(p$is_alive())
  led <- suppressWarnings(sg_ledger_read(path))
  expect_gte(nrow(led), 3)
  expect_true(all(lengths(lapply(led$entry, function(e) e$drift$values)) == 5e4))
  sg_ledger_append(sg_sampler("ros", seed = 2), path, why = "next")
  led2 <- suppressWarnings(sg_ledger_read(path))
  expect_identical(led2$why[nrow(led2)], "next")
  expect_identical(nrow(led2), nrow(led) + 1L)
})

test_that("entries are compared: settings, data, counts", {
  path <- ledger_file()
  a <- sg_ledger_append(sg_oversample(breast_biopsy, "diagnosis", seed = 1, guard = NULL), path)
  b <- sg_ledger_append(sg_oversample(breast_biopsy, "diagnosis", seed = 1, guard = NULL,
                                      neighbors = 3), path)
  c <- sg_ledger_append(sg_oversample(breast_biopsy[-1, ], "diagnosis", seed = 1, guard = NULL), path)
  cmp <- sg_ledger_compare(path, a, b)
  expect_true(cmp$same_data)
  expect_identical(cmp$settings$setting, "neighbors")
  expect_identical(cmp$settings$b, "3")
  expect_false(sg_ledger_compare(path, a, c)$same_data)
  expect_identical(nrow(sg_ledger_compare(path, 1, 3)$settings), 0L)
  expect_snapshot(print(cmp), transform = function(x) gsub("[0-9]{8}T[0-9.]{10}-[0-9a-f]{8}|[0-9a-f]{16}", "<id>", x))
})

test_that("ledger errors are classed and say how to fix them", {
  dir <- withr::local_tempdir()
  s <- sg_sampler("smote")
  expect_error(sg_ledger_append(s, dir), class = "smoteguard_error_ledger_path")
  expect_error(sg_ledger_append(s, file.path(dir, "no", "such", "l.jsonl")),
               "does not exist", class = "smoteguard_error_ledger_path")
  expect_error(sg_ledger_append(list(1), file.path(dir, "l.jsonl")), class = "smoteguard_error_input")
  expect_error(sg_ledger_read(file.path(dir, "none.jsonl")), class = "smoteguard_error_ledger_path")
  notes <- file.path(dir, "notes.txt")
  writeLines(c("hello", "world"), notes)
  expect_error(sg_ledger_read(notes), "not a smoteguard ledger", class = "smoteguard_error_not_ledger")
  path <- file.path(dir, "l.jsonl")
  id <- sg_ledger_append(s, path)
  expect_error(sg_ledger_compare(path, id, "20000101T000000.000-deadbeef"),
               "`b` is not an entry", class = "smoteguard_error_unknown_entry")
  expect_error(sg_rollback(path, "nope"), class = "smoteguard_error_unknown_entry")
  skip_on_os("windows")
  skip_if(Sys.info()[["user"]] == "root" && file.access("/", 2) == 0 && FALSE)
  ro <- file.path(dir, "ro")
  dir.create(ro)
  Sys.chmod(ro, "0555")
  on.exit(Sys.chmod(ro, "0755"), add = TRUE)
  if (file.access(ro, 2) != 0) {
    expect_error(sg_ledger_append(s, file.path(ro, "l.jsonl")), "cannot be written",
                 class = "smoteguard_error_ledger_path")
  }
})
