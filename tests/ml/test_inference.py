"""Models and scripts stored through the client and run by the worker beside a real server
(standalone and a 3-shard cluster): results equal the framework run in-process, batching
merges requests, and every kind of bad input or dead worker is a clear error, never a hang."""

from __future__ import annotations

import io
import os
import secrets
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from redis.crc import key_slot

from hpcsim import Client, errors
from hpcsim.client._models import multigpu_keys
from hpcsim.errors import ClientError, ConfigError, InferenceError, KeyNotFoundError
from tests.ml.conftest import MLDatabase


class MLP(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(6, 16)
        self.out = torch.nn.Linear(16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.out(torch.relu(self.hidden(x))), dim=1)


class TwoInOut(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return a + b, a * b


class Fails(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.sum() > 0):
            raise RuntimeError("the model refuses positive sums")
        return x


def _blob(module: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module.eval()), buffer)
    return buffer.getvalue()


def _name(stem: str) -> str:
    return f"{stem}_{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def mlp() -> torch.nn.Module:
    torch.manual_seed(3)
    return MLP().eval()


def test_torch_model_runs_like_in_process(mldb: MLDatabase, mlp: torch.nn.Module) -> None:
    client = Client(cluster=mldb.kind == "cluster")
    model, x, y = _name("mlp"), _name("x"), _name("y")
    client.set_model(model, _blob(mlp), "torch")
    data = np.random.default_rng(1).random((5, 6), dtype=np.float32)
    client.put_tensor(x, data)
    client.run_model(model, x, y)
    with torch.inference_mode():
        expected = mlp(torch.from_numpy(data)).numpy()
    np.testing.assert_allclose(client.get_tensor(y), expected, rtol=1e-5)
    assert client.model_exists(model)
    assert client.get_model(model) == _blob(mlp) or len(client.get_model(model)) > 0
    client.delete_model(model)
    assert not client.model_exists(model)


def test_inputs_and_outputs_on_other_shards(mldb: MLDatabase) -> None:
    """In a cluster the first input decides the shard; the others are fetched and outputs moved."""
    client = Client(cluster=mldb.kind == "cluster")
    model = _name("two")
    client.set_model(model, _blob(TwoInOut()), "TORCH")
    names = [f"t{i}" for i in range(64)]
    a_name = names[0]
    b_name = next(n for n in names if key_slot(n.encode()) // 5462 != key_slot(a_name.encode()) // 5462)
    a, b = np.arange(6, dtype=np.float64).reshape(2, 3), np.full((2, 3), 2.0)
    client.put_tensor(a_name, a)
    client.put_tensor(b_name, b)
    sums, products = _name("sum"), _name("product")
    client.run_model(model, [a_name, b_name], [sums, products])
    np.testing.assert_array_equal(client.get_tensor(sums), a + b)
    np.testing.assert_array_equal(client.get_tensor(products), a * b)


def test_onnx_model_runs_like_onnxruntime(mldb: MLDatabase) -> None:
    onnx = pytest.importorskip("onnx")
    import onnxruntime
    from onnx import TensorProto, helper

    rng = np.random.default_rng(7)
    weight = rng.random((4, 2), dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Relu", ["xw"], ["y"])],
        "affine",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor("w", TensorProto.FLOAT, [4, 2], weight.flatten().tolist())],
    )
    blob = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9).SerializeToString()
    onnx.checker.check_model(blob)
    client = Client(cluster=mldb.kind == "cluster")
    model, x, y = _name("onnx"), _name("x"), _name("y")
    client.set_model(model, blob, "ONNX")
    data = rng.random((3, 4), dtype=np.float32) - 0.5
    client.put_tensor(x, data)
    client.run_model(model, x, y)
    expected = onnxruntime.InferenceSession(blob, providers=["CPUExecutionProvider"]).run(None, {"x": data})[0]
    np.testing.assert_allclose(client.get_tensor(y), expected, rtol=1e-6)
    client.put_tensor(x, data.astype(np.float64))
    with pytest.raises(InferenceError, match="float32"):
        client.run_model(model, x, y)


