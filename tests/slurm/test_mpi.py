"""MPI and MPMD models launched by hpcsim across the 3 test-cluster nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment, Status

from ..conftest import APPS

pytestmark = pytest.mark.slurm

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


def test_mpmd_runs_both_programs_in_one_step(sexp: Experiment, python_exe: str) -> None:
    first = sexp.create_run_settings(python_exe, [HELLO], run_command="srun", env_vars=PMIX_ENV)
    first.set("mpi", "pmix")
    first.set_tasks(2)
    second = sexp.create_run_settings(python_exe, [HELLO], run_command="srun")
    second.set_tasks(1)
    first.make_mpmd(second)
    model = sexp.create_model("mpmd", first, batch_settings=sexp.create_batch_settings(nodes=3, time="00:05:00"))
    sexp.start(model)
    assert sexp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "mpmd.err").read_text()
    ranks = _ranks(model.path, "mpmd")
    # one MPI world across both programs: 3 ranks that all see size 3
    assert [(r, s) for r, s, _ in ranks] == [(0, 3), (1, 3), (2, 3)]
