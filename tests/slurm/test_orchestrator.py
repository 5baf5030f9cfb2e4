"""An Orchestrator on the real Slurm test cluster: one shard per node, a Redis Cluster across
three nodes, used by a model in another job, and gone after stop."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import redis

from hpcsim import Experiment, Status
from hpcsim.control.store import JobStore, store_path

from ..conftest import APPS
from ..dbutil import refused

ROUNDTRIP = str(APPS / "db_roundtrip.py")
PORT = 6780


def _redis_alive(pid: int) -> bool:
    """Whether ``pid`` is a live redis-server (the nodes are network namespaces of this
    machine, so their processes are visible here)."""
    try:
        return "redis-server" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return False


def test_three_shards_on_three_nodes_serve_a_model_and_stop_cleanly(
    slurm_cluster: Any, tmp_path: Path, python_exe: str
) -> None:
    exp = Experiment("dbexp", exp_path=tmp_path / "exp", launcher="slurm", site="hpcsim-testcluster")
    db = exp.create_database(port=PORT, db_nodes=3, batch=True, time="00:05:00")
    exp.start(db)
    try:
        addresses = db.get_address()
        assert sorted(addresses) == [f"10.77.77.1{i}:{PORT}" for i in (1, 2, 3)]  # eth0 of node1..3
        hidden = Path(db.path) / ".hpcsim"
        infos = [json.loads((hidden / f"{n}.shard.json").read_text()) for n in db.shard_names()]
        assert {info["host"] for info in infos} == set(slurm_cluster.nodes)
        pids = [info["pid"] for info in infos]
        assert all(_redis_alive(pid) for pid in pids)

        batch = exp.create_batch_settings(nodes=1, time="00:02:00")
        model = exp.create_model("user", exp.create_run_settings(python_exe, [ROUNDTRIP, "x"]), batch_settings=batch)
        exp.start(model)
        assert exp.get_status(model) == [Status.COMPLETED]
        report = json.loads((Path(model.path) / "user.out").read_text())
        assert len(report["matched"]) == 30
        password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
        servers = [redis.Redis(host=a.rsplit(":", 1)[0], port=PORT, password=password) for a in addresses]
        # every key but each shard's inference-worker heartbeat ({tag}.__hpcsim.ai.worker)
        per_shard = [sum(1 for key in server.scan_iter() if b"__hpcsim.ai." not in key) for server in servers]
        assert sum(per_shard) == 30 and all(n > 0 for n in per_shard)  # spread over all three nodes
    finally:
        exp.stop(db)
    assert exp.get_status(db) == [Status.COMPLETED]
    assert all(refused(a) for a in addresses)
    assert not any(_redis_alive(pid) for pid in pids)


def test_database_as_steps_inside_the_drivers_allocation(slurm_cluster: Any, tmp_path: Path) -> None:
    """A driver inside ``sbatch -N3`` starts its database as one srun step (a shard per node)
    and a model as another step, which uses it; stop leaves no server."""
    driver = tmp_path / "driver.py"
    exp_path = tmp_path / "exp"
    driver.write_text(
        textwrap.dedent(
            f"""
            import json
            from hpcsim import Experiment
            exp = Experiment("inside", exp_path={str(exp_path)!r}, launcher="slurm", site="hpcsim-testcluster")
            db = exp.create_database(port={PORT}, db_nodes=3)
            exp.start(db)
            rs = exp.create_run_settings({sys.executable!r}, [{ROUNDTRIP!r}, "in"], run_args={{"nodes": 1}})
            model = exp.create_model("user", rs)
            exp.start(model)
            addresses = db.get_address()
            exp.stop(db)
            print(json.dumps({{"addresses": addresses, "statuses": [str(s) for s in exp.get_status(db, model)]}}))
            """
        )
    )
    job = subprocess.run(
        ["sbatch", "--wait", "-N3", "-o", str(tmp_path / "driver.out"), "--wrap", f"{sys.executable} {driver}"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = (tmp_path / "driver.out").read_text()
    assert job.returncode == 0, (job.stderr, output)
    result = json.loads(output.strip().splitlines()[-1])
    assert sorted(result["addresses"]) == [f"10.77.77.1{i}:{PORT}" for i in (1, 2, 3)]
    assert result["statuses"] == ["COMPLETED", "COMPLETED"]
    assert len(json.loads((exp_path / "user" / "user.out").read_text())["matched"]) == 30
    runs = JobStore(store_path(exp_path), create=False).all_runs()
    assert [(r.name, r.kind, r.scheduler) for r in runs] == [
        ("orchestrator", "database", "local"),
        ("user", "model", "local"),
    ]


def test_without_a_site_interface_a_shard_binds_its_nodes_routable_address(slurm_cluster: Any, tmp_path: Path) -> None:
    exp = Experiment("nosite", exp_path=tmp_path / "exp", launcher="slurm")
    assert exp.site is None or not exp.site.network.db_interfaces
    db = exp.create_database(port=PORT, batch=True, time="00:02:00")
    exp.start(db)
    try:
        [address] = db.get_address()
        assert address in {f"10.77.77.1{i}:{PORT}" for i in (1, 2, 3)}  # eth0 of the node it ran on
        assert db.is_active()
    finally:
        exp.stop(db)
    assert exp.get_status(db) == [Status.COMPLETED]
