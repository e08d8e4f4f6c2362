# sg_knn() against the plain-R brute force of helper-reference.R.

expect_knn_equal <- function(got, want) {
  expect_named(got, c("index", "distance"))
  expect_type(got$index, "integer")
  expect_type(got$distance, "double")
  expect_identical(dim(got$index), dim(want$index))
  expect_identical(dim(got$distance), dim(want$distance))
  expect_identical(got$index, want$index)
  expect_equal(got$distance, want$distance, tolerance = 1e-10)
}

test_that("sg_knn() matches a brute force for d = 1, 3, 20, 100 and many n", {
  # n crosses the 32-query and 256-row block sizes, on both sides
  sizes <- list(
    list(d = 1, n = c(2, 3, 33, 257, 600)),
    list(d = 3, n = c(5, 31, 256, 257, 513)),
    list(d = 20, n = c(12, 255, 513)),
    list(d = 100, n = c(4, 130, 300))
  )
  seed <- 0
  for (s in sizes) {
    for (n in s$n) {
      seed <- seed + 1
      x <- withr::with_seed(seed, matrix(stats::rnorm(n * s$d), n, s$d))
      for (k in unique(pmin(c(1, 5, n - 1), n - 1))) {
        got <- sg_knn(x, k)
        expect_knn_equal(got, ref_knn(x, k))
      }
    }
  }
})

test_that("every row is sorted by distance and never contains the row itself", {
  x <- withr::with_seed(2, matrix(stats::runif(400 * 4), 400, 4))
  nn <- sg_knn(x, 7)
  expect_false(any(nn$index == seq_len(400)))
  expect_true(all(nn$index >= 1 & nn$index <= 400))
  expect_true(all(apply(nn$distance, 1, function(r) !is.unsorted(r))))
  # no row repeats a neighbour
  expect_true(all(apply(nn$index, 1, anyDuplicated) == 0))
})

test_that("a duplicated row finds its copy at distance 0, never itself", {
  base <- withr::with_seed(3, matrix(stats::rnorm(300 * 3), 300, 3))
  dup <- c(5, 17, 17, 299, 123)
  x <- rbind(base, base[dup, ])
  n <- nrow(x)
  nn <- sg_knn(x, 3)
  expect_knn_equal(nn, ref_knn(x, 3))
  expect_false(any(nn$index == seq_len(n)))
  # 300 + 1 copies of row 5: row 5 and row 301 point at each other
  expect_identical(nn$index[5, 1], 301L)
  expect_identical(nn$index[301, 1], 5L)
  expect_identical(nn$distance[5, 1], 0)
  # row 17 has two copies (302 and 303): both at distance 0, by index
  expect_identical(nn$index[17, 1:2], c(302L, 303L))
  expect_identical(nn$index[302, 1:2], c(17L, 303L))
  expect_identical(nn$index[303, 1:2], c(17L, 302L))
  expect_identical(nn$distance[17, 1:2], c(0, 0))
  # rows without a copy have a positive nearest distance
  single <- setdiff(seq_len(300), dup)
  expect_true(all(nn$distance[single, 1] > 0))
})

test_that("all rows identical: distances 0, neighbours in index order", {
  x <- matrix(1.5, 40, 3)
  nn <- sg_knn(x, 39)
  expect_true(all(nn$distance == 0))
  want <- t(vapply(seq_len(40), function(i) setdiff(seq_len(40), i), integer(39)))
  expect_identical(nn$index, want)
})

test_that("ties are broken by the smaller index (integer grid data)", {
  for (case in list(c(n = 300, d = 2), c(n = 700, d = 3), c(n = 90, d = 1))) {
    n <- case[["n"]]
    d <- case[["d"]]
    x <- withr::with_seed(n, matrix(sample(0:3, n * d, replace = TRUE), n, d))
    storage.mode(x) <- "double"
    nn <- sg_knn(x, 10)
    expect_knn_equal(nn, ref_knn(x, 10))
  }
})

