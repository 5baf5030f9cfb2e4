"""One experiment's control: its job store and controller, its databases, and the launch
sequence (databases first, then ML objects, then applications, then the wait), with the
one-driver rule and the Ctrl-C policy. ``Experiment`` is the SmartSim-shaped front that
creates entities and calls this; the command-line applications use it too, never the store
or the planner directly."""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.control.controller import Controller
from hpcsim.control.database import Databases, bring_up, launch_database, stop_database, worker_reasons
from hpcsim.control.dbobjects import check_database_for, load_db_objects, write_colocated_manifests
from hpcsim.control.family import register_child
from hpcsim.control.generator import generate as generate_dirs
from hpcsim.control.interrupt import defer_sigint
from hpcsim.control.owner import claim, withdraw
from hpcsim.control.planner import plan, step_output
from hpcsim.control.selection import models_of
from hpcsim.control.store import DatabaseRecord, JobRecord, JobStore, has_store, store_path
from hpcsim.control.summary import summary_rows
from hpcsim.control.units import DEFAULT_DB, LaunchUnit, bind, check_renders, database_env
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import LaunchError
from hpcsim.log import attach_driver_log
from hpcsim.schedulers import in_allocation
from hpcsim.schedulers.adapters import get_scheduler
from hpcsim.schedulers.kinds import LOCAL
from hpcsim.site.schema import SiteConfig
from hpcsim.status import Status

__all__ = [
    "DEFAULT_DB",
    "DatabaseRecord",
    "JobRecord",
    "Session",
    "database_env",
    "is_experiment",
    "log_file",
    "stored_state",
]

_log = logging.getLogger("hpcsim.control")


def log_file(record: JobRecord, err: bool = False, job: bool = False) -> Path:
    """The file holding the program's output (``err``: its errors) of a launch; ``job`` the
    batch job's own file instead (scheduler and wrapper messages)."""
    own = Path(record.err if err else record.out)
    if job or record.scheduler == LOCAL.name or record.kind not in ("model", "database"):
        return own  # local steps and ensemble members record their program's own files
    return step_output(Path(record.script), record.name, err)


def is_experiment(path: Path) -> bool:
    """Whether ``path`` holds an experiment's job store."""
    return has_store(path)


def stored_state(path: Path) -> tuple[dict[str, str], dict[str, JobRecord], float]:
    """(meta, latest launch of each name, when it last changed) as the store of the
    experiment at ``path`` recorded them; no scheduler is asked."""
    store = JobStore(store_path(path), create=False)
    latest = store.latest()
    updated = max((r.updated for r in latest.values()), default=(path / ".hpcsim").stat().st_mtime)
    return store.meta(), latest, updated


