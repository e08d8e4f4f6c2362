# The generation pipeline, the one fixed pipeline for every class:
# neighbourhoods -> seeds -> guard -> rounds of draw -> make -> round /
# constraints / intrusion. generate() runs the classes' preamble in R
# (classes_setup(): neighbourhoods, pairs and the gap cap, the method's seed
# rule, for every class at once but a class's own search and the method's
# hooks), then the parents (the guard's seed safety, the quota's handover)
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

# Run the method: the classes' preamble (classes_setup()), then every
# class's rounds in one C call (src/rounds.c), which writes the stacked
# rows; the classes' reports from what it made.
generate <- function(pred, yf, n_new, settings, data, call) {
  # the guard and the constraints as plain lists, for the pipeline's
  # reads of their fields (`$` on a classed list first looks for a `$`
  # method); the record keeps the caller's settings
  if (!is.null(settings$guard)) settings$guard <- unclass(settings$guard)
  if (!is.null(settings$constraints)) settings$constraints <- unclass(settings$constraints)
  levels <- attr(yf, "levels")  # (levels() dispatches)
  yi <- as.integer(yf)
  n <- length(yi)
  L <- length(levels)
  done <- which(n_new > 0)
  class_rows <- split_rows(yi, L)
  counts <- lengths(class_rows, use.names = FALSE)  # tabulate(yi, L)
  def <- sampler_method(settings$method)
  interpolate <- def$family == "interpolate"
  plan <- class_plan(pred, settings, def, if (interpolate) settings$guard, n)
  nbhd <- class_neighborhoods(pred, yi, class_rows, done, settings, plan)
  # each row's position in its class (the local intrusion check's index)
  pos <- integer(n)
  pos[unlist(class_rows, use.names = FALSE)] <- sequence(counts)
  setup <- classes_setup(plan, pred, yi, done, class_rows[done], as.integer(n_new)[done],
                         settings, data, nbhd[done])
  made <- rounds_run(pred, yi, pos, plan, settings, setup$input)
  finish_classes(setup, made, yi, done, levels, counts, settings, call)
}

# Every class's rounds in one C call (src/rounds.c): the call's shared
# inputs, and per class what classes_setup() prepared. Returns the stacked
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
# (`made`: rounds_run()'s answer; `setup`: classes_setup()'s).
finish_classes <- function(setup, made, yi, done, levels, counts, settings, call) {
  rows <- made$rows
  ct <- made$counts
  n_made <- ct$made
  classes <- levels[done]
  notes <- setup$notes
  G <- setup$G
  # a class made in full from some parents has no shortfall to note
  for (i in which(n_made < G | ct$parents == 0L)) {
    short <- class_shortfall(setup, i, ct$parents[i], n_made[i], settings)
    if (!is.null(short)) notes[3L, i] <- short
  }
  notes <- class_notes(notes, classes)
  made_all <- integer(length(levels))
  made_all[done] <- n_made
  # warn on what was made, not on what was asked
  notes$many <- many_raised(made_all, counts, levels)
  report <- class_report(setup, ct, classes)
  # (no notes, the usual case: no warning to assemble)
  warnings <- if (length(notes) > 0L) {
    class_warnings(notes, settings, call, report, `names<-`(counts, levels))
  } else character(0)
  known <- setup$known
  names(known) <- classes
  known <- known[lengths(known) > 0L]  # (a class's known is a list of 3, or NULL)
  list(class = rows$class, parent = rows$parent, neighbor = rows$neighbor,
       gap = rows$gap, kind = made_kinds(setup, rows$gap, n_made, settings),
       values = rows$values, codes = rows$codes,
       info = class_info(setup, ct, classes), report = report,
       warnings = warnings, known = if (length(known) > 0L) known)
}

# The classes' notes (`notes`: a character matrix, one column per class,
# NA for none; a class's notes in its column's order) as a list, one
# element per kind of note in the order first met, naming its classes.
class_notes <- function(notes, classes) {
  at <- which(!is.na(notes))
  if (length(at) == 0L) return(list())
  cls <- (at - 1L) %/% nrow(notes) + 1L
  kind <- notes[at]
  once <- !duplicated(paste(cls, kind))  # a class named once per kind
  kind <- kind[once]
  split(classes[cls[once]], factor(kind, levels = unique(kind)))
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

# The neighbourhoods classes_setup() reads, for every class to raise at
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
  k <- p[todo] - 1L
  k[k > settings$neighbors] <- settings$neighbors  # (pmin() costs more)
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

# What classes_setup() and the rounds read that is the same for every class
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
       keep_quota = !is.null(guard) && isTRUE(guard$quota == "keep") &&
         is.null(def$seeds),
       # whether the method's own draw is SMOTE's (the rounds' C loop draws)
       turns = identical(def$draw, draw_in_turns),
       vote = if (isTRUE(settings$nominal == "vote")) 1L else 0L)
}

