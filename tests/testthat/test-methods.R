# The SMOTE family against plain-R references of vignette("definitions"),
# sections #smote, #borderline, #adasyn, #safe-level, #ros and #new-values
# (helper-reference-methods.R): Borderline-SMOTE's danger / noise / safe
# sets, ADASYN's allocation, Safe-Level's gap ranges, random oversampling
# and the smoothed bootstrap, and the interpolation of every method; then
# imbalanced-learn where /usr/bin/python3 has it.

euclid_of <- function(data, var = "y") ref_dist_euclidean(ref_scaled(data, var))

# Hand-built data on a line, m_neighbors = 4 (m / 2 = 2), clusters 100
# apart so that every neighbourhood stays inside its cluster:
#   A   6 minority rows alone                      m' = 0   safe
#   B   5 majority rows around one minority row    m' = 4   noise
#   C   min maj min maj min maj, uneven spacing    m' = 2, 2, 3  danger
#   D   five minority rows and one majority row    m' = 1   safe
#   E   20 majority rows
# The rows are shuffled so that row numbers say nothing about the sets.
hand_borderline <- function() {
  at <- c(0, 0.9, 2.0, 3.2, 4.5, 5.9,
          100, 101.1, 102.3, 103.6, 105, 102.0,
          200, 201.1, 202.3, 203.6, 205.0, 206.5,
          300, 301.0, 302.1, 303.3, 304.6, 306.0,
          400 + 1.07 * (0:19))
  lab <- c(rep("min", 6),
           rep("maj", 5), "min",
           "min", "maj", "min", "maj", "min", "maj",
           "min", "min", "min", "min", "maj", "min",
           rep("maj", 20))
  perm <- withr::with_seed(3, sample(length(at)))
  line_data(at[perm], lab[perm])
}

test_that("Borderline sets of a hand-built line: danger rows are the only parents", {
  df <- hand_borderline()
  danger_rows <- which(df$x %in% c(200, 202.3, 205.0))
  noise_rows <- which(df$x == 102.0)
  # the reference agrees with the hand count (a check of the reference)
  ref <- ref_borderline(euclid_of(df), df$y, "min", m = 4)
  expect_identical(sort(ref$row[ref$kind == "danger"]), sort(danger_rows))
  expect_identical(ref$row[ref$kind == "noise"], noise_rows)
  expect_identical(sum(ref$kind == "safe"), 11L)
  for (method in c("borderline1", "borderline2")) {
    res <- sg_definition(df, "y", method = method, m_neighbors = 4, seed = 1)
    seeds <- sg_record(res)$seeds
    expect_identical(seeds$danger, 3L, label = method)
    expect_identical(seeds$noise, 1L, label = method)
    expect_identical(seeds$safe, 11L, label = method)
    expect_identical(seeds$seeds, 3L, label = method)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 29L - 15L)
    # 14 rows from 3 danger rows in turns: every danger row is a parent, and
    # nothing else (an inverted set would seed from A and D, a set with
    # noise from B)
    expect_setequal(prov$parent, danger_rows)
    expect_identical(sort(unique(tabulate(match(prov$parent, danger_rows), 3))), c(4L, 5L))
  }
})

test_that("Borderline-2's extra candidate on the hand-built line is the nearest majority row", {
  df <- hand_borderline()
  # the rows are made from the danger rows only, at one end of the class:
  # the fidelity check sees them move `x`
  expect_warning(res <- sg_definition(df, "y", method = "borderline2", m_neighbors = 4,
                                      over_ratio = c(min = 10), seed = 2),
                 class = "smoteguard_warning_fidelity")
  prov <- sg_provenance(res)
  other <- prov$neighbor[df$y[prov$neighbor] == "maj"]
  parent <- prov$parent[df$y[prov$neighbor] == "maj"]
  # 200 -> 201.1, 202.3 -> 201.1 (1.2 < 1.3), 205.0 -> 203.6 (1.4 < 1.5)
  expect_identical(df$x[other], c(`200` = 201.1, `202.3` = 201.1, `205` = 203.6)[
    as.character(df$x[parent])], ignore_attr = TRUE)
  expect_true(all(prov$gap[df$y[prov$neighbor] == "maj"] <= 0.5))
  expect_gt(length(other), 0)
})

