"""The fake Grid Engine behind ``qsub``, ``qstat``, ``qdel`` and ``qacct`` (see ``_fakesched`` for
the runtime). It follows Son of Grid Engine 8.1.9: its source and man pages (github.com/
son-of-gridengine/sge; file names below are under ``source/`` there) and output recorded on
real clusters (the Wynton HPC user guide's ``qacct`` of an h_rt kill; the MAVIS test suite's
``qacct`` records and ``qstat`` tables from the BCGSC cluster; the ISDC and Cloud Pipeline
``qstat -xml`` outputs; many tools' "Your job-array ..." and "has registered the job"
patterns).

* ``qsub [options] [script [args]]`` takes options from the command line and from every script
  line that starts, in column 1, with ``#$`` (the whole script is read, not just its head;
  text after a ``#`` on such a line is a comment; command-line options win), as
  ``common/parse_job_cull.c`` ``parse_script_file()`` does. It prints ``Your job <id> ("<name>")
  has been submitted`` or ``Your job-array <id>.<n>-<m>:<s> ("<name>") has been submitted``
  (qmaster's ``MSG_JOB_SUBMITJOB_US``/``MSG_JOB_SUBMITJOBARRAY_UUUUS``), with ``-terse`` just
  ``<id>`` or ``<id>.<n>-<m>:<s>`` (``clients/qsub/qsub.c``). An unknown queue is refused as
  ``Unable to run job: Job was rejected because job requests unknown queue "<q>".`` and
  ``Exiting.``, exit status 1; an unknown option as ``qsub: invalid option argument "-x"``
  (``Unable to read script file because of error: ...`` in a directive), exit status 2
  (STATUS_ESEMANTIC); real options the fake does not model are refused by name. The queues
  are ``HPCSIM_FAKE_QUEUES`` (default ``all.q``); ids start at 100.
* the job runs ``<-S shell, else bash> script args`` in ``$HOME`` (``-cwd``: the submission
  directory; ``-wd dir``), with the environment ``daemons/execd/exec_job.c`` builds: JOB_ID,
  JOB_NAME, SGE_TASK_ID/FIRST/LAST/STEPSIZE ("undefined" without ``-t``), NSLOTS, NHOSTS,
  QUEUE, HOSTNAME, REQUEST, ENVIRONMENT=BATCH, TMPDIR, PE/PE_HOSTFILE (with ``-pe``),
  SGE_STDOUT_PATH..., the SGE_O_* copies of the submission environment, HOME/USER/LOGNAME/
  SHELL, and PATH=$TMPDIR:/usr/local/bin:/bin:/usr/bin (SGE_DEFAULT_PATH) unless ``-V`` or
  ``-v PATH`` passes one; nothing else crosses over without ``-V``/``-v``. Output goes to
  ``<name>.o<id>``/``<name>.e<id>`` (``.o<id>.<task>`` for array tasks) in the start directory,
  appended to as the shepherd does; ``-o``/``-e`` paths may use $HOME, $USER, $JOB_ID,
  $JOB_NAME, $HOSTNAME, $TASK_ID and ``~``, relative ones are relative to the start directory,
  a directory gets the default name; ``-j y`` merges stderr into stdout (submit(1)).
* ``-l h_rt``/``s_rt`` (seconds or h:m:s) are wall-clock limits (queue_conf(5) RESOURCE LIMITS,
  ``daemons/execd/execd_ck_to_do.c``): past h_rt the job gets SIGKILL and its record says
  ``failed 37  : qmaster enforced h_rt, h_cpu, or h_vmem limit`` and ``exit_status 137``, as on
  Wynton; past s_rt it gets SIGUSR1, then SIGKILL after the notify time (2 s here), and a job
  that died of the signal shows ``failed 100 : assumedly after job`` and 128 + the signal.
  Array tasks start lowest first, at most ``-tc n`` of them at once.
* ``qstat [-xml] [-u user]`` lists the caller's pending and running jobs, never finished ones:
  running ones (state ``r``; ``dr`` once qdel'ed) one ``job_list`` per task in
  ``<queue_info>``, pending ones in ``<job_info>`` with their waiting tasks as a range
  (``2-10:1``, ``8,9`` or ``4``: ``libs/sgeobj/sge_range.c`` ``range_to_dstring()``); the
  layout is ``clients/qstat/qstat_xml.c`` and ``libs/sgeobj/sge_cull_xml.c`` (the plain table,
  ``clients/qstat/qstat.c``). ``qstat -j`` is not modelled and is refused.
* ``qdel id|id.task[-m[:s]]|name ...`` prints, on stdout like ``clients/qdel/qdel.c``, ``<user>
  has registered the job <id> for deletion`` (running; ``...the job-array task <id>.<t>...``)
  and ``<user> has deleted job <id>`` (pending; ``...job-array task(s)...``), and ``denied: job
  "<id>" does not exist`` with exit status 1 for ids the qmaster does not know (finished ones
  included). A running job's process group gets SIGKILL (with ``qsub -notify``: SIGUSR2, then
  SIGKILL 2 s later); its record then says ``failed 100 : assumedly after job`` and
  ``exit_status 137`` (MAVIS's recorded qdel'ed job). A job deleted while pending leaves no
  accounting record.
* ``qacct -j id`` prints one record per finished job or array task, in the order they ended,
  in ``clients/qacct/qacct.c`` ``showjob()``'s layout (``%-13.12s%-20s`` lines, memory in
  ``double_print_memory_to_string()`` units, ``exit_status`` with ``(strsignal)`` above 127);
  before any ends, ``error: job id <id> not found`` on stderr and exit status 1.
  ``HPCSIM_FAKE_SGE_ACCOUNTING_DELAY`` seconds (default 0) hold a record back, as qmaster's
  buffered accounting file does. A job whose runner vanished (an execd/node crash) shows
  ``failed 100 : assumedly after job`` (sge_status(5): "shepherd died (e.g. node crash)")
  and ``exit_status 137``, the fake having SIGKILLed what was left of it.

Not modelled: holds, dependencies, ``-sync``, binary jobs, error states (Eqw), rescheduling,
the scheduler's priorities (JAT_prio is 0.50500 running, 0.00000 pending); any parallel
environment and resource name is accepted (a real qmaster checks them); ``qdel`` of a
``-notify`` job returns after the kill, not at once.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import os
import platform
import re
import shlex
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from _fakesched import (
    FakeError,
    Job,
    State,
    allowed_queues,
    kill_groups,
    locked_state,
    reap_lost,
    request_delete,
    spool_script,
    start_runner,
    state_dir,
)

KIND = "sge"
VERSION = "8.1.9"
DEFAULT_QUEUE = "all.q"
XSD = "http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/resources/schemas/qstat/qstat.xsd"
#: libs/uti/sge_stdio.h SGE_DEFAULT_PATH (Linux): a job's PATH without -V or -v PATH
DEFAULT_PATH = "/usr/local/bin:/bin:/usr/bin"
#: qsub options that take one value (-pe takes two)
_VALUED = {"-N", "-o", "-e", "-j", "-S", "-wd", "-v", "-t", "-tc", "-l", "-q", "-A", "-P", "-m", "-M", "-r", "-p", "-b"}
_FLAGS = {"-cwd", "-V", "-terse", "-notify", "-hard"}
_UNSUPPORTED = {
    "-hold_jid": "job dependencies",
    "-hold_jid_ad": "job dependencies",
    "-h": "held jobs (there is no qrls)",
    "-a": "deferred start times",
    "-dl": "deadlines",
    "-sync": "waiting for jobs",
    "-now": "immediate jobs",
    "-soft": "soft requests",
    "-C": "other directive prefixes",
    "-ckpt": "checkpointing",
    "-ar": "advance reservations",
    "-masterq": "master queues",
    "-R": "reservations",
    "-i": "input files",
    "-@": "option files",
    "-clear": "clearing options",
    "-ac": "job contexts",
    "-dc": "job contexts",
    "-sc": "job contexts",
    "-binding": "core binding",
    "-jsv": "job submission verifiers",
    "-js": "job shares",
    "-w": "verification",
    "-verify": "verification",
    "-pty": "interactive jobs",
    "-shell": "interactive jobs",
    "-display": "interactive jobs",
    "-inherit": "interactive jobs",
    "-noshell": "interactive jobs",
    "-nostdin": "interactive jobs",
    "-verbose": "interactive jobs",
    "-u": "qalter options",
}
_TASKS = re.compile(r"^(\d+)(?:-(\d+)(?::(\d+))?)?$")
_QDEL_ID = re.compile(r"^(\d+)(?:\.(\d+)(?:-(\d+)(?::(\d+))?)?)?$")
_PSEUDO = re.compile(r"\$(HOME|USER|JOB_ID|JOB_NAME|HOSTNAME|TASK_ID)")
#: common/execution_states.c get_sstate_description(), for the codes the fake produces
_FAILED = {0: "", 37: "qmaster enforced h_rt, h_cpu, or h_vmem limit", 100: "assumedly after job"}
_GIB = 1024.0**3


def _host() -> str:
    return socket.gethostname()


def _user() -> str:
    return getpass.getuser()


def _home() -> str:
    return os.environ.get("HOME") or str(Path.home())


def _arch() -> str:
    machine = platform.machine()
    return {"x86_64": "lx-amd64", "aarch64": "lx-arm64", "ppc64le": "lx-ppc64le"}.get(machine, f"lx-{machine}")


# -- qsub ----------------------------------------------------------------------------------


def qsub(argv: list[str]) -> int:
    if argv == ["-help"]:  # the product and version, then the usage (qsub.c, sge_show_version)
        print(f"SGE {VERSION}\nusage: qsub [options] [ scriptfile | -- [ script args ]]")
        return 0
    command_line, operands = _options(argv, "qsub: ")
    path = operands[0] if operands else None
    text = _read_script(path)
    settings, leftover = _options(_directives(text), "Unable to read script file because of error: ")
    if leftover:
        raise FakeError(f'Unable to read script file because of error: invalid option argument "{leftover[0]}"', 2)
    for key in ("resources", "variables"):
        settings[key].update(command_line.pop(key))
    settings.update(command_line)
    settings["name"] = settings.get("name") or (Path(path).name if path else "STDIN")
    queue = _queue(settings.get("queue"))
    print(_submit(settings, queue, text, operands[1:]))
    return 0


def _read_script(path: str | None) -> str:
    if path is None:
        text = sys.stdin.read()
        if not text:
            raise FakeError("Unable to read script file because of error: no input read from stdin", 4)
        return text
    try:
        return Path(path).read_text()
    except OSError as err:
        message = f"error opening {path}: {err.strerror}"
        raise FakeError(f"Unable to read script file because of error: {message}", 14) from None  # STATUS_EDISK


def _directives(text: str) -> list[str]:
    """The options of every ``#$`` line, comments after a ``#`` dropped."""
    tokens: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#$"):
            continue
        body = line[2:].split("#", 1)[0]
        try:
            tokens += shlex.split(body)
        except ValueError:
            tokens += body.split()
    return tokens


