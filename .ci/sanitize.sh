#!/usr/bin/env bash
# Build the package with AddressSanitizer + UndefinedBehaviorSanitizer into a
# temporary library and run the test suite (tests/run-tests.R) against it.
#
#   bash .ci/sanitize.sh          (make sanitize)
#
# R itself is not instrumented, so libasan is LD_PRELOADed into the R
# process; leak detection is off (R's own allocations would drown it).
# Fails when the tests fail or the output mentions a sanitizer report.
# The install skips its load test (it would need the preload too).
# The compiled objects are built in a copy of the tree, so the normal
# `make install` build in src/ is left alone.  Set KEEP=1 to keep the
# temporary folder.
set -euo pipefail

R=${R:-R}
RSCRIPT=${RSCRIPT:-Rscript}
CC=$("$R" CMD config CC)
export TZ=${TZ:-UTC}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pkg=$(sed -n 's/^Package:[[:space:]]*//p' "$here/DESCRIPTION")
logdir=${LOGDIR:-${TMPDIR:-/tmp}}
log="$logdir/${pkg}-sanitize.log"

cc_bin=${CC%% *}
libasan=$("$cc_bin" -print-file-name=libasan.so)
if [ ! -e "$libasan" ] || [ "$libasan" = libasan.so ]; then
  echo "sanitize: libasan.so not found via '$cc_bin -print-file-name' (Debian: apt-get install libgcc-12-dev)" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/${pkg}-sanitize.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "sanitize: keeping $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi

flags="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer"
cat >"$tmp/Makevars" <<EOF
CFLAGS += $flags
CXXFLAGS += $flags
CXX11FLAGS += $flags
CXX14FLAGS += $flags
CXX17FLAGS += $flags
CXX20FLAGS += $flags
LDFLAGS += -fsanitize=address,undefined
EOF

# Copy the sources, leaving out build products and VCS data.
mkdir -p "$tmp/src/$pkg" "$tmp/lib"
(cd "$here" && tar -cf - --exclude=./.git --exclude="./$pkg.Rcheck" \
   --exclude="./${pkg}_*.tar.gz" --exclude='./src/*.o' --exclude='./src/*.so' \
   --exclude='./src/*.dll' --exclude='./smoteguard-demo' .) | tar -xf - -C "$tmp/src/$pkg"

echo "sanitize: R CMD INSTALL with $flags (log: $log)"
if ! R_MAKEVARS_USER="$tmp/Makevars" "$R" CMD INSTALL --preclean --no-multiarch --no-test-load \
     -l "$tmp/lib" "$tmp/src/$pkg" >"$log" 2>&1; then
  tail -n 40 "$log"
  echo "sanitize: R CMD INSTALL failed; full log: $log" >&2
  exit 1
fi
if [ -d "$here/src" ] && ! grep -q -- '-fsanitize=address' "$log"; then
  echo "sanitize: warning: the compiler lines in $log do not show -fsanitize" >&2
fi

echo "sanitize: running tests/run-tests.R with $libasan preloaded"
rc=0
R_LIBS="$tmp/lib" NOT_CRAN=true \
LD_PRELOAD="$libasan" \
ASAN_OPTIONS=detect_leaks=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$RSCRIPT" "$here/tests/run-tests.R" 2>&1 | tee -a "$log" || rc=$?

if grep -Eq 'runtime error|AddressSanitizer' "$log"; then
  echo "sanitize: FAILED: sanitizer reports in $log:" >&2
  grep -E -m 20 'runtime error|AddressSanitizer|SUMMARY' "$log" >&2 || true
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "sanitize: FAILED: tests exited with status $rc (log: $log)" >&2
  exit 1
fi
echo "sanitize: OK (no sanitizer reports)"
