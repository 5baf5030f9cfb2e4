"""The terminal view of ``hpcsim status`` and ``submit --wait``: one table row per model and
database, an ensemble folded into one row with its members' counts by state (every member with
``expand``), states in colour, and a footer line; fitted to the console's height, it ends with
"... N more" instead of scrolling. Only the commands that draw import this module (and rich).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from hpcsim.cli.options import state_colour
from hpcsim.control.grouping import Group, group_rows
from hpcsim.overview import latest_rows

__all__ = ["StatusView"]

_COLUMNS = ("name", "type", "job", "run", "time", "status", "exit", "reason")
_Cells = tuple[Text, ...]


def _cell(value: object, style: str = "") -> Text:
    return Text("" if value is None else str(value), style=style)


def _counts(group: Group) -> Text:
    text = Text()
    for index, (status, n) in enumerate(group.counts.items()):
        text.append(", " if index else "")
        text.append(f"{n} {status.lower()}", style=state_colour(status))
    return text


def _rows(group: Group, expand: bool) -> list[_Cells]:
    if group.is_ensemble and not expand:
        job = group.job["job_id"] if group.job is not None else ""
        return [(_cell(group.name), _cell(f"{len(group.members)} members"), _cell(job), *map(_cell, ("",) * 2),
                 _counts(group), _cell(""), _cell(""))]  # fmt: skip
    return [
        (
            _cell(row["name"]),
            _cell(row["type"]),
            _cell(row["job_id"]),
            _cell(row["run"]),
            _cell(f"{row['time']:.1f}s"),
            _cell(row["status"], state_colour(str(row["status"]))),
            _cell(row["exit_code"]),
            _cell(row["reason"]),
        )
        for row in group.rows
    ]


def _table(rows: Sequence[_Cells]) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for column in _COLUMNS:
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for cells in rows:
        table.add_row(*cells)
    return table


@dataclass(frozen=True)
class StatusView:
    """A rich renderable of ``snapshot`` (experiments, each with its summary rows under
    ``jobs``, as ``hpcsim status --json`` prints them) above ``footer`` (text, ANSI styles
    allowed). With ``fit``, at most the console's height: rows past it are counted in a last
    line that names ``more``, the command that shows them all."""

    snapshot: Sequence[dict[str, Any]]
    footer: str
    more: str
    expand: bool = False
    fit: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        sections = [
            (
                f"experiment {e['name']} ({e['path']})" if len(self.snapshot) > 1 else None,
                [cells for group in group_rows(latest_rows(e["jobs"])) for cells in _rows(group, self.expand)],
            )
            for e in self.snapshot
        ]
        total = sum(len(rows) for _, rows in sections)
        room = total
        if self.fit:  # a title line and a header line per section, and the footer
            room = options.max_height - sum(1 + (title is not None) for title, _ in sections) - 1
            if room < total:
                room -= 1  # for the "... N more" line
        hidden = total - max(room, 0)
        for title, rows in sections:
            shown = rows[: max(room, 0)]
            room -= len(shown)
            if self.fit and not shown and rows:
                continue
            if title is not None:
                yield Text(title, style="bold", no_wrap=True, overflow="ellipsis")
            yield _table(shown)
        if hidden > 0:
            yield Text(f"... {hidden} more rows: {self.more}", style="dim", no_wrap=True, overflow="ellipsis")
        yield Text.from_ansi(self.footer, no_wrap=True, overflow="ellipsis")
