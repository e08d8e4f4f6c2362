# print(), summary() and as.data.frame() of an evaluation.

# The metrics print shows, in this order.
printed_metrics <- c("pr_auc", "roc_auc", "brier", "cal_intercept", "cal_slope",
                     "recall", "precision")

#' @export
print.sg_evaluation <- function(x, digits = 3, ...) {
  s <- x$settings
  cat(sprintf("<smoteguard evaluation> `%s`, positive class `%s`: %d rows, %d events\n",
              s$var, s$positive, s$n, s$n_events))
  cat(sprintf("  %s on %d rows; holdout %s; seed %s\n", describe_resamples(x),
              s$n - s$n_holdout,
              if (s$n_holdout > 0) sprintf("%d rows (%d events)", s$n_holdout, s$n_holdout_events)
              else "none",
              x$seed))
  if (!print_tables_verdict(x, digits, macro = FALSE)) return(invisible(x))
  if (nrow(x$failures) > 0) {
    cat(sprintf("\n%d failed cell(s), left out (see `$failures`): %s\n", nrow(x$failures),
                x$failures$message[1]))
  }
  if (!is.null(x$warnings) && nrow(x$warnings) > 0) {
    cat(sprintf("%d warning(s) from samplers and learners (see `$warnings`)\n",
                nrow(x$warnings)))
  }
  invisible(x)
}

# The threshold line, the metric tables and the verdict, for two classes
# or (`macro`) the macro average of one-vs-rest; FALSE when no cell
# succeeded.
print_tables_verdict <- function(x, digits, macro) {
  s <- x$settings
  cat(sprintf("  threshold: %s; prior correction: %s\n", describe_threshold(s$threshold),
              if (s$correct_prior) "on (rows marked corrected)" else "off"))
  if (is.null(x$metrics)) {
    cat("No cell succeeded; see `$failures`.\n")
    return(FALSE)
  }
  cat(sprintf("\n%s, mean (sd)%s:\n",
              if (macro) "Macro average over the classes, across folds" else "Across folds",
              if (s$correct_prior) ", predictions after prior correction" else ""))
  print_metric_tables(spread_table(x$metrics, s$correct_prior, digits))
  if (!is.null(x$holdout) && nrow(x$holdout) > 0) {
    cat(sprintf("\nHoldout, scored once%s:\n", if (macro) " (macro average)" else ""))
    print_metric_tables(holdout_table(x$holdout, s$correct_prior, digits))
  }
  cat(sprintf("\nVerdict%s (each sampler against `none`; Nadeau-Bengio intervals, Holm-adjusted over %d comparisons):\n",
              if (macro) " on the macro average" else "",
              if (is.null(x$verdict)) 0L else nrow(x$verdict)))
  cat(paste0(verdict_lines(x, digits), "\n"), sep = "")
  TRUE
}

describe_resamples <- function(x) {
  r <- x$settings$resamples
  if (inherits(r, "rset")) return(sprintf("an rset of %d splits", length(x$splits)))
  if (!is.null(x$settings$time)) {
    return(sprintf("%d rolling-origin splits by `%s`", length(x$splits), x$settings$time))
  }
  sprintf("%d-fold x %d repeat(s)%s%s", r$folds, r$repeats,
          if (r$strata) ", stratified" else "",
          if (!is.null(x$settings$groups)) sprintf(", whole `%s` groups", x$settings$groups) else "")
}

describe_threshold <- function(threshold) {
  if (is.null(threshold)) return("the training rows' event share")
  if (identical(threshold, "f1")) return("best inner F1 (real training rows)")
  format(threshold, digits = 4)
}

# One table per learner: a row per metric, a column per sampler; `cell`
# formats a metric's values for one sampler.
metric_columns <- function(metrics, corrected, cell) {
  m <- metrics[metrics$corrected == corrected & metrics$metric %in% printed_metrics, , drop = FALSE]
  out <- list()
  for (lrn in levels(droplevels(m$learner))) {
    ml <- m[m$learner == lrn, , drop = FALSE]
    tab <- data.frame(metric = printed_metrics)
    for (s in levels(droplevels(ml$sampler))) {
      tab[[s]] <- vapply(printed_metrics, function(metric) {
        cell(ml$value[ml$sampler == s & ml$metric == metric])
      }, character(1))
    }
    out[[lrn]] <- tab
  }
  out
}

print_metric_tables <- function(tables) {
  for (lrn in names(tables)) {
    cat(sprintf("learner `%s`:\n", lrn))
    print(tables[[lrn]], right = FALSE, row.names = FALSE)
  }
}

spread_table <- function(metrics, corrected, digits) {
  metric_columns(metrics, corrected, function(v) {
    if (length(v) == 0 || all(is.na(v))) return("NA")
    sprintf("%s (%s)", formatC(mean(v, na.rm = TRUE), digits = digits, format = "f"),
            formatC(stats::sd(v, na.rm = TRUE), digits = digits, format = "f"))
  })
}

holdout_table <- function(holdout, corrected, digits) {
  metric_columns(holdout, corrected, function(v) {
    if (length(v) == 0 || is.na(v[1])) "NA" else formatC(v[1], digits = digits, format = "f")
  })
}

metric_label <- c(pr_auc = "PR-AUC", roc_auc = "ROC-AUC", brier = "Brier",
                  cal_slope_error = "|slope - 1|")

