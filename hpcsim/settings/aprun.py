"""Cray ALPS ``aprun`` (PBS or Moab/Torque systems with ALPS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.schedulers.kinds import LOCAL, PBS
from hpcsim.settings.run import LauncherSettings

__all__ = ["AprunSettings"]


class AprunSettings(LauncherSettings):
    """Launch with ``aprun``. Two of SmartSim's mappings are per PE, not per node or per
    job, and are kept for portability: set_memory_per_node sets ``--memory-per-pe`` and
    set_walltime sets ``--cpu-time-limit`` (per-PE CPU seconds)."""

    default_command = "aprun"
    launchers = frozenset({LOCAL.name, PBS.name})
    reserved_run_args = frozenset({"wdir"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "pes",
        "set_tasks_per_node": "pes-per-node",
        "set_cpus_per_task": "cpus-per-pe",
        "set_hostlist": "node-list",
        "set_hostlist_from_file": "node-list-file",
        "set_excluded_hosts": "exclude-node-list",
        "set_cpu_bindings": "cpu-binding",
        "set_binding": "cpu-binding",
        "set_memory_per_node": "memory-per-pe",
        "set_walltime": "cpu-time-limit={seconds}",
        "set_verbose_launch": "debug=7",
        "set_quiet_launch": "quiet",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_nodes": "aprun derives the node count from set_tasks and set_tasks_per_node",
        "set_task_map": "aprun places PEs with set('pes-per-numa-node', N) or set('cpu-binding', 'depth')",
        "set_broadcast": "aprun always transfers the executable itself and takes no destination",
    }

    def set_broadcast(self, dest_path: str | None = None) -> None:
        """aprun already copies the executable to the compute nodes unless told not to
        (``-b``), so this is honoured by doing nothing; a destination cannot be chosen."""
        if dest_path is not None:
            self._refuse("set_broadcast")

    def format_env_vars(self) -> list[str]:
        """SmartSim's format: ``-e K=V`` per variable."""
        return [part for key, value in self.env_vars.items() for part in ("-e", f"{key}={value}")]

    def _forward_env(self, names: list[str]) -> list[str]:
        # aprun "forwards the user's login node environment to the assigned compute nodes",
        # which includes everything the script exported; `-e K=V` would put values (commas,
        # quotes) on the command line for nothing. Source: HPE, "Run Applications Using the
        # aprun Command", https://www.hpe.com/psnow/resources/ebooks/a00114008en_us_v2/
        return []
