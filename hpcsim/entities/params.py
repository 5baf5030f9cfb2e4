"""Checking user parameters and turning them into command-line arguments."""

from __future__ import annotations

from collections.abc import Mapping

from hpcsim.errors import ParameterError

__all__ = ["check_param_lists", "check_params"]


def _scalar(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ParameterError(
            f"parameter {name!r} has a value of type {type(value).__name__} ({value!r}); use str, int or float"
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
    """Validate ensemble parameters: each a scalar or a non-empty list of scalars."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ParameterError(f"params must be a dict, got {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name:
            raise ParameterError(f"parameter names must be non-empty strings, got {name!r}")
        values = value if isinstance(value, (list, tuple)) else [value]
        if not values:
            raise ParameterError(f"parameter {name!r} has an empty list of values")
        out[name] = [_scalar(name, v) for v in values]
    return out
