# Drift between the data a model was built on and a new batch.

#' Has the data drifted?
#'
#' Compares a new batch with the reference data feature by feature: for
#' numeric features the population stability index (PSI, over the
#' reference's deciles) and the Kolmogorov-Smirnov statistic; for nominal
#' features the PSI over the categories and the total variation distance;
#' for every feature the change in the share of missing values; and, with
#' `var`, the shift in the class shares (total variation).
#'
#' `reference` may be the reference data frame, or a result of
#' [sg_oversample()] (or [sg_clean()], [sg_undersample()]) or its
#' [sg_record()]: the record keeps each numeric predictor's 101 quantiles
#' with the counts between them and each nominal predictor's category
#' counts, so no training data are needed. From a record the KS statistic
#' is approximate: it is taken at the 99 inner quantiles only (the
#' reference's distribution is known there), which can miss up to about
#' 0.01 of the exact value, and its null distribution is simulated on the
#' same grid.
#'
#' **Flags that account for sample size.** Under no drift, PSI and KS are
#' not zero and grow as batches get small (with a reference of 2,000 rows
#' and batches of 100, PSI exceeds 0.1 in about 40% of batches drawn from
#' the very same distribution), so the conventional readings (PSI below 0.1
#' none, 0.1 to 0.25 moderate, above 0.25 major; column `psi_reading`) are
#' shown but not used to flag. Each statistic gets a p-value from its
#' no-drift distribution for these two sample sizes: KS on data from the
#' asymptotic Kolmogorov distribution with the effective size
#' \eqn{nm/(n+m)} (conservative with ties); PSI, total variation, missing
#' shares, class shares and KS from a record from `n_null` simulated pairs
#' of samples of the two sizes drawn from the reference's bins
#' (multinomial), which is what sampling alone produces. A feature is
#' flagged when its smallest p-value, times the number of its tests
#' (Bonferroni), is below `alpha`; so about `alpha` of the features are
#' flagged when nothing has drifted. The simulation uses its own random
#' stream (`seed`) and leaves the caller's untouched.
#'
#' @param reference The reference: a data frame, a result of
#'   [sg_oversample()] or a [sg_record()].
#' @param current The new batch: a data frame with the reference's
#'   features (and `var`, if given).
#' @param var `NULL`, or the outcome column, for the class-prior shift. With
#'   a record, by default its outcome when `current` has it.
#' @param alpha The false-alarm rate per feature, in (0, 1).
#' @param n_null The number of simulated no-drift pairs per statistic.
#' @param seed The seed of the simulation.
#' @return An object of class `sg_drift`: a list with `table` (one row per
#'   feature: `feature`, `kind` (`"numeric"`, `"nominal"` or
#'   `"outcome"`), `n_ref`, `n_cur`, `psi`, `psi_reading`, `psi_p`, `ks`,
#'   `ks_p`, `ks_approx`, `tv`, `tv_p`, `missing_ref`, `missing_cur`,
#'   `missing_p`, `p_value` (the smallest, Bonferroni-adjusted) and
#'   `flagged`), `alpha`, `n_null`, `source` (`"data"` or `"record"`) and the
#'   two sample sizes. Methods: `print()`, `as.data.frame()`, `plot()`.
#' @seealso [sg_ledger_append()] keeps drift checks.
#' @examples
#' set.seed(1)
#' ref <- data.frame(a = rnorm(2000), b = rnorm(2000),
#'                   g = sample(c("x", "y"), 2000, TRUE))
#' new <- data.frame(a = rnorm(200, 0.5), b = rnorm(200),
#'                   g = sample(c("x", "y"), 200, TRUE))
#' d <- sg_drift(ref, new)
#' d
#' plot(d)
#'
#' # from a result's record: no training data needed
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' sg_drift(res, breast_biopsy[1:150, ])
#' @export
sg_drift <- function(reference, current, var = NULL, alpha = 0.05, n_null = 1000, seed = 1) {
  call <- sys.call()
  alpha <- check_number(alpha, "alpha", min = 0, call = call)
  if (alpha <= 0 || alpha >= 1) {
    sg_abort(c("`alpha` must be between 0 and 1.", sprintf("It is %s.", format(alpha))), call = call)
  }
  n_null <- check_count(n_null, "n_null", call = call)
  seed <- check_seed(seed, call = call)
  ref <- drift_reference(reference, var, call)
  if (!is.data.frame(current)) {
    sg_abort(c("`current` must be a data frame (the new batch).", sprintf("It is %s.", describe(current))),
             call = call)
  }
  if (nrow(current) == 0) {
    sg_abort(c("`current` is an empty batch (0 rows).", "Pass a batch with rows to compare."),
             class = "empty_batch", call = call)
  }
  var <- var %||% (if (!is.null(ref$var) && ref$var %in% names(current)) ref$var)
  if (!is.null(var)) check_var(current, var, call = call)
  missing_cols <- setdiff(ref$features, names(current))
  extra <- setdiff(names(current), c(ref$features, var, ref$var, ref$excluded))
  if (length(missing_cols) > 0 || length(extra) > 0) {
    sg_abort(c("`reference` and `current` have different columns.",
               if (length(missing_cols) > 0)
                 sprintf("Not in `current`: %s.", paste0("`", missing_cols, "`", collapse = ", ")),
               if (length(extra) > 0)
                 sprintf("Only in `current`: %s.", paste0("`", extra, "`", collapse = ", ")),
               "Compare the same features: select the reference's columns from the batch."),
             class = "columns", call = call)
  }
  if (!is.null(seed)) {
    restore <- preserve_rng()
    on.exit(restore(), add = TRUE)
    set.seed(seed)
  }
  rows <- list()
  for (f in ref$numeric) rows[[f]] <- drift_numeric(ref, f, current[[f]], n_null)
  for (f in ref$nominal) rows[[f]] <- drift_nominal(ref$categories[[f]], ref$missing[[f]],
                                                    current[[f]], n_null, f, "nominal")
  if (!is.null(var) && !is.null(ref$classes)) {
    rows[[var]] <- drift_nominal(ref$classes, 0, current[[var]], n_null, var, "outcome")
  }
  table <- bind_rows(rows[c(ref$features[ref$features %in% names(rows)],
                            setdiff(names(rows), ref$features))])
  table[] <- lapply(table, unname)
  ps <- cbind(table$psi_p, table$ks_p, table$tv_p, table$missing_p)
  n_tests <- rowSums(!is.na(ps))
  table$p_value <- pmin(1, suppressWarnings(apply(ps, 1, min, na.rm = TRUE)) * n_tests)
  table$flagged <- table$p_value < alpha
  structure(list(table = table, alpha = alpha, n_null = n_null, source = ref$source,
                 n_ref = ref$rows, n_cur = nrow(current), var = var),
            class = "sg_drift")
}

