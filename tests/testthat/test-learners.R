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
