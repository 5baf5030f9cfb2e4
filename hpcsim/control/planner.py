"""Turning entities into launch units: the env contract, the paths, what the script is
rendered from.

``preview`` and ``start`` both call :func:`plan`, once, so what a preview prints is exactly what
a launch writes and runs; a launch then binds the running databases into the planned units
(:func:`hpcsim.control.units.bind`), which changes only their addresses' values.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from hpcsim.control.colocation import LAUNCH_TOKEN, Colocation, prologue, prologue_path, wrapped_settings
from hpcsim.control.site_defaults import default_batch, with_site_defaults
from hpcsim.control.store import DatabaseRecord
from hpcsim.control.units import DEFAULT_DB, LaunchUnit, MemberUnit, ScriptSource, databases_env
from hpcsim.db.secret import app_secret_path
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError
from hpcsim.render import BatchContext, StepContext
from hpcsim.schedulers.kinds import BATCH_NAMES, KINDS, SLURM
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.factory import batch_class, create_run_settings
from hpcsim.settings.fit import check_fits
from hpcsim.settings.run import RunSettings
from hpcsim.settings.srun import SrunSettings
from hpcsim.site.schema import SiteConfig

__all__ = ["LaunchUnit", "plan", "plan_database", "step_output"]

_DIRECTIVE_PATH = re.compile(r"^[A-Za-z0-9_./+:@%=,-]+$")


def _entity_env(model: Model, exp_path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What every launched application is told besides where the databases are (hpcsim's
    names, then SmartSim's): the variables before the databases' and those after them."""
    keys = []
    if model.query_key_prefixing():
        keys += [("HPCSIM_KEYOUT", model.name), ("SSKEYOUT", model.name)]
    if model.incoming_entities:
        keyin = ",".join(e.name for e in model.incoming_entities)
        keys += [("HPCSIM_KEYIN", keyin), ("SSKEYIN", keyin)]
    return [("HPCSIM_EXP", str(exp_path)), ("HPCSIM_ENTITY", model.name)], keys


def step_output(script: Path, name: str, err: bool = False) -> Path:
    """Where the step of entity ``name`` writes its stdout (``err``: stderr); ``script`` is the
    entity's script, which lives in ``<entity dir>/.hpcsim/``."""
    return script.parent.parent / f"{name}.{'err' if err else 'out'}"


def _step(
    model: Model, exp_path: Path, databases: Sequence[DatabaseRecord], kind: str = "model"
) -> tuple[StepContext, int]:
    """The step that runs ``model``, without the database variables, and where in its
    environment they go; its launch command already names them."""
    root = Path(model.path)
    settings = model.run_settings
    own, keys = _entity_env(model, exp_path)
    names = [name for name, _ in (*own, *databases_env(databases), *keys)]
    token = ""
    if settings.colocated_db_settings is not None:
        settings = wrapped_settings(settings, prologue_path(model))
        token = LAUNCH_TOKEN
        names.append(LAUNCH_TOKEN)
    before = (*settings.launch_env().items(), *own)
    step = StepContext(
        name=model.name,
        kind=kind,
        cwd=model.work_dir or os.getcwd(),
        command=tuple(settings.command(env_names=names)),
        env=(*before, *keys),
        out=str(step_output(root / ".hpcsim" / f"{model.name}.sh", model.name)),
        err=str(step_output(root / ".hpcsim" / f"{model.name}.sh", model.name, err=True)),
        exit_code_file=str(root / ".hpcsim" / f"{model.name}.ec"),
        launch_token=token,
    )
    return step, len(before)


def _named_step(step: StepContext) -> StepContext:
    """A Slurm batch ensemble's member that srun launches, its step named after it (SmartSim
    names its srun steps so too): srun (22.05) exits 0 when it loses its step to a node
    failure, and the step's state in the accounting, found by this name, tells that apart
    from the program's own success (SlurmScheduler.confirm)."""
    if Path(step.command[0]).name != "srun":
        return step
    return dataclasses.replace(step, command=(step.command[0], f"--job-name={step.name}", *step.command[1:]))


def _prologues(
    models: Sequence[Model],
    launcher: str,
    site: SiteConfig | None,
    colocation: Colocation | None,
    databases: Sequence[DatabaseRecord],
) -> tuple[tuple[Path, str], ...]:
    return tuple(prologue(m, launcher, site, colocation, databases, DEFAULT_DB) for m in models if m.colocated)


