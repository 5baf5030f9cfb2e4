"""Issue 19: a job store on a full file system is a one-line JobStoreError that says the disk
is full and names the file, not a raw sqlite3.OperationalError. The full disk is real: a tiny
tmpfs, which only root can mount (the test skips with that reason otherwise)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hpcsim.control.store import JobStore, JobStoreError, NewJob, store_path
from hpcsim.status import Status


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to fill needs root (run this test as root, as .ci/run does)")
    if shutil.which("mount") is None:
        pytest.skip("no mount command on this machine")
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> None:
    """Write until the file system says ENOSPC."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def _job(index: int) -> NewJob:
    text = "x" * 2000
    return NewJob(f"job{index}", "model", "local", str(index), text, text, text, text, Status.RUNNING)


def test_full_disk_is_one_clear_line(tiny_fs: Path) -> None:
    path = store_path(tiny_fs / "exp")
    store = JobStore(path)
    store.set_meta(name="full", launcher="local")
    _fill(tiny_fs)
    with pytest.raises(JobStoreError) as caught:
        for index in range(200):
            store.add([_job(index)])
    message = str(caught.value)
    assert message.startswith(f"cannot write the job store {str(path / 'jobs')!r}: the file system is full")
    assert "free space there" in message and "\n" not in message
    store.close()


def test_starting_a_store_on_a_full_disk(tiny_fs: Path) -> None:
    (tiny_fs / "exp" / ".hpcsim").mkdir(parents=True)
    _fill(tiny_fs)
    path = store_path(tiny_fs / "exp")
    with pytest.raises(JobStoreError, match=r"cannot write the job store .*experiment.json': the file system is full"):
        JobStore(path).set_meta(name="full", launcher="local")
    assert [p.name for p in (path).iterdir() if p.name.startswith(".")] == []  # no partial file left behind
