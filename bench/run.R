# smoteguard against its peers: the targets of the performance issue (and the
# benchmarks the foundation, SMOTE-family and guard issues ask for) and those
# of issue 20 (targets 6-9: the default call, the first call, a million rows,
# the evaluation's overhead), printed as one table.
#
#   Rscript bench/run.R [--quick] [--full] [--no-wait] [--only=1,2,...] [--markdown=FILE]
#   make bench                     (the same, default mode)
#
#   default    themis runs (target 1: ~130 s); at n = 20,000, d = 100 RANN and FNN are
#              timed on a random subset of query rows and extrapolated linearly; 10^6 rows
#              of the growth target run only if the fit predicts under ~3 minutes.
#   --quick    for development: no themis on the 120,000-row data, no waiting for a quiet
#              machine, fewer query rows and OpenBLAS core types.
#   --full     peers whole at d = 100, 10^6 rows of the growth target whatever they take,
#              themis::bsmote()/adasyn() and imbalanced-learn's reference BLAS for target 5.
#   --no-wait  do not wait for the 1-minute load average to fall below 0.6 before each
#              target (the machine is shared; the load is recorded in the table either way).
#   --only=    run only these targets (1-9).
#   --markdown=FILE  also write the table (with the header lines) as Markdown.
#
# Every smoteguard timing runs in its own Rscript (bench/child.R) so that its memory
# peak (VmHWM, reset just before the call) is its own; "peak MB" includes R itself and
# the input. Peers that are not installed are skipped with a message; nothing is
# installed here (bash .ci/install-deps.sh --bench adds imbalanced-learn and OpenBLAS).
# Ratios are peer time / smoteguard time: above 1 means smoteguard is faster.
#
# Targets 7-9 are measured by scripts that also run alone (bench/README.md):
#   7  bench/first-call.R: the first call in a fresh R process and the warm calls
#      (medians of fresh processes: --reps 3, 1 with --quick, 5 with --full),
#      Shuttle-sized tables against imbalanced-learn, the Gaussian table's first
#      call against its fourth, and the base-R floors
#   8  bench/knn-million.R: sg_knn(x, 5) at 10^6 rows against scikit-learn's
#      NearestNeighbors (auto; --full adds kd_tree and ball_tree; each peer
#      stopped after 300 s, 900 s with --full); --quick: 50,000 rows (no goal), one
#      call, peers stopped after 30 s
#   9  bench/evaluate.R --parts=a,c: sg_evaluate()'s first and warm calls, and its
#      own overhead against its learner fits, predicts and sampler calls
# run.R runs each in a child Rscript with --rows=FILE (their output goes to
# stderr with the progress) and appends the rows they save (bench_row() in
# common.R) to the table.
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
suppressMessages(library(smoteguard))
source(file.path((function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(f[1]) else "bench"
})(), "common.R"))

argv <- commandArgs(TRUE)
quick <- "--quick" %in% argv
full <- "--full" %in% argv
no_wait <- quick || "--no-wait" %in% argv
only <- sub("^--only=", "", grep("^--only=", argv, value = TRUE))
only <- if (length(only)) as.integer(strsplit(only, ",")[[1]]) else 1:9
md_file <- sub("^--markdown=", "", grep("^--markdown=", argv, value = TRUE))
mode <- if (full) "--full" else if (quick) "--quick" else "default"
started <- Sys.time()

