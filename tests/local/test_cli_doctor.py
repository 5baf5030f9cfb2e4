"""``hpcsim doctor`` on this machine, for real: a local database, a tensor round trip and a model
per installed ML backend pass; a missing redis-server fails its check and skips the ones that
need it; the database is stopped at the end, also when the run is interrupted."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hpcsim.cli.main import cli
from hpcsim.db.discovery import install_hint
from hpcsim.diagnostics.info import ENV_KNOBS
from tests.conftest import default_sigint
from tests.dbutil import refused

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
MODELS = ["model:TORCH", "model:ONNX", "model:TF", "model:TFLITE"]
ORDER = ["site", "redis-server", "database", "tensor", *MODELS, "scheduler"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's site, redis-server and database settings must not steer the doctor."""
    for name in list(os.environ):
        if name in ENV_KNOBS or name.startswith(("HPCSIM_DB", "HPCSIM_KEY", "SSDB", "SSKEY", "SR_")):
            monkeypatch.delenv(name)


def _doctor(*args: str) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["doctor", "--no-scheduler", "--json", *args])
    return result, json.loads(result.stdout)


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert [c["name"] for c in report["checks"]] == ORDER
    return {c["name"]: c for c in report["checks"]}


def test_a_real_run_passes_database_tensor_and_models(tmp_path: Path) -> None:
    result, report = _doctor("--dir", str(tmp_path / "doctor"))
    assert result.exit_code == 0, result.output
    checks = _checks(report)
    assert all(checks[name]["status"] == "ok" for name in ["site", "redis-server", "database", "tensor"]), checks
    assert checks["site"]["detail"] == "no site; local defaults"
    assert "(Redis " in checks["redis-server"]["detail"]
    # each installed backend runs its model; a missing one (they are optional extras) skips
    has_torch = importlib.util.find_spec("torch") is not None
    assert checks["model:TORCH"]["status"] == ("ok" if has_torch else "skip"), checks["model:TORCH"]
    if has_torch:
        assert checks["model:TORCH"]["detail"].startswith("y = 2x with torch")
    has_onnx = importlib.util.find_spec("onnxruntime") is not None
    assert checks["model:ONNX"]["status"] == ("ok" if has_onnx else "skip"), checks["model:ONNX"]
    has_tf = importlib.util.find_spec("tensorflow") is not None
    for name in ("model:TF", "model:TFLITE"):
        assert checks[name]["status"] == ("ok" if has_tf else "skip"), checks[name]
    assert checks["scheduler"] == {
        "name": "scheduler",
        "status": "skip",
        "detail": "not asked for (--no-scheduler)",
        "seconds": 0.0,
    }
    assert report["ok"] is True and report["kept"] is False and report["notes"] == []
    assert not Path(report["directory"]).exists()
    assert Path(report["directory"]).parent == tmp_path / "doctor"
    assert refused(checks["database"]["address"])  # stopped at the end
    progress = [line.split()[:2] for line in result.stderr.splitlines()[: len(ORDER)]]
    assert progress == [[c["status"], c["name"]] for c in report["checks"]]


def test_a_missing_redis_server_fails_and_skips_what_needs_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HPCSIM_REDIS_SERVER", str(tmp_path / "redis-server"))
    result, report = _doctor()
    assert result.exit_code == 1, result.output
    checks = _checks(report)
    assert checks["site"]["status"] == "ok"
    assert checks["redis-server"]["status"] == "fail"
    assert checks["redis-server"]["detail"] == (
        f"HPCSIM_REDIS_SERVER='{tmp_path / 'redis-server'}' is not an executable file; {install_hint()}"
    )
    assert (checks["database"]["status"], checks["database"]["detail"]) == ("skip", "needs redis-server")
    for name in ["tensor", *MODELS]:
        assert (checks[name]["status"], checks[name]["detail"]) == ("skip", "needs the database")
    assert report["ok"] is False and report["kept"] is False  # nothing was written, so nothing is kept
    assert not Path(report["directory"]).exists()


def test_a_binary_that_is_not_redis_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_REDIS_SERVER", shutil.which("true") or "/bin/true")
    result, report = _doctor()
    assert result.exit_code == 1
    assert _checks(report)["redis-server"]["detail"].endswith("--version names no Redis version; is it a redis-server?")


def test_a_broken_site_fails_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_SITE", "no-such-site")
    result, report = _doctor()
    assert result.exit_code == 1
    checks = _checks(report)
    assert checks["site"]["status"] == "fail" and "unknown site 'no-such-site'" in checks["site"]["detail"]
    assert (checks["redis-server"]["status"], checks["redis-server"]["detail"]) == ("skip", "needs the site config")


def test_the_check_lines_honour_no_color_and_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    # a broken site fails first and skips the rest: a quick run that still prints every line
    monkeypatch.setenv("HPCSIM_SITE", "no-such-site")
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    on_a_terminal = CliRunner().invoke(cli, ["doctor", "--no-scheduler"], color=True)
    assert "\x1b[" in on_a_terminal.output
    plain = CliRunner().invoke(cli, ["doctor", "--no-scheduler"], color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.output and "FAIL  site" in plain.output
    forced = CliRunner().invoke(cli, ["doctor", "--no-scheduler"], env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.output


def test_a_timeout_below_one_second_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["doctor", "--timeout", "0"])
    assert result.exit_code == 2
    assert "--timeout" in result.output


def test_the_installed_command_prints_each_check_and_exits_1_on_failure(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KNOBS}
    done = subprocess.run(
        [HPCSIM, "doctor", "--no-scheduler"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "HPCSIM_REDIS_SERVER": str(tmp_path / "redis-server")},
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines[: len(ORDER)]] == [
        ["ok", "site"],
        ["FAIL", "redis-server"],
        ["skip", "database"],
        *[["skip", name] for name in ["tensor", *MODELS, "scheduler"]],
    ]
    assert lines[len(ORDER)] == "doctor: 1 ok, 1 failed, 7 skipped in " + lines[len(ORDER)].rsplit(" ", 1)[1]
    assert "\x1b[" not in done.stdout


def test_ctrl_c_stops_the_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KNOBS}
    process = subprocess.Popen(
        [HPCSIM, "doctor", "--no-scheduler", "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=default_sigint,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.split()[1:2] == ["database"]:
                break
        assert lines[-1].startswith("ok"), "".join(lines)
        address = lines[-1].split(" at ")[1].split(";")[0]
        process.send_signal(signal.SIGINT)  # while the model checks run
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert refused(address)
    [kept] = tmp_path.iterdir()  # interrupted: kept, with the database's logs
    assert (kept / "database" / "orchestrator").is_dir()
