"""Bytes on the wire: the tensor format and the dataset metadata-field format.

A tensor is one Redis string: an 8-byte prefix (magic ``HPTN``, version, dtype code, ndim,
reserved zero byte), ``ndim`` little-endian uint64 dimensions, then the elements in C order,
little-endian. The header length is ``8 + 8 * ndim``, a multiple of 8, so a reader can map the
elements in place (``np.frombuffer(value, dtype, offset=header_len)``, see ``decode_tensor``) or
receive them into an aligned array (``read_tensor``, what the client does). Metadata fields use
SmartRedis' encoding (type byte, then little-endian values; strings length-prefixed).
``docs/wire-format.md`` is the normative description for clients in other languages.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from hpcsim.dataplane.wire import BIG_PART
from hpcsim.errors import ClientError

__all__ = [
    "MAGIC",
    "META_TYPES",
    "VERSION",
    "ByteSource",
    "decode_meta",
    "decode_tensor",
    "dtype_for",
    "encode_meta_scalars",
    "encode_meta_strings",
    "encode_tensor",
    "header_length",
    "normalize",
    "read_tensor",
    "supported_dtypes",
]

MAGIC = b"HPTN"
VERSION = 1
_PREFIX = struct.Struct("<4sBBBB")

# Wire dtype codes; 1-8 are SmartRedis' SRTensorType values, the rest are hpcsim's extensions.
_CODES: dict[str, int] = {
    "f8": 1,
    "f4": 2,
    "i1": 3,
    "i2": 4,
    "i4": 5,
    "i8": 6,
    "u1": 7,
    "u2": 8,
    "b1": 9,
    "f2": 10,
    "u4": 11,
    "u8": 12,
    "c8": 13,
    "c16": 14,
}
_DTYPES: dict[int, np.dtype[Any]] = {code: np.dtype("<" + key.replace("b1", "?")) for key, code in _CODES.items()}

# Metadata field type bytes (SmartRedis' SRMetaDataType).
META_TYPES: dict[int, np.dtype[Any] | None] = {
    1: np.dtype("<f8"),
    2: np.dtype("<f4"),
    3: np.dtype("<i4"),
    4: np.dtype("<i8"),
    5: np.dtype("<u4"),
    6: np.dtype("<u8"),
    7: None,
}
_META_CODES = {dtype.str[1:]: code for code, dtype in META_TYPES.items() if dtype is not None}
META_STRING = 7
_LENGTH = struct.Struct("<Q")


def supported_dtypes() -> str:
    """The tensor dtypes hpcsim stores, for error messages."""
    return ", ".join(str(dtype) for dtype in _DTYPES.values())


def _key(dtype: np.dtype[Any]) -> str:
    return f"{dtype.kind}{dtype.itemsize}"


def dtype_for(data: np.ndarray[Any, Any], what: str = "tensor") -> int:
    """The wire code of ``data``'s dtype; TypeError naming the supported ones otherwise."""
    code = _CODES.get(_key(data.dtype)) if data.dtype.kind in "biufc" else None
    if code is None:
        raise TypeError(f"unsupported {what} dtype {data.dtype!s}; supported: {supported_dtypes()} (any byte order)")
    return code


def normalize(data: np.ndarray[Any, Any], copy: bool = False) -> np.ndarray[Any, Any]:
    """``data`` as a C-contiguous little-endian array; copies only when it has to (or when asked)."""
    dtype_for(data)
    little = data.dtype.newbyteorder("<")
    if data.dtype != little:
        return data.astype(little, order="C")
    if copy or not data.flags.c_contiguous:
        return np.array(data, order="C", copy=True)
    return data


def header_length(ndim: int) -> int:
    """Bytes before the first element of a tensor with ``ndim`` dimensions."""
    return _PREFIX.size + 8 * ndim


def encode_tensor(data: np.ndarray[Any, Any]) -> tuple[bytes | memoryview, ...]:
    """The parts whose concatenation is the stored value: ``(value,)`` for small tensors, else
    ``(header, elements)`` with the elements a view of ``data`` (no copy when ``data`` already is
    C-contiguous little-endian)."""
    code = dtype_for(data)
    data = normalize(data)
    header = _PREFIX.pack(MAGIC, VERSION, code, data.ndim, 0) + struct.pack(f"<{data.ndim}Q", *data.shape)
    if data.nbytes <= BIG_PART:
        return (header + data.tobytes(),)
    return header, data.data.cast("B")


