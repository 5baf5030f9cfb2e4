"""In-database inference: ``run_model`` latency against an in-process call, and the worker's
batching throughput with 16 concurrent client processes.

Starts one standalone database through the real shard entrypoint (``python -m hpcsim.db.shard``
on loopback TCP, password on), which starts the inference worker beside redis-server, with
``--set intra-op-parallelism=1`` so the worker's torch uses one thread; this process calls
``torch.set_num_threads(1)`` too, so both sides of the latency comparison compute with one
thread. The database is stopped (SIGTERM to the shard, which stops server and worker) at the end.

Four TorchScript models (float32, scripted and serialized with
``hpcsim.ml.torch.serialize_model``) are measured, each stored twice with ``set_model(...,
"TORCH")``: once with ``batch_size=0`` and once with ``batch_size=16`` and
``min_batch_size``/``min_batch_timeout`` from ``--min-batch-size``/``--min-batch-timeout``
(default 0 and 0: the worker merges what is queued, up to 16 rows, without waiting).

* ``small``, MLP 16 -> 64 -> 64 -> 8: the model the latency target is about.
* ``large``, MLP 256 -> 1024 -> 1024 -> 256: a model whose own compute matters.
* ``deep``, 256 layers 32 -> 32 with ReLU between: compute-dominated (about 1 ms per
  call with one thread), almost all of it per operator rather than per row, so a batch of 16
  costs about 1.3 times one row, as on a GPU. A batching target model.
* ``cnn``, two 3x3 convolutions (1 -> 8, 8 -> 16 channels) with ReLU and 2x2 max-pooling,
  then a linear layer to 10, on 1x64x64 inputs: compute-dominated too, but on one CPU thread
  its cost grows with the rows of a batch, so batching saves only the per-request costs.

Latency (one client, input of batch 1, four rounds cycling through the four operations):

* ``run_model_us``: ``Client.run_model`` alone (the input was put once beforehand);
* ``round_trip_us``: ``put_tensor`` + ``run_model`` + ``get_tensor``;
* ``inprocess_us``: the same scripted module (``torch.jit.load`` of the same bytes) called in
  this process on the same input under ``torch.inference_mode``;
* ``ping_us``: a raw redis-py ``PING`` to the same server, the cost of one round trip;
* ``list_echo_us``: the floor of any request that goes through the server to another process
  and back: a raw redis-py ``RPUSH`` of a request-sized value pipelined with a ``BLPOP`` of the
  reply, answered by a second process (spawned, plain redis-py, no hpcsim) that ``BLPOP``s the
  request and ``RPUSH``es it back. ``run_model`` makes the same four trips (client to server,
  server to worker, worker to server, server to client), plus the work at each end.

Targets (small model): ``run_model`` p50 <= 300 us, and ``overhead_us_p50 = run_model p50 -
inprocess p50`` <= 1000 us. The output of the last round trip is checked against the
in-process result.

Throughput: 16 client processes (started with ``spawn``, so none inherits this process's torch
threads; they never import torch) each call ``run_model`` in a loop on their own input key for ``--duration`` seconds,
against the unbatched and the batched model of each configuration in turn, for ``--rounds``
rounds. Requests/s is the sum over clients of calls / elapsed; ``batching_speedup = batched /
unbatched`` (medians over the rounds); target >= 3 for the compute-dominated models
(``deep``, ``cnn``). Per phase, the worker's own counters
(``Client.get_ai_info``: calls, executions, duration_us) give the mean batch it ran and its
compute time per request, and ``cpu_us_per_request`` splits the CPU time spent per request
between the 16 clients (``time.process_time``), the worker and redis-server (``/proc``).

What limits the speedup: the 16 clients, redis-server and the worker share the machine's cores
(2 on the CI VM). Every request costs CPU outside the model (the client's ``run_model``, the
worker's decoding and answer, redis-server) whether it is batched or not; batching removes only
model executions, and saves compute only where a batch costs less than its rows run one by one
(``deep``; not ``cnn`` on one CPU thread). See ``cpu_us_per_request``.

Batched models default to ``min_batch_timeout=0``: with a timeout the worker waits for more
requests with a server-side ``BLPOP`` whose timeout it writes in whole milliseconds, which
Redis turns into "wait forever" below 1 ms, so a run with a timeout can stall (until the
throughput clients' own ``HPCSIM_MODEL_TIMEOUT`` of 20 s ends it with an error).

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/inference.py            # 2000 latency samples, 3 rounds of 5 s
    .venv/bin/python scripts/bench/inference.py --quick    # 300 samples, 1 round of 2 s
    .venv/bin/python scripts/bench/inference.py --min-batch-size 8 --min-batch-timeout 2
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import multiprocessing
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import redis
from _common import free_port, percentile

CLIENTS = 16
BATCH_SIZE = 16
#: how long a throughput client waits for an answer before it reports a hung worker
MODEL_TIMEOUT_S = 20


@dataclass(frozen=True)
class Config:
    """A benchmark model: what it is, and the shape of one request's input (batch 1)."""

    description: str
    shape: tuple[int, ...]


