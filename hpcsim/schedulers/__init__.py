"""Scheduler adapters: submit, batched status, cancel, wait.

The registry (:mod:`hpcsim.schedulers.kinds`) and detection load nothing heavy; the adapters
(:mod:`hpcsim.schedulers.adapters`) load PSI/J, so they are imported on first use, which
keeps ``hpcsim --help`` and site or spec validation quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hpcsim.schedulers.base import JobRef, JobUpdate, Scheduler, Submission
from hpcsim.schedulers.detect import LAUNCHERS, detect_scheduler, in_allocation

if TYPE_CHECKING:
    from hpcsim.schedulers.adapters import get_scheduler

__all__ = [
    "LAUNCHERS",
    "JobRef",
    "JobUpdate",
    "Scheduler",
    "Submission",
    "detect_scheduler",
    "get_scheduler",
    "in_allocation",
]


def __getattr__(name: str) -> Any:
    if name == "get_scheduler":
        return getattr(importlib.import_module("hpcsim.schedulers.adapters"), name)
    raise AttributeError(f"module 'hpcsim.schedulers' has no attribute {name!r}")
