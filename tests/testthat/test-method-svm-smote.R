# SVM-SMOTE (sg_oversample(method = "svm_smote")): its parents, kinds and
# gaps against a plain-R reading of the definition, and its danger and safe
# sets against imbalanced-learn 0.10's SVMSMOTE given the same support
# vectors.

svm_data <- function(seed, counts = c(a = 150, b = 50), shift = 0.8) {
  df <- sim_classes(counts, d = 2, seed = seed, shift = shift)
  x <- scale(as.matrix(df[c("x1", "x2")]))
  attributes(x) <- list(dim = dim(x))
  df$x1 <- x[, 1]
  df$x2 <- x[, 2]
  list(df = df, x = x)
}

# The support vectors as the definition states them: libsvm (e1071), radial
# kernel, cost 1, gamma 1 / columns, on the standardised predictors.
ref_support <- function(df) {
  z <- ref_scaled(df, "y")
  fit <- e1071::svm(x = z, y = df$y[, drop = TRUE], type = "C-classification",
                    kernel = "radial", cost = 1, gamma = 1 / ncol(z), scale = FALSE)
  sort(as.integer(fit$index))
}

# Danger / safe / noise rows among `rows` by their m nearest rows of the
# whole data.
ref_borderline_state <- function(D, y, rows, m = 10) {
  y <- as.character(y)
  mprime <- vapply(rows, function(i) sum(y[ref_nearest(D, i, seq_along(y), m)] != y[i]), 0)
  ifelse(mprime == m, "noise", ifelse(mprime >= m / 2, "danger", "safe"))
}

test_that("SVM-SMOTE: support vectors are the parents, danger ones interpolate and safe ones extrapolate", {
  skip_if_not_installed("e1071")
  for (s in 1:2) {
    d <- svm_data(300 + s)
    df <- d$df
    D <- ref_dist_euclidean(ref_scaled(df, "y"))
    sv <- ref_support(df)
    b_sv <- sv[df$y[sv] == "b"]
    state <- ref_borderline_state(D, df$y, b_sv)
    expect_true(all(c("danger", "safe") %in% state))
    res <- sg_oversample(df, "y", method = "svm_smote", seed = s, guard = NULL,
                         constraints = NULL, out_step = 0.7)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 100L)
    # every usable support vector is a parent (parents take turns)
    expect_identical(sort(unique(prov$parent)), b_sv[state != "noise"])
    kind_of <- stats::setNames(state, b_sv)[as.character(prov$parent)]
    expect_identical(prov$kind, ifelse(kind_of == "danger", "interpolate", "extrapolate"),
                     ignore_attr = TRUE)
    inter <- prov$kind == "interpolate"
    expect_true(all(prov$gap[inter] >= 0 & prov$gap[inter] <= 1))
    expect_true(all(prov$gap[!inter] >= -0.7 & prov$gap[!inter] < 0))
    # the neighbour is one of the parent's 5 nearest rows of its class
    b <- which(df$y == "b")
    near <- vapply(seq_len(nrow(prov)), function(r) {
      prov$neighbor[r] %in% ref_nearest(D, prov$parent[r], b, 5)
    }, NA)
    expect_true(all(near))
    # the values: parent + gap * (neighbour - parent), also beyond the parent
    x <- as.matrix(df[c("x1", "x2")])
    expect_equal(unname(as.matrix(res[prov$row, c("x1", "x2")])),
                 unname(x[prov$parent, ] + prov$gap * (x[prov$neighbor, ] - x[prov$parent, ])),
                 tolerance = 1e-12)
    # the record counts danger, safe and noise support vectors
    seeds <- sg_record(res)$seeds
    expect_identical(seeds$danger, sum(state == "danger"))
    expect_identical(seeds$safe, sum(state == "safe"))
    expect_identical(seeds$noise, sum(state == "noise"))
    expect_identical(seeds$seeds, sum(state != "noise"))
    # with a guard the method reads the pipeline's whole-data search (it
    # makes its own for the support vectors only without one): the same sets
    guarded <- suppressWarnings(sg_oversample(df, "y", method = "svm_smote", seed = s,
                                              constraints = NULL, out_step = 0.7))
    for (what in c("danger", "safe", "noise")) {
      expect_identical(sg_record(guarded)$seeds[[what]], seeds[[what]])
    }
  }
})

