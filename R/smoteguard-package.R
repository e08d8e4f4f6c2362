#' smoteguard: robust synthetic minority oversampling
#'
#' Synthetic minority oversampling with an exact nearest-neighbour search
#' and the generators in C. Start with [sg_oversample()]; every result
#' carries a record read by [sg_provenance()] and [sg_record()].
#'
#' Options: `smoteguard.threads`, the number of threads used by the C core
#' (default: as many as OpenMP allows). Results never depend on it.
#'
#' @keywords internal
#' @useDynLib smoteguard, .registration = TRUE
"_PACKAGE"
