# KMeans-SMOTE (sg_oversample(method = "kmeans_smote")): the cluster filter,
# the sparsity allocation and SMOTE within the clusters against a plain-R
# reading of the definition for the same k-means solution, and the cluster
# sparsity against imbalanced-learn 0.10's for the same clusters.

# sg_oversample() without the fidelity warning: KMeans-SMOTE moves the
# class's mean on purpose (more rows where the class is sparse)
oversample_quietly <- function(...) {
  withCallingHandlers(sg_oversample(...),
                      smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
}

kmeans_data <- function(seed) {
  # two blobs of the small class, one inside the large class's cloud
  withr::with_seed(seed, {
    big <- cbind(rnorm(300, 0, 1.2), rnorm(300, 0, 1.2))
    small <- rbind(cbind(rnorm(30, 3, 0.4), rnorm(30, 3, 0.4)),
                   cbind(rnorm(15, -3, 0.8), rnorm(15, 2.5, 0.8)))
    data.frame(x1 = c(big[, 1], small[, 1]), x2 = c(big[, 2], small[, 2]),
               y = factor(rep(c("a", "b"), c(300, 45))))
  })
}

# The k-means solution the method finds: the same call on the standardised
# predictors, first on the random stream after set.seed(seed).
ref_kmeans <- function(df, seed, clusters = 8) {
  z <- ref_scaled(df, "y")
  withr::with_seed(seed, stats::kmeans(z, centers = clusters, iter.max = 100)$cluster)
}

# Kept clusters, their sparsity and their share of `need` new rows.
ref_kmeans_plan <- function(df, cl, cls, need, threshold = 1) {
  z <- ref_scaled(df, "y")
  own <- df$y == cls
  k <- max(cl)
  n_class <- tabulate(cl[own], k)
  n_other <- tabulate(cl[!own], k)
  kept <- which(n_class >= 2 & (n_other + 1) / (n_class + 1) < threshold)
  sparsity <- vapply(kept, function(f) {
    zf <- z[own & cl == f, , drop = FALSE]
    mean(stats::dist(zf))^ncol(z) / nrow(zf)
  }, 0)
  raw <- need * sparsity / sum(sparsity)
  n <- floor(raw)
  left <- need - sum(n)
  if (left > 0) {
    extra <- order(-(raw - n), seq_along(raw))[seq_len(left)]
    n[extra] <- n[extra] + 1
  }
  list(kept = kept, sparsity = sparsity, counts = n)
}

test_that("KMeans-SMOTE keeps the clusters, shares and pairs of its definition", {
  for (s in 1:3) {
    df <- kmeans_data(400 + s)
    cl <- ref_kmeans(df, seed = s)
    plan <- ref_kmeans_plan(df, cl, "b", need = 255)
    expect_gt(length(plan$kept), 0)
    res <- oversample_quietly(df, "y", method = "kmeans_smote", seed = s, guard = NULL,
                         constraints = NULL)
    prov <- sg_provenance(res)
    expect_identical(nrow(prov), 255L)
    # parents and neighbours in the same kept cluster; the rows per cluster
    # as the sparsity shares them out
    expect_identical(cl[prov$parent], cl[prov$neighbor])
    expect_true(all(cl[prov$parent] %in% plan$kept))
    expect_identical(tabulate(match(cl[prov$parent], plan$kept), length(plan$kept)),
                     as.integer(plan$counts))
    # the neighbour is among the parent's 5 nearest class rows of its cluster
    D <- ref_dist_euclidean(ref_scaled(df, "y"))
    near <- vapply(seq_len(nrow(prov)), function(r) {
      same <- which(df$y == "b" & cl == cl[prov$parent[r]])
      prov$neighbor[r] %in% ref_nearest(D, prov$parent[r], same, 5)
    }, NA)
    expect_true(all(near))
    expect_true(all(prov$gap >= 0 & prov$gap <= 1))
    # parents take turns within a cluster: every class row of a kept
    # cluster that got rows is a parent
    for (j in seq_along(plan$kept)) {
      members <- which(df$y == "b" & cl == plan$kept[j])
      if (plan$counts[j] >= length(members)) {
        expect_setequal(unique(prov$parent[cl[prov$parent] == plan$kept[j]]), members)
      }
    }
  }
})

test_that("KMeans-SMOTE: no qualifying cluster is a classed error naming the parameters", {
  df <- kmeans_data(410)
  expect_error(sg_oversample(df, "y", method = "kmeans_smote", seed = 1,
                             imbalance_threshold = 0.01),
               class = "smoteguard_error_no_cluster", regexp = "imbalance_threshold")
  expect_error(sg_oversample(df, "y", method = "kmeans_smote", seed = 1,
                             imbalance_threshold = 0.01),
               regexp = "`clusters`")
  # a higher threshold keeps more clusters: the whole class can take part
  res <- oversample_quietly(df, "y", method = "kmeans_smote", seed = 1, guard = NULL,
                       imbalance_threshold = 1e6)
  expect_identical(as.integer(table(res$y)), c(300L, 300L))
  expect_error(sg_oversample(df, "y", method = "kmeans_smote", clusters = 0),
               class = "smoteguard_error_input")
})

test_that("KMeans-SMOTE runs on the shipped data and on nominal columns; missing values are refused", {
  res <- withCallingHandlers(
    sg_oversample(breast_biopsy, "diagnosis", method = "kmeans_smote", seed = 1),
    smoteguard_warning_fidelity = function(w) invokeRestart("muffleWarning"))
  expect_identical(as.integer(table(res$diagnosis)), c(444L, 444L))
  set.seed(420)
  n <- 200
  df <- data.frame(x1 = rnorm(n), x2 = rnorm(n),
                   colour = factor(sample(c("red", "green"), n, TRUE)),
                   y = factor(sample(c("a", "b"), n, TRUE, prob = c(0.7, 0.3))))
  df$x1[df$y == "b"] <- df$x1[df$y == "b"] + 2
  mixed <- oversample_quietly(df, "y", method = "kmeans_smote", seed = 2, guard = NULL,
                         clusters = 4, imbalance_threshold = 2)
  expect_identical(as.integer(table(mixed$y))[1], as.integer(table(mixed$y))[2])
  df$x2[c(3, 9)] <- NA
  expect_error(sg_oversample(df, "y", method = "kmeans_smote", seed = 2),
               class = "smoteguard_error_input", regexp = "kmeans_smote.*missing values")
})

test_that("KMeans-SMOTE's cluster sparsity is imbalanced-learn 0.10's for the same clusters", {
  skip_if_no_imblearn()
  df <- kmeans_data(430)
  cl <- ref_kmeans(df, seed = 1)
  plan <- ref_kmeans_plan(df, cl, "b", need = 255)
  z <- ref_scaled(df, "y")
  out <- run_imblearn(z, as.integer(df$y == "b"), c(
    "from imblearn.over_sampling import KMeansSMOTE",
    sprintf("cl = np.array([%s])", paste(cl, collapse = ",")),
    # the paper's exponent: the number of columns
    "s = KMeansSMOTE(density_exponent=X.shape[1])",
    sprintf("kept = [%s]", paste(plan$kept, collapse = ",")),
    "sp = [s._find_cluster_sparsity(X[(cl == f) & (y == 1)]) for f in kept]",
    "np.savetxt(out, np.array(sp).reshape(-1, 1), delimiter=',')"))
  expect_equal(plan$sparsity, unname(out[, 1]), tolerance = 1e-10)
  # and ours: the shares of the rows made follow the same sparsity
  res <- oversample_quietly(df, "y", method = "kmeans_smote", seed = 1, guard = NULL,
                       constraints = NULL)
  prov <- sg_provenance(res)
  expect_identical(tabulate(match(cl[prov$parent], plan$kept), length(plan$kept)),
                   as.integer(plan$counts))
})
