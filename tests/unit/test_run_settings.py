"""Launcher run settings: each setter's flags per launch command, reserved arguments, refused
setters (errors, or warnings with lenient=True), value checks, environment forwarding, MPMD
shapes and create_run_settings with its PATH detection."""

from __future__ import annotations

import logging
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hpcsim.errors import ConfigError, SettingsError
from hpcsim.settings import (
    AprunSettings,
    JsrunSettings,
    MpiexecSettings,
    MpirunSettings,
    OrterunSettings,
    PalsMpiexecSettings,
    RunSettings,
    SrunSettings,
    create_run_settings,
)
from hpcsim.settings.run import LauncherSettings

EXE = sys.executable
LAUNCHERS: list[type[LauncherSettings]] = [
    SrunSettings,
    MpirunSettings,
    OrterunSettings,
    MpiexecSettings,
    PalsMpiexecSettings,
    AprunSettings,
    JsrunSettings,
]
# one valid call per base setter
SAMPLE_ARGS: dict[str, tuple[object, ...]] = {
    "set_nodes": (2,),
    "set_tasks": (4,),
    "set_tasks_per_node": (2,),
    "set_cpus_per_task": (3,),
    "set_memory_per_node": (1024,),
    "set_hostlist": (["n1", "n2"],),
    "set_excluded_hosts": (["n3"],),
    "set_hostlist_from_file": ("/etc/hosts",),
    "set_cpu_bindings": ([0, 2],),
    "set_het_group": ([0, 1],),
    "set_walltime": ("01:00:00",),
    "set_binding": ("core",),
    "set_task_map": ("node",),
    "set_broadcast": (),
    "set_verbose_launch": (),
    "set_quiet_launch": (),
}