test_that("Borderline sets match the reference on random data with three classes", {
  df <- sim_classes(c(a = 70, b = 25, c = 18), d = 2, seed = 31, shift = 0.6)
  D <- euclid_of(df)
  for (method in c("borderline1", "borderline2")) {
    res <- sg_definition(df, "y", method = method, seed = 4)
    seeds <- sg_record(res)$seeds
    prov <- sg_provenance(res)
    other <- integer(0)
    for (cl in c("b", "c")) {
      ref <- ref_borderline(D, df$y, cl, m = 10)
      got <- seeds[seeds$class == cl, ]
      expect_identical(got$danger, sum(ref$kind == "danger"), label = paste(method, cl))
      expect_identical(got$noise, sum(ref$kind == "noise"), label = paste(method, cl))
      expect_identical(got$safe, sum(ref$kind == "safe"), label = paste(method, cl))
      mine <- prov$parent[prov$class == cl]
      # the Borderline-2 bug: parents from majority rows or other classes
      expect_true(all(df$y[mine] == cl), label = paste(method, cl, "parent class"))
      expect_true(all(mine %in% ref$row[ref$kind == "danger"]),
                  label = paste(method, cl, "parents are danger rows"))
      expect_setequal(mine, ref$row[ref$kind == "danger"])
      other <- c(other, stats::setNames(ref$other, ref$row))
    }
    expect_interpolated(res, df, "y", D, k = 5,
                        other = if (method == "borderline2") other)
    # with the default guard and constraints too: parents of their own
    # class, and danger rows only
    guarded <- suppressWarnings(sg_oversample(df, "y", method = method, seed = 4))
    gp <- sg_provenance(guarded)
    for (cl in c("b", "c")) {
      ref <- ref_borderline(D, df$y, cl, m = 10)
      mine <- gp$parent[gp$class == cl]
      expect_true(all(df$y[mine] == cl))
      expect_true(all(mine %in% ref$row[ref$kind == "danger"]))
    }
  }
})

test_that("Borderline-2: neighbours of the own class with gap in [0, 1] or the nearest other-class row with gap in [0, 0.5]", {
  df <- sim_classes(c(a = 80, b = 30), d = 3, seed = 32, shift = 0.5)
  D <- euclid_of(df)
  ref <- ref_borderline(D, df$y, "b", m = 10)
  expect_gt(sum(ref$kind == "danger"), 3)
  res <- sg_definition(df, "y", method = "borderline2",
                       over_ratio = c(b = 4), seed = 5)
  prov <- sg_provenance(res)
  own <- df$y[prov$neighbor] == "b"
  for (s in which(own)) {
    b <- which(df$y == "b")
    expect_true(ref_is_within_k(D, prov$parent[s], prov$neighbor[s], b, 5))
  }
  nearest_other <- stats::setNames(ref$other, ref$row)
  expect_identical(prov$neighbor[!own],
                   unname(nearest_other[as.character(prov$parent[!own])]))
  expect_true(all(prov$gap[!own] >= 0 & prov$gap[!own] <= 0.5))
  expect_true(all(prov$gap[own] >= 0 & prov$gap[own] <= 1))
  # one candidate of k + 1 = 6: both kinds occur, the other-class one about
  # 1 / 6 of the time (290 rows: 48 expected, sd 6.3)
  expect_gt(sum(!own), 20)
  expect_lt(sum(!own), 80)
  # and the own-class gaps do go beyond 0.5
  expect_gt(max(prov$gap[own]), 0.5)
})

test_that("Borderline with no danger rows falls back to SMOTE with a warning", {
  # two far-apart clusters: every minority row is safe (m' = 0)
  df <- data.frame(x1 = c(1:40, 1000 + 1:15) + 0.1 * sin(1:55),
                   x2 = cos(1:55),
                   y = factor(rep(c("maj", "min"), c(40, 15))))
  for (method in c("borderline1", "borderline2")) {
    expect_warning(res <- sg_definition(df, "y", method = method, seed = 1),
                   class = "smoteguard_warning_fallback")
    seeds <- sg_record(res)$seeds
    expect_identical(seeds$danger, 0L)
    expect_identical(seeds$safe, 15L)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 25L)
    # SMOTE: every minority row is a parent, used 1 or 2 times
    expect_setequal(prov$parent, 41:55)
    expect_true(all(tabulate(prov$parent - 40L, 15) %in% 1:2))
    expect_true(all(df$y[prov$neighbor] == "min"))
  }
  # only noise rows (each minority row alone among majority rows): no
  # danger either, same fallback
  df2 <- line_data(c(1:60, 10.4, 20.4, 30.4, 40.4, 50.4, 55.4),
                   rep(c("maj", "min"), c(60, 6)))
  ref <- ref_borderline(euclid_of(df2), df2$y, "min", m = 10)
  expect_true(all(ref$kind == "noise"))
  expect_warning(res <- sg_definition(df2, "y", method = "borderline1", seed = 1),
                 class = "smoteguard_warning_fallback")
  expect_identical(sg_record(res)$seeds$noise, 6L)
})

