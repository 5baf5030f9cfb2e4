"""``hpcsim doctor`` with its scheduler check on the real Slurm test cluster: the job is submitted
through the library with the site's defaults, completes, and is reported with its id and node."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def test_doctor_runs_a_job_on_the_cluster(slurm_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSIM_SITE", "hpcsim-testcluster")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.delenv("HPCSIM_REDIS_SERVER", raising=False)
    for name, value in slurm_cluster.env.items():
        monkeypatch.setenv(name, value)
    done = subprocess.run(
        [HPCSIM, "doctor", "--json", "--timeout", "120", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["site"]["detail"].startswith("hpcsim-testcluster (")
    assert checks["database"]["status"] == "ok"
    scheduler = checks["scheduler"]
    assert scheduler["status"] == "ok", scheduler
    assert scheduler["scheduler"] == "slurm"
    assert scheduler["job_id"].isdigit()
    assert scheduler["host"] in slurm_cluster.nodes
    assert scheduler["detail"] == (
        f"slurm job {scheduler['job_id']} ran hostname on {scheduler['host']} (site hpcsim-testcluster)"
    )
    assert not list(tmp_path.iterdir())  # a clean run leaves nothing behind
