"""ML models, scripts and functions on entities (add_ml_model/add_script/add_function): the checks
made at the call, devices, names, ensemble propagation, the manifest written for the databases
and read back, and the launch-time checks that need no server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Ensemble, Experiment, Model, RunSettings, Status
from hpcsim.control.colocation import ml_manifest_path
from hpcsim.control.dbobjects import check_database_for, shared_manifest_dir, write_colocated_manifests
from hpcsim.entities.dbobjects import DBModel, DBScript
from hpcsim.errors import ConfigError, EntityExistsError, LaunchError, MissingFileError
from hpcsim.ml.manifest import MANIFEST_NAME, load_manifest, read_manifest, write_manifest

BLOB = b"\x80\x02serialized-model"
NEGATE = "def negate(x):\n\treturn torch.neg(x)\n"


def timestwo(x):
    """TorchScript source, read by inspect."""
    return 2 * x


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "net.pt"
    path.write_bytes(BLOB)
    return path


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    path = tmp_path / "negate.py"
    path.write_text(NEGATE)
    return path


def make_model(tmp_path: Path, name: str = "sim") -> Model:
    return Model(name, None, RunSettings("sh", exe_args=["-c", "true"]), tmp_path / name)


# -- DBModel: what add_ml_model accepts --------------------------------------------------------


def test_model_defaults_and_normalisation(model_file: Path) -> None:
    m = DBModel("net", "torch", model_path=str(model_file), device="cpu")
    assert (m.name, m.backend, m.device, m.file, m.model) == ("net", "TORCH", "CPU", model_file, None)
    assert (m.devices_per_node, m.first_device, m.batch_size, m.min_batch_size, m.min_batch_timeout) == (1, 0, 0, 0, 0)
    assert (m.tag, m.inputs, m.outputs, m.is_file) == ("", (), (), True)


def test_in_memory_model_keeps_its_bytes() -> None:
    m = DBModel("net", "ONNX", model=bytearray(BLOB))
    assert m.model == BLOB and isinstance(m.model, bytes) and not m.is_file and m.file is None


@pytest.mark.parametrize("backend", ["tf", "TFLite", "Torch", "onnx"])
def test_every_backend_is_accepted_in_any_case(backend: str) -> None:
    assert DBModel("net", backend, model=BLOB).backend == backend.upper()


@pytest.mark.parametrize("backend", ["PYTORCH", "", "keras", 3])
def test_unknown_backend_is_refused(backend: Any) -> None:
    with pytest.raises(ConfigError, match=r"backend .* is not supported; use one of TF, TFLITE, TORCH, ONNX"):
        DBModel("net", backend, model=BLOB)


def test_model_needs_exactly_one_source(model_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"exactly one of model= \(in memory\) or model_file= .* not neither"):
        DBModel("net", "TORCH")
    with pytest.raises(ConfigError, match="not both"):
        DBModel("net", "TORCH", model=BLOB, model_path=model_file)


def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "net.pt"
    with pytest.raises(MissingFileError, match=re.escape(str(missing))) as info:
        DBModel("net", "TORCH", model_path=missing)
    assert isinstance(info.value, FileNotFoundError)


def test_model_path_must_be_a_file(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match="is not a file"):
        DBModel("net", "TORCH", model_path=tmp_path)


def test_model_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="model must be the serialized model as bytes, got str"):
        DBModel("net", "TORCH", model="not bytes")
    with pytest.raises(ConfigError, match="model is empty"):
        DBModel("net", "TORCH", model=b"")


@pytest.mark.parametrize("name", ["", "   ", None, 7])
def test_name_must_be_a_non_empty_string(name: Any) -> None:
    with pytest.raises(ConfigError, match="ML model name must be a non-empty string"):
        DBModel(name, "TORCH", model=BLOB)
    with pytest.raises(ConfigError, match="script name must be a non-empty string"):
        DBScript(name, NEGATE)


@pytest.mark.parametrize(
    ("device", "expected"), [("cpu", "CPU"), ("GPU", "GPU"), ("gpu:1", "GPU:1"), (" Gpu:12 ", "GPU:12")]
)
def test_device_is_upper_cased(device: str, expected: str) -> None:
    assert DBModel("net", "TORCH", model=BLOB, device=device).device == expected


@pytest.mark.parametrize("device", ["TPU", "CPU:0", "GPU:", "GPU:x", "GPU:-1", "gpu0", ""])
def test_unknown_device_is_refused(device: str) -> None:
    with pytest.raises(ConfigError, match=r"device .* is not valid: use 'CPU', 'GPU' or 'GPU:<n>'"):
        DBModel("net", "TORCH", model=BLOB, device=device)


def test_device_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="device must be a string"):
        DBScript("s", NEGATE, device=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"devices_per_node": 0}, ConfigError, "devices_per_node must be at least 1, got 0"),
        ({"devices_per_node": True}, TypeError, "devices_per_node must be an integer"),
        ({"devices_per_node": 2.0}, TypeError, "devices_per_node must be an integer"),
        ({"first_device": -1}, ConfigError, "first_device must be at least 0, got -1"),
        ({"first_device": "1"}, TypeError, "first_device must be an integer"),
        ({"device": "CPU", "devices_per_node": 2}, ConfigError, "devices_per_node=2 needs device='GPU'"),
        ({"device": "CPU", "first_device": 1}, ConfigError, "first_device=1 needs device='GPU'"),
        ({"device": "GPU:1", "devices_per_node": 2}, ConfigError, "names one GPU, so devices_per_node=2"),
        ({"device": "GPU:1", "first_device": 1}, ConfigError, "already names its GPU; drop first_device=1"),
    ],
)
def test_bad_device_counts_are_refused(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        DBModel("net", "TORCH", model=BLOB, **kwargs)
    with pytest.raises(error, match=re.escape(message)):
        DBScript("s", NEGATE, **kwargs)


@pytest.mark.parametrize(
    ("device", "per_node", "first", "devices"),
    [
        ("CPU", 1, 0, ["CPU"]),
        ("GPU", 1, 0, ["GPU"]),
        ("GPU:3", 1, 0, ["GPU:3"]),
        ("GPU", 1, 2, ["GPU:2"]),
        ("GPU", 2, 0, ["GPU:0", "GPU:1"]),
        ("GPU", 3, 1, ["GPU:1", "GPU:2", "GPU:3"]),
    ],
)
def test_devices_are_enumerated(device: str, per_node: int, first: int, devices: list[str]) -> None:
    assert DBModel("n", "TORCH", model=BLOB, device=device, devices_per_node=per_node, first_device=first).devices == (
        devices
    )
    assert DBScript("s", NEGATE, device=device, devices_per_node=per_node, first_device=first).devices == devices


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": -1}, ConfigError, "batch_size must be at least 0, got -1"),
        ({"min_batch_size": -2}, ConfigError, "min_batch_size must be at least 0, got -2"),
        ({"min_batch_timeout": -3}, ConfigError, "min_batch_timeout must be at least 0, got -3"),
        ({"batch_size": 1.5}, TypeError, "batch_size must be an integer"),
        ({"batch_size": False}, TypeError, "batch_size must be an integer"),
        ({"min_batch_size": 2}, ConfigError, "min_batch_size needs batching; set batch_size > 0"),
        ({"min_batch_timeout": 10}, ConfigError, "min_batch_timeout needs batching; set batch_size > 0"),
        ({"batch_size": 8, "min_batch_timeout": 10}, ConfigError, "min_batch_timeout needs min_batch_size > 0"),
        ({"tag": 1}, TypeError, "tag must be a string"),
    ],
)
def test_bad_batching_is_refused(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        DBModel("net", "TORCH", model=BLOB, **kwargs)


def test_batching_is_kept() -> None:
    m = DBModel("net", "TORCH", model=BLOB, batch_size=16, min_batch_size=4, min_batch_timeout=50, tag="v2")
    assert (m.batch_size, m.min_batch_size, m.min_batch_timeout, m.tag) == (16, 4, 50, "v2")


def test_tf_inputs_and_outputs() -> None:
    m = DBModel("net", "tf", model=BLOB, inputs="x", outputs=["a", "b"])
    assert (m.inputs, m.outputs) == (("x",), ("a", "b"))


@pytest.mark.parametrize("backend", ["TORCH", "ONNX", "TFLITE"])
def test_inputs_and_outputs_are_for_tf_only(backend: str) -> None:
    with pytest.raises(ConfigError, match=f"inputs apply to TF graphs only; a {backend} model"):
        DBModel("net", backend, model=BLOB, inputs=["x"])
    with pytest.raises(ConfigError, match=f"outputs apply to TF graphs only; a {backend} model"):
        DBModel("net", backend, model=BLOB, outputs="y")


@pytest.mark.parametrize("inputs", [[1], [""], 5, {"x": 1}])
def test_inputs_must_be_names(inputs: Any) -> None:
    with pytest.raises(TypeError, match="inputs must be a non-empty string or a list of them"):
        DBModel("net", "TF", model=BLOB, inputs=inputs)


def test_objects_are_immutable_and_compare_by_value() -> None:
    m = DBModel("net", "TORCH", model=BLOB)
    with pytest.raises(AttributeError):
        m.device = "GPU"
    assert m == DBModel("net", "torch", model=BLOB) and hash(m) == hash(DBModel("net", "TORCH", model=BLOB))
    assert m != DBModel("net", "TORCH", model=BLOB + b"!")
    assert "<18 bytes>" in repr(m) and "TORCH" in repr(m)


# -- DBScript and functions ---------------------------------------------------------------------


def test_script_in_memory_and_from_a_file(script_file: Path) -> None:
    assert DBScript("s", NEGATE).script == NEGATE
    on_disk = DBScript("s", script_path=script_file, device="gpu")
    assert (on_disk.file, on_disk.script, on_disk.device, on_disk.is_file) == (script_file, None, "GPU", True)


def test_script_needs_exactly_one_source(script_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"script 's': give exactly one of script= .* script_path= .*neither"):
        DBScript("s")
    with pytest.raises(ConfigError, match="not both"):
        DBScript("s", NEGATE, script_file)


@pytest.mark.parametrize("script", ["", "  \n", b"def f(x): return x"])
def test_script_must_be_source_text(script: Any) -> None:
    with pytest.raises(ConfigError, match="script must be non-empty TorchScript source text"):
        DBScript("s", script)


def test_missing_script_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(MissingFileError, match=re.escape(str(tmp_path / "gone.py"))):
        DBScript("s", script_path=tmp_path / "gone.py")


def test_function_source_and_name_are_taken_from_a_python_function() -> None:
    def negate_twice(x):
        return torch.neg(torch.neg(x))  # noqa: F821

    script = DBScript.from_function("f", negate_twice)
    assert script.function_name == "negate_twice"
    assert script.script is not None and script.script.startswith("def negate_twice(x):")  # dedented
    assert "return torch.neg(torch.neg(x))" in script.script
    assert DBScript.from_function("g", timestwo).script == (
        'def timestwo(x):\n    """TorchScript source, read by inspect."""\n    return 2 * x\n'
    )


def test_function_as_source_text_takes_the_name_of_its_first_def() -> None:
    assert DBScript.from_function("f", NEGATE).function_name == "negate"
    assert DBScript.from_function("f", "x = 1\n").function_name is None


@pytest.mark.parametrize(
    ("function", "error", "message"),
    [
        (None, ConfigError, "function 'f': function= is required"),
        (lambda x: x, ConfigError, "function cannot be a lambda"),
        (len, TypeError, "function must be a Python function or TorchScript source text"),
        (42, TypeError, "function must be a Python function or TorchScript source text"),
        ("", ConfigError, "function is an empty string"),
    ],
)
def test_bad_functions_are_refused(function: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        DBScript.from_function("f", function)


def test_function_without_readable_source_is_refused() -> None:
    namespace: dict[str, Any] = {}
    exec("def made_up(x):\n    return x\n", namespace)
    with pytest.raises(ConfigError, match="the source of function 'made_up' cannot be read"):
        DBScript.from_function("f", namespace["made_up"])


# -- on a model -------------------------------------------------------------------------------


def test_model_collects_its_objects_in_order(tmp_path: Path, model_file: Path, script_file: Path) -> None:
    m = make_model(tmp_path)
    assert (m.db_models, m.db_scripts, m.has_db_objects) == ([], [], False)
    m.add_ml_model("a", "torch", model=BLOB, device="GPU", devices_per_node=2, first_device=1, batch_size=4)
    m.add_ml_model("b", "TORCH", model_path=model_file)
    m.add_script("c", script_path=script_file)
    m.add_function("d", timestwo)
    assert [o.name for o in m.db_models] == ["a", "b"] and [o.name for o in m.db_scripts] == ["c", "d"]
    assert m.db_models[0] == DBModel(
        "a", "TORCH", model=BLOB, device="GPU", devices_per_node=2, first_device=1, batch_size=4
    )
    assert m.db_scripts[1].function_name == "timestwo" and m.has_db_objects
    m.db_models.clear()  # a copy: the model's own list is untouched
    assert len(m.db_models) == 2


def test_model_validates_at_the_call(tmp_path: Path) -> None:
    m = make_model(tmp_path)
    with pytest.raises(ConfigError, match="backend 'JAX' is not supported"):
        m.add_ml_model("a", "JAX", model=BLOB)
    with pytest.raises(MissingFileError, match=r"nope\.py"):
        m.add_script("s", script_path=tmp_path / "nope.py")
    with pytest.raises(ConfigError, match="function= is required"):
        m.add_function("f")
    assert not m.has_db_objects


def test_one_name_per_model_across_models_and_scripts(tmp_path: Path) -> None:
    m = make_model(tmp_path)
    m.add_ml_model("a", "TORCH", model=BLOB)
    with pytest.raises(EntityExistsError, match="model 'sim' already has an ML model named 'a'"):
        m.add_ml_model("a", "TORCH", model=BLOB)
    with pytest.raises(EntityExistsError, match="model 'sim' already has an ML model named 'a'"):
        m.add_script("a", NEGATE)
    m.add_script("s", NEGATE)
    with pytest.raises(EntityExistsError, match="model 'sim' already has a script named 's'"):
        m.add_function("s", timestwo)
    assert len(m.db_models) == 1 and len(m.db_scripts) == 1


# -- on an ensemble -----------------------------------------------------------------------------


def make_ensemble(tmp_path: Path, replicas: int = 2) -> Ensemble:
    return Ensemble("ens", None, tmp_path / "ens", run_settings=RunSettings("true"), replicas=replicas)


def test_ensemble_objects_reach_every_member_current_and_later(tmp_path: Path) -> None:
    ens = make_ensemble(tmp_path)
    ens.add_ml_model("net", "TORCH", model=BLOB)
    ens.add_script("neg", NEGATE)
    ens.add_function("twice", timestwo)
    later = make_model(tmp_path, "later")
    ens.add_model(later)
    assert [o.name for o in ens.db_models] == ["net"] and [o.name for o in ens.db_scripts] == ["neg", "twice"]
    for member in ens:
        assert member.db_models == ens.db_models and member.db_scripts == ens.db_scripts


def test_ensemble_name_clash_with_a_member_adds_to_none(tmp_path: Path) -> None:
    ens = make_ensemble(tmp_path)
    ens["ens_1"].add_script("net", NEGATE)
    with pytest.raises(EntityExistsError, match="model 'ens_1' already has a script named 'net'"):
        ens.add_ml_model("net", "TORCH", model=BLOB)
    assert ens.db_models == [] and ens["ens_0"].db_models == [] and ens["ens_1"].db_models == []
    ens.add_ml_model("other", "TORCH", model=BLOB)
    with pytest.raises(EntityExistsError, match="ensemble 'ens' already has an ML model named 'other'"):
        ens.add_ml_model("other", "TORCH", model=BLOB)


def test_added_member_with_a_clashing_object_is_refused(tmp_path: Path) -> None:
    ens = make_ensemble(tmp_path)
    ens.add_ml_model("net", "TORCH", model=BLOB)
    clash = make_model(tmp_path, "clash")
    clash.add_ml_model("net", "ONNX", model=BLOB)
    with pytest.raises(EntityExistsError, match="model 'clash' already has an ML model named 'net'"):
        ens.add_model(clash)
    assert "clash" not in [m.name for m in ens]
    same = make_model(tmp_path, "same")
    same.add_ml_model("net", "TORCH", model=BLOB)  # the very same object: nothing to clash with
    ens.add_model(same)
    assert same.db_models == ens.db_models


# -- the manifest ----------------------------------------------------------------------------------


def test_manifest_round_trip(tmp_path: Path, model_file: Path, script_file: Path) -> None:
    models = [
        DBModel("in memory", "torch", model=BLOB, device="GPU", devices_per_node=2, batch_size=8, min_batch_size=2),
        DBModel("on disk", "TF", model_path=model_file, inputs="x", outputs=["y"], tag="v1"),
    ]
    scripts = [
        DBScript("neg", NEGATE),
        DBScript("file", script_path=script_file, device="GPU:1"),
        DBScript.from_function("twice", timestwo),
    ]
    directory = tmp_path / "ml"
    path = write_manifest(models, scripts, directory)
    assert path == directory / MANIFEST_NAME
    data = json.loads(path.read_text())
    blob_file = Path(data["models"][0]["file"])
    assert blob_file.is_absolute() and blob_file.parent == directory and blob_file.suffix == ".pt"
    assert blob_file.read_bytes() == BLOB
    assert data["models"][0] == {
        "name": "in memory",
        "backend": "TORCH",
        "file": str(blob_file),
        "device": "GPU",
        "devices_per_node": 2,
        "first_device": 0,
        "batch_size": 8,
        "min_batch_size": 2,
        "min_batch_timeout": 0,
        "tag": "",
        "inputs": [],
        "outputs": [],
    }
    assert data["models"][1]["file"] == str(model_file)
    assert data["scripts"][1] == {
        "name": "file",
        "file": str(script_file),
        "device": "GPU:1",
        "devices_per_node": 1,
        "first_device": 0,
    }
    assert Path(data["scripts"][0]["file"]).read_text() == NEGATE
    assert Path(data["scripts"][2]["file"]).read_text().startswith("def timestwo(x):")
    read_models, read_scripts = read_manifest(path)
    assert read_models[0] == DBModel(
        "in memory", "TORCH", model_path=blob_file, device="GPU", devices_per_node=2, batch_size=8, min_batch_size=2
    )
    assert read_models[1] == models[1]
    assert read_scripts[1] == scripts[1]
    assert [s.name for s in read_scripts] == ["neg", "file", "twice"]


def test_manifest_rewrite_removes_stale_blobs_and_is_deterministic(tmp_path: Path) -> None:
    first = write_manifest([DBModel("a", "ONNX", model=BLOB), DBModel("b", "ONNX", model=BLOB)], [], tmp_path)
    mine = {p.name for p in tmp_path.iterdir()}
    assert mine == {MANIFEST_NAME, "model0-a.onnx", "model1-b.onnx"}
    (tmp_path / "user-file.txt").write_text("kept")
    again = write_manifest([DBModel("a", "ONNX", model=BLOB)], [], tmp_path)
    assert again == first
    assert {p.name for p in tmp_path.iterdir()} == {MANIFEST_NAME, "model0-a.onnx", "user-file.txt"}


def test_manifest_file_names_are_safe(tmp_path: Path) -> None:
    write_manifest([DBModel("../a b/c", "TFLITE", model=BLOB)], [DBScript("x/y", NEGATE)], tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {MANIFEST_NAME, "model0-.._a_b_c.tflite", "script0-x_y.py"}


class RecordingClient:
    """Stands in for hpcsim.Client: records the SmartRedis calls load_manifest makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((method, args, kwargs))

        return record


