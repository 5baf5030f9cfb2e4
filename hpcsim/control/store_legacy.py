"""Reading the job stores of hpcsim before 0.3: one SQLite file, ``<exp>/.hpcsim/jobs.sqlite``.

They are opened read-only and immutable (no lock, no journal, nothing written), and come out in
the shapes of today's store files, so that a driver can migrate them and a reader can read them.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

__all__ = ["LEGACY_NAME", "read_legacy"]

LEGACY_NAME = "jobs.sqlite"

_JOB_FIELDS = (
    "id, name, kind, scheduler, native_id, script, out, err, exit_code_file, status, exit_code, reason, "
    "submitted, updated"
)


def read_legacy(path: Path) -> tuple[dict[str, str], list[dict[str, Any]], list[dict[str, Any]]]:
    """(meta, jobs with their ``history``, databases) of the old store at ``path``."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        db.row_factory = sqlite3.Row
        meta = {row["key"]: row["value"] for row in db.execute("SELECT key, value FROM meta")}
        history: dict[int, list[list[Any]]] = {}
        for row in db.execute("SELECT job_id, status, exit_code, reason, time FROM history ORDER BY rowid"):
            history.setdefault(row["job_id"], []).append([row["status"], row["exit_code"], row["reason"], row["time"]])
        jobs = [
            {**dict(row), "history": history.get(row["id"], [])}
            for row in db.execute(f"SELECT {_JOB_FIELDS} FROM jobs ORDER BY id")
        ]
        databases = [
            {
                "identifier": row["identifier"],
                "addresses": json.loads(row["addresses"]),
                "cluster": bool(row["cluster"]),
                "password_file": row["password_file"],
                "jobs": json.loads(row["jobs"]),
                "started": row["started"],
            }
            for row in db.execute("SELECT * FROM databases ORDER BY started")
        ]
    return meta, jobs, databases
