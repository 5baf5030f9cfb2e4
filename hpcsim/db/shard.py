"""``python -m hpcsim.db.shard``: run one database shard and report where it listens.

It resolves the addresses to bind, refuses a port that is already taken, writes a private
``redis.conf`` (mode 0600: it holds the admin password and defines the applications' ACL user,
:mod:`hpcsim.db.acl`), starts redis-server in the foreground as a child that dies with this
process, and waits until the server answers PING. Then it starts the inference worker beside
the server and reports ``HPCSIM_SHARD_INFO {json}`` on stdout and in
``<dir>/.hpcsim/<name>.shard.json``, which is what the Experiment waits for. Only with a
``--load`` manifest does the report wait until the worker has loaded it; otherwise the worker
starts in parallel (``"worker": "starting"``), and until it serves the shard keeps the worker's
heartbeat key alive in its stead, so a request sent meanwhile is queued and answered once the
worker is up. SIGTERM, SIGINT and SIGHUP shut the server down cleanly; the exit code is
redis-server's (0 after a clean shutdown).

It also keeps the inference worker beside the server alive: a worker that dies is restarted
after a backoff (``HPCSIM_WORKER_BACKOFF`` seconds, doubling up to 30 s), at most
``HPCSIM_WORKER_RESTARTS`` times in a row (default 5; a worker that then runs for a minute
earns the budget back). Each restart, and giving up, is logged on stderr, and the report file
says ``"worker": "starting"``, ``"up"``, ``"restarting"`` or ``"down"``. The server keeps
serving tensors either way. A first worker that ends before it ever served (a bad worker setting)
stops the shard, with its reason.

Only the standard library is imported, so a shard starts in a few tens of milliseconds.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from hpcsim._atomic import write_atomic
from hpcsim.db.acl import app_user_rules
from hpcsim.db.colocation import pin, ranks_alive
from hpcsim.db.netif import interface_address, routable_addresses
from hpcsim.db.options import WORKER_SETTINGS
from hpcsim.db.secret import Credential, read_credential, read_secret
from hpcsim.errors import DatabaseError

__all__ = ["main", "rank_from_env", "server_config"]

#: launcher variables that carry a task's rank, in the order they are trusted
RANK_VARIABLES = (
    "SLURM_PROCID",
    "PMIX_RANK",
    "OMPI_COMM_WORLD_RANK",
    "PMI_RANK",
    "PALS_RANKID",
    "JSM_NAMESPACE_RANK",
)
#: large enough for tensors of several GiB (Redis' defaults cap a value at 512 MiB)
BULK_LIMIT = "4gb"
_PR_SET_PDEATHSIG = 1
#: seconds between two looks at the server, the worker and (colocated) the ranks
_TICK = 0.25
#: a restarted worker that runs this long has its restart budget back
_STABLE_AFTER = 60.0
#: the longest wait before a restart
_MAX_BACKOFF = 30.0
#: ``hpcsim.dataplane.protocol.heartbeat_key("")`` and ``HEARTBEAT_MS`` (that module needs redis)
_HEARTBEAT_KEY = "__hpcsim.ai.worker"
_HEARTBEAT_MS = 3000


def rank_from_env(env: dict[str, str] | os._Environ[str]) -> int:
    for name in RANK_VARIABLES:
        value = env.get(name, "")
        if value.isdigit():
            return int(value)
    raise SystemExit(f"hpcsim.db.shard: --ranked needs a launcher rank variable ({', '.join(RANK_VARIABLES)})")


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def server_config(
    name: str,
    port: int,
    binds: Sequence[str],
    directory: Path,
    password: str | None,
    cluster: bool,
    node_timeout: int,
    extra: Sequence[tuple[str, str]],
    unix_socket: str = "",
    socket_perm: str = "",
    app: Credential | None = None,
) -> str:
    """The redis.conf text for one shard; every value is quoted for Redis' config parser.
    ``password`` is the admin's (``requirepass``, and ``masterauth`` for replication); ``app``
    the applications' ACL user (:mod:`hpcsim.db.acl`)."""
    hidden = directory / ".hpcsim"
    lines = [
        ("port", str(port)),
        ("bind", " ".join(_quote(b) for b in binds)),
        ("protected-mode", "no"),
        ("daemonize", "no"),
        ("logfile", '""'),
        ("dir", _quote(str(directory))),
        ("dbfilename", _quote(f"{name}.rdb")),
        ("appendfilename", _quote(f"{name}.aof")),
        ("save", '""'),
        ("appendonly", "no"),
        ("proto-max-bulk-len", BULK_LIMIT),
        ("client-query-buffer-limit", BULK_LIMIT),
    ]
    if password is not None:
        lines += [("requirepass", _quote(password)), ("masterauth", _quote(password))]
    if app is not None:
        lines.append(("user", " ".join(_quote(rule) for rule in app_user_rules(app.password))))
    if unix_socket:
        lines += [("unixsocket", _quote(unix_socket)), ("unixsocketperm", socket_perm or "700")]
    if cluster:
        lines += [
            ("cluster-enabled", "yes"),
            ("cluster-config-file", _quote(str(hidden / f"nodes-{name}-{port}.conf"))),
            ("cluster-node-timeout", str(node_timeout)),
        ]
    lines += [(key, _quote(value)) for key, value in extra]
    return "".join(f"{key} {value}\n" for key, value in lines)


