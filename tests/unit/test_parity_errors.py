"""SmartSim 0.8's and SmartRedis 0.6.1's exceptions, caught as a ported driver catches them: the
SmartSim (or builtin) class a SmartSim test expects for a mistake catches what hpcsim raises for
it (cases from SmartSim's tests/test_experiment.py, test_ensemble.py, test_model.py,
test_orchestrator.py, test_pbs_settings.py, test_lsf_settings.py, test_mpi_settings.py,
test_alps_settings.py and test_controller_errors.py)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from hpcsim import Experiment, errors
from hpcsim.client import Client
from hpcsim.client.error import RedisConnectionError, RedisKeyError, RedisReplyError, RedisRuntimeError
from hpcsim.database import Orchestrator
from hpcsim.entity import Ensemble, Model
from hpcsim.error import (
    AllocationError,
    EntityExistsError,
    LauncherError,
    ParameterWriterError,
    ShellError,
    SmartSimError,
    SSConfigError,
    SSDBIDConflictError,
    SSInternalError,
    SSUnsupportedError,
    UserStrategyError,
)
from hpcsim.error.errors import PreviewFormatError, TelemetryError, UnproxyableStepError
from hpcsim.settings import (
    AprunSettings,
    MpirunSettings,
    QsubBatchSettings,
    RunSettings,
    create_batch_settings,
    create_run_settings,
)

#: ``smartsim.error.__init__`` in SmartSim 0.8.0, and what only ``smartsim.error.errors`` has
SMARTSIM_ERROR = [
    "AllocationError",
    "EntityExistsError",
    "LauncherError",
    "LauncherUnsupportedFeature",
    "ParameterWriterError",
    "ShellError",
    "SmartSimError",
    "SSConfigError",
    "SSDBFilesNotParseable",
    "SSDBIDConflictError",
    "SSInternalError",
    "SSReservedKeywordError",
    "SSUnsupportedError",
    "UserStrategyError",
]
SMARTSIM_ERRORS_ONLY = ["TelemetryError", "UnproxyableStepError", "SmartSimCLIActionCancelled", "PreviewFormatError"]


@pytest.mark.parametrize(
    ("module", "names"),
    [("hpcsim.error", SMARTSIM_ERROR), ("hpcsim.error.errors", SMARTSIM_ERROR + SMARTSIM_ERRORS_ONLY)],
)
def test_every_smartsim_exception_name_imports(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    assert [n for n in names if not (isinstance(getattr(imported, n, None), type))] == []
    assert [n for n in names if not issubclass(getattr(imported, n), Exception)] == []
    assert set(names) == set(imported.__all__)


@pytest.mark.parametrize(
    ("sub", "base"),
    [
        (EntityExistsError, SmartSimError),
        (UserStrategyError, SmartSimError),
        (ParameterWriterError, SmartSimError),
        (SSDBIDConflictError, SmartSimError),
        (SSConfigError, SSInternalError),
        (LauncherError, SSInternalError),
        (AllocationError, LauncherError),
        (ShellError, SSInternalError),
        (UnproxyableStepError, TelemetryError),
        (TelemetryError, SSInternalError),
        (PreviewFormatError, SSUnsupportedError),
    ],
)
def test_smartsim_relations_hold(sub: type[Exception], base: type[Exception]) -> None:
    assert issubclass(sub, base)


@pytest.mark.parametrize(
    ("hpcsim_class", "builtin"),
    [
        (errors.ConfigError, ValueError),
        (errors.UnsupportedError, ValueError),
        (errors.SettingsError, ValueError),
        (errors.ConfigTypeError, TypeError),
        (errors.SettingsTypeError, TypeError),
        (errors.ParameterError, TypeError),
        (errors.LaunchError, ValueError),
        (errors.DatabaseIdentifierError, ValueError),
        (errors.ClientError, RuntimeError),
        (errors.ClientConnectionError, RuntimeError),
        (errors.KeyNotFoundError, RuntimeError),
        (errors.MissingFileError, FileNotFoundError),
    ],
)
def test_builtin_bases(hpcsim_class: type[Exception], builtin: type[Exception]) -> None:
    assert issubclass(hpcsim_class, builtin)
    assert issubclass(hpcsim_class, errors.HpcsimError)


def test_tree_relations() -> None:
    assert issubclass(errors.SettingsError, errors.ConfigError)  # SmartSim's SSConfigError covers settings
    assert issubclass(errors.SettingsTypeError, errors.ConfigTypeError)
    assert issubclass(errors.SubmitError, errors.SchedulerError)  # a refused sbatch is a LauncherError
    assert issubclass(errors.SubmitError, errors.CommandError)
    assert issubclass(errors.DatabaseIdentifierError, errors.EntityExistsError)
    assert not issubclass(errors.InternalError, errors.HpcsimError)  # hpcsim's own bugs stay apart


# -- experiments (tests/test_experiment.py, test_controller_errors.py) -----------------------


@pytest.fixture
def exp(tmp_path: Path) -> Experiment:
    return Experiment("test", exp_path=str(tmp_path / "exp"), launcher="local")


def test_ensemble_errors(exp: Experiment) -> None:
    with pytest.raises(SmartSimError):
        exp.create_ensemble("name", {"param1": 1})
    with pytest.raises(SmartSimError):
        exp.create_ensemble("name", run_settings=RunSettings("python"))
    with pytest.raises(SmartSimError):
        exp.create_ensemble("name")


def test_finished_new_model(exp: Experiment) -> None:
    model = exp.create_model("name", run_settings=RunSettings("python"))
    with pytest.raises(ValueError):
        exp.finished(model)


def test_status_typeerror(exp: Experiment) -> None:
    with pytest.raises(TypeError):
        exp.get_status([])


def test_type_exp_path() -> None:
    with pytest.raises(TypeError):
        Experiment("test", ["this-is-a-list-dummy"])  # type: ignore[arg-type]


def test_db_identifier_used_twice(exp: Experiment) -> None:
    exp.create_database(port=6780, db_identifier="my_db")
    with pytest.raises(SSDBIDConflictError):
        exp.create_database(port=6781, db_identifier="my_db")


# -- entities (tests/test_ensemble.py, test_model.py) -------------------------------------------


def test_user_strategy_error(tmp_path: Path) -> None:
    def bad_strategy(names: list[str], values: list[list[str]], n_models: int = 0) -> int:
        return -1

    with pytest.raises(UserStrategyError):
        Ensemble("ensemble", {"h": [5, 6]}, run_settings=RunSettings("python"), perm_strat=bad_strategy)


def test_incorrect_param_type() -> None:
    with pytest.raises(TypeError):
        Ensemble("ensemble", {"h": {"h": [5]}}, run_settings=RunSettings("python"))


def test_add_model_type_and_existing(tmp_path: Path) -> None:
    rs = RunSettings("python")
    ensemble = Ensemble("ensemble", {"h": [5]}, run_settings=rs, path=str(tmp_path / "ensemble"))
    with pytest.raises(TypeError):
        ensemble.add_model("model")  # type: ignore[arg-type]
    with pytest.raises(EntityExistsError):
        ensemble.add_model(Model("ensemble_0", {}, rs, path=str(tmp_path / "m")))


def test_register_incoming_entity_twice(tmp_path: Path) -> None:
    rs = RunSettings("python")
    model = Model("m", {}, rs, path=str(tmp_path / "m"))
    other = Model("other", {}, rs, path=str(tmp_path / "other"))
    model.register_incoming_entity(other)
    with pytest.raises(EntityExistsError):
        model.register_incoming_entity(other)


@pytest.mark.parametrize("bad_val", [["eggs"], {"n": 5}, object])
def test_bad_model_params(tmp_path: Path, bad_val: object) -> None:
    with pytest.raises(TypeError):
        Model("m", {"foo": bad_val}, RunSettings("python"), path=str(tmp_path / "m"))


# -- databases (tests/test_orchestrator.py) -------------------------------------------------


def test_orchestrator_errors() -> None:
    with pytest.raises(SmartSimError):
        Orchestrator(batch=True)  # the local launcher runs no batch jobs
    orc = Orchestrator()
    with pytest.raises(SmartSimError):
        orc.get_address()  # never started
    with pytest.raises(SmartSimError):
        orc.set_batch_arg("account", "ACCOUNT")  # not a batch database


# -- settings (tests/test_pbs_settings.py, test_lsf_settings.py, test_mpi_settings.py, ...) ----


def test_select_and_nodes_is_a_config_error() -> None:
    with pytest.raises(SSConfigError):
        QsubBatchSettings(nodes=10, resources={"select": 10})


def test_resource_of_the_wrong_type() -> None:
    settings = QsubBatchSettings(nodes=10)
    with pytest.raises(TypeError):
        settings.set_resource("foo", None)  # type: ignore[arg-type]


def test_batch_preamble_of_the_wrong_type() -> None:
    bsub = create_batch_settings("lsf", nodes=1, time="10:00:00", account="myproject")
    with pytest.raises(TypeError):
        bsub.add_preamble(1)  # type: ignore[arg-type]


@pytest.mark.parametrize(("command", "cls"), [("mpirun", MpirunSettings), ("aprun", AprunSettings)])
def test_hostlist_of_the_wrong_type(command: str, cls: type[RunSettings]) -> None:
    rs = create_run_settings("pbs", "python", run_command=command)
    assert isinstance(rs, cls)
    with pytest.raises(TypeError):
        rs.set_hostlist([5])  # type: ignore[list-item]


# -- SmartRedis (smartredis.error) ------------------------------------------------------------


def test_smartredis_errors_are_runtime_errors() -> None:
    for name in (RedisReplyError, RedisRuntimeError, RedisKeyError, RedisConnectionError):
        assert issubclass(name, RuntimeError)
    assert issubclass(RedisKeyError, RedisReplyError)


def test_client_without_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SSDB", "HPCSIM_DB"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(RedisConnectionError):
        Client(cluster=False)
    with pytest.raises(RuntimeError):  # what SmartRedis' own tests catch
        Client(cluster=False)


# -- what SmartSim calls unsupported -----------------------------------------------------------


def test_cobalt_launcher_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(SSUnsupportedError):
        Experiment("cobalt_exp", exp_path=str(tmp_path / "c"), launcher="cobalt")


def test_unknown_strategy_name_is_unsupported() -> None:
    with pytest.raises(SSUnsupportedError):
        Ensemble("ensemble", {}, run_settings=RunSettings("python"), perm_strat="not-a-strategy")


def test_two_shards_are_unsupported() -> None:
    with pytest.raises(SSUnsupportedError):
        Orchestrator(db_nodes=2)


def test_finished_orchestrator_is_a_type_error(exp: Experiment) -> None:
    with pytest.raises(TypeError):
        exp.finished(Orchestrator())
