# The generation pipeline, the one fixed pipeline for every class:
# neighbourhoods -> seeds -> guard -> rounds of draw -> make -> round /
# constraints / intrusion. generate() runs each class's preamble in R
# (class_setup(): neighbourhoods, pairs and the gap cap, the method's seed
# rule), then the parents (the guard's seed safety, the quota's handover)
# and the rounds of every class in one C call (src/rounds.c), which calls
# the method's hooks, a `rules` function and the exact intrusion search
# back; then the classes' reports (finish_classes()). The guard's filters
# are in guard-filters.R, the checks and constraints in guard.R.

# SMOTE's draw, which other methods share: parents taken in turns (a
# random permutation of the seeds per round of turns, so each is used
# about equally often; see vignette("definitions"), #parent-cycle), each
# paired with one of its candidate neighbours at a gap uniform in [0, 1].
# With no candidate columns it makes copies of the parents (random
# oversampling, and classes of a single row). A method whose draw is this
# function has it run in the rounds' C loop (sg_draw_turns(), the same
# sg_cycle() as ffi_draw_cycle()); a method's own draw may call it.
draw_in_turns <- function(ctx, at, within_at, need, state) {
  .Call(ffi_draw_cycle, within_at, as.numeric(need), NULL, 0)
}

# Run the method: each class's preamble in R (class_setup()), then every
# class's rounds in one C call (src/rounds.c), which writes the stacked
# rows; the classes' reports from what it made.
generate <- function(pred, yf, n_new, settings, data, call) {
  levels <- levels(yf)
  yi <- as.integer(yf)
  n <- length(yi)
  L <- length(levels)
  counts <- tabulate(yi, L)
  done <- which(n_new > 0)
  class_rows <- split_rows(yi, L)
  def <- sampler_method(settings$method)
  interpolate <- def$family == "interpolate"
  plan <- class_plan(pred, settings, def, if (interpolate) settings$guard, n)
  nbhd <- class_neighborhoods(pred, yi, class_rows, done, settings, plan)
  copy_plan <- NULL  # a class of one row of an interpolating method
  cons <- settings$constraints
  # each row's position in its class (the local intrusion check's index)
  pos <- integer(n)
  pos[unlist(class_rows, use.names = FALSE)] <- sequence(lengths(class_rows))
  setups <- vector("list", length(done))
  bounds <- classes_bounds(cons, pred, class_rows[done])
  for (i in seq_along(done)) {
    cl <- done[i]
    rows <- class_rows[[cl]]
    plan_cl <- plan
    if (interpolate && length(rows) == 1L) {
      if (is.null(copy_plan)) copy_plan <- class_plan(pred, settings, def, NULL, n)
      plan_cl <- copy_plan
    }
    setups[[i]] <- class_setup(plan_cl, pred, yi, cl, rows, n_new[[cl]], settings, data,
                               bounds[[i]], nbhd[[cl]])
  }
  made <- rounds_run(pred, yi, pos, plan, settings, lapply(setups, `[[`, "input"))
  finish_classes(setups, made, pred, yi, done, levels, counts, settings, call)
}

# Every class's rounds in one C call (src/rounds.c): the call's shared
# inputs, and per class what class_setup() prepared. Returns the stacked
# rows (class, parent, neighbor, gap, values, codes) and per class its
# counts (made, drawn, rejections by intrusion, bound, rule, combination).
rounds_run <- function(pred, yi, pos, plan, settings, inputs) {
  rounding <- plan$rounding
  m <- min(settings$m_neighbors, length(yi) - 1L)
  data <- list(pred$x, pred$codes, pred$center, pred$scale, yi, pos, plan$vote,
               which(rounding$whole), rounding$ordered, as.integer(rounding$top),
               as.integer(m))
  .Call(ffi_rounds_run, data, inputs, settings$threads)
}

