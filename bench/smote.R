# Plain SMOTE to 1:1 on Gaussian data, 20,000 minority and 100,000 majority
# rows in 20 dimensions, against themis::smote(), RANN::nn2() (the
# neighbour search alone) and imbalanced-learn's SMOTE.
# Run: Rscript bench/smote.R [--quick]   (--quick skips themis, ~130 s)
# bench/run.R covers this and the other performance targets in one table.
suppressMessages(library(smoteguard))
source(file.path((function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(f[1]) else "bench"
})(), "common.R"))
quick <- "--quick" %in% commandArgs(TRUE)

n_min <- 20000; n_maj <- 100000; d <- 20
df <- gaussian_data(n_min, n_maj, d)
cat(sprintf("SMOTE to 1:1: %d minority + %d majority rows, d = %d, %d thread(s) available\n",
            n_min, n_maj, d, parallel::detectCores()))

# plain SMOTE: no guard where the package has one (the guard is the default)
plain <- function(...) {
  if ("guard" %in% names(formals(sg_oversample))) sg_oversample(df, "class", seed = 1, guard = NULL, ...)
  else sg_oversample(df, "class", seed = 1, ...)
}
ours <- bench_time(res <- plain(), reps = 3)
ours1 <- bench_time(res1 <- plain(threads = 1), reps = 2)
strip <- function(r) { attr(r, "smoteguard") <- NULL; r }
stopifnot(identical(strip(res), strip(res1)),
          identical(sg_provenance(res), sg_provenance(res1)))
x_min <- as.matrix(df[df$class == "minority", 1:d])
knn_ours <- bench_time(sg_knn(x_min, 5), reps = 3)

rows <- list(
  c("smoteguard sg_oversample (2 threads)", sprintf("%.2f", ours), "1.0x"),
  c("smoteguard sg_oversample (1 thread)", sprintf("%.2f", ours1), fmt_ratio(ours1, ours)),
  c("smoteguard sg_knn, minority only", sprintf("%.2f", knn_ours), "")
)
if (!quick && have("themis")) {
  t <- bench_time(themis::smote(df, "class", k = 5, over_ratio = 1))
  rows[[length(rows) + 1]] <- c("themis::smote", sprintf("%.2f", t), fmt_ratio(t, ours))
}
if (have("RANN")) {
  t <- bench_time(RANN::nn2(x_min, k = 6))
  rows[[length(rows) + 1]] <- c("RANN::nn2, minority only (k-NN alone)", sprintf("%.2f", t),
                                fmt_ratio(t, knn_ours))
}
# numpy's BLAS as installed (Debian: the reference BLAS), then OpenBLAS for
# python alone when libopenblas0-pthread is installed (bench/run.R also tries
# OPENBLAS_CORETYPE values)
ob <- openblas_dir()
for (env in list(character(), if (!is.na(ob)) paste0("LD_LIBRARY_PATH=", ob))) {
  if (is.null(env)) next
  py <- imblearn_time(df, "class", "smote", reps = 2, env = env)
  if (!is.na(py$time)) {
    rows[[length(rows) + 1]] <- c(sprintf("imbalanced-learn SMOTE (%s)", sub("^reference:.*", "reference BLAS", py$blas)),
                                  sprintf("%.2f", py$time), fmt_ratio(py$time, ours))
  }
}
tab <- do.call(rbind, rows)
colnames(tab) <- c("task", "seconds", "peer / smoteguard")
print(noquote(tab), right = FALSE)
