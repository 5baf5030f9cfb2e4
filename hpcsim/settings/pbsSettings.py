"""SmartSim's ``smartsim.settings.pbsSettings``: PBS batch settings."""

from hpcsim.settings.qsub import QsubBatchSettings

__all__ = ["QsubBatchSettings"]
