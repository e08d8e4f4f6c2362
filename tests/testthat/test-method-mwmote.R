# MWMOTE (sg_oversample(method = "mwmote")): its sets, weights and clusters
# against the plain-R reference written from the paper
# (helper-reference-geometric.R, ref_mwmote()), and its draws against the
# reference's draws from the same random numbers (vignette("definitions"),
# section #mwmote).

mw_data <- function(seed, counts = c(a = 90, b = 30), shift = 0.9, d = 2) {
  sim_classes(counts, d = d, seed = seed, shift = shift)
}

# The seeds hook's context as the pipeline builds it, from the package's
# own predictors and the reference's whole-data neighbours.
mw_context <- function(df, D, cls = "b", settings = list()) {
  yf <- df$y
  pred <- smoteguard:::prepare_predictors(df, "y", y = yf)
  yi <- as.integer(yf)
  rows <- which(df$y == cls)
  st <- utils::modifyList(list(noise_neighbors = 5L, border_neighbors = 3L,
                               inform_share = 0.5, closeness_cutoff = 5,
                               closeness_max = 2, cluster_spread = 3,
                               threads = 1L, group_codes = NULL), settings)
  whole <- t(vapply(rows, function(i) ref_nearest(D, i, seq_len(nrow(df)), 10), integer(10)))
  other <- function(m) matrix(df$y[whole[, seq_len(m), drop = FALSE]] != cls, nrow = length(rows))
  list(settings = st, pred = pred, rows = rows, yi = yi, other = other)
}

test_that("MWMOTE's noise, weights and clusters are the paper's", {
  for (s in 1:3) {
    df <- mw_data(400 + s, d = 2 + (s == 3))
    z <- ref_scaled(df, "y")
    D <- ref_dist_euclidean(z)
    ref <- ref_mwmote(D, df$y, "b", l = ncol(z))
    picked <- smoteguard:::seeds_mwmote(mw_context(df, D))
    expect_identical(picked$noise, sum(!ref$filtered))
    expect_equal(picked$state$weight, ref$weight, tolerance = 1e-12)
    expect_true(same_partition(picked$state$cluster, ref$cluster))
    expect_identical(picked$eligible,
                     ref$weight > 0 & tabulate(ref$cluster)[ref$cluster] > 1)
    expect_true(any(ref$weight > 0))
  }
  # other settings: a larger k3 and cut-off, a smaller Cp
  df <- mw_data(410)
  z <- ref_scaled(df, "y")
  D <- ref_dist_euclidean(z)
  ref <- ref_mwmote(D, df$y, "b", k1 = 4, k2 = 2, share = 0.8, cutoff = 2, cmax = 3,
                    cp = 1.5, l = ncol(z))
  picked <- smoteguard:::seeds_mwmote(mw_context(df, D, settings = list(
    noise_neighbors = 4L, border_neighbors = 2L, inform_share = 0.8,
    closeness_cutoff = 2, closeness_max = 3, cluster_spread = 1.5)))
  expect_equal(picked$state$weight, ref$weight, tolerance = 1e-12)
  expect_true(same_partition(picked$state$cluster, ref$cluster))
})

test_that("MWMOTE's rows: parents by weight, partners in the parent's cluster, gaps uniform", {
  for (s in 1:2) {
    df <- mw_data(420 + s)
    z <- ref_scaled(df, "y")
    D <- ref_dist_euclidean(z)
    picked <- smoteguard:::seeds_mwmote(mw_context(df, D))
    res <- sg_oversample(df, "y", method = "mwmote", seed = s, guard = NULL,
                         constraints = NULL)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 60L)
    expect_true(all(prov$kind == "interpolate"))
    # the same random numbers, drawn as the definition says
    set.seed(s)
    want <- ref_mwmote_draws(which(df$y == "b"), picked$state$weight,
                             picked$state$cluster, 60L)
    expect_identical(prov$parent, want$parent)
    expect_identical(prov$neighbor, want$neighbor)
    expect_equal(prov$gap, want$gap, tolerance = 0)
    # values: the interpolation
    x <- as.matrix(df[c("x1", "x2")])
    expect_equal(unname(as.matrix(res[prov$row, c("x1", "x2")])),
                 unname(x[prov$parent, ] + prov$gap * (x[prov$neighbor, ] - x[prov$parent, ])),
                 tolerance = 1e-12)
    cl <- picked$state$cluster[match(c(prov$parent, prov$neighbor), which(df$y == "b"))]
    expect_identical(cl[seq_len(60)], cl[60 + seq_len(60)])
    expect_false(any(prov$parent == prov$neighbor))
    # the record counts MWMOTE's noise rows (not in Sminf)
    expect_identical(sg_record(res)$seeds$noise, picked$noise)
  }
})

test_that("with groups, a partner is never of the parent's group", {
  df <- mw_data(430, counts = c(a = 80, b = 40))
  df$patient <- rep(1:20, length.out = nrow(df))
  res <- sg_oversample(df, "y", method = "mwmote", seed = 1, guard = NULL,
                       constraints = NULL, groups = "patient")
  prov <- sg_provenance(res)
  expect_true(nrow(prov) > 0)
  expect_false(any(df$patient[prov$parent] == df$patient[prov$neighbor]))
})

test_that("MWMOTE runs on the shipped data, nominal columns, missing values and Gower", {
  res <- withCallingHandlers(
    sg_oversample(breast_biopsy, "diagnosis", method = "mwmote", seed = 1),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
  expect_identical(as.integer(table(res$diagnosis)), c(444L, 444L))
  df <- mixed_missing_data(340)
  for (dist in c("euclidean", "gower")) {
    mixed <- oversample_mixed(df, "mwmote", dist)
    prov <- sg_provenance(mixed)
    expect_true(nrow(prov) > 0)
    expect_true(all(mixed$y[prov$neighbor] == "b"))
    expect_true(all(mixed$colour[prov$row] %in% c(levels(df$colour), NA)))
  }
})

test_that("bad MWMOTE settings are refused, naming the argument", {
  df <- mw_data(440)
  expect_error(sg_oversample(df, "y", method = "mwmote", inform_share = 0),
               class = "smoteguard_error_input", regexp = "inform_share")
  expect_error(sg_oversample(df, "y", method = "mwmote", inform_share = 1.2),
               class = "smoteguard_error_input", regexp = "inform_share")
  expect_error(sg_oversample(df, "y", method = "mwmote", closeness_cutoff = 0),
               class = "smoteguard_error_input", regexp = "closeness_cutoff")
  expect_error(sg_oversample(df, "y", method = "mwmote", noise_neighbors = 0),
               class = "smoteguard_error_input", regexp = "noise_neighbors")
  expect_snapshot(error = TRUE, sg_oversample(df, "y", method = "mwmote", cluster_spread = -1))
})

test_that("MWMOTE is reachable from the sampler, the recipes step and caret", {
  df <- mw_data(450)
  expect_s3_class(sg_sampler("mwmote", cluster_spread = 2, seed = 1), "sg_sampler")
  hook <- sg_caret_sampling("mwmote", seed = 2)
  out <- quiet_fidelity(hook$func(df[c("x1", "x2")], df$y))
  expect_identical(as.integer(table(out$y)), c(90L, 90L))
  skip_if_not_installed("recipes")
  rec <- recipes::recipe(y ~ ., data = df) |>
    step_smoteguard(y, method = "mwmote", seed = 3, options = list(inform_share = 0.3))
  baked <- quiet_fidelity(recipes::bake(recipes::prep(rec), new_data = NULL))
  expect_identical(as.integer(table(baked$y)), c(90L, 90L))
})
