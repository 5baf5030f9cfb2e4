"""One driver per experiment (issue 19, defect 6): a second live process that launches or
generates in an experiment another process drives is refused with a message naming the first;
readers (status, load, stop, cancel) are never refused, and a dead driver's record is taken
over."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hpcsim import Experiment, Status
from hpcsim._proc import proc_stat
from hpcsim.control.owner import DriverConflictError, current_owner, owner_path
from hpcsim.control.store import JobStore, store_path

from ..dbutil import free_port

# a driver that starts a database and a long model, says "ready", and ends (normally) on a line on stdin
_DRIVER = textwrap.dedent(
    """
    import sys
    from hpcsim import Experiment
    exp = Experiment("first", exp_path=sys.argv[1], launcher="local")
    db = exp.create_database(port=int(sys.argv[2]), interface="lo")
    model = exp.create_model("sleeper", exp.create_run_settings("sleep", ["600"]))
    exp.start(db)
    exp.start(model, block=False)
    print("ready", flush=True)
    sys.stdin.readline()
    exp.stop(db, model)
    """
)


def _hpcsim() -> str:
    return str(Path(sys.executable).parent / "hpcsim")


@pytest.fixture
def first_driver(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A live driver in ``tmp_path/exp`` (a separate process), ended at the end of the test."""
    exp_dir = tmp_path / "exp"
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRIVER, str(exp_dir), str(free_port())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc, exp_dir
    if proc.poll() is None:
        assert proc.stdin is not None
        proc.stdin.write("end\n")
        proc.stdin.flush()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    leftover = Experiment.load(exp_dir)  # stop what the driver left running, whatever the test did
    leftover.stop(*[n for n in leftover._launched if not leftover.finished(n)])


