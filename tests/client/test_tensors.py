"""Tensors on every database: round trips of every dtype and layout, tensor ops, batch calls."""

from __future__ import annotations

import numpy as np
import pytest
from redis.crc import key_slot

from hpcsim.client import Client
from hpcsim.errors import KeyNotFoundError

DTYPES = [
    "float64",
    "float32",
    "float16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "complex64",
    "complex128",
]


def sample(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    kind = np.dtype(dtype).kind
    if kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    if kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_put_get_every_dtype(db, dtype):
    client = Client()
    for dims in [(7,), (5, 3), (2, 3, 4)]:
        data = sample(dtype, dims)
        client.put_tensor(f"t{len(dims)}", data)
        back = client.get_tensor(f"t{len(dims)}")
        assert back.dtype == data.dtype
        assert back.shape == data.shape
        np.testing.assert_array_equal(back, data)


def test_views_fortran_and_big_endian(db):
    client = Client()
    base = sample("float64", (6, 8))
    cases = {
        "transposed": base.T,
        "fortran": np.asfortranarray(base),
        "sliced": base[1:5:2, ::3],
        "reversed": base[::-1],
        "big_endian": base.astype(">f8"),
        "big_endian_int": sample("int32", (4, 4)).astype(">i4"),
    }
    for name, data in cases.items():
        client.put_tensor(name, data)
        back = client.get_tensor(name)
        assert back.shape == data.shape
        assert back.flags.c_contiguous
        assert back.dtype == data.dtype.newbyteorder("=")
        np.testing.assert_array_equal(back, data)


def test_zero_dim_and_empty(db):
    client = Client()
    client.put_tensor("scalar", np.array(3.5))
    scalar = client.get_tensor("scalar")
    assert scalar.shape == ()
    assert scalar == 3.5
    for shape in [(0,), (3, 0), (0, 2, 5)]:
        client.put_tensor("empty", np.zeros(shape, dtype=np.int16))
        back = client.get_tensor("empty")
        assert back.shape == shape
        assert back.dtype == np.int16


def test_large_tensor_is_sent_in_parts(db):
    client = Client()
    data = sample("float32", (512, 1024))
    client.put_tensor("large", data)
    np.testing.assert_array_equal(client.get_tensor("large"), data)


def test_get_tensor_returns_a_writable_aligned_array(db):
    client = Client()
    client.put_tensor("x", np.arange(10.0))
    first = client.get_tensor("x")
    assert first.flags.writeable and first.flags.aligned and first.flags.owndata
    first += 1
    np.testing.assert_array_equal(client.get_tensor("x"), np.arange(10.0))


@pytest.mark.parametrize(
    "data",
    [
        np.array(["a", "b"]),
        np.array([b"a"]),
        np.array([object(), 1], dtype=object),
        np.zeros(3, dtype="datetime64[s]"),
        np.zeros(2, dtype=[("a", "f8")]),
        np.zeros(2, dtype=np.longdouble),
    ],
    ids=["str", "bytes", "object", "datetime", "structured", "longdouble"],
)
def test_unsupported_dtypes(db, data):
    client = Client()
    with pytest.raises(TypeError, match=r"unsupported tensor dtype.*supported: float64"):
        client.put_tensor("bad", data)
    assert not client.key_exists("bad")


def test_put_tensor_requires_an_array(db):
    client = Client()
    with pytest.raises(TypeError, match=r"numpy\.ndarray"):
        client.put_tensor("bad", [1, 2, 3])


def test_unpack_tensor(db):
    client = Client()
    data = sample("int64", (3, 4))
    client.put_tensor("u", data)
    result = np.empty((3, 4), dtype=np.int64)
    client.unpack_tensor("u", result)
    np.testing.assert_array_equal(result, data)
    fortran = np.empty((3, 4), dtype=">i8", order="F")
    client.unpack_tensor("u", fortran)
    np.testing.assert_array_equal(fortran, data)
    with pytest.raises(ValueError, match=r"shape \(3, 4\).*shape \(4, 3\)"):
        client.unpack_tensor("u", np.empty((4, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"int64.*float64"):
        client.unpack_tensor("u", np.empty((3, 4)))
    with pytest.raises(KeyNotFoundError, match="'missing'"):
        client.unpack_tensor("missing", result)


def test_missing_tensor_names_the_key(db):
    client = Client()
    with pytest.raises(KeyNotFoundError, match=r"^no tensor 'ghost' in the database$"):
        client.get_tensor("ghost")


def test_tensor_ops(db):
    client = Client()
    data = sample("float32", (4, 4))
    client.put_tensor("src", data)
    assert client.tensor_exists("src")
    assert client.key_exists("src")

    client.copy_tensor("src", "copy")
    np.testing.assert_array_equal(client.get_tensor("copy"), data)
    assert client.tensor_exists("src")

    client.rename_tensor("copy", "moved")
    assert not client.tensor_exists("copy")
    np.testing.assert_array_equal(client.get_tensor("moved"), data)

    client.put_tensor("other", np.zeros(2))
    client.copy_tensor("src", "other")
    np.testing.assert_array_equal(client.get_tensor("other"), data)

    client.delete_tensor("moved")
    assert not client.tensor_exists("moved")
    client.delete_tensor("moved")

    with pytest.raises(KeyNotFoundError, match="'absent'"):
        client.copy_tensor("absent", "x")
    with pytest.raises(KeyNotFoundError, match="'absent'"):
        client.rename_tensor("absent", "x")
    client.rename_tensor("src", "src")
    assert client.tensor_exists("src")


def test_ops_across_many_slots(db):
    """On a cluster these names hash to different shards; copy/rename still work."""
    client = Client()
    for i in range(12):
        client.put_tensor(f"a{i}", np.full(3, i))
        client.copy_tensor(f"a{i}", f"b{i}")
        client.rename_tensor(f"b{i}", f"c{i}")
    for i in range(12):
        np.testing.assert_array_equal(client.get_tensor(f"c{i}"), np.full(3, i))
        assert not client.tensor_exists(f"b{i}")


def test_polling(db):
    client = Client()
    assert not client.poll_tensor("later", 1, 3)
    assert not client.poll_key("later", 1, 2)
    client.put_tensor("later", np.ones(1))
    assert client.poll_tensor("later", 1, 1)
    assert client.poll_key("later", 1, 1)
    with pytest.raises(ValueError):
        client.poll_tensor("later", -1, 1)


def test_batch_put_and_get(db):
    client = Client()
    tensors = {f"batch_{i}": sample("float64", (16,), seed=i) for i in range(50)}
    tensors["big"] = sample("uint8", (300_000,))
    client.put_tensors(tensors)
    fetched = client.get_tensors(list(tensors))
    for (name, data), back in zip(tensors.items(), fetched, strict=True):
        np.testing.assert_array_equal(back, data, err_msg=name)
    with pytest.raises(KeyNotFoundError, match="'nope'"):
        client.get_tensors(["batch_0", "nope"])
    with pytest.raises(TypeError):
        client.put_tensors([("x", np.ones(1))])
    with pytest.raises(TypeError):
        client.get_tensors("batch_0")


def test_stale_slot_map_is_refreshed(cluster_db):
    """A command sent to the wrong shard gets MOVED; the client re-reads the layout and retries."""
    client = Client()
    cluster = client._transport._cluster
    slot = key_slot(b"moved_key")
    owner = cluster.nodes_manager.slots_cache[slot][0]
    wrong = next(node for node in cluster.get_primaries() if node.name != owner.name)
    cluster.nodes_manager.slots_cache[slot] = [wrong]
    client.put_tensor("moved_key", np.arange(5))
    assert cluster.nodes_manager.slots_cache[slot][0].name == owner.name
    cluster.nodes_manager.slots_cache[slot] = [wrong]
    np.testing.assert_array_equal(client.get_tensor("moved_key"), np.arange(5))
