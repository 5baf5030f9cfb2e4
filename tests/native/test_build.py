"""``hpcsim clients build`` and ``hpcsim clients flags``, for real: what the build installs,
the four ways a user links against it (CMake's find_package(hpcsim_client), SmartRedis's CMake
packages, a Makefile with ``hpcsim clients flags``, ``-lsmartredis``), pkg-config, the test
programs under ctest (plain and with AddressSanitizer + UBSan) against every kind of server,
and the inputs the command refuses before it builds anything."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.native.conftest import (
    HPCSIM,
    REPO,
    SANITIZER_ENV,
    Database,
    NativeBuild,
    db_env,
    hpcsim_cli,
    run_native,
)

#: SmartRedis's installed header names (porting by changing nothing but the link) and hpcsim's own
SMARTREDIS_HEADERS = (
    "c_client.h",
    "c_dataset.h",
    "c_configoptions.h",
    "c_logger.h",
    "c_logcontext.h",
    "sr_enums.h",
    "srexception.h",
    "client.h",
    "dataset.h",
    "configoptions.h",
    "logcontext.h",
    "logger.h",
    "srobject.h",
    "enum_fortran.inc",
)
HPCSIM_HEADERS = ("hpcsim_client.h", "hpcsim_client.hpp")
SMARTREDIS_MODULES = ("smartredis_client", "smartredis_dataset")

#: one small program per language: a client from the environment, one call, "ok"
PROGRAMS = {
    "consumer.c": r"""
#include <stdio.h>
#include <string.h>
#include "c_client.h"
#include "sr_enums.h"

int main(void) {
    void* client = NULL;
    bool exists = true;
    if (SimpleCreateClient("consumer", strlen("consumer"), &client) != SRNoError) {
        printf("SimpleCreateClient failed: %s\n", SRGetLastError());
        return 1;
    }
    if (key_exists(client, "no-such-key", strlen("no-such-key"), &exists) != SRNoError || exists) {
        printf("key_exists failed: %s\n", SRGetLastError());
        return 1;
    }
    if (DeleteCClient(&client) != SRNoError) {
        printf("DeleteCClient failed: %s\n", SRGetLastError());
        return 1;
    }
    printf("ok\n");
    return 0;
}
""",
    "consumer.cpp": r"""
#include "client.h"

int main() {
    SmartRedis::Client client("consumer");
    if (client.key_exists("no-such-key")) {
        std::cout << "key_exists said yes\n";
        return 1;
    }
    std::cout << "ok" << std::endl;
    return 0;
}
""",
    "consumer.F90": r"""
program consumer
  use iso_c_binding
  use smartredis_client, only: client_type
  implicit none
#include "enum_fortran.inc"
  type(client_type) :: client
  logical :: exists
  if (client%initialize("consumer") /= SRNoError) error stop "initialize failed"
  if (client%key_exists("no-such-key", exists) /= SRNoError) error stop "key_exists failed"
  if (exists) error stop "key_exists said yes"
  print '(a)', "ok"
