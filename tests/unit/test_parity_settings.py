"""SmartSim 0.8 drivers' use of run and batch settings, ported by changing ``smartsim`` to
``hpcsim`` in the imports. The cases follow what SmartSim's own tests check
(tests/test_run_settings.py, test_slurm_settings.py, test_mpi_settings.py, test_pbs_settings.py,
test_lsf_settings.py, test_alps_settings.py, test_pals_settings.py, test_batch_settings.py);
where hpcsim is stricter, the error is one SmartSim users already catch."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hpcsim.error import LauncherError, SSConfigError, SSUnsupportedError
from hpcsim.errors import SettingsError
from hpcsim.settings import (
    AprunSettings,
    BsubBatchSettings,
    JsrunSettings,
    MpiexecSettings,
    MpirunSettings,
    OrterunSettings,
    PalsMpiexecSettings,
    QsubBatchSettings,
    RunSettings,
    SbatchSettings,
    SrunSettings,
    create_run_settings,
)
from hpcsim.settings.fit import check_fits
from hpcsim.settings.mpi import MpiBase
from hpcsim.settings.run import ArgValue, LauncherSettings

EXE = sys.executable
MPI_CLASSES: list[type[MpiBase]] = [MpirunSettings, MpiexecSettings, OrterunSettings]
SLURM_MPIEXEC_HELP = """#!/bin/sh
echo "
Usage:
    mpiexec.slurm args executable pgmargs
"
"""


@pytest.fixture
def settings_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog that sees ``hpcsim.settings`` from the level it sets."""
    caplog.set_level(logging.INFO, logger="hpcsim.settings")
    return caplog


