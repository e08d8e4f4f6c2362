# The suite's own rules, checked on its source (tests/testthat/*.R): every
# expect_error() or expect_condition() names a class or a message pattern,
# so that an error raised by the wrong check, or by an accident, fails.

test_that("every expect_error() names a class or a pattern", {
  bare <- character(0)
  for (f in list.files(test_path(), "\\.R$", full.names = TRUE)) {
    walk <- function(e) {
      if (!is.call(e)) return(invisible())
      fn <- e[[1]]
      name <- if (is.name(fn)) as.character(fn)
              else if (is.call(fn) && identical(fn[[1]], as.name("::"))) as.character(fn[[3]])
              else ""
      if (name %in% c("expect_error", "expect_condition")) {
        m <- match.call(testthat::expect_error, e)
        if (is.null(m$regexp) && is.null(m$class)) {
          bare <<- c(bare, sprintf("%s: %s", basename(f), paste(deparse(e), collapse = " ")))
        }
      }
      # an empty argument (x[, 1]) is a missing value of `a`: skipped
      for (a in as.list(e)[-1]) if (!missing(a)) walk(a)
    }
    for (e in parse(f, keep.source = FALSE)) walk(e)
  }
  expect_identical(bare, character(0))
})
