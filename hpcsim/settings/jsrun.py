"""IBM ``jsrun`` (LSF systems such as OLCF Summit): resource sets instead of nodes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.settings.run import LauncherSettings

__all__ = ["JsrunSettings"]


def _count(setter: str, value: object, keyword: str | None = None, minimum: int = 1) -> int | str:
    """An integer >= ``minimum``, or jsrun's ``keyword`` (ALL_HOSTS, ALL_CPUS, ALL_GPUS) if given."""
    if keyword is not None and value == keyword:
        return keyword
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        alternative = f" or {keyword!r}" if keyword else ""
        raise SettingsError(f"{setter}: expected an integer >= {minimum}{alternative}, got {value!r}")
    return value


class JsrunSettings(LauncherSettings):
    """Launch with ``jsrun``. As in SmartSim, the per-node setters act on resource sets:
    set_tasks_per_node sets ``--tasks_per_rs``, set_cpus_per_task ``--cpu_per_rs`` and
    set_memory_per_node ``--memory_per_rs``; they match per node with set_rs_per_host(1)."""

    default_command = "jsrun"
    # hpcsim sets the working directory and output files itself
    reserved_run_args = frozenset({"chdir", "h", "stdio_stdout", "o", "stdio_stderr", "k"})
    mpmd_separator = None
    flags: ClassVar[Mapping[str, str]] = {
        "set_tasks": "np",
        "set_tasks_per_node": "tasks_per_rs",
        "set_cpus_per_task": "cpu_per_rs",
        "set_memory_per_node": "memory_per_rs",
        "set_binding": "bind",
        "set_num_rs": "nrs",
        "set_rs_per_host": "rs_per_host",
        "set_tasks_per_rs": "tasks_per_rs",
        "set_cpus_per_rs": "cpu_per_rs",
        "set_gpus_per_rs": "gpu_per_rs",
        "set_memory_per_rs": "memory_per_rs",
    }
    hints: ClassVar[Mapping[str, str]] = {
        "make_mpmd": "MPMD with jsrun needs an ERF file; not supported",
        "set_nodes": "jsrun counts resource sets: use set_num_rs with set_rs_per_host",
        "set_hostlist": "jsrun places resource sets on the LSF allocation; choose hosts at submission (bsub -m)",
        "set_excluded_hosts": "jsrun places resource sets on the LSF allocation; exclude hosts at submission",
        "set_walltime": "jsrun has no time limit; set the walltime in the batch settings (bsub -W)",
        "set_task_map": "jsrun distributes tasks with set('launch_distribution', 'packed')",
        "set_cpu_bindings": "jsrun binds with set_binding('packed:N') or set_binding('rs')",
        "set_broadcast": "jsrun cannot copy the executable; keep it on a shared file system",
    }

    def set_num_rs(self, num_rs: int | str) -> None:
        """Number of resource sets, or ``ALL_HOSTS`` for one per host."""
        self._apply("set_num_rs", _count("set_num_rs", num_rs, "ALL_HOSTS"))

    def set_rs_per_host(self, rs_per_host: int) -> None:
        self._apply("set_rs_per_host", _count("set_rs_per_host", rs_per_host))

    def set_tasks_per_rs(self, tasks_per_rs: int) -> None:
        self._apply("set_tasks_per_rs", _count("set_tasks_per_rs", tasks_per_rs))

    def set_cpus_per_rs(self, cpus_per_rs: int | str) -> None:
        """CPUs per resource set, or ``ALL_CPUS``."""
        self._apply("set_cpus_per_rs", _count("set_cpus_per_rs", cpus_per_rs, "ALL_CPUS"))

    def set_gpus_per_rs(self, gpus_per_rs: int | str) -> None:
        """GPUs per resource set (0 for none), or ``ALL_GPUS``."""
        self._apply("set_gpus_per_rs", _count("set_gpus_per_rs", gpus_per_rs, "ALL_GPUS", minimum=0))

    def set_memory_per_rs(self, memory_per_rs: int) -> None:
        """Memory per resource set in megabytes."""
        self._apply("set_memory_per_rs", _count("set_memory_per_rs", memory_per_rs))

    def _forward_env(self, names: list[str]) -> list[str]:
        # jsrun propagates the environment by default; `-E NAME` (no value) names each variable
        # the script exported so it is copied even where a site trims the propagated set.
        # Values stay off the command line. Source: IBM Spectrum LSF jsrun(1), options
        # -E/--env and -D/--env_no_propagate.
        return [part for name in names for part in ("-E", name)]
