"""Durable puts from C: with ``HPCSIM_DURABLE=N`` the C client follows every write (the Python
client's WRITES: SET, DEL, RENAME, COPY, RPUSH, HSET, ...) with ``WAIT N timeout`` on the same
connection, as hpcsim/client/connection.py does, and fails a write that fewer replicas
acknowledge with SRRuntimeError saying how many did, within what timeout.

The replicated database is a real one: a 3-primary Redis Cluster with one replica each, started
on loopback by an Experiment (local launcher) once for this module and stopped by it at the end.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.db.secret import app_secret_path
from tests.client.conftest import Database
from tests.dbutil import free_port
from tests.native.conftest import db_env, run_native

PROGRAMS = Path(__file__).resolve().parent / "programs"
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
SR_RUNTIME_ERROR = 4
SR_PARAMETER_ERROR = 5
TENSORS = 500
#: the writes `durable_app each` makes, in order
WRITES = ["put_tensor", "put_dataset", "append_to_list", "copy_tensor", "rename_tensor", "delete_tensor", "log_metric"]
_DURABLE = ("HPCSIM_DURABLE", "HPCSIM_DURABLE_TIMEOUT")


@pytest.fixture
def program(compile_program: Callable[..., Path]) -> Path:
    return compile_program(PROGRAMS / "durable_app.c", "c", extra=STRICT)


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A running cluster of 3 primaries with a replica each, as its applications see it (the
    application identity's credential file); stopped at the end by the Experiment that started it."""
    exp = Experiment("durable", exp_path=tmp_path_factory.mktemp("durable") / "exp", launcher="local")
    db = exp.create_database(port=free_port(6), db_nodes=3, interface="lo", replicas=1)
    try:
        exp.start(db)
        addresses = db.get_address()
        assert len(addresses) == 6 and all(a.startswith("127.0.0.1:") for a in addresses), addresses
        yield {
            "HPCSIM_DB": ",".join(addresses),
            "HPCSIM_DB_TYPE": "cluster",
            "HPCSIM_DB_PASSWORD_FILE": str(app_secret_path(exp.exp_path / ".hpcsim" / "db.secret")),
        }
    finally:
        exp.stop(db)


