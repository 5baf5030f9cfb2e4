"""Summaries of launches: rows as dicts, and the same rows as a readable table."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `hpcsim site list` formats tables without loading the job store and schedulers
    from hpcsim.control.store import JobRecord

__all__ = ["format_table", "summary_rows"]

COLUMNS = ("name", "type", "job_id", "run", "time", "status", "exit_code", "reason")


def summary_rows(records: Sequence[JobRecord]) -> list[dict[str, Any]]:
    """One dict per launch, in launch order; ``run`` counts launches of the same name."""
    runs: dict[str, int] = {}
    rows = []
    now = time.time()
    for record in records:
        runs[record.name] = runs.get(record.name, 0) + 1
        end = record.updated if record.status.is_terminal else now
        rows.append(
            {
                "name": record.name,
                "type": record.kind,
                "job_id": record.native_id,
                "run": runs[record.name],
                "time": round(end - record.submitted, 3),
                "status": record.status.value,
                "exit_code": record.exit_code,
                "reason": record.reason,
            }
        )
    return rows


def format_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    """A GitHub-style Markdown table (readable in a terminal and in docs)."""
    cells = [[("" if row[c] is None else str(row[c])) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(list(columns)), rule, *(line(r) for r in cells)])