# The classes' reports, info, kinds and warnings from what the rounds made
# (`made`: rounds_run()'s answer).
finish_classes <- function(setups, made, pred, yi, done, levels, counts, settings, call) {
  rows <- made$rows
  ct <- made$counts
  n_made <- as.integer(ct["made", ])
  end <- cumsum(n_made)
  kinds <- vector("list", length(done))
  notes <- list()
  known <- NULL
  for (i in seq_along(done)) {
    st <- setups[[i]]
    # the gaps a promise: only a kind of one per row reads them
    kinds[[i]] <- class_kind(st, rows$gap[seq.int(end[i] - n_made[i] + 1L,
                                                  length.out = n_made[i])], settings)
    if (!is.null(st$known)) known[[levels[done[i]]]] <- st$known
    cl_notes <- st$notes
    # a class made in full from some parents has no shortfall to note
    if (n_made[i] < st$G || ct["parents", i] == 0) {
      cl_notes <- c(cl_notes, class_shortfall(st, ct[, i], n_made[i], settings))
    }
    for (nm in names(cl_notes)) notes[[nm]] <- c(notes[[nm]], levels[done[i]])
  }
  made_all <- integer(length(levels))
  made_all[done] <- n_made
  # warn on what was made, not on what was asked
  notes$many <- many_raised(made_all, counts, levels)
  num <- vapply(setups, `[[`, numeric(length(class_numbers)), "numbers")
  dim(num) <- c(length(class_numbers), length(setups))
  dimnames(num) <- list(class_numbers, NULL)
  report <- class_report(setups, ct, num, rows$parent, yi, levels[done], length(levels))
  warnings <- class_warnings(notes, settings, call, report,
                             stats::setNames(counts, levels))
  list(class = rows$class, parent = rows$parent, neighbor = rows$neighbor,
       gap = rows$gap, kind = rows_kind(kinds, n_made),
       values = rows$values, codes = rows$codes,
       info = class_info(ct, num, levels[done]), report = report,
       warnings = warnings, known = known)
}

# Each class's rows (data order), one vector per class code 1..L.
split_rows <- function(yi, L) {
  # attributes set one by one: cheaper than structure()
  f <- yi
  attr(f, "levels") <- as.character(seq_len(L))
  class(f) <- "factor"
  split.default(seq_along(yi), f)
}

# How many own-class neighbours a class's rows use (k) and how many its
# search finds (kq: with groups, enough that k remain from other groups).
own_search_k <- function(settings, rows) {
  p <- length(rows)
  k <- min(settings$neighbors, p - 1L)
  kq <- k
  grp <- settings$group_codes
  if (!is.null(grp)) {
    sizes <- tabulate(grp[rows][!is.na(grp[rows])])
    kq <- min(p - 1L, k + max(0L, sizes) - 1L)
  }
  list(k = k, kq = max(kq, 1L))
}

# The whole-data neighbourhood's size: the method's and the guard's in one
# search.
whole_search_m <- function(def, settings, guard, n) {
  m_method <- def$whole_neighbors(settings)
  m_guard <- if (is.null(guard)) 0L else settings$m_neighbors
  min(max(m_method, m_guard), n - 1L)
}

# The neighbourhoods class_setup() reads, for every class to raise at
# once, in one C call (src/classes.c): each class's own search, its pairs
# and gap cap (the steps of class_pairs()), and one whole-data search for
# all their rows; the same values as class_pairs() finds class by class,
# which a table of several small classes would pay for in R calls. NULL
# for a class class_pairs() searches itself: mixed or incomplete
# predictors (the distance depends on the class), a class of one row, a
# method that does not interpolate. `plan`: class_plan() of the call.
class_neighborhoods <- function(pred, yi, class_rows, done, settings, plan) {
  out <- vector("list", length(class_rows))
  if (pred$mixed || dim(pred$x)[2L] == 0L || plan$def$family != "interpolate") return(out)
  p <- lengths(class_rows)
  todo <- done[p[done] > 1L]
  if (length(todo) == 0L) return(out)
  # own_search_k() for every class at once
  k <- pmin(settings$neighbors, p[todo] - 1L)
  kq <- if (is.null(settings$group_codes)) k
        else vapply(class_rows[todo], function(r) own_search_k(settings, r)$kq, 1L)
  out[todo] <- .Call(ffi_classes_neighbors, pred$x, pred$center, pred$scale,
                     class_rows[todo], as.integer(k), as.integer(kq), settings$group_codes,
                     if (plan$gap_cap) as.double(plan$guard$max_gap) else NA_real_,
                     as.integer(plan$m_all), settings$threads)
  out
}

# The classes raised to more than 20 times their size (NULL: none), for
# the warning: judged on what was made, not on what was asked.
many_raised <- function(made, counts, levels) {
  big <- which(made > 0 & counts + made > 20 * counts)
  if (length(big) > 0) levels[big]
}

class_info_fields <- c("seeds", "danger", "noise", "safe", "neighbors_used",
                       "wanted", "made", "shortfall")

