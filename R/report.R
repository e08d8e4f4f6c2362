#' A report for people: one self-contained HTML file
#'
#' `sg_report()` writes what an object knows as a web page for readers who
#' will not run R (clinicians, reviewers, managers): an evaluation
#' ([sg_evaluate()]), a result of [sg_oversample()] (with its diagnosis,
#' [sg_diagnose()]), a drift check ([sg_drift()]), monitoring checks
#' ([sg_monitor()]) or a ledger
#' ([sg_ledger_read()], its history). The page is rendered by rmarkdown and
#' pandoc from the template in `system.file("report", package =
#' "smoteguard")` into one HTML file: images are embedded, and nothing is
#' loaded from the network (no fonts, scripts or styles from elsewhere).
#'
#' @section An evaluation:
#' The first screen says, in words, the question, the data in one line, the
#' verdict of [sg_evaluate()] for each sampler and learner ("no evidence of
#' benefit" unless a sampler helped), how much the sampler raised the
#' predicted risks on average and what the prior correction did. Then, per
#' 1,000 patients like the evaluated ones, the events caught, the events
#' missed and the false alarms with and without each sampler, at the same
#' prior-corrected risk threshold for every model and again at matched
#' sensitivity (so that a moved threshold never looks like a better
#' model); precision-recall, calibration and decision curves; the spread
#' over the folds; the subgroup table (when there is one); the guard's and
#' the fidelity check's reports of the samplers' calls; the error analysis
#' (counts and feature summaries; the patients' rows only with
#' `include_rows = TRUE`); and a methods section to quote (how class
#' imbalance was handled and how predictions were recalibrated, as TRIPOD+AI
#' item 13 asks), with the package version, the data fingerprints, the
#' seed, the samplers' configuration as JSON and [sessionInfo()].
#'
#' With `audience = "technical"` the verdict's statistics (mean
#' differences, Holm intervals and p-values) follow the first screen; with
#' `"clinical"` they are in the methods section.
#'
#' An evaluation of more than two classes (one-vs-rest) opens with the
#' verdict on the macro average, then each class's verdict (rarest class
#' first) with how far resampling moved that class's predicted risks; the
#' per-1,000 tables have a row per class and sampler (that class's patients
#' caught and missed, the other classes' patients flagged as it), the
#' curves, the guard's and fidelity reports and the error analysis come per
#' class, and the methods section says that each class was modelled against
#' the rest and how the classes were averaged.
#'
#' @section Monitoring:
#' For one check of [sg_monitor()] or a list of them (batches over time,
#' shown oldest first by their times): the baseline (the evaluation's data
#' fingerprint, sampler and learner); the latest batch's alerts first, act
#' before watch before ok, each in a sentence; what each alert level means
#' (the rule of [sg_monitor()]); the drifted features of every batch
#' checked for drift (`sg_monitor(drift = )`), the latest batch's on the
#' first screen; a table of every batch and metric (estimate, bootstrap
#' interval, the baseline's fold mean, SD and range, alert); the sequence
#' plot of [sg_monitor_plot()]; and a methods section (package version, the
#' bootstrap and baseline seeds).
#'
#' @section A drift check:
#' The first screen names the drifted features, largest shift first. The
#' table of drifted features gives each one's PSI and reading, the test that
#' flagged it (PSI, Kolmogorov-Smirnov, total variation or the missing
#' share) with its statistic, the smallest p-value times the number of the
#' feature's tests, and the level each test had to beat (`alpha` over the
#' number of tests); then every feature, the PSI plot and the methods.
#'
#' @section Text from the data:
#' Column names, class labels, sampler labels, subgroup levels and the
#' ledger's `why` notes are shown as text: every punctuation character is
#' written as an HTML character reference, so neither markdown nor HTML in
#' them takes effect (a column named `<script>` is shown, not run; a level
#' `[x](javascript:...)` is not a link).
#'
#' @section Reproducible:
#' The same object gives the same file, apart from the line that says when
#' it was made (in an element of class `sg-stamp`).
#'
#' @param x An evaluation ([sg_evaluate()]), a result of [sg_oversample()],
#'   a drift check ([sg_drift()]), a monitoring check ([sg_monitor()]) or a
#'   list of them (a sequence over time), or a ledger ([sg_ledger_read()]).
#' @param file The HTML file to write.
#' @param title The page's title; by default one for the kind of report.
#' @param audience `"clinical"` (default) or `"technical"`: see the section
#'   on evaluations.
#' @param include_rows For an evaluation: also list the rows of the error
#'   analysis (values of patients). `FALSE` by default: reports travel
#'   further than data should.
#' @param overwrite Replace `file` when it exists. The file is written to a
#'   temporary file in the same directory first, then moved into place.
#' @return `file`, invisibly.
#' @section Errors:
#' Without rmarkdown, an error of class `smoteguard_error_missing_package`;
#' without pandoc, an error of class `smoteguard_error_pandoc` that says
#' how to install it; an existing `file` without `overwrite = TRUE`,
#' `smoteguard_error_exists`.
#' @seealso [sg_evaluate()], [sg_diagnose()], [sg_drift()], [sg_monitor()],
#'   [sg_ledger_read()].
#' @examples
#' if (requireNamespace("rmarkdown", quietly = TRUE) && rmarkdown::pandoc_available()) {
#'   res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#'   out <- sg_report(res, file = tempfile(fileext = ".html"))
#'   file.size(out)
#' }
#' @export
sg_report <- function(x, file = "smoteguard-report.html", title = NULL,
                      audience = c("clinical", "technical"), include_rows = FALSE,
                      overwrite = FALSE) {
  call <- sys.call()
  kind <- report_kind(x, call)
  audience <- match.arg(audience)
  if (!is.character(file) || length(file) != 1 || is.na(file) || !nzchar(file)) {
    sg_abort(c("`file` must be one file name.", sprintf("It is %s.", describe(file))),
             call = call)
  }
  if (!is.null(title) && (!is.character(title) || length(title) != 1 || is.na(title))) {
    sg_abort(c("`title` must be NULL or one string.", sprintf("It is %s.", describe(title))),
             call = call)
  }
  check_flag(include_rows, "include_rows", call)
  check_flag(overwrite, "overwrite", call)
  if (file.exists(file) && !overwrite) {
    sg_abort(c(sprintf("`%s` exists already.", file),
               "Choose another name, or pass `overwrite = TRUE` to replace it."),
             class = "exists", call = call)
  }
  if (!dir.exists(dirname(file))) {
    sg_abort(c(sprintf("The directory of `file` (`%s`) does not exist.", dirname(file)),
               "Create it first, or write the report elsewhere."), class = "input", call = call)
  }
  report_check_tools(call)

  work <- tempfile("smoteguard-report-")
  dir.create(work)
  on.exit(unlink(work, recursive = TRUE), add = TRUE)
  ctx <- new.env(parent = emptyenv())
  ctx$dir <- work
  ctx$audience <- audience
  ctx$include_rows <- include_rows
  ctx$n_fig <- 0L
  ctx$call <- call
  page <- switch(kind,
                 evaluation = report_evaluation(x, ctx),
                 result = report_result(x, ctx),
                 drift = report_drift(x, ctx),
                 monitor = report_monitor(x, ctx),
                 ledger = report_ledger(x, ctx))
  title <- report_escape(title %||% page$title)
  stamp <- sprintf('<p class="sg-stamp">Made by smoteguard %s on %s.</p>',
                   session_versions()$package,
                   format(Sys.time(), "%Y-%m-%d %H:%M %Z"))
  rmd <- file.path(work, "report.Rmd")
  file.copy(system.file("report", "report.Rmd", package = "smoteguard"), rmd)
  css <- system.file("report", "report.css", package = "smoteguard")
  format <- rmarkdown::html_document(self_contained = TRUE, theme = NULL, mathjax = NULL,
                                     highlight = NULL, css = css, section_divs = TRUE,
                                     anchor_sections = FALSE,
                                     # one line per paragraph: the page's text
                                     # as written, easier to search and compare
                                     pandoc_args = "--wrap=none")
  html <- file.path(work, "report.html")
  rendered <- tryCatch(
    rmarkdown::render(rmd, output_format = format, output_file = html, intermediates_dir = work,
                      params = list(title = title, body = c(stamp, page$body)),
                      envir = new.env(parent = globalenv()), quiet = TRUE),
    error = function(e) {
      sg_abort(c("Rendering the report failed.", conditionMessage(e)), class = "report",
               call = call)
    })
  text <- readChar(rendered, file.size(rendered), useBytes = TRUE)
  write_atomic(text, file, overwrite, call)
  invisible(file)
}

report_kind <- function(x, call) {
  if (inherits(x, "sg_evaluation")) return("evaluation")
  if (inherits(x, "sg_drift")) return("drift")
  if (inherits(x, "sg_monitor")) return("monitor")
  if (is.list(x) && !is.object(x) && length(x) > 0 &&
      all(vapply(x, inherits, logical(1), "sg_monitor"))) {
    return("monitor")
  }
  if (is.data.frame(x) && !is.null(attr(x, "smoteguard"))) return("result")
  if (is.data.frame(x) && all(c("id", "time", "kind", "why", "line") %in% names(x))) {
    return("ledger")
  }
  sg_abort(c("`x` must be an evaluation (`sg_evaluate()`), a result of `sg_oversample()`, a drift check (`sg_drift()`), a monitoring check (`sg_monitor()`) or a list of them, or a ledger (`sg_ledger_read()`).",
             sprintf("It is %s.", describe(x))), call = call)
}

