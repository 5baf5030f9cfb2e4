"""Environment-variable knobs, read at call time so tests and drivers can change them."""

from __future__ import annotations

import os
from pathlib import Path

from hpcsim.errors import ConfigError

__all__ = [
    "dry_run",
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


def dry_run() -> bool:
    """``HPCSIM_DRY_RUN=1``: experiments print the scripts they would submit and run nothing
    (what ``hpcsim preview DRIVER.py`` sets)."""
    return os.environ.get("HPCSIM_DRY_RUN", "") not in ("", "0")


def search_path(variable: str) -> list[Path]:
    """Directories listed in a ``:``-separated variable such as ``HPCSIM_TEMPLATE_PATH``."""
    return [Path(p).expanduser() for p in os.environ.get(variable, "").split(os.pathsep) if p]
