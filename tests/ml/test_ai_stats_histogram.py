"""The worker's execution time histogram: ``hist.<b>`` fields of a model's statistics hash,
counting each execution in bucket ``max(0, ceil(log2(microseconds)))``, on a standalone server
and a 3-shard cluster with real workers; ``get_ai_info`` leaves them out."""

from __future__ import annotations

import io
import secrets
from typing import cast

import numpy as np
import pytest
import redis
import torch

from hpcsim import Client
from hpcsim.dataplane import protocol
from hpcsim.errors import InferenceError
from hpcsim.ml.backends import Threads
from hpcsim.ml.objects import ObjectCache
from hpcsim.ml.worker import Worker, _Group
from tests.ml.conftest import MLDatabase

RUNS = 7


class Fails(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.sum() > 0):
            raise RuntimeError("positive")
        return x * 2


def _blob(module: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module.eval()), buffer)
    return buffer.getvalue()


def _server(database: MLDatabase, address: str) -> redis.Redis:
    host, port = address.rsplit(":", 1)
    password = database.password_file.read_text().strip()
    return redis.Redis(host=host, port=int(port), password=password, protocol=2)


def _stats(database: MLDatabase, model: str) -> dict[bytes, int]:
    """The statistics hash of ``model`` summed over every server (each shard counts its own)."""
    total: dict[bytes, int] = {}
    for address in database.addresses:
        server = _server(database, address)
        for key in server.scan_iter(match=f"*{protocol.stats_key('', '')}*{model}"):
            for field, value in cast(dict[bytes, bytes], server.hgetall(key)).items():
                total[field] = total.get(field, 0) + int(value)
        server.close()
    return total


def _histogram(stats: dict[bytes, int]) -> dict[int, int]:
    return {int(field[len(b"hist.") :]): count for field, count in stats.items() if field.startswith(b"hist.")}


def test_every_execution_is_counted_in_one_bucket(mldb: MLDatabase) -> None:
    client = Client(cluster=mldb.kind == "cluster")
    model, x = f"hist_{secrets.token_hex(4)}", f"x_{secrets.token_hex(4)}"
    client.set_model(model, _blob(Fails()), "TORCH")
    client.put_tensor(x, -np.ones((2, 3), dtype=np.float32))
    for _ in range(RUNS):
        client.run_model(model, x, "y")
    client.put_tensor(x, np.ones((2, 3), dtype=np.float32))
    with pytest.raises(InferenceError, match="positive"):
        client.run_model(model, x, "y")  # a failed execution is still an execution
    stats = _stats(mldb, model)
    histogram = _histogram(stats)
    assert stats[b"executions"] == RUNS + 1
    assert sum(histogram.values()) == stats[b"executions"]
    assert all(bucket >= 0 for bucket in histogram)
    infos = client.get_ai_info(mldb.addresses, model)
    assert sum(int(info["executions"]) for info in infos) == RUNS + 1
    assert not [name for info in infos for name in info if name.startswith("hist")]
    for address in mldb.addresses:
        client.get_ai_info(address, model, reset_stat=True)
    assert _stats(mldb, model) == {}


def test_one_finish_adds_one_increment_per_bucket(standalone_ml: MLDatabase) -> None:
    """Executions of one batch run that fall in the same bucket share one HINCRBY, sent with the
    answers in the worker's next round trip."""
    server = _server(standalone_ml, standalone_ml.addresses[0])
    worker = Worker(server, "", ObjectCache(Threads()))
    model = f"finish_{secrets.token_hex(4)}"
    # six executions of given lengths (seconds), not measured ones: the buckets are known exactly
    durations = [2.5e-6, 3e-6, 3.5e-6, 1e-3, 0.5e-6, 0.0]
    try:
        worker._finish(_Group(model, "", None), [], sum(durations), durations)
        increments = [command[2] for command in worker._pending if command[0] == b"HINCRBY"]
        assert increments[5:] == [b"hist.0", b"hist.2", b"hist.10"]
        worker._exchange([])
        stats = _stats(standalone_ml, model)
        histogram = _histogram(stats)
        assert histogram == {0: 2, 2: 3, 10: 1}
        assert stats[b"executions"] == 6
        # bookkeeping of the given lengths, not a timing: the stored total is their sum in whole µs
        given_us = int(sum(durations) * 1e6)
        assert stats[b"duration_us"] == given_us
        # each given length is at most 2**b µs, and more than 2**(b-1) µs for b > 0
        assert sum(count << bucket for bucket, count in histogram.items()) >= given_us
        assert sum(count << (bucket - 1) for bucket, count in histogram.items() if bucket) <= given_us
    finally:
        server.delete(protocol.stats_key("", model))
        worker.connection.disconnect()
        server.close()
