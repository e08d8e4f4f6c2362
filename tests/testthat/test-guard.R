# The guard: seed safety, gap cap, jitter, intrusion, constraints, groups.

moons <- function(n_maj = 600, n_min = 120, noise = 0.12, planted = 0.05, seed = 1) {
  set.seed(seed)
  t1 <- runif(n_maj, 0, pi)
  t2 <- runif(n_min, 0, pi)
  maj <- cbind(cos(t1), sin(t1)) + matrix(rnorm(2 * n_maj, sd = noise), n_maj)
  mn <- cbind(1 - cos(t2), 0.5 - sin(t2)) + matrix(rnorm(2 * n_min, sd = noise), n_min)
  k <- round(planted * n_min)
  if (k > 0) {
    tp <- runif(k, 0.3, pi - 0.3)
    mn[seq_len(k), ] <- cbind(cos(tp), sin(tp)) + matrix(rnorm(2 * k, sd = noise / 3), k)
  }
  data.frame(x1 = c(maj[, 1], mn[, 1]), x2 = c(maj[, 2], mn[, 2]),
             y = factor(rep(c("maj", "min"), c(n_maj, n_min))))
}

# Synthetic rows whose 5 nearest real rows are mostly majority, and real
# minority rows with a synthetic row within their 5th-neighbour radius.
moon_scores <- function(d, r) {
  n <- nrow(d)
  syn <- as.matrix(r[-seq_len(n), 1:2])
  real <- as.matrix(d[, 1:2])
  nn <- sg_knn(real, 5, query = syn)$index
  among_majority <- sum(rowSums(matrix(d$y[nn] == "maj", nrow(syn))) >= 3)
  minority <- real[d$y == "min", ]
  radius <- sg_knn(minority, 5)$distance[, 5]
  nearest <- sg_knn(syn, 1, query = minority)$distance[, 1]
  list(among_majority = among_majority, covered = nearest <= radius)
}

test_that("guarded SMOTE keeps out of the majority and still covers the minority", {
  for (s in 1:4) {
    d <- moons(seed = s)
    plain <- moon_scores(d, sg_oversample(d, "y", seed = s, guard = NULL,
                                          constraints = NULL))
    guarded <- moon_scores(d, suppressWarnings(sg_oversample(d, "y", seed = s)))
    expect_gt(plain$among_majority, 5)
    expect_lte(guarded$among_majority, plain$among_majority / 3)
    expect_gte(sum(guarded$covered & plain$covered), 0.9 * sum(plain$covered))
  }
})

test_that("planted minority rows deep in the majority are noise, never parents", {
  d <- moons(seed = 7)
  res <- suppressWarnings(sg_oversample(d, "y", seed = 7))
  planted <- 600 + seq_len(6)
  own <- sapply(planted, function(i) {
    nn <- sg_knn(as.matrix(d[, 1:2]), 10, query = as.matrix(d[i, 1:2]))$index
    nn <- setdiff(nn, i)[1:10]
    mean(d$y[nn] == "min")
  })
  prov <- sg_provenance(res)
  unsafe <- planted[own < 0.2]
  expect_true(length(unsafe) > 0)
  expect_false(any(prov$parent %in% unsafe))
  rep <- sg_guard_report(res)
  expect_gte(rep$noise + rep$unsafe, length(unsafe))
})

test_that("no guarded row lies in the gap between two far clusters", {
  set.seed(3)
  a <- matrix(rnorm(80, sd = 0.3), 40)
  b <- matrix(rnorm(4, sd = 0.3), 2) + 20
  maj <- matrix(rnorm(400, sd = 1), 200) + 10
  d <- data.frame(rbind(a, b, maj), y = factor(rep(c("min", "maj"), c(42, 200))))
  plain <- sg_oversample(d, "y", seed = 1, guard = NULL, constraints = NULL)
  guarded <- sg_oversample(d, "y", seed = 1)
  in_gap <- function(r) {
    syn <- as.matrix(r[-(1:nrow(d)), 1:2])
    sum(syn[, 1] > 3 & syn[, 1] < 17)
  }
  expect_gt(in_gap(plain), 0)
  expect_equal(in_gap(guarded), 0)
  expect_gt(sg_guard_report(guarded)$pairs_gap, 0)
})

