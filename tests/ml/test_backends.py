"""The ML backends against the real frameworks: tiny models built here, run through
``load_model``/``load_script`` and compared with the framework running them in-process."""

from __future__ import annotations

import importlib.metadata
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from hpcsim.ml import backends
from hpcsim.ml.backends import BACKENDS, BackendError, Threads, available, load_model, load_script
from hpcsim.ml.backends.devices import Device, parse_device

TF_MISSING = "TensorFlow is not installed here: pip install 'hpcsim[tf]'"
RNG = np.random.default_rng(20240611)


def rand(*shape: int) -> np.ndarray[Any, Any]:
    return RNG.standard_normal(shape).astype(np.float32)


def rows(runner: backends.Runner, batch: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
    """The outputs of running ``batch`` one row at a time, concatenated back."""
    per_row = [runner.run([batch[i : i + 1]]) for i in range(batch.shape[0])]
    return [np.concatenate([outputs[k] for outputs in per_row]) for k in range(len(per_row[0]))]


def assert_same(got: list[np.ndarray[Any, Any]], expected: list[Any], rtol: float = 1e-5) -> None:
    assert len(got) == len(expected)
    for actual, wanted in zip(got, expected, strict=True):
        np.testing.assert_allclose(actual, np.asarray(wanted), rtol=rtol, atol=1e-6)


# --- the package itself ------------------------------------------------------------------------


def test_unknown_backend_lists_the_four() -> None:
    with pytest.raises(BackendError, match=r"unknown backend 'CAFFE'; hpcsim runs: TF, TFLITE, TORCH, ONNX"):
        load_model("CAFFE", b"", "CPU")
    assert BACKENDS == ("TF", "TFLITE", "TORCH", "ONNX")


def test_available_names_installed_versions() -> None:
    found = available()
    assert found["TORCH"] == importlib.metadata.version("torch")
    assert found["ONNX"] == importlib.metadata.version("onnxruntime")
    assert set(found) <= set(BACKENDS)


def test_importing_the_package_imports_no_framework() -> None:
    code = (
        "import sys, hpcsim.ml, hpcsim.ml.backends as b; b.available(); b.parse_device('CPU'); "
        "print(sorted(m for m in ('torch', 'onnxruntime', 'tensorflow', 'ai_edge_litert') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_missing_framework_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(backends._PACKAGES, "ONNX", (("onnxruntime_not_here",), "ml"))
    expected = (
        r"backend ONNX needs the 'onnxruntime_not_here' package, which is not installed beside this database "
        rf"\(python: {sys.executable}\); install it with: pip install 'hpcsim\[ml\]'"
    )
    with pytest.raises(BackendError, match=expected):
        load_model("ONNX", b"", "CPU")


# --- devices -----------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["TPU", "GPU:x", "GPU:-1", "CPU:1", ""])
def test_malformed_device(device: str) -> None:
    with pytest.raises(BackendError, match=rf"device '{device}' is not valid: use CPU, GPU or GPU:<n>"):
        parse_device(device)
    with pytest.raises(BackendError, match="is not valid"):
        load_model("TORCH", b"", device)


def test_device_strings() -> None:
    assert parse_device("cpu") == Device("CPU")
    assert parse_device("GPU") == Device("GPU", 0)
    assert str(parse_device(" gpu:3 ")) == "GPU:3"


def test_hidden_gpus_do_not_count(tmp_path: Path) -> None:
    """CUDA_VISIBLE_DEVICES="" hides every GPU from the framework (in a fresh process)."""
    (tmp_path / "m.pt").write_bytes(torch_blob(MLP()))
    code = (
        "import pathlib, sys; from hpcsim.ml.backends import BackendError, load_model\n"
        "try: load_model('TORCH', pathlib.Path(sys.argv[1]).read_bytes(), 'GPU')\n"
        "except BackendError as exc: print(exc)"
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "m.pt")], capture_output=True, text=True, env=env
    )
    assert "device GPU:0 does not exist" in result.stdout and "0 GPUs visible to torch" in result.stdout


