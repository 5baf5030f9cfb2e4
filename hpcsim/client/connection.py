"""Talking to the database: redis-py connection pools, routing by hash slot, and retries
bounded by the client's timeouts.

A batch of commands (packed by :mod:`hpcsim.dataplane.wire`) goes out as one pipeline per server;
replies come back in order, error replies as ``redis.ResponseError`` objects for the caller to
judge. Connection failures, timeouts and cluster redirections are retried until the budget is
spent, then raised as hpcsim errors naming the server.
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar, cast

import redis
from redis.backoff import NoBackoff
from redis.exceptions import (
    AskError,
    AuthenticationError,
    ClusterDownError,
    InvalidResponse,
    NoPermissionError,
    RedisClusterException,
    RedisError,
    ResponseError,
    TryAgainError,
)
from redis.retry import Retry

from hpcsim import errors
from hpcsim.client.address import Address
from hpcsim.client.options import Timeouts
from hpcsim.dataplane.wire import Blob, Command, Connection, Wire, read_replies, send
from hpcsim.db.secret import Credential
from hpcsim.errors import ClientConnectionError, ClientError

__all__ = ["Blob", "Command", "Failure", "Node", "Reader", "Standalone", "Target", "Transport", "reason"]

Reader = Callable[[Wire, int], Any]
"""Reads the reply to the command at an index of a batch straight from the socket."""

_T = TypeVar("_T")
#: commands that change data: with durable puts, a WAIT follows them on the same connection
WRITES = frozenset(
    {
        b"SET",
        b"DEL",
        b"RENAME",
        b"COPY",
        b"RPUSH",
        b"LPUSH",
        b"HSET",
        b"HDEL",
        b"LREM",
        b"LPOP",
        b"RPOP",
        b"EXPIRE",
        b"XADD",
    }
)
#: commands whose second word names what they do (CONFIG SET), for refusals
_CONTAINERS = frozenset({"ACL", "CLIENT", "CLUSTER", "CONFIG", "DEBUG", "MODULE"})
_REDIRECTS = (AskError, ClusterDownError, TryAgainError)
_RETRYABLE = (redis.ConnectionError, redis.TimeoutError, RedisClusterException, *_REDIRECTS)


class _Connection(Connection, Protocol):
    _sock: socket.socket | None


class _Pool(Protocol):
    def get_connection(self) -> _Connection: ...

    def release(self, connection: _Connection) -> None: ...


class Node:
    """One server of the database: its address and its connection pool."""

    def __init__(self, label: str, address: Address, client: redis.Redis) -> None:
        self.label = label
        self.address = address
        self.client = client
        self.pool = cast(_Pool, client.connection_pool)


Target = bytes | Node
"""Where a command goes: the node owning a key, or a given node."""


class Failure(Exception):
    """A failure talking to ``node``."""

    def __init__(self, node: str, error: BaseException) -> None:
        super().__init__(node, error)
        self.node = node
        self.error = error


def reason(error: BaseException) -> str:
    if isinstance(error, Failure):
        return reason(error.error)
    text = str(error) or type(error).__name__
    cause = error.__cause__
    if isinstance(error, RedisClusterException) and cause is not None and str(cause) not in text:
        text += f" ({cause})"
    return text


def _refused(command: Command, node: str, error: NoPermissionError, auth: str) -> ClientError:
    """The error for a command the server's ACL refuses to this client's identity (from ``auth``)."""
    words = [part.decode(errors="replace").upper() for part in command[:2] if isinstance(part, bytes)]
    name = " ".join(words if words[0] in _CONTAINERS else words[:1])
    return ClientError(
        f"the database at {node} refused {name} (NOPERM {error}) to this client's identity ({auth}). "
        "hpcsim's application identity may run data commands only, not administrative ones (configuration, "
        "modules, DEBUG, SHUTDOWN, ACL, persistence, replication, cluster administration): least privilege, "
        "see docs/security.md. Administer the database from the driver (the Orchestrator's methods) instead"
    )


class Transport:
    """Routing and retries shared by standalone and cluster databases."""

    kind = "standalone"

    def __init__(
        self, addresses: Sequence[Address], timeouts: Timeouts, on_retry: Callable[[str], None], auth: str
    ) -> None:
        self.addresses = list(addresses)
        self.timeouts = timeouts
        self._on_retry = on_retry
        #: where the credential came from ("file PATH, user NAME", "password argument", "none")
        self.auth = auth
        #: durable puts: replicas that must acknowledge each write (0: off), and how long
        #: WAIT may block for them (seconds)
        self.durable = 0
        self.durable_timeout = timeouts.command

    def route(self, key: bytes) -> Node:
        """The node that owns ``key``."""
        raise NotImplementedError

    def nodes(self) -> list[Node]:
        """Every primary of the database."""
        raise NotImplementedError

    def owns(self, node: Node, slot: int) -> bool:
        """Whether ``node`` holds hash slot ``slot`` (a standalone server holds them all)."""
        return True

    def refresh(self) -> None:
        """Re-read the cluster layout (nothing to do for a standalone server)."""

    def close(self) -> None:
        for node in self.nodes():
            node.client.close()

    def node_at(self, text: Address) -> Node:
        """The node at ``text``; ClientError listing the database's addresses otherwise."""
        for node in self.nodes():
            if node.address.same_server(text):
                return node
        known = ", ".join(node.label for node in self.nodes())
        raise ClientError(f"{text} is not an address of this database; its servers: {known}")

    def describe(self) -> str:
        raise NotImplementedError

    def run(
        self,
        items: Sequence[tuple[Target, Command]],
        *,
        connecting: bool = False,
        reader: Reader | None = None,
    ) -> list[Any]:
        """Send ``items`` (target key or node, command) and return the replies in order,
        retrying connection failures, timeouts and cluster redirections within the budget.
        With ``reader``, replies are read by it instead of redis-py's parser.

        With durable puts on, every server that is sent a write (:data:`WRITES`) is then sent
        ``WAIT durable timeout`` on the same connection; fewer acknowledging replicas raise
        ClientError (the writes may have been applied, but are not known to be replicated)."""
        wait: Command | None = None
        if self.durable and reader is None and any(command[0] in WRITES for _, command in items):
            wait = (b"WAIT", str(self.durable).encode(), str(max(1, round(self.durable_timeout * 1000))).encode())

        def attempt() -> list[Any]:
            replies, acks = self._run_once(items, reader, wait)
            trouble = next((reply for reply in replies if isinstance(reply, _REDIRECTS)), None)
            if trouble is not None:
                raise Failure(self._label_of(items[0][0]), trouble)
            for (target, command), reply in zip(items, replies, strict=True):
                if isinstance(reply, NoPermissionError):
                    raise _refused(command, self._label_of(target), reply, self.auth)
            for label, ack in acks:
                if isinstance(ack, ResponseError) or not isinstance(ack, int) or ack < self.durable:
                    got = f"failed: {ack}" if isinstance(ack, ResponseError) else f"{ack} of {self.durable}"
                    raise ClientError(
                        f"durable put not acknowledged by the database at {label}: replicas that acknowledged "
                        f"within HPCSIM_DURABLE_TIMEOUT={self.durable_timeout:g} s: {got}; the write may be on the "
                        "server but is not known to be replicated (does this shard have a live replica?)"
                    )
            return replies

        return self._retrying(attempt, connecting)

    def _retrying(self, attempt: Callable[[], _T], connecting: bool, recover: bool = True) -> _T:
        """``attempt()`` until it succeeds or the connect/command budget is spent."""
        budget = self.timeouts.connect if connecting else self.timeouts.command
        interval = self.timeouts.connect_interval if connecting else self.timeouts.command_interval
        deadline = time.monotonic() + budget
        attempts = 0
        while True:
            attempts += 1
            try:
                return attempt()
            except Failure as failure:
                error = failure.error
                if isinstance(error, AuthenticationError) or isinstance(error.__cause__, AuthenticationError):
                    source = "no password was given" if self.auth == "none" else f"the password from {self.auth}"
                    raise ClientConnectionError(
                        f"authentication to the database at {failure.node} failed ({reason(error)}); {source}: "
                        "check HPCSIM_DB_PASSWORD_FILE (one line: PASSWORD, or USERNAME PASSWORD) or the password "
                        "and username arguments"
                    ) from None
                if not isinstance(error, _RETRYABLE):
                    raise ClientError(f"request to the database at {failure.node} failed: {reason(error)}") from None
                if time.monotonic() + interval > deadline:
                    name = "HPCSIM_CONN_TIMEOUT" if connecting else "HPCSIM_CMD_TIMEOUT"
                    kind = ClientConnectionError if connecting else errors.TimeoutError
                    what = "could not connect to" if connecting else "no answer from"
                    raise kind(
                        f"{what} the database at {failure.node} within {name}={budget:g} s ({attempts} attempts); "
                        f"last error: {reason(error)}"
                    ) from None
                self._on_retry(f"retrying in {interval:g} s: {failure.node}: {reason(error)}")
            time.sleep(interval)
            if recover:
                self._after_failure(error)

    def _label_of(self, target: Target) -> str:
        try:
            return target.label if isinstance(target, Node) else self.route(target).label
        except RedisClusterException:
            return ", ".join(str(address) for address in self.addresses)

    def _after_failure(self, error: BaseException) -> None:
        """Hook: a cluster re-reads its layout after redirections and lost nodes."""

    def _run_once(
        self, items: Sequence[tuple[Target, Command]], reader: Reader | None, wait: Command | None = None
    ) -> tuple[list[Any], list[tuple[str, Any]]]:
        """The replies, and for each server sent a write, ``(label, WAIT's reply)`` when
        ``wait`` is given. Every server's commands are sent (:func:`~hpcsim.dataplane.wire.send`)
        before any reply is read, so the servers work at once; after a failure every connection
        taken is dropped, since any may still hold unread replies."""
        groups: dict[str, tuple[Node, list[int]]] = {}
        label = ", ".join(str(address) for address in self.addresses)
        try:
            for index, (target, _) in enumerate(items):
                node = target if isinstance(target, Node) else self.route(target)
                groups.setdefault(node.label, (node, []))[1].append(index)
        except (RedisError, RedisClusterException) as exc:
            raise Failure(label, exc) from exc
        replies: list[Any] = [None] * len(items)
        acks: list[tuple[str, Any]] = []
        waiting: set[str] = set()
        taken: list[tuple[Node, _Connection]] = []
        healthy = False
        try:
            for node, indices in groups.values():
                label = node.label
                connection = node.pool.get_connection()
                taken.append((node, connection))
                commands = [items[i][1] for i in indices]
                if wait is not None and any(command[0] in WRITES for command in commands):
                    commands.append(wait)
                    waiting.add(node.label)
                send(connection, commands)
            for (node, connection), (_, indices) in zip(taken, groups.values(), strict=True):
                label = node.label
                if reader is not None:
                    if connection._sock is None:
                        raise redis.ConnectionError("the connection closed before the reply")
                    wire = Wire(connection._sock)
                    for index in indices:
                        replies[index] = reader(wire, index)
                    if not wire.drained:
                        raise InvalidResponse("the server sent more than the replies asked for")
                    continue
                for index, reply in zip(indices, read_replies(connection, len(indices)), strict=True):
                    replies[index] = reply
                if node.label in waiting:
                    acks.append((node.label, read_replies(connection, 1)[0]))
            healthy = True
        except (RedisError, OSError) as exc:
            raise Failure(label, exc) from exc
        finally:
            for node, connection in taken:
                if not healthy:
                    connection.disconnect()
                node.pool.release(connection)
        return replies, acks