def test_load_manifest_calls_the_client(tmp_path: Path, model_file: Path) -> None:
    models = [
        DBModel("cpu", "TORCH", model_path=model_file, batch_size=4, min_batch_size=2, min_batch_timeout=5, tag="t"),
        DBModel("gpus", "TF", model_path=model_file, device="GPU", devices_per_node=2, first_device=1, inputs="x"),
        DBModel("third", "ONNX", model_path=model_file, device="GPU", first_device=3),
    ]
    scripts = [DBScript("s", NEGATE), DBScript("sg", NEGATE, device="gpu", devices_per_node=4)]
    path = write_manifest(models, scripts, tmp_path / "ml")
    client = RecordingClient()
    assert load_manifest(client, path) == ["cpu", "gpus", "third", "s", "sg"]
    script_files = [Path(e["file"]) for e in json.loads(path.read_text())["scripts"]]
    file = str(model_file)
    no_batching = {"batch_size": 0, "min_batch_size": 0, "min_batch_timeout": 0, "tag": "", "outputs": None}
    assert client.calls == [
        (
            "set_model_from_file",
            ("cpu", file, "TORCH", "CPU"),
            {"batch_size": 4, "min_batch_size": 2, "min_batch_timeout": 5, "tag": "t", "inputs": None, "outputs": None},
        ),
        ("set_model_from_file_multigpu", ("gpus", file, "TF", 1, 2), {**no_batching, "inputs": ["x"]}),
        ("set_model_from_file", ("third", file, "ONNX", "GPU:3"), {**no_batching, "inputs": None}),
        ("set_script_from_file", ("s", str(script_files[0]), "CPU"), {}),
        ("set_script_from_file_multigpu", ("sg", str(script_files[1]), 0, 4), {}),
    ]


