"""SmartRedis 0.6.1 client behaviour, written as a SmartRedis user writes it (cases from
SmartRedis' tests/python/test_dataset_methods.py, test_errors.py, test_model_methods.py and
test_tensor_ops.py): str(Dataset), get_ai_info's list of addresses, the RedisAI batching
rules of set_model, argument types checked before a file is read, and copy_tensor of something
that is not a tensor, on every kind of database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hpcsim.client import Client, Dataset
from hpcsim.client.error import RedisKeyError, RedisReplyError
from hpcsim.dataplane.objects import Stored

from .conftest import Database

# -- str(Dataset) ------------------------------------------------------------------------------


def test_str_of_an_empty_dataset() -> None:
    assert str(Dataset("ds")) == "DataSet (ds):\nTensors:\n  none\nMetadata:\n  none\n"


def test_str_of_a_dataset_as_smartredis_prints_it(db: Database) -> None:
    dataset = Dataset("test-dataset")
    dataset.add_tensor("u8", np.zeros((2, 3), dtype=np.uint8))
    dataset.add_tensor("f64", np.zeros(5))
    dataset.add_meta_scalar("step", np.int32(3))
    dataset.add_meta_scalar("dt", 0.5)
    dataset.add_meta_string("label", "x")
    expected = (
        "DataSet (test-dataset):\n"
        "Tensors:\n"
        "  u8:\n    type: 8 bit unsigned integer\n    dimensions: [2, 3]\n    elements: 6\n"
        "  f64:\n    type: double\n    dimensions: [5]\n    elements: 5\n"
        "Metadata:\n"
        "  step:\n    type: 32 bit signed integer\n"
        "  dt:\n    type: double\n"
        "  label:\n    type: string\n"
    )
    assert str(dataset) == expected
    client = Client(logger_name="parity")
    client.put_dataset(dataset)
    fetched = str(client.get_dataset("test-dataset"))
    assert fetched.startswith("DataSet (test-dataset):\nTensors:\n")
    assert sorted(fetched.splitlines()) == sorted(expected.splitlines())


# -- get_ai_info: SmartRedis takes a list of addresses and returns a list ---------------------


def test_get_ai_info_of_a_list_of_addresses(standalone: Database) -> None:
    server = standalone.servers[0]
    fields = Stored(kind="model", backend="TORCH", device="CPU", version="v1", tag="t").fields(b"blob")
    server.redis().hset("mnist", mapping=fields)  # type: ignore[arg-type]
    client = Client(logger_name="parity")
    infos = client.get_ai_info([server.address], "mnist")
    assert isinstance(infos, list) and len(infos) == 1
    assert infos[0]["key"] == "mnist" and infos[0]["backend"] == "TORCH" and infos[0]["calls"] == 0
    assert infos[0] == client.get_ai_info(server.address, "mnist")  # hpcsim's form: one dict
    with pytest.raises(RedisKeyError):
        client.get_ai_info([server.address], "absent")
    with pytest.raises(TypeError):
        client.get_ai_info([server.address], "mnist", reset_stat="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.get_ai_info([1], "mnist")  # type: ignore[list-item]


# -- set_model: RedisAI's batching rules (SmartRedis' __check_batch_settings) -----------------


@pytest.mark.parametrize(
    ("batch_size", "min_batch_size", "min_batch_timeout", "message"),
    [
        (0, 1, 0, "batch_size must be non-zero if min_batch_size or min_batch_timeout is used"),
        (0, 0, 10, "batch_size must be non-zero if min_batch_size or min_batch_timeout is used"),
        (4, 0, 10, "min_batch_size must be non-zero if min_batch_timeout is used"),
    ],
)
def test_batching_rules(
    db: Database, batch_size: int, min_batch_size: int, min_batch_timeout: int, message: str
) -> None:
    client = Client(logger_name="parity")
    with pytest.raises(RedisReplyError, match=message) as info:
        client.set_model("m", b"model", "TORCH", "CPU", batch_size, min_batch_size, min_batch_timeout)
    assert isinstance(info.value, RuntimeError)
    assert not client.model_exists("m")


# -- argument types are checked before a file is read -----------------------------------------


def test_argument_types_before_the_model_file(standalone: Database, tmp_path: Path) -> None:
    client = Client(logger_name="parity")
    missing = str(tmp_path / "missing.pt")
    with pytest.raises(TypeError):
        client.set_model_from_file("m", missing, "TORCH", batch_size="4")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.set_model_from_file("m", missing, "NOT-A-BACKEND")
    with pytest.raises(TypeError):
        client.set_model_from_file("m", missing, "TORCH", device="TPU")
    with pytest.raises(TypeError):
        client.set_model_from_file(42, missing, "TORCH")  # type: ignore[arg-type]
    with pytest.raises(RedisReplyError, match="min_batch_size must be non-zero"):
        client.set_model_from_file("m", missing, "TORCH", batch_size=2, min_batch_timeout=5)
    with pytest.raises(TypeError):
        client.set_model_from_file_multigpu("m", missing, "TORCH", "0", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.set_script_from_file("s", missing, device="TPU")
    with pytest.raises(TypeError):
        client.set_script_from_file_multigpu(None, missing, 0, 1)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):  # good arguments: then the file is looked for
        client.set_model_from_file("m", missing, "TORCH")


# -- copy_tensor and rename_tensor of something that is not a tensor --------------------------


def test_copy_tensor_refuses_a_list(db: Database) -> None:
    client = Client(logger_name="parity")
    dataset = Dataset("member")
    dataset.add_tensor("t", np.arange(3))
    client.put_dataset(dataset)
    client.append_to_list("lst", dataset)
    for dest in ("lst-copy", "x", "lst"):  # same or other slot, same or other key
        with pytest.raises(RedisReplyError, match="'lst' does not hold a tensor"):
            client.copy_tensor("lst", dest)
        with pytest.raises(RedisReplyError, match="does not hold a tensor"):
            client.rename_tensor("lst", dest)
    assert not client.key_exists("lst-copy") and not client.key_exists("x")
    assert client.get_list_length("lst") == 1
    with pytest.raises(RedisKeyError):
        client.copy_tensor("absent", "x")
    client.put_tensor("real", np.arange(4))
    client.copy_tensor("real", "real-copy")
    assert client.get_tensor("real-copy").tolist() == [0, 1, 2, 3]
