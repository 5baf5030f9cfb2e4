"""Connecting: constructor shapes, the environment contract, passwords, timeouts, failures."""

from __future__ import annotations

import os

import numpy as np
import pytest

from hpcsim import errors
from hpcsim.client import Client, ConfigOptions
from hpcsim.errors import ClientConnectionError, ConfigError

from .conftest import PASSWORD, free_port, start_server


def shapes(address: str, cluster: bool) -> list[tuple[tuple[object, ...], dict[str, object]]]:
    options = ConfigOptions.create_from_environment("")
    return [
        ((), {}),
        ((None,), {}),
        ((None, "logger"), {}),
        ((options,), {}),
        ((options, "logger"), {}),
        ((), {"config_options": options}),
        ((), {"config_options": options, "logger_name": "logger"}),
        ((), {"logger_name": "logger"}),
        ((cluster,), {}),
        ((cluster, address), {}),
        ((cluster, address, "logger"), {}),
        ((cluster,), {"address": address}),
        ((cluster,), {"logger_name": "logger"}),
        ((cluster,), {"address": address, "logger_name": "logger"}),
        ((), {"cluster": cluster}),
        ((), {"cluster": cluster, "address": address}),
        ((), {"address": address, "cluster": cluster, "logger_name": "logger"}),
        ((), {"address": address}),
        ((cluster, None), {}),
    ]


def test_constructor_shapes(db):
    cluster = db.kind == "cluster"
    for args, kwargs in shapes(db.env["HPCSIM_DB"], cluster):
        client = Client(*args, **kwargs)
        client.put_tensor("t", np.ones(1))
        assert client.tensor_exists("t"), (args, kwargs)
        client.close()
    assert "SSDB" not in os.environ


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [(("localhost:1",), {}), ((1,), {}), ((), {"bogus": 1}), ((True, "a:1", "x", 4), {}), ((None,), {"address": "x"})],
)
def test_constructor_rejects(standalone, args, kwargs):
    with pytest.raises(TypeError):
        Client(*args, **kwargs)


def test_legacy_address_argument_without_env(standalone, monkeypatch):
    monkeypatch.delenv("HPCSIM_DB")
    with pytest.raises(ClientConnectionError, match="HPCSIM_DB or SSDB is not set"):
        Client(False)
    client = Client(False, standalone.env["HPCSIM_DB"])
    assert client.get_addresses() == [standalone.env["HPCSIM_DB"]]
    assert "HPCSIM_DB" not in os.environ and "SSDB" not in os.environ


def test_smartsim_variable_names(db, monkeypatch):
    for name in ("HPCSIM_DB", "HPCSIM_DB_TYPE"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("SSDB", db.env["HPCSIM_DB"])
    monkeypatch.setenv("SR_DB_TYPE", "Clustered" if db.kind == "cluster" else "Standalone")
    Client().put_tensor("t", np.ones(1))
    monkeypatch.setenv("HPCSIM_DB", "127.0.0.1:1")
    monkeypatch.setenv("HPCSIM_CONN_TIMEOUT", "0.2")
    with pytest.raises(ClientConnectionError, match=r"127\.0\.0\.1:1"):
        Client()


def test_named_database(db, monkeypatch):
    for name, value in db.env.items():
        monkeypatch.delenv(name)
        monkeypatch.setenv(f"{name}_features", value)
    with pytest.raises(ClientConnectionError, match="HPCSIM_DB or SSDB is not set"):
        Client()
    Client(db_identifier="features").put_tensor("t", np.ones(1))
    assert Client(ConfigOptions.create_from_environment("features")).tensor_exists("t")
    with pytest.raises(ValueError, match="differs"):
        Client(ConfigOptions.create_from_environment("features"), db_identifier="other")


def test_tcp_scheme_and_spaces_are_accepted(standalone, monkeypatch):
    monkeypatch.setenv("HPCSIM_DB", f" tcp://{standalone.env['HPCSIM_DB']} ,")
    assert Client().get_addresses() == [standalone.env["HPCSIM_DB"]]


def test_default_type_follows_address_count(db, monkeypatch):
    monkeypatch.delenv("HPCSIM_DB_TYPE")
    client = Client()
    assert ("Cluster" in str(client)) == (db.kind == "cluster")


def test_str_describes_the_client(db, monkeypatch):
    monkeypatch.setenv("SR_SOCKET_TIMEOUT", "2500")
    monkeypatch.setenv("HPCSIM_CMD_TIMEOUT", "7")
    monkeypatch.setenv("HPCSIM_KEYOUT", "me")
    text = str(Client(logger_name="described"))
    assert "'described'" in text
    assert "socket 2.5 s" in text and "command 7 s" in text
    assert "put prefix 'me.'" in text
    assert {"standalone": "TCP", "uds": "Unix socket", "cluster": "3 shards"}[db.kind] in text
    assert PASSWORD not in text


def test_wrong_password(db, tmp_path, monkeypatch):
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(wrong))
    with pytest.raises(ClientConnectionError, match="authentication") as info:
        Client()
    assert "not-the-password" not in str(info.value)
    Client(password=PASSWORD).put_tensor("t", np.ones(1))


