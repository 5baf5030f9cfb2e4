"""Each scheduler's adapter, by name (importing them loads PSI/J, so only this module does)."""

from __future__ import annotations

from pathlib import Path

from hpcsim.errors import ConfigError
from hpcsim.schedulers.base import Scheduler
from hpcsim.schedulers.batch import BatchScheduler
from hpcsim.schedulers.kinds import NAMES
from hpcsim.schedulers.local import LocalScheduler
from hpcsim.schedulers.lsf import LsfScheduler
from hpcsim.schedulers.pbs import PbsScheduler
from hpcsim.schedulers.slurm import SlurmScheduler

__all__ = ["LocalScheduler", "LsfScheduler", "PbsScheduler", "SlurmScheduler", "get_scheduler"]

#: the adapter of each scheduler, by name
_ADAPTERS: dict[str, type[Scheduler]] = {
    cls.name: cls for cls in (LocalScheduler, SlurmScheduler, PbsScheduler, LsfScheduler)
}


def _work_dir(exp_path: Path) -> Path:
    """Where PSI/J keeps its files for an experiment (launcher scripts; nothing per job)."""
    return exp_path / ".hpcsim" / "psij"


def get_scheduler(name: str, exp_path: Path) -> Scheduler:
    """A fresh adapter for scheduler ``name`` working for the experiment at ``exp_path``."""
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        raise ConfigError(f"unknown scheduler {name!r}; hpcsim drives {', '.join(NAMES)}")
    if issubclass(adapter, BatchScheduler):
        return adapter(_work_dir(exp_path))
    return adapter()
