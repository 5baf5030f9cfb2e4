"""Which scheduler this machine has, judged from the commands on PATH."""

from __future__ import annotations

import os
import shutil

from hpcsim._shell import run
from hpcsim.errors import CommandError

__all__ = ["LAUNCHERS", "detect_scheduler", "in_allocation"]

LAUNCHERS = ("local", "slurm", "pbs", "lsf")
#: set in the environment of every process that runs inside a job of that scheduler
_JOB_VARIABLES = {"slurm": "SLURM_JOB_ID", "pbs": "PBS_JOBID", "lsf": "LSB_JOBID"}

_COMMANDS = {
    "slurm": ("sbatch", "squeue", "scancel", "sacct"),
    "lsf": ("bsub", "bjobs", "bkill"),
    "pbs": ("qsub", "qstat", "qdel"),
}


def _is_pbs() -> bool:
    """``qsub`` is also SGE's command; only PBS says so in its version string."""
    try:
        done = run(["qsub", "--version"], timeout=10, check=False)
    except CommandError:
        return False
    return "pbs" in (done.stdout + done.stderr).lower()


def detect_scheduler() -> str:
    """``slurm``, ``lsf`` or ``pbs`` when all of its commands are on PATH, else ``local``."""
    for name, commands in _COMMANDS.items():
        if all(shutil.which(c) for c in commands) and (name != "pbs" or _is_pbs()):
            return name
    return "local"


def in_allocation(scheduler: str) -> bool:
    """Whether this process runs inside a job of ``scheduler`` (a batch script, salloc)."""
    variable = _JOB_VARIABLES.get(scheduler)
    return variable is not None and bool(os.environ.get(variable))
