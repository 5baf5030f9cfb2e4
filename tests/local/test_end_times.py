"""A job's end time is when it ended, not when hpcsim first noticed (issue 19, "Times are
wrong"): a local job's script records its exit code as it ends, and that file's mtime is the
end the store keeps and the summary's ``time`` uses, whoever polls, however late."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from hpcsim import Experiment, Status
from hpcsim.control.store import JobStore, store_path


def _ended(exp: Experiment, name: str, timeout: float = 30.0) -> None:
    """Wait, without asking hpcsim, until the job's script has recorded its exit code."""
    record = exp.job_record(name)
    deadline = time.monotonic() + timeout
    ec = Path(record.exit_code_file)
    while not (ec.is_file() and ec.read_text().strip()):
        assert time.monotonic() < deadline, f"{name} did not end"
        time.sleep(0.05)


def test_a_job_polled_late_records_when_it_ended(exp: Experiment) -> None:
    model = exp.create_model("nap", exp.create_run_settings("sleep", ["1"]))
    exp.start(model, block=False)
    _ended(exp, "nap")
    time.sleep(2.0)  # hpcsim notices only now, well after the end
    polled = time.time()
    assert exp.get_status(model) == [Status.COMPLETED]
    record = exp.job_record("nap")
    took = record.updated - record.submitted
    assert 1.0 <= took < polled - record.submitted
    [row] = exp.summary_data()
    assert 1.0 <= row["time"] < polled - record.submitted
    with contextlib.closing(JobStore(store_path(exp.exp_path), create=False)) as store:
        assert store.history(record.id)[-1].time == record.updated


def test_a_reader_that_notices_first_records_the_real_end_too(exp: Experiment) -> None:
    model = exp.create_model("fails", exp.create_run_settings("bash", ["-c", "sleep 1; exit 3"]))
    exp.start(model, block=False)
    _ended(exp, "fails")
    time.sleep(2.0)
    polled = time.time()
    [row] = Experiment.load(exp.exp_path).summary_data()  # `hpcsim status` is the first to ask
    assert (row["status"], row["exit_code"]) == ("FAILED", 3)
    submitted = exp.job_record("fails").submitted
    assert 1.0 <= row["time"] < polled - submitted


def test_a_blocking_start_records_times_that_include_the_run(exp: Experiment) -> None:
    model = exp.create_model("quick", exp.create_run_settings("sleep", ["1"]))
    exp.start(model)
    record = exp.job_record("quick")
    assert record.status is Status.COMPLETED
    assert record.updated - record.submitted >= 1.0
