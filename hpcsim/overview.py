"""What the job-following commands (``hpcsim status``, ``cancel``, ``logs``, ``list``) read:
an experiment together with the experiments its submitted driver opened, and the experiments
under a directory."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hpcsim.control.family import children
from hpcsim.control.session import is_experiment, log_file, stored_state
from hpcsim.errors import ConfigError, HpcsimError
from hpcsim.experiment import Experiment
from hpcsim.status import Status

__all__ = ["Stored", "family", "find_entity", "latest_rows", "log_file", "stored", "walk"]

_log = logging.getLogger("hpcsim.overview")


def family(exp_dir: Path) -> list[Experiment]:
    """The experiment at ``exp_dir``, then every experiment a driver submitted from it opened
    (those deleted since are left out with a warning)."""
    root = Experiment.load(exp_dir)
    members = [root]
    for path in children(root.exp_path):
        if is_experiment(path):
            members.append(Experiment.load(path))
        else:
            _log.warning("experiment %s, opened by the submitted driver, is gone", path)
    return members


def latest_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last run of each name from :meth:`Experiment.summary_data` rows, in launch order."""
    last = {row["name"]: row for row in rows}
    return [row for row in rows if last[row["name"]] is row]


def find_entity(members: list[Experiment], name: str) -> Experiment:
    """The experiment among ``members`` that launched ``name`` (its latest launch wins)."""
    known: list[str] = []
    for exp in reversed(members):
        names = [row["name"] for row in latest_rows(exp.summary_data())]
        if name in names:
            return exp
        try:
            exp.get_database(name)  # a running database, by its identifier
        except HpcsimError:
            pass
        else:
            return exp
        known += names
    choices = ", ".join(sorted(set(known))) or "none"
    raise ConfigError(f"no entity {name!r} was launched in {members[0].exp_path}; known: {choices}")


@dataclass(frozen=True)
class Stored:
    """An experiment as its job store last recorded it (no scheduler is asked)."""

    name: str
    path: Path
    launcher: str
    statuses: dict[str, Status]
    updated: float

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.statuses.values():
            counts[status.value] = counts.get(status.value, 0) + 1
        return counts


def stored(path: Path) -> Stored:
    meta, latest, updated = stored_state(path)
    return Stored(meta["name"], path, meta["launcher"], {n: r.status for n, r in latest.items()}, updated)


def walk(root: Path, depth: int) -> Iterator[Path]:
    """Experiment directories under ``root`` (itself included), at most ``depth`` levels down,
    not descending into experiments' own ``.hpcsim`` folders or other hidden folders."""
    base = len(root.parts)
    for folder, dirs, _ in os.walk(root):
        here = Path(folder)
        if is_experiment(here):
            yield here
        if len(here.parts) - base >= depth:
            dirs.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
