# Issue 19's methods against imbalanced-learn (not part of the package).
#
#   R_LIBS=<lib> Rscript bench/methods.R [--only=svm_smote,cnn,...] [--timeout=600]
#                                        [--reps=3] [--markdown=FILE]
#
# Data: bench/common.R's Gaussian classes, 20,000 minority + 100,000 majority
# rows, d = 20 (the performance issues' benchmark). Each method runs in a
# fresh Rscript (its first call; then up to --reps - 1 more calls while they
# take under 10 s; median) and imbalanced-learn's counterpart runs from
# Debian's /usr/bin/python3 (bench/imblearn_methods.py, the same rule), each
# under `timeout` (--timeout seconds: a peer still running then is "> 600 s").
# SVM-SMOTE: the SVM fit is timed on both sides (smoteguard's
# svm_support_rows(), traced at run time; imbalanced-learn's SVC.fit()) and the
# ratio is of the rest. Ratio: peer / smoteguard (above 1: smoteguard faster);
# target >= 2x. The 1-minute load average is read before each side.

args <- commandArgs(TRUE)
opt <- function(name, default = NULL) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit)) sub(paste0("^--", name, "="), "", hit[1]) else default
}
if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
self <- normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1]))
source(file.path(dirname(self), "common.R"))
fmt_s <- function(x) {
  vapply(x, function(v) if (is.na(v)) "-" else if (v < 0.1) sprintf("%.4f", v)
         else if (v < 100) sprintf("%.2f", v) else sprintf("%.0f", v), "")
}
n_min <- as.integer(opt("min", "20000"))
n_maj <- as.integer(opt("maj", "100000"))
d <- 20L

calls <- list(
  svm_smote = quote(sg_oversample(df, "class", method = "svm_smote", guard = NULL, seed = 1)),
  kmeans_smote = quote(sg_oversample(df, "class", method = "kmeans_smote", guard = NULL, seed = 1)),
  cnn = quote(sg_clean(df, "class", method = "cnn")),
  oss = quote(sg_clean(df, "class", method = "oss")),
  ncl = quote(sg_clean(df, "class", method = "ncl")),
  renn = quote(sg_clean(df, "class", method = "renn")),
  allknn = quote(sg_clean(df, "class", method = "allknn")),
  cluster_centroids = quote(sg_undersample(df, "class", method = "cluster_centroids", seed = 1)),
  instance_hardness = quote(sg_undersample(df, "class", method = "instance_hardness", seed = 1)))
peer_name <- c(svm_smote = "SVMSMOTE (SVC rbf, C = 1, gamma 'scale')",
               kmeans_smote = "KMeansSMOTE (MiniBatchKMeans, 8 clusters)",
               cnn = "CondensedNearestNeighbour", oss = "OneSidedSelection",
               ncl = "NeighbourhoodCleaningRule", renn = "RepeatedEditedNearestNeighbours",
               allknn = "AllKNN", cluster_centroids = "ClusterCentroids (hard, MiniBatchKMeans)",
               instance_hardness = "InstanceHardnessThreshold (LogisticRegression, cv = 5)")

# ---- the child: one of our calls ---------------------------------------------
child <- opt("child")
if (!is.null(child)) {
  suppressMessages(library(smoteguard))
  df <- gaussian_data(n_min, n_maj, d)
  svm <- numeric()
  if (child == "svm_smote") {
    assign("bench_svm", function(t) svm <<- c(svm, t), envir = globalenv())
    suppressMessages(trace("svm_support_rows", where = asNamespace("smoteguard"), print = FALSE,
          tracer = quote(.bench_t0 <- proc.time()[["elapsed"]]),
          exit = quote(bench_svm(proc.time()[["elapsed"]] - .bench_t0))))
  }
  reps <- as.integer(opt("reps", "3"))
  times <- cpus <- numeric()
  cpu <- function() sum(proc.time()[c("user.self", "sys.self")])
  for (i in seq_len(reps)) {
    c0 <- cpu(); t0 <- proc.time()[["elapsed"]]
    res <- suppressWarnings(eval(calls[[child]]))
    times <- c(times, proc.time()[["elapsed"]] - t0)
    cpus <- c(cpus, cpu() - c0)  # CPU seconds, all threads (load-robust)
    if (times[length(times)] >= 10) break
  }
  cat(sprintf("result first=%.4f median=%.4f svm=%.4f rows=%d calls=%d cpu=%.4f\n", times[1], median(times),
              if (length(svm)) median(svm) else NA_real_, nrow(res), length(times), median(cpus)))
  quit(save = "no")
}

# ---- the parent ------------------------------------------------------------------
timeout <- as.integer(opt("timeout", "600"))
reps <- opt("reps", "3")
only <- opt("only")
methods <- if (is.null(only)) names(calls) else strsplit(only, ",")[[1]]
md_file <- opt("markdown")
parse_line <- function(out, prefix) {
  line <- utils::tail(grep(paste0("^", prefix, " "), out, value = TRUE), 1)
  if (!length(line)) return(NULL)
  parts <- strsplit(line, " ")[[1]][-1]
  vals <- sub("^[a-z_]+=", "", parts)
  names(vals) <- sub("=.*$", "", parts)
  as.list(vals)
}
# The child's output, exit status (124: timed out), wall seconds and CPU
# seconds (of the whole process tree, from the waited-for children's rusage:
# counted even when `timeout` ended it)
run_timed <- function(cmd, argv, env = character()) {
  p0 <- proc.time()
  out <- suppressWarnings(system2("env", c(env, "timeout", timeout, cmd, argv), stdout = TRUE,
                                  stderr = FALSE))
  p1 <- proc.time()
  list(out = out, status = attr(out, "status") %||% 0L, wall = p1[["elapsed"]] - p0[["elapsed"]],
       cpu = sum(p1[c("user.child", "sys.child")]) - sum(p0[c("user.child", "sys.child")]))
}
`%||%` <- function(a, b) if (is.null(a)) b else a

