"""The C client's transport half (clients/src/c/{client,config,conn,cluster,error,log,prefix}.c)
against real Redis servers: the test programs clients/tests/c/transport_*.c on the standalone,
cluster and Unix-socket databases (plain and with AddressSanitizer + UBSan), and, driven line by
line through ``transport_probe``, a cluster slot that migrates (ASK) and moves (MOVED), a server
that restarts or stops while a client is connected, and a primary that fails over to its
replica."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import redis
from redis.crc import key_slot

from hpcsim.db.discovery import find_redis_cli, find_redis_server
from tests.client.conftest import PASSWORD, Server, start_server
from tests.native.conftest import SANITIZER_ENV, Database, NativeBuild, db_env, run_native

#: the programs every database kind runs, and the line each prints when it passes
PROGRAMS = (
    "transport_connect",
    "transport_config",
    "transport_prefix",
    "transport_errors",
    "transport_logging",
    "transport_threads",
)


def _transport_programs(build: NativeBuild) -> dict[str, Path]:
    """clients/tests/c/transport_*.c as the session's ``hpcsim clients build --tests`` installed them."""
    return {p.name: p for p in build.test_programs("c") if p.name.startswith("transport_")}


@pytest.fixture(scope="session")
def programs(native_build: NativeBuild) -> dict[str, Path]:
    return _transport_programs(native_build)


@pytest.fixture(scope="session")
def sanitized_programs(sanitized_build: NativeBuild) -> dict[str, Path]:
    return _transport_programs(sanitized_build)


def _passes(program: Path, env: Mapping[str, str], name: str) -> list[str]:
    done = run_native(program, env, timeout=300)
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    lines = done.stdout.splitlines()
    assert lines and lines[-1] == f"{name}: ok", done.stdout
    return lines


@pytest.mark.parametrize("name", PROGRAMS)
def test_program(db: Database, programs: dict[str, Path], name: str) -> None:
    lines = _passes(programs[name], db_env(db), name)
    if name == "transport_logging":
        # the user's log_data without a log file goes to stdout; the library adds nothing
        assert len(lines) == 2 and lines[0].startswith("stdout_context@") and lines[0].endswith(":to stdout"), lines
    else:
        assert len(lines) == 1, f"{name} printed more than its verdict: {lines}"


@pytest.mark.parametrize("name", ("transport_connect", "transport_prefix", "transport_errors"))
def test_program_with_smartredis_names(db: Database, programs: dict[str, Path], name: str) -> None:
    """SSDB and SR_DB_TYPE (Clustered / Standalone), as SmartSim sets them."""
    _passes(programs[name], db_env(db, style="smartredis"), name)


def test_programs_under_sanitizers(db: Database, sanitized_programs: dict[str, Path]) -> None:
    env = db_env(db, extra=SANITIZER_ENV)
    for name in PROGRAMS:
        _passes(sanitized_programs[name], env, name)


def test_probe_skips_without_a_driver(programs: dict[str, Path]) -> None:
    done = run_native(programs["transport_probe"], dict(os.environ))
    assert done.returncode == 77 and done.stdout.startswith("SKIP:"), done.stdout


# ---- a client connected while the database changes ---------------------------------------------


class Probe:
    """transport_probe --serve: one request line in, one answer line out."""

    def __init__(self, program: Path, env: Mapping[str, str], sanitized: bool = False) -> None:
        self.process = subprocess.Popen(
            [str(program), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env, **(SANITIZER_ENV if sanitized else {})),
        )
        first = self._read(60)
        assert first == "ready", f"the probe did not start: {first}\n{self._stderr()}"

    def _read(self, timeout: float) -> str:
        assert self.process.stdout is not None
        watchdog = threading.Timer(timeout, self.process.kill)
        watchdog.start()
        try:
            return self.process.stdout.readline().rstrip("\n")
        finally:
            watchdog.cancel()

    def _stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def ask(self, request: str, timeout: float = 60) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(request + "\n")
        self.process.stdin.flush()
        answer = self._read(timeout)
        assert answer, f"no answer to {request!r} (exit {self.process.poll()}): {self._stderr()}"
        return answer

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        assert self.process.returncode == 0, f"the probe exited {self.process.returncode}: {self._stderr()}"


