# step_smoteguard() and step_smoteguard_clean(): the recipes steps.

# sg_oversampling_method() and sg_cleaning_method() without recipes or
# dials: their values are checked first, and without dials they say so.
# (With dials, the tune() test below reads the parameter objects.)
local_without_dials <- function(env = parent.frame()) {
  ns <- asNamespace("smoteguard")
  real <- get("dials_installed", envir = ns)
  unlockBinding("dials_installed", ns)
  assign("dials_installed", function() FALSE, envir = ns)
  withr::defer({
    assign("dials_installed", real, envir = ns)
    lockBinding("dials_installed", ns)
  }, envir = env)
}

test_that("the method parameters check their values, with or without dials", {
  for (pretend_missing in c(FALSE, TRUE)) {
    local({
      if (pretend_missing) local_without_dials()
      expect_error(sg_oversampling_method("smite"), class = "smoteguard_error_input")
      expect_error(sg_oversampling_method(c("smote", "tomek")), class = "smoteguard_error_input")
      expect_error(sg_oversampling_method(character(0)), class = "smoteguard_error_input")
      expect_error(sg_cleaning_method(NA_character_), class = "smoteguard_error_input")
      expect_error(sg_cleaning_method(1), class = "smoteguard_error_input")
      expect_error(sg_cleaning_method("smote"), "among \"tomek\", \"enn\"")
    })
  }
  expect_snapshot(error = TRUE, sg_cleaning_method(c("tomek", "nope")))
})

test_that("without dials the method parameters are a classed error naming it", {
  local_without_dials()
  expect_error(sg_oversampling_method(), class = "smoteguard_error_missing_package")
  expect_error(sg_cleaning_method("enn"), class = "smoteguard_error_missing_package")
  expect_snapshot(error = TRUE, sg_oversampling_method(c("smote", "ros")))
})

test_that("with dials the method parameters are qualitative parameters of the methods", {
  skip_if_not_installed("dials")
  over <- sg_oversampling_method()
  expect_s3_class(over, "qual_param")
  expect_identical(over$type, "character")
  expect_identical(over$values, c("smote", "ros", "borderline1", "borderline2", "adasyn",
                                  "safe_level", "svm_smote", "kmeans_smote",
                                  "geometric_smote", "mwmote"))
  expect_identical(over$label, c(method = "Oversampling method"))
  expect_identical(sg_oversampling_method(c("adasyn", "smote"))$values, c("adasyn", "smote"))
  clean <- sg_cleaning_method()
  expect_s3_class(clean, "qual_param")
  expect_identical(clean$values, c("tomek", "enn", "cnn", "oss", "ncl", "renn", "allknn"))
  expect_identical(clean$label, c(method = "Cleaning method"))
  # every value is one sg_oversample() / sg_clean() accept
  for (m in over$values) {
    expect_s3_class(suppressWarnings(sg_oversample(breast_biopsy[1:120, ], "diagnosis",
                                                   method = m, seed = 1)), "data.frame")
  }
  for (m in clean$values) {
    expect_s3_class(sg_clean(breast_biopsy[1:120, ], "diagnosis", method = m), "data.frame")
  }
  expect_identical(dials::value_seq(clean, 2), c("tomek", "enn"))
})

skip_if_not_installed("recipes")

# Two overlapping classes with numeric, integer and factor predictors.
step_data <- function(n_major = 120, n_minor = 30, seed = 1) {
  withr::with_seed(seed, {
    cls <- rep(c("major", "minor"), c(n_major, n_minor))
    n <- length(cls)
    shift <- ifelse(cls == "minor", 1.5, 0)
    red <- runif(n) < ifelse(cls == "minor", 0.7, 0.2)
    d <- data.frame(
      x1 = rnorm(n, shift),
      x2 = rnorm(n, shift),
      colour = factor(ifelse(red, "red", sample(c("green", "blue"), n, TRUE))),
      size = as.integer(sample(1:6, n, TRUE) + (cls == "minor") * 2L),
      class = factor(cls))
    d <- d[sample(n), ]
    rownames(d) <- NULL
    d
  })
}

# A data frame without the record and with automatic row names, to compare
# baked tibbles with results of sg_oversample().
plain <- function(d) {
  d <- as.data.frame(d)
  attr(d, "smoteguard") <- NULL
  attr(d, "row.names") <- .set_row_names(nrow(d))
  d
}

# recipes 1.0.5 moved printing to cli: each layout has its snapshots.
print_variant <- function() {
  if (utils::packageVersion("recipes") > "1.0.4") "recipes-cli" else "recipes-plain"
}