test_that("every kept row lies on its recorded segment (no jitter)", {
  d <- moons(seed = 2)
  res <- suppressWarnings(sg_oversample(d, "y", seed = 2))
  p <- sg_provenance(res)
  for (j in c("x1", "x2")) {
    x <- d[[j]]
    expect_equal(res[[j]][p$row], x[p$parent] + p$gap * (x[p$neighbor] - x[p$parent]),
                 tolerance = 1e-12)
  }
  expect_true(all(p$gap >= 0 & p$gap <= 1))
})

test_that("jitter moves rows off the segment by about `jitter` times the spacing", {
  d <- moons(n_min = 300, planted = 0, seed = 4)
  res <- suppressWarnings(sg_oversample(d, "y", seed = 4, constraints = NULL,
                                        guard = sg_guard(jitter = 0.5)))
  p <- sg_provenance(res)
  off <- sapply(c("x1", "x2"), function(j) {
    x <- d[[j]]
    res[[j]][p$row] - (x[p$parent] + p$gap * (x[p$neighbor] - x[p$parent]))
  })
  expect_gt(mean(rowSums(off^2) > 0), 0.99)
  rec <- sg_record(res)
  z <- sweep(as.matrix(d[d$y == "min", 1:2]), 2, rec$scale, "/")
  spacing <- median(sg_knn(z, 1)$distance)
  moved <- median(sqrt(rowSums(sweep(off, 2, rec$scale, "/")^2)))
  expect_gt(moved, 0.1 * spacing)
  expect_lt(moved, 2 * spacing)
})

test_that("constraints hold over many seeds", {
  set.seed(5)
  n <- 300
  d <- data.frame(
    systolic = round(rnorm(n, 130, 15)),
    diastolic = round(rnorm(n, 80, 10)),
    bmi = rnorm(n, 27, 4),
    sex = factor(sample(c("female", "male"), n, TRUE)),
    pregnant = factor(rep("no", n), levels = c("no", "yes")),
    y = factor(rep(c("a", "b"), c(240, 60)))
  )
  d$pregnant[d$sex == "female" & runif(n) < 0.3] <- "yes"
  cons <- sg_constraints(bounds = list(bmi = c(20, 35)), integer = "bmi",
                         rules = function(x) x$systolic > x$diastolic + 20,
                         combos = c("sex", "pregnant"))
  for (s in 1:10) {
    res <- suppressWarnings(sg_oversample(d, "y", seed = s, constraints = cons))
    syn <- res[-(1:n), ]
    expect_true(all(syn$bmi >= 20 & syn$bmi <= 35))
    expect_true(all(syn$bmi == round(syn$bmi)))
    expect_true(all(syn$systolic > syn$diastolic + 20))
    expect_false(any(syn$sex == "male" & syn$pregnant == "yes"))
    b_rows <- d[d$y == "b", ]
    expect_true(all(syn$diastolic >= min(b_rows$diastolic) &
                      syn$diastolic <= max(b_rows$diastolic)))
  }
  rep <- sg_guard_report(res)
  expect_true(all(c("rejected_bound", "rejected_rule", "rejected_combo") %in% names(rep)))
})

