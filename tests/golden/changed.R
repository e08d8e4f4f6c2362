# Which golden calls give other results than the corpus recorded: a list
# for `golden_intended_changes` in test-golden.R when a change is meant.
# Run from the package root against an installed build (kept out of the
# built package, as record.R):
#   R_LIBS=<lib> Rscript tests/golden/changed.R
suppressPackageStartupMessages(library(smoteguard))
library(testthat)
dir <- "tests/testthat/golden"
source(file.path(dir, "harness.R"))
corpus <- readRDS(file.path(dir, "corpus.rds"))
g <- golden_load(dir)
recorded <- corpus$calls
names <- intersect(names(recorded), names(g$golden_calls))
tables <- golden_tables(g, unique(vapply(g$golden_calls[names], `[[`, "", "data")))
changed <- character(0)
for (name in names) {
  was <- golden_comparable(recorded[[name]])
  now <- tryCatch(golden_comparable(golden_run(g, g$golden_calls[[name]], tables)),
                  error = function(e) NULL)
  same <- !is.null(now) && identical(now$result, was$result) &&
    identical(now$warnings, was$warnings) &&
    (is.null(was$record) || identical(golden_project(was$record, now$record), was$record))
  if (!same) changed <- c(changed, name)
}
cat(sprintf("%d of %d calls changed:\n", length(changed), length(names)))
writeLines(changed)
