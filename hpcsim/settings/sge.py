"""Grid Engine batch requests (``qsub`` of SGE, Son of Grid Engine, Univa and Altair GE).

Grid Engine allocates slots, not nodes: a job asks for ``-pe <parallel environment> <slots>``
(the site names its parallel environments, e.g. ``smp`` or ``mpi``, and their allocation rule
decides how slots spread over hosts) and for resources as ``-l name=value``, the walltime
being ``h_rt``. The names and defaults follow SmartSim's ``SgeQsubBatchSettings``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError, SettingsTypeError, UnsupportedSettingsError
from hpcsim.schedulers.kinds import SGE
from hpcsim.settings.batch import BatchSettings, check_count, check_hosts, check_token
from hpcsim.settings.values import ArgValue

__all__ = ["DEFAULT_SHEBANG", "SgeQsubBatchSettings"]

#: the first line of hpcsim's Grid Engine script (templates/batch/sge.sh.j2)
DEFAULT_SHEBANG = "#!/bin/bash"
#: the shebangs that name bash, the only shell hpcsim's scripts are written for
_BASH_SHEBANG = re.compile(r"#! ?(?:(?:/usr)?/bin/bash(?: -l| --login)?|/usr/bin/env bash) *")
#: resources that have their own setting
_OWN_SETTING = {"h_rt": "time/set_walltime", "pe_type": "pe_type/set_pe_type", "ncpus": "ncpus/set_ncpus"}
#: qsub's context-variable switches: add, set, delete
_CONTEXT_ACTIONS = ("ac", "sc", "dc")


class SgeQsubBatchSettings(BatchSettings):
    """``#$`` directives: ``-pe <pe_type> <ncpus>``, context variables (``-ac``, ``-sc``,
    ``-dc``), ``-l h_rt=<time>``, the other resources as ``-l name=value``, job variables
    (``-v``), then queue (``-q``), account (``-A``), project (``-P``) and any other option.
    The first seven parameters are SmartSim's, in its order; the others are hpcsim's."""

    scheduler: ClassVar[str] = SGE.name

    #: job name, output files, shell and array range are hpcsim's
    reserved_batch_args = frozenset({"N", "o", "e", "j", "S", "t", "tc", "terse"})

    def __init__(
        self,
        time: str = "",
        ncpus: int | None = None,
        pe_type: str = "",
        account: str = "",
        shebang: str | None = DEFAULT_SHEBANG,
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
        self.shebang = DEFAULT_SHEBANG
        self._resources: dict[str, ArgValue] = {}
        self._context_variables: list[str] = []
        self._env_vars: dict[str, str] = {}
        super().__init__("qsub", batch_args, nodes, time, account, queue)
        if ncpus is not None:
            self.set_ncpus(ncpus)
        if pe_type:
            self.set_pe_type(pe_type)
        if shebang is not None:
            self.set_shebang(shebang)
        if project:
            self.set_project(project)
        if ngpus is not None:
            self.set_ngpus(ngpus)
        if resources is not None:
            self.resources = {**self._resources, **self._checked_resources(resources)}

    @property
    def resources(self) -> dict[str, ArgValue]:
        """The ``-l name=value`` resources besides the walltime (a copy, as SmartSim's).
        Assigning checks the whole mapping before taking any of it."""
        return dict(self._resources)

    @resources.setter
    def resources(self, resources: Mapping[str, ArgValue]) -> None:
        self._resources = self._checked_resources(resources)

    def _checked_resources(self, resources: object) -> dict[str, ArgValue]:
        if not isinstance(resources, Mapping):
            raise SettingsTypeError(f"resources must be a dict of name to value, got {resources!r}")
        return {self._check_resource(key, value): value for key, value in resources.items()}

    @staticmethod
    def _check_resource(name: object, value: object) -> str:
        if not isinstance(name, str):
            raise SettingsTypeError(f"resource names must be strings, got {name!r}")
        key = check_token("resource name", name)
        if key in _OWN_SETTING:
            raise SettingsError(f"resource {key!r} has its own setting ({_OWN_SETTING[key]}); use that")
        check_token(f"resource {key!r}", value)
        return key

    def set_nodes(self, num_nodes: int) -> None:
        """Grid Engine has no node count; one node (any serial job's share) is accepted."""
        if check_count("nodes", num_nodes) > 1:
            raise SettingsError(
                f"Grid Engine allocates slots, not nodes (asked for {num_nodes} nodes): ask for slots with "
                "ncpus= and pe_type= (a parallel environment whose allocation rule spreads them over hosts)"
            )

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Refused, as in SmartSim (``LauncherUnsupportedFeature``, which this error is)."""
        check_hosts("set_hostlist", host_list)
        raise UnsupportedSettingsError(
            "Grid Engine batch settings do not name hosts (SmartSim refuses this too); a site may offer "
            "set_resource('hostname', 'node1|node2') or a queue bound to those hosts"
        )

    def set_shebang(self, shebang: str) -> None:
        """The script's interpreter line. hpcsim's Grid Engine scripts are bash scripts that
        Grid Engine runs with ``/bin/bash`` (``#$ -S /bin/bash``, which wins over the first line
        where the cluster starts jobs POSIX-compliantly, its default), so only a bash shebang
        is taken: ``#!/bin/bash`` (hpcsim's), ``#!/bin/bash -l`` (SmartSim's default), its
        ``--login`` form, ``#!/usr/bin/bash`` or ``#!/usr/bin/env bash``. The script's first
        line stays ``#!/bin/bash``; set up the environment a login shell would (modules) in
        the preamble."""
        if not isinstance(shebang, str):
            raise SettingsTypeError(f"set_shebang: expected a string such as '#!/bin/bash', got {shebang!r}")
        if not _BASH_SHEBANG.fullmatch(shebang):
            raise UnsupportedSettingsError(
                f"set_shebang: {shebang!r} is not a bash shebang; hpcsim writes its Grid Engine scripts for "
                "bash and runs them with #$ -S /bin/bash. Put other interpreters inside the job, e.g. as the "
                "model's executable"
            )
        self.shebang = shebang

    def set_ncpus(self, num_cpus: int) -> None:
        """Slots for the job's parallel environment (``-pe <pe_type> <ncpus>``)."""
        self.ncpus = check_count("ncpus", num_cpus)

    def set_pe_type(self, pe_type: str) -> None:
        """The parallel environment the slots come from (the site's ``qconf -spl`` lists them)."""
        self.pe_type = check_token("pe_type", pe_type)

    def set_project(self, project: str) -> None:
        """Charge the job to Grid Engine project ``project`` (``-P``)."""
        self.project = check_token("project", project)

    def set_ngpus(self, num_gpus: int) -> None:
        """GPUs, as the consumable resource ``gpu`` (``-l gpu=N``) most sites define."""
        self.set_resource("gpu", check_count("ngpus", num_gpus, 0))

    def set_resource(self, resource_name: str, value: ArgValue) -> None:
        """A ``-l name=value`` resource; walltime and slots have their own settings."""
        self._resources[self._check_resource(resource_name, value)] = value

    def set_hyperthreading(self, enable: bool = True) -> None:
        """Hyperthreading on or off, as SmartSim's: the resource ``threads`` (``-l threads=1``)."""
        if not isinstance(enable, bool):
            raise SettingsTypeError(f"set_hyperthreading: expected True or False, got {enable!r}")
        self.set_resource("threads", int(enable))

    def set_memory_per_pe(self, memory_spec: str) -> None:
        """Memory per slot, as SmartSim's: the resource ``mem`` (``-l mem=2G``)."""
        self.set_resource("mem", memory_spec)

    def set_threads_per_pe(self, threads_per_core: int) -> None:
        """Threads per slot, as SmartSim's: ``OMP_NUM_THREADS`` for the job (``-v OMP_NUM_THREADS=N``)."""
        self._env_vars["OMP_NUM_THREADS"] = str(check_count("set_threads_per_pe: threads_per_core", threads_per_core))

    def update_context_variables(self, action: str, var_name: str, value: int | str | None = None) -> None:
        """Add (``ac``), set (``sc``) or delete (``dc``) a job context variable (qsub's ``-ac``,
        ``-sc``, ``-dc``); the switches are written in the order of the calls."""
        if not isinstance(action, str):
            raise SettingsTypeError(f"update_context_variables: action must be 'ac', 'sc' or 'dc', got {action!r}")
        if action not in _CONTEXT_ACTIONS:
            raise SettingsError(f"update_context_variables: action must be 'ac', 'sc' or 'dc', got {action!r}")
        if not isinstance(var_name, str):
            raise SettingsTypeError(f"update_context_variables: var_name must be a string, got {var_name!r}")
        name = check_token("update_context_variables: var_name", var_name)
        if "," in name or "=" in name:
            raise SettingsError(f"update_context_variables: var_name {name!r} must not hold ',' or '='")
        if action == "dc" and value is not None:
            raise SettingsError(f"update_context_variables: 'dc' deletes {name!r} and takes no value, got {value!r}")
        command = f"-{action} {name}"
        if value is not None:
            text = check_token(f"update_context_variables: value of {name!r}", value)
            if "," in text:
                raise SettingsError(
                    f"update_context_variables: value {text!r} of {name!r} must not hold ',' (qsub would "
                    "read a second variable)"
                )
            command += f"={text}"
        self._context_variables.append(command)

    def request_gpus(self, gpus: int) -> None:
        self.set_ngpus(gpus)

    def directives(self) -> list[str]:
        if (self.ncpus is None) != (not self.pe_type):
            raise SettingsError(
                f"Grid Engine needs both ncpus and pe_type for a parallel job (ncpus={self.ncpus!r}, "
                f"pe_type={self.pe_type!r}); set both, or neither for a one-slot job"
            )
        out = [f"-pe {self.pe_type} {self.ncpus}"] if self.pe_type else []
        out += self._context_variables
        if self.walltime_str:
            out.append(f"-l h_rt={self.walltime_str}")
        out += [f"-l {k}={check_token(f'resource {k!r}', v)}" for k, v in self._resources.items()]
        out += [f"-v {k}={v}" for k, v in self._env_vars.items()]
        if self.queue:
            out.append(f"-q {self.queue}")
        if self.account:
            out.append(f"-A {self.account}")
        if self.project:
            out.append(f"-P {self.project}")
        out += [f"-{k}" if v is None else f"-{k} {v}" for k, v in self.extra_args()]
        return out
