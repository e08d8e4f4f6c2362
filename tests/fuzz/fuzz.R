# Fuzz smoteguard: every exported function and every registered .Call
# routine, called with thousands of random malformed inputs (wrong types,
# NULL, NA, NaN, Inf, empty, huge dimensions, negative and huge integers,
# lists, factors, character, mismatched lengths, matrices with duplicated
# rows) in child R processes. An R error is the expected answer to bad
# input; a crash (a child killed by a signal, or exiting before it finished
# its batch) is a bug, and so is a call that changes its arguments.
#
#   Rscript tests/fuzz/fuzz.R                  (make fuzz: 12000 calls)
#   Rscript tests/fuzz/fuzz.R --calls=300      (the short run of test-fuzz.R)
#   Rscript tests/fuzz/fuzz.R --replay=ffi_draw_cycle:1:57
#       rebuilds call 57 of that target (base seed 1), prints its arguments,
#       saves them to fuzz-case.rds and makes the call here, unguarded.
#
# Options: --calls=N (total, spread evenly over the targets), --seed=S (base
# seed; call i of a target is reproducible from it), --batch=B (calls per
# child process), --jobs=J (children at a time), --timeout=SEC (elapsed
# limit of one call, by setTimeLimit()), --mem=MB (address space of a child,
# `ulimit -v`, so that a huge request fails to allocate instead of waking
# the OOM killer; not used under AddressSanitizer, which gets
# allocator_may_return_null instead), --lib=PATH (library holding
# smoteguard), --only=REGEX (targets whose name matches), --gctorture (run
# the .Call routines under gctorture: slow, finds PROTECT bugs).
#
# The summary ends with the line
#   fuzz: N calls, N R errors (expected), N crashes
# and the exit status is 1 when a call crashed, hung or modified its
# arguments. Each crash is printed with its reproducer.
#
# Targets appear and grow as the package does: the .Call routines are read
# from getDLLRegisteredRoutines() (with their argument counts) and the
# exported functions from the namespace. A routine or function without a
# template below is fuzzed with garbage only.

# ---------------------------------------------------------------------------
# Options

fuzz_defaults <- list(calls = 12000, seed = 1, batch = 400, jobs = 2,
                      timeout = 10, mem = 4096, lib = "", only = "",
                      replay = "", child = "", gctorture = FALSE,
                      child_timeout = 600)

parse_options <- function(args = commandArgs(TRUE)) {
  opts <- fuzz_defaults
  for (a in args) {
    if (!grepl("^--", a)) stop("fuzz: unknown argument ", a)
    kv <- strsplit(sub("^--", "", a), "=", fixed = TRUE)[[1]]
    key <- kv[1]
    val <- if (length(kv) > 1) paste(kv[-1], collapse = "=") else "TRUE"
    if (!key %in% names(opts)) stop("fuzz: unknown option --", key)
    opts[[key]] <- if (is.numeric(fuzz_defaults[[key]])) as.numeric(val)
                   else if (is.logical(fuzz_defaults[[key]])) as.logical(val)
                   else val
  }
  opts
}

load_smoteguard <- function(lib) {
  lib <- if (nzchar(lib)) lib else NULL
  suppressPackageStartupMessages(
    requireNamespace("smoteguard", lib.loc = lib, quietly = TRUE)) ||
    stop("fuzz: smoteguard is not installed", if (!is.null(lib)) paste(" in", lib))
  asNamespace("smoteguard")
}

# ---------------------------------------------------------------------------
# Random values

big_int <- .Machine$integer.max

chance <- function(p) stats::runif(1) < p
pick <- function(x) x[[sample.int(length(x), 1L)]]
rint <- function(n, lo, hi) {
  lo <- as.integer(lo)
  hi <- as.integer(hi)
  if (hi < lo) hi <- lo
  lo + sample.int(hi - lo + 1L, n, replace = TRUE) - 1L
}
# row counts: mostly small, some around the block sizes of the C code, a
# few past the kd-tree threshold (4096)
rsize <- function(min = 1L) {
  if (min == 0L && chance(0.1)) return(0L)
  n <- if (chance(0.01)) rint(1, 4096, 4200)
       else if (chance(0.08)) pick(list(31L, 32L, 33L, 255L, 256L, 257L))
       else pick(list(1L, 2L, 3L, 4L, 5L, 8L, 13L, 20L, 40L, 60L))
  max(as.integer(min), n)
}
rdim <- function(min = 0L) max(as.integer(min), pick(list(0L, 1L, 1L, 2L, 3L, 3L, 5L, 6L, 8L, 12L)))

# A matrix of n rows and d columns: Gaussian, or integer grid values (many
# ties), often with duplicated rows.
rmat <- function(n, d, type = "double") {
  v <- if (chance(0.35)) sample(0:3, n * d, replace = TRUE)
       else round(stats::rnorm(n * d), pick(list(1, 3, 15)))
  m <- matrix(as.double(v), n, d)
  if (n > 1 && d > 0 && chance(0.35)) {
    m[sample.int(n, ceiling(n / 3), replace = TRUE), ] <-
      rep(m[sample.int(n, 1), ], each = 1)
  }
  storage.mode(m) <- type
  m
}

sprinkle_na <- function(x, p = 0.15, value = NA) {
  if (length(x) == 0) return(x)
  hit <- stats::runif(length(x)) < p
  x[hit] <- value
  x
}

# Values of every type and shape that an argument should not be.
garbage <- function() {
  pick(list(
    NULL, NA, NA_integer_, NA_real_, NA_character_, NaN, Inf, -Inf,
    0L, 1L, -1L, 2L, big_int, -big_int, 2^31, -2^31, 1e300, -1e300, 1e-300,
    0.5, 1.5, 0, -0.5, 1e10,
    TRUE, FALSE, "a", "", c("a", "b"), character(0), integer(0), double(0),
    logical(0), list(), list(1, "a"), list(NULL), list(list()),
    factor(c("a", "b", "a")), factor(character(0)),
    as.Date("2020-01-01") + 0:2, as.POSIXct("2020-01-01", tz = "UTC"),
    complex(real = 1, imaginary = 2), as.raw(0:2),
    function(...) NULL, quote(x), quote(f(x)), globalenv(), emptyenv(),
    1:10, 10:1, seq_len(0), c(1L, NA, 3L), c(1, NaN, Inf), stats::rnorm(5),
    sample(-3:50, 7, replace = TRUE),
    matrix(1:6, 2), matrix(as.double(1:6), 3), matrix("a", 2, 2),
    matrix(TRUE, 2, 2), matrix(NA_real_, 2, 2), matrix(-1L, 2, 2),
    matrix(big_int, 2, 2), matrix(0L, 0, 3), matrix(double(0), 3, 0),
    matrix(double(0), 0, 0), matrix(double(0), 0, big_int),
    matrix(double(0), big_int, 0), matrix(0L, big_int, 0),
    matrix(list(1, 2, 3, 4), 2), array(1, c(2, 2, 2)),
    structure(factor(c("a", "b", "a", "b")), dim = c(2L, 2L)),
    matrix(c(1, 2, 3, NaN), 2, 2), matrix(1e200, 3, 2),
    rmat(rsize(), rdim()), rmat(rsize(), rdim(), "integer"),
    sprinkle_na(rmat(rsize(), rdim(1))),
    data.frame(a = 1:3, b = c("x", "y", "z")), data.frame(),
    structure(list(1, 2), class = "sg_guard"),
    structure(list(), class = "sg_constraints"),
    structure(list(), class = "sg_record")
  ))
}

