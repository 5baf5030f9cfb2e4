"""``Experiment``: the SmartSim-style facade. It creates entities and hands them to the
control layer; the logic lives below."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.control.controller import Controller
from hpcsim.control.database import Databases, bring_up, launch_database, live, stop_database, worker_reasons
from hpcsim.control.dbobjects import check_database_for, load_db_objects, write_colocated_manifests
from hpcsim.control.family import register_child
from hpcsim.control.generator import generate as generate_dirs
from hpcsim.control.interrupt import defer_sigint
from hpcsim.control.owner import claim, withdraw
from hpcsim.control.planner import LaunchUnit, plan
from hpcsim.control.selection import models_of, split_databases
from hpcsim.control.store import DatabaseRecord, JobRecord, JobStore, has_store, store_path
from hpcsim.control.summary import format_table, summary_rows
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError, LaunchError
from hpcsim.experiment_factory import EntityFactory
from hpcsim.log import get_logger
from hpcsim.schedulers import Scheduler, get_scheduler, in_allocation
from hpcsim.status import Status

__all__ = ["Experiment"]

_log = get_logger("hpcsim")
EntityRef = Entity | str


class Experiment(EntityFactory):
    """A named directory of entities and their launches.

    ``launcher`` is one of local, slurm, pbs, lsf or auto (the site's scheduler, else the
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
        self._launched: dict[str, JobRecord] = {}
        self._controller: Controller | None = None
        self._dry_run = config.dry_run()
        #: whether start and generate make this process the experiment's one driver (hpcsim.control.owner)
        self._drives = True
        self._databases = Databases(self.exp_path, self._launcher, self.site, self._dry_run)

    @classmethod
    def load(cls, exp_path: str | Path) -> Experiment:
        """Re-open an experiment written by another process, with its launch history."""
        path = Path(os.path.abspath(Path(exp_path).expanduser()))
        store = JobStore(store_path(path), create=False)
        meta = store.meta()
        exp = cls(meta["name"], path, launcher=meta["launcher"])
        exp._controller = Controller(store, exp._make_scheduler)
        exp._launched = store.latest()
        return exp

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
        claimed = self._drives and claim(self.exp_path)  # one driver per experiment: refused while another drives it
        try:
            for db in dbs:
                Path(db.path).mkdir(parents=True, exist_ok=True)
            generate_dirs(self.exp_path, models, ensembles, tag=";" if tag is None else tag, overwrite=overwrite)
        except BaseException:
            if claimed:  # a failed generate creates nothing, the driver record included
                withdraw(self.exp_path)
            raise
        for entity in (*models, *ensembles):
            entity.mark_generated()

    # -- launching --------------------------------------------------------------------------

    def _make_scheduler(self, name: str) -> Scheduler:
        return get_scheduler(name, self.exp_path)

    def _control(self) -> Controller:
        if self._controller is None:
            store = JobStore(store_path(self.exp_path))
            store.set_meta(name=self.name, launcher=self._launcher)
            register_child(self.exp_path)
            self._controller = Controller(store, self._make_scheduler)
        return self._controller

    def _plan(
        self, entities: Iterable[Entity], databases: Sequence[DatabaseRecord] = (), create: bool = True
    ) -> list[LaunchUnit]:
        """Launch units of models and ensembles; ``create`` off (previews) writes nothing."""
        apps = [e for e in entities if isinstance(e, (Model, Ensemble))]
        return plan(
            apps,
            self.exp_path,
            self._launcher,
            self.site,
            in_allocation(self._launcher),
            databases,
            self._databases.colocation(models_of(apps), create),
        )

    def _running_databases(self) -> dict[str, DatabaseRecord]:
        if self._controller is None and not has_store(self.exp_path):
            return {}
        return self._control().store.databases()

    def scripts(self, *entities: Entity) -> list[tuple[Path, str]]:
        """(path, text) of every script ``start`` would write for ``entities``, writing nothing.
        Databases not yet running appear in the applications' environment at their planned
        addresses."""
        dbs, apps = split_databases(entities)
        models_of(apps)
        databases = {**self._running_databases(), **{db.name: self._databases.planned(db) for db in dbs}}
        units = [u for db in dbs for u in self._databases.plan(db, create=False)]
        units += self._plan(apps, list(databases.values()), create=False)
        return [(path, text) for unit in units for path, text in (*unit.files, (unit.script, unit.text))]

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
        dbs, apps = split_databases(entities)
        models = models_of(apps)
        if self._dry_run:
            self.preview(*entities)
            return
        claimed = self._drives and claim(self.exp_path)  # one driver per experiment: refused while another drives it
        try:
            db_units = [self._databases.plan(db) for db in dbs]
            self._plan(apps, [self._databases.planned(db) for db in dbs], create=False)  # fail before any launch
        except BaseException:
            if claimed:  # a start refused before launching leaves nothing, the driver record included
                withdraw(self.exp_path)
            raise
        for model in models:
            if model.work_dir is None and model.files != EntityFiles():
                _log.info(
                    "%r has attached files but was never passed to generate(), so they are not copied; it runs in %s",
                    model.name,
                    os.getcwd(),
                )
        control = self._control()
        self._check_not_running(control, models)
        self._databases.check_startable(control, dbs)
        check_database_for(models, bool(dbs or self._running_databases()))
        records: list[JobRecord] = []
        try:
            for db, units in zip(dbs, db_units, strict=True):
                launched = launch_database(control, db, units)
                records += launched
                self._launched.update((r.name, r) for r in launched)
                bring_up(control, db, launched, self._databases.server(), self._databases.secret(db.password))
            write_colocated_manifests(models)
            load_db_objects(models, self._running_databases(), self.exp_path)
            with defer_sigint() as deferred:
                app_records = control.launch(self._plan(apps, list(self._running_databases().values())))
                records += app_records
                self._launched.update((r.name, r) for r in app_records)
                _log.info("launched %d job(s) in %s", len(records), self.exp_path)
            if deferred.hit:
                raise KeyboardInterrupt
            if block:
                self._wait(app_records)
        except KeyboardInterrupt:
            self._interrupted(records, kill_on_interrupt)
            raise
        if block and summary:
            _log.info("summary:\n%s", self.summary())

    @staticmethod
    def _check_not_running(control: Controller, models: list[Model]) -> None:
        running = [
            r
            for r in control.refresh(list(control.store.latest(m.name for m in models).values()))
            if not r.status.is_terminal
        ]
        if running:
            raise LaunchError(
                f"{running[0].name!r} is still {running[0].status.value.lower()} (job {running[0].native_id}); "
                "stop it or wait for it before starting it again"
            )

    def _interrupted(self, records: list[JobRecord], kill_on_interrupt: bool) -> None:
        control = self._control()
        pending = [r for r in control.refresh(records) if not r.status.is_terminal]
        if kill_on_interrupt:
            _log.warning("interrupted: stopping %d unfinished job(s)", len(pending))
            done = control.cancel(pending, "interrupted (Ctrl-C)")
        else:
            ids = ", ".join(f"{r.name}={r.native_id}" for r in pending)
            _log.warning("interrupted: leaving %d job(s) running: %s", len(pending), ids)
            done = pending
        self._launched.update((r.name, r) for r in done)

    def _wait(self, records: list[JobRecord], progress_every: float | None = None) -> None:
        done = self._control().wait(records, progress_every)
        self._launched.update((r.name, r) for r in done)
        for record in done:
            if record.status is not Status.COMPLETED:
                _log.warning("%s %s: %s (see %s)", record.name, record.status.value, record.reason, record.err)

    def _names(self, ref: EntityRef) -> list[str]:
        if isinstance(ref, Orchestrator):
            return ref.job_names()
        if isinstance(ref, str):
            record = self._running_databases().get(ref)
            return list(record.jobs) if record is not None and ref not in self._launched else [ref]
        return [m.name for m in models_of([ref])]

    def _records(self, refs: Iterable[EntityRef]) -> list[JobRecord]:
        names = [name for ref in refs for name in self._names(ref)]
        missing = [n for n in names if n not in self._launched]
        if missing:
            raise LaunchError(
                f"{missing[0]!r} was never started in experiment {self.name!r}; start it with exp.start(...)"
            )
        records = self._control().refresh([self._launched[n] for n in names])
        self._launched.update((r.name, r) for r in records)
        return records

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
        control = self._control()
        running = self._running_databases()
        by_job = {job: record for record in running.values() for job in record.jobs}
        stopped: set[str] = set()
        others: list[EntityRef] = []
        for ref in entities:
            name = ref.name if isinstance(ref, Orchestrator) else ref if isinstance(ref, str) else ""
            record = running.get(name) or by_job.get(name)
            if record is None:
                if not isinstance(ref, Orchestrator):  # a database that is not running has nothing to stop
                    others.append(ref)
                continue
            if record.identifier not in stopped:
                stopped.add(record.identifier)
                done = stop_database(control, record, self._records(list(record.jobs)))
                self._launched.update((r.name, r) for r in done)
            if isinstance(ref, Orchestrator):
                ref.set_live(None)
        done = control.cancel(self._records(others), "stopped by the user")
        self._launched.update((r.name, r) for r in done)

    def get_database(self, db_identifier: str = "orchestrator") -> Orchestrator:
        """The running database ``db_identifier`` (also from :meth:`load`), ready for
        ``get_address``, ``set_max_memory``, ``is_active``..."""
        record = self._running_databases().get(db_identifier)
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
        records = [r for r in self._launched.values() if r.kind != "database"]
        try:
            self._wait(records, interval if verbose else None)
        except KeyboardInterrupt:
            self._interrupted(records, kill_on_interrupt)
            raise

    def summary_data(self) -> list[dict[str, Any]]:
        """Every launch as a dict: name, type, job_id, run, time, status, exit_code, reason."""
        if self._dry_run:
            return []
        control = self._control()
        control.refresh(list(control.store.latest().values()))
        rows = summary_rows(control.store.all_runs())
        # a shard whose inference worker gave up still answers: say so on its running job
        down = worker_reasons(control.store.databases().values())
        for row in rows:
            if row["status"] == "RUNNING" and row["name"] in down:
                row["reason"] = down[row["name"]]
        return rows

    def summary(self, style: str = "github") -> str:
        """The launches as a readable table (same data as :meth:`summary_data`)."""
        if style != "github":
            raise ConfigError(f"summary style {style!r} is not supported; use 'github'")
        return format_table(self.summary_data())

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, exp_path={str(self.exp_path)!r}, launcher={self._launcher!r})"
