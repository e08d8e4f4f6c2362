# A reduced suite for valgrind (make valgrind):
#
#   R -d "valgrind --error-exitcode=1 --leak-check=full" --vanilla -f tests/valgrind.R
#
# Every registered C entry point is run on small data, through the R
# functions where they reach it and directly otherwise, on each of its
# paths: the direct, kd-tree (n >= 4096, d <= 6) and screened expansion (double and float)
# (d >= 6) neighbour searches, the mixed distance (factor columns, missing
# values, Gower, VDM), the guard (pairs, local and exact intrusion, jitter),
# every draw, the metrics, one and two threads, and the error exits of each
# routine. Valgrind is 20-50 times slower than R alone: keep the data small.
# The last line is "valgrind suite: N calls, OK".

suppressPackageStartupMessages(library(smoteguard))
options(warn = 1)
Sys.setenv(TZ = "UTC")

ns <- asNamespace("smoteguard")
routines <- getDLLRegisteredRoutines("smoteguard")$.Call
# The routines this suite calls must be registered with these argument
# counts: a block is never skipped because a routine changed or went away.
need <- function(name, n) {
  if (!name %in% names(routines) || routines[[name]]$numParameters != n) {
    stop(sprintf("%s must be registered with %d arguments", name, n))
  }
  TRUE
}
calls <- 0L
reached <- character(0)
r_errors <- character(0)
# An R error is not a valgrind finding: it is reported at the end, and the
# suite goes on.
run <- function(expr) {
  calls <<- calls + 1L
  res <- tryCatch(suppressWarnings(suppressMessages(expr)), error = function(e) e)
  if (inherits(res, "error")) {
    r_errors <<- c(r_errors, paste(deparse(substitute(expr))[1], "->", conditionMessage(res)))
  }
  invisible(res)
}
# a direct .Call; the routine counts as reached only when the call returned
# (an error exit alone does not exercise its work)
ffi <- function(name, ...) {
  res <- .Call(get(name, envir = ns), ...)
  reached <<- union(reached, name)
  res
}
# a call that must fail with an R error (its error exit is checked too)
fails <- function(expr) {
  calls <<- calls + 1L
  res <- tryCatch(suppressWarnings(expr), error = function(e) e)
  if (!inherits(res, "error")) stop("expected an error from ", deparse(substitute(expr)))
  invisible(res)
}
path <- function(p) invisible(ffi("ffi_knn_path", as.integer(p)))

set.seed(20)

# --- the neighbour search -------------------------------------------------
x3 <- matrix(rnorm(300 * 3), 300, 3)
x3[296:300, ] <- x3[1:5, ]                        # duplicates
x8 <- matrix(sample(0:2, 300 * 8, TRUE), 300, 8) + 0   # ties, expansion path
tree <- matrix(rnorm(4096 * 2), 4096, 2)          # kd-tree path
tree[4000:4096, ] <- tree[1:97, ]
q3 <- x3[1:40, ] + 0.01
for (threads in c(1L, 2L)) {
  for (p in 0:6) {
    path(p)
    run(sg_knn(x3, 5, threads = threads))
    run(sg_knn(x3, 4, query = q3, threads = threads))
    run(sg_knn(x8, 6, threads = threads))
  }
  path(0)
  run(sg_knn(tree, 3, threads = threads))
  run(sg_knn(tree, 2, query = tree[1:50, ] + 0.1, threads = threads))
}
path(0)
if (need("ffi_knn_search", 8)) {
  run(ffi("ffi_knn_search", x3, NULL, 3L, colMeans(x3), c(1, 0, 2), 2L, NULL, FALSE))
  run(ffi("ffi_knn_search", x3, q3, 3L, NULL, NULL, 1L, c(1:20, rep(NA, 20)), FALSE))
  run(ffi("ffi_knn_search", x3, q3, 3L, NULL, NULL, 1L, NULL, TRUE))   # farthest
  run(ffi("ffi_knn_search", matrix(double(0), 5, 0), NULL, 2L, NULL, NULL, 1L, NULL, FALSE))
  fails(ffi("ffi_knn_search", x3, NULL, 300L, NULL, NULL, 1L, NULL, FALSE))
  fails(ffi("ffi_knn_search", matrix(c(0, 1e200, 3), 3, 1), NULL, 1L, NULL, NULL, 1L, NULL, FALSE))
  fails(ffi("ffi_knn_search", x3, NULL, 2L, c(NA, 0, 0), NULL, 1L, NULL, FALSE))
}
fails(sg_knn(x3, 0))
fails(sg_knn(matrix("a", 3, 2), 1))
fails(ffi("ffi_knn_path", 10L))
# the classes' one scan (path 9) and its pruned walk (path 8; automatic from
# 512 rows): whole numbers with repeated rows, both threads
wk <- data.frame(matrix(sample(1:10, 600 * 4, TRUE), 600, 4),
                 y = factor(rep(c("a", "b", "b"), 200)))
