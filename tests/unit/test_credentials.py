"""The applications' credential file and ACL user, without a server: the file's two forms, the
file made by the same safe routine as the admin's, and the ``user`` line a shard writes."""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

import pytest

from hpcsim.db.acl import ALLOWED, APP_USER, DENIED, app_user_rules
from hpcsim.db.secret import (
    APP_SECRET_NAME,
    SECRET_NAME,
    Credential,
    app_secret_path,
    ensure_secret,
    parse_credential,
    read_credential,
)
from hpcsim.db.shard import server_config
from hpcsim.errors import DatabaseError


@pytest.mark.parametrize(
    ("text", "credential"),
    [
        ("s3cret\n", Credential(None, "s3cret")),
        ("  s3cret  ", Credential(None, "s3cret")),
        ("hpcsim-app s3cret\n", Credential("hpcsim-app", "s3cret")),
        ("hpcsim-app \t s3cret\r\n", Credential("hpcsim-app", "s3cret")),
    ],
)
def test_a_credential_is_a_password_or_a_user_and_a_password(text: str, credential: Credential) -> None:
    assert parse_credential(text) == credential


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "is empty"), (" \n\n", "is empty"), ("a b c", "must hold one line"), ("user\npass\n", "one line")],
)
def test_anything_else_is_refused_saying_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_credential(text)


def test_the_app_file_is_made_by_the_safe_routine_beside_the_admin_file(tmp_path: Path) -> None:
    hidden = tmp_path / ".hpcsim"
    admin_file = ensure_secret(hidden)
    app_file = ensure_secret(hidden, APP_SECRET_NAME, APP_USER)
    assert app_secret_path(admin_file) == app_file == hidden / APP_SECRET_NAME
    assert (admin_file.name, app_file.name) == (SECRET_NAME, "db.app.secret")
    for path in (admin_file, app_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    credential = read_credential(app_file)
    assert credential.username == APP_USER and re.fullmatch(r"[0-9a-f]{64}", credential.password)
    assert credential.password != read_credential(admin_file).password
    assert ensure_secret(hidden, APP_SECRET_NAME, APP_USER) == app_file
    assert read_credential(app_file) == credential, "an existing file is kept"


def test_a_planted_app_secret_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "attacker.txt"
    target.write_text(f"{APP_USER} known-password\n")
    target.chmod(0o644)
    hidden = tmp_path / ".hpcsim"
    hidden.mkdir()
    (hidden / APP_SECRET_NAME).symlink_to(target)
    with pytest.raises(DatabaseError, match=r"db\.app\.secret is a symlink.*remove it"):
        ensure_secret(hidden, APP_SECRET_NAME, APP_USER)
    assert target.read_text() == f"{APP_USER} known-password\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_malformed_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "app.secret"
    path.write_text("one two three\n")
    with pytest.raises(DatabaseError, match=rf"password file {path} must hold one line"):
        read_credential(path)


def test_the_rules_deny_administration_and_hide_the_password() -> None:
    rules = app_user_rules("the password")
    assert rules[:6] == [APP_USER, "on", f"#{hashlib.sha256(b'the password').hexdigest()}", "~*", "&*", "+@all"]
    assert rules[6:] == [f"-{name}" for name in DENIED] + [f"+{name}" for name in ALLOWED]
    assert not any("the password" in rule for rule in rules)
    for name in ("config", "module", "debug", "shutdown", "acl", "replicaof", "slaveof", "failover", "save"):
        assert name in DENIED
    for name in ("bgsave", "bgrewriteaof", "sync", "psync", "cluster"):
        assert name in DENIED
    assert {"cluster|slots", "cluster|nodes", "cluster|info", "cluster|keyslot"} <= set(ALLOWED)
    assert not any(name.startswith(("config", "cluster|reset", "cluster|forget", "cluster|meet")) for name in ALLOWED)


def test_every_shard_config_defines_the_app_user_quoted(tmp_path: Path) -> None:
    app = Credential(APP_USER, "app-pass")
    text = server_config("n", 1, ["127.0.0.1"], tmp_path, "admin-pass", True, 1000, [], app=app)
    [line] = [line for line in text.splitlines() if line.startswith("user ")]
    assert line == "user " + " ".join(f'"{rule}"' for rule in app_user_rules("app-pass"))
    assert 'requirepass "admin-pass"' in text and 'masterauth "admin-pass"' in text  # replication: the admin
    assert "app-pass" not in text
    assert "user " not in server_config("n", 1, ["127.0.0.1"], tmp_path, None, False, 1000, [])
