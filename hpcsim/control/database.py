"""Bringing databases up and down: launch the shards, wait until every one answers, form the
cluster, record where it listens; and on stop, a clean SHUTDOWN of every shard.

A database whose start fails part-way is taken down again, so no shard is left holding a port.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from hpcsim import _shell, config
from hpcsim.control.colocation import Colocation
from hpcsim.control.controller import Controller
from hpcsim.control.planner import LaunchUnit, plan_database
from hpcsim.control.store import DatabaseRecord, JobRecord
from hpcsim.db import admin
from hpcsim.db.acl import APP_USER
from hpcsim.db.discovery import find_redis_cli, find_redis_server
from hpcsim.db.netif import interface_address
from hpcsim.db.secret import APP_SECRET_NAME, SECRET_NAME, ensure_secret, read_secret
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import LiveDatabase, Orchestrator
from hpcsim.errors import CommandError, DatabaseError, DatabaseIdentifierError
from hpcsim.schedulers import in_allocation
from hpcsim.site.schema import SiteConfig
from hpcsim.status import Status

__all__ = ["Databases", "bring_up", "launch_database", "live", "stop_database", "worker_reasons"]

_log = logging.getLogger("hpcsim.control")
#: seconds a running shard gets to report itself (redis loads its dump first, if any)
READY_TIMEOUT = 120.0
CLUSTER_TIMEOUT = 60.0
#: seconds between two scheduler queries while shards start
_REFRESH = 0.5


def live(record: DatabaseRecord) -> LiveDatabase:
    return LiveDatabase(record.addresses, record.cluster, record.password_file or None)


def worker_reasons(records: Iterable[DatabaseRecord]) -> dict[str, str]:
    """Job name -> reason, for the shard jobs of running databases whose inference worker is
    down (the shard restarts a dead worker a few times, then gives up; see docs/database.md).
    A database that does not answer at all is left to its job's own status."""
    reasons: dict[str, str] = {}
    for record in records:
        database = live(record)
        try:
            down = database.workers_down() if database.is_active(workers=False) else []
        except DatabaseError:
            continue
        for address in down:
            index = record.addresses.index(address)
            jobs = record.jobs or (record.identifier,)
            job = jobs[index] if len(jobs) == len(record.addresses) else jobs[0]
            why = f"inference worker down beside {address}: run_model/run_script fail; see the shard's log"
            reasons[job] = f"{reasons[job]}; {why}" if job in reasons else why
    return reasons


def planned_record(db: Orchestrator, secret: Path | None) -> DatabaseRecord:
    """Where ``db`` will listen, for a preview: loopback ports locally, the given hosts (or a
    ``<shard>`` placeholder, known once it runs) under a scheduler."""
    if db.launcher == "local":
        try:
            host = interface_address(db.interfaces[0]) if db.interfaces else "127.0.0.1"
        except ValueError as exc:
            raise DatabaseError(f"database {db.name!r}: {exc}") from None
        addresses = [f"{host}:{db.port + i}" for i in range(db.num_shards)]
    else:
        hosts = db.hosts or tuple(f"<{name}>" for name in db.shard_names())
        addresses = [f"{host}:{db.port}" for host in hosts]
    return DatabaseRecord(db.name, tuple(addresses), db.is_cluster, str(secret) if secret else "", ())


