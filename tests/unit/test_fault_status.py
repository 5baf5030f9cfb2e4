"""Node failures and OOM kills as Slurm 22.05 shows them (seen on the test cluster by
tests/slurm/test_faults.py), and what hpcsim makes of them."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from hpcsim._shell import Completed
from hpcsim.schedulers.base import JobRef, JobUpdate, outcome, read_record
from hpcsim.schedulers.parsers.slurm import parse_sacct_steps, parse_squeue
from hpcsim.schedulers.slurm import SlurmScheduler
from hpcsim.status import Status

END = 1_800_000_000.0


def _ref(tmp_path: Path, recorded: str, at: float, member: bool = True) -> JobRef:
    ec = tmp_path / "x.ec"
    ec.write_text(recorded)
    os.utime(ec, (at, at))
    return JobRef("24", str(ec), member)


def test_a_completing_job_has_ended_but_is_still_running() -> None:
    [job] = parse_squeue("24|COMPLETING|NodeDown|2024-05-01T12:00:05\n").values()
    assert job.status is Status.RUNNING
    assert job.ended == time.mktime(time.strptime("2024-05-01T12:00:05", "%Y-%m-%dT%H:%M:%S"))


def test_srun_zero_after_a_node_failure_is_node_fail(tmp_path: Path) -> None:
    # srun exits 0 once Slurm ended its job for a node failure ("srun: error: Node failure on node3")
    failed = JobUpdate(Status.NODE_FAIL, None, "NodeDown", END)
    assert outcome(failed, _ref(tmp_path, "0\n", END + 0.6)) == JobUpdate(Status.NODE_FAIL, None, "NodeDown")
    # a member that finished before the node failed did finish
    assert outcome(failed, _ref(tmp_path, "0\n", END - 3)) == JobUpdate(Status.COMPLETED, 0)


def test_a_record_written_after_its_job_ended_waits_for_the_final_state(tmp_path: Path) -> None:
    completing = JobUpdate(Status.RUNNING, None, "NodeDown", END)
    for code in ("0\n", "143\n"):
        update = outcome(completing, _ref(tmp_path, code, END + 0.5))
        assert (update.status, update.ended) == (Status.RUNNING, None)


def test_a_record_that_appeared_while_the_scheduler_was_asked_waits_a_poll(tmp_path: Path) -> None:
    ref = _ref(tmp_path, "0\n", END)
    running = JobUpdate(Status.RUNNING)
    assert outcome(running, ref, before=(None, None)) == running
    assert outcome(running, ref, before=read_record(ref)) == JobUpdate(Status.COMPLETED, 0)


def test_a_job_script_failure_waits_for_how_the_scheduler_ended_the_job(tmp_path: Path) -> None:
    ref = _ref(tmp_path, "137\n", END, member=False)
    assert outcome(JobUpdate(Status.RUNNING), ref).status is Status.RUNNING
    assert outcome(JobUpdate(Status.OOM, None, "OutOfMemory", END + 1), ref) == JobUpdate(
        Status.OOM, 137, "OutOfMemory"
    )
    assert outcome(JobUpdate(Status.FAILED, None, "NonZeroExitCode"), ref).status is Status.FAILED
    # a member cannot wait: its job runs on with the others
    member = _ref(tmp_path, "137\n", END, member=True)
    assert outcome(JobUpdate(Status.RUNNING), member) == JobUpdate(Status.FAILED, 137, "exited with code 137")


SACCT_STEPS = """27|FAILED
27.batch|FAILED
27.0|OUT_OF_MEMORY
28|FAILED
28.batch|FAILED
29|RUNNING
29.batch|COMPLETED
"""


def test_sacct_steps_tell_which_steps_ran_out_of_memory() -> None:
    assert parse_sacct_steps(SACCT_STEPS, ["27", "28", "29", "30"]) == {
        "27": ["27.0"],
        "28": [],
        "29": None,  # the accounting does not have the job ended yet
        "30": None,  # nor at all
    }


class _Sacct(SlurmScheduler):
    def __init__(self, tmp_path: Path, out: str, rc: int = 0) -> None:
        super().__init__(tmp_path)
        self.out, self.rc = out, rc
        self.asked: list[list[str]] = []

    def command(self, argv: Sequence[str], check: bool = True) -> Completed:
        self.asked.append(list(argv))
        return Completed(tuple(argv), self.rc, self.out, "")


@pytest.mark.parametrize("rc", [0, 1])
def test_a_failed_job_whose_srun_step_ran_out_of_memory_is_oom(tmp_path: Path, rc: int) -> None:
    scheduler = _Sacct(tmp_path, SACCT_STEPS, rc)
    jobs = {
        "27": JobUpdate(Status.FAILED, None, "NonZeroExitCode", END),
        "28": JobUpdate(Status.FAILED, None, "NonZeroExitCode", END),
        "31": JobUpdate(Status.COMPLETED, None, "", END),
    }
    seen = scheduler._out_of_memory(jobs, ["27", "28", "31"])
    assert scheduler.asked == [["sacct", "-n", "-P", "-o", "JobID,State", "-j", "27,28"]]
    if rc:  # no accounting: FAILED is all there is to know
        assert seen == jobs
    else:
        assert seen["27"] == JobUpdate(Status.OOM, None, "OutOfMemory (step 27.0)", END)
        assert seen["28"] == jobs["28"]
    assert seen["31"] == jobs["31"]


def test_a_failed_job_waits_a_little_for_the_accounting(tmp_path: Path) -> None:
    scheduler = _Sacct(tmp_path, "")
    just = JobUpdate(Status.FAILED, None, "NonZeroExitCode", time.time() - 1)
    assert scheduler._out_of_memory({"5": just}, ["5"])["5"].status is Status.RUNNING
    long_ago = JobUpdate(Status.FAILED, None, "NonZeroExitCode", time.time() - 3600)
    assert scheduler._out_of_memory({"5": long_ago}, ["5"])["5"] == long_ago


def test_array_tasks_are_not_looked_into(tmp_path: Path) -> None:
    scheduler = _Sacct(tmp_path, "")
    jobs = parse_squeue("9_0|FAILED|NonZeroExitCode|2024-05-01T12:00:01\n")
    assert scheduler._out_of_memory(jobs, ["9", "9_0"]) == jobs
    assert scheduler.asked == []
