"""``hpcsim db`` inside users' own sbatch scripts on the real Slurm test cluster: the shipped
example job script on two nodes, and node-local shards (``--colocated``) on two nodes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from hpcsim.control.store import JobStore, store_path
from hpcsim.status import Status

from ..dbutil import refused

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sbatch_db"
#: ports no other test of the tier uses, so that runs in parallel do not collide on a node
PORT, COLOCATED_PORT = 6821, 6822


def _sbatch(cluster: Any, script: Path, workdir: Path, *args: str, **env: str) -> tuple[str, str]:
    """Submit ``script`` as a user would (their environment, hpcsim's venv on PATH), wait until
    the job COMPLETED (squeue every 0.5 s: ``sbatch --wait`` sleeps up to 32 s between looks),
    and return its id and output."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HPCSIM_DB", "SLURM_JOB", "SSDB", "SR_DB"))}
    out = workdir / "job.out"
    submitted = subprocess.run(
        ["sbatch", "--parsable", "--time=00:05:00", "-D", str(workdir), "-o", str(out), *args, str(script)],
        cwd=script.parent,
        env={**clean, **cluster.env, "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert submitted.returncode == 0, submitted.stderr
    job = submitted.stdout.strip().split(";")[0]
    deadline, state = time.monotonic() + 300, ""
    while state in ("", "PENDING", "CONFIGURING", "RUNNING", "COMPLETING") and time.monotonic() < deadline:
        time.sleep(0.5)
        query = ["squeue", "-h", "-t", "all", "-j", job, "-o", "%T"]
        state = subprocess.run(query, capture_output=True, text=True, timeout=30).stdout.strip()
    output = out.read_text() if out.exists() else ""
    assert state == "COMPLETED", (state, output)
    return job, output


def _database_job(directory: Path) -> tuple[Status, str]:
    store = JobStore(store_path(directory), create=False)
    try:
        [record] = store.all_runs()
        assert store.databases() == {}  # stopped: nothing is recorded as running
        return record.status, record.scheduler
    finally:
        store.close()


def test_example_job_script_starts_uses_pings_and_stops_a_database(slurm_cluster: Any, tmp_path: Path) -> None:
    job, output = _sbatch(slurm_cluster, EXAMPLE / "job.sh", tmp_path, DB_PORT=str(PORT), DB_INTERFACE="eth0")
    lines = output.splitlines()
    ranks = sorted(line for line in lines if line.startswith("rank "))
    assert len(ranks) == 2, output
    hosts = [re.match(r"rank (\d) on (\S+): sample_\1 via (\S+): ok$", line) for line in ranks]
    assert all(hosts), ranks
    [address] = {m[3] for m in hosts if m}
    assert len({m[2] for m in hosts if m}) == 2  # one rank on each node, both used the one shard
    assert re.fullmatch(r"10\.77\.77\.1[123]:6821", address)
    assert any(re.fullmatch(rf"{re.escape(address)}  \d+\.\d\d ms", line) for line in lines), output
    directory = tmp_path / f"hpcsim-db-{job}"
    assert f"database in {directory} stopped" in lines
    assert _database_job(directory) == (Status.COMPLETED, "local")  # an srun step of the job, ended cleanly
    assert refused(address)


def test_colocated_gives_every_node_its_own_loopback_shard(slurm_cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "node_keys.py").write_text(
        textwrap.dedent(
            """
            import json, os, socket, sys
            import numpy as np
            from hpcsim import Client
            client, host = Client(), socket.gethostname()
            if sys.argv[1] == "put":
                client.put_tensor(f"from_{host}", np.arange(4))
            else:  # what this node's database holds: only what this node's rank wrote
                seen = [n for n in sys.argv[2:] if client.tensor_exists(f"from_{n}")]
                print(json.dumps({"host": host, "db": os.environ["HPCSIM_DB"], "seen": seen}), flush=True)
            """
        )
    )
    nodes = " ".join(slurm_cluster.nodes)
    script = tmp_path / "colocated.sh"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/bash
            set -euo pipefail
            eval "$(hpcsim db start --colocated --port {COLOCATED_PORT})"
            srun --ntasks-per-node=1 python node_keys.py put
            srun --ntasks-per-node=1 python node_keys.py seen {nodes}
            hpcsim db ping --json
            srun --ntasks-per-node=1 hpcsim db ping --json
            hpcsim db stop
            """
        )
    )
    job, output = _sbatch(slurm_cluster, script, tmp_path, "--nodes=2")
    lines = output.splitlines()
    seen = [json.loads(line) for line in lines if line.startswith('{"host"')]
    assert len(seen) == 2, output
    for rank in seen:
        assert rank["db"] == f"127.0.0.1:{COLOCATED_PORT}"
        assert rank["seen"] == [rank["host"]]  # its own node's key, not the other node's
    # from the batch script (a probe step on every node), then from a step on every node (its own shard)
    pings = [answer for line in lines if line.startswith('[{"address"') for answer in json.loads(line)]
    assert sorted(p["host"] for p in pings) == sorted(2 * [r["host"] for r in seen])
    assert all(p["ok"] and p["address"] == f"127.0.0.1:{COLOCATED_PORT}" for p in pings)
    directory = tmp_path / f"hpcsim-db-{job}"
    assert f"database in {directory} stopped" in lines
    assert _database_job(directory) == (Status.COMPLETED, "local")  # every shard ended on SHUTDOWN
    assert not (directory / ".hpcsim" / "node-local-db.json").exists()
