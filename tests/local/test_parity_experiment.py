"""SmartSim 0.8 Experiment behaviour on the local launcher, written as a SmartSim user writes it
(cases from SmartSim's tests/test_reconnect_orchestrator.py, test_orchestrator.py,
test_dbnode.py, test_fixtures.py, test_smartredis.py and test_experiment.py): reconnecting to a
running database from another experiment or process, blocking starts, poll, and summaries."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hpcsim import Client, Experiment, Status
from hpcsim.database import Orchestrator
from hpcsim.entity import Ensemble
from hpcsim.error import SmartSimError
from hpcsim.errors import LaunchError

from ..conftest import APPS
from ..dbutil import free_port, refused

REPORT = str(APPS / "report.py")
WAIT_FOR = str(APPS / "wait_for.sh")


@pytest.fixture
def port() -> int:
    return free_port(3)


@pytest.fixture
def stoppers() -> Iterator[list[tuple[Experiment, Orchestrator]]]:
    """(experiment, database) pairs stopped at the end, whatever the test did."""
    pairs: list[tuple[Experiment, Orchestrator]] = []
    yield pairs
    for experiment, db in pairs:
        if db.is_active():
            experiment.stop(db)


def _client(db: Orchestrator) -> Client:
    """A driver's client, as SmartSim's tutorial makes it: the address alone (the driver
    authenticates to a database it started or reconnected to)."""
    return Client(cluster=db.db_nodes >= 3, address=",".join(db.get_address()))


def _shard_pids(db: Orchestrator) -> list[int]:
    hidden = Path(db.path) / ".hpcsim"
    return [json.loads((hidden / f"{n}.shard.json").read_text())["pid"] for n in db.shard_names()]


def test_reconnect_from_another_experiment(
    tmp_path: Path, port: int, python_exe: str, stoppers: list[tuple[Experiment, Orchestrator]]
) -> None:
    first = Experiment("first", exp_path=str(tmp_path / "first"), launcher="local")
    db = first.create_database(port=port)
    first.generate(db, overwrite=True)
    first.start(db)
    stoppers.append((first, db))
    checkpoint = db.checkpoint_file
    assert Path(checkpoint).is_file()

    second = Experiment("second", exp_path=str(tmp_path / "second"), launcher="local")
    orc = second.reconnect_orchestrator(checkpoint)
    stoppers.append((second, orc))
    assert orc.is_active()
    assert orc.get_address() == db.get_address() == [f"127.0.0.1:{orc.ports[0]}"]
    assert len(orc.entities) == orc.db_nodes == 1 and orc.entities[0].host == "127.0.0.1"
    assert orc.checkpoint_file == checkpoint
    assert second.get_status(orc) == [Status.RUNNING]
    with pytest.raises(LaunchError, match="already running"):  # one identifier, one database
        second.start(second.create_database(port=port + 1))

    client = _client(orc)
    client.put_tensor("from_second", np.arange(4.0))
    assert _client(db).get_tensor("from_second").tolist() == [0.0, 1.0, 2.0, 3.0]

    # the second experiment's applications are told of the reconnected database
    rs = second.create_run_settings(python_exe, [REPORT])
    ensemble = Ensemble("producer", {"mult": [1, -10]}, str(tmp_path / "second" / "producer"), run_settings=rs)
    second.start(ensemble, summary=False)
    assert second.get_status(ensemble) == [Status.COMPLETED, Status.COMPLETED]
    env = json.loads((Path(ensemble.entities[0].path) / "producer_0.out").read_text())["env"]
    assert env["SSDB"] == env["HPCSIM_DB"] == db.get_address()[0]

    [address] = db.get_address()
    second.stop(db)  # SmartSim's fixtures stop the original object through the reconnecting experiment
    assert refused(address)
    assert second.get_status(orc) == [Status.COMPLETED]
    assert first.get_status(db) == [Status.COMPLETED]
    with pytest.raises(FileNotFoundError, match="was stopped"):
        second.reconnect_orchestrator(checkpoint)


def test_reconnect_in_the_same_directory(tmp_path: Path, port: int) -> None:
    """SmartSim's test_reconnect_orchestrator: a second Experiment in the first one's
    directory reconnects through the path SmartSim writes its checkpoint to."""
    first = Experiment("test-orc-launch-local", launcher="local", exp_path=str(tmp_path))
    orc = Orchestrator(port=port)
    orc.set_path(str(tmp_path / "orchestrator"))
    first.start(orc)
    assert all(status != Status.STATUS_FAILED for status in first.get_status(orc))

    second = Experiment("test-orc-local-reconnect-2nd", launcher="local", exp_path=str(tmp_path))
    reloaded = second.reconnect_orchestrator(str(tmp_path / "orchestrator" / "smartsim_db.dat"))
    assert second.get_status(reloaded) == [Status.RUNNING]
    assert reloaded.get_address() == orc.get_address()
    second.stop(reloaded)
    assert not orc.is_active()
    assert second.get_status(reloaded) == [Status.COMPLETED]


def test_reconnect_from_another_process_and_stop(tmp_path: Path, port: int) -> None:
    """A driver that starts a database and exits; a later driver reconnects and stops it."""
    driver = tmp_path / "driver.py"
    driver.write_text(
        textwrap.dedent(
            f"""
            from hpcsim import Experiment
            exp = Experiment("starter", exp_path={str(tmp_path / "starter")!r}, launcher="local")
            db = exp.create_database(port={port}, db_nodes=3)
            exp.start(db)
            print(db.checkpoint_file)
            """
        )
    )
    done = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    checkpoint = done.stdout.strip().splitlines()[-1]
    later = Experiment("later", exp_path=str(tmp_path / "later"), launcher="local")
    db = later.reconnect_orchestrator(checkpoint)
    try:
        assert db.is_active() and db.db_nodes == 3
        assert [n.host for n in db.entities] == ["127.0.0.1"] * 3
        assert later.get_status(db) == [Status.RUNNING] * 3
        cluster = _client(db)
        for i in range(10):
            cluster.put_tensor(f"k{i}", np.full(3, i))
        assert [cluster.get_tensor(f"k{i}")[0] for i in range(10)] == list(range(10))
        addresses = db.get_address()
    finally:
        later.stop(db)
    assert all(refused(address) for address in addresses)
    assert later.get_status(db) == [Status.COMPLETED] * 3


def test_reconnect_to_a_database_that_died(
    tmp_path: Path, port: int, stoppers: list[tuple[Experiment, Orchestrator]]
) -> None:
    first = Experiment("first", exp_path=str(tmp_path / "first"), launcher="local")
    db = first.create_database(port=port)
    first.start(db)
    stoppers.append((first, db))
    for pid in _shard_pids(db):
        os.kill(pid, 9)
    deadline = time.monotonic() + 10
    while not refused(db.get_address()[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = Experiment("second", exp_path=str(tmp_path / "second"), launcher="local")
    with pytest.raises(SmartSimError, match="is no longer running; start a new one") as info:
        second.reconnect_orchestrator(db.checkpoint_file)
    assert f"127.0.0.1:{port}" in str(info.value)


# -- blocking start, poll, summary (SmartSim's test_experiment.py) ---------------------------


def test_blocking_start_waits_for_every_application_launched(tmp_path: Path) -> None:
    """SmartSim's start(block=True) polls until every non-database job has ended, those of an
    earlier start(block=False) included."""
    exp = Experiment("blocking", exp_path=str(tmp_path / "exp"), launcher="local")
    go = tmp_path / "go"
    slow = exp.create_model("slow", exp.create_run_settings(WAIT_FOR, [str(go)]))
    exp.start(slow, block=False)
    releaser = subprocess.Popen(["bash", "-c", f"sleep 1; touch {go}"])
    quick = exp.create_model("quick", exp.create_run_settings("true"))
    exp.start(quick)
    releaser.wait()
    assert exp.get_status(slow, quick) == [Status.COMPLETED, Status.COMPLETED]


def test_poll_given_an_entity_waits_for_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    exp = Experiment("polling", exp_path=str(tmp_path / "exp"), launcher="local")
    short = exp.create_model("short", exp.create_run_settings("sleep", ["0.5"]))
    long = exp.create_model("long", exp.create_run_settings(WAIT_FOR, [str(tmp_path / "never")]))
    exp.start(short, long, block=False)
    try:
        with caplog.at_level(logging.WARNING, logger="hpcsim"):
            exp.poll(short)  # SmartSim's first parameter is the interval
        assert "poll() takes an interval in seconds" in caplog.text
        assert exp.get_status(short, long) == [Status.COMPLETED, Status.RUNNING]
        assert exp.finished(short) and not exp.finished(long)
    finally:
        exp.stop(long)
    exp.poll(interval=1)  # SmartSim's test_poll: returns once everything has ended
    assert exp.get_status(long) == [Status.CANCELLED]


def test_summary_as_smartsims_test_reads_it(tmp_path: Path) -> None:
    exp = Experiment("test_exp_summary", exp_path=str(tmp_path), launcher="local")
    m = exp.create_model("model", path=str(tmp_path), run_settings=exp.create_run_settings("echo", "Hello"))
    exp.start(m)
    summary_lines = exp.summary(style="plain").split("\n")
    assert len(summary_lines) == 2
    headers, values = (line.split() for line in summary_lines)
    row = dict(zip(["Index", *headers], values, strict=False))
    assert m.name == row["Name"]
    assert m.type == row["Entity-Type"]
    assert int(row["RunID"]) == 0
    assert int(row["Returncode"]) == 0
    assert "<td>model" in exp.summary(style="html")
