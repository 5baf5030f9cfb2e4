"""The dashboard's view of running databases: each shard's memory, keys, clients and load, the
inference statistics the workers keep, and the training metrics clients log.

Only read-only commands are sent (INFO, CLUSTER INFO, SCAN, HGETALL, XREVRANGE), to every
shard at once from a small thread pool, each with a 0.5 s timeout and no retry, over
connections kept from one read to the next: a shard that does not answer costs a snapshot at
most its timeout, and shows as down with the reason.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import redis

from hpcsim.control.store import DatabaseRecord
from hpcsim.dataplane import protocol
from hpcsim.db import admin

__all__ = ["STATS_MARK", "DatabaseReader", "p99_bucket"]

#: seconds a shard gets to connect and to answer each command
TIMEOUT = 0.5
#: an inference statistics hash has this in its key, then the model's key
STATS_MARK = protocol.stats_key("", "")
#: the most recent points of a metric that are shown
POINTS = 5000
#: a shard holding more keys than this is scanned for new statistics and metrics only every
#: RESCAN seconds (SCAN walks the whole keyspace); the keys it found are read every time
MANY_KEYS = 10_000
RESCAN = 10.0
_TAG = re.compile(r"\{[^}]*\}\.")
_INFO = ("memory", "clients", "stats", "keyspace", "replication")
_COUNTS = ("calls", "executions", "errors", "samples")


@dataclass
class _Shard:
    """What one shard answered, or why it did not."""

    address: str
    error: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    cluster: dict[str, str] | None = None
    #: model key -> its statistics hash
    stats: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: metric name -> [[step, value], ...]
    metrics: list[tuple[str, list[list[float | None]]]] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _password(path: str) -> str | None:
    """The admin password the database's secret file holds (never read through a symlink)."""
    if not path:
        return None
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(handle, "rb") as secret:
        return secret.read().decode().strip()


def _cluster_fields(reply: Any) -> dict[str, str]:
    """CLUSTER INFO's ``field:value`` lines (redis-py may have parsed them already)."""
    if isinstance(reply, dict):
        return {_text(k): _text(v) for k, v in reply.items()}
    lines = (line.split(":", 1) for line in _text(reply).splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in lines}


def _model_key(stats_key: bytes) -> str:
    """The model's or script's key a statistics hash is of, without a cluster hash tag."""
    return _TAG.sub("", _text(stats_key).split(STATS_MARK, 1)[1], count=1)


def _points(entries: list[Any]) -> list[list[float | None]]:
    """``[[step, value], ...]`` oldest first from XREVRANGE's newest-first entries; a value
    that is not a finite number (NaN, inf) is None, which JSON can carry."""
    points: list[list[float | None]] = []
    for _, fields in reversed(entries):
        try:
            step, value = int(fields[b"step"]), float(fields[b"value"])
        except (KeyError, ValueError, TypeError):
            continue  # not a metric point: skipped
        points.append([step, value if math.isfinite(value) else None])
    return points


def _scan(conn: redis.Redis, pattern: str) -> list[bytes]:
    return sorted(conn.scan_iter(match=pattern, count=1000))


@dataclass(frozen=True)
class _Keys:
    """The statistics and metric keys a shard held when it was last scanned."""

    at: float
    stats: list[bytes]
    metrics: list[bytes]


def _keys(conn: redis.Redis, known: _Keys | None, count: int) -> _Keys:
    """The shard's statistics and metric keys: scanned again, unless it holds more than
    :data:`MANY_KEYS` keys and was scanned less than :data:`RESCAN` seconds ago."""
    if known is not None and count > MANY_KEYS and time.monotonic() - known.at < RESCAN:
        return known
    return _Keys(time.monotonic(), _scan(conn, f"*{STATS_MARK}*"), _scan(conn, f"{protocol.METRICS_PREFIX}*"))


def _read_shard(conn: redis.Redis, address: str, cluster: bool, known: _Keys | None) -> tuple[_Shard, _Keys | None]:
    pipe = conn.pipeline(transaction=False)
    for section in _INFO:
        pipe.info(section)
    if cluster:
        pipe.execute_command("CLUSTER INFO")  # type: ignore[no-untyped-call]
    replies = pipe.execute()
    shard = _Shard(address, info={k: v for reply in replies[: len(_INFO)] for k, v in reply.items()})
    if cluster:
        shard.cluster = _cluster_fields(replies[-1])
    if shard.info.get("role") != "master":
        return shard, None  # a replica's keys are its primary's
    keys = _keys(conn, known, _key_count(shard.info))
    stats_keys, metric_keys = keys.stats, keys.metrics
    pipe = conn.pipeline(transaction=False)
    for key in stats_keys:
        pipe.hgetall(key)
    for key in metric_keys:
        pipe.xrevrange(key, "+", "-", count=POINTS)
    replies = pipe.execute(raise_on_error=False)
    for key, reply in zip(stats_keys, replies, strict=False):
        if isinstance(reply, dict):
            shard.stats.append((_model_key(key), {_text(k): _text(v) for k, v in reply.items()}))
    for key, reply in zip(metric_keys, replies[len(stats_keys) :], strict=True):
        if isinstance(reply, list):
            shard.metrics.append((_text(key)[len(protocol.METRICS_PREFIX) :], _points(reply)))
    return shard, keys