end program consumer
""",
}
LANG_OF = {".c": "c", ".cpp": "cxx", ".F90": "fortran"}


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("programs")
    for name, text in PROGRAMS.items():
        (folder / name).write_text(text.lstrip())
    return folder


def _ok(done: subprocess.CompletedProcess[str], what: str) -> None:
    assert done.returncode == 0, f"{what} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    assert done.stdout.strip().splitlines()[-1:] == ["ok"], f"{what}:\n{done.stdout}{done.stderr}"


def _cmake_project(source: Path, build: Path, compilers: dict[str, str], *defines: str) -> None:
    """Configure and build a CMake project with the compilers the clients were built with."""
    names = {"c": "C", "cxx": "CXX", "fortran": "Fortran"}
    chosen = [f"-DCMAKE_{names[k]}_COMPILER={v}" for k, v in compilers.items() if v]
    for argv in (["cmake", "-S", str(source), "-B", str(build), *chosen, *defines], ["cmake", "--build", str(build)]):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stdout}\n{done.stderr}"


def _module_names(source: Path) -> set[str]:
    """The modules the Fortran sources define (``module X``, not ``module procedure``)."""
    names: set[str] = set()
    for path in (source / "src" / "fortran").glob("*.F90"):
        for match in re.finditer(r"^\s*module\s+(\w+)\s*$", path.read_text(), re.IGNORECASE | re.MULTILINE):
            if match[1].lower() not in ("procedure", "subroutine", "function"):
                names.add(match[1].lower())
    return names


# ------------------------------------------------------------------------------ what is installed


def test_the_build_installs_libraries_headers_modules_and_packages(native_build: NativeBuild) -> None:
    prefix, manifest = native_build.prefix, native_build.manifest
    source = Path(manifest["source"])
    lib, include = Path(manifest["libdir"]), Path(manifest["includedir"])
    assert manifest["cxx"] and manifest["fortran"], manifest
    for name in ("hpcsim_client", "hpcsim_client_cxx", "hpcsim_client_fortran"):
        assert (lib / f"lib{name}.so").exists(), name
        assert (lib / f"lib{name}.a").is_file(), name
        assert (lib / "pkgconfig" / f"{name}.pc").is_file(), name
    shipped = {p.name for p in (source / "include").iterdir() if p.suffix in (".h", ".hpp", ".inc", ".tcc")}
    installed = {p.name for p in include.iterdir()}
    assert shipped <= installed
    assert set(SMARTREDIS_HEADERS + HPCSIM_HEADERS) <= installed, sorted(installed)
    modules = _module_names(source)
    assert set(SMARTREDIS_MODULES) <= modules, modules
    assert {f"{m}.mod" for m in modules} <= installed, sorted(installed)
    for package in ("hpcsim_client", "smartredis", "smartredis-fortran"):
        assert (prefix / "share" / "cmake" / package / f"{package}Config.cmake").is_file(), package
        assert (prefix / "share" / "cmake" / package / f"{package}ConfigVersion.cmake").is_file(), package
    assert "INPUT(-lhpcsim_client_cxx -lhpcsim_client)" in (lib / "libsmartredis.so").read_text()
    assert "INPUT(-lhpcsim_client_fortran)" in (lib / "libsmartredis-fortran.so").read_text()
    tests = {lang: [p.name for p in native_build.test_programs(lang)] for lang in ("c", "cpp", "fortran")}
    for lang, suffix in (("c", ".c"), ("cpp", ".cpp"), ("fortran", ".F90")):
        assert sorted(tests[lang]) == sorted(p.stem for p in (source / "tests" / lang).glob(f"*{suffix}")), lang


def test_the_c_library_is_pure_c_and_finds_its_neighbours(native_build: NativeBuild) -> None:
    lib = Path(native_build.manifest["libdir"])
    for name, forbidden in (("hpcsim_client", "libstdc++"), ("hpcsim_client_fortran", "libstdc++")):
        dynamic = subprocess.run(
            ["readelf", "-d", str(lib / f"lib{name}.so")], capture_output=True, text=True, check=True
        ).stdout
        assert forbidden not in dynamic, f"lib{name}.so needs {forbidden}:\n{dynamic}"
    cxx = subprocess.run(["readelf", "-d", str(lib / "libhpcsim_client_cxx.so")], capture_output=True, text=True).stdout
    assert "libhpcsim_client.so" in cxx and "$ORIGIN" in cxx, cxx


def _warnings(log: str, source: Path) -> list[str]:
    """The compiler warnings in ``log`` located in the clients' sources and headers, except the
    Fortran include file (every program unit that includes it leaves most of its constants unused)."""
    lines = log.splitlines()
    location = re.compile(r"^(\S+?):\d+(?::\d+)?:")
    found = []
    for i, line in enumerate(lines):
        if re.search(r"\bwarning:", line):
            where = line
        elif line.startswith("Warning:"):  # gfortran: FILE:LINE:COL: a few lines above
            where = next((lines[j] for j in range(i - 1, max(i - 6, -1), -1) if location.match(lines[j])), "")
            line = f"{where} {line}"
        else:
            continue
        match = location.match(where)
        path = Path(match[1]) if match else None
        if path is None or path.suffix == ".inc":
            continue
        if any(folder in path.parents for folder in (source / "src", source / "include")):
            found.append(line)
    return found


def test_the_clients_compile_without_warnings(native_build: NativeBuild) -> None:
    """-Wall -Wextra (-Wpedantic for C and C++) report nothing in the clients' sources and headers."""
    log = (native_build.build_dir / "build.log").read_text(errors="replace")
    warnings = _warnings(log, Path(native_build.manifest["source"]))
    assert not warnings, "\n".join(warnings[:40])


