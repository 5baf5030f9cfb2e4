"""``Dataset``: named tensors plus metadata fields, stored and fetched as one unit.

Same API as SmartRedis' Dataset, except that ``get_tensor_type`` reports the true type of a
float32 tensor (SmartRedis says float64). ``add_tensor`` keeps a copy of the array, so the
caller may reuse its buffer; tensors of a dataset fetched from the database are writable arrays
owned by the dataset, like ``Client.get_tensor``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hpcsim.client.log import SRObject
from hpcsim.dataplane import codec
from hpcsim.errors import ClientError, KeyNotFoundError

__all__ = ["TENSOR_NAMES", "Dataset"]

TENSOR_NAMES = ".tensor_names"
"""Metadata field listing a dataset's tensors, as in SmartRedis."""
COMPLETE = ".COMPLETE"
"""Field written last by put_dataset; its presence means the dataset is whole."""
_RESERVED = (TENSOR_NAMES, COMPLETE)
_META_SCALAR_TYPES = ("float64", "float32", "int64", "int32", "uint64", "uint32")
#: how SmartRedis names types in ``str(dataset)`` (and hpcsim's extra tensor types)
_TYPE_NAMES = {
    "float64": "double",
    "float32": "float",
    "int8": "8 bit signed integer",
    "int16": "16 bit signed integer",
    "int32": "32 bit signed integer",
    "int64": "64 bit signed integer",
    "uint8": "8 bit unsigned integer",
    "uint16": "16 bit unsigned integer",
    "uint32": "32 bit unsigned integer",
    "uint64": "64 bit unsigned integer",
    "float16": "half",
    "bool": "boolean",
    "complex64": "complex float",
    "complex128": "complex double",
}


@dataclass
class _Field:
    dtype: np.dtype[Any] | None  # None: a string field
    values: list[Any] = field(default_factory=list)


def _check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def check_dataset_name(name: object) -> str:
    """A dataset name: a non-empty str without braces (they delimit the Redis hash tag)."""
    name = _check_str(name, "name")
    if not name or "{" in name or "}" in name:
        raise ValueError(f"dataset name {name!r} must be non-empty and contain no braces")
    return name


