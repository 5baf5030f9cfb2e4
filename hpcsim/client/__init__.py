"""hpcsim's data-plane client: SmartRedis' Python API on plain Redis.

Tensors, datasets and aggregation lists in a standalone Redis, a Redis Cluster or a server on a
Unix socket, located through the environment an hpcsim Experiment gives its applications
(``HPCSIM_DB``, ``HPCSIM_DB_TYPE``, ``HPCSIM_DB_PASSWORD_FILE``, ``HPCSIM_KEYOUT``/``HPCSIM_KEYIN``,
or SmartSim's ``SSDB``/``SR_DB_TYPE``/``SSKEYOUT``/``SSKEYIN``). See ``docs/client.md``.

Names are imported on first use: the client loads numpy and redis, which a driver that only
launches models (and imports :mod:`hpcsim.client.known` through the Orchestrator) never needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpcsim.client.client import Client
    from hpcsim.client.dataset import Dataset
    from hpcsim.client.dataset_utils import DatasetConverter
    from hpcsim.client.log import (
        LLDebug,
        LLDeveloper,
        LLInfo,
        LLQuiet,
        LogContext,
        SRObject,
        log_data,
        log_error,
        log_warning,
    )
    from hpcsim.client.options import ConfigOptions

__all__ = [
    "Client",
    "ConfigOptions",
    "Dataset",
    "DatasetConverter",
    "LLDebug",
    "LLDeveloper",
    "LLInfo",
    "LLQuiet",
    "LogContext",
    "SRObject",
    "log_data",
    "log_error",
    "log_warning",
]

_HOMES = {
    "Client": "hpcsim.client.client",
    "ConfigOptions": "hpcsim.client.options",
    "Dataset": "hpcsim.client.dataset",
    "DatasetConverter": "hpcsim.client.dataset_utils",
    **dict.fromkeys(
        (
            "LLDebug",
            "LLDeveloper",
            "LLInfo",
            "LLQuiet",
            "LogContext",
            "SRObject",
            "log_data",
            "log_error",
            "log_warning",
        ),
        "hpcsim.client.log",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'hpcsim.client' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
