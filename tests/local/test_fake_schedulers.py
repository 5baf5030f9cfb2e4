"""The fake PBS and LSF commands (tests/fakes) with real processes: scripts really run, are
really killed, and what the fakes print is read both by hpcsim's parsers and by PSI/J's own
executors, to show it is the format real schedulers print. Every wait has a deadline."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from psij import Job, JobExecutor, JobSpec, JobState
from psij.executors.batch.lsf import LsfExecutorConfig, LsfJobExecutor
from psij.executors.batch.pbs import PBSJobExecutor
from psij.executors.batch.pbs_base import PBSExecutorConfig

from hpcsim.schedulers.base import JobUpdate
from hpcsim.schedulers.parsers.lsf import bjobs_missing_ids, parse_bjobs_json, parse_bsub
from hpcsim.schedulers.parsers.pbs import parse_qstat_json, parse_qsub, qstat_error_ids
from hpcsim.status import Status

FAKES = Path(__file__).resolve().parents[1] / "fakes"
#: how long any one wait may take before the test fails (the machine may be busy)
DEADLINE = 30.0
#: the fields hpcsim asks bjobs for, and the ones PSI/J 0.9.11 asks for
HPCSIM_FIELDS = "jobid stat exit_code exit_reason"
PSIJ_FIELDS = "JOBID STAT EXIT_REASON KILL_REASON SUSPEND_REASON"
T = TypeVar("T")


def _load_fakesched() -> Any:
    spec = importlib.util.spec_from_file_location("_fakesched", FAKES / "_fakesched.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fakesched = _load_fakesched()


@dataclass
class Cluster:
    """A fake scheduler's environment: its commands on PATH, its state in ``root``."""

    tmp: Path
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return Path(self.env["HPCSIM_FAKE_SCHED_DIR"])

    def run(self, *cmd: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd, env=self.env, cwd=self.tmp, input=stdin, capture_output=True, text=True, timeout=DEADLINE
        )

    def script(self, name: str, body: str) -> Path:
        path = self.tmp / name
        path.write_text("#!/bin/bash\n" + body)
        return path

    def job(self, kind: str, job_id: str) -> dict[str, Any]:
        return json.loads((self.root / kind / "state.json").read_text())["jobs"][job_id]


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    env = {
        **os.environ,
        "PATH": f"{FAKES / 'pbs'}{os.pathsep}{FAKES / 'lsf'}{os.pathsep}{os.environ['PATH']}",
        "HPCSIM_FAKE_SCHED_DIR": str(tmp_path / "sched"),
        "HPCSIM_FAKE_QUEUE_DELAY": "1.0",
        "HPCSIM_FAKE_LSF_MINUTE_SECONDS": "1",
    }
    for name in ("PATH", "HPCSIM_FAKE_SCHED_DIR", "HPCSIM_FAKE_QUEUE_DELAY", "HPCSIM_FAKE_LSF_MINUTE_SECONDS"):
        monkeypatch.setenv(name, env[name])  # for PSI/J, which runs the commands itself
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


def follow(probe: Callable[[], JobUpdate]) -> tuple[list[Status], JobUpdate]:
    """Poll a job until it ends: the distinct statuses seen in order, and the last update."""
    seen: list[Status] = []

    def look() -> JobUpdate:
        update = probe()
        if not seen or seen[-1] is not update.status:
            seen.append(update.status)
        return update

    last = wait_for(look, lambda u: u.status.is_terminal, "the job to end")
    return seen, last


def group_gone(pgid: int) -> bool:
    return not fakesched.group_alive(pgid)


# -- PBS ------------------------------------------------------------------------------------


@pytest.fixture
def psij_pbs(tmp_path: Path) -> PBSJobExecutor:
    # PSI/J loads its executors itself (a class of its own import), so ask it for one
    return cast(PBSJobExecutor, JobExecutor.get_instance("pbs", config=PBSExecutorConfig(work_directory=tmp_path)))


