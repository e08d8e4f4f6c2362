# Does the guard keep the minority class as it is? (issue 14, items 1-2)
#
# Per table, over paired random stratified 70/30 splits (the same splits for
# every arm), each arm oversamples the training rows to 1:1 with SMOTE and
# is judged on
#   - fidelity of the synthetic rows to the real training rows of the class:
#     the worst feature's standardised mean shift and KS (sg_record()$fidelity),
#     MMD^2 (Gaussian kernel, bandwidth the median distance among the real
#     rows, standardised columns; unbiased estimate), and how evenly the
#     real rows are used as parents (effective number of parents,
#     (sum c)^2 / sum c^2, over the class's rows: 1 = every row used equally);
#   - intrusion: the mean share of other-class rows among each synthetic
#     row's 10 nearest real training rows, against the same share for the
#     class's real rows (their 10 nearest other rows), and the share of rows
#     "among other classes' rows" (more than half of the 10 of another class);
#   - a logistic regression (glm, every predictor, main effects) fitted to
#     the training rows, judged on the untouched 30%: AUC, calibration slope
#     and calibration-in-the-large, the oversampled arms' risks first
#     corrected to the real prevalence with sg_correct_prior().
# Paired differences (arm - reference) get 95% t intervals over the splits.
#
# Run: R_LIBS=<lib with smoteguard> Rscript bench/guard-fidelity.R
#        [--splits=50] [--tables=a,b] [--arms=a,b] [--out=FILE.rds] [--markdown=FILE]
suppressPackageStartupMessages({
  library(smoteguard)
  library(stats)
})
args <- commandArgs(TRUE)
opt <- function(name, default) {
  hit <- grep(sprintf("^--%s=", name), args, value = TRUE)
  if (length(hit) == 0) default else sub(sprintf("^--%s=", name), "", hit[1])
}
n_splits <- as.integer(opt("splits", "50"))
out_file <- opt("out", "")
md_file <- opt("markdown", "")

