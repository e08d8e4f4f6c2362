# sg_diagnose(): every metric against a plain-R reference on small data,
# the cases whose answer is known, sampling and standard errors, the C entry
# points, printing and plotting.

diag_ffi <- function(name) get(name, envir = asNamespace("smoteguard"))

# ---------------------------------------------------------------------
# Plain-R references: full distance matrices (fine on small data), the
# squared distance summed column by column in order, as the C kernels do,
# so distances agree to the bit and ties fall the same way.

ref_dist <- function(a, b) {
  out <- matrix(0, nrow(a), nrow(b))
  for (j in seq_len(ncol(a))) out <- out + outer(a[, j], b[, j], "-")^2
  sqrt(out)
}

# The k-th smallest of each row of a distance matrix.
kth <- function(dm, k) apply(dm, 1, function(v) sort(v)[k])

ref_class <- function(zr, zs, whole, y, cls, k) {
  drr <- ref_dist(zr, zr)
  diag(drr) <- Inf
  real_radius <- kth(drr, k)
  dsr <- ref_dist(zs, zr)
  dss <- ref_dist(zs, zs)
  diag(dss) <- Inf
  syn_radius <- kth(dss, k)
  in_real_ball <- sweep(dsr, 2, real_radius, "<=")   # [s, r]
  in_syn_ball <- sweep(t(dsr), 2, syn_radius, "<=")  # [r, s]
  dsw <- ref_dist(zs, whole)
  intrusion <- vapply(seq_len(nrow(zs)), function(i) {
    nn <- order(dsw[i, ], seq_len(ncol(dsw)))[seq_len(k)]
    mean(y[nn] != cls)
  }, numeric(1))
  list(real_nn = apply(drr, 1, min), real_radius = real_radius,
       recalled = rowSums(in_syn_ball) > 0, covered = colSums(in_real_ball) > 0,
       dcr = apply(dsr, 1, min), dcr2 = kth(dsr, 2),
       balls = as.integer(rowSums(in_real_ball)), syn_radius = syn_radius,
       intrusion = intrusion)
}

ref_mmd <- function(x, y) {
  sigma <- stats::median(ref_dist(x, x)[upper.tri(diag(nrow(x)))])
  kern <- function(a, b) exp(-ref_dist(a, b)^2 / (2 * sigma^2))
  kxx <- kern(x, x)
  kyy <- kern(y, y)
  m <- nrow(x)
  n <- nrow(y)
  c(mmd2 = (sum(kxx) - sum(diag(kxx))) / (m * (m - 1)) +
      (sum(kyy) - sum(diag(kyy))) / (n * (n - 1)) - 2 * mean(kern(x, y)),
    sigma = sigma)
}

# Standardised numeric predictors, as vignette("definitions"), section
# #diagnostics, says: centre and scale
# of all real rows; constant columns dropped.
ref_z <- function(df, real, cols) {
  x <- as.matrix(df[cols])
  xr <- as.matrix(real[cols])
  center <- colMeans(xr)
  scale <- apply(xr, 2, stats::sd)
  keep <- scale > 0
  z <- sweep(sweep(x[, keep, drop = FALSE], 2, center[keep]), 2, scale[keep], "/")
  dimnames(z) <- NULL
  z
}

metric <- function(dg, name, cls = NULL) {
  tab <- as.data.frame(dg)
  if (!is.null(cls)) tab <- tab[tab$class == cls, ]
  tab$value[tab$metric == name]
}

gauss_frame <- function(n, d, mean = 0, cls = "a", seed = 1) {
  set.seed(seed)
  df <- as.data.frame(matrix(stats::rnorm(n * d, mean = mean), n))
  df$y <- factor(cls, levels = c("a", "b"))
  df
}

# Two classes of real rows and synthetic rows of class a.
small_case <- function(seed = 1, grid = FALSE) {
  set.seed(seed)
  draw <- function(n, mu) {
    if (grid) matrix(sample(0:3, n * 3, TRUE) + mu, n) else matrix(stats::rnorm(n * 3, mu), n)
  }
  real <- as.data.frame(rbind(draw(40, 0), draw(25, 1)))
  real$y <- factor(rep(c("a", "b"), c(40, 25)))
  syn <- as.data.frame(draw(30, 0.2))
  syn$y <- factor("a", levels = c("a", "b"))
  list(real = real, syn = syn)
}