# --- TORCH -------------------------------------------------------------------------------------


class MLP(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))


class TwoInTwoOut(torch.nn.Module):
    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return x + y, x * y


def torch_blob(module: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def mlp() -> MLP:
    torch.manual_seed(0)
    return MLP().eval()


@pytest.fixture(scope="module")
def mlp_runner(mlp: MLP) -> backends.Runner:
    return load_model("TORCH", torch_blob(mlp), "CPU")


def test_torch_matches_torch(mlp: MLP, mlp_runner: backends.Runner) -> None:
    x = rand(3, 4)
    with torch.no_grad():
        expected = mlp(torch.from_numpy(x)).numpy()
    assert mlp_runner.n_inputs == 1
    assert_same(mlp_runner.run([x]), [expected])
    assert_same(mlp_runner.run([x]), [expected])  # cached runners are called again and again


def test_torch_batch_equals_rows(mlp_runner: backends.Runner) -> None:
    batch = rand(5, 4)
    assert_same(mlp_runner.run([batch]), rows(mlp_runner, batch))


def test_torch_read_only_input(mlp_runner: backends.Runner) -> None:
    x = rand(2, 4)
    frozen = np.frombuffer(x.tobytes(), dtype=np.float32).reshape(2, 4)
    assert not frozen.flags.writeable
    assert_same(mlp_runner.run([frozen]), mlp_runner.run([x]))


def test_torch_tuple_outputs_and_count() -> None:
    threads = torch.get_num_threads()
    try:
        runner = load_model("TORCH", torch_blob(TwoInTwoOut()), "CPU", threads=Threads(intra_op=1, inter_op=1))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    x, y = rand(2, 3), rand(2, 3)
    assert runner.n_inputs == 2
    assert_same(runner.run([x, y]), [x + y, x * y])
    with pytest.raises(BackendError, match="model expects 2 inputs, got 1"):
        runner.run([x])


def test_torch_dtype_error_carries_torchs_message(mlp_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match=r"TORCH model failed: RuntimeError: mat1 and mat2 must have the same dtype"):
        mlp_runner.run([np.ones((2, 4), dtype=np.int64)])


def test_torch_shape_error_carries_torchs_message(mlp_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match=r"TORCH model failed: .*shapes cannot be multiplied \(2x5 and 4x8\)"):
        mlp_runner.run([rand(2, 5)])


def test_torch_corrupt_blob() -> None:
    with pytest.raises(BackendError, match=r"TORCH model could not be loaded \(.*TorchScript archive.*\): .+"):
        load_model("TORCH", b"this is not a TorchScript archive", "CPU")


@pytest.mark.skipif(torch.cuda.device_count() >= 8, reason="this machine has 8 GPUs or more")
def test_torch_nonexistent_gpu(mlp: MLP) -> None:
    with pytest.raises(BackendError, match=r"device GPU:7 does not exist on .+: it has \d+ GPUs? visible to torch"):
        load_model("TORCH", torch_blob(mlp), "GPU:7")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU here")
def test_torch_on_gpu(mlp: MLP) -> None:
    x = rand(5, 4)
    with torch.no_grad():
        expected = mlp(torch.from_numpy(x)).numpy()
    for device in ("GPU", f"GPU:{torch.cuda.device_count() - 1}"):
        assert_same(load_model("TORCH", torch_blob(mlp), device).run([x]), [expected], rtol=1e-4)


# --- scripts -----------------------------------------------------------------------------------

NEGATE = "def negate(x):\n    return torch.neg(x)\n"
TWO = "def add(a, b):\n    return a + b\n\n\ndef scale(x):\n    return x * 2, x * 3\n"
TYPED = (
    "def pick(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
    "    return torch.where(x > y, x, y)\n"
    "\n"
    "def total(tensors: List[torch.Tensor], keys: List[str], args: List[str]) -> torch.Tensor:\n"
    "    return tensors[0] + tensors[1]\n"
)


def test_script_negate() -> None:
    script = load_script(NEGATE, "CPU")
    x = rand(3, 2)
    assert script.functions == ["negate"]
    assert_same(script.run("negate", [x]), [-x])


def test_script_two_functions() -> None:
    script = load_script(TWO, "CPU")
    a, b = rand(4), rand(4)
    assert script.functions == ["add", "scale"]
    assert_same(script.run("add", [a, b]), [a + b])
    assert_same(script.run("scale", [a]), [a * 2, a * 3])
    with pytest.raises(BackendError, match="script function 'add' expects 2 inputs, got 1"):
        script.run("add", [a])


def test_script_typed_functions() -> None:
    script = load_script(TYPED, "CPU")
    x = np.array([1, 5, 3], dtype=np.int64)
    y = np.array([4, 2, 3], dtype=np.int64)
    (picked,) = script.run("pick", [x, y])
    assert picked.dtype == np.int64
    np.testing.assert_array_equal(picked, [4, 5, 3])
    # RedisAI 1.2 style (tensors, keys, args): the inputs arrive as one list.
    np.testing.assert_array_equal(script.run("total", [x, y])[0], x + y)


def test_script_unknown_function() -> None:
    script = load_script(TWO, "CPU")
    with pytest.raises(BackendError, match="script has no function 'negate'; it defines: add, scale"):
        script.run("negate", [rand(2)])


def test_script_syntax_error() -> None:
    with pytest.raises(BackendError, match=r"script could not be compiled: .*expected"):
        load_script("def broken(x):\n    return x +\n", "CPU")


def test_script_runtime_error() -> None:
    script = load_script(TWO, "CPU")
    with pytest.raises(BackendError, match=r"script function 'add' failed: .*must match the size"):
        script.run("add", [rand(2), rand(3)])


def test_script_malformed_device() -> None:
    with pytest.raises(BackendError, match="device 'TPU' is not valid"):
        load_script(NEGATE, "TPU")


@pytest.mark.skipif(torch.cuda.device_count() >= 8, reason="this machine has 8 GPUs or more")
def test_script_nonexistent_gpu() -> None:
    with pytest.raises(BackendError, match=r"device GPU:7 does not exist on .+ visible to torch"):
        load_script(NEGATE, "GPU:7")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU here")
def test_script_on_gpu() -> None:
    x = rand(3, 2)
    assert_same(load_script(NEGATE, "GPU").run("negate", [x]), [-x])


# --- ONNX --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def onnx_model() -> onnx.ModelProto:
    """relu(x @ W + b) and its negation, with a dynamic batch dimension."""
    weights = helper.make_tensor("W", TensorProto.FLOAT, [4, 3], rand(4, 3).ravel().tolist())
    bias = helper.make_tensor("b", TensorProto.FLOAT, [3], rand(3).tolist())
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["z"]),
            helper.make_node("Relu", ["z"], ["y"]),
            helper.make_node("Neg", ["y"], ["minus_y"]),
        ],
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3]),
            helper.make_tensor_value_info("minus_y", TensorProto.FLOAT, ["batch", 3]),
        ],
        initializer=[weights, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


@pytest.fixture(scope="module")
def onnx_runner(onnx_model: onnx.ModelProto) -> backends.Runner:
    return load_model("ONNX", onnx_model.SerializeToString(), "CPU", threads=Threads(intra_op=1, inter_op=1))


def test_onnx_matches_onnx_reference(onnx_model: onnx.ModelProto, onnx_runner: backends.Runner) -> None:
    x = rand(3, 4)
    expected = ReferenceEvaluator(onnx_model).run(None, {"x": x})
    assert onnx_runner.n_inputs == 1
    assert_same(onnx_runner.run([x]), list(expected))
    assert_same(onnx_runner.run([x]), list(expected))


def test_onnx_batch_equals_rows(onnx_runner: backends.Runner) -> None:
    batch = rand(5, 4)
    assert_same(onnx_runner.run([batch]), rows(onnx_runner, batch))


def test_onnx_wrong_count(onnx_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match="model expects 1 input, got 2"):
        onnx_runner.run([rand(1, 4), rand(1, 4)])


def test_onnx_wrong_dtype(onnx_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match=r"input 0 \('x'\) must be float32, got int64"):
        onnx_runner.run([np.ones((1, 4), dtype=np.int64)])


def test_onnx_wrong_shape_carries_onnxruntimes_message(onnx_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match=r"ONNX model failed: .*dimensions"):
        onnx_runner.run([rand(2, 5)])


def test_onnx_corrupt_blob() -> None:
    with pytest.raises(BackendError, match=r"ONNX model could not be loaded: .*protobuf parsing failed"):
        load_model("ONNX", b"this is not an ONNX model", "CPU")


@pytest.mark.skipif(torch.cuda.device_count() >= 8, reason="this machine has 8 GPUs or more")
def test_onnx_nonexistent_gpu(onnx_model: onnx.ModelProto) -> None:
    with pytest.raises(BackendError, match=r"device GPU:7 does not exist on .+ visible to onnxruntime"):
        load_model("ONNX", onnx_model.SerializeToString(), "GPU:7")


@pytest.mark.skipif("CUDAExecutionProvider" not in ort.get_available_providers(), reason="no GPU here")
def test_onnx_on_gpu(onnx_model: onnx.ModelProto) -> None:
    x = rand(5, 4)
    expected = ReferenceEvaluator(onnx_model).run(None, {"x": x})
    assert_same(load_model("ONNX", onnx_model.SerializeToString(), "GPU:0").run([x]), list(expected), rtol=1e-4)


# --- TF and TFLITE -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tf() -> Any:
    return pytest.importorskip("tensorflow", reason=TF_MISSING)


@pytest.fixture(scope="module")
def keras_model(tf: Any) -> Any:
    keras = tf.keras
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,), name="x")
    outputs = keras.layers.Dense(3, activation="tanh")(keras.layers.Dense(8, activation="relu")(inputs))
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def frozen(keras_model: Any) -> tuple[bytes, list[str], list[str]]:
    from hpcsim.ml.tf import serialize_model

    return serialize_model(keras_model)


