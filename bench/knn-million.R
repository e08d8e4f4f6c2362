# A million rows, exact (issue 20): sg_knn(x, 5) on
#   iid  x = 10^6 x 10 standard normal                                 goal <= 60 s
#   low  10^6 points of a 3-d Gaussian mapped into 20 columns by a fixed
#        random 3 x 20 matrix, plus N(0, 0.01^2) noise                  goal <= 10 s
# against scikit-learn's NearestNeighbors (algorithm auto, kd_tree, ball_tree; n_jobs = 2,
# as many threads as ours) from /usr/bin/python3 in the same run, each under a time limit.
#
#   Rscript bench/knn-million.R [--n=1e6] [--reps=1] [--timeout=900] [--only=iid,low]
#                               [--peers=auto,kd_tree,ball_tree] [--paths=0] [--markdown=FILE]
#                               [--rows=FILE]
#
# --paths: our search paths to time (0 automatic; 4 the float-screened brute force, 5 the
# tree of blocks: see .Call(smoteguard:::ffi_knn_path, p)). Each of our calls runs in a fresh
# Rscript (its own memory peak: each is a first call), --reps of them, the median kept (the
# first one's index matrix is compared); each peer runs once; each row records the 1-minute
# load before it. The goals hold at n = 10^6 only: a smaller --n (a short run) shows none.
# --rows=FILE also saves the results as rows of bench/run.R's table (bench_row() in
# common.R; run.R runs this script for its target 8): per data and peer, our automatic
# path against it, and a row per forced path. Exactness:
# the indices of 200 random rows are checked against a brute force in R, and scikit-learn's
# index matrix is compared with ours (md5; it breaks ties its own way, so a mismatch is
# reported, not failed).
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
argv <- commandArgs(TRUE)
opt <- function(name, default) {
  v <- sub(paste0("^--", name, "="), "", grep(paste0("^--", name, "="), argv, value = TRUE))
  if (length(v)) v[1] else default
}
n <- as.numeric(opt("n", "1e6"))
timeout <- as.numeric(opt("timeout", "900"))
only <- strsplit(opt("only", "iid,low"), ",")[[1]]
peers <- strsplit(opt("peers", "auto,kd_tree,ball_tree"), ",")[[1]]
paths <- as.integer(strsplit(opt("paths", "0"), ",")[[1]])
md_file <- opt("markdown", "")
rows_file <- opt("rows", "")
reps <- as.integer(opt("reps", "1"))
bench <- dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
k <- 5L

load1 <- function() as.numeric(strsplit(readLines("/proc/loadavg"), " ")[[1]][1])
make_data <- function(kind, n) {
  set.seed(20)
  if (kind == "iid") return(matrix(stats::rnorm(n * 10), n, 10))
  a <- matrix(stats::rnorm(3 * 20), 3, 20)  # the fixed map (seed 20)
  matrix(stats::rnorm(n * 3), n, 3) %*% a + matrix(stats::rnorm(n * 20, sd = 0.01), n, 20)
}
goal <- c(iid = 60, low = 10)

