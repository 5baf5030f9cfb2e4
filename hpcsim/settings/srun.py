"""Slurm's ``srun``: flags, reserved arguments and environment forwarding."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError, UnsupportedSettingsError
from hpcsim.schedulers.kinds import LOCAL, SLURM
from hpcsim.settings.run import LauncherSettings, RunSettings
from hpcsim.settings.values import ArgValue

__all__ = ["SrunSettings"]

_log = logging.getLogger("hpcsim.settings")


class SrunSettings(LauncherSettings):
    """Launch with ``srun`` inside (or, through a batch job, as) a Slurm allocation."""

    default_command = "srun"
    launchers = frozenset({LOCAL.name, SLURM.name})
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
        "set_node_feature": "C",
        "set_verbose_launch": "verbose",
        "set_quiet_launch": "quiet",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_binding": "srun binds with set_cpu_bindings (a CPU list) or set('cpu-bind', 'cores') (a policy)",
        "set_task_map": "srun distributes tasks with set('distribution', 'block:cyclic')",
    }

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        alloc: str | int | None = None,
        lenient: bool = False,
        run_command: str | None = None,
        *,
        fail_if_missing_exec: bool | None = True,
        container: object | None = None,
    ) -> None:
        """SmartSim's parameters, in its order. ``alloc`` (SmartSim: launch into that Slurm
        allocation) may only name the allocation this process runs in: hpcsim launches a step
        into the allocation the driver runs in (``SLURM_JOB_ID``) and submits a batch job
        otherwise; it does not launch into another job by id."""
        self.alloc = _own_allocation(alloc)
        super().__init__(
            exe,
            exe_args,
            run_args,
            env_vars,
            lenient,
            run_command,
            fail_if_missing_exec=fail_if_missing_exec,
            container=container,
        )

    def check_env_vars(self) -> None:
        """Warn about variables this environment already sets otherwise (SmartSim's check: in
        an interactive allocation the existing value wins over ``--export``)."""
        for key, value in self.env_vars.items():
            current = os.environ.get(key)
            if value is not None and "," not in value and current is not None and current != value:
                _log.warning(
                    "Variable %s is set to %s in current environment. If the job is running in an "
                    "interactive allocation, the value %s will not be set. Please consider removing the "
                    "variable from the environment and re-running the experiment.",
                    key,
                    current,
                    value,
                )

    def format_env_vars(self) -> list[str]:
        """SmartSim's ``--export`` items: ``K=V`` for values without commas (``K`` passes a
        variable as it is); see :meth:`format_comma_sep_env_vars` for the others."""
        self.check_env_vars()
        return [
            key if value is None else f"{key}={value}" for key, value in self.env_vars.items() if "," not in str(value)
        ]

    def format_comma_sep_env_vars(self) -> tuple[str, list[str]]:
        """SmartSim's split for ``srun --export``: the export list (values without commas as
        ``K=V``, the names of those with commas), and ``K=V`` for each comma value (this
        program's and its MPMD partners'), which SmartSim sets with ``env`` before ``srun``."""
        self.check_env_vars()
        plain = [key if v is None else f"{key}={v}" for key, v in self.env_vars.items() if "," not in str(v)]
        names = [key for key, value in self.env_vars.items() if "," in str(value)]
        compound = [f"{key}={v}" for rs in [self, *self.mpmd] for key, v in rs.env_vars.items() if "," in str(v)]
        return ",".join(plain + names), list(dict.fromkeys(compound))

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


def _own_allocation(alloc: object) -> str | None:
    """``alloc`` as text when it is None or the id of the Slurm job this process runs in."""
    if alloc is None:
        return None
    if isinstance(alloc, bool) or not isinstance(alloc, (str, int)):
        raise SettingsTypeError(f"alloc must be a Slurm job id (str or int), got {alloc!r}")
    own = os.environ.get(SLURM.job_id_variable, "")
    if str(alloc).strip() != own:
        where = f"this driver runs in allocation {own}" if own else "this driver runs in no Slurm allocation"
        raise UnsupportedSettingsError(
            f"alloc={alloc!r}: hpcsim does not launch into another Slurm job by id ({where}). Start the "
            "driver inside the allocation (salloc, or a batch script), where steps run in it, or leave "
            "alloc out and give the model batch settings so hpcsim submits a job for it"
        )
    return own