for (threads in c(1L, 2L)) {
  for (p in c(0L, 8L, 9L)) {
    path(p)
    run(sg_oversample(wk, "y", seed = 1, threads = threads))
  }
}
path(0)

# --- data for the methods -------------------------------------------------
n <- 160
y <- sample(c("maj", "min"), n, TRUE, prob = c(0.7, 0.3))
y[1:4] <- c("maj", "maj", "min", "min")
num <- data.frame(a = rnorm(n) + (y == "min"), b = rnorm(n), c = sample(0:9, n, TRUE),
                  outcome = factor(y))
num[n - 0:3, ] <- num[5:8, ]
mixed <- num
mixed$site <- factor(sample(c("A", "B", "C"), n, TRUE), levels = c("A", "B", "C", "D"))
mixed$smoker <- sample(c(TRUE, FALSE), n, TRUE)
mixed$grade <- factor(sample(c("lo", "mid", "hi"), n, TRUE), levels = c("lo", "mid", "hi"),
                      ordered = TRUE)
mixed$patient <- sample(1:50, n, TRUE)
mixed$a[sample(n, 12)] <- NA
mixed$site[sample(n, 8)] <- NA
nominal_only <- data.frame(f = factor(sample(c("u", "v", "w"), n, TRUE)),
                           g = sample(c("p", "q"), n, TRUE), outcome = factor(y))
methods <- c("smote", "ros", "borderline1", "borderline2", "adasyn", "safe_level",
             "geometric_smote", "mwmote")

for (m in methods) {
  for (threads in c(1L, 2L)) {
    run(sg_oversample(num, "outcome", method = m, seed = 1, threads = threads))
    run(sg_oversample(num, "outcome", method = m, seed = 1, guard = NULL, constraints = NULL,
                      threads = threads))
  }
  run(sg_oversample(mixed, "outcome", method = m, seed = 2, groups = "patient"))
}
run(sg_oversample(num, "outcome", seed = 3, guard = sg_guard(jitter = 0.5, intrusion = 0.5,
                                                             intrusion_search = "exact",
                                                             max_gap = 0.8)))
run(sg_oversample(num, "outcome", method = "borderline1", seed = 3,
                  guard = sg_guard(intrusion = 0.4)))
run(sg_oversample(num, "outcome", method = "ros", shrinkage = 1, seed = 3))
run(sg_oversample(mixed, "outcome", seed = 4, nominal = "vote"))
run(sg_oversample(mixed, "outcome", seed = 4, distance = "gower"))
run(sg_oversample(nominal_only, "outcome", seed = 4))                  # VDM
run(sg_oversample(mixed, "outcome", seed = 5, clean = "enn",
                  constraints = sg_constraints(combos = "site", rules = function(d) d$b > -2)))
run(sg_oversample(num, "outcome", seed = 5, clean = "tomek"))
tiny <- data.frame(a = c(1, 2, 3, 10, 11), b = c(1, 1, 2, 5, 5),
                   outcome = factor(c("maj", "maj", "maj", "min", "min")))
run(sg_oversample(tiny, "outcome", seed = 6, neighbors = 5))          # a class of 2 rows
for (m in c("tomek", "enn")) {
  run(sg_clean(num, "outcome", method = m, remove = "both"))
  run(sg_clean(mixed, "outcome", method = m))
}
for (m in c("random", "nearmiss1", "nearmiss2", "nearmiss3")) {
  run(sg_undersample(num, "outcome", method = m, seed = 7))
  run(sg_undersample(mixed, "outcome", method = m, seed = 7))
}
fails(sg_oversample(num, "outcome", over_ratio = -1))
fails(sg_oversample(num[0, ], "outcome"))

