"""What the job store records: launches, their jobs' states and histories, and databases,
with how a state advances and how a job is written as JSON."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hpcsim.schedulers.base import JobRef, JobUpdate
from hpcsim.status import Status

__all__ = [
    "DatabaseRecord",
    "HistoryEntry",
    "Job",
    "JobRecord",
    "NewJob",
    "advanced",
    "decode_job",
    "encode_job",
    "news",
    "stamp",
]


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


@dataclass
class Job:
    record: JobRecord
    history: list[HistoryEntry]


def decode_job(raw: dict[str, Any]) -> Job:
    values = {k: raw[k] for k in JobRecord.__dataclass_fields__}
    values["status"] = Status(values["status"])
    history = [HistoryEntry(Status(s), code, reason, float(t)) for s, code, reason, t in raw["history"]]
    return Job(JobRecord(**values), history)


def encode_job(job: Job) -> dict[str, Any]:
    raw: dict[str, Any] = {k: getattr(job.record, k) for k in JobRecord.__dataclass_fields__}
    raw["status"] = job.record.status.value
    raw["history"] = [[h.status.value, h.exit_code, h.reason, h.time] for h in job.history]
    return raw


def stamp(record: JobRecord, update: JobUpdate, now: float) -> float:
    """When ``update`` happened: the job's own end if it ended and that is known, else now."""
    if update.ended is None or not update.status.is_terminal:
        return now
    return min(max(update.ended, record.updated), now)


def advanced(job: Job, update: JobUpdate, now: float) -> Job:
    """``job`` after ``update``, with its history entry."""
    when = stamp(job.record, update, now)
    record = replace(job.record, status=update.status, exit_code=update.exit_code, reason=update.reason, updated=when)
    return Job(record, [*job.history, HistoryEntry(update.status, update.exit_code, update.reason, when)])


def news(record: JobRecord, update: JobUpdate) -> bool:
    """Whether ``update`` tells something ``record`` does not: another status, a reason or an
    exit code it lacks (a pending job's reason changes while its status does not)."""
    if record.status.is_terminal and update.status is not record.status:
        return False  # an end is final: a later look (a killed job's signal) does not rewrite it
    return (
        update.status is not record.status
        or bool(update.reason and update.reason != record.reason)
        or (update.exit_code is not None and update.exit_code != record.exit_code)
    )
