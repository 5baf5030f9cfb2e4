"""Network interface names to IPv4 addresses (Linux ``SIOCGIFADDR``), standard library only."""

from __future__ import annotations

import fcntl
import socket
import struct

__all__ = ["interface_address", "interface_names", "routable_addresses"]

_SIOCGIFADDR = 0x8915


def interface_names() -> list[str]:
    return [name for _, name in socket.if_nameindex()]


def interface_address(name: str) -> str:
    """The IPv4 address of interface ``name``; ValueError with the interfaces there are."""
    if name == "lo":
        return "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
        except OSError:
            known = ", ".join(interface_names()) or "none"
            raise ValueError(
                f"network interface {name!r} has no IPv4 address on {socket.gethostname()} (interfaces here: {known})"
            ) from None
    return socket.inet_ntoa(packed[20:24])


def routable_addresses() -> list[str]:
    """The IPv4 addresses of every interface except loopback, in interface order."""
    found = []
    for name in interface_names():
        try:
            address = interface_address(name)
        except ValueError:
            continue  # an interface without IPv4 (down, or IPv6 only)
        if not address.startswith("127."):
            found.append(address)
    return found
