"""Where the shipped ``templates/`` and ``site_configs/`` are."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Literal

__all__ = ["shipped_dir"]


def shipped_dir(name: Literal["templates", "site_configs"]) -> Path:
    """The folder installed as package data (``hpcsim.<name>``), or, when hpcsim is imported
    from a source checkout that is not installed in place, the folder beside the package."""
    try:
        return Path(str(importlib.resources.files(f"hpcsim.{name}")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name