report_check_tools <- function(call) {
  if (!requireNamespace("rmarkdown", quietly = TRUE)) {
    sg_abort(c("Writing a report needs the rmarkdown package, which is not installed.",
               "Install it with `install.packages(\"rmarkdown\")`."),
             class = "missing_package", call = call)
  }
  if (!rmarkdown::pandoc_available("2.0")) {
    sg_abort(c("Writing a report needs pandoc (2.0 or later), which was not found.",
               "Install it: on Debian or Ubuntu `apt-get install pandoc`; on macOS `brew install pandoc`; elsewhere see pandoc.org. Or set the environment variable RSTUDIO_PANDOC to the directory that holds it."),
             class = "pandoc", call = call)
  }
}

# ---------------------------------------------------------------------------
# Text: escaping and small HTML pieces

#' Text from data, safe for markdown and HTML
#'
#' Every ASCII punctuation character becomes a numeric character reference
#' (`<` is `&#60;`), so that pandoc's markdown sees no syntax and the
#' browser no markup, while the reader sees the text as it was; line
#' breaks become spaces; `NA` becomes "NA".
#' @noRd
report_escape <- function(x) {
  x <- as.character(x)
  x[is.na(x)] <- "NA"
  x <- enc2utf8(x)
  x <- gsub("[\r\n\t]+", " ", x, perl = TRUE)
  vapply(x, function(s) {
    if (!nzchar(s)) return(s)
    cp <- utf8ToInt(s)
    if (anyNA(cp)) cp <- utf8ToInt(iconv(s, "UTF-8", "UTF-8", sub = "?"))
    punct <- (cp >= 33 & cp <= 47) | (cp >= 58 & cp <= 64) | (cp >= 91 & cp <= 96) |
      (cp >= 123 & cp <= 126)
    out <- vapply(cp, intToUtf8, "")
    out[punct] <- sprintf("&#%d;", cp[punct])
    paste(out, collapse = "")
  }, "", USE.NAMES = FALSE)
}

# Numbers written by us: formatted, not escaped.
report_num <- function(x, digits = 3) {
  trimws(ifelse(is.na(x), "NA", formatC(signif(x, digits), digits = digits, format = "fg")))
}

report_fixed <- function(x, digits = 1) {
  ifelse(is.na(x), "NA", formatC(x, digits = digits, format = "f"))
}

# A data frame as an HTML table; character and factor cells are escaped,
# numbers formatted; `raw` names columns already written as HTML by us.
report_table <- function(df, digits = 3, raw = character(), caption = NULL) {
  if (is.null(df) || nrow(df) == 0) return("<p><em>(none)</em></p>")
  # a column with no value says nothing
  empty <- vapply(df, function(v) all(is.na(v) | (is.character(v) & v %in% "")), logical(1))
  df <- df[!empty]
  cells <- lapply(names(df), function(n) {
    v <- df[[n]]
    if (n %in% raw) return(as.character(v))
    if (is.numeric(v)) {
      if (is.integer(v) || all(is.na(v) | v == round(v))) return(ifelse(is.na(v), "NA", format(v, big.mark = ",", trim = TRUE, scientific = FALSE)))
      return(report_num(v, digits))
    }
    if (is.logical(v)) return(ifelse(is.na(v), "NA", ifelse(v, "yes", "no")))
    if (is.list(v)) v <- vapply(v, function(e) paste(format(e), collapse = ", "), "")
    report_escape(v)
  })
  # numbers, and columns of numbers written by us, are right-aligned
  num <- vapply(seq_along(df), function(j) {
    is.numeric(df[[j]]) || all(grepl("^(NA|[-+]?[0-9][0-9,]*([.][0-9]+)?)$", cells[[j]]))
  }, logical(1))
  # names as words: an underscore becomes a space, so that a header can wrap
  head <- paste0("<tr>", paste0("<th", ifelse(num, ' class="num"', ""), ">",
                                gsub("&#95;", " ", report_escape(names(df)), fixed = TRUE),
                                "</th>", collapse = ""), "</tr>")
  rows <- vapply(seq_len(nrow(df)), function(i) {
    paste0("<tr>", paste0("<td", ifelse(num, ' class="num"', ""), ">",
                          vapply(cells, `[`, "", i), "</td>", collapse = ""), "</tr>")
  }, "")
  c("", "<table>",
    if (!is.null(caption)) paste0("<caption>", caption, "</caption>"),
    "<thead>", head, "</thead>", "<tbody>", rows, "</tbody>", "</table>", "")
}

report_code <- function(text) {
  lines <- unlist(strsplit(paste(text, collapse = "\n"), "\n", fixed = TRUE))
  c("", paste0('<pre class="sg-code">', paste(report_escape(lines), collapse = "\n"), "</pre>"), "")
}

report_section <- function(title, ...) c("", paste("##", title), "", ...)

report_par <- function(...) c("", paste0(...), "")

# A PNG of a plot, drawn by `draw`, as a markdown image; pandoc embeds it.
report_figure <- function(ctx, draw, alt, width = 1600, height = 1000, res = 150) {
  ctx$n_fig <- ctx$n_fig + 1L
  file <- file.path(ctx$dir, sprintf("figure-%d.png", ctx$n_fig))
  report_png(file, width, height, res)
  ok <- tryCatch({ draw(); TRUE }, error = function(e) conditionMessage(e),
                 finally = grDevices::dev.off())
  if (!isTRUE(ok)) return(report_par("<p><em>The plot could not be drawn: ", report_escape(ok), "</em></p>"))
  c("", sprintf('<img src="%s" alt="%s" class="sg-figure">', file, report_escape(alt)), "")
}

# A PNG device that works without X11: cairo when R has it.
report_png <- function(file, width, height, res) {
  if (isTRUE(capabilities("cairo"))) {
    grDevices::png(file, width = width, height = height, res = res, type = "cairo")
  } else {
    grDevices::png(file, width = width, height = height, res = res)
  }
}

# The configuration of a sampler as readable JSON: its method, label and
# arguments (rules as their text, functions as their code).
report_config_json <- function(sampler) {
  plain <- function(v) {
    if (inherits(v, "sg_rule")) return(attr(v, "text"))
    if (inherits(v, "sg_code")) return(v$text)
    if (is.function(v) || is.language(v)) return(paste(deparse(v), collapse = "\n"))
    if (is.environment(v)) return("<environment>")
    if (is.list(v)) return(lapply(unclass(v), plain))
    if (is.factor(v)) return(as.character(v))
    v
  }
  cfg <- list(method = sampler$method, label = sampler$label, family = sampler$family,
              args = plain(sampler$args))
  as.character(jsonlite::toJSON(cfg, auto_unbox = TRUE, null = "null", na = "null",
                                pretty = TRUE, digits = NA, force = TRUE))
}

# sessionInfo() without the namespaces loaded but not attached: rendering
# loads some of them (knitr, yaml, ...), which would make a second report of
# the same object differ from the first; the tools of the report are listed
# with their versions instead.
report_session <- function() {
  info <- utils::sessionInfo()
  info$loadedOnly <- NULL
  tools <- c("jsonlite", "rmarkdown", "knitr")
  c(utils::capture.output(print(info)), "",
    sprintf("Report made with %s; pandoc %s.",
            paste(sprintf("%s %s", tools, vapply(tools, function(p) as.character(utils::packageVersion(p)), "")),
                  collapse = ", "),
            as.character(rmarkdown::pandoc_version())))
}

report_methods_common <- function(seed, fingerprints, json) {
  c(report_par("smoteguard version ", report_escape(session_versions()$package), "; R ",
               report_escape(session_versions()$r), "; seed ", report_escape(seed %||% "none"),
               ". Data fingerprint", if (length(fingerprints) > 1) "s" else "", ": ",
               paste0("<code>", report_escape(fingerprints), "</code>", collapse = ", "), "."),
    "", "### Configuration", "", report_code(json),
    "", "### Session", "", report_code(report_session()))
}

# ---------------------------------------------------------------------------
# An evaluation

report_evaluation <- function(x, ctx) {
  if (inherits(x, "sg_evaluation_ovr")) return(report_evaluation_ovr(x, ctx))
  s <- x$settings
  if (is.null(x$metrics)) {
    return(list(title = "Evaluation: no results",
                body = report_par("Every cell of the evaluation failed; nothing to report.")))
  }
  learners <- levels(droplevels(as.factor(x$metrics$learner)))
  samplers <- levels(as.factor(x$metrics$sampler))
  body <- c(
    report_eval_headline(x),
    if (ctx$audience == "technical") report_eval_verdict(x),
    report_section("Per 1,000 patients", report_eval_thousand(x)),
    report_section("Curves", report_eval_curves(x, ctx, learners)),
    report_section("Across the folds", report_eval_spread(x)),
    report_section("Subgroups", report_eval_subgroups(x)),
    report_section("What the samplers did: guard and fidelity", report_eval_guard(x)),
    report_section("Error analysis", report_eval_errors(x, ctx$include_rows)),
    report_section("Methods", report_eval_methods(x, ctx))
  )
  list(title = sprintf("Does resampling help predict %s?", s$positive), body = body)
}

