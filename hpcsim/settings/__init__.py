"""Run and batch settings: plain data with validation, one run-settings class per launch command."""

from hpcsim.settings.aprun import AprunSettings
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.factory import create_run_settings
from hpcsim.settings.jsrun import JsrunSettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings
from hpcsim.settings.pals import PalsMpiexecSettings
from hpcsim.settings.run import RunSettings
from hpcsim.settings.srun import SrunSettings

__all__ = [
    "AprunSettings",
    "BatchSettings",
    "JsrunSettings",
    "MpiexecSettings",
    "MpirunSettings",
    "OrterunSettings",
    "PalsMpiexecSettings",
    "RunSettings",
    "SrunSettings",
    "create_run_settings",
]
