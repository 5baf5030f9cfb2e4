"""Grid Engine parsers on qsub, qstat -xml and qacct output recorded from real clusters (see
tests/fixtures/schedulers/sge/README.md for where each file comes from)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.parsers.sge import parse_qacct, parse_qstat_xml, parse_qsub_terse, qacct_missing_ids
from hpcsim.status import Status

from ..conftest import FIXTURES

SGE = FIXTURES / "schedulers" / "sge"


def _read(name: str) -> str:
    return (SGE / name).read_text()


def _local(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    """qacct prints times in the local time zone of the machine it runs on."""
    return datetime(year, month, day, hour, minute, second).timestamp()


# --- qsub ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "job_id"),
    [
        ("wynton_qsub_terse.txt", "151712"),
        ("shotmap_qsub_terse_array.txt", "6971202"),
        ("wynton_qsub.txt", "151711"),
        ("shotmap_qsub_job_array.txt", "6971206"),
    ],
)
def test_qsub_job_number_for_jobs_and_arrays(name: str, job_id: str) -> None:
    assert parse_qsub_terse(_read(name)) == job_id


@pytest.mark.parametrize("out", ["", "Unable to run job: denied: host is no submit host.\nExiting.\n", "12a\n"])
def test_qsub_output_without_a_job_id_is_an_error(out: str) -> None:
    with pytest.raises(ValueError, match="no job id in qsub output"):
        parse_qsub_terse(out)


# --- qstat -xml ----------------------------------------------------------------------------


def test_running_pending_and_deleting_jobs_on_a_real_cluster() -> None:
    jobs = parse_qstat_xml(_read("isdc_qstat_running_deleting_pending.xml"))
    assert len(jobs) == 51
    assert jobs["6176867"] == JobUpdate(Status.RUNNING)
    assert jobs["6176888"] == JobUpdate(Status.QUEUED)
    # dt: qdel was issued while the job was transferring to its host
    assert jobs["5074985"] == JobUpdate(Status.CANCELLED, None, "being deleted (qdel), state dt")
    assert sum(update.status is Status.CANCELLED for update in jobs.values()) == 3


def test_qstat_without_jobs_is_empty() -> None:
    assert parse_qstat_xml(_read("isdc_qstat_empty.xml")) == {}


def test_full_format_with_queue_details_held_job_and_stepped_task_range() -> None:
    jobs = parse_qstat_xml(_read("ood_qstat_running_pending_held_array.xml"))
    assert jobs["88"] == JobUpdate(Status.RUNNING)
    assert jobs["1045"] == JobUpdate(Status.QUEUED)
    assert jobs["44"] == JobUpdate(Status.QUEUED, None, "held")
    # <tasks>1-10:2</tasks>: one key per pending task, none for the array itself
    assert sorted(k for k in jobs if k.startswith("1046")) == ["1046.1", "1046.3", "1046.5", "1046.7", "1046.9"]
    assert "1046" not in jobs
    assert set(jobs) == {"88", "1045", "44", "1046.1", "1046.3", "1046.5", "1046.7", "1046.9"}


def test_array_with_a_running_task_and_pending_ranges() -> None:
    jobs = parse_qstat_xml(_read("cloudpipeline_qstat_array_tasks.xml"))
    assert jobs["1"] == JobUpdate(Status.RUNNING)
    assert jobs["2.1"] == JobUpdate(Status.RUNNING)
    assert [jobs[f"2.{task}"].status for task in range(2, 11)] == [Status.QUEUED] * 9
    assert {k for k in jobs if k.startswith("3.")} == {f"3.{task}" for task in range(1, 6)}
    # <tasks>8,9</tasks>: how sge_range.c prints a range of exactly two ids
    assert {k for k in jobs if k.startswith("4.")} == {"4.8", "4.9"}
    assert len(jobs) == 1 + 10 + 5 + 2


def test_error_state_is_failed_and_says_how_to_see_and_clear_it() -> None:
    jobs = parse_qstat_xml(_read("gorge_qstat_running_error.xml"))
    assert jobs["3064076"] == JobUpdate(Status.RUNNING)
    error = jobs["3050948"]
    assert error.status is Status.FAILED
    assert error.exit_code is None
    assert "Eqw" in error.reason
    assert "qstat -j 3050948" in error.reason
    assert "qmod -cj 3050948" in error.reason


@pytest.mark.parametrize(
    ("key", "status", "reason"),
    [
        ("501", Status.RUNNING, ""),  # t: transferring to its host
        ("502", Status.RUNNING, "restarted"),
        ("503", Status.RUNNING, ""),  # hr: a hold on a running job changes nothing for it
        ("504", Status.RUNNING, "suspended (s)"),
        ("505", Status.RUNNING, "suspended (S)"),
        ("506", Status.RUNNING, "suspended (T)"),
        ("507", Status.CANCELLED, "being deleted (qdel), state dr"),
        ("508.1", Status.RUNNING, ""),
        ("508.2", Status.CANCELLED, "being deleted (qdel), state dr"),
        ("509", Status.QUEUED, "requeued"),
        ("510", Status.QUEUED, "held, requeued"),
    ],
)
def test_every_state_of_sge_status_5(key: str, status: Status, reason: str) -> None:
    jobs = parse_qstat_xml(_read("constructed_qstat_states.xml"))
    assert jobs[key] == JobUpdate(status, None, reason)


def test_comma_joined_task_ranges_and_error_states_with_hold() -> None:
    jobs = parse_qstat_xml(_read("constructed_qstat_states.xml"))
    assert {k for k in jobs if k.startswith("508.")} == {f"508.{t}" for t in (1, 2, 3, 5, 7, 9, 11, 14)}
    assert jobs["508.3"].status is jobs["508.5"].status is Status.FAILED
    assert jobs["511"].status is Status.FAILED
    assert "Ehqw" in jobs["511"].reason


def test_finished_jobs_listed_with_s_z_are_left_to_qacct() -> None:
    text = _read("constructed_qstat_states.xml").replace("<state>t</state>", "<state>z</state>")
    assert "501" not in parse_qstat_xml(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not XML"),
        ("error: commlib error: got select error (Connection refused)\n", "not XML"),
        # qstat -j -xml for an unknown job (OSC/ood_core qstat_jr_missing.xml, minus its invalid <>)
        ("<?xml version='1.0'?>\n<unknown_jobs><ST_name>1</ST_name></unknown_jobs>", "root <unknown_jobs>"),
    ],
)
def test_output_that_is_not_qstat_xml_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_qstat_xml(text)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<state>Rq</state>", "<state>x</state>", "unknown Grid Engine job state 'x' for job 509"),
        ("<tasks>3,5</tasks>", "<tasks>3-</tasks>", "task range '3-' of job 508"),
        ("<JB_job_number>509</JB_job_number>", "", "without a job number"),
    ],
)
def test_job_entries_it_cannot_read_are_errors(old: str, new: str, message: str) -> None:
    text = _read("constructed_qstat_states.xml").replace(old, new)
    with pytest.raises(ValueError, match=message):
        parse_qstat_xml(text)


# --- qacct -j ------------------------------------------------------------------------------


def test_array_tasks_one_record_each_in_accounting_order() -> None:
    jobs = parse_qacct(_read("mavis_qacct_array_tasks.txt"))
    assert list(jobs) == ["3757289.1", "3757289.3", "3757289.2"]
    assert set(jobs.values()) == {JobUpdate(Status.COMPLETED, 0, "")}
    assert jobs["3757289.2"].ended == _local(2018, 5, 24, 10, 55, 17)


def test_parallel_job_task_that_succeeded() -> None:
    jobs = parse_qacct(_read("mavis_qacct_success_pe.txt"))
    assert jobs == {"3744253.40": JobUpdate(Status.COMPLETED, 0, "")}
    assert jobs["3744253.40"].ended == _local(2018, 5, 22, 13, 28, 32)


def test_non_zero_exit_status_fails_with_that_code() -> None:
    jobs = parse_qacct(_read("mavis_qacct_exit_1.txt"))
    assert jobs == {"3755560": JobUpdate(Status.FAILED, 1, "exited with code 1")}


def test_shepherd_failure_before_the_job_ran_fails_with_its_text() -> None:
    jobs = parse_qacct(_read("mavis_qacct_failed_26_open_output.txt"))
    assert jobs == {"3760712.1": JobUpdate(Status.FAILED, None, "failed 26: opening input/output file")}
    assert jobs["3760712.1"].ended is None  # end_time -/-: it never ran


def test_qdel_of_a_running_job_is_cancelled() -> None:
    jobs = parse_qacct(_read("mavis_qacct_qdel_killed.txt"))
    update = jobs["3757249"]
    assert update.status is Status.CANCELLED
    assert update.exit_code is None
    assert update.reason == "killed by signal SIGKILL, most likely by qdel (failed 100: assumedly after job)"
    assert update.ended == _local(2018, 5, 24, 10, 51, 9)


def test_run_time_limit_is_a_timeout() -> None:
    jobs = parse_qacct(_read("wynton_qacct_h_rt_limit.txt"))
    assert jobs == {
        "191442": JobUpdate(
            Status.TIMEOUT, None, "killed at its h_rt limit (failed 37: qmaster enforced h_rt, h_cpu, or h_vmem limit)"
        )
    }
    assert jobs["191442"].ended == _local(2020, 2, 12, 22, 1, 50)


def test_open_cluster_scheduler_layout_iso_times_and_summary_table() -> None:
    jobs = parse_qacct(_read("ocs_qacct_array_tasks.txt"))
    assert jobs == {"8.97": JobUpdate(Status.COMPLETED, 0, ""), "8.99": JobUpdate(Status.COMPLETED, 0, "")}
    assert jobs["8.97"].ended == pytest.approx(_local(2024, 9, 27, 7, 42, 8) + 0.801865)


def test_univa_layout_and_time_format() -> None:
    jobs = parse_qacct(_read("uge_qacct_success.txt"))
    assert jobs == {"1504976": JobUpdate(Status.COMPLETED, 0, "")}
    assert jobs["1504976"].ended == pytest.approx(_local(2020, 8, 3, 7, 53, 22) + 0.139)


def test_memory_limit_kill_is_oom_when_maxvmem_reached_h_vmem_times_slots() -> None:
    jobs = parse_qacct(_read("constructed_qacct_h_vmem_kill.txt"))
    assert jobs == {
        "204817": JobUpdate(
            Status.OOM, None, "killed at its h_vmem limit (failed 37: qmaster enforced h_rt, h_cpu, or h_vmem limit)"
        )
    }


def test_deleted_by_tells_qdel_from_limit_kills_on_open_cluster_scheduler() -> None:
    jobs = parse_qacct(_read("constructed_qacct_ocs_deleted_by.txt"))
    assert jobs["41"] == JobUpdate(Status.CANCELLED, None, "deleted by alice@submit1")
    assert jobs["42.3"] == JobUpdate(Status.OOM, None, "killed at its h_vmem limit (failed 100: assumedly after job)")
    assert jobs["43"] == JobUpdate(Status.TIMEOUT, None, "killed at its h_rt limit (failed 100: assumedly after job)")


def _variant(name: str, **fields: str) -> str:
    """A recorded record with some fields replaced, to reach the branches no file shows."""
    lines = []
    for line in _read(name).splitlines():
        key = line.split(" ", 1)[0]
        lines.append(f"{key:<13}{fields[key]}" if key in fields else line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"exit_status": "139"}, JobUpdate(Status.FAILED, 139, "killed by signal SIGSEGV")),
        (
            # OCS issue #66: the application itself died of SIGUSR2 after hitting h_vmem
            {"failed": "100 : assumedly after job", "exit_status": "140"},
            JobUpdate(Status.FAILED, 140, "killed by signal SIGUSR2 (failed 100: assumedly after job)"),
        ),
        (
            {"failed": "37  : qmaster enforced h_rt, h_cpu, or h_vmem limit", "exit_status": "137"},
            JobUpdate(
                Status.TIMEOUT,
                None,
                "killed at its run-time limit (failed 37: qmaster enforced h_rt, h_cpu, or h_vmem limit)",
            ),
        ),
        (
            {"failed": "25  : rescheduling"},
            JobUpdate(Status.QUEUED, None, "failed 25: rescheduling; the job runs again"),
        ),
        ({"failed": "8   : in prolog"}, JobUpdate(Status.FAILED, None, "failed 8: in prolog")),
    ],
)
def test_failed_and_exit_status_combinations(fields: dict[str, str], expected: JobUpdate) -> None:
    jobs = parse_qacct(_variant("mavis_qacct_exit_1.txt", **fields))
    assert jobs["3755560"] == expected


def test_unparseable_end_time_leaves_ended_unknown() -> None:
    jobs = parse_qacct(_variant("mavis_qacct_exit_1.txt", end_time="sometime"))
    assert jobs["3755560"].ended is None


def test_summary_table_alone_has_no_records() -> None:
    assert parse_qacct(_read("mavis_qacct_summary_only.txt")) == {}
    assert parse_qacct("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Segmentation fault\n", "qacct record without a jobnumber"),
        (_read("mavis_qacct_exit_1.txt").replace("exit_status  1", "exit_status  one"), "exit_status 'one'"),
        (_read("mavis_qacct_exit_1.txt").replace("failed       0", "failed       "), "field failed ''"),
    ],
)
def test_qacct_output_it_cannot_read_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_qacct(text)


def test_ids_qacct_does_not_know() -> None:
    assert qacct_missing_ids(_read("uge_qacct_not_found.stderr")) == ["1504976"]
    assert qacct_missing_ids("") == []
    assert qacct_missing_ids("error: can't open accounting file\n") == []