test_that("ties and duplicates are exact in many dimensions too", {
  # d >= 6 may take a different (screened) distance path; ties must still
  # be broken by the smaller index and duplicates found at distance 0
  for (d in c(6, 8, 12, 30)) {
    n <- 300 + d
    x <- withr::with_seed(d, matrix(sample(0:2, n * d, replace = TRUE), n, d))
    x <- rbind(x, x[c(3, 3, 150), ])
    storage.mode(x) <- "double"
    nn <- sg_knn(x, 12)
    expect_knn_equal(nn, ref_knn(x, 12))
    expect_false(any(nn$index == seq_len(nrow(x))))
    q <- withr::with_seed(d + 1, matrix(sample(0:2, 40 * d, replace = TRUE), 40, d))
    storage.mode(q) <- "double"
    expect_knn_equal(sg_knn(x, 7, query = q), ref_knn(x, 7, query = q))
  }
})

test_that("a large common offset (cancellation) does not change the neighbours", {
  # |q|^2 + |r|^2 - 2 q.r loses every digit here; the answer must not
  for (d in c(3, 8, 25)) {
    z <- withr::with_seed(100 + d, matrix(stats::rnorm(280 * d, sd = 1e-3), 280, d))
    x <- z + 1e6
    nn <- sg_knn(x, 5)
    expect_knn_equal(nn, ref_knn(x, 5))
  }
  # and points at very different scales in one matrix
  x <- withr::with_seed(7, rbind(matrix(stats::rnorm(150 * 10, sd = 1e-6), 150, 10),
                                 matrix(stats::rnorm(150 * 10, sd = 1e6), 150, 10)))
  expect_knn_equal(sg_knn(x, 4), ref_knn(x, 4))
})

test_that("many rows in few dimensions (a tree may be used) stay exact", {
  # From a few thousand rows in up to 5 dimensions the search may switch to
  # a space-partitioning tree; ties, duplicates and all-equal rows included.
  check_rows <- function(nn, x, k, query = NULL) {
    n <- if (is.null(query)) nrow(x) else nrow(query)
    rows <- sort(unique(c(1:40, n - 0:39, withr::with_seed(n, sample(n, 150)))))
    expect_knn_equal(knn_rows_of(nn, rows), ref_knn(x, k, query = query, rows = rows))
  }
  x2 <- withr::with_seed(41, matrix(stats::rnorm(5000 * 2), 5000, 2))
  check_rows(sg_knn(x2, 6), x2, 6)
  g3 <- withr::with_seed(42, matrix(sample(0:6, 4500 * 3, TRUE), 4500, 3)) + 0
  nn <- sg_knn(g3, 9, threads = 1)
  expect_identical(nn, sg_knn(g3, 9, threads = 2))
  check_rows(nn, g3, 9)
  g1 <- withr::with_seed(43, matrix(sample(0:50, 4200, TRUE), 4200, 1)) + 0
  check_rows(sg_knn(g1, 15), g1, 15)
  g5 <- withr::with_seed(44, matrix(sample(0:1, 4300 * 5, TRUE), 4300, 5)) + 0
  check_rows(sg_knn(g5, 4), g5, 4)
  q <- withr::with_seed(45, matrix(sample(0:6, 300 * 3, TRUE), 300, 3)) + 0
  check_rows(sg_knn(g3, 5, query = q), g3, 5, query = q)
  same <- matrix(2.5, 4100, 2)
  nn <- sg_knn(same, 3)
  expect_true(all(nn$distance == 0))
  expect_identical(nn$index[1:3, ], rbind(2:4, c(1L, 3L, 4L), c(1L, 2L, 4L)))
  expect_identical(nn$index[4100, ], 1:3)
  # huge values, where squared distances would overflow: a clear error
  big <- withr::with_seed(46, matrix(stats::rnorm(4096 * 2), 4096, 2))
  big[1:3, ] <- c(1e200, -1e200, 3e199)
  expect_error(sg_knn(big, 2), class = "smoteguard_error_input")
})

