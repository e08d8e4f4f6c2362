#' @include registry.R generate.R
NULL

# SMOTE (Chawla et al. 2002): every row of the class is a parent, in turns
# through a random permutation, paired with one of its `neighbors` nearest
# same-class rows, at a gap uniform in [0, 1] (draw_in_turns()).

register_method(new_sampler_method(
  name = "smote", family = "interpolate", rank = 1,
  title = "SMOTE: every row of the class is a parent, gap uniform in [0, 1]",
  reference = "Chawla, Bowyer, Hall and Kegelmeyer (2002), JAIR 16",
  draw = draw_in_turns
))
