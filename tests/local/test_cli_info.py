"""``hpcsim info`` reports what is really on this machine: the values are checked against the
installed packages and binaries, in process (click's runner) and as the installed command."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import hpcsim
from hpcsim.cli.main import cli
from hpcsim.db.discovery import install_hint
from hpcsim.diagnostics.info import COMMANDS, ENV_KNOBS, PACKAGES

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
SECTIONS = ("hpcsim", "python", "packages", "redis", "site", "scheduler", "ML backends", "environment")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HPCSIM_SITE, HPCSIM_REDIS_SERVER, ... from the caller's shell."""
    for name in ENV_KNOBS:
        monkeypatch.delenv(name, raising=False)


def _info_json() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["info", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def test_json_has_every_key_with_real_values() -> None:
    data = _info_json()
    assert set(data) == {
        "hpcsim",
        "python",
        "packages",
        "redis",
        "site",
        "scheduler",
        "commands",
        "ml_backends",
        "env",
    }
    assert data["hpcsim"] == {"version": hpcsim.__version__, "location": str(Path(hpcsim.__file__).resolve().parent)}
    assert data["python"] == {"version": sys.version.split()[0], "executable": sys.executable}
    assert list(data["packages"]) == list(PACKAGES)
    assert data["packages"]["click"] == importlib.metadata.version("click")
    assert data["packages"]["psij-python"] == importlib.metadata.version("psij-python")
    server, client = data["redis"]["server"], data["redis"]["cli"]
    assert server["error"] is None and _executable(server["path"])
    assert server["version"] and server["version"][0].isdigit()
    assert client["error"] is None and _executable(client["path"])
    assert data["site"] == {"name": None, "source": None, "scheduler": None, "error": None}
    assert list(data["commands"]) == list(COMMANDS)
    for name, path in data["commands"].items():
        assert path == shutil.which(name)
    assert data["env"] == {}


def _installed(distribution: str) -> str | None:
    """The installed version of ``distribution`` (the ML frameworks are optional: the fast tiers
    also run on Pythons without them), else None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_ml_backends_are_found_without_importing_them() -> None:
    backends = _info_json()["ml_backends"]
    assert list(backends) == ["TF", "TFLITE", "TORCH", "ONNX"]
    torch = _installed("torch")
    assert backends["TORCH"] == {
        "available": torch is not None,
        "package": "torch",
        "version": torch,
        "install": "pip install 'hpcsim[ml]'",
    }
    assert backends["ONNX"]["available"] is (_installed("onnxruntime") is not None)
    assert backends["TF"]["install"] == "pip install 'hpcsim[tf]'"
    probe = (
        "import sys; from click.testing import CliRunner; from hpcsim.cli.main import cli; "
        "assert CliRunner().invoke(cli, ['info']).exit_code == 0; "
        "print(sorted(m for m in ('torch', 'tensorflow', 'onnxruntime', 'ai_edge_litert') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_site_and_env_knobs_are_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sites = str(Path(__file__).parents[1] / "fixtures" / "sites")
    monkeypatch.setenv("HPCSIM_SITE", "hpcsim-testcluster")
    monkeypatch.setenv("HPCSIM_SITE_PATH", sites)
    monkeypatch.setenv("HPCSIM_TEMPLATE_PATH", str(tmp_path))
    data = _info_json()
    assert data["site"]["name"] == "hpcsim-testcluster"
    assert data["site"]["scheduler"] == "slurm" and Path(data["site"]["source"]).is_file()
    assert data["scheduler"] == {"name": "slurm", "reason": "site hpcsim-testcluster"}
    expected = {"HPCSIM_SITE": "hpcsim-testcluster", "HPCSIM_SITE_PATH": sites, "HPCSIM_TEMPLATE_PATH": str(tmp_path)}
    assert data["env"] == expected


def test_a_broken_site_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_SITE", "no-such-site")
    site = _info_json()["site"]
    assert site["name"] is None
    assert site["error"].startswith("HPCSIM_SITE='no-such-site': unknown site 'no-such-site'")


def _rows(text: str) -> dict[tuple[str, str], str]:
    """(section, label) -> value of the human output."""
    rows, section = {}, ""
    for line in text.splitlines():
        if not line.startswith(" "):
            section = line
        else:
            label, _, value = line.strip().partition("  ")
            rows[section, label] = value.strip()
    return rows


def test_human_output_has_aligned_sections_and_no_colour_when_not_a_tty() -> None:
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if not line.startswith(" ")] == list(SECTIONS)
    assert "\x1b[" not in result.stdout
    columns = {
        len(line) - len(line[2:].split(maxsplit=1)[1])
        for line in lines
        if line.startswith("  ") and " " * 2 in line[2:]
    }
    assert len(columns) == 1  # every value starts in the same column
    rows = _rows(result.stdout)
    assert rows["hpcsim", "version"] == hpcsim.__version__
    torch = _installed("torch")
    assert rows["ML backends", "TORCH"] == (f"torch {torch}" if torch else "missing (pip install 'hpcsim[ml]')")
    assert rows["site", "name"].startswith("none")
    assert rows["environment", "(none set)"] == ""


def test_the_installed_command_exits_0() -> None:
    done = subprocess.run([HPCSIM, "info"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hpcsim\n")
    assert "(Redis " in _rows(done.stdout)["redis", "redis-server"]


def test_a_missing_redis_server_is_reported_and_still_exits_0(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "redis-server"
    env = {k: v for k, v in os.environ.items() if k not in ENV_KNOBS}
    done = subprocess.run(
        [HPCSIM, "info"], capture_output=True, text=True, timeout=60, env={**env, "HPCSIM_REDIS_SERVER": str(missing)}
    )
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert rows["redis", "redis-server"] == (
        f"not found: HPCSIM_REDIS_SERVER='{missing}' is not an executable file; {install_hint()}"
    )
    assert rows["redis", "redis-cli"] == "not found: looked for next to redis-server, which was not found"
    assert rows["environment", "HPCSIM_REDIS_SERVER"] == str(missing)


def test_a_missing_redis_server_in_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HPCSIM_REDIS_SERVER", str(tmp_path / "redis-server"))
    redis = _info_json()["redis"]
    assert redis["server"]["path"] is None and redis["server"]["version"] is None
    assert redis["server"]["error"].endswith(f"is not an executable file; {install_hint()}")
    assert redis["cli"] == {"path": None, "error": "looked for next to redis-server, which was not found"}
