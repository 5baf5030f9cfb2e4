"""``DBNode``: one shard of an ``Orchestrator``, as SmartSim names its database entities."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hpcsim.entities.entity import Entity
from hpcsim.errors import ConfigError, ConfigTypeError, DatabaseError
from hpcsim.settings.run import RunSettings

__all__ = ["DBNode", "LaunchedShardData"]

#: where a shard (``python -m hpcsim.db.shard``) keeps its files, under the database's directory
_HIDDEN = ".hpcsim"


@dataclass(frozen=True)
class LaunchedShardData:
    """Where a launched shard listens, as it reported it (SmartSim's class of this name)."""

    name: str
    hostname: str
    port: int
    cluster: bool

    @property
    def cluster_conf_file(self) -> str | None:
        """The Redis Cluster state file of a cluster shard (in ``<path>/.hpcsim``), else None."""
        return f"nodes-{self.name}-{self.port}.conf" if self.cluster else None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "hostname": self.hostname, "port": self.port, "cluster": self.cluster}


def _own_dir(path: Path) -> Path | None:
    """``path`` if it is a real directory: never one reached through a symbolic link."""
    try:
        return path if stat.S_ISDIR(os.lstat(path).st_mode) else None
    except OSError:
        return None


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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
        #: whether the shard runs now (its Orchestrator says; a lone DBNode cannot tell)
        self._running: Callable[[], bool] = lambda: False

    @property
    def num_shards(self) -> int:
        """How many shards this node runs: always 1 (hpcsim starts one server per node entity)."""
        return 1

    @property
    def is_mpmd(self) -> bool:
        """Whether the shard is launched as one MPMD command: never in hpcsim."""
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
        """The one host the shard runs on (``ConfigError`` if it has several)."""
        hosts = self.hosts
        if len(hosts) != 1:
            raise ConfigError(f"database shard {self.name!r} runs on several hosts: {', '.join(hosts)}")
        return hosts[0]

    def set_hosts(self, hosts: str | Sequence[str]) -> None:
        """Record the host (or hosts) the shard runs on."""
        names = [hosts] if isinstance(hosts, str) else list(hosts)
        if not all(isinstance(h, str) and h for h in names):
            raise ConfigTypeError(f"hosts must be a host name or a list of them, got {hosts!r}")
        self._hosts = names

    def clear_hosts(self) -> None:
        """Forget the hosts recorded for the shard."""
        self._hosts = []

    def _stale_files(self) -> list[str]:
        return [f"nodes-{self.name}-{port}.conf" for port in self.ports] + [
            f"{self.name}.shard.json",
            f"{self.name}.worker.json",
        ]

    def remove_stale_dbnode_files(self) -> None:
        """Remove what an earlier, crashed run of this shard left behind: its Redis Cluster
        state file (``nodes-<name>-<port>.conf``, SmartSim's stale file) and its ready and
        worker reports (``<name>.shard.json``, ``<name>.worker.json``), all in
        ``<path>/.hpcsim``. Only regular files there are removed, and nothing is followed
        through a symbolic link. The shard's output (``.out``/``.err``) is kept: it is the
        record of that run, and the next launch writes its own. A launch clears these files
        itself, so a driver need not call this. Refused while the database runs."""
        if self._running():
            raise DatabaseError(f"database shard {self.name!r} is running; stop it before removing its files")
        hidden = _own_dir(Path(self.path) / _HIDDEN)
        if hidden is None:
            return
        for name in self._stale_files():
            if _is_regular(hidden / name):
                (hidden / name).unlink(missing_ok=True)

    def get_launched_shard_info(self) -> list[LaunchedShardData]:
        """Where this shard listens, from the report it writes once it serves
        (``<path>/.hpcsim/<name>.shard.json``; SmartSim parses its output for the same). The
        Experiment waits for that report when it starts the database, so it is read once;
        DatabaseError while the shard has not reported (not started, or stopped)."""
        report = Path(self.path) / _HIDDEN / f"{self.name}.shard.json"
        try:
            hidden = _own_dir(report.parent)
            if hidden is None or not _is_regular(report):
                raise FileNotFoundError(report)
            info = json.loads(report.read_text())
            shard = LaunchedShardData(
                str(info["name"]), str(info["address"]), int(info["port"]), bool(info.get("cluster", False))
            )
        except (OSError, ValueError, KeyError, TypeError):
            raise DatabaseError(
                f"database shard {self.name!r} has not reported where it listens ({str(report)!r}): "
                "start the database first"
            ) from None
        return [shard]

    def __repr__(self) -> str:
        return f"DBNode({self.name!r}, ports={self.ports}, path={self.path!r})"