def qsub(cluster: Cluster, script: Path) -> str:
    done = cluster.run("qsub", str(script))
    assert done.returncode == 0, done.stderr
    return parse_qsub(done.stdout)


def qstat(cluster: Cluster, *ids: str) -> subprocess.CompletedProcess[str]:
    return cluster.run("qstat", "-f", "-F", "json", "-x", *ids)


def pbs_update(cluster: Cluster, job_id: str) -> JobUpdate:
    done = qstat(cluster, job_id)
    assert done.returncode == 0, done.stderr
    return parse_qstat_json(done.stdout)[job_id]


def psij_pbs_state(executor: PBSJobExecutor, cluster: Cluster, job_id: str) -> JobState:
    done = qstat(cluster, job_id)
    return executor.parse_status_output(done.returncode, done.stdout)[job_id].state


def test_pbs_job_queues_runs_and_completes_with_output_in_its_o_file(
    cluster: Cluster, psij_pbs: PBSJobExecutor
) -> None:
    out = cluster.tmp / "hello.out"
    script = cluster.script(
        "hello.sh",
        f"#PBS -N hello\n#PBS -o {out}\n#PBS -e {cluster.tmp / 'hello.err'}\n#PBS -l walltime=00:05:00\n"
        'echo "id=$PBS_JOBID name=$PBS_JOBNAME workdir=$PBS_O_WORKDIR cwd=$PWD"\n'
        'test -s "$PBS_NODEFILE" && echo nodefile\nsleep 1\n',
    )
    job_id = qsub(cluster, script)
    assert job_id.endswith(".fakepbs")
    psij_states = [psij_pbs_state(psij_pbs, cluster, job_id)]
    seen, last = follow(lambda: pbs_update(cluster, job_id))
    psij_states.append(psij_pbs_state(psij_pbs, cluster, job_id))
    assert seen == [Status.QUEUED, Status.RUNNING, Status.COMPLETED]
    assert last.exit_code == 0
    assert last.reason.endswith("and finished")
    assert psij_states == [JobState.QUEUED, JobState.COMPLETED]
    lines = out.read_text().splitlines()
    home = os.environ.get("HOME", "/")
    assert lines == [f"id={job_id} name=hello workdir={cluster.tmp} cwd={home}", "nodefile"]


def test_pbs_failing_script_finishes_with_its_exit_code(cluster: Cluster, psij_pbs: PBSJobExecutor) -> None:
    # PSI/J's template writes -N="name"
    job_id = qsub(cluster, cluster.script("fail.sh", '#PBS -N="fail"\nexit 3\n'))
    _, last = follow(lambda: pbs_update(cluster, job_id))
    assert (last.status, last.exit_code) == (Status.FAILED, 3)
    assert psij_pbs_state(psij_pbs, cluster, job_id) is JobState.FAILED
    # without -o, PBS writes <name>.o<seq> in the submission directory
    assert (cluster.tmp / f"fail.o{job_id.split('.')[0]}").exists()


def test_qdel_kills_a_running_job_which_shows_cancelled(cluster: Cluster, psij_pbs: PBSJobExecutor) -> None:
    job_id = qsub(cluster, cluster.script("long.sh", "sleep 300\n"))
    wait_for(lambda: pbs_update(cluster, job_id).status, lambda s: s is Status.RUNNING, "the job to run")
    pgid = cluster.job("pbs", job_id)["pgid"]
    deleted = cluster.run("qdel", job_id)
    assert (deleted.returncode, deleted.stdout, deleted.stderr) == (0, "", "")
    wait_for(lambda: group_gone(pgid), bool, "the job's processes to die")
    _, last = follow(lambda: pbs_update(cluster, job_id))
    assert last.status is Status.CANCELLED
    assert json.loads(qstat(cluster, job_id).stdout)["Jobs"][job_id]["Exit_status"] == 256 + signal.SIGTERM
    # PSI/J reads the same output; it takes only 265 (SIGKILL) as cancelled (psij-python#470)
    assert psij_pbs_state(psij_pbs, cluster, job_id) is JobState.FAILED
    again = cluster.run("qdel", job_id)
    assert (again.returncode, again.stderr) == (35, f"qdel: Job has finished {job_id}\n")


