"""Pieces several commands share: driver-or-spec arguments and JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hpcsim.errors import ConfigError

__all__ = ["DRIVER_ARGS", "complete_site", "driver_or_spec", "echo_json"]

#: the arguments after ``DRIVER.py`` (or after ``--``), handed to the driver untouched
DRIVER_ARGS: dict[str, Any] = {"nargs": -1, "type": click.UNPROCESSED}


def driver_or_spec(driver: Path | None, spec: Path | None) -> Path:
    """The one file given, checked to exist: a driver script or a ``--spec`` file."""
    if (driver is None) == (spec is None):
        raise click.UsageError("give a DRIVER.py or --spec FILE (exactly one)")
    path = driver if driver is not None else spec
    assert path is not None
    if not path.is_file():
        what = "driver" if driver is not None else "spec"
        where = "" if path.is_absolute() else f" (looked in {Path.cwd()})"
        raise ConfigError(f"{what} file {str(path)!r} not found{where}")
    return path


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def complete_site(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of site names (those on HPCSIM_SITE_PATH and the shipped ones)."""
    from hpcsim.site import available_sites

    return sorted(name for name in available_sites() if name.startswith(incomplete))
