"""``hpcsim module``: the modulefile a site admin publishes, checked as text (click's CliRunner)
and, for the exit codes a user sees, through the real ``hpcsim`` command. tests/root loads the
same files with real module systems."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hpcsim._version import __version__
from hpcsim.cli.main import cli
from hpcsim.db.discovery import find_redis_server
from hpcsim.errors import ConfigError, SiteConfigError
from hpcsim.site import load_site
from hpcsim.site.modulefile import lua_quote, tcl_quote

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
HOSTILE = "/tmp/x/a b\"c'd$e[f]g\\h{i}"
#: how each format writes the four settings, given the (already quoted) values
LINES = {
    "lmod": [
        'setenv("HPCSIM_SITE", {site})',
        'append_path("HPCSIM_SITE_PATH", {site_path})',
        'setenv("HPCSIM_REDIS_SERVER", {redis})',
        'prepend_path("PATH", {bin})',
        'family("hpcsim")',
    ],
    "tcl": [
        "setenv HPCSIM_SITE {site}",
        "append-path HPCSIM_SITE_PATH {site_path}",
        "setenv HPCSIM_REDIS_SERVER {redis}",
        "prepend-path PATH {bin}",
        "conflict hpcsim",
    ],
}
QUOTE = {"lmod": lua_quote, "tcl": tcl_quote}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HPCSIM_SITE", "HPCSIM_SITE_PATH", "HPCSIM_REDIS_SERVER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def redis(tmp_path: Path) -> Path:
    """A stand-in redis-server: the module only records its path."""
    path = tmp_path / "redis-server"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def _module(*args: str) -> Result:
    return CliRunner().invoke(cli, ["module", *args])


def _hpcsim(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSIM_")}
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60, env=env)


def _expected(module_format: str, prefix: str, site: str, redis: str) -> list[str]:
    q = QUOTE[module_format]
    values = {
        "site": q(site),
        "site_path": q(f"{prefix}/share/hpcsim/sites"),
        "redis": q(redis),
        "bin": q(f"{prefix}/bin"),
    }
    return [line.format(**values) for line in LINES[module_format]]


@pytest.mark.parametrize("module_format", ["lmod", "tcl"])
def test_sets_site_site_path_redis_and_path(tmp_path: Path, redis: Path, module_format: str) -> None:
    prefix = tmp_path / "hpcsim"
    done = _module(
        "--prefix", str(prefix), "--site", "polaris", "--format", module_format, "--redis-server", str(redis)
    )
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    for line in _expected(module_format, str(prefix), "polaris", str(redis)):
        assert line in lines
    assert QUOTE[module_format](f"Version: {__version__}") in done.output
    assert lines[0].startswith("#%Module" if module_format == "tcl" else "-- ")


def test_redis_server_defaults_to_the_one_found_now(tmp_path: Path) -> None:
    done = _module("--prefix", str(tmp_path), "--site", "local")
    assert done.exit_code == 0, done.output
    found = find_redis_server(load_site("local").redis_server).absolute()
    assert f'setenv("HPCSIM_REDIS_SERVER", {lua_quote(str(found))})' in done.output.splitlines()


def test_site_defaults_to_the_detected_one(tmp_path: Path, redis: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_SITE", "frontier")
    done = _module("--prefix", str(tmp_path), "--redis-server", str(redis))
    assert done.exit_code == 0, done.output
    assert 'setenv("HPCSIM_SITE", "frontier")' in done.output.splitlines()


def test_a_site_file_in_the_prefix_wins(tmp_path: Path, redis: Path) -> None:
    sites = tmp_path / "share" / "hpcsim" / "sites"
    sites.mkdir(parents=True)
    (sites / "ours.yaml").write_text("name: ours\nscheduler: pbs\n")
    done = _module("--prefix", str(tmp_path), "--site", "ours", "--redis-server", str(redis))
    assert done.exit_code == 0, done.output
    assert 'setenv("HPCSIM_SITE", "ours")' in done.output.splitlines()


def test_a_site_users_would_not_find_is_refused(tmp_path: Path, redis: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "private.yaml").write_text("name: private\nscheduler: slurm\n")
    monkeypatch.setenv("HPCSIM_SITE_PATH", str(mine))
    done = _module("--prefix", str(tmp_path / "hpcsim"), "--site", "private", "--redis-server", str(redis))
    assert isinstance(done.exception, SiteConfigError)
    assert "users of the module will not search" in str(done.exception)
    by_path = _module("--prefix", str(tmp_path / "hpcsim"), "--site", str(mine / "private.yaml"))
    assert isinstance(by_path.exception, SiteConfigError)
    assert "--site takes a site name" in str(by_path.exception)


def test_unknown_site_exits_2_with_the_library_message(tmp_path: Path) -> None:
    done = _hpcsim("module", "--prefix", str(tmp_path), "--site", "fronteir")
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: unknown site 'fronteir' (did you mean 'frontier'?)")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_missing_redis_server_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "redis-server"
    done = _hpcsim("module", "--prefix", str(tmp_path), "--site", "local", "--redis-server", str(missing))
    assert done.returncode == 2
    assert done.stderr == f"hpcsim: error: --redis-server {str(missing)!r} is not an executable file\n"


def test_a_prefix_that_cannot_go_on_path_is_refused(tmp_path: Path, redis: Path) -> None:
    done = _module("--prefix", str(tmp_path / "a:b"), "--site", "local", "--redis-server", str(redis))
    assert isinstance(done.exception, ConfigError)
    assert "cannot appear in a PATH entry" in str(done.exception)


def test_output_writes_a_readable_file(tmp_path: Path, redis: Path) -> None:
    target = tmp_path / "modulefiles" / "hpcsim" / f"{__version__}.lua"
    args = ("--prefix", str(tmp_path / "hpcsim"), "--site", "local", "--redis-server", str(redis))
    done = _module(*args, "--output", str(target))
    assert done.exit_code == 0, done.output
    assert f"wrote {target}" in done.output
    assert target.read_text() == _module(*args).output
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


@pytest.mark.parametrize("module_format", ["lmod", "tcl"])
def test_hostile_prefix_is_quoted(tmp_path: Path, redis: Path, module_format: str) -> None:
    done = _module("--prefix", HOSTILE, "--site", "local", "--format", module_format, "--redis-server", str(redis))
    assert done.exit_code == 0, done.output
    expected = {
        "lmod": 'prepend_path("PATH", "/tmp/x/a b\\"c\'d$e[f]g\\\\h{i}/bin")',
        "tcl": 'prepend-path PATH "/tmp/x/a b\\"c\'d\\$e\\[f\\]g\\\\h\\{i\\}/bin"',
    }
    assert expected[module_format] in done.output.splitlines()
    for line in _expected(module_format, HOSTILE, "local", str(redis)):
        assert line in done.output.splitlines()


def test_quoting_of_control_and_non_ascii_characters() -> None:
    assert lua_quote("a\nb\tc\x01é") == '"a\\nb\\tc\\001\\195\\169"'
    assert tcl_quote("a\nb\tc\x01é") == '"a\\nb\\tc\\u0001é"'


def test_help_has_an_example() -> None:
    done = _module("--help")
    assert done.exit_code == 0
    assert "Examples:\n    hpcsim module --prefix /opt/hpcsim/0.1.0 --site perlmutter" in done.output
