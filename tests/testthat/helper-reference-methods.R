# Plain-R references for the SMOTE family, mixed data, cleaning and
# under-sampling, written from vignette("definitions") and nothing
# else: no package internal is called here. Everything is brute force on
# small data: a full distance matrix, then loops over rows.
#
# Conventions: `D` is an n x n distance matrix of the whole data; `y` the
# outcome (factor or character); "nearest" never includes the row itself and
# orders by (distance, row number).

# ---------------------------------------------------------------------------
# The plain methods

# sg_oversample() with the guard and the constraints off: the methods as
# vignette("definitions") defines them (the guard's default filters, gap
# cap and
# observed bounds change which pairs and rows are used; test-guard.R tests
# those).
sg_definition <- function(...) sg_oversample(..., guard = NULL, constraints = NULL)

# ---------------------------------------------------------------------------
# Columns and scales

# The kinds of the predictor columns as vignette("definitions") (section
# #column-kinds) and the issue describe
# them: double, integer and ordered (on its rank) are numeric; factor,
# character and logical are nominal; Date / date-time columns and the
# `exclude` ones take no part in the distance.
ref_column_kinds <- function(data, var, exclude = NULL) {
  cols <- setdiff(names(data), c(var, exclude))
  kind <- vapply(data[cols], function(col) {
    if (inherits(col, c("Date", "POSIXt"))) "date"
    else if (is.ordered(col)) "numeric"
    else if (is.factor(col) || is.character(col) || is.logical(col)) "nominal"
    else "numeric"
  }, character(1))
  list(numeric = cols[kind == "numeric"], nominal = cols[kind == "nominal"],
       date = cols[kind == "date"])
}

# The numeric predictors as doubles (ordered factors by rank).
ref_numeric_matrix <- function(data, cols) {
  x <- vapply(cols, function(j) {
    v <- data[[j]]
    if (is.factor(v)) as.double(as.integer(v)) else as.double(v)
  }, numeric(nrow(data)))
  matrix(x, nrow = nrow(data), dimnames = list(NULL, cols))
}

# Numeric predictors centred and scaled by the mean and sd of all rows
# (missing values skipped); constant columns dropped (weight 0). With
# `gower = TRUE`: (x - min) / range instead.
ref_scaled <- function(data, var, exclude = NULL, gower = FALSE) {
  cols <- ref_column_kinds(data, var, exclude)$numeric
  x <- ref_numeric_matrix(data, cols)
  if (gower) {
    center <- apply(x, 2, min, na.rm = TRUE)
    scale <- apply(x, 2, max, na.rm = TRUE) - center
  } else {
    center <- colMeans(x, na.rm = TRUE)
    scale <- apply(x, 2, stats::sd, na.rm = TRUE)
  }
  keep <- is.finite(scale) & scale > 0
  z <- x[, keep, drop = FALSE]
  for (j in seq_len(ncol(z))) z[, j] <- (z[, j] - center[keep][j]) / scale[keep][j]
  z
}

# The nominal predictors as a character matrix (NA kept).
ref_nominal_matrix <- function(data, var, exclude = NULL) {
  cols <- ref_column_kinds(data, var, exclude)$nominal
  m <- vapply(cols, function(j) as.character(data[[j]]), character(nrow(data)))
  matrix(m, nrow = nrow(data), dimnames = list(NULL, cols))
}

# SMOTE-NC's penalty for class `cls`: Med^2, Med the median over the
# numeric columns of the sd of the class's standardised values.
ref_penalty <- function(z, y, cls) {
  zc <- z[as.character(y) == cls, , drop = FALSE]
  stats::median(apply(zc, 2, stats::sd, na.rm = TRUE))^2
}

# ---------------------------------------------------------------------------
# Distances (full n x n matrices)

ref_dist_euclidean <- function(z) {
  D <- as.matrix(stats::dist(z))
  dimnames(D) <- NULL
  D
}

