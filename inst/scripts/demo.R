# smoteguard demo: oversample the shipped breast_biopsy data, explain what
# happened, check the provenance record, ask whether oversampling helps a
# model (sg_evaluate()), and write both reports (sg_report()) into a folder.
#
#   Rscript inst/scripts/demo.R [OUTDIR]      (what `make demo` runs)
#
# OUTDIR defaults to "smoteguard-demo" in the working directory. The reports
# need rmarkdown and pandoc (.ci/install-deps.sh --demo); without them the
# demo says what to install and writes no report.

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1L && nzchar(args[[1L]])) args[[1L]] else "smoteguard-demo"

suppressPackageStartupMessages(library(smoteguard))

SEED <- 2026L        # the seed of the oversampling job

rule <- function(title) {
  cat("\n", title, "\n", strrep("-", nchar(title)), "\n", sep = "")
}
fmt <- function(x, digits = 3) formatC(x, digits = digits, format = "f")

data <- breast_biopsy
var <- "diagnosis"

# ---- the job ---------------------------------------------------------------
rule("smoteguard demo")
cat(sprintf("smoteguard %s on R %s.%s\n", utils::packageVersion("smoteguard"),
            R.version$major, R.version$minor))
cat(sprintf("Data: breast_biopsy, %d biopsies x %d integer cytology scores (1-10),\n",
            nrow(data), ncol(data) - 1L))
cat(sprintf("outcome `%s`: %s.\n", var,
            paste(sprintf("%d %s", as.integer(table(data[[var]])),
                          levels(data[[var]])), collapse = ", ")))
cat("\nRunning:\n")
cat(sprintf("  res <- sg_oversample(breast_biopsy, \"%s\", seed = %d)\n", var, SEED))

wall <- system.time(res <- sg_oversample(data, var, seed = SEED))[["elapsed"]]
rec <- sg_record(res)
prov <- sg_provenance(res)
counts <- rec$counts
n_in <- rec$n_input
n_syn <- nrow(prov)

rule("What it did")
cat(sprintf(paste0(
  "SMOTE with neighbors = %d and over_ratio = %s: every class below\n",
  "round(over_ratio x largest class) = %d rows was raised to that count.\n",
  "Each synthetic row was placed on the segment from a real parent row to one\n",
  "of the parent's %d nearest rows of the same class (distances on the\n",
  "predictors standardised over all %d rows), at a uniform random gap;\n",
  "integer scores were rounded afterwards. The %d original rows come first,\n",
  "unchanged; the %d synthetic rows follow.\n"),
  rec$settings$neighbors, format(rec$settings$over_ratio), max(counts$target),
  rec$settings$neighbors, n_in, n_in, n_syn))

rule("Class counts (from sg_record())")
print(counts[, c("class", "before", "target", "after", "added")], row.names = FALSE)

rule("Time")
tm <- rec$timings
cat(sprintf("wall clock around the call: %s s\n", fmt(wall)))
cat(sprintf("recorded: total %s s = checks %s + generate (k-NN + draws) %s + assemble %s\n",
            fmt(tm[["total"]]), fmt(tm[["checks"]]), fmt(tm[["generate"]]),
            fmt(tm[["assemble"]])))

# ---- provenance ------------------------------------------------------------
rule("Provenance (from sg_provenance())")
uses <- table(prov$parent)
minority <- counts$class[counts$added > 0]
n_minority <- sum(counts$before[counts$added > 0])
cat(sprintf("synthetic rows:          %d (class %s)\n", n_syn,
            paste(as.character(minority), collapse = ", ")))
cat(sprintf("distinct parents used:   %d of %d real rows in the oversampled class(es)\n",
            length(uses), n_minority))
cat(sprintf("uses per parent:         min %d, max %d\n", min(uses), max(uses)))
cat(sprintf("copies (no neighbour):   %d\n", sum(is.na(prov$neighbor))))
g <- stats::quantile(prov$gap, c(0, 0.25, 0.5, 0.75, 1), na.rm = TRUE)
cat(sprintf("gap:                     min %s, q1 %s, median %s, mean %s, q3 %s, max %s\n",
            fmt(g[[1]]), fmt(g[[2]]), fmt(g[[3]]), fmt(mean(prov$gap, na.rm = TRUE)),
            fmt(g[[4]]), fmt(g[[5]])))

# Every synthetic row must equal parent + gap * (neighbour - parent), column by
# column. Integer columns were rounded after interpolation, so the rounded
# reconstruction must match exactly, and the raw one within 0.5.
preds <- rec$predictors
gap0 <- ifelse(is.na(prov$gap), 0, prov$gap)     # a copy sits at its parent
nb <- ifelse(is.na(prov$neighbor), prov$parent, prov$neighbor)
dev_rounded <- dev_raw <- 0
for (j in preds) {
  x <- as.double(data[[j]])
  recon <- x[prov$parent] + gap0 * (x[nb] - x[prov$parent])
  got <- as.double(res[[j]][prov$row])
  if (is.integer(data[[j]])) {
    dev_rounded <- max(dev_rounded, abs(got - round(recon)))
  } else {
    dev_rounded <- max(dev_rounded, abs(got - recon))
  }
  dev_raw <- max(dev_raw, abs(got - recon))
}
on_segment <- dev_rounded < 1e-8
cat(sprintf(paste0(
  "on its segment:          max |value - round(parent + gap * (neighbour - parent))|\n",
  "                         = %s over %d rows x %d columns -> %s\n",
  "                         (before rounding the largest difference is %s <= 0.5)\n"),
  format(signif(dev_rounded, 3)), n_syn, length(preds),
  if (on_segment) "OK" else "MISMATCH", fmt(dev_raw)))