def test_qdel_of_a_queued_job_cancels_it_before_it_runs(cluster: Cluster) -> None:
    marker = cluster.tmp / "ran"
    job_id = qsub(cluster, cluster.script("never.sh", f"touch {marker}\n"))
    assert cluster.run("qdel", job_id).returncode == 0
    _, last = follow(lambda: pbs_update(cluster, job_id))
    assert (last.status, last.reason) == (Status.CANCELLED, "deleted before it ran")
    time.sleep(1.5)  # past the queue delay: the runner must not start it after all
    assert not marker.exists()


def test_pbs_walltime_kills_the_job_which_shows_timeout(cluster: Cluster, psij_pbs: PBSJobExecutor) -> None:
    err = cluster.tmp / "slow.err"
    job_id = qsub(cluster, cluster.script("slow.sh", f"#PBS -l walltime=00:00:01\n#PBS -e {err}\nsleep 30\n"))
    _, last = follow(lambda: pbs_update(cluster, job_id))
    assert last.status is Status.TIMEOUT
    assert "JOB_EXEC_KILL_WALLTIME" in last.reason
    assert "=>> PBS: job killed: walltime" in err.read_text()
    assert psij_pbs_state(psij_pbs, cluster, job_id) is JobState.FAILED


def test_pbs_array_runs_each_index_once(cluster: Cluster, psij_pbs: PBSJobExecutor) -> None:
    script = cluster.script(
        "arr.sh",
        f"#PBS -J 0-3\n#PBS -o {cluster.tmp}/arr.^array_index^.out\n"
        'echo "$PBS_ARRAY_INDEX $PBS_JOBID $PBS_ARRAY_ID" >> ' + f"{cluster.tmp}/ran\n",
    )
    parent = qsub(cluster, script)
    assert parent.endswith("[].fakepbs")
    _, last = follow(lambda: pbs_update(cluster, parent))
    assert (last.status, last.exit_code) == (Status.COMPLETED, 0)
    ran = sorted((cluster.tmp / "ran").read_text().splitlines())
    seq = parent.split("[")[0]
    assert ran == [f"{i} {seq}[{i}].fakepbs {parent}" for i in range(4)]
    subjobs = cluster.run("qstat", "-t", "-f", "-F", "json", "-x", parent)
    updates = parse_qstat_json(subjobs.stdout)
    assert {k: (u.status, u.exit_code) for k, u in updates.items()} == {
        parent: (Status.COMPLETED, 0),
        **{f"{seq}[{i}].fakepbs": (Status.COMPLETED, 0) for i in range(4)},
    }
    psij = psij_pbs.parse_status_output(subjobs.returncode, subjobs.stdout)
    assert {s.state for s in psij.values()} == {JobState.COMPLETED}


def test_qsub_refuses_an_unknown_queue_like_pbs(cluster: Cluster) -> None:
    done = cluster.run("qsub", str(cluster.script("q.sh", "#PBS -q nope\necho hi\n")))
    assert (done.returncode, done.stdout, done.stderr) == (170, "", "qsub: Unknown queue\n")
    allowed = cluster.run("qsub", "-q", "workq", str(cluster.tmp / "q.sh"))  # the command line wins
    assert allowed.returncode == 0


def test_qstat_reports_unknown_ids_on_stderr_and_the_rest_as_json(cluster: Cluster) -> None:
    job_id = qsub(cluster, cluster.script("ok.sh", "true\n"))
    done = qstat(cluster, job_id, "99999")
    assert done.returncode == 153
    assert qstat_error_ids(done.stderr) == ["99999.fakepbs"]
    assert list(parse_qstat_json(done.stdout)) == [job_id]
    assert cluster.run("qdel", "99999").stderr == "qdel: Unknown Job Id 99999.fakepbs\n"


