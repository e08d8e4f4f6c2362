#' Oversample the small classes of a data frame
#'
#' Raises every class below a target count with synthetic rows. The
#' interpolating methods place each synthetic row on the segment from a real
#' *parent* row to one of the parent's `neighbors` nearest rows of the same
#' class, at a random *gap* along it; they differ in which rows may be
#' parents and how the gap is drawn.
#'
#' @section Methods:
#' * `"smote"` (Chawla et al. 2002): every row of the class is a parent, in
#'   turns through a random permutation (each used about equally often); gap
#'   uniform in \[0, 1\].
#' * `"ros"`: random oversampling, copies of parents taken in the same turns.
#'   With `shrinkage > 0`, a smoothed bootstrap (Menardi and Torelli 2014):
#'   each copy gets Gaussian noise with standard deviation
#'   `shrinkage * (4 / ((d + 2) n))^(1 / (d + 4)) * sd` per numeric column,
#'   `sd` that of the class, `d` the number of numeric columns, `n` the class
#'   size. Nominal values are copied.
#' * `"borderline1"`, `"borderline2"` (Han et al. 2005): among the
#'   `m_neighbors` nearest rows of the whole data, a row with from half to
#'   all but one of them in other classes is in "danger" and only those are
#'   parents; a row whose nearest rows are all of other classes is noise.
#'   Type 2 may also step toward the parent's nearest row of another class
#'   (one candidate among `neighbors + 1`), with a gap in \[0, 0.5\]. With no
#'   danger rows, SMOTE is used, with a warning.
#' * `"adasyn"` (He et al. 2008): the number of rows made from each parent is
#'   proportional to the share of other classes among its `neighbors`
#'   nearest rows of the whole data; the counts add up to the target exactly
#'   (largest remainders, ties to the earlier row).
#' * `"safe_level"` (Bunkhumpornpat et al. 2009): the gap range follows the
#'   safe levels (own-class count among the `neighbors` nearest rows of the
#'   whole data) of parent and neighbour; a pair of two unsafe rows makes
#'   nothing and the parent tries its other neighbours; a class that runs out
#'   of usable pairs falls short, with a warning.
#'
#' @section Numeric outcomes:
#' `method = "smoter"` (Torgo et al. 2013) and `"smogn"` (Branco et al.
#' 2017) oversample the rare values of a numeric outcome; they run only when
#' asked for by name, and every other method refuses a numeric outcome (a
#' class coded 0/1 is never taken for a number). The rows sorted by the
#' outcome are cut into bins where the relevance ([sg_relevance()]) crosses
#' `rel_threshold`; with `B` = rows / bins, each rare bin is raised to
#' `round(over_ratio * B)` rows, and common bins are kept (`under =
#' FALSE`), reduced to `round(B)` (`TRUE`) or to that share of their rows (a
#' number). SMOTER places a row between a row of the bin and one of its
#' `neighbors` nearest rows of the same bin, at a uniform gap, with the
#' outcome the two rows' outcomes weighted by the inverse of their distances
#' to the new row. SMOGN does so when the neighbour is closer than half the
#' median distance to the row's neighbours, and otherwise adds Gaussian
#' noise (`min(pert, that half median)` times each column's sd in the bin)
#' to the row's numeric predictors and outcome (provenance `kind` `"noise"`).
#' The guard, `clean`, `groups`, Gower's distance and missing predictor
#' values are refused with classed errors; `constraints` may bound the
#' noise rows. The record keeps the relevance's control points
#' (`$relevance`) and the bins (`$bins`); the counts are per bin.
#'
#' @section Distances and data types:
#' Numeric predictors are centred and scaled by the mean and standard
#' deviation of all rows of `data` (every class), so one scale serves every
#' search; a constant column gets weight 0. Integer columns are interpolated
#' and rounded; ordered factors are interpolated on their rank and rounded to
#' a level. Factor, character and logical predictors are nominal: each
#' mismatch adds the SMOTE-NC penalty (the squared median standard deviation
#' of the class's standardised numeric columns) to the squared distance, and
#' each synthetic row draws each nominal value among its parent's and the
#' parent's neighbours' values, in proportion to their frequency
#' (`nominal = "draw"`), or takes the most frequent (`nominal = "vote"`, the
#' paper's rule). Data with only nominal predictors use SMOTE-N's value
#' difference metric. `distance = "gower"` uses Gower's distance instead.
#' Missing predictor values are allowed: distances skip the coordinates
#' missing in either row and rescale for them; a synthetic value comes from
#' whichever of parent and neighbour has it, and stays `NA` when both miss it.
#' Date and date-time columns, and the columns named in `exclude`, are kept
#' out of the distance and copied from the parent.
#'
#' @section Targets:
#' The target of a class is `round(over_ratio * M)`, `M` the largest class
#' count (R's `round()`, which rounds half to even). Classes at or above
#' their target keep their rows and get none; oversampling never removes
#' rows (only `clean` does). A named `over_ratio` sets targets for the
#' classes it names and leaves the others as they are. An outcome level with
#' no rows stays a level and gets no rows. A class with no more rows than
#' `neighbors` uses all its other rows as neighbours, and a class of one row
#' can only be copied; both warn.
#'
#' @section Oversampling and predicted risks:
#' In clinical risk prediction, oversampling rarely improves discrimination
#' and makes predicted risks too high: a model fitted to rows balanced by
#' oversampling predicts the balanced class shares, not the real ones (van
#' den Goorbergh et al. 2022; Carriero et al. 2025). Fitting to the real
#' data and choosing a decision threshold is often the better choice. If you
#' oversample, correct the predicted risks to the real class shares with
#' [sg_correct_prior()] (the log-odds shifted by logit(real share) -
#' logit(share after oversampling); the shares are in the record) and check
#' calibration (calibration-in-the-large, calibration slope) on data the
#' resampling never touched. TRIPOD+AI (Collins et al. 2024), item 13, asks
#' authors to report how class imbalance was handled and how the
#' predictions were recalibrated.
#'
#' @section Fidelity check:
#' Every call compares the synthetic rows of each class with the class's
#' real rows, per predictor, and stores the result in
#' `sg_record(result)$fidelity` (with `clean`, the synthetic rows kept):
#' the standardised mean shift, `(mean of synthetic - mean of real) / sd of
#' real`, and the Kolmogorov-Smirnov statistic for numeric columns (integer
#' columns and the ranks of ordered factors included), the total variation
#' distance of the value shares for nominal ones. A warning of class
#' `smoteguard_warning_fidelity` names the features whose shift exceeds both
#' 0.25 class standard deviations and 3 standard errors, the standard error
#' being `se_shift = 1 / sqrt(n_synthetic)` class standard deviations: that of
#' the mean of `n_synthetic` rows drawn at random from the class's real rows.
#' Interpolated rows vary less than the class, so this is conservative, and
#' a call making a few rows does not warn on the noise of their mean. Rows
#' made from one part of a class (the guard leaving only the class's core as
#' parents, or Borderline-SMOTE and ADASYN seeding at the boundary on
#' purpose) move the class, and a model fitted to them learns the moved
#' class: try `guard = NULL`, a lower `over_ratio`, case weights, or no
#' oversampling.
#'
#' @param data A data frame with the outcome and the predictors.
#' @param var The name of the outcome column, a factor or character vector.
#' @param method The oversampling method: `"smote"`, `"ros"`,
#'   `"borderline1"`, `"borderline2"`, `"adasyn"`, `"safe_level"`,
#'   `"svm_smote"`, `"kmeans_smote"`, `"geometric_smote"` or `"mwmote"`
#'   (see [sg_methods()]; SVM-SMOTE needs
#'   the e1071 package); for a numeric outcome, `"smoter"` or `"smogn"`.
#' @param neighbors The number of nearest same-class rows a parent may be
#'   paired with (`k` in the SMOTE paper), a whole number >= 1. ADASYN and
#'   Safe-Level also use it for their whole-data neighbourhoods.
#' @param over_ratio The target of each class as a share of the largest
#'   class count: one positive number for every class, or a vector named by
#'   class. `1` balances the classes.
#' @param seed `NULL` to use the current random stream, or a whole number:
#'   the result is then the same as after `set.seed(seed)`, and the caller's
#'   random stream is restored afterwards.
#' @param m_neighbors The number of nearest rows of the whole data that
#'   Borderline-SMOTE and SVM-SMOTE read to find danger and noise rows.
#' @param shrinkage For `"ros"`: 0 for plain copies, or a positive multiple
#'   of the smoothed bootstrap's bandwidth.
#' @param out_step For `"svm_smote"`: how far a safe support vector's rows
#'   reach away from its neighbour, as a multiple of the distance to it
#'   (gap uniform in `[-out_step, 0]`).
#' @param clusters For `"kmeans_smote"`: the number of k-means clusters of
#'   the whole data.
#' @param imbalance_threshold For `"kmeans_smote"`: a cluster is used for a
#'   class when (its rows of other classes + 1) / (its rows of the class + 1)
#'   is below this; raise it when no cluster qualifies.
#' @param rel_threshold,relevance,under,pert For `"smoter"` and `"smogn"`
#'   (numeric outcomes): the relevance at or above which an outcome value is
#'   rare; `NULL` for the box-plot relevance or a matrix of control points
#'   (see [sg_relevance()]); whether common bins are under-sampled (`FALSE`,
#'   `TRUE` for the balanced bin size, or the share of their rows kept); and
#'   SMOGN's noise as a multiple of each column's standard deviation in the
#'   bin. See the section "Numeric outcomes".
#' @param truncation,deformation,selection For `"geometric_smote"`: which
#'   part of the hypersphere around the parent is kept (`truncation` in
#'   \[-1, 1\]: 1 the half towards the surface point, 0 all of it, -1 the
#'   half away from it), how far it is flattened towards the line to the
#'   surface point (`deformation` in \[0, 1\]: 1 is SMOTE's segment), and
#'   which row is the surface point (`selection`: `"combined"`, the nearer of
#'   a random one of the parent's `neighbors` nearest rows of its class and
#'   its nearest row of another class; `"minority"`; `"majority"`).
#' @param noise_neighbors,border_neighbors,inform_share,closeness_cutoff,closeness_max,cluster_spread
#'   For `"mwmote"`: the paper's k1 (rows whose `noise_neighbors` nearest
#'   rows hold none of their class are noise), k2 (each other row's
#'   `border_neighbors` nearest rows of other classes are the borderline
#'   rows), k3 as a share of the class (each borderline row's
#'   `round(inform_share * class size)` nearest rows of the class are the
#'   informative rows), the closeness factor's cut-off Cf(th) and largest
#'   value CMAX, and Cp (average-linkage clusters merge while within
#'   `cluster_spread` times the mean nearest-row distance).
#' @param distance `"euclidean"` (standardised, with the SMOTE-NC penalty for
#'   nominal columns) or `"gower"`.
#' @param nominal How synthetic rows get nominal values: `"draw"` or
#'   `"vote"` (see Details).
#' @param exclude Names of columns kept out of the distance and copied from
#'   the parent row (identifiers, free text).
#' @param clean `NULL`, or a cleaning method of [sg_clean()] (`"tomek"`,
#'   `"enn"`, ...) to clean all classes after oversampling (SMOTE-Tomek and
#'   SMOTE-ENN, Batista et al. 2004).
#' @param clean_neighbors The neighbours the vote reads when `clean` is
#'   `"enn"`, `"ncl"`, `"renn"` or `"allknn"`.
#' @param guard The guard, made by [sg_guard()], applied to every
#'   interpolating method; `NULL` for the plain method.
#' @param constraints Domain rules made by [sg_constraints()] (by default,
#'   numeric predictors stay within their class's observed range); `NULL`
#'   for none.
#' @param groups `NULL`, or the name of a column grouping rows (a patient's
#'   rows): rows of one group are never parent and neighbour of each other.
#'   The column is not a predictor; a synthetic row carries its parent's
#'   group id (the provenance's `parent` names that row), so a model or a
#'   later split never meets an `NA` group. Oversample inside each analysis
#'   set of a grouped resampling, never before splitting: a synthetic row's
#'   neighbour is another group's row, which may be in the assessment set.
#' @param weights `NULL`, or the name of a numeric column of case weights
#'   (finite, not negative, no `NA`). It is not a predictor. Importance
#'   weights ([hardhat::importance_weights()], or a plain numeric column):
#'   parents are drawn as without weights and each synthetic row takes its
#'   parent's weight, so no weight is counted twice and none is `NA`.
#'   Frequency weights ([hardhat::frequency_weights()]) are refused with an
#'   error of class `smoteguard_error_case_weights`: honouring them would
#'   mean counting a row of weight w as w rows and drawing it as a parent w
#'   times as often, which the draw does not do; expand the rows first
#'   (e.g. `tidyr::uncount()`) or use importance weights.
#' @param threads The number of threads for the neighbour searches; by
#'   default `getOption("smoteguard.threads")`. The result does not depend on
#'   it.
#' @return A data frame of the class of `data`: all rows of `data`
#'   unchanged and in their order, then the synthetic rows, with the same
#'   columns, types and factor levels (with `clean`, the kept rows of each
#'   part, in that order). It carries the attribute `"smoteguard"`, the
#'   record of how it was made, read by [sg_provenance()] and [sg_record()].
#' @seealso [sg_correct_prior()], [sg_smote()], [sg_provenance()], [sg_clean()],
#'   [sg_undersample()], [sg_knn()].
#' @references
#' Chawla, N. V., Bowyer, K. W., Hall, L. O. and Kegelmeyer, W. P. (2002).
#' SMOTE: synthetic minority over-sampling technique. *Journal of Artificial
#' Intelligence Research*, 16, 321-357.
#'
#' Han, H., Wang, W.-Y. and Mao, B.-H. (2005). Borderline-SMOTE. *ICIC 2005*,
#' LNCS 3644, 878-887.
#'
#' He, H., Bai, Y., Garcia, E. A. and Li, S. (2008). ADASYN. *IJCNN 2008*,
#' 1322-1328.
#'
#' Bunkhumpornpat, C., Sinapiromsaran, K. and Lursinsap, C. (2009).
#' Safe-Level-SMOTE. *PAKDD 2009*, LNCS 5476, 475-482.
#'
#' Menardi, G. and Torelli, N. (2014). Training and assessing classification
#' rules with imbalanced data. *Data Mining and Knowledge Discovery*, 28,
#' 92-122.
#'
#' van den Goorbergh, R., van Smeden, M., Timmerman, D. and Van Calster, B.
#' (2022). The harm of class imbalance corrections for risk prediction
#' models: illustration and simulation using logistic regression. *Journal
#' of the American Medical Informatics Association*, 29, 1525-1534.
#'
#' Carriero, A., Luijken, K., de Hond, A., Moons, K. G. M., Van Calster, B.
#' and van Smeden, M. (2025). The harms of class imbalance corrections for
#' machine learning based prediction models: a simulation study.
#' *Statistics in Medicine*, 44.
#'
#' Collins, G. S., Moons, K. G. M., Dhiman, P. et al. (2024). TRIPOD+AI
#' statement: updated guidance for reporting clinical prediction models that
#' use regression or machine learning methods. *BMJ*, 385, e078378.
#' @examples
#' table(breast_biopsy$diagnosis)
#' res <- sg_oversample(breast_biopsy, "diagnosis", seed = 1)
#' table(res$diagnosis)
#' head(sg_provenance(res))
#' sg_record(res)
#'
#' # raise the malignant class to three quarters of the benign count only
#' res2 <- sg_oversample(breast_biopsy, "diagnosis",
#'                       over_ratio = c(malignant = 0.75), seed = 1)
#' table(res2$diagnosis)
#'
#' # seeds only at the class boundary
#' res3 <- sg_oversample(breast_biopsy, "diagnosis", method = "borderline1",
#'                       seed = 1)
#' sg_record(res3)$counts
#' @export
sg_oversample <- function(data, var, method = "smote", neighbors = 5,
                          over_ratio = 1, seed = NULL, m_neighbors = 10,
                          shrinkage = 0, out_step = 0.5, clusters = 8,
                          imbalance_threshold = 1, rel_threshold = 0.8,
                          relevance = NULL, under = FALSE, pert = 0.02,
                          truncation = 1, deformation = 0, selection = "combined",
                          noise_neighbors = 5, border_neighbors = 3,
                          inform_share = 0.5, closeness_cutoff = 5,
                          closeness_max = 2, cluster_spread = 3,
                          distance = "euclidean",
                          nominal = "draw", exclude = NULL, clean = NULL,
                          clean_neighbors = 3, guard = sg_guard(),
                          constraints = sg_constraints(), groups = NULL,
                          weights = NULL,
                          threads = getOption("smoteguard.threads")) {
  call <- sys.call()
  # the wall clock (seconds, as Sys.time()), for the record's timings: read
  # in C, without Sys.time()'s date-time object (five reads a call)
  started <- .Call(ffi_record_clock)
  method <- check_method_of(method, c(oversampling_families, "regress"), call = call)
  if (sampler_method(method)$family == "regress") {
    # SMOTER / SMOGN, asked for by name (method-smoter.R); the default guard
    # is for classes and is left out
    return(oversample_numeric(data, var, method, neighbors, over_ratio, seed,
                              rel_threshold, relevance, under, pert, distance,
                              nominal, exclude, clean, if (!missing(guard)) guard,
                              constraints, groups, weights, threads, call))
  }
  check_method_packages(method, call = call)
  check_data_frame(data, call = call)
  check_class_outcome(data, if (!missing(var)) var, call = call)
  check_var(data, var, call = call)
  neighbors <- check_count(neighbors, "neighbors", call = call)
  m_neighbors <- check_count(m_neighbors, "m_neighbors", call = call)
  shrinkage <- check_number(shrinkage, "shrinkage", min = 0, call = call)
  out_step <- check_number(out_step, "out_step", min = 0, call = call)
  clusters <- check_count(clusters, "clusters", call = call)
  imbalance_threshold <- check_number(imbalance_threshold, "imbalance_threshold", min = 0,
                                      call = call)
  # (checked by their registrations)
  geometric <- check_method_params("geometric_smote", list(
    truncation = truncation, deformation = deformation, selection = selection), call = call)
  mwmote <- check_method_params("mwmote", list(
    noise_neighbors = noise_neighbors, border_neighbors = border_neighbors,
    inform_share = inform_share, closeness_cutoff = closeness_cutoff,
    closeness_max = closeness_max, cluster_spread = cluster_spread), call = call)
  distance <- check_choice(distance, "distance", c("euclidean", "gower"), call = call)
  nominal <- check_choice(nominal, "nominal", c("draw", "vote"), call = call)
  if (!is.null(clean)) clean <- check_choice(clean, "clean", method_names("clean"), call = call)
  clean_neighbors <- check_count(clean_neighbors, "clean_neighbors", call = call)
  seed <- check_seed(seed, call = call)
  threads <- check_threads(threads, call = call)

  classes <- outcome_classes(data, var, "Oversampling", call = call)
  yf <- classes$yf
  ratio <- check_over_ratio(over_ratio, classes$levels, call = call)
  group_codes <- check_groups(groups, data, var, exclude, call = call)
  check_weights(weights, data, var, groups, call = call)
  pred <- prepare_predictors(data, var, exclude = exclude, distance = distance,
                             y = yf, keep_out = c(groups, weights), call = call,
                             threads = threads)
  check_guard_args(guard, constraints, data, pred, call = call)
  targets <- class_targets(classes$counts, ratio)
  n_new <- new_counts(targets, classes$counts, data, pred, call)

  if (!is.null(seed)) {
    # local_seed() inline: its do.call(on.exit) costs more on a small table
    restore_rng <- preserve_rng()
    on.exit(restore_rng(), add = TRUE)
    set.seed(seed)
  }
  rng_kind <- if (is.null(seed)) RNGkind() else seeded_rng_kind()
  settings <- list(method = method, var = var, neighbors = neighbors,
                   over_ratio = over_ratio, m_neighbors = m_neighbors,
                   shrinkage = shrinkage, out_step = out_step, clusters = clusters,
                   imbalance_threshold = imbalance_threshold, distance = distance,
                   nominal = nominal, exclude = pred$exclude, clean = clean,
                   clean_neighbors = clean_neighbors, groups = groups,
                   weights = weights,
                   guard = guard, constraints = constraints, threads = threads,
                   group_codes = group_codes)
  settings <- c(settings, geometric, mwmote)

  checked <- .Call(ffi_record_clock)
  gen <- generate(pred, yf, n_new, settings, data, call)
  generated <- .Call(ffi_record_clock)
  oversample_result(data, pred, yf, classes, targets, gen, settings, seed, rng_kind,
                    c(started = started, checked = checked, generated = generated),
                    call)
}

