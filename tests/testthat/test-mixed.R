# Mixed, typed and incomplete data against plain-R references
# (helper-reference-methods.R): SMOTE-NC's distance with its per-class
# penalty, nominal draws and votes, ordered factors, Date and excluded
# columns, SMOTE-N's value difference metric, Gower's distance and the
# nan-Euclidean distance for missing values.

# Every type the issue lists, and a Date. `colour` has an unused level.
sim_mixed <- function(counts, seed = 1) {
  withr::with_seed(seed, {
    labels <- sample(rep(names(counts), counts))
    n <- length(labels)
    s <- match(labels, names(counts))
    data.frame(
      num = stats::rnorm(n, s),
      cnt = as.integer(round(stats::rnorm(n, 10 * s, 6))),
      grade = factor(sample(c("lo", "mid", "hi"), n, TRUE),
                     levels = c("lo", "mid", "hi"), ordered = TRUE),
      colour = factor(ifelse(stats::runif(n) < 0.3 * s, "red",
                             sample(c("green", "blue"), n, TRUE)),
                      levels = c("red", "green", "blue", "purple")),
      shape = sample(c("circle", "square", "star"), n, TRUE),
      flag = stats::runif(n) < 0.25 * s,
      when = as.Date("2020-01-01") + sample(0:365, n, TRUE),
      y = factor(labels, levels = names(counts)),
      stringsAsFactors = FALSE)
  })
}

# SMOTE-NC's distance matrix for each class (its own penalty Med_c^2).
smotenc_dists <- function(data, var = "y", exclude = NULL) {
  z <- ref_scaled(data, var, exclude)
  codes <- ref_nominal_matrix(data, var, exclude)
  classes <- levels(data[[var]])
  stats::setNames(lapply(classes, function(cl) {
    ref_dist_mixed(z, codes, ref_penalty(z, data[[var]], cl))
  }), classes)
}

# Each nominal value of each synthetic row is that of the parent or of one
# of its k nearest rows of the class (a superset when distances tie).
expect_nominal_from_neighbourhood <- function(res, data, var, D, k = 5) {
  prov <- sg_provenance(res)
  y <- as.character(data[[var]])
  codes <- ref_nominal_matrix(data, var)
  syn <- ref_nominal_matrix(strip_record(res), var)[prov$row, , drop = FALSE]
  bad <- 0
  for (s in seq_len(nrow(prov))) {
    pa <- prov$parent[s]
    Dc <- if (is.list(D)) D[[y[pa]]] else D
    same <- which(y == y[pa])
    near <- same[vapply(same, function(j) j != pa && ref_is_within_k(Dc, pa, j, same, k),
                        logical(1))]
    for (j in colnames(codes)) {
      allowed <- codes[c(pa, near), j]
      if (!(syn[s, j] %in% allowed)) bad <- bad + 1
    }
  }
  expect_identical(bad, 0, label = "nominal values from outside the parent's neighbourhood")
}

test_that("every type keeps its type and levels; Date columns are copied with a message", {
  df <- sim_mixed(c(a = 50, b = 17, c = 11), seed = 1)
  D <- smotenc_dists(df)
  for (method in c("smote", "borderline1", "borderline2", "adasyn", "safe_level")) {
    expect_message(
      res <- suppressWarnings(sg_definition(df, "y", method = method, seed = 2)),
      "Date column")
    prov <- sg_provenance(res)
    expect_gt(nrow(prov), 0)
    expect_identical(vapply(res, function(col) class(col)[1], ""),
                     vapply(df, function(col) class(col)[1], ""))
    expect_identical(levels(res$colour), levels(df$colour))
    expect_identical(levels(res$grade), levels(df$grade))
    expect_true(is.ordered(res$grade))
    expect_type(res$cnt, "integer")
    expect_type(res$flag, "logical")
    expect_type(res$shape, "character")
    expect_false(anyNA(res[prov$row, ]))
    expect_true(all(res$shape %in% df$shape))
    # Date: copied from the parent
    expect_identical(res$when[prov$row], df$when[prov$parent])
    other <- NULL
    if (method == "borderline2") {
      other <- unlist(lapply(c("b", "c"), function(cl) {
        ref <- ref_borderline(D[[cl]], df$y, cl, m = 10)
        stats::setNames(ref$other, ref$row)
      }))
    }
    expect_interpolated(res, df, "y", D, k = 5, other = other)
    expect_nominal_from_neighbourhood(res, df, "y", D, k = 5)
    expect_identical(strip_record(res)[seq_len(nrow(df)), ], df)
  }
})