# Ways to spoil a good value: each returns a variant of x (or garbage).
mutators <- list(
  garbage = function(x) garbage(),
  null = function(x) NULL,
  na = function(x) {
    if (!is.atomic(x) || length(x) == 0 || is.raw(x)) return(NA)
    x[sample.int(length(x), 1)] <- NA
    x
  },
  nonfinite = function(x) {
    if (!is.double(x) || length(x) == 0) return(pick(list(NaN, Inf, -Inf)))
    x[sample.int(length(x), 1)] <- pick(list(NaN, Inf, -Inf, NA_real_))
    x
  },
  huge = function(x) {
    if (!is.numeric(x) || length(x) == 0) return(pick(list(big_int, 2^31, 1e300)))
    x[sample.int(length(x), 1)] <- pick(list(big_int, -big_int, 2^31, 1e10, 1e300, 1e160))
    x
  },
  negative = function(x) if (is.numeric(x) && length(x)) -x - 1L else -1L,
  zero = function(x) if (is.numeric(x) && length(x)) x * 0L else 0L,
  fraction = function(x) if (is.numeric(x) && length(x)) x + 0.5 else 0.5,
  as_double = function(x) { if (is.atomic(x)) storage.mode(x) <- "double"; x },
  as_integer = function(x) { if (is.atomic(x)) storage.mode(x) <- "integer"; x },
  as_character = function(x) { if (is.atomic(x)) storage.mode(x) <- "character"; x },
  as_logical = function(x) { if (is.atomic(x)) storage.mode(x) <- "logical"; x },
  as_factor = function(x) {
    if (!is.atomic(x)) return(factor("a"))
    d <- dim(x)
    f <- factor(as.vector(x))
    if (!is.null(d)) dim(f) <- d
    f
  },
  as_list = function(x) if (is.atomic(x)) as.list(x) else list(x),
  drop_dim = function(x) if (!is.null(dim(x))) as.vector(x) else x,
  add_dim = function(x) if (is.null(dim(x)) && is.atomic(x)) matrix(x, ncol = 1) else x,
  transpose = function(x) if (is.matrix(x)) t(x) else x,
  drop_row = function(x) {
    if (is.matrix(x) && nrow(x) > 0) x[-sample.int(nrow(x), 1), , drop = FALSE]
    else if (length(x) > 0) x[-1] else x
  },
  add_row = function(x) {
    if (is.matrix(x) && nrow(x) > 0) rbind(x, x[sample.int(nrow(x), 1), , drop = FALSE])
    else if (is.atomic(x)) c(x, x[1]) else x
  },
  zero_rows = function(x) if (is.matrix(x)) x[0, , drop = FALSE] else x[0],
  zero_cols = function(x) if (is.matrix(x)) x[, 0, drop = FALSE] else x,
  drop_col = function(x) if (is.matrix(x) && ncol(x) > 0) x[, -ncol(x), drop = FALSE] else x,
  add_col = function(x) if (is.matrix(x) && ncol(x) > 0) cbind(x, x[, 1]) else x,
  repeat2 = function(x) if (is.atomic(x) && is.null(dim(x))) rep(x, 2) else x,
  duplicate_rows = function(x) {
    if (!is.matrix(x) || nrow(x) < 2) return(x)
    x[seq_len(nrow(x)), ] <- x[rep(sample.int(nrow(x), 1), nrow(x)), ]
    x
  },
  scale_up = function(x) if (is.double(x)) x * 1e200 else x,
  classed = function(x) structure(x, class = "fuzz")
)

mutate_value <- function(x) {
  f <- pick(mutators)
  tryCatch(suppressWarnings(f(x)), error = function(e) garbage())
}

# Replace 1..`max` of the values of the list `args` by spoiled ones.
mutate_args <- function(args, max = 2L, skip = character(0), keep = 0.25) {
  if (length(args) == 0 || chance(keep)) return(args)
  slots <- setdiff(seq_along(args), match(skip, names(args)))
  if (length(slots) == 0) return(args)
  for (i in sample(slots, min(length(slots), rint(1, 1, max)))) {
    v <- mutate_value(args[[i]])
    if (is.null(v)) args[i] <- list(NULL) else args[[i]] <- v
  }
  args
}

# ---------------------------------------------------------------------------
# Templates of the .Call routines: each returns a list of valid arguments
# (random sizes) in the routine's order.

neighbor_matrix <- function(P, k, N, holes = 0.2, keep_one = TRUE) {
  nb <- matrix(rint(P * k, 1, N), P, k)
  if (k > 0 && holes > 0) {
    nb[stats::runif(P * k) < holes] <- NA_integer_
    if (keep_one) {
      empty <- which(rowSums(!is.na(nb)) == 0)
      nb[empty, 1] <- rint(length(empty), 1, N)
    }
  }
  nb
}

col_sd <- function(x) {
  s <- vapply(seq_len(ncol(x)), function(j) stats::sd(x[, j]), numeric(1))
  s[!is.finite(s)] <- 0
  if (chance(0.2) && length(s)) s[1] <- 0
  s
}

threads_value <- function() pick(list(NA_integer_, 1L, 2L, -1L, 0L))

