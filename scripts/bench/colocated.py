"""Colocated database latency: 2 ranks to their node's server, over TCP and a Unix socket.

A local model of 2 ranks (a plain multi-process launch) colocates a database, once on loopback
TCP and once on a Unix socket. Each rank times, per iteration and for 1 KiB and 1 MiB float32
tensors: hpcsim's ``put_tensor`` and ``get_tensor``, and raw redis-py ``SET``/``GET`` of the
same bytes on its own connection to the same server (the baseline, in the same run). The JSON
gives p50 and p99 in microseconds over both ranks' samples, and hpcsim/raw ratios of the p50s.

    .venv/bin/python scripts/bench/colocated.py --iterations 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from _common import free_port, percentile

HERE = Path(__file__).resolve().parent
FANOUT_SCRIPT = """#!/bin/bash
n=${1#--ranks=}; shift
for ((rank = 0; rank < n; rank++)); do RANK=$rank "$@" & done
wait
"""


def log(message: str) -> None:
    print(f"[colocated bench] {message}", file=sys.stderr, flush=True)


def run(transport: str, iterations: int, workdir: Path) -> dict[str, object]:
    from hpcsim import Experiment, Status

    fanout = workdir / "fanout.sh"
    fanout.write_text(FANOUT_SCRIPT)
    fanout.chmod(0o755)
    exp = Experiment(f"colo-{transport}", exp_path=workdir / transport, launcher="local")
    rs = exp.create_run_settings(
        sys.executable,
        [str(HERE / "_colocated_rank.py"), str(iterations)],
        run_command=str(fanout),
        run_args={"ranks": 2},
    )
    model = exp.create_model("bench", rs)
    if transport == "uds":
        model.colocate_db_uds(unix_socket=str(workdir / "db.sock"))
    else:
        model.colocate_db_tcp(port=free_port())
    exp.start(model)
    if exp.get_status(model) != [Status.COMPLETED]:
        raise RuntimeError((Path(model.path) / "bench.err").read_text())
    ranks = [json.loads(line) for line in (Path(model.path) / "bench.out").read_text().splitlines()]
    result: dict[str, object] = {"db": ranks[0]["db"], "ranks": len(ranks)}
    for size in ("1024", "1048576"):
        table: dict[str, float] = {}
        for op in ("hpcsim_put", "hpcsim_get", "raw_put", "raw_get"):
            samples = [s for rank in ranks for s in rank["samples"][size][op]]
            table[f"{op}_p50_us"] = round(percentile(samples, 0.5) * 1e6, 1)
            table[f"{op}_p99_us"] = round(percentile(samples, 0.99) * 1e6, 1)
        for op in ("put", "get"):
            table[f"{op}_p50_ratio"] = round(table[f"hpcsim_{op}_p50_us"] / table[f"raw_{op}_p50_us"], 3)
        result["1KiB" if size == "1024" else "1MiB"] = table
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=2000, help="timed operations per rank and size")
    parser.add_argument("--dir", default=None, help="parent of the temporary directory")
    args = parser.parse_args(argv)
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    import hpcsim

    workdir = Path(tempfile.mkdtemp(prefix="hpcsim-bench-colo-", dir=args.dir))
    try:
        results = {}
        for transport in ("tcp", "uds"):
            results[transport] = run(transport, args.iterations, workdir)
            log(f"{transport}: {json.dumps(results[transport])}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "colocated",
                "iterations_per_rank": args.iterations,
                **results,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "note": "nearest-rank p50/p99 over both ranks' samples; ratio = hpcsim p50 / raw redis-py p50",
                "hpcsim_version": getattr(hpcsim, "__version__", "unknown"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
