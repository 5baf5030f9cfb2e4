"""What the dashboard shows of a database that really ran a model and received a metric: a
local experiment's database, a TorchScript model run by its real inference worker, and a loss
curve logged with ``Client.log_metric``, read back through the dashboard's snapshot."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch

from hpcsim import Client, Experiment
from hpcsim.dashboard.snapshot import Dashboard
from tests.dbutil import free_port

RUNS = 12


def _model() -> bytes:
    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(4, 2).eval()), buffer)
    return buffer.getvalue()


def test_the_snapshot_shows_real_inference_statistics_and_a_logged_curve(tmp_path: Path) -> None:
    exp = Experiment("dash-inference", exp_path=str(tmp_path / "exp"), launcher="local")
    db = exp.create_database(port=free_port())
    exp.start(db, block=True, summary=False)
    dashboard = Dashboard([tmp_path / "exp"])
    try:
        client = Client(cluster=False, address=db.get_address()[0])
        client.set_model("net", _model(), "TORCH", "CPU")
        client.put_tensor("x", np.ones((1, 4), dtype=np.float32))
        for _ in range(RUNS):
            client.run_model("net", inputs=["x"], outputs=["y"])
        for step, loss in enumerate((0.9, 0.5, 0.25)):
            client.log_metric("loss", step, loss)
        client.close()

        [database] = dashboard.snapshot()["databases"]
        assert database["metrics"] == {"loss": [[0, 0.9], [1, 0.5], [2, 0.25]]}
        [model] = database["inference"]
        assert (model["key"], model["calls"], model["executions"], model["errors"]) == ("net", RUNS, RUNS, 0)
        # with fewer than 100 executions the p99 bucket is the slowest one's: a power of two
        # microseconds that bounds every execution, so the mean too
        p99, mean = model["p99_us"], model["mean_us"]
        assert isinstance(p99, int) and p99 & (p99 - 1) == 0 and 0 < mean <= p99
        [shard] = database["shards"]
        assert shard["up"] and shard["keys"] >= 3  # the model, x and y at least
    finally:
        dashboard.close()
        exp.stop(db)
