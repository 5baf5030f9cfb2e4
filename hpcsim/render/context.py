"""Typed contexts handed to templates: everything a template prints is computed here first."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StepContext"]


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
