"""Reading a job's files for the dashboard, safely: only regular files inside the experiment's
directory, reached with no symlink on the way (each directory opened with ``O_NOFOLLOW``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath

__all__ = ["Refused", "read_tail", "read_text"]

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Refused(Exception):
    """The file lies outside the experiment's directory, is reached through a symlink, or is
    not a regular file."""


def _below(roots: tuple[Path, ...], path: PurePath) -> tuple[Path, tuple[str, ...]]:
    """The one of ``roots`` that holds ``path`` (lexically; ``..`` is refused) and the
    components of ``path`` below it."""
    if not path.is_absolute() or ".." in path.parts:
        raise Refused(f"{path} is not a plain absolute path")
    for root in roots:
        if path.is_relative_to(root) and path != root:
            return root, path.relative_to(root).parts
    raise Refused(f"{path} is outside the experiment's directory")


def _open(roots: tuple[Path, ...], path: PurePath) -> int:
    """A descriptor of the regular file at ``path`` below one of ``roots``, opened one
    directory at a time, none of them a symlink. FileNotFoundError if it is missing."""
    root, parts = _below(roots, path)
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR, dir_fd=folder)
            os.close(folder)
            folder = inner
        handle = os.open(parts[-1], _FILE, dir_fd=folder)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Refused(f"{path} cannot be opened safely: {exc.strerror}") from exc
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise Refused(f"{path} is not a regular file")
    return handle


def read_tail(roots: tuple[Path, ...], path: PurePath, size: int) -> tuple[bytes, int]:
    """The last ``size`` bytes of the file at ``path`` and its whole size; ``(b"", 0)`` if it
    does not exist. ``roots``: the experiment's directory as given and as resolved."""
    try:
        handle = _open(roots, path)
    except FileNotFoundError:
        return b"", 0
    try:
        total = os.fstat(handle).st_size
        return os.pread(handle, size, max(0, total - size)), total
    finally:
        os.close(handle)


def read_text(roots: tuple[Path, ...], path: PurePath, limit: int) -> str:
    """The file at ``path`` (its first ``limit`` bytes) as text; empty if it does not exist."""
    try:
        handle = _open(roots, path)
    except FileNotFoundError:
        return ""
    try:
        return os.pread(handle, limit, 0).decode("utf-8", errors="replace")
    finally:
        os.close(handle)
