"""More of SmartSim 0.8's settings API, as drivers use it: SmartSim's module paths, its parameter
names (checked against a table of SmartSim 0.8.0's signatures), the setters hpcsim lacked
(batch host lists, LSF expert mode and tasks, Grid Engine's shebang, context variables,
hyperthreading, memory and threads per slot, PALS' GPU affinity script), and wrong-type inputs
to the factories. Cases follow SmartSim's tests/test_batch_settings.py, test_slurm_settings.py,
test_pbs_settings.py, test_lsf_settings.py, test_sge_batch_settings.py and test_pals_settings.py;
where hpcsim is stricter, the error is one SmartSim users already catch."""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment
from hpcsim.error import LauncherUnsupportedFeature, SSConfigError, SSUnsupportedError
from hpcsim.errors import SettingsError, SettingsTypeError
from hpcsim.settings import (
    AprunSettings,
    BatchSettings,
    BsubBatchSettings,
    JsrunSettings,
    MpiexecSettings,
    MpirunSettings,
    OrterunSettings,
    PalsMpiexecSettings,
    QsubBatchSettings,
    RunSettings,
    SbatchSettings,
    SgeQsubBatchSettings,
    SrunSettings,
)
from hpcsim.settings.settings import create_batch_settings, create_run_settings

EXE = sys.executable

# -- SmartSim 0.8.0's signatures ---------------------------------------------------------------
# Public methods of smartsim/settings/*.py at v0.8.0, parameters after ``self``: "name=" has a
# default, "*args" is a star parameter, PROPERTY a property. __init__ lists the parameters
# before SmartSim's **kwargs.

PROPERTY = "PROPERTY"
SmartSimSignature = tuple[str, ...] | str

