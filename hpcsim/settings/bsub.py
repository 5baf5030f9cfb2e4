"""LSF batch requests (``bsub``), as on IBM systems such as Lassen and Summit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from hpcsim.schedulers.kinds import LSF
from hpcsim.settings.batch import BatchSettings, check_count
from hpcsim.settings.run import ArgValue

__all__ = ["BsubBatchSettings"]


class BsubBatchSettings(BatchSettings):
    """``#BSUB`` directives. LSF takes walltime as ``-W HH:MM``: seconds round up."""

    scheduler: ClassVar[str] = LSF.name

    reserved_batch_args = frozenset({"J", "o", "e", "cwd"})

    def __init__(
        self,
        nodes: int | None = None,
        time: str = "",
        project: str = "",
        queue: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
        smts: int = 0,
        gpus: int | None = None,
    ) -> None:
        self.smts = 0
        self.gpus: int | None = None
        super().__init__("bsub", nodes, time, project, queue, batch_args)
        if smts:
            self.set_smts(smts)
        if gpus is not None:
            self.set_gpus(gpus)

    def set_project(self, project: str) -> None:
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

    @property
    def lsf_walltime(self) -> str:
        if self.walltime is None:
            return ""
        hours, minutes, seconds = self.walltime
        minutes += 1 if seconds else 0
        hours, minutes = hours + minutes // 60, minutes % 60
        return f"{hours:02d}:{minutes:02d}"

    def directives(self) -> list[str]:
        fields = [
            ("-nnodes", self.nodes),
            ("-W", self.lsf_walltime),
            ("-P", self.account),
            ("-q", self.queue),
            ("-alloc_flags", f"smt{self.smts}" if self.smts else ""),
            ("-gpu", f"num={self.gpus}" if self.gpus is not None else ""),
        ]
        out = [f"{flag} {value}" for flag, value in fields if value not in (None, "")]
        out += [f"-{k.lstrip('-')}" + ("" if v is None else f" {v}") for k, v in self.batch_args.items()]
        return out