# The SMOTE-NC distance with the nan-Euclidean rescaling: over the columns
# present in both rows, squared numeric differences plus `penalty` per
# nominal mismatch, times q / q_ab (q all columns, q_ab those present in
# both); Inf when no column is present in both. With no missing values this
# is the plain SMOTE-NC distance; with no nominal columns the plain
# nan-Euclidean one.
ref_dist_mixed <- function(z, codes = NULL, penalty = 1) {
  n <- nrow(z)
  if (is.null(codes)) codes <- matrix(character(0), n, 0)
  q <- ncol(z) + ncol(codes)
  D <- matrix(0, n, n)
  for (a in seq_len(n)) {
    for (b in seq_len(n)) {
      if (a == b) next
      pn <- !is.na(z[a, ]) & !is.na(z[b, ])
      pc <- !is.na(codes[a, ]) & !is.na(codes[b, ])
      q_ab <- sum(pn) + sum(pc)
      if (q_ab == 0) {
        D[a, b] <- Inf
        next
      }
      s <- sum((z[a, pn] - z[b, pn])^2) + penalty * sum(codes[a, pc] != codes[b, pc])
      D[a, b] <- sqrt(q / q_ab * s)
    }
  }
  D
}

# Gower's distance: mean over the columns present in both rows of
# |a - b| / range (numeric) and 0/1 mismatch (nominal). `g` from
# ref_scaled(gower = TRUE), which already divides by the range.
ref_dist_gower <- function(g, codes) {
  n <- nrow(g)
  D <- matrix(0, n, n)
  for (a in seq_len(n)) {
    for (b in seq_len(n)) {
      pn <- !is.na(g[a, ]) & !is.na(g[b, ])
      pc <- !is.na(codes[a, ]) & !is.na(codes[b, ])
      D[a, b] <- (sum(abs(g[a, pn] - g[b, pn])) + sum(codes[a, pc] != codes[b, pc])) /
        (sum(pn) + sum(pc))
    }
  }
  D
}

# SMOTE-N's value difference metric: for values u, v of one column,
# delta(u, v) = sum over classes j of |P(j | u) - P(j | v)| (probabilities
# over all rows); a row distance is the sum over the columns.
ref_dist_vdm <- function(codes, y) {
  y <- as.character(y)
  classes <- sort(unique(y))
  n <- nrow(codes)
  D <- matrix(0, n, n)
  for (j in seq_len(ncol(codes))) {
    v <- codes[, j]
    prob <- function(u) vapply(classes, function(cl) mean(y[v == u] == cl), numeric(1))
    values <- unique(v)
    P <- lapply(values, prob)
    names(P) <- values
    for (a in seq_len(n)) {
      for (b in seq_len(n)) {
        D[a, b] <- D[a, b] + sum(abs(P[[v[a]]] - P[[v[b]]]))
      }
    }
  }
  D
}

# ---------------------------------------------------------------------------
# Neighbourhoods

# The k nearest of `candidates` to row i (i itself never), by (distance, row).
ref_nearest <- function(D, i, candidates, k) {
  cand <- candidates[candidates != i]
  cand[order(D[i, cand], cand)][seq_len(min(k, length(cand)))]
}

# Is j among the k nearest of `candidates` to i? Tie-robust: fewer than k
# candidates are strictly nearer than j.
ref_is_within_k <- function(D, i, j, candidates, k) {
  cand <- candidates[candidates != i]
  j %in% cand && sum(D[i, cand] < D[i, j] * (1 - 1e-12)) < min(k, length(cand))
}

# Borderline-SMOTE's sets for class `cls`: m' = the number of other-class
# rows among the m nearest of the whole data; noise m' = m, danger
# m/2 <= m' < m, safe m' < m/2. `other` is the nearest other-class row
# among the m nearest (Borderline-2's extra candidate), NA when none.
ref_borderline <- function(D, y, cls, m) {
  y <- as.character(y)
  n <- length(y)
  m <- min(m, n - 1)
  rows <- which(y == cls)
  out <- lapply(rows, function(i) {
    nn <- ref_nearest(D, i, seq_len(n), m)
    is_other <- y[nn] != cls
    mp <- sum(is_other)
    data.frame(row = i, mprime = mp,
               kind = if (mp == m) "noise" else if (mp >= m / 2) "danger" else "safe",
               other = if (any(is_other)) nn[which(is_other)[1]] else NA_integer_)
  })
  do.call(rbind, out)
}

