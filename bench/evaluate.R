# sg_evaluate()'s speed (issues 15 and 20). Not part of the package.
#
#   R_LIBS=<lib> Rscript bench/evaluate.R [--parts=a,b,c] [--reps=5] [--fresh=3] [--markdown=FILE]
#                                         [--rows=FILE]
#
# a  the default evaluation on the shipped data, one thread: 3 samplers (none,
#    plain SMOTE, the default guarded SMOTE) x glm, 5 folds x 3 repeats and the
#    20% holdout (16 splits, 48 cells). The first call in a fresh R process
#    (`--child=first`, library(smoteguard) not timed; --fresh processes, median) and
#    warm calls in this process (median of --reps). Target: under 10 s.
# b  plan(multisession, workers = 2) against plan(sequential) on a grid whose
#    cells take >= 0.5 s of CPU on average (simulated logistic data, --n=70000
#    rows x 20 columns, 9% events; 5 folds x 1 repeat + holdout, 3 samplers: 18
#    cells). Workers started and warmed before timing; the two plans timed in
#    turns, --reps/2 rounded up each, medians; results checked identical. The
#    sequential runs also time the cells' CPU (eval_cell() traced), so that the
#    serial part and the speed-up two free cores would give are reported
#    when the machine is busy. Target: >= 1.6x.
# c  sg_evaluate()'s own overhead against the sum of its learner fits (and
#    predicts) and sampler calls, two ways. Timers: the call of part a with
#    a glm learner whose fit and predict time themselves (sg_learner(fit =,
#    predict =)) and every sg_resample() call timed (trace() on the
#    namespace's function, at run time; the package is not edited):
#    overhead = time of the call - fits - predicts - sampler calls, as a
#    share of fits + predicts + sampler calls, in wall and in CPU time
#    (median of --reps; proc.time()'s CPU has 1 ms steps, a fit takes 5-10).
#    Rprof: the plain call's CPU-time samples, those with a learner's fit or
#    predict or sg_resample() on the stack against the rest inside
#    sg_evaluate() (load-proof: the profiler's clock is this process's CPU).
#    Target: <= 20%.
# Each part prints the 1-minute load average before it (the machine is shared).
# --rows=FILE also saves parts a and c as rows of bench/run.R's table (bench_row() in
# common.R; run.R runs this script with --parts=a,c for its target 9): a's first call and
# warm calls (goal < 10 s), and c's overhead: the call against its fits + predicts +
# sampler calls (the two timed in the same calls), goal: overhead <= 20% of those.

args <- commandArgs(TRUE)
opt <- function(name, default = NULL) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit)) sub(paste0("^--", name, "="), "", hit[1]) else default
}
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
suppressMessages(library(smoteguard))
now <- function() as.numeric(Sys.time())
cpu <- function() sum(proc.time()[c("user.self", "sys.self")])  # this process's CPU seconds
load1 <- function() as.numeric(strsplit(readLines("/proc/loadavg", n = 1L), " ")[[1]][1])
quiet_eval <- function(...) suppressWarnings(sg_evaluate(...))

# part a's call: the defaults, on the shipped data
default_call <- function(learners = sg_learner_glm()) {
  quiet_eval(breast_biopsy, "diagnosis", learners = learners, seed = 1)
}

# ---- a fresh process: the first call ---------------------------------------
if (identical(opt("child"), "first")) {
  future::plan("sequential")
  c0 <- cpu(); t0 <- now()
  ev <- default_call()
  cat(sprintf("first %.4f %.4f\n", now() - t0, cpu() - c0))
  quit(save = "no")
}

parts <- strsplit(opt("parts", "a,b,c"), ",")[[1]]
reps <- as.integer(opt("reps", "5"))
md_file <- opt("markdown")
rows_file <- opt("rows", "")
fresh_n <- as.integer(opt("fresh", "3"))
rows <- list()
bench_rows <- list()  # --rows=FILE: rows of bench/run.R's table
sa <- "683 x 9; 3 samplers x glm x 16 splits"  # their size column
add_row <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., check.names = FALSE)
# the function that scores the cells' predictions in this build (NULL: none)
scoring_function <- function() {
  for (f in c("score_results", "score_predictions")) {
    if (exists(f, envir = asNamespace("smoteguard"), inherits = FALSE)) return(f)
  }
  NULL
}
say <- function(...) message(sprintf(...))
fmt <- function(x, digits = 3) formatC(x, digits = digits, format = "fg")

