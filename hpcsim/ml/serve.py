"""``python -m hpcsim.ml.serve``: run the inference worker beside one server.

The shard entrypoint (:mod:`hpcsim.db.shard`) starts it once its server answers, and without a
``--load`` manifest reports the shard ready without waiting for it (standing in for its
heartbeat until it serves). In a cluster it waits until the cluster is formed, to learn which
hash tag is local; meanwhile it looks up the installed backends, which takes a while. It then
keeps its heartbeat key alive and serves requests until the server goes away or it is told to
stop; beside that, it loads the models of ``--load`` (a colocated model's manifest) if given,
writes ``<dir>/.hpcsim/<name>.worker.json`` and prints ``HPCSIM_WORKER_READY`` on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

import redis

from hpcsim._atomic import write_atomic
from hpcsim.dataplane import protocol
from hpcsim.db import admin
from hpcsim.db.secret import read_secret
from hpcsim.ml.backends import Threads, available
from hpcsim.ml.objects import ObjectCache
from hpcsim.ml.worker import Worker

__all__ = ["main"]

READY = "HPCSIM_WORKER_READY"
_log = logging.getLogger("hpcsim.ml.worker")
#: seconds without the server before the worker gives up
_LOST_AFTER = 10.0
#: longer than any blocking wait the worker asks the server for (at most a second)
_SOCKET_TIMEOUT = 30.0


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m hpcsim.ml.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True, help="host:port or unix:///path of the server")
    parser.add_argument("--name", required=True, help="the shard's name (for logs and the ready file)")
    parser.add_argument("--dir", type=Path, required=True, help="database directory")
    parser.add_argument("--password-file", type=Path, help="file holding the server's password")
    parser.add_argument("--cluster", action="store_true", help="the server is a Redis Cluster shard")
    parser.add_argument("--load", type=Path, help="manifest of models and scripts to load before ready")
    parser.add_argument("--intra-op", type=int, default=0, help="threads inside one operator (0: backend default)")
    parser.add_argument("--inter-op", type=int, default=0, help="threads across operators (0: backend default)")
    return parser.parse_args(argv)


def _own_slots(connection: redis.Redis) -> list[tuple[int, int]]:
    """This server's slot ranges, from CLUSTER NODES (as redis-py parses it)."""
    nodes = connection.execute_command("CLUSTER NODES")  # type: ignore[no-untyped-call]
    for node in nodes.values():
        if "myself" in node["flags"]:
            return [(int(span[0]), int(span[-1])) for span in node["slots"]]
    return []


def _owner(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    return lambda slot: any(first <= slot <= last for first, last in spans)


def _cluster_tag(connection: redis.Redis) -> str:
    """Wait for the cluster to be formed, then the hash tag of this server's first slots."""
    while True:
        ok = admin.cluster_state(connection.cluster("INFO")) == "ok"
        spans = _own_slots(connection) if ok else []
        if spans:
            return protocol.cluster_tag(_owner(spans))
        time.sleep(0.02)


def _heartbeat(connection: redis.Redis, key: str, value: str) -> None:
    """Refresh ``key`` every second; exit the process once the server is gone for good."""
    lost_since: float | None = None
    while True:
        try:
            connection.set(key, value, px=protocol.HEARTBEAT_MS)
            lost_since = None
        except redis.ConnectionError:
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > _LOST_AFTER:
                os._exit(0)
        time.sleep(1.0)


def _load(args: argparse.Namespace, password: str | None, manifest: Path) -> None:
    """Load the manifest through a client of our own server (the loop answers its checks)."""
    from hpcsim.client import Client
    from hpcsim.ml.manifest import load_manifest

    try:
        client = Client(cluster=False, address=args.address, password=password)
        names = load_manifest(client, manifest)
        client.close()
    except Exception as exc:
        print(f"hpcsim.ml.serve {args.name}: cannot load {manifest}: {exc}", file=sys.stderr, flush=True)
        os._exit(1)
    _log.info("loaded %s from %s", ", ".join(names) or "nothing", manifest)


class _Backends(threading.Thread):
    """Looks up the installed backends (a scan of every installed distribution) beside the
    worker's own start, for the ready file."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.found: dict[str, str] = {}
        self.start()

    def run(self) -> None:
        self.found = available()


def _ready(args: argparse.Namespace, tag: str, backends: _Backends) -> None:
    backends.join()
    info = {"name": args.name, "host": socket.gethostname(), "pid": os.getpid(), "tag": tag, "backends": backends.found}
    path = args.dir / ".hpcsim" / f"{args.name}.worker.json"
    write_atomic(path, json.dumps(info))
    print(READY, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s hpcsim.ml.serve {args.name}: %(message)s")

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    backends = _Backends()
    password = read_secret(args.password_file) if args.password_file else None
    connection = admin.connect(args.address, password, _SOCKET_TIMEOUT)
    tag = _cluster_tag(connection) if args.cluster else ""
    beat = json.dumps({"host": socket.gethostname(), "pid": os.getpid()})
    connection.set(protocol.heartbeat_key(tag), beat, px=protocol.HEARTBEAT_MS)
    threading.Thread(
        target=_heartbeat,
        args=(admin.connect(args.address, password, _SOCKET_TIMEOUT), protocol.heartbeat_key(tag), beat),
        daemon=True,
    ).start()
    worker = Worker(connection, tag, ObjectCache(Threads(args.intra_op, args.inter_op)))

    def load_then_ready() -> None:  # the loop below serves meanwhile (loading needs it)
        if args.load is not None:
            _load(args, password, args.load)
        _ready(args, tag, backends)

    threading.Thread(target=load_then_ready, daemon=True).start()
    lost_since: float | None = None
    while True:
        try:
            worker.serve_once()
            lost_since = None
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > _LOST_AFTER:
                _log.info("the server is gone (%s); stopping", exc)
                return 0
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