def test_tf_and_tflite_models_run_like_keras(standalone_ml: MLDatabase, tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow", reason="TF backend tests need pip install 'hpcsim[tf]'")
    from hpcsim.ml.tf import freeze_model, serialize_model

    keras = tf.keras
    inputs = keras.Input((5,), name="features")
    outputs = keras.layers.Dense(3, activation="tanh")(keras.layers.Dense(8, activation="relu")(inputs))
    model = keras.Model(inputs, outputs)
    data = np.random.default_rng(2).random((4, 5), dtype=np.float32)
    expected = model(data, training=False).numpy()
    client = Client(cluster=False)
    blob, in_names, out_names = serialize_model(model)
    client.set_model("keras_mlp", blob, "TF", inputs=in_names, outputs=out_names)
    client.put_tensor("features", data)
    client.run_model("keras_mlp", "features", "keras_out")
    np.testing.assert_allclose(client.get_tensor("keras_out"), expected, rtol=1e-5, atol=1e-6)
    path, in_names, out_names = freeze_model(model, str(tmp_path), "frozen.pb")
    client.set_model_from_file("keras_file", path, "TF", inputs=in_names, outputs=out_names)
    client.run_model("keras_file", "features", "keras_file_out")
    np.testing.assert_allclose(client.get_tensor("keras_file_out"), expected, rtol=1e-5, atol=1e-6)
    lite = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    client.set_model("lite_mlp", lite, "TFLITE")
    client.run_model("lite_mlp", "features", "lite_out")
    np.testing.assert_allclose(client.get_tensor("lite_out"), expected, rtol=1e-4, atol=1e-5)


def test_scripts_and_functions(mldb: MLDatabase, tmp_path: Path) -> None:
    client = Client(cluster=mldb.kind == "cluster")
    data = np.arange(-3.0, 3.0, dtype=np.float32).reshape(2, 3)
    x = _name("x")
    client.put_tensor(x, data)
    script = _name("seed")
    client.set_script(script, "def negate(x):\n\treturn torch.neg(x)\n")
    assert client.get_script(script) == "def negate(x):\n\treturn torch.neg(x)\n"
    client.run_script(script, "negate", [x], ["negated"])
    np.testing.assert_array_equal(client.get_tensor("negated"), -data)

    def timestwo(x: torch.Tensor) -> torch.Tensor:
        return 2 * x

    function = _name("fn")
    client.set_function(function, timestwo)
    client.run_script(function, "timestwo", x, "doubled")
    np.testing.assert_array_equal(client.get_tensor("doubled"), 2 * data)
    source = tmp_path / "two.py"
    source.write_text("def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n")
    two = _name("two")
    client.set_script_from_file(two, str(source))
    client.run_script(two, "sub", [x, x], ["zero"])
    np.testing.assert_array_equal(client.get_tensor("zero"), np.zeros_like(data))
    with pytest.raises(InferenceError, match="mul"):
        client.run_script(two, "mul", [x, x], ["nothing"])
    client.delete_script(two)
    with pytest.raises(KeyNotFoundError):
        client.get_script(two)


def test_batching_merges_concurrent_requests(standalone_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    client = Client(cluster=False)
    model = _name("batched")
    client.set_model(model, _blob(mlp), "TORCH", batch_size=16, min_batch_size=8, min_batch_timeout=500)
    rng = np.random.default_rng(5)
    rows = [rng.random((1, 6), dtype=np.float32) for _ in range(8)]
    errors: list[BaseException] = []

    def call(index: int) -> None:
        try:
            own = Client(cluster=False)
            own.put_tensor(f"bx{index}", rows[index])
            own.run_model(model, f"bx{index}", f"by{index}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with torch.inference_mode():
        for index, row in enumerate(rows):
            np.testing.assert_allclose(client.get_tensor(f"by{index}"), mlp(torch.from_numpy(row)).numpy(), rtol=1e-5)
    info = client.get_ai_info(standalone_ml.addresses[0], model)
    assert info["calls"] == 8 and info["samples"] == 8 and info["errors"] == 0
    assert info["executions"] < info["calls"]
    assert info["backend"] == "TORCH" and info["type"] == "MODEL"


def test_a_failing_model_gives_the_caller_its_message(mldb: MLDatabase) -> None:
    client = Client(cluster=mldb.kind == "cluster")
    model, x = _name("fails"), _name("x")
    client.set_model(model, _blob(Fails()), "TORCH")
    client.put_tensor(x, np.ones((2, 2), dtype=np.float32))
    with pytest.raises(InferenceError, match="the model refuses positive sums"):
        client.run_model(model, x, "never")
    client.put_tensor(x, -np.ones((2, 2), dtype=np.float32))
    client.run_model(model, x, "fine")  # the worker survived its model's failure
    assert client.tensor_exists("fine")


def test_bad_input_is_a_clear_error(standalone_ml: MLDatabase, mlp: torch.nn.Module, tmp_path: Path) -> None:
    client = Client(cluster=False)
    blob = _blob(mlp)
    with pytest.raises(TypeError, match="TF, TFLITE, TORCH, ONNX"):
        client.set_model("m", blob, "CAFFE")
    with pytest.raises(TypeError, match="device"):
        client.set_model("m", blob, "TORCH", device="TPU")
    with pytest.raises(InferenceError, match="GPU:7 does not exist"):
        client.set_model("m", blob, "TORCH", device="GPU:7")
    with pytest.raises(InferenceError, match="TORCH"):
        client.set_model("corrupt", b"not a torchscript archive", "TORCH")
    assert not client.model_exists("corrupt")
    with pytest.raises(ValueError, match="TF models only"):
        client.set_model("m", blob, "TORCH", inputs=["x"], outputs=["y"])
    with pytest.raises(ClientError, match="batch_size"):
        client.set_model("m", blob, "TORCH", min_batch_size=4)
    with pytest.raises(FileNotFoundError, match=r"missing\.pt"):
        client.set_model_from_file("m", str(tmp_path / "missing.pt"), "TORCH")
    with pytest.raises(TypeError, match="bytes"):
        client.set_model("m", "text", "TORCH")  # type: ignore[arg-type]
    client.set_model("good", blob, "TORCH")
    client.put_tensor("ints", np.ones((1, 6), dtype=np.int64))
    with pytest.raises(InferenceError, match=r"dtype|Long|Float"):
        client.run_model("good", "ints", "out")
    client.put_tensor("floats", np.ones((1, 6), dtype=np.float32))
    with pytest.raises(InferenceError, match="expects 1 input"):
        client.run_model("good", ["floats", "floats"], "out")
    with pytest.raises(InferenceError, match="'absent' does not exist"):
        client.run_model("good", "absent", "out")
    with pytest.raises(InferenceError, match="no model or script 'nothing'"):
        client.run_model("nothing", "floats", "out")
    with pytest.raises(InferenceError, match="1 output"):
        client.run_model("good", "floats", ["out", "extra"])
    with pytest.raises(KeyNotFoundError):
        client.get_model("nothing")
    with pytest.raises(ValueError, match="at least one input"):
        client.run_model("good", [], "out")
    with pytest.raises(ValueError, match="num_gpus >= 1"):
        client.run_model_multigpu("good", 0, 0, 0, "floats", "out")
    with pytest.raises(TypeError, match="callable"):
        client.set_function("f", "def f(x):\n    return x\n")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="lambda"):
        client.set_function("f", lambda x: x)


def test_a_failed_store_keeps_the_previous_model(standalone_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    client = Client(cluster=False)
    client.set_model("kept", _blob(mlp), "TORCH")
    with pytest.raises(InferenceError):
        client.set_model("kept", b"garbage", "TORCH")
    client.put_tensor("kx", np.ones((1, 6), dtype=np.float32))
    client.run_model("kept", "kx", "ky")
    assert client.get_tensor("ky").shape == (1, 3)


def test_model_prefixing(standalone_ml: MLDatabase, mlp: torch.nn.Module, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_KEYOUT", "producer")
    monkeypatch.setenv("HPCSIM_KEYIN", "producer")
    client = Client(cluster=False)
    client.use_model_ensemble_prefix(True)
    client.set_model("prefixed", _blob(mlp), "TORCH")
    assert client.key_exists("producer.prefixed")
    client.put_tensor("px", np.ones((1, 6), dtype=np.float32))
    client.run_model("prefixed", "px", "py")
    assert client.key_exists("producer.py")


def test_multigpu_key_layout_and_devices(standalone_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    assert multigpu_keys("cnn", 1, 2) == [("cnn.GPU:1", "GPU:1"), ("cnn.GPU:2", "GPU:2"), ("cnn", "GPU")]
    client = Client(cluster=False)
    if torch.cuda.device_count() >= 2:
        client.set_model_multigpu("cnn", _blob(mlp), "TORCH", 0, 2)
        client.put_tensor("gx", np.ones((1, 6), dtype=np.float32))
        for offset in range(4):
            client.run_model_multigpu("cnn", offset, 0, 2, "gx", f"gy{offset}")
        assert all(client.model_exists(key) for key, _ in multigpu_keys("cnn", 0, 2))
        client.delete_model_multigpu("cnn", 0, 2)
        assert not client.model_exists("cnn.GPU:1")
    else:
        with pytest.raises(InferenceError, match="GPU:0 does not exist"):
            client.set_model_multigpu("cnn", _blob(mlp), "TORCH", 0, 2)
        assert not client.model_exists("cnn.GPU:0")


def test_no_worker_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server without a worker (started by hand) answers run_model with an error at once."""
    from tests.client.conftest import PASSWORD, start_server

    server = start_server(tmp_path / "bare")
    try:
        password_file = tmp_path / "password"
        password_file.write_text(PASSWORD)
        monkeypatch.setenv("HPCSIM_DB", server.address)
        monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(password_file))
        client = Client(cluster=False)
        client.put_tensor("x", np.ones(3))
        with pytest.raises(InferenceError, match="no inference worker is running"):
            client.run_model("m", "x", "y")
        assert client.get_db_node_info([server.address])[0]  # still usable
    finally:
        server.stop()


def test_a_stalled_worker_times_out_and_the_request_is_withdrawn(
    private_ml: MLDatabase, mlp: torch.nn.Module, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(cluster=False)
    client.set_model("slow", _blob(mlp), "TORCH")
    client.put_tensor("sx", np.ones((1, 6), dtype=np.float32))
    (pid,) = private_ml.worker_pids()
    os.kill(pid, signal.SIGSTOP)
    monkeypatch.setenv("HPCSIM_MODEL_TIMEOUT", "0.5")
    try:
        impatient = Client(cluster=False)
        started = time.monotonic()
        with pytest.raises(errors.TimeoutError, match=r"HPCSIM_MODEL_TIMEOUT=0\.5"):
            impatient.run_model("slow", "sx", "sy")
        assert time.monotonic() - started < 10
    finally:
        os.kill(pid, signal.SIGCONT)
    client.run_model("slow", "sx", "sy2")
    assert client.tensor_exists("sy2")


@pytest.fixture
def no_worker_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards started after this give up on a dead worker at once (tests/local/test_supervision.py
    covers the restarts)."""
    monkeypatch.setenv("HPCSIM_WORKER_RESTARTS", "0")


def test_a_dead_worker_is_reported(no_worker_restarts: None, private_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    client = Client(cluster=False)
    client.set_model("orphan", _blob(mlp), "TORCH")
    client.put_tensor("ox", np.ones((1, 6), dtype=np.float32))
    (pid,) = private_ml.worker_pids()
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(InferenceError, match="worker"):
        client.run_model("orphan", "ox", "oy")


def test_run_model_right_after_flush_db_waits_for_the_heartbeat(private_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    client = Client(cluster=False)
    client.flush_db(private_ml.addresses)  # also removes the worker's heartbeat until its next refresh
    client.set_model("after_flush", _blob(mlp), "TORCH")
    client.put_tensor("fx", np.ones((1, 6), dtype=np.float32))
    client.run_model("after_flush", "fx", "fy")
    assert client.get_tensor("fy").shape == (1, 3)


def test_a_short_min_batch_wait_never_stalls_a_lone_request(standalone_ml: MLDatabase, mlp: torch.nn.Module) -> None:
    """A wait shorter than Redis' millisecond resolution must not become a wait forever."""
    client = Client(cluster=False)
    client.set_model("lone", _blob(mlp), "TORCH", batch_size=16, min_batch_size=2, min_batch_timeout=1)
    client.put_tensor("lx", np.ones((1, 6), dtype=np.float32))
    for _ in range(5):
        client.run_model("lone", "lx", "ly")
    address = standalone_ml.addresses[0]
    assert client.get_ai_info(address, "lone", reset_stat=True)["calls"] == 5
    assert client.get_ai_info(address, "lone")["calls"] == 0  # reset
    with pytest.raises(KeyNotFoundError, match="no model or script 'absent'"):
        client.get_ai_info(address, "absent")
