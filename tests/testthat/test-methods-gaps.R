# The gaps and pairs of the interpolating methods, checked against the
# papers' definitions (ALGORITHMS.md; the sg_oversample() help) on data
# where every case of the rule occurs, recomputed here in plain R. Written
# to kill mutants of tests/mutants/mutants.R that the reference tests in
# test-methods.R let through.

# Two overlapping classes: many minority rows have no own-class row among
# their nearest rows.
mixed_up <- function(n_maj = 400, n_min = 200, shift = 1, seed = 1) {
  withr::with_seed(seed, data.frame(
    x1 = c(stats::rnorm(n_maj), stats::rnorm(n_min, shift)),
    x2 = c(stats::rnorm(n_maj), stats::rnorm(n_min)),
    y = factor(rep(c("maj", "min"), c(n_maj, n_min)))))
}

unguarded <- function(...) {
  withCallingHandlers(sg_oversample(..., guard = NULL, constraints = NULL),
                      smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
}

test_that("ADASYN's gap is uniform on [0, 1] (He et al. 2008, as SMOTE's)", {
  d <- mixed_up(seed = 2)
  res <- unguarded(d, "y", method = "adasyn", seed = 2, over_ratio = c(min = 3))
  gap <- sg_provenance(res)$gap
  expect_gt(length(gap), 300)
  expect_true(all(gap >= 0 & gap <= 1))
  # each half of [0, 1] holds about half of the gaps, each tenth a tenth
  expect_equal(mean(gap < 0.5), 0.5, tolerance = 0.1)
  expect_gt(stats::ks.test(gap, "punif")$p.value, 1e-4)
})

test_that("Safe-Level: a pair with one row of safe level 0 makes a copy of the other (gap 0 or 1)", {
  # Bunkhumpornpat et al. (2009): sl_p = sl_n = 0 makes nothing; sl_n = 0
  # copies the parent (gap 0); sl_p = 0 gives ratio 0, gap in [1, 1]
  d <- mixed_up(seed = 3)
  st <- ref_standardise(d, "y")
  minr <- which(d$y == "min")
  nn <- ref_knn(st$z, 5, rows = minr)$index
  sl <- rowSums(matrix(d$y[nn] == "min", length(minr)))
  res <- unguarded(d, "y", method = "safe_level", seed = 3)
  p <- sg_provenance(res)
  slp <- sl[match(p$parent, minr)]
  sln <- sl[match(p$neighbor, minr)]
  expect_false(any(slp == 0 & sln == 0))
  expect_gt(sum(sln == 0 & slp > 0), 0)
  expect_gt(sum(slp == 0 & sln > 0), 0)
  expect_true(all(p$gap[sln == 0 & slp > 0] == 0))
  expect_true(all(p$gap[slp == 0 & sln > 0] == 1))
})
