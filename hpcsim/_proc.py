"""Whether a process runs, from its pid (Linux ``/proc``); shared by every layer."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["pid_alive", "proc_stat", "session_members"]


def _fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first); [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def proc_stat(pid: int) -> tuple[str, str]:
    """(state, start time in clock ticks since boot) of ``pid``; ('', '') where /proc is absent."""
    fields = _fields(pid)
    if len(fields) < 20:
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


def session_members(leader: int, start: str) -> list[tuple[int, int]]:
    """(pid, process group) of every live process in the session that ``leader`` (started at
    ``start``) created, the leader included, even after the leader itself has ended.

    Linux does not reuse a pid while a process group or session still carries it, so a
    process at ``leader`` with another start time means that session has ended: nothing is
    returned then. Zombies are left out (they need no signal, only a parent to reap them).
    """
    _, started = proc_stat(leader)
    if started and started != start:
        return []
    members = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        fields = _fields(entry)
        if len(fields) >= 4 and fields[3] == str(leader) and fields[0] not in ("Z", "X"):
            members.append((int(entry), int(fields[2])))
    return sorted(members)
