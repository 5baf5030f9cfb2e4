"""One function per kind of script, so callers never name template files."""

from __future__ import annotations

from pathlib import Path

from hpcsim.errors import TemplateError
from hpcsim.render.context import BatchContext, ColocatedContext, StepContext
from hpcsim.render.environment import render
from hpcsim.schedulers.kinds import BATCH_NAMES

__all__ = ["BATCH_SCHEDULERS", "render_batch", "render_colocated", "render_local_step"]

BATCH_SCHEDULERS = BATCH_NAMES


def render_local_step(step: StepContext, site_dir: str | Path | None = None) -> str:
    """A bash script that runs one entity on this machine and records its exit code."""
    return render("step/local.sh.j2", site_dir, step=step)


def render_batch(scheduler: str, job: BatchContext, site_dir: str | Path | None = None) -> str:
    """A whole batch script for ``scheduler``: directives, preamble, modules, steps."""
    if scheduler not in BATCH_SCHEDULERS:
        raise TemplateError(f"no batch template for scheduler {scheduler!r}; known: {', '.join(BATCH_SCHEDULERS)}")
    return render(f"batch/{scheduler}.sh.j2", site_dir, job=job)


def render_colocated(colo: ColocatedContext, site_dir: str | Path | None = None) -> str:
    """The per-node prologue every rank of a colocated model runs before its executable."""
    return render("colocated/prologue.sh.j2", site_dir, colo=colo)
