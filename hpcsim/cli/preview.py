"""``hpcsim preview``: print what a driver (or a spec) would submit, running nothing."""

from __future__ import annotations

import os
from pathlib import Path

import click

from hpcsim.cli.options import DRIVER_ARGS, driver_or_spec

__all__ = ["preview"]


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("driver", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.argument("driver_args", **DRIVER_ARGS)
@click.option("--spec", type=click.Path(dir_okay=False, path_type=Path), help="A YAML experiment spec instead.")
def preview(driver: Path | None, driver_args: tuple[str, ...], spec: Path | None) -> None:
    """Run DRIVER.py without launching anything and print the exact scripts its start() calls
    would submit (generate() writes nothing; statuses read NEW).

    \b
    Examples:
      hpcsim preview driver.py -- --steps 10
      hpcsim preview --spec experiment.yaml
    """
    driver = driver_or_spec(driver, spec)
    os.environ["HPCSIM_DRY_RUN"] = "1"
    if spec is not None:
        from hpcsim.spec import load_spec, run_spec

        run_spec(load_spec(spec))
        return
    from hpcsim.driver import run_driver

    run_driver(driver, driver_args)
