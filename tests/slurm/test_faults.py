"""Faults provoked for real on the Slurm test cluster, and what hpcsim makes of them.

* A node dies under running jobs: its slurmd and the jobs' processes on it are SIGKILLed, and
  slurmctld sets the node DOWN once it stops answering (SlurmdTimeout=5, after two pings that
  fail for MessageTimeout=10 s each: about 25 s here) and ends its jobs NODE_FAIL.
* A job allocates far beyond its ``--mem``: task/cgroup's memory cgroup makes the kernel's OOM
  killer end it, and Slurm records OUT_OF_MEMORY.

Every wait is bounded; nothing asserts how long Slurm takes.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status

from .conftest import FailingNode, SlurmCluster, _unavailable

#: longest wait for slurmctld to declare a killed node DOWN and fail its jobs (measured: ~25 s)
NODE_DOWN_WITHIN = 120.0
#: allocates 1 GiB, one written MiB at a time: a 50 MB limit stops it within the first 50
HOG = "chunks = [bytearray(b'x' * 2**20) for _ in range(1024)]; print('allocated 1 GiB')"


@pytest.fixture
def sexp(slurm_cluster: SlurmCluster, tmp_path: Path) -> Iterator[Experiment]:
    """A Slurm experiment whose unfinished jobs are cancelled at the end."""
    experiment = Experiment("faults", exp_path=tmp_path / "exp", launcher="slurm")
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


@pytest.fixture
def memory_limits(slurm_cluster: SlurmCluster) -> None:
    if not slurm_cluster.memory_limits:
        _unavailable(
            "the cluster does not enforce --mem (HPCSIM_CLUSTER_CGROUP=0 in its env.sh: no cgroup v1 memory "
            "and freezer controllers here, see scripts/cluster/README.md)"
        )


def _wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


def _rows(exp: Experiment) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in exp.summary_data()}


# reset: the lost member's srun sees its connection reset and exits 0 at once (srun 22.05
# "aborting, io error with slurmstepd"), long before slurmctld fails the node: its step, still
# running in the accounting and then CANCELLED, says that 0 was no success
@pytest.mark.parametrize("reset", [False, True], ids=["silent", "connection-reset"])
def test_node_failure_is_node_fail_for_the_job_and_the_members_on_that_node(
    failing_node: FailingNode, sexp: Experiment, reset: bool
) -> None:
    victim = failing_node.name
    other = next(n for n in failing_node.cluster.nodes if n != victim)
    # --no-requeue: Slurm's default (JobRequeue=1) would requeue a batch job whose node failed
    # and run it again elsewhere; a site that does not, or a job that asks so, ends NODE_FAIL
    model = sexp.create_model(
        "stranded",
        sexp.create_run_settings("sleep", ["600"]),
        batch_settings=sexp.create_batch_settings(
            nodes=1, time="00:10:00", batch_args={"nodelist": victim, "no-requeue": None}
        ),
    )
    ens = sexp.create_ensemble(
        "pair",
        replicas=2,
        run_settings=sexp.create_run_settings("sleep", ["600"], run_args={"nodes": 1, "ntasks": 1}),
        batch_settings=sexp.create_batch_settings(
            nodes=2, time="00:10:00", batch_args={"nodelist": f"{other},{victim}", "no-requeue": None}
        ),
    )
    survivor, lost = ens.models
    survivor.run_settings.set_hostlist(other)
    lost.run_settings.set_hostlist(victim)
    sexp.start(model, ens, block=False)

    _wait_until(lambda: sexp.get_status(model, ens) == [Status.RUNNING] * 3, 60, "the job and both members to run")
    rows = _rows(sexp)
    job_ids = {rows["stranded"]["job_id"], rows["pair"]["job_id"]}
    # every srun step is up: the model's and the lost member's on the victim node
    _wait_until(
        lambda: len([c for c in failing_node.step_daemons(job_ids).values() if ".batch]" not in c]) == 2,
        60,
        f"the steps of jobs {sorted(job_ids)} on {victim}",
    )
    foreign = failing_node.foreign_jobs(job_ids)
    if foreign:
        _unavailable(f"{victim} also runs jobs {foreign} that this test did not start; killing it would fail them")

    killed = failing_node.kill(job_ids, reset=reset)
    assert len(killed) >= 4  # slurmd, the two jobs' step daemons and what they started
    if reset:
        lost_ec = Path(lost.path) / ".hpcsim" / f"{lost.name}.ec"
        _wait_until(lambda: lost_ec.read_text().strip() == "0", 60, "the lost member's srun to exit 0")
        assert sexp.get_status(lost) != [Status.COMPLETED]

    _wait_until(
        lambda: all(status.is_terminal for status in sexp.get_status(model, ens)),
        NODE_DOWN_WITHIN,
        f"slurmctld to declare {victim} down and hpcsim to see its jobs end",
    )
    assert "DOWN" in failing_node.state()
    # Slurm ends a job one of whose nodes failed as a whole, so the member on the healthy node
    # ends NODE_FAIL too: neither member finished by itself
    assert sexp.get_status(model) == [Status.NODE_FAIL]
    assert sexp.get_status(ens) == [Status.NODE_FAIL, Status.NODE_FAIL]
    rows = _rows(sexp)
    for name in ("stranded", "pair", "pair_0", "pair_1"):
        assert (rows[name]["status"], rows[name]["reason"]) == ("NODE_FAIL", "NodeDown"), rows[name]
    table = sexp.summary()
    assert "NODE_FAIL" in table and "NodeDown" in table


def test_job_beyond_its_memory_is_oom_killed(memory_limits: None, sexp: Experiment, python_exe: str) -> None:
    # run_command="": the program runs in the job's batch step, and Slurm marks the job itself
    # OUT_OF_MEMORY (after the script recorded 137: hpcsim waits for that verdict)
    rs = sexp.create_run_settings(python_exe, ["-c", HOG], run_command="")
    model = sexp.create_model("hog", rs, batch_settings=sexp.create_batch_settings(time="00:05:00", mem="50M"))
    sexp.start(model, block=False)
    _wait_until(lambda: sexp.finished(model), 120, "the job to end")

    assert sexp.get_status(model) == [Status.OOM]
    [row] = sexp.summary_data()
    assert (row["status"], row["exit_code"], row["reason"]) == ("OOM", 137, "OutOfMemory")  # 137: SIGKILL
    assert "allocated 1 GiB" not in (Path(model.path) / "hog.out").read_text()
    assert _slurm_state(row["job_id"]) == "OUT_OF_MEMORY"


def test_srun_step_beyond_its_memory_is_oom_killed(
    slurm_cluster: SlurmCluster, memory_limits: None, sexp: Experiment, python_exe: str
) -> None:
    if not slurm_cluster.accounting:
        _unavailable("an srun step's OUT_OF_MEMORY is only in the accounting: start with HPCSIM_CLUSTER_ACCOUNTING=1")
    # srun, as models usually run: the step is OUT_OF_MEMORY, the job only FAILED (srun exited
    # 1), so hpcsim looks the job's steps up in the accounting
    rs = sexp.create_run_settings(python_exe, ["-c", HOG])
    model = sexp.create_model("hog", rs, batch_settings=sexp.create_batch_settings(time="00:05:00", mem="50M"))
    sexp.start(model, block=False)
    _wait_until(lambda: sexp.finished(model), 120, "the job to end")

    assert sexp.get_status(model) == [Status.OOM]
    [row] = sexp.summary_data()
    job = row["job_id"]
    assert (row["status"], row["reason"]) == ("OOM", f"OutOfMemory (step {job}.0)")
    assert _slurm_state(job) == "FAILED"
    assert "Out Of Memory" in (Path(model.path) / "hog.err").read_text()  # srun says so


def _slurm_state(job_id: str) -> str:
    done = subprocess.run(
        ["squeue", "-h", "-t", "all", "-j", job_id, "-o", "%T"], capture_output=True, text=True, timeout=30, check=False
    )
    return done.stdout.strip()