def _options(tokens: list[str], prefix: str) -> tuple[dict[str, Any], list[str]]:
    """qsub options as settings, and the operands (script and its arguments) after them."""
    settings: dict[str, Any] = {"resources": {}, "variables": {}}
    position = 0
    while position < len(tokens):
        option = tokens[position]
        if not option.startswith("-") or option == "-":
            return settings, tokens[position:]
        if option in _UNSUPPORTED:
            raise FakeError(f"qsub: the fake Grid Engine does not support {option} ({_UNSUPPORTED[option]})", 2)
        if option in _FLAGS:
            _apply(settings, option, "", prefix)
            position += 1
            continue
        if option not in _VALUED and option != "-pe":
            raise FakeError(f'{prefix}invalid option argument "{option}"', 2)
        width = 2 if option == "-pe" else 1
        values = tokens[position + 1 : position + 1 + width]
        if len(values) < width:
            if option == "-t":
                raise FakeError(prefix + "-t option must have a list of task id ranges", 2)
            raise FakeError(f"{prefix}{option} option must have argument", 2)
        _apply(settings, option, " ".join(values), prefix)
        position += 1 + width
    return settings, []


def _apply(settings: dict[str, Any], option: str, value: str, prefix: str) -> None:
    invalid = FakeError(f'{prefix}invalid option argument "{option} {value}"', 2)
    if option == "-N":
        if "/" in value:
            raise FakeError(prefix + "argument to -N option must not contain / ", 2)
        settings["name"] = value
    elif option in ("-o", "-e"):
        settings["stdout" if option == "-o" else "stderr"] = _strip_host(value)
    elif option == "-j":
        if value.lower() not in ("y", "yes", "n", "no"):
            raise invalid
        settings["join"] = value.lower().startswith("y")
    elif option == "-S":
        settings["shell"] = _strip_host(value)
    elif option == "-cwd":
        settings["workdir"] = os.getcwd()
    elif option == "-wd":
        settings["workdir"] = str(Path(value).absolute())
    elif option == "-V":
        settings["inherit"] = True
    elif option == "-v":
        for item in filter(None, value.split(",")):
            name, eq, val = item.partition("=")
            settings["variables"][name] = val if eq else os.environ.get(name, "")
    elif option == "-t":
        settings["array"] = _task_range(value, invalid)
    elif option in ("-tc", "-p"):
        if not re.fullmatch(r"-?\d+", value):
            raise invalid
        settings["max_tasks" if option == "-tc" else "priority"] = int(value)
    elif option == "-l":
        for item in filter(None, value.split(",")):
            name, _, val = item.partition("=")
            settings["resources"][name.strip()] = _resource(name.strip(), val.strip(), invalid)
    elif option == "-pe":
        name, slots = value.split(" ", 1)
        match = re.fullmatch(r"(\d*)(?:-(\d*))?", slots)
        if match is None or not any(match.groups()):
            raise invalid
        settings["pe"] = (name, slots, int(match.group(2) or match.group(1)))
    elif option == "-q":
        settings["queue"] = value
    elif option == "-b":
        if value.lower() in ("y", "yes"):
            raise FakeError("qsub: the fake Grid Engine does not support -b y (binary jobs)", 2)
        if value.lower() not in ("n", "no"):
            raise invalid
    elif option in ("-A", "-P"):
        settings["account" if option == "-A" else "project"] = value
    elif option in ("-terse", "-notify"):
        settings[option[1:]] = True
    # -m, -M, -r and -hard are accepted and change nothing here


