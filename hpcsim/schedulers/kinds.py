"""Every fact about each scheduler hpcsim drives, in one place: the registry.

Everything else derives its lists, choices and lookups from :data:`KINDS`: the site and spec
schemas, the CLI's choices, ``auto`` detection, ``in_allocation``, the planner's array index,
the run commands ``auto`` looks for, and which adapter and batch template a scheduler uses.
Adding a scheduler means a :class:`SchedulerKind` here, its adapter module, its batch-settings
class and its template. This module imports nothing heavy (no PSI/J), so validating a site or
a spec stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["BATCH_NAMES", "KINDS", "LOCAL", "LSF", "NAMES", "PBS", "SLURM", "SchedulerKind"]


@dataclass(frozen=True)
class SchedulerKind:
    name: str
    #: commands that must all be on PATH for ``auto`` to choose it (none: never detected)
    commands: tuple[str, ...] = ()
    #: a word ``<first command> --version`` must print, where another scheduler shares that
    #: command's name (``qsub`` is PBS's and Grid Engine's)
    version_word: str = ""
    #: set in the environment of every process inside one of its jobs
    job_id_variable: str = ""
    #: where a job-array task reads its index, and the index of the first task
    array_index: tuple[str, int] | None = None
    #: the launch commands ``auto`` looks for on PATH, in order
    run_commands: tuple[str, ...] = ()
    #: the launch command when ``auto`` finds none (compute nodes have it), and a site's default
    default_run_command: str = ""
    #: whether it runs batch jobs (``templates/batch/<name>.sh.j2``); ``local`` does not
    batch: bool = True


LOCAL = SchedulerKind("local", batch=False)
SLURM = SchedulerKind(
    "slurm",
    commands=("sbatch", "squeue", "scancel", "sacct"),
    job_id_variable="SLURM_JOB_ID",
    array_index=("SLURM_ARRAY_TASK_ID", 0),
    run_commands=("srun", "mpirun", "mpiexec"),
    default_run_command="srun",
)
PBS = SchedulerKind(
    "pbs",
    commands=("qsub", "qstat", "qdel"),
    version_word="pbs",
    job_id_variable="PBS_JOBID",
    array_index=("PBS_ARRAY_INDEX", 0),
    run_commands=("aprun", "mpirun", "mpiexec"),
    default_run_command="mpiexec",
)
LSF = SchedulerKind(
    "lsf",
    commands=("bsub", "bjobs", "bkill"),
    job_id_variable="LSB_JOBID",
    array_index=("LSB_JOBINDEX", 1),
    run_commands=("jsrun", "mpirun", "mpiexec"),
    default_run_command="jsrun",
)

KINDS = MappingProxyType({kind.name: kind for kind in (LOCAL, SLURM, PBS, LSF)})
#: every scheduler's name, ``local`` (none) first
NAMES = tuple(KINDS)
#: the schedulers that run batch jobs
BATCH_NAMES = tuple(name for name, kind in KINDS.items() if kind.batch)