self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
source(file.path(dirname(self), "common.R"))
sg_threads(1)
future::plan("sequential")

# ---- a ---------------------------------------------------------------------
if ("a" %in% parts) {
  l0 <- load1()
  say("a: first calls in fresh processes (load %.2f)", l0)
  rscript <- file.path(R.home("bin"), "Rscript")
  s0 <- cpu_snapshot()
  first_both <- vapply(seq_len(fresh_n), function(i) {
    out <- system2(rscript, c("--no-init-file", shQuote(self), "--child=first"), stdout = TRUE)
    as.numeric(strsplit(grep("^first ", out, value = TRUE), " ")[[1]][2:3])
  }, numeric(2))
  first <- first_both[1, ]
  others_first <- others_share(s0)
  s0 <- cpu_snapshot()
  default_call()  # warm-up
  warm_cpu <- numeric(reps)
  warm <- vapply(seq_len(reps), function(i) {
    c0 <- cpu(); t0 <- now(); default_call(); warm_cpu[i] <<- cpu() - c0; now() - t0
  }, numeric(1))
  add_row(part = "a", what = "sg_evaluate(breast_biopsy), defaults, 1 thread: first call (fresh R)",
          seconds = median(first), spread = paste(fmt(range(first)), collapse = "-"),
          target = "< 10 s", met = if (median(first) < 10) "yes" else "NO",
          load = l0, note = sprintf("48 cells: 16 splits (5 folds x 3 repeats + holdout) x 3 samplers; median of %d processes; CPU %.3f s a call",
                                    fresh_n, median(first_both[2, ])))
  add_row(part = "a", what = "the same, warm", seconds = median(warm),
          spread = paste(fmt(range(warm)), collapse = "-"),
          target = "< 10 s", met = if (median(warm) < 10) "yes" else "NO",
          load = l0, note = sprintf("median of %d calls in one process; CPU %.3f s a call", reps,
                                    median(warm_cpu)))
  ta <- "sg_evaluate(breast_biopsy), defaults, 1 thread"
  bench_rows <- c(bench_rows, list(
    bench_row(paste0(ta, ": first call (fresh R)"), sa, median(first), goal_text = "< 10 s",
              met = rows[[length(rows) - 1]]$met, load = l0, others = others_first,
              note = rows[[length(rows) - 1]]$note),
    bench_row(paste0(ta, ": warm"), sa, median(warm), goal_text = "< 10 s",
              met = rows[[length(rows)]]$met, load = l0, others = others_share(s0),
              note = rows[[length(rows)]]$note)))
}

