"""One driver per experiment at a time: an owner record, ``<exp>/.hpcsim/driver.json``.

The first process that launches or generates in an experiment (its *driver*) writes the record:
its pid, its process start time, its host and since when. A second live process that tries to
launch there is refused with a message naming the first. Processes that only read or stop
(``hpcsim status``, ``hpcsim cancel``, ``Experiment.load(...).stop``) never take the record.

Experiment directories sit on NFS, Lustre or GPFS, so there are no POSIX locks: the record is
written whole to a private file (``O_EXCL | O_NOFOLLOW``) and then hard-linked into place, which
either creates ``driver.json`` or fails because it exists, on every one of those file systems.
The record is removed when its driver exits normally. A record whose process is dead on this
host is stale and taken over; one from another host cannot be checked from here, so hpcsim
refuses and says how to clear it.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import json
import logging
import os
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from hpcsim._proc import pid_alive, proc_stat
from hpcsim.errors import LaunchError

__all__ = ["OWNER_FILE", "DriverConflictError", "Owner", "claim", "current_owner", "owner_path", "release", "withdraw"]

_log = logging.getLogger("hpcsim.control")

OWNER_FILE = "driver.json"
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
#: records this process holds, by path; removed at exit
_held: dict[Path, Owner] = {}
#: directories a claim had to make, by record path (so a withdrawn claim leaves nothing)
_made: dict[Path, list[Path]] = {}


class DriverConflictError(LaunchError):
    """Another process drives this experiment."""


@dataclass(frozen=True)
class Owner:
    """The process that drives an experiment."""

    pid: int
    #: its start time in clock ticks since boot ('' without /proc): a recycled pid is not it
    start: str
    host: str
    since: float

    @classmethod
    def me(cls) -> Owner:
        return cls(os.getpid(), proc_stat(os.getpid())[1], socket.gethostname(), time.time())

    def same_process(self, other: Owner) -> bool:
        return (self.pid, self.start, self.host) == (other.pid, other.start, other.host)

    def describe(self) -> str:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.since))
        return f"pid {self.pid} on host {self.host}, since {since}"


def owner_path(exp_path: str | Path) -> Path:
    return Path(exp_path) / ".hpcsim" / OWNER_FILE


def _open_dir(exp_path: Path) -> tuple[int, list[Path]]:
    meta = exp_path / ".hpcsim"
    made = [d for d in (meta, *meta.parents) if not d.exists()]
    meta.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(meta, _DIR), made
    except OSError as exc:
        raise DriverConflictError(
            f"cannot record this process as the driver of {exp_path}: {meta} is a symlink or not a directory "
            f"({exc.strerror}); remove it and start again"
        ) from None


def _read(dir_fd: int, name: str, path: Path) -> Owner | None:
    """The record ``name``, or None when there is none; a record that is not one is refused."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DriverConflictError(
                f"{path} is a symlink, not a driver record hpcsim made; remove it and start again"
            ) from None
        raise DriverConflictError(f"cannot read the driver record {path}: {exc.strerror}") from None
    with open(fd, encoding="utf-8") as handle:
        text = handle.read()
    try:
        values = json.loads(text)
        return Owner(int(values["pid"]), str(values["start"]), str(values["host"]), float(values["since"]))
    except (ValueError, KeyError, TypeError):
        raise DriverConflictError(
            f"the driver record {path} is damaged ({text[:80]!r}); if no other driver runs in this experiment, "
            f"delete it (rm {path}) and start again"
        ) from None


