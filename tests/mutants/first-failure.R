# Run some test files against an installed smoteguard and quit at the first
# failing or erroring expectation (used by tests/mutants/run.R):
#
#   Rscript first-failure.R TESTTHAT_DIR FILTER
#
# FILTER is a testthat filter (a regex on the file names after "test-").
# Exit status 0: every test passed (skips allowed); 3: a test failed, after
# printing "KILLED BY: file: test name"; 4: the run itself failed.

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2)
test_dir <- args[[1]]
filter <- args[[2]]

options(warn = 1)
lib <- Sys.getenv("SMOTEGUARD_MUTANT_LIB")
if (nzchar(lib)) .libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages({
  library(testthat)
  library(smoteguard)
})
if (nzchar(lib) && normalizePath(dirname(getNamespaceInfo("smoteguard", "path"))) !=
      normalizePath(lib)) {
  cat("KILLED BY: smoteguard was not loaded from", lib, "\n")
  quit(save = "no", status = 4, runLast = FALSE)
}

# A reporter that ends the process at the first broken expectation: for a
# mutant, one failure is the answer, and the rest of the files is time.
FirstFailure <- R6::R6Class("FirstFailure", inherit = testthat::Reporter,
  public = list(
    file = "",
    start_file = function(filename) self$file <- basename(filename),
    add_result = function(context, test, result) {
      if (testthat:::expectation_broken(result)) {
        msg <- strsplit(conditionMessage(result), "\n", fixed = TRUE)[[1]]
        cat(sprintf("KILLED BY: %s: %s\n", self$file, test))
        cat(utils::head(msg, 8), sep = "\n")
        flush(stdout())
        quit(save = "no", status = 3, runLast = FALSE)
      }
    }
  ))

res <- tryCatch(
  testthat::test_dir(test_dir, filter = filter, package = "smoteguard",
                     load_package = "installed", reporter = FirstFailure$new(),
                     stop_on_failure = FALSE, stop_on_warning = FALSE),
  error = function(e) {
    cat("KILLED BY: the test run stopped:", conditionMessage(e), "\n")
    quit(save = "no", status = 4, runLast = FALSE)
  })
quit(save = "no", status = 0, runLast = FALSE)
