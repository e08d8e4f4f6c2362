# The guard's filters checked against their definitions (R/guard.R, the
# sg_guard() help; vignette("definitions"), section #guard), each
# recomputed here in plain R from the
# data: seed safety and noise, the max_gap pair cap, group pairs, the
# intrusion check, jitter and the redraw rounds. Written to kill the guard
# mutants of tests/mutants/mutants.R.

# Two overlapping Gaussian classes: many minority rows sit among majority
# rows, so plain SMOTE places many rows there and every filter has work.
overlap <- function(n_maj = 600, n_min = 150, shift = 1, d = 2, seed = 1) {
  set.seed(seed)
  x <- rbind(matrix(rnorm(n_maj * d), n_maj),
             matrix(rnorm(n_min * d), n_min) + rep(c(shift, rep(0, d - 1)), each = n_min))
  colnames(x) <- paste0("x", seq_len(d))
  data.frame(x, y = factor(rep(c("maj", "min"), c(n_maj, n_min))))
}

predictor_names <- function(d) setdiff(names(d), "y")

# sg_oversample() without the fidelity warning: the filters move the class
# on purpose here (they keep rows away from the other class).
oversample <- function(...) {
  withCallingHandlers(sg_oversample(...), smoteguard_warning_fidelity = function(w) {
    invokeRestart("muffleWarning")
  })
}

# Each synthetic row's share of other classes among its m nearest real rows
# (sg_guard(): "a candidate whose m_neighbors nearest real rows are mostly of
# other classes (share above `intrusion`) is rejected"), on the scale every
# search uses (vignette("definitions"), section #scale: centred and
# scaled by all rows).
other_share <- function(d, res, m = 10) {
  st <- ref_standardise(d, "y")
  n <- nrow(d)
  syn <- as.matrix(res[-seq_len(n), predictor_names(d)])
  zs <- sweep(sweep(syn, 2, st$center), 2, st$scale, "/")
  nn <- ref_knn(st$z, m, query = zs)$index
  cls <- as.character(res$y[-seq_len(n)])
  rowMeans(matrix(as.character(d$y)[nn] != cls, nrow(syn)))
}

# Each minority row's own-class share among its m nearest other rows.
own_share <- function(d, m = 10) {
  st <- ref_standardise(d, "y")
  rows <- which(d$y == "min")
  nn <- ref_knn(st$z, m, rows = rows)$index
  rowMeans(matrix(d$y[nn] == "min", length(rows)))
}

test_that("the exact intrusion check keeps only rows with at most `intrusion` of other classes near them", {
  d <- overlap()
  plain <- oversample(d, "y", seed = 1, guard = NULL, constraints = NULL)
  # the check has work to do: plain SMOTE puts many rows among the majority
  expect_gt(sum(other_share(d, plain) > 0.5), 100)
  for (level in c(0.5, 0.3)) {
    g <- sg_guard(min_safety = 0, max_gap = 1, intrusion = level,
                  intrusion_search = "exact", max_tries = 50, quota = "free")
    res <- oversample(d, "y", seed = 1, guard = g, constraints = NULL)
    rep <- sg_guard_report(res)
    expect_gt(rep$rejected_intrusion, 100)
    expect_equal(rep$made, 450)
    expect_equal(rep$drawn, rep$made + rep$rejected_intrusion)
    share <- other_share(d, res)
    expect_true(all(share <= level + 1e-12))
  }
})

test_that("the local intrusion check keeps rows among other classes out too", {
  d <- overlap(seed = 2)
  g <- sg_guard(min_safety = 0, max_gap = 1, intrusion = 0.5, max_tries = 50,
                quota = "free")
  res <- oversample(d, "y", seed = 2, guard = g, constraints = NULL)
  rep <- sg_guard_report(res)
  expect_gt(rep$rejected_intrusion, 100)
  expect_equal(rep$made, 450)
  # the local search reads only the parent's and the neighbour's
  # neighbourhoods, which almost always hold the candidate's nearest rows
  share <- other_share(d, res)
  expect_lte(sum(share > 0.5), 5)
})

