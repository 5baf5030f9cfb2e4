"""SmartSim's ``smartsim.settings.alpsSettings``: Cray ALPS ``aprun`` settings."""

from hpcsim.settings.aprun import AprunSettings

__all__ = ["AprunSettings"]
