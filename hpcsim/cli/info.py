"""``hpcsim info``: what hpcsim finds on this machine, as aligned sections or one JSON object.

The data comes from :func:`hpcsim.diagnostics.info.collect_info`; this module only lays it out. It
looks things up and starts nothing, so it is the first thing to run (and to paste into a bug
report) when something does not work.
"""

from __future__ import annotations

import json
from typing import Any

import click

from hpcsim.cli.options import colour

__all__ = ["info"]

_Row = tuple[str, str, str | None]  # label, value, colour (None: plain)


def _found(path: str | None, missing: str = "not found") -> tuple[str, str | None]:
    return (path, None) if path else (missing, "yellow")


def _sections(data: dict[str, Any]) -> list[tuple[str, list[_Row]]]:
    redis, site = data["redis"], data["site"]
    server = redis["server"]
    if server["path"]:
        server_row: _Row = ("redis-server", f"{server['path']} (Redis {server['version'] or '?'})", None)
    else:
        server_row = ("redis-server", f"not found: {server['error']}", "red")
    cli_row: _Row = (
        ("redis-cli", redis["cli"]["path"], None)
        if redis["cli"]["path"]
        else ("redis-cli", f"not found: {redis['cli']['error']}", "red")
    )
    if site["error"]:
        site_rows: list[_Row] = [("name", f"error: {site['error']}", "red")]
    elif site["name"]:
        site_rows = [
            ("name", site["name"], None),
            ("source", site["source"], None),
            ("scheduler", site["scheduler"], None),
        ]
    else:
        site_rows = [("name", "none (no HPCSIM_SITE, no hostname match): local defaults", None)]
    scheduler = data["scheduler"]
    backends: list[_Row] = [
        (name, f"{b['package']} {b['version'] or '?'}", "green")
        if b["available"]
        else (name, f"missing ({b['install']})", "yellow")
        for name, b in data["ml_backends"].items()
    ]
    return [
        ("hpcsim", [("version", data["hpcsim"]["version"], None), ("location", data["hpcsim"]["location"], None)]),
        ("python", [("version", data["python"]["version"], None), ("executable", data["python"]["executable"], None)]),
        ("packages", [(name, *_found(version, "not installed")) for name, version in data["packages"].items()]),
        ("redis", [server_row, cli_row]),
        ("site", site_rows),
        (
            "scheduler",
            [("detected", f"{scheduler['name']} ({scheduler['reason']})", None)]
            + [(name, *_found(path)) for name, path in data["commands"].items()],
        ),
        ("ML backends", backends),
        ("environment", [(name, value, None) for name, value in data["env"].items()] or [("(none set)", "", None)]),
    ]


def render(data: dict[str, Any]) -> str:
    """``collect_info()``'s data as titled sections of aligned ``label  value`` rows."""
    sections = _sections(data)
    width = max(len(label) for _, rows in sections for label, _, _ in rows) + 2
    lines: list[str] = []
    for title, rows in sections:
        lines.append(click.style(title, bold=True))
        for label, value, fg in rows:
            lines.append(f"  {label.ljust(width)}{click.style(value, fg=fg) if fg else value}".rstrip())
    return "\n".join(lines)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the same data (keys in docs/cli.md).")
def info(as_json: bool) -> None:
    """Show what hpcsim finds on this machine.

    Its version and location, Python, dependency versions, where redis-server and redis-cli
    come from, the site, the scheduler and launcher commands on PATH, which ML backends can
    run, and the HPCSIM_* settings that are set. It only looks (no framework is imported,
    nothing starts) and always exits 0; `hpcsim doctor` runs things.

    \b
    Examples:
      hpcsim info
      hpcsim info --json | python -m json.tool
      HPCSIM_SITE=perlmutter hpcsim info     # what a site changes
    """
    from hpcsim.diagnostics.info import collect_info

    data = collect_info()
    click.echo(json.dumps(data, indent=2) if as_json else render(data), color=colour())