# The neighbour must be one of the parent's k nearest rows of its class, on
# the standardised predictors (a constant column has weight 0: dropped).
keep <- rec$scale > 0
z_all <- sweep(sweep(as.matrix(data[preds]), 2, rec$center), 2, rec$scale, "/")
z_all <- z_all[, keep, drop = FALSE]
nb_ok <- logical(0)
for (cl in as.character(minority)) {
  rows <- which(data[[var]] == cl)
  k <- rec$seeds$neighbors_used[rec$seeds$class == cl]
  p <- prov[prov$class == cl & !is.na(prov$neighbor), ]
  if (nrow(p) == 0 || is.na(k)) next
  nn <- sg_knn(z_all[rows, , drop = FALSE], k = k)$index
  pos <- match(p$parent, rows)
  nb_ok <- c(nb_ok, vapply(seq_len(nrow(p)), function(i) {
    p$neighbor[i] %in% rows[nn[pos[i], ]]
  }, logical(1)))
}
cat(sprintf("neighbour among the parent's %d nearest (checked with sg_knn()): %d of %d\n",
            rec$settings$neighbors, sum(nb_ok), length(nb_ok)))
originals_ok <- all(vapply(names(data), function(v) {
  identical(res[[v]][seq_len(n_in)], data[[v]])
}, logical(1)))
cat(sprintf("original rows unchanged:  %s\n", if (originals_ok) "yes" else "NO"))

# Integer scores plus rounding: some synthetic rows repeat a real row exactly.
key <- function(d) do.call(paste, c(unname(as.list(d[preds])), sep = "\r"))
syn_key <- key(res[prov$row, , drop = FALSE])
real_key <- key(data)
same_class <- vapply(seq_len(n_syn), function(i) {
  syn_key[i] %in% real_key[data[[var]] == prov$class[i]]
}, logical(1))
other_class <- syn_key %in% real_key & !same_class
cat(sprintf(paste0(
  "after rounding:          %d synthetic rows repeat a real row of their own class,\n",
  "                         %d repeat a real row of another class\n"),
  sum(same_class), sum(other_class)))


# ---- what the guard did, and a diagnosis of the synthetic rows -------------
rule("Guard")
guard <- sg_guard_report(res)
print(guard[, c("class", "seeds", "parents_used", "unsafe", "noise", "pairs_gap",
                "drawn", "rejected_intrusion", "rejected_bound", "made", "shortfall")],
      row.names = FALSE)

rule("Diagnosis of the synthetic rows")
print(sg_diagnose(res))

# ---- does oversampling help a model? ---------------------------------------
rule("Does oversampling help? (sg_evaluate())")
cat("Running:\n")
cat(sprintf(paste0("  ev <- sg_evaluate(breast_biopsy, \"%s\",\n",
                   "                   resamples = sg_folds(folds = 3, repeats = 1),\n",
                   "                   holdout = 0, seed = %d)\n"), var, SEED))
ev <- sg_evaluate(data, var, resamples = sg_folds(folds = 3, repeats = 1), holdout = 0,
                  seed = SEED)
cat("\nVerdict (each sampler against no resampling):\n")
for (i in seq_len(nrow(ev$decisions))) {
  d <- ev$decisions[i, ]
  cat(sprintf("  %s with %s: %s%s\n", d$sampler, d$learner, d$verdict,
              if (nzchar(d$detail)) paste0(" (", d$detail, ")") else ""))
}

# ---- reports ---------------------------------------------------------------
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
if (!dir.exists(out_dir)) stop("cannot create the folder ", out_dir, call. = FALSE)
rule("Reports (sg_report())")
files <- c(result = file.path(out_dir, "oversampling.html"),
           evaluation = file.path(out_dir, "evaluation.html"))
made <- tryCatch({
  sg_report(res, files[["result"]], overwrite = TRUE)
  sg_report(ev, files[["evaluation"]], overwrite = TRUE)
  TRUE
}, smoteguard_error_pandoc = function(e) {
  cat(conditionMessage(e), "\n")
  FALSE
}, smoteguard_error_missing_package = function(e) {
  cat(conditionMessage(e), "\n")
  FALSE
})
if (made) {
  cat("oversampling.html  what sg_oversample() made: counts, guard, fidelity, diagnosis\n")
  cat("evaluation.html    does oversampling help? per 1,000 patients, curves, methods\n")
  cat("\nThe demo wrote its reports to:\n")
  cat(normalizePath(out_dir), "\n", sep = "")
}

if (!on_segment || !originals_ok || !all(nb_ok)) {
  cat("\nA provenance check FAILED (see above): the result does not match its record.\n")
  quit(status = 1)
}