def test_a_job_whose_runner_died_is_not_completed(cluster: Cluster) -> None:
    job_id = qsub(cluster, cluster.script("orphan.sh", "sleep 300\n"))
    wait_for(lambda: pbs_update(cluster, job_id).status, lambda s: s is Status.RUNNING, "the job to run")
    record = cluster.job("pbs", job_id)
    os.kill(record["runner_pid"], signal.SIGKILL)
    _, last = follow(lambda: pbs_update(cluster, job_id))
    assert last.status is Status.NODE_FAIL
    wait_for(lambda: group_gone(record["pgid"]), bool, "the orphaned job to be killed")


def test_psij_submits_through_the_fake_pbs(cluster: Cluster, psij_pbs: PBSJobExecutor) -> None:
    """PSI/J's own script (``-V``, ``select=``, ``$PBS_JOBID.ec``) and commands work."""
    psij_pbs.config.queue_polling_interval = 1
    psij_pbs.config.initial_queue_polling_delay = 0
    job = Job(JobSpec(executable="/bin/echo", arguments=["from psij"], name="psijjob"))
    psij_pbs.submit(job)
    assert job.native_id is not None and job.native_id.endswith(".fakepbs")
    status = job.wait(timeout=timedelta(seconds=DEADLINE))
    assert status is not None and status.state is JobState.COMPLETED, status
    # PSI/J 0.9.11 writes no -N, so PBS names the job after the script file
    assert json.loads(qstat(cluster, job.native_id).stdout)["Jobs"][job.native_id]["Job_Name"] == f"{job.id}.job"


# -- LSF ------------------------------------------------------------------------------------


@pytest.fixture
def psij_lsf(tmp_path: Path) -> LsfJobExecutor:
    return cast(LsfJobExecutor, JobExecutor.get_instance("lsf", config=LsfExecutorConfig(work_directory=tmp_path)))


def bsub(cluster: Cluster, script: Path, psij: LsfJobExecutor | None = None) -> str:
    done = cluster.run("bsub", str(script))
    assert done.returncode == 0, done.stderr
    job_id = parse_bsub(done.stdout)
    if psij is not None:
        assert psij.job_id_from_submit_output(done.stdout) == job_id
    return job_id


def bjobs(cluster: Cluster, *ids: str, fields: str = HPCSIM_FIELDS) -> subprocess.CompletedProcess[str]:
    return cluster.run("bjobs", "-o", fields, "-json", "-a", *ids)


def lsf_update(cluster: Cluster, job_id: str) -> JobUpdate:
    done = bjobs(cluster, job_id)
    assert done.returncode == 0, done.stderr
    return parse_bjobs_json(done.stdout)[job_id]


def psij_lsf_state(executor: LsfJobExecutor, cluster: Cluster, job_id: str) -> JobState:
    done = bjobs(cluster, job_id, fields=PSIJ_FIELDS)
    assert parse_bjobs_json(done.stdout).keys() >= {job_id}  # hpcsim reads PSI/J's field set too
    return executor.parse_status_output(done.returncode, done.stdout)[job_id].state


def psij_lsf_cannot_read_reasons(executor: LsfJobExecutor, cluster: Cluster, job_id: str) -> None:
    """PSI/J 0.9.11 reads ``entry["reason"]`` when a record has a non-empty reason field, a key
    bjobs never prints, so it fails on every killed job; hpcsim's parser reads the same output."""
    done = bjobs(cluster, job_id, fields=PSIJ_FIELDS)
    assert parse_bjobs_json(done.stdout)[job_id].reason.startswith("TERM_")
    with pytest.raises(KeyError, match="reason"):
        executor.parse_status_output(done.returncode, done.stdout)


