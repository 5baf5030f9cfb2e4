"""Database start-to-ready: hpcsim's Orchestrator against bare redis-server, side by side.

single: ``Experiment(...)``, ``create_database`` and ``exp.start(db)`` of a 1-shard local
database (until it returns: the shard answered PING and is recorded) against ``redis-server
<conf>`` started with ``subprocess.Popen`` and PINGed (AUTH first, as hpcsim's shards require
a password) until it answers. Goal: a median of at most 0.15 s. ``interpreter_floor_s``
(context) is the time to start Python and import the shard entrypoint, which every shard pays
before redis-server even starts; ``smartsim_published_s`` (context) is SmartSim's fastest
published start of a database, a constant quoted here, not measured.

cluster: ``exp.start(db)`` of a 3-shard local database against 3 bare ``redis-server``
processes in cluster mode, ``redis-cli --cluster create`` and waiting for every shard to say
``cluster_state:ok`` (the same steps as the project's test-cluster recipe). Target: 1.2x.
Both sides use ``cluster-node-timeout 1000``; Redis keeps a new cluster master failing for
about 2 s after it starts, which dominates both.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/db_start.py --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSWORD = "bench-password"
#: SmartSim's fastest published database start (its fastest configuration), quoted, not measured
SMARTSIM_PUBLISHED_S = 0.65
#: hpcsim's goal for a 1-shard start to ready, in seconds (median)
SINGLE_GOAL_S = 0.15


def log(message: str) -> None:
    print(f"[db_start bench] {message}", file=sys.stderr, flush=True)


def free_ports(count: int) -> int:
    """A base port p with p..p+count-1 and their cluster-bus ports (+10000) free."""
    for _ in range(500):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1]) % 45000 + 10000
        wanted = [p for start in (base, base + 10000) for p in range(start, start + count)]
        try:
            for port in wanted:
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free port range")


def _auth_ping(port: int) -> bool:
    request = b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\nPING\r\n" % (len(PASSWORD), PASSWORD.encode())
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(request)
            reply = b""
            while b"PONG" not in reply:
                chunk = sock.recv(256)
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    return True


def _bare_server(server: Path, port: int, workdir: Path, cluster: bool) -> subprocess.Popen[bytes]:
    conf = workdir / f"{port}.conf"
    lines = [f"port {port}", "bind 127.0.0.1", 'save ""', "appendonly no", f"dir {workdir}", f"requirepass {PASSWORD}"]
    if cluster:
        lines += ["cluster-enabled yes", f"cluster-config-file nodes-{port}.conf", "cluster-node-timeout 1000"]
    conf.write_text("\n".join(lines) + "\n")
    return subprocess.Popen([str(server), str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ping(ports: list[int]) -> None:
    for port in ports:
        delay = 0.002
        while not _auth_ping(port):
            time.sleep(delay)
            delay = min(delay * 1.5, 0.05)


def _cluster_ok(cli: Path, port: int) -> bool:
    done = subprocess.run(
        [str(cli), "-p", str(port), "cluster", "info"],
        capture_output=True,
        text=True,
        env={**os.environ, "REDISCLI_AUTH": PASSWORD},
        check=False,
    )
    return "cluster_state:ok" in done.stdout


def bare_once(server: Path, cli: Path, shards: int, workdir: Path) -> float:
    base = free_ports(shards)
    ports = [base + i for i in range(shards)]
    start = time.perf_counter()
    procs = [_bare_server(server, port, workdir, shards > 1) for port in ports]
    try:
        _wait_ping(ports)
        if shards > 1:
            addresses = [f"127.0.0.1:{p}" for p in ports]
            subprocess.run(
                [str(cli), "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
                capture_output=True,
                env={**os.environ, "REDISCLI_AUTH": PASSWORD},
                check=True,
            )
            for port in ports:
                while not _cluster_ok(cli, port):
                    time.sleep(0.02)
        return time.perf_counter() - start
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()


def hpcsim_once(shards: int, workdir: Path) -> float:
    from hpcsim import Experiment

    port = free_ports(shards)
    start = time.perf_counter()
    exp = Experiment("bench", exp_path=workdir / "exp", launcher="local")
    db = exp.create_database(port=port, db_nodes=shards)
    exp.start(db)
    elapsed = time.perf_counter() - start
    if not db.is_active():
        raise RuntimeError("hpcsim's database is not active after start")
    exp.stop(db)
    return elapsed


def interpreter_floor_once() -> float:
    """Start ``python -c "import hpcsim.db.shard"`` and wait: what any Python shard pays first."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import hpcsim.db.shard"], check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side (default 5)")
    parser.add_argument("--dir", default=None, help="parent of the temporary directories")
    args = parser.parse_args(argv)
    os.environ["HPCSIM_LOG_LEVEL"] = "WARNING"
    import hpcsim
    from hpcsim.db.discovery import find_redis_cli, find_redis_server

    server = find_redis_server()
    cli = find_redis_cli(server)
    names = ("single_hpcsim", "single_bare", "cluster_hpcsim", "cluster_bare", "interpreter_floor")
    runs: dict[str, list[float]] = {k: [] for k in names}
    for index in range(args.repeat):
        runs["interpreter_floor"].append(interpreter_floor_once())
        for shards, name in ((1, "single"), (3, "cluster")):
            for side in ("bare", "hpcsim"):
                workdir = Path(tempfile.mkdtemp(prefix="hpcsim-bench-db-", dir=args.dir))
                try:
                    elapsed = (
                        bare_once(server, cli, shards, workdir) if side == "bare" else hpcsim_once(shards, workdir)
                    )
                finally:
                    shutil.rmtree(workdir, ignore_errors=True)
                runs[f"{name}_{side}"].append(elapsed)
        log(f"repeat {index + 1}/{args.repeat}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in runs.items()))
    med = {key: statistics.median(values) for key, values in runs.items()}
    single_ratio = med["single_hpcsim"] / med["single_bare"]
    cluster_ratio = med["cluster_hpcsim"] / med["cluster_bare"]
    print(
        json.dumps(
            {
                "benchmark": "db_start",
                "repeat": args.repeat,
                "single": {
                    "hpcsim_s": round(med["single_hpcsim"], 4),
                    "bare_s": round(med["single_bare"], 4),
                    "ratio": round(single_ratio, 3),
                    "goal_s": SINGLE_GOAL_S,
                    "within_goal": med["single_hpcsim"] <= SINGLE_GOAL_S,
                    "interpreter_floor_s": round(med["interpreter_floor"], 4),
                    "smartsim_published_s": SMARTSIM_PUBLISHED_S,
                    "smartsim_published_note": "SmartSim's fastest published figure, quoted, not measured here",
                },
                "cluster3": {
                    "hpcsim_s": round(med["cluster_hpcsim"], 4),
                    "bare_s": round(med["cluster_bare"], 4),
                    "ratio": round(cluster_ratio, 3),
                    "target_ratio": 1.2,
                    "within_target": cluster_ratio <= 1.2,
                },
                "runs": {key: [round(v, 4) for v in values] for key, values in runs.items()},
                "redis_server": str(server),
                "redis_version": subprocess.run(
                    [str(server), "--version"], capture_output=True, text=True, check=False
                ).stdout.split()[2],
                "tmp_parent": args.dir or tempfile.gettempdir(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "hpcsim_version": getattr(hpcsim, "__version__", "unknown"),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
