"""Machine learning beside the database: the inference worker that serves stored models and
scripts next to every shard, its framework backends, and helpers that turn models into blobs.

SmartSim's ``smartsim.ml`` names (``DataDownloader``, ``DataInfo``, ``TrainingDataUploader``,
``form_name``) are here too, from :mod:`hpcsim.ml.data`. They are imported on first use, so the
inference worker, which imports this package, does not load the training-data machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpcsim.ml.data import DataDownloader, DataInfo, TrainingDataUploader, form_name

__all__ = ["DataDownloader", "DataInfo", "TrainingDataUploader", "form_name"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("hpcsim.ml.data"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hpcsim.ml' has no attribute {name!r}")
