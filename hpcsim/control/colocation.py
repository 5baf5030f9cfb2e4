"""Colocated databases in a launch: the rendered per-node prologue, and the model's command
wrapped so that every rank runs through it."""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hpcsim.control.store import DatabaseRecord
from hpcsim.db.secret import app_secret_path
from hpcsim.entities.model import Model
from hpcsim.errors import ConfigError, InternalError
from hpcsim.ml.manifest import MANIFEST_NAME
from hpcsim.render import ColocatedContext, render_colocated
from hpcsim.settings.colocated import ColocatedDB
from hpcsim.settings.run import RunSettings
from hpcsim.site.schema import SiteConfig

__all__ = ["LAUNCH_TOKEN", "Colocation", "ml_manifest_path", "prologue", "prologue_path", "wrapped_settings"]

#: set by the step to a value unique to one launch, forwarded to every rank
LAUNCH_TOKEN = "HPCSIM_COLO_LAUNCH"


@dataclass(frozen=True)
class Colocation:
    """What every colocated server of a launch shares: the binary and the admin password file
    (the applications' credential file lies beside it)."""

    server: Path
    secret: Path | None


def _suffix(identifier: str, default: str) -> str:
    return "" if identifier in ("", default) else f"_{identifier}"


def _check_cpus(model: Model, db: ColocatedDB, launcher: str, site: SiteConfig | None) -> None:
    node_cpus = os.cpu_count() if launcher == "local" else (site.node.cpus if site and site.node else None)
    if not node_cpus:
        return  # unknown here; the shard checks against what its node allows
    where = "this machine has" if launcher == "local" else f"{site.name if site else 'the'} nodes have"
    if db.cpus > node_cpus:
        raise ConfigError(f"model {model.name!r}: db_cpus={db.cpus}, but {where} {node_cpus} CPU(s)")
    outside = [c for c in db.custom_pinning if c >= node_cpus]
    if outside:
        raise ConfigError(
            f"model {model.name!r}: custom_pinning names CPU(s) {outside}, but {where} CPUs 0-{node_cpus - 1}"
        )


def _shard_argv(model: Model, db: ColocatedDB, colocation: Colocation) -> list[str]:
    argv = [sys.executable, "-m", "hpcsim.db.shard", "--name", f"{model.name}-db", "--server", str(colocation.server)]
    if colocation.secret is not None:
        argv += ["--password-file", str(colocation.secret)]
        argv += ["--app-password-file", str(app_secret_path(colocation.secret))]
    if db.is_uds:
        argv += ["--port", "0", "--unixsocket", db.unix_socket, "--unixsocketperm", db.socket_permissions]
    else:
        argv += ["--port", str(db.port)]
        for name in db.ifnames:
            argv += ["--interface", name]
    argv += db.shard_pin_args()
    for key, value in db.options:
        argv += ["--set", f"{key}={value}"]
    if model.has_db_objects:
        argv += ["--load", str(ml_manifest_path(model))]
    return argv


def prologue_path(model: Model) -> Path:
    return Path(model.path) / ".hpcsim" / f"{model.name}.colo.sh"


def ml_manifest_path(model: Model) -> Path:
    """The manifest of ``model``'s ML models and scripts, which its colocated database's worker
    loads before the application starts; written at launch (:mod:`hpcsim.control.dbobjects`)."""
    return Path(model.path) / ".hpcsim" / "ml" / MANIFEST_NAME


def prologue(
    model: Model,
    launcher: str,
    site: SiteConfig | None,
    colocation: Colocation | None,
    databases: Sequence[DatabaseRecord],
    default_db: str,
) -> tuple[Path, str]:
    """The path and text of ``model``'s per-node prologue."""
    db = model.run_settings.colocated_db_settings
    if db is None or colocation is None:
        raise InternalError(f"prologue for {model.name!r} without a colocated database or server")
    suffix = _suffix(db.db_identifier, "")
    clash = [d.identifier for d in databases if _suffix(d.identifier, default_db) == suffix]
    if clash:
        raise ConfigError(
            f"model {model.name!r}: its colocated database and the database {clash[0]!r} would both be "
            f"HPCSIM_DB{suffix}; give the colocated one another db_identifier"
        )
    _check_cpus(model, db, launcher, site)
    env = [(f"HPCSIM_DB_TYPE{suffix}", "standalone"), (f"SR_DB_TYPE{suffix}", "Standalone")]
    if colocation.secret is not None:
        env.append((f"HPCSIM_DB_PASSWORD_FILE{suffix}", str(app_secret_path(colocation.secret))))
    context = ColocatedContext(
        name=model.name,
        shard=tuple(_shard_argv(model, db, colocation)),
        log_prefix=str(Path(model.path) / f"{model.name}.db.") if db.debug else "",
        env=tuple(env),
        address_names=(f"HPCSIM_DB{suffix}", f"SSDB{suffix}"),
    )
    return prologue_path(model), render_colocated(context, site.template_dir if site else None)


def wrapped_settings(settings: RunSettings, prologue_path: Path) -> RunSettings:
    """``settings`` launching ``bash <prologue> exe args`` instead of ``exe args``."""
    wrapped = copy.copy(settings)
    wrapped.exe = "bash"
    wrapped.exe_args = [str(prologue_path), settings.exe, *settings.exe_args]
    return wrapped
