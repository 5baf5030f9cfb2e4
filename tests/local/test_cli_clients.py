"""``hpcsim clients`` without a toolchain: help, where the sources are, and how ``flags`` finds an
install and refuses a missing one. tests/native builds the clients for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hpcsim.native.build import MANIFEST, record_path

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
ROOT = Path(__file__).resolve().parents[2]


def _hpcsim(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The real command, with its own data dir and no HPCSIM_CLIENTS_PREFIX."""
    env = {k: v for k, v in os.environ.items() if k != "HPCSIM_CLIENTS_PREFIX"}
    env["XDG_DATA_HOME"] = str(home)
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60, env=env)


def _fake_install(prefix: Path, fortran: bool = True, sanitize: bool = False) -> None:
    """The manifest `flags` reads, as the CMake install writes it."""
    (prefix / MANIFEST).parent.mkdir(parents=True)
    manifest = {
        "prefix": str(prefix),
        "libdir": str(prefix / "lib64"),
        "includedir": str(prefix / "include"),
        "cxx": True,
        "fortran": fortran,
        "sanitize": sanitize,
    }
    (prefix / MANIFEST).write_text(json.dumps(manifest))


def _one_error_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpcsim: error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_help_shows_the_commands_and_examples(tmp_path: Path) -> None:
    assert "clients" in _hpcsim("--help", home=tmp_path).stdout
    group = _hpcsim("clients", "--help", home=tmp_path)
    assert group.returncode == 0
    for word in ("build", "flags", "source", "Examples:"):
        assert word in group.stdout
    build = _hpcsim("clients", "build", "--help", home=tmp_path)
    for option in (
        "--prefix",
        "--cc",
        "--cxx",
        "--fc",
        "--no-fortran",
        "--build-dir",
        "--jobs",
        "--sanitize",
        "--tests",
    ):
        assert option in build.stdout
    assert "--cc cc --cxx CC --fc ftn" in build.stdout


def test_source_prints_the_shipped_tree(tmp_path: Path) -> None:
    done = _hpcsim("clients", "source", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (Path(done.stdout.strip()) / "CMakeLists.txt").is_file()


def test_flags_come_from_the_manifest_of_the_install(tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    _fake_install(prefix)
    lib, include = prefix / "lib64", prefix / "include"
    done = _hpcsim("clients", "flags", "--prefix", str(prefix), "--lang", "cxx", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        f"-I{include}",
        f"-L{lib}",
        f"-Wl,-rpath,{lib}",
        "-lhpcsim_client_cxx",
        "-lhpcsim_client",
    ]
    assert _hpcsim("clients", "flags", "--prefix", str(prefix), "--cflags", home=tmp_path).stdout.split() == [
        f"-I{include}"
    ]
    libs = _hpcsim("clients", "flags", "--prefix", str(prefix), "--lang", "fortran", "--libs", home=tmp_path)
    assert libs.stdout.split() == [f"-L{lib}", f"-Wl,-rpath,{lib}", "-lhpcsim_client_fortran", "-lhpcsim_client"]


def test_flags_find_the_last_build_recorded_or_the_environment(tmp_path: Path) -> None:
    recorded, named = tmp_path / "recorded", tmp_path / "named"
    _fake_install(recorded)
    _fake_install(named)
    record = record_path({"XDG_DATA_HOME": str(tmp_path / "data")})
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"prefix": str(recorded)}))
    done = _hpcsim("clients", "flags", "--cflags", home=tmp_path / "data")
    assert done.stdout.split() == [f"-I{recorded / 'include'}"], done.stderr
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HPCSIM_CLIENTS_PREFIX": str(named)}
    by_env = subprocess.run([HPCSIM, "clients", "flags", "--cflags"], capture_output=True, text=True, env=env)
    assert by_env.stdout.split() == [f"-I{named / 'include'}"], by_env.stderr


def test_flags_without_any_install_say_how_to_build(tmp_path: Path) -> None:
    _one_error_line(_hpcsim("clients", "flags", home=tmp_path), "no native clients built yet", "hpcsim clients build")
    _one_error_line(
        _hpcsim("clients", "flags", "--prefix", str(tmp_path / "empty"), home=tmp_path),
        "no hpcsim native clients installed at",
        "hpcsim clients build --prefix",
    )
    record = record_path({"XDG_DATA_HOME": str(tmp_path)})
    record.parent.mkdir(parents=True)
    record.write_text("{not json")
    _one_error_line(_hpcsim("clients", "flags", home=tmp_path), "cannot read the record of the last clients build")


def test_flags_for_a_language_that_was_not_built(tmp_path: Path) -> None:
    _fake_install(tmp_path / "p", fortran=False)
    _one_error_line(
        _hpcsim("clients", "flags", "--prefix", str(tmp_path / "p"), "--lang", "fortran", home=tmp_path),
        "built without fortran",
        "--fc FC",
    )


def test_sanitized_installs_add_the_sanitizer_to_every_link(tmp_path: Path) -> None:
    _fake_install(tmp_path / "p", sanitize=True)
    done = _hpcsim("clients", "flags", "--prefix", str(tmp_path / "p"), "--libs", home=tmp_path)
    assert done.stdout.split()[0] == "-fsanitize=address,undefined"


def test_build_refuses_zero_jobs_as_a_usage_error(tmp_path: Path) -> None:
    done = _hpcsim("clients", "build", "--prefix", str(tmp_path / "p"), "--jobs", "0", home=tmp_path)
    assert done.returncode == 2
    assert "--jobs" in done.stderr
    assert not (tmp_path / "p").exists()
