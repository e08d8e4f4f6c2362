# SMOTER and SMOGN (numeric outcomes), against plain-R references written
# from the papers (Torgo et al. 2013; Branco et al. 2017) and the
# definitions vignette, section "SMOTER and SMOGN".

# A skewed outcome with a long upper tail (rare high values) and a few low
# outliers, two numeric predictors that follow it.
regress_data <- function(n = 80, seed = 1) {
  set.seed(seed)
  y <- c(rnorm(n - 12, 10, 1), 16 + rexp(8), c(3, 2.5, 4, 3.5))
  data.frame(x1 = y + rnorm(n), x2 = rnorm(n) - 0.3 * y, y = y,
             row.names = sprintf("r%02d", seq_len(n)))
}

# ---- plain-R references ----------------------------------------------------

# Ribeiro's box-plot relevance: control points and Hermite interpolation
# with the given slopes, constant beyond the ends.
ref_control <- function(y) {
  s <- boxplot.stats(y)$stats
  lo <- if (any(y < s[1])) c(s[1], 1) else c(min(y), 0)
  hi <- if (any(y > s[5])) c(s[5], 1) else c(max(y), 0)
  m <- rbind(lo, c(s[3], 0), hi)
  cbind(m, 0)
}

ref_phi <- function(y, ctrl) {
  out <- numeric(length(y))
  for (i in seq_along(y)) {
    v <- y[i]
    if (v <= ctrl[1, 1]) { out[i] <- ctrl[1, 2]; next }
    if (v >= ctrl[nrow(ctrl), 1]) { out[i] <- ctrl[nrow(ctrl), 2]; next }
    k <- max(which(ctrl[, 1] <= v))
    h <- ctrl[k + 1, 1] - ctrl[k, 1]
    t <- (v - ctrl[k, 1]) / h
    out[i] <- (2 * t^3 - 3 * t^2 + 1) * ctrl[k, 2] + (t^3 - 2 * t^2 + t) * h * ctrl[k, 3] +
      (-2 * t^3 + 3 * t^2) * ctrl[k + 1, 2] + (t^3 - t^2) * h * ctrl[k + 1, 3]
  }
  pmin(pmax(out, 0), 1)
}

# Bins: runs of rare / common along the sorted outcome.
ref_bins <- function(y, phi, thr) {
  o <- order(y)
  bin <- integer(length(y))
  b <- 1L
  for (i in seq_along(o)) {
    if (i > 1 && (phi[o[i]] >= thr) != (phi[o[i - 1]] >= thr)) b <- b + 1L
    bin[o[i]] <- b
  }
  bin
}

