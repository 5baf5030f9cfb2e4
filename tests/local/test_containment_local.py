"""Containment through the facade: a planted password file stops ``start`` before any shard runs."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.errors import DatabaseError

from ..dbutil import free_port


def test_start_refuses_a_planted_secret_symlink(exp: Experiment, tmp_path: Path) -> None:
    target = tmp_path / "known.txt"
    target.write_text("known-password\n")
    target.chmod(0o644)
    hidden = exp.exp_path / ".hpcsim"
    hidden.mkdir(parents=True)
    (hidden / "db.secret").symlink_to(target)
    db = exp.create_database(port=free_port(1))
    with pytest.raises(DatabaseError, match=r"db\.secret is a symlink.*remove it"):
        exp.start(db)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text() == "known-password\n"
    assert not list(Path(db.path).glob("**/*.shard.json")), "no shard was started"


def test_a_planted_server_config_symlink_never_receives_the_password(exp: Experiment, tmp_path: Path) -> None:
    """The shard's redis.conf holds the password: a symlink planted at its path is replaced, not
    written through."""
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    victim.chmod(0o644)
    db = exp.create_database(port=free_port(1))
    exp.generate(db)
    hidden = Path(db.path) / ".hpcsim"
    hidden.mkdir(parents=True, exist_ok=True)
    planted = hidden / "orchestrator_0.redis.conf"
    planted.symlink_to(victim)
    exp.start(db)
    try:
        assert db.is_active()
    finally:
        exp.stop(db)
    assert victim.read_text() == "untouched\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not planted.is_symlink()
    assert stat.S_IMODE(planted.stat().st_mode) == 0o600
