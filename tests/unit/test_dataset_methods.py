"""The local Dataset API (SmartRedis' test_dataset_methods, ported; no server)."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Dataset
from hpcsim.client.error import RedisKeyError

TENSOR_DTYPES = ["float64", "float32", "int8", "int16", "int32", "int64", "uint8", "uint16", "bool", "complex64"]
META_DTYPES = ["float64", "float32", "int32", "int64", "uint32", "uint64"]


@pytest.mark.parametrize("dtype", TENSOR_DTYPES)
@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)])
def test_add_get_tensor(dtype, shape):
    dataset = Dataset("test-dataset")
    data = (np.arange(int(np.prod(shape))) % 2).reshape(shape).astype(dtype)
    dataset.add_tensor("t", data)
    np.testing.assert_array_equal(dataset.get_tensor("t"), data)
    assert dataset.get_tensor_type("t") is np.dtype(dtype).type
    assert dataset.get_tensor_dims("t") == list(shape)


def test_float32_tensor_reports_float32():
    dataset = Dataset("d")
    dataset.add_tensor("f", np.zeros(2, dtype=np.float32))
    assert dataset.get_tensor_type("f") is np.float32


def test_add_tensor_keeps_a_copy():
    data = np.arange(6.0).reshape(2, 3)
    dataset = Dataset("d")
    dataset.add_tensor("t", data.T)
    data[:] = -1
    np.testing.assert_array_equal(dataset.get_tensor("t"), np.arange(6.0).reshape(2, 3).T)
    assert dataset.get_tensor("t").flags.c_contiguous


@pytest.mark.parametrize("dtype", META_DTYPES)
def test_add_get_scalar(dtype):
    dataset = Dataset("d")
    for value in (1, 2, 3):
        dataset.add_meta_scalar("s", np.dtype(dtype).type(value))
    scalars = dataset.get_meta_scalars("s")
    np.testing.assert_array_equal(scalars, [1, 2, 3])
    assert scalars.dtype == np.dtype(dtype)
    assert dataset.get_metadata_field_type("s") is np.dtype(dtype).type


def test_python_numbers_and_strings():
    dataset = Dataset("d")
    dataset.add_meta_scalar("i", 3)
    dataset.add_meta_scalar("f", 2.5)
    dataset.add_meta_scalar("a", np.array([7], dtype=np.uint32))
    dataset.add_meta_string("s", "one")
    dataset.add_meta_string("s", "two")
    assert dataset.get_metadata_field_type("i") is np.int64
    assert dataset.get_metadata_field_type("f") is np.float64
    assert dataset.get_metadata_field_type("a") is np.uint32
    assert dataset.get_metadata_field_type("s") is str
    assert dataset.get_meta_strings("s") == ["one", "two"]
    assert dataset.get_metadata_field_names() == ["i", "f", "a", "s"]
    assert dataset.get_tensor_names() == []


def test_errors():
    dataset = Dataset("d")
    dataset.add_meta_scalar("n", 1)
    dataset.add_meta_string("s", "x")
    with pytest.raises(RedisKeyError, match="no tensor 'missing'"):
        dataset.get_tensor("missing")
    with pytest.raises(RedisKeyError):
        dataset.get_tensor_type("missing")
    with pytest.raises(RedisKeyError):
        dataset.get_tensor_dims("missing")
    with pytest.raises(RedisKeyError, match="no metadata field 'missing'"):
        dataset.get_metadata_field_type("missing")
    with pytest.raises(RedisKeyError):
        dataset.get_meta_scalars("missing")
    with pytest.raises(TypeError, match="holds strings"):
        dataset.get_meta_scalars("s")
    with pytest.raises(TypeError, match="use get_meta_scalars"):
        dataset.get_meta_strings("n")
    with pytest.raises(TypeError, match="holds int64"):
        dataset.add_meta_scalar("n", 1.5)
    with pytest.raises(TypeError, match="cannot add a string"):
        dataset.add_meta_string("n", "x")
    with pytest.raises(TypeError, match="single number"):
        dataset.add_meta_scalar("v", np.array([1, 2]))
    with pytest.raises(TypeError, match="unsupported metadata dtype"):
        dataset.add_meta_scalar("v", np.int8(1))
    with pytest.raises(TypeError):
        dataset.add_meta_scalar("v", True)
    with pytest.raises(TypeError):
        dataset.add_meta_scalar("v", "1")
    with pytest.raises(TypeError):
        dataset.add_meta_string("v", 1)
    with pytest.raises(TypeError):
        dataset.add_tensor("t", [1, 2])
    with pytest.raises(TypeError, match="unsupported tensor dtype"):
        dataset.add_tensor("t", np.array(["a"]))
    with pytest.raises(TypeError):
        dataset.add_tensor(1, np.ones(1))
    for reserved in (".tensor_names", ".COMPLETE", ""):
        with pytest.raises(ValueError):
            dataset.add_meta_string(reserved, "x")
    with pytest.raises(ValueError, match="meta"):
        dataset.add_tensor("meta", np.ones(1))


@pytest.mark.parametrize("name", ["", "a{b", "c}"])
def test_bad_names(name):
    with pytest.raises(ValueError):
        Dataset(name)


def test_name_type():
    with pytest.raises(TypeError):
        Dataset(3)
    assert Dataset("named").get_name() == "named"