# What class_setup() and the rounds read that is the same for every class
# of a call (worked out once, not once per class): the method, the
# rounding, and the guard's settings in force. `guard` is NULL for a class that is copied (a
# method that does not interpolate, a class of one row).
class_plan <- function(pred, settings, def, guard, n) {
  cons <- settings$constraints
  intrusion <- guard_intrusion_level(guard, def)
  list(def = def, guard = guard,
       rounding = rounding_plan(pred, cons),
       m_all = whole_search_m(def, settings, guard, n),
       intrusion = intrusion,
       check_intrusion = !is.null(guard) && is.finite(intrusion) && intrusion < 1,
       # the local intrusion search measures numeric (possibly incomplete)
       # predictors; nominal columns and Gower's distance take the exact one
       local = !is.null(guard) && guard$intrusion_search == "local" &&
         length(pred$nominal) == 0 && pred$distance == "euclidean",
       jitter = !is.null(guard) && guard$jitter > 0,
       gap_cap = !is.null(guard) && guard$max_gap < 1,
       report = guard_settings(guard, intrusion),
       rounds = if (is.null(guard) && is.null(cons)) 1L
                else if (is.null(guard)) 10L else guard$max_tries,
       # quota = "keep" applies to SMOTE's draw in turns without a seed rule
       keep_quota = !is.null(guard) && identical(guard$quota, "keep") &&
         is.null(def$seeds),
       # whether the method's own draw is SMOTE's (the rounds' C loop draws)
       turns = identical(def$draw, draw_in_turns),
       vote = if (identical(settings$nominal, "vote")) 1L else 0L)
}

# One class's preamble: `rows` are its data rows, G the rows wanted. Finds
# the neighbourhoods and pairs (class_pairs()), runs the method's seed rule
# and prepares the rounds that draw candidates until G pass the guard's
# checks or the rounds run out (rounds_input(), for src/rounds.c, which runs
# every class at once). `plan`: class_plan() for the class; `bounds`:
# class_bounds() of the class.
class_setup <- function(plan, pred, yi, cl, rows, G, settings, data,
                        bounds = NULL, nbhd = NULL) {
  p <- length(rows)
  def <- plan$def
  interpolating <- def$family == "interpolate" && p > 1
  notes <- if (p == 1 && def$family == "interpolate") list(single = TRUE) else list()
  # what the method's hooks read (see new_sampler_method()), made in one
  # list() call
  picked <- NULL
  if (!interpolating) {
    ctx <- list(settings = settings, pred = pred, rows = rows, yi = yi)
    pairs <- list(k = 0L, within = matrix(1L, p, 0), pairs_gap = 0, pairs_group = 0,
                  cap = NA_real_)
  } else {
    pairs <- class_pairs(plan, pred, yi, cl, rows, settings, nbhd)
    if (pairs$k < settings$neighbors) notes$small <- TRUE
    m_all <- plan$m_all
    w <- pairs$whole
    ctx <- list(settings = settings, pred = pred, rows = rows, yi = yi,
                within = pairs$within, whole = w, m_all = m_all,
                # whether each of a row's m nearest rows of the whole data
                # is of another class
                other = function(m) {
                  matrix(yi[w$index[, seq_len(min(m, m_all)), drop = FALSE]] != cl,
                         nrow = p)
                })
    if (!is.null(def$seeds)) {
      picked <- def$seeds(ctx)
      if (!is.null(picked$note)) notes[[picked$note]] <- TRUE
    }
  }
  # the draw: the method's, SMOTE's where the method could not apply its
  # rule, copies where there is nothing to interpolate
  own_draw <- interpolating && is.null(picked$note)
  # the seed rule's counts (none without a rule)
  seeds <- if (is.null(picked)) c(NA, NA, NA)
           else c(picked$danger %||% NA, picked$noise %||% NA, picked$safe %||% NA)
  list(input = rounds_input(plan, ctx, cl, pairs, picked, own_draw, interpolating, G,
                            bounds, data),
       interpolating = interpolating, def = def, plan = plan, G = G,
       known = pairs$known, notes = notes,
       # the class's numbers for its report and info (class_numbers)
       numbers = c(cl, G, pairs$k, seeds, pairs$pairs_gap, pairs$pairs_group, pairs$cap))
}

