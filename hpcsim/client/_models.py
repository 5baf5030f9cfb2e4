"""SmartRedis' model and script methods: store ML models and TorchScript in the database and
run them there, beside the data, through the server's inference worker.

Storing checks first: the object goes to a temporary key, the worker loads it (so a corrupt
blob, an unknown device or a missing backend fails the call with the backend's message), and
only then does it replace the named one. A cluster keeps a copy on every shard.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

from hpcsim.client._base import check_bool, check_int, check_key, check_str, check_str_list
from hpcsim.client._inference import InferenceBase
from hpcsim.dataplane import protocol
from hpcsim.dataplane.objects import BACKENDS, FIELDS, Stored
from hpcsim.dataplane.source import function_source
from hpcsim.errors import ClientError, KeyNotFoundError

__all__ = ["ModelOps", "multigpu_keys"]

Names = str | Sequence[str] | None


def _backend(backend: object) -> str:
    name = check_str(backend, "backend").upper()
    if name not in BACKENDS:
        raise TypeError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    return name


def _device(device: object) -> str:
    name = check_str(device, "device").upper()
    if not name.startswith(("CPU", "GPU")):
        raise TypeError(f"device {device!r} must be CPU, GPU or GPU:<n>")
    return name


def _names(value: Names, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [check_key(value, what)]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        if not all(value):
            raise ValueError(f"{what} must not hold an empty tensor name, got {value!r}")
        return list(value)
    raise TypeError(f"{what} must be a str or a list of str, not {value!r}")


def _read(path: object, what: str) -> bytes:
    text = check_str(path, what)
    full = Path(os.path.abspath(text))
    if not full.is_file():
        raise FileNotFoundError(f"{what} {text!r} does not exist (looked for {full})")
    return full.read_bytes()


def _gpus(first_gpu: object, num_gpus: object) -> range:
    first = check_int(first_gpu, "first_gpu")
    count = check_int(num_gpus, "num_gpus")
    if first < 0 or count < 1:
        raise ValueError(f"first_gpu must be >= 0 and num_gpus >= 1, got {first} and {count}")
    return range(first, first + count)


def multigpu_keys(name: str, first_gpu: int, num_gpus: int) -> list[tuple[str, str]]:
    """``(key, device)`` of each copy a multi-GPU store makes: ``<name>.GPU:<i>`` on GPU *i* for
    ``i`` in ``first_gpu .. first_gpu+num_gpus-1``, and ``<name>`` itself on ``GPU``."""
    return [(f"{name}.GPU:{i}", f"GPU:{i}") for i in _gpus(first_gpu, num_gpus)] + [(name, "GPU")]


def _model(
    backend: object,
    device: str,
    batch_size: object,
    min_batch_size: object,
    min_batch_timeout: object,
    tag: object,
    inputs: Names,
    outputs: Names,
) -> Stored:
    """A model's description, checked as SmartRedis checks it."""
    name = _backend(backend)
    sizes = [check_int(v, w) for v, w in ((batch_size, "batch_size"), (min_batch_size, "min_batch_size"))]
    timeout = check_int(min_batch_timeout, "min_batch_timeout")
    if min(*sizes, timeout) < 0:
        raise ValueError("batch_size, min_batch_size and min_batch_timeout must not be negative")
    if sizes[0] == 0 and (sizes[1] > 0 or timeout > 0):
        raise ClientError(
            "batch_size must be non-zero if min_batch_size or min_batch_timeout is used; "
            "otherwise batching will not be performed"
        )
    if timeout > 0 and sizes[1] == 0:
        raise ClientError(
            "min_batch_size must be non-zero if min_batch_timeout is used; "
            "otherwise the min_batch_timeout parameter is ignored"
        )
    if sizes[1] > 0 and timeout == 0:
        print(
            "WARNING: min_batch_timeout was not set when a non-zero min_batch_size was selected.\n"
            "Setting a small value (~10ms) for min_batch_timeout may improve performance",
            file=sys.stderr,
        )
    in_names, out_names = _names(inputs, "inputs"), _names(outputs, "outputs")
    if name != "TF" and (in_names or out_names):
        raise ValueError(f"inputs and outputs name graph tensors of TF models only, not of {name} models")
    if name == "TF" and not (in_names and out_names):
        raise ValueError("a TF model needs the names of its inputs and outputs")
    return Stored(
        kind="model",
        backend=name,
        device=device,
        version="",
        batch_size=sizes[0],
        min_batch_size=sizes[1],
        min_batch_timeout=timeout,
        inputs=tuple(in_names),
        outputs=tuple(out_names),
        tag=check_str(tag, "tag"),
    )


def _script(device: str) -> Stored:
    return Stored(kind="script", backend="TORCH", device=device, version="")


