# Run the test suite against the *installed* smoteguard.
#
#   NOT_CRAN=true Rscript tests/run-tests.R      (what `make test` does)
#
# The last line printed is exactly "N passed, N failed" (", N skipped" is
# added when tests were skipped); the exit status is 1 when anything failed.
# This file is kept out of the built package (.Rbuildignore), since
# R CMD check runs every .R file under tests/; tests/testthat.R is the one
# R CMD check uses.

pkg <- "smoteguard"

# Locate tests/testthat next to this script, so any working directory works.
script_dir <- local({
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f) == 1L) dirname(normalizePath(f)) else "tests"
})
test_path <- file.path(script_dir, "testthat")

summary_line <- function(passed, failed, skipped) {
  s <- sprintf("%d passed, %d failed", passed, failed)
  if (skipped > 0) s <- sprintf("%s, %d skipped", s, skipped)
  s
}

# `make test` names the library it installed into (SMOTEGUARD_TEST_LIB); the
# copy loaded must be that one, never another installed copy.
check_library <- function() {
  want <- Sys.getenv("SMOTEGUARD_TEST_LIB")
  if (!nzchar(want)) return(invisible())
  got <- dirname(getNamespaceInfo(pkg, "path"))
  if (normalizePath(got) != normalizePath(want)) {
    stop(sprintf("loaded %s from %s, not from %s, where `make test` installed it",
                 pkg, got, want), call. = FALSE)
  }
  message(sprintf("testing %s from %s", pkg, got))
}

main <- function() {
  options(warn = 1)  # print warnings as they happen, never after the summary
  .libPaths(c(strsplit(Sys.getenv("SMOTEGUARD_TEST_LIB"), ":", fixed = TRUE)[[1]],
              .libPaths()))
  suppressPackageStartupMessages({
    library(testthat)
    library(pkg, character.only = TRUE)
  })
  wrong <- tryCatch({ check_library(); NULL }, error = conditionMessage)
  if (!is.null(wrong)) {
    message("test run aborted: ", wrong)
    return(list(passed = 0L, failed = 1L, skipped = 0L))
  }
  reporter <- testthat::ProgressReporter$new(show_praise = FALSE,
                                             max_failures = Inf)
  res <- tryCatch(
    testthat::test_dir(test_path, package = pkg, load_package = "installed",
                       reporter = reporter, stop_on_failure = FALSE),
    error = function(e) {
      message("test run aborted: ", conditionMessage(e))
      NULL
    })
  if (is.null(res)) return(list(passed = 0L, failed = 1L, skipped = 0L))
  df <- as.data.frame(res)
  if (nrow(df) == 0L) return(list(passed = 0L, failed = 0L, skipped = 0L))
  list(passed  = as.integer(sum(df$passed)),
       failed  = as.integer(sum(df$failed) + sum(df$error)),
       skipped = as.integer(sum(df$skipped)))
}

counts <- main()
flush(stderr())
cat("\n", summary_line(counts$passed, counts$failed, counts$skipped), "\n",
    sep = "")
flush(stdout())
quit(save = "no", status = if (counts$failed > 0) 1L else 0L, runLast = FALSE)
