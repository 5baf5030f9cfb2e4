"""``hpcsim site`` as a user runs it: a real subprocess of the venv's ``hpcsim``, with its own
HPCSIM_SITE_PATH and HPCSIM_SITE so the results do not depend on the calling shell."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hpcsim.site import load_site

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
FAKE = "name: fake\nscheduler: pbs\ndescription: a fake site\nhostnames: ['fe*.fake.example']\n"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("HPCSIM_SITE", "HPCSIM_SITE_PATH")}
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60, env={**base, **(env or {})})


@pytest.fixture
def sites(tmp_path: Path) -> Path:
    folder = tmp_path / "sites"
    folder.mkdir()
    (folder / "fake.yaml").write_text(FAKE)
    return folder


def test_list_json_has_every_site(sites: Path) -> None:
    done = _cli("site", "list", "--json", env={"HPCSIM_SITE_PATH": str(sites)})
    assert done.returncode == 0, done.stderr
    found = {site["name"]: site for site in json.loads(done.stdout)}
    assert found["fake"] == {
        "name": "fake",
        "scheduler": "pbs",
        "description": "a fake site",
        "source": str(sites / "fake.yaml"),
    }
    assert "perlmutter" in found  # the shipped ones too


def test_list_is_a_table_of_every_site(sites: Path) -> None:
    done = _cli("site", "list", env={"HPCSIM_SITE_PATH": str(sites)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [c.strip() for c in lines[0].split("|")[1:-1]] == ["name", "scheduler", "description", "source"]
    rows = {cells[1].strip(): [c.strip() for c in cells[2:-1]] for cells in (line.split("|") for line in lines[2:])}
    assert rows["fake"] == ["pbs", "a fake site", str(sites / "fake.yaml")]
    assert rows["frontier"][0] == "slurm"
    assert {"local", "perlmutter", "polaris", "aurora", "frontera", "lassen"} <= set(rows)
    assert "hpcsim-testcluster" not in rows  # a test fixture, not shipped


def test_list_flags_an_invalid_file_and_exits_2(sites: Path) -> None:
    (sites / "broken.yaml").write_text("name: broken\nscheduler: cobalt\n")
    done = _cli("site", "list", env={"HPCSIM_SITE_PATH": str(sites)})
    assert done.returncode == 2
    assert "INVALID" in done.stdout and "fake" in done.stdout
    assert done.stderr.startswith(f"hpcsim: error: invalid site file(s): {sites / 'broken.yaml'}")


def test_show_prints_the_validated_config_as_yaml(tmp_path: Path) -> None:
    done = _cli("site", "show", "polaris")
    assert done.returncode == 0, done.stderr
    first, _, body = done.stdout.partition("\n")
    assert first == f"# {load_site('polaris').source}"
    data = yaml.safe_load(body)
    assert (data["scheduler"], data["launcher"]) == ("pbs", "mpiexec")
    assert data["node"]["gpu_visibility_var"] == "CUDA_VISIBLE_DEVICES"
    dumped = tmp_path / "polaris-copy.yaml"
    dumped.write_text(done.stdout)
    assert _cli("site", "validate", str(dumped)).returncode == 0


def test_show_by_path_fills_the_launcher_default(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nscheduler: lsf\n")
    done = _cli("site", "show", str(path))
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout)["launcher"] == "jsrun"


def test_show_unknown_site_is_a_one_line_error() -> None:
    done = _cli("site", "show", "fronteir")
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: unknown site 'fronteir' (did you mean 'frontier'?)")
    assert "Traceback" not in done.stderr


def test_validate_reports_each_file(tmp_path: Path, sites: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nscheduler: slurm\nnode:\n  cpus: 4\n  gpu: 2\n")
    good = sites / "fake.yaml"
    done = _cli("site", "validate", str(good), str(bad), str(tmp_path / "missing.yaml"))
    assert done.returncode == 2
    assert done.stdout.splitlines() == [f"ok: {good}"]
    errors = done.stderr.splitlines()
    assert errors[0] == (
        f"{bad}: unknown key 'node.gpu' (did you mean 'gpus'?); "
        "valid keys under 'node': cpus, gpus, gpu_vendor, gpu_visibility_var, memory_gb"
    )
    assert errors[1] == f"{tmp_path / 'missing.yaml'}: site config file '{tmp_path / 'missing.yaml'}' does not exist"
    assert errors[2] == "hpcsim: error: 2 of 3 site file(s) invalid"


def test_validate_every_shipped_file_succeeds() -> None:
    shipped = sorted(str(p) for p in Path(load_site("local").source).parent.glob("*.yaml"))
    done = _cli("site", "validate", *shipped)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"ok: {p}" for p in shipped]


def test_validate_needs_a_file() -> None:
    assert _cli("site", "validate").returncode == 2


def test_detect_by_hostname(sites: Path) -> None:
    env = {"HPCSIM_SITE_PATH": str(sites)}
    assert _cli("site", "detect", "--hostname", "fe3.fake.example", env=env).stdout == "fake\n"
    assert _cli("site", "detect", "--hostname", "login01.frontier.olcf.ornl.gov", env=env).stdout == "frontier\n"
    done = _cli("site", "detect", "--hostname", "laptop.home.example", env=env)
    assert (done.returncode, done.stdout) == (0, "none\n")


def test_detect_follows_hpcsim_site(sites: Path) -> None:
    done = _cli("site", "detect", env={"HPCSIM_SITE_PATH": str(sites), "HPCSIM_SITE": "fake"})
    assert (done.returncode, done.stdout) == (0, "fake\n")
    done = _cli("site", "detect", env={"HPCSIM_SITE": "nosuchsite"})
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: HPCSIM_SITE='nosuchsite': unknown site 'nosuchsite'")


def test_help_lists_the_site_commands() -> None:
    done = _cli("site", "--help")
    assert done.returncode == 0
    for command in ("list", "show", "validate", "detect"):
        assert command in done.stdout
    assert "site" in _cli("--help").stdout
