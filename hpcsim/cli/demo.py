"""``hpcsim demo``: run a shipped example on this machine (local launcher, bundled or system
redis-server). What the example needs is checked before anything starts, and the result (the
training's final loss) is printed at the end."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

import click

from hpcsim.db.discovery import find_redis_server
from hpcsim.errors import DatabaseError

__all__ = ["demo"]

CPU_TORCH = "pip install torch --index-url https://download.pytorch.org/whl/cpu"


class _Unmet(click.ClickException):
    """What the demo needs is missing: a setup problem, exit 2 like a usage error (nothing started)."""

    exit_code = 2


def _missing(framework: str) -> list[str]:
    """What the online-training example needs for ``framework`` and this machine lacks."""
    missing = []
    if importlib.util.find_spec("torch") is None:  # the data loader of both trainers
        missing.append(
            "torch is not installed. Install its CPU build (about 200 MB; `pip install torch` "
            f"from PyPI brings several GB of CUDA libraries):\n  {CPU_TORCH}"
        )
    if framework == "keras":
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        if importlib.util.find_spec("keras") is None or importlib.util.find_spec(backend) is None:
            missing.append(
                f"--framework keras needs Keras 3 and its backend {backend!r} (KERAS_BACKEND): "
                "pip install keras tensorflow-cpu, or set KERAS_BACKEND=torch, or use --framework torch"
            )
    try:
        find_redis_server()
    except DatabaseError as exc:
        missing.append(str(exc))
    return missing


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _final_epoch(output: Path) -> dict[str, float] | None:
    """The last JSON epoch line the training service printed, if any."""
    try:
        lines = output.read_text().splitlines()
    except FileNotFoundError:
        return None
    epochs = [line for line in lines if line.startswith('{"epoch"')]
    return dict(json.loads(epochs[-1])) if epochs else None


@click.group()
def demo() -> None:
    """Run a shipped example end to end on this machine.

    \b
    Example:
      hpcsim demo online-training --framework keras
    """


@demo.command("online-training")
@click.option("--framework", type=click.Choice(["keras", "torch"]), default="torch", show_default=True)
@click.option("--port", type=click.IntRange(1024, 65535), default=6780, show_default=True, help="Database port.")
@click.option("--epochs", type=click.IntRange(1), default=100, show_default=True)
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
    PyTorch) trains on them, then prints the final loss. Needs torch, best its CPU build
    (pip install torch --index-url https://download.pytorch.org/whl/cpu); --framework keras
    also needs Keras 3 with a backend (tensorflow-cpu, or KERAS_BACKEND=torch). Both, and a
    free port and a redis-server, are checked before anything starts.

    \b
    Example:
      hpcsim demo online-training --framework torch --dir /tmp/demo
    """
    missing = _missing(framework)
    if _port_in_use(port):
        missing.append(f"port {port} on 127.0.0.1 is in use; pick another with --port")
    if missing:
        raise _Unmet("cannot run the demo:\n- " + "\n- ".join(missing))
    driver = resources.files("hpcsim.examples") / "online_training" / "driver.py"
    directory.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(driver), "--framework", framework, "--port", str(port), "--epochs", str(epochs)]
    click.echo(f"running {driver} in {directory.resolve()}/online-training", err=True)
    code = subprocess.run(command, cwd=directory, check=False).returncode
    last = _final_epoch(directory / "online-training" / "training_service" / "training_service.out")
    if code == 0 and last is not None:
        epochs_run, samples = int(last["epoch"]) + 1, int(last["samples"])
        click.echo(f"final loss {last['loss']:.4g} after {epochs_run} epochs on {samples} samples")
    sys.exit(code)
