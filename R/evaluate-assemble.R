# sg_evaluate()'s result from its cells: the tables of metrics, predictions
# and thresholds, the verdict against the reference sampler, calibration,
# decisions, decision curves, subgroups and error analysis; failures
# reported; more than two classes combined.

assemble_evaluation <- function(results, cells, splits, shared, y, data, outcome,
                                subgroups, seed, call) {
  samplers <- vapply(shared$samplers, function(s) s$label, character(1))
  learners <- vapply(shared$learners, function(l) l$name, character(1))
  got <- collect_cells(results, cells, shared, y, samplers, learners)
  out <- list(failures = got$failures,
              warnings = got$warnings,
              records = got$records, splits = splits[vapply(splits, function(s) s$rep > 0, logical(1))])
  if (length(got$preds) == 0) {
    out$predictions <- NULL
    return(out)
  }
  tables <- cell_tables(got$preds, got$scores, shared$correct_prior, samplers, learners)
  for (k in names(tables)) out[[k]] <- tables[[k]]
  judge_evaluation(out, samplers, learners, shared$correct_prior, data, subgroups, seed)
}

# The cells' results sorted out: each scored learner's predictions (one
# list a cell and learner, `preds`: its split, sampler and learner (by
# number) and threshold, the test rows' numbers, outcomes and predictions;
# with their scores), the failures and warnings as tables, and the
# resampled cells' records.
collect_cells <- function(results, cells, shared, y, samplers, learners) {
  preds <- list(); scores <- list(); failures <- list(); records <- list(); warns <- list()
  for (i in seq_along(cells)) {
    cell <- cells[[i]]
    res <- results[[i]]
    sl <- samplers[cell$sampler]
    where <- list(rep = cell$rep, fold = cell$fold, sampler = sl)
    if (length(res$warnings) > 0) {
      warns[[length(warns) + 1]] <- c(lapply(where, rep, length(res$warnings)),
                                      list(warning = res$warnings))
    }
    if (!is.null(res$sampler_error)) {
      failures[[length(failures) + 1]] <- c(lapply(where, rep, length(learners)),
        list(learner = learners, stage = "sampler", message = res$sampler_error))
      next
    }
    if (shared$samplers[[cell$sampler]]$method != "none") {
      records[[length(records) + 1]] <- c(where, list(train_rows = cell$train,
                                                      record = res$record))
    }
    for (l in seq_along(learners)) {
      lr <- res$learners[[l]]
      if (!is.null(lr$error)) {
        failures[[length(failures) + 1]] <- c(where, list(learner = learners[l],
          stage = "learner", message = lr$error))
        next
      }
      preds[[length(preds) + 1]] <- list(
        rep = cell$rep, fold = cell$fold, sampler = cell$sampler, learner = l,
        row = cell$test, y = y[cell$test], p = lr$p, p_corrected = lr$p_corrected,
        threshold = lr$threshold)
      scores[[length(preds)]] <- lr$scores
    }
  }
  failures <- bind_rows(failures) %||%
    new_frame(list(rep = integer(), fold = integer(), sampler = character(),
                   learner = character(), stage = character(), message = character()))
  list(preds = preds, scores = scores, failures = failures, warnings = bind_rows(warns),
       records = records)
}

# The tables of the cells' metrics (folds and holdout apart, with their
# notes), predictions and thresholds.
cell_tables <- function(preds, scores, correct_prior, samplers, learners) {
  out <- list()
  # the reference sampler is the first; the samplers' and learners'
  # numbers become factors of their labels and names here (the notes keep
  # them as text)
  scored <- score_cells(preds, scores, correct_prior, reference = 1L)
  predictions <- prediction_table(preds)
  predictions$sampler <- codes_factor(predictions$sampler, samplers)
  predictions$learner <- codes_factor(predictions$learner, learners)
  metrics <- scored$metrics
  metrics$sampler <- codes_factor(metrics$sampler, samplers)
  metrics$learner <- codes_factor(metrics$learner, learners)
  fold_rows <- metrics$rep > 0
  out$metrics <- metrics[fold_rows, , drop = FALSE]
  out$holdout <- metrics[!fold_rows, , drop = FALSE]
  rownames(out$metrics) <- NULL
  rownames(out$holdout) <- NULL
  out$notes <- scored$notes
  if (!is.null(out$notes)) {
    out$notes$sampler <- samplers[out$notes$sampler]
    out$notes$learner <- learners[out$notes$learner]
  }
  out$predictions <- predictions
  # one row per cell, from the cells' keys score_cells() made (unique() on
  # the predictions' rows is slow on a large holdout; a list of one row per
  # cell stacked cost more than the table); the thresholds joined as c()
  # joins them
  out$thresholds <- new_frame(c(scored$key, list(
    threshold = unlist(lapply(preds, function(pr) pr$threshold), use.names = FALSE))))
  out$thresholds$sampler <- codes_factor(out$thresholds$sampler, samplers)
  out$thresholds$learner <- codes_factor(out$thresholds$learner, learners)
  out
}

