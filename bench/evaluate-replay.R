# sg_evaluate()'s overhead in instructions (issue 20): the default evaluation
# of bench/evaluate.R's part a, and its work alone (every cell's sampler call
# and glm fit and predict, replayed with the cells' seeds and rows), or its
# cells alone (`eval_cells()` on the evaluation's cells: the work, each
# cell's own code and the scoring), each run 1 + K times after the same
# start; the instruction count of K = 0 is taken from each. Not part of the
# package. For each MODE (eval, work; cells to split the overhead) and
# K (0, 3):
#
#   R_LIBS=<lib> R -d "valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null" \
#     --no-echo --no-restore -f bench/evaluate-replay.R --args MODE K
#
# an evaluation = (I refs at K = 3 - at K = 0) / 4 in each mode; overhead =
# eval / work - 1.
suppressMessages(library(smoteguard))
sg_threads(1)
future::plan("sequential")
args <- commandArgs(TRUE)
mode <- args[1]
k <- as.integer(args[2])
ns <- asNamespace("smoteguard")
call <- function() suppressWarnings(sg_evaluate(breast_biopsy, "diagnosis", seed = 1))
# the cells and their shared settings, from one evaluation (in both modes)
suppressMessages(trace("run_cells", where = ns, print = FALSE, tracer = quote({
  assign("replay_cells", cells, globalenv())
  assign("replay_shared", shared, globalenv())
})))
invisible(call())
suppressMessages(untrace("run_cells", where = ns))
# the cells' rows taken here, before the counted runs: taking them (and
# seeding each cell) is the evaluation's bookkeeping, not the work
rows <- lapply(replay_cells, function(cell) {
  list(train = ns$data_rows(replay_shared$data, cell$train),
       test = ns$data_rows(replay_shared$data, cell$test))
})
work <- function() {
  for (j in seq_along(replay_cells)) {
    cell <- replay_cells[[j]]
    train <- rows[[j]]$train
    test <- rows[[j]]$test
    fitted <- suppressWarnings(sg_resample(replay_shared$samplers[[cell$sampler]], train,
                                           replay_shared$var, seed = cell$seed))
    learner <- replay_shared$learners[[1]]
    model <- learner$fit(fitted, replay_shared$var, list())
    learner$predict(model, test)
  }
}
cells <- function() ns$eval_cells(replay_cells, replay_shared, pack = FALSE)
run <- switch(mode, work = work, cells = cells, eval = call)
if (k > 0) invisible(run())
for (i in seq_len(k)) invisible(run())
