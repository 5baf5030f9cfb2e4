"""The online-training seed with a compiled producer on the real Slurm test cluster: the MPI
Fortran simulation of examples/fortran_simulation (built with mpif90 and ``hpcsim clients
flags`` by its Makefile), one rank per node on 3 nodes under srun, uploads
``points_<rank>_<iteration>``/``value_<rank>_<iteration>``; the Python training service with
``uploader_ranks=3`` trains on them while they arrive. The database, the producer and the
trainer are batch jobs started by the example's driver (an hpcsim Experiment)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.native.conftest import HPCSIM, _unavailable, hpcsim_cli, missing_toolchain

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fortran_simulation"
PORT = 6797
RANKS, ITERATIONS, SAMPLES, EPOCHS = 3, 16, 32, 30


@pytest.fixture(scope="module")
def producer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clients built with `hpcsim clients build`, then the Fortran producer built with the
    example's Makefile (mpif90 and `hpcsim clients flags`), in a temporary folder that every
    node of the test cluster sees."""
    reason = missing_toolchain() or (None if shutil.which("mpif90") else "no mpif90: apt-get install libopenmpi-dev")
    if reason is not None:
        _unavailable(reason)
    root = tmp_path_factory.mktemp("native-producer")
    prefix = root / "prefix"
    env = {**os.environ, "XDG_DATA_HOME": str(root / "xdg")}
    env.pop("HPCSIM_CLIENTS_PREFIX", None)
    done = hpcsim_cli("clients", "build", "--prefix", str(prefix), "--jobs", "2", env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    build = root / "build"
    build.mkdir()
    make = ["make", "-C", str(build), "-f", str(EXAMPLE / "Makefile"), f"HPCSIM={HPCSIM}", f"PREFIX={prefix}"]
    made = subprocess.run(make, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Warning" not in made.stderr, made.stderr  # -Wall -Wextra clean
    return build / "producer"


def test_fortran_mpi_producer_on_three_nodes_feeds_the_python_trainer(
    slurm_cluster: Any, producer: Path, tmp_path: Path
) -> None:
    db_node, trainer_node = slurm_cluster.nodes[2], slurm_cluster.nodes[1]
    env = {**os.environ, **slurm_cluster.env, "HPCSIM_SITE": "hpcsim-testcluster"}
    args = ["--launcher", "slurm", "--hosts", f"{db_node},{trainer_node}", "--port", str(PORT)]
    args += ["--producer", str(producer), "--ranks", str(RANKS), "--iterations", str(ITERATIONS)]
    args += ["--interval", "0.5", "--samples", str(SAMPLES), "--epochs", str(EPOCHS), "--framework", "torch"]
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "driver.py"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    root = tmp_path / "fortran-simulation"
    errors = "".join(
        f"\n--- {path.name}:\n{path.read_text()[-2000:]}"
        for path in sorted(root.glob("*/*.err"))
        if path.stat().st_size
    )
    assert done.returncode == 0, done.stderr[-3000:] + errors
    assert f"database 'orchestrator' up: 10.77.77.1{db_node[-1]}:{PORT}" in done.stderr

    # one rank on each node, and every rank uploaded every iteration
    produced = (root / "producer" / "producer.out").read_text().splitlines()
    nodes = {line.split()[1]: line.split()[3].rstrip(":") for line in produced}
    assert sorted(nodes) == [str(rank) for rank in range(RANKS)] and sorted(nodes.values()) == slurm_cluster.nodes
    expected = [
        f"rank {rank} on {nodes[str(rank)]}: uploaded iteration {i}" for rank in range(RANKS) for i in range(ITERATIONS)
    ]
    assert sorted(produced) == sorted(expected)

    out = (root / "training_service" / "training_service.out").read_text().splitlines()
    assert out[0] == f"training on {trainer_node}"
    epochs = [json.loads(line) for line in out if line.startswith("{")]
    sizes = [epoch["samples"] for epoch in epochs]
    assert len(epochs) >= EPOCHS  # at least --epochs, then on until an epoch had every sample
    # the training set grew while the simulation ran, and the trainer got every sample
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1], sizes
    assert sizes[-1] == RANKS * ITERATIONS * SAMPLES
    assert epochs[-1]["loss"] < epochs[0]["loss"] / 4, (epochs[0], epochs[-1])
