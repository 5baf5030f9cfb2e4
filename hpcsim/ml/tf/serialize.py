"""Frozen TensorFlow graphs from Keras models, ready for ``Client.set_model(..., backend="TF")``.

As in SmartSim: the model's call becomes a ``tf.function``, its variables become constants
(``convert_variables_to_constants_v2``) and the resulting ``GraphDef`` is the blob. The input
and output names returned are what the TF backend needs as ``inputs`` and ``outputs``. Works with
Keras 3 (the ``keras`` that TensorFlow 2.16+ ships) and with Keras 2 models.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from pathlib import Path
from typing import Any

__all__ = ["freeze_model", "serialize_model"]

# Names TensorFlow accepts for a placeholder op; others fall back to TensorFlow's own.
_OP_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-/]*")


def _input_structure(model: Any) -> Any:
    """The model's symbolic inputs, shaped as its call takes them. Keras 3 knows ``input`` only
    for functional models; a Sequential model has just the list ``inputs``."""
    with contextlib.suppress(AttributeError, ValueError):
        return model.input
    inputs = list(getattr(model, "inputs", None) or [])
    if not inputs:
        raise ValueError(
            "the model has no defined inputs to freeze: give it a keras.Input "
            "(a functional model, or a Sequential model that starts with one) or build it"
        )
    return inputs[0] if len(inputs) == 1 else inputs


def _placeholder_name(tensor: Any) -> str | None:
    """The Keras input's name for its placeholder, if TensorFlow accepts it as an op name."""
    name = str(getattr(tensor, "name", ""))
    return name if _OP_NAME.fullmatch(name) else None


def _frozen_graph(model: Any) -> tuple[Any, list[str], list[str]]:
    """(GraphDef, input names, output names) of ``model`` called in inference mode."""
    tf = importlib.import_module("tensorflow")
    constants = importlib.import_module("tensorflow.python.framework.convert_to_constants")
    structure = _input_structure(model)
    # Keras models are batch-polymorphic; a model built from a sample keeps its batch size.
    specs = [
        tf.TensorSpec([None, *tensor.shape[1:]], tensor.dtype, name=_placeholder_name(tensor))
        for tensor in tf.nest.flatten(structure)
    ]

    def call(*tensors: Any) -> Any:
        return model(tf.nest.pack_sequence_as(structure, list(tensors)), training=False)

    concrete = tf.function(call).get_concrete_function(*specs)
    frozen = constants.convert_variables_to_constants_v2(concrete)
    inputs = [tensor.name.split(":")[0] for tensor in frozen.inputs]
    outputs = [tensor.name.split(":")[0] for tensor in frozen.outputs]
    return frozen.graph.as_graph_def(), inputs, outputs


def serialize_model(model: Any) -> tuple[bytes, list[str], list[str]]:
    """``model`` frozen into a serialized ``GraphDef``: (bytes, input names, output names)."""
    graph_def, inputs, outputs = _frozen_graph(model)
    blob: bytes = graph_def.SerializeToString(deterministic=True)
    return blob, inputs, outputs


def freeze_model(model: Any, output_dir: str | Path, file_name: str) -> tuple[str, list[str], list[str]]:
    """``model`` frozen into the file ``output_dir/file_name``: (its absolute path, input names,
    output names). The file holds the same bytes ``serialize_model`` returns."""
    blob, inputs, outputs = serialize_model(model)
    target = Path(output_dir, file_name).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(blob)
    return str(target), inputs, outputs