test_that("rows of one group are never parent and neighbour of each other", {
  set.seed(6)
  n <- 240
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                  patient = sample(sprintf("p%02d", 1:40), n, TRUE),
                  y = factor(rep(c("a", "b"), c(180, 60))))
  d[d$y == "b", 1:2] <- d[d$y == "b", 1:2] + 2
  for (s in 1:5) {
    res <- sg_oversample(d, "y", seed = s, groups = "patient")
    p <- sg_provenance(res)
    expect_false(any(d$patient[p$parent] == d$patient[p$neighbor]))
    # a synthetic row carries its parent's group id
    expect_identical(res$patient[p$row], d$patient[p$parent])
  }
  expect_gt(sg_guard_report(res)$pairs_group, 0)
  expect_false("patient" %in% sg_record(res)$predictors)
})

test_that("a class that cannot reach its target warns with the shortfall", {
  set.seed(8)
  # the small class is scattered through the large one: hardly any safe seed
  d <- data.frame(x = rnorm(210), x2 = rnorm(210),
                  y = factor(rep(c("a", "b"), c(200, 10))))
  expect_warning(res <- sg_oversample(d, "y", seed = 1,
                                      guard = sg_guard(max_tries = 2)),
                 class = "smoteguard_warning_shortfall")
  rep <- sg_guard_report(res)
  expect_equal(rep$made + rep$shortfall, rep$wanted)
  expect_equal(sum(res$y == "b"), 10 + rep$made)
})

test_that("raising a class more than 20-fold warns", {
  set.seed(9)
  d <- data.frame(x = rnorm(230), y = factor(rep(c("a", "b"), c(220, 10))))
  d$x[d$y == "b"] <- d$x[d$y == "b"] + 10
  expect_warning(sg_oversample(d, "y", seed = 1), class = "smoteguard_warning_many")
})

test_that("the local intrusion search agrees with the exact one", {
  # Overlapping Gaussian classes (5 columns, means 1 apart): about a quarter
  # of plain SMOTE's candidates have mostly majority neighbours. One round
  # (max_tries = 1), so both searches judge the very same 1200 candidates
  # and differ only where their decisions do. Measured on 12 such data sets
  # (3 to 6 columns, 900 or 1200 candidates, 155 to 428 rejected): the
  # rejected counts differed by at most 6 (0.6%), the decisions on 5 to 27
  # candidates (at most 1.75% with 5 columns, 3% with 6; here 14, 1.2%).
  # Bounds: 1% of the candidates for the counts, 2% for the decisions; a
  # search that rejects nothing, or everything, is hundreds away.
  d <- withr::with_seed(2, {
    x <- rbind(matrix(stats::rnorm(1500 * 5), 1500), matrix(stats::rnorm(300 * 5, 1), 300))
    data.frame(x, y = factor(rep(c("maj", "min"), c(1500, 300))))
  })
  run <- function(search) {
    suppressWarnings(sg_oversample(d, "y", seed = 3, guard = sg_guard(
      intrusion = 0.5, intrusion_search = search, max_tries = 1)))
  }
  loc <- run("local")
  ex <- run("exact")
  rl <- sg_guard_report(loc)
  re <- sg_guard_report(ex)
  expect_equal(rl$drawn, 1200)
  expect_equal(re$drawn, rl$drawn)
  expect_gt(re$rejected_intrusion, 200)
  expect_gt(rl$rejected_intrusion, 200)
  expect_lte(abs(rl$rejected_intrusion - re$rejected_intrusion), 0.01 * re$drawn)
  # candidate by candidate: kept by one search and not by the other
  key <- function(res) do.call(paste, sg_provenance(res)[c("parent", "neighbor", "gap")])
  differ <- length(setdiff(key(loc), key(ex))) + length(setdiff(key(ex), key(loc)))
  expect_lte(differ, 0.02 * re$drawn)
})

