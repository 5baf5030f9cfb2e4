"""hpcsim's public API, as the docstring and API-reference tests see it.

The public modules are the ones users import (the package's top level, SmartSim's import paths
and hpcsim's own user-facing packages); their public names are their ``__all__``. For a public
class, every public method and property it has (its own and those it inherits from hpcsim's
classes) needs a docstring too: its own, or that of the method it overrides.
"""

from __future__ import annotations

import importlib
import inspect

#: public modules that import nothing beyond hpcsim's dependencies
CORE_MODULES = [
    "hpcsim",
    "hpcsim.client",
    "hpcsim.database",
    "hpcsim.entities",
    "hpcsim.entity",
    "hpcsim.error",
    "hpcsim.errors",
    "hpcsim.experiment",
    "hpcsim.log",
    "hpcsim.ml",
    "hpcsim.settings",
    "hpcsim.spec",
    "hpcsim.status",
]

#: public modules that import an ML framework, and the framework each needs
FRAMEWORK_MODULES = {"hpcsim.ml.keras": "keras", "hpcsim.ml.tf": "tensorflow", "hpcsim.ml.torch": "torch"}

PUBLIC_MODULES = [*CORE_MODULES, *FRAMEWORK_MODULES]


def _has_doc(obj: object) -> bool:
    return bool((getattr(obj, "__doc__", None) or "").strip())


def undocumented_members(cls: type) -> list[str]:
    """Public methods and properties of ``cls`` (hpcsim's, not builtins') without a docstring."""
    missing = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(cls, name)
        function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
        if isinstance(raw, property):
            function = raw.fget
        if not inspect.isfunction(function) or not function.__module__.startswith("hpcsim"):
            continue
        if not inspect.getdoc(getattr(cls, name)):
            missing.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    return missing


def undocumented(module_name: str) -> list[str]:
    """The module itself, its ``__all__`` names and their members that have no docstring."""
    module = importlib.import_module(module_name)
    missing = [] if _has_doc(module) else [module_name]
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue  # constants carry no docstring of their own
        if not _has_doc(obj):
            missing.append(f"{module_name}.{name}")
        if inspect.isclass(obj):
            missing.extend(undocumented_members(obj))
    return sorted(set(missing))
