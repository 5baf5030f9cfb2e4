"""hpcsim's data-plane client: SmartRedis' Python API on plain Redis.

Tensors, datasets and aggregation lists in a standalone Redis, a Redis Cluster or a server on a
Unix socket, located through the environment an hpcsim Experiment gives its applications
(``HPCSIM_DB``, ``HPCSIM_DB_TYPE``, ``HPCSIM_DB_PASSWORD_FILE``, ``HPCSIM_KEYOUT``/``HPCSIM_KEYIN``,
or SmartSim's ``SSDB``/``SR_DB_TYPE``/``SSKEYOUT``/``SSKEYIN``). See ``docs/client.md``.
"""

from __future__ import annotations

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
