"""The whole live state the dashboard shows: every experiment's summary, jobs and running
databases, read in one go (the ``/api/snapshot`` object)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hpcsim.control.store import DatabaseRecord
from hpcsim.dashboard.data import ExperimentReader
from hpcsim.dashboard.databases import DatabaseReader

__all__ = ["Dashboard"]


class Dashboard:
    """The experiments at ``directories``, numbered ``"0"``, ``"1"``, ... in that order."""

    def __init__(self, directories: Sequence[Path]) -> None:
        self.experiments = {str(i): ExperimentReader(str(i), Path(d)) for i, d in enumerate(directories)}
        self._databases = DatabaseReader()

    def snapshot(self) -> dict[str, Any]:
        """Every experiment's summary, every job of every launch and every running database,
        as they are now."""
        generated = time.time()
        experiments: list[dict[str, Any]] = []
        jobs: list[dict[str, Any]] = []
        databases: list[tuple[str, DatabaseRecord]] = []
        for exp, reader in self.experiments.items():
            summary, views, records = reader.read()
            experiments.append(summary)
            jobs += views
            databases += [(exp, record) for record in records.values()]
        return {
            "generated": generated,
            "experiments": experiments,
            "jobs": jobs,
            "databases": self._databases.read(databases),
        }

    def close(self) -> None:
        """Close the databases' connections and stop their threads."""
        self._databases.close()
