#' Remove noisy and overlapping rows: Tomek links, ENN and their relatives
#'
#' Every method removes rows and makes none; distances are those of
#' [sg_oversample()].
#'
#' * `"tomek"` finds Tomek links (Tomek 1976): pairs of rows of different
#'   classes that are each other's nearest row.
#' * `"enn"`, Wilson's edited nearest neighbours (1972), finds rows whose
#'   `neighbors` nearest rows vote, by a strict majority of the most frequent
#'   class, for another class than their own (a tie for the most frequent
#'   class keeps the row).
#' * `"cnn"`, Hart's condensed nearest neighbours (1968), keeps the rows the
#'   1-NN rule needs: each larger class is condensed against the smallest
#'   class, starting from its first row in the data (no random choice), its
#'   other rows joining in turn when their nearest kept row is of another
#'   class.
#' * `"oss"`, one-sided selection (Kubat and Matwin 1997): each larger class
#'   keeps its first row and the rows that the 1-NN rule over the smallest
#'   class and that row gets wrong; Tomek links among the kept rows are then
#'   removed.
#' * `"ncl"`, the neighbourhood cleaning rule (Laurikkala 2001): ENN's
#'   removals, and the rows of the larger classes among the `neighbors`
#'   nearest rows of each row of the smallest class that its nearest rows
#'   misclassify.
#' * `"renn"` (repeated ENN) and `"allknn"` (Tomek 1976): ENN on the rows
#'   the last pass left, with the same `neighbors` until a pass removes
#'   nothing (`"renn"`, at most 100 passes), or with 1, 2, ..., `neighbors`
#'   nearest rows (`"allknn"`). Both stop early after a pass that leaves a
#'   larger class smaller than the smallest class was, or a class empty.
#'
#' With `remove = "larger"` (the default) only rows of the larger classes
#' are removed: the member of the larger class of each Tomek link (neither
#' when the two classes are of equal size), and for the ENN family the rows
#' of every class but the smallest. With `remove = "both"` both members of a
#' link and misclassified rows of every class are removed, as Batista et al.
#' (2004) do after oversampling; CNN then runs Hart's rule over all classes
#' at once (the kept set starting with row 1, passes repeated until one adds
#' no row). `vignette("definitions", package = "smoteguard")` defines each
#' method and lists where it differs from imbalanced-learn.
#'
#' Distances are those of [sg_oversample()]: numeric columns standardised
#' over all rows, nominal mismatches penalised, missing values skipped, so
#' every method runs on mixed data with missing values.
#'
#' @inheritParams sg_oversample
#' @param guard Only `NULL`. The guard steers where synthetic rows are made,
#'   and this method makes none: any other value is refused with an error.
#' @param method `"tomek"`, `"enn"`, `"cnn"`, `"oss"`, `"ncl"`, `"renn"` or
#'   `"allknn"` (see [sg_methods()]).
#' @param remove `"larger"` or `"both"`, see Details.
#' @param neighbors The number of nearest rows ENN's vote reads (3 by
#'   default; for `"allknn"` the largest); Tomek links, CNN and OSS always
#'   use the single nearest row.
#' @return The kept rows of `data`, in their original order, with a
#'   `"smoteguard"` record whose `removed` element lists the removed rows
#'   (their row numbers in `data` and classes).
#' @references Tomek, I. (1976). Two modifications of CNN. *IEEE
#'   Transactions on Systems, Man, and Cybernetics*, 6, 769-772.
#'
#' Wilson, D. L. (1972). Asymptotic properties of nearest neighbor rules
#' using edited data. *IEEE Transactions on Systems, Man, and Cybernetics*,
#' 2, 408-421.
#'
#' Tomek, I. (1976). An experiment with the edited nearest-neighbor rule.
#' *IEEE Transactions on Systems, Man, and Cybernetics*, 6, 448-452.
#'
#' Hart, P. E. (1968). The condensed nearest neighbor rule. *IEEE
#' Transactions on Information Theory*, 14, 515-516.
#'
#' Kubat, M. and Matwin, S. (1997). Addressing the curse of imbalanced
#' training sets: one-sided selection. *Proceedings of the 14th
#' International Conference on Machine Learning*, 179-186.
#'
#' Laurikkala, J. (2001). Improving identification of difficult small
#' classes by balancing class distribution. *Artificial Intelligence in
#' Medicine (AIME 2001)*, LNCS 2101, 63-66.
#'
#' Batista, G. E., Prati, R. C. and Monard, M. C. (2004). A study of the
#' behavior of several methods for balancing machine learning training
#' data. *SIGKDD Explorations*, 6, 20-29.
#' @examples
#' cleaned <- sg_clean(breast_biopsy, "diagnosis", method = "tomek")
#' table(breast_biopsy$diagnosis)
#' table(cleaned$diagnosis)
#' sg_record(cleaned)$removed
#' @export
sg_clean <- function(data, var,
                     method = c("tomek", "enn", "cnn", "oss", "ncl", "renn", "allknn"),
                     remove = c("larger", "both"), neighbors = 3,
                     threads = getOption("smoteguard.threads"), guard = NULL) {
  call <- sys.call()
  started <- proc.time()[["elapsed"]]
  method <- check_choice(method, "method", method_names("clean"), call = call)
  check_no_guard(guard, method, call = call)
  remove <- check_choice(remove, "remove", c("larger", "both"), call = call)
  check_data_frame(data, call = call)
  check_var(data, var, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  threads <- check_threads(threads, call = call)
  classes <- outcome_classes(data, var, "Cleaning", call = call)
  levels <- classes$levels
  yf <- classes$yf
  counts <- classes$counts
  pred <- prepare_predictors(data, var, y = yf, call = call)
  if (reads_neighbors(method) && neighbors > nrow(data) - 1) {
    sg_abort(sprintf("`neighbors` = %d is larger than the %d other rows.",
                     neighbors, nrow(data) - 1), call = call)
  }
  keep <- clean_keep(pred, as.integer(yf), method, remove, neighbors, threads)
  out <- data[keep, , drop = FALSE]
  if (.row_names_info(data) < 0) attr(out, "row.names") <- .set_row_names(sum(keep))
  finished <- proc.time()[["elapsed"]]
  settings <- list(method = method, var = var, neighbors = neighbors,
                   remove = remove, threads = threads)
  after <- tabulate(factor(out[[var]], levels = levels), length(levels))
  attr(out, "smoteguard") <- new_record(
    settings = settings, seed = NULL, rng_kind = RNGkind(), levels = levels,
    counts_before = counts, targets = after, counts_after = after,
    n_input = nrow(data), pred = pred, provenance = empty_provenance(levels),
    classes = NULL,
    removed = data.frame(row = which(!keep), class = yf[!keep]),
    timings = c(checks = 0, generate = finished - started, assemble = 0,
                total = finished - started),
    result = out, warnings = character(0),
    fingerprint = data_fingerprint(data))
  out
}

empty_provenance <- function(levels) {
  data.frame(row = integer(0), class = factor(character(0), levels = levels),
             parent = integer(0), neighbor = integer(0), gap = double(0),
             kind = character(0))
}

# Whether a cleaner's vote reads `neighbors` rows (Tomek links, CNN and OSS
# read the single nearest one).
reads_neighbors <- function(method) "neighbors" %in% names(sampler_method(method)$params)

# Which rows stay: the registered cleaner's rule. yi: integer class codes of
# the rows of pred.
clean_keep <- function(pred, yi, method, remove, neighbors, threads) {
  sampler_method(method)$select(pred, yi, remove, neighbors, threads)
}

# SMOTE-Tomek / SMOTE-ENN: clean every class of an oversampled result,
# on the scale the oversampling used.
clean_result <- function(out, var, pred, yf, gen, clean, clean_neighbors,
                         threads, call) {
  n <- length(yf)
  G <- length(gen$parent)
  plain <- out
  attr(plain, "smoteguard") <- NULL
  all_y <- factor(plain[[var]], levels = levels(yf))
  # the same predictors as the oversampling's: the group column stays out
  full <- prepare_predictors(plain, var, exclude = pred$exclude,
                             distance = pred$distance, keep_out = pred$keep_out,
                             call = call)
  full$center <- pred$center
  full$scale <- pred$scale
  full$penalty <- pred$penalty
  full$vdm <- pred$vdm
  if (full$mixed) full$z <- standardized(full)
  if (reads_neighbors(clean) && clean_neighbors > nrow(plain) - 1) {
    sg_abort(sprintf("`clean_neighbors` = %d is larger than the %d other rows.",
                     clean_neighbors, nrow(plain) - 1), call = call)
  }
  keep <- clean_keep(full, as.integer(all_y), clean, "both", clean_neighbors, threads)
  kept <- out[keep, , drop = FALSE]
  if (.row_names_info(out) < 0) attr(kept, "row.names") <- .set_row_names(sum(keep))
  syn_keep <- keep[n + seq_len(G)]
  list(data = kept,
       removed = data.frame(row = which(!keep), class = all_y[!keep],
                            synthetic = which(!keep) > n),
       kept_synthetic = which(syn_keep),
       new_rows = sum(keep[seq_len(n)]) + seq_len(sum(syn_keep)))
}
