"""Each scheduler's adapter, by name, from the class its kind names (adapters load PSI/J, so
they are imported here, on first use, and nowhere else)."""

from __future__ import annotations

from pathlib import Path

from hpcsim.errors import ConfigError
from hpcsim.schedulers.base import Scheduler
from hpcsim.schedulers.kinds import KINDS, NAMES, load

__all__ = ["get_scheduler"]


def _work_dir(exp_path: Path) -> Path:
    """Where PSI/J keeps its files for an experiment (launcher scripts; nothing per job)."""
    return exp_path / ".hpcsim" / "psij"


def get_scheduler(name: str, exp_path: Path) -> Scheduler:
    """A fresh adapter for scheduler ``name`` working for the experiment at ``exp_path``."""
    kind = KINDS.get(name)
    if kind is None:
        raise ConfigError(f"unknown scheduler {name!r}; hpcsim drives {', '.join(NAMES)}")
    adapter = load(kind.adapter)
    assert issubclass(adapter, Scheduler), kind.adapter
    if not kind.batch:
        return adapter()
    from hpcsim.schedulers.batch import BatchScheduler  # PSI/J: only for a batch scheduler

    assert issubclass(adapter, BatchScheduler), kind.adapter
    return adapter(_work_dir(exp_path))
