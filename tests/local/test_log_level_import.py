"""A bad HPCSIM_LOG_LEVEL does not break ``import hpcsim`` in a fresh interpreter: it is
reported when an experiment or a command starts, not at import."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def test_bad_log_level_does_not_break_import(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", "import hpcsim, hpcsim.log; hpcsim.log.get_logger('x.y').info('hi')"],
        env={**os.environ, "HPCSIM_LOG_LEVEL": "LOUD"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
