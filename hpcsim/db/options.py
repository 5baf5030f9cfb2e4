"""Extra redis-server options from keyword arguments, checked before they reach a config file."""

from __future__ import annotations

import re

from hpcsim.errors import ConfigError

__all__ = ["RESERVED_OPTIONS", "WORKER_SETTINGS", "server_options"]

_OPTION = re.compile(r"^[a-z][a-z0-9-]*$")
#: server options hpcsim sets itself; a user value would break the launch or the security
RESERVED_OPTIONS = frozenset(
    {
        "appendfilename",
        "bind",
        "cluster-config-file",
        "cluster-enabled",
        "daemonize",
        "dbfilename",
        "dir",
        "logfile",
        "masterauth",
        "port",
        "protected-mode",
        "requirepass",
        "unixsocket",
        "unixsocketperm",
    }
)

#: SmartSim's RedisAI settings: they tune the inference worker, not redis-server, as its
#: command-line flag (threads_per_queue has no counterpart: one worker thread serves each server)
WORKER_SETTINGS = {
    "intra-op-parallelism": "--intra-op",
    "inter-op-parallelism": "--inter-op",
    "intra-op-threads": "--intra-op",
    "inter-op-threads": "--inter-op",
    "threads-per-queue": "",
}


def server_options(options: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """Extra ``redis-server`` options from keyword arguments (``maxmemory="1gb"``)."""
    checked = []
    for key, value in options.items():
        name = key.replace("_", "-").lower()
        if not _OPTION.fullmatch(name):
            raise ConfigError(f"database option {key!r} is not a redis-server option name")
        if name in RESERVED_OPTIONS:
            raise ConfigError(f"database option {key!r} is set by hpcsim itself and cannot be overridden")
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, (str, int, float)):
            text = str(value)
        else:
            raise ConfigError(f"database option {key!r} must be a string or number, got {type(value).__name__}")
        if name in WORKER_SETTINGS and not text.isdigit():
            raise ConfigError(
                f"database option {key!r} is a thread count for the inference worker: give an integer >= 0"
            )
        if "\n" in text or "\r" in text or "\0" in text:
            raise ConfigError(f"database option {key!r} must not contain line breaks or NUL")
        checked.append((name, text))
    return tuple(checked)
