"""The one Jinja environment over ``templates/``; rendering returns text and does no I/O
beyond reading templates.

Directories on ``HPCSIM_TEMPLATE_PATH`` come before the shipped templates, so a user or a
site can override any template (or partial) by giving a file of the same relative name.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2

from hpcsim._resources import shipped_dir
from hpcsim.config import search_path
from hpcsim.errors import TemplateError

__all__ = ["render", "template_dirs"]


def template_dirs(site_dir: str | Path | None = None) -> list[Path]:
    """User directories (``HPCSIM_TEMPLATE_PATH``), then the site's, then the shipped ones."""
    site = [Path(site_dir)] if site_dir else []
    return [*search_path("HPCSIM_TEMPLATE_PATH"), *site, shipped_dir("templates")]


def _shquote(value: object) -> str:
    if value is None or (isinstance(value, (bool, Sequence)) and not isinstance(value, str)):
        raise TemplateError(f"shquote expects a string or number, got {value!r}")
    return shlex.quote(str(value))


def _shjoin(values: Sequence[object]) -> str:
    return " ".join(_shquote(v) for v in values)


@functools.lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["shquote"] = _shquote
    env.filters["shjoin"] = _shjoin
    return env


def render(template: str, site_dir: str | Path | None = None, **context: Any) -> str:
    """Render ``template`` (a path relative to the template directories) with ``context``."""
    dirs = tuple(template_dirs(site_dir))
    try:
        return _environment(dirs).get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name!r} not found in {', '.join(str(d) for d in dirs)}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.filename or template}:{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {template!r} uses an undefined value: {exc.message}") from None
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(f"template {template!r} failed to render: {type(exc).__name__}: {exc}") from exc
