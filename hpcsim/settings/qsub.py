"""PBS Pro batch requests (``qsub``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError
from hpcsim.schedulers.kinds import PBS
from hpcsim.settings.batch import BatchSettings, check_count, check_hosts, check_token, parse_walltime, size_gib
from hpcsim.settings.values import ArgValue
from hpcsim.site.schema import Defaults as SiteDefaults

__all__ = ["QsubBatchSettings"]

#: the resources that give the node count: PBS Pro's ``select`` and the older ``nodes``
_NODE_COUNTS = ("select", "nodes")


class QsubBatchSettings(BatchSettings):
    """``#PBS`` directives: one ``-l select=N:ncpus=C:ngpus=G:mem=M`` chunk request (one chunk
    per host after :meth:`set_hostlist`), then ``place``, ``filesystems``, ``walltime`` and any
    other resource as ``-l key=value``."""

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
        if resources is not None and not isinstance(resources, Mapping):
            raise SettingsTypeError(f"resources must be a dict of name to value, got {resources!r}")
        given = dict(resources or {})
        counts = [name for name, value in (("nodes", nodes), ("select", select)) if value is not None]
        counts += [f"resources[{key!r}]" for key in _NODE_COUNTS if given.get(key) is not None]
        if len(counts) > 1:
            raise SettingsError(
                f"give either nodes or select (PBS's name for the node count), not both; got {' and '.join(counts)}"
            )
        self.ncpus: int | None = None
        self.ngpus: int | None = None
        self.mem = ""
        self._resources: dict[str, ArgValue] = {}
        self._hosts: list[str] = []
        super().__init__("qsub", batch_args, nodes if select is None else select, time, account, queue)
        if ncpus is not None:
            self.set_ncpus(ncpus)
        if ngpus is not None:
            self.set_ngpus(ngpus)
        if mem:
            self.set_mem(mem)
        self.resources = {
            **{key: value for key, value in (("place", place), ("filesystems", filesystems)) if value},
            **given,
        }

    @property
    def resources(self) -> dict[str, ArgValue]:
        """The ``-l name=value`` resources besides the chunk fields, walltime and node count
        (a copy, as SmartSim's). Assigning checks the whole mapping before taking any of it;
        ``select``/``nodes`` and ``walltime`` in it set the node count and walltime."""
        return dict(self._resources)

    @resources.setter
    def resources(self, resources: Mapping[str, ArgValue]) -> None:
        if not isinstance(resources, Mapping):
            raise SettingsTypeError(f"resources must be a dict of name to value, got {resources!r}")
        counts = [key for key in _NODE_COUNTS if resources.get(key) is not None]
        if len(counts) > 1:
            raise SettingsError("resources 'select' and 'nodes' both set the node count; give one of them")
        nodes, walltime, other = self.nodes, self.walltime, {}
        for key, value in resources.items():
            name = self._check_resource(key, value)
            if name in _NODE_COUNTS:
                nodes = check_count(f"resource {name!r}", value)
            elif name == "walltime":
                walltime = parse_walltime(value)
            else:
                other[name] = value
        self.nodes, self.walltime, self._resources = nodes, walltime, other

    def set_batch_arg(self, arg: str, value: ArgValue = None) -> None:
        if value is None:
            raise SettingsError(f"PBS option {arg!r} needs a value (qsub has no bare-flag directives hpcsim can check)")
        super().set_batch_arg(arg, value)

    def set_ncpus(self, num_cpus: int) -> None:
        """CPUs of each chunk (node): ``ncpus=`` in the select statement."""
        self.ncpus = check_count("ncpus", num_cpus)

    def set_ngpus(self, num_gpus: int) -> None:
        """GPUs of each chunk (node): ``ngpus=`` in the select statement."""
        self.ngpus = check_count("ngpus", num_gpus, 0)

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Run on these hosts: one chunk per host, ``-l select=1:ncpus=C:host=a+1:ncpus=C:host=b``.

        SmartSim appends ``:host=a+host=b`` to its select statement, which asks for the first
        host's chunks plus bare one-CPU chunks on the others; hpcsim gives every host the same
        chunk. The node count becomes the number of hosts when it is unset, and must equal it
        otherwise (checked when the directives are written)."""
        self._hosts = check_hosts("set_hostlist", host_list)
        if self.nodes is None:
            self.nodes = len(self._hosts)

    def set_mem(self, mem: str) -> None:
        """Request ``mem`` of memory per node (``mem=`` in PBS's select, e.g. ``32gb``)."""
        self.mem = check_token("mem", mem)

    def set_resource(self, resource_name: str, value: ArgValue) -> None:
        """A ``-l name=value`` resource. ``select`` and ``nodes`` set the node count and
        ``walltime`` the walltime (as in SmartSim); the chunk's ncpus, ngpus and mem have
        their own setters."""
        key = self._check_resource(resource_name, value)
        if key in _NODE_COUNTS:
            self.set_nodes(check_count(f"resource {key!r}", value))
        elif key == "walltime":
            self.set_walltime(str(value))
        else:
            self._resources[key] = value

    @staticmethod
    def _check_resource(name: object, value: object) -> str:
        key = check_token("resource name", name)
        if key in ("ncpus", "ngpus", "mem"):
            raise SettingsError(f"resource {key!r} is part of the chunk request and has its own setting; use that")
        check_token(f"resource {key!r}", value)
        return key

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
        if "filesystems" not in self._resources and defaults.filesystems:
            self.set_resource("filesystems", defaults.filesystems)

    def directives(self) -> list[str]:
        fields = [f"{k}={v}" for k, v in (("ncpus", self.ncpus), ("ngpus", self.ngpus), ("mem", self.mem)) if v]
        if self._hosts:
            if self.nodes != len(self._hosts):
                raise SettingsError(
                    f"set_hostlist gave {len(self._hosts)} hosts ({','.join(self._hosts)}) but the job asks for "
                    f"{self.nodes} nodes; PBS places one chunk on each named host, so give as many hosts as nodes"
                )
            out = ["-l select=" + "+".join(":".join(["1", *fields, f"host={host}"]) for host in self._hosts)]
        else:
            out = ["-l " + ":".join([f"select={self.nodes if self.nodes is not None else 1}", *fields])]
        if self.walltime_str:
            out.append(f"-l walltime={self.walltime_str}")
        out += [f"-l {k}={check_token(f'resource {k!r}', v)}" for k, v in self._resources.items()]
        if self.queue:
            out.append(f"-q {self.queue}")
        if self.account:
            out.append(f"-A {self.account}")
        out += [f"-{k.lstrip('-')} {v}" for k, v in self.extra_args()]
        return out
