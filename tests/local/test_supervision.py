"""Supervision (issue 19, defects 5 and 8): a local job is its whole session, so killing its
bash script leaves nothing that cancel cannot stop; a shard restarts a dead inference worker,
and a database whose worker stays down says so."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from hpcsim import Experiment, Model, Status
from hpcsim._proc import proc_stat, session_members
from hpcsim.control.database import live, worker_reasons
from hpcsim.database import Orchestrator
from hpcsim.db.shard import _restart_policy
from hpcsim.errors import InferenceError
from hpcsim.schedulers.local import LocalScheduler

from ..dbutil import free_port


def _hpcsim() -> str:
    return str(Path(sys.executable).parent / "hpcsim")


def _gone(pid: int) -> bool:
    """Ended (a zombie waiting for init to reap it counts as ended)."""
    return proc_stat(pid)[0] in ("", "Z", "X")


def _until(what: str, check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _sleeper(exp: Experiment, name: str) -> Model:
    model = exp.create_model(name, exp.create_run_settings("sleep", ["600"]))
    exp.start(model, block=False)
    return model


def _kill_script(exp: Experiment, name: str) -> tuple[int, int]:
    """SIGKILL the bash script of job ``name``; returns (script pid, application pid)."""
    record = exp.job_record(name)
    pid, start = (int(record.native_id.split(":")[0]), record.native_id.split(":")[1])
    apps: list[int] = []

    def started() -> bool:
        apps[:] = [p for p, _ in session_members(pid, start) if p != pid and "sleep" in _cmd(p).split(" ")[0]]
        return bool(apps)

    _until("the application to start", started)
    os.kill(pid, signal.SIGKILL)
    _until("the script to end", lambda: _gone(pid))
    return pid, apps[0]


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_killed_script_leaves_a_running_job_that_stop_ends(exp: Experiment, caplog: pytest.LogCaptureFixture) -> None:
    _sleeper(exp, "lonely")
    script, app = _kill_script(exp, "lonely")
    try:
        assert exp.get_status("lonely") == [Status.RUNNING]
        assert any(f"pid(s) {app}" in r.getMessage() and "hpcsim cancel" in r.getMessage() for r in caplog.records)
        # another process (hpcsim status) sees the same, with the reason
        ref = exp.job_record("lonely").ref
        update = LocalScheduler().status([ref])[ref]
        assert update.status is Status.RUNNING
        assert f"its script (pid {script})" in update.reason and str(app) in update.reason
        assert "hpcsim cancel" in update.reason
        exp.stop("lonely")
        assert _gone(app)
        assert exp.get_status("lonely") == [Status.CANCELLED]
    finally:
        if not _gone(app):
            os.kill(app, signal.SIGKILL)


def test_cli_cancel_stops_the_application_of_a_killed_script(tmp_path: Path) -> None:
    exp = Experiment("orphan", exp_path=tmp_path / "exp")
    _sleeper(exp, "lonely")
    _, app = _kill_script(exp, "lonely")
    try:
        path = str(tmp_path / "exp")
        status = subprocess.run([_hpcsim(), "status", path], capture_output=True, text=True, timeout=120)
        assert "RUNNING" in status.stdout, status.stdout + status.stderr
        cancel = subprocess.run([_hpcsim(), "cancel", path], capture_output=True, text=True, timeout=120)
        assert cancel.returncode == 0, cancel.stderr
        assert cancel.stdout.startswith("lonely: CANCELLED")
        assert _gone(app)
    finally:
        if not _gone(app):
            os.kill(app, signal.SIGKILL)


def test_application_that_outlives_its_script_fails_with_the_story(exp: Experiment) -> None:
    _sleeper(exp, "lonely")
    _, app = _kill_script(exp, "lonely")
    try:
        assert exp.get_status("lonely") == [Status.RUNNING]
    finally:
        os.kill(app, signal.SIGKILL)
    _until("the application to end", lambda: _gone(app))
    record = exp.job_record("lonely")
    assert record.status is Status.FAILED
    assert "killed by SIGKILL" in record.reason and "application ended later" in record.reason


# -- defect 8: the shard restarts a dead inference worker, and says when it gave up -------------


def _shard_report(db: Orchestrator) -> dict[str, Any]:
    [name] = db.shard_names()
    report: dict[str, Any] = json.loads((Path(db.path) / ".hpcsim" / f"{name}.shard.json").read_text())
    return report


def _heartbeat_pid(exp: Experiment, address: str) -> int | None:
    host, port = address.rsplit(":", 1)
    password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
    with redis.Redis(host=host, port=int(port), password=password, socket_timeout=5) as conn:
        beat = conn.get("__hpcsim.ai.worker")
    return None if beat is None else int(json.loads(beat)["pid"])


def _kill_worker(exp: Experiment, db: Orchestrator) -> int:
    """SIGKILL the worker the shard reports (once its heartbeat says it serves)."""
    [address] = db.get_address()
    pid = int(_shard_report(db)["worker_pid"])
    _until("the worker's heartbeat", lambda: _heartbeat_pid(exp, address) == pid)
    os.kill(pid, signal.SIGKILL)
    return pid


def _restarted(exp: Experiment, db: Orchestrator, old: int) -> int:
    """Wait until the shard restarted its worker and the new one serves; its pid."""
    [address] = db.get_address()

    def serving() -> bool:
        report = _shard_report(db)
        new = int(report["worker_pid"])
        return report["worker"] == "up" and new != old and _heartbeat_pid(exp, address) == new

    _until("the restarted worker to serve", serving, timeout=60)
    return int(_shard_report(db)["worker_pid"])


@pytest.fixture
def quick_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_WORKER_RESTARTS", "1")
    monkeypatch.setenv("HPCSIM_WORKER_BACKOFF", "0")


def test_dead_worker_is_restarted_then_reported_down(exp: Experiment, quick_restarts: None) -> None:
    db = exp.create_database(port=free_port(1))
    exp.start(db)
    _until("the worker to serve", lambda: _shard_report(db)["worker"] == "up")
    assert db.is_active()
    first = _kill_worker(exp, db)
    second = _restarted(exp, db, first)
    assert db.is_active()
    assert _shard_report(db)["worker_restarts"] == 1
    _kill_worker(exp, db)  # the budget (1 restart) is spent: the shard gives up
    _until("the shard to give up", lambda: _shard_report(db)["worker"] == "down", timeout=60)
    _until("is_active to notice", lambda: not db.is_active(), timeout=60)
    [record] = exp._session.running_databases().values()
    assert live(record).is_active(workers=False)  # the server itself still serves tensors
    assert exp.get_status(db) == [Status.RUNNING]
    [shard] = db.shard_names()
    reasons = worker_reasons([record])
    assert list(reasons) == [shard]
    assert "inference worker down" in reasons[shard]
    log = Path(exp.job_record(shard).err).read_text()
    assert f"inference worker (pid {first}) was killed by SIGKILL; restarting it" in log
    assert f"inference worker restarted (pid {second})" in log
    assert "gave up after 1 restart(s)" in log
    exp.stop(db)
    assert exp.get_status(db) == [Status.COMPLETED]


def test_run_model_works_again_after_a_restart(exp: Experiment, quick_restarts: None) -> None:
    torch = pytest.importorskip("torch")
    from hpcsim.client import Client

    db = exp.create_database(port=free_port(1))
    exp.start(db)
    [address] = db.get_address()
    password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
    client = Client(cluster=False, address=address, password=password)
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.ReLU()), buffer)
    client.set_model("relu", buffer.getvalue(), "TORCH")
    data = np.array([[-1.0, 2.0, -3.0]], dtype=np.float32)
    client.put_tensor("x", data)
    client.run_model("relu", "x", "y")
    _restarted(exp, db, _kill_worker(exp, db))
    client.run_model("relu", "x", "y2")
    np.testing.assert_array_equal(client.get_tensor("y2"), np.maximum(data, 0))
    _kill_worker(exp, db)
    _until("the shard to give up", lambda: _shard_report(db)["worker"] == "down", timeout=60)
    _until("the heartbeat to expire", lambda: not db.is_active(), timeout=60)
    with pytest.raises(InferenceError, match="no inference worker"):
        client.run_model("relu", "x", "y3")
    client.close()


def test_restart_budget_from_the_environment_is_checked() -> None:
    assert _restart_policy({}) == (5, 0.5)
    assert _restart_policy({"HPCSIM_WORKER_RESTARTS": "0", "HPCSIM_WORKER_BACKOFF": "2"}) == (0, 2.0)
    for bad in ({"HPCSIM_WORKER_RESTARTS": "x"}, {"HPCSIM_WORKER_RESTARTS": "-1"}, {"HPCSIM_WORKER_BACKOFF": "99"}):
        with pytest.raises(ValueError, match="HPCSIM_WORKER_RESTARTS"):
            _restart_policy(bad)


def test_cluster_names_the_shard_whose_worker_is_down(exp: Experiment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_WORKER_RESTARTS", "0")
    db = exp.create_database(port=free_port(3), db_nodes=3)
    exp.start(db)
    assert db.is_active()
    hidden = Path(db.path) / ".hpcsim"
    reports = {n: json.loads((hidden / f"{n}.shard.json").read_text()) for n in db.shard_names()}
    victim = db.shard_names()[1]
    os.kill(int(reports[victim]["worker_pid"]), signal.SIGKILL)
    _until("is_active to notice", lambda: not db.is_active(), timeout=60)
    [record] = exp._session.running_databases().values()
    address = f"{reports[victim]['address']}:{reports[victim]['port']}"
    assert live(record).workers_down() == [address]
    assert list(worker_reasons([record])) == [victim]
    assert json.loads((hidden / f"{victim}.shard.json").read_text())["worker"] == "down"
