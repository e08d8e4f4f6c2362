# Learners (R/learners.R): a fit and a predict returning the probability of
# the positive class (the outcome's second level).

ctx <- list(rep = 1L, fold = 2L, sampler_label = "smote")

test_that("sg_learner_glm() gives glm()'s probabilities of the second level", {
  d <- breast_biopsy
  l <- sg_learner_glm()
  p <- smoteguard:::learner_fit_predict(l, d[1:400, ], d[401:683, ], "diagnosis", ctx)
  ref <- predict(glm(diagnosis ~ ., binomial, data = d[1:400, ]), d[401:683, ],
                 type = "response")
  expect_equal(p, unname(ref))
})

test_that("glm refuses to drop rows with missing values, naming fold, sampler and count", {
  d <- breast_biopsy[1:300, ]
  d$cell_size[c(3, 9, 20)] <- NA
  l <- sg_learner_glm()
  expect_error(smoteguard:::learner_fit_predict(l, d, d, "diagnosis", ctx),
               class = "smoteguard_error_learner")
  expect_snapshot(error = TRUE, smoteguard:::learner_fit_predict(l, d, d, "diagnosis", ctx))
})

test_that("sg_learner() wraps any fit and predict, and checks what they return", {
  l <- sg_learner(fit = function(data, var) mean(data[[var]] == "malignant"),
                  predict = function(model, newdata) rep(model, nrow(newdata)), name = "prior")
  p <- smoteguard:::learner_fit_predict(l, breast_biopsy, breast_biopsy[1:5, ], "diagnosis", ctx)
  expect_equal(p, rep(mean(breast_biopsy$diagnosis == "malignant"), 5))
  bad <- sg_learner(fit = function(data, var) 1, predict = function(model, newdata) rep(2, nrow(newdata)))
  expect_error(smoteguard:::learner_fit_predict(bad, breast_biopsy, breast_biopsy, "diagnosis", ctx),
               class = "smoteguard_error_learner")
  short <- sg_learner(fit = function(data, var) 1, predict = function(model, newdata) 0.5)
  expect_error(smoteguard:::learner_fit_predict(short, breast_biopsy, breast_biopsy, "diagnosis", ctx),
               class = "smoteguard_error_learner")
  expect_error(sg_learner(fit = 1, predict = identity), class = "smoteguard_error_input")
  expect_error(sg_learner_glm(name = ""), class = "smoteguard_error_input")
  expect_error(sg_learner_glmnet(alpha = 2), class = "smoteguard_error_input")
  expect_error(sg_learner_ranger(seed = 1), class = "smoteguard_error_input")
  expect_snapshot(print(sg_learner_glmnet()))
})

test_that("glmnet chooses lambda on inner folds whose validation rows are real and never resampled", {
  skip_if_not_installed("glmnet")
  d <- breast_biopsy[1:300, ]
  seen <- list()
  context <- c(ctx, list(real = d, resample = function(data, i) {
    seen[[length(seen) + 1]] <<- rownames(data)
    sg_resample(sg_sampler("ros", seed = 1), data, "diagnosis")
  }))
  l <- sg_learner_glmnet(inner_folds = 3)
  model <- l$fit(sg_resample(sg_sampler("ros", seed = 2), d, "diagnosis"), "diagnosis", context)
  expect_length(seen, 3)
  # each inner training part leaves out one validation part; the three
  # validation parts cover the real rows once
  left_out <- lapply(seen, function(r) setdiff(rownames(d), r))
  expect_setequal(unlist(left_out), rownames(d))
  expect_false(anyDuplicated(unlist(left_out)) > 0)
  expect_true(model$lambda %in% model$path$lambda)
  p <- l$predict(model, breast_biopsy[301:400, ])
  expect_length(p, 100)
  expect_true(all(p >= 0 & p <= 1))
})

test_that("sg_learner_ranger() predicts the positive class's probability", {
  skip_if_not_installed("ranger")
  d <- breast_biopsy
  l <- sg_learner_ranger(trees = 50)
  p1 <- smoteguard:::learner_fit_predict(l, d[1:400, ], d[401:683, ], "diagnosis",
                                         c(ctx, list(seed = 3L)))
  p2 <- smoteguard:::learner_fit_predict(l, d[1:400, ], d[401:683, ], "diagnosis",
                                         c(ctx, list(seed = 3L)))
  expect_identical(p1, p2)
  expect_gt(mean(p1[d$diagnosis[401:683] == "malignant"]), 0.7)
  expect_lt(mean(p1[d$diagnosis[401:683] == "benign"]), 0.3)
})

