"""Least privilege from C: a program compiled against the session's clients authenticates with
the application identity's two-token file (``USERNAME PASSWORD``) of a database an Experiment
started, standalone and as a 3-shard cluster; wrong and malformed files, and a command its
identity may not run (NOPERM), fail with messages that say what to fix.

The native clients offer no administrative call (no CONFIG, SAVE, ...: client.h), so the refusal
is shown with an identity the test makes that may not touch some keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.db import admin
from hpcsim.db.acl import APP_USER
from hpcsim.db.secret import read_credential
from tests.dbutil import free_port
from tests.native.conftest import Database, db_env, run_native

PROGRAMS = Path(__file__).resolve().parent / "programs"
STRICT = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
SR_DATABASE_ERROR = 2
SR_RUNTIME_ERROR = 4
KEYS = [f"acl.{i}" for i in range(12)]  # spread over a cluster's three shards


@pytest.fixture
def program(compile_program: Callable[..., Path]) -> Path:
    return compile_program(PROGRAMS / "acl_app.c", "c", extra=STRICT)


@pytest.fixture(params=["standalone", "cluster"])
def hpcsim_db(request: pytest.FixtureRequest, exp: Experiment) -> Iterator[Database]:
    """A database started by the Experiment, as its applications see it."""
    shards = 3 if request.param == "cluster" else 1
    db = exp.create_database(port=free_port(shards), db_nodes=shards, interface="lo")
    exp.start(db)
    app_file = exp.exp_path / ".hpcsim" / "db.app.secret"
    env = {
        "HPCSIM_DB": ",".join(db.get_address()),
        "HPCSIM_DB_TYPE": request.param,
        "HPCSIM_DB_PASSWORD_FILE": str(app_file),
    }
    yield Database(request.param, [], app_file, env)
    exp.stop(db)


def _answer(done_stdout: str) -> tuple[int, str]:
    match = re.search(r"^error (\d+) (.*)$", done_stdout, re.M)
    assert match, done_stdout
    return int(match.group(1)), match.group(2)


def test_the_app_identity_authenticates_with_its_two_token_file(program: Path, hpcsim_db: Database) -> None:
    done = run_native(program, db_env(hpcsim_db), *KEYS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"authentication: file {hpcsim_db.password_file}, user {APP_USER}" in done.stdout
    assert done.stdout.count("\nok ") == len(KEYS), done.stdout


def test_a_wrong_or_malformed_file_names_itself(program: Path, hpcsim_db: Database, tmp_path: Path) -> None:
    password = read_credential(hpcsim_db.password_file).password
    wrong = tmp_path / "app.secret"
    cases = {
        f"{APP_USER} not-{password}\n": rf"WRONGPASS.*password from file {wrong}, user {APP_USER} is wrong",
        f"{APP_USER} {password} more\n": rf"password file {wrong} \(HPCSIM_DB_PASSWORD_FILE\) must hold one line",
        f"{APP_USER}\n{password}\n": r"must hold one line: PASSWORD, or USERNAME PASSWORD",
    }
    for content, message in cases.items():
        wrong.write_text(content)
        wrong.chmod(0o600)
        done = run_native(program, db_env(hpcsim_db, extra={"HPCSIM_DB_PASSWORD_FILE": str(wrong)}), "acl.x")
        assert done.returncode == 1, done.stdout
        code, text = _answer(done.stdout)
        assert code == SR_DATABASE_ERROR and re.search(message, text), text


def test_a_refused_command_says_why(program: Path, hpcsim_db: Database, exp: Experiment, tmp_path: Path) -> None:
    """An identity the ACL refuses a command gets NOPERM as a runtime error naming its cause."""
    admin_password = read_credential(exp.exp_path / ".hpcsim" / "db.secret").password
    for address in hpcsim_db.env["HPCSIM_DB"].split(","):
        with admin.connect(address, admin_password, 5.0) as conn:
            conn.execute_command("ACL", "SETUSER", "acl-narrow", "on", ">narrow-pass", "~acl.*", "+@all")
    narrow = tmp_path / "narrow.secret"
    narrow.write_text("acl-narrow narrow-pass\n")
    narrow.chmod(0o600)
    done = run_native(program, db_env(hpcsim_db, extra={"HPCSIM_DB_PASSWORD_FILE": str(narrow)}), "acl.ok", "x.no")
    assert "ok acl.ok" in done.stdout, done.stdout
    code, text = _answer(done.stdout)
    assert code == SR_RUNTIME_ERROR, text
    assert "NOPERM" in text and "least privilege" in text and "docs/security.md" in text, text
