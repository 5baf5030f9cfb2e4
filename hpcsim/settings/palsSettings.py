"""SmartSim's ``smartsim.settings.palsSettings``: HPE Cray PALS ``mpiexec`` settings."""

from hpcsim.settings.pals import PalsMpiexecSettings

__all__ = ["PalsMpiexecSettings"]
