# How often the guard's local intrusion check (the candidate's m nearest
# rows sought only among its parent's and neighbour's own m nearest rows of
# the whole data) decides as the exact check (a search of the whole data)
# does. Issue 4 accepts the local form only at >= 99% agreement.
# Run: Rscript bench/intrusion.R [--quick]
suppressMessages(library(smoteguard))
quick <- "--quick" %in% commandArgs(TRUE)
ns <- asNamespace("smoteguard")

agreement <- function(df, var, label, m = 10, threshold = 0.5) {
  yf <- factor(df[[var]])
  pred <- ns$prepare_predictors(df, var, y = yf)
  # candidates: plain SMOTE rows (no guard), so that every kind of
  # candidate, good or intruding, is judged
  res <- sg_oversample(df, var, seed = 1, guard = NULL, constraints = NULL)
  prov <- sg_provenance(res)
  n <- nrow(df)
  yi <- as.integer(yf)
  cand <- as.matrix(res[prov$row, setdiff(names(df), var), drop = FALSE])
  storage.mode(cand) <- "double"
  out <- NULL
  for (c in unique(as.integer(prov$class))) {
    rows <- which(yi == c)
    mine <- which(as.integer(prov$class) == c)
    # as the rounds call it (src/rounds.c, sg_local_shares()): raw values, the data's
    # centre and scale, each class row's m nearest rows of the whole data
    t_local <- system.time({
      w <- ns$knn_rows(pred, seq_len(n), m, query = rows)
      pos <- integer(n)
      pos[rows] <- seq_along(rows)
      local <- .Call(ns$ffi_guard_intrusion, pred$x, cand[mine, , drop = FALSE],
                     pred$center, pred$scale, as.integer(prov$parent[mine]),
                     as.integer(prov$neighbor[mine]), w$index, as.integer(pos), yi,
                     as.integer(c), NA_integer_)
    })[["elapsed"]]
    t_exact <- system.time({
      nn <- .Call(ns$ffi_knn_search, pred$x, cand[mine, , drop = FALSE], as.integer(m),
                  pred$center, pred$scale, NA_integer_, NULL, FALSE)$index
      exact <- rowMeans(matrix(yi[nn] != c, nrow = length(mine)))
    })[["elapsed"]]
    out <- rbind(out, data.frame(
      data = label, class = levels(yf)[c], candidates = length(mine),
      same_share = mean(abs(local - exact) < 1e-12),
      same_decision = mean((local > threshold) == (exact > threshold)),
      rejected_exact = sum(exact > threshold),
      rejected_local = sum(local > threshold),
      local_s = t_local, exact_s = t_exact))
  }
  out
}

gauss <- function(n_min, n_maj, d, seed = 1) {
  set.seed(seed)
  x <- rbind(matrix(rnorm(n_maj * d), n_maj), matrix(rnorm(n_min * d, 1), n_min))
  df <- as.data.frame(x)
  df$y <- factor(rep(c("majority", "minority"), c(n_maj, n_min)))
  df
}
moons <- function(n_maj = 3000, n_min = 600, noise = 0.15, seed = 1) {
  set.seed(seed)
  t1 <- runif(n_maj, 0, pi); t2 <- runif(n_min, 0, pi)
  data.frame(x1 = c(cos(t1), 1 - cos(t2)) + rnorm(n_maj + n_min, sd = noise),
             x2 = c(sin(t1), 0.5 - sin(t2)) + rnorm(n_maj + n_min, sd = noise),
             y = factor(rep(c("majority", "minority"), c(n_maj, n_min))))
}

tab <- rbind(
  agreement(breast_biopsy, "diagnosis", "breast_biopsy"),
  agreement(moons(), "y", "moons 3000+600, d=2"),
  # overlapping classes: a quarter of the candidates intrude
  agreement(gauss(300, 1500, 5, seed = 2), "y", "gaussian 300+1500, d=5"),
  agreement(gauss(if (quick) 2000 else 20000, if (quick) 10000 else 100000, 20), "y",
            if (quick) "gaussian 2000+10000, d=20" else "gaussian 20000+100000, d=20")
)
print(tab, row.names = FALSE, digits = 4)
cat(sprintf("\nworst agreement of decisions: %.4f (target >= 0.99)\n", min(tab$same_decision)))
cat(sprintf("rejected: %d exact, %d local, of %d candidates\n", sum(tab$rejected_exact),
            sum(tab$rejected_local), sum(tab$candidates)))
