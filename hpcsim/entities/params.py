"""Checking user parameters and turning them into command-line arguments."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping

from hpcsim.errors import ParameterError

__all__ = ["check_param_lists", "check_params"]


def _numpy(name: str) -> tuple[type, ...]:
    """numpy's type ``name``, if something has imported numpy: a value can only be a numpy one
    if numpy is loaded, so checking parameters never imports it (``import hpcsim`` stays quick)."""
    numpy = sys.modules.get("numpy")
    return () if numpy is None else (getattr(numpy, name),)


def _scalar(name: str, value: object) -> str:
    """A value as files and arguments receive it: a str, or a real number (numpy's too, so
    ``np.linspace`` values work); booleans are refused (``True`` is rarely meant as ``1``)."""
    if isinstance(value, (bool, *_numpy("bool_"))) or not isinstance(value, (str, numbers.Real)):
        raise ParameterError(
            f"parameter {name!r} has a value of type {type(value).__name__} ({value!r}); "
            "use a str or a number (int, float or a numpy scalar)"
        )
    return str(value)


def check_params(params: Mapping[str, object] | None) -> dict[str, str]:
    """Validate one model's parameters and return them as strings (what files receive)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ParameterError(f"params must be a dict, got {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise ParameterError(f"parameter names must be non-empty strings, got {name!r}")
        out[name] = _scalar(name, value)
    return out


def check_param_lists(params: Mapping[str, object] | None) -> dict[str, list[str]]:
    """Validate ensemble parameters: each a scalar or a non-empty list (tuple, 1-D numpy
    array) of scalars."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ParameterError(f"params must be a dict, got {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise ParameterError(f"parameter names must be non-empty strings, got {name!r}")
        array = isinstance(value, _numpy("ndarray")) and getattr(value, "ndim", 0) == 1
        listed = isinstance(value, (list, tuple)) or array
        values = list(value) if listed else [value]  # type: ignore[call-overload]
        if not values:
            raise ParameterError(f"parameter {name!r} has an empty list of values")
        out[name] = [_scalar(name, v) for v in values]
    return out
