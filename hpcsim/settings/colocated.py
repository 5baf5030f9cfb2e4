"""What a colocated database looks like: one server per node next to a model's ranks, reached
over loopback TCP or a Unix socket. Data and validation only; the planner renders the prologue.

``run_settings.colocated_db_settings`` is a :class:`ColocatedDB`: typed fields for hpcsim, and a
read-only mapping with the keys of SmartSim's dict (``port``, ``cpus``, ``custom_pinning``,
``rai_args``, ``extra_db_args``, ...) for drivers that read it as SmartSim's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from hpcsim.db.options import server_options
from hpcsim.errors import ConfigError, ConfigTypeError, UnsupportedSettingsError

__all__ = ["ColocatedDB", "colocated_tcp", "colocated_uds", "pinning_string"]

_IDENTIFIER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,63})?$")
#: SmartSim's check on a socket name (Model.colocate_db_uds)
_SOCKET_NAME = re.compile(r"^[a-zA-Z0-9.:\,_\-/]*$")
#: sockaddr_un.sun_path holds 108 bytes with the terminating NUL
MAX_SOCKET_PATH = 107
#: SmartSim's RedisAI keywords: its dict keeps them apart from the server's options
RAI_ARGS = ("threads_per_queue", "inter_op_parallelism", "intra_op_parallelism")

Pinning = Iterable[int | Iterable[int]] | None


class DBObjectSource(Protocol):
    """Where a model keeps its ML models and scripts (read when the mapping is read)."""

    @property
    def models(self) -> Sequence[object]: ...

    @property
    def scripts(self) -> Sequence[object]: ...


@dataclass(frozen=True)
class ColocatedDB(Mapping[str, object]):
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
    #: False when ``custom_pinning=[]`` asked for no pinning at all
    pinned: bool = True
    #: the keyword arguments as given: SmartSim's ``rai_args`` and ``extra_db_args``
    db_args: tuple[tuple[str, object], ...] = field(default=(), hash=False)
    #: the model's ML models and scripts, for SmartSim's ``db_models`` and ``db_scripts``
    objects: DBObjectSource | None = field(default=None, compare=False, hash=False, repr=False)

    @property
    def is_uds(self) -> bool:
        return bool(self.unix_socket)

    @property
    def cpus(self) -> int:
        return len(self.custom_pinning) or self.db_cpus

    def shard_pin_args(self) -> list[str]:
        """How ``hpcsim.db.shard`` pins the server: to listed CPUs, to the first ``db_cpus``
        it may use, or (``custom_pinning=[]``) not at all."""
        if not self.pinned:
            return []
        if self.custom_pinning:
            return ["--cpus", ",".join(map(str, self.custom_pinning))]
        return ["--db-cpus", str(self.db_cpus)]

    def with_objects(self, objects: DBObjectSource) -> ColocatedDB:
        """These settings reading ``db_models``/``db_scripts`` from ``objects`` (the model's)."""
        return replace(self, objects=objects)

    # -- SmartSim's dict, read-only -----------------------------------------------------------

    def _smartsim(self) -> dict[str, object]:
        given = dict(self.db_args)
        connection: dict[str, object] = (
            {"unix_socket": self.unix_socket, "socket_permissions": int(self.socket_permissions), "port": 0}
            if self.is_uds
            else {"port": self.port, "ifname": self.ifnames[0] if len(self.ifnames) == 1 else list(self.ifnames)}
        )
        return {
            **connection,
            "cpus": self.cpus,
            "custom_pinning": pinning_string(self.custom_pinning or None, self.cpus) if self.pinned else None,
            "debug": self.debug,
            "db_identifier": self.db_identifier,
            "rai_args": {key: given.get(key) for key in RAI_ARGS},
            "extra_db_args": {key: str(value) for key, value in given.items() if key not in RAI_ARGS},
            "db_models": list(self.objects.models) if self.objects is not None else [],
            "db_scripts": list(self.objects.scripts) if self.objects is not None else [],
        }

    def __getitem__(self, key: str) -> object:
        return self._smartsim()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._smartsim())

    def __len__(self) -> int:
        return len(self._smartsim())


def pinning_string(pin_ids: Pinning, cpus: int) -> str | None:
    """SmartSim's ``custom_pinning`` text (its ``Model._create_pinning_string``): None gives
    ``"0,...,cpus-1"`` (hpcsim pins to the first ``cpus`` CPUs a rank may use, which are those
    where nothing restricts the rank), an empty iterable None (no pinning), else the CPU ids and
    ranges given, sorted (``[range(2), 5]`` gives ``"0,1,5"``)."""
    if pin_ids is None:
        return ",".join(map(str, range(cpus)))
    ids = sorted(set(_cpu_ids(pin_ids)))
    return ",".join(map(str, ids)) if ids else None


