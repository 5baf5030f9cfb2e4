"""The wheel carries templates and site configs, and hpcsim finds them however it is run."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("hpcsim-*.whl"))


def test_wheel_ships_every_template_and_site_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "site_configs"):
        shipped = {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.suffix in (".j2", ".yaml")}
        assert shipped, folder
        assert {f"hpcsim/{p}" for p in shipped} <= names
    # test fixtures stay out: the Slurm test cluster's site config, the test suite
    assert not [n for n in names if "hpcsim-testcluster" in n or n.startswith("tests/")]


def test_wheel_ships_every_python_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "hpcsim").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules and modules - names == set(), "add the missing packages to setup.cfg [options] packages"


def test_wheel_ships_the_examples_hpcsim_demo_runs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("producer.py", "training_service.py", "training_service_torch.py", "driver.py", "README.md"):
        assert f"hpcsim/examples/online_training/{name}" in names


def test_installed_wheel_renders_from_its_own_package_data(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = "from hpcsim.render import template_dirs; from hpcsim.site import load_site; "
    probe += "print(template_dirs()[-1]); print(load_site('local').source)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    templates, site = done.stdout.splitlines()
    assert templates == str(target / "hpcsim" / "templates")
    assert site.startswith(str(target / "hpcsim" / "site_configs"))


def test_source_checkout_on_sys_path_finds_its_own_folders(tmp_path: Path) -> None:
    """A checkout imported straight from sys.path (not installed in place) uses its own
    templates/ beside the package; the editable-install finder is removed to prove it."""
    src = tmp_path / "src"
    for folder in ("hpcsim", "templates"):
        shutil.copytree(ROOT / folder, src / folder)
    probe = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
        f"sys.path.insert(0, {str(src)!r}); "
        "from hpcsim.render import template_dirs; print(template_dirs()[-1])"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(src / "templates")


#: the native clients' sources as setup.cfg ships them (package data of hpcsim.clients_src)
CLIENT_GLOBS = ("CMakeLists.txt", "*.in", "cmake/*.in", "include/*", "src/*/*", "tests/*/*")
CLIENT_SUFFIXES = (".txt", ".in", ".c", ".h", ".hpp", ".tcc", ".cpp", ".F90", ".inc")


def test_wheel_ships_the_native_clients_sources_and_nothing_built(wheel: Path) -> None:
    """`pip install hpcsim` stays pure Python: the C, C++ and Fortran sources travel as data."""
    assert wheel.name.endswith("-py3-none-any.whl"), wheel.name
    names = set(zipfile.ZipFile(wheel).namelist())
    clients = ROOT / "clients"
    shipped = {
        str(p.relative_to(clients))
        for pattern in CLIENT_GLOBS
        for p in clients.glob(pattern)
        if p.is_file() and p.name.endswith(CLIENT_SUFFIXES)
    }
    assert {"CMakeLists.txt", "hpcsim_client.pc.in", "cmake/hpcsim_clientConfig.cmake.in"} <= shipped
    assert any(name.startswith("src/c/") for name in shipped)
    assert {f"hpcsim/clients_src/{name}" for name in shipped} <= names
    built = [name for name in names if name.endswith((".so", ".a", ".o", ".mod", ".dylib", ".dll"))]
    assert not built


def test_installed_wheel_finds_its_own_clients_sources(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = "from hpcsim.native.build import source_dir; print(source_dir())"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target / "hpcsim" / "clients_src")
    assert (target / "hpcsim" / "clients_src" / "CMakeLists.txt").is_file()


#: import name -> distribution name, for the imports whose names differ (Keras 3 comes with
#: tensorflow, the ``tf`` extra)
_DISTRIBUTIONS = {"yaml": "pyyaml", "psij": "psij-python", "keras": "tensorflow"}
#: modules loaded only for an optional framework (the worker loads a backend for the models it
#: is given): their imports are extras
_OPTIONAL = ("ml/torch", "ml/keras", "ml/tf", "ml/backends/torch_backend.py")


def _module_level_imports(optional: bool) -> set[str]:
    """Distributions hpcsim's modules import at module level (lazy imports inside functions
    are optional features), in the optional framework subpackages or in the rest."""
    found: set[str] = set()
    for path in (ROOT / "hpcsim").rglob("*.py"):
        if path.relative_to(ROOT / "hpcsim").as_posix().startswith(_OPTIONAL) != optional:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    names = found - set(sys.stdlib_module_names) - {"hpcsim", "__future__"}
    return {_DISTRIBUTIONS.get(name, name).lower() for name in names}


def test_wheel_declares_its_license_and_every_package_it_imports(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    text = archive.read(metadata).decode()
    assert "License-Expression: BSD-2-Clause" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist())
    requires = [
        line.removeprefix("Requires-Dist: ") for line in text.splitlines() if line.startswith("Requires-Dist: ")
    ]
    required = {re.split(r"[<>=!~ \[;]", line)[0].lower() for line in requires if "extra ==" not in line}
    extras = {re.split(r"[<>=!~ \[;]", line)[0].lower() for line in requires if "extra ==" in line}
    assert _module_level_imports(optional=False) - required == set(), "declare them in [project] dependencies"
    assert _module_level_imports(optional=True) - required - extras == set(), "declare them in an extra"