say <- function(...) message(sprintf(...))
rows <- list()
add_row <- function(target, task, size, ours, peer = "-", peer_time = NA_real_,
                    goal = NA_real_, peak = NA_real_, load = NA_real_, note = "",
                    goal_text = NULL, from = list()) {
  oth <- unlist(lapply(from, function(m) m$others))
  others <- if (length(oth) && any(!is.na(oth))) max(oth, na.rm = TRUE) else NA_real_
  r <- bench_row(task, size, ours, peer, peer_time, goal, peak, load, note, goal_text, others,
                 target = target)
  rows[[length(rows) + 1L]] <<- r
  say_row(r)
}
say_row <- function(r) {
  say("  %s | %s | ours %s | %s %s | %s", r$task, r$size, fmt_s(r$smoteguard_s), r$peer,
      fmt_s(r$peer_s), if (is.na(r$ratio)) "-" else sprintf("%.2fx", r$ratio))
}
fmt_s <- function(x) {
  vapply(x, function(v) if (is.na(v)) "-" else if (v < 0.1) sprintf("%.4f", v)
         else if (v < 100) sprintf("%.2f", v) else sprintf("%.0f", v), "")
}
# every measurement is repeated (after a wait) when other processes disturbed it
child <- function(job) measure(function() run_child(job), retry = !quick, wait = !no_wait)
py_run <- function(...) measure(function() imblearn_time(...), retry = !quick, wait = !no_wait)
section_load <- function(label) if (no_wait) load1() else wait_for_quiet(label)
# Run a script that saves its rows (--rows=FILE, see bench_row() in common.R)
# in a child Rscript, its output on stderr, and append its rows as `target`'s;
# `note` (if any) goes before each row's note.
script_rows <- function(target, script, args, note = "") {
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  status <- system2(file.path(R.home("bin"), "Rscript"),
                    c("--no-init-file", shQuote(file.path(bench_dir(), script)), args,
                      paste0("--rows=", shQuote(f)), "1>&2"))
  if (status != 0 || !file.exists(f)) {
    say("  (%s %s failed with status %d)", script, paste(args, collapse = " "), status)
    # a target that did not run is not met: one row says so
    r <- bench_row(paste(script, "did not finish"), "-", NA_real_, met = "NO",
                   note = sprintf("%s %s exited with status %d; see its output above", script,
                                  paste(args, collapse = " "), status), target = target)
    rows[[length(rows) + 1L]] <<- r
    say_row(r)
    return(invisible())
  }
  r <- readRDS(f)
  if (is.null(r)) return(invisible())
  r$target <- as.character(target)
  if (nzchar(note)) r$note <- paste0(note, "; ", r$note)
  for (i in seq_len(nrow(r))) {
    rows[[length(rows) + 1L]] <<- r[i, , drop = FALSE]
    say_row(r[i, , drop = FALSE])
  }
}
# the record's own timings of the call, and any warning it gave
timing_note <- function(r) {
  tm <- r$extra$timings
  out <- if (is.null(tm)) "" else
    paste0("record: ", paste(sprintf("%s %.3g", names(tm), tm), collapse = ", "))
  if (length(r$warnings)) {
    w <- gsub("\\s+", " ", r$warnings[1])
    out <- paste0(out, "; warned: ", if (nchar(w) > 90) paste0(substr(w, 1, 87), "...") else w)
  }
  out
}

machine <- machine_peak()
src_dir <- dirname(bench_dir())
git_rev <- tryCatch(suppressWarnings(system2("git", c("-C", shQuote(src_dir), "describe", "--always",
                                                      "--dirty"), stdout = TRUE, stderr = FALSE)),
                    error = function(e) character())
git_rev <- if (length(git_rev)) git_rev[1] else "unknown"
blas_r <- sessionInfo()$BLAS
say("smoteguard %s benchmarks (%s mode); %s, %d cores at %.2f GHz",
    utils::packageVersion("smoteguard"), mode, machine$model, machine$cores, machine$ghz)