# The predictions' table: one row per cell's test row, the cells' values
# repeated over their rows (the cells' columns joined as c() joins them).
prediction_table <- function(preds) {
  size <- vapply(preds, function(pr) length(pr$row), integer(1))
  column <- function(name) unlist(lapply(preds, `[[`, name), use.names = FALSE)
  per_cell <- function(name) rep.int(column(name), size)
  new_frame(list(rep = per_cell("rep"), fold = per_cell("fold"), sampler = per_cell("sampler"),
                 learner = per_cell("learner"), row = column("row"), y = column("y"),
                 p = column("p"), p_corrected = column("p_corrected"),
                 threshold = per_cell("threshold")))
}

# The verdict, the calibration against the reference sampler and the
# decisions they lead to, added to `out` (the metrics' index made once for
# the first two).
verdict_tables <- function(out, samplers, learners, corrected) {
  ratio <- mean(vapply(out$splits, function(s) length(s$test) / length(s$train), numeric(1)))
  index <- metric_index(out$metrics)
  out$verdict <- verdict_table(out$metrics, samplers, learners, corrected, ratio, index)
  out$calibration <- calibration_table(out$metrics, samplers, learners, corrected, ratio,
                                       index)
  out$decisions <- decision_table(out$verdict, out$calibration, samplers, learners, corrected)
  out
}

# What the tables say: the verdict and calibration against the reference
# sampler, the decisions, the decision curves, the subgroups and the error
# analysis, added to `out`.
judge_evaluation <- function(out, samplers, learners, corrected, data, subgroups, seed) {
  out <- verdict_tables(out, samplers, learners, corrected)
  source <- curve_source(out$predictions)
  out$decision_curve <- decision_curves(source, corrected)
  out$subgroups <- subgroup_table(source, data, subgroups, corrected, seed)
  out$errors <- error_analysis(out$predictions, data, samplers, learners, corrected)
  out
}