# ---------------------------------------------------------------------
test_that("the class kernel matches the plain-R reference, ties included", {
  for (grid in c(FALSE, TRUE)) {
    s <- small_case(seed = 11, grid = grid)
    cols <- c("V1", "V2", "V3")
    zr_all <- ref_z(s$real, s$real, cols)
    zs <- ref_z(s$syn, s$real, cols)
    zr <- zr_all[s$real$y == "a", , drop = FALSE]
    y <- as.integer(s$real$y)
    for (k in c(1L, 3L, 5L)) {
      got <- .Call(diag_ffi("ffi_metrics_class"), zs, zr_all, y, 1L, k, NA_integer_, NULL)
      want <- ref_class(zr, zs, zr_all, y, 1L, k)
      for (nm in names(want)) {
        expect_equal(got[[nm]], want[[nm]], tolerance = 0,
                     label = sprintf("%s (grid = %s, k = %d)", nm, grid, k))
      }
    }
  }
})

test_that("the class kernel matches the reference across blocks and query groups", {
  # more rows than one block (256) and query counts not multiples of 4, in
  # few and in many dimensions
  for (d in c(3, 9)) {
    set.seed(100 + d)
    n_a <- 611
    n_b <- 290
    zr_all <- rbind(matrix(stats::rnorm(n_a * d), n_a), matrix(stats::rnorm(n_b * d, 0.7), n_b))
    zr_all[5:9, ] <- zr_all[1:5, ]  # ties
    y <- rep(c(1L, 2L), c(n_a, n_b))
    zs <- matrix(stats::rnorm(303 * d, 0.2), 303)
    zs[1:3, ] <- zr_all[c(2, 700, 20), ]
    got <- .Call(diag_ffi("ffi_metrics_class"), zs, zr_all, y, 1L, 5L, NA_integer_, NULL)
    want <- ref_class(zr_all[y == 1L, ], zs, zr_all, y, 1L, 5L)
    for (nm in names(want)) {
      expect_equal(got[[nm]], want[[nm]], tolerance = 0, label = sprintf("%s (d = %d)", nm, d))
    }
    mm <- .Call(diag_ffi("ffi_metrics_mmd"), zr_all[1:611, ], zs, NA_integer_)
    want_mmd <- ref_mmd(zr_all[1:611, ], zs)
    expect_identical(mm[["sigma"]], want_mmd[["sigma"]])
    expect_equal(mm[["mmd2"]], want_mmd[["mmd2"]], tolerance = 1e-12)
  }
})

test_that("too few rows for a radius give NA, not nonsense", {
  s <- small_case(seed = 12)
  cols <- c("V1", "V2", "V3")
  zr_all <- ref_z(s$real, s$real, cols)
  zs <- ref_z(s$syn, s$real, cols)[1:3, , drop = FALSE]
  keep <- c(1:4, 41:65)  # 4 real rows of class a, 25 of class b
  got <- .Call(diag_ffi("ffi_metrics_class"), zs, zr_all[keep, ],
               as.integer(s$real$y)[keep], 1L, 5L, NA_integer_, NULL)
  expect_length(got$real_nn, 4)
  expect_true(all(is.na(got$real_radius)))
  expect_true(all(is.na(got$balls)))
  expect_true(all(is.na(got$syn_radius)))
  expect_true(all(is.na(got$recalled)))
  expect_false(anyNA(got$dcr))
  expect_false(anyNA(got$intrusion))
})