# ---- imbalanced-learn BLAS configurations -----------------------------------
py_ok <- have_imblearn()
ob_dir <- if (py_ok) openblas_dir() else NA_character_
if (py_ok && is.na(ob_dir)) {
  message("  (OpenBLAS is not installed: imbalanced-learn is timed with the reference BLAS",
          " only; as root: bash .ci/install-deps.sh --bench)")
}
coretypes <- if (quick) c("Zen", "Haswell") else c("Zen", "SkylakeX", "Haswell")
blas_configs <- list(list(label = "reference BLAS", env = character()))
if (!is.na(ob_dir)) {
  ld <- paste0("LD_LIBRARY_PATH=", ob_dir)
  blas_configs <- c(blas_configs, list(list(label = "OpenBLAS as detected", env = ld)),
                    lapply(coretypes, function(ct)
                      list(label = paste0("OpenBLAS CORETYPE=", ct),
                           env = c(ld, paste0("OPENBLAS_CORETYPE=", ct)))))
}
# the fastest configuration found by target 1 (else OpenBLAS with the first core type)
best_blas <- blas_configs[[length(blas_configs)]]
best_blas_note <- "(not measured: target 1 not run)"
short_blas <- function(b) sub("^reference:.*", "reference", b)

# ---- target 1 (and 4): plain SMOTE, 20,000 + 100,000 rows, d = 20 -----------
t1_data <- list(type = "gaussian", n_min = 20000, n_maj = 100000, d = 20)
t1_size <- "20k min + 100k maj, d=20"
hash_after <- quote(list(
  hash = { r <- res; attr(r, "smoteguard") <- NULL; f <- tempfile()
           saveRDS(list(r, sg_provenance(res)), f, compress = FALSE)
           h <- unname(tools::md5sum(f)); unlink(f); h },
  timings = sg_record(res)$timings))
if (1 %in% only || 4 %in% only) {
  say("target 1: plain SMOTE to 1:1, %s", t1_size)
  l1 <- section_load("target 1")
  r2 <- child(list(data = t1_data, after = hash_after,
                       expr = quote(sg_oversample(df, var, seed = 1, guard = NULL, threads = 2))))
  ours_t1 <- r2$time
  if (4 %in% only) {
    # both thread counts timed in turns in one process (see child.R)
    say("target 4: 1 vs 2 threads on target 1")
    r12 <- child(list(data = t1_data, after = hash_after,
                      expr = quote(sg_oversample(df, var, seed = 1, guard = NULL, threads = 2)),
                      versus = quote(sg_oversample(df, var, seed = 1, guard = NULL, threads = 1))))
    v <- r12$versus
    same <- identical(v$extra$hash, r12$extra$hash) && identical(r12$extra$hash, r2$extra$hash)
    add_row(4, "SMOTE 1:1: 2 threads vs 1", t1_size, v$time, "smoteguard, 1 thread", v$time_versus,
            1.7, r12$peak, l1,
            sprintf("timed in turns, 5 each, best of each; results identical (data + provenance md5): %s",
                    if (same) "yes" else "NO"), from = list(r12))
  }
  if (1 %in% only) {
    if (py_ok) {
      df1 <- gaussian_data(t1_data$n_min, t1_data$n_maj, t1_data$d)
      py_times <- numeric(); py_res <- list()
      for (cf in blas_configs) {
        py <- py_run(df1, "class", "smote", reps = 3, env = cf$env)
        py_times[cf$label] <- py$time; py_res[[cf$label]] <- py
        add_row(1, "SMOTE 1:1, guard = NULL", t1_size, ours_t1,
                paste0("imblearn SMOTE, ", cf$label), py$time, NA, r2$peak, load1(),
                paste0("numpy BLAS: ", short_blas(py$blas), "; python peak ",
                       round(py$peak), " MB"), from = list(r2, py))
      }
      fastest <- names(which.min(py_times))
      best_blas <- blas_configs[[match(fastest, vapply(blas_configs, `[[`, "", "label"))]]
      best_blas_note <- sprintf("%s (%.2f s for SMOTE)", fastest, min(py_times, na.rm = TRUE))
      add_row(1, "SMOTE 1:1, guard = NULL", t1_size, ours_t1,
              paste0("imblearn SMOTE, fastest: ", fastest), min(py_times, na.rm = TRUE), 2,
              r2$peak, NA, "the target: against imbalanced-learn's fastest configuration",
              from = list(r2, py_res[[fastest]]))
      rm(df1)
    }
    # the foundation issue's comparison: the neighbour search alone, minority rows
    if (quick) {
      add_row(1, "k-NN alone: sg_knn, minority rows", "20k x 20, k=5", NA,
              "RANN::nn2 (--quick: not run)")
    } else if (have("RANN")) {
      kn <- child(list(data = modifyList(t1_data, list(type = "minority")),
                           expr = quote(sg_knn(x, 5))))
      rn <- child(list(data = modifyList(t1_data, list(type = "minority")),
                           expr = quote(RANN::nn2(x, k = 6))))
      add_row(1, "k-NN alone: sg_knn, minority rows", "20k x 20, k=5", kn$time,
              "RANN::nn2 (k = 6: self + 5)", rn$time, NA, kn$peak, load1(), "", from = list(kn, rn))
    }
    # themis last: ~130 s on one core
    if (quick) {
      add_row(1, "SMOTE 1:1, guard = NULL", t1_size, ours_t1, "themis::smote (--quick: not run)",
              NA, 100, r2$peak, l1, timing_note(r2), from = list(r2))
    } else if (have("themis")) {
      th <- child(list(data = t1_data, reps = 1,
                           expr = quote(themis::smote(df, var, k = 5, over_ratio = 1))))
      add_row(1, "SMOTE 1:1, guard = NULL", t1_size, ours_t1, "themis::smote", th$time, 100,
              r2$peak, l1, timing_note(r2), from = list(r2, th))
    }
  }
}