def _local_unit(
    model: Model,
    exp_path: Path,
    site: SiteConfig | None,
    databases: Sequence[DatabaseRecord],
    kind: str = "model",
    launcher: str = "local",
    colocation: Colocation | None = None,
) -> LaunchUnit:
    if model.batch_settings is not None:
        raise ConfigError(
            f"model {model.name!r} has batch settings, but the local launcher runs without a "
            "scheduler; drop batch_settings or use a scheduler launcher"
        )
    step, database_at = _step(model, exp_path, databases, kind)
    return LaunchUnit(
        name=model.name,
        kind=kind,
        scheduler="local",
        script=Path(model.path) / ".hpcsim" / f"{model.name}.sh",
        exit_code_file=Path(step.exit_code_file),
        out=Path(step.out),
        err=Path(step.err),
        source=ScriptSource(step, (database_at,), site.template_dir if site else None),
        databases=tuple(databases),
        dirs=(Path(step.exit_code_file).parent,),
        files=_prologues([model], launcher, site, colocation, databases),
    )


def _directive_path(path: Path) -> str:
    """Batch output paths go into directives, which schedulers parse without a shell."""
    if not _DIRECTIVE_PATH.match(str(path)):
        raise ConfigError(
            f"batch output path {str(path)!r} has characters a scheduler directive cannot hold "
            "(whitespace, quotes, shell metacharacters); use an experiment path without them"
        )
    return str(path)


def _batch_unit(
    name: str,
    kind: str,
    root: Path,
    members: Sequence[Model],
    batch: BatchSettings | None,
    scheduler: str,
    exp_path: Path,
    site: SiteConfig | None,
    databases: Sequence[DatabaseRecord],
    concurrency: int | None = None,
    array: bool = False,
    colocation: Colocation | None = None,
) -> LaunchUnit:
    wanted = batch_class(scheduler)
    if batch is not None and not isinstance(batch, wanted):
        raise ConfigError(
            f"{kind} {name!r} has {type(batch).__name__}, but the {scheduler} launcher needs {wanted.__name__}"
        )
    batch = with_site_defaults(batch if batch is not None else default_batch(scheduler), site)
    hidden = root / ".hpcsim"
    index, base = (KINDS[scheduler].array_index or ("", 0)) if array else ("", 0)
    directives = tuple(batch.directives())
    out, err = _directive_path(hidden / f"{name}.job.out"), _directive_path(hidden / f"{name}.job.err")
    steps = [_step(m, exp_path, databases, "model" if kind == "ensemble" else kind) for m in members]
    if kind == "ensemble" and scheduler == SLURM.name and not array:
        steps = [(_named_step(step), at) for step, at in steps]
    job = BatchContext(
        name=name,
        directives=directives,
        out=out,
        err=err,
        preamble=tuple(batch.preamble),
        modules=site.modules if site else (),
        env=site.env if site else (),
        steps=tuple(step for step, _ in steps),
        concurrency=concurrency or len(members),
        exit_code_file=str(hidden / f"{name}.job.ec"),
        array_index=index,
        array_base=base,
    )
    return LaunchUnit(
        name=name,
        kind=kind,
        scheduler=scheduler,
        script=hidden / f"{name}.sh",
        exit_code_file=Path(job.exit_code_file),
        out=Path(job.out),
        err=Path(job.err),
        source=ScriptSource(job, tuple(at for _, at in steps), site.template_dir if site else None),
        databases=tuple(databases),
        dirs=(hidden, *(Path(s.exit_code_file).parent for s in job.steps)),
        members=tuple(MemberUnit(s.name, Path(s.out), Path(s.err), Path(s.exit_code_file)) for s in job.steps)
        if kind == "ensemble"
        else (),
        array=array,
        files=_prologues(members, scheduler, site, colocation, databases),
    )


def plan(
    entities: Sequence[Model | Ensemble],
    exp_path: Path,
    launcher: str,
    site: SiteConfig | None = None,
    in_allocation: bool = False,
    databases: Sequence[DatabaseRecord] = (),
    colocation: Colocation | None = None,
) -> list[LaunchUnit]:
    """Launch units for ``entities`` in order; every application receives the addresses of
    ``databases``: planned ones, until the units are bound to the running ones.

    Locally every model is its own unit. Under a scheduler a model with batch settings is one
    batch job; one without is a step (its launch command, e.g. ``srun``) when the driver runs
    inside an allocation, else a batch job from the scheduler's and site's defaults. An
    ensemble with batch settings is one job that runs its members as steps (or a job array).
    """
    models = [m for e in entities for m in (e.models if isinstance(e, Ensemble) else [e])]
    check_fits([model.run_settings for model in models], launcher)
    if launcher == "local":
        return [_local_unit(model, exp_path, site, databases, colocation=colocation) for model in models]
    if launcher not in BATCH_NAMES:
        raise ConfigError(f"unknown launcher {launcher!r}; choose local, {', '.join(BATCH_NAMES)}")
    units = []
    for entity in entities:
        if isinstance(entity, Ensemble) and entity.batch_settings is not None:
            units.append(
                _batch_unit(
                    entity.name,
                    "ensemble",
                    Path(entity.path),
                    entity.models,
                    entity.batch_settings,
                    launcher,
                    exp_path,
                    site,
                    databases,
                    entity.max_concurrent,
                    entity.array,
                    colocation,
                )
            )
            continue
        for model in entity.models if isinstance(entity, Ensemble) else [entity]:
            if in_allocation and model.batch_settings is None:
                units.append(_local_unit(model, exp_path, site, databases, "model", launcher, colocation))
                continue
            units.append(
                _batch_unit(
                    model.name,
                    "model",
                    Path(model.path),
                    [model],
                    model.batch_settings,
                    launcher,
                    exp_path,
                    site,
                    databases,
                    colocation=colocation,
                )
            )
    return units


