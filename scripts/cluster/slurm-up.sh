#!/usr/bin/env bash
# Bring up hpcsim's Slurm 22.05 test cluster on this machine (Debian 12, root, no systemd needed).
#
# What it does, in order:
#   1. apt-installs whatever is missing (Slurm, munge, Open MPI; MariaDB + slurmdbd with accounting)
#   2. writes $BASE/slurm.conf (+ cgroup.conf, slurmdbd.conf) and $BASE/env.sh
#   3. starts munged (unless one already answers), optionally MariaDB + slurmdbd, then slurmctld
#      and one slurmd per node, directly (no systemd), and waits until every node is idle
#
# Nodes are node1..nodeN with 4 CPUs each in partition `debug` (the default partition).
#   netns mode (default): each slurmd runs in its own network + UTS namespace on bridge hpcbr0
#     (host 10.77.77.1, nodeI = 10.77.77.(10+I)), so `hostname` in a job says nodeI.
#   ports mode (fallback without CAP_NET_ADMIN): every slurmd on 127.0.0.1, port 17000+I;
#     SLURMD_NODENAME differs per node but `hostname` is the machine's everywhere.
#
# Knobs (environment):
#   HPCSIM_CLUSTER_BASE=/tmp/hpcsim-slurm   everything: conf, state, logs, pid files, DB
#   HPCSIM_CLUSTER_NODES=3                  number of nodes
#   HPCSIM_CLUSTER_ACCOUNTING=0             1 = also MariaDB + slurmdbd (real sacct, enforced accounts)
#   HPCSIM_CLUSTER_MODE=netns               netns | ports
#   HPCSIM_CLUSTER_CGROUP=auto              1 = enforce --mem with cgroup v1 (task/cgroup, proctrack/cgroup);
#                                           0 = no limits (task/none, proctrack/linuxproc); auto = 1 where
#                                           the v1 memory and freezer controllers are mounted read-write
# Idempotent: if the same cluster is already up and healthy it does nothing; a different or broken
# one under the same base is stopped (scripts/cluster/slurm-down.sh) and started afresh.
# Everything it creates (pids, netns, links, /etc/hosts block, /etc/slurm/slurm.conf symlink) is
# recorded under $BASE/run so that slurm-down.sh removes exactly that and nothing else.
# Afterwards: `source $BASE/env.sh` (exports SLURM_CONF).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BASE=${HPCSIM_CLUSTER_BASE:-/tmp/hpcsim-slurm}
NODES=${HPCSIM_CLUSTER_NODES:-3}
ACCT=${HPCSIM_CLUSTER_ACCOUNTING:-0}
MODE=${HPCSIM_CLUSTER_MODE:-netns}
CGROUP=${HPCSIM_CLUSTER_CGROUP:-auto}
CPUS=4                   # declared per node; more than the real CPUs is fine (config_overrides)
MEM=16000                # MB declared per node (RealMemory); more than the machine has is fine too
SLURMD_TIMEOUT=5         # s without an answer from a slurmd before its node is DOWN (Slurm's default: 300)
SUBNET=10.77.77          # netns mode: /24 on the bridge
BRIDGE=hpcbr0
CTLD_PORT=6817
DBD_PORT=6819
DB_PORT=3307             # our private MariaDB, TCP on 127.0.0.1 only
SLURMD_PORT_BASE=17000   # ports mode: nodeI listens on SLURMD_PORT_BASE+I
RUN=$BASE/run
CONF=$BASE/slurm.conf
HOSTS_TAG="hpcsim-slurm test cluster"   # marks our /etc/hosts block

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
say() { echo "slurm-up: $*"; }
die() { echo "slurm-up: ERROR: $*" >&2; exit 1; }
T0=$(now)

