# sg_report(): one self-contained HTML page per kind of object.

test_that("report_escape() leaves no markdown or HTML syntax in text from data", {
  x <- c("<script>alert(1)</script>", "[x](javascript:alert(1))", "a_b *c* `d` #e",
         "plain text", NA, "line\nbreak", "caf\u00e9 & \"q\"")
  e <- smoteguard:::report_escape(x)
  expect_false(any(grepl("[][<>()`*_#&\"]", gsub("&#[0-9]+;", "", e))))
  expect_identical(e[4], "plain text")
  expect_identical(e[5], "NA")
  expect_identical(e[6], "line break")
  # the character references read back as the text
  back <- vapply(e, function(s) {
    codes <- regmatches(s, gregexpr("&#[0-9]+;", s))[[1]]
    for (code in unique(codes)) {
      s <- gsub(code, intToUtf8(as.integer(gsub("[&#;]", "", code))), s, fixed = TRUE)
    }
    s
  }, "", USE.NAMES = FALSE)
  expect_identical(back[c(1:4, 7)], x[c(1:4, 7)])
})

skip_if_not_installed("rmarkdown")
skip_if_not(rmarkdown::pandoc_available("2.0"), "pandoc is not installed")

# the page without its time stamp
read_page <- function(file) {
  html <- paste(readLines(file, warn = FALSE, encoding = "UTF-8"), collapse = "\n")
  html <- gsub('<p class="sg-stamp">[^<]*</p>', "", html)
  # pandoc puts the tags of raw HTML on lines of their own
  gsub("\n*(<[^>]+>)\n*", "\\1", html)
}

# the pages made once here, read by several tests, and the objects they
# were made from
pages <- withr::local_tempdir(.local_envir = teardown_env())
page <- function(name) file.path(pages, paste0(name, ".html"))
made <- new.env()

# a search in the page, without printing the page when it fails
expect_has <- function(html, pattern, fixed = TRUE, ...) {
  expect_true(grepl(pattern, html, fixed = fixed, ...), info = pattern)
}
expect_lacks <- function(html, pattern, fixed = TRUE) {
  expect_false(grepl(pattern, html, fixed = fixed), info = pattern)
}

expect_self_contained <- function(html, images = TRUE) {
  src <- regmatches(html, gregexpr('<img[^>]*src="[^"]*"', html))[[1]]
  expect_identical(length(src) > 0, images)
  expect_true(all(grepl('src="data:image/png;base64,', src, fixed = TRUE)))
  # nothing to load from elsewhere: no src or href to the network
  expect_false(grepl("(src|href)=[\"']?(https?:)?//", html))
  expect_lacks(html, "@import")
}

expect_sections <- function(html, titles) {
  for (t in titles) expect_has(html, paste0("<h2>", t))
}

small <- breast_biopsy[c(which(breast_biopsy$diagnosis == "benign")[1:150],
                         which(breast_biopsy$diagnosis == "malignant")[1:90]), ]
ev <- sg_evaluate(small, "diagnosis", resamples = sg_folds(folds = 3, repeats = 1),
                  holdout = 0, seed = 3)
res <- sg_oversample(small, "diagnosis", seed = 3)

