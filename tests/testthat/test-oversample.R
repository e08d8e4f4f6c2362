# sg_oversample() (plain SMOTE, see sg_plain()): counts, untouched input, interpolation, neighbours, seeds,
# types. The SMOTE properties are checked by expect_smote_result() in
# helper-reference.R against a plain-R neighbour search.

counts_of <- function(x, var = "y") {
  y <- x[[var]]
  lv <- if (is.factor(y)) levels(y) else sort(unique(y))
  stats::setNames(tabulate(factor(y, levels = lv), length(lv)), lv)
}

test_that("binary data are balanced and every SMOTE property holds", {
  df <- sim_classes(c(a = 60, b = 17), d = 3, seed = 21)
  res <- sg_plain(df, "y", seed = 1)
  expect_s3_class(res, "data.frame")
  expect_identical(counts_of(res), c(a = 60L, b = 60L))
  expect_smote_result(res, df, "y", neighbors = 5)
})

test_that("three or more classes are each raised to the largest", {
  df <- sim_classes(c(a = 20, b = 50, c = 7, d = 33), d = 4, seed = 22)
  res <- sg_plain(df, "y", neighbors = 3, seed = 2)
  expect_identical(counts_of(res), c(a = 50L, b = 50L, c = 50L, d = 50L))
  expect_smote_result(res, df, "y", neighbors = 3)
  rec <- sg_record(res)
  expect_identical(rec$counts$before, c(20L, 50L, 7L, 33L))
  expect_identical(rec$counts$after, rep(50L, 4))
  expect_identical(rec$counts$added, c(30L, 0L, 43L, 17L))
  prov <- sg_provenance(res)
  expect_identical(as.vector(table(prov$class)), c(30L, 0L, 43L, 17L))
})

test_that("a named over_ratio sets targets for the classes it names only", {
  df <- sim_classes(c(a = 50, b = 20, c = 7), seed = 23)
  res <- sg_plain(df, "y", over_ratio = c(c = 0.5), seed = 3)
  expect_identical(counts_of(res), c(a = 50L, b = 20L, c = 25L))
  expect_smote_result(res, df, "y")
  res2 <- sg_plain(df, "y", over_ratio = c(b = 1, c = 0.3), seed = 3)
  expect_identical(counts_of(res2), c(a = 50L, b = 50L, c = 15L))
  # naming the largest class with a ratio above 1 raises it too
  res3 <- sg_plain(df, "y", over_ratio = c(a = 1.2), seed = 3)
  expect_identical(counts_of(res3), c(a = 60L, b = 20L, c = 7L))
  expect_smote_result(res3, df, "y")
})

test_that("over_ratio above 1 raises every class, the largest included", {
  df <- sim_classes(c(a = 40, b = 13), seed = 24)
  res <- sg_plain(df, "y", over_ratio = 1.5, seed = 4)
  expect_identical(counts_of(res), c(a = 60L, b = 60L))
  expect_smote_result(res, df, "y")
})

test_that("over_ratio below 1 gives round(ratio * M) and never removes rows", {
  df <- sim_classes(c(a = 25, b = 5, c = 20), seed = 25)
  # 0.5 * 25 = 12.5: R's round() gives 12 (half to even); c is above it
  res <- sg_plain(df, "y", over_ratio = 0.5, neighbors = 3, seed = 5)
  expect_identical(counts_of(res), c(a = 25L, b = 12L, c = 20L))
  expect_smote_result(res, df, "y", neighbors = 3)
  # 0.9 * 25 = 22.5 -> 22
  res <- sg_plain(df, "y", over_ratio = 0.9, neighbors = 4, seed = 5)
  expect_identical(counts_of(res), c(a = 25L, b = 22L, c = 22L))
  # 0.1 * 25 = 2.5 -> 2: every class is above, nothing is added or removed
  res <- sg_plain(df, "y", over_ratio = 0.1, seed = 5)
  expect_identical(strip_record(res), df)
  expect_identical(nrow(sg_provenance(res)), 0L)
  rec <- sg_record(res)
  expect_identical(rec$counts$after, rec$counts$before)
  expect_identical(rec$counts$added, c(0L, 0L, 0L))
})

