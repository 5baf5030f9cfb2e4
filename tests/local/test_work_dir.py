"""The Model page's rule for where an application runs: in the driver's working directory
unless it was generated (its own directory) or given an explicit ``path``; its ``.out``/``.err``
and hpcsim's own files always go to the entity's directory in the experiment."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from hpcsim import Experiment

from ..conftest import APPS
from ..dbutil import free_port


@pytest.fixture
def driver_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the driver runs: it holds the application script, as in the seed's drivers."""
    here = tmp_path / "driver"
    here.mkdir()
    shutil.copy(APPS / "report.py", here / "report.py")
    monkeypatch.chdir(here)
    return here


@pytest.fixture
def wexp(tmp_path: Path) -> Any:
    experiment = Experiment("work-dir", exp_path=tmp_path / "exp", launcher="local")
    yield experiment
    if experiment._launched:
        experiment.stop(*experiment._launched)


def _report(entity_dir: str, name: str) -> dict[str, Any]:
    out = Path(entity_dir) / f"{name}.out"
    assert (Path(entity_dir) / f"{name}.err").read_text() == "to stderr\n"
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def test_an_ungenerated_model_runs_in_the_drivers_directory(
    wexp: Experiment, driver_dir: Path, python_exe: str
) -> None:
    model = wexp.create_model("sim", wexp.create_run_settings(python_exe, "report.py"))
    wexp.start(model)
    assert wexp.get_status(model)[0].name == "COMPLETED"
    assert _report(model.path, "sim")["cwd"] == str(driver_dir)
    assert model.path == str(wexp.exp_path / "sim")
    assert not (driver_dir / "sim.out").exists()
    assert (Path(model.path) / ".hpcsim" / "sim.sh").is_file()


def test_a_generated_model_runs_in_its_directory(wexp: Experiment, driver_dir: Path, python_exe: str) -> None:
    model = wexp.create_model("sim", wexp.create_run_settings(python_exe, "report.py"))
    model.attach_generator_files(to_copy="report.py")
    wexp.generate(model)
    wexp.start(model)
    assert _report(model.path, "sim")["cwd"] == model.path


def test_an_explicit_path_wins(wexp: Experiment, driver_dir: Path, tmp_path: Path, python_exe: str) -> None:
    model = wexp.create_model(
        "sim", wexp.create_run_settings(python_exe, str(APPS / "report.py")), path=tmp_path / "mine"
    )
    wexp.start(model)
    assert model.path == str(tmp_path / "mine")
    assert _report(model.path, "sim")["cwd"] == model.path


def test_ensemble_members_follow_the_rule(wexp: Experiment, driver_dir: Path, python_exe: str) -> None:
    rs = wexp.create_run_settings(python_exe, "report.py")
    loose = wexp.create_ensemble("loose", run_settings=rs, replicas=2)
    generated = wexp.create_ensemble("made", run_settings=rs, replicas=2)
    generated.attach_generator_files(to_copy="report.py")
    wexp.generate(generated)
    wexp.start(loose, generated)
    for member in loose.models:
        assert _report(member.path, member.name)["cwd"] == str(driver_dir)
        assert member.path == str(wexp.exp_path / "loose" / member.name)
    for member in generated.models:
        assert _report(member.path, member.name)["cwd"] == member.path


def test_preview_shows_where_each_model_runs(wexp: Experiment, driver_dir: Path, python_exe: str) -> None:
    rs = wexp.create_run_settings(python_exe, "report.py")
    loose = wexp.create_model("loose", rs)
    made = wexp.create_model("made", rs)
    wexp.generate(made)
    text = wexp.preview(loose, made)
    assert f"cd {driver_dir} || exit" in text
    assert f"cd {made.path} || exit" in text


def test_attached_files_of_an_ungenerated_model_are_reported_not_copied(
    wexp: Experiment, driver_dir: Path, python_exe: str, caplog: pytest.LogCaptureFixture
) -> None:
    model = wexp.create_model("sim", wexp.create_run_settings(python_exe, "report.py"))
    model.attach_generator_files(to_copy="report.py")
    with caplog.at_level(logging.INFO, logger="hpcsim"):
        wexp.start(model)
    [line] = [r.getMessage() for r in caplog.records if "generate()" in r.getMessage()]
    assert line == (
        f"'sim' has attached files but was never passed to generate(), so they are not copied; it runs in {driver_dir}"
    )
    assert not (Path(model.path) / "report.py").exists()


def test_a_colocated_model_follows_the_rule(wexp: Experiment, driver_dir: Path, python_exe: str) -> None:
    shutil.copy(APPS / "colo_ranks.py", driver_dir / "colo_ranks.py")
    model = wexp.create_model("colo", wexp.create_run_settings(python_exe, "colo_ranks.py"))
    model.colocate_db_tcp(port=free_port())
    wexp.start(model)
    assert wexp.get_status(model)[0].name == "COMPLETED", (Path(model.path) / "colo.err").read_text()
    [line] = [json.loads(s) for s in (Path(model.path) / "colo.out").read_text().splitlines() if s.startswith("{")]
    assert line["keys"]  # "colo_ranks.py" is only found from the driver's directory
