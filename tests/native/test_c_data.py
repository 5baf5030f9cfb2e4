"""The C client's data plane against real servers: tensors of every dtype and shape in every
memory layout, datasets, aggregation lists, damaged values and bad arguments, and models and
scripts run by hpcsim's inference worker, each exchanged with the Python client in both
directions (the shared test vectors are ``vector`` below and ``vector_fill`` in
clients/tests/c/data_test.h). The programs are clients/tests/c/data_*.c; run without arguments
(as ctest runs them) they check themselves.

The programs are the ones ``hpcsim clients build --tests`` installs (``native_build``), and
the same built with AddressSanitizer + UBSan (``sanitized_build``).
"""

from __future__ import annotations

import io
import math
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from hpcsim import Client, Dataset
from hpcsim.dataplane import codec
from tests.client.conftest import PASSWORD, Database
from tests.ml.conftest import MLDatabase, ml_farm, private_ml  # noqa: F401  (fixtures)
from tests.native.conftest import SANITIZER_ENV, NativeBuild, db_env, run_native

PROGRAMS = ("data_tensors", "data_datasets", "data_errors", "data_models")

# -- the shared test vectors -------------------------------------------------------------------------

SHAPES: list[tuple[int, ...]] = [(), (5,), (2, 3, 4), (0,), (2, 0, 3)]
DTYPES = {1: "<f8", 2: "<f4", 3: "<i1", 4: "<i2", 5: "<i4", 6: "<i8", 7: "<u1", 8: "<u2", 9: "?", 10: "<f2"}
DTYPES.update({11: "<u4", 12: "<u8", 13: "<c8", 14: "<c16"})


