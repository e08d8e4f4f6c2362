# sg_diagnose() on the foundation benchmark's data: 20,000 real minority and
# 100,000 majority rows in 20 dimensions, raised to 1:1 by plain SMOTE
# (80,000 synthetic rows). Times the diagnosis with the defaults (at most
# 5,000 synthetic rows judged) against plain SMOTE on the same data (the
# target: at most 4x), and the exact run (max_rows = Inf) with its distance
# evaluations per second. Also shows how close the default estimates are to
# the exact values, in standard errors.
# Run: Rscript bench/diagnose.R [--quick]   (--quick skips the exact run)
# The default timings alternate SMOTE and sg_diagnose() in rounds, best of
# three each, with all threads and with one (one thread also in CPU time,
# which other processes on the machine disturb least).
suppressMessages(library(smoteguard))
source(file.path((function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(f[1]) else "bench"
})(), "common.R"))
quick <- "--quick" %in% commandArgs(TRUE)

n_min <- 20000; n_maj <- 100000; d <- 20
df <- gaussian_data(n_min, n_maj, d)
cat(sprintf("sg_diagnose(): %d minority + %d majority rows, d = %d, %d thread(s) available\n",
            n_min, n_maj, d, parallel::detectCores()))

# plain SMOTE: no guard where the package has one
plain <- function() {
  if ("guard" %in% names(formals(sg_oversample))) {
    sg_oversample(df, "class", seed = 1, guard = NULL)
  } else {
    sg_oversample(df, "class", seed = 1)
  }
}
res <- plain()
n_syn <- nrow(sg_provenance(res))
cat(sprintf("%d synthetic rows\n", n_syn))

# Others may share the machine: wait for a quiet moment where the helper
# exists, and time SMOTE and the diagnosis in alternating rounds, keeping
# the best of each (elapsed seconds), and on one thread also the CPU time.
quiet <- function(label) {
  if (exists("wait_for_quiet")) invisible(wait_for_quiet(label, max_wait = 600))
}
cpu <- function(expr) {
  t <- system.time(expr)
  c(elapsed = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
}
rounds <- function(threads, n = 3) {
  old <- options(smoteguard.threads = threads)
  on.exit(options(old))
  s <- d <- matrix(NA_real_, n, 2)
  for (i in seq_len(n)) {
    gc(FALSE)
    s[i, ] <- cpu(plain())
    gc(FALSE)
    d[i, ] <- cpu(dg <<- sg_diagnose(res, seed = 1))
  }
  best <- function(m) stats::setNames(apply(m, 2, min), c("elapsed", "cpu"))
  list(smote = best(s), diag = best(d))
}
quiet("the default timings")
all_threads <- rounds(NULL)
one_thread <- rounds(1)
t_smote <- all_threads$smote[[1]]
t_default <- all_threads$diag[[1]]
t_smote1 <- one_thread$smote[[1]]
t_default1 <- one_thread$diag[[1]]

# The pair distances each run's metrics are defined over (the brute-force
# count; the near-duplicate scan, which prunes by projections, is left out).
# p real rows of the class, q synthetic rows judged, N synthetic rows of the
# class, n real rows of the data, m real and q_m synthetic rows of the MMD,
# `passes` scans for the median bandwidth (about 2 to 3).
evaluations <- function(p, q, n, m, q_m, passes = 2.5) {
  p <- as.numeric(p); q <- as.numeric(q); n <- as.numeric(n)
  m <- as.numeric(m); q_m <- as.numeric(q_m)
  c(real_neighbours = p * (p - 1),
    dcr = q * p,
    precision_density = q * p,
    synthetic_neighbours = q * (q - 1),
    recall = p * q,
    coverage = p * q,
    intrusion = q * n,
    mmd = (passes + 1) * m * (m - 1) / 2 + q_m * (q_m - 1) / 2 + m * q_m)
}
ev_default <- sum(evaluations(n_min, min(5000, n_syn), nrow(df), 5000, min(5000, n_syn)))

rows <- list(
  c("plain SMOTE (sg_oversample, no guard)", sprintf("%.2f", t_smote), "1.0x", "", ""),
  c("sg_diagnose, defaults (max_rows = 5000)", sprintf("%.2f", t_default),
    sprintf("%.1fx", t_default / t_smote), sprintf("%.3g", ev_default),
    sprintf("%.3g", ev_default / t_default))
)
if (!quick) {
  quiet("the exact run")
  t_exact <- bench_time(dx <- sg_diagnose(res, max_rows = Inf, seed = 1))
  ev_exact <- sum(evaluations(n_min, n_syn, nrow(df), n_min, n_syn))
  rows[[length(rows) + 1]] <- c("sg_diagnose, exact (max_rows = Inf)", sprintf("%.2f", t_exact),
                                sprintf("%.1fx", t_exact / t_smote), sprintf("%.3g", ev_exact),
                                sprintf("%.3g", ev_exact / t_exact))
}
rows[[length(rows) + 1]] <- c("plain SMOTE, 1 thread", sprintf("%.2f", t_smote1), "1.0x", "", "")
rows[[length(rows) + 1]] <- c("sg_diagnose, defaults, 1 thread", sprintf("%.2f", t_default1),
                              sprintf("%.1fx", t_default1 / t_smote1), sprintf("%.3g", ev_default),
                              sprintf("%.3g", ev_default / t_default1))
tab <- do.call(rbind, rows)
colnames(tab) <- c("task", "seconds", "vs SMOTE", "distance evaluations", "per second")
print(noquote(tab), right = FALSE)
cat(sprintf(paste0("\ndefaults: %.1fx plain SMOTE (%.1fx on one thread; %.1fx in CPU time ",
                   "on one thread; target: at most 4x)\n"),
            t_default / t_smote, t_default1 / t_smote1,
            one_thread$diag[["cpu"]] / one_thread$smote[["cpu"]]))
if (exists("load1")) cat(sprintf("load average at the end: %.2f\n", load1()))

if (!quick) {
  a <- as.data.frame(dg)
  b <- as.data.frame(dx)
  keep <- !startsWith(a$metric, "ks:") & !startsWith(a$metric, "mean_shift:") &
    !startsWith(a$metric, "sd_shift:")
  cmp <- data.frame(metric = a$metric[keep], default = signif(a$value[keep], 4),
                    se = signif(a$se[keep], 2),
                    exact = signif(b$value[match(a$metric[keep], b$metric)], 4))
  cmp$z <- round((cmp$default - cmp$exact) / ifelse(cmp$se > 0, cmp$se, NA), 2)
  cat("\ndefault estimates against the exact values (z = difference / se; recall and",
      "coverage describe the rows judged, so they have no se):\n")
  print(cmp, row.names = FALSE)
}