test_that("SVM-SMOTE's support vectors, danger and safe sets are imbalanced-learn 0.10's", {
  skip_if_not_installed("e1071")
  skip_if_no_imblearn()
  for (s in 1:2) {
    d <- svm_data(310 + s)
    df <- d$df
    sv <- ref_support(df)
    yy <- as.integer(df$y == "b")
    out <- run_imblearn(d$x, yy, c(
      "from imblearn.over_sampling import SVMSMOTE",
      "from sklearn.svm import SVC",
      "from sklearn.neighbors import NearestNeighbors",
      sprintf("sv = np.array([%s]) - 1", paste(sv, collapse = ",")),
      # the same SVM settings: gamma 1 / columns (its default 'scale' divides
      # by the variance too, about 1 on standardised data)
      "s = SVMSMOTE(m_neighbors=10, svm_estimator=SVC(gamma=1/X.shape[1]), random_state=0)",
      "s.fit_resample(X, y)",
      "nn = NearestNeighbors(n_neighbors=11).fit(X)",
      "sv = sv[y[sv] == 1]",
      "noise = s._in_danger_noise(nn, X[sv], 1, y, kind='noise')",
      "kept = sv[~noise]",
      "danger = s._in_danger_noise(nn, X[kept], 1, y, kind='danger')",
      "K = np.zeros((len(y), 4))",
      "K[sv[noise], 0] = 1; K[kept[danger], 1] = 1; K[kept[~danger], 2] = 1",
      "K[s.svm_estimator_.support_, 3] = 1",
      "np.savetxt(out, K, fmt='%d', delimiter=',')"))
    # libsvm in both: the same support vectors, up to one at the margin
    # (the two builds' solvers stop at slightly different points)
    theirs <- which(out[, 4] == 1)
    expect_lte(length(union(setdiff(sv, theirs), setdiff(theirs, sv))), 1)
    res <- sg_oversample(df, "y", method = "svm_smote", seed = s, guard = NULL,
                         constraints = NULL)
    prov <- sg_provenance(res)
    expect_identical(sort(unique(prov$parent[prov$kind == "interpolate"])), which(out[, 2] == 1))
    expect_identical(sort(unique(prov$parent[prov$kind == "extrapolate"])), which(out[, 3] == 1))
    expect_false(any(prov$parent %in% which(out[, 1] == 1)))
  }
})

test_that("SVM-SMOTE runs on the shipped data and on nominal columns; missing values are refused", {
  skip_if_not_installed("e1071")
  res <- withCallingHandlers(
    sg_oversample(breast_biopsy, "diagnosis", method = "svm_smote", seed = 1),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
  expect_identical(as.integer(table(res$diagnosis)), c(444L, 444L))
  expect_setequal(unique(sg_provenance(res)$kind), c("interpolate", "extrapolate"))
  set.seed(320)
  n <- 160
  df <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                   colour = factor(sample(c("red", "green", "blue"), n, TRUE)),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.75, 0.25))))
  df$x1[df$y == "b"] <- df$x1[df$y == "b"] + 1
  mixed <- sg_oversample(df, "y", method = "svm_smote", seed = 2, guard = NULL)
  expect_identical(as.integer(table(mixed$y))[1], as.integer(table(mixed$y))[2])
  expect_true(all(mixed$colour %in% levels(df$colour)))
  df$x2[c(3, 9)] <- NA
  expect_error(sg_oversample(df, "y", method = "svm_smote", seed = 2),
               class = "smoteguard_error_input", regexp = "svm_smote.*missing values")
})

test_that("a method whose suggested package is missing is refused, naming both", {
  m <- smoteguard:::new_sampler_method(
    name = "needs_pkg", family = "interpolate", rank = 99, title = "test",
    reference = "", draw = smoteguard:::draw_in_turns,
    suggests = "notapackage.sg")
  reg <- smoteguard:::registry
  reg$methods$needs_pkg <- m
  on.exit(reg$methods$needs_pkg <- NULL)
  expect_error(smoteguard:::check_method_packages("needs_pkg"),
               class = "smoteguard_error_missing_package",
               regexp = "needs_pkg.*notapackage.sg")
  expect_silent(smoteguard:::check_method_packages("svm_smote"))
})
