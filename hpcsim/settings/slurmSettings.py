"""SmartSim's ``smartsim.settings.slurmSettings``: Slurm's run and batch settings."""

from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.settings.srun import SrunSettings

__all__ = ["SbatchSettings", "SrunSettings"]