SMARTSIM_RUN_SETTINGS: dict[str, SmartSimSignature] = {
    "add_exe_args": ("args",),
    "env_vars": PROPERTY,
    "exe_args": PROPERTY,
    "format_env_vars": (),
    "format_run_args": (),
    "make_mpmd": ("settings",),
    "run_args": PROPERTY,
    "run_command": PROPERTY,
    "set": ("arg", "value=", "condition="),
    "set_binding": ("binding",),
    "set_broadcast": ("dest_path=",),
    "set_cpu_bindings": ("bindings",),
    "set_cpus_per_task": ("cpus_per_task",),
    "set_excluded_hosts": ("host_list",),
    "set_hostlist": ("host_list",),
    "set_hostlist_from_file": ("file_path",),
    "set_memory_per_node": ("memory_per_node",),
    "set_mpmd_preamble": ("preamble_lines",),
    "set_node_feature": ("feature_list",),
    "set_nodes": ("nodes",),
    "set_quiet_launch": ("quiet",),
    "set_task_map": ("task_mapping",),
    "set_tasks": ("tasks",),
    "set_tasks_per_node": ("tasks_per_node",),
    "set_time": ("hours=", "minutes=", "seconds="),
    "set_verbose_launch": ("verbose",),
    "set_walltime": ("walltime",),
    "update_env": ("env_vars",),
}
SMARTSIM_BATCH_SETTINGS: dict[str, SmartSimSignature] = {
    "add_preamble": ("lines",),
    "batch_args": PROPERTY,
    "batch_cmd": PROPERTY,
    "format_batch_args": (),
    "preamble": PROPERTY,
    "set_account": ("account",),
    "set_batch_command": ("command",),
    "set_hostlist": ("host_list",),
    "set_nodes": ("num_nodes",),
    "set_queue": ("queue",),
    "set_walltime": ("walltime",),
}
_MPI = {"set_cpu_binding_type": ("bind_type",)}
#: per class: the methods it adds to (or declares again over) its base's
SMARTSIM_CLASSES: dict[type, dict[str, SmartSimSignature]] = {
    RunSettings: {"__init__": ("exe", "exe_args=", "run_command=", "run_args=", "env_vars=", "container=")},
    SrunSettings: {
        "__init__": ("exe", "exe_args=", "run_args=", "env_vars=", "alloc="),
        "set_het_group": ("het_group",),
        "check_env_vars": (),
        "format_comma_sep_env_vars": (),
    },
    MpirunSettings: {"__init__": ("exe", "exe_args=", "run_args=", "env_vars="), **_MPI},
    MpiexecSettings: {"__init__": ("exe", "exe_args=", "run_args=", "env_vars="), **_MPI},
    OrterunSettings: {"__init__": ("exe", "exe_args=", "run_args=", "env_vars="), **_MPI},
    PalsMpiexecSettings: {
        "__init__": ("exe", "exe_args=", "run_args=", "env_vars=", "fail_if_missing_exec="),
        **_MPI,
        "set_gpu_affinity_script": ("affinity", "*args"),
    },
    AprunSettings: {"__init__": ("exe", "exe_args=", "run_args=", "env_vars=")},
    JsrunSettings: {
        "__init__": ("exe", "exe_args=", "run_args=", "env_vars="),
        "set_num_rs": ("num_rs",),
        "set_cpus_per_rs": ("cpus_per_rs",),
        "set_gpus_per_rs": ("gpus_per_rs",),
        "set_rs_per_host": ("rs_per_host",),
        "set_tasks_per_rs": ("tasks_per_rs",),
        "set_memory_per_rs": ("memory_per_rs",),
        "set_erf_sets": ("erf_sets",),
        "set_individual_output": ("suffix=",),
    },
    BatchSettings: {"__init__": ("batch_cmd", "batch_args=")},
    SbatchSettings: {
        "__init__": ("nodes=", "time=", "account=", "batch_args="),
        "set_cpus_per_task": ("cpus_per_task",),
        "set_partition": ("partition",),
    },
    QsubBatchSettings: {
        "__init__": ("nodes=", "ncpus=", "time=", "queue=", "account=", "resources=", "batch_args="),
        "resources": PROPERTY,
        "set_ncpus": ("num_cpus",),
        "set_resource": ("resource_name", "value"),
    },
    BsubBatchSettings: {
        "__init__": ("nodes=", "time=", "project=", "batch_args=", "smts="),
        "set_smts": ("smts",),
        "set_project": ("project",),
        "set_expert_mode_req": ("res_req", "slots"),
        "set_tasks": ("tasks",),
    },
    SgeQsubBatchSettings: {
        "__init__": ("time=", "ncpus=", "pe_type=", "account=", "shebang=", "resources=", "batch_args="),
        "resources": PROPERTY,
        "set_shebang": ("shebang",),
        "set_ncpus": ("num_cpus",),
        "set_ngpus": ("num_gpus",),
        "set_project": ("project",),
        "update_context_variables": ("action", "var_name", "value="),
        "set_hyperthreading": ("enable=",),
        "set_memory_per_pe": ("memory_spec",),
        "set_pe_type": ("pe_type",),
        "set_threads_per_pe": ("threads_per_core",),
        "set_resource": ("resource_name", "value"),
    },
}
SMARTSIM_FUNCTIONS: dict[str, SmartSimSignature] = {
    "create_batch_settings": ("launcher", "nodes=", "time=", "queue=", "account=", "batch_args="),
    "create_run_settings": (
        "launcher",
        "exe",
        "exe_args=",
        "run_command=",
        "run_args=",
        "env_vars=",
        "container=",
    ),
}


def _smartsim_signatures() -> list[tuple[str, Any, str, SmartSimSignature]]:
    cases: list[tuple[str, Any, str, SmartSimSignature]] = []
    for cls, own in SMARTSIM_CLASSES.items():
        common = SMARTSIM_BATCH_SETTINGS if issubclass(cls, BatchSettings) else SMARTSIM_RUN_SETTINGS
        for name, params in {**common, **own}.items():
            cases.append((f"{cls.__name__}.{name}", cls, name, params))
    module = importlib.import_module("hpcsim.settings.settings")
    cases += [(name, module, name, params) for name, params in SMARTSIM_FUNCTIONS.items()]
    return cases


