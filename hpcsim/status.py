"""Job statuses shared by every scheduler, the job store and the facade."""

from __future__ import annotations

import enum

__all__ = ["TERMINAL", "Status"]


class Status(str, enum.Enum):
    """Life-cycle of a launched entity. Terminal ones carry an exit code and reason."""

    NEW = "NEW"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMEOUT = "TIMEOUT"
    NODE_FAIL = "NODE_FAIL"
    OOM = "OOM"
    NEVER_STARTED = "NEVER_STARTED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    def __str__(self) -> str:
        return self.value


TERMINAL = frozenset(
    {
        Status.COMPLETED,
        Status.FAILED,
        Status.CANCELLED,
        Status.TIMEOUT,
        Status.NODE_FAIL,
        Status.OOM,
    }
)