@pytest.fixture(scope="module")
def tf_runner(frozen: tuple[bytes, list[str], list[str]]) -> backends.Runner:
    blob, inputs, outputs = frozen
    return load_model("TF", blob, "CPU", inputs, outputs, Threads(intra_op=1, inter_op=1))


def test_tf_matches_keras(keras_model: Any, tf_runner: backends.Runner) -> None:
    x = rand(3, 4)
    assert tf_runner.n_inputs == 1
    assert_same(tf_runner.run([x]), [keras_model(x)])
    assert_same(tf_runner.run([x]), [keras_model(x)])


def test_tf_accepts_tensor_names(keras_model: Any, frozen: tuple[bytes, list[str], list[str]]) -> None:
    blob, inputs, outputs = frozen
    runner = load_model("TF", blob, "CPU", [f"{name}:0" for name in inputs], [f"{name}:0" for name in outputs])
    x = rand(2, 4)
    assert_same(runner.run([x]), [keras_model(x)])


def test_tf_batch_equals_rows(tf_runner: backends.Runner) -> None:
    batch = rand(5, 4)
    assert_same(tf_runner.run([batch]), rows(tf_runner, batch))


def test_tf_needs_inputs_and_outputs(frozen: tuple[bytes, list[str], list[str]]) -> None:
    blob, inputs, _ = frozen
    with pytest.raises(BackendError, match="TF models need the names of their input and output tensors"):
        load_model("TF", blob, "CPU")
    with pytest.raises(BackendError, match="TF models need the names of their input and output tensors"):
        load_model("TF", blob, "CPU", inputs)


