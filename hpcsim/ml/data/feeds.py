"""Where one replica finds new batches of one uploader, in either protocol.

A feed numbers the uploader's batches 0, 1, 2, ... and hands replica ``r`` of ``R`` the
batches ``r, r + R, r + 2R, ...``: replicas get disjoint shares whose union is every batch.
Batches are taken in order; a missing one stops the fetch until the next update.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpcsim.client import Client
from hpcsim.ml.data.info import DataInfo, form_name

__all__ = ["Batch", "Feed", "KeyFeed", "ListFeed", "Share"]

# How many batches one pipelined poll asks for in the key protocol.
_WINDOW = 64


@dataclass
class Batch:
    label: str
    samples: np.ndarray[Any, Any]
    targets: np.ndarray[Any, Any] | None


@dataclass(frozen=True)
class Share:
    """Replica ``rank`` of ``count`` takes every ``count``-th batch starting at ``rank``."""

    rank: int = 0
    count: int = 1


class Feed(ABC):
    """The batches of one uploader (one ``KEYIN`` source, or none) that one replica takes."""

    def __init__(self, source: str | None, share: Share) -> None:
        self.source = source
        self.share = share
        self.next = share.rank  # the uploader's index of the next batch this replica takes

    def _select(self, client: Client) -> None:
        if self.source is not None:
            client.set_data_source(self.source)

    def _from(self) -> str:
        return f" from source {self.source!r}" if self.source is not None else ""

    @abstractmethod
    def fetch(self, client: Client) -> list[Batch]:
        """The new batches of this replica's share, in order."""

    @abstractmethod
    def waiting_for(self) -> str:
        """What the next fetch looks for, for progress and error messages."""


class ListFeed(Feed):
    """Datasets appended to an aggregation list by ``TrainingDataUploader``s."""

    def __init__(self, source: str | None, share: Share, info: DataInfo, published: bool) -> None:
        super().__init__(source, share)
        self.info = DataInfo(info.list_name, info.sample_name, info.target_name, info.num_classes)
        self._info_known = not published

    @property
    def needs_targets(self) -> bool:
        return self.info.target_name != self.info.sample_name

    def fetch(self, client: Client) -> list[Batch]:
        self._select(client)
        length = client.get_list_length(self.info.list_name)
        if self.next >= length:
            return []
        if not self._info_known:
            self.info.download(client)
            self._info_known = True
        step = self.share.count
        datasets = client.get_dataset_list_range(self.info.list_name, self.next, length - 1, step=step)
        self.next += len(datasets) * step
        batches = []
        for dataset in datasets:
            names = dataset.get_tensor_names()
            wanted = [self.info.sample_name] + ([self.info.target_name] if self.needs_targets else [])
            missing = [name for name in wanted if name not in names]
            if missing:
                raise ValueError(
                    f"dataset {dataset.get_name()!r} in list {self.info.list_name!r}{self._from()} has no tensor "
                    f"{missing[0]!r} (it has {names}); check sample_name/target_name or the list's DataInfo"
                )
            targets = dataset.get_tensor(self.info.target_name) if self.needs_targets else None
            batches.append(Batch(dataset.get_name(), dataset.get_tensor(self.info.sample_name), targets))
        return batches

    def waiting_for(self) -> str:
        return f"entry {self.next} of list {self.info.list_name!r}{self._from()}"


class KeyFeed(Feed):
    """Tensors ``<sample_prefix>[_<rank>]_<iteration>`` (and the matching targets), batch
    ``i`` being iteration ``i // ranks`` of uploader rank ``i % ranks``."""

    def __init__(
        self,
        source: str | None,
        share: Share,
        sample_prefix: str,
        target_prefix: str | None,
        ranks: int | None,
    ) -> None:
        super().__init__(source, share)
        self.sample_prefix = sample_prefix
        self.target_prefix = target_prefix if target_prefix != sample_prefix else None
        self.ranks = ranks
        self.orphan: tuple[str, str] | None = None  # samples whose targets have not appeared

    def _names(self, batch: int) -> tuple[str, str | None]:
        rank = None if self.ranks is None else batch % self.ranks
        iteration = batch if self.ranks is None else batch // self.ranks
        target = None if self.target_prefix is None else form_name(self.target_prefix, rank, iteration)
        return form_name(self.sample_prefix, rank, iteration), target

    def fetch(self, client: Client) -> list[Batch]:
        self._select(client)
        batches: list[Batch] = []
        while True:
            window = [self._names(self.next + k * self.share.count) for k in range(_WINDOW)]
            names = [name for pair in window for name in pair if name is not None]
            values = iter(client.get_tensors_if_exist(names))
            for sample_name, target_name in window:
                samples = next(values)
                targets = next(values) if target_name is not None else None
                if samples is None:
                    return batches
                if target_name is not None and targets is None:
                    self.orphan = (sample_name, target_name)
                    return batches
                self.orphan = None
                batches.append(Batch(sample_name, samples, targets))
                self.next += self.share.count

    def waiting_for(self) -> str:
        sample, target = self._names(self.next)
        if self.orphan is not None:
            return (
                f"tensor {self.orphan[1]!r}{self._from()}: {self.orphan[0]!r} is there but not its targets "
                "(is target_prefix right?)"
            )
        if target is None:
            return f"tensor {sample!r}{self._from()}"
        return f"tensors {sample!r} and {target!r}{self._from()}"
