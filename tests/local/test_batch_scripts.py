"""Rendered batch scripts run for real under bash (their directives are comments to bash):
concurrent members under a limit, one exit code per member, job-array dispatch, preamble,
and hostile values arriving literally. Submission to real schedulers is tested elsewhere."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.control.planner import LaunchUnit, plan
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.sbatch import SbatchSettings

BATCH = {"slurm": SbatchSettings, "pbs": QsubBatchSettings, "lsf": BsubBatchSettings}
ARRAY_VAR = {"slurm": ("SLURM_ARRAY_TASK_ID", 0), "pbs": ("PBS_ARRAY_INDEX", 0), "lsf": ("LSB_JOBINDEX", 1)}


def _run(unit: LaunchUnit, env: dict[str, str] | None = None) -> int:
    for directory in (unit.script.parent, *unit.dirs):
        directory.mkdir(parents=True, exist_ok=True)
    unit.script.write_text(unit.text)
    done = subprocess.run(["bash", str(unit.script)], env={"PATH": "/usr/bin:/bin", **(env or {})}, timeout=120)
    return done.returncode


@pytest.mark.parametrize("scheduler", sorted(BATCH))
def test_members_run_concurrently_under_the_limit_with_their_own_exit_codes(tmp_path: Path, scheduler: str) -> None:
    exp = Experiment("b", exp_path=tmp_path / "exp", launcher=scheduler)
    slots = tmp_path / "slots"
    slots.mkdir()
    body = (
        f'mkdir {slots}/"$HPCSIM_ENTITY"; ls {slots} | wc -l >> {tmp_path}/counts; sleep 0.2; '
        f'rmdir {slots}/"$HPCSIM_ENTITY"; [ "$HPCSIM_ENTITY" != ens_2 ] || exit 7'
    )
    rs = exp.create_run_settings("/bin/bash", ["-c", body], run_command="")
    ens = exp.create_ensemble("ens", replicas=4, run_settings=rs, batch_settings=BATCH[scheduler](), max_concurrent=2)
    [unit] = plan([ens], exp.exp_path, scheduler)
    assert _run(unit) == 1
    assert unit.exit_code_file.read_text() == "1\n"
    codes = [(Path(m.path) / ".hpcsim" / f"{m.name}.ec").read_text() for m in ens]
    assert codes == ["0\n", "0\n", "7\n", "0\n"]
    counts = [int(c) for c in (tmp_path / "counts").read_text().split()]
    assert len(counts) == 4
    assert max(counts) <= 2


@pytest.mark.parametrize("scheduler", sorted(BATCH))
def test_job_array_task_runs_only_its_member(tmp_path: Path, scheduler: str) -> None:
    exp = Experiment("a", exp_path=tmp_path / "exp", launcher=scheduler)
    rs = exp.create_run_settings("/bin/bash", ["-c", 'echo "$HPCSIM_ENTITY" > ran'], run_command="")
    ens = exp.create_ensemble("arr", replicas=3, run_settings=rs, batch_settings=BATCH[scheduler](), array=True)
    exp.generate(ens)  # each member runs (and writes "ran") in its own directory
    [unit] = plan([ens], exp.exp_path, scheduler)
    variable, base = ARRAY_VAR[scheduler]
    assert _run(unit, {variable: str(base + 1)}) == 0
    assert [(Path(m.path) / "ran").exists() for m in ens] == [False, True, False]
    assert (Path(ens.models[1].path) / "ran").read_text() == "arr_1\n"
    assert _run(unit, {variable: "99"}) != 0


HOSTILE = ["$(touch PWNED)", "`touch PWNED`", "a;b", 'it\'s "q"', "x\ny", "  sp  ", "a,b,c", "*"]


@pytest.mark.parametrize("scheduler", sorted(BATCH))
def test_hostile_values_arrive_literally(tmp_path: Path, scheduler: str) -> None:
    exp = Experiment("h", exp_path=tmp_path / "exp", launcher=scheduler)
    env = {f"USER_{i}": value for i, value in enumerate(HOSTILE)}
    script = (
        "import json, os, sys; "
        "print(json.dumps([sys.argv[1:], {k: v for k, v in os.environ.items() if k.startswith('USER_')}]))"
    )
    rs = exp.create_run_settings("/usr/bin/python3", ["-c", script, *HOSTILE], run_command="", env_vars=env)
    batch = BATCH[scheduler]()
    batch.add_preamble("echo preamble-ran > " + str(tmp_path / "preamble"))
    model = exp.create_model("m", rs, batch_settings=batch)
    [unit] = plan([model], exp.exp_path, scheduler)
    assert _run(unit) == 0, (Path(model.path) / "m.err").read_text()
    argv, seen = json.loads((Path(model.path) / "m.out").read_text())
    assert argv == HOSTILE
    assert seen == env
    assert (tmp_path / "preamble").read_text() == "preamble-ran\n"
    assert not list(tmp_path.rglob("PWNED"))