test_that("SMOTE-NC: neighbours under Med_c^2 per mismatch, not imbalanced-learn's Med^2 / 2", {
  # imbalanced-learn scales its one-hot columns by Med / 2, which adds
  # Med^2 / 2 per mismatch (and takes Med from the raw continuous columns,
  # numpy's sd with ddof = 0). With neighbors = 1 each parent has a single
  # neighbour: find the parents whose nearest row differs between the two
  # penalties and check that ours follows the paper's.
  df <- sim_mixed(c(a = 40, b = 30), seed = 3)[c("num", "cnt", "colour", "shape", "y")]
  z <- ref_scaled(df, "y")
  codes <- ref_nominal_matrix(df, "y")
  pen <- ref_penalty(z, df$y, "b")
  paper <- ref_dist_mixed(z, codes, pen)
  half <- ref_dist_mixed(z, codes, pen / 2)
  b <- which(df$y == "b")
  near_paper <- vapply(b, function(i) ref_nearest(paper, i, b, 1), integer(1))
  near_half <- vapply(b, function(i) ref_nearest(half, i, b, 1), integer(1))
  differ <- near_paper != near_half
  expect_gt(sum(differ), 2)
  res <- sg_definition(df, "y", neighbors = 1, over_ratio = c(b = 5), seed = 4)
  prov <- sg_provenance(res)
  expect_identical(prov$neighbor, near_paper[match(prov$parent, b)])
  expect_true(all(b[differ] %in% prov$parent))
})

test_that("nominal = \"draw\": rows of one parent may differ; \"vote\": the most frequent value", {
  df <- sim_mixed(c(a = 60, b = 25), seed = 5)
  df$when <- NULL
  D <- smotenc_dists(df)
  res <- sg_definition(df, "y", over_ratio = c(b = 4), seed = 6)
  prov <- sg_provenance(res)
  expect_nominal_from_neighbourhood(res, df, "y", D)
  # drawn per row: some parent's rows differ in some nominal column
  key <- paste(res$colour, res$shape, res$flag)[prov$row]
  varied <- tapply(key, prov$parent, function(v) length(unique(v)) > 1)
  expect_true(any(varied))

  vote <- sg_definition(df, "y", nominal = "vote", over_ratio = c(b = 4), seed = 6)
  pv <- sg_provenance(vote)
  codes <- ref_nominal_matrix(df, "y")
  b <- which(df$y == "b")
  checked <- 0
  bad <- 0
  for (s in seq_len(nrow(pv))) {
    pa <- pv$parent[s]
    cand <- c(pa, ref_nearest(D$b, pa, b, 5))
    for (j in colnames(codes)) {
      tab <- table(codes[cand, j])
      top <- names(tab)[tab == max(tab)]
      got <- as.character(vote[[j]][pv$row[s]])
      if (length(top) == 1) checked <- checked + 1
      if (!(got %in% top) || (length(top) == 1 && got != top)) bad <- bad + 1
    }
  }
  expect_identical(bad, 0)
  expect_gt(checked, 100)
})

test_that("ordered factors are interpolated on their rank and rounded to a level", {
  withr::with_seed(7, {
    n <- 70
    df <- data.frame(x = stats::rnorm(n),
                     level = factor(sample(letters[1:6], n, TRUE), levels = letters[1:6],
                                    ordered = TRUE),
                     y = factor(rep(c("a", "b"), c(50, 20))))
  })
  res <- sg_definition(df, "y", over_ratio = c(b = 5), seed = 8)
  prov <- sg_provenance(res)
  r_pa <- as.integer(df$level[prov$parent])
  r_nb <- as.integer(df$level[prov$neighbor])
  want <- round(r_pa + prov$gap * (r_nb - r_pa))
  expect_identical(as.integer(res$level[prov$row]), as.integer(want))
  # levels strictly between the two ends occur
  between <- pmin(r_pa, r_nb) < want & want < pmax(r_pa, r_nb)
  expect_gt(sum(between), 0)
  expect_interpolated(res, df, "y", ref_dist_euclidean(ref_scaled(df, "y")), k = 5)
})