# The synthetic rows each class gets (integer, named by class), after
# checking that the result fits in memory.
new_counts <- function(targets, counts, data, pred, call = NULL) {
  # pmax() without its attribute handling (a few microseconds a call)
  n_new <- targets - counts
  n_new[n_new < 0] <- 0  # (no NA: the targets and counts are numbers)
  hint <- "Use a smaller `over_ratio`."
  # (.row_names_info(): nrow() without its dispatch)
  check_result_size(as.numeric(.row_names_info(data, 2L)) + sum(n_new),
                    "The result's rows", bytes = 8 * length(data), hint = hint, call = call)
  check_result_size(as.numeric(sum(n_new)) * max(1, dim(pred$x)[2L], dim(pred$codes)[2L]),
                    "The synthetic values", bytes = 24, hint = hint, call = call)
  out <- as.integer(n_new)  # (storage.mode<-() costs more)
  names(out) <- names(n_new)
  out
}

# What sg_oversample() returns once generate() has made the rows: the
# result data frame (cleaned if asked), the fidelity check, and the record
# as its attribute. `clock`: the wall clock when the call started, when its
# checks were done and when the rows were made.
oversample_result <- function(data, pred, yf, classes, targets, gen, settings, seed,
                              rng_kind, clock, call) {
  levels <- classes$levels
  counts <- classes$counts
  n_input <- .row_names_info(data, 2L)
  clean <- settings$clean
  # Order of work: what only reads the input and the synthetic values
  # comes before the result is assembled: the record's input summary and,
  # without cleaning (which decides the rows it reads), the fidelity
  # check. Their scratch is then freed below the result's columns in the
  # heap, where the next call finds it again. Allocated after the
  # result, it lay at the top of the heap, which the allocator gives back
  # to the system once it is free, so a loop of calls paid fresh pages
  # every time (measured in bench/README.md, session 12).
  input <- input_summary(pred, n_input, settings$threads)
  summarised <- .Call(ffi_record_clock)
  fidelity <- if (is.null(clean)) {
    fidelity_check(pred, as.integer(yf), levels, gen, NULL, settings$threads)
  }
  checked_early <- .Call(ffi_record_clock)
  out <- assemble_result(data, pred, gen, settings)
  provenance <- new_frame(list(
    row = n_input + seq_along(gen$parent),
    class = codes_factor(gen$class, levels),
    parent = as.integer(gen$parent),
    neighbor = as.integer(gen$neighbor),
    gap = as.double(gen$gap),
    kind = gen$kind
  ))
  removed <- NULL
  if (!is.null(clean)) {
    cleaned <- clean_result(out, settings$var, pred, yf, gen, clean,
                            settings$clean_neighbors, settings$threads, call)
    out <- cleaned$data
    removed <- cleaned$removed
    provenance <- provenance[cleaned$kept_synthetic, , drop = FALSE]
    provenance$row <- cleaned$new_rows
    rownames(provenance) <- NULL
  }
  assembled <- .Call(ffi_record_clock)
  # with cleaning, the fidelity check reads the synthetic rows it kept
  if (!is.null(clean)) {
    fidelity <- fidelity_check(pred, as.integer(yf), levels, gen, cleaned$kept_synthetic,
                               settings$threads)
  }
  fidelity_msg <- fidelity_warning(fidelity, call)
  finished <- .Call(ffi_record_clock)

  # the result's outcome is the input's, then each synthetic row's class
  # (only cleaning removes rows)
  after <- if (is.null(clean)) as.integer(counts) + tabulate(gen$class, length(levels))
           else tabulate(factor(out[[settings$var]], levels = levels), length(levels))
  settings$group_codes <- NULL
  started <- clock[["started"]]
  checked <- clock[["checked"]]
  generated <- clock[["generated"]]
  record <- new_record(
    settings = settings, seed = seed, rng_kind = rng_kind, levels = levels,
    counts_before = counts, targets = targets, counts_after = after,
    n_input = n_input, pred = pred, provenance = provenance,
    classes = gen$info, removed = removed,
    guard = list(guard = settings$guard, constraints = settings$constraints,
                 report = gen$report),
    timings = c(checks = checked - started, generate = generated - checked,
                assemble = (summarised - generated) + (assembled - checked_early),
                fidelity = (checked_early - summarised) + (finished - assembled),
                total = finished - started),
    result = out, warnings = c(gen$warnings, fidelity_msg), fidelity = fidelity,
    known = if (is.null(clean)) gen$known,
    fingerprint = data_fingerprint(data), input = input
  )
  attr(out, "smoteguard") <- record
  out
}

