"""PBS Pro / OpenPBS command output: ``qsub``, ``qstat -f -F json -x`` and its stderr. Pure
functions, tested on output recorded from real PBS servers (``tests/fixtures/schedulers/pbs``).

Sources for the meanings used below:

* job states: PBS Professional Reference Guide, "Job States" (the table PSI/J's
  ``pbs_base._STATE_MAP`` cites, RG 2021.1 §8.1);
* ``Exit_status``: PBS Professional Administrator's Guide, "Job Exit Status Codes" (AG 18.2
  §14.9): 0 is success, 1-255 the script's own exit status, ``256 + n`` a job killed by signal
  ``n``, and negative values the ``JOB_EXEC_*`` codes of OpenPBS ``src/include/job.h``;
* ``qdel`` ends a running job with SIGTERM, then SIGKILL after ``kill_delay``, so a deleted job
  finishes with 271 (or 265); OpenPBS 22.05 reports a walltime kill as -29 and older servers
  as 271 with the comment ``job killed: walltime N exceeded limit M`` (observed by the
  QutEcoacoustics/baw-server integration tests against a real OpenPBS, and NCI Gadi output).
"""

from __future__ import annotations

import json
import re
import signal
from typing import Any

from hpcsim.schedulers.base import JobUpdate
from hpcsim.status import Status

__all__ = ["parse_qstat_json", "parse_qsub", "qstat_error_ids"]

_STATES = {
    "Q": Status.QUEUED,  # queued, eligible to run
    "H": Status.QUEUED,  # held
    "W": Status.QUEUED,  # waiting for its execution time or stage-in
    "T": Status.QUEUED,  # in transit between servers
    "M": Status.QUEUED,  # moved to another server (it goes on there)
    "R": Status.RUNNING,
    "E": Status.RUNNING,  # exiting: still cleaning up, final attributes not all set
    "B": Status.RUNNING,  # array job: at least one subjob has begun
    "S": Status.RUNNING,  # suspended by the server or scheduler after it started
    "U": Status.RUNNING,  # suspended because its workstation became busy
}
#: finished (F) and, for subjobs of an array, expired (X)
_DONE_STATES = frozenset({"F", "X"})
#: ``job.h``: the history substate of a job deleted (terminated) rather than run to its end
_SUBSTATE_TERMINATED = 91

# JOB_EXEC_* codes of OpenPBS src/include/job.h (AG 18.2 §14.9 lists -1 to -20; -31 and -32
# are in newer job.h, as listed by QutEcoacoustics/baw-server lib/gems/pbs/lib/pbs/exit_status.rb)
_KILL_WALLTIME = -29
_OOM_CODES = {-26: "JOB_EXEC_KILL_VMEM", -27: "JOB_EXEC_KILL_MEM", -31: "JOB_EXEC_KILL_HPMEM"}
_NODE_FAIL_CODES = {
    -4: "JOB_EXEC_INITABT (job aborted on MoM initialization)",
    -5: "JOB_EXEC_INITRST (job aborted on MoM initialization, checkpoint, no migrate)",
    -6: "JOB_EXEC_INITRMG (job aborted on MoM initialization, checkpoint, ok migrate)",
    -14: "JOB_EXEC_RERUN_SIS_FAIL (lost contact with a sister MoM)",
    -20: "JOB_EXEC_RERUN_MS_FAIL (mother superior connection failed)",
    -32: "JOB_EXEC_RERUN_ZOMBIE_JOB (MoM re-imaged or lost the job)",
}
_OTHER_CODES = {
    -1: "JOB_EXEC_FAIL1 (execution failed before files, no retry)",
    -2: "JOB_EXEC_FAIL2 (execution failed after files, no retry)",
    -3: "JOB_EXEC_RETRY (execution failed, do retry)",
    -7: "JOB_EXEC_BADRESRT (job restart failed)",
    -10: "JOB_EXEC_FAILUID (invalid uid/gid for job)",
    -11: "JOB_EXEC_RERUN (job was rerun)",
    -12: "JOB_EXEC_CHKP (job was checkpointed and killed)",
    -13: "JOB_EXEC_FAIL_PASSWORD (bad password)",
    -15: "JOB_EXEC_QUERST (requeued for restart from checkpoint)",
    -16: "JOB_EXEC_FAILHOOK_RERUN (rejected by a hook, requeued)",
    -17: "JOB_EXEC_FAILHOOK_DELETE (rejected by a hook, deleted)",
    -18: "JOB_EXEC_HOOK_RERUN (a hook requeued the job)",
    -19: "JOB_EXEC_HOOK_DELETE (a hook deleted the job)",
    -21: "JOB_EXEC_FAIL_SECURITY (security breach in PBS directory)",
    -22: "JOB_EXEC_HOOKERROR (hook exception or timeout)",
    -23: "JOB_EXEC_FAIL_KRB5 (no kerberos credentials)",
    -24: "JOB_EXEC_KILL_NCPUS_BURST (exceeded ncpus, burst)",
    -25: "JOB_EXEC_KILL_NCPUS_SUM (exceeded ncpus, sum)",
    -28: "JOB_EXEC_KILL_CPUT (exceeded cput)",
    -30: "JOB_EXEC_JOINJOB (join job error)",
}
#: MoM's kill message, copied into the comment by some sites: ``job killed: walltime 3631 exceeded limit 3600``
_KILLED_FOR = re.compile(r"job killed: (\w+) .*exceeded limit", re.IGNORECASE)
_MEMORY_LIMITS = frozenset({"mem", "vmem", "pmem", "pvmem", "hpmem"})
#: what ``qdel`` sends: SIGTERM, then SIGKILL once ``kill_delay`` has passed
_DELETE_SIGNALS = frozenset({signal.SIGTERM, signal.SIGKILL})
_UNKNOWN_ID = re.compile(r"^qstat: Unknown Job Id (\S+)\s*$", re.MULTILINE)
_QSUB_ID = re.compile(r"^(\d+(?:\[\d*\])?(?:\.\S+)?)\s*$")


