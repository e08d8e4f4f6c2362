#' Correct predicted risks for the class shares a model was trained on
#'
#' A model fitted to oversampled data learns the class shares of the
#' oversampled data, not the real ones: with a rare class raised to balance,
#' its predicted risks are far too high. `sg_correct_prior()` moves
#' predictions from the shares the model was trained on (`from`) to the real
#' shares (`to`), the prior correction of Elkan (2001) and Saerens et al.
#' (2002).
#'
#' * **Two classes, `p` a vector** (the probability of the `positive`
#'   class): the log-odds are shifted,
#'   `logit(p') = logit(p) + logit(to_pos) - logit(from_pos)`.
#' * **A matrix `p`** (one column per class, named by class): each column is
#'   multiplied by `to_c / from_c` and each row divided by its sum. For two
#'   classes this is the same correction as the log-odds shift.
#'
#' Both are exact when the training data differ from the real data only in
#' their class shares (a pure change of priors: each class's rows keep their
#' distribution). Random oversampling (copies) comes close to that;
#' synthetic rows that change a class's distribution (see the fidelity check
#' in [sg_record()]) do not, and the correction is then approximate: check
#' the corrected risks' calibration on data the resampling never touched.
#' Probabilities of 0 and 1 stay 0 and 1.
#'
#' **Which class is positive.** A vector `p` is the probability of one
#' class, and correcting it for the other class's shares gives wrong risks
#' without any error, so the class is never guessed from the order of a
#' named vector: with shares given as numbers, name it with `positive`.
#' When `from` is a result of [sg_oversample()] and `positive` is not given,
#' it is the second level of the result's outcome, the class whose
#' probability `glm(family = binomial)` and `predict(type = "response")`
#' give.
#'
#' @param p Predicted probabilities: a numeric vector (two classes: the
#'   probability of the `positive` class) or a matrix with one column per
#'   class, its column names the class names.
#' @param from The class shares the model was trained on: a numeric vector
#'   named by class, summing to 1, or a result of [sg_oversample()], whose
#'   record holds the class counts after resampling.
#' @param to The real class shares, a numeric vector named by class summing
#'   to 1. By default, when `from` is a result, the shares of its input
#'   (before resampling); otherwise it must be given.
#' @param positive For a vector `p`: the name of the class `p` is the
#'   probability of. Required when the shares are given as numbers; by
#'   default the second level of the outcome when `from` is a result.
#' @return Corrected probabilities, of the shape of `p` (its names and
#'   dimnames kept).
#' @references
#' Elkan, C. (2001). The foundations of cost-sensitive learning. *IJCAI
#' 2001*, 973-978.
#'
#' Saerens, M., Latinne, P. and Decaestecker, C. (2002). Adjusting the
#' outputs of a classifier to new a priori probabilities: a simple
#' procedure. *Neural Computation*, 14, 21-41.
#'
#' van den Goorbergh, R., van Smeden, M., Timmerman, D. and Van Calster, B.
#' (2022). The harm of class imbalance corrections for risk prediction
#' models. *Journal of the American Medical Informatics Association*, 29,
#' 1525-1534.
#' @seealso [sg_oversample()]
#' @examples
#' # a model trained on 1:1 data, where the real event share is 10%
#' sg_correct_prior(c(0.2, 0.5, 0.9),
#'                  from = c(no = 0.5, yes = 0.5),
#'                  to = c(no = 0.9, yes = 0.1), positive = "yes")
#'
#' # the shares read from a result of sg_oversample()
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1, guard = NULL)
#' sg_record(res)$counts
#' fit <- glm(diagnosis ~ clump_thickness + cell_size, binomial, data = res)
#' p <- predict(fit, breast_biopsy, type = "response")  # P(malignant)
#' summary(p)
#' summary(sg_correct_prior(p, from = res))
#' mean(breast_biopsy$diagnosis == "malignant")
#'
#' # a matrix of class probabilities
#' m <- cbind(benign = 1 - p, malignant = p)
#' head(sg_correct_prior(m, from = res))
#' @export
sg_correct_prior <- function(p, from, to = NULL, positive = NULL) {
  call <- sys.call()
  if (missing(from)) {
    sg_abort(c("`from` is missing: give the class shares the model was trained on.",
               "A named vector such as `c(no = 0.5, yes = 0.5)`, or the result of `sg_oversample()` the model was fitted to."),
             call = call)
  }
  levels <- NULL
  if (is.data.frame(from)) {
    if (!inherits(attr(from, "smoteguard", exact = TRUE), "sg_record")) {
      sg_abort(c("`from` must be class shares or a result of `sg_oversample()`.",
                 sprintf("It is %s without a smoteguard record.", describe(from)),
                 "Pass the result as `sg_oversample()` returned it, or the shares as a named vector."),
               call = call)
    }
    counts <- result_record(from, arg = "from", call = call)$counts
    levels <- as.character(counts$class)
    from <- stats::setNames(counts$after / sum(counts$after), levels)
    if (is.null(to)) to <- stats::setNames(counts$before / sum(counts$before), levels)
  }
  from <- check_shares(from, "from", call)
  if (is.null(to)) {
    sg_abort(c("`to` is missing: give the real class shares.",
               sprintf("For example `to = c(%s)`, named like `from`.",
                       paste0(names(from), " = ...", collapse = ", ")),
               "It is read from the record only when `from` is a result of `sg_oversample()`."),
             call = call)
  }
  to <- check_shares(to, "to", call)
  if (!setequal(names(from), names(to))) {
    sg_abort(c("`from` and `to` must name the same classes.",
               sprintf("`from` names %s; `to` names %s.", class_list(names(from)),
                       class_list(names(to)))),
             call = call)
  }
  to <- to[names(from)]

  if (is.matrix(p) || is.data.frame(p)) {
    return(correct_matrix(check_probabilities(p, "p", call), from, to, call))
  }
  p <- check_probabilities(p, "p", call)
  if (length(from) != 2) {
    sg_abort(c(sprintf("`p` is a vector, but the shares name %d classes.", length(from)),
               "A vector holds one class's probability of two; for more classes give a matrix with one column per class."),
             call = call)
  }
  if (is.null(positive)) {
    if (is.null(levels)) {
      sg_abort(c("`positive` is missing: name the class whose probability `p` is.",
                 sprintf("The shares name %s; e.g. `positive = \"%s\"`.",
                         class_list(names(from)), names(from)[2]),
                 "It is not guessed from the order of the shares: the other class would give wrong risks without an error."),
               call = call)
    }
    positive <- levels[2]
  } else if (!is.character(positive) || length(positive) != 1 || is.na(positive) ||
             !positive %in% names(from)) {
    sg_abort(c(sprintf("`positive` must name one of the classes: %s.", class_list(names(from))),
               sprintf("It is %s.", describe(positive))),
             call = call)
  }
  shift <- stats::qlogis(to[[positive]]) - stats::qlogis(from[[positive]])
  # logit(0) = -Inf and logit(1) = Inf: 0 and 1 stay where they are
  p[] <- stats::plogis(stats::qlogis(p) + shift)
  p
}

