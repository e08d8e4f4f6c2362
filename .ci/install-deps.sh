#!/usr/bin/env bash
# Install what smoteguard needs to build, test and check, if it is missing.
#
#   bash .ci/install-deps.sh           # R packages + pandoc + qpdf, and the
#                                      # outside references the tests compare
#                                      # against: python3-imblearn (with
#                                      # python3-sklearn) and chromium
#   bash .ci/install-deps.sh --bench   # ... plus OpenBLAS
#                                      # (libopenblas0-pthread) for the benchmarks
#   bash .ci/install-deps.sh --demo    # only what building the package with
#                                      # its vignettes needs (knitr,
#                                      # rmarkdown, pandoc): what `make
#                                      # install` and `make demo` use; no
#                                      # qpdf, test packages or references
#
# Idempotent: when everything is present it prints one line and exits 0.
# OpenBLAS (--bench) is for the imbalanced-learn timings only: installing it
# makes Debian switch the system-wide libblas.so.3/liblapack.so.3 alternatives
# (R's BLAS too), so this script sets them back to what they were; bench/run.R
# gives OpenBLAS to python alone through LD_LIBRARY_PATH.
# As root (with apt-get) missing R packages come from Debian (r-cran-*),
# anything still missing (or everything, for a non-root user) from CRAN into
# the user library R_LIBS_USER.  A missing required package is an error
# (exit 1); a missing optional one is a warning line.
#
# Environment overrides (mainly for testing this script):
#   SMOTEGUARD_DEPS_REQUIRED, SMOTEGUARD_DEPS_OPTIONAL  space-separated lists
#   SMOTEGUARD_NO_APT=1        never use apt-get, even as root
#   CRAN_REPO                  default https://cloud.r-project.org
#   RSCRIPT                    default Rscript
#   PYTHON                     python for the --bench check; default
#                              /usr/bin/python3 (Debian's python3-imblearn
#                              is importable only there, not in pyenv etc.)
set -euo pipefail

bench=0
demo=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    --demo) demo=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$demo" = 1 ]; then
  # building the vignettes needs these; the demo itself only base R
  read -r -a required <<< "${SMOTEGUARD_DEPS_REQUIRED-knitr rmarkdown jsonlite filelock}"
  read -r -a optional <<< "${SMOTEGUARD_DEPS_OPTIONAL-}"
else
  read -r -a required <<< "${SMOTEGUARD_DEPS_REQUIRED-knitr rmarkdown testthat withr jsonlite filelock}"
  read -r -a optional <<< "${SMOTEGUARD_DEPS_OPTIONAL-themis RANN FNN ROSE recipes caret ggplot2 roxygen2 future progressr e1071 glmnet ranger rsample hardhat pROC mlbench tibble rlang dials workflows parsnip yardstick callr}"