# The reference as bins: per numeric feature the 101 quantiles and the
# counts between them (and its values, from a data frame), per nominal
# feature its category counts, the missing counts and the class counts.
drift_reference <- function(reference, var, call) {
  rec <- NULL
  if (inherits(reference, "sg_record")) rec <- reference
  else if (is.data.frame(reference) && inherits(attr(reference, "smoteguard", exact = TRUE), "sg_record")) {
    rec <- result_record(reference, "reference", call = call)
  }
  if (!is.null(rec)) {
    inp <- rec$input
    if (is.null(inp$quantiles) && !is.null(inp$numeric)) {
      sg_abort(c("This record has no quantiles of its input (it was made by an older smoteguard).",
                 "Make the result again, or pass the reference data frame."), class = "input", call = call)
    }
    num <- if (is.null(inp$numeric)) character(0) else inp$numeric$column
    nom <- if (is.null(inp$nominal)) character(0) else inp$nominal$column
    missing <- c(stats::setNames(as.list(inp$numeric$missing), num),
                 stats::setNames(as.list(inp$nominal$missing), nom))
    return(list(source = "record", rows = inp$rows, features = c(num, nom), numeric = num,
                nominal = nom, quantiles = inp$quantiles, bins = inp$bins, values = NULL,
                categories = inp$categories, missing = missing, var = rec$settings$var,
                excluded = c(inp$excluded, rec$settings$groups),
                classes = stats::setNames(rec$counts$before, as.character(rec$counts$class))))
  }
  if (!is.data.frame(reference)) {
    sg_abort(c("`reference` must be a data frame, a result of `sg_oversample()` or its `sg_record()`.",
               sprintf("It is %s.", describe(reference))), call = call)
  }
  if (nrow(reference) == 0) {
    sg_abort(c("`reference` has no rows.", "Pass the data the model was built on."),
             class = "empty_batch", call = call)
  }
  if (!is.null(var)) check_var(reference, var, call = call)
  features <- setdiff(names(reference), var)
  is_num <- vapply(reference[features], function(col) {
    (is.numeric(col) || inherits(col, "Date")) && !is.factor(col)
  }, logical(1))
  num <- features[is_num]
  nom <- features[!is_num]
  x <- matrix(unlist(lapply(reference[num], as.double), use.names = FALSE), nrow(reference), length(num),
              dimnames = list(NULL, num))
  q <- .Call(ffi_stats_quantiles, x, 1L)
  dimnames(q$quantiles) <- dimnames(q$counts) <- list(NULL, num)
  categories <- lapply(reference[nom], function(col) {
    v <- as.character(col)
    lv <- if (is.factor(col)) levels(col) else sort(unique(v[!is.na(v)]))
    stats::setNames(tabulate(match(v, lv), length(lv)), lv)
  })
  missing <- lapply(reference[features], function(col) sum(is.na(col)))
  classes <- if (!is.null(var)) {
    y <- reference[[var]]
    lv <- if (is.factor(y)) levels(y) else sort(unique(as.character(y[!is.na(y)])))
    stats::setNames(tabulate(match(as.character(y), lv), length(lv)), lv)
  }
  list(source = "data", rows = nrow(reference), features = features, numeric = num,
       nominal = nom, quantiles = q$quantiles, bins = q$counts,
       values = lapply(reference[num], function(col) { v <- as.double(col); v[!is.na(v)] }),
       categories = categories, missing = missing, var = var, excluded = character(0),
       classes = classes)
}