def test_lsf_job_queues_runs_and_completes_with_output_in_its_o_file(
    cluster: Cluster, psij_lsf: LsfJobExecutor
) -> None:
    out = cluster.tmp / "hello.%J.out"
    script = cluster.script(
        "hello.sh",
        f'#BSUB -J hello\n#BSUB -o "{out}"\n#BSUB -W 5\n'
        'echo "id=$LSB_JOBID name=$LSB_JOBNAME index=$LSB_JOBINDEX hosts=$LSB_HOSTS cwd=$PWD"\nsleep 1\n',
    )
    job_id = bsub(cluster, script, psij_lsf)
    psij_states = [psij_lsf_state(psij_lsf, cluster, job_id)]
    seen, last = follow(lambda: lsf_update(cluster, job_id))
    psij_states.append(psij_lsf_state(psij_lsf, cluster, job_id))
    assert seen == [Status.QUEUED, Status.RUNNING, Status.COMPLETED]
    assert last.exit_code == 0
    assert psij_states == [JobState.QUEUED, JobState.COMPLETED]
    written = (cluster.tmp / f"hello.{job_id}.out").read_text().splitlines()
    assert written == [f"id={job_id} name=hello index=0 hosts={os.uname().nodename.split('.')[0]} cwd={cluster.tmp}"]


def test_bsub_reads_the_script_from_stdin_too(cluster: Cluster) -> None:
    done = cluster.run("bsub", stdin=f"#BSUB -q normal\necho stdin > {cluster.tmp}/from_stdin\n")
    job_id = parse_bsub(done.stdout)
    assert done.stdout == f"Job <{job_id}> is submitted to queue <normal>.\n"
    _, last = follow(lambda: lsf_update(cluster, job_id))
    assert last.status is Status.COMPLETED
    assert (cluster.tmp / "from_stdin").read_text() == "stdin\n"


