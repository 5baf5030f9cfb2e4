"""TF: frozen TensorFlow graphs (a serialized ``GraphDef``, as ``hpcsim.ml.tf`` writes them).

Imported only when a TF model is loaded. As in RedisAI, the caller names the graph's input and
output tensors (``x`` or ``x:0``); the graph is imported into a ``wrap_function`` and pruned to a
function from those inputs to those outputs.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

import numpy as np

from hpcsim.ml.backends.base import BackendError, Threads, check_inputs, last_paragraph
from hpcsim.ml.backends.devices import Device, missing_gpu

__all__ = ["TFModel", "load", "tf_message"]

tf: Any = importlib.import_module("tensorflow")


def tf_message(exc: BaseException) -> str:
    """What TensorFlow says went wrong, without the Python traceback it embeds in op errors."""
    return last_paragraph(str(getattr(exc, "message", None) or exc))


def tensor_name(name: str) -> str:
    """``x`` → ``x:0``: RedisAI accepts op names for a graph's first output tensors."""
    return name if ":" in name else f"{name}:0"


def _set_threads(threads: Threads) -> None:
    """Apply ``threads``; TensorFlow accepts them only before its runtime starts, later they stay."""
    for count, setter in (
        (threads.intra_op, tf.config.threading.set_intra_op_parallelism_threads),
        (threads.inter_op, tf.config.threading.set_inter_op_parallelism_threads),
    ):
        if count > 0:
            with contextlib.suppress(RuntimeError):  # runtime already started by an earlier model
                setter(count)


def _device_name(device: Device) -> str:
    if not device.is_gpu:
        return "/CPU:0"
    count = len(tf.config.list_physical_devices("GPU"))
    if device.index >= count:
        raise missing_gpu(device, count, f"tensorflow {tf.__version__}")
    return f"/GPU:{device.index}"


def _numpy_dtype(tensor: Any) -> np.dtype[Any] | None:
    """The numpy dtype a feed must have; None for types numpy has no dtype for (strings...)."""
    try:
        dtype = np.dtype(tensor.dtype.as_numpy_dtype)
    except TypeError:
        return None
    return None if dtype.kind == "O" else dtype


class TFModel:
    """A pruned concrete function from the named inputs to the named outputs."""

    def __init__(self, function: Any, names: list[str], dtypes: list[Any], device: str) -> None:
        self._function = function
        self._names = names
        self._dtypes = dtypes
        self._device = device
        self.n_inputs: int | None = len(names)

    def run(self, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        check_inputs(self._names, self._dtypes, inputs)
        try:
            with tf.device(self._device):
                results = self._function(*[tf.convert_to_tensor(array) for array in inputs])
            return [np.asarray(result.numpy()) for result in results]
        except Exception as exc:
            raise BackendError(f"TF model failed: {tf_message(exc)}") from exc


def _element(graph: Any, name: str, role: str) -> Any:
    """The tensor ``name`` of ``graph``; the error lists the graph's placeholders to help."""
    try:
        return graph.as_graph_element(tensor_name(name))
    except (KeyError, ValueError) as exc:
        placeholders = [op.name for op in graph.get_operations() if op.type == "Placeholder"]
        raise BackendError(
            f"TF model has no {role} tensor {name!r} ({tf_message(exc)}); "
            f"its placeholders are: {', '.join(placeholders)}"
        ) from exc


def load(blob: bytes, device: Device, inputs: tuple[str, ...], outputs: tuple[str, ...], threads: Threads) -> TFModel:
    """The frozen graph in ``blob``, pruned from ``inputs`` to ``outputs`` (both required)."""
    if not inputs or not outputs:
        raise BackendError("TF models need the names of their input and output tensors (INPUTS and OUTPUTS)")
    _set_threads(threads)
    placement = _device_name(device)
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(bytes(blob))
    except Exception as exc:
        raise BackendError(f"TF model is not a serialized GraphDef: {exc}") from exc
    if not graph_def.node:
        raise BackendError("TF model is an empty graph")

    def import_graph() -> None:
        with tf.device(placement):
            tf.compat.v1.import_graph_def(graph_def, name="")

    try:
        wrapped = tf.compat.v1.wrap_function(import_graph, [])
    except Exception as exc:
        raise BackendError(f"TF model could not be imported: {tf_message(exc)}") from exc
    feeds = [_element(wrapped.graph, name, "input") for name in inputs]
    fetches = [_element(wrapped.graph, name, "output") for name in outputs]
    try:
        function = wrapped.prune(feeds, fetches)
    except Exception as exc:
        raise BackendError(
            f"TF model could not be pruned to {list(inputs)} -> {list(outputs)}: {tf_message(exc)}"
        ) from exc
    return TFModel(function, list(inputs), [_numpy_dtype(feed) for feed in feeds], placement)