CONFIGS = {
    "small": Config("MLP 16-64-64-8", (1, 16)),
    "large": Config("MLP 256-1024-1024-256", (1, 256)),
    "deep": Config("MLP of 256 layers 32-32 (ReLU)", (1, 32)),
    "cnn": Config("CNN: conv 1->8, pool, conv 8->16, pool, linear 4096->10", (1, 1, 64, 64)),
}
#: the models the batching target is about: their compute dominates a request
COMPUTE_BOUND = ("deep", "cnn")
TARGET_RUN_MODEL_US = 300.0
TARGET_OVERHEAD_US = 1000.0
TARGET_SPEEDUP = 3.0
WORKER_THREADS = 1


def log(message: str) -> None:
    print(f"[inference bench] {message}", file=sys.stderr, flush=True)


def summary_us(samples: list[float]) -> dict[str, float]:
    """Nearest-rank p50/p99 of ``samples`` (seconds) in microseconds."""
    return {
        "p50": round(percentile(samples, 0.5) * 1e6, 1),
        "p99": round(percentile(samples, 0.99) * 1e6, 1),
        "n": len(samples),
    }


# -- the database ----------------------------------------------------------------------------------


@dataclass
class Database:
    process: subprocess.Popen[bytes]
    address: str
    port: int
    password: str
    directory: Path
    server_pid: int
    worker_pid: int

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start_database(directory: Path) -> Database:
    """One standalone shard with its worker (as ``tests/ml/conftest.py`` starts one); returns
    once ``<dir>/.hpcsim/<name>.worker.json`` exists."""
    from hpcsim.db.discovery import find_redis_server

    name = "bench"
    password = secrets.token_hex(16)
    password_file = directory / "password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    port = free_port()
    argv = [sys.executable, "-m", "hpcsim.db.shard", "--name", name, "--port", str(port), "--dir", str(directory)]
    argv += ["--server", str(find_redis_server()), "--password-file", str(password_file)]
    argv += ["--set", f"intra-op-parallelism={WORKER_THREADS}"]
    log_path = directory / f"{name}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    hidden = directory / ".hpcsim"
    deadline = time.monotonic() + 60
    while not ((hidden / f"{name}.shard.json").exists() and (hidden / f"{name}.worker.json").exists()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the database did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.02)
    server_pid = int(json.loads((hidden / f"{name}.shard.json").read_text())["pid"])
    worker_pid = int(json.loads((hidden / f"{name}.worker.json").read_text())["pid"])
    return Database(process, f"127.0.0.1:{port}", port, password, directory, server_pid, worker_pid)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- models ----------------------------------------------------------------------------------------


