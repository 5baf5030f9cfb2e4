"""What a colocated database looks like: one server per node next to a model's ranks, reached
over loopback TCP or a Unix socket. Data and validation only; the planner renders the prologue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hpcsim.db.options import server_options
from hpcsim.errors import ConfigError

__all__ = ["ColocatedDB", "colocated_tcp", "colocated_uds"]

_IDENTIFIER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,63})?$")
#: sockaddr_un.sun_path holds 108 bytes with the terminating NUL
MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class ColocatedDB:
    """One database server per node for a model's ranks."""

    #: loopback port (TCP), or 0 for a Unix socket only
    port: int
    #: interfaces the server binds (TCP)
    ifnames: tuple[str, ...]
    #: socket path (UDS), "" for TCP
    unix_socket: str
    #: socket permissions as octal text, e.g. "755"
    socket_permissions: str
    db_cpus: int
    #: explicit CPU ids to pin the server to; empty: the first ``db_cpus`` the rank may use
    custom_pinning: tuple[int, ...]
    debug: bool
    db_identifier: str
    options: tuple[tuple[str, str], ...]

    @property
    def is_uds(self) -> bool:
        return bool(self.unix_socket)

    @property
    def cpus(self) -> int:
        return len(self.custom_pinning) or self.db_cpus


def _cpus(db_cpus: object, custom_pinning: Iterable[int | Iterable[int]] | None) -> tuple[int, tuple[int, ...]]:
    if isinstance(db_cpus, bool) or not isinstance(db_cpus, int) or db_cpus < 1:
        raise ConfigError(f"db_cpus must be a positive integer, got {db_cpus!r}")
    if custom_pinning is None:
        return db_cpus, ()
    pinned: list[int] = []
    for item in custom_pinning:
        for cpu in [item] if isinstance(item, int) else list(item):
            if isinstance(cpu, bool) or not isinstance(cpu, int) or cpu < 0:
                raise ConfigError(f"custom_pinning takes CPU ids (integers >= 0) or ranges of them, got {cpu!r}")
            pinned.append(cpu)
    if not pinned or len(set(pinned)) != len(pinned):
        raise ConfigError(f"custom_pinning must name distinct CPUs, got {pinned!r}")
    if db_cpus not in (1, len(pinned)):
        raise ConfigError(f"db_cpus={db_cpus} but custom_pinning names {len(pinned)} CPU(s) {pinned}; make them agree")
    return len(pinned), tuple(pinned)


def _identifier(db_identifier: object) -> str:
    if not isinstance(db_identifier, str) or not _IDENTIFIER.fullmatch(db_identifier):
        raise ConfigError(
            f"db_identifier {db_identifier!r} must be empty or a valid environment-variable suffix "
            "(letters, digits and '_', not starting with a digit)"
        )
    return db_identifier


def colocated_tcp(
    port: int,
    ifname: str | Iterable[str],
    db_cpus: int,
    custom_pinning: Iterable[int | Iterable[int]] | None,
    debug: bool,
    db_identifier: str,
    options: dict[str, object],
) -> ColocatedDB:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"colocated database port must be an integer from 1 to 65535, got {port!r}")
    names = (ifname,) if isinstance(ifname, str) else tuple(ifname)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"ifname must be an interface name or a list of them, got {ifname!r}")
    cpus, pinned = _cpus(db_cpus, custom_pinning)
    return ColocatedDB(
        port, names, "", "", cpus, pinned, bool(debug), _identifier(db_identifier), server_options(options)
    )


def colocated_uds(
    unix_socket: str,
    socket_permissions: int,
    db_cpus: int,
    custom_pinning: Iterable[int | Iterable[int]] | None,
    debug: bool,
    db_identifier: str,
    options: dict[str, object],
) -> ColocatedDB:
    if not isinstance(unix_socket, str) or not unix_socket.startswith("/") or unix_socket.endswith("/"):
        raise ConfigError(f"unix_socket must be an absolute path to a file, got {unix_socket!r}")
    if any(c in unix_socket for c in "\0\n\r") or len(unix_socket.encode()) > MAX_SOCKET_PATH:
        raise ConfigError(
            f"unix_socket {unix_socket!r} is not a usable socket path: at most {MAX_SOCKET_PATH} bytes, "
            "no NUL or line breaks"
        )
    perms = str(socket_permissions)
    if isinstance(socket_permissions, bool) or not re.fullmatch(r"[0-7]{3,4}", perms):
        raise ConfigError(f"socket_permissions must be octal digits like 755, got {socket_permissions!r}")
    cpus, pinned = _cpus(db_cpus, custom_pinning)
    return ColocatedDB(
        0, (), unix_socket, perms, cpus, pinned, bool(debug), _identifier(db_identifier), server_options(options)
    )
