"""Files that readers on other processes or nodes see whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["create_atomic", "write_atomic"]


def _private(path: Path, data: bytes | str, durable: bool) -> str:
    """``data`` in a new private file beside ``path``; ``durable``: on the disk before it is
    published, so a crash leaves the old file or the new one, never an empty one."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode() if isinstance(data, str) else data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        os.unlink(partial)
        raise
    return partial


def write_atomic(path: Path, data: bytes | str, durable: bool = False) -> None:
    """Write ``data`` to a private temporary file beside ``path``, then rename it into place:
    readers see the old file or the whole new one, never a part."""
    partial = _private(path, data, durable)
    try:
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise


def create_atomic(path: Path, data: bytes | str, durable: bool = False) -> bool:
    """Create ``path`` holding ``data``, all at once, with a hard link that fails if the name
    exists (reliable on NFS, Lustre and GPFS, unlike ``O_EXCL`` on old NFS); False then."""
    partial = _private(path, data, durable)
    try:
        os.link(partial, path, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    except OSError:
        # NFS may report a failure for a link that was made (a lost reply): the link count tells
        if os.stat(partial).st_nlink == 2:
            return True
        raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