df <- gaussian_data(n_min, n_maj, d)
xf <- tempfile(fileext = ".bin"); yf <- tempfile(fileext = ".bin")
writeBin(as.double(as.matrix(df[seq_len(d)])), xf)
writeBin(as.integer(df$class) - 1L, yf, size = 4)  # 0, 1: imblearn indexes by label
py <- "/usr/bin/python3"
blas_env <- { od <- openblas_dir(); if (is.na(od)) character() else paste0("LD_LIBRARY_PATH=", od) }
rscript <- file.path(R.home("bin"), "Rscript")
started <- Sys.time()
rows <- list()
for (m in methods) {
  l_ours <- load1()
  message(sprintf("%s: smoteguard (load %.2f)", m, l_ours))
  ours <- run_timed(rscript, c("--no-init-file", shQuote(self), paste0("--child=", m),
                               paste0("--reps=", reps), paste0("--min=", n_min), paste0("--maj=", n_maj)))
  o <- parse_line(ours$out, "result")
  l_peer <- load1()
  message(sprintf("%s: imbalanced-learn (load %.2f)", m, l_peer))
  peer <- run_timed(py, c(shQuote(file.path(dirname(self), "imblearn_methods.py")), xf, yf,
                          nrow(df), d, m, reps), env = blas_env)
  p <- parse_line(peer$out, m)
  num <- function(v) if (is.null(v)) NA_real_ else as.numeric(v)
  ours_t <- if (is.null(o)) NA_real_ else num(o$median)
  ours_svm <- if (is.null(o)) NA_real_ else num(o$svm)
  peer_t <- if (is.null(p)) NA_real_ else num(p$median)
  peer_svm <- if (is.null(p)) NA_real_ else num(p$svm)
  svm <- m == "svm_smote"
  ours_rest <- if (svm) ours_t - ours_svm else ours_t
  peer_rest <- if (svm) peer_t - peer_svm else peer_t
  peer_txt <- if (is.null(p) && peer$status == 124) sprintf("> %d s", timeout)
              else if (is.null(p)) "failed" else fmt_s(peer_rest)
  ours_txt <- if (is.null(o) && ours$status == 124) sprintf("> %d s", timeout)
              else if (is.null(o)) "failed" else fmt_s(ours_rest)
  ratio <- if (!is.na(peer_rest) && !is.na(ours_rest)) peer_rest / ours_rest
           else if (is.null(p) && peer$status == 124 && !is.na(ours_rest)) timeout / ours_rest
           else NA_real_
  ratio_txt <- if (is.na(ratio)) "-" else sprintf("%s%.1fx", if (is.null(p)) "> " else "", ratio)
  note <- c(
    if (svm) sprintf("SVM fit (not in the ratio): ours %s s, imblearn %s s; whole call: ours %s s, imblearn %s s",
                     fmt_s(ours_svm), fmt_s(peer_svm), fmt_s(ours_t), fmt_s(peer_t)),
    if (!is.null(o)) sprintf("ours: %s call(s), first %s s, %s rows out%s", o$calls, fmt_s(num(o$first)), o$rows,
                             if (is.null(o$cpu)) "" else sprintf(", CPU %s s", fmt_s(num(o$cpu)))),
    if (!is.null(p)) sprintf("imblearn %s: %s call(s), first %s s, %s rows out%s", p$version, p$calls,
                             fmt_s(num(p$first)), p$rows,
                             if (is.null(p$cpu)) "" else sprintf(", CPU %s s", fmt_s(num(p$cpu)))),
    if (is.null(p) && peer$status != 124) sprintf("imblearn failed (status %s)", peer$status),
    sprintf("process CPU (data, import and every call): ours %s s, imblearn %s s",
            fmt_s(ours$cpu), fmt_s(peer$cpu)))
  rows[[length(rows) + 1]] <- data.frame(
    method = m, "smoteguard s" = ours_txt, peer = peer_name[[m]], "peer s" = peer_txt,
    "peer/ours" = ratio_txt, goal = ">= 2x",
    met = if (is.na(ratio)) "-" else if (ratio >= 2) "yes" else "NO",
    "load (ours, peer)" = sprintf("%.2f, %.2f", l_ours, l_peer), note = paste(note, collapse = "; "),
    check.names = FALSE)
  print(rows[[length(rows)]], row.names = FALSE)
}
unlink(c(xf, yf))
tab <- do.call(rbind, rows)
header <- sprintf("smoteguard %s (%s), R %s; %s; %d min + %d maj rows, d = %d; run %s, %.0f min; %s",
                  utils::packageVersion("smoteguard"), find.package("smoteguard"), getRversion(),
                  machine_peak()$model, n_min, n_maj, d, format(started, "%Y-%m-%d %H:%M UTC"),
                  as.numeric(difftime(Sys.time(), started, units = "mins")),
                  if (length(blas_env)) "numpy on OpenBLAS (as detected)" else "numpy on its default BLAS")
cat(header, "\n")
print(tab, row.names = FALSE, right = FALSE)
if (!is.null(md_file)) {
  md <- c(paste0("- ", header), "", paste0("| ", paste(names(tab), collapse = " | "), " |"),
          paste0("|", paste(rep("---", ncol(tab)), collapse = "|"), "|"),
          apply(tab, 1, function(r) paste0("| ", paste(r, collapse = " | "), " |")))
  writeLines(md, md_file)
}