def _publish(dir_fd: int, me: Owner) -> bool:
    """Write ``me`` as the record, whole, if there is none; False if one exists."""
    private = f".{OWNER_FILE}.{me.host}.{me.pid}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(private, dir_fd=dir_fd)
    fd = os.open(private, _NEW, 0o644, dir_fd=dir_fd)
    with open(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(me), handle)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(private, OWNER_FILE, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    except OSError:
        # NFS may report a failure for a link that was made (a lost reply): the link count tells
        if os.stat(private, dir_fd=dir_fd, follow_symlinks=False).st_nlink == 2:
            return True
        raise
    finally:
        os.unlink(private, dir_fd=dir_fd)


def _take_over(dir_fd: int, stale: Owner, me: Owner, path: Path) -> None:
    """Move a dead driver's record aside, unless another process replaced it meanwhile."""
    aside = f".{OWNER_FILE}.stale.{me.host}.{me.pid}"
    try:
        os.rename(OWNER_FILE, aside, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except FileNotFoundError:
        return  # someone else moved it first
    moved = _read(dir_fd, aside, path)
    if moved is not None and not moved.same_process(stale):  # a live record came in between: put it back
        with contextlib.suppress(FileExistsError):
            os.link(aside, OWNER_FILE, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    else:
        _log.info("%s: the previous driver (%s) is gone; this process takes over", path.parent.parent, stale.describe())
    os.unlink(aside, dir_fd=dir_fd)


def _refusal(exp_path: Path, path: Path, owner: Owner, me: Owner) -> DriverConflictError:
    head = (
        f"experiment {exp_path} is already driven by another process ({owner.describe()}); "
        "two drivers at once would start their databases and jobs over each other"
    )
    readers = "`hpcsim status` and `hpcsim cancel` (or Experiment.load(...).stop) work meanwhile"
    if owner.host == me.host:
        return DriverConflictError(f"{head}. Wait for it to end or stop it (kill {owner.pid}); {readers}")
    return DriverConflictError(
        f"{head}. hpcsim cannot see processes on {owner.host} from {me.host}: if that driver has ended "
        f"(check on {owner.host}: ps -p {owner.pid}), delete its record (rm {path}) and start again; {readers}"
    )


def claim(exp_path: Path) -> bool:
    """Make this process the driver of ``exp_path``, or refuse (:class:`DriverConflictError`)
    naming the live driver. True when this call wrote the record; claiming again from the
    same process is a no-op (False)."""
    path = owner_path(exp_path)
    held = _held.get(path)
    if held is not None and held.pid == os.getpid():
        return False
    me = Owner.me()
    dir_fd, made = _open_dir(exp_path)
    try:
        for _ in range(5):
            if _publish(dir_fd, me):
                _held[path] = me
                _made[path] = made
                return True
            current = _read(dir_fd, OWNER_FILE, path)
            if current is None:
                continue  # removed between our attempt and our look: try again
            if current.same_process(me):
                _held[path] = current
                return False
            if current.host == me.host and not pid_alive(current.pid, current.start or None):
                _take_over(dir_fd, current, me, path)
                continue
            for directory in made:  # refused: leave nothing behind
                with contextlib.suppress(OSError):
                    directory.rmdir()
            raise _refusal(exp_path, path, current, me)
        raise DriverConflictError(
            f"cannot record this process as the driver of {exp_path}: {path} keeps changing; "
            "is another driver starting there?"
        )
    finally:
        os.close(dir_fd)


def current_owner(exp_path: str | Path) -> Owner | None:
    """The recorded driver of ``exp_path`` (alive or not), or None."""
    path = owner_path(exp_path)
    try:
        dir_fd = os.open(path.parent, _DIR)
    except OSError:
        return None
    try:
        return _read(dir_fd, OWNER_FILE, path)
    finally:
        os.close(dir_fd)


def release(exp_path: str | Path) -> None:
    """Remove this process's record for ``exp_path``, if it holds it."""
    path = owner_path(exp_path)
    held = _held.pop(path, None)
    if held is None or held.pid != os.getpid():
        return  # a forked child never removes its parent's record
    try:
        dir_fd = os.open(path.parent, _DIR)
    except OSError:
        return
    try:
        try:
            current = _read(dir_fd, OWNER_FILE, path)
        except DriverConflictError:
            return
        if current is not None and current.same_process(held):
            os.unlink(OWNER_FILE, dir_fd=dir_fd)
    except OSError as exc:
        _log.warning("could not remove the driver record %s: %s", path, exc)
    finally:
        os.close(dir_fd)


def withdraw(exp_path: str | Path) -> None:
    """Undo this process's claim on ``exp_path`` (an operation that made it failed before
    doing anything): the record goes, and so do the directories the claim made, if empty."""
    path = owner_path(exp_path)
    made = _made.pop(path, [])
    release(exp_path)
    for directory in made:
        with contextlib.suppress(OSError):
            directory.rmdir()


@atexit.register
def _release_all() -> None:
    for path in list(_held):
        release(path.parent.parent)