def p99_bucket(buckets: dict[int, int], executions: int) -> int | None:
    """``2**b`` of the smallest bucket ``b`` whose cumulative count reaches 99 % of the
    executions (of those counted in buckets, if fewer were); None without buckets."""
    counted = sum(buckets.values())
    if not counted:
        return None
    wanted = 0.99 * (min(executions, counted) if executions > 0 else counted)
    total = 0
    for bucket in sorted(buckets):
        total += buckets[bucket]
        if total >= wanted:
            break
    return int(2**bucket)


def _inference(key: str, hashes: list[dict[str, str]]) -> dict[str, Any]:
    """One model's statistics, summed over the shards whose workers ran it."""
    sums = dict.fromkeys(_COUNTS, 0)
    duration = 0.0
    buckets: dict[int, int] = {}
    for fields in hashes:
        for name, value in fields.items():
            try:
                number = float(value)
            except ValueError:
                continue
            if not math.isfinite(number):
                continue
            if name in sums:
                sums[name] += int(number)
            elif name == "duration_us":
                duration += number
            elif name.startswith("hist.") and name[5:].isdigit():
                buckets[int(name[5:])] = buckets.get(int(name[5:]), 0) + int(number)
    executions = sums["executions"]
    mean = duration / executions if executions else None
    return {"key": key, **sums, "mean_us": mean, "p99_us": p99_bucket(buckets, executions)}


def _key_count(info: dict[str, Any]) -> int:
    """The keys of every logical database, from INFO keyspace's ``db<n>`` entries."""
    return sum(int(v.get("keys", 0)) for k, v in info.items() if k.startswith("db") and isinstance(v, dict))


def _shard_view(shard: _Shard) -> dict[str, Any]:
    info = shard.info
    up = shard.error is None
    keys = _key_count(info)
    return {
        "address": shard.address,
        "up": up,
        "error": shard.error,
        "used_memory": info.get("used_memory") if up else None,
        "maxmemory": info.get("maxmemory") if up else None,
        "keys": keys if up else None,
        "clients": info.get("connected_clients") if up else None,
        "ops_per_sec": info.get("instantaneous_ops_per_sec") if up else None,
    }


def _database_view(exp: str, record: DatabaseRecord, shards: list[_Shard]) -> dict[str, Any]:
    cluster = next((s.cluster for s in shards if s.cluster is not None), None)
    stats: dict[str, list[dict[str, str]]] = {}
    metrics: dict[str, list[list[float | None]]] = {}
    for shard in shards:
        for key, fields in shard.stats:
            stats.setdefault(key, []).append(fields)
        for name, points in shard.metrics:
            metrics.setdefault(name, []).extend(points)
    slots = cluster.get("cluster_slots_assigned") if cluster else None
    return {
        "exp": exp,
        "name": record.identifier,
        "cluster": record.cluster,
        "cluster_state": cluster.get("cluster_state") if cluster else None,
        "slots_covered": int(slots) if slots is not None and slots.isdigit() else None,
        "shards": [_shard_view(shard) for shard in shards],
        "inference": [_inference(key, stats[key]) for key in sorted(stats)],
        "metrics": {name: metrics[name] for name in sorted(metrics)},
    }


class DatabaseReader:
    """Reads databases' shards concurrently, keeping one connection pool per shard."""

    def __init__(self, workers: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hpcsim-dashboard-db")
        self._lock = threading.Lock()
        self._connections: dict[tuple[str, str], redis.Redis] = {}
        #: what each shard's last scan found, by address
        self._keys: dict[str, _Keys] = {}

    def _connection(self, address: str, password_file: str) -> redis.Redis:
        with self._lock:
            conn = self._connections.get((address, password_file))
            if conn is None:
                conn = admin.connect(address, _password(password_file), TIMEOUT)
                self._connections[(address, password_file)] = conn
            return conn

    def _shard(self, record: DatabaseRecord, address: str) -> _Shard:
        try:
            conn = self._connection(address, record.password_file)
            shard, keys = _read_shard(conn, address, record.cluster, self._keys.get(address))
        except (redis.RedisError, OSError, ValueError) as exc:
            self._forget({(address, record.password_file)})  # the next read reconnects, rereading the password
            return _Shard(address, error=_one_line(exc))
        with self._lock:
            if keys is None:
                self._keys.pop(address, None)
            else:
                self._keys[address] = keys
        return shard

    def _forget(self, connections: set[tuple[str, str]]) -> None:
        """Close those connections and drop what their shards' scans found."""
        with self._lock:
            for key in connections & set(self._connections):
                self._connections.pop(key).close()
                self._keys.pop(key[0], None)

    def read(self, databases: Sequence[tuple[str, DatabaseRecord]]) -> list[dict[str, Any]]:
        """Each of ``databases`` (its experiment's number and record) as the dashboard's API
        gives it, its shards asked all at once."""
        futures = [
            [self._pool.submit(self._shard, record, address) for address in record.addresses] for _, record in databases
        ]
        views = [
            _database_view(exp, record, [future.result() for future in shards])
            for (exp, record), shards in zip(databases, futures, strict=True)
        ]
        wanted = {(address, record.password_file) for _, record in databases for address in record.addresses}
        with self._lock:
            stopped = set(self._connections) - wanted  # databases stopped since
        self._forget(stopped)
        return views

    def close(self) -> None:
        """Stop the threads and close every connection."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            every = set(self._connections)
        self._forget(every)
