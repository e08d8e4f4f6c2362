#' smoteguard: robust synthetic minority oversampling
#'
#' @description
#' smoteguard adds synthetic rows to the small classes of a training set
#' (SMOTE and its relatives: Borderline-SMOTE, ADASYN, Safe-Level SMOTE,
#' random oversampling), removes noisy or overlapping rows (Tomek links,
#' ENN) and under-samples the large classes, with an exact nearest-neighbour
#' search and the generators in C.
#'
#' @section Why it exists:
#' Oversampling quietly goes wrong in three ways: synthetic rows land among
#' another class's rows or outside what the data allow, they are made
#' before the data are split so that the test rows leak into training, and
#' nobody can say afterwards how a row was made. smoteguard answers each:
#' a *guard* ([sg_guard()]) and domain *constraints* ([sg_constraints()])
#' reject implausible rows; the recipes step and the caret hook oversample
#' only the training rows of each resample, never the rows a model is
#' assessed on; and every result carries a *record* of how it was made
#' (settings, seed, each synthetic row's parent and neighbour, what the guard
#' rejected), read by [sg_provenance()], [sg_guard_report()] and
#' [sg_record()]. Oversampling changes the class shares a model learns: see
#' [sg_correct_prior()] for putting predicted risks back on the real scale.
#'
#' @section Where to start:
#' * `vignette("getting-started", package = "smoteguard")`: a first
#'   oversampling, reading its record, checking it with [sg_diagnose()].
#' * [sg_oversample()]: the main function; [sg_methods()] lists every method.
#' * [step_smoteguard()] (recipes, tidymodels) and [sg_caret_sampling()]
#'   (caret): oversampling inside resampling, where it belongs;
#'   `vignette("tidymodels-caret", package = "smoteguard")`.
#' * [sg_clean()] and [sg_undersample()]: removing rows instead of adding
#'   them.
#' * `vignette("definitions", package = "smoteguard")`: how each method,
#'   filter and metric is defined.
#'
#' @section Options:
#' `smoteguard.threads`: the number of threads of the C core (see
#' [sg_threads()]). Results never depend on it.
#'
#' @useDynLib smoteguard, .registration = TRUE
"_PACKAGE"
