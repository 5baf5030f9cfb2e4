"""The durable job store: one SQLite file under ``<exp>/.hpcsim/`` per experiment.

Every launch is a row; every status change is a history row with a timestamp. Any process can
open the store (WAL mode), so ``hpcsim status`` and ``Experiment.load`` see what a driver did,
even after it died.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hpcsim.errors import ConfigError, HpcsimError
from hpcsim.schedulers.base import JobRef, JobUpdate
from hpcsim.status import Status

__all__ = ["DatabaseRecord", "HistoryEntry", "JobRecord", "JobStore", "JobStoreError", "NewJob", "store_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    scheduler TEXT NOT NULL,
    native_id TEXT NOT NULL,
    script TEXT NOT NULL,
    out TEXT NOT NULL,
    err TEXT NOT NULL,
    exit_code_file TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    submitted REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs (name, id);
CREATE TABLE IF NOT EXISTS history (
    job_id INTEGER NOT NULL REFERENCES jobs (id),
    status TEXT NOT NULL,
    exit_code INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    time REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS history_by_job ON history (job_id);
CREATE TABLE IF NOT EXISTS databases (
    identifier TEXT PRIMARY KEY,
    addresses TEXT NOT NULL,
    cluster INTEGER NOT NULL,
    password_file TEXT NOT NULL,
    jobs TEXT NOT NULL,
    started REAL NOT NULL
);
"""


class JobStoreError(HpcsimError):
    """The job store cannot be read or written: damaged, not a store, or its disk is full."""


def _full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "disk is full" in text or "no space" in text or getattr(exc, "errno", None) == errno.ENOSPC


def _failure(path: Path, doing: str, exc: BaseException) -> JobStoreError:
    """One line naming the file, what went wrong and what to do."""
    if _full(exc):
        return JobStoreError(
            f"cannot {doing} the job store {str(path)!r}: the file system is full ({exc}); free space "
            "there and run the command again"
        )
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return JobStoreError(f"cannot {doing} the job store {str(path)!r}: {exc}; another hpcsim process holds it")
    return JobStoreError(
        f"cannot {doing} the job store {str(path)!r}: it is damaged or not an hpcsim job store "
        f"({type(exc).__name__}: {exc}); move it aside (mv {path} {path}.bad) to start the experiment's "
        "history afresh, or restore it from a backup"
    )


def store_path(exp_path: str | Path) -> Path:
    return Path(exp_path) / ".hpcsim" / "jobs.sqlite"


@dataclass(frozen=True)
class DatabaseRecord:
    """A running database: where its shards listen and which job records run them."""

    identifier: str
    addresses: tuple[str, ...]
    cluster: bool
    password_file: str
    jobs: tuple[str, ...]


@dataclass(frozen=True)
class NewJob:
    """A launch about to be recorded."""

    name: str
    kind: str
    scheduler: str
    native_id: str
    script: str
    out: str
    err: str
    exit_code_file: str
    status: Status


@dataclass(frozen=True)
class JobRecord:
    id: int
    name: str
    kind: str
    scheduler: str
    native_id: str
    script: str
    out: str
    err: str
    exit_code_file: str
    status: Status
    exit_code: int | None
    reason: str
    submitted: float
    updated: float

    @property
    def ref(self) -> JobRef:
        return JobRef(self.native_id, self.exit_code_file)


@dataclass(frozen=True)
class HistoryEntry:
    status: Status
    exit_code: int | None
    reason: str
    time: float


def _record(row: sqlite3.Row) -> JobRecord:
    values = dict(row)
    values["status"] = Status(values["status"])
    return JobRecord(**values)


def _stamp(record: JobRecord, update: JobUpdate, now: float) -> float:
    """When ``update`` happened: the job's own end if it ended and that is known, else now."""
    if update.ended is None or not update.status.is_terminal:
        return now
    return min(max(update.ended, record.updated), now)