# Metrics per cell: raw and (with the prior correction) corrected, as the
# cells scored them (`scores`, parallel to `preds`), and at matched
# sensitivity. `preds`: the list of per-cell columns (samplers and learners
# by number; `reference`: the reference sampler's). The long tables are
# made once from the blocks' values and the cells' keys, in the blocks'
# order: every cell's raw and corrected metrics, then every cell's matched
# ones.
score_cells <- function(preds, scores, correct_prior, reference) {
  n <- length(preds)
  key <- list(rep = vapply(preds, function(pr) pr$rep[1], pr_type(preds, "rep")),
              fold = vapply(preds, function(pr) pr$fold[1], pr_type(preds, "fold")),
              sampler = vapply(preds, function(pr) pr$sampler[1], integer(1)),
              learner = vapply(preds, function(pr) pr$learner[1], integer(1)))
  # the blocks of values: each cell's raw and (with the correction)
  # corrected metrics, cell by cell, each named by metric with its notes
  # as an attribute
  raw <- lapply(scores, function(sc) sc$raw)
  per <- 1L + correct_prior
  if (correct_prior) {
    scored <- vector("list", 2L * n)
    scored[c(TRUE, FALSE)] <- raw
    scored[c(FALSE, TRUE)] <- lapply(scores, function(sc) sc$corrected)
  } else {
    scored <- raw
  }
  # matched sensitivity: each model's threshold reaching "none"'s recall
  # of the same split and learner
  is_ref <- key$sampler == reference
  ref_at <- match(paste(key$rep, key$fold, key$learner),
                  paste(key$rep, key$fold, key$learner)[is_ref])
  ref_recall <- vapply(raw[is_ref], function(v) v[["recall"]], numeric(1))
  # every cell's threshold and rates at once, from their rows end to end
  # (`set`: each row's cell)
  y <- as.logical(unlist(lapply(preds, function(pr) pr$y), use.names = FALSE))
  p <- unlist(lapply(preds, function(pr) if (correct_prior) pr$p_corrected else pr$p),
              use.names = FALSE)
  set <- rep.int(seq_len(n), vapply(preds, function(pr) length(pr$y), integer(1)))
  t <- matched_thresholds(y, p, set, ref_recall[ref_at])
  matched <- c(t, unlist(matched_rates_at(y, p, set, t)[matched_rates], use.names = FALSE))
  # then every cell's matched metrics (a block each, cell by cell)
  matched <- matrix(matched, nrow = length(matched_names), byrow = TRUE)
  matched_flat <- as.vector(matched)
  names(matched_flat) <- rep.int(matched_names, n)
  no_match <- c(matched_threshold = "no positive case in the test part, or no recall to match")
  matched_notes <- vector("list", n)
  matched_notes[is.na(t)] <- list(no_match)
  # the blocks' cells and corrections
  block_cell <- c(rep(seq_len(n), each = per), seq_len(n))
  block_corrected <- c(rep.int(c(FALSE, TRUE)[seq_len(per)], n), rep.int(correct_prior, n))
  # a block's values and notes are named by metric, so that unlist() of
  # them gives the metric names as its names
  long <- function(size, flat, values) {
    if (sum(size) == 0) return(NULL)
    cell <- rep.int(block_cell, size)
    cols <- lapply(key, function(k) k[cell])
    cols$corrected <- rep.int(block_corrected, size)
    cols$metric <- names(flat)
    cols[[values]] <- unname(flat)
    new_frame(cols)
  }
  notes <- c(lapply(scored, attr, "notes", exact = TRUE), matched_notes)
  list(metrics = long(c(lengths(scored, use.names = FALSE), rep.int(length(matched_names), n)),
                      c(unlist(scored), matched_flat), "value"),
       notes = long(lengths(notes, use.names = FALSE), unlist(notes), "note"),
       key = key)
}

# the type of a per-cell column's values, for vapply()
pr_type <- function(preds, col) {
  if (is.integer(preds[[1]][[col]])) integer(1) else numeric(1)
}

matched_rates <- c("recall", "precision", "f1", "specificity", "balanced_accuracy", "mcc")

matched_names <- c("matched_threshold", "matched_recall", "matched_precision",
                   "matched_f1", "matched_specificity", "matched_balanced_accuracy",
                   "matched_mcc")

# The verdict's metrics, all on the predictions the verdict reads
# (corrected when the prior correction is on).
verdict_metrics <- c("pr_auc", "roc_auc", "brier", "cal_slope_error")

# The rows of a long metrics table by sampler, learner, correction and
# metric, found once: the verdict and the calibration comparisons read
# dozens of (sampler, learner, metric) series, and filtering the whole table
# (factor comparisons on every row) for each was a tenth of a small
# evaluation's own time. Each row's series is a whole number (`key_code()`);
# the rows of series `k` are `order[(end[k] - size[k] + 1):end[k]]`, in
# the table's order. Each row's split (rep, fold) is a number too.
metric_index <- function(metrics) {
  sampler <- series_codes(metrics$sampler)
  learner <- series_codes(metrics$learner)
  metric <- series_codes(metrics$metric)
  levels <- list(sampler = sampler$levels, learner = learner$levels, metric = metric$levels)
  code <- key_code(levels, sampler$code, learner$code, metrics$corrected, metric$code)
  size <- tabulate(code, 2L * length(levels$sampler) * length(levels$learner) *
                           length(levels$metric))
  rep <- metrics$rep
  fold <- metrics$fold
  list(order = order(code), size = size, end = cumsum(size), levels = levels,
       value = metrics$value, rep = rep, fold = fold,
       split = rep * (if (length(fold) > 0) max(fold) + 1 else 1) + fold)
}