def _check_binds(where: str, target: Any, smartsim: tuple[str, ...], skip_self: bool) -> None:
    """SmartSim's parameters lead hpcsim's in the same order and kind, so every SmartSim call
    binds the same way; whatever hpcsim adds after them has a default."""
    params = list(inspect.signature(target).parameters.values())[1 if skip_self else 0 :]
    for index, expected in enumerate(smartsim):
        assert index < len(params), f"{where}: hpcsim lacks SmartSim's parameter {expected!r}"
        param = params[index]
        if expected.startswith("*"):
            assert param.kind is param.VAR_POSITIONAL, f"{where}: {param.name} where SmartSim has {expected}"
            continue
        name = expected.rstrip("=")
        assert param.name == name, f"{where}: parameter {index + 1} is {param.name!r}, SmartSim's is {name!r}"
        assert param.kind is param.POSITIONAL_OR_KEYWORD, f"{where}: {name} must be positional or keyword"
        if expected.endswith("="):
            assert param.default is not param.empty, f"{where}: {name} needs a default, as in SmartSim"
    for param in params[len(smartsim) :]:
        assert param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or param.default is not param.empty, (
            f"{where}: hpcsim's extra parameter {param.name!r} needs a default"
        )


@pytest.mark.parametrize(
    ("where", "owner", "name", "smartsim"),
    [pytest.param(*case, id=case[0]) for case in _smartsim_signatures()],
)
def test_smartsim_signatures(where: str, owner: Any, name: str, smartsim: SmartSimSignature) -> None:
    assert hasattr(owner, name), f"{where} is missing"
    if smartsim == PROPERTY:
        assert isinstance(inspect.getattr_static(owner, name), property), f"{where} must be a property"
        return
    assert isinstance(smartsim, tuple)
    if name == "__init__":
        _check_binds(where, owner, smartsim, skip_self=False)
    else:
        _check_binds(where, getattr(owner, name), smartsim, skip_self=inspect.isclass(owner))


# -- SmartSim's module paths -------------------------------------------------------------------


def test_settings_settings_is_smartsims_factory_module() -> None:
    import hpcsim.settings as package

    assert create_batch_settings is package.create_batch_settings
    assert create_run_settings is package.create_run_settings
    assert isinstance(create_batch_settings("slurm", nodes=1), SbatchSettings)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("slurmSettings", {"SrunSettings": SrunSettings, "SbatchSettings": SbatchSettings}),
        ("pbsSettings", {"QsubBatchSettings": QsubBatchSettings}),
        ("lsfSettings", {"BsubBatchSettings": BsubBatchSettings, "JsrunSettings": JsrunSettings}),
        ("sgeSettings", {"SgeQsubBatchSettings": SgeQsubBatchSettings}),
        ("palsSettings", {"PalsMpiexecSettings": PalsMpiexecSettings}),
        ("alpsSettings", {"AprunSettings": AprunSettings}),
        ("mpiSettings", {"MpirunSettings": MpirunSettings, "MpiexecSettings": MpiexecSettings}),
        ("base", {"RunSettings": RunSettings, "BatchSettings": BatchSettings}),
    ],
)
def test_smartsim_module_paths(module: str, names: dict[str, type]) -> None:
    imported = importlib.import_module(f"hpcsim.settings.{module}")
    for name, cls in names.items():
        assert getattr(imported, name) is cls


def test_mpi_settings_base_and_loggers() -> None:
    from hpcsim.settings.base import logger as base_logger
    from hpcsim.settings.mpiSettings import _BaseMPISettings, logger

    assert all(issubclass(cls, _BaseMPISettings) for cls in (MpirunSettings, MpiexecSettings, PalsMpiexecSettings))
    assert logger is base_logger is logging.getLogger("hpcsim.settings")


def test_containers_and_dragon_modules_refuse() -> None:
    from hpcsim.settings.containers import Singularity
    from hpcsim.settings.dragonRunSettings import DragonRunSettings

    with pytest.raises(SSUnsupportedError):
        Singularity("image.sif")
    with pytest.raises(SSUnsupportedError):
        DragonRunSettings(EXE)


# -- SmartSim's keyword names, positional calls unchanged -------------------------------------