test_that("near duplicates among synthetic rows match brute force", {
  set.seed(13)
  z <- rbind(matrix(stats::rnorm(300 * 4), 300), matrix(stats::rnorm(20 * 4), 20))
  z <- rbind(z, z[1:15, ] + 1e-3, z[16:18, ])  # near and exact twins
  dm <- ref_dist(z, z)
  diag(dm) <- Inf
  nearest <- apply(dm, 1, min)
  axes <- eigen(stats::cov(z), symmetric = TRUE)$vectors[, 1:3]
  rows <- sort(sample(nrow(z), 120))
  for (radius in c(0, 1e-3, 0.01, 0.3, 1, 50)) {
    got <- .Call(diag_ffi("ffi_metrics_near"), z, as.integer(rows), radius, axes, NA_integer_)
    expect_identical(got, nearest[rows] < radius, label = sprintf("radius %g", radius))
  }
  # any directions, even poor ones, give the same exact answer
  got <- .Call(diag_ffi("ffi_metrics_near"), z, seq_len(nrow(z)), 0.5,
               matrix(c(1, 0, 0, 0), 4), NA_integer_)
  expect_identical(got, nearest < 0.5)
})

test_that("exact duplicates: per class, every predictor, NA equal to NA", {
  real <- cbind(c(1, 1, 2, 2), c(0, 1, 0, NA), c(5, 5, 5, 5))
  syn <- cbind(c(1, 1, 2, 1, 2, 2), c(0, 0, 1, 1, NA, NA), c(5, 5, 5, 6, 5, 5))
  got <- .Call(diag_ffi("ffi_metrics_duplicates"), real, syn)
  key <- function(m) apply(m, 1, paste, collapse = "|")
  expect_identical(got$real, key(syn) %in% key(real))
  ks <- key(syn)
  expect_identical(got$synthetic, duplicated(ks) | duplicated(ks, fromLast = TRUE))
  expect_identical(got$real, c(TRUE, TRUE, FALSE, FALSE, TRUE, TRUE))
})

test_that("the MMD and its bandwidth match the plain-R reference", {
  set.seed(14)
  x <- matrix(stats::rnorm(60 * 3), 60)
  y <- matrix(stats::rnorm(45 * 3, 0.4), 45)
  got <- .Call(diag_ffi("ffi_metrics_mmd"), x, y, NA_integer_)
  want <- ref_mmd(x, y)
  expect_identical(got[["sigma"]], want[["sigma"]])
  expect_equal(got[["mmd2"]], want[["mmd2"]], tolerance = 1e-12)
  # more pairs than the selection sorts at once (the histogram path), many
  # ties (integer data), odd and even pair counts
  for (n in c(700, 701)) {
    xi <- matrix(sample(0:4, n * 2, TRUE), n)
    storage.mode(xi) <- "double"
    got <- .Call(diag_ffi("ffi_metrics_mmd"), xi, xi[1:5, ], NA_integer_)
    expect_identical(got[["sigma"]], stats::median(stats::dist(xi)))
  }
  xc <- matrix(stats::rnorm(800 * 5), 800)
  got <- .Call(diag_ffi("ffi_metrics_mmd"), xc, xc[1:5, ], NA_integer_)
  expect_identical(got[["sigma"]], stats::median(stats::dist(xc)))
  # all real rows equal: no bandwidth, no MMD
  got <- .Call(diag_ffi("ffi_metrics_mmd"), matrix(1, 5, 2), y[, 1:2], NA_integer_)
  expect_identical(got[["sigma"]], 0)
  expect_true(is.na(got[["mmd2"]]))
})

