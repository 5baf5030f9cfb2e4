"""How a scheduler's view of a job and the exit code its script recorded combine."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpcsim.schedulers.base import JobRef, JobUpdate, aggregate, outcome
from hpcsim.status import Status

QUEUED = JobUpdate(Status.QUEUED, None, "Priority")
RUNNING = JobUpdate(Status.RUNNING)


def _ref(tmp_path: Path, recorded: str | None, member: bool = False) -> JobRef:
    ec = tmp_path / "x.ec"
    if recorded is not None:
        ec.write_text(recorded)
    return JobRef("12", str(ec), member)


@pytest.mark.parametrize("member", [False, True])
def test_recorded_zero_is_completed_whatever_the_scheduler_says(tmp_path: Path, member: bool) -> None:
    for job in (RUNNING, JobUpdate(Status.FAILED, 1), JobUpdate(Status.CANCELLED), JobUpdate(Status.TIMEOUT)):
        assert outcome(job, _ref(tmp_path, "0\n", member)) == JobUpdate(Status.COMPLETED, 0)


def test_recorded_failure_is_failed_with_its_code(tmp_path: Path) -> None:
    update = outcome(JobUpdate(Status.FAILED, None, "NonZeroExitCode"), _ref(tmp_path, "7\n"))
    assert (update.status, update.exit_code) == (Status.FAILED, 7)


@pytest.mark.parametrize("imposed", [Status.CANCELLED, Status.TIMEOUT, Status.NODE_FAIL, Status.OOM])
def test_an_end_the_scheduler_imposed_wins_over_the_signal_code(tmp_path: Path, imposed: Status) -> None:
    update = outcome(JobUpdate(imposed, None, "TimeLimit"), _ref(tmp_path, "143\n", member=True))
    assert update == JobUpdate(imposed, 143, "TimeLimit")


def test_queued_and_running_pass_through(tmp_path: Path) -> None:
    assert outcome(QUEUED, _ref(tmp_path, None)) == QUEUED
    assert outcome(RUNNING, _ref(tmp_path, None)) == RUNNING


def test_a_member_waiting_for_a_slot_is_queued_and_a_started_one_runs(tmp_path: Path) -> None:
    assert outcome(RUNNING, _ref(tmp_path, None, member=True)).status is Status.QUEUED
    assert outcome(RUNNING, _ref(tmp_path, "", member=True)) == RUNNING


def test_scheduler_completed_without_a_record_counts_only_for_the_whole_job(tmp_path: Path) -> None:
    assert outcome(JobUpdate(Status.COMPLETED), _ref(tmp_path, None)) == JobUpdate(Status.COMPLETED, 0)
    member = outcome(JobUpdate(Status.COMPLETED), _ref(tmp_path, None, member=True))
    assert member.status is Status.FAILED
    assert "before this member recorded an exit code" in member.reason


def test_a_job_that_left_the_queue_without_a_record_is_never_completed(tmp_path: Path) -> None:
    left = JobUpdate(Status.FAILED, None, "job 12 left the queue and slurm has no record")
    assert outcome(left, _ref(tmp_path, None)) == left
    assert outcome(left, _ref(tmp_path, "")) == left


def test_aggregate_runs_while_any_part_runs() -> None:
    assert aggregate([JobUpdate(Status.COMPLETED, 0), RUNNING, QUEUED]).status is Status.RUNNING
    assert aggregate([JobUpdate(Status.COMPLETED, 0), QUEUED]).status is Status.QUEUED


def test_aggregate_of_ended_parts_reports_the_worst() -> None:
    done = JobUpdate(Status.COMPLETED, 0)
    assert aggregate([done, done]) == done
    failed = JobUpdate(Status.FAILED, 3, "exited with code 3")
    assert aggregate([done, failed, done]) == JobUpdate(Status.FAILED, 3, "exited with code 3")
    assert aggregate([failed, JobUpdate(Status.CANCELLED, None, "by user")]).status is Status.CANCELLED
    assert aggregate([failed, JobUpdate(Status.TIMEOUT, None, "TimeLimit")]).status is Status.TIMEOUT
