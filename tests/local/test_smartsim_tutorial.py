"""SmartSim's own "Getting Started" tutorial, ported by changing only its imports
(examples/smartsim_tutorial), runs from start to end as the notebook shows it: local models, an
``mpirun`` model, replica and parameterized ensembles, an Orchestrator used from a Client, and a
key-prefixed producer/consumer ensemble, leaving no database behind."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.dbutil import refused

TUTORIAL = Path(__file__).resolve().parents[2] / "examples" / "smartsim_tutorial"
REDIS_PORT = 6899  # hard-coded by the tutorial (``REDIS_PORT=6899``)
GREETINGS = [
    "Hello, my name is Ellie and my parameter is 2",
    "Hello, my name is Ellie and my parameter is 11",
    "Hello, my name is John and my parameter is 2",
    "Hello, my name is John and my parameter is 11",
]


def _processes_under(root: Path) -> dict[int, str]:
    """Live processes (not zombies) whose working directory or command line lies under ``root``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            cwd = os.readlink(entry / "cwd")
        except (OSError, IndexError):
            continue
        if state != "Z" and (cwd == str(root) or cwd.startswith(f"{root}/") or str(root) in cmdline):
            found[int(entry.name)] = f"{cmdline} (cwd {cwd})"
    return found


def _out(model_dir: Path) -> str:
    return (model_dir / f"{model_dir.name}.out").read_text()


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A copy of the tutorial folder to run in. Afterwards, what a failed run left behind is
    cancelled (``hpcsim cancel``, as tests/local/test_seeds.py does), then killed."""
    work = tmp_path / "getting_started"
    shutil.copytree(TUTORIAL, work, ignore=shutil.ignore_patterns("__pycache__"))
    yield work
    hpcsim = Path(sys.executable).parent / "hpcsim"
    for experiment in ("tutorial-smartredis", "getting-started"):
        if (work / experiment).is_dir():
            subprocess.run([str(hpcsim), "cancel", experiment], cwd=work, capture_output=True, timeout=60)
    for pid in _processes_under(work):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_the_getting_started_tutorial_runs_as_smartsim_documents_it(workdir: Path) -> None:
    pytest.importorskip("torch")  # the Orchestrator section traces and runs a PyTorch CNN
    if shutil.which("mpirun") is None:
        pytest.skip("the tutorial runs a model through mpirun (Open MPI)")
    if not refused(f"127.0.0.1:{REDIS_PORT}"):
        pytest.skip(f"port {REDIS_PORT}, which the tutorial hard-codes, is taken")
    venv_bin = str(Path(sys.executable).parent)  # the tutorial runs exe="python" from PATH
    env = {
        "PATH": f"{venv_bin}:/usr/bin:/bin",
        "HOME": str(workdir.parent),
        # Open MPI refuses to run as root without these (the driver must not set them)
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    }
    done = subprocess.run(
        [sys.executable, "getting_started.py"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    left_running = _processes_under(workdir)
    assert done.returncode == 0, f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-8000:]}"

    # 1. Experiments and Models: exp_path is ./getting-started, each model in exp_path/<name>
    exp_dir = workdir / "getting-started"
    assert _out(exp_dir / "tutorial-model") == "hello!\n"
    assert (exp_dir / "tutorial-model" / "tutorial-model.err").read_text() == ""
    assert "Content of tutorial-model.out:\nhello!\n\nContent of tutorial-model.err:\n\n" in done.stdout
    assert _out(exp_dir / "tutorial-model-1") == "hello!\n"
    assert _out(exp_dir / "tutorial-model-2") == ""
    assert _out(exp_dir / "tutorial-model-mpirun") == "hello world!\nhello world!\n"
    assert "Content of tutorial-model-mpirun.out:\nhello world!\nhello world!\n" in done.stdout

    # 2. Ensembles: replicas, all permutations (";" tags), two random ones, then "@" tags
    for i in range(4):
        member = exp_dir / "ensemble-replica" / f"ensemble-replica_{i}"
        assert _out(member) == ""
        assert (member / f"ensemble-replica_{i}.err").read_text() == ""
    assert [_out(exp_dir / "ensemble" / f"ensemble_{i}").strip() for i in range(4)] == GREETINGS
    for i, greeting in enumerate(GREETINGS):
        assert f"ensemble_{i}.out:\n{greeting}\n" in done.stdout
    randoms = [_out(exp_dir / "param_ensemble" / f"param_ensemble_{i}").strip() for i in range(2)]
    assert all(r in GREETINGS for r in randoms), randoms
    assert [_out(exp_dir / "ensemble_new_tag" / f"ensemble_new_tag_{i}").strip() for i in range(4)] == GREETINGS
    for name in ("tutorial-model-mpirun", "ensemble-replica_3", "param_ensemble_1", "ensemble_new_tag_3"):
        assert name in done.stdout  # print(exp.summary()) lists every model run

    # 3. Orchestrator and Client: tensor round trip, a TorchScript model, a function as a script
    assert f"Receive tensor:\n\n {np.ones((4, 3, 3))}\n" in done.stdout
    assert "[[0. 1. 2. 3. 4. 5. 6. 7. 8.]]\nMax:\n8.0\n[8.]\n" in done.stdout
    assert (workdir / "torch_cnn.pt").is_file()

    # 4. Ensembles using SmartRedis: the consumer reads each producer's prefixed "product"
    consumer = _out(workdir / "tutorial-smartredis" / "consumer")
    tensors = re.findall(r"Tensor for (producer_\d) is: \[\[\[\[", consumer)
    assert tensors == ["producer_0", "producer_1"], consumer

    # exp.stop(db) ended the database: nothing listens on the port, nothing of the run is left
    assert refused(f"127.0.0.1:{REDIS_PORT}")
    assert left_running == {}