def mlp(sizes: tuple[int, ...]) -> Any:
    """An MLP with ReLU between its linear layers."""
    import torch

    layers: list[torch.nn.Module] = []
    for width_in, width_out in itertools.pairwise(sizes):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def cnn() -> Any:
    """A small CNN for 1x64x64 inputs: two 3x3 convolutions with ReLU and 2x2 max-pooling,
    then a linear layer to 10 outputs."""
    import torch

    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 16 * 16, 10),
    )


def model_blob(config: str, seed: int) -> bytes:
    """The scripted model of ``config``, as TorchScript bytes."""
    import torch

    from hpcsim.ml.torch import serialize_model

    torch.manual_seed(seed)
    modules = {
        "small": lambda: mlp((16, 64, 64, 8)),
        "large": lambda: mlp((256, 1024, 1024, 256)),
        "deep": lambda: mlp((32,) * 257),
        "cnn": cnn,
    }
    return serialize_model(modules[config]().eval())


def store(client: Any, config: str, blob: bytes, min_batch_size: int, batch_timeout_ms: int) -> dict[str, str]:
    """Store ``blob`` unbatched and batched; the two names."""
    names = {"unbatched": f"{config}_unbatched", "batched": f"{config}_batched"}
    client.set_model(names["unbatched"], blob, "TORCH", "CPU")
    client.set_model(
        names["batched"],
        blob,
        "TORCH",
        "CPU",
        batch_size=BATCH_SIZE,
        min_batch_size=min_batch_size,
        min_batch_timeout=batch_timeout_ms,
    )
    return names


# -- latency ---------------------------------------------------------------------------------------


ECHO_QUEUE = b"bench.echo.queue"
ECHO_REPLY = b"bench.echo.reply"
#: about the size of a version-2 run_model request for the small model
ECHO_PAYLOAD = b"x" * 200


def echo_loop(port: int, password: str) -> None:
    """The far end of ``list_echo``, in its own process: hand every request back until an
    empty one arrives."""
    connection = redis.Redis(port=port, password=password, protocol=2)
    while True:
        _, value = connection.blpop([ECHO_QUEUE])  # type: ignore[misc]
        if not value:
            return
        connection.rpush(ECHO_REPLY, value)


@contextlib.contextmanager
def echo_process(db: Database) -> Iterator[None]:
    """Run :func:`echo_loop` against ``db`` while the block runs."""
    process = multiprocessing.get_context("spawn").Process(target=echo_loop, args=(db.port, db.password))
    process.start()
    try:
        yield
    finally:
        redis.Redis(port=db.port, password=db.password, protocol=2).rpush(ECHO_QUEUE, b"")
        process.join(timeout=10)
        if process.is_alive():
            process.terminate()
            process.join()