test_that("SMOTE's default intrusion threshold is 0.95 (no own-class row near); the boundary methods have none", {
  # 0.5 until issue 14: it rejected most candidates in the class's real
  # overlap and moved the class to its core
  d <- overlap(shift = 3, seed = 3)
  d <- rbind(d, data.frame(x1 = c(-3, -2.8), x2 = c(0, 0.2), y = factor("min", levels(d$y))))
  g <- sg_guard(min_safety = 0, max_gap = 1, intrusion_search = "exact", max_tries = 50,
                quota = "free")
  res <- oversample(d, "y", seed = 3, guard = g, constraints = NULL)
  rep <- sg_guard_report(res)
  expect_equal(rep$intrusion, 0.95)
  # the two rows planted deep in the other class pair with each other: their
  # candidates have no own-class row among their 10 nearest
  expect_gt(rep$rejected_intrusion, 0)
  expect_true(all(other_share(d, res) <= 0.95))
  plain <- oversample(d, "y", seed = 3, guard = sg_guard(min_safety = 0, max_gap = 1,
                                                         intrusion = 1), constraints = NULL)
  expect_true(any(other_share(d, plain) == 1))
  bl <- oversample(d, "y", method = "borderline1", seed = 3, guard = g,
                      constraints = NULL)
  expect_equal(sg_guard_report(bl)$rejected_intrusion, 0)
  expect_true(is.na(sg_guard_report(bl)$intrusion))
})

test_that("rejected candidates are drawn again up to `max_tries` rounds", {
  d <- overlap(seed = 4)
  once <- sg_guard(min_safety = 0, max_gap = 1, intrusion = 0.5,
                   intrusion_search = "exact", max_tries = 1, quota = "free")
  res1 <- NULL
  expect_warning(res1 <- oversample(d, "y", seed = 4, guard = once, constraints = NULL),
                 class = "smoteguard_warning_shortfall")
  r1 <- sg_guard_report(res1)
  # one round: every row wanted drawn once, the rejected ones missing
  expect_equal(r1$drawn, 450)
  expect_equal(r1$made, 450 - r1$rejected_intrusion)
  expect_equal(r1$shortfall, r1$rejected_intrusion)
  many <- sg_guard(min_safety = 0, max_gap = 1, intrusion = 0.5,
                   intrusion_search = "exact", max_tries = 50, quota = "free")
  r50 <- sg_guard_report(oversample(d, "y", seed = 4, guard = many, constraints = NULL))
  expect_equal(r50$made, 450)
  expect_equal(r50$shortfall, 0)
  expect_gt(r50$drawn, 450)
})

test_that("quota = \"keep\": each parent keeps its share; rejected candidates are drawn again from their own parent", {
  # vignette("definitions"), section #guard-quota
  d <- overlap(shift = 1.5, seed = 5)
  own <- own_share(d)
  minr <- which(d$y == "min")
  k <- 5
  st <- ref_standardise(d, "y")
  nn <- ref_knn(st$z[minr, ], k)$index  # positions among the class's rows
  ok <- own >= 0.2
  # the entries of the cycle: the parents, then each row set aside whose
  # nearest own-class neighbours hold a parent, entered as that parent
  hands <- which(!ok & apply(nn, 1, function(r) any(ok[r])))
  to <- vapply(hands, function(i) nn[i, which(ok[nn[i, ]])[1]], 1L)
  entries <- c(which(ok), to)
  G <- 450
  g <- sg_guard(min_safety = 0.2, max_gap = 1, intrusion = 1)
  expect_identical(g$quota, "keep")
  res <- oversample(d, "y", seed = 5, guard = g, constraints = NULL)
  prov <- sg_provenance(res)
  # every entry gets floor or ceiling of G / entries rows
  per_entry <- G / length(entries)
  uses <- tabulate(match(prov$parent, minr), length(minr))
  expect_true(all(uses[!ok] == 0))
  expected <- tabulate(entries, length(minr))
  expect_true(all(uses >= floor(per_entry) * expected & uses <= ceiling(per_entry) * expected))
  # a handed entry makes its rows towards the row that handed its share
  for (j in seq_along(hands)) {
    towards <- prov$parent == minr[to[j]] & prov$neighbor == minr[hands[j]]
    expect_gte(sum(towards), floor(per_entry))
  }
  # with rejections: no parent makes more than its share, whatever the rounds
  g2 <- sg_guard(min_safety = 0.2, max_gap = 1, intrusion = 0.5, max_tries = 50,
                 intrusion_search = "exact")
  res2 <- suppressWarnings(oversample(d, "y", seed = 5, guard = g2, constraints = NULL))
  rep2 <- sg_guard_report(res2)
  expect_gt(rep2$rejected_intrusion, 0)
  uses2 <- tabulate(match(sg_provenance(res2)$parent, minr), length(minr))
  expect_true(all(uses2 <= ceiling(per_entry) * expected))
  # quota = "free" lets the parents whose candidates pass make the rows
  g3 <- sg_guard(min_safety = 0.2, max_gap = 1, intrusion = 0.5, max_tries = 50,
                 intrusion_search = "exact", quota = "free")
  uses3 <- tabulate(match(sg_provenance(oversample(d, "y", seed = 5, guard = g3,
                                                   constraints = NULL))$parent, minr),
                    length(minr))
  expect_true(any(uses3 > ceiling(per_entry) * expected))
})

