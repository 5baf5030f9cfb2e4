"""Grid Engine (SGE 6.x, Son of Grid Engine 8.1, Univa/Altair GE, Open Cluster Scheduler 9)
command output: ``qsub [-terse]``, ``qstat -xml``, ``qacct -j`` and its stderr. Pure functions,
tested on output recorded from real clusters (``tests/fixtures/schedulers/sge``).

Sources for the meanings used below:

* job states: qstat(1) "the status of the job" and the state table of sge_status(5) (Son of
  Grid Engine ``doc/man/man5/sge_status.5``): ``qw``/``hqw``/``hRwq``/``Rq`` pending,
  ``r``/``t``/``Rr``/``Rt``/``hr`` running, ``s``/``S``/``T`` suspended after start, ``E`` error
  (a pending job that cannot start: it waits until ``qmod -cj`` or ``qdel``), ``d`` deletion;
* task ranges: ``range_to_dstring`` in ``source/libs/sgeobj/sge_range.c``: ``1-10:2``, a lone
  ``7``, or ``8,9`` when a range holds two ids, ranges joined with ``,``;
* qsub: ``get_bulk_jobid_string`` / ``MSG_JOB_SUBMITJOBARRAY_UUUUS`` (``123.1-4:1``);
* ``failed``: the codes of ``source/common/execution_states.h`` as tabulated in sge_status(5)
  (0 ran normally, 1-36 and 38 the shepherd or execd failed, mostly before the job ran, 24/25
  migrate/reschedule, 37 ``qmaster enforced h_rt, h_cpu, or h_vmem limit``, 100 ``assumedly
  after job``: killed by a signal); ``exit_status`` is 128 + n for signal n (accounting(5));
* limit kills: Son of Grid Engine's execd kills a job over h_rt, h_cpu or h_vmem with SIGKILL
  and records failed 37 (``execd_ck_to_do.c``), so 37 alone does not say which limit (it is
  also what a forced ``qdel -f`` writes, ``sge_job_qmaster.c``). The older execd of
  gridengine/gridengine and Open Cluster Scheduler 9 only kill: failed 100 / exit_status 137,
  OCS adding ``deleted_by execd@<host>`` (``<user>@<host>`` for a qdel, sge_accounting(5)).
  The record's limits (category ``-l h_rt=3600,h_vmem=4G``, or OCS's submit_cmd_line) against
  ``ru_wallclock`` and ``maxvmem`` (h_vmem is per slot) say which limit was reached;
* qdel of a running job: failed 100 / exit_status 137 (recorded in bcgsc/mavis' SGE tests;
  PennLINC BABS notes "probably killed by the user").
* unknown ids: ``error: job id 123 not found`` (``MSG_HISTORY_JOBIDXNOTFOUND_U``).
"""

from __future__ import annotations

import re
import signal
import xml.etree.ElementTree as ET
from datetime import datetime

from hpcsim.schedulers.base import JobUpdate
from hpcsim.status import Status

__all__ = ["parse_qacct", "parse_qstat_xml", "parse_qsub_terse", "qacct_missing_ids"]