test_that("guard and constraints arguments are checked", {
  expect_error(sg_guard(min_safety = 2), class = "smoteguard_error_input")
  expect_error(sg_guard(max_gap = -0.1), class = "smoteguard_error_input")
  expect_error(sg_guard(jitter = -1), class = "smoteguard_error_input")
  expect_error(sg_guard(max_tries = 0), class = "smoteguard_error_input")
  expect_error(sg_constraints(bounds = list(a = c(2, 1))), class = "smoteguard_error_input")
  # a string is a rule in the safe grammar (sg_rule()); other types are refused
  expect_error(sg_constraints(rules = 3), class = "smoteguard_error_input")
  expect_error(sg_constraints(rules = "x >"), class = "smoteguard_error_rule")
  expect_error(sg_constraints(rules = "system('touch x')"), class = "smoteguard_error_rule")
  expect_error(sg_oversample(breast_biopsy, "diagnosis", guard = list()),
               class = "smoteguard_error_input")
  expect_error(sg_oversample(breast_biopsy, "diagnosis",
                             constraints = sg_constraints(bounds = list(nope = c(0, 1)))),
               class = "smoteguard_error_input")
  expect_error(sg_oversample(breast_biopsy, "diagnosis", groups = "nope"),
               class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_guard(min_safety = 2))
  expect_snapshot(error = TRUE, sg_constraints(bounds = 3))
  expect_snapshot(sg_guard())
  expect_snapshot(sg_constraints(bounds = list(age = c(0, 120)), combos = "sex"))
})

test_that("a rules function returning the wrong length is a clear error", {
  cons <- sg_constraints(rules = function(d) TRUE)
  expect_error(sg_oversample(breast_biopsy, "diagnosis", seed = 1, constraints = cons),
               class = "smoteguard_error_rules")
})

test_that("the gap cap's quantile is stats::quantile()'s, bit for bit", {
  gap_quantile <- smoteguard:::gap_quantile
  set.seed(21)
  for (i in 1:500) {
    x <- abs(stats::rnorm(sample(c(1:6, 50, 400), 1))) * 10^sample(-3:3, 1)
    if (stats::runif(1) < 0.3) x <- round(x, 1)   # ties
    p <- sample(c(stats::runif(1), 0, 0.5, 0.95, 1), 1)
    expect_identical(gap_quantile(x, p), stats::quantile(x, p, names = FALSE))
  }
  expect_identical(gap_quantile(matrix(c(3, 1, 2, 8), 2), 0.95),
                   stats::quantile(c(3, 1, 2, 8), 0.95, names = FALSE))
  expect_identical(gap_quantile(double(0), 0.5), NA_real_)
  # as stats::quantile(): missing values are refused
  expect_error(gap_quantile(c(1, NA), 0.5), "missing values and NaN's not allowed", fixed = TRUE)
  expect_error(gap_quantile(1, 2), "`prob` must be in [0, 1]", fixed = TRUE)
})

