# sg_evaluate() (R/evaluate.R): the holdout and the test folds never reach a
# sampler or a learner; the verdict's false-alarm rate; the prior
# correction; identical results on every future plan; bad input.

small_eval <- function(data = breast_biopsy, ..., samplers = list(sg_sampler("none"),
                       sg_sampler("smote", guard = NULL, label = "smote-plain")),
                       resamples = sg_folds(folds = 3, repeats = 1), holdout = 0.2, seed = 1) {
  suppressWarnings(sg_evaluate(data, "diagnosis", samplers = samplers, resamples = resamples,
                               holdout = holdout, seed = seed, ...),
                   classes = "smoteguard_warning_holdout")
}

# Record the rows every sampler and every learner's fit receive, by row
# name (real rows keep the names they have in `data`; synthetic rows are
# named "synthetic_<k>").
record_rows <- function(code) {
  seen <- list()
  hooks <- smoteguard:::eval_hooks
  hooks$sampler <- function(rows, cell) {
    seen[[length(seen) + 1]] <<- list(who = "sampler", rows = rows, cell = cell)
  }
  hooks$learner <- function(rows, cell) {
    seen[[length(seen) + 1]] <<- list(who = "learner", rows = rows, cell = cell)
  }
  on.exit({ hooks$sampler <- NULL; hooks$learner <- NULL }, add = TRUE)
  future::plan("sequential")
  ev <- force(code)
  list(ev = ev, seen = seen)
}

# No row a sampler or learner received, and no parent or neighbour of a
# synthetic row, is a row of the cell's test part or of the holdout.
expect_no_leak <- function(ev, seen, data) {
  held <- ev$holdout_rows
  expect_gt(length(seen), 0)
  for (s in seen) {
    real <- s$rows[!startsWith(s$rows, "synthetic_")]
    rows <- match(real, rownames(data))
    expect_false(anyNA(rows))
    forbidden <- if (s$cell$rep == 0) held else c(s$cell$test, held)
    expect_length(intersect(rows, forbidden), 0)
    expect_true(all(rows %in% s$cell$train))
  }
  expect_gt(length(ev$records), 0)
  for (r in ev$records) {
    prov <- r$record$provenance
    expect_gt(nrow(prov), 0)
    origin <- r$train_rows[c(prov$parent, prov$neighbor[!is.na(prov$neighbor)])]
    test <- if (r$rep == 0) integer(0) else
      ev$splits[[which(vapply(ev$splits, function(s) s$rep == r$rep && s$fold == r$fold,
                              logical(1)))]]$test
    expect_length(intersect(origin, c(test, held)), 0)
  }
}

test_that("no holdout or test-fold row reaches a sampler, a learner or a synthetic row's origin", {
  skip_if_not_installed("future")
  d <- breast_biopsy
  got <- record_rows(small_eval(d))
  expect_no_leak(got$ev, got$seen, d)
  # every cell was seen: 3 folds + the holdout fit, 2 samplers
  expect_length(Filter(function(s) s$who == "sampler", got$seen), 8)
})

test_that("with groups no test patient's row reaches training; with time no later row", {
  skip_if_not_installed("future")
  d <- breast_biopsy
  d$patient <- rep(seq_len(230), length.out = nrow(d))
  got <- record_rows(small_eval(d, groups = "patient"))
  expect_no_leak(got$ev, got$seen, d)
  for (s in got$seen) {
    real <- match(s$rows[!startsWith(s$rows, "synthetic_")], rownames(d))
    forbidden <- if (s$cell$rep == 0) got$ev$holdout_rows else c(s$cell$test, got$ev$holdout_rows)
    expect_length(intersect(d$patient[real], d$patient[forbidden]), 0)
  }
  d$visit <- as.Date("2020-01-01") + seq_len(nrow(d)) %/% 2
  got <- record_rows(small_eval(d, time = "visit", exclude = "patient"))
  expect_no_leak(got$ev, got$seen, d)
  for (s in got$seen) {
    real <- match(s$rows[!startsWith(s$rows, "synthetic_")], rownames(d))
    expect_lt(max(d$visit[real]), min(d$visit[s$cell$test]))
  }
  expect_false("patient" %in% got$ev$settings$predictors)
  expect_false("visit" %in% got$ev$settings$predictors)
})

