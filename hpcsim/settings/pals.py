"""HPE Cray PALS ``mpiexec`` (PBS systems such as ALCF Polaris and Aurora)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.settings.run import LauncherSettings

__all__ = ["PalsMpiexecSettings"]


class PalsMpiexecSettings(LauncherSettings):
    """``mpiexec`` under the Parallel Application Launch Service. PALS has no walltime,
    task-map or cpus-per-task option; those setters say what to use instead."""

    default_command = "mpiexec"
    value_separator = " "
    broadcast_destination = False  # --transfer
    # hpcsim sets the working directory and forwards the environment itself
    reserved_run_args = frozenset({"wdir", "env", "envlist", "envall", "envnone"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "np",
        "set_tasks_per_node": "ppn",
        "set_hostlist": "hosts",
        "set_hostlist_from_file": "hostfile",
        "set_broadcast": "transfer",
        "set_binding": "cpu-bind",
        "set_verbose_launch": "verbose",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_nodes": "PALS takes its nodes from the PBS allocation; use set_tasks with set_tasks_per_node",
        "set_cpus_per_task": "PALS spaces ranks with set('depth', N) together with set_binding('depth')",
        "set_walltime": "PALS has no launch time limit; set the walltime in the batch settings",
        "set_task_map": "PALS has no mapping option; use set_binding('list:0-3:4-7') or set('depth', N)",
        "set_cpu_bindings": "use set_binding('list:0:1:2') for PALS' CPU list form",
        "set_memory_per_node": "PALS does not limit memory; request it in the batch settings",
        "set_excluded_hosts": "list the hosts to use with set_hostlist or set_hostlist_from_file instead",
        "set_quiet_launch": "PALS mpiexec has no quiet mode",
        "set_broadcast": "--transfer copies the executable and takes no destination; call set_broadcast()",
    }

    def _forward_env(self, names: list[str]) -> list[str]:
        # `--envall` forwards every variable the script exported, the way ALCF's Polaris and
        # Aurora job examples launch (`mpiexec --envall -n N --ppn P ...`). `--envlist K1,K2`
        # (SmartSim's choice) is avoided: PALS mirrors Hydra, where a list replaces "all" and
        # drops the user's environment. Source: https://docs.alcf.anl.gov/polaris/running-jobs/
        # (HPE's own PALS mpiexec(1) page could not be consulted).
        return ["--envall"]
