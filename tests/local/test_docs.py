"""Every page of the docs runs as written (the convention is in tests/docblocks.py).

One test per page (README.md and docs/**/*.md): its ``file:`` blocks are written into a fresh
directory, then its runnable blocks run there in document order, ``python`` ones with the
project's Python and ``bash``/``sh`` ones with ``bash -euo pipefail``, the project's bin first
on PATH and ``HPCSIM_REPO`` naming the repository. A block that exits non-zero or runs past
its timeout fails the page, and so does any process still running in the page's directory
once its blocks are done (it is killed, by pid).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.docblocks import FILE, Block, page_needs, parse

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
BLOCK_TIMEOUT = 120
#: how long processes a page stopped get to exit before they count as left running
EXIT_GRACE = 10.0
#: variables a shell may carry that would point a page's blocks at another database (prefixes)
_FOREIGN = ("HPCSIM_DB", "HPCSIM_KEY", "SSDB", "SR_DB_TYPE", "SSKEY")


def _environment(home: Path) -> dict[str, str]:
    """The blocks' environment: this one without database variables, the project's bin first
    on PATH, HPCSIM_REPO, and ``home`` as HOME (so nothing lands in the user's)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(_FOREIGN)}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["HPCSIM_REPO"] = str(REPO)
    env["HOME"] = str(home)
    return env


def _command(block: Block, scripts: Path) -> list[str]:
    script = scripts / f"line{block.line}.{'py' if block.language == 'python' else 'sh'}"
    script.write_text(block.text, encoding="utf-8")
    if block.language == "python":
        return [sys.executable, str(script)]
    return ["bash", "-euo", "pipefail", str(script)]


def _run(block: Block, scripts: Path, cwd: Path, env: dict[str, str]) -> str | None:
    """Run one block; None if it passed, else what went wrong with its output."""
    process = subprocess.Popen(
        _command(block, scripts),
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return f"timed out after {BLOCK_TIMEOUT} s\n{output[-4000:]}"
    if process.returncode != 0:
        return f"exit status {process.returncode}\n{output[-4000:]}"
    return None


def _running_in(directory: Path) -> dict[int, str]:
    """This user's processes (not this one) whose working directory is inside ``directory``."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone, or another user's
            continue
        if cwd == directory or directory in cwd.parents:
            found[int(entry.name)] = command
    return found


def _left_running(directory: Path, grace: float = EXIT_GRACE) -> dict[int, str]:
    """Processes still running in ``directory`` once ``grace`` seconds have passed; they are killed."""
    deadline = time.monotonic() + grace
    left = _running_in(directory)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _running_in(directory)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):  # ended by itself since
            os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_page_runs_as_written(page: Path, tmp_path: Path) -> None:
    name = str(page.relative_to(REPO))
    text = page.read_text(encoding="utf-8")
    for module in page_needs(text):
        pytest.importorskip(module, reason=f"{name} needs {module}: bash scripts/install-ml.sh VENV")
    blocks = parse(text, name)
    work, scripts, home = tmp_path / "work", tmp_path / "blocks", tmp_path / "home"
    for directory in (work, scripts, home):
        directory.mkdir()
    for block in blocks:
        if block.directive == FILE:
            target = work / block.argument
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
    env = _environment(home)
    failure = None
    for block in blocks:
        if block.runs:
            problem = _run(block, scripts, work, env)
            if problem is not None:
                failure = f"{name}:{block.line} ({block.language} block) failed: {problem}"
                break
    left = _left_running(tmp_path)
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    if left:
        pytest.fail(f"{name} left processes running (killed now): {left}", pytrace=False)


def test_a_failing_block_reports_its_exit_status_and_output(tmp_path: Path) -> None:
    block = Block("page.md", 7, "bash", "echo about to fail\nfalse\necho never\n")
    problem = _run(block, tmp_path, tmp_path, _environment(tmp_path))
    assert problem == "exit status 1\nabout to fail\n"


def test_a_process_left_in_the_page_directory_is_found_and_killed(tmp_path: Path) -> None:
    inside = tmp_path / "work"
    inside.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"], cwd=inside)
    try:
        assert _left_running(tmp_path, grace=0) == {sleeper.pid: "sleep 60"}
        assert sleeper.wait(timeout=10) == -signal.SIGKILL
    finally:
        sleeper.kill()
        sleeper.wait()
    assert _left_running(tmp_path, grace=0) == {}
