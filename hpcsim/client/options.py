"""Where a client's settings come from: ``ConfigOptions`` over the environment.

``ConfigOptions.create_from_environment(suffix)`` reads ``NAME_<suffix>`` for every option
``NAME`` (plain ``NAME`` for an empty suffix), with per-instance overrides, as in SmartRedis.
On top of it this module resolves the hpcsim environment contract: database addresses and type
(suffixed names only, so a named database never falls back to the default one), password file,
key prefixes and timeouts (suffixed name first, then the plain one), each hpcsim name before
its SmartRedis synonym.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hpcsim.db.secret import Credential, parse_credential
from hpcsim.errors import ClientConnectionError, ClientError, ConfigError, KeyNotFoundError

__all__ = [
    "ConfigOptions",
    "Timeouts",
    "read_credential",
    "read_db_type",
    "read_durability",
    "read_keys",
    "read_timeouts",
]

_INTEGER = re.compile(r"-?[0-9]+")


class ConfigOptions:
    """Options for one database connection, read from the environment; build it with
    :meth:`create_from_environment`."""

    def __init__(self) -> None:
        self._suffix: str | None = None
        self._integers: dict[str, int] = {}
        self._strings: dict[str, str] = {}

    @classmethod
    def create_from_environment(cls, db_suffix: str) -> ConfigOptions:
        """Options whose names carry ``_<db_suffix>`` (none for an empty suffix)."""
        if not isinstance(db_suffix, str):
            raise TypeError(f"db_suffix must be a str, not {type(db_suffix).__name__}")
        options = cls()
        options._suffix = db_suffix
        return options

    @property
    def db_suffix(self) -> str:
        """The database identifier suffix these options read their environment with (``SSDB_<suffix>``)."""
        return self._managed()

    def _managed(self) -> str:
        if self._suffix is None:
            raise ClientError("ConfigOptions must be created with ConfigOptions.create_from_environment(suffix)")
        return self._suffix

    def variable(self, option_name: str) -> str:
        """The environment variable that holds ``option_name`` for this database."""
        suffix = self._managed()
        return f"{option_name}_{suffix}" if suffix else option_name

    def _raw(self, option_name: str) -> str | None:
        value = os.environ.get(self.variable(option_name))
        return value if value else None

    def get_integer_option(self, option_name: str) -> int:
        """The integer option; KeyNotFoundError if unset, ConfigError if not an integer."""
        _check_name(option_name)
        if option_name in self._integers:
            return self._integers[option_name]
        raw = self._raw(option_name)
        if raw is None:
            raise KeyNotFoundError(f"configuration option {self.variable(option_name)} is not set")
        if not _INTEGER.fullmatch(raw.strip()):
            raise ConfigError(f"{self.variable(option_name)}={raw!r} is not an integer")
        self._integers[option_name] = int(raw)
        return self._integers[option_name]

    def get_string_option(self, option_name: str) -> str:
        """The string option; KeyNotFoundError if unset."""
        _check_name(option_name)
        if option_name in self._strings:
            return self._strings[option_name]
        raw = self._raw(option_name)
        if raw is None:
            raise KeyNotFoundError(f"configuration option {self.variable(option_name)} is not set")
        self._strings[option_name] = raw
        return raw

    def is_configured(self, option_name: str) -> bool:
        """Whether the option has an override or a non-empty environment value."""
        _check_name(option_name)
        return option_name in self._integers or option_name in self._strings or self._raw(option_name) is not None

    def override_integer_option(self, option_name: str, value: int) -> None:
        """Set integer option ``option_name`` to ``value``, over what the environment says."""
        _check_name(option_name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"value must be an int, not {type(value).__name__}")
        self._managed()
        self._integers[option_name] = value

    def override_string_option(self, option_name: str, value: str) -> None:
        """Set string option ``option_name`` to ``value``, over what the environment says."""
        _check_name(option_name)
        if not isinstance(value, str):
            raise TypeError(f"value must be a str, not {type(value).__name__}")
        self._managed()
        self._strings[option_name] = value

    def lookup(self, *names: str, inherit: bool = False) -> tuple[str, str] | None:
        """``(variable, value)`` of the first of ``names`` that is set for this database; with
        ``inherit`` a suffixed database then tries the plain names too."""
        for name in names:
            if name in self._strings or self._raw(name) is not None:
                return self.variable(name), self.get_string_option(name)
        if inherit and self._managed():
            for name in names:
                value = os.environ.get(name)
                if value:
                    return name, value
        return None

    def __repr__(self) -> str:
        return f"ConfigOptions(db_suffix={self._suffix!r})"


def _check_name(option_name: object) -> None:
    if not isinstance(option_name, str):
        raise TypeError(f"option_name must be a str, not {type(option_name).__name__}")


@dataclass(frozen=True)
class Timeouts:
    """Seconds: total connect budget, pause between connect attempts, total retry budget of a
    command, pause between command attempts, and the limit of one socket operation."""

    connect: float = 5.0
    connect_interval: float = 0.1
    command: float = 10.0
    command_interval: float = 0.1
    socket: float = 30.0
    #: how long run_model/run_script and the checks of set_model wait for the worker's answer
    model: float = 60.0

    def describe(self) -> str:
        return (
            f"connect {self.connect:g} s (retry every {self.connect_interval:g} s), command {self.command:g} s "
            f"(retry every {self.command_interval:g} s), socket {self.socket:g} s, model {self.model:g} s"
        )


def _seconds(options: ConfigOptions, name: str, synonym: str, synonym_scale: float, default: float) -> float:
    found = options.lookup(name, synonym, inherit=True)
    if found is None:
        return default
    variable, raw = found
    scale = synonym_scale if variable.startswith(synonym) else 1.0
    unit = "milliseconds" if scale != 1.0 else "seconds"
    try:
        value = float(raw) * scale
    except ValueError:
        raise ConfigError(f"{variable}={raw!r} is not a number of {unit}") from None
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{variable}={raw!r} must be a positive number of {unit}")
    return value


def read_timeouts(options: ConfigOptions) -> Timeouts:
    """Timeouts from ``HPCSIM_*`` (seconds) or their SmartRedis synonyms (``SR_*``, whose
    intervals and socket timeout are in milliseconds)."""
    return Timeouts(
        connect=_seconds(options, "HPCSIM_CONN_TIMEOUT", "SR_CONN_TIMEOUT", 1.0, Timeouts.connect),
        connect_interval=_seconds(options, "HPCSIM_CONN_INTERVAL", "SR_CONN_INTERVAL", 1e-3, Timeouts.connect_interval),
        command=_seconds(options, "HPCSIM_CMD_TIMEOUT", "SR_CMD_TIMEOUT", 1.0, Timeouts.command),
        command_interval=_seconds(options, "HPCSIM_CMD_INTERVAL", "SR_CMD_INTERVAL", 1e-3, Timeouts.command_interval),
        socket=_seconds(options, "HPCSIM_SOCKET_TIMEOUT", "SR_SOCKET_TIMEOUT", 1e-3, Timeouts.socket),
        model=_seconds(options, "HPCSIM_MODEL_TIMEOUT", "SR_MODEL_TIMEOUT", 1e-3, Timeouts.model),
    )


def read_durability(options: ConfigOptions, timeouts: Timeouts) -> tuple[int, float]:
    """``(replicas, seconds)`` for durable puts: ``HPCSIM_DURABLE`` replicas (default 0, off)
    must acknowledge every write within ``HPCSIM_DURABLE_TIMEOUT`` seconds (default: the
    command budget, ``HPCSIM_CMD_TIMEOUT``). An integer override of ``HPCSIM_DURABLE`` on the
    ConfigOptions counts too."""
    replicas = 0
    if "HPCSIM_DURABLE" in options._integers:
        replicas = options._integers["HPCSIM_DURABLE"]
        variable, raw = options.variable("HPCSIM_DURABLE"), str(replicas)
    else:
        found = options.lookup("HPCSIM_DURABLE", inherit=True)
        variable, raw = found if found is not None else ("HPCSIM_DURABLE", "0")
        replicas = int(raw.strip()) if _INTEGER.fullmatch(raw.strip()) else -1
    if replicas < 0:
        raise ConfigError(f"{variable}={raw!r} must be a whole number of replicas >= 0 (0: durable puts off)")
    found = options.lookup("HPCSIM_DURABLE_TIMEOUT", inherit=True)
    if found is None:
        return replicas, timeouts.command
    variable, raw = found
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{variable}={raw!r} must be a positive number of seconds")
    return replicas, seconds


def read_db_type(options: ConfigOptions, n_addresses: int) -> bool:
    """True for a cluster: ``HPCSIM_DB_TYPE`` (standalone|cluster), else ``SR_DB_TYPE``
    (``Clustered`` means cluster, anything else standalone), else cluster iff several addresses."""
    found = options.lookup("HPCSIM_DB_TYPE")
    if found is not None:
        variable, raw = found
        kind = raw.strip().lower()
        if kind not in ("standalone", "cluster", "clustered"):
            raise ConfigError(f"{variable}={raw!r} is not a database type; use standalone or cluster")
        return kind != "standalone"
    found = options.lookup("SR_DB_TYPE")
    if found is not None:
        return found[1].strip().lower() == "clustered"
    return n_addresses > 1


def read_keys(options: ConfigOptions) -> tuple[str, list[str]]:
    """The put prefix (``HPCSIM_KEYOUT``/``SSKEYOUT``) and the get prefixes
    (``HPCSIM_KEYIN``/``SSKEYIN``, comma-separated, empty entries skipped)."""
    keyout = options.lookup("HPCSIM_KEYOUT", "SSKEYOUT", inherit=True)
    keyin = options.lookup("HPCSIM_KEYIN", "SSKEYIN", inherit=True)
    sources = [entry.strip() for entry in keyin[1].split(",")] if keyin else []
    return (keyout[1] if keyout else ""), [entry for entry in sources if entry]


def read_credential(options: ConfigOptions) -> tuple[Credential | None, str]:
    """``(credential, where it came from)`` from ``HPCSIM_DB_PASSWORD_FILE``; ``(None, "none")``
    when unset. The file holds one line: ``PASSWORD`` (Redis's default user) or
    ``USERNAME PASSWORD`` (an ACL user, such as the applications' identity)."""
    found = options.lookup("HPCSIM_DB_PASSWORD_FILE", inherit=True)
    if found is None:
        return None, "none"
    variable, raw = found
    path = Path(raw).expanduser()
    try:
        credential = parse_credential(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ClientConnectionError(f"cannot read the database password file {path} ({variable}): {reason}") from None
    except UnicodeDecodeError:
        raise ClientConnectionError(f"the database password file {path} ({variable}) is not UTF-8 text") from None
    except ValueError as exc:
        raise ClientConnectionError(f"the database password file {path} ({variable}) {exc}") from None
    user = f", user {credential.username}" if credential.username else ""
    return credential, f"file {path}{user}"
