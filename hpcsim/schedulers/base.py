"""The contract every scheduler adapter meets. Adapters know scripts and job ids, never
entities."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from hpcsim.status import Status

__all__ = [
    "IMPOSED",
    "JobRef",
    "JobUpdate",
    "Scheduler",
    "Submission",
    "aggregate",
    "finished",
    "outcome",
    "read_exit_code",
    "read_record",
    "recorded_end",
]


@dataclass(frozen=True)
class Submission:
    """A rendered script ready to hand to a scheduler."""

    name: str
    script: Path
    exit_code_file: Path


@dataclass(frozen=True)
class JobRef:
    """What an adapter needs to find a job again, possibly from another process."""

    native_id: str
    exit_code_file: str
    #: a member step of a batch ensemble job: it shares the job's id and has its own exit code
    member: bool = False
    #: a batch ensemble member's name, which its step may carry (Slurm: ``srun --job-name``)
    step: str = ""


@dataclass(frozen=True)
class JobUpdate:
    status: Status
    exit_code: int | None = None
    reason: str = ""
    #: when the job ended (epoch seconds), where the script or the scheduler says; None: unknown.
    #: Not part of equality: two updates that say the same outcome are the same update
    ended: float | None = field(default=None, compare=False)


def read_exit_code(path: str | Path) -> int | None:
    """The exit code a script recorded, or None when it never got that far (a step writes
    the file empty when it starts, and its exit code when it ends)."""
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def recorded_end(path: str | Path) -> float | None:
    """When the script recorded its exit code: the exit-code file's mtime, once it holds one."""
    try:
        return Path(path).stat().st_mtime if read_exit_code(path) is not None else None
    except OSError:
        return None


#: what a script recorded: its exit code (None: none yet) and when it wrote it
Record = tuple[int | None, float | None]


def read_record(ref: JobRef) -> Record:
    recorded = read_exit_code(ref.exit_code_file)
    return recorded, recorded_end(ref.exit_code_file) if recorded is not None else None


def finished(exit_code: int, ended: float | None = None) -> JobUpdate:
    if exit_code == 0:
        return JobUpdate(Status.COMPLETED, 0, ended=ended)
    return JobUpdate(Status.FAILED, exit_code, f"exited with code {exit_code}", ended)


#: ends the scheduler imposed; a step killed by one of them reports it, not its signal's code
IMPOSED = frozenset({Status.CANCELLED, Status.TIMEOUT, Status.NODE_FAIL, Status.OOM})
#: when parts of one job end differently, the job reports the first of these it finds
_SEVERITY = (Status.CANCELLED, Status.NODE_FAIL, Status.OOM, Status.TIMEOUT, Status.FAILED, Status.COMPLETED)


def aggregate(parts: Sequence[JobUpdate]) -> JobUpdate:
    """One update for a job made of parts (array tasks, heterogeneous components)."""
    active = [p.status for p in parts if not p.status.is_terminal]
    if active:
        return JobUpdate(Status.RUNNING if Status.RUNNING in active else Status.QUEUED)
    worst = min(parts, key=lambda p: _SEVERITY.index(p.status))
    codes = [p.exit_code for p in parts if p.exit_code is not None]
    ends = [p.ended for p in parts if p.ended is not None]
    ended = max(ends) if len(ends) == len(parts) else None  # the last part's end, when every part's is known
    return JobUpdate(worst.status, max(codes) if codes else None, worst.reason, ended)


def _zero_from_node_failure(job: JobUpdate, recorded_at: float | None) -> bool:
    """Whether a recorded 0 came only after the scheduler had ended the job for a node failure.
    srun (Slurm 22.05) exits 0 when a node of its step fails ("srun: error: Node failure on
    node3"), so such a 0 says nothing of how the program ended; one recorded before the job
    ended (the scheduler's end time, whole seconds) is the program's own success."""
    return (
        job.status is Status.NODE_FAIL
        and job.ended is not None
        and recorded_at is not None
        and recorded_at >= job.ended
    )


