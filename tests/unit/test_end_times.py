"""End times (issue 19, "Times are wrong"): what the schedulers say of when a job ended, and
how the store stamps a job's terminal state with it."""

from __future__ import annotations

import time
from pathlib import Path

from hpcsim.control.store import JobStore, NewJob
from hpcsim.schedulers.base import JobRef, JobUpdate, aggregate, outcome
from hpcsim.schedulers.parsers.slurm import parse_sacct, parse_squeue
from hpcsim.status import Status


def _epoch(text: str) -> float:
    return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))


def test_sacct_end_is_the_job_end() -> None:
    jobs = parse_sacct("12|TIMEOUT|0:0|2024-05-01T12:34:56\n13|RUNNING|0:0|Unknown\n14|FAILED|3:0\n")
    assert jobs["12"].ended == _epoch("2024-05-01T12:34:56")
    assert jobs["13"].ended is None and jobs["14"].ended is None


def test_squeue_end_counts_only_for_finished_jobs() -> None:
    # a running job's %e is when its time limit runs out, not an end
    jobs = parse_squeue("7|COMPLETED|None|2024-05-01T12:00:01\n8|RUNNING|None|2024-05-01T13:00:00\n")
    assert jobs["7"].ended == _epoch("2024-05-01T12:00:01")
    assert jobs["8"].ended is None


def test_an_array_ends_with_its_last_task() -> None:
    jobs = parse_squeue("9_0|COMPLETED|None|2024-05-01T12:00:01\n9_1|FAILED|None|2024-05-01T12:00:05\n")
    assert jobs["9"].ended == _epoch("2024-05-01T12:00:05")
    assert aggregate([JobUpdate(Status.COMPLETED, 0, "", 5.0), JobUpdate(Status.COMPLETED)]).ended is None


def test_a_recorded_exit_code_ends_when_it_was_written(tmp_path: Path) -> None:
    ec = tmp_path / "job.ec"
    ec.write_text("0\n")
    ended = ec.stat().st_mtime
    assert outcome(JobUpdate(Status.RUNNING), JobRef("1", str(ec))).ended == ended
    # the scheduler's own end wins when it ended the job
    assert outcome(JobUpdate(Status.TIMEOUT, None, "", 5.0), JobRef("1", str(ec / "none"))).ended == 5.0


def _job(store: JobStore) -> tuple[float, int]:
    [record] = store.add([NewJob("a", "model", "local", "1:1", "s", "o", "e", "ec", Status.RUNNING)])
    return record.submitted, record.id


def test_the_store_stamps_a_finished_job_with_its_end(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "store")
    submitted, job_id = _job(store)
    [record] = store.refresh(store.all_runs())
    ended = submitted + 0.001
    time.sleep(0.05)
    store.update([(record, JobUpdate(Status.COMPLETED, 0, "", ended))])
    [done] = store.all_runs()
    assert done.updated == ended
    assert store.history(job_id)[-1].time == ended
    store.close()


def test_an_end_outside_what_the_store_saw_is_clamped(tmp_path: Path) -> None:
    """Clock skew between nodes cannot put an end before the last change or in the future."""
    store = JobStore(tmp_path / "store")
    submitted, _ = _job(store)
    [record] = store.all_runs()
    store.update([(record, JobUpdate(Status.COMPLETED, 0, "", submitted - 3600))])
    assert store.all_runs()[0].updated == submitted
    store2 = JobStore(tmp_path / "other")
    _job(store2)
    [record2] = store2.all_runs()
    before = time.time()
    future = before + 3600
    store2.update([(record2, JobUpdate(Status.COMPLETED, 0, "", future))])
    updated = store2.all_runs()[0].updated
    assert before <= updated < future  # stamped "now", not the end from the future
    store.close()
    store2.close()
