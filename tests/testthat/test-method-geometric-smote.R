# Geometric SMOTE (sg_oversample(method = "geometric_smote")): the C maker
# against the plain-R reference (helper-reference-geometric.R) draw for
# draw, and the geometry of vignette("definitions"), section
# #geometric-smote, on many rows: inside the hypersphere, truncated,
# deformed, uniform; the surface point by `selection`.

# The warnings these calls may give (few rows, large raises, moved
# means, a guard's shortfall) are not what is tested here.
quiet <- function(expr) {
  withCallingHandlers(expr,
    smoteguard_warning_small_class = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_many = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_shortfall = function(w) invokeRestart("muffleWarning"))
}

ffi_geo <- function(...) .Call(get("ffi_geometric_make", envir = asNamespace("smoteguard")), ...)

geo_data <- function(seed = 1, counts = c(a = 120, b = 40), d = 3) {
  sim_classes(counts, d = d, seed = seed, shift = 0.8)
}

# The result's synthetic rows on the standardised scale of the input.
geo_positions <- function(res, df, var = "y") {
  prov <- sg_provenance(res)
  cols <- setdiff(names(df), var)
  x <- as.matrix(df[cols])
  center <- colMeans(x)
  scale <- apply(x, 2, stats::sd)
  z <- sweep(sweep(x, 2, center), 2, scale, "/")
  zr <- sweep(sweep(as.matrix(res[prov$row, cols]), 2, center), 2, scale, "/")
  c(list(prov = prov, z = z), ref_geometric_position(z, zr, prov$parent, prov$neighbor))
}

test_that("the C maker is the definition's geometry, draw for draw", {
  set.seed(1)
  x <- cbind(rnorm(30), rnorm(30, 5, 2), rnorm(30), 7)  # a constant column
  x[c(3, 8), 2] <- NA
  x[5, 1] <- NA
  scale <- c(apply(x[, 1:3], 2, sd, na.rm = TRUE), 0)
  parent <- c(1L, 3L, 5L, 2L, 4L, 6L, 9L, 9L)
  surface <- c(2L, 4L, 6L, 8L, 1L, 6L, 10L, 11L)  # row 6 with itself: radius 0
  for (tr in c(1, 0.4, 0, -0.3, -1)) for (de in c(0, 0.5, 1)) {
    set.seed(7)
    got <- ffi_geo(x, scale, parent, surface, tr, de)
    after <- runif(1)
    set.seed(7)
    want <- ref_geometric_rows(x, scale, parent, surface, tr, de)
    expect_equal(got$values, want$values, tolerance = 1e-12)
    expect_equal(got$gap, want$gap, tolerance = 1e-12)
    # the same random numbers used, no more
    expect_identical(after, runif(1))
  }
})

test_that("the C maker refuses malformed input with its own message", {
  x <- matrix(rnorm(20), 10)
  s <- c(1, 1)
  expect_error(ffi_geo(x, s, 1L, 2L, 2, 0), "truncation")
  expect_error(ffi_geo(x, s, 1L, 2L, 1, -0.5), "deformation")
  expect_error(ffi_geo(x, s, 1L, 11L, 1, 0), "surface")
  expect_error(ffi_geo(x, s, c(1L, NA), 2:3, 1, 0), "parent")
  expect_error(ffi_geo(x, s, 1, 2L, 1, 0), "parent")
  expect_error(ffi_geo(x, 1, 1L, 2L, 1, 0), "scale")
  expect_error(ffi_geo(x, s, 1L, 2L, NA_real_, 0), "truncation")
  empty <- ffi_geo(x, s, integer(0), integer(0), 1, 0)
  expect_identical(dim(empty$values), c(0L, 2L))
})

