# The golden corpus (issue 13): every call of golden/calls.R, run with the
# installed package, gives the result recorded in golden/corpus.rds from
# the code before the redesign (commit 64ddf41, by tests/golden/record.R;
# the new_* calls, for the methods registered since, from f9f1302):
# an identical data frame (values, types, levels, row names, column order),
# identical values in every recorded field of its record (fields and
# columns added since are not compared; the volatile fields, timings,
# creation time and versions, were not recorded), and warnings of the same
# classes in the same order (their wording may change; the record's
# `warnings` texts are compared by number only; warnings of checks added
# since, listed in golden/harness.R, are left out).

guard_fidelity_news <- "NEWS 0.2.0: the guard keeps the class where it is (quota = \"keep\"; intrusion 0.95 for SMOTE and Safe-Level; issue 14)"

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
  groups_safe_level = "NEWS 0.2.0: with `groups`, synthetic rows carry their parent's group id instead of NA",
  default_smote_num2 = guard_fidelity_news,
  default_smote_num3 = guard_fidelity_news,
  default_smote_bb300 = guard_fidelity_news,
  default_smote_mixed = guard_fidelity_news,
  default_smote_num_na = guard_fidelity_news,
  default_smote_mixed_na = guard_fidelity_news,
  default_smote_overlap = guard_fidelity_news,
  guard_only_smote_num3 = guard_fidelity_news,
  small_guarded_smote = guard_fidelity_news,
  gower_na_smote = guard_fidelity_news,
  vdm_smote = guard_fidelity_news,
  default_safe_level_num2 = guard_fidelity_news,
  default_safe_level_num3 = guard_fidelity_news,
  default_safe_level_bb300 = guard_fidelity_news,
  default_safe_level_mixed = guard_fidelity_news,
  default_safe_level_num_na = guard_fidelity_news,
  default_safe_level_mixed_na = guard_fidelity_news,
  default_safe_level_overlap = guard_fidelity_news,
  guard_only_safe_level_num3 = guard_fidelity_news,
  small_guarded_safe_level = guard_fidelity_news,
  gower_na_safe_level = guard_fidelity_news,
  vdm_safe_level = guard_fidelity_news,
  mixed_na_draw_euclidean_guarded = guard_fidelity_news,
  mixed_na_draw_gower_guarded = guard_fidelity_news,
  mixed_na_vote_euclidean_guarded = guard_fidelity_news,
  mixed_na_vote_gower_guarded = guard_fidelity_news,
  vdm_vote_smote = guard_fidelity_news,
  vdm_const_smote = guard_fidelity_news,
  gower_numeric_guarded = guard_fidelity_news,
  guard_safety0_smote_overlap = guard_fidelity_news,
  guard_safety05_smote_overlap = guard_fidelity_news,
  guard_gap05_smote_overlap = guard_fidelity_news,
  guard_gap1_smote_overlap = guard_fidelity_news,
  guard_jitter05_smote_overlap = guard_fidelity_news,
  guard_jitter2_smote_overlap = guard_fidelity_news,
  guard_intrusion1_smote_overlap = guard_fidelity_news,
  guard_exact_smote_overlap = guard_fidelity_news,
  guard_intrusion02_mixed = guard_fidelity_news,
  guard_exact_mixed = guard_fidelity_news,
  guard_exact_num_na = guard_fidelity_news,
  guard_jitter05_mixed = guard_fidelity_news,
  guard_jitter05_num_na = guard_fidelity_news,
  guard_safety05_mixed = guard_fidelity_news,
  guard_safety05_num_na = guard_fidelity_news,
  cons_wide_safe_level_guarded = guard_fidelity_news,
  cons_narrow_safe_level_guarded = guard_fidelity_news,
  cons_none_safe_level_guarded = guard_fidelity_news,
  cons_integer_safe_level_guarded = guard_fidelity_news,
  cons_rules_safe_level_guarded = guard_fidelity_news,
  cons_all_safe_level_guarded = guard_fidelity_news,
  ratio_half_smote = guard_fidelity_news,
  ratio_r075_smote = guard_fidelity_news,
  ratio_over_smote = guard_fidelity_news,
  ratio_named_c_smote = guard_fidelity_news,
  ratio_named_bc_smote = guard_fidelity_news,
  ratio_named_a_smote = guard_fidelity_news,
  ratio_small_named = guard_fidelity_news,
  neighbors1_safe_level = guard_fidelity_news,
  neighbors3_safe_level = guard_fidelity_news,
  neighbors10_safe_level = guard_fidelity_news,
  m_neighbors3_smote_guard = guard_fidelity_news,
  m_neighbors20_smote_guard = guard_fidelity_news,
  clean_tomek_smote_num3 = guard_fidelity_news,
  clean_tomek_mixed_na = guard_fidelity_news,
  clean_enn_smote_num3 = guard_fidelity_news,
  clean_enn_mixed_na = guard_fidelity_news,
  clean_enn_k1_vdm = guard_fidelity_news,
  warn_many_smote = guard_fidelity_news,
  separated_safe_level = guard_fidelity_news,
  warn_no_seeds = guard_fidelity_news,
  dated_default = guard_fidelity_news,
  mixed_exclude_nominal = guard_fidelity_news,
  charout_smote = guard_fidelity_news,
  one_col_smote = guard_fidelity_news,
  wide_smote = guard_fidelity_news,
  numint_smote = guard_fidelity_news,
  sg_smote_bb200 = guard_fidelity_news,
  stream_smote = guard_fidelity_news
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
