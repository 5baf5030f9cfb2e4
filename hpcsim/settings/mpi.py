"""MPI launch commands: Open MPI's ``mpirun``/``orterun`` and MPICH Hydra's ``mpiexec``.

Both parse ``--opt value`` and ``-n value``; Hydra strips any leading dashes from an option
(MPICH src/pm/hydra/lib/utils/args.c, ``match_arg``), so one format serves both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.settings.run import LauncherSettings

__all__ = ["MpiBase", "MpiexecSettings", "MpirunSettings", "OrterunSettings"]

_NO_NODES = "{cmd} takes its nodes from the allocation; use set_tasks with set_tasks_per_node, or set_hostlist"
_NO_MEMORY = "{cmd} does not limit memory; request it in the batch settings"


class MpiBase(LauncherSettings):
    """What SmartSim's MPI settings share: the command must be on PATH when the settings are
    made (``fail_if_missing_exec``), SmartSim's ``-x`` environment format and binding alias."""

    checks_launch_binary = True
    value_separator = " "

    def set_cpu_binding_type(self, bind_type: str) -> None:
        """SmartSim's name for :meth:`set_binding` on MPI settings."""
        self.set_binding(bind_type)

    def format_env_vars(self) -> list[str]:
        """SmartSim's format: ``-x K=V``, or ``-x K`` to pass a variable as it is."""
        return [part for key, value in self.env_vars.items() for part in ("-x", f"{key}={value}" if value else key)]


class MpirunSettings(MpiBase):
    """Open MPI's ``mpirun``. Flags from Open MPI's mpirun(1) (v5.0): ``-n`` is its preferred
    task count; ``--npernode`` and ``--cpus-per-proc`` still work but are deprecated in
    favour of ``--map-by ppr:N:node`` and ``--map-by <obj>:PE=N``."""

    default_command = "mpirun"
    broadcast_destination = False  # --preload-binary
    # hpcsim sets the working directory and forwards the environment itself
    reserved_run_args = frozenset({"wd", "wdir", "x"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "n",
        "set_tasks_per_node": "npernode",
        "set_cpus_per_task": "cpus-per-proc",
        "set_hostlist": "host",
        "set_hostlist_from_file": "hostfile",
        "set_walltime": "timeout={seconds}",
        "set_broadcast": "preload-binary",
        "set_task_map": "map-by",
        "set_binding": "bind-to",
        "set_verbose_launch": "verbose",
        "set_quiet_launch": "quiet",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_nodes": _NO_NODES.format(cmd="mpirun"),
        "set_memory_per_node": _NO_MEMORY.format(cmd="mpirun"),
        "set_excluded_hosts": "list the hosts to use with set_hostlist or set_hostlist_from_file instead",
        "set_cpu_bindings": "use set_binding (--bind-to) with set_task_map (--map-by), or set('cpu-list', '0,2')",
        "set_broadcast": "--preload-binary copies the executable into the session directory and takes no "
        "destination; call set_broadcast() without one",
    }

    def _forward_env(self, names: list[str]) -> list[str]:
        # `-x NAME` exports a variable the script has set; Open MPI's mpirun(1) says to "set
        # variables in the environment, and then use -x to export (not define) them", since
        # its -x parser does not understand quoted values. Open MPI has no "forward all".
        return [part for name in names for part in ("-x", name)]


class OrterunSettings(MpirunSettings):
    """Open MPI's ``orterun`` (a synonym of ``mpirun`` before Open MPI 5)."""

    default_command = "orterun"


class MpiexecSettings(MpiBase):
    """MPICH Hydra's ``mpiexec`` (also Intel MPI's). Flags from Hydra's option table
    (MPICH src/pm/hydra/mpiexec/options.c). Slurm's ``mpiexec.slurm`` wrapper is refused, as in
    SmartSim."""

    default_command = "mpiexec"
    # hpcsim sets the working directory; any other environment mode would fight --envall
    reserved_run_args = frozenset({"wdir", "envall", "envnone", "envlist", "genvall", "genvnone", "genvlist"})
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "n",
        "set_tasks_per_node": "ppn",
        "set_hostlist": "hosts",
        "set_hostlist_from_file": "hostfile",
        "set_task_map": "map-by",
        "set_binding": "bind-to",
        "set_verbose_launch": "verbose",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "set_nodes": _NO_NODES.format(cmd="mpiexec"),
        "set_memory_per_node": _NO_MEMORY.format(cmd="mpiexec"),
        "set_cpus_per_task": "Hydra binds each process to N cores with set_binding('core:N')",
        "set_walltime": "Hydra reads its time limit from MPIEXEC_TIMEOUT: update_env({'MPIEXEC_TIMEOUT': seconds})",
        "set_broadcast": "Hydra cannot copy the executable; keep it on a shared file system",
        "set_excluded_hosts": "list the hosts to use with set_hostlist or set_hostlist_from_file instead",
        "set_cpu_bindings": "use set_binding('user:0,1,2') for Hydra's explicit CPU list",
        "set_quiet_launch": "Hydra's mpiexec has no quiet mode",
    }

    @classmethod
    def _slurm_wrapper_refused(cls) -> bool:
        return True

    def _forward_env(self, names: list[str]) -> list[str]:
        # `--envall` passes every inherited variable (Hydra's default, made explicit against a
        # site's HYDRA_ENV=none). `-envlist K1,K2` would NOT add to it: it switches the mode
        # to "only these", dropping the user's environment on remote nodes, so it is avoided.
        # Source: MPICH src/pm/hydra/mpiexec/options.c (envall/envlist help and handlers).
        return ["--envall"]
