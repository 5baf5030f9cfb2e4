"""Rendering of launch scripts from Jinja templates."""

from hpcsim.render.context import BatchContext, ColocatedContext, StepContext
from hpcsim.render.environment import render, template_dirs
from hpcsim.render.scripts import BATCH_SCHEDULERS, render_batch, render_colocated, render_local_step

__all__ = [
    "BATCH_SCHEDULERS",
    "BatchContext",
    "ColocatedContext",
    "StepContext",
    "render",
    "render_batch",
    "render_colocated",
    "render_local_step",
    "template_dirs",
]
