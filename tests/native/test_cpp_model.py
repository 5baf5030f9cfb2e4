"""Inference from C++: a SmartRedis-style C++ program (clients/tests/cpp/cpp_model.cpp) stores a
TorchScript model and a script from files, runs the script's ``pre_process`` and the model
through hpcsim's inference worker, and gets outputs equal to torch run here; and a C++
application launched by an Experiment runs the model the driver stored with ``add_ml_model``."""

from __future__ import annotations

import io
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hpcsim import Experiment
from hpcsim.client import Client
from hpcsim.status import Status
from tests.dbutil import free_port
from tests.ml.conftest import MLDatabase, ml_farm, mldb  # noqa: F401  (fixtures)
from tests.native.conftest import NativeBuild, run_native

torch = pytest.importorskip("torch")


SCRIPT = "def pre_process(x):\n    return (x - 0.5) * 2.0\n"


class Net(torch.nn.Module):
    """A small MNIST-shaped CNN: (1, 1, 28, 28) -> (1, 10) log-probabilities."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3)
        self.fc = torch.nn.Linear(4 * 13 * 13, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return torch.log_softmax(self.fc(torch.flatten(x, 1)), dim=1)


@pytest.fixture(scope="module")
def net() -> torch.nn.Module:
    torch.manual_seed(11)
    return Net().eval()


@pytest.fixture
def inputs(tmp_path: Path, net: torch.nn.Module) -> Iterator[dict[str, Path]]:
    """The model, script and image files the C++ program reads."""
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(net), buffer)
    files = {"model": tmp_path / "mnist_cnn.pt", "script": tmp_path / "data_processing_script.txt"}
    files["model"].write_bytes(buffer.getvalue())
    files["script"].write_text(SCRIPT)
    files["image"] = tmp_path / "one.raw"
    image().tofile(files["image"])
    yield files


def image() -> np.ndarray:
    return np.random.default_rng(5).random((1, 1, 28, 28), dtype=np.float32)


def expected(net: torch.nn.Module) -> np.ndarray:
    with torch.inference_mode():
        return net((torch.from_numpy(image()) - 0.5) * 2.0).numpy()


def printed_results(stdout: str) -> np.ndarray:
    values = re.findall(r"^Result\[(\d+)\] = (\S+)$", stdout, re.M)
    assert [int(i) for i, _ in values] == list(range(10)), stdout
    return np.array([float(v) for _, v in values], dtype=np.float32)


def check(done: subprocess.CompletedProcess[str], net: torch.nn.Module) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    np.testing.assert_allclose(printed_results(done.stdout), expected(net)[0], rtol=1e-5, atol=1e-6)


def test_model_and_script_from_files(
    native_build: NativeBuild,
    mldb: MLDatabase,  # noqa: F811  (the fixture imported above)
    inputs: dict[str, Path],
    net: torch.nn.Module,
) -> None:
    env = dict(os.environ)  # mldb has put its database's variables here
    env.update(
        HPCSIM_TEST_MODEL_FILE=str(inputs["model"]),
        HPCSIM_TEST_SCRIPT_FILE=str(inputs["script"]),
        HPCSIM_TEST_IMAGE_FILE=str(inputs["image"]),
    )
    done = run_native(native_build.test_program("cpp", "cpp_model"), env, timeout=300)
    check(done, net)
    assert done.stdout.rstrip().endswith("PASS cpp_model")
    # The output tensor, read from Python, is what torch computes here.
    np.testing.assert_allclose(Client().get_tensor("mnist_output"), expected(net), rtol=1e-5, atol=1e-6)


def test_cpp_application_runs_the_drivers_model(
    exp: Experiment, native_build: NativeBuild, inputs: dict[str, Path], net: torch.nn.Module
) -> None:
    """The driver stores the model and script with add_ml_model/add_script; the C++ application,
    launched by the Experiment, only runs them."""
    db = exp.create_database(port=free_port())
    settings = exp.create_run_settings(
        str(native_build.test_program("cpp", "cpp_model")),
        env_vars={"HPCSIM_TEST_PRELOADED": "1", "HPCSIM_TEST_IMAGE_FILE": str(inputs["image"])},
    )
    app = exp.create_model("cxx_app", settings)
    app.add_ml_model("mnist_model", "TORCH", model=inputs["model"].read_bytes())
    app.add_script("mnist_script", script=SCRIPT)
    exp.start(db, app, block=True)
    out = Path(app.path, "cxx_app.out").read_text()
    err = Path(app.path, "cxx_app.err").read_text()
    assert exp.get_status(app) == [Status.COMPLETED], out + err
    check(subprocess.CompletedProcess([], 0, out, err), net)
