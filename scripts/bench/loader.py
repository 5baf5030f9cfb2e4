"""Training-data download: samples/s that hpcsim's torch generator delivers against raw redis-py.

Starts one redis-server (loopback TCP, password on, no persistence) in a temporary directory.
A producer uploads ``--iterations`` batches in the online-training seed's key protocol
(``points_<i>``: float32 ``(rows, features)``, ``value_<i>``: float32 ``(rows,)``) with
``hpcsim.Client``. Then rounds alternate:

* hpcsim: a fresh ``hpcsim.ml.torch.DynamicDataGenerator(sample_prefix="points",
  target_prefix="value", shuffle=False)`` and one epoch of ``for x, y in generator``, timed
  from creating the generator to the end of the epoch (the first epoch includes the download);
  ``hpcsim_epoch2`` (context) is a second epoch on the same generator (data already in memory);
* raw: a redis-py connection, one pipeline of ``GET points_<i>`` / ``GET value_<i>`` for every
  iteration, ``np.frombuffer`` past the tensor header, one concatenated array, then batches
  sliced from it and turned into torch tensors with ``torch.from_numpy``.

Both sides run the same trivial training step on every batch (``x.sum()``, ``y.sum()``) and
count samples; ``ratio`` is hpcsim / raw samples/s (medians over rounds), target >= 0.8. The
samples both sides delivered are compared once (as multisets); a difference exits 1.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/loader.py            # 64 batches of 256 x 64, 5 rounds
    .venv/bin/python scripts/bench/loader.py --quick    # 16 batches, 3 rounds
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import redis
import torch
from _redis import start_server
from redis.backoff import NoBackoff
from redis.retry import Retry

from hpcsim.client import Client
from hpcsim.dataplane import codec
from hpcsim.ml.torch import DynamicDataGenerator

SAMPLE_PREFIX = "points"
TARGET_PREFIX = "value"
TARGET_RATIO = 0.8


def log(message: str) -> None:
    print(f"[loader bench] {message}", file=sys.stderr, flush=True)


def upload(iterations: int, rows: int, features: int) -> None:
    """The producer: ``iterations`` batches in the seed's key protocol."""
    client = Client(cluster=False)
    rng = np.random.default_rng(0)
    for i in range(iterations):
        samples = rng.standard_normal((rows, features), dtype=np.float32)
        targets = rng.standard_normal(rows, dtype=np.float32)
        client.put_tensor(f"{SAMPLE_PREFIX}_{i}", samples)
        client.put_tensor(f"{TARGET_PREFIX}_{i}", targets)
    client.close()


def train(batches: Iterator[tuple[torch.Tensor, torch.Tensor]], keep: list[np.ndarray[Any, Any]] | None) -> int:
    """The trivial training loop both sides feed: one reduction per tensor; returns samples seen.
    With ``keep``, each batch's rows (samples and target side by side) are kept for checking."""
    count = 0
    for x, y in batches:
        x.sum()
        y.sum()
        count += len(x)
        if keep is not None:
            keep.append(np.column_stack([x.numpy(), y.numpy()]))
    return count


# -- hpcsim ----------------------------------------------------------------------------------------


def hpcsim_epochs(batch_size: int, keep: list[np.ndarray[Any, Any]] | None = None) -> tuple[float, int, float, int]:
    """(seconds, samples) of the first epoch of a fresh generator, then of its second epoch."""
    start = time.perf_counter()
    generator = DynamicDataGenerator(
        sample_prefix=SAMPLE_PREFIX,
        target_prefix=TARGET_PREFIX,
        batch_size=batch_size,
        cluster=False,
        shuffle=False,
    )
    first = train(iter(generator), keep)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = train(iter(generator), None)
    second_s = time.perf_counter() - start
    generator.client.close()
    return first_s, first, second_s, second


# -- raw redis-py ----------------------------------------------------------------------------------


def raw_batches(port: int, password: str, iterations: int, features: int, batch_size: int) -> Iterator[Any]:
    """Every full batch of ``batch_size`` rows, downloaded in one redis-py pipeline."""
    raw = redis.Redis(port=port, password=password, protocol=2)
    pipe = raw.pipeline(transaction=False)
    for i in range(iterations):
        pipe.get(f"{SAMPLE_PREFIX}_{i}")
        pipe.get(f"{TARGET_PREFIX}_{i}")
    values = pipe.execute()
    raw.close()
    # hpcsim's tensor value: a header of codec.header_length(ndim) bytes, then the elements.
    sample_skip, target_skip = codec.header_length(2), codec.header_length(1)
    samples = np.concatenate(
        [np.frombuffer(value, np.float32, offset=sample_skip).reshape(-1, features) for value in values[0::2]]
    )
    targets = np.concatenate([np.frombuffer(value, np.float32, offset=target_skip) for value in values[1::2]])
    for at in range(0, len(samples) - batch_size + 1, batch_size):
        end = at + batch_size
        yield torch.from_numpy(samples[at:end]), torch.from_numpy(targets[at:end])


def raw_epoch(
    port: int,
    password: str,
    iterations: int,
    features: int,
    batch_size: int,
    keep: list[np.ndarray[Any, Any]] | None = None,
) -> tuple[float, int]:
    start = time.perf_counter()
    count = train(raw_batches(port, password, iterations, features, batch_size), keep)
    return time.perf_counter() - start, count


# -- checking --------------------------------------------------------------------------------------


