#!/usr/bin/env bash
# Build the package tarball and run R CMD check --as-cran on it.
#
#   bash .ci/check.sh [WORKDIR]
#
# WORKDIR (default: the repository root) receives the tarball and the
# <pkg>.Rcheck folder; old tarballs and the old .Rcheck there are removed
# first.  Prints a summary of the check and exits 1 when 00check.log reports
# an ERROR or a WARNING (NOTEs pass).  Used by `make check` and .ci/run.
#
# --no-manual: the PDF manual needs LaTeX (pdflatex), which this project does
# not install; set CHECK_MANUAL=1 to drop the flag where LaTeX exists.
set -euo pipefail

R=${R:-R}
export TZ=${TZ:-UTC}
# R CMD check warns when the session is not UTF-8 (and en_US.UTF-8 may not
# exist); C.UTF-8 always does on Debian.
if [ "$(locale charmap 2>/dev/null)" != UTF-8 ]; then export LC_ALL=C.UTF-8 LANG=C.UTF-8; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$here}
mkdir -p "$work"
work=$(cd "$work" && pwd)

pkg=$(sed -n 's/^Package:[[:space:]]*//p' "$here/DESCRIPTION")
version=$(sed -n 's/^Version:[[:space:]]*//p' "$here/DESCRIPTION")
if [ -z "$pkg" ] || [ -z "$version" ]; then
  echo "check: cannot read Package/Version from $here/DESCRIPTION" >&2
  exit 1
fi
tarball="${pkg}_${version}.tar.gz"

manual=(--no-manual)
if [ "${CHECK_MANUAL:-0}" = 1 ] && command -v pdflatex >/dev/null 2>&1; then
  manual=()
fi

cd "$work"
rm -f "$pkg"_*.tar.gz
rm -rf "$pkg.Rcheck"

echo "== R CMD build $here"
"$R" CMD build "$here"
if [ ! -f "$tarball" ]; then
  echo "check: R CMD build did not produce $tarball" >&2
  exit 1
fi

# --as-cran always asks CRAN's package database whether suggested packages
# that are not installed here (dials, workflows, parsnip: CRAN only) are
# orphaned; that file is not served to this machine. A local, empty
# database (no package is orphaned) stands in for it, unless R_CRAN_WEB is
# already set.
if [ -z "${R_CRAN_WEB:-}" ]; then
  cranweb=$(mktemp -d "${TMPDIR:-/tmp}/smoteguard-cranweb.XXXXXX")
  mkdir -p "$cranweb/web/packages"
  "${RSCRIPT:-Rscript}" --vanilla -e 'saveRDS(data.frame(Package = character(), Maintainer = character()), commandArgs(TRUE)[1])' \
    "$cranweb/web/packages/packages.rds"
  export R_CRAN_WEB="file://$cranweb"
fi

echo "== R CMD check --as-cran ${manual[*]} $tarball"
rc=0
_R_CHECK_FORCE_SUGGESTS_=false \
_R_CHECK_CRAN_INCOMING_REMOTE_=false \
_R_CHECK_SYSTEM_CLOCK_=false \
  "$R" CMD check --as-cran "${manual[@]}" "$tarball" || rc=$?

log="$work/$pkg.Rcheck/00check.log"
if [ ! -f "$log" ]; then
  echo "check: no $log (R CMD check exit status $rc)" >&2
  exit 1
fi

echo
echo "== check summary ($log)"
# Each "* checking ..." entry whose result is not OK (the result may stand
# on the entry's first line or alone on a later one), at most 25 lines each.
awk '
  function flush() { if (bad) printf "%s", blk; blk = ""; bad = 0; n = 0 }
  /^\* / { flush(); bad = ($0 ~ /\.\.\. *(NOTE|WARNING|ERROR)$/) }
  /^Status:/ { flush(); print; next }
  /^ *(NOTE|WARNING|ERROR)$/ { bad = 1 }
  { if (++n <= 25) blk = blk $0 "\n"; else if (n == 26) blk = blk "  [...]\n" }
  END { flush() }' "$log"

bad=0
grep -Eq '^ *(ERROR|WARNING)|\.\.\. *(ERROR|WARNING)$|^Status:.*(ERROR|WARNING)' "$log" && bad=1
[ "$rc" -ne 0 ] && bad=1

if [ "$bad" = 1 ]; then
  # Show where tests failed, if they did.
  for f in "$work/$pkg.Rcheck"/tests*/*.Rout.fail; do
    [ -f "$f" ] || continue
    echo "== tail of $f"
    tail -n 60 "$f"
  done
  echo "check: FAILED (ERROR or WARNING in $log; R CMD check exit status $rc)" >&2
  exit 1
fi
echo "check: OK"
