"""State and helpers shared by the Client's tensor, dataset/list and admin operations."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from redis.crc import key_slot
from redis.exceptions import ResponseError

from hpcsim.client.address import parse_address
from hpcsim.client.connection import Command, Node, Target, Transport
from hpcsim.client.keys import KeyBuilder
from hpcsim.client.log import SRObject
from hpcsim.dataplane import codec
from hpcsim.dataplane.wire import Wire, read_bulk
from hpcsim.errors import ClientError, KeyNotFoundError

__all__ = ["ClientBase", "check_array", "check_bool", "check_int", "check_key", "check_str", "check_str_list"]


def check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def check_key(value: object, what: str) -> str:
    """A tensor, list, model or script name, or a raw key: a non-empty str (TypeError for
    another type, ValueError for an empty one, as SmartRedis' callers expect)."""
    if not check_str(value, what):
        raise ValueError(f"{what} must not be empty")
    return str(value)


def check_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return int(value)


def check_bool(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be a bool, not {type(value).__name__}")
    return value


def check_array(value: object, what: str = "data") -> np.ndarray[Any, Any]:
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} must be a numpy.ndarray, not {type(value).__name__}")
    return value


def check_str_list(value: object, what: str) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{what} must be a list of str, not {value!r}")
    return list(value)


class ClientBase(SRObject):
    """The connection, the key builder and the command helpers every operation uses."""

    _transport: Transport
    _keys: KeyBuilder

    def _node(self, address: str) -> Node:
        """The database's server at ``address``; ClientError if it is not one of them."""
        return self._transport.node_at(parse_address(check_str(address, "address"), "address"))

    def _run(self, items: Sequence[tuple[Target, Command]]) -> list[Any]:
        return self._transport.run(items)

    def _get_tensors(self, keys: Sequence[str]) -> list[np.ndarray[Any, Any] | None]:
        """``GET`` each key and receive the tensors straight into new arrays; None where missing."""

        def read(wire: Wire, index: int) -> Any:
            return read_bulk(wire, lambda source, length: codec.read_tensor(source, length, keys[index]))

        encoded = [key.encode() for key in keys]
        replies = self._transport.run([(key, (b"GET", key)) for key in encoded], reader=read)
        for key, reply in zip(keys, replies, strict=True):
            if isinstance(reply, ResponseError):
                raise ClientError(f"GET {key!r} failed: {reply}")
        return replies

    def _call(self, key: str, command: bytes, *args: bytes | tuple[bytes | memoryview, ...]) -> Any:
        """Run ``command key args...`` on the node owning ``key``; ClientError on an error reply."""
        raw = key.encode()
        reply = self._transport.run([(raw, (command, raw, *args))])[0]
        if isinstance(reply, ResponseError):
            raise ClientError(f"{command.decode()} {key!r} failed: {reply}")
        return reply

    @staticmethod
    def _check_replies(replies: Sequence[Any], what: str) -> None:
        for reply in replies:
            if isinstance(reply, ResponseError):
                raise ClientError(f"{what} failed: {reply}")

    def _same_slot(self, first: str, second: str) -> bool:
        """Whether a server-side COPY/RENAME may take both keys (always, on a standalone server)."""
        return self._transport.kind != "cluster" or key_slot(first.encode()) == key_slot(second.encode())

    def _missing(self, kind: str, key: str, prefixed: bool) -> KeyNotFoundError:
        source = f" (data source {self._keys.source!r})" if prefixed else ""
        return KeyNotFoundError(f"no {kind} {key!r} in the database{source}")

    @staticmethod
    def _poll(check: Callable[[], bool], poll_frequency_ms: int, num_tries: int) -> bool:
        pause = check_int(poll_frequency_ms, "poll_frequency_ms")
        tries = check_int(num_tries, "num_tries")
        if pause < 0 or tries < 0:
            raise ValueError("poll_frequency_ms and num_tries must not be negative")
        for _ in range(tries):
            if check():
                return True
            time.sleep(pause / 1000)
        return False
