# Every condition class the package signals is listed in condition_classes
# (R/conditions.R), and the help page ?smoteguard-conditions, written from
# that list, documents each one.

# The literal classes given to sg_abort() / sg_warn() in the expressions
# (function bodies, nested functions), as "error <class>" / "warning <class>".
signalled_classes <- function(x) {
  found <- character(0)
  walk <- function(e) {
    if (is.function(e)) {
      if (!is.primitive(e)) walk(body(e))
      return()
    }
    if (!is.call(e)) return()
    head <- e[[1]]
    if (is.symbol(head) && as.character(head) %in% c("sg_abort", "sg_warn")) {
      kind <- if (as.character(head) == "sg_abort") "error" else "warning"
      args <- as.list(e)[-1]
      nm <- if (is.null(names(args))) rep("", length(args)) else names(args)
      cls <- if ("class" %in% nm) args[["class"]]
             else if (length(args) >= 2 && nm[2] == "") args[[2]]
             else if (kind == "error") "input" else "warning"
      lits <- character(0)
      grab <- function(v) {
        if (is.character(v)) lits <<- c(lits, v)
        else if (is.call(v)) for (a in as.list(v)[-1]) grab(a)
      }
      grab(cls)
      if (length(lits) > 0) found <<- c(found, paste(kind, lits))
    }
    for (a in as.list(e)) if (!missing(a)) walk(a)
  }
  walk(x)
  found
}

# every function of the namespace, and those held in its lists and
# environments (the registry's method hooks)
namespace_functions <- function(ns) {
  out <- list()
  seen <- new.env()
  visit <- function(x, depth) {
    if (is.function(x)) {
      out[[length(out) + 1]] <<- x
    } else if (is.environment(x) && depth < 4) {
      id <- format(x)
      if (!is.null(seen[[id]]) || identical(x, globalenv()) || identical(x, baseenv())) return()
      seen[[id]] <- TRUE
      for (nm in ls(x, all.names = TRUE)) visit(get(nm, envir = x), depth + 1)
    } else if (is.list(x) && depth < 6) {
      for (el in x) visit(el, depth + 1)
    }
  }
  for (nm in ls(ns, all.names = TRUE)) visit(get(nm, envir = ns), 0)
  out
}

test_that("every class signalled in the package's code is listed", {
  ns <- asNamespace("smoteguard")
  listed <- smoteguard:::condition_classes
  known <- c(paste("error", names(listed$error)), paste("warning", names(listed$warning)))
  found <- unique(unlist(lapply(namespace_functions(ns), signalled_classes)))
  # the walk does reach the package's signals
  expect_true(all(c("error input", "error internal", "warning many",
                    "warning shortfall", "error no_cluster") %in% found))
  expect_identical(setdiff(found, known), character(0))
})

test_that("the help page documents every listed class", {
  rd <- tools::Rd_db("smoteguard")
  page <- rd[[grep("^smoteguard-conditions\\.Rd$", names(rd))]]
  expect_false(is.null(page))
  text <- paste(capture.output(tools::Rd2txt(page, options = list(underline_titles = FALSE))),
                collapse = " ")
  text <- gsub("\\s+", " ", text)
  listed <- smoteguard:::condition_classes
  for (kind in names(listed)) {
    for (cls in names(listed[[kind]])) {
      expect_true(grepl(paste0("smoteguard_", kind, "_", cls), text, fixed = TRUE),
                  label = paste0("smoteguard_", kind, "_", cls, " on the help page"))
    }
  }
  # and each with its meaning
  expect_true(grepl("more than 20 times its size", text, fixed = TRUE))
})

test_that("an unlisted class is an internal error", {
  expect_error(smoteguard:::sg_abort("boom", class = "no_such_class"),
               class = "smoteguard_error_internal")
  expect_error(smoteguard:::sg_warn("boom", class = "no_such_class"),
               class = "smoteguard_error_internal")
  expect_error(smoteguard:::sg_abort("boom", class = c("outcome_type", "input")),
               class = "smoteguard_error_outcome_type")
  expect_warning(smoteguard:::sg_warn("hm", class = "many"), class = "smoteguard_warning_many")
})