# ---------------------------------------------------------------------------
# ADASYN

expect_adasyn_counts <- function(df, cls, G, neighbors = 5, over_ratio = 1, seed = 1) {
  D <- euclid_of(df)
  ref <- ref_adasyn(D, df$y, cls, neighbors, G)
  # ADASYN draws most from the rows among other classes, so on some of
  # these data its rows move from the class: the fidelity warning comes
  # exactly when the record flags a shift
  warned <- FALSE
  res <- withCallingHandlers(
    sg_definition(df, "y", method = "adasyn", neighbors = neighbors,
                  over_ratio = over_ratio, seed = seed),
    smoteguard_warning_fidelity = function(w) {
      warned <<- TRUE
      invokeRestart("muffleWarning")
    })
  expect_identical(warned, any(sg_record(res)$fidelity$flagged))
  prov <- sg_provenance(res)
  prov <- prov[prov$class == cls, ]
  got <- tabulate(match(prov$parent, ref$row), nrow(ref))
  # the counts add up to the target exactly (the off-by-one bug)
  expect_identical(nrow(prov), as.integer(G))
  expect_identical(as.integer(sum(ref$count)), as.integer(G))
  # parents only where r_i > 0, and per parent the reference allocation
  expect_true(all(ref$a[match(prov$parent, ref$row)] > 0))
  expect_identical(as.integer(got), as.integer(ref$count),
                   label = sprintf("per-parent counts (G = %d)", G))
  # the record's seeds: the parents available, the rows with r_i > 0
  expect_identical(sg_record(res)$seeds$seeds[sg_record(res)$seeds$class == cls],
                   sum(ref$a > 0))
  invisible(list(res = res, ref = ref, D = D))
}

test_that("ADASYN: per-parent counts are the reference allocation and add up to G", {
  # Regression test (fixed bug): fails for seed 47, over_ratio = 0.8 (G = 26): rows 4 (a_i = 2) and 5
  # (a_i = 5) tie exactly on the remainder 13/39 and the floating-point
  # remainders send the row to row 5; see "equal remainders go to the lower
  # row" below.
  for (s in 1:8) {
    df <- sim_classes(c(a = 40 + s, b = 9 + s %% 4), d = 2, seed = 40 + s, shift = 0.7)
    nb <- sum(df$y == "b")
    na <- sum(df$y == "a")
    for (r in c(0.55, 0.8, 1, 1.7)) {
      G <- as.integer(round(r * na)) - nb
      out <- expect_adasyn_counts(df, "b", G, over_ratio = r, seed = s)
    }
  }
  # and the rows themselves: interpolation toward the k nearest of the class
  expect_interpolated(out$res, df, "y", out$D, k = 5)
})

test_that("ADASYN: three classes, each with its own allocation", {
  df <- sim_classes(c(a = 50, b = 21, c = 13), d = 3, seed = 51, shift = 0.5)
  expect_adasyn_counts(df, "b", 29L)
  expect_adasyn_counts(df, "c", 37L)
  expect_adasyn_counts(df, "c", 37L, neighbors = 3)
})

test_that("ADASYN: equal remainders go to the lower row", {
  # In these data the other-class counts a_i of the 12 minority rows among
  # their 5 nearest are 5 4 3 3 3 3 5 5 3 5 4 2 (A = 45) and G = 30: the
  # floors give 27 and three rows are left; the two a = 4 rows have the
  # largest remainder (2/3), then the a = 5 rows and the a = 2 row tie at
  # exactly 1/3 and the lowest row, the first a = 5 one, gets the last row.
  df <- sim_classes(c(a = 42, b = 12), d = 2, seed = 58, shift = 0.7)
  ref <- ref_adasyn(euclid_of(df), df$y, "b", 5, 30L)
  expect_identical(ref$a, c(5, 4, 3, 3, 3, 3, 5, 5, 3, 5, 4, 2))
  expect_identical(ref$count, c(4, 3, 2, 2, 2, 2, 3, 3, 2, 3, 3, 1))
  # Regression test (fixed bug): the C allocation (ffi_adasyn_alloc) computes the remainders in
  # floating point, G * (r_i / sum r): 30 * (0.4 / 9) - 1 = 0.33333333333333348
  # but 30 * (1 / 9) - 3 = 0.33333333333333304, so the last row goes to the
  # a = 2 row (the 12th) instead of the first; the counts are 3 ... 2 where
  # they should be 4 ... 1. The definition's tie rule needs exact remainders
  # (integer arithmetic on the counts a_i, or a tolerance).
  expect_adasyn_counts(df, "b", 30L)
})