test_that("the same splits serve every sampler and learner; prior correction from the record", {
  ev <- small_eval(learners = list(sg_learner_glm(), sg_learner_glm(name = "glm2")))
  pr <- ev$predictions
  by_cell <- split(pr$row, list(pr$rep, pr$fold, pr$sampler, pr$learner), drop = TRUE)
  keys <- unique(pr[c("rep", "fold")])
  for (i in seq_len(nrow(keys))) {
    same <- by_cell[grepl(sprintf("^%d\\.%d\\.", keys$rep[i], keys$fold[i]), names(by_cell))]
    expect_length(same, 4)
    for (r in same) expect_identical(r, same[[1]])
  }
  none <- pr[pr$sampler == "none", ]
  expect_identical(none$p, none$p_corrected)
  rec <- ev$records[[1]]
  cell <- pr[pr$sampler == rec$sampler & pr$rep == rec$rep & pr$fold == rec$fold &
               pr$learner == "glm", ]
  counts <- rec$record$counts
  from <- setNames(counts$after / sum(counts$after), counts$class)
  to <- setNames(counts$before / sum(counts$before), counts$class)
  expect_equal(cell$p_corrected, sg_correct_prior(cell$p, from, to, positive = "malignant"))
  df <- as.data.frame(ev)
  expect_named(df, c("rep", "fold", "sampler", "learner", "corrected", "metric", "value"))
  expect_setequal(unique(df$metric), c(smoteguard:::eval_metric_names, smoteguard:::matched_names))
  expect_true(all(ev$holdout$rep == 0))
})

test_that("matched sensitivity and thresholds", {
  ev <- small_eval(threshold = sg_threshold_cost(fp = 1, fn = 3))
  expect_true(all(ev$thresholds$threshold == 0.25))
  m <- ev$metrics
  none_recall <- m$value[m$sampler == "none" & m$metric == "recall" & m$corrected]
  smote_matched <- m$value[m$sampler == "smote-plain" & m$metric == "matched_recall"]
  expect_true(all(smote_matched >= none_recall - 1e-12))
  f1 <- small_eval(threshold = "f1", samplers = list(sg_sampler("none")))
  expect_true(all(f1$thresholds$threshold > 0 & f1$thresholds$threshold < 1))
  expect_gt(length(unique(f1$thresholds$threshold)), 1)
})

test_that("a label independent of the predictors: 'helped' in at most 10% of 100 data sets", {
  helped <- vapply(1:100, function(i) {
    withr::with_seed(i, {
      n <- 120
      d <- data.frame(x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n))
      d$diagnosis <- factor(ifelse(runif(n) < 0.25, "yes", "no"), levels = c("no", "yes"))
    })
    ev <- small_eval(d, resamples = sg_folds(folds = 3, repeats = 2), holdout = 0, seed = i)
    any(ev$decisions$helped)
  }, logical(1))
  expect_lte(mean(helped), 0.10)
})

test_that("random oversampling moves calibration-in-the-large; the prior correction brings it back", {
  # a logistic model with 10% events: 20,000 training rows, 200,000 fresh
  # rows as the holdout
  withr::with_seed(11, {
    n <- 220000
    d <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
    d$diagnosis <- factor(ifelse(runif(n) < plogis(-2.6 + 0.8 * d$x1 - 0.5 * d$x2),
                                 "event", "none"), levels = c("none", "event"))
  })
  ev <- small_eval(d, samplers = sg_sampler("ros"), resamples = sg_folds(folds = 2, repeats = 1),
                   holdout = 200000 / 220000, seed = 3)
  expect_identical(ev$settings$n - ev$settings$n_holdout, 20000L)
  h <- ev$holdout
  cal <- function(s, corrected) {
    h$value[h$sampler == s & h$corrected == corrected & h$metric == "cal_intercept"]
  }
  expect_lt(abs(cal("none", FALSE)), 0.05)
  expect_lt(cal("ros", FALSE), -1)
  expect_lt(abs(cal("ros", TRUE)), 0.05)
})