# ---- target 5: whole-data neighbour methods on target 1's data --------------
if (5 %in% only) {
  say("target 5: Borderline, ADASYN, Safe-Level (guard = NULL) and guarded SMOTE, %s", t1_size)
  l5 <- section_load("target 5")
  ours5 <- list()
  for (m in c("borderline1", "borderline2", "adasyn", "safe_level")) {
    ours5[[m]] <- child(list(data = t1_data, after = hash_after,
      expr = bquote(sg_oversample(df, var, method = .(m), seed = 1, guard = NULL))))
  }
  # guarded SMOTE and our Borderline-1 also timed in turns (see child.R) for
  # the ratio of the two
  ours5$guarded <- child(list(data = t1_data, after = hash_after,
                              expr = quote(sg_oversample(df, var, seed = 1)),
                              versus = quote(sg_oversample(df, var, method = "borderline1",
                                                           seed = 1, guard = NULL))))
  py5 <- list()
  if (py_ok) {
    df1 <- gaussian_data(t1_data$n_min, t1_data$n_maj, t1_data$d)
    for (m in c("borderline1", "borderline2", "adasyn")) {
      py5[[m]] <- py_run(df1, "class", m, reps = 3, env = best_blas$env)
    }
  }
  peer_name <- c(borderline1 = "BorderlineSMOTE(kind='borderline-1')",
                 borderline2 = "BorderlineSMOTE(kind='borderline-2')", adasyn = "ADASYN")
  pairs <- list(c("borderline1", "borderline1"), c("borderline2", "borderline2"),
                c("adasyn", "adasyn"), c("safe_level", "borderline1"), c("guarded", "borderline1"))
  for (p in pairs) {
    o <- ours5[[p[1]]]; py <- py5[[p[2]]]
    task <- if (p[1] == "guarded") "SMOTE, default guard" else paste0(p[1], ", guard = NULL")
    note <- timing_note(o)
    if (p[1] == "safe_level") note <- paste0("imbalanced-learn has no Safe-Level: vs its Borderline; ", note)
    if (p[1] == "borderline2") note <- paste0("no target (issue 3 names Borderline); ", note)
    if (p[1] == "guarded") note <- sprintf("%d rows out of %d wanted; %s", o$rows, 2L * t1_data$n_maj, note)
    add_row(5, task, t1_size, o$time,
            if (is.null(py)) "imbalanced-learn (not installed)"
            else paste0("imblearn ", peer_name[[p[2]]], ", ", best_blas$label),
            if (is.null(py)) NA else py$time, if (p[1] == "borderline2") NA else 2, o$peak, l5, note,
            from = list(o, py))
  }
  v <- ours5$guarded$versus
  add_row(5, "SMOTE, default guard", t1_size, v$time,
          "smoteguard borderline1, guard = NULL", v$time_versus, 1 / 1.2, ours5$guarded$peak,
          l5, "guarded SMOTE at most 1.2x our Borderline; the two timed in turns, 5 each, best of each",
          goal_text = ">= 0.83x", from = list(ours5$guarded))
  if (full) {
    if (py_ok) for (m in c("borderline1", "adasyn")) {
      py <- py_run(df1, "class", m, reps = 1, env = character())
      add_row(5, paste0(m, ", guard = NULL"), t1_size, ours5[[m]]$time,
              paste0("imblearn ", peer_name[[m]], ", reference BLAS"), py$time, NA,
              ours5[[m]]$peak, load1(), paste0("numpy BLAS: ", short_blas(py$blas)),
              from = list(ours5[[m]], py))
    }
    if (have("themis")) {
      thb <- child(list(data = t1_data, reps = 1,
                            expr = quote(themis::bsmote(df, var, k = 5, over_ratio = 1, all_neighbors = FALSE))))
      add_row(5, "borderline1, guard = NULL", t1_size, ours5$borderline1$time, "themis::bsmote",
              thb$time, NA, ours5$borderline1$peak, load1(), "", from = list(ours5$borderline1, thb))
      tha <- child(list(data = t1_data, reps = 1,
                            expr = quote(themis::adasyn(df, var, k = 5, over_ratio = 1))))
      add_row(5, "adasyn, guard = NULL", t1_size, ours5$adasyn$time, "themis::adasyn",
              tha$time, NA, ours5$adasyn$peak, load1(), "", from = list(ours5$adasyn, tha))
    }
  }
  if (exists("df1")) rm(df1)
}

