"""``python -m hpcsim.db.shard`` on its own, and hostile values on their way to redis-server."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from hpcsim import Experiment
from hpcsim.db.discovery import find_redis_server
from hpcsim.db.netif import routable_addresses
from hpcsim.db.shard import server_config

from ..dbutil import free_port

HOSTILE = "a b \"c\" 'd' $HOME `id` ; \\ # {x}"


def _shard(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "hpcsim.db.shard", "--dir", str(tmp_path), "--server", str(find_redis_server())]
    return subprocess.Popen([*argv, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _report(proc: subprocess.Popen[str]) -> dict[str, object]:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("HPCSIM_SHARD_INFO "):
            info: dict[str, object] = json.loads(line.split(" ", 1)[1])
            return info
    raise AssertionError(f"no shard report; stderr: {proc.stderr.read() if proc.stderr else ''}")


def test_auto_interface_binds_every_routable_address_and_reports_the_first(tmp_path: Path) -> None:
    addresses = routable_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 interface")
    port = free_port()
    proc = _shard(tmp_path, "--name", "s", "--port", str(port), "--interface", "auto")
    try:
        info = _report(proc)
        assert info["address"] == addresses[0]
        for address in addresses:
            assert redis.Redis(host=address, port=port).ping()
        with pytest.raises(redis.ConnectionError):
            redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2).ping()  # loopback not bound
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0  # SIGTERM is a clean shutdown
    assert not (tmp_path / ".hpcsim" / "s.shard.json").exists()


def test_ranked_name_comes_from_the_launcher_rank(tmp_path: Path) -> None:
    port = free_port()
    proc = _shard(tmp_path, "--name", "db", "--ranked", "--port", str(port), env={"PMIX_RANK": "4", "PATH": "/usr/bin"})
    try:
        assert _report(proc)["name"] == "db_4"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_ranked_without_a_rank_variable_says_which_it_reads(tmp_path: Path) -> None:
    proc = _shard(tmp_path, "--name", "db", "--ranked", "--port", "1", env={"PATH": "/usr/bin"})
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "SLURM_PROCID" in err and "PMIX_RANK" in err


def test_hostile_values_reach_redis_literally(tmp_path: Path) -> None:
    weird = tmp_path / "we ird $HOME 'q' \"dq\""
    exp = Experiment("hostile", exp_path=weird / "exp", launcher="local")
    db = exp.create_database(port=free_port(), syslog_ident=HOSTILE)
    exp.start(db)
    try:
        password = (weird / "exp" / ".hpcsim" / "db.secret").read_text().strip()
        host, port = db.get_address()[0].split(":")
        conn = redis.Redis(host=host, port=int(port), password=password)
        assert conn.config_get("syslog-ident")["syslog-ident"] == HOSTILE
        assert conn.config_get("dir")["dir"] == str(weird / "exp" / "orchestrator")
    finally:
        exp.stop(db)


def test_config_text_quotes_every_value() -> None:
    text = server_config("n", 1, ["127.0.0.1"], Path('/x "y"'), 'p"w\\', False, 1000, [("syslog-ident", "a\nb")])
    assert 'dir "/x \\"y\\""' in text
    assert 'requirepass "p\\"w\\\\"' in text
    assert text.splitlines()[-1] == 'syslog-ident "a\\nb"'  # the newline stays inside the value
    assert all(re.fullmatch(r"[a-z-]+ .+", line) for line in text.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db-cpus", "999"], "db_cpus=999, but a rank on"),
        (["--cpus", "0,998"], "custom_pinning names CPU(s) 998, but a rank on"),
    ],
)
def test_pinning_beyond_the_cpus_a_rank_may_use_is_refused_on_the_node(
    tmp_path: Path, args: list[str], message: str
) -> None:
    proc = _shard(tmp_path, "--name", "p", "--port", str(free_port()), *args)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert message in err and "may only use" in err


def test_a_unix_socket_held_by_a_live_server_is_refused(tmp_path: Path) -> None:
    sock = str(tmp_path / "db.sock")
    first = _shard(tmp_path / "a", "--name", "a", "--port", "0", "--unixsocket", sock)
    try:
        assert _report(first)["port"] == 0
        second = _shard(tmp_path / "b", "--name", "b", "--port", "0", "--unixsocket", sock)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 2
        assert f"unix socket {sock} on {socket.gethostname()} is in use by another server" in err
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_port_zero_without_a_socket_is_refused(tmp_path: Path) -> None:
    proc = _shard(tmp_path, "--name", "z", "--port", "0")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--port 0 needs --unixsocket" in err


def test_a_worker_that_cannot_start_stops_the_shard_with_its_reason(tmp_path: Path) -> None:
    proc = _shard(tmp_path, "--name", "w", "--port", str(free_port()), "--set", "intra-op-parallelism=many")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "invalid int value: 'many'" in err and "its inference worker did not start" in err


def test_worker_settings_go_to_the_worker_not_to_redis(tmp_path: Path) -> None:
    proc = _shard(tmp_path, "--name", "t", "--port", str(free_port()), "--set", "inter-op-parallelism=2")
    try:
        _report(proc)  # the worker starts beside the reported shard: wait until it serves
        ready = tmp_path / ".hpcsim" / "t.worker.json"
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        worker = json.loads(ready.read_text())
        argv = Path(f"/proc/{worker['pid']}/cmdline").read_bytes().split(b"\0")
        assert argv[argv.index(b"--inter-op") + 1] == b"2"
        assert "inter-op" not in (tmp_path / ".hpcsim" / "t.redis.conf").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
