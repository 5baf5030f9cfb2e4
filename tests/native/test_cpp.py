"""The C++ client (SmartRedis's C++ API over hpcsim's C core) against real servers: the test
programs of clients/tests/cpp on a standalone server, a 3-shard cluster and a Unix socket,
tensors shared bit for bit with the Python client, SmartRedis-style programs compiled unchanged
(``#include "client.h"``) the Makefile way, the ``-lsmartredis`` way and the CMake
``find_package(smartredis)`` way, and the programs under AddressSanitizer + UBSan."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hpcsim.client import Client
from tests.client.conftest import Database
from tests.native.conftest import SANITIZER_ENV, NativeBuild, compile_with_flags, db_env, run_native

#: the self-contained test programs (each passes on any database; cpp_interop and cpp_model are
#: driven by the tests below)
PROGRAMS = ("cpp_put_get_3D", "cpp_dataset", "cpp_prefix", "cpp_config_log", "cpp_errors")

#: tensor type code -> numpy dtype (sr_enums.h 1-8, hpcsim_types.h 9-14)
DTYPES = {
    1: np.float64,
    2: np.float32,
    3: np.int8,
    4: np.int16,
    5: np.int32,
    6: np.int64,
    7: np.uint8,
    8: np.uint16,
    9: np.bool_,
    10: np.float16,
    11: np.uint32,
    12: np.uint64,
    13: np.complex64,
    14: np.complex128,
}
SHAPES: tuple[tuple[int, ...], ...] = ((), (7,), (2, 3, 4), (2, 0, 3))


def check_passed(done: subprocess.CompletedProcess[str], name: str) -> None:
    """The program passed and printed nothing but its PASS line (the library prints nothing)."""
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert done.stdout == f"PASS {name}\n", done.stdout
    assert done.stderr == "", done.stderr


def pattern(n: int, dtype: type, code: int) -> np.ndarray:
    """The bytes of cpp_test_util.hpp's pattern(), as an array of n elements."""
    size = np.dtype(dtype).itemsize
    raw = bytearray((i * 37 + 11) & 0xFF for i in range(n * size))
    if code == 9:
        raw[:n] = bytes(int(i % 3 == 0) for i in range(n))
    if code == 10:
        for i in range(n):
            raw[2 * i + 1] &= 0x3F
    if code in (2, 13):
        for i in range(3, len(raw), 4):
            raw[i] &= 0x3F
    if code in (1, 14):
        for i in range(7, len(raw), 8):
            raw[i] &= 0x3F
    return np.frombuffer(bytes(raw), dtype=dtype).copy()


@pytest.mark.parametrize("name", PROGRAMS)
def test_program(native_build: NativeBuild, db: Database, name: str) -> None:
    done = run_native(native_build.test_program("cpp", name), db_env(db), timeout=300)
    check_passed(done, name)


def test_smartredis_variable_names(native_build: NativeBuild, db: Database) -> None:
    """SSDB and SR_DB_TYPE (Clustered/Standalone) find the database as HPCSIM_DB does."""
    done = run_native(native_build.test_program("cpp", "cpp_put_get_3D"), db_env(db, "smartredis"))
    check_passed(done, "cpp_put_get_3D")


GRID = np.indices((2, 3, 4))


def put_python_side(client: Client, tag: str) -> None:
    for code, dtype in DTYPES.items():
        for index, shape in enumerate(SHAPES):
            client.put_tensor(f"py_{code}_{index}_{tag}", pattern(int(np.prod(shape)), dtype, code).reshape(shape))
    client.put_tensor(f"py_fortran3d_{tag}", (100 * GRID[0] + 10 * GRID[1] + GRID[2]).astype(np.float64))


