# The pipeline's neighbourhoods (R/generate.R): on numeric complete
# predictors generate() finds every class's own neighbours, its pairs and
# gap cap, and the whole-data neighbours of all their rows in one C call
# (ffi_classes_neighbors(), class_neighborhoods()); classes_setup() reads them
# instead of searching class by class. They must be what class_pairs()
# finds class by class when given none (knn_rows(), gap_quantile(),
# ffi_guard_pairs()), ties included.

# generate()'s settings for a call, as sg_oversample() makes them
pipeline_settings <- function(method = "smote", neighbors = 5L, m_neighbors = 10L,
                              guard = sg_guard(), group_codes = NULL, threads = 1L) {
  list(method = method, neighbors = neighbors, m_neighbors = m_neighbors,
       guard = guard, group_codes = group_codes, threads = threads)
}

# class_neighborhoods() against class_pairs() class by class
expect_batched_searches <- function(data, var, settings, n_new = NULL) {
  yf <- factor(data[[var]])
  pred <- smoteguard:::prepare_predictors(data, var, y = yf)
  yi <- as.integer(yf)
  L <- nlevels(yf)
  rows <- smoteguard:::split_rows(yi, L)
  for (l in seq_len(L)) expect_identical(rows[[l]], which(yi == l))
  done <- if (is.null(n_new)) seq_len(L) else which(n_new > 0)
  def <- smoteguard:::sampler_method(settings$method)
  plan <- smoteguard:::class_plan(pred, settings, def, settings$guard, length(yi))
  nb <- smoteguard:::class_neighborhoods(pred, yi, rows, done, settings, plan)
  searched <- 0L
  for (l in seq_len(L)) {
    if (!l %in% done || length(rows[[l]]) < 2) {
      expect_null(nb[[l]])
      next
    }
    one <- smoteguard:::class_pairs(plan, pred, yi, l, rows[[l]], settings, NULL)
    for (field in c("k", "spacing", "known", "within", "pairs_gap", "pairs_group", "cap")) {
      expect_identical(nb[[l]][[field]], one[[field]], label = field)
    }
    if (plan$m_all > 0) {
      expect_identical(nb[[l]]$whole$index, one$whole$index)
    } else {
      expect_null(nb[[l]]$whole)
    }
    searched <- searched + 1L
  }
  searched
}

test_that("all classes' searches at once find what the class-by-class searches find", {
  df <- sim_classes(c(a = 60, b = 17, c = 31, d = 9), d = 4, seed = 31, integer = "x2")
  expect_identical(expect_batched_searches(df, "y", pipeline_settings()), 4L)
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(guard = NULL)), 4L)
  # a method with its own whole-data search, and k past a class's size
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(
    method = "borderline1", guard = NULL, neighbors = 12L)), 4L)
  # only the classes to raise
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(),
                                           n_new = c(0, 43, 29, 0)), 2L)
  # two threads: the same neighbours
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(threads = 2L)), 4L)
})

test_that("ties, constant columns and groups give the same neighbours at once", {
  df <- sim_classes(c(a = 30, b = 8, c = 12), d = 3, seed = 36)
  df$x2 <- 4                       # weight 0 in the distance
  df[2:6, c("x1", "x3")] <- df[1, c("x1", "x3")]
  expect_identical(expect_batched_searches(df, "y", pipeline_settings()), 3L)
  flat <- data.frame(u = rep(1, 20), v = rep(2L, 20), y = rep(c("p", "q"), c(15, 5)))
  expect_identical(expect_batched_searches(flat, "y", pipeline_settings()), 2L)
  # groups widen each class's own search
  grp <- rep(1:10, length.out = nrow(df))
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(group_codes = grp)), 3L)
  # a tight gap cap, with and without groups
  tight <- sg_guard(max_gap = 0.5)
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(guard = tight)), 3L)
  expect_identical(expect_batched_searches(df, "y", pipeline_settings(
    guard = tight, group_codes = grp)), 3L)
  # breast_biopsy: integer scores, many tied distances
  bb <- breast_biopsy[stats::complete.cases(breast_biopsy), ]
  expect_identical(expect_batched_searches(bb, "diagnosis", pipeline_settings()), 2L)
})

