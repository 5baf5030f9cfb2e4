"""A database for users' own batch scripts: what ``hpcsim db start|stop|ping|cli`` do.

Users who keep their own sbatch scripts get a database with one line,
``eval "$(hpcsim db start)"``, which leaves it running and exports the variables an application
launched by an Experiment would receive, plus ``HPCSIM_DB_DIR`` so that later ``hpcsim db``
commands in the script find it. The database is an ordinary experiment in that directory
(``Experiment.load`` and ``hpcsim status`` see it): inside an allocation its shards run as a step
of the user's job (``srun --overlap`` under Slurm), outside one as processes on this machine.
"""

from __future__ import annotations

import logging
import os
import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hpcsim.client.address import parse_address, parse_addresses
from hpcsim.control.database import live
from hpcsim.control.node_local_db import NodeLocal, NodeLocalOrchestrator, in_this_allocation, on_every_node
from hpcsim.control.session import DEFAULT_DB, DatabaseRecord, database_env, is_experiment
from hpcsim.db.discovery import find_redis_cli, find_redis_server
from hpcsim.db.probe import ShardPing, ping_shard
from hpcsim.db.secret import Credential, read_credential
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import ConfigError, DatabaseError, LaunchError
from hpcsim.experiment import Experiment
from hpcsim.schedulers import in_allocation
from hpcsim.schedulers.kinds import KINDS, LOCAL
from hpcsim.site import select_site

__all__ = ["DIR_VARIABLE", "Target", "default_dir", "ping", "redis_cli", "resolve_dir", "start", "stop", "target"]

#: the variable ``start`` exports so that later commands in the script find the database
DIR_VARIABLE = "HPCSIM_DB_DIR"
#: the variables that say this process runs inside a job, in the order they are trusted
_JOB_VARIABLES = {name: kind.job_id_variable for name, kind in KINDS.items() if kind.job_id_variable}
_EXPERIMENT = "hpcsim-db"
_log = logging.getLogger("hpcsim.database")


def default_dir(env: Mapping[str, str] = os.environ) -> Path:
    """``./hpcsim-db-<job id>`` inside an allocation (one database per job), else ``./hpcsim-db``."""
    job = next((env[v] for v in _JOB_VARIABLES.values() if env.get(v)), "")
    return Path.cwd() / (f"hpcsim-db-{job}" if job else "hpcsim-db")


def resolve_dir(directory: Path | None, env: Mapping[str, str] = os.environ) -> Path:
    """``directory`` if given, else ``$HPCSIM_DB_DIR``, else :func:`default_dir`; absolute."""
    chosen = directory if directory is not None else Path(env[DIR_VARIABLE]) if env.get(DIR_VARIABLE) else None
    return Path(os.path.abspath((chosen or default_dir(env)).expanduser()))


def _scheduler() -> str:
    """The scheduler whose allocation this runs in (the site's first), else local."""
    site = select_site()
    order = [site.scheduler] if site is not None and site.scheduler in _JOB_VARIABLES else []
    return next((s for s in [*order, *_JOB_VARIABLES] if in_allocation(s)), LOCAL.name)


def _recorded(directory: Path) -> DatabaseRecord | None:
    if not is_experiment(directory):
        return None
    return Experiment.load(directory).session.running_databases().get(DEFAULT_DB)


def _contract(record: DatabaseRecord, directory: Path) -> list[tuple[str, str]]:
    return [*database_env(record), (DIR_VARIABLE, str(directory))]


def start(
    directory: Path,
    shards: int = 1,
    port: int = 6780,
    interfaces: Sequence[str] = (),
    colocated: bool = False,
) -> list[tuple[str, str]]:
    """Bring a database up in ``directory`` and return once every shard answers, leaving it
    running; the result is the environment its applications need (see :func:`database_env`)
    plus ``HPCSIM_DB_DIR``. ``colocated``: a loopback shard on every node of the allocation."""
    if colocated and (shards != 1 or interfaces):
        raise ConfigError("--colocated starts one shard per node on its loopback; leave out --shards and --interface")
    record = _recorded(directory)
    if record is not None and live(record).is_active(workers=False):
        raise LaunchError(
            f"a database is already running in {directory} ({', '.join(record.addresses)}); "
            f"stop it first with `hpcsim db stop --dir {shlex.quote(str(directory))}`, or choose another --dir"
        )
    launcher = _scheduler()
    exp = Experiment(_EXPERIMENT, exp_path=directory, launcher=launcher)
    node_local = in_this_allocation(port) if colocated and launcher != "local" else None
    db: Orchestrator
    if node_local is not None:
        db = NodeLocalOrchestrator(exp.exp_path / DEFAULT_DB, port, node_local.nodes, launcher)
    else:
        db = exp.create_database(
            port=port, db_nodes=shards, interface=["lo"] if colocated else list(interfaces) or None
        )
    NodeLocal.forget(directory)  # a marker left by node-local shards that died without a stop
    began = time.monotonic()
    exp.start(db)
    record = exp.session.running_databases()[DEFAULT_DB]
    if node_local is not None:  # every node's shard is 127.0.0.1:port to the ranks on that node
        record = exp.session.narrow_database(DEFAULT_DB, record.addresses[:1])
        node_local.save(directory)
    where = (
        ", ".join(record.addresses)
        if node_local is None
        else f"{record.addresses[0]} of each of {node_local.nodes} nodes"
    )
    _log.info("database up in %.1f s at %s; stop it with `hpcsim db stop`", time.monotonic() - began, where)
    return _contract(record, directory)