# one of our calls in a fresh R process: time, peak memory, md5 of the index matrix and
# the check of 200 rows against a brute force
ours <- function(kind, path) {
  script <- tempfile(fileext = ".R")
  out <- tempfile(fileext = ".rds")
  writeLines(c(
    "suppressMessages(library(smoteguard))",
    sprintf("source(%s)", deparse(file.path(bench, "knn-million.R"))),
    sprintf("x <- make_data(%s, %.0f)", deparse(kind), n),
    sprintf("invisible(.Call(smoteguard:::ffi_knn_path, %dL))", path),
    "invisible(gc())",
    sprintf("st <- system.time(nn <- sg_knn(x, %dL)); tm <- st[['elapsed']]; cpu <- st[['user.self']] + st[['sys.self']]", k),
    "peak <- as.numeric(gsub('[^0-9]', '', grep('^VmHWM', readLines('/proc/self/status'), value = TRUE))) / 1024",
    "f <- tempfile(); writeBin(as.vector(nn$index), f); md5 <- unname(tools::md5sum(f)); unlink(f)",
    "set.seed(3); rows <- sample(nrow(x), 200)",
    "tx <- t(x)",
    "ok <- all(vapply(rows, function(i) { d2 <- colSums((tx - x[i, ])^2); d2[i] <- Inf;",
    "  identical(order(d2, seq_along(d2))[1:ncol(nn$index)], nn$index[i, ]) }, TRUE))",
    sprintf("saveRDS(list(time = tm, cpu = cpu, peak = peak, md5 = md5, exact = ok), %s)", deparse(out))),
    script)
  status <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script),
                    env = paste0("R_LIBS=", Sys.getenv("R_LIBS"), " SMOTEGUARD_KNN_MILLION_CHILD=1"))
  if (status != 0 || !file.exists(out)) return(list(time = NA, cpu = NA, peak = NA, md5 = NA, exact = NA))
  readRDS(out)
}

sklearn <- function(kind, algo) {
  x <- make_data(kind, n)
  f <- tempfile(fileext = ".bin")
  writeBin(as.vector(x), f)
  on.exit(unlink(f))
  rm(x)
  res <- suppressWarnings(system2("timeout", c(timeout, "/usr/bin/python3", file.path(bench, "sklearn_knn.py"),
                                               f, format(n, scientific = FALSE), if (kind == "iid") 10 else 20,
                                               k, algo, 2), stdout = TRUE, stderr = FALSE))
  st <- attr(res, "status")
  if (!is.null(st) && st == 124) return(list(time = Inf, note = sprintf("timed out after %g s", timeout)))
  if (!length(res)) return(list(time = NA, note = "failed"))
  f <- strsplit(res[length(res)], " ")[[1]]
  list(time = as.numeric(f[4]), note = sprintf("fit %s s, query %s s, %s", f[2], f[3], f[5]),
       md5 = sub("index_md5=", "", f[6]))
}

# --reps of our calls, each in a fresh process: the median time (and CPU), the
# largest peak; the first call's md5, and whether all were exact
ours_median <- function(kind, path) {
  rs <- lapply(seq_len(reps), function(i) ours(kind, path))
  med <- function(f) stats::median(vapply(rs, function(r) as.numeric(r[[f]]), 0))
  list(time = med("time"), cpu = med("cpu"), peak = max(vapply(rs, function(r) r$peak, 0)),
       md5 = rs[[1]]$md5, exact = all(vapply(rs, function(r) isTRUE(r$exact), TRUE)),
       range = range(vapply(rs, function(r) r$time, 0)))
}

# the rows of bench/run.R's table for one data set: `mine` (path -> ours_median()
# with its load), `theirs` (peer -> sklearn() with its load and the comparison)
kind_rows <- function(kind, size, mine, theirs) {
  g <- if (n == 1e6) goal[[kind]] else NA
  goal_text <- if (is.na(g)) sprintf("- (goal <= %g s at n = 1e6)", goal[[kind]]) else sprintf("<= %g s", g)
  # (no time of ours where there is a goal: the call failed, so not met)
  met <- function(t) if (is.na(g)) "-" else if (is.na(t) || t > g) "NO" else "yes"
  note_ours <- function(r) {
    sprintf("one call per fresh Rscript (a first call), median of %d%s; %.1f CPU s; peak %.0f MB; 200 rows exact: %s",
            reps, if (reps > 1) sprintf(" (%.2f-%.2f s)", r$range[1], r$range[2]) else "",
            r$cpu, r$peak, r$exact)
  }
  out <- list()
  for (p in names(mine)) {
    r <- mine[[p]]
    task <- if (p == "0") "sg_knn(x, 5), exact self-search" else sprintf("sg_knn(x, 5), path %s forced", p)
    peers_here <- if (p == "0" && length(theirs)) names(theirs) else NA
    for (algo in peers_here) {
      if (is.na(algo)) {
        out[[length(out) + 1]] <- bench_row(task, size, r$time, goal_text = goal_text,
          met = met(r$time), peak = r$peak, load = r$load, note = note_ours(r))
        next
      }
      q <- theirs[[algo]]
      timed_out <- is.infinite(q$time)
      out[[length(out) + 1]] <- bench_row(task, size, r$time,
        sprintf("sklearn NearestNeighbors(%s), n_jobs = 2%s", algo,
                if (timed_out) sprintf(": > %g s (time limit)", timeout) else ""),
        if (timed_out) NA_real_ else q$time, goal_text = goal_text, met = met(r$time),
        peak = r$peak, load = r$load,
        note = sprintf("%s; sklearn (load %.2f): %s", note_ours(r), q$load, sub(";\\s*$", "", q$note)))
    }
  }
  out
}

