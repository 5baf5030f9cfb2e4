"""Issue 19: a damaged job store is a one-line error naming the file and what to do, from
``Experiment.load`` and from ``hpcsim status`` (exit 2, no traceback), never a KeyError,
sqlite3.DatabaseError or ValueError."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.control.store import JobStoreError, store_path
from hpcsim.errors import HpcsimError

pytestmark = pytest.mark.local

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _no_meta(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM meta")


def _bad_status(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE jobs SET status = 'EXPLODED'")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage": _garbage,
    "empty": _empty,
    "no-meta": _no_meta,
    "bad-status": _bad_status,
}


@pytest.fixture
def damaged(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    exp = Experiment("store19", exp_path=tmp_path / "exp")
    exp.start(exp.create_model("ok", exp.create_run_settings("true")))
    # a copy nobody has open, so the damage is all there is (the driver keeps its connection)
    path = store_path(tmp_path / "copy")
    path.parent.mkdir(parents=True)
    with sqlite3.connect(store_path(tmp_path / "exp")) as source, sqlite3.connect(path) as target:
        source.backup(target)
    DAMAGE[request.param](path)
    return tmp_path / "copy"


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_load_says_which_file_and_what_to_do(damaged: Path) -> None:
    with pytest.raises(JobStoreError) as caught:
        Experiment.load(damaged)
    message = str(caught.value)
    assert isinstance(caught.value, HpcsimError)
    assert str(store_path(damaged)) in message and "\n" not in message
    assert "move it aside" in message


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_status_cli_prints_one_line(damaged: Path) -> None:
    done = subprocess.run([HPCSIM, "status", str(damaged)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpcsim: error: "), done.stderr
    assert str(store_path(damaged)) in lines[0] and "Traceback" not in done.stderr


def test_bad_log_level_is_one_cli_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [HPCSIM, "status", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HPCSIM_LOG_LEVEL": "LOUD"},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "hpcsim: error: HPCSIM_LOG_LEVEL='LOUD' is not a log level; "
        "use one of debug, developer, info, warning, quiet, error, critical"
    )