# An interpolating class's neighbourhoods: its rows' own-class pairs
# (`within`: the first k, NA where the guard's gap cap or the groups
# removed one; a row left with none is never a parent, the rounds count
# them), the gap cap and the pairs removed, each row's spacing (its nearest
# own-class distance), what sg_diagnose() would measure again (`known`),
# and the whole-data neighbourhoods (the method's and the guard's in one
# search).
class_pairs <- function(plan, pred, yi, cl, rows, settings, nbhd) {
  if (!is.null(nbhd)) return(nbhd)  # class_neighborhoods() found them
  ks <- own_search_k(settings, rows)
  k <- ks$k
  grp <- settings$group_codes
  nn <- knn_rows(pred, rows, ks$kq, threads = settings$threads, cls = cl)
  out <- list(k = k, spacing = nn$distance[, 1], pairs_gap = 0, pairs_group = 0, cap = Inf)
  # each real row's nearest and k-th distance in its class, kept for
  # sg_diagnose() (Euclidean distances on complete numeric rows only: what
  # it measures)
  if (!pred$mixed) out$known <- list(k = k, nearest = out$spacing, radius = nn$distance[, k])
  if (plan$gap_cap) out$cap <- gap_quantile(nn$distance[, seq_len(k)], plan$guard$max_gap)
  if (!is.null(grp) || is.finite(out$cap)) {
    pr <- .Call(ffi_guard_pairs, nn$index, nn$distance, as.integer(rows),
                grp, k, as.double(out$cap))
    out$within <- pr$index
    out$pairs_gap <- pr$removed_gap
    out$pairs_group <- pr$removed_group
  } else {
    out$within <- nn$index[, seq_len(k), drop = FALSE]
  }
  if (plan$m_all > 0) {
    out$whole <- knn_rows(pred, seq_along(yi), plan$m_all, query = rows,
                          threads = settings$threads, cls = cl)
  }
  out
}

# A class's input to the rounds (rounds_class(), for src/rounds.c): its
# rows and pairs, the method's seeds, the plan's numbers and flags, the
# bounds and combinations, and the hooks the loop calls back.
#
# The parents (sg_class_parents()): the method's seeds (NULL for every row)
# that the guard keeps (seed safety: a row with no own-class row among its
# m nearest rows of the data is noise, one with an own-class share below
# min_safety unsafe; the boundary methods keep unsafe rows) and that have a
# pair left. quota = "keep" (SMOTE: the draw in turns, no seed rule): every
# row of the class keeps the share of rows plain SMOTE gives it. A row that
# may not be a parent hands its share to its nearest own-class neighbour
# that may, which makes those rows towards it (the rows stay where the
# class is, not where it is safest), and a rejected candidate is drawn
# again from its own parent (another neighbour, another gap), so rejections
# do not move the rows towards the parents whose candidates pass. quota =
# "free": the rows still missing are drawn again from every parent, and a
# row that may not be a parent gives its share to all.
rounds_input <- function(plan, ctx, cl, pairs, picked, own_draw, interpolating, G,
                         bounds, data) {
  def <- plan$def
  guard <- plan$guard
  settings <- ctx$settings
  pred <- ctx$pred
  cons <- settings$constraints
  # SMOTE's draw (the rounds' C loop draws), or the method's own hook
  turns <- !own_draw || plan$turns
  draw_rows <- def$draw
  # the method's own maker (rows off the parent-neighbour segment)
  make_rows <- if (own_draw) def$make
  same_parent <- plan$keep_quota && turns
  safety <- interpolating && !is.null(guard)
  eligible <- picked$eligible
  rounds_class(
    cl, ctx$rows, pairs$within, G,
    eligible = if (!is.null(eligible)) as.logical(eligible), spacing = pairs$spacing,
    whole = if (safety) pairs$whole$index,
    jitter = if (plan$jitter) guard$jitter else 0,
    intrusion = if (plan$check_intrusion) plan$intrusion else NA_real_,
    rounds = plan$rounds,
    min_safety = if (safety) guard$min_safety else NA_real_,
    m = if (safety) min(settings$m_neighbors, plan$m_all) else NA_real_,
    constrained = !is.null(cons), interpolating = interpolating,
    stop_short = own_draw && def$stop_when_short, same_parent = same_parent,
    local = plan$local && is.null(make_rows), boundary = def$seeks_boundary,
    lower = bounds$lower, upper = bounds$upper,
    combos = if (!is.null(cons$combos)) combos_input(cons, pred, ctx$rows),
    draw = if (!turns) {
      function(at, within_at, need) draw_rows(ctx, at, within_at, need, picked$state)
    },
    make = if (!is.null(make_rows)) function(parent, draw) make_rows(ctx, parent, draw, picked$state),
    finish = if (!is.null(def$finish)) function(values) def$finish(values, ctx, bounds),
    rules = if (!is.null(cons$rules)) function(values, codes, parents) {
      rule_failures(values, codes, cons, pred, data, parents)
    },
    exact = if (plan$check_intrusion) function(values, codes, parents) {
      intrusion_exact(pred, values, codes, ctx$yi, cl, settings)
    })
}