def write_raw(tmp_path: Path, data: object) -> Path:
    path = tmp_path / MANIFEST_NAME
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def good_model(tmp_path: Path) -> dict[str, Any]:
    blob = tmp_path / "m.pt"
    blob.write_bytes(BLOB)
    return json.loads(write_manifest([DBModel("m", "TORCH", model_path=blob)], [], tmp_path).read_text())["models"][0]


def test_relative_files_are_relative_to_the_manifest(tmp_path: Path) -> None:
    entry = {**good_model(tmp_path), "file": "m.pt"}
    models, _ = read_manifest(write_raw(tmp_path, {"models": [entry]}))
    assert models[0].file == tmp_path / "m.pt"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"backend": "JAX"}, r"models\[0\]: ML model 'm': backend 'JAX' is not supported"),
        ({"device": "TPU"}, r"models\[0\]: device 'TPU' is not valid"),
        ({"devices_per_node": True}, r"models\[0\]: field 'devices_per_node' must be an integer, got True"),
        ({"batch_size": "8"}, r"models\[0\]: field 'batch_size' must be an integer, got '8'"),
        ({"inputs": "x"}, r"models\[0\]: field 'inputs' must be a list, got 'x'"),
        ({"min_batch_size": 3}, r"models\[0\]: ML model 'm': min_batch_size needs batching"),
        ({"name": ""}, r"models\[0\]: ML model name must be a non-empty string"),
    ],
)
def test_bad_model_entry_names_the_file_entry_and_field(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = write_raw(tmp_path, {"models": [{**good_model(tmp_path), **change}], "scripts": []})
    with pytest.raises(ConfigError, match=re.escape(f"ML manifest {str(path)!r}: ") + message):
        read_manifest(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "is not valid JSON"),
        ([], "must hold a JSON object with 'models' and 'scripts'"),
        ({"models": {}}, "field 'models' must be a list, got {}"),
        ({"scripts": [3]}, r"scripts\[0\] must be an object, got 3"),
        (
            {"scripts": [{"name": "s", "file": "x.py", "device": "CPU", "devices_per_node": 1}]},
            "lacks the field 'first_device'",
        ),
    ],
)
def test_malformed_manifest_is_refused(tmp_path: Path, data: object, message: str) -> None:
    path = write_raw(tmp_path, data)
    with pytest.raises(ConfigError, match=re.escape(str(path)) + ".*" + message):
        read_manifest(path)


