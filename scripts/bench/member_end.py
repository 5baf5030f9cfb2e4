"""How soon hpcsim calls a Slurm batch ensemble member COMPLETED after its srun exits.

hpcsim: a batch ensemble of N members (``sleep --sleep``, one srun step each, all at once in
one job); ``exp.get_status(ens)`` every ``--poll`` seconds, and for each member the time from
its srun's exit (the mtime of the exit-code file its step writes) to the first poll that says
COMPLETED. hpcsim checks a member's 0 against its step's state in the accounting (one sacct
per poll while members wait), so it lags by that check plus the accounting's delay.

raw (the baseline, the earliest anyone can know): the same loop reads each member's
exit-code file and notes when it first holds ``0``.

Both are taken in the same loop of the same run, ``--repeat`` times; medians are reported.
Needs a Slurm cluster with accounting (``HPCSIM_CLUSTER_ACCOUNTING=1 scripts/cluster/slurm-up.sh``
brings up the test one). Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/member_end.py --n 8 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path


def log(message: str) -> None:
    print(f"[member_end bench] {message}", file=sys.stderr, flush=True)


def once(n: int, sleep: float, poll: float, workdir: Path) -> tuple[list[float], list[float]]:
    """One batch ensemble: per member, hpcsim's lag and the raw file's lag after srun exited."""
    from hpcsim import Experiment, Status

    exp = Experiment("bench", exp_path=workdir / "exp", launcher="slurm")
    ens = exp.create_ensemble(
        "members",
        replicas=n,
        run_settings=exp.create_run_settings("sleep", [str(sleep)], run_args={"ntasks": 1}),
        batch_settings=exp.create_batch_settings(nodes=1, time="00:05:00"),
    )
    files = {m.name: Path(m.path) / ".hpcsim" / f"{m.name}.ec" for m in ens.models}
    exp.start(ens, block=False)
    hpcsim_seen: dict[str, float] = {}
    raw_seen: dict[str, float] = {}
    deadline = time.time() + 300
    while len(hpcsim_seen) < n:
        if time.time() > deadline:
            exp.stop(ens)
            raise RuntimeError(f"only {sorted(hpcsim_seen)} of {n} members COMPLETED within 300 s")
        for name, path in files.items():
            if name not in raw_seen and path.is_file() and path.read_text().strip() == "0":
                raw_seen[name] = time.time()
        statuses = exp.get_status(ens)
        now = time.time()
        for model, status in zip(ens.models, statuses, strict=True):
            if status is Status.COMPLETED and model.name not in hpcsim_seen:
                hpcsim_seen[model.name] = now
            elif status.is_terminal and status is not Status.COMPLETED:
                raise RuntimeError(f"member {model.name} ended {status.value}")
        time.sleep(poll)
    ended = {name: path.stat().st_mtime for name, path in files.items()}
    return (
        [hpcsim_seen[name] - ended[name] for name in files],
        [raw_seen.get(name, hpcsim_seen[name]) - ended[name] for name in files],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=8, help="members per ensemble (default 8)")
    parser.add_argument("--sleep", type=float, default=1.0, help="each member's run time (default 1 s)")
    parser.add_argument("--poll", type=float, default=0.05, help="interval of both sides' loop (default 0.05 s)")
    parser.add_argument("--repeat", type=int, default=3, help="ensembles run (default 3)")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directories")
    args = parser.parse_args()
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"

    hpcsim_lags: list[float] = []
    raw_lags: list[float] = []
    for repeat in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            hpcsim, raw = once(args.n, args.sleep, args.poll, Path(tmp))
        hpcsim_lags += hpcsim
        raw_lags += raw
        log(f"repeat {repeat + 1}: hpcsim median {statistics.median(hpcsim):.3f} s, raw {statistics.median(raw):.3f} s")

    result = {
        "benchmark": "member_end",
        "n_members": args.n,
        "repeat": args.repeat,
        "poll_interval_s": args.poll,
        "hpcsim_lag_s": round(statistics.median(hpcsim_lags), 3),
        "raw_file_lag_s": round(statistics.median(raw_lags), 3),
        "hpcsim_lag_max_s": round(max(hpcsim_lags), 3),
        "raw_file_lag_max_s": round(max(raw_lags), 3),
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