@pytest.fixture
def settings_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog that sees ``hpcsim.settings`` from the level it sets."""
    caplog.set_level(logging.WARNING, logger="hpcsim.settings")
    return caplog


# -- each setter's flags ------------------------------------------------------------------------

FLAG_CASES: list[tuple[type[RunSettings], str, tuple[object, ...], list[str]]] = [
    (SrunSettings, "set_nodes", (2,), ["--nodes=2"]),
    (SrunSettings, "set_tasks", (8,), ["--ntasks=8"]),
    (SrunSettings, "set_tasks_per_node", (4,), ["--ntasks-per-node=4"]),
    (SrunSettings, "set_cpus_per_task", (2,), ["--cpus-per-task=2"]),
    (SrunSettings, "set_hostlist", (["n1", "n2"],), ["--nodelist=n1,n2"]),
    (SrunSettings, "set_hostlist", ("n1",), ["--nodelist=n1"]),
    (SrunSettings, "set_hostlist_from_file", ("/tmp/hosts",), ["--nodefile=/tmp/hosts"]),
    (SrunSettings, "set_excluded_hosts", (["n3", "n4"],), ["--exclude=n3,n4"]),
    (SrunSettings, "set_cpu_bindings", ([0, 4, 8],), ["--cpu_bind=map_cpu:0,4,8"]),
    (SrunSettings, "set_cpu_bindings", (3,), ["--cpu_bind=map_cpu:3"]),
    (SrunSettings, "set_memory_per_node", (2048,), ["--mem=2048M"]),
    (SrunSettings, "set_walltime", ("10:00:00",), ["--time=10:00:00"]),
    (SrunSettings, "set_walltime", ("2-00:30:00",), ["--time=2-00:30:00"]),
    (SrunSettings, "set_broadcast", (), ["--bcast"]),
    (SrunSettings, "set_broadcast", ("/tmp/app",), ["--bcast=/tmp/app"]),
    (SrunSettings, "set_het_group", ([0, 1],), ["--het-group=0,1"]),
    (SrunSettings, "set_het_group", (2,), ["--het-group=2"]),
    (SrunSettings, "set_verbose_launch", (True,), ["--verbose"]),
    (SrunSettings, "set_quiet_launch", (True,), ["--quiet"]),
    (MpirunSettings, "set_tasks", (4,), ["-n", "4"]),
    (MpirunSettings, "set_tasks_per_node", (2,), ["--npernode", "2"]),
    (MpirunSettings, "set_cpus_per_task", (3,), ["--cpus-per-proc", "3"]),
    (MpirunSettings, "set_hostlist", (["a", "b"],), ["--host", "a,b"]),
    (MpirunSettings, "set_hostlist_from_file", ("/h",), ["--hostfile", "/h"]),
    (MpirunSettings, "set_walltime", ("01:00:30",), ["--timeout", "3630"]),
    (MpirunSettings, "set_broadcast", (), ["--preload-binary"]),
    (MpirunSettings, "set_task_map", ("ppr:2:node",), ["--map-by", "ppr:2:node"]),
    (MpirunSettings, "set_binding", ("core",), ["--bind-to", "core"]),
    (MpirunSettings, "set_verbose_launch", (), ["--verbose"]),
    (MpirunSettings, "set_quiet_launch", (), ["--quiet"]),
    (OrterunSettings, "set_tasks", (4,), ["-n", "4"]),
    (OrterunSettings, "set_walltime", ("00:02:00",), ["--timeout", "120"]),
    (MpiexecSettings, "set_tasks", (4,), ["-n", "4"]),
    (MpiexecSettings, "set_tasks_per_node", (2,), ["--ppn", "2"]),
    (MpiexecSettings, "set_hostlist", (["a", "b"],), ["--hosts", "a,b"]),
    (MpiexecSettings, "set_hostlist_from_file", ("/h",), ["--hostfile", "/h"]),
    (MpiexecSettings, "set_task_map", ("core",), ["--map-by", "core"]),
    (MpiexecSettings, "set_binding", ("core:2",), ["--bind-to", "core:2"]),
    (MpiexecSettings, "set_verbose_launch", (), ["--verbose"]),
    (PalsMpiexecSettings, "set_tasks", (4,), ["--np", "4"]),
    (PalsMpiexecSettings, "set_tasks_per_node", (2,), ["--ppn", "2"]),
    (PalsMpiexecSettings, "set_hostlist", (["x1", "x2"],), ["--hosts", "x1,x2"]),
    (PalsMpiexecSettings, "set_hostlist_from_file", ("/h",), ["--hostfile", "/h"]),
    (PalsMpiexecSettings, "set_broadcast", (), ["--transfer"]),
    (PalsMpiexecSettings, "set_binding", ("depth",), ["--cpu-bind", "depth"]),
    (PalsMpiexecSettings, "set_verbose_launch", (), ["--verbose"]),
    (AprunSettings, "set_tasks", (4,), ["--pes=4"]),
    (AprunSettings, "set_tasks_per_node", (2,), ["--pes-per-node=2"]),
    (AprunSettings, "set_cpus_per_task", (3,), ["--cpus-per-pe=3"]),
    (AprunSettings, "set_hostlist", (["nid1", "nid2"],), ["--node-list=nid1,nid2"]),
    (AprunSettings, "set_hostlist_from_file", ("/h",), ["--node-list-file=/h"]),
    (AprunSettings, "set_excluded_hosts", (["nid3"],), ["--exclude-node-list=nid3"]),
    (AprunSettings, "set_cpu_bindings", ([0, 1],), ["--cpu-binding=0,1"]),
    (AprunSettings, "set_binding", ("depth",), ["--cpu-binding=depth"]),
    (AprunSettings, "set_memory_per_node", (512,), ["--memory-per-pe=512"]),
    (AprunSettings, "set_walltime", ("00:10:00",), ["--cpu-time-limit=600"]),
    (AprunSettings, "set_verbose_launch", (), ["--debug=7"]),
    (AprunSettings, "set_quiet_launch", (), ["--quiet"]),
    (JsrunSettings, "set_tasks", (4,), ["--np=4"]),
    (JsrunSettings, "set_tasks_per_node", (2,), ["--tasks_per_rs=2"]),
    (JsrunSettings, "set_cpus_per_task", (7,), ["--cpu_per_rs=7"]),
    (JsrunSettings, "set_memory_per_node", (100,), ["--memory_per_rs=100"]),
    (JsrunSettings, "set_binding", ("packed:7",), ["--bind=packed:7"]),
    (JsrunSettings, "set_num_rs", (6,), ["--nrs=6"]),
    (JsrunSettings, "set_num_rs", ("ALL_HOSTS",), ["--nrs=ALL_HOSTS"]),
    (JsrunSettings, "set_rs_per_host", (6,), ["--rs_per_host=6"]),
    (JsrunSettings, "set_tasks_per_rs", (1,), ["--tasks_per_rs=1"]),
    (JsrunSettings, "set_cpus_per_rs", ("ALL_CPUS",), ["--cpu_per_rs=ALL_CPUS"]),
    (JsrunSettings, "set_gpus_per_rs", (0,), ["--gpu_per_rs=0"]),
    (JsrunSettings, "set_gpus_per_rs", ("ALL_GPUS",), ["--gpu_per_rs=ALL_GPUS"]),
    (JsrunSettings, "set_memory_per_rs", (2048,), ["--memory_per_rs=2048"]),
]


@pytest.mark.parametrize(("cls", "setter", "args", "expected"), FLAG_CASES)
def test_setter_sets_exact_flags(
    cls: type[RunSettings], setter: str, args: tuple[object, ...], expected: list[str]
) -> None:
    rs = cls(EXE)
    getattr(rs, setter)(*args)
    assert rs.format_run_args() == expected


@pytest.mark.parametrize("cls", LAUNCHERS)
def test_every_base_setter_maps_to_its_flag_or_refuses(cls: type[LauncherSettings]) -> None:
    for setter, args in SAMPLE_ARGS.items():
        rs = cls(EXE)
        if setter in cls.flags:
            getattr(rs, setter)(*args)
            assert rs.run_args, f"{cls.__name__}.{setter} set nothing"
        elif (cls, setter) != (AprunSettings, "set_broadcast"):
            with pytest.raises(
                SettingsError, match=re.escape(f"{cls.__name__} ({cls.default_command}) cannot honour {setter}: ")
            ):
                getattr(rs, setter)(*args)
            assert rs.run_args == {}


def test_setters_replace_earlier_values_and_switches_turn_off() -> None:
    rs = SrunSettings(EXE)
    rs.set_tasks(2)
    rs.set_tasks(6)
    rs.set_verbose_launch()
    rs.set_verbose_launch(False)
    rs.set_quiet_launch(False)
    assert rs.format_run_args() == ["--ntasks=6"]


def test_aprun_broadcast_is_its_default_and_takes_no_destination() -> None:
    rs = AprunSettings(EXE)
    rs.set_broadcast()
    assert rs.run_args == {}
    with pytest.raises(SettingsError, match="aprun always transfers the executable itself"):
        rs.set_broadcast("/tmp/app")


def test_relative_hostfile_is_taken_from_the_driver_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rs = MpirunSettings(EXE)
    rs.set_hostlist_from_file(Path("hosts"))
    assert rs.format_run_args() == ["--hostfile", str(tmp_path / "hosts")]


def test_command_orders_command_run_args_env_forwarding_exe_and_args() -> None:
    rs = SrunSettings(EXE, exe_args=["-c", "pass"], run_args={"account": "proj", "x": None}, env_vars={"A": "1"})
    rs.set_nodes(2)
    assert rs.command() == ["srun", "--account=proj", "-x", "--nodes=2", "--export=ALL", EXE, "-c", "pass"]


def test_launcher_classes_take_smartsim_positional_order() -> None:
    rs = MpirunSettings(EXE, ["-V"], {"oversubscribe": None}, {"OMP_NUM_THREADS": 2})
    assert rs.command() == ["mpirun", "--oversubscribe", "-x", "OMP_NUM_THREADS", EXE, "-V"]


# -- run command --------------------------------------------------------------------------------


def test_run_command_stays_a_bare_name_even_when_found_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = tmp_path / "srun"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert SrunSettings(EXE).command()[0] == "srun"


def test_run_command_can_be_overridden() -> None:
    rs = AprunSettings(EXE, run_command="/opt/cray/alps/bin/aprun")
    assert rs.command() == ["/opt/cray/alps/bin/aprun", EXE]


@pytest.mark.parametrize("command", ["", "  ", 5])
def test_launcher_run_command_must_be_a_non_empty_string(command: object) -> None:
    with pytest.raises(SettingsError, match="SrunSettings: run_command must be a non-empty string"):
        SrunSettings(EXE, run_command=command)  # type: ignore[arg-type]


# -- reserved arguments -------------------------------------------------------------------------

RESERVED = [
    (SrunSettings, ["chdir", "D", "output", "error", "job-name", "export"]),
    (MpirunSettings, ["wd", "wdir", "x"]),
    (OrterunSettings, ["wd", "wdir", "x"]),
    (MpiexecSettings, ["wdir", "envall", "envlist", "envnone", "genvlist"]),
    (PalsMpiexecSettings, ["wdir", "env", "envlist", "envall"]),
    (AprunSettings, ["wdir"]),
    (JsrunSettings, ["chdir", "stdio_stdout", "stdio_stderr"]),
]


@pytest.mark.parametrize(("cls", "names"), RESERVED)
def test_reserved_run_args_are_refused(cls: type[LauncherSettings], names: list[str]) -> None:
    for name in names:
        expected = re.escape(f"run argument {name!r} is set by hpcsim for {cls.__name__} ({cls.default_command})")
        with pytest.raises(SettingsError, match=expected):
            cls(EXE, run_args={name: "value"})
        with pytest.raises(SettingsError, match=expected):
            cls(EXE).set(f"--{name}", "value")


def test_generic_set_strips_dashes_and_formats_per_launcher() -> None:
    srun, mpirun = SrunSettings(EXE), MpirunSettings(EXE)
    for rs in (srun, mpirun):
        rs.set("--distribution", "block")
        rs.set("-N", 2)
    assert srun.format_run_args() == ["--distribution=block", "-N", "2"]
    assert mpirun.format_run_args() == ["--distribution", "block", "-N", "2"]


# -- refused setters ----------------------------------------------------------------------------

REFUSED = [
    (SrunSettings, "set_binding", ("core",), "set('cpu-bind', 'cores')"),
    (SrunSettings, "set_task_map", ("block",), "set('distribution', 'block:cyclic')"),
    (MpirunSettings, "set_nodes", (2,), "use set_tasks with set_tasks_per_node, or set_hostlist"),
    (MpirunSettings, "set_memory_per_node", (100,), "request it in the batch settings"),
    (MpirunSettings, "set_broadcast", ("/tmp/app",), "takes no destination; call set_broadcast() without one"),
    (MpirunSettings, "set_het_group", ([0],), "heterogeneous job groups exist only in Slurm; use SrunSettings"),
    (MpiexecSettings, "set_cpus_per_task", (2,), "set_binding('core:N')"),
    (MpiexecSettings, "set_walltime", ("00:10:00",), "MPIEXEC_TIMEOUT"),
    (PalsMpiexecSettings, "set_walltime", ("00:10:00",), "PALS has no launch time limit"),
    (PalsMpiexecSettings, "set_cpus_per_task", (2,), "set('depth', N)"),
    (PalsMpiexecSettings, "set_task_map", ("core",), "PALS has no mapping option"),
    (PalsMpiexecSettings, "set_broadcast", ("/tmp/app",), "--transfer copies the executable"),
    (AprunSettings, "set_nodes", (2,), "aprun derives the node count"),
    (JsrunSettings, "set_nodes", (2,), "use set_num_rs with set_rs_per_host"),
    (JsrunSettings, "set_hostlist", ("h1",), "choose hosts at submission"),
    (JsrunSettings, "set_walltime", ("00:10:00",), "bsub -W"),
    (
        JsrunSettings,
        "set_verbose_launch",
        (),
        "hpcsim knows no jsrun flag for it; pass the option with set(name, value)",
    ),
]


@pytest.mark.parametrize(("cls", "setter", "args", "why"), REFUSED)
def test_refused_setter_names_class_command_setter_and_alternative(
    cls: type[LauncherSettings], setter: str, args: tuple[object, ...], why: str
) -> None:
    rs = cls(EXE)
    expected = f"{cls.__name__} ({cls.default_command}) cannot honour {setter}: "
    with pytest.raises(SettingsError, match=re.escape(expected) + ".*" + re.escape(why)):
        getattr(rs, setter)(*args)
    assert rs.run_args == {}


@pytest.mark.parametrize(("cls", "setter", "args", "why"), REFUSED)
def test_lenient_settings_warn_and_do_nothing(
    settings_log: pytest.LogCaptureFixture, cls: type[LauncherSettings], setter: str, args: tuple[object, ...], why: str
) -> None:
    rs = cls(EXE, lenient=True)
    getattr(rs, setter)(*args)
    assert rs.run_args == {}
    [record] = [r for r in settings_log.records if r.name == "hpcsim.settings"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert f"{cls.__name__} ({cls.default_command}) cannot honour {setter}: " in message
    assert why in message
    assert message.endswith("(ignored because lenient=True)")


def test_plain_run_settings_refuse_every_resource_setter() -> None:
    with pytest.raises(
        SettingsError, match=re.escape("RunSettings (no launch command) cannot honour set_tasks: there")
    ):
        RunSettings(EXE).set_tasks(2)
    with pytest.raises(SettingsError, match=re.escape("RunSettings (mympirun) cannot honour set_tasks: hpcsim knows")):
        RunSettings(EXE, run_command="mympirun").set_tasks(2)


def test_plain_run_settings_take_the_one_task_on_one_node_they_already_are() -> None:
    """The Model page's driver asks a local launch for 1 node and 1 task per node."""
    settings = RunSettings(EXE)
    settings.set_nodes(1)
    settings.set_tasks(1)
    settings.set_tasks_per_node(1)
    assert settings.run_args == {}
    for setter in ("set_nodes", "set_tasks", "set_tasks_per_node"):
        with pytest.raises(SettingsError, match=f"cannot honour {setter}: there is no launch command"):
            getattr(RunSettings(EXE), setter)(2)
    with pytest.raises(SettingsError, match="RunSettings \\(mympirun\\) cannot honour set_nodes"):
        RunSettings(EXE, run_command="mympirun").set_nodes(1)


