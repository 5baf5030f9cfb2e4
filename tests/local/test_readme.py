"""The README's quickstart runs as written, from an empty directory: a user copies the block
into a file and runs it with the ``python`` on their PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quickstart() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Quickstart") :]
    match = re.search(r"```python\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    assert match is not None, "the README's Quickstart section has no python block"
    return match.group(1)


def test_the_quickstart_runs_verbatim_from_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "quickstart.py").write_text(_quickstart())
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "quickstart.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    members = sorted((tmp_path / "sweep" / "sim").glob("sim_*/sim_*.out"))
    assert len(members) == 8
    printed = sorted(path.read_text().strip() for path in members)
    expected = sorted(f"&grid dt={dt} nx={nx} /" for dt in (0.1, 0.2) for nx in (64, 128) for _ in range(2))
    assert printed == expected
    assert done.stdout.count("COMPLETED") == 8
