"""Finding and loading site configurations: ``site_configs/<site>.yaml`` validated into a
frozen :class:`SiteConfig` (the schema lives in :mod:`hpcsim.site.schema`).

Sites are found on ``HPCSIM_SITE_PATH`` first, then among the configs shipped with hpcsim,
so a user's file of the same name replaces a shipped one; a path to a YAML file works too.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from hpcsim._resources import shipped_dir
from hpcsim.config import search_path
from hpcsim.errors import SiteConfigError
from hpcsim.site.schema import SCHEDULERS, SiteConfig, validate_site

__all__ = ["SCHEDULERS", "SiteConfig", "available_sites", "load_site", "site_dirs"]


def site_dirs() -> list[Path]:
    """Directories searched for ``<site>.yaml``, first match winning: ``HPCSIM_SITE_PATH``
    entries, then the shipped ``site_configs``."""
    return [*search_path("HPCSIM_SITE_PATH"), shipped_dir("site_configs")]


def available_sites() -> dict[str, Path]:
    """Site name (the file's stem) -> file, in search-path order (names sorted within a
    directory); a name found in an earlier directory hides the same name later."""
    found: dict[str, Path] = {}
    for directory in site_dirs():
        for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
            found.setdefault(path.stem, path)
    return found


def _site_file(site: str | Path) -> Path:
    text = str(site)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise SiteConfigError(f"site config file {text!r} does not exist")
        return path
    sites = available_sites()
    if text not in sites:
        close = difflib.get_close_matches(text, list(sites), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SiteConfigError(
            f"unknown site {text!r}{hint}; known sites: {', '.join(sorted(sites))}. "
            "Add a YAML file to a directory on HPCSIM_SITE_PATH or pass a path."
        )
    return sites[text]


def load_site(site: str | Path) -> SiteConfig:
    """Load a site by name (search path, then shipped) or by path to a YAML file."""
    path = _site_file(site)
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise SiteConfigError(f"cannot read site config {str(path)!r}: {exc}") from exc
    return validate_site(data, str(path))
