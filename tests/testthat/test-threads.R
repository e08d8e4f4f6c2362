# The thread count (src/threads.c, R/threads.R): one default, set and read
# in one place; one thread in a forked child.

test_that("sg_threads() reads and sets the default count", {
  old <- sg_threads()
  on.exit(sg_threads(NA))
  expect_true(is.integer(old) && old >= 1)
  expect_identical(sg_threads(1), old)
  expect_identical(sg_threads(), 1L)
  expect_invisible(sg_threads(2))
  expect_identical(sg_threads(), 2L)
  sg_threads(NA)
  expect_identical(sg_threads(), old)
  # the machine's default leaves a core free from four processors on
  info <- smoteguard:::ffi_threads_get
  machine <- .Call(info)$machine
  procs <- parallel::detectCores()
  if (isTRUE(.Call(info)$openmp) && !is.na(procs)) {
    expect_lte(machine, if (procs >= 4) procs - 1 else procs)
  }
  expect_error(sg_threads(0), class = "smoteguard_error_input")
  expect_error(sg_threads(1.5), class = "smoteguard_error_input")
  expect_error(sg_threads("2"), class = "smoteguard_error_input")
  expect_snapshot(error = TRUE, sg_threads(0))
})

test_that("SMOTEGUARD_NUM_THREADS sets the default, and a bad value is ignored with a message", {
  on.exit(sg_threads(NA))
  smoteguard:::threads_from_env("3")
  expect_identical(.Call(smoteguard:::ffi_threads_get)$user, 3L)
  sg_threads(NA)
  expect_message(smoteguard:::threads_from_env("many"), "SMOTEGUARD_NUM_THREADS")
  expect_identical(.Call(smoteguard:::ffi_threads_get)$user, NA_integer_)
})

test_that("the result does not depend on the default count", {
  on.exit(sg_threads(NA))
  d <- breast_biopsy
  sg_threads(1)
  one <- sg_oversample(d, "diagnosis", seed = 4, threads = NULL)
  sg_threads(2)
  two <- sg_oversample(d, "diagnosis", seed = 4, threads = NULL)
  expect_identical(one, two, ignore_attr = "smoteguard")
})

# A forked child after the parent used OpenMP: collected with a time limit,
# so that a hang fails the test instead of stalling the suite.
collect_forked <- function(expr_fun, limit = 60) {
  job <- parallel::mcparallel(expr_fun())
  res <- parallel::mccollect(job, wait = FALSE, timeout = limit)
  if (is.null(res)) {
    tools::pskill(job$pid)
    parallel::mccollect(job, wait = FALSE)
    stop("the forked child did not finish within ", limit, " s")
  }
  res[[1]]
}

test_that("a forked child runs on one thread, neither hangs nor changes results", {
  skip_on_os("windows")
  set.seed(5)
  x <- matrix(rnorm(40000 * 8), ncol = 8)
  # the parent uses OpenMP first: a search large enough for several threads
  parent_nn <- sg_knn(x, 5, threads = 2)
  d <- breast_biopsy
  parent <- sg_oversample(d, "diagnosis", seed = 9, threads = 2)
  child <- collect_forked(function() {
    list(info = .Call(smoteguard:::ffi_threads_get),
         nn = sg_knn(x, 5, threads = 2),
         res = sg_oversample(d, "diagnosis", seed = 9, threads = 2))
  })
  expect_false(inherits(child, "try-error"))
  expect_true(child$info$forked)
  expect_identical(child$info$threads, 1L)
  expect_identical(child$nn, parent_nn)
  expect_identical(child$res, parent, ignore_attr = "smoteguard")
  # the parent itself is not marked
  expect_false(.Call(smoteguard:::ffi_threads_get)$forked)

  # parallel::mclapply()
  out <- parallel::mclapply(1:2, function(i) sg_oversample(d, "diagnosis", seed = 9),
                            mc.cores = 2)
  for (o in out) expect_identical(o, parent, ignore_attr = "smoteguard")
})

test_that("future's multicore plan gives the sequential result", {
  skip_on_os("windows")
  skip_if_not_installed("future")
  d <- breast_biopsy
  want <- sg_oversample(d, "diagnosis", seed = 11)
  old <- future::plan(future::multicore, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  # seed = FALSE: the worker keeps the session's RNG kind (future's parallel
  # seeds would switch it to L'Ecuyer-CMRG, and set.seed(11) would then
  # give another stream); sg_oversample() puts the stream back afterwards
  f <- future::future(sg_oversample(d, "diagnosis", seed = 11), seed = FALSE)
  waited <- 0
  while (!future::resolved(f) && waited < 60) {
    Sys.sleep(0.1)
    waited <- waited + 0.1
  }
  expect_true(future::resolved(f))
  expect_identical(future::value(f), want, ignore_attr = "smoteguard")
})
