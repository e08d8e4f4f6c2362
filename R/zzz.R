# recipes, and the generics it uses, are suggested, not imported: the
# methods of the recipes steps are registered when (and if) those packages
# are loaded, so smoteguard installs and loads without them.
.onLoad <- function(libname, pkgname) {
  for (cls in c("step_smoteguard", "step_smoteguard_clean")) {
    s3_register("recipes::prep", cls)
    s3_register("recipes::bake", cls)
    s3_register("generics::tidy", cls)
    s3_register("generics::tunable", cls)
    s3_register("generics::required_pkgs", cls)
  }
  # autoplot() of a diagnosis and an evaluation, for ggplot2's generic (ggplot2 is suggested)
  s3_register("ggplot2::autoplot", "sg_diagnosis")
  s3_register("ggplot2::autoplot", "sg_evaluation")
  s3_register("ggplot2::autoplot", "sg_evaluation_ovr")
  threads_from_env()
  invisible()
}

# Register the method `<generic>.<class>` of this package for the generic
# "package::generic": now, if that package is loaded, and each time it is
# loaded later. The method is looked up when the hook runs, so a hook left
# from an earlier load of smoteguard registers the current method.
s3_register <- function(generic, class) {
  parts <- strsplit(generic, "::", fixed = TRUE)[[1]]
  stopifnot(length(parts) == 2)
  package <- parts[[1]]
  name <- parts[[2]]
  method_name <- paste0(name, ".", class)
  register <- function(...) {
    if (!isNamespaceLoaded("smoteguard")) return(invisible())
    method <- get(method_name, envir = asNamespace("smoteguard"), inherits = FALSE)
    registerS3method(name, class, method, envir = asNamespace(package))
  }
  setHook(packageEvent(package, "onLoad"), register)
  if (isNamespaceLoaded(package)) register()
  invisible()
}