test_that("`query` finds neighbours in `x`, itself included", {
  x <- withr::with_seed(4, matrix(stats::rnorm(513 * 3), 513, 3))
  q <- withr::with_seed(5, matrix(stats::rnorm(70 * 3), 70, 3))
  expect_knn_equal(sg_knn(x, 4, query = q), ref_knn(x, 4, query = q))
  # query rows that are rows of x find them first, at distance 0
  rows <- c(1L, 256L, 257L, 513L)
  nn <- sg_knn(x, 2, query = x[rows, , drop = FALSE])
  expect_identical(nn$index[, 1], rows)
  expect_identical(nn$distance[, 1], rep(0, 4))
  # k may reach nrow(x) with a query
  nn <- sg_knn(x, 513, query = q[1:3, ])
  expect_knn_equal(nn, ref_knn(x, 513, query = q[1:3, ]))
  # one query row, and d = 1
  x1 <- matrix(c(5, 1, 3, 3, 9), ncol = 1)
  nn <- sg_knn(x1, 3, query = matrix(3, 1, 1))
  expect_identical(nn$index, matrix(c(3L, 4L, 1L), 1))  # rows 1 and 2 tie at 2
  expect_identical(nn$distance, matrix(c(0, 0, 2), 1))
  # query grid with ties
  g <- withr::with_seed(6, matrix(sample(0:2, 200 * 2, TRUE), 200, 2))
  qg <- withr::with_seed(7, matrix(sample(0:2, 50 * 2, TRUE), 50, 2))
  expect_knn_equal(sg_knn(g, 6, query = qg), ref_knn(g, 6, query = qg))
})

test_that("a query with no rows gives empty matrices", {
  x <- matrix(stats::rnorm(30), 10, 3)
  nn <- sg_knn(x, 2, query = x[0, , drop = FALSE])
  expect_identical(dim(nn$index), c(0L, 2L))
  expect_identical(dim(nn$distance), c(0L, 2L))
})

test_that("k = n - 1 works and k = n is an error", {
  x <- withr::with_seed(8, matrix(stats::rnorm(57 * 2), 57, 2))
  expect_knn_equal(sg_knn(x, 56), ref_knn(x, 56))
  expect_error(sg_knn(x, 57), class = "smoteguard_error_input")
  expect_error(sg_knn(x, 58, query = x[1:2, ]), class = "smoteguard_error_input")
  two <- matrix(c(0, 1), 2, 1)
  expect_identical(sg_knn(two, 1)$index, matrix(c(2L, 1L), 2, 1))
  expect_error(sg_knn(two[1, , drop = FALSE], 1), class = "smoteguard_error_input")
})

test_that("results are identical with 1 and 2 threads", {
  # n * m * d = 1500 * 1500 * 5 is above the parallel threshold (2e6)
  x <- withr::with_seed(9, matrix(stats::rnorm(1500 * 5), 1500, 5))
  one <- sg_knn(x, 10, threads = 1)
  two <- sg_knn(x, 10, threads = 2)
  expect_identical(one, two)
  # the option is read too
  withr::with_options(list(smoteguard.threads = 2), opt2 <- sg_knn(x, 10))
  withr::with_options(list(smoteguard.threads = 1), opt1 <- sg_knn(x, 10))
  expect_identical(opt1, one)
  expect_identical(opt2, one)
  # ties under threads: grid data, 1500 x 5
  g <- withr::with_seed(10, matrix(sample(0:2, 1500 * 5, TRUE), 1500, 5))
  g1 <- sg_knn(g, 8, threads = 1)
  expect_identical(g1, sg_knn(g, 8, threads = 2))
  expect_identical(g1$index[1:100, ], ref_knn(g, 8)$index[1:100, ])
  # and with a query
  q <- withr::with_seed(11, matrix(stats::rnorm(1400 * 5), 1400, 5))
  expect_identical(sg_knn(x, 3, query = q, threads = 1),
                   sg_knn(x, 3, query = q, threads = 2))
  # and the same as the brute force
  expect_knn_equal(one, ref_knn(x, 10))
  # in more dimensions (another distance path) and with ties
  x8 <- withr::with_seed(12, matrix(sample(0:3, 1200 * 8, TRUE), 1200, 8))
  storage.mode(x8) <- "double"
  a8 <- sg_knn(x8, 6, threads = 1)
  expect_identical(a8, sg_knn(x8, 6, threads = 2))
  expect_knn_equal(a8, ref_knn(x8, 6))
})