psi_readings <- function(psi) {
  as.character(cut(psi, c(-Inf, 0.1, 0.25, Inf), labels = c("none", "moderate", "major"), right = FALSE))
}

# PSI of count vectors (rows: bins; columns: samples), with half a count
# added to every bin so that empty bins stay finite; bins empty on both
# sides add nothing.
psi_counts <- function(a, b) {
  a <- as.matrix(a)
  b <- as.matrix(b)
  p <- sweep(a + 0.5, 2, colSums(a) + 0.5 * nrow(a), "/")
  q <- sweep(b + 0.5, 2, colSums(b) + 0.5 * nrow(b), "/")
  term <- (q - p) * log(q / p)
  term[a == 0 & b == 0] <- 0
  colSums(term)
}

null_p <- function(stat, null) (1 + sum(null >= stat - 1e-12)) / (1 + length(null))

# The asymptotic Kolmogorov upper tail P(K > t).
kolmogorov_tail <- function(t) {
  if (t <= 0) return(1)
  k <- 1:100
  min(1, max(0, 2 * sum((-1)^(k - 1) * exp(-2 * k^2 * t^2))))
}

# Missing shares: the change and its p-value under no change (binomial at
# the reference's share); NA when neither side has missing values.
drift_missing <- function(miss_ref, n_ref, miss_cur, n_cur, n_null) {
  if (miss_ref == 0 && miss_cur == 0) return(NA_real_)
  pr <- miss_ref / n_ref
  stat <- abs(miss_cur / n_cur - pr)
  null <- abs(stats::rbinom(n_null, n_cur, pr) / n_cur - stats::rbinom(n_null, n_ref, pr) / n_ref)
  null_p(stat, null)
}