# ---- target 2: sg_knn against RANN and FNN, k = 5 ----------------------------
if (2 %in% only) {
  say("target 2: sg_knn vs RANN::nn2 and FNN::get.knn, k = 5")
  l2 <- section_load("target 2")
  d5 <- list(type = "matrix", n = 200000, d = 5)
  k5 <- child(list(data = d5, expr = quote(sg_knn(x, 5))))
  if (have("RANN")) {
    rn <- child(list(data = d5, reps = 1, expr = quote(RANN::nn2(x, k = 6))))
    add_row(2, "sg_knn, all rows", "n=200k, d=5", k5$time, "RANN::nn2 (k = 6: self + 5)",
            rn$time, 5, k5$peak, l2, "", from = list(k5, rn))
  }
  if (have("FNN")) {
    fn <- child(list(data = d5, reps = 1, expr = quote(FNN::get.knn(x, k = 5))))
    add_row(2, "sg_knn, all rows", "n=200k, d=5", k5$time, "FNN::get.knn", fn$time, 5, k5$peak,
            l2, "", from = list(k5, fn))
  }

  l2b <- section_load("target 2, d = 100")
  d100 <- list(type = "matrix", n = 20000, d = 100)
  paths <- c(auto = 0L, direct = 1L, expansion = 3L, float = 4L)
  kp <- lapply(paths, function(p) child(list(data = d100,
    expr = bquote({ .Call(smoteguard:::ffi_knn_path, .(p)); sg_knn(x, 5) }),
    after = quote(.Call(smoteguard:::ffi_knn_path, 0L)))))
  nq <- if (full) 20000L else if (quick) 500L else 2000L
  sub_setup <- bquote({ set.seed(2); q <- x[sample.int(nrow(x), .(nq)), , drop = FALSE] })
  sub_note <- if (nq < 20000L) sprintf("extrapolated from %d queries (x %g)", nq, 20000 / nq) else "whole"
  if (have("RANN")) {
    rn <- child(list(data = d100, reps = 1, setup = sub_setup,
                         expr = quote(RANN::nn2(x, q, k = 6))))
    add_row(2, "sg_knn, all rows", "n=20k, d=100", kp$auto$time, "RANN::nn2 (k = 6: self + 5)",
            rn$time * 20000 / nq, 20, kp$auto$peak, l2b, sub_note, from = list(kp$auto, rn))
  }
  if (have("FNN")) {
    fn <- child(list(data = d100, reps = 1, setup = sub_setup,
                         expr = if (nq < 20000L) quote(FNN::get.knnx(x, q, k = 6))
                                else quote(FNN::get.knn(x, k = 5))))
    add_row(2, "sg_knn, all rows", "n=20k, d=100", kp$auto$time,
            if (nq < 20000L) "FNN::get.knnx (k = 6: self + 5)" else "FNN::get.knn",
            fn$time * 20000 / nq, 20, kp$auto$peak, l2b, sub_note, from = list(kp$auto, fn))
  }
  flops <- 20000^2 * 100 * 2
  for (p in names(paths)) {
    t <- kp[[p]]$time
    # the float screen (path 4, and the automatic path here) does its dot
    # products in single precision: against the single-precision peak
    single <- p %in% c("auto", "float")
    gf <- if (single) 2 * machine$gflops else machine$gflops
    peak_time <- flops / (gf * 1e9)
    add_row(2, sprintf("sg_knn brute force (path %s)", p), "n=20k, d=100", t,
            sprintf("machine %s peak %.0f GFLOP/s", if (single) "SP" else "DP", gf), peak_time, 1 / 3,
            kp[[p]]$peak, l2b,
            sprintf("%.1f GFLOP/s (n^2 x d x 2 flops) = %s peak / %.1f%s", flops / t / 1e9,
                    if (single) "single-precision" else "double-precision", t / peak_time,
                    if (machine$nominal_fpc != machine$fpc)
                      sprintf(" (nominal AVX-512 peak / %.1f)",
                              (if (single) 2 else 1) * machine$nominal_gflops * 1e9 * t / flops)
                    else ""), goal_text = ">= 0.33x", from = list(kp[[p]]))
  }
}