call_templates <- list(
  ffi_knn_search = function() {
    n <- rsize()
    d <- rdim()
    x <- rmat(n, d)
    self <- chance(0.5)
    m <- if (self) n else rsize(0L)
    query <- if (self) NULL
             else if (chance(0.5) && n > 0) x[sample.int(n, m, TRUE), , drop = FALSE] + 0
             else rmat(m, d)
    exclude <- if (!self && chance(0.4)) sample(c(seq_len(n), NA_integer_), m, TRUE) else NULL
    avail <- if (self || !is.null(exclude)) n - 1L else n
    k <- max(1L, min(avail, rint(1, 1, 12)))
    center <- if (chance(0.5)) NULL else colMeans(x)
    scale <- if (chance(0.5)) NULL else col_sd(x)
    list(x, query, k, center, scale, threads_value(), exclude, chance(0.2))
  },
  ffi_knn_mixed = function() {
    n <- rsize()
    dn <- rint(1, 0, 3)
    dc <- rint(1, 0, 3)
    if (dn + dc == 0) dn <- 1L
    nlev <- rint(dc, 1, 4)
    make <- function(rows) {
      num <- sprinkle_na(rmat(rows, dn), 0.15, NaN)
      codes <- matrix(integer(0), rows, 0)
      for (L in nlev) codes <- cbind(codes, sprinkle_na(rint(rows, 1, L), 0.1))
      storage.mode(codes) <- "integer"
      list(num, codes)
    }
    ref <- make(n)
    self <- chance(0.5)
    m <- if (self) n else rsize(0L)
    q <- if (self) list(NULL, NULL) else make(m)
    exclude <- if (!self && chance(0.4)) sample(c(seq_len(n), NA_integer_), m, TRUE) else NULL
    avail <- if (self || !is.null(exclude)) n - 1L else n
    k <- max(1L, min(avail, rint(1, 1, 8)))
    cost <- lapply(nlev, function(L) {
      cm <- matrix(stats::runif(L * L), L)
      cm <- cm + t(cm)
      diag(cm) <- 0
      cm
    })
    list(ref[[1]], ref[[2]], q[[1]], q[[2]], k, cost, sample(0:1, 1),
         threads_value(), exclude)
  },
  ffi_knn_path = function() list(pick(list(0L, 1L, 2L, 3L, 4L, 0, 2))),
  ffi_draw_cycle = function() {
    P <- rint(1, 1, 30)
    k <- rint(1, 0, 6)
    N <- P + rint(1, 0, 20)
    other <- if (chance(0.3)) rint(P, 1, N) else NULL
    list(neighbor_matrix(P, k, N), as.double(pick(list(0L, rint(1, 1, 200)))),
         other, if (is.null(other)) pick(list(NULL, 0.5)) else stats::runif(1))
  },
  ffi_adasyn_alloc = function() {
    # the number of other-class rows among each parent's neighbours
    P <- rint(1, 1, 40)
    a <- rint(P, 0, 6)
    if (all(a == 0)) a[1] <- 1L
    list(a, as.double(rint(1, 0, 500)))
  },
  ffi_draw_counts = function() {
    P <- rint(1, 1, 30)
    k <- rint(1, 1, 6)
    nb <- neighbor_matrix(P, k, P + 10, keep_one = FALSE)
    counts <- rint(P, 0, 5)
    counts[rowSums(!is.na(nb)) == 0] <- 0L
    list(nb, counts)
  },
  ffi_draw_safe_level = function() {
    P <- rint(1, 1, 30)
    k <- rint(1, 1, 6)
    nb <- neighbor_matrix(P, k, P + 10, keep_one = FALSE)
    list(nb, rint(P, 0, k), matrix(rint(P * k, 0, k), P, k),
         as.double(rint(1, 0, 200)))
  },
  ffi_add_noise = function() {
    G <- rint(1, 0, 30)
    d <- rdim()
    values <- sprinkle_na(rmat(G, d), 0.1)
    sd <- matrix(abs(stats::rnorm(G * d)), G, d)
    sd[stats::runif(length(sd)) < 0.3] <- 0
    list(values, sd)
  },
  ffi_classes_neighbors = function() {
    # classes of at least two rows (a few of one, an error), k and kq per
    # class (sometimes beyond the class's rows - 1, an error), groups, a
    # gap cap and a whole-data search now and then
    n <- rsize(2L)
    d <- rdim(1L)
    L <- rint(1, 1, 4)
    y <- sprinkle_na(rint(n, 1, L), 0.05)
    rows <- lapply(seq_len(L), function(l) which(y == l))
    if (chance(0.5)) rows <- rows[lengths(rows) >= 2]
    x <- rmat(n, d)
    center <- if (d > 0) colMeans(x) else double(0)
    scale <- if (d > 0 && n > 1) apply(x, 2, stats::sd) else rep(1, d)
    scale[!is.finite(scale)] <- 0
    kq <- vapply(rows, function(r) as.integer(max(1, min(rint(1, 1, 7), length(r) - 1 + chance(0.1)))), 1L)
    k <- pmax(1L, kq - rint(length(kq), 0, 2))
    group <- if (chance(0.3)) sprinkle_na(rint(n, 1, 3), 0.2)
    cap <- if (chance(0.5)) stats::runif(1) else NA_real_
    m <- if (chance(0.5)) rint(1, 0, max(0, n - 1)) else 0L
    list(x, center, scale, rows, as.integer(k), as.integer(kq), group, cap, as.integer(m),
         threads_value())
  },
  ffi_guard_pairs = function() {
    n <- rsize(2L)
    p <- rint(1, 0, 30)
    kq <- rint(1, 1, 8)
    index <- matrix(rint(p * kq, 1, n), p, kq)
    dist <- t(apply(matrix(stats::runif(p * kq), p, kq), 1, sort))
    if (kq == 1 || p == 0) dist <- matrix(stats::runif(p * kq), p, kq)
    group <- if (chance(0.5)) sprinkle_na(rint(n, 1, 5), 0.2) else NULL
    list(index, dist, rint(p, 1, n), group, rint(1, 1, kq),
         pick(list(Inf, stats::runif(1))))
  },
  ffi_guard_intrusion = function() {
    n <- rsize(2L)
    d <- rdim(1L)
    r <- rint(1, 1, n)
    rows <- sample.int(n, r)
    m <- rint(1, 1, 6)
    pos <- integer(n)
    pos[rows] <- seq_len(r)
    G <- rint(1, 0, 30)
    parent <- rows[rint(G, 1, r)]
    neighbor <- c(rows, NA_integer_)[rint(G, 1, r + 1)]
    list(rmat(n, d), rmat(G, d), stats::rnorm(d), pick(list(rep(1, d), stats::runif(d),
                                                            c(0, rep(1, d - 1L)))),
         as.integer(parent), as.integer(neighbor),
         matrix(rint(r * m, 1, n), r, m), pos, rint(n, 1, 3), rint(1, 1, 3),
         threads_value())
  },
  ffi_metrics_class = function() {
    # syn, whole, y, cls, k, threads, known (NULL, or the class's real rows'
    # nearest and k-th distances)
    d <- rdim(1L)
    n <- rint(1, 0, 40)
    y <- rint(n, 1, 3)
    p <- sum(y == 1L)
    known <- if (chance(0.3)) {
      a <- abs(stats::rnorm(p))
      list(a, a + abs(stats::rnorm(p)))
    }
    list(rmat(rint(1, 0, 30), d), rmat(n, d), y, 1L, rint(1, 1, 8), threads_value(), known)
  },
  ffi_metrics_near = function() {
    d <- rdim(1L)
    N <- rsize()
    x <- rmat(N, d)
    m <- rint(1, 1, min(d, 4))
    directions <- if (chance(0.7) && N > 1 && d > 1) {
      eigen(stats::cov(x), symmetric = TRUE)$vectors[, seq_len(m), drop = FALSE]
    } else matrix(stats::rnorm(d * m), d, m)
    list(x, sample.int(N, rint(1, 0, N), TRUE), pick(list(0, stats::runif(1), 2, 1e-12)),
         directions, threads_value())
  },
  ffi_metrics_mmd = function() {
    d <- rdim(1L)
    list(rmat(rint(1, 2, 60), d), rmat(rint(1, 2, 60), d), threads_value())
  },
  ffi_metrics_duplicates = function() {
    p <- rdim()
    real <- sprinkle_na(matrix(as.double(sample(0:2, 40 * p, TRUE)), 40, p), 0.05)
    syn <- real[sample.int(40, rint(1, 0, 40), TRUE), , drop = FALSE]
    list(real, syn)
  },
  ffi_metrics_ks = function() {
    d <- rdim(1L)
    list(sprinkle_na(rmat(rint(1, 0, 40), d), 0.1), sprinkle_na(rmat(rint(1, 0, 40), d), 0.1))
  },
  ffi_fidelity_check = function() {
    n <- rint(1, 1, 40)
    m <- rint(1, 0, 30)
    d <- rdim()
    q <- rint(1, 0, 2)
    K <- rint(1, 1, 4)
    lv <- rint(q, 0, 4)
    codes <- function(r) matrix(sample(c(0:4, NA), r * q, TRUE), r, q)
    list(sprinkle_na(rmat(n, d), 0.1), sample(c(seq_len(K), NA), n, TRUE),
         sample.int(K, m, TRUE), sprinkle_na(rmat(m, d), 0.1),
         if (q > 0) codes(n), if (q > 0) codes(m), lv, K, threads_value())
  },
  ffi_metrics_path = function() list(pick(list(0L, 1L, 0, 1))),
  ffi_condense = function() {
    n <- rsize()
    d <- rdim()
    m <- rint(1, 0, n)
    cand <- sample.int(n, m)
    near <- sample(c(seq_len(n), if (chance(0.1)) NA), m, TRUE)
    list(rmat(n, d), if (chance(0.5)) stats::rnorm(d), if (chance(0.5)) abs(stats::rnorm(d)),
         sample.int(3, n, TRUE), cand, near, abs(stats::rnorm(m)), threads_value())
  },
  ffi_logit_fit = function() {
    n <- rsize()
    lp <- stats::rnorm(n, sd = pick(list(0.5, 5, 50)))
    x <- if (chance(0.5)) matrix(1, n, 1) else cbind(1, lp)
    list(x, as.double(stats::runif(n) < stats::plogis(lp)), if (ncol(x) == 1) lp)
  },
  ffi_logit_oof = function() {
    n <- rsize(0L)
    d <- rdim()
    x <- rmat(n, d)
    lp <- if (d > 0) x[, 1] * pick(list(0.5, 5, 50)) else numeric(n)
    list(x, if (chance(0.5)) stats::rnorm(d), if (chance(0.5)) abs(stats::rnorm(d)),
         as.integer(stats::runif(n) < stats::plogis(lp)), sample.int(rint(1, 1, 6), n, TRUE),
         threads_value())
  },
  ffi_pair_mean = function() {
    n <- rsize(0L)
    if (n > 1000) n <- 1000L  # m^2 / 2 pairs
    list(sprinkle_na(rmat(n, rdim()), 0.2), threads_value())
  },
  ffi_stats_columns = function() {
    n <- rsize(0L)
    x <- sprinkle_na(rmat(n, rdim()), 0.2)
    rows <- if (chance(0.5) || n == 0) NULL else sample.int(n, rint(1, 0, 2 * n), TRUE)
    list(x, rows, threads_value())
  },
  ffi_constraints_check = function() {
    # sg_diagnose()'s constraint check: bounds (or none), tuples with NA,
    # no rules hook (a hook is R code, not the routine's)
    m <- rint(1, 0, 30)
    d <- rdim()
    dc <- rint(1, 1, 3)
    codes <- matrix(sprinkle_na(rint(m * dc, 1, 4), 0.1), m, dc)
    bounded <- chance(0.5)
    list(sprinkle_na(rmat(m, d), 0.1), codes, if (chance(0.5)) rint(m, 1, 50),
         if (bounded) rep(-1, d), if (bounded) rep(1, d),
         if (chance(0.7)) list(seq_len(dc), codes[seq_len(min(m, 3)), , drop = FALSE]), NULL)
  },
  ffi_stats_outside = function() {
    d <- rdim()
    lower <- stats::rnorm(d) - 1
    upper <- lower + abs(stats::rnorm(d))
    if (chance(0.3) && d > 0) lower[1] <- -Inf
    list(sprinkle_na(rmat(rint(1, 0, 30), d), 0.1), lower, upper)
  },
  ffi_threads_get = function() list(),
  ffi_threads_set = function() list(pick(list(NA_integer_, 1L, 2L, 0L, -1L, 1.5, "a", NULL))),
  ffi_stats_quantiles = function() {
    n <- rsize(0L)
    x <- sprinkle_na(rmat(n, rdim()), 0.2)
    if (chance(0.3) && n > 0) x[] <- round(x)  # ties
    list(x, threads_value())
  },
  ffi_record_fingerprint = function() {
    n <- rint(1, 0, 30)
    cols <- list(a = sprinkle_na(stats::rnorm(n), 0.1), b = sprinkle_na(rint(n, 1, 5), 0.1),
                 c = sprinkle_na(as.character(rint(n, 1, 9)), 0.1),
                 d = factor(sample(c("u", "v", NA), n, TRUE)))
    list(pick(list(cols, cols[sample.int(4, rint(1, 0, 4))], unname(cols), list(x = list(1)))))
  },
  ffi_record_append = function() {
    lf <- file.path(tempdir(), "fuzz-ledger.jsonl")
    list(pick(list(lf, NA_character_, c(lf, lf), 1, file.path(lf, "x", "y"))),
         pick(list("{}\n", "", "a\nb\n", "no newline", NA_character_, 3L)))
  },
  ffi_record_checksum = function() {
    n <- rint(1, 0, 50)
    list(pick(list(sprinkle_na(rint(n, 1, 5), 0.05),
                   sprinkle_na(as.character(rint(n, 1, 100)), 0.05))))
  },
  # the process's own stream put back as it is, or refused values
  ffi_record_seed_restore = function() {
    list(pick(list(get0(".Random.seed", globalenv(), inherits = FALSE), integer(0), "a",
                   1.5, list(1L))))
  }
)

