"""TORCH: TorchScript models (``torch.jit.save`` blobs) and TorchScript scripts.

Imported only when a TORCH model or a script is loaded. Tensors cross as numpy arrays:
``torch.from_numpy`` shares the array's memory (copying only what torch cannot wrap), outputs
come back through ``.cpu().numpy()``.
"""

from __future__ import annotations

import contextlib
import io
import threading
from typing import Any

import numpy as np
import torch

from hpcsim.ml.backends.base import BackendError, Threads, check_count, clip
from hpcsim.ml.backends.devices import Device, missing_gpu

__all__ = ["TorchModel", "TorchScript", "load", "load_script"]

_INTERPRETER = "The following operation failed in the TorchScript interpreter"
_interop_lock = threading.Lock()
_interop_set = False


def torch_message(exc: BaseException) -> str:
    """What torch says went wrong. An error inside the TorchScript interpreter comes with two
    tracebacks of the model's code; its last line is the error itself (``RuntimeError: ...``)."""
    text = str(exc).strip()
    if text.startswith(_INTERPRETER):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1]
    return clip(text)


def _set_threads(threads: Threads) -> None:
    """Apply ``threads``; torch fixes its inter-op pool once per process, so that is set once."""
    global _interop_set
    if threads.intra_op > 0:
        torch.set_num_threads(threads.intra_op)
    if threads.inter_op > 0:
        with _interop_lock:
            if not _interop_set:
                _interop_set = True
                with contextlib.suppress(RuntimeError):  # inter-op work already ran: the pool stays
                    torch.set_num_interop_threads(threads.inter_op)


def _torch_device(device: Device) -> torch.device:
    if not device.is_gpu:
        return torch.device("cpu")
    count = torch.cuda.device_count()
    if device.index >= count:
        raise missing_gpu(device, count, "torch")
    return torch.device(f"cuda:{device.index}")


def _to_tensor(array: np.ndarray[Any, Any], device: torch.device) -> torch.Tensor:
    """``array`` as a tensor on ``device``, sharing memory unless torch cannot wrap it."""
    if not array.flags.writeable or not array.dtype.isnative or any(stride < 0 for stride in array.strides):
        array = np.array(array, dtype=array.dtype.newbyteorder("="), order="C")
    tensor = torch.from_numpy(array)
    return tensor if device.type == "cpu" else tensor.to(device)


def _to_arrays(result: object, what: str) -> list[np.ndarray[Any, Any]]:
    """A tensor, or a tuple/list of tensors, as numpy arrays."""
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    arrays: list[np.ndarray[Any, Any]] = []
    for item in items:
        if not isinstance(item, torch.Tensor):
            raise BackendError(
                f"{what} returned {type(item).__name__}; only tensors (or a tuple or list of them) can be stored"
            )
        arrays.append(item.detach().cpu().numpy())
    return arrays


def _arity(schema: Any, skip_self: bool) -> tuple[int, int]:
    """(required, total) arguments of a TorchScript schema."""
    arguments = list(schema.arguments)[1 if skip_self else 0 :]
    required = sum(1 for argument in arguments if not argument.has_default_value())
    return required, len(arguments)


class TorchModel:
    """A loaded TorchScript module in eval mode on its device."""

    def __init__(self, module: Any, device: torch.device) -> None:
        self._module = module
        self._device = device
        self._arity: tuple[int, int] | None = None
        with contextlib.suppress(AttributeError, RuntimeError):  # no scripted forward: torch judges
            self._arity = _arity(module.forward.schema, skip_self=True)
        self.n_inputs: int | None = None if self._arity is None else self._arity[1]

    def run(self, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        if self._arity is not None:
            check_count("model", self._arity[1], len(inputs), at_least=self._arity[0])
        try:
            with torch.inference_mode():
                tensors = [_to_tensor(array, self._device) for array in inputs]
                return _to_arrays(self._module(*tensors), "model")
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"TORCH model failed: {torch_message(exc)}") from exc


class TorchScript:
    """Compiled TorchScript source; each function runs on the script's device."""

    def __init__(self, unit: Any, device: torch.device) -> None:
        self._unit = unit
        self._device = device
        self.functions: list[str] = [function.name for function in unit.get_functions()]

    def run(self, function: str, inputs: list[np.ndarray[Any, Any]]) -> list[np.ndarray[Any, Any]]:
        compiled = self._unit.find_function(function) if function in self.functions else None
        if compiled is None:
            raise BackendError(f"script has no function {function!r}; it defines: {', '.join(self.functions)}")
        what = f"script function {function!r}"
        arguments = list(compiled.schema.arguments)
        # RedisAI 1.2 style: f(tensors: List[Tensor], keys: List[str], args: List[str]).
        as_list = bool(arguments) and str(arguments[0].type) == "List[Tensor]"
        if not as_list:
            required, total = _arity(compiled.schema, skip_self=False)
            check_count(what, total, len(inputs), at_least=required)
        try:
            with torch.inference_mode():
                tensors = [_to_tensor(array, self._device) for array in inputs]
                if as_list:
                    extra: list[list[str]] = [[] for argument in arguments[1:] if str(argument.type) == "List[str]"]
                    result = compiled(tensors, *extra)
                else:
                    result = compiled(*tensors)
                return _to_arrays(result, what)
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"{what} failed: {torch_message(exc)}") from exc


def load(
    blob: bytes, device: Device, inputs: tuple[str, ...], outputs: tuple[str, ...], threads: Threads
) -> TorchModel:
    """A TorchScript module from ``blob`` (``inputs``/``outputs`` are not used by TORCH)."""
    _set_threads(threads)
    target = _torch_device(device)
    try:
        module = torch.jit.load(io.BytesIO(blob), map_location=target)  # type: ignore[no-untyped-call]
    except Exception as exc:
        hint = "a TORCH model is a TorchScript archive, as torch.jit.save writes it"
        raise BackendError(f"TORCH model could not be loaded ({hint}): {torch_message(exc)}") from exc
    module.eval()
    return TorchModel(module, target)


def load_script(source: str, device: Device, threads: Threads) -> TorchScript:
    """TorchScript ``source`` compiled into its functions."""
    _set_threads(threads)
    target = _torch_device(device)
    try:
        unit = torch.jit.CompilationUnit(source)
    except Exception as exc:
        raise BackendError(f"script could not be compiled: {torch_message(exc)}") from exc
    return TorchScript(unit, target)
