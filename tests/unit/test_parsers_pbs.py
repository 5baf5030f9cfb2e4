"""PBS Pro parsers on qstat output recorded from real servers (see
tests/fixtures/schedulers/pbs/README.md for where each file comes from)."""

from __future__ import annotations

import json
import re

import pytest

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.parsers.pbs import parse_qstat_json, parse_qsub, qstat_error_ids
from hpcsim.status import Status

from ..conftest import FIXTURES

PBS = FIXTURES / "schedulers" / "pbs"


def _parse(name: str) -> dict[str, JobUpdate]:
    return parse_qstat_json((PBS / name).read_text())


def test_running_job_from_openpbs_23() -> None:
    jobs = _parse("firecrest_qstat_running.json")
    assert jobs == {"1.pbs": JobUpdate(Status.RUNNING, None, "Job run at Thu Jun 19 at 21:27 on (pbs:ncpus=1)")}


def test_finished_jobs_complete_with_exit_code_zero_and_pbs_comment() -> None:
    jobs = _parse("firecrest_qstat_finished_and_running.json")
    assert set(jobs) == {"1004.pbs", "1005.pbs", "1006.pbs"}
    assert jobs["1004.pbs"] == JobUpdate(
        Status.COMPLETED, 0, "Job run at Thu Jun 19 at 10:36 on (pbs:ncpus=1) and finished"
    )
    assert jobs["1005.pbs"].status is Status.COMPLETED
    assert jobs["1006.pbs"].status is Status.RUNNING


def test_queued_and_held_jobs_are_queued_with_the_scheduler_comment() -> None:
    jobs = _parse("polaris_qstat_queued_held_running.json")
    queued = jobs["359322.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov"]
    assert queued == JobUpdate(
        Status.QUEUED, None, "Not Running: Job is requesting an exclusive node and node is in use"
    )
    # held after 21 failed starts: Exit_status -3 is from the last attempt, the job still waits
    held = jobs["412020.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov"]
    assert held == JobUpdate(Status.QUEUED, None, "job held, too many failed attempts to run")
    assert jobs["1147579.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov"].status is Status.RUNNING


def test_array_parent_is_keyed_as_printed() -> None:
    jobs = _parse("baw_server_array_parent_finished.json")
    assert jobs["0.725ccdf1a5fb"].status is Status.COMPLETED
    assert jobs["0.725ccdf1a5fb"].exit_code == 0


def test_output_without_jobs_is_empty() -> None:
    """What qstat prints on stdout when none of the ids is known (or it cannot reach the server)."""
    assert _parse("baw_server_qstat_no_jobs.json") == {}


@pytest.mark.parametrize(
    ("native_id", "status", "exit_code", "reason_part"),
    [
        ("2001.pbs01", Status.FAILED, 3, "exited with code 3"),
        ("2002.pbs01", Status.CANCELLED, None, "killed by SIGTERM (qdel)"),
        ("2003.pbs01", Status.TIMEOUT, None, "JOB_EXEC_KILL_WALLTIME"),
        ("2004.pbs01", Status.TIMEOUT, None, "job killed: walltime 3631 exceeded limit 3600"),
        ("2005.pbs01", Status.OOM, None, "JOB_EXEC_KILL_MEM"),
        ("2006.pbs01", Status.OOM, None, "job killed: vmem 192GB exceeded limit 190GB"),
        ("2007.pbs01", Status.NODE_FAIL, None, "JOB_EXEC_RERUN_MS_FAIL"),
        ("2008.pbs01", Status.FAILED, 139, "killed by SIGSEGV"),
        ("2009.pbs01", Status.CANCELLED, None, "deleted before it ran"),
        ("2010.pbs01", Status.FAILED, None, "JOB_EXEC_FAILHOOK_DELETE"),
        ("2011.pbs01", Status.FAILED, 143, "exited with code 143"),
        ("2012.pbs01", Status.COMPLETED, 0, ""),
        ("2013.pbs01", Status.RUNNING, None, ""),
        ("2014.pbs01", Status.QUEUED, None, ""),
        ("2015.pbs01", Status.QUEUED, None, ""),
        ("2016.pbs01", Status.RUNNING, None, ""),
        ("2017.pbs01", Status.RUNNING, None, ""),
        ("2018.pbs01", Status.QUEUED, None, ""),
        ("2019[].pbs01", Status.RUNNING, None, ""),
        ("2019[0].pbs01", Status.COMPLETED, 0, ""),
        ("2019[1].pbs01", Status.FAILED, 2, "exited with code 2"),
        ("2019[2].pbs01", Status.RUNNING, None, ""),
        ("2019[3].pbs01", Status.QUEUED, None, ""),
        ("2020[].pbs01", Status.FAILED, 1, "a subjob failed"),
    ],
)
def test_every_state_and_exit_status_class(
    native_id: str, status: Status, exit_code: int | None, reason_part: str
) -> None:
    update = _parse("constructed_qstat_terminal.json")[native_id]
    assert (update.status, update.exit_code) == (status, exit_code)
    assert reason_part in update.reason


def test_failure_reason_keeps_the_pbs_comment() -> None:
    update = _parse("constructed_qstat_terminal.json")["2001.pbs01"]
    assert update.reason == "exited with code 3; Job run at Thu Jun 19 at 10:36 on (pbs01:ncpus=1) and finished"


def test_exit_status_given_as_a_string_is_read() -> None:
    text = json.dumps({"pbs_version": "22.05.11", "Jobs": {"1.s": {"job_state": "F", "Exit_status": "4"}}})
    assert parse_qstat_json(text)["1.s"].exit_code == 4


def test_unknown_job_ids_are_read_from_stderr() -> None:
    stderr = (PBS / "constructed_qstat_unknown_ids_stderr.txt").read_text()
    assert qstat_error_ids(stderr) == ["17.pbs01", "18[].pbs01"]
    assert qstat_error_ids("qstat: cannot connect to server pbs01 (errno=15010)\n") == []


@pytest.mark.parametrize(
    ("out", "native_id"),
    [("1.pbs\n", "1.pbs"), ("1234[].pbs01\n", "1234[].pbs01"), ("42\n", "42")],
)
def test_qsub_prints_the_job_id(out: str, native_id: str) -> None:
    assert parse_qsub(out) == native_id


@pytest.mark.parametrize("out", ["", "qsub: Unknown queue\n", "Job submitted\n"])
def test_qsub_output_without_a_job_id_is_rejected(out: str) -> None:
    with pytest.raises(ValueError, match="no job id in qsub output"):
        parse_qsub(out)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "qstat output is not JSON"),
        ("Job Id: 1.pbs\n    job_state = R\n", "qstat output is not JSON"),
        ('{"COMMAND": "bjobs", "RECORDS": []}', "not the output of qstat -F json"),
        ("[1, 2]", "not the output of qstat -F json"),
        ('{"pbs_version": "1", "Jobs": []}', "'Jobs' is a list"),
        ('{"pbs_version": "1", "Jobs": {"1.s": "R"}}', "job 1.s is not an object"),
        ('{"pbs_version": "1", "Jobs": {"1.s": {"job_state": "Z"}}}', "unknown PBS job_state 'Z' for job 1.s"),
        ('{"pbs_version": "1", "Jobs": {"1.s": {"comment": "x"}}}', "unknown PBS job_state None for job 1.s"),
        (
            '{"pbs_version": "1", "Jobs": {"1.s": {"job_state": "F", "Exit_status": "n/a"}}}',
            "Exit_status 'n/a' of job 1.s is not an integer",
        ),
    ],
)
def test_malformed_output_raises_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_qstat_json(text)