# ---- target 3: growth --------------------------------------------------------
if (3 %in% only) {
  say("target 3: growth, SMOTE on n minority + n majority rows, d = 10, guard = NULL")
  l3 <- section_load("target 3")
  d <- 10; k <- 5
  gt <- c(); gn <- c()
  for (p in 4:6) {
    n <- 10^p
    if (p == 6 && !full) {
      b <- if (length(gt) >= 2) diff(log(gt)) / diff(log(gn)) else 2
      pred <- gt[length(gt)] * 10^b
      if (pred > 180) {
        add_row(3, "growth: SMOTE minority x2", "10^6 min + 10^6 maj, d=10", NA, peak = NA, load = load1(),
                note = sprintf("not run: predicted %.0f s from the fit (> 3 min); --full runs it", pred))
        next
      }
    }
    r <- child(list(data = list(type = "gaussian", n_min = n, n_maj = n, d = d),
                        reps = if (p >= 6) 1 else 3,
                        expr = quote(sg_oversample(df, var, seed = 1, guard = NULL,
                                                   over_ratio = c(minority = 2))),
                        after = quote(list(timings = sg_record(res)$timings))))
    gt <- c(gt, r$time); gn <- c(gn, n)
    # the issue's bound: input + result + O(n (d + k)) + 64 MB, over R's own footprint
    base <- r$rss_before - r$input_mb
    work <- 8 * (2 * n) * (d + k) / 2^20
    allowed <- base + r$input_mb + r$result_mb + 4 * work + 64
    add_row(3, "growth: SMOTE minority x2", sprintf("10^%d min + 10^%d maj, d=10", p, p), r$time,
            peak = r$peak, load = l3, goal_text = sprintf("peak <= %.0f MB", allowed),
            note = sprintf("R+pkg %.0f MB, input %.0f MB, result %.0f MB, 8n(d+k) = %.0f MB; over R+input+result: %.0f MB = %.1f x 8n(d+k); %s",
                           base, r$input_mb, r$result_mb, work,
                           r$peak - base - r$input_mb - r$result_mb,
                           (r$peak - base - r$input_mb - r$result_mb) / work, timing_note(r)),
            from = list(r))
    rows[[length(rows)]]$met <- if (r$peak <= allowed) "yes" else "NO"
  }
  if (length(gt) >= 2) {
    fit <- stats::lm(log(gt) ~ log(gn))
    add_row(3, "growth: fitted exponent", sprintf("%d sizes", length(gt)), NA,
            note = sprintf("time ~ n^b, b = %.2f (least squares on log-log, n = %s)",
                           stats::coef(fit)[[2]], paste(sprintf("10^%d", round(log10(gn))), collapse = ", ")))
  }
}

