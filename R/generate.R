# The generation pipeline's shared steps. (generate_class(), the pipeline
# itself, moves here from oversample.R.)

# SMOTE's draw, which other methods share: parents taken in turns (a
# random permutation of the seeds per round of turns, so each is used
# about equally often; see vignette("definitions"), #parent-cycle), each
# paired with one of its candidate neighbours at a gap uniform in [0, 1].
# With no candidate columns it makes copies of the parents (random
# oversampling, and classes of a single row).
draw_in_turns <- function(ctx, at, within_at, need, state) {
  .Call(ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
}
