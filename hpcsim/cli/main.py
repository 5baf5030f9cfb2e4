"""The ``hpcsim`` command: thin click commands over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hpcsim._version import __version__
from hpcsim.cli.demo import demo
from hpcsim.cli.site import site
from hpcsim.errors import HpcsimError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hpcsim")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """hpcsim: launch simulations, ensembles and databases on HPC systems and laptops."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("exp_path", type=click.Path(file_okay=False, path_type=Path), default=".")
def status(exp_path: Path) -> None:
    """Show every launch recorded in the experiment at EXP_PATH, with fresh statuses."""
    from hpcsim.experiment import Experiment

    click.echo(Experiment.load(exp_path).summary())


@cli.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("driver", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("driver_args", nargs=-1, type=click.UNPROCESSED)
def preview(driver: Path, driver_args: tuple[str, ...]) -> None:
    """Run DRIVER.py without launching anything and print the exact scripts its start()
    calls would submit (generate() writes nothing; statuses read NEW)."""
    import os
    import runpy

    os.environ["HPCSIM_DRY_RUN"] = "1"
    sys.argv = [str(driver), *driver_args]
    sys.path.insert(0, str(driver.resolve().parent))
    runpy.run_path(str(driver), run_name="__main__")


def main() -> None:
    """Entry point: user errors print one line and exit 2; --debug shows the traceback."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HpcsimError as exc:
        if debug:
            raise
        click.echo(f"hpcsim: error: {exc}", err=True)
        sys.exit(2)


cli.add_command(demo)
cli.add_command(site)
