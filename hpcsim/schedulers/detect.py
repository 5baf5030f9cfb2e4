"""Which scheduler this machine has, judged from the commands on PATH."""

from __future__ import annotations

import os
import re
import shutil

from hpcsim._shell import run
from hpcsim.errors import CommandError
from hpcsim.schedulers.kinds import KINDS, LOCAL, NAMES, SchedulerKind

__all__ = ["LAUNCHERS", "detect_scheduler", "in_allocation"]

LAUNCHERS = NAMES


def _says(kind: SchedulerKind) -> bool:
    """Whether ``kind``'s version probe names it (when a look-alike shares its commands)."""
    try:
        done = run(list(kind.version_probe), timeout=10, check=False)
    except CommandError:
        return False
    return re.search(kind.version_pattern, done.stdout + done.stderr, re.IGNORECASE | re.MULTILINE) is not None


def detect_scheduler() -> str:
    """The first scheduler all of whose commands are on PATH, else ``local``."""
    for kind in KINDS.values():
        if kind.commands and all(shutil.which(c) for c in kind.commands) and (not kind.version_probe or _says(kind)):
            return kind.name
    return LOCAL.name


def in_allocation(scheduler: str) -> bool:
    """Whether this process runs inside a job of ``scheduler`` (a batch script, salloc)."""
    kind = KINDS.get(scheduler)
    return kind is not None and bool(kind.job_id_variable) and bool(os.environ.get(kind.job_id_variable))