def test_batch_setters_take_smartsims_keywords() -> None:
    sbatch = SbatchSettings()
    sbatch.set_nodes(num_nodes=5)
    sbatch.set_cpus_per_task(cpus_per_task=4)
    assert sbatch.format_batch_args() == ["--nodes=5", "--cpus-per-task=4"]

    qsub = QsubBatchSettings()
    qsub.set_nodes(num_nodes=10)
    qsub.set_ncpus(num_cpus=36)
    qsub.set_ngpus(num_gpus=4)
    qsub.set_resource(resource_name="place", value="scatter")
    assert qsub.format_batch_args() == ["-l select=10:ncpus=36:ngpus=4", "-l place=scatter"]

    sge = SgeQsubBatchSettings()
    sge.set_nodes(num_nodes=1)
    sge.set_ncpus(num_cpus=8)
    sge.set_pe_type("mpi")
    sge.set_ngpus(num_gpus=2)
    sge.set_resource(resource_name="h_vmem", value="4G")
    assert sge.format_batch_args() == ["-pe mpi 8", "-l gpu=2", "-l h_vmem=4G"]


def test_positional_setters_still_work() -> None:
    qsub = QsubBatchSettings()
    qsub.set_nodes(2)
    qsub.set_ncpus(4)
    qsub.set_resource("place", "pack")
    assert qsub.format_batch_args() == ["-l select=2:ncpus=4", "-l place=pack"]


def test_smartsim_positional_constructors() -> None:
    sbatch = SbatchSettings(1, "10:00:00", "A3123", {"exclusive": None})
    assert sbatch.format_batch_args() == ["--nodes=1", "--time=10:00:00", "--account=A3123", "--exclusive"]

    bsub = BsubBatchSettings(1, "10:00:00", "A3123", {"core_isolation": None}, 4)
    assert bsub.format_batch_args() == ["-nnodes 1", "-W 10:00", "-P A3123", "-alloc_flags smt4", "-core_isolation"]

    qsub = QsubBatchSettings(10, 36, "01:00:00", "debug", "acct", {"place": "scatter"}, {"m": "abe"})
    assert qsub.format_batch_args() == [
        "-l select=10:ncpus=36",
        "-l walltime=01:00:00",
        "-l place=scatter",
        "-q debug",
        "-A acct",
        "-m abe",
    ]

    sge = SgeQsubBatchSettings("01:00:00", 8, "mpi", "acct", "#!/bin/bash -l", {"gpu": 1}, {"notify": None})
    assert sge.shebang == "#!/bin/bash -l"
    assert sge.format_batch_args() == ["-pe mpi 8", "-l h_rt=01:00:00", "-l gpu=1", "-A acct", "-notify"]

    assert BatchSettings("sbatch", {"exclusive": None}).batch_args == {"exclusive": None}


def test_smartsims_queue_and_account_keywords() -> None:
    assert SbatchSettings(queue="debug").format_batch_args() == ["--partition=debug"]
    assert BsubBatchSettings(account="proj").format_batch_args() == ["-P proj"]
    with pytest.raises(SettingsError, match="not both"):
        SbatchSettings(queue="debug", partition="batch")
    with pytest.raises(SettingsError, match="not both"):
        BsubBatchSettings(project="a", account="b")


def test_run_settings_positional_constructors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    srun = SrunSettings(EXE, ["-c", "pass"], {"nodes": 1}, {"A": "1"}, None)
    assert (srun.alloc, srun.format_run_args()) == (None, ["--nodes=1"])
    plain = RunSettings(EXE, None, "", None, None, None)
    assert plain.command() == [EXE]
    pals = PalsMpiexecSettings(EXE, None, None, None, False)
    assert pals.run_command is not None


def test_container_none_is_accepted_and_a_container_refused() -> None:
    assert RunSettings(EXE, container=None).exe == EXE
    assert SrunSettings(EXE, container=None).exe == EXE
    for make in (lambda: RunSettings(EXE, container="image.sif"), lambda: SrunSettings(EXE, container="x")):
        with pytest.raises(SSUnsupportedError, match="hpcsim runs no containers"):
            make()


# -- srun's alloc -----------------------------------------------------------------------------


def test_srun_alloc_may_name_the_allocation_the_driver_runs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURM_JOB_ID", "4242")
    assert SrunSettings(EXE, alloc="4242").alloc == "4242"
    assert SrunSettings(EXE, alloc=4242).alloc == "4242"
    with pytest.raises(SSUnsupportedError, match="does not launch into another Slurm job"):
        SrunSettings(EXE, alloc="1")


