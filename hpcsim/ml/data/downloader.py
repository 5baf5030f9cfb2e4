"""``DataDownloader``: a training loop's side of both protocols (SmartSim's semantics).

The downloader keeps every sample it has fetched in memory; ``update_data`` appends the
batches uploaded since the last update (when ``dynamic``) and reshuffles. ``len()`` counts full
batches (the remainder waits for the next epoch). ``init_samples`` retries until at least one
full batch is there, ``max_fetch_trials`` times (``-1``: until it is), ``wait_interval`` seconds
apart (default 1 s; SmartSim's is 10 s), with a progress message at most every 10 s.
The client connects on first use in the process that uses it, so torch's DataLoader workers
each get their own connection.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from hpcsim.client import Client
from hpcsim.client.options import ConfigOptions, read_keys
from hpcsim.errors import TrainingDataError
from hpcsim.ml.data.feeds import Feed, KeyFeed, ListFeed, Share
from hpcsim.ml.data.info import DataInfo, check_classes, check_name
from hpcsim.ml.data.samples import Growing, Layout

__all__ = ["DataDownloader"]

log = logging.getLogger("hpcsim.ml.data")

Array = np.ndarray[Any, Any]
# Progress lines while waiting for data come at most this often (seconds).
_PROGRESS_EVERY = 10.0


def _int(value: object, what: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{what} must be an int >= {low}, not {value!r}")
    return int(value)


def _seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a non-negative number of seconds, not {value!r}")
    return float(value)


def _trials(value: object) -> int:
    if value == -1 and isinstance(value, int) and not isinstance(value, bool):
        return -1
    return _int(value, "max_fetch_trials (or -1 to retry until data appears)", 1)


class DataDownloader:
    """Downloads training batches for replica ``replica_rank`` of ``num_replicas``.

    List protocol: pass ``data_info_or_list_name`` (a list name, whose ``<list>_info`` is read
    from the database, or a :class:`DataInfo`). Key protocol (the online-training seed): pass
    ``sample_prefix`` (and ``target_prefix``; ``uploader_ranks`` when several ranks upload).
    """

    def __init__(
        self,
        data_info_or_list_name: str | DataInfo | None = None,
        batch_size: int = 32,
        dynamic: bool = True,
        shuffle: bool = True,
        cluster: bool = True,
        address: str | None = None,
        replica_rank: int = 0,
        num_replicas: int = 1,
        verbose: bool = False,
        init_samples: bool = True,
        max_fetch_trials: int = -1,
        wait_interval: float = 1.0,
        *,
        sample_prefix: str | None = None,
        target_prefix: str | None = None,
        uploader_ranks: int | None = None,
        num_classes: int | None = None,
    ) -> None:
        self._protocol = _Protocol(data_info_or_list_name, sample_prefix, target_prefix, uploader_ranks)
        self.batch_size = _int(batch_size, "batch_size", 1)
        self.dynamic = bool(dynamic)
        self.shuffle = bool(shuffle)
        self.cluster = bool(cluster)
        self.address = address
        self.verbose = bool(verbose)
        self.max_fetch_trials = _trials(max_fetch_trials)
        self.wait_interval = _seconds(wait_interval, "wait_interval")
        self._num_classes = check_classes(num_classes)
        self.set_replica(replica_rank, num_replicas)
        self._client: Client | None = None
        self._pid = 0
        if init_samples:
            self.init_samples(self.max_fetch_trials, self.wait_interval)

    # -- state -------------------------------------------------------------------------------------

    def set_replica(self, replica_rank: int, num_replicas: int) -> None:
        """Take share ``replica_rank`` of ``num_replicas``; forgets the data fetched so far."""
        count = _int(num_replicas, "num_replicas", 1)
        rank = _int(replica_rank, "replica_rank", 0)
        if rank >= count:
            raise ValueError(f"replica_rank must be below num_replicas={count}, not {rank}")
        self.replica_rank, self.num_replicas = rank, count
        self._feeds: list[Feed] | None = None
        self._samples, self._targets, self._layout = Growing(), Growing(), Layout()
        self.indices: Array = np.arange(0)

    @property
    def client(self) -> Client:
        """This process's connection (a forked worker opens its own)."""
        if self._client is None or self._pid != os.getpid():
            self._client = Client(self.cluster, address=self.address)
            self._pid = os.getpid()
        return self._client

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_client"] = None
        return state

    @property
    def _targets_mode(self) -> str:
        """ "tensors" (targets are fetched), "samples" (autoencoding) or "none"."""
        info = self._protocol.info
        if info is None:
            return self._protocol.targets
        if self._feeds:
            info = self._feeds[0].info if isinstance(self._feeds[0], ListFeed) else info
        return "samples" if info.target_name == info.sample_name else "tensors"

    @property
    def samples(self) -> Array:
        """The samples downloaded so far, stacked along the first axis."""
        return self._samples.array

    @property
    def targets(self) -> Array | None:
        """The targets downloaded so far, or None when the samples have no targets (or are their own)."""
        return self._targets.array if self.need_targets else None

    @property
    def num_samples(self) -> int:
        """How many samples have been downloaded so far."""
        return len(self._samples)

    @property
    def need_targets(self) -> bool:
        """Whether targets are downloaded beside the samples."""
        return self._targets_mode == "tensors"

    @property
    def autoencoding(self) -> bool:
        """Whether each sample is its own target (``autoencoding=True``)."""
        return self._targets_mode == "samples"

    @property
    def num_classes(self) -> int | None:
        """The ``num_classes`` argument, else what the first uploader's ``DataInfo`` says."""
        if self._num_classes is not None:
            return self._num_classes
        infos = [feed.info.num_classes for feed in self._feeds or [] if isinstance(feed, ListFeed)]
        return next((classes for classes in infos if classes is not None), None)

    def __len__(self) -> int:
        """Full batches in this replica's share so far."""
        return self.num_samples // self.batch_size

    # -- fetching ----------------------------------------------------------------------------------

    def _fetch(self) -> None:
        if self._feeds is None:
            sources: list[str | None] = list(read_keys(ConfigOptions.create_from_environment(""))[1]) or [None]
            share = Share(self.replica_rank, self.num_replicas)
            self._feeds = [self._protocol.feed(source, share) for source in sources]
        client = self.client
        batches = [batch for feed in self._feeds for batch in feed.fetch(client)]
        for batch in batches:
            self._layout.check(batch.label, batch.samples, batch.targets)
        self._samples.extend([batch.samples for batch in batches])
        if self.need_targets:
            self._targets.extend([batch.targets for batch in batches if batch.targets is not None])
        self.indices = np.arange(self.num_samples)
        if self.verbose and batches:
            log.info("replica %d: %d new batches, %d samples in all", self.replica_rank, len(batches), self.num_samples)

    def update_data(self) -> None:
        """Fetch the batches uploaded since the last update (if not ``dynamic``: only until
        there is one full batch), then reshuffle if ``shuffle``."""
        if self.dynamic or len(self) == 0:
            self._fetch()
        if self.shuffle:
            np.random.shuffle(self.indices)

    def init_samples(self, init_trials: int = -1, wait_interval: float = 1.0) -> None:
        """Fetch until at least one full batch is there; TrainingDataError after ``init_trials``
        tries (``-1``: keep trying), ``wait_interval`` seconds apart."""
        trials, limit = 0, _trials(init_trials)
        pause = _seconds(wait_interval, "wait_interval")
        started = last_report = time.monotonic()
        while True:
            self.update_data()
            trials += 1
            if len(self) > 0:
                return
            if trials == limit:
                raise TrainingDataError(self._shortage(f"after {trials} tries {pause:g} s apart"))
            now = time.monotonic()
            if trials == 1 or now - last_report >= _PROGRESS_EVERY:
                last_report = now
                log.info("%s; waited %.0f s, trying again", self._shortage("yet"), now - started)
            time.sleep(pause)

    def _shortage(self, when: str) -> str:
        waiting = "; ".join(feed.waiting_for() for feed in self._feeds or [])
        if self.num_samples == 0:
            return f"replica {self.replica_rank} found no training data {when}: waiting for {waiting}"
        return (
            f"replica {self.replica_rank} has only {self.num_samples} samples {when}, fewer than "
            f"batch_size={self.batch_size}: lower the batch size or upload more (waiting for {waiting})"
        )

    # -- batches -----------------------------------------------------------------------------------

    def batch_indices(self, index: int) -> Array:
        """The sample indices of batch ``index`` (``IndexError`` past the last full batch)."""
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range: {len(self)} full batches")
        return self.indices[index * self.batch_size : (index + 1) * self.batch_size]

    def data_generation(self, indices: Array) -> Array | tuple[Array, Array]:
        """``(samples, targets)`` at ``indices`` (``(x, x)`` when autoencoding; ``x`` alone
        when there are no targets)."""
        x = self.samples[indices]
        if self.need_targets:
            return x, self._targets.array[indices]
        if self.autoencoding:
            return x, x
        return x

    def __iter__(self) -> Iterator[Array | tuple[Array, Array]]:
        """One epoch: update the data (wait for a first full batch if there is none yet), then
        every full batch."""
        if len(self) > 0:
            self.update_data()
        else:
            self.init_samples(self.max_fetch_trials, self.wait_interval)
        for index in range(len(self)):
            yield self.data_generation(self.batch_indices(index))