test_that("the local intrusion share is the plain-R computation of its definition", {
  # each candidate's m nearest among its parent, its neighbour and their m
  # nearest data rows, by nan-Euclidean distance on the standardised scale
  # (constant columns left out), ties to the smaller row; the share of
  # other classes among them
  local_share <- function(x, cand, center, scale, parent, neighbor, whole, pos, y, cls) {
    keep <- which(scale > 0)
    z <- function(v) (v[keep] - center[keep]) / scale[keep]
    m <- ncol(whole)
    vapply(seq_len(nrow(cand)), function(s) {
      ends <- c(parent[s], neighbor[s])
      ends <- ends[!is.na(ends)]
      rows <- unique(unlist(lapply(ends, function(e) c(e, whole[pos[e], ]))))
      cz <- z(cand[s, ])
      dist <- vapply(rows, function(r) {
        rz <- z(x[r, ])
        acc <- 0
        present <- 0
        for (j in seq_along(keep)) {
          if (is.na(rz[j]) || is.na(cz[j])) next
          diff <- rz[j] - cz[j]
          acc <- acc + diff * diff
          present <- present + 1
        }
        if (present == 0) Inf else if (present == length(keep)) acc
        else acc * (length(keep) / present)
      }, numeric(1))
      near <- rows[order(dist, rows)][seq_len(min(m, length(rows)))]
      mean(y[near] != cls)
    }, numeric(1))
  }
  intrusion <- get("ffi_guard_intrusion", envir = asNamespace("smoteguard"))
  for (seed in 1:4) {
    withr::with_seed(seed, {
      n <- 60
      x <- cbind(matrix(stats::rnorm(n * 3), n, 3), 2, sample(0:2, n, TRUE))
      x[sample(length(x), 12)] <- NA
      x[5, ] <- x[4, ]                               # tied distances
      y <- sample(1:3, n, TRUE)
      rows <- which(y == 1)
      pos <- integer(n)
      pos[rows] <- seq_along(rows)
      m <- 4L
      whole <- matrix(sample(n, length(rows) * m, TRUE), length(rows), m)
      G <- 40
      parent <- rows[sample.int(length(rows), G, TRUE)]
      neighbor <- c(rows, NA)[sample.int(length(rows) + 1, G, TRUE)]
      cand <- x[parent, ] + matrix(stats::rnorm(G * ncol(x), sd = 0.3), G)
      center <- colMeans(x, na.rm = TRUE)
      scale <- c(1.5, 0.7, 2, 0, 0.9)
      want <- local_share(x, cand, center, scale, parent, neighbor, whole, pos, y, 1L)
      for (threads in 1:2) {
        got <- .Call(intrusion, x, cand, center, scale, as.integer(parent),
                     as.integer(neighbor), whole, as.integer(pos), as.integer(y), 1L, threads)
        expect_identical(got, want)
      }
    })
  }
})

test_that("shortfall warnings give made, wanted and the rejections by filter", {
  # no parents: every small-class row sits alone among the large class
  maj <- expand.grid(x1 = 0:9, x2 = 0:9)
  lone <- data.frame(x1 = c(1.5, 4.5, 7.5), x2 = c(1.5, 4.5, 7.5))
  d1 <- rbind(maj, lone)
  d1$y <- factor(rep(c("maj", "pos"), c(100, 3)))
  expect_snapshot(res1 <- sg_oversample(d1, "y", seed = 1))
  rep1 <- sg_guard_report(res1)
  expect_identical(rep1$made, 0L)
  expect_match(sg_record(res1)$warnings, "made 0 of 97 rows: its 3 rows, none may be a parent",
               all = FALSE)
  # candidates rejected for intrusion: overlapping classes, one round
  d2 <- withr::with_seed(8, {
    y <- rep(0:1, c(540, 60))
    data.frame(x1 = rnorm(600, 0.6 * y), x2 = rnorm(600, 0.6 * y),
               y = factor(y, 0:1, c("a", "b")))
  })
  expect_snapshot(res2 <- sg_oversample(d2, "y", seed = 1,
                                        guard = sg_guard(max_tries = 1, intrusion = 0.5)))
  rep2 <- sg_guard_report(res2)
  expect_match(sg_record(res2)$warnings,
               sprintf("made %d of %d rows .* rejected %d of %d candidates drawn \\(%d for intrusion",
                       rep2$made, rep2$wanted,
                       as.integer(rep2$rejected_intrusion + rep2$rejected_bound),
                       as.integer(rep2$drawn), as.integer(rep2$rejected_intrusion)),
               all = FALSE)
  # a rule no row can hold says so
  d3 <- sim_classes(c(a = 60, b = 20), d = 2, seed = 44)
  never <- sg_constraints(rules = function(d) d$x1 > 1e6)
  expect_snapshot(res3 <- sg_oversample(d3, "y", seed = 1, constraints = never))
  expect_identical(sg_guard_report(res3)$rejected_rule, sg_guard_report(res3)$drawn)
})

