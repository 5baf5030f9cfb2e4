"""The fake PBS Pro server behind ``qsub``, ``qstat`` and ``qdel`` (see ``_fakesched`` for the
runtime). It follows OpenPBS 22.05 as recorded in ``tests/fixtures/schedulers/pbs``:

* ``qsub [options] [script]`` reads ``#PBS`` directives up to the first command line (command
  line options win), prints ``<seq>.fakepbs`` (``<seq>[].fakepbs`` for ``-J``), and rejects an
  unknown queue with ``qsub: Unknown queue`` and exit status 170 (PBSE_UNKQUE 15018 mod 256);
* the job runs ``bash script`` in ``$HOME`` (PBS starts jobs there, hence ``cd $PBS_O_WORKDIR``)
  with PBS_JOBID, PBS_JOBNAME, PBS_O_WORKDIR, PBS_NODEFILE, PBS_ARRAY_INDEX...; only the
  ``PBS_O_*`` variables and a login-like base (HOME, PATH, USER...) cross over unless ``-V``
  or ``-v`` says otherwise; ``-o``/``-e`` default to ``<name>.o<seq>`` in the submission
  directory, ``-j oe`` joins them and ``^array_index^`` in a path is the subjob's index;
* ``qstat -f -F json [-x] [-t] [ids]`` prints PBS's JSON; unknown ids go to stderr as
  ``qstat: Unknown Job Id <id>`` and make the exit status 153 (PBSE_UNKJOBID 15001 mod 256),
  finished ones without ``-x`` as ``... Job has finished, use -x or -H ...`` (35);
* ``qdel ids`` sends SIGTERM to a running job's process group, SIGKILL after 2 s, so the job
  ends with Exit_status 271 (256 + SIGTERM); a queued job is finished unrun (substate 91);
  unknown and finished ids fail with ``qdel: Unknown Job Id <id>`` (153) and
  ``qdel: Job has finished <id>`` (35);
* a job past its ``-l walltime`` gets ``=>> PBS: job killed: walltime N exceeded limit M`` in
  its stderr, SIGTERM then SIGKILL, and Exit_status -29 (JOB_EXEC_KILL_WALLTIME); a job whose
  runner vanished ends with -20 (JOB_EXEC_RERUN_MS_FAIL: its "mother superior" is gone).
"""

from __future__ import annotations

import getopt
import getpass
import json
import os
import re
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
    ranges,
    read_script,
    reap_lost,
    request_delete,
    spool_script,
    start_runner,
    state_dir,
)

KIND = "pbs"
SERVER = "fakepbs"
VERSION = "22.05.11"
_QSUB_OPTIONS = "A:a:c:C:e:hIj:J:k:l:m:M:N:o:p:P:q:r:S:u:v:VW:z"
_UNSUPPORTED = {"-I": "interactive jobs", "-h": "held jobs (there is no qrls)", "-a": "deferred start times"}
_SETTINGS = {"-N": "name", "-A": "account", "-P": "project", "-j": "join", "-J": "array", "-q": "queue"}
_USAGE = "usage: qsub [-A account] [-e path] [-j oe] [-J range] [-l resources] [-N name] [-o path] [-q queue] [script]"
_ARRAY = re.compile(r"^(\d+)-(\d+)(?::(\d+))?(?:%(\d+))?$")
_ID = re.compile(r"^(\d+)(\[\d*\])?(?:\.(\S+))?$")
_LOGIN_VARS = ("HOME", "LOGNAME", "USER", "SHELL", "PATH", "LANG", "TZ", "MAIL")
# OpenPBS pbs_error.h numbers; the commands exit with them modulo 256
_UNKJOBID, _UNKQUE, _HISTJOBID = 15001, 15018, 15139
# OpenPBS job.h: JOB_EXEC_KILL_WALLTIME, JOB_EXEC_RERUN_MS_FAIL; history substates
_KILL_WALLTIME, _MS_FAIL = -29, -20
_SUBSTATES = {"queued": 10, "running": 42, "exiting": 51, "terminated": 91, "finished": 92, "failed": 93}


def _host() -> str:
    return socket.gethostname().split(".")[0]


def _stamp(when: float) -> str:
    return time.ctime(when)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# -- qsub ----------------------------------------------------------------------------------


