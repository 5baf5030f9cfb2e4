"""Following launched jobs: ``hpcsim status``, ``list``, ``cancel`` and ``logs``.

An experiment directory made by ``hpcsim submit`` also shows the experiments its driver
opened. Exit status 1 means a job did not complete (failed, cancelled, timed out, ...).
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Any

import click

from hpcsim.cli.options import complete_entity, complete_experiment, console, echo, echo_json, state_colour

__all__ = ["EXPAND", "cancel", "failures", "follow", "list_experiments", "logs", "status"]

EXP_DIR = click.Path(file_okay=False, path_type=Path)
#: the ``--expand`` flag of the commands that draw the terminal view
EXPAND = click.option("--expand", is_flag=True, help="On a terminal, list every ensemble member on its own row.")


def _snapshot(exp_dir: Path) -> list[dict[str, Any]]:
    """Every experiment of ``exp_dir``'s family with its launches, statuses freshly asked."""
    from hpcsim.overview import family

    return [
        {"name": exp.name, "path": str(exp.exp_path), "launcher": exp.launcher, "jobs": exp.summary_data()}
        for exp in family(exp_dir)
    ]


def _tally(snapshot: list[dict[str, Any]]) -> dict[str, int]:
    """Statuses of the latest run of every job, databases left out (they run until stopped)."""
    from hpcsim.overview import latest_rows

    counts: dict[str, int] = {}
    for experiment in snapshot:
        for row in latest_rows(experiment["jobs"]):
            if row["type"] != "database":
                counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def _finished(counts: dict[str, int]) -> bool:
    from hpcsim.status import Status

    return all(Status(status).is_terminal for status in counts)


def _failed(counts: dict[str, int]) -> int:
    from hpcsim.status import Status

    return sum(n for status, n in counts.items() if Status(status).is_terminal and status != "COMPLETED")


def failures(snapshot: list[dict[str, Any]]) -> list[str]:
    """``"name (STATUS, exit code N)"`` for every job whose latest run ended without completing."""
    from hpcsim.overview import latest_rows
    from hpcsim.status import Status

    return [
        f"{row['name']} ({row['status']}, exit code {row['exit_code']})"
        for experiment in snapshot
        for row in latest_rows(experiment["jobs"])
        if row["type"] != "database" and Status(row["status"]).is_terminal and row["status"] != "COMPLETED"
    ]


def _progress(counts: dict[str, int], elapsed: float | None = None) -> str:
    done = sum(n for status, n in counts.items() if _finished({status: n}))
    parts = ", ".join(click.style(f"{n} {s.lower()}", fg=state_colour(s)) for s, n in sorted(counts.items()))
    clock = "" if elapsed is None else f"[{elapsed:4.0f}s] "
    return f"{clock}{done}/{sum(counts.values())} finished: {parts or 'no jobs'}"


def _tables(snapshot: list[dict[str, Any]]) -> str:
    from hpcsim.control.summary import format_table

    if len(snapshot) == 1:
        return format_table(snapshot[0]["jobs"])
    return "\n\n".join(f"experiment {e['name']} ({e['path']})\n{format_table(e['jobs'])}" for e in snapshot)


def _view(snapshot: list[dict[str, Any]], exp_dir: Path, footer: str, expand: bool, fit: bool) -> Any:
    from hpcsim.cli.view import StatusView

    return StatusView(snapshot, footer, f"hpcsim status {shlex.quote(str(exp_dir))} --expand", expand, fit)


