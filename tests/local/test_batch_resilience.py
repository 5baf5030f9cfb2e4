"""What a batch adapter does when the scheduler misbehaves: a transient submit failure is
retried, a refused submission is not, failed status queries never fail jobs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hpcsim import Experiment, Status
from hpcsim.errors import SchedulerError, SubmitError
from hpcsim.schedulers import JobRef
from hpcsim.schedulers.pbs import PbsScheduler

from ..conftest import APPS

FAKE_PBS = Path(__file__).resolve().parent.parent / "fakes" / "pbs"
# the first call fails the way qsub does when the server is briefly unreachable
FLAKY_QSUB = """#!/bin/sh
echo qsub >>"{log}"
if [ ! -e "{log}.failed" ]; then
    : >"{log}.failed"
    echo "qsub: cannot connect to server pbs01 (errno=15010)" >&2
    exit 1
fi
exec "{real}" "$@"
"""
BROKEN_QSTAT = """#!/bin/sh
echo "qstat: cannot connect to server pbs01 (errno=15010)" >&2
exit 1
"""


@pytest.fixture
def pbs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake PBS on PATH, behind a directory for shims; returns that directory."""
    shims = tmp_path / "shims"
    shims.mkdir()
    monkeypatch.setenv("PATH", os.pathsep.join([str(shims), str(FAKE_PBS), os.environ["PATH"]]))
    monkeypatch.setenv("HPCSIM_FAKE_SCHED_DIR", str(tmp_path / "fake-state"))
    return shims


def _shim(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)
    (directory / name).chmod(0o755)


def test_a_transient_submit_failure_is_retried(pbs: Path, tmp_path: Path, python_exe: str) -> None:
    log = tmp_path / "qsub.log"
    _shim(pbs, "qsub", FLAKY_QSUB.format(log=log, real=FAKE_PBS / "qsub"))
    exp = Experiment("flaky", exp_path=tmp_path / "exp", launcher="pbs")
    model = exp.create_model("m", exp.create_run_settings(python_exe, [str(APPS / "report.py")], run_command=""))
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED]
    assert log.read_text().split() == ["qsub", "qsub"]


def test_a_refused_submission_is_not_retried(pbs: Path, tmp_path: Path, python_exe: str) -> None:
    log = tmp_path / "qsub.log"
    (tmp_path / "qsub.log.failed").touch()  # the shim passes every call through
    _shim(pbs, "qsub", FLAKY_QSUB.format(log=log, real=FAKE_PBS / "qsub"))
    exp = Experiment("refused", exp_path=tmp_path / "exp", launcher="pbs")
    batch = exp.create_batch_settings(queue="nosuchqueue")
    rs = exp.create_run_settings(python_exe, [str(APPS / "report.py")], run_command="")
    with pytest.raises(SubmitError) as caught:
        exp.start(exp.create_model("m", rs, batch_settings=batch))
    assert not caught.value.transient
    assert log.read_text().split() == ["qsub"]


def test_failed_status_queries_keep_states_then_give_up(pbs: Path, tmp_path: Path) -> None:
    _shim(pbs, "qstat", BROKEN_QSTAT)
    scheduler = PbsScheduler(tmp_path / "psij")
    ref = JobRef("1.fakepbs", str(tmp_path / "none.ec"))
    for _ in range(10):
        assert scheduler.status([ref]) == {}  # no news, not FAILED
    with pytest.raises(SchedulerError, match=r"pbs status failed 11 times in a row: .*cannot connect to server"):
        scheduler.status([ref])


@pytest.mark.parametrize(
    ("launcher", "variable"), [("slurm", "SLURM_JOB_ID"), ("pbs", "PBS_JOBID"), ("lsf", "LSB_JOBID")]
)
def test_inside_an_allocation_only_models_without_batch_settings_become_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launcher: str, variable: str
) -> None:
    monkeypatch.setenv(variable, "42")
    exp = Experiment("inside", exp_path=tmp_path / "exp", launcher=launcher)
    rs = exp.create_run_settings("/bin/echo", ["hi"])
    step = exp.create_model("step", rs)
    job = exp.create_model("job", rs, batch_settings=exp.create_batch_settings())
    directive = {"slurm": "#SBATCH", "pbs": "#PBS", "lsf": "#BSUB"}[launcher]
    assert directive not in exp.preview(step)
    assert directive in exp.preview(job)
    monkeypatch.delenv(variable)
    assert directive in exp.preview(step)
