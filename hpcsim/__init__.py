"""hpcsim: HPC-native workflows for simulations coupled with machine learning.

Describe models, ensembles and databases in a Python driver, render them into scheduler
scripts from Jinja templates, launch them, and follow them through a durable job store.

Names are imported on first use, so an application that only needs ``hpcsim.Client`` (or a
database shard starting on a compute node) does not pay for the workflow machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hpcsim._version import __version__

if TYPE_CHECKING:
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
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hpcsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