drift_numeric <- function(ref, f, x, n_null) {
  x <- suppressWarnings(as.double(x))
  n_cur_all <- length(x)
  miss_cur <- sum(is.na(x))
  x <- x[!is.na(x)]
  qs <- ref$quantiles[, f]
  bins <- ref$bins[, f]
  n_ref <- sum(bins)
  m <- length(x)
  row <- list(feature = f, kind = "numeric", n_ref = n_ref, n_cur = m, psi = NA_real_,
              psi_reading = NA_character_, psi_p = NA_real_, ks = NA_real_, ks_p = NA_real_,
              ks_approx = is.null(ref$values), tv = NA_real_, tv_p = NA_real_,
              missing_ref = ref$missing[[f]] / (n_ref + ref$missing[[f]]),
              missing_cur = miss_cur / n_cur_all,
              missing_p = drift_missing(ref$missing[[f]], n_ref + ref$missing[[f]], miss_cur, n_cur_all, n_null))
  if (m == 0 || n_ref == 0) return(row)
  # deciles: the 10 bins between the reference's quantiles 0.1, ..., 0.9
  dec_cuts <- qs[seq(11, 91, by = 10)]
  ref_dec <- colSums(matrix(bins, 10))
  cur_dec <- tabulate(findInterval(x, dec_cuts, left.open = TRUE) + 1L, 10)
  row$psi <- psi_counts(ref_dec, cur_dec)
  row$psi_reading <- psi_readings(row$psi)
  prob <- bins / n_ref
  if (is.null(ref$values)) {
    # from a record: the fine bins, for both statistics
    a <- stats::rmultinom(n_null, n_ref, prob)
    b <- stats::rmultinom(n_null, m, prob)
    group <- rep(1:10, each = 10)
    null_psi <- psi_counts(rowsum(a, group), rowsum(b, group))
    cur_fine <- tabulate(findInterval(x, qs[2:100], left.open = TRUE) + 1L, 100)
    ks_grid <- function(a, b) {
      fa <- apply(as.matrix(a), 2, cumsum)[1:99, , drop = FALSE]
      fb <- apply(as.matrix(b), 2, cumsum)[1:99, , drop = FALSE]
      apply(abs(sweep(fa, 2, colSums(as.matrix(a)), "/") - sweep(fb, 2, colSums(as.matrix(b)), "/")), 2, max)
    }
    row$ks <- ks_grid(bins, cur_fine)
    row$ks_p <- null_p(row$ks, ks_grid(a, b))
  } else {
    p10 <- ref_dec / n_ref
    null_psi <- psi_counts(stats::rmultinom(n_null, n_ref, p10), stats::rmultinom(n_null, m, p10))
    row$ks <- ks_two_sample(ref$values[[f]], x)
    row$ks_p <- kolmogorov_tail(sqrt(n_ref * m / (n_ref + m)) * row$ks)
  }
  row$psi_p <- null_p(row$psi, null_psi)
  row
}

# The two-sample KS statistic: the largest gap between the two empirical
# distribution functions, over every value of either sample.
ks_two_sample <- function(a, b) {
  grid <- sort(unique(c(a, b)))
  fa <- findInterval(grid, sort(a)) / length(a)
  fb <- findInterval(grid, sort(b)) / length(b)
  max(abs(fa - fb))
}

drift_nominal <- function(counts, miss_ref, v, n_null, f, kind) {
  v <- as.character(v)
  miss_cur <- sum(is.na(v))
  v <- v[!is.na(v)]
  lv <- union(names(counts), sort(unique(v)))
  a <- c(as.double(counts), rep(0, length(lv) - length(counts)))
  b <- as.double(tabulate(match(v, lv), length(lv)))
  n_ref <- sum(a)
  m <- sum(b)
  row <- list(feature = f, kind = kind, n_ref = n_ref, n_cur = m, psi = NA_real_,
              psi_reading = NA_character_, psi_p = NA_real_, ks = NA_real_, ks_p = NA_real_,
              ks_approx = NA, tv = NA_real_, tv_p = NA_real_,
              missing_ref = miss_ref / (n_ref + miss_ref), missing_cur = miss_cur / (m + miss_cur),
              missing_p = drift_missing(miss_ref, n_ref + miss_ref, miss_cur, m + miss_cur, n_null))
  if (m == 0 || n_ref == 0) return(row)
  tv <- function(a, b) 0.5 * colSums(abs(sweep(as.matrix(a), 2, colSums(as.matrix(a)), "/") -
                                           sweep(as.matrix(b), 2, colSums(as.matrix(b)), "/")))
  prob <- a / n_ref
  na <- stats::rmultinom(n_null, n_ref, prob)
  nb <- stats::rmultinom(n_null, m, prob)
  row$psi <- psi_counts(a, b)
  row$psi_reading <- psi_readings(row$psi)
  row$psi_p <- null_p(row$psi, psi_counts(na, nb))
  row$tv <- tv(a, b)
  row$tv_p <- null_p(row$tv, tv(na, nb))
  if (kind == "outcome") row$missing_p <- NA_real_
  row
}

