"""What every batch-scheduler adapter shares.

PSI/J submits hpcsim's own rendered script byte for byte (an executor subclass whose only
change is :meth:`generate_submit_script`), parses the job id and cancels. Status is asked by
hpcsim, once per poll for all of its jobs, because PSI/J's poll thread takes a job that left
the queue as COMPLETED, fails every job after a few failed polls, knows only four states
(no TIMEOUT, NODE_FAIL or OOM) and sleeps whole seconds it cannot be woken from. That thread
is parked: it is given an initial delay no experiment outlives.
"""

from __future__ import annotations

import abc
import logging
import shlex
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, ClassVar

from packaging.version import Version
from psij import Job, JobSpec, SubmitException
from psij.executors.batch.batch_scheduler_executor import BatchSchedulerExecutor, BatchSchedulerExecutorConfig

from hpcsim import config
from hpcsim._shell import Completed, run
from hpcsim._version import __version__
from hpcsim.errors import CommandError, SchedulerError, SubmitError
from hpcsim.schedulers.base import (
    JobRef,
    JobUpdate,
    Scheduler,
    Submission,
    outcome,
    read_exit_code,
    read_record,
)
from hpcsim.status import Status

__all__ = ["VERSION", "BatchScheduler", "PrerenderedScript"]

_log = logging.getLogger("hpcsim.schedulers")

VERSION = Version(__version__)
#: PSI/J's own poll thread waits this long before its first poll, i.e. it never polls
_PARKED = 10**9
#: fastest poll; while nothing changes the interval grows to a tenth of the quiet time, up to
#: config.poll_interval(), so a change is seen at most ~10% later than it happened
_FLOOR = 0.1
_QUIET_SHARE = 0.1
#: how long a scheduler command may take before it counts as failed
_COMMAND_TIMEOUT = 60.0
#: consecutive failed status queries tolerated (logged) before waiting gives up
_MAX_QUERY_FAILURES = 10
#: transient submission failures are retried this many times, after 1 s, 2 s, ...
_SUBMIT_RETRIES = 2


class PrerenderedScript(BatchSchedulerExecutor):
    """A PSI/J batch executor that submits the text hpcsim rendered, unchanged."""

    def __init__(self, url: str | None = None, config: BatchSchedulerExecutorConfig | None = None) -> None:
        super().__init__(url=url, config=config)
        self.scripts: dict[str, str] = {}

    def generate_submit_script(self, job: Job, context: dict[str, object], submit_file: IO[str]) -> None:
        submit_file.write(self.scripts.pop(job.id))