def _cpu_ids(custom_pinning: object) -> list[int]:
    if isinstance(custom_pinning, (str, bytes)) or not isinstance(custom_pinning, Iterable):
        raise ConfigTypeError(f"custom_pinning takes CPU ids (integers >= 0) or ranges of them, got {custom_pinning!r}")
    pinned: list[int] = []
    for item in custom_pinning:
        if isinstance(item, (str, bytes)) or not isinstance(item, (int, Iterable)):
            raise ConfigTypeError(f"custom_pinning takes CPU ids (integers >= 0) or ranges of them, got {item!r}")
        for cpu in [item] if isinstance(item, int) else list(item):
            if isinstance(cpu, bool) or not isinstance(cpu, int):
                raise ConfigTypeError(f"custom_pinning takes CPU ids (integers >= 0) or ranges of them, got {cpu!r}")
            if cpu < 0:
                raise ConfigError(f"custom_pinning takes CPU ids (integers >= 0) or ranges of them, got {cpu!r}")
            pinned.append(cpu)
    return pinned


def _cpus(db_cpus: object, custom_pinning: Pinning) -> tuple[int, tuple[int, ...], bool]:
    """The CPU count, the listed CPUs and whether to pin; ``custom_pinning=[]`` pins nothing."""
    if isinstance(db_cpus, bool) or not isinstance(db_cpus, int) or db_cpus < 1:
        error = ConfigError if isinstance(db_cpus, int) and not isinstance(db_cpus, bool) else ConfigTypeError
        raise error(f"db_cpus must be a positive integer, got {db_cpus!r}")
    if custom_pinning is None:
        return db_cpus, (), True
    pinned = _cpu_ids(custom_pinning)
    if not pinned:
        return db_cpus, (), False
    if len(set(pinned)) != len(pinned):
        raise ConfigError(f"custom_pinning must name distinct CPUs, got {pinned!r}")
    if db_cpus not in (1, len(pinned)):
        raise ConfigError(f"db_cpus={db_cpus} but custom_pinning names {len(pinned)} CPU(s) {pinned}; make them agree")
    return len(pinned), tuple(pinned), True


def _identifier(db_identifier: object) -> str:
    if not isinstance(db_identifier, str) or not _IDENTIFIER.fullmatch(db_identifier):
        raise ConfigError(
            f"db_identifier {db_identifier!r} must be empty or a valid environment-variable suffix "
            "(letters, digits and '_', not starting with a digit)"
        )
    return db_identifier


def _options(options: dict[str, object]) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, object], ...]]:
    """The server's options and the keywords as given; ``limit_app_cpus`` is refused as SmartSim
    0.8 refuses it (pin the application with the launcher's binding options instead)."""
    if "limit_app_cpus" in options:
        raise UnsupportedSettingsError(
            "Pinning app CPUs via limit_app_cpus is not supported. Modify RunSettings using the correct "
            "binding option for your launcher (set_binding, set_cpu_bindings)."
        )
    return server_options(options), tuple(options.items())


def colocated_tcp(
    port: int,
    ifname: str | Iterable[str],
    db_cpus: int,
    custom_pinning: Pinning,
    debug: bool,
    db_identifier: str,
    options: dict[str, object],
) -> ColocatedDB:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"colocated database port must be an integer from 1 to 65535, got {port!r}")
    names = (ifname,) if isinstance(ifname, str) else tuple(ifname)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"ifname must be an interface name or a list of them, got {ifname!r}")
    cpus, pinned, pin = _cpus(db_cpus, custom_pinning)
    server, given = _options(options)
    identifier = _identifier(db_identifier)
    return ColocatedDB(port, names, "", "", cpus, pinned, bool(debug), identifier, server, pin, given)


def colocated_uds(
    unix_socket: str,
    socket_permissions: int,
    db_cpus: int,
    custom_pinning: Pinning,
    debug: bool,
    db_identifier: str,
    options: dict[str, object],
) -> ColocatedDB:
    if not isinstance(unix_socket, str) or not unix_socket.startswith("/") or unix_socket.endswith("/"):
        raise ConfigError(f"unix_socket must be an absolute path to a file, got {unix_socket!r}")
    if not _SOCKET_NAME.fullmatch(unix_socket) or len(unix_socket.encode()) > MAX_SOCKET_PATH:
        raise ConfigError(
            f"unix_socket {unix_socket!r} is not a usable socket path: at most {MAX_SOCKET_PATH} bytes, "
            "of letters, digits and . : , _ - /"
        )
    perms = str(socket_permissions)
    if isinstance(socket_permissions, bool) or not re.fullmatch(r"[0-7]{3,4}", perms):
        raise ConfigError(f"socket_permissions must be octal digits like 755, got {socket_permissions!r}")
    cpus, pinned, pin = _cpus(db_cpus, custom_pinning)
    server, given = _options(options)
    identifier = _identifier(db_identifier)
    return ColocatedDB(0, (), unix_socket, perms, cpus, pinned, bool(debug), identifier, server, pin, given)
