# Shared helpers for the benchmarks (not part of the package).

# Wall-clock seconds of `expr`: the best of `reps` rounds, each round the mean
# of `inner` evaluations (so calls of milliseconds are timed well above the
# clock's resolution).
bench_time <- function(expr, reps = 1, inner = 1) {
  expr <- substitute(expr)
  env <- parent.frame()
  best <- Inf
  for (i in seq_len(reps)) {
    gc(FALSE)
    t <- system.time(for (j in seq_len(inner)) eval(expr, env))[["elapsed"]] / inner
    best <- min(best, t)
  }
  best
}

# Best of 3 for anything under 10 s (a call that takes longer is timed once);
# `first` is the time of a first call already made (its result is kept by the
# caller), so a long call is not repeated. A round repeats the call until
# `round` seconds have passed and counts the mean, so calls of milliseconds
# are timed well above the clock's resolution.
bench_best <- function(expr, first = NULL, reps = 3, round = 0.5) {
  expr <- substitute(expr)
  env <- parent.frame()
  if (is.null(first)) first <- system.time(eval(expr, env))[["elapsed"]]
  if (first >= 10) return(first)
  best <- first
  for (i in seq_len(reps)) {
    gc(FALSE)
    n <- 0L
    t0 <- proc.time()[["elapsed"]]
    repeat {
      eval(expr, env)
      n <- n + 1L
      el <- proc.time()[["elapsed"]] - t0
      if (el >= round) break
    }
    best <- min(best, el / n)
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

# Public tables with few columns and several classes, some of them small, as
# list(data, var, label). Only numeric predictors: themis needs them.
real_tables <- c("fgl", "Cars93", "breast_biopsy")
real_table <- function(name) {
  switch(name,
    fgl = list(data = MASS::fgl, var = "type",
               label = "MASS::fgl (glass, UCI)"),
    Cars93 = {
      cols <- c("Price", "MPG.city", "MPG.highway", "EngineSize", "Horsepower", "RPM",
                "Rev.per.mile", "Fuel.tank.capacity", "Passengers", "Length", "Type")
      list(data = MASS::Cars93[cols], var = "Type", label = "MASS::Cars93 (10 numeric cols)")
    },
    breast_biopsy = list(data = smoteguard::breast_biopsy, var = "diagnosis",
                         label = "smoteguard::breast_biopsy"),
    stop("unknown table ", name))
}
table_size <- function(df, var) {
  sprintf("%d x %d, %d classes (%s)", nrow(df), ncol(df) - 1L, nlevels(df[[var]]),
          paste(sort(as.vector(table(df[[var]]))), collapse = "/"))
}

# ---- rows of bench/run.R's table ------------------------------------------

# One row of bench/run.R's table, as a one-row data frame: the scripts that
# run.R runs in a child (first-call.R, knn-million.R, evaluate.R; their option
# --rows=FILE) make their rows with it too, so that run.R appends them as they
# are. `ours` and `peer_time` in seconds; the ratio is peer / ours. `goal`: a
# ratio the row must reach (met: ratio >= goal), shown as ">= goalx" unless
# `goal_text` says it otherwise; `met` ("yes" / "NO") given by a row whose goal
# is not a ratio (an absolute time, a share). `target` is set by run.R.
bench_row <- function(task, size, ours, peer = "-", peer_time = NA_real_, goal = NA_real_,
                      peak = NA_real_, load = NA_real_, note = "", goal_text = NULL,
                      others = NA_real_, met = NULL, target = "") {
  ratio <- peer_time / ours
  if (is.null(met)) met <- if (is.na(goal) || is.na(ratio)) "-" else if (ratio >= goal) "yes" else "NO"
  data.frame(
    target = as.character(target), task = task, size = size, smoteguard_s = ours,
    peer = peer, peer_s = peer_time, ratio = ratio,
    goal = if (!is.null(goal_text)) goal_text else if (is.na(goal)) "-" else sprintf(">= %gx", goal),
    met = met, peak_mb = peak, load = load, others = others, note = note,
    stringsAsFactors = FALSE)
}
# --rows=FILE of a script: its rows (a list of bench_row()s) saved as one data frame
save_rows <- function(rows, file) {
  if (length(file) && nzchar(file)) saveRDS(do.call(rbind, rows), file)
}

# ---- the machine -----------------------------------------------------------

load1 <- function() as.numeric(strsplit(readLines("/proc/loadavg", n = 1L), " ")[[1]][1])

# Wait until the 1-minute load average is below `below` (others share the
# machine), polling every `poll` seconds for at most `max_wait`; returns the
# load at the end.
wait_for_quiet <- function(label = "", below = 0.6, poll = 20, max_wait = 600) {
  start <- Sys.time()
  l <- load1()
  waited <- FALSE
  while (l >= below && difftime(Sys.time(), start, units = "secs") < max_wait) {
    if (!waited) message(sprintf("  waiting for load < %.1f before %s (now %.2f) ...", below, label, l))
    waited <- TRUE
    Sys.sleep(poll)
    l <- load1()
  }
  if (l >= below) message(sprintf("  load still %.2f after %d s: timing %s anyway", l, max_wait, label))
  else if (waited) message(sprintf("  load %.2f after %.0f s", l,
                                   difftime(Sys.time(), start, units = "secs")))
  l
}

# CPU seconds spent by the whole machine (all processes, and time the
# hypervisor stole) and by this process and its waited-for children, and the
# wall clock: two snapshots give the share of the machine that *other*
# processes used while we were timing (others_share()), i.e. how disturbed a
# timing was on a shared machine.
clk_tck <- local({
  v <- suppressWarnings(as.numeric(tryCatch(system2("getconf", "CLK_TCK", stdout = TRUE,
                                                    stderr = FALSE), error = function(e) NA)))
  if (length(v) != 1 || is.na(v)) 100 else v
})
cpu_snapshot <- function() {
  v <- as.numeric(strsplit(readLines("/proc/stat", n = 1L), " +")[[1]][-1])
  pt <- proc.time()
  list(busy = sum(v[c(1, 2, 3, 6, 7, 8)], na.rm = TRUE) / clk_tck,   # user nice system irq softirq steal
       own = sum(pt[c(1, 2, 4, 5)], na.rm = TRUE), wall = pt[[3]])
}
others_share <- function(s0, s1 = cpu_snapshot()) {
  wall <- s1$wall - s0$wall
  if (wall < 0.05) return(NA_real_)
  max(0, ((s1$busy - s0$busy) - (s1$own - s0$own)) / (wall * parallel::detectCores()))
}

# Resident memory of this process in MB: "VmHWM" (peak) or "VmRSS" (now).
vm_mb <- function(field = "VmHWM") {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", s[startsWith(s, paste0(field, ":"))])) / 1024
}
# Reset the peak (VmHWM) to the current resident size (Linux >= 4.0).
reset_peak <- function() {
  isTRUE(tryCatch({ writeLines("5", "/proc/self/clear_refs"); TRUE },
                  error = function(e) FALSE, warning = function(w) FALSE))
}

# Peak floating-point rate: cores x clock x DP flops per cycle for the kernel
# the package picks at run time on this CPU (its AVX-512F tile where the CPU
# has AVX-512F, else AVX2 + FMA). Two FMA pipes x 4 doubles x 2 flops = 16 for
# AVX2; 32 for AVX-512 on cores with two 512-bit FMA pipes, but AMD Zen 4
# (family 25 with AVX-512) splits each 512-bit FMA into two 256-bit halves, so
# its real peak stays 16. `nominal_fpc` is the figure the instruction set
# alone would suggest.
machine_peak <- function() {
  cpu <- readLines("/proc/cpuinfo")
  field <- function(name) trimws(sub(".*?:", "", cpu[grepl(paste0("^", name, "\\s*:"), cpu)][1]))
  mhz <- as.numeric(field("cpu MHz"))
  cores <- parallel::detectCores()
  flags <- strsplit(field("flags"), " ")[[1]]
  has <- function(f) f %in% flags
  family <- as.integer(field("cpu family"))
  amd <- identical(field("vendor_id"), "AuthenticAMD")
  kernel <- if (has("avx512f")) "AVX-512F" else if (has("avx2") && has("fma")) "AVX2+FMA" else "SSE2"
  nominal <- switch(kernel, "AVX-512F" = 32, "AVX2+FMA" = 16, 4)
  split512 <- amd && family == 25
  fpc <- if (kernel == "AVX-512F" && split512) 16 else nominal
  list(cores = cores, ghz = mhz / 1000, fpc = fpc, nominal_fpc = nominal, kernel = kernel,
       split512 = split512, gflops = cores * mhz / 1000 * fpc,
       nominal_gflops = cores * mhz / 1000 * nominal, model = field("model name"), family = family)
}

# ---- child processes -------------------------------------------------------

# The folder of the benchmark scripts: that of the script being run, else
# ./bench (when sourced from elsewhere at the package root).
bench_dir <- function() {
  args <- commandArgs(FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  d <- if (length(f)) dirname(normalizePath(f[1])) else "bench"
  if (!file.exists(file.path(d, "common.R")) && file.exists(file.path("bench", "common.R"))) "bench" else d
}

# Run one job (a list, see bench/child.R) in a fresh Rscript, so that its
# peak memory is its own; returns the child's result list.
run_child <- function(job) {
  inf <- tempfile(fileext = ".rds"); outf <- tempfile(fileext = ".rds")
  on.exit(unlink(c(inf, outf)))
  saveRDS(job, inf)
  rscript <- file.path(R.home("bin"), "Rscript")
  status <- system2(rscript, c("--no-init-file", shQuote(file.path(bench_dir(), "child.R")),
                               inf, outf))
  if (status != 0 || !file.exists(outf)) stop("benchmark child failed: ", deparse1(job[1:2]))
  readRDS(outf)
}

# Run a measurement (a function returning a list with `time` and `others`)
# again, after waiting for a quiet machine, when other processes used more
# than `max_others` of the machine during it (only for measurements under
# `max_time` seconds); keeps the fastest. `retry = FALSE` measures once;
# `wait = FALSE` repeats without waiting.
measure <- function(f, retry = TRUE, wait = TRUE, tries = 3, max_others = 0.1, max_time = 60) {
  best <- f()
  i <- 1
  while (retry && i < tries && !is.na(best$time) && best$time < max_time &&
         isTRUE(best$others > max_others)) {
    message(sprintf("  (other processes used %.0f%% of the machine during that timing: %s again)",
                    100 * best$others, if (wait) "waiting, then" else "timing it"))
    if (wait) wait_for_quiet("the repeat", max_wait = 300)
    r <- f()
    if (!is.na(r$time) && r$time < best$time) best <- r
    i <- i + 1
  }
  best
}

# ---- imbalanced-learn ------------------------------------------------------

py_bin <- "/usr/bin/python3"
have_imblearn <- function() {
  ok <- file.exists(py_bin) &&
    system2(py_bin, c("-c", shQuote("import imblearn")), stdout = FALSE, stderr = FALSE) == 0
  if (!ok) message("  (imbalanced-learn is not importable from /usr/bin/python3: skipped;",
                   " install python3-imblearn: bash .ci/install-deps.sh --bench)")
  ok
}
openblas_dir <- function() {
  arch <- tryCatch(system2("dpkg-architecture", "-qDEB_HOST_MULTIARCH", stdout = TRUE,
                           stderr = FALSE), error = function(e) character(), warning = function(w) character())
  if (!length(arch)) arch <- "x86_64-linux-gnu"
  dir <- file.path("/usr/lib", arch[1], "openblas-pthread")
  if (file.exists(file.path(dir, "libblas.so.3"))) dir else NA_character_
}

# Time imbalanced-learn from Debian's python (the first python3 on the PATH
# may be another interpreter without it). `env`: NAME=value strings for the
# child (the BLAS selection). NA when it is not importable.
imblearn_time <- function(df, var, method, k = 5, reps = 1, env = character(), inner = 1) {
  na <- list(time = NA_real_, blas = NA_character_, rows = NA_integer_, peak = NA_real_,
             others = NA_real_)
  if (!file.exists(py_bin) ||
      system2(py_bin, c("-c", shQuote("import imblearn")), stdout = FALSE, stderr = FALSE) != 0) {
    message("  (imbalanced-learn is not importable from /usr/bin/python3: skipped;",
            " install python3-imblearn)")
    return(na)
  }
  x <- as.matrix(df[setdiff(names(df), var)])
  xf <- tempfile(fileext = ".bin"); yf <- tempfile(fileext = ".bin")
  on.exit(unlink(c(xf, yf)))
  writeBin(as.double(x), xf)
  writeBin(as.integer(df[[var]]), yf, size = 4)
  script <- file.path(bench_dir(), "imblearn_time.py")
  s0 <- cpu_snapshot()
  out <- suppressWarnings(system2("env", c(env, py_bin, script, xf, yf, nrow(x), ncol(x), method,
                                           k, reps, inner), stdout = TRUE, stderr = FALSE))
  line <- utils::tail(out, 1)
  if (!length(line) || !startsWith(line, method)) {
    message("  (imbalanced-learn ", method, " failed)")
    return(na)
  }
  parts <- strsplit(line, " ")[[1]]
  field <- function(name) sub(paste0("^", name, "="), "", parts[startsWith(parts, paste0(name, "="))])
  list(time = as.numeric(parts[2]), blas = field("blas"), rows = as.integer(field("rows")),
       peak = as.numeric(field("peak_mb")), others = others_share(s0))
}

fmt_ratio <- function(peer, ours) {
  ifelse(is.na(peer), "-", sprintf("%.1fx", peer / ours))
}
