"""Slurm command output: ``sbatch``, ``squeue``, ``sacct``. Pure functions, tested on output
recorded from a real Slurm 22.05 cluster (``tests/fixtures/schedulers/slurm``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from hpcsim.schedulers.base import JobUpdate, aggregate
from hpcsim.status import Status

__all__ = [
    "SACCT_FIELDS",
    "SACCT_NAMED_STEP_FIELDS",
    "SACCT_STEP_FIELDS",
    "SQUEUE_FORMAT",
    "base_id",
    "parse_sacct",
    "parse_sacct_named_steps",
    "parse_sacct_steps",
    "parse_sbatch",
    "parse_squeue",
]

#: ``squeue -o`` format the parser reads: id (``123``, ``123_4``, ``123+1``), state, reason,
#: end time (the real end of a finished job; of a running one, its time limit's, so unused)
SQUEUE_FORMAT = "%i|%T|%r|%e"
#: ``sacct -o`` fields the parser reads (with ``-X -n -P``); its Reason column is the last
#: pending reason (finished array tasks keep "JobArrayTaskLimit"), so it is not asked for
SACCT_FIELDS = "JobID,State,ExitCode,End"
#: ``sacct -o`` fields :func:`parse_sacct_steps` reads (with ``-n -P``, steps included)
SACCT_STEP_FIELDS = "JobID,State"
#: ``sacct -o`` fields :func:`parse_sacct_named_steps` reads (with ``-n -P``, steps included)
SACCT_NAMED_STEP_FIELDS = "JobID,JobName,State"

# https://slurm.schedmd.com/squeue.html#SECTION_JOB-STATE-CODES
_STATES = {
    "PENDING": Status.QUEUED,
    "CONFIGURING": Status.QUEUED,
    "REQUEUED": Status.QUEUED,
    "REQUEUE_FED": Status.QUEUED,
    "REQUEUE_HOLD": Status.QUEUED,
    "RESV_DEL_HOLD": Status.QUEUED,
    "RUNNING": Status.RUNNING,
    "COMPLETING": Status.RUNNING,
    "SUSPENDED": Status.RUNNING,
    "STOPPED": Status.RUNNING,
    "SIGNALING": Status.RUNNING,
    "STAGE_OUT": Status.RUNNING,
    "RESIZING": Status.RUNNING,
    "COMPLETED": Status.COMPLETED,
    "FAILED": Status.FAILED,
    "SPECIAL_EXIT": Status.FAILED,
    "CANCELLED": Status.CANCELLED,
    "PREEMPTED": Status.CANCELLED,
    "REVOKED": Status.CANCELLED,
    "TIMEOUT": Status.TIMEOUT,
    "DEADLINE": Status.TIMEOUT,
    "NODE_FAIL": Status.NODE_FAIL,
    "BOOT_FAIL": Status.NODE_FAIL,
    "OUT_OF_MEMORY": Status.OOM,
}
_SUBMITTED = re.compile(r"^Submitted batch job (\d+)(?:\s+on cluster \S+)?\s*$", re.MULTILINE)
_PARSABLE = re.compile(r"^(\d+)(?:;\S+)?\s*$")
_COMPONENT = re.compile(r"^(\d+)(?:_(\d+|\[[^\]]*\])|\+(\d+))?$")


def parse_sbatch(out: str) -> str:
    """The job id in ``sbatch`` output (``Submitted batch job 123`` or ``--parsable``'s
    ``123[;cluster]``)."""
    match = _SUBMITTED.search(out) or _PARSABLE.match(out.strip())
    if match is None:
        raise ValueError(f"no job id in sbatch output {out.strip()!r}")
    return match.group(1)


def base_id(native_id: str) -> str:
    """The job an id belongs to: ``123`` for ``123``, array task ``123_4`` and
    heterogeneous component ``123+1``."""
    match = _COMPONENT.match(native_id.strip())
    if match is None:
        raise ValueError(f"{native_id!r} is not a Slurm job id")
    return match.group(1)


def _state(word: str, native_id: str) -> Status:
    # sacct writes "CANCELLED by 1000"; squeue may add flags after a '+'
    name = word.split()[0].split("+")[0] if word.strip() else ""
    try:
        return _STATES[name]
    except KeyError:
        raise ValueError(f"unknown Slurm job state {word!r} for job {native_id}") from None


def _end(text: str) -> float | None:
    """Slurm's ``2024-05-01T12:34:56`` (the local time of the machine asking) as epoch
    seconds; None for ``Unknown``, ``None``, ``N/A`` or anything else."""
    try:
        return time.mktime(time.strptime(text.strip(), "%Y-%m-%dT%H:%M:%S"))
    except (ValueError, OverflowError):
        return None


def _reason(text: str) -> str:
    return "" if text in ("", "None", "(null)") else text


def _with_aggregates(jobs: dict[str, JobUpdate]) -> dict[str, JobUpdate]:
    """Add one entry per array or heterogeneous job summarising its parts, so that a job
    submitted as ``123`` can be followed once Slurm lists it as ``123_0``, ``123_1``..."""
    parts: dict[str, list[JobUpdate]] = {}
    for native_id, update in jobs.items():
        base = base_id(native_id)
        if base != native_id:
            parts.setdefault(base, []).append(update)
    for base, updates in parts.items():
        jobs.setdefault(base, aggregate(updates))
    return jobs


def _rows(text: str, width: int, what: str) -> Iterable[list[str]]:
    for line in text.splitlines():
        if not line.strip():
            continue
        cols = line.split("|")
        if len(cols) < width:
            raise ValueError(f"malformed {what} line {line!r}: expected {width} '|'-separated fields")
        yield cols


def parse_squeue(text: str) -> dict[str, JobUpdate]:
    """``squeue -h -r -t all -o '%i|%T|%r|%e'`` as updates keyed by job id; exit codes are
    not in squeue's output, so they are None. The end time (optional column) is kept for
    jobs that have ended: finished ones, and COMPLETING ones (still RUNNING to hpcsim: Slurm
    shows how such a job ended, e.g. NODE_FAIL, only once it has released its nodes)."""
    jobs = {}
    for native_id, state, reason, *rest in _rows(text, 3, "squeue"):
        status = _state(state, native_id)
        has_ended = status.is_terminal or state.strip().split("+")[0] == "COMPLETING"
        ended = _end(rest[0]) if rest and has_ended else None
        jobs[native_id] = JobUpdate(status, None, _reason(reason), ended)
    return _with_aggregates(jobs)


def _exit_code(field: str) -> tuple[int | None, str]:
    """``rc:signal`` → (rc, what the signal means)."""
    rc, _, signal = field.partition(":")
    if not rc.isdigit():
        return None, ""
    if signal.isdigit() and int(signal):
        return int(rc), f"killed by signal {signal}"
    return int(rc), ""


def parse_sacct(text: str) -> dict[str, JobUpdate]:
    """``sacct -X -n -P -o JobID,State,ExitCode,End`` as updates keyed by job id (the End
    column is optional)."""
    jobs = {}
    for native_id, state, code, *rest in _rows(text, 3, "sacct"):
        status = _state(state, native_id)
        exit_code, signal = _exit_code(code)
        why = signal or (f"exited with code {exit_code}" if status is Status.FAILED and exit_code else "")
        ended = _end(rest[0]) if rest and status.is_terminal else None
        jobs[native_id] = JobUpdate(status, exit_code, why, ended)
    return _with_aggregates(jobs)


def parse_sacct_steps(text: str, job_ids: Iterable[str]) -> dict[str, list[str] | None]:
    """``sacct -n -P -o JobID,State -j IDS`` (steps included): for each of ``job_ids``, its
    steps that ran out of memory (``123.0``), or None while the accounting has not recorded
    the job as ended (it lags slurmctld by a moment, so its steps may not all be in yet)."""
    wanted = set(job_ids)
    ended: set[str] = set()
    oom: dict[str, list[str]] = {}
    for step_id, state, *_ in _rows(text, 2, "sacct"):
        job_id, dot, _step = step_id.partition(".")
        if job_id not in wanted:
            continue
        status = _state(state, step_id)
        if not dot:
            if status.is_terminal:
                ended.add(job_id)
        elif status is Status.OOM:
            oom.setdefault(job_id, []).append(step_id)
    return {job_id: oom.get(job_id, []) if job_id in ended else None for job_id in sorted(wanted)}


def parse_sacct_named_steps(text: str, job_ids: Iterable[str]) -> dict[tuple[str, str], Status]:
    """``sacct -n -P -o JobID,JobName,State -j IDS`` (steps included): the state of each step
    of ``job_ids`` by (job id, step name), e.g. ``("123", "ens_1")`` for step ``123.1`` that
    ``srun --job-name=ens_1`` started. A name may hold '|': the id is the first field and the
    state the last."""
    wanted = set(job_ids)
    steps = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        step_id, _, rest = line.partition("|")
        name, bar, state = rest.rpartition("|")
        if not bar:
            raise ValueError(f"malformed sacct line {line!r}: expected JobID|JobName|State")
        job_id, dot, _step = step_id.partition(".")
        if dot and job_id in wanted:
            steps[job_id, name] = _state(state, step_id)
    return steps