# ---- target 6: real tables ---------------------------------------------------
if (6 %in% only) {
  say("target 6: real tables, whole call (data frame in, data frame out)")
  l6 <- section_load("target 6")
  for (nm in real_tables) {
    tb <- real_table(nm)
    size <- paste0(nm, ": ", table_size(tb$data, tb$var))
    data6 <- list(type = "table", name = nm)
    plain <- child(list(data = data6, expr = quote(sg_oversample(df, var, seed = 1, guard = NULL)),
                            after = quote(list(timings = sg_record(res)$timings))))
    dflt <- child(list(data = data6, expr = quote(sg_oversample(df, var, seed = 1)),
                           after = quote(list(timings = sg_record(res)$timings))))
    if (have("themis")) {
      th <- child(list(data = data6, expr = quote(themis::smote(df, var, k = 5, over_ratio = 1))))
      add_row(6, "SMOTE, guard = NULL", size, plain$time, "themis::smote", th$time, 5, plain$peak,
              l6, paste0(tb$label, "; ", timing_note(plain)), from = list(plain, th))
    }
    if (py_ok) {
      py <- py_run(tb$data, tb$var, "smote", reps = 3, inner = 50, env = best_blas$env)
      add_row(6, "SMOTE, guard = NULL", size, plain$time, paste0("imblearn SMOTE, ", best_blas$label),
              py$time, 2, plain$peak, load1(), "numpy arrays in and out", from = list(plain, py))
    }
    add_row(6, "SMOTE, default guard", size, dflt$time,
            if (have("themis")) "themis::smote" else "-", if (have("themis")) th$time else NA, 5,
            dflt$peak, l6, sprintf("the default call (guard and constraints on): %d rows out, %d with guard = NULL; %s",
                              dflt$rows, plain$rows, timing_note(dflt)),
            from = list(dflt))
  }
}

# ---- targets 7-9 (issue 20): scripts that also run alone ----------------------
reps_mode <- function(quick_v, default_v, full_v) if (quick) quick_v else if (full) full_v else default_v
if (7 %in% only) {
  say("target 7: the first call in a fresh R process and warm calls; many rows, few columns, 7 classes")
  section_load("target 7")
  script_rows(7, "first-call.R", paste0("--reps=", reps_mode(1, 3, 5)))
}
if (8 %in% only) {
  n8 <- if (quick) "5e4" else "1e6"
  say("target 8: sg_knn(x, 5), exact self-search at n = %s, against scikit-learn", n8)
  section_load("target 8")
  script_rows(8, "knn-million.R",
              c(paste0("--n=", n8), paste0("--reps=", reps_mode(1, 3, 3)),
                paste0("--peers=", if (full) "auto,kd_tree,ball_tree" else "auto"),
                paste0("--timeout=", reps_mode(30, 300, 900))),
              note = if (quick) "--quick: n = 50,000, not the goal's 10^6" else "")
}
if (9 %in% only) {
  say("target 9: sg_evaluate()'s first and warm calls, and its own overhead")
  section_load("target 9")
  script_rows(9, "evaluate.R", c("--parts=a,c", paste0("--reps=", reps_mode(1, 5, 9)),
                                 paste0("--fresh=", reps_mode(1, 3, 5))))
}