# --- the routines directly, valid and invalid arguments ---------------------
codes <- matrix(sample(c(1:3, NA), 60 * 2, TRUE), 60, 2)
znum <- matrix(rnorm(60 * 2), 60, 2)
znum[c(2, 7), 1] <- NaN
cost <- list(1 - diag(3), 0.5 * (1 - diag(3)))
nb <- matrix(c(2L, 3L, 1L, 3L, 1L, 2L, 4L, 4L), 4, 2)
holed <- nb
holed[2, 1] <- NA
if (need("ffi_knn_mixed", 9)) {
  run(ffi("ffi_knn_mixed", znum, codes, NULL, NULL, 4L, cost, 0L, 2L, NULL))
  run(ffi("ffi_knn_mixed", znum, codes, znum[1:9, ], codes[1:9, ], 3L, cost, 1L, 1L, 1:9))
  fails(ffi("ffi_knn_mixed", znum, codes + 5L, NULL, NULL, 4L, cost, 0L, 1L, NULL))
}
if (need("ffi_draw_cycle", 4)) {
  run(ffi("ffi_draw_cycle", holed, 25, NULL, NULL))
  run(ffi("ffi_draw_cycle", nb, 25, c(7L, 7L, 8L, 8L), 0.5))
  run(ffi("ffi_draw_cycle", matrix(1L, 4, 0), 9, NULL, NULL))              # copies
  fails(ffi("ffi_draw_cycle", nb, -1, NULL, NULL))
}
if (need("ffi_adasyn_alloc", 2)) {
  run(ffi("ffi_adasyn_alloc", c(2L, 0L, 7L, 1L), 17))
  fails(ffi("ffi_adasyn_alloc", c(0L, 0L), 3))
}
if (need("ffi_draw_counts", 2)) {
  run(ffi("ffi_draw_counts", holed, c(3L, 2L, 0L, 4L)))
  fails(ffi("ffi_draw_counts", nb, c(1L, NA, 1L, 1L)))
}
if (need("ffi_draw_safe_level", 4)) {
  run(ffi("ffi_draw_safe_level", holed, c(2L, 0L, 1L, 3L),
          matrix(c(1L, 0L, 0L, 2L, 0L, 1L, 0L, 2L), 4, 2), 30))
  fails(ffi("ffi_draw_safe_level", nb, c(-1L, 0L, 1L, 3L), matrix(0L, 4, 2), 3))
}
if (need("ffi_add_noise", 2)) {
  run(ffi("ffi_add_noise", znum[1:10, ], matrix(0.3, 10, 2)))
  fails(ffi("ffi_add_noise", znum[1:10, ], matrix(-1, 10, 2)))
}
if (need("ffi_classes_neighbors", 10)) {
  xp <- matrix(rnorm(40 * 3), 40, 3)
  yp <- rep(1:3, length.out = 40)
  rp <- lapply(1:3, function(l) which(yp == l))
  gp <- rep(1:5, 8)
  run(ffi("ffi_classes_neighbors", xp, colMeans(xp), c(1, 0.5, 0), rp, c(3L, 5L, 1L),
          c(5L, 9L, 1L), gp, 0.9, 10L, 2L))
  run(ffi("ffi_classes_neighbors", xp, colMeans(xp), c(1, 0.5, 0), rp[2], 5L, 5L, NULL,
          NA_real_, 0L, 1L))
  fails(ffi("ffi_classes_neighbors", xp, colMeans(xp), c(1, 0.5, 0), list(1L), 1L, 1L,
            NULL, NA_real_, 0L, 1L))
  fails(ffi("ffi_classes_neighbors", xp, colMeans(xp), c(1, 0.5, 0), rp[1], 5L, 20L,
            NULL, NA_real_, 0L, 1L))
}
if (need("ffi_guard_pairs", 6)) {
  idx <- matrix(c(2L, 3L, 1L, 1L, 4L, 4L), 3, 2)
  dd <- matrix(c(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), 3, 2)
  run(ffi("ffi_guard_pairs", idx, dd, c(1L, 2L, 3L), c(1L, 1L, 2L, NA), 2L, 0.45))
  run(ffi("ffi_guard_pairs", idx, dd, c(1L, 2L, 3L), NULL, 1L, Inf))
  fails(ffi("ffi_guard_pairs", idx, dd, c(1L, 2L, 3L), NULL, 3L, Inf))
}
if (need("ffi_guard_intrusion", 11)) {
  z <- cbind(matrix(rnorm(30 * 2), 30, 2), 1)   # a constant column: left out
  z[3, 1] <- NA                                 # a missing value: skipped
  cen <- c(0.1, -0.2, 1)
  sca <- c(2, 0.5, 0)
  pos <- c(1:10, integer(20))
  whole <- matrix(sample(30, 10 * 3, TRUE), 10, 3)
  run(ffi("ffi_guard_intrusion", z, z[1:6, ] + 0.1, cen, sca, c(1L, 2L, 3L, 4L, 5L, 6L),
      c(2L, NA, 4L, 5L, 1L, 10L), whole, pos, rep(1:3, 10), 1L, 2L))
  fails(ffi("ffi_guard_intrusion", z, z[1:2, ], cen, sca, c(1L, 20L), c(2L, NA), whole, pos,
            rep(1:3, 10), 1L, 1L))
}
if (need("ffi_guard_bounds", 2) && need("ffi_guard_cap", 2)) {
  zb <- matrix(rnorm(30 * 3), 30, 3)
  zb[1:10, 2] <- NA                              # a column without values in a class
  run(ffi("ffi_guard_bounds", zb, list(1:10, 11:30, integer(0))))
  fails(ffi("ffi_guard_bounds", zb, list(c(1L, 31L))))
  run(ffi("ffi_guard_cap", abs(zb[11:30, ]), 0.95))
  run(ffi("ffi_guard_cap", double(0), 0.5))
  fails(ffi("ffi_guard_cap", zb[, 2], 0.5))
}
if (need("ffi_hold_round", 6)) {
  # SMOGN's noise rows and the smoothed bootstrap's copies: held, rounded
  zh <- matrix(rnorm(20 * 3, sd = 3), 20, 3)
  zh[c(2, 25)] <- c(NA, NaN)
  run(ffi("ffi_hold_round", zh, c(-1, -Inf, 0), c(1, Inf, 4), c(1L, 3L), 3L, 4L))
  run(ffi("ffi_hold_round", zh[0, ], NULL, NULL, 2L, NULL, NULL))
  fails(ffi("ffi_hold_round", zh, NULL, NULL, 4L, NULL, NULL))
}
if (need("ffi_constraints_check", 7)) {
  # sg_diagnose()'s constraint check: bounds, tuples with NA, none seen,
  # no rows, a rules hook
  zc <- matrix(sample(c(1:3, NA), 40 * 3, TRUE), 40, 3)
  zv <- matrix(rnorm(40 * 2), 40, 2)
  rule <- function(v, cd, rows) v[, 2] > 1
  run(ffi("ffi_constraints_check", zv, zc, 1:40, c(-1, -Inf), c(1, Inf),
          list(c(3L, 1L), zc[1:10, c(3, 1)]), rule))
  run(ffi("ffi_constraints_check", zv, zc, NULL, NULL, NULL, list(2L, zc[0, 2, drop = FALSE]), NULL))
  run(ffi("ffi_constraints_check", zv[0, ], zc[0, ], NULL, NULL, NULL, list(1:3, zc[1:2, ]), rule))
  fails(ffi("ffi_constraints_check", zv, zc, NULL, NULL, NULL, list(4L, zc[, 1, drop = FALSE]), NULL))
}
if (need("ffi_rounds_run", 3)) {
  # two alternating classes of 30 rows (see generate.R's classes_setup() and
  # src/rounds.c): seeds, seed safety, handover, jitter, local intrusion,
  # bounds, combinations, and a `rules` hook
  zr <- matrix(rnorm(60 * 3), 60, 3)
  zr[5, 2] <- NA
  cr <- matrix(sample(c(1:3, NA), 60 * 2, TRUE), 60, 2)
  data <- list(zr, cr, colMeans(zr, na.rm = TRUE), c(1, 2, 0), rep(1:2, 30),
               rep(1:30, each = 2), 1L, 1L, NULL, NULL, 3L)
  cls <- function(cl, rules = NULL, combos = NULL) {
    rows <- seq.int(cl, 60L, 2L)
    pairs <- matrix(rows[c(2:30, 1, 3:30, 1:2)], 30, 2)
    pairs[4, 1] <- NA
    list(cl, rows, pairs, rep(c(TRUE, TRUE, FALSE), 10), rep(0.1, 30),
         matrix(sample(60, 30 * 4, TRUE), 30, 4), c(25, 0.5, 0.8, 4, 0.3, 4),
         c(1L, 1L, 0L, 1L, 1L, 0L), rep(-2, 3), rep(2, 3), combos, NULL, NULL, NULL,
         rules, function(v, cd, p) rep(0, nrow(v)))
  }
  # the classes as columns (see rounds_classes()): code and bounds joined,
  # numbers and flags as six vectors, the rest as lists
  columns <- function(classes) {
    lapply(seq_len(16), function(j) {
      v <- lapply(classes, `[[`, j)
      if (j %in% 7:8) lapply(seq_len(6), function(f) sapply(v, `[[`, f))
      else if (j %in% c(1, 9:10)) unlist(v) else if (!all(vapply(v, is.null, NA))) v
    })
  }
  seen <- list(2L, matrix(c(1L, 2L, NA), 3, 1))
  run(ffi("ffi_rounds_run", data, columns(list(cls(1L), cls(2L, function(v, cd, p) v[, 1] > 1,
                                                            seen))), 2L))
  bad <- cls(1L)
  bad[[3]] <- matrix(99L, 30, 2)
  fails(ffi("ffi_rounds_run", data, columns(list(bad)), 1L))
  fails(ffi("ffi_rounds_run", data, columns(list(cls(1L)))[-16], 1L))
}
if (need("ffi_metrics_class", 7)) {
  # syn, whole (every real row), y (their classes), cls, k, threads, known
  syn <- x3[41:60, ] + 0.05
  y3 <- rep(1:3, 100)
  run(ffi("ffi_metrics_class", syn, x3, y3, 1L, 3L, 2L, NULL))
  run(ffi("ffi_metrics_class", syn, x3, y3, 2L, 50L, 1L, NULL))
  run(ffi("ffi_metrics_class", syn[0, , drop = FALSE], x3, y3, 1L, 3L, 1L, NULL))
  run(ffi("ffi_metrics_class", x8[1:25, ] + 0.5, x8, y3, 3L, 4L, 2L, NULL))   # ties, float screen
  for (p in 0:1) {                                                   # both scan paths
    invisible(ffi("ffi_metrics_path", p))
    run(ffi("ffi_metrics_class", syn, x3, y3, 1L, 3L, 2L, NULL))
  }
  invisible(ffi("ffi_metrics_path", 0L))
  fails(ffi("ffi_metrics_class", syn[, 1:2], x3, y3, 1L, 3L, 1L, NULL))
  a <- seq(0.1, 1, length.out = 100)                                  # known distances
  run(ffi("ffi_metrics_class", syn, x3, y3, 1L, 3L, 2L, list(a, a + 0.5)))
  fails(ffi("ffi_metrics_class", syn, x3, y3, 1L, 3L, 2L, list(a[-1], a[-1])))
}
if (need("ffi_stats_columns", 3)) {
  g <- x3[1:30, ]
  g[4, 2] <- NA
  run(ffi("ffi_stats_columns", g, NULL, 2L))
  run(ffi("ffi_stats_columns", g, c(1L, 4L, 4L, 30L), 1L))
  run(ffi("ffi_stats_columns", g[0, , drop = FALSE], NULL, NA_integer_))
  fails(ffi("ffi_stats_columns", g, c(1L, 31L), 1L))
}
if (need("ffi_condense", 8)) {
  y3c <- rep(1:3, 100)
  cand <- 2:300
  run(ffi("ffi_condense", x3, colMeans(x3), c(1, 0, 2), y3c, cand, rep(1L, 299),
          sqrt(rowSums(sweep(x3[cand, ], 2, x3[1, ])^2)), 2L))
  run(ffi("ffi_condense", x8, NULL, NULL, y3c, cand, rep(1L, 299), rep(1, 299), 1L))
  run(ffi("ffi_condense", x3, NULL, NULL, y3c, integer(0), integer(0), double(0), 1L))
  fails(ffi("ffi_condense", x3, NULL, NULL, y3c, c(1L, 301L), c(1L, 1L), c(1, 1), 1L))
}
if (need("ffi_geometric_make", 6)) {
  # Geometric SMOTE's maker: every truncation sign, deformation, a missing
  # value, a weight-0 column and a radius of 0 (parent = surface)
  gx <- x3[1:60, ]
  gx[7, 2] <- NA
  for (tr in c(1, 0.4, 0, -0.6)) {
    run(ffi("ffi_geometric_make", gx, c(1, 0.5, 0), c(1L, 3L, 9L, 5L, 7L), c(2L, 3L, 40L, 51L, 8L),
            tr, 0.3))
  }
  run(ffi("ffi_geometric_make", gx, c(1, 1, 1), c(1L, 2L), c(4L, 5L), 1, 1))
  fails(ffi("ffi_geometric_make", gx, c(1, 1, 1), c(1L, 61L), c(4L, 5L), 1, 0))
}
if (need("ffi_logit_fit", 3)) {
  # the calibration fits: offset and slope, a separated outcome, an aliased column
  lp <- x3[1:80, 1] * 3
  yl <- as.double(lp + x3[1:80, 2] > 0)
  run(ffi("ffi_logit_fit", matrix(1, 80, 1), yl, lp))
  run(ffi("ffi_logit_fit", cbind(1, lp), yl, NULL))
  run(ffi("ffi_logit_fit", cbind(1, lp), as.double(lp > 0), NULL))
  run(ffi("ffi_logit_fit", cbind(1, rep(2, 80)), yl, NULL))
  fails(ffi("ffi_logit_fit", cbind(1, lp), yl + 1, NULL))
}
if (need("ffi_score_risks", 4) && need("ffi_same_ranking", 2)) {
  ys <- runif(300) < 0.3
  ps <- plogis(rnorm(300) + ys)
  run(ffi("ffi_score_risks", ys, ps, 0.5, NULL))
  run(ffi("ffi_score_risks", ys, ps, 0.3, c(0.1, 0.9)))
  run(ffi("ffi_score_risks", rep(TRUE, 5), rep(1, 5), 0.5, NULL))
  fails(ffi("ffi_score_risks", c(ys[-1], NA), ps, 0.5, NULL))
  fails(ffi("ffi_score_risks", logical(0), double(0), 0.5, NULL))
  run(ffi("ffi_same_ranking", ps, 2 * ps))
  run(ffi("ffi_same_ranking", ps, rev(ps)))
  run(ffi("ffi_same_ranking", c(1, NA), c(1, 2)))
  fails(ffi("ffi_same_ranking", 1:3, c(1, 2, 3)))
}
if (need("ffi_logit_oof", 6)) {
  # instance hardness's folds: standardised in C (a scale-0 column), a
  # subsample start (20,000 rows), separated classes and an aliased column
  # (left to glm.fit: NA)
  yo <- as.integer(x3[, 1] + x3[, 2] > 0.3)
  fo <- rep_len(1:5, 300)
  run(ffi("ffi_logit_oof", x3, colMeans(x3), c(1, 0, 2), yo, fo, 2L))
  run(ffi("ffi_logit_oof", x3, NULL, NULL, as.integer(x3[, 1] > 0), fo, 1L))
  run(ffi("ffi_logit_oof", cbind(x3[, 1], 2 * x3[, 1]), NULL, NULL, yo, fo, 1L))
  xb <- matrix(stats::rnorm(20000 * 2), 20000)
  run(ffi("ffi_logit_oof", xb, NULL, NULL, as.integer(xb[, 1] + stats::rnorm(20000) > 0),
          rep_len(1:3, 20000), 2L))
  fails(ffi("ffi_logit_oof", x3, NULL, NULL, yo + 1L, fo, 1L))
}
if (need("ffi_pair_mean", 2)) {
  g <- x3[1:40, ]
  g[5, 1] <- NA
  run(ffi("ffi_pair_mean", g, 1L))
  run(ffi("ffi_pair_mean", x8, 2L))
  run(ffi("ffi_pair_mean", g[1, , drop = FALSE], NA_integer_))
  run(ffi("ffi_pair_mean", g[, 0, drop = FALSE], 1L))
  fails(ffi("ffi_pair_mean", 1:3, 1L))
}
if (need("ffi_stats_outside", 3)) {
  run(ffi("ffi_stats_outside", x3[1:20, ], c(-1, -Inf, 0), c(1, 2, Inf)))
  fails(ffi("ffi_stats_outside", x3[1:20, ], c(-1, 0), c(1, 2)))
}
if (need("ffi_threads_get", 0) && need("ffi_threads_set", 1)) {
  run(ffi("ffi_threads_get"))
  run(ffi("ffi_threads_set", 1L))
  run(ffi("ffi_threads_set", NA_integer_))
  fails(ffi("ffi_threads_set", 0L))
}
if (need("ffi_stats_quantiles", 2)) {
  g <- x3[1:40, ]
  g[c(2, 7), 1] <- NA
  g[, 3] <- NA
  run(ffi("ffi_stats_quantiles", g, 1L))
  run(ffi("ffi_stats_quantiles", g, 2L))
  run(ffi("ffi_stats_quantiles", g[0, , drop = FALSE], 1L))
  run(ffi("ffi_stats_quantiles", matrix(rep(c(1, 2), 500), 1000, 1), 1L))
  fails(ffi("ffi_stats_quantiles", 1:3, 1L))
}
if (need("ffi_record_fingerprint", 1)) {
  run(ffi("ffi_record_fingerprint", list(a = c(1, NA, NaN, -0), b = c("a", NA, "\u00e9t\u00e9"),
                                          f = factor(c("u", "v", "u", NA)), i = c(1L, NA, 3L, 4L))))
  run(ffi("ffi_record_fingerprint", stats::setNames(list(), character(0))))
  # a column of another type has no fingerprint of its own: NULL, and the
  # caller formats the columns
  run(ffi("ffi_record_fingerprint", list(a = list(1))))
  fails(ffi("ffi_record_fingerprint", list(1, 2)))
}
if (need("ffi_record_extend", 4)) {
  vx <- cbind(c(runif(40, -5, 5), NA, NaN), c(3e9, -0.2, rnorm(41)))
  run(ffi("ffi_record_extend", list(a = 1:5, b = c(0.5, NA, 2, 3, -1)), vx, c(1L, 2L), 1L))
  run(ffi("ffi_record_extend", list(), vx, integer(0), 2L))
  run(ffi("ffi_record_extend", list(1L), vx[0, , drop = FALSE], 1L, NA_integer_))
  # columns shared among two threads (a result of more than 500,000 values)
  vb <- matrix(rnorm(2 * 130000), ncol = 2)
  vb[7, 1] <- 3e9
  run(ffi("ffi_record_extend", list(a = seq_len(130000), b = rnorm(130000), c = 1:3),
          vb, c(1L, 2L, 1L), 2L))
  fails(ffi("ffi_record_extend", list(1L), vx, 3L, 1L))
  fails(ffi("ffi_record_extend", list("a"), vx, 1L, 1L))
  fails(ffi("ffi_record_extend", list(1L), vx, 1L, "2"))
}
if (need("ffi_record_numbered", 1)) {
  run(ffi("ffi_record_numbered", as.character(1:50)))
  run(ffi("ffi_record_numbered", c("1", "3", NA)))
  run(ffi("ffi_record_numbered", character(0)))
}
if (need("ffi_record_append", 2)) {
  lf <- tempfile("vg-ledger")
  run(ffi("ffi_record_append", lf, "{\"a\":1}\n"))
  cat("{\"cut", file = lf, append = TRUE)
  run(ffi("ffi_record_append", lf, "{\"b\":2}\n"))
  fails(ffi("ffi_record_append", lf, "no newline"))
  fails(ffi("ffi_record_append", lf, "two\nlines\n"))
  fails(ffi("ffi_record_append", file.path(lf, "not-a-dir", "x"), "{}\n"))
  fails(ffi("ffi_record_append", NA_character_, "{}\n"))
  unlink(lf)
}
if (need("ffi_predictors_kinds", 1)) {
  run(ffi("ffi_predictors_kinds", list(a = c(1, NA), b = 1:2, c = "x", d = factor("u"), e = list(1))))
  run(ffi("ffi_predictors_kinds", list()))
  fails(ffi("ffi_predictors_kinds", 1:3))
}
if (need("ffi_record_clock", 0)) {
  run(ffi("ffi_record_clock"))
}
if (need("ffi_record_seed_restore", 1)) {
  set.seed(1)
  old <- .Random.seed
  run(ffi("ffi_record_seed_restore", NULL))
  run(ffi("ffi_record_seed_restore", NULL))
  run(ffi("ffi_record_seed_restore", old))
}
if (need("ffi_predictors_matrix", 3)) {
  run(ffi("ffi_predictors_matrix", list(a = c(1, NA, NaN, -0), b = c(1L, NA, 3L, 4L)), 4L, 1L))
  run(ffi("ffi_predictors_matrix", list(), 3L, 2L))
  # columns shared among two threads (more than 500,000 values)
  run(ffi("ffi_predictors_matrix", list(a = seq_len(300000), b = rnorm(300000)), 300000L, 2L))
  fails(ffi("ffi_predictors_matrix", list(a = c(1, 2)), 3L, 1L))
  fails(ffi("ffi_predictors_matrix", list(a = c("x", "y")), 2L, 1L))
  fails(ffi("ffi_predictors_matrix", list(a = c(1, 2)), 2L, "1"))
}
if (need("ffi_record_checksum", 1)) {
  run(ffi("ffi_record_checksum", c(1L, NA, 3L)))
  run(ffi("ffi_record_checksum", c("a", NA, "\u00e9t\u00e9")))
  fails(ffi("ffi_record_checksum", list(1)))
}
if (need("ffi_metrics_ks", 2)) {
  g <- x3[1:30, ]
  g[2, 1] <- NA
  run(ffi("ffi_metrics_ks", g, x3[31:50, ]))
  fails(ffi("ffi_metrics_ks", g, x3[, 1:2]))
}
if (need("ffi_fidelity_check", 9)) {
  g <- x3[1:60, ]
  g[c(2, 7), 1] <- NA
  g[, 3] <- 1                                     # a constant column
  yf <- c(rep(1:2, 29), 3L, NA)                   # a one-row class, a row in none
  cf <- matrix(sample(c(1:3, NA), 60 * 2, TRUE), 60, 2)
  run(ffi("ffi_fidelity_check", g, yf, c(2L, 2L, 3L, 1L), g[c(1, 3, 59, 4), ], NULL, NULL,
          integer(0), 3L, 1L))
  run(ffi("ffi_fidelity_check", x3[1:300, ], rep(1:2, 150), rep(2L, 200), x3[1:200, ] + 0.1,
          NULL, NULL, integer(0), 2L, 2L))            # the radix sort's side
  run(ffi("ffi_fidelity_check", g, yf, c(1L, 3L), g[1:2, ], cf, cf[1:2, ], c(3L, 3L), 3L, NA_integer_))
  fails(ffi("ffi_fidelity_check", g, yf, c(1L, 4L), g[1:2, ], NULL, NULL, integer(0), 3L, 1L))
}
if (need("ffi_metrics_near", 5)) {
  axes <- eigen(stats::cov(x3), symmetric = TRUE)$vectors[, 1:2]
  run(ffi("ffi_metrics_near", x3, c(1L, 5L, 296L, 300L), 0.3, axes, 2L))
  run(ffi("ffi_metrics_near", x8, 1:300, 0, diag(8)[, 1, drop = FALSE], 1L))
  fails(ffi("ffi_metrics_near", x3, c(1L, 301L), 0.3, axes, 1L))
}
if (need("ffi_metrics_mmd", 3)) {
  run(ffi("ffi_metrics_mmd", x3[1:50, ], x3[51:90, ] + 0.1, 2L))
  run(ffi("ffi_metrics_mmd", x8[1:40, ], x8[41:60, ], 1L))                 # many tied distances
  fails(ffi("ffi_metrics_mmd", x3[1, , drop = FALSE], x3[1:3, ], 1L))
}
if (need("ffi_metrics_duplicates", 2)) {
  g <- x8[1:30, 1:3]
  g[3, 2] <- NA
  run(ffi("ffi_metrics_duplicates", g, g[c(1, 1, 3, 9), ]))
  fails(ffi("ffi_metrics_duplicates", g, g[, 1:2]))
}
run(sg_diagnose(sg_oversample(num, "outcome", seed = 8)))
run(sg_diagnose(sg_oversample(mixed, "outcome", seed = 8)))

# a garbage argument of every type for every routine: the error exits (these
# calls do not count as reaching a routine)
garbage <- list(NULL, "a", list(1), NA, -1L, 1e300, matrix("a", 2, 2), matrix(NA_real_, 2, 2),
                matrix(0L, 0, 3), factor("a"))
for (nm in names(routines)) {
  np <- routines[[nm]]$numParameters
  for (g in garbage) {
    calls <- calls + 1L
    try(suppressWarnings(do.call(.Call, c(list(get(nm, envir = ns)), rep(list(g), np)))),
        silent = TRUE)
  }
}
path(0)
invisible(gc())

if (length(r_errors) > 0) {
  cat(sprintf("R errors (not memory errors; bugs of their own): %d\n", length(r_errors)))
  cat(paste0("  ", unique(r_errors), "\n"), sep = "")
}
missed <- setdiff(names(routines), reached)
if (length(missed) > 0) stop("routines not reached: ", paste(missed, collapse = ", "))
cat(sprintf("valgrind suite: %d calls, %d routines, OK\n", calls, length(routines)))