test_that("mixed data, single rows and copies are searched class by class", {
  df <- sim_classes(c(a = 40, b = 1, c = 12), d = 2, seed = 37)
  expect_identical(expect_batched_searches(df, "y", pipeline_settings()), 2L)
  nom <- df
  nom$f <- factor(rep(c("u", "v"), length.out = nrow(df)))
  pred <- smoteguard:::prepare_predictors(nom, "y", y = factor(nom$y))
  yi <- as.integer(factor(nom$y))
  rows <- smoteguard:::split_rows(yi, 3L)
  neighborhoods <- function(settings) {
    def <- smoteguard:::sampler_method(settings$method)
    plan <- smoteguard:::class_plan(pred, settings, def, settings$guard, length(yi))
    smoteguard:::class_neighborhoods(pred, yi, rows, 1:3, settings, plan)
  }
  nb <- neighborhoods(pipeline_settings())
  expect_true(all(vapply(nb, is.null, TRUE)))
  nb <- neighborhoods(pipeline_settings(method = "ros"))
  expect_true(all(vapply(nb, is.null, TRUE)))
})

test_that("ffi_classes_neighbors() checks its arguments", {
  f <- get("ffi_classes_neighbors", envir = asNamespace("smoteguard"))
  x <- matrix(as.double(1:20), 10, 2)
  rows <- list(6:10, c(1L, 3L))
  call <- function(x = get("x", parent.frame()), center = c(0, 0), scale = c(1, 1),
                   rows = get("rows", parent.frame()), k = c(3L, 1L), kq = k,
                   group = NULL, max_gap = NA_real_, m = 0L) {
    .Call(f, x, center, scale, rows, k, kq, group, max_gap, m, 1L)
  }
  ok <- call()
  expect_length(ok, 2L)
  expect_named(ok[[1]], c("k", "spacing", "known", "within", "pairs_gap", "pairs_group", "cap"))
  expect_identical(dim(ok[[1]]$within), c(5L, 3L))
  expect_true(all(ok[[1]]$within %in% 6:10))
  expect_identical(ok[[2]]$within, matrix(c(3L, 1L), 2))
  expect_identical(ok[[1]]$cap, Inf)
  w <- call(m = 4L)
  expect_identical(dim(w[[1]]$whole$index), c(5L, 4L))
  expect_identical(w[[2]]$whole$index[, 1], c(2L, 2L))
  capped <- call(max_gap = 0)
  expect_true(anyNA(capped[[1]]$within))
  expect_gt(capped[[1]]$pairs_gap, 0)
  grouped <- call(k = c(2L, 1L), kq = c(4L, 1L), group = rep(1:2, 5))
  expect_true(all(grouped[[1]]$within %% 2 != c(6:10) %% 2, na.rm = TRUE))
  bad <- x
  bad[2, 1] <- NA
  expect_error(call(x = bad), "NA")
  expect_error(call(scale = c(1, -1)), "scale")
  expect_error(call(center = 0, scale = 1), "one value per column")
  expect_error(call(rows = 6:10, k = 3L), "`rows` must be a list")
  expect_error(call(k = 3L), "of its length")
  expect_error(call(rows = list(6L), k = 1L), "at least two rows")
  expect_error(call(rows = list(c(1, 2)), k = 1L), "integer vector")
  expect_error(call(rows = list(c(1L, 11L)), k = 1L), "outside 1..10")
  expect_error(call(rows = list(c(1L, NA)), k = 1L), "outside 1..10")
  expect_error(call(k = c(5L, 1L)), "rows - 1")
  expect_error(call(k = c(0L, 1L)), "rows - 1")
  expect_error(call(kq = c(2L, 1L)), "k <= kq")
  expect_error(call(group = 1:3), "`group`")
  expect_error(call(max_gap = 2), "`max_gap`")
  expect_error(call(m = 10L), "`m`")
})

