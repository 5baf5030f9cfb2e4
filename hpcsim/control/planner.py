"""Turning entities into launch units: the env contract, the paths, the rendered script.

``preview`` and ``start`` both call :func:`plan`, so what a preview prints is exactly what a
launch writes and runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from hpcsim.entities.model import Model
from hpcsim.errors import ConfigError
from hpcsim.render import StepContext, render_local_step

__all__ = ["LaunchUnit", "env_contract", "plan"]


@dataclasses.dataclass(frozen=True)
class LaunchUnit:
    """One script to submit, and where its pieces live."""

    name: str
    kind: str
    script: Path
    exit_code_file: Path
    out: Path
    err: Path
    text: str


def env_contract(model: Model, exp_path: Path) -> list[tuple[str, str]]:
    """Variables every launched application receives (hpcsim names, then SmartSim's)."""
    env = [("HPCSIM_EXP", str(exp_path)), ("HPCSIM_ENTITY", model.name)]
    if model.query_key_prefixing():
        env += [("HPCSIM_KEYOUT", model.name), ("SSKEYOUT", model.name)]
    if model.incoming_entities:
        keyin = ",".join(e.name for e in model.incoming_entities)
        env += [("HPCSIM_KEYIN", keyin), ("SSKEYIN", keyin)]
    return env


def _local_unit(model: Model, exp_path: Path) -> LaunchUnit:
    if model.batch_settings is not None:
        raise ConfigError(
            f"model {model.name!r} has batch settings, but the local launcher runs without a "
            "scheduler; drop batch_settings or use a scheduler launcher"
        )
    root = Path(model.path)
    hidden = root / ".hpcsim"
    unit = LaunchUnit(
        name=model.name,
        kind="model",
        script=hidden / f"{model.name}.sh",
        exit_code_file=hidden / f"{model.name}.ec",
        out=root / f"{model.name}.out",
        err=root / f"{model.name}.err",
        text="",
    )
    settings = model.run_settings
    env = [*settings.env_vars.items(), *env_contract(model, exp_path)]
    step = StepContext(
        name=model.name,
        kind=unit.kind,
        cwd=str(root),
        command=tuple(settings.command()),
        env=tuple(env),
        out=str(unit.out),
        err=str(unit.err),
        exit_code_file=str(unit.exit_code_file),
    )
    return dataclasses.replace(unit, text=render_local_step(step))


def plan(models: Sequence[Model], exp_path: Path, launcher: str) -> list[LaunchUnit]:
    """Launch units for ``models`` in order."""
    if launcher != "local":
        raise ConfigError(
            f"launcher {launcher!r} cannot launch yet in this version of hpcsim; only 'local' "
            "launches are implemented (use Experiment(..., launcher='local'))"
        )
    return [_local_unit(model, exp_path) for model in models]
