# ffi_rounds_run()'s classes, one column per field (see src/rounds.c's
# sg_rounds_class_unpack() and generate.R's rounds_classes()), from one
# positional list of 16 per class: the code and bounds (fields 1, 9, 10)
# joined, the numbers and flags (7, 8) as six vectors of one value per
# class, the rest as lists (NULL when no class has one).
rounds_columns <- function(classes) {
  lapply(seq_len(16), function(j) {
    v <- lapply(classes, `[[`, j)
    if (j %in% 7:8) lapply(seq_len(6), function(f) sapply(v, `[[`, f))
    else if (j %in% c(1, 9:10)) unlist(v)
    else if (!all(vapply(v, is.null, NA))) v
  })
}