#' @rdname sg_oversample
#' @param ... Further arguments passed to `sg_oversample()`.
#' @export
sg_smote <- function(data, var, ...) {
  sg_oversample(data, var, method = "smote", ...)
}

# In doubles: a huge over_ratio is refused by the size check, not turned
# into NA by integer overflow.
class_targets <- function(counts, ratio) {
  largest <- max(counts)
  targets <- round(ratio * largest)
  as_is <- is.na(ratio)
  targets[as_is] <- counts[as_is]
  up <- targets < counts  # pmax(), without its attribute handling (no NA here)
  targets[up] <- counts[up]
  targets[counts == 0] <- 0
  targets <- as.numeric(targets)
  names(targets) <- names(counts)
  targets
}

# The result: the rows of `data`, then the synthetic rows. Indexing each
# column by parent keeps its type and levels (and copies excluded columns,
# the group id and the case weight from the parent); numeric predictors are then overwritten with
# interpolated values and nominal ones with drawn values, and the data
# frame's class and attributes put back, without `[.data.frame`'s
# make.unique() on repeated row names.
assemble_result <- function(data, pred, gen, settings) {
  n <- .row_names_info(data, 2L)  # nrow() without its dispatch
  G <- length(gen$parent)
  automatic <- .row_names_info(data) < 0
  # a plain list of columns while they are filled in (`[[<-` on a data
  # frame or a tibble costs more than the copying it does here). Plain
  # double and integer predictors (no attributes) are the real values
  # followed by the new ones; every other column is indexed by parent and
  # its new values written over.
  attrs <- attributes(data)
  idx <- c(seq_len(n), gen$parent)
  out <- unclass(data)
  is_plain <- pred$plain
  plain <- pred$names[is_plain]
  take <- match(names(out), plain, 0L) == 0L
  out[take] <- lapply(out[take], column_rows, idx)
  if (G > 0) {
    idx <- n + seq_len(G)
    values <- gen$values
    # the plain columns in one C call, each written once at its full
    # length (no copy of the values' column, no rounded copy), shared
    # among the call's threads
    if (length(plain) > 0) {
      if (!is.double(values)) storage.mode(values) <- "double"
      # (the plain columns are in the data's order: `!take` picks them
      # without matching their names again)
      out[!take] <- .Call(ffi_record_extend, out[!take], values, which(is_plain),
                          settings$threads %||% NA_integer_)
    }
    kinds <- pred$kind
    for (j in which(!is_plain)) {
      v <- typed_values(values[, j], kinds[[j]], pred$levels[[j]])
      out[[pred$names[j]]][idx] <- v
    }
    for (j in seq_along(pred$nominal)) {
      col <- pred$nominal[j]
      v <- pred$nominal_levels[[j]][gen$codes[, j]]
      if (is.logical(out[[col]])) v <- as.logical(v)
      out[[col]][idx] <- v
    }
  }
  attrs$row.names <- if (automatic || (G > 0 && numbered_row_names(attrs$row.names))) {
    .set_row_names(n + G)
  } else {
    result_row_names(attrs$row.names, G)
  }
  attributes(out) <- attrs
  out
}

