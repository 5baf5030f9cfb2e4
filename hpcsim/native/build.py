"""Build and install the shipped native clients with the compilers a user names, and print the
flags a Makefile needs to use them.

The C, C++ and Fortran sources ship inside the hpcsim package (``hpcsim.clients_src``; in a
checkout, ``clients/``) and nothing is prebuilt: Fortran module files only work with the
compiler that wrote them, so every site builds with its own (``--cc cc --cxx CC --fc ftn`` on a
Cray). :func:`build_clients` checks everything it can before running anything (cmake, the
compilers, hiredis, a writable prefix) and raises :class:`~hpcsim.errors.ConfigError` with one
line saying what to do; then it runs CMake's configure, build and install steps through
:mod:`hpcsim._shell`, logging their output to ``BUILD_DIR/build.log``, and raises
:class:`BuildFailed` with the first error if one fails.

Where the clients are: ``--prefix`` when given; else ``$HPCSIM_CLIENTS_PREFIX``; else where the
last successful ``hpcsim clients build`` installed, recorded in
``${XDG_DATA_HOME:-~/.local/share}/hpcsim/clients.json``. Every install holds
``share/hpcsim_client/manifest.json`` (what was built, where, with which compilers).
"""

from __future__ import annotations

import glob
import importlib.resources
import json
import os
import re
import shlex
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hpcsim import _shell
from hpcsim._atomic import write_atomic
from hpcsim._version import __version__
from hpcsim.errors import CommandError, ConfigError, HpcsimError

__all__ = [
    "LANGUAGES",
    "MIN_CMAKE",
    "BuildFailed",
    "BuildOptions",
    "BuildResult",
    "build_clients",
    "compile_flags",
    "find_hiredis",
    "installed_prefix",
    "read_manifest",
    "record_path",
    "source_dir",
]

#: the languages ``hpcsim clients flags --lang`` knows, and the libraries each links, first to last
LANGUAGES: dict[str, tuple[str, ...]] = {
    "c": ("hpcsim_client",),
    "cxx": ("hpcsim_client_cxx", "hpcsim_client"),
    "fortran": ("hpcsim_client_fortran", "hpcsim_client"),
}
#: the oldest cmake that configures clients/CMakeLists.txt
MIN_CMAKE = (3, 16)
#: environment variable naming the installed clients, before the recorded last build
PREFIX_VARIABLE = "HPCSIM_CLIENTS_PREFIX"
#: where an install describes itself, below its prefix
MANIFEST = Path("share") / "hpcsim_client" / "manifest.json"
#: Fortran compilers tried, in order, when none is named (and $FC is unset)
FORTRAN_CANDIDATES = ("gfortran", "ftn", "ifx", "ifort", "nvfortran", "flang-new", "flang", "f95")
_CMAKE_HINT = "install it (apt-get install cmake, or pip install cmake) or `module load cmake`"
_HIREDIS_HINT = (
    "install it with `apt-get install libhiredis-dev` (RHEL/Fedora: `dnf install hiredis-devel`), "
    "`module load hiredis` at a site, or set HIREDIS_ROOT to its install prefix"
)
#: seconds each cmake step may take
_TIMEOUTS = {"configure": 600.0, "build": 3600.0, "install": 600.0}


class BuildFailed(HpcsimError):
    """A cmake step (configure, build or install) failed; the message holds its first error and
    where the full log is."""

    def __init__(self, message: str, stage: str, log: Path) -> None:
        super().__init__(message)
        self.stage = stage
        self.log = log


@dataclass(frozen=True)
class BuildOptions:
    """What ``hpcsim clients build`` was asked for."""

    prefix: Path
    cc: str | None = None
    cxx: str | None = None
    fc: str | None = None
    fortran: bool = True
    build_dir: Path | None = None
    jobs: int | None = None
    sanitize: bool = False
    tests: bool = False
    source: Path | None = None
    cmake_args: tuple[str, ...] = ()
    record: bool = True  # remember the prefix for `hpcsim clients flags`


@dataclass(frozen=True)
class BuildResult:
    """A finished install."""

    prefix: Path
    build_dir: Path | None  # None: a temporary build directory, removed after the install
    manifest: dict[str, Any]
    compilers: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- sources, records


def source_dir() -> Path:
    """The shipped clients sources: package data ``hpcsim.clients_src`` of an installed hpcsim,
    or ``clients/`` beside the package in a source checkout that is not installed in place."""
    try:
        found = Path(str(importlib.resources.files("hpcsim.clients_src")))
        if (found / "CMakeLists.txt").is_file():
            return found
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "clients"


def record_path(env: Mapping[str, str] | None = None) -> Path:
    """The file that remembers where the last build installed."""
    environ = os.environ if env is None else env
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "hpcsim" / "clients.json"