def test_srun_alloc_outside_an_allocation_and_of_the_wrong_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with pytest.raises(SSUnsupportedError, match="runs in no Slurm allocation"):
        SrunSettings(EXE, alloc="12345")
    with pytest.raises(TypeError, match="alloc must be a Slurm job id"):
        SrunSettings(EXE, alloc=["12345"])  # type: ignore[arg-type]


# -- batch host lists --------------------------------------------------------------------------


def test_sbatch_hostlist() -> None:
    sbatch = SbatchSettings(nodes=2)
    sbatch.set_hostlist(["node1", "node2"])
    assert sbatch.batch_args["nodelist"] == "node1,node2"
    assert sbatch.format_batch_args() == ["--nodes=2", "--nodelist=node1,node2"]
    sbatch.set_hostlist(" node3 ")
    assert sbatch.format_batch_args()[-1] == "--nodelist=node3"


@pytest.mark.parametrize("cls", [SbatchSettings, QsubBatchSettings, BsubBatchSettings])
def test_batch_hostlist_checks_its_input(cls: type[BatchSettings]) -> None:
    for bad_type in (5, [1, 2], None, {"node1": 1}):
        with pytest.raises(TypeError):
            cls().set_hostlist(bad_type)  # type: ignore[arg-type]
    for bad_name in (["node 1"], ["a,b"], ["n'1"], ["n$1"], []):
        with pytest.raises(ValueError):
            cls().set_hostlist(bad_name)


def test_qsub_hostlist_asks_for_one_chunk_on_each_host() -> None:
    qsub = QsubBatchSettings(ncpus=36, ngpus=4)
    qsub.set_hostlist(["x1001", "x1002"])
    assert qsub.nodes == 2
    assert qsub.format_batch_args()[0] == "-l select=1:ncpus=36:ngpus=4:host=x1001+1:ncpus=36:ngpus=4:host=x1002"
    qsub.set_nodes(3)
    with pytest.raises(SSConfigError, match="give as many hosts as nodes"):
        qsub.format_batch_args()


def test_bsub_hostlist_and_tasks_as_smartsims() -> None:
    bsub = BsubBatchSettings(batch_args={"alloc_flags": "gpumps"})
    bsub.set_nodes(5)
    bsub.set_project("A3531")
    bsub.set_walltime("10:00:00")
    bsub.set_hostlist(["node1", "node2", "node5"])
    bsub.set_tasks(5)
    assert bsub.format_batch_args() == [
        "-nnodes 5",
        "-W 10:00",
        "-P A3531",
        '-m "node1 node2 node5"',
        "-n 5",
        "-alloc_flags gpumps",
    ]
    bsub.set_hostlist("node7")
    assert "-m node7" in bsub.format_batch_args()
    with pytest.raises(TypeError):
        bsub.set_tasks("5")  # type: ignore[arg-type]


def test_sge_refuses_a_hostlist_as_smartsim_does() -> None:
    with pytest.raises(LauncherUnsupportedFeature, match="do not name hosts"):
        SgeQsubBatchSettings().set_hostlist(["node1"])
    with pytest.raises(SSUnsupportedError):
        SgeQsubBatchSettings().set_hostlist("node1")


def test_hosts_reach_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bsub = BsubBatchSettings(nodes=2)
    bsub.set_hostlist(["a1", "a2"])
    text = _render(tmp_path / "lsf", "lsf", bsub)
    assert '#BSUB -m "a1 a2"\n' in text
    sbatch = SbatchSettings(nodes=2)
    sbatch.set_hostlist(["n1", "n2"])
    assert "#SBATCH --nodelist=n1,n2\n" in _render(tmp_path / "slurm", "slurm", sbatch)


# -- LSF expert mode ---------------------------------------------------------------------------

REQ = "1*{select[LN]span[hosts=1]}+42*{select[CN&&(type==any)]span[ptile=42]}"


def test_bsub_expert_mode_replaces_the_easy_mode_requests() -> None:
    bsub = BsubBatchSettings(nodes=2, time="01:00:00", project="p1", batch_args={"ln_slots": 1, "G": "grp"})
    bsub.set_expert_mode_req(REQ, 43)
    assert bsub.expert_mode
    assert bsub.format_batch_args() == ["-W 01:00", "-P p1", "-n 43", "-csm y", f"-R {REQ}", "-G grp"]


