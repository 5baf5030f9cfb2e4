"""``hpcsim submit`` from a "login node" to the real Slurm test cluster: a driver and a spec
each run as one batch job whose entities launch as steps of its allocation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from ..conftest import APPS

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
SITE = "hpcsim-testcluster"
DRIVER = textwrap.dedent(
    f"""
    import sys
    from hpcsim import Experiment
    exp = Experiment("inner", launcher="slurm")
    db = exp.create_database(port=6931)
    rs = exp.create_run_settings(sys.executable, [{str(APPS / "db_roundtrip.py")!r}, sys.argv[1]])
    rs.set_nodes(2)
    rs.set_tasks(2)
    app = exp.create_model("app", rs)
    exp.generate(db, app)
    exp.start(db)
    try:
        exp.start(app, block=True)
    finally:
        exp.stop(db)
    print("app:", exp.get_status(app)[0].value)
    """
)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HPCSIM_SITE", "HPCSIM_SUBMISSION")}
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def _jobs(status: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    experiments = json.loads(status.stdout)["experiments"]
    return {e["name"]: {j["name"]: j for j in e["jobs"]} for e in experiments}


def test_submitted_driver_runs_its_entities_as_steps(slurm_cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "drv.py").write_text(DRIVER)
    flags = ["--site", SITE, "--nodes", "2", "--time", "00:05:00"]
    dry = _cli("submit", "drv.py", *flags, "--dry-run", "--", "tag one", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "#SBATCH --nodes=2" in dry.stdout and "#SBATCH --time=00:05:00" in dry.stdout
    done = _cli("submit", "drv.py", *flags, "--wait", "--json", "--", "tag one", cwd=tmp_path)
    assert done.returncode == 0, done.stderr + _cli("logs", "drv", "drv", "--err", cwd=tmp_path).stdout
    submitted = json.loads(done.stdout)
    assert (submitted["scheduler"], submitted["status"]) == ("slurm", "COMPLETED")
    assert Path(submitted["script"]).read_text() == dry.stdout  # --dry-run printed what was submitted
    status = _cli("status", "drv", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    jobs = _jobs(status)
    assert jobs["drv"]["drv"]["job_id"] == submitted["job_id"]
    inner = jobs["inner"]
    assert inner["app"]["status"] == "COMPLETED"
    lines = [json.loads(line) for line in _cli("logs", "drv", "app", cwd=tmp_path).stdout.splitlines()]
    assert sorted(line["host"] for line in lines) == slurm_cluster.nodes[:2]
    assert all(len(line["matched"]) == 30 for line in lines)
    assert _cli("logs", "drv", "drv", cwd=tmp_path).stdout.endswith("app: COMPLETED\n")


def test_submitted_spec_runs_on_the_cluster(slurm_cluster: Any, tmp_path: Path) -> None:
    (tmp_path / "experiment.yaml").write_text(
        textwrap.dedent(
            f"""
            name: specjob
            site: {SITE}
            job: {{nodes: 2, time: "00:05:00"}}
            database: {{port: 6932}}
            ensembles:
              - name: writers
                exe: {sys.executable}
                args: [{APPS / "db_roundtrip.py"}, w]
                replicas: 2
                key_prefixing: false  # both write and read back the same keys
                run: {{nodes: 1, tasks: 1}}
            """
        )
    )
    done = _cli("submit", "--spec", "experiment.yaml", "--wait", cwd=tmp_path)
    assert done.returncode == 0, done.stderr + (tmp_path / "specjob" / "specjob.err").read_text()
    assert "submitted specjob: job " in done.stdout
    jobs = _jobs(_cli("status", "specjob", "--json", cwd=tmp_path))["specjob"]
    assert {jobs[n]["status"] for n in ("specjob", "writers_0", "writers_1")} == {"COMPLETED"}
    for member in ("writers_0", "writers_1"):
        written = json.loads(_cli("logs", "specjob", member, cwd=tmp_path).stdout)
        assert len(written["matched"]) == 30
