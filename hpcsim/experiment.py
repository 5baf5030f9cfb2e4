"""``Experiment``: the SmartSim-style facade. It creates entities and hands them to the
control layer; the logic lives below."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.control.controller import Controller
from hpcsim.control.database import bring_up, is_up, launch_database, live, planned_record, stop_database
from hpcsim.control.generator import generate as generate_dirs
from hpcsim.control.interrupt import defer_sigint
from hpcsim.control.planner import BATCH_CLASSES, LaunchUnit, plan, plan_database
from hpcsim.control.store import DatabaseRecord, JobRecord, JobStore, store_path
from hpcsim.control.summary import format_table, summary_rows
from hpcsim.db.discovery import find_redis_server
from hpcsim.db.secret import SECRET_NAME, ensure_secret
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity, check_name
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.entities.strategies import Strategy
from hpcsim.errors import ConfigError, EntityExistsError, LaunchError
from hpcsim.log import get_logger
from hpcsim.schedulers import LAUNCHERS, Scheduler, detect_scheduler, get_scheduler, in_allocation
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.factory import create_run_settings
from hpcsim.settings.run import ArgValue, RunSettings
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.site import SiteConfig, select_site
from hpcsim.status import Status

__all__ = ["Experiment"]

_log = get_logger("hpcsim")
EntityRef = Entity | str
_ENSEMBLE_KWARGS = ("n_models", "params_as_args", "max_concurrent", "array")


class Experiment:
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
        self.name = check_name(name, "experiment")
        path = Path(exp_path) if exp_path is not None else Path.cwd() / name
        self.exp_path = Path(os.path.abspath(path.expanduser()))
        if self.exp_path.exists() and not self.exp_path.is_dir():
            raise ConfigError(f"experiment path {str(self.exp_path)!r} exists and is not a directory")
        self.site: SiteConfig | None = select_site(site)
        self._launcher = self._resolve_launcher(launcher)
        self._entities: dict[str, Entity] = {}
        self._launched: dict[str, JobRecord] = {}
        self._controller: Controller | None = None
        self._dry_run = config.dry_run()

    def _resolve_launcher(self, launcher: str) -> str:
        choice = launcher.lower() if isinstance(launcher, str) else launcher
        if choice == "auto":
            return self.site.scheduler if self.site is not None else detect_scheduler()
        if choice not in LAUNCHERS:
            raise ConfigError(f"unknown launcher {launcher!r}; choose one of {', '.join(LAUNCHERS)} or 'auto'")
        return str(choice)

    @property
    def launcher(self) -> str:
        return self._launcher

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

    # -- entities ---------------------------------------------------------------------------

    def _register(self, entity: Entity) -> None:
        names = [entity.name] + ([m.name for m in entity] if isinstance(entity, Ensemble) else [])
        if isinstance(entity, Orchestrator) and entity.launcher == "local":
            names += entity.shard_names()
        taken = [n for n in names if n in self._entities]
        if taken or len(set(names)) != len(names):
            raise EntityExistsError(
                f"experiment {self.name!r} already has an entity named {(taken or names)[0]!r}; "
                "entity names must be unique"
            )
        for name in names:
            self._entities[name] = entity

    def create_run_settings(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_command: str = "auto",
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
    ) -> RunSettings:
        """How to run ``exe``: ``auto`` picks the launch command for this launcher (none locally)."""
        return create_run_settings(self._launcher, exe, exe_args, run_command, run_args, env_vars)

    def create_batch_settings(
        self,
        nodes: int = 1,
        time: str = "",
        queue: str = "",
        account: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
        **kwargs: Any,
    ) -> BatchSettings:
        """Batch settings for this experiment's scheduler (``SbatchSettings``,
        ``QsubBatchSettings`` or ``BsubBatchSettings``); extra keywords go to that class."""
        if self._launcher not in BATCH_CLASSES:
            raise ConfigError(
                f"the {self._launcher!r} launcher runs without a scheduler, so it takes no batch settings"
            )
        cls = BATCH_CLASSES[self._launcher]
        common: dict[str, Any] = {"nodes": nodes, "time": time, "batch_args": batch_args}
        common["project" if cls is BsubBatchSettings else "account"] = account
        common["partition" if cls is SbatchSettings else "queue"] = queue
        try:
            return cls(**common, **kwargs)
        except TypeError as exc:
            raise ConfigError(f"create_batch_settings for {self._launcher}: {exc}") from None

    def create_model(
        self,
        name: str,
        run_settings: RunSettings,
        params: Mapping[str, object] | None = None,
        path: str | Path | None = None,
        enable_key_prefixing: bool = False,
        batch_settings: BatchSettings | None = None,
    ) -> Model:
        model = Model(
            name,
            params,
            run_settings,
            path if path is not None else self.exp_path / name,
            batch_settings=batch_settings,
        )
        if enable_key_prefixing:
            model.enable_key_prefixing()
        self._register(model)
        return model

    def create_ensemble(
        self,
        name: str,
        params: Mapping[str, object] | None = None,
        batch_settings: BatchSettings | None = None,
        run_settings: RunSettings | None = None,
        replicas: int | None = None,
        perm_strategy: str | Strategy = "all_perm",
        path: str | Path | None = None,
        **kwargs: Any,
    ) -> Ensemble:
        """Members are params x replicas; ``n_models`` (for ``random``) and
        ``params_as_args`` are the accepted extra keywords."""
        unknown = sorted(set(kwargs) - set(_ENSEMBLE_KWARGS))
        if unknown:
            raise ConfigError(
                f"create_ensemble got unknown keyword(s) {unknown}; accepted: {', '.join(_ENSEMBLE_KWARGS)}"
            )
        ensemble = Ensemble(
            name,
            params,
            path if path is not None else self.exp_path / name,
            params_as_args=kwargs.get("params_as_args"),
            batch_settings=batch_settings,
            run_settings=run_settings,
            perm_strategy=perm_strategy,
            replicas=replicas,
            n_models=kwargs.get("n_models"),
            max_concurrent=kwargs.get("max_concurrent"),
            array=kwargs.get("array", False),
        )
        self._register(ensemble)
        return ensemble

    def create_database(
        self,
        port: int = 6379,
        db_nodes: int = 1,
        batch: bool = False,
        hosts: str | Iterable[str] | None = None,
        run_command: str = "auto",
        interface: str | Iterable[str] | None = None,
        account: str | None = None,
        time: str | None = None,
        queue: str | None = None,
        single_cmd: bool = True,
        db_identifier: str = "orchestrator",
        **kwargs: Any,
    ) -> Orchestrator:
        """A Redis database of ``db_nodes`` shards (1, or 3+ as a Redis Cluster), started by
        :meth:`start` before the applications that read ``HPCSIM_DB``. ``interface`` defaults
        to the site's database interfaces (loopback locally); extra keywords become
        redis-server options, and ``password=False`` turns authentication off."""
        taken = [e for e in self._entities.values() if isinstance(e, Orchestrator) and e.name == db_identifier]
        if taken:
            raise EntityExistsError(f"experiment {self.name!r} already has a database {db_identifier!r}")
        db = Orchestrator(
            self.exp_path / db_identifier,
            port,
            None if interface is None else (interface if isinstance(interface, str) else list(interface)),
            self._launcher,
            run_command,
            db_nodes,
            batch,
            None if hosts is None else (hosts if isinstance(hosts, str) else list(hosts)),
            account,
            time,
            queue,
            single_cmd,
            db_identifier,
            **kwargs,
        )
        self._register(db)
        return db

    # -- generation -------------------------------------------------------------------------

    def generate(self, *entities: Entity, tag: str | None = None, overwrite: bool = False) -> None:
        """Create entity directories with their copied, symlinked and configured files
        (a database gets its directory, where its logs and checkpoints go)."""
        dbs, apps = self._split(entities)
        models = [e for e in apps if isinstance(e, Model)]
        ensembles = [e for e in apps if isinstance(e, Ensemble)]
        others = [e for e in apps if not isinstance(e, (Model, Ensemble))]
        if others:
            raise TypeError(f"generate takes models, ensembles and databases, got {others[0]!r}")
        if self._dry_run:
            _log.info("dry run: not generating %d entities", len(entities))
            return
        for db in dbs:
            Path(db.path).mkdir(parents=True, exist_ok=True)
        generate_dirs(self.exp_path, models, ensembles, tag=";" if tag is None else tag, overwrite=overwrite)

    # -- launching --------------------------------------------------------------------------

    def _make_scheduler(self, name: str) -> Scheduler:
        return get_scheduler(name, self.exp_path)

    def _control(self) -> Controller:
        if self._controller is None:
            store = JobStore(store_path(self.exp_path))
            store.set_meta(name=self.name, launcher=self._launcher)
            self._controller = Controller(store, self._make_scheduler)
        return self._controller

    def _plan(self, entities: Iterable[Entity], databases: Sequence[DatabaseRecord] = ()) -> list[LaunchUnit]:
        return plan(
            [e for e in entities if isinstance(e, (Model, Ensemble))],
            self.exp_path,
            self._launcher,
            self.site,
            in_allocation(self._launcher),
            databases,
        )

    def _secret(self, db: Orchestrator, create: bool = True) -> Path | None:
        """The experiment's password file, created on first use unless ``create`` is off
        (previews and dry runs write nothing)."""
        if not db.password:
            return None
        hidden = self.exp_path / ".hpcsim"
        return ensure_secret(hidden) if create and not self._dry_run else hidden / SECRET_NAME

    def _plan_database(self, db: Orchestrator, create: bool = True) -> list[LaunchUnit]:
        return plan_database(
            db,
            self.exp_path,
            self._launcher,
            self.site,
            in_allocation(self._launcher),
            self._redis_server(),
            self._secret(db, create),
        )

    def _redis_server(self) -> Path:
        return find_redis_server(self.site.redis_server if self.site is not None else None)

    def _running_databases(self) -> dict[str, DatabaseRecord]:
        if self._controller is None and not store_path(self.exp_path).is_file():
            return {}
        return self._control().store.databases()

    @staticmethod
    def _split(entities: Iterable[Entity]) -> tuple[list[Orchestrator], list[Entity]]:
        dbs = [e for e in entities if isinstance(e, Orchestrator)]
        ids = [db.name for db in dbs]
        duplicate = next((i for i in ids if ids.count(i) > 1), None)
        if duplicate is not None:
            raise EntityExistsError(f"two databases are named {duplicate!r}; give each its own db_identifier")
        return dbs, [e for e in entities if not isinstance(e, Orchestrator)]

    @staticmethod
    def _models(entities: Iterable[Entity]) -> list[Model]:
        models: list[Model] = []
        for entity in entities:
            if isinstance(entity, Ensemble):
                if not len(entity):
                    raise LaunchError(f"ensemble {entity.name!r} has no members; add some with add_model")
                models += entity.models
            elif isinstance(entity, Model):
                models.append(entity)
            else:
                raise TypeError(f"expected a Model, Ensemble or Orchestrator, got {entity!r}")
        names = [m.name for m in models]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate is not None:
            raise EntityExistsError(f"{duplicate!r} is given more than once; entity names must be unique")
        return models

    def preview(self, *entities: Entity) -> str:
        """Print (and return) the exact scripts ``start`` would write and submit. Databases
        not yet running appear in the applications' environment at their planned addresses."""
        dbs, apps = self._split(entities)
        self._models(apps)
        planned = {db.name: planned_record(db, self._secret(db, create=False)) for db in dbs}
        databases = {**self._running_databases(), **planned}
        units = [u for db in dbs for u in self._plan_database(db, create=False)]
        units += self._plan(apps, list(databases.values()))
        text = "\n".join(f"# ==> {unit.script} <==\n{unit.text}" for unit in units)
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
        dbs, apps = self._split(entities)
        models = self._models(apps)
        if self._dry_run:
            self.preview(*entities)
            return
        db_units = [self._plan_database(db) for db in dbs]
        self._plan(apps, [planned_record(db, self._secret(db)) for db in dbs])  # fail on bad settings before any launch
        control = self._control()
        self._check_not_running(control, models, dbs)
        records: list[JobRecord] = []
        try:
            for db, units in zip(dbs, db_units, strict=True):
                launched = launch_database(control, db, units)
                records += launched
                self._launched.update((r.name, r) for r in launched)
                bring_up(control, db, launched, self._redis_server(), self._secret(db))
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

    def _check_not_running(self, control: Controller, models: list[Model], dbs: list[Orchestrator]) -> None:
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
        known = control.store.databases()
        for db in dbs:
            if db.name not in known:
                continue
            if is_up(known[db.name]):
                raise LaunchError(
                    f"database {db.name!r} is already running at {', '.join(known[db.name].addresses)}; "
                    "stop it first or use another db_identifier"
                )
            control.store.remove_database(db.name)  # it died without being stopped

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
            return ref.shard_names() if ref.launcher == "local" else [ref.name]
        if isinstance(ref, str):
            record = self._running_databases().get(ref)
            return list(record.jobs) if record is not None and ref not in self._launched else [ref]
        return [m.name for m in self._models([ref])]

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

    def finished(self, entity: EntityRef) -> bool:
        if self._dry_run:
            return True  # nothing runs in a dry run, so there is nothing to wait for
        return all(r.status.is_terminal for r in self._records([entity]))

    def stop(self, *entities: EntityRef) -> None:
        """Stop ``entities``: databases shut down cleanly (saving first if checkpoints are
        on), the jobs of everything else are cancelled."""
        if self._dry_run:
            return
        control = self._control()
        running = self._running_databases()
        for ref in entities:
            name = ref.name if isinstance(ref, Orchestrator) else ref if isinstance(ref, str) else None
            if name is None or name not in running:
                continue
            done = stop_database(control, running[name], self._records([ref]))
            self._launched.update((r.name, r) for r in done)
            if isinstance(ref, Orchestrator):
                ref.set_live(None)
        others = [ref for ref in entities if not isinstance(ref, Orchestrator) and ref not in running]
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
        """Block until every job this experiment launched has ended (SmartSim's poll)."""
        if self._dry_run:
            return
        records = list(self._launched.values())
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
        return summary_rows(control.store.all_runs())

    def summary(self, style: str = "github") -> str:
        """The launches as a readable table (same data as :meth:`summary_data`)."""
        if style != "github":
            raise ConfigError(f"summary style {style!r} is not supported; use 'github'")
        return format_table(self.summary_data())

    def __repr__(self) -> str:
        return f"Experiment({self.name!r}, exp_path={str(self.exp_path)!r}, launcher={self._launcher!r})"
