"""One function per kind of script, so callers never name template files."""

from __future__ import annotations

from hpcsim.render.context import StepContext
from hpcsim.render.environment import render

__all__ = ["render_local_step"]


def render_local_step(step: StepContext) -> str:
    """A bash script that runs one entity on this machine and records its exit code."""
    return render("step/local.sh.j2", step=step)
