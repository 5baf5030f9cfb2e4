"""The job store's files and how they are written, for shared file systems (NFS, Lustre, GPFS).

Every file is written whole to a private temporary file and then renamed into place (or, for
a new launch, hard-linked, which fails instead of replacing one that exists). Readers on any
host see the old file or the whole new one, never a part. Nothing depends on POSIX locks, mmap
or SQLite's shared-memory WAL, none of which those file systems provide reliably across hosts.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from hpcsim._atomic import create_atomic, write_atomic

__all__ = ["check_dirs", "create_new", "read_json", "replace", "to_json"]


def to_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def replace(path: Path, data: bytes) -> None:
    """Make ``path`` hold ``data``, all at once, flushed to the disk first."""
    write_atomic(path, data, durable=True)


def create_new(path: Path, data: bytes) -> bool:
    """Create ``path`` holding ``data``, all at once; False (and nothing written) if it exists."""
    return create_atomic(path, data, durable=True)


def read_json(path: Path) -> Any:
    """The parsed file, never through a symlink."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        return json.loads(handle.read())


def check_dirs(*paths: Path) -> None:
    """Each of ``paths`` is a real directory, made here if missing; a symlink is refused
    (:class:`NotADirectoryError`), so the store never writes where a planted link points."""
    for path in paths:
        with contextlib.suppress(FileExistsError):
            path.mkdir()
        if path.is_symlink() or not path.is_dir():
            raise NotADirectoryError(f"{path} is a symlink or not a directory")