# ------------------------------------------------------------------------------ linking from user code


def test_a_cmake_project_uses_find_package_hpcsim_client(
    native_build: NativeBuild, programs: Path, standalone: Database, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    for name in PROGRAMS:
        shutil.copy(programs / name, tmp_path / "src" / name)
    (tmp_path / "src" / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\n"
        "project(consumer LANGUAGES C CXX Fortran)\n"
        "find_package(hpcsim_client REQUIRED COMPONENTS C CXX Fortran)\n"
        "add_executable(consumer_c consumer.c)\n"
        "target_link_libraries(consumer_c PRIVATE hpcsim::client)\n"
        "add_executable(consumer_c_static consumer.c)\n"
        "target_link_libraries(consumer_c_static PRIVATE hpcsim::client_static)\n"
        "add_executable(consumer_cxx consumer.cpp)\n"
        "target_link_libraries(consumer_cxx PRIVATE hpcsim::client_cxx)\n"
        "add_executable(consumer_fortran consumer.F90)\n"
        "target_link_libraries(consumer_fortran PRIVATE hpcsim::client_fortran)\n"
    )
    build = tmp_path / "build"
    _cmake_project(
        tmp_path / "src",
        build,
        native_build.manifest["compilers"],
        f"-Dhpcsim_client_DIR={native_build.prefix / 'share' / 'cmake' / 'hpcsim_client'}",
    )
    env = db_env(standalone)
    for name in ("consumer_c", "consumer_c_static", "consumer_cxx", "consumer_fortran"):
        _ok(run_native(build / name, env), name)
    static = subprocess.run(["readelf", "-d", str(build / "consumer_c_static")], capture_output=True, text=True)
    assert "libhpcsim_client" not in static.stdout
    # a Fortran-only project (no C or C++ enabled) finds the package too
    (tmp_path / "fortran").mkdir()
    shutil.copy(programs / "consumer.F90", tmp_path / "fortran" / "consumer.F90")
    (tmp_path / "fortran" / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\n"
        "project(fortran_only LANGUAGES Fortran)\n"
        "find_package(hpcsim_client REQUIRED COMPONENTS Fortran)\n"
        "add_executable(consumer consumer.F90)\n"
        "target_link_libraries(consumer PRIVATE hpcsim::client_fortran)\n"
    )
    _cmake_project(
        tmp_path / "fortran",
        tmp_path / "fortran-build",
        {"fortran": native_build.manifest["compilers"]["fortran"]},
        f"-Dhpcsim_client_DIR={native_build.prefix / 'share' / 'cmake' / 'hpcsim_client'}",
    )
    _ok(run_native(tmp_path / "fortran-build" / "consumer", env), "Fortran-only project")


def test_smartredis_cmake_packages_build_programs_written_for_smartredis(
    native_build: NativeBuild, programs: Path, standalone: Database, tmp_path: Path
) -> None:
    """As SmartRedis's examples do: find_package(smartredis) and (not REQUIRED)
    find_package(smartredis-fortran) with only smartredis_DIR, targets without a namespace."""
    (tmp_path / "src").mkdir()
    for name in PROGRAMS:
        shutil.copy(programs / name, tmp_path / "src" / name)
    (tmp_path / "src" / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\n"
        "project(SmartRedis-Style)\n"
        "enable_language(C)\nenable_language(CXX)\nenable_language(Fortran)\n"
        "set(CMAKE_CXX_STANDARD 17)\nSET(CMAKE_C_STANDARD 99)\n"
        "find_package(smartredis)\nfind_package(smartredis-fortran)\n"
        "add_executable(c_serial consumer.c)\n"
        "target_link_libraries(c_serial smartredis)\n"
        "add_executable(cpp_serial consumer.cpp)\n"
        "target_link_libraries(cpp_serial smartredis)\n"
        "add_executable(fortran_serial consumer.F90)\n"
        "set_target_properties(fortran_serial PROPERTIES LINKER_LANGUAGE Fortran)\n"
        "target_link_libraries(fortran_serial smartredis smartredis-fortran)\n"
    )
    build = tmp_path / "build"
    _cmake_project(
        tmp_path / "src",
        build,
        native_build.manifest["compilers"],
        f"-Dsmartredis_DIR={native_build.prefix / 'share' / 'cmake' / 'smartredis'}",
    )
    env = db_env(standalone, style="smartredis")
    for name in ("c_serial", "cpp_serial", "fortran_serial"):
        _ok(run_native(build / name, env), name)


def test_a_makefile_uses_hpcsim_clients_flags(
    native_build: NativeBuild, programs: Path, standalone: Database, tmp_path: Path
) -> None:
    """The Makefile asks `hpcsim clients flags` (no --prefix: the last build's, recorded)."""
    compilers = native_build.manifest["compilers"]
    makefile = (
        f"HPCSIM := {HPCSIM}\n"
        f"CC := {compilers['c']}\nCXX := {compilers['cxx']}\nFC := {compilers['fortran']}\n"
        "all: consumer_c consumer_cxx consumer_fortran\n"
        "consumer_c: consumer.c\n"
        "\t$(CC) $(shell $(HPCSIM) clients flags --cflags) -o $@ $< $(shell $(HPCSIM) clients flags --libs)\n"
        "consumer_cxx: consumer.cpp\n"
        "\t$(CXX) $(shell $(HPCSIM) clients flags --lang cxx --cflags) -o $@ $< "
        "$(shell $(HPCSIM) clients flags --lang cxx --libs)\n"
        "consumer.o: consumer.F90\n"
        "\t$(FC) $(shell $(HPCSIM) clients flags --lang fortran --cflags) -c -o $@ $<\n"
        "consumer_fortran: consumer.o\n"
        "\t$(FC) -o $@ $< $(shell $(HPCSIM) clients flags --lang fortran --libs)\n"
    )
    for name in PROGRAMS:
        shutil.copy(programs / name, tmp_path / name)
    (tmp_path / "Makefile").write_text(makefile)
    done = subprocess.run(
        ["make"], cwd=tmp_path, env=native_build.env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(native_build.prefix / "include") in done.stdout
    env = db_env(standalone)
    for name in ("consumer_c", "consumer_cxx", "consumer_fortran"):
        _ok(run_native(tmp_path / name, env), name)


def test_the_compile_program_fixture_links_every_language(
    compile_program: Callable[..., Path], programs: Path, standalone: Database
) -> None:
    env = db_env(standalone)
    for name in PROGRAMS:
        source = programs / name
        _ok(run_native(compile_program(source, LANG_OF[source.suffix]), env), name)


def test_minus_lsmartredis_links_like_smartredis(
    native_build: NativeBuild, programs: Path, standalone: Database, tmp_path: Path
) -> None:
    """A Makefile written for SmartRedis: -I, -L and -lsmartredis [-lsmartredis-fortran]."""
    compilers, lib = native_build.manifest["compilers"], native_build.manifest["libdir"]
    common = [f"-I{native_build.manifest['includedir']}", f"-L{lib}", f"-Wl,-rpath,{lib}"]
    env = db_env(standalone)
    for name, compiler, libs in (
        ("consumer.c", compilers["c"], ["-lsmartredis"]),
        ("consumer.cpp", compilers["cxx"], ["-lsmartredis"]),
        ("consumer.F90", compilers["fortran"], ["-lsmartredis-fortran", "-lsmartredis"]),
    ):
        output = tmp_path / Path(name).suffix[1:]
        argv = [compiler, str(programs / name), "-o", str(output), *common, *libs]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stderr}"
        _ok(run_native(output, env), name)


def test_pkg_config_files_compile_and_link(
    native_build: NativeBuild, programs: Path, standalone: Database, tmp_path: Path
) -> None:
    pkgconfig = Path(native_build.manifest["libdir"]) / "pkgconfig"
    env = {**os.environ, "PKG_CONFIG_PATH": str(pkgconfig)}
    compilers = native_build.manifest["compilers"]
    run_env = db_env(standalone, extra={"LD_LIBRARY_PATH": native_build.manifest["libdir"]})
    for name, package, compiler in (
        ("consumer.c", "hpcsim_client", compilers["c"]),
        ("consumer.cpp", "hpcsim_client_cxx", compilers["cxx"]),
        ("consumer.F90", "hpcsim_client_fortran", compilers["fortran"]),
    ):
        flags = subprocess.run(
            ["pkg-config", "--cflags", "--libs", package], env=env, capture_output=True, text=True, check=False
        )
        assert flags.returncode == 0, flags.stderr
        assert f"-l{package}" in flags.stdout.split()
        output = tmp_path / package
        argv = [compiler, str(programs / name), "-o", str(output), *flags.stdout.split()]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stderr}"
        _ok(run_native(output, run_env), package)