# SMOTER / SMOGN on numeric predictors, with the package's draw order: per
# rare bin (in outcome order), the parents (whole permutations), the
# neighbour picks, the gaps, then SMOGN's normal deviates for the far rows
# (column by column: predictors, then the outcome).
ref_regress <- function(d, var, thr = 0.8, k = 5, over_ratio = 1, smogn = FALSE,
                        pert = 0.02, seed = 1) {
  y <- d[[var]]
  x <- as.matrix(d[setdiff(names(d), var)])
  center <- colMeans(x)
  scale <- apply(x, 2, sd)
  z <- sweep(sweep(x, 2, center), 2, scale, "/")
  phi <- ref_phi(y, ref_control(y))
  bin <- ref_bins(y, phi, thr)
  nb <- max(bin)
  size <- tabulate(bin, nb)
  rare <- vapply(seq_len(nb), function(b) phi[bin == b][1] >= thr, NA)
  B <- nrow(d) / nb
  set.seed(seed)
  out <- NULL
  for (b in which(rare)) {
    rows <- which(bin == b)
    p <- length(rows)
    G <- max(size[b], round(over_ratio * B)) - p
    if (G <= 0) next
    kk <- min(k, p - 1)
    # neighbours within the bin, by brute force (ties by row order)
    nn <- matrix(0L, p, kk)
    nd <- matrix(0, p, kk)
    for (i in seq_len(p)) {
      dist <- sqrt(colSums((t(z[rows, , drop = FALSE]) - z[rows[i], ])^2))
      dist[i] <- Inf
      o <- order(dist, seq_len(p))[seq_len(kk)]
      nn[i, ] <- rows[o]
      nd[i, ] <- dist[o]
    }
    pos <- unlist(lapply(seq_len(ceiling(G / p)), function(i) sample.int(p)))[seq_len(G)]
    j <- sample.int(kk, G, replace = TRUE)
    gap <- runif(G)
    parent <- rows[pos]
    nbr <- nn[cbind(pos, j)]
    vals <- x[parent, , drop = FALSE] + gap * (x[nbr, , drop = FALSE] - x[parent, , drop = FALSE])
    d1 <- d2 <- numeric(G)
    for (r in seq_len(G)) {
      zr <- (vals[r, ] - center) / scale
      d1[r] <- sqrt(sum((zr - z[parent[r], ])^2))
      d2[r] <- sqrt(sum((zr - z[nbr[r], ])^2))
    }
    ynew <- (d2 * y[parent] + d1 * y[nbr]) / (d1 + d2)
    kind <- rep("interpolate", G)
    if (smogn) {
      half <- apply(nd, 1, median) / 2
      far <- !(nd[cbind(pos, j)] < half[pos])
      m <- sum(far)
      if (m > 0) {
        num <- cbind(x[rows, , drop = FALSE], y[rows])
        sds <- apply(num, 2, sd)
        zz <- matrix(rnorm(m * ncol(num)), m, ncol(num))
        amt <- pmin(half[pos[far]], pert)
        for (r in seq_len(m)) {
          moved <- num[pos[far][r], ] + zz[r, ] * amt[r] * sds
          vals[which(far)[r], ] <- moved[seq_len(ncol(x))]
          ynew[which(far)[r]] <- moved[ncol(num)]
        }
        kind[far] <- "noise"
        nbr[far] <- NA
        gap[far] <- NA
      }
    }
    out <- rbind(out, data.frame(bin = b, parent = parent, neighbor = nbr, gap = gap,
                                 kind = kind, vals, y = ynew))
  }
  list(rows = out, bin = bin, phi = phi, size = size, rare = rare)
}

# ---- the relevance function ------------------------------------------------

test_that("the box-plot relevance is 0 at the median, 1 at the whisker ends with extremes beyond", {
  d <- regress_data()
  phi <- sg_relevance(d$y)
  ctrl <- attr(phi, "control")
  s <- boxplot.stats(d$y)$stats
  expect_equal(unname(ctrl[, "y"]), c(s[1], s[3], s[5]))
  expect_equal(unname(ctrl[, "phi"]), c(1, 0, 1))
  expect_equal(unname(ctrl[, "slope"]), c(0, 0, 0))
  expect_equal(as.numeric(phi), ref_phi(d$y, ref_control(d$y)), tolerance = 1e-14)
  # at the control points exactly their relevance; beyond the ends 1
  expect_equal(as.numeric(sg_relevance(ctrl[, "y"], ctrl)), c(1, 0, 1))
  expect_true(all(phi[d$y >= s[5]] == 1))
  expect_true(all(phi >= 0 & phi <= 1))
  # halfway between the median and the upper end: 3t^2 - 2t^3 at t = 1/2
  mid <- (s[3] + s[5]) / 2
  expect_equal(as.numeric(sg_relevance(mid, ctrl)), 0.5)
})

test_that("without low extremes the minimum is a control point of relevance 0", {
  set.seed(2)
  y <- c(runif(50, 0, 1), 5, 6)
  ctrl <- attr(sg_relevance(y), "control")
  expect_equal(unname(ctrl[1, 1:2]), c(min(y), 0))
  expect_equal(unname(ctrl[3, 2]), 1)
})