def stop(directory: Path) -> None:
    """SHUTDOWN every shard of the database in ``directory`` and wait until its jobs ended."""
    record = _recorded(directory)
    if record is None:
        raise DatabaseError(
            f"no database is running in {directory}; start one with "
            f'`eval "$(hpcsim db start --dir {shlex.quote(str(directory))})"`'
        )
    node_local = NodeLocal.load(directory)
    if node_local is not None:
        failed = [r for r in on_every_node("shutdown", node_local, record.password_file) if not r.ok]
        for report in failed:
            _log.warning("shard %s on %s: %s; cancelling its step instead", report.address, report.host, report.error)
    Experiment.load(directory).stop(DEFAULT_DB)
    NodeLocal.forget(directory)


@dataclass(frozen=True)
class Target:
    """Where a database listens, as a client sees it: from a database directory (whose
    ``password_file`` is the admin's), or from the variables ``start`` exported (whose password
    file is the applications')."""

    addresses: tuple[str, ...]
    cluster: bool
    password_file: str
    node_local: NodeLocal | None = None

    def credential(self) -> Credential | None:
        return read_credential(self.password_file) if self.password_file else None


def _from_env(env: Mapping[str, str]) -> Target:
    addresses = tuple(str(a) for a in parse_addresses(env["HPCSIM_DB"], "HPCSIM_DB"))
    kind = env.get("HPCSIM_DB_TYPE") or ("cluster" if len(addresses) > 1 else "standalone")
    return Target(addresses, kind == "cluster", env.get("HPCSIM_DB_PASSWORD_FILE", ""))


def target(directory: Path | None, env: Mapping[str, str] = os.environ) -> Target:
    """The database running in ``directory``, else in ``$HPCSIM_DB_DIR``; without either, or
    when that one was stopped, the one the variables ``HPCSIM_DB`` and
    ``HPCSIM_DB_PASSWORD_FILE`` name; without those, the one in :func:`default_dir`."""
    contract = directory is None and bool(env.get("HPCSIM_DB"))
    path = resolve_dir(directory, env)
    record = _recorded(path) if not contract or env.get(DIR_VARIABLE) else None
    if record is not None:
        return Target(record.addresses, record.cluster, record.password_file, NodeLocal.load(path))
    if contract:
        return _from_env(env)
    raise DatabaseError(
        f"no database is running in {path} and HPCSIM_DB is not set; start one with "
        f'`eval "$(hpcsim db start --dir {shlex.quote(str(path))})"`'
    )


def ping(where: Target) -> list[ShardPing]:
    """A timed PING of every shard (node-local ones from their own nodes)."""
    if where.node_local is not None:
        return on_every_node("ping", where.node_local, where.password_file)
    credential = where.credential()
    password, user = (credential.password, credential.username) if credential else (None, None)
    return [ping_shard(address, password, username=user) for address in where.addresses]


def redis_cli(where: Target, args: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """argv and environment of redis-cli talking to the first shard: ``-c`` for a cluster, the
    password in ``REDISCLI_AUTH`` (never on the command line, where ``ps`` shows it) and, for
    an ACL user (the applications' identity), ``--user``."""
    site = select_site()
    argv = [str(find_redis_cli(find_redis_server(site.redis_server if site is not None else None)))]
    first = parse_address(where.addresses[0], "database address")
    argv += ["-s", first.path] if first.is_unix else ["-h", first.host, "-p", str(first.port)]
    env = dict(os.environ)
    env.pop("REDISCLI_AUTH", None)
    credential = where.credential()
    if credential is not None:
        env["REDISCLI_AUTH"] = credential.password
        argv += ["--user", credential.username] if credential.username else []
    return [*argv, *(["-c"] if where.cluster else []), *args], env
