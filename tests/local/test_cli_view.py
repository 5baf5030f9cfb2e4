"""The terminal view of ``hpcsim status`` on a real local experiment: ensembles folded, the
watch view within the console's height, NO_COLOR and FORCE_COLOR on a real terminal (a pty),
and shell completion of experiment and entity names."""

from __future__ import annotations

import io
import logging
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from rich.console import Console

from hpcsim import Experiment
from hpcsim.cli.jobs import _progress, _snapshot, _tally, _view
from hpcsim.cli.main import cli

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"
COLOUR_VARS = ("NO_COLOR", "FORCE_COLOR")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An experiment with a 60-member ensemble of `true` and a model that fails."""
    path = tmp_path_factory.mktemp("view") / "big"
    exp = Experiment("big", exp_path=str(path))
    sweep = exp.create_ensemble("sweep", run_settings=exp.create_run_settings("true"), replicas=60)
    sim = exp.create_model("sim", exp.create_run_settings("false"))
    exp.start(sweep, sim, block=True)
    return path


def _render(path: Path, expand: bool) -> list[str]:
    snapshot = _snapshot(path)
    console = Console(width=100, height=30, record=True, file=io.StringIO())
    console.print(_view(snapshot, path, _progress(_tally(snapshot), 12.0), expand, True))
    return console.export_text().splitlines()


def test_sixty_members_fold_into_one_row(big: Path) -> None:
    lines = _render(big, expand=False)
    assert len(lines) <= 30
    assert lines[0].split() == ["name", "type", "job", "run", "time", "status", "exit", "reason"]
    assert lines[1].split() == ["sweep", "60", "members", "60", "completed"]
    assert lines[2].split()[:2] == ["sim", "model"] and "FAILED" in lines[2]
    assert lines[-1].strip() == "[  12s] 61/61 finished: 60 completed, 1 failed"


def test_the_expanded_view_stops_at_the_console_height(big: Path) -> None:
    lines = _render(big, expand=True)
    assert len(lines) == 30  # header, 27 rows, the "more" line, the footer
    assert lines[1].split()[:2] == ["sweep_0", "model"]
    assert lines[-2] == f"... 34 more rows: hpcsim status {big} --expand"
    assert "finished" in lines[-1]


def _on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run ``hpcsim ARGS`` with a pty as its stdout and stderr: what a user's terminal gets."""
    leader, follower = pty.openpty()
    base = {k: v for k, v in os.environ.items() if k not in COLOUR_VARS}
    process = subprocess.Popen([HPCSIM, *args], stdout=follower, stderr=follower, env={**base, **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), b"".join(chunks).decode(errors="replace")


def test_no_color_on_a_terminal_has_no_escape_codes(big: Path) -> None:
    code, plain = _on_a_terminal("status", str(big), env={"NO_COLOR": "1", "COLUMNS": "120"})
    assert code == 1  # sim failed
    assert "\x1b[" not in plain
    assert "60 members" in plain and "60 completed" in plain
    code, coloured = _on_a_terminal("status", str(big), env={"COLUMNS": "120"})
    assert "\x1b[" in coloured  # the same terminal is coloured without NO_COLOR
    assert "\x1b[" not in _on_a_terminal("info", env={"NO_COLOR": "1"})[1]


def test_force_color_colours_piped_output(big: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in COLOUR_VARS}

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60, env={**base, **env})

    forced = run("status", str(big), "--watch", FORCE_COLOR="1")
    assert "\x1b[32m60 completed" in forced.stdout.splitlines()[-1]  # the progress line, green
    assert "\x1b[" in run("info", FORCE_COLOR="1").stdout
    assert "\x1b[" not in run("status", str(big), "--watch").stdout  # piped: plain unless forced


def test_watch_on_a_terminal_leaves_its_final_view(tmp_path: Path) -> None:
    exp = Experiment("watched", exp_path=str(tmp_path / "exp"))
    settings = exp.create_run_settings(sys.executable, ["-c", "import time; time.sleep(2)"])
    exp.start(exp.create_ensemble("slow", run_settings=settings, replicas=3), block=False)
    code, shown = _on_a_terminal("status", str(tmp_path / "exp"), "--watch", "--interval", "0.2", env={})
    assert code == 0
    assert "\x1b[2J" not in shown  # the screen is never cleared
    last = shown.rsplit("\x1b[2K", 1)[-1]  # each frame first erases the lines of the one before
    assert "3 members" in last and "3 completed" in last and "3/3 finished" in last
    assert "Ctrl-C" not in last


def _complete(args: list[str], incomplete: str) -> list[str]:
    completion = ShellComplete(cli, {}, "hpcsim", "_HPCSIM_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_completion_of_experiments_and_entity_names(big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exp = Experiment("deep", exp_path=str(tmp_path / "runs" / "deep"))
    exp.start(exp.create_model("only", exp.create_run_settings("true")), block=True)
    (tmp_path / "plain").mkdir()
    monkeypatch.chdir(tmp_path)
    assert _complete(["status"], "") == ["runs/deep"]  # not plain/, not the store itself
    assert _complete(["logs"], "runs/d") == ["runs/deep"]
    assert _complete(["status"], "pl") == []
    assert _complete(["logs", "runs/deep"], "") == ["only"]
    monkeypatch.chdir(big.parent)
    assert _complete(["logs", "big"], "s") == ["sim", *sorted(f"sweep_{i}" for i in range(60))]
    assert _complete(["cancel", "big", "sim", "sweep_1"], "sweep_1") == [f"sweep_1{i}" for i in range(10)]
    assert _complete(["logs", "nowhere"], "") == []


def test_a_blocking_start_logs_an_ensemble_as_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HPCSIM_PROGRESS_INTERVAL", "0.2")
    exp = Experiment("progress", exp_path=str(tmp_path / "exp"))
    settings = exp.create_run_settings(sys.executable, ["-c", "import time; time.sleep(1.5)"])
    with caplog.at_level(logging.INFO, logger="hpcsim"):
        exp.start(exp.create_ensemble("ens", run_settings=settings, replicas=4), block=True)
    waiting = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting:")]
    assert waiting, caplog.text
    assert "(ens: 4 members, " in waiting[0] and "ens_0" not in waiting[0]


def test_a_notebook_shows_the_summary_as_html(tmp_path: Path) -> None:
    exp = Experiment("notebook", exp_path=str(tmp_path / "exp"))
    exp.start(exp.create_model("note", exp.create_run_settings("true")), block=True)
    shown = exp._repr_html_()
    assert shown == exp.summary(style="html")
    assert shown.startswith("<table>") and "<td>note" in shown and "COMPLETED" in shown