def qsub(argv: list[str]) -> int:
    if argv == ["--version"]:  # as every OpenPBS command prints it
        print(f"pbs_version = {VERSION}")
        return 0
    command_line = _options(argv)
    operands = command_line.pop("operands")
    if len(operands) > 1:
        raise FakeError(f"qsub: the fake PBS takes one script, not {operands}\n{_USAGE}", 2)
    path = operands[0] if operands else None
    text = read_script(path)
    settings = _options(directive_args(text, "#PBS"))
    for key in ("resources", "variables"):
        settings[key].update(command_line.pop(key))
    settings.update(command_line)
    settings["name"] = settings.get("name") or (Path(path).name if path else "STDIN")
    settings["queue"] = _queue(settings.get("queue"))
    print(_submit(settings, text, " ".join(argv)))
    return 0


def _options(args: list[str]) -> dict[str, Any]:
    """qsub options (from the command line or ``#PBS`` lines) as settings, with ``operands``."""
    try:
        opts, operands = getopt.getopt(args, _QSUB_OPTIONS)
    except getopt.GetoptError as err:
        raise FakeError(f"qsub: {err}\n{_USAGE}", 2) from None
    settings: dict[str, Any] = {"resources": {}, "variables": {}, "operands": operands}
    for flag, value in opts:
        _apply(flag, value, settings)
    return settings


def _apply(flag: str, value: str, settings: dict[str, Any]) -> None:
    if flag in _UNSUPPORTED:
        raise FakeError(f"qsub: the fake PBS does not support {flag} ({_UNSUPPORTED[flag]})", 2)
    if flag in _SETTINGS:
        # PSI/J writes "#PBS -N=name"
        settings[_SETTINGS[flag]] = value.lstrip("=") if flag == "-N" else value
    elif flag in ("-o", "-e"):
        settings["stdout" if flag == "-o" else "stderr"] = re.sub(r"^[^/:]*:", "", value)
    elif flag == "-l":
        for item in value.split(","):
            key, _, val = item.partition("=")
            settings["resources"][key.strip()] = val.strip()
    elif flag == "-v":
        for item in value.split(","):
            key, eq, val = item.partition("=")
            settings["variables"][key.strip()] = val if eq else os.environ.get(key.strip(), "")
    elif flag == "-V":
        settings["inherit"] = True


def _queue(requested: str | None) -> str:
    queues = allowed_queues("workq")
    queue = (requested or queues[0]).split("@")[0]
    if queue not in queues:
        raise FakeError("qsub: Unknown queue", _UNKQUE % 256)
    return queue


def _walltime(text: str | None) -> float | None:
    """``[[HH:]MM:]SS`` in seconds."""
    if not text:
        return None
    seconds = 0.0
    try:
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
    except ValueError:
        raise FakeError(f"qsub: illegal -l value walltime={text}", 2) from None
    return seconds


def _indices(spec: str | None) -> tuple[list[int] | None, int | None]:
    """``-J start-end[:step][%max]`` → the indices and the slot limit."""
    if spec is None:
        return None, None
    match = _ARRAY.match(spec)
    if match is None or int(match.group(2)) <= int(match.group(1)):
        raise FakeError("qsub: illegal -J value", 2)
    start, end, step, limit = match.groups()
    return list(range(int(start), int(end) + 1, int(step or 1))), int(limit) if limit else None


def _submit(settings: dict[str, Any], text: str, submit_args: str) -> str:
    indices, slot_limit = _indices(settings.get("array"))
    with locked_state(KIND) as state:
        seq = state["next_id"]
        state["next_id"] += 1
        parent = f"{seq}[].{SERVER}" if indices is not None else None
        common = _common(settings, seq, submit_args, parent)
        script = spool_script(KIND, str(seq), text)
        for index in indices if indices is not None else [None]:
            job = _job(common, script, index, slot_limit)
            job["runner_pid"], job["runner_start"] = start_runner(job["id"], KIND)
            state["jobs"][job["id"]] = job
        if parent:
            state.setdefault("arrays", {})[parent] = {**common, "id": parent, "indices": indices}
    return parent or f"{seq}.{SERVER}"


def _common(settings: dict[str, Any], seq: int, submit_args: str, parent: str | None) -> dict[str, Any]:
    """What a job and its subjobs share."""
    workdir = os.getcwd()
    return {
        "seq": seq,
        "name": settings["name"],
        "queue": settings["queue"],
        "account": settings.get("account"),
        "project": settings.get("project") or "_pbs_project_default",
        "resources": settings["resources"],
        "walltime": _walltime(settings["resources"].get("walltime")),
        "join": settings.get("join", "n"),
        "stdout_spec": settings.get("stdout"),
        "stderr_spec": settings.get("stderr"),
        "variables": _variable_list(workdir, settings["queue"], settings["variables"]),
        "inherit": settings.get("inherit", False),
        "array_spec": (settings.get("array") or "").split("%")[0],
        "parent": parent,
        "owner": f"{getpass.getuser()}@{_host()}",
        "workdir": workdir,
        "submit_args": submit_args,
        "submit_time": time.time(),
    }