# ---- the table -----------------------------------------------------------------
tab <- do.call(rbind, rows)
tab <- tab[order(as.integer(tab$target)), , drop = FALSE]   # stable: each target's rows in run order
out <- data.frame(
  "#" = tab$target, task = tab$task, size = tab$size, "smoteguard s" = fmt_s(tab$smoteguard_s),
  peer = tab$peer, "peer s" = fmt_s(tab$peer_s),
  "peer/ours" = ifelse(is.na(tab$ratio), "-", sprintf("%.2fx", tab$ratio)),
  goal = tab$goal, met = tab$met,
  "peak MB" = ifelse(is.na(tab$peak_mb), "-", sprintf("%.0f", tab$peak_mb)),
  load = ifelse(is.na(tab$load), "-", sprintf("%.2f", tab$load)),
  "others %" = ifelse(is.na(tab$others), "-", sprintf("%.0f", 100 * tab$others)), note = tab$note,
  check.names = FALSE, stringsAsFactors = FALSE)

header <- c(
  sprintf("smoteguard %s, R %s, %s; run %s (%s mode, %.0f min)", utils::packageVersion("smoteguard"),
          getRversion(), format(Sys.Date()), format(started, "%Y-%m-%d %H:%M UTC"), mode,
          as.numeric(difftime(Sys.time(), started, units = "mins"))),
  sprintf("machine: %s (family %d), %d cores at %.2f GHz (/proc/cpuinfo); k-NN kernel picked at run time: %s; peak %.0f GFLOP/s = %d cores x %.2f GHz x %d DP flops/cycle%s",
          machine$model, machine$family, machine$cores, machine$ghz, machine$kernel,
          machine$gflops, machine$cores, machine$ghz, machine$fpc,
          if (machine$split512) sprintf(" (Zen 4 runs each 512-bit FMA as two 256-bit halves on its 2 FMA pipes, so AVX-512 peaks like AVX2 FMA: 16; the nominal AVX-512 figure, 32/cycle, would give %.0f GFLOP/s)", machine$nominal_gflops)
          else if (machine$kernel == "AVX2+FMA") " (AVX2 FMA: 2 pipes x 4 doubles x 2)" else ""),
  sprintf("package installed at %s (built %s; the source %s is at git %s now); R_LIBS=%s",
          find.package("smoteguard"), utils::packageDescription("smoteguard")$Built,
          normalizePath(src_dir), git_rev, Sys.getenv("R_LIBS")),
  sprintf("R's BLAS: %s; imbalanced-learn: /usr/bin/python3; fastest numpy BLAS configuration: %s",
          blas_r, best_blas_note),
  "ratios are peer time / smoteguard time (above 1: smoteguard faster); times in seconds, best of 3 under 10 s (targets 7-9: medians of repeated runs, as their notes say); peak MB: VmHWM of the child process during smoteguard's call (R + input included); load: 1-minute load average before the measurement; others %: the most CPU other processes took (share of the machine, from /proc/stat) during the row's timings: a timing of targets 1-6 they disturbed by more than 10% is repeated after a wait, keeping the fastest")
# one line per row, whatever the console width
txt <- rbind(names(out), as.matrix(out))
width <- apply(nchar(txt, type = "width"), 2, max)
lines <- apply(txt, 1, function(r)
  sub("\\s+$", "", paste(mapply(formatC, r, width = -width), collapse = "  ")))
cat(header, sep = "\n")
cat("\n")
cat(lines, sep = "\n")

if (length(md_file)) {
  esc <- function(x) gsub("|", "\\|", x, fixed = TRUE)
  md <- c(paste0("- ", header), "",
          paste0("| ", paste(names(out), collapse = " | "), " |"),
          paste0("|", paste(rep("---", ncol(out)), collapse = "|"), "|"),
          apply(out, 1, function(r) paste0("| ", paste(esc(r), collapse = " | "), " |")))
  writeLines(md, md_file)
  say("Markdown table written to %s", md_file)
}
