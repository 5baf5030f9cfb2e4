"""The ``hpcsim`` command as a user runs it: a real subprocess on PATH of the venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hpcsim
from hpcsim import Experiment

pytestmark = pytest.mark.local

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60)


def test_version() -> None:
    done = _cli("--version")
    assert done.returncode == 0
    assert hpcsim.__version__ in done.stdout


def test_status_shows_every_launch(tmp_path: Path) -> None:
    exp = Experiment("cli", exp_path=tmp_path / "exp")
    ok = exp.create_model("ok", exp.create_run_settings("true"))
    bad = exp.create_model("bad", exp.create_run_settings("false"))
    exp.start(ok, bad)
    done = _cli("status", str(tmp_path / "exp"))
    assert done.returncode == 1, done.stderr  # one job failed
    lines = done.stdout.splitlines()
    assert lines[0].split("|")[1].strip() == "name"
    rows = {cells[1].strip(): cells[6].strip() for cells in (line.split("|") for line in lines[2:])}
    assert rows == {"ok": "COMPLETED", "bad": "FAILED"}


def test_user_errors_print_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _cli("status", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: no hpcsim experiment at")
    assert "Traceback" not in done.stderr
    debug = _cli("--debug", "status", str(tmp_path))
    assert "Traceback" in debug.stderr


def test_help_lists_commands() -> None:
    done = _cli("--help")
    assert done.returncode == 0
    assert "status" in done.stdout
