"""Writing and deleting below one directory without ever following a symlink.

A :class:`Dir` holds an open directory descriptor. Every path below it is reached one
component at a time, relative to its parent's descriptor and with ``O_NOFOLLOW``, so a symlink
found anywhere below the root, planted before generation or during it, is refused instead of
followed. New files are created with ``O_EXCL``, so an existing file (or link) is never
written through either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from pathlib import Path, PurePath
from types import TracebackType

from hpcsim.errors import GenerationError

__all__ = ["Dir"]

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_NOT_FOLLOWED = (errno.ELOOP, errno.ENOTDIR)


class Dir:
    """An open directory that generation writes into; ``path`` is only for messages."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    @classmethod
    def open(cls, path: Path, create: bool = True) -> Dir:
        """``path`` itself (made with its parents if ``create``); the last component may not be
        a symlink, its parents may (they are the path the user declared)."""
        if create:
            path.mkdir(parents=True, exist_ok=True)
        try:
            return cls(os.open(path, _DIR), path)
        except OSError as exc:
            raise _refusal(path, exc) from None

    def __enter__(self) -> Dir:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        os.close(self.fd)

    def sub(self, relative: PurePath, create: bool = True) -> Dir:
        """The directory ``relative`` below this one, each component made if ``create`` and
        entered only if it is a real directory."""
        current = Dir(os.dup(self.fd), self.path)
        for name in relative.parts:
            if name in ("", ".", ".."):
                os.close(current.fd)
                raise GenerationError(f"refusing the path {self.path / relative}: it may not hold {name!r}")
            shown = current.path / name
            try:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, 0o777, dir_fd=current.fd)
                fd = os.open(name, _DIR, dir_fd=current.fd)
            except OSError as exc:
                raise _refusal(shown, exc) from None
            finally:
                os.close(current.fd)
            current = Dir(fd, shown)
        return current

    def create(self, name: str, mode: int = 0o666) -> int:
        """A new file's write descriptor; refused if anything (file, link) has that name."""
        try:
            return os.open(name, _NEW, mode, dir_fd=self.fd)
        except FileExistsError:
            raise GenerationError(
                f"refusing to write {self.path / name}: something already has that name there "
                "(generate never writes through an existing file or symlink); remove it or rename the attachment"
            ) from None

    def copy_in(self, source: Path, name: str, follow: bool) -> None:
        """Copy regular file ``source`` (through a symlink only if ``follow``) with its mode and
        times, as ``shutil.copy2`` does."""
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
        try:
            src = os.open(source, flags)
        except OSError as exc:
            raise GenerationError(f"cannot copy {source}: {exc.strerror}; check the attachment") from None
        with open(src, "rb") as reader:
            info = os.fstat(src)
            if not stat.S_ISREG(info.st_mode):
                raise GenerationError(f"cannot copy {source}: it is not a regular file; attach a regular file")
            with open(self.create(name, 0o600), "wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
                writer.flush()
                os.fchmod(writer.fileno(), stat.S_IMODE(info.st_mode))
                os.utime(writer.fileno(), ns=(info.st_atime_ns, info.st_mtime_ns))

    def write_text(self, name: str, text: str, mode: int | None = None) -> None:
        """A new text file ``name`` holding ``text`` (``mode`` or the umask's default)."""
        with open(self.create(name), "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)

    def symlink(self, target: str, name: str) -> None:
        """A new symlink ``name`` -> ``target``; the link is made, never entered."""
        try:
            os.symlink(target, name, dir_fd=self.fd)
        except FileExistsError:
            raise GenerationError(
                f"refusing to make the symlink {self.path / name}: something already has that name there; "
                "rename one of the attachments"
            ) from None

    def remove_tree(self, name: str) -> None:
        """Delete the real directory ``name`` and everything in it; symlinks inside are removed
        as links (their targets are untouched), and a symlink ``name`` is refused."""
        try:
            info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(info.st_mode):
            raise GenerationError(
                f"refusing to delete {self.path / name}: it is not a real directory; remove it yourself"
            )
        try:
            _remove_at(self.fd, name)
        except OSError as exc:
            raise GenerationError(
                f"cannot delete {self.path / name}: {exc.strerror}; remove it yourself or pass overwrite=False"
            ) from None


def _remove_at(parent_fd: int, name: str) -> None:
    """``rm -r`` of directory ``name`` relative to ``parent_fd``, entering no symlink (one swapped
    in while deleting makes the open fail with ELOOP instead of being followed)."""
    fd = os.open(name, _DIR, dir_fd=parent_fd)
    try:
        with os.scandir(fd) as listing:
            children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in listing]
        for child, is_dir in children:
            if is_dir:
                _remove_at(fd, child)
            else:
                os.unlink(child, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent_fd)


def _refusal(path: Path, exc: OSError) -> GenerationError:
    if exc.errno in _NOT_FOLLOWED:
        return GenerationError(
            f"refusing to write into {path}: it is a symlink or not a directory, and generate never "
            "follows symlinks; remove it or choose another entity path"
        )
    return GenerationError(f"cannot create or open {path}: {exc.strerror}; check its permissions")
