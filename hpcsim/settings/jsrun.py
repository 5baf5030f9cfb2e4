"""IBM ``jsrun`` (LSF systems such as OLCF Summit): resource sets instead of nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError
from hpcsim.schedulers.kinds import LOCAL, LSF
from hpcsim.settings.run import LauncherSettings
from hpcsim.settings.values import ArgValue

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
    launchers = frozenset({LOCAL.name, LSF.name})
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
        "set_individual_output": "hpcsim collects a launch's output in <entity>.out and <entity>.err by "
        "redirecting jsrun's own output, and names no per-task files (--stdio_stdout is hpcsim's); keep "
        "jsrun's collected mode, or have the program write its own per-task files",
    }

    def __init__(
        self,
        exe: str,
        exe_args: str | Iterable[str] | None = None,
        run_args: Mapping[str, ArgValue] | None = None,
        env_vars: Mapping[str, ArgValue] | None = None,
        lenient: bool = False,
        run_command: str | None = None,
        *,
        fail_if_missing_exec: bool | None = True,
        container: object | None = None,
    ) -> None:
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
        #: SmartSim's ERF resource line and preamble; ERF launches (MPMD) are refused here
        self.erf_sets: dict[str, str] = {"host": "*", "cpu": "*", "ranks": "1"}
        self.mpmd_preamble_lines: list[str] = []

    def set_erf_sets(self, erf_sets: Mapping[str, str]) -> None:
        """The resources of this program's line in an ERF file (SmartSim's ``set_erf_sets``),
        copied. They take effect only in ERF (MPMD) launches, which hpcsim does not make."""
        if not isinstance(erf_sets, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in erf_sets.items()
        ):
            raise SettingsTypeError(f"set_erf_sets: expected a dict of str to str, got {erf_sets!r}")
        self.erf_sets = dict(erf_sets)

    def set_mpmd_preamble(self, preamble_lines: Iterable[str]) -> None:
        """Lines at the head of an ERF file (SmartSim's ``set_mpmd_preamble``), copied; like
        :meth:`set_erf_sets`, they matter only to ERF launches."""
        lines = [preamble_lines] if isinstance(preamble_lines, str) else preamble_lines
        if not isinstance(lines, Iterable) or not all(isinstance(line, str) for line in lines):
            raise SettingsTypeError(f"set_mpmd_preamble: expected a list of strings, got {preamble_lines!r}")
        self.mpmd_preamble_lines = list(lines)

    def set_individual_output(self, suffix: str | None = None) -> None:
        """SmartSim's per-task output files (``--stdio_mode individual``, the names ending in
        ``suffix``). Refused (a warning when lenient): see the hint."""
        if suffix is not None and not isinstance(suffix, str):
            raise SettingsTypeError(f"set_individual_output: suffix must be a string, got {suffix!r}")
        self._refuse("set_individual_output")

    def format_env_vars(self) -> list[str]:
        """SmartSim's format: ``-E K=V``, or ``-E K`` to pass a variable as it is."""
        return [part for key, value in self.env_vars.items() for part in ("-E", f"{key}={value}" if value else key)]

    def set_num_rs(self, num_rs: int | str) -> None:
        """Number of resource sets, or ``ALL_HOSTS`` for one per host."""
        self._apply("set_num_rs", _count("set_num_rs", num_rs, "ALL_HOSTS"))

    def set_rs_per_host(self, rs_per_host: int) -> None:
        """Resource sets per host (``--rs_per_host``)."""
        self._apply("set_rs_per_host", _count("set_rs_per_host", rs_per_host))

    def set_tasks_per_rs(self, tasks_per_rs: int) -> None:
        """Tasks per resource set (``--tasks_per_rs``)."""
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