def vector(code: int, shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """The array whose element i, byte k is data_test.h's vector_byte(code, i, k), in C order."""
    dtype = np.dtype(DTYPES[code])
    count = math.prod(shape)
    if code == 9:
        raw = bytes((i * 7 + code) % 2 for i in range(count))
    else:
        raw = bytes((i * 37 + k * 11 + code * 5) & 0xFF for i in range(count) for k in range(dtype.itemsize))
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def same(got: np.ndarray[Any, Any], want: np.ndarray[Any, Any], what: str) -> None:
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, expected {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    assert got.tobytes() == want.tobytes(), f"{what}: the elements differ"


# -- building and running the programs -----------------------------------------------------------------


@pytest.fixture(scope="session")
def programs(native_build: NativeBuild) -> NativeBuild:
    return native_build


def data_program(build: NativeBuild, name: str) -> Path:
    """clients/tests/c/<name>.c as ``build`` installed it."""
    return build.test_program("c", name)


def run_ok(program: Path, env: dict[str, str], *args: str, timeout: float = 300) -> None:
    done = run_native(program, env, *args, timeout=timeout)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), (
        f"{program.name} {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    )


def raw(database: Database) -> Any:
    """redis-py on the database itself, to write and read bytes as they are."""
    if database.kind == "cluster":
        return redis.RedisCluster(host="127.0.0.1", port=database.servers[0].port, password=PASSWORD, protocol=2)
    return database.servers[0].redis()


def client_for(database: Database) -> Client:
    return Client(cluster=database.kind == "cluster")


# -- tensors ---------------------------------------------------------------------------------------


def test_tensors_round_trip_within_c(db: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_tensors"), db_env(db))


def test_tensors_from_c_read_bit_exact_in_python(db: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_tensors"), db_env(db), "put")
    client = client_for(db)
    server = raw(db)
    for code in DTYPES:
        for index, shape in enumerate(SHAPES):
            key = f"c_{code}_{index}"
            want = vector(code, shape)
            same(client.get_tensor(key), want, key)
            assert server.get(key) == b"".join(bytes(part) for part in codec.encode_tensor(want)), key
    for code in range(1, 15, 4):
        for layout in ("nested", "fortran"):
            same(client.get_tensor(f"c_{layout}2_{code}"), vector(code, (3, 4)), f"{layout} 2-D")
            same(client.get_tensor(f"c_{layout}3_{code}"), vector(code, (2, 3, 4)), f"{layout} 3-D")


def test_tensors_from_python_read_in_c(db: Database, programs: NativeBuild) -> None:
    client = client_for(db)
    for code in DTYPES:
        for index, shape in enumerate(SHAPES):
            client.put_tensor(f"py_{code}_{index}", vector(code, shape))
        client.put_tensor(f"py_2d_{code}", vector(code, (3, 4)))
    # non-contiguous and big-endian arrays are stored in C order, little-endian
    client.put_tensor("py_2d_1", np.asfortranarray(vector(1, (3, 4))).astype(">f8"))
    run_ok(data_program(programs, "data_tensors"), db_env(db, "smartredis"), "check")


def test_fortran_layout_is_numpy_order(db: Database, programs: NativeBuild) -> None:
    """A column-major buffer put with dims = shape(a) is numpy's a[i-1, j-1] (checked from the
    raw bytes: the Fortran-order buffer of vector(...) reshaped with order="F")."""
    run_ok(data_program(programs, "data_tensors"), db_env(db), "put")
    client = client_for(db)
    for shape in ((3, 4), (2, 3, 4)):
        stored = client.get_tensor(f"c_fortran{len(shape)}_1")
        column_major = np.asfortranarray(vector(1, shape)).ravel(order="K")
        assert np.array_equal(stored, column_major.reshape(shape, order="F"))


# -- datasets and lists --------------------------------------------------------------------------------


def python_dataset(name: str, tag: int) -> Dataset:
    """The Python twin of data_datasets.c's fill()."""
    dataset = Dataset(name)
    dataset.add_tensor("f64", np.arange(6, dtype=np.float64).reshape(2, 3) + 0.5)
    dataset.add_tensor("i64", np.array([-4, 3, 2**63 - 1, -(2**63)], dtype=np.int64))
    dataset.add_tensor("mask", np.array([1, 0, 1, 1], dtype=bool))
    dataset.add_meta_scalar("m_f64", 3.25)
    dataset.add_meta_scalar("m_f32", np.float32(-1.5))
    dataset.add_meta_scalar("m_i32", np.int32(-7))
    dataset.add_meta_scalar("m_i64", np.int64(tag * 10**12))
    dataset.add_meta_scalar("m_u32", np.uint32(4_000_000_000))
    dataset.add_meta_scalar("m_u32", np.uint32(4_000_000_000))
    dataset.add_meta_scalar("m_u64", np.uint64(2**64 - 1))
    for text in ("hello", "wörld", ""):
        dataset.add_meta_string("m_str", text)
    return dataset


def check_python_dataset(dataset: Dataset, tag: int) -> None:
    twin = python_dataset("twin", tag)
    assert dataset.get_tensor_names() == ["f64", "i64", "mask"]
    for name in twin.get_tensor_names():
        same(dataset.get_tensor(name), twin.get_tensor(name), name)
    assert sorted(dataset.get_metadata_field_names()) == sorted(twin.get_metadata_field_names())
    for name in twin.get_metadata_field_names():
        if twin.get_metadata_field_type(name) is str:
            assert dataset.get_meta_strings(name) == twin.get_meta_strings(name)
        else:
            same(dataset.get_meta_scalars(name), twin.get_meta_scalars(name), name)


def test_datasets_and_lists_within_c(db: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_datasets"), db_env(db))


def test_datasets_from_c_read_in_python(db: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_datasets"), db_env(db), "put")
    client = client_for(db)
    assert client.dataset_exists("from_c")
    check_python_dataset(client.get_dataset("from_c"), 5)
    listed = client.get_datasets_from_list("c_refs")
    assert [d.get_name() for d in listed] == ["from_c", "from_c"]
    check_python_dataset(listed[1], 5)


def test_datasets_from_python_read_in_c(db: Database, programs: NativeBuild) -> None:
    client = client_for(db)
    dataset = python_dataset("from_py", 6)
    client.put_dataset(dataset)
    client.append_to_list("py_refs", dataset)
    client.append_to_list("py_refs", dataset)
    run_ok(data_program(programs, "data_datasets"), db_env(db), "check")


def test_prefixed_keys_from_c_are_the_python_clients(
    db: Database, programs: NativeBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A C producer with SSKEYOUT writes the keys a Python consumer with SSKEYIN reads."""
    run_ok(data_program(programs, "data_datasets"), db_env(db, extra={"SSKEYOUT": "sim_3"}), "put")
    run_ok(data_program(programs, "data_tensors"), db_env(db, extra={"HPCSIM_KEYOUT": "sim_3"}), "put")
    assert raw(db).exists("sim_3.{from_c}.meta", "sim_3.{from_c}.f64", "sim_3.c_refs", "sim_3.c_5_2") == 4
    monkeypatch.setenv("SSKEYIN", "sim_3")
    client = client_for(db)
    check_python_dataset(client.get_dataset("from_c"), 5)
    assert len(client.get_datasets_from_list("c_refs")) == 2
    same(client.get_tensor("c_5_2"), vector(5, SHAPES[2]), "prefixed tensor")


# -- errors --------------------------------------------------------------------------------------------


def test_bad_arguments(db: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_errors"), db_env(db))


def write_damaged(db: Database) -> None:
    """Values no client wrote: each read must fail with an error naming the key."""
    server = raw(db)
    header = b"HPTN\x01\x01\x01\x00" + (4).to_bytes(8, "little")
    server.set("bad_magic", b"XXXX" + header[4:] + bytes(32))
    server.set("bad_version", b"HPTN\x07" + header[5:] + bytes(32))
    server.set("bad_dtype", b"HPTN\x01\x63" + header[6:] + bytes(32))
    server.set("bad_short", b"HPT")
    server.set("bad_trunc", header + bytes(16))
    server.set("bad_long", header + bytes(33))
    server.set("bad_header", b"HPTN\x01\x01\x03\x00" + bytes(8))
    server.hset("bad_kind", "f", "v")
    names = codec.encode_meta_strings(["u"])
    server.hset("{bad_ds_tensor}.meta", mapping={".tensor_names": names, ".COMPLETE": b"1"})
    server.set("{bad_ds_tensor}.u", b"junk" * 4)
    server.hset("{bad_ds_field}.meta", mapping={"field": b"\x09abc", ".COMPLETE": b"1"})
    server.hset("{bad_ds_gone}.meta", mapping={".tensor_names": names, ".COMPLETE": b"1"})


def test_damaged_values_are_errors_naming_the_key(db: Database, programs: NativeBuild) -> None:
    write_damaged(db)
    run_ok(data_program(programs, "data_errors"), db_env(db), "corrupt")


# -- models and scripts ----------------------------------------------------------------------------------


SCRIPT = "def negate(x):\n    return torch.neg(x)\n\n\ndef add(a, b):\n    return a + b\n"


@pytest.fixture(params=["standalone", "cluster"])
def worker_db(request: pytest.FixtureRequest, ml_farm: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[MLDatabase]:  # noqa: F811
    """A database hpcsim started, with its inference workers (tests/ml's)."""
    database: MLDatabase = ml_farm.get(request.param)
    for name, value in database.env.items():
        monkeypatch.setenv(name, value)
    yield database


def test_models_and_scripts_run_by_the_worker(
    worker_db: MLDatabase, programs: NativeBuild, sanitized_build: NativeBuild, tmp_path: Path
) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(5)
    model = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3)).eval()
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(model), buffer)
    (tmp_path / "mlp.pt").write_bytes(buffer.getvalue())
    (tmp_path / "script.txt").write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HPCSIM_DB", "SSDB", "SR_DB"))}
    env.update(worker_db.env, DATA_TEST_MODEL=str(tmp_path / "mlp.pt"), DATA_TEST_SCRIPT=str(tmp_path / "script.txt"))
    client = Client(cluster=worker_db.kind == "cluster")
    client.set_model("py_mlp", buffer.getvalue(), "TORCH")
    env["DATA_TEST_PY_MODEL"] = "py_mlp"
    run_ok(data_program(programs, "data_models"), env)
    x = client.get_tensor("c_x")
    np.testing.assert_array_equal(x, ((np.arange(30) % 7) * 0.25 - 0.5).astype(np.float32).reshape(5, 6))
    with torch.inference_mode():
        expected = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(client.get_tensor("c_y"), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(client.get_tensor("{elsewhere}c_y"), client.get_tensor("c_y"))
    np.testing.assert_array_equal(client.get_tensor("c_py_y"), client.get_tensor("c_y"))
    assert client.get_model("c_kept") == buffer.getvalue()
    client.run_model("c_kept", "c_x", "py_y")
    np.testing.assert_array_equal(client.get_tensor("py_y"), client.get_tensor("c_y"))
    assert not client.model_exists("c_mlp")
    if worker_db.kind == "standalone":  # the stored hash is the Python client's, field for field
        host, port = worker_db.addresses[0].rsplit(":", 1)
        server = redis.Redis(host=host, port=int(port), password=worker_db.password_file.read_text().strip())
        from_c, from_python = server.hgetall("c_kept"), server.hgetall("py_mlp")
        assert from_c.keys() == from_python.keys()
        assert {k: v for k, v in from_c.items() if k != b"version"} == {
            k: v for k, v in from_python.items() if k != b"version"
        }
    client.delete_model("c_kept")
    run_ok(data_program(sanitized_build, "data_models"), {**env, **SANITIZER_ENV})
    client.delete_model("c_kept")


def test_a_paused_worker_times_out_then_is_reported_stopped(private_ml: MLDatabase, programs: NativeBuild) -> None:  # noqa: F811
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(6, 3).eval()), buffer)
    Client(cluster=False).set_model("py_mlp", buffer.getvalue(), "TORCH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HPCSIM_DB", "SSDB", "SR_DB"))}
    env.update(private_ml.env)
    program = data_program(programs, "data_models")
    pids = private_ml.worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        # the heartbeat outlives the pause by 2-3 s: the first run is queued and times out (1 s),
        # the second is queued too and sees the heartbeat expire before any answer
        run_ok(program, {**env, "SR_MODEL_TIMEOUT": "1000"}, "run-fails", "py_mlp", "6", "was withdrawn")
        run_ok(program, {**env, "HPCSIM_MODEL_TIMEOUT": "30"}, "run-fails", "py_mlp", "4", "stopped before answering")
        run_ok(program, env, "run-fails", "py_mlp", "4", "no inference worker is running beside the database server")
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_models_without_a_worker_name_the_server(standalone: Database, programs: NativeBuild) -> None:
    run_ok(data_program(programs, "data_models"), db_env(standalone), "noworker")
    run_ok(data_program(programs, "data_models"), db_env(standalone))


# -- sanitizers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROGRAMS)
def test_programs_clean_under_asan_and_ubsan(name: str, db: Database, sanitized_build: NativeBuild) -> None:
    """Every program, self-checking, built with -fsanitize=address,undefined (leaks fail too)."""
    program = data_program(sanitized_build, name)
    env = db_env(db, extra=SANITIZER_ENV)
    run_ok(program, env)
    if name == "data_errors":
        write_damaged(db)
        run_ok(program, env, "corrupt")
    elif name == "data_models" and db.kind == "standalone":
        run_ok(program, env, "noworker")
    elif name in ("data_tensors", "data_datasets"):
        run_ok(program, env, "put")
