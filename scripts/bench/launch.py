"""Local launch overhead: an N-member ensemble of /bin/true through hpcsim against a floor.

hpcsim: ``Experiment(...)`` + ``create_ensemble(replicas=N)`` + ``exp.start(ens, block=True)``
until every member is COMPLETED, in a fresh temporary directory each repeat.

floor: N ``bash -c /bin/true`` processes started directly with ``subprocess.Popen`` (with the
same detached-session, no-stdio options hpcsim's local scheduler uses) and all waited.

script_floor (context, not the target): N pre-written bash scripts shaped like the one hpcsim
writes per job (redirect stdio, cd, run /bin/true, record the exit code with printf + mv),
started and waited the same way. It shows how much of the gap to ``floor`` is the per-job
script (three processes instead of one) rather than hpcsim's Python side.

Prints one JSON object on stdout; progress goes to stderr. Exits 1 if a member did not complete.

    .venv/bin/python scripts/bench/launch.py --n 100 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def log(message: str) -> None:
    print(f"[launch bench] {message}", file=sys.stderr, flush=True)


def floor_once(n: int) -> float:
    """Start N bash processes running /bin/true, then wait for all of them."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            ["/bin/bash", "-c", "/bin/true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(n)
    ]
    codes = [proc.wait() for proc in procs]
    elapsed = time.perf_counter() - start
    if any(codes):
        raise RuntimeError(f"floor: {sum(1 for c in codes if c)} of {n} /bin/true processes failed")
    return elapsed


_SCRIPT = """#!/bin/bash
exec >{out} 2>{err} </dev/null
export HPCSIM_EXP={root}
cd {root} && /bin/true
rc=$?
printf '%s\\n' "$rc" >{ec}.tmp && mv -f {ec}.tmp {ec}
exit "$rc"
"""


def script_floor_once(n: int, workdir: Path) -> float:
    """Start N job-shaped bash scripts (written beforehand, untimed), then wait for all."""
    scripts = []
    for index in range(n):
        root = workdir / f"job_{index}"
        root.mkdir()
        script = root / "job.sh"
        script.write_text(_SCRIPT.format(root=root, out=root / "out", err=root / "err", ec=root / "ec"))
        scripts.append(script)
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            ["/bin/bash", str(script)],
            cwd=str(script.parent),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for script in scripts
    ]
    codes = [proc.wait() for proc in procs]
    elapsed = time.perf_counter() - start
    missing = [s for s in scripts if (s.parent / "ec").read_text().strip() != "0"]
    if any(codes) or missing:
        raise RuntimeError(f"script floor: {len(missing)} of {n} scripts did not record exit code 0")
    return elapsed


def hpcsim_once(n: int, workdir: Path) -> tuple[float, dict[str, int]]:
    """Create and block-start an N-replica ensemble; return (seconds, status counts)."""
    from hpcsim import Experiment

    start = time.perf_counter()
    exp = Experiment("bench", exp_path=workdir / "exp", launcher="local")
    settings = exp.create_run_settings("/bin/true")
    ensemble = exp.create_ensemble("ens", run_settings=settings, replicas=n)
    exp.start(ensemble, block=True)
    elapsed = time.perf_counter() - start
    counts: dict[str, int] = {}
    for status in exp.get_status(ensemble):
        counts[status.value] = counts.get(status.value, 0) + 1
    return elapsed, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="ensemble members / processes (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side (default 3)")
    parser.add_argument(
        "--dir", default=None, help="where the temporary directories go (default: $TMPDIR or the system's)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")

    # before hpcsim creates its logger, so per-launch info lines do not cost time
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    import hpcsim

    runs: dict[str, list[float]] = {"hpcsim_s": [], "floor_s": [], "script_floor_s": []}
    failures: list[dict[str, int]] = []
    for index in range(args.repeat):
        runs["floor_s"].append(floor_once(args.n))
        workdir = Path(tempfile.mkdtemp(prefix="hpcsim-bench-launch-", dir=args.dir))
        try:
            elapsed, counts = hpcsim_once(args.n, workdir / "hpcsim")
            (workdir / "script").mkdir()
            runs["script_floor_s"].append(script_floor_once(args.n, workdir / "script"))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        runs["hpcsim_s"].append(elapsed)
        if counts.get("COMPLETED", 0) != args.n:
            failures.append(counts)
        log(
            f"repeat {index + 1}/{args.repeat}: hpcsim {elapsed:.4f} s, floor {runs['floor_s'][-1]:.4f} s, "
            f"script floor {runs['script_floor_s'][-1]:.4f} s, statuses {counts}"
        )

    hpcsim_s = statistics.median(runs["hpcsim_s"])
    floor_s = statistics.median(runs["floor_s"])
    script_floor_s = statistics.median(runs["script_floor_s"])
    result = {
        "benchmark": "local_launch",
        "n": args.n,
        "repeat": args.repeat,
        "hpcsim_s": round(hpcsim_s, 6),
        "floor_s": round(floor_s, 6),
        "ratio": round(hpcsim_s / floor_s, 3),
        "per_member_overhead_ms": round((hpcsim_s - floor_s) / args.n * 1000, 3),
        "target_ratio": 2.0,
        "within_target": hpcsim_s / floor_s <= 2.0,
        "script_floor_s": round(script_floor_s, 6),
        "ratio_vs_script_floor": round(hpcsim_s / script_floor_s, 3),
        "runs": {key: [round(v, 6) for v in values] for key, values in runs.items()},
        "all_completed": not failures,
        "tmp_parent": args.dir or tempfile.gettempdir(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "hpcsim_version": getattr(hpcsim, "__version__", "unknown"),
    }
    if failures:
        result["failed_status_counts"] = failures
    print(json.dumps(result))
    if failures:
        log(f"FAILED: not every member completed in {len(failures)} repeat(s): {failures}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