test_that("`exclude` columns are copied from the parent and kept out of the distance", {
  df <- sim_mixed(c(a = 40, b = 14), seed = 9)[c("num", "cnt", "colour", "y")]
  df$id <- sprintf("id%03d", seq_len(nrow(df)))
  # a column that would change the neighbours if it were measured
  df$weight <- withr::with_seed(10, stats::rnorm(nrow(df), sd = 100))
  res <- sg_definition(df, "y", exclude = c("id", "weight"), seed = 1)
  prov <- sg_provenance(res)
  expect_identical(res$id[prov$row], df$id[prov$parent])
  expect_identical(res$weight[prov$row], df$weight[prov$parent])
  z <- ref_scaled(df, "y", exclude = c("id", "weight"))
  codes <- ref_nominal_matrix(df, "y", exclude = c("id", "weight"))
  D <- ref_dist_mixed(z, codes, ref_penalty(z, df$y, "b"))
  b <- which(df$y == "b")
  ok <- mapply(function(pa, nb) ref_is_within_k(D, pa, nb, b, 5), prov$parent, prov$neighbor)
  expect_true(all(ok))
  expect_equal(res$num[prov$row],
               df$num[prov$parent] + prov$gap * (df$num[prov$neighbor] - df$num[prov$parent]),
               tolerance = 1e-12)
  expect_identical(sg_record(res)$settings$exclude, c("id", "weight"))
})

test_that("all-nominal data use the value difference metric", {
  withr::with_seed(11, {
    n <- 90
    y <- rep(c("a", "b"), c(65, 25))
    df <- data.frame(
      f1 = factor(ifelse(y == "b" & stats::runif(n) < 0.6, "p",
                         sample(c("p", "q", "r"), n, TRUE))),
      f2 = ifelse(stats::runif(n) < ifelse(y == "b", 0.7, 0.3), "u", "v"),
      f3 = stats::runif(n) < ifelse(y == "b", 0.2, 0.5),
      f4 = factor(sample(c("k", "l", "m", "o"), n, TRUE)),
      y = factor(y), stringsAsFactors = FALSE)
  })
  codes <- ref_nominal_matrix(df, "y")
  D <- ref_dist_vdm(codes, df$y)
  for (nominal in c("draw", "vote")) {
    res <- sg_definition(df, "y", nominal = nominal, over_ratio = c(b = 3), seed = 12)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 170L)
    b <- which(df$y == "b")
    ok <- mapply(function(pa, nb) ref_is_within_k(D, pa, nb, b, 5), prov$parent, prov$neighbor)
    expect_true(all(ok), label = paste(nominal, "neighbours under the VDM"))
    expect_nominal_from_neighbourhood(res, df, "y", D, k = 5)
    expect_identical(levels(res$f1), levels(df$f1))
    expect_type(res$f2, "character")
    expect_type(res$f3, "logical")
  }
  # the VDM, not a plain mismatch count, decides: in these data the two
  # differ for some minority row's 5 nearest
  mismatch <- ref_dist_mixed(matrix(0, nrow(df), 0), codes, 1)
  b <- which(df$y == "b")
  differs <- vapply(b, function(i) {
    !setequal(ref_nearest(D, i, b, 5), ref_nearest(mismatch, i, b, 5))
  }, logical(1))
  expect_true(any(differs))
})

test_that("distance = \"gower\": neighbours under Gower's distance", {
  df <- sim_mixed(c(a = 50, b = 18), seed = 13)
  df$when <- NULL
  g <- ref_scaled(df, "y", gower = TRUE)
  codes <- ref_nominal_matrix(df, "y")
  D <- ref_dist_gower(g, codes)
  res <- sg_definition(df, "y", distance = "gower", seed = 14)
  expect_interpolated(res, df, "y", D, k = 5)
  expect_nominal_from_neighbourhood(res, df, "y", D, k = 5)
  # and Gower is not SMOTE-NC here: the two choose different neighbours
  Dnc <- smotenc_dists(df)$b
  b <- which(df$y == "b")
  differs <- vapply(b, function(i) !setequal(ref_nearest(D, i, b, 5), ref_nearest(Dnc, i, b, 5)),
                    logical(1))
  expect_true(any(differs))
})

