"""Scheduler adapters: submit, batched status, cancel, wait."""

from hpcsim.errors import ConfigError
from hpcsim.schedulers.base import JobRef, JobUpdate, Scheduler, Submission
from hpcsim.schedulers.detect import LAUNCHERS, detect_scheduler
from hpcsim.schedulers.local import LocalScheduler

__all__ = [
    "LAUNCHERS",
    "JobRef",
    "JobUpdate",
    "LocalScheduler",
    "Scheduler",
    "Submission",
    "detect_scheduler",
    "get_scheduler",
]


def get_scheduler(name: str) -> Scheduler:
    """A fresh adapter for ``name``; only the local one exists so far."""
    if name == "local":
        return LocalScheduler()
    raise ConfigError(
        f"the {name!r} scheduler cannot be driven yet by this version of hpcsim; only 'local' launches are implemented"
    )
