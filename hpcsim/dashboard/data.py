"""What the dashboard shows of an experiment's job store: every job with its timeline, and one
job's details. The store is opened with ``create=False`` and only read; each read takes in
just the launch files that changed since the last one."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hpcsim.control.grouping import group_rows
from hpcsim.control.records import Job
from hpcsim.control.store import DatabaseRecord, JobStore, store_path
from hpcsim.dashboard.files import Refused, read_tail, read_text
from hpcsim.errors import HpcsimError
from hpcsim.status import Status

__all__ = ["ExperimentReader", "ensembles", "job_view"]

#: the most of a job's script the entity view shows
SCRIPT_LIMIT = 1 << 20


def ensembles(jobs: Sequence[Job]) -> dict[str, str]:
    """Member name -> its ensemble's name, grouped as ``hpcsim status`` groups them
    (:func:`hpcsim.control.grouping.group_rows`) from the latest run of each name."""
    last = {job.record.name: job for job in jobs}
    rows = [
        {"name": job.record.name, "type": job.record.kind, "status": job.record.status.value}
        for job in jobs
        if last[job.record.name] is job
    ]
    return {
        str(member["name"]): group.name for group in group_rows(rows) if group.is_ensemble for member in group.members
    }


def job_view(exp: str, job: Job, group: str | None) -> dict[str, Any]:
    """One job as the dashboard's API gives it: its state, and when it was submitted, first
    ran and first ended (from its history)."""
    record = job.record
    return {
        "exp": exp,
        "id": record.id,
        "name": record.name,
        "kind": record.kind,
        "group": group,
        "status": record.status.value,
        "exit_code": record.exit_code,
        "reason": record.reason,
        "submitted": record.submitted,
        "started": next((h.time for h in job.history if h.status is Status.RUNNING), None),
        "ended": next((h.time for h in job.history if h.status.is_terminal), None),
    }


class ExperimentReader:
    """One experiment directory, numbered ``exp`` by its place on the command line. Safe to
    share between threads: reads of its store take turns."""

    def __init__(self, exp: str, path: Path) -> None:
        self.exp = exp
        self.path = Path(os.path.abspath(path))
        #: the directory as given and as resolved: a job's recorded paths start with either
        self.roots = (self.path, self.path.resolve())
        self._lock = threading.Lock()
        self._store: JobStore | None = None

    def _opened(self) -> JobStore:
        if self._store is None:
            self._store = JobStore(store_path(self.path), create=False)
        return self._store

    def _read(self) -> tuple[dict[str, str], list[Job], dict[str, DatabaseRecord]]:
        with self._lock:
            store = self._opened()
            return store.meta(), store.jobs(), store.databases()

    def _jobs(self) -> list[Job]:
        with self._lock:
            return self._opened().jobs()

    def read(self) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, DatabaseRecord]]:
        """(the experiment's summary, its jobs, its running databases) as the store holds them
        now; a store that cannot be read gives a summary whose ``error`` says why."""
        summary: dict[str, Any] = {"exp": self.exp, "name": self.path.name, "path": str(self.path)}
        try:
            meta, jobs, databases = self._read()
        except HpcsimError as exc:
            return {**summary, "launcher": None, "counts": {}, "error": str(exc).splitlines()[0]}, [], {}
        groups = ensembles(jobs)
        counts: dict[str, int] = {}
        for record in {job.record.name: job.record for job in jobs}.values():
            counts[record.status.value] = counts.get(record.status.value, 0) + 1
        summary.update(name=meta.get("name", self.path.name), launcher=meta.get("launcher"), counts=counts)
        views = [job_view(self.exp, job, groups.get(job.record.name)) for job in jobs]
        return {**summary, "error": None}, views, databases

    def job(self, job_id: int) -> tuple[Job, str | None] | None:
        """The job of that id and its ensemble's name, or None if there is none (or the store
        cannot be read)."""
        try:
            jobs = self._jobs()
        except HpcsimError:
            return None
        found = next((job for job in jobs if job.record.id == job_id), None)
        return None if found is None else (found, ensembles(jobs).get(found.record.name))

    def _relative(self, path: str) -> str:
        """``path`` relative to the experiment's directory, where it lies inside it."""
        for root in self.roots:
            if Path(path).is_relative_to(root):
                return str(Path(path).relative_to(root))
        return path

    def _script(self, path: str) -> str:
        """The job's rendered script; empty if it is gone or not safely inside the directory."""
        try:
            return read_text(self.roots, Path(path), SCRIPT_LIMIT)
        except Refused:
            return ""

    def entity(self, job_id: int) -> dict[str, Any] | None:
        """One job in detail: its view, history, rendered script and launch settings; None if
        there is no such job."""
        found = self.job(job_id)
        if found is None:
            return None
        job, group = found
        record = job.record
        return {
            "job": job_view(self.exp, job, group),
            "history": [[h.status.value, h.exit_code, h.reason, h.time] for h in job.history],
            "script": self._script(record.script),
            "settings": {
                "scheduler": record.scheduler,
                "native_id": record.native_id,
                "kind": record.kind,
                "script": self._relative(record.script),
                "out": self._relative(record.out),
                "err": self._relative(record.err),
            },
        }

    def tail(self, job_id: int, stream: str, size: int) -> dict[str, Any] | None:
        """The last ``size`` bytes of the job's ``out`` or ``err`` file as text, with the file's
        size; None if there is no such job. :class:`~hpcsim.dashboard.files.Refused` if the file
        is not safely inside the experiment's directory."""
        found = self.job(job_id)
        if found is None:
            return None
        record = found[0].record
        data, total = read_tail(self.roots, Path(record.out if stream == "out" else record.err), size)
        return {"text": data.decode("utf-8", errors="replace"), "size": total}
