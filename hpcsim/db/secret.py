"""The per-experiment database password: random, in a file only its owner can read.

The file is made with ``O_CREAT | O_EXCL | O_NOFOLLOW`` inside a directory opened with
``O_NOFOLLOW``, so a planted symlink is never followed; a file that is already there is used only
if it is a regular file, owned by this user, with mode 0600 and some content. Anything else is
refused with a message saying what to do: hpcsim never repairs (chmods) a password file it
did not just make, since others may already have read it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from hpcsim.errors import DatabaseError

__all__ = ["SECRET_NAME", "ensure_secret", "read_secret"]

SECRET_NAME = "db.secret"

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def ensure_secret(hidden_dir: Path, name: str = SECRET_NAME) -> Path:
    """``<hidden_dir>/<name>`` (mode 0600), created with a new random password if absent; an
    existing one is checked (see the module's docstring), never changed."""
    path = hidden_dir / name
    with contextlib.suppress(FileExistsError):  # a dangling link or a file: refused just below
        hidden_dir.mkdir(parents=True, exist_ok=True)
    try:
        dir_fd = os.open(hidden_dir, _DIR)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise DatabaseError(
                f"{hidden_dir} is a symlink or not a directory, so the database password cannot be kept "
                "safely there; remove it (hpcsim makes a real directory) and start again"
            ) from None
        raise DatabaseError(f"cannot open {hidden_dir}: {exc.strerror}; check its permissions") from None
    try:
        try:
            fd = os.open(name, _CREATE, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            _check_existing(dir_fd, path)
            return path
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)  # whatever the umask
            handle.write(secrets.token_hex(32) + "\n")
        return path
    finally:
        os.close(dir_fd)


def _check_existing(dir_fd: int, path: Path) -> None:
    fix = "remove it (with no database of this experiment running) and start again; hpcsim makes a new one"
    try:
        fd = os.open(path.name, _READ, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DatabaseError(f"{path} is a symlink, not a password file hpcsim made; {fix}") from None
        raise DatabaseError(f"cannot open {path}: {exc.strerror}; {fix}") from None
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif info.st_uid != os.geteuid():
        problem = f"is owned by uid {info.st_uid}, not by you (uid {os.geteuid()}), so its password may be known"
    elif mode != 0o600:
        problem = f"has mode {mode:04o}, not 0600, so others may have read the password"
    elif info.st_size == 0:
        problem = "is empty (an interrupted start?)"
    else:
        return
    raise DatabaseError(f"{path} {problem}; {fix}")


def read_secret(path: str | Path) -> str:
    """The password a secret file holds (its content without surrounding whitespace)."""
    return Path(path).read_text(encoding="utf-8").strip()
