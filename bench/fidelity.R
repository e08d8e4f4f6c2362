# The cost of sg_oversample()'s fidelity check (issue 14: at most 10% of a
# call). For each table and guard (the default, and guard = NULL: plain
# SMOTE, the cheapest call and so the largest share), in one process:
#
#  - inside: the time spent in the check (fidelity_check() and
#    fidelity_warning(), each timed by a wrapper with proc.time()) during
#    the calls, over the calls' time: the check's share of real calls,
#    caches and garbage collection as they are there. proc.time() counts
#    in milliseconds, so each timing of a check is 0 or a few ms: their
#    sum over all the calls is the estimate (a mean, not a median; the
#    wrapper's own proc.time() calls are counted in);
#  - with / without: the median time of a call with the check and with it
#    replaced by a no-op, the two in turns; their difference also counts
#    what the check's result costs later (the record), but it is noisy on
#    a loaded machine, where a few per cent are within the noise.
#
# Times are CPU (user + system of this process: what the calls used, less
# disturbed by other jobs on a shared machine) and wall clock; the
# 120,000-row calls search on two threads, so their CPU time exceeds their
# wall time. Each timed block starts after a garbage collection, and the
# two arms take turns at going first.
#
# Run: R_LIBS=<lib with smoteguard> Rscript bench/fidelity.R [--quick]
#   --quick: fewer turns, no 120,000-row table
suppressPackageStartupMessages(library(smoteguard))
quick <- "--quick" %in% commandArgs(TRUE)
ns <- asNamespace("smoteguard")
original <- list(fidelity_check = get("fidelity_check", ns),
                 fidelity_warning = get("fidelity_warning", ns))
set_fn <- function(name, f) {
  unlockBinding(name, ns)
  assign(name, f, envir = ns)
  lockBinding(name, ns)
}
seconds <- function(pt) c(wall = pt[["elapsed"]], cpu = pt[["user.self"]] + pt[["sys.self"]])
# the time spent inside the check, summed over the calls of a block
inside <- c(wall = 0, cpu = 0)
timed <- function(f) {
  force(f)
  function(...) {
    t0 <- proc.time()
    on.exit(inside <<- inside + seconds(proc.time() - t0))
    f(...)
  }
}
use_check <- function(on) {
  if (on) {
    for (nm in names(original)) set_fn(nm, timed(original[[nm]]))
  } else {
    set_fn("fidelity_check", function(...) NULL)
    set_fn("fidelity_warning", original$fidelity_warning)
  }
}

tables <- list(
  fgl = list(data = MASS::fgl, var = "type"),
  Cars93 = list(data = MASS::Cars93[, c("Type", "Price", "MPG.city", "MPG.highway",
                                        "EngineSize", "Horsepower", "RPM", "Weight",
                                        "Length", "Width", "AirBags", "Origin")],
                var = "Type"),
  breast_biopsy = list(data = breast_biopsy, var = "diagnosis")
)
if (requireNamespace("mlbench", quietly = TRUE)) {
  env <- new.env()
  utils::data("PimaIndiansDiabetes", package = "mlbench", envir = env)
  tables$PimaIndiansDiabetes <- list(data = env$PimaIndiansDiabetes, var = "diabetes")
}
for (nm in names(tables)) {
  tables[[nm]]$inner <- 20
  tables[[nm]]$turns <- if (quick) 7 else 31
}
if (!quick) {
  tables$gauss_20k_100k <- local({
    set.seed(1)
    y <- rep(c("maj", "min"), c(100000, 20000))
    x <- matrix(rnorm(120000 * 20), ncol = 20) + outer(y == "min", rep(0.5, 20))
    d <- as.data.frame(x)
    d$y <- factor(y)
    list(data = d, var = "y", inner = 1, turns = 5)
  })
}

# seconds per call over t$inner calls, and per call inside the check
time_block <- function(t, guard) {
  invisible(gc())
  inside <<- c(wall = 0, cpu = 0)
  f <- function() suppressWarnings(sg_oversample(t$data, t$var, seed = 1, guard = guard))
  all <- seconds(system.time(for (i in seq_len(t$inner)) f()))
  c(all, inside) / t$inner
}

load_before <- readLines("/proc/loadavg")
rows <- list()
for (nm in names(tables)) {
  t <- tables[[nm]]
  for (g in c("default", "none")) {
    guard <- if (g == "default") sg_guard() else NULL
    made <- nrow(sg_provenance(suppressWarnings(
      sg_oversample(t$data, t$var, seed = 1, guard = guard))))
    with_t <- without_t <- matrix(0, t$turns, 4)
    for (i in seq_len(t$turns)) {
      for (arm in if (i %% 2 == 1) c("with", "without") else c("without", "with")) {
        use_check(arm == "with")
        if (arm == "with") with_t[i, ] <- time_block(t, guard)
        else without_t[i, ] <- time_block(t, guard)
      }
    }
    use_check(TRUE)
    for (nm2 in names(original)) set_fn(nm2, original[[nm2]])
    med <- function(v) stats::median(v)
    rows[[length(rows) + 1]] <- data.frame(
      table = nm, rows = nrow(t$data), guard = g, synthetic = made,
      call_cpu_ms = med(with_t[, 2]) * 1000, check_cpu_ms = mean(with_t[, 4]) * 1000,
      share_cpu = sum(with_t[, 4]) / sum(with_t[, 2]),
      call_ms = med(with_t[, 1]) * 1000, check_ms = mean(with_t[, 3]) * 1000,
      share_wall = sum(with_t[, 3]) / sum(with_t[, 1]),
      diff_cpu = 1 - med(without_t[, 2]) / med(with_t[, 2]),
      diff_wall = 1 - med(without_t[, 1]) / med(with_t[, 1]))
  }
}
out <- do.call(rbind, rows)
cat(sprintf("%s UTC; load before: %s; after: %s\n", format(Sys.time(), tz = "UTC"),
            load_before, readLines("/proc/loadavg")))
print(out, digits = 3, row.names = FALSE)
