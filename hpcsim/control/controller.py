"""Submitting launch units, following their jobs, and stopping them, through the store.

The controller is the only piece that talks to both the job store and the schedulers.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence

from hpcsim import config
from hpcsim.control.planner import LaunchUnit
from hpcsim.control.store import JobRecord, JobStore, NewJob
from hpcsim.errors import HpcsimError
from hpcsim.schedulers.base import JobUpdate, Scheduler, Submission
from hpcsim.status import Status

__all__ = ["Controller"]

_log = logging.getLogger("hpcsim.control")


class Controller:
    def __init__(self, store: JobStore, schedulers: Mapping[str, Scheduler]) -> None:
        self.store = store
        self._schedulers = dict(schedulers)

    def _scheduler(self, name: str) -> Scheduler:
        try:
            return self._schedulers[name]
        except KeyError:
            raise HpcsimError(f"job recorded under scheduler {name!r}, which this experiment cannot reach") from None

    def launch(self, units: Sequence[LaunchUnit], scheduler_name: str) -> list[JobRecord]:
        """Write and submit every unit; what was submitted is recorded even if a later
        submission fails."""
        scheduler = self._scheduler(scheduler_name)
        submitted: list[NewJob] = []
        try:
            for unit in units:
                for directory in (unit.script.parent, *unit.dirs):
                    directory.mkdir(parents=True, exist_ok=True)
                unit.exit_code_file.unlink(missing_ok=True)
                unit.script.write_text(unit.text)
                native_id = scheduler.submit(Submission(unit.name, unit.script, unit.exit_code_file))
                submitted.append(
                    NewJob(
                        name=unit.name,
                        kind=unit.kind,
                        scheduler=scheduler_name,
                        native_id=native_id,
                        script=str(unit.script),
                        out=str(unit.out),
                        err=str(unit.err),
                        exit_code_file=str(unit.exit_code_file),
                        status=scheduler.submitted_status,
                    )
                )
        finally:
            records = self.store.add(submitted)
        return records

    def refresh(self, records: Sequence[JobRecord]) -> list[JobRecord]:
        """Ask each scheduler once about its unfinished jobs and record what changed."""
        by_scheduler: dict[str, list[JobRecord]] = {}
        for record in records:
            if not record.status.is_terminal:
                by_scheduler.setdefault(record.scheduler, []).append(record)
        changes: list[tuple[JobRecord, JobUpdate]] = []
        for name, pending in by_scheduler.items():
            updates = self._scheduler(name).status([r.ref for r in pending])
            changes += [(r, updates[r.native_id]) for r in pending if r.native_id in updates]
        self.store.update(changes)
        return self.store.refresh(records) if changes else list(records)

    def wait(
        self,
        records: Sequence[JobRecord],
        progress_every: float | None = None,
    ) -> list[JobRecord]:
        """Block until every job is terminal, logging progress now and then; wakes as soon
        as a scheduler reports a possible change."""
        every = config.progress_interval() if progress_every is None else progress_every
        current = {r.id: r for r in self.refresh(records)}
        next_progress = time.monotonic() + every
        while pending := [r for r in current.values() if not r.status.is_terminal]:
            now = time.monotonic()
            if now >= next_progress:
                self._progress(list(current.values()))
                next_progress = now + every
            by_ref = {r.native_id: r for r in pending}
            for name in {r.scheduler for r in pending}:
                scheduler = self._scheduler(name)
                timeout = min(config.poll_interval(), max(next_progress - now, 0.0))
                ready = scheduler.wait([r.ref for r in pending if r.scheduler == name], timeout)
                for record in self.refresh([by_ref[ref.native_id] for ref in ready]):
                    current[record.id] = record
        return [current[r.id] for r in records]

    def _progress(self, records: list[JobRecord]) -> None:
        counts = Counter(r.status.value for r in records)
        done = sum(1 for r in records if r.status.is_terminal)
        detail = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
        _log.info("waiting: %d of %d jobs finished (%s)", done, len(records), detail)

    def cancel(self, records: Sequence[JobRecord], reason: str) -> list[JobRecord]:
        """Stop unfinished jobs and record them CANCELLED with ``reason``. A job that
        recorded its own exit code before the signal landed keeps that real outcome."""
        fresh = self.refresh(records)
        pending = [r for r in fresh if not r.status.is_terminal]
        changes: list[tuple[JobRecord, JobUpdate]] = []
        for name in {r.scheduler for r in pending}:
            scheduler = self._scheduler(name)
            mine = [r for r in pending if r.scheduler == name]
            scheduler.cancel([r.ref for r in mine])
            after = scheduler.status([r.ref for r in mine])
            for record in mine:
                update = after.get(record.native_id, JobUpdate(Status.CANCELLED))
                ended_itself = update.status is Status.COMPLETED or (
                    update.status.is_terminal and (update.exit_code or 0) > 0
                )
                changes.append((record, update if ended_itself else JobUpdate(Status.CANCELLED, None, reason)))
        self.store.update(changes)
        return self.store.refresh(fresh)