# Issue 14: the guard must not move the class it oversamples.
test_that("the default guard keeps an overlapping rare class where it is: no shift past 0.25 sd, no fidelity warning", {
  # two Gaussian classes, 10% events, AUC about 0.8 (each of 5 features
  # shifted by 0.53 sd): half the events have less than 20% own-class
  # support, and the guard of smoteguard 0.1 moved features by 0.5 sd
  set.seed(14)
  n <- 2000
  yes <- rep(c(FALSE, TRUE), c(1800, 200))
  x <- matrix(rnorm(n * 5), n) + outer(yes, rep(0.532, 5))
  d <- data.frame(x, y = factor(ifelse(yes, "event", "none")))
  res <- expect_no_warning(sg_oversample(d, "y", seed = 1),
                           class = "smoteguard_warning_fidelity")
  fid <- sg_record(res)$fidelity
  expect_lte(max(abs(fid$shift)), 0.25)
  # recomputed from the rows, not only read from the record
  syn <- res[-seq_len(n), 1:5]
  real <- d[yes, 1:5]
  expect_lte(max(abs(colMeans(syn) - colMeans(real)) / apply(real, 2, sd)), 0.25)
  # nor on 100 small calls making ten rows each
  for (s in 1:100) {
    set.seed(100 + s)
    sub <- d[c(sample(which(!yes), 200), sample(which(yes), 20)), ]
    expect_no_warning(r <- sg_oversample(sub, "y", seed = s, over_ratio = 0.15),
                      class = "smoteguard_warning_fidelity")
    expect_equal(nrow(r) - nrow(sub), 10)
  }
})

test_that("a class the guard must discard most seeds of warns, naming the feature it moved", {
  # 20 events in a tight clump far along x1, 40 scattered thinly through
  # the other class: the scattered ones have less than 20% own-class
  # support and no parent among their own-class neighbours to hand their
  # share to, so nearly every row is made in the clump
  set.seed(15)
  clump <- cbind(x1 = rnorm(20, 4, 0.2), x2 = rnorm(20, 0, 1))
  scattered <- cbind(x1 = rnorm(40), x2 = rnorm(40))
  other <- cbind(x1 = rnorm(2000), x2 = rnorm(2000))
  d <- data.frame(rbind(other, clump, scattered),
                  y = factor(rep(c("none", "event"), c(2000, 60))))
  w <- NULL
  res <- withCallingHandlers(sg_oversample(d, "y", seed = 1, over_ratio = 0.5),
                             smoteguard_warning_fidelity = function(cond) {
                               w <<- cond
                               invokeRestart("muffleWarning")
                             })
  expect_s3_class(w, "smoteguard_warning_fidelity")
  expect_match(conditionMessage(w), "`x1` \\+[0-9.]+ sd")
  expect_no_match(conditionMessage(w), "`x2`")
  rep <- sg_guard_report(res)
  expect_gt(rep$unsafe + rep$noise, 30)
  fid <- sg_record(res)$fidelity
  expect_gt(abs(fid$shift[fid$column == "x1"]), 0.25)
})

test_that("the kept quota keeps the guard's purpose on clusters with planted noise", {
  # three tight clusters of the rare class with the other class filling
  # the space between them, and six rare rows planted deep inside it
  set.seed(7)
  centres <- rbind(c(-4, 0), c(0, 4), c(4, 0))
  cl <- do.call(rbind, lapply(1:3, function(i)
    matrix(rnorm(80, sd = 0.5), 40) + matrix(centres[i, ], 40, 2, byrow = TRUE)))
  maj <- matrix(runif(2400, -6, 6), 1200)
  near <- apply(maj, 1, function(p) min(sqrt(colSums((t(centres) - p)^2))))
  maj <- maj[near > 1.8, ][1:900, ]
  noise <- cbind(c(-2, 2, 0, -2.5, 2.5, 0), c(2, 2, 0, -3, -3, -4.5)) +
    matrix(rnorm(12, sd = 0.1), 6)
  d <- data.frame(x1 = c(maj[, 1], cl[, 1], noise[, 1]), x2 = c(maj[, 2], cl[, 2], noise[, 2]),
                  y = factor(rep(c("maj", "min"), c(900, 126))))
  among <- function(r) {
    syn <- as.matrix(r[-seq_len(nrow(d)), 1:2])
    nn <- sg_knn(as.matrix(d[, 1:2]), 5, query = syn)$index
    sum(rowSums(matrix(d$y[nn] == "maj", nrow(syn))) >= 3)
  }
  plain <- sg_oversample(d, "y", seed = 1, guard = NULL, constraints = NULL)
  guarded <- suppressWarnings(sg_oversample(d, "y", seed = 1))
  expect_gt(among(plain), 10)
  expect_lte(among(guarded), among(plain) / 3)
  planted <- 900 + 120 + seq_len(6)
  expect_false(any(sg_provenance(guarded)$parent %in% planted))
  expect_false(any(sg_provenance(guarded)$neighbor %in% planted))
})

