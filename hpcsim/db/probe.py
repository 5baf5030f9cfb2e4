"""Timed PING and clean SHUTDOWN of one shard, from the driver or on a node.

``hpcsim db ping`` times every shard from where it runs. Node-local shards (``hpcsim db start
--colocated``) listen only on their node's loopback, so the driver runs
``python -m hpcsim.db.probe ping|shutdown --port P`` as a task on every node instead; each task
prints one JSON line (a :class:`ShardPing`) about the shard of its own node.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import redis

from hpcsim.db import admin
from hpcsim.db.secret import read_secret
from hpcsim.errors import DatabaseError

__all__ = ["ShardPing", "main", "ping_shard"]


@dataclasses.dataclass(frozen=True)
class ShardPing:
    """How one shard answered: ``ms`` is the PING round trip, None when it did not answer
    (``error`` says why). ``host`` names the node a node-local shard runs on."""

    address: str
    ms: float | None
    host: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.ms is not None


def ping_shard(
    address: str, password: str | None, host: str = "", timeout: float = 2.0, username: str | None = None
) -> ShardPing:
    """PING ``address`` twice on one connection authenticated as ``username`` (None: the
    admin) and time the second, so the round trip excludes connecting and AUTH."""
    try:
        with admin.connect(address, password, timeout, username) as conn:
            conn.ping()
            begin = time.perf_counter()
            conn.ping()
            elapsed = (time.perf_counter() - begin) * 1000
    except redis.RedisError as exc:
        return ShardPing(address, None, host, f"{type(exc).__name__}: {exc}")
    return ShardPing(address, elapsed, host)


def _shutdown(address: str, password: str | None, host: str) -> ShardPing:
    """SHUTDOWN the shard; the report is how it answered a PING just before."""
    before = ping_shard(address, password, host)
    if before.ok:
        try:
            admin.shutdown(address, password)
        except DatabaseError as exc:
            return ShardPing(address, None, host, str(exc))
    return before


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hpcsim.db.probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("ping", "shutdown"))
    parser.add_argument("--port", type=int, required=True, help="port of this node's loopback shard")
    parser.add_argument("--password-file", type=Path, help="file holding the database's admin password")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    password = read_secret(args.password_file) if args.password_file else None
    address, host = f"127.0.0.1:{args.port}", socket.gethostname()
    result = ping_shard(address, password, host) if args.action == "ping" else _shutdown(address, password, host)
    print(json.dumps(dataclasses.asdict(result)), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