test_that("identical results under sequential, multisession and cluster plans", {
  skip_if_not_installed("future")
  skip_on_cran()
  run <- function() {
    ev <- small_eval(resamples = sg_folds(folds = 2, repeats = 1),
                     learners = list(sg_learner_glm()))
    # the cells run in batches, largest first, under a parallel plan
    # (the records' provenance travels packed from the workers)
    c(ev[c("metrics", "holdout", "predictions", "verdict", "decisions", "thresholds",
           "errors", "notes", "failures")], list(long = as.data.frame(ev)),
      list(provenance = lapply(ev$records, function(r) r$record$provenance)))
  }
  # more than two classes: each class's cell seeds are drawn after the
  # previous class's cells ran, from the stream the last cell left
  three <- withr::with_seed(11, {
    cls <- factor(sample(c("a", "b", "c"), 240, TRUE, prob = c(0.6, 0.25, 0.15)))
    x <- matrix(stats::rnorm(240 * 4), 240, 4)
    x[cls == "b", 1] <- x[cls == "b", 1] + 1
    x[cls == "c", 2] <- x[cls == "c", 2] + 1.5
    data.frame(x, type = cls)
  })
  run_ovr <- function() {
    ev <- suppressWarnings(sg_evaluate(three, "type",
                                       samplers = list(sg_sampler("none"), sg_sampler("smote")),
                                       resamples = sg_folds(folds = 2, repeats = 1), holdout = 0,
                                       seed = 3))
    as.data.frame(ev)
  }
  old <- future::plan("sequential")
  on.exit(future::plan(old), add = TRUE)
  seq_res <- run()
  seq_ovr <- run_ovr()
  future::plan("multisession", workers = 2)
  expect_identical(run(), seq_res)
  expect_identical(run_ovr(), seq_ovr)
  cl <- parallel::makeCluster(2)
  on.exit(parallel::stopCluster(cl), add = TRUE)
  future::plan(future::cluster, workers = cl)
  expect_identical(run(), seq_res)
  future::plan("sequential")
  # and the caller's random stream is left as it was
  withr::local_seed(5)
  before <- .Random.seed
  small_eval(resamples = sg_folds(folds = 2, repeats = 1), samplers = sg_sampler("none"))
  expect_identical(.Random.seed, before)
})

test_that("a worker that dies under a parallel plan gives one classed error", {
  skip_if_not_installed("future")
  skip_on_cran()
  skip_on_os("windows")
  main <- Sys.getpid()
  # the fit ends its own process when it runs in a worker
  dies <- sg_learner(
    fit = function(data, var) {
      if (Sys.getpid() != main) tools::pskill(Sys.getpid(), tools::SIGKILL)
      stats::glm(stats::reformulate(".", var), data = data, family = stats::binomial())
    },
    predict = function(model, newdata) {
      stats::predict(model, newdata = newdata, type = "response")
    },
    name = "dies")
  old <- future::plan("sequential")
  on.exit(future::plan(old), add = TRUE)
  future::plan("multisession", workers = 2)
  expect_error(small_eval(resamples = sg_folds(folds = 2, repeats = 1), learners = list(dies)),
               class = "smoteguard_error_parallel", regexp = "batches of cells failed")
  future::plan("sequential")
})

test_that("cell_batches(): every cell once, batches of about equal cost, every sampler in each", {
  samplers <- list(sg_sampler("none"), sg_sampler("smote"))
  cells <- lapply(1:7, function(i) {
    list(sampler = 1 + (i %% 2), train = seq_len(100 * i))
  })
  cost <- vapply(cells, function(cell) length(cell$train) * cell$sampler, numeric(1))
  b <- cell_batches(cells, list(samplers = samplers), 2)
  expect_length(b, 2)
  expect_setequal(unlist(b), 1:7)
  expect_false(anyDuplicated(unlist(b)) > 0)
  loads <- vapply(b, function(i) sum(cost[i]), numeric(1))
  # greedy largest-first: the batches differ by at most the smallest cost
  # assigned last, well under the largest cell here
  expect_lt(abs(diff(loads)), max(cost))
  # each batch gets cells of every sampler (their costs may differ in ways
  # the estimate does not know)
  for (i in b) expect_setequal(vapply(cells[i], `[[`, numeric(1), "sampler"), 1:2)
  for (i in b) expect_false(is.unsorted(rev(cost[i])))
  # as many workers as cells, or more, or an unknown number: a cell a batch
  expect_identical(cell_batches(cells, list(samplers = samplers), 7), as.list(1:7))
  expect_identical(cell_batches(cells, list(samplers = samplers), Inf), as.list(1:7))
  expect_identical(unlist(cell_batches(cells, list(samplers = samplers), 1)), order(cost, decreasing = TRUE))
})

