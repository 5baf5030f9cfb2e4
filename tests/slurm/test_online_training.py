"""The online-training seed on the real Slurm test cluster: the database, the producer and the
Keras training service are three batch jobs, each on its own node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve().parents[2] / "examples" / "online_training" / "driver.py"
PORT = 6795


def test_producer_and_trainer_on_two_nodes_use_a_database_on_a_third(slurm_cluster: Any, tmp_path: Path) -> None:
    db_node, producer_node, trainer_node = slurm_cluster.nodes[2], slurm_cluster.nodes[0], slurm_cluster.nodes[1]
    hosts = ",".join([db_node, producer_node, trainer_node])
    env = {**os.environ, **slurm_cluster.env, "HPCSIM_SITE": "hpcsim-testcluster", "TF_CPP_MIN_LOG_LEVEL": "2"}
    args = ["--launcher", "slurm", "--hosts", hosts, "--port", str(PORT), "--iterations", "12", "--interval", "0.75"]
    done = subprocess.run(
        [sys.executable, str(DRIVER), *args, "--epochs", "60"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    root = tmp_path / "online-training"
    err = root / "training_service" / "training_service.err"
    assert done.returncode == 0, done.stderr[-3000:] + (err.read_text()[-3000:] if err.exists() else "")
    assert f"database 'orchestrator' up: 10.77.77.1{db_node[-1]}:{PORT}" in done.stderr

    produced = (root / "producer" / "producer.out").read_text().splitlines()
    assert produced == [f"rank 0 on {producer_node}: uploaded iteration {i}" for i in range(12)]
    out = (root / "training_service" / "training_service.out").read_text().splitlines()
    assert out[0] == f"training on {trainer_node}"
    epochs = [json.loads(line) for line in out if line.startswith("{")]
    sizes = [e["samples"] for e in epochs]
    assert len(epochs) == 60 and sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert epochs[-1]["loss"] < epochs[0]["loss"] / 4
