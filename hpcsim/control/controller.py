"""Submitting launch units, following their jobs, and stopping them, through the store.

The controller is the only piece that talks to both the job store and the schedulers.
"""

from __future__ import annotations

import dataclasses
import logging
import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from hpcsim import config
from hpcsim.control.grouping import describe, group_rows
from hpcsim.control.planner import LaunchUnit
from hpcsim.control.store import JobRecord, JobStore, NewJob
from hpcsim.errors import InternalError
from hpcsim.render.context import StepContext
from hpcsim.schedulers.base import JobUpdate, Scheduler, Submission
from hpcsim.status import Status

__all__ = ["Controller"]

_log = logging.getLogger("hpcsim.control")


class Controller:
    """Launch, follow and stop jobs; ``schedulers`` makes the adapter for a scheduler name
    (each is made once, when first needed)."""

    def __init__(self, store: JobStore, schedulers: Callable[[str], Scheduler]) -> None:
        self.store = store
        self._make = schedulers
        self._schedulers: dict[str, Scheduler] = {}

    def _scheduler(self, name: str) -> Scheduler:
        if name not in self._schedulers:
            self._schedulers[name] = self._make(name)
        return self._schedulers[name]

    def launch(self, units: Sequence[LaunchUnit]) -> list[JobRecord]:
        """Write and submit every unit; every script is rendered before the first is
        submitted, and what was submitted is recorded even if a later submission fails."""
        scripts = [(unit, unit.text) for unit in units]
        submitted: list[NewJob] = []
        try:
            for unit, text in scripts:
                submitted += self._submit(unit, text)
        finally:
            records = self.store.add(submitted)
        return records

    def _submit(self, unit: LaunchUnit, text: str) -> list[NewJob]:
        scheduler = self._scheduler(unit.scheduler)
        for directory in (unit.script.parent, *unit.dirs):
            directory.mkdir(parents=True, exist_ok=True)
        for stale in (unit.exit_code_file, *(m.exit_code_file for m in unit.members)):
            stale.unlink(missing_ok=True)
        for path, body in unit.files:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body)
        unit.script.write_text(text)
        job = unit.source.job
        for step in (job,) if isinstance(job, StepContext) else job.steps:
            _log.debug("%s: step %s runs %s (in %s)", unit.name, step.name, shlex.join(step.command), step.cwd)
        _log.debug("%s: submitting %s to %s", unit.name, unit.script, unit.scheduler)
        native_id = scheduler.submit(Submission(unit.name, unit.script, unit.exit_code_file))
        _log.debug("%s: %s job %s", unit.name, unit.scheduler, native_id)
        jobs = [self._new(unit.name, unit.kind, unit, native_id, unit.out, unit.err, str(unit.exit_code_file))]
        for index, member in enumerate(unit.members):
            member_id = native_id
            if unit.array:
                # batch adapters load PSI/J: imported here, where one has already been made
                from hpcsim.schedulers.batch import BatchScheduler

                if not isinstance(scheduler, BatchScheduler):
                    raise InternalError(f"job array {unit.name!r} planned for {unit.scheduler!r}, which has none")
                member_id = scheduler.task_id(native_id, index)
            new = self._new(member.name, "member", unit, member_id, member.out, member.err, str(member.exit_code_file))
            jobs.append(dataclasses.replace(new, member=not unit.array))
        return jobs

    def _new(self, name: str, kind: str, unit: LaunchUnit, native_id: str, out: Path, err: Path, ec: str) -> NewJob:
        return NewJob(
            name=name,
            kind=kind,
            scheduler=unit.scheduler,
            native_id=native_id,
            script=str(unit.script),
            out=str(out),
            err=str(err),
            exit_code_file=ec,
            status=self._scheduler(unit.scheduler).submitted_status,
        )

    def refresh(self, records: Sequence[JobRecord], acted: bool = False) -> list[JobRecord]:
        """Ask each scheduler once about its unfinished jobs and record what changed;
        ``acted``: this process ended them (see :meth:`JobStore.update`)."""
        by_scheduler: dict[str, list[JobRecord]] = {}
        for record in records:
            if not record.status.is_terminal:
                by_scheduler.setdefault(record.scheduler, []).append(record)
        changes: list[tuple[JobRecord, JobUpdate]] = []
        for name, pending in by_scheduler.items():
            updates = self._scheduler(name).status([r.ref for r in pending])
            changes += [(r, updates[r.ref]) for r in pending if r.ref in updates]
        self.store.update(changes, acted)
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
            by_ref = {r.ref: r for r in pending}
            for name in {r.scheduler for r in pending}:
                scheduler = self._scheduler(name)
                timeout = min(config.poll_interval(), max(next_progress - now, 0.0))
                ready = scheduler.wait([r.ref for r in pending if r.scheduler == name], timeout)
                for record in self.refresh([by_ref[ref] for ref in ready]):
                    current[record.id] = record
        return [current[r.id] for r in records]

    def _progress(self, records: list[JobRecord]) -> None:
        """One line: how many jobs ended, then each model's state and each ensemble's counts."""
        groups = group_rows([{"name": r.name, "type": r.kind, "status": r.status.value} for r in records])
        done = sum(1 for r in records if r.status.is_terminal)
        detail = "; ".join(describe(group) for group in groups)
        _log.info("waiting: %d of %d jobs finished (%s)", done, len(records), detail)

    def cancel(self, records: Sequence[JobRecord], reason: str) -> list[JobRecord]:
        """Stop unfinished jobs and record them CANCELLED with ``reason``. A job that
        recorded its own exit code before the signal landed keeps that real outcome."""
        fresh = self.refresh(records, acted=True)
        pending = [r for r in fresh if not r.status.is_terminal]
        self._warn_shared(pending)
        changes: list[tuple[JobRecord, JobUpdate]] = []
        for name in {r.scheduler for r in pending}:
            scheduler = self._scheduler(name)
            mine = [r for r in pending if r.scheduler == name]
            scheduler.cancel([r.ref for r in mine])
            after = scheduler.status([r.ref for r in mine])
            for record in mine:
                update = after.get(record.ref, JobUpdate(Status.CANCELLED))
                ended_itself = update.status is Status.COMPLETED or (
                    update.status.is_terminal and (update.exit_code or 0) > 0 and update.status is not Status.CANCELLED
                )
                changes.append((record, update if ended_itself else JobUpdate(Status.CANCELLED, None, reason)))
        self.store.update(changes, acted=True)  # this process stopped them: it records that
        return self.store.refresh(fresh)

    def _warn_shared(self, pending: Sequence[JobRecord]) -> None:
        """Members of one batch job cannot be stopped alone: say which siblings go too."""
        jobs = {r.native_id for r in pending if r.kind == "member"}
        asked = {r.id for r in pending}
        siblings = [
            s.name
            for s in self.store.latest().values()
            if s.kind == "member" and s.native_id in jobs and s.id not in asked and not s.status.is_terminal
        ]
        if siblings:
            _log.warning("members share their batch job, so these stop too: %s", ", ".join(siblings))
