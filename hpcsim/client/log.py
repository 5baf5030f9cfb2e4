"""SmartRedis-style logging for applications: ``<context>@<HH-MM-SS>:<text>`` lines.

The target is ``HPCSIM_LOG_FILE`` (else ``SR_LOG_FILE``; default stdout), opened in append mode
for every message so several processes can share it. The level is ``HPCSIM_LOG_LEVEL`` (else
``SR_LOG_LEVEL``): quiet, info (default), debug or developer; hpcsim's driver-side names
warning, error and critical mean quiet. A message is written when its level is at most the
configured one. Both variables are read on every message, so they may change while running.
"""

from __future__ import annotations

import os
import sys
import time
from enum import IntEnum

from hpcsim.errors import ConfigError

__all__ = [
    "LLDebug",
    "LLDeveloper",
    "LLInfo",
    "LLQuiet",
    "LogContext",
    "LogLevel",
    "SRObject",
    "configured_level",
    "log_data",
    "log_error",
    "log_warning",
]


class LogLevel(IntEnum):
    """How chatty a message is; SmartRedis' ``SRLoggingLevel`` values."""

    QUIET = 1
    INFO = 2
    DEBUG = 3
    DEVELOPER = 4


LLQuiet = LogLevel.QUIET
LLInfo = LogLevel.INFO
LLDebug = LogLevel.DEBUG
LLDeveloper = LogLevel.DEVELOPER

_NAMES = {
    "quiet": LogLevel.QUIET,
    "warning": LogLevel.QUIET,
    "error": LogLevel.QUIET,
    "critical": LogLevel.QUIET,
    "info": LogLevel.INFO,
    "debug": LogLevel.DEBUG,
    "developer": LogLevel.DEVELOPER,
}


def _setting(*names: str) -> tuple[str, str] | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return name, value
    return None


def configured_level() -> LogLevel:
    """The level from ``HPCSIM_LOG_LEVEL``/``SR_LOG_LEVEL``; ConfigError for an unknown name."""
    found = _setting("HPCSIM_LOG_LEVEL", "SR_LOG_LEVEL")
    if found is None:
        return LogLevel.INFO
    name, value = found
    level = _NAMES.get(value.strip().lower())
    if level is None:
        raise ConfigError(f"{name}={value!r} is not a log level; use quiet, info, debug or developer")
    return level


def _check_level(level: object) -> LogLevel:
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level must be one of LLQuiet, LLInfo, LLDebug, LLDeveloper, not {level!r}")
    try:
        return LogLevel(level)
    except ValueError:
        raise TypeError(f"level must be one of LLQuiet, LLInfo, LLDebug, LLDeveloper, not {level!r}") from None


def _check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def log_data(context: str, level: LogLevel, data: str) -> None:
    """Write ``data`` under ``context`` if ``level`` is enabled."""
    _check_str(context, "context")
    message_level = _check_level(level)
    _check_str(data, "data")
    if message_level > configured_level():
        return
    line = f"{context}@{time.strftime('%H-%M-%S')}:{data}\n"
    found = _setting("HPCSIM_LOG_FILE", "SR_LOG_FILE")
    if found is None:
        sys.stdout.write(line)
        sys.stdout.flush()
        return
    name, path = found
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError as exc:
        raise ConfigError(f"{name}={path!r} cannot be written: {exc.strerror or exc}") from None


def log_warning(context: str, level: LogLevel, data: str) -> None:
    """``log_data`` with a ``WARNING: `` prefix."""
    log_data(context, level, "WARNING: " + _check_str(data, "data"))


def log_error(context: str, level: LogLevel, data: str) -> None:
    """``log_data`` with an ``ERROR: `` prefix."""
    log_data(context, level, "ERROR: " + _check_str(data, "data"))


class SRObject:
    """SmartRedis' common base of ``Client``, ``Dataset`` and ``LogContext``: an object with a
    logging context and the ``log_data``/``log_warning``/``log_error`` methods."""

    def __init__(self, context: str) -> None:
        self._log_context = _check_str(context, "context")

    def log_data(self, level: LogLevel, data: str) -> None:
        """Write ``data`` under this object's context if ``level`` is enabled."""
        log_data(self._log_context, level, data)

    def log_warning(self, level: LogLevel, data: str) -> None:
        """``log_data`` with a ``WARNING: `` prefix."""
        log_warning(self._log_context, level, data)

    def log_error(self, level: LogLevel, data: str) -> None:
        """``log_data`` with an ``ERROR: `` prefix."""
        log_error(self._log_context, level, data)


class LogContext(SRObject):
    """A named logging context for application code; Client and Dataset log the same way."""
