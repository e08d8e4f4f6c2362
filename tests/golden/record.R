# Record the golden corpus of issue 13 (kept out of the built package).
#
#   Rscript tests/golden/record.R LIB COMMIT
#
# runs every call of tests/testthat/golden/calls.R against the smoteguard
# installed in the library LIB (built from the commit COMMIT, which is only
# written into the corpus) and saves, per call, the result data frame, its
# record without the volatile fields, and the classes of the warnings and
# messages raised, in tests/testthat/golden/corpus.rds (xz). Each call is
# run twice and must give the same answer both times. Run from the package
# root.
#
# Record again only from the code the corpus describes (the commit before
# the redesign, 64ddf41), never to make a failing golden test pass.

args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args) >= 1) args[[1]] else NULL
commit <- if (length(args) >= 2) args[[2]] else NA_character_
out_file <- if (length(args) >= 3) args[[3]] else "tests/testthat/golden/corpus.rds"
if (!is.null(lib)) .libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages(library(smoteguard))
dir <- "tests/testthat/golden"
source(file.path(dir, "harness.R"))

g <- golden_load(dir)
tables <- golden_tables(g)
entries <- list()
for (name in names(g$golden_calls)) {
  entry <- g$golden_calls[[name]]
  first <- golden_run(g, entry, tables)
  again <- golden_run(g, entry, tables)
  first$record <- golden_stable(first$record)
  again$record <- golden_stable(again$record)
  if (!identical(first, again)) stop("golden call '", name, "' is not reproducible")
  entries[[name]] <- c(list(data = entry$data, tags = entry$tags,
                            call = paste(deparse(entry$call, width.cutoff = 500L),
                                         collapse = " ")),
                       first)
}

corpus <- list(
  meta = list(commit = commit, package = as.character(packageVersion("smoteguard")),
              r = paste(R.version$major, R.version$minor, sep = "."),
              recorded = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
              volatile = golden_volatile),
  calls = entries
)
saveRDS(corpus, out_file, compress = "xz")
cat(sprintf("%d calls recorded in %s (%.0f kB)\n", length(entries), out_file,
            file.size(out_file) / 1024))