# ------------------------------------------------------------------ checks
[ "$(id -u)" = 0 ] || die "must run as root (slurmd, namespaces, apt): sudo bash $0"
[[ "$NODES" =~ ^[1-9][0-9]?$ ]] || die "HPCSIM_CLUSTER_NODES must be 1..99, got '$NODES'"
[[ "$ACCT" =~ ^[01]$ ]] || die "HPCSIM_CLUSTER_ACCOUNTING must be 0 or 1, got '$ACCT'"
case $MODE in netns | ports) ;; *) die "HPCSIM_CLUSTER_MODE must be netns or ports, got '$MODE'" ;; esac
case $BASE in /*) ;; *) die "HPCSIM_CLUSTER_BASE must be an absolute path, got '$BASE'" ;; esac
case $CGROUP in auto | 0 | 1) ;; *) die "HPCSIM_CLUSTER_CGROUP must be auto, 0 or 1, got '$CGROUP'" ;; esac

# Memory limits: Slurm's task/cgroup puts every job step in a memory cgroup limited to the job's
# --mem, so the kernel's OOM killer ends a step that allocates more (job state OUT_OF_MEMORY).
# That needs cgroup v1 here (Slurm 22.05's cgroup/v2 wants a systemd-delegated tree): the memory
# controller for the limit and freezer for proctrack/cgroup, both mounted read-write.
cgroup_v1_problem() {
  local c probe
  for c in memory freezer; do
    findmnt -n -o FSTYPE,OPTIONS "/sys/fs/cgroup/$c" 2>/dev/null | grep -Eq '^cgroup +rw(,|$)' \
      || { echo "no read-write cgroup v1 '$c' controller mounted on /sys/fs/cgroup/$c"; return 0; }
    probe=/sys/fs/cgroup/$c/hpcsim-probe.$$
    if ! mkdir "$probe" 2>/dev/null; then echo "cannot create a cgroup under /sys/fs/cgroup/$c"; return 0; fi
    rmdir "$probe"
  done
  return 1
}
if [ "$CGROUP" != 0 ] && why=$(cgroup_v1_problem); then
  [ "$CGROUP" = 1 ] && die "HPCSIM_CLUSTER_CGROUP=1 but $why"
  say "memory limits off: $why (HPCSIM_CLUSTER_CGROUP=0 behaviour)"
  CGROUP=0
elif [ "$CGROUP" = auto ]; then
  CGROUP=1
fi

# One slurm-up/slurm-down at a time per base (concurrent test sessions may both try to start it).
mkdir -p "$BASE"
exec 9>>"$BASE/lock"
flock -w 900 9 || die "another slurm-up.sh or slurm-down.sh keeps $BASE/lock busy"
export HPCSIM_CLUSTER_LOCKED=$BASE   # the slurm-down.sh we may run below holds it through us
# (every daemon is started with 9>&- so that it does not inherit, and keep, the lock)

# ------------------------------------------------------------------ packages
T=$(now)
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have slurmctld || need+=(slurmctld)
have slurmd || need+=(slurmd)
have sbatch || need+=(slurm-client)
have munged || need+=(munge)
have mpirun || need+=(openmpi-bin)   # mpirun for MPI tests
# `srun --mpi=pmix`: Slurm's plugin dlopens pmix2/lib/libpmix.so, the unversioned name that only
# libpmix-dev ships (libpmix2 alone gives "can not load PMIx library")
compgen -G '/usr/lib/*/pmix2/lib/libpmix.so' >/dev/null || need+=(libpmix-dev)
have ip || need+=(iproute2)
have nsenter || need+=(util-linux)
if [ "$ACCT" = 1 ]; then
  have slurmdbd || need+=(slurmdbd)
  have mariadbd || need+=(mariadb-server)
fi
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
  apt_get update -qq || die "apt-get update failed"
  apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || die "apt-get install ${need[*]} failed"
fi
T_INSTALL=$(since "$T")

