"""SmartSim's import path for the database entity: ``from hpcsim.database import Orchestrator``
(and ``hpcsim.database.orchestrator``, as ``smartsim.database.orchestrator``)."""

from hpcsim.database.orchestrator import Orchestrator

__all__ = ["Orchestrator"]
