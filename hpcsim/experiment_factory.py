"""Creating entities and settings: the half of ``Experiment`` that builds what is launched."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hpcsim import config
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity, check_name
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.entities.strategies import Strategy
from hpcsim.errors import ConfigError, EntityExistsError, UnsupportedError
from hpcsim.schedulers import LAUNCHERS, detect_scheduler
from hpcsim.schedulers.kinds import KINDS
from hpcsim.settings import settings as settings_api
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.fit import LAUNCHER_ALIASES, scheduler_of
from hpcsim.settings.run import ArgValue, RunSettings
from hpcsim.site import SiteConfig, select_site

__all__ = ["EntityFactory"]

_ENSEMBLE_KWARGS = ("n_models", "params_as_args", "max_concurrent", "array", "max_members")


class EntityFactory:
    """The part of :class:`~hpcsim.Experiment` that creates entities and settings.

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
        config.check_knobs()
        self.name = check_name(name, "experiment")
        path = Path(exp_path) if exp_path is not None else Path.cwd() / name
        self.exp_path = Path(os.path.abspath(path.expanduser()))
        if self.exp_path.exists() and not self.exp_path.is_dir():
            raise ConfigError(f"experiment path {str(self.exp_path)!r} exists and is not a directory")
        self.site: SiteConfig | None = select_site(site)
        self._launcher = self._resolve_launcher(launcher)
        #: the launcher run settings are made for: SmartSim's "pals" is PBS with HPE's PALS
        #: ``mpiexec``, so it plans and submits as PBS and makes PALS settings
        self._settings_launcher = str(launcher).lower() if str(launcher).lower() in LAUNCHER_ALIASES else self._launcher
        self._entities: dict[str, Entity] = {}

    def _resolve_launcher(self, launcher: str) -> str:
        choice = launcher.lower() if isinstance(launcher, str) else launcher
        if choice in LAUNCHER_ALIASES:
            return scheduler_of(str(choice))
        if choice == "auto":
            return self.site.scheduler if self.site is not None else detect_scheduler()
        if choice not in LAUNCHERS:
            raise UnsupportedError(f"unknown launcher {launcher!r}; choose one of {', '.join(LAUNCHERS)} or 'auto'")
        return str(choice)

    @property
    def launcher(self) -> str:
        """The scheduler this experiment launches with: ``local``, ``slurm``, ``pbs``, ``lsf`` or ``sge``."""
        return self._launcher

    # -- entities ---------------------------------------------------------------------------

    def _register(self, entity: Entity) -> None:
        names = [entity.name] + ([m.name for m in entity] if isinstance(entity, Ensemble) else [])
        if isinstance(entity, Orchestrator):
            names += [n for n in entity.job_names() if n != entity.name]
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
        container: object | None = None,
        **kwargs: Any,
    ) -> RunSettings:
        """How to run ``exe``: ``auto`` picks the launch command for this launcher (none locally).

        SmartSim's signature; it is :func:`hpcsim.settings.create_run_settings` for this
        experiment's launcher. ``container`` must be None (hpcsim runs no containers:
        :class:`~hpcsim.errors.UnsupportedSettingsError`); other keywords go to the settings
        class (``lenient=True``: SmartSim's warn-and-ignore for setters the command lacks).

        Args:
            exe: the executable, found on ``PATH`` or taken as a path.
            exe_args: its arguments: a list, or one string split as a shell would.
            run_command: ``auto``, a launch command (``srun``, ``mpirun``, ...), or ``""``/None
                to run ``exe`` directly.
            run_args: the launch command's arguments, name to value (None for a bare flag).
            env_vars: environment variables for the launch (None exports the job's own value).
            container: must be None.
            **kwargs: keywords of the settings class, such as ``lenient``.

        Returns:
            The settings: ``RunSettings``, or the launch command's class (``SrunSettings``,
            ``MpirunSettings``, ...).

        Raises:
            SettingsError: a missing executable or launch command, or a bad value.
            SettingsTypeError: a value of the wrong type, or an unknown keyword.

        Example:
            ```python
            rs = exp.create_run_settings("python", exe_args=["sim.py", "--steps", "10"],
                                         env_vars={"OMP_NUM_THREADS": 4})
            ```
        """
        return settings_api.create_run_settings(
            self._settings_launcher, exe, exe_args, run_command, run_args, env_vars, container, **kwargs
        )

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
        ``QsubBatchSettings``, ``BsubBatchSettings`` or ``SgeQsubBatchSettings``); extra keywords
        go to that class. It is :func:`hpcsim.settings.create_batch_settings` for this
        experiment's launcher, so its errors are that function's: a value of the wrong type
        (``nodes="2"``) is a ``TypeError``, a keyword no batch class takes too.

        Args:
            nodes: the number of nodes.
            time: the walltime, ``HH:MM:SS``.
            queue: the queue (Slurm's partition).
            account: the account to charge.
            batch_args: more directives, name to value (None for a bare flag).
            **kwargs: keywords of the scheduler's class (``qos``, ``ncpus``, ``project``, ...).

        Returns:
            The scheduler's batch settings.

        Raises:
            ConfigError: the ``local`` launcher, which takes no batch settings.
            SettingsError: a bad value.
        """
        if not KINDS[self._launcher].batch:
            raise ConfigError(
                f"the {self._launcher!r} launcher runs without a scheduler, so it takes no batch settings"
            )
        return settings_api.create_batch_settings(self._launcher, nodes, time, queue, account, batch_args, **kwargs)

    def create_model(
        self,
        name: str,
        run_settings: RunSettings,
        params: Mapping[str, object] | None = None,
        path: str | Path | None = None,
        enable_key_prefixing: bool = False,
        batch_settings: BatchSettings | None = None,
    ) -> Model:
        """A model: one application, launched with ``run_settings``.

        Args:
            name: unique within the experiment; the model's directory and job are named after it.
            run_settings: how to run it (``create_run_settings``).
            params: values for the tags of the files attached with ``attach_generator_files`` (and
                for its arguments, with ``params_to_args``).
            path: where it runs. Without one it runs in the driver's working directory until
                ``generate`` makes ``<exp>/<name>``; its output goes to ``<exp>/<name>`` either way.
            enable_key_prefixing: prefix the keys its clients write with its name.
            batch_settings: run it as a batch job of its own (ignored by the ``local`` launcher).

        Returns:
            The model, registered with this experiment; ``start`` launches it.

        Raises:
            EntityExistsError: the experiment already has an entity of this name.
            ConfigError: the name is not a valid entity name.

        Example:
            ```python
            exp = Experiment("demo", launcher="local")
            rs = exp.create_run_settings("python", ["-c", "print('hello')"])
            model = exp.create_model("hello", rs)
            exp.start(model, block=True)
            ```
        """
        check_name(name, "model")
        model = Model(
            name,
            params,
            run_settings,
            path if path is not None else self.exp_path / name,
            batch_settings=batch_settings,
        )
        if path is None:
            model.run_in_driver_cwd()
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
        """Members are params x replicas; ``n_models`` (for ``random``), ``params_as_args``,
        ``max_concurrent``, ``array`` and ``max_members`` (the most members allowed, default
        ``HPCSIM_MAX_MEMBERS`` or 10000) are the accepted extra keywords.

        Args:
            name: unique within the experiment; members are ``<name>_0``, ``<name>_1``, ...
            params: parameter name to a value or a list of values.
            batch_settings: run the members as one batch job (concurrent steps, or a job array
                with ``array=True``).
            run_settings: how to run each member (each gets its own copy).
            replicas: how many times each parameter set is repeated.
            perm_strategy: ``all_perm``, ``step``, ``random`` or a callable
                ``(names, values, n_models) -> list[dict]``.
            path: the members' parent directory (default ``<exp>/<name>`` once generated).
            **kwargs: the extra keywords above.

        Returns:
            The ensemble, registered with this experiment.

        Raises:
            EntityExistsError: a name (the ensemble's or a member's) is taken.
            ConfigError: an unknown keyword, or more members than ``max_members``.
            UserStrategyError: an unknown strategy name, or a callable that fails.

        Example:
            ```python
            ens = exp.create_ensemble("sim", params={"dt": [0.1, 0.2]}, run_settings=rs, replicas=2)
            exp.generate(ens)  # sim/sim_0 ... sim/sim_3
            ```
        """
        check_name(name, "ensemble")
        unknown = sorted(set(kwargs) - set(_ENSEMBLE_KWARGS))
        if unknown:
            raise ConfigError(
                f"create_ensemble got unknown keyword(s) {unknown}; accepted: {', '.join(_ENSEMBLE_KWARGS)}"
            )
        ensemble = Ensemble(
            name,
            params,
            path if path is not None else self.exp_path / name,
            batch_settings=batch_settings,
            run_settings=run_settings,
            perm_strat=perm_strategy,
            replicas=replicas,
            **kwargs,
        )
        if path is None:
            ensemble.run_in_driver_cwd()
        self._register(ensemble)
        return ensemble

    def create_database(
        self,
        port: int = 6379,
        path: str | Path | None = None,
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
        replicas: int = 0,
        **kwargs: Any,
    ) -> Orchestrator:
        """A Redis database of ``db_nodes`` shards (1, or 3+ as a Redis Cluster), started by
        :meth:`start` before the applications that read ``HPCSIM_DB``. ``interface`` defaults
        to the site's database interfaces (loopback locally); extra keywords become
        redis-server options, and ``password=False`` turns authentication off. ``replicas``
        (an hpcsim extension, local launcher) gives every primary of a cluster that many
        replicas, one of which the cluster promotes when its primary dies. ``path`` is the
        database's directory (its logs, dumps and shard files), ``<exp_path>/<db_identifier>``
        by default: SmartSim's keyword, though not its position (second), which is ``db_nodes``
        here as in earlier hpcsim."""
        check_name(db_identifier, "database")
        taken = [e for e in self._entities.values() if isinstance(e, Orchestrator) and e.name == db_identifier]
        if taken:
            raise EntityExistsError(f"experiment {self.name!r} already has a database {db_identifier!r}")
        db = Orchestrator(
            self.exp_path / db_identifier if path is None else Path(os.path.abspath(os.path.expanduser(path))),
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
            replicas=replicas,
            **kwargs,
        )
        self._register(db)
        return db
