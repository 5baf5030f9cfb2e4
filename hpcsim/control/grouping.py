"""Ensembles folded into one entry with counts by state: what ``hpcsim status``'s terminal view
and ``Experiment.start(block=True)``'s progress show instead of one line per member.

Summary rows do not name a member's ensemble, so it is told from what they do carry: under a
scheduler an ``ensemble`` row (the batch job) comes right before its ``member`` rows; locally
every member is a ``model`` named ``<ensemble>_<index>``, and two or more models sharing the
``<ensemble>`` part are taken as one ensemble.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Group", "count_states", "describe", "group_rows"]

_MEMBER = re.compile(r"(?P<ensemble>.+)_\d+")

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Group:
    """One model or database (``members`` empty), or an ensemble and its members; ``job`` is the
    row of the launch itself: the model's, or a batch ensemble's job (``None`` locally)."""

    name: str
    job: Row | None
    members: tuple[Row, ...] = ()

    @property
    def is_ensemble(self) -> bool:
        return self.job is None or self.job["type"] == "ensemble"

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every row of the group: the job's, then the members'."""
        return ((self.job,) if self.job is not None else ()) + self.members

    @property
    def counts(self) -> dict[str, int]:
        """How many members (a lone model: itself) are in each state."""
        return count_states(self.members if self.is_ensemble else self.rows)


def count_states(rows: Sequence[Row]) -> dict[str, int]:
    """How many ``rows`` are in each status, in order of first appearance."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def group_rows(rows: Sequence[Row]) -> list[Group]:
    """``rows`` (each with name, type and status; the latest run of each name) as groups, in
    the order their first row appears."""
    order: list[tuple[str, str]] = []  # (how it was grouped, name)
    jobs: dict[str, Row] = {}
    members: dict[tuple[str, str], list[Row]] = {}
    ensemble: str | None = None  # the batch ensemble whose members follow
    for row in rows:
        name, kind = str(row["name"]), row["type"]
        match = _MEMBER.fullmatch(name)
        key: tuple[str, str]
        if kind == "ensemble":
            key, ensemble = ("batch", name), name
            jobs[name] = row
        elif kind == "member" and ensemble is not None:
            key = ("batch", ensemble)
        elif kind in ("model", "member") and match is not None:
            key = ("local", match["ensemble"])
        else:
            key = ("single", name)
        if key not in members:
            order.append(key)
            members[key] = []
        if kind != "ensemble":
            members[key].append(row)
    groups: list[Group] = []
    for how, name in order:
        found = members[(how, name)]
        if how == "batch":
            groups.append(Group(name, jobs.get(name), tuple(found)))
        elif how == "local" and len(found) > 1:
            groups.append(Group(name, None, tuple(found)))
        else:
            groups += [Group(str(row["name"]), row) for row in found]
    return groups


def describe(group: Group) -> str:
    """``"sweep: 60 members, 3 completed, 57 running"``, or ``"sim: running"``."""
    states = ", ".join(f"{n} {status.lower()}" for status, n in group.counts.items())
    if group.is_ensemble:
        return f"{group.name}: {len(group.members)} members, {states}"
    return f"{group.name}: {str(group.rows[0]['status']).lower()}"