test_that("sg_diagnose() reports the reference values, from data frames", {
  s <- small_case(seed = 15)
  s$syn$V3[1:2] <- s$real$V3[1:2]
  s$syn[3, 1:3] <- s$real[5, 1:3]  # an exact copy of a real row
  s$syn[4, 1:3] <- s$syn[6, 1:3]   # and of another synthetic row
  k <- 4
  dg <- sg_diagnose(s$real, synthetic = s$syn, var = "y", k = k, seed = 1)
  cols <- c("V1", "V2", "V3")
  zr_all <- ref_z(s$real, s$real, cols)
  zs <- ref_z(s$syn, s$real, cols)
  ya <- s$real$y == "a"
  zr <- zr_all[ya, ]
  ref <- ref_class(zr, zs, zr_all, as.integer(s$real$y), 1L, k)
  spacing <- stats::median(ref$real_nn[ref$real_nn > 0])
  dss <- ref_dist(zs, zs)
  diag(dss) <- Inf
  expect_equal(metric(dg, "dcr_median"), stats::median(ref$dcr))
  expect_equal(metric(dg, "dcr_close"), mean(ref$dcr < stats::quantile(ref$real_nn, 0.05)))
  expect_equal(metric(dg, "nndr_median"), stats::median(ifelse(ref$dcr2 > 0, ref$dcr / ref$dcr2, 0)))
  expect_equal(metric(dg, "near_duplicate_real"), mean(ref$dcr < 0.05 * spacing))
  expect_equal(metric(dg, "near_duplicate_synthetic"), mean(apply(dss, 1, min) < 0.05 * spacing))
  expect_equal(metric(dg, "duplicate_real"), 1 / 30)
  expect_equal(metric(dg, "duplicate_synthetic"), 2 / 30)
  expect_equal(metric(dg, "precision"), mean(ref$balls > 0))
  expect_equal(metric(dg, "density"), sum(ref$balls) / (k * 30))
  expect_equal(metric(dg, "recall"), mean(ref$recalled))
  expect_equal(metric(dg, "coverage"), mean(ref$covered))
  expect_equal(metric(dg, "intrusion"), mean(ref$intrusion > 0.5))
  expect_equal(metric(dg, "mmd2"), ref_mmd(zr, zs)[["mmd2"]], tolerance = 1e-12)

  ra <- s$real[ya, ]
  for (v in cols) {
    ks <- suppressWarnings(stats::ks.test(ra[[v]], s$syn[[v]])$statistic)
    expect_equal(metric(dg, paste0("ks:", v)), unname(ks))
    sdv <- stats::sd(s$real[[v]])
    expect_equal(metric(dg, paste0("mean_shift:", v)), (mean(s$syn[[v]]) - mean(ra[[v]])) / sdv)
    expect_equal(metric(dg, paste0("sd_shift:", v)), (stats::sd(s$syn[[v]]) - stats::sd(ra[[v]])) / sdv)
  }
  expect_equal(metric(dg, "cor_frobenius"),
               sqrt(sum((stats::cor(ra[cols]) - stats::cor(s$syn[cols]))^2)))
  # exact on all rows: no standard error; n = rows used
  tab <- as.data.frame(dg)
  expect_true(all(is.na(tab$se)))
  expect_identical(tab$n[tab$metric == "recall"], 40L)
  expect_identical(tab$n[tab$metric == "precision"], 30L)
  # no provenance, no constraints for data frames
  expect_false(any(tab$metric %in% c("parent_concentration", "constraint_violations")))
})

test_that("nominal predictors: total variation, and duplicates need them equal", {
  s <- small_case(seed = 16)
  set.seed(2)
  s$real$colour <- sample(c("red", "green", "blue"), nrow(s$real), TRUE)
  s$syn$colour <- sample(c("red", "green", NA), nrow(s$syn), TRUE, prob = c(0.6, 0.3, 0.1))
  s$syn[1, 1:3] <- s$real[1, 1:3]
  s$syn$colour[1] <- if (s$real$colour[1] == "red") "green" else "red"
  s$syn[2, c(1:3, 5)] <- s$real[2, c(1:3, 5)]
  dg <- sg_diagnose(s$real, synthetic = s$syn, var = "y", seed = 1)
  a <- s$real$colour[s$real$y == "a"]
  b <- s$syn$colour
  lv <- unique(c(a, b))
  tvd <- sum(abs(table(factor(a, lv, exclude = NULL)) / length(a) -
                   table(factor(b, lv, exclude = NULL)) / length(b))) / 2
  expect_equal(metric(dg, "tvd:colour"), tvd)
  expect_equal(metric(dg, "duplicate_real"), 1 / 30)
  # the neighbour metrics use the numeric columns only: row 1 is at distance 0
  expect_equal(metric(dg, "dcr_median"), metric(sg_diagnose(
    s$real[-5], synthetic = s$syn[-5], var = "y", seed = 1), "dcr_median"))
})

