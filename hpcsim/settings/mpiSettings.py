"""SmartSim's ``smartsim.settings.mpiSettings``: the MPI launch commands' settings, their common
base under SmartSim's name ``_BaseMPISettings``, and the settings' logger."""

from hpcsim.settings.base import logger
from hpcsim.settings.mpi import MpiBase as _BaseMPISettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings

__all__ = ["MpiexecSettings", "MpirunSettings", "OrterunSettings", "_BaseMPISettings", "logger"]
