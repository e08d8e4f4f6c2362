# The golden corpus (issue 13): every call of golden/calls.R, run with the
# installed package, gives the result recorded in golden/corpus.rds from
# the code before the redesign (commit 64ddf41, by tests/golden/record.R):
# an identical data frame (values, types, levels, row names, column order),
# identical values in every recorded field of its record (fields and
# columns added since are not compared; the volatile fields, timings,
# creation time and versions, were not recorded), and warnings of the same
# classes in the same order (their wording may change; the record's
# `warnings` texts are compared by number only; warnings of checks added
# since, listed in golden/harness.R, are left out).

# Calls whose results change on purpose: name = the NEWS entry saying why.
# Listed calls are not compared; record them again when the corpus is
# renewed.
golden_intended_changes <- c(
  clean_tomek_grouped = "NEWS 0.2.0: cleaning after oversampling with `groups` no longer treats the group column as a predictor; synthetic rows carry their parent's group id instead of NA",
  clean_enn_grouped = "NEWS 0.2.0: cleaning after oversampling with `groups` no longer treats the group column as a predictor; synthetic rows carry their parent's group id instead of NA",
  groups_smote = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  groups_ros = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  groups_borderline1 = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  groups_borderline2 = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  groups_adasyn = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  groups_safe_level = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA"
)

test_that("the golden corpus gives identical results, records and warnings", {
  dir <- test_path("golden")
  source(file.path(dir, "harness.R"), local = TRUE)
  corpus <- readRDS(file.path(dir, "corpus.rds"))
  g <- golden_load(dir)
  recorded <- corpus$calls
  expect_gte(length(recorded), 200)
  expect_setequal(names(g$golden_calls), names(recorded))

  names <- setdiff(intersect(names(recorded), names(g$golden_calls)),
                   names(golden_intended_changes))
  tables <- golden_tables(g, unique(vapply(g$golden_calls[names], `[[`, "", "data")))
  for (name in names) {
    was <- golden_comparable(recorded[[name]])
    now <- tryCatch(golden_run(g, g$golden_calls[[name]], tables),
                    error = function(e) e)
    if (inherits(now, "error")) {
      fail(sprintf("golden call `%s` failed: %s", name, conditionMessage(now)))
      next
    }
    now <- golden_comparable(now)
    expect_identical(now$result, was$result,
                     label = sprintf("golden call `%s`: the result", name),
                     expected.label = "the recorded result")
    if (!is.null(was$record)) {
      expect_identical(golden_project(was$record, now$record), was$record,
                       label = sprintf("golden call `%s`: the record's recorded fields", name),
                       expected.label = "the recorded record")
    }
    expect_identical(now$warnings, was$warnings,
                     label = sprintf("golden call `%s`: the classes of its warnings", name),
                     expected.label = "the recorded classes")
  }
})