verdict_lines <- function(x, digits) {
  d <- x$decisions
  if (is.null(d) || nrow(d) == 0) return("  no sampler to compare with `none`")
  v <- x$verdict
  fmt <- function(z) formatC(z, digits = digits, format = "f", flag = "+")
  lines <- character()
  for (i in seq_len(nrow(d))) {
    vi <- v[v$sampler == d$sampler[i] & v$learner == d$learner[i], , drop = FALSE]
    parts <- sprintf("%s %s [%s, %s]", metric_label[vi$metric], fmt(vi$mean),
                     fmt(vi$lower_holm), fmt(vi$upper_holm))
    lines <- c(lines,
               sprintf("  %s / %s: %s%s", d$learner[i], d$sampler[i], toupper_first(d$verdict[i]),
                       if (nzchar(d$detail[i])) paste0(" (", d$detail[i], ")") else ""),
               paste0("    ", paste(parts[1:2], collapse = "; ")),
               paste0("    ", paste(parts[-(1:2)], collapse = "; ")))
  }
  c(lines, "  Differences are sampler minus none; for Brier and |slope - 1| lower is better.")
}

toupper_first <- function(s) paste0(toupper(substring(s, 1, 1)), substring(s, 2))

#' @export
summary.sg_evaluation <- function(object, ...) {
  m <- object$metrics
  keys <- unique(m[c("sampler", "learner", "corrected", "metric")])
  grp <- interaction(m$sampler, m$learner, m$corrected, m$metric, drop = TRUE, lex.order = TRUE)
  kg <- interaction(keys$sampler, keys$learner, keys$corrected, keys$metric, drop = TRUE,
                    lex.order = TRUE)
  stat <- function(f) {
    s <- tapply(m$value, grp, function(v) if (all(is.na(v))) NA_real_ else f(v[!is.na(v)]))
    unname(s[as.character(kg)])
  }
  out <- data.frame(keys, mean = stat(mean), sd = stat(stats::sd), min = stat(min),
                    max = stat(max),
                    n = stat(length))
  h <- object$holdout
  if (!is.null(h) && nrow(h) > 0) {
    hk <- interaction(h$sampler, h$learner, h$corrected, h$metric, drop = TRUE, lex.order = TRUE)
    out$holdout <- h$value[match(as.character(kg), as.character(hk))]
  }
  out <- out[order(out$learner, out$sampler, out$corrected, match(out$metric, unique(m$metric))), ]
  rownames(out) <- NULL
  structure(list(table = out, decisions = object$decisions, verdict = object$verdict),
            class = "summary.sg_evaluation")
}

#' @export
print.summary.sg_evaluation <- function(x, ...) {
  cat("Metrics across folds (and on the holdout):\n")
  print(x$table, digits = 3, row.names = FALSE)
  if (!is.null(x$decisions)) {
    cat("\nDecisions:\n")
    print(x$decisions, row.names = FALSE)
  }
  invisible(x)
}

#' @export
as.data.frame.sg_evaluation <- function(x, row.names = NULL, optional = FALSE, ...,
                                        holdout = FALSE) {
  out <- x$metrics
  if (holdout && !is.null(x$holdout)) out <- rbind(out, x$holdout)
  out$sampler <- as.character(out$sampler)
  out$learner <- as.character(out$learner)
  rownames(out) <- NULL
  out
}

# An evaluation of more than two classes (one-vs-rest): the macro average
# and its verdict first, then each class's own verdict.

#' @export
print.sg_evaluation_ovr <- function(x, digits = 3, ...) {
  s <- x$settings
  cat(sprintf("<smoteguard evaluation> `%s`, %d classes, each against the rest: %d rows\n",
              s$var, length(s$classes), s$n))
  cat(sprintf("  classes (rows): %s\n",
              paste(sprintf("%s (%d)", s$classes, as.integer(s$n_events)), collapse = ", ")))
  cat(sprintf("  %s on %d rows; holdout %s; seed %s\n", describe_resamples(x),
              s$n - s$n_holdout,
              if (s$n_holdout > 0) sprintf("%d rows", s$n_holdout) else "none", x$seed))
  if (!print_tables_verdict(x, digits, macro = TRUE)) return(invisible(x))
  cat("\nEach class against the rest (its own verdict, Holm-adjusted within the class):\n")
  fmt <- function(z) formatC(z, digits = digits, format = "f", flag = "+")
  for (cls in names(x$per_class)) {
    e <- x$per_class[[cls]]
    d <- e$decisions
    if (is.null(d) || nrow(d) == 0) next
    for (i in seq_len(nrow(d))) {
      v <- e$verdict[e$verdict$sampler == d$sampler[i] & e$verdict$learner == d$learner[i] &
                       e$verdict$metric == "pr_auc", , drop = FALSE]
      cat(sprintf("  `%s` / %s / %s: %s; PR-AUC %s [%s, %s]%s\n", cls, d$learner[i],
                  d$sampler[i], d$verdict[i], fmt(v$mean), fmt(v$lower_holm),
                  fmt(v$upper_holm),
                  if (nzchar(d$detail[i])) paste0(" (", d$detail[i], ")") else ""))
    }
  }
  if (!is.null(x$failures) && nrow(x$failures) > 0) {
    cat(sprintf("\n%d failed cell(s), left out (see `$failures`): %s\n", nrow(x$failures),
                x$failures$message[1]))
  }
  invisible(x)
}

#' @export
as.data.frame.sg_evaluation_ovr <- function(x, row.names = NULL, optional = FALSE, ...,
                                            holdout = FALSE) {
  cm <- x$class_metrics
  if (!holdout) cm <- cm[cm$rep > 0, , drop = FALSE]
  macro <- x$metrics
  if (holdout && !is.null(x$holdout)) macro <- rbind(macro, x$holdout)
  out <- rbind(cm, cbind(data.frame(class = rep("(macro)", nrow(macro))), macro))
  out$sampler <- as.character(out$sampler)
  out$learner <- as.character(out$learner)
  rownames(out) <- NULL
  out
}