test_that("targets follow round(over_ratio * M) for many ratios", {
  df <- sim_classes(c(a = 37, b = 4, c = 11), d = 2, seed = 26)
  for (r in c(0.05, 0.25, 0.5, 0.51, 0.99, 1, 1.01, 1.5, 2)) {
    res <- suppressWarnings(sg_plain(df, "y", over_ratio = r, seed = 6))
    want <- pmax(c(a = 37L, b = 4L, c = 11L), as.integer(round(r * 37)))
    expect_identical(counts_of(res), want, label = paste("over_ratio =", r))
    expect_identical(sg_record(res)$counts$after, unname(want))
  }
})

test_that("the input rows come first, unchanged, with their row names", {
  df <- sim_classes(c(a = 30, b = 9), seed = 27)
  rownames(df) <- paste0("patient_", seq_len(nrow(df)))
  res <- sg_plain(df, "y", seed = 7)
  expect_identical(strip_record(res[seq_len(nrow(df)), ]), df)
  expect_identical(rownames(res)[seq_len(nrow(df))], rownames(df))
  expect_false(anyDuplicated(rownames(res)) > 0)
})

test_that("explicit row names stay one per row when no row is made", {
  # paste0() of a zero-length vector gives one string, not none: the row
  # names must not gain a "synthetic_" with no row behind it
  df <- sim_classes(c(a = 30, b = 9), seed = 27)
  rownames(df) <- paste0("patient_", seq_len(nrow(df)))
  res <- sg_plain(df, "y", over_ratio = 0.1, seed = 7)
  expect_identical(.row_names_info(res), nrow(df))
  expect_identical(rownames(res), rownames(df))
  expect_identical(strip_record(res), df)
})

test_that("row names of a shuffled or subset data frame are kept", {
  # A data frame that went through df[i, ] carries row names that are not
  # 1..n; the result must not renumber the input rows.
  df <- sim_classes(c(a = 40, b = 12), seed = 28)
  sub <- df[withr::with_seed(1, sample(nrow(df), 45)), ]
  res <- sg_plain(sub, "y", seed = 8)
  n <- nrow(sub)
  expect_identical(rownames(res)[seq_len(n)], rownames(sub))
  expect_false(anyDuplicated(rownames(res)) > 0)
  # the values are those of `sub`, whatever type the row names are stored as
  head_rows <- strip_record(res[seq_len(n), ])
  expect_identical(as.list(head_rows), as.list(sub))
  prov <- sg_provenance(res)
  expect_identical(prov$row, n + seq_len(nrow(prov)))
  # parent and neighbor are row numbers of `sub` (positions), not row names
  expect_identical(as.character(res$y[prov$row]), as.character(sub$y[prov$parent]))
  expect_equal(res$x1[prov$row],
               sub$x1[prov$parent] + prov$gap * (sub$x1[prov$neighbor] - sub$x1[prov$parent]),
               tolerance = 1e-12)
})

test_that("the input data frame is not modified", {
  df <- sim_classes(c(a = 30, b = 9), seed = 29, integer = "x2")
  df0 <- deep_copy(df)
  res <- sg_plain(df, "y", seed = 9)
  expect_identical(df, df0)
})

test_that("seed = s is the same as set.seed(s) before the call", {
  df <- sim_classes(c(a = 45, b = 12, c = 20), seed = 30)
  a <- sg_plain(df, "y", seed = 42)
  withr::local_seed(42)
  b <- sg_plain(df, "y")
  expect_identical(strip_record(a), strip_record(b))
  expect_identical(sg_provenance(a), sg_provenance(b))
  expect_identical(sg_record(a)$seed, 42L)
  # a different seed gives different rows
  c <- sg_plain(df, "y", seed = 43)
  expect_false(identical(sg_provenance(a)$gap, sg_provenance(c)$gap))
  # repeated calls with one seed agree
  expect_identical(strip_record(sg_plain(df, "y", seed = 42)), strip_record(a))
})

