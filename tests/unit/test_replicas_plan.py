"""Replicas: what ``create_database(replicas=...)`` accepts and plans, and the client's
durable-put settings (no process runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment
from hpcsim.client.options import ConfigOptions, Timeouts, read_durability
from hpcsim.control.database import planned_record
from hpcsim.database import Orchestrator
from hpcsim.errors import ConfigError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"replicas": -1, "db_nodes": 3}, "replicas must be a non-negative integer"),
        ({"replicas": "x", "db_nodes": 3}, "replicas must be a non-negative integer"),
        ({"replicas": 1.0, "db_nodes": 3}, "replicas must be a non-negative integer"),
        ({"replicas": True, "db_nodes": 3}, "replicas must be a non-negative integer"),
        ({"replicas": 1, "db_nodes": 1}, "needs a Redis Cluster: use db_nodes=3 or more"),
        ({"replicas": 1}, "needs a Redis Cluster"),
    ],
)
def test_bad_replicas_are_refused_with_a_message(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="local")
    with pytest.raises(ConfigError, match=message):
        exp.create_database(port=6780, **kwargs)


def test_replicas_under_a_scheduler_are_refused_naming_the_node_count(tmp_path: Path) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="slurm")
    with pytest.raises(ConfigError, match=r"local launcher only.*db_nodes\*\(1\+replicas\) = 6 nodes"):
        exp.create_database(port=6780, db_nodes=3, replicas=1)


def test_local_replicas_are_planned_as_extra_shards_on_the_next_ports(tmp_path: Path) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="local")
    db = exp.create_database(port=6780, db_nodes=3, replicas=1)
    assert db.num_shards == 6 and db.is_cluster and "replicas=1" in repr(db)
    assert db.shard_names() == [f"orchestrator_{i}" for i in range(6)]
    text = exp.preview(db)
    for port in range(6780, 6786):
        assert f"--port {port}" in text
    record = planned_record(db, None)
    assert record.addresses == tuple(f"127.0.0.1:{p}" for p in range(6780, 6786)) and record.cluster


def test_replicas_zero_is_the_plain_database(tmp_path: Path) -> None:
    db = Orchestrator(tmp_path / "db", port=6780, db_nodes=3, replicas=0)
    assert db.num_shards == 3 and db.replicas == 0 and "replicas" not in repr(db)


def test_replica_ports_must_fit_below_65536(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="6 local shards from port 65533 run past port 65535"):
        Orchestrator(tmp_path / "db", port=65533, db_nodes=3, replicas=1)


def test_durable_puts_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    timeouts = Timeouts(command=7.0)
    options = ConfigOptions.create_from_environment("")
    assert read_durability(options, timeouts) == (0, 7.0)
    monkeypatch.setenv("HPCSIM_DURABLE", "1")
    monkeypatch.setenv("HPCSIM_DURABLE_TIMEOUT", "0.5")
    assert read_durability(ConfigOptions.create_from_environment(""), timeouts) == (1, 0.5)
    named = ConfigOptions.create_from_environment("other")  # a named database inherits the plain names
    assert read_durability(named, timeouts) == (1, 0.5)
    monkeypatch.setenv("HPCSIM_DURABLE_other", "2")
    assert read_durability(named, timeouts) == (2, 0.5)
    overridden = ConfigOptions.create_from_environment("")
    overridden.override_integer_option("HPCSIM_DURABLE", 3)
    assert read_durability(overridden, timeouts) == (3, 0.5)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HPCSIM_DURABLE", "yes", "HPCSIM_DURABLE='yes' must be a whole number of replicas"),
        ("HPCSIM_DURABLE", "-1", "must be a whole number of replicas >= 0"),
        ("HPCSIM_DURABLE_TIMEOUT", "0", "HPCSIM_DURABLE_TIMEOUT='0' must be a positive number of seconds"),
        ("HPCSIM_DURABLE_TIMEOUT", "soon", "must be a positive number of seconds"),
    ],
)
def test_bad_durable_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        read_durability(ConfigOptions.create_from_environment(""), Timeouts())