test_that("an evaluation's report holds its numbers and every section", {
  file <- page("evaluation")
  expect_identical(sg_report(ev, file), file)
  html <- read_page(file)
  expect_self_contained(html)
  expect_sections(html, c("Per 1,000 patients", "Curves", "Across the folds", "Subgroups",
                          "What the samplers did: guard and fidelity", "Error analysis",
                          "Methods", "The verdict"))
  expect_has(html, "<title>Does resampling help predict malignant?</title>", fixed = TRUE)
  # the verdict in the object's words, never "did not help"
  for (v in ev$decisions$verdict) expect_has(html, v, ignore.case = TRUE, fixed = FALSE)
  expect_lacks(html, "did not help")
  # the risk shift: mean predicted risk minus that of "none", in points
  p <- ev$predictions[ev$predictions$rep == 1, ]
  for (s in c("smote-plain", "smote-guard")) {
    raw <- 100 * (mean(p$p[p$sampler == s]) - mean(p$p[p$sampler == "none"]))
    cor <- 100 * (mean(p$p_corrected[p$sampler == s]) - mean(p$p[p$sampler == "none"]))
    expect_has(html, sprintf('<span class="sg-shift">%s</span>', formatC(abs(raw), digits = 1, format = "f")),
                 fixed = TRUE)
    expect_has(html, sprintf('<span class="sg-shift-corrected">%s</span>',
                               formatC(round(cor, 1) + 0, digits = 1, format = "f", flag = "+")), fixed = TRUE)
  }
  # per 1,000 patients, from the metrics' means over the folds
  m <- ev$metrics[ev$metrics$corrected, ]
  prev <- ev$settings$n_events / ev$settings$n
  for (s in levels(m$sampler)) {
    rec <- mean(m$value[m$sampler == s & m$metric == "recall"])
    spec <- mean(m$value[m$sampler == s & m$metric == "specificity"])
    mrec <- mean(m$value[m$sampler == s & m$metric == "matched_recall"])
    mspec <- mean(m$value[m$sampler == s & m$metric == "matched_specificity"])
    row <- function(r, sp) {
      sprintf("<td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>", formatC(1000 * prev * r, digits = 1, format = "f"),
              formatC(1000 * prev * (1 - r), digits = 1, format = "f"),
              formatC(1000 * (1 - prev) * (1 - sp), digits = 1, format = "f"))
    }
    expect_has(html, paste0(s, "</td>", row(rec, spec)), fixed = TRUE)
    expect_has(html, paste0(s, "</td>", row(mrec, mspec)), fixed = TRUE)
  }
  # methods: version, seed, a fingerprint, the configuration, the session
  expect_has(html, ev$records[[1]]$record$fingerprint, fixed = TRUE)
  expect_has(html, "TRIPOD+AI item 13", fixed = TRUE)
  expect_has(html, "&quot;method&quot;: &quot;smote&quot;|\"method\": \"smote\"", fixed = FALSE)
  expect_has(html, "R version", fixed = TRUE)
  # the patients' rows only when asked for
  expect_lacks(html, "Missed patients")
  file2 <- withr::local_tempfile(fileext = ".html")
  sg_report(ev, file2, include_rows = TRUE, audience = "technical")
  html2 <- read_page(file2)
  expect_has(html2, "Missed patients", fixed = TRUE)
  expect_has(html2, "The verdict(&#8217;|’)s statistics", fixed = FALSE)
})

# three classes, one of them named like markup: evaluated one-vs-rest
set.seed(4)
n3 <- 300
d3 <- data.frame(a = rnorm(n3), b = rnorm(n3), c = rnorm(n3))
lp3 <- cbind(0, 0.8 * d3$a - 0.3, 1.2 * d3$b - 1.6)
p3 <- exp(lp3) / rowSums(exp(lp3))
d3$y <- factor(apply(p3, 1, function(r) {
  sample(c("common", "middle", "<script>alert(1)</script>"), 1, prob = r)
}))
ev3 <- sg_evaluate(d3, "y", resamples = sg_folds(folds = 3, repeats = 1), holdout = 0, seed = 5)