test_that("after prep(), the training data are balanced and keep their rows", {
  train <- step_data()
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 11)
  prepped <- recipes::prep(rec)
  baked <- recipes::bake(prepped, new_data = NULL)
  expect_s3_class(baked, "tbl_df")
  expect_identical(as.vector(table(baked$class)), c(120L, 120L))
  n <- nrow(train)
  expect_identical(plain(baked[seq_len(n), names(train)]), train)
  # synthetic rows keep each column's type and levels
  syn <- baked[-seq_len(n), ]
  expect_true(all(syn$class == "minor"))
  expect_type(syn$size, "integer")
  expect_identical(levels(syn$colour), levels(train$colour))
  expect_false(anyNA(syn))
})

test_that("bake() on new data returns exactly the test rows (skip = TRUE)", {
  train <- step_data(seed = 2)
  test <- step_data(n_major = 40, n_minor = 10, seed = 3)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 12, indicator = ".synthetic")
  prepped <- recipes::prep(rec)
  baked_test <- recipes::bake(prepped, new_data = test)
  expect_identical(baked_test, tibble::as_tibble(test))
  expect_true(rec$steps[[1]]$skip)
})

test_that("with skip = FALSE, new data are oversampled too", {
  train <- step_data(seed = 2)
  test <- step_data(n_major = 40, n_minor = 10, seed = 3)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 12, skip = FALSE)
  baked_test <- recipes::bake(recipes::prep(rec), new_data = test)
  direct <- sg_oversample(test, "class", seed = 12)
  expect_identical(plain(baked_test), plain(direct))
})

test_that("the step makes the rows of a direct call with the same seed", {
  train <- step_data(seed = 4)
  settings <- list(
    list(),
    list(method = "borderline1", neighbors = 3),
    list(method = "adasyn", over_ratio = 0.8),
    list(method = "ros", options = list(shrinkage = 0.5)),
    list(guard = NULL),
    list(guard = sg_guard(min_safety = 0.4, jitter = 0.1)),
    list(constraints = sg_constraints(bounds = list(x1 = c(-1, 2)))),
    list(constraints = NULL, method = "borderline2", m_neighbors = 8,
         options = list(nominal = "vote")),
    list(options = list(distance = "gower"))
  )
  # the value and the warnings (fidelity, shortfall) of an expression
  with_warnings <- function(expr) {
    got <- character()
    value <- withCallingHandlers(expr, warning = function(w) {
      got <<- c(got, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
    list(value = value, warnings = got)
  }
  n_warned <- 0L
  for (s in settings) {
    rec <- recipes::recipe(class ~ ., data = train)
    rec <- do.call(step_smoteguard, c(list(rec, quote(class), seed = 21), s))
    baked <- with_warnings(recipes::bake(recipes::prep(rec), new_data = NULL))
    direct_args <- c(s[names(s) != "options"], s$options)
    direct <- with_warnings(do.call(sg_oversample, c(list(train, "class", seed = 21), direct_args)))
    expect_identical(plain(baked$value), plain(direct$value))
    # the step passes on the call's warnings, word for word
    expect_identical(baked$warnings, direct$warnings)
    n_warned <- n_warned + (length(direct$warnings) > 0)
  }
  # (some of these settings do warn on these data: the comparison is not empty)
  expect_gt(n_warned, 0)
})

test_that("an outcome before the predictors: the same rows, the outcome moved last", {
  train <- step_data(seed = 24)
  train <- train[c("class", setdiff(names(train), "class"))]
  rec <- recipes::recipe(class ~ ., data = train)
  baked <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 2)),
                         new_data = NULL)
  expect_identical(names(baked), c(setdiff(names(train), "class"), "class"))
  direct <- sg_oversample(train, "class", seed = 2)
  expect_identical(plain(baked[names(train)]), plain(direct))
})

test_that("the same seed gives the same rows; another seed other rows", {
  train <- step_data(seed = 5)
  rec <- recipes::recipe(class ~ ., data = train)
  one <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 7)), new_data = NULL)
  two <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 7)), new_data = NULL)
  other <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 8)), new_data = NULL)
  expect_identical(one, two)
  expect_false(identical(one, other))
  # the seed is captured when the step is created: prepping twice agrees
  spec <- step_smoteguard(rec, class)
  first <- recipes::bake(recipes::prep(spec), new_data = NULL)
  again <- recipes::bake(recipes::prep(spec, training = train, fresh = TRUE),
                         new_data = NULL)
  expect_identical(first, again)
  # and prep() leaves the caller's random stream as it was
  seeded <- step_smoteguard(rec, class, seed = 7)
  set.seed(99)
  before <- runif(1)
  set.seed(99)
  recipes::prep(seeded)
  expect_identical(runif(1), before)
})