test_that("failed cells are marked and the others go on; failing everywhere is an error", {
  flaky <- sg_learner(
    fit = function(data, var) {
      if ("2" %in% rownames(data)) stop("cannot fit with row 2")
      glm(reformulate(setdiff(names(data), var), var), binomial, data = data)
    },
    predict = function(model, newdata) predict(model, newdata, type = "response"),
    name = "flaky")
  expect_warning(ev <- small_eval(learners = flaky), class = "smoteguard_warning_evaluate")
  expect_gt(nrow(ev$failures), 0)
  expect_true(all(grepl("cannot fit with row 2", ev$failures$message)))
  expect_true(all(grepl("sampler `", ev$failures$message)))
  expect_gt(nrow(ev$metrics), 0)
  broken <- sg_learner(fit = function(data, var) stop("no luck"),
                       predict = function(model, newdata) 0, name = "broken")
  expect_error(small_eval(learners = broken), class = "smoteguard_error_learner")
  bad_sampler <- sg_sampler("smote", exclude = "nonexistent", label = "bad")
  expect_error(small_eval(samplers = list(sg_sampler("none"), bad_sampler)),
               class = "smoteguard_error_sampler")
  d <- breast_biopsy
  d$cell_size[5] <- NA
  expect_error(small_eval(d), class = "smoteguard_error_learner", regexp = "missing")
})

test_that("bad input gets classed errors", {
  d <- breast_biopsy
  d$num <- as.numeric(d$diagnosis == "malignant")
  expect_error(sg_evaluate(d, "num"), class = "smoteguard_error_input", regexp = "classification")
  d1 <- d
  d1$diagnosis <- factor(rep("a", nrow(d)))
  expect_error(sg_evaluate(d1, "diagnosis"), class = "smoteguard_error_input",
               regexp = "at least two classes")
  d$when <- as.character(seq_len(nrow(d)))
  expect_error(sg_evaluate(d, "diagnosis", time = "when"), class = "smoteguard_error_input")
  d$when <- seq_len(nrow(d))
  d$when[3] <- NA
  expect_error(sg_evaluate(d, "diagnosis", time = "when"), class = "smoteguard_error_input")
  d$g <- rep(1:50, length.out = nrow(d))
  d$g[7] <- NA
  expect_error(sg_evaluate(d, "diagnosis", groups = "g"), class = "smoteguard_error_input")
  small <- breast_biopsy[c(which(breast_biopsy$diagnosis == "benign")[1:40],
                           which(breast_biopsy$diagnosis == "malignant")[1:6]), ]
  expect_error(sg_evaluate(small, "diagnosis", holdout = 0.5, resamples = sg_folds(5, 1)),
               class = "smoteguard_error_input", regexp = "holdout")
  # a training window with one class
  early <- breast_biopsy[order(breast_biopsy$diagnosis), ]
  early$t <- seq_len(nrow(early))
  expect_error(sg_evaluate(early, "diagnosis", time = "t", holdout = 0,
                           samplers = sg_sampler("none")),
               class = "smoteguard_error_folds")
  expect_error(sg_evaluate(breast_biopsy, "diagnosis", samplers = list(sg_sampler("smote"), sg_sampler("smote"))),
               class = "smoteguard_error_input")
  expect_error(sg_evaluate(breast_biopsy, "diagnosis", threshold = 2), class = "smoteguard_error_input")
  expect_error(sg_evaluate(breast_biopsy, "diagnosis", positive = "yes"), class = "smoteguard_error_input")
  expect_error(sg_threshold_cost(0, 1), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_evaluate(d, "num"))
  expect_snapshot(error = TRUE, sg_evaluate(d, "diagnosis", time = "g"))
})

test_that("a test fold without events gives NA metrics with a note", {
  d <- breast_biopsy[c(which(breast_biopsy$diagnosis == "benign")[1:60],
                       which(breast_biopsy$diagnosis == "malignant")[1:12]), ]
  d$t <- c(seq_len(60), 61:72)
  d$t[61:72] <- c(1:6 * 3, 31:36)  # no event in the last window
  ev <- suppressWarnings(sg_evaluate(d, "diagnosis", time = "t", holdout = 0,
                                     resamples = sg_folds(folds = 3),
                                     samplers = sg_sampler("none"), seed = 1))
  last <- ev$metrics[ev$metrics$fold == 3 & ev$metrics$metric == "roc_auc", ]
  expect_true(all(is.na(last$value)))
  expect_true(any(grepl("positive", ev$notes$note[ev$notes$fold == 3])))
})