test_that("a data frame and an integer matrix give the same result as a double matrix", {
  xi <- withr::with_seed(12, matrix(sample(-20:20, 260 * 3, TRUE), 260, 3))
  xd <- xi
  storage.mode(xd) <- "double"
  want <- sg_knn(xd, 5)
  expect_knn_equal(want, ref_knn(xd, 5))
  expect_identical(sg_knn(xi, 5), want)
  df <- as.data.frame(xi)
  df$V2 <- as.double(df$V2)
  expect_identical(sg_knn(df, 5), want)
  expect_identical(sg_knn(xd, 5, query = as.data.frame(xi[1:9, ])),
                   sg_knn(xd, 5, query = xd[1:9, ]))
  # a plain numeric vector is one column
  v <- c(4, 1, 9, 2)
  expect_identical(sg_knn(v, 1), sg_knn(matrix(v, ncol = 1), 1))
})

test_that("sg_knn() leaves its inputs unchanged", {
  x <- withr::with_seed(13, matrix(stats::rnorm(300 * 4), 300, 4))
  q <- x[1:20, ] + 0.1
  xi <- matrix(1:40, 10, 4)
  x0 <- deep_copy(x)
  q0 <- deep_copy(q)
  xi0 <- deep_copy(xi)
  sg_knn(x, 3)
  sg_knn(x, 3, query = q)
  sg_knn(xi, 3)
  expect_identical(x, x0)
  expect_identical(q, q0)
  expect_identical(xi, xi0)
})

test_that("values so large that squared distances overflow are refused", {
  # Squared distances would overflow to Inf and every row would tie: the
  # search refuses such input instead of returning arbitrary neighbours.
  x <- matrix(c(0, 1e200, -1e200, 5), ncol = 1)
  expect_error(sg_knn(x, 3), class = "smoteguard_error_input")
  x8 <- matrix(0, 5, 8)
  x8[2, ] <- 1e160
  expect_error(sg_knn(x8, 4), class = "smoteguard_error_input")
  # the C entry refuses them too, with an R error
  expect_error(.Call(smoteguard:::ffi_knn_search, x, NULL, 2L, NULL, NULL,
                     NA_integer_, NULL, FALSE), "1e148")
  # on larger data the copies are shared among the threads: the value is
  # refused whichever thread meets it, after the copy
  xb <- withr::with_seed(47, matrix(stats::rnorm(40000 * 2), 40000, 2))
  xb[39000, 2] <- 1e200
  for (threads in 1:2) {
    expect_error(.Call(smoteguard:::ffi_knn_search, xb, NULL, 2L, NULL, NULL,
                       threads, NULL, FALSE), "1e148")
  }
  # too large for the float screen (1e15) but safe: the double screen,
  # found from either thread's share, the same on 1 and 2 threads
  xb[39000, 2] <- 1e20
  rows <- c(1:3, 20001, 38999:40000)
  one <- sg_knn(xb, 4, threads = 1)
  expect_identical(sg_knn(xb, 4, threads = 2), one)
  expect_knn_equal(knn_rows_of(one, rows[1:6]), ref_knn(xb, 4, rows = rows[1:6]))
  # large but safe values work
  x9 <- matrix(c(0, 1e100, -1e100, 5), ncol = 1)
  expect_identical(sg_knn(x9, 3)$index, ref_knn(x9, 3)$index)
})

