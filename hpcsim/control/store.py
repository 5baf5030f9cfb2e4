"""The durable job store of an experiment: plain files under ``<exp>/.hpcsim/store/``.

    experiment.json          the experiment's name and launcher
    jobs/<n>.json            one launch (a ``start``): its jobs, each with its status history
    databases/<name>.json    a database that came up and was not stopped

    jobs/<n>.notes.<host>.<pid>.<token>.json
                             what another process did to launch n's jobs (stopped them)

Experiment directories live on NFS, Lustre or GPFS, where SQLite's WAL, shared mmap and POSIX
locks are unsafe or absent across hosts. So the store keeps to three rules:

* Every file is written whole and renamed into place (:mod:`hpcsim.control.store_files`);
  readers on any host see the old file or the whole new one.
* Every file has one writer. A launch file is written by the process that launched it; a new
  one is made with a hard link that fails if its number is taken, so concurrent launchers (an
  ``hpcsim submit`` job and its driver) never share one. A process that stops or cancels jobs
  it did not launch writes what it did into its own notes file; every process lays notes over
  the launch file, and the launch's writer folds them in. A database's file is written by the
  process that started it and removed by the one that stopped it.
* Readers never write. ``hpcsim status``, ``list`` and ``Experiment.load`` keep what they
  learn from the schedulers in memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hpcsim.control import store_files
from hpcsim.control.owner import Owner
from hpcsim.control.records import (
    DatabaseRecord,
    HistoryEntry,
    Job,
    JobRecord,
    NewJob,
    advanced,
    decode_job,
    encode_job,
    news,
)
from hpcsim.control.store_legacy import LEGACY_NAME, read_legacy
from hpcsim.errors import ConfigError, HpcsimError
from hpcsim.schedulers.base import JobUpdate

__all__ = [
    "DatabaseRecord",
    "HistoryEntry",
    "JobRecord",
    "JobStore",
    "JobStoreError",
    "NewJob",
    "has_store",
    "store_path",
]

FORMAT = 2
#: job ids are ``launch number * BATCH + index``; a launch of more jobs takes several files
BATCH = 1_000_000
_META = "experiment.json"


class JobStoreError(HpcsimError):
    """The job store cannot be read or written: damaged, not a store, or its disk is full."""


def _failure(path: Path, doing: str, exc: BaseException) -> JobStoreError:
    """One line naming the file, what went wrong and what to do."""
    if getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in str(exc).lower():
        return JobStoreError(
            f"cannot {doing} the job store {str(path)!r}: the file system is full ({exc}); free space "
            "there and run the command again"
        )
    return JobStoreError(
        f"cannot {doing} the job store {str(path)!r}: it is damaged or not an hpcsim job store "
        f"({type(exc).__name__}: {exc}); move it aside (mv {path} {path}.bad) to start the experiment's "
        "history afresh, or restore it from a backup"
    )


def store_path(exp_path: str | Path) -> Path:
    return Path(exp_path) / ".hpcsim" / "store"


def has_store(exp_path: str | Path) -> bool:
    """Whether ``exp_path`` holds an experiment's job store (of this format or the old one)."""
    path = store_path(exp_path)
    return (path / _META).is_file() or (path.parent / LEGACY_NAME).is_file()


@dataclass
class _Launch:
    """One launch file as last read or written: its writer and its jobs by id."""

    writer: Owner | None
    jobs: dict[int, Job]
    #: (inode, mtime, size) when read; None for files this process writes
    seen: tuple[int, int, int] | None = None
    mine: bool = False
    #: notes of other processes were taken in, so the file is to be written
    folded: bool = False


def _decode_writer(raw: Any) -> Owner | None:
    if raw is None:
        return None
    return Owner(int(raw["pid"]), str(raw["start"]), str(raw["host"]), float(raw["since"]))