def follow(
    exp_dir: Path, interval: float, live: bool, expand: bool = False
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Refresh the experiments of ``exp_dir`` until every job has ended, showing progress: on a
    terminal (``live``) the view redrawn in place, its last frame left on screen; else one line
    on stderr whenever the counts change. Returns the last snapshot and its status counts."""
    start = time.monotonic()
    snapshot = _snapshot(exp_dir)
    counts = _tally(snapshot)
    if live:
        return _follow_live(exp_dir, interval, expand, start, snapshot, counts)
    last: dict[str, int] | None = None
    while not _finished(counts):
        if counts != last:
            echo(_progress(counts, time.monotonic() - start), err=True)
            last = counts
        time.sleep(interval)
        snapshot = _snapshot(exp_dir)
        counts = _tally(snapshot)
    return snapshot, counts


def _follow_live(
    exp_dir: Path,
    interval: float,
    expand: bool,
    start: float,
    snapshot: list[dict[str, Any]],
    counts: dict[str, int],
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    from rich.live import Live

    def frame(note: str) -> Any:
        return _view(snapshot, exp_dir, _progress(counts, time.monotonic() - start) + note, expand, True)

    watching = "  (Ctrl-C stops watching; jobs keep running)"
    with Live(frame(watching), console=console(), auto_refresh=False, transient=False) as live:
        while not _finished(counts):
            time.sleep(interval)
            snapshot = _snapshot(exp_dir)
            counts = _tally(snapshot)
            live.update(frame("" if _finished(counts) else watching), refresh=True)
    return snapshot, counts


@click.command()
@click.argument("exp_dir", type=EXP_DIR, default=".", shell_complete=complete_experiment)
@click.option("--watch", is_flag=True, help="Refresh until every job has ended, showing progress.")
@click.option(
    "--interval", type=click.FloatRange(0.1), default=5.0, show_default=True, help="Seconds between refreshes."
)
@click.option("--json", "as_json", is_flag=True, help="Print the experiments and their jobs as JSON.")
@EXPAND
def status(exp_dir: Path, watch: bool, interval: float, as_json: bool, expand: bool) -> None:
    """Show every launch in the experiment at EXP_DIR (default: here), with statuses freshly
    asked from the scheduler; a `hpcsim submit` directory also shows its driver's experiments.
    Exits 1 if a job failed, was cancelled or timed out.

    On a terminal each ensemble shows as one row with its members' counts by state (--expand
    lists them), and --watch redraws in place; elsewhere it prints a Markdown table of every
    launch (and --watch one progress line on stderr whenever the counts change).

    \b
    Examples:
      hpcsim status ./driver
      hpcsim status ./driver --watch --interval 2
      hpcsim status ./driver --json | jq '.experiments[].jobs[].status'
    """
    start = time.monotonic()
    terminal = not as_json and sys.stdout.isatty()
    if watch:
        snapshot, counts = follow(exp_dir, interval, terminal, expand)
    else:
        snapshot = _snapshot(exp_dir)
        counts = _tally(snapshot)
    if as_json:
        echo_json({"experiments": snapshot, "finished": _finished(counts), "failed": _failed(counts)})
    elif terminal and not watch:
        console().print(_view(snapshot, exp_dir, _progress(counts), expand, False))
    elif not terminal:
        click.echo(_tables(snapshot))
        if watch:
            echo(_progress(counts, time.monotonic() - start))
    if _failed(counts):
        click.get_current_context().exit(1)


@click.command("list")
@click.argument("root", type=EXP_DIR, default=".")
@click.option("--depth", type=click.IntRange(0), default=3, show_default=True, help="How deep to look.")
@click.option("--json", "as_json", is_flag=True, help="Print the experiments as JSON.")
def list_experiments(root: Path, depth: int, as_json: bool) -> None:
    """List the hpcsim experiments under ROOT (default: here) with their jobs' statuses as
    last recorded (no scheduler is asked; `hpcsim status DIR` asks).

    \b
    Examples:
      hpcsim list
      hpcsim list ~/runs --depth 1 --json
    """
    from hpcsim.control.summary import format_table
    from hpcsim.overview import stored, walk

    if not root.is_dir():
        raise click.BadParameter(f"{str(root)!r} is not a directory", param_hint="ROOT")
    found = [stored(path) for path in walk(root, depth)]
    rows = [
        {
            "name": e.name,
            "path": str(e.path),
            "launcher": e.launcher,
            "jobs": len(e.statuses),
            "statuses": ", ".join(f"{n} {s.lower()}" for s, n in sorted(e.counts.items())),
            "updated": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.updated)),
        }
        for e in found
    ]
    if as_json:
        echo_json([{**row, "statuses": found[i].counts} for i, row in enumerate(rows)])
    elif rows:
        click.echo(format_table(rows, ("name", "path", "launcher", "jobs", "statuses", "updated")))
    else:
        click.echo(f"no hpcsim experiments under {root.resolve()} (depth {depth})", err=True)


@click.command()
@click.argument("exp_dir", type=EXP_DIR, shell_complete=complete_experiment)
@click.argument("entities", nargs=-1, shell_complete=complete_entity)
def cancel(exp_dir: Path, entities: tuple[str, ...]) -> None:
    """Cancel the unfinished jobs of the experiment at EXP_DIR (and of the experiments its
    submitted driver opened), or only ENTITIES. Databases shut down cleanly.

    \b
    Examples:
      hpcsim cancel ./driver
      hpcsim cancel ./sweep sweep_0 sweep_1 orchestrator
    """
    from hpcsim.overview import family, find_entity, latest_rows

    members = family(exp_dir)
    chosen: dict[str, list[str]] = {}  # experiment path -> names, in family order
    if entities:
        for name in entities:
            chosen.setdefault(str(find_entity(members, name).exp_path), []).append(name)
    else:
        for exp in reversed(members):  # the driver's experiments first, then the driver job
            names = [r["name"] for r in latest_rows(exp.summary_data()) if r["status"] in ("NEW", "QUEUED", "RUNNING")]
            if names:
                chosen[str(exp.exp_path)] = names
    if not chosen:
        click.echo("nothing to cancel: every job has ended")
        return
    for exp in reversed(members):
        names = chosen.get(str(exp.exp_path), [])
        if names:
            exp.stop(*names)
            for row in latest_rows(exp.summary_data()):
                if row["name"] in names:
                    click.echo(f"{row['name']}: {row['status']} (job {row['job_id']})")


@click.command()
@click.argument("exp_dir", type=EXP_DIR, shell_complete=complete_experiment)
@click.argument("entity", shell_complete=complete_entity)
@click.option("--err", "errors", is_flag=True, help="Show standard error instead of standard output.")
@click.option("--job", is_flag=True, help="Show the batch job's own output file instead of the program's.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new output until the job ends.")
def logs(exp_dir: Path, entity: str, errors: bool, job: bool, follow: bool) -> None:
    """Print the output of ENTITY's latest launch in the experiment at EXP_DIR.

    \b
    Examples:
      hpcsim logs ./driver driver --follow
      hpcsim logs ./sweep sweep_2 --err
    """
    from hpcsim import config
    from hpcsim.overview import family, find_entity, log_file

    exp = find_entity(family(exp_dir), entity)
    record = exp.job_record(entity)
    path = log_file(record, errors, job)
    offset = 0
    while True:
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
        except FileNotFoundError:
            chunk = b""
            if record.status.is_terminal:
                raise click.ClickException(f"{entity} wrote no {path.name} ({path})") from None
        offset += len(chunk)
        click.echo(chunk.decode(errors="replace"), nl=False)
        if not follow or (record.status.is_terminal and not chunk):
            return
        time.sleep(min(1.0, config.poll_interval()))
        record = exp.job_record(entity)
