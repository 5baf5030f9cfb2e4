"""The seed documents' drivers, copied into examples/seeds/ with only their imports, ports and
placeholders changed, run as written from a directory that holds only their scripts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..dbutil import free_port

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"
#: Keras' verbose=2 line after each epoch: "<steps>/<steps> - 0s - 2ms/step - loss: 0.1234"
_EPOCH = re.compile(r"^(\d+)/\1 - .*loss: ([0-9.e+-]+)$", re.M)


def _copy(seed: str, tmp_path: Path, port: int) -> Path:
    """The seed's scripts alone in a fresh directory, its port swapped for a free one."""
    here = tmp_path / seed
    shutil.copytree(SEEDS / seed, here)
    for script in here.glob("*.py"):
        text = script.read_text()
        script.write_text(re.sub(r"port=\d+", f"port={port}", text))
    return here


def _run(here: Path, driver: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The driver as a user runs it: ``python`` on PATH is this interpreter (with hpcsim)."""
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    environment = {"PATH": path, "HOME": str(here.parent), "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    return subprocess.run(
        [sys.executable, driver], cwd=here, capture_output=True, text=True, timeout=300, env=environment
    )


def _cancel(here: Path, experiment: str) -> None:
    """Stop what the driver left running (the online-training page never stops its database)."""
    hpcsim = Path(sys.executable).parent / "hpcsim"
    subprocess.run([str(hpcsim), "cancel", experiment], cwd=here, capture_output=True, timeout=60, check=True)


def test_online_training_page_trains_on_a_growing_set_and_the_loss_falls(tmp_path: Path) -> None:
    pytest.importorskip("keras", reason="the page's training service is Keras: bash scripts/install-ml.sh .venv")
    here = _copy("online_training", tmp_path, free_port())
    try:
        done = _run(here, "driver.py")
        trainer = here / "online-training" / "training_service"
        assert done.returncode == 0, done.stderr[-2000:] + (trainer / "training_service.err").read_text()[-3000:]
    finally:
        _cancel(here, "online-training")
    epochs = [
        (int(steps), float(loss)) for steps, loss in _EPOCH.findall((trainer / "training_service.out").read_text())
    ]
    assert len(epochs) == 100
    steps = [s for s, _ in epochs]
    assert steps == sorted(steps) and steps[0] < steps[-1] <= 16 * 2  # 64 samples = 2 batches per iteration
    losses = [loss for _, loss in epochs]
    assert losses[-1] < losses[0] / 4
    assert sorted(p.name for p in here.iterdir()) == [
        "driver.py",
        "online-training",
        "orchestrator",
        "producer.py",
        "training_service.py",
    ]
    assert not (here / "online-training" / "producer" / "producer.py").exists()  # never generated


def test_model_page_consumer_prints_both_producers_tensors(tmp_path: Path) -> None:
    here = _copy("key_prefixing", tmp_path, free_port())
    try:
        done = _run(here, "experiment.py", HPCSIM_SITE="local")  # launcher="auto" on a machine with Slurm
    finally:
        _cancel(here, "getting-started")
    root = here / "getting-started"
    assert done.returncode == 0, done.stderr[-3000:] + (root / "consumer" / "consumer.err").read_text()
    out = (root / "consumer" / "consumer.out").read_text().splitlines()
    assert [line.split(":", 1)[1] for line in out] == ["1: [5 6 7 8]", "2: [1 2 3 4]"]
    assert "network interface(s) ib0 not found on this host" in done.stderr
    assert re.search(r"\| consumer +\| Model +\|.*\| COMPLETED +\| 0 ", done.stderr)  # SmartSim's summary columns