report_eval_prevalence <- function(x) {
  s <- x$settings
  if (s$n_holdout > 0) return(s$n_holdout_events / s$n_holdout)
  (s$n_events - s$n_holdout_events) / (s$n - s$n_holdout)
}

# Mean predicted risk of each sampler minus that of "none", in percentage
# points, on the rows the curves use, before and after the prior
# correction.
report_risk_shift <- function(x) {
  src <- curve_source(x$predictions)
  out <- list()
  for (lrn in levels(as.factor(src$learner))) {
    part <- src[src$learner == lrn, , drop = FALSE]
    base <- part[part$sampler == "none", , drop = FALSE]
    for (smp in setdiff(levels(droplevels(as.factor(part$sampler))), "none")) {
      p <- part[part$sampler == smp, , drop = FALSE]
      out[[length(out) + 1]] <- data.frame(
        learner = lrn, sampler = smp,
        raw = 100 * (mean(p$p) - mean(base$p)),
        corrected = 100 * (mean(p$p_corrected) - mean(base$p)),
        stringsAsFactors = FALSE)
    }
  }
  do.call(rbind, out)
}

report_eval_headline <- function(x) {
  s <- x$settings
  smp <- setdiff(levels(as.factor(x$metrics$sampler)), "none")
  question <- sprintf(
    "Does resampling the training data (%s) help %s predict <strong>%s</strong> (outcome <code>%s</code>)?",
    paste(report_escape(smp), collapse = ", "),
    paste(report_escape(vapply(s$learners, function(l) l$name, "")), collapse = ", "),
    report_escape(s$positive), report_escape(s$var))
  data_line <- sprintf(
    "%s patients, %s with %s (%s%%), %d predictors; %s%s; seed %s.",
    format(s$n, big.mark = ","), format(s$n_events, big.mark = ","), report_escape(s$positive),
    report_fixed(100 * s$n_events / s$n), length(s$predictors), report_escape(describe_resamples(x)),
    if (s$n_holdout > 0) sprintf(", then a holdout of %s patients scored once", format(s$n_holdout, big.mark = ","))
    else ", no holdout", report_escape(x$seed))
  items <- report_decision_items(x, report_risk_shift(x))
  c('<div class="sg-first">',
    sprintf('<p class="sg-question">%s</p>', question),
    sprintf('<p class="sg-data"><strong>Data:</strong> %s</p>', data_line),
    '<p><strong>Verdict</strong> (each resampling against none, on PR-AUC and ROC-AUC, calibration after prior correction not worse):</p>',
    "<ul>", items, "</ul>",
    '<p class="sg-note">&#8220;No evidence of benefit&#8221; is not evidence of no benefit: the data could not show a difference.</p>',
    "</div>")
}

# Each resampling's verdict against none in words, one <li> per sampler
# and learner; with `shift` (report_risk_shift()), how far it moved the
# predicted risks.
report_decision_items <- function(x, shift = NULL) {
  s <- x$settings
  d <- x$decisions
  items <- character()
  if (is.null(d)) return(items)
  for (i in seq_len(nrow(d))) {
    sh <- shift[shift$sampler == d$sampler[i] & shift$learner == d$learner[i], , drop = FALSE]
    verdict <- if (isTRUE(d$helped[i])) "helped" else "no evidence of benefit"
    words <- sprintf('<li><strong>%s</strong> with %s: <span class="sg-verdict">%s</span>%s.',
                     report_escape(d$sampler[i]), report_escape(d$learner[i]),
                     report_escape(toupper_first(d$verdict[i] %||% verdict)),
                     if (nzchar(d$detail[i] %||% "")) paste0(" (", report_escape(d$detail[i]), ")") else "")
    if (!is.null(sh) && nrow(sh) == 1) {
      words <- paste0(words, sprintf(
        " It %s predicted risks by <span class=\"sg-shift\">%s</span> percentage points on average",
        if (sh$raw >= 0) "raised" else "lowered", report_fixed(abs(sh$raw))))
      if (isTRUE(s$correct_prior)) {
        words <- paste0(words, sprintf(
          "; after prior correction the difference from the model without resampling was <span class=\"sg-shift-corrected\">%s</span> points",
          formatC(round(sh$corrected, 1) + 0, digits = 1, format = "f", flag = "+")))
      }
      words <- paste0(words, ".")
    }
    if (isTRUE(d$hurt_calibration[i]) && !grepl("hurt calibration", d$detail[i] %||% "", fixed = TRUE)) {
      words <- paste0(words, if (isTRUE(d$repaired[i])) " Its raw risks were miscalibrated; the prior correction repaired that."
                      else " Its raw risks were miscalibrated, and the prior correction did not fully repair that.")
    }
    items <- c(items, paste0(words, "</li>"))
  }
  items
}

report_eval_verdict <- function(x) {
  v <- x$verdict
  if (is.null(v) || nrow(v) == 0) return(character())
  tab <- data.frame(learner = v$learner, sampler = v$sampler,
                    metric = unname(metric_label[v$metric]), difference = v$mean,
                    lower = v$lower_holm, upper = v$upper_holm, p_holm = v$p_holm,
                    stringsAsFactors = FALSE)
  report_section("The verdict's statistics",
                 report_par("Differences are resampling minus none over the splits (for Brier and |slope - 1| lower is better), with Nadeau-Bengio corrected intervals at Holm's level over ", nrow(v), " comparisons."),
                 report_table(tab))
}

# Per 1,000 patients with the evaluated prevalence: caught = recall, missed
# = 1 - recall, false alarms = 1 - specificity, from the metrics' means over
# the folds (or the holdout's values when there is a holdout).
report_per_thousand <- function(x) {
  s <- x$settings
  m <- if (s$n_holdout > 0 && !is.null(x$holdout) && nrow(x$holdout) > 0) x$holdout else x$metrics
  m <- m[m$corrected == isTRUE(s$correct_prior), , drop = FALSE]
  prev <- report_eval_prevalence(x)
  val <- function(smp, lrn, metric) {
    v <- m$value[m$sampler == smp & m$learner == lrn & m$metric == metric]
    if (length(v) == 0 || all(is.na(v))) NA_real_ else mean(v, na.rm = TRUE)
  }
  out <- list()
  for (lrn in levels(droplevels(as.factor(m$learner)))) {
    for (smp in levels(droplevels(as.factor(m$sampler)))) {
      for (at in c("same", "matched")) {
        pre <- if (at == "same") "" else "matched_"
        rec <- val(smp, lrn, paste0(pre, "recall"))
        spec <- val(smp, lrn, paste0(pre, "specificity"))
        out[[length(out) + 1]] <- data.frame(
          learner = lrn, sampler = smp, at = at,
          caught = 1000 * prev * rec, missed = 1000 * prev * (1 - rec),
          false_alarms = 1000 * (1 - prev) * (1 - spec), stringsAsFactors = FALSE)
      }
    }
  }
  do.call(rbind, out)
}

report_eval_thousand <- function(x) {
  pt <- report_per_thousand(x)
  s <- x$settings
  prev <- report_eval_prevalence(x)
  thr <- describe_threshold(s$threshold)
  if (!is.null(x$thresholds) && nrow(x$thresholds) > 0 && !is.numeric(s$threshold)) {
    r <- range(x$thresholds$threshold, na.rm = TRUE)
    thr <- sprintf("%s (%s)", if (r[1] == r[2]) report_num(r[1]) else
      sprintf("%s to %s", report_num(r[1]), report_num(r[2])), thr)
  }
  shown <- function(at) {
    p <- pt[pt$at == at, , drop = FALSE]
    data.frame(learner = p$learner, resampling = p$sampler,
               `events caught` = report_fixed(p$caught), `events missed` = report_fixed(p$missed),
               `false alarms` = report_fixed(p$false_alarms), check.names = FALSE,
               stringsAsFactors = FALSE)
  }
  c(report_par(sprintf(
    "Among 1,000 patients like these (%s with %s), %s. Numbers are %s.",
    report_fixed(1000 * prev, 0), report_escape(s$positive),
    "how many events each model catches and misses, and how many patients without the event it flags",
    if (s$n_holdout > 0) "from the holdout" else "means over the folds")),
    "", "### At the same risk threshold", "",
    report_par("Every model, after prior correction, flags a patient whose predicted risk is at least ",
               thr, "."),
    report_table(shown("same"), raw = c("events caught", "events missed", "false alarms")),
    "", "### At matched sensitivity", "",
    report_par("Each model's threshold moved until it catches as many events as the model without resampling: only the false alarms can differ, so a moved threshold cannot pass for a better model. ",
               report_matched_note()),
    report_table(shown("matched"), raw = c("events caught", "events missed", "false alarms")))
}

# Why the model without resampling has other numbers at matched
# sensitivity than at the same threshold.
report_matched_note <- function() {
  "Every model, the one without resampling included, is read at the highest threshold that reaches that sensitivity, which can lie above the threshold of the table before: its false alarms can be fewer here."
}