test_that("parents are the rows with an own-class share of at least min_safety; noise rows never", {
  d <- overlap(shift = 1.5, seed = 5)
  own <- own_share(d)
  minr <- which(d$y == "min")
  expect_gt(sum(own == 0), 0)
  expect_gt(sum(own > 0 & own < 0.5), 0)
  for (ms in c(0, 0.2, 0.5)) {
    g <- sg_guard(min_safety = ms, max_gap = 1, intrusion = 1)
    res <- oversample(d, "y", seed = 5, guard = g, constraints = NULL)
    # 450 rows from fewer than 150 parents taken in turns: every allowed
    # parent is used
    expect_setequal(unique(sg_provenance(res)$parent), minr[own >= ms & own > 0])
    rep <- sg_guard_report(res)
    expect_equal(rep$noise, sum(own == 0))
    expect_equal(rep$unsafe, sum(own > 0 & own < ms))
  }
})

test_that("Borderline-SMOTE's parents are its danger rows whatever min_safety is; noise never", {
  d <- overlap(shift = 1.5, seed = 6)
  own <- own_share(d)
  minr <- which(d$y == "min")
  # danger (Han et al. 2005): from half to all but one of the m nearest rows
  # are of other classes
  other <- round(10 * (1 - own))
  danger <- minr[other >= 5 & other < 10]
  expect_gt(length(danger), 0)
  g <- sg_guard(min_safety = 0.6, max_gap = 1)
  res <- oversample(d, "y", method = "borderline1", seed = 6, guard = g,
                       constraints = NULL)
  expect_setequal(unique(sg_provenance(res)$parent), danger)
  expect_equal(sg_guard_report(res)$unsafe, 0)
})

test_that("no pair farther than the max_gap quantile of the class's neighbour distances is used", {
  d <- overlap(seed = 7)
  st <- ref_standardise(d, "y")
  minr <- which(d$y == "min")
  within <- ref_knn(st$z[minr, ], 5)
  for (q in c(0.5, 0.8)) {
    cap <- stats::quantile(within$distance, q, names = FALSE)
    g <- sg_guard(min_safety = 0, max_gap = q, intrusion = 1)
    res <- oversample(d, "y", seed = 7, guard = g, constraints = NULL)
    p <- sg_provenance(res)
    pair <- row_dist(st$z, p$parent, p$neighbor)
    expect_true(all(pair <= cap * (1 + 1e-10)))
    rep <- sg_guard_report(res)
    expect_equal(rep$max_gap_distance, cap, tolerance = 1e-10)
    expect_equal(rep$pairs_gap, sum(within$distance > cap * (1 + 1e-10)))
    # the pairs within the cap are the ones used: some close to it
    expect_gt(max(pair), 0.8 * cap)
  }
})

test_that("jitter's squared displacement is jitter^2 times the parent's squared spacing on average", {
  # sg_guard(): Gaussian noise on each numeric predictor, scaled so that
  # the displacement's expected length is about `jitter` times the parent's
  # distance to its nearest own-class row (standardised scale): per column
  # sd = jitter * spacing / sqrt(d), so E|displacement|^2 = jitter^2 spacing^2
  d <- overlap(n_maj = 300, n_min = 300, shift = 4, d = 4, seed = 8)
  st <- ref_standardise(d, "y")
  minr <- which(d$y == "min")
  spacing <- ref_knn(st$z[minr, ], 1)$distance[, 1]
  g <- sg_guard(min_safety = 0, max_gap = 1, intrusion = 1, jitter = 0.5)
  res <- oversample(d, "y", seed = 8, over_ratio = c(min = 8), guard = g,
                       constraints = NULL)
  p <- sg_provenance(res)
  on_segment <- st$z[p$parent, ] + p$gap * (st$z[p$neighbor, ] - st$z[p$parent, ])
  zs <- sweep(sweep(as.matrix(res[p$row, predictor_names(d)]), 2, st$center), 2,
              st$scale, "/")
  ratio <- rowSums((zs - on_segment)^2) / spacing[match(p$parent, minr)]^2
  expect_equal(mean(ratio), 0.25, tolerance = 0.1)
})

