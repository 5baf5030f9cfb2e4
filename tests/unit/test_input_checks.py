"""Issue 19, hostile and careless input: each case gets a one-line hpcsim error that says what
is wrong, raised before anything is created or launched (the experiment directory stays as it
was, and no injected command runs)."""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest

from hpcsim import Ensemble, Experiment, RunSettings
from hpcsim.entities.strategies import DEFAULT_MAX_MEMBERS
from hpcsim.errors import ConfigError, GenerationError, HpcsimError, SettingsError, UserStrategyError
from hpcsim.settings.factory import create_run_settings


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*")) if root.exists() else []


@pytest.fixture
def exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Experiment:
    monkeypatch.chdir(tmp_path)
    return Experiment("v19", exp_path=tmp_path / "exp", launcher="local")


# -- defect 1: environment-variable names reach the script only when they are names ----------


HOSTILE = "X;touch {marker};Y"


@pytest.mark.parametrize("launcher", ["local", "slurm"])
def test_env_name_set_by_dict_mutation_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launcher: str
) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    exp = Experiment("v19", exp_path=tmp_path / "exp", launcher=launcher)
    rs = RunSettings("true")
    rs.env_vars[HOSTILE.format(marker=marker)] = "1"
    model = exp.create_model("m", rs, path=tmp_path / "exp" / "m")
    before = _files(tmp_path / "exp")
    with pytest.raises(SettingsError, match=r"environment variable name 'X;touch .*' is invalid"):
        exp.preview(model)
    if launcher == "local":
        with pytest.raises(SettingsError, match=r"environment variable name 'X;touch .*' is invalid"):
            exp.start(model)
    time.sleep(0.2)
    assert not marker.exists()
    assert _files(tmp_path / "exp") == before


def test_env_name_replaced_dict_and_mpmd_partner_are_refused() -> None:
    rs = RunSettings("true")
    with pytest.raises(SettingsError, match=r"'A B' is invalid"):
        rs.env_vars = {"A B": "1"}
    rs.env_vars["A B"] = "1"  # changing the dict itself is caught when the script is made
    with pytest.raises(SettingsError, match=r"'A B' is invalid"):
        rs.launch_env()
    first = create_run_settings("slurm", "true", run_command="srun")
    second = create_run_settings("slurm", "true", run_command="srun")
    first.make_mpmd(second)
    second.env_vars["$(id)"] = "1"
    with pytest.raises(SettingsError, match=r"'\$\(id\)' is invalid"):
        first.command()


def test_env_name_in_constructor_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"environment variable name 'A;B' is invalid"):
        RunSettings("true", env_vars={"A;B": "1"})


def test_env_vars_must_be_a_mapping() -> None:
    with pytest.raises(SettingsError, match=r"env_vars must be a dict of name to value, got \['A=1'\]"):
        RunSettings("true", env_vars=["A=1"])  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=r"env_vars must be a dict"):
        RunSettings("true").update_env("A=1")  # type: ignore[arg-type]


# -- settings given the wrong kind of thing -----------------------------------------------------


def test_exe_args_of_the_wrong_type(exp: Experiment) -> None:
    with pytest.raises(SettingsError, match=r"exe_args must be a string or a list of strings, got 5"):
        exp.create_run_settings("true", exe_args=5)  # type: ignore[arg-type]
    rs = exp.create_run_settings("true")
    with pytest.raises(SettingsError, match=r"exe_args must be a string or a list of strings, got 5"):
        rs.add_exe_args(5)  # type: ignore[arg-type]


def test_exe_that_is_a_directory(exp: Experiment, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"executable '.*' is a directory, not a program"):
        exp.create_run_settings(str(tmp_path))
    (tmp_path / "bin" / "tool").mkdir(parents=True)
    monkey_path = f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"
    os.environ["PATH"], saved = monkey_path, os.environ["PATH"]
    try:
        with pytest.raises(SettingsError, match=r"'tool'"):
            exp.create_run_settings("tool")
    finally:
        os.environ["PATH"] = saved


