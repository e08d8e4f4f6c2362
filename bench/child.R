# One benchmark job in a fresh R process (started by run_child() in common.R),
# so that the memory peak read at its end is this job's alone.
# Usage: Rscript bench/child.R <job.rds> <result.rds>
# A job is a list:
#   data   list(type = "gaussian", n_min, n_maj, d, seed)  -> df, var, x (predictors)
#          list(type = "minority", n_min, n_maj, d, seed)  -> x: the minority rows' predictors
#          list(type = "matrix", n, d, seed)               -> x: n x d standard normal
#          list(type = "table", name)                      -> df, var (real_table())
#   setup  an expression run before timing (not timed), e.g. choosing query rows
#   expr   the expression timed; its value is kept as `res`
#   after  an expression run after timing, its value returned as `extra`
#   reps   timing rounds (default 3, and 1 for a call of 10 s or more)
#   versus another expression, timed in turns with `expr` (`rounds` times each,
#          default 5) for a ratio of the two; its `after` value is kept too
# The result: time (best), first (the first call), peak (VmHWM during the first
# call, after resetting it; includes R itself and the input), rss_before (resident
# size before the call), input_mb, result_mb, others (the share of the machine other
# processes used while timing), rows (of the result), warnings (those of the first
# call, muffled), extra, versus (NULL, or list(time = expr's best in the turns,
# time_versus, extra = `after` on the versus call's result)).
args <- commandArgs(TRUE)
job <- readRDS(args[1])
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
suppressMessages(library(smoteguard))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])),
                 "common.R"))

env <- new.env()
spec <- job$data
if (spec$type %in% c("gaussian", "minority")) {
  df <- gaussian_data(spec$n_min, spec$n_maj, spec$d, seed = if (is.null(spec$seed)) 1 else spec$seed)
  env$var <- "class"
  if (spec$type == "gaussian") {
    env$df <- df
    env$input <- df
  } else {
    env$x <- as.matrix(df[df$class == "minority", seq_len(spec$d)])
    env$input <- env$x
  }
  rm(df)
} else if (spec$type == "matrix") {
  set.seed(if (is.null(spec$seed)) 1 else spec$seed)
  env$x <- matrix(stats::rnorm(spec$n * spec$d), spec$n)
  env$input <- env$x
} else if (spec$type == "table") {
  tb <- real_table(spec$name)
  env$df <- tb$data
  env$var <- tb$var
  env$input <- tb$data
} else {
  stop("unknown data type ", spec$type)
}
if (!is.null(job$setup)) eval(job$setup, env)

invisible(gc()); invisible(gc())
rss_before <- vm_mb("VmRSS")
reset_ok <- reset_peak()
warns <- character()
s0 <- cpu_snapshot()
first <- system.time(res <- withCallingHandlers(eval(job$expr, env), warning = function(w) {
  warns <<- c(warns, conditionMessage(w))
  invokeRestart("muffleWarning")
}))[["elapsed"]]
peak <- vm_mb("VmHWM")
env$res <- res
reps <- if (is.null(job$reps)) 3 else job$reps
time <- if (reps > 1) suppressWarnings(bench_best(eval(job$expr, env), first = first, reps = reps)) else first
extra <- if (is.null(job$after)) NULL else eval(job$after, env)
# A ratio of two of our own calls (`versus`: the other call): the two are
# timed in turns in this one process, `rounds` times each, best of each, so
# that both see the same machine (a KVM guest's speed drifts by 20-40%
# from one minute to the next, which separate children timed minutes apart
# would read as a difference between the calls).
versus <- NULL
if (!is.null(job$versus)) {
  rounds <- if (is.null(job$rounds)) 5 else job$rounds
  ta <- tb <- Inf
  for (i in seq_len(rounds)) {
    gc(FALSE)
    ta <- min(ta, system.time(eval(job$expr, env))[["elapsed"]])
    gc(FALSE)
    tb <- min(tb, system.time(res_b <- eval(job$versus, env))[["elapsed"]])
  }
  extra_b <- if (is.null(job$after)) NULL
             else eval(job$after, list2env(list(res = res_b), parent = env))
  versus <- list(time = ta, time_versus = tb, extra = extra_b)
}
others <- others_share(s0)

saveRDS(list(time = time, first = first, peak = peak, peak_reset = reset_ok,
             rss_before = rss_before,
             input_mb = as.numeric(utils::object.size(env$input)) / 2^20,
             result_mb = as.numeric(utils::object.size(res)) / 2^20,
             others = others, rows = NROW(res), warnings = unique(warns), extra = extra,
             versus = versus), args[2])
