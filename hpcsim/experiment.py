"""``Experiment``: the SmartSim-style facade. It creates entities and hands them to the
launch session (:mod:`hpcsim.control.session`), where the logic lives."""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.control.database import live
from hpcsim.control.selection import models_of, split_databases
from hpcsim.control.session import Session
from hpcsim.control.store import DatabaseRecord, JobRecord
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError, ConfigTypeError, LaunchError
from hpcsim.experiment_checkpoint import checkpoint_file, database_entity, running_database
from hpcsim.experiment_factory import EntityFactory
from hpcsim.experiment_views import check_preview, overview, summary_table, write_preview
from hpcsim.status import Status

__all__ = ["Experiment"]

_log = logging.getLogger("hpcsim.experiment")
EntityRef = Entity | str


@dataclass(frozen=True)
class _Reconnected:
    """A database of another experiment that this one reconnected to: the session that
    follows its jobs, and their names."""

    session: Session
    jobs: tuple[str, ...]


class Experiment(EntityFactory):
    """A named directory of entities and their launches.

    ``launcher`` is one of local, slurm, pbs, lsf, sge or auto (the site's scheduler, else the
    one whose commands are on PATH, else local).

    Args:
        name: the experiment's name; its directory is ``./name`` unless ``exp_path`` is given.
        exp_path: the experiment's directory, created by ``generate`` or ``start``.
        launcher: ``local``, ``slurm``, ``pbs``, ``lsf``, ``sge`` or ``auto``.
        site: a site config's name or path (``docs/site-configs.md``); default ``HPCSIM_SITE``,
            then the site whose host names match this host.

    Raises:
        UnsupportedError: an unknown launcher (SmartSim's ``dragon``, ``cobalt``).
        ConfigError: a bad name, or a bad ``HPCSIM_*`` environment value.

    Example:
        ```python
        from hpcsim import Experiment

        exp = Experiment("sweep", launcher="local")
        model = exp.create_model("hello", exp.create_run_settings("echo", "hello"))
        exp.start(model, block=True)
        print(exp.summary())
        ```
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
        #: databases of other experiments reached with reconnect_orchestrator, by identifier
        self._reconnected: dict[str, _Reconnected] = {}

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

    def generate(
        self, *entities: Entity, tag: str | None = None, overwrite: bool = False, verbose: bool = False
    ) -> None:
        """Create entity directories with their copied, symlinked and configured files
        (a database gets its directory, where its logs and checkpoints go); ``verbose`` logs
        each model's parameters.

        Args:
            *entities: models, ensembles and databases of this experiment.
            tag: the character around tags in configured files (default ``;``: ``;name;``).
            overwrite: replace directories that exist; without it they are refused.
            verbose: log each model's parameters.

        Raises:
            GenerationError: a directory exists (without ``overwrite``), an attached file is
                gone, or a file cannot be configured; nothing is created then.
            TypeError: something other than a model, ensemble or database.
        """
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
        if verbose:
            for model in [*models, *(m for e in ensembles for m in e)]:
                params = ", ".join(f"{k}={v}" for k, v in model.params.items()) or "no parameters"
                _log.info("generated %s in %s (%s)", model.name, model.path, params)

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

    def preview(
        self,
        *entities: Entity,
        verbosity_level: str = "developer",
        output_format: str = "plain_text",
        output_filename: str | Path | None = None,
    ) -> str:
        """Show (and return) what ``start`` would launch, launching and writing nothing.

        ``verbosity_level`` is SmartSim's: ``info`` lists what was set on each entity,
        ``debug`` adds launch commands, environment and the databases the applications will
        reach, and ``developer`` (hpcsim's default) is the exact scripts ``start`` would write
        and submit, each under a ``# ==> path <==`` header. ``output_format`` is
        ``plain_text``; with ``output_filename`` the preview goes to that file (or, if it
        exists, to ``<stem>_01.txt``...) instead of standard output.
        """
        level = check_preview(verbosity_level, output_format)
        dbs, apps = self._apps(entities)
        if level == "developer":
            text = "\n".join(f"# ==> {path} <==\n{body}" for path, body in self._session.scripts(dbs, apps))
        else:
            running = self._session.running_databases()
            starting = [self._session.databases.planned(db) for db in dbs if db.name not in running]
            text = overview(self, dbs, apps, level, [*running.values(), *starting], running)
        if output_filename is not None:
            write_preview(text, output_filename)
        else:
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
        return when every application this experiment launched has ended (as SmartSim's
        ``start``; databases keep running until stopped).

        Ctrl-C while blocking stops what this call launched and what it waits for, unless
        ``kill_on_interrupt`` is False, in which case the jobs keep running and can be
        followed with ``hpcsim status``.

        Args:
            *entities: models, ensembles and databases of this experiment.
            block: wait until every application this experiment launched has ended.
            summary: with ``block``, log :meth:`summary` at the end.
            kill_on_interrupt: on Ctrl-C while blocking, stop the jobs (else leave them running).

        Raises:
            LaunchError: an entity is still running, or a database of that identifier is.
            DatabaseError: a database did not come up (the message names its error file).
            SubmitError: the scheduler refused a job; what was submitted before stays recorded.

        Example:
            ```python
            exp = Experiment("coupled", launcher="local")
            db = exp.create_database(port=6780)
            sim = exp.create_model("sim", exp.create_run_settings("python", "sim.py"))
            exp.start(db, sim, block=True)  # the database first; sim gets its address
            exp.stop(db)
            ```
        """
        dbs, apps = self._apps(entities)
        if self._dry_run:
            self.preview(*entities)
            return
        for db in dbs:
            owner = self._session.adopted.get(db.name)
            if owner is not None and db.name in owner.running_databases():
                raise LaunchError(
                    f"database {db.name!r} is already running (reconnected from experiment {str(owner.exp_path)!r}); "
                    "stop it first or use another db_identifier"
                )
            self._session.adopted.pop(db.name, None)  # another experiment's, stopped since: this one is ours
            self._reconnected.pop(db.name, None)
            db.set_checkpoint_file(checkpoint_file(self.exp_path, db.name))
        self._session.start(dbs, apps, block, kill_on_interrupt)
        if block and summary:
            _log.info("summary:\n%s", self.summary())

    # -- following --------------------------------------------------------------------------

    def _names(self, ref: EntityRef) -> list[str]:
        name = ref.name if isinstance(ref, Orchestrator) else ref if isinstance(ref, str) else None
        if name is not None and name in self._reconnected:
            return list(self._reconnected[name].jobs)
        if isinstance(ref, Orchestrator):
            return ref.job_names()
        if isinstance(ref, str):
            record = self._session.running_databases().get(ref)
            return list(record.jobs) if record is not None and ref not in self._session.launched else [ref]
        return [m.name for m in models_of([ref])]

    def _session_of(self, name: str) -> Session:
        """The session following job ``name``: this experiment's, or that of the experiment
        whose database this one reconnected to."""
        return next((r.session for r in self._reconnected.values() if name in r.jobs), self._session)

    def _known(self, ref: EntityRef) -> bool:
        """Whether any job of ``ref`` was launched."""
        return any(name in self._session_of(name).launched for name in self._names(ref))

    def _lookup(self, refs: Iterable[EntityRef]) -> list[tuple[str, JobRecord | None]]:
        """(job name, its latest launch freshly asked, or None if it was never launched) for
        every job of ``refs``."""
        names = [name for ref in refs for name in self._names(ref)]
        found: dict[str, JobRecord] = {}
        for session in {id(s): s for s in map(self._session_of, names)}.values():
            known = [n for n in names if n in session.launched and self._session_of(n) is session]
            found.update((r.name, r) for r in session.records(known))
        return [(name, found.get(name)) for name in names]

    def _records(self, refs: Iterable[EntityRef]) -> list[JobRecord]:
        """The latest launches of ``refs``; LaunchError (a ValueError) for one never launched."""
        looked = self._lookup(refs)
        never = [name for name, record in looked if record is None]
        if never:
            raise LaunchError(
                f"{never[0]!r} was never started in experiment {self.name!r}; start it with exp.start(...)"
            )
        return [record for _, record in looked if record is not None]

    def get_status(self, *entities: EntityRef) -> list[Status]:
        """One status per model (ensembles give one per member, local databases one per
        shard), freshly asked; ``NEVER_STARTED`` for one this experiment never launched. In
        a dry run nothing was submitted, so everything is NEW.

        Args:
            *entities: entities, or the names of entities and jobs.

        Returns:
            The statuses, in the order of ``entities`` and their members.

        Raises:
            LaunchError: a name that is no entity or job of this experiment.
        """
        if self._dry_run:
            return [Status.NEW for ref in entities for _ in self._names(ref)]
        for ref in entities:
            if isinstance(ref, str) and ref not in self._entities and not self._known(ref):
                raise LaunchError(f"experiment {self.name!r} has no entity or job named {ref!r}")
        return [Status.NEVER_STARTED if record is None else record.status for _, record in self._lookup(entities)]

    def job_record(self, entity: Model | str) -> JobRecord:
        """The latest launch of one model, freshly asked: native job id, script, output
        files, status and exit code."""
        records = self._records([entity])
        if len(records) != 1:
            names = ", ".join(r.name for r in records)
            raise LaunchError(f"{entity!r} runs as {len(records)} jobs; name one of them: {names}")
        return records[0]

    def finished(self, entity: EntityRef) -> bool:
        """Whether every job of ``entity`` has ended; LaunchError (a ValueError, as SmartSim
        raises) if it was never launched."""
        if isinstance(entity, Orchestrator):
            raise ConfigTypeError(
                f"finished() does not take databases: {entity.name!r} runs until it is stopped; "
                "use get_status or is_active"
            )
        if self._dry_run:
            return True  # nothing runs in a dry run, so there is nothing to wait for
        return all(r.status.is_terminal for r in self._records([entity]))

    def stop(self, *entities: EntityRef) -> None:
        """Stop ``entities``: databases (given as entities, identifiers or shard job names)
        shut down cleanly, saving first if checkpoints are on; the jobs of everything else
        are cancelled.

        Args:
            *entities: entities, or the names of entities, jobs and database identifiers.

        Raises:
            LaunchError: an application entity that was never started.
            ConfigError: ``HPCSIM_STOP_GRACE`` holds a bad value.
        """
        if self._dry_run:
            return
        config.check_knobs()  # a bad HPCSIM_STOP_GRACE set after the experiment was made fails here, not after SIGTERM
        running = self._session.running_databases()
        by_job = {job: record for record in running.values() for job in record.jobs}
        databases: dict[str, DatabaseRecord] = {}
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
        for identifier, record in databases.items():
            reconnected = self._reconnected.get(identifier)  # kept: get_status still follows its jobs
            self._session.adopted.pop(identifier, None)
            (reconnected.session if reconnected else self._session).stop_databases([record])
        self._session.cancel([name for ref in others for name in self._names(ref)])

    # -- databases --------------------------------------------------------------------------

    def get_database(self, db_identifier: str = "orchestrator") -> Orchestrator:
        """The running database ``db_identifier`` (also from :meth:`load`), ready for
        ``get_address``, ``set_max_memory``, ``is_active``..."""
        record = self._session.running_databases().get(db_identifier)
        if record is None:
            raise LaunchError(f"no database {db_identifier!r} is running in experiment {self.name!r}")
        if db_identifier in self._reconnected:
            return database_entity(record, self._reconnected[db_identifier].session)
        return database_entity(record, self._session, self._entities.get(db_identifier))

    def reconnect_orchestrator(self, checkpoint: str | os.PathLike[str]) -> Orchestrator:
        """The running database that ``checkpoint`` (its ``Orchestrator.checkpoint_file``)
        names, started by this experiment or another one, in this process or another.

        It is live: ``get_address`` gives where a :class:`~hpcsim.Client` connects, and this
        experiment's ``get_status``, ``stop`` and ``start`` (whose applications are told of it)
        handle it as one of its own. A file that is not a database checkpoint is refused
        (MissingFileError, a FileNotFoundError, if it does not exist; ConfigError otherwise),
        and so is a database that is no longer running (DatabaseError).
        """
        owner, record = running_database(checkpoint, self._session)
        identifier = record.identifier
        if owner is self._session:
            self._session.launched.update(self._session.control().store.latest(record.jobs))
            return database_entity(record, owner, self._entities.get(identifier))
        mine = self._session.running_databases().get(identifier)
        if mine is not None and identifier not in self._session.adopted and live(mine).is_active(workers=False):
            raise LaunchError(
                f"experiment {self.name!r} already runs a database {identifier!r}; its applications could not "
                "tell the two apart: stop one of them first"
            )
        self._session.adopted[identifier] = owner
        self._reconnected[identifier] = _Reconnected(owner, record.jobs)
        _log.info("reconnected to database %r at %s", identifier, ", ".join(record.addresses))
        return database_entity(record, owner)

    # -- waiting and summaries --------------------------------------------------------------

    def poll(self, interval: float = 10, verbose: bool = True, kill_on_interrupt: bool = True) -> None:
        """Block until every job this experiment launched has ended (SmartSim's poll),
        logging progress every ``interval`` seconds when ``verbose``; databases run until
        stopped, so they are not waited for.

        SmartSim's first parameter is the interval: given an entity there instead
        (``exp.poll(model)``), hpcsim waits for that entity's jobs, and says so.
        """
        if isinstance(interval, Entity) or (
            isinstance(interval, str) and (interval in self._entities or self._known(interval))
        ):
            self._poll_entity(interval, kill_on_interrupt)
            return
        if isinstance(interval, bool) or not isinstance(interval, numbers.Real):
            raise ConfigTypeError(f"poll interval must be a number of seconds, got {interval!r}")
        if not interval > 0:
            raise ConfigError(f"poll interval must be a positive number of seconds, got {interval!r}")
        if self._dry_run:
            return
        self._session.poll(float(interval) if verbose else None, kill_on_interrupt)

    def _poll_entity(self, entity: EntityRef, kill_on_interrupt: bool) -> None:
        if isinstance(entity, Orchestrator) or (isinstance(entity, str) and entity in self._reconnected):
            raise ConfigTypeError(
                "poll(interval=10, verbose=True, kill_on_interrupt=True) waits for applications; a database "
                "runs until it is stopped (exp.stop(db))"
            )
        if self._dry_run:
            return
        records = self._records([entity])
        _log.warning(
            "poll() takes an interval in seconds, not %r: waiting for that entity's jobs only",
            getattr(entity, "name", entity),
        )
        try:
            self._session.wait(records)
        except KeyboardInterrupt:
            self._session.interrupted(records, kill_on_interrupt)
            raise

    def summary_data(self) -> list[dict[str, Any]]:
        """Every launch as a dict: name, type, job_id, run, time, status, exit_code, reason."""
        if self._dry_run:
            return []
        return self._session.summary_rows()

    def summary(self, style: str = "github") -> str:
        """Every launch (same data as :meth:`summary_data`) as SmartSim's table: an index,
        then Name, Entity-Type, JobID, RunID, Time, Status, Returncode, and hpcsim's Reason.
        ``style`` is any of tabulate's (``github``, ``plain``, ``grid``, ``html`` for a
        notebook, ...; see :data:`hpcsim.experiment_tables.STYLES`).

        Args:
            style: the table format.

        Returns:
            The table, one row per launch, running ones included.

        Raises:
            ConfigError: an unknown style.
        """
        return summary_table(self.summary_data(), style)

    def _repr_html_(self) -> str:
        """What a notebook shows for the experiment: its summary as an HTML table."""
        return str(self.summary(style="html"))

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, exp_path={str(self.exp_path)!r}, launcher={self._launcher!r})"
