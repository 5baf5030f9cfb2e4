"""``hpcsim doctor``: run :func:`hpcsim.diagnostics.doctor.run_doctor` and print each check as it ends.

Human output is one aligned line per check and a summary; ``--json`` prints the same lines to
stderr as progress and one JSON object to stdout. The library's own INFO logging (``database
up``, ``launched 1 job``) would only repeat what the check lines say, so it is quieted to
warnings for the run unless ``HPCSIM_LOG_LEVEL`` asks for it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hpcsim.cli.options import echo
from hpcsim.log import log_to_console

if TYPE_CHECKING:  # the doctor itself imports the whole workflow machinery: only when it runs
    from hpcsim.diagnostics.doctor import CheckResult, DoctorReport

__all__ = ["doctor"]

OK, FAIL, SKIP = "ok", "fail", "skip"  # as hpcsim.diagnostics.doctor reports them
_LABELS = {OK: ("ok", "green"), FAIL: ("FAIL", "red"), SKIP: ("skip", "yellow")}
_NAME_WIDTH = len("model:TFLITE") + 2


def _line(result: CheckResult) -> str:
    label, colour = _LABELS[result.status]
    took = f"{result.seconds:6.2f}s" if result.status != SKIP else " " * 7
    status = click.style(label.ljust(5), fg=colour, bold=result.status == FAIL)
    return f"{status} {result.name.ljust(_NAME_WIDTH)}{took}  {result.detail}"


def _summary(report: DoctorReport) -> str:
    counts = {status: sum(c.status == status for c in report.checks) for status in (OK, FAIL, SKIP)}
    text = f"{counts[OK]} ok, {counts[FAIL]} failed, {counts[SKIP]} skipped in {report.seconds:.1f}s"
    lines = [click.style(f"doctor: {text}", fg="green" if report.ok else "red", bold=True)]
    lines += [click.style(f"note: {note}", fg="yellow") for note in report.notes]
    if report.kept:
        lines.append(f"kept {report.directory} for its logs")
    return "\n".join(lines)


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Make the working directory (hpcsim-doctor-*) here instead of the system's temp dir; it is "
    "removed after a clean run. The scheduler check needs one the compute nodes share.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout; progress goes to stderr.")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Submit a one-node hostname job when a scheduler is found.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    metavar="S",
    help="Seconds a model may take to load and run, and the scheduler job to queue and run.",
)
@click.pass_context
def doctor(ctx: click.Context, directory: Path | None, as_json: bool, scheduler: bool, timeout: float) -> None:
    """Check, end to end, that hpcsim works on this machine.

    In order, each printed as it ends (ok, FAIL or skip, with its time): the site config loads;
    redis-server is found; a local database starts; a tensor goes in and comes back; a y = 2x
    model of each installed ML backend runs inside the database; a one-node job runs on the
    scheduler, if one is found. A check whose prerequisite did not pass is skipped. The
    database is always stopped at the end. Exit status 1 if any check failed; the working
    directory is then kept, for its logs.

    \b
    Examples:
      hpcsim doctor                          # on a laptop: no scheduler, so that check skips
      hpcsim doctor --no-scheduler           # on a login node, without submitting a job
      hpcsim doctor --dir $SCRATCH/doctor --timeout 900
      hpcsim doctor --json > doctor.json     # progress on stderr
    """
    if not os.environ.get("HPCSIM_LOG_LEVEL"):
        log_to_console(logging.WARNING)  # the console's level: driver.log still gets everything
    from hpcsim.diagnostics.doctor import run_doctor

    report = run_doctor(directory, scheduler=scheduler, timeout=timeout, progress=lambda r: echo(_line(r), err=as_json))
    echo(_summary(report), err=as_json)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    if not report.ok:
        ctx.exit(1)
