"""The fake Grid Engine (tests/fakes/sge, tests/fakes/_fakesge.py) with real processes: scripts
really run, are really killed, and what the fake prints is read by hpcsim's Grid Engine parsers,
which are tested on output recorded from real clusters. Every wait has a deadline; nothing
depends on how long anything takes."""

from __future__ import annotations

import getpass
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from hpcsim.schedulers.parsers.sge import parse_qacct, parse_qstat_xml, parse_qsub_terse, qacct_missing_ids
from hpcsim.status import Status

FAKES = Path(__file__).resolve().parents[1] / "fakes"
#: how long any one wait may take before the test fails (the machine may be busy)
DEADLINE = 30.0
T = TypeVar("T")


def _load_fakesched() -> Any:
    spec = importlib.util.spec_from_file_location("_fakesched", FAKES / "_fakesched.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fakesched = _load_fakesched()


def _load_fakesge() -> Any:
    sys.modules.setdefault("_fakesched", fakesched)  # what _fakesge imports
    spec = importlib.util.spec_from_file_location("_fakesge", FAKES / "_fakesge.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Cluster:
    """The fake Grid Engine's environment: its commands on PATH, its state under ``root``, and
    a home directory of its own (jobs start there unless -cwd/-wd)."""

    tmp: Path
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return Path(self.env["HPCSIM_FAKE_SCHED_DIR"])

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    def run(self, *cmd: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd,
            env={**self.env, **extra},
            cwd=self.tmp,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )

    def script(self, name: str, body: str) -> Path:
        path = self.tmp / name
        path.write_text("#!/bin/bash\n" + body)
        return path

    def job(self, key: str) -> dict[str, Any]:
        return json.loads((self.root / "sge" / "state.json").read_text())["jobs"][key]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PATH": f"{FAKES / 'sge'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "HPCSIM_FAKE_SCHED_DIR": str(tmp_path / "sched"),
        "HPCSIM_FAKE_QUEUE_DELAY": "0.2",
    }
    env.pop("HPCSIM_FAKE_QUEUES", None)
    yield Cluster(tmp_path, env)
    if (tmp_path / "sched").exists():
        fakesched.kill_everything(tmp_path / "sched")


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    deadline = time.monotonic() + DEADLINE
    value = probe()
    while not done(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}; last seen {value!r}")
        time.sleep(0.05)
        value = probe()
    return value


def qsub(cluster: Cluster, *args: str, stdin: str | None = None) -> str:
    done = cluster.run("qsub", "-terse", *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return parse_qsub_terse(done.stdout)


def qacct(cluster: Cluster, job_id: str, records: int = 1) -> str:
    """``qacct -j`` once ``records`` records (tasks) are there."""
    done = wait_for(
        lambda: cluster.run("qacct", "-j", job_id),
        lambda d: d.returncode == 0 and d.stdout.count("\njobnumber ") >= records,
        f"the accounting record(s) of job {job_id}",
    )
    return done.stdout


def field(record: str, name: str) -> str:
    """The value of one qacct line (the first record's), as printed after the 13-column key."""
    lines = [line for line in record.splitlines() if line[:13].rstrip() == name]
    assert lines, f"no {name} line in {record!r}"
    return lines[0][13:].rstrip()


def xml_jobs(cluster: Cluster) -> list[dict[str, str]]:
    """``qstat -xml`` as one dict per job_list: its state attribute, parent and elements."""
    done = cluster.run("qstat", "-xml")
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout)
    found = []
    for parent in root:
        for entry in parent.findall("job_list"):
            found.append({"list": parent.tag, "attr": entry.get("state", ""), **{e.tag: e.text or "" for e in entry}})
    return found


def states(cluster: Cluster) -> dict[str, Status]:
    done = cluster.run("qstat", "-xml")
    assert done.returncode == 0, done.stderr
    return {key: update.status for key, update in parse_qstat_xml(done.stdout).items()}


def group_gone(pgid: int) -> bool:
    return not fakesched.group_alive(pgid)


def test_a_job_runs_in_home_with_sge_variables_and_leaves_an_accounting_record(cluster: Cluster) -> None:
    script = cluster.script(
        "hello.sh",
        "#$ -N hello\n#$ -l h_rt=00:05:00\n"
        'echo "id=$JOB_ID name=$JOB_NAME task=$SGE_TASK_ID first=$SGE_TASK_FIRST cwd=$PWD"\n'
        'echo "slots=$NSLOTS hosts=$NHOSTS queue=$QUEUE env=$ENVIRONMENT request=$REQUEST"\n'
        'echo "o_workdir=$SGE_O_WORKDIR o_home=$SGE_O_HOME o_host=$SGE_O_HOST"\n'
        'echo "stdout=$SGE_STDOUT_PATH stderr=$SGE_STDERR_PATH pe=${PE_HOSTFILE:-none}"\n'
        "echo oops >&2\n",
    )
    done = cluster.run("qsub", str(script))
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'Your job 100 ("hello") has been submitted\n'
    record = qacct(cluster, "100")
    assert parse_qacct(record)["100"].status is Status.COMPLETED
    assert (field(record, "failed"), field(record, "exit_status"), field(record, "taskid")) == ("0", "0", "undefined")
    assert [field(record, key) for key in ("qname", "jobname", "owner")] == ["all.q", "hello", getpass.getuser()]
    assert field(record, "category") == "-l h_rt=300"
    # without -cwd the job starts in $HOME, and its output files are there
    out, err = cluster.home / "hello.o100", cluster.home / "hello.e100"
    host = socket.gethostname()
    assert out.read_text().splitlines() == [
        f"id=100 name=hello task=undefined first=undefined cwd={cluster.home}",
        "slots=1 hosts=1 queue=all.q env=BATCH request=hello",
        f"o_workdir={cluster.tmp} o_home={cluster.home} o_host={host.split('.')[0]}",
        f"stdout={out} stderr={err} pe=none",
    ]
    assert err.read_text() == "oops\n"


def test_qacct_shows_the_exit_status_of_a_failing_job(cluster: Cluster) -> None:
    job_id = qsub(cluster, str(cluster.script("fail.sh", "exit 3\n")))
    record = qacct(cluster, job_id)
    assert (field(record, "failed"), field(record, "exit_status")) == ("0", "3")
    update = parse_qacct(record)[job_id]
    assert (update.status, update.exit_code) == (Status.FAILED, 3)
    # the layout of qacct.c showjob(): keys in 13 columns, values padded to 20
    assert record.startswith("=" * 62 + "\nqname        all.q               \nhostname     ")
    assert f"\njobnumber    {job_id:<20}\ntaskid       undefined\n" in record
    assert "\nfailed       0    \nexit_status  3                   \n" in record


def test_cwd_joins_output_into_the_default_o_file_of_the_submission_directory(cluster: Cluster) -> None:
    script = cluster.script("joined.sh", "#$ -cwd\n#$ -j y\necho out; echo err >&2; echo cwd=$PWD\n")
    job_id = qsub(cluster, str(script))
    qacct(cluster, job_id)
    # no -N: the job is named after its script; -j y leaves no .e file
    assert sorted((cluster.tmp / f"joined.sh.o{job_id}").read_text().splitlines()) == sorted(
        ["out", "err", f"cwd={cluster.tmp}"]
    )
    assert not (cluster.tmp / f"joined.sh.e{job_id}").exists()
    assert not list(cluster.home.iterdir())


def test_only_sge_and_login_variables_cross_over_without_minus_v(cluster: Cluster) -> None:
    body = 'echo "marker=${HPCSIM_MARKER-unset} foo=${FOO-unset} path=$PATH tmp=$TMPDIR args=$*"\n'
    script = cluster.script("env.sh", body)
    plain = qsub(cluster, "-cwd", "-N", "plain", "-v", "FOO=bar", str(script), "a", "b")
    inherit = cluster.run("qsub", "-terse", "-cwd", "-N", "inherit", "-V", str(script), HPCSIM_MARKER="here")
    assert inherit.returncode == 0, inherit.stderr
    inherit_id = parse_qsub_terse(inherit.stdout)
    qacct(cluster, plain)
    qacct(cluster, inherit_id)
    line = (cluster.tmp / f"plain.o{plain}").read_text().strip()
    tmpdir = line.split("tmp=")[1].split()[0]
    assert line == f"marker=unset foo=bar path={tmpdir}:/usr/local/bin:/bin:/usr/bin tmp={tmpdir} args=a b"
    inherited = (cluster.tmp / f"inherit.o{inherit_id}").read_text()
    assert inherited.startswith("marker=here foo=unset path=")
    assert f":{cluster.env['PATH']} " in inherited


def test_output_paths_expand_pseudo_variables_per_array_task(cluster: Cluster) -> None:
    script = cluster.script(
        "arr.sh", '#$ -t 1-2\n#$ -N arr\n#$ -o $HOME/logs/$JOB_NAME.$JOB_ID.$TASK_ID.out\necho "task $SGE_TASK_ID"\n'
    )
    (cluster.home / "logs").mkdir()
    job_id = qsub(cluster, str(script))
    qacct(cluster, job_id, records=2)
    for task in (1, 2):
        assert (cluster.home / "logs" / f"arr.{job_id}.{task}.out").read_text() == f"task {task}\n"
        assert (cluster.home / f"arr.e{job_id}.{task}").exists()  # -e defaults per task too


def test_array_tasks_run_once_each_within_the_tc_limit(cluster: Cluster) -> None:
    log = cluster.tmp / "ran"
    script = cluster.script(
        "arr.sh",
        f'echo "start $SGE_TASK_ID $(date +%s.%N)" >> {log}\nsleep 0.3\n'
        f'echo "end $SGE_TASK_ID $(date +%s.%N)" >> {log}\n'
        'echo "$SGE_TASK_FIRST $SGE_TASK_LAST $SGE_TASK_STEPSIZE"\n',
    )
    done = cluster.run("qsub", "-terse", "-t", "1-4", "-tc", "2", str(script))
    assert done.returncode == 0, done.stderr
    job_id = parse_qsub_terse(done.stdout)
    assert done.stdout == f"{job_id}.1-4:1\n"
    record = qacct(cluster, job_id, records=4)
    updates = parse_qacct(record)
    assert {key: update.status for key, update in updates.items()} == {
        f"{job_id}.{task}": Status.COMPLETED for task in range(1, 5)
    }
    events = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(task) for kind, task, _ in events if kind == "start") == [1, 2, 3, 4]
    running, most = 0, 0
    for kind, _, _ in sorted(events, key=lambda event: float(event[2])):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    assert most <= 2
    assert (cluster.home / f"arr.sh.o{job_id}.3").read_text() == "1 4 1\n"


def test_qstat_xml_shows_running_tasks_and_the_pending_range(cluster: Cluster) -> None:
    gate = cluster.tmp / "gate"
    script = cluster.script("held.sh", f"while [ ! -e {gate} ]; do sleep 0.05; done\n")
    done = cluster.run("qsub", "-t", "1-4", "-tc", "1", "-N", "held", str(script))
    job_id = parse_qsub_terse(done.stdout)
    assert done.stdout == f'Your job-array {job_id}.1-4:1 ("held") has been submitted\n'
    wait_for(lambda: states(cluster).get(f"{job_id}.1"), lambda s: s is Status.RUNNING, "task 1 to run")
    jobs = xml_jobs(cluster)
    host = socket.gethostname()
    common = {"JB_job_number": job_id, "JB_name": "held", "JB_owner": getpass.getuser(), "slots": "1"}
    running = {"list": "queue_info", "attr": "running", "state": "r", "queue_name": f"all.q@{host}", "tasks": "1"}
    pending = {"list": "job_info", "attr": "pending", "state": "qw", "queue_name": "", "tasks": "2-4:1"}
    times = ("JAT_prio", "JAT_start_time", "JB_submission_time")
    assert [{k: v for k, v in job.items() if k not in times} for job in jobs] == [
        {**common, **running},
        {**common, **pending},
    ]
    assert states(cluster) == {
        f"{job_id}.1": Status.RUNNING,
        **{f"{job_id}.{task}": Status.QUEUED for task in (2, 3, 4)},
    }
    table = cluster.run("qstat").stdout.splitlines()
    # the header and rule of qstat.c (its queue column 30 wide)
    header = "job-ID  prior   name       user         state submit/start at     queue"
    assert table[0] == header + " " * 26 + "slots ja-task-ID "
    assert table[1] == "-" * 113
    assert table[2].split()[-3:] == [f"all.q@{host}", "1", "1"]
    assert table[3].split()[4] == "qw" and table[3].endswith(" 1 2-4:1")
    gate.touch()
    qacct(cluster, job_id, records=4)
    assert xml_jobs(cluster) == []
    assert cluster.run("qstat").stdout == ""


def test_qdel_kills_a_running_job_which_qacct_shows_killed(cluster: Cluster) -> None:
    job_id = qsub(cluster, str(cluster.script("long.sh", "sleep 300\n")))
    wait_for(lambda: states(cluster).get(job_id), lambda s: s is Status.RUNNING, "the job to run")
    pgid = cluster.job(job_id)["pgid"]
    deleted = cluster.run("qdel", job_id)
    assert (deleted.returncode, deleted.stderr) == (0, "")
    assert deleted.stdout == f"{getpass.getuser()} has registered the job {job_id} for deletion\n"
    wait_for(lambda: group_gone(pgid), bool, "the job's processes to die")
    record = qacct(cluster, job_id)
    assert field(record, "failed") == "100 : assumedly after job"
    assert field(record, "exit_status") == "137                  (Killed)"
    assert parse_qacct(record)[job_id].status is Status.CANCELLED
    again = cluster.run("qdel", job_id)
    assert (again.returncode, again.stdout) == (1, f'denied: job "{job_id}" does not exist\n')


def test_qdel_of_a_notify_job_warns_it_with_sigusr2_before_the_kill(cluster: Cluster) -> None:
    script = cluster.script(
        "notified.sh", "#$ -notify\n#$ -cwd\ntrap 'echo notified' USR2\nwhile :; do sleep 0.1; done\n"
    )
    job_id = qsub(cluster, str(script))
    wait_for(lambda: states(cluster).get(job_id), lambda s: s is Status.RUNNING, "the job to run")
    deleted = cluster.run("qdel", job_id)
    assert (deleted.returncode, deleted.stdout) == (
        0,
        f"{getpass.getuser()} has registered the job {job_id} for deletion\n",
    )
    record = qacct(cluster, job_id)  # it caught SIGUSR2 and went on, so SIGKILL ended it
    assert (field(record, "failed"), field(record, "exit_status")) == (
        "100 : assumedly after job",
        "137" + " " * 18 + "(Killed)",
    )
    assert (cluster.tmp / f"notified.sh.o{job_id}").read_text() == "notified\n"


def test_a_running_job_being_deleted_shows_state_dr() -> None:
    """The short window between qdel and the job's end, rendered from a job record."""
    fakesge = _load_fakesge()
    now = time.time()
    job = {"seq": 7, "task": None, "array": None, "name": "x", "owner": "me", "queue": "all.q", "host": "node"}
    job.update(state="running", ended_by="delete", start_time=now, submit_time=now, slots=1)
    text = fakesge._xml([job], [])
    assert "      <state>dr</state>\n" in text
    assert parse_qstat_xml(text)["7"].status is Status.CANCELLED


def test_qdel_of_a_pending_job_removes_it_before_it_runs(cluster: Cluster) -> None:
    marker = cluster.tmp / "ran"
    slow = {"HPCSIM_FAKE_QUEUE_DELAY": "30"}  # it stays queued for the whole test
    done = cluster.run("qsub", "-terse", str(cluster.script("never.sh", f"touch {marker}\n")), **slow)
    job_id = parse_qsub_terse(done.stdout)
    [job] = xml_jobs(cluster)
    assert (job["list"], job["attr"], job["state"], job["JB_job_number"]) == ("job_info", "pending", "qw", job_id)
    assert "JB_submission_time" in job and "tasks" not in job
    deleted = cluster.run("qdel", job_id)
    assert (deleted.returncode, deleted.stdout) == (0, f"{getpass.getuser()} has deleted job {job_id}\n")
    runner = cluster.job(job_id)["runner_pid"]
    wait_for(lambda: fakesched.process_alive(runner, ""), lambda alive: not alive, "the runner to see the deletion")
    assert not marker.exists()
    assert xml_jobs(cluster) == []
    missing = cluster.run("qacct", "-j", job_id)  # a job deleted while pending never ran: no record
    assert (missing.returncode, missing.stderr) == (1, f"error: job id {job_id} not found\n")


def test_h_rt_kills_the_job_which_qacct_shows_as_a_limit_kill(cluster: Cluster) -> None:
    job_id = qsub(cluster, "-l", "h_rt=0:0:1", str(cluster.script("slow.sh", "sleep 30\n")))
    record = qacct(cluster, job_id)
    assert field(record, "failed") == "37  : qmaster enforced h_rt, h_cpu, or h_vmem limit"
    assert field(record, "exit_status") == "137                  (Killed)"
    assert field(record, "category") == "-l h_rt=1"
    assert parse_qacct(record)[job_id].status is Status.TIMEOUT


def test_s_rt_warns_the_job_with_sigusr1(cluster: Cluster) -> None:
    script = cluster.script("soft.sh", "#$ -cwd\ntrap 'echo warned; exit 0' USR1\nsleep 30 & wait\n")
    trapped = qsub(cluster, "-l", "s_rt=1", str(script))
    untrapped = qsub(cluster, "-l", "s_rt=1", str(cluster.script("plain.sh", "sleep 30\n")))
    record = qacct(cluster, trapped)
    assert (field(record, "failed"), field(record, "exit_status")) == ("0", "0")
    assert (cluster.tmp / f"soft.sh.o{trapped}").read_text() == "warned\n"
    record = qacct(cluster, untrapped)
    assert field(record, "failed") == "100 : assumedly after job"
    assert field(record, "exit_status") == f"{128 + signal.SIGUSR1:<20} (User defined signal 1)"


def test_a_parallel_job_gets_its_slots_and_a_pe_hostfile(cluster: Cluster) -> None:
    script = cluster.script("pe.sh", '#$ -pe smp 4\n#$ -cwd\necho "$NSLOTS $PE"; cat "$PE_HOSTFILE"\n')
    job_id = qsub(cluster, str(script))
    record = qacct(cluster, job_id)
    assert (field(record, "granted_pe"), field(record, "slots"), field(record, "category")) == ("smp", "4", "-pe smp 4")
    host = socket.gethostname()
    assert (cluster.tmp / f"pe.sh.o{job_id}").read_text() == f"4 smp\n{host} 4 all.q@{host} UNDEFINED\n"


def test_qsub_refuses_an_unknown_queue_like_grid_engine(cluster: Cluster) -> None:
    script = cluster.script("q.sh", "#$ -q nope\necho hi\n")
    done = cluster.run("qsub", str(script))
    expected = 'Unable to run job: Job was rejected because job requests unknown queue "nope".\nExiting.\n'
    assert (done.returncode, done.stdout, done.stderr) == (1, "", expected)
    assert cluster.run("qsub", "-q", "all.q", str(script)).returncode == 0  # the command line wins
    other = cluster.run("qsub", "-q", "long.q", str(script), HPCSIM_FAKE_QUEUES="short.q,long.q")
    assert other.returncode == 0, other.stderr


def test_qsub_refuses_options_it_does_not_know(cluster: Cluster) -> None:
    script = cluster.script("ok.sh", "echo hi\n")
    bad = cluster.run("qsub", "-foo", str(script))
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", 'qsub: invalid option argument "-foo"\n')
    in_script = cluster.run("qsub", str(cluster.script("bad.sh", "#$ -foo\necho hi\n")))
    expected = 'Unable to read script file because of error: invalid option argument "-foo"\n'
    assert (in_script.returncode, in_script.stderr) == (2, expected)
    held = cluster.run("qsub", "-hold_jid", "100", str(script))
    assert held.returncode == 2 and "does not support -hold_jid" in held.stderr
    no_value = cluster.run("qsub", "-N")
    assert (no_value.returncode, no_value.stderr) == (2, "qsub: -N option must have argument\n")
    assert not (cluster.root / "sge" / "state.json").exists()  # nothing was submitted


def test_unknown_ids_fail_like_grid_engine(cluster: Cluster) -> None:
    deleted = cluster.run("qdel", "99999")
    assert (deleted.returncode, deleted.stdout) == (1, 'denied: job "99999" does not exist\n')
    missing = cluster.run("qacct", "-j", "99999")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert qacct_missing_ids(missing.stderr) == ["99999"]


def test_the_accounting_delay_holds_records_back(cluster: Cluster) -> None:
    job_id = qsub(cluster, str(cluster.script("ok.sh", "true\n")))
    qacct(cluster, job_id)
    late = cluster.run("qacct", "-j", job_id, HPCSIM_FAKE_SGE_ACCOUNTING_DELAY="3600")
    assert (late.returncode, late.stdout, qacct_missing_ids(late.stderr)) == (1, "", [job_id])
    assert xml_jobs(cluster) == []  # in neither: a real poller sees this between qstat and qacct


def test_a_job_whose_runner_died_is_not_completed(cluster: Cluster) -> None:
    job_id = qsub(cluster, str(cluster.script("orphan.sh", "sleep 300\n")))
    wait_for(lambda: states(cluster).get(job_id), lambda s: s is Status.RUNNING, "the job to run")
    record = cluster.job(job_id)
    os.kill(record["runner_pid"], signal.SIGKILL)
    accounting = qacct(cluster, job_id)  # an execd/node crash: the shepherd died
    assert (field(accounting, "failed"), field(accounting, "exit_status")) == (
        "100 : assumedly after job",
        "137                  (Killed)",
    )
    wait_for(lambda: group_gone(record["pgid"]), bool, "the orphaned job to be killed")


def test_the_fake_needs_its_state_directory(cluster: Cluster) -> None:
    env = {k: v for k, v in cluster.env.items() if k != "HPCSIM_FAKE_SCHED_DIR"}
    for cmd in ("qstat", "qacct"):
        done = subprocess.run([cmd, "-xml"], env=env, capture_output=True, text=True, timeout=DEADLINE)
        assert done.returncode == 2
        assert "HPCSIM_FAKE_SCHED_DIR is not set" in done.stderr
