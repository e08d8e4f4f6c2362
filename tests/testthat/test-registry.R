# The registry and the contract every registered sampler keeps. A method
# gets these tests by being registered: expect_sampler_contract() is run
# over sg_methods(), family by family.

contract_data <- function(seed = 1) {
  set.seed(seed)
  n <- c(a = 60, b = 25, c = 12)
  y <- factor(rep(names(n), n), levels = c(names(n), "unused"))
  shift <- c(a = 0, b = 1.5, c = -1.5)[as.character(y)]
  data.frame(x1 = rnorm(sum(n)) + shift, x2 = rnorm(sum(n)) - shift,
             x3 = runif(sum(n)), y = y, id = seq_len(sum(n)),
             row.names = sprintf("r%03d", seq_len(sum(n))))
}

# NearMiss-3 may find fewer candidates than its target, and the boundary
# and cluster methods move a class's mean (warnings the contract does not
# judge).
run_sampler <- function(method, data, ...) {
  fam <- sg_methods()$family[sg_methods()$method == method]
  withCallingHandlers(switch(fam,
    interpolate = , copy = sg_oversample(data, "y", method = method, ...),
    clean = sg_clean(data, "y", method = method, ...),
    undersample = sg_undersample(data, "y", method = method, ...)),
    smoteguard_warning_shortfall = function(w) invokeRestart("muffleWarning"),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
}

# The numeric-outcome family ("regress": SMOTER, SMOGN): a skewed outcome
# with rare high and low values.
regress_contract_data <- function(seed = 1) {
  set.seed(seed)
  y <- c(rnorm(70, 10, 1), 15 + rexp(8), c(2, 3, 4))
  data.frame(x1 = y + rnorm(81), x2 = runif(81), y = y, id = seq_len(81),
             row.names = sprintf("r%03d", seq_len(81)))
}

run_regress <- function(method, data, ...) {
  withCallingHandlers(sg_oversample(data, "y", method = method, ...),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
}

# For the "regress" family: the outcome's type kept; without `under`, the
# originals first and unchanged; with `under = TRUE`, the kept rows are a
# subset of the input in their order (common bins may lose rows, rare bins
# never do); new rows only in rare bins, their provenance consistent with
# the rows (interpolated rows on the segment, outcome between the parents';
# noise rows without neighbour or gap); seeds, threads, bad parameters and
# a guard as for every family.
expect_regress_contract <- function(method) {
  d <- regress_contract_data()
  n <- nrow(d)
  label <- sprintf("method \"%s\"", method)
  res <- run_regress(method, d, exclude = "id", seed = 3)
  rec <- sg_record(res)
  expect_identical(names(res), names(d), label = label)
  expect_identical(vapply(res, class, ""), vapply(d, class, ""), label = label)
  expect_identical(res[seq_len(n), , drop = FALSE], d, ignore_attr = "smoteguard",
                   label = label)
  prov <- sg_provenance(res)
  expect_identical(prov$row, n + seq_len(nrow(res) - n), label = label)
  rare <- as.character(rec$bins$bin[rec$bins$rare])
  expect_true(all(as.character(prov$class) %in% rare), label = label)
  expect_identical(rec$counts$after, rec$bins$after, label = label)
  expect_identical(sum(rec$bins$after), nrow(res), label = label)
  expect_identical(res$id[prov$row], d$id[prov$parent], label = label)
  inter <- prov$kind == "interpolate"
  expect_true(all(prov$kind %in% c("interpolate", "noise", "copy")), label = label)
  x <- as.matrix(d[c("x1", "x2")])
  made <- as.matrix(res[prov$row[inter], c("x1", "x2")])
  p <- prov$parent[inter]
  nb <- prov$neighbor[inter]
  expect_equal(unname(made), unname(x[p, ] + prov$gap[inter] * (x[nb, ] - x[p, ])),
               tolerance = 1e-12, label = label)
  yn <- res$y[prov$row[inter]]
  expect_true(all(yn >= pmin(d$y[p], d$y[nb]) - 1e-12 & yn <= pmax(d$y[p], d$y[nb]) + 1e-12),
              label = label)
  expect_true(all(is.na(prov$neighbor[!inter]) & is.na(prov$gap[!inter])), label = label)

  # under-sampled: a subset of the input in its order, then the new rows
  under <- run_regress(method, d, exclude = "id", seed = 3, under = TRUE)
  ur <- sg_record(under)
  kept <- setdiff(seq_len(n), ur$removed$row)
  expect_identical(under[seq_along(kept), , drop = FALSE], d[kept, , drop = FALSE],
                   ignore_attr = "smoteguard", label = label)
  expect_true(all(!ur$bins$rare[as.integer(ur$removed$class)]), label = label)
  expect_true(all(ur$bins$after[ur$bins$rare] >= ur$bins$before[ur$bins$rare]), label = label)

  again <- run_regress(method, d, exclude = "id", seed = 3)
  expect_identical(again, res, ignore_attr = "smoteguard", label = label)
  two <- run_regress(method, d, exclude = "id", seed = 3, threads = 2)
  expect_identical(two, res, ignore_attr = "smoteguard", label = label)
  for (p in names(sg_method_params(method))) {
    bad <- stats::setNames(list(sg_method_params(method)[[p]]$invalid %||% -1), p)
    expect_error(do.call(run_regress, c(list(method, d), bad)),
                 class = "smoteguard_error_input", label = sprintf("%s, %s", label, p))
  }
  expect_error(run_regress(method, d, threads = 0), class = "smoteguard_error_input",
               label = label)
  expect_error(run_regress(method, d, guard = sg_guard()), class = "smoteguard_error_input",
               label = label)
  # a class outcome is refused
  expect_error(run_regress(method, contract_data()), class = "smoteguard_error_outcome_type",
               label = label)
}

# What the result of `method` on `data` must be, by family.
expect_sampler_contract <- function(method) {
  info <- sg_methods()[sg_methods()$method == method, ]
  fam <- info$family
  if (fam == "regress") return(expect_regress_contract(method))
  d <- contract_data()
  n <- nrow(d)
  # seeded calls: oversamplers plain (no guard or constraints, so the
  # counts are the targets exactly and every value is the interpolation)
  extra <- if (fam %in% c("interpolate", "copy")) {
    list(guard = NULL, constraints = NULL, exclude = "id")
  } else if (fam == "undersample") list(seed = 3) else list()
  if (fam %in% c("interpolate", "copy")) extra$seed <- 3
  res <- do.call(run_sampler, c(list(method, d), extra))
  rec <- sg_record(res)
  label <- sprintf("method \"%s\"", method)

  # types, levels and columns kept
  expect_identical(names(res), names(d), label = label)
  expect_identical(vapply(res, class, ""), vapply(d, class, ""), label = label)
  expect_identical(levels(res$y), levels(d$y), label = label)
  expect_identical(rec$counts$before, as.integer(table(d$y)), label = label)
  expect_identical(rec$counts$after, as.integer(table(res$y)), label = label)

  if (fam %in% c("interpolate", "copy")) {
    # the originals first and unchanged, then the synthetic rows
    expect_identical(res[seq_len(n), , drop = FALSE], d, ignore_attr = "smoteguard",
                     label = label)
    expect_identical(as.integer(table(res$y))[1:3], rep(60L, 3), label = label)
    prov <- sg_provenance(res)
    expect_identical(prov$row, n + seq_len(nrow(res) - n), label = label)
    expect_identical(as.character(prov$class), as.character(res$y[prov$row]),
                     label = label)
    expect_true(all(d$y[prov$parent] == prov$class), label = label)
    # the excluded column comes from the parent
    expect_identical(res$id[prov$row], d$id[prov$parent], label = label)
    x <- as.matrix(d[c("x1", "x2", "x3")])
    made <- as.matrix(res[prov$row, c("x1", "x2", "x3")])
    if (fam == "interpolate") {
      expect_true(all(!is.na(prov$neighbor)), label = label)
      expected <- x[prov$parent, ] + prov$gap * (x[prov$neighbor, ] - x[prov$parent, ])
      # Geometric SMOTE's rows lie in the hypersphere around the parent
      # through the neighbour (standardised scale), the gap their component
      # along that direction
      geo <- prov$kind == "geometric"
      expect_equal(unname(made[!geo, , drop = FALSE]), unname(expected[!geo, , drop = FALSE]),
                   tolerance = 1e-12, label = label)
      if (any(geo)) {
        s <- apply(x, 2, stats::sd)
        off <- sweep(made[geo, , drop = FALSE] - x[prov$parent[geo], , drop = FALSE], 2, s, "/")
        dir <- sweep(x[prov$neighbor[geo], , drop = FALSE] - x[prov$parent[geo], , drop = FALSE],
                     2, s, "/")
        expect_true(all(rowSums(off^2) <= rowSums(dir^2) * (1 + 1e-9)), label = label)
        expect_equal(unname(rowSums(off * dir) / rowSums(dir^2)), prov$gap[geo], tolerance = 1e-9,
                     label = label)
      }
      # a gap in [0, 1], or below 0 for a row that extrapolates
      # (SVM-SMOTE's safe parents)
      away <- prov$kind == "extrapolate"
      expect_true(all(prov$gap[!away] >= 0 & prov$gap[!away] <= 1), label = label)
      expect_true(all(prov$gap[away] <= 0), label = label)
      expect_true(all(prov$kind %in% c("interpolate", "extrapolate", "geometric")), label = label)
    } else {
      expect_equal(unname(made), unname(x[prov$parent, ]), label = label)
    }
  } else {
    # a subset of the input rows, unchanged and in their order; the
    # removed rows recorded
    kept <- match(rownames(res), rownames(d))
    expect_false(anyNA(kept), label = label)
    expect_false(is.unsorted(kept, strictly = TRUE), label = label)
    expect_identical(res, d[kept, , drop = FALSE], ignore_attr = "smoteguard",
                     label = label)
    expect_identical(sort(c(kept, rec$removed$row)), seq_len(n), label = label)
    expect_identical(as.character(rec$removed$class),
                     as.character(d$y[rec$removed$row]), label = label)
    if (fam == "undersample") {
      smallest <- min(table(d$y)[table(d$y) > 0])
      expect_true(all(table(res$y)[1:3] <= max(smallest, 1)), label = label)
    }
  }

  # the same seed, the same result; 1 thread = 2 threads
  again <- do.call(run_sampler, c(list(method, d), extra))
  expect_identical(again, res, ignore_attr = "smoteguard", label = label)
  two <- do.call(run_sampler, c(list(method, d), extra, list(threads = 2)))
  expect_identical(two, res, ignore_attr = "smoteguard", label = label)

  # bad parameters are refused with a classed error, each parameter of the
  # method by its own check
  params <- names(sg_method_params(method))
  for (p in params) {
    bad <- stats::setNames(list(sg_method_params(method)[[p]]$invalid %||% -1), p)
    expect_error(do.call(run_sampler, c(list(method, d), bad)),
                 class = "smoteguard_error_input", label = sprintf("%s, %s = -1", label, p))
  }
  expect_error(run_sampler(method, d, threads = 0), class = "smoteguard_error_input",
               label = label)

  # a guard given to a family it does not apply to is refused
  if (fam %in% c("clean", "undersample")) {
    expect_error(run_sampler(method, d, guard = sg_guard()),
                 class = "smoteguard_error_input", label = label)
  }
}

sg_method_params <- function(method) smoteguard:::sampler_method(method)$params

test_that("every registered sampler keeps the contract of its family", {
  methods <- sg_methods()$method
  expect_setequal(methods, c("smote", "ros", "borderline1", "borderline2", "adasyn",
                             "safe_level", "svm_smote", "kmeans_smote", "geometric_smote",
                             "mwmote", "tomek", "enn",
                             "cnn", "oss", "ncl", "renn", "allknn", "random", "nearmiss1", "nearmiss2",
                             "nearmiss3", "cluster_centroids", "instance_hardness",
                             "smoter", "smogn"))
  for (m in methods) expect_sampler_contract(m)
})

test_that("sg_methods() describes every method from the registry", {
  m <- sg_methods()
  expect_s3_class(m, "data.frame")
  expect_named(m, c("method", "family", "entry", "outcome", "parameters",
                    "boundary", "description", "reference"))
  expect_false(anyDuplicated(m$method) > 0)
  expect_true(all(nzchar(m$description)))
  expect_identical(m$entry[m$family == "clean"], rep("sg_clean", 7))
  expect_identical(sg_methods("clean")$method,
                   c("tomek", "enn", "cnn", "oss", "ncl", "renn", "allknn"))
  expect_identical(sg_methods(c("interpolate", "copy"))$method,
                   c("smote", "ros", "borderline1", "borderline2", "adasyn", "safe_level",
                     "svm_smote", "kmeans_smote", "geometric_smote", "mwmote"))
  # the methods that seek the boundary are those the guard leaves at it
  expect_identical(m$method[m$boundary],
                   c("borderline1", "borderline2", "adasyn", "svm_smote", "mwmote"))
  expect_match(m$parameters[m$method == "borderline1"], "m_neighbors = 10")
  expect_error(sg_methods("nope"), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_methods("nope"))
})

test_that("the entry points accept exactly the registered methods of their families", {
  d <- contract_data()
  for (m in sg_methods("clean")$method) expect_silent(sg_clean(d, "y", method = m))
  expect_error(sg_clean(d, "y", method = "smote"), class = "smoteguard_error_input")
  expect_error(sg_undersample(d, "y", method = "tomek"), class = "smoteguard_error_input")
  expect_error(sg_oversample(d, "y", method = "nearmiss1"), class = "smoteguard_error_input")
  expect_error(sg_caret_sampling("enn"), class = "smoteguard_error_input")
})

test_that("a method that cannot be found in the registry is an internal error", {
  expect_error(smoteguard:::sampler_method("nope"), class = "smoteguard_error_internal")
})

test_that("checked method parameters are kept, and a bad value is refused after a good one", {
  check <- smoteguard:::check_method_params
  good <- list(noise_neighbors = 5, border_neighbors = 3)
  first <- check("mwmote", good)
  expect_type(first$noise_neighbors, "integer")
  expect_identical(check("mwmote", good), first)
  expect_error(check("mwmote", list(noise_neighbors = -1, border_neighbors = 3)),
               class = "smoteguard_error_input")
  expect_identical(check("mwmote", good), first)
  # the default guard, made once, is the guard sg_guard() makes
  expect_identical(sg_guard(), sg_guard(min_safety = 0.2))
  expect_identical(sg_guard(), sg_guard())
})