def test_missing_password(db, monkeypatch):
    monkeypatch.delenv("HPCSIM_DB_PASSWORD_FILE")
    with pytest.raises(ClientConnectionError, match="authentication"):
        Client()


def test_unreadable_password_file(db, tmp_path, monkeypatch):
    missing = tmp_path / "nope"
    monkeypatch.setenv("HPCSIM_DB_PASSWORD_FILE", str(missing))
    with pytest.raises(ClientConnectionError, match=f"password file {missing}"):
        Client()


@pytest.mark.parametrize("kind", ["standalone", "cluster"])
def test_unreachable_address(monkeypatch, kind):
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("HPCSIM_DB", address)
    monkeypatch.setenv("HPCSIM_DB_TYPE", kind)
    monkeypatch.setenv("HPCSIM_CONN_TIMEOUT", "1")
    with pytest.raises(ClientConnectionError, match=f"{address}.*HPCSIM_CONN_TIMEOUT=1 s"):
        Client()


def test_unix_socket_cluster_is_refused(monkeypatch):
    monkeypatch.setenv("HPCSIM_DB", "unix:///tmp/none.sock")
    monkeypatch.setenv("HPCSIM_DB_TYPE", "cluster")
    with pytest.raises(ClientConnectionError, match="Unix socket"):
        Client()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HPCSIM_CMD_TIMEOUT", "soon"),
        ("HPCSIM_CONN_TIMEOUT", "0"),
        ("HPCSIM_SOCKET_TIMEOUT", "-1"),
        ("HPCSIM_CMD_INTERVAL", "nan"),
        ("SR_CMD_INTERVAL", "1s"),
        ("SR_CONN_TIMEOUT", "-3"),
        ("HPCSIM_DB_TYPE", "colocated"),
        ("HPCSIM_LOG_LEVEL", "loud"),
    ],
)
def test_bad_settings_name_the_variable(standalone, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Client()


@pytest.mark.parametrize("address", ["localhost", "host:port", "a:1;rm", "unix://relative.sock", "h:70000"])
def test_bad_addresses(monkeypatch, address):
    monkeypatch.setenv("HPCSIM_DB", address)
    with pytest.raises(ClientConnectionError, match="HPCSIM_DB"):
        Client()


def test_dead_server_mid_run(tmp_path, monkeypatch):
    server = start_server(tmp_path / "doomed")
    try:
        monkeypatch.setenv("HPCSIM_DB", server.address)
        monkeypatch.setenv("HPCSIM_CMD_TIMEOUT", "0.5")
        client = Client(password=PASSWORD)
        client.put_tensor("t", np.ones(4))
        server.process.kill()
        server.process.wait()
        with pytest.raises(errors.TimeoutError, match=f"{server.address}.*HPCSIM_CMD_TIMEOUT=0.5 s"):
            client.get_tensor("t")
        with pytest.raises(errors.ClientError, match=server.address):
            client.put_tensor("t", np.ones(4))
    finally:
        server.stop()


def test_reconnects_after_dropped_connections(tmp_path, monkeypatch):
    """Connections the server dropped are replaced: the next command reconnects."""
    server = start_server(tmp_path / "first")
    monkeypatch.setenv("HPCSIM_DB", server.address)
    client = Client(password=PASSWORD)
    client.put_tensor("t", np.ones(4))
    try:
        server.redis().execute_command("CLIENT", "KILL", "TYPE", "normal")
        assert not client.tensor_exists("absent")
    finally:
        server.stop()
