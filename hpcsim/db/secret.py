"""The per-experiment database password: random, in a file only its owner can read."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["SECRET_NAME", "ensure_secret", "read_secret"]

SECRET_NAME = "db.secret"


def ensure_secret(hidden_dir: Path) -> Path:
    """``<hidden_dir>/db.secret`` (mode 0600), created with a new random password if absent."""
    path = hidden_dir / SECRET_NAME
    hidden_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        return path
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path


def read_secret(path: str | Path) -> str:
    """The password a secret file holds (its content without surrounding whitespace)."""
    return Path(path).read_text(encoding="utf-8").strip()
