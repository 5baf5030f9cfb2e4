"""What a colocated shard needs beyond a plain one: CPU pinning, and noticing that the ranks
it serves are gone (even when they were killed without a chance to stop it)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from hpcsim._proc import pid_alive

__all__ = ["pin", "ranks_alive"]


def _ranges(cpus: Sequence[int]) -> str:
    return ",".join(str(c) for c in sorted(cpus))


def pin(db_cpus: int, cpus: Sequence[int], host: str) -> None:
    """Restrict this process (and so the server it starts) to ``cpus``, or to the first
    ``db_cpus`` CPUs it may use; neither: leave it alone. ValueError names what is allowed."""
    if not db_cpus and not cpus:
        return
    allowed = sorted(os.sched_getaffinity(0))
    if cpus:
        missing = [c for c in cpus if c not in allowed]
        if missing:
            raise ValueError(
                f"custom_pinning names CPU(s) {_ranges(missing)}, but a rank on {host} may only use "
                f"CPUs {_ranges(allowed)}"
            )
        chosen = list(cpus)
    else:
        if db_cpus > len(allowed):
            raise ValueError(f"db_cpus={db_cpus}, but a rank on {host} may only use {len(allowed)} CPU(s)")
        chosen = allowed[:db_cpus]
    os.sched_setaffinity(0, chosen)


def ranks_alive(directory: Path) -> bool:
    """Whether any process whose pid names a file in ``directory`` still runs (a missing
    directory means its ranks cleaned up and left)."""
    try:
        pids = [int(entry.name) for entry in directory.iterdir() if entry.name.isdigit()]
    except FileNotFoundError:
        return False
    return any(pid_alive(pid) for pid in pids)
