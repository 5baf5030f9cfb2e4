"""The Slurm test cluster itself: multi-node srun, batch exit codes, MPI across nodes.

Real Slurm, real processes, no mocks. The filesystem is shared by every node, so the venv's
python and the pytest tmp_path are usable inside jobs.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import APPS
from .conftest import SlurmCluster

MPI_HELLO = str(APPS / "mpi_hello.py")
N = 3  # the cluster's default size; every test here spans 3 nodes


def _run(
    cluster: SlurmCluster, args: list[str], cwd: Path, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **cluster.env, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _job_id(sbatch_stdout: str) -> str:
    match = re.search(r"Submitted batch job (\d+)", sbatch_stdout)
    assert match, f"no job id in sbatch output: {sbatch_stdout!r}"
    return match.group(1)


@pytest.fixture
def cluster(slurm_cluster: SlurmCluster) -> SlurmCluster:
    assert len(slurm_cluster.nodes) >= N, f"these tests need {N} nodes (HPCSIM_CLUSTER_NODES>={N}): {slurm_cluster}"
    return slurm_cluster


@pytest.fixture
def mpi4py_installed() -> None:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.fail("mpi4py is not installed in this venv: pip install -e '.[test]'", pytrace=False)


def _check_hello(output: str, cluster: SlurmCluster) -> None:
    """mpi_hello.py printed `rank size hostname` once per rank, one rank per node."""
    rows = [line.split() for line in output.splitlines() if line.strip()]
    assert rows, "no output"
    assert all(len(row) == 3 for row in rows), output
    assert sorted(int(rank) for rank, _, _ in rows) == list(range(N)), output
    assert {int(size) for _, size, _ in rows} == {N}, output
    if cluster.mode == "netns":  # in ports mode every node has the machine's hostname
        assert len({host for _, _, host in rows}) == N, output


def test_srun_runs_on_three_distinct_nodes(cluster: SlurmCluster, tmp_path: Path) -> None:
    done = _run(cluster, ["srun", f"-N{N}", f"-n{N}", "sh", "-c", "echo $SLURMD_NODENAME $(hostname)"], tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert len({node for node, _ in rows}) == N, done.stdout
    if cluster.mode == "netns":
        assert sorted(host for _, host in rows) == sorted(node for node, _ in rows), done.stdout


def test_batch_job_exit_code_is_reported_as_failed(cluster: SlurmCluster, tmp_path: Path) -> None:
    done = _run(cluster, ["sbatch", "--wait", "-o", "exit7.out", "--wrap", "exit 7"], tmp_path)
    assert done.returncode == 7, (done.stdout, done.stderr)  # sbatch --wait exits with the job's code
    job = _job_id(done.stdout)
    shown = _run(cluster, ["scontrol", "show", "job", job], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "JobState=FAILED" in shown.stdout, shown.stdout
    assert re.search(r"\bExitCode=7:0\b", shown.stdout), shown.stdout


def test_mpi_hello_with_srun_pmix_spans_nodes(cluster: SlurmCluster, tmp_path: Path, mpi4py_installed: None) -> None:
    done = _run(cluster, ["srun", "--mpi=pmix", f"-N{N}", f"-n{N}", sys.executable, MPI_HELLO], tmp_path)
    assert done.returncode == 0, done.stderr
    _check_hello(done.stdout, cluster)


def test_mpi_hello_with_mpirun_in_batch_job_spans_nodes(
    cluster: SlurmCluster, tmp_path: Path, mpi4py_installed: None
) -> None:
    # Open MPI finds the allocation from the SLURM_* variables and starts its daemons with srun
    script = f"mpirun -n {N} {sys.executable} {MPI_HELLO}"
    done = _run(
        cluster,
        ["sbatch", "--wait", f"-N{N}", "--ntasks-per-node=1", "-o", "hello.out", "--wrap", script],
        tmp_path,
        timeout=120,
        OMPI_ALLOW_RUN_AS_ROOT="1",  # jobs run as the submitting user, which is root in CI
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
    )
    output = (tmp_path / "hello.out").read_text() if (tmp_path / "hello.out").exists() else ""
    assert done.returncode == 0, (done.stdout, done.stderr, output)
    _check_hello(output, cluster)
