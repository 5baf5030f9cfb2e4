"""Every public name has a docstring, and every public module has a page in the API reference
(the ML framework modules' names are checked in tests/ml/test_docstrings.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.public_api import CORE_MODULES, PUBLIC_MODULES, undocumented, undocumented_members

API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"


@pytest.mark.parametrize("module_name", CORE_MODULES)
def test_public_names_have_docstrings(module_name: str) -> None:
    missing = undocumented(module_name)
    assert not missing, f"public names without a docstring: {', '.join(missing)}"


def test_every_public_module_is_in_the_api_reference() -> None:
    directives = set()
    for page in API_DOCS.glob("*.md"):
        directives.update(re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), flags=re.MULTILINE))
    missing = sorted(set(PUBLIC_MODULES) - directives)
    assert not missing, f"public modules with no '::: module' directive in docs/api/: {', '.join(missing)}"


def test_an_undocumented_method_is_found() -> None:
    class Documented:
        """A class with a docstring and a method without one."""

        def method(self) -> None:
            pass

    Documented.method.__module__ = "hpcsim.example"
    missing = undocumented_members(Documented)
    assert len(missing) == 1 and missing[0].endswith("Documented.method"), missing
    Documented.method.__doc__ = "Now documented."
    assert undocumented_members(Documented) == []
