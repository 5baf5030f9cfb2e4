"""Run and batch settings: plain data with validation, one run-settings class per launch command.

The names of SmartSim 0.8's ``smartsim.settings`` are here, with its module-level factories
``create_run_settings(launcher, exe, ...)`` and ``create_batch_settings(launcher, ...)`` (also at
SmartSim's path, :mod:`hpcsim.settings.settings`). SmartSim's module paths import too
(``hpcsim.settings.slurmSettings``, ``.mpiSettings``, ``.base``, ...); hpcsim's own modules are
named by command (``srun``, ``sbatch``, ``mpi``, ...). SmartSim's container classes
(``Container``, ``Singularity``) and ``DragonRunSettings`` import, but refuse to be made: hpcsim
runs no containers and has no Dragon launcher (:class:`~hpcsim.errors.UnsupportedError`, which
``except SSUnsupportedError`` catches).
"""

from __future__ import annotations

from hpcsim.settings.aprun import AprunSettings
from hpcsim.settings.base import SettingsBase
from hpcsim.settings.batch import BatchSettings
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.containers import Container, Singularity
from hpcsim.settings.dragonRunSettings import DragonRunSettings
from hpcsim.settings.jsrun import JsrunSettings
from hpcsim.settings.mpi import MpiexecSettings, MpirunSettings, OrterunSettings
from hpcsim.settings.pals import PalsMpiexecSettings
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.run import RunSettings
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.settings.settings import create_batch_settings, create_run_settings
from hpcsim.settings.sge import SgeQsubBatchSettings
from hpcsim.settings.srun import SrunSettings

__all__ = [
    "AprunSettings",
    "BatchSettings",
    "BsubBatchSettings",
    "Container",
    "DragonRunSettings",
    "JsrunSettings",
    "MpiexecSettings",
    "MpirunSettings",
    "OrterunSettings",
    "PalsMpiexecSettings",
    "QsubBatchSettings",
    "RunSettings",
    "SbatchSettings",
    "SettingsBase",
    "SgeQsubBatchSettings",
    "Singularity",
    "SrunSettings",
    "create_batch_settings",
    "create_run_settings",
]