test_that("user control points: monotone slopes, no overshoot, checked", {
  y <- seq(0, 30, by = 0.5)
  pts <- cbind(y = c(5, 10, 20), phi = c(0, 0.5, 1))
  phi <- sg_relevance(y, pts)
  ctrl <- attr(phi, "control")
  # interior slope: the weighted harmonic mean of the secants 0.1 and 0.05
  h1 <- 5; h2 <- 10; s1 <- 0.1; s2 <- 0.05
  w1 <- 2 * h2 + h1; w2 <- h2 + 2 * h1
  expect_equal(ctrl[, "slope"], c(0, (w1 + w2) / (w1 / s1 + w2 / s2), 0))
  expect_equal(as.numeric(phi), ref_phi(y, ctrl), tolerance = 1e-14)
  expect_false(is.unsorted(phi))
  expect_equal(as.numeric(phi[y <= 5]), rep(0, sum(y <= 5)))
  expect_equal(as.numeric(phi[y >= 20]), rep(1, sum(y >= 20)))
  # given slopes are used as they are; rows in any order
  p3 <- sg_relevance(y, cbind(c(20, 5), c(1, 0), c(0, 0)))
  expect_equal(as.numeric(p3), ref_phi(y, cbind(c(5, 20), c(0, 1), c(0, 0))))
  expect_error(sg_relevance(y, cbind(c(1, 1), c(0, 1))), class = "smoteguard_error_input")
  expect_error(sg_relevance(y, cbind(c(1, 2), c(0, 2))), class = "smoteguard_error_input")
  expect_error(sg_relevance(y, c(1, 2)), class = "smoteguard_error_input")
  expect_error(sg_relevance(c(1, NA, 3)), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_relevance(y, cbind(c(1, 2), c(0, 2))))
})

# ---- bins and targets ------------------------------------------------------

test_that("bins are the runs of rare and common rows along the sorted outcome", {
  d <- regress_data()
  res <- sg_oversample(d, "y", method = "smoter", seed = 1)
  rec <- sg_record(res)
  ref <- ref_regress(d, "y")
  bins <- rec$bins
  expect_identical(bins$rare, ref$rare)
  expect_identical(bins$before, ref$size)
  expect_identical(as.character(bins$bin), c("bin1_rare", "bin2_common", "bin3_rare"))
  expect_equal(bins$lower, vapply(1:3, function(b) min(d$y[ref$bin == b]), 0))
  expect_equal(bins$upper, vapply(1:3, function(b) max(d$y[ref$bin == b]), 0))
  # the targets: each rare bin raised to round(over_ratio * rows / bins)
  expect_identical(bins$target, c(27L, ref$size[2], 27L))
  expect_identical(rec$counts$after, bins$after)
  expect_identical(rec$relevance$method, "boxplot")
  expect_equal(rec$relevance$threshold, 0.8)
  expect_equal(rec$relevance$control, attr(sg_relevance(d$y), "control"))
})

test_that("SMOTER makes the rows of the plain-R reference, draw for draw", {
  d <- regress_data()
  res <- sg_oversample(d, "y", method = "smoter", seed = 7)
  ref <- ref_regress(d, "y", seed = 7)$rows
  prov <- sg_provenance(res)
  expect_identical(prov$parent, ref$parent)
  expect_identical(prov$neighbor, ref$neighbor)
  expect_equal(prov$gap, ref$gap)
  expect_true(all(prov$kind == "interpolate"))
  new <- res[prov$row, ]
  expect_equal(unname(as.matrix(new[c("x1", "x2")])), unname(as.matrix(ref[c("x1", "x2")])),
               tolerance = 1e-12)
  expect_equal(new$y, ref$y, tolerance = 1e-12)
  # with numeric predictors the distance-weighted mean is the outcome at
  # the same gap
  expect_equal(new$y, d$y[prov$parent] + prov$gap * (d$y[prov$neighbor] - d$y[prov$parent]),
               tolerance = 1e-10)
})

test_that("SMOGN splits safe and far neighbours as the reference does", {
  d <- regress_data()
  # a larger pert makes the noise visible
  res <- sg_oversample(d, "y", method = "smogn", seed = 3, pert = 0.5, constraints = NULL)
  ref <- ref_regress(d, "y", smogn = TRUE, pert = 0.5, seed = 3)$rows
  prov <- sg_provenance(res)
  expect_identical(prov$kind, ref$kind)
  expect_true(all(c("interpolate", "noise") %in% prov$kind))
  expect_identical(prov$parent, ref$parent)
  expect_identical(prov$neighbor, ref$neighbor)
  new <- res[prov$row, ]
  expect_equal(unname(as.matrix(new[c("x1", "x2")])), unname(as.matrix(ref[c("x1", "x2")])),
               tolerance = 1e-12)
  expect_equal(new$y, ref$y, tolerance = 1e-12)
  noise <- prov$kind == "noise"
  expect_true(all(is.na(prov$gap[noise]) & is.na(prov$neighbor[noise])))
})

