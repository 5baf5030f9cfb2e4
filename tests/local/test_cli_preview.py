"""``hpcsim preview DRIVER.py`` prints exactly what the driver's start() would submit, and
runs nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.settings.sbatch import SbatchSettings

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
DRIVER = textwrap.dedent(
    """
    import sys
    from hpcsim import Experiment
    from hpcsim.settings.sbatch import SbatchSettings
    exp = Experiment("pv", exp_path=sys.argv[1], launcher=sys.argv[2])
    rs = exp.create_run_settings("/bin/echo", ["hi there"], run_command="")
    batch = SbatchSettings(nodes=2, time="00:10:00") if sys.argv[2] == "slurm" else None
    model = exp.create_model("m", rs, batch_settings=batch)
    exp.generate(model)
    exp.start(model, block=True)
    print("status:", exp.get_status(model)[0].value, "rows:", len(exp.summary_data()))
    """
)


@pytest.mark.parametrize("launcher", ["slurm", "local"])
def test_preview_prints_the_scripts_and_runs_nothing(tmp_path: Path, launcher: str) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    exp_path = tmp_path / "exp"
    done = subprocess.run([HPCSIM, "preview", str(driver), str(exp_path), launcher], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not exp_path.exists()
    exp = Experiment("pv", exp_path=exp_path, launcher=launcher)
    rs = exp.create_run_settings("/bin/echo", ["hi there"], run_command="")
    model = exp.create_model(
        "m", rs, batch_settings=SbatchSettings(nodes=2, time="00:10:00") if launcher == "slurm" else None
    )
    expected = exp.preview(model)
    assert done.stdout == expected + "status: NEW rows: 0\n"


def test_preview_of_a_missing_driver_fails_clearly(tmp_path: Path) -> None:
    done = subprocess.run([HPCSIM, "preview", str(tmp_path / "nope.py")], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == f"hpcsim: error: driver file {str(tmp_path / 'nope.py')!r} not found\n"


def test_preview_of_a_spec_prints_its_scripts_and_runs_nothing(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(
        "name: pv\nlauncher: local\nmodels:\n  - {name: m, exe: /bin/echo, args: [hi there]}\n"
    )
    done = subprocess.run(
        [HPCSIM, "preview", "--spec", "exp.yaml"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"# ==> {tmp_path / 'pv' / 'm' / '.hpcsim' / 'm.sh'} <==\n#!/bin/bash\n")
    assert "exec /bin/echo 'hi there'" in done.stdout
    assert not (tmp_path / "pv").exists()
