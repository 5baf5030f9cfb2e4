"""The smallest model of each ML backend, for ``hpcsim doctor``: y = 2x on a (n, 4) float32 input.

Each is built the way a user builds one (TorchScript through ``hpcsim.ml.torch``, an ONNX graph
through ``onnx.helper``, a frozen Keras graph through ``hpcsim.ml.tf``, a TFLite flatbuffer from
TensorFlow's converter), so the check covers the path a real model takes into the database.
Doubling is exact in float32, so the result can be compared for equality.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["BUILT_WITH", "INPUT", "Doubler", "build"]

#: what the doctor feeds every model; the expected output is ``2 * INPUT``
INPUT = np.arange(-4, 4, dtype=np.float32).reshape(2, 4)
#: backend -> the package its test model is built with (which may differ from the one that runs it)
BUILT_WITH = {"TORCH": "torch", "ONNX": "onnx", "TF": "tensorflow", "TFLITE": "tensorflow"}


@dataclass(frozen=True)
class Doubler:
    """A serialized model and, for TF, the names of its input and output tensors."""

    blob: bytes
    inputs: list[str] | None = None
    outputs: list[str] | None = None


def _torch() -> Doubler:
    torch = importlib.import_module("torch")
    from hpcsim.ml.torch.serialize import serialize_model

    double = torch.nn.Linear(4, 4, bias=False)
    with torch.no_grad():
        double.weight.copy_(2 * torch.eye(4))
    return Doubler(serialize_model(double))


def _onnx() -> Doubler:
    helper = importlib.import_module("onnx.helper")
    float32 = importlib.import_module("onnx").TensorProto.FLOAT
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "two"], ["y"])],
        "double",
        [helper.make_tensor_value_info("x", float32, [None, 4])],
        [helper.make_tensor_value_info("y", float32, [None, 4])],
        [helper.make_tensor("two", float32, [], [2.0])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9)
    return Doubler(model.SerializeToString())


def _keras_double() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up chatter
    keras = importlib.import_module("tensorflow").keras
    inputs = keras.Input((4,), name="x")
    return keras.Model(inputs, keras.layers.Rescaling(2.0)(inputs))


def _tf() -> Doubler:
    from hpcsim.ml.tf.serialize import serialize_model

    blob, inputs, outputs = serialize_model(_keras_double())
    return Doubler(blob, inputs, outputs)


def _tflite() -> Doubler:
    tf = importlib.import_module("tensorflow")
    model = _keras_double()
    with contextlib.redirect_stdout(io.StringIO()):  # Keras 3 prints its export ("Saved artifact at ...")
        blob: bytes = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    return Doubler(blob)


_BUILDERS = {"TORCH": _torch, "ONNX": _onnx, "TF": _tf, "TFLITE": _tflite}


def build(backend: str) -> Doubler:
    """The y = 2x model of ``backend`` (importing its framework; ``BUILT_WITH`` says which)."""
    return _BUILDERS[backend]()