def test_flags_come_from_the_prefix_the_environment_or_the_last_build(
    native_build: NativeBuild, tmp_path: Path
) -> None:
    lib = native_build.manifest["libdir"]
    expected = (
        f"-I{native_build.manifest['includedir']} -L{lib} -Wl,-rpath,{lib} -lhpcsim_client_fortran -lhpcsim_client"
    )
    recorded = hpcsim_cli("clients", "flags", "--lang", "fortran", env=native_build.env, timeout=60)
    assert (recorded.returncode, recorded.stdout.strip()) == (0, expected), recorded.stderr
    by_env = {**native_build.env, "XDG_DATA_HOME": str(tmp_path), "HPCSIM_CLIENTS_PREFIX": str(native_build.prefix)}
    done = hpcsim_cli("clients", "flags", "--lang", "fortran", env=by_env, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, expected), done.stderr
    libs = hpcsim_cli("clients", "flags", "--prefix", str(native_build.prefix), "--lang", "cxx", "--libs", timeout=60)
    assert libs.stdout.split() == [f"-L{lib}", f"-Wl,-rpath,{lib}", "-lhpcsim_client_cxx", "-lhpcsim_client"]
    cflags = hpcsim_cli("clients", "flags", "--prefix", str(native_build.prefix), "--cflags", timeout=60)
    assert cflags.stdout.split() == [f"-I{native_build.manifest['includedir']}"]


