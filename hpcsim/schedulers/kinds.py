"""Every fact about each scheduler hpcsim drives, in one place: the registry.

Everything else derives its lists, choices and lookups from :data:`KINDS`: the site and spec
schemas, the CLI's choices, ``auto`` detection, ``in_allocation``, the planner's array index,
the run commands ``auto`` looks for, and which adapter and batch template a scheduler uses.
Adding a scheduler means a :class:`SchedulerKind` here (data only), its adapter module, its
batch-settings module, its template and its tests; nothing else names it. A kind names its adapter
and batch-settings classes by import path, as PSI/J's executor descriptors do, so this module
imports nothing heavy (no PSI/J) and validating a site or a spec stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["BATCH_NAMES", "KINDS", "LOCAL", "LSF", "NAMES", "PBS", "SGE", "SLURM", "SchedulerKind", "load"]


@dataclass(frozen=True)
class SchedulerKind:
    name: str
    #: commands that must all be on PATH for ``auto`` to choose it (none: never detected)
    commands: tuple[str, ...] = ()
    #: where another scheduler shares a command's name (``qsub`` is PBS's and Grid Engine's):
    #: a command to run and a pattern (regular expression, case-insensitive) its output matches
    version_probe: tuple[str, ...] = ()
    version_pattern: str = ""
    #: set in the environment of every process inside one of its jobs
    job_id_variable: str = ""
    #: where a job-array task reads its index, and the index of the first task
    array_index: tuple[str, int] | None = None
    #: the launch commands ``auto`` looks for on PATH, in order
    run_commands: tuple[str, ...] = ()
    #: the launch command when ``auto`` finds none (compute nodes have it), and a site's default
    default_run_command: str = ""
    #: ``module:Class`` of its adapter (:class:`hpcsim.schedulers.base.Scheduler`)
    adapter: str = ""
    #: ``module:Class`` of its batch settings; empty: it runs no batch jobs (``local``).
    #: A batch scheduler's template is ``templates/batch/<name>.sh.j2``
    batch_settings: str = ""

    @property
    def batch(self) -> bool:
        return bool(self.batch_settings)


LOCAL = SchedulerKind("local", adapter="hpcsim.schedulers.local:LocalScheduler")
SLURM = SchedulerKind(
    "slurm",
    commands=("sbatch", "squeue", "scancel", "sacct"),
    job_id_variable="SLURM_JOB_ID",
    array_index=("SLURM_ARRAY_TASK_ID", 0),
    run_commands=("srun", "mpirun", "mpiexec"),
    default_run_command="srun",
    adapter="hpcsim.schedulers.slurm:SlurmScheduler",
    batch_settings="hpcsim.settings.sbatch:SbatchSettings",
)
PBS = SchedulerKind(
    "pbs",
    commands=("qsub", "qstat", "qdel"),
    version_probe=("qsub", "--version"),
    version_pattern=r"pbs",
    job_id_variable="PBS_JOBID",
    array_index=("PBS_ARRAY_INDEX", 0),
    run_commands=("aprun", "mpirun", "mpiexec"),
    default_run_command="mpiexec",
    adapter="hpcsim.schedulers.pbs:PbsScheduler",
    batch_settings="hpcsim.settings.qsub:QsubBatchSettings",
)
LSF = SchedulerKind(
    "lsf",
    commands=("bsub", "bjobs", "bkill"),
    job_id_variable="LSB_JOBID",
    array_index=("LSB_JOBINDEX", 1),
    run_commands=("jsrun", "mpirun", "mpiexec"),
    default_run_command="jsrun",
    adapter="hpcsim.schedulers.lsf:LsfScheduler",
    batch_settings="hpcsim.settings.bsub:BsubBatchSettings",
)
#: Grid Engine in its lines (Sun/Oracle, Son of Grid Engine, Open Grid Scheduler, Univa and
#: Altair). ``qsub -help`` starts with the product and version: ``SGE 8.1.9``, ``GE 6.2u5``,
#: ``OGS/GE 2011.11p1``, ``UGE 8.6.4``, ``AGE 2023.1.0``. Array tasks count from 1 (``-t 1-N``)
SGE = SchedulerKind(
    "sge",
    commands=("qsub", "qstat", "qdel", "qacct"),
    version_probe=("qsub", "-help"),
    version_pattern=r"^\s*(?:sge|ge|ogs/ge|uge|age)\s+\d",
    job_id_variable="JOB_ID",
    array_index=("SGE_TASK_ID", 1),
    run_commands=("mpirun", "mpiexec", "orterun"),
    default_run_command="mpirun",
    adapter="hpcsim.schedulers.sge:SgeScheduler",
    batch_settings="hpcsim.settings.sge:SgeQsubBatchSettings",
)

KINDS = MappingProxyType({kind.name: kind for kind in (LOCAL, SLURM, PBS, LSF, SGE)})
#: every scheduler's name, ``local`` (none) first
NAMES = tuple(KINDS)
#: the schedulers that run batch jobs
BATCH_NAMES = tuple(name for name, kind in KINDS.items() if kind.batch)


def load(path: str) -> type:
    """The class a kind names as ``module:Class``."""
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type), path
    return cls
