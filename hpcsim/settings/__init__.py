"""Run and batch settings: plain data with validation."""

from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.run import RunSettings

__all__ = ["BatchSettings", "RunSettings"]