test_that("known answers: copies, far rows, the same distribution", {
  real <- rbind(gauss_frame(400, 2, seed = 21), gauss_frame(400, 2, mean = 4, cls = "b", seed = 22))
  copies <- real[real$y == "a", ]
  dg <- sg_diagnose(real, synthetic = copies, var = "y", seed = 1)
  expect_identical(metric(dg, "dcr_median"), 0)
  expect_identical(metric(dg, "duplicate_real"), 1)
  expect_identical(metric(dg, "near_duplicate_real"), 1)
  expect_identical(metric(dg, "precision"), 1)
  expect_identical(metric(dg, "nndr_median"), 0)
  # each copy is in its own real row's ball and in those it is a k-NN of
  expect_equal(metric(dg, "density"), 1 + 1 / 5)

  far <- gauss_frame(400, 2, mean = 60, seed = 23)
  dg <- sg_diagnose(real, synthetic = far, var = "y", seed = 1)
  expect_identical(metric(dg, "precision"), 0)
  expect_identical(metric(dg, "density"), 0)
  expect_identical(metric(dg, "coverage"), 0)
  expect_identical(metric(dg, "recall"), 0)
  expect_gt(metric(dg, "mmd2"), 0.5)

  k <- 5
  real1 <- gauss_frame(2000, 2, seed = 24)
  same <- gauss_frame(2000, 2, seed = 25)
  dg <- sg_diagnose(real1, synthetic = same, var = "y", k = k, seed = 1)
  expect_lt(abs(metric(dg, "mmd2")), 0.005)
  expect_gt(metric(dg, "precision"), 0.9)
  expect_gt(metric(dg, "recall"), 0.9)
  expect_equal(metric(dg, "density"), 1, tolerance = 0.1)
  expect_equal(metric(dg, "coverage"), 1 - 2^-k, tolerance = 0.02)
  expect_lt(metric(dg, "duplicate_real"), 1e-9)
  expect_lt(metric(dg, "dcr_close"), 0.1)
  expect_lt(max(abs(as.data.frame(dg)$value[grepl("^ks:", as.data.frame(dg)$metric)])), 0.06)
})

test_that("a result: parents, constraints, classes, centre and scale", {
  res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
  dg <- sg_diagnose(res, seed = 1)
  prov <- sg_provenance(res)
  q <- table(prov$parent) / nrow(prov)
  expect_equal(metric(dg, "parent_concentration"),
               exp(-sum(q * log(q))) / sum(breast_biopsy$diagnosis == "malignant"))
  expect_identical(metric(dg, "constraint_violations"), 0)
  expect_identical(unique(as.data.frame(dg)$class), "malignant")
  # the record's centre and scale: the same as judging the rows as data frames
  syn <- res[prov$row, ]
  dg2 <- sg_diagnose(breast_biopsy, synthetic = syn, var = "diagnosis", seed = 1)
  t1 <- as.data.frame(dg)
  t2 <- as.data.frame(dg2)
  common <- intersect(t1$metric, t2$metric)
  expect_equal(t1$value[match(common, t1$metric)], t2$value[match(common, t2$metric)])
  expect_false("parent_concentration" %in% t2$metric)

  # a value moved outside the class's observed range breaks the constraints
  bad <- res
  bad$mitoses[prov$row[1:3]] <- 11L
  expect_equal(metric(sg_diagnose(bad, seed = 1), "constraint_violations"), 3 / nrow(prov))
  # a result without constraints reports none
  free <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, guard = NULL, constraints = NULL)
  expect_false("constraint_violations" %in% as.data.frame(sg_diagnose(free, seed = 1))$metric)
})