test_that("every row lies in its parent's hypersphere; truncation and deformation hold", {
  df <- geo_data(11)
  for (tr in c(1, 0.5, 0, -0.5, -1)) for (de in c(0, 0.3, 1)) {
    res <- sg_oversample(df, "y", method = "geometric_smote", seed = 3, guard = NULL,
                         constraints = NULL, truncation = tr, deformation = de,
                         selection = "minority")
    g <- geo_positions(res, df)
    label <- sprintf("truncation %s, deformation %s", tr, de)
    expect_identical(nrow(g$prov), 80L)
    expect_true(all(g$prov$kind == "geometric"), label = label)
    # inside the sphere of radius |surface - parent| around the parent
    expect_true(all(g$dist <= g$R * (1 + 1e-9)), label = label)
    # the recorded gap is the component along the direction
    expect_equal(g$prov$gap, unname(g$along), tolerance = 1e-9, label = label)
    # truncation: nothing on the side cut off
    if (tr > 0) expect_true(all(g$along >= tr - 1 - 1e-9), label = label)
    if (tr < 0) expect_true(all(g$along <= tr + 1 + 1e-9), label = label)
    # deformation: the orthogonal part shrunk by (1 - deformation)
    # (the orthogonal length is a difference of squares: 1e-6 of rounding)
    expect_true(all(g$across <= (1 - de) * sqrt(pmax(1 - g$along^2, 0)) + 1e-6),
                label = label)
  }
  # deformation 1 and truncation 1: SMOTE's segment
  res <- sg_oversample(df, "y", method = "geometric_smote", seed = 4, guard = NULL,
                       constraints = NULL, truncation = 1, deformation = 1,
                       selection = "minority")
  prov <- sg_provenance(res)
  x <- as.matrix(df[c("x1", "x2", "x3")])
  expect_true(all(prov$gap >= 0 & prov$gap <= 1))
  expect_equal(unname(as.matrix(res[prov$row, c("x1", "x2", "x3")])),
               unname(x[prov$parent, ] + prov$gap * (x[prov$neighbor, ] - x[prov$parent, ])),
               tolerance = 1e-9)
})

test_that("the untruncated, undeformed draw is uniform in the hypersphere", {
  # two rows of a class far from each other: every synthetic row is drawn
  # in a sphere through the other
  for (d in c(2, 5)) {
    set.seed(20 + d)
    n_a <- 2000
    df <- as.data.frame(matrix(rnorm((n_a + 2) * d), ncol = d))
    df$y <- factor(c(rep("a", n_a), "b", "b"))
    res <- quiet(sg_oversample(df, "y", method = "geometric_smote", seed = 5, guard = NULL,
                               constraints = NULL, truncation = 0, deformation = 0,
                               selection = "minority"))
    g <- geo_positions(res, df)
    u <- (g$dist / g$R)^d
    # the radius: (|row - parent| / R)^d is uniform on [0, 1]
    expect_gt(suppressWarnings(stats::ks.test(u, "punif")$p.value), 0.001)
    # the direction: the component along any fixed axis, over the radius,
    # has the law of a uniform direction's coordinate (uniform on [-1, 1]
    # in 3 dimensions; symmetric about 0 in any)
    cosine <- g$along * g$R / g$dist
    expect_lt(abs(mean(cosine)), 4 / sqrt(length(cosine) * d))
    expect_equal(mean(cosine^2), 1 / d, tolerance = 0.1)
  }
})

test_that("the surface point follows `selection`", {
  df <- geo_data(12)
  z <- ref_scaled(df, "y")
  D <- ref_dist_euclidean(z)
  b <- which(df$y == "b")
  a <- which(df$y == "a")
  enemy <- vapply(seq_len(nrow(df)), function(i) ref_nearest(D, i, a, 1), 0L)
  for (sel in c("minority", "majority", "combined")) {
    res <- sg_oversample(df, "y", method = "geometric_smote", seed = 6, guard = NULL,
                         constraints = NULL, selection = sel)
    prov <- sg_provenance(res)
    own <- df$y[prov$neighbor] == "b"
    near <- vapply(seq_len(nrow(prov)), function(s) {
      ref_is_within_k(D, prov$parent[s], prov$neighbor[s], b, 5)
    }, NA)
    r_enemy <- D[cbind(prov$parent, enemy[prov$parent])]
    r_own <- D[cbind(prov$parent, prov$neighbor)]
    if (sel == "minority") expect_true(all(own & near))
    if (sel == "majority") expect_identical(prov$neighbor, enemy[prov$parent])
    if (sel == "combined") {
      expect_true(any(own) && any(!own))
      # the class's row when it is at least as near as the other class's
      expect_true(all(near[own] & r_own[own] <= r_enemy[own] * (1 + 1e-12)))
      # the other class's nearest row when nearer than the drawn one,
      # which is at most the parent's 5th nearest row of its class
      expect_identical(prov$neighbor[!own], enemy[prov$parent[!own]])
      kth <- vapply(prov$parent[!own], function(i) max(D[i, ref_nearest(D, i, b, 5)]), 0)
      expect_true(all(r_enemy[!own] < kth))
    }
  }
})

