"""Site configurations: ``site_configs/<site>.yaml`` validated into a frozen object.

Sites are found on ``HPCSIM_SITE_PATH`` first, then among the configs shipped with hpcsim;
a path to a YAML file works too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from hpcsim._resources import shipped_dir
from hpcsim.config import search_path
from hpcsim.errors import SiteConfigError

__all__ = ["SCHEDULERS", "SiteConfig", "available_sites", "load_site"]

SCHEDULERS = ("local", "slurm", "pbs", "lsf")


@dataclass(frozen=True)
class SiteConfig:
    """What hpcsim knows about one machine."""

    name: str
    scheduler: str
    description: str = ""
    source: str = ""


_KEYS = tuple(f.name for f in fields(SiteConfig) if f.name != "source")


def _site_dirs() -> list[Path]:
    return [*search_path("HPCSIM_SITE_PATH"), shipped_dir("site_configs")]


def available_sites() -> dict[str, Path]:
    """Site name -> file, earlier search-path entries winning."""
    found: dict[str, Path] = {}
    for directory in _site_dirs():
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            found.setdefault(path.stem, path)
    return found


def _validate(data: Any, source: str) -> SiteConfig:
    if not isinstance(data, dict):
        raise SiteConfigError(f"{source}: a site config must be a YAML mapping, got {type(data).__name__}")
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SiteConfigError(f"{source}: unknown key {key!r}{hint}; valid keys: {', '.join(_KEYS)}")
    for key in ("name", "scheduler"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise SiteConfigError(f"{source}: {key!r} is required and must be a non-empty string")
    if data["scheduler"] not in SCHEDULERS:
        raise SiteConfigError(f"{source}: scheduler {data['scheduler']!r} is not one of {', '.join(SCHEDULERS)}")
    if not isinstance(data.get("description", ""), str):
        raise SiteConfigError(f"{source}: 'description' must be a string")
    return SiteConfig(
        name=data["name"],
        scheduler=data["scheduler"],
        description=data.get("description", ""),
        source=source,
    )


def load_site(site: str | Path) -> SiteConfig:
    """Load a site by name (search path, then shipped) or by path to a YAML file."""
    text = str(site)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise SiteConfigError(f"site config file {text!r} does not exist")
    else:
        sites = available_sites()
        if text not in sites:
            close = difflib.get_close_matches(text, list(sites), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SiteConfigError(
                f"unknown site {text!r}{hint}; known sites: {', '.join(sorted(sites))}. "
                "Add a YAML file to a directory on HPCSIM_SITE_PATH or pass a path."
            )
        path = sites[text]
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SiteConfigError(f"cannot read site config {str(path)!r}: {exc}") from exc
    return _validate(data, str(path))
