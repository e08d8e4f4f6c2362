Sys.setenv(TZ = "UTC")
# Small real tables, the way a user calls the package: plain SMOTE
# (guard = NULL) and the default call (guard and constraints on) against
# themis::smote, all in one process, interleaved round by round so that the
# machine's load falls on each alike. Each round times `inner` calls and
# keeps the mean; the table gives the median of the rounds.
#
#   Rscript bench/small-tables.R [--rounds=N] [--inner=N] [--profile]
#
# --profile adds an Rprof() summary (self time, by function) of the default
# call on each table. Not part of the built package.

args <- commandArgs(trailingOnly = TRUE)
arg_value <- function(name, default) {
  hit <- grep(paste0("^--", name, "="), args, value = TRUE)
  if (length(hit) == 0) default else as.numeric(sub("^[^=]*=", "", hit[1]))
}
rounds <- arg_value("rounds", 21)
inner <- arg_value("inner", 20)
profile <- "--profile" %in% args

file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- if (length(file_arg) == 1) dirname(file_arg) else "bench"
source(file.path(here, "common.R"))
suppressPackageStartupMessages(library(smoteguard))
have_themis <- have("themis")

# mean seconds of one call over `inner` calls
one_round <- function(f) {
  t0 <- proc.time()[["elapsed"]]
  for (i in seq_len(inner)) f()
  (proc.time()[["elapsed"]] - t0) / inner
}

quiet <- function(expr) suppressWarnings(expr)

rows <- list()
for (nm in real_tables) {
  tb <- real_table(nm)
  df <- tb$data
  var <- tb$var
  calls <- list(
    plain = function() quiet(sg_oversample(df, var, seed = 1, guard = NULL)),
    default = function() quiet(sg_oversample(df, var, seed = 1))
  )
  if (have_themis) {
    # themis needs complete rows
    df_t <- df[stats::complete.cases(df), , drop = FALSE]
    calls$themis <- function() themis::smote(df_t, var, k = 5, over_ratio = 1)
  }
  for (f in calls) f()  # warm up
  times <- matrix(NA_real_, rounds, length(calls), dimnames = list(NULL, names(calls)))
  for (r in seq_len(rounds)) {
    for (j in seq_along(calls)) times[r, j] <- one_round(calls[[j]])
  }
  med <- apply(times, 2, stats::median)
  th <- if (have_themis) med[["themis"]] else NA_real_
  rows[[nm]] <- data.frame(
    table = nm, size = table_size(df, var),
    plain_ms = 1000 * med[["plain"]], default_ms = 1000 * med[["default"]],
    themis_ms = 1000 * th,
    plain_x = th / med[["plain"]], default_x = th / med[["default"]],
    stringsAsFactors = FALSE)
  if (profile) {
    prof <- tempfile()
    utils::Rprof(prof, interval = 0.001)
    for (i in seq_len(200)) calls$default()
    utils::Rprof(NULL)
    s <- utils::summaryRprof(prof)$by.self
    cat(sprintf("\n-- Rprof, default call on %s (self time, top 12) --\n", nm))
    print(utils::head(s, 12))
  }
}

tab <- do.call(rbind, rows)
rownames(tab) <- NULL
cat(sprintf("\nsmoteguard %s, R %s, %s; %d rounds of %d calls, median; load: %s\n",
            utils::packageVersion("smoteguard"), getRversion(),
            format(Sys.time(), "%Y-%m-%d %H:%M UTC", tz = "UTC"), rounds, inner,
            paste(format(utils::tail(scan("/proc/loadavg", quiet = TRUE, n = 3), 3)),
                  collapse = " ")))
fmt <- tab
for (col in c("plain_ms", "default_ms", "themis_ms")) fmt[[col]] <- sprintf("%.2f", tab[[col]])
for (col in c("plain_x", "default_x")) fmt[[col]] <- sprintf("%.1fx", tab[[col]])
print(fmt, row.names = FALSE)
