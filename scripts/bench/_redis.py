"""The redis-server the data-plane benchmarks measure against: loopback TCP (or a Unix socket),
password on, no persistence, 4 GB bulk and query limits, in a directory of the caller's."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis
from _common import free_port

from hpcsim.db.discovery import find_redis_server

__all__ = ["start_server"]


def start_server(
    directory: Path, password: str, unix: bool = False
) -> tuple[subprocess.Popen[bytes], dict[str, object]]:
    """A redis-server in ``directory``; returns the process and redis-py connection options
    (``port``, or ``unix_socket_path``)."""
    socket_path = directory / "redis.sock"
    port = 0 if unix else free_port()
    config = directory / "redis.conf"
    lines = [
        "bind 127.0.0.1",
        f"port {port}",
        f"dir {directory}",
        f"requirepass {password}",
        'save ""',
        "appendonly no",
        "proto-max-bulk-len 4gb",
        "client-query-buffer-limit 4gb",
    ]
    if unix:
        lines += [f"unixsocket {socket_path}", "unixsocketperm 700"]
    config.write_text("\n".join(lines) + "\n")
    config.chmod(0o600)
    process = subprocess.Popen([str(find_redis_server()), str(config)], stdout=subprocess.DEVNULL)
    target: dict[str, object] = {"unix_socket_path": str(socket_path)} if unix else {"port": port}
    probe = redis.Redis(password=password, protocol=2, **target)
    deadline = time.monotonic() + 10
    while True:
        try:
            probe.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.05)
    return process, target