def parse_qsub(out: str) -> str:
    """The job id ``qsub`` printed (``1234.server``, or ``1234[].server`` for an array)."""
    lines = [line for line in out.splitlines() if line.strip()]
    match = _QSUB_ID.match(lines[-1].strip()) if lines else None
    if match is None:
        raise ValueError(f"no job id in qsub output {out.strip()!r}")
    return match.group(1)


def qstat_error_ids(stderr: str) -> list[str]:
    """Job ids ``qstat`` reported unknown (``qstat: Unknown Job Id 1234.server``): purged from
    its history, or never there. qstat still prints JSON for the others, and exits 153
    (PBSE_UNKJOBID 15001 modulo 256)."""
    return _UNKNOWN_ID.findall(stderr)


def parse_qstat_json(text: str) -> dict[str, JobUpdate]:
    """``qstat -f -F json -x <ids>`` as updates keyed by job id exactly as printed
    (``1234.server``, array ``1234[].server``, subjob ``1234[3].server``)."""
    report = _load(text)
    jobs = report.get("Jobs", {})
    if not isinstance(jobs, dict):
        raise ValueError(f"qstat JSON 'Jobs' is a {type(jobs).__name__}, not an object")
    return {native_id: _update(native_id, attrs) for native_id, attrs in jobs.items()}


def _load(text: str) -> dict[str, Any]:
    try:
        report = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"qstat output is not JSON ({err}): {text.strip()[:200]!r}") from None
    if not isinstance(report, dict) or not ("Jobs" in report or "pbs_version" in report):
        raise ValueError(f"not the output of qstat -F json: {text.strip()[:200]!r}")
    return report


def _update(native_id: str, attrs: Any) -> JobUpdate:
    if not isinstance(attrs, dict):
        raise ValueError(f"qstat JSON for job {native_id} is not an object")
    state = attrs.get("job_state")
    comment = str(attrs.get("comment", ""))
    if state in _STATES:
        return JobUpdate(_STATES[state], None, comment)
    if state not in _DONE_STATES:
        raise ValueError(f"unknown PBS job_state {state!r} for job {native_id}")
    if "Exit_status" not in attrs:
        return _never_ran(attrs, comment)
    return _finished(_exit_status(native_id, attrs["Exit_status"]), comment, native_id)


def _exit_status(native_id: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Exit_status {value!r} of job {native_id} is not an integer") from None


def _never_ran(attrs: dict[str, Any], comment: str) -> JobUpdate:
    """A finished job without an exit status never ran: deleted while queued, or aborted."""
    if attrs.get("substate") == _SUBSTATE_TERMINATED:
        return JobUpdate(Status.CANCELLED, None, _join("deleted before it ran", comment))
    return JobUpdate(Status.FAILED, None, _join("finished without an exit status", comment))


def _finished(code: int, comment: str, native_id: str) -> JobUpdate:
    if code == 0:
        return JobUpdate(Status.COMPLETED, 0, comment)
    if code < 0:
        return _pbs_code(code, comment)
    if code >= 256:
        return _signalled(code - 256, comment)
    what = "a subjob failed" if "[]" in native_id else f"exited with code {code}"
    return JobUpdate(Status.FAILED, code, _join(what, comment))


def _pbs_code(code: int, comment: str) -> JobUpdate:
    """The JOB_EXEC_* codes PBS itself sets when it ends or cannot start a job."""
    if code == _KILL_WALLTIME:
        return JobUpdate(Status.TIMEOUT, None, _join("JOB_EXEC_KILL_WALLTIME (exceeded walltime)", comment))
    if code in _OOM_CODES:
        return JobUpdate(Status.OOM, None, _join(f"{_OOM_CODES[code]} (exceeded memory)", comment))
    if code in _NODE_FAIL_CODES:
        return JobUpdate(Status.NODE_FAIL, None, _join(_NODE_FAIL_CODES[code], comment))
    what = _OTHER_CODES.get(code, f"PBS exit status {code}")
    return JobUpdate(Status.FAILED, None, _join(what, comment))


def _signalled(signum: int, comment: str) -> JobUpdate:
    """Killed by a signal: by MoM for a limit (named in the comment), by qdel, or otherwise."""
    killed_for = _KILLED_FOR.search(comment)
    limit = killed_for.group(1).lower() if killed_for else ""
    if limit == "walltime":
        return JobUpdate(Status.TIMEOUT, None, comment)
    if limit in _MEMORY_LIMITS:
        return JobUpdate(Status.OOM, None, comment)
    name = _signal_name(signum)
    if signum in _DELETE_SIGNALS:
        return JobUpdate(Status.CANCELLED, None, _join(f"killed by {name} (qdel)", comment))
    return JobUpdate(Status.FAILED, 128 + signum, _join(f"killed by {name}", comment))


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _join(what: str, comment: str) -> str:
    return f"{what}; {comment}" if comment else what