def _port_taken(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return True
    return False


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _connect(address: str, port: int) -> socket.socket:
    """A connection to the server: TCP, or its Unix socket when ``port`` is 0."""
    if port:
        return socket.create_connection((address, port), timeout=1)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1)
    try:
        sock.connect(address)
    except OSError:
        sock.close()
        raise
    return sock


def _ask(address: str, port: int, password: str | None, command: bytes, answer: bytes) -> bool:
    """Whether the server answers ``command`` (after AUTH) with the simple string ``answer``."""
    request = command if password is None else _encode(b"AUTH", password.encode()) + command
    expected = (b"" if password is None else b"+OK\r\n") + answer + b"\r\n"
    try:
        with _connect(address, port) as sock:
            sock.sendall(request)
            reply = b""
            while len(reply) < len(expected) and b"-" not in reply:  # an error line starts with "-"
                chunk = sock.recv(4096)
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    return reply == expected


def _pong(address: str, port: int, password: str | None) -> bool:
    return _ask(address, port, password, b"PING\r\n", b"+PONG")


def _encode(*words: bytes) -> bytes:
    """One command in Redis' protocol."""
    return b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(word), word) for word in words)


def _stand_in(target: tuple[str, int], password: str | None, host: str, pid: int) -> Callable[[], None]:
    """Keeps the worker's heartbeat key alive for a standalone server while its worker ``pid``
    starts: requests are queued only while the key exists, and the worker serves them once up."""
    beat = json.dumps({"host": host, "pid": pid, "starting": True}).encode()
    command = _encode(b"SET", _HEARTBEAT_KEY.encode(), beat, b"PX", b"%d" % _HEARTBEAT_MS)

    def refresh() -> None:  # a server that does not answer now is looked at again next tick
        _ask(target[0], target[1], password, command, b"+OK")

    return refresh


def _binds(interfaces: Sequence[str]) -> list[str]:
    if list(interfaces) != ["auto"]:
        return [interface_address(i) for i in interfaces]
    found = routable_addresses()
    if not found:
        raise ValueError(f"no interface of {socket.gethostname()} has a non-loopback IPv4 address")
    return found


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m hpcsim.db.shard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", required=True, help="shard name (with --ranked, _<rank> is appended)")
    parser.add_argument("--ranked", action="store_true", help="append the launcher's task rank to the name")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--interface",
        action="append",
        default=[],
        help="interface to bind (repeatable; default lo; 'auto': every non-loopback IPv4 interface)",
    )
    parser.add_argument("--dir", type=Path, required=True, help="database directory (logs, dumps, state)")
    parser.add_argument("--server", required=True, help="path of redis-server")
    parser.add_argument("--password-file", type=Path, help="file holding the admin (requirepass) password")
    parser.add_argument("--app-password-file", type=Path, help="file holding the applications' ACL user")
    parser.add_argument("--cluster", action="store_true", help="start in cluster mode")
    parser.add_argument("--node-timeout", type=int, default=1000, help="cluster-node-timeout in ms")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="extra server option")
    parser.add_argument("--ready-timeout", type=float, default=60.0, help="seconds to wait for PING")
    parser.add_argument("--unixsocket", default="", help="listen on this Unix socket (with --port 0: only there)")
    parser.add_argument("--unixsocketperm", default="700", help="octal permissions of the Unix socket")
    parser.add_argument("--db-cpus", type=int, default=0, help="pin the server to the first N CPUs allowed here")
    parser.add_argument("--cpus", default="", help="pin the server to these CPU ids (comma-separated)")
    parser.add_argument("--colocated", type=Path, help="exit once every rank pid listed in this directory is gone")
    parser.add_argument("--report", type=Path, help="write the address clients use to this file when ready")
    parser.add_argument("--load", type=Path, help="manifest of models and scripts the worker loads before ready")

    return parser.parse_args(argv)


