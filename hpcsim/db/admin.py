"""Talking to running shards: PING, CONFIG SET, SHUTDOWN, forming a cluster (from the driver),
and the connection the inference worker uses."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hpcsim import _shell
from hpcsim.errors import CommandError, DatabaseError

if TYPE_CHECKING:
    import redis

__all__ = ["cluster_state", "config_set", "connect", "create_cluster", "ping", "shutdown", "wait_cluster_ok"]


def connect(address: str, password: str | None, timeout: float, username: str | None = None) -> redis.Redis:
    """A connection to the server at ``host:port`` or ``unix:///path``, as ``username`` (None:
    the admin, Redis's default user); callers decide about retrying, not redis-py's backoff.
    redis-py is imported here, and in this module's other functions, on first use: a driver
    that starts no database never loads it."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    options: dict[str, Any] = {"username": username, "password": password, "socket_timeout": timeout}
    options["retry"] = Retry(NoBackoff(), 0)
    options["protocol"] = 2  # RESP2 replies, as the client and the worker read them
    if address.startswith("unix://"):
        return redis.Redis(unix_socket_path=address[len("unix://") :], **options)
    host, _, port = address.rpartition(":")
    return redis.Redis(host=host, port=int(port), socket_connect_timeout=timeout, **options)


def ping(address: str, password: str | None, timeout: float = 2.0) -> bool:
    """Whether the shard at ``address`` answers PING (authentication errors are raised)."""
    import redis

    try:
        with connect(address, password, timeout) as conn:
            return bool(conn.ping())
    except redis.AuthenticationError as exc:
        raise DatabaseError(f"database at {address} refused the password: {exc}") from None
    except (redis.ConnectionError, redis.TimeoutError):
        return False


def config_set(addresses: Sequence[str], key: str, value: str, password: str | None) -> None:
    """``CONFIG SET key value`` on every shard; the server's refusal becomes a DatabaseError."""
    import redis

    for address in addresses:
        try:
            with connect(address, password, 5.0) as conn:
                conn.config_set(key, value)
        except redis.RedisError as exc:
            raise DatabaseError(f"CONFIG SET {key} {value!r} failed on {address}: {exc}") from None


def shutdown(address: str, password: str | None) -> None:
    """Plain ``SHUTDOWN``: the shard saves first if checkpoints are configured, then exits.
    A shard that is already gone is fine; one that refuses raises DatabaseError."""
    import redis

    try:
        with connect(address, password, 30.0) as conn:
            conn.execute_command("SHUTDOWN")
    except redis.ConnectionError:
        return  # the server closes the connection as it exits (or was already gone)
    except redis.RedisError as exc:
        raise DatabaseError(f"SHUTDOWN refused by {address}: {exc}") from None


def create_cluster(addresses: Sequence[str], cli: Path, password: str | None, timeout: float) -> None:
    """Join the shards into a Redis Cluster with ``redis-cli --cluster create`` (no replicas)."""
    env = dict(os.environ)
    if password is not None:
        env["REDISCLI_AUTH"] = password
    argv = [str(cli), "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"]
    try:
        _shell.run(argv, timeout=timeout, env=env)
    except CommandError as exc:
        detail = (exc.stdout + exc.stderr).strip().splitlines()[-3:]
        raise DatabaseError(f"could not form a Redis Cluster of {', '.join(addresses)}: {' | '.join(detail)}") from None


def cluster_state(info: object) -> str:
    """``cluster_state`` from a CLUSTER INFO reply (redis-py parses it into a dict)."""
    if isinstance(info, dict):
        return str(info.get("cluster_state", ""))
    text = info.decode() if isinstance(info, bytes) else str(info)
    return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("cluster_state:")), "")


def wait_cluster_ok(addresses: Sequence[str], password: str | None, timeout: float) -> None:
    """Block until every shard reports ``cluster_state:ok``."""
    import redis

    deadline = time.monotonic() + timeout
    pending = list(addresses)
    while pending:
        state = ""
        try:
            with connect(pending[0], password, 2.0) as conn:
                info = conn.execute_command("CLUSTER INFO")
            state = cluster_state(info)
        except redis.RedisError:
            pass
        if state == "ok":
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            raise DatabaseError(
                f"Redis Cluster did not report cluster_state:ok within {timeout:g}s "
                f"(shard {pending[0]} says {state or 'nothing'})"
            )
        time.sleep(0.02)
