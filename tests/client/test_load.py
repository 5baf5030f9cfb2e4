"""The 64-client load test: 64 processes each put 100 tensors of mixed dtypes and shapes, sized
log-uniformly from 1 B to 4 MiB, into the 3-shard Redis Cluster at once; then every tensor a
client saw acknowledged is read back and compared bit-exact (dtype, shape, bytes).

Every process draws its tensors from its own fixed seed, so the load is the same on every run:
6,400 tensors, 1.6 GB in all (see ``test_load_is_the_documented_size``). The workers are
this file run as a script; each writes one JSON line per acknowledged put. Every wait is
bounded, every worker is killed by its pid if it outlives the test, and the keys are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

CLIENTS = 64
PUTS = 100
MIN_BYTES = 1
MAX_BYTES = 4 * 2**20
SEED = 19_000  # worker i draws from SEED + i
DTYPES = ("f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1", "c8", "c16")
#: bounds: every worker must be connected and waiting within READY_S, and done within RUN_S
READY_S = 120.0
RUN_S = 300.0


def key_of(client: int, put: int) -> str:
    return f"load.{client}.{put}"


def tensor_for(client: int, put: int) -> np.ndarray[Any, Any]:
    """Tensor ``put`` of worker ``client``: the same on every call (workers put it, the test
    regenerates it to compare)."""
    rng = np.random.default_rng([SEED + client, put])
    dtype = np.dtype("<" + DTYPES[int(rng.integers(len(DTYPES)))].replace("b1", "?"))
    n_bytes = int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES + 1))))
    n_bytes = min(max(n_bytes, MIN_BYTES), MAX_BYTES)
    count = max(1, n_bytes // dtype.itemsize)
    if dtype.kind == "b":
        flat = rng.integers(0, 2, count).astype(dtype)
    else:  # any bit pattern, NaNs and infinities included
        flat = np.frombuffer(rng.bytes(count * dtype.itemsize), dtype=dtype)
    shape: tuple[int, ...] = (count,)
    ndim = int(rng.integers(1, 4))
    if ndim >= 2 and count % 4 == 0:
        shape = (4, count // 4)
        if ndim == 3 and count % 8 == 0:
            shape = (2, 4, count // 8)
    return flat.reshape(shape)


def digest(array: np.ndarray[Any, Any]) -> str:
    return hashlib.sha256(array.dtype.str.encode() + repr(array.shape).encode() + array.tobytes()).hexdigest()


def worker(client_index: int, go_file: str, out_file: str) -> int:
    """One load client: connect, wait for the go file, put PUTS tensors, recording each ack."""
    from hpcsim.client import Client

    client = Client(cluster=True)
    Path(out_file + ".ready").touch()
    deadline = time.monotonic() + READY_S
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.01)
    with open(out_file, "w") as out:
        for put in range(PUTS):
            array = tensor_for(client_index, put)
            record = {
                "key": key_of(client_index, put),
                "put": put,
                "dtype": array.dtype.str,
                "shape": list(array.shape),
            }
            try:
                client.put_tensor(record["key"], array)
            except Exception as error:  # an unacknowledged put is reported, not fatal
                record["error"] = f"{type(error).__name__}: {error}"
            else:
                record["sha256"] = digest(array)
            out.write(json.dumps(record) + "\n")
            out.flush()
    return 0


def _stop_workers(processes: list[subprocess.Popen[bytes]]) -> None:
    """Kill, by pid, every worker this test started that is still running, and reap it."""
    for process in processes:
        if process.poll() is None:
            process.kill()
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)


def test_load_is_the_documented_size() -> None:
    """The fixed seeds give the documented load: every dtype, 1 B to 4 MiB, 1.6 GB."""
    sizes = [tensor_for(c, p).nbytes for c in range(CLIENTS) for p in range(PUTS)]
    kinds = {tensor_for(c, p).dtype.str for c in range(CLIENTS) for p in range(0, PUTS, 10)}
    assert len(sizes) == 6400
    assert min(sizes) <= 16 and MAX_BYTES // 2 < max(sizes) <= MAX_BYTES
    assert sum(sizes) == 1_613_528_642
    assert len(kinds) == len(DTYPES)


def test_64_clients_put_mixed_tensors_and_every_acknowledged_one_reads_back(cluster_db: Any, tmp_path: Path) -> None:
    from hpcsim.client import Client

    go_file = tmp_path / "go"
    outs = [tmp_path / f"worker{i}.jsonl" for i in range(CLIENTS)]
    processes: list[subprocess.Popen[bytes]] = []
    verify = Client(cluster=True)
    try:
        for i, out in enumerate(outs):
            processes.append(
                subprocess.Popen(
                    [sys.executable, __file__, str(i), str(go_file), str(out)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=(tmp_path / f"worker{i}.err").open("wb"),
                )
            )
        deadline = time.monotonic() + READY_S
        while not all(Path(f"{out}.ready").exists() for out in outs):
            failed = [i for i, p in enumerate(processes) if p.poll() is not None]
            assert not failed, f"workers {failed} exited before connecting: " + _stderr(tmp_path, failed[0])
            assert time.monotonic() < deadline, f"not all {CLIENTS} workers connected within {READY_S:.0f} s"
            time.sleep(0.05)
        go_file.touch()  # all 64 start putting together
        started = time.monotonic()
        deadline = time.monotonic() + RUN_S
        for i, process in enumerate(processes):
            try:
                code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"worker {i} (pid {process.pid}) still putting after {RUN_S:.0f} s")
            assert code == 0, f"worker {i} exited with {code}: " + _stderr(tmp_path, i)

        records = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
        errors = [r for r in records if "error" in r]
        assert not errors, f"{len(errors)} of {len(records)} puts were not acknowledged, e.g. {errors[0]}"
        assert len(records) == CLIENTS * PUTS

        put_s = time.monotonic() - started
        checked = total = 0
        for i in range(CLIENTS):
            for record in (json.loads(line) for line in outs[i].read_text().splitlines()):
                expected = tensor_for(i, record["put"])
                back = verify.get_tensor(record["key"])
                where = f"{record['key']} ({expected.dtype}, {expected.shape})"
                assert back.dtype == expected.dtype, f"{where}: read back as {back.dtype}"
                assert back.shape == expected.shape, f"{where}: read back with shape {back.shape}"
                assert back.tobytes() == expected.tobytes(), f"{where}: bytes differ"
                assert digest(back) == record["sha256"], f"{where}: differs from what the worker put"
                checked += 1
                total += back.nbytes
        assert checked == CLIENTS * PUTS
        verify_s = time.monotonic() - started - put_s
        print(f"{CLIENTS} clients x {PUTS} puts, {total} B: puts {put_s:.1f} s, read back {verify_s:.1f} s")
        # the load really was spread over the three shards
        assert all(server.redis().dbsize() > 0 for server in cluster_db.servers)
    finally:
        _stop_workers(processes)
        for i in range(CLIENTS):
            for put in range(PUTS):
                with contextlib.suppress(Exception):  # a key that was never put has nothing to delete
                    verify.delete_tensor(key_of(i, put))


def _stderr(tmp_path: Path, i: int) -> str:
    path = tmp_path / f"worker{i}.err"
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


if __name__ == "__main__":
    sys.exit(worker(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