# The classes' preamble (`rows`: each class's data rows; `G`: the rows each
# wants; `nbhd`: class_neighborhoods() of each, NULL where a class searches
# itself): the neighbourhoods and pairs (class_pairs()), the method's seed
# rule and hooks (class_hooks()), and the rounds' inputs of every class
# (rounds_input()), which draw candidates until G pass the guard's checks
# or the rounds run out. What is the same for every class is worked out
# once, for all of them; R runs class by class only a class's own search
# and a method's hooks. `plan`: class_plan() of the call.
classes_setup <- function(plan, pred, yi, done, rows, G, settings, data, nbhd) {
  def <- plan$def
  nc <- length(done)
  p <- lengths(rows)
  interpolate <- def$family == "interpolate"
  interpolating <- interpolate & p > 1L
  # a class of one row of an interpolating method is copied, as the plan
  # without a guard says
  single <- interpolate & p == 1L
  copy_plan <- if (any(single)) class_plan(pred, settings, def, NULL, length(yi))
  pairs <- nbhd
  if (!all(interpolating)) pairs[!interpolating] <- lapply(p[!interpolating], copy_pairs)
  # notes per class: a single row or too few rows, the seed rule's, and
  # (finish_classes()) a shortfall
  notes <- rep.int(NA_character_, 3L * nc)
  dim(notes) <- c(3L, nc)  # (matrix() costs more)
  notes[1L, single] <- "single"
  bounds <- bounds_matrices(settings$constraints, pred, rows)
  picked <- hooks <- vector("list", nc)
  # what the method's hooks read (see new_sampler_method())
  contexts <- !is.null(def$seeds) || !plan$turns || !is.null(def$make) ||
    !is.null(def$finish)
  for (i in which((interpolating & lengths(pairs) == 0L) | contexts)) {
    cl <- done[i]
    if (interpolating[i] && is.null(pairs[[i]])) {
      pairs[[i]] <- class_pairs(plan, pred, yi, cl, rows[[i]], settings, NULL)
    }
    if (!contexts) next
    ctx <- class_context(plan, pred, yi, cl, rows[[i]], pairs[[i]], settings,
                         interpolating[i])
    if (interpolating[i] && !is.null(def$seeds)) {
      picked[i] <- list(def$seeds(ctx))
      if (!is.null(picked[[i]]$note)) notes[2L, i] <- picked[[i]]$note
    }
    hooks[[i]] <- class_hooks(plan, ctx, picked[[i]],
                              if (!is.null(bounds)) {
                                list(lower = bounds$lower[, i], upper = bounds$upper[, i])
                              },
                              interpolating[i] && is.null(picked[[i]]$note))
  }
  # the pairs' numbers for the report and info: k, pairs_gap, pairs_group, cap
  num <- as.double(unlist(lapply(pairs, `[`, c("k", "pairs_gap", "pairs_group", "cap")),
                          use.names = FALSE))
  dim(num) <- c(4L, nc)
  k <- num[1L, ]
  notes[1L, interpolating & k < settings$neighbors] <- "small"
  # the draw: the method's, SMOTE's where the method could not apply its
  # rule, copies where there is nothing to interpolate
  own_draw <- interpolating & is.na(notes[2L, ])
  # the seed rule's counts (none without a rule)
  seeds <- rep.int(NA_real_, 3L * nc)
  dim(seeds) <- c(3L, nc)
  if (!is.null(def$seeds)) {
    for (i in which(lengths(picked) > 0L)) {
      seeds[, i] <- c(picked[[i]]$danger %||% NA, picked[[i]]$noise %||% NA,
                      picked[[i]]$safe %||% NA)
    }
  }
  list(input = rounds_input(plan, copy_plan, pred, yi, done, rows, G, settings, data, pairs, picked,
                            if (contexts) hooks, bounds, interpolating, single, own_draw),
       cl = done, interpolating = interpolating, def = def, plan = plan, single = single,
       copy_report = copy_plan$report, guarded = !is.null(plan$guard) & !single, G = G,
       k = k, known = lapply(pairs, `[[`, "known"), notes = notes,
       danger = seeds[1L, ], noise = seeds[2L, ], safe = seeds[3L, ],
       pairs_gap = num[2L, ], pairs_group = num[3L, ], cap = num[4L, ])
}