# ---------------------------------------------------------------------------
# Data frames for the exported functions

methods_over <- c("smote", "ros", "borderline1", "borderline2", "adasyn", "safe_level")

# A data frame of n rows: the outcome (2 or 3 classes, unbalanced, maybe
# an unused level or character), numeric, integer and often nominal,
# ordered, logical and Date predictors, an identifier and a group column,
# missing values and duplicated rows.
rdata <- function() {
  n <- rint(1, 8, 70)
  nclass <- pick(list(2L, 2L, 3L))
  lv <- c("maj", "min", "mid")[seq_len(nclass)]
  y <- sample(lv, n, TRUE, prob = c(0.65, 0.25, 0.1)[seq_len(nclass)])
  y[seq_len(2 * nclass)] <- rep(lv, each = 2)
  df <- data.frame(x1 = round(stats::rnorm(n), pick(list(1, 8))))
  if (chance(0.7)) df$x2 <- rint(n, -3, 9)
  if (chance(0.4)) df$x3 <- stats::runif(n) * 100
  if (chance(0.4)) df$f <- factor(sample(c("u", "v", "w"), n, TRUE))
  if (chance(0.2)) df$ch <- sample(c("p", "q"), n, TRUE)
  if (chance(0.2)) df$lg <- sample(c(TRUE, FALSE), n, TRUE)
  if (chance(0.2)) df$o <- factor(sample(c("lo", "mid", "hi"), n, TRUE),
                                  levels = c("lo", "mid", "hi"), ordered = TRUE)
  if (chance(0.1)) df$when <- as.Date("2020-01-01") + seq_len(n)
  if (chance(0.2)) df$id <- paste0("id", seq_len(n))
  if (chance(0.2)) df$grp <- rint(n, 1, 6)
  if (chance(0.25)) {
    for (j in intersect(c("x1", "x3", "f"), names(df))) df[[j]] <- sprinkle_na(df[[j]], 0.1)
  }
  if (chance(0.3)) {
    dup <- sample.int(n, ceiling(n / 4), TRUE)
    df[dup, setdiff(names(df), c("id"))] <- df[rep(sample.int(n, 1), length(dup)),
                                                setdiff(names(df), c("id"))]
  }
  yv <- if (chance(0.15)) y else factor(y, levels = c(lv, if (chance(0.2)) "unused"))
  var <- pick(list("y", "diagnosis", "class label"))
  df[[var]] <- yv
  if (chance(0.3)) df <- df[c(var, setdiff(names(df), var))]
  list(data = df, var = var,
       id = if ("id" %in% names(df)) "id" else NULL,
       group = if ("grp" %in% names(df)) "grp" else NULL)
}

# Ways to spoil a data frame.
spoil_data <- function(df, var) {
  n <- nrow(df)
  preds <- setdiff(names(df), var)
  p1 <- if (length(preds)) preds[1] else "x1"
  f <- pick(list(
    function() df[0, , drop = FALSE],
    function() df[1, , drop = FALSE],
    function() df[var],
    function() { df$l <- as.list(seq_len(n)); df },
    function() { df$l <- I(as.list(seq_len(n))); df },
    function() { df$z <- complex(real = seq_len(n), imaginary = 1); df },
    function() { df$m <- matrix(seq_len(2 * n), n, 2); df },
    function() { df$r <- as.raw(seq_len(n) %% 256); df },
    function() { df$t <- as.POSIXct("2020-01-01", tz = "UTC") + seq_len(n); df },
    function() { df$dt <- as.difftime(seq_len(n), units = "days"); df },
    function() { df$nest <- data.frame(a = seq_len(n)); df },
    function() { df[[var]] <- sprinkle_na(df[[var]], 0.2); df },
    function() { df[[var]] <- as.integer(factor(df[[var]])); df },
    function() { df[[var]] <- as.integer(factor(df[[var]])) > 1; df },
    function() { df[[var]] <- as.list(as.character(df[[var]])); df },
    function() { df[[var]] <- factor(rep("only", n)); df },
    function() { names(df)[ncol(df)] <- names(df)[1]; df },
    function() { names(df)[1] <- ""; df },
    function() { names(df)[1] <- NA; df },
    function() unname(df),
    function() { df[[p1]] <- Inf; df },
    function() { df[[p1]][1] <- -Inf; df },
    function() { df[[p1]] <- NA_real_; df },
    function() { df[[p1]] <- 1e200 * seq_len(n); df },
    function() { df[[p1]] <- NaN; df },
    function() { df[preds] <- lapply(df[preds], function(col) { col[] <- NA; col }); df },
    function() { df$x1 <- 0; df },
    function() cbind(df, as.data.frame(matrix(stats::rnorm(n * 150), n, 150))),
    function() { df[[var]] <- as.character(df[[var]]); df },
    function() df[c(seq_len(n), seq_len(n)), , drop = FALSE],
    function() df[sample.int(n), , drop = FALSE],
    # a corrupted data frame: columns shorter than its row names say
    function() { attr(df, "row.names") <- seq_len(n + 3L); df },
    function() {
      l <- as.list(df)
      l[[1]] <- l[[1]][-1]
      structure(l, class = "data.frame", row.names = seq_len(n))
    },
    function() if (requireNamespace("tibble", quietly = TRUE)) tibble::as_tibble(df) else df,
    function() as.matrix(df),
    function() as.list(df),
    function() garbage()
  ))
  tryCatch(suppressWarnings(f()), error = function(e) garbage())
}

