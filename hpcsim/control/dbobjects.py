"""Putting the ML models and scripts of the models being launched into their databases, after
the databases are up and before the applications start.

A model with a colocated database gets a manifest in its directory, which that database's worker
loads on every node before the application runs (``--load`` in the prologue). The others share
the running databases: their objects are written to one manifest for the launch and loaded by
the driver into every running database (as SmartSim does), each distinct object once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hpcsim.control.colocation import ml_manifest_path
from hpcsim.control.database import live
from hpcsim.control.store import DatabaseRecord
from hpcsim.entities.dbobjects import DBModel, DBObject, DBScript
from hpcsim.entities.model import Model
from hpcsim.errors import ClientError, LaunchError
from hpcsim.ml.manifest import load_objects, read_manifest, write_manifest

if TYPE_CHECKING:
    from hpcsim.client import Client

__all__ = ["check_database_for", "load_db_objects", "shared_manifest_dir", "write_colocated_manifests"]

_log = logging.getLogger("hpcsim.control")


def shared_manifest_dir(exp_path: Path) -> Path:
    """Where the objects loaded into the experiment's running databases are written."""
    return Path(exp_path) / ".hpcsim" / "ml"


def write_colocated_manifests(models: Sequence[Model]) -> list[Path]:
    """Write the manifest of every colocated model with ML objects (its prologue names it)."""
    written = []
    for model in models:
        if model.colocated and model.has_db_objects:
            written.append(write_manifest(model.db_models, model.db_scripts, ml_manifest_path(model).parent))
    return written


def _distinct(models: Sequence[Model]) -> tuple[list[DBModel], list[DBScript]]:
    """The objects of ``models``, each once; two different objects under one name would
    replace each other in a shared database, so they are refused."""
    seen: dict[str, tuple[DBObject, str]] = {}
    for model in models:
        for obj in (*model.db_models, *model.db_scripts):
            held = seen.setdefault(obj.name, (obj, model.name))
            if held[0] != obj:
                raise LaunchError(
                    f"models {held[1]!r} and {model.name!r} both add an ML model or script named {obj.name!r}, "
                    "but different ones; they share the database, where one would replace the other: "
                    "give them different names"
                )
    objects = [obj for obj, _ in seen.values()]
    return [o for o in objects if isinstance(o, DBModel)], [o for o in objects if isinstance(o, DBScript)]


def _client(record: DatabaseRecord) -> Client:
    """A client with the applications' identity: setting models and scripts needs no more."""
    from hpcsim.client import Client  # numpy and redis: only where a database gets objects

    database = live(record)
    credential = database.app_credential()
    try:
        return Client(
            database.cluster,
            address=",".join(database.addresses),
            password=credential.password if credential else None,
            username=credential.username if credential else None,
        )
    except ClientError as exc:
        raise LaunchError(
            f"cannot reach database {record.identifier!r} at {', '.join(record.addresses)} to load ML models "
            f"and scripts: {exc}"
        ) from exc


def _describe(models: Sequence[DBModel], scripts: Sequence[DBScript]) -> str:
    parts = []
    if models:
        parts.append(f"ML model(s) {', '.join(m.name for m in models)}")
    if scripts:
        parts.append(f"script(s) {', '.join(s.name for s in scripts)}")
    return " and ".join(parts)


def _load_into(record: DatabaseRecord, manifest: Path) -> None:
    started = time.monotonic()
    models, scripts = read_manifest(manifest)
    client = _client(record)
    try:
        load_objects(client, models, scripts)
    except ClientError as exc:
        raise LaunchError(
            f"cannot load the ML models and scripts of {manifest} into database {record.identifier!r}: {exc}"
        ) from exc
    finally:
        client.close()
    _log.info(
        "loaded %s into database %r in %.2f s",
        _describe(models, scripts),
        record.identifier,
        time.monotonic() - started,
    )


def _shared(models: Sequence[Model]) -> list[Model]:
    return [m for m in models if m.has_db_objects and not m.colocated]


def check_database_for(models: Sequence[Model], database_running: bool) -> None:
    """LaunchError unless the models with ML objects and no colocated database will find a
    running database to load them into; called before anything is launched."""
    wanted = _shared(models)
    if wanted and not database_running:
        raise LaunchError(
            f"model {wanted[0].name!r} has ML models or scripts (add_ml_model/add_script/add_function) but no "
            "database is running to load them into: start one first (db = exp.create_database(); "
            "exp.start(db)), pass it to the same exp.start call, or give the model its own with colocate_db_tcp"
        )
    _distinct(wanted)


def load_db_objects(models: Sequence[Model], databases: Mapping[str, DatabaseRecord], exp_path: Path) -> None:
    """Load the ML models and scripts of the models without a colocated database into every
    running database; LaunchError if there is none to load them into."""
    wanted = _shared(models)
    if not wanted:
        return
    check_database_for(models, bool(databases))
    db_models, db_scripts = _distinct(wanted)
    manifest = write_manifest(db_models, db_scripts, shared_manifest_dir(exp_path))
    for record in databases.values():
        _load_into(record, manifest)