def _variable_list(workdir: str, queue: str, variables: dict[str, str]) -> dict[str, str]:
    """The job's Variable_List: qsub's PBS_O_* copies of the submission environment, and -v."""
    found = {f"PBS_O_{name}": os.environ.get(name, "") for name in ("HOME", "LANG", "LOGNAME", "PATH", "MAIL", "SHELL")}
    found.update(PBS_O_WORKDIR=workdir, PBS_O_SYSTEM="Linux", PBS_O_QUEUE=queue, PBS_O_HOST=_host())
    return {**{k: v for k, v in found.items() if v}, **variables}


def _job(common: dict[str, Any], script: str, index: int | None, slot_limit: int | None) -> Job:
    """A runnable job (a plain job or one subjob) as the runner and qstat read it."""
    seq = common["seq"]
    job_id = f"{seq}[{index}].{SERVER}" if index is not None else f"{seq}.{SERVER}"
    stdout, stderr = _output_paths(common, index)
    mode = "a" if index is not None else "w"  # subjobs may share one file
    limit = int(common["walltime"] or 0)
    return {
        **common,
        "id": job_id,
        "base": str(seq) if index is not None else None,
        "index": index,
        "slot_limit": slot_limit,
        "state": "queued",
        "script": script,
        "cwd": os.environ.get("HOME", "/"),
        "env": _environment(common, job_id, index),
        "stdout": stdout,
        "stdout_mode": mode,
        "stderr": stderr,
        "stderr_mode": mode,
        "limit_signals": ["SIGTERM"],
        "limit_message": f"=>> PBS: job killed: walltime {{used}} exceeded limit {limit}",
        "ended_by": None,
        "returncode": None,
    }


def _output_paths(common: dict[str, Any], index: int | None) -> tuple[str, str | None]:
    suffix = f"{common['seq']}" + (f".{index}" if index is not None else "")
    paths = []
    for spec, letter in ((common["stdout_spec"], "o"), (common["stderr_spec"], "e")):
        path = spec or f"{common['name']}.{letter}{suffix}"
        path = path.replace("^array_index^", "" if index is None else str(index))
        paths.append(str(Path(common["workdir"], path)))
    return paths[0], None if common["join"] == "oe" else paths[1]


def _environment(common: dict[str, Any], job_id: str, index: int | None) -> dict[str, str]:
    base = dict(os.environ) if common["inherit"] else {k: os.environ[k] for k in _LOGIN_VARS if k in os.environ}
    env = {**base, **common["variables"]}
    env.update(
        PBS_JOBID=job_id,
        PBS_JOBNAME=common["name"],
        PBS_QUEUE=common["queue"],
        PBS_ENVIRONMENT="PBS_BATCH",
        PBS_JOBDIR=os.environ.get("HOME", "/"),
        PBS_NODEFILE=_nodefile(job_id, common["resources"]),
        NCPUS=_chunk(common["resources"]).get("ncpus", "1"),
    )
    if index is not None:
        env.update(PBS_ARRAY_INDEX=str(index), PBS_ARRAY_ID=common["parent"])
    return env


def _chunk(resources: dict[str, str]) -> dict[str, str]:
    """The first chunk of ``select=N:ncpus=C:mpiprocs=M``, with N as ``count``."""
    count, *parts = (resources.get("select") or "1").split(":")
    chunk = {key: value for key, _, value in (part.partition("=") for part in parts)}
    chunk["count"] = count if count.isdigit() else "1"
    return chunk


def _nodefile(job_id: str, resources: dict[str, str]) -> str:
    """One line per MPI process, as PBS writes it: chunks x mpiprocs, all on this host."""
    chunk = _chunk(resources)
    path = state_dir(KIND) / "spool" / f"{job_id}.nodes"
    path.write_text(f"{_host()}\n" * (int(chunk["count"]) * int(chunk.get("mpiprocs", "1"))))
    return str(path)


# -- qstat ---------------------------------------------------------------------------------