test_that("ADASYN with no other-class neighbours falls back to SMOTE with a warning", {
  df <- data.frame(x1 = c(1:40, 1000 + 1:15) + 0.1 * sin(1:55), x2 = cos(1:55),
                   y = factor(rep(c("maj", "min"), c(40, 15))))
  expect_warning(res <- sg_definition(df, "y", method = "adasyn", seed = 1),
                 class = "smoteguard_warning_fallback")
  prov <- sg_provenance(res)
  expect_identical(nrow(prov), 25L)
  expect_setequal(prov$parent, 41:55)
})

# ---------------------------------------------------------------------------
# Safe-Level SMOTE

test_that("Safe-Level: every gap lies in the range the safe levels give", {
  for (s in 1:3) {
    df <- sim_classes(c(a = 60, b = 25), d = 2, seed = 60 + s, shift = 0.5)
    D <- euclid_of(df)
    sl <- ref_safe_levels(D, df$y, k = 5)
    res <- sg_definition(df, "y", method = "safe_level", over_ratio = c(b = 2), seed = s)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 95L)
    sp <- sl[prov$parent]
    sn <- sl[prov$neighbor]
    # no row from a pair of two unsafe rows
    expect_false(any(sp == 0 & sn == 0))
    out <- integer(0)
    for (i in seq_len(nrow(prov))) {
      rng <- ref_safe_gap_range(sp[i], sn[i])
      if (is.null(rng) || prov$gap[i] < rng[1] - 1e-12 || prov$gap[i] > rng[2] + 1e-12) {
        out <- c(out, i)
      }
    }
    expect_identical(out, integer(0), label = "rows with a gap outside the safe-level range")
    # sl(n) = 0: copies of the parent
    copy <- sn == 0
    expect_true(all(prov$gap[copy] == 0))
    expect_interpolated(res, df, "y", D, k = 5)
    # the three cases of the ratio occur in these data
    expect_true(any(sp > sn & sn > 0) && any(sp < sn) && any(sp == sn))
  }
})

test_that("Safe-Level: parents with no usable pair never seed; the others fill the target", {
  # Minority rows 1..4 sit alone inside the majority (safe level 0, and so
  # are their minority neighbours) while a cluster of 12 minority rows far
  # away has high safe levels: the isolated rows pair only with cluster rows.
  df <- line_data(c(10.4, 25.4, 40.4, 55.4, 0:59, 1000 + 0.3 * (1:12)),
                  rep(c("min", "maj", "min"), c(4, 60, 12)))
  D <- euclid_of(df)
  sl <- ref_safe_levels(D, df$y, k = 5)
  expect_true(all(sl[1:4] == 0))
  # the isolated rows' synthetic rows lie toward the far cluster: the
  # fidelity check sees the class's mean move
  expect_warning(res <- sg_definition(df, "y", method = "safe_level", seed = 3),
                 class = "smoteguard_warning_fidelity")
  prov <- sg_provenance(res)
  expect_identical(nrow(prov), 44L)
  expect_identical(sg_record(res)$seeds$shortfall, 0L)
  expect_false(any(sl[prov$parent] == 0 & sl[prov$neighbor] == 0))
  # a parent of safe level 0 only makes rows toward a neighbour of positive
  # level; the isolated rows' 5 nearest minority rows are each other and a
  # cluster row, so when they seed, it is toward the cluster
  from_iso <- prov$parent %in% 1:4
  expect_true(all(sl[prov$neighbor[from_iso]] > 0))
})

