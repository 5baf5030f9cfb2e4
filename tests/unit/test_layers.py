"""The layers of docs/architecture.md, checked from the source: every module of hpcsim belongs
to a named layer, imports only from its own layer or below (lazy and type-only imports
included), and no two packages import each other, directly or round a longer cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hpcsim

ROOT = Path(hpcsim.__file__).parent

#: bottom first; each name is a top-level module or package of hpcsim ("hpcsim" is __init__)
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {"errors", "error", "_version", "_resources", "_proc", "_atomic", "_shell", "config", "log", "status"},
    ),
    ("formats and services", {"dataplane", "db", "render", "native", "schedulers"}),
    ("settings and sites", {"settings", "site"}),
    ("entities and client", {"entities", "entity", "client"}),
    ("machine learning", {"ml"}),
    ("control", {"control"}),
    (
        "facade",
        {
            "experiment_factory",
            "experiment",
            "experiment_views",
            "experiment_tables",
            "experiment_checkpoint",
            "database",
            "hpcsim",
        },
    ),
    ("applications", {"diagnostics", "overview", "standalone_db", "submission", "spec", "driver", "dashboard"}),
    ("command line", {"cli"}),
]
LAYER_OF = {name: index for index, (_, names) in enumerate(LAYERS) for name in names}


def _unit(module: str) -> str:
    """The top-level name of hpcsim a dotted module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "hpcsim"


def _imports() -> dict[str, set[tuple[str, str]]]:
    """Top-level unit -> {(imported unit, where)} for every import of hpcsim in its files."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        unit = _unit(module)
        edges = found.setdefault(unit, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == "hpcsim":
                    targets = [f"hpcsim.{alias.name}" for alias in node.names]
                elif node.module.startswith("hpcsim."):
                    targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names if alias.name.startswith("hpcsim.")]
            elif isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{path}:{node.lineno}: relative import; hpcsim imports absolutely")
            for target in targets:
                if _unit(target) != unit:
                    edges.add((_unit(target), f"{path.relative_to(ROOT.parent)}:{node.lineno}"))
    return found


IMPORTS = _imports()


def test_every_module_belongs_to_a_layer() -> None:
    units = {
        p.stem if p.is_file() else p.name for p in ROOT.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    units = {"hpcsim" if u == "__init__" else u for u in units}
    assert units - set(LAYER_OF) == set(), "add these to a layer in docs/architecture.md and LAYERS"
    assert set(LAYER_OF) - units == set(), "LAYERS names modules that no longer exist"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = [
        f"{where}: {unit} ({LAYERS[LAYER_OF[unit]][0]}) imports {target} ({LAYERS[LAYER_OF[target]][0]})"
        for unit, edges in IMPORTS.items()
        for target, where in sorted(edges, key=lambda e: e[1])
        if LAYER_OF[target] > LAYER_OF[unit]
    ]
    assert upward == []


def test_no_package_cycles() -> None:
    graph = {unit: {target for target, _ in edges} for unit, edges in IMPORTS.items()}
    cycles: list[list[str]] = []

    def visit(unit: str, path: list[str]) -> None:
        for target in sorted(graph.get(unit, ())):
            if target == path[0]:
                cycles.append([*path, target])
            elif target not in path and target > path[0]:  # each cycle once, from its smallest name
                visit(target, [*path, target])

    for unit in sorted(graph):
        visit(unit, [unit])
    assert cycles == []


@pytest.mark.parametrize("leaf", ["dataplane"])
def test_the_data_plane_formats_import_neither_the_client_nor_ml(leaf: str) -> None:
    assert {target for target, _ in IMPORTS[leaf]} <= LAYERS[0][1]


def _module_imports(relative: str) -> set[str]:
    tree = ast.parse((ROOT / relative).read_text())
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


@pytest.mark.parametrize("application", ["standalone_db.py", "submission.py", "overview.py"])
def test_applications_go_through_the_session_not_the_store_or_the_planner(application: str) -> None:
    assert _module_imports(application) & {"hpcsim.control.store", "hpcsim.control.planner"} == set()
