"""Online-training data round trips through real Redis: the key protocol (with uploader ranks),
the list protocol (TrainingDataUploader + DataInfo), replicas, KEYIN sources, dynamic growth,
pickling, and the two client extensions the downloader relies on.

Every sample encodes its id: row ``[id, id + 0.25, id + 0.5]`` with
``id = rank * 100000 + iteration * 1000 + row`` and target ``2 * id + 1``, so the tests can see
that samples and targets stay paired through shuffling and that each sample arrives once.
"""

from __future__ import annotations

import logging
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest

from hpcsim.client import Client, Dataset
from hpcsim.ml.data import DataDownloader, DataInfo, TrainingDataUploader, TrainingUploader
from tests.client.conftest import Database

Array = np.ndarray[Any, Any]
FAST = {"max_fetch_trials": 2, "wait_interval": 0.05}


def is_cluster(db: Database) -> bool:
    return db.kind == "cluster"


def make_batch(iteration: int, rows: int = 8, rank: int = 0) -> tuple[Array, Array]:
    ids = rank * 100_000 + iteration * 1000 + np.arange(rows)
    samples = np.stack([ids, ids + 0.25, ids + 0.5], axis=1).astype(np.float64)
    return samples, 2.0 * ids + 1.0


def ids_of(samples: Array) -> list[int]:
    return samples[:, 0].astype(int).tolist()


def expected_ids(iterations: Iterable[int], rows: int = 8, rank: int = 0) -> list[int]:
    return sorted(rank * 100_000 + it * 1000 + row for it in iterations for row in range(rows))


def assert_paired(x: Array, y: Array) -> None:
    np.testing.assert_array_equal(x[:, 1], x[:, 0] + 0.25)
    np.testing.assert_array_equal(x[:, 2], x[:, 0] + 0.5)
    np.testing.assert_array_equal(y, 2.0 * x[:, 0] + 1.0)


def put_iterations(client: Client, iterations: Iterable[int], rows: int = 8, rank: int | None = None) -> None:
    """What a simulation does in the key protocol: ``points[_<rank>]_<it>`` and ``value[_<rank>]_<it>``."""
    for it in iterations:
        samples, targets = make_batch(it, rows, rank or 0)
        suffix = f"{rank}_{it}" if rank is not None else str(it)
        client.put_tensor(f"points_{suffix}", samples)
        client.put_tensor(f"value_{suffix}", targets)


def epoch_ids(downloader: DataDownloader) -> list[int]:
    """One epoch's sample ids, checking batch shapes and sample/target pairing on the way."""
    seen: list[int] = []
    for x, y in downloader:
        assert x.shape == (downloader.batch_size, 3)
        assert y.shape == (downloader.batch_size,)
        assert_paired(x, y)
        seen += ids_of(x)
    return seen


# -- key protocol -------------------------------------------------------------------------------


def test_key_protocol_delivers_every_sample_once_with_targets_paired(db: Database) -> None:
    put_iterations(Client(is_cluster(db)), range(5), rows=10)
    downloader = DataDownloader(
        batch_size=4, cluster=is_cluster(db), sample_prefix="points", target_prefix="value", **FAST
    )
    assert downloader.num_samples == 50
    assert len(downloader) == 12  # floor(50 / 4): the remainder waits for the next epoch
    assert downloader.need_targets and not downloader.autoencoding
    assert sorted(ids_of(downloader.samples)) == expected_ids(range(5), rows=10)
    assert downloader.targets is not None
    assert_paired(downloader.samples, downloader.targets)
    seen = epoch_ids(downloader)
    assert len(seen) == 48
    assert len(set(seen)) == 48
    assert set(seen) <= set(expected_ids(range(5), rows=10))


