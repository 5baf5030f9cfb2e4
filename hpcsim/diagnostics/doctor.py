"""``hpcsim doctor``: check this machine end to end, through the library a driver uses.

Each check starts what a real workflow starts (a local database through ``Experiment``, a
client, one model per installed ML backend, a job on the scheduler) and ends ok, fail or skip
with a one-line detail and its duration, reported as soon as it ends. A check whose
prerequisite did not pass is skipped, so one cause reads as one failure. Whatever was started
is stopped at the end, also after a failure or Ctrl-C; the working directory is removed after a
clean run and kept otherwise, for the logs in it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from hpcsim.db.discovery import find_redis_server
from hpcsim.diagnostics.info import redis_version
from hpcsim.diagnostics.probes import CheckFailed, DatabaseProbe, SchedulerProbe, Skip
from hpcsim.errors import ConfigError, HpcsimError
from hpcsim.site import SiteConfig, select_site

__all__ = ["FAIL", "MODEL_ORDER", "OK", "SKIP", "CheckResult", "DoctorReport", "run_doctor"]

OK, FAIL, SKIP = "ok", "fail", "skip"
#: the order the model checks run in: the frameworks that load fast first
MODEL_ORDER = ("TORCH", "ONNX", "TF", "TFLITE")
#: check name -> how a check that needs it names it when it is skipped
_NEEDS = {"site": "the site config", "redis-server": "redis-server", "database": "the database"}


@dataclass(frozen=True)
class CheckResult:
    """How one check ended: ``status`` is ok, fail or skip; ``data`` holds facts worth keeping
    (the database address, the scheduler's job id and host)."""

    name: str
    status: str
    detail: str
    seconds: float
    data: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "seconds": self.seconds, **self.data}


@dataclass
class DoctorReport:
    """Every check of one run, in order, and where it worked. ``notes`` are problems met while
    cleaning up (a database that would not stop); ``kept`` says the directory was left."""

    directory: str
    checks: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept: bool = True
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether no check failed (skipped checks do not count against it)."""
        return all(check.status != FAIL for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": self.seconds,
            "directory": self.directory,
            "kept": self.kept,
            "checks": [check.to_dict() for check in self.checks],
            "notes": self.notes,
        }


class _Session:
    """The checks of one run and what they hand on to each other: the site, the database, and
    ``facts``, where the running check leaves what is worth keeping (see ``CheckResult.data``)."""

    def __init__(self, workdir: Path, scheduler: bool, timeout: float) -> None:
        self.site: SiteConfig | None = None
        self.database = DatabaseProbe(workdir / "database", timeout)
        self.scheduler = SchedulerProbe(workdir / "scheduler", timeout) if scheduler else None
        self.facts: dict[str, str] = {}

    def checks(self) -> list[tuple[str, tuple[str, ...], Callable[[], str]]]:
        """(name, the checks it needs, the check) in the order they run."""
        return [
            ("site", (), self.check_site),
            ("redis-server", ("site",), self.check_redis),
            ("database", ("redis-server",), self.check_database),
            ("tensor", ("database",), self.database.tensor),
            *[(f"model:{backend}", ("database",), partial(self.database.model, backend)) for backend in MODEL_ORDER],
            ("scheduler", ("site",), self.check_scheduler),
        ]

    def check_site(self) -> str:
        self.site = select_site(None)
        return "no site; local defaults" if self.site is None else f"{self.site.name} ({self.site.source})"

    def check_redis(self) -> str:
        server = find_redis_server(self.site.redis_server if self.site is not None else None)
        version = redis_version(server)
        if version is None:
            raise CheckFailed(f"{server} --version names no Redis version; is it a redis-server?")
        return f"{server} (Redis {version})"

    def check_database(self) -> str:
        self.facts["address"] = self.database.start()
        return f"local redis-server and inference worker at {self.facts['address']}; a client connected"

    def check_scheduler(self) -> str:
        if self.scheduler is None:
            raise Skip("not asked for (--no-scheduler)")
        return self.scheduler.run(self.site, self.facts)

    def close(self) -> list[str]:
        """Stop whatever the checks left running; what could not be stopped, as notes."""
        notes = self.scheduler.close() if self.scheduler is not None else []
        return notes + self.database.close()


def _describe(exc: BaseException) -> str:
    """One line: hpcsim's own messages as they are, anything else with its type."""
    message = " ".join(str(exc).split())
    if isinstance(exc, (HpcsimError, CheckFailed)) and message:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _attempt(
    name: str, needs: Sequence[str], session: _Session, check: Callable[[], str], done: Sequence[CheckResult]
) -> CheckResult:
    passed = {result.name for result in done if result.status == OK}
    missing = [need for need in needs if need not in passed]
    if missing:
        return CheckResult(name, SKIP, f"needs {_NEEDS[missing[0]]}", 0.0)
    session.facts = {}
    started = time.monotonic()
    try:
        detail, status = check(), OK
    except Skip as exc:
        detail, status = str(exc), SKIP
    except Exception as exc:  # a doctor reports every failure, whatever raised it
        detail, status = _describe(exc), FAIL
    return CheckResult(name, status, detail, round(time.monotonic() - started, 3), session.facts)


def run_doctor(
    directory: Path | None = None,
    *,
    scheduler: bool = True,
    timeout: float = 300.0,
    progress: Callable[[CheckResult], None] | None = None,
) -> DoctorReport:
    """Run every check in a fresh ``hpcsim-doctor-*`` directory under ``directory`` (default:
    the system's temporary directory), calling ``progress`` with each result as it ends.

    ``scheduler`` off skips the job submission; ``timeout`` bounds, in seconds, how long a
    model may take to load and run and how long the scheduler's job may queue and run.
    """
    if timeout <= 0:
        raise ConfigError(f"the doctor's timeout must be a positive number of seconds, got {timeout!r}")
    try:
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="hpcsim-doctor-", dir=directory)).resolve()
    except OSError as exc:
        raise ConfigError(
            f"cannot make the doctor's working directory: {exc}; pass --dir a writable directory"
        ) from exc
    session = _Session(workdir, scheduler, timeout)
    report = DoctorReport(str(workdir))
    started = time.monotonic()
    try:
        for name, needs, check in session.checks():
            result = _attempt(name, needs, session, check, report.checks)
            report.checks.append(result)
            if progress is not None:
                progress(result)
    finally:
        report.notes += session.close()
        report.seconds = round(time.monotonic() - started, 3)
    if (report.ok and not report.notes) or not any(workdir.iterdir()):
        shutil.rmtree(workdir, ignore_errors=True)
        report.kept = False
    return report