rguard <- function() {
  pick(list(
    function() NULL,
    function() smoteguard::sg_guard(),
    function() smoteguard::sg_guard(min_safety = stats::runif(1), max_gap = stats::runif(1),
                                    jitter = pick(list(0, 0.5, 3)),
                                    intrusion = pick(list(NULL, stats::runif(1), 1)),
                                    max_tries = rint(1, 1, 4),
                                    intrusion_search = pick(list("local", "exact")))
  ))()
}

rconstraints <- function(data) {
  num <- names(data)[vapply(data, is.numeric, logical(1))]
  pick(list(
    function() NULL,
    function() smoteguard::sg_constraints(),
    function() smoteguard::sg_constraints(bounds = "none"),
    function() smoteguard::sg_constraints(bounds = stats::setNames(list(c(-1, 1)), num[1])),
    function() smoteguard::sg_constraints(integer = num[1]),
    function() smoteguard::sg_constraints(rules = function(d) rep(TRUE, nrow(d))),
    function() smoteguard::sg_constraints(rules = function(d) stats::runif(nrow(d)) > 0.5),
    function() smoteguard::sg_constraints(rules = function(d) garbage()),
    function() smoteguard::sg_constraints(rules = function(d) stop("a rule failed")),
    function() smoteguard::sg_constraints(combos = intersect(c("f", "ch"), names(data)))
  ))()
}

# A small oversampling result, then maybe spoilt (as an accessor sees it).
rresult <- function(spoil = 0.6) {
  d <- rdata()
  res <- tryCatch(suppressWarnings(suppressMessages(
    smoteguard::sg_oversample(d$data, d$var, method = pick(as.list(methods_over)),
                              seed = rint(1, 1, 99)))),
    error = function(e) NULL)
  if (is.null(res) || !chance(spoil)) return(res)
  rec <- attr(res, "smoteguard")
  f <- pick(list(
    function() res[-1, , drop = FALSE],
    function() res[rev(seq_len(nrow(res))), , drop = FALSE],
    function() rbind(res, res[1, , drop = FALSE]),
    function() { attr(res, "smoteguard") <- garbage(); res },
    function() { rec$n_result <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$settings$var <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$settings <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$checksum <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$provenance <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$guard <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$counts <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec$timings <- garbage(); attr(res, "smoteguard") <- rec; res },
    function() { rec[[pick(as.list(names(rec)))]] <- NULL; attr(res, "smoteguard") <- rec; res },
    function() { res[[d$var]] <- rev(res[[d$var]]); res },
    function() { attr(res, "smoteguard") <- NULL; res },
    function() as.list(res),
    function() garbage()
  ))
  tryCatch(f(), error = function(e) garbage())
}

rx <- function() {
  n <- rsize()
  d <- rdim()
  pick(list(
    function() rmat(n, d),
    function() rmat(n, d, "integer"),
    function() as.data.frame(rmat(n, max(d, 1L))),
    function() rmat(n, max(d, 1L))[, 1, drop = TRUE],
    function() sprinkle_na(rmat(n, d)),
    function() garbage()
  ))()
}

# Each exported function: list(fn = what to call, args = its arguments, a
# list). The arguments start valid and are then spoilt.
oversample_args <- function(d, method = TRUE) {
  lv <- levels(factor(d$data[[d$var]]))
  args <- list(
    data = d$data, var = d$var,
    method = pick(as.list(methods_over)),
    neighbors = rint(1, 1, 7),
    over_ratio = pick(list(1, 0.8, 1.5, 3, stats::setNames(0.9, lv[length(lv)]))),
    seed = pick(list(NULL, rint(1, 1, 1000))),
    m_neighbors = rint(1, 1, 12),
    shrinkage = pick(list(0, 0, stats::runif(1))),
    distance = pick(list("euclidean", "euclidean", "gower")),
    nominal = pick(list("draw", "vote")),
    exclude = pick(list(NULL, d$id)),
    clean = pick(list(NULL, NULL, "tomek", "enn")),
    clean_neighbors = rint(1, 1, 4),
    guard = rguard(),
    constraints = rconstraints(d$data),
    groups = pick(list(NULL, d$group)),
    threads = pick(list(NULL, 1L, 2L))
  )
  if (!method) args$method <- NULL
  args
}

# Extreme values for the size arguments: a result that cannot fit, a
# request that rounds to nothing.
size_values <- list(1e9, 1e-9, 2^31, 50, big_int)

export_templates <- list(
  sg_oversample = function(f) {
    d <- rdata()
    args <- oversample_args(d)
    if (chance(0.3)) args$data <- spoil_data(args$data, d$var)
    if (chance(0.05)) args$over_ratio <- pick(size_values)
    list(fn = f, args = mutate_args(args, 3))
  },
  sg_smote = function(f) {
    d <- rdata()
    args <- oversample_args(d, method = FALSE)
    if (chance(0.3)) args$data <- spoil_data(args$data, d$var)
    list(fn = f, args = mutate_args(args, 3))
  },
  sg_clean = function(f) {
    d <- rdata()
    args <- list(data = d$data, var = d$var, method = pick(list("tomek", "enn")),
                 remove = pick(list("larger", "both")), neighbors = rint(1, 1, 6),
                 threads = pick(list(NULL, 1L, 2L)))
    if (chance(0.3)) args$data <- spoil_data(args$data, d$var)
    list(fn = f, args = mutate_args(args, 2))
  },
  sg_undersample = function(f) {
    d <- rdata()
    args <- list(data = d$data, var = d$var,
                 method = pick(list("random", "nearmiss1", "nearmiss2", "nearmiss3")),
                 under_ratio = pick(list(1, 1.5, 0.5, 3)), neighbors = rint(1, 1, 6),
                 seed = pick(list(NULL, rint(1, 1, 1000))),
                 threads = pick(list(NULL, 1L, 2L)))
    if (chance(0.3)) args$data <- spoil_data(args$data, d$var)
    if (chance(0.05)) args$under_ratio <- pick(size_values)
    list(fn = f, args = mutate_args(args, 2))
  },
  sg_knn = function(f) {
    x <- rx()
    n <- NROW(x)
    query <- if (chance(0.4)) rx() else NULL
    args <- list(x = x, k = max(1L, min(n - 1L, rint(1, 1, 10))), query = query,
                 threads = pick(list(NULL, 1L, 2L)))
    if (chance(0.05)) args$k <- pick(size_values)
    list(fn = f, args = if (chance(0.7)) mutate_args(args, 2) else args)
  },
  sg_guard = function(f) {
    args <- list(min_safety = stats::runif(1), max_gap = stats::runif(1),
                 jitter = stats::runif(1), intrusion = pick(list(NULL, stats::runif(1))),
                 max_tries = rint(1, 1, 20), intrusion_search = pick(list("local", "exact")))
    list(fn = f, args = mutate_args(args, 3))
  },
  sg_constraints = function(f) {
    args <- list(bounds = pick(list("observed", "none", list(x1 = c(0, 1)))),
                 integer = pick(list(NULL, "x1")),
                 rules = pick(list(NULL, function(d) rep(TRUE, nrow(d)))),
                 combos = pick(list(NULL, "f")))
    list(fn = f, args = mutate_args(args, 3))
  },
  sg_provenance = function(f) list(fn = f, args = list(result = rresult())),
  sg_guard_report = function(f) list(fn = f, args = list(result = rresult())),
  sg_record = function(f) {
    list(fn = function(result) {
      rec <- f(result)
      utils::capture.output(print(rec))
      rec
    }, args = list(result = rresult()))
  },
  sg_caret_sampling = function(f) {
    d <- rdata()
    if (chance(0.2)) d$data <- spoil_data(d$data, d$var)
    x <- tryCatch(d$data[setdiff(names(d$data), d$var)], error = function(e) garbage())
    y <- tryCatch(d$data[[d$var]], error = function(e) garbage())
    if (chance(0.3)) x <- tryCatch(as.matrix(x), error = function(e) x)
    extra <- list(neighbors = rint(1, 1, 6), seed = rint(1, 1, 99))
    if (chance(0.3)) extra <- mutate_args(extra, 2)
    if (chance(0.1)) extra <- c(extra, list(garbage()))
    args <- list(method = pick(as.list(methods_over)), extra = extra,
                 first = pick(list(TRUE, FALSE)), x = x, y = y)
    list(fn = function(method, extra, first, x, y) {
      s <- do.call(f, c(list(method), extra, list(first = first)))
      s$func(x, y)
    }, args = mutate_args(args, 2, skip = "extra"))
  },
  sg_diagnose = function(f) {
    args <- list(x = rresult(0.3), synthetic = NULL, var = NULL, k = rint(1, 1, 8),
                 max_rows = pick(list(5000, 40, 12, Inf)),
                 tolerance = pick(list(0.05, 0, 1)), seed = pick(list(NULL, rint(1, 1, 99))),
                 threads = pick(list(NULL, 1L, 2L)))
    if (chance(0.35)) {
      # rows made elsewhere: real and synthetic data frames
      d <- rdata()
      real <- d$data
      if (chance(0.2)) real <- spoil_data(real, d$var)
      syn <- tryCatch({
        s <- d$data[sample.int(nrow(d$data), rint(1, 0, 40), TRUE), , drop = FALSE]
        if ("x1" %in% names(s)) s$x1 <- s$x1 + stats::rnorm(nrow(s), sd = 0.1)
        if (chance(0.3)) s <- spoil_data(s, d$var)
        s
      }, error = function(e) garbage())
      args$x <- real
      args$synthetic <- syn
      args$var <- d$var
    }
    list(fn = function(...) {
      dg <- f(...)
      utils::capture.output(print(dg), summary(dg), as.data.frame(dg))
      grDevices::pdf(NULL)
      on.exit(grDevices::dev.off(), add = TRUE)
      plot(dg)
      dg
    }, args = mutate_args(args, 2))
  },
  step_smoteguard = function(f) step_call(f, oversample = TRUE),
  step_smoteguard_clean = function(f) step_call(f, oversample = FALSE),
  sg_oversampling_method = function(f) {
    list(fn = f, args = mutate_args(list(values = pick(list(methods_over, "smote"))), 1))
  },
  sg_cleaning_method = function(f) {
    list(fn = f, args = mutate_args(list(values = c("tomek", "enn")), 1))
  }
)

