"""Grid Engine batch requests (``qsub`` of SGE, Son of Grid Engine, Univa and Altair GE).

Grid Engine allocates slots, not nodes: a job asks for ``-pe <parallel environment> <slots>``
(the site names its parallel environments, e.g. ``smp`` or ``mpi``, and their allocation rule
decides how slots spread over hosts) and for resources as ``-l name=value``, the walltime
being ``h_rt``. The names and defaults follow SmartSim's ``SgeQsubBatchSettings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.schedulers.kinds import SGE
from hpcsim.settings.batch import BatchSettings, check_count, check_token
from hpcsim.settings.run import ArgValue

__all__ = ["SgeQsubBatchSettings"]


class SgeQsubBatchSettings(BatchSettings):
    """``#$`` directives: ``-pe <pe_type> <ncpus>``, ``-l h_rt=<time>``, the other resources as
    ``-l name=value``, then queue (``-q``), account (``-A``), project (``-P``) and any other
    option."""

    scheduler: ClassVar[str] = SGE.name

    #: job name, output files, shell and array range are hpcsim's
    reserved_batch_args = frozenset({"N", "o", "e", "j", "S", "t", "tc", "terse"})

    def __init__(
        self,
        time: str = "",
        ncpus: int | None = None,
        pe_type: str = "",
        account: str = "",
        resources: Mapping[str, ArgValue] | None = None,
        batch_args: Mapping[str, ArgValue] | None = None,
        queue: str = "",
        project: str = "",
        ngpus: int | None = None,
        nodes: int | None = None,
    ) -> None:
        self.ncpus: int | None = None
        self.pe_type = ""
        self.project = ""
        self.resources: dict[str, str] = {}
        super().__init__("qsub", nodes, time, account, queue, batch_args)
        if ncpus is not None:
            self.set_ncpus(ncpus)
        if pe_type:
            self.set_pe_type(pe_type)
        if project:
            self.set_project(project)
        if ngpus is not None:
            self.set_ngpus(ngpus)
        for key, value in (resources or {}).items():
            self.set_resource(key, value)

    def set_nodes(self, nodes: int) -> None:
        """Grid Engine has no node count; one node (any serial job's share) is accepted."""
        if check_count("nodes", nodes) > 1:
            raise SettingsError(
                f"Grid Engine allocates slots, not nodes (asked for {nodes} nodes): ask for slots with "
                "ncpus= and pe_type= (a parallel environment whose allocation rule spreads them over hosts)"
            )

    def set_ncpus(self, ncpus: int) -> None:
        """Slots for the job's parallel environment (``-pe <pe_type> <ncpus>``)."""
        self.ncpus = check_count("ncpus", ncpus)

    def set_pe_type(self, pe_type: str) -> None:
        """The parallel environment the slots come from (the site's ``qconf -spl`` lists them)."""
        self.pe_type = check_token("pe_type", pe_type)

    def set_project(self, project: str) -> None:
        self.project = check_token("project", project)

    def set_ngpus(self, ngpus: int) -> None:
        """GPUs, as the consumable resource ``gpu`` (``-l gpu=N``) most sites define."""
        self.set_resource("gpu", check_count("ngpus", ngpus, 0))

    def set_resource(self, name: str, value: ArgValue) -> None:
        """A ``-l name=value`` resource; walltime and slots have their own settings."""
        key = check_token("resource name", name)
        if key in ("h_rt", "pe_type", "ncpus"):
            raise SettingsError(f"resource {key!r} has its own setting (time/pe_type/ncpus); use that")
        self.resources[key] = check_token(f"resource {key!r}", value)

    def request_gpus(self, gpus: int) -> None:
        self.set_ngpus(gpus)

    def directives(self) -> list[str]:
        if (self.ncpus is None) != (not self.pe_type):
            raise SettingsError(
                f"Grid Engine needs both ncpus and pe_type for a parallel job (ncpus={self.ncpus!r}, "
                f"pe_type={self.pe_type!r}); set both, or neither for a one-slot job"
            )
        out = [f"-pe {self.pe_type} {self.ncpus}"] if self.pe_type else []
        if self.walltime_str:
            out.append(f"-l h_rt={self.walltime_str}")
        out += [f"-l {k}={v}" for k, v in self.resources.items()]
        if self.queue:
            out.append(f"-q {self.queue}")
        if self.account:
            out.append(f"-A {self.account}")
        if self.project:
            out.append(f"-P {self.project}")
        out += [f"-{k}" if v is None else f"-{k} {v}" for k, v in self.batch_args.items()]
        return out
