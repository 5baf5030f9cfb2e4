"""Job statuses shared by every scheduler, the job store and the facade.

SmartSim's names are here too: ``SmartSimStatus`` is :class:`Status`, and each of SmartSim's
``STATUS_*`` members is an alias of the hpcsim member that means the same, so
``Status.STATUS_COMPLETED is Status.COMPLETED`` and a ported driver's comparisons with
``SmartSimStatus.STATUS_*`` hold for the statuses ``Experiment.get_status`` returns.
``STATUS_PAUSED`` is :attr:`Status.QUEUED` (SmartSim's "Paused" is a Slurm job that is pending
or held; hpcsim calls those queued). ``TERMINAL_STATUSES`` holds every terminal status,
hpcsim's TIMEOUT, NODE_FAIL and OOM included, so ``status in TERMINAL_STATUSES`` still means
"it has ended".
"""

from __future__ import annotations

import enum

__all__ = ["TERMINAL", "TERMINAL_STATUSES", "SmartSimStatus", "Status"]


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

    # SmartSim's SmartSimStatus names: aliases (same value), so not listed when iterating
    STATUS_RUNNING = "RUNNING"
    STATUS_COMPLETED = "COMPLETED"
    STATUS_CANCELLED = "CANCELLED"
    STATUS_FAILED = "FAILED"
    STATUS_NEW = "NEW"
    STATUS_PAUSED = "QUEUED"
    STATUS_NEVER_STARTED = "NEVER_STARTED"
    STATUS_QUEUED = "QUEUED"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL

    def __str__(self) -> str:
        return self.value


#: SmartSim's name for the status enum (``from smartsim.status import SmartSimStatus``)
SmartSimStatus = Status

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

#: SmartSim's name for the terminal statuses
TERMINAL_STATUSES = TERMINAL
