"""The Orchestrator: a Redis deployment the Experiment starts before the applications that use it.

One shard, or three and more joined into a Redis Cluster, optionally with ``replicas`` replica
shards per primary (local launcher only). Locally every shard listens on its own loopback port
(``port``, ``port+1``, ...: the primaries first, then the replicas); under a scheduler there is
one shard per node, all on ``port``, bound to the site's database interface. The entity holds what to start; the control
layer starts it and, once every shard answers, hands back where it listens (:meth:`get_address`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

from hpcsim.client import known
from hpcsim.db import admin
from hpcsim.db.netif import interface_names
from hpcsim.db.options import server_options
from hpcsim.entities.dbnode import DBNode
from hpcsim.entities.entity import check_name
from hpcsim.entities.entity_list import EntityList
from hpcsim.entities.live_database import LiveDatabase
from hpcsim.errors import ConfigError, DatabaseError, UnsupportedError
from hpcsim.settings.run import ArgValue

__all__ = ["LiveDatabase", "Orchestrator"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_LOOPBACK = ("127.0.0.1", "localhost")
_log = logging.getLogger("hpcsim.database")
#: a cluster shard on port p also listens on p + 10000 for the other shards
CLUSTER_BUS_OFFSET = 10000


def _check_replicas(replicas: object, db_nodes: int, launcher: str) -> int:
    """``replicas`` per primary: a non-negative integer; above 0 it needs a cluster (3 or more
    primaries, for the failover vote) and the local launcher."""
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise ConfigError(f"replicas must be a non-negative integer (replicas per primary), got {replicas!r}")
    if replicas and db_nodes < 3:
        raise ConfigError(
            f"replicas={replicas} needs a Redis Cluster: use db_nodes=3 or more primaries (got db_nodes={db_nodes}); "
            "the primaries vote to promote a replica when one of them fails"
        )
    if replicas and launcher != "local":
        raise ConfigError(
            f"replicas={replicas} is supported on the local launcher only; on {launcher!r} it would need "
            f"db_nodes*(1+replicas) = {db_nodes * (1 + replicas)} nodes, which hpcsim does not plan yet"
        )
    return replicas


def _strings(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    if not items or not all(isinstance(i, str) and i for i in items):
        raise ConfigError(f"{what} must be a non-empty string or list of strings, got {value!r}")
    return tuple(items)


def _interfaces_here(names: tuple[str, ...]) -> tuple[str, ...]:
    """A local database serves this host only: an interface it lacks (a driver written for a
    cluster's ``ib0``) is dropped with a warning, and with none left the shards bind loopback."""
    present = set(interface_names())
    missing = [name for name in names if name not in present and name != "lo"]
    if missing:
        _log.warning(
            "network interface(s) %s not found on this host (interfaces here: %s); the local database "
            "binds to %s instead",
            ", ".join(missing),
            ", ".join(sorted(present)) or "none",
            "the other interfaces" if len(missing) < len(names) else "loopback",
        )
    return tuple(name for name in names if name not in missing)


class Orchestrator(EntityList[DBNode]):
    """A Redis database of ``db_nodes`` shards (1, or 3 and more as a Redis Cluster), each
    primary with ``replicas`` replica shards (a cluster on the local launcher only).

    Extra keyword arguments become redis-server options (``maxmemory="2gb"``). ``password``
    (on by default) protects the database with the experiment's secret.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        port: int = 6379,
        interface: str | Sequence[str] | None = None,
        launcher: str = "local",
        run_command: str = "auto",
        db_nodes: int = 1,
        batch: bool = False,
        hosts: str | Sequence[str] | None = None,
        account: str | None = None,
        time: str | None = None,
        queue: str | None = None,
        single_cmd: bool = True,
        db_identifier: str = "orchestrator",
        *,
        password: bool = True,
        replicas: int = 0,
        **kwargs: object,
    ) -> None:
        identifier = check_name(db_identifier, "database")
        if not _IDENTIFIER.fullmatch(identifier):
            raise ConfigError(
                f"db_identifier {db_identifier!r} must be a valid environment-variable suffix "
                "(letters, digits and '_', not starting with a digit)"
            )
        super().__init__(identifier, path if path is not None else Path.cwd() / identifier)
        if isinstance(db_nodes, bool) or not isinstance(db_nodes, int) or db_nodes < 1:
            raise ConfigError(f"db_nodes must be a positive integer, got {db_nodes!r}")
        if db_nodes == 2:
            raise UnsupportedError(
                "db_nodes=2 is not possible: a Redis Cluster needs at least 3 primaries to agree "
                "on failures; use 1 shard, or 3 or more"
            )
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConfigError(f"port must be an integer from 1 to 65535, got {port!r}")
        self.launcher = launcher.lower()
        self.replicas = _check_replicas(replicas, db_nodes, self.launcher)
        shards = db_nodes * (1 + self.replicas)
        if self.launcher == "local" and port + shards - 1 > 65535:
            raise ConfigError(f"{shards} local shards from port {port} run past port 65535")
        if db_nodes >= 3 and port + (shards - 1 if self.launcher == "local" else 0) + CLUSTER_BUS_OFFSET > 65535:
            raise ConfigError(
                f"port {port} is too high for a Redis Cluster: each shard also listens on its port + "
                f"{CLUSTER_BUS_OFFSET} (the cluster bus), which must be at most 65535"
            )
        self.port = port
        self._db_nodes = db_nodes
        self.interfaces = _strings(interface, "interface")
        if self.launcher == "local":
            self.interfaces = _interfaces_here(self.interfaces)
        self._given_hosts = _strings(hosts, "hosts")
        self._batch = bool(batch)
        self.run_command = run_command
        self.account = account
        self.time = time
        self.queue = queue
        self.password = bool(password)
        self.options = server_options(dict(kwargs))
        self._check_placement(single_cmd)
        self.cpus: int | None = None
        self.run_args: dict[str, ArgValue] = {}
        self.batch_args: dict[str, ArgValue] = {}
        self._live: LiveDatabase | None = None
        #: the job store's record of this database once it runs (``checkpoint_file``)
        self._checkpoint: str | None = None

    def _initialize_entities(self, **kwargs: object) -> None:
        self._nodes: dict[str, DBNode] = {}  # made on first use: a subclass may set db_nodes later

    def _check_placement(self, single_cmd: bool) -> None:
        if self.launcher == "local":
            if self.batch:
                raise ConfigError("batch=True needs a scheduler; the local launcher runs shards on this machine")
            if any(h not in _LOOPBACK for h in self._given_hosts):
                raise ConfigError(
                    f"the local launcher runs shards on this machine; hosts={list(self._given_hosts)} is not it"
                )
        elif self._given_hosts and len(self._given_hosts) != self.db_nodes:
            raise ConfigError(
                f"hosts names {len(self._given_hosts)} host(s) for db_nodes={self.db_nodes}; give one per shard"
            )
        if not single_cmd and self.launcher != "local":
            raise ConfigError("single_cmd=False is not supported: hpcsim starts all shards with one launch command")

    # -- launch settings (SmartSim's setters) ----------------------------------------------

    def _needs_scheduler(self, what: str) -> None:
        if self.launcher == "local":
            raise ConfigError(f"{what} needs a scheduler launcher; the local launcher runs shards as plain processes")

    def set_cpus(self, num_cpus: int) -> None:
        """CPUs per shard: the launch command's cpus-per-task (and the batch job's), or, on
        the local launcher, the CPUs each shard is pinned to."""
        if isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or num_cpus < 1:
            raise ConfigError(f"set_cpus takes a positive integer, got {num_cpus!r}")
        self.cpus = num_cpus

    def set_walltime(self, walltime: str) -> None:
        """Walltime of the database's batch job (``HH:MM:SS``)."""
        self._needs_scheduler("set_walltime")
        self.time = walltime

    def set_hosts(self, host_list: str | Sequence[str]) -> None:
        """The nodes to run the shards on, one per shard."""
        self._given_hosts = _strings(host_list, "hosts")
        self._check_placement(True)
        self.reset_hosts()

    def set_run_arg(self, arg: str, value: ArgValue = None) -> None:
        """An argument for the launch command that starts the shards (``srun``, ...)."""
        self._needs_scheduler("set_run_arg")
        self.run_args[arg] = value

    def set_batch_arg(self, arg: str, value: ArgValue = None) -> None:
        """An argument for the database's batch job (``sbatch``, ...)."""
        self._needs_scheduler("set_batch_arg")
        self.batch_args[arg] = value

    @property
    def db_identifier(self) -> str:
        """The database's identifier: its name, and the suffix of its clients' environment (``SSDB_<id>``)."""
        return self.name

    @property
    def db_nodes(self) -> int:
        """The number of primary shards asked for (SmartSim's ``db_nodes``; with no
        ``replicas`` it equals :attr:`num_shards`, as in SmartSim)."""
        return self._db_nodes

    @db_nodes.setter
    def db_nodes(self, nodes: int) -> None:  # for subclasses that plan their own shards
        self._db_nodes = nodes

    @property
    def batch(self) -> bool:
        """Whether the shards run in a batch job of their own (``batch=True``)."""
        return self._batch

    @batch.setter
    def batch(self, batch: bool) -> None:
        self._batch = bool(batch)

    @property
    def hosts(self) -> list[str]:
        """The host of every shard: those given (``hosts=`` or :meth:`set_hosts`), else, once
        the database runs, those its shards listen on (locally ``127.0.0.1`` each). Before a
        launch with no hosts given it is empty: the scheduler places the shards (SmartSim
        raises there instead)."""
        if self._given_hosts:
            return list(self._given_hosts)
        if self._live is not None:
            return [address.rsplit(":", 1)[0] for address in self._live.addresses]
        return []

    @property
    def num_shards(self) -> int:
        """Every redis-server it runs: ``db_nodes`` primaries and their replicas."""
        return self.db_nodes * (1 + self.replicas)

    @property
    def is_cluster(self) -> bool:
        """Whether the database is a Redis Cluster (3 or more shards)."""
        return self.db_nodes >= 3

    def shard_names(self) -> list[str]:
        """The primaries' names (``<name>_0`` ... ``<name>_<db_nodes-1>``), then the replicas'."""
        return [f"{self.name}_{i}" for i in range(self.num_shards)]

    def job_names(self) -> list[str]:
        """The names its launches are recorded under: one per local shard process, or one
        for the single launch command that starts every shard under a scheduler."""
        return self.shard_names() if self.launcher == "local" else [self.name]

    # -- its shards, as SmartSim's DBNode entities ------------------------------------------

    @property
    def entities(self) -> list[DBNode]:
        """One :class:`DBNode` per shard (:meth:`shard_names`), with its port and host."""
        ports = self.ports
        nodes = []
        for index, name in enumerate(self.shard_names()):
            if name not in self._nodes:
                port = ports[index] if len(ports) > 1 else ports[0]
                self._nodes[name] = DBNode(name, self.path, None, [port], [f"{name}.out"], self.name)
                self._nodes[name]._running = lambda: self._live is not None
                self._set_node_host(index, self._nodes[name])
            nodes.append(self._nodes[name])
        return nodes

    @property
    def ports(self) -> list[int]:
        """The ports the shards listen on: ``port``, ``port+1``, ... locally (one per shard);
        ``port`` on every node under a scheduler."""
        return [self.port + i for i in range(self.num_shards)] if self.launcher == "local" else [self.port]

    def _set_node_host(self, index: int, node: DBNode) -> None:
        addresses = self._live.addresses if self._live is not None else ()
        if len(addresses) == self.num_shards:
            node.set_hosts(addresses[index].rsplit(":", 1)[0])
        elif len(self._given_hosts) == self.num_shards:
            node.set_hosts(self._given_hosts[index])
        elif self.launcher == "local" and not addresses:
            node.set_hosts("127.0.0.1" if not self.interfaces or self.interfaces == ("lo",) else [])
        else:
            node.clear_hosts()

    def reset_hosts(self) -> None:
        """Give every shard its host again: where it runs, else the one it was given."""
        for index, node in enumerate(self._nodes.get(name) for name in self.shard_names()):
            if node is not None:
                self._set_node_host(index, node)

    def remove_stale_files(self) -> None:
        """Remove what earlier, crashed runs of the shards left in ``<path>/.hpcsim``: their
        Redis Cluster state files and reports (:meth:`DBNode.remove_stale_dbnode_files`). A
        launch does this itself; refused while the database runs."""
        if self._live is not None:
            raise DatabaseError(f"database {self.name!r} is running; stop it before removing its files")
        for node in self.entities:
            node.remove_stale_dbnode_files()

    def set_path(self, new_path: str | Path) -> None:
        """Move the database's directory (its logs, dumps and shard files) before it starts."""
        if self._live is not None:
            raise DatabaseError(f"database {self.name!r} is running; stop it before moving its directory")
        super().set_path(new_path)
        for node in self._nodes.values():
            node.set_path(self.path)

    @property
    def checkpoint_file(self) -> str:
        """The file that names this running database, for :meth:`Experiment.reconnect_orchestrator`
        (SmartSim's ``smartsim_db.dat``): its record in the job store of the experiment that
        started it, ``<exp>/.hpcsim/store/databases/<db_identifier>.json``."""
        if self._checkpoint is None:
            raise DatabaseError(
                f"database {self.name!r} has no checkpoint file: it is written when the database starts (exp.start(db))"
            )
        return self._checkpoint

    def set_checkpoint_file(self, path: str | Path | None) -> None:
        """Record where the database's record file is (set by ``start``; None forgets it)."""
        self._checkpoint = None if path is None else str(path)

    # -- live state (set by the Experiment once every shard answers) -------------------------

    def set_live(self, live: LiveDatabase | None) -> None:
        """Attach the running database's addresses and password (set by ``start``; None detaches)."""
        if self._live is not None:
            known.forget(self._live.addresses)
        self._live = live
        if live is not None:  # a Client of this process given just its address authenticates
            known.remember(live.addresses, live.password_file)
        self.reset_hosts()

    def _running(self) -> LiveDatabase:
        if self._live is None:
            raise DatabaseError(f"database {self.name!r} is not running; start it with exp.start(db)")
        return self._live

    def get_address(self) -> list[str]:
        """``host:port`` of every shard."""
        return list(self._running().addresses)

    def is_active(self) -> bool:
        """Whether every shard answers PING and has its inference worker running (a shard
        restarts a dead worker a few times, then gives up: see docs/database.md)."""
        return self._live is not None and self._live.is_active()

    # -- runtime configuration (CONFIG SET on every shard) ----------------------------------

    def set_db_conf(self, key: str, value: str) -> None:
        """Set Redis configuration ``key`` to ``value`` on every shard of the running database (``CONFIG SET``)."""
        live = self._running()
        admin.config_set(live.addresses, key, value, live.password())

    def set_max_memory(self, mem: str) -> None:
        """Memory cap per shard, e.g. ``"3gb"`` (``0`` is no limit)."""
        self.set_db_conf("maxmemory", mem)

    def set_eviction_strategy(self, strategy: str) -> None:
        """What to evict at the memory cap, e.g. ``"allkeys-lru"``."""
        self.set_db_conf("maxmemory-policy", strategy)

    def set_max_clients(self, clients: int = 50_000) -> None:
        """Set how many clients each shard of the running database accepts (Redis ``maxclients``)."""
        self.set_db_conf("maxclients", str(clients))

    def set_max_message_size(self, size: int = 1_073_741_824) -> None:
        """Largest request (bytes) a shard accepts; values at least that large fit in one key."""
        self.set_db_conf("proto-max-bulk-len", str(size))

    def enable_checkpoints(self, frequency: int) -> None:
        """Write an RDB snapshot every ``frequency`` seconds if a key changed, and on stop."""
        if isinstance(frequency, bool) or not isinstance(frequency, int) or frequency < 1:
            raise ConfigError(f"checkpoint frequency must be a positive number of seconds, got {frequency!r}")
        self.set_db_conf("save", f"{frequency} 1")

    def __repr__(self) -> str:
        extra = f", replicas={self.replicas}" if self.replicas else ""
        return (
            f"Orchestrator({self.name!r}, db_nodes={self.db_nodes}{extra}, port={self.port}, "
            f"launcher={self.launcher!r})"
        )