def _listening(args: argparse.Namespace, host: str) -> tuple[list[str], str]:
    """The addresses to bind and the one clients use; ValueError says why not."""
    if not args.port and not args.unixsocket:
        raise ValueError("--port 0 needs --unixsocket")
    binds = _binds(args.interface or ["lo"])
    if args.port:
        taken = [b for b in binds if _port_taken(b, args.port)]
        if taken:
            raise ValueError(
                f"port {args.port} is already in use on {host} ({taken[0]}); "
                "choose another port or stop the server that holds it"
            )
    if args.unixsocket:
        try:
            _connect(args.unixsocket, 0).close()
        except OSError:
            pass
        else:
            raise ValueError(f"unix socket {args.unixsocket} on {host} is in use by another server")
        if not Path(args.unixsocket).parent.is_dir():
            raise ValueError(f"unix socket {args.unixsocket}: directory {Path(args.unixsocket).parent} does not exist")
    return binds, f"{binds[0]}:{args.port}" if args.port else f"unix://{args.unixsocket}"


def _restart_policy(env: dict[str, str] | os._Environ[str]) -> tuple[int, float]:
    """(restarts allowed in a row, first backoff in seconds) from the environment."""
    raw_restarts = env.get("HPCSIM_WORKER_RESTARTS", "5")
    raw_backoff = env.get("HPCSIM_WORKER_BACKOFF", "0.5")
    try:
        restarts = int(raw_restarts)
        backoff = float(raw_backoff)
    except ValueError:
        restarts, backoff = -1, -1.0
    if restarts < 0 or not 0 <= backoff <= _MAX_BACKOFF:
        raise ValueError(
            f"HPCSIM_WORKER_RESTARTS={raw_restarts!r} / HPCSIM_WORKER_BACKOFF={raw_backoff!r}: give a whole "
            f"number of restarts >= 0 and a backoff of 0 to {_MAX_BACKOFF:g} seconds"
        )
    return restarts, backoff


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _no_stand_in() -> None:
    """A cluster shard's worker needs the formed cluster; the Experiment waits for it."""


