"""Address-targeted commands (SmartRedis' test_nonkeyed_cmd, in spirit) on every database."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Client
from hpcsim.errors import ClientError


def test_addresses(db):
    client = Client()
    assert sorted(client.get_addresses()) == sorted(s.address for s in db.servers)


def test_db_node_info(db):
    client = Client()
    info = client.get_db_node_info(client.get_addresses())
    assert len(info) == len(db.servers)
    for entry in info:
        assert entry["Server"]["redis_version"]
        assert "used_memory" in entry["Memory"]
        assert entry["Cluster"]["cluster_enabled"] == ("1" if db.kind == "cluster" else "0")


def test_db_cluster_info(db):
    client = Client()
    if db.kind != "cluster":
        with pytest.raises(ClientError, match="needs a Redis Cluster"):
            client.get_db_cluster_info(client.get_addresses())
        return
    for entry in client.get_db_cluster_info(client.get_addresses()):
        assert entry["cluster_state"] == "ok"
        assert entry["cluster_size"] == "3"


def test_flush_db(db):
    client = Client()
    for i in range(10):
        client.put_tensor(f"t{i}", np.ones(1))
    client.flush_db(client.get_addresses())
    assert not any(client.tensor_exists(f"t{i}") for i in range(10))


def test_config_get_set(db):
    client = Client()
    address = client.get_addresses()[0]
    assert client.config_get("proto-max-bulk-len", address) == {"proto-max-bulk-len": str(4 * 1024**3)}
    assert client.config_get("no-such-parameter", address) == {}
    assert "hash-max-ziplist-entries" in client.config_get("*max-*-entries*", address)
    client.config_set("maxmemory-policy", "allkeys-lru", address)
    try:
        assert client.config_get("maxmemory-policy", address) == {"maxmemory-policy": "allkeys-lru"}
    finally:
        client.config_set("maxmemory-policy", "noeviction", address)
    with pytest.raises(ClientError, match="no-such-parameter"):
        client.config_set("no-such-parameter", "1", address)


def test_save(db):
    client = Client()
    client.put_tensor("t", np.ones(1))
    addresses = client.get_addresses()
    client.save(addresses)
    for info in client.get_db_node_info(addresses):
        assert info["Persistence"]["rdb_changes_since_last_save"] == "0"
        assert info["Persistence"]["rdb_last_bgsave_status"] == "ok"


def test_address_must_belong_to_the_database(db):
    client = Client()
    with pytest.raises(ClientError, match="not an address of this database; its servers: "):
        client.flush_db(["127.0.0.1:1"])
    with pytest.raises(ClientError, match="not an address"):
        client.config_get("*", "unix:///tmp/other.sock")
    if db.kind != "uds":
        local = client.get_addresses()[0].replace("127.0.0.1", "localhost")
        assert client.config_get("port", local)
