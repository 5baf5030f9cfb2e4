"""Issue 19: an empty tensor, list, model or script name (or raw key) is refused with
ValueError before any I/O, as empty dataset and list names already were; SmartRedis' callers
catch ValueError for bad values and TypeError for bad types. The server is gone before the
calls, so any I/O would end in a timeout instead."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Client
from hpcsim.errors import TimeoutError as ClientTimeoutError

from .conftest import PASSWORD, start_server

ARRAY = np.ones(2)

CALLS = [
    ("put_tensor", ("", ARRAY)),
    ("put_tensors", ({"": ARRAY},)),
    ("get_tensor", ("",)),
    ("get_tensors", (["t", ""],)),
    ("get_tensors_if_exist", ([""],)),
    ("unpack_tensor", ("", ARRAY)),
    ("delete_tensor", ("",)),
    ("copy_tensor", ("", "b")),
    ("copy_tensor", ("a", "")),
    ("rename_tensor", ("", "b")),
    ("rename_tensor", ("a", "")),
    ("tensor_exists", ("",)),
    ("poll_tensor", ("", 1, 1)),
    ("key_exists", ("",)),
    ("poll_key", ("", 1, 1)),
    ("append_to_list", ("", None)),
    ("delete_list", ("",)),
    ("get_list_length", ("",)),
    ("poll_list_length", ("", 1, 1, 1)),
    ("poll_list_length_gte", ("", 1, 1, 1)),
    ("poll_list_length_lte", ("", 1, 1, 1)),
    ("set_model", ("", b"x", "TORCH")),
    ("set_script", ("", "def f(x):\n    return x\n")),
    ("get_model", ("",)),
    ("get_script", ("",)),
    ("delete_model", ("",)),
    ("delete_script", ("",)),
    ("model_exists", ("",)),
    ("poll_model", ("", 1, 1)),
    ("run_model", ("", ["a"], ["b"])),
    ("run_model", ("m", [""], ["b"])),
    ("run_model", ("m", ["a"], "")),
    ("run_script", ("", "f", ["a"], ["b"])),
    ("run_script", ("s", "", ["a"], ["b"])),
    ("get_ai_info", ("127.0.0.1:1", "")),
]


@pytest.fixture(scope="module")
def orphan(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("orphan19"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HPCSIM_DB", server.address)
        patch.setenv("HPCSIM_CMD_TIMEOUT", "0.2")
        client = Client(password=PASSWORD)
    server.process.kill()
    server.process.wait()
    yield client
    server.stop()


@pytest.mark.parametrize(("method", "args"), CALLS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CALLS)])
def test_empty_names_are_value_errors_before_io(orphan, method, args):
    with pytest.raises(ValueError, match=r"must not (be empty|hold an empty tensor name)"):
        getattr(orphan, method)(*args)


def test_io_on_the_orphan_is_a_timeout(orphan):
    with pytest.raises(ClientTimeoutError):
        orphan.tensor_exists("t")
