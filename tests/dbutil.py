"""Helpers for tests that start databases: free ports and closed ports."""

from __future__ import annotations

import socket


def free_port(count: int = 1) -> int:
    """A port p such that p .. p+count-1 and their cluster-bus ports (+10000) are free now."""
    for _ in range(500):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1]) % 45000 + 10000
        wanted = [p for start in (base, base + 10000) for p in range(start, start + count)]
        holders = []
        try:
            for port in wanted:
                sock = socket.socket()
                holders.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in holders:
                sock.close()
        return base
    raise RuntimeError("no free port range")


def refused(address: str) -> bool:
    """Whether nothing accepts connections at ``host:port``."""
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return True
    return False
