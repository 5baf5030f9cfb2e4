"""The dashboard's server time for a large experiment: N jobs in the job store.

The store is built through the real ``JobStore`` API in a temporary directory: ``--launches``
launches of N / launches jobs each, every job then updated to RUNNING and to a terminal state
(one in ten FAILED), so each has a three-entry history with the store's own timestamps.

* ``reader_cold_s``: ``ExperimentReader.read()`` of a new reader (every launch file read and
  decoded), the jobs' timeline the snapshot carries: status, group, submitted/started/ended;
* ``reader_warm_s``: the same reader again, as the server reads each second (unchanged files
  are not read again);
* ``snapshot_http_s``: a full ``GET /api/snapshot`` over loopback, from the real app
  (``create_app``) served by uvicorn in this process: the request, a fresh snapshot, its JSON
  and the transfer;
* ``baseline_s``: ``json.load`` of the same store's launch files, and nothing else.

Medians of ``--repeat`` rounds, taken alternately. Target: ``snapshot_http_s`` under 2 s for
10,000 jobs. Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/dashboard.py --n 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import platform
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import uvicorn

from hpcsim.control.store import JobStore, NewJob, store_path
from hpcsim.dashboard.data import ExperimentReader
from hpcsim.dashboard.server import create_app
from hpcsim.schedulers.base import JobUpdate
from hpcsim.status import Status


def log(message: str) -> None:
    print(f"[dashboard bench] {message}", file=sys.stderr, flush=True)


def build_store(exp: Path, n: int, launches: int) -> None:
    """N jobs in ``launches`` launches (ensembles ``sweep<k>_<i>``), each run and ended."""
    store = JobStore(store_path(exp))
    store.set_meta(name="bench", launcher="local")
    size = max(1, n // launches)
    for launch in range(0, n, size):
        names = [f"sweep{launch // size}_{i}" for i in range(min(size, n - launch))]
        jobs = [
            NewJob(name, "model", "local", f"{launch + i}:1", str(exp / name / ".hpcsim" / f"{name}.sh"),
                   str(exp / name / f"{name}.out"), str(exp / name / f"{name}.err"),
                   str(exp / name / ".hpcsim" / f"{name}.ec"), Status.QUEUED)
            for i, name in enumerate(names)
        ]  # fmt: skip
        records = store.add(jobs)
        store.update([(record, JobUpdate(Status.RUNNING)) for record in records])
        ended = [
            (
                record,
                JobUpdate(Status.FAILED, 1, "exited with code 1") if i % 10 == 0 else JobUpdate(Status.COMPLETED, 0),
            )
            for i, record in enumerate(store.refresh(records))
        ]
        store.update(ended)


def baseline_once(exp: Path) -> float:
    start = time.perf_counter()
    for path in sorted((store_path(exp) / "jobs").glob("*.json")):
        with open(path, "rb") as handle:
            json.load(handle)
    return time.perf_counter() - start


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return len(answer.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="jobs in the store")
    parser.add_argument("--launches", type=int, default=100, help="launches (files) they are spread over")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        exp = Path(folder) / "exp"
        start = time.perf_counter()
        build_store(exp, args.n, args.launches)
        log(f"store of {args.n} jobs built in {time.perf_counter() - start:.1f} s")
        token = secrets.token_urlsafe(32)
        sock = socket.create_server(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(create_app([exp], token), log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise SystemExit("the dashboard's server did not start")
            time.sleep(0.05)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/snapshot?token={token}"
        warm = ExperimentReader("0", exp)
        warm.read()
        runs: dict[str, list[float]] = {
            "baseline_s": [],
            "reader_cold_s": [],
            "reader_warm_s": [],
            "snapshot_http_s": [],
        }
        jobs = len(warm.read()[1])
        size = get(url)  # the server's own reader warms up
        for index in range(args.repeat):
            log(f"round {index + 1}/{args.repeat}")
            runs["baseline_s"].append(baseline_once(exp))
            runs["reader_cold_s"].append(timed(lambda: ExperimentReader("0", exp).read()))
            runs["reader_warm_s"].append(timed(warm.read))
            runs["snapshot_http_s"].append(timed(lambda: get(url)))
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    medians = {name: round(statistics.median(values), 4) for name, values in runs.items()}
    report = {
        "benchmark": "dashboard",
        "machine": platform.node(),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "jobs": jobs,
        "launches": args.launches,
        "snapshot_bytes": size,
        "tmp_parent": str(args.dir or tempfile.gettempdir()),
        **medians,
        "http_ratio": round(medians["snapshot_http_s"] / medians["baseline_s"], 2),
        "cold_ratio": round(medians["reader_cold_s"] / medians["baseline_s"], 2),
        "under_target": medians["snapshot_http_s"] < 2.0,
        "runs": {name: [round(v, 4) for v in values] for name, values in runs.items()},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