def _node_id(server: Server) -> str:
    return str(server.redis().execute_command("CLUSTER", "MYID").decode())


def _owner(servers: list[Server], slot: int) -> Server:
    for entry in servers[0].redis().execute_command("CLUSTER", "SLOTS"):
        if entry[0] <= slot <= entry[1]:
            port = int(entry[2][1])
            return next(server for server in servers if server.port == port)
    raise AssertionError(f"no server owns slot {slot}")


def _wait_for_agreement(servers: list[Server], slot: int, owner: Server) -> None:
    """Until every server says cluster_state:ok and that ``owner`` has ``slot``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        views = []
        for server in servers:
            info = server.redis().execute_command("CLUSTER", "INFO")
            slots = server.redis().execute_command("CLUSTER", "SLOTS")
            port = next((int(e[2][1]) for e in slots if e[0] <= slot <= e[1]), None)
            views.append(b"cluster_state:ok" in info and port == owner.port)
        if all(views):
            return
        time.sleep(0.1)
    raise AssertionError(f"the cluster never agreed that {owner.address} owns slot {slot}")


def _keys_of_slot(server: Server, slot: int) -> list[bytes]:
    return list(server.redis().execute_command("CLUSTER", "GETKEYSINSLOT", slot, 1000))


def test_cluster_slot_migrating_then_moved(cluster_db: Database, programs: dict[str, Path]) -> None:
    """While a slot migrates, the source answers ASK for keys it lacks and the client asks the
    target (ASKING); once the slot has moved, the old owner answers MOVED and the client
    re-reads the layout. Both for writes (SET of header and body) and reads."""
    servers = cluster_db.servers
    key = "transport_moving"
    slot = key_slot(key.encode())
    source = _owner(servers, slot)
    target = next(server for server in servers if server is not source)
    probe = Probe(programs["transport_probe"], db_env(cluster_db))
    try:
        assert probe.ask(f"put {key} 1.5") == "ok"
        assert probe.ask("describe").count(f"{source.address} (slots") == 1
        # migrate: the existing key moves first, new keys go to the target through ASK
        target.redis().execute_command("CLUSTER", "SETSLOT", slot, "IMPORTING", _node_id(source))
        source.redis().execute_command("CLUSTER", "SETSLOT", slot, "MIGRATING", _node_id(target))
        source.redis().execute_command("MIGRATE", "127.0.0.1", target.port, "", 0, 5000, "AUTH", PASSWORD, "KEYS", key)
        assert probe.ask(f"get {key}") == "ok 1.5"  # ASK: only the target has it now
        assert probe.ask(f"exists {key}") == "ok 1"
        assert probe.ask(f"put {key}_{{{key}}} 2.5") == "ok"  # same slot (hash tag), new key: ASK
        with target.redis().pipeline(transaction=False) as asking:
            asking.execute_command("ASKING")
            asking.execute_command("EXISTS", f"{key}_{{{key}}}")
            assert asking.execute()[1] == 1, "the new key was not written to the importing server"
        assert _keys_of_slot(source, slot) == []
        # the slot now belongs to the target everywhere: the source answers MOVED
        for server in (target, source, *[s for s in servers if s not in (source, target)]):
            server.redis().execute_command("CLUSTER", "SETSLOT", slot, "NODE", _node_id(target))
        _wait_for_agreement(servers, slot, target)
        assert probe.ask(f"get {key}_{{{key}}}") == "ok 2.5"
        assert probe.ask(f"get {key}") == "ok 1.5"
        assert f"{target.address} (slots" in probe.ask("describe")
        probe.close()
    finally:
        if probe.process.poll() is None:
            probe.process.kill()
        # give the slot back (empty) so that the session's cluster is as it was
        for server in servers:
            for stray in _keys_of_slot(server, slot):
                server.redis().delete(stray)
            server.redis().execute_command("CLUSTER", "SETSLOT", slot, "STABLE")
        for server in (source, *[s for s in servers if s is not source]):
            server.redis().execute_command("CLUSTER", "SETSLOT", slot, "NODE", _node_id(source))
        _wait_for_agreement(servers, slot, source)


@pytest.fixture
def own_uds_server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """A standalone server on a Unix socket of this test's own (it will be restarted)."""
    server = start_server(tmp_path / "uds", unix=True)
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    password_file.chmod(0o600)
    env = dict(os.environ, HPCSIM_DB=server.address, HPCSIM_DB_PASSWORD_FILE=str(password_file))
    try:
        yield server, env
    finally:
        server.stop()


