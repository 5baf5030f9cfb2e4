"""The per-experiment database credentials: random, in files only their owner can read.

``db.secret`` holds the admin password (Redis's ``default`` user: hpcsim itself);
``db.app.secret`` holds ``USERNAME PASSWORD`` of the applications' ACL user
(:mod:`hpcsim.db.acl`). Both are made with ``O_CREAT | O_EXCL | O_NOFOLLOW`` inside a
directory opened with ``O_NOFOLLOW``, so a planted symlink is never followed; a file that is
already there is used only if it is a regular file, owned by this user, with mode 0600 and some
content. Anything else is refused with a message saying what to do: hpcsim never repairs (chmods) a password file it
did not just make, since others may already have read it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from hpcsim.errors import DatabaseError

__all__ = [
    "APP_SECRET_NAME",
    "SECRET_NAME",
    "Credential",
    "app_secret_path",
    "ensure_secret",
    "parse_credential",
    "read_credential",
    "read_secret",
]

SECRET_NAME = "db.secret"
APP_SECRET_NAME = "db.app.secret"

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Credential:
    """Whom to authenticate as: ``AUTH username password``, or ``AUTH password`` (Redis's
    default user) when ``username`` is None."""

    username: str | None
    password: str


def ensure_secret(hidden_dir: Path, name: str = SECRET_NAME, username: str | None = None) -> Path:
    """``<hidden_dir>/<name>`` (mode 0600), created with a new random password (after
    ``username`` and a space, if given) if absent; an existing one is checked (see the
    module's docstring), never changed."""
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
            password = secrets.token_hex(32)
            handle.write(f"{username} {password}\n" if username else f"{password}\n")
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
    """The password an admin secret file holds (its content without surrounding whitespace)."""
    return Path(path).read_text(encoding="utf-8").strip()


def app_secret_path(secret: str | Path) -> Path:
    """The applications' credential file that goes with the admin secret file ``secret``."""
    return Path(secret).with_name(APP_SECRET_NAME)


def parse_credential(text: str) -> Credential:
    """A credential file's content: one line holding ``PASSWORD`` (the default user) or
    ``USERNAME PASSWORD``; ValueError says what is wrong with it."""
    lines = text.strip().splitlines()
    if not lines:
        raise ValueError("is empty")
    words = lines[0].split()
    if len(lines) > 1 or len(words) > 2:
        raise ValueError("must hold one line: PASSWORD, or USERNAME PASSWORD (separated by a space)")
    return Credential(None, words[0]) if len(words) == 1 else Credential(words[0], words[1])


def read_credential(path: str | Path) -> Credential:
    """The credential the file at ``path`` holds (see :func:`parse_credential`)."""
    try:
        return parse_credential(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise DatabaseError(f"the database password file {path} {exc}") from None