# The tree of blocks (src/knn-btree.c): forced through the test switch
# (path 5: leaves screened in float; path 6: every row of a leaf measured),
# it must give the bits of the direct kernel (path 1) and of the brute force.
with_path <- function(path, expr) {
  sw <- get("ffi_knn_path", envir = asNamespace("smoteguard"))
  old <- .Call(sw, as.integer(path))
  on.exit(.Call(sw, old), add = TRUE)
  force(expr)
}
knn_ffi <- function(x, k, query = NULL, center = NULL, scale = NULL, threads = 1L,
                    exclude = NULL) {
  .Call(get("ffi_knn_search", envir = asNamespace("smoteguard")), x, query,
        as.integer(k), center, scale, as.integer(threads), exclude, FALSE)
}

test_that("the tree of blocks gives the bits of the direct kernel: ties, duplicates, constant columns", {
  low <- function(n, d, seed) {
    withr::with_seed(seed, {
      z <- matrix(stats::rnorm(n * 3), n, 3) %*% matrix(stats::rnorm(3 * d), 3, d)
      z + matrix(stats::rnorm(n * d, sd = 0.01), n, d)
    })
  }
  grid <- withr::with_seed(21, matrix(sample(0:2, 1300 * 7, TRUE), 1300, 7)) + 0
  grid <- rbind(grid, grid[c(1, 1, 700, 1299), ])           # duplicates
  gauss <- withr::with_seed(22, matrix(stats::rnorm(900 * 10), 900, 10))
  gauss[, 4] <- 3                                            # a constant column
  cases <- list(grid = grid, gauss = gauss, low = low(1100, 12, 23),
                offset = low(600, 8, 24) + 1e6,              # cancellation
                one_leaf = gauss[1:200, ], same = matrix(1.5, 300, 6))
  for (nm in names(cases)) {
    x <- cases[[nm]]
    q <- x[seq(1, nrow(x), by = 7), , drop = FALSE] + 0.01
    for (k in c(1L, 9L)) {
      want <- with_path(1L, knn_ffi(x, k))
      want_q <- with_path(1L, knn_ffi(x, k, query = q))
      for (path in 5:6) {
        for (threads in 1:2) {
          label <- sprintf("%s, k = %d, path %d, %d thread(s)", nm, k, path, threads)
          expect_identical(with_path(path, knn_ffi(x, k, threads = threads)), want, label = label)
          expect_identical(with_path(path, knn_ffi(x, k, query = q, threads = threads)), want_q,
                           label = label)
        }
      }
    }
    rows <- unique(c(1:20, withr::with_seed(1, sample(nrow(x), 30))))
    expect_knn_equal(knn_rows_of(with_path(5L, sg_knn(x, 6)), rows), ref_knn(x, 6, rows = rows))
  }
  # standardised columns (one of scale 0, left out) and excluded rows, as
  # the samplers call the search
  x <- cases$low
  cen <- colMeans(x)
  sc <- apply(x, 2, stats::sd)
  sc[3] <- 0
  q <- x[1:150, ] + 0.001
  excl <- c(1:100, rep(NA_integer_, 50))
  want <- with_path(1L, knn_ffi(x, 5, query = q, center = cen, scale = sc, exclude = excl))
  for (path in 5:6) {
    expect_identical(with_path(path, knn_ffi(x, 5, query = q, center = cen, scale = sc,
                                             exclude = excl, threads = 2L)), want)
  }
  # k up to n - 1 on a few rows, and missing values refused as on every path
  small <- gauss[1:40, ]
  expect_identical(with_path(5L, sg_knn(small, 39)), with_path(1L, sg_knn(small, 39)))
  bad <- gauss
  bad[5, 2] <- NaN
  expect_error(with_path(5L, sg_knn(bad, 3)), class = "smoteguard_error_input")
  expect_error(with_path(5L, knn_ffi(bad, 3)), "NA, NaN or Inf")
})

