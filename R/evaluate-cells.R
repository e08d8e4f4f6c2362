# sg_evaluate()'s grid: the cells (one split x one sampler, every learner),
# run here under the sequential plan or in batches through future, each
# scoring its own predictions (so that the scoring runs in the workers too).

# Hooks for the tests: functions called with the row names each sampler and
# each learner receives. Unset (empty) outside the tests.
eval_hooks <- new.env(parent = emptyenv())

run_cells <- function(cells, shared) {
  progress <- if (requireNamespace("progressr", quietly = TRUE)) {
    progressr::progressor(steps = length(cells))
  }
  # under the sequential plan the cells run here, as future would run them
  # (each cell sets its own seed; eval_cells() sets one thread), without
  # future's cost per cell (a tenth of a small evaluation)
  if (requireNamespace("future", quietly = TRUE) &&
      !inherits(future::plan(), "sequential")) {
    # One future per batch of cells, one batch per worker, balanced by the
    # cells' expected cost (a worker that drew the heavy cells would finish
    # last while the other waits). eval_cells() is the package's own and
    # its globals are given, so future does not scan its code (a quarter of
    # a small evaluation's time); `shared` travels once per batch.
    batches <- cell_batches(cells, shared, future::nbrOfWorkers())
    # where more batches than workers wait for one, future polls them,
    # every 0.01 s by default: every 0.05 s unless the user chose
    if (is.null(getOption("future.wait.interval"))) {
      old <- options(future.wait.interval = 0.05)
      on.exit(options(old), add = TRUE)
    }
    # the random stream the calling process is left with must be the one
    # the sequential plan leaves (the last cell's): with more than two
    # classes the next class's cell seeds are drawn from it
    cells[[length(cells)]]$keep_rng <- TRUE
    futures <- lapply(batches, function(b) {
      # the call as a value (substitute = FALSE): its names are the globals
      future::future(quote(eval_cells(batch, shared, progress)), substitute = FALSE,
                     globals = list(eval_cells = eval_cells, batch = cells[b], shared = shared,
                                    progress = progress),
                     packages = "smoteguard", seed = TRUE)
    })
    # the results taken in turn, each waited for where it is (a blocking
    # read from the worker): polling all of them until each is done took
    # a tenth of a core from the workers on a small machine
    # every batch collected, so that no worker is left busy, before one
    # failure (a worker that died, an error outside the cells' handlers) is
    # raised as one classed error
    done <- lapply(futures, function(f) tryCatch(future::value(f), error = identity))
    failed <- vapply(done, inherits, logical(1), what = "error")
    if (any(failed)) {
      sg_abort(c(sprintf("%d of %d batches of cells failed under the parallel plan.",
                         sum(failed), length(done)),
                 sprintf("The first error: %s", conditionMessage(done[[which(failed)[1]]])),
                 "Run the evaluation under `future::plan(\"sequential\")` to see which cell fails, or check the workers (memory, installed packages)."),
               class = "parallel")
    }
    # back in the cells' order (each cell seeds itself: the order they ran
    # in changes nothing)
    results <- lapply(unlist(done, recursive = FALSE)[order(unlist(batches))], unpack_record)
    rng <- results[[length(results)]]$rng_after
    results[[length(results)]]$rng_after <- NULL
    if (!is.null(rng)) assign(".Random.seed", rng, envir = globalenv())
    results
  } else {
    eval_cells(cells, shared, progress, pack = FALSE)
  }
}

# The cells of a batch (or all of them, under the sequential plan), each
# on one thread (set once here; the caller's count is restored at the end).
# A split's training and test rows are taken once for its cells in a row
# (the cells come split by split: one split, every sampler). The cells'
# predictions are scored here, after the cells, so that the scoring runs in
# the workers too.
eval_cells <- function(cells, shared, progress = NULL, pack = TRUE) {
  old <- sg_threads(1)
  on.exit(sg_threads(old), add = TRUE)
  rows <- new.env(parent = emptyenv())
  results <- lapply(cells, function(cell) {
    res <- eval_cell(cell, shared = shared, progress = progress, rows = rows)
    if (isTRUE(cell$keep_rng)) res$rng_after <- get0(".Random.seed", envir = globalenv())
    res
  })
  results <- score_results(results, cells, shared)
  if (pack) lapply(results, pack_record) else results
}