def test_missing_manifest_and_missing_object_file(tmp_path: Path) -> None:
    with pytest.raises(
        MissingFileError, match=re.escape(f"ML manifest {str(tmp_path / 'none.json')!r} does not exist")
    ):
        read_manifest(tmp_path / "none.json")
    entry = {**good_model(tmp_path), "file": str(tmp_path / "gone.pt")}
    with pytest.raises(MissingFileError, match=r"models\[0\]: .*gone\.pt"):
        read_manifest(write_raw(tmp_path, {"models": [entry]}))


def test_nothing_is_loaded_from_a_manifest_with_one_bad_entry(tmp_path: Path) -> None:
    good = good_model(tmp_path)
    path = write_raw(tmp_path, {"models": [good, {**good, "device": "TPU"}]})
    client = RecordingClient()
    with pytest.raises(ConfigError, match=r"models\[1\]"):
        load_manifest(client, path)
    assert client.calls == []


# -- at launch (no server needed) -------------------------------------------------------------


def test_no_database_for_a_model_with_objects_is_refused(tmp_path: Path) -> None:
    m = make_model(tmp_path)
    check_database_for([m], database_running=False)  # nothing to load: fine
    m.add_ml_model("net", "TORCH", model=BLOB)
    with pytest.raises(LaunchError, match=r"model 'sim' has ML models or scripts .* but no database is running"):
        check_database_for([m], database_running=False)
    check_database_for([m], database_running=True)