test_that("the indicator marks the synthetic rows", {
  train <- step_data(seed = 6)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 3, indicator = ".synthetic")
  prepped <- recipes::prep(rec)
  baked <- recipes::bake(prepped, new_data = NULL)
  n <- nrow(train)
  expect_type(baked$.synthetic, "logical")
  expect_identical(baked$.synthetic, rep(c(FALSE, TRUE), c(n, nrow(baked) - n)))
  prov <- recipes::tidy(prepped, number = 1, type = "provenance")
  expect_identical(which(baked$.synthetic), prov$row)
  # it is no predictor
  info <- summary(prepped)
  expect_false(".synthetic" %in% info$variable[info$role %in% "predictor"])
})

test_that("non-predictor columns are NA in synthetic rows; groups reach the core", {
  train <- step_data(seed = 7)
  train$patient <- rep(seq_len(nrow(train) / 2), each = 2)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- recipes::update_role(rec, patient, new_role = "id")

  baked <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 5)),
                         new_data = NULL)
  direct <- sg_oversample(train[names(train) != "patient"], "class", seed = 5)
  expect_identical(plain(baked[names(direct)]), plain(direct))
  n <- nrow(train)
  expect_identical(baked$patient, c(train$patient, rep(NA, nrow(baked) - n)))

  grouped <- recipes::bake(
    recipes::prep(step_smoteguard(rec, class, seed = 5, groups = "patient")),
    new_data = NULL)
  direct_grouped <- sg_oversample(train, "class", seed = 5, groups = "patient")
  # recipes puts the outcome after the other columns
  expect_identical(plain(grouped[names(train)]), plain(direct_grouped))
  # no synthetic row has parent and neighbour of one patient
  prov <- sg_provenance(direct_grouped)
  expect_false(any(train$patient[prov$parent] == train$patient[prov$neighbor],
                   na.rm = TRUE))
})

test_that("tidy() gives the selector before prep and the counts after", {
  train <- step_data(seed = 8)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 9, id = "over")
  before <- recipes::tidy(rec, number = 1)
  expect_identical(before, tibble::tibble(
    terms = "class", class = NA_character_, before = NA_integer_,
    after = NA_integer_, generated = NA_integer_, removed = NA_integer_,
    id = "over"))

  prepped <- recipes::prep(rec)
  after <- recipes::tidy(prepped, number = 1)
  expect_identical(after, tibble::tibble(
    terms = "class", class = c("major", "minor"), before = c(120L, 30L),
    after = c(120L, 120L), generated = c(0L, 90L), removed = c(0L, 0L),
    id = "over"))

  direct <- sg_oversample(train, "class", seed = 9)
  prov <- recipes::tidy(prepped, number = 1, type = "provenance")
  expect_identical(as.data.frame(prov[names(prov) != "id"]), sg_provenance(direct))
  expect_identical(unique(prov$id), "over")
  guard <- recipes::tidy(prepped, number = 1, type = "guard")
  expect_identical(as.data.frame(guard[names(guard) != "id"]),
                   sg_guard_report(direct))
})

test_that("tidy() counts the rows removed when the step cleans", {
  train <- step_data(seed = 9)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 2, options = list(clean = "enn"))
  prepped <- recipes::prep(rec)
  baked <- recipes::bake(prepped, new_data = NULL)
  direct <- sg_oversample(train, "class", seed = 2, clean = "enn")
  expect_identical(plain(baked), plain(direct))
  counts <- recipes::tidy(prepped, number = 1)
  expect_gt(sum(counts$removed), 0)
  expect_identical(counts$after, counts$before + counts$generated - counts$removed)
  expect_identical(counts$after, as.vector(table(baked$class)))
})

test_that("prep() oversamples the training data once and warns once", {
  train <- step_data(seed = 10)
  small <- train[c(which(train$class == "major"), which(train$class == "minor")[1:4]), ]
  rec <- recipes::recipe(class ~ ., data = small)
  rec <- step_smoteguard(rec, class, seed = 1, guard = NULL)
  seen <- list()
  withCallingHandlers(
    recipes::prep(rec),
    smoteguard_warning = function(w) {
      seen[[length(seen) + 1]] <<- w
      invokeRestart("muffleWarning")
    })
  classes <- vapply(seen, function(w) class(w)[1], character(1))
  expect_identical(sum(classes == "smoteguard_warning_small_class"), 1L)
  expect_identical(anyDuplicated(classes), 0L)
  # the warning names the step, not the internal call
  expect_identical(conditionCall(seen[[1]]), quote(step_smoteguard()))
})