# ------------------------------------------------------------------ config
HOST=$(hostname -s 2>/dev/null || hostname)
if [ "$MODE" = netns ]; then CTLD_ADDR=$SUBNET.1; else CTLD_ADDR=127.0.0.1; fi
nodes=()
for i in $(seq 1 "$NODES"); do nodes+=("node$i"); done

new_conf=$(mktemp)
trap 'rm -f "$new_conf"' EXIT
{
  echo "# written by hpcsim scripts/cluster/slurm-up.sh: mode=$MODE nodes=$NODES accounting=$ACCT cgroup=$CGROUP"
  echo "ClusterName=hpcsim"
  echo "SlurmctldHost=$HOST($CTLD_ADDR)"
  echo "SlurmctldPort=$CTLD_PORT"
  echo "SlurmUser=root"
  echo "SlurmdUser=root"
  echo "AuthType=auth/munge"
  echo "CredType=cred/munge"
  echo "MpiDefault=none                      # pmix costs ~0.4 s per step: ask with srun --mpi=pmix"
  if [ "$CGROUP" = 1 ]; then
    echo "ProctrackType=proctrack/cgroup       # a job's processes are the ones in its freezer cgroup"
    echo "TaskPlugin=task/cgroup               # memory cgroup per step, limited to --mem (cgroup.conf)"
  else
    echo "ProctrackType=proctrack/linuxproc    # no cgroup setup needed"
    echo "TaskPlugin=task/none                 # no memory limits (HPCSIM_CLUSTER_CGROUP=0)"
  fi
  echo "SlurmdTimeout=$SLURMD_TIMEOUT                      # a node whose slurmd stops answering is DOWN in seconds; its jobs NODE_FAIL"
  echo "SelectType=select/cons_tres"
  if [ "$CGROUP" = 1 ]; then
    # --mem reaches a job's cgroup only as allocated memory, so memory must be consumable; a job
    # without --mem gets DefMemPerCPU per CPU, which never leaves a node's CPUs idle for memory
    echo "SelectTypeParameters=CR_Core_Memory  # --mem is allocated (and, with task/cgroup, enforced)"
    echo "DefMemPerCPU=$((MEM / CPUS))"
  else
    echo "SelectTypeParameters=CR_Core         # memory not consumable"
  fi
  echo "SlurmdParameters=config_overrides    # declare more CPUs than the machine has"
  echo "ReturnToService=2"
  echo "StateSaveLocation=$BASE/state"
  echo "SlurmdSpoolDir=$BASE/spool/%n"
  echo "TmpFS=$BASE/tmp/%n                   # per node: pmix dirs collide on a shared /tmp"
  echo "SlurmctldPidFile=$RUN/slurmctld.pid"
  echo "SlurmdPidFile=$RUN/slurmd.%n.pid"
  echo "SlurmctldLogFile=$BASE/log/slurmctld.log"
  echo "SlurmdLogFile=$BASE/log/slurmd.%n.log"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "JobCompType=jobcomp/filetxt          # \`sacct -c\` works even without slurmdbd"
  echo "JobCompLoc=$BASE/log/jobcomp.txt"
  echo "SchedulerType=sched/backfill"
  echo "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0   # batch jobs start on the next 1 s tick"
  echo "MinJobAge=3600                       # finished jobs stay visible to scontrol/squeue for 1 h"
  echo "KillWait=5"
  echo "InactiveLimit=0"
  echo "MailProg=/bin/true"
  for i in $(seq 1 "$NODES"); do
    if [ "$MODE" = netns ]; then
      echo "NodeName=node$i NodeAddr=$SUBNET.$((10 + i)) CPUs=$CPUS RealMemory=$MEM State=UNKNOWN"
    else
      echo "NodeName=node$i NodeHostname=$HOST NodeAddr=127.0.0.1 Port=$((SLURMD_PORT_BASE + i))" \
        "CPUs=$CPUS RealMemory=$MEM State=UNKNOWN"
    fi
  done
  echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  echo "EnforcePartLimits=ALL                # reject jobs that can never run (e.g. -N40) at submit"
  if [ "$ACCT" = 1 ]; then
    echo "AccountingStorageType=accounting_storage/slurmdbd"
    echo "AccountingStorageHost=127.0.0.1"
    echo "AccountingStoragePort=$DBD_PORT"
    echo "AccountingStorageEnforce=associations   # unknown --account is rejected, as on real sites"
  else
    echo "AccountingStorageType=accounting_storage/none"
  fi
} >"$new_conf"

