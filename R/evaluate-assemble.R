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
# list of columns a cell and learner, `preds`, with their scores), the
# failures and warnings as tables, and the resampled cells' records.
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
      nt <- length(cell$test)
      preds[[length(preds) + 1]] <- list(
        rep = rep(cell$rep, nt), fold = rep(cell$fold, nt), sampler = rep(sl, nt),
        learner = rep(learners[l], nt), row = cell$test, y = y[cell$test],
        p = lr$p, p_corrected = lr$p_corrected, threshold = rep(lr$threshold, nt))
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
  scored <- score_cells(preds, scores, correct_prior, reference = samplers[1])
  predictions <- bind_rows(preds)
  predictions$sampler <- factor(predictions$sampler, levels = samplers)
  predictions$learner <- factor(predictions$learner, levels = learners)
  metrics <- scored$metrics
  metrics$sampler <- factor(metrics$sampler, levels = samplers)
  metrics$learner <- factor(metrics$learner, levels = learners)
  fold_rows <- metrics$rep > 0
  out$metrics <- metrics[fold_rows, , drop = FALSE]
  out$holdout <- metrics[!fold_rows, , drop = FALSE]
  rownames(out$metrics) <- NULL
  rownames(out$holdout) <- NULL
  out$notes <- scored$notes
  out$predictions <- predictions
  # one row per cell, from the cells' keys score_cells() made (unique() on
  # the predictions' rows is slow on a large holdout; a list of one row per
  # cell stacked cost more than the table); the thresholds joined as c()
  # joins them
  out$thresholds <- new_frame(c(scored$key, list(
    threshold = unlist(lapply(preds, function(pr) pr$threshold[1]), use.names = FALSE))))
  out$thresholds$sampler <- factor(out$thresholds$sampler, levels = samplers)
  out$thresholds$learner <- factor(out$thresholds$learner, levels = learners)
  out
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
# sensitivity. `preds`: the list of per-cell columns. The long tables are
# made once from the blocks' values and the cells' keys, in the blocks'
# order: every cell's raw and corrected metrics, then every cell's matched
# ones.
score_cells <- function(preds, scores, correct_prior, reference) {
  n <- length(preds)
  key <- list(rep = vapply(preds, function(pr) pr$rep[1], pr_type(preds, "rep")),
              fold = vapply(preds, function(pr) pr$fold[1], pr_type(preds, "fold")),
              sampler = vapply(preds, function(pr) pr$sampler[1], character(1)),
              learner = vapply(preds, function(pr) pr$learner[1], character(1)))
  # the blocks of values, each with its cell and correction, kept as
  # parallel vectors and lists (the long tables are read from them whole)
  nbl <- (2 + correct_prior) * n
  block_cell <- integer(nbl)
  block_corrected <- logical(nbl)
  block_values <- vector("list", nbl)
  block_notes <- vector("list", nbl)
  nb <- 0L
  add <- function(i, corrected, values) {
    nb <<- nb + 1L
    block_cell[nb] <<- i
    block_corrected[nb] <<- corrected
    block_values[[nb]] <<- values
    notes <- attr(values, "notes", exact = TRUE)
    if (!is.null(notes)) block_notes[[nb]] <<- notes
  }
  for (i in seq_len(n)) {
    add(i, FALSE, scores[[i]]$raw)
    if (correct_prior) add(i, TRUE, scores[[i]]$corrected)
  }
  # matched sensitivity: each model's threshold reaching "none"'s recall
  # of the same split and learner
  is_ref <- key$sampler == reference
  ref_at <- match(paste(key$rep, key$fold, key$learner),
                  paste(key$rep, key$fold, key$learner)[is_ref])
  ref_recall <- vapply(which(is_ref), function(i) scores[[i]]$raw[["recall"]], numeric(1))
  # every cell's threshold and rates at once, from their rows end to end
  # (`set`: each row's cell)
  y <- as.logical(unlist(lapply(preds, function(pr) pr$y), use.names = FALSE))
  p <- unlist(lapply(preds, function(pr) if (correct_prior) pr$p_corrected else pr$p),
              use.names = FALSE)
  set <- rep.int(seq_len(n), vapply(preds, function(pr) length(pr$y), integer(1)))
  t <- matched_thresholds(y, p, set, ref_recall[ref_at])
  matched <- matrix(c(t, unlist(matched_rates_at(y, p, set, t)[matched_rates],
                                use.names = FALSE)),
                    nrow = n, dimnames = list(NULL, matched_names))
  no_match <- c(matched_threshold = "no positive case in the test part, or no recall to match")
  for (i in seq_len(n)) {
    add(i, correct_prior, if (is.na(t[i])) structure(matched[i, ], notes = no_match)
                          else matched[i, ])
  }
  # a block's values and notes are named by metric, so that unlist() of
  # them gives the metric names as its names
  long <- function(parts, values) {
    size <- lengths(parts, use.names = FALSE)
    if (sum(size) == 0) return(NULL)
    cell <- rep.int(block_cell, size)
    cols <- lapply(key, function(k) k[cell])
    cols$corrected <- rep.int(block_corrected, size)
    flat <- unlist(parts)
    cols$metric <- names(flat)
    cols[[values]] <- unname(flat)
    new_frame(cols)
  }
  list(metrics = long(block_values, "value"), notes = long(block_notes, "note"), key = key)
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
# evaluation's own time.
metric_index <- function(metrics) {
  sampler <- as.character(metrics$sampler)
  learner <- as.character(metrics$learner)
  levels <- list(sampler = unique(sampler), learner = unique(learner),
                 metric = unique(metrics$metric))
  # one whole number per (sampler, learner, corrected, metric)
  code <- key_code(levels, match(sampler, levels$sampler), match(learner, levels$learner),
                   metrics$corrected, match(metrics$metric, levels$metric))
  list(rows = split(seq_len(nrow(metrics)), code), levels = levels, value = metrics$value,
       rep = metrics$rep, fold = metrics$fold)
}

key_code <- function(levels, s, l, corrected, m) {
  ((((s - 1L) * length(levels$learner) + l - 1L) * 2L + as.integer(corrected)) *
     length(levels$metric) + m)
}

# Values of one metric per split for a sampler and learner, named by split
# (`index`: metric_index() of the table).
metric_by_split <- function(index, sampler, learner, corrected, metric) {
  lv <- index$levels
  at <- function(m) {
    code <- key_code(lv, match(sampler, lv$sampler), match(learner, lv$learner), corrected,
                     match(m, lv$metric))
    if (is.na(code)) integer() else index$rows[[as.character(code)]]
  }
  named <- function(v, rows) stats::setNames(v, paste(index$rep[rows], index$fold[rows]))
  rows <- at(metric)
  if (length(rows) > 0) {
    # given as such (a macro average of the classes' distances)
    return(named(index$value[rows], rows))
  }
  rows <- at(sub("_error$", "", metric))
  v <- index$value[rows]
  if (metric == "cal_slope_error") v <- abs(v - 1)
  if (metric == "cal_intercept_error") v <- abs(v)
  named(v, rows)
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

paired_differences <- function(index, sampler, reference, learner, corrected, metric) {
  a <- metric_by_split(index, sampler, learner, corrected, metric)
  b <- metric_by_split(index, reference, learner, corrected, metric)
  keys <- intersect(names(a), names(b))
  a[keys] - b[keys]
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
  # the rows' indices split, not the data frame (split.data.frame() subsets
  # every column of every piece)
  y <- source$y
  pv <- if (corrected) source$p_corrected else source$p
  for (i in split(seq_len(nrow(source)), list(source$sampler, source$learner), drop = TRUE)) {
    nb <- metric_net_benefit(y[i], pv[i], thresholds)
    rows[[length(rows) + 1]] <- c(list(sampler = rep(as.character(source$sampler[i[1]]), nrow(nb)),
                                       learner = rep(as.character(source$learner[i[1]]), nrow(nb))),
                                  as.list(nb))
  }
  out <- bind_rows(rows)
  out$sampler <- factor(out$sampler, levels = levels(source$sampler))
  out$learner <- factor(out$learner, levels = levels(source$learner))
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
  # per row tested (in increasing row order): how often, and how often
  # wrong
  tally <- function(sel) {
    r <- row[sel]
    rows <- sort(unique(r))
    at <- match(r, rows)
    # new_frame(): data.frame()'s checks cost more than the tally here
    new_frame(list(row = as.integer(rows), times_tested = tabulate(at, length(rows)),
                   times_wrong = tabulate(at[wrong[sel]], length(rows))))
  }
  missed <- list(); flagged <- list(); recovered <- list()
  for (lrn in learners) {
    base <- tally(is_cell(samplers[1], lrn))
    base <- base[base$times_wrong / base$times_tested > 0.5, , drop = FALSE]
    if (nrow(base) == 0) next
    is_pos <- y[match(base$row, row)]
    tallies <- lapply(samplers[-1], function(s) tally(is_cell(s, lrn)))
    for (kind in c("missed", "flagged")) {
      b <- base[if (kind == "missed") is_pos else !is_pos, , drop = FALSE]
      if (nrow(b) == 0) next
      names(b)[3] <- paste0("times_", kind)
      rows <- error_rows(lrn, b, data)
      if (kind == "missed") missed[[lrn]] <- rows else flagged[[lrn]] <- rows
      for (j in seq_along(samplers[-1])) {
        s <- samplers[-1][j]
        t <- tallies[[j]]
        t <- t[match(b$row, t$row), , drop = FALSE]
        recovered[[length(recovered) + 1]] <- list(
          learner = rep(lrn, nrow(b)), sampler = rep(s, nrow(b)), kind = rep(kind, nrow(b)),
          row = b$row, share_none = b[[3]] / b$times_tested,
          share_sampler = t$times_wrong / t$times_tested,
          recovered = !is.na(t$times_wrong) & t$times_wrong / t$times_tested <= 0.5)
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
