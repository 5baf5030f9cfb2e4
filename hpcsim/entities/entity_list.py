"""``EntityList``: SmartSim's base of ``Ensemble`` and ``Orchestrator``, a named group of
entities that is launched, followed and stopped as one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from hpcsim.entities.entity import Entity

__all__ = ["EntityList"]

_T = TypeVar("_T", bound=Entity)


class EntityList(Entity, Generic[_T]):
    """A named group of entities in one directory: iterable, sized and indexed by member
    name. Subclasses make their members in :meth:`_initialize_entities`; the base class has
    none, so it cannot be made directly (``NotImplementedError``, as in SmartSim)."""

    def __init__(self, name: str, path: str | Path, **kwargs: Any) -> None:
        super().__init__(name, path)
        self._initialize_entities(**kwargs)

    def _initialize_entities(self, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} is abstract: make an Ensemble or an Orchestrator")

    @property
    def entities(self) -> list[_T]:
        """The members, in order (a new list: changing it changes nothing)."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[_T]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __getitem__(self, name: str) -> _T:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(f"{self.type.lower()} {self.name!r} has no member {name!r}")
