"""Scheduler adapters: submit, batched status, cancel, wait."""

from pathlib import Path

from hpcsim.errors import ConfigError
from hpcsim.schedulers.base import JobRef, JobUpdate, Scheduler, Submission
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


def get_scheduler(name: str, exp_path: Path) -> Scheduler:
    """A fresh adapter for scheduler ``name`` working for the experiment at ``exp_path``."""
    if name == "local":
        return LocalScheduler()
    if name == "slurm":
        return SlurmScheduler(_work_dir(exp_path))
    if name == "pbs":
        return PbsScheduler(_work_dir(exp_path))
    if name == "lsf":
        return LsfScheduler(_work_dir(exp_path))
    raise ConfigError(f"unknown scheduler {name!r}; hpcsim drives local, slurm, pbs and lsf")
