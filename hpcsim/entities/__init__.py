"""User entities: models, ensembles and the files attached to them."""

from hpcsim.entities.ensemble import Ensemble
from hpcsim.entities.entity import Entity
from hpcsim.entities.files import EntityFiles
from hpcsim.entities.model import Model

__all__ = ["Ensemble", "Entity", "EntityFiles", "Model"]
