"""Database addresses: ``host:port`` (optionally ``tcp://``) or ``unix:///absolute/path.sock``."""

from __future__ import annotations

import functools
import re
import socket
from dataclasses import dataclass

from hpcsim.client.options import ConfigOptions
from hpcsim.errors import ClientConnectionError

__all__ = ["Address", "parse_address", "parse_addresses", "read_addresses"]

_ALLOWED = re.compile(r"[A-Za-z0-9.:,/_\-\[\]]+")


@dataclass(frozen=True)
class Address:
    """One server: TCP ``host``/``port``, or a Unix socket ``path``."""

    host: str = ""
    port: int = 0
    path: str = ""

    @property
    def is_unix(self) -> bool:
        return bool(self.path)

    def __str__(self) -> str:
        if self.path:
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def same_server(self, other: Address) -> bool:
        """Whether both name one server, looking through host names (``localhost`` = ``127.0.0.1``)."""
        if self.is_unix or other.is_unix:
            return self.path == other.path
        return self.port == other.port and _canonical(self.host) == _canonical(other.host)


@functools.lru_cache(maxsize=64)
def _canonical(host: str) -> str:
    try:
        return str(socket.getaddrinfo(host, None)[0][4][0])
    except (OSError, IndexError):
        return host


def parse_address(text: str, origin: str = "address") -> Address:
    """One address; ClientConnectionError naming ``origin`` when it is malformed."""
    raw = text.strip()
    if raw.startswith("unix://"):
        path = raw[len("unix://") :]
        if not path.startswith("/"):
            raise ClientConnectionError(f"{origin}: {text!r} must name an absolute socket path (unix:///path.sock)")
        return Address(path=path)
    if raw.startswith("tcp://"):
        raw = raw[len("tcp://") :]
    host, sep, port = raw.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ClientConnectionError(f"{origin}: {text!r} is not host:port, tcp://host:port or unix:///path")
    return Address(host=host, port=int(port))


def parse_addresses(text: str, origin: str = "address") -> list[Address]:
    """A comma-separated list of addresses (empty entries skipped)."""
    if not _ALLOWED.fullmatch(text.replace(" ", "")):
        raise ClientConnectionError(f"{origin}: {text!r} holds characters not allowed in database addresses")
    addresses = [parse_address(part, origin) for part in text.split(",") if part.strip()]
    if not addresses:
        raise ClientConnectionError(f"{origin} is empty; expected host:port[,host:port...] or unix:///path")
    return addresses


def read_addresses(options: ConfigOptions) -> tuple[list[Address], str]:
    """Addresses from ``HPCSIM_DB`` or ``SSDB`` (suffixed for a named database) and the variable
    they came from."""
    found = options.lookup("HPCSIM_DB", "SSDB")
    if found is None:
        names = " or ".join(options.variable(name) for name in ("HPCSIM_DB", "SSDB"))
        raise ClientConnectionError(
            f"no database address: {names} is not set and no address was given; run the application "
            "from an hpcsim Experiment with an Orchestrator, or set it to host:port[,host:port...] or unix:///path"
        )
    variable, value = found
    return parse_addresses(value, variable), variable
