"""SmartSim's ``smartsim.settings.lsfSettings``: LSF's run (``jsrun``) and batch settings."""

from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.jsrun import JsrunSettings

__all__ = ["BsubBatchSettings", "JsrunSettings"]
