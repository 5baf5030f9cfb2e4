"""Pieces several commands share: driver-or-spec arguments, JSON output, colour and shell
completion."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hpcsim.errors import ConfigError, HpcsimError

if TYPE_CHECKING:  # rich is imported only by the commands that draw with it
    from rich.console import Console

__all__ = [
    "DRIVER_ARGS",
    "colour",
    "complete_entity",
    "complete_experiment",
    "complete_site",
    "console",
    "driver_or_spec",
    "echo",
    "echo_json",
    "state_colour",
]

_STATE_COLOURS = {"COMPLETED": "green", "RUNNING": "cyan", "QUEUED": "yellow", "NEW": "yellow"}

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
    """``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, sort_keys=False, default=str))


def colour() -> bool | None:
    """Whether output is coloured: True with FORCE_COLOR set, False with NO_COLOR set (and no
    FORCE_COLOR), else None: on a terminal only (https://no-color.org)."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return None


def state_colour(status: str) -> str:
    """The colour a job status is shown in: green done, cyan running, yellow waiting, else red."""
    return _STATE_COLOURS.get(status, "red")


def echo(message: str, err: bool = False) -> None:
    """``click.echo`` with :func:`colour`: styles are kept or dropped as NO_COLOR and
    FORCE_COLOR ask (click alone ignores both)."""
    click.echo(message, err=err, color=colour())


def console(stderr: bool = False) -> Console:
    """A rich console for stdout (or stderr) that draws no styles at all under NO_COLOR (rich
    alone still draws bold there) and honours FORCE_COLOR."""
    from rich.console import Console

    plain = colour() is False
    return Console(stderr=stderr, highlight=False, color_system=None if plain else "auto", no_color=plain)


def complete_site(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of site names (those on HPCSIM_SITE_PATH and the shipped ones)."""
    from hpcsim.site import available_sites

    return sorted(name for name in available_sites() if name.startswith(incomplete))


def complete_experiment(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of experiment directories: those under the typed folder (default:
    here), at most two levels down."""
    from hpcsim.overview import walk

    folder = Path(incomplete).parent if "/" in incomplete else Path(".")
    try:
        found = [str(path) for path in walk(folder, 2)] if folder.is_dir() else []
    except OSError:
        return []
    return sorted(path for path in found if path.startswith(incomplete) and path != ".")


def complete_entity(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of the names launched in the experiment given before (and in the
    experiments its submitted driver opened), as their job stores recorded them."""
    from hpcsim.control.family import children
    from hpcsim.control.session import is_experiment
    from hpcsim.overview import stored

    exp_dir = ctx.params.get("exp_dir")
    if not isinstance(exp_dir, Path) or not is_experiment(exp_dir):
        return []
    given = ctx.params.get(param.name or "") or ()
    names: set[str] = set()
    for path in [exp_dir, *children(exp_dir)]:
        try:
            names.update(stored(path).statuses)
        except (HpcsimError, OSError):
            continue
    return sorted(n for n in names if n.startswith(incomplete) and n not in given)