def installed_prefix(prefix: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """``prefix`` when given, else ``$HPCSIM_CLIENTS_PREFIX``, else the last build's, else ConfigError."""
    environ = os.environ if env is None else env
    if prefix is not None:
        return Path(os.path.abspath(prefix.expanduser()))
    if environ.get(PREFIX_VARIABLE):
        return Path(os.path.abspath(Path(environ[PREFIX_VARIABLE]).expanduser()))
    record = record_path(environ)
    try:
        recorded = json.loads(record.read_text(encoding="utf-8"))["prefix"]
    except FileNotFoundError:
        raise ConfigError(
            f"no native clients built yet: run `hpcsim clients build --prefix DIR`, or pass --prefix DIR "
            f"or set {PREFIX_VARIABLE}"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the record of the last clients build {record}: {exc}") from None
    return Path(str(recorded))


def read_manifest(prefix: Path) -> dict[str, Any]:
    """The manifest of the clients installed at ``prefix``; ConfigError if there are none."""
    path = prefix / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"no hpcsim native clients installed at {prefix} (no {MANIFEST}): "
            f"build them with `hpcsim clients build --prefix {shlex.quote(str(prefix))}`"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"unreadable clients manifest {path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise ConfigError(f"unreadable clients manifest {path}: not a JSON object")
    return manifest


def compile_flags(
    prefix: Path | None = None,
    lang: str = "c",
    what: str = "both",
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """The compiler (``-I``) and linker (``-L``, rpath, ``-l``) arguments for a program in
    ``lang`` (c, cxx or fortran) that uses the clients installed at ``prefix`` (see
    :func:`installed_prefix`); ``what``: cflags, libs or both."""
    if what not in ("cflags", "libs", "both"):
        raise ConfigError(f"unknown flags {what!r}: choose cflags, libs or both")
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    where = installed_prefix(prefix, env)
    manifest = read_manifest(where)
    built = {"c": True, "cxx": bool(manifest.get("cxx")), "fortran": bool(manifest.get("fortran"))}
    if not built[lang]:
        how = "--fc FC" if lang == "fortran" else "the C++ sources in place"
        raise ConfigError(f"the clients at {where} were built without {lang}: rebuild them with {how}")
    includedir = str(manifest.get("includedir") or where / "include")
    libdir = str(manifest.get("libdir") or where / "lib")
    cflags = [f"-I{includedir}"]
    libs = [f"-L{libdir}", f"-Wl,-rpath,{libdir}", *(f"-l{name}" for name in LANGUAGES[lang])]
    if manifest.get("sanitize"):
        cflags.append("-fsanitize=address,undefined")
        libs.insert(0, "-fsanitize=address,undefined")
    if what == "cflags":
        return cflags
    if what == "libs":
        return libs
    return [*cflags, *libs]


# ----------------------------------------------------------------------------- checks


def _executable(role: str, name: str, option: str) -> str:
    """The absolute path of compiler ``name`` (a name on PATH or a path), or ConfigError."""
    if os.sep in name:
        path = Path(name).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path.resolve())
        raise ConfigError(f"{role} compiler {name!r} not found or not executable ({option})")
    found = shutil.which(name)
    if found is None:
        raise ConfigError(f"{role} compiler {name!r} not found on PATH ({option}): name one that is, or give its path")
    return found


def _default(variable: str, candidates: Sequence[str]) -> str | None:
    """The compiler ``$variable`` names, else the first candidate on PATH."""
    named = os.environ.get(variable, "").strip()
    if named:
        return shutil.which(shlex.split(named)[0]) if os.sep not in named else named
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _cmake() -> str:
    """The cmake on PATH, checked to be new enough."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise ConfigError(f"cmake not found on PATH: {_CMAKE_HINT}")
    try:
        done = _shell.run([cmake, "--version"], timeout=60, check=False)
    except CommandError as exc:
        raise ConfigError(f"cmake at {cmake} does not run: {exc}") from None
    match = re.search(r"version (\d+)\.(\d+)", done.stdout)
    if done.returncode != 0 or match is None:
        raise ConfigError(f"cmake at {cmake} does not run (`cmake --version` exited {done.returncode})")
    version = (int(match[1]), int(match[2]))
    if version < MIN_CMAKE:
        wanted = ".".join(map(str, MIN_CMAKE))
        raise ConfigError(
            f"cmake {match[1]}.{match[2]} at {cmake} is too old ({wanted} or newer needed): {_CMAKE_HINT}"
        )
    return cmake


def _multiarch_dirs(root: Path) -> list[Path]:
    return [root / "lib", root / "lib64", *(Path(p) for p in sorted(glob.glob(str(root / "lib" / "*-linux-gnu"))))]


def find_hiredis() -> str | None:
    """Where hiredis (its header and a library) is, or None; looks where CMake will."""
    pkg_config = shutil.which("pkg-config")
    if pkg_config is not None:
        try:
            if _shell.run([pkg_config, "--exists", "hiredis"], timeout=30, check=False).returncode == 0:
                return "pkg-config hiredis"
        except CommandError:
            pass
    roots = [os.environ.get("HIREDIS_ROOT", "")]
    roots += os.environ.get("CMAKE_PREFIX_PATH", "").split(os.pathsep)
    roots += ["/usr", "/usr/local", "/opt/homebrew", "/opt/local"]
    includes = [Path(r) / "include" for r in roots if r]
    includes += [Path(p) for v in ("CPATH", "C_INCLUDE_PATH") for p in os.environ.get(v, "").split(os.pathsep) if p]
    libdirs = [d for r in roots if r for d in _multiarch_dirs(Path(r))]
    libdirs += [
        Path(p) for v in ("LIBRARY_PATH", "LD_LIBRARY_PATH") for p in os.environ.get(v, "").split(os.pathsep) if p
    ]
    header = next((d for d in includes if (d / "hiredis" / "hiredis.h").is_file()), None)
    library = next((d for d in libdirs if glob.glob(str(d / "libhiredis.*"))), None)
    if header is not None and library is not None:
        return f"{header}, {library}"
    return None


def _writable_dir(path: Path, what: str, option: str) -> Path:
    """``path`` made absolute and created if missing, checked to take new files; else ConfigError."""
    path = Path(os.path.abspath(path.expanduser()))
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".hpcsim-write-test-")  # noqa: SIM115
        probe.close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot write the {what} {path} ({option}): {reason}; choose another {option}") from None
    return path


@dataclass(frozen=True)
class _Plan:
    cmake: str
    source: Path
    prefix: Path
    compilers: dict[str, str]
    fortran: bool


def _plan(options: BuildOptions) -> _Plan:
    """Everything checked before any command runs; ConfigError with one line otherwise."""
    if options.jobs is not None and options.jobs < 1:
        raise ConfigError(f"--jobs must be 1 or more, not {options.jobs}")
    cmake = _cmake()
    compilers: dict[str, str] = {}
    if options.cc:
        compilers["C"] = _executable("C", options.cc, "--cc")
    else:
        found = _default("CC", ("cc", "gcc", "clang"))
        if found is None:
            raise ConfigError("no C compiler found (cc, gcc or clang on PATH): apt-get install gcc, or pass --cc CC")
        compilers["C"] = found
    if options.cxx:
        compilers["CXX"] = _executable("C++", options.cxx, "--cxx")
    else:
        found = _default("CXX", ("c++", "g++", "clang++"))
        if found is None:
            raise ConfigError(
                "no C++ compiler found (c++, g++ or clang++ on PATH): apt-get install g++, or pass --cxx CXX"
            )
        compilers["CXX"] = found
    fortran = options.fortran
    if options.fc and not fortran:
        raise ConfigError("--fc and --no-fortran contradict each other: give one")
    if options.fc:
        compilers["Fortran"] = _executable("Fortran", options.fc, "--fc")
    elif fortran:
        found = _default("FC", FORTRAN_CANDIDATES)
        if found is None:
            fortran = False
        else:
            compilers["Fortran"] = found
    named_hiredis = any(re.match(r"-DHIREDIS_(ROOT|LIBRARY|INCLUDE_DIR)\b", arg) for arg in options.cmake_args)
    if not named_hiredis and find_hiredis() is None:
        raise ConfigError(f"hiredis (the Redis C client library) not found: {_HIREDIS_HINT}")
    source = Path(os.path.abspath(options.source.expanduser())) if options.source is not None else source_dir()
    if not (source / "CMakeLists.txt").is_file():
        raise ConfigError(f"no clients sources at {source} (no CMakeLists.txt)")
    prefix = _writable_dir(options.prefix, "install prefix", "--prefix")
    return _Plan(cmake, source, prefix, compilers, fortran)


# ----------------------------------------------------------------------------- running cmake


def _first_error(output: str) -> str:
    """The first error in a cmake or compiler log, as one line."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("CMake Error"):
            block = [line.strip()]
            for follow in lines[i + 1 :]:
                if not follow.strip():
                    if len(block) > 1:
                        break
                    continue
                block.append(follow.strip())
            return " ".join(block)
    location = re.compile(r"^\S+:\d+(:\d+)?:$")
    linker = re.compile(r"undefined reference to|multiple definition of|cannot find -l|ld: .*error")
    for i, line in enumerate(lines):
        if line.startswith("collect2"):  # the linker's own message came first
            continue
        if re.search(r": (fatal )?error:", line) or linker.search(line):
            return line.strip()
        if line.startswith("Error:"):  # gfortran: FILE:LINE:COL: on an earlier line, then the source
            where = next((lines[j] for j in range(i - 1, max(i - 6, -1), -1) if location.match(lines[j])), "")
            return f"{where} {line.strip()}".strip()
    for line in lines:
        if "error" in line.lower() and not line.lstrip().startswith(("make", "gmake", "ninja")):
            return line.strip()
    tail = [line.strip() for line in lines if line.strip()]
    return tail[-1] if tail else "no output"


def _run_step(stage: str, argv: list[str], log: Path) -> None:
    """Run one cmake step, appending its output to ``log``; BuildFailed if it fails."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"\n$ {shlex.join(argv)}\n")
    try:
        done = _shell.run(argv, timeout=_TIMEOUTS[stage], check=False)
    except CommandError as exc:
        raise BuildFailed(f"the clients' {stage} step did not finish: {exc} (log: {log})", stage, log) from None
    output = done.stdout + ("\n" + done.stderr if done.stderr else "")
    with log.open("a", encoding="utf-8") as out:
        out.write(output)
        out.write(f"\n[exit {done.returncode}]\n")
    if done.returncode != 0:
        raise BuildFailed(
            f"the clients' {stage} step failed (cmake exited {done.returncode}): {_first_error(output)} "
            f"(full log: {log})",
            stage,
            log,
        )


def _numeric_version() -> str:
    """hpcsim's version as CMake takes it (``0.1.0`` of ``0.1.0.dev3``)."""
    match = re.match(r"[0-9]+(?:[.][0-9]+){0,3}", __version__)
    return match[0] if match else "0.0.0"


def _bool(value: bool) -> str:
    return "ON" if value else "OFF"


def build_clients(options: BuildOptions, progress: Callable[[str], None] = lambda line: None) -> BuildResult:
    """Configure, build and install the clients as ``options`` say; returns what was installed.

    Raises ConfigError (before running anything) for a missing cmake, compiler or hiredis and an
    unwritable prefix or build directory; BuildFailed when a cmake step fails (the build
    directory is then kept, with ``build.log``).
    """
    plan = _plan(options)
    temporary = options.build_dir is None
    if options.build_dir is None:
        build = Path(tempfile.mkdtemp(prefix="hpcsim-clients-build-"))
    else:
        build = _writable_dir(options.build_dir, "build directory", "--build-dir")
    log = build / "build.log"
    log.write_text(f"hpcsim {__version__} clients build, {time.strftime('%Y-%m-%d %H:%M:%S')}\n", encoding="utf-8")
    jobs = options.jobs or os.cpu_count() or 1
    configure = [
        plan.cmake,
        "-S",
        str(plan.source),
        "-B",
        str(build),
        f"-DCMAKE_INSTALL_PREFIX={plan.prefix}",
        f"-DHPCSIM_CLIENT_VERSION={_numeric_version()}",
        # sanitizers see more (leaks held in registers at -O2 go unseen) without optimization
        f"-DCMAKE_BUILD_TYPE={'Debug' if options.sanitize else 'RelWithDebInfo'}",
        f"-DHPCSIM_CLIENT_FORTRAN={_bool(plan.fortran)}",
        f"-DHPCSIM_CLIENT_TESTS={_bool(options.tests)}",
        f"-DHPCSIM_CLIENT_SANITIZE={_bool(options.sanitize)}",
        *(f"-DCMAKE_{language}_COMPILER={path}" for language, path in plan.compilers.items()),
        *options.cmake_args,
    ]
    progress(f"sources: {plan.source}")
    named = ", ".join(f"{'C++' if k == 'CXX' else k} {v}" for k, v in plan.compilers.items())
    progress(f"configuring in {build} ({named}{'' if plan.fortran else '; no Fortran'})")
    _run_step("configure", configure, log)
    progress(f"building with {jobs} job{'s' if jobs > 1 else ''} (log: {log})")
    _run_step("build", [plan.cmake, "--build", str(build), "--parallel", str(jobs)], log)
    progress(f"installing to {plan.prefix}")
    _run_step("install", [plan.cmake, "--install", str(build)], log)
    manifest = read_manifest(plan.prefix)
    if options.record:
        record = record_path()
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            data = {"prefix": str(plan.prefix), "version": __version__, "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
            write_atomic(record, json.dumps(data, indent=2) + "\n")
        except OSError as exc:
            progress(f"warning: could not record the prefix in {record} ({exc.strerror}); pass --prefix to `flags`")
    if temporary:
        shutil.rmtree(build, ignore_errors=True)
    return BuildResult(plan.prefix, None if temporary else build, manifest, dict(plan.compilers))
