"""Issue 19: a damaged job store is a one-line error naming the damaged file and what to do,
from ``Experiment.load`` and from ``hpcsim status`` (exit 2, no traceback), never a KeyError,
JSONDecodeError or ValueError."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.control.store import JobStoreError, store_path
from hpcsim.errors import HpcsimError

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _launch_file(store: Path) -> Path:
    [path] = sorted((store / "jobs").glob("[0-9]*.json"))
    return path


def _garbage(store: Path) -> Path:
    path = _launch_file(store)
    path.write_bytes(b"this is not a job store file\n" * 100)
    return path


def _empty(store: Path) -> Path:
    path = _launch_file(store)
    path.write_bytes(b"")
    return path


def _no_meta(store: Path) -> Path:
    path = store / "experiment.json"
    path.write_text(json.dumps({"format": 2, "launcher": "local"}))
    return path


def _bad_status(store: Path) -> Path:
    path = _launch_file(store)
    path.write_text(path.read_text().replace('"COMPLETED"', '"EXPLODED"'))
    return path


def _old_format(store: Path) -> Path:
    path = store / "experiment.json"
    path.write_text(json.dumps({"format": 99, "name": "store19", "launcher": "local"}))
    return path


DAMAGE: dict[str, Callable[[Path], Path]] = {
    "garbage": _garbage,
    "empty": _empty,
    "no-meta": _no_meta,
    "bad-status": _bad_status,
    "unknown-format": _old_format,
}


@pytest.fixture
def damaged(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """(experiment, the file that was damaged)"""
    exp = Experiment("store19", exp_path=tmp_path / "exp")
    exp.start(exp.create_model("ok", exp.create_run_settings("true")))
    return tmp_path / "exp", DAMAGE[request.param](store_path(tmp_path / "exp"))


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_load_says_which_file_and_what_to_do(damaged: tuple[Path, Path]) -> None:
    exp_dir, bad = damaged
    with pytest.raises(JobStoreError) as caught:
        Experiment.load(exp_dir).summary_data()
    message = str(caught.value)
    assert isinstance(caught.value, HpcsimError)
    assert repr(str(bad)) in message and "\n" not in message
    assert f"mv {bad} {bad}.bad" in message


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_status_cli_prints_one_line(damaged: tuple[Path, Path]) -> None:
    exp_dir, bad = damaged
    done = subprocess.run([HPCSIM, "status", str(exp_dir)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hpcsim: error: "), done.stderr
    assert repr(str(bad)) in lines[0] and "Traceback" not in done.stderr


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