fi
RSCRIPT=${RSCRIPT:-Rscript}
if [ -z "${PYTHON:-}" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
CRAN_REPO=${CRAN_REPO:-https://cloud.r-project.org}
export TZ=${TZ:-UTC}   # avoids R's noisy timedatectl warning in containers
export DEBIAN_FRONTEND=noninteractive
log="${TMPDIR:-/tmp}/smoteguard-install-deps.log"

say() { echo "install-deps: $*"; }

if ! command -v "$RSCRIPT" >/dev/null 2>&1; then
  say "ERROR: '$RSCRIPT' not found; install R first (Debian: apt-get install r-base-dev)" >&2
  exit 1
fi

# Print (one per line) the packages among "$@" that cannot be loaded.
missing_r_pkgs() {
  [ "$#" -eq 0 ] && return 0
  "$RSCRIPT" --no-init-file -e '
    p <- commandArgs(TRUE)
    ok <- vapply(p, function(x) isTRUE(tryCatch(
      suppressWarnings(suppressMessages(requireNamespace(x, quietly = TRUE))),
      error = function(e) FALSE)), logical(1))
    if (any(!ok)) writeLines(p[!ok])' "$@" 2>>"$log"
}

# Set the global array `missing` to the packages among "$@" that cannot be
# loaded; fail loudly if R itself cannot be run.
set_missing() {
  local out
  if ! out=$(missing_r_pkgs "$@"); then
    say "ERROR: running $RSCRIPT failed (see $log)" >&2
    exit 1
  fi
  missing=()
  [ -n "$out" ] && mapfile -t missing <<< "$out"
  return 0
}

contains() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

use_apt=0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${SMOTEGUARD_NO_APT:-0}" != 1 ]; then
  use_apt=1
fi

apt_updated=0
apt_update() {
  [ "$apt_updated" = 1 ] && return 0
  say "apt-get update (log: $log)"
  apt-get update >>"$log" 2>&1 || say "warning: apt-get update failed"
  apt_updated=1
}
apt_lists_present() { compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }
# Is the Debian package known to apt?
apt_known() { apt-cache show "$1" >/dev/null 2>&1; }
# Install the given Debian packages; on failure refresh the lists once and
# retry, then fall back to one at a time so one bad package blocks no other.
apt_install() {
  [ "$#" -eq 0 ] && return 0
  say "apt-get install $*"
  local cmd=(apt-get install -y --no-install-recommends)
  if "${cmd[@]}" "$@" >>"$log" 2>&1; then return 0; fi
  apt_update
  if "${cmd[@]}" "$@" >>"$log" 2>&1; then return 0; fi
  local p rc=0
  for p in "$@"; do
    "${cmd[@]}" "$p" >>"$log" 2>&1 || { say "warning: apt-get could not install $p"; rc=1; }
  done
  return "$rc"
}

: >"$log" 2>/dev/null || log=/dev/null

all=("${required[@]}" "${optional[@]}")
set_missing "${all[@]}"

# System tools: command, Debian package, what needs it.
sys_tools=(
  "pandoc|pandoc|building the vignettes (rmarkdown)"
)
[ "$demo" = 1 ] || sys_tools+=("qpdf|qpdf|R CMD check --as-cran (else a WARNING)")
sys_missing=()
for t in "${sys_tools[@]}"; do
  command -v "${t%%|*}" >/dev/null 2>&1 || sys_missing+=("$t")
done
# imbalanced-learn is a reference of the tests (not only of the benchmarks):
# under CI=true its comparisons fail rather than skip when it is missing.
need_imblearn=0
if [ "$demo" = 0 ] && ! "$PYTHON" -c 'import imblearn, sklearn' >/dev/null 2>&1; then
  need_imblearn=1
fi
# Headless Chromium opens the HTML reports in the tests; root installs it.
need_chromium=0
if [ "$demo" = 0 ] && ! command -v chromium >/dev/null 2>&1; then
  need_chromium=1
fi
# OpenBLAS for the python benchmarks (bench/run.R looks for it here).
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
openblas_dir=/usr/lib/$multiarch/openblas-pthread
need_openblas=0
if [ "$bench" = 1 ] && [ ! -e "$openblas_dir/libblas.so.3" ]; then
  need_openblas=1
fi

if [ "${#missing[@]}" -eq 0 ] && [ "${#sys_missing[@]}" -eq 0 ] && [ "$need_imblearn" = 0 ] &&
   [ "$need_openblas" = 0 ] && { [ "$need_chromium" = 0 ] || [ "$use_apt" = 0 ]; }; then
  say "all dependencies present"
  exit 0
fi

[ "${#missing[@]}" -gt 0 ] && say "missing R packages: ${missing[*]}"

# ---- Debian packages (root only) -------------------------------------------
if [ "$use_apt" = 1 ]; then
  apt_lists_present || apt_update
  debs=()
  for p in "${missing[@]}"; do
    deb="r-cran-$(printf '%s' "$p" | tr '[:upper:]' '[:lower:]')"
    if apt_known "$deb"; then debs+=("$deb"); fi
  done
  for t in "${sys_missing[@]}"; do rest=${t#*|}; debs+=("${rest%%|*}"); done
  [ "$need_imblearn" = 1 ] && debs+=(python3-imblearn python3-sklearn)
  [ "$need_chromium" = 1 ] && debs+=(chromium)
  # Installing OpenBLAS re-points the libblas.so.3 / liblapack.so.3
  # alternatives (auto mode prefers it), which would change R's BLAS and every
  # timing and test that uses it: note where they point now, restore after.
  alt_names=("libblas.so.3-$multiarch" "liblapack.so.3-$multiarch")
  alt_before=()
  if [ "$need_openblas" = 1 ]; then
    debs+=(libopenblas0-pthread)
    for a in "${alt_names[@]}"; do
      alt_before+=("$(update-alternatives --query "$a" 2>/dev/null | sed -n 's/^Value: //p')")
    done
  fi
  apt_install "${debs[@]}" || true
  if [ "$need_openblas" = 1 ]; then
    for i in "${!alt_names[@]}"; do
      a=${alt_names[$i]}; was=${alt_before[$i]}
      now=$(update-alternatives --query "$a" 2>/dev/null | sed -n 's/^Value: //p')
      if [ -n "$was" ] && [ "$now" != "$was" ]; then
        say "restoring the $a alternative to $was (OpenBLAS had taken it; it is for python only)"
        update-alternatives --set "$a" "$was" >>"$log" 2>&1 \
          || say "warning: could not restore $a to $was; R now uses $now"
      fi
    done
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    set_missing "${missing[@]}"
  fi
else
  for t in "${sys_missing[@]}"; do
    cmd=${t%%|*}; rest=${t#*|}
    say "note: $cmd not found; needed for ${rest#*|} (Debian: apt-get install ${rest%%|*})"
  done
  if [ "$need_imblearn" = 1 ]; then
    say "note: module imblearn not found for $PYTHON; the reference tests and the Python benchmarks need it (Debian: apt-get install python3-imblearn python3-sklearn)"
  fi
  if [ "$need_openblas" = 1 ]; then
    say "note: OpenBLAS not found in $openblas_dir; the imbalanced-learn timings with OpenBLAS need it (Debian, as root: apt-get install libopenblas0-pthread, then update-alternatives --set libblas.so.3-$multiarch and liblapack.so.3-$multiarch back to the reference BLAS)"
  fi
fi

# ---- CRAN, into the user library -------------------------------------------
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing from CRAN into R_LIBS_USER: ${missing[*]} (log: $log)"
  CRAN_REPO="$CRAN_REPO" "$RSCRIPT" --no-init-file -e '
    lib <- strsplit(Sys.getenv("R_LIBS_USER"), .Platform$path.sep, fixed = TRUE)[[1]][1]
    if (is.na(lib) || !nzchar(lib)) stop("R_LIBS_USER is not set")
    lib <- path.expand(lib)
    if (!dir.exists(lib)) dir.create(lib, recursive = TRUE)
    .libPaths(c(lib, .libPaths()))
    message("user library: ", lib)
    ncpus <- max(1L, min(2L, parallel::detectCores(), na.rm = TRUE))
    install.packages(commandArgs(TRUE), lib = lib, repos = Sys.getenv("CRAN_REPO"),
                     Ncpus = ncpus, quiet = TRUE)' "${missing[@]}" >>"$log" 2>&1 \
    || say "warning: install.packages reported an error (see $log)"
  set_missing "${missing[@]}"
fi

# ---- verdict ----------------------------------------------------------------
if [ "$use_apt" = 1 ]; then
  for t in "${sys_missing[@]}"; do
    cmd=${t%%|*}; rest=${t#*|}
    command -v "$cmd" >/dev/null 2>&1 || say "warning: $cmd is still missing; needed for ${rest#*|}"
  done
  [ "$need_imblearn" = 1 ] && ! "$PYTHON" -c 'import imblearn, sklearn' >/dev/null 2>&1 \
    && say "warning: python3-imblearn is still missing; the reference tests fail under CI=true and the Python benchmarks will not run"
  [ "$need_chromium" = 1 ] && ! command -v chromium >/dev/null 2>&1 \
    && say "warning: chromium is still missing; the browser tests of the reports will skip"
  [ "$need_openblas" = 1 ] && [ ! -e "$openblas_dir/libblas.so.3" ] \
    && say "warning: libopenblas0-pthread is still missing; imbalanced-learn is timed with the reference BLAS only"
fi

failed_req=(); failed_opt=()
for p in "${missing[@]}"; do
  if contains "$p" "${required[@]}"; then failed_req+=("$p"); else failed_opt+=("$p"); fi
done
[ "${#failed_opt[@]}" -gt 0 ] && say "warning: optional R packages not available: ${failed_opt[*]}"
if [ "${#failed_req[@]}" -gt 0 ]; then
  say "ERROR: required R packages not available: ${failed_req[*]} (see $log)" >&2
  exit 1
fi
say "done"
