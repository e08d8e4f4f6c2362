# The short fuzz run: a few hundred random malformed calls of every exported
# function and every registered .Call routine (tests/fuzz/fuzz.R; `make
# fuzz` makes thousands), in child R processes. An R error is the expected
# answer; a crash, a hang or a modified argument fails the test. The seed is
# fixed, so a failure is reproducible with the --replay line it prints;
# SMOTEGUARD_FUZZ_SEED sets another.

test_that("a few hundred random malformed calls crash nothing and modify nothing", {
  skip_on_cran()
  skip_on_os("windows")
  script <- test_path("..", "fuzz", "fuzz.R")
  skip_if_not(file.exists(script), "tests/fuzz/fuzz.R is not in the built package")
  seed <- Sys.getenv("SMOTEGUARD_FUZZ_SEED", "8")
  lib <- dirname(find.package("smoteguard"))
  out <- suppressWarnings(system2(
    file.path(R.home("bin"), "Rscript"),
    c("--vanilla", shQuote(script), "--calls=300", paste0("--seed=", seed),
      shQuote(paste0("--lib=", lib))),
    stdout = TRUE, stderr = TRUE, timeout = 300, env = "TZ=UTC"))
  status <- attr(out, "status")
  label <- paste(c("fuzz output:", utils::tail(out, 40)), collapse = "\n")
  summary <- utils::tail(grep("^fuzz: [0-9]+ calls", out, value = TRUE), 1)
  expect_length(summary, 1)
  if (length(summary) == 1) {
    counts <- as.integer(regmatches(summary, gregexpr("[0-9]+", summary))[[1]])
    expect_gte(counts[1], 300)
    expect_identical(counts[3], 0L, label = paste("crashes;", label))
  }
  expect_true(is.null(status) || identical(as.integer(status), 0L), label = label)
})
