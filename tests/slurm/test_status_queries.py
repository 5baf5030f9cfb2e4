"""How the Slurm adapter asks about jobs: one squeue for any number of jobs, sacct only for
jobs that left the queue without an exit code, never a guess of success."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment
from hpcsim.schedulers import JobRef, detect_scheduler
from hpcsim.schedulers.slurm import SlurmScheduler
from hpcsim.status import Status

_SHIM = '#!/bin/sh\necho "{name}" >>"{log}"\nexec {real} "$@"\n'


@pytest.fixture
def calls(slurm_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every squeue/sacct/scontrol call is logged to the returned file (one name per line)."""
    shims, log = tmp_path / "shims", tmp_path / "calls.log"
    shims.mkdir()
    for name in ("squeue", "sacct", "scontrol"):
        real = shutil.which(name)
        assert real is not None
        (shims / name).write_text(_SHIM.format(name=name, log=log, real=real))
        (shims / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    log.write_text("")
    yield log


def _sbatch(command: str, *options: str) -> str:
    """Submit ``command``; with ``--wait`` sbatch exits with the job's code, which is fine."""
    done = subprocess.run(
        ["sbatch", "--parsable", "-o", "/dev/null", *options, "--wrap", command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().isdigit(), done.stderr
    return done.stdout.strip()


def test_one_squeue_answers_for_every_job(calls: Path, tmp_path: Path) -> None:
    ids = [_sbatch("sleep 30") for _ in range(8)]
    scheduler = SlurmScheduler(tmp_path / "psij")
    refs = [JobRef(i, str(tmp_path / f"{i}.ec")) for i in ids]
    updates = scheduler.status(refs)
    try:
        assert calls.read_text().split() == ["squeue"]
        assert {u.status for u in updates.values()} <= {Status.QUEUED, Status.RUNNING}
    finally:
        subprocess.run(["scancel", *ids], timeout=60, check=True)


def test_finished_job_without_exit_code_file_is_resolved_by_sacct(
    slurm_cluster: Any, calls: Path, tmp_path: Path
) -> None:
    if not slurm_cluster.accounting:
        pytest.fail("the cluster runs without accounting; start it with HPCSIM_CLUSTER_ACCOUNTING=1")
    job = _sbatch("exit 3", "--wait")
    scheduler = SlurmScheduler(tmp_path / "psij")
    assert scheduler.lookup([job])[job].exit_code == 3
    # a job squeue does not list (purged) and that recorded nothing: sacct is asked, once
    calls.write_text("")
    gone = JobRef("999999", str(tmp_path / "none.ec"))
    update = scheduler.status([gone])[gone]
    assert calls.read_text().split() == ["squeue", "sacct"]
    assert update.status is Status.FAILED
    assert "left the queue" in update.reason


def test_a_recorded_exit_code_needs_no_lookup(calls: Path, tmp_path: Path) -> None:
    ec = tmp_path / "done.ec"
    ec.write_text("0\n")
    ref = JobRef("999998", str(ec))
    assert SlurmScheduler(tmp_path / "psij").status([ref])[ref].status is Status.COMPLETED
    assert calls.read_text().split() == ["squeue"]


def test_auto_launcher_picks_slurm_on_a_slurm_machine(slurm_cluster: Any, tmp_path: Path) -> None:
    assert detect_scheduler() == "slurm"
    assert Experiment("auto", exp_path=tmp_path / "exp", launcher="auto").launcher == "slurm"
