"""hpcsim: HPC-native workflows for simulations coupled with machine learning.

Describe models, ensembles and databases in a Python driver, render them into scheduler
scripts from Jinja templates, launch them, and follow them through a durable job store.

Names are imported on first use, so an application that only needs ``hpcsim.Client`` (or a
database shard starting on a compute node) does not pay for the workflow machinery, and
``from hpcsim import Experiment`` loads neither PSI/J, numpy nor redis until a scheduler, a
tensor or a database needs them.

hpcsim logs as a library does (a ``NullHandler``, records propagate, nothing printed by
itself); a driver shows its progress with :func:`log_to_console` (see :mod:`hpcsim.log`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hpcsim.log import log_to_console

if TYPE_CHECKING:
    from hpcsim._version import __version__
    from hpcsim.client import Client, Dataset
    from hpcsim.entities import Ensemble, Model
    from hpcsim.entities.orchestrator import Orchestrator
    from hpcsim.experiment import Experiment
    from hpcsim.settings import BatchSettings, RunSettings
    from hpcsim.status import Status

__all__ = [
    "BatchSettings",
    "Client",
    "Dataset",
    "Ensemble",
    "Experiment",
    "Model",
    "Orchestrator",
    "RunSettings",
    "Status",
    "__version__",
    "log_to_console",
]

_HOMES = {
    "BatchSettings": "hpcsim.settings",
    "Client": "hpcsim.client",
    "Dataset": "hpcsim.client",
    "Ensemble": "hpcsim.entities",
    "Experiment": "hpcsim.experiment",
    "Model": "hpcsim.entities",
    "Orchestrator": "hpcsim.entities.orchestrator",
    "RunSettings": "hpcsim.settings",
    "Status": "hpcsim.status",
    # importlib.metadata costs tens of milliseconds, which every shard and worker would pay
    "__version__": "hpcsim._version",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hpcsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
