"""``hpcsim db start|stop|ping|cli`` on this machine, as a batch script uses them: real
redis-server, the ``hpcsim`` executable of the venv as a subprocess (``start`` must return while
the database keeps running), and the printed variables eval'd by bash."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hpcsim import standalone_db
from hpcsim.cli.db import db
from hpcsim.errors import DatabaseError

from ..dbutil import free_port, refused

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "sbatch_db" / "app.py"
CONTRACT = ("HPCSIM_DB", "HPCSIM_DB_TYPE", "HPCSIM_DB_PASSWORD_FILE", "SSDB", "SR_DB_TYPE", "HPCSIM_DB_DIR")
#: no allocation, no database from the outside: these tests choose their own
_OUTSIDE = ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "HPCSIM_SITE", *CONTRACT)

Start = Callable[..., subprocess.CompletedProcess[str]]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OUTSIDE}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


def _hpcsim(*args: str | Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HPCSIM, *map(str, args)], cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=120
    )


def _in_bash(contract: str, command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``eval "$(hpcsim db start)"`` as a script does it, then ``command``."""
    script = f'eval "$CONTRACT" && {command}'
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=_env(CONTRACT=contract), capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def start() -> Iterator[Start]:
    """Runs ``hpcsim db start --dir DIR ...``; every database started is stopped at the end."""
    started: list[Path] = []

    def run(directory: Path, *args: str | int) -> subprocess.CompletedProcess[str]:
        started.append(directory)
        return _hpcsim("db", "start", "--dir", directory, *map(str, args), cwd=directory.parent)

    yield run
    for directory in started:
        with contextlib.suppress(DatabaseError):
            standalone_db.stop(directory)


def test_start_use_ping_cli_stop(start: Start, tmp_path: Path) -> None:
    directory, port = tmp_path / "db", free_port()
    started = start(directory, "--port", port)  # returns: nothing it leaves running holds its stdout
    assert started.returncode == 0, started.stderr
    contract = started.stdout
    assert contract.startswith("export HPCSIM_DB=") and contract.count("\n") == 1
    assert "database up in" in started.stderr

    used = _in_bash(contract, f"{sys.executable} {APP}", cwd=tmp_path)  # a real Client, from the contract
    assert used.returncode == 0, used.stderr
    assert used.stdout.endswith(f"sample_0 via 127.0.0.1:{port}: ok\n")

    pinged = _in_bash(contract, "hpcsim db ping", cwd=tmp_path)
    assert pinged.returncode == 0, pinged.stderr
    address, rtt, unit = pinged.stdout.split()
    assert (address, unit) == (f"127.0.0.1:{port}", "ms") and float(rtt) > 0
    alone = _in_bash(contract, "unset HPCSIM_DB_DIR && hpcsim db ping", cwd=tmp_path)  # the contract alone
    assert alone.returncode == 0 and alone.stdout.startswith(f"127.0.0.1:{port} "), alone.stderr

    pong = _in_bash(contract, "hpcsim db cli -- PING", cwd=tmp_path)
    assert (pong.returncode, pong.stdout) == (0, "PONG\n"), pong.stderr

    stopped = _in_bash(contract, "hpcsim db stop", cwd=tmp_path)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stderr == f"database in {directory} stopped\n"
    assert refused(f"127.0.0.1:{port}")

    unanswered = _in_bash(contract, "hpcsim db ping", cwd=tmp_path)
    assert unanswered.returncode == 1
    assert f"127.0.0.1:{port} does not answer" in unanswered.stderr

    again = _hpcsim("db", "stop", "--dir", directory)
    assert again.returncode == 2
    assert again.stderr.startswith(f"hpcsim: error: no database is running in {directory}; start one with")
    assert again.stderr.count("\n") == 1


def test_three_shards_form_a_redis_cluster(start: Start, tmp_path: Path) -> None:
    directory, port = tmp_path / "cluster", free_port(3)
    started = start(directory, "--shards", 3, "--port", port)
    assert started.returncode == 0, started.stderr
    addresses = ",".join(f"127.0.0.1:{port + i}" for i in range(3))
    values = _in_bash(started.stdout, "echo $HPCSIM_DB $HPCSIM_DB_TYPE $SR_DB_TYPE").stdout.split()
    assert values == [addresses, "cluster", "Clustered"]

    used = _in_bash(started.stdout, f"{sys.executable} {APP}")
    assert used.returncode == 0 and used.stdout.endswith(": ok\n"), used.stderr
    pinged = _hpcsim("db", "ping", "--dir", directory)
    assert pinged.returncode == 0, pinged.stderr
    assert [line.split()[0] for line in pinged.stdout.splitlines()] == addresses.split(",")
    info = _hpcsim("db", "cli", "--dir", directory, "--", "CLUSTER", "INFO")
    assert "cluster_state:ok" in info.stdout, info.stderr

    assert _hpcsim("db", "stop", "--dir", directory).returncode == 0
    assert all(refused(a) for a in addresses.split(","))


