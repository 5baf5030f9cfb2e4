"""Loaded models and scripts as the worker keeps them: a cache keyed by version (a new store
of the same name is a new version). How they are stored is :mod:`hpcsim.dataplane.objects`."""

from __future__ import annotations

from collections import OrderedDict

from hpcsim.dataplane.objects import Stored
from hpcsim.ml.backends import BackendError, Runner, ScriptRunner, Threads, load_model, load_script

__all__ = ["Loaded", "ObjectCache"]

Loaded = Runner | ScriptRunner


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