test_that("the automatic choice takes the tree of blocks on many rows of few intrinsic dimensions, exactly", {
  # 9,000 rows near a 3-dimensional subspace of 8 columns: above the tree's
  # row threshold; the same bits as the direct kernel, 1 and 2 threads
  x <- withr::with_seed(31, {
    z <- matrix(stats::rnorm(9000 * 3), 9000, 3) %*% matrix(stats::rnorm(24), 3, 8)
    z + matrix(stats::rnorm(9000 * 8, sd = 0.01), 9000, 8)
  })
  x <- rbind(x, x[1:3, ])
  auto1 <- sg_knn(x, 5, threads = 1)
  expect_identical(sg_knn(x, 5, threads = 2), auto1)
  expect_identical(auto1, with_path(1L, sg_knn(x, 5, threads = 2)))
  expect_identical(auto1$index[9001:9003, 1], 1:3)
  expect_identical(auto1$distance[9001:9003, 1], rep(0, 3))
})

test_that("the symmetric self-search gives the bits of the direct kernel", {
  # Each pair measured once and offered to both rows (path 7, and the
  # automatic path from 2,048 rows of full-dimensional data): the same
  # neighbours, distances and tie order as the direct kernel, 1 to 3
  # threads (the rounds of tiles: even and odd counts of blocks), k above
  # the symmetric search's limit (32) included.
  grid <- withr::with_seed(41, matrix(sample(0:2, 2500 * 7, TRUE), 2500, 7)) + 0
  gauss <- withr::with_seed(42, matrix(stats::rnorm(2300 * 12), 2300, 12))
  cases <- list(
    grid = grid,                                              # many ties
    dup = rbind(gauss, gauss[c(1, 1, 5, 2300), ]),            # duplicates
    const = cbind(gauss[1:700, ], 4),                         # a constant column
    offset = gauss[1:900, 1:9] + 1e6,                         # cancellation
    small = gauss[1:37, ],                                    # one block
    same = matrix(2.5, 300, 8))                               # every distance 0
  for (nm in names(cases)) {
    x <- cases[[nm]]
    for (k in c(1L, 6L, 33L)) {
      if (k >= nrow(x)) next
      want <- with_path(1L, knn_ffi(x, k))
      for (threads in 1:3) {
        label <- sprintf("%s, k = %d, %d thread(s)", nm, k, threads)
        expect_identical(with_path(7L, knn_ffi(x, k, threads = threads)), want, label = label)
      }
      if (nrow(x) >= 2048)
        expect_identical(with_path(0L, knn_ffi(x, k, threads = 2L)), want, label = nm)
    }
  }
  # the exact distances of a few rows against a plain-R reference
  rows <- c(1:5, 2301:2304)
  expect_knn_equal(knn_rows_of(with_path(7L, sg_knn(cases$dup, 4)), rows),
                   ref_knn(cases$dup, 4, rows = rows))
  # a query matrix under path 7 takes the one-sided scan, same bits
  q <- gauss[1:50, ] + 0.01
  expect_identical(with_path(7L, knn_ffi(gauss, 5, query = q, threads = 2L)),
                   with_path(1L, knn_ffi(gauss, 5, query = q)))
})