test_that("Geometric SMOTE runs on the shipped data, nominal columns, missing values and Gower", {
  # the default bounds (each class's observed range) reject rows the
  # sphere places beyond it: a few fewer than asked, with a warning
  expect_warning(res <- quiet_fidelity(
    sg_oversample(breast_biopsy, "diagnosis", method = "geometric_smote", seed = 1)),
    class = "smoteguard_warning_shortfall")
  expect_gt(sum(res$diagnosis == "malignant"), 400)
  res <- quiet_fidelity(sg_oversample(breast_biopsy, "diagnosis", method = "geometric_smote",
                                      seed = 1, constraints = NULL))
  expect_identical(as.integer(table(res$diagnosis)), c(444L, 444L))
  expect_true(all(sg_provenance(res)$kind == "geometric"))
  df <- mixed_missing_data(330)
  for (dist in c("euclidean", "gower")) {
    mixed <- oversample_mixed(df, "geometric_smote", dist)
    prov <- sg_provenance(mixed)
    expect_true(nrow(prov) > 0)
    expect_true(all(mixed$colour[prov$row] %in% c(levels(df$colour), NA)))
    # a value missing in the parent comes from the surface point, as in
    # interpolation; present in both, it is made
    miss <- is.na(df$x2[prov$parent]) & is.na(df$x2[prov$neighbor])
    expect_identical(is.na(mixed$x2[prov$row]), miss)
  }
})

test_that("the guard's seed filter applies; its intrusion check measures every real row", {
  df <- geo_data(13, counts = c(a = 150, b = 40))
  z <- ref_scaled(df, "y")
  D <- ref_dist_euclidean(z)
  b <- which(df$y == "b")
  own_share <- vapply(b, function(i) mean(df$y[ref_nearest(D, i, seq_len(nrow(df)), 10)] == "b"), 0)
  res <- withCallingHandlers(
    sg_oversample(df, "y", method = "geometric_smote", seed = 7, selection = "combined",
                  guard = sg_guard(intrusion = 0.5), constraints = NULL),
    smoteguard_warning_shortfall = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
  prov <- sg_provenance(res)
  # unsafe and noise rows (own share below 0.2) are never parents
  expect_false(any(prov$parent %in% b[own_share < 0.2]))
  # every kept row has at most half of other classes among its 10 nearest
  # real rows, by an exact search
  g <- geo_positions(res, df)
  cols <- c("x1", "x2", "x3")
  x <- as.matrix(df[cols])
  zr <- sweep(sweep(as.matrix(res[prov$row, cols]), 2, colMeans(x)), 2,
              apply(x, 2, stats::sd), "/")
  share <- vapply(seq_len(nrow(zr)), function(s) {
    d <- sqrt(colSums((t(g$z) - zr[s, ])^2))
    mean(df$y[order(d, seq_along(d))[1:10]] != "b")
  }, 0)
  expect_true(all(share <= 0.5))
  expect_gt(sum(sg_guard_report(res)$rejected_intrusion), 0)
})

test_that("bad Geometric SMOTE settings are refused, naming the argument", {
  df <- geo_data(14)
  expect_error(sg_oversample(df, "y", method = "geometric_smote", truncation = 1.5),
               class = "smoteguard_error_input", regexp = "truncation")
  expect_error(sg_oversample(df, "y", method = "geometric_smote", deformation = -0.1),
               class = "smoteguard_error_input", regexp = "deformation")
  expect_error(sg_oversample(df, "y", method = "geometric_smote", selection = "nearest"),
               class = "smoteguard_error_input", regexp = "selection")
  expect_snapshot(error = TRUE, sg_oversample(df, "y", method = "geometric_smote", truncation = 2))
  expect_snapshot(error = TRUE, sg_oversample(df, "y", method = "geometric_smote", selection = "x"))
})

test_that("Geometric SMOTE is reachable from the sampler, the recipes step and caret", {
  df <- geo_data(15)
  s <- sg_sampler("geometric_smote", truncation = 0.5, deformation = 0.2, seed = 1)
  expect_s3_class(s, "sg_sampler")
  expect_error(sg_sampler("geometric_smote", truncation = 3), class = "smoteguard_error_input")
  hook <- sg_caret_sampling("geometric_smote", truncation = 0, seed = 2, guard = NULL)
  out <- hook$func(df[c("x1", "x2", "x3")], df$y)
  expect_identical(as.integer(table(out$y)), c(120L, 120L))
  skip_if_not_installed("recipes")
  rec <- recipes::recipe(y ~ ., data = df) |>
    step_smoteguard(y, method = "geometric_smote", seed = 3,
                    options = list(selection = "majority", deformation = 0.5))
  baked <- recipes::bake(recipes::prep(rec), new_data = NULL)
  expect_identical(as.integer(table(baked$y)), c(120L, 120L))
})
