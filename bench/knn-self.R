# The exact self-search sg_knn(x, 5) on full-dimensional data (iid Gaussian),
# where the tree of blocks declines and the float-screened brute force runs:
# builds compared in turns, each call in a fresh Rscript, CPU seconds (user +
# system of all threads) next to wall seconds and the 1-minute load, and an
# md5 of the answer (the builds must agree to the bit).
#
#   Rscript bench/knn-self.R --libs=/tmp/old/lib,/tmp/new/lib [--reps=2]
#           [--cases=20000x16x1,20000x32x1,20000x64x1,100000x32x1,20000x32x2]
#
# A case is n x d x threads.
args <- commandArgs(TRUE)
opt <- function(name, default) {
  hit <- grep(sprintf("^--%s=", name), args, value = TRUE)
  if (length(hit) == 0) default else sub(sprintf("^--%s=", name), "", hit[1])
}
libs <- strsplit(opt("libs", .libPaths()[1]), ",")[[1]]
reps <- as.integer(opt("reps", "2"))
cases <- strsplit(opt("cases", "20000x16x1,20000x32x1,20000x64x1,100000x32x1,20000x32x2"),
                  ",")[[1]]

child <- '
a <- as.integer(commandArgs(TRUE)); suppressMessages(library(smoteguard))
set.seed(1); x <- matrix(rnorm(a[1] * a[2]), a[1], a[2])
t0 <- proc.time(); r <- sg_knn(x, 5, threads = a[3]); tt <- proc.time() - t0
f <- tempfile(); saveRDS(r, f, compress = FALSE)
cat(sum(tt[1:2]), tt[[3]], unname(tools::md5sum(f)), "\n")'
script <- tempfile(fileext = ".R")
writeLines(child, script)

load1 <- function() strsplit(readLines("/proc/loadavg", n = 1L), " ")[[1]][1]
cat("| n | d | threads | build | CPU s | wall s | md5 | load |\n|---|---|---|---|---|---|---|---|\n")
for (cs in cases) {
  a <- strsplit(cs, "x")[[1]]
  for (r in seq_len(reps)) for (lib in libs) {
    l <- load1()
    out <- system2("Rscript", c(script, a), stdout = TRUE, env = paste0("R_LIBS=", lib))
    v <- strsplit(trimws(out[length(out)]), " ")[[1]]
    cat(sprintf("| %s | %s | %s | %s | %.3f | %.3f | %s | %s |\n", a[1], a[2], a[3], lib,
                as.numeric(v[1]), as.numeric(v[2]), substr(v[3], 1, 8), l))
  }
}
