"""Issue 21: SmartSim's ``launcher="pals"`` (PBS with HPE's PALS ``mpiexec``, as on ALCF Polaris)
is a PBS experiment whose run settings are PALS's, as SmartSim's PBSLauncher makes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.settings import PalsMpiexecSettings, QsubBatchSettings


def test_a_pals_experiment_submits_to_pbs_and_launches_with_pals_mpiexec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = Experiment("polaris-driver", exp_path=tmp_path / "exp", launcher="pals")
    settings = exp.create_run_settings("/bin/echo", ["hi"], run_command="mpiexec", fail_if_missing_exec=False)
    assert type(settings) is PalsMpiexecSettings
    settings.set_tasks(4)
    assert type(exp.create_batch_settings(nodes=2, time="00:10:00")) is QsubBatchSettings
    text = exp.preview(exp.create_model("sim", settings))
    assert exp.launcher == "pbs"
    assert "#PBS -N sim\n" in text
    assert "exec mpiexec --np 4 --envall /bin/echo hi\n" in text