# ---- properties ------------------------------------------------------------

test_that("SMOTER's outcomes lie between the parents'; new rows only in rare bins", {
  d <- regress_data(120, seed = 4)
  for (s in 1:3) {
    res <- sg_oversample(d, "y", method = "smoter", seed = s, neighbors = 3)
    prov <- sg_provenance(res)
    rec <- sg_record(res)
    yn <- res$y[prov$row]
    lo <- pmin(d$y[prov$parent], d$y[prov$neighbor])
    hi <- pmax(d$y[prov$parent], d$y[prov$neighbor])
    expect_true(all(yn >= lo - 1e-12 & yn <= hi + 1e-12))
    rare_bins <- as.character(rec$bins$bin[rec$bins$rare])
    expect_true(all(as.character(prov$class) %in% rare_bins))
    # parent and neighbour in the same bin as the row
    bin_of <- function(rows) {
      b <- findInterval(d$y[rows], rec$bins$lower)
      as.character(rec$bins$bin)[b]
    }
    expect_identical(bin_of(prov$parent), as.character(prov$class))
    expect_identical(bin_of(prov$neighbor), as.character(prov$class))
  }
})

test_that("under-sampling removes common rows only, and keeps the rest in order", {
  d <- regress_data()
  res <- sg_oversample(d, "y", method = "smoter", under = TRUE, seed = 2)
  rec <- sg_record(res)
  n_kept <- nrow(d) - nrow(rec$removed)
  expect_identical(rec$bins$target[2], 27L)
  expect_identical(rec$bins$after, rep(27L, 3))
  expect_true(all(rec$removed$class == "bin2_common"))
  kept <- setdiff(seq_len(nrow(d)), rec$removed$row)
  expect_identical(res[seq_len(n_kept), ], d[kept, ], ignore_attr = "smoteguard")
  expect_identical(sg_provenance(res)$row, n_kept + seq_len(nrow(res) - n_kept))
  half <- sg_oversample(d, "y", method = "smoter", under = 0.5, seed = 2)
  expect_identical(sg_record(half)$bins$after[2], as.integer(round(0.5 * rec$bins$before[2])))
})

test_that("seeds reproduce, threads do not change the result, the stream is restored", {
  d <- regress_data()
  for (m in c("smoter", "smogn")) {
    a <- sg_oversample(d, "y", method = m, seed = 5, threads = 1)
    b <- sg_oversample(d, "y", method = m, seed = 5, threads = 2)
    expect_identical(a, b, ignore_attr = "smoteguard")
    set.seed(9)
    before <- runif(1)
    set.seed(9)
    sg_oversample(d, "y", method = m, seed = 5)
    expect_identical(runif(1), before)
  }
})

test_that("an integer outcome stays integer", {
  d <- regress_data()
  d$y <- as.integer(round(d$y * 10))
  res <- sg_oversample(d, "y", method = "smogn", seed = 1)
  expect_type(res$y, "integer")
  expect_gt(nrow(res), nrow(d))
})

test_that("nominal predictors: SMOTE-NC values from the bin, the outcome by the mixed distance", {
  d <- regress_data()
  set.seed(3)
  d$colour <- factor(sample(c("red", "blue"), nrow(d), TRUE))
  d$flag <- sample(c(TRUE, FALSE), nrow(d), TRUE)
  for (m in c("smoter", "smogn")) {
    res <- sg_oversample(d, "y", method = m, seed = 1, nominal = "vote")
    prov <- sg_provenance(res)
    expect_identical(levels(res$colour), levels(d$colour))
    expect_type(res$flag, "logical")
    expect_false(anyNA(res$colour))
    inter <- prov$kind == "interpolate"
    yn <- res$y[prov$row]
    lo <- pmin(d$y[prov$parent], d$y[prov$neighbor])
    hi <- pmax(d$y[prov$parent], d$y[prov$neighbor])
    expect_true(all(yn[inter] >= lo[inter] - 1e-12 & yn[inter] <= hi[inter] + 1e-12))
  }
})

