"""ONNX: models run by onnxruntime, on its CPU provider or on CUDA.

Imported only when an ONNX model is loaded. onnxruntime ships no type information, so it is
imported as a plain module and its objects are ``Any`` here.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from hpcsim.ml.backends.base import BackendError, Threads, check_inputs
from hpcsim.ml.backends.devices import Device, missing_gpu

__all__ = ["OnnxModel", "load"]

ort: Any = importlib.import_module("onnxruntime")

_CUDA = "CUDAExecutionProvider"
_CPU = "CPUExecutionProvider"
# ONNX element types numpy can hold; others (bfloat16, float8, int4, string) go unchecked.
_DTYPES: dict[str, np.dtype[Any]] = {
    name: np.dtype(numpy_name)
    for name, numpy_name in {
        "float": "float32",
        "double": "float64",
        "float16": "float16",
        "int8": "int8",
        "int16": "int16",
        "int32": "int32",
        "int64": "int64",
        "uint8": "uint8",
        "uint16": "uint16",
        "uint32": "uint32",
        "uint64": "uint64",
        "bool": "bool",
        "complex64": "complex64",
        "complex128": "complex128",
    }.items()
}


def _numpy_dtype(onnx_type: str) -> np.dtype[Any] | None:
    """The numpy dtype of an ONNX input type such as ``tensor(float)``; None when unchecked."""
    if not (onnx_type.startswith("tensor(") and onnx_type.endswith(")")):
        return None
    return _DTYPES.get(onnx_type[len("tensor(") : -1])


def _providers(device: Device) -> list[Any]:
    if not device.is_gpu:
        return [_CPU]
    if _CUDA not in ort.get_available_providers():
        raise missing_gpu(device, 0, f"onnxruntime {ort.__version__} (it has no {_CUDA}: install onnxruntime-gpu)")
    try:
        count: int | None = sum(1 for ep in ort.get_ep_devices() if ep.ep_name == _CUDA) or None
    except AttributeError:  # onnxruntime before 1.22 cannot list devices; the session will tell
        count = None
    if count is not None and device.index >= count:
        raise missing_gpu(device, count, "onnxruntime")
    return [(_CUDA, {"device_id": device.index}), _CPU]


class OnnxModel:
    """An onnxruntime session; inputs match ``session.get_inputs()`` by position."""

    def __init__(self, session: Any) -> None:
        self._session = session
        declared = session.get_inputs()
        self._names: list[str] = [node.name for node in declared]
        self._dtypes = [_numpy_dtype(node.type) for node in declared]
        self.n_inputs: int | None = len(self._names)

    def run(self, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        check_inputs(self._names, self._dtypes, inputs)
        try:
            results = self._session.run(None, dict(zip(self._names, inputs, strict=True)))
        except Exception as exc:
            raise BackendError(f"ONNX model failed: {exc}") from exc
        arrays: list[np.ndarray[Any, Any]] = []
        for index, result in enumerate(results):
            if not isinstance(result, np.ndarray):
                name = self._session.get_outputs()[index].name
                raise BackendError(f"ONNX output {index} ({name!r}) is a {type(result).__name__}, not a tensor")
            arrays.append(result)
        return arrays


def load(blob: bytes, device: Device, inputs: tuple[str, ...], outputs: tuple[str, ...], threads: Threads) -> OnnxModel:
    """An onnxruntime session over ``blob`` (``inputs``/``outputs`` are not used by ONNX)."""
    providers = _providers(device)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads.intra_op
    options.inter_op_num_threads = threads.inter_op
    try:
        session = ort.InferenceSession(bytes(blob), sess_options=options, providers=providers)
    except Exception as exc:
        raise BackendError(f"ONNX model could not be loaded: {exc}") from exc
    if device.is_gpu and _CUDA not in session.get_providers():
        raise BackendError(f"ONNX model could not be placed on {device}: onnxruntime fell back to {_CPU}")
    return OnnxModel(session)
