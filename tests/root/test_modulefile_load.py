"""Modulefiles written by ``hpcsim module`` and ``scripts/install-site-module.sh``, loaded by
real module systems: Lmod (Lua files) and Environment Modules (Tcl files), from Debian's
packages, each in a clean bash with a prefix full of characters both languages would otherwise
interpret. Loading must give exactly the original strings, and unloading must take them away.

Both systems need a root install; without one the tests skip saying how to get it, and under CI
(``CI`` set, not 0/false/no) they fail instead, because .ci/run installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from hpcsim._version import __version__
from hpcsim.db.discovery import find_redis_server
from hpcsim.site.modulefile import module_version

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install-site-module.sh"
HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
#: the prefix's folder name: space, quotes, $, brackets, braces, backslashes and non-ASCII
HOSTILE = "pre fix \"q\" 's' $HOME [x] {y} \\b\\\\ é"
CLEAN_PATH = "/usr/bin:/bin"
#: the modulefile's name for this version (a dev build's "+" is "-" there)
MODULE = module_version()


@dataclass(frozen=True)
class ModuleSystem:
    """One module system: the modulefile format it reads, where its bash init may be, how to get it."""

    name: str
    format: str
    inits: tuple[Path, ...]
    how_to_install: str

    def init(self) -> Path:
        """Its bash init script; skips (fails under CI) when it is not installed."""
        for path in self.inits:
            if path.is_file():
                return path
        _unavailable(f"{self.name} is not installed (no {' or '.join(map(str, self.inits))}): {self.how_to_install}")


LMOD = ModuleSystem("Lmod", "lmod", (Path("/usr/share/lmod/lmod/init/bash"),), "run `apt-get install lmod` as root")
ENVIRONMENT_MODULES = ModuleSystem(
    "Environment Modules",
    "tcl",
    (Path("/usr/share/modules/init/bash"), Path("/opt/environment-modules/usr/share/modules/init/bash")),
    "run `apt-get install environment-modules` as root; Debian makes it conflict with lmod, so beside "
    "Lmod unpack it into /opt/environment-modules the way .ci/run does",
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``; in CI, fail instead (these tests must run there)."""
    if _in_ci():
        pytest.fail(f"module system unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Install:
    """A fake site install: PREFIX/bin/hpcsim is this venv's, with a site of its own and a
    redis-server reached through the hostile prefix too; MODDIR/hpcsim/ has its modulefile."""

    prefix: Path
    moddir: Path
    redis: Path
    modulefile: Path


def _environ(path: Path) -> dict[str, str]:
    """The variables `env -0` wrote to ``path``."""
    return dict(item.split("=", 1) for item in path.read_bytes().decode().split("\0") if "=" in item)


def _shell(system: ModuleSystem, moddir: Path, body: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a clean bash that has initialised ``system`` and `module use`d ``moddir``."""
    script = f'source "$INIT" || exit 90\nset -e\nmodule use "$MODDIR"\n{body}\n'
    base = {"PATH": CLEAN_PATH, "HOME": str(home), "LANG": "C.UTF-8", "INIT": str(system.init()), "MODDIR": str(moddir)}
    return subprocess.run(["bash", "-c", script], env={**base, **env}, capture_output=True, text=True, timeout=120)


def _write_modulefile(prefix: Path, module_format: str, output: Path, redis: Path) -> None:
    args = ["module", "--prefix", str(prefix), "--site", "custom", "--format", module_format]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSIM_")}
    done = subprocess.run(
        [HPCSIM, *args, "--redis-server", str(redis), "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(params=[LMOD, ENVIRONMENT_MODULES], ids=["lmod", "environment-modules"])
def system(request: pytest.FixtureRequest) -> ModuleSystem:
    module_system: ModuleSystem = request.param
    module_system.init()
    return module_system


@pytest.fixture
def install(tmp_path: Path, system: ModuleSystem) -> Install:
    prefix = tmp_path / HOSTILE
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "hpcsim").symlink_to(HPCSIM)
    sites = prefix / "share" / "hpcsim" / "sites"
    sites.mkdir(parents=True)
    (sites / "custom.yaml").write_text("name: custom\nscheduler: slurm\ndescription: only this install has it\n")
    redis = prefix / "redis [6]" / "redis-server"
    redis.parent.mkdir()
    redis.symlink_to(find_redis_server())
    moddir = tmp_path / "modulefiles"
    modulefile = moddir / "hpcsim" / (f"{MODULE}.lua" if system.format == "lmod" else MODULE)
    _write_modulefile(prefix, system.format, modulefile, redis)
    (tmp_path / "home").mkdir()
    return Install(prefix=prefix, moddir=moddir, redis=redis, modulefile=modulefile)


def test_load_sets_exactly_the_original_strings(system: ModuleSystem, install: Install, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    body = "\n".join(
        [
            "module load hpcsim",
            'env -0 > "$OUT/loaded"',
            'command -v hpcsim > "$OUT/which"',
            'hpcsim info --json > "$OUT/info.json"',
            "module unload hpcsim",
            'env -0 > "$OUT/unloaded"',
        ]
    )
    done = _shell(system, install.moddir, body, tmp_path / "home", OUT=str(out))
    assert done.returncode == 0, done.stderr
    loaded = _environ(out / "loaded")
    assert loaded["HPCSIM_SITE"] == "custom"
    assert loaded["HPCSIM_SITE_PATH"] == f"{install.prefix}/share/hpcsim/sites"
    assert loaded["HPCSIM_REDIS_SERVER"] == str(install.redis)
    assert loaded["PATH"] == f"{install.prefix}/bin:{CLEAN_PATH}"
    assert (out / "which").read_text() == f"{install.prefix}/bin/hpcsim\n"
    info: dict[str, Any] = json.loads((out / "info.json").read_text())
    assert info["hpcsim"]["version"] == __version__
    assert (info["site"]["name"], info["site"]["error"]) == ("custom", None)
    assert info["site"]["source"] == f"{install.prefix}/share/hpcsim/sites/custom.yaml"
    assert info["redis"]["server"]["path"] == str(install.redis)
    unloaded = _environ(out / "unloaded")
    assert not {name for name in unloaded if name.startswith("HPCSIM_")}
    assert unloaded["PATH"] == CLEAN_PATH


def test_a_users_own_site_path_stays_first(system: ModuleSystem, install: Install, tmp_path: Path) -> None:
    body = 'module load hpcsim\nprintf %s "$HPCSIM_SITE_PATH"'
    done = _shell(system, install.moddir, body, tmp_path / "home", HPCSIM_SITE_PATH="/home/me/sites")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"/home/me/sites:{install.prefix}/share/hpcsim/sites"


def test_two_versions_never_load_together(system: ModuleSystem, install: Install, tmp_path: Path) -> None:
    older = install.modulefile.with_name(install.modulefile.name.replace(MODULE, "0.0.1"))
    shutil.copy(install.modulefile, older)
    body = f'module load hpcsim/0.0.1\nmodule load hpcsim/{MODULE} || true\nprintf %s "$LOADEDMODULES"'
    done = _shell(system, install.moddir, body, tmp_path / "home")
    assert done.returncode == 0, done.stderr
    loaded = [name for name in done.stdout.split(":") if name.startswith("hpcsim/")]
    if system is LMOD:  # Lmod swaps a family member for the one asked for
        assert loaded == [f"hpcsim/{MODULE}"]
    else:  # Environment Modules refuses the conflicting load
        assert loaded == ["hpcsim/0.0.1"]
        assert "conflict" in done.stderr


def test_install_script_end_to_end(tmp_path: Path) -> None:
    """The whole admin path: install into a fresh prefix (a real pip install of this checkout
    with the redis extra), then a user loads the printed `module use ...; module load hpcsim`."""
    LMOD.init()
    site_file = tmp_path / "e2e.yaml"
    site_file.write_text("name: e2e\nscheduler: slurm\ndescription: the install script's own site\n")
    prefix = tmp_path / "site install" / __version__
    moddir = tmp_path / "modulefiles"
    command = ["bash", str(INSTALL), "--prefix", str(prefix), "--site", str(site_file), "--modulefiles", str(moddir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSIM_")}
    done = subprocess.run([*command, "--python", sys.executable], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (moddir / "hpcsim" / f"{MODULE}.lua").is_file()
    assert (prefix / "share" / "hpcsim" / "sites" / "e2e.yaml").read_text() == site_file.read_text()
    use_and_load = done.stdout.splitlines()[-1].strip()
    assert use_and_load.endswith("; module load hpcsim")

    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "home").mkdir()
    body = "\n".join(
        [
            use_and_load,
            'env -0 > "$OUT/loaded"',
            'hpcsim site detect > "$OUT/detect"',
            'hpcsim info --json > "$OUT/info"',
        ]
    )
    loaded_run = _shell(LMOD, moddir, body, tmp_path / "home", OUT=str(out))
    assert loaded_run.returncode == 0, loaded_run.stderr
    loaded = _environ(out / "loaded")
    assert loaded["PATH"].split(":")[0] == str(prefix / "bin")
    assert loaded["HPCSIM_SITE_PATH"] == str(prefix / "share" / "hpcsim" / "sites")
    assert (out / "detect").read_text() == "e2e\n"
    info: dict[str, Any] = json.loads((out / "info").read_text())
    assert info["python"]["executable"].startswith(f"{prefix}/bin/")
    assert info["hpcsim"]["location"].startswith(f"{prefix}/lib/")
    assert info["redis"]["server"]["path"] == loaded["HPCSIM_REDIS_SERVER"]
    assert info["redis"]["server"]["error"] is None
    assert os.access(loaded["HPCSIM_REDIS_SERVER"], os.X_OK)
