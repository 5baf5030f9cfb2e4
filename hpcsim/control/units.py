"""Launch units, and binding the databases' addresses into them.

The planner (:mod:`hpcsim.control.planner`) makes each unit once: its paths, its directives,
and its steps' environments without the database variables, which depend on where the
databases listen. A unit's script is rendered when first read, with the addresses of the
databases the unit is bound to: the planned ones for a preview, the running ones
(:func:`bind`) for a launch.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path

from hpcsim.control.store import DatabaseRecord
from hpcsim.db.secret import app_secret_path
from hpcsim.errors import InternalError
from hpcsim.render import BatchContext, StepContext, render_batch, render_local_step

__all__ = [
    "DEFAULT_DB",
    "LaunchUnit",
    "MemberUnit",
    "ScriptSource",
    "bind",
    "check_renders",
    "database_env",
    "databases_env",
]

#: the identifier whose database gets the unsuffixed variables (``HPCSIM_DB``, ``SSDB``)
DEFAULT_DB = "orchestrator"


def database_env(database: DatabaseRecord) -> list[tuple[str, str]]:
    """Where one database listens, under hpcsim's names and SmartSim's, and the applications'
    credential file (never the admin's). The default identifier gets the plain names; any
    other is a suffix (``HPCSIM_DB_<id>``)."""
    suffix = "" if database.identifier == DEFAULT_DB else f"_{database.identifier}"
    addresses = ",".join(database.addresses)
    env = [
        (f"HPCSIM_DB{suffix}", addresses),
        (f"HPCSIM_DB_TYPE{suffix}", "cluster" if database.cluster else "standalone"),
    ]
    if database.password_file:
        env.append((f"HPCSIM_DB_PASSWORD_FILE{suffix}", str(app_secret_path(database.password_file))))
    env += [(f"SSDB{suffix}", addresses), (f"SR_DB_TYPE{suffix}", "Clustered" if database.cluster else "Standalone")]
    return env


def databases_env(databases: Sequence[DatabaseRecord]) -> list[tuple[str, str]]:
    """The variables of every database in ``databases``, in their order."""
    return [pair for database in databases for pair in database_env(database)]


@dataclasses.dataclass(frozen=True)
class ScriptSource:
    """What a unit's script is rendered from: one step, or a batch job of steps, whose
    environments lack the database variables."""

    job: StepContext | BatchContext
    #: for each step, where in its ``env`` the database variables go
    database_at: tuple[int, ...]
    template_dir: str | None

    def render(self, scheduler: str, databases: Sequence[DatabaseRecord]) -> str:
        env = tuple(databases_env(databases))
        if isinstance(self.job, StepContext):
            return render_local_step(_with_databases(self.job, self.database_at[0], env), self.template_dir)
        steps = tuple(_with_databases(s, at, env) for s, at in zip(self.job.steps, self.database_at, strict=True))
        return render_batch(scheduler, dataclasses.replace(self.job, steps=steps), self.template_dir)


def _with_databases(step: StepContext, at: int, env: tuple[tuple[str, str], ...]) -> StepContext:
    return dataclasses.replace(step, env=(*step.env[:at], *env, *step.env[at:]))


@dataclasses.dataclass(frozen=True)
class MemberUnit:
    """A model that runs as one step of a batch ensemble job, with its own exit code."""

    name: str
    out: Path
    err: Path
    exit_code_file: Path


@dataclasses.dataclass(frozen=True)
class LaunchUnit:
    """One script to submit, and where its pieces live."""

    name: str
    kind: str
    #: the scheduler that runs it: the experiment's, or ``local`` for a step inside an allocation
    scheduler: str
    script: Path
    exit_code_file: Path
    out: Path
    err: Path
    source: ScriptSource
    #: the databases whose addresses its steps receive (planned ones until :func:`bind`)
    databases: tuple[DatabaseRecord, ...] = ()
    #: directories that must exist before the script runs (entity dirs and their .hpcsim/)
    dirs: tuple[Path, ...] = ()
    #: the members of a batch ensemble, in step order
    members: tuple[MemberUnit, ...] = ()
    #: members run as the tasks of a job array
    array: bool = False
    #: further files the script runs (colocated-database prologues), written next to it
    files: tuple[tuple[Path, str], ...] = ()

    @functools.cached_property
    def text(self) -> str:
        """The script, rendered once, when first read."""
        return self.source.render(self.scheduler, self.databases)


def _names(database: DatabaseRecord) -> list[str]:
    return [name for name, _ in database_env(database)]


def _running(planned: DatabaseRecord, running: Mapping[str, DatabaseRecord]) -> DatabaseRecord:
    record = running.get(planned.identifier)
    if record is None or _names(record) != _names(planned):
        # the launch commands name the planned variables (``mpirun -x NAME``)
        raise InternalError(f"database {planned.identifier!r} is not running as it was planned")
    return record


def check_renders(units: Sequence[LaunchUnit]) -> None:
    """Render each unit's script now, with the databases it is bound to: a template that
    cannot render (a site's override, say) fails before anything launches."""
    for unit in units:
        _ = unit.text


def bind(units: Sequence[LaunchUnit], running: Mapping[str, DatabaseRecord]) -> list[LaunchUnit]:
    """``units`` told where the ``running`` databases (by identifier) listen instead of where
    they were planned to: only the variables' values change, so nothing is planned again, and
    a unit whose databases run where they were planned keeps its rendered script."""
    bound = []
    for unit in units:
        databases = tuple(_running(planned, running) for planned in unit.databases)
        bound.append(unit if databases == unit.databases else dataclasses.replace(unit, databases=databases))
    return bound
