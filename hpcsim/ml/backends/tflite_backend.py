"""TFLITE: TensorFlow Lite flatbuffers, run by LiteRT (``ai_edge_litert``) or, without it,
by ``tf.lite``. Imported only when a TFLITE model is loaded; runs on CPU only.

An interpreter holds its tensors in place, so one model serves one call at a time (a lock), and
an input whose shape differs from the model's (a batch) resizes the interpreter first.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from typing import Any

import numpy as np

from hpcsim.ml.backends.base import BackendError, Threads, check_inputs
from hpcsim.ml.backends.devices import Device

__all__ = ["TFLiteModel", "interpreter_class", "load"]


def interpreter_class() -> Any:
    """LiteRT's ``Interpreter`` when installed, else TensorFlow's (deprecated there)."""
    if importlib.util.find_spec("ai_edge_litert") is not None:
        return importlib.import_module("ai_edge_litert.interpreter").Interpreter
    return importlib.import_module("tensorflow").lite.Interpreter


class TFLiteModel:
    """An allocated interpreter; inputs and outputs in the order of the model's details."""

    def __init__(self, interpreter: Any) -> None:
        self._interpreter = interpreter
        self._lock = threading.Lock()
        self._inputs: list[dict[str, Any]] = interpreter.get_input_details()
        self._outputs: list[int] = [detail["index"] for detail in interpreter.get_output_details()]
        # None: unknown after a failed call, so the next one resizes.
        self._shapes: list[tuple[int, ...] | None] = [tuple(int(n) for n in d["shape"]) for d in self._inputs]
        self.n_inputs: int | None = len(self._inputs)

    def run(self, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        check_inputs([d["name"] for d in self._inputs], [np.dtype(d["dtype"]) for d in self._inputs], inputs)
        interpreter = self._interpreter
        with self._lock:
            try:
                resized = False
                for index, (array, detail) in enumerate(zip(inputs, self._inputs, strict=True)):
                    if array.shape != self._shapes[index]:
                        interpreter.resize_tensor_input(detail["index"], list(array.shape))
                        self._shapes[index] = array.shape
                        resized = True
                if resized:
                    interpreter.allocate_tensors()
                for array, detail in zip(inputs, self._inputs, strict=True):
                    interpreter.set_tensor(detail["index"], np.ascontiguousarray(array))
                interpreter.invoke()
                return [np.asarray(interpreter.get_tensor(index)) for index in self._outputs]
            except Exception as exc:
                # A failed resize leaves the interpreter's shapes unknown: resize again next time.
                self._shapes = [None for _ in self._inputs]
                raise BackendError(f"TFLITE model failed: {exc}") from exc


def load(
    blob: bytes, device: Device, inputs: tuple[str, ...], outputs: tuple[str, ...], threads: Threads
) -> TFLiteModel:
    """An interpreter over ``blob`` (``inputs``/``outputs`` are not used by TFLITE)."""
    if device.is_gpu:
        raise BackendError(
            f"TFLITE models run on CPU only here (no GPU delegate); store it with device CPU, not {device}"
        )
    interpreter_type = interpreter_class()
    try:
        interpreter = interpreter_type(model_content=bytes(blob), num_threads=threads.intra_op or None)
        interpreter.allocate_tensors()
    except Exception as exc:
        raise BackendError(f"TFLITE model could not be loaded: {exc}") from exc
    return TFLiteModel(interpreter)