def _strip_host(value: str) -> str:
    """``[[host]:]path,...`` → the first path."""
    first = value.split(",")[0]
    return first.split(":", 1)[1] if ":" in first else first


def _task_range(spec: str, invalid: FakeError) -> list[int]:
    """``n[-m[:s]]`` → [n, last task, s] (the end corrected to the last task, as SGE does)."""
    match = _TASKS.match(spec)
    if match is None:
        raise invalid
    start = int(match.group(1))
    end = int(match.group(2) or start)
    step = int(match.group(3) or 1)
    if start < 1 or end < start or step < 1:
        raise invalid
    return [start, start + (end - start) // step * step, step]


def _seconds(text: str) -> int | None:
    """A Grid Engine time (``[[h:]m:]s``) in seconds, or None if it is not one."""
    if not re.fullmatch(r"\d*(:\d*){0,2}", text) or not text.replace(":", ""):
        return None
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part or 0)
    return seconds


def _resource(name: str, value: str, invalid: FakeError) -> str:
    if name in ("h_rt", "s_rt"):
        seconds = _seconds(value)
        if seconds is None:
            raise invalid
        return str(seconds)  # qmaster keeps times in seconds (qstat -j: "h_rt=300")
    return value


def _queue(requested: str | None) -> str | None:
    """The requested cluster queue, or None for any; an unknown one is refused like qmaster."""
    if requested is None:
        return None
    queues = allowed_queues(DEFAULT_QUEUE)
    names = [item.split("@")[0] for item in requested.split(",") if item]
    unknown = [name for name in names if name not in queues]
    if unknown:
        lines = "\n".join(f'Job was rejected because job requests unknown queue "{name}".' for name in unknown)
        raise FakeError(f"Unable to run job: {lines}\nExiting.", 1)
    return names[0]


