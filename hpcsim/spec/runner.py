"""Running a spec: the experiment it describes, built through the public API, started with
its database first and the database stopped again when the applications end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hpcsim import config
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import HpcsimError, SpecError
from hpcsim.experiment import Experiment
from hpcsim.settings.run import RunSettings
from hpcsim.spec.schema import AppSpec, Spec
from hpcsim.status import Status

__all__ = ["build", "run_spec"]


@contextmanager
def _located(spec: Spec, line: int, where: str) -> Iterator[None]:
    """Errors the library raises while building an entry name its place in the spec."""
    try:
        yield
    except SpecError:
        raise
    except HpcsimError as exc:
        raise SpecError(f"{spec.source}:{line}: {where}: {exc}") from None


def _local(folder: Path, path: str) -> str:
    """Paths in a spec are relative to the spec's folder; bare command names stay as they are."""
    return path if "/" not in path or Path(path).is_absolute() else str(folder / path)


def _settings(exp: Experiment, app: AppSpec, folder: Path) -> RunSettings:
    run = app.run
    settings = exp.create_run_settings(
        _local(folder, app.exe), list(app.args), run.command, dict(run.args), dict(app.env)
    )
    if run.nodes is not None:
        settings.set_nodes(run.nodes)
    if run.tasks is not None:
        settings.set_tasks(run.tasks)
    if run.tasks_per_node is not None:
        settings.set_tasks_per_node(run.tasks_per_node)
    return settings


def _entity(exp: Experiment, app: AppSpec, folder: Path) -> Model | Ensemble:
    settings = _settings(exp, app, folder)
    entity: Model | Ensemble
    if app.ensemble:
        params = dict(app.params) or None
        entity = exp.create_ensemble(app.name, params, None, settings, app.replicas, app.strategy)
    else:
        entity = exp.create_model(app.name, settings, dict(app.params))
    if app.copy or app.symlink or app.configure:
        files = [[str(folder / f) for f in group] or None for group in (app.copy, app.symlink, app.configure)]
        entity.attach_generator_files(*files)
    if app.key_prefixing is True:
        entity.enable_key_prefixing()
    elif app.key_prefixing is False:
        entity.disable_key_prefixing()
    return entity


def build(spec: Spec) -> tuple[Experiment, Orchestrator | None, list[Model | Ensemble]]:
    """The experiment, its database (if the spec has one) and its applications."""
    exp = Experiment(spec.name, spec.path, spec.launcher, spec.site)
    db = None
    if spec.database is not None:
        conf = spec.database
        with _located(spec, conf.line, "database"):
            db = exp.create_database(conf.port, db_nodes=conf.shards, interface=list(conf.interfaces) or None)
    apps = []
    folder = spec.source.parent
    for app in spec.apps:
        with _located(spec, app.line, app.where):
            apps.append(_entity(exp, app, folder))
    return exp, db, apps


def run_spec(spec: Spec) -> bool:
    """Generate and run everything in ``spec``; True if every application completed."""
    exp, db, apps = build(spec)
    exp.generate(*apps, *([db] if db else []), overwrite=True)
    if db is not None:
        exp.start(db)
    try:
        exp.start(*apps, block=True)
    finally:
        if db is not None:
            exp.stop(db)
    statuses = exp.get_status(*apps)
    if not config.dry_run():
        print(exp.summary(), flush=True)
    return all(s in (Status.COMPLETED, Status.NEW) for s in statuses)
