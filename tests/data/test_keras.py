"""hpcsim.ml.keras (alias hpcsim.ml.tf) generators as Keras 3 PyDatasets, trained with the
seed's one-epoch-per-fit loop under the torch and the TensorFlow backends, each in a fresh
process (Keras picks its backend once, at import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.client.conftest import Database
from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("backend", ["torch", "tensorflow"])
def test_keras_generator_grows_every_epoch_and_the_loss_falls(standalone: Database, backend: str) -> None:
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, str(FIXTURES / "apps" / "keras_online.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backend"] == backend
    assert result["sizes"] == [2 * (epoch + 1) for epoch in range(8)]  # 64 new samples = 2 batches per epoch
    assert result["losses"][-1] < result["losses"][0] / 2
    assert result["alias"] is True
    assert result["batches"] == 4
    assert result["onehot_shape"] == [8, 3] and result["onehot_dtype"] == "float32"
    assert result["onehot_rows_sum_to_one"] is True
