"""What the fake PBS, LSF and Grid Engine commands share: a job store, a runner per job, and process control.

State lives in ``$HPCSIM_FAKE_SCHED_DIR/<pbs|lsf|sge>/state.json``, read and written under an
``fcntl`` lock, so the commands and the runners of many jobs can use it at once. ``qsub``/``bsub``
start one detached runner per job (per array element); ``python3 _fakesched.py run KIND KEY``
is a runner. It waits out the queue delay (``HPCSIM_FAKE_QUEUE_DELAY`` seconds, default 0.2)
and any array slot limit, starts ``bash SCRIPT`` in a session of its own, enforces the
walltime, and records how the job ended. What a scheduler prints is made from those facts by
``_fakepbs``, ``_fakelsf`` and ``_fakesge``.

Records keep raw facts: ``state`` (queued, running, done), ``returncode`` (as subprocess
reports it: negative for a signal), ``ended_by`` (None, ``delete``, ``walltime``, or
``lost`` when a runner died without recording an end), and ``rusage`` (the job's resource
usage as ``getrusage(RUSAGE_CHILDREN)`` reports it). A job runs ``bash SCRIPT`` unless its
record names another command line in ``argv`` (``qsub -S shell script args``); array elements
whose records set ``dispatch_in_order`` start in index order, as Grid Engine dispatches tasks.
Stdlib only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import resource
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Job = dict[str, Any]
State = dict[str, Any]

#: how long a runner sleeps between looks at the state while it waits
POLL = 0.05
#: between the polite signal(s) and SIGKILL when a job is deleted or hits its walltime
KILL_DELAY = 2.0


class FakeError(Exception):
    """A command refuses: ``message`` goes to stderr and ``code`` is its exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def run_command(kind: str, main: Any, argv: list[str]) -> int:
    """Run one of ``kind``'s commands, ``main(argv)``, turning a FakeError into its message and
    exit status. Without a state directory no command does anything."""
    try:
        state_dir(kind)
        return int(main(argv))
    except FakeError as err:
        sys.stderr.write(err.message if err.message.endswith("\n") else err.message + "\n")
        return err.code


def state_dir(kind: str) -> Path:
    root = os.environ.get("HPCSIM_FAKE_SCHED_DIR")
    if not root:
        raise FakeError(f"fake {kind}: HPCSIM_FAKE_SCHED_DIR is not set", 2)
    path = Path(root) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def locked_state(kind: str) -> Iterator[State]:
    """The state of ``kind``'s fake server, written back when the block ends without error."""
    directory = state_dir(kind)
    with open(directory / "state.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = directory / "state.json"
        state: State = json.loads(path.read_text()) if path.exists() else {"next_id": 100, "jobs": {}}
        yield state
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, path)


def queue_delay() -> float:
    return float(os.environ.get("HPCSIM_FAKE_QUEUE_DELAY", "0.2"))


def allowed_queues(default: str) -> list[str]:
    """Queues the fake server has: ``HPCSIM_FAKE_QUEUES`` (comma-separated) or ``default``."""
    names = os.environ.get("HPCSIM_FAKE_QUEUES", default)
    return [name.strip() for name in names.split(",") if name.strip()]


# -- scripts ------------------------------------------------------------------------------


def directive_args(script: str, prefix: str) -> list[str]:
    """The arguments of ``prefix`` lines (``#PBS``, ``#BSUB``) up to the first command line."""
    args: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        if stripped.startswith(prefix + " ") or stripped.startswith(prefix + "\t"):
            try:
                args += shlex.split(stripped[len(prefix) :])
            except ValueError as err:
                raise FakeError(f"cannot parse directive {stripped!r}: {err}", 2) from None
    return args


def read_script(path: str | None) -> str:
    """The job script: a file, or stdin when no file is named (``qsub < script``)."""
    if path is None:
        return sys.stdin.read()
    try:
        return Path(path).read_text()
    except OSError as err:
        raise FakeError(f"cannot read script {path}: {err.strerror}", 2) from None


def spool_script(kind: str, job_id: str, text: str) -> str:
    """A private copy of the script, as a real server keeps: later edits do not change the job."""
    spool = state_dir(kind) / "spool"
    spool.mkdir(exist_ok=True)
    path = spool / f"{job_id}.sh"
    path.write_text(text)
    return str(path)


def ranges(indices: list[int]) -> str:
    """``[0, 1, 2, 5]`` → ``0-2,5`` (how PBS and LSF print index lists)."""
    runs: list[list[int]] = []
    for index in sorted(indices):
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


# -- processes ----------------------------------------------------------------------------


def proc_start(pid: int) -> str:
    """Start time of ``pid`` in clock ticks since boot ('' without /proc), to spot recycled pids."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_alive(pid: int, start: str) -> bool:
    """Whether ``pid`` is still the process that started at ``start`` and not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return True
    return fields[0] not in ("Z", "X") and (not start or fields[19] == start)


def group_alive(pgid: int) -> bool:
    """Whether a live (not zombie) process is left in process group ``pgid``."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def kill_groups(pgids: list[int], polite: list[int], delay: float = KILL_DELAY) -> None:
    """Send each of the ``polite`` signals in turn to the process groups, each time giving them
    ``delay`` seconds to end, then SIGKILL to what is left."""
    for signum in polite:
        for pgid in pgids:
            signal_group(pgid, signum)
        deadline = time.monotonic() + delay
        while any(group_alive(pgid) for pgid in pgids) and time.monotonic() < deadline:
            time.sleep(POLL)
    for pgid in pgids:
        signal_group(pgid, signal.SIGKILL)


def start_runner(key: str, kind: str) -> tuple[int, str]:
    """A detached runner for job ``key``; its pid and start time."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "run", kind, key],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    return proc.pid, proc_start(proc.pid)


