"""The shipped examples run as a new user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.local

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_runs_twice_in_a_fresh_directory(tmp_path: Path) -> None:
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, str(EXAMPLES / "quickstart.py")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == "THERMO=42 STEPS=10 energy=83.917969\n"
    model_dir = tmp_path / "getting-started" / "model"
    assert (model_dir / "configure_inputs.txt").read_text() == "THERMO = 42\nSTEPS = 10\n"
    assert "COMPLETED" in done.stderr
