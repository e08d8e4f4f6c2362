# Which record fields are volatile: every golden call run in two separate R
# processes, the records compared field by field (top-level fields, and the
# settings' fields). Prints the fields that differ in any call; they belong
# in `golden_volatile` (harness.R).
#
#   Rscript tests/golden/volatile.R LIB
#
# Run from the package root; LIB is the library holding smoteguard.

args <- commandArgs(trailingOnly = TRUE)
lib <- args[[1]]
if (length(args) == 3 && args[[2]] == "dump") {
  .libPaths(c(lib, .libPaths()))
  suppressPackageStartupMessages(library(smoteguard))
  source("tests/testthat/golden/harness.R")
  g <- golden_load("tests/testthat/golden")
  tables <- golden_tables(g)
  raw <- lapply(g$golden_calls, function(entry) golden_run(g, entry, tables))
  saveRDS(raw, args[[3]])
  quit(save = "no")
}

files <- file.path(tempdir(), c("one.rds", "two.rds"))
script <- "tests/golden/volatile.R"
for (f in files) {
  Sys.sleep(1.1)  # a creation stamp in whole seconds must be able to differ
  status <- system2(file.path(R.home("bin"), "Rscript"), c(script, lib, "dump", f))
  if (status != 0) stop("the dump failed")
}
one <- readRDS(files[1])
two <- readRDS(files[2])
differ <- character(0)
for (name in names(one)) {
  a <- one[[name]]
  b <- two[[name]]
  for (part in c("result", "warnings", "messages")) {
    if (!identical(a[[part]], b[[part]])) differ <- c(differ, part)
  }
  ra <- a$record
  rb <- b$record
  for (field in union(names(ra), names(rb))) {
    if (!identical(ra[[field]], rb[[field]])) {
      if (field == "settings") {
        sub <- union(names(ra$settings), names(rb$settings))
        bad <- sub[!mapply(function(f) identical(ra$settings[[f]], rb$settings[[f]]), sub)]
        differ <- c(differ, paste0("settings$", bad))
      } else {
        differ <- c(differ, field)
      }
    }
  }
}
tab <- table(differ)
cat("Parts that differ between two processes (number of calls):\n")
print(tab)
