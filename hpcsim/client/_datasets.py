"""Client operations on datasets and aggregation lists.

A dataset is written in one pipeline on the server owning its hash slot: ``DEL`` the metadata
hash, ``HSET`` its fields, ``SET`` every tensor, then ``HSET .COMPLETE 1`` last, so a reader
polling ``dataset_exists`` never sees half a dataset. Lists hold dataset base keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hpcsim.client._base import ClientBase, check_int, check_key
from hpcsim.client.connection import Command, Target
from hpcsim.client.dataset import COMPLETE, Dataset, check_dataset_name
from hpcsim.client.keys import dataset_name_from_key, dataset_tensor_key, meta_key
from hpcsim.errors import ClientError, KeyNotFoundError

__all__ = ["DatasetOps"]


def _as_dict(reply: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(reply[0::2], reply[1::2], strict=True))


def _check_dataset(dataset: object) -> Dataset:
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a Dataset, not {type(dataset).__name__}")
    return dataset


def _check_list_name(name: object, what: str) -> str:
    return check_key(name, what)


class DatasetOps(ClientBase):
    """put/get/copy/rename/delete datasets, and the aggregation-list methods."""

    # -- datasets ----------------------------------------------------------------------------------

    def put_dataset(self, dataset: Dataset) -> None:
        """Store ``dataset`` (put prefix); ``dataset_exists`` turns true once all of it is there."""
        fields, tensors = _check_dataset(dataset).encode()
        base = self._keys.dataset_key(dataset.get_name(), read=False)
        self._write_dataset(base, fields, tensors)

    def _write_dataset(
        self, base: str, fields: list[tuple[bytes, bytes]], tensors: list[tuple[str, tuple[bytes | memoryview, ...]]]
    ) -> None:
        meta = meta_key(base).encode()
        commands: list[Command] = [(b"DEL", meta)]
        fields = [(name, value) for name, value in fields if name != COMPLETE.encode()]
        if fields:
            commands.append((b"HSET", meta, *(item for pair in fields for item in pair)))
        commands += [(b"SET", dataset_tensor_key(base, name).encode(), parts) for name, parts in tensors]
        commands.append((b"HSET", meta, COMPLETE.encode(), b"1"))
        self._check_replies(self._run([(meta, command) for command in commands]), f"put_dataset {base!r}")

    def _read_meta(self, bases: list[str]) -> list[dict[bytes, bytes]]:
        items: list[tuple[Target, Command]] = []
        for base in bases:
            meta = meta_key(base).encode()
            items.append((meta, (b"HGETALL", meta)))
        replies = self._run(items)
        self._check_replies(replies, "reading dataset metadata")
        return [_as_dict(reply) for reply in replies]

    def _fetch(self, found: list[tuple[str, dict[bytes, bytes]]]) -> list[Dataset]:
        """Datasets from ``(base key, metadata)`` pairs, all tensors fetched in one batch."""
        wanted = [(base, name) for base, fields in found for name in Dataset.tensor_names_in(fields, base)]
        keys = [dataset_tensor_key(base, name) for base, name in wanted]
        tensors: dict[str, dict[str, np.ndarray[Any, Any]]] = {base: {} for base, _ in found}
        for (base, name), key, value in zip(wanted, keys, self._get_tensors(keys), strict=True):
            if value is None:
                raise ClientError(f"dataset {base!r} lists tensor {name!r}, but {key!r} is missing")
            tensors[base][name] = value
        return [Dataset.decode(dataset_name_from_key(base), fields, tensors[base]) for base, fields in found]

    def _existing(self, base: str) -> dict[bytes, bytes]:
        fields = self._read_meta([base])[0]
        if not fields:
            raise self._missing("dataset", base, self._keys.prefixed_read(self._keys.datasets))
        return fields

    def get_dataset(self, name: str) -> Dataset:
        """The dataset ``name`` (get prefix); KeyNotFoundError if it does not exist."""
        base = self._keys.dataset_key(check_dataset_name(name), read=True)
        return self._fetch([(base, self._existing(base))])[0]

    def delete_dataset(self, name: str) -> None:
        """Delete the dataset's metadata and tensors; KeyNotFoundError if it does not exist."""
        base = self._keys.dataset_key(check_dataset_name(name), read=True)
        self._delete(base, self._existing(base))

    def _delete(self, base: str, fields: dict[bytes, bytes]) -> None:
        keys = [dataset_tensor_key(base, name).encode() for name in Dataset.tensor_names_in(fields, base)]
        meta = meta_key(base).encode()
        self._check_replies(self._run([(meta, (b"DEL", meta, *keys))]), f"delete_dataset {base!r}")

    def copy_dataset(self, src_name: str, dest_name: str) -> None:
        """Copy dataset ``src_name`` (get prefix) to ``dest_name`` (put prefix)."""
        self._transfer(src_name, dest_name, delete_source=False)

    def rename_dataset(self, old_name: str, new_name: str) -> None:
        """Move dataset ``old_name`` (get prefix) to ``new_name`` (put prefix)."""
        self._transfer(old_name, new_name, delete_source=True)

    def _transfer(self, src_name: str, dest_name: str, delete_source: bool) -> None:
        src = self._keys.dataset_key(check_dataset_name(src_name), read=True)
        dest = self._keys.dataset_key(check_dataset_name(dest_name), read=False)
        fields = self._existing(src)
        if src == dest:
            return
        names = Dataset.tensor_names_in(fields, src)
        if self._same_slot(src, dest):
            verb = b"RENAME" if delete_source else b"COPY"
            extra: tuple[bytes, ...] = () if delete_source else (b"REPLACE",)
            pairs = [(dataset_tensor_key(src, name), dataset_tensor_key(dest, name)) for name in names]
            pairs.append((meta_key(src), meta_key(dest)))
            dest_meta = meta_key(dest).encode()
            commands: list[Command] = [(b"DEL", dest_meta)]
            commands += [(verb, a.encode(), b.encode(), *extra) for a, b in pairs]
            replies = self._run([(dest_meta, command) for command in commands])
            self._check_replies(replies, f"{verb.decode()} dataset {src!r} to {dest!r}")
            if not delete_source and 0 in replies[1:]:
                raise ClientError(f"dataset {src!r} changed while it was copied; some of its keys are missing")
            return
        keys = [dataset_tensor_key(src, name).encode() for name in names]
        values = self._run([(key, (b"GET", key)) for key in keys])
        self._check_replies(values, f"reading dataset {src!r}")
        if any(value is None for value in values):
            raise ClientError(f"dataset {src!r} lists tensors that are missing")
        self._write_dataset(
            dest, list(fields.items()), [(name, (value,)) for name, value in zip(names, values, strict=True)]
        )
        if delete_source:
            self._delete(src, fields)

    def dataset_exists(self, name: str) -> bool:
        """Whether dataset ``name`` (get prefix) is completely stored."""
        base = self._keys.dataset_key(check_dataset_name(name), read=True)
        return bool(self._call(meta_key(base), b"HEXISTS", COMPLETE.encode()))

    def poll_dataset(self, name: str, poll_frequency_ms: int, num_tries: int) -> bool:
        """Whether dataset ``name`` exists, checking every ``poll_frequency_ms`` ms up to ``num_tries`` times."""
        check_dataset_name(name)
        return self._poll(lambda: self.dataset_exists(name), poll_frequency_ms, num_tries)

    # -- aggregation lists --------------------------------------------------------------------------

    def append_to_list(self, list_name: str, dataset: Dataset) -> None:
        """Append a reference to ``dataset`` (already put) to the list (put prefixes)."""
        key = self._keys.list_key(check_key(list_name, "list_name"), read=False)
        entry = self._keys.dataset_key(_check_dataset(dataset).get_name(), read=False)
        self._call(key, b"RPUSH", entry.encode())

    def delete_list(self, list_name: str) -> None:
        """Delete aggregation list ``list_name`` (the datasets it names stay)."""
        self._call(self._keys.list_key(check_key(list_name, "list_name"), read=True), b"DEL")

    def copy_list(self, src_name: str, dest_name: str) -> None:
        """Copy the references of list ``src_name`` (get prefix) to ``dest_name`` (put prefix)."""
        self._copy_list(src_name, dest_name, delete_source=False)

    def rename_list(self, src_name: str, dest_name: str) -> None:
        """Rename aggregation list ``src_name`` to ``dest_name``."""
        self._copy_list(src_name, dest_name, delete_source=True)

    def _copy_list(self, src_name: str, dest_name: str, delete_source: bool) -> None:
        src = self._keys.list_key(_check_list_name(src_name, "src_name"), read=True)
        dest = self._keys.list_key(_check_list_name(dest_name, "dest_name"), read=False)
        if src == dest:
            return
        entries = self._call(src, b"LRANGE", b"0", b"-1")
        if not entries:
            raise self._missing("list", src, self._keys.prefixed_read(self._keys.lists))
        raw = dest.encode()
        replies = self._run([(raw, (b"DEL", raw)), (raw, (b"RPUSH", raw, *entries))])
        self._check_replies(replies, f"copying list {src!r} to {dest!r}")
        if delete_source:
            self._call(src, b"DEL")

    def get_list_length(self, list_name: str) -> int:
        """Entries in the list (0 if it does not exist)."""
        return int(self._call(self._keys.list_key(check_key(list_name, "list_name"), read=True), b"LLEN"))

    def _poll_length(self, name: str, list_length: int, ms: int, tries: int, ok: str) -> bool:
        check_key(name, "name")
        wanted = check_int(list_length, "list_length")
        if wanted < 0:
            raise ValueError(f"list_length must not be negative, not {wanted}")
        compare = {"==": wanted.__eq__, ">=": wanted.__le__, "<=": wanted.__ge__}[ok]
        return self._poll(lambda: compare(self.get_list_length(name)), ms, tries)

    def poll_list_length(self, name: str, list_length: int, poll_frequency_ms: int, num_tries: int) -> bool:
        """Check ``num_tries`` times, ``poll_frequency_ms`` apart, whether list ``name`` has
        exactly ``list_length`` entries."""
        return self._poll_length(name, list_length, poll_frequency_ms, num_tries, "==")

    def poll_list_length_gte(self, name: str, list_length: int, poll_frequency_ms: int, num_tries: int) -> bool:
        """Like ``poll_list_length``, for at least ``list_length`` entries."""
        return self._poll_length(name, list_length, poll_frequency_ms, num_tries, ">=")

    def poll_list_length_lte(self, name: str, list_length: int, poll_frequency_ms: int, num_tries: int) -> bool:
        """Like ``poll_list_length``, for at most ``list_length`` entries."""
        return self._poll_length(name, list_length, poll_frequency_ms, num_tries, "<=")

    def get_datasets_from_list(self, list_name: str) -> list[Dataset]:
        """Every dataset the list refers to, in list order ([] for a missing list)."""
        key = self._keys.list_key(_check_list_name(list_name, "list_name"), read=True)
        return self._datasets_of(key, self._call(key, b"LRANGE", b"0", b"-1"))

    def get_dataset_list_range(
        self, list_name: str, start_index: int, end_index: int, *, step: int = 1
    ) -> list[Dataset]:
        """Datasets at list positions ``start_index..end_index`` (inclusive; negative counts from
        the end). ``step`` (an hpcsim extension) takes every step-th of them, fetching only those."""
        key = self._keys.list_key(_check_list_name(list_name, "list_name"), read=True)
        start = str(check_int(start_index, "start_index")).encode()
        end = str(check_int(end_index, "end_index")).encode()
        if check_int(step, "step") < 1:
            raise ValueError(f"step must be at least 1, not {step}")
        return self._datasets_of(key, self._call(key, b"LRANGE", start, end)[::step])

    def _datasets_of(self, list_key: str, entries: list[bytes]) -> list[Dataset]:
        bases = [entry.decode() for entry in entries]
        metas = self._read_meta(bases)
        for base, fields in zip(bases, metas, strict=True):
            if not fields:
                raise KeyNotFoundError(f"list {list_key!r} refers to dataset {base!r}, which is not in the database")
        return self._fetch(list(zip(bases, metas, strict=True)))