test_that("sg_learner_blend() averages the models on the real and the resampled rows", {
  d <- breast_biopsy
  real <- d[1:400, ]
  test <- d[401:683, ]
  resampled <- sg_resample(sg_sampler("ros"), real, "diagnosis", seed = 4)
  context <- c(ctx, list(real = real))
  po <- unname(predict(glm(diagnosis ~ ., binomial, data = real), test, type = "response"))
  pr <- unname(predict(glm(diagnosis ~ ., binomial, data = resampled), test, type = "response"))
  shares <- function(y) setNames(as.numeric(table(y)) / length(y), levels(y))
  pr_corrected <- sg_correct_prior(pr, from = shares(resampled$diagnosis),
                                   to = shares(real$diagnosis), positive = "malignant")
  p <- smoteguard:::learner_fit_predict(sg_learner_blend(sg_learner_glm(), weight = 0.3),
                                        resampled, test, "diagnosis", context)
  expect_equal(smoteguard:::raw_predictions(p), 0.7 * po + 0.3 * pr)
  expect_equal(attr(p, "corrected"), 0.7 * po + 0.3 * pr_corrected)
  # weight 0: the model on the real rows; weight 1: the one on the resampled rows
  p0 <- smoteguard:::learner_fit_predict(sg_learner_blend(sg_learner_glm(), weight = 0),
                                         resampled, test, "diagnosis", context)
  expect_equal(smoteguard:::raw_predictions(p0), po)
  expect_equal(attr(p0, "corrected"), po)
  p1 <- smoteguard:::learner_fit_predict(sg_learner_blend(sg_learner_glm(), weight = 1),
                                         resampled, test, "diagnosis", context)
  expect_equal(smoteguard:::raw_predictions(p1), pr)
  expect_equal(attr(p1, "corrected"), pr_corrected)
  # no resampling: one model, the plain learner's predictions
  pn <- smoteguard:::learner_fit_predict(sg_learner_blend(sg_learner_glm()), real, test,
                                         "diagnosis", context)
  expect_equal(smoteguard:::raw_predictions(pn), po)
  expect_equal(attr(pn, "corrected"), po)
  expect_error(sg_learner_blend(sg_learner_glm(), weight = 1.5), class = "smoteguard_error_input")
  expect_error(sg_learner_blend("glm"), class = "smoteguard_error_input")
  expect_error(smoteguard:::learner_fit_predict(sg_learner_blend(sg_learner_glm()), real, test,
                                                "diagnosis", ctx),
               class = "smoteguard_error_learner", regexp = "before resampling")
  expect_snapshot(print(sg_learner_blend(sg_learner_glm(), weight = 0.25)))
})

test_that("in an evaluation, blends of weight 0 and 1 reduce to their parts", {
  ev <- sg_evaluate(breast_biopsy, "diagnosis", samplers = sg_sampler("ros"),
                    learners = list(sg_learner_glm(),
                                    sg_learner_blend(sg_learner_glm(), 0, name = "w0"),
                                    sg_learner_blend(sg_learner_glm(), 1, name = "w1"),
                                    sg_learner_blend(sg_learner_glm(), 0.5, name = "w5")),
                    resamples = sg_folds(folds = 3, repeats = 1), holdout = 0, seed = 2)
  pr <- ev$predictions
  get <- function(s, l) pr[pr$sampler == s & pr$learner == l, ]
  # with "none" every blend is the plain learner
  for (l in c("w0", "w1", "w5")) {
    expect_equal(get("none", l)$p, get("none", "glm")$p)
  }
  expect_equal(get("ros", "w0")$p, get("none", "glm")$p)
  expect_equal(get("ros", "w0")$p_corrected, get("none", "glm")$p)
  expect_equal(get("ros", "w1")$p, get("ros", "glm")$p)
  expect_equal(get("ros", "w1")$p_corrected, get("ros", "glm")$p_corrected)
  expect_equal(get("ros", "w5")$p, (get("none", "glm")$p + get("ros", "glm")$p) / 2)
  expect_equal(get("ros", "w5")$p_corrected,
               (get("none", "glm")$p + get("ros", "glm")$p_corrected) / 2)
})