def test_tf_unknown_tensor(frozen: tuple[bytes, list[str], list[str]]) -> None:
    blob, _, outputs = frozen
    with pytest.raises(BackendError, match=r"TF model has no input tensor 'nope' .*; its placeholders are: x"):
        load_model("TF", blob, "CPU", ["nope"], outputs)


def test_tf_corrupt_blob(tf: Any) -> None:
    with pytest.raises(BackendError, match=r"TF model is not a serialized GraphDef: .*corrupt"):
        load_model("TF", b"\x00\x01 this is not a graph", "CPU", ["x"], ["y"])
    with pytest.raises(BackendError, match="TF model is an empty graph"):
        load_model("TF", b"", "CPU", ["x"], ["y"])


def test_tf_wrong_count_dtype_shape(tf_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match="model expects 1 input, got 2"):
        tf_runner.run([rand(1, 4), rand(1, 4)])
    with pytest.raises(BackendError, match=r"input 0 \('x'\) must be float32, got float64"):
        tf_runner.run([np.ones((1, 4))])
    with pytest.raises(BackendError, match=r"TF model failed: .*Matrix size-incompatible"):
        tf_runner.run([rand(2, 5)])


def test_tf_nonexistent_gpu(tf: Any, frozen: tuple[bytes, list[str], list[str]]) -> None:
    if len(tf.config.list_physical_devices("GPU")) >= 8:
        pytest.skip("this machine has 8 GPUs or more")
    blob, inputs, outputs = frozen
    with pytest.raises(BackendError, match=r"device GPU:7 does not exist on .+ visible to tensorflow"):
        load_model("TF", blob, "GPU:7", inputs, outputs)