# The flagged features, largest shift first: PSI (one scale for numeric
# and nominal features) and then the p-value; for each, the test that
# flagged it (the smallest p-value), its statistic and the level each test
# had to beat (`alpha` over the feature's number of tests, Bonferroni).
drift_flagged <- function(x) {
  t <- x$table[x$table$flagged %in% TRUE, , drop = FALSE]
  ps <- cbind(psi = t$psi_p, ks = t$ks_p, tv = t$tv_p, missing = t$missing_p)
  n_tests <- rowSums(!is.na(ps))
  test <- colnames(ps)[apply(ps, 1, function(p) if (all(is.na(p))) NA_integer_ else which.min(p))]
  stat <- ifelse(test == "psi", t$psi, ifelse(test == "ks", t$ks, ifelse(
    test == "tv", t$tv, t$missing_cur - t$missing_ref)))
  out <- data.frame(feature = t$feature, kind = t$kind, psi = t$psi, psi_reading = t$psi_reading,
                    ks = t$ks, tv = t$tv, missing_ref = t$missing_ref, missing_cur = t$missing_cur,
                    test = test, statistic = stat, p_value = t$p_value,
                    level = x$alpha / n_tests, stringsAsFactors = FALSE)
  out <- out[order(-ifelse(is.na(out$psi), -Inf, out$psi), out$p_value), , drop = FALSE]
  rownames(out) <- NULL
  out
}

#' @export
print.sg_drift <- function(x, ...) {
  t <- x$table
  cat(sprintf("<smoteguard drift> %d feature(s), reference %s of %d rows, batch of %d rows\n",
              sum(t$kind != "outcome"), if (x$source == "record") "record" else "data", x$n_ref, x$n_cur))
  cat(sprintf("flagged (p < %s after Bonferroni over each feature's tests): %s\n", format(x$alpha),
              if (any(t$flagged)) paste0("`", t$feature[t$flagged], "`", collapse = ", ") else "none"))
  shown <- data.frame(feature = t$feature, kind = t$kind, psi = round(t$psi, 3),
                      reading = t$psi_reading, ks = round(t$ks, 3), tv = round(t$tv, 3),
                      missing = sprintf("%.3f -> %.3f", t$missing_ref, t$missing_cur),
                      p = signif(t$p_value, 2), flag = ifelse(t$flagged, "*", ""))
  print(shown, row.names = FALSE)
  if (x$source == "record") cat("KS from a record is approximate (taken at the record's 99 inner quantiles).\n")
  invisible(x)
}

#' @export
as.data.frame.sg_drift <- function(x, ...) x$table

#' @export
plot.sg_drift <- function(x, ...) {
  t <- x$table
  psi <- ifelse(is.na(t$psi), 0, t$psi)
  col <- ifelse(t$flagged, "#B2182B", "#9E9E9E")
  old <- graphics::par(mar = c(4, max(6, max(nchar(t$feature)) * 0.6), 3, 1))
  on.exit(graphics::par(old))
  graphics::barplot(rev(psi), names.arg = rev(t$feature), horiz = TRUE, las = 1, col = rev(col),
                    border = NA, xlab = "PSI", xlim = c(0, max(0.3, psi) * 1.05),
                    main = "PSI per feature (red: flagged, by any of its tests)", ...)
  graphics::abline(v = c(0.1, 0.25), lty = c(3, 2), col = "#404040")
  graphics::mtext(c("0.1 some shift", "0.25 large"), side = 3, at = c(0.1, 0.25), line = 0,
                  cex = 0.75, col = "#404040")
  invisible(x)
}
