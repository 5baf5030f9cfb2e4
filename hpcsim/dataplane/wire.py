"""RESP2 on the socket: packing commands whose arguments are several buffers, sending them as one
pipeline on a redis-py connection, and reading bulk replies straight into caller-owned memory.

redis-py would concatenate a tensor's header and elements into one argument, and would read a
bulk reply into a growing buffer and then copy it into a ``bytes`` object (two copies, and slow
for large values). ``pack`` sends big parts as they are; ``Wire`` reads a reply's line with one
``recv_into`` and lets the caller receive the payload directly into, say, a numpy array.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from redis._parsers import BaseParser
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["BIG_PART", "Blob", "Command", "Connection", "Wire", "exchange", "pack", "read_bulk", "read_replies", "send"]

BIG_PART = 64 * 1024
"""Parts bigger than this are sent as their own buffer instead of being copied."""

_LINE_BUFFER = 8192
"""Bytes received per read while looking for a reply line; payloads beyond go straight to
their destination."""

Blob = tuple[bytes | memoryview, ...]
"""One bulk-string argument given as parts to be sent back to back."""
Command = Sequence[bytes | Blob]


def pack(commands: Sequence[Command]) -> list[bytes | bytearray | memoryview]:
    """RESP2 multi-bulk encoding of ``commands``; parts bigger than BIG_PART are passed through."""
    out: list[bytes | bytearray | memoryview] = []
    buf = bytearray()
    for command in commands:
        buf += b"*%d\r\n" % len(command)
        for arg in command:
            parts: Sequence[bytes | memoryview] = (arg,) if isinstance(arg, bytes) else arg
            buf += b"$%d\r\n" % sum(len(part) for part in parts)
            for part in parts:
                if len(part) > BIG_PART:
                    out.append(buf)
                    out.append(part)
                    buf = bytearray()
                else:
                    buf += part
            buf += b"\r\n"
    out.append(buf)
    return out


class Wire:
    """Reads replies from a connected socket; socket errors become redis-py's exception types so
    that they are retried like any other connection failure."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray(_LINE_BUFFER)
        self._start = 0
        self._end = 0

    @property
    def drained(self) -> bool:
        """Whether every byte received so far has been consumed."""
        return self._start == self._end

    def _recv_into(self, view: memoryview) -> int:
        try:
            count = self._sock.recv_into(view)
        except TimeoutError:
            raise RedisTimeoutError("timeout reading from the server") from None
        except OSError as exc:
            raise RedisConnectionError(f"error reading from the server: {exc}") from None
        if count == 0:
            raise RedisConnectionError("the server closed the connection")
        return count

    def _fill(self) -> None:
        if self._start == self._end:
            self._start = self._end = 0
        elif self._end == len(self._buf):
            kept = self._end - self._start
            self._buf[:kept] = self._buf[self._start : self._end]
            self._start, self._end = 0, kept
            if kept == len(self._buf):
                self._buf.extend(bytes(len(self._buf)))
        self._end += self._recv_into(memoryview(self._buf)[self._end :])

    def line(self) -> bytes:
        """The next CRLF-terminated line, without the CRLF."""
        while True:
            at = self._buf.find(b"\r\n", self._start, self._end)
            if at >= 0:
                text = bytes(self._buf[self._start : at])
                self._start = at + 2
                return text
            self._fill()

    def read_into(self, view: memoryview) -> None:
        """Fill ``view`` (a byte view) with the next ``len(view)`` bytes."""
        size = len(view)
        have = min(self._end - self._start, size)
        if have:
            view[:have] = memoryview(self._buf)[self._start : self._start + have]
            self._start += have
        while have < size:
            have += self._recv_into(view[have:])

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes."""
        if self._end - self._start >= size:
            data = bytes(self._buf[self._start : self._start + size])
            self._start += size
            return data
        out = bytearray(size)
        self.read_into(memoryview(out))
        return bytes(out)

    def end_bulk(self) -> None:
        """Consume the CRLF that ends a bulk string."""
        if self.read(2) != b"\r\n":
            raise InvalidResponse("bulk reply not terminated by CRLF")


def read_bulk(wire: Wire, body: Callable[[Wire, int], Any]) -> Any:
    """One reply expected to be a bulk string: ``None`` for nil, a ``ResponseError`` for an error
    reply, else whatever ``body(wire, length)`` makes of the payload."""
    line = wire.line()
    kind = line[:1]
    if kind == b"$":
        try:
            length = int(line[1:])
        except ValueError:
            raise InvalidResponse(f"bad bulk length {line[:60]!r}") from None
        if length < 0:
            return None
        value = body(wire, length)
        wire.end_bulk()
        return value
    if kind == b"-":
        error = BaseParser.parse_error(line[1:].decode(errors="replace"))  # type: ignore[no-untyped-call]
        if not isinstance(error, ResponseError):
            raise error
        return error
    raise InvalidResponse(f"unexpected reply {line[:60]!r} where a bulk string was expected")


class _Replies(Protocol):
    def read_response(self) -> Any: ...


class Connection(_Replies, Protocol):
    """What the data plane uses of a redis-py connection (``ConnectionPool.get_connection()``)."""

    def send_packed_command(
        self, command: Sequence[bytes | bytearray | memoryview], check_health: bool = ...
    ) -> None: ...

    def disconnect(self) -> None: ...


def send(connection: Connection, commands: Sequence[Command]) -> None:
    """Send ``commands`` on ``connection`` as one packed pipeline, without redis-py's health
    check (a PING when its interval is set); read their replies with :func:`read_replies`."""
    connection.send_packed_command(pack(commands), check_health=False)


def read_replies(connection: _Replies, count: int) -> list[Any]:
    """The next ``count`` replies on a redis-py connection, in order; an error reply is its
    ResponseError as a value, not raised, so one failed command leaves the others' replies."""
    replies: list[Any] = []
    for _ in range(count):
        try:
            replies.append(connection.read_response())
        except ResponseError as exc:
            replies.append(exc)
    return replies


def exchange(connection: Connection, commands: Sequence[Command]) -> list[Any]:
    """Send ``commands`` as one pipeline and return their replies, in order (:func:`send`,
    :func:`read_replies`). A connection error or timeout disconnects ``connection`` before it is
    raised, so no reply left unread is taken later for another command's; redis-py connects it
    again on its next send."""
    try:
        send(connection, commands)
        return read_replies(connection, len(commands))
    except (RedisConnectionError, RedisTimeoutError, OSError):
        connection.disconnect()
        raise
