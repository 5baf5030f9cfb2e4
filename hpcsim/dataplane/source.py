"""TorchScript source from a Python function, for ``add_function`` and ``Client.set_function``."""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from hpcsim.errors import ConfigError

__all__ = ["function_source"]

_DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def function_source(function: Callable[..., Any] | str) -> tuple[str, str | None]:
    """TorchScript source and function name of ``function``: a Python function (its source,
    dedented, and ``__name__``), or source text (the name of its first ``def``, if any)."""
    if isinstance(function, str):
        if not function.strip():
            raise ConfigError("function is an empty string; pass TorchScript source or a Python function")
        found = _DEF.search(function)
        return function, found.group(1) if found else None
    if not inspect.isfunction(function):
        raise TypeError(f"function must be a Python function or TorchScript source text, got {function!r}")
    if function.__name__ == "<lambda>":
        raise ConfigError("function cannot be a lambda: TorchScript needs a named function; define it with def")
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError) as exc:
        raise ConfigError(
            f"the source of function {function.__name__!r} cannot be read ({exc}); define it in a file, "
            "or pass its TorchScript source as a string"
        ) from None
    return textwrap.dedent(source), function.__name__