# Rows `idx` of a column, as `[` gives them; a plain factor (levels and
# class only) without the dispatch to `[.factor`, which keeps its levels and
# class and drops the rest as the default method does.
column_rows <- function(col, idx) {
  a <- attributes(col)
  if (length(a) == 2L && !is.null(a$levels) &&
      (identical(a$class, "factor") || identical(a$class, c("ordered", "factor")))) {
    v <- .subset(col, idx)
    attr(v, "levels") <- a$levels
    class(v) <- a$class
    return(v)
  }
  if (is.null(dim(col))) col[idx] else col[idx, , drop = FALSE]
}

# Character row names "1", "2", ..., "n" in order: what automatic row names
# print as, stored as strings (R keeps them as given, so .row_names_info()
# calls them real), e.g. a table written with its row numbers and read back.
# They name each row by its number and nothing else, so the result numbers
# its rows as for automatic row names (compact: no string per row) instead of
# adding "synthetic_<k>" strings. Compared in C with the digits of 1..n,
# without making a string (no leading zeros, blanks or signs).
numbered_row_names <- function(row_names) {
  .Call(ffi_record_numbered, row_names)
}

# The input's row names, then "synthetic_1", ..., made unique. Unique input
# names that cannot meet a synthetic name (integers, or strings not starting
# "synthetic_") are already the answer, without make.unique()'s hashing.
result_row_names <- function(row_names, G) {
  out <- c(as.character(row_names), synthetic_names(G))
  clash <- anyDuplicated(row_names) > 0 ||
    (is.character(row_names) && any(startsWith(row_names, "synthetic_")))
  if (clash) make.unique(out) else out
}