def reap_lost(state: State) -> None:
    """End jobs whose runner died without recording an end: the fake's "host" is gone, so
    the job is killed and marked ``lost`` (never completed)."""
    for job in state["jobs"].values():
        if job["state"] == "done" or process_alive(job["runner_pid"], job["runner_start"]):
            continue
        if job.get("pgid"):
            signal_group(job["pgid"], signal.SIGKILL)
        finish(job, None, "lost")


def finish(job: Job, returncode: int | None, ended_by: str | None) -> None:
    job.update(state="done", returncode=returncode, end_time=time.time())
    if job.get("ended_by") is None:
        job["ended_by"] = ended_by


def request_delete(job: Job) -> int | None:
    """Mark ``job`` deleted (under the state lock); the process group to kill, if it runs."""
    if job["state"] == "queued":
        finish(job, None, "delete")
        return None
    job["ended_by"] = "delete"
    return int(job["pgid"])


# -- the runner ---------------------------------------------------------------------------


def _claim_start(kind: str, key: str) -> tuple[Job, subprocess.Popen[bytes]] | None:
    """Start the job if it is still wanted and a slot is free; None when it was deleted."""
    while True:
        with locked_state(kind) as state:
            job = state["jobs"][key]
            if job["state"] == "done":
                return None
            if _slot_free(state, job):
                proc = _spawn(job)
                job.update(state="running", pgid=proc.pid, start_time=time.time())
                return job, proc
        time.sleep(POLL)


def _slot_free(state: State, job: Job) -> bool:
    if job.get("dispatch_in_order") and any(
        j.get("base") == job["base"] and j["state"] == "queued" and j["index"] < job["index"]
        for j in state["jobs"].values()
    ):
        return False  # an earlier element of its array is still waiting to start
    limit = job.get("slot_limit")
    if not limit:
        return True
    running = [j for j in state["jobs"].values() if j.get("base") == job["base"] and j["state"] == "running"]
    return len(running) < int(limit)


def _spawn(job: Job) -> subprocess.Popen[bytes]:
    out = _open_output(job.get("stdout"), job.get("stdout_mode", "a"))
    err = out if job.get("stderr") in (None, job.get("stdout")) else _open_output(job["stderr"], job["stderr_mode"])
    with out, err:
        return subprocess.Popen(
            job.get("argv") or ["bash", job["script"]],
            cwd=job["cwd"],
            env=job["env"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )


def _open_output(path: str | None, mode: str) -> Any:
    if not path:
        return open(os.devnull, "wb")
    try:
        return open(path, mode + "b")
    except OSError:
        return open(os.devnull, "wb")


def _wait(job: Job, proc: subprocess.Popen[bytes]) -> tuple[int, bool]:
    """Wait for the job; kill it when it outlives its walltime. (returncode, timed out)."""
    try:
        return proc.wait(timeout=job.get("walltime")), False
    except subprocess.TimeoutExpired:
        pass
    if job.get("limit_message") and job.get("stderr"):
        with contextlib.suppress(OSError), open(job["stderr"], "a") as err:
            err.write(job["limit_message"].format(used=int(time.time() - job["start_time"])) + "\n")
    for name in job["limit_signals"]:
        signal_group(proc.pid, getattr(signal, name))
    try:
        return proc.wait(timeout=KILL_DELAY), True
    except subprocess.TimeoutExpired:
        signal_group(proc.pid, signal.SIGKILL)
        return proc.wait(), True


def run(kind: str, key: str) -> int:
    """A job's runner: queue, start, watch, record."""
    deadline = time.monotonic() + queue_delay()
    while time.monotonic() < deadline:
        with locked_state(kind) as state:
            if state["jobs"][key]["state"] == "done":
                return 0
        time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
    started = _claim_start(kind, key)
    if started is None:
        return 0
    job, proc = started
    returncode, timed_out = _wait(job, proc)
    signal_group(proc.pid, signal.SIGKILL)  # like MoM/sbatchd: nothing of a job outlives it
    usage = _child_usage()
    with locked_state(kind) as state:
        finish(state["jobs"][key], returncode, "walltime" if timed_out else None)
        state["jobs"][key]["rusage"] = usage
    return 0


def _child_usage() -> dict[str, float]:
    """The resource usage of the runner's waited-for children: its one job (``ru_maxrss`` in
    KiB, as Linux reports it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    names = ("utime", "stime", "maxrss", "minflt", "majflt", "inblock", "oublock", "nvcsw", "nivcsw")
    return {name: float(getattr(usage, "ru_" + name)) for name in names}


def kill_everything(root: Path) -> None:
    """Test teardown: stop every runner and job under a fake-scheduler directory."""
    for path in root.glob("*/state.json"):
        for job in json.loads(path.read_text())["jobs"].values():
            if job["state"] == "done":
                continue
            if process_alive(job["runner_pid"], job["runner_start"]):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(job["runner_pid"], signal.SIGKILL)
            if job.get("pgid"):
                signal_group(job["pgid"], signal.SIGKILL)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "run":
        sys.exit("usage: _fakesched.py run KIND JOB_KEY")
    sys.exit(run(sys.argv[2], sys.argv[3]))