class JobStore:
    """All launches of one experiment, from the store directory at ``path`` (:func:`store_path`).

    ``create`` makes the store if there is none; without it a missing store is a
    :class:`ConfigError`. A store of the old single-file format is read as it is, and migrated
    to files the first time this process writes.
    """

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self._me = Owner.me()
        #: tells this store's notes from those of another store object in the same process
        self._token = secrets.token_hex(4)
        self._launches: dict[int, _Launch] = {}
        #: what this process learned about jobs whose files others write: by id, with the
        #: file's ``updated`` it was learned on top of (a newer file wins)
        self._learned: dict[int, tuple[float, Job]] = {}
        #: notes of processes that acted on jobs whose files others write, by file name
        self._notes: dict[str, tuple[tuple[int, int, int], dict[int, tuple[float, Job]]]] = {}
        #: this process's own such notes, by launch number
        self._my_notes: dict[int, dict[int, tuple[float, Job]]] = {}
        self._legacy: Path | None = None
        self._legacy_databases: list[dict[str, Any]] = []
        self._meta: dict[str, str] = {}
        exists = (path / _META).is_file()
        legacy = path.parent / LEGACY_NAME
        if not exists and legacy.is_file():
            self._legacy = legacy
            self._read_legacy()
            if create:
                self._migrate()
        elif not exists:
            if not create:
                raise ConfigError(
                    f"no hpcsim experiment at {str(path.parent.parent)!r} (missing {path.parent.name}/{path.name})"
                )
            with self._guard("open", path):
                self._make_dirs()
        else:
            with self._guard("read", path / _META):
                self._meta = self._read_meta()
        if not create:
            missing = [key for key in ("name", "launcher") if key not in self._meta]
            if missing:
                where = self._legacy or path / _META
                raise _failure(where, "read", ValueError(f"no experiment {' or '.join(missing)} recorded"))

    @contextmanager
    def _guard(self, doing: str, where: Path) -> Iterator[None]:
        """Turn file, format and record errors into one :class:`JobStoreError` line."""
        try:
            yield
        except (sqlite3.Error, OSError, ValueError, KeyError, TypeError) as exc:
            raise _failure(where, doing, exc) from exc

    def close(self) -> None:
        """Nothing is held open between calls; kept for callers that close what they open."""

    # -- files ---------------------------------------------------------------------------------

    def _make_dirs(self) -> None:
        self.path.parent.parent.mkdir(parents=True, exist_ok=True)  # the experiment's own directory
        store_files.check_dirs(self.path.parent, self.path, self.path / "jobs", self.path / "databases")

    def _read_meta(self) -> dict[str, str]:
        raw = store_files.read_json(self.path / _META)
        if raw.get("format") != FORMAT:
            raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
        return {str(k): str(v) for k, v in raw.items() if k != "format"}

    def _read_legacy(self) -> None:
        assert self._legacy is not None
        with self._guard("read", self._legacy):
            meta, jobs, databases = read_legacy(self._legacy)
            self._meta = meta
            decoded = {raw["id"]: decode_job(raw) for raw in jobs}
            self._launches = {0: _Launch(None, decoded)} if decoded else {}
            self._legacy_databases = databases

    def _migrate(self) -> None:
        """Write the old store's contents as files, then move the old file aside."""
        assert self._legacy is not None
        legacy = self._legacy
        with self._guard("migrate", legacy):
            self._make_dirs()
            for raw in self._legacy_databases:
                store_files.replace(self._database_file(raw["identifier"]), store_files.to_json(raw))
            for number, launch in self._launches.items():
                launch.writer, launch.mine = self._me, True
                self._write(number, launch, new=False)
            self._write_meta()
            os.replace(legacy, legacy.with_name(f"{LEGACY_NAME}.migrated"))
        self._legacy = None

    def _writable(self) -> None:
        if self._legacy is not None:
            self._migrate()

    def _write_meta(self) -> None:
        store_files.replace(self.path / _META, store_files.to_json({"format": FORMAT, **self._meta}))

    def _launch_file(self, number: int) -> Path:
        return self.path / "jobs" / f"{number}.json"

    def _write(self, number: int, launch: _Launch, new: bool) -> bool:
        """Write one launch file; ``new``: only if that number is free (False if taken)."""
        assert launch.writer is not None
        data = store_files.to_json(
            {
                "format": FORMAT,
                "writer": asdict(launch.writer),
                "jobs": [encode_job(job) for job in launch.jobs.values()],
            }
        )
        path = self._launch_file(number)
        if new:
            return store_files.create_new(path, data)
        store_files.replace(path, data)
        return True

    def _scan(self) -> None:
        """Read the launch files that are new or changed since last read (files this process
        writes are already up to date in memory)."""
        if self._legacy is not None:
            return
        folder = self.path / "jobs"
        with self._guard("read", folder):
            names = os.listdir(folder)
        for name in names:
            stem, _, rest = name.partition(".")
            if not stem.isdigit() or name == self._notes_name(int(stem)):
                continue  # a writer's private file, this process's own notes, or not ours
            if rest == "json":
                self._read_launch(int(stem), folder / name)
            elif rest.startswith("notes.") and rest.endswith(".json"):
                self._read_notes(folder / name)

    def _read(self, path: Path, seen: tuple[int, int, int] | None) -> tuple[Any, tuple[int, int, int]] | None:
        """(contents, identity) of a store file, or None if it is unchanged since ``seen``."""
        with self._guard("read", path):
            info = os.stat(path, follow_symlinks=False)
            now = (info.st_ino, info.st_mtime_ns, info.st_size)
            if now == seen:
                return None
            raw = store_files.read_json(path)
            if raw.get("format") != FORMAT:
                raise ValueError(f"format {raw.get('format')!r}, expected {FORMAT}")
            return raw, now

    def _read_launch(self, number: int, path: Path) -> None:
        known = self._launches.get(number)
        if known is not None and known.mine:
            return
        read = self._read(path, known.seen if known else None)
        if read is not None:
            with self._guard("read", path):
                jobs = {job.record.id: job for job in map(decode_job, read[0]["jobs"])}
                self._launches[number] = _Launch(_decode_writer(read[0]["writer"]), jobs, read[1])

    def _read_notes(self, path: Path) -> None:
        known = self._notes.get(path.name)
        read = self._read(path, known[0] if known else None)
        if read is not None:
            with self._guard("read", path):
                notes = {int(i): (float(base), decode_job(job)) for i, base, job in read[0]["notes"]}
                self._notes[path.name] = (read[1], notes)

    def _notes_name(self, number: int) -> str:
        return f"{number}.notes.{quote(self._me.host, safe='')}.{self._me.pid}.{self._token}.json"

    def _write_notes(self, number: int) -> None:
        notes = [[i, base, encode_job(job)] for i, (base, job) in self._my_notes[number].items()]
        data = store_files.to_json({"format": FORMAT, "writer": asdict(self._me), "notes": notes})
        store_files.replace(self.path / "jobs" / self._notes_name(number), data)

    # -- the view -------------------------------------------------------------------------------

    def _jobs(self) -> list[Job]:
        """Every job, by id: what its launch file says, or a newer state laid over that state
        (a note of a process that acted on the job, or what this process learned). The writer
        of a launch folds such notes into its file."""
        self._scan()
        over: dict[int, list[tuple[float, Job]]] = {}
        sources = [notes for _, notes in self._notes.values()]
        for notes in (*sources, *self._my_notes.values(), self._learned):
            for job_id, note in notes.items():
                over.setdefault(job_id, []).append(note)
        out = []
        for number in sorted(self._launches):
            launch = self._launches[number]
            for job_id, job in sorted(launch.jobs.items()):
                newer = [note for base, note in over.get(job_id, ()) if base == job.record.updated]
                if newer:
                    job = max(newer, key=lambda note: note.record.updated)
                    if launch.mine:
                        launch.jobs[job_id] = job
                        launch.folded = True
                out.append(job)
            if launch.folded:
                with self._guard("write", self._launch_file(number)):
                    self._write(number, launch, new=False)
                launch.folded = False
        return out

    # -- metadata -----------------------------------------------------------------------------

    def set_meta(self, **values: str) -> None:
        if all(self._meta.get(k) == v for k, v in values.items()) and (self.path / _META).is_file():
            return
        with self._guard("write", self.path / _META):
            self._writable()
            self._meta.update(values)
            self._write_meta()

    def meta(self) -> dict[str, str]:
        return dict(self._meta)

    # -- jobs -----------------------------------------------------------------------------------

    def add(self, jobs: Sequence[NewJob]) -> list[JobRecord]:
        """Record launches, each with its first history entry, in new files of this process."""
        if not jobs:
            return []
        now = time.time()
        records: list[JobRecord] = []
        with self._guard("write", self.path / "jobs"):
            self._writable()
            self._scan()
            number = max(self._launches, default=0) + 1
            for start in range(0, len(jobs), BATCH):
                chunk = jobs[start : start + BATCH]
                while True:
                    launch = _Launch(self._me, {}, mine=True)
                    for index, job in enumerate(chunk):
                        record = JobRecord(
                            id=number * BATCH + index,
                            job=job,
                            status=job.status,
                            exit_code=None,
                            reason="",
                            submitted=now,
                            updated=now,
                        )
                        launch.jobs[record.id] = Job(record, [HistoryEntry(job.status, None, "", now)])
                    if self._write(number, launch, new=True):
                        break
                    number += 1  # another process took that number meanwhile
                self._launches[number] = launch
                records += [job.record for job in launch.jobs.values()]
                number += 1
        return records

    def update(self, changes: Iterable[tuple[JobRecord, JobUpdate]], acted: bool = False) -> None:
        """Apply status changes; an update that tells nothing new writes nothing. A job that
        ended is stamped with its real end where the update knows it (kept between its last
        recorded change and now), else with now.

        Changes to jobs this process launched go into their launch files. Changes to others'
        jobs are kept in memory, unless ``acted``: this process stopped those jobs, so it writes
        the changes into its own notes file, which every process lays over the launch file and
        whose writer folds in."""
        changes = list(changes)
        if not changes:
            return
        if acted:
            self._writable()  # an old-format store becomes files first
        now = time.time()
        current = {job.record.id: job for job in self._jobs()}
        touched: set[int] = set()
        noted: set[int] = set()
        for given, update in changes:
            job = current.get(given.id)
            if job is None or not news(job.record, update):
                continue
            number = given.id // BATCH
            if self._launches[number].mine:
                self._launches[number].jobs[given.id] = advanced(job, update, now)
                self._learned.pop(given.id, None)
                touched.add(number)
                continue
            note = (self._launches[number].jobs[given.id].record.updated, advanced(job, update, now))
            if acted:
                self._my_notes.setdefault(number, {})[given.id] = note
                noted.add(number)
            else:
                self._learned[given.id] = note
        for number in sorted(touched):
            with self._guard("write", self._launch_file(number)):
                self._write(number, self._launches[number], new=False)
        for number in sorted(noted):
            with self._guard("write", self.path / "jobs" / self._notes_name(number)):
                self._write_notes(number)

    def refresh(self, records: Sequence[JobRecord]) -> list[JobRecord]:
        wanted = {r.id for r in records}
        return [job.record for job in self._jobs() if job.record.id in wanted]

    def latest(self, names: Iterable[str] | None = None) -> dict[str, JobRecord]:
        """The most recent launch of each name (of every name when ``names`` is None)."""
        latest = {job.record.name: job.record for job in self._jobs()}
        return latest if names is None else {n: latest[n] for n in names if n in latest}

    def all_runs(self) -> list[JobRecord]:
        return [job.record for job in self._jobs()]

    def jobs(self) -> list[Job]:
        """Every launch of every job, by id, each with its status history."""
        return self._jobs()

    def history(self, job_id: int) -> list[HistoryEntry]:
        return next((list(job.history) for job in self._jobs() if job.record.id == job_id), [])

    # -- databases ------------------------------------------------------------------------------

    def _database_file(self, identifier: str) -> Path:
        return self.path / "databases" / f"{quote(identifier, safe='')}.json"

    def add_database(self, record: DatabaseRecord) -> None:
        """Remember a database that came up (replacing an earlier one of that identifier)."""
        path = self._database_file(record.identifier)
        with self._guard("write", path):
            self._writable()
            raw = {**asdict(record), "started": time.time()}
            store_files.replace(path, store_files.to_json(raw))

    def remove_database(self, identifier: str) -> None:
        path = self._database_file(identifier)
        with self._guard("write", path):
            self._writable()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def databases(self) -> dict[str, DatabaseRecord]:
        """The databases that came up and were not stopped, by identifier, oldest first."""
        if self._legacy is not None:
            raws = list(self._legacy_databases)
        else:
            folder = self.path / "databases"
            raws = []
            with self._guard("read", folder):
                names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
            for name in names:
                with self._guard("read", folder / name):
                    raws.append(store_files.read_json(folder / name))
        with self._guard("read", self.path / "databases"):
            raws.sort(key=lambda raw: float(raw["started"]))
            return {
                str(raw["identifier"]): DatabaseRecord(
                    str(raw["identifier"]),
                    tuple(raw["addresses"]),
                    bool(raw["cluster"]),
                    str(raw["password_file"]),
                    tuple(raw["jobs"]),
                )
                for raw in raws
            }
