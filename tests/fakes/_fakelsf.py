"""The fake IBM Spectrum LSF cluster behind ``bsub``, ``bjobs`` and ``bkill`` (see
``_fakesched`` for the runtime). It follows LSF 10.1 as recorded in
``tests/fixtures/schedulers/lsf``:

* ``bsub [options] script`` and ``bsub < script`` both read ``#BSUB`` directives up to the
  first command line (as with ``LSB_BSUB_PARSE_SCRIPT=Y``; command line options win) and print
  ``Job <n> is submitted to default queue <normal>.`` (``to queue <q>.`` with ``-q``); an
  unknown queue is refused with ``<q>: No such queue. Job not submitted.`` and exit status 255;
* the job runs ``bash script`` in the submission directory (or ``-cwd``) with the submission
  environment (``-env all``, the default; ``-env none`` keeps a login-like base) plus
  LSB_JOBID, LSB_JOBNAME, LSB_JOBINDEX, LSB_HOSTS...; ``-o``/``-e`` append and ``-oo``/``-eo``
  overwrite, ``%J``/``%I`` are the job id and array index; ``-J "name[1-4]%2"`` makes an array
  whose elements run at most 2 at once;
* ``-W [hours:]minutes`` is the run limit; ``HPCSIM_FAKE_LSF_MINUTE_SECONDS`` (default 60) is
  how long a "minute" lasts, so tests can hit it. A job past it gets SIGUSR2, then SIGKILL, and
  ends EXIT with ``TERM_RUNLIMIT: job killed after reaching LSF run time limit``;
* ``bjobs -o "fields" -json [-a] [ids]`` prints LSF's JSON (``/`` escaped as ``\\/``, ids of array
  elements as ``123[4]`` as with ``LSB_BJOBS_DISPLAY_ENH=Y``); an unknown id is an
  ``{"ERROR": "Job <id> is not found"}`` record, and the exit status is 255 when no id named
  was found (``LSB_BJOBS_CONSISTENT_EXIT_CODE=N``); without ``-a`` finished jobs are left out;
* ``bkill ids`` prints ``Job <n> is being terminated`` and sends SIGINT and SIGTERM to the
  job's process group, SIGKILL 2 s later; the job ends EXIT with
  ``TERM_OWNER: job killed by owner``; unknown and finished ids fail (255) with
  ``Job <n>: No matching job found`` and ``Job <n>: Job has already finished``;
* a job whose runner vanished ends EXIT with ``TERM_ZOMBIE: job exited while LSF is not available``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shlex
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from _fakesched import (
    FakeError,
    Job,
    State,
    allowed_queues,
    directive_args,
    kill_groups,
    locked_state,
    read_script,
    reap_lost,
    request_delete,
    spool_script,
    start_runner,
)

KIND = "lsf"
#: bsub options that take a value; the ones the fake acts on are read in ``_submit``
_VALUED = {
    "-J", "-o", "-oo", "-e", "-eo", "-W", "-q", "-P", "-G", "-n", "-nnodes", "-cwd", "-env", "-M", "-R",
    "-gpu", "-alloc_flags", "-core_isolation", "-U", "-u", "-w", "-app", "-sla", "-g", "-Jd", "-m", "-L", "-c",
}  # fmt: skip
_FLAGS = {"-B", "-N", "-x", "-r", "-rn"}
_UNSUPPORTED = {"-I", "-Is", "-Ip", "-K", "-H"}
_ARRAY_NAME = re.compile(r"^(?P<name>[^\[]*)\[(?P<spec>[^\]]+)\](?:%(?P<limit>\d+))?$")
_LOGIN_VARS = ("HOME", "LOGNAME", "USER", "SHELL", "PATH", "LANG", "TZ")
_REASONS = {
    "delete": "TERM_OWNER: job killed by owner",
    "walltime": "TERM_RUNLIMIT: job killed after reaching LSF run time limit",
    "lost": "TERM_ZOMBIE: job exited while LSF is not available",
}


def _host() -> str:
    return socket.gethostname().split(".")[0]


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# -- bsub ----------------------------------------------------------------------------------


def bsub(argv: list[str]) -> int:
    command_line, command = _options(argv)
    if command and not Path(command[0]).is_file():
        raise FakeError(f"bsub: the fake LSF runs job scripts only, not {shlex.join(command)}", 255)
    text = read_script(command[0] if command else None)
    settings, _ = _options(directive_args(text, "#BSUB"))
    settings.update(command_line)
    queues = allowed_queues("normal")
    queue = settings.get("-q", queues[0])
    if queue not in queues:
        raise FakeError(f"{queue}: No such queue. Job not submitted.", 255)
    seq = _submit(settings, text, queue, command[0] if command else "STDIN")
    where = f"queue <{queue}>" if "-q" in settings else f"default queue <{queue}>"
    print(f"Job <{seq}> is submitted to {where}.")
    return 0


def _options(tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
    """bsub options as ``{option: value}`` (``-env`` values accumulate), and the command."""
    settings: dict[str, Any] = {"-env": []}
    position = 0
    while position < len(tokens) and tokens[position].startswith("-"):
        option = tokens[position]
        if option in _UNSUPPORTED:
            raise FakeError(f"bsub: the fake LSF does not support {option}", 255)
        if option in _FLAGS:
            settings[option] = True
        elif option in _VALUED and position + 1 < len(tokens):
            position += 1
            if option == "-env":
                settings["-env"].append(tokens[position])
            else:
                settings[option] = tokens[position]
        else:
            raise FakeError(f"bsub: illegal option -- {option.lstrip('-')}", 255)
        position += 1
    if not settings["-env"]:
        del settings["-env"]
    return settings, tokens[position:]


def _array(name_spec: str) -> tuple[str, list[int] | None, int | None]:
    """``name[1-4,7,10-20:5]%2`` → (name, indices, slot limit)."""
    match = _ARRAY_NAME.match(name_spec)
    if match is None:
        return name_spec, None, None
    indices: list[int] = []
    for item in match["spec"].split(","):
        bounds, _, step = item.partition(":")
        start, _, end = bounds.partition("-")
        if not start.isdigit() or not (end or start).isdigit() or not (step or "1").isdigit():
            raise FakeError(f"bsub: bad job array index list {match['spec']!r}. Job not submitted.", 255)
        indices += range(int(start), int(end or start) + 1, int(step or 1))
    return match["name"], sorted(set(indices)), int(match["limit"]) if match["limit"] else None


def _run_limit(text: str | None) -> float | None:
    """``-W [hours:]minutes[/host]`` in seconds, a minute lasting HPCSIM_FAKE_LSF_MINUTE_SECONDS."""
    if not text:
        return None
    hours, _, minutes = text.split("/")[0].rpartition(":")
    if not minutes.isdigit() or not (hours or "0").isdigit():
        raise FakeError(f"bsub: bad -W value {text}. Job not submitted.", 255)
    minute = float(os.environ.get("HPCSIM_FAKE_LSF_MINUTE_SECONDS", "60"))
    return (int(hours or 0) * 60 + int(minutes)) * minute


def _submit(settings: dict[str, Any], text: str, queue: str, command: str) -> int:
    name, indices, slot_limit = _array(settings.get("-J", command))
    with locked_state(KIND) as state:
        seq = int(state["next_id"])
        state["next_id"] += 1
        common = {
            "seq": seq,
            "name": name,
            "queue": queue,
            "project": settings.get("-P", "default"),
            "slots": settings.get("-n", "1"),
            "walltime": _run_limit(settings.get("-W")),
            "cwd": settings.get("-cwd", os.getcwd()),
            "command": command,
            "submit_time": time.time(),
        }
        script = spool_script(KIND, str(seq), text)
        for index in indices if indices is not None else [None]:
            job = _job(common, settings, script, index, slot_limit)
            job["runner_pid"], job["runner_start"] = start_runner(job["id"], KIND)
            state["jobs"][job["id"]] = job
    return seq


def _job(common: dict[str, Any], settings: dict[str, Any], script: str, index: int | None, limit: int | None) -> Job:
    seq = common["seq"]
    job_id = f"{seq}[{index}]" if index is not None else str(seq)
    stdout, stdout_mode = _output(settings, "o", seq, index)
    stderr, stderr_mode = _output(settings, "e", seq, index)
    return {
        **common,
        "id": job_id,
        "base": str(seq) if index is not None else None,
        "index": index,
        "job_name": f"{common['name']}[{index}]" if index is not None else common["name"],
        "slot_limit": limit,
        "state": "queued",
        "script": script,
        "env": _environment(common, settings.get("-env", []), index),
        "stdout": stdout,
        "stdout_mode": stdout_mode,
        # without -e, stderr goes where stdout goes
        "stderr": stderr or stdout,
        "stderr_mode": stderr_mode if stderr else stdout_mode,
        "limit_signals": ["SIGUSR2"],
        "ended_by": None,
        "returncode": None,
    }


def _output(settings: dict[str, Any], letter: str, seq: int, index: int | None) -> tuple[str | None, str]:
    """The path of -o/-e (appending) or -oo/-eo (overwriting), with %J and %I filled in."""
    append, overwrite = f"-{letter}", f"-{letter}{letter}"
    option = overwrite if overwrite in settings else append
    if option not in settings:
        return None, "a"  # LSF would mail the output
    path = settings[option].replace("%J", str(seq)).replace("%I", str(index or 0))
    return str(Path(settings.get("-cwd", os.getcwd()), path)), "w" if option == overwrite else "a"


def _environment(common: dict[str, Any], env_specs: list[str], index: int | None) -> dict[str, str]:
    """``-env all`` (default) / ``none`` / ``"all, NAME=value"``, and the LSB_* variables."""
    items = [item.strip() for spec in env_specs for item in spec.split(",") if item.strip()]
    keep_all = "none" not in [item.lower() for item in items]
    env = dict(os.environ) if keep_all else {k: os.environ[k] for k in _LOGIN_VARS if k in os.environ}
    for item in items:
        name, eq, value = item.partition("=")
        if item.lower() not in ("all", "none"):
            env[name] = value if eq else os.environ.get(name, "")
    slots = int(common["slots"]) if str(common["slots"]).isdigit() else 1
    env.update(
        LSB_JOBID=str(common["seq"]),
        LSB_JOBNAME=f"{common['name']}[{index}]" if index is not None else common["name"],
        LSB_JOBINDEX=str(index or 0),
        LSB_QUEUE=common["queue"],
        LSB_HOSTS=" ".join([_host()] * slots),
        LSB_MCPU_HOSTS=f"{_host()} {slots}",
        LSB_DJOB_NUMPROC=str(slots),
        LS_SUBCWD=common["cwd"],
    )
    return env


# -- bjobs ---------------------------------------------------------------------------------


def bjobs(argv: list[str]) -> int:
    options, ids = _bjobs_options(argv)
    fields = _fields(options.get("-o"))
    with locked_state(KIND) as state:
        reap_lost(state)
        records, found = _records(state, ids, fields, include_done="-a" in options)
    if "-json" in options:
        print(_json(records))
    else:
        _table(records, fields, header="-noheader" not in options)
    return 255 if ids and not found else 0


def _bjobs_options(argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    options: dict[str, Any] = {}
    ids: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token in ("-o", "-u"):
            options[token] = next(tokens, "")
        elif token in ("-json", "-a", "-noheader", "-w"):
            options[token] = True
        elif token.startswith("-"):
            raise FakeError(f"bjobs: the fake LSF does not support {token}", 255)
        else:
            ids.append(token)
    if "-json" in options and "-o" not in options:
        raise FakeError(
            "bjobs: You cannot use the -json option when the -o option is not specified "
            "or the LSB_BJOBS_FORMAT parameter is not defined.",
            255,
        )
    return options, ids


def _fields(spec: str | None) -> list[str]:
    """Field names of ``-o "jobid stat:8 exit_code delimiter=','"`` in upper case."""
    names = [token.split(":")[0].upper() for token in (spec or "jobid stat").split() if "=" not in token]
    aliases = {"ID": "JOBID", "NAME": "JOB_NAME"}
    names = [aliases.get(name, name) for name in names]
    unknown = [name for name in names if name not in _FIELD_VALUES]
    if unknown:
        raise FakeError(f"bjobs: the fake LSF does not know the output field(s) {', '.join(unknown).lower()}", 255)
    return names


def _records(state: State, ids: list[str], fields: list[str], include_done: bool) -> tuple[list[dict[str, str]], bool]:
    """One record per job (array element) named, or all; ERROR records for unknown ids."""
    records: list[dict[str, str]] = []
    found = False
    names: list[str | None] = list(ids) or [None]
    for name in names:
        jobs = [j for j in state["jobs"].values() if name is None or j["id"] == name or j["base"] == name]
        if name is not None and not jobs:
            records.append({"ERROR": f"Job <{name}> is not found"})
            continue
        found = True
        records += [_record(job, fields) for job in jobs if include_done or job["state"] != "done"]
    return records, found


def _stat(job: Job) -> str:
    if job["state"] != "done":
        return {"queued": "PEND", "running": "RUN"}[job["state"]]
    return "DONE" if job["returncode"] == 0 and job["ended_by"] is None else "EXIT"


def _exit_code(job: Job) -> str:
    code = job["returncode"]
    if _stat(job) != "EXIT" or code is None:
        return ""
    return str(code if code >= 0 else 128 - code)


def _time(when: float | None, finished: bool = False) -> str:
    if not when:
        return ""
    return time.strftime("%b %d %H:%M", time.localtime(when)) + (" L" if finished else "")


_FIELD_VALUES: dict[str, Any] = {
    "JOBID": lambda j: j["id"],
    "JOBINDEX": lambda j: str(j["index"] or 0),
    "STAT": _stat,
    "EXIT_CODE": _exit_code,
    "EXIT_REASON": lambda j: _REASONS.get(j["ended_by"], "") if j["state"] == "done" else "",
    "KILL_REASON": lambda j: "",
    "SUSPEND_REASON": lambda j: "",
    "PEND_REASON": lambda j: "New job is waiting for scheduling;" if j["state"] == "queued" else "",
    "JOB_NAME": lambda j: j["job_name"],
    "USER": lambda j: getpass.getuser(),
    "QUEUE": lambda j: j["queue"],
    "PROJ_NAME": lambda j: j["project"],
    "FROM_HOST": lambda j: _host(),
    "EXEC_HOST": lambda j: _host() if j.get("start_time") else "",
    "SUBMIT_TIME": lambda j: _time(j["submit_time"]),
    "START_TIME": lambda j: _time(j.get("start_time")),
    "FINISH_TIME": lambda j: _time(j.get("end_time"), finished=True),
    "EXEC_CWD": lambda j: j["cwd"] if j.get("start_time") else "",
    "OUTPUT_FILE": lambda j: j["stdout"] or "",
    "ERROR_FILE": lambda j: j["stderr"] or "",
    "SLOTS": lambda j: str(j["slots"]),
    "COMMAND": lambda j: j["command"],
}


def _record(job: Job, fields: list[str]) -> dict[str, str]:
    return {field: str(_FIELD_VALUES[field](job)) for field in fields}


def _json(records: list[dict[str, str]]) -> str:
    """bjobs' JSON layout: two-space indents, ``"KEY":"value"``, and ``/`` written as ``\\/``."""

    def string(value: str) -> str:
        return json.dumps(value).replace("/", "\\/")

    rendered = [
        "    {\n" + ",\n".join(f"      {string(k)}:{string(v)}" for k, v in record.items()) + "\n    }"
        for record in records
    ]
    jobs = sum("ERROR" not in record for record in records)
    body = ",\n".join(rendered)
    return f'{{\n  "COMMAND":"bjobs",\n  "JOBS":{jobs},\n  "RECORDS":[\n{body}\n  ]\n}}'


def _table(records: list[dict[str, str]], fields: list[str], header: bool) -> None:
    if header:
        print(" ".join(fields))
    for record in records:
        if "ERROR" in record:
            _err(record["ERROR"])
        else:
            print(" ".join(record[field] or "-" for field in fields))


# -- bkill ---------------------------------------------------------------------------------


def bkill(argv: list[str]) -> int:
    if not argv or any(arg.startswith("-") for arg in argv):
        raise FakeError("usage: bkill job_ID ... (the fake LSF takes job ids only)", 255)
    groups: list[int] = []
    failed = False
    with locked_state(KIND) as state:
        reap_lost(state)
        for name in argv:
            jobs = [j for j in state["jobs"].values() if j["id"] == name or j["base"] == name]
            live = [j for j in jobs if j["state"] != "done"]
            if not live:
                _err(f"Job <{name}>: " + ("Job has already finished" if jobs else "No matching job found"))
                failed = True
                continue
            groups += [pgid for pgid in map(request_delete, live) if pgid is not None]
            print(f"Job <{name}> is being terminated")
    kill_groups(groups, [signal.SIGINT, signal.SIGTERM])
    return 255 if failed else 0