# ADASYN's allocation for class `cls`, in exact integer arithmetic:
# a_i = other-class rows among the k nearest of the whole data, r_i = a_i /
# sum(a) after normalising, g_i = floor(G r_i), and the G - sum(g) rows left
# go one each to the largest remainders G r_i - g_i, ties to the lower row.
ref_adasyn <- function(D, y, cls, k, G) {
  y <- as.character(y)
  n <- length(y)
  k <- min(k, n - 1)
  rows <- which(y == cls)
  a <- vapply(rows, function(i) sum(y[ref_nearest(D, i, seq_len(n), k)] != cls),
              numeric(1))
  A <- sum(a)
  g <- (G * a) %/% A
  rem <- (G * a) %% A
  left <- G - sum(g)
  extra <- order(-rem, rows)[seq_len(left)]
  g[extra] <- g[extra] + 1
  data.frame(row = rows, a = a, r = a / k, count = g)
}

# Safe levels: the number of rows of the row's own class among its k
# nearest rows of the whole data.
ref_safe_levels <- function(D, y, k) {
  y <- as.character(y)
  n <- length(y)
  k <- min(k, n - 1)
  vapply(seq_len(n), function(i) sum(y[ref_nearest(D, i, seq_len(n), k)] == y[i]),
         numeric(1))
}

# The gap range the definition gives for safe levels sp (parent), sn
# (neighbour): c(lower, upper); NULL when the pair is unusable.
ref_safe_gap_range <- function(sp, sn) {
  if (sp == 0 && sn == 0) return(NULL)
  if (sn == 0) return(c(0, 0))
  ratio <- sp / sn
  if (ratio == 1) c(0, 1) else if (ratio > 1) c(0, 1 / ratio) else c(1 - ratio, 1)
}

# ---------------------------------------------------------------------------
# Cleaning and under-sampling

# Tomek links, from Tomek's (1976) definition as vignette("definitions")
# states it (section #tomek):
# rows a and b of different classes that are each other's nearest row in D
# (a duplicate is a row like any other: it can be the nearest). "b is a's
# nearest row" is read pair by pair: no other row is strictly nearer to a,
# and none as near has a smaller row number (the convention of every
# nearest-row rule here). Returns a two-column matrix, a < b.
ref_tomek_links <- function(D, y) {
  y <- as.character(y)
  n <- length(y)
  is_nearest <- function(a, b) {
    others <- setdiff(seq_len(n), c(a, b))
    !any(D[a, others] < D[a, b] | (D[a, others] == D[a, b] & others < b))
  }
  links <- matrix(numeric(0), 0, 2, dimnames = list(NULL, c("a", "b")))
  for (a in seq_len(n - 1)) {
    for (b in (a + 1):n) {
      if (y[a] != y[b] && is_nearest(a, b) && is_nearest(b, a)) links <- rbind(links, c(a, b))
    }
  }
  links
}

# Rows removed by Tomek cleaning: of each link, the member of the larger
# class ("larger"; none when the classes are as large) or both ("both").
ref_tomek_removed <- function(D, y, remove = "larger") {
  y <- as.character(y)
  counts <- table(y)
  links <- ref_tomek_links(D, y)
  out <- integer(0)
  for (l in seq_len(nrow(links))) {
    a <- links[l, 1]
    b <- links[l, 2]
    if (remove == "both") {
      out <- c(out, a, b)
    } else if (counts[[y[a]]] > counts[[y[b]]]) {
      out <- c(out, a)
    } else if (counts[[y[b]]] > counts[[y[a]]]) {
      out <- c(out, b)
    }
  }
  sort(unique(out))
}

# ENN: a row of a class in `clean` is removed when the most frequent class
# among its k nearest rows is unique and not its own (ties keep the row).
ref_enn_removed <- function(D, y, k = 3, clean = unique(as.character(y))) {
  y <- as.character(y)
  n <- length(y)
  out <- integer(0)
  for (i in which(y %in% clean)) {
    tab <- table(y[ref_nearest(D, i, seq_len(n), k)])
    top <- names(tab)[tab == max(tab)]
    if (length(top) == 1 && top != y[i]) out <- c(out, i)
  }
  out
}

