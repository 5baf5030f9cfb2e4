"""MPI and MPMD models launched by hpcsim across the 3 test-cluster nodes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status

from ..conftest import APPS

HELLO = str(APPS / "mpi_hello.py")
#: Open MPI refuses to run as root without these (the CI runs as root)
ROOT_OK = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
#: Slurm's PMIx server offers munge,native and ds21,ds12,hash; pick ones every Open MPI build has
PMIX_ENV = {"PMIX_MCA_psec": "native", "PMIX_MCA_gds": "hash"}


@pytest.fixture
def sexp(slurm_cluster: Any, tmp_path: Path) -> Any:
    experiment = Experiment("mpi-exp", exp_path=tmp_path / "exp", launcher="slurm")
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


def _ranks(model_dir: str, name: str) -> list[tuple[int, int, str]]:
    lines = (Path(model_dir) / f"{name}.out").read_text().split("\n")
    return sorted((int(r), int(s), h) for r, s, h in (line.split() for line in lines if line.strip()))


def test_mpi4py_with_srun_pmix_spans_three_nodes(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [HELLO], run_command="srun", env_vars=PMIX_ENV)
    rs.set("mpi", "pmix")
    rs.set_nodes(3)
    rs.set_tasks_per_node(1)
    model = sexp.create_model("pmix", rs, batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"))
    sexp.start(model)
    assert sexp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "pmix.err").read_text()
    ranks = _ranks(model.path, "pmix")
    assert [(r, s) for r, s, _ in ranks] == [(0, 3), (1, 3), (2, 3)]
    assert len({h for _, _, h in ranks}) == 3


def test_mpi4py_with_mpirun_spans_three_nodes(sexp: Experiment, python_exe: str) -> None:
    rs = sexp.create_run_settings(python_exe, [HELLO], run_command="mpirun", env_vars=ROOT_OK)
    rs.set_tasks(3)
    rs.set_tasks_per_node(1)
    model = sexp.create_model("mpirun", rs, batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"))
    sexp.start(model)
    assert sexp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "mpirun.err").read_text()
    ranks = _ranks(model.path, "mpirun")
    assert [(r, s) for r, s, _ in ranks] == [(0, 3), (1, 3), (2, 3)]
    assert len({h for _, _, h in ranks}) == 3


#: Slurm before 24.11 (Debian 12 ships 22.05.8) has a race in srun's mpi/pmix plugin for
#: heterogeneous steps, which is what srun's ``A : B`` MPMD form is: each component's launch
#: thread starts a PMIx abort agent in the same unsynchronised globals (``_abort_handle``,
#: ``_abort_tid`` in src/plugins/mpi/pmix/pmixp_agent.c), so now and then srun ends up joining an
#: agent thread that nobody shuts down and hangs in ``pmixp_abort_agent_stop`` -> ``pthread_join``,
#: after every task has exited and the step has ended at the controller (about 1 run in 5-10
#: here). SchedMD ticket 16817; fixed in Slurm 24.11.0 (NEWS: "mpi/pmix - Fix potential deadlock
#: and races with het jobs"). The test recognises exactly that state, cancels the job and
#: launches again; any other hang or failure still fails.
UPSTREAM_HANG = "srun hung after its het step ended (Slurm mpi/pmix het-step race, SchedMD ticket 16817)"
MPMD_ATTEMPTS = 5
#: a launch normally ends in 1-2 s; this bounds one attempt on a slow CI machine
MPMD_DEADLINE_S = 90.0
#: how long srun may linger after the step has ended before it counts as the upstream hang
MPMD_LINGER_S = 10.0


def _step_running(job_id: str) -> bool:
    """Whether step 0 (either het component) of ``job_id`` is still running at the controller."""
    done = subprocess.run(
        ["squeue", "-h", "-s", "-j", job_id, "-o", "%i"],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode != 0 or any(s.startswith(f"{job_id}.0") for s in done.stdout.split())


def _run_mpmd(sexp: Experiment, python_exe: str, name: str) -> tuple[Any, bool]:
    """Launch the MPMD model ``name`` and wait, bounded; True with it if it hit the upstream hang."""
    first = sexp.create_run_settings(python_exe, [HELLO], run_command="srun", env_vars=PMIX_ENV)
    first.set("mpi", "pmix")
    first.set_tasks(2)
    second = sexp.create_run_settings(python_exe, [HELLO], run_command="srun")
    second.set_tasks(1)
    first.make_mpmd(second)
    model = sexp.create_model(name, first, batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"))
    sexp.start(model, block=False)
    deadline = time.monotonic() + MPMD_DEADLINE_S
    ended_at: float | None = None  # when the controller first showed step 0 gone while the job ran on
    while not sexp.finished(model):
        now = time.monotonic()
        out = Path(model.path) / f"{name}.out"
        complete = out.is_file() and len(out.read_text().split("\n")) > 3
        if complete and not _step_running(sexp.job_record(model).native_id):
            ended_at = ended_at if ended_at is not None else now
            if now - ended_at > MPMD_LINGER_S:
                sexp.stop(model)
                return model, True
        else:
            ended_at = None
        assert now < deadline, f"MPMD job {name} still not done after {MPMD_DEADLINE_S:.0f} s"
        time.sleep(0.5)
    return model, False


def test_mpmd_runs_both_programs_in_one_step(sexp: Experiment, python_exe: str) -> None:
    hangs = 0
    for attempt in range(MPMD_ATTEMPTS):
        model, hung = _run_mpmd(sexp, python_exe, "mpmd" if attempt == 0 else f"mpmd{attempt}")
        ranks = _ranks(model.path, model.name)
        # one MPI world across both programs: 3 ranks that all see size 3
        assert [(r, s) for r, s, _ in ranks] == [(0, 3), (1, 3), (2, 3)]
        if not hung:
            assert sexp.get_status(model) == [Status.COMPLETED], (Path(model.path) / f"{model.name}.err").read_text()
            return
        hangs += 1
    # every attempt ran both programs in one world, and every one hit the upstream bug
    pytest.xfail(f"{UPSTREAM_HANG}, {hangs} of {MPMD_ATTEMPTS} attempts")