def test_key_protocol_shuffles_between_epochs_but_keeps_pairs(standalone: Database) -> None:
    put_iterations(Client(False), range(8), rows=8)
    downloader = DataDownloader(batch_size=8, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    np.random.seed(1234)
    first, second = epoch_ids(downloader), epoch_ids(downloader)
    assert sorted(first) == sorted(second) == expected_ids(range(8))
    assert first != second


def test_key_protocol_without_shuffle_keeps_upload_order(db: Database) -> None:
    put_iterations(Client(is_cluster(db)), range(3), rows=4)
    downloader = DataDownloader(
        batch_size=4, shuffle=False, cluster=is_cluster(db), sample_prefix="points", target_prefix="value", **FAST
    )
    assert [ids_of(x) for x, _ in downloader] == [[0, 1, 2, 3], [1000, 1001, 1002, 1003], [2000, 2001, 2002, 2003]]


def test_key_protocol_without_target_prefix_yields_samples_alone(db: Database) -> None:
    put_iterations(Client(is_cluster(db)), range(2), rows=6)
    downloader = DataDownloader(batch_size=4, cluster=is_cluster(db), sample_prefix="points", **FAST)
    assert not downloader.need_targets and not downloader.autoencoding
    assert downloader.targets is None
    batches = list(downloader)
    assert len(batches) == 3
    for x in batches:
        assert isinstance(x, np.ndarray)
        assert x.shape == (4, 3)


def test_key_protocol_with_target_prefix_equal_to_sample_prefix_autoencodes(db: Database) -> None:
    put_iterations(Client(is_cluster(db)), range(2), rows=6)
    downloader = DataDownloader(
        batch_size=3, cluster=is_cluster(db), sample_prefix="points", target_prefix="points", **FAST
    )
    assert downloader.autoencoding and not downloader.need_targets
    batches = list(downloader)
    assert len(batches) == 4
    for x, y in batches:
        assert x.shape == (3, 3)
        np.testing.assert_array_equal(x, y)


def test_key_protocol_reads_more_iterations_than_one_poll_window(standalone: Database) -> None:
    client = Client(False)
    client.put_tensors({f"points_{it}": make_batch(it, rows=1)[0] for it in range(150)})
    client.put_tensors({f"value_{it}": make_batch(it, rows=1)[1] for it in range(150)})
    downloader = DataDownloader(batch_size=10, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    assert downloader.num_samples == 150
    assert sorted(ids_of(downloader.samples)) == expected_ids(range(150), rows=1)


def test_key_protocol_stops_at_the_first_missing_iteration(standalone: Database) -> None:
    client = Client(False)
    put_iterations(client, [0, 1, 3])  # iteration 2 not there yet
    downloader = DataDownloader(batch_size=4, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    assert sorted(ids_of(downloader.samples)) == expected_ids([0, 1])
    put_iterations(client, [2])
    downloader.update_data()
    assert sorted(ids_of(downloader.samples)) == expected_ids([0, 1, 2, 3])


def test_key_protocol_waits_for_targets_uploaded_after_their_samples(standalone: Database) -> None:
    client = Client(False)
    put_iterations(client, [0])
    samples, targets = make_batch(1)
    client.put_tensor("points_1", samples)
    downloader = DataDownloader(batch_size=4, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    assert downloader.num_samples == 8
    client.put_tensor("value_1", targets)
    downloader.update_data()
    assert downloader.num_samples == 16
    assert downloader.targets is not None
    assert_paired(downloader.samples, downloader.targets)


# -- dynamic growth -----------------------------------------------------------------------------


def test_new_iterations_appear_after_update_data_and_at_the_next_epoch(db: Database) -> None:
    client = Client(is_cluster(db))
    put_iterations(client, range(2))
    downloader = DataDownloader(
        batch_size=4, cluster=is_cluster(db), sample_prefix="points", target_prefix="value", **FAST
    )
    assert len(downloader) == 4
    put_iterations(client, range(2, 4))
    downloader.update_data()
    assert downloader.num_samples == 32
    assert len(downloader) == 8
    put_iterations(client, range(4, 5))
    seen = epoch_ids(downloader)
    assert downloader.num_samples == 40
    assert sorted(seen) == expected_ids(range(5))


def test_static_downloader_does_not_grow(standalone: Database) -> None:
    client = Client(False)
    put_iterations(client, range(2))
    downloader = DataDownloader(
        batch_size=4, dynamic=False, cluster=False, sample_prefix="points", target_prefix="value", **FAST
    )
    put_iterations(client, range(2, 4))
    downloader.update_data()
    assert downloader.num_samples == 16
    assert sorted(epoch_ids(downloader)) == expected_ids(range(2))


@pytest.mark.parametrize("dynamic", [True, False], ids=["dynamic", "static"])
def test_downloader_waits_for_a_simulation_that_uploads_later(standalone: Database, dynamic: bool) -> None:
    def simulation() -> None:
        time.sleep(0.2)
        put_iterations(Client(False), range(2))

    thread = threading.Thread(target=simulation)
    thread.start()
    try:
        downloader = DataDownloader(
            batch_size=4,
            dynamic=dynamic,
            cluster=False,
            sample_prefix="points",
            target_prefix="value",
            max_fetch_trials=100,
            wait_interval=0.05,
        )
    finally:
        thread.join()
    assert downloader.num_samples >= 8
    assert set(ids_of(downloader.samples)) <= set(expected_ids(range(2)))


def test_static_downloader_waits_in_init_samples_until_a_full_batch(standalone: Database) -> None:
    client = Client(False)
    put_iterations(client, [0], rows=2)
    downloader = DataDownloader(
        batch_size=4, dynamic=False, cluster=False, init_samples=False, sample_prefix="points", target_prefix="value"
    )
    downloader.update_data()
    assert (downloader.num_samples, len(downloader)) == (2, 0)
    put_iterations(client, [1], rows=2)
    downloader.init_samples(2, 0.05)
    assert (downloader.num_samples, len(downloader)) == (4, 1)
    put_iterations(client, [2], rows=2)
    downloader.init_samples(2, 0.05)  # it has its full batch: a static downloader fetches no more
    assert downloader.num_samples == 4


def test_downloader_created_without_init_samples_fetches_at_first_epoch(standalone: Database) -> None:
    downloader = DataDownloader(
        batch_size=4, cluster=False, init_samples=False, sample_prefix="points", target_prefix="value", **FAST
    )
    assert downloader.num_samples == 0
    put_iterations(Client(False), range(2))
    assert sorted(epoch_ids(downloader)) == expected_ids(range(2))


# -- several uploader ranks ---------------------------------------------------------------------

PRODUCER = """
import sys
import numpy as np
from hpcsim.client import Client

rank, iterations, cluster = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "cluster"
client = Client(cluster)
for it in range(iterations):
    ids = rank * 100_000 + it * 1000 + np.arange(8)
    samples = np.stack([ids, ids + 0.25, ids + 0.5], axis=1).astype(np.float64)
    client.put_tensor(f"value_{rank}_{it}", 2.0 * ids + 1.0)
    client.put_tensor(f"points_{rank}_{it}", samples)
"""


def run_producers(db: Database, ranks: int, iterations: int) -> None:
    """``ranks`` real processes, each writing its ``points_<rank>_<it>``/``value_<rank>_<it>``."""
    argv = [sys.executable, "-c", PRODUCER]
    procs = [
        subprocess.Popen([*argv, str(rank), str(iterations), db.kind], stderr=subprocess.PIPE) for rank in range(ranks)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()


def test_four_producer_processes_with_uploader_ranks(db: Database) -> None:
    run_producers(db, ranks=4, iterations=3)
    downloader = DataDownloader(
        batch_size=8,
        cluster=is_cluster(db),
        sample_prefix="points",
        target_prefix="value",
        uploader_ranks=4,
        **FAST,
    )
    assert len(downloader) == 12
    everything = sorted(i for rank in range(4) for i in expected_ids(range(3), rank=rank))
    assert sorted(ids_of(downloader.samples)) == everything
    assert sorted(epoch_ids(downloader)) == everything


def test_uploader_ranks_stop_at_the_first_missing_rank_batch(standalone: Database) -> None:
    client = Client(False)
    for rank in (0, 1):
        put_iterations(client, range(2), rank=rank)
    put_iterations(client, [0], rank=2)  # rank 2 is one iteration behind
    downloader = DataDownloader(
        batch_size=8, cluster=False, sample_prefix="points", target_prefix="value", uploader_ranks=3, **FAST
    )
    # batches in order: (it 0: ranks 0, 1, 2), (it 1: ranks 0, 1, [2 missing])
    assert downloader.num_samples == 5 * 8
    put_iterations(client, [1], rank=2)
    downloader.update_data()
    assert downloader.num_samples == 6 * 8


# -- replicas -----------------------------------------------------------------------------------


def replica_pair(db: Database, **kwargs: Any) -> list[DataDownloader]:
    return [
        DataDownloader(
            batch_size=4, cluster=is_cluster(db), replica_rank=rank, num_replicas=2, shuffle=False, **FAST, **kwargs
        )
        for rank in (0, 1)
    ]


def assert_disjoint_union(replicas: list[DataDownloader], everything: list[int]) -> None:
    shares = [ids_of(replica.samples) for replica in replicas]
    assert all(shares)
    assert not set(shares[0]) & set(shares[1])
    assert sorted(shares[0] + shares[1]) == sorted(everything)


def test_two_replicas_split_the_key_protocol_batches(db: Database) -> None:
    client = Client(is_cluster(db))
    put_iterations(client, range(5))
    replicas = replica_pair(db, sample_prefix="points", target_prefix="value")
    assert sorted(ids_of(replicas[0].samples)) == expected_ids([0, 2, 4])
    assert sorted(ids_of(replicas[1].samples)) == expected_ids([1, 3])
    put_iterations(client, range(5, 8))
    for replica in replicas:
        replica.update_data()
    assert_disjoint_union(replicas, expected_ids(range(8)))


def test_two_replicas_split_the_batches_of_several_uploader_ranks(db: Database) -> None:
    client = Client(is_cluster(db))
    for rank in range(3):
        put_iterations(client, range(2), rank=rank)
    replicas = replica_pair(db, sample_prefix="points", target_prefix="value", uploader_ranks=3)
    everything = [i for rank in range(3) for i in expected_ids(range(2), rank=rank)]
    assert_disjoint_union(replicas, everything)
    assert [replica.num_samples for replica in replicas] == [24, 24]


def test_two_replicas_split_the_list_protocol_batches(db: Database) -> None:
    uploader = TrainingDataUploader(cluster=is_cluster(db))
    uploader.publish_info()
    for it in range(5):
        uploader.put_batch(*make_batch(it))
    replicas = replica_pair(db, data_info_or_list_name="training_data")
    assert sorted(ids_of(replicas[0].samples)) == expected_ids([0, 2, 4])
    assert sorted(ids_of(replicas[1].samples)) == expected_ids([1, 3])
    for it in range(5, 8):
        uploader.put_batch(*make_batch(it))
    for replica in replicas:
        replica.update_data()
    assert_disjoint_union(replicas, expected_ids(range(8)))
    for replica in replicas:
        assert replica.targets is not None
        assert_paired(replica.samples, replica.targets)


def test_set_replica_forgets_the_data_and_takes_the_new_share(standalone: Database) -> None:
    put_iterations(Client(False), range(4))
    downloader = DataDownloader(batch_size=4, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    assert downloader.num_samples == 32
    downloader.set_replica(1, 2)
    assert downloader.num_samples == 0
    downloader.update_data()
    assert sorted(ids_of(downloader.samples)) == expected_ids([1, 3])


# -- list protocol ------------------------------------------------------------------------------


def test_list_protocol_round_trip_with_and_without_rank(db: Database) -> None:
    plain = TrainingDataUploader(cluster=is_cluster(db))
    ranked = TrainingUploader(cluster=is_cluster(db), rank=1)
    plain.publish_info()
    for it in range(3):
        plain.put_batch(*make_batch(it))
        ranked.put_batch(*make_batch(it, rank=1))
    client = Client(is_cluster(db))
    assert client.get_list_length("training_data") == 6
    assert client.dataset_exists("training_samples_2")
    assert client.dataset_exists("training_samples_1_2")
    downloader = DataDownloader("training_data", batch_size=4, cluster=is_cluster(db), **FAST)
    everything = expected_ids(range(3)) + expected_ids(range(3), rank=1)
    assert sorted(ids_of(downloader.samples)) == sorted(everything)
    assert downloader.num_classes is None
    assert sorted(epoch_ids(downloader)) == sorted(everything)


def test_list_protocol_reads_custom_names_and_num_classes_from_the_database(db: Database) -> None:
    uploader = TrainingDataUploader(
        "fields", sample_name="u", target_name="label", num_classes=5, cluster=is_cluster(db)
    )
    uploader.publish_info()
    for it in range(2):
        samples, _ = make_batch(it)
        uploader.put_batch(samples, (samples[:, 0] % 5).astype(np.int64))
    downloader = DataDownloader("fields", batch_size=8, cluster=is_cluster(db), **FAST)
    assert downloader.num_classes == 5
    assert downloader.need_targets
    for x, y in downloader:
        assert y.dtype == np.int64
        np.testing.assert_array_equal(y, x[:, 0].astype(np.int64) % 5)
    assert sorted(ids_of(downloader.samples)) == expected_ids(range(2))


def test_num_classes_argument_overrides_the_published_one(standalone: Database) -> None:
    uploader = TrainingDataUploader(num_classes=5, cluster=False)
    uploader.publish_info()
    uploader.put_batch(*make_batch(0))
    downloader = DataDownloader("training_data", batch_size=4, cluster=False, num_classes=7, **FAST)
    assert downloader.num_classes == 7


def test_list_protocol_without_info_dataset_uses_the_default_names(
    standalone: Database, caplog: pytest.LogCaptureFixture
) -> None:
    uploader = TrainingDataUploader(cluster=False)  # no publish_info()
    for it in range(2):
        uploader.put_batch(*make_batch(it))
    assert not Client(False).dataset_exists("training_data_info")
    with caplog.at_level(logging.WARNING, logger="hpcsim.ml.data"):
        downloader = DataDownloader("training_data", batch_size=4, cluster=False, **FAST)
    warnings = [r.getMessage() for r in caplog.records if r.name == "hpcsim.ml.data" and r.levelno == logging.WARNING]
    assert warnings == ["no dataset 'training_data_info': using sample name 'samples' and target name 'targets'"]
    assert downloader.need_targets
    assert downloader.num_classes is None
    assert sorted(epoch_ids(downloader)) == expected_ids(range(2))


def test_list_protocol_with_a_data_info_object_needs_no_info_dataset(db: Database) -> None:
    uploader = TrainingDataUploader("runs", sample_name="x", target_name="y", cluster=is_cluster(db))
    for it in range(2):
        uploader.put_batch(*make_batch(it))
    info = DataInfo("runs", sample_name="x", target_name="y", num_classes=3)
    downloader = DataDownloader(info, batch_size=4, cluster=is_cluster(db), **FAST)
    assert downloader.num_classes == 3
    assert sorted(epoch_ids(downloader)) == expected_ids(range(2))


def test_list_protocol_autoencoding_yields_samples_twice(db: Database) -> None:
    uploader = TrainingDataUploader(sample_name="fields", target_name="fields", cluster=is_cluster(db))
    uploader.publish_info()
    for it in range(2):
        samples, targets = make_batch(it)
        uploader.put_batch(samples, targets)  # targets are ignored when autoencoding
    stored = Client(is_cluster(db)).get_dataset("training_samples_0")
    assert stored.get_tensor_names() == ["fields"]
    downloader = DataDownloader("training_data", batch_size=4, cluster=is_cluster(db), **FAST)
    assert downloader.autoencoding and not downloader.need_targets
    batches = list(downloader)
    assert len(batches) == 4
    for x, y in batches:
        np.testing.assert_array_equal(x, y)


def test_list_protocol_autoencoding_with_a_data_info_object(standalone: Database) -> None:
    uploader = TrainingDataUploader(sample_name="s", target_name="s", cluster=False)
    uploader.publish_info()
    uploader.put_batch(make_batch(0)[0])
    downloader = DataDownloader(DataInfo("training_data", "s", "s"), batch_size=8, cluster=False, **FAST)
    ((x, y),) = list(downloader)
    np.testing.assert_array_equal(x, y)


# -- sources (HPCSIM_KEYIN) ---------------------------------------------------------------------


def produce_as(db: Database, monkeypatch: pytest.MonkeyPatch, name: str, rank: int) -> Client:
    monkeypatch.setenv("HPCSIM_KEYOUT", name)
    client = Client(is_cluster(db))
    monkeypatch.delenv("HPCSIM_KEYOUT")
    # both write the same key names; the ids (rank-encoded) tell the producers apart
    for it in range(2):
        samples, targets = make_batch(it, rank=rank)
        client.put_tensor(f"points_{it}", samples)
        client.put_tensor(f"value_{it}", targets)
    return client


def test_keyin_sources_each_feed_the_key_protocol(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    produce_as(db, monkeypatch, "sim_a", rank=1)
    produce_as(db, monkeypatch, "sim_b", rank=2)
    raw = Client(is_cluster(db))
    assert raw.key_exists("sim_a.points_0") and raw.key_exists("sim_b.points_1")
    assert not raw.key_exists("points_0")
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a,sim_b")
    both = DataDownloader(batch_size=4, cluster=is_cluster(db), sample_prefix="points", target_prefix="value", **FAST)
    everything = expected_ids(range(2), rank=1) + expected_ids(range(2), rank=2)
    assert sorted(ids_of(both.samples)) == sorted(everything)
    assert sorted(epoch_ids(both)) == sorted(everything)
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a")
    one = DataDownloader(batch_size=4, cluster=is_cluster(db), sample_prefix="points", target_prefix="value", **FAST)
    assert sorted(ids_of(one.samples)) == expected_ids(range(2), rank=1)


def test_keyin_sources_each_feed_the_list_protocol(standalone: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, rank, classes in (("sim_a", 1, 4), ("sim_b", 2, None)):
        monkeypatch.setenv("HPCSIM_KEYOUT", name)
        uploader = TrainingDataUploader(num_classes=classes, cluster=False)
        monkeypatch.delenv("HPCSIM_KEYOUT")
        uploader.publish_info()
        for it in range(2):
            uploader.put_batch(*make_batch(it, rank=rank))
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a,sim_b")
    downloader = DataDownloader("training_data", batch_size=4, cluster=False, **FAST)
    everything = expected_ids(range(2), rank=1) + expected_ids(range(2), rank=2)
    assert sorted(ids_of(downloader.samples)) == sorted(everything)
    assert downloader.num_classes == 4
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_b")
    only_b = DataDownloader("training_data", batch_size=4, cluster=False, **FAST)
    assert sorted(ids_of(only_b.samples)) == expected_ids(range(2), rank=2)
    assert only_b.num_classes is None


def test_keyin_sources_are_split_between_replicas(standalone: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    produce_as(standalone, monkeypatch, "sim_a", rank=1)
    produce_as(standalone, monkeypatch, "sim_b", rank=2)
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a,sim_b")
    replicas = replica_pair(standalone, sample_prefix="points", target_prefix="value")
    everything = expected_ids(range(2), rank=1) + expected_ids(range(2), rank=2)
    assert_disjoint_union(replicas, everything)


# -- pickling -----------------------------------------------------------------------------------


def test_pickled_downloader_reconnects_and_fetches_again(standalone: Database) -> None:
    client = Client(False)
    put_iterations(client, range(2))
    downloader = DataDownloader(batch_size=4, cluster=False, sample_prefix="points", target_prefix="value", **FAST)
    assert downloader._client is not None  # connected by the first fetch
    copy = pickle.loads(pickle.dumps(downloader))
    assert copy._client is None
    assert downloader._client is not None  # the original keeps its connection
    assert sorted(ids_of(copy.samples)) == expected_ids(range(2))
    put_iterations(client, range(2, 3))
    copy.update_data()
    assert sorted(ids_of(copy.samples)) == expected_ids(range(3))
    assert sorted(epoch_ids(copy)) == expected_ids(range(3))


def test_pickled_list_downloader_fetches_again(standalone: Database) -> None:
    uploader = TrainingDataUploader(sample_name="a", target_name="b", num_classes=2, cluster=False)
    uploader.publish_info()
    uploader.put_batch(*make_batch(0))
    downloader = DataDownloader("training_data", batch_size=4, cluster=False, **FAST)
    copy = pickle.loads(pickle.dumps(downloader))
    uploader.put_batch(*make_batch(1))
    copy.update_data()
    assert copy.num_classes == 2
    assert sorted(ids_of(copy.samples)) == expected_ids(range(2))


# -- client extensions --------------------------------------------------------------------------


def test_get_tensors_if_exist_gives_none_for_missing_tensors(db: Database) -> None:
    client = Client(is_cluster(db))
    client.put_tensors({f"t{i}": np.arange(i + 1, dtype=np.int32) for i in range(0, 20, 2)})
    names = [f"t{i}" for i in range(20)]
    found = client.get_tensors_if_exist(names)
    assert len(found) == 20
    for i, value in enumerate(found):
        if i % 2:
            assert value is None
        else:
            assert value is not None
            np.testing.assert_array_equal(value, np.arange(i + 1, dtype=np.int32))
    assert client.get_tensors_if_exist([]) == []


def test_get_tensors_if_exist_reads_through_the_data_source(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_KEYOUT", "sim_a")
    Client(is_cluster(db)).put_tensor("t", np.ones(2))
    monkeypatch.delenv("HPCSIM_KEYOUT")
    monkeypatch.setenv("HPCSIM_KEYIN", "sim_a")
    consumer = Client(is_cluster(db))
    present, missing = consumer.get_tensors_if_exist(["t", "u"])
    assert present is not None
    np.testing.assert_array_equal(present, np.ones(2))
    assert missing is None


def test_get_tensors_if_exist_rejects_a_single_name(standalone: Database) -> None:
    client = Client(False)
    with pytest.raises(TypeError, match="names must be a sequence of str, not str"):
        client.get_tensors_if_exist("t0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tensor name"):
        client.get_tensors_if_exist(["t0", 3])  # type: ignore[list-item]


def put_list(client: Client, count: int) -> None:
    for i in range(count):
        dataset = Dataset(f"d{i}")
        dataset.add_tensor("x", np.array([i]))
        client.put_dataset(dataset)
        client.append_to_list("entries", dataset)


def names_of(datasets: list[Dataset]) -> list[str]:
    return [dataset.get_name() for dataset in datasets]


def test_get_dataset_list_range_with_step_takes_every_step_th_entry(db: Database) -> None:
    client = Client(is_cluster(db))
    put_list(client, 7)
    assert names_of(client.get_dataset_list_range("entries", 0, 6, step=2)) == ["d0", "d2", "d4", "d6"]
    assert names_of(client.get_dataset_list_range("entries", 1, 5, step=3)) == ["d1", "d4"]
    assert names_of(client.get_dataset_list_range("entries", 1, -1, step=2)) == ["d1", "d3", "d5"]
    assert names_of(client.get_dataset_list_range("entries", 2, 4)) == ["d2", "d3", "d4"]
    assert names_of(client.get_dataset_list_range("entries", 0, 6, step=10)) == ["d0"]
    assert names_of(client.get_dataset_list_range("entries", 5, 2, step=2)) == []
    datasets = client.get_dataset_list_range("entries", 3, 6, step=3)
    assert [int(d.get_tensor("x")[0]) for d in datasets] == [3, 6]


def test_get_dataset_list_range_rejects_a_bad_step(standalone: Database) -> None:
    client = Client(False)
    put_list(client, 3)
    for step in (0, -1):
        with pytest.raises(ValueError, match=f"step must be at least 1, not {step}"):
            client.get_dataset_list_range("entries", 0, 2, step=step)
    for bad in (1.5, "2", True):
        with pytest.raises(TypeError, match="step must be an int"):
            client.get_dataset_list_range("entries", 0, 2, step=bad)  # type: ignore[arg-type]
