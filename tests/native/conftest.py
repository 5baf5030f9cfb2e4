"""The `native` tier: hpcsim's C, C++ and Fortran clients, built with the real
``hpcsim clients build`` and run against the real Redis servers of tests/client.

Fixtures and helpers for every tests/native/test_*.py:

- ``native_build`` (session): the clients built once, with their test programs, installed in a
  temporary prefix; a :class:`NativeBuild` (``prefix``, ``build_dir``, ``manifest``,
  ``test_program(lang, name)``, ``ctest(env, ...)``). ``native_prefix`` is its prefix.
- ``sanitized_build`` (session): the C and C++ clients and tests built with
  AddressSanitizer + UBSan (``--sanitize --no-fortran``), in their own prefix.
- ``compile_program(source, lang)``: compiles one user program against ``native_prefix`` with the
  flags of ``hpcsim clients flags`` (the Makefile path) and returns the executable.
- :func:`db_env` (database -> environment of a native program) and :func:`run_native`.
- The servers of tests/client/conftest.py: ``farm``, ``db`` (standalone, cluster, uds),
  ``standalone``, ``cluster_db``; ``clean_env`` keeps the caller's database variables out.

$HPCSIM_TEST_CLIENTS_SOURCE builds another clients tree instead of clients/ (a work in
progress). Every test here is marked ``native``. Without the toolchain (cmake, cc, c++, gfortran, hiredis)
the tier skips, saying what to install; under CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hpcsim.native.build import find_hiredis, read_manifest
from tests.client.conftest import (  # noqa: F401  (fixtures re-exported for tests/native)
    KINDS,
    PASSWORD,
    Database,
    clean_env,
    cluster_db,
    db,
    farm,
    standalone,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
INSTALL_HINT = "apt-get install gcc g++ gfortran make cmake pkg-config libhiredis-dev"
#: the compiler each language's programs are compiled with when the build recorded none
DEFAULT_COMPILERS = {"c": "cc", "cxx": "c++", "fortran": "gfortran"}
#: test-program folders (clients/tests/<lang>) and their source suffixes
TEST_SUFFIXES = {"c": ".c", "cpp": ".cpp", "fortran": ".F90"}
#: what sanitized programs do on a finding: fail with a stack trace (leaks too)
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=23",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}


#: what names a database in a native program's environment (replaced by :func:`db_env`)
_ADDRESS_VARIABLES = ("HPCSIM_DB", "HPCSIM_DB_TYPE", "HPCSIM_DB_PASSWORD_FILE", "SSDB", "SR_DB_TYPE")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.native)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip with ``reason``; under CI fail instead (CI installs the toolchain: .ci/run)."""
    if _in_ci():
        pytest.fail(f"native toolchain missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def missing_toolchain() -> str | None:
    """What of the clients' toolchain is missing here, or None."""
    missing = [tool for tool in ("cmake", "make", "cc", "c++", "gfortran") if shutil.which(tool) is None]
    if find_hiredis() is None:
        missing.append("hiredis")
    if missing:
        return f"the native clients need {', '.join(missing)}: {INSTALL_HINT}"
    return None


@pytest.fixture(scope="session")
def toolchain() -> None:
    """Skips (fails under CI) the test when cmake, the compilers or hiredis are missing."""
    reason = missing_toolchain()
    if reason is not None:
        _unavailable(reason)


def hpcsim_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """The real ``hpcsim`` command, as a user runs it."""
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)