test_that("subgroups, error analysis, print, summary and plot", {
  d <- breast_biopsy
  d$site <- rep(c("north", "south"), length.out = nrow(d))
  d$tiny <- ifelse(seq_len(nrow(d)) %% 40 == 0, "rare", "common")
  ev <- small_eval(d, subgroups = c("site", "tiny"), exclude = c("site", "tiny"), holdout = 0.3)
  sg <- ev$subgroups
  expect_true(all(c("north", "south", "rare", "common") %in% sg$level))
  rare <- sg[sg$level == "rare", ]
  expect_true(all(is.na(rare$estimate)))
  expect_true(all(grepl("fewer than 20", rare$note)))
  common <- sg[sg$level == "north" & sg$metric == "roc_auc", ]
  expect_true(all(common$lower <= common$estimate & common$estimate <= common$upper))
  er <- ev$errors
  expect_true(all(er$missed$times_missed / er$missed$times_tested > 0.5))
  expect_true(all(d$diagnosis[er$missed$row] == "malignant"))
  expect_true(all(d$diagnosis[er$flagged$row] == "benign"))
  expect_true(all(er$recovered$sampler == "smote-plain"))
  out <- summary(ev)
  expect_s3_class(out, "summary.sg_evaluation")
  expect_snapshot(print(ev))
  pdf(NULL)
  on.exit(dev.off(), add = TRUE)
  expect_identical(plot(ev), ev)
  expect_identical(plot(ev, type = "spread", metric = "brier", corrected = FALSE), ev)
})

# A three-class outcome: a multinomial logistic model, classes of about
# 23%, 64% and 13%.
three_classes <- function(n = 600, seed = 1) {
  withr::with_seed(seed, {
    d <- data.frame(x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n))
    eta <- cbind(0, 1 + d$x1, -1.5 + d$x2 - d$x1)
    pr <- exp(eta) / rowSums(exp(eta))
    d$y <- factor(apply(pr, 1, function(p) sample(c("a", "b", "c"), 1, prob = p)))
  })
  d
}

test_that("more than two classes: each class against the rest, on the same splits, macro verdict", {
  d <- three_classes()
  expect_warning(
    ev <- sg_evaluate(d, "y", samplers = sg_sampler("ros"), resamples = sg_folds(3, 2),
                      holdout = 0.2, seed = 1),
    class = "smoteguard_warning_holdout", regexp = "`c` \\(16\\)")
  expect_s3_class(ev, "sg_evaluation_ovr")
  expect_named(ev$per_class, c("a", "b", "c"))
  # the holdout is stratified by every class
  expect_equal(as.vector(table(d$y[ev$holdout_rows])), round(0.2 * as.vector(table(d$y))))
  for (cls in c("a", "b", "c")) {
    e <- ev$per_class[[cls]]
    expect_identical(e$settings$positive, cls)
    expect_identical(e$settings$negative, paste("not", cls))
    # the events of this problem are the rows of the class
    expect_identical(e$predictions$y, d$y[e$predictions$row] == cls)
    # the same splits and holdout for every class
    expect_identical(e$splits, ev$per_class$a$splits)
    expect_identical(e$predictions$row, ev$per_class$a$predictions$row)
  }
  # each split's test part holds every class (stratified folds)
  for (sp in ev$splits) expect_setequal(unique(d$y[sp$test]), c("a", "b", "c"))
  # the macro average: the mean over the classes, distances averaged as distances
  m <- ev$metrics
  cm <- ev$class_metrics
  pick <- function(tab, metric) {
    tab[tab$rep == 1 & tab$fold == 2 & tab$sampler == "ros" & tab$corrected &
          tab$metric == metric, "value"]
  }
  expect_equal(pick(m, "pr_auc"), mean(pick(cm, "pr_auc")))
  expect_equal(pick(m, "cal_slope"), mean(pick(cm, "cal_slope")))
  expect_equal(pick(m, "cal_slope_error"), mean(abs(pick(cm, "cal_slope") - 1)))
  # the verdict on the macro average: one row per sampler x learner x metric
  expect_identical(nrow(ev$verdict), 4L)
  d_none <- smoteguard:::paired_differences(smoteguard:::metric_index(m), "ros", "none", "glm",
                                            TRUE, "cal_slope_error")
  expect_equal(ev$verdict$mean[ev$verdict$metric == "cal_slope_error"], mean(d_none))
  expect_identical(nrow(ev$decisions), 1L)
  df <- as.data.frame(ev)
  expect_named(df, c("class", "rep", "fold", "sampler", "learner", "corrected", "metric", "value"))
  expect_setequal(unique(df$class), c("a", "b", "c", "(macro)"))
  expect_s3_class(summary(ev), "summary.sg_evaluation")
  expect_snapshot(print(ev))
  pdf(NULL)
  on.exit(dev.off(), add = TRUE)
  expect_identical(plot(ev, type = "pr"), ev)
  expect_identical(plot(ev, type = "calibration", class = "b"), ev)
  expect_error(plot(ev, class = "z"), class = "smoteguard_error_input")
})

