"""Every wrong input to the training-data uploader and downloader fails fast with a message that
says what is wrong: malformed or inconsistent batches, data that never appears, bad arguments,
and an unreachable database."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from hpcsim.client import Client
from hpcsim.errors import ClientConnectionError, TrainingDataError
from hpcsim.ml.data import DataDownloader, DataInfo, TrainingDataUploader
from tests.client.conftest import Database, free_port

FAST = {"max_fetch_trials": 2, "wait_interval": 0.05}
KEYS = {"sample_prefix": "points", "target_prefix": "value"}


def keys_downloader(**kwargs: Any) -> DataDownloader:
    options: dict[str, Any] = {"batch_size": 4, "cluster": False, **FAST, **KEYS}
    options.update(kwargs)
    return DataDownloader(**options)


# -- malformed batches: key protocol ------------------------------------------------------------


def test_key_protocol_mismatched_sample_and_target_counts_name_both_counts(standalone: Database) -> None:
    client = Client(False)
    client.put_tensor("points_0", np.zeros((10, 3)))
    client.put_tensor("value_0", np.zeros(9))
    with pytest.raises(ValueError, match=r"batch 'points_0' has 10 samples but 9 targets"):
        keys_downloader()


def test_key_protocol_scalar_targets_are_refused(standalone: Database) -> None:
    client = Client(False)
    client.put_tensor("points_0", np.zeros((4, 3)))
    client.put_tensor("value_0", np.array(1.0))
    with pytest.raises(ValueError, match=r"batch 'points_0' has 4 samples but a scalar"):
        keys_downloader()


def test_key_protocol_scalar_samples_are_refused(standalone: Database) -> None:
    Client(False).put_tensor("points_0", np.array(3.0))
    with pytest.raises(ValueError, match=r"samples of batch 'points_0' must have a first \(sample\) axis"):
        keys_downloader(target_prefix=None)


def test_key_protocol_sample_shape_change_names_both_batches(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8)})
    client.put_tensors({"points_1": np.zeros((8, 4)), "value_1": np.zeros(8)})
    with pytest.raises(
        ValueError,
        match=r"samples of batch 'points_1' have shape \(8, 4\) \(float64\), "
        r"but the first batch 'points_0' has shape \(8, 3\) \(float64\)",
    ):
        keys_downloader()


def test_key_protocol_sample_shape_change_in_a_later_update_is_refused(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8)})
    downloader = keys_downloader()
    client.put_tensors({"points_1": np.zeros((8, 3, 1)), "value_1": np.zeros(8)})
    with pytest.raises(ValueError, match=r"'points_1' have shape \(8, 3, 1\).*'points_0' has shape \(8, 3\)"):
        downloader.update_data()


def test_key_protocol_sample_dtype_change_names_both_batches(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8)})
    client.put_tensors({"points_1": np.zeros((8, 3), dtype=np.float32), "value_1": np.zeros(8)})
    with pytest.raises(ValueError, match=r"'points_1' have shape \(8, 3\) \(float32\).*'points_0'.*\(float64\)"):
        keys_downloader()


def test_key_protocol_target_dtype_change_is_refused(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8, dtype=np.int64)})
    client.put_tensors({"points_1": np.zeros((8, 3)), "value_1": np.zeros(8, dtype=np.int32)})
    with pytest.raises(ValueError, match=r"targets of batch 'points_1' have shape \(8,\) \(int32\)"):
        keys_downloader()


def test_samples_may_change_their_count_but_not_their_layout(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8)})
    client.put_tensors({"points_1": np.zeros((5, 3)), "value_1": np.zeros(5)})
    assert keys_downloader().num_samples == 13


# -- malformed batches: uploader ----------------------------------------------------------------


def test_uploader_mismatched_counts_are_refused_and_nothing_is_uploaded(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)
    with pytest.raises(ValueError, match=r"batch 'training_samples_0' has 10 samples but 9 targets"):
        uploader.put_batch(np.zeros((10, 3)), np.zeros(9))
    client = Client(False)
    assert client.get_list_length("training_data") == 0
    assert not client.dataset_exists("training_samples_0")
    assert uploader.batch_idx == 0


def test_uploader_shape_change_names_both_batches_and_uploads_nothing(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False, rank=2)
    uploader.put_batch(np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(
        ValueError,
        match=r"samples of batch 'training_samples_2_1' have shape \(8, 4\).*"
        r"first batch 'training_samples_2_0' has shape \(8, 3\)",
    ):
        uploader.put_batch(np.zeros((8, 4)), np.zeros(8))
    assert Client(False).get_list_length("training_data") == 1


def test_uploader_dtype_change_is_refused(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)
    uploader.put_batch(np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(ValueError, match=r"'training_samples_1' have shape \(8, 3\) \(int64\).*\(float64\)"):
        uploader.put_batch(np.zeros((8, 3), dtype=np.int64), np.zeros(8))


def test_uploader_refuses_batches_that_drop_or_add_targets(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)
    uploader.put_batch(np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(ValueError, match=r"batch 'training_samples_1' has no targets, unlike the first batch"):
        uploader.put_batch(np.zeros((8, 3)))
    other = TrainingDataUploader("other", cluster=False)
    other.put_batch(np.zeros((8, 3)))
    with pytest.raises(ValueError, match=r"batch 'training_samples_1' has targets, unlike the first batch"):
        other.put_batch(np.zeros((8, 3)), np.zeros(8))


def test_uploader_refuses_non_arrays(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)
    with pytest.raises(TypeError, match=r"samples of batch 'training_samples_0' must be a numpy.ndarray, not list"):
        uploader.put_batch([[1.0, 2.0]])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"targets of batch 'training_samples_0' must be a numpy.ndarray, not int"):
        uploader.put_batch(np.zeros((1, 2)), 3)  # type: ignore[arg-type]


def test_uploader_refuses_scalar_samples(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)
    with pytest.raises(ValueError, match=r"samples of batch 'training_samples_0' must have a first \(sample\) axis"):
        uploader.put_batch(np.array(1.0))
    assert Client(False).get_list_length("training_data") == 0


# -- data that never appears --------------------------------------------------------------------


def test_missing_prefix_gives_up_after_max_fetch_trials_naming_the_key(standalone: Database) -> None:
    started = time.monotonic()
    with pytest.raises(
        TrainingDataError,
        match=r"replica 0 found no training data after 2 tries 0.05 s apart: waiting for tensors 'points_0' "
        r"and 'value_0'",
    ):
        keys_downloader()
    assert time.monotonic() - started < 1.5


def test_missing_prefix_with_uploader_ranks_and_replica_names_the_replicas_key(standalone: Database) -> None:
    with pytest.raises(TrainingDataError, match=r"replica 1 found no training data.*tensor 'points_1_0'"):
        keys_downloader(uploader_ranks=2, replica_rank=1, num_replicas=2, target_prefix=None)


def test_missing_source_names_the_source(standalone: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a")
    with pytest.raises(TrainingDataError, match=r"tensors 'points_0' and 'value_0' from source 'sim_a'"):
        keys_downloader()


def test_target_prefix_typo_mentions_target_prefix(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({"points_0": np.zeros((8, 3)), "value_0": np.zeros(8)})
    with pytest.raises(
        TrainingDataError,
        match=r"tensor 'values_0': 'points_0' is there but not its targets \(is target_prefix right\?\)",
    ):
        keys_downloader(target_prefix="values")


def test_empty_list_gives_up_naming_the_list(standalone: Database) -> None:
    with pytest.raises(TrainingDataError, match=r"waiting for entry 0 of list 'training_data'"):
        DataDownloader("training_data", batch_size=4, cluster=False, **FAST)


def test_batch_size_larger_than_the_data_mentions_batch_size_and_count(standalone: Database) -> None:
    Client(False).put_tensors({"points_0": np.zeros((10, 3)), "value_0": np.zeros(10)})
    with pytest.raises(
        TrainingDataError,
        match=r"replica 0 has only 10 samples after 2 tries 0.05 s apart, fewer than batch_size=64: "
        r"lower the batch size or upload more \(waiting for tensors 'points_1' and 'value_1'\)",
    ):
        keys_downloader(batch_size=64)


def test_init_samples_argument_errors(standalone: Database) -> None:
    downloader = keys_downloader(init_samples=False)
    with pytest.raises(ValueError, match=r"max_fetch_trials \(or -1 to retry until data appears\) must be an int >= 1"):
        downloader.init_samples(0, 0.05)
    with pytest.raises(ValueError, match=r"wait_interval must be a non-negative number of seconds, not -1"):
        downloader.init_samples(2, -1)


# -- list entries that do not match their DataInfo ----------------------------------------------


def test_list_entries_missing_the_target_tensor_name_it(standalone: Database) -> None:
    uploader = TrainingDataUploader(cluster=False)  # target_name "targets"
    uploader.put_batch(np.zeros((8, 3)), np.zeros(8))
    info = DataInfo("training_data", sample_name="samples", target_name="labels")
    with pytest.raises(
        ValueError,
        match=r"dataset 'training_samples_0' in list 'training_data' has no tensor 'labels' "
        r"\(it has \['samples', 'targets'\]\); check sample_name/target_name",
    ):
        DataDownloader(info, batch_size=4, cluster=False, **FAST)


def test_list_entries_missing_the_published_sample_tensor_name_it(standalone: Database) -> None:
    TrainingDataUploader(sample_name="fields", cluster=False).publish_info()
    TrainingDataUploader(cluster=False).put_batch(np.zeros((8, 3)), np.zeros(8))
    with pytest.raises(ValueError, match=r"has no tensor 'fields'"):
        DataDownloader("training_data", batch_size=4, cluster=False, **FAST)


# -- constructor arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, r"give either data_info_or_list_name .* or sample_prefix .*, not neither"),
        (
            {"data_info_or_list_name": "training_data", "sample_prefix": "points"},
            ValueError,
            r"give either .*, not both",
        ),
        (
            {"data_info_or_list_name": "training_data", "target_prefix": "value"},
            ValueError,
            r"target_prefix and uploader_ranks belong to the key protocol",
        ),
        (
            {"data_info_or_list_name": "training_data", "uploader_ranks": 2},
            ValueError,
            r"target_prefix and uploader_ranks belong to the key protocol",
        ),
        ({"data_info_or_list_name": ""}, ValueError, r"data_info_or_list_name must be a non-empty str, not ''"),
        ({"data_info_or_list_name": 3}, ValueError, r"data_info_or_list_name must be a non-empty str, not 3"),
        ({"sample_prefix": ""}, ValueError, r"sample_prefix must be a non-empty str, not ''"),
        ({"sample_prefix": "points", "target_prefix": ""}, ValueError, r"target_prefix must be a non-empty str"),
        ({"sample_prefix": "points", "uploader_ranks": 0}, ValueError, r"uploader_ranks must be an int >= 1, not 0"),
        ({"sample_prefix": "points", "uploader_ranks": 1.5}, ValueError, r"uploader_ranks must be an int >= 1"),
        ({"sample_prefix": "points", "batch_size": 0}, ValueError, r"batch_size must be an int >= 1, not 0"),
        ({"sample_prefix": "points", "batch_size": True}, ValueError, r"batch_size must be an int >= 1, not True"),
        ({"sample_prefix": "points", "batch_size": "32"}, ValueError, r"batch_size must be an int >= 1, not '32'"),
        (
            {"sample_prefix": "points", "replica_rank": 2, "num_replicas": 2},
            ValueError,
            r"replica_rank must be below num_replicas=2, not 2",
        ),
        ({"sample_prefix": "points", "replica_rank": -1}, ValueError, r"replica_rank must be an int >= 0, not -1"),
        ({"sample_prefix": "points", "num_replicas": 0}, ValueError, r"num_replicas must be an int >= 1, not 0"),
        ({"sample_prefix": "points", "max_fetch_trials": 0}, ValueError, r"max_fetch_trials .* must be an int >= 1"),
        (
            {"sample_prefix": "points", "max_fetch_trials": -2},
            ValueError,
            r"max_fetch_trials \(or -1 to retry until data appears\) must be an int >= 1, not -2",
        ),
        (
            {"sample_prefix": "points", "wait_interval": -0.5},
            ValueError,
            r"wait_interval must be a non-negative number of seconds, not -0.5",
        ),
        (
            {"sample_prefix": "points", "wait_interval": "1"},
            ValueError,
            r"wait_interval must be a non-negative number of seconds",
        ),
        (
            {"sample_prefix": "points", "wait_interval": float("nan")},
            ValueError,
            r"wait_interval must be a non-negative number of seconds, not nan",
        ),
        ({"sample_prefix": "points", "num_classes": 0}, ValueError, r"num_classes must be a positive int or None"),
    ],
)
def test_downloader_constructor_refuses_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        DataDownloader(init_samples=False, **kwargs)


def test_set_replica_refuses_a_rank_outside_the_replicas() -> None:
    downloader = DataDownloader(sample_prefix="points", init_samples=False)
    with pytest.raises(ValueError, match=r"replica_rank must be below num_replicas=3, not 3"):
        downloader.set_replica(3, 3)
    with pytest.raises(ValueError, match=r"num_replicas must be an int >= 1, not 0"):
        downloader.set_replica(0, 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"list_name": ""}, r"list_name must be a non-empty str, not ''"),
        ({"sample_name": ""}, r"sample_name must be a non-empty str, not ''"),
        ({"target_name": ""}, r"target_name must be a non-empty str, not ''"),
        ({"target_name": None}, r"target_name must be a non-empty str, not None"),
        ({"num_classes": 0}, r"num_classes must be a positive int or None, not 0"),
        ({"num_classes": True}, r"num_classes must be a positive int or None, not True"),
        ({"num_classes": 2.0}, r"num_classes must be a positive int or None, not 2.0"),
    ],
)
def test_data_info_refuses_bad_names_and_classes(kwargs: dict[str, Any], match: str) -> None:
    arguments: dict[str, Any] = {"list_name": "training_data", **kwargs}
    with pytest.raises(ValueError, match=match):
        DataInfo(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rank": -1}, r"rank must be a non-negative int or None, not -1"),
        ({"rank": True}, r"rank must be a non-negative int or None, not True"),
        ({"rank": "0"}, r"rank must be a non-negative int or None, not '0'"),
        ({"list_name": ""}, r"list_name must be a non-empty str"),
        ({"sample_name": ""}, r"sample_name must be a non-empty str"),
        ({"num_classes": -3}, r"num_classes must be a positive int or None, not -3"),
    ],
)
def test_uploader_constructor_refuses_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TrainingDataUploader(cluster=False, **kwargs)


# -- unreachable database -----------------------------------------------------------------------


def test_downloader_reports_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("HPCSIM_DB", address)
    monkeypatch.setenv("HPCSIM_DB_TYPE", "standalone")
    monkeypatch.setenv("HPCSIM_CONN_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(ClientConnectionError, match=rf"{address}.*HPCSIM_CONN_TIMEOUT=0.3 s"):
        DataDownloader(sample_prefix="points", cluster=False, **FAST)
    assert time.monotonic() - started < 1.5


def test_uploader_reports_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"127.0.0.1:{free_port()}"
    monkeypatch.setenv("HPCSIM_CONN_TIMEOUT", "0.3")
    with pytest.raises(ClientConnectionError, match=rf"{address}.*HPCSIM_CONN_TIMEOUT=0.3 s"):
        TrainingDataUploader(cluster=False, address=address)


def test_downloader_without_any_database_configured_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ClientConnectionError, match="HPCSIM_DB"):
        DataDownloader(sample_prefix="points", cluster=False, **FAST)
