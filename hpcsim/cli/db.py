"""``hpcsim db``: a database inside your own batch script (start, ping, cli, stop).

Thin over :mod:`hpcsim.standalone_db`. ``start`` prints only the variables to export on
stdout, so that ``eval "$(hpcsim db start)"`` works; everything else goes to stderr.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import click

from hpcsim.cli.options import colour

__all__ = ["db"]

_DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Database directory [default: $HPCSIM_DB_DIR, else ./hpcsim-db-<job id> in a job, else ./hpcsim-db].",
)


@click.group()
def db() -> None:
    """A database for your own batch scripts: start it, use it from your steps, stop it.

    \b
    Example (an sbatch script; see docs/db-in-batch-scripts.md):
      eval "$(hpcsim db start --interface ib0)"   # exports HPCSIM_DB, SSDB, ...
      srun python app.py                         # hpcsim.Client() finds it
      hpcsim db ping
      hpcsim db stop
    """


@db.command()
@click.option(
    "--shards", type=click.IntRange(min=1), default=1, show_default=True, help="1, or 3+ for a Redis Cluster."
)
@click.option("--port", type=click.IntRange(1, 65535), default=6780, show_default=True, help="Locally: the first.")
@click.option("--interface", "interfaces", multiple=True, help="Network interface to bind (repeatable).")
@click.option("--colocated", is_flag=True, help="One loopback shard on every node; ranks use their node's.")
@_DIR_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["sh", "json"]), default="sh", show_default=True, help="`export` line or JSON."
)
def start(
    shards: int, port: int, interfaces: tuple[str, ...], colocated: bool, directory: Path | None, fmt: str
) -> None:
    """Start a database and print the variables its applications need, shell-quoted.

    Inside a Slurm allocation the shards run as an `srun --overlap` step of your job (one per
    node, on the site's database interface unless --interface names one); elsewhere as
    processes on this machine (ports PORT, PORT+1, ...). The command returns once every shard
    answers and leaves the database running until `hpcsim db stop`. If it fails, it prints
    `false`, so that the `eval` fails as well (and `set -e` ends the script).

    \b
    Examples:
      eval "$(hpcsim db start)"                        # one shard
      eval "$(hpcsim db start --shards 3 --port 7000)" # a Redis Cluster
      eval "$(hpcsim db start --colocated)"            # HPCSIM_DB=127.0.0.1:6780 on every node
      hpcsim db start --format json --dir /scratch/db
    """
    from hpcsim.standalone_db import resolve_dir
    from hpcsim.standalone_db import start as start_db

    try:
        contract = start_db(resolve_dir(directory), shards, port, interfaces, colocated)
    except Exception:
        if fmt == "sh":
            click.echo("false")  # `eval "$(hpcsim db start)"` then fails too, and `set -e` stops the script
        raise
    if fmt == "json":
        click.echo(json.dumps(dict(contract), indent=2))
    else:
        click.echo("export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in contract))


@db.command()
@_DIR_OPTION
def stop(directory: Path | None) -> None:
    """Stop the database cleanly (SHUTDOWN on every shard) and wait until it has exited.

    \b
    Example:
      hpcsim db stop                  # the one in $HPCSIM_DB_DIR
      hpcsim db stop --dir /scratch/db
    """
    from hpcsim.standalone_db import resolve_dir
    from hpcsim.standalone_db import stop as stop_db

    path = resolve_dir(directory)
    stop_db(path)
    click.echo(f"database in {path} stopped", err=True)


@db.command()
@_DIR_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {address, host, ms, ok}.")
@click.pass_context
def ping(ctx: click.Context, directory: Path | None, as_json: bool) -> None:
    """PING every shard (with the password) and print its round trip.

    Exit status 0 when every shard answers, 1 otherwise. Without a database directory the
    variables HPCSIM_DB and HPCSIM_DB_PASSWORD_FILE say where to look.

    \b
    Examples:
      hpcsim db ping
      srun --ntasks-per-node=1 hpcsim db ping   # from every node (e.g. after --colocated)
    """
    from hpcsim.standalone_db import ping as ping_db
    from hpcsim.standalone_db import target

    reports = ping_db(target(directory))
    if as_json:  # one line, so that the answers of `srun hpcsim db ping --json` stay apart
        click.echo(json.dumps([{"address": r.address, "host": r.host, "ms": r.ms, "ok": r.ok} for r in reports]))
    else:
        for report in reports:
            where = f"{report.host} {report.address}" if report.host else report.address
            answer = f"{report.ms:.2f} ms" if report.ms is not None else "no answer"
            click.echo(f"{where}  {click.style(answer, fg='green' if report.ok else 'red')}", color=colour())
    failed = [r for r in reports if not r.ok]
    for report in failed:
        where = f"{report.address} on {report.host}" if report.host else report.address
        click.echo(f"hpcsim: {where} does not answer: {report.error}", err=True)
    ctx.exit(1 if failed else 0)


@db.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@_DIR_OPTION
@click.argument("redis_cli_args", nargs=-1, type=click.UNPROCESSED)
def cli(directory: Path | None, redis_cli_args: tuple[str, ...]) -> None:
    """Run redis-cli against the first shard, authenticated (REDISCLI_AUTH, not argv).

    It runs as the database's admin when it finds the database directory (--dir or
    $HPCSIM_DB_DIR), else as the application identity that HPCSIM_DB_PASSWORD_FILE holds, which
    may not run administrative commands (docs/security.md). Arguments after `--` go to
    redis-cli unchanged; without any it is interactive.

    \b
    Examples:
      hpcsim db cli                  # interactive
      hpcsim db cli -- PING
      hpcsim db cli -- --scan --pattern 'sim_0.*'
    """
    from hpcsim.standalone_db import redis_cli, target

    argv, env = redis_cli(target(directory), redis_cli_args)
    sys.stdout.flush()
    os.execve(argv[0], argv, env)
