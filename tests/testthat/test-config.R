# Configurations (R/config.R): save, load, roll back bit for bit; rules in
# a safe grammar; code never run on load without trust.

strip_result <- function(res) {
  rec <- unclass(attr(res, "smoteguard"))
  attr(res, "smoteguard") <- NULL
  list(data = res, record = rec[setdiff(names(rec), c("timings", "created", "settings", "guard"))])
}

test_that("a configuration rolled back from the ledger reproduces the result bit for bit", {
  path <- withr::local_tempfile(fileext = ".jsonl")
  df <- breast_biopsy
  res <- suppressWarnings(sg_oversample(df, "diagnosis", seed = 11, neighbors = 4,
    guard = sg_guard(jitter = 0.2, max_gap = 0.9, min_safety = 0.1, intrusion = 1),
    constraints = sg_constraints(rules = ~ cell_size <= clump_thickness + 9)))
  id <- sg_ledger_append(res, path)
  s <- sg_rollback(path, id)
  expect_s3_class(s, "sg_sampler")
  expect_identical(s$origin$seed, 11L)
  again <- suppressWarnings(withr::with_seed(99, sg_resample(s, df, "diagnosis")))
  expect_identical(strip_result(again), strip_result(res))
  # and through a file
  file <- withr::local_tempfile(fileext = ".json")
  sg_config_save(res, file)
  again2 <- suppressWarnings(sg_resample(sg_config_load(file), df, "diagnosis"))
  expect_identical(strip_result(again2), strip_result(res))
  # clean and under-sampling too
  u <- sg_undersample(df, "diagnosis", method = "nearmiss1", seed = 3)
  uid <- sg_ledger_append(u, path)
  expect_identical(strip_result(sg_resample(sg_rollback(path, uid), df, "diagnosis")), strip_result(u))
})

test_that("with other data, another version or no seed it runs and warns which", {
  file <- withr::local_tempfile(fileext = ".json")
  res <- sg_oversample(breast_biopsy, "diagnosis", seed = 2, guard = NULL)
  sg_config_save(res, file)
  s <- sg_config_load(file)
  expect_warning(sg_resample(s, breast_biopsy[-1, ], "diagnosis"), "data differ",
                 class = "smoteguard_warning_rollback")
  s$origin$version <- "0.0.1"
  expect_warning(sg_resample(s, breast_biopsy, "diagnosis"), "smoteguard 0.0.1",
                 class = "smoteguard_warning_rollback")
  file2 <- withr::local_tempfile(fileext = ".json")
  sg_config_save(sg_sampler("smote", guard = NULL), file2)
  expect_warning(sg_resample(sg_config_load(file2), breast_biopsy, "diagnosis"), "no seed",
                 class = "smoteguard_warning_rollback")
})

test_that("save and load keep every resolved argument; files are written atomically", {
  dir <- withr::local_tempdir()
  file <- file.path(dir, "c.json")
  s <- sg_sampler("borderline2", m_neighbors = 7, over_ratio = c(malignant = 0.8), seed = 5,
                  guard = sg_guard(intrusion = 0.4, intrusion_search = "exact"),
                  constraints = sg_constraints(bounds = list(clump_thickness = c(1, 10)),
                                               rules = ~ cell_shape %in% c(1, 2, 3) | !is.na(cell_size)))
  sg_config_save(s, file)
  t <- sg_config_load(file)
  rules <- function(x) x$constraints$rules
  a <- s$args
  b <- t$args
  a$constraints$rules <- b$constraints$rules <- NULL
  expect_identical(b, a)
  expect_identical(attr(rules(t$args), "text"), attr(rules(s$args), "text"))
  expect_identical(t$method, "borderline2")
  expect_identical(list.files(dir, all.files = TRUE, no.. = TRUE), "c.json")
  expect_error(sg_config_save(s, file), "overwrite = TRUE", class = "smoteguard_error_exists")
  expect_silent(sg_config_save(sg_sampler("ros"), file, overwrite = TRUE))
  expect_identical(sg_config_load(file)$method, "ros")
  expect_identical(list.files(dir, all.files = TRUE, no.. = TRUE), "c.json")
})