# Each cell's learners that did not fail, scored (`scores`, as
# score_predictions() gives them): the ICI's smooths of them all made
# first, with one guard (ici_smooths()), then each scoring given its own.
score_results <- function(results, cells, shared) {
  positive <- is_positive(.subset2(shared$data, shared$var))
  correct_prior <- shared$correct_prior
  # the scored learners (cell, learner), their outcomes, and which of
  # their predictions the ICI smooths (raw; corrected when they differ)
  jobs <- list()
  for (i in seq_along(results)) {
    for (l in seq_along(results[[i]]$learners)) {
      if (is.null(results[[i]]$learners[[l]]$error)) jobs[[length(jobs) + 1]] <- c(i, l)
    }
  }
  y <- lapply(jobs, function(j) positive[cells[[j[1]]]$test])
  smooth_y <- list()
  smooth_p <- list()
  at <- matrix(NA_integer_, 2L, length(jobs))
  for (k in seq_along(jobs)) {
    if (!is.null(ici_input_note(y[[k]], sum(y[[k]])))) next
    res <- results[[jobs[[k]][1]]]$learners[[jobs[[k]][2]]]
    smooth_y[[length(smooth_y) + 1]] <- y[[k]]
    smooth_p[[length(smooth_p) + 1]] <- as.double(res$p)
    at[1L, k] <- length(smooth_y)
    if (correct_prior && !identical(res$p, res$p_corrected)) {
      smooth_y[[length(smooth_y) + 1]] <- y[[k]]
      smooth_p[[length(smooth_p) + 1]] <- as.double(res$p_corrected)
      at[2L, k] <- length(smooth_y)
    }
  }
  smooths <- ici_smooths(smooth_y, smooth_p)
  smoothed <- function(i) if (!is.na(i)) smooths[i]
  for (k in seq_along(jobs)) {
    i <- jobs[[k]][1]
    l <- jobs[[k]][2]
    res <- results[[i]]$learners[[l]]
    results[[i]]$learners[[l]]$scores <- score_predictions(
      y[[k]], res$p, res$p_corrected, res$threshold, correct_prior,
      list(raw = smoothed(at[1L, k]), corrected = smoothed(at[2L, k])))
  }
  results
}

# The training and test rows of a cell's split, from `rows` (an
# environment holding the last split's, and whether the data is a plain
# data frame) when they are there.
cell_rows <- function(cell, data, rows = NULL) {
  if (!is.null(rows) && identical(rows$split, cell$split)) return(rows$parts)
  plain <- rows$plain %||% plain_frame(data)
  parts <- list(train = data_rows(data, cell$train, plain),
                test = data_rows(data, cell$test, plain))
  if (!is.null(rows)) {
    rows$split <- cell$split
    rows$parts <- parts
    rows$plain <- plain
  }
  parts
}

# A cell's result travels back from a worker with its sampler's record,
# whose provenance table has a column of text with a few values, one per
# made row (`kind`): as strings it was two fifths of the bytes a batch
# sends back. It travels as codes into its values and is restored as it
# was (identical()) by unpack_record() in the calling process.
pack_record <- function(res) {
  pv <- res$record$provenance
  if (!is.data.frame(pv)) return(res)
  attrs <- attributes(pv)
  cols <- unclass(pv)
  packed <- list()
  for (j in seq_along(cols)) {
    col <- cols[[j]]
    if (is.character(col) && is.null(attributes(col))) {
      values <- unique(col)
      cols[[j]] <- match(col, values)
      packed[[length(packed) + 1]] <- list(column = j, values = values)
    }
  }
  if (length(packed) == 0) return(res)
  attributes(cols) <- attrs
  res$record$provenance <- cols
  res$packed <- packed
  res
}

