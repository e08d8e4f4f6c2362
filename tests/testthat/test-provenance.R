# sg_provenance() and sg_record(): the accessors of the result's record.

# The version changes with every release; the snapshots should not.
mask_version <- function(lines) {
  gsub("smoteguard [0-9]+(\\.[0-9]+)+", "smoteguard <version>", lines)
}

test_that("sg_provenance() has one row per synthetic row, with typed columns", {
  df <- sim_classes(c(a = 30, b = 12, c = 5), seed = 51)
  res <- sg_plain(df, "y", neighbors = 4, seed = 1)
  prov <- sg_provenance(res)
  expect_s3_class(prov, "data.frame")
  expect_named(prov, c("row", "class", "parent", "neighbor", "gap", "kind"))
  expect_type(prov$row, "integer")
  expect_s3_class(prov$class, "factor")
  expect_identical(levels(prov$class), levels(df$y))
  expect_type(prov$parent, "integer")
  expect_type(prov$neighbor, "integer")
  expect_type(prov$gap, "double")
  expect_identical(nrow(prov), 18L + 25L)
  expect_identical(prov$row, nrow(df) + seq_len(43L))
  # the same object the record holds
  expect_identical(prov, sg_record(res)$provenance)
})

test_that("with nothing to add, the provenance has no rows but all columns", {
  df <- sim_classes(c(a = 30, b = 30), seed = 52)
  res <- sg_plain(df, "y", seed = 2)
  prov <- sg_provenance(res)
  expect_identical(nrow(prov), 0L)
  expect_named(prov, c("row", "class", "parent", "neighbor", "gap", "kind"))
  expect_type(prov$row, "integer")
  expect_s3_class(prov$class, "factor")
  expect_type(prov$parent, "integer")
  expect_type(prov$neighbor, "integer")
  expect_type(prov$gap, "double")
})

test_that("copies of a single-row class have NA neighbour and gap", {
  df <- sim_classes(c(a = 10, b = 1), seed = 53)
  res <- suppressWarnings(sg_plain(df, "y", seed = 3))
  prov <- sg_provenance(res)
  expect_identical(prov$neighbor, rep(NA_integer_, 9))
  expect_identical(prov$gap, rep(NA_real_, 9))
})

test_that("a modified result is refused: subsetting, sorting, binding", {
  df <- sim_classes(c(a = 30, b = 10), seed = 54)
  res <- sg_plain(df, "y", seed = 4)
  expect_no_error(sg_provenance(res))
  stale <- list(
    head = head(res),
    first_rows = res[1:10, ],
    drop_one = res[-1, ],
    drop_last = res[-nrow(res), ],
    synthetic_only = res[sg_provenance(res)$row, ],
    sorted = res[order(res$x1), ],
    reversed = res[rev(seq_len(nrow(res))), ],
    rbind_row = rbind(res, res[1, ]),
    rbind_self = rbind(res, res),
    rbind_data = rbind(res, df)
  )
  for (nm in names(stale)) {
    expect_error(sg_provenance(stale[[nm]]), class = "smoteguard_error_stale_result",
                 info = nm)
    expect_error(sg_record(stale[[nm]]), class = "smoteguard_error_stale_result",
                 info = nm)
  }
  # an outcome edited in place is no longer the recorded result either
  edited <- res
  edited$y[nrow(res)] <- "a"
  expect_error(sg_provenance(edited), class = "smoteguard_error_stale_result")
  # a dropped outcome column
  gone <- res
  gone$y <- NULL
  expect_error(sg_provenance(gone), class = "smoteguard_error_stale_result")
})

test_that("a sort that keeps the outcome column in place is refused too", {
  # Data grouped by class (as many clinical extracts are): sorting the result
  # by class and then a predictor, or reordering the synthetic rows of one
  # class, leaves the outcome column as it was, yet every row number in the
  # provenance now points at another row.
  df <- sim_classes(c(a = 30, b = 10), seed = 60)
  df <- df[order(df$y), ]
  rownames(df) <- NULL
  res <- sg_plain(df, "y", seed = 9)
  n <- nrow(df)
  G <- nrow(sg_provenance(res))
  by_class <- res[order(res$y, res$x1), ]
  reversed <- res[c(seq_len(n), n + rev(seq_len(G))), ]
  expect_error(sg_provenance(by_class), class = "smoteguard_error_stale_result")
  expect_error(sg_provenance(reversed), class = "smoteguard_error_stale_result")
})