def _submit(settings: dict[str, Any], requested_queue: str | None, text: str, args: list[str]) -> str:
    queue = requested_queue or allowed_queues(DEFAULT_QUEUE)[0]
    workdir = settings.get("workdir")
    if workdir is not None and not Path(workdir).is_dir():
        # a real execd would fail the job (failed 28) and leave it in error state Eqw
        raise FakeError(f"qsub: the fake Grid Engine needs an existing working directory, not {workdir}", 2)
    array = settings.get("array")
    with locked_state(KIND) as state:
        seq = int(state["next_id"])
        state["next_id"] += 1
        common = _common(settings, seq, queue, requested_queue)
        script = spool_script(KIND, str(seq), text)
        tasks = range(array[0], array[1] + 1, array[2]) if array else [None]
        for task in tasks:
            job = _job(common, script, args, task)
            job["runner_pid"], job["runner_start"] = start_runner(job["id"], KIND)
            state["jobs"][job["id"]] = job
    name = settings["name"]
    if array:
        job_id = f"{seq}.{array[0]}-{array[1]}:{array[2]}"
        return job_id if settings.get("terse") else f'Your job-array {job_id} ("{name}") has been submitted'
    return str(seq) if settings.get("terse") else f'Your job {seq} ("{name}") has been submitted'


def _common(settings: dict[str, Any], seq: int, queue: str, requested_queue: str | None) -> dict[str, Any]:
    """What the tasks of a job share."""
    resources: dict[str, str] = settings["resources"]
    pe = settings.get("pe")
    limits = {name: int(resources[name]) for name in ("h_rt", "s_rt") if name in resources}
    limit = min(limits, key=lambda name: (limits[name], name)) if limits else None
    category = []
    if requested_queue:
        category.append(f"-q {settings['queue']}")
    if resources:
        category.append("-l " + ",".join(f"{key}={value}" for key, value in sorted(resources.items())))
    if pe:
        category.append(f"-pe {pe[0]} {pe[1]}")
    return {
        "seq": seq,
        "name": settings["name"],
        "queue": queue,
        "host": _host(),
        "owner": _user(),
        "account": settings.get("account") or "sge",
        "project": settings.get("project") or "NONE",
        "priority": settings.get("priority", 0),
        "pe": pe[0] if pe else None,
        "slots": pe[2] if pe else 1,
        "resources": resources,
        "category": " ".join(category) or "NONE",
        "walltime": limits[limit] if limit else None,
        "limit": limit,
        "limit_signals": ["SIGKILL"] if limit == "h_rt" else ["SIGUSR1"],
        "notify": bool(settings.get("notify")),
        "array": settings.get("array"),
        "slot_limit": settings.get("max_tasks") if settings.get("array") else None,
        "shell": settings.get("shell") or "/bin/bash",
        "cwd_given": "workdir" in settings,
        "cwd": settings.get("workdir") or _home(),
        "submit_dir": os.getcwd(),
        "join": bool(settings.get("join")),
        "stdout_spec": settings.get("stdout"),
        "stderr_spec": settings.get("stderr"),
        "inherit": bool(settings.get("inherit")),
        "variables": settings["variables"],
        "submit_time": time.time(),
    }