if (nzchar(Sys.getenv("SMOTEGUARD_KNN_MILLION_CHILD"))) {
  # sourced by a child for make_data()
} else {
  suppressMessages(library(smoteguard))
  source(file.path(bench, "common.R"))
  rows <- list()
  bench_rows <- list()
  cat(sprintf("sg_knn(x, %d) at n = %.0f; smoteguard %s; %s; %s\n", k, n, utils::packageVersion("smoteguard"),
              format(Sys.time(), "%Y-%m-%d %H:%M UTC"), trimws(readLines("/proc/loadavg"))))
  for (kind in only) {
    size <- sprintf("%.0f x %d%s", n, if (kind == "iid") 10 else 20, if (kind == "low") " (3-d inside)" else "")
    mine <- NULL
    all_mine <- list(); theirs <- list()
    for (p in paths) {
      l <- load1()
      r <- ours_median(kind, p)
      all_mine[[as.character(p)]] <- c(r, load = l)
      if (is.null(mine)) mine <- r
      lab <- if (p == 0) "smoteguard sg_knn()" else sprintf("smoteguard, path %d forced", p)
      rows[[length(rows) + 1]] <- data.frame(data = kind, size = size, who = lab, seconds = r$time,
        goal = if (n == 1e6) sprintf("<= %g s", goal[[kind]]) else "-", load = l,
        note = sprintf("%.1f CPU s; peak %.0f MB; 200 rows exact: %s", r$cpu, r$peak, r$exact))
      cat(sprintf("%-4s %-28s %8.2f s  load %.2f  %s\n", kind, lab, r$time, l, rows[[length(rows)]]$note))
    }
    for (algo in peers) {
      l <- load1()
      r <- sklearn(kind, algo)
      same <- if (!is.null(r$md5) && !is.na(mine$md5)) {
        if (identical(r$md5, mine$md5)) "same indices" else "indices differ"
      } else ""
      rows[[length(rows) + 1]] <- data.frame(data = kind, size = size,
        who = sprintf("scikit-learn NearestNeighbors(%s)", algo), seconds = r$time, goal = "-", load = l,
        note = paste(r$note, same, sep = "; "))
      theirs[[algo]] <- list(time = r$time, load = l, note = rows[[length(rows)]]$note)
      cat(sprintf("%-4s %-28s %8.2f s  load %.2f  %s\n", kind, algo, r$time, l, rows[[length(rows)]]$note))
    }
    bench_rows <- c(bench_rows, kind_rows(kind, size, all_mine, theirs))
  }
  save_rows(bench_rows, rows_file)
  tab <- do.call(rbind, rows)
  if (nzchar(md_file)) {
    lines <- c("| data | size | who | seconds | goal | load | note |", "|---|---|---|---|---|---|---|",
               sprintf("| %s | %s | %s | %s | %s | %.2f | %s |", tab$data, tab$size, tab$who,
                       ifelse(is.infinite(tab$seconds), "timeout", sprintf("%.2f", tab$seconds)),
                       tab$goal, tab$load, tab$note))
    writeLines(lines, md_file)
  }
}
