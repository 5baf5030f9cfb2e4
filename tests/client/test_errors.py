"""Argument checking (SmartRedis' test_errors, in spirit): wrong types raise TypeError before
any I/O — the server is gone before the calls, so any I/O would fail differently."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Client, Dataset
from hpcsim.errors import TimeoutError as ClientTimeoutError

from .conftest import PASSWORD, start_server

ARRAY = np.ones(2)
DATASET = Dataset("d")

CALLS = [
    ("put_tensor", (1, ARRAY)),
    ("put_tensor", ("t", [1, 2])),
    ("put_tensors", ({"t": [1]},)),
    ("put_tensors", ({1: ARRAY},)),
    ("get_tensor", (1,)),
    ("get_tensors", ([1],)),
    ("unpack_tensor", (1, ARRAY)),
    ("unpack_tensor", ("t", [1])),
    ("delete_tensor", (1,)),
    ("copy_tensor", (1, "b")),
    ("copy_tensor", ("a", 2)),
    ("rename_tensor", (1, "b")),
    ("rename_tensor", ("a", None)),
    ("tensor_exists", (1,)),
    ("poll_tensor", (1, 1, 1)),
    ("poll_tensor", ("t", "1", 1)),
    ("poll_tensor", ("t", 1, 1.5)),
    ("key_exists", (1,)),
    ("poll_key", (1, 1, 1)),
    ("poll_key", ("k", 1, True)),
    ("put_dataset", ("d",)),
    ("get_dataset", (1,)),
    ("delete_dataset", (1,)),
    ("copy_dataset", (1, "b")),
    ("copy_dataset", ("a", 1)),
    ("rename_dataset", (1, "b")),
    ("dataset_exists", (1,)),
    ("poll_dataset", (1, 1, 1)),
    ("poll_dataset", ("d", 1, "x")),
    ("append_to_list", (1, DATASET)),
    ("append_to_list", ("l", "d")),
    ("delete_list", (1,)),
    ("copy_list", (1, "b")),
    ("copy_list", ("a", 1)),
    ("rename_list", (1, "b")),
    ("get_list_length", (1,)),
    ("poll_list_length", (1, 1, 1, 1)),
    ("poll_list_length", ("l", "1", 1, 1)),
    ("poll_list_length_gte", ("l", 1, None, 1)),
    ("poll_list_length_lte", ("l", 1, 1, 2.0)),
    ("get_datasets_from_list", (1,)),
    ("get_dataset_list_range", (1, 0, 1)),
    ("get_dataset_list_range", ("l", "0", 1)),
    ("get_dataset_list_range", ("l", 0, 1.0)),
    ("set_data_source", (1,)),
    ("use_tensor_ensemble_prefix", (1,)),
    ("use_dataset_ensemble_prefix", ("yes",)),
    ("use_list_ensemble_prefix", (None,)),
    ("use_model_ensemble_prefix", (0,)),
    ("get_db_node_info", ("127.0.0.1:1",)),
    ("get_db_node_info", ([1],)),
    ("get_db_cluster_info", ("127.0.0.1:1",)),
    ("flush_db", ([None],)),
    ("config_get", (1, "127.0.0.1:1")),
    ("config_get", ("*", ["127.0.0.1:1"])),
    ("config_set", (1, "v", "127.0.0.1:1")),
    ("config_set", ("p", 1, "127.0.0.1:1")),
    ("config_set", ("p", "v", 1)),
    ("save", ("127.0.0.1:1",)),
    ("log_data", ("info", "x")),
    ("log_warning", (2, 3)),
]


@pytest.fixture(scope="module")
def orphan(tmp_path_factory):
    """A client whose server has been killed: any I/O ends in an error that is not TypeError."""
    server = start_server(tmp_path_factory.mktemp("orphan"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HPCSIM_DB", server.address)
        patch.setenv("HPCSIM_CMD_TIMEOUT", "0.2")
        client = Client(password=PASSWORD)
    server.process.kill()
    server.process.wait()
    yield client
    server.stop()


@pytest.mark.parametrize(("method", "args"), CALLS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CALLS)])
def test_type_errors_come_before_io(orphan, method, args):
    with pytest.raises(TypeError):
        getattr(orphan, method)(*args)


def test_io_on_the_orphan_is_not_a_type_error(orphan):
    with pytest.raises(ClientTimeoutError):
        orphan.tensor_exists("t")
