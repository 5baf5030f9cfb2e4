"""Node-local databases (``hpcsim db start --colocated`` inside a Slurm allocation): one
standalone shard on every node of the allocation, bound to loopback, so that every rank talks
to the server on its own node and no data crosses the network.

A colocated model (docs/colocated.md) starts its servers from its own ranks and stops them when
they leave. These must outlive any one step: a user's batch script starts them once, runs many
``srun`` steps against them and stops them at the end. So they are an Orchestrator launched like
any other (one ``srun --overlap`` step, a shard per node, each named after its rank) that never
forms a cluster, whatever the node count. Because they answer only on their node's loopback,
the driver pings and stops them through a short ``srun`` step with a task on every node
(``python -m hpcsim.db.probe``).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hpcsim._shell import run
from hpcsim.db.probe import ShardPing, ping_shard
from hpcsim.db.secret import read_secret
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import CommandError, ConfigError

__all__ = ["NodeLocal", "NodeLocalOrchestrator", "in_this_allocation", "on_every_node"]

#: what ``start`` leaves in the experiment's hidden directory, for ``ping`` and ``stop``
_MARKER = "node-local-db.json"
#: seconds a probe step may take (queueing a step in a busy allocation included)
_PROBE_TIMEOUT = 120.0


class NodeLocalOrchestrator(Orchestrator):
    """``nodes`` standalone shards, one per node, each on ``127.0.0.1:port`` of its node."""

    def __init__(self, path: Path, port: int, nodes: int, launcher: str) -> None:
        super().__init__(path, port, interface="lo", launcher=launcher)
        self.db_nodes = nodes  # set after the checks: shards that never join allow any count, 2 included

    @property
    def is_cluster(self) -> bool:
        return False


@dataclass(frozen=True)
class NodeLocal:
    """Node-local shards of a database directory: in which job, on how many nodes, on which port."""

    job: str
    nodes: int
    port: int

    @staticmethod
    def path(directory: Path) -> Path:
        return directory / ".hpcsim" / _MARKER

    def save(self, directory: Path) -> None:
        self.path(directory).write_text(json.dumps({"job": self.job, "nodes": self.nodes, "port": self.port}))

    @classmethod
    def load(cls, directory: Path) -> NodeLocal | None:
        """The node-local shards recorded in ``directory``, or None for an ordinary database."""
        try:
            data = json.loads(cls.path(directory).read_text())
        except FileNotFoundError:
            return None
        return cls(str(data["job"]), int(data["nodes"]), int(data["port"]))

    @classmethod
    def forget(cls, directory: Path) -> None:
        cls.path(directory).unlink(missing_ok=True)


def in_this_allocation(port: int, env: Mapping[str, str] = os.environ) -> NodeLocal:
    """Node-local shards on ``port`` across every node of the Slurm allocation this runs in;
    ConfigError where there is none, or where this does not run on one of its nodes."""
    job = env.get("SLURM_JOB_ID", "")
    nodes = env.get("SLURM_JOB_NUM_NODES") or env.get("SLURM_NNODES") or ""
    if not job or not nodes.isdigit():
        raise ConfigError(
            "--colocated starts a shard on every node of a Slurm allocation, and this runs in none that says "
            "how many nodes it has (SLURM_JOB_ID, SLURM_JOB_NUM_NODES); leave out --colocated and use the "
            "database's address (HPCSIM_DB) from every node instead"
        )
    if not env.get("SLURMD_NODENAME"):
        raise ConfigError(
            "--colocated must run on a node of the allocation (in the batch script, or an `srun --pty` shell), "
            "because the shards answer only on their node's loopback"
        )
    return NodeLocal(job, int(nodes), port)


def on_every_node(
    action: str, shards: NodeLocal, password_file: str, env: Mapping[str, str] = os.environ
) -> list[ShardPing]:
    """Run ``python -m hpcsim.db.probe ACTION`` as one task per node of the allocation; one
    report per node, and an unanswered one for every node whose task said nothing.

    A ping from a step of the job (``srun hpcsim db ping``) asks only its own node's shard."""
    if env.get("SLURM_JOB_ID") != shards.job:
        raise ConfigError(
            f"the database's shards run on the loopback of each node of Slurm job {shards.job}; run "
            "`hpcsim db ping` and `hpcsim db stop` inside that job (its batch script)"
        )
    address = f"127.0.0.1:{shards.port}"
    if env.get("SLURM_STEP_ID") and action == "ping":
        return [ping_shard(address, read_secret(password_file) if password_file else None, socket.gethostname())]
    argv = ["srun", "--overlap", "--export=ALL", f"--nodes={shards.nodes}", f"--ntasks={shards.nodes}"]
    argv += ["--ntasks-per-node=1", sys.executable, "-m", "hpcsim.db.probe", action, "--port", str(shards.port)]
    if password_file:
        argv += ["--password-file", password_file]
    try:
        done = run(argv, timeout=_PROBE_TIMEOUT, check=False)
    except CommandError as exc:
        return [ShardPing(address, None, "", f"srun failed: {exc}")]
    reports = [ShardPing(**json.loads(line)) for line in done.stdout.splitlines() if line.startswith("{")]
    detail = (done.stderr.strip().splitlines() or [f"srun exited {done.returncode}"])[-1]
    missing = [ShardPing(address, None, "", f"no report ({detail})")] * (shards.nodes - len(reports))
    return sorted(reports, key=lambda r: r.host) + missing