_ARRAY = r"(?:\.\d+-\d+:\d+)?"
_QSUB = re.compile(rf"^\s*(\d+){_ARRAY}\s*$|^Your job(?:-array)? (\d+){_ARRAY} \(.*\) has been submitted", re.MULTILINE)
_MISSING = re.compile(r"^error: job id (\d+) not found", re.MULTILINE)
_SEPARATOR = re.compile(r"^=+\s*$", re.MULTILINE)
_FIELD = re.compile(r"^(\w+)\s*(.*?)\s*$")
_TIME_FORMATS = ("%a %b %d %H:%M:%S %Y", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S.%f")
_UNITS = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_RESCHEDULED = frozenset({24, 25})  # migrating, rescheduling: the job runs again
_LIMIT_KILL = 37
_AFTER_JOB = 100
_DELETE_SIGNALS = (signal.SIGKILL, signal.SIGTERM)


def parse_qsub_terse(out: str) -> str:
    """The job number ``qsub -terse`` printed (``123``, array ``123.1-4:1``), or the one in
    ``Your job 123 ("x") has been submitted`` / ``Your job-array 123.1-4:1 ("x") ...``."""
    match = _QSUB.search(out)
    if match is None:
        raise ValueError(f"no job id in qsub output {out.strip()!r}")
    return match.group(1) or match.group(2)


def qacct_missing_ids(stderr: str) -> list[str]:
    """Job ids qacct reports unknown (``error: job id 123 not found``, exit status 1): not yet
    in the accounting file (it is flushed every few seconds) or rotated out of it."""
    return _MISSING.findall(stderr)


def parse_qstat_xml(text: str) -> dict[str, JobUpdate]:
    """``qstat -xml`` as updates keyed ``123`` or, for array tasks, ``123.4``; pending task
    ranges are expanded. Finished jobs (state ``z``/``f``, only with ``-s z``/``-s f``) are left
    out: their outcome is in qacct."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise ValueError(f"qstat output is not XML ({err}): {text.strip()[:200]!r}") from None
    if root.tag != "job_info":
        raise ValueError(f"not the output of qstat -xml (root <{root.tag}>): {text.strip()[:200]!r}")
    jobs: dict[str, JobUpdate] = {}
    for entry in root.iter("job_list"):
        number = (entry.findtext("JB_job_number") or "").strip()
        state = (entry.findtext("state") or "").strip()
        if not number.isdigit():
            raise ValueError(f"qstat job_list without a job number: {ET.tostring(entry, 'unicode')[:200]!r}")
        if state in ("z", "f"):
            continue
        update = _state(number, state)
        tasks = (entry.findtext("tasks") or "").strip()
        for task in _task_ids(number, tasks) if tasks else [None]:
            jobs[number if task is None else f"{number}.{task}"] = update
    return jobs


def _state(number: str, state: str) -> JobUpdate:
    if "d" in state:
        return JobUpdate(Status.CANCELLED, None, f"being deleted (qdel), state {state}")
    if "E" in state:
        why = f"error state {state}: `qstat -j {number}` says why; `qmod -cj {number}` clears it"
        return JobUpdate(Status.FAILED, None, why)
    if "q" in state or "w" in state:
        notes = ["held" if "h" in state else "", "requeued" if "R" in state else ""]
        return JobUpdate(Status.QUEUED, None, ", ".join(note for note in notes if note))
    if set(state) & set("sST"):
        return JobUpdate(Status.RUNNING, None, f"suspended ({state})")
    if set(state) & set("rt"):
        return JobUpdate(Status.RUNNING, None, "restarted" if "R" in state else "")
    raise ValueError(f"unknown Grid Engine job state {state!r} for job {number}")


def _task_ids(number: str, tasks: str) -> list[int]:
    """``1-10:2``, ``7``, ``8,9`` or several of them joined by ``,``."""
    ids: list[int] = []
    for item in tasks.split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+)(?::(\d+))?)?", item.strip())
        if match is None:
            raise ValueError(f"task range {tasks!r} of job {number} is not understood")
        first, last, step = int(match[1]), int(match[2] or match[1]), int(match[3] or 1)
        ids.extend(range(first, last + 1, step))
    return ids


def parse_qacct(text: str) -> dict[str, JobUpdate]:
    """``qacct -j <id>`` records keyed ``123`` or ``123.4`` (taskid set). A job run twice (it
    was rescheduled) has a record per run; the last one is the latest run."""
    text = text.split("Total System Usage", 1)[0]  # qacct's summary table, after the records
    jobs: dict[str, JobUpdate] = {}
    for chunk in _SEPARATOR.split(text):
        if not chunk.strip():
            continue
        fields = {m[1]: m[2] for m in map(_FIELD.match, chunk.strip().splitlines()) if m}
        if not fields.get("jobnumber", "").isdigit():
            raise ValueError(f"qacct record without a jobnumber: {chunk.strip()[:200]!r}")
        task = fields.get("taskid", "undefined")
        key = fields["jobnumber"] if task in ("undefined", "0", "") else f"{fields['jobnumber']}.{task}"
        update = _outcome(key, fields)
        jobs[key] = JobUpdate(update.status, update.exit_code, update.reason, _ended(fields.get("end_time", "")))
    return jobs


def _outcome(key: str, fields: dict[str, str]) -> JobUpdate:
    failed, _, why = fields.get("failed", "").partition(":")
    code, exit_status = _int(key, "failed", failed), _int(key, "exit_status", fields.get("exit_status", ""))
    what = f"failed {code}: {why.strip()}" if why.strip() else f"failed {code}"
    if code == 0:
        if exit_status == 0:
            return JobUpdate(Status.COMPLETED, 0, "")
        return JobUpdate(Status.FAILED, exit_status, _exit_reason(exit_status))
    if code in _RESCHEDULED:
        return JobUpdate(Status.QUEUED, None, f"{what}; the job runs again")
    who = fields.get("deleted_by", "NONE")
    who = "" if who in ("NONE", "") else who
    killed = exit_status - 128 in _DELETE_SIGNALS
    if code == _LIMIT_KILL or (code == _AFTER_JOB and (killed or who)):
        if who and not who.startswith(("execd@", "qmaster@")):
            return JobUpdate(Status.CANCELLED, None, f"deleted by {who}")
        limit = _limit_reached(fields)
        if limit == "h_vmem":
            return JobUpdate(Status.OOM, None, f"killed at its h_vmem limit ({what})")
        if limit or code == _LIMIT_KILL or who:
            return JobUpdate(Status.TIMEOUT, None, f"killed at its {limit or 'run-time'} limit ({what})")
        return JobUpdate(Status.CANCELLED, None, f"{_exit_reason(exit_status)}, most likely by qdel ({what})")
    if code == _AFTER_JOB and exit_status:
        return JobUpdate(Status.FAILED, exit_status, f"{_exit_reason(exit_status)} ({what})")
    return JobUpdate(Status.FAILED, None, what)


def _limit_reached(fields: dict[str, str]) -> str:
    """``h_rt`` or ``h_vmem`` when the record shows the job reached that limit as requested in
    its category (SGE, Univa) or submit command line (OCS); h_vmem is per slot."""
    category = f"{fields.get('category', '')} {fields.get('submit_cmd_line', '')}"
    h_rt = re.search(r"(?:^|[\s,])h_rt=([\d:]+)", category)
    h_vmem = re.search(r"(?:^|[\s,])h_vmem=([^,\s]+)", category)
    wallclock = _number(fields.get("ru_wallclock", ""))
    if h_rt and wallclock is not None and wallclock >= _seconds(h_rt[1]):
        return "h_rt"
    maxvmem, limit = _number(fields.get("maxvmem", "")), _number(h_vmem[1]) if h_vmem else None
    slots = _number(fields.get("slots", "")) or 1
    if maxvmem is not None and limit is not None and maxvmem >= limit * slots:
        return "h_vmem"
    return ""


def _seconds(spec: str) -> float:
    """A time_specifier: seconds, or ``h:m:s`` with empty parts meaning 0 (sge_types(1))."""
    total = 0.0
    for part in spec.split(":"):
        total = total * 60 + float(part or 0)
    return total


def _number(value: str) -> float | None:
    """``3600s``, ``301.220``, ``20.610GB``, ``17.488M``, ``25G``, ``16000m``, ``21045248``:
    lower-case multipliers are powers of 1000, upper-case powers of 1024 (sge_types(1))."""
    match = re.fullmatch(r"([\d.]+)\s*([kmgtKMGT]?)B?s?", value.strip())
    try:
        return float(match[1]) * _UNITS[match[2]] if match else None
    except ValueError:
        return None


def _int(key: str, name: str, value: str) -> int:
    words = value.split()
    if not words or not words[0].isdigit():
        raise ValueError(f"qacct field {name} {value!r} of job {key} is not a number")
    return int(words[0])


def _exit_reason(exit_status: int) -> str:
    if exit_status <= 128:
        return f"exited with code {exit_status}"
    try:
        return f"killed by signal {signal.Signals(exit_status - 128).name}"
    except ValueError:
        return f"killed by signal {exit_status - 128}"


def _ended(value: str) -> float | None:
    """``end_time`` in the local time of qacct: ctime (SGE, SoGE), ``2024-09-27 07:42:08.801865``
    (OCS 9) or ``08/03/2020 07:53:22.139`` (Univa); ``-/-`` when the job never ran."""
    for layout in _TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), layout).timestamp()
        except ValueError:
            continue
    return None