@pytest.mark.parametrize("bad", [5, None, Path("m")])
def test_create_model_with_a_bad_name(exp: Experiment, bad: object, tmp_path: Path) -> None:
    rs = exp.create_run_settings("true")
    with pytest.raises(HpcsimError, match=r"model name .* is invalid"):
        exp.create_model(bad, rs)  # type: ignore[arg-type]
    with pytest.raises(HpcsimError, match=r"ensemble name .* is invalid"):
        exp.create_ensemble(bad, replicas=2, run_settings=rs)  # type: ignore[arg-type]
    assert not (tmp_path / "exp").exists()


# -- defect 12: the launch command must exist where the script runs -------------------------


def test_missing_run_command_is_refused_for_the_local_launcher(exp: Experiment, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"run_command not found: '/nope/mpirun' \(no such file"):
        exp.create_run_settings("true", run_command="/nope/mpirun")
    with pytest.raises(SettingsError, match=r"run_command 'no-such-launcher-19' not found on PATH"):
        exp.create_run_settings("true", run_command="no-such-launcher-19")
    with pytest.raises(SettingsError, match=r"run_command .* is a directory"):
        exp.create_run_settings("true", run_command=str(tmp_path))
    # a command found on PATH is taken: run_command reads as its path, the script runs it as given
    rs = exp.create_run_settings("true", run_command="env")
    assert rs.run_command == shutil.which("env")
    assert rs.command()[0] == "env"


def test_run_command_on_a_cluster_is_not_checked_here() -> None:
    """Scripts run on compute nodes, whose PATH (modules loaded in the preamble) may differ."""
    rs = create_run_settings("slurm", "true", run_command="/opt/site/bin/mpirun")
    assert rs.run_command == "/opt/site/bin/mpirun"


# -- defect 7 and 10: bounded parameter spaces ----------------------------------------------


BIG = {f"p{i}": list(range(10)) for i in range(10)}


def test_huge_all_perm_space_is_refused_quickly_with_its_size(exp: Experiment, tmp_path: Path) -> None:
    rs = exp.create_run_settings("true")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"10000000000 members.*above the limit of 10000.*max_members="):
        exp.create_ensemble("big", params=BIG, run_settings=rs)
    assert time.monotonic() - started < 2
    assert DEFAULT_MAX_MEMBERS == 10_000
    assert not (tmp_path / "exp").exists()


