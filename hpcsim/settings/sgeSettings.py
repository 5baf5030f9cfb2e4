"""SmartSim's ``smartsim.settings.sgeSettings``: Grid Engine batch settings."""

from hpcsim.settings.sge import SgeQsubBatchSettings

__all__ = ["SgeQsubBatchSettings"]