report_eval_curves <- function(x, ctx, learners) {
  out <- report_par("The grey dashed line is the model without resampling, drawn on top so that a curve it coincides with shows between its dashes; each resampling keeps its colour in every plot. ",
                    "Curves use ", report_escape(attr(curve_source(x$predictions), "source")),
                    " predictions", if (isTRUE(x$settings$correct_prior)) ", after prior correction" else "", ".")
  for (lrn in learners) {
    if (length(learners) > 1) out <- c(out, "", paste("### Learner", report_escape(lrn)), "")
    out <- c(out, report_figure(ctx, function() {
      graphics::par(cex = 1.1)
      graphics::plot(x, type = c("pr", "calibration", "decision", "spread"), learner = lrn)
    }, alt = paste("Curves for", lrn), width = 1400, height = 1320, res = 165))
  }
  out
}

report_eval_spread <- function(x) {
  s <- x$settings
  tabs <- spread_table(x$metrics, isTRUE(s$correct_prior), 3)
  readable <- c(pr_auc = "PR-AUC", roc_auc = "ROC-AUC", brier = "Brier score",
                cal_intercept = "calibration intercept (0 is best)",
                cal_slope = "calibration slope (1 is best)", recall = "sensitivity (recall)",
                precision = "positive predictive value (precision)")
  tabs <- lapply(tabs, function(t) {
    t$metric <- ifelse(t$metric %in% names(readable), readable[t$metric], t$metric)
    t
  })
  out <- report_par("Mean (standard deviation) over the ", length(x$splits),
                    " splits", if (isTRUE(s$correct_prior)) ", after prior correction" else "",
                    ". PR-AUC and ROC-AUC: higher is better; Brier: lower is better; calibration slope: 1 is best.")
  for (lrn in names(tabs)) {
    out <- c(out, if (length(tabs) > 1) c("", paste("### Learner", report_escape(lrn)), ""),
             report_table(tabs[[lrn]]))
  }
  out
}

report_eval_subgroups <- function(x) {
  sg <- x$subgroups
  if (is.null(sg) || nrow(sg) == 0) {
    return(report_par("No subgroups were asked for (`subgroups` in `sg_evaluate()`)."))
  }
  report_table(as.data.frame(sg))
}

# The guard's and the fidelity check's reports of every sampler call:
# guard counts summed over the splits; per column, the largest shift and
# how many calls flagged it.
report_eval_guard <- function(x, h = "###") {
  recs <- x$records
  if (length(recs) == 0) return(report_par("No sampler call kept a record."))
  smp <- vapply(recs, function(r) r$sampler, "")
  out <- report_par("Each resampling ran once per split on the training part only (", length(recs),
                    " calls). Guard counts are summed over the calls; the fidelity check compares the synthetic rows with the real rows of their class, per column.")
  for (s in unique(smp)) {
    rr <- lapply(recs[smp == s], function(r) r$record)
    out <- c(out, "", paste(h, report_escape(s)), "")
    g <- do.call(rbind, lapply(rr, function(r) r$guard$report))
    if (!is.null(g) && nrow(g) > 0) {
      keep <- intersect(c("seeds", "unsafe", "noise", "drawn", "rejected_intrusion",
                          "rejected_bound", "rejected_rule", "made", "shortfall"), names(g))
      agg <- stats::aggregate(g[keep], by = list(class = as.character(g$class)), FUN = sum)
      out <- c(out, report_table(agg, caption = "Guard"))
    }
    f <- do.call(rbind, lapply(rr, function(r) r$fidelity))
    if (!is.null(f) && nrow(f) > 0) {
      # per class and column, the call with the largest shift (total
      # variation for nominal columns), and how many calls flagged it
      key <- paste(f$class, f$column, sep = "\r")
      size <- ifelse(is.na(f$shift), f$tv, abs(f$shift))
      size[is.na(size)] <- -Inf
      o <- order(key, -size)
      worst <- o[!duplicated(key[o])]
      ft <- f[worst, intersect(c("class", "column", "kind", "shift", "ks", "tv"), names(f)),
              drop = FALSE]
      flagged <- tapply(f$flagged %in% TRUE, key, sum)
      ft$flagged_in <- as.integer(flagged[key[worst]])
      ft <- ft[order(-size[worst]), , drop = FALSE]
      names(ft)[names(ft) == "shift"] <- "largest shift (sd)"
      out <- c(out, report_table(ft, caption = sprintf("Fidelity (over %d calls)", length(rr))))
    }
  }
  out
}

report_eval_errors <- function(x, include_rows, h = "###") {
  e <- x$errors
  if (is.null(e)) return(report_par("No error analysis."))
  pred <- x$settings$predictors
  out <- report_par("Patients with the event that the model without resampling missed in most splits that tested them, patients without it that it flagged in most, and how many of them each resampling recovered.")
  count <- function(df) if (is.null(df)) 0L else nrow(df)
  lrns <- unique(c(e$missed$learner, e$flagged$learner))
  for (lrn in lrns) {
    mi <- e$missed[e$missed$learner == lrn, , drop = FALSE]
    fl <- e$flagged[e$flagged$learner == lrn, , drop = FALSE]
    rc <- e$recovered[e$recovered$learner == lrn, , drop = FALSE]
    tab <- data.frame(resampling = "none", missed = count(mi), flagged = count(fl),
                      stringsAsFactors = FALSE)
    for (s in unique(rc$sampler)) {
      r <- rc[rc$sampler == s, , drop = FALSE]
      tab <- rbind(tab, data.frame(resampling = paste(s, "(recovered)"),
                                   missed = sum(r$recovered & r$kind == "missed"),
                                   flagged = sum(r$recovered & r$kind == "flagged")))
    }
    out <- c(out, if (length(lrns) > 1) c("", paste(h, "Learner", report_escape(lrn)), ""),
             report_table(tab, caption = "Counts"))
    num <- pred[vapply(pred, function(p) is.numeric(mi[[p]] %||% fl[[p]]), logical(1))]
    if (length(num) > 0) {
      summ <- function(df, p) {
        v <- df[[p]]
        if (is.null(v) || length(v) == 0) return("")
        sprintf("%s [%s, %s]", report_num(stats::median(v, na.rm = TRUE)),
                report_num(min(v, na.rm = TRUE)), report_num(max(v, na.rm = TRUE)))
      }
      ft <- data.frame(feature = num,
                       missed = vapply(num, function(p) summ(mi, p), ""),
                       flagged = vapply(num, function(p) summ(fl, p), ""),
                       stringsAsFactors = FALSE)
      out <- c(out, report_table(ft, raw = c("missed", "flagged"),
                                 caption = "Median [min, max] of each numeric predictor"))
    }
    if (include_rows) {
      out <- c(out, report_table(mi, caption = "Missed patients (rows of the data)"),
               report_table(fl, caption = "Flagged patients (rows of the data)"))
    }
  }
  if (!include_rows) {
    out <- c(out, report_par("The patients' rows are left out of this report; <code>sg_report(include_rows = TRUE)</code> lists them."))
  }
  out
}

report_eval_methods <- function(x, ctx) {
  s <- x$settings
  smp <- s$samplers
  labels <- vapply(smp, function(z) z$label %||% z$method, "")
  text <- paste0(
    "Class imbalance: ", report_escape(s$positive), " made up ",
    report_fixed(100 * s$n_events / s$n), "% of ", format(s$n, big.mark = ","),
    " patients. We compared training without resampling against ",
    report_design_text(x, labels, "each applied",
                       "the real event share of the training rows by a prior (intercept) correction on the log-odds scale, from the class counts after resampling back to those before. "),
    "Resampling was judged to help only if PR-AUC or ROC-AUC improved (paired differences over the splits, Nadeau-Bengio corrected variance, Holm adjustment) without worse calibration after correction.")
  report_methods_parts(x, ctx, text, x$records)
}

# The part of the methods paragraph that two-class and one-vs-rest
# evaluations share: the samplers compared (`applied`: how the sentence
# joins them), the splits, the prior correction (`recalibrated_to`: what the
# risks were recalibrated to) and the thresholds.
report_design_text <- function(x, labels, applied, recalibrated_to) {
  s <- x$settings
  paste0(
    paste(report_escape(setdiff(labels, "none")), collapse = ", "),
    " (smoteguard ", report_escape(s$version), "), ", applied,
    " to the training part of every split only; test rows were never resampled",
    if (s$n_holdout > 0) ", and a holdout set aside first was scored once" else "",
    ". Splits: ", report_escape(describe_resamples(x)), ". ",
    if (isTRUE(s$correct_prior)) {
      paste0("Predicted risks of models trained on resampled data were recalibrated to ",
             recalibrated_to)
    } else "Predicted risks were not recalibrated. ",
    "Threshold-based measures used one threshold for every model (",
    report_escape(describe_threshold(s$threshold)),
    ") and, separately, the threshold at which each model reached the sensitivity of the model without resampling. ")
}

# The methods paragraph, then the verdict's statistics (for a clinical
# audience), the learners, version, fingerprints, configuration and session.
report_methods_parts <- function(x, ctx, text, records) {
  s <- x$settings
  fps <- unique(vapply(records, function(r) r$record$fingerprint %||% NA_character_, ""))
  json <- unlist(lapply(s$samplers, report_config_json))
  c(report_par("<em>For a paper (TRIPOD+AI item 13, class imbalance):</em> ", text),
    if (ctx$audience == "clinical") report_eval_verdict(x),
    report_par("Learners: ", paste(report_escape(vapply(s$learners, function(l) l$name, "")), collapse = ", "),
               ". The fingerprints are those of the training parts given to the samplers."),
    report_methods_common(x$seed, fps[!is.na(fps)], json))
}