@pytest.mark.parametrize("sanitized", (False, True), ids=("plain", "sanitized"))
def test_server_restart_then_stop(
    own_uds_server: tuple[Server, dict[str, str]],
    programs: dict[str, Path],
    sanitized_programs: dict[str, Path],
    sanitized: bool,
) -> None:
    """A restarted server is reconnected to within the command budget; a stopped one gives
    SRTimeoutError naming the server and the budget's variable after HPCSIM_CMD_TIMEOUT (and
    the lost connection does not kill the process with SIGPIPE)."""
    server, env = own_uds_server
    env = dict(env, HPCSIM_CMD_TIMEOUT="1.5", HPCSIM_CMD_INTERVAL="0.05")
    chosen = sanitized_programs if sanitized else programs
    probe = Probe(chosen["transport_probe"], env, sanitized)
    try:
        assert probe.ask("put restart_key 3.25") == "ok"
        server.stop()
        restarted = start_server(server.directory, unix=True)
        try:
            assert restarted.socket_path == server.socket_path
            assert probe.ask("exists restart_key") == "ok 0"  # a new, empty server
            assert probe.ask("put restart_key 4") == "ok"
        finally:
            restarted.stop()
        started = time.monotonic()
        answer = probe.ask("get restart_key")
        took = time.monotonic() - started
        assert answer.startswith("error 6 GET 'restart_key': no answer from the database at "), answer
        assert f"{server.address} within HPCSIM_CMD_TIMEOUT=1.5 s" in answer, answer
        assert 1.2 < took < 10, took
        probe.close()
    finally:
        if probe.process.poll() is None:
            probe.process.kill()


def test_cluster_failover(tmp_path: Path, programs: dict[str, Path]) -> None:
    """A primary dies; its replica takes over; the client, retrying within the command budget,
    re-reads the layout from the servers still up and finds the data on the new primary."""
    servers = [start_server(tmp_path / f"node{i}", cluster=True) for i in range(6)]
    try:
        cli = find_redis_cli(find_redis_server())
        argv = [
            str(cli),
            "--cluster",
            "create",
            *(s.address for s in servers),
            "--cluster-replicas",
            "1",
            "--cluster-yes",
        ]
        for server in servers:
            server.redis().config_set("masterauth", PASSWORD)  # replicas log in to their primary
        env = dict(os.environ, REDISCLI_AUTH=PASSWORD)
        subprocess.run(argv, env=env, check=True, capture_output=True, timeout=60)
        password_file = tmp_path / "password"
        password_file.write_text(PASSWORD)
        key = "transport_failover"
        slot = key_slot(key.encode())
        deadline = time.monotonic() + 30
        while True:
            try:
                primary = _owner(servers, slot)
                replication = primary.redis().info("replication")
                if replication.get("connected_slaves") == 1 and replication["slave0"]["state"] == "online":
                    break
            except (redis.RedisError, StopIteration, AssertionError):
                pass
            assert time.monotonic() < deadline, "the replicas never came online"
            time.sleep(0.2)
        probe_env = dict(
            os.environ,
            HPCSIM_DB=",".join(s.address for s in servers[:3]),
            HPCSIM_DB_TYPE="cluster",
            HPCSIM_DB_PASSWORD_FILE=str(password_file),
            HPCSIM_CMD_TIMEOUT="30",
            HPCSIM_SOCKET_TIMEOUT="2",
        )
        probe = Probe(programs["transport_probe"], probe_env)
        try:
            assert probe.ask(f"put {key} 6.5") == "ok"
            assert primary.redis().execute_command("WAIT", 1, 5000) == 1
            primary.process.kill()
            primary.process.wait()
            assert probe.ask(f"get {key}", timeout=90) == "ok 6.5"
            assert primary.address not in probe.ask("describe").split("Database:")[1].split("|")[0]
            probe.close()
        finally:
            if probe.process.poll() is None:
                probe.process.kill()
    finally:
        for server in servers:
            server.stop()