# ------------------------------------------------------------------------------ the test programs


def test_every_test_program_passes_under_ctest(native_build: NativeBuild, db: Database) -> None:
    """ctest runs every clients/tests/{c,cpp,fortran} program against each kind of server."""
    done = native_build.ctest(db_env(db))
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]


def test_sanitized_c_and_cpp_tests_run_clean(sanitized_build: NativeBuild, db: Database) -> None:
    """The C and C++ test programs built with AddressSanitizer and UBSan (leaks included)."""
    assert sanitized_build.sanitize
    done = sanitized_build.ctest(db_env(db, extra=SANITIZER_ENV), "-L", "^(c|cpp)$")
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert re.search(r"100% tests passed, 0 tests failed out of [1-9]", done.stdout), done.stdout[-3000:]


def test_sanitized_builds_give_sanitizer_flags(sanitized_build: NativeBuild) -> None:
    done = hpcsim_cli("clients", "flags", "--prefix", str(sanitized_build.prefix), "--libs", timeout=60)
    assert done.returncode == 0 and "-fsanitize=address,undefined" in done.stdout.split(), done
    fortran = hpcsim_cli("clients", "flags", "--prefix", str(sanitized_build.prefix), "--lang", "fortran", timeout=60)
    assert fortran.returncode == 2
    assert fortran.stderr.startswith("hpcsim: error: the clients at ") and "built without fortran" in fortran.stderr
    assert len(fortran.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ refusals


def _refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2 and one line starting `hpcsim: error:` that contains every word."""
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpcsim: error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("option", "role"), [("--cc", "C compiler"), ("--cxx", "C++ compiler"), ("--fc", "Fortran compiler")]
)
def test_an_unknown_compiler_is_refused_before_anything_is_built(
    toolchain: None, tmp_path: Path, option: str, role: str
) -> None:
    prefix, build = tmp_path / "prefix", tmp_path / "build"
    args = ["clients", "build", "--prefix", str(prefix), "--build-dir", str(build), option, "no-such-compiler-42"]
    _refused(hpcsim_cli(*args, timeout=60), role, "'no-such-compiler-42' not found on PATH", option)
    assert not prefix.exists() and not build.exists()
    by_path = _refused(hpcsim_cli(*args[:-1], str(tmp_path / "bin" / "fc"), timeout=60), role, "not found")
    assert str(tmp_path / "bin" / "fc") in by_path


def test_an_unwritable_prefix_is_refused_before_anything_is_built(toolchain: None, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    build = tmp_path / "build"
    args = ["clients", "build", "--prefix", str(blocker / "prefix"), "--build-dir", str(build)]
    _refused(hpcsim_cli(*args, timeout=60), "cannot write the install prefix", str(blocker / "prefix"), "--prefix")
    assert not build.exists()
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        args = ["clients", "build", "--prefix", str(locked / "prefix"), "--build-dir", str(build)]
        _refused(hpcsim_cli(*args, timeout=60), "cannot write the install prefix", "Permission denied")


def test_a_missing_cmake_is_refused_with_how_to_install_it(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("cc", "c++", "gfortran", "pkg-config"):  # everything but cmake
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    env = {**os.environ, "PATH": str(bin_dir)}
    line = _refused(
        hpcsim_cli("clients", "build", "--prefix", str(tmp_path / "prefix"), env=env, timeout=60),
        "cmake not found on PATH",
        "apt-get install cmake",
    )
    assert "module load cmake" in line
    assert not (tmp_path / "prefix").exists()


def test_contradicting_options_are_refused(toolchain: None, tmp_path: Path) -> None:
    args = ["clients", "build", "--prefix", str(tmp_path / "p"), "--fc", "gfortran", "--no-fortran"]
    _refused(hpcsim_cli(*args, timeout=60), "--fc and --no-fortran")


def test_a_failing_build_exits_1_with_its_first_error_and_keeps_its_log(toolchain: None, tmp_path: Path) -> None:
    """A tree whose C source does not compile: one line with the compiler's error, the log kept."""
    real = REPO / "clients"
    broken = tmp_path / "clients"
    broken.mkdir()
    for name in ("CMakeLists.txt", "hpcsim_client.pc.in", "cmake", "include"):
        (shutil.copytree if (real / name).is_dir() else shutil.copy)(real / name, broken / name)
    (broken / "src" / "c").mkdir(parents=True)
    (broken / "src" / "c" / "broken.c").write_text("int broken(void) { return undeclared_name; }\n")
    build = tmp_path / "build"
    args = ["clients", "build", "--prefix", str(tmp_path / "p"), "--build-dir", str(build), "--source", str(broken)]
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    done = hpcsim_cli(*args, "--no-fortran", env=env, timeout=600)
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("hpcsim: error: the clients' build step failed"), done.stderr
    assert "broken.c:1:" in last and "undeclared_name" in last and str(build / "build.log") in last
    assert "undeclared_name" in (build / "build.log").read_text()
    assert not (tmp_path / "p" / "lib").exists()
