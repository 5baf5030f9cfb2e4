"""User entities: models, ensembles, databases and their shards, the files attached to them,
and the ML models and scripts they load into their databases."""

from hpcsim.entities.dbnode import DBNode
from hpcsim.entities.dbobjects import DBModel, DBObject, DBScript
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.entity_list import EntityList
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.model import Model
from hpcsim.entities.orchestrator import Orchestrator

__all__ = [
    "DBModel",
    "DBNode",
    "DBObject",
    "DBScript",
    "Ensemble",
    "Entity",
    "EntityFiles",
    "EntityList",
    "Model",
    "Orchestrator",
]
