"""ML models, scripts and functions added to entities reach the database before the application
starts: a standalone database loaded by the driver, and a colocated one loaded by its worker.
The application's results must equal the same computation done here with torch."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from hpcsim import Experiment, Model
from hpcsim.control.colocation import ml_manifest_path
from hpcsim.control.dbobjects import shared_manifest_dir
from hpcsim.errors import LaunchError
from hpcsim.status import Status
from tests.dbutil import free_port

from ..conftest import APPS

torch = pytest.importorskip("torch")


NEGATE = "def negate(x):\n\treturn torch.neg(x)\n"


def timestwo(x):
    return 2 * x


def mlp() -> torch.nn.Module:
    torch.manual_seed(7)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def serialized(module: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(module), buffer)
    return buffer.getvalue()


def expected() -> dict[str, np.ndarray]:
    x = torch.from_numpy(np.linspace(-1.0, 1.0, 8, dtype=np.float32).reshape(2, 4))
    with torch.no_grad():
        return {"mlp": mlp()(x).numpy(), "neg": torch.neg(x).numpy(), "twice": (2 * x).numpy()}


def ml_model(exp: Experiment, name: str) -> Model:
    model = exp.create_model(name, exp.create_run_settings(sys.executable, exe_args=str(APPS / "ml_app.py")))
    model.add_ml_model("mlp", "torch", model=serialized(mlp()))
    model.add_script("neg", NEGATE)
    model.add_function("twice", timestwo)
    return model


def check_output(model: Model) -> None:
    out = (Path(model.path) / f"{model.name}.out").read_text()
    err = (Path(model.path) / f"{model.name}.err").read_text()
    assert out, err
    result = json.loads(out.splitlines()[-1])
    assert result["exists"] is True and result["source"] == NEGATE
    for name, value in expected().items():
        np.testing.assert_allclose(np.array(result[name], dtype=np.float32), value, rtol=1e-5, atol=1e-6)


def test_objects_are_loaded_into_the_running_database(exp: Experiment, tmp_path: Path) -> None:
    db = exp.create_database(port=free_port())
    model = ml_model(exp, "app")
    exp.start(db, model, block=True)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "app.err").read_text()
    check_output(model)
    manifest = json.loads((shared_manifest_dir(exp.exp_path) / "manifest.json").read_text())
    assert [m["name"] for m in manifest["models"]] == ["mlp"]
    assert [s["name"] for s in manifest["scripts"]] == ["neg", "twice"]


def test_ensemble_members_share_the_loaded_objects(exp: Experiment) -> None:
    db = exp.create_database(port=free_port())
    exp.start(db)
    ens = exp.create_ensemble(
        "ens", run_settings=exp.create_run_settings(sys.executable, exe_args=str(APPS / "ml_app.py")), replicas=2
    )
    ens.add_ml_model("mlp", "TORCH", model=serialized(mlp()))
    ens.add_script("neg", NEGATE)
    ens.add_function("twice", timestwo)
    ens.disable_key_prefixing()
    exp.start(ens, block=True)
    assert exp.get_status(ens) == [Status.COMPLETED, Status.COMPLETED]
    for member in ens:
        check_output(member)


def test_without_a_database_nothing_is_launched(exp: Experiment) -> None:
    model = ml_model(exp, "app")
    with pytest.raises(LaunchError, match="no database is running to load them into"):
        exp.start(model, block=True)
    assert not Path(model.path, "app.out").exists()


def test_a_model_that_cannot_load_stops_the_launch(exp: Experiment) -> None:
    db = exp.create_database(port=free_port())
    exp.start(db)
    model = exp.create_model("bad", exp.create_run_settings("true"))
    model.add_ml_model("broken", "TORCH", model=b"not a torchscript archive")
    with pytest.raises(LaunchError, match=r"cannot load the ML models and scripts .* into database 'orchestrator'"):
        exp.start(model, block=True)
    assert not Path(model.path, "bad.out").exists()


def test_objects_are_loaded_into_a_colocated_database(exp: Experiment) -> None:
    model = ml_model(exp, "colo")
    model.colocate_db_tcp(port=free_port())
    exp.start(model, block=True)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "colo.err").read_text()
    check_output(model)
    assert ml_manifest_path(model).is_file()


def test_a_colocated_model_that_cannot_load_fails_before_the_application_runs(exp: Experiment) -> None:
    model = exp.create_model("bad", exp.create_run_settings("echo", exe_args=["application ran"]))
    model.colocate_db_tcp(port=free_port())
    model.add_ml_model("broken", "TORCH", model=b"not a torchscript archive")
    exp.start(model, block=True)
    assert exp.get_status(model) == [Status.FAILED]
    assert "application ran" not in Path(model.path, "bad.out").read_text()
    assert "cannot load" in Path(model.path, "bad.err").read_text()
    assert "set_model 'broken'" in Path(model.path, "bad.err").read_text()