test_that("subsets: at most max_rows judged, standard errors, seeds, threads", {
  real <- gauss_frame(300, 3, seed = 31)
  syn <- gauss_frame(900, 3, seed = 32)
  dg <- sg_diagnose(real, synthetic = syn, var = "y", max_rows = 200, seed = 7)
  tab <- as.data.frame(dg)
  expect_identical(dg$counts$judged[dg$counts$class == "a"], 200L)
  sub <- c("dcr_median", "dcr_close", "nndr_median", "near_duplicate_real",
           "near_duplicate_synthetic", "precision", "density", "intrusion")
  expect_true(all(!is.na(tab$se[tab$metric %in% sub])))
  expect_true(all(is.na(tab$se[!tab$metric %in% sub])))
  p <- metric(dg, "precision")
  expect_equal(tab$se[tab$metric == "precision"], sqrt(p * (1 - p) / 200))
  expect_identical(tab$n[tab$metric == "precision"], 200L)
  expect_identical(tab$n[tab$metric == "coverage"], 300L)
  # recall and coverage describe the subset judged, and say so
  expect_match(tab$reading[tab$metric == "recall"], "of the 200 synthetic rows judged")
  expect_identical(tab$n[tab$metric == "duplicate_real"], 900L)
  expect_identical(tab$n[tab$metric == "ks:V1"], 900L)

  # the same seed, the same subset; the caller's stream is left alone
  set.seed(99)
  before <- .Random.seed
  dg2 <- sg_diagnose(real, synthetic = syn, var = "y", max_rows = 200, seed = 7)
  expect_identical(.Random.seed, before)
  expect_identical(as.data.frame(dg2), tab)
  # seed = NULL: the current stream, as set.seed() leaves it
  set.seed(7)
  expect_identical(as.data.frame(sg_diagnose(real, synthetic = syn, var = "y", max_rows = 200)),
                   tab)
  # the thread count never changes a result
  dg1 <- sg_diagnose(real, synthetic = syn, var = "y", max_rows = 200, seed = 7, threads = 1)
  expect_identical(as.data.frame(dg1), tab)
  # Inf: every row, exact
  dgi <- sg_diagnose(real, synthetic = syn, var = "y", max_rows = Inf, seed = 7)
  expect_identical(dgi$counts$judged[1], 900L)
  expect_true(all(is.na(as.data.frame(dgi)$se)))
})

test_that("missing values: neighbour metrics on complete rows only", {
  s <- small_case(seed = 41)
  s$real$V1[c(3, 50)] <- NA
  s$syn$V2[c(1, 2)] <- NA
  dg <- sg_diagnose(s$real, synthetic = s$syn, var = "y", seed = 1)
  tab <- as.data.frame(dg)
  expect_identical(tab$n[tab$metric == "precision"], 28L)
  expect_identical(tab$n[tab$metric == "recall"], 39L)
  expect_false(anyNA(tab$value[tab$metric %in% c("precision", "recall", "ks:V1", "mmd2")]))
})

test_that("bad arguments are refused with classed errors", {
  res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
  expect_snapshot(error = TRUE, {
    sg_diagnose(breast_biopsy)
    sg_diagnose(res, k = 0)
    sg_diagnose(res, max_rows = 3)
    sg_diagnose(res, tolerence = 0.1)
    sg_diagnose(res, synthetic = breast_biopsy)
    sg_diagnose(res, var = "clump_thickness")
    sg_diagnose(breast_biopsy, synthetic = breast_biopsy[1:9], var = "diagnosis")
    sg_diagnose(res[-1, ])
  })
  expect_error(sg_diagnose(res, k = 0), class = "smoteguard_error_input")
  expect_error(sg_diagnose(breast_biopsy), class = "smoteguard_error_not_result")
  syn <- breast_biopsy[1:5, ]
  syn$diagnosis <- "unknown"
  expect_error(sg_diagnose(breast_biopsy, synthetic = syn, var = "diagnosis"),
               class = "smoteguard_error_input")
})