test_that("a plain data frame or other object is not a result", {
  df <- sim_classes(c(a = 30, b = 10), seed = 55)
  expect_error(sg_provenance(df), class = "smoteguard_error_not_result")
  expect_error(sg_record(df), class = "smoteguard_error_not_result")
  expect_error(sg_provenance(as.matrix(df)), class = "smoteguard_error_not_result")
  expect_error(sg_provenance(NULL), class = "smoteguard_error_not_result")
  expect_error(sg_provenance(list(a = 1)), class = "smoteguard_error_not_result")
  # an attribute that is not a record
  fake <- df
  attr(fake, "smoteguard") <- list(provenance = data.frame())
  expect_error(sg_provenance(fake), class = "smoteguard_error_not_result")
  # the record's list itself is not a result
  res <- sg_plain(df, "y", seed = 5)
  expect_error(sg_provenance(sg_record(res)), class = "smoteguard_error_not_result")
})

test_that("refusals are clear (snapshots)", {
  df <- sim_classes(c(a = 30, b = 10), seed = 56)
  res <- sg_plain(df, "y", seed = 6)
  expect_snapshot(error = TRUE, {
    sg_provenance(res[1:10, ])
    sg_provenance(res[order(res$x1), ])
    sg_provenance(rbind(res, res[1, ]))
    sg_provenance(df)
    sg_record(1:3)
  })
})

test_that("print() of a record (snapshot)", {
  df <- sim_classes(c(a = 30, b = 10, c = 3), seed = 57)
  res <- suppressWarnings(sg_plain(df, "y", neighbors = 3, seed = 7))
  rec <- sg_record(res)
  rec$timings[] <- 0
  expect_snapshot(print(rec), transform = mask_version)
  # print returns its argument invisibly
  capture.output(out <- withVisible(print(rec)))
  expect_false(out$visible)
  expect_identical(out$value, rec)

  # without a seed, with nothing to add, with an unused level
  df2 <- sim_classes(c(a = 20, b = 20), seed = 58, extra_levels = "none")
  withr::local_seed(1)
  rec2 <- sg_record(sg_plain(df2, "y"))
  rec2$timings[] <- 0
  expect_snapshot(rec2, transform = mask_version)
})

test_that("the record's timings are printed", {
  df <- sim_classes(c(a = 30, b = 10), seed = 59)
  rec <- sg_record(sg_plain(df, "y", seed = 8))
  rec$timings[c("checks", "generate", "assemble", "total")] <- c(0.5, 1.25, 0.25, 2)
  out <- capture.output(print(rec))
  expect_match(out, "time: 2.000 s (generate 1.250 s)", fixed = TRUE, all = FALSE)
})

test_that("the provenance says how each row was made, and the record its schema", {
  df <- sim_classes(c(a = 40, b = 12, c = 1), seed = 54)
  res <- suppressWarnings(sg_oversample(df, "y", seed = 1, guard = NULL))
  prov <- sg_provenance(res)
  expect_type(prov$kind, "character")
  # interpolated rows have a neighbour and a gap; the one-row class is copied
  expect_identical(prov$kind, ifelse(prov$class == "c", "copy", "interpolate"))
  expect_true(all(is.na(prov$neighbor[prov$kind == "copy"])))
  expect_false(anyNA(prov$gap[prov$kind == "interpolate"]))
  expect_identical(sg_record(res)$schema, 2L)

  # class `c` (one row) raised 40-fold: the "many" warning is expected
  expect_warning(ros <- sg_oversample(df, "y", method = "ros", seed = 1),
                 class = "smoteguard_warning_many")
  expect_identical(unique(sg_provenance(ros)$kind), "copy")
  expect_warning(smooth <- sg_oversample(df, "y", method = "ros", shrinkage = 1, seed = 1),
                 class = "smoteguard_warning_many")
  expect_identical(unique(sg_provenance(smooth)$kind), "copy+noise")
  jit <- suppressWarnings(sg_oversample(df[df$y != "c", ], "y", seed = 1,
                                        guard = sg_guard(jitter = 0.5)))
  expect_identical(unique(sg_provenance(jit)$kind), "interpolate+jitter")
  # cleaning keeps each kept row's kind; the selectors make none
  cl <- sg_clean(df, "y", method = "tomek")
  expect_identical(sg_provenance(cl)$kind, character(0))
})

test_that("the record's time stamp follows the time zone in force", {
  stamp <- smoteguard:::time_stamp
  expect_match(stamp(), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}$")
  withr::with_envvar(c(TZ = "Asia/Kolkata"), expect_match(stamp(), "\\+0530$"))
  withr::with_envvar(c(TZ = "UTC"), expect_match(stamp(), "\\+0000$"))
})
