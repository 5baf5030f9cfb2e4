"""Databases with inference workers for the ML tests: shards started through the real shard
entrypoint (``python -m hpcsim.db.shard``), which starts a worker beside each server. A
standalone server and a 3-shard cluster, each started once per session and stopped at its end.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hpcsim.db import admin
from hpcsim.db.discovery import find_redis_cli, find_redis_server
from tests.client.conftest import free_port

_ENV_PREFIXES = (
    "HPCSIM_DB",
    "HPCSIM_KEY",
    "HPCSIM_CONN",
    "HPCSIM_CMD",
    "HPCSIM_SOCKET",
    "HPCSIM_MODEL",
    "SSDB",
    "SSKEY",
)


@dataclass
class MLDatabase:
    """Shards with workers, and the environment a client needs to reach them."""

    kind: str
    directory: Path
    processes: list[subprocess.Popen[bytes]]
    addresses: list[str]
    password_file: Path
    env: dict[str, str] = field(default_factory=dict)

    def worker_pids(self) -> list[int]:
        infos = sorted((self.directory / ".hpcsim").glob("*.worker.json"))
        return [int(json.loads(path.read_text())["pid"]) for path in infos]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_shard(
    directory: Path, name: str, password_file: Path, cluster: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    """One shard (and its worker) on a free loopback port; returns once it reports itself."""
    port = free_port(cluster)
    argv = [sys.executable, "-m", "hpcsim.db.shard", "--name", name, "--port", str(port), "--dir", str(directory)]
    argv += ["--server", str(find_redis_server()), "--password-file", str(password_file)]
    if cluster:
        argv.append("--cluster")
    log = (directory / f"{name}.log").open("wb")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    info = directory / ".hpcsim" / f"{name}.shard.json"
    deadline = time.monotonic() + 60
    while not info.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"shard {name} did not start: {(directory / f'{name}.log').read_text()[-2000:]}")
        time.sleep(0.02)
    return process, f"127.0.0.1:{port}"


def _wait_for_workers(directory: Path, names: list[str]) -> None:
    deadline = time.monotonic() + 60
    while not all((directory / ".hpcsim" / f"{n}.worker.json").exists() for n in names):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers of {names} did not start")
        time.sleep(0.05)


def start_database(root: Path, kind: str) -> MLDatabase:
    directory = root / kind
    directory.mkdir(parents=True)
    password_file = directory / "password"
    password = secrets.token_hex(16)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    names = [f"{kind}_{i}" for i in range(3 if kind == "cluster" else 1)]
    started = [start_shard(directory, name, password_file, cluster=kind == "cluster") for name in names]
    database = MLDatabase(kind, directory, [p for p, _ in started], [a for _, a in started], password_file)
    if kind == "cluster":
        admin.create_cluster(database.addresses, find_redis_cli(find_redis_server()), password, 60)
        admin.wait_cluster_ok(database.addresses, password, 60)
    _wait_for_workers(directory, names)
    database.env = {
        "HPCSIM_DB": ",".join(database.addresses),
        "HPCSIM_DB_TYPE": kind if kind == "cluster" else "standalone",
        "HPCSIM_DB_PASSWORD_FILE": str(password_file),
    }
    return database


class _Farm:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.databases: dict[str, MLDatabase] = {}

    def get(self, kind: str) -> MLDatabase:
        if kind not in self.databases:
            self.databases[kind] = start_database(self.root, kind)
        return self.databases[kind]


@pytest.fixture(scope="session")
def ml_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Farm]:
    farm = _Farm(tmp_path_factory.mktemp("mldb"))
    try:
        yield farm
    finally:
        for database in farm.databases.values():
            database.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) or name.startswith("SR_"):
            monkeypatch.delenv(name)


def _use(database: MLDatabase, monkeypatch: pytest.MonkeyPatch) -> MLDatabase:
    for name, value in database.env.items():
        monkeypatch.setenv(name, value)
    return database


@pytest.fixture(params=["standalone", "cluster"])
def mldb(request: pytest.FixtureRequest, ml_farm: _Farm, monkeypatch: pytest.MonkeyPatch) -> MLDatabase:
    """Each test runs against a standalone server and a 3-shard cluster, both with workers."""
    return _use(ml_farm.get(request.param), monkeypatch)


@pytest.fixture
def standalone_ml(ml_farm: _Farm, monkeypatch: pytest.MonkeyPatch) -> MLDatabase:
    return _use(ml_farm.get("standalone"), monkeypatch)


@pytest.fixture
def private_ml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MLDatabase]:
    """A standalone server of this test's own, for tests that stop or pause its worker."""
    database = start_database(tmp_path, "standalone")
    try:
        yield _use(database, monkeypatch)
    finally:
        for pid in database.worker_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        database.stop()