def test_replicas_count_towards_the_limit(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    with pytest.raises(ConfigError, match=r"2 parameter sets x 6 replicas = 12 members.*limit of 10"):
        exp.create_ensemble("r", params={"a": [1, 2]}, run_settings=rs, replicas=6, max_members=10)


def test_max_members_raises_the_limit(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    params = {"a": list(range(120)), "b": list(range(100))}
    ensemble = exp.create_ensemble("ok", params=params, run_settings=rs, max_members=12_000)
    assert len(ensemble) == 12_000
    assert ensemble.models[-1].params == {"a": "119", "b": "99"}


def test_max_members_from_the_environment(exp: Experiment, monkeypatch: pytest.MonkeyPatch) -> None:
    rs = exp.create_run_settings("true")
    monkeypatch.setenv("HPCSIM_MAX_MEMBERS", "3")
    with pytest.raises(ConfigError, match=r"4 members.*limit of 3 .*HPCSIM_MAX_MEMBERS"):
        exp.create_ensemble("e", params={"a": [1, 2, 3, 4]}, run_settings=rs)
    monkeypatch.setenv("HPCSIM_MAX_MEMBERS", "many")
    with pytest.raises(ConfigError, match=r"HPCSIM_MAX_MEMBERS='many' is not a whole number"):
        exp.create_ensemble("f", params={"a": [1]}, run_settings=rs)


def test_bad_max_members(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    with pytest.raises(ConfigError, match=r"max_members must be a positive integer, got 0"):
        exp.create_ensemble("e", params={"a": [1]}, run_settings=rs, max_members=0)


def test_random_draws_from_a_huge_space_without_materialising_it(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    random.seed(19)
    ensemble = exp.create_ensemble("rnd", params=BIG, run_settings=rs, perm_strategy="random", n_models=5)
    sets = [tuple(m.params.items()) for m in ensemble]
    assert len(set(sets)) == 5 and all(len(s) == 10 for s in sets)


def test_random_with_more_members_than_combinations_is_refused(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    with pytest.raises(UserStrategyError, match=r"n_models=5 .* only 2 distinct combinations"):
        exp.create_ensemble("r", params={"a": [1, 2]}, run_settings=rs, perm_strategy="random", n_models=5)


def test_random_with_exactly_all_combinations(exp: Experiment) -> None:
    rs = exp.create_run_settings("true")
    ensemble = exp.create_ensemble("r", params={"a": [1, 2]}, run_settings=rs, perm_strategy="random", n_models=2)
    assert sorted(m.params["a"] for m in ensemble) == ["1", "2"]


def test_user_strategy_output_counts_towards_the_limit(tmp_path: Path) -> None:
    def many(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
        return [{"a": str(i)} for i in range(20)]

    with pytest.raises(ConfigError, match=r"20 members.*limit of 10"):
        Ensemble("u", {"a": [1]}, tmp_path / "u", run_settings=RunSettings("true"), perm_strategy=many, max_members=10)


def test_all_perm_order_is_unchanged(tmp_path: Path) -> None:
    ensemble = Ensemble("o", {"a": [1, 2], "b": ["x", "y"]}, tmp_path / "o", run_settings=RunSettings("true"))
    assert [m.params for m in ensemble] == [
        {"a": "1", "b": "x"},
        {"a": "1", "b": "y"},
        {"a": "2", "b": "x"},
        {"a": "2", "b": "y"},
    ]


# -- defect 11: to_copy of the file-system root, or of a directory holding the entity --------


@pytest.mark.parametrize("kind", ["to_copy", "to_configure"])
def test_attaching_the_root_is_refused(exp: Experiment, kind: str, tmp_path: Path) -> None:
    model = exp.create_model("m", exp.create_run_settings("true"))
    with pytest.raises(GenerationError, match=rf"{kind}: '/' is the file-system root"):
        model.attach_generator_files(**{kind: ["/"]})  # type: ignore[arg-type]
    with pytest.raises(GenerationError, match=rf"{kind}: '/\./' is the file-system root"):
        model.attach_generator_files(**{kind: "/./"})  # type: ignore[arg-type]
    assert not (tmp_path / "exp").exists()


def test_attaching_a_directory_that_holds_the_entity_is_refused(exp: Experiment, tmp_path: Path) -> None:
    model = exp.create_model("m", exp.create_run_settings("true"))
    (tmp_path / "exp").mkdir()
    with pytest.raises(GenerationError, match=r"to_copy: .* contains the directory of model 'm'"):
        model.attach_generator_files(to_copy=[str(tmp_path)])
    with pytest.raises(GenerationError, match=r"to_copy: .* contains the directory of model 'm'"):
        model.attach_generator_files(to_copy=[str(tmp_path / "exp")])
    ensemble = exp.create_ensemble("e", replicas=2, run_settings=exp.create_run_settings("true"))
    with pytest.raises(GenerationError, match=r"contains the directory of model 'e_0'"):
        ensemble.attach_generator_files(to_configure=[str(tmp_path / "exp")])
    # a sibling directory is fine, and so is symlinking the experiment's parent
    (tmp_path / "inputs").mkdir()
    model.attach_generator_files(to_copy=[str(tmp_path / "inputs")], to_symlink=[str(tmp_path)])


# -- configuration knobs: wrong values are caught before anything is sent ------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HPCSIM_STOP_GRACE", "abc", r"HPCSIM_STOP_GRACE='abc' is not a number"),
        ("HPCSIM_POLL_INTERVAL", "-1", r"HPCSIM_POLL_INTERVAL='-1' must be at least 0.1"),
        (
            "HPCSIM_LOG_LEVEL",
            "LOUD",
            r"HPCSIM_LOG_LEVEL='LOUD' is not a log level; use one of debug, developer, info, warning, quiet",
        ),
    ],
)
def test_bad_knobs_are_refused_when_the_experiment_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Experiment("knobs", exp_path=tmp_path / "exp")
    assert not (tmp_path / "exp").exists()


@pytest.mark.parametrize(
    ("value", "level"), [("quiet", "WARNING"), ("developer", "DEBUG"), ("Debug", "DEBUG"), ("", "INFO")]
)
def test_client_log_level_names_also_work_for_the_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, level: str
) -> None:
    from hpcsim import config

    monkeypatch.setenv("HPCSIM_LOG_LEVEL", value)
    assert config.log_level() == level
    Experiment("knobs", exp_path=tmp_path / "exp")
