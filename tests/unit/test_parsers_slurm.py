"""Slurm output parsers on output recorded from the real 22.05 test cluster
(tests/fixtures/schedulers/slurm/README.md says which command made each file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.parsers.slurm import base_id, parse_sacct, parse_sacct_named_steps, parse_sbatch, parse_squeue
from hpcsim.status import Status

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "schedulers" / "slurm"


def _text(name: str) -> str:
    return (RECORDED / name).read_text()


def test_sbatch_output_and_parsable_output() -> None:
    assert parse_sbatch(_text("sbatch_submit.txt")) == "3"
    assert parse_sbatch(_text("sbatch_parsable.txt")) == "4"
    assert parse_sbatch("Submitted batch job 77 on cluster perlmutter\n") == "77"
    assert parse_sbatch("91;perlmutter\n") == "91"


def test_sbatch_output_without_an_id_is_refused() -> None:
    with pytest.raises(ValueError, match="no job id in sbatch output"):
        parse_sbatch(_text("sbatch_unknown_partition.txt.stderr"))


def test_squeue_every_state_with_its_reason() -> None:
    jobs = parse_squeue(_text("squeue_all_states.txt"))
    assert jobs["2"] == JobUpdate(Status.TIMEOUT, None, "TimeLimit")
    assert jobs["3"] == JobUpdate(Status.COMPLETED, None, "")
    assert jobs["5"] == JobUpdate(Status.FAILED, None, "NonZeroExitCode")
    assert jobs["6"] == JobUpdate(Status.CANCELLED, None, "")
    assert jobs["7"] == JobUpdate(Status.RUNNING, None, "")
    assert jobs["16"] == JobUpdate(Status.QUEUED, None, "Dependency")
    assert jobs["17"] == JobUpdate(Status.QUEUED, None, "Resources")
    assert jobs["18"] == JobUpdate(Status.QUEUED, None, "JobHeldUser")


def test_array_tasks_and_their_job() -> None:
    jobs = parse_squeue(_text("squeue_all_states.txt"))
    assert jobs["8_0"].status is Status.RUNNING
    assert jobs["8_3"] == JobUpdate(Status.QUEUED, None, "JobArrayTaskLimit")
    assert jobs["8"].status is Status.RUNNING
    assert jobs["15_2"].status is Status.FAILED
    assert jobs["15"].status is Status.FAILED
    pending = parse_squeue(_text("squeue_array_pending.txt"))
    assert pending["15"].status is Status.QUEUED
    assert pending["8"].status is Status.RUNNING


def test_heterogeneous_components_and_their_job() -> None:
    jobs = parse_squeue(_text("squeue_all_states.txt"))
    assert jobs["11+1"].status is Status.RUNNING
    assert jobs["11"].status is Status.RUNNING
    assert jobs["13"] == JobUpdate(Status.COMPLETED, None, "")
    assert parse_squeue(_text("squeue_array_pending.txt"))["13"] == JobUpdate(Status.QUEUED)


def test_sacct_gives_exit_codes_of_finished_jobs() -> None:
    jobs = parse_sacct(_text("sacct.txt"))
    assert jobs["2"] == JobUpdate(Status.TIMEOUT, 0, "")
    assert jobs["3"] == JobUpdate(Status.COMPLETED, 0, "")
    assert jobs["5"] == JobUpdate(Status.FAILED, 3, "exited with code 3")
    assert jobs["6"].status is Status.CANCELLED  # "CANCELLED by 0"
    assert jobs["15_2"] == JobUpdate(Status.FAILED, 5, "exited with code 5")
    assert jobs["15"] == JobUpdate(Status.FAILED, 5, "exited with code 5")
    assert jobs["13"] == JobUpdate(Status.COMPLETED, 0, "")


def test_sacct_signal_exit_codes_say_so() -> None:
    assert parse_sacct("12|FAILED|0:9\n")["12"] == JobUpdate(Status.FAILED, 0, "killed by signal 9")
    assert parse_sacct("12|OUT_OF_MEMORY|0:125\n")["12"].status is Status.OOM
    assert parse_sacct("12|NODE_FAIL|0:0\n")["12"].status is Status.NODE_FAIL


def test_sacct_from_the_jobcomp_file_without_accounting() -> None:
    jobs = parse_sacct(_text("sacct_noacct_c.txt"))
    assert jobs["7"] == JobUpdate(Status.FAILED, 3, "exited with code 3")
    assert jobs["8"].status is Status.CANCELLED


@pytest.mark.parametrize(
    ("native_id", "base"), [("123", "123"), ("123_4", "123"), ("123+1", "123"), ("123_[2-5]", "123")]
)
def test_base_id(native_id: str, base: str) -> None:
    assert base_id(native_id) == base


@pytest.mark.parametrize("text", ["12|RUNNING\n", "12\n"])
def test_malformed_squeue_lines_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="malformed squeue line"):
        parse_squeue(text)


def test_unknown_state_and_id_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown Slurm job state 'WEIRD' for job 12"):
        parse_squeue("12|WEIRD|None\n")
    with pytest.raises(ValueError, match="is not a Slurm job id"):
        parse_squeue("abc|RUNNING|None\n")


def test_sacct_named_steps_are_keyed_by_job_and_step_name() -> None:
    # recorded after a node failure: the batch ensemble's job NODE_FAIL, its members' steps CANCELLED
    steps = parse_sacct_named_steps(_text("sacct_named_steps.txt"), ["26"])
    assert steps == {
        ("26", "batch"): Status.CANCELLED,
        ("26", "pair_1"): Status.CANCELLED,
        ("26", "pair_0"): Status.CANCELLED,
    }
    assert parse_sacct_named_steps(_text("sacct_named_steps.txt"), ["27"]) == {}


def test_sacct_named_steps_read_names_holding_bars_and_reject_short_lines() -> None:
    assert parse_sacct_named_steps("7.0|a|b|COMPLETED\n7.1|x|RUNNING\n", ["7"]) == {
        ("7", "a|b"): Status.COMPLETED,
        ("7", "x"): Status.RUNNING,
    }
    with pytest.raises(ValueError, match="JobID\\|JobName\\|State"):
        parse_sacct_named_steps("7.0|COMPLETED\n", ["7"])
    with pytest.raises(ValueError, match="unknown Slurm job state"):
        parse_sacct_named_steps("7.0|x|EXPLODED\n", ["7"])