# ---------------------------------------------------------------------------
# An evaluation of more than two classes (one-vs-rest): the verdict on the
# macro average and each class's in words first, then per class (rarest
# first) the numbers per 1,000 patients and the curves; the samplers'
# reports and the error analysis per class.

report_evaluation_ovr <- function(x, ctx) {
  s <- x$settings
  if (is.null(x$metrics)) {
    return(list(title = "Evaluation: no results",
                body = report_par("Every cell of the evaluation failed; nothing to report.")))
  }
  classes <- report_ovr_order(x)
  per_class <- function(f, empty = NULL) {
    out <- character()
    for (cls in classes) {
      part <- f(x$per_class[[cls]])
      if (length(part) == 0) next
      out <- c(out, "", sprintf("### %s against the rest", report_escape(cls)), "", part)
    }
    if (length(out) == 0 && !is.null(empty)) empty else out
  }
  learners <- levels(droplevels(as.factor(x$metrics$learner)))
  body <- c(
    report_ovr_headline(x, classes),
    if (ctx$audience == "technical") report_eval_verdict(x),
    report_section("Per 1,000 patients", report_ovr_thousand(x, classes)),
    report_section("Curves", report_ovr_curves(x, ctx, classes, learners)),
    report_section("Across the folds", report_ovr_spread(x, classes)),
    report_section("Subgroups", per_class(function(e) {
      if (!is.null(e$subgroups) && nrow(e$subgroups) > 0) report_table(as.data.frame(e$subgroups))
    }, report_par("No subgroups were asked for (`subgroups` in `sg_evaluate()`)."))),
    report_section("What the samplers did: guard and fidelity",
                   report_par("Each class against the rest is its own two-class problem: the samplers ran on each, on the training part of every split",
                              report_ovr_majority(x), "."),
                   per_class(function(e) report_eval_guard(e, h = "####"))),
    report_section("Error analysis", report_par("For each class, the event is belonging to that class: missed patients are of the class, flagged patients of another class."),
                   per_class(function(e) {
      report_eval_errors(e, ctx$include_rows, h = "####")
    })),
    report_section("Methods", report_ovr_methods(x, ctx))
  )
  list(title = sprintf("Does resampling help tell the classes of %s apart?", s$var), body = body)
}

# A class that outnumbers the rest: its samplers made rows of the rest.
report_ovr_majority <- function(x) {
  s <- x$settings
  big <- s$classes[as.double(s$n_events) > s$n / 2]
  if (length(big) == 0) return("")
  rest <- vapply(big, function(b) as.character(x$per_class[[b]]$settings$negative %||% "the rest"), "")
  sprintf("; %s outnumbers the other classes together, so for it the samplers made rows of the rest (%s)",
          report_escape(big), report_escape(rest))
}

# The classes, rarest first (ties in the data's order).
report_ovr_order <- function(x) {
  s <- x$settings
  s$classes[order(as.double(s$n_events), seq_along(s$classes))]
}

report_ovr_headline <- function(x, classes) {
  s <- x$settings
  smp <- setdiff(levels(as.factor(x$metrics$sampler)), "none")
  n_ev <- as.double(s$n_events[classes])
  question <- sprintf(
    "Does resampling the training data (%s) help %s tell each class of <code>%s</code> from the others (%d classes: %s)?",
    paste(report_escape(smp), collapse = ", "),
    paste(report_escape(vapply(s$learners, function(l) l$name, "")), collapse = ", "),
    report_escape(s$var), length(classes),
    paste0("<strong>", report_escape(classes), "</strong>", collapse = ", "))
  data_line <- sprintf(
    "%s patients: %s; %d predictors; %s%s; seed %s.",
    format(s$n, big.mark = ","),
    paste(sprintf("%s %s (%s%%)", format(n_ev, big.mark = ","), report_escape(classes),
                  report_fixed(100 * n_ev / s$n)), collapse = ", "),
    length(s$predictors), report_escape(describe_resamples(x)),
    if (s$n_holdout > 0) sprintf(", then a holdout of %s patients scored once", format(s$n_holdout, big.mark = ","))
    else ", no holdout", report_escape(x$seed))
  each <- vapply(classes, function(cls) report_ovr_class_words(x, cls), "")
  c('<div class="sg-first">',
    sprintf('<p class="sg-question">%s</p>', question),
    sprintf('<p class="sg-data"><strong>Data:</strong> %s</p>', data_line),
    '<p>Each class was predicted against all the others (one-vs-rest), on the same splits.</p>',
    '<p><strong>Verdict on the average over the classes</strong> (macro average; each resampling against none, on PR-AUC and ROC-AUC, calibration after prior correction not worse):</p>',
    "<ul>", report_decision_items(x), "</ul>",
    '<p><strong>Verdict for each class</strong> against the rest (rarest first; each class&#8217;s own test, Holm-adjusted within the class):</p>',
    "<ul>", each, "</ul>",
    '<p class="sg-note">&#8220;No evidence of benefit&#8221; is not evidence of no benefit: the data could not show a difference.</p>',
    "</div>")
}

# One class's verdicts in one item: each resampling's verdict, then how far
# the resamplings moved that class's predicted risks before and after the
# prior correction (their range when several).
report_ovr_class_words <- function(x, cls) {
  s <- x$settings
  e <- x$per_class[[cls]]
  d <- e$decisions
  head <- sprintf("<li><strong>%s</strong> (%s patients, %s%%): ", report_escape(cls),
                  format(as.double(s$n_events[[cls]]), big.mark = ","),
                  report_fixed(100 * as.double(s$n_events[[cls]]) / s$n))
  if (is.null(d) || nrow(d) == 0) return(paste0(head, "no resampling could be compared with none.</li>"))
  several <- length(unique(d$learner)) > 1
  verdicts <- vapply(seq_len(nrow(d)), function(i) {
    sprintf('%s%s: <span class="sg-verdict">%s</span>%s', report_escape(d$sampler[i]),
            if (several) paste(" with", report_escape(d$learner[i])) else "",
            report_escape(d$verdict[i]),
            if (nzchar(d$detail[i] %||% "")) paste0(" (", report_escape(d$detail[i]), ")") else "")
  }, "")
  words <- paste0(head, paste(verdicts, collapse = "; "), ".")
  shift <- tryCatch(report_risk_shift(e), error = function(err) NULL)
  if (!is.null(shift) && nrow(shift) > 0) {
    span <- function(v, signed) {
      f <- function(z) if (signed) formatC(round(z, 1) + 0, digits = 1, format = "f", flag = "+")
                       else report_fixed(abs(z))
      r <- range(v)
      if (f(r[1]) == f(r[2])) f(r[1]) else paste(f(r[1]), "to", f(r[2]))
    }
    up <- all(shift$raw >= 0)
    down <- all(shift$raw < 0)
    words <- paste0(words, sprintf(
      " Resampling %s this class&#8217;s predicted risks by %s percentage points on average",
      if (up) "raised" else if (down) "lowered" else "moved",
      span(if (up || down) abs(shift$raw) else shift$raw, !(up || down))))
    if (isTRUE(s$correct_prior)) {
      words <- paste0(words, sprintf(
        "; after prior correction the difference from the model without resampling was %s points",
        span(shift$corrected, TRUE)))
    }
    words <- paste0(words, ".")
  }
  paste0(words, "</li>")
}

# One table per threshold rule with a row per class, learner and sampler:
# each class's patients caught and missed among 1,000 patients of every
# class, and the patients of the other classes flagged as that class.
report_ovr_thousand <- function(x, classes) {
  s <- x$settings
  pt <- do.call(rbind, lapply(classes, function(cls) {
    p <- report_per_thousand(x$per_class[[cls]])
    cbind(data.frame(class = rep(cls, nrow(p)), stringsAsFactors = FALSE), p)
  }))
  prev <- vapply(classes, function(cls) report_eval_prevalence(x$per_class[[cls]]), 0)
  shown <- function(at) {
    p <- pt[pt$at == at, , drop = FALSE]
    out <- data.frame(class = p$class, learner = p$learner, resampling = p$sampler,
                      caught = report_fixed(p$caught), missed = report_fixed(p$missed),
                      `false alarms` = report_fixed(p$false_alarms), check.names = FALSE,
                      stringsAsFactors = FALSE)
    # one learner: named in the text, not in every row
    if (length(unique(p$learner)) == 1) out$learner <- NULL
    out
  }
  raw <- c("caught", "missed", "false alarms")
  c(report_par(sprintf(
    "Among 1,000 patients like these (%s), for each class: how many of its patients the model for that class (that class against the rest%s) catches and misses, and how many patients of the other classes it flags as that class (false alarms). Numbers are %s; classes rarest first.",
    paste(sprintf("%s %s", report_fixed(1000 * prev, 0), report_escape(classes)), collapse = ", "),
    if (length(unique(pt$learner)) == 1) paste(", learner", report_escape(pt$learner[1])) else "",
    if (s$n_holdout > 0) "from the holdout" else "means over the folds")),
    "", "### At the same risk threshold", "",
    report_par("Every model, after prior correction, flags a patient whose predicted risk of the class is at least ",
               describe_threshold(s$threshold), "."),
    report_table(shown("same"), raw = raw),
    "", "### At matched sensitivity", "",
    report_par("Each model's threshold moved until it catches as many patients of its class as the model without resampling: only the false alarms can differ, so a moved threshold cannot pass for a better model. ",
               report_matched_note()),
    report_table(shown("matched"), raw = raw))
}