def _job(common: dict[str, Any], script: str, args: list[str], task: int | None) -> Job:
    """A runnable job or array task, as the runner and the commands read it."""
    seq = common["seq"]
    job_id = f"{seq}.{task}" if task is not None else str(seq)
    stdout = _output_path(common, "o", common["stdout_spec"], task)
    stderr = None if common["join"] else _output_path(common, "e", common["stderr_spec"], task)
    job: Job = {
        **common,
        "id": job_id,
        "task": task,
        "index": task,
        "base": str(seq) if task is not None else None,
        "dispatch_in_order": task is not None,  # the scheduler dispatches tasks lowest first
        "state": "queued",
        "script": script,
        "argv": [common["shell"], script, *args],
        "stdout": stdout,
        "stdout_mode": "a",  # the shepherd opens them O_APPEND (shepherd/builtin_starter.c)
        "stderr": stderr,
        "stderr_mode": "a",
        "ended_by": None,
        "returncode": None,
    }
    job["env"] = _environment(job, task)
    return job


def _output_path(common: dict[str, Any], letter: str, spec: str | None, task: int | None) -> str:
    default = f"{common['name']}.{letter}{common['seq']}" + (f".{task}" if task is not None else "")
    if spec is None:
        return str(Path(common["cwd"], default))
    values = {
        "HOME": _home(),
        "USER": common["owner"],
        "JOB_ID": str(common["seq"]),
        "JOB_NAME": common["name"],
        "HOSTNAME": common["host"],
        "TASK_ID": str(task) if task is not None else "undefined",
    }
    path = _PSEUDO.sub(lambda match: values[match.group(1)], spec)
    if path == "~" or path.startswith("~/"):
        path = _home() + path[1:]
    full = Path(common["cwd"], path)
    return str(full / default if full.is_dir() else full)


def _environment(job: Job, task: int | None) -> dict[str, str]:
    """The job's environment as exec_job.c builds it: the job's variable list (-V, -v and the
    SGE_O_* copies), then what the execd sets."""
    submitted = dict(os.environ) if job["inherit"] else {}
    submitted.update(job["variables"])
    for name in ("HOME", "LOGNAME", "PATH", "SHELL", "MAIL", "TZ"):
        if name in os.environ:
            submitted[f"SGE_O_{name}"] = os.environ[name]
    submitted.update(SGE_O_HOST=job["host"].split(".")[0], SGE_O_WORKDIR=job["submit_dir"])
    tmpdir = state_dir(KIND) / "tmp" / f"{job['seq']}.{task or 1}.{job['queue']}"
    tmpdir.mkdir(parents=True, exist_ok=True)
    array = job["array"]
    env = {
        **submitted,
        "PATH": f"{tmpdir}:{submitted.get('PATH', DEFAULT_PATH)}",
        "REQNAME": job["name"],
        "SGE_CELL": "default",
        "HOME": _home(),
        "USER": job["owner"],
        "LOGNAME": job["owner"],
        "JOB_NAME": job["name"],
        "JOB_SCRIPT": job["script"],
        "SGE_BINARY_PATH": str(Path(__file__).resolve().parent / "sge"),
        "REQUEST": job["name"],
        "HOSTNAME": job["host"],
        "QUEUE": job["queue"],
        "JOB_ID": str(job["seq"]),
        "SGE_TASK_ID": str(task) if array else "undefined",
        "SGE_TASK_FIRST": str(array[0]) if array else "undefined",
        "SGE_TASK_LAST": str(array[1]) if array else "undefined",
        "SGE_TASK_STEPSIZE": str(array[2]) if array else "undefined",
        "ENVIRONMENT": "BATCH",
        "ARC": _arch(),
        "SGE_ARCH": _arch(),
        "SGE_ROOT": str(state_dir(KIND)),
        "NQUEUES": "1",
        "NSLOTS": str(job["slots"]),
        "NHOSTS": "1",
        "RESTARTED": "0",
        "TMPDIR": str(tmpdir),
        "TMP": str(tmpdir),
        "SGE_ACCOUNT": job["account"],
        "SHELL": job["shell"],
        "SGE_STDIN_PATH": "/dev/null",
        "SGE_STDOUT_PATH": job["stdout"],
        "SGE_STDERR_PATH": job["stderr"] or job["stdout"],
        "SGE_CWD_PATH": job["cwd"],
        "SGE_JOB_SPOOL_DIR": str(state_dir(KIND) / "spool"),
    }
    if job["cwd_given"]:
        env["PWD"] = job["cwd"]
    if job["pe"]:
        hostfile = tmpdir / "pe_hostfile"
        hostfile.write_text(f"{job['host']} {job['slots']} {job['queue']}@{job['host']} UNDEFINED\n")
        env.update(PE=job["pe"], PE_HOSTFILE=str(hostfile))
    return env


# -- qstat ---------------------------------------------------------------------------------