# One class's (or bin's) input to the rounds, the list of 16 that
# sg_rounds_class_unpack() (src/rounds.c) reads, written here only: its
# code `cl`, data rows and pairs (`within`, data rows, NA where removed), the
# rows wanted; the seeds (NULL: every row), spacing and whole-data
# neighbours; the numbers (jitter 0: none; intrusion, min_safety, m NA:
# none); the flags; the bounds and combinations (NULL: none); and the hooks
# the loop calls back (NULL where the loop does the step itself).
rounds_class <- function(cl, rows, within, G, eligible = NULL, spacing = NULL,
                         whole = NULL, jitter = 0, intrusion = NA_real_, rounds = 1,
                         min_safety = NA_real_, m = NA_real_, constrained = FALSE,
                         interpolating = FALSE, stop_short = FALSE, same_parent = FALSE,
                         local = FALSE, boundary = FALSE, lower = NULL, upper = NULL,
                         combos = NULL, draw = NULL, make = NULL, finish = NULL,
                         rules = NULL, exact = NULL) {
  list(cl, as.integer(rows), within, eligible, spacing, whole,
       as.double(c(G, jitter, intrusion, rounds, min_safety, m)),
       as.integer(c(constrained, interpolating, stop_short, same_parent, local, boundary)),
       lower, upper, combos, draw, make, finish, rules, exact)
}

# A class's note when it falls short (`counts`: its column of
# rounds_run()'s counts).
class_shortfall <- function(setup, counts, made, settings) {
  need <- setup$G - made
  if (counts[["parents"]] == 0 && setup$G > 0) list(no_seeds = TRUE)
  else if (need > 0 && setup$def$stop_when_short && is.null(setup$plan$guard) &&
           is.null(settings$constraints)) list(short = TRUE)
  else if (need > 0) list(short_guard = TRUE)
}

# The provenance kind of a class's made rows (`gap`: their gaps): one for
# all of them, or one per row (rows_kind() repeats it).
class_kind <- function(setup, gap, settings) {
  def <- setup$def
  kind <- if (!setup$interpolating) {
    if (def$family == "copy") def$kind(settings) else "copy"
  } else def$kind(settings, gap)  # one kind, or one per row
  if (setup$interpolating && setup$plan$jitter) kind <- paste0(kind, "+jitter")
  kind
}

# The made rows' kinds: each class's (class_kind()) recycled to its
# `made` rows, in one rep.int() when every class has one kind.
rows_kind <- function(kinds, made) {
  if (length(kinds) == 0L) return(character(0))
  kind <- if (all(lengths(kinds) == 1L)) rep.int(unlist(kinds, use.names = FALSE), made)
          else unlist(.mapply(rep_len, list(kinds, made), NULL), use.names = FALSE)
  if (is.null(kind)) character(0) else kind
}

# What class_setup() keeps of each class for its report and info (its
# `numbers`, one row each of the matrix class_report() and class_info()
# read).
class_numbers <- c("cl", "G", "k", "danger", "noise", "safe", "pairs_gap", "pairs_group",
                   "cap")

