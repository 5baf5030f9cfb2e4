"""Colocated inference on the real Slurm test cluster: a model on 3 nodes, each rank running the
model and script its driver added, on the worker beside its own node's server."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hpcsim import Experiment, Status

from ..conftest import APPS


def test_each_node_runs_inference_on_its_own_worker(slurm_cluster: Any, tmp_path: Path) -> None:
    torch.manual_seed(11)
    module = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)))
    model_file = tmp_path / "mlp.pt"
    torch.jit.save(module, str(model_file))

    exp = Experiment("colo_ml", exp_path=tmp_path / "exp", launcher="slurm", site="hpcsim-testcluster")
    rs = exp.create_run_settings(sys.executable, [str(APPS / "colo_infer.py")])
    rs.set_nodes(3)
    rs.set_tasks_per_node(1)
    batch = exp.create_batch_settings(nodes=3, time="00:05:00")
    app = exp.create_model("infer", rs, batch_settings=batch)
    app.colocate_db_tcp(port=6791)
    app.add_ml_model("mlp", "TORCH", model_path=str(model_file))
    app.add_script("neg", script="def negate(x):\n    return torch.neg(x)\n")
    exp.start(app)
    assert exp.get_status(app) == [Status.COMPLETED], (Path(app.path) / "infer.err").read_text()

    x = np.linspace(-1.0, 1.0, 8, dtype=np.float32).reshape(2, 4)
    with torch.inference_mode():
        expected = module(torch.from_numpy(x)).numpy()
    lines = [json.loads(line) for line in (Path(app.path) / "infer.out").read_text().splitlines()]
    assert sorted(line["node"] for line in lines) == sorted(slurm_cluster.nodes)
    for line in lines:
        assert line["db"] == "127.0.0.1:6791"
        assert line["calls"] == 1  # its node's worker served exactly this rank's one call
        np.testing.assert_allclose(np.array(line["y"], dtype=np.float32), expected, rtol=1e-5)
        np.testing.assert_array_equal(np.array(line["negated"], dtype=np.float32), -x)
