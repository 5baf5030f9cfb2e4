"""End times on the Slurm test cluster (issue 19, "Times are wrong"): a job hpcsim notices
late is recorded as ending when it ended, from its exit-code file or Slurm's own end time."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status


@pytest.fixture
def sexp(slurm_cluster: Any, tmp_path: Path) -> Any:
    experiment = Experiment("slurm-end", exp_path=tmp_path / "exp", launcher="slurm")
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


def _until(what: str, check: Any, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _squeue_state(job_id: str) -> str:
    done = subprocess.run(["squeue", "-h", "-t", "all", "-j", job_id, "-o", "%T"], capture_output=True, text=True)
    return done.stdout.strip()


def test_a_batch_job_polled_late_records_when_it_ended(sexp: Experiment) -> None:
    model = sexp.create_model(
        "nap", sexp.create_run_settings("sleep", ["1"]), batch_settings=sexp.create_batch_settings(1, "00:05:00")
    )
    sexp.start(model, block=False)
    ec = Path(sexp.job_record("nap").exit_code_file)
    _until("the job's exit code", lambda: ec.is_file() and ec.read_text().strip())
    time.sleep(2.0)
    polled = time.time()
    assert sexp.get_status(model) == [Status.COMPLETED]
    record = sexp.job_record("nap")
    assert 1.0 <= record.updated - record.submitted < polled - record.submitted


def test_a_job_slurm_ended_records_slurms_end(sexp: Experiment) -> None:
    model = sexp.create_model(
        "long", sexp.create_run_settings("sleep", ["600"]), batch_settings=sexp.create_batch_settings(1, "00:15:00")
    )
    sexp.start(model, block=False)
    job_id = sexp.job_record("long").native_id
    _until("the job to run", lambda: _squeue_state(job_id) == "RUNNING")
    subprocess.run(["scancel", job_id], check=True, timeout=60)  # behind hpcsim's back: no exit code recorded
    _until("Slurm to end the job", lambda: _squeue_state(job_id) == "CANCELLED")
    time.sleep(2.0)
    polled = time.time()
    [status] = sexp.get_status(model)
    assert status is Status.CANCELLED
    record = sexp.job_record("long")
    # Slurm's end has whole seconds, so it may lie up to 1 s before the submission time hpcsim took
    assert record.submitted <= record.updated < polled - 1.0
