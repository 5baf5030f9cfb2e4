"""Data-plane client throughput: hpcsim's put_tensor/get_tensor against raw redis-py SET/GET.

Starts one redis-server (loopback TCP, or a Unix socket with ``--unix``; password on, no
persistence, 4 GB bulk limit) in a temporary directory, then for each tensor size alternates
rounds of:

* hpcsim: ``Client.put_tensor`` / ``Client.get_tensor`` of a float32 array of that many bytes;
* raw: redis-py ``SET`` / ``GET`` of a ``bytes`` object holding exactly the value hpcsim stores
  (header + elements), on its own connection to the same server.

``ratio`` is hpcsim / raw throughput (medians over rounds); targets: >= 0.9 from 1 MiB up,
>= 0.8 in ops/s at 1 KiB. A batch section compares ``put_tensors``/``get_tensors`` of many
small tensors with a raw redis-py pipeline of the same SETs/GETs.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/client.py            # 1 KiB, 1 MiB, 16 MiB, 256 MiB
    .venv/bin/python scripts/bench/client.py --quick    # fewer sizes and rounds
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
from collections.abc import Callable
from pathlib import Path

import numpy as np
import redis
from _redis import start_server
from redis.backoff import NoBackoff
from redis.retry import Retry

from hpcsim.client import Client
from hpcsim.dataplane import codec

KIB = 1024
MIB = 1024 * KIB
SIZES = [KIB, MIB, 16 * MIB, 256 * MIB]
QUICK_SIZES = [KIB, MIB, 16 * MIB]


def log(message: str) -> None:
    print(f"[client bench] {message}", file=sys.stderr, flush=True)


def timed(operation: Callable[[], object], reps: int) -> float:
    start = time.perf_counter()
    for _ in range(reps):
        operation()
    return time.perf_counter() - start


def reps_for(size: int, quick: bool) -> tuple[int, int]:
    """(operations per round, rounds) so that each round moves a useful amount of data."""
    if size <= KIB:
        return (2000 if quick else 5000), (3 if quick else 5)
    ops = max(1, min(200, (256 * MIB) // size))
    return (max(1, ops // 4) if quick else ops), (3 if quick else 5)


def bench_size(client: Client, raw: redis.Redis, size: int, quick: bool) -> dict[str, object]:
    data = np.random.default_rng(size).standard_normal(size // 4).astype(np.float32)
    value = b"".join(codec.encode_tensor(data))
    ops, rounds = reps_for(size, quick)
    runs: dict[str, list[float]] = {"hpcsim_put": [], "raw_put": [], "hpcsim_get": [], "raw_get": []}
    client.put_tensor("bench", data)
    raw.set("raw_bench", value)
    for _ in range(rounds):
        runs["hpcsim_put"].append(ops / timed(lambda: client.put_tensor("bench", data), ops))
        runs["raw_put"].append(ops / timed(lambda: raw.set("raw_bench", value), ops))
        runs["hpcsim_get"].append(ops / timed(lambda: client.get_tensor("bench"), ops))
        runs["raw_get"].append(ops / timed(lambda: raw.get("raw_bench"), ops))
    if not np.array_equal(client.get_tensor("bench"), data):
        raise RuntimeError(f"round trip of {size} bytes returned different data")
    client.delete_tensor("bench")
    raw.delete("raw_bench")
    ops_per_s = {name: statistics.median(values) for name, values in runs.items()}
    result: dict[str, object] = {
        "bytes": size,
        "value_bytes": len(value),
        "ops_per_round": ops,
        "rounds": rounds,
        "ops_per_s": {name: round(rate, 1) for name, rate in ops_per_s.items()},
        "MB_per_s": {name: round(rate * len(value) / 1e6, 1) for name, rate in ops_per_s.items()},
        "put_ratio": round(ops_per_s["hpcsim_put"] / ops_per_s["raw_put"], 3),
        "get_ratio": round(ops_per_s["hpcsim_get"] / ops_per_s["raw_get"], 3),
    }
    log(f"{size} B: put ratio {result['put_ratio']}, get ratio {result['get_ratio']}")
    return result


def bench_batch(client: Client, raw: redis.Redis, count: int, size: int, rounds: int) -> dict[str, object]:
    tensors = {f"batch_{i}": np.full(size // 8, i, dtype=np.float64) for i in range(count)}
    values = {f"raw_batch_{i}": b"".join(codec.encode_tensor(data)) for i, data in enumerate(tensors.values())}
    names = list(tensors)

    def raw_put() -> None:
        pipe = raw.pipeline(transaction=False)
        for key, value in values.items():
            pipe.set(key, value)
        pipe.execute()

    def raw_get() -> None:
        pipe = raw.pipeline(transaction=False)
        for key in values:
            pipe.get(key)
        pipe.execute()

    runs: dict[str, list[float]] = {"hpcsim_put": [], "raw_put": [], "hpcsim_get": [], "raw_get": []}
    for _ in range(rounds):
        runs["hpcsim_put"].append(count / timed(lambda: client.put_tensors(tensors), 1))
        runs["raw_put"].append(count / timed(raw_put, 1))
        runs["hpcsim_get"].append(count / timed(lambda: client.get_tensors(names), 1))
        runs["raw_get"].append(count / timed(raw_get, 1))
    rates = {name: statistics.median(values) for name, values in runs.items()}
    single = count / timed(lambda: [client.put_tensor(name, data) for name, data in tensors.items()], 1)
    result: dict[str, object] = {
        "tensors": count,
        "bytes_each": size,
        "tensors_per_s": {name: round(rate, 1) for name, rate in rates.items()},
        "put_ratio": round(rates["hpcsim_put"] / rates["raw_put"], 3),
        "get_ratio": round(rates["hpcsim_get"] / rates["raw_get"], 3),
        "speedup_over_single_puts": round(rates["hpcsim_put"] / single, 1),
    }
    log(f"batch of {count} x {size} B: put ratio {result['put_ratio']}, get ratio {result['get_ratio']}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes up to 16 MiB and fewer rounds")
    parser.add_argument("--unix", action="store_true", help="talk over a Unix socket instead of loopback TCP")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the server's temporary directory")
    args = parser.parse_args()
    password = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="hpcsim-client-bench-", dir=args.dir) as tmp:
        directory = Path(tmp)
        password_file = directory / "password"
        password_file.write_text(password)
        password_file.chmod(0o600)
        process, target = start_server(directory, password, args.unix)
        try:
            address = f"unix://{target['unix_socket_path']}" if args.unix else f"127.0.0.1:{target['port']}"
            os.environ.update(
                HPCSIM_DB=address, HPCSIM_DB_TYPE="standalone", HPCSIM_DB_PASSWORD_FILE=str(password_file)
            )
            client = Client(logger_name="bench")
            raw = redis.Redis(password=password, protocol=2, **target)
            sizes = QUICK_SIZES if args.quick else SIZES
            results = [bench_size(client, raw, size, args.quick) for size in sizes]
            batch = bench_batch(client, raw, 1000, KIB, 3 if args.quick else 5)
        finally:
            with contextlib.suppress(redis.RedisError):
                stopper = redis.Redis(password=password, protocol=2, retry=Retry(NoBackoff(), 0), **target)
                stopper.execute_command("SHUTDOWN", "NOSAVE")
            process.wait(timeout=30)
    small = next(r for r in results if r["bytes"] == KIB)
    large = [r for r in results if int(str(r["bytes"])) >= MIB]
    report = {
        "benchmark": "client",
        "transport": "unix" if args.unix else "tcp-loopback",
        "python": platform.python_version(),
        "redis_py": redis.__version__,
        "cpus": os.cpu_count(),
        "sizes": results,
        "batch": batch,
        "targets": {
            "small_ops_ratio_min_0.8": min(small["put_ratio"], small["get_ratio"]),
            "large_throughput_ratio_min_0.9": min(min(r["put_ratio"], r["get_ratio"]) for r in large),
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