def _source(function: object) -> str:
    """SmartRedis takes a callable here (``add_function`` also takes source text)."""
    if not callable(function):
        raise TypeError(f"function must be a callable, not {type(function).__name__}")
    return function_source(function)[0]


class ModelOps(InferenceBase):
    """set/get/run/delete for models, scripts and functions, single- and multi-GPU."""

    _model_chunk_size: int | None = None

    # -- storing ---------------------------------------------------------------------------------

    def set_model_chunk_size(self, chunk_size: int) -> None:
        """SmartRedis' ``AI.CONFIG MODEL_CHUNK_SIZE``: accepted and checked (a positive number of
        bytes), then remembered, but a no-op. hpcsim's database is plain Redis, not RedisAI: a
        model goes to the database as one field of one ``HSET`` (bounded by the server's
        ``proto-max-bulk-len``, 512 MB by default) and the inference worker loads it from
        there, so nothing is split into chunks (``docs/ml.md``)."""
        size = check_int(chunk_size, "chunk_size")
        if size <= 0:
            raise ValueError(f"chunk_size must be a positive number of bytes, not {size}")
        self._model_chunk_size = size

    def _store(self, name: str, stored: Stored, blob: bytes, what: str) -> None:
        key = self._keys.model_key(check_key(name, "name"), read=False)
        for node, tag in self._each_node():
            version = secrets.token_hex(8)
            final, staged = tag + key, f"{tag}__hpcsim.ai.tmp.{version}"
            fields = Stored(**{**stored.__dict__, "version": version}).fields(blob)
            flat: list[bytes] = []
            for field, value in fields.items():
                flat += [field.encode(), value if isinstance(value, bytes) else str(value).encode()]
            self._check_replies(self._run([(node, (b"HSET", staged.encode(), *flat))]), f"{what} {name!r}")
            try:
                self._ask(node, protocol.Request("load", staged, protocol.reply_key(tag, version)), f"{what} {name!r}")
            except ClientError:
                self._run([(node, (b"DEL", staged.encode()))])
                raise
            self._check_replies(self._run([(node, (b"RENAME", staged.encode(), final.encode()))]), f"{what} {name!r}")

    def set_model(
        self,
        name: str,
        model: bytes,
        backend: str,
        device: str = "CPU",
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: Names = None,
        outputs: Names = None,
    ) -> None:
        """Store ``model`` (serialized bytes of ``backend``: TF, TFLITE, TORCH or ONNX) under
        ``name`` to run on ``device``; it is loaded once by the worker first, so a model that
        cannot load fails here with the backend's reason. Batching follows RedisAI's rules:
        ``min_batch_size`` and ``min_batch_timeout`` need ``batch_size``, and
        ``min_batch_timeout`` needs ``min_batch_size``."""
        check_key(name, "name")
        if not isinstance(model, bytes):
            raise TypeError(f"model must be bytes, not {type(model).__name__}")
        stored = _model(backend, _device(device), batch_size, min_batch_size, min_batch_timeout, tag, inputs, outputs)
        self._store(name, stored, model, "set_model")

    def set_model_from_file(
        self,
        name: str,
        model_file: str,
        backend: str,
        device: str = "CPU",
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: Names = None,
        outputs: Names = None,
    ) -> None:
        """:meth:`set_model` with the model read from ``model_file`` (every other argument is
        checked before the file is read)."""
        check_key(name, "name")
        check_str(model_file, "model_file")
        stored = _model(backend, _device(device), batch_size, min_batch_size, min_batch_timeout, tag, inputs, outputs)
        self._store(name, stored, _read(model_file, "model_file"), "set_model")

    def set_model_multigpu(
        self,
        name: str,
        model: bytes,
        backend: str,
        first_gpu: int,
        num_gpus: int,
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: Names = None,
        outputs: Names = None,
    ) -> None:
        """One copy per GPU (see :func:`multigpu_keys`), for :meth:`run_model_multigpu`."""
        check_key(name, "name")
        if not isinstance(model, bytes):
            raise TypeError(f"model must be bytes, not {type(model).__name__}")
        stored = _model(backend, "GPU", batch_size, min_batch_size, min_batch_timeout, tag, inputs, outputs)
        self._store_multigpu(name, stored, model, first_gpu, num_gpus, "set_model")

    def set_model_from_file_multigpu(
        self,
        name: str,
        model_file: str,
        backend: str,
        first_gpu: int,
        num_gpus: int,
        batch_size: int = 0,
        min_batch_size: int = 0,
        min_batch_timeout: int = 0,
        tag: str = "",
        inputs: Names = None,
        outputs: Names = None,
    ) -> None:
        """Store the model in ``model_file`` once per GPU, as ``set_model_multigpu`` does with bytes."""
        check_key(name, "name")
        check_str(model_file, "model_file")
        stored = _model(backend, "GPU", batch_size, min_batch_size, min_batch_timeout, tag, inputs, outputs)
        _gpus(first_gpu, num_gpus)
        blob = _read(model_file, "model_file")
        self._store_multigpu(name, stored, blob, first_gpu, num_gpus, "set_model")

    def _store_multigpu(self, name: str, stored: Stored, blob: bytes, first_gpu: int, num_gpus: int, what: str) -> None:
        for key, device in multigpu_keys(name, first_gpu, num_gpus):
            self._store(key, replace(stored, device=device), blob, what)

    def set_script(self, name: str, script: str, device: str = "CPU") -> None:
        """Store TorchScript source ``script``; its functions run with :meth:`run_script`."""
        source = check_str(script, "script")
        self._store(name, _script(_device(device)), source.encode(), "set_script")

    def set_script_from_file(self, name: str, file: str, device: str = "CPU") -> None:
        """Store the TorchScript source in ``file`` as script ``name``, to run on ``device``."""
        check_key(name, "name")
        stored = _script(_device(device))
        self._store(name, stored, _read(file, "file").decode("utf-8").encode(), "set_script")

    def set_function(self, name: str, function: Callable[..., Any], device: str = "CPU") -> None:
        """Store the source of ``function`` (TorchScript-compatible Python) as a script whose
        one function is ``function.__name__``."""
        self.set_script(name, _source(function), device)

    def set_script_multigpu(self, name: str, script: str, first_gpu: int, num_gpus: int) -> None:
        """Store TorchScript source ``script`` once per GPU, ``first_gpu`` to ``first_gpu + num_gpus - 1``."""
        check_key(name, "name")
        for key, device in multigpu_keys(name, first_gpu, num_gpus):
            self.set_script(key, script, device)

    def set_script_from_file_multigpu(self, name: str, file: str, first_gpu: int, num_gpus: int) -> None:
        """Store the TorchScript source in ``file`` once per GPU, as ``set_script_multigpu`` does."""
        check_key(name, "name")
        _gpus(first_gpu, num_gpus)
        self.set_script_multigpu(name, _read(file, "file").decode("utf-8"), first_gpu, num_gpus)

    def set_function_multigpu(self, name: str, function: Callable[..., Any], first_gpu: int, num_gpus: int) -> None:
        """Store the TorchScript source of ``function`` once per GPU, as ``set_script_multigpu`` does."""
        self.set_script_multigpu(name, _source(function), first_gpu, num_gpus)

    # -- reading and deleting ----------------------------------------------------------------------

    def _fetch_object(self, name: str, kind: str) -> tuple[Stored, bytes]:
        key = self._keys.model_key(check_key(name, "name"), read=True)
        node, tag = self._first_node()
        fields, blob = self._run(
            [
                (node, (b"HMGET", (tag + key).encode(), *(f.encode() for f in FIELDS))),
                (node, (b"HGET", (tag + key).encode(), b"blob")),
            ]
        )
        stored = None if isinstance(fields, Exception) else Stored.from_fields(fields)
        if stored is None or stored.kind != kind or not isinstance(blob, bytes):
            raise KeyNotFoundError(f"no {kind} {key!r} in the database")
        return stored, blob

    def get_model(self, name: str) -> bytes:
        """The serialized model stored under ``name``."""
        return self._fetch_object(name, "model")[1]

    def get_script(self, name: str) -> str:
        """The TorchScript source stored under ``name``."""
        return self._fetch_object(name, "script")[1].decode("utf-8")

    def _delete_object(self, name: str, kind: str) -> None:
        self._fetch_object(name, kind)
        key = self._keys.model_key(name, read=True)
        for node, tag in self._each_node():
            stats = protocol.stats_key(tag, tag + key)
            self._run([(node, (b"DEL", (tag + key).encode(), stats.encode()))])

    def delete_model(self, name: str) -> None:
        """Delete model ``name``; KeyNotFoundError if there is none."""
        self._delete_object(name, "model")

    def delete_script(self, name: str) -> None:
        """Delete script ``name``."""
        self._delete_object(name, "script")

    def delete_model_multigpu(self, name: str, first_gpu: int, num_gpus: int) -> None:
        """Delete every per-GPU copy of model ``name`` that ``set_model_multigpu`` stored."""
        for key, _ in multigpu_keys(check_key(name, "name"), first_gpu, num_gpus):
            self.delete_model(key)

    def delete_script_multigpu(self, name: str, first_gpu: int, num_gpus: int) -> None:
        """Delete every per-GPU copy of script ``name`` that ``set_script_multigpu`` stored."""
        for key, _ in multigpu_keys(check_key(name, "name"), first_gpu, num_gpus):
            self.delete_script(key)

    def model_exists(self, name: str) -> bool:
        """Whether a model or script is stored under ``name``."""
        key = self._keys.model_key(check_key(name, "name"), read=True)
        node, tag = self._first_node()
        reply = self._run([(node, (b"HEXISTS", (tag + key).encode(), b"kind"))])[0]
        return bool(reply == 1)

    def poll_model(self, name: str, poll_frequency_ms: int, num_tries: int) -> bool:
        """Whether model ``name`` exists, checking every ``poll_frequency_ms`` ms up to ``num_tries`` times."""
        check_key(name, "name")
        return self._poll(lambda: self.model_exists(name), poll_frequency_ms, num_tries)

    # -- running -----------------------------------------------------------------------------------

    def run_model(self, name: str, inputs: Names = None, outputs: Names = None) -> None:
        """Run model ``name`` on the stored tensors ``inputs`` (get prefix) into ``outputs``
        (put prefix), beside the server holding the first input."""
        key = self._keys.model_key(check_key(name, "name"), read=True)
        in_keys = [self._keys.tensor_key(n, read=True) for n in _names(inputs, "inputs")]
        out_keys = [self._keys.tensor_key(n, read=False) for n in _names(outputs, "outputs")]
        self._execute(f"run_model {key!r}", key, "", in_keys, out_keys)

    def run_model_multigpu(
        self, name: str, offset: int, first_gpu: int, num_gpus: int, inputs: Names = None, outputs: Names = None
    ) -> None:
        """Run the copy on GPU ``first_gpu + offset % num_gpus`` (e.g. offset = MPI rank)."""
        gpus = _gpus(first_gpu, num_gpus)
        self.run_model(
            f"{check_key(name, 'name')}.GPU:{gpus[check_int(offset, 'offset') % len(gpus)]}", inputs, outputs
        )

    def run_script(self, name: str, fn_name: str, inputs: Names, outputs: Names) -> None:
        """Run function ``fn_name`` of script ``name`` on ``inputs`` into ``outputs``."""
        key = self._keys.model_key(check_key(name, "name"), read=True)
        function = check_key(fn_name, "fn_name")
        in_keys = [self._keys.tensor_key(n, read=True) for n in _names(inputs, "inputs")]
        out_keys = [self._keys.tensor_key(n, read=False) for n in _names(outputs, "outputs")]
        self._execute(f"run_script {key!r} {function}()", key, function, in_keys, out_keys)

    def run_script_multigpu(
        self, name: str, fn_name: str, inputs: Names, outputs: Names, offset: int, first_gpu: int, num_gpus: int
    ) -> None:
        """Run ``fn_name`` of the per-GPU copy of script ``name`` that ``offset`` modulo ``num_gpus`` picks."""
        gpus = _gpus(first_gpu, num_gpus)
        copy = f"{check_key(name, 'name')}.GPU:{gpus[check_int(offset, 'offset') % len(gpus)]}"
        self.run_script(copy, fn_name, inputs, outputs)

    # -- statistics --------------------------------------------------------------------------------

    @overload
    def get_ai_info(self, address: str, key: str, reset_stat: bool = False) -> dict[str, str | int]: ...

    @overload
    def get_ai_info(self, address: list[str], key: str, reset_stat: bool = False) -> list[dict[str, str | int]]: ...

    def get_ai_info(
        self, address: str | list[str], key: str, reset_stat: bool = False
    ) -> dict[str, str | int] | list[dict[str, str | int]]:
        """Statistics of model or script ``key`` (taken literally) on the server at ``address``:
        calls (requests), executions (batches), samples, errors and duration in microseconds.
        Given a list of addresses (SmartRedis' form), a list with one such dict per address."""
        check_key(key, "key")
        check_bool(reset_stat, "reset_stat")
        if isinstance(address, str):
            return self._ai_info(address, key, reset_stat)
        addresses = check_str_list(address, "address")
        return [self._ai_info(one, key, reset_stat) for one in addresses]

    def _ai_info(self, address: str, key: str, reset_stat: bool) -> dict[str, str | int]:
        node = self._node(address)
        tag = self._tag(node)
        stored_key, stats = (tag + key).encode(), protocol.stats_key(tag, tag + key).encode()
        counters = ("calls", "executions", "samples", "errors", "duration_us")
        fields, counts = self._run(
            [
                (node, (b"HMGET", stored_key, *(f.encode() for f in FIELDS))),
                (node, (b"HMGET", stats, *(c.encode() for c in counters))),
            ]
        )
        self._check_replies([fields, counts], f"get_ai_info {key!r}")
        stored = Stored.from_fields(fields)
        if stored is None:
            raise KeyNotFoundError(f"no model or script {key!r} on {node.label}")
        if reset_stat:
            self._run([(node, (b"DEL", stats))])
        info: dict[str, str | int] = {"key": key, "type": stored.kind.upper(), "backend": stored.backend}
        info.update({"device": stored.device, "tag": stored.tag})
        info.update({name: int(value or 0) for name, value in zip(counters, counts, strict=True)})
        return info