class JobStore:
    """All launches of one experiment."""

    def __init__(self, path: Path, create: bool = True) -> None:
        if not create and not path.is_file():
            raise ConfigError(f"no hpcsim experiment at {str(path.parent.parent)!r} (missing {path.name})")
        self.path = path
        with self._guard("open"):
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        if not create:
            missing = [key for key in ("name", "launcher") if key not in self.meta()]
            if missing:
                self._db.close()
                raise _failure(path, "read", ValueError(f"no experiment {' or '.join(missing)} recorded"))

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Turn SQLite's and the records' errors into one :class:`JobStoreError` line."""
        try:
            yield
        except (sqlite3.Error, OSError, ValueError, KeyError, TypeError) as exc:
            raise _failure(self.path, doing, exc) from exc

    def close(self) -> None:
        self._db.close()

    def set_meta(self, **values: str) -> None:
        with self._guard("write"), self._db:
            self._db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                values.items(),
            )

    def meta(self) -> dict[str, str]:
        with self._guard("read"):
            return {row["key"]: row["value"] for row in self._db.execute("SELECT key, value FROM meta")}

    def add(self, jobs: Sequence[NewJob]) -> list[JobRecord]:
        """Record launches in one transaction, each with its first history entry."""
        now = time.time()
        ids = []
        with self._guard("write"), self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for job in jobs:
                cursor = self._db.execute(
                    "INSERT INTO jobs (name, kind, scheduler, native_id, script, out, err, "
                    "exit_code_file, status, submitted, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        job.name,
                        job.kind,
                        job.scheduler,
                        job.native_id,
                        job.script,
                        job.out,
                        job.err,
                        job.exit_code_file,
                        job.status.value,
                        now,
                        now,
                    ),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
                self._db.execute(
                    "INSERT INTO history (job_id, status, time) VALUES (?, ?, ?)",
                    (cursor.lastrowid, job.status.value, now),
                )
        return self._by_ids(ids)

    def update(self, changes: Iterable[tuple[JobRecord, JobUpdate]]) -> None:
        """Apply status changes in one transaction; unchanged statuses write nothing. A job
        that ended is stamped with its real end where the update knows it (kept between its
        last recorded change and now), else with now."""
        now = time.time()
        rows = [
            (update.status.value, update.exit_code, update.reason, _stamp(record, update, now), record.id)
            for record, update in changes
            if update.status is not record.status
        ]
        if not rows:
            return
        with self._guard("write"), self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "UPDATE jobs SET status = ?, exit_code = ?, reason = ?, updated = ? WHERE id = ?", rows
            )
            self._db.executemany(
                "INSERT INTO history (status, exit_code, reason, time, job_id) VALUES (?,?,?,?,?)", rows
            )

    def _by_ids(self, ids: Sequence[int]) -> list[JobRecord]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._guard("read"):
            rows = self._db.execute(f"SELECT * FROM jobs WHERE id IN ({marks}) ORDER BY id", list(ids))
            return [_record(row) for row in rows]

    def refresh(self, records: Sequence[JobRecord]) -> list[JobRecord]:
        return self._by_ids([r.id for r in records])

    def latest(self, names: Iterable[str] | None = None) -> dict[str, JobRecord]:
        """The most recent launch of each name (of every name when ``names`` is None)."""
        with self._guard("read"):
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs GROUP BY name) ORDER BY id"
            )
            latest = {row["name"]: _record(row) for row in rows}
        return latest if names is None else {n: latest[n] for n in names if n in latest}

    def all_runs(self) -> list[JobRecord]:
        with self._guard("read"):
            return [_record(row) for row in self._db.execute("SELECT * FROM jobs ORDER BY id")]

    def history(self, job_id: int) -> list[HistoryEntry]:
        with self._guard("read"):
            rows = self._db.execute(
                "SELECT status, exit_code, reason, time FROM history WHERE job_id = ? ORDER BY rowid",
                (job_id,),
            )
            return [HistoryEntry(Status(r["status"]), r["exit_code"], r["reason"], r["time"]) for r in rows]

    def add_database(self, record: DatabaseRecord) -> None:
        """Remember a database that came up (replacing an earlier one of that identifier)."""
        with self._guard("write"), self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO databases (identifier, addresses, cluster, password_file, jobs, started) "
                "VALUES (?,?,?,?,?,?)",
                (
                    record.identifier,
                    json.dumps(record.addresses),
                    int(record.cluster),
                    record.password_file,
                    json.dumps(record.jobs),
                    time.time(),
                ),
            )

    def remove_database(self, identifier: str) -> None:
        with self._guard("write"), self._db:
            self._db.execute("DELETE FROM databases WHERE identifier = ?", (identifier,))

    def databases(self) -> dict[str, DatabaseRecord]:
        """The databases that came up and were not stopped, by identifier, oldest first."""
        with self._guard("read"):
            return self._databases()

    def _databases(self) -> dict[str, DatabaseRecord]:
        rows = self._db.execute("SELECT * FROM databases ORDER BY started")
        return {
            row["identifier"]: DatabaseRecord(
                row["identifier"],
                tuple(json.loads(row["addresses"])),
                bool(row["cluster"]),
                row["password_file"],
                tuple(json.loads(row["jobs"])),
            )
            for row in rows
        }
