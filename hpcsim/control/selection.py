"""Sorting what a user passes to ``start``/``preview`` into databases and models."""

from __future__ import annotations

from collections.abc import Iterable

from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator
from hpcsim.errors import EntityExistsError, LaunchError

__all__ = ["models_of", "split_databases"]


def _first_duplicate(names: list[str]) -> str | None:
    return next((n for n in names if names.count(n) > 1), None)


def split_databases(entities: Iterable[Entity]) -> tuple[list[Orchestrator], list[Entity]]:
    """The databases among ``entities`` (each identifier once), and everything else."""
    items = list(entities)
    dbs = [e for e in items if isinstance(e, Orchestrator)]
    duplicate = _first_duplicate([db.name for db in dbs])
    if duplicate is not None:
        raise EntityExistsError(f"two databases are named {duplicate!r}; give each its own db_identifier")
    return dbs, [e for e in items if not isinstance(e, Orchestrator)]


def models_of(entities: Iterable[Entity]) -> list[Model]:
    """Every model to launch: models as given, ensembles as their members, each name once."""
    models: list[Model] = []
    for entity in entities:
        if isinstance(entity, Ensemble):
            if not len(entity):
                raise LaunchError(f"ensemble {entity.name!r} has no members; add some with add_model")
            models += entity.models
        elif isinstance(entity, Model):
            models.append(entity)
        else:
            raise TypeError(f"expected a Model, Ensemble or Orchestrator, got {entity!r}")
    duplicate = _first_duplicate([m.name for m in models])
    if duplicate is not None:
        raise EntityExistsError(f"{duplicate!r} is given more than once; entity names must be unique")
    return models
