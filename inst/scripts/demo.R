# smoteguard demo: oversample the shipped breast_biopsy data, explain what
# happened, check the provenance record, and write two plots and a short
# report into a folder.
#
#   Rscript inst/scripts/demo.R [OUTDIR]      (what `make demo` runs)
#
# OUTDIR defaults to "smoteguard-demo" in the working directory. Only base R
# (graphics, grDevices, stats, utils) is used besides smoteguard itself.

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1L && nzchar(args[[1L]])) args[[1L]] else "smoteguard-demo"

suppressPackageStartupMessages(library(smoteguard))

SEED <- 2026L        # the seed of the oversampling job
JITTER_SEED <- 1L    # a separate stream for the plot jitter only
JITTER <- 0.12       # half-width of the plot jitter, in principal-component units

rule <- function(title) {
  cat("\n", title, "\n", strrep("-", nchar(title)), "\n", sep = "")
}
fmt <- function(x, digits = 3) formatC(x, digits = digits, format = "f")

# A PNG device that works without X11: cairo where R has it, Quartz on macOS,
# the platform default otherwise (Windows, or X11 when there is a display).
open_png <- function(file, width = 1800, height = 1500, res = 200) {
  types <- character(0)
  if (.Platform$OS.type == "windows") types <- "default"
  if (isTRUE(capabilities("cairo"))) types <- c(types, "cairo")
  if (Sys.info()[["sysname"]] == "Darwin") types <- c(types, "quartz")
  if (isTRUE(capabilities("X11"))) types <- c(types, "default")
  for (type in unique(types)) {
    ok <- tryCatch({
      if (type == "default") {
        grDevices::png(file, width = width, height = height, res = res)
      } else {
        grDevices::png(file, width = width, height = height, res = res, type = type)
      }
      TRUE
    }, error = function(e) FALSE)
    if (ok) return(invisible(type))
  }
  stop("No PNG device is available: this R has neither cairo nor X11 ",
       "(check `capabilities()`); install an R built with cairo support.",
       call. = FALSE)
}

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

# ---- plots -----------------------------------------------------------------
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
if (!dir.exists(out_dir)) stop("cannot create the folder ", out_dir, call. = FALSE)

# PCA of the real rows, standardised with the record's centre and scale (the
# scale the k-NN search used). The record's centre is the mean of the real
# rows, so prcomp() needs no further centring.
real_z <- z_all
syn_z <- sweep(sweep(as.matrix(res[prov$row, preds]), 2, rec$center), 2, rec$scale, "/")
syn_z <- syn_z[, keep, drop = FALSE]
pca <- stats::prcomp(real_z, center = FALSE, scale. = FALSE)
share <- 100 * pca$sdev^2 / sum(pca$sdev^2)
real_pc <- pca$x[, 1:2]
syn_pc <- (syn_z %*% pca$rotation)[, 1:2, drop = FALSE]

# The scores are integers: many rows share a point. A small uniform jitter on
# the plotted positions only (not on the data or the PCA) shows how many.
set.seed(JITTER_SEED)
jit <- function(m) m + stats::runif(length(m), -JITTER, JITTER)
real_pc_j <- jit(real_pc)
syn_pc_j <- jit(syn_pc)

