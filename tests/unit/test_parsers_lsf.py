"""LSF parsers on bjobs/bsub output recorded from real clusters (see
tests/fixtures/schedulers/lsf/README.md for where each file comes from)."""

from __future__ import annotations

import json
import re

import pytest

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.parsers.lsf import bjobs_missing_ids, parse_bjobs_json, parse_bsub
from hpcsim.status import Status

from ..conftest import FIXTURES

LSF = FIXTURES / "schedulers" / "lsf"


def _text(name: str) -> str:
    return (LSF / name).read_text()


def test_exit_and_done_records_without_exit_codes() -> None:
    jobs = parse_bjobs_json(_text("batcheuphoria_bjobs_exit_done.json"))
    assert set(jobs) == {"487641", "487642", "488155", "491861", "491864", "491867"}
    assert jobs["487641"] == JobUpdate(Status.FAILED, None, "exited")
    assert jobs["491861"] == JobUpdate(Status.COMPLETED, 0, "")


def test_done_record_with_all_fields_and_empty_exit_code() -> None:
    assert parse_bjobs_json(_text("batcheuphoria_bjobs_done_all_fields.json")) == {
        "22005": JobUpdate(Status.COMPLETED, 0, "")
    }


def test_running_record_from_summit() -> None:
    assert parse_bjobs_json(_text("balsam_bjobs_summit_running.json")) == {"806290": JobUpdate(Status.RUNNING)}


@pytest.mark.parametrize("name", ["buildtest_bjobs_psusp_no_jobid.json", "ridgeback_bjobs_killed_by_owner.json"])
def test_records_queried_without_jobid_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="bjobs record without a JOBID"):
        parse_bjobs_json(_text(name))


def test_lines_lsf_prints_before_the_json_are_skipped() -> None:
    text = _text("ridgeback_bjobs_pending_slow_mbatchd.txt")
    assert text.startswith("Cannot connect to LSF. Please wait ...")
    assert bjobs_missing_ids(text) == []


@pytest.mark.parametrize(
    ("native_id", "status", "exit_code", "reason"),
    [
        ("201", Status.QUEUED, None, ""),
        ("202", Status.QUEUED, None, ""),
        ("203", Status.QUEUED, None, ""),
        ("204", Status.RUNNING, None, ""),
        ("205", Status.RUNNING, None, ""),
        ("206", Status.RUNNING, None, ""),
        ("207", Status.RUNNING, None, ""),
        ("208", Status.RUNNING, None, ""),
        ("209", Status.COMPLETED, 0, ""),
        ("210", Status.FAILED, 3, "exited with code 3"),
        ("211", Status.CANCELLED, 130, "TERM_OWNER: job killed by owner"),
        ("212", Status.CANCELLED, None, "TERM_OWNER: job killed by owner"),
        ("213", Status.TIMEOUT, 140, "TERM_RUNLIMIT: job killed after reaching LSF run time limit"),
        ("214", Status.OOM, 137, "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit"),
        ("215", Status.CANCELLED, 130, "TERM_ADMIN: job killed by root or LSF administrator"),
        ("216", Status.NODE_FAIL, None, "TERM_ZOMBIE: job exited while LSF is not available"),
        ("217", Status.NODE_FAIL, None, "killed while its host was unreachable (ZOMBI)"),
        ("218", Status.FAILED, 152, "TERM_CPULIMIT: job killed after reaching LSF CPU usage limit"),
        ("300[1]", Status.COMPLETED, 0, ""),
        ("300[2]", Status.RUNNING, None, ""),
    ],
)
def test_every_state_and_termination_reason(native_id: str, status: Status, exit_code: int | None, reason: str) -> None:
    jobs = parse_bjobs_json(_text("constructed_bjobs_all_states.json"))
    assert jobs[native_id] == JobUpdate(status, exit_code, reason)


def test_an_array_gets_a_summary_under_its_own_id() -> None:
    jobs = parse_bjobs_json(_text("constructed_bjobs_all_states.json"))
    assert jobs["300"].status is Status.RUNNING
    done = json.dumps(
        {"RECORDS": [{"JOBID": "5[1]", "STAT": "DONE"}, {"JOBID": "5[2]", "STAT": "EXIT", "EXIT_CODE": "2"}]}
    )
    assert parse_bjobs_json(done)["5"] == JobUpdate(Status.FAILED, 2, "exited with code 2")


def test_not_found_records_are_reported_separately() -> None:
    text = _text("constructed_bjobs_all_states.json")
    assert "999" not in parse_bjobs_json(text)
    assert bjobs_missing_ids(text) == ["999"]
    with_id = json.dumps({"RECORDS": [{"JOBID": "7[2]", "ERROR": "Job <7[2]> is not found"}]})
    assert bjobs_missing_ids(with_id) == ["7[2]"]


def test_other_error_records_fail_the_query() -> None:
    text = json.dumps({"RECORDS": [{"ERROR": "LSF is down. Please wait ..."}]})
    with pytest.raises(ValueError, match="bjobs reported an error: 'LSF is down"):
        bjobs_missing_ids(text)


def test_psij_field_set_with_kill_and_suspend_reasons_and_jobindex() -> None:
    jobs = parse_bjobs_json(_text("constructed_bjobs_psij_fields.json"))
    assert jobs["401"] == JobUpdate(Status.RUNNING, None, "The job was suspended by user;")
    assert jobs["402"] == JobUpdate(Status.CANCELLED, None, "TERM_OWNER: job killed by owner")
    assert jobs["403[2]"] == JobUpdate(Status.COMPLETED, 0, "")
    assert jobs["404"].status is Status.RUNNING
    assert jobs["403"].status is Status.COMPLETED


@pytest.mark.parametrize(
    ("out", "native_id"),
    [
        ("Job <123> is submitted to default queue <normal>.\n", "123"),
        ("Job <2812> is submitted to queue <pbatch>.\n", "2812"),
        (
            "Cannot connect to LSF. Please wait ...\nJob <12345678> is submitted to default queue <normal>.\n",
            "12345678",
        ),
    ],
)
def test_bsub_prints_the_job_id(out: str, native_id: str) -> None:
    assert parse_bsub(out) == native_id


@pytest.mark.parametrize("out", ["", "pbatch: No such queue. Job not submitted.\n", "Job <abc> is submitted"])
def test_bsub_output_without_a_job_id_is_rejected(out: str) -> None:
    with pytest.raises(ValueError, match="no job id in bsub output"):
        parse_bsub(out)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no JSON object in bjobs output"),
        ("Job <5> is not found\n", "no JSON object in bjobs output"),
        ('{"COMMAND":"bjobs","RECORDS":[', "bjobs output is not valid JSON"),
        ('{"COMMAND":"bjobs"}', "not the output of bjobs -json (no RECORDS list)"),
        ('{"RECORDS":["x"]}', "not the output of bjobs -json (no RECORDS list)"),
        ('{"RECORDS":[{"JOBID":"1","STAT":"BOGUS"}]}', "unknown LSF job state 'BOGUS' for job 1"),
        ('{"RECORDS":[{"JOBID":"1","STAT":"EXIT","EXIT_CODE":"x"}]}', "EXIT_CODE 'x' of job 1 is not an integer"),
    ],
)
def test_malformed_output_raises_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_bjobs_json(text)
