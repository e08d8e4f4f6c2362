# The fidelity check's flag, recomputed in plain R from its definition (the
# sg_oversample() help, section "Fidelity check"): per class and numeric
# predictor, shift = (mean of synthetic - mean of real) / sd of real,
# se_shift = 1 / sqrt(n_synthetic), and a feature is flagged (and named in
# the warning) when |shift| exceeds both 0.25 and 3 se_shift. Written to
# kill a mutant of tests/mutants/mutants.R (the 0.25 threshold ignored).

test_that("a shift beyond 3 standard errors but within 0.25 sd is not flagged", {
  set.seed(1)
  n_maj <- 600
  n_min <- 150
  x <- rbind(matrix(rnorm(n_maj * 6), n_maj),
             matrix(rnorm(n_min * 6), n_min) + rep(c(1, 0, 0, 0, 0, 0), each = n_min))
  d <- data.frame(x, y = factor(rep(c("maj", "min"), c(n_maj, n_min))))
  # the guard of smoteguard 0.1 (intrusion 0.5, quota "free") keeps parents
  # away from the majority: X1's mean moves (the class also falls a little
  # short of its target, which is not the point)
  short <- function(w) invokeRestart("muffleWarning")
  expect_warning(withCallingHandlers(
    res <- sg_oversample(d, "y", seed = 1, over_ratio = c(min = 4),
                         guard = sg_guard(intrusion = 0.5, quota = "free")),
    smoteguard_warning_shortfall = short), class = "smoteguard_warning_fidelity")
  f <- sg_record(res)$fidelity
  real <- d[d$y == "min", 1:6]
  syn <- res[-seq_len(nrow(d)), 1:6]
  shift <- (colMeans(syn) - colMeans(real)) / apply(real, 2, sd)
  se <- 1 / sqrt(nrow(syn))
  expect_equal(f$shift, unname(shift), tolerance = 1e-10)
  expect_equal(f$se_shift, rep(se, 6), tolerance = 1e-12)
  expect_identical(f$flagged, unname(abs(shift) > 0.25 & abs(shift) > 3 * se))
  # the data hold both cases: a feature past both limits, and one past the
  # standard errors only
  expect_true(any(abs(shift) > 0.25))
  expect_true(any(abs(shift) <= 0.25 & abs(shift) > 3 * se))
})