step_call <- function(f, oversample) {
  d <- rdata()
  if (chance(0.2)) d$data <- spoil_data(d$data, d$var)
  args <- if (oversample) {
    list(method = pick(as.list(methods_over)), neighbors = rint(1, 1, 6),
         over_ratio = pick(list(1, 0.8)), guard = rguard(),
         options = pick(list(list(), list(m_neighbors = 5L), list(clean = "tomek"))),
         seed = rint(1, 1, 999), indicator = pick(list(NULL, ".synthetic")))
  } else {
    list(method = pick(list("tomek", "enn")), neighbors = rint(1, 1, 5),
         remove = pick(list("larger", "both")))
  }
  if (chance(0.7)) args <- mutate_args(args, 2)
  new_data <- if (is.data.frame(d$data) && chance(0.5)) d$data[seq_len(min(5, nrow(d$data))), , drop = FALSE] else NULL
  list(fn = function(data, var, new_data, ...) {
    if (!requireNamespace("recipes", quietly = TRUE)) stop("recipes is not installed")
    rec <- recipes::recipe(data, stats::as.formula(paste0("`", var, "` ~ .")))
    rec <- do.call(f, c(list(rec, as.name(var)), list(...)))
    prepped <- recipes::prep(rec, training = data)
    out <- recipes::bake(prepped, new_data = NULL)
    if (!is.null(new_data)) recipes::bake(prepped, new_data = new_data)
    utils::capture.output(print(prepped))
    out
  }, args = c(list(data = d$data, var = d$var, new_data = new_data), args))
}

# A function with no template: its arguments are drawn among results,
# data frames, column names and garbage.
generic_export <- function(f) {
  fm <- setdiff(names(formals(f)), "...")
  d <- rdata()
  args <- lapply(fm, function(a) {
    pick(list(function() rresult(0.3), function() d$data, function() d$var,
              function() garbage(), function() rint(1, 1, 10)))()
  })
  names(args) <- fm
  if (length(args) > 1 && chance(0.5)) args <- args[seq_len(rint(1, 1, length(args)))]
  list(fn = f, args = args)
}

# ---------------------------------------------------------------------------
# One call

# A stable number for a target name (the seeds must not depend on the list
# of targets, which grows).
name_hash <- function(x) {
  v <- utf8ToInt(x)
  sum(v * seq_along(v) * 131L) %% 100003L
}

call_seed <- function(target, base, i) {
  as.integer((as.numeric(base) * 1000003 + name_hash(target) * 10007 + i) %% 2147483647)
}

# The call i of `target`: list(fn, args, dotcall, path), path the k-NN
# search path to force first (NULL: leave it).
make_call <- function(ns, target, base, i) {
  set.seed(call_seed(target, base, i))
  routines <- getDLLRegisteredRoutines("smoteguard")$.Call
  path <- if ("ffi_knn_path" %in% names(routines) && chance(0.3)) sample(0:4, 1) else NULL
  spec <- make_spec(ns, routines, target)
  spec$path <- path
  spec
}

make_spec <- function(ns, routines, target) {
  if (target %in% names(routines)) {
    np <- routines[[target]]$numParameters
    tmpl <- call_templates[[target]]
    mode <- stats::runif(1)
    args <- NULL
    if (!is.null(tmpl) && mode < 0.8) {
      args <- tmpl()
      if (length(args) != np) args <- NULL  # the routine changed: garbage only
      else if (mode < 0.65) args <- mutate_args(args, 2, keep = 0)
    }
    if (is.null(args)) {
      args <- lapply(seq_len(np), function(j) garbage())
    }
    if (chance(0.02)) {
      args <- if (length(args) > 0 && chance(0.5)) args[-1] else c(args, list(1L))
    }
    return(list(fn = get(target, envir = ns), args = args, dotcall = TRUE))
  }
  f <- getExportedValue("smoteguard", target)
  tmpl <- export_templates[[target]]
  spec <- if (is.null(tmpl)) generic_export(f) else tmpl(f)
  spec$dotcall <- FALSE
  spec
}

# quote = TRUE: a symbol or a call among the arguments is passed as the
# value it is, not evaluated
run_call <- function(spec) {
  if (spec$dotcall) do.call(.Call, c(list(spec$fn), spec$args), quote = TRUE)
  else do.call(spec$fn, spec$args, quote = TRUE)
}

deep_copy <- function(x) unserialize(serialize(x, NULL))

# ---------------------------------------------------------------------------
# The child: runs the calls of its segments (target, from, to), writing a
# line before and after each call (so that the parent knows where a crash
# happened) and DONE at the end.