class Dataset(SRObject):
    """Tensors and metadata under one name; put with ``Client.put_dataset``."""

    def __init__(self, name: str) -> None:
        super().__init__(check_dataset_name(name))
        self._name = name
        self._tensors: dict[str, np.ndarray[Any, Any]] = {}
        self._meta: dict[str, _Field] = {}

    def __repr__(self) -> str:
        return f"Dataset({self._name!r}, tensors={list(self._tensors)}, metadata={list(self._meta)})"

    def __str__(self) -> str:
        """SmartRedis' description: each tensor's type, dimensions and element count, then
        each metadata field's type."""
        lines = [f"DataSet ({self._name}):", "Tensors:"]
        for name, data in self._tensors.items():
            lines += [
                f"  {name}:",
                f"    type: {_TYPE_NAMES.get(data.dtype.name, data.dtype.name)}",
                f"    dimensions: [{', '.join(str(d) for d in data.shape)}]",
                f"    elements: {data.size}",
            ]
        lines += [] if self._tensors else ["  none"]
        lines.append("Metadata:")
        for name, entry in self._meta.items():
            kind = "string" if entry.dtype is None else _TYPE_NAMES.get(entry.dtype.name, entry.dtype.name)
            lines += [f"  {name}:", f"    type: {kind}"]
        lines += [] if self._meta else ["  none"]
        return "\n".join(lines) + "\n"

    def get_name(self) -> str:
        """The dataset's name."""
        return self._name

    def add_tensor(self, name: str, data: np.ndarray[Any, Any]) -> None:
        """Add (or replace) tensor ``name``; the dataset keeps its own copy of ``data``."""
        _check_str(name, "name")
        if not isinstance(data, np.ndarray):
            raise TypeError(f"data must be a numpy.ndarray, not {type(data).__name__}")
        if not name or name == "meta":
            raise ValueError(f"tensor name {name!r} is not allowed in a dataset (empty, or clashes with its .meta key)")
        self._tensors[name] = codec.normalize(np.asarray(data), copy=True)

    def get_tensor(self, name: str) -> np.ndarray[Any, Any]:
        """The tensor ``name`` of this dataset (``KeyNotFoundError`` if it has none of that name)."""
        return self._tensor(name)

    def _tensor(self, name: str) -> np.ndarray[Any, Any]:
        _check_str(name, "name")
        try:
            return self._tensors[name]
        except KeyError:
            raise KeyNotFoundError(f"dataset {self._name!r} has no tensor {name!r}") from None

    def get_tensor_names(self) -> list[str]:
        """The names of the dataset's tensors, in the order they were added."""
        return list(self._tensors)

    def get_tensor_type(self, name: str) -> type:
        """The numpy scalar type of the tensor, e.g. ``numpy.float32``."""
        kind: type = self._tensor(name).dtype.type
        return kind

    def get_tensor_dims(self, name: str) -> list[int]:
        """The shape of tensor ``name``, as a list."""
        return list(self._tensor(name).shape)

    def add_meta_scalar(self, name: str, data: int | float | np.generic | np.ndarray[Any, Any]) -> None:
        """Append one number to field ``name`` (float64, float32, int64, int32, uint64, uint32;
        Python ints are int64, floats float64)."""
        self._check_field_name(name)
        if isinstance(data, bool) or not isinstance(data, (int, float, np.generic, np.ndarray)):
            raise TypeError(f"data must be an int, a float or a numpy number, not {type(data).__name__}")
        value = np.asarray(data)
        if value.size != 1:
            raise TypeError(f"data must be a single number, not an array of {value.size} elements")
        dtype = value.dtype.newbyteorder("=")
        if dtype.name not in _META_SCALAR_TYPES:
            raise TypeError(f"unsupported metadata dtype {dtype}; supported: {', '.join(_META_SCALAR_TYPES)}")
        self._append(name, dtype, value.reshape(()).item())

    def add_meta_string(self, name: str, data: str) -> None:
        """Append one string to field ``name``."""
        self._check_field_name(name)
        self._append(name, None, _check_str(data, "data"))

    def _check_field_name(self, name: object) -> None:
        _check_str(name, "name")
        if not name or name in _RESERVED:
            raise ValueError(f"metadata field name {name!r} is reserved or empty")

    def _append(self, name: str, dtype: np.dtype[Any] | None, value: Any) -> None:
        entry = self._meta.setdefault(name, _Field(dtype))
        if entry.dtype != dtype:
            held = "strings" if entry.dtype is None else str(entry.dtype)
            given = "a string" if dtype is None else str(dtype)
            raise TypeError(f"metadata field {name!r} holds {held}; cannot add {given}")
        entry.values.append(value)

    def _field(self, name: str) -> _Field:
        _check_str(name, "name")
        try:
            return self._meta[name]
        except KeyError:
            raise KeyNotFoundError(f"dataset {self._name!r} has no metadata field {name!r}") from None

    def get_meta_scalars(self, name: str) -> np.ndarray[Any, Any]:
        """The numbers of metadata field ``name`` (``TypeError`` if it holds strings)."""
        entry = self._field(name)
        if entry.dtype is None:
            raise TypeError(f"metadata field {name!r} holds strings; use get_meta_strings")
        return np.array(entry.values, dtype=entry.dtype)

    def get_meta_strings(self, name: str) -> list[str]:
        """The strings of metadata field ``name`` (``TypeError`` if it holds numbers)."""
        entry = self._field(name)
        if entry.dtype is not None:
            raise TypeError(f"metadata field {name!r} holds {entry.dtype} numbers; use get_meta_scalars")
        return list(entry.values)

    def get_metadata_field_names(self) -> list[str]:
        """The names of the dataset's metadata fields."""
        return list(self._meta)

    def get_metadata_field_type(self, name: str) -> type:
        """``str`` for a string field, else the numpy scalar type (e.g. ``numpy.uint32``)."""
        entry = self._field(name)
        return str if entry.dtype is None else entry.dtype.type

    def encode(self) -> tuple[list[tuple[bytes, bytes]], list[tuple[str, tuple[bytes | memoryview, ...]]]]:
        """Metadata hash fields and ``(tensor name, value parts)`` as put_dataset stores them."""
        if not self._tensors and not self._meta:
            raise ClientError(f"dataset {self._name!r} is empty; add a tensor or a metadata field first")
        fields = [
            (
                name.encode(),
                codec.encode_meta_strings(entry.values)
                if entry.dtype is None
                else codec.encode_meta_scalars(entry.dtype, entry.values),
            )
            for name, entry in self._meta.items()
        ]
        if self._tensors:
            fields.append((TENSOR_NAMES.encode(), codec.encode_meta_strings(list(self._tensors))))
        return fields, [(name, codec.encode_tensor(data)) for name, data in self._tensors.items()]

    @staticmethod
    def tensor_names_in(fields: dict[bytes, bytes], key: str) -> list[str]:
        """The tensor names listed in a metadata hash read from ``key``."""
        raw = fields.get(TENSOR_NAMES.encode())
        return [] if raw is None else codec.decode_meta(raw, f"{key} {TENSOR_NAMES}")[1]

    @classmethod
    def decode(cls, name: str, fields: dict[bytes, bytes], tensors: dict[str, np.ndarray[Any, Any]]) -> Dataset:
        """A dataset rebuilt from its metadata hash and its fetched tensors."""
        dataset = cls(name)
        for raw_name, raw in fields.items():
            field_name = raw_name.decode()
            if field_name in _RESERVED:
                continue
            dtype, values = codec.decode_meta(raw, field_name)
            dataset._meta[field_name] = _Field(dtype, values)
        dataset._tensors = dict(tensors)
        return dataset