def check_cpp_side(client: Client, tag: str) -> None:
    for code, dtype in DTYPES.items():
        for index, shape in enumerate(SHAPES):
            got = client.get_tensor(f"cxx_{code}_{index}_{tag}")
            expected = pattern(int(np.prod(shape)), dtype, code).reshape(shape)
            assert got.dtype == expected.dtype and got.shape == shape, (code, shape, got.dtype, got.shape)
            assert got.tobytes() == expected.tobytes(), (code, shape)
    rows, cols = np.indices((3, 4))
    two = client.get_tensor(f"cxx_fortran2d_{tag}")
    assert two.dtype == np.int32 and two.shape == (3, 4)
    assert (two == 100 * rows + 10 * cols).all()
    three = client.get_tensor(f"cxx_fortran3d_{tag}")
    assert three.dtype == np.float64 and three.shape == (2, 3, 4)
    assert (three == 100 * GRID[0] + 10 * GRID[1] + GRID[2]).all()


def test_tensors_shared_with_python(native_build: NativeBuild, db: Database) -> None:
    """Every dtype at ranks 0, 1, 3 and empty: put by Python and read by C++, and the reverse,
    bit for bit; a column-major C++ array A(i,j,k) reads in numpy as a[i, j, k], and the reverse."""
    tag = secrets.token_hex(4)
    client = Client()
    put_python_side(client, tag)
    done = run_native(native_build.test_program("cpp", "cpp_interop"), db_env(db, extra={"HPCSIM_TEST_TAG": tag}))
    check_passed(done, "cpp_interop")
    check_cpp_side(client, tag)


# A program in the style of SmartRedis's examples/serial/cpp (its include line, its main, its
# calls), written for these tests.
EXAMPLE_STYLE = r"""
#include "client.h"
#include <vector>
#include <string>

int main(int argc, char* argv[]) {

    size_t dim1 = 3;
    size_t dim2 = 2;
    size_t dim3 = 5;
    std::vector<size_t> dims = {3, 2, 5};
    size_t n_values = dim1 * dim2 * dim3;

    std::vector<double> input_tensor(n_values, 0);
    for(size_t i=0; i<n_values; i++)
        input_tensor[i] = 2.0*rand()/(double)RAND_MAX - 1.0;

    SmartRedis::Client client(__FILE__);

    std::string key = "example_style_3d";
    client.put_tensor(key, input_tensor.data(), dims,
                      SRTensorTypeDouble, SRMemLayoutContiguous);

    std::vector<double> unpack_tensor(n_values, 0);
    client.unpack_tensor(key, unpack_tensor.data(), {n_values},
                         SRTensorTypeDouble, SRMemLayoutContiguous);
    for(size_t i=0; i<n_values; i++)
        std::cout<<"Sent: "<<input_tensor[i]<<" "
                 <<"Received: "<<unpack_tensor[i]<<std::endl;

    SRTensorType get_type;
    std::vector<size_t> get_dims;
    void* get_tensor;
    client.get_tensor(key, get_tensor, get_dims, get_type, SRMemLayoutNested);
    for(size_t i=0, c=0; i<dims[0]; i++)
        for(size_t j=0; j<dims[1]; j++)
            for(size_t k=0; k<dims[2]; k++, c++) {
                std::cout<<"Sent: "<<input_tensor[c]<<" "
                         <<"Received: "
                         <<((double***)get_tensor)[i][j][k]<<std::endl;
    }

    uint32_t meta_scalar_1 = 1;
    uint32_t meta_scalar_2 = 2;
    SmartRedis::DataSet dataset("example_style_dataset");
    dataset.add_tensor("tensor", input_tensor.data(), dims,
                       SRTensorTypeDouble, SRMemLayoutContiguous);
    dataset.add_meta_scalar("meta", &meta_scalar_1, SRMetadataTypeUint32);
    dataset.add_meta_scalar("meta", &meta_scalar_2, SRMetadataTypeUint32);
    client.put_dataset(dataset);
    SmartRedis::DataSet retrieved = client.get_dataset("example_style_dataset");
    size_t n_meta;
    void* meta;
    SRMetaDataType meta_type;
    retrieved.get_meta_scalars("meta", meta, n_meta, meta_type);
    for(size_t i=0; i<n_meta; i++)
        std::cout<<"meta value "<<i<<" = "<<((uint32_t*)meta)[i]<<std::endl;

    std::ostringstream ostream;
    ostream << client;
    std::string_view nothing;
    return 0;
}
"""