# The rounds (src/rounds.c) run every class's draws in one C call and call
# a method's R hooks back: a hook that draws SMOTE's way must give SMOTE's
# rows (the random stream consumed in the same order), and an error in a
# hook or in a `rules` function mid-loop must surface as the same classed
# condition.
with_test_method <- function(name, draw, code, make = NULL) {
  m <- smoteguard:::new_sampler_method(
    name = name, family = "interpolate", rank = 99, title = "test", reference = "",
    draw = draw, make = make)
  reg <- smoteguard:::registry
  reg$methods[[name]] <- m
  on.exit(reg$methods[[name]] <- NULL)
  code
}

rounds_data <- function() {
  set.seed(4)
  n <- 90
  y <- factor(rep(c("a", "b", "c"), c(50, 25, 15)))
  data.frame(x1 = rnorm(n) + as.integer(y), x2 = rnorm(n), x3 = round(runif(n, 0, 9)), y = y)
}

test_that("a method's draw hook in the rounds gives SMOTE's rows when it draws SMOTE's way", {
  df <- rounds_data()
  hook <- function(ctx, at, within_at, need, state) {
    .Call(smoteguard:::ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
  }
  with_test_method("smote_by_hook", hook, {
    for (guard in list(NULL, sg_guard(quota = "free", min_safety = 0.4))) {
      a <- suppressWarnings(sg_oversample(df, "y", seed = 3, guard = guard))
      b <- suppressWarnings(sg_oversample(df, "y", method = "smote_by_hook", seed = 3,
                                          guard = guard))
      expect_identical(unclass(a)[names(a)], unclass(b)[names(b)])
      expect_identical(sg_provenance(a), sg_provenance(b))
    }
  })
})

test_that("an error in a method's hook mid-loop surfaces as its classed condition", {
  df <- rounds_data()
  calls <- 0L
  hook <- function(ctx, at, within_at, need, state) {
    calls <<- calls + 1L
    if (calls == 2L) smoteguard:::sg_abort("The test draw failed.", class = "input")
    .Call(smoteguard:::ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
  }
  with_test_method("fails_second", hook, {
    expect_error(sg_oversample(df, "y", method = "fails_second", seed = 1, guard = NULL),
                 class = "smoteguard_error_input", regexp = "test draw failed")
  })
  expect_identical(calls, 2L)
  maker <- function(ctx, parent, draw, state) stop("no rows today")
  with_test_method("fails_make", smoteguard:::draw_in_turns, make = maker, {
    expect_error(sg_oversample(df, "y", method = "fails_make", seed = 1, guard = NULL),
                 regexp = "no rows today")
  })
})

test_that("a draw hook's malformed answer is refused, not read silently", {
  df <- rounds_data()
  cycle <- function(within_at, need) {
    .Call(smoteguard:::ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
  }
  no_parent <- function(ctx, at, within_at, need, state) {
    d <- cycle(within_at, need)
    list(neighbor = d$neighbor, gap = d$gap, extra = 1)
  }
  with_test_method("no_parent", no_parent, {
    expect_error(sg_oversample(df, "y", method = "no_parent", seed = 1, guard = NULL),
                 regexp = "must return list\\(parent, neighbor, gap\\)")
  })
  fractional <- function(ctx, at, within_at, need, state) {
    d <- cycle(within_at, need)
    d$parent <- d$parent + 0.5
    d
  }
  with_test_method("fractional", fractional, {
    expect_error(sg_oversample(df, "y", method = "fractional", seed = 1, guard = NULL),
                 regexp = "not whole numbers")
  })
})

test_that("a `rules` function rejects candidates in the rounds, and its error is classed", {
  df <- rounds_data()
  rule <- function(d) d$x2 < 0.5
  res <- suppressWarnings(sg_oversample(df, "y", seed = 2,
                                        constraints = sg_constraints(rules = rule)))
  syn <- sg_provenance(res)$row
  expect_true(all(res$x2[syn] < 0.5))
  rep <- sg_guard_report(res)
  expect_true(all(rep$rejected_rule > 0))
  expect_identical(rep$made + rep$shortfall, rep$wanted)
  calls <- 0L
  late <- function(d) {
    calls <<- calls + 1L
    if (calls == 3L) stop("rule broke")
    d$x2 < 0.5
  }
  expect_error(sg_oversample(df, "y", seed = 2, constraints = sg_constraints(rules = late)),
               class = "smoteguard_error_rules", regexp = "rule broke")
  expect_identical(calls, 3L)
})

test_that("ffi_rounds_run() refuses malformed class inputs with an error", {
  rr <- get("ffi_rounds_run", envir = asNamespace("smoteguard"))
  x <- matrix(as.double(1:20), 10, 2)
  data <- list(x, matrix(0L, 10, 0), c(0, 0), c(1, 1), rep(1:2, 5), rep(1:5, each = 2),
               0L, NULL, NULL, NULL, 2L)
  rows <- seq(1L, 9L, 2L)
  pairs <- matrix(rows[c(2:5, 1)], 5, 1)
  cls <- list(1L, rows, pairs, NULL, NULL, NULL, c(4, 0, NA, 1, NA, NA),
              c(0L, 1L, 0L, 0L, 0L, 0L), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
  out <- withr::with_seed(1, .Call(rr, data, rounds_columns(list(cls)), 1L))
  expect_identical(out$rows$class, rep(1L, 4))
  expect_true(all(out$rows$parent %in% rows))
  expect_identical(out$counts, list(made = 4L, drawn = 4, rejected_intrusion = 0,
                                    rejected_bound = 0, rejected_rule = 0, rejected_combo = 0,
                                    seeds = 5L, unsafe = 0L, noise = 0L, isolated = 0L,
                                    parents = 5L, parents_used = 4L))
  # a seed rule keeping two rows: the parents are those two
  seeds <- cls
  seeds[[4]] <- c(TRUE, FALSE, FALSE, TRUE, FALSE)
  out <- withr::with_seed(1, .Call(rr, data, rounds_columns(list(seeds)), 1L))
  expect_setequal(out$rows$parent, rows[c(1, 4)])
  bad <- cls
  bad[[4]] <- c(TRUE, FALSE)
  expect_error(.Call(rr, data, rounds_columns(list(bad)), 1L), "one logical per row")
  bad <- cls
  bad[[3]] <- matrix(99L, 5, 1)
  expect_error(.Call(rr, data, rounds_columns(list(bad)), 1L), "invalid row number")
  bad <- cls
  bad[[7]] <- c(4, 0, 0.5, 1, NA, NA)  # the local check without `whole`
  bad[[8]] <- c(0L, 1L, 0L, 0L, 1L, 0L)
  expect_error(.Call(rr, data, rounds_columns(list(bad)), 1L), "needs `whole`")
  bad <- cls
  bad[[7]] <- c(4, 0, NA, 1, 0.2, 3)  # the seed safety without `whole`
  expect_error(.Call(rr, data, rounds_columns(list(bad)), 1L), "seed safety needs")
  bad <- cls
  bad[[12]] <- 3
  expect_error(.Call(rr, data, rounds_columns(list(bad)), 1L), "NULL or a function")
  expect_error(.Call(rr, data[-1], rounds_columns(list(cls)), 1L), "list of 11")
  # the classes' columns: 16, each list one element per class
  expect_error(.Call(rr, data, rounds_columns(list(cls))[-1], 1L), "list of 16")
  bad <- rounds_columns(list(cls, cls))
  bad[[3]] <- bad[[3]][1]
  expect_error(.Call(rr, data, bad, 1L), "one element per class")
  bad <- rounds_columns(list(cls, cls))
  bad[[7]][[1]] <- c(4, 4, 4)
  expect_error(.Call(rr, data, bad, 1L), "one value, or one per class")
  bad <- rounds_columns(list(cls))
  bad[[8]][[2]] <- NA
  expect_error(.Call(rr, data, bad, 1L), "missing value")
})

test_that("a call with no class to raise makes no rows, with or without the guard", {
  df <- data.frame(x1 = c(1:8, 3:5), x2 = c(8:1, 5:7),
                   y = factor(rep(c("a", "b"), c(8, 3))))
  for (guard in list(NULL, sg_guard())) {
    res <- sg_oversample(df, "y", over_ratio = 0.2, guard = guard, seed = 1)
    expect_identical(nrow(res), nrow(df))
    expect_identical(nrow(sg_provenance(res)), 0L)
  }
})
