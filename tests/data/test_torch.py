"""hpcsim.ml.torch's generators and DataLoader against a real Redis server: DataLoader workers
split the data between them, and every sample arrives exactly once per epoch."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from hpcsim.client import Client
from hpcsim.ml.torch import DataLoader, DynamicDataGenerator, StaticDataGenerator
from tests.client.conftest import Database

ROWS = 16


def _upload(client: Client, first: int, count: int) -> None:
    """Iterations first..first+count-1: sample k of iteration i holds the id i*ROWS+k; its target is -id."""
    for iteration in range(first, first + count):
        ids = np.arange(iteration * ROWS, (iteration + 1) * ROWS, dtype=np.float32)
        client.put_tensor(f"points_{iteration}", np.stack([ids, ids], axis=1))
        client.put_tensor(f"value_{iteration}", -ids)


def _epoch(loader: object) -> Counter[int]:
    seen: Counter[int] = Counter()
    for x, y in loader:  # type: ignore[attr-defined]
        assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and x.shape == (8, 2)
        assert torch.equal(y, -x[:, 0])  # each sample keeps its own target through the shuffle
        seen.update(int(v) for v in x[:, 0])
    return seen


def _generator(cls: type, **kwargs: object) -> DynamicDataGenerator:
    return cls(  # type: ignore[no-any-return]
        sample_prefix="points", target_prefix="value", batch_size=8, cluster=False, wait_interval=0.05, **kwargs
    )


def test_two_workers_yield_every_sample_exactly_once_per_epoch_and_new_ones_next_epoch(standalone: Database) -> None:
    client = Client(cluster=False)
    _upload(client, 0, 4)
    loader = DataLoader(_generator(DynamicDataGenerator), num_workers=2)
    for _ in range(2):
        assert _epoch(loader) == Counter(range(4 * ROWS))
    _upload(client, 4, 2)
    assert _epoch(loader) == Counter(range(6 * ROWS))


def test_workers_of_two_replicas_split_everything_between_them(standalone: Database) -> None:
    _upload(Client(cluster=False), 0, 8)
    seen = [
        _epoch(DataLoader(_generator(DynamicDataGenerator, replica_rank=r, num_replicas=2), num_workers=2))
        for r in (0, 1)
    ]
    assert not set(seen[0]) & set(seen[1])
    assert seen[0] + seen[1] == Counter(range(8 * ROWS))


def test_without_workers_the_generator_downloads_on_first_iteration(standalone: Database) -> None:
    client = Client(cluster=False)
    _upload(client, 0, 2)
    generator = _generator(StaticDataGenerator)
    assert generator.num_samples == 0  # nothing is fetched before iteration
    loader = DataLoader(generator, num_workers=0)
    assert _epoch(loader) == Counter(range(2 * ROWS))
    _upload(client, 2, 1)
    assert _epoch(loader) == Counter(range(2 * ROWS))  # static: it does not grow


def test_dataloader_refuses_its_own_batch_size_and_foreign_datasets(standalone: Database) -> None:
    generator = _generator(DynamicDataGenerator)
    with pytest.raises(ValueError, match="already makes batches of 8"):
        DataLoader(generator, batch_size=8)
    with pytest.raises(TypeError, match="StaticDataGenerator or DynamicDataGenerator, not list"):
        DataLoader([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes no 'dynamic'"):
        _generator(StaticDataGenerator, dynamic=True)