# -- value checks -------------------------------------------------------------------------------

BAD_VALUES = [
    ("set_nodes", (0,), "set_nodes: nodes must be an integer >= 1, got 0"),
    ("set_nodes", (-1,), "set_nodes: nodes must be an integer >= 1, got -1"),
    ("set_nodes", (2.0,), "set_nodes: nodes must be an integer >= 1, got 2.0"),
    ("set_nodes", ("2",), "set_nodes: nodes must be an integer >= 1, got '2'"),
    ("set_tasks", (True,), "set_tasks: tasks must be an integer >= 1, got True"),
    ("set_tasks_per_node", (0,), "set_tasks_per_node: tasks_per_node must be an integer >= 1, got 0"),
    ("set_cpus_per_task", (False,), "set_cpus_per_task: cpus_per_task must be an integer >= 1, got False"),
    ("set_memory_per_node", (0,), "set_memory_per_node: memory_per_node must be an integer >= 1, got 0"),
    ("set_walltime", ("1:2",), "set_walltime: walltime must be 'HH:MM:SS' or 'D-HH:MM:SS', got '1:2'"),
    ("set_walltime", ("10:00",), "walltime must be 'HH:MM:SS' or 'D-HH:MM:SS', got '10:00'"),
    ("set_walltime", (3600,), "walltime must be 'HH:MM:SS' or 'D-HH:MM:SS', got 3600"),
    ("set_walltime", ("aa:bb:cc",), "got 'aa:bb:cc'"),
    ("set_walltime", ("00:61:00",), "walltime '00:61:00' is out of range"),
    ("set_walltime", ("00:00:60",), "walltime '00:00:60' is out of range"),
    ("set_walltime", ("1-24:00:00",), "walltime '1-24:00:00' is out of range"),
    ("set_walltime", ("00:00:00",), "walltime '00:00:00' is out of range: it must be above zero"),
    ("set_cpu_bindings", (-1,), "set_cpu_bindings: cpu_bindings must be an integer >= 0, got -1"),
    ("set_cpu_bindings", ([0, -2],), "cpu_bindings must be an integer >= 0, got -2"),
    ("set_cpu_bindings", ([],), "set_cpu_bindings: expected an integer >= 0 or a non-empty list of them, got []"),
    ("set_cpu_bindings", (["0"],), "cpu_bindings must be an integer >= 0, got '0'"),
    ("set_cpu_bindings", (True,), "expected an integer >= 0 or a non-empty list of them, got True"),
    ("set_het_group", ([],), "set_het_group: expected an integer >= 0 or a non-empty list of them"),
    ("set_hostlist", ("",), "set_hostlist: each host must be one name without whitespace or commas, got ''"),
    ("set_hostlist", ([],), "set_hostlist: expected a host name or a non-empty list of them, got []"),
    ("set_hostlist", (["a b"],), "each host must be one name without whitespace or commas, got 'a b'"),
    ("set_hostlist", ("a,b",), "each host must be one name without whitespace or commas, got 'a,b'"),
    ("set_hostlist", ([1],), "each host must be one name without whitespace or commas, got 1"),
    ("set_excluded_hosts", (None,), "set_excluded_hosts: expected a host name or a non-empty list of them, got None"),
    ("set_hostlist_from_file", ("",), "set_hostlist_from_file: expected a non-empty path, got ''"),
    ("set_hostlist_from_file", (3,), "set_hostlist_from_file: expected a non-empty path, got 3"),
    ("set_binding", ("",), "set_binding: expected a non-empty string without whitespace, got ''"),
    ("set_task_map", ("by node",), "set_task_map: expected a non-empty string without whitespace, got 'by node'"),
    ("set_broadcast", ("",), "set_broadcast: expected a non-empty string without whitespace, got ''"),
    ("set_verbose_launch", ("yes",), "set_verbose_launch: expected True or False, got 'yes'"),
]