test_that("a one-vs-rest evaluation's report: each class's verdict and numbers, per class", {
  expect_s3_class(ev3, "sg_evaluation_ovr")
  file <- page("evaluation-ovr")
  expect_identical(sg_report(ev3, file), file)
  html <- read_page(file)
  # one figure of curves per class, all embedded
  expect_self_contained(html)
  expect_length(regmatches(html, gregexpr("<img", html))[[1]], 3L)
  expect_sections(html, c("Per 1,000 patients", "Curves", "Across the folds", "Subgroups",
                          "What the samplers did: guard and fidelity", "Error analysis",
                          "Methods", "The verdict"))
  expect_has(html, "<title>Does resampling help tell the classes of y apart?</title>")
  # the class named like markup is text
  expect_lacks(html, "<script>alert")
  shown <- function(cls) gsub(">", "&gt;", gsub("<", "&lt;", cls, fixed = TRUE), fixed = TRUE)
  expect_has(html, "&lt;script&gt;alert(1)&lt;/script&gt; against the rest")
  # the macro average's verdict, then each class's, rarest first
  for (v in ev3$decisions$verdict) expect_has(html, v, ignore.case = TRUE, fixed = FALSE)
  classes <- names(sort(ev3$settings$n_events))
  at <- vapply(classes, function(cls) {
    regexpr(sprintf("<li><strong>%s</strong> (%d patients", shown(cls),
                    as.integer(ev3$settings$n_events[[cls]])), html, fixed = TRUE)
  }, 1L)
  expect_true(all(at > 0))
  expect_false(is.unsorted(at))
  for (cls in classes) {
    e <- ev3$per_class[[cls]]
    for (i in seq_len(nrow(e$decisions))) {
      expect_has(html, sprintf('%s: <span class="sg-verdict">%s</span>', e$decisions$sampler[i],
                               e$decisions$verdict[i]))
    }
    # how far resampling moved this class's risks, after the prior correction
    p <- e$predictions[e$predictions$rep == 1, ]
    cor <- vapply(c("smote-plain", "smote-guard"), function(s) {
      100 * (mean(p$p_corrected[p$sampler == s]) - mean(p$p[p$sampler == "none"]))
    }, 0)
    f <- formatC(round(range(cor), 1) + 0, digits = 1, format = "f", flag = "+")
    expect_has(html, sprintf("the model without resampling was %s points",
                             if (f[1] == f[2]) f[1] else paste(f, collapse = " to ")))
    # per 1,000 patients, from the class's metrics' means over the folds
    m <- e$metrics[e$metrics$corrected, ]
    prev <- e$settings$n_events / e$settings$n
    for (s in levels(m$sampler)) {
      val <- function(metric) mean(m$value[m$sampler == s & m$metric == metric])
      row <- function(r, sp) {
        sprintf('<td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>',
                shown(cls), s, formatC(1000 * prev * r, digits = 1, format = "f"),
                formatC(1000 * prev * (1 - r), digits = 1, format = "f"),
                formatC(1000 * (1 - prev) * (1 - sp), digits = 1, format = "f"))
      }
      expect_has(html, row(val("recall"), val("specificity")))
      expect_has(html, row(val("matched_recall"), val("matched_specificity")))
    }
  }
  # the macro average's spread over the folds
  macro <- ev3$metrics[ev3$metrics$corrected & ev3$metrics$metric == "pr_auc" &
                         ev3$metrics$sampler == "none", "value"]
  expect_has(html, sprintf("<td>PR-AUC</td><td>%s (%s)</td>", formatC(mean(macro), digits = 3, format = "f"),
                           formatC(stats::sd(macro), digits = 3, format = "f")))
  # methods: one-vs-rest, the fingerprints of every class's training parts
  expect_has(html, "one-vs-rest")
  expect_has(html, "TRIPOD+AI item 13")
  expect_has(html, ev3$per_class[[1]]$records[[1]]$record$fingerprint)
  expect_has(html, ev3$per_class[[3]]$records[[1]]$record$fingerprint)
})

