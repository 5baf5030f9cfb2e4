"""Redis Cluster databases: redis-py's RedisCluster keeps the slot map and the per-node pools;
commands go through :class:`hpcsim.client.connection.Transport` like a standalone server's."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import AskError, RedisClusterException, RedisError
from redis.retry import Retry

from hpcsim.client.address import Address
from hpcsim.client.connection import Failure, Node, Transport, reason
from hpcsim.client.options import Timeouts
from hpcsim.db.secret import Credential
from hpcsim.errors import ClientConnectionError

__all__ = ["Cluster"]


class Cluster(Transport):
    """A Redis Cluster; redis-py's RedisCluster keeps the slot map and per-node pools."""

    kind = "cluster"

    def __init__(
        self,
        addresses: Sequence[Address],
        timeouts: Timeouts,
        credential: Credential | None,
        on_retry: Callable[[str], None],
        auth: str,
    ) -> None:
        super().__init__(addresses, timeouts, on_retry, auth)
        unix = [str(address) for address in addresses if address.is_unix]
        if unix:
            raise ClientConnectionError(
                f"a Redis Cluster cannot be reached over a Unix socket ({', '.join(unix)}); "
                "use host:port addresses or a standalone database type"
            )
        self._last_refresh = 0.0
        self._nodes: dict[str, Node] = {}
        label = ", ".join(str(address) for address in addresses)

        def attempt() -> RedisCluster:
            try:
                return RedisCluster(
                    startup_nodes=[ClusterNode(a.host, a.port) for a in addresses],  # type: ignore[no-untyped-call]
                    username=credential.username if credential else None,
                    password=credential.password if credential else None,
                    socket_timeout=timeouts.socket,
                    socket_connect_timeout=min(timeouts.socket, timeouts.connect),
                    retry=Retry(NoBackoff(), 0),
                    protocol=2,
                )
            except (RedisError, RedisClusterException) as exc:
                raise Failure(label, exc) from exc

        self._cluster = self._retrying(attempt, connecting=True, recover=False)

    def _node(self, cluster_node: ClusterNode) -> Node:
        node = self._nodes.get(cluster_node.name)
        client = self._cluster.get_redis_connection(cluster_node)
        if node is None or node.client is not client:
            address = Address(host=cluster_node.host, port=int(cluster_node.port))
            node = self._nodes[cluster_node.name] = Node(cluster_node.name, address, client)
        return node

    def route(self, key: bytes) -> Node:
        return self._node(self._cluster.nodes_manager.get_node_from_slot(key_slot(key)))

    def nodes(self) -> list[Node]:
        return [self._node(node) for node in self._cluster.get_primaries()]  # type: ignore[no-untyped-call]

    def owns(self, node: Node, slot: int) -> bool:
        owners = self._cluster.nodes_manager.slots_cache.get(slot)
        if not owners:
            return False
        return bool(owners[0].name == node.label)

    def slot_ranges(self) -> dict[str, list[tuple[int, int]]]:
        """Slot ranges per primary, for ``str(client)``."""
        ranges: dict[str, list[tuple[int, int]]] = {}
        for slot in sorted(self._cluster.nodes_manager.slots_cache):
            name = self._cluster.nodes_manager.slots_cache[slot][0].name
            spans = ranges.setdefault(name, [])
            if spans and spans[-1][1] == slot - 1:
                spans[-1] = (spans[-1][0], slot)
            else:
                spans.append((slot, slot))
        return ranges

    def refresh(self) -> None:
        self._last_refresh = time.monotonic()
        self._cluster.nodes_manager.initialize()

    def _after_failure(self, error: BaseException) -> None:
        if isinstance(error, (AskError, RedisClusterException)) or time.monotonic() - self._last_refresh > 1.0:
            try:
                self.refresh()
            except (RedisError, RedisClusterException) as exc:
                self._on_retry(f"cannot re-read the cluster layout yet: {reason(exc)}")

    def close(self) -> None:
        self._cluster.close()

    def describe(self) -> str:
        shards = "; ".join(
            f"{name} (slots {', '.join(f'{a}-{b}' for a, b in spans)})" for name, spans in self.slot_ranges().items()
        )
        return f"Redis Cluster of {len(self.slot_ranges())} shards over TCP: {shards}"