def test_bsub_expert_mode_checks_what_reaches_the_directive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="cannot go into a batch directive"):
        BsubBatchSettings().set_expert_mode_req("select[mem>100] rusage[mem=100]", 4)
    with pytest.raises(TypeError):
        BsubBatchSettings().set_expert_mode_req(REQ, "4")  # type: ignore[arg-type]
    bsub = BsubBatchSettings()
    bsub.set_expert_mode_req(REQ, 43)
    text = _render(tmp_path, "lsf", bsub)
    assert "#BSUB -csm y\n" in text and f"#BSUB -R {REQ}\n" in text and "-nnodes" not in text


# -- Grid Engine (tests/test_sge_batch_settings.py) ------------------------------------------


@pytest.mark.parametrize("pe_type", ["mpi", "smp"])
def test_sge_pe_config(pe_type: str) -> None:
    assert SgeQsubBatchSettings(ncpus=8, pe_type=pe_type).format_batch_args() == [f"-pe {pe_type} 8"]


def test_sge_walltime_ngpus_account_project() -> None:
    assert SgeQsubBatchSettings(time="01:00:00").format_batch_args() == ["-l h_rt=01:00:00"]
    settings = SgeQsubBatchSettings()
    settings.set_ngpus(1)
    assert settings.format_batch_args() == ["-l gpu=1"]
    assert SgeQsubBatchSettings(account="foo").format_batch_args() == ["-A foo"]
    settings = SgeQsubBatchSettings()
    settings.set_project("foo")
    assert settings.format_batch_args() == ["-P foo"]


def test_sge_update_context_variables() -> None:
    settings = SgeQsubBatchSettings()
    settings.update_context_variables("ac", "foo")
    settings.update_context_variables("sc", "foo", "bar")
    settings.update_context_variables("dc", "foo")
    assert settings.format_batch_args() == ["-ac foo", "-sc foo=bar", "-dc foo"]


def test_sge_context_variables_follow_the_parallel_environment() -> None:
    settings = SgeQsubBatchSettings(time="00:10:00", ncpus=4, pe_type="smp")
    settings.update_context_variables("sc", "stage", 2)
    assert settings.format_batch_args() == ["-pe smp 4", "-sc stage=2", "-l h_rt=00:10:00"]


def test_sge_invalid_context_variable_updates() -> None:
    settings = SgeQsubBatchSettings()
    with pytest.raises(SSConfigError, match="takes no value"):
        settings.update_context_variables("dc", "foo", "bar")
    with pytest.raises(ValueError, match="'ac', 'sc' or 'dc'"):
        settings.update_context_variables("xc", "foo")
    with pytest.raises(ValueError, match="must not hold"):
        settings.update_context_variables("sc", "a,b", "1")
    with pytest.raises(ValueError, match="qsub would read a second variable"):
        settings.update_context_variables("sc", "a", "1,b=2")
    with pytest.raises(ValueError, match="cannot go into a batch directive"):
        settings.update_context_variables("sc", "a", "x y")
    with pytest.raises(TypeError):
        settings.update_context_variables("sc", 5, "x")  # type: ignore[arg-type]
    assert settings.format_batch_args() == []


@pytest.mark.parametrize("enable", [True, False])
def test_sge_set_hyperthreading(enable: bool) -> None:
    settings = SgeQsubBatchSettings()
    settings.set_hyperthreading(enable)
    assert settings.format_batch_args() == [f"-l threads={int(enable)}"]


def test_sge_default_set_hyperthreading() -> None:
    settings = SgeQsubBatchSettings()
    settings.set_hyperthreading()
    assert settings.format_batch_args() == ["-l threads=1"]
    with pytest.raises(TypeError):
        settings.set_hyperthreading("yes")  # type: ignore[arg-type]


def test_sge_memory_and_threads_per_pe() -> None:
    settings = SgeQsubBatchSettings()
    settings.set_memory_per_pe("2G")
    settings.set_threads_per_pe(4)
    assert settings.resources == {"mem": "2G"}
    assert settings.format_batch_args() == ["-l mem=2G", "-v OMP_NUM_THREADS=4"]
    with pytest.raises(ValueError):
        settings.set_memory_per_pe("2 G")
    with pytest.raises(TypeError):
        settings.set_threads_per_pe("4")  # type: ignore[arg-type]


