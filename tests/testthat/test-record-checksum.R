# The record's checksums (R/provenance.R, STYLE.md "the result contract"):
# the record stores the result's row count and checksums of its outcome
# column and row names, and every accessor refuses a data frame that is no
# longer the result it describes, including one whose rows were only
# reordered. Written to kill a mutant of tests/mutants/mutants.R (a
# checksum blind to the order of the rows).

test_that("swapping two rows of one class is noticed, with character row names", {
  set.seed(1)
  d <- data.frame(x1 = rnorm(40), x2 = rnorm(40),
                  y = factor(rep(c("a", "b"), c(30, 10))),
                  row.names = sprintf("case%02d", 1:40))
  res <- sg_oversample(d, "y", seed = 1, guard = NULL)
  expect_s3_class(sg_provenance(res), "data.frame")
  # rows 1 and 2 are both of class "a": the outcome column is unchanged,
  # only the order of the rows (and their names) is not
  swapped <- res[c(2, 1, 3:nrow(res)), ]
  expect_identical(swapped$y, res$y)
  expect_error(sg_provenance(swapped), class = "smoteguard_error_stale_result")
  expect_error(sg_record(swapped), class = "smoteguard_error_stale_result")
})
