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
    #: a step of a batch ensemble's job (not an array task, which is a job of its own): it
    #: shares the job's id and records its own exit code
    member: bool = False


@dataclass(frozen=True)
class JobRecord:
    """A recorded launch: the job as it was launched, and where it stands now.

    ``job.status`` is the status it was launched with (its first history entry); ``status`` is
    its latest. The launch's other facts read through, as ``record.name`` or ``record.job.name``.
    """

    id: int
    job: NewJob
    status: Status
    exit_code: int | None
    reason: str
    submitted: float
    updated: float

    @property
    def name(self) -> str:
        return self.job.name

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def scheduler(self) -> str:
        return self.job.scheduler

    @property
    def native_id(self) -> str:
        return self.job.native_id

    @property
    def script(self) -> str:
        return self.job.script

    @property
    def out(self) -> str:
        return self.job.out

    @property
    def err(self) -> str:
        return self.job.err

    @property
    def exit_code_file(self) -> str:
        return self.job.exit_code_file

    @property
    def ref(self) -> JobRef:
        member = self.job.member
        return JobRef(self.job.native_id, self.job.exit_code_file, member, self.job.name if member else "")


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


#: a NewJob's fields but ``status``: a job's JSON holds the status it was launched with only as
#: its first history entry
_LAUNCH_FIELDS = tuple(name for name in NewJob.__dataclass_fields__ if name != "status")


def decode_job(raw: dict[str, Any]) -> Job:
    """A job from its JSON (:func:`encode_job`'s, or an old store's row with its history)."""
    status = Status(raw["status"])
    history = [HistoryEntry(Status(s), code, reason, float(t)) for s, code, reason, t in raw["history"]]
    # a field the store's writer did not know yet keeps its default (``member``)
    fields = {k: raw[k] for k in _LAUNCH_FIELDS if k in raw}
    launched = NewJob(**fields, status=history[0].status if history else status)
    record = JobRecord(
        id=raw["id"],
        job=launched,
        status=status,
        exit_code=raw["exit_code"],
        reason=raw["reason"],
        submitted=raw["submitted"],
        updated=raw["updated"],
    )
    return Job(record, history)


def encode_job(job: Job) -> dict[str, Any]:
    """One flat JSON object: the record's id, its launch's fields, its state and its history."""
    record = job.record
    return {
        "id": record.id,
        **{k: getattr(record.job, k) for k in _LAUNCH_FIELDS},
        "status": record.status.value,
        "exit_code": record.exit_code,
        "reason": record.reason,
        "submitted": record.submitted,
        "updated": record.updated,
        "history": [[h.status.value, h.exit_code, h.reason, h.time] for h in job.history],
    }


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