class Session:
    """The control of one experiment directory, for one process."""

    def __init__(self, name: str, exp_path: Path, launcher: str, site: SiteConfig | None, drives: bool = True) -> None:
        self.name = name
        self.exp_path = exp_path
        self.launcher = launcher
        self.site = site
        self.dry_run = config.dry_run()
        #: whether start and generate make this process the experiment's one driver (owner.py)
        self.drives = drives
        self.databases = Databases(exp_path, launcher, site, self.dry_run)
        #: the latest launch of each name this session knows
        self.launched: dict[str, JobRecord] = {}
        #: running databases of other experiments that this one's applications use
        #: (``Experiment.reconnect_orchestrator``): identifier -> the session of their experiment
        self.adopted: dict[str, Session] = {}
        self._controller: Controller | None = None
        #: whether this session's launches are logged to the experiment's driver.log yet
        self._driver_log = False

    @staticmethod
    def recorded(exp_path: Path) -> tuple[dict[str, str], Controller]:
        """(meta, controller) of an experiment another process wrote; ConfigError if none."""
        store = JobStore(store_path(exp_path), create=False)
        return store.meta(), Controller(store, lambda name: get_scheduler(name, exp_path))

    def attach(self, controller: Controller) -> None:
        """Follow the store ``controller`` reads (from :meth:`recorded`), with its history."""
        self._controller = controller
        self.launched = controller.store.latest()

    # -- the store ------------------------------------------------------------------------

    def control(self) -> Controller:
        if self._controller is None:
            store = JobStore(store_path(self.exp_path))
            store.set_meta(name=self.name, launcher=self.launcher)
            register_child(self.exp_path)
            self._controller = Controller(store, lambda name: get_scheduler(name, self.exp_path))
        return self._controller

    def _open_driver_log(self) -> None:
        """Log this driver's launches at DEBUG to ``<exp>/.hpcsim/driver.log`` (beside the
        store, which exists by now), from its first start; closed with this session."""
        if self.drives and not self._driver_log:
            weakref.finalize(self, attach_driver_log(store_path(self.exp_path).parent))
            self._driver_log = True

    def running_databases(self) -> dict[str, DatabaseRecord]:
        """This experiment's running databases, then those it adopted (while they run)."""
        own = {} if self._controller is None and not has_store(self.exp_path) else self.control().store.databases()
        for identifier, owner in self.adopted.items():
            record = owner.running_databases().get(identifier)
            if record is not None and identifier not in own:
                own[identifier] = record
        return own

    # -- generation -------------------------------------------------------------------------

    def generate(
        self,
        dbs: Sequence[Orchestrator],
        models: Sequence[Model],
        ensembles: Sequence[Ensemble],
        tag: str,
        overwrite: bool,
    ) -> None:
        claimed = self.drives and claim(self.exp_path)  # one driver per experiment: refused while another drives it
        try:
            for db in dbs:
                Path(db.path).mkdir(parents=True, exist_ok=True)
            generate_dirs(self.exp_path, list(models), list(ensembles), tag=tag, overwrite=overwrite)
        except BaseException:
            if claimed:  # a failed generate creates nothing, the driver record included
                withdraw(self.exp_path)
            raise
        for entity in (*models, *ensembles):
            entity.mark_generated()

    # -- planning -----------------------------------------------------------------------------

    def plan(
        self, apps: Iterable[Model | Ensemble], databases: Sequence[DatabaseRecord] = (), create: bool = True
    ) -> list[LaunchUnit]:
        """Launch units of models and ensembles; ``create`` off (previews) writes nothing."""
        apps = list(apps)
        return plan(
            apps,
            self.exp_path,
            self.launcher,
            self.site,
            in_allocation(self.launcher),
            databases,
            self.databases.colocation(models_of(apps), create),
        )

    def _planned_databases(self, dbs: Sequence[Orchestrator]) -> list[DatabaseRecord]:
        """The databases the applications will be told of, as the store will list them once
        ``dbs`` are up: the running ones, then ``dbs`` at their planned addresses."""
        starting = {db.name: self.databases.planned(db) for db in dbs}
        running = [record for name, record in self.running_databases().items() if name not in starting]
        return [*running, *starting.values()]

    def scripts(self, dbs: Sequence[Orchestrator], apps: Sequence[Model | Ensemble]) -> list[tuple[Path, str]]:
        """(path, text) of every script ``start`` would write, writing nothing. Databases not
        yet running appear in the applications' environment at their planned addresses."""
        units = [u for db in dbs for u in self.databases.plan(db, create=False)]
        units += self.plan(apps, self._planned_databases(dbs), create=False)
        return [(path, text) for unit in units for path, text in (*unit.files, (unit.script, unit.text))]

    # -- launching ----------------------------------------------------------------------------

    def start(
        self, dbs: Sequence[Orchestrator], apps: Sequence[Model | Ensemble], block: bool, kill_on_interrupt: bool
    ) -> None:
        """Plan everything, so a bad setting fails before any launch; then databases first (each
        up when every shard answers), their ML objects, then the applications, bound to every
        running database's address; with ``block``, wait for them."""
        models = models_of(apps)
        claimed = self.drives and claim(self.exp_path)  # one driver per experiment: refused while another drives it
        try:
            db_units = [self.databases.plan(db) for db in dbs]
            app_units = self.plan(apps, self._planned_databases(dbs))
            check_renders([*(unit for units in db_units for unit in units), *app_units])
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
        control = self.control()
        self._open_driver_log()
        self._check_not_running(control, models)
        self.databases.check_startable(control, dbs)
        check_database_for(models, bool(dbs or self.running_databases()))
        records: list[JobRecord] = []
        try:
            for db, units in zip(dbs, db_units, strict=True):
                launched = launch_database(control, db, units)
                records += launched
                self.launched.update((r.name, r) for r in launched)
                bring_up(control, db, launched, self.databases.server(), self.databases.secret(db.password))
            write_colocated_manifests(models)
            load_db_objects(models, self.running_databases(), self.exp_path)
            with defer_sigint() as deferred:
                app_records = control.launch(bind(app_units, self.running_databases()))
                records += app_records
                self.launched.update((r.name, r) for r in app_records)
                _log.info("launched %d job(s) in %s", len(records), self.exp_path)
            if deferred.hit:
                raise KeyboardInterrupt
            if block:  # as SmartSim's: until every application this session launched has ended
                waited = [r for r in self.launched.values() if r.kind != "database"]
                records += [r for r in waited if r not in records]
                self.wait(waited)
        except KeyboardInterrupt:
            self.interrupted(records, kill_on_interrupt)
            raise

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

    def interrupted(self, records: list[JobRecord], kill_on_interrupt: bool) -> None:
        """Ctrl-C: stop ``records``' unfinished jobs, or leave them running and say which."""
        control = self.control()
        pending = [r for r in control.refresh(records) if not r.status.is_terminal]
        if kill_on_interrupt:
            _log.warning("interrupted: stopping %d unfinished job(s)", len(pending))
            done = control.cancel(pending, "interrupted (Ctrl-C)")
        else:
            ids = ", ".join(f"{r.name}={r.native_id}" for r in pending)
            _log.warning("interrupted: leaving %d job(s) running: %s", len(pending), ids)
            done = pending
        self.launched.update((r.name, r) for r in done)

    def wait(self, records: list[JobRecord], progress_every: float | None = None) -> None:
        done = self.control().wait(records, progress_every)
        self.launched.update((r.name, r) for r in done)
        for record in done:
            if record.status is not Status.COMPLETED:
                _log.warning("%s %s: %s (see %s)", record.name, record.status.value, record.reason, record.err)

    def poll(self, every: float | None, kill_on_interrupt: bool) -> None:
        """Wait for every job this session launched but databases (they run until stopped)."""
        records = [r for r in self.launched.values() if r.kind != "database"]
        try:
            self.wait(records, every)
        except KeyboardInterrupt:
            self.interrupted(records, kill_on_interrupt)
            raise

    # -- following and stopping ---------------------------------------------------------------

    def records(self, names: Sequence[str]) -> list[JobRecord]:
        """The latest launches of ``names``, freshly asked."""
        missing = [n for n in names if n not in self.launched]
        if missing:
            raise LaunchError(
                f"{missing[0]!r} was never started in experiment {self.name!r}; start it with exp.start(...)"
            )
        records = self.control().refresh([self.launched[n] for n in names])
        self.launched.update((r.name, r) for r in records)
        return records

    def stop_databases(self, records: Iterable[DatabaseRecord]) -> None:
        """Shut these running databases down cleanly (cancelling what does not end)."""
        for record in records:
            done = stop_database(self.control(), record, self.records(list(record.jobs)))
            self.launched.update((r.name, r) for r in done)

    def cancel(self, names: Sequence[str]) -> None:
        done = self.control().cancel(self.records(names), "stopped by the user")
        self.launched.update((r.name, r) for r in done)

    def summary_rows(self) -> list[dict[str, Any]]:
        """Every launch as a row, the unfinished ones freshly asked."""
        control = self.control()
        control.refresh(list(control.store.latest().values()))
        rows = summary_rows(control.store.all_runs())
        # a shard whose inference worker gave up still answers: say so on its running job
        down = worker_reasons(control.store.databases().values())
        for row in rows:
            if row["status"] == "RUNNING" and row["name"] in down:
                row["reason"] = down[row["name"]]
        return rows

    def narrow_database(self, identifier: str, addresses: tuple[str, ...]) -> DatabaseRecord:
        """Record that database ``identifier`` is reached at ``addresses`` (a node-local
        database: every node's shard is the same loopback address to the ranks there)."""
        record = replace(self.running_databases()[identifier], addresses=addresses)
        self.control().store.add_database(record)
        return record
