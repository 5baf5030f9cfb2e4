"""The contract every scheduler adapter meets. Adapters know scripts and job ids, never
entities."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from hpcsim.status import Status

__all__ = ["JobRef", "JobUpdate", "Scheduler", "Submission", "finished", "read_exit_code"]


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


@dataclass(frozen=True)
class JobUpdate:
    status: Status
    exit_code: int | None = None
    reason: str = ""


def read_exit_code(path: str | Path) -> int | None:
    """The exit code a script recorded, or None when it never got that far."""
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def finished(exit_code: int) -> JobUpdate:
    if exit_code == 0:
        return JobUpdate(Status.COMPLETED, 0)
    return JobUpdate(Status.FAILED, exit_code, f"exited with code {exit_code}")


class Scheduler(abc.ABC):
    """Submit, observe and cancel jobs of one scheduler."""

    name: ClassVar[str]
    #: what a job is right after a successful submit (local jobs start at once; batch jobs queue)
    submitted_status: ClassVar[Status] = Status.QUEUED

    @abc.abstractmethod
    def submit(self, submission: Submission) -> str:
        """Start the script; return the scheduler's native id."""

    @abc.abstractmethod
    def status(self, jobs: Sequence[JobRef]) -> dict[str, JobUpdate]:
        """Current state of ``jobs`` in one batched query, keyed by native id."""

    @abc.abstractmethod
    def cancel(self, jobs: Sequence[JobRef]) -> None:
        """Stop ``jobs``; returns once the scheduler has acted on the request."""

    @abc.abstractmethod
    def wait(self, jobs: Sequence[JobRef], timeout: float) -> list[JobRef]:
        """Block until some of ``jobs`` may have changed state, or ``timeout`` seconds pass;
        return the ones worth asking about."""
