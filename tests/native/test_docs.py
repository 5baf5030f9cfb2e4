"""docs/native-clients.md builds and runs as written.

The page marks its example files with ``<!-- file: PATH -->`` and the shell blocks that build
and run them with ``<!-- run -->`` (in the example's folder) or ``<!-- run: DIR -->`` (in DIR),
each right before a fenced block. Here every file is written out as the page shows it (files
without a folder go into the example's folder and into every folder that has a
CMakeLists.txt), and every run block runs with bash against the session's clients (the
Makefile's ``hpcsim clients flags`` finds them as the last ``hpcsim clients build``; ``$PREFIX``
is their prefix) and the standalone test database, so the page cannot drift from the clients.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hpcsim.client import Client
from tests.client.conftest import Database
from tests.native.conftest import REPO, NativeBuild, db_env

DOC = REPO / "docs" / "native-clients.md"
_BLOCK = re.compile(r"<!-- (file|run)(?::\s*(\S+))? -->\s*\n```[\w+-]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
#: what the page must keep showing (deleting one of these fails here, not silently)
EXPECTED_FILES = {
    "put_get.c",
    "field.F90",
    "Makefile",
    "check.py",
    "cmake-hpcsim/CMakeLists.txt",
    "cmake-smartredis/CMakeLists.txt",
    "cmake-smartredis/put_get.cpp",
}
EXPECTED_RUNS = {"", "cmake-hpcsim", "cmake-smartredis"}


def blocks() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The page's example files (path -> text) and run blocks ((folder, script), in order)."""
    files: dict[str, str] = {}
    runs: list[tuple[str, str]] = []
    for kind, where, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if kind == "file":
            assert where, "a <!-- file: PATH --> marker without a path"
            assert where not in files, f"{where} is shown twice"
            files[where] = body
        else:
            runs.append((where or "", body))
    return files, runs


def test_page_marks_its_examples() -> None:
    files, runs = blocks()
    assert set(files) >= EXPECTED_FILES, f"missing from {DOC.name}: {sorted(EXPECTED_FILES - set(files))}"
    assert {folder for folder, _ in runs} >= EXPECTED_RUNS
    makefile = files["Makefile"]
    assert "\t$(CC)" in makefile and "\t$(FC)" in makefile, "the Makefile's recipes must start with a tab"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The page's files, written out under tmp_path/example."""
    files, _ = blocks()
    root = tmp_path / "example"
    projects = {Path(path).parent for path in files if Path(path).name == "CMakeLists.txt" and "/" in path}
    for path, text in files.items():
        targets = [root / path] if "/" in path else [root / path, *(root / p / path for p in projects)]
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return root


def run_block(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_examples_build_and_run(native_build: NativeBuild, standalone: Database, example: Path) -> None:
    env = db_env(standalone)
    env.pop("HPCSIM_CLIENTS_PREFIX", None)
    env["XDG_DATA_HOME"] = native_build.env["XDG_DATA_HOME"]  # the record of the session's build
    env["PREFIX"] = str(native_build.prefix)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    _, runs = blocks()
    for folder, script in runs:
        done = run_block(script, example / folder, env)
        where = folder or "the example's folder"
        assert done.returncode == 0, f"run block in {where} failed:\n{script}\n{done.stdout}\n{done.stderr}"
        # what the page says the programs print
        if "put_get" in script:
            assert "u[1][2] = 5" in done.stdout, done.stdout
        if "field" in script:
            assert "b(2,3) = u[1][2] =  5.0" in done.stdout, done.stdout
        if "check.py" in script:
            assert "a(i,j) == a[i-1, j-1]" in done.stdout, done.stdout
    # a(i,j) put from Fortran is a[i-1, j-1] here, whichever build ran last
    a = Client(cluster=False).get_tensor("a")
    assert a.shape == (3, 2) and np.array_equal(a, [[11, 12], [21, 22], [31, 32]])


def test_pkg_config_line(native_build: NativeBuild) -> None:
    """The page's pkg-config line gives the Fortran libraries."""
    env = dict(os.environ, PKG_CONFIG_PATH=str(native_build.prefix / "lib" / "pkgconfig"))
    done = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "hpcsim_client_fortran"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "-lhpcsim_client_fortran" in done.stdout and "-lhpcsim_client" in done.stdout
    assert f"-I{native_build.prefix / 'include'}" in done.stdout