# "synthetic_1", ..., "synthetic_G": pasting the strings costs more than the
# rest of the row names, so the longest vector made so far is kept (up to a
# size where the copy is negligible next to the call) and cut to length.
synthetic_names <- function(G) {
  if (G > 1e5) return(paste0("synthetic_", seq_len(G)))
  have <- row_name_cache$synthetic
  if (length(have) < G) {
    have <- paste0("synthetic_", seq_len(min(1e5, max(G, 256L, 2 * length(have)))))
    row_name_cache$synthetic <- have
  }
  have[seq_len(G)]
}

row_name_cache <- new.env(parent = emptyenv())

typed_values <- function(v, kind, levels) {
  switch(kind,
    integer = as.integer(round(v)),
    ordered = factor(levels[pmin(pmax(round(v), 1), length(levels))],
                     levels = levels, ordered = TRUE),
    v)
}

# set.seed(seed) for the calling function (`envir`), whose exit puts the
# caller's random stream back; NULL leaves the stream alone.
local_seed <- function(seed, envir = parent.frame()) {
  if (is.null(seed)) return(invisible())
  restore <- preserve_rng()
  # on.exit() in the caller's frame, calling this restore()
  do.call(on.exit, list(as.call(list(restore)), add = TRUE), envir = envir)
  set.seed(seed)
  invisible()
}

# RNGkind() just after set.seed(): the generators that .Random.seed's
# first value names, so the answer is looked up again only when that value
# changes (RNGkind() loads the whole random state and builds its tables of
# names each time: it costs more than the rest of the seed's handling).
seeded_rng_kind <- function() {
  code <- get(".Random.seed", envir = globalenv(), inherits = FALSE)[1L]
  if (!identical(code, rng_kind_cache$code)) {
    rng_kind_cache$kind <- RNGkind()
    rng_kind_cache$code <- code
  }
  rng_kind_cache$kind
}

rng_kind_cache <- new.env(parent = emptyenv())

# Save the caller's random stream; the returned function puts it back.
preserve_rng <- function() {
  env <- globalenv()
  old <- get0(".Random.seed", envir = env, inherits = FALSE)  # (NULL: none)
  # .Random.seed names its generator in its first value: putting it back
  # restores the kind too. In C: assigned again, or (none before) removed
  # without rm()'s matching of its arguments
  function() {
    .Call(ffi_record_seed_restore, old)
    invisible()
  }
}
