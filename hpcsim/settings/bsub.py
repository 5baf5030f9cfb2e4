"""LSF batch requests (``bsub``), as on IBM systems such as Lassen and Summit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.errors import SettingsError
from hpcsim.schedulers.kinds import LSF
from hpcsim.settings.batch import BatchSettings, check_count, check_hosts, check_token
from hpcsim.settings.values import ArgValue

__all__ = ["BsubBatchSettings"]

#: what expert mode (``-csm y``) replaces, as in SmartSim: these easy-mode requests are left out
_EASY_MODE = frozenset({"ln_slots", "ln_mem", "cn_cu", "nnodes"})


class BsubBatchSettings(BatchSettings):
    """``#BSUB`` directives. LSF takes walltime as ``-W HH:MM``: seconds round up. The first
    five parameters are SmartSim's, in its order; the others are hpcsim's (by keyword)."""

    scheduler: ClassVar[str] = LSF.name

    reserved_batch_args = frozenset({"J", "o", "e", "cwd"})

    def __init__(
        self,
        nodes: int | None = None,
        time: str = "",
        project: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
        smts: int = 0,
        queue: str = "",
        gpus: int | None = None,
        account: str = "",
    ) -> None:
        """``account`` is SmartSim's other name for the project (one of the two may be given)."""
        if project and account:
            raise SettingsError("give project= or account= (the same thing for LSF), not both")
        self.smts = 0
        self.gpus: int | None = None
        self.tasks: int | None = None
        self._hosts: list[str] = []
        self.expert_mode = False
        self.res_req = ""
        super().__init__("bsub", batch_args, nodes, time, project or account, queue)
        if smts:
            self.set_smts(smts)
        if gpus is not None:
            self.set_gpus(gpus)

    def set_project(self, project: str) -> None:
        """Charge the job to LSF project ``project`` (``-P``)."""
        self.set_account(project)

    account_keyword = "project"

    def request_gpus(self, gpus: int) -> None:
        self.set_gpus(gpus)

    def set_smts(self, smts: int) -> None:
        """Simultaneous threads per core (``-alloc_flags smtN``), 1, 2 or 4 on POWER9."""
        self.smts = check_count("smts", smts)

    def set_gpus(self, gpus: int) -> None:
        """GPUs per node (``-gpu num=G``)."""
        self.gpus = check_count("gpus", gpus, 0)

    def set_tasks(self, tasks: int) -> None:
        """Tasks (slots) for the job (``-n N``)."""
        self.tasks = check_count("tasks", tasks)

    def set_hostlist(self, host_list: str | list[str]) -> None:
        """Run on these hosts (``-m "a b"``, as SmartSim's)."""
        self._hosts = check_hosts("set_hostlist", host_list)

    def set_expert_mode_req(self, res_req: str, slots: int) -> None:
        """CSM expert mode, as SmartSim's: ``-csm y -n <slots> -R <res_req>``, and the easy-mode
        requests (``-nnodes``; ``ln_slots``, ``ln_mem``, ``cn_cu`` in batch_args) are left out.
        The requirement string goes into a directive, so it takes no whitespace or quotes
        (LSF reads ``1*{select[LN]span[hosts=1]}+42*{select[CN]span[ptile=42]}`` without them)."""
        self.res_req = check_token("set_expert_mode_req: res_req", res_req)
        self.tasks = check_count("set_expert_mode_req: slots", slots)
        self.expert_mode = True

    @property
    def lsf_walltime(self) -> str:
        """The walltime as LSF's ``HH:MM``, rounded up to the minute, or an empty string."""
        if self.walltime is None:
            return ""
        hours, minutes, seconds = self.walltime
        minutes += 1 if seconds else 0
        hours, minutes = hours + minutes // 60, minutes % 60
        return f"{hours:02d}:{minutes:02d}"

    def directives(self) -> list[str]:
        # bsub reads `-m "a b"` in a directive as one list (the names are checked: no quotes)
        hosts = self._hosts[0] if len(self._hosts) == 1 else '"' + " ".join(self._hosts) + '"' if self._hosts else ""
        fields = [
            ("-nnodes", None if self.expert_mode else self.nodes),
            ("-W", self.lsf_walltime),
            ("-P", self.account),
            ("-q", self.queue),
            ("-alloc_flags", f"smt{self.smts}" if self.smts else ""),
            ("-gpu", f"num={self.gpus}" if self.gpus is not None else ""),
            ("-m", hosts),
            ("-n", self.tasks),
            ("-csm", "y" if self.expert_mode else ""),
            ("-R", self.res_req if self.expert_mode else ""),
        ]
        out = [f"{flag} {value}" for flag, value in fields if value not in (None, "")]
        extra = [(k, v) for k, v in self.extra_args() if not (self.expert_mode and k in _EASY_MODE)]
        out += [f"-{k.lstrip('-')}" + ("" if v is None else f" {v}") for k, v in extra]
        return out