child_main <- function(jobfile) {
  job <- readRDS(jobfile)
  ns <- load_smoteguard(job$lib)
  note <- function(...) cat(..., "\n", sep = "", file = job$progress, append = TRUE)
  clean_msg <- function(m) gsub("[\t\r\n]+", " ", substr(m, 1, 300))
  n_done <- 0L
  for (seg in job$segments) {
    for (i in seq.int(seg$from, seg$to)) {
      tag <- paste0(seg$target, "\t", i)
      spec <- tryCatch(make_call(ns, seg$target, job$base, i), error = function(e) e)
      if (inherits(spec, "error")) {
        note("S\t", tag)
        note("M\t", tag, "\t", clean_msg(paste("generator:", conditionMessage(spec))))
        note("E\t", tag, "\tgenerator\t0\t0\t0")
        next
      }
      # the arguments that can be compared, to check afterwards that the
      # call left them as they were
      comparable <- vapply(spec$args, function(a) {
        isTRUE(tryCatch(identical(a, deep_copy(a), ignore.environment = TRUE),
                        error = function(e) FALSE))
      }, logical(1))
      before <- lapply(spec$args[comparable], deep_copy)
      torture <- isTRUE(job$gctorture) && spec$dotcall
      note("S\t", tag)
      if (!is.null(spec$path)) .Call(ns$ffi_knn_path, spec$path)
      started <- proc.time()[["elapsed"]]
      setTimeLimit(elapsed = job$timeout)
      res <- tryCatch({
        if (torture) gctorture(TRUE)
        withCallingHandlers(
          utils::capture.output(invisible(run_call(spec))),
          warning = function(w) invokeRestart("muffleWarning"),
          message = function(m) invokeRestart("muffleMessage"))
        gctorture(FALSE)
        "ok"
      }, error = function(e) {
        gctorture(FALSE)
        e
      })
      setTimeLimit()
      took <- proc.time()[["elapsed"]] - started
      status <- "ok"
      classed <- 0L
      if (inherits(res, "error")) {
        msg <- conditionMessage(res)
        status <- if (grepl("elapsed time limit", msg)) "timeout" else "error"
        classed <- as.integer(inherits(res, "smoteguard_error"))
        if (!spec$dotcall && !classed && status == "error") note("M\t", tag, "\t", clean_msg(msg))
      }
      after <- spec$args[comparable]
      modified <- !identical(before, after, ignore.environment = TRUE)
      if (modified) {
        changed <- names(after)[!mapply(identical, before, after)]
        note("X\t", tag, "\t", paste(if (length(changed)) changed else "?", collapse = ","))
      }
      note("E\t", tag, "\t", status, "\t", as.integer(modified), "\t", classed,
           "\t", sprintf("%.3f", took))
      n_done <- n_done + 1L
      if (n_done %% 50L == 0L) invisible(gc(verbose = FALSE))
    }
  }
  invisible(gc(verbose = FALSE))
  note("DONE")
}

# ---------------------------------------------------------------------------
# The parent

under_asan <- function() {
  grepl("asan", Sys.getenv("LD_PRELOAD"), fixed = TRUE) || nzchar(Sys.getenv("ASAN_OPTIONS"))
}

# Run one child on a list of segments; returns its progress lines, exit
# status and standard error.
run_child <- function(script, opts, segments, dir) {
  tag <- basename(tempfile("job", tmpdir = dir))
  job <- list(segments = segments, base = opts$seed, lib = opts$lib,
              timeout = opts$timeout, gctorture = opts$gctorture,
              progress = file.path(dir, paste0(tag, ".log")))
  jobfile <- file.path(dir, paste0(tag, ".rds"))
  saveRDS(job, jobfile)
  errfile <- file.path(dir, paste0(tag, ".err"))
  rscript <- file.path(R.home("bin"), "Rscript")
  cmd <- paste(shQuote(rscript), "--vanilla", shQuote(script),
               shQuote(paste0("--child=", jobfile)))
  env <- character(0)
  if (under_asan()) {
    # no ulimit: ASan reserves terabytes of address space. A failed
    # allocation returns NULL (an R error) instead of aborting.
    asan <- Sys.getenv("ASAN_OPTIONS")
    asan <- paste(c(if (nzchar(asan)) asan, "allocator_may_return_null=1",
                    sprintf("max_allocation_size_mb=%d", as.integer(opts$mem))),
                  collapse = ":")
    env <- c(env, paste0("ASAN_OPTIONS=", asan))
  } else if (opts$mem > 0 && .Platform$OS.type == "unix") {
    cmd <- sprintf("ulimit -v %d 2>/dev/null; exec %s", as.integer(opts$mem * 1024), cmd)
  }
  # the child works in the job's folder, so that calls writing files by
  # default (sg_report(), plot devices) leave nothing in the caller's
  cmd <- paste("cd", shQuote(dir), "&&", cmd)
  status <- suppressWarnings(system2("sh", c("-c", shQuote(cmd)), stdout = FALSE,
                                     stderr = errfile, env = env,
                                     timeout = opts$child_timeout))
  lines <- if (file.exists(job$progress)) readLines(job$progress, warn = FALSE) else character(0)
  list(lines = lines, status = status,
       stderr = if (file.exists(errfile)) readLines(errfile, warn = FALSE) else character(0))
}

# What a dead child said: the sanitizer's or R's report from its first
# line, else the last lines.
crash_excerpt <- function(lines) {
  at <- grep("runtime error|ERROR: AddressSanitizer|caught segfault|caught illegal|caught bus|Fatal error|abort",
             lines)
  keep <- if (length(at)) {
    c(lines[seq(at[1], min(length(lines), at[1] + 14))], grep("^SUMMARY", lines, value = TRUE))
  } else utils::tail(lines, 20)
  paste(unique(keep), collapse = "\n")
}

# The outcome of each call of the segments, restarting a child after the
# call that crashed it. Returns a data frame (target, i, status, modified,
# classed) of the calls, the messages and the crashes.
run_segments <- function(script, opts, segments, dir) {
  calls <- list()
  messages <- list()
  crashes <- list()
  while (length(segments) > 0) {
    r <- run_child(script, opts, segments, dir)
    f <- strsplit(r$lines, "\t", fixed = TRUE)
    kind <- vapply(f, `[`, "", 1)
    field <- function(which, j) vapply(f[kind == which], `[`, "", j)
    calls[[length(calls) + 1]] <- data.frame(
      target = field("E", 2), i = as.integer(field("E", 3)), status = field("E", 4),
      modified = field("E", 5) == "1", classed = field("E", 6) == "1",
      seconds = as.numeric(field("E", 7)))
    messages[[length(messages) + 1]] <- data.frame(
      target = field("M", 2), i = as.integer(field("M", 3)), message = field("M", 4))
    for (x in f[kind == "X"]) {
      crashes[[length(crashes) + 1]] <- list(target = x[2], i = as.integer(x[3]),
        kind = "modified its arguments", status = NA, stderr = paste("arguments:", x[4]))
    }
    if (any(kind == "DONE")) break
    started <- f[kind == "S"]
    if (length(started) == 0) {
      stop(sprintf("fuzz: a child did not start (exit status %s):\n%s", format(r$status),
                   paste(utils::tail(r$stderr, 20), collapse = "\n")))
    }
    last <- started[[length(started)]]
    target <- last[2]
    i <- as.integer(last[3])
    hang <- identical(as.integer(r$status), 124L)
    # died between calls (in gc(), say): the last call may have corrupted
    # the heap, so it is the one to replay
    between <- any(field("E", 2) == target & field("E", 3) == last[3])
    if (!between) {
      calls[[length(calls) + 1]] <- data.frame(
        target = target, i = i, status = if (hang) "hang" else "crash",
        modified = FALSE, classed = FALSE, seconds = NA_real_)
    }
    crashes[[length(crashes) + 1]] <- list(
      target = target, i = i,
      kind = paste0(if (hang) "hang (the child timed out)" else "crash",
                    if (between) " after the call returned" else ""),
      status = r$status, stderr = crash_excerpt(r$stderr))
    # the rest: this segment after call i, then the segments not reached
    k <- which(vapply(segments, function(s) s$target == target && i >= s$from && i <= s$to,
                      logical(1)))[1]
    rest <- segments[-seq_len(k)]
    if (i < segments[[k]]$to) {
      rest <- c(list(list(target = target, from = i + 1L, to = segments[[k]]$to)), rest)
    }
    segments <- rest
  }
  list(calls = do.call(rbind, calls), messages = do.call(rbind, messages),
       crashes = crashes)
}

# Cut the calls of every target into `n` children's worth of segments of
# about equal size (a target's calls spread over several children when it
# has more than a child takes).
plan_segments <- function(targets, per, batch, jobs) {
  total <- length(targets) * per
  n_children <- max(jobs, ceiling(total / batch))
  size <- ceiling(total / n_children)
  children <- list()
  current <- list()
  room <- size
  for (t in targets) {
    from <- 1L
    while (from <= per) {
      to <- min(per, from + room - 1L)
      current[[length(current) + 1]] <- list(target = t, from = from, to = to)
      room <- room - (to - from + 1L)
      from <- to + 1L
      if (room == 0) {
        children[[length(children) + 1]] <- current
        current <- list()
        room <- size
      }
    }
  }
  if (length(current) > 0) children[[length(children) + 1]] <- current
  children
}