@pytest.fixture
def foreign_pid() -> Iterator[int]:
    """A live process of ours that is not this one (stands in for another driver)."""
    proc = subprocess.Popen(["sleep", "600"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _plant(exp_dir: Path, pid: int, host: str | None = None, start: str | None = None) -> Path:
    path = owner_path(exp_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "pid": pid,
        "start": proc_stat(pid)[1] if start is None else start,
        "host": host or socket.gethostname(),
        "since": time.time() - 60,
    }
    path.write_text(json.dumps(record))
    return path


def test_a_second_driver_is_refused_naming_the_first(
    first_driver: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    proc, exp_dir = first_driver
    second = Experiment("second", exp_path=exp_dir, launcher="local")
    db = second.create_database(port=free_port(), interface="lo", db_identifier="second_db")
    intruder = second.create_model("intruder", second.create_run_settings("true"))
    for entities in ((db,), (intruder,), (db, intruder)):
        with pytest.raises(DriverConflictError) as caught:
            second.start(*entities)
        message = str(caught.value)
        assert f"pid {proc.pid} on host {socket.gethostname()}" in message
        assert "since " in message and "kill" in message
    # nothing of the second driver ran: the first driver's database and jobs only
    with contextlib.closing(JobStore(store_path(exp_dir), create=False)) as store:
        assert store.meta()["name"] == "first"
        assert list(store.databases()) == ["orchestrator"]  # one database: no orphan
        assert {r.name for r in store.all_runs()} == {"orchestrator_0", "sleeper"}


def test_readers_and_stop_work_while_a_driver_runs(first_driver: tuple[subprocess.Popen[str], Path]) -> None:
    proc, exp_dir = first_driver
    status = subprocess.run([_hpcsim(), "status", str(exp_dir)], capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert "sleeper" in status.stdout
    loaded = Experiment.load(exp_dir)
    assert loaded.get_status("sleeper") == [Status.RUNNING]
    cancel = subprocess.run([_hpcsim(), "cancel", str(exp_dir), "sleeper"], capture_output=True, text=True, timeout=120)
    assert cancel.returncode == 0, cancel.stderr
    assert Experiment.load(exp_dir).get_status("sleeper") == [Status.CANCELLED]
    assert proc.poll() is None
    owner = current_owner(exp_dir)
    assert owner is not None and owner.pid == proc.pid  # readers never took the record


def test_the_record_goes_when_the_driver_ends_and_the_next_one_may_start(
    first_driver: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, exp_dir = first_driver
    assert owner_path(exp_dir).is_file()
    assert proc.stdin is not None
    proc.stdin.write("end\n")
    proc.stdin.flush()
    assert proc.wait(60) == 0
    assert not owner_path(exp_dir).exists()
    second = Experiment("second", exp_path=exp_dir, launcher="local")
    model = second.create_model("quick", second.create_run_settings("true"))
    second.start(model)
    assert second.get_status(model) == [Status.COMPLETED]
    owner = current_owner(exp_dir)
    assert owner is not None and owner.pid == os.getpid()


def test_a_killed_drivers_record_is_taken_over(tmp_path: Path) -> None:
    exp_dir = tmp_path / "exp"
    driver = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from hpcsim.control.owner import claim; from pathlib import Path; "
            "claim(Path(sys.argv[1])); print('ready', flush=True); sys.stdin.readline()",
            str(exp_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert driver.stdout is not None and driver.stdout.readline().strip() == "ready"
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    stale = current_owner(exp_dir)
    assert stale is not None and stale.pid == driver.pid  # no atexit after SIGKILL
    exp = Experiment("next", exp_path=exp_dir, launcher="local")
    model = exp.create_model("quick", exp.create_run_settings("true"))
    exp.start(model)
    owner = current_owner(exp_dir)
    assert owner is not None and owner.pid == os.getpid()


def test_a_recycled_pid_is_not_the_driver(tmp_path: Path, foreign_pid: int) -> None:
    exp_dir = tmp_path / "exp"
    _plant(exp_dir, foreign_pid, start="1")  # same pid, another process (started at another time)
    exp = Experiment("next", exp_path=exp_dir, launcher="local")
    exp.start(exp.create_model("quick", exp.create_run_settings("true")))
    owner = current_owner(exp_dir)
    assert owner is not None and owner.pid == os.getpid()


def test_generate_is_driving_too(tmp_path: Path, foreign_pid: int) -> None:
    exp_dir = tmp_path / "exp"
    _plant(exp_dir, foreign_pid)
    exp = Experiment("second", exp_path=exp_dir, launcher="local")
    model = exp.create_model("m", exp.create_run_settings("true"))
    with pytest.raises(DriverConflictError, match=f"pid {foreign_pid} on host"):
        exp.generate(model)
    assert not (exp_dir / "m").exists()


def test_a_driver_on_another_host_is_named_with_how_to_clear_it(tmp_path: Path, foreign_pid: int) -> None:
    exp_dir = tmp_path / "exp"
    path = _plant(exp_dir, foreign_pid, host="compute-17")
    exp = Experiment("second", exp_path=exp_dir, launcher="local")
    model = exp.create_model("m", exp.create_run_settings("true"))
    with pytest.raises(DriverConflictError) as caught:
        exp.start(model)
    message = str(caught.value)
    assert f"pid {foreign_pid} on host compute-17" in message
    assert f"rm {path}" in message and "ps -p" in message
    assert not store_path(exp_dir).exists()
    path.unlink()  # what the message says to do, once that driver is known to be gone
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED]


def test_one_process_may_open_its_experiment_twice(exp: Experiment) -> None:
    exp.start(exp.create_model("a", exp.create_run_settings("true")))
    again = Experiment.load(exp.exp_path)
    again.start(again.create_model("b", again.create_run_settings("true")))
    assert again.get_status("b") == [Status.COMPLETED]


def test_a_planted_symlink_record_is_refused(tmp_path: Path) -> None:
    exp_dir = tmp_path / "exp"
    (exp_dir / ".hpcsim").mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    owner_path(exp_dir).symlink_to(target)
    exp = Experiment("e", exp_path=exp_dir, launcher="local")
    with pytest.raises(DriverConflictError, match="is a symlink"):
        exp.start(exp.create_model("m", exp.create_run_settings("true")))
    assert target.read_text() == "{}"


def test_dry_runs_and_previews_do_not_drive(tmp_path: Path, foreign_pid: int) -> None:
    exp_dir = tmp_path / "exp"
    _plant(exp_dir, foreign_pid)
    exp = Experiment("e", exp_path=exp_dir, launcher="local")
    exp.preview(exp.create_model("m", exp.create_run_settings("true")))