class _Protocol:
    """Which protocol a downloader reads, with its names; makes one feed per source."""

    def __init__(
        self,
        info: str | DataInfo | None,
        sample_prefix: str | None,
        target_prefix: str | None,
        uploader_ranks: int | None,
    ) -> None:
        if (info is None) == (sample_prefix is None):
            raise ValueError(
                "give either data_info_or_list_name (the list protocol) or sample_prefix (the key protocol), "
                + ("not both" if info is not None else "not neither")
            )
        self.info: DataInfo | None = None
        if sample_prefix is None:
            if target_prefix is not None or uploader_ranks is not None:
                raise ValueError("target_prefix and uploader_ranks belong to the key protocol (with sample_prefix)")
            self.info = info if isinstance(info, DataInfo) else DataInfo(check_name(info, "data_info_or_list_name"))
            self.published = not isinstance(info, DataInfo)
            return
        self.sample_prefix = check_name(sample_prefix, "sample_prefix")
        self.target_prefix = None if target_prefix is None else check_name(target_prefix, "target_prefix")
        self.ranks = None if uploader_ranks is None else _int(uploader_ranks, "uploader_ranks", 1)
        if self.target_prefix is None:
            self.targets = "none"
        else:
            self.targets = "samples" if self.target_prefix == self.sample_prefix else "tensors"

    def feed(self, source: str | None, share: Share) -> Feed:
        if self.info is not None:
            return ListFeed(source, share, self.info, self.published)
        return KeyFeed(source, share, self.sample_prefix, self.target_prefix, self.ranks)