# NearMiss, from Mani and Zhang (2003) as vignette("definitions") states it
# (section #nearmiss): rows of
# class `cls` kept, `target` of them, measured against the rows of the
# smallest class `minority` (k of them).
# 1: the rows with the smallest mean distance to their k nearest minority rows;
# 2: ... to their k farthest minority rows;
# 3: the candidates are the k nearest rows of `cls` around each minority row;
#    keep the candidates with the largest mean distance to their k nearest
#    minority rows (all of them when fewer than the target).
# Ties go to the earlier row (the package's documented rule). The choice is
# made one row at a time: the best remaining score, the smallest row number
# among equals.
ref_nearmiss <- function(D, y, cls, minority, version, target, k = 3) {
  y <- as.character(y)
  rows <- which(y == cls)
  mins <- which(y == minority)
  kk <- min(k, length(mins))
  near_mean <- function(i) mean(sort(D[i, mins])[seq_len(kk)])
  far_mean <- function(i) mean(sort(D[i, mins], decreasing = TRUE)[seq_len(kk)])
  pick <- function(cand, score, best) {
    kept <- integer(0)
    while (length(kept) < min(target, length(cand))) {
      left <- setdiff(cand, kept)
      s <- score[match(left, cand)]
      top <- left[s == best(s)]
      kept <- c(kept, min(top))
    }
    sort(kept)
  }
  if (version == 1) return(pick(rows, vapply(rows, near_mean, numeric(1)), min))
  if (version == 2) return(pick(rows, vapply(rows, far_mean, numeric(1)), min))
  # row j of `cls` is among the k nearest of minority row i when fewer than
  # k rows of `cls` come before it: strictly nearer, or as near and earlier
  among_k_nearest <- function(i, j) {
    sum(D[i, rows] < D[i, j] | (D[i, rows] == D[i, j] & rows < j)) < k
  }
  cand <- rows[vapply(rows, function(j) any(vapply(mins, among_k_nearest, TRUE, j = j)),
                      logical(1))]
  pick(cand, vapply(cand, near_mean, numeric(1)), max)
}

# ---------------------------------------------------------------------------
# Checks shared by the method tests

# Every synthetic row of an interpolating method: its double columns are
# parent + gap * (neighbour - parent) (the value of whichever has it when
# one misses, NA when both miss), integer columns that rounded, ordered
# factors on their rank, rounded; the neighbour is among the parent's k
# nearest rows of its class under the distance `D` (a matrix, or a list of
# matrices named by class: SMOTE-NC's penalty is per class), or (with `other`, a
# vector of rows named by parent row) Borderline-2's other-class candidate
# with a gap in [0, 0.5]. `data` is the input.
expect_interpolated <- function(res, data, var, D, k = 5, other = NULL) {
  prov <- sg_provenance(res)
  n <- nrow(data)
  y <- as.character(data[[var]])
  expect_identical(prov$row, n + seq_len(nrow(prov)))
  expect_identical(as.character(res[[var]][prov$row]), y[prov$parent])
  expect_false(anyNA(prov$neighbor))
  expect_true(all(prov$gap >= 0 & prov$gap <= 1))
  kinds <- ref_column_kinds(data, var)
  for (col in kinds$numeric) {
    v <- data[[col]]
    a <- if (is.factor(v)) as.double(as.integer(v)) else as.double(v)
    pa <- a[prov$parent]
    nb <- a[prov$neighbor]
    want <- ifelse(is.na(pa), nb, ifelse(is.na(nb), pa, pa + prov$gap * (nb - pa)))
    got <- res[[col]][prov$row]
    if (is.double(v)) {
      expect_type(got, "double")
      expect_equal(got, want, tolerance = 1e-12, label = col)
    } else if (is.integer(v) && !is.factor(v)) {
      expect_type(got, "integer")
      expect_identical(got, as.integer(round(want)), label = col)
    } else {
      expect_s3_class(got, "ordered")
      expect_identical(levels(got), levels(v))
      want_rank <- pmin(pmax(round(want), 1), nlevels(v))
      expect_identical(as.integer(got), as.integer(want_rank), label = col)
    }
  }
  # neighbours: own class among the k nearest, or the other-class candidate
  bad <- integer(0)
  for (s in seq_len(nrow(prov))) {
    pa <- prov$parent[s]
    nb <- prov$neighbor[s]
    same <- which(y == y[pa])
    Dc <- if (is.list(D)) D[[y[pa]]] else D
    ok <- y[nb] == y[pa] && ref_is_within_k(Dc, pa, nb, same, k)
    if (!ok && !is.null(other)) {
      ok <- y[nb] != y[pa] && identical(unname(other[as.character(pa)]), nb) &&
        prov$gap[s] <= 0.5
    }
    if (!ok) bad <- c(bad, s)
  }
  expect_identical(bad, integer(0),
                   label = "synthetic rows whose neighbour breaks the definition")
  invisible(prov)
}