test_that("the C entry points refuse bad input", {
  f <- diag_ffi("ffi_metrics_class")
  z <- matrix(stats::rnorm(20), 10)
  expect_error(.Call(f, z, z, rep(1L, 10), 1L, 0L, NA_integer_, NULL), "at least 1")
  expect_error(.Call(f, z[, 1, drop = FALSE], z, rep(1L, 10), 1L, 2L, NA_integer_, NULL), "columns")
  zn <- z
  zn[1] <- NA
  expect_error(.Call(f, z, zn, rep(1L, 10), 1L, 2L, NA_integer_, NULL), "NA")
  expect_error(.Call(f, zn, z, rep(1L, 10), 1L, 2L, NA_integer_, NULL), "NA")
  expect_error(.Call(f, z, z, rep(1L, 9), 1L, 2L, NA_integer_, NULL), "one per row")
  expect_error(.Call(f, z, z, rep(1L, 10), NA_integer_, 2L, NA_integer_, NULL), "NA")
  expect_error(.Call(diag_ffi("ffi_metrics_mmd"), z[1, , drop = FALSE], z, NA_integer_), "two rows")
  expect_error(.Call(diag_ffi("ffi_metrics_near"), z, 11L, 1, matrix(1, 2), NA_integer_), "outside")
  expect_error(.Call(diag_ffi("ffi_metrics_near"), z, 1L, -1, matrix(1, 2), NA_integer_), "radius")
  expect_error(.Call(diag_ffi("ffi_metrics_duplicates"), z, z[, 1, drop = FALSE]), "same columns")
  # empty synthetic rows: NA, no crash
  got <- .Call(f, z[0, , drop = FALSE], z, rep(1L, 10), 1L, 2L, NA_integer_, NULL)
  expect_length(got$dcr, 0)
  # a class with no real row: NA, no crash
  got <- .Call(f, z, z, rep(2L, 10), 1L, 2L, NA_integer_, NULL)
  expect_length(got$real_nn, 0)
  expect_true(all(is.na(got$dcr)))
})

test_that("print() is compact, flags trouble and says what the flag means", {
  # data frames, so that the snapshots do not follow the oversampler's draws
  real <- rbind(gauss_frame(300, 3, seed = 51), gauss_frame(100, 3, mean = 1, cls = "b", seed = 53))
  syn <- gauss_frame(600, 3, mean = 0.5, seed = 52)
  expect_snapshot(print(sg_diagnose(real, synthetic = syn, var = "y", max_rows = 100, seed = 1)))
  copies <- real[rep(301:400, 2), ]
  expect_snapshot(print(sg_diagnose(real, synthetic = copies, var = "y", seed = 1)))
  # a result: its method in the header, provenance and constraints rows
  res <- sg_oversample(breast_biopsy, "diagnosis", method = "ros", seed = 1)
  dg <- sg_diagnose(res, seed = 1)
  out <- capture.output(print(dg))
  expect_match(out[1], "result of ros on `diagnosis`", fixed = TRUE)
  expect_true(any(grepl("^parent concentration", out)))
  expect_true(any(grepl("^constraint violations", out)))
  expect_true(any(grepl("malignant: duplicate_real = 1, above 0.05", out, fixed = TRUE)))
  expect_identical(summary(dg), as.data.frame(dg))
  expect_named(as.data.frame(dg), c("class", "metric", "value", "se", "n", "reading"))
})

test_that("plot() draws to a PNG device; autoplot() returns ggplots", {
  res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
  dg <- sg_diagnose(res, seed = 1)
  for (which in list(c("pca", "metrics", "features"), "pca", "metrics", "features")) {
    file <- tempfile(fileext = ".png")
    grDevices::png(file, width = 1000, height = 1000)
    expect_invisible(plot(dg, which = which))
    grDevices::dev.off()
    expect_gt(file.size(file), 5000)
    unlink(file)
  }
  # two diagnoses side by side: plot(dg, dg2) compares them
  dg_ros <- sg_diagnose(sg_oversample(breast_biopsy, "diagnosis", method = "ros",
                                      seed = 1), seed = 1)
  file <- tempfile(fileext = ".png")
  grDevices::png(file, width = 1200, height = 1000)
  expect_invisible(plot(dg, dg_ros))
  grDevices::dev.off()
  expect_gt(file.size(file), 5000)
  unlink(file)
  # nominal predictors only: no principal components, still a plot
  df <- data.frame(g = rep(c("u", "v", "w"), 20), y = factor(rep(c("a", "b"), c(45, 15))))
  dgn <- sg_diagnose(df, synthetic = df[df$y == "b", ], var = "y", seed = 1)
  file <- tempfile(fileext = ".png")
  grDevices::png(file)
  expect_no_error(plot(dgn))
  grDevices::dev.off()
  unlink(file)

  skip_if_not_installed("ggplot2")
  loadNamespace("ggplot2")
  for (which in c("pca", "metrics", "features")) {
    p <- ggplot2::autoplot(dg, which = which)
    expect_s3_class(p, "ggplot")
    expect_no_error(ggplot2::ggplot_build(p))
  }
})