test_that("nominal predictors are supported, character columns too", {
  train <- step_data(seed = 11)
  train$shape <- ifelse(train$x2 > 0.5, "round", "flat")
  rec <- recipes::recipe(class ~ ., data = train, strings_as_factors = FALSE)
  baked <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 4)),
                         new_data = NULL)
  syn <- baked[-seq_len(nrow(train)), ]
  expect_true(all(syn$shape %in% c("round", "flat")))
  expect_true(all(syn$colour %in% levels(train$colour)))
})

test_that("step_smoteguard_clean() removes rows of the training data only", {
  train <- step_data(seed = 12)
  test <- step_data(n_major = 40, n_minor = 10, seed = 13)
  for (method in c("tomek", "enn")) {
    rec <- recipes::recipe(class ~ ., data = train)
    rec <- step_smoteguard_clean(rec, class, method = method, remove = "both",
                                 id = "clean")
    prepped <- recipes::prep(rec)
    baked <- recipes::bake(prepped, new_data = NULL)
    direct <- sg_clean(train, "class", method = method, remove = "both")
    expect_identical(plain(baked), plain(direct))
    expect_lt(nrow(baked), nrow(train))
    expect_identical(recipes::bake(prepped, new_data = test), tibble::as_tibble(test))
    counts <- recipes::tidy(prepped, number = 1)
    expect_identical(counts$before, c(120L, 30L))
    expect_identical(counts$after, as.vector(table(baked$class)))
    expect_identical(counts$removed, counts$before - counts$after)
    expect_identical(counts$generated, c(0L, 0L))
  }
})

test_that("oversampling then cleaning in one recipe", {
  train <- step_data(seed = 14)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 6)
  rec <- step_smoteguard_clean(rec, class, method = "enn", remove = "both")
  baked <- recipes::bake(recipes::prep(rec), new_data = NULL)
  over <- sg_oversample(train, "class", seed = 6)
  direct <- sg_clean(plain(over), "class", method = "enn", remove = "both")
  expect_identical(plain(baked), plain(direct))
})

test_that("bake() of data with no rows returns them", {
  train <- step_data(seed = 15)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 1, skip = FALSE, indicator = ".synthetic")
  rec <- step_smoteguard_clean(rec, class, skip = FALSE)
  out <- recipes::bake(recipes::prep(rec), new_data = train[0, ])
  expect_identical(nrow(out), 0L)
  expect_type(out$.synthetic, "logical")
})

test_that("print() of the steps, before and after prep", {
  train <- step_data(seed = 16)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 1)
  rec <- step_smoteguard_clean(rec, class, method = "enn")
  prepped <- recipes::prep(rec)
  tuned <- step_smoteguard(recipes::recipe(class ~ ., data = train), class,
                           method = call("tune"))
  expect_snapshot(variant = print_variant(), {
    rec$steps[[1]]
    rec$steps[[2]]
    prepped$steps[[1]]
    prepped$steps[[2]]
    tuned$steps[[1]]
  })
})

test_that("bad arguments are refused when the step is created", {
  rec <- recipes::recipe(class ~ ., data = step_data(seed = 17))
  expect_snapshot(error = TRUE, {
    step_smoteguard(rec, class, method = "smite")
    step_smoteguard(rec, class, neighbors = 0)
    step_smoteguard(rec, class, over_ratio = -1)
    step_smoteguard(rec, class, guard = list(min_safety = 0.2))
    step_smoteguard(rec, class, constraints = "observed")
    step_smoteguard(rec, class, groups = 3)
    step_smoteguard(rec, class, seed = NULL)
    step_smoteguard(rec, class, seed = 1.5)
    step_smoteguard(rec, class, indicator = TRUE)
    step_smoteguard(rec, class, skip = NA)
    step_smoteguard(rec, class, options = list(10))
    step_smoteguard(rec, class, options = list(k = 10, neighbors = 3))
    step_smoteguard_clean(rec, class, method = "smote")
    step_smoteguard_clean(rec, class, remove = "all")
    step_smoteguard_clean(rec, class, options = list(clean = "enn"))
  })
})

test_that("bad data are refused when the step is prepped", {
  train <- step_data(seed = 18)
  train$.synthetic <- TRUE
  rec <- recipes::recipe(class ~ ., data = train)
  info <- rec$term_info
  data <- tibble::as_tibble(train)
  prep_step <- function(step) recipes::prep(step, training = data, info = info)
  expect_snapshot(error = TRUE, {
    prep_step(step_smoteguard(rec, class, x1)$steps[[1]])
    prep_step(step_smoteguard(rec, x1)$steps[[1]])
    prep_step(step_smoteguard(rec, class, groups = "visit")$steps[[1]])
    prep_step(step_smoteguard(rec, class, indicator = ".synthetic")$steps[[1]])
    prep_step(step_smoteguard(rec, class, over_ratio = c(small = 1))$steps[[1]])
    prep_step(step_smoteguard_clean(rec, x2)$steps[[1]])
  })
  # through a recipe the core's classed error is kept
  expect_error(recipes::prep(step_smoteguard(rec, class, over_ratio = c(small = 1))),
               class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, {
    recipes::tidy(step_smoteguard(rec, class)$steps[[1]], type = "provenance")
    recipes::tidy(step_smoteguard(rec, class)$steps[[1]], type = "rows")
  })
})