class _WorkerKeeper:
    """Watches the inference worker start (standing in for its heartbeat meanwhile), and
    restarts it when it dies: after a doubling backoff, at most ``restarts`` times in a row;
    each step is logged and written to the shard's report."""

    def __init__(
        self,
        name: str,
        start: Callable[[], subprocess.Popen[bytes]],
        worker: subprocess.Popen[bytes],
        report: Callable[[dict[str, object]], None],
        policy: tuple[int, float, float],
        stand_in: Callable[[int], Callable[[], None]] | None,
    ) -> None:
        self.name = name
        self.worker = worker
        self._start = start
        self._report = report
        self._restarts, self._backoff, self._start_timeout = policy
        self._stand_in = stand_in
        self._failures = 0
        self._since = time.monotonic()
        self._retry_at: float | None = None
        self._starting = self._standing_in()
        self.up = False
        self.served = False
        self.down = False
        self.failed = False
        self._starting()

    def state(self) -> dict[str, object]:
        status = (
            "down" if self.down else "restarting" if self._retry_at is not None else "up" if self.up else "starting"
        )
        return {"worker": status, "worker_pid": self.worker.pid, "worker_restarts": self._failures}

    def _standing_in(self) -> Callable[[], None]:
        return self._stand_in(self.worker.pid) if self._stand_in is not None else _no_stand_in

    def wait_ready(self, timeout: float) -> bool:
        """Whether the worker says it serves within ``timeout`` seconds (False if it exits)."""
        self.up = _worker_ready(self.worker, timeout)
        self.served = self.up
        return self.up

    def _look(self, now: float) -> None:
        """A starting worker: note when it says it serves; beside a standalone server, keep
        its heartbeat meanwhile, and kill it if it takes longer than the start timeout (a
        cluster shard's worker waits for the cluster, which takes what it takes)."""
        if _worker_ready(self.worker, 0):
            self.up = self.served = True
            self._report(self.state())
        elif self._stand_in is not None and now - self._since > self._start_timeout:
            self._log(f"inference worker (pid {self.worker.pid}) did not start within {self._start_timeout:g}s")
            self.worker.kill()
        else:
            self._starting()

    def _log(self, message: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{stamp} hpcsim.db.shard {self.name}: {message}", file=sys.stderr, flush=True)

    def check(self, stopping: bool) -> None:
        if self.down or self.failed or stopping:
            return
        now = time.monotonic()
        code = self.worker.poll()
        if code is None:
            if not self.up:
                self._look(now)
            elif self._failures and now - self._since > _STABLE_AFTER:
                self._failures = 0
            return
        self.served = self.served or (not self.up and _worker_ready(self.worker, 0))  # it said so, then died
        self.up = False
        if not self.served:
            self._log(f"its inference worker did not start (it {_how(code)}); stopping")
            self.failed = True
            return
        if self._retry_at is None:
            if self._failures >= self._restarts:
                self.down = True
                self._log(
                    f"inference worker (pid {self.worker.pid}) {_how(code)}; gave up after {self._failures} "
                    "restart(s) (HPCSIM_WORKER_RESTARTS): run_model and run_script fail on this server until "
                    "the database is restarted; tensors are still served"
                )
                self._report(self.state())
                return
            delay = min(self._backoff * 2**self._failures, _MAX_BACKOFF)
            self._retry_at = now + delay
            self._log(
                f"inference worker (pid {self.worker.pid}) {_how(code)}; restarting it in {delay:g}s "
                f"(restart {self._failures + 1} of {self._restarts})"
            )
            self._report(self.state())
            return
        if now < self._retry_at:
            return
        if self.worker.stdout is not None:
            self.worker.stdout.close()
        self._failures += 1
        self._retry_at = None
        self._since = now
        self.worker = self._start()
        self._starting = self._standing_in()
        self._starting()
        self._log(f"inference worker restarted (pid {self.worker.pid})")
        self._report(self.state())

    def stop(self) -> None:
        if self.worker.poll() is None:
            self.worker.terminate()
        self.worker.wait()


def _serve(server: subprocess.Popen[bytes], colocated: Path | None, keeper: _WorkerKeeper, stopping: list[int]) -> int:
    """Wait for the server, restarting its worker when that dies; with ``colocated``, stop
    the server once every registered rank is gone."""
    while True:
        try:
            code = server.wait(timeout=_TICK)
        except subprocess.TimeoutExpired:
            if colocated is not None and not ranks_alive(colocated):
                server.terminate()
            keeper.check(bool(stopping))
            if keeper.failed and server.poll() is None:
                server.terminate()
            continue
        if colocated is not None and not ranks_alive(colocated):
            shutil.rmtree(colocated.parent, ignore_errors=True)  # the ranks' node state, left behind
        return 1 if keeper.failed else code


class _Refused(Exception):
    """The shard cannot start: the message says why (printed, exit code 2)."""


@dataclass(frozen=True)
class _Plan:
    """What one shard runs, checked before anything starts."""

    name: str
    host: str
    binds: list[str]
    client: str
    password: str | None
    app: Credential | None
    restarts: int
    backoff: float
    extra: list[tuple[str, str]]
    worker_args: list[str]


def _plan(args: argparse.Namespace, name: str) -> _Plan:
    host = socket.gethostname()
    try:
        restarts, backoff = _restart_policy(os.environ)
        binds, client = _listening(args, host)
        pin(args.db_cpus, [int(c) for c in args.cpus.split(",") if c], host)
        password = read_secret(args.password_file) if args.password_file else None
        app = _app_credential(args.app_password_file)
    except (ValueError, OSError, DatabaseError) as exc:
        raise _Refused(str(exc)) from None
    settings = [(key, value) for key, _, value in (item.partition("=") for item in args.set)]
    extra = [(key, value) for key, value in settings if key not in WORKER_SETTINGS]
    worker_args = [arg for key, value in settings if WORKER_SETTINGS.get(key) for arg in (WORKER_SETTINGS[key], value)]
    return _Plan(name, host, binds, client, password, app, restarts, backoff, extra, worker_args)


def _write_config(args: argparse.Namespace, plan: _Plan, hidden: Path) -> Path:
    """The shard's redis.conf, after clearing what an earlier run of it left."""
    hidden.mkdir(parents=True, exist_ok=True)
    conf = hidden / f"{plan.name}.redis.conf"
    (hidden / f"{plan.name}.shard.json").unlink(missing_ok=True)
    (hidden / f"nodes-{plan.name}-{args.port}.conf").unlink(missing_ok=True)
    text = server_config(
        plan.name,
        args.port,
        plan.binds,
        args.dir,
        plan.password,
        args.cluster,
        args.node_timeout,
        plan.extra,
        args.unixsocket,
        args.unixsocketperm,
        plan.app,
    )
    # it holds the password: a fresh 0600 file, never whatever a planted symlink points at
    conf.unlink(missing_ok=True)
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return conf


def _await_server(
    server: subprocess.Popen[bytes], target: tuple[str, int], plan: _Plan, timeout: float, stopping: list[int]
) -> int | None:
    """None once the server answers PING; else the exit code to end with (it was stopped)."""
    started = time.monotonic()
    deadline = started + timeout
    delay = 0.001
    while not _pong(target[0], target[1], plan.password):
        if server.poll() is not None or stopping:
            print(f"hpcsim.db.shard {plan.name}: redis-server exited before answering PING", file=sys.stderr)
            return server.wait() or 1
        if time.monotonic() > deadline:
            print(f"hpcsim.db.shard {plan.name}: no PING reply within {timeout:g}s; stopping", file=sys.stderr)
            server.terminate()
            server.wait()
            return 1
        time.sleep(delay)
        delay = min(delay * 1.5, 0.01 if time.monotonic() - started < 1 else 0.05)  # redis starts in ~10 ms
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    name = f"{args.name}_{rank_from_env(os.environ)}" if args.ranked else args.name
    try:
        plan = _plan(args, name)
    except _Refused as exc:
        print(f"hpcsim.db.shard {name}: {exc}", file=sys.stderr)
        return 2
    hidden = args.dir / ".hpcsim"
    conf = _write_config(args, plan, hidden)
    server = subprocess.Popen([args.server, str(conf)], preexec_fn=_die_with_parent)
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    target = (plan.binds[0], args.port) if args.port else (args.unixsocket, 0)
    failed = _await_server(server, target, plan, args.ready_timeout, stopping)
    if failed is not None:
        return failed
    return _run(args, plan, server, target, hidden / f"{name}.shard.json", stopping)


def _run(
    args: argparse.Namespace,
    plan: _Plan,
    server: subprocess.Popen[bytes],
    target: tuple[str, int],
    info_file: Path,
    stopping: list[int],
) -> int:
    """Start the inference worker, report the shard (once the worker has loaded the ``--load``
    manifest, if any), and serve until the server ends."""
    info: dict[str, object] = {"name": plan.name, "host": plan.host, "address": target[0], "port": args.port}
    info.update(pid=server.pid, cluster=args.cluster)

    def report(state: dict[str, object]) -> None:
        info.update(state)
        write_atomic(info_file, json.dumps(info))

    def restart() -> subprocess.Popen[bytes]:
        return _start_worker(args, plan.name, plan.client, plan.worker_args)

    def stand_in(pid: int) -> Callable[[], None]:
        return _stand_in(target, plan.password, plan.host, pid)

    policy = (plan.restarts, plan.backoff, args.ready_timeout)
    keeper = _WorkerKeeper(plan.name, restart, restart(), report, policy, None if args.cluster else stand_in)
    if args.load is not None and not args.cluster and not keeper.wait_ready(args.ready_timeout):
        print(f"hpcsim.db.shard {plan.name}: its inference worker did not start; stopping", file=sys.stderr)
        keeper.worker.kill()
        server.terminate()
        server.wait()
        return 1
    info.update(keeper.state())
    print(f"HPCSIM_SHARD_INFO {json.dumps(info)}", flush=True)  # before the file the Experiment waits for
    report(keeper.state())
    if args.report is not None:
        write_atomic(args.report, plan.client)
    code = _serve(server, args.colocated, keeper, stopping)
    keeper.stop()
    info_file.unlink(missing_ok=True)
    return code


def _app_credential(path: Path | None) -> Credential | None:
    """The applications' user from ``--app-password-file`` (``USERNAME PASSWORD``)."""
    if path is None:
        return None
    credential = read_credential(path)
    if credential.username is None:
        raise DatabaseError(f"--app-password-file {path} must hold USERNAME PASSWORD, not a password alone")
    return credential


def _start_worker(args: argparse.Namespace, name: str, address: str, extra: Sequence[str]) -> subprocess.Popen[bytes]:
    """The inference worker (``python -m hpcsim.ml.serve``) for this server; it dies with us."""
    argv = [sys.executable, "-m", "hpcsim.ml.serve", "--address", address, "--name", name, "--dir", str(args.dir)]
    if args.password_file:
        argv += ["--password-file", str(args.password_file)]
    if args.cluster:
        argv.append("--cluster")
    if args.load:
        argv += ["--load", str(args.load)]
    return subprocess.Popen(
        [*argv, *extra], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
    )


def _worker_ready(worker: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether the worker says it is ready within ``timeout`` seconds (False if it exits or
    has not said so yet)."""
    if worker.stdout is None:
        return False
    ready, _, _ = select.select([worker.stdout], [], [], timeout)
    return bool(ready) and worker.stdout.readline().strip() == b"HPCSIM_WORKER_READY"


if __name__ == "__main__":
    sys.exit(main())
