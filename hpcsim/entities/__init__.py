"""User entities: models, ensembles, the files attached to them, and the ML models and scripts
they load into their databases."""

from hpcsim.entities.dbobjects import DBModel, DBObject, DBScript
from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.model import Model

__all__ = ["DBModel", "DBObject", "DBScript", "Ensemble", "Entity", "EntityFiles", "Model"]
