"""``hpcsim demo``: run a shipped example on this machine (local launcher, bundled or system
redis-server)."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import click

__all__ = ["demo"]


@click.group()
def demo() -> None:
    """Run a shipped example end to end on this machine.

    \b
    Example:
      hpcsim demo online-training --framework keras
    """


@demo.command("online-training")
@click.option("--framework", type=click.Choice(["keras", "torch"]), default="torch", show_default=True)
@click.option("--port", type=int, default=6780, show_default=True, help="Database port.")
@click.option("--epochs", type=int, default=100, show_default=True)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Where the experiment directory online-training/ is written.",
)
def online_training(framework: str, port: int, epochs: int, directory: Path) -> None:
    """The online-training seed: a producer uploads samples while a training service (Keras or
    PyTorch) trains on them. Needs torch (pip install hpcsim[ml]); --framework keras needs Keras 3
    with a backend (hpcsim[tf], or KERAS_BACKEND=torch).

    \b
    Example:
      hpcsim demo online-training --framework torch --dir /tmp/demo
    """
    driver = resources.files("hpcsim.examples") / "online_training" / "driver.py"
    directory.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(driver), "--framework", framework, "--port", str(port), "--epochs", str(epochs)]
    click.echo(f"running {driver} in {directory.resolve()}/online-training", err=True)
    sys.exit(subprocess.run(command, cwd=directory, check=False).returncode)
