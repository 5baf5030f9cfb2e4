"""The `slurm` tier: tests against the project's real Slurm 22.05 test cluster.

The cluster is started by ``scripts/cluster/slurm-up.sh`` (root only). The session fixture
``slurm_cluster`` uses a cluster that is already up, else starts one when running as root (and
stops it again at the end), else skips the tier, saying how to run it. Under CI it never skips:
a missing cluster is a failure.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLURM_UP = REPO / "scripts" / "cluster" / "slurm-up.sh"
SLURM_DOWN = REPO / "scripts" / "cluster" / "slurm-down.sh"
HOW_TO_RUN = "run `sudo bash scripts/cluster/slurm-up.sh`, then `pytest tests/slurm`"


@dataclass(frozen=True)
class SlurmCluster:
    """A running test cluster: its base directory, node names and the environment that reaches it."""

    base: Path
    nodes: list[str]
    accounting: bool
    env: dict[str, str]  # what $base/env.sh exports: SLURM_CONF, HPCSIM_CLUSTER_*
    mode: str = "netns"  # netns: every node has its own hostname; ports: all share the machine's


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip the tier with ``reason``; in CI, fail instead (the tier must run there)."""
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