def _env(database: dict[str, str], **settings: str) -> dict[str, str]:
    """The program's environment: this process's without durable settings or suffixed ones,
    then the database's and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DURABLE)}
    env = {k: v for k, v in env.items() if not k.startswith(("HPCSIM_DB", "SSDB", "SR_DB_TYPE"))}
    env.update(database)
    env.update(settings)
    return env


def _error(stdout: str) -> tuple[int, str]:
    match = re.search(r"^error (\d+) (.*)$", stdout, re.M)
    assert match, stdout
    return int(match.group(1)), match.group(2)


def _writes(stdout: str) -> dict[str, tuple[int, str]]:
    found = {m.group(1): (int(m.group(2)), m.group(3)) for m in re.finditer(r"^write (\S+) (\d+) ?(.*)$", stdout, re.M)}
    assert list(found) == WRITES, stdout
    return found


def test_durable_puts_to_a_replicated_cluster_all_come_back(program: Path, replicated: dict[str, str]) -> None:
    """Every write (tensors, a dataset, a list, copy, rename, delete) waits for a replica and
    succeeds; every tensor reads back exactly."""
    done = run_native(program, _env(replicated, HPCSIM_DURABLE="1"), "roundtrip", str(TENSORS), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Durable puts: WAIT for 1 replica(s), 10 s", lines[0]  # default: HPCSIM_CMD_TIMEOUT
    assert f"ok put {TENSORS}" in lines and f"ok verified {TENSORS}" in lines, done.stdout


def test_more_replicas_than_exist_fail_every_write_saying_how_many_acknowledged(
    program: Path, replicated: dict[str, str]
) -> None:
    env = _env(replicated, HPCSIM_DURABLE="2", HPCSIM_DURABLE_TIMEOUT="0.2")  # each primary has one replica
    done = run_native(program, env, "each", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Durable puts: WAIT for 2 replica(s), 0.2 s\n"), done.stdout
    expected = re.compile(
        r"durable put not acknowledged by the database at (127\.0\.0\.1:\d+): replicas that acknowledged within "
        r"HPCSIM_DURABLE_TIMEOUT=0\.2 s: [01] of 2; the write may be on the server but is not known to be replicated "
        r"\(does this shard have a live replica\?\)$"
    )
    primaries = replicated["HPCSIM_DB"].split(",")[:3]  # an Experiment lists the primaries first
    for name, (code, message) in _writes(done.stdout).items():
        assert code == SR_RUNTIME_ERROR, f"{name}: {code} {message}"
        found = expected.search(message)
        assert found, f"{name}: {message}"
        assert found.group(1) in primaries, message  # WAIT went to the primary that took the write
    assert "SET 'e.tensor': durable put not acknowledged" in done.stdout
    # the write is applied on the primary, only not known to be replicated; reads are unchanged
    assert re.search(r"^read 0 same$", done.stdout, re.M), done.stdout


def test_durable_off_and_an_override_wins_over_the_environment(program: Path, replicated: dict[str, str]) -> None:
    env = _env(replicated, HPCSIM_DURABLE="2", HPCSIM_DURABLE_TIMEOUT="0.2")
    done = run_native(program, env, "-o", "0", "roundtrip", "20", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Durable puts: off\n") and "ok verified 20" in done.stdout, done.stdout
    done = run_native(program, _env(replicated), "roundtrip", "20", timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("Durable puts: off\n"), done.stdout + done.stderr


def test_a_suffixed_database_reads_its_own_durability_then_the_plain_one(
    program: Path, replicated: dict[str, str]
) -> None:
    suffixed = {f"{name}_aux": value for name, value in replicated.items()}
    env = _env(suffixed, HPCSIM_DURABLE="1", HPCSIM_DURABLE_aux="2", HPCSIM_DURABLE_TIMEOUT="0.3")
    done = run_native(program, env, "-s", "aux", "each", timeout=120)
    assert done.stdout.startswith("Durable puts: WAIT for 2 replica(s), 0.3 s\n"), done.stdout + done.stderr
    code, message = _writes(done.stdout)["put_tensor"]
    # the one replica may answer WAIT late on a loaded machine: 0 or 1 of 2, never 2
    assert code == SR_RUNTIME_ERROR and re.search(r"within HPCSIM_DURABLE_TIMEOUT=0\.3 s: [01] of 2", message), message
    env = _env(suffixed, HPCSIM_DURABLE="1", HPCSIM_DURABLE_TIMEOUT_aux="4")
    done = run_native(program, env, "-s", "aux", "roundtrip", "20", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Durable puts: WAIT for 1 replica(s), 4 s\n"), done.stdout


def test_a_standalone_server_without_replicas_fails_durable_puts(program: Path, standalone: Database) -> None:
    """WAIT goes to the standalone server too: it has no replica, so 0 of 1 acknowledged."""
    env = db_env(standalone, extra={"HPCSIM_DURABLE": "1", "HPCSIM_DURABLE_TIMEOUT": "0.1"})
    done = run_native(program, env, "each", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    for name, (code, message) in _writes(done.stdout).items():
        assert code == SR_RUNTIME_ERROR, f"{name}: {code} {message}"
        assert f"durable put not acknowledged by the database at {standalone.servers[0].address}" in message
        assert "within HPCSIM_DURABLE_TIMEOUT=0.1 s: 0 of 1;" in message, message
    assert re.search(r"^read 0 same$", done.stdout, re.M), done.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HPCSIM_DURABLE", "abc", "HPCSIM_DURABLE='abc' must be a whole number of replicas >= 0 (0: durable puts off)"),
        ("HPCSIM_DURABLE", "-1", "HPCSIM_DURABLE='-1' must be a whole number of replicas >= 0"),
        ("HPCSIM_DURABLE", "1.5", "HPCSIM_DURABLE='1.5' must be a whole number of replicas >= 0"),
        ("HPCSIM_DURABLE", "99999999999999999999", "HPCSIM_DURABLE='99999999999999999999' must be a whole number"),
        ("HPCSIM_DURABLE_TIMEOUT", "abc", "HPCSIM_DURABLE_TIMEOUT='abc' must be a positive number of seconds"),
        ("HPCSIM_DURABLE_TIMEOUT", "0", "HPCSIM_DURABLE_TIMEOUT='0' must be a positive number of seconds"),
        ("HPCSIM_DURABLE_TIMEOUT", "-2", "HPCSIM_DURABLE_TIMEOUT='-2' must be a positive number of seconds"),
        ("HPCSIM_DURABLE_TIMEOUT", "inf", "HPCSIM_DURABLE_TIMEOUT='inf' must be a positive number of seconds"),
        ("HPCSIM_DURABLE_TIMEOUT", "1s", "HPCSIM_DURABLE_TIMEOUT='1s' must be a positive number of seconds"),
    ],
)
def test_a_bad_setting_is_a_parameter_error_before_any_connection(
    program: Path, variable: str, value: str, message: str
) -> None:
    """Nothing listens at the address: a connection attempt would be SRDatabaseError after the
    connect budget, not an immediate SRParameterError naming the variable."""
    nowhere = {"HPCSIM_DB": f"127.0.0.1:{free_port()}", "HPCSIM_DB_TYPE": "standalone", "HPCSIM_CONN_TIMEOUT": "30"}
    done = run_native(program, _env(nowhere, **{variable: value}), "describe", timeout=20)
    assert done.returncode == 1, done.stdout + done.stderr
    code, text = _error(done.stdout)
    assert code == SR_PARAMETER_ERROR and text.startswith(message), text


def test_bad_suffixed_and_overridden_values_name_their_variable(program: Path) -> None:
    nowhere = {"HPCSIM_DB_aux": f"127.0.0.1:{free_port()}", "HPCSIM_DB_TYPE_aux": "standalone"}
    done = run_native(program, _env(nowhere, HPCSIM_DURABLE_aux="two"), "-s", "aux", "describe", timeout=20)
    code, text = _error(done.stdout)
    assert code == SR_PARAMETER_ERROR and text.startswith("HPCSIM_DURABLE_aux='two' must be a whole number"), text
    done = run_native(program, _env(nowhere, HPCSIM_DURABLE_TIMEOUT="x"), "-s", "aux", "describe", timeout=20)
    code, text = _error(done.stdout)  # inherited from the plain name, and named so
    assert code == SR_PARAMETER_ERROR and text.startswith("HPCSIM_DURABLE_TIMEOUT='x' must be a positive"), text
    plain = {"HPCSIM_DB": nowhere["HPCSIM_DB_aux"], "HPCSIM_DB_TYPE": "standalone"}
    done = run_native(program, _env(plain), "-o", "-3", "describe", timeout=20)
    code, text = _error(done.stdout)
    assert code == SR_PARAMETER_ERROR and text.startswith("HPCSIM_DURABLE='-3' must be a whole number"), text
