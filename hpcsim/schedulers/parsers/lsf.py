"""IBM Spectrum LSF command output: ``bsub`` and ``bjobs -o ... -json``. Pure functions, tested
on output recorded from real LSF clusters (``tests/fixtures/schedulers/lsf``).

Sources for the meanings used below:

* STAT values: IBM LSF 10.1 ``bjobs`` description, "Job states" (PEND, PROV, PSUSP, RUN,
  USUSP, SSUSP, DONE, EXIT, UNKWN, WAIT, ZOMBI);
* EXIT_REASON: the ``TERM_*`` keywords of "Termination reasons displayed by bacct, bhist, and
  bjobs" (LSF 10.1 administration), printed as ``KEYWORD: description``, e.g.
  ``TERM_RUNLIMIT: job killed after reaching LSF run time limit`` (EMBL-EBI pipelite) and
  ``TERM_OWNER: job killed by owner`` (MSKCC ridgeback);
* ids: ``bjobs`` lists an array element as ``123[4]`` in JOBID when
  ``LSB_BJOBS_DISPLAY_ENH=Y``, otherwise JOBID is ``123`` and the index is in JOBINDEX;
* unknown ids come back as ``{"ERROR": "Job <5> is not found"}`` records (PSI/J's
  ``LsfJobExecutor`` skips them the same way).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hpcsim.schedulers.base import JobUpdate, aggregate
from hpcsim.status import Status

__all__ = ["bjobs_missing_ids", "parse_bjobs_json", "parse_bsub"]

_STATES = {
    "PEND": Status.QUEUED,
    "PSUSP": Status.QUEUED,  # suspended by its owner or an administrator while pending
    "WAIT": Status.QUEUED,  # member of a chunk job, waiting to run
    "PROV": Status.RUNNING,  # dispatched; its power-saved host is waking up
    "RUN": Status.RUNNING,
    "USUSP": Status.RUNNING,  # suspended by its owner or an administrator while running
    "SSUSP": Status.RUNNING,  # suspended by LSF (load, run window) while running
    "UNKWN": Status.RUNNING,  # mbatchd lost contact with its host; it may come back
}
_EXIT_KINDS = {
    "TERM_RUNLIMIT": Status.TIMEOUT,  # bsub -W
    "TERM_DEADLINE": Status.TIMEOUT,  # bsub -t
    "TERM_MEMLIMIT": Status.OOM,
    "TERM_SWAP": Status.OOM,
    "TERM_OWNER": Status.CANCELLED,  # bkill by the owner
    "TERM_FORCE_OWNER": Status.CANCELLED,  # bkill -r by the owner
    "TERM_ADMIN": Status.CANCELLED,  # bkill by root or an LSF administrator
    "TERM_FORCE_ADMIN": Status.CANCELLED,
    "TERM_BUCKET_KILL": Status.CANCELLED,  # bkill -b
    "TERM_ZOMBIE": Status.NODE_FAIL,  # job exited while LSF was not available
    "TERM_REMOVE_HUNG_JOB": Status.NODE_FAIL,  # removed after its host stayed unreachable
    "TERM_SLURM": Status.NODE_FAIL,  # terminated abnormally in Slurm (node failure)
}
#: reason fields, in the order a record's reason is taken from
_REASON_FIELDS = ("EXIT_REASON", "KILL_REASON", "PEND_REASON", "SUSPEND_REASON")
_NOT_FOUND = re.compile(r"^Job <([^>]+)> is not found")
_SUBMITTED = re.compile(r"^Job <(\d+)> is submitted to (?:default )?queue <[^>]*>\.?\s*$", re.MULTILINE)


def parse_bsub(out: str) -> str:
    """The job id in ``bsub`` output (``Job <123> is submitted to [default ]queue <normal>.``)."""
    match = _SUBMITTED.search(out)
    if match is None:
        raise ValueError(f"no job id in bsub output {out.strip()!r}")
    return match.group(1)


def parse_bjobs_json(text: str) -> dict[str, JobUpdate]:
    """``bjobs -o "jobid stat exit_code exit_reason" -json -a <ids>`` (or PSI/J's
    ``JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON``) as updates keyed by job id, with
    array elements as ``123[4]``. An array also gets an entry under its own id, summing up its
    elements, unless bjobs listed that id itself. ERROR records are left out: see
    :func:`bjobs_missing_ids`."""
    jobs: dict[str, JobUpdate] = {}
    elements: dict[str, list[JobUpdate]] = {}
    for record in _records(text):
        if "ERROR" in record:
            continue
        native_id = _record_id(record)
        jobs[native_id] = _update(native_id, record)
        base, bracket, _ = native_id.partition("[")
        if bracket:
            elements.setdefault(base, []).append(jobs[native_id])
    for base, updates in elements.items():
        jobs.setdefault(base, aggregate(updates))
    return jobs


def bjobs_missing_ids(text: str) -> list[str]:
    """Ids that ``bjobs -json`` reported as not found (unknown, or finished longer ago than
    CLEAN_PERIOD). Any other ERROR record is a failed query and raises ValueError."""
    missing = []
    for record in _records(text):
        if "ERROR" not in record:
            continue
        message = str(record["ERROR"]).strip()
        match = _NOT_FOUND.match(message)
        if match is None:
            raise ValueError(f"bjobs reported an error: {message!r}")
        missing.append(str(record.get("JOBID") or match.group(1)))
    return missing


def _records(text: str) -> list[dict[str, Any]]:
    """The RECORDS of ``bjobs -json`` output. Lines before the JSON object are skipped: LSF
    prints ``Cannot connect to LSF. Please wait ...`` there while mbatchd is busy."""
    start = re.search(r"^\s*\{", text, re.MULTILINE)
    if start is None:
        raise ValueError(f"no JSON object in bjobs output {text.strip()[:200]!r}")
    try:
        report = json.loads(text[start.start() :])
    except json.JSONDecodeError as err:
        raise ValueError(f"bjobs output is not valid JSON ({err}): {text.strip()[:200]!r}") from None
    records = report.get("RECORDS") if isinstance(report, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"not the output of bjobs -json (no RECORDS list): {text.strip()[:200]!r}")
    return records


def _record_id(record: dict[str, Any]) -> str:
    native_id = str(record.get("JOBID", "")).strip()
    if not native_id:
        raise ValueError(f"bjobs record without a JOBID: {record!r}")
    index = str(record.get("JOBINDEX", "")).strip()
    if index not in ("", "0") and "[" not in native_id:
        return f"{native_id}[{index}]"
    return native_id


def _update(native_id: str, record: dict[str, Any]) -> JobUpdate:
    stat = str(record.get("STAT", "")).strip()
    reason = _reason(record)
    if stat in _STATES:
        return JobUpdate(_STATES[stat], None, reason)
    exit_code = _exit_code(native_id, record.get("EXIT_CODE", ""))
    if stat == "DONE":
        return JobUpdate(Status.COMPLETED, 0, reason)
    if stat == "ZOMBI":
        return JobUpdate(Status.NODE_FAIL, exit_code, reason or "killed while its host was unreachable (ZOMBI)")
    if stat == "EXIT":
        return _exited(exit_code, reason)
    raise ValueError(f"unknown LSF job state {stat!r} for job {native_id}")


def _exited(exit_code: int | None, reason: str) -> JobUpdate:
    keyword = reason.split(":", 1)[0].strip()
    status = _EXIT_KINDS.get(keyword, Status.FAILED)
    if status is Status.FAILED and not reason:
        reason = f"exited with code {exit_code}" if exit_code is not None else "exited"
    return JobUpdate(status, exit_code, reason)


def _exit_code(native_id: str, value: Any) -> int | None:
    """EXIT_CODE is empty (JSON) or ``-`` (text) when there is none, e.g. for a DONE job."""
    text = str(value).strip()
    if text in ("", "-"):
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"EXIT_CODE {value!r} of job {native_id} is not an integer") from None


def _reason(record: dict[str, Any]) -> str:
    for field in _REASON_FIELDS:
        text = str(record.get(field, "")).strip()
        if text and text != "-":
            return text
    return ""
