"""Rendered local step scripts run for real under bash: hostile strings in arguments,
environment values, the working directory and the output/exit-code paths reach the command
literally; the exit code is recorded; a missing working directory stops the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hpcsim.render import render_local_step
from tests.unit.test_render import DUMP, HOSTILE, step


@pytest.fixture(autouse=True)
def _shipped_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_TEMPLATE_PATH", raising=False)


def run_script(text: str, where: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    where.mkdir(parents=True, exist_ok=True)
    script = where / "step.sh"
    script.write_text(text)
    return subprocess.run(
        ["bash", str(script)],
        cwd=where,
        env={"PATH": os.environ["PATH"], **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pwned(root: Path) -> list[Path]:
    """Files an injected ``touch PWNED`` would have made (the hostile names only contain it)."""
    return list(root.rglob("PWNED"))


# -- hostile values, run for real -----------------------------------------------------------


def test_hostile_values_arrive_literally(tmp_path: Path) -> None:
    hostile_dir_name = "work $(touch PWNED) `touch PWNED`; rm -rf x 'q' \"dq\" *\nnewline"
    cwd = tmp_path / hostile_dir_name
    cwd.mkdir()
    tools = tmp_path / "tools $(touch PWNED)"
    tools.mkdir()
    (tools / "dump.py").write_text(DUMP)
    logs = tmp_path / "logs"
    logs.mkdir()
    out = logs / "out $(touch PWNED).txt"
    err = logs / "err `touch PWNED`; rm -rf x.txt"
    exit_code_file = logs / "ec 'quoted' $(touch PWNED)\nnl"
    sentinels = [tmp_path / "x", cwd / "x", tmp_path / "launch" / "x"]
    for sentinel in sentinels:
        sentinel.mkdir(parents=True)
    env = tuple((f"HOSTILE_{i}", value) for i, value in enumerate(HOSTILE))

    text = render_local_step(
        step(
            name="job",
            cwd=str(cwd),
            command=(sys.executable, str(tools / "dump.py"), *HOSTILE),
            env=(*env, ("INHERITED", None)),
            out=str(out),
            err=str(err),
            exit_code_file=str(exit_code_file),
        )
    )
    inherited = "from outside $(touch PWNED)"
    done = run_script(text, tmp_path / "launch", env={"INHERITED": inherited})

    assert done.returncode == 0, (done.stdout, done.stderr, text)
    result = json.loads((cwd / "result.json").read_text())
    assert result["argv"] == HOSTILE
    assert result["cwd"] == str(cwd)
    for name, value in env:
        assert result["env"][name] == value
    assert result["env"]["INHERITED"] == inherited
    assert out.read_text() == "to stdout\n"
    assert err.read_text() == "to stderr\n"
    assert exit_code_file.read_text() == "0\n"
    assert not Path(f"{exit_code_file}.tmp").exists()
    assert pwned(tmp_path) == []
    assert all(s.is_dir() for s in sentinels)


def test_exit_code_is_recorded_and_returned(tmp_path: Path) -> None:
    ec = tmp_path / "job.ec"
    text = render_local_step(
        step(
            cwd=str(tmp_path),
            command=("/bin/sh", "-c", "echo oops >&2; exit 7"),
            out=str(tmp_path / "job.out"),
            err=str(tmp_path / "job.err"),
            exit_code_file=str(ec),
        )
    )
    done = run_script(text, tmp_path / "launch")
    assert done.returncode == 7
    assert ec.read_text() == "7\n"
    assert (tmp_path / "job.err").read_text() == "oops\n"


def test_command_does_not_run_when_cwd_is_missing(tmp_path: Path) -> None:
    ec = tmp_path / "job.ec"
    text = render_local_step(
        step(
            cwd=str(tmp_path / "missing $(touch PWNED)"),
            command=("/bin/sh", "-c", "touch ran"),
            out=str(tmp_path / "job.out"),
            err=str(tmp_path / "job.err"),
            exit_code_file=str(ec),
        )
    )
    done = run_script(text, tmp_path / "launch")
    assert done.returncode != 0
    assert ec.read_text().strip() == str(done.returncode)
    assert list(tmp_path.rglob("ran")) == []
    assert pwned(tmp_path) == []


def test_unset_inherited_variable_stays_unset(tmp_path: Path) -> None:
    (tmp_path / "dump.py").write_text(DUMP)
    text = render_local_step(
        step(
            cwd=str(tmp_path),
            command=(sys.executable, str(tmp_path / "dump.py")),
            env=(("NOT_IN_JOB_ENV", None), ("SET_HERE", "v")),
            out=str(tmp_path / "job.out"),
            err=str(tmp_path / "job.err"),
            exit_code_file=str(tmp_path / "job.ec"),
        )
    )
    assert run_script(text, tmp_path / "launch").returncode == 0
    env = json.loads((tmp_path / "result.json").read_text())["env"]
    assert "NOT_IN_JOB_ENV" not in env
    assert env["SET_HERE"] == "v"
