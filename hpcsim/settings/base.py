"""SmartSim's ``smartsim.settings.base``: the run and batch settings base classes, and the
settings' logger (``hpcsim.settings``)."""

from __future__ import annotations

import abc
import logging

from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.run import RunSettings

__all__ = ["BatchSettings", "RunSettings", "SettingsBase", "logger"]

#: where the settings log (SmartSim's modules each have a ``logger``)
logger = logging.getLogger("hpcsim.settings")


class SettingsBase(abc.ABC):  # noqa: B024 - a name for isinstance checks, with nothing abstract
    """SmartSim's common base of run and batch settings, for ``isinstance`` checks: hpcsim's
    :class:`RunSettings` and :class:`BatchSettings` are registered as its subclasses."""


SettingsBase.register(RunSettings)
SettingsBase.register(BatchSettings)
