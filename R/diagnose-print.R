#' @include diagnose.R
NULL

# sg_diagnose()'s printing and accessors: as.data.frame(), summary(), print().
# The computing is in diagnose.R (with the flags' rules), the plots in
# diagnose-plot.R.

#' @rdname sg_diagnose
#' @param row.names,optional Ignored (for the generic).
#' @export
as.data.frame.sg_diagnosis <- function(x, row.names = NULL, optional = FALSE, ...) {
  x$table
}

#' @rdname sg_diagnose
#' @param object An `sg_diagnosis`.
#' @export
summary.sg_diagnosis <- function(object, ...) {
  object$table
}

# The rows print() shows, with their labels.
print_metrics <- c(
  dcr_median = "DCR, median", dcr_close = "  nearer than real q05",
  nndr_median = "NNDR, median", duplicate_real = "duplicates of real rows",
  near_duplicate_real = "  near duplicates", duplicate_synthetic = "duplicates among synthetic",
  near_duplicate_synthetic = "  near duplicates", precision = "precision",
  recall = "recall", density = "density", coverage = "coverage",
  intrusion = "majority intrusion", parent_concentration = "parent concentration",
  mmd2 = "MMD^2", ks = "KS, largest", mean_shift = "mean shift, largest",
  sd_shift = "sd shift, largest", tvd = "TVD, largest",
  cor_frobenius = "correlation difference",
  constraint_violations = "constraint violations"
)

#' @rdname sg_diagnose
#' @param digits Significant digits printed.
#' @export
print.sg_diagnosis <- function(x, digits = 3, ...) {
  tab <- x$table
  tab$flag <- diagnosis_flags(tab, length(x$numeric))
  cnt <- x$counts[x$counts$synthetic > 0, , drop = FALSE]
  cat(sprintf("<smoteguard diagnosis> %s; k = %d, max_rows = %s\n",
              if (identical(x$source, "result"))
                sprintf("result of %s on `%s`", x$method, x$var)
              else sprintf("data frames, outcome `%s`", x$var),
              x$k, format(x$max_rows)))
  if (nrow(cnt) == 0) {
    cat("no synthetic rows to judge\n")
    return(invisible(x))
  }
  base <- sub(":.*$", "", tab$metric)
  feature <- ifelse(grepl(":", tab$metric), sub("^[^:]*:", "", tab$metric), NA)
  cells <- function(i) {
    if (length(i) == 0 || is.na(tab$value[i])) return("-")
    v <- tab$value[i]
    if (abs(v) < 1e-10) v <- 0  # rounding noise (as.data.frame() keeps it)
    s <- if (v != 0 && abs(v) < 1e-3) formatC(v, digits = 2, format = "g")
         else sub("\\.$", "", trimws(formatC(v, digits = digits, format = "fg", flag = "#")))
    if (!is.na(tab$se[i])) s <- sprintf("%s (%s)", s, trimws(formatC(tab$se[i], digits = 1, format = "fg")))
    if (!is.na(tab$flag[i])) s <- paste0(s, " !")
    s
  }
  subset <- any(cnt$judged < cnt$synthetic)
  lines <- list(c("synthetic / real rows", sprintf("%d / %d", cnt$synthetic, cnt$real)),
                c("synthetic rows judged", sprintf("%d", cnt$judged)))
  for (m in names(print_metrics)) {
    if (!m %in% base) next
    per_feature <- m %in% c("ks", "mean_shift", "sd_shift", "tvd")
    vals <- character(nrow(cnt))
    feats <- character(nrow(cnt))
    for (j in seq_len(nrow(cnt))) {
      i <- which(base == m & tab$class == cnt$class[j])
      if (per_feature && length(i) > 0) {
        i <- i[which.max(abs(replace(tab$value[i], is.na(tab$value[i]), -Inf)))]
        feats[j] <- feature[i]
      }
      vals[j] <- cells(i)
    }
    label <- print_metrics[[m]]
    if (subset && m %in% c("recall", "coverage")) label <- paste0(label, " *")
    lines[[length(lines) + 1]] <- c(label, vals)
    if (per_feature) lines[[length(lines) + 1]] <- c("  in feature", feats)
  }
  mat <- do.call(rbind, lines)
  mat <- rbind(c("", cnt$class), mat)
  widths <- apply(nchar(mat), 2, max)
  body <- vapply(seq_len(ncol(mat))[-1], function(j) formatC(mat[, j], width = widths[j]),
                 character(nrow(mat)))
  body <- matrix(body, nrow = nrow(mat))
  cat(paste0(formatC(mat[, 1], width = -widths[1]), "  ",
             apply(body, 1, paste, collapse = "  ")), sep = "\n")
  flagged <- which(!is.na(tab$flag))
  if (length(flagged) > 0) {
    cat("! suggests trouble (a rule of thumb, see ?sg_diagnose):\n")
    shown <- utils::head(flagged, 8)
    cat(sprintf("  %s: %s = %s, %s\n", tab$class[shown], tab$metric[shown],
                trimws(formatC(tab$value[shown], digits = digits, format = "fg")),
                tab$flag[shown]), sep = "")
    if (length(flagged) > 8) cat(sprintf("  ... and %d more: see as.data.frame()\n", length(flagged) - 8))
  }
  if (subset) cat("* of the synthetic rows judged: lower than on all of them (see ?sg_diagnose)\n")
  cat("se in parentheses where estimated on a subset; every metric: as.data.frame(x)\n")
  invisible(x)
}