def qstat(argv: list[str]) -> int:
    try:
        opts, operands = getopt.getopt(argv, "fF:xtw")
    except getopt.GetoptError as err:
        raise FakeError(f"qstat: {err}", 2) from None
    flags = dict(opts)
    if "-f" not in flags or flags.get("-F", "").lower() != "json":
        raise FakeError("qstat: the fake PBS prints only the -f -F json format", 2)
    with locked_state(KIND) as state:
        reap_lost(state)
        jobs, failed = _select(state, operands, history="-x" in flags, subjobs="-t" in flags)
    report: dict[str, Any] = {"timestamp": int(time.time()), "pbs_version": VERSION, "pbs_server": SERVER}
    if jobs:
        report["Jobs"] = jobs
    print(json.dumps(report, indent=4, separators=(",", ":")))
    return failed % 256


def _select(state: State, operands: list[str], history: bool, subjobs: bool) -> tuple[dict[str, Any], int]:
    """The JSON of the jobs named (all, when none is), and the last PBS error number."""
    names = operands or [*state.get("arrays", {}), *(k for k, j in state["jobs"].items() if j["base"] is None)]
    jobs: dict[str, Any] = {}
    failed = 0
    for name in names:
        job_id = _full_id(name)
        attrs = _attributes(state, job_id)
        if attrs is None:
            _err(f"qstat: Unknown Job Id {job_id}")
            failed = _UNKJOBID
        elif attrs["job_state"] in ("F", "X") and not history:
            if operands:
                _err(f"qstat: {job_id} Job has finished, use -x or -H to obtain historical job information")
                failed = _HISTJOBID
        else:
            jobs[job_id] = attrs
            if subjobs and job_id in state.get("arrays", {}):
                jobs.update({sub["id"]: _job_attrs(sub) for sub in _subjobs(state, job_id)})
    return jobs, failed


def _full_id(name: str) -> str:
    """``123``, ``123[]``, ``123[4]`` with the default server's name appended, as qstat does."""
    match = _ID.match(name.strip())
    if match is None:
        return name
    seq, bracket, server = match.groups()
    return f"{seq}{bracket or ''}.{server or SERVER}"


def _attributes(state: State, job_id: str) -> dict[str, Any] | None:
    if job_id in state.get("arrays", {}):
        return _parent_attrs(state["arrays"][job_id], _subjobs(state, job_id))
    job = state["jobs"].get(job_id)
    return _job_attrs(job) if job else None


def _subjobs(state: State, parent_id: str) -> list[Job]:
    return sorted((j for j in state["jobs"].values() if j["parent"] == parent_id), key=lambda j: j["index"])


def _exit_status(job: Job) -> int | None:
    if job["ended_by"] == "walltime":
        return _KILL_WALLTIME
    if job["ended_by"] == "lost":
        return _MS_FAIL
    code: int | None = job["returncode"]
    if code is None:
        return None
    return code if code >= 0 else 256 - code


def _job_attrs(job: Job) -> dict[str, Any]:
    """A job's or subjob's attributes, in the order ``qstat -f`` prints them."""
    attrs = _shared_attrs(job, _job_state(job))
    started = job.get("start_time")
    if started:
        attrs.update(
            stime=_stamp(started),
            session_id=job["pgid"],
            exec_host=f"{_host()}/0",
            exec_vnode=f"({_host()}:ncpus={_ncpus(job)})",
        )
    if job["state"] == "done":
        attrs["obittime"] = _stamp(job["end_time"])
    attrs.update(jobdir=job["cwd"], substate=_substate(job))
    attrs["Variable_List"] = job["variables"]
    if started:
        when = time.strftime("%a %b %d at %H:%M", time.localtime(started))
        ended = " and finished" if job["state"] == "done" else ""
        attrs["comment"] = f"Job run at {when} on ({_host()}:ncpus={_ncpus(job)}){ended}"
    attrs.update(etime=_stamp(job["submit_time"]), run_count=1 if started else 0)
    if job["state"] == "done" and _exit_status(job) is not None:
        attrs["Exit_status"] = _exit_status(job)
    attrs.update(Submit_arguments=job["submit_args"], project=job["project"], Submit_Host=_host())
    if job["index"] is not None:
        attrs.update(array_id=job["parent"], array_index=job["index"])
    return attrs


def _job_state(job: Job) -> str:
    if job["state"] == "queued":
        return "Q"
    if job["state"] == "running":
        return "E" if job["ended_by"] == "delete" else "R"
    return "X" if job["index"] is not None else "F"


def _substate(job: Job) -> int:
    if job["state"] != "done":
        return _SUBSTATES["exiting" if _job_state(job) == "E" else job["state"]]
    if job["ended_by"] == "delete":
        return _SUBSTATES["terminated"]
    return _SUBSTATES["failed" if job["ended_by"] else "finished"]