test_that("Safe-Level: no usable pair at all falls short with a warning, and stops", {
  # every minority row is isolated inside the majority: all safe levels 0
  maj <- expand.grid(x1 = 0:9, x2 = 0:9)
  mins <- data.frame(x1 = c(1.5, 4.5, 7.5, 1.5, 7.5, 4.5),
                     x2 = c(1.5, 4.5, 7.5, 7.5, 1.5, 8.5) + 0.02)
  df <- rbind(maj, mins)
  df$y <- factor(rep(c("maj", "min"), c(100, 6)))
  sl <- ref_safe_levels(euclid_of(df), df$y, k = 5)
  expect_true(all(sl[df$y == "min"] == 0))
  expect_warning(res <- sg_definition(df, "y", method = "safe_level", seed = 1),
                 class = "smoteguard_warning_shortfall")
  seeds <- sg_record(res)$seeds
  expect_identical(seeds$wanted, 94L)
  expect_identical(seeds$made, 0L)
  expect_identical(seeds$shortfall, 94L)
  expect_identical(nrow(sg_provenance(res)), 0L)
  expect_identical(nrow(res), 106L)
  expect_identical(sg_record(res)$counts$after, c(100L, 6L))
})

# ---------------------------------------------------------------------------
# Random oversampling and the smoothed bootstrap

test_that("ROS makes copies: values of the parent, neighbour and gap NA", {
  df <- sim_classes(c(a = 30, b = 8, c = 12), d = 3, seed = 70, integer = "x3")
  res <- sg_definition(df, "y", method = "ros", seed = 1)
  prov <- sg_provenance(res)
  expect_identical(as.vector(table(res$y)), c(30L, 30L, 30L))
  expect_true(all(is.na(prov$neighbor)))
  expect_true(all(is.na(prov$gap)))
  expect_identical(as.character(df$y[prov$parent]), as.character(prov$class))
  copy <- strip_record(res)[prov$row, ]
  rownames(copy) <- NULL
  orig <- df[prov$parent, ]
  rownames(orig) <- NULL
  expect_identical(copy, orig)
  # parents in turns: used floor or ceiling of G / p times
  for (cl in c("b", "c")) {
    rows <- which(df$y == cl)
    uses <- tabulate(match(prov$parent[prov$class == cl], rows), length(rows))
    G <- sum(prov$class == cl)
    expect_true(all(uses %in% c(floor(G / length(rows)), ceiling(G / length(rows)))))
  }
})

test_that("ROS with shrinkage: noise sd follows the smoothed-bootstrap formula", {
  set.seed(71)
  n_min <- 200
  df <- data.frame(x1 = c(rnorm(4000), rnorm(n_min, 3, 2)),
                   x2 = c(rnorm(4000), rnorm(n_min, -1, 0.5)),
                   y = factor(rep(c("a", "b"), c(4000, n_min))))
  h <- 0.7
  res <- sg_definition(df, "y", method = "ros", shrinkage = h, seed = 2)
  expect_identical(as.vector(table(res$y)), c(4000L, 4000L))
  prov <- sg_provenance(res)
  expect_true(all(is.na(prov$neighbor) & is.na(prov$gap)))
  d <- 2
  bw <- h * (4 / ((d + 2) * n_min))^(1 / (d + 4))
  for (col in c("x1", "x2")) {
    noise <- res[[col]][prov$row] - df[[col]][prov$parent]
    want <- bw * stats::sd(df[[col]][df$y == "b"])
    # 3800 draws: the sd estimate's relative standard error is about 1.2 %
    expect_equal(stats::sd(noise), want, tolerance = 0.05, label = col)
    expect_lt(abs(mean(noise)), 4 * want / sqrt(length(noise)))
    expect_true(all(noise != 0))
  }
  # shrinkage = 0 is plain copying
  res0 <- sg_definition(df, "y", method = "ros", shrinkage = 0, seed = 2)
  prov0 <- sg_provenance(res0)
  expect_identical(res0$x1[prov0$row], df$x1[prov0$parent])
})

# ---------------------------------------------------------------------------
# Every interpolating method

test_that("every interpolating method: parent + gap * (neighbour - parent), k nearest, integers rounded, seeded", {
  df <- sim_classes(c(a = 45, b = 16, c = 11), d = 3, seed = 80, integer = "x3",
                    shift = 0.6)
  D <- euclid_of(df)
  for (method in c("smote", "borderline1", "borderline2", "adasyn", "safe_level")) {
    res <- suppressWarnings(sg_definition(df, "y", method = method, neighbors = 4,
                                          seed = 9))
    other <- NULL
    if (method == "borderline2") {
      other <- unlist(lapply(c("b", "c"), function(cl) {
        ref <- ref_borderline(D, df$y, cl, m = 10)
        stats::setNames(ref$other, ref$row)
      }))
    }
    expect_type(res$x3, "integer")
    expect_interpolated(res, df, "y", D, k = 4, other = other)
    expect_identical(strip_record(res[seq_len(nrow(df)), ]), df)
    expect_seed_reproducible(function(s) {
      suppressWarnings(sg_definition(df, "y", method = method, neighbors = 4, seed = s))
    })
  }
})