class Standalone(Transport):
    """One Redis server, over TCP or a Unix socket."""

    def __init__(
        self,
        addresses: Sequence[Address],
        timeouts: Timeouts,
        credential: Credential | None,
        on_retry: Callable[[str], None],
        auth: str,
    ) -> None:
        super().__init__(addresses, timeouts, on_retry, auth)
        self.address = random.choice(self.addresses)
        options: dict[str, Any] = {
            "username": credential.username if credential else None,
            "password": credential.password if credential else None,
            "socket_timeout": timeouts.socket,
            "socket_connect_timeout": min(timeouts.socket, timeouts.connect),
            "retry": Retry(NoBackoff(), 0),
            "protocol": 2,
        }
        if self.address.is_unix:
            client = redis.Redis(unix_socket_path=self.address.path, **options)
        else:
            client = redis.Redis(host=self.address.host, port=self.address.port, **options)
        self._node = Node(str(self.address), self.address, client)
        self.run([(self._node, (b"PING",))], connecting=True)

    def route(self, key: bytes) -> Node:
        return self._node

    def nodes(self) -> list[Node]:
        return [self._node]

    def describe(self) -> str:
        protocol = "Unix socket" if self.address.is_unix else "TCP"
        return f"standalone server {self.address} ({protocol})"
