"""Client operations aimed at one server by address: INFO, CLUSTER INFO, FLUSHDB, CONFIG, SAVE.

Every address must be one of the database's servers (for a cluster: any of its primaries);
anything else is a ClientError listing them.
"""

from __future__ import annotations

from typing import Any

from redis.exceptions import ResponseError

from hpcsim.client._base import ClientBase, check_str, check_str_list
from hpcsim.errors import ClientError

__all__ = ["AdminOps", "parse_info"]


def parse_info(text: str) -> dict[str, dict[str, str]]:
    """``INFO`` output as ``{section: {field: value}}`` (values kept as strings, as SmartRedis)."""
    sections: dict[str, dict[str, str]] = {}
    current = sections.setdefault("", {})
    for line in text.splitlines():
        if line.startswith("# "):
            current = sections.setdefault(line[2:].strip(), {})
        elif ":" in line:
            name, value = line.split(":", 1)
            current[name] = value.strip()
    if not sections[""]:
        del sections[""]
    return sections


def _text(reply: Any) -> str:
    return reply.decode() if isinstance(reply, bytes) else str(reply)


class AdminOps(ClientBase):
    """Server-information and maintenance commands."""

    def _each(self, addresses: list[str], *command: bytes) -> list[Any]:
        nodes = [self._node(address) for address in check_str_list(addresses, "addresses")]
        replies = []
        for node in nodes:
            reply = self._run([(node, command)])[0]
            if isinstance(reply, ResponseError):
                raise ClientError(f"{b' '.join(command).decode()} on {node.label} failed: {reply}")
            replies.append(reply)
        return replies

    def get_db_node_info(self, addresses: list[str]) -> list[dict[str, dict[str, str]]]:
        """``INFO EVERYTHING`` of each server, by section: ``info[0]["Persistence"]["rdb_changes_since_last_save"]``."""
        return [parse_info(_text(reply)) for reply in self._each(addresses, b"INFO", b"EVERYTHING")]

    def get_db_cluster_info(self, addresses: list[str]) -> list[dict[str, str]]:
        """``CLUSTER INFO`` of each server; ClientError for a standalone database."""
        check_str_list(addresses, "addresses")
        if self._transport.kind != "cluster":
            raise ClientError(
                "get_db_cluster_info needs a Redis Cluster; this client is connected to a standalone server"
            )
        return [parse_info(_text(reply)).get("", {}) for reply in self._each(addresses, b"CLUSTER", b"INFO")]

    def flush_db(self, addresses: list[str]) -> None:
        """Delete every key on each server (``FLUSHDB``)."""
        self._each(addresses, b"FLUSHDB")

    def config_get(self, expression: str, address: str) -> dict[str, str]:
        """``CONFIG GET expression`` on one server; ``{}`` when nothing matches."""
        check_str(expression, "expression")
        node = self._node(address)
        reply = self._run([(node, (b"CONFIG", b"GET", expression.encode()))])[0]
        if isinstance(reply, ResponseError):
            raise ClientError(f"CONFIG GET {expression!r} on {node.label} failed: {reply}")
        return {_text(name): _text(value) for name, value in zip(reply[0::2], reply[1::2], strict=True)}

    def config_set(self, config_param: str, value: str, address: str) -> None:
        """``CONFIG SET config_param value`` on one server; ClientError for an unknown parameter."""
        check_str(config_param, "config_param")
        check_str(value, "value")
        node = self._node(address)
        reply = self._run([(node, (b"CONFIG", b"SET", config_param.encode(), value.encode()))])[0]
        if isinstance(reply, ResponseError):
            raise ClientError(f"CONFIG SET {config_param} on {node.label} failed: {reply}")

    def save(self, addresses: list[str]) -> None:
        """Write a snapshot on each server (``SAVE``, blocking)."""
        self._each(addresses, b"SAVE")
