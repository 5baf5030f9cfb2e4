"""Datasets and aggregation lists on every database (SmartRedis' dataset tests, ported)."""

from __future__ import annotations

import numpy as np
import pytest

from hpcsim.client import Client, Dataset
from hpcsim.client.error import RedisKeyError
from hpcsim.errors import ClientError, KeyNotFoundError


def make_dataset(name: str, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    dataset = Dataset(name)
    dataset.add_tensor("u", rng.standard_normal((3, 4)).astype(np.float32))
    dataset.add_tensor("ids", np.asfortranarray(rng.integers(0, 100, (5, 2))))
    dataset.add_tensor("mask", np.array([True, False, True]))
    dataset.add_meta_scalar("step", seed)
    dataset.add_meta_scalar("dt", np.float32(0.5))
    dataset.add_meta_scalar("dt", np.float32(0.25))
    dataset.add_meta_scalar("big", np.uint64(2**63 + 5))
    dataset.add_meta_string("units", "m/s")
    dataset.add_meta_string("units", "K")
    return dataset


def assert_same(got: Dataset, want: Dataset) -> None:
    assert got.get_name() == want.get_name()
    assert got.get_tensor_names() == want.get_tensor_names()
    for name in want.get_tensor_names():
        np.testing.assert_array_equal(got.get_tensor(name), want.get_tensor(name))
        assert got.get_tensor_type(name) == want.get_tensor_type(name)
        assert got.get_tensor_dims(name) == want.get_tensor_dims(name)
    assert sorted(got.get_metadata_field_names()) == sorted(want.get_metadata_field_names())
    for name in want.get_metadata_field_names():
        assert got.get_metadata_field_type(name) == want.get_metadata_field_type(name)
        if want.get_metadata_field_type(name) is str:
            assert got.get_meta_strings(name) == want.get_meta_strings(name)
        else:
            np.testing.assert_array_equal(got.get_meta_scalars(name), want.get_meta_scalars(name))


def test_put_get_dataset(db):
    client = Client()
    dataset = make_dataset("ds", seed=3)
    client.put_dataset(dataset)
    assert client.dataset_exists("ds")
    got = client.get_dataset("ds")
    assert_same(got, dataset)
    assert got.get_tensor_type("u") is np.float32
    assert got.get_metadata_field_type("dt") is np.float32
    assert got.get_meta_scalars("big")[0] == 2**63 + 5


def test_augment_retrieved_dataset(db):
    client = Client()
    client.put_dataset(make_dataset("ds"))
    got = client.get_dataset("ds")
    got.add_tensor("extra", np.arange(4))
    got.add_meta_string("units", "Pa")
    client.put_dataset(got)
    again = client.get_dataset("ds")
    assert again.get_tensor_names() == ["u", "ids", "mask", "extra"]
    assert again.get_meta_strings("units") == ["m/s", "K", "Pa"]


def test_metadata_only_and_empty_dataset(db):
    client = Client()
    only_meta = Dataset("meta_only")
    only_meta.add_meta_string("note", "no tensors")
    client.put_dataset(only_meta)
    got = client.get_dataset("meta_only")
    assert got.get_tensor_names() == []
    assert got.get_meta_strings("note") == ["no tensors"]
    with pytest.raises(ClientError, match="empty"):
        client.put_dataset(Dataset("nothing"))
    assert not client.dataset_exists("nothing")


def test_dataset_key_layout(db):
    client = Client()
    client.put_dataset(make_dataset("layout"))
    for key in ["{layout}.meta", "{layout}.u", "{layout}.ids", "{layout}.mask"]:
        assert client.key_exists(key), key


def test_dataset_ops(db):
    client = Client()
    dataset = make_dataset("orig", seed=1)
    client.put_dataset(dataset)

    client.copy_dataset("orig", "copy")
    assert_same(client.get_dataset("copy"), _renamed(dataset, "copy"))
    assert client.dataset_exists("orig")

    client.rename_dataset("copy", "moved")
    assert not client.dataset_exists("copy")
    assert not client.key_exists("{copy}.u")
    assert_same(client.get_dataset("moved"), _renamed(dataset, "moved"))

    client.delete_dataset("moved")
    assert not client.dataset_exists("moved")
    assert not client.key_exists("{moved}.meta")
    assert not client.key_exists("{moved}.u")


def _renamed(dataset: Dataset, name: str) -> Dataset:
    copy = Dataset(name)
    for tensor in dataset.get_tensor_names():
        copy.add_tensor(tensor, dataset.get_tensor(tensor))
    for field in dataset.get_metadata_field_names():
        if dataset.get_metadata_field_type(field) is str:
            for text in dataset.get_meta_strings(field):
                copy.add_meta_string(field, text)
        else:
            for value in dataset.get_meta_scalars(field):
                copy.add_meta_scalar(field, value)
    return copy


def test_missing_dataset_errors(db):
    client = Client()
    with pytest.raises(RedisKeyError, match=r"no dataset '\{ghost\}' in the database"):
        client.get_dataset("ghost")
    for operation in (
        client.delete_dataset,
        lambda n: client.copy_dataset(n, "x"),
        lambda n: client.rename_dataset(n, "x"),
    ):
        with pytest.raises(KeyNotFoundError, match="ghost"):
            operation("ghost")
    assert not client.poll_dataset("ghost", 1, 2)
    with pytest.raises(ValueError, match="braces"):
        client.get_dataset("a{b")


def test_aggregation_lists(db):
    """SmartRedis' test_dataset_aggregation, in spirit."""
    client = Client()
    datasets = [make_dataset(f"ds_{i}", seed=i) for i in range(5)]
    for dataset in datasets:
        client.put_dataset(dataset)
        client.append_to_list("agg", dataset)
    assert client.get_list_length("agg") == 5
    assert client.poll_list_length("agg", 5, 1, 2)
    assert client.poll_list_length_gte("agg", 4, 1, 2)
    assert client.poll_list_length_lte("agg", 6, 1, 2)
    assert not client.poll_list_length("agg", 6, 1, 2)
    assert not client.poll_list_length_gte("agg", 6, 1, 2)
    assert not client.poll_list_length_lte("agg", 4, 1, 2)
    with pytest.raises(ValueError):
        client.poll_list_length("agg", -1, 1, 1)

    got = client.get_datasets_from_list("agg")
    assert [d.get_name() for d in got] == [f"ds_{i}" for i in range(5)]
    for want, have in zip(datasets, got, strict=True):
        assert_same(have, want)

    window = client.get_dataset_list_range("agg", 1, 2)
    assert [d.get_name() for d in window] == ["ds_1", "ds_2"]
    assert [d.get_name() for d in client.get_dataset_list_range("agg", -2, 100)] == ["ds_3", "ds_4"]
    assert client.get_dataset_list_range("agg", 3, 1) == []

    client.copy_list("agg", "agg_copy")
    assert client.get_list_length("agg_copy") == 5
    client.rename_list("agg_copy", "agg_moved")
    assert client.get_list_length("agg_copy") == 0
    assert [d.get_name() for d in client.get_datasets_from_list("agg_moved")] == [f"ds_{i}" for i in range(5)]
    client.delete_list("agg_moved")
    assert client.get_list_length("agg_moved") == 0
    assert client.get_datasets_from_list("agg_moved") == []

    with pytest.raises(ValueError):
        client.copy_list("", "x")
    with pytest.raises(ValueError):
        client.get_datasets_from_list("")
    with pytest.raises(KeyNotFoundError, match="'nolist'"):
        client.copy_list("nolist", "x")
    client.copy_list("agg", "agg")
    assert client.get_list_length("agg") == 5


def test_list_entry_whose_dataset_is_gone(db):
    client = Client()
    dataset = make_dataset("gone")
    client.put_dataset(dataset)
    client.append_to_list("refs", dataset)
    client.delete_dataset("gone")
    with pytest.raises(KeyNotFoundError, match=r"list 'refs' refers to dataset '\{gone\}'"):
        client.get_datasets_from_list("refs")