# A column's values as codes into its levels (a factor's own, or the
# values met, in order).
series_codes <- function(x) {
  if (is.factor(x)) return(list(levels = levels(x), code = as.integer(x)))
  lv <- unique(x)
  list(levels = lv, code = match(x, lv))
}

key_code <- function(levels, s, l, corrected, m) {
  ((((s - 1L) * length(levels$learner) + l - 1L) * 2L + as.integer(corrected)) *
     length(levels$metric) + m)
}

# The rows of one series of the index (none for a name it does not hold).
series_rows <- function(index, sampler, learner, corrected, metric) {
  lv <- index$levels
  code <- key_code(lv, match(sampler, lv$sampler), match(learner, lv$learner), corrected,
                   match(metric, lv$metric))
  if (is.na(code) || index$size[code] == 0L) return(integer())
  index$order[seq.int(index$end[code] - index$size[code] + 1L, index$end[code])]
}

# Values of one metric per split for a sampler and learner, with each
# value's split (`index`: metric_index() of the table): list(value, split).
metric_series <- function(index, sampler, learner, corrected, metric) {
  rows <- series_rows(index, sampler, learner, corrected, metric)
  if (length(rows) > 0) {
    # given as such (a macro average of the classes' distances)
    return(list(value = index$value[rows], split = index$split[rows]))
  }
  rows <- series_rows(index, sampler, learner, corrected, sub("_error$", "", metric))
  v <- index$value[rows]
  if (metric == "cal_slope_error") v <- abs(v - 1)
  if (metric == "cal_intercept_error") v <- abs(v)
  list(value = v, split = index$split[rows])
}

# Nadeau-Bengio corrected t interval of the mean of paired differences d,
# at `level`; `ratio` = n_test / n_train.
nb_interval <- function(d, ratio, level = 0.95) {
  d <- d[!is.na(d)]
  J <- length(d)
  if (J < 2) {
    return(list(mean = if (J) mean(d) else NA_real_, lower = NA_real_, upper = NA_real_,
                p_value = NA_real_, J = J))
  }
  m <- mean(d)
  se <- sqrt((1 / J + ratio) * stats::var(d))
  if (se == 0) {
    return(list(mean = m, lower = m, upper = m, p_value = if (m == 0) 1 else 0, J = J))
  }
  q <- stats::qt(1 - (1 - level) / 2, J - 1)
  list(mean = m, lower = m - q * se, upper = m + q * se,
       p_value = 2 * stats::pt(-abs(m / se), J - 1), J = J)
}

# The differences sampler minus reference over the splits both have, in
# the sampler's order of splits.
paired_differences <- function(index, sampler, reference, learner, corrected, metric) {
  a <- metric_series(index, sampler, learner, corrected, metric)
  b <- metric_series(index, reference, learner, corrected, metric)
  both <- !duplicated(a$split) & a$split %in% b$split
  a$value[both] - b$value[match(a$split[both], b$split)]
}

verdict_table <- function(metrics, samplers, learners, corrected, ratio,
                          index = metric_index(metrics)) {
  rows <- list()
  for (lrn in learners) for (s in samplers[-1]) for (m in verdict_metrics) {
    d <- paired_differences(index, s, samplers[1], lrn, corrected, m)
    iv <- nb_interval(d, ratio)
    rows[[length(rows) + 1]] <- c(list(sampler = s, learner = lrn, metric = m), iv)
  }
  v <- bind_rows(rows)
  if (is.null(v)) return(NULL)
  v$p_holm <- stats::p.adjust(v$p_value, "holm")
  # intervals at Holm's level for each comparison's rank
  m <- sum(!is.na(v$p_value))
  rank <- rank(v$p_value, ties.method = "first", na.last = "keep")
  level <- 1 - 0.05 / (m - rank + 1)
  se_q <- (v$upper - v$mean) / stats::qt(0.975, pmax(v$J - 1, 1))
  v$lower_holm <- v$mean - stats::qt(1 - (1 - level) / 2, pmax(v$J - 1, 1)) * se_q
  v$upper_holm <- v$mean + stats::qt(1 - (1 - level) / 2, pmax(v$J - 1, 1)) * se_q
  v$better <- ifelse(v$metric %in% c("pr_auc", "roc_auc"), "higher", "lower")
  v$significant <- !is.na(v$p_holm) & v$p_holm < 0.05
  v$sampler <- factor(v$sampler, levels = samplers)
  v$learner <- factor(v$learner, levels = learners)
  v
}

