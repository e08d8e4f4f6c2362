# The cost of sg_oversample()'s fidelity check (issue 14): the median time of
# a call with the check and with it replaced by a no-op, calls in turns in
# one process. Run: R_LIBS=<lib with smoteguard> Rscript bench/fidelity.R
suppressPackageStartupMessages(library(smoteguard))
ns <- asNamespace("smoteguard")
check <- get("fidelity_check", ns)
skip <- function(...) NULL
set_check <- function(f) {
  unlockBinding("fidelity_check", ns)
  assign("fidelity_check", f, envir = ns)
  lockBinding("fidelity_check", ns)
}
big <- local({
  set.seed(1)
  y <- rep(c("maj", "min"), c(100000, 20000))
  x <- matrix(rnorm(120000 * 20), ncol = 20) + outer(y == "min", rep(0.5, 20))
  d <- as.data.frame(x)
  d$y <- factor(y)
  d
})
tables <- list(
  breast_biopsy = list(data = breast_biopsy, var = "diagnosis", inner = 50, turns = 15),
  fgl = list(data = MASS::fgl, var = "type", inner = 50, turns = 15),
  Cars93 = list(data = MASS::Cars93[, c("Type", "Price", "MPG.city", "MPG.highway",
                                        "EngineSize", "Horsepower", "RPM", "Weight",
                                        "Length", "Width")], var = "Type",
                inner = 50, turns = 15),
  big_20k_100k = list(data = big, var = "y", inner = 1, turns = 5)
)
# seconds per call, over t$inner calls
time_call <- function(t, guard) {
  f <- function() suppressWarnings(sg_oversample(t$data, t$var, seed = 1, guard = guard))
  system.time(for (i in seq_len(t$inner)) f())[["elapsed"]] / t$inner
}
rows <- list()
for (nm in names(tables)) {
  t <- tables[[nm]]
  for (g in c("default", "none")) {
    guard <- if (g == "default") sg_guard() else NULL
    with_t <- without_t <- numeric(t$turns)
    for (i in seq_len(t$turns)) {
      set_check(check)
      with_t[i] <- time_call(t, guard)
      set_check(skip)
      without_t[i] <- time_call(t, guard)
    }
    set_check(check)
    a <- median(with_t) * 1000
    b <- median(without_t) * 1000
    rows[[length(rows) + 1]] <- data.frame(table = nm, guard = g, with_ms = a,
                                           without_ms = b, overhead = (a - b) / b)
  }
}
print(do.call(rbind, rows), digits = 3)
