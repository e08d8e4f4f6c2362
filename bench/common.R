# Shared helpers for the benchmarks (not part of the package).

bench_time <- function(expr, reps = 1) {
  expr <- substitute(expr)
  env <- parent.frame()
  best <- Inf
  for (i in seq_len(reps)) {
    gc(FALSE)
    t <- system.time(eval(expr, env))[["elapsed"]]
    best <- min(best, t)
  }
  best
}

have <- function(pkg) {
  ok <- requireNamespace(pkg, quietly = TRUE)
  if (!ok) message(sprintf("  (%s is not installed: skipped; install r-cran-%s to time it)",
                           pkg, tolower(pkg)))
  ok
}

gaussian_data <- function(n_min, n_maj, d, seed = 1) {
  set.seed(seed)
  x <- rbind(matrix(stats::rnorm(n_maj * d), n_maj),
             matrix(stats::rnorm(n_min * d, mean = 1), n_min))
  df <- as.data.frame(x)
  df$class <- factor(rep(c("majority", "minority"), c(n_maj, n_min)))
  df
}

# Time imbalanced-learn from Debian's python (the first python3 on the PATH
# may be another interpreter without it). NA when it is not importable.
imblearn_time <- function(df, var, method, k = 5, reps = 1, env = character()) {
  py <- "/usr/bin/python3"
  if (!file.exists(py) ||
      system2(py, c("-c", shQuote("import imblearn")), stdout = FALSE, stderr = FALSE) != 0) {
    message("  (imbalanced-learn is not importable from /usr/bin/python3: skipped;",
            " install python3-imblearn)")
    return(list(time = NA_real_, blas = NA_character_))
  }
  x <- as.matrix(df[setdiff(names(df), var)])
  xf <- tempfile(fileext = ".bin"); yf <- tempfile(fileext = ".bin")
  on.exit(unlink(c(xf, yf)))
  writeBin(as.double(x), xf)
  writeBin(as.integer(df[[var]]), yf, size = 4)
  script <- file.path(bench_dir(), "imblearn_time.py")
  out <- system2("env", c(env, py, script, xf, yf, nrow(x), ncol(x), method, k, reps),
                 stdout = TRUE, stderr = FALSE)
  line <- utils::tail(out, 1)
  parts <- strsplit(line, " ")[[1]]
  list(time = as.numeric(parts[2]), blas = sub("^blas=", "", parts[3]))
}

bench_dir <- function() {
  args <- commandArgs(FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  if (length(f) == 0) "bench" else dirname(normalizePath(f[1]))
}

fmt_ratio <- function(peer, ours) {
  ifelse(is.na(peer), "-", sprintf("%.1fx", peer / ours))
}