# Calibration of the raw and corrected predictions against "none": Brier
# and the calibration intercept's distance from 0, unadjusted intervals.
calibration_table <- function(metrics, samplers, learners, corrected, ratio,
                              index = metric_index(metrics)) {
  rows <- list()
  versions <- if (corrected) c(FALSE, TRUE) else FALSE
  for (lrn in learners) for (s in samplers[-1]) for (cr in versions) {
    for (m in c("brier", "cal_intercept_error")) {
      d <- paired_differences(index, s, samplers[1], lrn, cr, m)
      iv <- nb_interval(d, ratio)
      rows[[length(rows) + 1]] <- c(list(sampler = s, learner = lrn, corrected = cr,
                                         metric = m), iv)
    }
  }
  bind_rows(rows)
}

decision_table <- function(verdict, calibration, samplers, learners, corrected) {
  if (is.null(verdict)) return(NULL)
  rows <- list()
  # the tables' columns as vectors (subsetting the data frames for each
  # comparison cost more than the comparisons)
  v_sampler <- as.character(verdict$sampler)
  v_learner <- as.character(verdict$learner)
  c_sampler <- as.character(calibration$sampler)
  c_learner <- as.character(calibration$learner)
  for (lrn in learners) for (s in samplers[-1]) {
    here <- v_sampler == s & v_learner == lrn
    get <- function(m) which(here & verdict$metric == m)
    up <- function(i) length(i) == 1 && isTRUE(verdict$significant[i]) && verdict$mean[i] > 0
    down <- function(i) length(i) == 1 && isTRUE(verdict$significant[i]) && verdict$mean[i] < 0
    ranking <- up(get("pr_auc")) || up(get("roc_auc"))
    worse_ranking <- down(get("pr_auc")) || down(get("roc_auc"))
    calib_worse <- up(get("brier")) || up(get("cal_slope_error"))
    helped <- ranking && !calib_worse
    cal <- c_sampler == s & c_learner == lrn
    above <- function(rows) any(!is.na(calibration$lower[rows]) & calibration$lower[rows] > 0)
    hurt <- above(cal & !calibration$corrected)
    repaired <- if (!corrected || !hurt) NA else !above(cal & calibration$corrected)
    words <- if (helped) "helped" else "no evidence of benefit"
    detail <- c(
      if (ranking && calib_worse) "ranking better, but calibration after prior correction worse",
      if (worse_ranking) "ranking worse",
      if (hurt) sprintf("hurt calibration%s",
                        if (isTRUE(repaired)) "; the prior correction repaired it"
                        else if (isFALSE(repaired)) "; the prior correction did not repair it"
                        else ""))
    rows[[length(rows) + 1]] <- list(sampler = s, learner = lrn, helped = helped,
                                     verdict = words,
                                     detail = if (length(detail)) paste(detail, collapse = "; ") else "",
                                     hurt_calibration = hurt, repaired = repaired)
  }
  d <- bind_rows(rows)
  d$sampler <- factor(d$sampler, levels = samplers)
  d$learner <- factor(d$learner, levels = learners)
  d
}

# The predictions the curves and subgroups read: the holdout's when there
# is one, otherwise the first repeat's out-of-fold predictions (each row
# once).
curve_source <- function(predictions) {
  if (any(predictions$rep == 0)) {
    src <- predictions[predictions$rep == 0, , drop = FALSE]
    attr(src, "source") <- "holdout"
  } else {
    src <- predictions[predictions$rep == 1, , drop = FALSE]
    attr(src, "source") <- "out-of-fold (repeat 1)"
  }
  src
}

