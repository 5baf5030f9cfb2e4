"""Start-up cost of the ``hpcsim`` command against a bare Python process.

Each measurement is the wall time of one complete command, a fresh process every time:

* ``python_s`` (the baseline): ``python -c pass`` with the venv's interpreter;
* ``import_s``: ``python -c "import hpcsim"``, what any use of the library pays;
* ``experiment_s``: ``python -c "from hpcsim import Experiment"``, what a driver pays before
  its first line runs (PSI/J, numpy and redis load only when a scheduler, a tensor or a
  database needs them);
* ``version_s``, ``help_s``: ``hpcsim --version`` and ``hpcsim --help`` (subcommands are
  imported lazily, so these should stay close to the baseline);
* ``dry_run_s``: ``hpcsim submit DRIVER --launcher local --dry-run`` (plans and renders the job);
* ``status_s``: ``hpcsim status EXP`` of an experiment with ``--jobs`` finished local jobs;
* ``info_s``: ``hpcsim info`` (looks at everything installed, imports no ML framework).

Medians of ``--repeat`` runs, taken alternately. Prints one JSON object on stdout.

    .venv/bin/python scripts/bench/cli.py --repeat 10
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hpcsim import Experiment

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=20, help="finished jobs in the experiment status reads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "drv.py").write_text("print('driver')\n")
        exp = Experiment("bench", exp_path=work / "exp", launcher="local")
        exp.start(exp.create_ensemble("m", run_settings=exp.create_run_settings("true"), replicas=args.jobs))
        commands = {
            "python_s": [sys.executable, "-c", "pass"],
            "import_s": [sys.executable, "-c", "import hpcsim"],
            "experiment_s": [sys.executable, "-c", "from hpcsim import Experiment"],
            "version_s": [HPCSIM, "--version"],
            "help_s": [HPCSIM, "--help"],
            "dry_run_s": [HPCSIM, "submit", "drv.py", "--launcher", "local", "--dry-run"],
            "status_s": [HPCSIM, "status", str(work / "exp")],
            "info_s": [HPCSIM, "info"],
        }
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for index in range(args.repeat):
            print(f"round {index + 1}/{args.repeat}", file=sys.stderr)
            for name, argv in commands.items():
                runs[name].append(_timed(argv, work))
    medians = {name: round(statistics.median(values), 4) for name, values in runs.items()}
    report = {
        "benchmark": "cli",
        "machine": platform.node(),
        "python": platform.python_version(),
        "repeat": args.repeat,
        "jobs": args.jobs,
        **medians,
        "help_ratio": round(medians["help_s"] / medians["python_s"], 2),
        "runs": {name: [round(v, 4) for v in values] for name, values in runs.items()},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
