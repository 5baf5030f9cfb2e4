"""Ensembles: permutation strategies, member names and paths, params x replicas, per-member
copies of run settings, key prefixing, add_model, attached files, incoming entities,
params_as_args, and the errors that bad input gets (type and message)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from hpcsim import BatchSettings, Ensemble, Experiment, Model, RunSettings
from hpcsim.errors import (
    ConfigError,
    EntityExistsError,
    HpcsimError,
    MissingFileError,
    ParameterError,
    UserStrategyError,
)


@pytest.fixture
def rs() -> RunSettings:
    return RunSettings("sh", exe_args=["-c", "true"], env_vars={"OMP_NUM_THREADS": 1})


@pytest.fixture
def exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Experiment:
    monkeypatch.chdir(tmp_path)
    return Experiment("exp", exp_path=tmp_path / "exp")


def make(tmp_path: Path, rs: RunSettings | None, **kwargs: object) -> Ensemble:
    params = kwargs.pop("params", None)
    return Ensemble("ens", params, tmp_path / "ens", run_settings=rs, **kwargs)


def param_sets(ensemble: Ensemble) -> list[dict[str, str]]:
    return [member.params for member in ensemble]


# -- strategies -----------------------------------------------------------------------------


def test_all_perm_is_the_cartesian_product(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": [1, 2], "b": ["x", "y", "z"]})
    expected = [{"a": a, "b": b} for a, b in itertools.product(["1", "2"], ["x", "y", "z"])]
    assert param_sets(ens) == expected
    assert len(ens) == 6


def test_all_perm_is_the_default_and_accepts_scalars(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": 5, "b": (1.5, 2.5)})
    assert param_sets(ens) == [{"a": "5", "b": "1.5"}, {"a": "5", "b": "2.5"}]


def test_step_pairs_the_ith_values(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": [1, 2, 3], "b": ["x", "y", "z"]}, perm_strategy="step")
    assert param_sets(ens) == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}, {"a": "3", "b": "z"}]


def test_random_draws_n_models_distinct_combinations(tmp_path: Path, rs: RunSettings) -> None:
    params = {"a": [1, 2, 3], "b": [4, 5]}
    ens = make(tmp_path, rs, params=params, perm_strategy="random", n_models=4)
    every = [{"a": a, "b": b} for a, b in itertools.product(["1", "2", "3"], ["4", "5"])]
    drawn = param_sets(ens)
    assert len(drawn) == 4
    assert all(p in every for p in drawn)
    assert len({tuple(sorted(p.items())) for p in drawn}) == 4


def test_random_with_more_models_than_combinations_is_refused(tmp_path: Path, rs: RunSettings) -> None:
    """SmartSim silently makes fewer members; hpcsim says so (issue 19)."""
    with pytest.raises(UserStrategyError, match=r"n_models=10 .*a: 2, b: 1 give only 2 distinct combinations"):
        make(tmp_path, rs, params={"a": [1, 2], "b": [3]}, perm_strategy="random", n_models=10)


def test_user_strategy_gets_names_string_values_and_n_models(tmp_path: Path, rs: RunSettings) -> None:
    calls = []

    def first_and_last(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
        calls.append((names, values, n_models))
        return [
            dict(zip(names, (v[0] for v in values), strict=True)),
            dict(zip(names, (v[-1] for v in values), strict=True)),
        ]

    ens = make(tmp_path, rs, params={"a": [1, 2, 3], "b": ["x", "y"]}, perm_strategy=first_and_last, n_models=7)
    assert calls == [(["a", "b"], [["1", "2", "3"], ["x", "y"]], 7)]
    assert param_sets(ens) == [{"a": "1", "b": "x"}, {"a": "3", "b": "y"}]


# -- members --------------------------------------------------------------------------------


def test_members_are_named_and_placed_under_the_ensemble(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": [1, 2, 3]})
    assert [m.name for m in ens] == ["ens_0", "ens_1", "ens_2"]
    assert [m.path for m in ens] == [str(tmp_path / "ens" / f"ens_{i}") for i in range(3)]
    assert all(isinstance(m, Model) for m in ens.models)
    assert ens["ens_1"].params == {"a": "2"}
    with pytest.raises(KeyError, match="no member 'ens_9'"):
        ens["ens_9"]


def test_params_times_replicas_repeats_every_param_set(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": [1, 2]}, replicas=3)
    assert len(ens) == 6
    assert Counter(p["a"] for p in param_sets(ens)) == {"1": 3, "2": 3}
    assert [m.name for m in ens] == [f"ens_{i}" for i in range(6)]


def test_replicas_without_params_makes_identical_members(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, replicas=3)
    assert [m.name for m in ens] == ["ens_0", "ens_1", "ens_2"]
    assert param_sets(ens) == [{}, {}, {}]


def test_batch_only_ensemble_starts_empty(tmp_path: Path) -> None:
    ens = make(tmp_path, None, batch_settings=BatchSettings("sbatch", nodes=2))
    assert len(ens) == 0
    assert ens.batch_settings is not None and ens.batch_settings.nodes == 2


def test_run_settings_are_deep_copied_per_member(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, replicas=2)
    first, second = ens.models
    assert first.run_settings is not second.run_settings
    assert first.run_settings is not rs
    first.run_settings.add_exe_args(["--only-first"])
    first.run_settings.update_env({"OMP_NUM_THREADS": 8, "EXTRA": "x"})
    assert second.run_settings.exe_args == ["-c", "true"]
    assert second.run_settings.env_vars == {"OMP_NUM_THREADS": "1"}
    assert rs.exe_args == ["-c", "true"]
    assert rs.env_vars == {"OMP_NUM_THREADS": "1"}


def test_key_prefixing_is_on_for_members_by_default(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, params={"a": [1, 2]})
    assert all(m.query_key_prefixing() for m in ens)
    assert ens.query_key_prefixing()
    ens.disable_key_prefixing()
    assert not any(m.query_key_prefixing() for m in ens)
    assert not ens.query_key_prefixing()
    ens.enable_key_prefixing()
    assert all(m.query_key_prefixing() for m in ens)


# -- add_model ------------------------------------------------------------------------------


def test_add_model_appends_a_member(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, replicas=2)
    extra = Model("extra", {"k": 1}, rs, tmp_path / "extra")
    ens.add_model(extra)
    assert [m.name for m in ens] == ["ens_0", "ens_1", "extra"]
    assert ens["extra"] is extra


def test_add_model_fills_a_batch_only_ensemble(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, None, batch_settings=BatchSettings("sbatch"))
    ens.add_model(Model("solo", None, rs, tmp_path / "solo"))
    assert [m.name for m in ens] == ["solo"]


@pytest.mark.parametrize("not_a_model", ["ens_5", None, 42])
def test_add_model_refuses_non_models(tmp_path: Path, rs: RunSettings, not_a_model: object) -> None:
    ens = make(tmp_path, rs, replicas=1)
    with pytest.raises(TypeError, match=f"add_model takes a Model, got {type(not_a_model).__name__}"):
        ens.add_model(not_a_model)
    assert len(ens) == 1


def test_add_model_refuses_a_duplicate_name(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, replicas=2)
    with pytest.raises(EntityExistsError, match="'ens' already has a member named 'ens_1'"):
        ens.add_model(Model("ens_1", None, rs, tmp_path / "elsewhere"))
    assert len(ens) == 2


# -- files and incoming entities ------------------------------------------------------------


def test_attach_generator_files_applies_to_every_member(tmp_path: Path, rs: RunSettings) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "input.dat").write_text("data")
    (src / "big").mkdir()
    (src / "config.nml").write_text("steps = ;steps;")
    ens = make(tmp_path, rs, params={"steps": [10, 20]})
    ens.attach_generator_files(
        to_copy=src / "input.dat", to_symlink=[src / "big"], to_configure=[str(src / "config.nml")]
    )
    for member in ens:
        assert member.files.to_copy == ((src / "input.dat").resolve(),)
        assert member.files.to_symlink == ((src / "big").resolve(),)
        assert member.files.to_configure == ((src / "config.nml").resolve(),)


def test_attach_generator_files_missing_path_fails_for_the_ensemble(tmp_path: Path, rs: RunSettings) -> None:
    ens = make(tmp_path, rs, replicas=2)
    with pytest.raises(MissingFileError, match=r"nope\.txt"):
        ens.attach_generator_files(to_copy=[tmp_path / "nope.txt"])


def test_register_incoming_entity_reaches_every_member(tmp_path: Path, rs: RunSettings) -> None:
    producer = Model("producer", None, rs, tmp_path / "producer")
    ens = make(tmp_path, rs, params={"a": [1, 2, 3]})
    ens.register_incoming_entity(producer)
    assert ens.incoming_entities == [producer]
    assert all(m.incoming_entities == [producer] for m in ens)
    with pytest.raises(EntityExistsError, match="'producer' is already registered as incoming to 'ens'"):
        ens.register_incoming_entity(producer)


def test_failed_register_incoming_entity_leaves_ensemble_unchanged(tmp_path: Path, rs: RunSettings) -> None:
    producer = Model("producer", None, rs, tmp_path / "producer")
    ens = make(tmp_path, rs, replicas=2)
    ens.models[0].register_incoming_entity(producer)
    with pytest.raises(EntityExistsError):
        ens.register_incoming_entity(producer)
    assert ens.incoming_entities == []


# -- params_as_args -------------------------------------------------------------------------


def test_params_as_args_appends_each_members_values(exp: Experiment, rs: RunSettings) -> None:
    ens = exp.create_ensemble(
        "ens",
        params={"steps": [10, 20], "n": ["a b"]},
        run_settings=rs,
        params_as_args=["steps", "n"],
    )
    assert [m.run_settings.exe_args for m in ens] == [
        ["-c", "true", "--steps=10", "-n", "a b"],
        ["-c", "true", "--steps=20", "-n", "a b"],
    ]
    assert rs.exe_args == ["-c", "true"]


def test_params_as_args_with_replicas_stays_per_member(exp: Experiment, rs: RunSettings) -> None:
    ens = exp.create_ensemble("ens", params={"seed": [1]}, run_settings=rs, replicas=3, params_as_args=["seed"])
    assert [m.run_settings.exe_args for m in ens] == [["-c", "true", "--seed=1"]] * 3


def test_params_as_args_naming_a_missing_param_fails(exp: Experiment, rs: RunSettings) -> None:
    with pytest.raises(ParameterError, match=re.escape("params_as_args names ['nope']")):
        exp.create_ensemble("ens", params={"a": [1]}, run_settings=rs, params_as_args=["nope"])


# -- bad input ------------------------------------------------------------------------------


def test_run_settings_without_params_or_replicas_fails(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(HpcsimError, match="has run_settings but neither params nor replicas"):
        make(tmp_path, rs)


def test_neither_run_nor_batch_settings_fails(tmp_path: Path) -> None:
    with pytest.raises(HpcsimError, match="needs run_settings, batch_settings, or both"):
        make(tmp_path, None, params={"a": [1]})


@pytest.mark.parametrize("extra", [{"params": {"a": [1, 2]}}, {"replicas": 2}])
def test_params_or_replicas_with_only_batch_settings_fails(tmp_path: Path, extra: dict[str, object]) -> None:
    with pytest.raises(HpcsimError, match="no run_settings to launch its members with"):
        make(tmp_path, None, batch_settings=BatchSettings("sbatch"), **extra)


def test_unknown_perm_strategy_lists_the_valid_ones(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(
        UserStrategyError,
        match=re.escape("unknown perm_strategy 'all_perms'; choose one of ['all_perm', 'random', 'step']"),
    ):
        make(tmp_path, rs, params={"a": [1, 2]}, perm_strategy="all_perms")


def test_perm_strategy_of_wrong_type_fails(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(UserStrategyError, match="perm_strategy must be a name or a callable, got 42"):
        make(tmp_path, rs, params={"a": [1, 2]}, perm_strategy=42)


def test_step_with_lists_of_different_lengths_fails(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(
        UserStrategyError, match=re.escape("'step' needs value lists of one length, got {'a': 2, 'b': 3}")
    ):
        make(tmp_path, rs, params={"a": [1, 2], "b": [1, 2, 3]}, perm_strategy="step")


@pytest.mark.parametrize("n_models", [None, 0, -3])
def test_random_without_n_models_fails(tmp_path: Path, rs: RunSettings, n_models: int | None) -> None:
    with pytest.raises(UserStrategyError, match=r"'random' needs n_models >= 1 \(pass n_models=N"):
        make(tmp_path, rs, params={"a": [1, 2]}, perm_strategy="random", n_models=n_models)


@pytest.mark.parametrize(
    ("result", "shown"),
    [({"a": "1"}, "got dict"), (({"a": "1"},), "got tuple"), (None, "got NoneType"), (["a=1"], "but an item is str")],
)
def test_user_strategy_returning_non_list_of_dicts_fails(
    tmp_path: Path, rs: RunSettings, result: object, shown: str
) -> None:
    with pytest.raises(UserStrategyError, match=f"must return a list of dicts, {shown}"):
        make(tmp_path, rs, params={"a": [1]}, perm_strategy=lambda names, values, n: result)


def test_user_strategy_that_raises_is_reported(tmp_path: Path, rs: RunSettings) -> None:
    def broken(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
        raise ValueError("no good combination")

    with pytest.raises(UserStrategyError, match="raised ValueError: no good combination") as info:
        make(tmp_path, rs, params={"a": [1]}, perm_strategy=broken)
    assert isinstance(info.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("value", "type_name"),
    [({"x": 1}, "dict"), (None, "NoneType"), (True, "bool"), (object(), "object"), ([1, None], "NoneType")],
)
def test_params_of_unsupported_types_fail(tmp_path: Path, rs: RunSettings, value: object, type_name: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter 'a' has a value of type {type_name}"):
        make(tmp_path, rs, params={"a": value})


def test_param_with_empty_value_list_fails(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(ParameterError, match="parameter 'a' has an empty list of values"):
        make(tmp_path, rs, params={"a": []})


@pytest.mark.parametrize("replicas", [0, -1, "2", 2.0, True])
def test_bad_replicas_fail(tmp_path: Path, rs: RunSettings, replicas: object) -> None:
    with pytest.raises(HpcsimError, match=re.escape(f"replicas must be a positive integer, got {replicas!r}")):
        make(tmp_path, rs, params={"a": [1]}, replicas=replicas)


def test_unknown_create_ensemble_keyword_fails_and_registers_nothing(exp: Experiment, rs: RunSettings) -> None:
    with pytest.raises(
        ConfigError, match=re.escape("unknown keyword(s) ['n_model']; accepted: n_models, params_as_args")
    ):
        exp.create_ensemble("ens", params={"a": [1, 2]}, run_settings=rs, perm_strategy="random", n_model=1)
    ens = exp.create_ensemble("ens", params={"a": [1, 2]}, run_settings=rs, perm_strategy="random", n_models=1)
    assert len(ens) == 1


def test_user_strategy_returning_no_sets_fails(tmp_path: Path, rs: RunSettings) -> None:
    exp = Experiment("e", exp_path=tmp_path / "exp")
    with pytest.raises(UserStrategyError, match="returned no parameter sets"):
        exp.create_ensemble("ens", params={"a": [1]}, run_settings=rs, perm_strategy=lambda n, v, k: [])
    assert exp.create_ensemble("ens", params={"a": [1]}, run_settings=rs).name == "ens"


def test_params_as_args_as_a_string_is_refused(tmp_path: Path, rs: RunSettings) -> None:
    exp = Experiment("e", exp_path=tmp_path / "exp")
    with pytest.raises(ParameterError, match="must be a list of parameter names"):
        exp.create_ensemble("ens", params={"steps": [1]}, run_settings=rs, params_as_args="steps")