# Two calls with one seed give one result; another seed another.
expect_seed_reproducible <- function(f) {
  a <- f(11)
  b <- f(11)
  expect_identical(strip_record(a), strip_record(b))
  expect_identical(sg_provenance(a), sg_provenance(b))
  c <- f(12)
  expect_false(identical(sg_provenance(a)$gap, sg_provenance(c)$gap))
}

# Hand-built data on a line: one numeric predictor `x` at positions `at`,
# outcome `y` with `labels`. With one column the standardisation scales
# every distance alike, so neighbourhoods can be read off the positions.
line_data <- function(at, labels, levels = c("maj", "min")) {
  data.frame(x = at, y = factor(labels, levels = levels))
}

# The rows of `parents` from which point `p` lies on a segment toward one of
# their k nearest rows of `pool` (under D): the possible parents of a
# synthetic row made elsewhere (imbalanced-learn's, which has no provenance).
ref_segment_parents <- function(p, x, D, parents, pool, k) {
  out <- integer(0)
  for (i in parents) {
    for (j in ref_nearest(D, i, pool, k)) {
      v <- x[j, ] - x[i, ]
      t <- sum((p - x[i, ]) * v) / sum(v^2)
      if (t >= -1e-9 && t <= 1 + 1e-9 && max(abs(x[i, ] + t * v - p)) < 1e-9) {
        out <- c(out, i)
        break
      }
    }
  }
  out
}

# ---------------------------------------------------------------------------
# imbalanced-learn, run by /usr/bin/python3 (Debian's python3-imblearn)

# TRUE when /usr/bin/python3 can import `module`.
python_module_available <- function(module) {
  if (!file.exists("/usr/bin/python3")) return(FALSE)
  status <- suppressWarnings(system2("/usr/bin/python3", c("-c", shQuote(paste("import", module))),
                                     stdout = FALSE, stderr = FALSE))
  identical(as.integer(status), 0L)
}

# Under CI (CI=true) a reference must be there: .ci/install-deps.sh installs
# it, so its absence is a failure of the set-up, never a quiet skip.
skip_if_no_python_module <- function(module, name, debian) {
  skip_on_cran()
  if (python_module_available(module)) return(invisible())
  if (identical(tolower(Sys.getenv("CI")), "true")) {
    stop(sprintf("CI=true but %s is not importable from /usr/bin/python3 (.ci/install-deps.sh installs %s)",
                 name, debian), call. = FALSE)
  }
  skip(sprintf("%s is not importable from /usr/bin/python3", name))
}

imblearn_available <- function() python_module_available("imblearn")

skip_if_no_imblearn <- function() {
  skip_if_no_python_module("imblearn", "imbalanced-learn", "python3-imblearn")
}

# scikit-learn comes with python3-imblearn (python3-sklearn)
skip_if_no_sklearn <- function() {
  skip_if_no_python_module("sklearn", "scikit-learn", "python3-sklearn")
}

# Write x (numeric matrix) and y (integer labels) to a temporary CSV, run
# `code` in python with X, y, np and `out` (the output path) defined, and
# read the numeric table it writes with np.savetxt(out, ...).
run_imblearn <- function(x, y, code) {
  dir <- tempfile("imblearn")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)
  input <- file.path(dir, "in.csv")
  out <- file.path(dir, "out.csv")
  utils::write.table(cbind(as.integer(y), x), input, sep = ",",
                     row.names = FALSE, col.names = FALSE)
  script <- file.path(dir, "run.py")
  writeLines(c(
    "import warnings; warnings.filterwarnings('ignore')",
    "import numpy as np",
    sprintf("A = np.loadtxt(%s, delimiter=',', ndmin=2)", shQuote(input)),
    "y = A[:, 0].astype(int); X = A[:, 1:]",
    sprintf("out = %s", shQuote(out)),
    code), script)
  status <- system2("/usr/bin/python3", script, stdout = TRUE, stderr = TRUE)
  if (!file.exists(out)) stop("imbalanced-learn run failed:\n", paste(status, collapse = "\n"))
  as.matrix(utils::read.table(out, sep = ","))
}

# ---------------------------------------------------------------------------
# CNN, OSS, NCL, RENN and AllKNN, from the papers as vignette("definitions")
# states them. `D` the whole data's distance matrix; rows as numbers of D.

# The row of `set` nearest to row i (ties to the earlier row).
ref_nearest_in <- function(D, i, set) set[order(D[i, set], set)][1]

