"""The documentation site builds with ``mkdocs build --strict`` (no broken link or anchor, no
page left out of the nav, every ``:::`` API directive resolved, no docstring griffe cannot
read), and its API reference has an entry for every public name."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.public_api import PUBLIC_MODULES

REPO = Path(__file__).resolve().parents[2]


def _declared_names(module: str) -> list[str]:
    """The module's ``__all__``, read from its source (importing the ML modules would load
    their frameworks)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    for node in ast.parse(Path(spec.origin).read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [str(name) for name in ast.literal_eval(node.value)]
    raise AssertionError(f"{module} has no __all__")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("the docs site needs mkdocs: pip install 'hpcsim[docs]' (Python 3.11 or newer)")
    site = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # no advertisement in the output
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_the_experiment_page_documents_create_model(site: Path) -> None:
    page = (site / "api" / "experiment" / "index.html").read_text()
    assert 'id="hpcsim.experiment.Experiment.create_model"' in page
    assert "enable_key_prefixing" in page  # create_model's documented arguments


def test_the_cli_reference_lists_every_command(site: Path) -> None:
    page = (site / "cli-reference" / "index.html").read_text()
    for command in ("cancel", "db", "doctor", "info", "logs", "status", "submit"):
        assert f'id="hpcsim-{command}"' in page, command


def test_every_public_name_has_an_entry(site: Path) -> None:
    """Each name of a public module's ``__all__`` has an entry under that module or, for
    SmartSim's import paths (``hpcsim.database.Orchestrator``), under another public module."""
    ids = set()
    for page in (site / "api").rglob("index.html"):
        ids.update(re.findall(r'id="(hpcsim[\w.]*)"', page.read_text()))
    missing = [
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in _declared_names(module)
        if f"{module}.{name}" not in ids and not any(f"{other}.{name}" in ids for other in PUBLIC_MODULES)
    ]
    assert not missing, f"public names with no entry in the API reference: {', '.join(missing)}"
