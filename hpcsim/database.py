"""SmartSim's import path for the database entity: ``from hpcsim.database import Orchestrator``."""

from hpcsim.entities.orchestrator import Orchestrator

__all__ = ["Orchestrator"]