# SmartRedis's examples/serial/cpp/CMakeLists.txt, reduced to one program.
EXAMPLE_CMAKE = """
cmake_minimum_required(VERSION 3.13)
project(SmartRedis-Style-Example)
enable_language(CXX)
set(CMAKE_CXX_STANDARD 17)
find_package(smartredis)
add_executable(example_style example_style.cpp)
target_link_libraries(example_style smartredis)
"""


def check_example_output(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    pairs = [line.split() for line in lines if line.startswith("Sent:")]
    assert len(pairs) == 60
    assert all(p[1] == p[3] for p in pairs), pairs
    assert lines[-2:] == ["meta value 0 = 1", "meta value 1 = 2"]
    assert done.stderr == ""


@pytest.fixture
def example_source(tmp_path: Path) -> Path:
    source = tmp_path / "src" / "example_style.cpp"
    source.parent.mkdir()
    source.write_text(textwrap.dedent(EXAMPLE_STYLE).lstrip())
    return source


def test_smartredis_style_program_with_hpcsim_flags(
    native_build: NativeBuild, example_source: Path, db: Database, tmp_path: Path
) -> None:
    """`#include "client.h"` compiles unchanged with `hpcsim clients flags --lang cxx`."""
    program = compile_with_flags(native_build.prefix, example_source, "cxx", tmp_path / "example_style")
    check_example_output(run_native(program, db_env(db, "smartredis")))


def test_smartredis_style_program_with_lsmartredis(
    native_build: NativeBuild, example_source: Path, standalone: Database, tmp_path: Path
) -> None:
    """A SmartRedis Makefile's flags (-I<prefix>/include -L<prefix>/lib -lsmartredis) link it."""
    prefix = native_build.prefix
    libdir = next(p for p in (prefix / "lib", prefix / "lib64") if (p / "libsmartredis.so").exists())
    program = tmp_path / "example_style_lsr"
    compiler = (native_build.manifest.get("compilers") or {}).get("cxx") or "c++"
    argv = [compiler, "-std=c++17", str(example_source), "-o", str(program), f"-I{prefix / 'include'}"]
    argv += [f"-L{libdir}", "-lsmartredis", f"-Wl,-rpath,{libdir}"]
    built = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    check_example_output(run_native(program, db_env(standalone, "smartredis")))


def test_smartredis_style_program_with_find_package(
    native_build: NativeBuild, example_source: Path, standalone: Database, tmp_path: Path
) -> None:
    """SmartRedis's example CMakeLists (find_package(smartredis), target `smartredis`) builds it."""
    cmake = shutil.which("cmake")
    assert cmake is not None
    (example_source.parent / "CMakeLists.txt").write_text(EXAMPLE_CMAKE.lstrip())
    build = tmp_path / "build"
    package = native_build.prefix / "share" / "cmake" / "smartredis"
    steps = [
        [cmake, "-S", str(example_source.parent), "-B", str(build), f"-Dsmartredis_DIR={package}"],
        [cmake, "--build", str(build)],
    ]
    for argv in steps:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    check_example_output(run_native(build / "example_style", db_env(standalone, "smartredis")))


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_under_sanitizers(sanitized_build: NativeBuild, standalone: Database, name: str) -> None:
    """AddressSanitizer (leaks included) and UBSan find nothing."""
    done = run_native(sanitized_build.test_program("cpp", name), db_env(standalone, extra=SANITIZER_ENV), timeout=600)
    check_passed(done, name)


def test_interop_under_sanitizers(sanitized_build: NativeBuild, cluster_db: Database) -> None:
    tag = secrets.token_hex(4)
    client = Client()
    put_python_side(client, tag)
    env = db_env(cluster_db, extra={**SANITIZER_ENV, "HPCSIM_TEST_TAG": tag})
    done = run_native(sanitized_build.test_program("cpp", "cpp_interop"), env, timeout=600)
    check_passed(done, "cpp_interop")
    check_cpp_side(client, tag)
