#!/usr/bin/env bash
# Start, or bring back, one node's slurmd of the test cluster that scripts/cluster/slurm-up.sh
# started under $HPCSIM_CLUSTER_BASE (default /tmp/hpcsim-slurm).
#
#   slurm-node.sh start NODE     start NODE's slurmd (as slurm-up.sh does for every node) unless
#                                its recorded one runs; returns once the daemon has forked
#   slurm-node.sh restore NODE   after a test killed NODE's slurmd (tests/slurm/test_faults.py):
#                                remove the cgroups its killed jobs left, start it again, then
#                                wait until slurmctld has the node back and usable, resuming it
#                                if it stays DOWN or DRAINED; exit 1 if it is not usable after 60 s
#
# The node's mode (netns or ports) comes from $BASE/env.sh. netns: slurmd is entered into the
# node's namespace with nsenter, never `ip netns exec` (that remounts /sys, hiding /sys/fs/cgroup,
# and slurmd 22.05 refuses to start without it); `unshare --uts` gives it the node's hostname.
# The daemon writes its pid to $BASE/run/slurmd.NODE.pid, where slurm-down.sh finds it.
set -euo pipefail

BASE=${HPCSIM_CLUSTER_BASE:-/tmp/hpcsim-slurm}
RUN=$BASE/run
die() { echo "slurm-node: ERROR: $*" >&2; exit 1; }

[ $# = 2 ] || die "usage: $0 start|restore NODE"
action=$1 node=$2
case $action in start | restore) ;; *) die "usage: $0 start|restore NODE" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (slurmd, namespaces): sudo bash $0 $*"
[ -f "$BASE/env.sh" ] && [ -d "$RUN" ] || die "no test cluster is up under $BASE"
# shellcheck disable=SC1091  # written by slurm-up.sh: SLURM_CONF, HPCSIM_CLUSTER_MODE
source "$BASE/env.sh"
[[ " $HPCSIM_CLUSTER_NODELIST " == *" $node "* ]] || die "$node is not a node of the cluster under $BASE"

# Not while slurm-up/slurm-down work on the same base (slurm-up itself calls us with the lock held).
if [ "${HPCSIM_CLUSTER_LOCKED:-}" != "$BASE" ]; then
  exec 9>>"$BASE/lock"
  flock -w 900 9 || die "$BASE/lock stays busy"
fi

# alive: the recorded slurmd of $node runs (its command line, not `kill -0`: zombies linger)
alive() {
  local p
  p=$(cat "$RUN/slurmd.$node.pid" 2>/dev/null) && [ -n "$p" ] \
    && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q "slurmd -N $node"
}

# drop_cgroups: with task/cgroup each slurmd keeps its jobs' cgroups under slurm_<node> in every
# cgroup v1 controller (Slurm's MULTIPLE_SLURMD naming). A killed slurmd and its killed jobs leave
# theirs behind; rmdir removes only cgroups without processes, depth first.
drop_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"slurm_$node"; do
    [ -d "$d" ] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
  done
  return 0
}

if ! alive; then
  rm -f "$RUN/slurmd.$node.pid"
  drop_cgroups
  if [ "$HPCSIM_CLUSTER_MODE" = netns ]; then
    nsenter --net="/run/netns/hpcsim-$node" unshare --uts \
      sh -c "hostname $node && exec slurmd -N $node" 9>&- \
      || die "slurmd $node failed to start (see $BASE/log/slurmd.$node.log)"
  else
    slurmd -N "$node" 9>&- || die "slurmd $node failed to start (see $BASE/log/slurmd.$node.log)"
  fi
fi
[ "$action" = start ] && exit 0

# restore: ReturnToService=2 makes a node that was DOWN for not responding usable again as soon
# as its slurmd registers; a node set DOWN or DRAINED for any other reason needs a resume.
# (sinfo appends a flag to the state, e.g. `idle*` while the node does not respond: not usable yet)
state= resumed=0
for i in $(seq 600); do
  state=$(sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n 1 || true)
  case $state in
    idle | mixed | allocated | completing) exit 0 ;;
    down* | drain* | fail*)
      # give the registration about 2 s first, then resume by hand (once)
      if [ "$i" -gt 20 ] && [ "$resumed" = 0 ]; then
        echo "slurm-node: $node is still $state after its slurmd started: resuming it"
        scontrol update nodename="$node" state=resume || true
        resumed=1
      fi
      ;;
  esac
  sleep 0.1
done
die "$node is still '${state:-unknown}' 60 s after its slurmd was started; see $BASE/log/slurmd.$node.log"