report_ovr_curves <- function(x, ctx, classes, learners) {
  out <- report_par("One set of curves per class against the rest, rarest class first. The grey dashed line is the model without resampling, drawn on top so that a curve it coincides with shows between its dashes; each resampling keeps its colour in every plot. ",
                    "Curves use ", report_escape(attr(curve_source(x$per_class[[1]]$predictions), "source")),
                    " predictions", if (isTRUE(x$settings$correct_prior)) ", after prior correction" else "", ".")
  for (cls in classes) {
    e <- x$per_class[[cls]]
    for (lrn in learners) {
      out <- c(out, "", paste0("### ", report_escape(cls), " against the rest",
                               if (length(learners) > 1) paste0(", learner ", report_escape(lrn))), "")
      out <- c(out, report_figure(ctx, function() {
        graphics::par(cex = 1.1)
        graphics::plot(e, type = c("pr", "calibration", "decision", "spread"), learner = lrn)
      }, alt = paste("Curves for", cls, "against the rest,", lrn), width = 1400, height = 1320,
      res = 165))
    }
  }
  out
}

# The macro average's spread over the splits, then each class's PR-AUC and
# ROC-AUC.
report_ovr_spread <- function(x, classes) {
  s <- x$settings
  corrected <- isTRUE(s$correct_prior)
  out <- c(report_par("Mean (standard deviation) over the ", length(x$splits), " splits",
                      if (corrected) ", after prior correction" else "",
                      ". PR-AUC and ROC-AUC: higher is better; Brier: lower is better; calibration slope: 1 is best. Per class, the ranking measures; every measure per class is in <code>as.data.frame()</code> of the evaluation."),
           "", "### Average over the classes", "",
           report_ovr_spread_tables(spread_table(x$metrics, corrected, 3)))
  keep <- c("pr_auc", "roc_auc")
  for (cls in classes) {
    tabs <- spread_table(x$per_class[[cls]]$metrics, corrected, 3)
    tabs <- lapply(tabs, function(t) t[t$metric %in% keep, , drop = FALSE])
    out <- c(out, "", sprintf("### %s against the rest", report_escape(cls)), "",
             report_ovr_spread_tables(tabs))
  }
  out
}

report_ovr_spread_tables <- function(tabs) {
  readable <- c(pr_auc = "PR-AUC", roc_auc = "ROC-AUC", brier = "Brier score",
                cal_intercept = "calibration intercept (0 is best)",
                cal_slope = "calibration slope (1 is best)",
                cal_intercept_error = "|calibration intercept| (0 is best)",
                cal_slope_error = "|calibration slope - 1| (0 is best)",
                recall = "sensitivity (recall)",
                precision = "positive predictive value (precision)")
  out <- character()
  for (lrn in names(tabs)) {
    t <- tabs[[lrn]]
    t$metric <- ifelse(t$metric %in% names(readable), readable[t$metric], t$metric)
    out <- c(out, report_table(t, caption = if (length(tabs) > 1) paste("Learner", lrn)))
  }
  out
}

report_ovr_methods <- function(x, ctx) {
  s <- x$settings
  smp <- s$samplers
  labels <- vapply(smp, function(z) z$label %||% z$method, "")
  n_ev <- as.double(s$n_events)
  text <- paste0(
    "Class imbalance: the outcome ", report_escape(s$var), " has ", length(s$classes),
    " classes (", paste(sprintf("%s %s%%", report_escape(s$classes), report_fixed(100 * n_ev / s$n)),
                        collapse = ", "), " of ", format(s$n, big.mark = ","),
    " patients). Each class was modelled against all the others (one-vs-rest), giving one two-class problem per class on the same splits. ",
    "For each, we compared training without resampling against ",
    report_design_text(x, labels, "applied",
                       "each class's real share of the training rows by a prior (intercept) correction on the log-odds scale. "),
    "Each metric was averaged over the classes per split (macro average; for calibration, the distances of the slope from 1 and of the intercept from 0). ",
    "Resampling was judged to help only if PR-AUC or ROC-AUC improved (paired differences over the splits, Nadeau-Bengio corrected variance, Holm adjustment) without worse calibration after correction, on the macro average and, separately, for each class.")
  report_methods_parts(x, ctx, text,
                       unlist(lapply(x$per_class, function(e) e$records), recursive = FALSE))
}

# ---------------------------------------------------------------------------
# A result of sg_oversample()

report_result <- function(x, ctx) {
  rec <- sg_record(x)
  s <- rec$settings
  counts <- rec$counts
  dg <- tryCatch(sg_diagnose(x), error = function(e) e)
  body <- c(
    '<div class="sg-first">',
    sprintf("<p>%s on <code>%s</code>: %s real rows in, %s synthetic rows made, %s rows out.</p>",
            report_escape(s$method), report_escape(s$var), format(rec$n_input, big.mark = ","),
            format(nrow(rec$provenance), big.mark = ","), format(rec$n_result, big.mark = ",")),
    report_result_words(rec),
    "</div>",
    report_section("Rows per class", report_table(counts[intersect(c("class", "before", "target", "after", "added", "removed"), names(counts))])),
    report_section("What the guard did", report_table(rec$guard$report[intersect(c(
      "class", "seeds", "parents_used", "unsafe", "noise", "drawn", "rejected_intrusion",
      "rejected_bound", "rejected_rule", "made", "shortfall"), names(rec$guard$report))])),
    report_section("Fidelity: synthetic against real rows of the class",
                   report_par("Shift: difference of means in standard deviations of the real rows; flagged when it is larger than chance allows."),
                   report_table(rec$fidelity)),
    report_section("Diagnosis",
                   if (inherits(dg, "error")) report_par("The diagnosis failed: ", report_escape(conditionMessage(dg)))
                   else c(report_diagnosis_tables(dg),
                          report_figure(ctx, function() plot(dg), alt = "Diagnosis", width = 1600,
                                        height = 1200, res = 140))),
    report_section("Methods", report_methods_common(
      rec$seed, rec$fingerprint, report_config_json(sampler_from_record(rec)))))
  list(title = sprintf("Oversampling the outcome %s", s$var), body = body)
}

# The guard's and the fidelity check's findings in two sentences.
report_result_words <- function(rec) {
  g <- rec$guard$report
  out <- character()
  if (is.data.frame(g) && nrow(g) > 0) {
    total <- function(f) if (f %in% names(g)) sum(g[[f]], na.rm = TRUE) else 0
    rejected <- sum(vapply(c("rejected_intrusion", "rejected_bound", "rejected_rule", "rejected_combo"),
                           total, 0))
    out <- c(out, sprintf(
      "<p>The guard kept %s unsafe and %s noise row(s) from being parents and rejected %s drawn row(s)%s.</p>",
      format(total("unsafe"), big.mark = ","), format(total("noise"), big.mark = ","),
      format(rejected, big.mark = ","),
      if (total("shortfall") > 0) sprintf("; %s row(s) short of the target", format(total("shortfall"), big.mark = ","))
      else "; every target was met"))
  }
  f <- rec$fidelity
  if (is.data.frame(f) && nrow(f) > 0) {
    flagged <- f$column[f$flagged %in% TRUE]
    out <- c(out, sprintf("<p>Fidelity: %s</p>", if (length(flagged) == 0)
      sprintf("the synthetic rows matched the real rows of their class on all %d column(s).", nrow(f))
      else sprintf("the synthetic rows differed from the real rows of their class beyond chance on %d of %d column(s): %s.",
                   length(flagged), nrow(f), paste0("<code>", report_escape(flagged), "</code>", collapse = ", "))))
  }
  out
}

# The diagnosis's metrics: one table of the headline metrics, and one of
# the per-column ones (`ks:x`, `mean_shift:x`, ...) with a column each.
report_diagnosis_tables <- function(dg) {
  t <- as.data.frame(dg)
  per_col <- grepl(":", t$metric, fixed = TRUE)
  out <- report_table(t[!per_col, intersect(c("class", "metric", "value", "se", "n", "reading"),
                                            names(t)), drop = FALSE])
  if (any(per_col)) {
    p <- t[per_col, , drop = FALSE]
    stat <- sub(":.*$", "", p$metric)
    p$column <- sub("^[^:]*:", "", p$metric)
    wide <- unique(p[c("class", "column")])
    for (st in unique(stat)) {
      key <- paste(p$class, p$column, sep = "\r")[stat == st]
      wide[[st]] <- p$value[stat == st][match(paste(wide$class, wide$column, sep = "\r"), key)]
    }
    out <- c(out, report_table(wide, caption = "Per column: synthetic against real rows (shifts in standard deviations)"))
  }
  out
}

# ---------------------------------------------------------------------------
# A drift check

