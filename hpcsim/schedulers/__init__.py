"""Scheduler adapters: submit, batched status, cancel, wait."""

from pathlib import Path

from hpcsim.errors import ConfigError
from hpcsim.schedulers.base import JobRef, JobUpdate, Scheduler, Submission
from hpcsim.schedulers.batch import BatchScheduler
from hpcsim.schedulers.detect import LAUNCHERS, detect_scheduler, in_allocation
from hpcsim.schedulers.local import LocalScheduler
from hpcsim.schedulers.lsf import LsfScheduler
from hpcsim.schedulers.pbs import PbsScheduler
from hpcsim.schedulers.slurm import SlurmScheduler

__all__ = [
    "LAUNCHERS",
    "JobRef",
    "JobUpdate",
    "LocalScheduler",
    "LsfScheduler",
    "PbsScheduler",
    "Scheduler",
    "SlurmScheduler",
    "Submission",
    "detect_scheduler",
    "get_scheduler",
    "in_allocation",
]


def _work_dir(exp_path: Path) -> Path:
    """Where PSI/J keeps its files for an experiment (launcher scripts; nothing per job)."""
    return exp_path / ".hpcsim" / "psij"


#: the adapter of each scheduler, by name
_ADAPTERS: dict[str, type[Scheduler]] = {
    cls.name: cls for cls in (LocalScheduler, SlurmScheduler, PbsScheduler, LsfScheduler)
}


def get_scheduler(name: str, exp_path: Path) -> Scheduler:
    """A fresh adapter for scheduler ``name`` working for the experiment at ``exp_path``."""
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        raise ConfigError(f"unknown scheduler {name!r}; hpcsim drives {', '.join(LAUNCHERS)}")
    if issubclass(adapter, BatchScheduler):
        return adapter(_work_dir(exp_path))
    return adapter()