test_that("loading never runs code: a function rule runs only with trust = TRUE", {
  dir <- withr::local_tempdir()
  marker <- file.path(dir, "ran.txt")
  rule <- eval(bquote(function(d) {
    writeLines("ran", .(marker))
    rep(TRUE, nrow(d))
  }))
  s <- sg_sampler("smote", seed = 1, constraints = sg_constraints(rules = rule))
  file <- file.path(dir, "code.json")
  expect_warning(sg_config_save(s, file), "enclosing environment", class = "smoteguard_warning_code")
  loaded <- sg_config_load(file)
  expect_false(file.exists(marker))
  out <- utils::capture.output(print(loaded))
  expect_true(any(grepl("not evaluated", out)))
  expect_true(any(grepl("writeLines", out, fixed = TRUE)))
  expect_error(sg_resample(loaded, breast_biopsy, "diagnosis"), "trust = TRUE",
               class = "smoteguard_error_untrusted_code")
  expect_false(file.exists(marker))
  # code that would act when evaluated, planted in the file by hand
  node <- jsonlite::read_json(file)
  node$args$v[[which(vapply(node$args$at$v[[1]]$v, identity, "") == "constraints")]]$v[[3]]$text <-
    sprintf("{writeLines('planted', '%s'); function(d) TRUE}", marker)
  writeLines(jsonlite::toJSON(node, auto_unbox = TRUE, null = "null"), file)
  loaded <- sg_config_load(file)
  expect_false(file.exists(marker))
  # trusted: the code is evaluated (here it writes on evaluation)
  trusted <- sg_config_load(file, trust = TRUE)
  expect_true(file.exists(marker))
})

test_that("rules in the safe grammar are checked on parse and work as functions", {
  r <- sg_rule(~ a >= 18 & (b < 70 | is.na(b)) & g %in% c("x", "y") & !(a == 20) & a * 2 - 1 > 0)
  d <- data.frame(a = c(18, 20, 30, 40), b = c(NA, 80, 10, 10), g = c("x", "x", "y", "z"))
  expect_identical(r(d), c(TRUE, FALSE, TRUE, FALSE))
  expect_identical(sg_rule("a >= 18")(d), rep(TRUE, 4))
  expect_snapshot(print(sg_rule("a>=18&b<70")))
  for (bad in c("system('ls')", "d$a > 1", "a[1] > 0", "get('a') > 1", "(function() TRUE)()",
                "a > f(1)", "a %in% c(b, 1)", "a <- 1")) {
    expect_error(sg_rule(bad), "grammar", class = "smoteguard_error_rule")
  }
  expect_error(sg_rule(y ~ a), "one-sided", class = "smoteguard_error_rule")
  expect_error(sg_rule("a >"), "not one R expression", class = "smoteguard_error_rule")
  cons <- sg_constraints(rules = ~ cell_size <= 3)
  res <- suppressWarnings(sg_oversample(breast_biopsy, "diagnosis", seed = 1, constraints = cons))
  prov <- sg_provenance(res)
  expect_true(all(res$cell_size[prov$row] <= 3))
})

test_that("configuration errors are classed and name the field", {
  dir <- withr::local_tempdir()
  file <- file.path(dir, "c.json")
  sg_config_save(sg_sampler("smote", seed = 1), file)
  edit <- function(f) {
    node <- jsonlite::read_json(file)
    node <- f(node)
    out <- file.path(dir, "edited.json")
    writeLines(jsonlite::toJSON(node, auto_unbox = TRUE, null = "null"), out)
    out
  }
  expect_error(sg_config_load(edit(function(n) { n$schema <- 99; n })), "`schema`.*newer",
               class = "smoteguard_error_schema")
  expect_error(sg_config_load(edit(function(n) { n$method <- "magic"; n })), "`method`",
               class = "smoteguard_error_config")
  expect_error(sg_config_load(edit(function(n) {
    n$args$at$v[[1]]$v[[1]] <- "neighbours"
    stopifnot(identical(n$args$at$n[[1]], "names"))
    n
  })), "`args\\$neighbours`", class = "smoteguard_error_config")
  notes <- file.path(dir, "notes.json")
  writeLines('{"a": 1}', notes)
  expect_error(sg_config_load(notes), "not a smoteguard configuration", class = "smoteguard_error_not_config")
  expect_error(sg_config_load(file.path(dir, "none.json")), class = "smoteguard_error_config_path")
})