# ---- tables: a binary outcome `y` (levels no, yes: yes the rare class) and
# numeric predictors; complete cases ----
binary <- function(x, yes) factor(ifelse(yes, "yes", "no"), levels = c("no", "yes"))
thin <- function(d, share, seed) {
  # keep every "no" row and a random subset of the "yes" rows so that they
  # make `share` of the table (fixed seed: the same table on every run)
  set.seed(seed)
  yes <- which(d$y == "yes")
  no <- sum(d$y == "no")
  keep <- round(share * no / (1 - share))
  d[sort(c(which(d$y == "no"), sample(yes, keep))), , drop = FALSE]
}
tables <- list(
  pima_thinned = function() {
    e <- new.env(); utils::data("PimaIndiansDiabetes2", package = "mlbench", envir = e)
    d <- e$PimaIndiansDiabetes2
    d <- d[, c("pregnant", "glucose", "pressure", "mass", "pedigree", "age", "diabetes")]
    d <- d[stats::complete.cases(d), ]
    d$y <- binary(NULL, d$diabetes == "pos"); d$diabetes <- NULL
    thin(d, 0.12, 14)
  },
  pima_mass = function() {
    d <- rbind(MASS::Pima.tr, MASS::Pima.te)
    d$y <- binary(NULL, d$type == "Yes"); d$type <- NULL
    d
  },
  breast_biopsy = function() {
    d <- smoteguard::breast_biopsy
    d$y <- binary(NULL, d$diagnosis == "malignant"); d$diagnosis <- NULL
    d
  },
  fgl_head = function() {
    d <- MASS::fgl
    d$y <- binary(NULL, d$type == "Head"); d$type <- NULL
    d
  },
  vehicle_van = function() {
    e <- new.env(); utils::data("Vehicle", package = "mlbench", envir = e)
    d <- e$Vehicle
    d$y <- binary(NULL, d$Class == "van"); d$Class <- NULL
    d
  },
  vowel_hid = function() {
    e <- new.env(); utils::data("Vowel", package = "mlbench", envir = e)
    d <- e$Vowel
    d <- d[, c(paste0("V", 2:10), "Class")]
    d$y <- binary(NULL, d$Class == "hid"); d$Class <- NULL
    d
  },
  ionosphere_bad = function() {
    e <- new.env(); utils::data("Ionosphere", package = "mlbench", envir = e)
    d <- e$Ionosphere
    d <- d[, c(paste0("V", 3:12), "Class")]
    d$y <- binary(NULL, d$Class == "bad"); d$Class <- NULL
    d
  },
  pbc_death4y = function() {
    d <- survival::pbc[, c("time", "status", "age", "bili", "albumin", "protime",
                           "ast", "platelet", "copper", "alk.phos")]
    d <- d[stats::complete.cases(d), ]
    # death within 4 years; alive, transplanted or censored before 4 years
    # of follow-up: dropped (their outcome at 4 years is unknown)
    d <- d[d$time >= 1460 | d$status == 2, ]
    d$y <- binary(NULL, d$status == 2 & d$time < 1460)
    d$bili <- log(d$bili); d$time <- NULL; d$status <- NULL
    d
  },
  colon_death2y = function() {
    d <- survival::colon[survival::colon$etype == 2,
                         c("time", "status", "age", "sex", "obstruct", "perfor",
                           "adhere", "nodes", "differ", "extent", "surg")]
    d <- d[stats::complete.cases(d), ]
    d <- d[d$time >= 730 | d$status == 1, ]
    d$y <- binary(NULL, d$status == 1 & d$time < 730)
    d$time <- NULL; d$status <- NULL
    d
  },
  sim_overlap = function() {
    # two Gaussian classes, 10% events, 5 features each shifted by 0.53 sd
    # (AUC about 0.8)
    set.seed(2024)
    n <- 2000; yes <- rep(c(FALSE, TRUE), c(1800, 200))
    x <- matrix(rnorm(n * 5), n) + outer(yes, rep(0.532, 5))
    d <- as.data.frame(x)
    d$y <- binary(NULL, yes)
    d
  },
  sim_clusters = function() {
    # the guard's purpose: the rare class in three tight clusters with the
    # other class filling the space between them, and 6 rare rows planted
    # deep inside the other class (noise)
    set.seed(7)
    centres <- rbind(c(-4, 0), c(0, 4), c(4, 0))
    cl <- do.call(rbind, lapply(1:3, function(i)
      matrix(rnorm(80, sd = 0.5), 40) + matrix(centres[i, ], 40, 2, byrow = TRUE)))
    maj <- matrix(runif(2400, -6, 6), 1200)
    near <- apply(maj, 1, function(p) min(sqrt(colSums((t(centres) - p)^2))))
    maj <- maj[near > 1.8, ][1:900, ]
    noise <- cbind(c(-2, 2, 0, -2.5, 2.5, 0), c(2, 2, 0, -3, -3, -4.5)) +
      matrix(rnorm(12, sd = 0.1), 6)
    x <- rbind(maj, cl, noise)
    d <- data.frame(x1 = x[, 1], x2 = x[, 2])
    d$y <- binary(NULL, rep(c(FALSE, TRUE), c(900, 126)))
    d
  }
)

# ---- arms: NULL = no oversampling, "plain" = guard = NULL, or a guard ----
arms <- list(
  none = "none",
  plain = "plain",
  # the guard before issue 14 (smoteguard 0.1): rows below 20% own-class
  # support are not parents, candidates with more than half of their 10
  # nearest rows of other classes rejected, rejected rows drawn again from
  # every parent
  old_default = sg_guard(min_safety = 0.2, intrusion = 0.5, quota = "free"),
  # one lever at a time, then together
  noise_only = sg_guard(min_safety = 0, intrusion = 0.5, quota = "free"),
  keep_only = sg_guard(min_safety = 0.2, intrusion = 0.5, quota = "keep"),
  support_only = sg_guard(min_safety = 0.2, intrusion = 0.95, quota = "free"),
  # the new default: sg_guard() = min_safety 0.2, intrusion 0.95, quota "keep"
  default = sg_guard(min_safety = 0.2, intrusion = 0.95, quota = "keep"),
  noise_support_keep = sg_guard(min_safety = 0, intrusion = 0.95, quota = "keep")
)
if (nzchar(opt("tables", ""))) tables <- tables[strsplit(opt("tables", ""), ",")[[1]]]
if (nzchar(opt("arms", ""))) arms <- arms[unique(c("none", "plain", strsplit(opt("arms", ""), ",")[[1]]))]