# Class shares: a named numeric vector of positive shares summing to 1.
check_shares <- function(x, arg, call) {
  nms <- names(x)
  if (!is.numeric(x) || is.object(x) || length(x) < 2 || is.null(nms) ||
      anyNA(nms) || any(nms == "") || anyDuplicated(nms) > 0) {
    sg_abort(c(sprintf("`%s` must be class shares: a numeric vector named by class, at least two classes.", arg),
               sprintf("It is %s%s.", describe(x),
                       if (is.numeric(x) && is.null(nms)) " without names" else ""),
               "For example `c(no = 0.9, yes = 0.1)`."),
             call = call)
  }
  if (anyNA(x) || any(!is.finite(x))) {
    sg_abort(c(sprintf("`%s` must hold finite shares.", arg),
               sprintf("It has NA or infinite values for %s.", class_list(nms[!is.finite(x)]))),
             call = call)
  }
  if (any(x <= 0)) {
    sg_abort(c(sprintf("The shares in `%s` must be positive.", arg),
               sprintf("Not positive: %s.",
                       paste0(nms[x <= 0], " = ", format(x[x <= 0]), collapse = ", ")),
               "A class with no share cannot be corrected to or from."),
             call = call)
  }
  total <- sum(x)
  if (abs(total - 1) > 1e-8) {
    sg_abort(c(sprintf("The shares in `%s` must sum to 1.", arg),
               sprintf("They sum to %s.", format(total, digits = 10)),
               sprintf("Counts become shares with `%s / sum(%s)`.", arg, arg)),
             call = call)
  }
  storage.mode(x) <- "double"
  x
}

# Probabilities in [0, 1], no NA: a vector or a matrix (a data frame of
# numeric columns becomes one).
check_probabilities <- function(p, arg, call) {
  if (is.data.frame(p)) {
    num <- vapply(p, function(col) is.numeric(col) && !is.object(col), logical(1))
    if (!all(num)) {
      sg_abort(c(sprintf("Every column of `%s` must hold probabilities.", arg),
                 sprintf("Not numeric: %s.", class_list(names(p)[!num]))),
               call = call)
    }
    p <- as.matrix(p)
  }
  if (!is.numeric(p) || is.object(p) || length(p) == 0) {
    sg_abort(c(sprintf("`%s` must be a numeric vector or matrix of probabilities.", arg),
               sprintf("It is %s.", describe(p))),
             call = call)
  }
  bad <- which(is.na(p) | p < 0 | p > 1)
  if (length(bad) > 0) {
    where <- if (is.matrix(p)) {
      rc <- arrayInd(utils::head(bad, 5), dim(p))
      paste0("[", rc[, 1], ", ", rc[, 2], "]", collapse = ", ")
    } else {
      row_list(bad)
    }
    if (length(bad) > 5 && is.matrix(p)) where <- paste0(where, ", ...")
    sg_abort(c(sprintf("`%s` must hold probabilities in [0, 1], without NA.", arg),
               sprintf("%d value(s) are NA or outside [0, 1], at %s%s.", length(bad),
                       if (is.matrix(p)) "[row, column] " else "position(s) ", where)),
             call = call)
  }
  storage.mode(p) <- "double"
  p
}

# Each column times to_c / from_c, rows renormalised.
correct_matrix <- function(p, from, to, call) {
  cls <- colnames(p)
  if (is.null(cls) || !setequal(cls, names(from)) || anyDuplicated(cls) > 0) {
    sg_abort(c("The columns of `p` must be named by the classes of the shares, one each.",
               sprintf("`p` has columns %s; the shares name %s.",
                       if (is.null(cls)) "without names" else class_list(cls),
                       class_list(names(from))),
               "Name them, e.g. `colnames(p) <- names(from)` if they are in that order."),
             call = call)
  }
  ratio <- (to / from)[cls]
  q <- p * rep(ratio, each = nrow(p))
  total <- rowSums(q)
  empty <- which(total == 0)
  if (length(empty) > 0) {
    sg_abort(c("Every row of `p` needs a positive probability for some class.",
               sprintf("%d row(s) are all 0, row(s) %s.", length(empty), row_list(empty))),
             call = call)
  }
  q / total
}

class_list <- function(x) paste0("`", x, "`", collapse = ", ")