test_that("no rare bin below its target: no rows made, an empty provenance of the usual types", {
  d <- regress_data()
  for (m in c("smoter", "smogn")) {
    res <- sg_oversample(d, "y", method = m, seed = 1, over_ratio = 0.01)
    prov <- sg_provenance(res)
    expect_identical(nrow(res), nrow(d))
    expect_identical(lapply(prov, typeof),
                     list(row = "integer", class = "integer", parent = "integer",
                          neighbor = "integer", gap = "double", kind = "character"))
  }
})

test_that("bins of one row are copied, with a warning", {
  set.seed(1)
  d <- data.frame(x = rnorm(41), y = c(seq(9, 11, length.out = 40), 30))
  expect_warning(res <- sg_oversample(d, "y", method = "smoter", seed = 1,
                                      relevance = cbind(c(20, 25), c(0, 1))),
                 class = "smoteguard_warning_single_row")
  prov <- sg_provenance(res)
  expect_true(all(prov$kind == "copy"))
  # a copy is its parent, even in a column declared whole that holds
  # fractions in the data
  d$z <- round(seq(0.5, 20, length.out = 41), 2)
  res <- suppressWarnings(sg_oversample(d, "y", method = "smoter", seed = 1,
                                        relevance = cbind(c(20, 25), c(0, 1)),
                                        constraints = sg_constraints(integer = "z")))
  prov <- sg_provenance(res)
  expect_identical(unname(as.list(res[prov$row, c("x", "z", "y")])),
                   unname(as.list(d[prov$parent, c("x", "z", "y")])))
})

# ---- refusals --------------------------------------------------------------

test_that("numeric outcomes only when asked; classed errors that say what to do", {
  d <- regress_data()
  # any classification method refuses a numeric outcome, 0/1 included
  expect_error(sg_oversample(d, "y"), class = "smoteguard_error_outcome_type")
  d01 <- data.frame(x = rnorm(30), y = rep(0:1, c(25, 5)))
  expect_error(sg_oversample(d01, "y", method = "ros"), class = "smoteguard_error_outcome_type")
  # smoter given classes, or a 0/1 outcome
  expect_error(sg_oversample(breast_biopsy, "diagnosis", method = "smoter"),
               class = "smoteguard_error_outcome_type")
  expect_error(sg_oversample(d01, "y", method = "smogn"), class = "smoteguard_error_outcome_type")
  expect_snapshot(error = TRUE, {
    sg_oversample(d01, "y")
    sg_oversample(breast_biopsy, "diagnosis", method = "smoter")
    sg_oversample(d01, "y", method = "smogn")
  })
})

test_that("guard, clean, groups, Gower, missing values and named ratios are refused", {
  d <- regress_data()
  expect_error(sg_oversample(d, "y", method = "smoter", guard = sg_guard()),
               class = "smoteguard_error_input")
  expect_error(sg_oversample(d, "y", method = "smogn", clean = "tomek"),
               class = "smoteguard_error_regress_unsupported")
  d$g <- rep(1:8, 10)
  expect_error(sg_oversample(d, "y", method = "smoter", groups = "g"),
               class = "smoteguard_error_regress_unsupported")
  d$g <- NULL
  expect_error(sg_oversample(d, "y", method = "smoter", distance = "gower"),
               class = "smoteguard_error_regress_unsupported")
  dna <- d
  dna$x1[3] <- NA
  expect_error(sg_oversample(dna, "y", method = "smoter"),
               class = "smoteguard_error_regress_missing")
  expect_error(sg_oversample(d, "y", method = "smoter", over_ratio = c(a = 1)),
               class = "smoteguard_error_input")
  expect_error(sg_oversample(d, "y", method = "smoter", rel_threshold = 1.5),
               class = "smoteguard_error_input")
  everything <- cbind(c(-100, -99), c(0, 1))
  expect_error(sg_oversample(d, "y", method = "smoter", relevance = everything),
               class = "smoteguard_error_no_rare")
  flat <- data.frame(x = rnorm(30), y = rnorm(30))
  flat$y[1] <- 0
  expect_error(sg_oversample(flat, "y", method = "smoter",
                             relevance = cbind(c(100, 200), c(0, 1))),
               class = "smoteguard_error_no_rare")
  expect_snapshot(error = TRUE, {
    sg_oversample(d, "y", method = "smoter", guard = sg_guard())
    sg_oversample(dna, "y", method = "smoter")
    sg_oversample(d, "y", method = "smoter", relevance = everything)
  })
})