test_that("tunable() and required_pkgs() of the steps", {
  rec <- recipes::recipe(class ~ ., data = step_data(seed = 19))
  rec <- step_smoteguard(rec, class, id = "over")
  rec <- step_smoteguard_clean(rec, class, id = "clean")
  over <- recipes::tunable(rec$steps[[1]])
  expect_identical(over$name, c("method", "neighbors", "over_ratio", "m_neighbors"))
  expect_identical(over$component, rep("step_smoteguard", 4))
  expect_identical(over$component_id, rep("over", 4))
  expect_identical(vapply(over$call_info, `[[`, "", "fun"),
                   c("sg_oversampling_method", "neighbors", "over_ratio", "neighbors"))
  clean <- recipes::tunable(rec$steps[[2]])
  expect_identical(clean$name, c("method", "neighbors"))
  expect_identical(clean$component_id, rep("clean", 2))
  expect_identical(recipes::required_pkgs(rec$steps[[1]]), "smoteguard")
  expect_identical(recipes::required_pkgs(rec$steps[[2]]), "smoteguard")
  expect_true("smoteguard" %in% recipes::required_pkgs(rec))
})

test_that("tune() placeholders are accepted and become dials parameters", {
  skip_if_not_installed("dials")
  rec <- recipes::recipe(class ~ ., data = step_data(seed = 20))
  rec <- step_smoteguard(rec, class, method = call("tune", "over_method"),
                         neighbors = call("tune"), over_ratio = call("tune"))
  rec <- step_smoteguard_clean(rec, class, method = call("tune", "clean_method"))
  args <- recipes::tune_args(rec)
  expect_identical(args$name, c("method", "neighbors", "over_ratio", "method"))
  expect_identical(args$id, c("over_method", "neighbors", "over_ratio", "clean_method"))
  params <- recipes::extract_parameter_set_dials(rec)
  expect_identical(nrow(params), 4L)
  expect_true(all(vapply(params$object, inherits, TRUE, "param")))
  methods <- params$object[[which(params$component == "step_smoteguard" &
                                    params$name == "method")]]
  expect_identical(methods$values, c("smote", "ros", "borderline1",
                                     "borderline2", "adasyn", "safe_level", "svm_smote", "kmeans_smote",
                                     "geometric_smote", "mwmote"))
  grid <- dials::grid_regular(params, levels = 2)
  expect_gt(nrow(grid), 0)
  expect_s3_class(sg_cleaning_method(), "qual_param")
  expect_snapshot(error = TRUE, sg_oversampling_method("smite"))
  # a recipe still holding tune() cannot be prepped
  expect_error(recipes::prep(rec), "tune\\(\\)|tunable")
})

test_that("the methods are registered with recipes and pass its check", {
  for (cls in c("step_smoteguard", "step_smoteguard_clean")) {
    expect_identical(getS3method("prep", cls, envir = asNamespace("recipes")),
                     get(paste0("prep.", cls), envir = asNamespace("smoteguard")))
    expect_identical(getS3method("bake", cls, envir = asNamespace("recipes")),
                     get(paste0("bake.", cls), envir = asNamespace("smoteguard")))
    for (gen in c("tidy", "tunable", "required_pkgs")) {
      expect_false(is.null(getS3method(gen, cls, optional = TRUE,
                                       envir = asNamespace("generics"))))
    }
  }
  skip_if_not(exists("recipes_extension_check", asNamespace("recipes")),
              "this recipes has no recipes_extension_check()")
  expect_message(recipes::recipes_extension_check(pkg = "smoteguard"),
                 "All steps have all method")
})

test_that("a recipe that normalises then oversamples, inside caret::train()", {
  skip_if_not_installed("caret")
  train <- step_data(n_major = 150, n_minor = 40, seed = 21)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- recipes::step_normalize(rec, recipes::all_numeric_predictors())
  rec <- step_smoteguard(rec, class, seed = 3)
  set.seed(1)
  fit <- caret::train(rec, data = train, method = "glm",
                      trControl = caret::trainControl(method = "cv", number = 3,
                                                      savePredictions = "final"))
  expect_s3_class(fit, "train")
  expect_false(anyNA(fit$results$Accuracy))
  # the final model was fitted to the oversampled training data ...
  expect_identical(stats::nobs(fit$finalModel), 300L)
  # ... and each held-out row was predicted once, as it is
  expect_identical(sort(fit$pred$rowIndex), seq_len(nrow(train)))
})

