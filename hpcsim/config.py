"""Environment-variable knobs, read at call time so tests and drivers can change them."""

from __future__ import annotations

import os
from pathlib import Path

from hpcsim.errors import ConfigError

__all__ = [
    "LOG_LEVELS",
    "check_knobs",
    "dry_run",
    "log_level",
    "max_members",
    "poll_interval",
    "progress_interval",
    "search_path",
    "stop_grace",
]


def _float(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number (default {default:g})") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def poll_interval() -> float:
    """Seconds between two status queries to a batch scheduler (``HPCSIM_POLL_INTERVAL``)."""
    return _float("HPCSIM_POLL_INTERVAL", 5.0, 0.1)


def progress_interval() -> float:
    """Seconds between two progress lines while a blocking start waits
    (``HPCSIM_PROGRESS_INTERVAL``)."""
    return _float("HPCSIM_PROGRESS_INTERVAL", 30.0, 0.1)


def stop_grace() -> float:
    """Seconds a stopped local job gets between SIGTERM and SIGKILL (``HPCSIM_STOP_GRACE``)."""
    return _float("HPCSIM_STOP_GRACE", 5.0, 0.0)


#: ``HPCSIM_LOG_LEVEL`` (any case) -> the driver's logging level; ``quiet`` and ``developer``
#: are the client's names (docs/client.md), which the one variable also sets
LOG_LEVELS = {
    "debug": "DEBUG",
    "developer": "DEBUG",
    "info": "INFO",
    "warning": "WARNING",
    "warn": "WARNING",
    "quiet": "WARNING",
    "error": "ERROR",
    "critical": "CRITICAL",
}
#: members an ensemble may have when neither ``max_members`` nor ``HPCSIM_MAX_MEMBERS`` says
DEFAULT_MAX_MEMBERS = 10_000


def log_level() -> str:
    """The level of hpcsim's loggers (``HPCSIM_LOG_LEVEL``, default INFO)."""
    raw = os.environ.get("HPCSIM_LOG_LEVEL", "")
    level = LOG_LEVELS.get(raw.strip().lower() or "info")
    if level is None:
        names = ", ".join(n for n in LOG_LEVELS if n != "warn")
        raise ConfigError(f"HPCSIM_LOG_LEVEL={raw!r} is not a log level; use one of {names}")
    return level


def max_members() -> int:
    """Members an ensemble may have unless ``create_ensemble(max_members=N)`` says otherwise
    (``HPCSIM_MAX_MEMBERS``, default 10000): a parameter space above it is refused before
    any member is made."""
    raw = os.environ.get("HPCSIM_MAX_MEMBERS", "").strip()
    if not raw:
        return DEFAULT_MAX_MEMBERS
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"HPCSIM_MAX_MEMBERS={raw!r} is not a whole number (default {DEFAULT_MAX_MEMBERS})") from None
    if value < 1:
        raise ConfigError(f"HPCSIM_MAX_MEMBERS={raw!r} must be at least 1")
    return value


def check_knobs() -> None:
    """Read every knob once, so a wrong value is a one-line ConfigError when an experiment is
    made or a command starts, not a traceback after something was launched or signalled."""
    poll_interval()
    progress_interval()
    stop_grace()
    log_level()
    max_members()


def dry_run() -> bool:
    """``HPCSIM_DRY_RUN=1``: experiments print the scripts they would submit and run nothing
    (what ``hpcsim preview DRIVER.py`` sets)."""
    return os.environ.get("HPCSIM_DRY_RUN", "") not in ("", "0")


def search_path(variable: str) -> list[Path]:
    """Directories listed in a ``:``-separated variable such as ``HPCSIM_TEMPLATE_PATH``."""
    return [Path(p).expanduser() for p in os.environ.get(variable, "").split(os.pathsep) if p]