def qstat(argv: list[str]) -> int:
    xml = False
    users: list[str] = [_user()]
    tokens = iter(argv)
    for token in tokens:
        if token == "-xml":
            xml = True
        elif token == "-u":
            users = [name for name in next(tokens, "").split(",") if name]
        elif token == "-j":
            raise FakeError("qstat: the fake Grid Engine does not support -j (use qstat -xml, or qacct -j)", 2)
        else:
            raise FakeError(f"qstat: the fake Grid Engine does not support {token} (only -xml and -u)", 2)
    with locked_state(KIND) as state:
        reap_lost(state)
        jobs = [job for job in state["jobs"].values() if job["state"] != "done"]
    jobs = [job for job in jobs if "*" in users or job["owner"] in users]
    running = sorted((job for job in jobs if job["state"] == "running"), key=lambda j: (j["seq"], j["task"] or 0))
    pending = _pending(jobs)
    if xml:
        sys.stdout.write(_xml(running, pending))
    elif running or pending:
        sys.stdout.write(_table(running, pending))
    return 0


def _pending(jobs: list[Job]) -> list[dict[str, Any]]:
    """One entry per job with waiting tasks: its first task's record and the tasks as a range."""
    waiting: dict[int, list[Job]] = {}
    for job in jobs:
        if job["state"] == "queued":
            waiting.setdefault(job["seq"], []).append(job)
    entries = []
    for seq in sorted(waiting):
        tasks = sorted(waiting[seq], key=lambda j: j["task"] or 0)
        first = tasks[0]
        ids = _task_string([j["task"] for j in tasks], first["array"][2]) if first["array"] else None
        entries.append({**first, "task_string": ids})
    return entries


def _task_string(tasks: list[int], step: int) -> str:
    """Task ids as qstat prints them: runs of ``step`` as ``n-m:s``, two as ``n,m``, one as ``n``
    (libs/sgeobj/sge_range.c range_to_dstring())."""
    runs: list[list[int]] = []
    for task in sorted(tasks):
        if runs and task - runs[-1][1] == step:
            runs[-1][1] = task
        else:
            runs.append([task, task])
    parts = []
    for start, end in runs:
        if start == end:
            parts.append(str(start))
        elif start + step == end:
            parts.append(f"{start},{end}")
        else:
            parts.append(f"{start}-{end}:{step}")
    return ",".join(parts)


def _state(job: Job) -> str:
    if job["state"] == "queued":
        return "qw"
    return "dr" if job["ended_by"] == "delete" else "r"


def _xml_time(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(when))


def _text(value: Any) -> str:
    return escape(str(value), {'"': "&quot;", "'": "&apos;"})


def _xml_job(job: dict[str, Any], running: bool) -> list[str]:
    fields: list[tuple[str, Any]] = [
        ("JB_job_number", job["seq"]),
        ("JAT_prio", "0.50500" if running else "0.00000"),
        ("JB_name", job["name"]),
        ("JB_owner", job["owner"]),
        ("state", _state(job)),
    ]
    if running:
        fields.append(("JAT_start_time", _xml_time(job["start_time"])))
        fields.append(("queue_name", f"{job['queue']}@{job['host']}"))
    else:
        fields.append(("JB_submission_time", _xml_time(job["submit_time"])))
        fields.append(("queue_name", ""))
    fields.append(("slots", job["slots"]))
    tasks = job["task"] if running else job.get("task_string")
    if job["array"] and tasks is not None:
        fields.append(("tasks", tasks))
    state = "running" if running else "pending"
    inner = [f"      <{tag}>{_text(value)}</{tag}>" for tag, value in fields]
    return [f'    <job_list state="{state}">', *inner, "    </job_list>"]


def _xml(running: list[Job], pending: list[dict[str, Any]]) -> str:
    """``qstat -xml``: running tasks in <queue_info>, waiting jobs in the inner <job_info>."""
    lines = ["<?xml version='1.0'?>", f'<job_info  xmlns:xsd="{XSD}">', "  <queue_info>"]
    for job in running:
        lines += _xml_job(job, running=True)
    lines += ["  </queue_info>", "  <job_info>"]
    for entry in pending:
        lines += _xml_job(entry, running=False)
    lines += ["  </job_info>", "</job_info>"]
    return "\n".join(lines) + "\n"


def _table(running: list[Job], pending: list[dict[str, Any]]) -> str:
    """Plain ``qstat`` (qstat.c: 30-character queue column, SGE_LONG_QNAMES unset)."""
    header = f"{'job-ID':<7.7} prior   {'name':<10.10} {'user':<12.12} {'state':<5.5} submit/start at     "
    header += f"{'queue':<30.30} slots ja-task-ID "
    lines = [header, "-" * (93 + 20)]
    for job, is_running in [(job, True) for job in running] + [(entry, False) for entry in pending]:
        when = job["start_time"] if is_running else job["submit_time"]
        stamp = time.strftime("%m/%d/%Y %H:%M:%S", time.localtime(when))
        queue = f"{job['queue']}@{job['host']}" if is_running else ""
        tasks = job["task"] if is_running else job.get("task_string")
        prio = 0.505 if is_running else 0.0
        line = f"{job['seq']:7d} {prio:7.5f} {job['name']:<10.10} {job['owner']:<12.12} {_state(job):<5.5} "
        line += f"{stamp} {queue:<30.30} {job['slots']:5d} "
        line += str(tasks) if job["array"] and tasks is not None else "       "
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- qdel ----------------------------------------------------------------------------------


