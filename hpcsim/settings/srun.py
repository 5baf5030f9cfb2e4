"""Slurm's ``srun``: flags, reserved arguments and environment forwarding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.settings.run import LauncherSettings, RunSettings

__all__ = ["SrunSettings"]


class SrunSettings(LauncherSettings):
    """Launch with ``srun`` inside (or, through a batch job, as) a Slurm allocation."""

    default_command = "srun"
    walltime_days = True
    # hpcsim sets the working directory, output files, job name and environment itself
    reserved_run_args = frozenset({"chdir", "D", "output", "o", "error", "e", "job-name", "J", "export"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_nodes": "nodes",
        "set_tasks": "ntasks",
        "set_tasks_per_node": "ntasks-per-node",
        "set_cpus_per_task": "cpus-per-task",
        "set_hostlist": "nodelist",
        "set_hostlist_from_file": "nodefile",
        "set_excluded_hosts": "exclude",
        "set_cpu_bindings": "cpu_bind=map_cpu:{}",
        "set_memory_per_node": "mem={}M",
        "set_walltime": "time",
        "set_broadcast": "bcast",
        "set_het_group": "het-group",
        "set_verbose_launch": "verbose",
        "set_quiet_launch": "quiet",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_binding": "srun binds with set_cpu_bindings (a CPU list) or set('cpu-bind', 'cores') (a policy)",
        "set_task_map": "srun distributes tasks with set('distribution', 'block:cyclic')",
    }

    def _forward_env(self, names: list[str]) -> list[str]:
        # --export=ALL carries the whole environment the script exported, values with commas
        # included, and keeps the user's own (PATH, LD_LIBRARY_PATH): SmartSim's --export=K=V
        # lists dropped it (SmartSim issues #128, #257) and split comma values (PR #104, #268).
        # It is given even without variables, because `sbatch --export=NONE` makes srun inherit
        # SLURM_EXPORT_ENV=NONE. Source: https://slurm.schedmd.com/srun.html#OPT_export
        return ["--export=ALL"]

    def _check_mpmd(self, programs: list[RunSettings]) -> None:
        super()._check_mpmd(programs)
        if any("het-group" in program.run_args for program in programs):
            raise SettingsError(
                "MPMD cannot be combined with set_het_group: srun's ':' already makes each program "
                "its own heterogeneous component"
            )
