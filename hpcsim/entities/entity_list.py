"""``EntityList``: SmartSim's base of ``Ensemble`` and ``Orchestrator``, a named group of
entities that is launched, followed and stopped as one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hpcsim.entities.entity import Entity

if TYPE_CHECKING:
    from hpcsim.entities.dbobjects import DBModel, DBScript

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

    @property
    def db_models(self) -> list[DBModel]:
        """The ML models added to the group itself (an :class:`Ensemble` passes them to every
        member; an :class:`Orchestrator` has none). A new list, as SmartSim's is read-only."""
        return []

    @property
    def db_scripts(self) -> list[DBScript]:
        """The scripts and functions added to the group itself (see :attr:`db_models`)."""
        return []

    @property
    def batch(self) -> bool:
        """Whether the group runs as one batch job (it has batch settings)."""
        return getattr(self, "batch_settings", None) is not None

    def __iter__(self) -> Iterator[_T]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __getitem__(self, name: str) -> _T:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(f"{self.type.lower()} {self.name!r} has no member {name!r}")
