"""Every Experiment logs at DEBUG to ``<exp>/.hpcsim/driver.log``: the step's command line, the
script it submits and the job id it gets; a symlink planted at that path is never followed."""

from __future__ import annotations

import os
import re
import shlex
import stat
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.errors import ConfigError
from hpcsim.status import Status


def test_driver_log_holds_the_launch_commands(tmp_path: Path, python_exe: str) -> None:
    exp = Experiment("logged", exp_path=tmp_path / "exp", launcher="local")
    argv = ["-c", "print('driver log')", "two words"]
    model = exp.create_model("m", exp.create_run_settings(python_exe, argv))
    exp.start(model, block=True)
    assert exp.get_status(model) == [Status.COMPLETED]
    log = exp.exp_path / ".hpcsim" / "driver.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    script = Path(model.path) / ".hpcsim" / "m.sh"
    job_id = exp.job_record("m").native_id
    assert f"hpcsim.control DEBUG m: step m runs {shlex.join([python_exe, *argv])}" in text
    assert f"DEBUG m: submitting {script} to local" in text
    assert f"DEBUG m: local job {job_id}" in text
    assert "INFO launched 1 job(s)" in text


def test_a_symlink_planted_at_driver_log_is_not_followed(tmp_path: Path) -> None:
    hidden = tmp_path / "exp" / ".hpcsim"
    hidden.mkdir(parents=True)
    target = tmp_path / "target.txt"
    target.write_text("untouched\n")
    os.symlink(target, hidden / "driver.log")
    exp = Experiment("planted", exp_path=tmp_path / "exp", launcher="local")
    model = exp.create_model("m", exp.create_run_settings("true"))
    with pytest.raises(ConfigError, match=r"driver\.log.*: it is a symlink, which hpcsim does not follow"):
        exp.start(model, block=True)
    assert target.read_text() == "untouched\n"
    assert (hidden / "driver.log").is_symlink()


def test_a_loaded_experiment_logs_its_launches_too(tmp_path: Path) -> None:
    first = Experiment("again", exp_path=tmp_path / "exp", launcher="local")
    first.start(first.create_model("one", first.create_run_settings("true")), block=True)
    loaded = Experiment.load(tmp_path / "exp")
    loaded.start(loaded.create_model("two", loaded.create_run_settings("echo", ["second launch"])), block=True)
    text = (tmp_path / "exp" / ".hpcsim" / "driver.log").read_text()
    assert "DEBUG one: step one runs " in text
    assert re.search(r"DEBUG two: step two runs \S*/echo 'second launch' ", text), text
