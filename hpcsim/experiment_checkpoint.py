"""Database checkpoint files: what ``Orchestrator.checkpoint_file`` names and
``Experiment.reconnect_orchestrator`` reads (SmartSim's ``smartsim_db.dat``).

hpcsim's checkpoint is the job store's record of the running database,
``<exp>/.hpcsim/store/databases/<db_identifier>.json`` (:mod:`hpcsim.control.store` writes it
when the database is up and removes it when the database is stopped): it names the
experiment that started the database, so its shards' jobs can be followed and stopped from
any experiment, in any process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote, unquote

from hpcsim.control.database import live
from hpcsim.control.session import Session
from hpcsim.control.store import DatabaseRecord, store_path
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError, DatabaseError, MissingFileError

__all__ = ["checkpoint_file", "database_entity", "locate_checkpoint", "running_database"]

_PARTS = (".hpcsim", "store", "databases")
#: what a SmartSim driver passes: ``<orchestrator path>/smartsim_db.dat``
_SMARTSIM_NAME = "smartsim_db.dat"


def checkpoint_file(exp_path: str | Path, identifier: str) -> Path:
    """The checkpoint file of database ``identifier`` started by the experiment at ``exp_path``
    (the store's record file; the same name :class:`~hpcsim.control.store.JobStore` uses)."""
    return store_path(exp_path) / _PARTS[-1] / f"{quote(identifier, safe='')}.json"


def _fields(path: Path) -> dict[str, object]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"database checkpoint {str(path)!r} cannot be read ({exc}); it is damaged") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("identifier"), str) or not raw.get("addresses"):
        raise ConfigError(f"database checkpoint {str(path)!r} is damaged: it names no database and addresses")
    return raw


def locate_checkpoint(checkpoint: str | os.PathLike[str]) -> tuple[Path, str]:
    """(directory of the experiment that started it, database identifier) of ``checkpoint``.

    A SmartSim-style ``<exp>/<db_identifier>/smartsim_db.dat`` (the directory
    ``create_database`` gives a database) is taken as that database's checkpoint file.
    MissingFileError (a FileNotFoundError) if there is no such file; ConfigError if the file is
    not an hpcsim database checkpoint.
    """
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(f"checkpoint must be a path, got {type(checkpoint).__name__}")
    path = Path(os.path.abspath(Path(checkpoint).expanduser()))
    if path.name == _SMARTSIM_NAME and not path.exists():
        path = checkpoint_file(path.parent.parent, path.parent.name)
    if not path.exists():
        raise MissingFileError(
            f"database checkpoint {str(path)!r} does not exist: the database was stopped, or never started "
            "(a running database's file is db.checkpoint_file)"
        )
    if not path.is_file() or path.suffix != ".json" or tuple(p.name for p in path.parents[:3])[::-1] != _PARTS:
        raise ConfigError(
            f"{str(path)!r} is not an hpcsim database checkpoint: those are the job store's records "
            "<exp>/.hpcsim/store/databases/<db_identifier>.json (what Orchestrator.checkpoint_file names)"
        )
    identifier = str(_fields(path)["identifier"])
    if unquote(path.stem) != identifier:
        raise ConfigError(f"database checkpoint {str(path)!r} is damaged: it names database {identifier!r}")
    return path.parents[3], identifier


def running_database(checkpoint: str | os.PathLike[str], own: Session) -> tuple[Session, DatabaseRecord]:
    """(the session following it, its record) of the running database ``checkpoint`` names:
    ``own`` if this experiment started it, else a session of the experiment that did (which
    never drives that experiment). DatabaseError if the database is no longer running."""
    exp_path, identifier = locate_checkpoint(checkpoint)
    if os.path.realpath(exp_path) == os.path.realpath(own.exp_path):
        owner = own
    else:
        meta, controller = Session.recorded(exp_path)
        owner = Session(meta["name"], exp_path, meta["launcher"], None, drives=False)
        owner.attach(controller)
    record = owner.running_databases().get(identifier)
    if record is None or not live(record).is_active(workers=False):
        where = f" at {', '.join(record.addresses)}" if record is not None else ""
        raise DatabaseError(
            f"database {identifier!r} of experiment {str(exp_path)!r}{where} is no longer running; start a new one"
        )
    return owner, record


def database_entity(record: DatabaseRecord, owner: Session, known: object = None) -> Orchestrator:
    """The live Orchestrator of a running database: ``known`` (the one this experiment made)
    if given, else one rebuilt from the record of ``owner``'s experiment, which started it."""
    if isinstance(known, Orchestrator):
        db = known
    else:
        shards = len(record.addresses)
        try:
            port = int(record.addresses[0].rsplit(":", 1)[1])
        except (IndexError, ValueError):
            port = 6379
        db = Orchestrator(
            owner.exp_path / record.identifier,
            port=port,
            db_nodes=1 if shards == 2 else shards,  # 2: a node-local database's per-node shards
            launcher=owner.launcher,
            db_identifier=record.identifier,
        )
    db.set_live(live(record))
    db.set_checkpoint_file(checkpoint_file(owner.exp_path, record.identifier))
    return db
