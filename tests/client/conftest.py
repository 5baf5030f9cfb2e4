"""Real Redis servers for the client tests: standalone over TCP, a 3-shard Redis Cluster, and
standalone on a Unix socket only. Each starts at most once per session, with a password (given
to clients through a 0600 file), no persistence and 4 GB bulk/query limits, and is shut down at
the end of the session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from hpcsim.db.discovery import find_redis_cli, find_redis_server

PASSWORD = secrets.token_hex(16)
KINDS = ("standalone", "cluster", "uds")
_ENV_PREFIXES = ("HPCSIM_DB", "HPCSIM_KEY", "HPCSIM_CONN", "HPCSIM_CMD", "HPCSIM_SOCKET", "HPCSIM_LOG", "SSDB", "SSKEY")
_ENV_PREFIXES_SR = ("SR_",)


@dataclass
class Server:
    """One redis-server process we started."""

    process: subprocess.Popen[bytes]
    directory: Path
    port: int = 0
    socket_path: str = ""
    password: str = PASSWORD

    @property
    def address(self) -> str:
        return f"unix://{self.socket_path}" if self.socket_path else f"127.0.0.1:{self.port}"

    def redis(self) -> redis.Redis:
        options = {"password": self.password, "protocol": 2, "retry": Retry(NoBackoff(), 0)}
        if self.socket_path:
            return redis.Redis(unix_socket_path=self.socket_path, **options)
        return redis.Redis(host="127.0.0.1", port=self.port, **options)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(redis.RedisError):
                self.redis().execute_command("SHUTDOWN", "NOSAVE")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(cluster: bool = False) -> int:
    """A loopback port that is free (and whose cluster-bus port, +10000, is too)."""
    for _ in range(200):
        port = secrets.randbelow(20000) + 20000 if cluster else 0
        if cluster and not _port_free(port):
            continue  # a random cluster port may be taken: draw another
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
            port = probe.getsockname()[1]
        if not cluster or (port + 10000 < 65536 and _port_free(port + 10000)):
            return port
    raise RuntimeError("no free loopback port found")


def start_server(directory: Path, *, unix: bool = False, cluster: bool = False, password: str = PASSWORD) -> Server:
    """Start redis-server in ``directory`` and wait until it answers PING."""
    directory.mkdir(parents=True, exist_ok=True)
    binary = find_redis_server()
    for _ in range(3):
        port = 0 if unix else free_port(cluster)
        lines = [
            "bind 127.0.0.1",
            f"port {port}",
            f"dir {directory}",
            f"logfile {directory / 'redis.log'}",
            f"requirepass {password}",
            'save ""',
            "appendonly no",
            "proto-max-bulk-len 4gb",
            "client-query-buffer-limit 4gb",
        ]
        socket_path = str(directory / "redis.sock") if unix else ""
        if unix:
            lines += [f"unixsocket {socket_path}", "unixsocketperm 700"]
        if cluster:
            lines += ["cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 1000"]
        config = directory / "redis.conf"
        config.write_text("\n".join(lines) + "\n")
        config.chmod(0o600)
        process = subprocess.Popen([str(binary), str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = Server(process, directory, port, socket_path, password)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if server.redis().ping():
                    return server
            except redis.RedisError:
                time.sleep(0.05)
        server.stop()
    log = (directory / "redis.log").read_text() if (directory / "redis.log").exists() else ""
    raise RuntimeError(f"redis-server in {directory} did not start:\n{log[-2000:]}")


def form_cluster(servers: list[Server]) -> None:
    """``redis-cli --cluster create`` over ``servers``, then wait for cluster_state:ok everywhere."""
    cli = find_redis_cli(find_redis_server())
    env = dict(os.environ, REDISCLI_AUTH=PASSWORD)
    argv = [str(cli), "--cluster", "create", *(s.address for s in servers), "--cluster-replicas", "0", "--cluster-yes"]
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [s.redis().execute_command("CLUSTER", "INFO") for s in servers]
        if all(b"cluster_state:ok" in state for state in states):
            return
        time.sleep(0.1)
    raise RuntimeError("the test Redis Cluster never reached cluster_state:ok")


@dataclass
class Database:
    """One test database: its kind, its servers and the environment a client needs."""

    kind: str
    servers: list[Server]
    password_file: Path
    env: dict[str, str] = field(default_factory=dict)

    def flush(self) -> None:
        for server in self.servers:
            server.redis().flushall()


class _Farm:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.password_file = root / "password"
        self.password_file.write_text(PASSWORD + "\n")
        self.password_file.chmod(0o600)
        self.started: list[Server] = []
        self.databases: dict[str, Database] = {}

    def get(self, kind: str) -> Database:
        if kind not in self.databases:
            if kind == "cluster":
                servers = [start_server(self.root / f"cluster{i}", cluster=True) for i in range(3)]
                self.started += servers
                form_cluster(servers)
            else:
                servers = [start_server(self.root / kind, unix=kind == "uds")]
                self.started += servers
            address = ",".join(s.address for s in servers)
            env = {
                "HPCSIM_DB": address,
                "HPCSIM_DB_TYPE": "cluster" if kind == "cluster" else "standalone",
                "HPCSIM_DB_PASSWORD_FILE": str(self.password_file),
            }
            self.databases[kind] = Database(kind, servers, self.password_file, env)
        return self.databases[kind]


@pytest.fixture(scope="session")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Farm]:
    """Servers started on first use and stopped at the end of the session."""
    servers = _Farm(tmp_path_factory.mktemp("redis"))
    try:
        yield servers
    finally:
        for server in servers.started:
            server.stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No database, prefix, timeout or logging variable leaks in from the caller's shell."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES + _ENV_PREFIXES_SR):
            monkeypatch.delenv(name)


@pytest.fixture(params=KINDS)
def db(request: pytest.FixtureRequest, farm: _Farm, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Each test runs against the three databases, emptied first, with its env set."""
    database = farm.get(request.param)
    database.flush()
    for name, value in database.env.items():
        monkeypatch.setenv(name, value)
    yield database


@pytest.fixture
def standalone(farm: _Farm, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Only the standalone TCP database (for tests that need one server)."""
    database = farm.get("standalone")
    database.flush()
    for name, value in database.env.items():
        monkeypatch.setenv(name, value)
    return database


@pytest.fixture
def cluster_db(farm: _Farm, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Only the cluster database."""
    database = farm.get("cluster")
    database.flush()
    for name, value in database.env.items():
        monkeypatch.setenv(name, value)
    return database