unpack_record <- function(res) {
  if (is.null(res$packed)) return(res)
  pv <- res$record$provenance
  attrs <- attributes(pv)
  cols <- unclass(pv)
  for (p in res$packed) cols[[p$column]] <- p$values[cols[[p$column]]]
  attributes(cols) <- attrs
  res$record$provenance <- cols
  res$packed <- NULL
  res
}

# The cells' indices in `workers` batches of about equal expected cost,
# each cell to the batch with the least so far: a cell's cost taken as its
# training rows, doubled for a sampler that makes or picks rows (the
# learner then fits the rows it returns as well). Samplers differ in cost
# in ways this cannot know (a guard's checks), so the cells are dealt one
# sampler at a time, largest first within it: each batch gets its share of
# every sampler's cells. With as many workers as cells or more (or an
# unknown number), one cell a batch.
cell_batches <- function(cells, shared, workers) {
  n <- length(cells)
  if (!is.finite(workers) || workers >= n) return(as.list(seq_len(n)))
  workers <- max(1L, as.integer(workers))
  sampler <- vapply(cells, function(cell) cell$sampler, numeric(1))
  resampled <- vapply(cells, function(cell) {
    shared$samplers[[cell$sampler]]$method != "none"
  }, logical(1))
  rows <- vapply(cells, function(cell) length(cell$train), numeric(1))
  cost <- rows * (1 + resampled)
  load <- numeric(workers)
  batch <- integer(n)
  for (i in order(!resampled, sampler, -rows)) {
    b <- which.min(load)
    batch[i] <- b
    load[b] <- load[b] + cost[i]
  }
  # each batch runs its cells largest first
  lapply(seq_len(workers), function(b) {
    members <- which(batch == b)
    members[order(cost[members], decreasing = TRUE)]
  })
}