def test_a_second_start_in_one_directory_is_refused(start: Start, tmp_path: Path) -> None:
    directory, port = tmp_path / "db", free_port(2)
    assert start(directory, "--port", port).returncode == 0
    second = start(directory, "--port", port + 1)
    assert second.returncode == 2 and second.stdout == "false\n"  # so that `eval "$(...)"` fails too
    assert second.stderr.startswith(f"hpcsim: error: a database is already running in {directory} (127.0.0.1:{port})")
    assert "`hpcsim db stop --dir" in second.stderr and second.stderr.count("\n") == 1
    assert not refused(f"127.0.0.1:{port}") and refused(f"127.0.0.1:{port + 1}")

    script = f'set -e; eval "$(hpcsim db start --dir "$DB_DIR" --port {port + 1})"; echo reached'
    in_script = subprocess.run(
        ["bash", "-c", script], env=_env(DB_DIR=str(directory)), capture_output=True, text=True, timeout=120
    )
    assert in_script.returncode != 0 and "reached" not in in_script.stdout  # set -e stopped the script


def test_hostile_directory_names_survive_eval(start: Start, tmp_path: Path) -> None:
    directory = tmp_path / 'it\'s a "db" $(touch pwned) `touch pwned2` ;&| *'
    started = start(directory, "--port", free_port())
    assert started.returncode == 0, started.stderr
    printed = _in_bash(started.stdout, "printf '%s\\0' " + " ".join(f'"${name}"' for name in CONTRACT), tmp_path)
    values = dict(zip(CONTRACT, printed.stdout.split("\0")[:-1], strict=True))
    assert values["HPCSIM_DB_DIR"] == str(directory)
    assert values["HPCSIM_DB_PASSWORD_FILE"] == str(directory / ".hpcsim" / "db.app.secret")  # the app identity
    assert not list(tmp_path.glob("pwned*")) and not list(directory.parent.glob("pwned*"))
    pinged = _in_bash(started.stdout, "hpcsim db ping", cwd=tmp_path)
    assert pinged.returncode == 0, pinged.stderr


def test_json_contract_and_colocated_on_one_machine(tmp_path: Path) -> None:
    """--colocated without an allocation is one loopback shard; CliRunner is enough here."""
    directory, port = tmp_path / "colo", free_port()
    runner = CliRunner()
    env = {name: None for name in _OUTSIDE}
    started = runner.invoke(
        db, ["start", "--colocated", "--format", "json", "--dir", str(directory), "--port", str(port)], env=env
    )
    try:
        assert started.exit_code == 0, started.output
        contract = json.loads(started.stdout)
        assert list(contract) == list(CONTRACT)
        assert contract["HPCSIM_DB"] == contract["SSDB"] == f"127.0.0.1:{port}"
        assert contract["HPCSIM_DB_TYPE"] == "standalone"
        pinged = runner.invoke(db, ["ping", "--json", "--dir", str(directory)], env=env)
        assert pinged.exit_code == 0, pinged.output
        [answer] = json.loads(pinged.stdout)
        assert answer["address"] == f"127.0.0.1:{port}" and answer["ok"] and answer["ms"] > 0
    finally:
        stopped = runner.invoke(db, ["stop", "--dir", str(directory)], env=env)
    assert stopped.exit_code == 0, stopped.output
    assert refused(f"127.0.0.1:{port}")


def test_user_errors_say_what_to_do(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {name: None for name in _OUTSIDE}
    stopped = runner.invoke(db, ["stop", "--dir", str(tmp_path / "none")], env=env)
    assert isinstance(stopped.exception, DatabaseError)
    assert "hpcsim db start --dir" in str(stopped.exception)
    pinged = runner.invoke(db, ["ping", "--dir", str(tmp_path / "none")], env=env)
    assert isinstance(pinged.exception, DatabaseError)
    both = runner.invoke(db, ["start", "--colocated", "--shards", "3", "--dir", str(tmp_path / "x")], env=env)
    assert "leave out --shards" in str(both.exception)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("node1", "HPCSIM_DB: 'node1' is not host:port, tcp://host:port or unix:///path"),
        ("node1:6780;rm -rf x", "holds characters not allowed in database addresses"),
        (",", "HPCSIM_DB is empty"),
    ],
)
def test_a_malformed_hpcsim_db_is_named(tmp_path: Path, value: str, message: str) -> None:
    done = _hpcsim("db", "ping", cwd=tmp_path, HPCSIM_DB=value)
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: ") and message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["start", "stop", "ping", "cli"])
def test_every_command_has_help_with_examples(command: str) -> None:
    shown = CliRunner().invoke(db, [command, "--help"])
    assert shown.exit_code == 0
    assert "Example" in shown.stdout and "hpcsim db" in shown.stdout


def test_the_doc_shows_the_shipped_example_whole() -> None:
    doc = (ROOT / "docs" / "db-in-batch-scripts.md").read_text()
    for name in ("job.sh", "app.py"):
        assert (ROOT / "examples" / "sbatch_db" / name).read_text() in doc
