"""An example driver whose application fails exits non-zero, naming what failed.

Each example is copied with its own files, one application replaced by a program that exits 3.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbutil import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAILING = "import sys\nsys.exit(3)\n"


def _run(driver: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(driver), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def test_quickstart_exits_non_zero_when_its_model_fails(tmp_path: Path) -> None:
    example = tmp_path / "example"
    example.mkdir()
    for name in ("quickstart.py", "configure_inputs.txt"):
        shutil.copy(EXAMPLES / name, example / name)
    (example / "application.py").write_text(FAILING)
    done = _run(example / "quickstart.py", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "the model failed" in done.stderr and done.stdout == ""


def test_key_prefixing_exits_non_zero_when_a_producer_fails(tmp_path: Path) -> None:
    example = shutil.copytree(EXAMPLES / "key_prefixing", tmp_path / "example")
    (example / "producer_1.py").write_text(FAILING)
    done = _run(example / "experiment.py", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "failed: producer_1" in done.stderr


def test_inference_exits_non_zero_when_its_application_fails(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    example = shutil.copytree(EXAMPLES / "inference", tmp_path / "example")
    (example / "app.py").write_text(FAILING)
    done = _run(example / "driver.py", tmp_path, "local", str(free_port()))
    assert done.returncode == 1, done.stderr
    assert "app failed" in done.stderr