test_that("a recipe with the step, inside a workflow", {
  skip_if_not_installed("workflows")
  skip_if_not_installed("parsnip")
  train <- step_data(n_major = 150, n_minor = 40, seed = 22)
  test <- step_data(n_major = 50, n_minor = 10, seed = 23)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- recipes::step_normalize(rec, recipes::all_numeric_predictors())
  rec <- step_smoteguard(rec, class, seed = 3, indicator = ".synthetic")
  wf <- workflows::workflow(rec, parsnip::logistic_reg())
  fitted <- parsnip::fit(wf, data = train)
  engine <- workflows::extract_fit_engine(fitted)
  expect_identical(stats::nobs(engine), 300L)
  pred <- stats::predict(fitted, new_data = test)
  expect_identical(nrow(pred), nrow(test))
})

# ---- conventions of recipes steps (themis' step tests, in our words) ----------

# What print() shows, whether recipes prints with cli (messages) or cat().
printed <- function(x) {
  msgs <- testthat::capture_messages(out <- testthat::capture_output(print(x)))
  paste(c(out, msgs), collapse = "\n")
}

test_that("selectors that choose nothing make a step that does nothing", {
  train <- step_data(seed = 30)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, recipes::has_role("nothing"), seed = 1,
                         indicator = ".synthetic")
  rec <- step_smoteguard_clean(rec, recipes::has_role("nothing"))
  prepped <- recipes::prep(rec)
  baked <- recipes::bake(prepped, new_data = NULL)
  expect_identical(nrow(baked), nrow(train))
  expect_identical(baked$.synthetic, rep(FALSE, nrow(train)))
  expect_identical(plain(baked[names(train)]), plain(train))
  for (i in 1:2) {
    counts <- recipes::tidy(prepped, number = i)
    expect_identical(nrow(counts), 0L)
    expect_named(counts, c("terms", "class", "before", "after", "generated",
                           "removed", "id"))
  }
  expect_identical(nrow(recipes::tidy(prepped, number = 1, type = "provenance")), 0L)
  expect_match(printed(prepped$steps[[1]]), "<none>")
  expect_match(printed(prepped$steps[[2]]), "<none>")
})

test_that("with skip = FALSE, one row or one class is returned unchanged, with a warning", {
  train <- step_data(seed = 31)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 1, skip = FALSE, indicator = ".synthetic")
  prepped <- suppressWarnings(recipes::prep(rec))
  one_row <- train[1, ]
  expect_warning(out <- recipes::bake(prepped, new_data = one_row),
                 class = "smoteguard_warning_bake_one_class")
  expect_identical(nrow(out), 1L)
  expect_false(out$.synthetic)
  expect_identical(plain(out[names(train)]), plain(one_row))
  one_class <- train[train$class == "major", ][1:20, ]
  expect_snapshot(out <- recipes::bake(prepped, new_data = one_class))
  expect_identical(plain(out[names(train)]), plain(one_class))
  cleaner <- recipes::prep(step_smoteguard_clean(recipes::recipe(class ~ ., data = train),
                                                 class, skip = FALSE))
  expect_warning(out <- recipes::bake(cleaner, new_data = one_class),
                 class = "smoteguard_warning_bake_one_class")
  expect_identical(plain(out[names(train)]), plain(one_class))
  # no rows at all: no warning, nothing to say
  expect_no_warning(out <- recipes::bake(prepped, new_data = train[0, ]))
  expect_identical(nrow(out), 0L)
})

test_that("a character outcome, and a factor outcome with an unused level", {
  train <- step_data(seed = 32)
  chr <- train
  chr$class <- as.character(chr$class)
  rec <- recipes::recipe(class ~ ., data = chr, strings_as_factors = FALSE)
  baked <- recipes::bake(recipes::prep(step_smoteguard(rec, class, seed = 2)),
                         new_data = NULL)
  expect_type(baked$class, "character")
  direct <- sg_oversample(chr, "class", seed = 2)
  expect_identical(table(baked$class), table(direct$class))

  unused <- train
  unused$class <- factor(unused$class, levels = c("major", "minor", "rare"))
  rec <- recipes::recipe(class ~ ., data = unused)
  prepped <- recipes::prep(step_smoteguard(rec, class, seed = 2))
  baked <- recipes::bake(prepped, new_data = NULL)
  expect_identical(levels(baked$class), c("major", "minor", "rare"))
  expect_identical(sum(baked$class == "rare"), 0L)
  counts <- recipes::tidy(prepped, number = 1)
  expect_identical(counts$class, c("major", "minor", "rare"))
  expect_identical(counts$generated[3], 0L)
})

