"""How a batch job is requested from a scheduler: the data every batch script starts from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hpcsim.errors import SettingsError
from hpcsim.settings.run import ArgValue

__all__ = ["BatchSettings"]


class BatchSettings:
    """Scheduler-neutral batch request; scheduler subclasses map it onto directives."""

    def __init__(
        self,
        batch_cmd: str,
        nodes: int | None = None,
        time: str = "",
        account: str = "",
        queue: str = "",
        batch_args: Mapping[str, ArgValue] | None = None,
    ) -> None:
        if nodes is not None and (isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 1):
            raise SettingsError(f"nodes must be a positive integer, got {nodes!r}")
        self.batch_cmd = batch_cmd
        self.nodes = nodes
        self.time = time
        self.account = account
        self.queue = queue
        self.batch_args: dict[str, str | None] = {
            k: None if v is None else str(v) for k, v in (batch_args or {}).items()
        }
        self._preamble: list[str] = []

    def add_preamble(self, lines: str | Iterable[str]) -> None:
        """Lines written verbatim right after the scheduler directives."""
        new = [lines] if isinstance(lines, str) else list(lines)
        if not all(isinstance(line, str) for line in new):
            raise SettingsError(f"preamble lines must be strings, got {new!r}")
        self._preamble.extend(new)

    @property
    def preamble(self) -> list[str]:
        return list(self._preamble)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.batch_cmd!r}, nodes={self.nodes!r}, time={self.time!r})"
