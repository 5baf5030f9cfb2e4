"""What a database's launch looks like under each scheduler, from its settings (no process runs)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment
from hpcsim.database import Orchestrator
from hpcsim.errors import ConfigError, DatabaseError, SettingsError

Configure = Callable[[Orchestrator], None]


def _preview(tmp_path: Path, launcher: str, configure: Configure | None = None, **kwargs: Any) -> str:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher=launcher)
    db = exp.create_database(port=6780, **kwargs)
    if configure is not None:
        configure(db)
    return exp.preview(db)


def test_smartsim_setters_reach_sbatch_and_srun(tmp_path: Path) -> None:
    def configure(db: Orchestrator) -> None:
        db.set_cpus(4)
        db.set_walltime("01:00:00")
        db.set_batch_arg("qos", "debug")
        db.set_run_arg("distribution", "block")
        db.set_hosts(["n1", "n2", "n3"])

    text = _preview(tmp_path, "slurm", configure, db_nodes=3, batch=True)
    # the job asks for the hosts its step names, or Slurm may give it others and the step fails
    for directive in ("--nodes=3", "--time=01:00:00", "--cpus-per-task=4", "--qos=debug", "--nodelist=n1,n2,n3"):
        assert f"#SBATCH {directive}\n" in text
    srun = next(line for line in text.splitlines() if "exec srun" in line)
    for arg in ("--nodes=3", "--ntasks=3", "--ntasks-per-node=1", "--nodelist=n1,n2,n3", "--cpus-per-task=4"):
        assert f" {arg} " in srun
    assert " --distribution=block " in srun and "--ranked" in srun and "--cluster" in srun


@pytest.mark.parametrize(("launcher", "directive"), [("pbs", "#PBS -l select=3:ncpus=2"), ("lsf", "#BSUB -nnodes 3")])
def test_pbs_and_lsf_databases_place_one_shard_per_node(tmp_path: Path, launcher: str, directive: str) -> None:
    text = _preview(tmp_path, launcher, lambda db: db.set_cpus(2), db_nodes=3, batch=True, run_command="mpirun")
    assert directive in text.splitlines()
    launch = next(line for line in text.splitlines() if "exec mpirun" in line)
    assert "-n 3 --npernode 1" in launch and "--ranked" in launch  # mpirun takes its nodes from the job


def test_local_shards_are_pinned_by_set_cpus(tmp_path: Path) -> None:
    assert "--db-cpus 1" in _preview(tmp_path, "local", lambda db: db.set_cpus(1))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda db: db.set_walltime("01:00:00"), "set_walltime needs a scheduler"),
        (lambda db: db.set_run_arg("x"), "set_run_arg needs a scheduler"),
        (lambda db: db.set_batch_arg("x"), "set_batch_arg needs a scheduler"),
        (lambda db: db.set_hosts(["node7"]), "runs shards on this machine"),
        (lambda db: db.set_cpus(0), "positive integer"),
    ],
)
def test_setters_that_cannot_apply_locally_say_so(tmp_path: Path, call: Configure, message: str) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="local")
    db = exp.create_database(port=6780)
    with pytest.raises(ConfigError, match=message):
        call(db)


def test_one_host_per_shard_under_a_scheduler(tmp_path: Path) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="slurm")
    db = exp.create_database(port=6780, db_nodes=3)
    with pytest.raises(ConfigError, match="names 2 host"):
        db.set_hosts(["a", "b"])


def test_reserved_launch_arguments_are_refused_by_the_launcher(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="output"):
        _preview(tmp_path, "slurm", lambda db: db.set_run_arg("output", "x"), batch=True)


def test_an_orchestrator_made_for_another_launcher_is_refused(tmp_path: Path) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="local")
    db = Orchestrator(tmp_path / "db", port=6780, launcher="slurm")
    with pytest.raises(ConfigError, match="made for the 'slurm' launcher but this experiment uses 'local'"):
        exp.preview(db)


def test_single_cmd_false_is_refused_under_a_scheduler(tmp_path: Path) -> None:
    exp = Experiment("plan", exp_path=tmp_path / "exp", launcher="slurm")
    with pytest.raises(ConfigError, match="single_cmd=False is not supported"):
        exp.create_database(port=6780, db_nodes=3, single_cmd=False)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda db: db.enable_checkpoints(0), ConfigError, "positive number of seconds"),
        (lambda db: db.set_max_memory("1gb"), DatabaseError, "is not running; start it with exp.start"),
        (lambda db: db.get_address(), DatabaseError, "is not running"),
    ],
)
def test_runtime_settings_need_a_running_database_and_sane_values(
    tmp_path: Path, call: Configure, error: type[Exception], message: str
) -> None:
    db = Experiment("plan", exp_path=tmp_path / "exp", launcher="local").create_database(port=6780)
    assert not db.is_active()
    with pytest.raises(error, match=message):
        call(db)


def test_a_local_database_binds_loopback_for_an_interface_this_host_lacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The Model page's driver names interface="ib0"; a local database serves this host only."""
    db = Orchestrator(port=6780, interface=["lo", "nosuch9"])
    assert db.interfaces == ("lo",)
    [message] = [r.getMessage() for r in caplog.records]
    assert message.startswith("network interface(s) nosuch9 not found on this host (interfaces here: ")
    assert message.endswith("the local database binds to the other interfaces instead")
    assert Orchestrator(port=6780, interface="nosuch9", launcher="slurm").interfaces == ("nosuch9",)