test_that("sg_diagnose() reuses the oversampling's own distances, with the same results", {
  # the record carries each real row's nearest and k-th distance within its
  # class; the diagnosis must be what it is when it measures them itself
  df <- withr::with_seed(9, {
    n <- 400
    y <- ifelse(stats::runif(n) < 0.25, "min", "maj")
    cbind(as.data.frame(matrix(stats::rnorm(n * 7), n, 7)), y = factor(y))
  })
  res <- sg_oversample(df, "y", seed = 2, guard = NULL)
  rec <- attr(res, "smoteguard")
  expect_named(rec$known, "min")
  expect_identical(rec$known$min$k, 5L)
  plain <- res
  attr(plain, "smoteguard")$known <- NULL
  a <- withr::with_seed(1, sg_diagnose(res))
  b <- withr::with_seed(1, sg_diagnose(plain))
  a$timings <- b$timings <- NULL
  expect_identical(unclass(a)[setdiff(names(a), "timings")],
                   unclass(b)[setdiff(names(b), "timings")])
  # and the C routine: given the record's distances or measuring them
  f <- diag_ffi("ffi_metrics_class")
  keep <- rec$scale > 0
  z <- scale(as.matrix(df[1:7]), rec$center, rec$scale)[, keep]
  attributes(z) <- list(dim = dim(z))
  y <- as.integer(df$y)
  cls <- match("min", levels(df$y))
  zs <- z[which(y == cls)[1:20], , drop = FALSE] + 0.01
  own <- .Call(f, zs, z, y, cls, 5L, 1L, NULL)
  given <- .Call(f, zs, z, y, cls, 5L, 1L, list(rec$known$min$nearest, rec$known$min$radius))
  expect_identical(given, own)
  # another k, a cleaned result, or mixed predictors: measured again
  expect_null(smoteguard:::known_distances(list(record = rec, nom = character(0)), "min", 3L,
                                           length(rec$known$min$nearest), TRUE))
  cleaned <- sg_oversample(df, "y", seed = 2, guard = NULL, clean = "tomek")
  expect_null(attr(cleaned, "smoteguard")$known)
})

test_that("constraint violations count the combinations a class never had", {
  set.seed(3)
  a <- c(sample(c("p", "q"), 60, TRUE), rep(c("p", "q"), 10))
  b <- c(sample(c("u", "v"), 60, TRUE), ifelse(a[61:80] == "p", "u", "v"))
  d <- data.frame(x1 = c(rnorm(60), rnorm(20, 1.5)), x2 = c(rnorm(60), rnorm(20, 1.5)),
                  a = factor(a), b = factor(b), y = factor(rep(c("maj", "min"), c(60, 20))))
  res <- sg_oversample(d, "y", seed = 1, constraints = sg_constraints(combos = c("a", "b")))
  prov <- sg_provenance(res)
  dg <- sg_diagnose(res, seed = 1)
  expect_identical(metric(dg, "constraint_violations"), 0)
  # (p, v) and (q, u) are not combinations of class `min`
  bad <- res
  flip <- prov$row[c(1, 4, 6)]
  bad$b[flip] <- ifelse(bad$a[flip] == "p", "v", "u")
  expect_equal(metric(sg_diagnose(bad, seed = 1), "constraint_violations"), 3 / nrow(prov))
})