def _ncpus(job: Job) -> str:
    return _chunk(job["resources"]).get("ncpus", "1")


def _shared_attrs(job: dict[str, Any], state: str) -> dict[str, Any]:
    """The attributes every job, subjob and array shows, in qstat's order."""
    attrs: dict[str, Any] = {"Job_Name": job["name"], "Job_Owner": job["owner"], "job_state": state}
    attrs.update(queue=job["queue"], server=SERVER)
    if job["account"]:
        attrs["Account_Name"] = job["account"]
    out, err = _output_paths(job, job.get("index"))
    attrs.update(
        Checkpoint="u",
        ctime=_stamp(job["submit_time"]),
        Error_Path=f"{_host()}:{err or out}",
        Hold_Types="n",
        Join_Path=job["join"],
        Keep_Files="n",
        Mail_Points="a",
        mtime=_stamp(job.get("end_time") or job.get("start_time") or job["submit_time"]),
        Output_Path=f"{_host()}:{out}",
        Priority=0,
        qtime=_stamp(job["submit_time"]),
        Rerunable="True",
        Resource_List=_resource_list(job["resources"]),
    )
    return attrs


def _resource_list(resources: dict[str, str]) -> dict[str, Any]:
    chunk = _chunk(resources)
    listed: dict[str, Any] = {
        "ncpus": int(chunk["count"]) * int(chunk.get("ncpus", "1")),
        "nodect": int(chunk["count"]),
        "place": "pack",
        "select": f"{chunk['count']}:ncpus={chunk.get('ncpus', '1')}",
    }
    listed.update({key: int(value) if value.isdigit() else value for key, value in resources.items()})
    return dict(sorted(listed.items()))


def _parent_attrs(parent: dict[str, Any], subjobs: list[Job]) -> dict[str, Any]:
    """An array job: Q until a subjob starts, B (begun) until all are done, then F."""
    states = [sub["state"] for sub in subjobs]
    state = "F" if set(states) == {"done"} else "Q" if set(states) == {"queued"} else "B"
    attrs = _shared_attrs(parent, state)
    queued = [sub["index"] for sub in subjobs if sub["state"] == "queued"]
    counts = f"Queued:{len(queued)} Running:{states.count('running')} Exiting:0 Expired:{states.count('done')} "
    attrs.update(
        substate={"Q": 10, "B": 70, "F": _SUBSTATES["finished"]}[state],
        Variable_List=parent["variables"],
        etime=_stamp(parent["submit_time"]),
        array="True",
        array_state_count=counts,
        array_indices_submitted=parent["array_spec"],
        array_indices_remaining=ranges(queued) or "-",
    )
    codes = [code for code in map(_exit_status, subjobs) if code is not None]
    if state == "F" and codes:
        # PBS: 0 when every subjob that ran exited 0, 1 when one did not
        attrs["Exit_status"] = 0 if all(code == 0 for code in codes) else 1
    attrs.update(Submit_arguments=parent["submit_args"], project=parent["project"], Submit_Host=_host())
    return attrs


# -- qdel ----------------------------------------------------------------------------------


def qdel(argv: list[str]) -> int:
    try:
        opts, operands = getopt.getopt(argv, "W:x")
    except getopt.GetoptError as err:
        raise FakeError(f"qdel: {err}", 2) from None
    if not operands:
        raise FakeError("usage: qdel [-W force|delay] [-x] job_identifier...", 2)
    groups: list[int] = []
    failed = 0
    with locked_state(KIND) as state:
        reap_lost(state)
        for job_id in map(_full_id, operands):
            error = _delete(state, job_id, purge="-x" in dict(opts), groups=groups)
            if error:
                _err(f"qdel: {error[0]} {job_id}")
                failed = error[1]
    kill_groups(groups, [signal.SIGTERM])
    return failed % 256


def _delete(state: State, job_id: str, purge: bool, groups: list[int]) -> tuple[str, int] | None:
    """Delete a job, subjob or array; the error (message, PBS error number) if it cannot."""
    if job_id in state.get("arrays", {}):
        targets = _subjobs(state, job_id)
    elif job_id in state["jobs"]:
        targets = [state["jobs"][job_id]]
    else:
        return "Unknown Job Id", _UNKJOBID
    live = [job for job in targets if job["state"] != "done"]
    if not live and purge:
        for job in targets:
            del state["jobs"][job["id"]]
        state.get("arrays", {}).pop(job_id, None)
        return None
    if not live:
        return "Job has finished", _HISTJOBID
    groups += [pgid for pgid in map(request_delete, live) if pgid is not None]
    return None
