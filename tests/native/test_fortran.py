"""The Fortran client against real servers, checked from Python: the array-order rule in both
directions (a(i,j[,k]) from Fortran is py[i-1,j-1[,k-1]] in numpy, and the reverse), every
Fortran kind bit-exact both ways, key prefixing through the environment, logging, errors at
construction, models and scripts run by hpcsim's inference worker, SmartRedis's environment
names, and an MPI program in the style of SmartRedis's examples/parallel/fortran.

The programs are clients/tests/fortran/*.F90, built and installed by ``hpcsim clients build
--tests`` (the ``native_build`` fixture); :func:`fortran_program` is the one place that finds
them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hpcsim import Client, Dataset
from tests.client.conftest import free_port
from tests.ml.conftest import MLDatabase, ml_farm  # noqa: F401  (fixture)
from tests.native.conftest import Database, NativeBuild, db_env, run_native

#: error codes of enum_fortran.inc
SR_DATABASE_ERROR = 2
SR_RUNTIME_ERROR = 4

#: the numpy dtypes of fortran_kinds.F90, in its order
KINDS = ("int8", "int16", "int32", "int64", "float32", "float64", "bool", "complex64", "complex128")
#: the tensors fortran_kinds.F90 puts for each kind: name -> numpy shape (``()``: 0-d, value v = 7)
SHAPES: dict[str, tuple[int, ...]] = {"0d": (), "1d": (5,), "3d": (2, 3, 4), "e1": (0,), "e3": (2, 0, 3)}


def fortran_program(build: NativeBuild, name: str) -> Path:
    """The test program built from clients/tests/fortran/<name>.F90."""
    if not build.fortran:
        pytest.skip("the clients were built without Fortran (no Fortran compiler)")
    return build.test_program("fortran", name)


def run_fortran(
    build: NativeBuild, name: str, env: Mapping[str, str], *args: str, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run a Fortran test program; it must pass (exit 0, a PASS line)."""
    done = run_native(fortran_program(build, name), env, *args, timeout=timeout)
    assert done.returncode == 0 and "PASS" in done.stdout, (
        f"{name} {' '.join(args)}: exit {done.returncode}\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    )
    return done


def _prefix(stem: str) -> str:
    return f"{stem}_{secrets.token_hex(4)}"


# ------------------------------------------------------------------------------ array order


def _v(*shape: int) -> np.ndarray[Any, Any]:
    """v[i0,j0,k0] = 10000*i0 + 100*j0 + k0 over ``shape`` (2 or 3 dims), as fortran_order.F90."""
    index = np.indices(shape)
    weights = (10000, 100, 1)[: len(shape)]
    return sum(w * i for w, i in zip(weights, index, strict=True)).astype(np.float64)


def test_fortran_arrays_read_in_numpy_as_a_of_i_minus_one(native_build: NativeBuild, db: Database) -> None:
    """a(i,j) and a(i,j,k) put from Fortran are py[i-1,j-1] and py[i-1,j-1,k-1] in numpy,
    with shape(a) as the numpy shape (dims are not reversed)."""
    prefix = _prefix("order_f")
    run_fortran(native_build, "fortran_order", db_env(db), "put", prefix)
    client = Client()
    two = client.get_tensor(f"{prefix}_f2d")
    three = client.get_tensor(f"{prefix}_f3d")
    ints = client.get_tensor(f"{prefix}_f3i")
    assert two.shape == (4, 7) and two.dtype == np.float64
    assert three.shape == (3, 4, 5) and three.dtype == np.float64
    assert ints.shape == (3, 4, 5) and ints.dtype == np.int32
    np.testing.assert_array_equal(two, _v(4, 7))
    np.testing.assert_array_equal(three, _v(3, 4, 5))
    np.testing.assert_array_equal(ints, _v(3, 4, 5).astype(np.int32))
    # one element spelled out: Fortran a(2,3,4) is v(1,2,3)
    assert three[1, 2, 3] == 10000 * 1 + 100 * 2 + 3


def test_numpy_arrays_unpack_in_fortran_as_b_of_i_plus_one(native_build: NativeBuild, db: Database) -> None:
    """A numpy t of shape (d0,d1[,d2]) unpacked into b(d0,d1[,d2]) gives b(i,j,k) = t[i-1,j-1,k-1]."""
    prefix = _prefix("order_p")
    client = Client()
    client.put_tensor(f"{prefix}_p2d", _v(4, 7))
    client.put_tensor(f"{prefix}_p3d", _v(3, 4, 5))
    run_fortran(native_build, "fortran_order", db_env(db), "check", prefix)


# ------------------------------------------------------------------------------ every kind, bit-exact


def _expected(dtype: str, tensor: str) -> np.ndarray[Any, Any]:
    """What fortran_kinds.F90 puts (its v_<kind> functions) for ``tensor`` of ``dtype``."""
    shape = SHAPES[tensor]
    v = np.array(7) if tensor == "0d" else np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    values: Any
    if dtype == "int8":
        values = (v - 12).astype(np.int8)
    elif dtype == "int16":
        values = ((v - 12) * 1000).astype(np.int16)
    elif dtype == "int32":
        values = (v - 12).astype(np.int32) * np.int32(100000001)
    elif dtype == "int64":
        values = (v - 12).astype(np.int64) * np.int64(700000000001)
    elif dtype == "float32":
        values = (v - 12).astype(np.float32) * np.float32(0.1)
    elif dtype == "float64":
        values = (v - 12).astype(np.float64) * np.float64(0.1)
    elif dtype == "bool":
        values = v % 3 == 0
    else:
        real = np.float32 if dtype == "complex64" else np.float64
        values = np.empty(shape, dtype=np.dtype(dtype))
        values.real = v.astype(real) * real(0.5)
        values.imag = -v.astype(real) * real(0.25)
    return np.asarray(values, dtype=np.dtype(dtype)).reshape(shape)


def _same(got: np.ndarray[Any, Any], want: np.ndarray[Any, Any], what: str) -> None:
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, expected {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, expected {want.shape}"
    assert np.ascontiguousarray(got).tobytes() == np.ascontiguousarray(want).tobytes(), f"{what}: {got} != {want}"


def test_every_fortran_kind_reads_back_bit_exact_in_python(native_build: NativeBuild, db: Database) -> None:
    """int8..int64, float32/64, bool and complex64/128 at 0-d, 1-d, 3-d and empty, as tensors
    and in a dataset."""
    prefix = _prefix("kinds_f")
    run_fortran(native_build, "fortran_kinds", db_env(db), "put", prefix)
    client = Client()
    for dtype in KINDS:
        stem = f"{prefix}_{dtype}_"
        dataset = client.get_dataset(stem + "ds")
        for tensor in SHAPES:
            want = _expected(dtype, tensor)
            _same(client.get_tensor(stem + tensor), want, stem + tensor)
            _same(dataset.get_tensor(tensor), want, f"{stem}ds/{tensor}")


def test_every_python_kind_unpacks_bit_exact_in_fortran(native_build: NativeBuild, db: Database) -> None:
    prefix = _prefix("kinds_p")
    client = Client()
    for dtype in KINDS:
        stem = f"{prefix}_{dtype}_"
        dataset = Dataset(stem + "ds")
        for tensor in SHAPES:
            client.put_tensor(stem + tensor, _expected(dtype, tensor))
            dataset.add_tensor(tensor, _expected(dtype, tensor))
        client.put_dataset(dataset)
    run_fortran(native_build, "fortran_kinds", db_env(db), "check", prefix)


# ------------------------------------------------------------------------------ environment


@pytest.mark.parametrize("program", ["fortran_put_get_3D", "fortran_dataset"])
def test_smartredis_environment_names(native_build: NativeBuild, db: Database, program: str) -> None:
    """SmartRedis-style programs configured the SmartRedis way (SSDB, SR_DB_TYPE)."""
    run_fortran(native_build, program, db_env(db, style="smartredis"))


def test_prefixes_from_the_environment(
    native_build: NativeBuild, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Fortran producer with SSKEYOUT is read by Python through HPCSIM_KEYIN, and a Fortran
    consumer with HPCSIM_KEYIN reads a Python producer's keys after set_data_source."""
    producer, name = _prefix("fprod"), _prefix("x")
    run_fortran(
        native_build, "fortran_prefix", db_env(db, style="smartredis", extra={"SSKEYOUT": producer}), "put", name
    )
    assert Client().key_exists(f"{producer}.{name}")
    monkeypatch.setenv("HPCSIM_KEYIN", f"other,{producer}")
    reader = Client()
    reader.set_data_source(producer)
    np.testing.assert_array_equal(reader.get_tensor(name), [1.0, 2.0, 3.0])
    assert reader.dataset_exists(f"{name}_ds")
    monkeypatch.delenv("HPCSIM_KEYIN")

    python_producer = _prefix("pprod")
    monkeypatch.setenv("HPCSIM_KEYOUT", python_producer)
    writer = Client()
    writer.put_tensor(name, np.array([4.0, 5.0, 6.0]))
    dataset = Dataset(f"{name}_ds")
    dataset.add_tensor("values", np.array([4.0, 5.0, 6.0]))
    writer.put_dataset(dataset)
    monkeypatch.delenv("HPCSIM_KEYOUT")
    env = db_env(db, extra={"HPCSIM_KEYIN": f"{python_producer},another"})
    run_fortran(native_build, "fortran_prefix", env, "get", name, python_producer)


# ------------------------------------------------------------------------------ logging

INFO_LINES = [
    "fortran_logging_client@:info data client fortran_logging",
    "fortran_logging_dataset@:WARNING: info warning dataset fortran_logging",
    "fortran_logging_context@:ERROR: info error context fortran_logging",
    "fortran_logging_string@:info data string fortran_logging",
]
DEBUG_LINES = [
    "fortran_logging_client@:debug data client fortran_logging",
    "fortran_logging_context@:WARNING: debug warning context fortran_logging",
    "fortran_logging_string@:ERROR: debug error string fortran_logging",
]


def _log_lines(path: Path) -> list[str]:
    """The lines of a log file without their time (``<context>@<HH-MM-SS>:<data>``)."""
    lines = []
    for line in path.read_text().splitlines():
        context, _, rest = line.partition("@")
        lines.append(f"{context}@:{rest.partition(':')[2]}")
    return lines


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"SR_LOG_LEVEL": "info", "SR_LOG_FILE": "{log}"}, INFO_LINES),
        ({"HPCSIM_LOG_LEVEL": "debug", "HPCSIM_LOG_FILE": "{log}"}, INFO_LINES + DEBUG_LINES),
    ],
    ids=["info", "debug"],
)
def test_logging_from_fortran(
    native_build: NativeBuild, standalone: Database, tmp_path: Path, variables: dict[str, str], expected: list[str]
) -> None:
    """log_data/log_warning/log_error against a client, dataset, log context and string: the
    lines at or under the configured level, in order, with the context and a time."""
    log = tmp_path / "fortran.log"
    env = db_env(standalone, extra={k: v.format(log=log) for k, v in variables.items()})
    done = run_fortran(native_build, "fortran_logging", env)
    assert done.stdout.strip() == "PASS fortran_logging"
    # the program's own lines (the library adds its own at debug level)
    assert [line for line in _log_lines(log) if line.endswith(" fortran_logging")] == expected


