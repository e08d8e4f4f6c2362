#' How many threads smoteguard uses
#'
#' The neighbour searches, the guard's checks and the diagnostics run on
#' several threads (OpenMP) when the work is large enough; the results never
#' depend on the count. `sg_threads()` reads the count a call uses by default
#' and sets it.
#'
#' The default is every processor on machines of up to three, and all but
#' one on larger machines, so the session and the rest of the machine keep a
#' core; never more than OpenMP allows (`OMP_NUM_THREADS`,
#' `OMP_THREAD_LIMIT`). The environment variable `SMOTEGUARD_NUM_THREADS`,
#' read when the package is loaded, sets it as `sg_threads()` does. One call
#' can ask for its own count with its `threads` argument (by default
#' `getOption("smoteguard.threads")`). Small tasks run on one thread.
#'
#' In a child process made by `fork()` (`parallel::mclapply()`, the
#' `future` package's multicore plan) every call runs on one thread,
#' whatever was asked: an OpenMP runtime used by the parent before the fork
#' can hang in the child. Parallel workers should share the machine rather
#' than each take every core: inside `future` or `parallel` workers, set
#' `sg_threads(1)` or leave it to the fork rule.
#'
#' @param threads `NULL` to only read the count; a whole number >= 1 to set
#'   the default; `NA` to return to the machine's default.
#' @return The default count: when setting, the count before the change,
#'   invisibly.
#' @examples
#' sg_threads()
#' old <- sg_threads(1)
#' sg_threads()
#' sg_threads(old)
#' @export
sg_threads <- function(threads = NULL) {
  old <- .Call(ffi_threads_get)$threads
  if (is.null(threads)) return(old)
  if (length(threads) == 1 && is.na(threads) && !is.nan(threads)) {
    .Call(ffi_threads_set, NA_integer_)
    return(invisible(old))
  }
  ok <- is.numeric(threads) && length(threads) == 1 && is.finite(threads) &&
    threads == round(threads) && threads >= 1 && threads <= 1024
  if (!ok) {
    sg_abort(c("`threads` must be a whole number from 1 to 1024, NA for the machine's default, or NULL to read the count.",
               sprintf("It is %s.", describe(threads)),
               "For example `sg_threads(2)`."), call = sys.call())
  }
  .Call(ffi_threads_set, as.integer(threads))
  invisible(old)
}

# SMOTEGUARD_NUM_THREADS, read at load: a whole number >= 1 sets the
# default; anything else is ignored with a message that says so.
threads_from_env <- function(value = Sys.getenv("SMOTEGUARD_NUM_THREADS")) {
  if (!nzchar(value)) return(invisible())
  n <- suppressWarnings(as.numeric(value))
  if (length(n) != 1 || is.na(n) || n != round(n) || n < 1 || n > 1024) {
    packageStartupMessage(sprintf(
      "smoteguard: SMOTEGUARD_NUM_THREADS = \"%s\" is not a whole number from 1 to 1024; the machine's default is used.",
      value))
    return(invisible())
  }
  .Call(ffi_threads_set, as.integer(n))
  invisible()
}
