"""Training data for PyTorch: iterable datasets over a :class:`DataDownloader` and a DataLoader
whose workers split the data between them.

The generators batch (``batch_size`` on the generator); the DataLoader passes their batches
through. Each DataLoader worker is a replica of its own: worker ``w`` of ``W`` in training
replica ``r`` of ``R`` takes share ``r * W + w`` of ``R * W``, so every sample reaches exactly
one worker of one replica. Workers persist across epochs and keep what they downloaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.utils.data

from hpcsim.ml.data import DataDownloader

__all__ = ["DataLoader", "DynamicDataGenerator", "StaticDataGenerator"]


class _Generator(DataDownloader, torch.utils.data.IterableDataset[Any]):
    """Yields ``(x, y)`` torch tensors (or ``x``) for each full batch of this replica's share.
    Nothing is downloaded until iteration (or a DataLoader worker) starts."""

    dynamic_data = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "dynamic" in kwargs:
            raise TypeError(f"{type(self).__name__} takes no 'dynamic': pick Static- or DynamicDataGenerator")
        kwargs.update(init_samples=False, dynamic=self.dynamic_data)
        super().__init__(*args, **kwargs)

    def __iter__(self) -> Iterator[Any]:
        for batch in super().__iter__():
            if isinstance(batch, tuple):
                yield tuple(torch.from_numpy(part) for part in batch)
            else:
                yield torch.from_numpy(batch)


class StaticDataGenerator(_Generator):
    """The data that is there when iteration starts; it does not grow."""


class DynamicDataGenerator(_Generator):
    """Fetches what was uploaded since the last epoch at the start of every epoch."""

    dynamic_data = True


def _init_worker(then: Callable[[int], None] | None) -> Callable[[int], None]:
    def init(worker_id: int) -> None:
        info = torch.utils.data.get_worker_info()
        assert info is not None, "worker_init_fn runs in DataLoader workers only"
        dataset = info.dataset
        assert isinstance(dataset, _Generator)
        workers = info.num_workers
        dataset.set_replica(dataset.replica_rank * workers + worker_id, dataset.num_replicas * workers)
        dataset.init_samples(dataset.max_fetch_trials, dataset.wait_interval)
        if then is not None:
            then(worker_id)

    return init


class DataLoader(torch.utils.data.DataLoader[Any]):
    """torch's DataLoader over a Static/DynamicDataGenerator; workers persist across epochs and
    each takes a disjoint share of the data."""

    def __init__(self, dataset: StaticDataGenerator | DynamicDataGenerator, **kwargs: Any) -> None:
        if not isinstance(dataset, _Generator):
            raise TypeError(
                f"hpcsim's DataLoader takes a StaticDataGenerator or DynamicDataGenerator, not {type(dataset).__name__}"
            )
        if kwargs.setdefault("batch_size", None) is not None:
            raise ValueError(
                f"the generator already makes batches of {dataset.batch_size}; leave the DataLoader's batch_size "
                "at None (set batch_size on the generator)"
            )
        if kwargs.get("num_workers", 0) > 0:
            kwargs.setdefault("persistent_workers", True)
            kwargs["worker_init_fn"] = _init_worker(kwargs.get("worker_init_fn"))
        super().__init__(dataset, **kwargs)
