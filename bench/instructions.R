# The driver of bench/instructions.sh: 5 warm-up calls, then N more (env N)
# of sg_oversample() on one small table (env TB: fgl, Cars93 or
# breast_biopsy), the default call or, with PLAIN=1, guard = NULL.
# Not part of the built package.
suppressPackageStartupMessages(library(smoteguard))
file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
here <- if (length(file_arg) == 1) dirname(file_arg) else "bench"
source(file.path(here, "common.R"))
tb <- real_table(Sys.getenv("TB", "breast_biopsy"))
df <- tb$data
var <- tb$var
plain <- Sys.getenv("PLAIN") == "1"
f <- function() suppressWarnings(
  if (plain) sg_oversample(df, var, seed = 1, guard = NULL) else sg_oversample(df, var, seed = 1))
for (i in 1:5) f()
for (i in seq_len(as.integer(Sys.getenv("N", "30")))) f()