# The smallest class(es) and the larger ones.
ref_class_split <- function(y) {
  counts <- table(as.character(y))
  small <- min(counts)
  list(counts = counts, base = which(as.character(y) %in% names(counts)[counts == small]),
       larger = names(counts)[counts > small])
}

# Hart (1968): rows of `cand` examined in order join `store` when their
# nearest stored row is of another class; passes until one adds no row.
ref_condense <- function(D, y, store, cand) {
  y <- as.character(y)
  repeat {
    changed <- FALSE
    for (i in setdiff(cand, store)) {
      if (y[ref_nearest_in(D, i, store)] != y[i]) {
        store <- c(store, i)
        changed <- TRUE
      }
    }
    if (!changed) break
  }
  store
}

# CNN's kept rows: each larger class condensed against the smallest class,
# its first row stored first; or ("both") every row, row 1 stored first.
ref_cnn_kept <- function(D, y, remove = "larger") {
  y <- as.character(y)
  if (remove == "both") return(sort(ref_condense(D, y, 1L, seq_along(y)[-1])))
  cs <- ref_class_split(y)
  kept <- cs$base
  for (cl in cs$larger) {
    rows <- which(y == cl)
    kept <- union(kept, ref_condense(D, y, c(cs$base, rows[1]), rows[-1]))
  }
  sort(kept)
}

# OSS (Kubat and Matwin 1997): one 1-NN classification of each larger
# class by (smallest class + its first row); the misclassified rows, the
# first row and the smallest class kept; then Tomek links among the kept
# rows remove their member of the class larger in the input (or both).
ref_oss_kept <- function(D, y, remove = "larger") {
  y <- as.character(y)
  cs <- ref_class_split(y)
  kept <- cs$base
  for (cl in cs$larger) {
    rows <- which(y == cl)
    store <- c(cs$base, rows[1])
    wrong <- rows[-1][vapply(rows[-1], function(i) y[ref_nearest_in(D, i, store)] != cl, NA)]
    kept <- c(kept, rows[1], wrong)
  }
  kept <- sort(kept)
  links <- ref_tomek_links(D[kept, kept, drop = FALSE], y[kept])
  drop <- integer(0)
  for (l in seq_len(nrow(links))) {
    a <- kept[links[l, 1]]
    b <- kept[links[l, 2]]
    if (remove == "both") drop <- c(drop, a, b)
    else if (cs$counts[[y[a]]] > cs$counts[[y[b]]]) drop <- c(drop, a)
    else if (cs$counts[[y[b]]] > cs$counts[[y[a]]]) drop <- c(drop, b)
  }
  setdiff(kept, drop)
}

# NCL (Laurikkala 2001): ENN's removals among the larger classes (A1), and
# the rows of the larger classes (every class with at least half the size
# of the class of interest) among the k nearest rows of each smallest-class
# row its k nearest rows misclassify (A2).
ref_ncl_kept <- function(D, y, k = 3) {
  y <- as.character(y)
  cs <- ref_class_split(y)
  a1 <- ref_enn_removed(D, y, k, clean = cs$larger)
  wrong <- ref_enn_removed(D, y, k, clean = unique(y[cs$base]))
  around <- unlist(lapply(wrong, function(i) ref_nearest(D, i, seq_along(y), k)))
  a2 <- around[y[around] %in% cs$larger]
  setdiff(seq_along(y), c(a1, a2))
}

# Repeated ENN / AllKNN (Tomek 1976): ENN (larger classes of the rows left)
# on the rows left by the last pass, with k = `ks` in turn; RENN stops
# when a pass removes nothing; both after a pass that leaves a larger class
# smaller than the smallest class was, or a class empty.
ref_enn_passes_kept <- function(D, y, ks, until_stable) {
  y <- as.character(y)
  cs <- ref_class_split(y)
  small <- min(cs$counts)
  rows <- seq_along(y)
  for (k in ks) {
    sub <- table(y[rows])
    larger <- names(sub)[sub > min(sub)]
    gone <- ref_enn_removed(D[rows, rows, drop = FALSE], y[rows], min(k, length(rows) - 1),
                            clean = larger)
    if (length(gone) > 0) rows <- rows[-gone]
    if (until_stable && length(gone) == 0) break
    now <- table(factor(y[rows], levels = names(cs$counts)))
    if (any(now[cs$larger] < small) || any(now == 0)) break
  }
  rows
}