decision_curves <- function(source, corrected, thresholds = seq(0.01, 0.99, by = 0.01)) {
  rows <- list()
  # the rows' indices of each sampler and learner found, not the data frame
  # split (split.data.frame() subsets every column of every piece), in the
  # order split() by the two would give (samplers within learners)
  y <- source$y
  pv <- if (corrected) source$p_corrected else source$p
  sampler <- as.integer(source$sampler)
  learner <- as.integer(source$learner)
  for (l in seq_len(nlevels(source$learner))) for (s in seq_len(nlevels(source$sampler))) {
    i <- which(sampler == s & learner == l)
    if (length(i) == 0) next
    nb <- metric_net_benefit(y[i], pv[i], thresholds)
    rows[[length(rows) + 1]] <- c(list(sampler = rep.int(s, nrow(nb)),
                                       learner = rep.int(l, nrow(nb))),
                                  as.list(nb))
  }
  out <- bind_rows(rows)
  out$sampler <- codes_factor(out$sampler, levels(source$sampler))
  out$learner <- codes_factor(out$learner, levels(source$learner))
  attr(out, "source") <- attr(source, "source")
  out
}

subgroup_metrics <- c("pr_auc", "roc_auc", "brier", "recall", "precision")

subgroup_table <- function(source, data, subgroups, corrected, seed, B = 200, min_events = 20) {
  if (is.null(subgroups)) return(NULL)
  rows <- list()
  i <- 0L
  for (col in subgroups) {
    level_of <- as.character(data[[col]])[source$row]
    level_of[is.na(level_of)] <- "(missing)"
    for (key in split(seq_len(nrow(source)), list(source$sampler, source$learner, level_of),
                      drop = TRUE)) {
      part <- source[key, , drop = FALSE]
      p <- if (corrected) part$p_corrected else part$p
      thr <- stats::median(part$threshold)
      events <- sum(part$y)
      id <- list(column = col, level = level_of[key[1]],
                 sampler = as.character(part$sampler[1]),
                 learner = as.character(part$learner[1]), n = nrow(part), events = events)
      i <- i + 1L
      if (events < min_events || events == nrow(part)) {
        k <- length(subgroup_metrics)
        rows[[length(rows) + 1]] <- c(lapply(id, rep, k), list(
          metric = subgroup_metrics, estimate = rep(NA_real_, k), lower = rep(NA_real_, k),
          upper = rep(NA_real_, k),
          note = rep(sprintf("%d event(s): fewer than %d, no estimate", events, min_events), k)))
        next
      }
      fun <- function(y, p) {
        at <- metric_threshold(y, p, thr)
        c(pr_auc = metric_pr_auc(y, p), roc_auc = metric_roc_auc(y, p),
          brier = metric_brier(y, p), recall = at$recall, precision = at$precision)
      }
      bt <- bootstrap_metric(part$y, p, fun, B = B, seed = derive_seed(seed, 5000L + i))
      rows[[length(rows) + 1]] <- c(lapply(id, rep, nrow(bt)),
        list(metric = bt$metric, estimate = bt$estimate, lower = bt$lower,
             upper = bt$upper, note = rep("", nrow(bt))))
    }
  }
  out <- bind_rows(rows)
  attr(out, "source") <- attr(source, "source")
  out
}

