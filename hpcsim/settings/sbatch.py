"""Slurm batch requests (``sbatch``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.schedulers.kinds import SLURM
from hpcsim.settings.batch import BatchSettings, check_count, check_hosts, check_token, size_gib
from hpcsim.settings.values import ArgValue, format_arg
from hpcsim.site.schema import Defaults as SiteDefaults

__all__ = ["SbatchSettings"]


class SbatchSettings(BatchSettings):
    """``#SBATCH`` directives; ``queue`` and ``partition`` are the same thing. The first four
    parameters are SmartSim's, in its order; the others are hpcsim's (by keyword)."""

    scheduler: ClassVar[str] = SLURM.name

    reserved_batch_args = frozenset({"job-name", "J", "output", "o", "error", "e", "chdir", "D", "parsable"})

    def __init__(
        self,
        nodes: int | None = None,
        time: str = "",
        account: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
        partition: str = "",
        qos: str = "",
        constraint: str = "",
        gpus: int | str | None = None,
        mem: str = "",
        exclusive: bool = False,
        array: str = "",
        queue: str = "",
    ) -> None:
        """``queue`` is SmartSim's name for the partition (one of the two may be given)."""
        if partition and queue:
            raise SettingsError("give partition= or queue= (the same thing for Slurm), not both")
        self.qos = ""
        self.constraint = ""
        self.gpus = ""
        self.mem = ""
        self.exclusive = False
        self.array = ""
        self.cpus_per_task: int | None = None
        super().__init__("sbatch", batch_args, nodes, time, account, partition or queue)
        for setter, value in (
            (self.set_qos, qos),
            (self.set_constraint, constraint),
            (self.set_mem, mem),
            (self.set_array, array),
        ):
            if value:
                setter(value)
        if gpus is not None:
            self.set_gpus(gpus)
        self.set_exclusive(exclusive)

    def set_partition(self, partition: str) -> None:
        """Submit to Slurm partition ``partition`` (``--partition``)."""
        self.set_queue(partition)

    def set_qos(self, qos: str) -> None:
        """Request Slurm quality of service ``qos`` (``--qos``)."""
        self.qos = check_token("qos", qos)

    def set_constraint(self, constraint: str) -> None:
        """Request nodes with features ``constraint`` (``--constraint``)."""
        self.constraint = check_token("constraint", constraint)

    def set_gpus(self, gpus: int | str) -> None:
        """A count, or Slurm's ``type:count`` (``a100:4``)."""
        self.gpus = str(check_count("gpus", gpus, 0)) if isinstance(gpus, int) else check_token("gpus", gpus)

    def set_mem(self, mem: str) -> None:
        """Memory per node in Slurm's units (``64G``, ``4000M``, or ``0`` for all of it)."""
        self.mem = check_token("mem", mem)

    def memory_per_node_gib(self) -> float | None:
        # sbatch(1) --mem: K, M, G, T suffixes, megabytes when there is none
        return size_gib(self.mem, {"k": 1, "m": 2, "g": 3, "t": 4}, "m") if self.mem else None

    def set_exclusive(self, exclusive: bool = True) -> None:
        """Whether the job gets its nodes to itself (``--exclusive``)."""
        self.exclusive = bool(exclusive)

    def set_array(self, array: str) -> None:
        """Slurm's array spec, e.g. ``0-9%2``."""
        self.array = check_token("array", array)

    def set_cpus_per_task(self, cpus_per_task: int) -> None:
        """``--cpus-per-task``."""
        self.cpus_per_task = check_count("cpus_per_task", cpus_per_task)

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Run on these nodes (``--nodelist=a,b``, as SmartSim's)."""
        self.set_batch_arg("nodelist", ",".join(check_hosts("set_hostlist", host_list)))

    queue_keyword = "partition"

    def request_cpus_per_task(self, cpus: int) -> None:
        self.set_cpus_per_task(cpus)

    def request_gpus(self, gpus: int) -> None:
        self.set_gpus(gpus)

    def request_hosts(self, hosts: Sequence[str]) -> None:
        self.set_hostlist(list(hosts))

    def fill_site_defaults(self, defaults: SiteDefaults) -> None:
        super().fill_site_defaults(defaults)
        if not self.constraint and defaults.constraint:
            self.set_constraint(defaults.constraint)
        if not self.qos and defaults.qos:
            self.set_qos(defaults.qos)

    def directives(self) -> list[str]:
        fields: list[tuple[str, ArgValue]] = [
            ("nodes", self.nodes),
            ("time", self.walltime_str),
            ("account", self.account),
            ("partition", self.queue),
            ("qos", self.qos),
            ("constraint", self.constraint),
            ("gpus", self.gpus),
            ("mem", self.mem),
            ("cpus-per-task", self.cpus_per_task),
            ("array", self.array),
        ]
        out = [arg for name, value in fields if value not in (None, "") for arg in format_arg(name, value)]
        if self.exclusive:
            out.append("--exclusive")
        out += [arg for name, value in self.extra_args() for arg in _joined(name, value)]
        return out


def _joined(name: str, value: ArgValue) -> list[str]:
    """One directive per option: ``-x v`` stays one line for one-letter options."""
    return [" ".join(format_arg(name, value))]
