# Record the golden corpus of issue 13 (kept out of the built package).
#
#   Rscript tests/golden/record.R LIB COMMIT [OUT] [PATTERN]
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
#
# With PATTERN (a regular expression), only the calls whose names match it
# are recorded, into the existing corpus OUT: the other entries are kept as
# they were recorded, and meta$added notes the commit and the names. This
# is how calls added to calls.R later get their answers from an older
# build (the new_* calls: f9f1302) without touching the rest.

args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args) >= 1) args[[1]] else NULL
commit <- if (length(args) >= 2) args[[2]] else NA_character_
out_file <- if (length(args) >= 3) args[[3]] else "tests/testthat/golden/corpus.rds"
pattern <- if (length(args) >= 4) args[[4]] else NULL
if (!is.null(lib)) .libPaths(c(lib, .libPaths()))
suppressPackageStartupMessages(library(smoteguard))
dir <- "tests/testthat/golden"
source(file.path(dir, "harness.R"))

g <- golden_load(dir)
todo <- names(g$golden_calls)
if (!is.null(pattern)) todo <- grep(pattern, todo, value = TRUE)
tables <- golden_tables(g, unique(vapply(g$golden_calls[todo], `[[`, "", "data")))
entries <- list()
for (name in todo) {
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

meta <- list(commit = commit, package = as.character(packageVersion("smoteguard")),
             r = paste(R.version$major, R.version$minor, sep = "."),
             recorded = format(Sys.time(), "%Y-%m-%d", tz = "UTC"),
             volatile = golden_volatile)
if (is.null(pattern)) {
  corpus <- list(meta = meta, calls = entries)
} else {
  corpus <- readRDS(out_file)
  corpus$calls[names(entries)] <- entries
  meta$calls <- names(entries)
  corpus$meta$added <- c(corpus$meta$added, list(meta))
}
saveRDS(corpus, out_file, compress = "xz")
cat(sprintf("%d calls recorded in %s (%d in all, %.0f kB)\n", length(entries), out_file,
            length(corpus$calls), file.size(out_file) / 1024))