y_real <- data[[var]]
lv <- levels(y_real)
okabe_ito <- c("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
class_col <- stats::setNames(okabe_ito[(seq_along(lv) - 1L) %% length(okabe_ito) + 1L], lv)
class_pch <- stats::setNames(rep(c(1, 0, 5, 2, 6), length.out = length(lv)), lv)
syn_col <- "grey15"

pca_file <- file.path(out_dir, "pca.png")
device <- open_png(pca_file, width = 1800, height = 1500, res = 200)
op <- par(mar = c(5.5, 4.5, 4.5, 1))
plot(rbind(real_pc_j, syn_pc_j), type = "n",
     xlab = sprintf("PC1 (%.1f%% of variance)", share[1]),
     ylab = sprintf("PC2 (%.1f%% of variance)", share[2]),
     main = "breast_biopsy: real rows and SMOTE rows on the first two PCs")
mtext(sprintf(paste("PCA of the %d real rows on standardised scores;",
                    "points jittered by up to \u00b1%.2f PC units to show ties"),
              n_in, JITTER), side = 3, line = 0.4, cex = 0.8)
for (cl in lv) {
  i <- y_real == cl
  points(real_pc_j[i, , drop = FALSE], pch = class_pch[[cl]], cex = 0.8,
         col = grDevices::adjustcolor(class_col[[cl]], alpha.f = 0.7))
}
points(syn_pc_j, pch = 17, cex = 0.7, col = grDevices::adjustcolor(syn_col, alpha.f = 0.75))
legend("topright", bty = "n", cex = 0.9,
       legend = c(sprintf("%s, real (%d)", lv, as.integer(table(y_real))),
                  sprintf("synthetic %s (%d)",
                          paste(as.character(minority), collapse = "/"), n_syn)),
       pch = c(class_pch[lv], 17), col = c(class_col[lv], syn_col), pt.cex = 1)
mtext(sprintf("sg_oversample(breast_biopsy, \"%s\", seed = %d); smoteguard %s",
              var, SEED, rec$version), side = 1, line = 4, adj = 1, cex = 0.7, col = "grey30")
par(op)
invisible(dev.off())

counts_file <- file.path(out_dir, "counts.png")
open_png(counts_file, width = 1600, height = 1200, res = 200)
op <- par(mar = c(4.5, 4.5, 4, 1))
m <- rbind(before = counts$before, after = counts$after)
colnames(m) <- as.character(counts$class)
top <- max(m) * 1.25
fill <- c(before = "grey70", real = "#0072B2", synthetic = syn_col)
bp <- barplot(m, beside = TRUE, col = fill[c("before", "real")], border = NA,
              ylim = c(0, top), ylab = "rows", xlab = "class",
              main = "Rows per class before and after oversampling")
# The synthetic part of each "after" bar, drawn over it.
half <- 0.5  # barplot() bars are 1 unit wide
rect(bp[2, ] - half, counts$before, bp[2, ] + half, counts$after,
     col = fill[["synthetic"]], border = NA)
text(bp, m + top * 0.03, labels = m, cex = 0.9)
added <- counts$added
text(bp[2, ], counts$before + added / 2,
     labels = ifelse(added > 0, sprintf("+%d", added), ""), col = "white", cex = 0.9)
legend("top", horiz = TRUE, bty = "n", fill = fill, border = NA, cex = 0.9,
       legend = c("before", "after: real rows", "after: synthetic rows"))
par(op)
invisible(dev.off())

# ---- what the guard did, and a diagnosis of the synthetic rows -------------
rule("Guard")
guard <- sg_guard_report(res)
print(guard[, c("class", "seeds", "parents_used", "unsafe", "noise", "pairs_gap",
                "drawn", "rejected_intrusion", "rejected_bound", "made", "shortfall")],
      row.names = FALSE)

rule("Diagnosis of the synthetic rows")
diag_time <- system.time(diagnosis <- sg_diagnose(res))[["elapsed"]]
print(diagnosis)
diag_file <- file.path(out_dir, "diagnosis.png")
open_png(diag_file, width = 2000, height = 1500, res = 200)
plot(diagnosis)
invisible(dev.off())
diag_table <- as.data.frame(diagnosis)

# ---- report ----------------------------------------------------------------
md_table <- function(df) {
  cells <- vapply(df, function(col) format(col), character(nrow(df)))
  if (is.null(dim(cells))) cells <- matrix(cells, nrow = 1)
  c(paste0("| ", paste(names(df), collapse = " | "), " |"),
    paste0("|", paste(rep("---:", ncol(df)), collapse = "|"), "|"),
    apply(cells, 1, function(r) paste0("| ", paste(r, collapse = " | "), " |")))
}

report <- c(
  "# smoteguard demo",
  "",
  sprintf("smoteguard %s, R %s, %s. Generated by `inst/scripts/demo.R` (`make demo`).",
          rec$version, rec$r_version, rec$created),
  "",
  "## Settings",
  "",
  sprintf("```r\nres <- sg_oversample(breast_biopsy, \"%s\", seed = %d)\n```", var, SEED),
  "",
  sprintf("- data: `breast_biopsy`, %d rows, %d integer predictors, outcome `%s`",
          n_in, length(preds), var),
  sprintf("- method: `%s`, neighbors = %d, over_ratio = %s, seed = %d (RNG: %s)",
          rec$settings$method, rec$settings$neighbors, format(rec$settings$over_ratio),
          rec$seed, paste(rec$rng_kind, collapse = " / ")),
  sprintf("- threads: %s", if (is.na(rec$settings$threads)) "default (option `smoteguard.threads` unset)"
          else rec$settings$threads),
  "",
  "## Class counts",
  "",
  md_table(counts[, c("class", "before", "target", "after", "added")]),
  "",
  "## Timings (seconds)",
  "",
  sprintf("| checks | generate | assemble | total | wall clock |"),
  "|---:|---:|---:|---:|---:|",
  sprintf("| %s | %s | %s | %s | %s |", fmt(tm[["checks"]]), fmt(tm[["generate"]]),
          fmt(tm[["assemble"]]), fmt(tm[["total"]]), fmt(wall)),
  "",
  "## Provenance",
  "",
  sprintf("- %d synthetic rows from %d distinct parents (of %d); uses per parent %d to %d",
          n_syn, length(uses), n_minority, min(uses), max(uses)),
  sprintf("- gap: min %s, median %s, mean %s, max %s", fmt(g[[1]]), fmt(g[[3]]),
          fmt(mean(prov$gap, na.rm = TRUE)), fmt(g[[5]])),
  sprintf(paste("- every synthetic row on its parent-neighbour segment (integer columns",
                "compared after rounding the reconstruction): max deviation %s, %s"),
          format(signif(dev_rounded, 3)), if (on_segment) "OK" else "MISMATCH"),
  sprintf("- neighbour among the parent's %d nearest same-class rows: %d of %d",
          rec$settings$neighbors, sum(nb_ok), length(nb_ok)),
  sprintf("- original rows unchanged: %s", if (originals_ok) "yes" else "no"),
  sprintf(paste("- after rounding, %d synthetic rows repeat a real row of their class",
                "and %d a real row of another class"), sum(same_class), sum(other_class)),
  "",
  "## Guard",
  "",
  md_table(guard[, c("class", "seeds", "unsafe", "noise", "pairs_gap", "drawn",
                     "rejected_intrusion", "rejected_bound", "made", "shortfall")]),
  "",
  sprintf("## Diagnosis (`sg_diagnose(res)`, %s s)", fmt(diag_time)),
  "",
  md_table(data.frame(class = diag_table$class, metric = diag_table$metric,
                      value = signif(diag_table$value, 3), reading = diag_table$reading)),
  "",
  "![Diagnosis](diagnosis.png)",
  "",
  "## Plots",
  "",
  "![Rows per class before and after](counts.png)",
  "",
  sprintf(paste("![First two principal components](pca.png)\n\nPCA of the real rows",
                "(standardised with the record's centre and scale; PC1 %.1f%%, PC2 %.1f%% of",
                "the variance), synthetic rows projected onto it. Plotted points are jittered",
                "by up to \u00b1%.2f units (seed %d) because the scores are integers and",
                "many rows coincide; the data and the PCA are not jittered."),
          share[1], share[2], JITTER, JITTER_SEED),
  ""
)
report_file <- file.path(out_dir, "report.md")
writeLines(enc2utf8(report), report_file, useBytes = TRUE)

rule("Files")
cat(sprintf("pca.png     first two principal components (device: %s)\n", device))
cat("counts.png  rows per class before and after\n")
cat("diagnosis.png  real against synthetic rows, and the diagnosis's metrics\n")
cat("report.md   settings, counts, timings, provenance checks\n")
cat("\nThe demo wrote its files to:\n")
cat(normalizePath(out_dir), "\n", sep = "")

if (!on_segment || !originals_ok || !all(nb_ok)) {
  cat("\nA provenance check FAILED (see above): the result does not match its record.\n")
  quit(status = 1)
}