def _tail(path: str, lines: int = 5) -> str:
    try:
        text = Path(path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def _shard_infos(db: Orchestrator) -> dict[str, dict[str, object]]:
    hidden = Path(db.path) / ".hpcsim"
    infos = {}
    for name in db.shard_names():
        try:
            infos[name] = json.loads((hidden / f"{name}.shard.json").read_text())
        except (OSError, ValueError):
            continue
    return infos


def _clear_shard_infos(db: Orchestrator) -> None:
    """Forget what an earlier run reported, so only this launch's shards count as ready."""
    hidden = Path(db.path) / ".hpcsim"
    for name in db.shard_names():
        (hidden / f"{name}.shard.json").unlink(missing_ok=True)
        (hidden / f"{name}.worker.json").unlink(missing_ok=True)


def _wait_for_workers(db: Orchestrator, records: list[JobRecord], names: Sequence[str]) -> None:
    """Wait until the inference worker beside every primary shard in ``names`` is serving (a
    cluster shard reports itself before its worker, which needs the formed cluster to know its
    keys; a replica's worker waits until the replica is promoted)."""
    hidden = Path(db.path) / ".hpcsim"
    deadline = time.monotonic() + READY_TIMEOUT
    while missing := [n for n in names if not (hidden / f"{n}.worker.json").exists()]:
        if time.monotonic() > deadline:
            raise DatabaseError(
                f"database {db.name!r}: the inference worker of shard(s) {', '.join(missing)} did not start "
                f"within {READY_TIMEOUT:g}s; see {records[0].err}"
            )
        time.sleep(0.02)


def _wait_for_shards(control: Controller, db: Orchestrator, records: list[JobRecord]) -> list[str]:
    """Addresses of every shard, in shard order, once each has reported itself."""
    started = time.monotonic()
    running_since: float | None = None
    next_refresh = next_progress = started
    delay = 0.002
    while len(infos := _shard_infos(db)) < db.num_shards:
        now = time.monotonic()
        if now >= next_refresh:
            records = control.refresh(records)
            next_refresh = now + _REFRESH
            ended = [r for r in records if r.status.is_terminal]
            if ended:
                first = ended[0]
                detail = " | ".join(filter(None, [_tail(first.err, 3), _tail(first.out, 3)])) or first.reason
                raise DatabaseError(
                    f"database {db.name!r} failed to start: {first.name} {first.status.value.lower()}"
                    f"{f' ({detail})' if detail else ''}; see {first.err}"
                )
            if running_since is None and all(r.status is Status.RUNNING for r in records):
                running_since = now
        if running_since is not None and now - running_since > READY_TIMEOUT:
            missing = sorted(set(db.shard_names()) - set(infos))
            raise DatabaseError(
                f"database {db.name!r}: shard(s) {', '.join(missing)} did not report ready within "
                f"{READY_TIMEOUT:g}s of running; see {records[0].out}"
            )
        if now >= next_progress and now > started + 1:
            _log.info("waiting for database %r: %d of %d shards up", db.name, len(infos), db.num_shards)
            next_progress = now + config.progress_interval()
        time.sleep(delay)
        delay = min(delay * 1.5, 0.01 if now - started < 2 else 0.1)  # a shard starts in ~0.1 s
    return [f"{infos[n]['address']}:{infos[n]['port']}" for n in db.shard_names()]


def _create_replicated_cluster(addresses: Sequence[str], replicas: int, cli: Path, password: str | None) -> None:
    """``redis-cli --cluster create ... --cluster-replicas N``: the first ``len/(1+N)``
    addresses (the primaries' shards, all on one host locally) become primaries."""
    env = dict(os.environ)
    if password is not None:
        env["REDISCLI_AUTH"] = password
    argv = [str(cli), "--cluster", "create", *addresses, "--cluster-replicas", str(replicas), "--cluster-yes"]
    try:
        _shell.run(argv, timeout=CLUSTER_TIMEOUT, env=env)
    except CommandError as exc:
        detail = (exc.stdout + exc.stderr).strip().splitlines()[-3:]
        raise DatabaseError(
            f"could not form a Redis Cluster with {replicas} replica(s) per primary of {', '.join(addresses)}: "
            f"{' | '.join(detail)}"
        ) from None


def _primary_names(db: Orchestrator, addresses: Sequence[str], password: str | None) -> list[str]:
    """The shards the formed cluster made primaries (all of them without replicas)."""
    if not db.replicas:
        return db.shard_names()
    primaries = set(live(DatabaseRecord(db.name, tuple(addresses), True, "", ())).primaries(password))
    return [name for name, address in zip(db.shard_names(), addresses, strict=True) if address in primaries]


def _wait_replicas_linked(replicas: Sequence[str], password: str | None) -> None:
    """Block until every replica has finished its first sync (``master_link_status:up``), so
    the first durable put (WAIT) has a replica to acknowledge it."""
    import redis  # on first use, as in hpcsim.db.admin

    deadline = time.monotonic() + CLUSTER_TIMEOUT
    for address in replicas:
        while True:
            try:
                with admin.connect(address, password, 2.0) as conn:
                    info = conn.info("replication")
                if info.get("role") == "slave" and info.get("master_link_status") == "up":
                    break
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise DatabaseError(f"replica {address} did not finish its first sync within {CLUSTER_TIMEOUT:g}s")
            time.sleep(0.02)


def launch_database(control: Controller, db: Orchestrator, units: Sequence[LaunchUnit]) -> list[JobRecord]:
    """Submit the shards of ``db`` (its planned ``units``); :func:`bring_up` waits for them."""
    _clear_shard_infos(db)
    return control.launch(units)


def bring_up(
    control: Controller,
    db: Orchestrator,
    records: list[JobRecord],
    server: Path,
    secret: Path | None,
) -> DatabaseRecord:
    """Return once the launched database serves requests; on any failure its jobs are
    cancelled, so no shard keeps a port."""
    try:
        addresses = _wait_for_shards(control, db, records)
        password = read_secret(secret) if secret else None
        unreachable = [a for a in addresses if not admin.ping(a, password)]
        if unreachable:
            raise DatabaseError(
                f"database {db.name!r}: shard(s) at {', '.join(unreachable)} started but do not answer from "
                "this host; check the database interface (interface= or the site's network.db_interfaces)"
            )
        if db.is_cluster:
            cli = find_redis_cli(server)
            if db.replicas:
                _create_replicated_cluster(addresses, db.replicas, cli, password)
            else:
                admin.create_cluster(addresses, cli, password, CLUSTER_TIMEOUT)
            admin.wait_cluster_ok(addresses, password, CLUSTER_TIMEOUT)
            primaries = _primary_names(db, addresses, password)
            _wait_for_workers(db, records, primaries)
            if db.replicas:
                _wait_replicas_linked(
                    [a for n, a in zip(db.shard_names(), addresses, strict=True) if n not in primaries], password
                )
    except BaseException:
        control.cancel(records, f"database {db.name!r} failed to start")
        raise
    record = DatabaseRecord(
        db.name, tuple(addresses), db.is_cluster, str(secret) if secret else "", tuple(r.name for r in records)
    )
    control.store.add_database(record)
    db.set_live(live(record))
    _log.info("database %r up: %s", db.name, ", ".join(addresses))
    return record


def stop_database(control: Controller, record: DatabaseRecord, records: Sequence[JobRecord]) -> list[JobRecord]:
    """SHUTDOWN every shard (saving first if checkpoints are on), wait for the jobs to end,
    and cancel whatever is still running after the grace period."""
    password = live(record).password()
    for address in record.addresses:
        try:
            admin.shutdown(address, password)
        except DatabaseError as exc:
            _log.warning("%s; cancelling its job instead", exc)
    deadline = time.monotonic() + max(config.stop_grace(), 5.0)
    # this process ends the database's jobs, so it records how they ended
    current = control.refresh(records, acted=True)
    while any(not r.status.is_terminal for r in current) and time.monotonic() < deadline:
        time.sleep(0.05)
        current = control.refresh(current, acted=True)
    if any(not r.status.is_terminal for r in current):
        current = control.cancel(current, f"database {record.identifier!r} did not exit after SHUTDOWN")
    control.store.remove_database(record.identifier)
    return current


class Databases:
    """The databases of one experiment: where their server and password come from, their
    launch units, and whether one may start."""

    def __init__(self, exp_path: Path, launcher: str, site: SiteConfig | None, dry_run: bool) -> None:
        self.exp_path = exp_path
        self.launcher = launcher
        self.site = site
        self.dry_run = dry_run

    def secret(self, password: bool = True, create: bool = True) -> Path | None:
        """The experiment's admin password file (None without ``password``), created on first
        use together with the applications' credential file beside it, unless ``create`` is
        off (previews and dry runs write nothing)."""
        if not password:
            return None
        hidden = self.exp_path / ".hpcsim"
        if not create or self.dry_run:
            return hidden / SECRET_NAME
        secret = ensure_secret(hidden)
        ensure_secret(hidden, APP_SECRET_NAME, APP_USER)
        return secret

    def server(self) -> Path:
        return find_redis_server(self.site.redis_server if self.site is not None else None)

    def plan(self, db: Orchestrator, create: bool = True) -> list[LaunchUnit]:
        allocated = in_allocation(self.launcher)
        secret = self.secret(db.password, create)
        return plan_database(db, self.exp_path, self.launcher, self.site, allocated, self.server(), secret)

    def planned(self, db: Orchestrator) -> DatabaseRecord:
        return planned_record(db, self.secret(db.password, create=False))

    def colocation(self, models: Sequence[Model], create: bool = True) -> Colocation | None:
        """Server and password for the colocated databases among ``models`` (None if none)."""
        if not any(m.colocated for m in models):
            return None
        return Colocation(self.server(), self.secret(True, create))

    @staticmethod
    def check_startable(control: Controller, dbs: Sequence[Orchestrator]) -> None:
        """Refuse a database that is already up; forget one that died without a stop."""
        known = control.store.databases()
        for db in dbs:
            if db.name not in known:
                continue
            if live(known[db.name]).is_active(workers=False):
                raise DatabaseIdentifierError(
                    f"database {db.name!r} is already running at {', '.join(known[db.name].addresses)}; "
                    "stop it first or use another db_identifier"
                )
            control.store.remove_database(db.name)