# Rows "none" missed (positives) or flagged (negatives) in most of the
# splits that tested them, and which each sampler recovered.
error_analysis <- function(predictions, data, samplers, learners, corrected) {
  # the out-of-fold predictions' columns, taken as vectors (this runs in
  # the calling process whatever the plan: subsetting the data frame of
  # every prediction and tapply() over every row took seconds on large
  # tables)
  oof <- predictions$rep > 0
  row <- predictions$row[oof]
  y <- predictions$y[oof]
  p_use <- (if (corrected) predictions$p_corrected else predictions$p)[oof]
  # a positive is wrong below its threshold, a negative at or above it
  wrong <- p_use >= predictions$threshold[oof]
  wrong[y] <- !wrong[y]
  code_of <- function(f) as.integer(f)[oof]
  sampler_code <- code_of(predictions$sampler)
  learner_code <- code_of(predictions$learner)
  is_cell <- function(s, lrn) {
    ks <- match(s, levels(predictions$sampler))
    kl <- match(lrn, levels(predictions$learner))
    if (is.na(ks) || is.na(kl)) return(logical(length(row)))
    sampler_code == ks & learner_code == kl
  }
  # per row of the data: how often tested, and how often wrong
  n_rows <- max(row, 0L)
  tally <- function(sel) {
    r <- row[sel]
    list(tested = tabulate(r, n_rows), wrong = tabulate(r[wrong[sel]], n_rows))
  }
  missed <- list(); flagged <- list(); recovered <- list()
  for (lrn in learners) {
    base <- tally(is_cell(samplers[1], lrn))
    # the rows "none" got wrong in most of its tests, in increasing order
    tested <- which(base$tested > 0L)
    base_wrong <- tested[base$wrong[tested] / base$tested[tested] > 0.5]
    if (length(base_wrong) == 0) next
    is_pos <- y[match(base_wrong, row)]
    tallies <- lapply(samplers[-1], function(s) tally(is_cell(s, lrn)))
    for (kind in c("missed", "flagged")) {
      at <- base_wrong[if (kind == "missed") is_pos else !is_pos]
      if (length(at) == 0) next
      b <- list(row = at, times_tested = base$tested[at], times_wrong = base$wrong[at])
      names(b)[3] <- paste0("times_", kind)
      b <- new_frame(b)
      rows <- error_rows(lrn, b, data)
      if (kind == "missed") missed[[lrn]] <- rows else flagged[[lrn]] <- rows
      for (j in seq_along(samplers[-1])) {
        s <- samplers[-1][j]
        # NA for the rows the sampler's cells did not test
        t_tested <- tallies[[j]]$tested[at]
        t_tested[t_tested == 0L] <- NA_integer_
        t_wrong <- tallies[[j]]$wrong[at]
        t_wrong[is.na(t_tested)] <- NA_integer_
        recovered[[length(recovered) + 1]] <- list(
          learner = rep(lrn, length(at)), sampler = rep(s, length(at)),
          kind = rep(kind, length(at)), row = at, share_none = b[[3]] / b$times_tested,
          share_sampler = t_wrong / t_tested,
          recovered = !is.na(t_wrong) & t_wrong / t_tested <= 0.5)
      }
    }
  }
  list(missed = stack_frames(missed), flagged = stack_frames(flagged),
       recovered = bind_rows(recovered))
}

# rbind() of the data frames in `frames` (NULL for none); one is returned
# as it is (rbind() of one data frame gives the same, at rbind()'s cost)
stack_frames <- function(frames) {
  if (length(frames) == 0) return(NULL)
  if (length(frames) == 1) return(frames[[1]])
  do.call(rbind, unname(frames))
}

# The learner, a tally's rows and the data's rows they name, as one table
# with automatic row names: cbind(data.frame(learner = lrn, b), data[b$row,
# , drop = FALSE]) without data.frame()'s checks when the data is a plain
# data frame of columns data.frame() keeps as they are (data_rows() takes
# its rows then): unnamed atomic vectors, plain or factors, dates, times.
error_rows <- function(lrn, b, data) {
  kept <- list(NULL, "factor", c("ordered", "factor"), "Date", c("POSIXct", "POSIXt"))
  plain <- function(col) {
    is.atomic(col) && is.null(dim(col)) && is.null(names(col)) &&
      any(vapply(kept, identical, logical(1), oldClass(col)))
  }
  if (!identical(class(data), "data.frame") || !all(vapply(data, plain, logical(1)))) {
    rows <- cbind(data.frame(learner = lrn, b), data[b$row, , drop = FALSE])
    rownames(rows) <- NULL
    return(rows)
  }
  new_frame(c(list(learner = rep(lrn, nrow(b))), unclass(b),
              unclass(data_rows(data, b$row))))
}