test_that("missing values: nan-Euclidean neighbours, values from whichever row has them", {
  df <- sim_classes(c(a = 55, b = 20), d = 4, seed = 15, integer = "x4", shift = 0.7)
  withr::with_seed(16, {
    for (j in c("x1", "x2", "x3", "x4")) df[[j]][stats::runif(nrow(df)) < 0.3] <- NA
  })
  # a minority row with x1 only, and one with all but x1: they have no
  # column in common, so their distance is infinite (never neighbours)
  b <- which(df$y == "b")
  df[b[1], c("x2", "x3", "x4")] <- NA
  df[b[1], "x1"] <- 0.3
  df[b[2], c("x2", "x3", "x4")] <- c(1.1, 0.9, 12L)
  df[b[2], "x1"] <- NA
  D <- ref_dist_mixed(ref_scaled(df, "y"))
  expect_identical(D[b[1], b[2]], Inf)
  res <- sg_definition(df, "y", over_ratio = c(b = 4), seed = 17)
  prov <- sg_provenance(res)
  expect_interpolated(res, df, "y", D, k = 5)
  expect_false(any(prov$parent == b[1] & prov$neighbor == b[2]))
  expect_false(any(prov$parent == b[2] & prov$neighbor == b[1]))
  # cases of each kind occur: one row missing, both missing (NA kept)
  pa <- as.matrix(df[prov$parent, c("x1", "x2", "x3", "x4")])
  nb <- as.matrix(df[prov$neighbor, c("x1", "x2", "x3", "x4")])
  got <- as.matrix(strip_record(res)[prov$row, c("x1", "x2", "x3", "x4")])
  both <- is.na(pa) & is.na(nb)
  one <- xor(is.na(pa), is.na(nb))
  expect_gt(sum(both), 0)
  expect_gt(sum(one), 0)
  expect_true(all(is.na(got[both])))
  expect_false(anyNA(got[!both]))
  expect_identical(got[is.na(pa) & !is.na(nb)], nb[is.na(pa) & !is.na(nb)])
})

test_that("missing nominal values: distances skip them, values come from a candidate that has one", {
  df <- sim_mixed(c(a = 45, b = 20), seed = 18)[c("num", "cnt", "colour", "shape", "y")]
  withr::with_seed(19, {
    df$colour[stats::runif(nrow(df)) < 0.3] <- NA
    df$num[stats::runif(nrow(df)) < 0.2] <- NA
  })
  D <- smotenc_dists(df)
  res <- sg_definition(df, "y", over_ratio = c(b = 3), seed = 20)
  expect_interpolated(res, df, "y", D, k = 5)
  prov <- sg_provenance(res)
  b <- which(df$y == "b")
  bad <- 0
  for (s in seq_len(nrow(prov))) {
    cand <- c(prov$parent[s], ref_nearest(D$b, prov$parent[s], b, 5))
    have <- df$colour[cand][!is.na(df$colour[cand])]
    got <- res$colour[prov$row[s]]
    if (length(have) == 0) {
      if (!is.na(got)) bad <- bad + 1
    } else if (is.na(got) || !(got %in% have)) {
      bad <- bad + 1
    }
  }
  expect_identical(bad, 0)
})

test_that("a missing outcome is an error naming the rows", {
  df <- sim_classes(c(a = 20, b = 8), seed = 21)
  df$y[c(3, 8)] <- NA
  expect_error(sg_definition(df, "y"), class = "smoteguard_error_input",
               regexp = "row\\(s\\) 3, 8")
  for (method in c("borderline1", "adasyn", "safe_level", "ros")) {
    expect_error(sg_definition(df, "y", method = method), regexp = "row\\(s\\) 3, 8")
  }
})
