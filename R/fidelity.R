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
# keep: NULL, or the ones the result kept after cleaning.
fidelity_check <- function(pred, yi, levels, gen, keep, threads) {
  syn_class <- gen$class
  values <- gen$values
  codes <- gen$codes
  if (!is.null(keep)) {
    syn_class <- syn_class[keep]
    values <- values[keep, , drop = FALSE]
    codes <- codes[keep, , drop = FALSE]
  }
  done <- which(tabulate(syn_class, length(levels)) > 0)
  num <- pred$names
  nom <- pred$nominal
  if (length(done) == 0 || length(num) + length(nom) == 0) return(NULL)
  parts <- lapply(done, function(c) {
    real <- which(yi == c)
    syn <- which(syn_class == c)
    all_syn <- length(syn) == length(syn_class)
    out <- NULL
    if (length(num) > 0) {
      sr <- column_stats(pred$x, real, threads)
      ss <- column_stats(values, if (!all_syn) syn, threads)
      xs <- if (all_syn) values else values[syn, , drop = FALSE]
      ks <- .Call(ffi_metrics_ks, pred$x[real, , drop = FALSE], xs)
      n_syn <- length(syn) - ss$missing
      sd <- sr$sd
      sd[!is.finite(sd) | sd <= 0] <- NA_real_
      shift <- (ss$mean - sr$mean) / sd
      shift[!is.finite(shift)] <- NA_real_
      se <- 1 / sqrt(n_syn)
      se[!is.finite(se)] <- NA_real_
      out <- list(column = num, kind = rep("numeric", length(num)),
                  n_real = as.integer(length(real) - sr$missing),
                  n_synthetic = as.integer(n_syn), shift = shift, ks = ks,
                  tv = rep(NA_real_, length(num)), se_shift = se)
    }
    if (length(nom) > 0) {
      tv <- n_real <- n_syn <- numeric(length(nom))
      for (j in seq_along(nom)) {
        # value shares of the codes 1..L, missing values left out
        L <- length(pred$nominal_levels[[j]])
        a <- tabulate(pred$codes[real, j], L)
        b <- tabulate(codes[syn, j], L)
        n_real[j] <- sum(a)
        n_syn[j] <- sum(b)
        tv[j] <- if (n_real[j] > 0 && n_syn[j] > 0) sum(abs(a / n_real[j] - b / n_syn[j])) / 2
                 else NA_real_
      }
      m <- length(nom)
      more <- list(column = nom, kind = rep("nominal", m),
                   n_real = as.integer(n_real), n_synthetic = as.integer(n_syn),
                   shift = rep(NA_real_, m), ks = rep(NA_real_, m), tv = tv,
                   se_shift = rep(NA_real_, m))
      out <- if (is.null(out)) more else .mapply(c, list(out, more), NULL)
      names(out) <- names(more)
    }
    c(list(class = rep(c, length(out$column))), out)
  })
  cols <- stack_columns(parts)
  cols$class <- codes_factor(cols$class, levels)
  cols$flagged <- !is.na(cols$shift) & abs(cols$shift) > fidelity_limit &
    abs(cols$shift) > fidelity_se_multiple * cols$se_shift
  new_frame(cols)
}

# One warning for the classes whose synthetic rows moved a feature's mean
# (NULL when none did): the features and their shifts, and what to try.
fidelity_warning <- function(fidelity, call) {
  if (is.null(fidelity) || !any(fidelity$flagged)) return(NULL)
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
