"""Every public name of the ML framework modules has a docstring (the framework is imported,
so this is the ml tier's; the other public modules are checked in tests/unit)."""

from __future__ import annotations

import pytest

from tests.public_api import FRAMEWORK_MODULES, undocumented


@pytest.mark.parametrize("module_name", sorted(FRAMEWORK_MODULES))
def test_public_names_have_docstrings(module_name: str) -> None:
    framework = FRAMEWORK_MODULES[module_name]
    pytest.importorskip(framework, reason=f"{module_name} needs {framework}: bash scripts/install-ml.sh .venv")
    missing = undocumented(module_name)
    assert not missing, f"public names without a docstring: {', '.join(missing)}"
