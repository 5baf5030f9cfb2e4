"""``Client.log_metric`` on real servers (standalone over TCP, a 3-shard Redis Cluster, a Unix
socket): the points land in the stream ``__hpcsim.metrics.<name>`` in order, whatever the key
prefixing, and every bad argument is refused before anything is written."""

from __future__ import annotations

import math
import re
from typing import cast

import numpy as np
import pytest
import redis

from hpcsim import Client
from hpcsim.errors import ClientError
from tests.client.conftest import Database, Server, clean_env, cluster_db, db, farm, standalone

__all__ = ["clean_env", "cluster_db", "db", "farm", "standalone"]

KEY = "__hpcsim.metrics.loss"


def _owner(database: Database, key: str) -> Server:
    """The server owning ``key`` (the others of a cluster answer MOVED)."""
    for server in database.servers:
        connection = server.redis()
        try:
            connection.xlen(key)
        except redis.exceptions.MovedError:
            continue
        finally:
            connection.close()
        return server
    raise AssertionError(f"no server owns {key!r}")


def _points(database: Database, key: str = KEY) -> list[tuple[bytes, bytes]]:
    """Each entry of stream ``key`` as ``(step, value)``, checking it has just those two fields."""
    owner = _owner(database, key).redis()
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], owner.xrange(key, "-", "+"))
    owner.close()
    assert all(set(fields) == {b"step", b"value"} for _, fields in entries)
    return [(fields[b"step"], fields[b"value"]) for _, fields in entries]


def _holders(database: Database, key: str) -> list[int]:
    """The ports of the servers that hold ``key``."""
    return [server.port for server in database.servers if key.encode() in _keys_of(server.redis())]


def _keys_of(connection: redis.Redis) -> list[bytes]:
    keys = cast(list[bytes], connection.keys("*"))
    connection.close()
    return keys


def _keys(database: Database) -> list[bytes]:
    return sorted(key for server in database.servers for key in _keys_of(server.redis()))


def test_points_are_appended_in_order_as_decimal_text(db: Database) -> None:
    client = Client(cluster=db.kind == "cluster")
    values = [1.5, 2, 0.25, -3.0, 1e-9]
    for step, value in enumerate(values):
        client.log_metric("loss", step, value)
    assert _points(db) == [(b"%d" % step, repr(float(value)).encode()) for step, value in enumerate(values)]
    assert _keys(db) == [KEY.encode()]


def test_a_cluster_keeps_the_stream_on_the_shard_owning_its_key(cluster_db: Database) -> None:
    client = Client(cluster=True)
    for name in ("loss", "accuracy", "lr"):
        key = f"__hpcsim.metrics.{name}"
        client.log_metric(name, 0, 1.0)
        assert _holders(cluster_db, key) == [_owner(cluster_db, key).port]


def test_numpy_numbers_are_taken(standalone: Database) -> None:
    client = Client(cluster=False)
    client.log_metric("loss", np.int64(3), np.float32(0.5))
    client.log_metric("loss", 4, np.float64(0.125))
    assert _points(standalone) == [(b"3", b"0.5"), (b"4", b"0.125")]


def test_key_prefixing_never_changes_the_key(standalone: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSKEYOUT", "trainer")
    monkeypatch.setenv("SSKEYIN", "sim_0,trainer")
    client = Client(cluster=False)
    client.set_data_source("sim_0")
    client.use_tensor_ensemble_prefix(True)
    client.use_dataset_ensemble_prefix(True)
    client.use_list_ensemble_prefix(True)
    client.use_model_ensemble_prefix(True)
    client.log_metric("loss", 0, 0.75)
    client.put_tensor("u", np.zeros(1))  # the prefixing is on
    assert _keys(standalone) == [KEY.encode(), b"trainer.u"]
    assert _points(standalone) == [(b"0", b"0.75")]


@pytest.mark.parametrize(
    ("name", "step", "value", "error", "message"),
    [
        ("", 0, 1.0, ValueError, "metric name must not be empty"),
        ("train loss", 0, 1.0, ValueError, "metric name 'train loss' must not contain whitespace"),
        ("loss\n", 0, 1.0, ValueError, "must not contain whitespace"),
        ("a\tb", 0, 1.0, ValueError, "must not contain whitespace"),
        (b"loss", 0, 1.0, TypeError, "metric name must be a str, not bytes"),
        (None, 0, 1.0, TypeError, "metric name must be a str, not NoneType"),
        ("loss", -1, 1.0, ValueError, "step must not be negative, got -1"),
        ("loss", True, 1.0, TypeError, "step must be an int, not bool"),
        ("loss", 1.0, 1.0, TypeError, "step must be an int, not float"),
        ("loss", "1", 1.0, TypeError, "step must be an int, not str"),
        ("loss", 0, True, TypeError, "metric value must be an int or a float, not bool"),
        ("loss", 0, "1.0", TypeError, "metric value must be an int or a float, not str"),
        ("loss", 0, None, TypeError, "metric value must be an int or a float, not NoneType"),
        ("loss", 0, 1 + 2j, TypeError, "metric value must be an int or a float, not complex"),
        ("loss", 0, math.nan, ValueError, "metric value must be a finite number, got nan"),
        ("loss", 0, math.inf, ValueError, "metric value must be a finite number, got inf"),
        ("loss", 0, -math.inf, ValueError, "metric value must be a finite number, got -inf"),
        ("loss", 0, np.float32("nan"), ValueError, "metric value must be a finite number"),
        ("loss", 0, 10**400, ValueError, "metric value must be a finite number"),
    ],
)
def test_bad_arguments_are_refused_and_write_nothing(
    standalone: Database, name: object, step: object, value: object, error: type[Exception], message: str
) -> None:
    client = Client(cluster=False)
    with pytest.raises(error, match=re.escape(message)):
        client.log_metric(name, step, value)  # type: ignore[arg-type]
    assert _keys(standalone) == []


def test_a_key_holding_something_else_is_a_client_error(standalone: Database) -> None:
    standalone.servers[0].redis().set(KEY, b"not a stream")
    client = Client(cluster=False)
    with pytest.raises(ClientError, match=r"XADD '__hpcsim\.metrics\.loss' failed: WRONGTYPE"):
        client.log_metric("loss", 0, 1.0)
    assert standalone.servers[0].redis().get(KEY) == b"not a stream"