# ---- measures ----
auc <- function(p, y) {
  r <- rank(p); n1 <- sum(y); n0 <- length(y) - n1
  (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
}
logit <- function(p) { p <- pmin(pmax(p, 1e-12), 1 - 1e-12); log(p / (1 - p)) }
calibration <- function(p, y) {
  lp <- logit(p)
  slope <- unname(coef(suppressWarnings(glm(y ~ lp, family = binomial)))[2])
  citl <- unname(coef(suppressWarnings(glm(y ~ 1, offset = lp, family = binomial)))[1])
  c(slope = slope, citl = citl)
}
# mean share of other-class rows among the 10 nearest real training rows
# (standardised): for `query` rows, or (query = NULL) the class's own rows,
# themselves left out
other_share <- function(z, y, query = NULL, m = 10) {
  if (is.null(query)) {
    own <- which(y == "yes")
    nn <- sg_knn(z, m + 1, query = z[own, , drop = FALSE])$index
    nn <- t(apply(cbind(own, nn), 1, function(r) setdiff(r[-1], r[1])[seq_len(m)]))
  } else {
    nn <- sg_knn(z, m, query = query)$index
  }
  matrix(y[nn] != "yes", ncol = m)
}
mmd2 <- function(a, b) {
  if (nrow(b) > 400) b <- b[sample.int(nrow(b), 400), , drop = FALSE]
  sq <- function(u, v) pmax(outer(rowSums(u^2), rowSums(v^2), "+") - 2 * u %*% t(v), 0)
  daa <- sq(a, a)
  h <- stats::median(sqrt(daa[upper.tri(daa)]))^2
  k <- function(d) exp(-d / (2 * h))
  kaa <- k(daa); kbb <- k(sq(b, b)); kab <- k(sq(a, b))
  na <- nrow(a); nb <- nrow(b)
  (sum(kaa) - na) / (na * (na - 1)) + (sum(kbb) - nb) / (nb * (nb - 1)) - 2 * mean(kab)
}

one_split <- function(d, split, seed) {
  train <- d[-split, , drop = FALSE]
  test <- d[split, , drop = FALSE]
  xs <- setdiff(names(d), "y")
  ctr <- colMeans(train[xs]); scl <- apply(train[xs], 2, sd)
  scl[scl == 0] <- 1
  std <- function(m) sweep(sweep(as.matrix(m), 2, ctr), 2, scl, "/")
  z <- std(train[xs])
  real_share <- other_share(z, train$y)
  real_yes <- z[train$y == "yes", , drop = FALSE]
  ytest <- as.integer(test$y == "yes")
  rows <- list()
  for (a in names(arms)) {
    g <- arms[[a]]
    fid_warned <- FALSE
    m <- c(worst_shift = NA, worst_ks = NA, mmd2 = NA, eff_parents = NA,
           syn_other = NA, syn_among_other = NA, made_share = NA, fid_warning = NA)
    if (identical(g, "none")) {
      fit_data <- train
    } else {
      res <- withCallingHandlers(
        sg_oversample(train, "y", seed = seed, guard = if (!identical(g, "plain")) g),
        warning = function(w) {
          if (inherits(w, "smoteguard_warning_fidelity")) fid_warned <<- TRUE
          invokeRestart("muffleWarning")
        })
      rec <- sg_record(res)
      fid <- rec$fidelity
      prov <- sg_provenance(res)
      syn <- std(res[prov$row, xs, drop = FALSE])
      uses <- tabulate(match(prov$parent, which(train$y == "yes")), sum(train$y == "yes"))
      share <- other_share(z, train$y, query = syn)
      wanted <- sum(train$y == "no") - sum(train$y == "yes")
      m <- c(worst_shift = max(abs(fid$shift), na.rm = TRUE),
             worst_ks = max(fid$ks, na.rm = TRUE),
             mmd2 = if (nrow(syn) > 1) mmd2(real_yes, syn) else NA,
             eff_parents = sum(uses)^2 / sum(uses^2) / length(uses),
             syn_other = mean(share), syn_among_other = mean(rowMeans(share) > 0.5),
             made_share = nrow(syn) / wanted, fid_warning = fid_warned)
      fit_data <- res
    }
    fit <- suppressWarnings(glm(y ~ ., data = fit_data, family = binomial))
    p <- suppressWarnings(predict(fit, test, type = "response"))
    if (!identical(g, "none")) p <- sg_correct_prior(p, from = res)
    rows[[a]] <- c(m, auc = auc(p, ytest), calibration(p, ytest),
                   real_other = mean(real_share),
                   real_among_other = mean(rowMeans(real_share) > 0.5))
  }
  rows
}

strat_split <- function(y, seed) {
  set.seed(seed)
  unlist(lapply(split(seq_along(y), y), function(i) i[sample.int(length(i), round(0.3 * length(i)))]))
}

results <- list()
t0 <- proc.time()[["elapsed"]]
for (tn in names(tables)) {
  d <- tables[[tn]]()
  rownames(d) <- NULL
  cat(sprintf("%s: %d rows, %d predictors, %d events (%.1f%%)\n", tn, nrow(d), ncol(d) - 1,
              sum(d$y == "yes"), 100 * mean(d$y == "yes")))
  for (s in seq_len(n_splits)) {
    r <- one_split(d, strat_split(d$y, 1000 + s), seed = s)
    for (a in names(r)) {
      results[[length(results) + 1]] <- data.frame(table = tn, split = s, arm = a,
                                                   t(r[[a]]), check.names = FALSE)
    }
  }
  cat(sprintf("  %.0f s so far\n", proc.time()[["elapsed"]] - t0))
}
res <- do.call(rbind, results)
if (nzchar(out_file)) saveRDS(res, out_file)

# ---- summary: means, and paired differences with 95% t intervals ----
ci <- function(x) {
  x <- x[is.finite(x)]
  if (length(x) < 2) return(c(NA, NA, NA))
  h <- stats::qt(0.975, length(x) - 1) * stats::sd(x) / sqrt(length(x))
  c(mean(x), mean(x) - h, mean(x) + h)
}
fmt <- function(v, digits = 2) {
  if (anyNA(v)) return("-")
  sprintf("%.*f [%.*f, %.*f]", digits, v[1], digits, v[2], digits, v[3])
}
paired <- function(t, a, b, col) {
  x <- res[res$table == t & res$arm == a, ]
  y <- res[res$table == t & res$arm == b, ]
  ci(x[[col]][order(x$split)] - y[[col]][order(y$split)])
}
summary_rows <- list()
for (t in unique(res$table)) for (a in unique(res$arm)) {
  x <- res[res$table == t & res$arm == a, ]
  summary_rows[[length(summary_rows) + 1]] <- data.frame(
    table = t, arm = a,
    worst_shift = fmt(ci(x$worst_shift)),
    worst_ks = sprintf("%.2f", mean(x$worst_ks)),
    mmd2 = sprintf("%.3f", mean(x$mmd2)),
    eff_parents = sprintf("%.2f", mean(x$eff_parents)),
    other_syn_vs_real = if (a == "none") sprintf("real %.2f", mean(x$real_other))
                        else sprintf("%.2f vs %.2f", mean(x$syn_other), mean(x$real_other)),
    among_other = if (a == "none") sprintf("real %.3f", mean(x$real_among_other))
                  else sprintf("%.3f", mean(x$syn_among_other)),
    made = sprintf("%.2f", mean(x$made_share)),
    fid_warn = sprintf("%.0f%%", 100 * mean(x$fid_warning)),
    auc = sprintf("%.3f", mean(x$auc)),
    d_auc_vs_none = fmt(paired(t, a, "none", "auc"), 3),
    slope = sprintf("%.2f", mean(x$slope)),
    d_slope_vs_plain = fmt(paired(t, a, "plain", "slope")),
    citl = sprintf("%.2f", mean(x$citl)),
    d_citl_vs_plain = fmt(paired(t, a, "plain", "citl")),
    stringsAsFactors = FALSE)
}
summ <- do.call(rbind, summary_rows)
options(width = 250)
print(summ, row.names = FALSE)
cat(sprintf("\n%d splits per table; %.0f s in all\n", n_splits, proc.time()[["elapsed"]] - t0))
if (nzchar(md_file)) {
  lines <- c(paste0("| ", paste(names(summ), collapse = " | "), " |"),
             paste0("|", paste(rep("---", ncol(summ)), collapse = "|"), "|"),
             apply(summ, 1, function(r) paste0("| ", paste(r, collapse = " | "), " |")))
  writeLines(lines, md_file)
}
