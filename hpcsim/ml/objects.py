"""Models and scripts as the worker sees them: the hash fields stored at their key, and a
cache of loaded ones keyed by version (a new store of the same name is a new version)."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

from hpcsim.ml.backends import BackendError, Runner, ScriptRunner, Threads, load_model, load_script

__all__ = ["FIELDS", "Loaded", "ObjectCache", "Stored"]

#: every field of a stored object except the blob, in the order the worker asks for them
FIELDS = (
    "kind",
    "backend",
    "device",
    "version",
    "batch_size",
    "min_batch_size",
    "min_batch_timeout",
    "inputs",
    "outputs",
    "tag",
)

Loaded = Runner | ScriptRunner


@dataclass(frozen=True)
class Stored:
    """A model's or script's description, without its blob."""

    kind: str
    backend: str
    device: str
    version: str
    batch_size: int = 0
    min_batch_size: int = 0
    min_batch_timeout: int = 0
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    tag: str = ""

    @classmethod
    def from_fields(cls, values: list[bytes | None]) -> Stored | None:
        """From an HMGET of :data:`FIELDS`; None when nothing is stored there."""
        text = dict(zip(FIELDS, ((v or b"").decode() for v in values), strict=True))
        if not text["kind"]:
            return None
        return cls(
            kind=text["kind"],
            backend=text["backend"],
            device=text["device"],
            version=text["version"],
            batch_size=int(text["batch_size"] or 0),
            min_batch_size=int(text["min_batch_size"] or 0),
            min_batch_timeout=int(text["min_batch_timeout"] or 0),
            inputs=tuple(json.loads(text["inputs"] or "[]")),
            outputs=tuple(json.loads(text["outputs"] or "[]")),
            tag=text["tag"],
        )

    def fields(self, blob: bytes) -> dict[str, bytes | str | int]:
        """The hash to store, blob included."""
        return {
            "kind": self.kind,
            "backend": self.backend,
            "device": self.device,
            "version": self.version,
            "batch_size": self.batch_size,
            "min_batch_size": self.min_batch_size,
            "min_batch_timeout": self.min_batch_timeout,
            "inputs": json.dumps(list(self.inputs)),
            "outputs": json.dumps(list(self.outputs)),
            "tag": self.tag,
            "blob": blob,
        }


class ObjectCache:
    """Loaded models and scripts by version, least recently used dropped first."""

    def __init__(self, threads: Threads, capacity: int = 64) -> None:
        self._threads = threads
        self._capacity = capacity
        self._loaded: OrderedDict[str, Loaded] = OrderedDict()

    def get(self, stored: Stored) -> Loaded | None:
        loaded = self._loaded.get(stored.version)
        if loaded is not None:
            self._loaded.move_to_end(stored.version)
        return loaded

    def load(self, stored: Stored, blob: bytes) -> Loaded:
        """Load ``blob`` as ``stored`` describes; BackendError with the backend's reason."""
        loaded: Loaded
        if stored.kind == "script":
            loaded = load_script(blob.decode("utf-8", errors="replace"), stored.device, self._threads)
        elif stored.kind == "model":
            loaded = load_model(stored.backend, blob, stored.device, stored.inputs, stored.outputs, self._threads)
        else:
            raise BackendError(f"unknown kind of stored object {stored.kind!r}")
        self._loaded[stored.version] = loaded
        while len(self._loaded) > self._capacity:
            self._loaded.popitem(last=False)
        return loaded