report_drift <- function(x, ctx) {
  t <- x$table
  fl <- drift_flagged(x)
  body <- c(
    '<div class="sg-first">',
    sprintf("<p>A batch of %s rows against a reference (%s) of %s rows: <strong>%s</strong>.</p>",
            format(x$n_cur, big.mark = ","), if (identical(x$source, "record")) "a result's record" else "data",
            format(x$n_ref, big.mark = ","), report_drift_words(x)),
    "</div>",
    report_section("Drifted features", report_drift_flagged(fl, x$alpha)),
    report_section("Drift per feature",
                   report_par("Every feature, in the data's order. PSI readings: below 0.1 stable, 0.1 to 0.25 some shift, above 0.25 a large shift (shown, not used to flag: see Drifted features)."),
                   report_drift_all(t),
                   report_figure(ctx, function() plot(x), alt = "Drift per feature",
                                 width = 1400, height = max(600, 120 + 60 * nrow(t)), res = 140)),
    report_section("Methods", report_par(
      "PSI over the reference's deciles, Kolmogorov-Smirnov for numeric features, total variation for nominal ones, and the change in the missing share; no-drift distributions from ",
      x$n_null, " simulations. smoteguard ", report_escape(session_versions()$package), "."),
      "", "### Session", "", report_code(report_session())))
  list(title = "Drift check", body = body)
}

# Every feature of a drift check, in the data's order.
report_drift_all <- function(t) {
  pct <- function(v) ifelse(is.na(v), "", paste0(report_fixed(100 * v), "%"))
  tab <- data.frame(feature = t$feature, kind = t$kind, PSI = t$psi, reading = t$psi_reading,
                    KS = t$ks, `total variation` = t$tv,
                    missing = ifelse(t$missing_ref == 0 & t$missing_cur == 0, "",
                                     paste(pct(t$missing_ref), "\u2192", pct(t$missing_cur))),
                    p_tests = report_p(t$p_value), flagged = t$flagged,
                    check.names = FALSE, stringsAsFactors = FALSE)
  names(tab)[names(tab) == "p_tests"] <- "p \u00d7 tests"
  report_table(tab, raw = "p \u00d7 tests")
}

# The drifted features of a check in one sentence: how many, and the
# largest shifts with their PSI (the first `most`); the outcome's class
# shares apart, as they are not a predictor.
report_drift_words <- function(x, most = 5, see = " (see Drifted features)") {
  fl <- drift_flagged(x)
  out <- fl$kind == "outcome"
  n_features <- sum(x$table$kind != "outcome")
  named <- function(f) {
    paste0("<code>", report_escape(f$feature), "</code>",
           ifelse(is.na(f$psi), "", sprintf(" (PSI %s, %s)", report_fixed(f$psi, 2),
                                            report_escape(f$psi_reading))))
  }
  feat <- fl[!out, , drop = FALSE]
  words <- if (nrow(feat) == 0) sprintf("no feature of %d drifted beyond chance", n_features)
  else sprintf("%d of %d feature(s) drifted, largest shift first: %s%s", nrow(feat), n_features,
               paste(named(utils::head(feat, most)), collapse = ", "),
               if (nrow(feat) > most) sprintf(" and %d more%s", nrow(feat) - most, see) else "")
  if (any(out)) {
    words <- paste0(words, "; the outcome&#8217;s class shares shifted too: ", named(fl[out, , drop = FALSE])[1])
  }
  words
}

report_drift_tests <- c(psi = "PSI", ks = "Kolmogorov-Smirnov", tv = "total variation",
                        missing = "missing share")

# A p-value as a reader meets it: very small ones as "< 0.0001".
report_p <- function(p) ifelse(is.na(p), "NA", ifelse(p < 1e-4, "&lt; 0.0001", report_num(p, 2)))

# The table of drifted features (drift_flagged()), with `batch` first when
# given; the explanation of the flag above it.
report_drift_flagged <- function(fl, alpha, batch = NULL) {
  expl <- report_par(
    "Largest shift first (by PSI, which puts numeric and nominal features on one scale). ",
    "A feature is flagged when one of its tests (PSI, Kolmogorov-Smirnov or total variation, and the change in the share of missing values) has a p-value below ",
    report_num(alpha), " divided by the number of its tests (Bonferroni): the column <em>flagged by</em> names the test with the smallest p-value and its statistic, <em>p &#215; tests</em> is that p-value times the number of tests, and <em>level</em> what each test had to beat. ",
    "The p-values come from the no-drift distribution for these two sample sizes, so a small batch is not flagged for its noise alone.")
  if (nrow(fl) == 0) return(c(expl, report_par("<em>No feature drifted beyond chance.</em>")))
  stat <- ifelse(fl$test == "missing",
                 sprintf("%s%% &#8594; %s%%", report_fixed(100 * fl$missing_ref), report_fixed(100 * fl$missing_cur)),
                 report_num(fl$statistic))
  tab <- data.frame(feature = fl$feature, kind = fl$kind,
                    PSI = ifelse(is.na(fl$psi), "", sprintf("%s (%s)", report_fixed(fl$psi, 3),
                                                            report_escape(fl$psi_reading))),
                    `flagged by` = sprintf("%s %s", report_drift_tests[fl$test], stat),
                    p_tests = report_p(fl$p_value),
                    level = report_num(fl$level),
                    check.names = FALSE, stringsAsFactors = FALSE)
  names(tab)[names(tab) == "p_tests"] <- "p \u00d7 tests"
  if (!is.null(batch)) tab <- cbind(batch = batch, tab, stringsAsFactors = FALSE)
  c(expl, report_table(tab, raw = c("PSI", "flagged by", "p \u00d7 tests", "level")))
}

# ---------------------------------------------------------------------------
# A ledger

report_ledger <- function(x, ctx) {
  kinds <- table(factor(x$kind))
  # the time on one line: non-breaking hyphens and space
  time <- gsub(" ", "&#160;", gsub("-", "&#8209;", format(x$time, "%Y-%m-%d %H:%M:%S"), fixed = TRUE),
               fixed = TRUE)
  says <- report_ledger_says(x)
  # wide enough to read as a sentence, not a column of words
  says <- ifelse(nzchar(says), paste0('<span class="sg-says">', says, "</span>"), "")
  tab <- data.frame(time = time, kind = x$kind, says = says,
                    author = x$author, why = x$why, method = x$method, var = x$var,
                    seed = x$seed, rows_before = x$rows_before, rows_after = x$rows_after,
                    fingerprint = x$fingerprint, id = x$id, stringsAsFactors = FALSE)
  # an entry of one kind leaves the other kinds' fields empty: blank, not NA
  tab[] <- lapply(tab, function(v) {
    v <- ifelse(is.na(v), "", as.character(v))
    v
  })
  body <- c(
    '<div class="sg-first">',
    sprintf("<p>%d entr%s: %s.</p>", nrow(x), if (nrow(x) == 1) "y" else "ies",
            paste(sprintf("%d %s", as.integer(kinds), report_escape(names(kinds))), collapse = ", ")),
    "</div>",
    report_section("History", report_table(tab, raw = c("time", "says"))),
    report_section("Methods", report_par(
      "Entries as read by <code>sg_ledger_read()</code>, in the file's order; smoteguard ",
      report_escape(session_versions()$package), ".")))
  list(title = "Ledger history", body = body)
}

# What a drift or monitoring entry found, in words (HTML, escaped):
# the drifted features; the alerts that are not ok.
report_ledger_says <- function(x) {
  vapply(seq_len(nrow(x)), function(i) {
    e <- x$entry[[i]]
    if (identical(x$kind[i], "drift") && is.list(e$drift)) {
      return(report_drift_words(structure(e$drift, class = "sg_drift"), most = 3, see = ""))
    }
    if (identical(x$kind[i], "monitor") && is.list(e$monitor)) {
      t <- e$monitor$table
      bad <- !is.na(t$alert) & t$alert != "ok"
      if (!any(bad)) return("every metric ok")
      return(paste(sprintf("%s: %s", toupper(t$alert[bad]), report_escape(t$metric[bad])),
                   collapse = ", "))
    }
    ""
  }, "")
}

# ---------------------------------------------------------------------------
# Monitoring: one sg_monitor() check or a sequence of them

# The checks in time order (as sg_monitor_plot() shows them; a tie keeps
# the order given), each with the name it is shown by.
report_monitor_checks <- function(x, call) {
  checks <- monitor_collect(list(x), call)
  checks <- checks[order(vapply(checks, function(m) as.double(m$time), 0))]
  names(checks) <- vapply(checks, function(m) {
    if (!is.na(m$label)) m$label else format(m$time, "%Y-%m-%d %H:%M")
  }, "")
  checks
}

