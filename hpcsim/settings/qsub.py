"""PBS Pro batch requests (``qsub``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.schedulers.kinds import PBS
from hpcsim.settings.batch import BatchSettings, check_count, check_token, size_gib
from hpcsim.settings.run import ArgValue
from hpcsim.site.schema import Defaults as SiteDefaults

__all__ = ["QsubBatchSettings"]


class QsubBatchSettings(BatchSettings):
    """``#PBS`` directives: one ``-l select=N:ncpus=C:ngpus=G:mem=M`` chunk request, then
    ``place``, ``filesystems``, ``walltime`` and any other resource as ``-l key=value``."""

    scheduler: ClassVar[str] = PBS.name

    reserved_batch_args = frozenset({"N", "o", "e", "J"})

    def __init__(
        self,
        nodes: int | None = None,
        ncpus: int | None = None,
        time: str = "",
        queue: str = "",
        account: str = "",
        resources: Mapping[str, ArgValue] | None = None,
        batch_args: Mapping[str, ArgValue] | None = None,
        ngpus: int | None = None,
        mem: str = "",
        place: str = "",
        filesystems: str = "",
        select: int | None = None,
    ) -> None:
        if nodes is not None and select is not None:
            raise SettingsError("give either nodes or select (PBS's name for the node count), not both")
        self.ncpus: int | None = None
        self.ngpus: int | None = None
        self.mem = ""
        self.resources: dict[str, str] = {}
        super().__init__("qsub", nodes if select is None else select, time, account, queue, batch_args)
        if ncpus is not None:
            self.set_ncpus(ncpus)
        if ngpus is not None:
            self.set_ngpus(ngpus)
        if mem:
            self.set_mem(mem)
        for key, value in {"place": place, "filesystems": filesystems, **(resources or {})}.items():
            if value not in (None, ""):
                self.set_resource(key, value)

    def set_batch_arg(self, arg: str, value: ArgValue = None) -> None:
        if value is None:
            raise SettingsError(f"PBS option {arg!r} needs a value (qsub has no bare-flag directives hpcsim can check)")
        super().set_batch_arg(arg, value)

    def set_ncpus(self, ncpus: int) -> None:
        self.ncpus = check_count("ncpus", ncpus)

    def set_ngpus(self, ngpus: int) -> None:
        self.ngpus = check_count("ngpus", ngpus, 0)

    def set_mem(self, mem: str) -> None:
        self.mem = check_token("mem", mem)

    def set_resource(self, name: str, value: ArgValue) -> None:
        """A ``-l name=value`` resource; the chunk fields have their own setters."""
        key = check_token("resource name", name)
        if key in ("select", "nodes", "ncpus", "ngpus", "mem", "walltime"):
            raise SettingsError(f"resource {key!r} has its own setting (nodes/ncpus/ngpus/mem/time); use that")
        self.resources[key] = check_token(f"resource {key!r}", value)

    def memory_per_node_gib(self) -> float | None:
        # one chunk per node; PBS sizes are b, kb, mb, gb, tb (a bare number is not judged)
        units = {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4, "k": 1, "m": 2, "g": 3, "t": 4}
        return size_gib(self.mem, units, "") if self.mem else None

    def request_cpus_per_task(self, cpus: int) -> None:
        self.set_ncpus(cpus)

    def request_gpus(self, gpus: int) -> None:
        self.set_ngpus(gpus)

    def fill_site_defaults(self, defaults: SiteDefaults) -> None:
        super().fill_site_defaults(defaults)
        if "filesystems" not in self.resources and defaults.filesystems:
            self.set_resource("filesystems", defaults.filesystems)

    def directives(self) -> list[str]:
        chunk = [f"select={self.nodes if self.nodes is not None else 1}"]
        chunk += [f"{k}={v}" for k, v in (("ncpus", self.ncpus), ("ngpus", self.ngpus), ("mem", self.mem)) if v]
        out = ["-l " + ":".join(chunk)]
        if self.walltime_str:
            out.append(f"-l walltime={self.walltime_str}")
        out += [f"-l {k}={v}" for k, v in self.resources.items()]
        if self.queue:
            out.append(f"-q {self.queue}")
        if self.account:
            out.append(f"-A {self.account}")
        out += [f"-{k.lstrip('-')} {v}" for k, v in self.batch_args.items()]
        return out