# ---------------------------------------------------------------------------
# imbalanced-learn (Debian's python3-imblearn), where installed. Both get the
# same standardised numbers, so that our standardisation changes nothing.

test_that("BorderlineSMOTE of imbalanced-learn seeds from the same danger rows", {
  skip_if_no_imblearn()
  set.seed(90)
  x <- rbind(matrix(rnorm(140), ncol = 2), matrix(rnorm(40, 1), ncol = 2))
  x <- scale(x)
  attributes(x) <- list(dim = dim(x))
  y <- rep(0:1, c(70, 20))
  df <- data.frame(x1 = x[, 1], x2 = x[, 2], y = factor(y))
  D <- euclid_of(df)
  ref <- ref_borderline(D, df$y, "1", m = 10)
  danger <- ref$row[ref$kind == "danger"]
  expect_gt(length(danger), 2)
  # 380 rows from the danger rows: each is a parent in both implementations
  out <- run_imblearn(x, y, c(
    "from imblearn.over_sampling import BorderlineSMOTE",
    "s = BorderlineSMOTE(sampling_strategy={1: 400}, k_neighbors=5, m_neighbors=10,",
    "                    kind='borderline-1', random_state=0)",
    "Xr, yr = s.fit_resample(X, y)",
    "np.savetxt(out, Xr[len(y):], delimiter=',', fmt='%.17g')"))
  expect_identical(nrow(out), 380L)
  # every imbalanced-learn row lies on a segment from a danger row to one of
  # its 5 nearest minority rows, and every danger row is the start of one
  mins <- which(y == 1)
  on <- lapply(seq_len(nrow(out)), function(r) {
    ref_segment_parents(out[r, ], x, D, danger, mins, 5)
  })
  expect_true(all(lengths(on) > 0))
  expect_setequal(unlist(on), danger)
  ours <- sg_definition(df, "y", method = "borderline1",
                        over_ratio = c(`1` = 400 / 70), seed = 1)
  expect_setequal(sg_provenance(ours)$parent, danger)
  expect_identical(sg_record(ours)$seeds$danger, length(danger))
})

test_that("ADASYN of imbalanced-learn: same weights, but its counts round each parent", {
  skip_if_no_imblearn()
  set.seed(91)
  x <- rbind(matrix(rnorm(120), ncol = 2), matrix(rnorm(26, 0.8), ncol = 2))
  x <- scale(x)
  attributes(x) <- list(dim = dim(x))
  y <- rep(0:1, c(60, 13))
  df <- data.frame(x1 = x[, 1], x2 = x[, 2], y = factor(y))
  D <- euclid_of(df)
  G <- 47L
  ref <- ref_adasyn(D, df$y, "1", 5, G)
  out <- run_imblearn(x, y, c(
    "from imblearn.over_sampling import ADASYN",
    "Xr, yr = ADASYN(n_neighbors=5, random_state=0).fit_resample(X, y)",
    "np.savetxt(out, Xr[len(y):], delimiter=',', fmt='%.17g')"))
  # imbalanced-learn: n_i = rint(G * r_i) (numpy rounds half to even), so
  # its total is sum(rint(G r_i)), not G; ours is G exactly (largest
  # remainders). The weights r_i are the same.
  imb_counts <- round(G * ref$a / sum(ref$a))
  expect_identical(nrow(out), as.integer(sum(imb_counts)))
  # in these data imbalanced-learn makes 49 rows for a target of 47
  expect_identical(as.integer(sum(imb_counts)), 49L)
  ours <- sg_definition(df, "y", method = "adasyn", seed = 1)
  prov <- sg_provenance(ours)
  expect_identical(nrow(prov), G)
  our_counts <- tabulate(match(prov$parent, ref$row), nrow(ref))
  expect_identical(as.integer(our_counts), as.integer(ref$count))
  expect_true(all(abs(our_counts - imb_counts) <= 1))
  # both seed only from rows with r_i > 0: each imbalanced-learn row lies on
  # a segment from such a row
  mins <- which(y == 1)
  weighted <- ref$row[ref$a > 0]
  on <- vapply(seq_len(nrow(out)), function(r) {
    length(ref_segment_parents(out[r, ], x, D, weighted, mins, 5))
  }, numeric(1))
  expect_true(all(on > 0))
  expect_true(all(ref$a[match(prov$parent, ref$row)] > 0))
})
