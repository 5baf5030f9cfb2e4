"""The resource setters every run-settings class has (SmartSim's names), validated here and
mapped onto flags by each class's table; a setter the launch command cannot honour raises
:class:`SettingsError` saying what to use instead, or warns when the settings are lenient."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.settings.values import (
    ArgValue,
    check_int,
    check_ints,
    check_names,
    check_walltime,
    check_word,
    walltime_from_parts,
)

__all__ = ["ResourceSetters"]

_log = logging.getLogger("hpcsim.settings")
#: resource requests that a launch without a launch command (one process here) already meets
_ONE_PROCESS = frozenset({("set_nodes", 1), ("set_tasks", 1), ("set_tasks_per_node", 1)})


class ResourceSetters:
    """Setters from SmartSim's ``RunSettings``; the class's ``flags`` table says which flag each sets."""

    #: setter name -> ``flag``, ``flag=template`` ({} is the value, {seconds} a walltime in
    #: seconds) or ``flag=constant``. A flag without template keeps the value as given (``6``)
    flags: ClassVar[Mapping[str, str]] = {}
    #: setter name -> why the launch command cannot honour it and what to use instead
    hints: ClassVar[Mapping[str, str]] = {
        "set_het_group": "heterogeneous job groups exist only in Slurm; use SrunSettings",
        "set_node_feature": "node features are a Slurm constraint (srun -C); request them in the batch settings",
        "set_mpmd_preamble": "an MPMD preamble belongs to jsrun's ERF files; use JsrunSettings",
    }
    #: whether walltimes may carry days (``D-HH:MM:SS``)
    walltime_days: ClassVar[bool] = False
    #: whether the broadcast flag takes a destination (``--bcast=PATH``) or stands alone
    broadcast_destination: ClassVar[bool] = True

    lenient: bool
    _run_command: str

    @property
    def run_args(self) -> dict[str, ArgValue]:
        raise NotImplementedError

    def _who(self) -> str:
        raise NotImplementedError

    def set_nodes(self, nodes: int) -> None:
        """Run on ``nodes`` nodes."""
        self._apply("set_nodes", check_int("set_nodes", nodes))

    def set_tasks(self, tasks: int) -> None:
        """Run ``tasks`` tasks (ranks) in all."""
        self._apply("set_tasks", check_int("set_tasks", tasks))

    def set_tasks_per_node(self, tasks_per_node: int) -> None:
        """Run ``tasks_per_node`` tasks on each node."""
        self._apply("set_tasks_per_node", check_int("set_tasks_per_node", tasks_per_node))

    def set_cpus_per_task(self, cpus_per_task: int) -> None:
        """Give each task ``cpus_per_task`` CPUs."""
        self._apply("set_cpus_per_task", check_int("set_cpus_per_task", cpus_per_task))

    def set_memory_per_node(self, memory_per_node: int) -> None:
        """Memory in megabytes."""
        self._apply("set_memory_per_node", check_int("set_memory_per_node", memory_per_node))

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Run on these hosts only."""
        self._apply("set_hostlist", check_names("set_hostlist", host_list))

    def set_excluded_hosts(self, host_list: str | list[str]) -> None:
        """Run on none of these hosts."""
        self._apply("set_excluded_hosts", check_names("set_excluded_hosts", host_list))

    def set_hostlist_from_file(self, file_path: str | os.PathLike[str]) -> None:
        """Hosts from a file; a relative path is taken from the driver's working directory,
        because launches run in the entity's directory."""
        if not isinstance(file_path, (str, os.PathLike)) or not str(file_path).strip():
            raise SettingsError(f"set_hostlist_from_file: expected a non-empty path, got {file_path!r}")
        self._apply("set_hostlist_from_file", os.path.abspath(os.path.expanduser(file_path)))

    def set_cpu_bindings(self, bindings: int | list[int]) -> None:
        """Bind task i to CPU ``bindings[i]``."""
        self._apply("set_cpu_bindings", check_ints("set_cpu_bindings", bindings))

    def set_het_group(self, het_group: int | list[int]) -> None:
        """Run in these Slurm heterogeneous job groups (srun only)."""
        self._apply("set_het_group", check_ints("set_het_group", het_group))

    def set_node_feature(self, feature_list: str | list[str]) -> None:
        """Run only on nodes with these features (Slurm's constraint, ``srun -C``)."""
        self._apply("set_node_feature", check_names("set_node_feature", feature_list, "feature"))

    def set_walltime(self, walltime: str) -> None:
        """Time limit of the launch as ``HH:MM:SS``."""
        text, seconds = check_walltime(walltime, self.walltime_days)
        self._apply("set_walltime", text, seconds)

    def set_time(self, hours: int = 0, minutes: int = 0, seconds: int = 0) -> None:
        """:meth:`set_walltime` from hours, minutes and seconds (SmartSim's helper)."""
        self.set_walltime(walltime_from_parts(hours, minutes, seconds))

    def set_binding(self, binding: str) -> None:
        """The launcher's own binding policy, e.g. ``core`` or ``depth``."""
        self._apply("set_binding", check_word("set_binding", binding))

    def set_task_map(self, task_mapping: str) -> None:
        """Place tasks with the launch command's mapping ``task_mapping``."""
        self._apply("set_task_map", check_word("set_task_map", task_mapping))

    def set_broadcast(self, dest_path: str | None = None) -> None:
        """Copy the executable to the compute nodes before launching (to ``dest_path`` if given)."""
        if dest_path is not None and not self.broadcast_destination:
            self._refuse("set_broadcast")
            return
        self._apply("set_broadcast", None if dest_path is None else check_word("set_broadcast", dest_path))

    def set_verbose_launch(self, verbose: bool = True) -> None:
        """Whether the launch command reports verbosely."""
        self._switch("set_verbose_launch", verbose)

    def set_quiet_launch(self, quiet: bool = True) -> None:
        """Whether the launch command keeps quiet."""
        self._switch("set_quiet_launch", quiet)

    def set_mpmd_preamble(self, preamble_lines: list[str]) -> None:
        """Lines at the head of an MPMD launch file; only jsrun's ERF files have them."""
        self._refuse("set_mpmd_preamble")

    def _switch(self, setter: str, on: object) -> None:
        if not isinstance(on, bool):
            raise SettingsError(f"{setter}: expected True or False, got {on!r}")
        if on:
            self._apply(setter, None)
        elif setter in self.flags:
            self.run_args.pop(self.flags[setter].partition("=")[0], None)

    def _apply(self, setter: str, value: str | int | None, seconds: int = 0) -> None:
        """Store ``setter``'s flag from the table: the value as given, a bare flag for None, or
        the template filled in."""
        if setter not in self.flags:
            if not self._run_command and (setter, value) in _ONE_PROCESS:
                return  # a launch without a launch command already is one task on one node
            self._refuse(setter)
            return
        name, has_template, template = self.flags[setter].partition("=")
        stored: ArgValue = value
        if has_template and "{" in template:
            stored = template.format(value, seconds=seconds)
        elif has_template:
            stored = int(template) if template.isdigit() else template
        self.run_args[name] = stored

    def _refuse(self, setter: str) -> None:
        """Raise (or, when lenient, log) that ``setter`` cannot be honoured, and why."""
        why = self.hints.get(setter) or ResourceSetters.hints.get(setter)
        if why is None:
            why = (
                f"hpcsim knows no {self._run_command} flag for it; pass the option with set(name, value)"
                if self._run_command
                else "there is no launch command to pass it to; use a launcher's settings class"
            )
        message = f"{self._who()} cannot honour {setter}: {why}"
        if not self.lenient:
            raise SettingsError(message)
        _log.warning("%s (ignored because lenient=True)", message)
