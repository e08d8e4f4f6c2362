#' @include registry.R generate.R
NULL

# SVM-SMOTE (Nguyen, Cooper and Kamei 2011). An SVM (radial kernel, cost 1,
# gamma 1 / columns; libsvm through e1071) is fitted to every row on the
# standardised predictors, nominal columns as 0/1 indicators. The parents
# are the class's support vectors. Among a support vector's `m_neighbors`
# nearest rows of the whole data, m' are of other classes: m' = m is noise
# (dropped), m / 2 <= m' < m danger, m' < m / 2 safe. Danger parents
# interpolate toward one of their `neighbors` nearest rows of the class
# (gap uniform in [0, 1]); safe parents extrapolate away from it (gap
# uniform in [-out_step, 0]). Parents take turns, as in SMOTE.

# The design matrix of a model fitted to the whole data (SVM-SMOTE's SVM,
# KMeans-SMOTE's k-means): standardised numeric columns and one 0/1 column
# per level of each nominal column. Neither model takes a row with a
# missing value: such data are refused, naming the method and the model.
design_matrix <- function(pred, method, model, drop_first = FALSE) {
  check_complete(pred, method, model)
  z <- if (is.null(pred$z)) standardized(pred) else pred$z
  # (drop_first: without the first level's column, for a model with an
  # intercept)
  ind <- lapply(seq_along(pred$nominal), function(j) {
    lv <- seq_along(pred$nominal_levels[[j]])
    if (drop_first) lv <- lv[-1]
    outer(pred$codes[, j], lv, `==`) + 0
  })
  do.call(cbind, c(list(z), ind))
}

# A model fitted to the predictors needs every value.
check_complete <- function(pred, method, model) {
  if (isTRUE(pred$has_na)) {
    sg_abort(c(sprintf("Method \"%s\" cannot fit its %s on rows with missing values.",
                       method, model),
               "Impute the missing predictor values first (e.g. with recipes::step_impute_median()), or choose a method that skips them, such as \"smote\" or \"borderline1\"."),
             class = "input")
  }
}

# The rows of every class that are support vectors of the SVM.
svm_support_rows <- function(pred, yi) {
  x <- design_matrix(pred, "svm_smote", "SVM")
  y <- factor(yi)
  if (nlevels(y) < 2 || ncol(x) == 0) return(integer(0))
  fit <- e1071::svm(x = x, y = y, type = "C-classification", kernel = "radial",
                    cost = 1, gamma = 1 / ncol(x), scale = FALSE, fitted = FALSE)
  sort(as.integer(fit$index))
}

seeds_svm_smote <- function(ctx) {
  support <- ctx$rows %in% svm_support_rows(ctx$pred, ctx$yi)
  mm <- min(ctx$settings$m_neighbors, length(ctx$yi) - 1L)
  mprime <- integer(length(ctx$rows))
  mprime[support] <- rowSums(support_other(ctx, support, mm))
  noise <- support & mprime == mm
  danger <- support & !noise & mprime >= mm / 2
  safe <- support & mprime < mm / 2
  list(eligible = support & !noise, note = NULL,
       danger = sum(danger), noise = sum(noise), safe = sum(safe),
       state = list(safe = safe))
}

# Whether each of the `mm` nearest rows of the whole data of each support
# vector of the class is of another class. Only the support vectors are
# read (a tenth to a fifth of the class at 120,000 rows), so the method
# asks the pipeline for no whole-data search and makes its own for them;
# with a guard, the pipeline has searched every row of the class already
# (the guard reads `m_neighbors` rows), and that search is read instead.
support_other <- function(ctx, support, mm) {
  if (ctx$m_all >= mm) return(ctx$other(mm)[support, , drop = FALSE])
  cl <- ctx$yi[ctx$rows[1]]
  nn <- knn_rows(ctx$pred, seq_along(ctx$yi), mm, query = ctx$rows[support],
                 threads = ctx$settings$threads, cls = cl)
  matrix(ctx$yi[nn$index] != cl, nrow = sum(support))
}

# SMOTE's draw in turns over the parents, the gap of a safe parent's row
# turned into a step away from the neighbour.
draw_svm_smote <- function(ctx, at, within_at, need, state) {
  draw <- .Call(ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
  away <- state$safe[at[draw$parent]]
  draw$gap[away] <- -ctx$settings$out_step * draw$gap[away]
  draw
}

register_method(new_sampler_method(
  name = "svm_smote", family = "interpolate", rank = 7,
  title = "SVM-SMOTE: support vectors are parents; danger ones interpolate, safe ones extrapolate",
  reference = "Nguyen, Cooper and Kamei (2011), IJKESDP 3",
  params = list(
    m_neighbors = param_count(
      10, "nearest rows of the whole data read to find danger, safe and noise support vectors",
      tune = list(pkg = "dials", fun = "neighbors", range = c(3, 20))),
    out_step = param_number(0.5, "how far safe support vectors extrapolate, as a multiple of the distance to the neighbour")),
  seeks_boundary = TRUE,
  # (the support vectors' whole-data neighbours: searched in support_other())
  seeds = seeds_svm_smote, draw = draw_svm_smote,
  kind = function(settings, gap) ifelse(gap < 0, "extrapolate", "interpolate"),
  suggests = "e1071"
))