# What an alert on a metric says, in words: one sentence per metric and
# level; the direction of a calibration change from the batch's estimate
# against the baseline's fold mean.
report_monitor_words <- function(row) {
  a <- row$alert
  if (is.na(a)) {
    return(paste0("not judged: ", if (nzchar(row$note)) row$note else "too little to compare with", "."))
  }
  above <- !is.na(row$estimate) && !is.na(row$base_mean) && row$estimate > row$base_mean
  how <- if (a == "act") "worse than in any fold of the validation" else "worse than validated on average"
  switch(row$metric,
    pr_auc = if (a == "ok") "the model still ranks patients with the event above the others as validated."
             else sprintf("the model now ranks patients with the event above the others less well: %s.", how),
    recall = if (a == "ok") "the model still catches the share of events it caught when validated."
             else sprintf("the model now misses more of the patients with the event at the agreed threshold: %s.", how),
    brier = if (a == "ok") "the predicted risks are still as close to the outcomes as validated."
            else sprintf("the predicted risks are now further from what happens: %s.", how),
    cal_intercept = if (a == "ok") "the predicted risks are still right on average."
                    else sprintf("predicted risks are now systematically off (%s on average than the events seen): %s.",
                                 if (above) "lower" else "higher", how),
    cal_slope = if (a == "ok") "the spread of the predicted risks still matches the outcomes."
                else sprintf("the predicted risks are now %s: %s.",
                             if (above) "too cautious (too close to the average)" else "too extreme (too high for high risks, too low for low ones)",
                             how),
    paste0(a, "."))
}


# The drifted features of every batch that was checked for drift, newest
# batch first.
report_monitor_drift <- function(checks) {
  has <- vapply(checks, function(m) inherits(m$drift, "sg_drift"), logical(1))
  if (!any(has)) {
    return(report_par("No batch was checked for drift of its predictors: pass the training data (or the drift check of the batch) as <code>drift =</code> to <code>sg_monitor()</code>."))
  }
  idx <- rev(which(has))
  fl <- lapply(idx, function(i) drift_flagged(checks[[i]]$drift))
  alpha <- unique(vapply(idx, function(i) checks[[i]]$drift$alpha, 0))
  counts <- sprintf("%s: %d of %d", report_escape(names(checks)[idx]),
                    vapply(fl, function(f) sum(f$kind != "outcome"), 0L),
                    vapply(idx, function(i) sum(checks[[i]]$drift$table$kind != "outcome"), 0L))
  c(report_par("Each batch's predictors (and the outcome's class shares) against the reference data, newest batch first (predictors flagged: ",
               paste(counts, collapse = "; "), ")",
               if (sum(!has) > 0) sprintf("; %d batch(es) not checked", sum(!has)) else "", "."),
    report_drift_flagged(do.call(rbind, fl), if (length(alpha) == 1) alpha else max(alpha),
                         batch = rep(names(checks)[idx], vapply(fl, nrow, 0L))))
}

report_monitor <- function(x, ctx) {
  checks <- report_monitor_checks(x, ctx$call)
  last <- checks[[length(checks)]]
  alerts <- report_monitor_alerts(last)
  base <- report_monitor_baselines(checks)
  base_text <- report_monitor_baseline_words(base)
  tab <- report_monitor_table(checks)
  seeds <- vapply(checks, function(m) if (is.na(m$seed)) "none" else format(m$seed), "")

  body <- c(
    '<div class="sg-first">',
    sprintf("<p>The latest batch, <strong>%s</strong> (%s rows, %s of them <code>%s</code>), against %s: <strong>%s</strong>.</p>",
            report_escape(names(checks)[length(checks)]), format(last$n, big.mark = ","),
            format(last$events, big.mark = ","), report_escape(last$positive),
            paste(base_text, collapse = "; "), alerts$summary),
    "<ul>", alerts$items, "</ul>",
    report_par("<strong>Predictors:</strong> ",
               if (inherits(last$drift, "sg_drift")) paste0(report_drift_words(last$drift), ".")
               else "not checked for drift in this batch (pass <code>drift =</code> to <code>sg_monitor()</code>)."),
    "</div>",
    report_section("What the alerts mean",
      report_par("Each batch is scored with the validated model and compared with how the model did over the folds of its evaluation. Each metric gets a 95% bootstrap interval (", last$B, " resamples of the batch's rows). A metric is worse when PR-AUC or sensitivity falls, when the Brier score rises, or when either calibration measure moves in either direction."),
      "<ul>",
      "<li><strong>ACT</strong>: the batch's whole interval is worse than the worst fold of the validation. The model is performing outside what was validated, beyond the batch's own noise: review it (recalibrate or retrain) before relying on its risks.</li>",
      "<li><strong>WATCH</strong>: the batch's whole interval is worse than the validation's average, but not beyond its worst fold. Keep checking; act if the next batches agree.</li>",
      "<li><strong>OK</strong>: within what was validated.</li>",
      "<li><strong>NOT JUDGED</strong> (NA): the batch could not give the metric (e.g. no events), or the evaluation had fewer than two folds with a value for it.</li>",
      "</ul>"),
    report_section("Drifted features", report_monitor_drift(checks)),
    report_section("Every batch and metric",
      report_par(length(checks), " batch(es), oldest first. Interval: 95% bootstrap interval of the batch; fold mean, standard deviation and range: the baseline's folds."),
      report_table(tab, raw = c("interval", "fold mean (sd)", "fold range"))),
    report_section("Over time",
      report_figure(ctx, function() sg_monitor_plot(checks, order = "given"),
                    alt = "Monitoring over time", width = 1400,
                    height = 1500, res = 170)),
    report_section("Methods", report_par(
      "Metrics as computed by <code>sg_evaluate()</code>, ",
      if (isTRUE(last$corrected)) "against the baseline's prior-corrected metrics" else "against the baseline's raw metrics",
      "; threshold for sensitivity ", report_num(last$threshold, 4), " (", report_escape(last$threshold_source),
      "). Alert rule of <code>?sg_monitor</code> (\"The alert rule\"). smoteguard ",
      report_escape(session_versions()$package), "; R ", report_escape(session_versions()$r),
      "; bootstrap seed", if (length(unique(seeds)) > 1) "s" else "", " ",
      paste(report_escape(unique(seeds)), collapse = ", "), "; the baseline's seed ",
      paste(report_escape(ifelse(is.na(base$seed), "none", base$seed)), collapse = ", "), "."),
      "", "### Session", "", report_code(report_session())))
  list(title = "Monitoring: is the model still performing as validated?", body = body)
}

# The latest batch's alerts as list items, worst first, and the verdict they
# add up to.
report_monitor_alerts <- function(last) {
  t <- last$table
  level <- c(act = 1, watch = 2, ok = 3)
  t <- t[order(ifelse(is.na(t$alert), 4, level[t$alert]), match(t$metric, monitor_metrics)), ,
         drop = FALSE]
  names_of <- function(m) ifelse(m %in% names(monitor_metric_label),
                                 monitor_metric_label[m], report_escape(m))
  alerts <- vapply(seq_len(nrow(t)), function(i) {
    a <- t$alert[i]
    sprintf('<li class="sg-alert-%s"><strong>%s: %s</strong> &#8212; %s</li>',
            if (is.na(a)) "na" else a, names_of(t$metric[i]),
            if (is.na(a)) "NOT JUDGED" else toupper(a),
            report_monitor_words(t[i, , drop = FALSE]))
  }, "")
  n_alert <- table(factor(t$alert, levels = c("act", "watch", "ok")))
  summary <- if (n_alert[["act"]] > 0) "act on it" else if (n_alert[["watch"]] > 0) "watch it" else "no action needed"
  list(items = alerts, summary = summary)
}

# The baselines the batches were judged against, one row each.
report_monitor_baselines <- function(checks) {
  unique(do.call(rbind, lapply(checks, function(m) {
    data.frame(sampler = m$sampler, learner = m$learner,
               evaluation = m$baseline$fingerprint %||% NA_character_,
               ledger_id = m$baseline$ledger_id %||% NA_character_,
               seed = as.character(m$baseline$seed %||% NA), stringsAsFactors = FALSE)
  })))
}

# Each baseline in words: its evaluation, ledger entry and seed, where known.
report_monitor_baseline_words <- function(base) {
  vapply(seq_len(nrow(base)), function(i) {
    b <- base[i, ]
    which <- c(if (!is.na(b$evaluation)) paste0("data fingerprint <code>", report_escape(b$evaluation), "</code>"),
               if (!is.na(b$ledger_id)) paste0("ledger entry <code>", report_escape(b$ledger_id), "</code>"),
               if (!is.na(b$seed)) paste0("seed ", report_escape(b$seed)))
    paste0("the evaluation",
           if (length(which)) paste0(" (", paste(which, collapse = ", "), ")") else "",
           ", sampler <code>", report_escape(b$sampler), "</code> and learner <code>",
           report_escape(b$learner), "</code>")
  }, "")
}

# Every batch and metric, oldest batch first, as the report's table.
report_monitor_table <- function(checks) {
  do.call(rbind, lapply(seq_along(checks), function(i) {
    m <- checks[[i]]
    d <- as.data.frame(m)
    data.frame(batch = names(checks)[i], rows = d$n, events = d$events,
               metric = ifelse(d$metric %in% names(monitor_metric_label),
                               monitor_metric_label[d$metric], d$metric),
               estimate = d$estimate,
               interval = sprintf("[%s, %s]", report_num(d$lower), report_num(d$upper)),
               `fold mean (sd)` = sprintf("%s (%s)", report_num(d$base_mean), report_num(d$base_sd)),
               `fold range` = sprintf("%s to %s", report_num(d$base_min), report_num(d$base_max)),
               alert = ifelse(is.na(d$alert), "NA", d$alert), note = d$note,
               check.names = FALSE, stringsAsFactors = FALSE)
  }))
}