class ByteSource(Protocol):
    """Where ``read_tensor`` takes a value's bytes from (``hpcsim.dataplane.wire.Wire``)."""

    def read(self, size: int) -> bytes: ...

    def read_into(self, view: memoryview) -> None: ...


def _layout(prefix: bytes, key: str) -> tuple[np.dtype[Any], int]:
    """Dtype and ndim from the 8-byte prefix of a tensor value."""
    magic, version, code, ndim, _ = _PREFIX.unpack_from(prefix)
    if magic != MAGIC:
        raise ClientError(f"{key!r} does not hold an hpcsim tensor (no {MAGIC!r} header)")
    if version != VERSION:
        raise ClientError(f"{key!r} holds tensor format version {version}; this client reads version {VERSION}")
    dtype = _DTYPES.get(code)
    if dtype is None:
        raise ClientError(f"{key!r} holds a tensor of unknown dtype code {code}")
    return dtype, ndim


def _check_size(key: str, length: int, dtype: np.dtype[Any], shape: tuple[int, ...]) -> int:
    count = math.prod(shape)
    if length != header_length(len(shape)) + count * dtype.itemsize:
        raise ClientError(f"{key!r} holds {length} bytes, which does not match shape {shape} of {dtype}")
    return count


def decode_tensor(value: bytes, key: str) -> np.ndarray[Any, Any]:
    """The array stored in ``value``, sharing its memory (read-only)."""
    if len(value) < _PREFIX.size:
        raise ClientError(f"{key!r} does not hold an hpcsim tensor ({len(value)} bytes)")
    dtype, ndim = _layout(value, key)
    if len(value) < header_length(ndim):
        raise ClientError(f"{key!r} holds a truncated tensor header")
    shape = struct.unpack_from(f"<{ndim}Q", value, _PREFIX.size)
    count = _check_size(key, len(value), dtype, shape)
    return np.frombuffer(value, dtype=dtype, count=count, offset=header_length(ndim)).reshape(shape)


def read_tensor(source: ByteSource, length: int, key: str) -> np.ndarray[Any, Any]:
    """The ``length``-byte tensor value coming from ``source``, received straight into a new
    (writable, aligned) array. On ClientError the source is left mid-value."""
    if length < _PREFIX.size:
        raise ClientError(f"{key!r} does not hold an hpcsim tensor ({length} bytes)")
    dtype, ndim = _layout(source.read(_PREFIX.size), key)
    if length < header_length(ndim):
        raise ClientError(f"{key!r} holds a truncated tensor header")
    shape = struct.unpack(f"<{ndim}Q", source.read(8 * ndim))
    _check_size(key, length, dtype, shape)
    out = np.empty(shape, dtype=dtype)
    if out.nbytes:
        source.read_into(out.data.cast("B"))
    return out


def encode_meta_scalars(dtype: np.dtype[Any], values: Sequence[Any]) -> bytes:
    """A metadata field of numbers: type byte, then the values little-endian."""
    code = _META_CODES[dtype.newbyteorder("<").str[1:]]
    return bytes([code]) + np.asarray(values, dtype=dtype.newbyteorder("<")).tobytes()


def encode_meta_strings(values: Sequence[str]) -> bytes:
    """A metadata field of strings: type byte 7, then per string a uint64 length and UTF-8 bytes."""
    parts = [bytes([META_STRING])]
    for text in values:
        raw = text.encode()
        parts += [_LENGTH.pack(len(raw)), raw]
    return b"".join(parts)


def decode_meta(value: bytes, field: str) -> tuple[np.dtype[Any] | None, list[Any]]:
    """``(dtype, values)`` of a metadata field; dtype ``None`` for a string field."""
    if not value or value[0] not in META_TYPES:
        raise ClientError(f"metadata field {field!r} has an unknown type byte")
    dtype = META_TYPES[value[0]]
    if dtype is not None:
        if (len(value) - 1) % dtype.itemsize:
            raise ClientError(f"metadata field {field!r} is truncated")
        return dtype.newbyteorder("="), np.frombuffer(value, dtype, offset=1).tolist()
    strings: list[str] = []
    at = 1
    while at < len(value):
        if at + _LENGTH.size > len(value):
            raise ClientError(f"metadata field {field!r} is truncated")
        (length,) = _LENGTH.unpack_from(value, at)
        at += _LENGTH.size
        if at + length > len(value):
            raise ClientError(f"metadata field {field!r} is truncated")
        strings.append(value[at : at + length].decode())
        at += length
    return None, strings
