# The fidelity check run by every sg_oversample() call: for each class that
# received synthetic rows and each predictor, how far the synthetic rows'
# distribution is from the class's real rows. A guard or a method that
# draws its parents from one part of a class moves the class (the mean of a
# feature, its spread), and a model fitted to the rows learns the moved
# class; the check says so in the record and in a warning.
#
# Numeric columns (integer and ordered ones on their values and ranks):
#   shift    = (mean of synthetic - mean of real) / sd of real, the class's
#   se_shift = 1 / sqrt(n_synthetic): in class sd, the standard error of the
#              mean of n_synthetic rows drawn at random from the class's real
#              rows (interpolated rows vary less than the class, so the
#              shift expected by chance is smaller still: conservative)
#   ks       = the two-sample Kolmogorov-Smirnov statistic
# Nominal columns: tv = total variation distance of the value shares.
# flagged: |shift| > 0.25 and |shift| > 3 se_shift, so that a call making a
# few rows does not warn on the noise of a small mean.

fidelity_limit <- 0.25
fidelity_se_multiple <- 3

# gen: generate()'s synthetic rows (class codes, values, nominal codes);
# keep: NULL, or the ones the result kept after cleaning. The numbers come
# from one C routine for all classes (src/fidelity.c: the class's rows
# found once, means and sds as mean() and sd() give them, KS from each
# side sorted once, TV from the value counts); R adds names and the flag.
fidelity_check <- function(pred, yi, levels, gen, keep, threads) {
  syn_class <- gen$class
  values <- gen$values
  codes <- gen$codes
  if (!is.null(keep)) {
    syn_class <- syn_class[keep]
    values <- values[keep, , drop = FALSE]
    codes <- codes[keep, , drop = FALSE]
  }
  num <- pred$names
  nom <- pred$nominal
  p <- length(num) + length(nom)
  if (length(syn_class) == 0 || p == 0) return(NULL)
  # (without numeric predictors the synthetic values may not have a row
  # per synthetic row)
  if (length(num) == 0) values <- matrix(0, length(syn_class), 0)
  else if (!is.double(values)) storage.mode(values) <- "double"
  if (length(nom) == 0) codes <- NULL
  cols <- .Call(ffi_fidelity_check, pred$x, yi, as.integer(syn_class), values,
                if (length(nom) > 0) pred$codes, codes,
                if (length(nom) > 0) lengths(pred$nominal_levels, use.names = FALSE)
                else integer(), length(levels),
                if (is.null(threads)) NA_integer_ else threads)
  # each class's rows: its numeric predictors, then its nominal ones
  j <- rep.int(seq_len(p), length(cols$class) %/% p)
  cols <- list(class = codes_factor(cols$class, levels),
               column = c(num, nom)[j],
               kind = c("numeric", "nominal")[(j > length(num)) + 1L],
               n_real = cols$n_real, n_synthetic = cols$n_synthetic,
               shift = cols$shift, ks = cols$ks, tv = cols$tv, se_shift = cols$se_shift)
  cols$flagged <- !is.na(cols$shift) & abs(cols$shift) > fidelity_limit &
    abs(cols$shift) > fidelity_se_multiple * cols$se_shift
  new_frame(cols)
}

# One warning for the classes whose synthetic rows moved a feature's mean
# (NULL when none did): the features and their shifts, and what to try.
fidelity_warning <- function(fidelity, call) {
  # (.subset2(): the column without `$.data.frame`'s call)
  if (is.null(fidelity) || !any(.subset2(fidelity, "flagged"))) return(NULL)
  bad <- fidelity[fidelity$flagged, , drop = FALSE]
  bad <- bad[order(bad$class, -abs(bad$shift)), , drop = FALSE]
  per_class <- vapply(split(seq_len(nrow(bad)), droplevels(bad$class)), function(i) {
    b <- bad[i, , drop = FALSE]
    shown <- utils::head(seq_len(nrow(b)), 5)
    feats <- paste0("`", b$column[shown], "` ", sprintf("%+.2f", b$shift[shown]),
                    " sd (KS ", sprintf("%.2f", b$ks[shown]), ")", collapse = ", ")
    if (nrow(b) > 5) feats <- sprintf("%s and %d more", feats, nrow(b) - 5)
    sprintf("Class `%s`: the synthetic rows' means moved from the real rows' by %s.",
            as.character(b$class[1]), feats)
  }, character(1))
  msg <- c(per_class,
           sprintf("A shift beyond %.2f class standard deviations (and %d standard errors of chance) means the synthetic rows do not look like the class, and a model fitted to them learns a moved class.",
                   fidelity_limit, fidelity_se_multiple),
           "Try `guard = NULL` (plain SMOTE uses every parent about equally), a lower `over_ratio`, case weights, or no oversampling; see `sg_record(result)$fidelity`.")
  sg_warn(msg, class = "fidelity", call = call)
  paste(msg, collapse = "\n")
}
