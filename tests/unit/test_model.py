"""Models: parameters, params_as_args, attached files, key prefixing, incoming entities,
entity-name validation, and the duplicate-name checks of Experiment.create_model /
create_ensemble (a failed create registers nothing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hpcsim import BatchSettings, Experiment, Model, RunSettings
from hpcsim.errors import EntityExistsError, GenerationError, HpcsimError, MissingFileError, ParameterError


@pytest.fixture
def rs() -> RunSettings:
    return RunSettings("sh", exe_args=["-c", "true"])


@pytest.fixture
def exp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Experiment:
    monkeypatch.chdir(tmp_path)
    return Experiment("exp")


def model(tmp_path: Path, rs: RunSettings, name: str = "m", params: object = None, **kwargs: object) -> Model:
    return Model(name, params, rs, tmp_path / name, **kwargs)


# -- parameters -----------------------------------------------------------------------------


def test_params_are_stringified(tmp_path: Path, rs: RunSettings) -> None:
    m = model(tmp_path, rs, params={"steps": 10, "dt": 0.5, "mode": "fast", "big": 10**20})
    assert m.params == {"steps": "10", "dt": "0.5", "mode": "fast", "big": "100000000000000000000"}


def test_no_params_gives_an_empty_dict(tmp_path: Path, rs: RunSettings) -> None:
    assert model(tmp_path, rs).params == {}


@pytest.mark.parametrize(
    ("value", "type_name"), [([1, 2], "list"), ({"x": 1}, "dict"), (None, "NoneType"), (False, "bool")]
)
def test_params_of_unsupported_types_fail(tmp_path: Path, rs: RunSettings, value: object, type_name: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter 'p' has a value of type {type_name}"):
        model(tmp_path, rs, params={"p": value})


def test_param_error_is_also_a_type_error(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(TypeError):
        model(tmp_path, rs, params={"p": object()})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["a"], "params must be a dict, got list"),
        ({1: "x"}, "names must be non-empty strings, got 1"),
        ({"": "x"}, "names must be non-empty strings, got ''"),
    ],
)
def test_malformed_params_fail(tmp_path: Path, rs: RunSettings, params: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        model(tmp_path, rs, params=params)


def test_params_as_args_appends_formatted_values(tmp_path: Path, rs: RunSettings) -> None:
    m = model(tmp_path, rs, params={"steps": 5, "v": "two words", "unused": 1}, params_as_args=["steps", "v"])
    assert m.run_settings.exe_args == ["-c", "true", "--steps=5", "-v", "two words"]


def test_params_as_args_naming_a_missing_param_fails(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(
        ParameterError,
        match=re.escape("params_as_args names ['missing'] that are not parameters of 'm' (parameters: ['steps'])"),
    ):
        model(tmp_path, rs, params={"steps": 5}, params_as_args=["steps", "missing"])
    assert rs.exe_args == ["-c", "true"]


def test_settings_of_the_wrong_type_fail(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(TypeError, match="run_settings must be RunSettings, got str"):
        Model("m", None, "sh", tmp_path / "m")
    with pytest.raises(TypeError, match="batch_settings must be BatchSettings, got dict"):
        Model("m", None, rs, tmp_path / "m", batch_settings={"nodes": 1})
    assert Model("m", None, rs, tmp_path / "m", batch_settings=BatchSettings("sbatch")).batch_settings is not None


# -- attached files -------------------------------------------------------------------------


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    root.mkdir()
    (root / "in.dat").write_text("data")
    (root / "conf.nml").write_text("n = ;n;")
    (root / "tables").mkdir()
    return root


@pytest.mark.parametrize("kind", ["to_copy", "to_symlink", "to_configure"])
def test_attaching_a_missing_path_names_it(tmp_path: Path, rs: RunSettings, src: Path, kind: str) -> None:
    m = model(tmp_path, rs)
    missing = src / "not-there.txt"
    with pytest.raises(MissingFileError, match=f"{kind}: '{re.escape(str(missing))}' does not exist") as info:
        m.attach_generator_files(**{kind: [src / "in.dat", missing]})
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, HpcsimError)


def test_the_params_log_name_is_reserved(tmp_path: Path, rs: RunSettings, src: Path) -> None:
    reserved = src / "hpcsim_params.txt"
    reserved.write_text("mine")
    with pytest.raises(GenerationError, match=r"uses the reserved file name hpcsim_params\.txt"):
        model(tmp_path, rs).attach_generator_files(to_copy=reserved)


def test_attached_entries_must_be_paths(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(GenerationError, match="to_symlink entries must be paths, got 3"):
        model(tmp_path, rs).attach_generator_files(to_symlink=[3])


def test_attached_paths_are_absolute(
    tmp_path: Path, rs: RunSettings, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(src)
    m = model(tmp_path, rs)
    m.attach_generator_files(to_copy="in.dat", to_symlink=[Path("tables")], to_configure=["conf.nml"])
    assert m.files.to_copy == ((src / "in.dat").resolve(),)
    assert m.files.to_symlink == ((src / "tables").resolve(),)
    assert m.files.to_configure == ((src / "conf.nml").resolve(),)
    assert "in.dat" in m.attached_files_table and "tables" in m.attached_files_table


def test_each_attach_call_replaces_the_previous(tmp_path: Path, rs: RunSettings, src: Path) -> None:
    m = model(tmp_path, rs)
    m.attach_generator_files(to_copy=[src / "in.dat"], to_symlink=[src / "tables"])
    m.attach_generator_files(to_configure=[src / "conf.nml"])
    assert m.files.to_copy == ()
    assert m.files.to_symlink == ()
    assert m.files.to_configure == ((src / "conf.nml").resolve(),)
    m.attach_generator_files()
    assert m.attached_files_table == "no attached files"


def test_a_failed_attach_keeps_the_previous_files(tmp_path: Path, rs: RunSettings, src: Path) -> None:
    m = model(tmp_path, rs)
    m.attach_generator_files(to_copy=[src / "in.dat"])
    with pytest.raises(MissingFileError):
        m.attach_generator_files(to_copy=[src / "gone"])
    assert m.files.to_copy == ((src / "in.dat").resolve(),)


def test_an_attached_symlink_keeps_its_own_name(tmp_path: Path, rs: RunSettings, src: Path) -> None:
    (src / "current").symlink_to(src / "tables")
    m = model(tmp_path, rs)
    m.attach_generator_files(to_symlink=[src / "current"])
    assert m.files.to_symlink[0].name == "current"


# -- key prefixing and incoming entities ----------------------------------------------------


def test_key_prefixing_enable_disable_query(tmp_path: Path, rs: RunSettings) -> None:
    m = model(tmp_path, rs)
    assert m.query_key_prefixing() is False
    m.enable_key_prefixing()
    assert m.query_key_prefixing() is True
    m.disable_key_prefixing()
    assert m.query_key_prefixing() is False


def test_create_model_can_enable_key_prefixing(exp: Experiment, rs: RunSettings) -> None:
    assert exp.create_model("on", rs, enable_key_prefixing=True).query_key_prefixing() is True
    assert exp.create_model("off", rs).query_key_prefixing() is False


def test_register_incoming_entity(tmp_path: Path, rs: RunSettings) -> None:
    consumer, producer, other = (model(tmp_path, rs, name) for name in ("consumer", "producer", "other"))
    consumer.register_incoming_entity(producer)
    consumer.register_incoming_entity(other)
    assert consumer.incoming_entities == [producer, other]
    with pytest.raises(EntityExistsError, match="'producer' is already registered as incoming to 'consumer'"):
        consumer.register_incoming_entity(model(tmp_path, rs, "producer"))
    assert consumer.incoming_entities == [producer, other]


def test_register_incoming_entity_takes_entities_only(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(TypeError, match="takes a Model or Ensemble, got str"):
        model(tmp_path, rs).register_incoming_entity("producer")


# -- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "a/b", "has space", "$(x)", "-rf", ".hidden", "x" * 129, "tab\tname", None, 7])
def test_invalid_names_are_refused(tmp_path: Path, rs: RunSettings, name: object) -> None:
    with pytest.raises(HpcsimError, match=re.escape(f"model name {name!r} is invalid: use 1-128 letters")):
        Model(name, None, rs, tmp_path / "m")


@pytest.mark.parametrize("name", ["a", "Model-1.v2_final", "0start", "x" * 128])
def test_valid_names_are_accepted(tmp_path: Path, rs: RunSettings, name: str) -> None:
    assert Model(name, None, rs, tmp_path / "m").name == name


def test_a_name_with_a_trailing_newline_is_refused(tmp_path: Path, rs: RunSettings) -> None:
    with pytest.raises(HpcsimError, match="is invalid"):
        Model("job\n", None, rs, tmp_path / "m")


def test_invalid_experiment_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HpcsimError, match="experiment name 'my exp' is invalid"):
        Experiment("my exp", exp_path=tmp_path)


def test_model_path_defaults_to_the_experiment_dir(exp: Experiment, tmp_path: Path, rs: RunSettings) -> None:
    assert exp.create_model("m", rs).path == str(tmp_path / "exp" / "m")
    assert exp.create_model("n", rs, path=tmp_path / "elsewhere").path == str(tmp_path / "elsewhere")


# -- duplicate names in an experiment -------------------------------------------------------


def test_duplicate_model_names_fail(exp: Experiment, rs: RunSettings) -> None:
    first = exp.create_model("m", rs)
    with pytest.raises(EntityExistsError, match="experiment 'exp' already has an entity named 'm'"):
        exp.create_model("m", rs)
    assert exp.create_model("m2", rs) is not first


def test_ensemble_named_like_a_model_fails(exp: Experiment, rs: RunSettings) -> None:
    exp.create_model("sim", rs)
    with pytest.raises(EntityExistsError, match="already has an entity named 'sim'"):
        exp.create_ensemble("sim", replicas=2, run_settings=rs)


def test_model_named_like_an_ensemble_member_fails(exp: Experiment, rs: RunSettings) -> None:
    exp.create_ensemble("ens", params={"a": [1, 2]}, run_settings=rs)
    with pytest.raises(EntityExistsError, match="already has an entity named 'ens_1'"):
        exp.create_model("ens_1", rs)
    with pytest.raises(EntityExistsError, match="already has an entity named 'ens'"):
        exp.create_model("ens", rs)
    assert exp.create_model("ens_2", rs).name == "ens_2"


def test_ensemble_whose_member_clashes_registers_nothing(exp: Experiment, rs: RunSettings) -> None:
    exp.create_model("ens_1", rs)
    with pytest.raises(EntityExistsError, match="already has an entity named 'ens_1'"):
        exp.create_ensemble("ens", replicas=3, run_settings=rs)
    # neither the ensemble's name nor its other members' names were taken
    assert exp.create_model("ens", rs).name == "ens"
    assert exp.create_model("ens_0", rs).name == "ens_0"
    assert exp.create_model("ens_2", rs).name == "ens_2"


def test_a_create_that_fails_validation_leaves_the_name_free(exp: Experiment, rs: RunSettings) -> None:
    with pytest.raises(ParameterError):
        exp.create_model("m", rs, params={"bad": None})
    with pytest.raises(HpcsimError):
        exp.create_ensemble("e", params={"a": [1]}, run_settings=rs, replicas=0)
    assert exp.create_model("m", rs).name == "m"
    assert len(exp.create_ensemble("e", params={"a": [1]}, run_settings=rs)) == 1
