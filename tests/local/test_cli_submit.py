"""``hpcsim submit`` on this machine (the local launcher: the job runs in the background), as a
user runs it: a real subprocess of the venv's ``hpcsim``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
DRIVER = textwrap.dedent(
    """
    import json, os, sys
    from hpcsim import Experiment
    exp = Experiment("inner", launcher="local")
    model = exp.create_model("child", exp.create_run_settings(sys.executable, ["-c", "print('child ran')"]))
    exp.generate(model)
    exp.start(model, block=True)
    json.dump({"argv": sys.argv[1:], "cwd": os.getcwd()}, open("driver-saw.json", "w"))
    print("driver done:", exp.get_status(model)[0].value)
    sys.exit(int(os.environ.get("DRIVER_EXIT", "0")))
    """
)
HOSTILE = ["two words", "it's", '"quoted"', "$(touch pwned)", "`id`", "; rm -rf x", "*", "--flag=a b"]


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("HPCSIM_SITE", "HPCSIM_SUBMISSION")}
    return subprocess.run(
        [HPCSIM, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env={**base, **(env or {})}
    )


@pytest.fixture
def driver(tmp_path: Path) -> Path:
    path = tmp_path / "drv.py"
    path.write_text(DRIVER)
    return path


def test_submit_runs_the_driver_and_status_shows_its_entities(tmp_path: Path, driver: Path) -> None:
    done = _cli("submit", "drv.py", "--launcher", "local", "--wait", "--", *HOSTILE, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "submitted drv: job " in done.stdout
    assert f"experiment: {tmp_path / 'drv'}" in done.stdout
    saw = json.loads((tmp_path / "driver-saw.json").read_text())
    assert saw == {"argv": HOSTILE, "cwd": str(tmp_path)}  # every argument intact, run where submitted
    assert not (tmp_path / "pwned").exists()
    status = _cli("status", "drv", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    experiments = json.loads(status.stdout)["experiments"]
    assert [(e["name"], [(j["name"], j["status"]) for j in e["jobs"]]) for e in experiments] == [
        ("drv", [("drv", "COMPLETED")]),
        ("inner", [("child", "COMPLETED")]),
    ]
    assert _cli("logs", "drv", "drv", cwd=tmp_path).stdout == "driver done: COMPLETED\n"
    assert _cli("logs", "drv", "child", cwd=tmp_path).stdout == "child ran\n"  # found in the driver's experiment


def test_dry_run_prints_exactly_the_script_that_is_submitted(tmp_path: Path, driver: Path) -> None:
    dry = _cli("submit", "drv.py", "--launcher", "local", "--dry-run", "--", "a b", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert not (tmp_path / "drv").exists()  # a dry run writes nothing
    done = _cli("submit", "drv.py", "--launcher", "local", "--wait", "--json", "--", "a b", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    submitted = json.loads(done.stdout)
    assert submitted["status"] == "COMPLETED"
    assert Path(submitted["script"]).read_text() == dry.stdout


def test_a_failing_driver_exits_1_with_wait_and_in_status(tmp_path: Path, driver: Path) -> None:
    done = _cli("submit", "drv.py", "--launcher", "local", "--wait", cwd=tmp_path, env={"DRIVER_EXIT": "3"})
    assert done.returncode == 1
    assert "drv: FAILED (exit code 3)" in done.stdout
    assert _cli("status", "drv", cwd=tmp_path).returncode == 1


ENSEMBLE_DRIVER = textwrap.dedent(
    """
    import sys
    from hpcsim import Experiment
    exp = Experiment("inner", launcher="local")
    code = "import os, sys; sys.exit(3 if os.environ['HPCSIM_ENTITY'] == 'sweep_1' else 0)"
    settings = exp.create_run_settings(sys.executable, ["-c", code if "fail" in sys.argv else "pass"])
    exp.start(exp.create_ensemble("sweep", run_settings=settings, replicas=3), block=True)
    """
)


@pytest.mark.parametrize(("args", "code"), [(["fail"], 1), ([], 0)])
def test_wait_exits_1_when_a_member_fails_though_the_driver_completed(
    tmp_path: Path, args: list[str], code: int
) -> None:
    (tmp_path / "ens.py").write_text(ENSEMBLE_DRIVER)
    done = _cli("submit", "ens.py", "--launcher", "local", "--wait", "--", *args, cwd=tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    assert "ens: COMPLETED (exit code 0)" in done.stdout  # the driver itself completed
    failed = "did not complete: sweep_1 (FAILED, exit code 3)"
    assert (failed in done.stdout) == bool(code)


def test_a_spec_runs_its_database_models_and_ensemble(tmp_path: Path) -> None:
    app = Path(__file__).parents[1] / "fixtures" / "apps" / "db_roundtrip.py"
    (tmp_path / "experiment.yaml").write_text(
        textwrap.dedent(
            f"""
            name: specrun
            launcher: local
            database: {{port: 6917}}
            models:
              - name: writer
                exe: {sys.executable}
                args: [{app}, w]
            ensembles:
              - name: sweep
                exe: {sys.executable}
                args: [-c, "import os; print('member', os.environ['HPCSIM_ENTITY'])"]
                replicas: 2
            """
        )
    )
    done = _cli("submit", "--spec", "experiment.yaml", "--wait", cwd=tmp_path)
    assert done.returncode == 0, done.stderr + (tmp_path / "specrun" / "specrun.err").read_text()
    rows = json.loads(_cli("status", "specrun", "--json", cwd=tmp_path).stdout)["experiments"][0]["jobs"]
    assert {r["name"]: r["status"] for r in rows} == {
        "specrun": "COMPLETED",
        "orchestrator_0": "COMPLETED",  # stopped cleanly when the applications ended
        "writer": "COMPLETED",
        "sweep_0": "COMPLETED",
        "sweep_1": "COMPLETED",
    }
    written = json.loads(_cli("logs", "specrun", "writer", cwd=tmp_path).stdout)
    assert len(written["matched"]) == 30  # every tensor went through the spec's database
    assert _cli("logs", "specrun", "sweep_1", cwd=tmp_path).stdout == "member sweep_1\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.py"], "hpcsim: error: driver file 'missing.py' not found"),
        (["--spec", "missing.yaml"], "hpcsim: error: spec file 'missing.yaml' not found"),
        ([], "give a DRIVER.py or --spec FILE"),
        (["drv.py", "--spec", "drv.py"], "give a DRIVER.py or --spec FILE"),
        (["drv.py", "--launcher", "local", "--nodes", "2"], "--nodes need a batch scheduler"),
        (["drv.py", "--site", "atlantis"], "unknown site 'atlantis'"),
        (["drv.py", "--launcher", "slurmish"], "'slurmish' is not one of"),
        (["drv.py", "--name", "bad name"], "bad name"),
    ],
)
def test_bad_input_fails_with_one_clear_line_and_exit_2(
    tmp_path: Path, driver: Path, args: list[str], message: str
) -> None:
    done = _cli("submit", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_invalid_spec_names_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: s\nmodels:\n  - name: a\n    exe: x\n    runn: {}\n")
    done = _cli("submit", "--spec", "bad.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "hpcsim: error: bad.yaml:5: models[0].runn: unknown key; did you mean 'run'? "
        "(valid: name, exe, args, env, run, files, params, key_prefixing)\n"
    )


@pytest.mark.parametrize(
    ("launcher", "directives"),
    [
        ("slurm", ["#SBATCH --nodes=3", "#SBATCH --time=01:00:00", "#SBATCH --partition=big", "#SBATCH --gpus=2"]),
        ("pbs", ["#PBS -l select=3:ngpus=2", "#PBS -l walltime=01:00:00", "#PBS -q big"]),
        ("lsf", ["#BSUB -nnodes 3", "#BSUB -W 01:00", "#BSUB -q big", "#BSUB -gpu num=2"]),
    ],
)
def test_dry_run_renders_each_schedulers_directives(
    tmp_path: Path, driver: Path, launcher: str, directives: list[str]
) -> None:
    flags = ["--nodes", "3", "--time", "01:00:00", "--queue", "big", "--gpus", "2"]
    done = _cli("submit", "drv.py", "--launcher", launcher, *flags, "--dry-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [d for d in directives if d not in lines] == []


def test_dry_run_renders_grid_engine_slots_walltime_and_queue(tmp_path: Path, driver: Path) -> None:
    flags = ["--time", "01:00:00", "--queue", "big.q", "--gpus", "2"]
    done = _cli("submit", "drv.py", "--launcher", "sge", *flags, "--dry-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    wanted = ["#$ -S /bin/bash", "#$ -l h_rt=01:00:00", "#$ -l gpu=2", "#$ -q big.q"]
    assert [d for d in wanted if d not in lines] == []


def test_grid_engine_refuses_a_node_count_before_anything_is_written(tmp_path: Path, driver: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    done = _cli("submit", "drv.py", "--launcher", "sge", "--nodes", "3", "--dry-run", cwd=tmp_path)
    assert done.returncode != 0
    assert "Grid Engine allocates slots, not nodes" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