# ---- c ---------------------------------------------------------------------
if ("c" %in% parts) {
  l0 <- load1()
  say("c: overhead (load %.2f)", l0)
  acc <- new.env()
  zero <- function() {
    for (k in c("fit", "predict", "sampler", "n_fit", "n_sampler", "scoring", "work_cpu")) {
      assign(k, 0, acc)
    }
  }
  glm <- sg_learner_glm()
  ctx <- list(rep = 0L, fold = 0L, sampler_label = "")
  timed_glm <- sg_learner(
    fit = function(data, var) {
      c0 <- cpu(); t0 <- now(); m <- glm$fit(data, var, ctx)
      acc$fit <- acc$fit + now() - t0; acc$n_fit <- acc$n_fit + 1
      acc$work_cpu <- acc$work_cpu + cpu() - c0; m
    },
    predict = function(model, newdata) {
      c0 <- cpu(); t0 <- now(); p <- glm$predict(model, newdata)
      acc$predict <- acc$predict + now() - t0; acc$work_cpu <- acc$work_cpu + cpu() - c0; p
    }, name = "glm")
  assign("bench_acc", acc, envir = globalenv())
  suppressMessages(trace("sg_resample", where = asNamespace("smoteguard"), print = FALSE,
        tracer = quote({ .bench_t0 <- as.numeric(Sys.time())
                         .bench_c0 <- sum(proc.time()[c("user.self", "sys.self")]) }),
        exit = quote({ bench_acc$sampler <- bench_acc$sampler + as.numeric(Sys.time()) - .bench_t0
                       bench_acc$work_cpu <- bench_acc$work_cpu +
                         sum(proc.time()[c("user.self", "sys.self")]) - .bench_c0
                       bench_acc$n_sampler <- bench_acc$n_sampler + 1 })))
  # the scoring of each cell's predictions (part of the overhead), where the
  # build has it in one function: score_results() (a batch's cells, the
  # ICI's smooths included), or score_predictions() in builds before it
  scoring_fun <- scoring_function()
  scored <- !is.null(scoring_fun)
  if (scored) {
    suppressMessages(trace(scoring_fun, where = asNamespace("smoteguard"), print = FALSE,
          tracer = quote(.bench_s0 <- as.numeric(Sys.time())),
          exit = quote(bench_acc$scoring <- bench_acc$scoring + as.numeric(Sys.time()) - .bench_s0)))
  }
  default_call(timed_glm)  # warm-up
  s0 <- cpu_snapshot()
  one <- function() {
    zero()
    c0 <- cpu(); t0 <- now(); ev <- default_call(timed_glm); wall <- now() - t0
    cpu_used <- cpu() - c0
    work <- acc$fit + acc$predict + acc$sampler
    c(wall = wall, fit = acc$fit, predict = acc$predict, sampler = acc$sampler,
      overhead = wall - work, share = (wall - work) / work, n_fit = acc$n_fit,
      n_sampler = acc$n_sampler, scoring = acc$scoring, cpu = cpu_used,
      share_cpu = (cpu_used - acc$work_cpu) / acc$work_cpu)
  }
  res <- sapply(seq_len(reps), function(i) one())
  suppressMessages(untrace("sg_resample", where = asNamespace("smoteguard")))
  if (scored) suppressMessages(untrace(scoring_fun, where = asNamespace("smoteguard")))
  m <- apply(res, 1, median)
  others_c <- others_share(s0)
  # The same split read from the process's CPU time by Rprof (SIGPROF
  # counts CPU, so other processes do not enter it), on the plain
  # sg_learner_glm() without the timers: the samples whose stack holds a
  # learner's fit or predict or a sampler call are the work, the other
  # samples inside sg_evaluate() its overhead. Every 2 ms, --reps x 4
  # calls.
  prof <- tempfile()
  Rprof(prof, interval = 0.002)
  for (i in seq_len(4 * reps)) default_call()
  Rprof(NULL)
  stacks <- strsplit(readLines(prof)[-1], " ", fixed = TRUE)
  has <- function(frames) vapply(stacks, function(s) any(frames %in% s), logical(1))
  in_eval <- has('"sg_evaluate"')
  in_work <- in_eval & has(c('"sg_resample"', '"learner$fit"', '"learner$predict"'))
  in_scoring <- in_eval & !in_work & has(sprintf('"%s"', if (scored) scoring_fun else ""))
  prof_share <- (sum(in_eval) - sum(in_work)) / sum(in_work)
  add_row(part = "c", what = "the same, from Rprof's CPU-time samples (plain glm learner, no timers)",
          seconds = NA_real_, spread = "", target = "<= 20%",
          met = if (prof_share <= 0.2) "yes" else "NO", load = l0,
          note = sprintf("share %.0f%%: %d samples in sg_evaluate(), %d in learner fits, predicts and sampler calls; scoring the cells' predictions %.0f%% of the work",
                         100 * prof_share, sum(in_eval), sum(in_work),
                         100 * sum(in_scoring) / sum(in_work)))
  add_row(part = "c", what = "sg_evaluate's own overhead / (learner fits + predicts + sampler calls)",
          seconds = m[["overhead"]], spread = paste(fmt(range(res["share", ])), collapse = "-"),
          target = "<= 20%", met = if (m[["share"]] <= 0.2) "yes" else "NO", load = l0,
          note = sprintf("share %.0f%% (median of %d; in CPU time %.0f%%); wall %.3f s (CPU %.3f s) = fits %.3f (%d) + predicts %.3f + sampler calls %.3f (%d) + overhead %.3f (of which scoring the cells' predictions %s)",
                         100 * m[["share"]], reps, 100 * m[["share_cpu"]], m[["wall"]], m[["cpu"]],
                         m[["fit"]], m[["n_fit"]],
                         m[["predict"]], m[["sampler"]], m[["n_sampler"]], m[["overhead"]],
                         if (scored) sprintf("%.3f", m[["scoring"]]) else "not separable in this build"))
  tc <- "sg_evaluate(breast_biopsy), defaults, 1 thread, warm: the call"
  bench_rows <- c(bench_rows, list(
    bench_row(tc, sa, m[["wall"]],
              "its learner fits + predicts + sampler calls (timers)",
              m[["fit"]] + m[["predict"]] + m[["sampler"]], goal_text = "overhead <= 20%",
              met = rows[[length(rows)]]$met, load = l0, others = others_c,
              note = rows[[length(rows)]]$note),
    bench_row(sub(": the call$", ": Rprof's CPU samples", tc), sa, NA_real_,
              "samples in learner fits + predicts + sampler calls", goal_text = "overhead <= 20%",
              met = rows[[length(rows) - 1]]$met, load = l0,
              note = rows[[length(rows) - 1]]$note)))
}