def latency(
    client: Any, raw: redis.Redis, name: str, blob: bytes, shape: tuple[int, ...], iterations: int
) -> dict[str, Any]:
    """p50/p99 of run_model, the full round trip, the in-process call, PING and the list echo
    (:func:`echo_process` must be running), in rounds."""
    import torch

    module: Any = torch.jit.load(io.BytesIO(blob))  # type: ignore[no-untyped-call]
    module.eval()
    x = np.random.default_rng(len(name)).standard_normal(shape).astype(np.float32)
    tensor = torch.from_numpy(x)
    client.put_tensor(f"{name}_lat_in", x)

    def inprocess() -> None:
        with torch.inference_mode():
            module(tensor)

    def run_model() -> None:
        client.run_model(name, inputs=[f"{name}_lat_in"], outputs=[f"{name}_lat_out"])

    def round_trip() -> None:
        client.put_tensor(f"{name}_rt_in", x)
        client.run_model(name, inputs=[f"{name}_rt_in"], outputs=[f"{name}_rt_out"])
        client.get_tensor(f"{name}_rt_out")

    def ping() -> None:
        raw.ping()

    def list_echo() -> None:
        pipe = raw.pipeline(transaction=False)
        pipe.rpush(ECHO_QUEUE, ECHO_PAYLOAD)
        pipe.blpop([ECHO_REPLY], 10)
        if pipe.execute()[1] is None:
            raise RuntimeError("the list echo process did not answer")

    operations: dict[str, Callable[[], None]] = {
        "inprocess": inprocess,
        "run_model": run_model,
        "round_trip": round_trip,
        "ping": ping,
        "list_echo": list_echo,
    }
    samples: dict[str, list[float]] = {op: [] for op in operations}
    for operation in operations.values():  # warm-up
        for _ in range(50):
            operation()
    rounds = 4
    per_round = max(1, iterations // rounds)
    for _ in range(rounds):
        for op, operation in operations.items():
            times = samples[op]
            for _ in range(per_round):
                started = time.perf_counter()
                operation()
                times.append(time.perf_counter() - started)
    with torch.inference_mode():
        expected = module(tensor).numpy()
    got = client.get_tensor(f"{name}_rt_out")
    if not np.allclose(got, expected, rtol=1e-5, atol=1e-6):
        raise RuntimeError(f"{name}: run_model's output differs from the in-process call")
    table = {f"{op}_us": summary_us(values) for op, values in samples.items()}
    overhead = table["run_model_us"]["p50"] - table["inprocess_us"]["p50"]
    return {"model": name, **table, "overhead_us_p50": round(overhead, 1)}


# -- throughput ------------------------------------------------------------------------------------


def client_loop(
    index: int,
    address: str,
    password: str,
    shapes: dict[str, tuple[int, ...]],
    names: list[str],
    duration: float,
    barrier: Any,
    results: Any,
) -> None:
    """One of the concurrent clients, in its own process: per phase (a model, named
    ``<config>_<mode>``), wait for everyone, then call run_model on its own input for
    ``duration`` seconds and report the calls and their latencies."""
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    os.environ["HPCSIM_MODEL_TIMEOUT"] = str(MODEL_TIMEOUT_S)
    try:
        from hpcsim.client import Client

        client = Client(cluster=False, address=address, password=password, logger_name=f"bench{index}")
        rng = np.random.default_rng(index)
        inputs = {}
        for config, shape in shapes.items():
            inputs[config] = f"tp_in_{config}_{index}"
            client.put_tensor(inputs[config], rng.standard_normal(shape).astype(np.float32))
        out_key = f"tp_out_{index}"

        def call(name: str) -> None:
            client.run_model(name, inputs=[inputs[name.rsplit("_", 1)[0]]], outputs=[out_key])

        for name in dict.fromkeys(names):  # warm-up: every model a few times
            for _ in range(5):
                call(name)
        for phase, name in enumerate(names):
            barrier.wait(timeout=300)
            times: list[float] = []
            cpu = time.process_time()
            started = now = time.perf_counter()
            end = started + duration
            while now < end:
                call(name)
                after = time.perf_counter()
                times.append(after - now)
                now = after
            report = {"phase": phase, "elapsed": now - started, "cpu": time.process_time() - cpu, "times": times}
            results.put(report)
        client.close()
    except Exception as exc:  # reported to the parent, which stops the run
        results.put({"phase": -1, "error": f"client {index}: {type(exc).__name__}: {exc}"})
        with contextlib.suppress(Exception):
            barrier.abort()


def _pids(db: Database) -> dict[str, int]:
    return {"worker": db.worker_pid, "redis": db.server_pid}


def throughput(
    client: Any,
    db: Database,
    models: dict[str, dict[str, str]],
    rounds: int,
    duration: float,
) -> dict[str, Any]:
    """Requests/s of CLIENTS processes per model, in rounds alternating unbatched and batched."""
    context = multiprocessing.get_context("spawn")
    phases: list[tuple[str, str]] = [
        (config, mode) for _ in range(rounds) for config in models for mode in ("unbatched", "batched")
    ]
    names = [models[config][mode] for config, mode in phases]
    barrier = context.Barrier(CLIENTS + 1)
    results = context.Queue()
    workers = []
    shapes = {config: CONFIGS[config].shape for config in models}
    for index in range(CLIENTS):
        args = (index, db.address, db.password, shapes, names, duration, barrier, results)
        workers.append(context.Process(target=client_loop, args=args))
    for worker in workers:
        worker.start()
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {c: {"unbatched": [], "batched": []} for c in models}
    try:
        for phase, (config, mode) in enumerate(phases):
            name = models[config][mode]
            client.get_ai_info(db.address, name, reset_stat=True)
            cpu_before = {process: cpu_seconds(pid) for process, pid in _pids(db).items()}
            try:
                barrier.wait(timeout=300)
            except threading.BrokenBarrierError:
                raise RuntimeError(results.get(timeout=10)["error"]) from None
            reports = [results.get(timeout=duration + 2 * MODEL_TIMEOUT_S) for _ in range(CLIENTS)]
            failed = [r for r in reports if r["phase"] == -1]
            if failed:
                raise RuntimeError(failed[0]["error"])
            cpu = {process: cpu_seconds(pid) - cpu_before[process] for process, pid in _pids(db).items()}
            cpu["clients"] = sum(r["cpu"] for r in reports)
            info = client.get_ai_info(db.address, name, reset_stat=True)
            rate = sum(len(r["times"]) / r["elapsed"] for r in reports)
            requests = sum(len(r["times"]) for r in reports)
            samples = [t for report in reports for t in report["times"]]
            calls, executions = int(info["calls"]), int(info["executions"])
            run = {
                "requests_per_s": round(rate, 1),
                "latency_us": summary_us(samples),
                "cpu_us_per_request": {process: round(seconds / requests * 1e6, 1) for process, seconds in cpu.items()},
                "worker": {
                    "calls": calls,
                    "executions": executions,
                    "mean_batch": round(calls / executions, 2) if executions else None,
                    "compute_us_per_call": round(int(info["duration_us"]) / calls, 1) if calls else None,
                    "errors": info["errors"],
                },
            }
            runs[config][mode].append(run)
            log(f"{config} {mode} (phase {phase + 1}/{len(phases)}): {rate:.0f} req/s, worker {run['worker']}")
    finally:
        with contextlib.suppress(Exception):  # a client still waiting for a phase gives up
            barrier.abort()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.terminate()
                worker.join()
    result: dict[str, Any] = {}
    for config, modes in runs.items():
        rates = {mode: statistics.median(r["requests_per_s"] for r in modes[mode]) for mode in modes}
        speedup = rates["batched"] / rates["unbatched"]
        result[config] = {
            "model": CONFIGS[config].description,
            "unbatched_requests_per_s": round(rates["unbatched"], 1),
            "batched_requests_per_s": round(rates["batched"], 1),
            "batching_speedup": round(speedup, 2),
            "meets_target": speedup >= TARGET_SPEEDUP if config in COMPUTE_BOUND else None,
            "runs": modes,
        }
    return result


# -- main ------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer samples, 1 round of 2 s")
    parser.add_argument("--iterations", type=int, default=None, help="latency samples per operation")
    parser.add_argument("--duration", type=float, default=None, help="seconds per throughput phase")
    parser.add_argument("--rounds", type=int, default=None, help="throughput rounds (unbatched + batched each)")
    parser.add_argument("--min-batch-size", type=int, default=0, help="min_batch_size of the batched models")
    parser.add_argument("--min-batch-timeout", type=int, default=0, help="min_batch_timeout (ms) of the batched models")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated: {', '.join(CONFIGS)}")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the database's temporary directory")
    args = parser.parse_args()
    iterations = args.iterations or (300 if args.quick else 2000)
    duration = args.duration or (2.0 if args.quick else 5.0)
    rounds = args.rounds or (1 if args.quick else 3)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {unknown[0]!r}; choose from {', '.join(CONFIGS)}")
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"

    import torch

    import hpcsim
    from hpcsim.client import Client

    torch.set_num_threads(WORKER_THREADS)
    with tempfile.TemporaryDirectory(prefix="hpcsim-bench-inference-", dir=args.dir) as tmp:
        log("starting the database (shard entrypoint + inference worker)")
        db = start_database(Path(tmp))
        try:
            client = Client(cluster=False, address=db.address, password=db.password, logger_name="bench")
            raw = redis.Redis(port=db.port, password=db.password, protocol=2)
            server_version = raw.info("server")["redis_version"]
            blobs = {config: model_blob(config, seed) for seed, config in enumerate(configs)}
            models = {
                config: store(client, config, blobs[config], args.min_batch_size, args.min_batch_timeout)
                for config in configs
            }
            latencies = {}
            with echo_process(db):
                for config in configs:
                    log(f"latency, {config} model: {iterations} samples per operation")
                    latencies[config] = latency(
                        client, raw, models[config]["unbatched"], blobs[config], CONFIGS[config].shape, iterations
                    )
                    latencies[config]["description"] = CONFIGS[config].description
                    log(f"latency, {config}: {json.dumps(latencies[config])}")
            log(f"throughput: {CLIENTS} client processes, {rounds} round(s) of {duration:g} s per model")
            rates = throughput(client, db, models, rounds, duration)
            client.close()
        finally:
            code = db.stop()
            log(f"database stopped (shard exit code {code})")
    small = latencies.get("small")
    targets: dict[str, Any] = {}
    if small is not None:
        targets["small_run_model_us_p50"] = small["run_model_us"]["p50"]
        targets["small_run_model_meets_target"] = small["run_model_us"]["p50"] <= TARGET_RUN_MODEL_US
        targets["small_overhead_us_p50"] = small["overhead_us_p50"]
        targets["overhead_meets_target"] = small["overhead_us_p50"] <= TARGET_OVERHEAD_US
    for config, numbers in rates.items():
        targets[f"{config}_batching_speedup"] = numbers["batching_speedup"]
        if config in COMPUTE_BOUND:
            targets[f"{config}_speedup_meets_target"] = numbers["meets_target"]
    report: dict[str, Any] = {
        "benchmark": "inference",
        "quick": args.quick,
        "worker_threads": {
            "worker": f"--set intra-op-parallelism={WORKER_THREADS} (the worker's torch.set_num_threads)",
            "inprocess": f"torch.set_num_threads({WORKER_THREADS}) in the benchmark process",
        },
        "latency": {
            "iterations": iterations,
            "configs": latencies,
            "target_run_model_us_p50": TARGET_RUN_MODEL_US,
            "target_overhead_us_p50": TARGET_OVERHEAD_US,
            "meets_run_model_target": None if small is None else small["run_model_us"]["p50"] <= TARGET_RUN_MODEL_US,
            "meets_overhead_target": None if small is None else small["overhead_us_p50"] <= TARGET_OVERHEAD_US,
        },
        "throughput": {
            "clients": CLIENTS,
            "duration_s": duration,
            "rounds": rounds,
            "batched_settings": {
                "batch_size": BATCH_SIZE,
                "min_batch_size": args.min_batch_size,
                "min_batch_timeout_ms": args.min_batch_timeout,
            },
            "configs": rates,
            "target_speedup": TARGET_SPEEDUP,
            "target_speedup_applies_to": list(COMPUTE_BOUND),
        },
        "targets": targets,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "redis_py": redis.__version__,
        "redis_server": server_version,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "machine": platform.machine(),
        "hpcsim_version": getattr(hpcsim, "__version__", "unknown"),
        "note": "nearest-rank p50/p99; requests/s are medians over rounds of the sum over clients of calls / elapsed",
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
