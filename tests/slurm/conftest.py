"""The `slurm` tier: tests against the project's real Slurm 22.05 test cluster.

The cluster is started by ``scripts/cluster/slurm-up.sh`` (root only). The session fixture
``slurm_cluster`` uses a cluster that is already up, else starts one when running as root (and
stops it again at the end), else skips the tier, saying how to run it. Under CI it never skips:
a missing cluster is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLURM_UP = REPO / "scripts" / "cluster" / "slurm-up.sh"
SLURM_DOWN = REPO / "scripts" / "cluster" / "slurm-down.sh"
SLURM_NODE = REPO / "scripts" / "cluster" / "slurm-node.sh"
TEST_SITES = REPO / "tests" / "fixtures" / "sites"  # hpcsim-testcluster.yaml, not shipped in the wheel
HOW_TO_RUN = "run `sudo bash scripts/cluster/slurm-up.sh`, then `pytest tests/slurm`"


@dataclass(frozen=True)
class SlurmCluster:
    """A running test cluster: its base directory, node names and the environment that reaches it."""

    base: Path
    nodes: list[str]
    accounting: bool
    env: dict[str, str]  # what $base/env.sh exports: SLURM_CONF, HPCSIM_CLUSTER_*
    mode: str = "netns"  # netns: every node has its own hostname; ports: all share the machine's
    memory_limits: bool = False  # task/cgroup enforces --mem (an allocation beyond it is OOM-killed)
    slurmd_timeout: int = 300  # s without an answer from a node's slurmd before slurmctld may set it DOWN


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip the tier (or a test) with ``reason``; in CI, fail instead (the tier must run there)."""
    if _in_ci():
        pytest.fail(f"Slurm test cluster unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _read_env_sh(path: Path) -> dict[str, str]:
    """The ``export NAME=VALUE`` lines of slurm-up's env.sh."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            env[name] = value
    return env


def _slurm(args: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout, check=False)


def _answers(env: dict[str, str]) -> bool:
    """Whether slurmctld behind env's SLURM_CONF answers ``scontrol ping`` with UP."""
    if "SLURM_CONF" not in env:
        return False
    try:
        done = _slurm(["scontrol", "ping"], env, timeout=15)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "is UP" in done.stdout


def _start(base: Path) -> bool:
    """Run slurm-up.sh; True if it started the cluster, False if another session just did.

    Its output goes to a file, not a pipe, because the daemons it starts outlive it.
    """
    with tempfile.TemporaryFile(mode="w+") as log:
        try:
            done = subprocess.run(
                ["bash", str(SLURM_UP)],
                env={**os.environ, "HPCSIM_CLUSTER_BASE": str(base)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=900,  # a first run apt-installs Slurm, MariaDB and Open MPI
                check=False,
            )
            failed = f"exit code {done.returncode}" if done.returncode else ""
        except subprocess.TimeoutExpired:
            failed = "no result after 900 s"
        if failed:
            log.seek(0)
            tail = "\n".join(log.read().splitlines()[-15:])
            _stop(base)  # whatever it got to start
            _unavailable(f"scripts/cluster/slurm-up.sh failed ({failed}):\n{tail}")
        log.seek(0)
        return "already up" not in log.read()


def _stop(base: Path) -> None:
    subprocess.run(
        ["bash", str(SLURM_DOWN)],
        env={**os.environ, "HPCSIM_CLUSTER_BASE": str(base)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(autouse=True)
def test_cluster_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes the site ``hpcsim-testcluster`` (a test fixture) findable, in process and in drivers."""
    monkeypatch.setenv("HPCSIM_SITE_PATH", str(TEST_SITES))


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[SlurmCluster]:
    base = Path(os.environ.get("HPCSIM_CLUSTER_BASE", "/tmp/hpcsim-slurm"))
    env_sh = base / "env.sh"
    started = False
    if not (env_sh.is_file() and _answers(_read_env_sh(env_sh))):
        if os.geteuid() != 0:
            _unavailable(f"the Slurm test cluster under {base} is not up and starting it needs root: {HOW_TO_RUN}")
        started = _start(base)
    env = _read_env_sh(env_sh)
    if not _answers(env):
        _unavailable(f"slurmctld of the cluster under {base} does not answer `scontrol ping`: {HOW_TO_RUN}")
    nodes = _slurm(["sinfo", "-h", "-N", "-o", "%N"], env).stdout.split()
    cluster = SlurmCluster(
        base=base,
        nodes=sorted(set(nodes)),
        accounting=env.get("HPCSIM_CLUSTER_ACCOUNTING") == "1",
        env=env,
        mode=env.get("HPCSIM_CLUSTER_MODE", "netns"),
        memory_limits=env.get("HPCSIM_CLUSTER_CGROUP") == "1",
        slurmd_timeout=int(env.get("HPCSIM_CLUSTER_SLURMD_TIMEOUT") or 300),
    )
    saved = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = env["SLURM_CONF"]
    try:
        yield cluster
    finally:
        if saved is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = saved
        if started:
            _stop(base)


# -- killing a node --------------------------------------------------------------------------------

#: a job's step daemon, e.g. ``slurmstepd: [12.batch]`` or ``slurmstepd: [12.0]``
_STEPD = re.compile(r"^slurmstepd: \[(\d+)\.[^\]]+\]")


def _cmdline(pid: int) -> str:
    """The command line of ``pid``; empty for a process that is gone (or a zombie)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _children() -> dict[int, list[int]]:
    """Every process's children, from the parent pid in ``/proc/PID/stat``."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(pid)
    return children


@dataclass(frozen=True)
class FailingNode:
    """A node of the cluster that a test kills for real: its slurmd and, on that node only, the
    processes of jobs the test started. netns mode: a node's processes are the ones in its network
    namespace. ``restore`` brings the node back (scripts/cluster/slurm-node.sh)."""

    cluster: SlurmCluster
    name: str

    def _netns(self) -> int:
        return os.stat(f"/run/netns/hpcsim-{self.name}").st_ino

    def _on_node(self, pid: int, netns: int) -> bool:
        try:
            return os.stat(f"/proc/{pid}/ns/net").st_ino == netns
        except OSError:
            return False

    def step_daemons(self, job_ids: Collection[str]) -> dict[int, str]:
        """The ``slurmstepd`` processes of ``job_ids`` on this node, by pid."""
        netns = self._netns()
        found = {}
        for pid in _pids():
            match = _STEPD.match(_cmdline(pid))
            if match and match.group(1) in job_ids and self._on_node(pid, netns):
                found[pid] = _cmdline(pid)
        return found

    def slurmd(self) -> int:
        """The pid of this node's slurmd, as slurm-up.sh recorded it (checked against its command line)."""
        pid = int((self.cluster.base / "run" / f"slurmd.{self.name}.pid").read_text())
        assert _cmdline(pid) == f"slurmd -N {self.name}", f"pid {pid} is not {self.name}'s slurmd: {_cmdline(pid)!r}"
        return pid

    def foreign_jobs(self, job_ids: Collection[str]) -> list[str]:
        """Jobs on this node that are not ``job_ids`` (killing the node would fail them too)."""
        done = _slurm(["squeue", "-h", "-w", self.name, "-t", "CF,R,CG,S", "-o", "%A"], self.cluster.env)
        return sorted(set(done.stdout.split()) - set(job_ids))

    def kill(self, job_ids: Collection[str], reset: bool = False) -> list[int]:
        """SIGKILL this node's slurmd and every process of ``job_ids`` on it: their step daemons
        and all they started. Everything is stopped (SIGSTOP) first, so that nothing forks,
        exits or reports to slurmctld while the process tree is collected. Returns the pids.

        ``reset``: abort the node's TCP connections (``ss -K``) while its processes are stopped,
        so that their peers get a reset, as from a daemon that dies with data unread; an srun
        elsewhere then loses its step at once, long before slurmctld declares the node down."""
        steps = self.step_daemons(job_ids)
        assert steps, f"no step daemon of jobs {sorted(job_ids)} on {self.name}"
        frozen: list[int] = []

        def freeze(pid: int) -> None:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                return
            frozen.append(pid)

        for pid in [self.slurmd(), *steps]:
            freeze(pid)
        while True:  # a stopped process forks nothing more, so this ends
            children = _children()
            new = [child for pid in frozen for child in children.get(pid, []) if child not in frozen]
            if not new:
                break
            for child in new:
                freeze(child)
        if reset:
            done = subprocess.run(
                ["ip", "netns", "exec", f"hpcsim-{self.name}", "ss", "-K", "-t", "-n", "state", "established"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert done.returncode == 0, f"ss -K in {self.name}'s namespace failed: {done.stderr}"
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return frozen

    def state(self) -> set[str]:
        """The node's state flags as slurmctld has them, e.g. ``{"DOWN", "NOT_RESPONDING"}`` (sinfo
        may print a DOWN node that still has completing jobs as ``mixed*``)."""
        out = _slurm(["scontrol", "show", "node", self.name], self.cluster.env).stdout
        match = re.search(r"\bState=(\S+)", out)
        return set(match.group(1).split("+")) if match else set()

    def restore(self) -> None:
        """Start the node's slurmd again if it is not running and wait (bounded) until slurmctld
        has the node back in service; fails the test if it does not come back."""
        done = subprocess.run(
            ["bash", str(SLURM_NODE), "restore", self.name],
            env={**os.environ, **self.cluster.env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"{self.name} did not come back: {done.stdout}{done.stderr}", pytrace=False)


@pytest.fixture
def failing_node(slurm_cluster: SlurmCluster) -> Iterator[FailingNode]:
    """The cluster's last node, for a test to kill; whatever the test does, the node is
    brought back afterwards (slurmd started again, node resumed) for the tests after it."""
    if os.geteuid() != 0:
        _unavailable("killing a node's slurmd needs root: run the slurm tier as root")
    if slurm_cluster.mode != "netns":
        _unavailable(f"a node's processes are told apart by its network namespace; {slurm_cluster.mode} mode has none")
    if len(slurm_cluster.nodes) < 2:
        _unavailable(f"a node failure test needs 2 nodes, the cluster has {slurm_cluster.nodes}")
    if slurm_cluster.slurmd_timeout > 30:
        _unavailable(
            f"the cluster's SlurmdTimeout is {slurm_cluster.slurmd_timeout} s: a killed node would stay up that long; "
            "restart it with the current scripts/cluster/slurm-up.sh (5 s)"
        )
    node = FailingNode(slurm_cluster, slurm_cluster.nodes[-1])
    node.restore()  # in service before the test, whatever an earlier one left
    try:
        yield node
    finally:
        node.restore()
