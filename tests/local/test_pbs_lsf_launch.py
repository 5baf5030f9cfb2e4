"""PBS Pro, LSF and Grid Engine launches through PSI/J, against the faithful fakes in
tests/fakes/ (which accept the real command lines, really run the script and really kill on
qdel/bkill)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hpcsim import Experiment, Status
from hpcsim.errors import SubmitError
from hpcsim.settings.run import RunSettings

from ..conftest import APPS

FAKES = Path(__file__).resolve().parent.parent / "fakes"
REPORT = str(APPS / "report.py")
WAIT_FOR = str(APPS / "wait_for.sh")


@pytest.fixture(params=["pbs", "lsf", "sge"])
def bexp(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Experiment]:
    """An experiment on the fake PBS, LSF or Grid Engine; its unfinished jobs are stopped at the end."""
    scheduler = str(request.param)
    monkeypatch.setenv("PATH", f"{FAKES / scheduler}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HPCSIM_FAKE_SCHED_DIR", str(tmp_path / "fake-state"))
    monkeypatch.setenv("HPCSIM_FAKE_LSF_MINUTE_SECONDS", "1")
    experiment = Experiment("fake", exp_path=tmp_path / "exp", launcher=scheduler)
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


def _rs(exp: Experiment, exe: str, args: list[str]) -> RunSettings:
    """Run the program directly: mpirun, the auto choice under PBS/LSF, refuses root in CI."""
    return exp.create_run_settings(exe, args, run_command="")


def _batch(exp: Experiment, **kwargs: object) -> object:
    return exp.create_batch_settings(nodes=1, time="00:05:00", **kwargs)


def test_model_completes_with_output_in_entity_dir(bexp: Experiment, python_exe: str) -> None:
    model = bexp.create_model("hello", _rs(bexp, python_exe, [REPORT, "hi"]))
    bexp.start(model)
    [row] = bexp.summary_data()
    assert (row["status"], row["exit_code"]) == ("COMPLETED", 0)
    out = json.loads((Path(model.path) / "hello.out").read_text())
    assert out["argv"] == ["hi"]
    assert out["env"]["HPCSIM_ENTITY"] == "hello"


def test_failing_app_is_failed_with_its_exit_code(bexp: Experiment, python_exe: str) -> None:
    model = bexp.create_model("fails", _rs(bexp, python_exe, [REPORT, "--exit=9"]))
    bexp.start(model)
    [row] = bexp.summary_data()
    assert (row["status"], row["exit_code"]) == ("FAILED", 9)


def test_stop_really_kills_and_is_cancelled(bexp: Experiment, tmp_path: Path) -> None:
    model = bexp.create_model("waits", _rs(bexp, WAIT_FOR, [str(tmp_path / "never")]))
    bexp.start(model, block=False)
    started = Path(model.path) / ".hpcsim" / "waits.ec"
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bexp.get_status(model) == [Status.RUNNING]
    bexp.stop(model)
    assert bexp.get_status(model) == [Status.CANCELLED]
    # the step never recorded an exit code: it was killed, not allowed to finish
    assert (Path(model.path) / ".hpcsim" / "waits.ec").read_text() in ("", "143\n", "130\n", "137\n")


def test_walltime_exceeded_is_timeout(bexp: Experiment, tmp_path: Path) -> None:
    time_limit = "00:01:00" if bexp.launcher == "lsf" else "00:00:01"  # LSF counts minutes (1 s in the fake)
    batch = bexp.create_batch_settings(time=time_limit)
    model = bexp.create_model("slow", _rs(bexp, WAIT_FOR, [str(tmp_path / "never")]), batch_settings=batch)
    bexp.start(model)
    assert bexp.get_status(model) == [Status.TIMEOUT]


def test_batch_ensemble_reports_each_member(bexp: Experiment, python_exe: str) -> None:
    ens = bexp.create_ensemble(
        "ens",
        params={"code": [0, 6, 0]},
        run_settings=_rs(bexp, python_exe, [REPORT]),
        batch_settings=_batch(bexp),
    )
    for member in ens.models:
        member.run_settings.add_exe_args(f"--exit={member.params['code']}")
    bexp.start(ens)
    assert bexp.get_status(ens) == [Status.COMPLETED, Status.FAILED, Status.COMPLETED]
    rows = {r["name"]: r for r in bexp.summary_data()}
    assert rows["ens_1"]["exit_code"] == 6
    assert rows["ens"]["status"] == "FAILED"


def test_ensemble_as_job_array(bexp: Experiment, python_exe: str) -> None:
    ens = bexp.create_ensemble(
        "arr",
        params={"code": [0, 0, 4]},
        run_settings=_rs(bexp, python_exe, [REPORT]),
        batch_settings=_batch(bexp),
        array=True,
    )
    for member in ens.models:
        member.run_settings.add_exe_args(f"--exit={member.params['code']}")
    bexp.start(ens)
    assert bexp.get_status(ens) == [Status.COMPLETED, Status.COMPLETED, Status.FAILED]
    rows = {r["name"]: r for r in bexp.summary_data()}
    assert len({rows[f"arr_{i}"]["job_id"] for i in range(3)}) == 3
    assert rows["arr_2"]["exit_code"] == 4


def test_unknown_queue_is_a_submit_error_and_nothing_is_recorded(bexp: Experiment, python_exe: str) -> None:
    model = bexp.create_model("lost", _rs(bexp, python_exe, [REPORT]), batch_settings=_batch(bexp, queue="nosuchqueue"))
    with pytest.raises(SubmitError, match=r"nosuchqueue|[Uu]nknown queue|not a valid queue") as caught:
        bexp.start(model)
    assert caught.value.returncode not in (None, 0)
    assert caught.value.argv[0] in ("qsub", "bsub")
    assert bexp.summary_data() == []


def test_a_new_process_follows_jobs_by_id(bexp: Experiment, tmp_path: Path) -> None:
    go = tmp_path / "go"
    ens = bexp.create_ensemble("ens", run_settings=_rs(bexp, WAIT_FOR, [str(go)]), replicas=2)
    bexp.start(ens, block=False)
    loaded = Experiment.load(bexp.exp_path)
    assert all(s in (Status.QUEUED, Status.RUNNING) for s in loaded.get_status("ens_0", "ens_1"))
    go.touch()
    loaded.poll(interval=1)
    assert loaded.get_status("ens_0", "ens_1") == [Status.COMPLETED, Status.COMPLETED]
