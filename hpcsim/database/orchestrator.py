"""``smartsim.database.orchestrator``'s path: the database entity, which lives in
:mod:`hpcsim.entities.orchestrator`."""

from hpcsim.entities.orchestrator import Orchestrator

__all__ = ["Orchestrator"]
