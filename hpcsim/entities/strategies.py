"""Ways to turn ensemble parameter lists into one parameter set per member.

The built-in strategies know how many sets they make before making any (:func:`expand`
refuses a space above ``max_members`` first) and produce them lazily: ``random`` draws
indices into the Cartesian product, so a space of 10**10 combinations is never built.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence

from hpcsim.config import DEFAULT_MAX_MEMBERS
from hpcsim.errors import ConfigError, UnknownStrategyError, UserStrategyError

__all__ = ["DEFAULT_MAX_MEMBERS", "Strategy", "check_member_count", "check_strategy", "expand"]

Strategy = Callable[[list[str], list[list[str]], int], list[dict[str, str]]]


def check_strategy(strategy: object) -> None:
    """Refuse a strategy that is neither one of the built-in names nor a callable."""
    if isinstance(strategy, str) and strategy not in _BUILTIN:
        raise UnknownStrategyError(
            f"unknown perm_strategy {strategy!r}; choose one of {sorted(_BUILTIN)} or pass a callable"
        )
    if not isinstance(strategy, str) and not callable(strategy):
        raise UnknownStrategyError(f"perm_strategy must be a name or a callable, got {strategy!r}")


def check_member_count(sets: int, replicas: int, limit: int, origin: str) -> None:
    """Refuse ``sets`` parameter sets x ``replicas`` above ``limit`` members, before making them."""
    members = sets * replicas
    if members > limit:
        how = f"{sets} parameter sets x {replicas} replicas = " if replicas > 1 else ""
        raise ConfigError(
            f"the ensemble would have {how}{members} members ({origin}), above the limit of {limit} "
            f"members; pass max_members=N to create_ensemble (or set HPCSIM_MAX_MEMBERS) to allow more, "
            "or shrink the parameter space"
        )


def _product_size(values: list[list[str]]) -> int:
    return math.prod(len(v) for v in values)


def _combination(values: list[list[str]], index: int) -> list[str]:
    """The ``index``-th item of ``itertools.product(*values)``, without making the others."""
    picked: list[str] = []
    for options in reversed(values):
        index, digit = divmod(index, len(options))
        picked.append(options[digit])
    return picked[::-1]


def _iter_all(names: list[str], values: list[list[str]]) -> Iterator[dict[str, str]]:
    return (dict(zip(names, combo, strict=True)) for combo in itertools.product(*values))


def all_permutations(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """Every combination of every value (the Cartesian product)."""
    return list(_iter_all(names, values))


def step_values(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """The i-th member gets the i-th value of every parameter; all lists must match in length."""
    lengths = {n: len(v) for n, v in zip(names, values, strict=True)}
    if len(set(lengths.values())) > 1:
        raise UserStrategyError(f"perm_strategy 'step' needs value lists of one length, got {lengths}")
    return [dict(zip(names, combo, strict=True)) for combo in zip(*values, strict=True)]


def _check_n_models(names: list[str], values: list[list[str]], n_models: int) -> int:
    """How many distinct sets ``random`` can draw; refuses a count it cannot honour."""
    if isinstance(n_models, bool) or not isinstance(n_models, int) or n_models < 1:
        raise UserStrategyError(
            f"perm_strategy 'random' needs n_models >= 1 (pass n_models=N to create_ensemble), got {n_models!r}"
        )
    total = _product_size(values)
    if n_models > total:
        raise UserStrategyError(
            f"perm_strategy 'random' was asked for n_models={n_models} distinct parameter sets, but "
            f"{', '.join(f'{n}: {len(v)}' for n, v in zip(names, values, strict=True))} give only {total} "
            f"distinct combinations; lower n_models to at most {total}, add values, or use replicas=N "
            "to repeat sets"
        )
    return total


def _iter_random(names: list[str], values: list[list[str]], n_models: int) -> Iterator[dict[str, str]]:
    total = _check_n_models(names, values, n_models)
    picks = random.sample(range(total), n_models)
    return (dict(zip(names, _combination(values, i), strict=True)) for i in picks)


def random_permutations(names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    """``n_models`` distinct combinations drawn at random; more than exist is refused."""
    return list(_iter_random(names, values, n_models))


_BUILTIN: Mapping[str, Strategy] = {
    "all_perm": all_permutations,
    "step": step_values,
    "random": random_permutations,
}


def _builtin(
    strategy: str, names: list[str], values: list[list[str]], n_models: int, replicas: int, limit: int
) -> Iterator[dict[str, str]]:
    """A built-in strategy's sets, lazily, after checking how many there will be."""
    if strategy == "step":
        result = step_values(names, values, n_models)
        check_member_count(len(result), replicas, limit, f"{len(result)} steps")
        return iter(result)
    if strategy == "random":
        _check_n_models(names, values, n_models)
        check_member_count(n_models, replicas, limit, f"n_models={n_models}")
        return _iter_random(names, values, n_models)
    sizes = " x ".join(f"{n}: {len(v)}" for n, v in zip(names, values, strict=True))
    check_member_count(_product_size(values), replicas, limit, f"all_perm of {sizes}")
    return _iter_all(names, values)


def expand(
    strategy: str | Strategy,
    params: Mapping[str, Sequence[str]],
    n_models: int,
    replicas: int = 1,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> Iterator[dict[str, str]]:
    """Apply a named or user strategy and check what it returns; the sets come lazily, and
    more than ``max_members`` members (sets x ``replicas``) are refused before any is made."""
    names = list(params)
    values = [list(params[n]) for n in names]
    check_strategy(strategy)
    if isinstance(strategy, str):
        return _builtin(strategy, names, values, n_models, replicas, max_members)
    result = _call_user(strategy, names, values, n_models)
    check_member_count(len(result), replicas, max_members, f"perm_strategy {strategy!r} made {len(result)} sets")
    return iter(result)


def _call_user(func: Strategy, names: list[str], values: list[list[str]], n_models: int) -> list[dict[str, str]]:
    strategy = func
    try:
        result = func(names, values, n_models)
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