def _db_batch(db: Orchestrator, scheduler: str) -> BatchSettings:
    batch = default_batch(scheduler)
    batch.set_nodes(db.db_nodes)
    if db.time:
        batch.set_walltime(db.time)
    if db.account:
        batch.set_account(db.account)
    if db.queue:
        batch.set_queue(db.queue)
    if db.cpus is not None:
        batch.request_cpus_per_task(db.cpus)
    if db.hosts:
        batch.request_hosts(db.hosts)  # the job must hold the hosts its step names
    for arg, value in db.batch_args.items():
        batch.set_batch_arg(arg, value)
    return batch


def _shard_args(db: Orchestrator, server: Path, secret: Path | None, interfaces: Sequence[str]) -> list[str]:
    args = ["-m", "hpcsim.db.shard", "--dir", db.path, "--server", str(server)]
    if secret is not None:
        args += ["--password-file", str(secret), "--app-password-file", str(app_secret_path(secret))]
    if db.is_cluster:
        args.append("--cluster")
    if db.cpus is not None and db.launcher == "local":
        args += ["--db-cpus", str(db.cpus)]
    for interface in interfaces:
        args += ["--interface", interface]
    for key, value in db.options:
        args += ["--set", f"{key}={value}"]
    return args


def plan_database(
    db: Orchestrator,
    exp_path: Path,
    launcher: str,
    site: SiteConfig | None,
    in_allocation: bool,
    server: Path,
    secret: Path | None,
) -> list[LaunchUnit]:
    """Launch units that start ``db``'s shards, each through ``python -m hpcsim.db.shard``.

    Locally every shard is its own process on port, port+1, ... Under a scheduler one launch
    command starts one shard per node on ``port`` (the shard takes its name from its rank): a
    step inside the driver's allocation, else (or with ``batch=True``) a batch job of
    ``db_nodes`` nodes.
    """
    if db.launcher != launcher:
        raise ConfigError(
            f"database {db.name!r} was made for the {db.launcher!r} launcher but this experiment uses "
            f"{launcher!r}; create it with exp.create_database(...)"
        )
    site_interfaces = site.network.db_interfaces if site is not None else ()
    # locally: loopback unless named; on nodes: the site's interfaces, else every routable one
    interfaces = db.interfaces or (() if launcher == "local" else site_interfaces or ("auto",))
    args = _shard_args(db, server, secret, interfaces)
    if launcher == "local":
        units = []
        for index, name in enumerate(db.shard_names()):
            settings = RunSettings(sys.executable, [*args, "--name", name, "--port", str(db.port + index)])
            units.append(_local_unit(Model(name, None, settings, db.path), exp_path, site, (), "database"))
        return units
    settings = create_run_settings(
        launcher, sys.executable, [*args, "--name", db.name, "--ranked", "--port", str(db.port)], db.run_command
    )
    if "set_nodes" in settings.flags:  # mpirun/mpiexec take nodes from the allocation instead
        settings.set_nodes(db.db_nodes)
    settings.set_tasks(db.db_nodes)
    settings.set_tasks_per_node(1)
    if db.hosts:
        settings.set_hostlist(list(db.hosts))
    if db.cpus is not None:
        settings.set_cpus_per_task(db.cpus)
    for arg, value in db.run_args.items():
        settings.set(arg, value)
    shard = Model(db.name, None, settings, db.path)
    if in_allocation and not db.batch:
        if isinstance(settings, SrunSettings):
            settings.set("overlap")  # a server mostly waits: it must not keep the job's CPUs from the models
        return [_local_unit(shard, exp_path, site, (), "database")]
    return [
        _batch_unit(db.name, "database", Path(db.path), [shard], _db_batch(db, launcher), launcher, exp_path, site, ())
    ]