test_that("importance weights are honoured: each synthetic row takes its parent's, never NA", {
  skip_if_not_installed("hardhat")
  train <- step_data(seed = 33)
  train$w <- hardhat::importance_weights(withr::with_seed(1, runif(nrow(train), 0.5, 2)))
  rec <- recipes::recipe(class ~ ., data = train)
  expect_identical(summary(rec)$role[summary(rec)$variable == "w"], "case_weights")
  prepped <- recipes::prep(step_smoteguard(rec, class, seed = 4))
  baked <- recipes::bake(prepped, new_data = NULL)
  w <- as.double(unclass(baked$w))
  expect_false(anyNA(w))
  prov <- recipes::tidy(prepped, number = 1, type = "provenance")
  expect_gt(nrow(prov), 0)
  expect_identical(w[prov$row], as.double(unclass(train$w))[prov$parent])
  expect_identical(w[seq_len(nrow(train))], as.double(unclass(train$w)))
  # the weights are no predictor: the rows are those of a direct call
  direct <- sg_oversample(train, "class", seed = 4, weights = "w")
  expect_identical(plain(baked[names(train)]), plain(direct))
  expect_match(printed(prepped$steps[[1]]), "Trained, weighted")
  # with skip = FALSE, new data are oversampled with their weights too
  again <- recipes::prep(step_smoteguard(rec, class, seed = 4, skip = FALSE))
  new_rows <- train[c(1:40, which(train$class == "minor")[1:10]), ]
  out <- recipes::bake(again, new_data = new_rows)
  expect_gt(nrow(out), nrow(new_rows))
  expect_s3_class(out$w, "hardhat_importance_weights")
  expect_false(anyNA(as.double(unclass(out$w))))
  # cleaning ignores them and says so; kept rows keep theirs
  cleaned <- recipes::prep(step_smoteguard_clean(rec, class))
  expect_match(printed(cleaned$steps[[1]]), "ignored weights")
  out <- recipes::bake(cleaned, new_data = NULL)
  expect_false(anyNA(as.double(unclass(out$w))))
  # fitted with the weights, the model uses every baked row
  fit <- stats::glm(class ~ x1 + x2 + colour + size, family = stats::quasibinomial,
                    data = baked, weights = as.double(unclass(baked$w)))
  expect_identical(stats::nobs(fit), nrow(baked))
})

test_that("frequency weights are refused with an error that says why, never NA", {
  skip_if_not_installed("hardhat")
  train <- step_data(seed = 34)
  train$w <- hardhat::frequency_weights(withr::with_seed(1, sample(1:3, nrow(train), TRUE)))
  rec <- step_smoteguard(recipes::recipe(class ~ ., data = train), class, seed = 4)
  expect_error(recipes::prep(rec), class = "smoteguard_error_case_weights")
  expect_snapshot(error = TRUE, recipes::prep(rec))
  expect_error(sg_oversample(train, "class", weights = "w"),
               class = "smoteguard_error_case_weights")
})

test_that("tunable() lists the registered methods' parameters that are step arguments", {
  rec <- recipes::recipe(class ~ ., data = step_data(seed = 35))
  rec <- step_smoteguard(rec, class, id = "over")
  over <- recipes::tunable(rec$steps[[1]])
  expect_identical(over$name, c("method", "neighbors", "over_ratio", "m_neighbors"))
  # m_neighbors' range is Borderline-SMOTE's registration
  reg <- tunable_params(c("borderline1", "borderline2"))$m_neighbors
  expect_identical(over$call_info[[4]], reg)
  skip_if_not_installed("dials")
  rec <- recipes::recipe(class ~ ., data = step_data(seed = 35))
  rec <- step_smoteguard(rec, class, method = call("tune"),
                         m_neighbors = call("tune"))
  params <- recipes::extract_parameter_set_dials(rec)
  expect_identical(params$name, c("method", "m_neighbors"))
  expect_identical(params$object[[2]]$range, list(lower = 3L, upper = 20L))
  expect_identical(params$object[[1]]$values, method_names(oversampling_families))
  # every registered method of the steps' families is accepted
  for (m in method_names(oversampling_families)) {
    expect_identical(step_smoteguard(rec, class, method = m)$steps[[2]]$method, m)
  }
  for (m in method_names("clean")) {
    expect_identical(step_smoteguard_clean(rec, class, method = m)$steps[[2]]$method, m)
  }
})

