"""Key names: SmartRedis' ensemble prefixing rules and dataset key grammar.

A write (or the destination of a copy/rename) uses the put prefix ``<KEYOUT>.``; a read, delete,
existence check or copy source uses the get prefix ``<data source>.``, where the data source is
one of the ``KEYIN`` entries. Each kind of entity applies its prefix only while its flag is on
(tensors, datasets and lists on by default, models off). ``key_exists``/``poll_key`` never prefix.
Datasets live at ``<prefix>{<name>}.meta`` and ``<prefix>{<name>}.<tensor>``; the braces are a
Redis Cluster hash tag, so a dataset's keys share one hash slot.
"""

from __future__ import annotations

from collections.abc import Sequence

from hpcsim.errors import ClientError

__all__ = ["KeyBuilder", "dataset_name_from_key", "dataset_tensor_key", "meta_key"]

META_SUFFIX = ".meta"


class KeyBuilder:
    """Builds every prefixed key one client uses; holds the data source and the per-kind flags."""

    def __init__(self, keyout: str, keyin: Sequence[str]) -> None:
        self.keyout = keyout
        self.keyin = [entry for entry in keyin if entry]
        self.source = self.keyin[0] if self.keyin else ""
        self.tensors = True
        self.datasets = True
        self.lists = True
        self.models = False

    def set_source(self, source: str) -> None:
        """Read from ``source`` from now on. With KEYIN set it must be one of its entries or
        this client's own KEYOUT (as in SmartRedis), which catches a misspelt source. Without
        KEYIN any source is taken: the Model page's consumer reads its producers this way,
        without registering them as incoming entities."""
        if self.keyin and source not in (*self.keyin, self.keyout):
            allowed = ", ".join(repr(entry) for entry in self.keyin)
            raise ClientError(f"unknown data source {source!r}; allowed: {allowed}")
        self.source = source

    def _prefix(self, on: bool, read: bool) -> str:
        if not on:
            return ""
        if read:
            return self.source + "." if self.source else ""
        return self.keyout + "." if self.keyout else ""

    def prefixed_read(self, on: bool) -> bool:
        """Whether a read of a kind with flag ``on`` is prefixed (for error messages)."""
        return on and bool(self.source)

    def tensor_key(self, name: str, read: bool) -> str:
        return self._prefix(self.tensors, read) + name

    def dataset_key(self, name: str, read: bool) -> str:
        """The dataset's base key ``<prefix>{name}``, also the value a list stores."""
        return self._prefix(self.datasets, read) + "{" + name + "}"

    def list_key(self, name: str, read: bool) -> str:
        return self._prefix(self.lists, read) + name

    def model_key(self, name: str, read: bool) -> str:
        """Models and scripts: prefixed only while model prefixing is on."""
        return self._prefix(self.models, read) + name

    def describe(self) -> str:
        """One line for ``str(client)``."""
        flags = ", ".join(
            f"{kind} {'on' if flag else 'off'}"
            for kind, flag in (
                ("tensors", self.tensors),
                ("datasets", self.datasets),
                ("lists", self.lists),
                ("models", self.models),
            )
        )
        put = repr(self.keyout + ".") if self.keyout else "none"
        get = repr(self.source + ".") if self.source else "none"
        sources = f" (sources: {', '.join(self.keyin)})" if self.keyin else ""
        return f"put prefix {put}, get prefix {get}{sources}; prefixing {flags}"


def meta_key(base: str) -> str:
    """The metadata hash of the dataset whose base key is ``base``."""
    return base + META_SUFFIX


def dataset_tensor_key(base: str, tensor: str) -> str:
    return base + "." + tensor


def dataset_name_from_key(base: str) -> str:
    """The dataset name inside the braces of a base key such as ``sim_0.{step_3}``."""
    start = base.find("{")
    end = base.find("}", start + 1)
    if start < 0 or end < 0:
        raise ClientError(f"{base!r} is not a dataset key (no {{name}} part)")
    return base[start + 1 : end]
