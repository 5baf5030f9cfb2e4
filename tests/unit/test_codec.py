"""The tensor wire format and the metadata-field encoding, byte for byte (no server)."""

from __future__ import annotations

import socket
import struct
import threading

import numpy as np
import pytest

from hpcsim.dataplane import codec
from hpcsim.dataplane.wire import Wire, pack
from hpcsim.errors import ClientError

CODES = {
    "float64": 1,
    "float32": 2,
    "int8": 3,
    "int16": 4,
    "int32": 5,
    "int64": 6,
    "uint8": 7,
    "uint16": 8,
    "bool": 9,
    "float16": 10,
    "uint32": 11,
    "uint64": 12,
    "complex64": 13,
    "complex128": 14,
}


def value_of(data: np.ndarray) -> bytes:
    return b"".join(bytes(part) for part in codec.encode_tensor(data))


@pytest.mark.parametrize(("dtype", "code"), CODES.items())
def test_header_layout(dtype, code):
    data = np.arange(6).reshape(2, 3).astype(dtype)
    value = value_of(data)
    assert value[:4] == b"HPTN"
    assert value[4:8] == bytes([1, code, 2, 0])
    assert struct.unpack_from("<2Q", value, 8) == (2, 3)
    assert len(value) == codec.header_length(2) + data.nbytes == 24 + data.nbytes
    assert value[24:] == data.astype(np.dtype(dtype).newbyteorder("<")).tobytes(order="C")


def test_elements_are_little_endian_c_order():
    data = np.array([[1, 2], [3, 4]], dtype=">u2", order="F")
    value = value_of(data)
    assert value[codec.header_length(2) :] == b"\x01\x00\x02\x00\x03\x00\x04\x00"


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (1,), (2, 3, 4, 5)])
def test_round_trip_shapes(shape):
    data = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    back = codec.decode_tensor(value_of(data), "k")
    assert back.shape == shape
    np.testing.assert_array_equal(back, data)


def test_small_tensors_are_one_buffer_large_ones_a_view():
    small = codec.encode_tensor(np.zeros(10))
    assert len(small) == 1
    large_data = np.zeros(100_000)
    header, elements = codec.encode_tensor(large_data)
    assert isinstance(elements, memoryview)
    assert np.shares_memory(np.frombuffer(elements, dtype=np.float64), large_data)
    assert len(header) == codec.header_length(1)


def test_normalize_copies_only_when_needed():
    data = np.arange(10.0)
    assert codec.normalize(data) is data
    assert codec.normalize(data, copy=True) is not data
    assert codec.normalize(data[::2]).flags.c_contiguous
    swapped = codec.normalize(data.astype(">f8"))
    assert swapped.dtype == np.dtype("<f8")
    assert codec.normalize(np.array(5.0)).shape == ()


@pytest.mark.parametrize("dtype", ["U3", "S2", "O", "M8[s]", "f16", "V8"])
def test_unsupported_dtypes(dtype):
    with pytest.raises(TypeError, match=r"unsupported tensor dtype .*supported: float64, float32"):
        codec.encode_tensor(np.zeros(2, dtype=dtype))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"abc", "does not hold an hpcsim tensor"),
        (b"XXXX\x01\x01\x00\x00" + bytes(8), "no b'HPTN' header"),
        (b"HPTN\x02\x01\x00\x00" + bytes(8), "format version 2"),
        (b"HPTN\x01\x63\x00\x00" + bytes(8), "unknown dtype code 99"),
        (b"HPTN\x01\x01\x01\x00", "truncated tensor header"),
        (b"HPTN\x01\x01\x01\x00" + struct.pack("<Q", 3) + bytes(16), "does not match shape"),
    ],
)
def test_corrupt_values(value, message):
    with pytest.raises(ClientError, match=message):
        codec.decode_tensor(value, "k")


class FakeSource:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def read(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk

    def read_into(self, view: memoryview) -> None:
        view[:] = self.read(len(view))


def test_read_tensor_receives_into_a_new_writable_array():
    data = np.arange(12, dtype=np.complex64).reshape(3, 4)
    value = value_of(data)
    out = codec.read_tensor(FakeSource(value), len(value), "k")
    assert out.flags.writeable and out.flags.owndata
    np.testing.assert_array_equal(out, data)
    with pytest.raises(ClientError, match="does not match"):
        codec.read_tensor(FakeSource(value), len(value) + 1, "k")


def test_meta_encoding_is_smartredis_compatible():
    assert codec.encode_meta_scalars(np.dtype("float64"), [1.5]) == b"\x01" + struct.pack("<d", 1.5)
    assert codec.encode_meta_scalars(np.dtype("uint32"), [1, 2]) == b"\x05" + struct.pack("<2I", 1, 2)
    assert codec.encode_meta_strings(["ab", ""]) == b"\x07" + struct.pack("<Q", 2) + b"ab" + struct.pack("<Q", 0)
    for dtype, code in [("float64", 1), ("float32", 2), ("int32", 3), ("int64", 4), ("uint32", 5), ("uint64", 6)]:
        raw = codec.encode_meta_scalars(np.dtype(dtype), [7, 8])
        assert raw[0] == code
        kind, values = codec.decode_meta(raw, "f")
        assert kind == np.dtype(dtype) and values == [7, 8]
    assert codec.decode_meta(codec.encode_meta_strings(["x", "yz", "ü"]), "f") == (None, ["x", "yz", "ü"])


@pytest.mark.parametrize("raw", [b"", b"\x09", b"\x01abc", b"\x07\x05", b"\x07" + struct.pack("<Q", 5) + b"ab"])
def test_corrupt_meta(raw):
    with pytest.raises(ClientError, match="metadata field 'f'"):
        codec.decode_meta(raw, "f")


def test_pack_passes_big_parts_through():
    big = memoryview(bytes(100_000))
    packed = pack([(b"SET", b"k", (b"head", big)), (b"GET", b"k")])
    assert any(part is big for part in packed)
    joined = b"".join(bytes(part) for part in packed)
    assert joined.startswith(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100004\r\nhead")
    assert joined.endswith(b"\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")


def test_wire_reads_lines_and_payloads_across_chunks():
    left, right = socket.socketpair()
    payload = bytes(range(256)) * 1000
    sender = threading.Thread(target=left.sendall, args=(b"$%d\r\n" % len(payload) + payload + b"\r\n+OK\r\n",))
    with left, right:
        sender.start()
        wire = Wire(right)
        assert wire.line() == b"$256000"
        target = bytearray(len(payload))
        wire.read_into(memoryview(target))
        wire.end_bulk()
        assert bytes(target) == payload
        assert wire.line() == b"+OK"
        assert wire.drained
        sender.join()