# ---- b ---------------------------------------------------------------------
sim_data <- function(n = 40000, d = 20, seed = 1) {
  set.seed(seed)
  x <- matrix(stats::rnorm(n * d), n)
  beta <- c(rep(0.5, 5), rep(0, d - 5))
  y <- stats::rbinom(n, 1, stats::plogis(-2.75 + drop(x %*% beta)))
  df <- as.data.frame(x)
  df$event <- factor(ifelse(y == 1, "yes", "no"), levels = c("no", "yes"))
  df
}
if ("b" %in% parts) {
  sim <- sim_data(as.integer(opt("n", "70000")))
  grid <- function() quiet_eval(sim, "event", resamples = sg_folds(folds = 5, repeats = 1), seed = 1)
  n_cells <- 18
  # loads the package in the workers (a small grid)
  warm_workers <- function() {
    quiet_eval(breast_biopsy, "diagnosis", resamples = sg_folds(folds = 2, repeats = 1),
               holdout = 0, seed = 1)
  }
  # the workers' process ids (two futures at once land on both) and their
  # CPU seconds from /proc (utime + stime, in clock ticks of 1/100 s)
  worker_pids <- function() {
    fs <- lapply(1:2, function(i) future::future({ Sys.sleep(0.3); Sys.getpid() }, seed = NULL))
    unique(vapply(fs, future::value, numeric(1)))
  }
  workers_cpu <- function(pids) {
    vapply(pids, function(pid) {
      f <- strsplit(sub("^.*\\) ", "", readLines(sprintf("/proc/%d/stat", pid))), " ")[[1]]
      (as.numeric(f[12]) + as.numeric(f[13])) / 100
    }, numeric(1))
  }
  future::plan(future::multisession, workers = 2)
  warm_workers()
  l0 <- load1()
  say("b: sequential vs multisession (load %.2f)", l0)
  rounds <- ceiling(reps / 2)
  seq_t <- par_t <- seq_cpu <- par_cpu <- par_workers <- cells_cpu <- cells_max <- numeric(rounds)
  # the cells' CPU time under the sequential plan (eval_cell() traced at
  # run time): the rest of the call is serial under any plan
  cell_acc <- new.env()
  assign("bench_cells", cell_acc, envir = globalenv())
  for (i in seq_len(rounds)) {
    future::plan("sequential")
    cell_acc$t <- numeric()
    suppressMessages(trace("eval_cell", where = asNamespace("smoteguard"), print = FALSE,
          tracer = quote(.bench_c0 <- sum(proc.time()[c("user.self", "sys.self")])),
          exit = quote(bench_cells$t <- c(bench_cells$t,
                       sum(proc.time()[c("user.self", "sys.self")]) - .bench_c0))))
    if (i == 1) {
      # what travels to and from the workers: the data and settings (once
      # per batch: one batch per worker) and the cells' results
      suppressMessages(trace("run_cells", where = asNamespace("smoteguard"), print = FALSE,
            exit = quote({
              # as a worker sends them back (packed, where the build packs)
              .bench_back <- returnValue()
              if (exists("pack_record", mode = "function")) .bench_back <- lapply(.bench_back, pack_record)
              bench_cells$mb <- c(shared = length(serialize(shared, NULL)),
                                  results = length(serialize(.bench_back, NULL))) / 1e6
            })))
    }
    c0 <- cpu(); t0 <- now(); e_seq <- grid(); seq_t[i] <- now() - t0; seq_cpu[i] <- cpu() - c0
    suppressMessages(untrace("eval_cell", where = asNamespace("smoteguard")))
    cells_cpu[i] <- sum(cell_acc$t)
    cells_max[i] <- max(cell_acc$t)
    if (i == 1) {
      suppressMessages(untrace("run_cells", where = asNamespace("smoteguard")))
    }
    # a new plan starts new workers: warmed (the package loaded) before the
    # timing, as in the first round
    future::plan(future::multisession, workers = 2)
    warm_workers()
    w0 <- workers_cpu(pids <- worker_pids())
    c0 <- cpu(); t0 <- now(); e_par <- grid(); par_t[i] <- now() - t0; par_cpu[i] <- cpu() - c0
    par_workers[i] <- sum(workers_cpu(pids) - w0)
  }
  l1 <- load1()
  same <- identical(as.data.frame(e_seq), as.data.frame(e_par)) &&
    identical(e_seq$predictions, e_par$predictions) && identical(e_seq$errors, e_par$errors)
  serial <- median(seq_cpu - cells_cpu)
  # what two free cores would give: the serial part plus half the cells
  bound <- median(seq_cpu) / (serial + median(cells_cpu) / 2)
  future::plan("sequential")
  speed <- median(seq_t) / median(par_t)
  add_row(part = "b", what = sprintf("multisession, 2 workers vs sequential: %d rows x 20, 18 cells", nrow(sim)),
          seconds = median(par_t), spread = paste(fmt(range(par_t)), collapse = "-"),
          target = ">= 1.6x", met = if (speed >= 1.6) "yes" else "NO", load = l0,
          note = sprintf("sequential %.2f s (%s), %.2f s a cell (CPU: %.2f s a call, cells %.2f s, %.2f s a cell, largest %.2f s; serial part %.2f s); speed-up %.2fx (CPU bound with two free cores %.2fx; the calling process's CPU under multisession %.2f s, the workers' %.2f s; sent %.1f MB per batch, results %.1f MB); results identical: %s; load after %.2f; medians of %d in turns",
                         median(seq_t), paste(fmt(range(seq_t)), collapse = "-"),
                         median(seq_t) / n_cells, median(seq_cpu), median(cells_cpu),
                         median(cells_cpu) / n_cells, median(cells_max), serial, speed, bound,
                         median(par_cpu), median(par_workers), cell_acc$mb[["shared"]],
                         cell_acc$mb[["results"]], if (same) "yes" else "NO", l1, rounds))
}

save_rows(bench_rows, rows_file)
tab <- do.call(rbind, rows)
tab$seconds <- fmt(tab$seconds)
tab$load <- sprintf("%.2f", tab$load)
header <- sprintf("smoteguard %s, R %s, %s; %s; %s cores (%s)", utils::packageVersion("smoteguard"),
                  getRversion(), format(Sys.time(), "%Y-%m-%d %H:%M UTC"),
                  sub("^model name\\s*:\\s*", "", grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1]),
                  parallel::detectCores(), find.package("smoteguard"))
cat(header, "\n\n")
print(tab, row.names = FALSE, right = FALSE)
if (!is.null(md_file)) {
  md <- c(paste0("- ", header), "", paste0("| ", paste(names(tab), collapse = " | "), " |"),
          paste0("|", paste(rep("---", ncol(tab)), collapse = "|"), "|"),
          apply(tab, 1, function(r) paste0("| ", paste(r, collapse = " | "), " |")))
  writeLines(md, md_file)
}
