#!/usr/bin/env bash
# make slurm-check: run a small sg_evaluate() grid on a one-node Slurm cluster
# started on this machine, through future.batchtools, and check that the
# result equals the sequential one (issue 15). Not part of `make test`.
#
#   bash .ci/slurm-check.sh
#
# As root, installs what is missing with apt-get (Debian's slurm-wlm, munge
# and r-cran-future.batchtools); otherwise they must be installed already.
# Starts munged, slurmctld and slurmd directly (no systemd needed; a
# container is fine) with a generated slurm.conf for this host (2 CPUs, or
# fewer if the machine has fewer), all state, logs and sockets but munge's in
# a temporary folder, and stops them again on exit, however the script ends.
# Needs root for the daemons (slurmd starts jobs as their user).
#
# Environment:
#   SLURM_CHECK_LIB  a library that already holds smoteguard (e.g. the one
#                    `sgtest` or `make install` filled); by default the tree
#                    is copied (without .git and object files) to the
#                    temporary folder and installed there
#   SLURM_CHECK_DIR  the temporary folder (default: a new one under TMPDIR)
#   SLURM_CHECK_KEEP=1  keep the folder (logs) afterwards
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
say() { printf 'slurm-check: %s\n' "$*"; }
die() { printf 'slurm-check: %s\n' "$*" >&2; exit 1; }

# ---- dependencies -----------------------------------------------------------
need=()
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
Rscript --no-init-file -e 'quit(status = !requireNamespace("future.batchtools", quietly = TRUE))' \
  >/dev/null 2>&1 || need+=(r-cran-future.batchtools)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run this as root"
  fi
  say "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; } \
    || die "apt-get install ${need[*]} failed"
fi
[ "$(id -u)" -eq 0 ] || die "the Slurm daemons need root (slurmd starts jobs as their user): run as root"

# ---- the folder, the library ---------------------------------------------------
work=${SLURM_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/smoteguard-slurm.XXXXXX")}
mkdir -p "$work"/{state,spool,logs,jobs}
chmod 755 "$work"
pids=()
cleanup() {
  local status=$?
  set +e
  if command -v scancel >/dev/null 2>&1 && [ -f "$work/slurm.conf" ]; then
    SLURM_CONF="$work/slurm.conf" scancel --quiet --user="$(id -un)" >/dev/null 2>&1
  fi
  # stop only the daemons this script started, by their pid
  for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  if [ "$status" -ne 0 ]; then
    say "failed; daemon logs in $work/logs:"
    tail -n 15 "$work"/logs/*.log 2>/dev/null
  fi
  if [ "${SLURM_CHECK_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${SLURM_CHECK_LIB:-}" ]; then
  lib=$SLURM_CHECK_LIB
  [ -d "$lib/smoteguard" ] || die "SLURM_CHECK_LIB=$lib holds no smoteguard"
else
  lib=$work/lib
  mkdir -p "$lib" "$work/src/smoteguard"
  say "installing smoteguard from $root into $lib (log: $work/logs/install.log)"
  (cd "$root" && tar -c --exclude=./.git --exclude='./src/*.o' --exclude='./src/*.so' \
      --exclude='./smoteguard_*.tar.gz' --exclude='./smoteguard.Rcheck' .) | tar -x -C "$work/src/smoteguard"
  R CMD INSTALL --no-multiarch -l "$lib" "$work/src/smoteguard" >"$work/logs/install.log" 2>&1 \
    || { tail -n 30 "$work/logs/install.log"; die "R CMD INSTALL failed"; }
fi
export R_LIBS="$lib${R_LIBS:+:$R_LIBS}"

# ---- munge -----------------------------------------------------------------------
# munged's socket stays where Slurm's auth/munge plugin looks for it
# (/run/munge). If a munged already answers there, it is used as it is.
if munge -n </dev/null >/dev/null 2>&1; then
  say "munged is already running: using it"
else
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/check.pid \
    --log-file="/var/log/munge/munged.log" || die "munged did not start"
  cp /run/munge/check.pid "$work/munged.pid"
  for _ in $(seq 20); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.25; done
  munge -n </dev/null | unmunge >/dev/null || die "munge does not work"
fi

# ---- Slurm -----------------------------------------------------------------------
host=$(hostname -s)
cpus=$(nproc); [ "$cpus" -gt 2 ] && cpus=2
cat >"$work/slurm.conf" <<EOF
# generated by .ci/slurm-check.sh: one node, this host
ClusterName=sgcheck
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
SlurmctldPort=${SLURM_CHECK_PORT:-6817}
SlurmdPort=$(( ${SLURM_CHECK_PORT:-6817} + 1 ))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
say "starting slurmctld and slurmd ($cpus CPUs, config $SLURM_CONF)"
slurmctld -c -f "$SLURM_CONF" || die "slurmctld did not start"
slurmd -f "$SLURM_CONF" || die "slurmd did not start"
state=
for _ in $(seq 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  case "$state" in idle|idle*|mixed|allocated) break ;; esac
  sleep 0.5
done
case "$state" in idle*|mixed|allocated) say "node $host is $state" ;;
  *) die "the node did not come up (state '${state:-none}')" ;; esac

# ---- the check ---------------------------------------------------------------------
cd "$work/jobs"
say "running sg_evaluate() sequentially and through batchtools_slurm"
Rscript --no-init-file - "$here/slurm.tmpl" <<'EOF'
template <- commandArgs(TRUE)[1]
suppressMessages(library(smoteguard))
grid <- function() {
  suppressWarnings(sg_evaluate(breast_biopsy, "diagnosis",
                               resamples = sg_folds(folds = 3, repeats = 1),
                               holdout = 0.2, seed = 15))
}
future::plan("sequential")
t0 <- proc.time()[["elapsed"]]
seq_ev <- grid()
t_seq <- proc.time()[["elapsed"]] - t0
future::plan(future.batchtools::batchtools_slurm, template = template, workers = 2,
             resources = list(ncpus = 1L, walltime = 600))
# a future runs as a Slurm job: it sees its job id
job <- future::value(future::future(Sys.getenv("SLURM_JOB_ID")))
if (!nzchar(job)) {
  cat("slurm-check: FAILED: a future did not run as a Slurm job\n")
  quit(status = 1)
}
cat(sprintf("slurm-check: a future ran as Slurm job %s\n", job))
t0 <- proc.time()[["elapsed"]]
slurm_ev <- grid()
t_slurm <- proc.time()[["elapsed"]] - t0
future::plan("sequential")
parts <- c("metrics", "holdout", "predictions", "verdict", "decisions", "thresholds")
same <- vapply(parts, function(p) identical(seq_ev[[p]], slurm_ev[[p]]), logical(1))
# the samplers' records, without when and how long (created, timings)
record_core <- function(ev) lapply(ev$records, function(r) {
  r$record[c("created", "timings")] <- NULL
  r
})
records_same <- identical(record_core(seq_ev), record_core(slurm_ev))
cat(sprintf("slurm-check: %d cells; sequential %.1f s, batchtools_slurm (2 workers) %.1f s\n",
            nrow(seq_ev$thresholds), t_seq, t_slurm))
for (p in parts) cat(sprintf("slurm-check:   %-12s identical: %s\n", p, same[[p]]))
cat(sprintf("slurm-check:   %-12s identical: %s\n", "records", records_same))
if (!all(same) || !records_same) {
  cat("slurm-check: FAILED: the Slurm result differs from the sequential one\n")
  quit(status = 1)
}
cat("slurm-check: OK, the result under Slurm equals the sequential one\n")
EOF
say "done"