# The guard's report, one row per class raised: its counters (`counts`:
# rounds_run()'s, one named row per counter and one column per class;
# `num`: the classes' numbers, one row per class_numbers), then the
# settings in force.
class_report <- function(setups, counts, num, parent, yi, classes, L) {
  if (length(setups) == 0) return(NULL)
  n <- length(yi)
  # parents are data rows of their class: the distinct ones counted by
  # class (tabulate() is cheaper than unique() on small data)
  used <- if (n <= 1e5) which(tabulate(parent, n) > 0L) else unique(parent)
  G <- as.integer(num["G", ])
  made <- as.integer(counts["made", ])
  cols <- list(class = classes, seeds = as.integer(counts["seeds", ]),
               parents_used = tabulate(yi[used], L)[num["cl", ]],
               unsafe = as.integer(counts["unsafe", ]), noise = as.integer(counts["noise", ]),
               isolated = as.integer(counts["isolated", ]),
               pairs_gap = as.double(num["pairs_gap", ]),
               pairs_group = as.double(num["pairs_group", ]),
               drawn = as.double(counts["drawn", ]),
               rejected_intrusion = as.double(counts["rejected_intrusion", ]),
               rejected_bound = as.double(counts["rejected_bound", ]),
               rejected_rule = as.double(counts["rejected_rule", ]),
               rejected_combo = as.double(counts["rejected_combo", ]),
               wanted = G, made = made, shortfall = G - made,
               max_gap_distance = as.double(num["cap", ]))
  new_frame(c(cols, stack_columns(lapply(lapply(setups, `[[`, "plan"), `[[`, "report"))))
}

# The classes' info (class_info_fields), one row per class raised.
class_info <- function(counts, num, classes) {
  if (length(classes) == 0) return(NULL)
  G <- as.integer(num["G", ])
  made <- as.integer(counts["made", ])
  cols <- list(classes, as.integer(counts["seeds", ]), as.integer(num["danger", ]),
               as.integer(num["noise", ]), as.integer(num["safe", ]), as.integer(num["k", ]),
               G, made, G - made)
  names(cols) <- c("class", class_info_fields)
  new_frame(cols)
}

# quantile(x, p, names = FALSE) (type 7) for one p in [0, 1], in one C
# call (ffi_guard_cap(): (1 - h) x[lo] + h x[hi] on the order statistics at
# the fractional index 1 + (n - 1) p; missing values refused, as by
# quantile()).
gap_quantile <- function(x, p) {
  if (!is.double(x)) storage.mode(x) <- "double"
  .Call(ffi_guard_cap, x, as.double(p))
}

# Integer columns (and those the constraints name) rounded, ordered ranks
# rounded into their levels. The plan is the same for every class: made
# once per call.
rounding_plan <- function(pred, cons) {
  whole <- pred$kind %in% c("integer", "ordered") | pred$names %in% cons$integer
  ordered <- which(pred$kind == "ordered")
  list(whole = whole, any = any(whole), ordered = ordered,
       top = lengths(pred$levels)[ordered])
}

# Noise made in R (SMOGN's noise rows, the smoothed bootstrap's copies: a
# method's finish hook) held to the bounds (NULL: none) and rounded as the
# plan says (NULL: not rounded), by the rounds' own C steps.
hold_round <- function(values, bounds = NULL, rounding = NULL) {
  ord <- rounding$ordered
  .Call(ffi_hold_round, values, bounds$lower, bounds$upper,
        if (isTRUE(rounding$any)) which(rounding$whole),
        if (length(ord)) as.integer(ord), if (length(ord)) as.integer(rounding$top))
}

# One warning per kind of note, naming its classes; a shortfall gives each
# class's numbers from the guard's report (`counts`: the class sizes).
class_warnings <- function(notes, settings, call, report = NULL, counts = NULL) {
  msgs <- c(
    small = "Class(es) %s have no more than `neighbors` = %d rows; each row was paired with all the other rows of its class.",
    single = "Class(es) %s have a single row, which was copied, not interpolated.",
    no_danger = "Class(es) %s have no danger rows (none near the class boundary); plain SMOTE was used.",
    adasyn_flat = "Class(es) %s have no rows of other classes among any row's neighbours; ADASYN has nothing to weight, plain SMOTE was used.",
    many = "Class(es) %s were raised to more than 20 times their size: few real rows stand behind many synthetic ones."
  )
  out <- character(0)
  for (nm in names(notes)) {
    cls <- paste0("`", notes[[nm]], "`", collapse = ", ")
    msg <- if (nm %in% c("short", "short_guard", "no_seeds"))
             shortfall_lines(nm, notes[[nm]], report, counts, settings)
           else if (nm == "small") sprintf(msgs[[nm]], cls, settings$neighbors)
           else sprintf(msgs[[nm]], cls)
    msg <- paste(msg, collapse = "\n")
    out <- c(out, msg)
    sg_warn(msg, class = c(small = "small_class", single = "single_row",
                           no_danger = "fallback", adasyn_flat = "fallback",
                           short = "shortfall", short_guard = "shortfall",
                           no_seeds = "shortfall", many = "many")[[nm]],
            call = call)
  }
  out
}
