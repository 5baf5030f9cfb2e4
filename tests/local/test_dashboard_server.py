"""``hpcsim dashboard`` as a user runs it: the real command in a subprocess, serving a real local
experiment (a database and an ensemble with a failed member) over HTTP on loopback."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
import redis

from hpcsim import Experiment
from hpcsim.control.store import DatabaseRecord, JobStore, store_path
from hpcsim.dashboard.snapshot import Dashboard
from hpcsim.database import Orchestrator

from ..dbutil import free_port

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
#: each member prints its name; ens_1 also writes to stderr and exits 3
MEMBER = (
    "import os, sys\nme = os.environ['HPCSIM_ENTITY']\nprint('out of', me)\n"
    "if me.endswith('_1'):\n    sys.stderr.write('boom from ' + me + '\\n')\n    sys.exit(3)\n"
)


@dataclass
class Served:
    """A running dashboard over the experiment: its process, base URL and token."""

    exp: Experiment
    db: Orchestrator
    proc: subprocess.Popen[str]
    base: str
    token: str

    def url(self, path: str) -> str:
        joiner = "&" if "?" in path else "?"
        return f"{self.base}{path}{joiner}token={self.token}"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    """(status, body, headers) of a GET, errors included; every request has a timeout."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.read(), answer.headers
    except HTTPError as error:
        return error.code, error.read(), error.headers