def qdel(argv: list[str]) -> int:
    specs: list[str] = []
    users: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "-f":
            continue  # forced deletion: the fake's deletions are never stuck
        if token == "-u":
            users += [name for name in next(tokens, "").split(",") if name]
        elif token.startswith("-"):
            raise FakeError(f'qdel: invalid option argument "{token}"', 2)
        else:
            specs += [item for item in token.split(",") if item]
    if not specs and not users:
        sys.stderr.write("usage: qdel [-f] [-u user_list] job_task_list\n")
        print("ERROR! no option argument")
        return 1
    messages: list[str] = []
    groups: dict[bool, list[int]] = {False: [], True: []}
    failed = False
    with locked_state(KIND) as state:
        reap_lost(state)
        if users:
            live = {job["seq"] for job in state["jobs"].values() if job["state"] != "done" and job["owner"] in users}
            specs += [str(seq) for seq in sorted(live)]
        for spec in specs:
            failed |= _delete(state, spec, messages, groups)
    for line in messages:
        print(line)
    sys.stdout.flush()
    kill_groups(groups[True], [signal.SIGUSR2])  # qsub -notify: warned first (SIGUSR2), then killed
    kill_groups(groups[False], [])
    return 1 if failed else 0


def _delete(state: State, spec: str, messages: list[str], groups: dict[bool, list[int]]) -> bool:
    """Delete the jobs or tasks ``spec`` names; True if it names none (an error)."""
    user = _user()
    match = _QDEL_ID.match(spec)
    live = [job for job in state["jobs"].values() if job["state"] != "done"]
    if match is None:
        seqs = sorted({job["seq"] for job in live if job["name"] == spec})
    else:
        seqs = sorted({job["seq"] for job in live if job["seq"] == int(match.group(1))})
    if not seqs:
        messages.append(f'denied: job "{spec if match is None else match.group(1)}" does not exist')
        return True
    failed = False
    for seq in seqs:
        tasks = sorted((job for job in live if job["seq"] == seq), key=lambda j: j["task"] or 0)
        wanted = None if match is None or match.group(2) is None else match.groups()[1:]
        if wanted is not None:
            start = int(wanted[0])
            end = int(wanted[1] or start)
            step = int(wanted[2] or 1)
            chosen = {start + k * step for k in range((end - start) // step + 1)} if end >= start else set()
            tasks = [job for job in tasks if (job["task"] or 1) in chosen]
            if not tasks:
                if start == end:
                    messages.append(f'job "{seq}" task "{start}" does not exist')
                else:
                    messages.append(f'job "{seq}" task id range "{start}-{end}:{step}" comprises no tasks')
                failed = True
                continue
        array = tasks[0]["array"] is not None
        pending = []
        for job in tasks:
            was_queued = job["state"] == "queued"
            pgid = request_delete(job)
            if was_queued:
                pending.append(job["task"])
                continue
            if pgid is not None:
                groups[bool(job["notify"])].append(pgid)
            if array:
                messages.append(f"{user} has registered the job-array task {seq}.{job['task']} for deletion")
            else:
                messages.append(f"{user} has registered the job {seq} for deletion")
        if pending and (not array or wanted is None):
            messages.append(f"{user} has deleted job {seq}")
        elif len(pending) == 1:
            messages.append(f"{user} has deleted job-array task {seq}.{pending[0]}")
        elif pending:
            ranges = _task_string(pending, tasks[0]["array"][2])
            messages.append(f"{user} has deleted job-array tasks {ranges} of job {seq}")
    return failed


# -- qacct ---------------------------------------------------------------------------------


def qacct(argv: list[str]) -> int:
    wanted: str | None = None
    task_filter: list[int] | None = None
    tokens = iter(argv)
    for token in tokens:
        if token == "-j":
            wanted = next(tokens, None)
        elif token == "-t":
            invalid = FakeError(f"qacct: invalid task id range {token}", 1)
            task_filter = _task_range(next(tokens, ""), invalid)
        else:
            raise FakeError(f"qacct: the fake Grid Engine prints only qacct -j <job> [-t tasks], not {token}", 1)
    if not wanted:
        raise FakeError("qacct: the fake Grid Engine prints only qacct -j <job> [-t tasks]", 1)
    delay = float(os.environ.get("HPCSIM_FAKE_SGE_ACCOUNTING_DELAY", "0"))
    with locked_state(KIND) as state:
        reap_lost(state)
        jobs = list(state["jobs"].values())
    now = time.time()
    records = [
        job
        for job in jobs
        if job["state"] == "done"
        and job.get("start_time")
        and job["end_time"] + delay <= now
        and (str(job["seq"]) == wanted or job["name"] == wanted)
    ]
    if task_filter is not None:
        start, end, step = task_filter
        records = [job for job in records if (job["task"] or 0) in range(start, end + 1, step)]
    if not records:
        if wanted.isdigit():
            raise FakeError(f"error: job id {wanted} not found", 1)
        raise FakeError(f"error: job name {wanted} not found", 1)
    for job in sorted(records, key=lambda j: j["end_time"]):
        sys.stdout.write(_record(job))
    return 0


def _failed(job: Job) -> int:
    """Grid Engine's failed code: 37 for an h_rt kill (execd_ck_to_do.c sets it), 100 when the
    job's shell died of a signal or its shepherd died (reaper_execd.c, sge_status(5))."""
    if job["ended_by"] == "walltime" and job["limit"] == "h_rt":
        return 37
    if job["ended_by"] == "lost":
        return 100
    code = job["returncode"]
    return 100 if code is not None and code < 0 else 0


def _exit_status(job: Job) -> int:
    code = job["returncode"]
    if code is None:  # the runner vanished; the fake SIGKILLed what was left (reap_lost)
        return 128 + signal.SIGKILL
    return code if code >= 0 else 128 - code


def _memory(value: float) -> str:
    """libs/sgeobj/sge_ulong.c double_print_memory_to_string()."""
    for unit, size in (("T", 1024.0**4), ("G", 1024.0**3), ("M", 1024.0**2), ("K", 1024.0)):
        if abs(value) >= size:
            return f"{value / size:.3f}{unit}B"
    return f"{abs(value):.3f}B"


def _record(job: Job) -> str:
    """One job's or task's accounting record, as qacct.c showjob() prints it."""
    usage = job.get("rusage") or {}

    def line(key: str, value: Any) -> str:
        return f"{key:<13.12}{value!s:<20}"

    def count(name: str) -> str:
        return line("ru_" + name, int(usage.get(name, 0)))

    failed = _failed(job)
    exit_status = _exit_status(job)
    status = line("exit_status", exit_status)
    if exit_status > 127:
        status += f" ({signal.strsignal(exit_status - 128) or f'Unknown signal {exit_status - 128}'})"
    cpu = usage.get("utime", 0.0) + usage.get("stime", 0.0)
    lines = [
        "=" * 62,
        line("qname", job["queue"]),
        line("hostname", job["host"]),
        line("group", _group()),
        line("owner", job["owner"]),
        line("project", job["project"]),
        line("department", "defaultdepartment"),
        line("jobname", job["name"]),
        line("jobnumber", job["seq"]),
        f"{'taskid':<13}{job['task']:<20}" if job["task"] is not None else f"{'taskid':<13}undefined",
        line("account", job["account"]),
        line("priority", job["priority"]),
        line("qsub_time", time.ctime(job["submit_time"])),
        line("start_time", time.ctime(job["start_time"])),
        line("end_time", time.ctime(job["end_time"])),
        line("granted_pe", job["pe"] or "NONE"),
        line("slots", job["slots"]),
        f"{'failed':<13}{failed:<3} {':' if failed else ''} {_FAILED[failed]}",
        status,
        f"{'ru_wallclock':<13}{job['end_time'] - job['start_time']:.0f}s",
        f"{'ru_utime':<13}{usage.get('utime', 0.0):.3f}s",
        f"{'ru_stime':<13}{usage.get('stime', 0.0):.3f}s",
        f"{'ru_maxrss':<13}{_memory(usage.get('maxrss', 0.0))}",  # KiB printed as bytes, as SGE does
        *(f"{'ru_' + name:<13}{_memory(0)}" for name in ("ixrss", "ismrss", "idrss", "isrss")),
        count("minflt"),
        count("majflt"),
        line("ru_nswap", 0),
        count("inblock"),
        count("oublock"),
        line("ru_msgsnd", 0),
        line("ru_msgrcv", 0),
        line("ru_nsignals", 0),
        count("nvcsw"),
        count("nivcsw"),
        f"{'cpu':<13}{cpu:.3f}s",
        f"{'mem':<13}{_memory(0)}s",
        f"{'io':<13}{_memory(0)}",
        f"{'iow':<13}{0:.3f}s",
        f"{'maxvmem':<13}{_memory(usage.get('maxrss', 0.0) * 1024)}",
        f"{'arid':<13}undefined",
        f"{'ar_sub_time':<13}undefined",
        f"{'category':<13}{job['category']}",
    ]
    return "\n".join(lines) + "\n"


def _group() -> str:
    with contextlib.suppress(KeyError):
        return grp.getgrgid(os.getgid()).gr_name
    return str(os.getgid())
