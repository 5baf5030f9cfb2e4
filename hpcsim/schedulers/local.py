"""The local scheduler: each script runs as a detached process group on this machine.

Native ids are ``<pid>:<start time>`` so that another process (``hpcsim status``, a new
``Experiment.load``) can tell a still-running job from a recycled pid. Waiting uses pidfds
on Linux, so a blocking start wakes the moment a job ends, without sleeping.

A job is its whole session, not just the bash script that leads it: when someone kills the
script (the pid in the job id) while its application still runs, the job stays RUNNING, says
which pids are left, and ``cancel`` still signals every process of the session.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Sequence

from hpcsim import config
from hpcsim._proc import pid_alive, proc_stat, session_members
from hpcsim._shell import spawn
from hpcsim.schedulers.base import JobRef, JobUpdate, Scheduler, Submission, finished, read_exit_code, recorded_end
from hpcsim.schedulers.kinds import LOCAL
from hpcsim.status import Status

__all__ = ["LocalScheduler"]

_log = logging.getLogger("hpcsim.schedulers")

#: at most this many pidfds are watched at once (stays well inside the default fd limit)
_MAX_WATCHED = 512
#: how often jobs beyond the watched ones, or on systems without pidfds, are looked at
_UNWATCHED_TICK = 0.05


def _parse(native_id: str) -> tuple[int, str]:
    pid, _, start = native_id.partition(":")
    return int(pid), start


def _alive(native_id: str) -> bool:
    """Whether the job's process still runs: same start time (no recycled pid), and not a
    zombie left by a driver that died (its new parent may take a while to reap it)."""
    pid, start = _parse(native_id)
    return pid_alive(pid, start)


def _survivors(native_id: str) -> list[int]:
    """Live processes of the job's session after its script ended (none without /proc)."""
    pid, start = _parse(native_id)
    return [member for member, _ in session_members(pid, start)] if start else []


def _ended(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return "ended" if returncode is None else f"exited with code {returncode}"


class LocalScheduler(Scheduler):
    name = LOCAL.name
    submitted_status = Status.RUNNING

    def __init__(self) -> None:
        self._children: dict[str, subprocess.Popen[bytes]] = {}
        self._pidfds: dict[str, int] = {}
        #: how a job's script ended (as Popen reports it), while its application runs on
        self._script_ends: dict[str, int] = {}
        #: jobs whose script is gone while their application runs (warned about once)
        self._orphaned: set[str] = set()

    def submit(self, submission: Submission) -> str:
        proc = spawn(["/bin/bash", str(submission.script)], cwd=str(submission.script.parent))
        native_id = f"{proc.pid}:{proc_stat(proc.pid)[1]}"
        self._children[native_id] = proc
        return native_id

    def _update(self, job: JobRef) -> JobUpdate:
        child = self._children.get(job.native_id)
        returncode = child.poll() if child is not None else None
        if (child is not None and returncode is None) or (child is None and _alive(job.native_id)):
            return JobUpdate(Status.RUNNING)
        self._forget(job.native_id)
        if returncode is not None:
            self._script_ends[job.native_id] = returncode
        recorded = read_exit_code(job.exit_code_file)
        if recorded is not None:
            self._script_ends.pop(job.native_id, None)
            return finished(recorded, recorded_end(job.exit_code_file))
        survivors = _survivors(job.native_id)
        how = _ended(self._script_ends.get(job.native_id))
        if survivors:  # the script was killed, its application was not: the job still runs
            reason = (
                f"its script (pid {_parse(job.native_id)[0]}) {how}, but its application still runs as pid(s) "
                f"{', '.join(map(str, survivors))}; `hpcsim cancel` (or Experiment.stop) stops them"
            )
            if job.native_id not in self._orphaned:
                self._orphaned.add(job.native_id)
                _log.warning("local job %s: %s", job.native_id, reason)
            return JobUpdate(Status.RUNNING, None, reason)
        code = self._script_ends.pop(job.native_id, None)
        if job.native_id in self._orphaned:
            self._orphaned.discard(job.native_id)
            return JobUpdate(
                Status.FAILED, code, f"its script {how} and its application ended later without an exit code"
            )
        if code is not None and code < 0:
            return JobUpdate(Status.FAILED, code, f"killed by {signal.Signals(-code).name}")
        return JobUpdate(Status.FAILED, code, "ended without recording an exit code (killed?)")

    def status(self, jobs: Sequence[JobRef]) -> dict[JobRef, JobUpdate]:
        return {job: self._update(job) for job in jobs}

    def cancel(self, jobs: Sequence[JobRef]) -> None:
        """SIGTERM each job's process group, then SIGKILL what is left after the grace time."""
        running = [job for job in jobs if self._signal(job.native_id, signal.SIGTERM)]
        deadline = time.monotonic() + config.stop_grace()
        while running and time.monotonic() < deadline:
            self.wait(running, deadline - time.monotonic())
            running = [job for job in running if self._update(job).status is Status.RUNNING]
        for job in running:
            self._signal(job.native_id, signal.SIGKILL)
        if running:  # reap what SIGKILL ended, so no zombie outlives the stop
            self.wait(running, 1.0)
            self.status(running)

    def _signal(self, native_id: str, signum: signal.Signals) -> bool:
        """Signal the job's process group; once its script (the group's leader) is gone,
        every group of its session that still has a live process. False: nothing to signal."""
        pid, start = _parse(native_id)
        if native_id in self._children or _alive(native_id):
            groups = {pid}
        else:
            groups = {group for _, group in session_members(pid, start)} if start else set()
        signalled = False
        for group in sorted(groups):
            try:
                os.killpg(group, signum)
            except ProcessLookupError:
                continue
            signalled = True
        return signalled

    def wait(self, jobs: Sequence[JobRef], timeout: float) -> list[JobRef]:
        if not jobs:
            return []
        watched = [job for job in jobs[:_MAX_WATCHED] if self._pidfd(job.native_id) is not None]
        ids = {job.native_id for job in watched}
        unwatched = [job for job in jobs if job.native_id not in ids]
        if unwatched:
            timeout = min(timeout, _UNWATCHED_TICK)
        poller = select.poll()
        by_fd = {}
        for job in watched:
            fd = self._pidfds[job.native_id]
            poller.register(fd, select.POLLIN)
            by_fd[fd] = job
        ready = [by_fd[fd] for fd, _ in poller.poll(max(timeout, 0.0) * 1000)]
        return ready + unwatched

    def _pidfd(self, native_id: str) -> int | None:
        if native_id in self._pidfds:
            return self._pidfds[native_id]
        if not hasattr(os, "pidfd_open"):
            return None
        try:
            fd = os.pidfd_open(_parse(native_id)[0])
        except OSError:
            return None
        if native_id not in self._children and not _alive(native_id):
            os.close(fd)
            return None
        self._pidfds[native_id] = fd
        return fd

    def _forget(self, native_id: str) -> None:
        self._children.pop(native_id, None)
        fd = self._pidfds.pop(native_id, None)
        if fd is not None:
            os.close(fd)
