"""``DBNode``: one shard of an ``Orchestrator``, as SmartSim names its database entities."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hpcsim.entities.entity import Entity
from hpcsim.errors import ConfigError, ConfigTypeError, DatabaseError
from hpcsim.settings.run import RunSettings

__all__ = ["DBNode"]


class DBNode(Entity):
    """A database shard ``<db_identifier>_<i>``: its directory, port, output file and host.

    The host is the one given to the orchestrator for this shard (``hosts=`` or
    ``set_hosts``) or, once the database runs, the one the shard listens on. hpcsim plans a
    shard's launch from its orchestrator, so ``run_settings`` is None for the nodes an
    ``Orchestrator`` makes.
    """

    def __init__(
        self,
        name: str,
        path: str | Path,
        run_settings: RunSettings | None,
        ports: Sequence[int],
        output_files: Sequence[str],
        db_identifier: str = "",
    ) -> None:
        super().__init__(name, path)
        if run_settings is not None and not isinstance(run_settings, RunSettings):
            raise ConfigTypeError(f"run_settings must be RunSettings or None, got {type(run_settings).__name__}")
        if isinstance(output_files, str) or not all(isinstance(f, str) and f for f in output_files):
            raise ConfigTypeError(f"output_files must be a list of file names, got {output_files!r}")
        if not output_files:
            raise ConfigError("output_files cannot be empty")
        self.run_settings = run_settings
        self.ports = [int(p) for p in ports]
        self.db_identifier = db_identifier
        self._output_files = list(output_files)
        self._hosts: list[str] = []

    @property
    def num_shards(self) -> int:
        return 1

    @property
    def is_mpmd(self) -> bool:
        return False

    @property
    def output_files(self) -> list[str]:
        """The shard's output file(s), in :attr:`path`."""
        return list(self._output_files)

    @property
    def hosts(self) -> list[str]:
        """The host this shard runs on; DatabaseError while that is unknown (no host was given
        and the database is not running)."""
        if not self._hosts:
            raise DatabaseError(
                f"the host of database shard {self.name!r} is not known: give the orchestrator hosts=..., "
                "or start the database"
            )
        return list(self._hosts)

    @property
    def host(self) -> str:
        hosts = self.hosts
        if len(hosts) != 1:
            raise ConfigError(f"database shard {self.name!r} runs on several hosts: {', '.join(hosts)}")
        return hosts[0]

    def set_hosts(self, hosts: str | Sequence[str]) -> None:
        names = [hosts] if isinstance(hosts, str) else list(hosts)
        if not all(isinstance(h, str) and h for h in names):
            raise ConfigTypeError(f"hosts must be a host name or a list of them, got {hosts!r}")
        self._hosts = names

    def clear_hosts(self) -> None:
        self._hosts = []

    def __repr__(self) -> str:
        return f"DBNode({self.name!r}, ports={self.ports}, path={self.path!r})"
