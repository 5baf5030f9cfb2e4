"""SmartSim 0.8's public module paths, used as a ported driver uses them: ``smartsim`` replaced
by ``hpcsim`` in the imports and nothing else (cases from SmartSim's tests/test_batch_settings.py,
test_run_settings.py, test_experiment.py and test_manifest.py)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.database import Orchestrator
from hpcsim.entity import DBModel, DBNode, DBScript, Ensemble, EntityList, EntitySequence, Model, SmartSimEntity
from hpcsim.error import SmartSimError, SSUnsupportedError
from hpcsim.settings import (
    AprunSettings,
    BatchSettings,
    BsubBatchSettings,
    Container,
    DragonRunSettings,
    JsrunSettings,
    MpirunSettings,
    OrterunSettings,
    PalsMpiexecSettings,
    QsubBatchSettings,
    RunSettings,
    SbatchSettings,
    SettingsBase,
    SgeQsubBatchSettings,
    Singularity,
    SrunSettings,
    create_batch_settings,
    create_run_settings,
)
from hpcsim.status import TERMINAL_STATUSES, SmartSimStatus, Status

#: ``smartsim.settings.__all__`` in SmartSim 0.8.0
SMARTSIM_SETTINGS = [
    "AprunSettings",
    "BsubBatchSettings",
    "JsrunSettings",
    "MpirunSettings",
    "MpiexecSettings",
    "OrterunSettings",
    "QsubBatchSettings",
    "RunSettings",
    "SettingsBase",
    "SbatchSettings",
    "SgeQsubBatchSettings",
    "SrunSettings",
    "PalsMpiexecSettings",
    "DragonRunSettings",
    "Container",
    "Singularity",
]
#: what ``smartsim.entity`` exports that hpcsim has (TaggedFilesHierarchy and
#: TelemetryConfiguration are SmartSim's internals hpcsim has no counterpart of)
SMARTSIM_ENTITY = ["DBNode", "DBModel", "DBObject", "DBScript", "Ensemble", "EntityList", "EntitySequence", "Model"]
SMARTSIM_STATUSES = [
    "STATUS_RUNNING",
    "STATUS_COMPLETED",
    "STATUS_CANCELLED",
    "STATUS_FAILED",
    "STATUS_NEW",
    "STATUS_PAUSED",
    "STATUS_NEVER_STARTED",
    "STATUS_QUEUED",
]


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("hpcsim.settings", [*SMARTSIM_SETTINGS, "BatchSettings", "create_batch_settings", "create_run_settings"]),
        ("hpcsim.entity", [*SMARTSIM_ENTITY, "SmartSimEntity"]),
        ("hpcsim.database", ["Orchestrator"]),
        ("hpcsim.database.orchestrator", ["Orchestrator"]),
        ("hpcsim.status", ["SmartSimStatus", "TERMINAL_STATUSES"]),
        ("hpcsim.ml", ["DataDownloader", "DataInfo", "TrainingDataUploader", "form_name"]),
    ],
)
def test_smartsim_module_paths_export_smartsim_names(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    assert [n for n in names if not hasattr(imported, n)] == []
    assert set(names) <= set(imported.__all__) | {"Orchestrator"}


def test_database_paths_are_one_class() -> None:
    from hpcsim.database.orchestrator import Orchestrator as FromSubmodule

    assert FromSubmodule is Orchestrator
    assert issubclass(Orchestrator, EntityList)


# -- create_batch_settings (tests/test_batch_settings.py) ------------------------------------


def test_create_pbs_batch() -> None:
    pbs_batch = create_batch_settings(
        "pbs", nodes=1, time="10:00:00", queue="default", account="myproject", ncpus=10
    )  # keywords reach the class
    assert isinstance(pbs_batch, QsubBatchSettings)
    assert {"-l walltime=10:00:00", "-q default", "-A myproject"} <= set(pbs_batch.directives())
    assert any("ncpus=10" in d for d in pbs_batch.directives())


def test_create_sbatch_drops_another_schedulers_keyword(caplog: pytest.LogCaptureFixture) -> None:
    batch_args = {"exclusive": None, "oversubscribe": None}
    with caplog.at_level(logging.WARNING, logger="hpcsim.settings"):
        slurm_batch = create_batch_settings(
            "slurm",
            nodes=1,
            time="10:00:00",
            queue="default",  # Slurm's partition
            account="myproject",
            batch_args=batch_args,
            ncpus=10,  # PBS's keyword: one driver for several machines
        )
    assert isinstance(slurm_batch, SbatchSettings)
    assert sorted(slurm_batch.directives()) == sorted(
        ["--exclusive", "--oversubscribe", "--nodes=1", "--time=10:00:00", "--partition=default", "--account=myproject"]
    )
    assert "ncpus" in caplog.text


def test_create_bsub() -> None:
    bsub = create_batch_settings(
        "lsf", nodes=1, time="10:00:00", account="myproject", queue="default", batch_args={"core_isolation": None}
    )
    assert isinstance(bsub, BsubBatchSettings)
    assert {"-core_isolation", "-nnodes 1", "-q default", "-P myproject"} <= set(bsub.directives())


def test_create_batch_settings_for_pals_and_sge() -> None:
    assert isinstance(create_batch_settings("pals", nodes=2, time="01:00:00"), QsubBatchSettings)
    assert isinstance(create_batch_settings("sge", time="01:00:00", account="acct"), SgeQsubBatchSettings)


def test_existing_batch_args_mutation() -> None:
    batch_args = {"k1": "v1", "k2": "v2"}
    bsub = create_batch_settings(
        "lsf", nodes=1, time="10:00:00", account="myproject", queue="default", batch_args=batch_args
    )
    batch_args["k1"] = "not-v1"
    assert bsub.batch_args["k1"] == "v1"


def test_preamble() -> None:
    bsub = create_batch_settings("lsf", nodes=1, time="10:00:00", account="myproject", queue="default", batch_args={})
    bsub.add_preamble(["single line"])
    bsub.add_preamble(["another line"])
    bsub.add_preamble(["first line", "last line"])
    assert len(list(bsub.preamble)) == 4


def test_local_launcher_has_no_batch_settings() -> None:
    with pytest.raises(SmartSimError, match="local"):
        create_batch_settings("local", nodes=1)


def test_a_keyword_no_batch_class_takes_is_refused() -> None:
    with pytest.raises(TypeError, match="nodez"):
        create_batch_settings("slurm", nodez=2)


def test_queue_given_twice_is_refused() -> None:
    with pytest.raises(SmartSimError, match="not both"):
        create_batch_settings("slurm", queue="debug", partition="batch")


# -- create_run_settings (tests/test_run_settings.py) ----------------------------------------


def test_create_run_settings_local() -> None:
    assert type(create_run_settings("local", "echo", "hello", run_command=None)) is RunSettings
    assert type(create_run_settings("local", "echo", "hello", run_command="auto")) is RunSettings


@pytest.mark.parametrize(
    ("launcher", "run_command", "cls"),
    [
        ("slurm", "srun", SrunSettings),
        ("slurm", "mpirun", MpirunSettings),
        ("pbs", "orterun", OrterunSettings),
        ("pbs", "aprun", AprunSettings),
        ("lsf", "jsrun", JsrunSettings),
        ("pals", "mpiexec", PalsMpiexecSettings),
    ],
)
def test_create_run_settings_picks_the_class_of_the_command(
    launcher: str, run_command: str, cls: type[RunSettings]
) -> None:
    settings = create_run_settings(launcher, "echo", ["hello", "world"], run_command=run_command)
    assert isinstance(settings, cls)
    assert settings.exe_args == ["hello", "world"]


def test_create_run_settings_input_mutation() -> None:
    run_args = {"arg0": "val0", "arg1": "val1"}
    rs0 = create_run_settings("slurm", "echo", "hello", run_command="srun", run_args=run_args)
    run_args["arg1"] = "not-val1"
    assert rs0.run_args["arg1"] == "val1"


def test_containers_are_refused_as_unsupported() -> None:
    with pytest.raises(SSUnsupportedError, match="containers"):
        create_run_settings("local", "echo", "hello", container=object())
    with pytest.raises(SSUnsupportedError, match="containers"):
        Singularity("image.sif")
    with pytest.raises(SSUnsupportedError, match="containers"):
        Container("image.sif")
    with pytest.raises(SSUnsupportedError, match="Dragon"):
        DragonRunSettings("echo")
    with pytest.raises(SSUnsupportedError, match="Dragon"):
        create_run_settings("dragon", "echo")


def test_settings_base_covers_run_and_batch_settings() -> None:
    assert isinstance(RunSettings("echo"), SettingsBase)
    assert isinstance(create_batch_settings("slurm", nodes=1), SettingsBase)
    assert issubclass(SbatchSettings, BatchSettings)
    assert not isinstance("echo", SettingsBase)


# -- entities (smartsim.entity) ------------------------------------------------------------


def test_smartsim_entity_names_are_hpcsims(tmp_path: Path) -> None:
    rs = RunSettings("python")
    model = Model("m", {}, rs, path=str(tmp_path / "m"))
    ensemble = Ensemble("e", {"x": [1, 2]}, run_settings=rs, path=str(tmp_path / "e"))
    assert isinstance(model, SmartSimEntity)
    assert isinstance(ensemble, EntitySequence)
    assert [m.name for m in ensemble] == ["e_0", "e_1"]
    assert issubclass(DBNode, SmartSimEntity)
    assert DBModel.__name__ == "DBModel" and DBScript.__name__ == "DBScript"


# -- statuses (smartsim.status) -------------------------------------------------------------


def test_smartsim_status_names_are_hpcsim_statuses() -> None:
    assert SmartSimStatus is Status
    assert [n for n in SMARTSIM_STATUSES if not isinstance(getattr(SmartSimStatus, n, None), Status)] == []
    assert SmartSimStatus.STATUS_COMPLETED is Status.COMPLETED
    assert SmartSimStatus.STATUS_NEVER_STARTED is Status.NEVER_STARTED
    assert SmartSimStatus.STATUS_PAUSED is Status.QUEUED  # SmartSim's "Paused": a pending Slurm job
    assert Status("COMPLETED") is SmartSimStatus.STATUS_COMPLETED


def test_aliases_add_no_statuses() -> None:
    assert [s.name for s in Status] == [
        "NEW",
        "QUEUED",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "NODE_FAIL",
        "OOM",
        "NEVER_STARTED",
    ]
    assert SmartSimStatus.STATUS_RUNNING.name == "RUNNING"


def test_terminal_statuses() -> None:
    smartsim_terminal = {SmartSimStatus.STATUS_CANCELLED, SmartSimStatus.STATUS_COMPLETED, SmartSimStatus.STATUS_FAILED}
    assert smartsim_terminal <= TERMINAL_STATUSES
    assert {Status.TIMEOUT, Status.NODE_FAIL, Status.OOM} <= TERMINAL_STATUSES  # ended, so terminal too
    others = {SmartSimStatus.STATUS_RUNNING, SmartSimStatus.STATUS_NEW, SmartSimStatus.STATUS_QUEUED}
    assert not others & TERMINAL_STATUSES
    assert SmartSimStatus.STATUS_NEVER_STARTED not in TERMINAL_STATUSES


def test_status_pre_launch(tmp_path: Path) -> None:
    exp = Experiment("test", exp_path=str(tmp_path / "exp"))
    model = exp.create_model("name", run_settings=RunSettings("python"))
    assert exp.get_status(model)[0] == SmartSimStatus.STATUS_NEVER_STARTED
