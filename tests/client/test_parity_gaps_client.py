"""SmartRedis 0.6.1 names hpcsim lacked, used as a SmartRedis user uses them: the rarer error
classes, ``poll_list_length*(name=...)``, ``SRObject``, ``set_model_chunk_size`` and
``DatasetConverter``."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import types
from typing import Any

import numpy as np
import pytest

from hpcsim.client import Client, Dataset, DatasetConverter, LLInfo, LogContext, SRObject
from hpcsim.client.error import (
    RedisBadAllocError,
    RedisDatabaseError,
    RedisInternalError,
    RedisReplyError,
)
from hpcsim.dataplane import codec

from .conftest import Database

# -- error names ------------------------------------------------------------------------------


def test_redis_internal_error_catches_unreadable_data(standalone: Database) -> None:
    standalone.servers[0].redis().set("garbage", b"not a tensor")
    client = Client(logger_name="gaps")
    with pytest.raises(RedisInternalError):
        client.get_tensor("garbage")


def test_redis_database_error_catches_a_lost_database(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import start_server

    server = start_server(tmp_path / "lost")
    try:
        monkeypatch.setenv("HPCSIM_DB", server.address)
        monkeypatch.setenv("HPCSIM_DB_TYPE", "standalone")
        monkeypatch.setenv("HPCSIM_CMD_TIMEOUT", "0.5")
        password_file = tmp_path / "password"
        password_file.write_text(server.password + "\n")
        password_file.chmod(0o600)
        monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(password_file))
        client = Client(logger_name="gaps")
        client.put_tensor("t", np.zeros(2))
    finally:
        server.stop()
    with pytest.raises(RedisDatabaseError):
        client.get_tensor("t")


def test_redis_bad_alloc_error_catches_a_failed_allocation(
    standalone: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(logger_name="gaps")
    client.put_tensor("big", np.zeros(4))

    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError("Unable to allocate 4 GiB for an array")

    monkeypatch.setattr(codec, "read_tensor", exhausted)
    with pytest.raises(RedisBadAllocError):
        client.get_tensor("big")


def test_the_rarer_errors_are_request_errors_where_smartredis_says_so() -> None:
    assert issubclass(RedisDatabaseError, RedisReplyError)
    assert issubclass(RedisInternalError, RedisReplyError)
    assert issubclass(RedisDatabaseError, RuntimeError)
    assert issubclass(RedisBadAllocError, MemoryError)


# -- poll_list_length*: the first parameter is name -------------------------------------------


@pytest.mark.parametrize("method", ["poll_list_length", "poll_list_length_gte", "poll_list_length_lte"])
def test_poll_list_length_by_keyword(standalone: Database, method: str) -> None:
    client = Client(logger_name="gaps")
    dataset = Dataset("member")
    dataset.add_tensor("x", np.arange(3))
    client.put_dataset(dataset)
    client.append_to_list("agg", dataset)
    client.append_to_list("agg", dataset)
    poll = getattr(client, method)
    assert poll(name="agg", list_length=2, poll_frequency_ms=1, num_tries=2)
    assert poll("agg", 2, 1, 2)
    assert list(inspect.signature(poll).parameters) == ["name", "list_length", "poll_frequency_ms", "num_tries"]


# -- SRObject -----------------------------------------------------------------------------------


def test_client_dataset_and_log_context_are_srobjects(standalone: Database, capsys: pytest.CaptureFixture[str]) -> None:
    objects: list[SRObject] = [Client(logger_name="gaps"), Dataset("ds"), LogContext("ctx")]
    for item in objects:
        assert isinstance(item, SRObject)
        item.log_data(LLInfo, "data")
        item.log_warning(LLInfo, "careful")
        item.log_error(LLInfo, "broken")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("@")[0] for line in lines] == ["gaps"] * 3 + ["ds"] * 3 + ["ctx"] * 3
    assert lines[1].endswith(":WARNING: careful") and lines[2].endswith(":ERROR: broken")
    assert isinstance(SRObject("free"), SRObject)


# -- set_model_chunk_size ---------------------------------------------------------------------


def test_set_model_chunk_size_is_accepted_and_checked(standalone: Database) -> None:
    client = Client(logger_name="gaps")
    client.set_model_chunk_size(1024 * 1024)
    client.set_model_chunk_size(chunk_size=511 * 1024 * 1024)
    with pytest.raises(TypeError):
        client.set_model_chunk_size("1024")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.set_model_chunk_size(True)
    with pytest.raises(ValueError):
        client.set_model_chunk_size(0)
    with pytest.raises(ValueError):
        client.set_model_chunk_size(-5)


# -- DatasetConverter ---------------------------------------------------------------------------


def _xarray_dataset() -> Dataset:
    dataset = Dataset("xr")
    dataset.add_tensor("temperature", np.arange(6, dtype=np.float64).reshape(2, 3))
    dataset.add_tensor("x", np.arange(3, dtype=np.float64))
    dataset.add_meta_string("x_dim", "x")
    dataset.add_meta_string("y_dim", "y")
    dataset.add_meta_string("units", "K")
    dataset.add_meta_string("x_units", "m")
    DatasetConverter.add_metadata_for_xarray(dataset, ["temperature"], ["y_dim", "x_dim"], ["x"], ["units"])
    DatasetConverter.add_metadata_for_xarray(dataset, "x", "x_dim", attr_names="x_units")
    return dataset


def test_add_metadata_for_xarray_writes_smartredis_fields(standalone: Database) -> None:
    client = Client(logger_name="gaps")
    client.put_dataset(_xarray_dataset())
    fetched = client.get_dataset("xr")
    assert fetched.get_meta_strings("_xarray_data_names") == ["temperature", "x"]
    assert fetched.get_meta_strings("_xarray_temperature_dim_names") == ["y_dim,x_dim"]
    assert fetched.get_meta_strings("_xarray_temperature_coord_names") == ["x"]
    assert fetched.get_meta_strings("_xarray_temperature_attr_names") == ["units"]
    assert fetched.get_meta_strings("_xarray_x_coord_names") == ["null"]
    with pytest.raises(TypeError):
        DatasetConverter.add_metadata_for_xarray(fetched, [1], ["x_dim"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        DatasetConverter.add_metadata_for_xarray("xr", ["x"], ["x_dim"])  # type: ignore[arg-type]


@pytest.mark.skipif(importlib.util.find_spec("xarray") is not None, reason="xarray is installed")
def test_transform_to_xarray_without_xarray_names_the_package() -> None:
    with pytest.raises(RedisReplyError, match="xarray"):
        DatasetConverter.transform_to_xarray(_xarray_dataset())


def test_transform_to_xarray_builds_data_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, dict[str, Any]] = {}

    def data_array(**kwargs: Any) -> str:
        made[kwargs["name"]] = kwargs
        return kwargs["name"]

    monkeypatch.setitem(sys.modules, "xarray", types.SimpleNamespace(DataArray=data_array))
    arrays = DatasetConverter.transform_to_xarray(_xarray_dataset())
    assert arrays == {"temperature": "temperature"}
    temperature = made["temperature"]
    assert temperature["dims"] == ["y", "x"]
    assert temperature["attrs"] == {"units": "K"}
    dims, values, attrs = temperature["coords"]["x"]
    assert dims == ["x"] and attrs == {"x_units": "m"}
    np.testing.assert_array_equal(values, np.arange(3.0))
    np.testing.assert_array_equal(temperature["data"], np.arange(6.0).reshape(2, 3))