def test_tf_on_gpu(tf: Any, keras_model: Any, frozen: tuple[bytes, list[str], list[str]]) -> None:
    if not tf.config.list_physical_devices("GPU"):
        pytest.skip("no GPU here")
    blob, inputs, outputs = frozen
    x = rand(5, 4)
    assert_same(load_model("TF", blob, "GPU", inputs, outputs).run([x]), [keras_model(x)], rtol=1e-4)


@pytest.fixture(scope="module")
def tflite_blob(tf: Any, keras_model: Any) -> bytes:
    blob: bytes = tf.lite.TFLiteConverter.from_keras_model(keras_model).convert()
    return blob


@pytest.fixture(scope="module")
def tflite_runner(tflite_blob: bytes) -> backends.Runner:
    return load_model("TFLITE", tflite_blob, "CPU", threads=Threads(intra_op=1))


def test_tflite_matches_interpreter_and_keras(
    tflite_blob: bytes, tflite_runner: backends.Runner, keras_model: Any
) -> None:
    from hpcsim.ml.backends.tflite_backend import interpreter_class

    x = rand(1, 4)
    interpreter = interpreter_class()(model_content=tflite_blob)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    expected = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert tflite_runner.n_inputs == 1
    assert_same(tflite_runner.run([x]), [expected])
    assert_same(tflite_runner.run([x]), [keras_model(x)], rtol=1e-4)


def test_tflite_batch_equals_rows(tflite_runner: backends.Runner) -> None:
    batch = rand(5, 4)
    assert_same(tflite_runner.run([batch]), rows(tflite_runner, batch))
    assert_same(tflite_runner.run([batch[:3]]), rows(tflite_runner, batch[:3]))  # resized back and forth


def test_tflite_wrong_count_and_dtype(tflite_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match="model expects 1 input, got 0"):
        tflite_runner.run([])
    with pytest.raises(BackendError, match=r"input 0 \('.*x.*'\) must be float32, got int32"):
        tflite_runner.run([np.ones((1, 4), dtype=np.int32)])


def test_tflite_wrong_shape_then_recovers(tflite_runner: backends.Runner) -> None:
    with pytest.raises(BackendError, match=r"TFLITE model failed: .+"):
        tflite_runner.run([rand(2, 5)])
    x = rand(2, 4)
    assert_same(tflite_runner.run([x]), rows(tflite_runner, x))


def test_tflite_corrupt_blob(tf: Any) -> None:
    with pytest.raises(BackendError, match=r"TFLITE model could not be loaded: .*Flatbuffer"):
        load_model("TFLITE", b"this is not a flatbuffer", "CPU")


def test_tflite_is_cpu_only(tflite_blob: bytes) -> None:
    with pytest.raises(BackendError, match="TFLITE models run on CPU only"):
        load_model("TFLITE", tflite_blob, "GPU")