def as_multiset(rows: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
    """The rows (sample and target) in a canonical order, so that two deliveries compare as multisets."""
    if not rows:
        return np.empty((0,))
    table = np.ascontiguousarray(np.concatenate(rows))
    records = table.view(np.dtype((np.void, table.dtype.itemsize * table.shape[1]))).ravel()
    return np.sort(records)


def check_outputs(port: int, password: str, args: argparse.Namespace) -> dict[str, object]:
    hpcsim_rows: list[np.ndarray[Any, Any]] = []
    raw_rows: list[np.ndarray[Any, Any]] = []
    _, hpcsim_count, _, _ = hpcsim_epochs(args.batch_size, hpcsim_rows)
    _, raw_count = raw_epoch(port, password, args.iterations, args.features, args.batch_size, raw_rows)
    expected = (args.iterations * args.rows // args.batch_size) * args.batch_size
    same = hpcsim_count == raw_count == expected and np.array_equal(as_multiset(hpcsim_rows), as_multiset(raw_rows))
    return {
        "outputs_match": bool(same),
        "samples_per_epoch": {"hpcsim": hpcsim_count, "raw": raw_count, "expected": expected},
    }


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=None, help="batches uploaded (default 64; 16 with --quick)")
    parser.add_argument("--rows", type=int, default=256, help="samples per uploaded batch (default 256)")
    parser.add_argument("--features", type=int, default=64, help="float32 features per sample (default 64)")
    parser.add_argument("--batch-size", type=int, default=256, help="training batch size B (default 256)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds per side (default 5; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer iterations and rounds")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the server's temporary directory")
    args = parser.parse_args()
    if args.iterations is None:
        args.iterations = 16 if args.quick else 64
    if args.repeat is None:
        args.repeat = 3 if args.quick else 5
    for name in ("iterations", "rows", "features", "batch_size", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.iterations * args.rows < args.batch_size:
        parser.error("--iterations x --rows must make at least one full batch")

    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    password = secrets.token_hex(16)
    runs: dict[str, list[float]] = {"hpcsim": [], "raw": [], "hpcsim_epoch2": []}
    with tempfile.TemporaryDirectory(prefix="hpcsim-loader-bench-", dir=args.dir) as tmp:
        directory = Path(tmp)
        password_file = directory / "password"
        password_file.write_text(password)
        password_file.chmod(0o600)
        process, target = start_server(directory, password)
        port = int(str(target["port"]))
        try:
            os.environ.update(HPCSIM_DB=f"127.0.0.1:{port}", HPCSIM_DB_PASSWORD_FILE=str(password_file))
            os.environ.pop("HPCSIM_DB_TYPE", None)
            redis_server = redis.Redis(port=port, password=password, protocol=2).info("server")["redis_version"]
            log(f"uploading {args.iterations} batches of {args.rows} x {args.features} float32")
            upload(args.iterations, args.rows, args.features)
            # One untimed epoch each, so imports and first-call costs stay out of the rounds.
            hpcsim_epochs(args.batch_size)
            raw_epoch(port, password, args.iterations, args.features, args.batch_size)
            for index in range(args.repeat):
                # Alternate which side goes first, so both see the same machine state.
                order = ("hpcsim", "raw") if index % 2 == 0 else ("raw", "hpcsim")
                for side in order:
                    if side == "hpcsim":
                        first_s, first, second_s, second = hpcsim_epochs(args.batch_size)
                        runs["hpcsim"].append(first / first_s)
                        runs["hpcsim_epoch2"].append(second / second_s)
                    else:
                        seconds, count = raw_epoch(port, password, args.iterations, args.features, args.batch_size)
                        runs["raw"].append(count / seconds)
                log(
                    f"round {index + 1}/{args.repeat}: hpcsim {runs['hpcsim'][-1]:,.0f} samples/s, "
                    f"raw {runs['raw'][-1]:,.0f} samples/s, hpcsim epoch 2 {runs['hpcsim_epoch2'][-1]:,.0f}"
                )
            check = check_outputs(port, password, args)
        finally:
            with contextlib.suppress(redis.RedisError):
                stopper = redis.Redis(port=port, password=password, protocol=2, retry=Retry(NoBackoff(), 0))
                stopper.execute_command("SHUTDOWN", "NOSAVE")
            process.wait(timeout=30)

    rates = {name: statistics.median(values) for name, values in runs.items()}
    samples = (args.iterations * args.rows // args.batch_size) * args.batch_size
    ratio = rates["hpcsim"] / rates["raw"]
    element_bytes = args.iterations * args.rows * (args.features + 1) * 4
    value_bytes = element_bytes + args.iterations * (codec.header_length(2) + codec.header_length(1))
    report = {
        "benchmark": "loader",
        "config": {
            "iterations": args.iterations,
            "rows": args.rows,
            "features": args.features,
            "batch_size": args.batch_size,
            "repeat": args.repeat,
            "bytes_total": element_bytes,
            "value_bytes_total": value_bytes,
            "transport": "tcp-loopback",
            "tmp_parent": str(args.dir) if args.dir else tempfile.gettempdir(),
        },
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "redis_py": redis.__version__,
        "redis_server": redis_server,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "samples_per_s": {name: round(rate, 1) for name, rate in rates.items()},
        "MB_per_s": {name: round(rate * (args.features + 1) * 4 / 1e6, 1) for name, rate in rates.items()},
        "epoch_ms": {name: round(samples / rate * 1e3, 2) for name, rate in rates.items()},
        "ratio": round(ratio, 3),
        "target": {"ratio_min": TARGET_RATIO, "met": ratio >= TARGET_RATIO},
        **check,
        "runs": {name: [round(rate, 1) for rate in values] for name, values in runs.items()},
    }
    print(json.dumps(report, indent=2))
    if not check["outputs_match"]:
        log("hpcsim delivered different samples than the raw baseline")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
