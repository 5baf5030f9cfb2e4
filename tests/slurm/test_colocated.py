"""A colocated database on the real Slurm test cluster: 3 nodes x 2 ranks, one server per node."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from hpcsim import Experiment, Status

from ..conftest import APPS

COLO = str(APPS / "colo_ranks.py")


def _alive(pid: int) -> bool:
    try:
        return "redis" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return False


def test_three_nodes_two_ranks_each_get_one_server_per_node(slurm_cluster: Any, tmp_path: Path) -> None:
    exp = Experiment("colo", exp_path=tmp_path / "exp", launcher="slurm", site="hpcsim-testcluster")
    rs = exp.create_run_settings(sys.executable, [COLO, "2"])
    rs.set_nodes(3)
    rs.set_tasks_per_node(2)
    batch = exp.create_batch_settings(nodes=3, time="00:05:00", batch_args={"ntasks-per-node": 2})
    model = exp.create_model("sim", rs, batch_settings=batch)
    model.colocate_db_tcp(port=6790, debug=True)
    exp.start(model)
    assert exp.get_status(model) == [Status.COMPLETED], (Path(model.path) / "sim.err").read_text()

    lines = [json.loads(line) for line in (Path(model.path) / "sim.out").read_text().splitlines()]
    assert sorted((line["node"], line["local"]) for line in lines) == [
        (node, local) for node in slurm_cluster.nodes for local in (0, 1)
    ]
    for line in lines:
        node = line["node"]
        # each rank read what the other rank on its node wrote, and its database holds only its node's keys
        assert line["seen"] == {f"{node}_0": 0, f"{node}_1": 1}
        assert line["keys"] == [f"{node}_0", f"{node}_1"]
        assert line["db"] == "127.0.0.1:6790"

    logs = sorted(Path(model.path).glob("sim.db.*.log"))
    assert [log.name for log in logs] == [f"sim.db.{node}.log" for node in slurm_cluster.nodes]
    pids = []
    for log in logs:
        text = log.read_text()
        assert text.count("Server initialized") == 1  # exactly one server ran on each node
        pids += [int(p) for p in re.findall(r"pid=(\d+), just started", text)]
    assert len(pids) == 3
    assert not any(_alive(pid) for pid in pids)  # and none is left after the job
    assert not list(Path("/tmp").glob("hpcsim-colo-*-node*-sim.*"))
