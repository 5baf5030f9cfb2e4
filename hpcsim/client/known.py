"""The databases this process started or reconnected to, with their password files.

A driver's ``Client(address=db.get_address()[0], cluster=False)`` (SmartSim's tutorial) names
no password: when every address it is given belongs to a database this process brought up,
the client authenticates with that database's password file, as the driver that owns it.
Applications run in processes of their own and find their credential in the environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hpcsim.client.address import Address, parse_address
from hpcsim.errors import ClientConnectionError

__all__ = ["forget", "password_file_for", "remember"]

_KNOWN: dict[Address, str] = {}


def _parsed(addresses: Iterable[str]) -> list[Address]:
    try:
        return [parse_address(a) for a in addresses]
    except ClientConnectionError:
        return []


def remember(addresses: Iterable[str], password_file: str | None) -> None:
    """Addresses of a database that runs, and its admin password file (None: no password)."""
    for address in _parsed(addresses):
        if password_file:
            _KNOWN[address] = password_file
        else:
            _KNOWN.pop(address, None)


def forget(addresses: Iterable[str]) -> None:
    for address in _parsed(addresses):
        _KNOWN.pop(address, None)


def password_file_for(addresses: Sequence[Address]) -> str | None:
    """The password file of the database at ``addresses``, if this process knows it."""
    files = {_KNOWN.get(address) for address in addresses}
    return files.pop() if len(files) == 1 else None