def test_without_settings_user_lines_go_to_stdout_at_info(native_build: NativeBuild, standalone: Database) -> None:
    """As SmartRedis: the program's own log_* calls at LLInfo go to stdout by default; the
    library adds nothing of its own, and debug lines are dropped."""
    done = run_native(fortran_program(native_build, "fortran_logging"), db_env(standalone))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "PASS fortran_logging"
    assert [
        f"{line.partition('@')[0]}@:{line.partition('@')[2].partition(':')[2]}" for line in lines[:-1]
    ] == INFO_LINES
    assert done.stderr == ""


# ------------------------------------------------------------------------------ errors


def test_wrong_password_is_a_database_error_naming_the_file(
    native_build: NativeBuild, standalone: Database, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    wrong.chmod(0o600)
    env = db_env(standalone, extra={"HPCSIM_DB_PASSWORD_FILE": str(wrong)})
    run_fortran(native_build, "fortran_errors", env, "init_fails", str(SR_DATABASE_ERROR), str(wrong))


def test_unreachable_server_is_a_database_error_naming_the_address(
    native_build: NativeBuild, standalone: Database
) -> None:
    port = free_port()
    env = db_env(
        standalone,
        extra={"HPCSIM_DB": f"127.0.0.1:{port}", "SR_CONN_TIMEOUT": "1", "SR_CONN_INTERVAL": "100"},
    )
    run_fortran(native_build, "fortran_errors", env, "init_fails", str(SR_DATABASE_ERROR), f"127.0.0.1:{port}")


def test_no_database_variable_is_an_error_naming_it(native_build: NativeBuild, standalone: Database) -> None:
    env = {k: v for k, v in db_env(standalone).items() if k not in ("HPCSIM_DB", "SSDB")}
    run_fortran(native_build, "fortran_errors", env, "init_fails", str(SR_RUNTIME_ERROR), "HPCSIM_DB")


# ------------------------------------------------------------------------------ models and scripts

SCRIPT = "def pre_process(x):\n    return x * 2.0\n"


@pytest.fixture(params=["standalone", "cluster"])
def ml_db(request: pytest.FixtureRequest, ml_farm: Any) -> Iterator[MLDatabase]:  # noqa: F811
    """A standalone server and a 3-shard cluster, each with hpcsim's inference worker."""
    pytest.importorskip("torch")
    yield ml_farm.get(request.param)


def test_models_and_scripts_from_fortran(native_build: NativeBuild, ml_db: MLDatabase, tmp_path: Path) -> None:
    """set_model_from_file with the optional arguments omitted, set_script_from_file, run_script
    and run_model on a default-real (3,4) array, get_model/get_script, set_model/set_script."""
    import torch

    class SumRows(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.sum(dim=1) + 1.0

    model = tmp_path / "sum_rows.pt"
    torch.jit.save(torch.jit.script(SumRows().eval()), str(model))
    script = tmp_path / "pre_process.txt"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HPCSIM_DB", "SSDB", "SR_DB"))}
    env.update(ml_db.env)
    env.update({"HPCSIM_TEST_FORTRAN_MODEL": str(model), "HPCSIM_TEST_FORTRAN_SCRIPT": str(script)})
    run_fortran(native_build, "fortran_model", env, timeout=300)
    # and get_model into a buffer that is too small is an error naming the model
    run_fortran(native_build, "fortran_errors", env, timeout=300)


# ------------------------------------------------------------------------------ MPI

MPI_PROGRAM = r"""
! Each rank puts its own 3-D array and dataset and reads them back (SmartRedis's
! examples/parallel/fortran style: one client per rank).
program mpi_put_get

  use mpi
  use iso_c_binding
  use smartredis_client, only : client_type
  use smartredis_dataset, only : dataset_type

  implicit none

#include "enum_fortran.inc"

  real(kind=c_double), dimension(10, 20, 30) :: sent, received
  real(kind=c_float), dimension(:), pointer :: meta
  type(client_type) :: client
  type(dataset_type) :: dataset
  integer :: err_code, pe_id, result
  character(len=9) :: key_prefix

  call MPI_init(err_code)
  call MPI_comm_rank(MPI_COMM_WORLD, pe_id, err_code)
  write(key_prefix, "(A,I6.6)") "pe_", pe_id

  call random_number(sent)
  result = client%initialize("mpi_put_get")
  if (result .ne. SRNoError) error stop 'client%initialize failed'
  result = client%put_tensor(key_prefix // "_3d", sent, shape(sent))
  if (result .ne. SRNoError) error stop 'client%put_tensor failed'
  result = client%unpack_tensor(key_prefix // "_3d", received, shape(received))
  if (result .ne. SRNoError) error stop 'client%unpack_tensor failed'
  if (.not. all(sent == received)) error stop 'the 3-D tensor differs'

  result = dataset%initialize(key_prefix // "_ds")
  if (result .ne. SRNoError) error stop 'dataset%initialize failed'
  result = dataset%add_meta_scalar("rank", real(pe_id, c_float))
  if (result .ne. SRNoError) error stop 'dataset%add_meta_scalar failed'
  result = client%put_dataset(dataset)
  if (result .ne. SRNoError) error stop 'client%put_dataset failed'
  result = dataset%get_meta_scalars("rank", meta)
  if (result .ne. SRNoError) error stop 'dataset%get_meta_scalars failed'

  call MPI_barrier(MPI_COMM_WORLD, err_code)
  call MPI_finalize(err_code)
  if (pe_id == 0) write(*, *) "PASS mpi_put_get"
end program mpi_put_get
"""


@pytest.mark.skipif(
    shutil.which("mpif90") is None or shutil.which("mpirun") is None,
    reason="needs Open MPI's mpif90 and mpirun (apt-get install libopenmpi-dev openmpi-bin)",
)
def test_mpi_ranks_each_with_a_client(
    native_build: NativeBuild, compile_program: Any, db: Database, tmp_path: Path
) -> None:
    """Two MPI ranks, compiled with mpif90 the Makefile way (`hpcsim clients flags`)."""
    fortran_program(native_build, "fortran_put_get_3D")  # skips without the Fortran layer
    source = tmp_path / "mpi_put_get.F90"
    source.write_text(MPI_PROGRAM)
    program = compile_program(source, "fortran", compiler="mpif90")
    env = db_env(db, extra={"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    done = subprocess.run(
        ["mpirun", "--oversubscribe", "-n", "2", str(program)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "PASS mpi_put_get" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    client = Client()
    for rank in (0, 1):
        assert client.tensor_exists(f"pe_{rank:06d}_3d")
        assert client.get_tensor(f"pe_{rank:06d}_3d").shape == (10, 20, 30)
        assert client.dataset_exists(f"pe_{rank:06d}_ds")