test_that("a result's, a drift check's and a ledger's reports", {
  file <- page("result")
  sg_report(res, file)
  html <- read_page(file)
  expect_self_contained(html)
  expect_sections(html, c("Rows per class", "What the guard did", "Fidelity", "Diagnosis", "Methods"))
  rec <- sg_record(res)
  expect_has(html, sprintf("%d real rows in, %d synthetic rows made", rec$n_input,
                             nrow(rec$provenance)), fixed = TRUE)
  expect_has(html, rec$fingerprint, fixed = TRUE)

  # a large shift, a smaller one, a nominal one, missing values, and none
  set.seed(1)
  ref <- data.frame(a = rnorm(400), b = rnorm(400), c = rnorm(400), d = rnorm(400),
                    g = sample(c("x", "y", "z"), 400, TRUE))
  cur <- data.frame(a = rnorm(200, 1), b = rnorm(200, 0.5), c = rnorm(200), d = rnorm(200),
                    g = sample(c("x", "y", "z"), 200, TRUE, prob = c(0.6, 0.2, 0.2)))
  cur$c[1:40] <- NA
  dr <- sg_drift(ref, cur)
  made$drift <- dr
  fl <- smoteguard:::drift_flagged(dr)
  expect_identical(fl$feature, c("a", "b", "g", "c"))
  file <- page("drift")
  sg_report(dr, file)
  html <- read_page(file)
  expect_self_contained(html)
  expect_sections(html, c("Drifted features", "Drift per feature", "Methods"))
  expect_has(html, sprintf("A batch of %d rows against a reference (data) of %d rows", dr$n_cur, dr$n_ref))
  # the first screen names the drifted features, largest shift first, with their PSI
  expect_has(html, sprintf("4 of 5 feature(s) drifted, largest shift first: <code>a</code> (PSI %s, major), <code>b</code> (PSI %s,",
                           formatC(fl$psi[1], digits = 2, format = "f"),
                           formatC(fl$psi[2], digits = 2, format = "f")), fixed = TRUE)
  # the table: by how much, which test flagged it, its statistic, the level
  num <- function(v) smoteguard:::report_num(v)
  expect_has(html, sprintf("<td>a</td><td>numeric</td><td>%s (major)</td><td>Kolmogorov-Smirnov %s</td><td>&lt; 0.0001</td><td class=\"num\">%s</td>",
                           formatC(fl$psi[1], digits = 3, format = "f"), num(dr$table$ks[1]),
                           num(0.05 / 2)), fixed = TRUE)
  expect_has(html, sprintf("<td>c</td><td>numeric</td><td>%s (%s)</td><td>missing share 0.0%% \u2192 20.0%%</td>",
                           formatC(fl$psi[4], digits = 3, format = "f"), fl$psi_reading[4]), fixed = TRUE)
  expect_has(html, sprintf("<td>g</td><td>nominal</td><td>%s (%s)</td><td>", formatC(fl$psi[3], digits = 3, format = "f"),
                           fl$psi_reading[3]), fixed = TRUE)
  drifted <- regmatches(html, regexpr("<h2>Drifted features.*?</table>", html, perl = TRUE))
  shown <- regmatches(drifted, gregexpr("<tr><td>[a-z]+</td>", drifted))[[1]]
  expect_identical(gsub("<[^>]+>", "", shown), fl$feature)

  path <- withr::local_tempfile(fileext = ".jsonl")
  sg_ledger_append(res, path, why = "first run")
  sg_ledger_append(dr, path, why = "monthly check")
  led <- sg_ledger_read(path)
  made$ledger <- led
  file <- page("ledger")
  sg_report(led, file)
  html <- read_page(file)
  expect_self_contained(html, images = FALSE)
  expect_sections(html, c("History", "Methods"))
  expect_has(html, "2 entries: 1 drift, 1 result", fixed = TRUE)
  expect_has(html, "monthly check", fixed = TRUE)
  # what the drift entry found, in words
  expect_has(html, '<span class="sg-says">4 of 5 feature(s) drifted, largest shift first: <code>a</code> (PSI')
})

