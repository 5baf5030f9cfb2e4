"""Slurm submission overhead: N trivial batch jobs through hpcsim against raw sbatch + squeue.

hpcsim: ``Experiment(launcher="slurm")``, N models of ``/bin/true`` each with batch settings
(one node, one minute), ``exp.start(*models, block=True)`` until every one is COMPLETED.

raw (the baseline): the same N scripts, written beforehand (untimed), each submitted with
``sbatch --parsable``, then ``squeue`` polled every ``--poll`` seconds (hpcsim's fastest
interval, 0.1 s) until none of the N is pending or running.

Both sides run alternately ``--repeat`` times; medians are reported. While hpcsim waits, every
Slurm command it runs goes through a counting shim on PATH, which gives the number of
scheduler commands per status poll with N jobs in flight (target: 1).

Needs a Slurm cluster (``scripts/cluster/slurm-up.sh`` brings up the test one). Prints one
JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/submit.py --n 50 --repeat 3
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

_STATUS_COMMANDS = ("squeue", "sacct", "scontrol")
_SHIMMED = (*_STATUS_COMMANDS, "sbatch", "scancel")
_SHIM = """#!/bin/sh
echo "{name}" >>"$HPCSIM_BENCH_LOG"
exec {real} "$@"
"""
_JOB = "#!/bin/bash\n#SBATCH --nodes=1\n#SBATCH --time=00:01:00\n#SBATCH --output={out}\n/bin/true\n"


def log(message: str) -> None:
    print(f"[submit bench] {message}", file=sys.stderr, flush=True)


def raw_once(n: int, workdir: Path, poll: float) -> float:
    """Submit N pre-written scripts with sbatch, poll squeue until all have left pending/running."""
    scripts = []
    for index in range(n):
        script = workdir / f"job_{index}.sh"
        script.write_text(_JOB.format(out=workdir / f"job_{index}.out"))
        scripts.append(script)
    start = time.perf_counter()
    ids = [
        subprocess.run(["sbatch", "--parsable", str(s)], capture_output=True, text=True, check=True).stdout.strip()
        for s in scripts
    ]
    wanted = ",".join(ids)
    while True:
        active = subprocess.run(
            ["squeue", "-h", "-j", wanted, "-t", "PD,R,CG,CF", "-o", "%i"], capture_output=True, text=True
        )
        if active.returncode == 0 and not active.stdout.strip():
            break
        time.sleep(poll)
    elapsed = time.perf_counter() - start
    states = subprocess.run(
        ["squeue", "-h", "-j", wanted, "-t", "all", "-o", "%T"], capture_output=True, text=True, check=True
    ).stdout.split()
    if states.count("COMPLETED") != n:
        raise RuntimeError(f"raw: only {states.count('COMPLETED')} of {n} jobs COMPLETED: {sorted(set(states))}")
    return elapsed


def shim_path(workdir: Path) -> Path:
    """A directory of scripts that log their name and run the real Slurm command."""
    shims = workdir / "shims"
    shims.mkdir()
    for name in _SHIMMED:
        real = shutil.which(name)
        if real is None:
            raise SystemExit(f"{name} is not on PATH: the benchmark needs a Slurm cluster (scripts/cluster/)")
        shim = shims / name
        shim.write_text(_SHIM.format(name=name, real=real))
        shim.chmod(0o755)
    return shims


def hpcsim_once(n: int, workdir: Path) -> tuple[float, dict[str, int], bool]:
    """Start N models through hpcsim; return the time, the Slurm commands run, all completed."""
    from hpcsim import Experiment, Status

    exp = Experiment("bench", exp_path=workdir / "exp", launcher="slurm")
    models = [
        exp.create_model(
            f"job_{index}",
            exp.create_run_settings("/bin/true"),
            batch_settings=exp.create_batch_settings(nodes=1, time="00:01:00"),
        )
        for index in range(n)
    ]
    counter = Path(os.environ["HPCSIM_BENCH_LOG"])
    counter.write_text("")
    start = time.perf_counter()
    exp.start(*models, block=True)
    elapsed = time.perf_counter() - start
    names = counter.read_text().split()
    counts = {name: names.count(name) for name in _SHIMMED}
    return elapsed, counts, all(s is Status.COMPLETED for s in exp.get_status(*models))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50, help="jobs per run (default 50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--poll", type=float, default=0.1, help="raw side's squeue interval (default 0.1 s)")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directories")
    args = parser.parse_args()
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"

    raw_runs: list[float] = []
    hpcsim_runs: list[float] = []
    command_runs: list[dict[str, int]] = []
    all_completed = True
    with tempfile.TemporaryDirectory(dir=args.dir) as shared:
        os.environ["PATH"] = f"{shim_path(Path(shared))}{os.pathsep}{os.environ['PATH']}"
        os.environ["HPCSIM_BENCH_LOG"] = str(Path(shared) / "commands.log")
        for repeat in range(args.repeat):
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                raw_runs.append(raw_once(args.n, Path(tmp), args.poll))
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                elapsed, counts, completed = hpcsim_once(args.n, Path(tmp))
            hpcsim_runs.append(elapsed)
            command_runs.append(counts)
            all_completed = all_completed and completed
            log(f"repeat {repeat + 1}: raw {raw_runs[-1]:.2f} s, hpcsim {elapsed:.2f} s, commands {counts}")

    polls = [c["squeue"] for c in command_runs]
    status_commands = [sum(c[name] for name in _STATUS_COMMANDS) for c in command_runs]
    hpcsim_s, raw_s = statistics.median(hpcsim_runs), statistics.median(raw_runs)
    result = {
        "benchmark": "submit",
        "n_jobs": args.n,
        "repeat": args.repeat,
        "raw_poll_interval_s": args.poll,
        "hpcsim_s": round(hpcsim_s, 3),
        "raw_sbatch_squeue_s": round(raw_s, 3),
        "overhead": round(hpcsim_s / raw_s - 1, 3),
        "status_polls": polls,
        "status_commands": status_commands,
        "commands_per_poll": [round(c / p, 3) if p else None for c, p in zip(status_commands, polls, strict=True)],
        "sbatch_calls": [c["sbatch"] for c in command_runs],
        "runs": {"hpcsim_s": [round(t, 3) for t in hpcsim_runs], "raw_s": [round(t, 3) for t in raw_runs]},
        "all_completed": all_completed,
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    return 0 if all_completed else 1


if __name__ == "__main__":
    sys.exit(main())