def _judged_later(job: JobUpdate, before: Record | None, record: Record) -> bool:
    """Whether ``record`` must wait for a newer view of its unfinished job: it changed while
    the scheduler was asked (``before``: as it was read before), so that view may predate it;
    or it was written once the job had ended (a Slurm job that is still completing has an end
    time), by a launcher that the scheduler's end of the job stopped. srun, for one, exits 0
    when Slurm ends the job for a node failure: only the job's final state says what happened."""
    if job.status.is_terminal:
        return False
    if before is not None and before != record:
        return True
    recorded_at = record[1]
    return job.ended is not None and recorded_at is not None and recorded_at >= job.ended


def outcome(job: JobUpdate, ref: JobRef, before: Record | None = None) -> JobUpdate:
    """What ``ref`` is, given what the scheduler says of its job and the exit code the
    script (or, for a member, its step) recorded; ``before`` is the record as it was read
    before the scheduler was asked (see :func:`_judged_later`).

    The recorded code is the truth for how a program ended, except when the scheduler ended
    it (cancel, time limit, node failure, out of memory): then that is what happened. Without
    a recorded code only the scheduler's own COMPLETED counts as success (it saw exit 0).

    A job's own script that recorded a failure is still what the scheduler says until the job
    has ended: the scheduler may yet say why. The kernel's OOM killer ends the program first
    and Slurm marks the job OUT_OF_MEMORY only as the job ends, after the script recorded 137.
    (A member cannot wait for that: its job runs on with the other members.)
    """
    recorded, ended = read_record(ref)
    if _judged_later(job, before, (recorded, ended)):
        return JobUpdate(job.status, job.exit_code, job.reason)
    if recorded == 0 and _zero_from_node_failure(job, ended):
        return JobUpdate(job.status, None, job.reason, job.ended)
    if recorded == 0:
        return finished(0, ended)
    if job.status in IMPOSED:
        code = recorded if recorded is not None else job.exit_code
        return JobUpdate(job.status, code, job.reason, job.ended or ended)
    if recorded is not None and not ref.member and not job.status.is_terminal:
        return JobUpdate(job.status, job.exit_code, job.reason)
    if recorded is not None:
        return finished(recorded, ended)
    if not job.status.is_terminal:
        if ref.member and job.status is Status.RUNNING and not Path(ref.exit_code_file).exists():
            return JobUpdate(Status.QUEUED, None, "waiting for a free slot in its job")
        return job
    if job.status is Status.COMPLETED and not ref.member:
        return JobUpdate(Status.COMPLETED, job.exit_code if job.exit_code is not None else 0, job.reason, job.ended)
    what = "this member" if ref.member else "the script"
    return JobUpdate(
        Status.FAILED,
        job.exit_code,
        job.reason or f"the job ended ({job.status.value}) before {what} recorded an exit code",
        job.ended,
    )


class Scheduler(abc.ABC):
    """Submit, observe and cancel jobs of one scheduler."""

    name: ClassVar[str]
    #: what a job is right after a successful submit (local jobs start at once; batch jobs queue)
    submitted_status: ClassVar[Status] = Status.QUEUED

    @abc.abstractmethod
    def submit(self, submission: Submission) -> str:
        """Start the script; return the scheduler's native id."""

    @abc.abstractmethod
    def status(self, jobs: Sequence[JobRef]) -> dict[JobRef, JobUpdate]:
        """Current state of ``jobs`` in one batched query; a job missing from the answer has
        no news (its scheduler could not be asked)."""

    @abc.abstractmethod
    def cancel(self, jobs: Sequence[JobRef]) -> None:
        """Stop ``jobs``; returns once the scheduler has acted on the request."""

    @abc.abstractmethod
    def wait(self, jobs: Sequence[JobRef], timeout: float) -> list[JobRef]:
        """Block until some of ``jobs`` may have changed state, or ``timeout`` seconds pass;
        return the ones worth asking about."""