fuzz_main <- function(opts) {
  options(width = max(getOption("width"), 110))
  script <- normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))[1])
  ns <- load_smoteguard(opts$lib)
  # the children load the very copy the parent found
  if (!nzchar(opts$lib)) opts$lib <- dirname(getNamespaceInfo(ns, "path"))
  opts$lib <- normalizePath(opts$lib)  # the children start in their own folder
  routines <- getDLLRegisteredRoutines("smoteguard")$.Call
  exports <- sort(getNamespaceExports("smoteguard"))
  exports <- exports[vapply(exports, function(e) is.function(getExportedValue("smoteguard", e)),
                            logical(1))]
  targets <- c(sort(names(routines)), exports)
  if (nzchar(opts$only)) targets <- grep(opts$only, targets, value = TRUE)
  if (length(targets) == 0) stop("fuzz: no target matches --only=", opts$only)
  per <- max(1L, as.integer(ceiling(opts$calls / length(targets))))
  cat(sprintf("fuzz: smoteguard %s from %s\n", utils::packageVersion("smoteguard", lib.loc = opts$lib), opts$lib))
  cat(sprintf("fuzz: %d targets (%d .Call routines, %d exported functions), %d calls each, seed %s%s\n",
              length(targets), sum(targets %in% names(routines)),
              sum(!targets %in% names(routines)), per, format(opts$seed),
              if (under_asan()) ", under AddressSanitizer" else
                if (opts$mem > 0) sprintf(", children limited to %d MB", as.integer(opts$mem)) else ""))
  missing <- setdiff(c("sg_diagnose", "step_smoteguard", "sg_caret_sampling"), exports)
  if (length(missing) > 0) cat("fuzz: not (yet) in the package, skipped:", paste(missing, collapse = ", "), "\n")
  no_template <- setdiff(targets, c(names(call_templates), names(export_templates)))
  if (length(no_template) > 0) cat("fuzz: no template (garbage only):", paste(no_template, collapse = ", "), "\n")
  dir <- tempfile("smoteguard-fuzz-")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE), add = TRUE)

  children <- plan_segments(targets, per, opts$batch, opts$jobs)
  started <- proc.time()[["elapsed"]]
  runner <- function(segs) run_segments(script, opts, segs, dir)
  results <- if (opts$jobs > 1 && .Platform$OS.type == "unix") {
    parallel::mclapply(children, runner, mc.cores = opts$jobs, mc.preschedule = FALSE)
  } else {
    lapply(children, runner)
  }
  failed <- vapply(results, function(r) inherits(r, "try-error") || is.null(r), logical(1))
  if (any(failed)) stop(paste(vapply(results[failed], as.character, ""), collapse = "\n"))

  calls <- do.call(rbind, lapply(results, `[[`, "calls"))
  messages <- do.call(rbind, lapply(results, `[[`, "messages"))
  crashes <- do.call(c, lapply(results, `[[`, "crashes"))
  count <- function(cond) tapply(cond, factor(calls$target, levels = targets), sum)
  unclassed <- table(factor(messages$target[!startsWith(messages$message, "generator:")],
                            levels = targets))
  tab <- data.frame(
    calls = count(rep(TRUE, nrow(calls))),
    returned = count(calls$status == "ok"),
    "R errors" = count(calls$status %in% c("error", "timeout")),
    unclassed = as.integer(unclassed),
    timeouts = count(calls$status == "timeout"),
    modified = count(calls$modified),
    crashes = count(calls$status == "crash"),
    hangs = count(calls$status == "hang"),
    check.names = FALSE)
  tab[is.na(tab)] <- 0L
  print(tab)
  for (c in crashes) {
    cat(sprintf("\n%s: %s, call %d (exit status %s). Reproduce with:\n  Rscript tests/fuzz/fuzz.R --replay=%s:%s:%d\n%s\n",
                toupper(c$kind), c$target, c$i, format(c$status), c$target,
                format(opts$seed), c$i, c$stderr))
  }
  gen <- messages[startsWith(messages$message, "generator:"), , drop = FALSE]
  if (nrow(gen) > 0) {
    cat(sprintf("\nfuzz: the generator itself failed %d times (those calls were not made):\n", nrow(gen)))
    print(utils::head(sort(table(paste(gen$target, gen$message)), decreasing = TRUE), 5))
  }
  msgs <- messages[!startsWith(messages$message, "generator:"), , drop = FALSE]
  if (nrow(msgs) > 0) {
    cat("\nErrors of exported functions without a smoteguard class (to review, not",
        "failures: some come from the fuzzer's own rules functions and recipes),",
        "most frequent first:\n")
    key <- paste0(msgs$target, ": ", msgs$message)
    top <- utils::head(sort(table(key), decreasing = TRUE), 20)
    for (m in names(top)) {
      first <- msgs[match(m, key), ]
      cat(sprintf("  %5d  %s  [first: --replay=%s:%s:%d]\n", top[[m]], m, first$target,
                  format(opts$seed), first$i))
    }
  }
  slow <- utils::head(calls[order(-calls$seconds), , drop = FALSE], 3)
  cat("\nSlowest calls:", paste(sprintf("%s:%s:%d (%.1f s, %s)", slow$target, format(opts$seed),
                                        slow$i, slow$seconds, slow$status), collapse = ", "), "\n")
  n <- function(x) as.integer(sum(x))
  after_call <- n(grepl("after the call", vapply(crashes, `[[`, "", "kind")))
  cat("\n")
  cat(sprintf("calls made: %d\n", nrow(calls)))
  cat(sprintf("returned normally: %d\n", n(calls$status == "ok")))
  cat(sprintf("R errors (expected): %d (%d of them timeouts)\n",
              n(calls$status %in% c("error", "timeout")), n(calls$status == "timeout")))
  cat(sprintf("arguments modified: %d\n", n(calls$modified)))
  cat(sprintf("crashes: %d\n", n(calls$status == "crash") + after_call))
  cat(sprintf("hangs: %d\n", n(calls$status == "hang")))
  cat(sprintf("time: %.0f s\n", proc.time()[["elapsed"]] - started))
  n_crash <- sum(!vapply(crashes, function(c) c$kind == "modified its arguments", logical(1)))
  cat(sprintf("fuzz: %d calls, %d R errors (expected), %d crashes\n", nrow(calls),
              n(calls$status %in% c("error", "timeout")), n_crash))
  invisible(n_crash == 0 && !any(calls$modified))
}

# Rebuild one call, show it, save it, and make it here, unguarded.
replay_main <- function(opts) {
  parts <- strsplit(opts$replay, ":", fixed = TRUE)[[1]]
  if (length(parts) != 3) stop("fuzz: --replay=TARGET:SEED:I")
  ns <- load_smoteguard(opts$lib)
  spec <- make_call(ns, parts[1], as.numeric(parts[2]), as.integer(parts[3]))
  cat("Arguments of", parts[1], "call", parts[3], ":\n")
  utils::str(spec$args, max.level = 2, vec.len = 4)
  saveRDS(spec$args, "fuzz-case.rds")
  path <- if (is.null(spec$path)) "" else sprintf(".Call(smoteguard:::ffi_knn_path, %dL); ", spec$path)
  cat(sprintf("Saved to fuzz-case.rds; a standalone reproducer:\n  %sargs <- readRDS(\"fuzz-case.rds\"); %s\n",
              path,
              if (spec$dotcall) sprintf("do.call(.Call, c(list(smoteguard:::%s), args))", parts[1])
              else sprintf("do.call(smoteguard::%s, args)", parts[1])))
  cat("Calling it now...\n")
  if (!is.null(spec$path)) .Call(ns$ffi_knn_path, spec$path)
  res <- run_call(spec)
  utils::str(res, max.level = 1)
  cat("returned\n")
}

if (!interactive() && sys.nframe() == 0L) {
  opts <- parse_options()
  if (!nzchar(Sys.getenv("TZ"))) Sys.setenv(TZ = "UTC")
  if (nzchar(opts$child)) {
    child_main(opts$child)
  } else if (nzchar(opts$replay)) {
    replay_main(opts)
  } else {
    ok <- fuzz_main(opts)
    quit(save = "no", status = if (ok) 0L else 1L)
  }
}