test_that("the provenance and the guard report of each prepped step", {
  train <- step_data(seed = 36)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- step_smoteguard(rec, class, seed = 1, over_ratio = 0.6, id = "first")
  rec <- step_smoteguard(rec, class, seed = 2, method = "ros", id = "second",
                         indicator = ".synthetic")
  prepped <- suppressWarnings(recipes::prep(rec))
  p1 <- recipes::tidy(prepped, number = 1, type = "provenance")
  p2 <- recipes::tidy(prepped, id = "second", type = "provenance")
  expect_identical(p1$id, rep("first", nrow(p1)))
  expect_identical(p1[names(p1) != "id"],
                   tibble::as_tibble(prepped$steps[[1]]$record$provenance))
  expect_identical(p2[names(p2) != "id"],
                   tibble::as_tibble(prepped$steps[[2]]$record$provenance))
  expect_identical(unique(p2$kind), "copy")
  expect_identical(unique(p1$kind), "interpolate")
  g1 <- recipes::tidy(prepped, number = 1, type = "guard")
  expect_identical(g1[names(g1) != "id"],
                   tibble::as_tibble(prepped$steps[[1]]$record$guard$report))
  # the baked training data, diagnosed through the step or its indicator
  baked <- recipes::bake(prepped, new_data = NULL)
  by_step <- sg_diagnose(baked, synthetic = prepped$steps[[2]], seed = 1)
  by_indicator <- sg_diagnose(baked, synthetic = ".synthetic", var = "class", seed = 1)
  expect_s3_class(by_step, "sg_diagnosis")
  expect_s3_class(by_indicator, "sg_diagnosis")
  expect_identical(by_step$method, "ros")
  expect_error(sg_diagnose(baked, synthetic = "x1", var = "class"),
               class = "smoteguard_error_input")
})

test_that("groups: a non-predictor role, the parent's id in synthetic rows, every row in glm()", {
  train <- step_data(seed = 37)
  train$patient <- rep(seq_len(nrow(train) / 3), each = 3)
  rec <- recipes::recipe(class ~ ., data = train)
  expect_error(recipes::prep(step_smoteguard(rec, class, groups = "patient")),
               class = "smoteguard_error_group_role")
  rec <- recipes::update_role(rec, patient, new_role = "group")
  prepped <- recipes::prep(step_smoteguard(rec, class, seed = 3, groups = "patient"))
  baked <- recipes::bake(prepped, new_data = NULL)
  prov <- recipes::tidy(prepped, number = 1, type = "provenance")
  expect_false(anyNA(baked$patient))
  expect_identical(baked$patient[prov$row], train$patient[prov$parent])
  fit <- stats::glm(class ~ x1 + x2 + colour + size, family = stats::binomial,
                    data = baked)
  expect_identical(stats::nobs(fit), nrow(baked))
})

test_that("groups end to end: no synthetic row of an analysis set reaches its assessment set", {
  skip_if_not_installed("rsample")
  train <- step_data(n_major = 150, n_minor = 60, seed = 38)
  train$patient <- rep(seq_len(nrow(train) / 3), each = 3)
  rec <- recipes::recipe(class ~ ., data = train)
  rec <- recipes::update_role(rec, patient, new_role = "group")
  rec <- step_smoteguard(rec, class, seed = 5, groups = "patient")
  folds <- withr::with_seed(1, rsample::group_vfold_cv(train, group = patient, v = 4))
  for (split in folds$splits) {
    analysis <- rsample::analysis(split)
    assessment <- rsample::assessment(split)
    prepped <- suppressWarnings(recipes::prep(rec, training = analysis))
    baked <- recipes::bake(prepped, new_data = NULL)
    prov <- recipes::tidy(prepped, number = 1, type = "provenance")
    expect_gt(nrow(prov), 0)
    # parents and neighbours are rows of the analysis set, whose patients
    # are none of the assessment set's
    used <- analysis$patient[c(prov$parent, prov$neighbor[!is.na(prov$neighbor)])]
    expect_false(any(used %in% assessment$patient))
    expect_false(any(baked$patient %in% assessment$patient))
    # no synthetic row pairs one patient's rows
    expect_false(any(analysis$patient[prov$parent] ==
                       analysis$patient[prov$neighbor], na.rm = TRUE))
    # the assessment rows are baked as they are
    expect_identical(nrow(recipes::bake(prepped, new_data = assessment)),
                     nrow(assessment))
    fit <- stats::glm(class ~ x1 + x2 + colour + size, family = stats::binomial,
                      data = baked)
    expect_identical(stats::nobs(fit), nrow(baked))
  }
})
