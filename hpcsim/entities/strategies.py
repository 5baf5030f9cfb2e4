"""Ways to turn ensemble parameter lists into one parameter set per member."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Mapping, Sequence

from hpcsim.errors import UserStrategyError

__all__ = ["Strategy", "expand"]

Strategy = Callable[[list[str], list[list[str]], int], list[dict[str, str]]]


def all_permutations(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """Every combination of every value (the Cartesian product)."""
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def step_values(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """The i-th member gets the i-th value of every parameter; all lists must match in length."""
    lengths = {n: len(v) for n, v in zip(names, values, strict=True)}
    if len(set(lengths.values())) > 1:
        raise UserStrategyError(f"perm_strategy 'step' needs value lists of one length, got {lengths}")
    return [dict(zip(names, combo, strict=True)) for combo in zip(*values, strict=True)]


def random_permutations(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """``n_models`` distinct combinations drawn at random (all of them if fewer exist)."""
    if isinstance(n_models, bool) or not isinstance(n_models, int) or n_models < 1:
        raise UserStrategyError(
            f"perm_strategy 'random' needs n_models >= 1 (pass n_models=N to create_ensemble), got {n_models!r}"
        )
    combos = all_permutations(names, values, n_models)
    return combos if n_models >= len(combos) else random.sample(combos, n_models)


_BUILTIN: Mapping[str, Strategy] = {
    "all_perm": all_permutations,
    "step": step_values,
    "random": random_permutations,
}


def expand(strategy: str | Strategy, params: Mapping[str, Sequence[str]], n_models: int) -> list[dict[str, str]]:
    """Apply a named or user strategy and check what it returns."""
    if isinstance(strategy, str):
        if strategy not in _BUILTIN:
            raise UserStrategyError(
                f"unknown perm_strategy {strategy!r}; choose one of {sorted(_BUILTIN)} or pass a callable"
            )
        func = _BUILTIN[strategy]
    elif callable(strategy):
        func = strategy
    else:
        raise UserStrategyError(f"perm_strategy must be a name or a callable, got {strategy!r}")
    names = list(params)
    try:
        result = func(names, [list(params[n]) for n in names], n_models)
    except UserStrategyError:
        raise
    except Exception as exc:
        raise UserStrategyError(f"perm_strategy {strategy!r} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, list):
        raise UserStrategyError(f"perm_strategy {strategy!r} must return a list of dicts, got {type(result).__name__}")
    bad = next((p for p in result if not isinstance(p, dict)), None)
    if bad is not None:
        raise UserStrategyError(
            f"perm_strategy {strategy!r} must return a list of dicts, but an item is {type(bad).__name__}: {bad!r}"
        )
    if not result:
        raise UserStrategyError(
            f"perm_strategy {strategy!r} returned no parameter sets, so the ensemble has no members"
        )
    return result