def test_two_models_with_different_objects_under_one_name_are_refused(tmp_path: Path) -> None:
    a, b, c = make_model(tmp_path, "a"), make_model(tmp_path, "b"), make_model(tmp_path, "c")
    a.add_ml_model("net", "TORCH", model=BLOB)
    c.add_ml_model("net", "TORCH", model=BLOB)  # equal: loaded once
    check_database_for([a, c], database_running=True)
    b.add_ml_model("net", "TORCH", model=BLOB + b"v2")
    with pytest.raises(LaunchError, match="models 'a' and 'b' both add an ML model or script named 'net'"):
        check_database_for([a, c, b], database_running=True)


def test_colocated_model_needs_no_running_database(tmp_path: Path) -> None:
    m = make_model(tmp_path)
    m.colocate_db_tcp(port=6999)
    m.add_script("neg", NEGATE)
    check_database_for([m], database_running=False)


def test_colocated_manifest_is_written_where_the_prologue_looks(tmp_path: Path) -> None:
    plain, colocated = make_model(tmp_path, "plain"), make_model(tmp_path, "colo")
    plain.add_script("neg", NEGATE)
    colocated.colocate_db_tcp(port=6999)
    colocated.add_ml_model("net", "TORCH", model=BLOB)
    assert write_colocated_manifests([plain, colocated]) == [ml_manifest_path(colocated)]
    assert ml_manifest_path(colocated) == tmp_path / "colo" / ".hpcsim" / "ml" / MANIFEST_NAME
    assert [m.name for m in read_manifest(ml_manifest_path(colocated))[0]] == ["net"]
    assert not ml_manifest_path(plain).exists()


def test_preview_names_the_manifest_but_writes_nothing(tmp_path: Path) -> None:
    exp = Experiment("ml", exp_path=tmp_path / "exp", launcher="local")
    colocated = exp.create_model("colo", exp.create_run_settings("true"))
    colocated.colocate_db_uds(unix_socket=str(tmp_path / "colo.sock"))
    without = exp.create_model("without", exp.create_run_settings("true"))
    without.colocate_db_tcp(port=6999)
    colocated.add_function("twice", timestwo)
    text = exp.preview(colocated, without)
    assert f"--load {ml_manifest_path(colocated)}" in text
    assert text.count("--load") == 1
    assert not ml_manifest_path(colocated).exists()
    assert not shared_manifest_dir(exp.exp_path).exists()


def test_start_without_a_database_fails_before_launching(tmp_path: Path) -> None:
    exp = Experiment("ml", exp_path=tmp_path / "exp", launcher="local")
    m = exp.create_model("app", exp.create_run_settings("true"))
    m.add_ml_model("net", "TORCH", model=BLOB)
    with pytest.raises(LaunchError, match="no database is running to load them into: start one first"):
        exp.start(m)
    assert exp.get_status(m) == [Status.NEVER_STARTED]  # nothing was launched
