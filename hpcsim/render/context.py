"""Typed contexts handed to templates: everything a template prints is computed here first."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BatchContext", "StepContext"]


@dataclass(frozen=True)
class StepContext:
    """One launch of one entity as a shell step.

    ``env`` pairs with value ``None`` export the variable as the job finds it.
    """

    name: str
    kind: str
    cwd: str
    command: tuple[str, ...]
    env: tuple[tuple[str, str | None], ...]
    out: str
    err: str
    exit_code_file: str


@dataclass(frozen=True)
class BatchContext:
    """One batch script: directives computed in Python, then the steps it runs.

    With ``array_index`` set (``SLURM_ARRAY_TASK_ID``, ...), each array task runs the step
    whose position plus ``array_base`` equals the index; otherwise steps run concurrently,
    at most ``concurrency`` at once.
    """

    name: str
    directives: tuple[str, ...]
    out: str
    err: str
    preamble: tuple[str, ...]
    modules: tuple[str, ...]
    env: tuple[tuple[str, str | None], ...]
    steps: tuple[StepContext, ...]
    concurrency: int
    exit_code_file: str
    array_index: str = ""
    array_base: int = 0
