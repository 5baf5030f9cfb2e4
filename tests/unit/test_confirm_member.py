"""A batch ensemble member whose srun exited 0, checked against its step's state in Slurm's
accounting (hpcsim.schedulers.slurm.confirm_member): srun 22.05 exits 0 when it loses its step,
so only a step Slurm ended COMPLETED makes that 0 a success."""

from __future__ import annotations

import pytest

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.slurm import confirm_member
from hpcsim.status import Status

NOW = 1_000_000.0
DONE = JobUpdate(Status.COMPLETED, 0, "", NOW - 60)
RUNNING_JOB = JobUpdate(Status.RUNNING)
NODE_FAIL_JOB = JobUpdate(Status.NODE_FAIL, None, "NodeDown", NOW - 5)


@pytest.mark.parametrize("job", [RUNNING_JOB, NODE_FAIL_JOB, JobUpdate(Status.COMPLETED, 0, "", NOW)])
def test_a_completed_step_or_none_of_that_name_keeps_the_success(job: JobUpdate) -> None:
    assert confirm_member(DONE, job, Status.COMPLETED, NOW) is DONE
    # no step of the member's name: it ran without srun, or no accounting recorded it
    assert confirm_member(DONE, job, None, NOW) is DONE


def test_a_step_still_running_keeps_the_member_running_while_its_job_runs() -> None:
    update = confirm_member(DONE, RUNNING_JOB, Status.RUNNING, NOW)
    assert (update.status, update.exit_code) == (Status.RUNNING, None)
    assert "Slurm still runs its step" in update.reason


def test_a_step_still_running_in_the_accounting_of_an_ended_job_waits_a_bounded_time() -> None:
    update = confirm_member(DONE, NODE_FAIL_JOB, Status.RUNNING, NOW)
    assert update.status is Status.RUNNING and "accounting" in update.reason
    long_ago = JobUpdate(Status.NODE_FAIL, None, "NodeDown", NOW - 3600)
    assert confirm_member(DONE, long_ago, Status.RUNNING, NOW) == long_ago
    finished = JobUpdate(Status.COMPLETED, 0, "", NOW - 3600)
    assert confirm_member(DONE, finished, Status.RUNNING, NOW) is DONE


@pytest.mark.parametrize("step", [Status.CANCELLED, Status.NODE_FAIL, Status.FAILED])
def test_a_step_slurm_ended_otherwise_gives_the_end_imposed_on_the_job(step: Status) -> None:
    update = confirm_member(DONE, NODE_FAIL_JOB, step, NOW)
    assert (update.status, update.exit_code, update.reason) == (Status.NODE_FAIL, None, "NodeDown")
    assert update.ended == NOW - 5


def test_a_step_slurm_ended_otherwise_waits_for_a_running_job_and_fails_in_a_finished_one() -> None:
    waiting = confirm_member(DONE, RUNNING_JOB, Status.CANCELLED, NOW)
    assert waiting.status is Status.RUNNING and "ended its step CANCELLED" in waiting.reason
    failed = confirm_member(DONE, JobUpdate(Status.COMPLETED, 0, "", NOW), Status.CANCELLED, NOW)
    assert (failed.status, failed.exit_code) == (Status.FAILED, None)
    assert failed.reason == "srun exited 0, but Slurm ended its step CANCELLED"