@pytest.fixture
def stubs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Put stub launch commands first on PATH (name -> script text); never run here."""

    def make(**scripts: str) -> Path:
        folder = tmp_path / "stubs"
        folder.mkdir(exist_ok=True)
        for name, text in scripts.items():
            (folder / name).write_text(text)
            (folder / name).chmod(0o755)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        return folder

    return make


# -- values keep their types; text only when the command is built ------------------------------


def test_run_args_keep_the_values_given() -> None:
    rs = SrunSettings("python", run_args={"account": "A3123", "exclusive": None, "C": "P100", "nodes": 10})
    assert rs.run_args == {"account": "A3123", "exclusive": None, "C": "P100", "nodes": 10}
    assert rs.format_run_args() == ["--account=A3123", "--exclusive", "-C", "P100", "--nodes=10"]


@pytest.mark.parametrize(
    ("cls", "setter", "key", "value"),
    [
        (SrunSettings, "set_tasks", "ntasks", 6),
        (SrunSettings, "set_tasks_per_node", "ntasks-per-node", 6),
        (SrunSettings, "set_cpus_per_task", "cpus-per-task", 6),
        (MpirunSettings, "set_cpus_per_task", "cpus-per-proc", 6),
        (MpirunSettings, "set_tasks_per_node", "npernode", 6),
        (MpirunSettings, "set_tasks", "n", 6),
        (AprunSettings, "set_tasks", "pes", 6),
        (AprunSettings, "set_memory_per_node", "memory-per-pe", 8000),
        (JsrunSettings, "set_memory_per_node", "memory_per_rs", 8000),
        (JsrunSettings, "set_cpus_per_task", "cpu_per_rs", 6),
    ],
)
def test_setters_store_integers(cls: type[RunSettings], setter: str, key: str, value: int) -> None:
    rs = cls("python")
    getattr(rs, setter)(value)
    assert rs.run_args[key] == value
    with pytest.raises(ValueError):
        getattr(rs, setter)("not an int")


def test_formatted_values_and_constants() -> None:
    srun = SrunSettings("python")
    srun.set_memory_per_node(8000)
    srun.set_cpu_bindings([1, 2, 3, 4])
    assert (srun.run_args["mem"], srun.run_args["cpu_bind"]) == ("8000M", "map_cpu:1,2,3,4")
    aprun = AprunSettings("python")
    aprun.set_verbose_launch(True)
    assert aprun.run_args["debug"] == 7
    aprun.set_cpu_bindings(2)
    assert aprun.run_args["cpu-binding"] == "2"


def test_batch_args_keep_the_values_given() -> None:
    sbatch = SbatchSettings(nodes=1, batch_args={"ntasks": 4, "exclusive": None})
    assert sbatch.batch_args == {"ntasks": 4, "exclusive": None}
    assert sbatch.format_batch_args() == ["--nodes=1", "--ntasks=4", "--exclusive"]


# -- the plain class: SmartSim's literal arguments --------------------------------------------


def test_plain_run_settings_pass_arguments_literally() -> None:
    settings = RunSettings("echo", exe_args="test", run_command="mpirun", run_args={"-np": 2})
    assert settings.run_args == {"-np": 2}
    assert settings.format_run_args() == ["-np", "2"]
    settings.set("np", 4)  # the same argument, without dashes
    settings.set("--oversubscribe")
    assert settings.format_run_args() == ["-np", "4", "-oversubscribe"]
    assert RunSettings("echo", run_command="ibrun", run_args={"--gres": "gpu:1"}).format_run_args() == [
        "--gres",
        "gpu:1",
    ]


def test_base_format_env_vars() -> None:
    rs = RunSettings("python", env_vars={"A": "a", "B": None, "C": "", "D": 12})
    assert rs.format_env_vars() == ["A=a", "B=", "C=", "D=12"]


# -- set(arg, value=None, condition=True) ------------------------------------------------------


def test_set_args() -> None:
    rs = RunSettings("python")
    rs.set("str", "some-string")
    rs.set("nothing")
    assert rs.run_args == {"str": "some-string", "nothing": None}


@pytest.mark.parametrize(
    ("given", "key"), [("normal-key", "normal-key"), ("--a-key", "a-key"), ("-b", "b"), ("   c    ", "c")]
)
def test_set_strips_dashes_and_spaces(given: str, key: str) -> None:
    rs = RunSettings("python")
    rs.set(given, "some-val")
    assert rs.run_args[key] == "some-val"


def test_set_conditional(settings_log: pytest.LogCaptureFixture) -> None:
    rs = RunSettings("python")
    ans = 2 + 2
    rs.set("ans-is-4-arg", condition=ans == 4)
    rs.set("ans-is-5-arg", condition=ans == 5)
    assert "ans-is-4-arg" in rs.run_args
    assert "ans-is-5-arg" not in rs.run_args
    assert any("condition not met" in r.getMessage() for r in settings_log.records)


def test_set_refuses_a_name_that_is_no_string_and_reserved_names() -> None:
    with pytest.raises(TypeError):
        RunSettings("python").set(9)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RunSettings("python").set("key", ["a list"])  # type: ignore[arg-type]
    for cls, reserved in ((SrunSettings, "chdir"), (JsrunSettings, "h")):
        with pytest.raises(SettingsError, match="is set by hpcsim"):
            cls("python").set(reserved)


# -- methods SmartSim has ---------------------------------------------------------------------


def test_srun_set_time_and_node_feature() -> None:
    rs = SrunSettings("python")
    rs.set_time(seconds=72)
    assert rs.run_args["time"] == "00:01:12"
    rs.set_time(hours=1, minutes=31, seconds=1845)
    assert rs.run_args["time"] == "02:01:45"
    rs.set_time(hours=11)
    assert rs.format_run_args() == ["--time=11:00:00"]
    with pytest.raises(ValueError):
        rs.set_time("not an int")  # type: ignore[arg-type]
    rs.set_node_feature(["P100", "V100"])
    assert rs.run_args["C"] == "P100,V100"
    rs.set_node_feature("P100")
    assert rs.format_run_args() == ["--time=11:00:00", "-C", "P100"]
    for bad in (5, ["P100", 5]):
        with pytest.raises(TypeError):
            rs.set_node_feature(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("cls", "key"), [(MpirunSettings, "timeout"), (AprunSettings, "cpu-time-limit")])
def test_set_time_in_seconds(cls: type[RunSettings], key: str) -> None:
    rs = cls("python")
    rs.set_time(minutes=1, seconds=12)
    assert rs.run_args[key] == "72"


def test_node_feature_is_slurms() -> None:
    with pytest.raises(SettingsError, match="cannot honour set_node_feature: node features are a Slurm constraint"):
        MpirunSettings("python").set_node_feature("P100")


def test_format_env_vars_per_launcher() -> None:
    env: dict[str, ArgValue] = {"OMP_NUM_THREADS": 20, "LOGGING": "verbose"}
    mpirun = MpirunSettings("python", env_vars=env)
    mpirun.update_env({"OMP_NUM_THREADS": 10})
    assert mpirun.format_env_vars() == ["-x", "OMP_NUM_THREADS=10", "-x", "LOGGING=verbose"]
    aprun = AprunSettings("python", env_vars=env)
    aprun.update_env({"OMP_NUM_THREADS": 10})
    assert aprun.format_env_vars() == ["-e", "OMP_NUM_THREADS=10", "-e", "LOGGING=verbose"]
    jsrun = JsrunSettings("python", env_vars={"OMP_NUM_THREADS": None, "LOGGING": "verbose"})
    assert jsrun.format_env_vars() == ["-E", "OMP_NUM_THREADS", "-E", "LOGGING=verbose"]
    pals = PalsMpiexecSettings(EXE, env_vars={"FOO_VERSION": "3.14", "PATH": None, "LD_LIBRARY_PATH": None})
    assert " ".join(pals.format_env_vars()) == "--env FOO_VERSION=3.14 --envlist PATH,LD_LIBRARY_PATH"


def test_srun_env_formats_and_comma_values() -> None:
    env: dict[str, ArgValue] = {"OMP_NUM_THREADS": 20, "LOGGING": "verbose", "SSKEYIN": "name_0,name_1"}
    rs = SrunSettings("python", env_vars=env)
    formatted = rs.format_env_vars()
    assert "OMP_NUM_THREADS=20" in formatted and "LOGGING=verbose" in formatted
    assert all("SSKEYIN" not in x for x in formatted)
    exported, compound = rs.format_comma_sep_env_vars()
    assert exported == "OMP_NUM_THREADS=20,LOGGING=verbose,SSKEYIN"
    assert compound == ["SSKEYIN=name_0,name_1"]


def test_srun_warns_about_a_variable_the_environment_sets_otherwise(
    settings_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HPCSIM_TEST_VAR", "A")
    SrunSettings("python", env_vars={"HPCSIM_TEST_VAR": "B"}).format_env_vars()
    [record] = [r for r in settings_log.records if r.levelno == logging.WARNING]
    assert record.getMessage().startswith("Variable HPCSIM_TEST_VAR is set to A in current environment.")


def test_jsrun_erf_sets_and_mpmd_preamble_are_copied() -> None:
    rs = JsrunSettings("python")
    erf = {"foo": "1", "bar": "2"}
    rs.set_erf_sets(erf)
    erf["foo"] = "111"
    assert rs.erf_sets == {"foo": "1", "bar": "2"}
    lines = ["launch_distribution : packed"]
    rs.set_mpmd_preamble(lines)
    lines.append("more")
    assert rs.mpmd_preamble_lines == ["launch_distribution : packed"]
    with pytest.raises(SettingsError, match="cannot honour set_mpmd_preamble"):
        SrunSettings("python").set_mpmd_preamble(["x"])


def test_set_cpu_binding_type() -> None:
    pals = PalsMpiexecSettings(EXE, fail_if_missing_exec=False)
    pals.set_cpu_binding_type("numa")
    assert pals.format_run_args() == ["--cpu-bind", "numa"]
    mpirun = MpirunSettings(EXE)
    mpirun.set_cpu_binding_type("core")
    assert mpirun.format_run_args() == ["--bind-to", "core"]


def test_batch_command_and_format_batch_args() -> None:
    sbatch = SbatchSettings(nodes=1, time="10:00:00", account="A3123")
    assert sbatch.format_batch_args() == ["--nodes=1", "--time=10:00:00", "--account=A3123"]
    sbatch.set_batch_command("sbatch")
    assert os.path.basename(sbatch.batch_cmd) == "sbatch"
    with pytest.raises(SettingsError, match="is submitted with sbatch"):
        sbatch.set_batch_command("qsub")
    bsub = BsubBatchSettings(nodes=1, queue="default", batch_args={"core_isolation": None})
    assert bsub.format_batch_args() == ["-nnodes 1", "-q default", "-core_isolation"]
    with pytest.raises(TypeError):
        bsub.add_preamble(1)  # type: ignore[arg-type]


# -- run_command: the launch binary's path ------------------------------------------------------


def test_run_command_is_the_binarys_path_and_scripts_keep_the_name() -> None:
    rs = SrunSettings("python")
    assert rs.run_command == shutil.which("srun")
    assert rs.command()[0] == "srun"
    assert MpirunSettings(EXE).run_command == shutil.which("mpirun")
    assert RunSettings("python", run_command="echo").run_command == shutil.which("echo")
    assert create_run_settings("local", "echo", "hello", run_command=None).run_command is None
    assert create_run_settings("local", "echo", "hello", run_command="auto").run_command is None
    missing = create_run_settings("slurm", "echo", run_command="/opt/site/bin/srun")
    assert missing.run_command == "/opt/site/bin/srun"  # kept as given: compute nodes may have it


@pytest.mark.parametrize("cls", MPI_CLASSES)
def test_mpi_settings_are_not_made_without_their_binary(
    cls: type[MpiBase], monkeypatch: pytest.MonkeyPatch, settings_log: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(LauncherError, match="Try passing the full path via run_command"):
        cls(EXE)
    rs = cls(EXE, fail_if_missing_exec=False)
    assert rs.run_command == cls.default_command
    assert any("cannot find" in r.getMessage() for r in settings_log.records)


@pytest.mark.parametrize("cls", MPI_CLASSES)
def test_mpi_settings_from_stubs_make_no_warning(
    cls: type[MpiBase], stubs: Callable[..., Path], settings_log: pytest.LogCaptureFixture
) -> None:
    command = cls.default_command
    folder = stubs(**{command: "#!/bin/sh\necho 'mpirun (Open MPI) 4.1.2'\n"})
    assert cls(EXE).run_command == str(folder / command)
    assert not [r for r in settings_log.records if r.levelno >= logging.WARNING]


def test_slurms_mpiexec_wrapper_is_refused(stubs: Callable[..., Path]) -> None:
    stubs(mpiexec=SLURM_MPIEXEC_HELP)
    with pytest.raises(SSUnsupportedError, match=r"mpiexec\.slurm"):
        MpiexecSettings(EXE)
    with pytest.raises(SSUnsupportedError):
        create_run_settings("slurm", "echo", ["hello", "world"], run_command="mpiexec")


def test_slurms_mpiexec_wrapper_is_recognised_through_a_link(stubs: Callable[..., Path]) -> None:
    folder = stubs(**{"mpiexec.slurm": "#!/usr/bin/perl\nexit 0;\n"})
    (folder / "mpiexec").symlink_to(folder / "mpiexec.slurm")
    with pytest.raises(SSUnsupportedError):
        MpiexecSettings(EXE)


def test_under_a_scheduler_a_missing_mpi_command_is_left_to_the_compute_nodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    rs = create_run_settings("slurm", EXE, run_command="mpirun")
    assert (type(rs), rs.run_command, rs.command()[0]) == (MpirunSettings, "mpirun", "mpirun")
    with pytest.raises(LauncherError):
        create_run_settings("slurm", EXE, run_command="mpirun", fail_if_missing_exec=True)
    with pytest.raises(LauncherError):
        create_run_settings("local", EXE, run_command="mpirun")


def test_pals_launcher_gives_pals_mpiexec(stubs: Callable[..., Path]) -> None:
    folder = stubs(mpiexec='#!/bin/sh\necho "mpiexec version 1.2.12 revision d3dd612f9372"\n')
    rs = create_run_settings("pals", "echo", "hello", run_command="mpiexec")
    assert isinstance(rs, PalsMpiexecSettings)
    assert rs.run_command == str(folder / "mpiexec")
    assert isinstance(create_run_settings("pals", "echo", "hello"), PalsMpiexecSettings)
    assert type(create_run_settings("pbs", "echo", "hello", run_command="mpiexec")) is MpiexecSettings


# -- executable arguments --------------------------------------------------------------------


@pytest.mark.parametrize("bad", [[1, 2, 3], ["1", "2", 3], [["1", "2"]], {"dict": "is-wrong-type"}, 5])
def test_exe_args_of_other_types_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        RunSettings("python", exe_args=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RunSettings("python").add_exe_args(bad)  # type: ignore[arg-type]


def test_exe_args_are_copied() -> None:
    args = ["sleep.py", "--time=5"]
    rs0 = RunSettings("python", args)
    args.append("--foo")
    assert rs0.exe_args == ["sleep.py", "--time=5"]
    rs1 = RunSettings("python")
    rs1.exe_args = args
    args.append("--bar")
    assert rs1.exe_args == ["sleep.py", "--time=5", "--foo"]
    rs1.add_exe_args("1 2 3")
    assert rs1.exe_args[-3:] == ["1", "2", "3"]


# -- what is given is copied ----------------------------------------------------------------


def test_run_args_env_vars_and_batch_args_are_copied() -> None:
    run_args = {"arg0": "val0"}
    rs = create_run_settings("local", "echo", "hello", run_command="auto", run_args=run_args)
    run_args["arg0"] = "changed"
    assert rs.run_args["arg0"] == "val0"
    env_vars = {"k1": "v1"}
    rs.env_vars = env_vars
    env_vars["k1"] = "changed"
    assert rs.env_vars == {"k1": "v1"}
    batch_args = {"k1": "v1"}
    bsub = BsubBatchSettings(nodes=1, batch_args=batch_args)
    batch_args["k1"] = "changed"
    assert bsub.batch_args["k1"] == "v1"
    bsub.batch_args = batch_args
    batch_args["k1"] = "again"
    assert bsub.batch_args["k1"] == "changed"


def test_update_env_refuses_values_of_other_types() -> None:
    for bad in ({"abc"}, {"abc": "def"}):
        with pytest.raises(TypeError):
            RunSettings("python", run_command="echo").update_env({"env1": bad})  # type: ignore[dict-item]


# -- PBS resources -----------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["nodes", "select"])
def test_pbs_node_count_through_a_resource(spec: str) -> None:
    settings = QsubBatchSettings()
    settings.set_resource(spec, 10)
    settings.set_ncpus(36)
    assert settings.nodes == 10
    assert settings.format_batch_args() == ["-l select=10:ncpus=36"]
    from_constructor = QsubBatchSettings(ncpus=36, resources={spec: 10})
    assert from_constructor.format_batch_args() == ["-l select=10:ncpus=36"]


def test_pbs_select_and_nodes_together_are_refused() -> None:
    with pytest.raises(SSConfigError):
        QsubBatchSettings(nodes=10, resources={"select": 10})
    settings = QsubBatchSettings(nodes=10, resources={"place": "scatter"})
    unaltered = settings.resources
    with pytest.raises(SSConfigError):
        settings.resources = {"nodes": 10, "select": 20}
    assert settings.resources == unaltered == {"place": "scatter"}
    assert settings.nodes == 10


def test_pbs_resources_are_checked_when_assigned_and_read_as_a_copy() -> None:
    for bad in ({"nodes": "10"}, {"select": "10"}, {"foo": None}):
        with pytest.raises(TypeError):
            QsubBatchSettings().resources = bad
    with pytest.raises(TypeError):
        QsubBatchSettings().set_resource("nodes", "10")
    with pytest.raises(TypeError):
        QsubBatchSettings(nodes=10).set_resource("foo", None)
    with pytest.raises(TypeError):
        QsubBatchSettings().set_nodes("10")  # type: ignore[arg-type]
    settings = QsubBatchSettings(resources={"place": "scatter"})
    settings.resources["place"] = "pack"
    assert settings.resources == {"place": "scatter"}
    settings.resources = {"walltime": "01:00:00", "select": 2}
    assert settings.format_batch_args() == ["-l select=2", "-l walltime=01:00:00"]


# -- settings that do not fit the launcher ------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "launcher"),
    [(JsrunSettings, "slurm"), (SrunSettings, "pbs"), (AprunSettings, "lsf"), (PalsMpiexecSettings, "slurm")],
)
def test_settings_of_another_launcher_are_refused(cls: type[LauncherSettings], launcher: str) -> None:
    rs = cls(EXE, fail_if_missing_exec=False)
    with pytest.raises(SSUnsupportedError, match=f"does not run under the {launcher} launcher"):
        check_fits([rs], launcher)
    check_fits([rs], "local")  # the local launcher runs any command on this host


def test_settings_that_fit() -> None:
    check_fits([MpirunSettings(EXE), RunSettings(EXE, run_command="custom")], "lsf")
    check_fits([PalsMpiexecSettings(EXE, fail_if_missing_exec=False), AprunSettings(EXE)], "pals")
    check_fits([SrunSettings(EXE)], "slurm")


@pytest.mark.parametrize("cls", [SrunSettings, MpirunSettings, AprunSettings])
def test_mpmd_with_a_colocated_database_is_unsupported(cls: type[RunSettings]) -> None:
    settings = cls("python")
    settings.colocated_db_settings = {"port": 6379, "cpus": 1}  # type: ignore[assignment]
    with pytest.raises(SSUnsupportedError):
        settings.make_mpmd(cls("python"))
