"""What every launchable entity shares: a checked name, a directory, key-prefixing state."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hpcsim.errors import EntityExistsError, HpcsimError

__all__ = ["Entity", "check_name"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_name(name: object, what: str = "entity") -> str:
    """Names become directory, file and scheduler job names, so they are restricted."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise HpcsimError(
            f"{what} name {name!r} is invalid: use 1-128 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


class Entity:
    """Base of models and ensembles."""

    def __init__(self, name: str, path: str | Path) -> None:
        self.name = check_name(name, type(self).__name__.lower())
        self.path = os.path.abspath(os.path.expanduser(path))
        #: where the application starts: its own directory, or None for the driver's working
        #: directory at launch (a model with no explicit ``path`` that was never generated)
        self.work_dir: str | None = self.path
        self.incoming_entities: list[Entity] = []
        self._key_prefixing = False

    def run_in_driver_cwd(self) -> None:
        """The Model page's rule for an entity created without a ``path``: until it is
        generated it runs in the driver's working directory (its outputs still go to
        :attr:`path`)."""
        self.work_dir = None

    def mark_generated(self) -> None:
        """:meth:`Experiment.generate` made :attr:`path`; the application runs there."""
        self.work_dir = self.path

    def set_path(self, new_path: str | Path) -> None:
        """Move the entity's directory (before it is generated or started)."""
        self.path = os.path.abspath(os.path.expanduser(new_path))
        if self.work_dir is not None:
            self.work_dir = self.path

    @property
    def type(self) -> str:
        """The entity's kind: its class name (``Model``, ``Ensemble``, ``Orchestrator``, ``DBNode``)."""
        return type(self).__name__

    def register_incoming_entity(self, incoming_entity: Entity) -> None:
        """Read keys written by ``incoming_entity`` (sets ``HPCSIM_KEYIN``/``SSKEYIN`` at launch)."""
        if not isinstance(incoming_entity, Entity):
            raise TypeError(f"register_incoming_entity takes a Model or Ensemble, got {type(incoming_entity).__name__}")
        if any(e.name == incoming_entity.name for e in self.incoming_entities):
            raise EntityExistsError(f"{incoming_entity.name!r} is already registered as incoming to {self.name!r}")
        self.incoming_entities.append(incoming_entity)

    def enable_key_prefixing(self) -> None:
        """Prefix every key this entity writes with its name (sets ``HPCSIM_KEYOUT``)."""
        self._key_prefixing = True

    def disable_key_prefixing(self) -> None:
        """Stop prefixing the keys this entity's clients write."""
        self._key_prefixing = False

    def query_key_prefixing(self) -> bool:
        """Whether the keys this entity's clients write get its name as prefix."""
        return self._key_prefixing

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and (self.type, self.name) == (other.type, other.name)

    def __hash__(self) -> int:
        return hash((self.type, self.name))