# Failed cells: an error when a sampler or a learner failed everywhere, a
# warning otherwise.
report_failures <- function(x, call) {
  f <- x$failures
  if (nrow(f) == 0) return(invisible())
  for (s in unique(f$sampler[f$stage == "sampler"])) {
    fs <- f[f$stage == "sampler" & f$sampler == s, , drop = FALSE]
    if (length(unique(paste(fs$rep, fs$fold))) >= length(x$splits) + (x$settings$n_holdout > 0)) {
      sg_abort(c(sprintf("Sampler `%s` failed in every split.", s), fs$message[1]),
               class = "sampler", call = call)
    }
  }
  for (l in unique(f$learner)) {
    fl <- f[f$learner == l, , drop = FALSE]
    total <- (length(x$splits) + (x$settings$n_holdout > 0)) * length(x$settings$samplers)
    if (nrow(fl) >= total) {
      sg_abort(c(sprintf("Learner `%s` failed in every split and sampler.", l), fl$message[1]),
               class = if (all(fl$stage == "sampler")) "sampler" else "learner", call = call)
    }
  }
  sg_warn(c(sprintf("%d of the evaluation's cells failed; they are marked in `$failures` and left out of the metrics.",
                    nrow(f)),
            sprintf("First: %s", f$message[1])),
          class = "evaluate", call = call)
}

# ---------------------------------------------------------------------------
# More than two classes: one evaluation per class (that class against the
# rest, on the same splits), and their macro average

combine_one_vs_rest <- function(evals, outcome, seed, held) {
  classes <- outcome$classes
  names(evals) <- classes
  first <- evals[[1]]
  learners <- vapply(first$settings$learners, function(l) l$name, character(1))
  samplers <- vapply(first$settings$samplers, function(s) s$label, character(1))
  with_class <- function(part) {
    tabs <- lapply(classes, function(cls) {
      t <- evals[[cls]][[part]]
      if (is.null(t) || nrow(t) == 0) return(NULL)
      cbind(data.frame(class = rep(cls, nrow(t))), t)
    })
    out <- do.call(rbind, tabs)
    if (!is.null(out)) rownames(out) <- NULL
    out
  }
  class_metrics <- with_class("metrics")
  class_holdout <- with_class("holdout")
  settings <- first$settings
  settings$positive <- NULL
  settings$negative <- NULL
  settings$classes <- classes
  settings$n_events <- vapply(evals, function(e) e$settings$n_events, numeric(1))
  settings$n_holdout_events <- vapply(evals, function(e) e$settings$n_holdout_events,
                                      numeric(1))
  out <- list(metrics = macro_average(class_metrics, samplers, learners),
              holdout = macro_average(class_holdout, samplers, learners),
              class_metrics = rbind(class_metrics, class_holdout),
              per_class = evals,
              failures = with_class("failures") %||% first$failures,
              warnings = with_class("warnings"),
              notes = with_class("notes"),
              splits = first$splits)
  corrected <- settings$correct_prior
  if (!is.null(out$metrics)) out <- verdict_tables(out, samplers, learners, corrected)
  out$settings <- settings
  out$seed <- seed
  out$holdout_rows <- held
  class(out) <- c("sg_evaluation_ovr", "sg_evaluation")
  out
}

# The mean over the classes of each metric per split, sampler, learner and
# correction (the classes with a value: a class absent from a test part
# has NA ranking metrics there). The calibration slope's and intercept's
# distances (from 1 and 0) are averaged as distances, so that one class's
# slope above 1 does not cancel another's below.
macro_average <- function(metrics, samplers, learners) {
  if (is.null(metrics) || nrow(metrics) == 0) return(NULL)
  dist <- metrics[metrics$metric %in% c("cal_slope", "cal_intercept"), , drop = FALSE]
  dist$value <- ifelse(dist$metric == "cal_slope", abs(dist$value - 1), abs(dist$value))
  dist$metric <- paste0(dist$metric, "_error")
  all <- rbind(metrics, dist)
  key <- paste(all$rep, all$fold, all$sampler, all$learner, all$corrected, all$metric,
               sep = "\r")
  first <- !duplicated(key)
  out <- all[first, c("rep", "fold", "sampler", "learner", "corrected", "metric")]
  value <- tapply(all$value, factor(key, levels = key[first]), function(v) {
    if (all(is.na(v))) NA_real_ else mean(v, na.rm = TRUE)
  })
  out$value <- as.double(value)
  out$sampler <- factor(as.character(out$sampler), levels = samplers)
  out$learner <- factor(as.character(out$learner), levels = learners)
  rownames(out) <- NULL
  out
}