def test_sge_resources_is_a_copy() -> None:
    settings = SgeQsubBatchSettings(resources={"h_vmem": "4G"})
    resources = settings.resources
    resources["h_vmem"] = "8G"
    assert settings.resources == {"h_vmem": "4G"}


def test_sge_resources_not_set_on_error() -> None:
    settings = SgeQsubBatchSettings(resources={"h_vmem": "4G"})
    unaltered = settings.resources
    with pytest.raises(TypeError):
        settings.resources = {"meep": Exception}  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        settings.resources = ["meep"]  # type: ignore[assignment]
    with pytest.raises(ValueError, match="has its own setting"):
        settings.resources = {"h_rt": "01:00:00"}
    assert settings.resources == unaltered


@pytest.mark.parametrize(
    "shebang", ["#!/bin/bash", "#!/bin/bash -l", "#!/bin/bash --login", "#!/usr/bin/bash", "#!/usr/bin/env bash"]
)
def test_sge_takes_bash_shebangs(shebang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = SgeQsubBatchSettings()
    settings.set_shebang(shebang)
    assert settings.shebang == shebang
    text = _render(tmp_path, "sge", settings)
    assert "<==\n#!/bin/bash\n#$ -N m\n" in text and "#$ -S /bin/bash\n" in text


def test_sge_default_shebang_is_the_scripts() -> None:
    assert SgeQsubBatchSettings().shebang == "#!/bin/bash"
    assert SgeQsubBatchSettings(shebang=None).shebang == "#!/bin/bash"


@pytest.mark.parametrize("shebang", ["#!/bin/sh", "#!/bin/csh", "#!/usr/bin/env python3", "#!/bin/bash -x", "bash"])
def test_sge_refuses_other_shebangs(shebang: str) -> None:
    with pytest.raises(SSUnsupportedError, match="not a bash shebang"):
        SgeQsubBatchSettings(shebang=shebang)
    with pytest.raises(TypeError):
        SgeQsubBatchSettings().set_shebang(None)  # type: ignore[arg-type]


def test_sge_new_directives_reach_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = SgeQsubBatchSettings(ncpus=2, pe_type="smp")
    settings.update_context_variables("ac", "stage", "pre")
    settings.set_hyperthreading(False)
    settings.set_threads_per_pe(2)
    text = _render(tmp_path, "sge", settings)
    for line in ("#$ -pe smp 2", "#$ -ac stage=pre", "#$ -l threads=0", "#$ -v OMP_NUM_THREADS=2"):
        assert line + "\n" in text


# -- PALS' GPU affinity script (tests/test_pals_settings.py) ----------------------------------


def test_pals_affinity_script() -> None:
    settings = PalsMpiexecSettings(EXE, fail_if_missing_exec=False)
    settings.set_gpu_affinity_script("/path/to/set_affinity_gpu.sh", 1, 2)
    assert settings.format_run_args() == ["/path/to/set_affinity_gpu.sh", "1", "2"]


def test_pals_affinity_script_runs_in_front_of_the_executable(tmp_path: Path) -> None:
    settings = PalsMpiexecSettings(EXE, ["-c", "pass"], fail_if_missing_exec=False)
    settings.set_tasks(4)
    settings.set_gpu_affinity_script(Path("bin") / "affinity.sh")
    settings.set_gpu_affinity_script("wrap", 1.5)
    script = os.path.abspath(os.path.join("bin", "affinity.sh"))
    assert settings.format_run_args() == ["--np", "4", script, "wrap", "1.5"]
    assert settings.command() == ["mpiexec", "--np", "4", "--envall", script, "wrap", "1.5", EXE, "-c", "pass"]


def test_pals_affinity_script_checks_its_input() -> None:
    settings = PalsMpiexecSettings(EXE, fail_if_missing_exec=False)
    with pytest.raises(ValueError):
        settings.set_gpu_affinity_script("  ")
    with pytest.raises(TypeError):
        settings.set_gpu_affinity_script(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        settings.set_gpu_affinity_script("a.sh", ["x"])  # type: ignore[arg-type]
    assert settings.affinity_script == []


def test_pals_affinity_script_reaches_the_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exp = Experiment("aff", exp_path=tmp_path / "exp", launcher="pbs")
    rs = create_run_settings("pals", EXE, ["-c", "pass"], run_command="mpiexec")
    assert isinstance(rs, PalsMpiexecSettings)
    rs.set_gpu_affinity_script("/opt/set_affinity_gpu_polaris.sh")
    text = exp.preview(exp.create_model("m", rs, batch_settings=QsubBatchSettings(nodes=1)))
    assert f"--envall /opt/set_affinity_gpu_polaris.sh {EXE} -c pass" in text


# -- jsrun's individual output -----------------------------------------------------------------


def test_jsrun_individual_output_is_refused_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(SettingsError, match="set_individual_output: hpcsim collects"):
        JsrunSettings(EXE, fail_if_missing_exec=None).set_individual_output("_%t")
    with pytest.raises(TypeError):
        JsrunSettings(EXE, fail_if_missing_exec=None).set_individual_output(5)  # type: ignore[arg-type]
    lenient = JsrunSettings(EXE, lenient=True, fail_if_missing_exec=None)
    lenient.set_individual_output()
    assert "stdio_mode" not in lenient.run_args


# -- wrong types in the factories --------------------------------------------------------------


@pytest.mark.parametrize("launcher", [None, 5, ["slurm"]])
def test_factories_refuse_a_launcher_that_is_no_string(launcher: object) -> None:
    with pytest.raises(SettingsTypeError, match="unknown launcher"):
        create_batch_settings(launcher)  # type: ignore[arg-type]
    with pytest.raises(SettingsTypeError, match="unknown launcher"):
        create_run_settings(launcher, EXE)  # type: ignore[arg-type]


@pytest.mark.parametrize("batch_args", [["x"], "exclusive", ("a", "b"), 5])
@pytest.mark.parametrize("launcher", ["slurm", "pbs", "lsf", "sge"])
def test_create_batch_settings_refuses_batch_args_that_are_no_dict(launcher: str, batch_args: object) -> None:
    with pytest.raises(SettingsTypeError, match="batch_args must be a dict of name to value"):
        create_batch_settings(launcher, batch_args=batch_args)  # type: ignore[arg-type]
    cls = type(create_batch_settings(launcher))
    with pytest.raises(SettingsTypeError, match="batch_args must be a dict of name to value"):
        cls(batch_args=batch_args)


@pytest.mark.parametrize(
    ("launcher", "keywords"),
    [
        ("slurm", {"nodes": "2"}),
        ("slurm", {"nodes": 2.0}),
        ("slurm", {"time": 3600}),
        ("slurm", {"queue": ["debug"]}),
        ("slurm", {"account": {"a": 1}}),
        ("slurm", {"batch_args": {1: "x"}}),
        ("slurm", {"batch_args": {"mem": ["4G"]}}),
        ("pbs", {"resources": ["place=scatter"]}),
        ("pbs", {"resources": {"place": None}}),
        ("pbs", {"ncpus": "4"}),
        ("lsf", {"smts": "4"}),
        ("sge", {"resources": ["h_vmem=4G"]}),
        ("sge", {"resources": {5: "x"}}),
        ("sge", {"ncpus": "8"}),
    ],
)
def test_create_batch_settings_wrong_types(launcher: str, keywords: dict[str, Any]) -> None:
    with pytest.raises(SettingsTypeError):
        create_batch_settings(launcher, **keywords)


@pytest.mark.parametrize(
    "keywords",
    [
        {"exe": 5},
        {"exe_args": {"dict": "is-wrong-type"}},
        {"exe_args": ["list-includes-int", 5]},
        {"run_command": 5},
        {"run_command": ["srun"]},
        {"run_args": ["--nodes=1"]},
        {"env_vars": ["A=1"]},
        {"run_args": {"nodes": [1]}},
    ],
)
def test_create_run_settings_wrong_types(keywords: dict[str, Any]) -> None:
    call: dict[str, Any] = {"exe": EXE, **keywords}
    with pytest.raises(SettingsTypeError):
        create_run_settings("slurm", **call)


def _render(tmp_path: Path, scheduler: str, batch: BatchSettings) -> str:
    exp = Experiment("c", exp_path=tmp_path / "exp", launcher=scheduler)
    return exp.preview(exp.create_model("m", exp.create_run_settings("/bin/true"), batch_settings=batch))
