"""Whether a process runs, from its pid (Linux ``/proc``); shared by every layer."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["pid_alive", "proc_stat"]


def proc_stat(pid: int) -> tuple[str, str]:
    """(state, start time in clock ticks since boot) of ``pid``; ('', '') where /proc is absent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "", ""
    return fields[0], fields[19]


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether ``pid`` runs and is not a zombie (a killed process its parent has not reaped
    yet); with ``start``, also that it is the same process (no recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state, started = proc_stat(pid)
    return state not in ("Z", "X") and (start is None or started == start)