# One cell: one split and one sampler, every learner, on the thread count
# eval_cells() set. Failures are caught and returned, so the other cells go
# on.
eval_cell <- function(cell, shared, progress = NULL, rows = NULL) {
  if (!is.null(progress)) on.exit(progress(), add = TRUE)
  set_cell_seed(cell$seed)
  var <- shared$var
  sampler <- shared$samplers[[cell$sampler]]
  parts <- cell_rows(cell, shared$data, rows)
  train <- parts$train
  test <- parts$test
  warnings <- character()
  collect <- function(w) {
    warnings <<- c(warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  }
  context <- list(rep = cell$rep, fold = cell$fold, sampler_label = sampler$label)
  out <- list(sampler_error = NULL, record = NULL, learners = list(), warnings = NULL)
  if (!is.null(eval_hooks$sampler)) eval_hooks$sampler(rownames(train), cell)
  # the l-th learner fitted to the sampler's rows and predicting the test
  # rows, on its own seed
  learn <- function(l) {
    context$seed <<- derive_seed(cell$seed, 1000L + l)
    set_cell_seed(context$seed)
    learner <- shared$learners[[l]]
    if (!is.null(eval_hooks$learner)) eval_hooks$learner(rownames(fitted), cell)
    p <- learner_fit_predict(learner, fitted, test, var, context)
    pc <- if (shared$correct_prior) prior_corrected(p, real_counts, fitted_counts)
          else raw_predictions(p)
    p <- raw_predictions(p)
    thr <- if (identical(shared$threshold, "f1")) {
      f1_threshold(learner, train, var, context, shared$correct_prior)
    } else {
      shared$threshold %||% mean(is_positive(y_train))
    }
    list(p = p, p_corrected = pc, threshold = thr, error = NULL)
  }
  learner_failed <- function(l, e) {
    list(error = sprintf("Learner `%s` failed (%s): %s", shared$learners[[l]]$name,
                         cell_label(context), conditionMessage(e)))
  }
  # The sampler, then every learner, under one warning handler and one
  # error handler, not a pair for each step: `step` is the step running, 0
  # the sampler, l the l-th learner (NA in between, where nothing is
  # expected to fail). After a learner fails, the learners after it run
  # with handlers of their own.
  step <- 0L
  failed <- tryCatch(withCallingHandlers({
    fitted <- sg_resample(sampler, train, var, seed = cell$seed)
    step <- NA_integer_
    out$record <- attr(fitted, "smoteguard", exact = TRUE)
    # the outcome's class counts before and after the sampler, for the
    # prior correction (columns by .subset2(): `[[.data.frame` checks each
    # time)
    y_train <- .subset2(train, var)
    y_fitted <- .subset2(fitted, var)
    real_counts <- tabulate(y_train, nlevels(y_train))
    fitted_counts <- tabulate(y_fitted, nlevels(y_fitted))
    context$real <- train
    context$resample <- function(d, i) {
      withCallingHandlers(sg_resample(sampler, d, var, seed = derive_seed(cell$seed, i)),
                          warning = collect)
    }
    for (l in seq_along(shared$learners)) {
      step <- l
      out$learners[[l]] <- learn(l)
    }
    NULL
  }, warning = collect), error = identity)
  if (!is.null(failed)) {
    if (identical(step, 0L)) {
      out$sampler_error <- sprintf("Sampler `%s` failed (%s): %s", sampler$label,
                                   cell_label(context), conditionMessage(failed))
      out$warnings <- warnings
      return(out)
    }
    if (is.na(step)) stop(failed)
    out$learners[[step]] <- learner_failed(step, failed)
    for (l in seq_len(length(shared$learners) - step) + step) {
      out$learners[[l]] <- tryCatch(withCallingHandlers(learn(l), warning = collect),
                                    error = function(e) learner_failed(l, e))
    }
  }
  out$warnings <- unique(warnings)
  out
}

# The rows of the positive class, the second level of the cells' outcome
# (a factor of the two levels negative, positive): `y == levels(y)[2]`
# without the factor's comparison method.
is_positive <- function(y) as.integer(y) == 2L

# Rows `i` (distinct, none missing) of a plain data frame of vector
# columns: the object `[.data.frame` gives (identical(), row names
# included), without its checks, which rows of this kind make
# unnecessary. Other data frames (a tibble, a matrix column) go
# through `[`. `plain`: plain_frame(data), when the caller has it.
data_rows <- function(data, i, plain = plain_frame(data)) {
  if (!plain) return(data[i, , drop = FALSE])
  cols <- lapply(unclass(data), `[`, i)
  attr(cols, "row.names") <- attr(data, "row.names")[i]
  class(cols) <- "data.frame"
  cols
}

# TRUE for a plain data frame of vector columns (data_rows() takes its rows
# itself).
plain_frame <- function(data) {
  identical(class(data), "data.frame") &&
    all(vapply(unclass(data), function(col) is.null(dim(col)), logical(1)))
}

# The threshold maximising F1 on inner out-of-fold predictions of the real
# training rows (prior-corrected), the sampler run inside each inner
# training part.
f1_threshold <- function(learner, real, var, context, correct_prior, k = 3) {
  yr <- is_positive(real[[var]])
  fold <- class_folds(yr, min(k, sum(yr), sum(!yr)))
  p <- numeric(length(yr))
  for (f in unique(fold)) {
    inner <- real[fold != f, , drop = FALSE]
    fitted <- context$resample(inner, 100L + f)
    inner_context <- context
    inner_context$real <- inner
    pf <- learner_fit_predict(learner, fitted, real[fold == f, , drop = FALSE], var,
                              inner_context)
    p[fold == f] <- if (correct_prior) prior_corrected(pf, inner[[var]], fitted[[var]])
                    else raw_predictions(pf)
  }
  grid <- sort(unique(p))
  at <- metric_threshold(yr, p, grid)
  f1 <- at$f1
  f1[is.na(f1)] <- -1
  grid[which.max(f1)]
}