# ---- constraints (sg_constraints()) ----------------------------------------

test_that("bounds narrower than the class reject the candidates outside them", {
  d <- overlap(n_maj = 200, n_min = 100, shift = 3, seed = 9)
  cons <- sg_constraints(bounds = list(x1 = c(2.5, 3.5)))
  res <- oversample(d, "y", seed = 9, guard = NULL, constraints = cons)
  syn <- res[-seq_len(nrow(d)), ]
  # interpolation alone would place many rows outside [2.5, 3.5]
  plain <- oversample(d, "y", seed = 9, guard = NULL, constraints = NULL)
  expect_gt(sum(plain$x1[-seq_len(nrow(d))] < 2.5), 10)
  expect_true(all(syn$x1 >= 2.5 & syn$x1 <= 3.5))
  expect_gt(sg_guard_report(res)$rejected_bound, 10)
})

test_that("a user's bounds replace the observed range: smoothed copies may pass the class's range up to them", {
  d <- overlap(n_maj = 200, n_min = 100, shift = 3, seed = 10)
  x1 <- d$x1[d$y == "min"]
  wide <- sg_constraints(bounds = list(x1 = c(-50, 50)))
  res <- oversample(d, "y", method = "ros", shrinkage = 2, seed = 10,
                    guard = NULL, constraints = wide)
  syn <- res$x1[-seq_len(nrow(d))]
  expect_gt(sum(syn < min(x1)), 0)
  expect_gt(sum(syn > max(x1)), 0)
  # observed bounds hold the noisy copies to the class's range
  res_obs <- oversample(d, "y", method = "ros", shrinkage = 2, seed = 10,
                        guard = NULL, constraints = sg_constraints())
  syn_obs <- res_obs$x1[-seq_len(nrow(d))]
  expect_true(all(syn_obs >= min(x1) & syn_obs <= max(x1)))
})

test_that("a rule's NA counts as a violation", {
  d <- overlap(n_maj = 200, n_min = 100, shift = 3, seed = 11)
  cons <- sg_constraints(rules = function(r) ifelse(r$x2 > 0, NA, TRUE))
  res <- oversample(d, "y", seed = 11, guard = NULL, constraints = cons)
  syn <- res[-seq_len(nrow(d)), ]
  expect_equal(nrow(syn), 100)
  expect_true(all(syn$x2 <= 0))
  expect_gt(sg_guard_report(res)$rejected_rule, 10)
})

test_that("combinations of nominal values unseen in the class are rejected", {
  set.seed(12)
  n <- 160
  # eight numeric columns and few rows: the nominal penalty is small next
  # to the distances, so a parent's neighbours often hold other values
  d <- data.frame(matrix(rnorm(n * 8), n), a = sample(c("p", "q"), n, TRUE),
                  y = factor(rep(c("maj", "min"), c(120, 40))))
  # in each class, b follows a: only (p, u) and (q, v) are seen
  d$b <- ifelse(d$a == "p", "u", "v")
  cons <- sg_constraints(combos = c("a", "b"))
  plain <- oversample(d, "y", seed = 12, guard = NULL, constraints = NULL)
  syn_plain <- plain[-seq_len(n), ]
  # drawn value by value, unseen pairs arise without the constraint
  expect_gt(sum(paste(syn_plain$a, syn_plain$b) %in% c("p v", "q u")), 5)
  res <- oversample(d, "y", seed = 12, guard = NULL, constraints = cons)
  syn <- res[-seq_len(n), ]
  expect_equal(nrow(syn), 80)
  expect_true(all(paste(syn$a, syn$b) %in% c("p u", "q v")))
  expect_gt(sg_guard_report(res)$rejected_combo, 5)
})