# The classes' searches (src/classes.c): where the whole-data search and
# each class's own search are direct scans, one scan serves them all
# (path 0; path 8 forces it whatever the sizes). Its lists must be those of
# the separate searches (path 1 direct, 2 kd-tree, 4 float screen): ties
# (a grid), a class's rows out of order, classes beyond one block of rows,
# a constant column, groups and the gap cap, whole numbers with many rows
# repeated; and enough rows that two threads share the scan (forced by
# path 8, with the pruned walk; path 9 measures every row).
test_that("the classes' searches in one scan give the bits of the separate searches", {
  f <- get("ffi_classes_neighbors", envir = asNamespace("smoteguard"))
  grid <- withr::with_seed(61, matrix(sample(0:3, 700 * 3, TRUE), 700, 3)) + 0
  gauss <- withr::with_seed(62, matrix(stats::rnorm(600 * 9), 600, 9))
  gauss[, 5] <- 2
  many <- withr::with_seed(65, matrix(stats::rnorm(2600 * 6), 2600, 6))
  # whole numbers 1-10, many rows repeated (ties at every distance)
  ints <- withr::with_seed(66, matrix(sample(1:10, 150 * 9, TRUE, prob = 10:1), 150, 9))
  ints <- ints[withr::with_seed(67, sample(150, 680, TRUE)), ] + 0
  cases <- list(grid = grid, gauss = gauss, many = many, ints = ints)
  for (nm in names(cases)) {
    x <- cases[[nm]]
    n <- nrow(x)
    y <- withr::with_seed(63, sample(1:4, n, TRUE, prob = c(0.5, 0.3, 0.15, 0.05)))
    rows <- lapply(2:4, function(cl) which(y == cl))
    rows[[1]] <- withr::with_seed(64, sample(rows[[1]]))  # out of order
    rows[[3]] <- rows[[3]][1:3]                             # a class of three
    k <- c(5L, 4L, 1L)
    center <- colMeans(x)
    scale <- apply(x, 2, stats::sd)
    settings <- list(
      plain = list(kq = k, group = NULL, max_gap = NA_real_, m = 10L),
      capped = list(kq = k, group = NULL, max_gap = 0.5, m = 1L),
      grouped = list(kq = k + c(3L, 2L, 1L), group = rep(1:7, length.out = n),
                     max_gap = 0.8, m = 12L))
    for (st in names(settings)) {
      s <- settings[[st]]
      run <- function(threads) {
        .Call(f, x, center, scale, rows, k, s$kq, s$group, s$max_gap, s$m, threads)
      }
      want <- with_path(1L, run(1L))
      for (path in c(0L, 2L, 4L, 8L, 9L)) {
        for (threads in 1:2) {
          expect_identical(with_path(path, run(threads)), want,
                           label = sprintf("%s, %s, path %d, %d thread(s)", nm, st, path, threads))
        }
      }
    }
  }
})

# The one scan without the pruned walk (path 9) bounds each list's k-th
# from its rows' groups of eight before offering any (src/knn-screen.c,
# sg_offer_bounded()): where there are fewer groups than the list is long
# (few rows, a small class) and where the list is longer than the bound
# takes (m = 20, a class's k = 17) it offers every row instead; whole
# numbers, so many rows tie at the bound.
test_that("the classes' one scan bounds its lists with the separate searches' bits", {
  f <- get("ffi_classes_neighbors", envir = asNamespace("smoteguard"))
  ints <- withr::with_seed(71, matrix(sample(1:4, 300 * 3, TRUE), 300, 3)) + 0
  cases <- list(
    few = list(x = ints[1:40, ], rows = list(1:12, c(30L, 5L, 20L, 33L, 2L, 40L, 11L, 9L, 14L)),
               k = c(5L, 4L), m = 10L),
    long = list(x = ints, rows = list(seq(1L, 300L, 2L), 2:40),
                k = c(17L, 16L), m = 20L),
    bound = list(x = ints, rows = list(seq(1L, 300L, 3L), c(151L, 7L, 2:20)),
                 k = c(16L, 2L), m = 16L))
  for (nm in names(cases)) {
    cs <- cases[[nm]]
    run <- function() {
      .Call(f, cs$x, colMeans(cs$x), rep(1, 3), cs$rows, cs$k, cs$k,
            NULL, NA_real_, cs$m, 1L)
    }
    expect_identical(with_path(9L, run()), with_path(1L, run()), label = nm)
  }
})

# The one scan's pruned walk needs each data row in one class's rows at
# most; where rows are shared it measures every row, with the same lists.
test_that("the classes' one scan with a row in two classes gives the separate searches' bits", {
  f <- get("ffi_classes_neighbors", envir = asNamespace("smoteguard"))
  x <- withr::with_seed(68, matrix(sample(1:10, 600 * 9, TRUE), 600, 9)) + 0
  rows <- list(1:300, 250:420, c(500L, 20L, 510L))
  k <- c(5L, 5L, 2L)
  run <- function(threads) {
    .Call(f, x, colMeans(x), apply(x, 2, stats::sd), rows, k, k, NULL, NA_real_, 10L, threads)
  }
  want <- with_path(1L, run(1L))
  for (path in c(0L, 8L, 9L)) {
    for (threads in 1:2) expect_identical(with_path(path, run(threads)), want)
  }
})