# The pairs of a class that is copied (a method that does not
# interpolate, a class of one row): none.
copy_pairs <- function(p) {
  list(k = 0L, within = matrix(1L, p, 0), pairs_gap = 0, pairs_group = 0, cap = NA_real_)
}

# What a method's hooks read of a class (see new_sampler_method()): the
# settings, predictors, the class's rows and every row's class code, and
# for an interpolating class its pairs and whole-data neighbourhoods.
class_context <- function(plan, pred, yi, cl, rows, pairs, settings, interpolating) {
  if (!interpolating) return(list(settings = settings, pred = pred, rows = rows, yi = yi))
  force(cl)  # the closure below runs after the caller's loop moved on
  p <- length(rows)
  m_all <- plan$m_all
  w <- pairs$whole
  list(settings = settings, pred = pred, rows = rows, yi = yi,
       within = pairs$within, whole = w, m_all = m_all,
       # whether each of a row's m nearest rows of the whole data is of
       # another class
       other = function(m) {
         matrix(yi[w$index[, seq_len(min(m, m_all)), drop = FALSE]] != cl, nrow = p)
       })
}

# A class's hooks for the rounds' loop to call back (NULL where the loop
# does the step itself): the method's own draw (where it is not SMOTE's),
# its maker (rows off the parent-neighbour segment) and its finish.
# `own_draw`: whether the method's rule applies to the class.
class_hooks <- function(plan, ctx, picked, bounds, own_draw) {
  # the hooks run after the caller's loop moved on: their values now
  force(ctx)
  force(picked)
  force(bounds)
  def <- plan$def
  draw_rows <- def$draw
  make_rows <- if (own_draw) def$make
  list(draw = if (own_draw && !plan$turns) {
         function(at, within_at, need) draw_rows(ctx, at, within_at, need, picked$state)
       },
       make = if (!is.null(make_rows)) {
         function(parent, draw) make_rows(ctx, parent, draw, picked$state)
       },
       finish = if (!is.null(def$finish)) function(values) def$finish(values, ctx, bounds))
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

# The classes' inputs to the rounds (rounds_classes(), for src/rounds.c):
# their rows and pairs, the method's seeds, the plan's numbers and flags
# (`copy_plan`: the plan of the classes of one row, `single`), the bounds
# and combinations, and the hooks the loop calls back.
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
rounds_input <- function(plan, copy_plan, pred, yi, done, rows, G, settings, data, pairs,
                         picked, hooks, bounds, interpolating, single, own_draw) {
  def <- plan$def
  guard <- plan$guard
  cons <- settings$constraints
  nc <- length(done)
  by_plan <- plan_rounds(plan)
  if (any(single)) {
    # the classes of one row take the copy plan's
    by_copy <- plan_rounds(copy_plan)
    for (nm in names(by_plan)) {
      by_plan[[nm]] <- rep_len(by_plan[[nm]], nc)
      by_plan[[nm]][single] <- by_copy[[nm]]
    }
  }
  # SMOTE's draw (the rounds' C loop draws), or the method's own hook
  turns <- !own_draw | plan$turns
  # the method's own maker (rows off the parent-neighbour segment)
  make <- own_draw & !is.null(def$make)
  # the guard's seed safety
  safety <- interpolating & !is.null(guard)
  whole <- NULL
  min_safety <- m <- NA_real_  # (one value: the same for every class)
  if (any(safety)) {
    whole <- lapply(lapply(pairs, `[[`, "whole"), `[[`, "index")
    min_safety <- guard$min_safety
    m <- min(settings$m_neighbors, plan$m_all)
    if (!all(safety)) {
      whole[!safety] <- list(NULL)
      min_safety <- ifelse(safety, min_safety, NA_real_)
      m <- ifelse(safety, m, NA_real_)
    }
  }
  check <- rep_len(by_plan$check, nc)
  exact <- NULL
  if (any(check)) {
    exact <- lapply(done, intrusion_hook, pred = pred, yi = yi, settings = settings)
    exact[!check] <- list(NULL)
  }
  eligible <- NULL
  if (!is.null(def$seeds)) {
    eligible <- lapply(picked, function(pk) if (!is.null(pk$eligible)) as.logical(pk$eligible))
  }
  rounds_classes(
    done, rows, lapply(pairs, `[[`, "within"), G,
    eligible = eligible, spacing = lapply(pairs, `[[`, "spacing"), whole = whole,
    jitter = by_plan$jitter, intrusion = by_plan$intrusion, rounds = by_plan$rounds,
    min_safety = min_safety, m = m,
    constrained = !is.null(cons), interpolating = interpolating,
    stop_short = own_draw & def$stop_when_short, same_parent = by_plan$keep_quota & turns,
    local = by_plan$local & !make, boundary = def$seeks_boundary,
    lower = bounds$lower, upper = bounds$upper,
    combos = if (!is.null(cons$combos)) lapply(rows, combos_input, cons = cons, pred = pred),
    draw = if (!is.null(hooks)) lapply(hooks, `[[`, "draw"),
    make = if (!is.null(hooks)) lapply(hooks, `[[`, "make"),
    finish = if (!is.null(hooks)) lapply(hooks, `[[`, "finish"),
    rules = if (!is.null(cons$rules)) rep.int(list(function(values, codes, parents) {
      rule_failures(values, codes, cons, pred, data, parents)
    }), nc),
    exact = exact)
}

# What the rounds read of a plan (class_plan()), the same for each class it
# applies to: the jitter, the intrusion level (NA: no check), the rounds,
# and the quota's and the local check's flags.
plan_rounds <- function(plan) {
  list(jitter = if (plan$jitter) plan$guard$jitter else 0,
       intrusion = if (plan$check_intrusion) plan$intrusion else NA_real_,
       rounds = plan$rounds, keep_quota = plan$keep_quota, local = plan$local,
       check = plan$check_intrusion)
}

# The exact intrusion search of class `cl`'s candidates, as the rounds call
# it back.
intrusion_hook <- function(cl, pred, yi, settings) {
  force(cl)
  function(values, codes, parents) intrusion_exact(pred, values, codes, yi, cl, settings)
}

# Every class's (or bin's) input to the rounds, the list of 16 columns
# that sg_rounds_class_unpack() (src/rounds.c) reads, written here only:
# each class's code `cl`, data rows (integer) and pairs (`within`, data
# rows, NA where removed), the rows wanted; the seeds (NULL: every row),
# spacing and whole-data neighbours; the numbers (jitter 0: none;
# intrusion, min_safety, m NA: none); the flags; the bounds (`lower`,
# `upper`: one column per class) and combinations (NULL: none); and the
# hooks the loop calls back (NULL where the loop does the step itself).
# One value per class in each argument: a vector for the numbers and flags
# (recycled), a list for the rest (NULL: none for every class).
rounds_classes <- function(cl, rows, within, G, eligible = NULL, spacing = NULL,
                           whole = NULL, jitter = 0, intrusion = NA_real_, rounds = 1,
                           min_safety = NA_real_, m = NA_real_, constrained = FALSE,
                           interpolating = FALSE, stop_short = FALSE, same_parent = FALSE,
                           local = FALSE, boundary = FALSE, lower = NULL, upper = NULL,
                           combos = NULL, draw = NULL, make = NULL, finish = NULL,
                           rules = NULL, exact = NULL) {
  list(as.integer(cl), rows, within, eligible, spacing, whole,
       list(G, jitter, intrusion, rounds, min_safety, m),
       list(constrained, interpolating, stop_short, same_parent, local, boundary),
       lower, upper, combos, draw, make, finish, rules, exact)
}

# Several rounds_classes() answers, each giving the same columns, as one
# (their numbers and flags given one per class).
rounds_stack <- function(inputs) {
  if (length(inputs) == 0L) return(rounds_classes(integer(0), list(), list(), integer(0)))
  cols <- .mapply(c, inputs, NULL)
  for (j in 7:8) cols[[j]] <- .mapply(c, lapply(inputs, `[[`, j), NULL)
  cols
}

# The note of class i when it falls short (`parents`: how many rows it
# could draw from, `made`: the rows made), or NULL.
class_shortfall <- function(setup, i, parents, made, settings) {
  G <- setup$G[i]
  need <- G - made
  if (parents == 0 && G > 0) "no_seeds"
  else if (need > 0 && setup$def$stop_when_short && !setup$guarded[i] &&
           is.null(settings$constraints)) "short"
  else if (need > 0) "short_guard"
}

# The made rows' provenance kinds, one per row (`gap`: the stacked rows'
# gaps; `made`: each class's count). When every class interpolates, the
# method's kind reads the gaps of all the rows at once (a kind is one, or
# one per row by its gap, which interp_kind() holds it to: the same as
# class by class); otherwise class by class.
made_kinds <- function(setup, gap, made, settings) {
  if (length(gap) > 0L && all(setup$interpolating)) {
    kind <- interp_kind(setup, settings, gap)
    return(if (length(kind) == 1L) rep.int(kind, length(gap)) else kind)
  }
  rows_kind(class_kinds(setup, gap, made, settings), made)
}

# The kind of interpolated rows with these gaps: the method's kind (one,
# or one per row), "+jitter" added when the plan adds noise.
interp_kind <- function(setup, settings, gap) {
  kind <- setup$def$kind(settings, gap)
  if (length(kind) != 1L && length(kind) != length(gap)) {
    sg_abort(sprintf("internal: the kind of method \"%s\" gave %d values for %d rows.",
                     setup$def$name, length(kind), length(gap)), class = "internal")
  }
  if (setup$plan$jitter) paste0(kind, "+jitter") else kind
}

# The provenance kinds of the classes' made rows (`gap`: the stacked
# rows' gaps; `made`: each class's count), one per class or one per row
# (rows_kind() repeats them).
class_kinds <- function(setup, gap, made, settings) {
  def <- setup$def
  interpolating <- setup$interpolating
  kinds <- vector("list", length(made))
  if (!all(interpolating)) {
    kinds[!interpolating] <- list(if (def$family == "copy") def$kind(settings) else "copy")
  }
  end <- cumsum(made)
  for (i in which(interpolating)) {
    # the gaps a promise: only a kind of one per row reads them
    kinds[[i]] <- interp_kind(setup, settings,
                              gap[seq.int(end[i] - made[i] + 1L, length.out = made[i])])
  }
  kinds
}

# The made rows' kinds: each class's (class_kinds()) recycled to its
# `made` rows, in one rep.int() when every class has one kind.
rows_kind <- function(kinds, made) {
  if (length(kinds) == 0L) return(character(0))
  kind <- if (all(lengths(kinds) == 1L)) rep.int(unlist(kinds, use.names = FALSE), made)
          else unlist(.mapply(rep_len, list(kinds, made), NULL), use.names = FALSE)
  if (is.null(kind)) character(0) else kind
}

# The guard's report, one row per class raised: its counters (`counts`:
# rounds_run()'s, one vector per counter, one element per class; the rest
# from classes_setup()), then the settings in force.
class_report <- function(setup, counts, classes) {
  if (length(classes) == 0) return(NULL)
  G <- setup$G
  made <- counts$made
  cols <- c(list(class = classes),
            counts[c("seeds", "parents_used", "unsafe", "noise", "isolated")],
            list(pairs_gap = setup$pairs_gap, pairs_group = setup$pairs_group),
            counts[c("drawn", "rejected_intrusion", "rejected_bound", "rejected_rule",
                     "rejected_combo")],
            list(wanted = G, made = made, shortfall = G - made,
                 max_gap_distance = setup$cap))
  # the settings in force: the plan's, the copy plan's for a class of one row
  report <- setup$plan$report
  settings <- if (!any(setup$single)) lapply(report, rep, times = length(classes)) else {
    reports <- rep.int(list(report), length(classes))
    reports[setup$single] <- list(setup$copy_report)
    stack_columns(reports)
  }
  new_frame(c(cols, settings))
}

# The classes' info (class_info_fields), one row per class raised.
class_info <- function(setup, counts, classes) {
  if (length(classes) == 0) return(NULL)
  G <- setup$G
  made <- counts$made
  cols <- list(classes, counts$seeds, as.integer(setup$danger), as.integer(setup$noise),
               as.integer(setup$safe), as.integer(setup$k), G, made, G - made)
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
  kind <- pred$kind
  names(kind) <- NULL  # (unname() costs more)
  is_ordered <- kind == "ordered"
  # (%in% only where the constraints name columns: it costs more than ==)
  whole <- kind == "integer" | is_ordered
  if (length(cons$integer) > 0L) whole <- whole | pred$names %in% cons$integer
  ordered <- which(is_ordered)
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