# ours PIDFILE NAME: true if the pid in PIDFILE is alive and its command line mentions NAME.
# (`kill -0` is not enough: zombies of stopped daemons linger until init reaps them.)
ours() {
  local p
  p=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$p" ] && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q "$2"
}
export SLURM_CONF=$CONF

# ------------------------------------------------------------------ already up?
# (not if we just installed packages: daemons started before may lack a library, e.g. pmix)
if [ ${#need[@]} = 0 ] && [ -f "$CONF" ] && cmp -s "$new_conf" "$CONF" && ours "$RUN/slurmctld.pid" slurmctld; then
  healthy=1
  for n in "${nodes[@]}"; do ours "$RUN/slurmd.$n.pid" slurmd || healthy=0; done
  if [ "$ACCT" = 1 ]; then
    ours "$RUN/slurmdbd.pid" slurmdbd && ours "$RUN/mariadb.pid" mariadbd || healthy=0
  fi
  states=$(sinfo -h -N -o %T 2>/dev/null | sort -u | tr '\n' ' ' || true)
  [[ "$states" =~ ^((idle|mixed|allocated|completing)\ )+$ ]] || healthy=0
  if [ "$healthy" = 1 ]; then
    say "already up (mode=$MODE nodes=$NODES accounting=$ACCT; node states: $states)"
    say "source $BASE/env.sh"
    exit 0
  fi
fi
if [ -d "$RUN" ]; then
  say "a different or unhealthy cluster is recorded under $BASE: stopping it first"
  HPCSIM_CLUSTER_BASE=$BASE bash "$HERE/slurm-down.sh" || die "slurm-down.sh failed"
fi

# Fresh state: job ids restart at 1, so old logs (and the jobcomp file `sacct -c` reads) move to
# log.prev/ where they cannot alias new job ids.
if [ -d "$BASE/log" ]; then rm -rf "$BASE/log.prev" && mv "$BASE/log" "$BASE/log.prev"; fi
rm -rf "$BASE/state" "$BASE/spool" "$BASE/tmp"
mkdir -p "$BASE/state" "$BASE/log" "$RUN"
for n in "${nodes[@]}"; do mkdir -p "$BASE/spool/$n" "$BASE/tmp/$n"; done
mv "$new_conf" "$CONF"
chmod 644 "$CONF"
if [ "$CGROUP" = 1 ]; then
  {
    echo "# task/cgroup limits each job's memory to what it was allocated: its --mem (--mem-per-cpu...),"
    echo "# else DefMemPerCPU per CPU (slurm.conf). The kernel OOM-kills a step that needs more, and"
    echo "# Slurm records OUT_OF_MEMORY."
    echo "CgroupPlugin=cgroup/v1"
    echo "ConstrainRAMSpace=yes"
    echo "AllowedRAMSpace=100"
    # swap counts too where the kernel accounts it, so a step cannot escape its limit into swap
    if [ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
      echo "ConstrainSwapSpace=yes"
      echo "AllowedSwapSpace=0"
    fi
  } >"$BASE/cgroup.conf"
else
  cat >"$BASE/cgroup.conf" <<CGCONF
# slurmd 22.05 always loads a cgroup plugin (needs /sys/fs/cgroup); nothing is constrained.
CgroupPlugin=autodetect
IgnoreSystemd=yes
CGCONF
fi
{
  echo "# written by hpcsim scripts/cluster/slurm-up.sh; source it to use the test cluster"
  echo "export SLURM_CONF=$CONF"
  echo "export HPCSIM_CLUSTER_BASE=$BASE"
  echo "export HPCSIM_CLUSTER_MODE=$MODE"
  echo "export HPCSIM_CLUSTER_ACCOUNTING=$ACCT"
  echo "export HPCSIM_CLUSTER_CGROUP=$CGROUP   # 1: --mem is enforced (OOM kills)"
  echo "export HPCSIM_CLUSTER_SLURMD_TIMEOUT=$SLURMD_TIMEOUT   # s until a silent node is DOWN"
  echo "export HPCSIM_CLUSTER_NODELIST='${nodes[*]}'"
} >"$BASE/env.sh"

# Let plain `sinfo`/`sbatch` find the cluster too: symlink /etc/slurm/slurm.conf, but only when
# that path is free or already a symlink we made.
link=/etc/slurm/slurm.conf
if { [ ! -e "$link" ] && [ ! -L "$link" ]; } || [ "$(readlink "$link")" = "$CONF" ]; then
  mkdir -p /etc/slurm
  ln -sfn "$CONF" "$link"
  echo "$link" >"$RUN/conf-link"
else
  say "note: /etc/slurm/slurm.conf belongs to someone else; use SLURM_CONF=$CONF (source $BASE/env.sh)"
fi

# ------------------------------------------------------------------ munge
T=$(now)
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged already running: using it, not ours to stop"
else
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 700 /etc/munge
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  runuser -u munge -- /usr/sbin/munged 9>&- || die "munged failed to start (see /var/log/munge/munged.log)"
  for _ in $(seq 100); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.05; done
  munge -n | unmunge >/dev/null || die "munged does not answer (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$RUN/munged.pid"
fi
T_MUNGE=$(since "$T")

# ------------------------------------------------------------------ network namespaces
T=$(now)
if [ "$MODE" = netns ]; then
  : >"$RUN/net.list"   # one "netns NAME" or "link NAME" per line, removed in reverse by slurm-down
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge 2>/dev/null \
      || die "cannot create a bridge (no CAP_NET_ADMIN here?): use HPCSIM_CLUSTER_MODE=ports"
    echo "link $BRIDGE" >>"$RUN/net.list"
  fi
  ip addr replace "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for i in $(seq 1 "$NODES"); do
    ns=hpcsim-node$i veth=hpcv$i
    # anything of that name now belongs to another hpcsim cluster (other base) or a crashed run
    if [ -e "/run/netns/$ns" ] || ip link show "$veth" >/dev/null 2>&1; then
      die "netns $ns or link $veth exists but is not recorded under $BASE: stop the other" \
        "hpcsim cluster (HPCSIM_CLUSTER_BASE=<its base> slurm-down.sh) or remove them:" \
        "ip netns del $ns; ip link del $veth"
    fi
    ip netns add "$ns" || die "cannot create network namespace $ns: use HPCSIM_CLUSTER_MODE=ports"
    echo "netns $ns" >>"$RUN/net.list"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    echo "link $veth" >>"$RUN/net.list"
    ip link set "$veth" master "$BRIDGE" up
    ip -n "$ns" addr add "$SUBNET.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
  # Node names must resolve on the host and in every node. /etc/hosts is rewritten in place
  # (containers often bind-mount it, so no rename over it).
  hosts_new=$(mktemp)
  sed "/^# BEGIN $HOSTS_TAG\$/,/^# END $HOSTS_TAG\$/d" /etc/hosts >"$hosts_new"
  {
    echo "# BEGIN $HOSTS_TAG"
    for i in $(seq 1 "$NODES"); do echo "$SUBNET.$((10 + i)) node$i"; done
    echo "# END $HOSTS_TAG"
  } >>"$hosts_new"
  cat "$hosts_new" >/etc/hosts
  rm -f "$hosts_new"
  echo "$HOSTS_TAG" >"$RUN/hosts-block"
fi
T_NET=$(since "$T")

# ------------------------------------------------------------------ accounting (optional)
T=$(now)
if [ "$ACCT" = 1 ]; then
  DB=$BASE/mysql   # own datadir; pid file and error log must be in a mysql-owned dir
  rm -rf "$DB"
  mkdir -p "$DB"
  chown mysql:mysql "$DB"
  mariadb-install-db --user=mysql --datadir="$DB/data" --skip-test-db \
    --auth-root-authentication-method=socket >"$BASE/log/mariadb-install.log" 2>&1 \
    || die "mariadb-install-db failed (see $BASE/log/mariadb-install.log)"
  # --no-defaults: ignore Debian's /etc/mysql config; TCP on 127.0.0.1 because slurmdbd.conf
  # has no socket option. setsid: its own session, so it outlives the shell that started it.
  setsid mariadbd --no-defaults --user=mysql --datadir="$DB/data" --socket="$DB/mysqld.sock" \
    --bind-address=127.0.0.1 --port="$DB_PORT" --pid-file="$DB/mariadb.pid" \
    --log-error="$DB/mariadb.err" </dev/null >/dev/null 2>&1 9>&- &
  echo $! >"$RUN/mariadb.pid"
  sql() { mariadb --no-defaults --socket="$DB/mysqld.sock" -e "$1"; }
  for _ in $(seq 300); do sql 'select 1' >/dev/null 2>&1 && break; sleep 0.05; done
  sql "CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';
       GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" \
    || die "MariaDB did not come up (see $DB/mariadb.err)"
  cat >"$BASE/slurmdbd.conf" <<DBD
AuthType=auth/munge
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$BASE/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
DBD
  chmod 600 "$BASE/slurmdbd.conf"
  # slurmdbd looks for slurmdbd.conf next to SLURM_CONF
  slurmdbd 9>&- || die "slurmdbd failed to start (see $BASE/log/slurmdbd.log)"
  for _ in $(seq 300); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.05; done
  # Adding the cluster also creates account `root` with user root, so root's jobs pass the
  # associations check.
  sacctmgr -i add cluster hpcsim >/dev/null || die "slurmdbd does not answer (see $BASE/log/slurmdbd.log)"
fi
T_ACCT=$(since "$T")

# ------------------------------------------------------------------ slurmctld + slurmd
T=$(now)
slurmctld -c 9>&- || die "slurmctld failed to start (see $BASE/log/slurmctld.log)"
for _ in $(seq 200); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.05; done
for n in "${nodes[@]}"; do
  # in netns mode: nsenter, never `ip netns exec`, which remounts /sys, hiding /sys/fs/cgroup, and
  # slurmd 22.05 then refuses to start (slurm-node.sh; tests also use it to bring a node back)
  HPCSIM_CLUSTER_BASE=$BASE bash "$HERE/slurm-node.sh" start "$n" 9>&- || die "slurmd $n failed to start"
done
states=
for _ in $(seq 600); do
  states=$(sinfo -h -N -o %T 2>/dev/null | sort -u | tr '\n' ' ' || true)
  [ "$states" = "idle " ] && break
  sleep 0.05
done
if [ "$states" != "idle " ]; then
  sinfo -N >&2 || true
  tail -n 5 "$BASE"/log/*.log >&2 || true
  die "nodes not idle after 30 s (states: ${states:-none}); logs in $BASE/log"
fi
T_DAEMONS=$(since "$T")

sinfo -N -o '%N %T %c %P' | sed 's/^/slurm-up:   /'
say "ready: mode=$MODE nodes=$NODES accounting=$ACCT in $(since "$T0") s" \
  "(install $T_INSTALL, munge $T_MUNGE, net $T_NET, mariadb+slurmdbd $T_ACCT, slurmctld+slurmd->idle $T_DAEMONS)"
say "source $BASE/env.sh   # exports SLURM_CONF=$CONF"