@dataclass(frozen=True)
class NativeBuild:
    """Clients built and installed by ``hpcsim clients build --tests``."""

    prefix: Path
    build_dir: Path
    manifest: dict[str, Any]
    env: dict[str, str]  # the environment `hpcsim clients` ran with (its own XDG_DATA_HOME)

    @property
    def fortran(self) -> bool:
        return bool(self.manifest.get("fortran"))

    @property
    def sanitize(self) -> bool:
        return bool(self.manifest.get("sanitize"))

    def test_program(self, lang: str, name: str) -> Path:
        """The installed test program built from clients/tests/<lang>/<name>.<ext>."""
        path = self.prefix / "libexec" / "hpcsim_client" / "tests" / lang / name
        if not path.is_file():
            built = sorted(p.name for p in path.parent.glob("*")) if path.parent.is_dir() else []
            raise FileNotFoundError(f"no test program {lang}/{name} in {path.parent} (built: {built})")
        return path

    def test_programs(self, lang: str) -> list[Path]:
        folder = self.prefix / "libexec" / "hpcsim_client" / "tests" / lang
        return sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []

    def ctest(self, env: Mapping[str, str], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """``ctest --output-on-failure ARGS`` in the build directory with ``env`` (add e.g.
        ``-L "^(c|cpp)$"`` or ``-R transport_``)."""
        argv = ["ctest", "--output-on-failure", "--no-tests=error", *args]
        return subprocess.run(
            argv, cwd=self.build_dir, capture_output=True, text=True, timeout=timeout, env=dict(env), check=False
        )


def build_native(root: Path, *options: str) -> NativeBuild:
    """``hpcsim clients build --tests`` into ``root``/prefix, keeping ``root``/build; a failure
    fails the caller with the command's output."""
    env = {k: v for k, v in os.environ.items() if k != "HPCSIM_CLIENTS_PREFIX"}
    env["XDG_DATA_HOME"] = str(root / "xdg")  # the developer's record of their own build stays untouched
    prefix, build = root / "prefix", root / "build"
    args = ["clients", "build", "--prefix", str(prefix), "--build-dir", str(build), "--tests"]
    if os.environ.get("HPCSIM_TEST_CLIENTS_SOURCE"):
        args += ["--source", os.environ["HPCSIM_TEST_CLIENTS_SOURCE"]]
    done = hpcsim_cli(*args, "--jobs", str(os.cpu_count() or 2), *options, env=env)
    if done.returncode != 0:
        log = build / "build.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:]) if log.is_file() else ""
        pytest.fail(f"`hpcsim {shlex.join(args + list(options))}` failed:\n{done.stderr}\n{tail}", pytrace=False)
    return NativeBuild(prefix, build, read_manifest(prefix), env)


@pytest.fixture(scope="session")
def native_build(toolchain: None, tmp_path_factory: pytest.TempPathFactory) -> NativeBuild:
    """The clients (C, C++, Fortran) and their test programs, built once per session."""
    return build_native(tmp_path_factory.mktemp("native"))


@pytest.fixture(scope="session")
def native_prefix(native_build: NativeBuild) -> Path:
    return native_build.prefix


@pytest.fixture(scope="session")
def sanitized_build(toolchain: None, tmp_path_factory: pytest.TempPathFactory) -> NativeBuild:
    """The C and C++ clients and tests built with -fsanitize=address,undefined."""
    return build_native(tmp_path_factory.mktemp("native-sanitized"), "--sanitize", "--no-fortran")


def db_env(database: Database, style: str = "hpcsim", extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a native program that talks to ``database``: this process's
    (which ``clean_env`` rid of database variables) plus the database's, named the hpcsim way
    (``HPCSIM_DB``, ``HPCSIM_DB_TYPE``) or, with ``style="smartredis"``, SmartRedis's (``SSDB``,
    ``SR_DB_TYPE`` Clustered/Standalone). The password file (``HPCSIM_DB_PASSWORD_FILE``) is
    set either way: the test servers require a password."""
    env = {k: v for k, v in os.environ.items() if k not in _ADDRESS_VARIABLES}
    address = ",".join(server.address for server in database.servers)
    if style == "hpcsim":
        env.update(database.env)
    elif style == "smartredis":
        env["SSDB"] = address
        env["SR_DB_TYPE"] = "Clustered" if database.kind == "cluster" else "Standalone"
        env["HPCSIM_DB_PASSWORD_FILE"] = str(database.password_file)
    else:
        raise ValueError(f"unknown style {style!r}: hpcsim or smartredis")
    env.update(extra or {})
    return env


def run_native(
    program: Path | str,
    env: Mapping[str, str],
    *args: str,
    timeout: float = 120,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a native program with ``env`` (from :func:`db_env`) and return what it did."""
    argv = [str(program), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=dict(env), cwd=cwd, check=False)


def flags(prefix: Path, lang: str, *which: str, env: Mapping[str, str] | None = None) -> list[str]:
    """``hpcsim clients flags --prefix PREFIX --lang LANG [--cflags|--libs]``, split."""
    done = hpcsim_cli("clients", "flags", "--prefix", str(prefix), "--lang", lang, *which, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return shlex.split(done.stdout)


def compile_with_flags(
    prefix: Path,
    source: Path,
    lang: str,
    output: Path,
    compiler: str | None = None,
    extra: Sequence[str] = (),
) -> Path:
    """Compile and link ``source`` (lang c, cxx or fortran) into ``output`` with the flags of
    ``hpcsim clients flags``, using ``compiler`` or the one the clients were built with."""
    manifest = read_manifest(prefix)
    recorded = (manifest.get("compilers") or {}).get(lang)
    chosen = compiler or recorded or DEFAULT_COMPILERS[lang]
    argv = [chosen, str(source), "-o", str(output), *extra, *flags(prefix, lang)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"`{shlex.join(argv)}` failed:\n{done.stdout}{done.stderr}", pytrace=False)
    return output


@pytest.fixture
def compile_program(native_prefix: Path, tmp_path: Path) -> Callable[..., Path]:
    """``compile_program(source, lang, *, compiler=None, output=None, extra=())``: a user
    program compiled against the session's clients the Makefile way; returns the executable."""

    def compile_(
        source: Path,
        lang: str,
        *,
        compiler: str | None = None,
        output: Path | None = None,
        extra: Sequence[str] = (),
    ) -> Path:
        target = output or tmp_path / "bin" / f"{source.stem}-{lang}"
        target.parent.mkdir(parents=True, exist_ok=True)
        return compile_with_flags(native_prefix, source, lang, target, compiler, extra)

    return compile_
