"""Generation cost: ``exp.generate(ens)`` for an N-member ensemble against plain Python.

hpcsim: an ensemble whose ``seed`` parameter takes N values (so N members, each configured
differently), with one attached ``to_configure`` file holding a few ``;tag;`` parameters.
Only ``exp.generate(ens)`` is timed (creating the ensemble is reported separately), in a
fresh temporary directory each repeat.

baseline: the same ensemble directory, N member directories, the configured file and a
small per-member parameter log written with plain Python (mkdir + str.replace + write).

Both outputs are compared afterwards (untimed): every configured file must be identical.
Prints one JSON object on stdout; progress goes to stderr. Exits 1 on a mismatch.

    .venv/bin/python scripts/bench/generate.py --n 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """\
&run
  seed = ;seed;
  dt = ;dt;
  steps = ;steps;
  label = ';label;'
/
! the rest is plain text that generation has to carry along unchanged
&physics
  viscosity = 1.0e-3
  gravity = 9.81
/
"""
FIXED = {"dt": 0.01, "steps": 1000, "label": "bench"}
FILE_NAME = "input.nml"


def log(message: str) -> None:
    print(f"[generate bench] {message}", file=sys.stderr, flush=True)


def member_params(n: int) -> list[dict[str, str]]:
    return [{"seed": str(seed), **{k: str(v) for k, v in FIXED.items()}} for seed in range(n)]


def baseline_once(n: int, source: Path, root: Path) -> float:
    """mkdir + str.replace + write for every member; the template is read once, like hpcsim."""
    start = time.perf_counter()
    text = source.read_text()
    ensemble = root / "ens"
    ensemble.mkdir(parents=True)
    for index, params in enumerate(member_params(n)):
        member = ensemble / f"ens_{index}"
        member.mkdir()
        configured = text
        for name, value in params.items():
            configured = configured.replace(f";{name};", value)
        (member / FILE_NAME).write_text(configured)
        lines = [f"model: ens_{index}", *(f"  {k} = {v}" for k, v in params.items()), f"  {FILE_NAME}"]
        (member / "params.txt").write_text("\n".join(lines) + "\n")
    return time.perf_counter() - start


def hpcsim_once(n: int, source: Path, root: Path) -> tuple[float, float]:
    """(seconds to create the ensemble and attach the file, seconds for exp.generate)."""
    from hpcsim import Experiment

    start = time.perf_counter()
    exp = Experiment("bench", exp_path=root)
    settings = exp.create_run_settings("/bin/true")
    ensemble = exp.create_ensemble("ens", params={"seed": list(range(n)), **FIXED}, run_settings=settings)
    ensemble.attach_generator_files(to_configure=source)
    if len(ensemble) != n:
        raise RuntimeError(f"expected {n} members, got {len(ensemble)}")
    created = time.perf_counter()
    exp.generate(ensemble)
    return created - start, time.perf_counter() - created


def mismatches(n: int, hpcsim_root: Path, baseline_root: Path) -> list[str]:
    bad = []
    for index in range(n):
        relative = Path("ens") / f"ens_{index}" / FILE_NAME
        got = (hpcsim_root / relative).read_bytes() if (hpcsim_root / relative).exists() else None
        if got != (baseline_root / relative).read_bytes():
            bad.append(str(relative))
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="ensemble members (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each side (default 3)")
    parser.add_argument(
        "--dir", default=None, help="where the temporary directories go (default: $TMPDIR or the system's)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")

    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    import hpcsim

    runs: dict[str, list[float]] = {"hpcsim_s": [], "baseline_s": [], "create_s": []}
    bad: list[str] = []
    for index in range(args.repeat):
        workdir = Path(tempfile.mkdtemp(prefix="hpcsim-bench-generate-", dir=args.dir))
        try:
            source = workdir / FILE_NAME
            source.write_text(TEMPLATE)
            runs["baseline_s"].append(baseline_once(args.n, source, workdir / "baseline"))
            create_s, generate_s = hpcsim_once(args.n, source, workdir / "exp")
            runs["create_s"].append(create_s)
            runs["hpcsim_s"].append(generate_s)
            bad = bad or mismatches(args.n, workdir / "exp", workdir / "baseline")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        log(
            f"repeat {index + 1}/{args.repeat}: generate {generate_s:.4f} s (create {create_s:.4f} s), "
            f"baseline {runs['baseline_s'][-1]:.4f} s"
        )

    hpcsim_s = statistics.median(runs["hpcsim_s"])
    baseline_s = statistics.median(runs["baseline_s"])
    result = {
        "benchmark": "generate",
        "n": args.n,
        "repeat": args.repeat,
        "hpcsim_s": round(hpcsim_s, 6),
        "baseline_s": round(baseline_s, 6),
        "ratio": round(hpcsim_s / baseline_s, 3),
        "create_s": round(statistics.median(runs["create_s"]), 6),
        "per_member_us": round(hpcsim_s / args.n * 1e6, 1),
        "target_s": 0.3,
        "within_target": hpcsim_s < 0.3,
        "runs": {key: [round(v, 6) for v in values] for key, values in runs.items()},
        "outputs_match": not bad,
        "tmp_parent": args.dir or tempfile.gettempdir(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "hpcsim_version": getattr(hpcsim, "__version__", "unknown"),
    }
    if bad:
        result["mismatched_files"] = bad[:10]
    print(json.dumps(result))
    if bad:
        log(f"FAILED: {len(bad)} configured file(s) differ from the baseline, e.g. {bad[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
