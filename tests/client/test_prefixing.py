"""Ensemble key prefixing: SmartRedis' rules and key names, on every database."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Client, Dataset
from hpcsim.errors import ClientError, KeyNotFoundError


def test_prefixing_key_names(db, monkeypatch):
    """SmartRedis' test_prefixing: the exact keys written."""
    monkeypatch.setenv("SSKEYOUT", "prefix_test")
    monkeypatch.setenv("SSKEYIN", "prefix_test")
    client = Client(logger_name="prefixing")
    client.use_dataset_ensemble_prefix(True)
    client.use_tensor_ensemble_prefix(True)
    client.set_data_source("prefix_test")
    dataset = Dataset("test_dataset")
    dataset.add_tensor("dataset_tensor", np.uint16([1, 2, 3, 4]))
    client.put_dataset(dataset)
    client.put_tensor("test_tensor", np.uint16([1, 2, 3, 4]))
    assert client.dataset_exists("test_dataset")
    assert client.key_exists("prefix_test.{test_dataset}.meta")
    assert client.key_exists("prefix_test.{test_dataset}.dataset_tensor")
    assert not client.key_exists("test_dataset")
    assert client.tensor_exists("test_tensor")
    assert client.key_exists("prefix_test.test_tensor")
    assert not client.key_exists("test_tensor")


def test_consumer_reads_other_members(db, monkeypatch):
    for member in ("sim_0", "sim_1"):
        monkeypatch.setenv("HPCSIM_KEYOUT", member)
        producer = Client()
        producer.put_tensor("u", np.array([int(member[-1])]))
        dataset = Dataset("state")
        dataset.add_meta_string("member", member)
        producer.put_dataset(dataset)
        producer.append_to_list("states", dataset)
    monkeypatch.delenv("HPCSIM_KEYOUT")
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_0,,sim_1")
    consumer = Client()
    assert consumer.get_tensor("u")[0] == 0
    assert consumer.get_dataset("state").get_meta_strings("member") == ["sim_0"]
    stored = consumer.get_datasets_from_list("states")
    assert [d.get_name() for d in stored] == ["state"]
    consumer.set_data_source("sim_1")
    assert consumer.get_tensor("u")[0] == 1
    assert consumer.get_dataset("state").get_meta_strings("member") == ["sim_1"]
    with pytest.raises(KeyNotFoundError, match=r"no tensor 'sim_1\.v' in the database \(data source 'sim_1'\)"):
        consumer.get_tensor("v")
    with pytest.raises(ClientError, match=r"unknown data source 'sim_2'; allowed: 'sim_0', 'sim_1'"):
        consumer.set_data_source("sim_2")
    consumer.put_tensor("unprefixed", np.ones(1))
    assert consumer.key_exists("unprefixed")


def test_copy_reads_with_get_prefix_and_writes_with_put_prefix(db, monkeypatch):
    monkeypatch.setenv("HPCSIM_KEYOUT", "out")
    monkeypatch.setenv("HPCSIM_KEYIN", "in")
    client = Client()
    client.use_tensor_ensemble_prefix(False)
    client.put_tensor("in.t", np.arange(3))
    client.use_tensor_ensemble_prefix(True)
    client.copy_tensor("t", "t")
    assert client.key_exists("out.t")
    client.rename_tensor("t", "moved")
    assert client.key_exists("out.moved")
    assert not client.key_exists("in.t")


def test_flags(db, monkeypatch):
    monkeypatch.setenv("SSKEYOUT", "p")
    monkeypatch.setenv("SSKEYIN", "p")
    client = Client()
    client.use_tensor_ensemble_prefix(False)
    client.use_dataset_ensemble_prefix(False)
    client.use_list_ensemble_prefix(False)
    client.use_model_ensemble_prefix(True)
    client.put_tensor("t", np.ones(2))
    dataset = Dataset("d")
    dataset.add_tensor("x", np.ones(2))
    client.put_dataset(dataset)
    client.append_to_list("l", dataset)
    assert client.key_exists("t")
    assert client.key_exists("{d}.meta")
    assert client.key_exists("l")
    client.use_dataset_ensemble_prefix(True)
    client.put_dataset(dataset)
    client.append_to_list("l", dataset)
    assert client.key_exists("p.{d}.meta")
    assert client.get_list_length("l") == 2
    assert [d.get_name() for d in client.get_datasets_from_list("l")] == ["d", "d"]
    with pytest.raises(TypeError):
        client.use_tensor_ensemble_prefix("yes")


def test_hpcsim_names_win_over_smartsim_names(db, monkeypatch):
    monkeypatch.setenv("HPCSIM_KEYOUT", "mine")
    monkeypatch.setenv("SSKEYOUT", "theirs")
    Client().put_tensor("t", np.ones(1))
    assert Client().key_exists("mine.t")
    assert not Client().key_exists("theirs.t")


def test_no_source_means_no_get_prefix(db, monkeypatch):
    monkeypatch.setenv("HPCSIM_KEYOUT", "w")
    client = Client()
    client.put_tensor("t", np.ones(1))
    assert not client.tensor_exists("t")
    assert client.tensor_exists("w.t")


def test_without_keyin_any_data_source_is_taken(db, monkeypatch):
    """The Model page's consumer reads its producers without registering them (no KEYIN)."""
    monkeypatch.setenv("HPCSIM_KEYOUT", "producer_1")
    Client().put_tensor("tensor", np.arange(4))
    monkeypatch.delenv("HPCSIM_KEYOUT")
    consumer = Client()
    assert not consumer.tensor_exists("tensor")
    consumer.set_data_source("producer_1")
    assert consumer.get_tensor("tensor").tolist() == [0, 1, 2, 3]


def test_own_keyout_is_a_valid_data_source(db, monkeypatch):
    """As in SmartRedis, a client with KEYIN may also read back what it wrote itself."""
    monkeypatch.setenv("HPCSIM_KEYOUT", "me")
    monkeypatch.setenv("HPCSIM_KEYIN", "other")
    client = Client()
    client.put_tensor("t", np.ones(2))
    client.set_data_source("me")
    assert client.tensor_exists("t")
