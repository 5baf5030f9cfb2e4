"""The seed's stories with compiled applications, launched by a local hpcsim Experiment with a
real database: programs in tests/native/programs/ compiled against the session's clients the
Makefile way (``hpcsim clients flags``).

- key prefixing (model.rst): two C producers put ``tensor`` with key prefixing on; a Fortran
  consumer, written the SmartRedis way, reads both with ``set_data_source`` and logs them;
- inference from C++: the driver stores a TorchScript model with ``add_ml_model``; a C++
  program puts an input, runs the model and unpacks the output, which must equal torch's;
- a colocated database: a C program beside its colocated server (TCP and Unix socket) reaches
  it through the environment the prologue sets;
- online training: examples/fortran_simulation (an MPI Fortran producer built by its Makefile,
  3 ranks under mpirun) feeds the Python trainer, as the Slurm tier does on 3 nodes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hpcsim import Experiment, Model
from hpcsim.client import Client
from hpcsim.status import Status
from tests.dbutil import free_port, refused
from tests.native.conftest import HPCSIM, _unavailable

PROGRAMS = Path(__file__).resolve().parent / "programs"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fortran_simulation"
#: every program here compiles without a warning
STRICT = {
    "c": ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"],
    "cxx": ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Werror"],
    # enum_fortran.inc, included as SmartRedis's programs do, declares every enumerator as a
    # parameter in the including program, and gfortran's -Wextra warns about each one not used
    "fortran": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror"],
}

Compile = Callable[..., Path]


def _build(compile_program: Compile, source: str, lang: str) -> Path:
    return compile_program(PROGRAMS / source, lang, extra=STRICT[lang])


def _outputs(model: Model) -> tuple[str, str]:
    path = Path(model.path)
    return (path / f"{model.name}.out").read_text(), (path / f"{model.name}.err").read_text()


def _completed(exp: Experiment, *models: Model) -> None:
    for model in models:
        out, err = _outputs(model)
        assert exp.get_status(model) == [Status.COMPLETED], f"{model.name}: {out[-2000:]}\n{err[-3000:]}"


# -- key prefixing: two C producers, a Fortran consumer -------------------------------------------


def test_key_prefixing_two_c_producers_and_a_fortran_consumer(exp: Experiment, compile_program: Compile) -> None:
    if shutil.which("gfortran") is None:
        _unavailable("no gfortran: apt-get install gfortran")
    producer_exe = _build(compile_program, "kp_producer.c", "c")
    consumer_exe = _build(compile_program, "kp_consumer.F90", "fortran")

    db = exp.create_database(port=free_port(), db_nodes=1)
    exp.start(db)
    producer_1 = exp.create_model("producer_1", exp.create_run_settings(str(producer_exe), ["5", "6", "7", "8"]))
    producer_1.enable_key_prefixing()
    producer_2 = exp.create_model("producer_2", exp.create_run_settings(str(producer_exe), ["1", "2", "3", "4"]))
    producer_2.enable_key_prefixing()
    consumer = exp.create_model("consumer", exp.create_run_settings(str(consumer_exe)))
    consumer.disable_key_prefixing()
    consumer.register_incoming_entity(producer_1)
    consumer.register_incoming_entity(producer_2)

    exp.start(producer_1, producer_2, block=True, summary=False)
    _completed(exp, producer_1, producer_2)
    exp.start(consumer, block=True, summary=False)
    _completed(exp, consumer)

    # what the seed's Python consumer logs, from Fortran: <context>@HH-MM-SS:<text>
    out, _ = _outputs(consumer)
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert re.fullmatch(r"default@\d\d-\d\d-\d\d:1: \[5 6 7 8\]", lines[0]), out
    assert re.fullmatch(r"default@\d\d-\d\d-\d\d:2: \[1 2 3 4\]", lines[1]), out
    # the producers printed nothing, and their tensors sit under their own prefixes
    assert _outputs(producer_1) == ("", "") and _outputs(producer_2) == ("", "")
    client = Client(cluster=False, address=db.get_address()[0], password=db._running().password())
    assert client.key_exists("producer_1.tensor") and client.key_exists("producer_2.tensor")
    assert not client.key_exists("tensor")
    np.testing.assert_array_equal(client.get_tensor("producer_1.tensor"), np.array([5, 6, 7, 8], dtype=np.int64))
    assert client.get_tensor("producer_2.tensor").dtype == np.int64


# -- inference from C++ ---------------------------------------------------------------------------


def test_cpp_application_runs_a_torchscript_model_stored_by_the_driver(
    exp: Experiment, compile_program: Compile, tmp_path: Path
) -> None:
    torch = pytest.importorskip("torch")
    infer_exe = _build(compile_program, "infer.cpp", "cxx")

    torch.manual_seed(11)
    module = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3), torch.nn.Softmax(dim=1)
    ).eval()
    model_file = tmp_path / "mlp.pt"
    torch.jit.save(torch.jit.script(module), str(model_file))

    rows, columns, outputs = 5, 4, 3
    db = exp.create_database(port=free_port())
    settings = exp.create_run_settings(str(infer_exe), ["mlp", str(rows), str(columns), str(outputs)])
    app = exp.create_model("infer", settings)
    app.add_ml_model("mlp", "TORCH", model_path=str(model_file), device="CPU")
    exp.start(db, app, block=True, summary=False)
    _completed(exp, app)

    out, _ = _outputs(app)
    result = json.loads(out.splitlines()[-1])
    x = np.array(result["input"], dtype=np.float32)
    assert x.shape == (rows, columns)
    # the program's input is what it says it computed (sin(1 + k) in float32)
    np.testing.assert_array_equal(x.ravel(), np.sin(1.0 + np.arange(rows * columns)).astype(np.float32))
    assert result["dims"] == [rows, outputs]
    with torch.no_grad():
        expected = torch.jit.load(str(model_file))(torch.from_numpy(x)).numpy()
    got = np.array(result["output"], dtype=np.float32)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


# -- a colocated database -------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "uds"])
def test_c_application_uses_its_colocated_database(
    exp: Experiment, compile_program: Compile, tmp_path: Path, transport: str
) -> None:
    colo_exe = _build(compile_program, "colo.c", "c")
    model = exp.create_model("colo", exp.create_run_settings(str(colo_exe)))
    if transport == "tcp":
        port = free_port()
        model.colocate_db_tcp(port=port)
        address = f"127.0.0.1:{port}"
    else:
        sock = tmp_path / "colo.sock"
        model.colocate_db_uds(unix_socket=str(sock), socket_permissions=700)
        address = f"unix://{sock}"
    exp.start(model, block=True, summary=False)
    _completed(exp, model)

    out, _ = _outputs(model)
    result = json.loads(out.splitlines()[-1])
    assert result == {
        "db": address,
        "dims": [2, 3, 4],
        "sum": float(sum(0.5 * i - 3.0 for i in range(24))),
        "same": True,
        "exists_after_delete": False,
    }
    # the colocated server went away with the application
    if transport == "tcp":
        assert refused(address)
    else:
        assert not sock.exists()


# -- online training with the MPI Fortran producer of examples/fortran_simulation ----------------


def test_fortran_simulation_example_feeds_the_trainer_under_mpirun(native_prefix: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    missing = [tool for tool in ("mpif90", "mpirun", "make") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"no {', '.join(missing)}: apt-get install make libopenmpi-dev openmpi-bin")
    build = tmp_path / "build"
    build.mkdir()
    make = ["make", "-C", str(build), "-f", str(EXAMPLE / "Makefile"), f"HPCSIM={HPCSIM}", f"PREFIX={native_prefix}"]
    made = subprocess.run(make, capture_output=True, text=True, timeout=300, check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "Warning" not in made.stderr, made.stderr  # -Wall -Wextra clean

    ranks, iterations, samples, epochs = 3, 10, 32, 20
    args = ["--producer", str(build / "producer"), "--port", str(free_port()), "--ranks", str(ranks)]
    args += ["--iterations", str(iterations), "--interval", "0.5", "--samples", str(samples), "--epochs", str(epochs)]
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "driver.py"), *args],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    root = tmp_path / "fortran-simulation"
    errors = "".join(
        f"\n--- {path.name}:\n{path.read_text()[-2000:]}"
        for path in sorted(root.glob("*/*.err"))
        if path.stat().st_size
    )
    assert done.returncode == 0, done.stderr[-3000:] + errors

    produced = (root / "producer" / "producer.out").read_text().splitlines()
    host = produced[0].split()[3].rstrip(":")
    expected = [f"rank {r} on {host}: uploaded iteration {i}" for r in range(ranks) for i in range(iterations)]
    assert sorted(produced) == sorted(expected)
    out = (root / "training_service" / "training_service.out").read_text().splitlines()
    epochs_seen = [json.loads(line) for line in out if line.startswith("{")]
    sizes = [epoch["samples"] for epoch in epochs_seen]
    assert len(sizes) >= epochs  # at least --epochs, then on until an epoch had every sample
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1], sizes  # the set grew while the producer ran
    assert sizes[-1] == ranks * iterations * samples  # and the trainer got every sample
    assert epochs_seen[-1]["loss"] < epochs_seen[0]["loss"] / 4
