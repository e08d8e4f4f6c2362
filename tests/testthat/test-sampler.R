# sg_sampler(): a configuration as a value, checked through the registry;
# sg_resample() runs it.

test_that("a sampler holds every argument of its entry point, defaults resolved", {
  s <- sg_sampler("smote", neighbors = 3, seed = 1)
  expect_s3_class(s, "sg_sampler")
  expect_identical(s$entry, "sg_oversample")
  expect_identical(s$family, "interpolate")
  want <- setdiff(names(formals(sg_oversample)), c("data", "var", "method", "threads"))
  expect_setequal(names(s$args), want)
  expect_identical(s$args$neighbors, 3)
  expect_identical(s$args$guard, sg_guard())
  expect_identical(s$args$constraints, sg_constraints())
  expect_identical(s$args$m_neighbors, 10)
  expect_identical(sg_sampler("enn")$args$remove, "larger")
  expect_identical(sg_sampler("nearmiss2")$entry, "sg_undersample")
  expect_identical(sg_sampler("smote", label = "SMOTE k=3")$label, "SMOTE k=3")
})

test_that("sg_resample() gives what the entry point gives", {
  d <- breast_biopsy
  # Borderline-SMOTE moves the class's means on purpose (the fidelity
  # warning says so): not what this test is about
  local_quiet <- function(expr) {
    withCallingHandlers(expr, smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
  }
  s <- sg_sampler("borderline2", m_neighbors = 8, seed = 4)
  expect_identical(local_quiet(sg_resample(s, d, "diagnosis")),
                   local_quiet(sg_oversample(d, "diagnosis", method = "borderline2",
                                             m_neighbors = 8, seed = 4)),
                   ignore_attr = "smoteguard")
  expect_identical(local_quiet(sg_resample(s, d, "diagnosis", seed = 9)),
                   local_quiet(sg_oversample(d, "diagnosis", method = "borderline2",
                                             m_neighbors = 8, seed = 9)),
                   ignore_attr = "smoteguard")
  u <- sg_sampler("nearmiss1", neighbors = 2)
  expect_identical(sg_resample(u, d, "diagnosis"),
                   sg_undersample(d, "diagnosis", method = "nearmiss1", neighbors = 2),
                   ignore_attr = "smoteguard")
  expect_identical(sg_resample(sg_sampler("none"), d, "diagnosis"), d)
})

test_that("bad configurations are refused before any data is seen", {
  expect_error(sg_sampler("nope"), class = "smoteguard_error_input")
  expect_error(sg_sampler("smote", nope = 1), class = "smoteguard_error_input")
  expect_error(sg_sampler("smote", 3), class = "smoteguard_error_input")
  expect_error(sg_sampler("borderline1", m_neighbors = 0), class = "smoteguard_error_input")
  expect_error(sg_sampler("ros", shrinkage = -1), class = "smoteguard_error_input")
  expect_error(sg_sampler("smote", neighbors = 1.5), class = "smoteguard_error_input")
  expect_error(sg_sampler("smote", guard = "yes"), class = "smoteguard_error_input")
  expect_error(sg_sampler("tomek", guard = sg_guard()), class = "smoteguard_error_input")
  expect_error(sg_sampler("none", seed = 1), class = "smoteguard_error_input")
  expect_error(sg_sampler("smote", seed = "a"), class = "smoteguard_error_input")
  expect_error(sg_resample(list(), breast_biopsy, "diagnosis"), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_sampler("smote", nope = 1))
})

test_that("a sampler prints its settings", {
  expect_snapshot(print(sg_sampler("smote", neighbors = 3, seed = 1)))
  expect_snapshot(print(sg_sampler("none")))
})