test_that("the classes' observed bounds come from one call, as column_stats() gives them", {
  pred <- smoteguard:::prepare_predictors(breast_biopsy, "diagnosis")
  rows <- split(seq_len(nrow(breast_biopsy)), breast_biopsy$diagnosis)
  cons <- sg_constraints(bounds = list(mitoses = c(1, 5)))
  b_all <- smoteguard:::bounds_matrices(cons, pred, unname(rows))
  all <- lapply(seq_along(rows), function(i) list(lower = b_all$lower[, i], upper = b_all$upper[, i]))
  for (i in seq_along(rows)) {
    st <- smoteguard:::column_stats(pred$x, rows[[i]])
    j <- match("mitoses", pred$names)
    expect_identical(all[[i]]$lower[-j], st$min[-j])
    expect_identical(all[[i]]$upper[-j], st$max[-j])
    expect_identical(c(all[[i]]$lower[j], all[[i]]$upper[j]), c(1, 5))
    expect_identical(all[[i]], smoteguard:::class_bounds(cons, pred, rows[[i]]))
  }
  # a column with no value in the class: no bound
  x <- data.frame(a = c(NA, NA, 1, 2), b = c(1, 2, 3, 4), y = factor(c(1, 1, 2, 2)))
  pred <- smoteguard:::prepare_predictors(x, "y")
  b <- smoteguard:::class_bounds(sg_constraints(), pred, 1:2)
  expect_identical(b$lower, c(-Inf, 1))
  expect_identical(b$upper, c(Inf, 2))
  expect_null(smoteguard:::bounds_matrices(NULL, pred, list(1:2, 3:4)))
  expect_null(smoteguard:::class_bounds(NULL, pred, 1:2))
})

test_that("Borderline-2 with an intrusion level checks its steps towards other classes exactly", {
  # the local search reads the two ends' neighbourhoods, which a row of
  # another class does not have in the class's search: those candidates
  # take the exact search (this was an internal error before)
  set.seed(12)
  df <- data.frame(x1 = c(rnorm(80), rnorm(30, 1.2)), x2 = c(rnorm(80), rnorm(30, 0.8)),
                   y = factor(rep(c("maj", "min"), c(80, 30))))
  res <- suppressWarnings(sg_oversample(df, "y", method = "borderline2", seed = 4,
                                        guard = sg_guard(intrusion = 0.6)))
  prov <- sg_provenance(res)
  other <- !is.na(prov$neighbor) & df$y[prov$neighbor] != "min"
  expect_true(any(other))
  # every kept row, exactly: at most 60% of its 10 nearest real rows of the majority
  syn <- as.matrix(res[prov$row, c("x1", "x2")])
  pred <- smoteguard:::prepare_predictors(df, "y")
  nn <- smoteguard:::knn_values(pred, syn, matrix(0L, nrow(syn), 0), 10L, 1L, 2L)
  share <- rowMeans(matrix(as.integer(df$y)[nn$index] != 2L, nrow = nrow(syn)))
  expect_true(all(share[other] <= 0.6))
  expect_gt(sg_guard_report(res)$rejected_intrusion, 0)
})