test_that("more than two classes: one class against the rest, groups, and too few rows", {
  d <- three_classes()
  ev <- sg_evaluate(d, "y", positive = "c", resamples = sg_folds(3, 1), holdout = 0,
                    samplers = sg_sampler("ros"), seed = 2)
  expect_false(inherits(ev, "sg_evaluation_ovr"))
  expect_identical(ev$settings$negative, "not c")
  expect_identical(ev$predictions$y, d$y[ev$predictions$row] == "c")
  d$patient <- rep(seq_len(200), length.out = nrow(d))
  ev <- sg_evaluate(d, "y", groups = "patient", resamples = sg_folds(3, 1), holdout = 0,
                    samplers = sg_sampler("none"), seed = 3)
  for (sp in ev$splits) {
    expect_length(intersect(d$patient[sp$train], d$patient[sp$test]), 0)
  }
  rare <- d[c(which(d$y != "c"), which(d$y == "c")[1:2]), ]
  expect_error(sg_evaluate(rare, "y", resamples = sg_folds(3, 1), holdout = 0),
               class = "smoteguard_error_input", regexp = "class `c` against the rest")
})

test_that("autoplot() draws each view as a ggplot, a panel per learner", {
  skip_if_not_installed("ggplot2")
  ev <- small_eval(learners = list(sg_learner_glm(), sg_learner_blend(sg_learner_glm())))
  for (type in c("pr", "calibration", "decision", "spread")) {
    p <- ggplot2::autoplot(ev, type = type)
    expect_s3_class(p, "ggplot")
    built <- ggplot2::ggplot_build(p)
    expect_identical(nlevels(built$layout$layout$PANEL), 2L)
  }
  one <- ggplot2::autoplot(ev, type = "spread", learner = "glm", metric = "brier",
                           corrected = FALSE)
  expect_identical(nlevels(ggplot2::ggplot_build(one)$layout$layout$PANEL), 1L)
  expect_match(one$labels$subtitle, "raw")
  expect_error(ggplot2::autoplot(ev, learner = "nope"), class = "smoteguard_error_input")
  ovr <- suppressWarnings(sg_evaluate(three_classes(), "y", samplers = sg_sampler("ros"),
                                      resamples = sg_folds(2, 1), holdout = 0, seed = 4))
  p <- ggplot2::autoplot(ovr, type = "calibration", class = "c")
  expect_s3_class(p, "ggplot")
  expect_identical(p$labels$title, "Calibration: class `c` against the rest")
})

test_that("the curves of none are drawn last and dashed, visible where they coincide", {
  expect_identical(drawing_order(c("none", "a", "b")), c("a", "b", "none"))
  expect_identical(unname(sampler_ltys(c("none", "a", "b"))), c("22", "solid", "solid"))
  skip_if_not_installed("ggplot2")
  ev <- small_eval()
  for (type in c("pr", "calibration", "decision")) {
    p <- ggplot2::autoplot(ev, type = type)
    samplers <- lapply(p$layers, function(l) {
      if (is.data.frame(l$data) && "sampler" %in% names(l$data)) unique(as.character(l$data$sampler))
    })
    last <- max(which(vapply(samplers, identical, logical(1), "none")))
    expect_false("none" %in% samplers[[last - 1]], info = type)
    expect_true(length(samplers[[last - 1]]) > 0, info = type)
    built <- ggplot2::ggplot_build(p)$data[[last]]
    expect_true(all(built$linetype == "22"), info = type)
  }
})