test_that("text from data is shown as text, never as markup or a link", {
  set.seed(2)
  n <- 240
  d <- data.frame(a = rnorm(n), b = rnorm(n),
                  g = factor(sample(c("[x](javascript:alert(1))", "plain"), n, TRUE)))
  names(d)[1] <- "<script>alert(1)</script>"
  d$y <- factor(ifelse(d[[1]] + rnorm(n) > 1, "event", "none"))
  res <- sg_oversample(d, "y", seed = 1)
  file <- withr::local_tempfile(fileext = ".html")
  sg_report(res, file, title = "<b>[t](javascript:alert(2))</b>")
  html <- read_page(file)
  expect_lacks(html, "<script>alert")
  expect_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;", fixed = TRUE)
  expect_lacks(html, "<b>[t]")
  expect_lacks(html, "href=\"javascript")

  path <- withr::local_tempfile(fileext = ".jsonl")
  sg_ledger_append(res, path, why = "[x](javascript:alert(1)) <i>note</i>")
  sg_report(sg_ledger_read(path), file, overwrite = TRUE)
  html <- read_page(file)
  expect_has(html, "[x](javascript:alert(1)) &lt;i&gt;note&lt;/i&gt;", fixed = TRUE)
  expect_lacks(html, "href=\"javascript")
  expect_lacks(html, "<i>note")

  ev <- sg_evaluate(d[-1], "y", resamples = sg_folds(folds = 2, repeats = 1), holdout = 0,
                    seed = 1)
  sg_report(ev, file, overwrite = TRUE, include_rows = TRUE)
  html <- read_page(file)
  expect_has(html, "<td>[x](javascript:alert(1))</td>", fixed = TRUE)
  expect_lacks(html, "href=\"javascript")

  # a drift check and a monitoring check that name the column: drifted
  d2 <- d
  d2[121:240, 1] <- d2[121:240, 1] + 2
  dr <- sg_drift(d2[1:120, ], d2[121:240, ], "y")
  expect_true(dr$table$flagged[1])
  m <- sg_monitor(rep(0.3, 120), d2[121:240, ], "y", ev, B = 20, seed = 1, drift = dr,
                  label = "[w](javascript:alert(3))")
  for (x in list(dr, m)) {
    sg_report(x, file, overwrite = TRUE)
    html <- read_page(file)
    expect_lacks(html, "<script>alert")
    expect_has(html, "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code> (PSI", fixed = TRUE)
    expect_has(html, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>", fixed = TRUE)
    expect_lacks(html, "href=\"javascript")
  }
  expect_has(html, "<strong>[w](javascript:alert(3))</strong>", fixed = TRUE)
})

test_that("an existing file is kept unless overwrite = TRUE; bad arguments are refused", {
  file <- withr::local_tempfile(fileext = ".html")
  writeLines("keep me", file)
  expect_error(sg_report(res, file), class = "smoteguard_error_exists")
  expect_identical(readLines(file), "keep me")
  sg_report(res, file, overwrite = TRUE)
  expect_match(read_page(file), "<html", fixed = TRUE)
  # no temporary file left beside it
  expect_identical(list.files(dirname(file), pattern = "^\\.smoteguard-", all.files = TRUE),
                   character())
  expect_error(sg_report(list(1), file), class = "smoteguard_error_input")
  expect_error(sg_report(res, file, include_rows = NA), class = "smoteguard_error_input")
  expect_error(sg_report(res, file, audience = "board"), "should be one of")
})

test_that("without pandoc the error says what to install", {
  withr::local_envvar(PATH = "", RSTUDIO_PANDOC = "")
  rmarkdown::find_pandoc(cache = FALSE)
  on.exit(rmarkdown::find_pandoc(cache = FALSE), add = TRUE)
  skip_if(rmarkdown::pandoc_available(), "pandoc is found outside PATH")
  file <- withr::local_tempfile(fileext = ".html")
  expect_error(sg_report(res, file), class = "smoteguard_error_pandoc")
  expect_error(sg_report(res, file), "apt-get install pandoc", fixed = TRUE)
  expect_false(file.exists(file))
})

test_that("a monitoring report: the latest alerts in words, every batch's numbers, the plot", {
  dev <- breast_biopsy[1:450, ]
  base <- sg_evaluate(dev, "diagnosis", samplers = sg_sampler("none"),
                      resamples = sg_folds(folds = 2, repeats = 1), holdout = 0, seed = 1)
  fit <- glm(diagnosis ~ ., data = dev, family = binomial)
  batch <- breast_biopsy[451:683, ]
  # week 1 with its drift check, week 2 checked against the training data
  # by sg_monitor() itself, with two predictors moved
  m1 <- sg_monitor(fit, batch, "diagnosis", base, B = 50, seed = 1, label = "<b>week 1</b>",
                   drift = sg_drift(dev, batch, "diagnosis"))
  p <- predict(fit, batch, type = "response")
  batch2 <- batch
  batch2$mitoses <- pmin(10L, batch2$mitoses + 4L)
  batch2$cell_size <- pmin(10L, batch2$cell_size + 1L)
  m2 <- sg_monitor(plogis(qlogis(p) - 3), batch2, "diagnosis", base, B = 50, seed = 2,
                   label = "week 2", drift = dev)
  # the shifted batch is the latest: its calibration-in-the-large acts
  m2$time <- m1$time + 60
  expect_identical(m2$table$alert[m2$table$metric == "cal_intercept"], "act")
  fl1 <- smoteguard:::drift_flagged(m1$drift)
  fl2 <- smoteguard:::drift_flagged(m2$drift)
  expect_true(all(c("mitoses", "cell_size") %in% fl2$feature))

  file <- page("monitor")
  expect_identical(sg_report(list(m1, m2), file), file)
  made$monitor <- list(m1, m2)
  html <- read_page(file)
  expect_self_contained(html)
  expect_sections(html, c("What the alerts mean", "Drifted features", "Every batch and metric",
                          "Over time", "Methods"))
  expect_has(html, "<title>Monitoring: is the model still performing as validated?</title>")
  # the baseline named
  expect_has(html, "the evaluation (seed 1), sampler <code>none</code> and learner <code>glm</code>")
  # the latest batch's alerts first, act before the others, in words
  first <- regmatches(html, regexpr('<div class="sg-first">.*?</div>', html, perl = TRUE))
  expect_has(first, sprintf("<strong>week 2</strong> (%d rows, %d of them <code>malignant</code>)",
                            m2$n, m2$events))
  expect_has(first, "<strong>Calibration-in-the-large: ACT</strong>")
  expect_has(first, "predicted risks are now systematically off (lower on average")
  items <- regmatches(first, gregexpr("<li class=\"sg-alert-[a-z]+\"", first))[[1]]
  lv <- match(sub('.*-([a-z]+)"$', "\\1", items), c("act", "watch", "ok", "na"))
  expect_false(is.unsorted(lv))
  # the latest batch's drifted features on the first screen, largest shift first
  # (the five largest named; the outcome's class shares apart)
  feat2 <- fl2[fl2$kind != "outcome", ]
  out2 <- fl2[fl2$kind == "outcome", ]
  named <- function(f) paste0("<code>", f$feature, "</code> (PSI ", formatC(f$psi, digits = 2, format = "f"),
                              ", ", f$psi_reading, ")", collapse = ", ")
  expect_gt(nrow(feat2), 5)
  expect_identical(nrow(out2), 1L)
  expect_has(first, sprintf("<strong>Predictors:</strong> %d of %d feature(s) drifted, largest shift first: %s and %d more (see Drifted features); the outcome\u2019s class shares shifted too: %s.",
                            nrow(feat2), sum(m2$drift$table$kind != "outcome"), named(feat2[1:5, ]),
                            nrow(feat2) - 5, named(out2)))
  # every batch's drifted features, newest batch first, with their numbers
  drifted <- regmatches(html, regexpr("<h2>Drifted features.*?</table>", html, perl = TRUE))
  rows <- rbind(cbind(batch = "week 2", fl2), cbind(batch = "&lt;b&gt;week 1&lt;/b&gt;", fl1))
  for (i in seq_len(nrow(rows))) {
    expect_has(drifted, sprintf("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s (%s)</td>",
                                rows$batch[i], rows$feature[i], rows$kind[i],
                                formatC(rows$psi[i], digits = 3, format = "f"), rows$psi_reading[i]))
  }
  shown <- regmatches(drifted, gregexpr("<tr><td>[^<]*</td><td>[^<]*</td>", drifted))[[1]]
  expect_identical(sub("^<tr><td>[^<]*</td><td>([^<]*)</td>$", "\\1", shown), rows$feature)
  expect_has(html, "<strong>ACT</strong>: the batch")
  expect_has(html, "<strong>WATCH</strong>")
  # the table: every batch x metric, the numbers of as.data.frame()
  num <- function(v) smoteguard:::report_num(v)
  for (m in list(m1, m2)) {
    d <- as.data.frame(m)
    lab <- if (identical(m$label, "week 2")) "week 2" else "&lt;b&gt;week 1&lt;/b&gt;"
    for (i in seq_len(nrow(d))) {
      expect_has(html, sprintf("<td>%s</td><td class=\"num\">%d</td><td class=\"num\">%d</td><td>%s</td><td class=\"num\">%s</td><td>[%s, %s]</td>",
                               lab, d$n[i], d$events[i],
                               smoteguard:::monitor_metric_label[[d$metric[i]]], num(d$estimate[i]),
                               num(d$lower[i]), num(d$upper[i])))
      expect_has(html, sprintf("</td><td>%s</td>", if (is.na(d$alert[i])) "NA" else d$alert[i]))
    }
  }
  # the label from data is text, not markup
  expect_lacks(html, "<b>week 1</b>")
  # methods: version and seeds
  expect_has(html, paste0("smoteguard ", as.character(packageVersion("smoteguard")), "; R "))
  expect_has(html, "bootstrap seeds 1, 2; the baseline")

  # one check alone, without a drift check
  m1$drift <- NULL
  file <- withr::local_tempfile(fileext = ".html")
  sg_report(m1, file)
  html <- read_page(file)
  expect_has(html, "<strong>&lt;b&gt;week 1&lt;/b&gt;</strong>")
  expect_has(html, "<strong>Predictors:</strong> not checked for drift")
  expect_has(html, "No batch was checked for drift")
  expect_self_contained(html)
  expect_error(sg_report(list(m1, 1), file, overwrite = TRUE), class = "smoteguard_error_input")
})

test_that("the same object gives the same page apart from the time stamp", {
  made$evaluation <- ev
  made$result <- res
  kinds <- intersect(c("evaluation", "result", "drift", "ledger", "monitor"), ls(made))
  expect_true(all(c("evaluation", "result", "drift", "ledger") %in% kinds))
  for (kind in kinds) {
    skip_if_not(file.exists(page(kind)))
    again <- withr::local_tempfile(fileext = ".html")
    sg_report(made[[kind]], again)
    expect_identical(read_page(again), read_page(page(kind)), info = kind)
  }
})

# A real browser: Debian's chromium, when it is on PATH (make test's
# dependency script installs it; nothing is installed from here).
png_non_blank <- function(file) {
  bytes <- readBin(file, "raw", file.size(file))
  # the IDAT chunks, joined and inflated; the share of bytes that are
  # neither 0 nor 255 (a blank page's filtered rows are only those)
  pos <- 9L
  idat <- raw()
  while (pos < length(bytes)) {
    len <- sum(as.integer(bytes[pos:(pos + 3)]) * 256^(3:0))
    type <- rawToChar(bytes[(pos + 4):(pos + 7)])
    if (type == "IDAT") idat <- c(idat, bytes[(pos + 8):(pos + 7 + len)])
    pos <- pos + 12L + len
  }
  px <- memDecompress(idat, type = "gzip")
  mean(!(px %in% as.raw(c(0, 255))))
}

test_that("each report renders in headless Chromium without console errors", {
  chromium <- Sys.which("chromium")
  if (!nzchar(chromium)) skip("chromium is not on PATH (make test's dependency script installs it)")
  kinds <- c("evaluation", "evaluation-ovr", "result", "drift", "ledger", "monitor")
  html <- normalizePath(page(kinds))
  skip_if_not(all(file.exists(html)), "the reports were not made")
  png <- sub("html$", "png", html)
  log <- sub("html$", "log", html)
  # the browser mostly waits (for a session bus it does not find): the
  # pages are taken at once
  # timeout -k: system2()'s own timeout stops the shell, not the browsers it
  # started, which then run on (seen after a hung run under make sanitize).
  # env -u LD_PRELOAD: under make sanitize the R process preloads libasan,
  # which the browser must not inherit
  shots <- sprintf("timeout -k 5 170 env -u LD_PRELOAD %s --headless --disable-gpu --no-sandbox --screenshot=%s --window-size=1280,2000 --enable-logging=stderr --v=0 %s > %s 2>&1",
                   shQuote(chromium), shQuote(png), shQuote(paste0("file://", html)), shQuote(log))
  system2("sh", c("-c", shQuote(paste(paste(shots, "&", collapse = " "), "wait"))), timeout = 180)
  for (i in seq_along(kinds)) {
    kind <- kinds[i]
    expect_true(file.exists(png[i]), info = kind)
    expect_gt(file.size(png[i]), 20000)
    expect_gt(png_non_blank(png[i]), 0.001)
    lines <- readLines(log[i], warn = FALSE)
    console <- grep("CONSOLE|Uncaught|Failed to load resource|net::ERR", lines, value = TRUE)
    expect_identical(console, character(), info = kind)
  }
  # the title and the first section as the browser built them, every page
  titles <- c(evaluation = "Does resampling help predict malignant?",
              `evaluation-ovr` = "Does resampling help tell the classes of y apart?",
              result = "Oversampling the outcome diagnosis", drift = "Drift check",
              ledger = "Ledger history",
              monitor = "Monitoring: is the model still performing as validated?")
  sections <- c(evaluation = "Per 1,000 patients", `evaluation-ovr` = "Verdict for each class",
                result = "Rows per class",
                drift = "Drifted features", ledger = "History", monitor = "Drifted features")
  doms <- sub("html$", "dom", html)
  dumps <- sprintf("timeout -k 5 170 env -u LD_PRELOAD %s --headless --disable-gpu --no-sandbox --dump-dom %s > %s 2>/dev/null",
                   shQuote(chromium), shQuote(paste0("file://", html)), shQuote(doms))
  system2("sh", c("-c", shQuote(paste(paste(dumps, "&", collapse = " "), "wait"))), timeout = 180)
  for (i in seq_along(kinds)) {
    dom <- paste(readLines(doms[i], warn = FALSE, encoding = "UTF-8"), collapse = "\n")
    expect_has(dom, sprintf("<title>%s</title>", titles[[kinds[i]]]))
    expect_has(dom, '<h1 class="title')
    expect_has(dom, sections[[kinds[i]]])
  }
})
