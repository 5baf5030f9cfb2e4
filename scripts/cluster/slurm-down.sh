#!/usr/bin/env bash
# Stop the Slurm test cluster that scripts/cluster/slurm-up.sh started under $HPCSIM_CLUSTER_BASE
# (default /tmp/hpcsim-slurm). Only what slurm-up recorded under $BASE/run is touched:
#   - jobs still in this cluster are cancelled first (no orphaned slurmstepd),
#   - each daemon is stopped by the pid in its pid file, after checking /proc/PID/cmdline
#     (never by name: other clusters or a system munged may run on the same machine),
#   - recorded network namespaces and links, our /etc/hosts block and our
#     /etc/slurm/slurm.conf symlink are removed.
# Logs stay in $BASE/log. Safe to run when nothing is up.
set -uo pipefail   # no -e: carry on tearing down whatever is left

BASE=${HPCSIM_CLUSTER_BASE:-/tmp/hpcsim-slurm}
RUN=$BASE/run
export SLURM_CONF=$BASE/slurm.conf
say() { echo "slurm-down: $*"; }
T0=$(date +%s.%N)

if [ ! -d "$RUN" ]; then
  say "nothing to stop under $BASE"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "slurm-down: ERROR: must run as root: sudo bash $0" >&2; exit 1; }
if [ "${HPCSIM_CLUSTER_LOCKED:-}" != "$BASE" ]; then   # not already locked by slurm-up.sh
  exec 9>>"$BASE/lock"
  flock -w 900 9 || { echo "slurm-down: ERROR: $BASE/lock stays busy" >&2; exit 1; }
  [ -d "$RUN" ] || { say "nothing to stop under $BASE"; exit 0; }
fi

# pid_of PIDFILE NAME: print the pid if that process is alive and its command line mentions NAME.
# (`kill -0` is not a liveness test: zombies of stopped daemons linger until init reaps them.)
alive() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q "$2"; }
pid_of() {
  local p
  p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && alive "$p" "$2" && echo "$p"
}
# stop NAME PIDFILE...: SIGTERM to all of them at once, wait up to 10 s, SIGKILL whatever is
# left; removes the pid files.
stop() {
  local name=$1 pids=() left=() p pidfile
  shift
  for pidfile in "$@"; do
    if p=$(pid_of "$pidfile" "$name"); then kill "$p" 2>/dev/null && pids+=("$p"); fi
    rm -f "$pidfile"
  done
  for _ in $(seq 200); do
    left=()
    for p in "${pids[@]}"; do alive "$p" "$name" && left+=("$p"); done
    [ ${#left[@]} = 0 ] && return 0
    sleep 0.05
  done
  say "$name ${left[*]} ignored SIGTERM for 10 s, killing"
  kill -9 "${left[@]}" 2>/dev/null
}

# 1. cancel this cluster's jobs while slurmctld still runs
if pid_of "$RUN/slurmctld.pid" slurmctld >/dev/null; then
  mapfile -t jobs < <(squeue -h -o %A 2>/dev/null | sort -u)
  if [ ${#jobs[@]} -gt 0 ]; then
    say "cancelling ${#jobs[@]} job(s)"
    scancel "${jobs[@]}" 2>/dev/null
    for _ in $(seq 200); do
      [ -z "$(squeue -h -t PD,R,CG,S 2>/dev/null)" ] && break
      sleep 0.05
    done
  fi
fi

# 2. daemons, in reverse order of start
stop slurmd "$RUN"/slurmd.*.pid
# with task/cgroup the slurmds kept their jobs' cgroups under slurm_<node> in each cgroup v1
# controller; remove what is left of ours (rmdir takes only cgroups without processes)
for node in $(HPCSIM_CLUSTER_NODELIST=; . "$BASE/env.sh" 2>/dev/null; echo "$HPCSIM_CLUSTER_NODELIST"); do
  for d in /sys/fs/cgroup/*/"slurm_$node"; do
    [ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
  done
done
stop slurmctld "$RUN/slurmctld.pid"
stop slurmdbd "$RUN/slurmdbd.pid"
stop mariadbd "$RUN/mariadb.pid"
stop munged "$RUN/munged.pid"

# 3. network namespaces and links, newest first
if [ -f "$RUN/net.list" ]; then
  tac "$RUN/net.list" | while read -r kind name; do
    case $kind in
      netns) ip netns del "$name" 2>/dev/null ;;
      link) ip link del "$name" 2>/dev/null ;;
    esac
  done
  rm -f "$RUN/net.list"
fi

# 4. our /etc/hosts block (rewritten in place: it may be a bind mount)
if [ -f "$RUN/hosts-block" ]; then
  tag=$(cat "$RUN/hosts-block")
  hosts_new=$(mktemp)
  sed "/^# BEGIN $tag\$/,/^# END $tag\$/d" /etc/hosts >"$hosts_new" && cat "$hosts_new" >/etc/hosts
  rm -f "$hosts_new" "$RUN/hosts-block"
fi

# 5. our /etc/slurm/slurm.conf symlink, if it still points at this cluster
if [ -f "$RUN/conf-link" ]; then
  link=$(cat "$RUN/conf-link")
  [ "$(readlink "$link")" = "$BASE/slurm.conf" ] && rm -f "$link"
  rm -f "$RUN/conf-link"
fi

rm -f "$BASE/env.sh"
rmdir "$RUN" 2>/dev/null || say "left behind in $RUN: $(ls "$RUN")"
say "stopped the cluster under $BASE in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
