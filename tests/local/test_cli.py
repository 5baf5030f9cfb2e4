"""The ``hpcsim`` command as a user runs it: a real subprocess on PATH of the venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import hpcsim
from hpcsim import Experiment
from hpcsim.cli.main import cli

HPCSIM = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or "hpcsim"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HPCSIM, *args], capture_output=True, text=True, timeout=60)


def test_version() -> None:
    done = _cli("--version")
    assert done.returncode == 0
    assert hpcsim.__version__ in done.stdout


def test_status_shows_every_launch(tmp_path: Path) -> None:
    exp = Experiment("cli", exp_path=tmp_path / "exp")
    ok = exp.create_model("ok", exp.create_run_settings("true"))
    bad = exp.create_model("bad", exp.create_run_settings("false"))
    exp.start(ok, bad)
    done = _cli("status", str(tmp_path / "exp"))
    assert done.returncode == 1, done.stderr  # one job failed
    lines = done.stdout.splitlines()
    assert lines[0].split("|")[1].strip() == "name"
    rows = {cells[1].strip(): cells[6].strip() for cells in (line.split("|") for line in lines[2:])}
    assert rows == {"ok": "COMPLETED", "bad": "FAILED"}


def test_user_errors_print_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _cli("status", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("hpcsim: error: no hpcsim experiment at")
    assert "Traceback" not in done.stderr
    debug = _cli("--debug", "status", str(tmp_path))
    assert "Traceback" in debug.stderr


def test_help_lists_commands() -> None:
    done = _cli("--help")
    assert done.returncode == 0
    assert "status" in done.stdout


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    done = CliRunner().invoke(cli, [*command, "--help"])
    assert done.exit_code == 0, done.output
    assert f"Usage: cli {' '.join(command)}" in done.output
    assert "Example" in done.output


def test_shell_completion_completes_commands_and_site_names() -> None:
    def complete(words: str, index: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(index), "_HPCSIM_COMPLETE": "bash_complete"}
        done = subprocess.run([HPCSIM], capture_output=True, text=True, timeout=60, env=env)
        return [line.split(",", 1)[1] for line in done.stdout.splitlines()]

    assert complete("hpcsim su", 1) == ["submit"]
    assert complete("hpcsim status --wa", 2) == ["--watch"]
    assert complete("hpcsim submit d.py --site perl", 4) == ["perlmutter"]
    script = subprocess.run(
        [HPCSIM], capture_output=True, text=True, timeout=60, env={**os.environ, "_HPCSIM_COMPLETE": "bash_source"}
    )
    assert "complete -o nosort -F _hpcsim_completion hpcsim" in script.stdout


def test_colour_is_plain_text_when_piped(tmp_path: Path) -> None:
    exp = Experiment("plain", exp_path=tmp_path / "exp")
    exp.start(exp.create_model("ok", exp.create_run_settings("true")))
    done = _cli("status", str(tmp_path / "exp"), "--watch")
    assert "\x1b[" not in done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("1/1 finished: 1 completed")


def test_help_loads_no_scheduler_or_array_libraries() -> None:
    """Subcommands load lazily: `hpcsim --help` (and shell completion) stay quick."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from hpcsim.cli.main import cli\n"
        "assert CliRunner().invoke(cli, ['--help']).exit_code == 0\n"
        "print(sorted(m for m in ('psij', 'numpy', 'redis', 'torch') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"
