"""Model-saving helpers: TorchScript blobs and files from PyTorch modules, frozen graphs from
Keras models; each round trip ends in the backend that will run it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from hpcsim.ml.backends import load_model
from hpcsim.ml.torch import save_model, serialize_model

TF_MISSING = "TensorFlow is not installed here: pip install 'hpcsim[tf]'"
RNG = np.random.default_rng(7)


def rand(*shape: int) -> np.ndarray[Any, Any]:
    return RNG.standard_normal(shape).astype(np.float32)


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)
        self.dropout = torch.nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(torch.sigmoid(self.linear(x)))


@pytest.fixture
def net() -> Net:
    torch.manual_seed(0)
    return Net().eval()


def expected(module: torch.nn.Module, x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    with torch.no_grad():
        result: np.ndarray[Any, Any] = module(torch.from_numpy(x)).numpy()
    return result


# --- torch -------------------------------------------------------------------------------------


def test_torch_serialize_scripts_and_round_trips(net: Net) -> None:
    blob = serialize_model(net)
    x = rand(3, 4)
    loaded = torch.jit.load(io.BytesIO(blob))
    assert isinstance(loaded, torch.jit.ScriptModule)
    np.testing.assert_allclose(loaded(torch.from_numpy(x)).detach().numpy(), expected(net, x), rtol=1e-5)
    np.testing.assert_allclose(load_model("TORCH", blob, "CPU").run([x])[0], expected(net, x), rtol=1e-5)


def test_torch_serialize_traces_in_eval_mode(net: Net) -> None:
    net.train()
    x = rand(3, 4)
    blob = serialize_model(net, example_inputs=(torch.from_numpy(x),))
    assert net.training, "the module's mode is restored after tracing"
    runner = load_model("TORCH", blob, "CPU")
    # Dropout traced in eval mode is the identity: the same answer every time, no zeros.
    np.testing.assert_allclose(runner.run([x])[0], runner.run([x])[0])
    np.testing.assert_allclose(runner.run([x])[0], expected(net.eval(), x), rtol=1e-5)


def test_torch_serialize_keeps_a_script_module(net: Net) -> None:
    scripted = torch.jit.script(net)
    blob = serialize_model(scripted)
    assert torch.jit.load(io.BytesIO(blob)).code == scripted.code


def test_torch_save_model_writes_a_loadable_file(net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = save_model(net, "net.pt")
    assert path == str(tmp_path.resolve() / "net.pt")
    x = rand(2, 4)
    np.testing.assert_allclose(load_model("TORCH", Path(path).read_bytes(), "CPU").run([x])[0], expected(net, x))
    np.testing.assert_allclose(torch.jit.load(path)(torch.from_numpy(x)).detach().numpy(), expected(net, x))


# --- tf ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tf() -> Any:
    return pytest.importorskip("tensorflow", reason=TF_MISSING)


@pytest.fixture(scope="module")
def two_way(tf: Any) -> Any:
    """Two inputs, two outputs."""
    keras = tf.keras
    keras.utils.set_random_seed(1)
    a = keras.Input((4,), name="a")
    b = keras.Input((2,), name="b")
    hidden = keras.layers.Dense(3, activation="relu")(keras.layers.Concatenate()([a, b]))
    return keras.Model([a, b], [hidden, keras.layers.Dense(1)(hidden)])


def test_tf_serialize_round_trips(tf: Any, two_way: Any) -> None:
    from hpcsim.ml.tf import serialize_model as serialize_keras

    blob, inputs, outputs = serialize_keras(two_way)
    assert isinstance(blob, bytes)
    assert inputs == ["a", "b"]
    assert outputs == ["Identity", "Identity_1"]
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(blob)
    ops = {node.op for node in graph.node}
    assert "Placeholder" in ops and not ops & {"VarHandleOp", "ReadVariableOp"}, "variables became constants"
    x, y = rand(5, 4), rand(5, 2)
    got = load_model("TF", blob, "CPU", inputs, outputs).run([x, y])
    for actual, wanted in zip(got, two_way([x, y]), strict=True):
        np.testing.assert_allclose(actual, np.asarray(wanted), rtol=1e-5, atol=1e-6)


def test_tf_freeze_model_writes_the_graph(tf: Any, two_way: Any, tmp_path: Path) -> None:
    from hpcsim.ml.tf import freeze_model

    path, inputs, outputs = freeze_model(two_way, tmp_path / "new" / "dir", "model.pb")
    assert path == str((tmp_path / "new" / "dir" / "model.pb").resolve())
    x, y = rand(2, 4), rand(2, 2)
    got = load_model("TF", Path(path).read_bytes(), "CPU", inputs, outputs).run([x, y])
    np.testing.assert_allclose(got[1], np.asarray(two_way([x, y])[1]), rtol=1e-5, atol=1e-6)


def test_tf_serialize_sequential_built_from_a_sample(tf: Any) -> None:
    from hpcsim.ml.tf import serialize_model as serialize_keras

    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model(np.zeros((1, 3), dtype=np.float32))  # built for batch 1; the frozen graph takes any batch
    blob, inputs, outputs = serialize_keras(model)
    x = rand(4, 3)
    got = load_model("TF", blob, "CPU", inputs, outputs).run([x])
    np.testing.assert_allclose(got[0], np.asarray(model(x)), rtol=1e-5, atol=1e-6)


def test_tf_serialize_needs_defined_inputs(tf: Any) -> None:
    from hpcsim.ml.tf import serialize_model as serialize_keras

    with pytest.raises(ValueError, match="the model has no defined inputs to freeze"):
        serialize_keras(tf.keras.Sequential([tf.keras.layers.Dense(2)]))
