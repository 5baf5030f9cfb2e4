"""SmartSim's ``smartsim.entity``: its entity names, for ported imports.

``from smartsim.entity import Model, Ensemble`` ports as ``from hpcsim.entity import Model,
Ensemble``. ``SmartSimEntity`` is hpcsim's :class:`~hpcsim.entities.Entity`, the base of every
entity (SmartSim's is the base of models and database nodes only), and ``EntitySequence`` is
:class:`~hpcsim.entities.EntityList` (SmartSim's base of ``EntityList``). hpcsim's own module
is :mod:`hpcsim.entities`.
"""

from hpcsim.entities import DBModel, DBNode, DBObject, DBScript, Ensemble, Entity, EntityList, Model

__all__ = [
    "DBModel",
    "DBNode",
    "DBObject",
    "DBScript",
    "Ensemble",
    "EntityList",
    "EntitySequence",
    "Model",
    "SmartSimEntity",
]

SmartSimEntity = Entity
EntitySequence = EntityList