def _json(url: str) -> Any:
    status, body, _ = _get(url)
    assert status == 200, body
    return json.loads(body)


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    """The dashboard started with ``args`` and the URL it printed (its first line)."""
    proc = subprocess.Popen(
        [HPCSIM, "dashboard", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith("hpcsim dashboard: http://127.0.0.1:"):
        _stop(proc)
        pytest.fail(f"no URL printed: {line!r}")
    return proc, line.removeprefix("hpcsim dashboard: ").strip()


def _stop(proc: subprocess.Popen[str]) -> None:
    """End the dashboard this test started, by its pid, if it still runs."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    proc.communicate(timeout=30)


def _seed(exp: Experiment, db: Orchestrator) -> None:
    """A training metric and a model's inference statistics, as the client and worker write them."""
    password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
    host, port = db.get_address()[0].rsplit(":", 1)
    with redis.Redis(host=host, port=int(port), password=password, socket_timeout=5) as conn:
        for step, loss in enumerate((1.25, 0.9, 0.5)):
            point = ("step", step, "value", loss)
            conn.execute_command("XADD", "__hpcsim.metrics.loss", "MAXLEN", "~", 100000, "*", *point)
        stats = {"calls": 10, "executions": 4, "samples": 10, "errors": 0, "duration_us": 3250}
        stats |= {"hist.9": 3, "hist.11": 1}  # 3 runs under 512 us, one under 2048 us
        conn.hset("__hpcsim.ai.stats.mymodel", mapping=stats)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("dashboard")
    exp = Experiment("dash", exp_path=root / "exp", launcher="local")
    db = exp.create_database(port=free_port(), interface="lo")
    exp.start(db)
    try:
        member = exp.create_run_settings(sys.executable, ["-c", MEMBER])
        exp.start(exp.create_ensemble("ens", run_settings=member, replicas=3), block=True)
        _seed(exp, db)
        proc, url = _start(str(exp.exp_path))
        base, token = url.split("/?token=")
        yield Served(exp, db, proc, base, token)
        _stop(proc)
    finally:
        exp.stop(db)


def _members(served: Served) -> dict[str, dict[str, Any]]:
    jobs = _json(served.url("/api/snapshot"))["jobs"]
    return {job["name"]: job for job in jobs if job["kind"] == "model"}


def test_every_route_needs_the_token(served: Served) -> None:
    for path in ("/", "/api/snapshot", "/static/app.js"):
        for url in (served.base + path, f"{served.base}{path}?token=wrong{served.token}"):
            status, body, _ = _get(url)
            assert status == 403 and b"token" in body, (url, status, body)
        assert _get(served.base + path, {"Authorization": "Bearer nope"})[0] == 403
        assert _get(served.url(path))[0] == 200
        assert _get(served.base + path, {"Authorization": f"Bearer {served.token}"})[0] == 200
    status, body, headers = _get(served.url("/"))
    assert headers["Content-Type"].startswith("text/html") and headers["Referrer-Policy"] == "no-referrer"


def test_snapshot_shows_the_experiment_its_ensemble_and_database(served: Served) -> None:
    snapshot = _json(served.url("/api/snapshot"))
    [experiment] = snapshot["experiments"]
    assert experiment["exp"] == "0" and experiment["name"] == "dash" and experiment["launcher"] == "local"
    assert experiment["path"] == str(served.exp.exp_path) and experiment["error"] is None
    assert experiment["counts"] == {"RUNNING": 1, "COMPLETED": 2, "FAILED": 1}  # the database runs
    members = _members(served)
    assert sorted(members) == ["ens_0", "ens_1", "ens_2"]
    assert {job["group"] for job in members.values()} == {"ens"}
    failed = members["ens_1"]
    assert (failed["status"], failed["exit_code"]) == ("FAILED", 3)
    for job in members.values():
        assert job["submitted"] <= job["started"] <= job["ended"]
    [database] = snapshot["databases"]
    assert database["exp"] == "0" and database["name"] == served.db.name and database["cluster"] is False
    [shard] = database["shards"]
    assert shard["address"] == served.db.get_address()[0] and shard["up"] is True and shard["error"] is None
    assert shard["keys"] >= 2 and shard["used_memory"] > 0 and shard["clients"] >= 1
    assert database["metrics"] == {"loss": [[0, 1.25], [1, 0.9], [2, 0.5]]}
    [model] = database["inference"]
    assert model == {
        "key": "mymodel",
        "calls": 10,
        "executions": 4,
        "errors": 0,
        "samples": 10,
        "mean_us": 812.5,
        "p99_us": 2048,
    }


def test_entity_gives_script_settings_and_history(served: Served) -> None:
    failed = _members(served)["ens_1"]
    entity = _json(served.url(f"/api/entity/0/{failed['id']}"))
    assert entity["job"] == failed
    script = served.exp.exp_path / entity["settings"]["script"]
    assert entity["script"] == script.read_text() and "ens_1" in entity["script"]
    assert entity["settings"]["scheduler"] == "local" and entity["settings"]["kind"] == "model"
    assert entity["settings"]["err"] == "ens/ens_1/ens_1.err"
    assert [entry[0] for entry in entity["history"]] == ["RUNNING", "FAILED"]
    assert entity["history"][-1][1] == 3
    for path in ("/api/entity/9/1", f"/api/entity/0/{failed['id'] + 100}", "/api/entity/0/abc", "/api/entity/0/-1"):
        assert _get(served.url(path))[0] == 404, path


def test_tail_reads_a_jobs_own_logs_and_nothing_else(served: Served) -> None:
    ids = {name: job["id"] for name, job in _members(served).items()}
    err = _json(served.url(f"/api/tail/0/{ids['ens_1']}/err"))
    assert err == {"text": "boom from ens_1\n", "size": 16}
    assert _json(served.url(f"/api/tail/0/{ids['ens_1']}/err?bytes=4")) == {"text": "s_1\n", "size": 16}
    assert _json(served.url(f"/api/tail/0/{ids['ens_0']}/out"))["text"] == "out of ens_0\n"
    for bad in ("0", "65537", "-1", "lots", "%C2%B2", "9" * 5000):  # %C2%B2: a superscript two
        status, body, _ = _get(served.url(f"/api/tail/0/{ids['ens_1']}/err?bytes={bad}"))
        assert status == 400 and b"bytes must be a whole number from 1 to 65536" in body
    one = ids["ens_1"]
    for path in (
        f"/api/tail/0/{one}/../../etc/passwd",
        f"/api/tail/0/{one}/%2e%2e/%2e%2e/etc/passwd",
        f"/api/tail/0/{one}/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        f"/api/tail/0/{one}/log",
        f"/api/tail/0/{one + 100}/out",
        f"/api/tail/7/{one}/out",
        f"/api/tail/0/{'1' * 5000}/out",
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/..%2fserver.py",
        "/static/__init__.py",
        "/api/nothing",
    ):
        assert _get(served.url(path))[0] == 404, path


def test_tail_refuses_symlinks_planted_on_the_way(served: Served) -> None:
    ids = {name: job["id"] for name, job in _members(served).items()}
    out = served.exp.exp_path / "ens" / "ens_2" / "ens_2.out"
    out.unlink()
    out.symlink_to("/etc/passwd")  # in place of the log, pointing outside
    assert _get(served.url(f"/api/tail/0/{ids['ens_2']}/out"))[0] == 404
    folder = served.exp.exp_path / "ens" / "ens_0"
    folder.rename(folder.with_name("moved"))
    folder.symlink_to(folder.with_name("moved"))  # a directory on the way is a link (inside, even)
    assert _get(served.url(f"/api/tail/0/{ids['ens_0']}/out"))[0] == 404
    (folder.parent / "ens_1" / "ens_1.out").unlink()
    assert _json(served.url(f"/api/tail/0/{ids['ens_1']}/out")) == {"text": "", "size": 0}  # gone: empty


def test_events_stream_the_snapshot(served: Served) -> None:
    request = urllib.request.Request(served.url("/api/events"))
    with urllib.request.urlopen(request, timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline() == b"event: snapshot\n"
        data = stream.readline()
        assert data.startswith(b"data: ") and stream.readline() == b"\n"
    snapshot = json.loads(data.removeprefix(b"data: "))
    assert set(snapshot) == {"generated", "experiments", "jobs", "databases"}
    assert snapshot["experiments"][0]["name"] == "dash"


def test_a_hundred_requests_at_once_all_succeed(served: Served) -> None:
    failed = _members(served)["ens_1"]["id"]
    paths = ["/api/snapshot", "/", f"/api/entity/0/{failed}", f"/api/tail/0/{failed}/err"] * 25
    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(lambda path: _get(served.url(path))[0], paths))
    assert statuses == [200] * 100


def test_a_directory_that_is_no_experiment_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([HPCSIM, "dashboard", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""  # no URL: nothing was bound
    assert f"{str(tmp_path)!r} is not an hpcsim experiment (no .hpcsim/store in it)" in done.stderr


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_bad_port_is_a_usage_error(served: Served, port: str) -> None:
    done = subprocess.run(
        [HPCSIM, "dashboard", str(served.exp.exp_path), "--port", port], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "Invalid value for '--port'" in done.stderr


@pytest.mark.parametrize("host", ["localhost.invalid", "127.0.0.1:80", "0x7f.1", ""])
def test_a_host_that_is_no_ip_address_is_a_usage_error(served: Served, host: str) -> None:
    """Names are refused, never looked up: the dashboard binds exactly the address written."""
    done = subprocess.run(
        [HPCSIM, "dashboard", str(served.exp.exp_path), "--host", host], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert f"Invalid value for --host: {host!r} is not an IP address" in done.stderr


def test_a_port_in_use_is_refused_clearly(served: Served) -> None:
    taken = served.base.rsplit(":", 1)[1]
    done = subprocess.run(
        [HPCSIM, "dashboard", str(served.exp.exp_path), "--port", taken], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert f"cannot listen on 127.0.0.1:{taken}" in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_cleanly_with_a_stream_open(served: Served, signum: int) -> None:
    proc, url = _start(str(served.exp.exp_path))
    try:
        with urllib.request.urlopen(url.replace("/?", "/api/events?"), timeout=30) as stream:
            assert stream.readline() == b"event: snapshot\n"
            os.kill(proc.pid, signum)
            assert proc.wait(timeout=60) == 0
    finally:
        _stop(proc)
    with pytest.raises(ProcessLookupError):
        os.kill(proc.pid, 0)


def test_a_shard_that_does_not_answer_shows_down_with_the_reason(tmp_path: Path) -> None:
    store = JobStore(store_path(tmp_path))
    store.set_meta(name="gone", launcher="local")
    closed = f"127.0.0.1:{free_port()}"
    store.add_database(DatabaseRecord("db", (closed,), False, "", ()))
    (tmp_path / "secret").write_text("pw\n")
    (tmp_path / "link").symlink_to(tmp_path / "secret")
    store.add_database(DatabaseRecord("linked", (closed,), False, str(tmp_path / "link"), ()))
    dashboard = Dashboard([tmp_path])
    try:
        databases = {db["name"]: db for db in dashboard.snapshot()["databases"]}
    finally:
        dashboard.close()
    [shard] = databases["db"]["shards"]
    assert shard["address"] == closed and shard["up"] is False and "Connection refused" in shard["error"]
    assert shard["keys"] is None and databases["db"]["inference"] == [] and databases["db"]["metrics"] == {}
    [linked] = databases["linked"]["shards"]
    assert linked["up"] is False and "symbolic link" in linked["error"]  # the password file is never followed


def test_a_cluster_shows_its_state_every_shard_and_what_they_hold(tmp_path: Path) -> None:
    exp = Experiment("clu", exp_path=tmp_path / "exp", launcher="local")
    db = exp.create_database(port=free_port(3), db_nodes=3, interface="lo")
    exp.start(db)
    try:
        addresses = db.get_address()
        password = (exp.exp_path / ".hpcsim" / "db.secret").read_text().strip()
        host, port = addresses[0].rsplit(":", 1)
        with redis.RedisCluster(host=host, port=int(port), password=password, socket_timeout=5) as conn:
            conn.execute_command("XADD", "__hpcsim.metrics.acc", "*", "step", 0, "value", 0.5)
            for tag in ("{a}.", "{b}."):  # one model's statistics kept by two workers
                stats = {"calls": 2, "executions": 2, "duration_us": 100, "hist.6": 2}
                conn.hset(f"{tag}__hpcsim.ai.stats.{tag}net", mapping=stats)
        dashboard = Dashboard([exp.exp_path])
        try:
            [database] = dashboard.snapshot()["databases"]
        finally:
            dashboard.close()
    finally:
        exp.stop(db)
    assert (database["cluster"], database["cluster_state"], database["slots_covered"]) == (True, "ok", 16384)
    assert sorted(shard["address"] for shard in database["shards"] if shard["up"]) == sorted(addresses)
    assert database["metrics"] == {"acc": [[0, 0.5]]}
    assert database["inference"] == [
        {"key": "net", "calls": 4, "executions": 4, "errors": 0, "samples": 0, "mean_us": 50.0, "p99_us": 64}
    ]
