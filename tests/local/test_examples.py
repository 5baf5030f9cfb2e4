"""The shipped examples run as a new user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbutil import free_port

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


def test_key_prefixing_example_keeps_the_producers_apart(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "key_prefixing" / "experiment.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":", 1)[1] for line in lines] == ["1: [5 6 7 8]", "2: [1 2 3 4]"]
    assert all(line.startswith("Default@") for line in lines)
    assert "database 'orchestrator' up: 127.0.0.1:6780" in done.stderr
    for name in ("producer_1", "producer_2", "consumer"):
        assert f"| {name} " in done.stderr and "FAILED" not in done.stderr


def test_inference_example_loads_the_model_script_and_function(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    port = free_port()
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "inference" / "driver.py"), "local", str(port)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "mlp: shape (2, 2), matches torch: True",
        "negate: [-0.1 -0.2 -0.3 -0.4  0.5  0.6  0.7  0.8]",
        "timestwo: [ 0.2  0.4  0.6  0.8 -1.  -1.2 -1.4 -1.6]",
    ]
    assert f"database 'orchestrator' up: 127.0.0.1:{port}" in done.stderr
    assert "loaded ML model(s) mlp and script(s) negate_script, timestwo_fn into database 'orchestrator'" in (
        done.stderr
    )
    assert "| app " in done.stderr and "FAILED" not in done.stderr