# ---- the other doors -------------------------------------------------------

test_that("sg_sampler(), sg_methods() and the caret hook know the numeric methods", {
  m <- sg_methods("regress")
  expect_identical(m$method, c("smoter", "smogn"))
  expect_identical(m$outcome, c("numeric", "numeric"))
  expect_identical(m$entry, c("sg_oversample", "sg_oversample"))
  s <- sg_sampler("smogn", pert = 0.1, seed = 1)
  expect_null(s$args$guard)
  d <- regress_data()
  res <- sg_resample(s, d, "y")
  expect_identical(res, sg_oversample(d, "y", method = "smogn", pert = 0.1, seed = 1),
                   ignore_attr = "smoteguard")
  expect_error(sg_sampler("smoter", guard = sg_guard()), class = "smoteguard_error_input")
  expect_error(sg_sampler("smoter", rel_threshold = 2), class = "smoteguard_error_input")
  expect_error(sg_caret_sampling("smoter"), class = "smoteguard_error_regress_caret")
  # the diagnosis reads classes: a numeric-outcome result is refused
  expect_error(sg_diagnose(res), class = "smoteguard_error_regress_unsupported")
  expect_snapshot(error = TRUE, sg_caret_sampling("smogn"))
})

test_that("the recipes step runs SMOTER on a numeric outcome", {
  skip_if_not_installed("recipes")
  d <- regress_data()
  rec <- recipes::recipe(y ~ ., data = d)
  rec <- step_smoteguard(rec, y, method = "smoter", seed = 11, options = list(under = TRUE))
  expect_null(rec$steps[[1]]$guard)
  prepped <- recipes::prep(rec)
  baked <- recipes::bake(prepped, new_data = NULL)
  direct <- sg_oversample(d, "y", method = "smoter", seed = 11, under = TRUE)
  expect_equal(as.data.frame(baked[names(direct)]), direct, ignore_attr = TRUE)
  tidied <- recipes::tidy(prepped, number = 1)
  expect_identical(tidied$class, c("bin1_rare", "bin2_common", "bin3_rare"))
  expect_error(step_smoteguard(recipes::recipe(y ~ ., data = d), y, method = "smoter",
                               guard = sg_guard()),
               class = "smoteguard_error_input")
  # a classification step on a numeric outcome
  bad <- step_smoteguard(recipes::recipe(y ~ ., data = d), y, seed = 1)
  expect_error(recipes::prep(bad), class = "smoteguard_error_input")
})

test_that("SMOGN's rows on mixed data with bounds and integer columns stay as recorded", {
  # pins the random stream's order (parents, neighbours, gaps, the nominal
  # draw, then the noise) through the rounds (src/rounds.c): the values
  # were recorded before SMOTER and SMOGN moved into them, and must not move
  d <- regress_data(40, seed = 4)
  set.seed(5)
  d$count <- as.integer(rpois(40, 3))
  d$colour <- factor(sample(c("red", "blue", "green"), 40, TRUE))
  for (m in c("smoter", "smogn")) {
    res <- suppressWarnings(sg_oversample(
      d, "y", method = m, seed = 2, pert = 0.3, neighbors = 2, over_ratio = 2,
      constraints = sg_constraints(integer = "x2")))
    prov <- sg_provenance(res)
    made <- res[prov$row, ]
    attr(made, "smoteguard") <- NULL
    expect_snapshot_value(list(made, prov), style = "serialize")
  }
})
