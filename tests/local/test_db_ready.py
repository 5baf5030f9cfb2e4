"""Database readiness (issue 23): a shard reports ready once its server answers, while its
inference worker starts beside it; requests sent meanwhile wait for the worker. Only a
``--load`` manifest (models the applications need from their start) is waited for."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import redis

from hpcsim import Experiment
from hpcsim.client import Client
from hpcsim.dataplane import protocol
from hpcsim.db import shard
from hpcsim.db.discovery import find_redis_server
from hpcsim.entities.dbobjects import DBModel
from hpcsim.ml.manifest import write_manifest

from ..dbutil import free_port


def _first_report(out: str) -> dict[str, object]:
    """The ``HPCSIM_SHARD_INFO`` a shard printed first (its report file is rewritten later)."""
    for line in out.splitlines():
        if line.startswith("HPCSIM_SHARD_INFO "):
            report: dict[str, object] = json.loads(line.split(" ", 1)[1])
            return report
    raise AssertionError(f"no shard report in {out!r}")


def _relu() -> bytes:
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.ReLU()), buffer)
    return buffer.getvalue()


def test_the_shard_stands_in_for_the_heartbeat_the_worker_keeps() -> None:
    assert protocol.heartbeat_key("") == shard._HEARTBEAT_KEY
    assert protocol.HEARTBEAT_MS == shard._HEARTBEAT_MS


def test_a_database_without_ml_objects_is_ready_before_its_worker_and_queues_requests(exp: Experiment) -> None:
    relu = _relu()
    db = exp.create_database(port=free_port())
    exp.start(db)
    [name] = db.shard_names()
    first = _first_report(Path(exp.job_record(name).out).read_text())
    assert first["worker"] == "starting"
    # hold the worker where it is, send the requests, and let it go once they are queued
    worker = int(str(first["worker_pid"]))
    os.kill(worker, signal.SIGSTOP)
    [address] = db.get_address()
    password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
    client = Client(cluster=False, address=address, password=password)
    data = np.array([[-1.0, 2.0, -3.0]], dtype=np.float32)
    client.put_tensor("x", data)
    failures: list[BaseException] = []

    def use_the_model() -> None:
        try:
            client.set_model("relu", relu, "TORCH")
            client.run_model("relu", "x", "y")
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)

    caller = threading.Thread(target=use_the_model)
    caller.start()
    host, port = address.rsplit(":", 1)
    try:
        with redis.Redis(host=host, port=int(port), password=password, socket_timeout=5) as conn:
            deadline = time.monotonic() + 30
            while not conn.llen(protocol.queue_key("")) and caller.is_alive() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert conn.llen(protocol.queue_key("")) == 1, failures
    finally:
        os.kill(worker, signal.SIGCONT)
    caller.join(timeout=120)
    assert not caller.is_alive() and not failures, failures
    np.testing.assert_array_equal(client.get_tensor("y"), np.maximum(data, 0))
    client.close()


def test_a_shard_with_a_load_manifest_reports_once_it_is_loaded(tmp_path: Path) -> None:
    manifest = write_manifest([DBModel("relu", "TORCH", model=_relu())], [], tmp_path / "ml")
    port = free_port()
    argv = [sys.executable, "-m", "hpcsim.db.shard", "--name", "m", "--port", str(port), "--dir", str(tmp_path)]
    argv += ["--server", str(find_redis_server()), "--load", str(manifest)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = iter(proc.stdout.readline, "")
        report = _first_report(next(line for line in lines if line.startswith("HPCSIM_SHARD_INFO ")))
        assert report["worker"] == "up"
        # what the worker writes once loaded was there before the shard reported
        assert (tmp_path / ".hpcsim" / "m.worker.json").exists()
        client = Client(cluster=False, address=f"127.0.0.1:{port}")
        assert client.model_exists("relu")
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode == 0