@pytest.mark.parametrize(("setter", "args", "message"), BAD_VALUES)
def test_bad_values_are_refused_with_the_argument_and_what_is_expected(
    setter: str, args: tuple[object, ...], message: str
) -> None:
    rs = SrunSettings(EXE)
    with pytest.raises(SettingsError, match=re.escape(message)):
        getattr(rs, setter)(*args)
    assert rs.run_args == {}


def test_bad_values_fail_even_when_lenient_or_unsupported() -> None:
    with pytest.raises(SettingsError, match="set_nodes: nodes must be an integer >= 1, got 0"):
        MpirunSettings(EXE, lenient=True).set_nodes(0)


def test_days_in_a_walltime_only_for_srun() -> None:
    with pytest.raises(SettingsError, match=re.escape("set_walltime: walltime must be 'HH:MM:SS', got '1-00:00:00'")):
        MpirunSettings(EXE).set_walltime("1-00:00:00")


@pytest.mark.parametrize(
    ("setter", "value", "message"),
    [
        ("set_num_rs", "ALL", "set_num_rs: expected an integer >= 1 or 'ALL_HOSTS', got 'ALL'"),
        ("set_num_rs", 0, "set_num_rs: expected an integer >= 1 or 'ALL_HOSTS', got 0"),
        ("set_gpus_per_rs", -1, "set_gpus_per_rs: expected an integer >= 0 or 'ALL_GPUS', got -1"),
        ("set_rs_per_host", True, "set_rs_per_host: expected an integer >= 1, got True"),
        ("set_memory_per_rs", "ALL_CPUS", "set_memory_per_rs: expected an integer >= 1, got 'ALL_CPUS'"),
    ],
)
def test_jsrun_resource_set_values_are_checked(setter: str, value: object, message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        getattr(JsrunSettings(EXE), setter)(value)


# -- environment forwarding ---------------------------------------------------------------------

FORWARDING = [
    (SrunSettings, ["--export=ALL"]),
    (MpirunSettings, ["-x", "A", "-x", "LIST", "-x", "UNSET"]),
    (OrterunSettings, ["-x", "A", "-x", "LIST", "-x", "UNSET"]),
    (MpiexecSettings, ["--envall"]),
    (PalsMpiexecSettings, ["--envall"]),
    (AprunSettings, []),
    (JsrunSettings, ["-E", "A", "-E", "LIST", "-E", "UNSET"]),
]


@pytest.mark.parametrize(("cls", "expected"), FORWARDING)
def test_environment_is_forwarded_by_name_only(cls: type[LauncherSettings], expected: list[str]) -> None:
    rs = cls(EXE, env_vars={"A": 1, "LIST": "x,y=z", "UNSET": None})
    assert rs.env_forward_args() == expected
    command = rs.command()
    assert command[-1 - len(expected) : -1] == expected
    assert not [part for part in command if "x,y" in part]


def test_srun_exports_all_even_without_variables() -> None:
    assert SrunSettings(EXE).command() == ["srun", "--export=ALL", EXE]


def test_names_the_script_exports_besides_env_vars_are_forwarded_once() -> None:
    rs = MpirunSettings(EXE, env_vars={"A": "1"})
    assert rs.env_forward_args(["HPCSIM_DB", "A"]) == ["-x", "A", "-x", "HPCSIM_DB"]
    assert rs.command(["HPCSIM_DB"]) == ["mpirun", "-x", "A", "-x", "HPCSIM_DB", EXE]
    with pytest.raises(SettingsError, match=re.escape("environment variable name 'BAD-NAME' is invalid")):
        rs.env_forward_args(["BAD-NAME"])


def test_plain_commands_forward_nothing() -> None:
    assert RunSettings(EXE, run_command="custom", env_vars={"A": "1"}).command() == ["custom", EXE]


# -- MPMD ---------------------------------------------------------------------------------------

MPMD_SHAPES = [
    (SrunSettings, ["srun", "--ntasks=1", "--export=ALL", "P1", "a", ":", "--ntasks=2", "--export=ALL", "P2", "b"]),
    (MpirunSettings, ["mpirun", "-n", "1", "-x", "A", "P1", "a", ":", "-n", "2", "-x", "A", "P2", "b"]),
    (MpiexecSettings, ["mpiexec", "-n", "1", "--envall", "P1", "a", ":", "-n", "2", "--envall", "P2", "b"]),
    (PalsMpiexecSettings, ["mpiexec", "--np", "1", "--envall", "P1", "a", ":", "--np", "2", "--envall", "P2", "b"]),
    (AprunSettings, ["aprun", "--pes=1", "P1", "a", ":", "--pes=2", "P2", "b"]),
]


@pytest.mark.parametrize(("cls", "expected"), MPMD_SHAPES)
def test_mpmd_command_shape(cls: type[LauncherSettings], expected: list[str]) -> None:
    first, second = cls(EXE, ["a"], env_vars={"A": "1"}), cls("sh", ["b"])
    first.set_tasks(1)
    second.set_tasks(2)
    first.make_mpmd(second)
    assert first.command() == [{"P1": first.exe, "P2": second.exe}.get(part, part) for part in expected]


def test_mpmd_partners_are_flattened_in_order() -> None:
    a, b, c = SrunSettings(EXE, ["a"]), SrunSettings(EXE, ["b"]), SrunSettings(EXE, ["c"])
    b.make_mpmd(c)
    a.make_mpmd(b)
    assert a.mpmd == [b, c]
    assert a.command().count(":") == 2
    assert [a.command()[i + 1] for i, part in enumerate(a.command()) if part == EXE] == ["a", "b", "c"]


def test_mpmd_environment_is_merged_and_must_agree() -> None:
    a, b = MpirunSettings(EXE, env_vars={"A": "1"}), MpirunSettings(EXE, env_vars={"B": "2", "A": "1"})
    a.make_mpmd(b)
    assert a.launch_env() == {"A": "1", "B": "2"}
    b.update_env({"A": "other"})
    with pytest.raises(SettingsError, match=re.escape("MPMD programs set A to '1' and 'other'; the launch script")):
        a.command()
    with pytest.raises(SettingsError, match="MPMD programs set A"):
        MpirunSettings(EXE, env_vars={"A": "1"}).make_mpmd(MpirunSettings(EXE, env_vars={"A": "2"}))


def test_mpmd_with_jsrun_is_refused_even_when_lenient() -> None:
    rs = JsrunSettings(EXE, lenient=True)
    expected = "JsrunSettings (jsrun) cannot honour make_mpmd: MPMD with jsrun needs an ERF file; not supported"
    with pytest.raises(SettingsError, match=re.escape(expected)):
        rs.make_mpmd(JsrunSettings(EXE))
    assert rs.mpmd == []


def test_mpmd_with_plain_settings_is_refused() -> None:
    with pytest.raises(SettingsError, match=re.escape("RunSettings (mpirun) cannot honour make_mpmd: this launch")):
        RunSettings(EXE, run_command="mpirun").make_mpmd(RunSettings(EXE, run_command="mpirun"))


def test_mpmd_needs_another_settings_of_the_same_class() -> None:
    rs = SrunSettings(EXE)
    with pytest.raises(SettingsError, match="make_mpmd needs another SrunSettings, got MpirunSettings"):
        rs.make_mpmd(MpirunSettings(EXE))  # type: ignore[arg-type]
    with pytest.raises(
        SettingsError, match=re.escape("make_mpmd needs another SrunSettings, got SrunSettings (the same")
    ):
        rs.make_mpmd(rs)


@pytest.mark.parametrize("colocated", ["first", "second"])
def test_mpmd_with_a_colocated_database_is_refused(colocated: str) -> None:
    first, second = SrunSettings(EXE), SrunSettings(EXE)
    (first if colocated == "first" else second).colocated_db_settings = {"port": 6780}
    with pytest.raises(SettingsError, match="MPMD with a colocated database is not supported"):
        first.make_mpmd(second)


def test_colocating_after_make_mpmd_fails_when_the_command_is_built() -> None:
    first, second = AprunSettings(EXE), AprunSettings(EXE)
    first.make_mpmd(second)
    second.colocated_db_settings = {"port": 6780}
    with pytest.raises(SettingsError, match="MPMD with a colocated database is not supported"):
        first.command()


def test_repr_shows_the_command_or_why_it_cannot_be_built() -> None:
    first, second = MpirunSettings(EXE, env_vars={"A": "1"}), MpirunSettings(EXE)
    first.make_mpmd(second)
    assert repr(second) == f"MpirunSettings('mpirun {EXE}')"
    second.update_env({"A": "2"})
    assert repr(first).startswith("MpirunSettings(\"invalid: MPMD programs set A to '1' and '2'")


def test_srun_mpmd_refuses_het_groups() -> None:
    first, second = SrunSettings(EXE), SrunSettings(EXE)
    second.set_het_group([1])
    with pytest.raises(SettingsError, match="MPMD cannot be combined with set_het_group"):
        first.make_mpmd(second)


# -- create_run_settings ------------------------------------------------------------------------


@pytest.fixture
def path_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make PATH hold only stub launch commands with the given names."""

    def make(*names: str) -> None:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        for name in names:
            stub = bin_dir / name
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)
        monkeypatch.setenv("PATH", str(bin_dir))

    return make


@pytest.mark.parametrize(
    ("launcher", "on_path", "cls", "command"),
    [
        ("slurm", ["srun", "mpirun", "mpiexec"], SrunSettings, "srun"),
        ("slurm", ["mpirun", "mpiexec"], MpirunSettings, "mpirun"),
        ("slurm", ["mpiexec"], MpiexecSettings, "mpiexec"),
        ("slurm", [], SrunSettings, "srun"),
        ("pbs", ["aprun", "mpirun", "mpiexec"], AprunSettings, "aprun"),
        ("pbs", ["mpirun", "mpiexec"], MpirunSettings, "mpirun"),
        ("pbs", ["mpiexec"], MpiexecSettings, "mpiexec"),
        ("pbs", [], MpiexecSettings, "mpiexec"),
        ("lsf", ["jsrun", "mpirun"], JsrunSettings, "jsrun"),
        ("lsf", ["mpiexec"], MpiexecSettings, "mpiexec"),
        ("lsf", [], JsrunSettings, "jsrun"),
        ("SLURM", ["srun"], SrunSettings, "srun"),
    ],
)
def test_auto_picks_the_first_command_on_path_or_the_schedulers_own(
    path_with: Callable[..., None], launcher: str, on_path: list[str], cls: type[RunSettings], command: str
) -> None:
    path_with(*on_path)
    rs = create_run_settings(launcher, EXE, exe_args="-V", env_vars={"A": 1})
    assert type(rs) is cls
    # run_command reads as the path PATH gives (as SmartSim's); the script runs it as given
    assert rs.run_command == (shutil.which(command) or command)
    assert rs.command()[0] == command
    assert (rs.exe_args, rs.env_vars) == (["-V"], {"A": "1"})


def test_local_launcher_runs_directly_even_with_launch_commands_on_path(path_with: Callable[..., None]) -> None:
    path_with("srun", "mpirun")
    rs = create_run_settings("local", EXE)
    assert type(rs) is RunSettings
    assert rs.command() == [EXE]


@pytest.mark.parametrize(
    ("command", "cls"),
    [
        ("srun", SrunSettings),
        ("mpirun", MpirunSettings),
        ("mpiexec", MpiexecSettings),
        ("orterun", OrterunSettings),
        ("aprun", AprunSettings),
        ("jsrun", JsrunSettings),
        ("/opt/cray/pe/pals/bin/mpiexec", MpiexecSettings),
    ],
)
def test_known_commands_map_to_their_class_whatever_is_on_path(
    path_with: Callable[..., None], command: str, cls: type[RunSettings]
) -> None:
    path_with()
    # a scheduler launcher: under "local" the command must exist on this host (issue 19)
    rs = create_run_settings("slurm", EXE, run_command=command, run_args={"verbose": None}, lenient=True)
    assert type(rs) is cls
    assert (rs.run_command, rs.lenient, rs.command()[0]) == (command, True, command)


@pytest.mark.parametrize("command", ["", None])
def test_empty_run_command_runs_the_executable_directly(command: str | None) -> None:
    rs = create_run_settings("slurm", EXE, exe_args=["-V"], run_command=command)
    assert type(rs) is RunSettings
    assert rs.command() == [EXE, "-V"]


def test_unknown_command_gives_plain_settings_with_that_literal_command() -> None:
    rs = create_run_settings("pbs", EXE, run_command="my-launcher", run_args={"np": 2})
    assert type(rs) is RunSettings
    assert rs.command() == ["my-launcher", "-np", "2", EXE]  # SmartSim's literal form


def test_factory_checks_run_args_like_the_class() -> None:
    with pytest.raises(SettingsError, match="run argument 'chdir' is set by hpcsim for SrunSettings"):
        create_run_settings("slurm", EXE, run_command="srun", run_args={"chdir": "/tmp"})


@pytest.mark.parametrize("launcher", ["cobalt", "", None])  # "auto" is detected, as SmartSim does
def test_unknown_launcher_lists_the_valid_ones(launcher: object) -> None:
    with pytest.raises(
        ConfigError, match=re.escape(f"unknown launcher {launcher!r}; choose one of local, lsf, pbs, sge, slurm")
    ):
        create_run_settings(launcher, EXE)  # type: ignore[arg-type]