test_that("seed = restores the caller's random stream", {
  df <- sim_classes(c(a = 45, b = 12), seed = 31)
  withr::local_seed(123)
  before <- get(".Random.seed", envir = globalenv())
  sg_plain(df, "y", seed = 1)
  expect_identical(get(".Random.seed", envir = globalenv()), before)
  # without seed =, the stream advances
  sg_plain(df, "y")
  expect_false(identical(get(".Random.seed", envir = globalenv()), before))
  # with no stream at all, none is left behind
  withr::local_preserve_seed()
  rm(".Random.seed", envir = globalenv())
  sg_plain(df, "y", seed = 1)
  expect_false(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
})

test_that("seed = restores the caller's random stream when the call stops half-way", {
  df <- sim_classes(c(a = 45, b = 12), seed = 31)
  # a rules function that stops once rows are being made, after the seed
  # was set and draws were taken
  stopping <- sg_constraints(rules = function(d) stop("no rows today"))
  withr::local_seed(123)
  before <- get(".Random.seed", envir = globalenv())
  expect_error(sg_oversample(df, "y", seed = 1, guard = NULL, constraints = stopping),
               "no rows today")
  expect_identical(get(".Random.seed", envir = globalenv()), before)
  # with no stream at all, none is left behind
  withr::local_preserve_seed()
  rm(".Random.seed", envir = globalenv())
  expect_error(sg_oversample(df, "y", seed = 1, guard = NULL, constraints = stopping),
               "no rows today")
  expect_false(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
})

test_that("results are identical with 1 and 2 threads", {
  # a class of 700 rows in 5 dimensions: 700^2 * 5 is above the parallel
  # threshold of the neighbour search
  df <- sim_classes(c(a = 1400, b = 700, c = 90), d = 5, seed = 32)
  one <- sg_plain(df, "y", seed = 10, threads = 1)
  two <- sg_plain(df, "y", seed = 10, threads = 2)
  expect_identical(strip_record(one), strip_record(two))
  expect_identical(sg_provenance(one), sg_provenance(two))
  withr::local_options(smoteguard.threads = 2)
  opt <- sg_plain(df, "y", seed = 10)
  expect_identical(sg_provenance(opt), sg_provenance(one))
  expect_identical(strip_record(opt), strip_record(one))
})

test_that("the neighbour search of a large class matches the reference", {
  df <- sim_classes(c(a = 400, b = 300), d = 5, seed = 33)
  res <- sg_plain(df, "y", seed = 11, threads = 2)
  expect_smote_result(res, df, "y")
  # more dimensions, integer columns (ties) and a constant column
  df8 <- sim_classes(c(a = 300, b = 120), d = 8, seed = 34, integer = c("x1", "x2", "x3"))
  df8$x4 <- 1
  res8 <- sg_plain(df8, "y", neighbors = 7, seed = 12)
  expect_smote_result(res8, df8, "y", neighbors = 7)
})

test_that("column types and levels are kept", {
  df <- sim_classes(c(a = 40, b = 11), d = 3, seed = 34, integer = c("x2", "x3"),
                    extra_levels = "never")
  res <- sg_plain(df, "y", seed = 12)
  expect_identical(vapply(res, typeof, ""), vapply(df, typeof, ""))
  expect_identical(lapply(res, class), lapply(df, class))
  expect_identical(levels(res$y), c("a", "b", "never"))
  expect_identical(counts_of(res), c(a = 40L, b = 40L, never = 0L))
  expect_identical(sg_record(res)$counts$target[3], 0L)
  expect_smote_result(res, df, "y")
  # integer columns hold whole numbers within the parent-neighbour range
  prov <- sg_provenance(res)
  lo <- pmin(df$x2[prov$parent], df$x2[prov$neighbor])
  hi <- pmax(df$x2[prov$parent], df$x2[prov$neighbor])
  expect_true(all(res$x2[prov$row] >= lo & res$x2[prov$row] <= hi))
})

test_that("an ordered outcome stays ordered", {
  df <- sim_classes(c(low = 30, mid = 12, high = 5), seed = 35)
  df$y <- factor(df$y, levels = c("low", "mid", "high"), ordered = TRUE)
  res <- sg_plain(df, "y", neighbors = 3, seed = 13)
  expect_s3_class(res$y, c("ordered", "factor"), exact = TRUE)
  expect_identical(levels(res$y), levels(df$y))
  expect_identical(counts_of(res), c(low = 30L, mid = 30L, high = 30L))
})

test_that("a character outcome stays character", {
  df <- sim_classes(c(yes = 12, no = 40), seed = 36)
  df$y <- as.character(df$y)
  res <- sg_plain(df, "y", seed = 14)
  expect_type(res$y, "character")
  expect_identical(counts_of(res), c(no = 40L, yes = 40L))
  expect_smote_result(res, df, "y")
})

test_that("the outcome may be any column, not only the last", {
  df <- sim_classes(c(a = 30, b = 8), seed = 37)
  df <- df[c("y", "x1", "x2", "x3")]
  res <- sg_plain(df, "y", seed = 15)
  expect_identical(names(res), names(df))
  expect_smote_result(res, df, "y")
})

test_that("a data frame subclass keeps its class", {
  df <- sim_classes(c(a = 30, b = 8), seed = 38)
  class(df) <- c("my_table", "data.frame")
  res <- sg_plain(df, "y", seed = 16)
  expect_identical(class(res), c("my_table", "data.frame"))
  expect_identical(nrow(sg_provenance(res)), 22L)
})

test_that("a tibble stays a tibble", {
  skip_if_not_installed("tibble")
  df <- sim_classes(c(a = 30, b = 8), seed = 39)
  tb <- tibble::as_tibble(df)
  res <- sg_plain(tb, "y", seed = 17)
  expect_s3_class(res, "tbl_df")
  expect_identical(class(res), class(tb))
  expect_identical(as.data.frame(strip_record(res)),
                   strip_record(sg_plain(df, "y", seed = 17)))
})

test_that("a constant column works and gets weight 0", {
  df <- sim_classes(c(a = 40, b = 10), d = 2, seed = 40)
  df$const <- 7.25
  df$const_int <- 3L
  res <- sg_plain(df, "y", seed = 18)
  expect_identical(counts_of(res), c(a = 40L, b = 40L))
  expect_true(all(res$const == 7.25))
  expect_true(all(res$const_int == 3L))
  expect_type(res$const_int, "integer")
  rec <- sg_record(res)
  expect_equal(unname(rec$scale[c("const", "const_int")]), c(0, 0))
  expect_smote_result(res, df, "y")
  # the neighbours are those of the data without the constant columns
  res0 <- sg_plain(df[c("x1", "x2", "y")], "y", seed = 18)
  expect_identical(sg_provenance(res), sg_provenance(res0))
})

test_that("a column scaled by a constant gives the same neighbours", {
  # distances use standardised columns, so units do not matter
  df <- sim_classes(c(a = 40, b = 15), d = 3, seed = 41)
  df2 <- df
  df2$x1 <- df2$x1 * 1000 + 50
  a <- sg_provenance(sg_plain(df, "y", seed = 19))
  b <- sg_provenance(sg_plain(df2, "y", seed = 19))
  expect_identical(a$parent, b$parent)
  expect_identical(a$neighbor, b$neighbor)
  expect_identical(a$gap, b$gap)
})

test_that("a class with no more rows than `neighbors` warns and still works", {
  df <- sim_classes(c(a = 40, b = 4), seed = 42)
  expect_warning(res <- sg_plain(df, "y", neighbors = 5, seed = 20),
                 class = "smoteguard_warning_small_class")
  expect_identical(counts_of(res), c(a = 40L, b = 40L))
  expect_smote_result(res, df, "y", neighbors = 3)
  rec <- sg_record(res)
  expect_identical(rec$seeds$neighbors_used[rec$seeds$class == "b"], 3L)
  expect_length(rec$warnings, 1)
  # with many rows to make, every one of the 3 other rows of each of the 4
  # rows serves as a neighbour
  big <- suppressWarnings(sg_plain(df, "y", over_ratio = 10, seed = 20))
  prov <- sg_provenance(big)
  prov <- prov[prov$class == "b", ]
  expect_identical(nrow(unique(prov[c("parent", "neighbor")])), 12L)
  # neighbors = p (here 4) warns as well: only p - 1 others exist
  expect_warning(sg_plain(df, "y", neighbors = 4, seed = 20),
                 class = "smoteguard_warning_small_class")
  # neighbors = p - 1 does not warn
  expect_no_warning(sg_plain(df, "y", neighbors = 3, seed = 20))
})

test_that("a single-row class warns and is copied", {
  df <- sim_classes(c(a = 20, b = 1), d = 2, seed = 43, integer = "x2")
  expect_warning(res <- sg_plain(df, "y", seed = 21),
                 class = "smoteguard_warning_single_row")
  expect_identical(counts_of(res), c(a = 20L, b = 20L))
  prov <- sg_provenance(res)
  b_row <- which(df$y == "b")
  expect_true(all(prov$parent == b_row))
  expect_true(all(is.na(prov$neighbor)))
  expect_true(all(is.na(prov$gap)))
  copies <- strip_record(res[prov$row, ])
  rownames(copies) <- NULL
  want <- df[rep(b_row, 19), ]
  rownames(want) <- NULL
  expect_identical(copies, want)
  expect_smote_result(res, df, "y")
})

test_that("small and single-row classes in one call both warn", {
  df <- sim_classes(c(a = 30, b = 3, c = 1), seed = 44)
  seen <- character(0)
  res <- withCallingHandlers(
    sg_plain(df, "y", seed = 22),
    warning = function(w) {
      seen <<- c(seen, class(w)[1])
      invokeRestart("muffleWarning")
    })
  # (other warnings may join them, e.g. on a class raised many times over)
  expect_true(all(c("smoteguard_warning_small_class",
                    "smoteguard_warning_single_row") %in% seen))
  expect_identical(counts_of(res), c(a = 30L, b = 30L, c = 30L))
  recorded <- sg_record(res)$warnings
  expect_length(recorded, length(seen))
  expect_match(recorded, "`b`.*`neighbors`", all = FALSE)
  expect_match(recorded, "`c`.*single row", all = FALSE)
  expect_smote_result(res, df, "y", neighbors = 2)
})

test_that("two rows in a class: each is the other's only neighbour", {
  df <- sim_classes(c(a = 20, b = 2), seed = 45)
  res <- suppressWarnings(sg_plain(df, "y", seed = 23))
  prov <- sg_provenance(res)
  b <- which(df$y == "b")
  expect_true(all(prov$neighbor == ifelse(prov$parent == b[1], b[2], b[1])))
  expect_identical(as.vector(table(factor(prov$parent, levels = b))), c(9L, 9L))
})

test_that("duplicated rows (the biopsy data) keep every property", {
  res <- sg_plain(breast_biopsy, "diagnosis", seed = 24)
  expect_identical(counts_of(res, "diagnosis"), c(benign = 444L, malignant = 444L))
  expect_smote_result(res, breast_biopsy, "diagnosis")
})

test_that("sg_smote() is sg_oversample(method = \"smote\")", {
  df <- sim_classes(c(a = 30, b = 8), seed = 46)
  a <- sg_smote(df, "y", neighbors = 3, seed = 25)
  b <- sg_oversample(df, "y", method = "smote", neighbors = 3, seed = 25)
  expect_identical(strip_record(a), strip_record(b))
  expect_identical(sg_provenance(a), sg_provenance(b))
})

test_that("with its default settings, too, a seed and the thread count fix the result", {
  # sg_oversample() as a user calls it (any default guard included)
  df <- sim_classes(c(a = 1400, b = 700, c = 40), d = 5, seed = 49)
  one <- suppressWarnings(sg_oversample(df, "y", seed = 11, threads = 1))
  two <- suppressWarnings(sg_oversample(df, "y", seed = 11, threads = 2))
  expect_identical(strip_record(one), strip_record(two))
  expect_identical(sg_provenance(one), sg_provenance(two))
  withr::local_seed(11)
  three <- suppressWarnings(sg_oversample(df, "y", threads = 2))
  expect_identical(strip_record(three), strip_record(one))
  # and the input rows come first, unchanged
  expect_identical(strip_record(one[seq_len(nrow(df)), ]), df)
  prov <- sg_provenance(one)
  expect_identical(prov$row, nrow(df) + seq_len(nrow(prov)))
  expect_identical(as.character(one$y[prov$row]), as.character(df$y[prov$parent]))
})

test_that("the record's timings are the parts of its total", {
  # checks, generate, assemble (the input summary included) and fidelity
  # add up to total, whichever order the call runs them in: with and
  # without cleaning (after which the fidelity check runs), and for a
  # numeric outcome
  df <- sim_classes(c(a = 60, b = 12), d = 3, seed = 5)
  reg <- data.frame(x1 = seq(0, 1, length.out = 80), x2 = sin(1:80))
  reg$y <- c(withr::with_seed(9, stats::rnorm(70)), 8 + 1:10)
  results <- list(plain = sg_oversample(df, "y", seed = 1),
                  clean = sg_oversample(df, "y", seed = 1, clean = "tomek"),
                  numeric = sg_oversample(reg, "y", method = "smoter", seed = 1))
  for (nm in names(results)) {
    tm <- sg_record(results[[nm]])$timings
    expect_named(tm, c("checks", "generate", "assemble", "fidelity", "total"))
    expect_true(all(is.finite(tm) & tm >= 0), label = nm)
    expect_equal(sum(tm[1:4]), tm[["total"]], tolerance = 1e-9, label = nm)
  }
})

test_that("the record holds counts, centre, scale and timings", {
  df <- sim_classes(c(a = 40, b = 10, c = 25), d = 3, seed = 47)
  res <- sg_plain(df, "y", neighbors = 4, seed = 26)
  rec <- sg_record(res)
  expect_s3_class(rec, "sg_record")
  expect_identical(rec$counts$class, factor(c("a", "b", "c")))
  expect_identical(rec$counts$before, c(40L, 10L, 25L))
  expect_identical(rec$counts$target, c(40L, 40L, 40L))
  expect_identical(rec$counts$after, c(40L, 40L, 40L))
  expect_identical(rec$counts$added, c(0L, 30L, 15L))
  expect_identical(rec$seeds$class, c("b", "c"))
  expect_identical(rec$seeds$neighbors_used, c(4L, 4L))
  expect_identical(rec$seeds$made, c(30L, 15L))
  expect_equal(unname(rec$center), unname(colMeans(df[1:3])))
  expect_equal(unname(rec$scale), unname(vapply(df[1:3], stats::sd, 0)))
  expect_identical(rec$predictors, c("x1", "x2", "x3"))
  expect_identical(rec$n_input, 75L)
  expect_identical(rec$n_result, 120L)
  expect_identical(rec$settings$method, "smote")
  expect_identical(rec$settings$var, "y")
  expect_identical(rec$settings$neighbors, 4L)
  expect_identical(rec$seed, 26L)
  expect_identical(rec$provenance, sg_provenance(res))
  expect_true(all(c("checks", "generate", "assemble", "total") %in% names(rec$timings)))
  expect_true(all(is.finite(rec$timings) & rec$timings >= 0))
  expect_identical(rec$version, as.character(utils::packageVersion("smoteguard")))
  # without a seed, the record says so
  expect_null(sg_record(sg_plain(df, "y"))$seed)
})

test_that("class counts match themis::smote() for over_ratio = 1", {
  skip_if_not_installed("themis")
  for (counts in list(c(a = 60, b = 17), c(a = 20, b = 50, c = 9))) {
    df <- sim_classes(counts, d = 3, seed = 48)
    ours <- sg_plain(df, "y", neighbors = 5, seed = 27)
    theirs <- withr::with_seed(27, themis::smote(df, "y", k = 5, over_ratio = 1))
    expect_identical(as.vector(table(ours$y)), as.vector(table(theirs$y)))
  }
})

# Two overlapping classes of patients with three rows each, a weight and an
# identifier.
grouped_data <- function(seed = 1) {
  withr::with_seed(seed, {
    n <- 90
    y <- factor(rep(c("a", "b"), c(66, 24)))
    data.frame(id = sprintf("r%02d", seq_len(n)),
               x1 = rnorm(n, (y == "b") * 1.5), x2 = rnorm(n),
               patient = rep(seq_len(n / 3), each = 3),
               w = runif(n, 0.5, 2), y = y, stringsAsFactors = FALSE)
  })
}

test_that("with groups, a synthetic row carries its parent's group id", {
  d <- grouped_data()
  res <- sg_oversample(d, "y", seed = 1, groups = "patient", exclude = "id",
                       weights = "w")
  prov <- sg_provenance(res)
  expect_gt(nrow(prov), 0)
  expect_false(anyNA(res$patient))
  expect_identical(res$patient[prov$row], d$patient[prov$parent])
  expect_false(any(d$patient[prov$parent] == d$patient[prov$neighbor], na.rm = TRUE))
  # the case weight too, and the excluded identifier, as before
  expect_identical(res$w[prov$row], d$w[prov$parent])
  expect_identical(res$id[prov$row], d$id[prov$parent])
  # a glm() on the result uses every row
  fit <- stats::glm(y ~ x1 + x2, family = stats::quasibinomial, data = res,
                    weights = w)
  expect_identical(stats::nobs(fit), nrow(res))
})

test_that("weights are no predictor: the rows are those made without the column", {
  d <- grouped_data(seed = 2)
  with_w <- sg_oversample(d, "y", seed = 3, exclude = "id", weights = "w")
  without <- sg_oversample(d[names(d) != "w"], "y", seed = 3, exclude = "id")
  expect_identical(with_w[names(without)], without, ignore_attr = TRUE)
  expect_identical(sg_record(with_w)$settings$weights, "w")
  expect_false("w" %in% sg_record(with_w)$predictors)
})

test_that("bad weights are refused with classed errors, never NA", {
  d <- grouped_data(seed = 3)
  d$bad <- d$w
  d$bad[3] <- NA
  d$neg <- -d$w
  d$txt <- as.character(d$w)
  expect_snapshot(error = TRUE, {
    sg_oversample(d, "y", weights = "nope")
    sg_oversample(d, "y", weights = "bad")
    sg_oversample(d, "y", weights = "neg")
    sg_oversample(d, "y", weights = "txt")
    sg_oversample(d, "y", weights = "y")
    sg_oversample(d, "y", weights = c("w", "w"))
  })
  expect_error(sg_oversample(d, "y", weights = "bad"), class = "smoteguard_error_case_weights")
  skip_if_not_installed("hardhat")
  d$f <- hardhat::frequency_weights(rep(1:3, 30))
  expect_error(sg_oversample(d[names(d) != "bad"], "y", weights = "f"),
               class = "smoteguard_error_case_weights")
  d$i <- hardhat::importance_weights(d$w)
  res <- sg_oversample(d[c("x1", "x2", "i", "y")], "y", seed = 1, weights = "i")
  prov <- sg_provenance(res)
  expect_s3_class(res$i, "hardhat_importance_weights")
  expect_identical(as.double(unclass(res$i))[prov$row], d$w[prov$parent])
})

test_that("the groups not-found error lists the columns, as the var error does", {
  d <- grouped_data(seed = 4)
  expect_snapshot(error = TRUE, sg_oversample(d, "y", groups = "visit"))
})

test_that("rules see every column of the candidate rows, in the data's order", {
  d <- grouped_data(seed = 5)
  d$when <- as.Date("2020-01-01") + seq_len(nrow(d))
  seen <- new.env()
  rule <- function(cand) {
    seen$names <- names(cand)
    seen$cand <- cand
    rep(TRUE, nrow(cand))
  }
  res <- sg_oversample(d, "y", seed = 1, groups = "patient", exclude = c("id", "when"),
                       weights = "w", constraints = sg_constraints(rules = rule))
  expect_identical(seen$names, names(d))
  cand <- seen$cand
  expect_true(all(cand$y == "b"))
  expect_s3_class(cand$when, "Date")
  # the non-predictor columns are the parent's: an id of the class's rows
  expect_true(all(cand$id %in% d$id[d$y == "b"]))
  # a rule may read the outcome and the identifiers; refusing one parent's
  # rows leaves the class short, and the warning says so
  expect_warning(
    res2 <- sg_oversample(d, "y", seed = 1, exclude = c("id", "when"),
                          constraints = sg_constraints(
                            rules = function(c) c$y == "b" & c$id != "r70")),
    "20 for rules", class = "smoteguard_warning_shortfall")
  prov <- sg_provenance(res2)
  expect_false(any(d$id[prov$parent] == "r70"))
})

test_that("a rule naming an unknown column, or failing, gets the columns it can see", {
  d <- grouped_data(seed = 6)
  expect_snapshot(error = TRUE, {
    sg_oversample(d, "y", seed = 1, exclude = "id",
                  constraints = sg_constraints(rules = function(c) c$x3 > 0))
    sg_oversample(d, "y", seed = 1, exclude = "id",
                  constraints = sg_constraints(rules = function(c) stop("no age")))
    sg_oversample(d, "y", seed = 1, exclude = "id",
                  constraints = sg_constraints(rules = function(c) c$x1))
  })
  expect_error(sg_oversample(d, "y", seed = 1, exclude = "id",
                             constraints = sg_constraints(rules = function(c) c$x3 > 0)),
               class = "smoteguard_error_rules")
})

test_that("character row names 1, 2, ..., n number the result's rows as automatic ones do", {
  # "1", "2", ... stored as strings name each row by its number: the result
  # numbers its rows compactly (no "synthetic_<k>" strings), and its input
  # rows keep the names they print with
  df <- sim_classes(c(a = 30, b = 9), seed = 27)
  auto <- sg_plain(df, "y", seed = 7)
  chr <- df
  rownames(chr) <- as.character(seq_len(nrow(df)))
  expect_identical(.row_names_info(chr), nrow(df))
  res <- sg_plain(chr, "y", seed = 7)
  expect_lt(.row_names_info(res), 0)
  expect_identical(rownames(res), as.character(seq_len(nrow(res))))
  expect_identical(strip_record(res), strip_record(auto))
  expect_identical(sg_provenance(res), sg_provenance(auto))
  # the stale-result checks still see a reordered result
  expect_error(sg_provenance(res[rev(seq_len(nrow(res))), ]), class = "smoteguard_error_stale_result")
  # no row made: the input comes back as it was
  none <- sg_plain(chr, "y", over_ratio = 0.1, seed = 7)
  expect_identical(strip_record(none), chr)
  # names that only look like numbers stay names
  for (rn in list(c("01", as.character(2:39)), c(as.character(1:9), "1e1", as.character(11:39)),
                  c(" 1", as.character(2:39)), as.character(c(2, 1, 3:39)))) {
    odd <- df
    rownames(odd) <- rn
    res <- sg_plain(odd, "y", seed = 7)
    expect_identical(rownames(res)[seq_len(39)], rn)
    expect_true(all(startsWith(rownames(res)[-seq_len(39)], "synthetic_")))
  }
  # the test (in C, on the digits of 1..n) across the steps in digit count
  numbered <- smoteguard:::numbered_row_names
  expect_true(numbered(as.character(1:10001)))
  expect_true(numbered("1"))
  expect_false(numbered(c(as.character(1:99), "1000")))
  expect_false(numbered(c(as.character(1:998), "99", "1000")))
  expect_false(numbered(c(as.character(1:9), "10 ")))
  expect_false(numbered(c(as.character(1:9), NA)))
  expect_false(numbered(c("0", "1")))
  expect_false(numbered(1:5))
  expect_false(numbered(character(0)))
})

test_that("the record's rng_kind is RNGkind() of the call, with a seed and without", {
  df <- data.frame(a = c(1:20, 1:6 + 0.5), b = c(20:1, 6:1), y = rep(c("x", "z"), c(20, 6)))
  withr::local_seed(1)
  kinds <- list(c("Mersenne-Twister", "Inversion", "Rejection"),
                c("L'Ecuyer-CMRG", "Box-Muller", "Rounding"),
                c("Mersenne-Twister", "Inversion", "Rejection"))
  for (kind in kinds) {
    suppressWarnings(RNGkind(kind[1], kind[2], kind[3]))
    for (seed in list(3, NULL)) {
      res <- sg_oversample(df, "y", seed = seed, guard = NULL)
      expect_identical(sg_record(res)$rng_kind, RNGkind())
      expect_identical(sg_record(res)$rng_kind, kind)
    }
  }
})
