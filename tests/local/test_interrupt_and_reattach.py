"""Ctrl-C in a blocking driver, and jobs that outlive their driver (SmartSim's test_interrupt,
plus the re-attach SmartSim cannot do)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from hpcsim import Experiment, Status

from ..conftest import APPS, default_sigint

DRIVER = textwrap.dedent(
    """
    import sys
    from hpcsim import Experiment, log_to_console
    log_to_console()
    exp_path, go, block, kill = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
    exp = Experiment("driver", exp_path=exp_path, launcher="local")
    rs = exp.create_run_settings({wait_for!r}, [go, "5"])
    ens = exp.create_ensemble("ens", run_settings=rs, replicas=3)
    exp.start(ens, block=block, kill_on_interrupt=kill)
    print("STARTED", flush=True)
    """
)


def _driver(tmp_path: Path, block: bool, kill: bool = True) -> tuple[subprocess.Popen[str], Path, Path]:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(wait_for=str(APPS / "wait_for.sh")))
    exp_path, go = tmp_path / "exp", tmp_path / "go"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(exp_path), str(go), "1" if block else "0", "1" if kill else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    return proc, exp_path, go


def _wait_for_launch(proc: subprocess.Popen[str]) -> None:
    """The driver logs 'launched' on stderr once every job is recorded."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if "launched 3 job(s)" in line:
            return
    pytest.fail(f"driver ended before launching (exit {proc.wait()})")


def _pids(exp: Experiment) -> list[int]:
    return [int(row["job_id"].split(":")[0]) for row in exp.summary_data()]


def _running(pid: int) -> bool:
    """True while ``pid`` runs; a zombie waiting for its (new) parent to reap it has ended."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _group_runs(pgid: int) -> bool:
    """True while a process of group ``pgid`` runs (zombies have ended)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def test_ctrl_c_stops_the_jobs_of_a_blocking_start(tmp_path: Path) -> None:
    proc, exp_path, _ = _driver(tmp_path, block=True)
    _wait_for_launch(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    assert "stopping 3 unfinished job(s)" in err
    exp = Experiment.load(exp_path)
    assert exp.get_status("ens_0", "ens_1", "ens_2") == [Status.CANCELLED] * 3
    assert {row["reason"] for row in exp.summary_data()} == {"interrupted (Ctrl-C)"}
    assert not any(_running(pid) for pid in _pids(exp))


def test_ctrl_c_without_kill_on_interrupt_leaves_jobs_running(tmp_path: Path) -> None:
    proc, exp_path, go = _driver(tmp_path, block=True, kill=False)
    _wait_for_launch(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "leaving 3 job(s) running" in err
    exp = Experiment.load(exp_path)
    assert exp.get_status("ens_0", "ens_1", "ens_2") == [Status.RUNNING] * 3
    go.touch()
    exp.poll(interval=1)
    assert exp.get_status("ens_0", "ens_1", "ens_2") == [Status.FAILED] * 3
    assert [row["exit_code"] for row in exp.summary_data()] == [5, 5, 5]


def test_jobs_outlive_a_killed_driver_and_reattach(tmp_path: Path) -> None:
    proc, exp_path, go = _driver(tmp_path, block=False)
    _wait_for_launch(proc)
    proc.kill()
    proc.wait()
    exp = Experiment.load(exp_path)
    assert exp.name == "driver"
    assert exp.get_status("ens_0", "ens_1", "ens_2") == [Status.RUNNING] * 3
    go.touch()
    exp.poll(interval=1)
    rows = exp.summary_data()
    assert [(r["status"], r["exit_code"]) for r in rows] == [("FAILED", 5)] * 3
    assert not any(_running(pid) for pid in _pids(exp))


def test_a_killed_job_is_failed_not_completed(tmp_path: Path) -> None:
    proc, exp_path, _ = _driver(tmp_path, block=False)
    _wait_for_launch(proc)
    proc.wait()
    exp = Experiment.load(exp_path)
    for pid in _pids(exp):
        os.killpg(pid, signal.SIGKILL)
    # SIGKILL reaches a group's processes one by one: a poll in between would see the script
    # dead and its application not yet (a job whose application outlived its script)
    deadline = time.monotonic() + 30
    while any(_group_runs(pid) for pid in _pids(exp)):
        assert time.monotonic() < deadline, "the killed jobs' processes did not end within 30 s"
        time.sleep(0.05)
    exp.poll(interval=1)
    rows = exp.summary_data()
    assert {r["status"] for r in rows} == {"FAILED"}
    assert all("without recording an exit code" in r["reason"] for r in rows)


def test_load_of_a_directory_without_an_experiment(tmp_path: Path) -> None:
    from hpcsim.errors import ConfigError

    with pytest.raises(ConfigError, match="no hpcsim experiment at"):
        Experiment.load(tmp_path)