test_that("a parsnip model specification is a learner: the positive class's probability", {
  skip_if_not_installed("parsnip")
  d <- breast_biopsy
  l <- smoteguard:::as_learner(parsnip::logistic_reg(), "learners", NULL)
  expect_s3_class(l, "sg_learner")
  expect_identical(l$name, "logistic_reg-glm")
  p <- smoteguard:::learner_fit_predict(l, d[1:400, ], d[401:683, ], "diagnosis", ctx)
  ref <- predict(glm(diagnosis ~ ., binomial, data = d[1:400, ]), d[401:683, ],
                 type = "response")
  expect_equal(p, unname(ref))
  # an unknown mode becomes classification; regression is refused
  tree <- smoteguard:::as_learner(parsnip::decision_tree(), "learners", NULL)
  expect_identical(tree$settings$model, "decision_tree")
  expect_error(smoteguard:::as_learner(parsnip::set_mode(parsnip::linear_reg(), "regression"),
                                       "learners", NULL),
               class = "smoteguard_error_input", regexp = "classification")
  # in an evaluation, alongside the built-in glm: the same predictions
  ev <- sg_evaluate(d, "diagnosis", samplers = sg_sampler("ros"),
                    learners = list(sg_learner_glm(), parsnip::logistic_reg()),
                    resamples = sg_folds(folds = 2, repeats = 1), holdout = 0, seed = 3)
  pr <- ev$predictions
  expect_equal(pr$p[pr$learner == "logistic_reg-glm"], pr$p[pr$learner == "glm"])
  expect_equal(pr$p_corrected[pr$learner == "logistic_reg-glm"],
               pr$p_corrected[pr$learner == "glm"])
  # one specification alone, named by the list
  ev <- sg_evaluate(d, "diagnosis", samplers = sg_sampler("none"),
                    learners = list(logit = parsnip::logistic_reg()),
                    resamples = sg_folds(folds = 2, repeats = 1), holdout = 0, seed = 3)
  expect_identical(levels(ev$predictions$learner), "logit")
})

test_that("a workflow is a learner; one whose recipe resamples rows is refused", {
  skip_if_not_installed("workflows")
  skip_if_not_installed("recipes")
  d <- breast_biopsy
  wf <- workflows::add_model(workflows::workflow(), parsnip::logistic_reg())
  l <- smoteguard:::as_learner(wf, "learners", NULL)
  ref <- predict(glm(diagnosis ~ ., binomial, data = d[1:400, ]), d[401:683, ],
                 type = "response")
  expect_equal(smoteguard:::learner_fit_predict(l, d[1:400, ], d[401:683, ], "diagnosis", ctx),
               unname(ref))
  rec <- recipes::step_normalize(recipes::recipe(diagnosis ~ cell_size + bare_nuclei, data = d),
                                 recipes::all_numeric_predictors())
  wr <- workflows::add_recipe(wf, rec)
  p <- smoteguard:::learner_fit_predict(smoteguard:::as_learner(wr, "learners", NULL),
                                        d[1:400, ], d[401:683, ], "diagnosis", ctx)
  ref2 <- predict(glm(diagnosis ~ cell_size + bare_nuclei, binomial, data = d[1:400, ]),
                  d[401:683, ], type = "response")
  expect_equal(p, unname(ref2))
  ev <- sg_evaluate(d, "diagnosis", samplers = sg_sampler("ros"), learners = wr,
                    resamples = sg_folds(folds = 2, repeats = 1), holdout = 0, seed = 3)
  expect_identical(levels(ev$predictions$learner), "workflow-logistic_reg")
  # a recipe with our own resampling step, or a themis step: refused
  resampling <- workflows::add_recipe(wf, step_smoteguard(rec, diagnosis))
  expect_error(sg_evaluate(d, "diagnosis", learners = resampling),
               class = "smoteguard_error_input", regexp = "resample")
  expect_snapshot(error = TRUE, smoteguard:::as_learner(resampling, "learners", NULL))
  skip_if_not_installed("themis")
  themis_wf <- workflows::add_recipe(wf, themis::step_smote(rec, diagnosis))
  expect_error(sg_evaluate(d, "diagnosis", learners = themis_wf),
               class = "smoteguard_error_input", regexp = "step_smote")
  expect_error(smoteguard:::as_learner(workflows::workflow(), "learners", NULL),
               class = "smoteguard_error_input", regexp = "no model")
})
