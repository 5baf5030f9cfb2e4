"""``Experiment``: the SmartSim-style facade. It creates entities and hands them to the
launch session (:mod:`hpcsim.control.session`), where the logic lives."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.control.database import live
from hpcsim.control.selection import models_of, split_databases
from hpcsim.control.session import Session
from hpcsim.control.store import JobRecord
from hpcsim.control.summary import format_table
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError, LaunchError
from hpcsim.experiment_factory import EntityFactory
from hpcsim.log import get_logger
from hpcsim.status import Status

__all__ = ["Experiment"]

_log = get_logger("hpcsim")
EntityRef = Entity | str


class Experiment(EntityFactory):
    """A named directory of entities and their launches.

    ``launcher`` is one of local, slurm, pbs, lsf, sge or auto (the site's scheduler, else the
    one whose commands are on PATH, else local).
    """

    def __init__(
        self,
        name: str,
        exp_path: str | Path | None = None,
        launcher: str = "local",
        site: str | Path | None = None,
    ) -> None:
        super().__init__(name, exp_path, launcher, site)
        self._dry_run = config.dry_run()
        self._session = Session(self.name, self.exp_path, self._launcher, self.site)

    @classmethod
    def load(cls, exp_path: str | Path) -> Experiment:
        """Re-open an experiment written by another process, with its launch history."""
        path = Path(os.path.abspath(Path(exp_path).expanduser()))
        meta, controller = Session.recorded(path)
        exp = cls(meta["name"], path, launcher=meta["launcher"])
        exp._session.attach(controller)
        return exp

    @property
    def session(self) -> Session:
        """hpcsim's control of this experiment (its store, databases and launches), for
        tools built on hpcsim such as ``hpcsim db``; drivers need only the methods here."""
        return self._session

    @property
    def _launched(self) -> dict[str, JobRecord]:
        """The latest launch of each name this experiment knows."""
        return self._session.launched

    # -- generation -------------------------------------------------------------------------

    def generate(self, *entities: Entity, tag: str | None = None, overwrite: bool = False) -> None:
        """Create entity directories with their copied, symlinked and configured files
        (a database gets its directory, where its logs and checkpoints go)."""
        dbs, apps = split_databases(entities)
        models = [e for e in apps if isinstance(e, Model)]
        ensembles = [e for e in apps if isinstance(e, Ensemble)]
        others = [e for e in apps if not isinstance(e, (Model, Ensemble))]
        if others:
            raise TypeError(f"generate takes models, ensembles and databases, got {others[0]!r}")
        if self._dry_run:
            _log.info("dry run: not generating %d entities", len(entities))
            return
        self._session.generate(dbs, models, ensembles, tag=";" if tag is None else tag, overwrite=overwrite)

    # -- launching --------------------------------------------------------------------------

    def _apps(self, entities: Sequence[Entity]) -> tuple[list[Orchestrator], list[Model | Ensemble]]:
        dbs, apps = split_databases(entities)
        models_of(apps)  # refuses anything that is not a model or an ensemble
        return dbs, [e for e in apps if isinstance(e, (Model, Ensemble))]

    def scripts(self, *entities: Entity) -> list[tuple[Path, str]]:
        """(path, text) of every script ``start`` would write for ``entities``, writing nothing.
        Databases not yet running appear in the applications' environment at their planned
        addresses."""
        return self._session.scripts(*self._apps(entities))

    def preview(self, *entities: Entity) -> str:
        """Print (and return) the exact scripts ``start`` would write and submit, each under
        a ``# ==> path <==`` header."""
        text = "\n".join(f"# ==> {path} <==\n{body}" for path, body in self.scripts(*entities))
        print(text, end="")
        return text

    def start(
        self,
        *entities: Entity,
        block: bool = True,
        summary: bool = False,
        kill_on_interrupt: bool = True,
    ) -> None:
        """Launch ``entities``: databases first (returning once every shard answers), then
        the applications, which receive every running database's address. With ``block``,
        return when the last application has ended (databases keep running until stopped).

        Ctrl-C while blocking stops what this call launched unless ``kill_on_interrupt`` is
        False, in which case the jobs keep running and can be followed with ``hpcsim status``.
        """
        dbs, apps = self._apps(entities)
        if self._dry_run:
            self.preview(*entities)
            return
        self._session.start(dbs, apps, block, kill_on_interrupt)
        if block and summary:
            _log.info("summary:\n%s", self.summary())

    def _names(self, ref: EntityRef) -> list[str]:
        if isinstance(ref, Orchestrator):
            return ref.job_names()
        if isinstance(ref, str):
            record = self._session.running_databases().get(ref)
            return list(record.jobs) if record is not None and ref not in self._session.launched else [ref]
        return [m.name for m in models_of([ref])]

    def _records(self, refs: Iterable[EntityRef]) -> list[JobRecord]:
        return self._session.records([name for ref in refs for name in self._names(ref)])

    def get_status(self, *entities: EntityRef) -> list[Status]:
        """One status per model (ensembles give one per member, local databases one per
        shard), freshly asked. In a dry run nothing was submitted, so everything is NEW."""
        if self._dry_run:
            return [Status.NEW for ref in entities for _ in self._names(ref)]
        return [r.status for r in self._records(entities)]

    def job_record(self, entity: Model | str) -> JobRecord:
        """The latest launch of one model, freshly asked: native job id, script, output
        files, status and exit code."""
        records = self._records([entity])
        if len(records) != 1:
            names = ", ".join(r.name for r in records)
            raise LaunchError(f"{entity!r} runs as {len(records)} jobs; name one of them: {names}")
        return records[0]

    def finished(self, entity: EntityRef) -> bool:
        if self._dry_run:
            return True  # nothing runs in a dry run, so there is nothing to wait for
        return all(r.status.is_terminal for r in self._records([entity]))

    def stop(self, *entities: EntityRef) -> None:
        """Stop ``entities``: databases (given as entities, identifiers or shard job names)
        shut down cleanly, saving first if checkpoints are on; the jobs of everything else
        are cancelled."""
        if self._dry_run:
            return
        config.check_knobs()  # a bad HPCSIM_STOP_GRACE set after the experiment was made fails here, not after SIGTERM
        running = self._session.running_databases()
        by_job = {job: record for record in running.values() for job in record.jobs}
        databases = {}
        others: list[EntityRef] = []
        for ref in entities:
            name = ref.name if isinstance(ref, Orchestrator) else ref if isinstance(ref, str) else ""
            record = running.get(name) or by_job.get(name)
            if record is None:
                if not isinstance(ref, Orchestrator):  # a database that is not running has nothing to stop
                    others.append(ref)
                continue
            databases[record.identifier] = record
            if isinstance(ref, Orchestrator):
                ref.set_live(None)
        self._session.stop_databases(databases.values())
        self._session.cancel([name for ref in others for name in self._names(ref)])

    def get_database(self, db_identifier: str = "orchestrator") -> Orchestrator:
        """The running database ``db_identifier`` (also from :meth:`load`), ready for
        ``get_address``, ``set_max_memory``, ``is_active``..."""
        record = self._session.running_databases().get(db_identifier)
        if record is None:
            raise LaunchError(f"no database {db_identifier!r} is running in experiment {self.name!r}")
        known = self._entities.get(db_identifier)
        db = (
            known
            if isinstance(known, Orchestrator)
            else Orchestrator(
                self.exp_path / db_identifier,
                db_nodes=len(record.addresses),
                launcher=self._launcher,
                db_identifier=db_identifier,
            )
        )
        db.set_live(live(record))
        return db

    def poll(self, interval: float = 10, verbose: bool = True, kill_on_interrupt: bool = True) -> None:
        """Block until every job this experiment launched has ended (SmartSim's poll);
        databases run until stopped, so they are not waited for."""
        if self._dry_run:
            return
        self._session.poll(interval if verbose else None, kill_on_interrupt)

    def summary_data(self) -> list[dict[str, Any]]:
        """Every launch as a dict: name, type, job_id, run, time, status, exit_code, reason."""
        if self._dry_run:
            return []
        return self._session.summary_rows()

    def summary(self, style: str = "github") -> str:
        """The launches as a readable table (same data as :meth:`summary_data`)."""
        if style != "github":
            raise ConfigError(f"summary style {style!r} is not supported; use 'github'")
        return format_table(self.summary_data())

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, exp_path={str(self.exp_path)!r}, launcher={self._launcher!r})"