class BatchScheduler(Scheduler):
    """Submit through PSI/J, follow all jobs with one scheduler command per poll."""

    executor_class: ClassVar[type[PrerenderedScript]]
    config_class: ClassVar[type[BatchSchedulerExecutorConfig]]
    #: phrases in a refused submission that mean "try again", not "wrong request"
    transient_errors: ClassVar[tuple[str, ...]] = ()

    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self._executor: PrerenderedScript | None = None
        self._jobs: dict[str, Job] = {}
        self._changed_at = time.monotonic()
        self._last: dict[JobRef, Status] = {}
        #: PSI/J needs a spec to submit, but the script is hpcsim's: one placeholder serves all
        self._spec = JobSpec(executable="/bin/true")
        self._failed_queries = 0

    # -- what each scheduler says differently ---------------------------------------------

    @abc.abstractmethod
    def query(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        """The queue's view of ``native_ids`` (and possibly more jobs), in one command."""

    def lookup(self, native_ids: Sequence[str]) -> dict[str, JobUpdate]:
        """Finished jobs the queue no longer lists, from the scheduler's records (one
        command); empty where the scheduler keeps none."""
        return {}

    @abc.abstractmethod
    def task_id(self, native_id: str, index: int) -> str:
        """The id of task ``index`` (0-based member index) of array job ``native_id``."""

    # -- PSI/J -----------------------------------------------------------------------------

    def executor(self) -> PrerenderedScript:
        if self._executor is None:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            settings = self.config_class(
                work_directory=self.work_dir,
                queue_polling_interval=_PARKED,
                initial_queue_polling_delay=_PARKED,
                keep_files=True,
            )
            self._executor = self.executor_class(config=settings)
        return self._executor

    def _job(self, native_id: str) -> Job:
        """The PSI/J job for ``native_id``, attached by id when another process submitted it."""
        if native_id not in self._jobs:
            job = Job()
            self.executor().attach(job, native_id)
            self._jobs[native_id] = job
        return self._jobs[native_id]

    def submit(self, submission: Submission) -> str:
        text = submission.script.read_text()
        for attempt in range(1, _SUBMIT_RETRIES + 1):
            try:
                return self._submit_once(submission, text)
            except SubmitError as exc:
                if not exc.transient:
                    raise
                _log.warning("submitting %s failed (%s); retrying in %d s", submission.name, exc, attempt)
                time.sleep(attempt)
        return self._submit_once(submission, text)

    def _submit_once(self, submission: Submission, text: str) -> str:
        executor = self.executor()
        job = Job(self._spec)
        executor.scripts[job.id] = text
        submit_file = executor.work_directory / f"{job.id}.job"  # where PSI/J writes the script it submits
        _log.debug("%s: %s", submission.name, shlex.join(executor.get_submit_command(job, submit_file)))
        try:
            executor.submit(job)
        except SubmitException as exc:
            raise self._submit_error(submission, exc) from None
        except FileNotFoundError as exc:
            command = exc.filename or "the submit command"
            raise SubmitError(
                f"cannot submit {submission.name!r}: {command} is not on PATH; is the {self.name} client "
                "installed and loaded (module load ...)?",
                argv=[str(command), str(submission.script)],
                returncode=127,
            ) from None
        finally:
            executor.scripts.pop(job.id, None)
            # the scheduler keeps its own copy; hpcsim keeps the identical one in the entity dir
            submit_file.unlink(missing_ok=True)
        native_id = str(job.native_id)
        self._jobs[native_id] = job
        return native_id

    def _submit_error(self, submission: Submission, exc: SubmitException) -> SubmitError:
        failed = exc.__context__
        argv: list[str] = []
        returncode = None
        output = str(exc.message).strip()
        if isinstance(failed, subprocess.CalledProcessError):
            argv = [str(a) for a in failed.cmd]
            returncode = failed.returncode
            output = str(failed.output).strip()
        transient = any(phrase in output for phrase in self.transient_errors)
        return SubmitError(
            f"{self.name} refused {submission.name!r} ({' '.join(argv[:1]) or 'submit'} exited {returncode}): {output}",
            argv=argv,
            returncode=returncode,
            stderr=output,
            transient=transient,
        )

    # -- status ----------------------------------------------------------------------------

    def command(self, argv: Sequence[str], check: bool = True) -> Completed:
        """Run a scheduler command; failures are :class:`CommandError`."""
        return run(argv, timeout=_COMMAND_TIMEOUT, check=check)

    def status(self, jobs: Sequence[JobRef]) -> dict[JobRef, JobUpdate]:
        if not jobs:
            return {}
        ids = sorted({job.native_id for job in jobs})
        # what the scripts had recorded before the scheduler answered (see outcome)
        before = {job: read_record(job) for job in jobs}
        try:
            seen = self.query(ids)
        except (CommandError, SchedulerError, ValueError) as exc:
            self._failed_queries += 1
            if self._failed_queries > _MAX_QUERY_FAILURES:
                raise SchedulerError(f"{self.name} status failed {self._failed_queries} times in a row: {exc}") from exc
            _log.warning("%s status query failed (%s); keeping the last known states", self.name, exc)
            return {}
        self._failed_queries = 0
        unrecorded = [j for j in jobs if j.native_id not in seen and read_exit_code(j.exit_code_file) is None]
        gone = sorted({j.native_id for j in unrecorded})
        if gone:
            seen = {**self.lookup(gone), **seen}
        said = {
            job: seen.get(job.native_id)
            or JobUpdate(Status.FAILED, None, f"job {job.native_id} left the queue and {self.name} has no record")
            for job in jobs
        }
        updates = self.confirm({job: outcome(said[job], job, before[job]) for job in jobs}, said)
        self._pace(updates)
        return updates

    def confirm(self, updates: dict[JobRef, JobUpdate], said: dict[JobRef, JobUpdate]) -> dict[JobRef, JobUpdate]:
        """``updates`` checked against what only the scheduler can tell (``said``: what it says
        of each one's job); adapters that can tell more override this."""
        return updates

    def _pace(self, updates: dict[JobRef, JobUpdate]) -> None:
        """Note when any job last changed: polls are fast after a change, slower when quiet."""
        now = {job: update.status for job, update in updates.items()}
        if any(self._last.get(job) is not status for job, status in now.items()):
            self._changed_at = time.monotonic()
        self._last.update(now)

    def wait(self, jobs: Sequence[JobRef], timeout: float) -> list[JobRef]:
        quiet = time.monotonic() - self._changed_at
        interval = min(max(_FLOOR, _QUIET_SHARE * quiet), config.poll_interval())
        time.sleep(max(0.0, min(interval, timeout)))
        return list(jobs)

    # -- cancel ----------------------------------------------------------------------------

    def cancel(self, jobs: Sequence[JobRef]) -> None:
        """Ask the scheduler to cancel each job once, then wait (up to the stop grace time)
        until it reports them ended."""
        executor = self.executor()
        for native_id in sorted({job.native_id for job in jobs}):
            try:
                executor.cancel(self._job(native_id))
            except SubmitException as exc:
                # refused because it just ended by itself is fine; anything else is not
                mine = [job for job in jobs if job.native_id == native_id]
                if not all(update.status.is_terminal for update in self.status(mine).values()):
                    raise SchedulerError(f"{self.name} could not cancel job {native_id}: {exc.message}") from None
        deadline = time.monotonic() + config.stop_grace()
        pending = list(jobs)
        while pending and time.monotonic() < deadline:
            time.sleep(_FLOOR)
            updates = self.status(pending)
            pending = [j for j in pending if j not in updates or not updates[j].status.is_terminal]
