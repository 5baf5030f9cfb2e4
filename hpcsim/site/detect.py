"""Which site hpcsim runs on: the one asked for, else ``HPCSIM_SITE``, else the first known
site whose hostname patterns match this machine, else none.

An explicit choice always wins so a driver is reproducible wherever it runs; the variable
lets a user pin a site for a whole shell session; the hostname match makes the common case
(running on a login node of a shipped site) need no configuration at all.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path

from hpcsim.errors import SiteConfigError
from hpcsim.site.config import available_sites, load_site
from hpcsim.site.schema import SiteConfig

__all__ = ["detect_site", "select_site"]


def select_site(site: str | Path | None = None) -> SiteConfig | None:
    """The site to use: ``site`` (a name or a path) if given, else ``HPCSIM_SITE`` (a name or
    a path), else the site matching ``socket.getfqdn()`` or ``socket.gethostname()``, else
    ``None`` (no site: hpcsim's package defaults apply)."""
    if site is not None:
        return load_site(site)
    chosen = os.environ.get("HPCSIM_SITE", "").strip()
    if chosen:
        try:
            return load_site(chosen)
        except SiteConfigError as exc:
            raise SiteConfigError(f"HPCSIM_SITE={chosen!r}: {exc}") from None
    names = [socket.getfqdn(), socket.gethostname()]
    return _first_match([n for i, n in enumerate(names) if n and n not in names[:i]])


def detect_site(hostname: str) -> SiteConfig | None:
    """The first available site with a ``hostnames`` pattern matching ``hostname``, or
    ``None``. Sites on ``HPCSIM_SITE_PATH`` are tried before the shipped ones, so a user's
    file can claim a machine that a shipped file also matches."""
    return _first_match([hostname])


def _first_match(hostnames: Sequence[str]) -> SiteConfig | None:
    for path in available_sites().values():
        site = load_site(path)
        if any(site.matches_hostname(name) for name in hostnames):
            return site
    return None
