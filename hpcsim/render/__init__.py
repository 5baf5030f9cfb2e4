"""Rendering of launch scripts from Jinja templates."""

from hpcsim.render.context import StepContext
from hpcsim.render.environment import render, template_dirs
from hpcsim.render.scripts import render_local_step

__all__ = ["StepContext", "render", "render_local_step", "template_dirs"]