def test_lsf_failing_script_exits_with_its_exit_code(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    job_id = bsub(cluster, cluster.script("fail.sh", "exit 3\n"))
    _, last = follow(lambda: lsf_update(cluster, job_id))
    assert (last.status, last.exit_code) == (Status.FAILED, 3)
    assert psij_lsf_state(psij_lsf, cluster, job_id) is JobState.FAILED


def test_bkill_kills_a_running_job_which_shows_cancelled(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    job_id = bsub(cluster, cluster.script("long.sh", "sleep 300\n"))
    wait_for(lambda: lsf_update(cluster, job_id).status, lambda s: s is Status.RUNNING, "the job to run")
    pgid = cluster.job("lsf", job_id)["pgid"]
    killed = cluster.run("bkill", job_id)
    assert (killed.returncode, killed.stdout) == (0, f"Job <{job_id}> is being terminated\n")
    wait_for(lambda: group_gone(pgid), bool, "the job's processes to die")
    _, last = follow(lambda: lsf_update(cluster, job_id))
    assert (last.status, last.reason) == (Status.CANCELLED, "TERM_OWNER: job killed by owner")
    psij_lsf_cannot_read_reasons(psij_lsf, cluster, job_id)
    again = cluster.run("bkill", job_id)
    assert (again.returncode, again.stderr) == (255, f"Job <{job_id}>: Job has already finished\n")
    psij_lsf.process_cancel_command_output(again.returncode, again.stderr)  # PSI/J takes it as done


def test_lsf_run_limit_kills_the_job_which_shows_timeout(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    # -W is in minutes; the test cluster's minute lasts HPCSIM_FAKE_LSF_MINUTE_SECONDS=1 second
    job_id = bsub(cluster, cluster.script("slow.sh", "#BSUB -W 0:01\nsleep 30\n"))
    _, last = follow(lambda: lsf_update(cluster, job_id))
    assert (last.status, last.exit_code) == (Status.TIMEOUT, 128 + signal.SIGUSR2)
    assert last.reason == "TERM_RUNLIMIT: job killed after reaching LSF run time limit"
    psij_lsf_cannot_read_reasons(psij_lsf, cluster, job_id)


def test_lsf_array_runs_each_index_once_within_its_slot_limit(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    log = cluster.tmp / "ran"
    script = cluster.script(
        "arr.sh",
        f'#BSUB -J "arr[1-4]%2"\n#BSUB -o {cluster.tmp}/arr.%I.out\n'
        f'echo "start $LSB_JOBINDEX $(date +%s.%N)" >> {log}\nsleep 0.5\n'
        f'echo "end $LSB_JOBINDEX $(date +%s.%N)" >> {log}\n',
    )
    job_id = bsub(cluster, script)
    _, last = follow(lambda: lsf_update(cluster, job_id))  # the array's summary entry
    assert last.status is Status.COMPLETED
    events = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(i) for kind, i, _ in events if kind == "start") == [1, 2, 3, 4]
    running, most = 0, 0
    for kind, _, _ in sorted(events, key=lambda e: float(e[2])):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    assert most <= 2
    done = bjobs(cluster, job_id, fields=PSIJ_FIELDS)
    elements = [f"{job_id}[{i}]" for i in range(1, 5)]
    assert set(psij_lsf.parse_status_output(done.returncode, done.stdout)) == set(elements)
    assert all(parse_bjobs_json(done.stdout)[e].status is Status.COMPLETED for e in elements)


def test_bsub_refuses_an_unknown_queue_like_lsf(cluster: Cluster) -> None:
    done = cluster.run("bsub", str(cluster.script("q.sh", "#BSUB -q nope\necho hi\n")))
    assert (done.returncode, done.stdout, done.stderr) == (255, "", "nope: No such queue. Job not submitted.\n")


def test_bjobs_reports_unknown_ids_as_error_records(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    job_id = bsub(cluster, cluster.script("ok.sh", "true\n"))
    mixed = bjobs(cluster, job_id, "99999")
    assert mixed.returncode == 0
    assert bjobs_missing_ids(mixed.stdout) == ["99999"]
    assert list(parse_bjobs_json(mixed.stdout)) == [job_id]
    psij_mixed = bjobs(cluster, job_id, "99999", fields=PSIJ_FIELDS)
    assert list(psij_lsf.parse_status_output(psij_mixed.returncode, psij_mixed.stdout)) == [job_id]
    unknown = bjobs(cluster, "99999")
    assert unknown.returncode == 255
    assert bjobs_missing_ids(unknown.stdout) == ["99999"]
    killed = cluster.run("bkill", "99999")
    assert (killed.returncode, killed.stderr) == (255, "Job <99999>: No matching job found\n")


def test_a_lsf_job_whose_runner_died_is_not_completed(cluster: Cluster) -> None:
    job_id = bsub(cluster, cluster.script("orphan.sh", "sleep 300\n"))
    wait_for(lambda: lsf_update(cluster, job_id).status, lambda s: s is Status.RUNNING, "the job to run")
    record = cluster.job("lsf", job_id)
    os.kill(record["runner_pid"], signal.SIGKILL)
    _, last = follow(lambda: lsf_update(cluster, job_id))
    assert last.status is Status.NODE_FAIL
    wait_for(lambda: group_gone(record["pgid"]), bool, "the orphaned job to be killed")


def test_psij_submits_through_the_fake_lsf(cluster: Cluster, psij_lsf: LsfJobExecutor) -> None:
    """PSI/J's own script (``#BSUB -env all``, ``-o /dev/null``, ``$LSB_JOBID.ec``) and commands work."""
    psij_lsf.config.queue_polling_interval = 1
    psij_lsf.config.initial_queue_polling_delay = 0
    job = Job(JobSpec(executable="/bin/echo", arguments=["from psij"], name="psijjob"))
    psij_lsf.submit(job)
    status = job.wait(timeout=timedelta(seconds=DEADLINE))
    assert status is not None and status.state is JobState.COMPLETED, status


def test_the_fakes_need_their_state_directory(cluster: Cluster) -> None:
    env = {k: v for k, v in cluster.env.items() if k != "HPCSIM_FAKE_SCHED_DIR"}
    for cmd in ("qstat", "bjobs"):
        done = subprocess.run([cmd, "-f"], env=env, capture_output=True, text=True, timeout=DEADLINE)
        assert done.returncode == 2
        assert "HPCSIM_FAKE_SCHED_DIR is not set" in done.stderr
