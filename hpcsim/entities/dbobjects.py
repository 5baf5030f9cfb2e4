"""ML models and TorchScript scripts that an entity wants in its database before it starts.

:class:`DBModel` and :class:`DBScript` are SmartSim's DBObjects: immutable descriptions checked
when they are made (``Model.add_ml_model``/``add_script``/``add_function``), so a bad backend,
device or missing file fails in the driver, not in a database worker after the launch. Loading
them is the control layer's job (:mod:`hpcsim.control.dbobjects`, :mod:`hpcsim.ml.manifest`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hpcsim.dataplane.objects import BACKENDS
from hpcsim.dataplane.source import function_source
from hpcsim.errors import ConfigError, EntityExistsError, MissingFileError

__all__ = ["DBModel", "DBObject", "DBObjects", "DBScript"]

_DEVICE = re.compile(r"^(CPU|GPU)(?::(\d+))?$")


def _name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{what} name must be a non-empty string, got {name!r}")
    return name


def _count(value: object, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    if value < least:
        raise ConfigError(f"{what} must be at least {least}, got {value}")
    return value


def _device(device: object, devices_per_node: object, first_device: object) -> tuple[str, int, int]:
    """The upper-cased device and checked device counts (SmartSim's DBObject rules)."""
    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'CPU', 'GPU' or 'GPU:1', got {device!r}")
    upper = device.strip().upper()
    match = _DEVICE.fullmatch(upper)
    if match is None or (match.group(1) == "CPU" and match.group(2) is not None):
        raise ConfigError(f"device {device!r} is not valid: use 'CPU', 'GPU' or 'GPU:<n>'")
    per_node = _count(devices_per_node, "devices_per_node", 1)
    first = _count(first_device, "first_device", 0)
    if upper == "CPU" and per_node > 1:
        raise ConfigError(f"devices_per_node={per_node} needs device='GPU'; a CPU device is one device per node")
    if upper == "CPU" and first > 0:
        raise ConfigError(f"first_device={first} needs device='GPU'; a CPU device has no device number")
    if match.group(2) is not None and per_node > 1:
        raise ConfigError(
            f"device {upper!r} names one GPU, so devices_per_node={per_node} cannot apply; use device='GPU' "
            f"with first_device={match.group(2)} and devices_per_node={per_node}"
        )
    if match.group(2) is not None and first > 0:
        raise ConfigError(f"device {upper!r} already names its GPU; drop first_device={first} or use device='GPU'")
    return upper, per_node, first


def _file(path: object, what: str) -> Path:
    if not isinstance(path, (str, Path)):
        raise TypeError(f"{what} must be a path, got {path!r}")
    resolved = Path(os.path.abspath(os.path.expanduser(path)))
    if not resolved.is_file():
        raise MissingFileError(f"{what} {str(path)!r} is not a file (resolved to {str(resolved)!r})")
    return resolved


def _one_of(memory: object, path: object, what: str, memory_arg: str, path_arg: str) -> None:
    if (memory is None) == (path is None):
        raise ConfigError(
            f"{what}: give exactly one of {memory_arg}= (in memory) or {path_arg}= (a file), "
            f"not {'both' if memory is not None else 'neither'}"
        )


def _names(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(i, str) and i for i in items):
        raise TypeError(f"{what} must be a non-empty string or a list of them, got {value!r}")
    return tuple(items)


@dataclass(frozen=True, init=False)
class DBObject:
    """What models and scripts share: a key and where it runs.

    ``device`` is ``CPU``, ``GPU`` or ``GPU:<n>``. With ``GPU``, ``devices_per_node=N`` places
    the object on GPUs ``first_device`` .. ``first_device+N-1`` of every node (:attr:`devices`).
    """

    name: str
    file: Path | None
    device: str
    devices_per_node: int
    first_device: int

    def _set(self, **values: Any) -> None:
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def _set_placement(self, file: Path | None, device: object, devices_per_node: object, first: object) -> None:
        upper, per_node, first_device = _device(device, devices_per_node, first)
        self._set(file=file, device=upper, devices_per_node=per_node, first_device=first_device)

    @property
    def devices(self) -> list[str]:
        """The devices the object is placed on, e.g. ``['GPU:0', 'GPU:1']`` (SmartSim's
        DBObject.devices); ``GPU`` with ``first_device=M`` alone is ``['GPU:M']``."""
        if self.device == "GPU" and (self.devices_per_node > 1 or self.first_device > 0):
            return [f"GPU:{i}" for i in range(self.first_device, self.first_device + self.devices_per_node)]
        return [self.device]

    @property
    def is_file(self) -> bool:
        """Whether the object was given as a file rather than in memory."""
        return self.file is not None


@dataclass(frozen=True, init=False)
class DBModel(DBObject):
    """A TF, TFLITE, TORCH or ONNX model: serialized bytes (``model``) or a file
    (``model_file``, SmartSim's keyword; ``model_path``, the name ``add_ml_model`` uses, is
    accepted too), with SmartRedis' batching options (``batch_size``, ``min_batch_size``,
    ``min_batch_timeout`` in ms) and, for TF only, the graph's ``inputs``/``outputs``."""

    backend: str
    model: bytes | None
    batch_size: int
    min_batch_size: int
    min_batch_timeout: int
    tag: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def __init__(
        self,
        name: str,
        backend: str,
        model: bytes | None = None,
        model_file: str | Path | None = None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: str | Sequence[str] | None = None,
        outputs: str | Sequence[str] | None = None,
        *,
        model_path: str | Path | None = None,
    ) -> None:
        what = f"ML model {_name(name, 'ML model')!r}"
        self._set(name=name)
        if model_file is not None and model_path is not None:
            raise ConfigError(f"{what}: model_file= and model_path= name the same file; give one of them")
        path_arg = "model_path" if model_path is not None else "model_file"
        model_path = model_file if model_path is None else model_path
        _one_of(model, model_path, what, "model", path_arg)
        if model is not None and not isinstance(model, (bytes, bytearray, memoryview)):
            raise TypeError(f"{what}: model must be the serialized model as bytes, got {type(model).__name__}")
        if model is not None and not len(model):
            raise ConfigError(f"{what}: model is empty; pass the serialized model's bytes")
        file = _file(model_path, f"{what}: {path_arg}") if model_path is not None else None
        self._set_placement(file, device, devices_per_node, first_device)
        if not isinstance(backend, str) or backend.strip().upper() not in BACKENDS:
            raise ConfigError(f"{what}: backend {backend!r} is not supported; use one of {', '.join(BACKENDS)}")
        sizes = {
            "batch_size": _count(batch_size, "batch_size", 0),
            "min_batch_size": _count(min_batch_size, "min_batch_size", 0),
            "min_batch_timeout": _count(min_batch_timeout, "min_batch_timeout", 0),
        }
        if sizes["batch_size"] == 0:
            used = [k for k in ("min_batch_size", "min_batch_timeout") if sizes[k] > 0]
            if used:
                raise ConfigError(f"{what}: {used[0]} needs batching; set batch_size > 0 as well")
        if sizes["min_batch_timeout"] > 0 and sizes["min_batch_size"] == 0:
            raise ConfigError(f"{what}: min_batch_timeout needs min_batch_size > 0 (the size it waits for)")
        if not isinstance(tag, str):
            raise TypeError(f"{what}: tag must be a string, got {tag!r}")
        upper = backend.strip().upper()
        names = {"inputs": _names(inputs, f"{what}: inputs"), "outputs": _names(outputs, f"{what}: outputs")}
        given = [k for k, v in names.items() if v]
        if given and upper != "TF":
            raise ConfigError(
                f"{what}: {given[0]} apply to TF graphs only; a {upper} model takes its inputs in order, so drop them"
            )
        self._set(backend=upper, model=bytes(model) if model is not None else None, tag=tag, **sizes, **names)

    def __repr__(self) -> str:
        source = f"file={str(self.file)!r}" if self.file else f"model=<{len(self.model or b'')} bytes>"
        return f"DBModel({self.name!r}, backend={self.backend!r}, {source}, devices={self.devices!r})"


@dataclass(frozen=True, init=False)
class DBScript(DBObject):
    """TorchScript source: in memory (``script``) or a file (``script_path``). A function
    added with ``add_function`` is a script holding that function's source; its name is
    :attr:`function_name`."""

    script: str | None
    function_name: str | None

    def __init__(
        self,
        name: str,
        script: str | None = None,
        script_path: str | Path | None = None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
        function_name: str | None = None,
    ) -> None:
        what = f"script {_name(name, 'script')!r}"
        self._set(name=name)
        _one_of(script, script_path, what, "script", "script_path")
        if script is not None and (not isinstance(script, str) or not script.strip()):
            raise ConfigError(f"{what}: script must be non-empty TorchScript source text, got {script!r}")
        file = _file(script_path, f"{what}: script_path") if script_path is not None else None
        self._set_placement(file, device, devices_per_node, first_device)
        self._set(script=script, function_name=function_name)

    @classmethod
    def from_function(
        cls,
        name: str,
        function: Callable[..., Any] | str | None,
        device: str = "CPU",
        devices_per_node: int = 1,
        first_device: int = 0,
    ) -> DBScript:
        """A script made of one function (``add_function``)."""
        if function is None:
            raise ConfigError(f"function {name!r}: function= is required (a Python function or TorchScript source)")
        source, function_name = function_source(function)
        return cls(name, source, None, device, devices_per_node, first_device, function_name)

    def __repr__(self) -> str:
        source = f"file={str(self.file)!r}" if self.file else f"script=<{len(self.script or '')} chars>"
        return f"DBScript({self.name!r}, {source}, devices={self.devices!r})"


class DBObjects:
    """One entity's models and scripts, in the order added. Models and scripts share one
    namespace: a database keeps both under plain keys, so one name cannot be both."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.models: list[DBModel] = []
        self.scripts: list[DBScript] = []

    def get(self, name: str) -> DBObject | None:
        return next((o for o in (*self.models, *self.scripts) if o.name == name), None)

    def check_free(self, obj: DBObject, again_ok: bool = False) -> None:
        """EntityExistsError if ``obj``'s name is taken (by anything but ``obj`` itself when
        ``again_ok``: an ensemble's objects reaching a member that already has them)."""
        held = self.get(obj.name)
        if held is None or (again_ok and held == obj):
            return
        kind = "an ML model" if isinstance(held, DBModel) else "a script"
        raise EntityExistsError(f"{self.owner} already has {kind} named {obj.name!r}; give the new one another name")

    def add(self, obj: DBObject, again_ok: bool = False) -> None:
        """Add ``obj`` under its name (see :meth:`check_free`)."""
        self.check_free(obj, again_ok)
        if self.get(obj.name) is not None:
            return
        if isinstance(obj, DBModel):
            self.models.append(obj)
        elif isinstance(obj, DBScript):
            self.scripts.append(obj)
        else:
            raise TypeError(f"expected a DBModel or DBScript, got {obj!r}")
