"""Scripts and examples outside the package (benchmarks, examples) import only names hpcsim
has: a module that moves breaks them at once here, not when someone next runs a benchmark."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the ML frameworks, optional extras: a module that needs a missing one cannot be checked here
FRAMEWORKS = {"torch", "tensorflow", "keras", "onnxruntime", "onnx", "ai_edge_litert"}
SCRIPTS = sorted(p for folder in ("scripts", "examples") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_hpcsim_import_resolves(script: Path) -> None:
    missing = []
    for node in ast.walk(ast.parse(script.read_text(), str(script))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "hpcsim":
            module = _import(node.module)
            missing += [f"{node.module}.{a.name}" for a in node.names if not _has(module, a.name)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hpcsim":
                    _import(alias.name)
    assert missing == []


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name not in FRAMEWORKS:
            raise
        pytest.skip(f"{name} needs {exc.name}, which is not installed: bash scripts/install-ml.sh VENV")


def _has(module: ModuleType, name: str) -> bool:
    """Whether ``module`` offers ``name``: defined, declared (a lazily loaded name, which is
    not loaded here: it may pull in TensorFlow), a submodule, or ``*``."""
    return (
        name == "*"
        or name in vars(module)
        or name in getattr(module, "__all__", ())
        or _submodule(module.__name__, name)
    )


def _submodule(package: str, name: str) -> bool:
    try:
        importlib.import_module(f"{package}.{name}")
    except ModuleNotFoundError:
        return False
    return True
