"""``hpcsim submit``: run a driver script (or a YAML spec) as a batch job from a login node."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hpcsim.cli.jobs import EXPAND
from hpcsim.cli.options import DRIVER_ARGS, complete_site, driver_or_spec, echo_json
from hpcsim.schedulers.kinds import NAMES

__all__ = ["submit"]


@click.command()
@click.argument("driver", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("driver_args", **DRIVER_ARGS)
@click.option("--spec", type=click.Path(dir_okay=False, path_type=Path), help="Run a YAML experiment spec instead.")
@click.option(
    "--site", shell_complete=complete_site, help="Site config (name or file); default: HPCSIM_SITE, else detected."
)
@click.option(
    "--launcher",
    type=click.Choice(["auto", *NAMES]),
    help="Scheduler to submit to; default: the spec's, else the site's, else the one on PATH, else local.",
)
@click.option("--nodes", type=click.IntRange(1), help="Nodes for the job.")
@click.option("--time", "walltime", help="Walltime, HH:MM:SS.")
@click.option("--account", help="Account (project) to charge.")
@click.option("--partition", "--queue", "queue", help="Partition (Slurm) or queue (PBS, LSF, Grid Engine).")
@click.option("--gpus", type=click.IntRange(0), help="GPUs for the job.")
@click.option("--name", help="Job and experiment name; default: the driver's file name or the spec's name.")
@click.option(
    "--exp-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the job's script, output and status live; default: ./NAME (a spec: its experiment's path).",
)
@click.option("--dry-run", is_flag=True, help="Print the batch script that would be submitted; submit nothing.")
@click.option(
    "--wait",
    is_flag=True,
    help="Follow the job and what it launches until all end; exit 1 if any did not complete.",
)
@EXPAND
@click.option("--json", "as_json", is_flag=True, help="Print the job id and paths as JSON.")
def submit(
    driver: Path | None,
    driver_args: tuple[str, ...],
    spec: Path | None,
    site: str | None,
    launcher: str | None,
    nodes: int | None,
    walltime: str | None,
    account: str | None,
    queue: str | None,
    gpus: int | None,
    name: str | None,
    exp_dir: Path | None,
    dry_run: bool,
    wait: bool,
    expand: bool,
    as_json: bool,
) -> None:
    """Submit DRIVER.py as one batch job that runs it inside the allocation, where the
    entities it starts launch as job steps. Prints the job id and the experiment directory
    (follow it with `hpcsim status DIR --watch`). Arguments after `--` go to the driver.

    With --spec, run a declarative experiment (models, ensembles, a database; docs/spec.md)
    the same way; the spec's `job:` section sets the batch job, and flags override it.
    Without a scheduler the job runs on this machine in the background.

    \b
    Examples:
      hpcsim submit driver.py --nodes 2 --time 00:30:00 --account proj -- --steps 100
      hpcsim submit --spec experiment.yaml --partition debug
      hpcsim submit driver.py --dry-run
    """
    from hpcsim.spec import load_spec
    from hpcsim.submission import JobSpec, Submission, driver_command, merge_jobs, spec_command

    path = driver_or_spec(driver, spec)
    flags = JobSpec(nodes, walltime or "", account or "", queue or "", gpus)
    if spec is not None:
        described = load_spec(path)
        job = merge_jobs(described.job, flags)
        command = spec_command(path)
        name = name or described.name
        exp_dir = exp_dir or described.path
        launcher = launcher or described.launcher
        site = site or described.site
    else:
        job, command = flags, driver_command(path, driver_args, Path.cwd())
        name = name or path.stem
        exp_dir = exp_dir or Path.cwd() / name
    submission = Submission(name, command, exp_dir, launcher or "auto", site, job)
    if dry_run:
        click.echo(submission.script(), nl=False)
        return
    record = submission.submit()
    where = submission.exp.exp_path
    if not as_json:
        click.echo(f"submitted {name}: job {record.native_id} ({record.scheduler})")
        click.echo(f"experiment: {where}")
        click.echo(f"follow it:  hpcsim status {where} --watch", err=True)
    failed: list[str] = []
    if wait:
        from hpcsim import config
        from hpcsim.cli.jobs import failures, follow

        snapshot, _ = follow(where, config.poll_interval(), not as_json and sys.stdout.isatty(), expand)
        record = submission.exp.job_record(name)
        failed = failures(snapshot)
    if as_json:
        echo_json(
            {
                "name": name,
                "job_id": record.native_id,
                "scheduler": record.scheduler,
                "experiment": str(where),
                "script": record.script,
                "status": record.status.value,
                **({"failed": failed} if wait else {}),
            }
        )
    elif wait:
        click.echo(f"{name}: {record.status.value} (exit code {record.exit_code})")
        if failed:
            click.echo(f"did not complete: {', '.join(failed)}")
    if wait and (failed or record.status.value != "COMPLETED"):
        click.get_current_context().exit(1)
