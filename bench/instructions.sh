#!/usr/bin/env bash
# Instructions per sg_oversample() call on a small table, load-proof:
# callgrind on a process making 35 calls less one making 5, divided by 30.
#   R_LIBS=<lib> bash bench/instructions.sh TABLE PLAIN TAG
# TABLE: fgl, Cars93 or breast_biopsy; PLAIN: 1 for guard = NULL, 0 for the
# default call; writes /tmp/cg-TAG-30.out and /tmp/cg-TAG-0.out (read them
# with callgrind_annotate, e.g. --inclusive=yes). Not part of the package.
set -euo pipefail
TB=${1:?table}; PLAIN=${2:?plain}; TAG=${3:?tag}
here=$(cd "$(dirname "$0")" && pwd)
export TB PLAIN
N=30 R -d "valgrind --tool=callgrind --callgrind-out-file=/tmp/cg-$TAG-30.out" --vanilla \
  -f "$here/instructions.R" >/dev/null 2>"/tmp/cg-$TAG.err"
N=0 R -d "valgrind --tool=callgrind --callgrind-out-file=/tmp/cg-$TAG-0.out" --vanilla \
  -f "$here/instructions.R" >/dev/null 2>>"/tmp/cg-$TAG.err"
grep refs "/tmp/cg-$TAG.err" | awk -v tag="$TAG" '{gsub(",", "", $4); a[NR] = $4}
  END {printf "%s per call: %.3f M\n", tag, (a[1] - a[2]) / 30 / 1e6}'
